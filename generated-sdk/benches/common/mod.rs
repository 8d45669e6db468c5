//! What the benches share: the documented 代金券 `create_coupon_stock` request example.

use serde_json::json;
use wechatpay_marketing::favor::CreateCouponStockRequest;

/// 2030-01-01T00:00:00+08:00: the example's times (moved into 2030) are valid then.
pub const NOW: i64 = 1_893_427_200;

/// The documented 代金券 request example with its times inside the window at [`NOW`] and the
/// fields the page marks 暂未开放 left out.
pub fn favor_create_coupon_stock() -> CreateCouponStockRequest {
    serde_json::from_value(json!({
        "stock_name": "微信支付代金券批次",
        "comment": "零售批次",
        "belong_merchant": "98568865",
        "available_begin_time": "2030-01-02T13:29:35.120+08:00",
        "available_end_time": "2030-03-20T13:29:35.120+08:00",
        "stock_use_rule": {
            "max_coupons": 100, "max_amount": 5000, "max_amount_by_day": 400,
            "max_coupons_per_user": 3, "natural_person_limit": false, "prevent_api_abuse": false
        },
        "pattern_info": {
            "description": "微信支付营销代金券",
            "merchant_logo": "CDN地址",
            "merchant_name": "微信支付",
            "background_color": "COLOR010",
            "coupon_image": "https://qpic.cn/xxx",
            "jump_target": "PAYMENT_CODE",
            "mini_program_appid": "wx23232232323",
            "mini_program_path": "/path/index/index"
        },
        "coupon_use_rule": {
            "coupon_available_time": {
                "fix_available_time": {"available_week_day": [1], "begin_time": 0, "end_time": 3600},
                "second_day_available": false,
                "available_time_after_receive": 7
            },
            "fixed_normal_coupon": {"coupon_amount": 100, "transaction_minimum": 100},
            "goods_tag": ["123321"],
            "trade_type": ["MICROAPP"],
            "combine_use": false,
            "available_items": ["123321"],
            "available_merchants": ["9856000"],
            "limit_card": {"name": "精粹白金", "bin": ["62542688"]}
        },
        "no_cash": false,
        "stock_type": "NORMAL",
        "out_request_no": "example_out_request_no"
    }))
    .expect("the 代金券 example deserializes")
}
