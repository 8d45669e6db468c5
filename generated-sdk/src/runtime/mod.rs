//! Hand-written runtime beside the generated modules: client, signing and verification,
//! errors, notifications and validation support. The generator never writes here.

pub mod client;
mod der;
pub mod error;
pub mod notification;
pub mod operation;
pub mod paging;
pub mod signing;
pub mod validation;
pub mod verify;
