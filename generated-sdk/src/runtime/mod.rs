//! Hand-written runtime beside the generated modules: client, retries and failover, signing
//! and verification, platform certificates, notifications, uploads and downloads, errors,
//! timestamps and validation support. The generator never writes here.

mod certificates;
pub mod client;
mod der;
mod download;
pub mod error;
pub mod lenient;
pub mod multipart;
pub mod notification;
pub mod notify;
pub mod operation;
pub mod paging;
pub mod retry;
pub mod signing;
pub mod timestamp;
pub mod tls;
pub mod validation;
pub mod verify;
