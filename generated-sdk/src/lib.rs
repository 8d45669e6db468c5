#![doc = "Typed, validated async client for WeChat Pay APIv3 marketing APIs."]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod runtime;

pub use runtime::client::{Client, ClientBuilder};
pub use runtime::error::{ApiError, BuildError, DecryptError, Error, SignatureError};
pub use runtime::notification::{ApiV3Key, EncryptedResource, Notification, NotificationEnvelope};
pub use runtime::operation::ErrorRow;
pub use runtime::validation::{
    Clock, FixedClock, Rule, SystemClock, Validate, ValidationErrors, Violation,
};
pub use runtime::verify::HeaderLookup;
