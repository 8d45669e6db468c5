//! 创建代金券批次 (代金券): creates a fixed-amount (NORMAL) coupon stock and prints the answer
//! (`stock_id`, `create_time`) as JSON.
//!
//! ```text
//! WECHATPAY_MCHID=… WECHATPAY_MERCHANT_SERIAL=… WECHATPAY_PRIVATE_KEY=apiclient_key.pem \
//! WECHATPAY_PUBLIC_KEY_ID=PUB_KEY_ID_… WECHATPAY_PUBLIC_KEY=pub_key.pem \
//! STOCK_NAME=国庆满减券 cargo run -p wechatpay-marketing --example create_coupon_stock
//! ```
//!
//! Optional stock fields (defaults in brackets): `STOCK_NAME` [示例代金券批次], `STOCK_COMMENT`,
//! `BELONG_MERCHANT` [`WECHATPAY_MCHID`], `AVAILABLE_MERCHANTS` (comma-separated)
//! [`WECHATPAY_MCHID`], `COUPON_AMOUNT` in 分 [100], `TRANSACTION_MINIMUM` in 分 [200],
//! `MAX_COUPONS` [10], `MAX_AMOUNT` in 分 [`COUPON_AMOUNT` × `MAX_COUPONS`],
//! `MAX_COUPONS_PER_USER` [1], `NO_CASH` [false], `AVAILABLE_DAYS` (1..=90) [30],
//! `OUT_REQUEST_NO` [mchid + date + sequence]. The stock starts one day from now (Beijing
//! time). See `common/mod.rs` for the connection variables and exit codes.

mod common;
#[path = "common/favor_stock.rs"]
mod favor_stock;

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use common::{config_failure, report, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let (client, request) =
        match Config::from_env().and_then(|c| Ok((c.client()?, favor_stock::request(&c, now)?))) {
            Ok(v) => v,
            Err(e) => return config_failure(e),
        };
    report(client.favor().create_coupon_stock(&request).await)
}
