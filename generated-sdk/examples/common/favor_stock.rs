//! The 代金券 stock request shared by the `create_coupon_stock` and `favor_campaign`
//! examples, built from environment variables (see `create_coupon_stock.rs` for the list).

use super::common::{optional, parsed_or, Config, ConfigError};
use wechatpay_marketing::favor::{
    CouponRule, CreateCouponStockRequest, FixedValueStockMsg, StockRule,
};

const DAY: i64 = 86_400;
/// Beijing time (UTC+8), the zone WeChat Pay documents its timestamps in.
const BEIJING: i64 = 8 * 3600;

/// `unix` as RFC 3339 in Beijing time, e.g. `2015-05-20T13:29:35+08:00`.
pub fn rfc3339_beijing(unix: i64) -> String {
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

pub fn request(config: &Config, now: i64) -> Result<CreateCouponStockRequest, ConfigError> {
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
