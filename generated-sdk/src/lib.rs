#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod runtime;
#[cfg(feature = "simulator")]
pub mod testing;

// Generated from spec/ by `cargo run -p codegen -- generate`; never edited by hand and
// formatted by prettyplease, so rustfmt leaves it alone.
// The families are documented at the crate root (`wechatpay_marketing::favor`), where users
// name them; `api` is only their home in the source tree.
#[rustfmt::skip]
#[doc(hidden)]
pub mod api;
#[doc(inline)]
pub use api::*;

// Generated from the `notifications:` of every spec file: the `Event` enum and its router.
#[rustfmt::skip]
mod events;
pub use events::Event;

pub use runtime::client::{Client, ClientBuilder};
pub use runtime::error::{
    ApiError, BuildError, DecodeError, DecryptError, DownloadError, Error, NotRetried,
    NotificationError, SignatureError,
};
pub use runtime::notification::{
    ApiV3Key, EncryptedResource, Notification, NotificationEnvelope, NotificationKind,
};
pub use runtime::notify::{failure_response, success_response, Delivery, NotificationHandler};
pub use runtime::operation::ErrorRow;
pub use runtime::paging::Pages;
pub use runtime::retry::RetryPolicy;
pub use runtime::timestamp::{Timestamp, TimestampError};
pub use runtime::validation::{
    Clock, FixedClock, Rule, SystemClock, Validate, ValidationErrors, Violation,
};
pub use runtime::verify::HeaderLookup;

/// Step-by-step guides, one flow each. They are the Markdown files of `docs/guides/`,
/// included here so that their code runs as doctests against the simulator
/// (`wechatpay_marketing::testing`, `simulator` feature) whenever the crate's tests run.
pub mod guides {
    #[cfg(feature = "favor")]
    #[doc = include_str!("../docs/guides/favor_campaign.md")]
    pub mod favor_campaign {}
    #[cfg(feature = "busifavor")]
    #[doc = include_str!("../docs/guides/busifavor.md")]
    pub mod busifavor {}
    #[cfg(feature = "product-coupon")]
    #[doc = include_str!("../docs/guides/product_coupon.md")]
    pub mod product_coupon {}
    #[cfg(all(feature = "favor", feature = "busifavor", feature = "product-coupon"))]
    #[doc = include_str!("../docs/guides/notifications_axum.md")]
    pub mod notifications_axum {}
    #[cfg(feature = "favor")]
    #[doc = include_str!("../docs/guides/retries_idempotency.md")]
    pub mod retries_idempotency {}
    #[cfg(all(feature = "favor", feature = "busifavor", feature = "product-coupon"))]
    #[doc = include_str!("../docs/guides/images.md")]
    pub mod images {}
}
