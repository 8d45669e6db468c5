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

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use common::{config_failure, optional, parsed_or, report, Config, ConfigError};
use wechatpay_marketing::favor::{
    CouponRule, CreateCouponStockRequest, FixedValueStockMsg, StockRule,
};

const DAY: i64 = 86_400;
/// Beijing time (UTC+8), the zone WeChat Pay documents its timestamps in.
const BEIJING: i64 = 8 * 3600;

/// `unix` as RFC 3339 in Beijing time, e.g. `2015-05-20T13:29:35+08:00`.
fn rfc3339_beijing(unix: i64) -> String {
    let local = unix + BEIJING;
    let (days, secs) = (local.div_euclid(DAY), local.rem_euclid(DAY));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn request(config: &Config, now: i64) -> Result<CreateCouponStockRequest, ConfigError> {
    let coupon_amount: i64 = parsed_or("COUPON_AMOUNT", 100)?;
    let max_coupons: i64 = parsed_or("MAX_COUPONS", 10)?;
    let days: i64 = parsed_or("AVAILABLE_DAYS", 30)?;
    let begin = now + DAY;
    let merchants = optional("AVAILABLE_MERCHANTS")?.unwrap_or(config.mchid.clone());
    let out_request_no = match optional("OUT_REQUEST_NO")? {
        Some(v) => v,
        None => format!(
            "{}{}{:05}",
            config.mchid,
            rfc3339_beijing(now)[..10].replace('-', ""),
            now.rem_euclid(100_000)
        ),
    };
    let bad = |e: wechatpay_marketing::BuildError| ConfigError(format!("cannot build: {e}"));

    let mut builder = CreateCouponStockRequest::builder()
        .stock_name(optional("STOCK_NAME")?.unwrap_or("示例代金券批次".into()))
        .belong_merchant(optional("BELONG_MERCHANT")?.unwrap_or(config.mchid.clone()))
        .available_begin_time(rfc3339_beijing(begin))
        .available_end_time(rfc3339_beijing(begin + days * DAY - 1))
        .stock_use_rule(
            StockRule::builder()
                .max_coupons(max_coupons)
                .max_amount(parsed_or("MAX_AMOUNT", coupon_amount * max_coupons)?)
                .max_coupons_per_user(parsed_or("MAX_COUPONS_PER_USER", 1i64)?)
                .natural_person_limit(false)
                .prevent_api_abuse(false)
                .build()
                .map_err(bad)?,
        )
        .coupon_use_rule(
            CouponRule::builder()
                .fixed_normal_coupon(
                    FixedValueStockMsg::builder()
                        .coupon_amount(coupon_amount)
                        .transaction_minimum(parsed_or("TRANSACTION_MINIMUM", 200i64)?)
                        .build()
                        .map_err(bad)?,
                )
                .available_merchants(merchants.split(',').map(str::trim))
                .build()
                .map_err(bad)?,
        )
        .no_cash(parsed_or("NO_CASH", false)?)
        .stock_type("NORMAL")
        .out_request_no(out_request_no);
    if let Some(comment) = optional("STOCK_COMMENT")? {
        builder = builder.comment(comment);
    }
    builder.build().map_err(bad)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let (client, request) =
        match Config::from_env().and_then(|c| Ok((c.client()?, request(&c, now)?))) {
            Ok(v) => v,
            Err(e) => return config_failure(e),
        };
    report(client.favor().create_coupon_stock(&request).await)
}
