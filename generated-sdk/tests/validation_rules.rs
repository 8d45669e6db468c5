//! Table-driven tests of the generated request validators: one table per rule kind, each with
//! the boundary values that must pass and the ones that must fail, and for every failure the
//! EXACT violation list (path, rule, message, title).
//!
//! Requests are real generated types: mostly 代金券 `CreateCouponStockRequest` and
//! `ListStocksRequest`, plus 商家券/商品券 requests where they carry a rule the 代金券 pages lack
//! (min length, min/max items, exactly-one-of, at-most-one-of, a 366-day span, …).
//!
//! Time-window rules run against a [`FixedClock`] at [`NOW`] = 2030-01-01T00:00:00+08:00.

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use wechatpay_marketing::busifavor::{
    CreateStockRequest, CreateSubsidyPayReceiptRequest, ModifyBudgetRequest,
    UploadCouponCodesRequest,
};
use wechatpay_marketing::favor::{
    CouponRule, CreateCouponStockRequest, FavorAvailableTime, FixedAvailableTime,
    FixedValueStockMsg, ListStocksRequest, PatternInfo, StockRule, StockStatus, StockType,
    TradeType,
};
use wechatpay_marketing::product_coupon::ModifyStockBundleRequest;
use wechatpay_marketing::runtime::validation::parse_rfc3339;
use wechatpay_marketing::{FixedClock, Rule, Validate};

// ---------------------------------------------------------------------------------------------
// Time helpers
// ---------------------------------------------------------------------------------------------

/// 2030-01-01T00:00:00+08:00 in Unix seconds: "now" for every time-window case.
const NOW: i64 = 1_893_427_200;
const DAY: i64 = 86_400;

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// RFC 3339 text of `unix` seconds, written in the given UTC offset (minutes), with an optional
/// fraction (".120").
fn ts_in(unix: i64, offset_min: i64, frac: &str) -> String {
    let local = unix + offset_min * 60;
    let (y, m, d) = civil(local.div_euclid(DAY));
    let s = local.rem_euclid(DAY);
    let off = if offset_min == 0 {
        "Z".to_string()
    } else {
        let sign = if offset_min < 0 { '-' } else { '+' };
        format!(
            "{sign}{:02}:{:02}",
            offset_min.abs() / 60,
            offset_min.abs() % 60
        )
    };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{frac}{off}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// NOW + `delta` seconds, Beijing time.
fn at(delta: i64) -> String {
    ts_in(NOW + delta, 480, "")
}

// ---------------------------------------------------------------------------------------------
// Violation helpers
// ---------------------------------------------------------------------------------------------

/// One violation as (path, rule, message, title).
type Got = (String, Rule, String, &'static str);

/// The violation of setting a field the page marks 暂未开放.
fn not_open(path: &str, title: &'static str) -> Got {
    viol(
        path,
        Rule::NotOpen,
        "not open yet upstream (暂未开放); leave it unset",
        title,
    )
}

fn viol(path: &str, rule: Rule, message: impl Into<String>, title: &'static str) -> Got {
    (path.to_string(), rule, message.into(), title)
}

fn violations_at<T: Validate>(req: &T, now: i64) -> Vec<Got> {
    match req.validate_at(&FixedClock(now)) {
        Ok(()) => Vec::new(),
        Err(errors) => errors
            .into_violations()
            .into_iter()
            .map(|v| (v.path, v.rule, v.message, v.title))
            .collect(),
    }
}

fn violations<T: Validate>(req: &T) -> Vec<Got> {
    violations_at(req, NOW)
}

/// A case mutating a typed request.
struct Case<T> {
    name: &'static str,
    mutate: fn(&mut T),
    expect: Vec<Got>,
}

fn case<T>(name: &'static str, mutate: fn(&mut T), expect: Vec<Got>) -> Case<T> {
    Case {
        name,
        mutate,
        expect,
    }
}

fn run<T: Validate + Clone>(table: &str, base: &T, cases: Vec<Case<T>>) {
    assert_eq!(
        violations(base),
        vec![],
        "{table}: the base request is valid"
    );
    for c in cases {
        let mut req = base.clone();
        (c.mutate)(&mut req);
        assert_eq!(violations(&req), c.expect, "{table} / {}", c.name);
    }
}

/// A case mutating the JSON of a request before it is deserialized.
struct JCase {
    name: &'static str,
    mutate: fn(&mut Value),
    expect: Vec<Got>,
}

fn jcase(name: &'static str, mutate: fn(&mut Value), expect: Vec<Got>) -> JCase {
    JCase {
        name,
        mutate,
        expect,
    }
}

fn run_json<T: Validate + DeserializeOwned>(
    table: &str,
    base: &Value,
    path_params: fn(&mut T),
    cases: Vec<JCase>,
) {
    let decode = |v: &Value| -> T {
        let mut req: T = serde_json::from_value(v.clone()).expect("request JSON deserializes");
        path_params(&mut req);
        req
    };
    assert_eq!(
        violations(&decode(base)),
        vec![],
        "{table}: the base request is valid"
    );
    for c in cases {
        let mut v = base.clone();
        (c.mutate)(&mut v);
        assert_eq!(violations(&decode(&v)), c.expect, "{table} / {}", c.name);
    }
}

fn letters(n: usize) -> String {
    "abcdefghijklmnopqrstuvwxyz"
        .chars()
        .cycle()
        .take(n)
        .collect()
}

fn digits(n: usize) -> String {
    "1234567890".chars().cycle().take(n).collect()
}

/// `n` 汉字 (each one character, three UTF-8 bytes).
fn han(n: usize) -> String {
    "微信支付代金券批次测试".chars().cycle().take(n).collect()
}

// ---------------------------------------------------------------------------------------------
// Base requests (all valid at NOW)
// ---------------------------------------------------------------------------------------------

fn stock() -> CreateCouponStockRequest {
    CreateCouponStockRequest::builder()
        .stock_name("微信支付代金券批次")
        .comment("零售批次")
        .belong_merchant("98568865")
        .available_begin_time(at(DAY))
        .available_end_time(at(31 * DAY))
        .stock_use_rule(
            StockRule::builder()
                .max_coupons(100)
                .max_amount(5000)
                .max_amount_by_day(400)
                .max_coupons_per_user(3)
                .natural_person_limit(false)
                .prevent_api_abuse(false)
                .build()
                .unwrap(),
        )
        .pattern_info(
            PatternInfo::builder()
                .description("微信支付营销代金券")
                .merchant_name("微信支付")
                .background_color("COLOR010")
                .jump_target("PAYMENT_CODE")
                .build()
                .unwrap(),
        )
        .coupon_use_rule(
            CouponRule::builder()
                .coupon_available_time(
                    FavorAvailableTime::builder()
                        .fix_available_time(
                            FixedAvailableTime::builder()
                                .available_week_day([1i64, 2, 3])
                                .begin_time(0)
                                .end_time(3600)
                                .build()
                                .unwrap(),
                        )
                        .second_day_available(false)
                        .available_time_after_receive(7)
                        .build()
                        .unwrap(),
                )
                .fixed_normal_coupon(
                    FixedValueStockMsg::builder()
                        .coupon_amount(100)
                        .transaction_minimum(100)
                        .build()
                        .unwrap(),
                )
                .goods_tag(["123321", "456654"])
                .trade_type(["MICROAPP"])
                .available_items(["123321"])
                .available_merchants(["9856000"])
                .build()
                .unwrap(),
        )
        .no_cash(false)
        .stock_type("NORMAL")
        .out_request_no("98568865_20300101-0001")
        .build()
        .unwrap()
}

fn list() -> ListStocksRequest {
    ListStocksRequest::builder()
        .offset(0)
        .limit(10)
        .stock_creator_mchid("9856888")
        .create_start_time("2015-05-20T13:29:35.120+08:00")
        .create_end_time("2015-05-20T13:29:35.120+08:00")
        .status("paused")
        .build()
        .unwrap()
}

/// A fully populated, valid 商家券 create_stock body (NORMAL).
fn busifavor_stock_json() -> Value {
    json!({
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
                "finder_video_id": "export/UzFfAgtgekIEAQAAAAAAb4MgnPInmAAAAAstQy6ubaLX4KHWvLEZgBPEwIEgVnk9HIP-zNPgMJofG6tpdGPJNg_ojtEjoT94",
                "finder_video_cover_image_url": "https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx"
            }
        },
        "coupon_code_mode": "WECHATPAY_MODE",
        "notify_config": {"notify_appid": "wx23f4a6bc0b4be8e4"},
        "subsidy": false
    })
}

