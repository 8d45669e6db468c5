//! Hand-written runtime beside the generated modules: client, signing and verification,
//! errors, notifications and validation support. The generator never writes here.

pub mod validation;
