//! Every operation of the spec answers a valid signed request through the simulator with a
//! signed 2xx that decodes into its generated response type. Generated from `spec/` into
//! `simulator_operations/generated.rs` (plain generated text that rustfmt must skip).

mod support;

#[rustfmt::skip]
#[path = "simulator_operations/generated.rs"]
mod generated;
