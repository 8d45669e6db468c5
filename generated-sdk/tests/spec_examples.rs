//! Round-trip tests of every documented example, generated from `spec/` into
//! `spec_examples/generated.rs` (plain generated text that rustfmt must skip).

#[rustfmt::skip]
#[path = "spec_examples/generated.rs"]
mod generated;