fn no_path_params<T>(_: &mut T) {}

// ---------------------------------------------------------------------------------------------
// String length (max_len, characters: one 汉字 = one)
// ---------------------------------------------------------------------------------------------

#[test]
fn max_length_favor() {
    let ml = |path: &str, n: usize, max: usize, title: &'static str| {
        viol(
            path,
            Rule::MaxLength,
            format!("{n} characters, at most {max}"),
            title,
        )
    };
    run(
        "max_len",
        &stock(),
        vec![
            case(
                "stock_name 20 letters",
                |r| r.stock_name = letters(20),
                vec![],
            ),
            case(
                "stock_name 21 letters",
                |r| r.stock_name = letters(21),
                vec![ml("stock_name", 21, 20, "批次名称")],
            ),
            case("stock_name 20 汉字", |r| r.stock_name = han(20), vec![]),
            case(
                "stock_name 21 汉字",
                |r| r.stock_name = han(21),
                vec![ml("stock_name", 21, 20, "批次名称")],
            ),
            case("stock_name 9 汉字", |r| r.stock_name = han(9), vec![]),
            case(
                "stock_name 10 汉字 + 10 letters",
                |r| r.stock_name = han(10) + &letters(10),
                vec![],
            ),
            case(
                "stock_name 10 汉字 + 11 digits",
                |r| r.stock_name = han(10) + &digits(11),
                vec![ml("stock_name", 21, 20, "批次名称")],
            ),
            case("stock_name 1 letter", |r| r.stock_name = "a".into(), vec![]),
            case("comment 60 汉字", |r| r.comment = Some(han(60)), vec![]),
            case(
                "comment 61 汉字",
                |r| r.comment = Some(han(61)),
                vec![ml("comment", 61, 60, "批次备注")],
            ),
            case(
                "comment empty (optional)",
                |r| r.comment = Some(String::new()),
                vec![],
            ),
            case(
                "belong_merchant 20",
                |r| r.belong_merchant = digits(20),
                vec![],
            ),
            case(
                "belong_merchant 21",
                |r| r.belong_merchant = digits(21),
                vec![ml("belong_merchant", 21, 20, "归属商户号")],
            ),
            case(
                "out_request_no 128",
                |r| r.out_request_no = letters(128),
                vec![],
            ),
            case(
                "out_request_no 129",
                |r| r.out_request_no = letters(129),
                vec![ml("out_request_no", 129, 128, "商户单据号")],
            ),
            // 暂未开放 on the page: any value is refused, whatever its length.
            case(
                "ext_info set (not open)",
                |r| r.ext_info = Some(han(128)),
                vec![not_open("ext_info", "扩展属性")],
            ),
            case(
                "pattern_info.merchant_name 12 汉字",
                |r| r.pattern_info.as_mut().unwrap().merchant_name = Some(han(12)),
                vec![],
            ),
            case(
                "pattern_info.merchant_name 13 汉字",
                |r| r.pattern_info.as_mut().unwrap().merchant_name = Some(han(13)),
                vec![ml("pattern_info.merchant_name", 13, 12, "品牌名称")],
            ),
            case(
                "pattern_info.description 1000",
                |r| r.pattern_info.as_mut().unwrap().description = han(1000),
                vec![],
            ),
            case(
                "pattern_info.description 1001",
                |r| r.pattern_info.as_mut().unwrap().description = han(1001),
                vec![ml("pattern_info.description", 1001, 1000, "使用说明")],
            ),
            case(
                "pattern_info.mini_program_path 129",
                |r| r.pattern_info.as_mut().unwrap().mini_program_path = Some(letters(129)),
                vec![ml("pattern_info.mini_program_path", 129, 128, "小程序path")],
            ),
        ],
    );
}

