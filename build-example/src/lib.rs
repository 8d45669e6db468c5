//! A downstream crate that generates the one operation it needs at build time: `build.rs`
//! runs `codegen::build` for `favor.start_stock` into `OUT_DIR`, and this file includes the
//! result at the crate root (the generated code names `crate::runtime`, `crate::Client` …,
//! which its prelude re-exports from `wechatpay-marketing`).
#![forbid(unsafe_code)]

include!(concat!(env!("OUT_DIR"), "/wechatpay_api.rs"));

/// The 代金券 operations generated into this crate, on `client`.
pub fn favor(client: &Client) -> favor::FavorClient<'_> {
    favor::FavorClient::new(client)
}
