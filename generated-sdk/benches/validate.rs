//! Cost of `validate_at` on generated request types.
//!
//! - `busifavor_create_stock_full`: the crate's largest request type, 商家券 `CreateStockRequest`
//!   (67 fields at all depths, 13 at the top level), fully populated and valid: every field set
//!   except `discount_coupon` and `exchange_coupon`, which exactly-one-of excludes (63 fields).
//! - `favor_create_coupon_stock`: 代金券 `CreateCouponStockRequest` (45 fields at all depths),
//!   the documented request example with its times moved into the valid window.
//! - `favor_create_coupon_stock_invalid`: the same request breaking 14 rules at once, so the
//!   cost of building paths and messages shows.
//!
//! Run: `cargo bench -p wechatpay-marketing --bench validate`.

mod common;

use common::{favor_create_coupon_stock, NOW};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use std::hint::black_box;
use wechatpay_marketing::busifavor::CreateStockRequest;
use wechatpay_marketing::favor::{CreateCouponStockRequest, TradeType};
use wechatpay_marketing::{FixedClock, Validate};

fn busifavor_create_stock_full() -> CreateStockRequest {
    serde_json::from_value(json!({
        "stock_name": "8月1日活动券",
        "belong_merchant": "1900008361",
        "comment": "活动使用",
        "goods_name": "填写代金券可适用的商品或服务",
        "stock_type": "NORMAL",
        "coupon_use_rule": {
            "coupon_available_time": {
                "available_begin_time": "2030-01-02T00:00:00+08:00",
                "available_end_time": "2030-06-30T23:59:59+08:00",
                "available_day_after_receive": 3,
                "available_week": {
                    "week_day": [1, 2, 3, 4, 5],
                    "available_day_time": [
                        {"begin_time": 3600, "end_time": 43200},
                        {"begin_time": 50400, "end_time": 86399}
                    ]
                },
                "irregulary_avaliable_time": [
                    {"begin_time": "2030-02-01T00:00:00+08:00", "end_time": "2030-02-07T23:59:59+08:00"},
                    {"begin_time": "2030-03-01T00:00:00+08:00", "end_time": "2030-03-07T23:59:59+08:00"}
                ],
                "wait_days_after_receive": 1,
                "available_second_after_receive": 3600
            },
            "fixed_normal_coupon": {"discount_amount": 500, "transaction_minimum": 1000},
            "use_method": "MINI_PROGRAMS",
            "mini_programs_appid": "wx1234567890",
            "mini_programs_path": "/path/index/index"
        },
        "stock_send_rule": {
            "max_amount": 100000,
            "max_coupons": 100,
            "max_coupons_per_user": 5,
            "max_amount_by_day": 10000,
            "max_coupons_by_day": 100,
            "natural_person_limit": false,
            "prevent_api_abuse": false,
            "transferable": false,
            "shareable": false
        },
        "out_request_no": "100002322019090134234sfdf",
        "custom_entrance": {
            "mini_programs_info": {
                "mini_programs_appid": "wx1234567890",
                "mini_programs_path": "/path/index/index",
                "entrance_words": "欢迎选购",
                "guiding_words": "获取更多优惠"
            },
            "appid": "wx1234567890",
            "hall_id": "233455656",
            "store_id": "233554655",
            "code_display_mode": "QRCODE"
        },
        "display_pattern_info": {
            "description": "xxx门店可用",
            "merchant_logo_url": "https://xxx",
            "merchant_name": "微信支付",
            "background_color": "Color020",
            "coupon_image_url": "https://xxx",
            "finder_info": {
                "finder_id": "sph6Rngt2T4RlUf",
                "finder_video_id": "export/UzFfAgtgekIEAQAAAAAAb4MgnPInmAAAAAstQy6ubaLX4KHWvLEZgBPEwIEgVnk9HIP",
                "finder_video_cover_image_url": "https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx"
            }
        },
        "coupon_code_mode": "WECHATPAY_MODE",
        "notify_config": {"notify_appid": "wx23f4a6bc0b4be8e4"},
        "subsidy": false
    }))
    .expect("the full 商家券 request deserializes")
}

/// The 代金券 example breaking 14 documented rules.
fn favor_create_coupon_stock_invalid() -> CreateCouponStockRequest {
    let mut r = favor_create_coupon_stock();
    r.stock_name = "微信支付代金券批次微信支付代金券批次微信|".into();
    r.comment = Some("零".repeat(61));
    r.belong_merchant.clear();
    r.available_begin_time = "2015-05-20T13:29:35.120+08:00".into();
    r.available_end_time = "2015-09-20T13:29:35.120+08:00".into();
    r.stock_use_rule.max_coupons = 0;
    let pi = r.pattern_info.as_mut().expect("pattern_info");
    pi.jump_target = Some("MINI_PROGRAM".into());
    pi.mini_program_appid = None;
    pi.mini_program_path = None;
    r.coupon_use_rule.fixed_normal_coupon = None;
    r.coupon_use_rule.goods_tag = Some(vec!["ok".into(), "x".repeat(129)]);
    r.coupon_use_rule.trade_type = Some(vec![TradeType::from("SCAN")]);
    r.out_request_no = "订单#1".into();
    r.ext_info = Some("x".repeat(129));
    r
}

fn bench(c: &mut Criterion) {
    let clock = FixedClock(NOW);

    let full = busifavor_create_stock_full();
    assert_eq!(
        full.validate_at(&clock),
        Ok(()),
        "the full request is valid"
    );
    c.bench_function("busifavor_create_stock_full", |b| {
        b.iter(|| black_box(&full).validate_at(&clock))
    });

    let stock = favor_create_coupon_stock();
    assert_eq!(stock.validate_at(&clock), Ok(()), "the example is valid");
    c.bench_function("favor_create_coupon_stock", |b| {
        b.iter(|| black_box(&stock).validate_at(&clock))
    });

    let invalid = favor_create_coupon_stock_invalid();
    let n = invalid
        .validate_at(&clock)
        .expect_err("the broken request is invalid")
        .violations()
        .len();
    assert_eq!(n, 14, "violations of the broken request");
    c.bench_function("favor_create_coupon_stock_invalid", |b| {
        b.iter(|| black_box(&invalid).validate_at(&clock))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