#[test]
fn max_length_busifavor() {
    let ml = |path: &str, n: usize, max: usize, title: &'static str| {
        viol(
            path,
            Rule::MaxLength,
            format!("{n} characters, at most {max}"),
            title,
        )
    };
    run_json::<CreateStockRequest>(
        "max_len busifavor",
        &busifavor_stock_json(),
        no_path_params,
        vec![
            jcase(
                "stock_name 21 汉字",
                |j| j["stock_name"] = json!(han(21)),
                vec![],
            ),
            jcase(
                "stock_name 22 汉字",
                |j| j["stock_name"] = json!(han(22)),
                vec![ml("stock_name", 22, 21, "商家券批次名称")],
            ),
            jcase(
                "goods_name 15",
                |j| j["goods_name"] = json!(han(15)),
                vec![],
            ),
            jcase(
                "goods_name 16",
                |j| j["goods_name"] = json!(han(16)),
                vec![ml("goods_name", 16, 15, "适用商品范围")],
            ),
            jcase(
                "custom_entrance.mini_programs_info.entrance_words 5 汉字",
                |j| j["custom_entrance"]["mini_programs_info"]["entrance_words"] = json!(han(5)),
                vec![],
            ),
            jcase(
                "custom_entrance.mini_programs_info.entrance_words 6 汉字",
                |j| j["custom_entrance"]["mini_programs_info"]["entrance_words"] = json!(han(6)),
                vec![ml(
                    "custom_entrance.mini_programs_info.entrance_words",
                    6,
                    5,
                    "入口文案",
                )],
            ),
            jcase(
                "display_pattern_info.merchant_name 17",
                |j| j["display_pattern_info"]["merchant_name"] = json!(han(17)),
                vec![ml("display_pattern_info.merchant_name", 17, 16, "商户名称")],
            ),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Minimum length (min_len): 商品券 and 商家券 pages document one, 代金券 does not
// ---------------------------------------------------------------------------------------------

#[test]
fn min_length() {
    let base = json!({
        "out_request_no": "34657_20250101_123456",
        "remark": "疯狂星期四项目专用",
        "store_scope": "SPECIFIC",
        "brand_id": "120344"
    });
    fn ids(r: &mut ModifyStockBundleRequest) {
        r.product_coupon_id = "200000001".into();
        r.stock_bundle_id = "123456789".into();
    }
    let t = "修改请求单号";
    run_json::<ModifyStockBundleRequest>(
        "min_len product_coupon",
        &base,
        ids,
        vec![
            jcase(
                "6 characters",
                |j| j["out_request_no"] = json!("abc-_1"),
                vec![],
            ),
            jcase(
                "5 characters",
                |j| j["out_request_no"] = json!("abc-_"),
                vec![viol(
                    "out_request_no",
                    Rule::MinLength,
                    "5 characters, at least 6",
                    t,
                )],
            ),
            jcase(
                "1 character",
                |j| j["out_request_no"] = json!("a"),
                vec![viol(
                    "out_request_no",
                    Rule::MinLength,
                    "1 character, at least 6",
                    t,
                )],
            ),
            jcase(
                "40 characters",
                |j| j["out_request_no"] = json!(letters(40)),
                vec![],
            ),
            jcase(
                "41 characters",
                |j| j["out_request_no"] = json!(letters(41)),
                vec![viol(
                    "out_request_no",
                    Rule::MaxLength,
                    "41 characters, at most 40",
                    t,
                )],
            ),
            jcase(
                "empty: required only, not min-length",
                |j| j["out_request_no"] = json!(""),
                vec![viol(
                    "out_request_no",
                    Rule::Required,
                    "required, but empty",
                    t,
                )],
            ),
            jcase(
                "too short and a bad character: both",
                |j| j["out_request_no"] = json!("ab#"),
                vec![
                    viol(
                        "out_request_no",
                        Rule::MinLength,
                        "3 characters, at least 6",
                        t,
                    ),
                    viol(
                        "out_request_no",
                        Rule::Charset,
                        "contains '#'; allowed: digits, ASCII letters, _, -",
                        t,
                    ),
                ],
            ),
        ],
    );

    let base = json!({
        "stock_id": "128888000000001",
        "coupon_code": "ABCD12345678",
        "transaction_id": "4200000913202101152566792388",
        "payer_merchant": "1900000001",
        "payee_merchant": "1900000002",
        "amount": 100,
        "description": "20210115DESCRIPTION",
        "out_subsidy_no": "subsidy-abcd-12345678"
    });
    let t = "微信支付订单号";
    run_json::<CreateSubsidyPayReceiptRequest>(
        "min_len busifavor",
        &base,
        no_path_params,
        vec![
            jcase(
                "28 digits",
                |j| j["transaction_id"] = json!(digits(28)),
                vec![],
            ),
            jcase(
                "27 digits",
                |j| j["transaction_id"] = json!(digits(27)),
                vec![viol(
                    "transaction_id",
                    Rule::MinLength,
                    "27 characters, at least 28",
                    t,
                )],
            ),
            jcase(
                "32 digits",
                |j| j["transaction_id"] = json!(digits(32)),
                vec![],
            ),
            jcase(
                "33 digits",
                |j| j["transaction_id"] = json!(digits(33)),
                vec![viol(
                    "transaction_id",
                    Rule::MaxLength,
                    "33 characters, at most 32",
                    t,
                )],
            ),
            jcase(
                "coupon_code 1 (min 1)",
                |j| j["coupon_code"] = json!("A"),
                vec![],
            ),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Required strings: empty is "required, but empty" and nothing else
// ---------------------------------------------------------------------------------------------

#[test]
fn required_empty_strings() {
    let req =
        |path: &str, title: &'static str| viol(path, Rule::Required, "required, but empty", title);
    run(
        "required favor",
        &stock(),
        vec![
            case(
                "stock_name",
                |r| r.stock_name.clear(),
                vec![req("stock_name", "批次名称")],
            ),
            case(
                "belong_merchant",
                |r| r.belong_merchant.clear(),
                vec![req("belong_merchant", "归属商户号")],
            ),
            case(
                "available_begin_time: no rfc3339 or time-window violation",
                |r| r.available_begin_time = "".into(),
                vec![req("available_begin_time", "可用时间-开始时间")],
            ),
            case(
                "available_end_time",
                |r| r.available_end_time = "".into(),
                vec![req("available_end_time", "可用时间-结束时间")],
            ),
            case(
                "out_request_no: no charset violation",
                |r| r.out_request_no.clear(),
                vec![req("out_request_no", "商户单据号")],
            ),
            case(
                "pattern_info.description (required inside an optional object)",
                |r| r.pattern_info.as_mut().unwrap().description.clear(),
                vec![req("pattern_info.description", "使用说明")],
            ),
            case(
                "whitespace is not empty",
                |r| r.stock_name = " ".into(),
                vec![],
            ),
        ],
    );
    run(
        "required list_stocks",
        &list(),
        vec![case(
            "stock_creator_mchid",
            |r| r.stock_creator_mchid.clear(),
            vec![req("stock_creator_mchid", "创建批次的商户号")],
        )],
    );
    let base = json!({"out_request_no": "34657_20250101_123456", "brand_id": "120344"});
    fn ids(r: &mut ModifyStockBundleRequest) {
        r.product_coupon_id = "200000001".into();
        r.stock_bundle_id = "123456789".into();
    }
    run_json::<ModifyStockBundleRequest>(
        "required product_coupon",
        &base,
        ids,
        vec![jcase(
            "brand_id",
            |j| j["brand_id"] = json!(""),
            vec![req("brand_id", "品牌ID")],
        )],
    );
    // Path parameters are checked too.
    let mut r: ModifyStockBundleRequest = serde_json::from_value(base).unwrap();
    r.stock_bundle_id = "123456789".into();
    assert_eq!(
        violations(&r),
        vec![req("product_coupon_id", "商品券ID")],
        "empty path parameter"
    );
}

// ---------------------------------------------------------------------------------------------
// Charset
// ---------------------------------------------------------------------------------------------

#[test]
fn charset() {
    let cs = |c: &str| {
        viol(
            "out_request_no",
            Rule::Charset,
            format!("contains {c}; allowed: ASCII letters, digits, |, _, *, -"),
            "商户单据号",
        )
    };
    run(
        "charset favor out_request_no",
        &stock(),
        vec![
            case(
                "every allowed punctuation",
                |r| r.out_request_no = "AZaz09|_*-".into(),
                vec![],
            ),
            case("only digits", |r| r.out_request_no = digits(30), vec![]),
            case(
                "'#'",
                |r| r.out_request_no = "order#1".into(),
                vec![cs("'#'")],
            ),
            case(
                "full-width letter",
                |r| r.out_request_no = "ＡＢＣ123".into(),
                vec![cs("'Ａ'")],
            ),
            case(
                "full-width digit",
                |r| r.out_request_no = "abc１".into(),
                vec![cs("'１'")],
            ),
            case(
                "汉字",
                |r| r.out_request_no = "订单1".into(),
                vec![cs("'订'")],
            ),
            case(
                "space",
                |r| r.out_request_no = "a b".into(),
                vec![cs("' '")],
            ),
            case(
                "'.' then '#': only the first is reported",
                |r| r.out_request_no = "a.b#c".into(),
                vec![cs("'.'")],
            ),
            case(
                "too long and a bad character: both, length first",
                |r| r.out_request_no = letters(128) + "#",
                vec![
                    viol(
                        "out_request_no",
                        Rule::MaxLength,
                        "129 characters, at most 128",
                        "商户单据号",
                    ),
                    cs("'#'"),
                ],
            ),
        ],
    );

    let base = json!({"coupon_code_list": ["ABC9588200", "ABC9588201"], "upload_request_no": "100002322019090134234sfdf"});
    fn sid(r: &mut UploadCouponCodesRequest) {
        r.stock_id = "98065001".into();
    }
    run_json::<UploadCouponCodesRequest>(
        "charset busifavor coupon codes",
        &base,
        sid,
        vec![
            jcase(
                "space, - _ \\ / = |",
                |j| j["coupon_code_list"][1] = json!("AB 12-_\\/=|z"),
                vec![],
            ),
            jcase(
                "tab",
                |j| j["coupon_code_list"][1] = json!("ab\tc"),
                vec![viol(
                    "coupon_code_list[1]",
                    Rule::Charset,
                    "contains '\\t'; allowed: digits, ASCII letters,  , -, _, \\, /, =, |",
                    "券code列表",
                )],
            ),
            jcase(
                "'*' (allowed for out_request_no elsewhere, not here)",
                |j| j["coupon_code_list"][0] = json!("ab*c"),
                vec![viol(
                    "coupon_code_list[0]",
                    Rule::Charset,
                    "contains '*'; allowed: digits, ASCII letters,  , -, _, \\, /, =, |",
                    "券code列表",
                )],
            ),
        ],
    );

    let base = json!({"out_request_no": "34657_20250101_123456", "brand_id": "120344"});
    fn ids(r: &mut ModifyStockBundleRequest) {
        r.product_coupon_id = "200000001".into();
        r.stock_bundle_id = "123456789".into();
    }
    run_json::<ModifyStockBundleRequest>(
        "charset product_coupon",
        &base,
        ids,
        vec![jcase(
            "'|' (allowed for 代金券 out_request_no, not here)",
            |j| j["out_request_no"] = json!("abc|def"),
            vec![viol(
                "out_request_no",
                Rule::Charset,
                "contains '|'; allowed: digits, ASCII letters, _, -",
                "修改请求单号",
            )],
        )],
    );
}

// ---------------------------------------------------------------------------------------------
// Forbidden characters in stock_name: _ , ; |
// ---------------------------------------------------------------------------------------------

#[test]
fn forbidden_chars() {
    let fc = |c: &str| {
        viol(
            "stock_name",
            Rule::ForbiddenChars,
            format!("contains {c}, which is not allowed (forbidden: _ , ; |)"),
            "批次名称",
        )
    };
    run(
        "forbidden_chars",
        &stock(),
        vec![
            case("'_'", |r| r.stock_name = "批次_1".into(), vec![fc("'_'")]),
            case("','", |r| r.stock_name = "批次,1".into(), vec![fc("','")]),
            case("';'", |r| r.stock_name = "批次;1".into(), vec![fc("';'")]),
            case("'|'", |r| r.stock_name = "批次|1".into(), vec![fc("'|'")]),
            case(
                "'|' at the very end",
                |r| r.stock_name = han(19) + "|",
                vec![fc("'|'")],
            ),
            case(
                "full-width ，；｜ are other characters",
                |r| r.stock_name = "批次，；｜".into(),
                vec![],
            ),
            case(
                "other punctuation is not forbidden",
                |r| r.stock_name = "批次-#!@ 1".into(),
                vec![],
            ),
            case(
                "several: only the first is reported",
                |r| r.stock_name = "a;b_c|".into(),
                vec![fc("';'")],
            ),
            case(
                "21 characters with a '|': length, then forbidden",
                |r| r.stock_name = han(20) + "|",
                vec![
                    viol(
                        "stock_name",
                        Rule::MaxLength,
                        "21 characters, at most 20",
                        "批次名称",
                    ),
                    fc("'|'"),
                ],
            ),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Integer ranges
// ---------------------------------------------------------------------------------------------

#[test]
fn integer_ranges_list_stocks() {
    run(
        "integers list_stocks",
        &list(),
        vec![
            case("limit 1", |r| r.limit = 1, vec![]),
            case("limit 10", |r| r.limit = 10, vec![]),
            case(
                "limit 11",
                |r| r.limit = 11,
                vec![viol("limit", Rule::Maximum, "11, at most 10", "分页大小")],
            ),
            case(
                "limit 0",
                |r| r.limit = 0,
                vec![viol("limit", Rule::Minimum, "0, at least 1", "分页大小")],
            ),
            case(
                "limit -5",
                |r| r.limit = -5,
                vec![viol("limit", Rule::Minimum, "-5, at least 1", "分页大小")],
            ),
            case(
                "limit i64::MAX",
                |r| r.limit = i64::MAX,
                vec![viol(
                    "limit",
                    Rule::Maximum,
                    "9223372036854775807, at most 10",
                    "分页大小",
                )],
            ),
            case("offset 0", |r| r.offset = 0, vec![]),
            case("offset i64::MAX", |r| r.offset = i64::MAX, vec![]),
            case(
                "offset -1",
                |r| r.offset = -1,
                vec![viol("offset", Rule::Minimum, "-1, at least 0", "分页页码")],
            ),
            case(
                "offset i64::MIN",
                |r| r.offset = i64::MIN,
                vec![viol(
                    "offset",
                    Rule::Minimum,
                    "-9223372036854775808, at least 0",
                    "分页页码",
                )],
            ),
            case(
                "offset -1 and limit 11: both, in field order",
                |r| {
                    r.offset = -1;
                    r.limit = 11;
                },
                vec![
                    viol("offset", Rule::Minimum, "-1, at least 0", "分页页码"),
                    viol("limit", Rule::Maximum, "11, at most 10", "分页大小"),
                ],
            ),
        ],
    );
}

#[test]
fn integer_ranges_nested() {
    let fixed = "coupon_use_rule.coupon_available_time.fix_available_time";
    run(
        "integers favor nested",
        &stock(),
        vec![
            case(
                "max_coupons 1",
                |r| r.stock_use_rule.max_coupons = 1,
                vec![],
            ),
            case(
                "max_coupons 0",
                |r| r.stock_use_rule.max_coupons = 0,
                vec![viol(
                    "stock_use_rule.max_coupons",
                    Rule::Minimum,
                    "0, at least 1",
                    "发放总上限",
                )],
            ),
            case("max_amount 0", |r| r.stock_use_rule.max_amount = 0, vec![]),
            case(
                "max_amount -1",
                |r| r.stock_use_rule.max_amount = -1,
                vec![viol(
                    "stock_use_rule.max_amount",
                    Rule::Minimum,
                    "-1, at least 0",
                    "总预算",
                )],
            ),
            case(
                "max_amount_by_day -1",
                |r| r.stock_use_rule.max_amount_by_day = Some(-1),
                vec![viol(
                    "stock_use_rule.max_amount_by_day",
                    Rule::Minimum,
                    "-1, at least 0",
                    "单天预算发放上限",
                )],
            ),
            case(
                "max_coupons_per_user 0",
                |r| r.stock_use_rule.max_coupons_per_user = 0,
                vec![viol(
                    "stock_use_rule.max_coupons_per_user",
                    Rule::Minimum,
                    "0, at least 1",
                    "单个用户可领个数",
                )],
            ),
            case(
                "fix_available_time.end_time 86400",
                |r| fix_time(r).end_time = Some(86_400),
                vec![],
            ),
            case(
                "fix_available_time.end_time 86401",
                |r| fix_time(r).end_time = Some(86_401),
                vec![viol(
                    &format!("{fixed}.end_time"),
                    Rule::Maximum,
                    "86401, at most 86400",
                    "当天结束时间",
                )],
            ),
            case(
                "fix_available_time.begin_time -1",
                |r| fix_time(r).begin_time = Some(-1),
                vec![viol(
                    &format!("{fixed}.begin_time"),
                    Rule::Minimum,
                    "-1, at least 0",
                    "当天开始时间",
                )],
            ),
            case(
                "fixed_normal_coupon.coupon_amount -1",
                |r| {
                    r.coupon_use_rule
                        .fixed_normal_coupon
                        .as_mut()
                        .unwrap()
                        .coupon_amount = Some(-1)
                },
                vec![viol(
                    "coupon_use_rule.fixed_normal_coupon.coupon_amount",
                    Rule::Minimum,
                    "-1, at least 0",
                    "面额",
                )],
            ),
        ],
    );
    run_json::<CreateStockRequest>(
        "integers busifavor",
        &busifavor_stock_json(),
        no_path_params,
        vec![
            jcase(
                "max_coupons_per_user 100",
                |j| j["stock_send_rule"]["max_coupons_per_user"] = json!(100),
                vec![],
            ),
            jcase(
                "max_coupons_per_user 101",
                |j| j["stock_send_rule"]["max_coupons_per_user"] = json!(101),
                vec![viol(
                    "stock_send_rule.max_coupons_per_user",
                    Rule::Maximum,
                    "101, at most 100",
                    "用户最大可领个数",
                )],
            ),
            jcase(
                "max_coupons 1000000000",
                |j| j["stock_send_rule"]["max_coupons"] = json!(1_000_000_000),
                vec![],
            ),
            jcase(
                "max_coupons 1000000001",
                |j| j["stock_send_rule"]["max_coupons"] = json!(1_000_000_001i64),
                vec![viol(
                    "stock_send_rule.max_coupons",
                    Rule::Maximum,
                    "1000000001, at most 1000000000",
                    "批次最大发放个数",
                )],
            ),
            jcase(
                "discount_amount 0",
                |j| j["coupon_use_rule"]["fixed_normal_coupon"]["discount_amount"] = json!(0),
                vec![viol(
                    "coupon_use_rule.fixed_normal_coupon.discount_amount",
                    Rule::Minimum,
                    "0, at least 1",
                    "优惠金额",
                )],
            ),
        ],
    );
}

fn fix_time(r: &mut CreateCouponStockRequest) -> &mut FixedAvailableTime {
    r.coupon_use_rule
        .coupon_available_time
        .as_mut()
        .unwrap()
        .fix_available_time
        .as_mut()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Arrays: item rules at index paths, min/max items
// ---------------------------------------------------------------------------------------------

#[test]
fn array_items_favor() {
    let tag = |i: usize, n: usize| {
        viol(
            &format!("coupon_use_rule.goods_tag[{i}]"),
            Rule::MaxLength,
            format!("{n} characters, at most 128"),
            "订单优惠标记",
        )
    };
    let week = "coupon_use_rule.coupon_available_time.fix_available_time.available_week_day";
    run(
        "arrays favor",
        &stock(),
        vec![
            case(
                "goods_tag[2] 128",
                |r| r.coupon_use_rule.goods_tag = Some(vec!["a".into(), "b".into(), han(128)]),
                vec![],
            ),
            case(
                "goods_tag[2] 129",
                |r| r.coupon_use_rule.goods_tag = Some(vec!["a".into(), "b".into(), han(129)]),
                vec![tag(2, 129)],
            ),
            case(
                "goods_tag[0] and [2]",
                |r| {
                    r.coupon_use_rule.goods_tag =
                        Some(vec![letters(130), "ok".into(), letters(129)])
                },
                vec![tag(0, 130), tag(2, 129)],
            ),
            case(
                "goods_tag empty array",
                |r| r.coupon_use_rule.goods_tag = Some(vec![]),
                vec![],
            ),
            case(
                "available_merchants[1] 21",
                |r| r.coupon_use_rule.available_merchants = vec!["9856000".into(), digits(21)],
                vec![viol(
                    "coupon_use_rule.available_merchants[1]",
                    Rule::MaxLength,
                    "21 characters, at most 20",
                    "可核销商户号",
                )],
            ),
            case(
                "available_merchants empty (no min_items documented)",
                |r| r.coupon_use_rule.available_merchants = vec![],
                vec![],
            ),
            case(
                "unavailable_items set (not open)",
                |r| r.coupon_use_rule.unavailable_items = Some(vec![digits(129)]),
                vec![not_open(
                    "coupon_use_rule.unavailable_items",
                    "不参与优惠商品编码",
                )],
            ),
            case(
                "trade_type[1] unknown",
                |r| {
                    r.coupon_use_rule.trade_type =
                        Some(vec![TradeType::from("MICROAPP"), TradeType::from("SCAN")])
                },
                vec![viol(
                    "coupon_use_rule.trade_type[1]",
                    Rule::Enum,
                    "\"SCAN\" is not a documented value (expected one of MICROAPP, APPPAY, PPAY, CARD, FACE, OTHER)",
                    "指定支付模式",
                )],
            ),
            case(
                "available_week_day [0, 6]",
                |r| fix_time(r).available_week_day = Some(vec![0, 6]),
                vec![],
            ),
            case(
                "available_week_day[2] = 7",
                |r| fix_time(r).available_week_day = Some(vec![0, 6, 7]),
                vec![viol(&format!("{week}[2]"), Rule::Maximum, "7, at most 6", "可用星期数")],
            ),
            case(
                "available_week_day[0] = -1",
                |r| fix_time(r).available_week_day = Some(vec![-1]),
                vec![viol(&format!("{week}[0]"), Rule::Minimum, "-1, at least 0", "可用星期数")],
            ),
        ],
    );
}

#[test]
fn array_items_busifavor() {
    let base = json!({"coupon_code_list": ["ABC9588200"], "upload_request_no": "100002322019090134234sfdf"});
    fn sid(r: &mut UploadCouponCodesRequest) {
        r.stock_id = "98065001".into();
    }
    let t = "券code列表";
    run_json::<UploadCouponCodesRequest>(
        "min/max items",
        &base,
        sid,
        vec![
            jcase(
                "0 codes",
                |j| j["coupon_code_list"] = json!([]),
                vec![viol(
                    "coupon_code_list",
                    Rule::MinItems,
                    "0 items, at least 1",
                    t,
                )],
            ),
            jcase(
                "200 codes",
                |j| j["coupon_code_list"] = json!(vec!["CODE"; 200]),
                vec![],
            ),
            jcase(
                "201 codes",
                |j| j["coupon_code_list"] = json!(vec!["CODE"; 201]),
                vec![viol(
                    "coupon_code_list",
                    Rule::MaxItems,
                    "201 items, at most 200",
                    t,
                )],
            ),
            jcase(
                "code[3] 32 characters",
                |j| j["coupon_code_list"] = json!(["a", "b", "c", letters(32)]),
                vec![],
            ),
            jcase(
                "code[3] 33 characters",
                |j| j["coupon_code_list"] = json!(["a", "b", "c", letters(33)]),
                vec![viol(
                    "coupon_code_list[3]",
                    Rule::MaxLength,
                    "33 characters, at most 32",
                    t,
                )],
            ),
            jcase(
                "201 codes, [200] too long: count first, then the item",
                |j| {
                    let mut codes = vec![json!("CODE"); 200];
                    codes.push(json!(letters(33)));
                    j["coupon_code_list"] = Value::Array(codes);
                },
                vec![
                    viol(
                        "coupon_code_list",
                        Rule::MaxItems,
                        "201 items, at most 200",
                        t,
                    ),
                    viol(
                        "coupon_code_list[200]",
                        Rule::MaxLength,
                        "33 characters, at most 32",
                        t,
                    ),
                ],
            ),
        ],
    );

    let cat = "coupon_use_rule.coupon_available_time";
    run_json::<CreateStockRequest>(
        "nested arrays busifavor",
        &busifavor_stock_json(),
        no_path_params,
        vec![
            jcase(
                "available_day_time 3 items",
                |j| {
                    j["coupon_use_rule"]["coupon_available_time"]["available_week"]
                        ["available_day_time"]
                        .as_array_mut()
                        .unwrap()
                        .push(json!({"begin_time": 0, "end_time": 60}))
                },
                vec![viol(
                    &format!("{cat}.available_week.available_day_time"),
                    Rule::MaxItems,
                    "3 items, at most 2",
                    "当天可用时间段",
                )],
            ),
            jcase(
                "available_day_time[1].end_time 86401",
                |j| {
                    j["coupon_use_rule"]["coupon_available_time"]["available_week"]
                        ["available_day_time"][1]["end_time"] = json!(86_401)
                },
                vec![viol(
                    &format!("{cat}.available_week.available_day_time[1].end_time"),
                    Rule::Maximum,
                    "86401, at most 86400",
                    "当天可用结束时间",
                )],
            ),
            jcase(
                "week_day[4] = 7",
                |j| {
                    j["coupon_use_rule"]["coupon_available_time"]["available_week"]["week_day"][4] =
                        json!(7)
                },
                vec![viol(
                    &format!("{cat}.available_week.week_day[4]"),
                    Rule::Maximum,
                    "7, at most 6",
                    "可用星期数",
                )],
            ),
            jcase(
                "irregulary_avaliable_time[1].begin_time not RFC 3339",
                |j| {
                    j["coupon_use_rule"]["coupon_available_time"]["irregulary_avaliable_time"][1]
                        ["begin_time"] = json!("2030-03-01")
                },
                vec![viol(
                    &format!("{cat}.irregulary_avaliable_time[1].begin_time"),
                    Rule::Rfc3339,
                    "\"2030-03-01\" is not an RFC 3339 timestamp (e.g. 2015-05-20T13:29:35+08:00)",
                    "开始时间",
                )],
            ),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Enums: documented values pass, Unknown is rejected
// ---------------------------------------------------------------------------------------------

#[test]
fn enums() {
    run(
        "enums favor",
        &stock(),
        vec![
            case(
                "stock_type Unknown(\"X\")",
                |r| r.stock_type = StockType::Unknown("X".into()),
                vec![viol(
                    "stock_type",
                    Rule::Enum,
                    "\"X\" is not a documented value (expected one of NORMAL)",
                    "批次类型",
                )],
            ),
            case(
                "stock_type \"normal\" (case matters)",
                |r| r.stock_type = StockType::from("normal"),
                vec![viol(
                    "stock_type",
                    Rule::Enum,
                    "\"normal\" is not a documented value (expected one of NORMAL)",
                    "批次类型",
                )],
            ),
            case(
                "stock_type DISCOUNT (a 商家券 value, not a 代金券 one)",
                |r| r.stock_type = StockType::from("DISCOUNT"),
                vec![viol(
                    "stock_type",
                    Rule::Enum,
                    "\"DISCOUNT\" is not a documented value (expected one of NORMAL)",
                    "批次类型",
                )],
            ),
            case(
                "background_color COLOR102",
                |r| r.pattern_info.as_mut().unwrap().background_color = Some("COLOR102".into()),
                vec![],
            ),
            case(
                "background_color COLOR999",
                |r| r.pattern_info.as_mut().unwrap().background_color = Some("COLOR999".into()),
                vec![viol(
                    "pattern_info.background_color",
                    Rule::Enum,
                    "\"COLOR999\" is not a documented value (expected one of COLOR010, COLOR020, COLOR030, COLOR040, COLOR050, COLOR060, COLOR070, COLOR080, COLOR081, COLOR082, COLOR090, COLOR100, COLOR101, COLOR102)",
                    "背景颜色",
                )],
            ),
            case(
                "jump_target H5: enum only (no conditional)",
                |r| r.pattern_info.as_mut().unwrap().jump_target = Some("H5".into()),
                vec![viol(
                    "pattern_info.jump_target",
                    Rule::Enum,
                    "\"H5\" is not a documented value (expected one of PAYMENT_CODE, MINI_PROGRAM, DEFAULT_PAGE)",
                    "卡包跳转目标",
                )],
            ),
        ],
    );
    run(
        "enums list_stocks",
        &list(),
        vec![
            case(
                "status stoped (sic)",
                |r| r.status = Some(StockStatus::from("stoped")),
                vec![],
            ),
            case(
                "status STOPPED",
                |r| r.status = Some(StockStatus::from("STOPPED")),
                vec![viol(
                    "status",
                    Rule::Enum,
                    "\"STOPPED\" is not a documented value (expected one of unactivated, audit, running, stoped, paused)",
                    "批次状态",
                )],
            ),
        ],
    );
    run_json::<CreateStockRequest>(
        "enums busifavor (values from the wire)",
        &busifavor_stock_json(),
        no_path_params,
        vec![
            jcase(
                "COLOR020 is not busifavor's Color020",
                |j| j["display_pattern_info"]["background_color"] = json!("COLOR020"),
                vec![viol(
                    "display_pattern_info.background_color",
                    Rule::Enum,
                    "\"COLOR020\" is not a documented value (expected one of Color010, Color020, Color030, Color040, Color050, Color060, Color070, Color080, Color090, Color100)",
                    "背景颜色",
                )],
            ),
            jcase(
                "coupon_code_mode unknown",
                |j| j["coupon_code_mode"] = json!("MERCHANT_MODE"),
                vec![viol(
                    "coupon_code_mode",
                    Rule::Enum,
                    "\"MERCHANT_MODE\" is not a documented value (expected one of WECHATPAY_MODE, MERCHANT_API, MERCHANT_UPLOAD)",
                    "券code模式",
                )],
            ),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// RFC 3339
// ---------------------------------------------------------------------------------------------

fn rfc(path: &str, raw: &str, title: &'static str) -> Got {
    viol(
        path,
        Rule::Rfc3339,
        format!("{raw:?} is not an RFC 3339 timestamp (e.g. 2015-05-20T13:29:35+08:00)"),
        title,
    )
}

#[test]
fn rfc3339() {
    assert_eq!(
        parse_rfc3339(&at(0)),
        Some(NOW),
        "NOW is 2030-01-01T00:00:00+08:00"
    );
    let base = stock();
    let end_title = "可用时间-结束时间";
    let valid = [
        at(10 * DAY),
        ts_in(NOW + 10 * DAY, 480, ".120"),
        ts_in(NOW + 10 * DAY, 480, ".123456789"),
        ts_in(NOW + 10 * DAY, 0, ""),
        ts_in(NOW + 10 * DAY, -300, ".5"),
        ts_in(NOW + 10 * DAY, 345, ""),
        "2030-01-11t00:00:00z".to_string(),
    ];
    for s in valid {
        let mut r = base.clone();
        r.available_end_time = s.clone().into();
        assert_eq!(violations(&r), vec![], "valid end time {s}");
    }
    let invalid = [
        "2025-01-01T00:00+08:00",
        "2030-01-11T00:00+08:00",
        "2030-01-11 00:00:00+08:00",
        "2030-01-11T00:00:00",
        "2030-01-11T00:00:00+0800",
        "2030-01-11T00:00:00.+08:00",
        "2030-01-11",
        "2030-02-30T00:00:00+08:00",
        "2030-01-11T24:00:00+08:00",
        "2030-01-11T00:00:00+08:00 ",
        "２030-01-11T00:00:00+08:00",
        "1893513600",
    ];
    for s in invalid {
        let mut r = base.clone();
        r.available_end_time = s.to_string().into();
        assert_eq!(
            violations(&r),
            vec![rfc("available_end_time", s, end_title)],
            "invalid end time {s}"
        );
    }
    // A malformed begin time is one violation: the time-window rules need a parsed time.
    let mut r = base.clone();
    r.available_begin_time = "2025-01-01T00:00+08:00".into();
    assert_eq!(
        violations(&r),
        vec![rfc(
            "available_begin_time",
            "2025-01-01T00:00+08:00",
            "可用时间-开始时间"
        )]
    );

    run(
        "rfc3339 list_stocks (past times are fine here)",
        &list(),
        vec![
            case(
                "create_start_time with a fraction",
                |r| r.create_start_time = Some("2015-05-20T13:29:35.120+08:00".into()),
                vec![],
            ),
            case(
                "create_start_time without seconds",
                |r| r.create_start_time = Some("2015-05-20T13:29+08:00".into()),
                vec![rfc(
                    "create_start_time",
                    "2015-05-20T13:29+08:00",
                    "起始时间",
                )],
            ),
            case(
                "create_end_time with a space",
                |r| r.create_end_time = Some("2015-05-20 13:29:35+08:00".into()),
                vec![rfc(
                    "create_end_time",
                    "2015-05-20 13:29:35+08:00",
                    "终止时间",
                )],
            ),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Conditional rules: required_when, exactly_one_of, at_most_one_of
// ---------------------------------------------------------------------------------------------

#[test]
fn required_when_favor() {
    let appid = viol(
        "pattern_info.mini_program_appid",
        Rule::Conditional,
        "required when jump_target is MINI_PROGRAM",
        "小程序appid",
    );
    let path = viol(
        "pattern_info.mini_program_path",
        Rule::Conditional,
        "required when jump_target is MINI_PROGRAM",
        "小程序path",
    );
    fn pi(r: &mut CreateCouponStockRequest) -> &mut PatternInfo {
        r.pattern_info.as_mut().unwrap()
    }
    run(
        "required_when favor",
        &stock(),
        vec![
            case(
                "MINI_PROGRAM without appid and path",
                |r| pi(r).jump_target = Some("MINI_PROGRAM".into()),
                vec![appid.clone(), path.clone()],
            ),
            case(
                "MINI_PROGRAM with appid only",
                |r| {
                    pi(r).jump_target = Some("MINI_PROGRAM".into());
                    pi(r).mini_program_appid = Some("wx23232232323".into());
                },
                vec![path.clone()],
            ),
            case(
                "MINI_PROGRAM with path only",
                |r| {
                    pi(r).jump_target = Some("MINI_PROGRAM".into());
                    pi(r).mini_program_path = Some("/path/index/index".into());
                },
                vec![appid.clone()],
            ),
            case(
                "MINI_PROGRAM with both",
                |r| {
                    pi(r).jump_target = Some("MINI_PROGRAM".into());
                    pi(r).mini_program_appid = Some("wx23232232323".into());
                    pi(r).mini_program_path = Some("/path/index/index".into());
                },
                vec![],
            ),
            case(
                "MINI_PROGRAM with empty strings: empty is missing",
                |r| {
                    pi(r).jump_target = Some("MINI_PROGRAM".into());
                    pi(r).mini_program_appid = Some(String::new());
                    pi(r).mini_program_path = Some(String::new());
                },
                vec![appid.clone(), path.clone()],
            ),
            case(
                "DEFAULT_PAGE without appid and path",
                |r| pi(r).jump_target = Some("DEFAULT_PAGE".into()),
                vec![],
            ),
            case("no jump_target", |r| pi(r).jump_target = None, vec![]),
            case(
                "stock_type NORMAL without coupon_use_rule.fixed_normal_coupon",
                |r| r.coupon_use_rule.fixed_normal_coupon = None,
                vec![viol(
                    "coupon_use_rule.fixed_normal_coupon",
                    Rule::Conditional,
                    "required when stock_type is NORMAL",
                    "固定面额满减券使用规则",
                )],
            ),
            case(
                "unknown stock_type without fixed_normal_coupon: only the enum violation",
                |r| {
                    r.stock_type = StockType::from("X");
                    r.coupon_use_rule.fixed_normal_coupon = None;
                },
                vec![viol(
                    "stock_type",
                    Rule::Enum,
                    "\"X\" is not a documented value (expected one of NORMAL)",
                    "批次类型",
                )],
            ),
        ],
    );
}

#[test]
fn conditional_busifavor() {
    // Reported at the second field set (one too many), or at the first listed when none is.
    let one_of = |at: &str, title: &'static str, found: &str| {
        viol(
            &format!("coupon_use_rule.{at}"),
            Rule::Conditional,
            format!(
                "exactly one of fixed_normal_coupon, discount_coupon, exchange_coupon must be set, found {found}"
            ),
            title,
        )
    };
    run_json::<CreateStockRequest>(
        "exactly_one_of / required_when busifavor",
        &busifavor_stock_json(),
        no_path_params,
        vec![
            jcase(
                "NORMAL with none of the three",
                |j| {
                    j["coupon_use_rule"]
                        .as_object_mut()
                        .unwrap()
                        .remove("fixed_normal_coupon");
                },
                vec![
                    one_of("fixed_normal_coupon", "固定面额满减券使用规则", "none"),
                    viol(
                        "coupon_use_rule.fixed_normal_coupon",
                        Rule::Conditional,
                        "required when stock_type is NORMAL",
                        "固定面额满减券使用规则",
                    ),
                ],
            ),
            jcase(
                "NORMAL with fixed_normal_coupon and discount_coupon",
                |j| {
                    j["coupon_use_rule"]["discount_coupon"] =
                        json!({"discount_percent": 88, "transaction_minimum": 0})
                },
                vec![one_of(
                    "discount_coupon",
                    "折扣券使用规则",
                    "fixed_normal_coupon, discount_coupon",
                )],
            ),
            jcase(
                "DISCOUNT with fixed_normal_coupon only",
                |j| j["stock_type"] = json!("DISCOUNT"),
                vec![viol(
                    "coupon_use_rule.discount_coupon",
                    Rule::Conditional,
                    "required when stock_type is DISCOUNT",
                    "折扣券使用规则",
                )],
            ),
            jcase(
                "DISCOUNT with discount_coupon (percent 100)",
                |j| {
                    j["stock_type"] = json!("DISCOUNT");
                    let rule = j["coupon_use_rule"].as_object_mut().unwrap();
                    rule.remove("fixed_normal_coupon");
                    rule.insert(
                        "discount_coupon".into(),
                        json!({"discount_percent": 100, "transaction_minimum": 0}),
                    );
                },
                vec![],
            ),
            jcase(
                "DISCOUNT with discount_percent 101",
                |j| {
                    j["stock_type"] = json!("DISCOUNT");
                    let rule = j["coupon_use_rule"].as_object_mut().unwrap();
                    rule.remove("fixed_normal_coupon");
                    rule.insert(
                        "discount_coupon".into(),
                        json!({"discount_percent": 101, "transaction_minimum": 0}),
                    );
                },
                vec![viol(
                    "coupon_use_rule.discount_coupon.discount_percent",
                    Rule::Maximum,
                    "101, at most 100",
                    "折扣比例",
                )],
            ),
            jcase(
                "EXCHANGE with exchange_coupon",
                |j| {
                    j["stock_type"] = json!("EXCHANGE");
                    let rule = j["coupon_use_rule"].as_object_mut().unwrap();
                    rule.remove("fixed_normal_coupon");
                    rule.insert(
                        "exchange_coupon".into(),
                        json!({"exchange_price": 0, "transaction_minimum": 100}),
                    );
                },
                vec![],
            ),
        ],
    );

    let base = json!({"target_max_coupons": 3000, "current_max_coupons": 500, "modify_budget_request_no": "1002600620019090123143254436"});
    fn sid(r: &mut ModifyBudgetRequest) {
        r.stock_id = "98065001".into();
    }
    run_json::<ModifyBudgetRequest>(
        "required_when greater_than busifavor modify_budget",
        &base,
        sid,
        vec![
            jcase(
                "target without the current value",
                |j| {
                    j.as_object_mut().unwrap().remove("current_max_coupons");
                },
                vec![viol(
                    "current_max_coupons",
                    Rule::Conditional,
                    "required when target_max_coupons is greater than 0",
                    "当前批次最大发放个数",
                )],
            ),
            jcase(
                "target 0 needs no current value",
                |j| {
                    j.as_object_mut().unwrap().remove("current_max_coupons");
                    j["target_max_coupons"] = json!(0);
                },
                vec![],
            ),
            jcase(
                "daily target without its current value",
                |j| j["target_max_coupons_by_day"] = json!(100),
                vec![viol(
                    "current_max_coupons_by_day",
                    Rule::Conditional,
                    "required when target_max_coupons_by_day is greater than 0",
                    "当前单天发放上限个数",
                )],
            ),
            jcase(
                "both targets with their current values (the page's newest example)",
                |j| {
                    j["target_max_coupons_by_day"] = json!(100);
                    j["current_max_coupons_by_day"] = json!(50);
                },
                vec![],
            ),
            jcase(
                "neither target",
                |j| {
                    let o = j.as_object_mut().unwrap();
                    o.remove("target_max_coupons");
                    o.remove("current_max_coupons");
                },
                vec![],
            ),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Time windows (FixedClock at NOW)
// ---------------------------------------------------------------------------------------------

fn with_times(begin: String, end: String) -> CreateCouponStockRequest {
    let mut r = stock();
    r.available_begin_time = begin.into();
    r.available_end_time = end.into();
    r
}

#[test]
fn time_windows_favor() {
    let begin_t = "可用时间-开始时间";
    let end_t = "可用时间-结束时间";
    let past = |raw: &str| {
        viol(
            "available_begin_time",
            Rule::TimeWindow,
            format!("{raw} is before the current time"),
            begin_t,
        )
    };
    let ahead = |days: i64| {
        viol(
            "available_begin_time",
            Rule::TimeWindow,
            format!("{days} days from now, at most 365"),
            begin_t,
        )
    };
    let span = |days: i64| {
        viol(
            "available_end_time",
            Rule::TimeWindow,
            format!("{days} days after available_begin_time, at most 90"),
            end_t,
        )
    };
    let before = viol(
        "available_end_time",
        Rule::TimeWindow,
        "before available_begin_time",
        end_t,
    );
    let year = 365 * DAY;
    let cases: Vec<(&str, String, String, Vec<Got>)> = vec![
        ("begin exactly now", at(0), at(DAY), vec![]),
        (
            "begin exactly now, written in UTC",
            ts_in(NOW, 0, ""),
            at(DAY),
            vec![],
        ),
        (
            "begin 1 s in the past",
            at(-1),
            at(DAY),
            vec![past(&at(-1))],
        ),
        (
            "begin 1 s in the past, written in UTC",
            ts_in(NOW - 1, 0, ""),
            at(DAY),
            vec![past(&ts_in(NOW - 1, 0, ""))],
        ),
        (
            "begin 0.001 s in the past",
            ts_in(NOW - 1, 480, ".999"),
            at(DAY),
            vec![past(&ts_in(NOW - 1, 480, ".999"))],
        ),
        (
            "begin 0.5 s in the future",
            ts_in(NOW, 480, ".5"),
            at(DAY),
            vec![],
        ),
        (
            "begin a year in the past (span still checked)",
            at(-year),
            at(-year + DAY),
            vec![past(&at(-year))],
        ),
        ("begin 365 days ahead", at(year), at(year + DAY), vec![]),
        (
            "begin 365 days + 1 s ahead",
            at(year + 1),
            at(year + DAY),
            vec![ahead(366)],
        ),
        (
            "begin 366 days ahead",
            at(year + DAY),
            at(year + 2 * DAY),
            vec![ahead(366)],
        ),
        (
            "begin 400 days ahead",
            at(400 * DAY),
            at(401 * DAY),
            vec![ahead(400)],
        ),
        ("span 0 (end == begin)", at(DAY), at(DAY), vec![]),
        ("span 90 days", at(DAY), at(91 * DAY), vec![]),
        (
            "span 90 days, end written in another offset",
            at(DAY),
            ts_in(NOW + 91 * DAY, -300, ""),
            vec![],
        ),
        (
            "span 90 days + 1 s",
            at(DAY),
            at(91 * DAY + 1),
            vec![span(91)],
        ),
        ("span 120 days", at(DAY), at(121 * DAY), vec![span(120)]),
        (
            "end 1 s before begin",
            at(DAY),
            at(DAY - 1),
            vec![before.clone()],
        ),
        (
            "end before begin, and begin in the past",
            at(-10),
            at(-20),
            vec![past(&at(-10)), before.clone()],
        ),
        (
            "begin in the past and span too long",
            at(-DAY),
            at(100 * DAY),
            vec![past(&at(-DAY)), span(101)],
        ),
        (
            "begin too far ahead and span too long",
            at(year + DAY),
            at(year + 92 * DAY),
            vec![ahead(366), span(91)],
        ),
    ];
    for (name, begin, end, expect) in cases {
        assert_eq!(violations(&with_times(begin, end)), expect, "{name}");
    }
}

#[test]
fn time_windows_busifavor() {
    // 商家券: no not-before-now rule, but the usable period is at most 366 days.
    let mut base = busifavor_stock_json();
    base["coupon_use_rule"]["coupon_available_time"]["available_begin_time"] = json!(at(DAY));
    base["coupon_use_rule"]["coupon_available_time"]["available_end_time"] = json!(at(2 * DAY));
    run_json::<CreateStockRequest>(
        "time windows busifavor",
        &base,
        no_path_params,
        vec![
            jcase(
                "begin in the past is fine",
                |j| {
                    j["coupon_use_rule"]["coupon_available_time"]["available_begin_time"] =
                        json!("2021-04-20T13:29:35+08:00");
                    j["coupon_use_rule"]["coupon_available_time"]["available_end_time"] =
                        json!("2021-04-25T13:29:35+08:00");
                },
                vec![],
            ),
            jcase(
                "span 366 days",
                |j| {
                    j["coupon_use_rule"]["coupon_available_time"]["available_end_time"] =
                        json!(at(367 * DAY))
                },
                vec![],
            ),
            jcase(
                "span 366 days + 1 s",
                |j| {
                    j["coupon_use_rule"]["coupon_available_time"]["available_end_time"] =
                        json!(at(367 * DAY + 1))
                },
                vec![viol(
                    "coupon_use_rule.coupon_available_time.available_end_time",
                    Rule::TimeWindow,
                    "367 days after available_begin_time, at most 366",
                    "结束时间",
                )],
            ),
            jcase(
                "end before begin",
                |j| {
                    j["coupon_use_rule"]["coupon_available_time"]["available_end_time"] =
                        json!(at(0))
                },
                vec![viol(
                    "coupon_use_rule.coupon_available_time.available_end_time",
                    Rule::TimeWindow,
                    "before available_begin_time",
                    "结束时间",
                )],
            ),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Every violation at once
// ---------------------------------------------------------------------------------------------

/// A request breaking many rules at once. Its times are in 2015, so the result does not depend
/// on the clock: `validate()` (system clock) and `validate_at(NOW)` agree.
fn broken() -> CreateCouponStockRequest {
    let mut r = stock();
    r.stock_name = han(20) + "|";
    r.comment = Some(han(61));
    r.belong_merchant.clear();
    r.available_begin_time = "2015-05-20T13:29:35.120+08:00".into();
    r.available_end_time = "2015-09-20T13:29:35.120+08:00".into();
    r.stock_use_rule.max_coupons = 0;
    let pi = r.pattern_info.as_mut().unwrap();
    pi.jump_target = Some("MINI_PROGRAM".into());
    r.coupon_use_rule.fixed_normal_coupon = None;
    r.coupon_use_rule.goods_tag = Some(vec!["ok".into(), letters(129)]);
    r.coupon_use_rule.trade_type = Some(vec![TradeType::from("SCAN")]);
    r.out_request_no = "订单#1".into();
    r.ext_info = Some(letters(129));
    r
}

/// What `validate` reports for [`broken`]: the field checks in field order (nested objects'
/// own rules at the end of that object), then the request-level rules in rule order.
fn broken_expected() -> Vec<Got> {
    vec![
        viol("stock_name", Rule::MaxLength, "21 characters, at most 20", "批次名称"),
        viol(
            "stock_name",
            Rule::ForbiddenChars,
            "contains '|', which is not allowed (forbidden: _ , ; |)",
            "批次名称",
        ),
        viol("comment", Rule::MaxLength, "61 characters, at most 60", "批次备注"),
        viol("belong_merchant", Rule::Required, "required, but empty", "归属商户号"),
        viol(
            "available_begin_time",
            Rule::TimeWindow,
            "2015-05-20T13:29:35.120+08:00 is before the current time",
            "可用时间-开始时间",
        ),
        viol(
            "available_end_time",
            Rule::TimeWindow,
            "123 days after available_begin_time, at most 90",
            "可用时间-结束时间",
        ),
        viol(
            "stock_use_rule.max_coupons",
            Rule::Minimum,
            "0, at least 1",
            "发放总上限",
        ),
        viol(
            "pattern_info.mini_program_appid",
            Rule::Conditional,
            "required when jump_target is MINI_PROGRAM",
            "小程序appid",
        ),
        viol(
            "pattern_info.mini_program_path",
            Rule::Conditional,
            "required when jump_target is MINI_PROGRAM",
            "小程序path",
        ),
        viol(
            "coupon_use_rule.goods_tag[1]",
            Rule::MaxLength,
            "129 characters, at most 128",
            "订单优惠标记",
        ),
        viol(
            "coupon_use_rule.trade_type[0]",
            Rule::Enum,
            "\"SCAN\" is not a documented value (expected one of MICROAPP, APPPAY, PPAY, CARD, FACE, OTHER)",
            "指定支付模式",
        ),
        viol(
            "coupon_use_rule.fixed_normal_coupon",
            Rule::Conditional,
            "required when stock_type is NORMAL",
            "固定面额满减券使用规则",
        ),
        viol(
            "out_request_no",
            Rule::Charset,
            "contains '订'; allowed: ASCII letters, digits, |, _, *, -",
            "商户单据号",
        ),
        not_open("ext_info", "扩展属性"),
    ]
}

#[test]
fn validate_reports_every_violation_at_once() {
    let r = broken();
    let expected = broken_expected();
    assert_eq!(violations(&r), expected, "validate_at(NOW)");

    let errors = r.validate().expect_err("the system clock is after 2015");
    let got: Vec<Got> = errors
        .violations()
        .iter()
        .map(|v| (v.path.clone(), v.rule, v.message.clone(), v.title))
        .collect();
    assert_eq!(got, expected, "validate() with the system clock");

    let text = errors.to_string();
    assert!(
        text.starts_with("request failed validation (14 violations)\n  - stock_name: 21 characters, at most 20 (【批次名称】)\n"),
        "{text}"
    );
    assert_eq!(
        errors.violations()[0].to_string(),
        "stock_name: 21 characters, at most 20 (【批次名称】)"
    );
    // A violation without a documented title has no 【】 suffix.
    let mut r = stock();
    fix_time(&mut r).end_time = Some(86_401);
    let errors = r.validate_at(&FixedClock(NOW)).unwrap_err();
    assert_eq!(
        errors.to_string(),
        "request failed validation (1 violation)\n  - coupon_use_rule.coupon_available_time.fix_available_time.end_time: 86401, at most 86400 (【当天结束时间】)"
    );
}

#[test]
fn spec_examples_validate() {
    // The documented 商家券 example (2021 dates: no not-before-now rule there) is valid.
    let example = json!({
        "stock_name": "8月1日活动券", "belong_merchant": "1900008361", "comment": "活动使用",
        "goods_name": "填写代金券可适用的商品或服务", "stock_type": "NORMAL",
        "coupon_use_rule": {
            "coupon_available_time": {
                "available_begin_time": "2021-04-20T13:29:35+08:00",
                "available_end_time": "2021-04-25T13:29:35+08:00",
                "available_day_after_receive": 3, "wait_days_after_receive": 7
            },
            "fixed_normal_coupon": {"discount_amount": 5, "transaction_minimum": 100},
            "use_method": "OFF_LINE"
        },
        "stock_send_rule": {
            "max_coupons": 100, "max_coupons_per_user": 5, "max_coupons_by_day": 100,
            "natural_person_limit": false, "prevent_api_abuse": false,
            "transferable": false, "shareable": false
        },
        "out_request_no": "100002322019090134234sfdf", "coupon_code_mode": "WECHATPAY_MODE"
    });
    let r: CreateStockRequest = serde_json::from_value(example).unwrap();
    assert_eq!(violations(&r), vec![]);
    let r: CreateStockRequest = serde_json::from_value(busifavor_stock_json()).unwrap();
    assert_eq!(violations(&r), vec![]);
}

// ---------------------------------------------------------------------------------------------
// Regressions of generator bugs found by these tests (field order, root one-of paths,
// sub-second time windows); fixed in codegen/src/emit/validate.rs
// ---------------------------------------------------------------------------------------------

#[test]
fn violations_come_in_field_order() {
    let got = violations(&broken());
    // Sort the expected list by the documented position of the top-level field of each path.
    let order = [
        "stock_name",
        "comment",
        "belong_merchant",
        "available_begin_time",
        "available_end_time",
        "stock_use_rule",
        "pattern_info",
        "coupon_use_rule",
        "no_cash",
        "stock_type",
        "out_request_no",
        "ext_info",
    ];
    let pos = |p: &str| {
        let top = p.split(['.', '[']).next().unwrap();
        order.iter().position(|f| *f == top).unwrap()
    };
    let mut expected = broken_expected();
    expected.sort_by_key(|v| pos(&v.0)); // stable: keeps the order within one field
    assert_eq!(got, expected);
}

#[test]
fn root_object_rules_report_at_a_field() {
    let mut r: ModifyBudgetRequest = serde_json::from_value(json!({
        "target_max_coupons": 3000, "current_max_coupons": 500,
        "target_max_coupons_by_day": 100,
        "modify_budget_request_no": "1002600620019090123143254436"
    }))
    .unwrap();
    r.stock_id = "98065001".into();
    let errors = r.validate_at(&FixedClock(NOW)).unwrap_err();
    let v = &errors.violations()[0];
    assert!(!v.path.is_empty(), "path of {v:?}");
    assert!(!v.to_string().starts_with(": "), "{v}");
}

#[test]
fn time_windows_count_fractions_of_a_second() {
    let r = with_times(
        ts_in(NOW + 365 * DAY, 480, ".500"),
        ts_in(NOW + 366 * DAY, 480, ".500"),
    );
    assert_eq!(violations(&r).len(), 1, "begin 365 days + 0.5 s ahead");
    let r = with_times(at(DAY), ts_in(NOW + 91 * DAY, 480, ".500"));
    assert_eq!(violations(&r).len(), 1, "span 90 days + 0.5 s");
}
