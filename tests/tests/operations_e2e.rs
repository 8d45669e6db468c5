//! End-to-end tests of generated operations against `MockWeChatPay` on 127.0.0.1, through the
//! real signing and verification path: one or more per family (代金券, 商品券, 商家券), client-side
//! validation, documented API errors and the 商家券 COUPON.SEND notification.
//!
//! Stub bodies and request bodies are the documented examples, read from `spec/` at compile
//! time, so these tests follow the spec instead of a copy of it.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use integration_tests::{
    encrypt_resource, test_client, test_client_builder, MockWeChatPay, API_V3_KEY,
};
use serde_json::{json, Value};
use wechatpay_marketing::busifavor::{
    CouponSendChannel, CouponSendEventType, CouponSendPayload, ModifyStockRequest,
    QueryUserCouponRequest, UserCoupon, COUPON_SEND_EVENT_TYPE,
};
use wechatpay_marketing::favor::{
    CouponRule, CreateCouponStockRequest, CreateCouponStockResponse, FixedValueStockMsg,
    ListStocksRequest, StockCollection, StockRule, StockStatus,
};
use wechatpay_marketing::product_coupon::{
    ModifyStockBundleRequest, ModifyStockBundleResponse, SendUserCouponRequest,
    UserProductCouponEntity,
};
use wechatpay_marketing::{
    ApiV3Key, DecryptError, Error, ErrorCode, FixedClock, NotificationError, Rule, SignatureError,
    Violation,
};

const LIST_STOCKS_YAML: &str = include_str!("../../spec/favor/list_stocks.yaml");
const SEND_USER_COUPON_YAML: &str = include_str!("../../spec/product_coupon/send_user_coupon.yaml");
const MODIFY_STOCK_BUNDLE_YAML: &str =
    include_str!("../../spec/product_coupon/modify_stock_bundle.yaml");
const MODIFY_STOCK_YAML: &str = include_str!("../../spec/busifavor/modify_stock.yaml");
const COUPON_SEND_YAML: &str = include_str!("../../spec/busifavor/coupon_send_notification.yaml");

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The `body: |` block of the first example in `yaml` whose `kind` is `kind` (and whose
/// `title` is `title`, when given), without its indentation.
fn spec_example(yaml: &str, kind: &str, title: Option<&str>) -> String {
    let lines: Vec<&str> = yaml.lines().collect();
    let inside = |line: &str, outer: usize| line.trim().is_empty() || indent(line) > outer;
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != format!("- kind: {kind}") {
            i += 1;
            continue;
        }
        let item = indent(lines[i]);
        let mut title_ok = title.is_none();
        let mut body = None;
        let mut j = i + 1;
        while j < lines.len() && inside(lines[j], item) {
            let key = lines[j].trim();
            if title.is_some_and(|t| key == format!("title: {t}")) {
                title_ok = true;
            }
            if key == "body: |" {
                let outer = indent(lines[j]);
                let mut block = Vec::new();
                let mut block_indent = None;
                j += 1;
                while j < lines.len() && inside(lines[j], outer) {
                    let at = *block_indent.get_or_insert(indent(lines[j]));
                    block.push(lines[j].get(at..).unwrap_or(""));
                    j += 1;
                }
                body = Some(block.join("\n").trim_end().to_owned());
                continue;
            }
            j += 1;
        }
        if let (true, Some(body)) = (title_ok, body) {
            return body;
        }
        i = j;
    }
    panic!("no {kind} example titled {title:?} in the spec file");
}

/// `(status, description, solution)` of every documented error row with `code` in `yaml`.
fn spec_error_rows(yaml: &str, code: &str) -> Vec<(u16, String, String)> {
    fn quoted<'a>(row: &'a str, key: &str) -> &'a str {
        let start = row.find(&format!("{key}: \"")).expect(key) + key.len() + 3;
        let len = row[start..].find('"').expect("closing quote");
        &row[start..start + len]
    }
    yaml.lines()
        .filter_map(|l| l.trim().strip_prefix("- {status: "))
        .filter(|row| row.contains(&format!(" code: {code},")))
        .map(|row| {
            let status = row[..row.find(',').expect("status")]
                .parse()
                .expect("status");
            (
                status,
                quoted(row, "description").to_owned(),
                quoted(row, "solution").to_owned(),
            )
        })
        .collect()
}

/// Parses `json` as `$t` and checks that serializing it back gives the same JSON, so the
/// typed value carries every documented field. (A macro: this crate does not depend on serde,
/// so the trait bounds cannot be named.)
macro_rules! typed {
    ($t:ty, $json:expr) => {{
        let json: &str = $json;
        let value: $t = serde_json::from_str(json).expect("deserializes into the typed struct");
        assert_eq!(
            serde_json::to_value(&value).expect("serializes"),
            serde_json::from_str::<Value>(json).expect("valid JSON"),
            "{} dropped or changed a field",
            stringify!($t)
        );
        value
    }};
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// `unix` as RFC 3339 in Beijing time (`…+08:00`).
fn rfc3339_beijing(unix: i64) -> String {
    let local = unix + 8 * 3600;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// `(path, title, rule, message)` of each violation, for whole-list comparisons.
fn rows(violations: &[Violation]) -> Vec<(&str, &str, Rule, &str)> {
    violations
        .iter()
        .map(|v| (v.path.as_str(), v.title, v.rule, v.message.as_str()))
        .collect()
}

async fn server() -> MockWeChatPay {
    MockWeChatPay::start().await.expect("mock server")
}

// ---------------------------------------------------------------------------------------------
// 代金券 (favor)
// ---------------------------------------------------------------------------------------------

/// A valid 创建代金券批次 request for a client whose clock reads `now`: begins one day later,
/// runs 30 days.
fn coupon_stock_request(now: i64, stock_name: &str) -> CreateCouponStockRequest {
    CreateCouponStockRequest::builder()
        .stock_name(stock_name)
        .comment("零售批次")
        .belong_merchant("1900009191")
        .available_begin_time(rfc3339_beijing(now + 86_400))
        .available_end_time(rfc3339_beijing(now + 31 * 86_400))
        .stock_use_rule(
            StockRule::builder()
                .max_coupons(100)
                .max_amount(5000)
                .max_amount_by_day(400)
                .max_coupons_per_user(3)
                .natural_person_limit(false)
                .prevent_api_abuse(true)
                .build()
                .expect("stock rule"),
        )
        .coupon_use_rule(
            CouponRule::builder()
                .fixed_normal_coupon(
                    FixedValueStockMsg::builder()
                        .coupon_amount(50)
                        .transaction_minimum(100)
                        .build()
                        .expect("fixed normal coupon"),
                )
                .trade_type(["MICROAPP"])
                .available_merchants(["1900009191"])
                .build()
                .expect("coupon rule"),
        )
        .no_cash(false)
        .stock_type("NORMAL")
        .out_request_no("1900009191_20250101-0001")
        .build()
        .expect("request")
}

#[tokio::test]
async fn favor_create_coupon_stock_posts_the_exact_body() {
    let server = server().await;
    let now = unix_now();
    let response = r#"{"stock_id":"9856000","create_time":"2015-05-20T13:29:35.120+08:00"}"#;
    server.stub("POST", "/v3/marketing/favor/coupon-stocks", 200, response);
    // A frozen clock makes the time-window rules deterministic; it is also the signing clock,
    // so it must stay within the server's 5-minute window.
    let client = test_client_builder(&server)
        .clock(Arc::new(FixedClock(now)))
        .build()
        .expect("client");
    let request = coupon_stock_request(now, "微信支付代金券批次");

    let answer = client
        .favor()
        .create_coupon_stock(&request)
        .await
        .expect("created");
    assert_eq!(answer, typed!(CreateCouponStockResponse, response));
    assert_eq!(answer.stock_id, "9856000");

    let received = server.received();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.auth, Ok(()), "the server verified the request signature");
    assert_eq!(r.method, "POST");
    assert_eq!(r.path_and_query, "/v3/marketing/favor/coupon-stocks");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let expected = format!(
        concat!(
            r#"{{"stock_name":"微信支付代金券批次","comment":"零售批次","belong_merchant":"1900009191","#,
            r#""available_begin_time":"{}","available_end_time":"{}","#,
            r#""stock_use_rule":{{"max_coupons":100,"max_amount":5000,"max_amount_by_day":400,"#,
            r#""max_coupons_per_user":3,"natural_person_limit":false,"prevent_api_abuse":true}},"#,
            r#""coupon_use_rule":{{"fixed_normal_coupon":{{"coupon_amount":50,"transaction_minimum":100}},"#,
            r#""trade_type":["MICROAPP"],"available_merchants":["1900009191"]}},"#,
            r#""no_cash":false,"stock_type":"NORMAL","out_request_no":"1900009191_20250101-0001"}}"#
        ),
        rfc3339_beijing(now + 86_400),
        rfc3339_beijing(now + 31 * 86_400),
    );
    assert_eq!(
        String::from_utf8(r.body.clone()).expect("UTF-8 body"),
        expected,
        "the exact bytes that were signed and sent"
    );
}

#[tokio::test]
async fn favor_list_stocks_sends_an_encoded_signed_query() {
    let server = server().await;
    let pq = "/v3/marketing/favor/stocks?offset=1&limit=8&stock_creator_mchid=9856888\
              &create_start_time=2015-05-20T13%3A29%3A35.120%2B08%3A00\
              &create_end_time=2015-05-20T13%3A29%3A35.120%2B08%3A00&status=paused";
    let body = spec_example(LIST_STOCKS_YAML, "response", None);
    server.stub("GET", pq, 200, &body);
    let client = test_client(&server).expect("client");
    // The documented request example (请求示例), built field by field.
    let request = ListStocksRequest::builder()
        .offset(1)
        .limit(8)
        .stock_creator_mchid("9856888")
        .create_start_time("2015-05-20T13:29:35.120+08:00")
        .create_end_time("2015-05-20T13:29:35.120+08:00")
        .status("paused")
        .build()
        .expect("request");
    assert_eq!(request.path_and_query(), pq);

    let stocks = client.favor().list_stocks(&request).await.expect("stocks");
    assert_eq!(stocks, typed!(StockCollection, &body));
    assert_eq!(
        (stocks.total_count, stocks.limit, stocks.offset),
        (10, 8, 1)
    );
    let data = stocks.data.as_deref().expect("data");
    assert_eq!(data[0].stock_id, "9836588");
    assert_eq!(data[0].status, StockStatus::Paused);

    let r = &server.received()[0];
    assert_eq!(
        r.auth,
        Ok(()),
        "the signature over the encoded query verified"
    );
    assert_eq!(r.method, "GET");
    assert_eq!(r.path_and_query, pq);
    assert!(r
        .path_and_query
        .contains("create_start_time=2015-05-20T13%3A29%3A35.120%2B08%3A00"));
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-type"), None);
}

// ---------------------------------------------------------------------------------------------
// 商品券 (product_coupon)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn product_coupon_send_user_coupon_encodes_the_openid() {
    let server = server().await;
    let openid = "oh-394z/6CGk+NoJ rsDLT=é";
    let pq =
        "/v3/marketing/partner/product-coupon/users/oh-394z%2F6CGk%2BNoJ%20rsDLT%3D%C3%A9/coupons";
    let response = spec_example(SEND_USER_COUPON_YAML, "response", Some("发送会员券"));
    server.stub("POST", pq, 200, &response);
    let client = test_client(&server).expect("client");

    // The documented request example; openid is a path parameter, not part of the body.
    let body = spec_example(SEND_USER_COUPON_YAML, "request", Some("发送会员券"));
    let mut request: SendUserCouponRequest = serde_json::from_str(&body).expect("example");
    request.openid = openid.to_owned();
    assert_eq!(request.path_and_query(), pq);

    let coupon = client
        .product_coupon()
        .send_user_coupon(&request)
        .await
        .expect("sent");
    assert_eq!(coupon, typed!(UserProductCouponEntity, &response));

    let r = &server.received()[0];
    assert_eq!(r.auth, Ok(()));
    assert_eq!(r.method, "POST");
    assert_eq!(r.path_and_query, pq);
    assert_eq!(
        serde_json::from_slice::<Value>(&r.body).expect("JSON body"),
        serde_json::from_str::<Value>(&body).expect("example JSON"),
        "the body is the documented example, without openid"
    );
}

#[tokio::test]
async fn product_coupon_modify_stock_bundle_patches_two_path_parameters() {
    let server = server().await;
    let pq =
        "/v3/marketing/partner/product-coupon/product-coupons/200000001/stock-bundles/1234%2F56789";
    let response = spec_example(MODIFY_STOCK_BUNDLE_YAML, "response", None);
    server.stub("PATCH", pq, 200, &response);
    let client = test_client(&server).expect("client");

    let body = spec_example(MODIFY_STOCK_BUNDLE_YAML, "request", None);
    let mut request: ModifyStockBundleRequest = serde_json::from_str(&body).expect("example");
    request.product_coupon_id = "200000001".into();
    request.stock_bundle_id = "1234/56789".into();

    let bundle = client
        .product_coupon()
        .modify_stock_bundle(&request)
        .await
        .expect("modified");
    assert_eq!(bundle, typed!(ModifyStockBundleResponse, &response));
    assert_eq!(bundle.stock_bundle_id, "123456789");
    assert_eq!(bundle.stock_list.len(), 1);

    let r = &server.received()[0];
    assert_eq!(r.auth, Ok(()));
    assert_eq!(r.method, "PATCH");
    assert_eq!(r.path_and_query, pq);
    assert_eq!(
        serde_json::from_slice::<Value>(&r.body).expect("JSON body"),
        serde_json::from_str::<Value>(&body).expect("example JSON")
    );
}

// ---------------------------------------------------------------------------------------------
// 商家券 (busifavor)
// ---------------------------------------------------------------------------------------------

/// A 查询用户券详情 answer (the page documents no response example; fields from `UserCoupon`).
const USER_COUPON: &str = r#"{
  "belong_merchant": "1900009191",
  "stock_name": "商家券",
  "comment": "xxx可用",
  "goods_name": "xxx商品可用",
  "stock_type": "NORMAL",
  "transferable": false,
  "shareable": false,
  "coupon_state": "SENDED",
  "display_pattern_info": {
    "description": "xxx门店可用",
    "merchant_logo_url": "https://xxx",
    "merchant_name": "微信支付",
    "background_color": "Color020",
    "coupon_image_url": "https://qpic.cn/xxx"
  },
  "coupon_use_rule": {
    "coupon_available_time": {
      "available_begin_time": "2025-05-20T13:29:35+08:00",
      "available_end_time": "2025-06-20T13:29:35+08:00",
      "available_day_after_receive": 3,
      "available_week": {
        "week_day": [1, 2],
        "available_day_time": [{"begin_time": 3600, "end_time": 86399}]
      }
    },
    "fixed_normal_coupon": {"discount_amount": 5, "transaction_minimum": 100},
    "use_method": "OFF_LINE"
  },
  "custom_entrance": {
    "mini_programs_info": {
      "mini_programs_appid": "wx234545656765876",
      "mini_programs_path": "/path/index/index",
      "entrance_words": "欢迎选购",
      "guiding_words": "获取更多优惠"
    },
    "appid": "wx324345hgfhfghfg",
    "hall_id": "233455656",
    "code_display_mode": "BARCODE"
  },
  "coupon_code": "1234/46565767",
  "stock_id": "1002323",
  "available_start_time": "2025-05-20T13:29:35+08:00",
  "expire_time": "2025-06-20T13:29:35+08:00",
  "receive_time": "2025-05-20T13:29:35+08:00",
  "send_request_no": "MCHSEND202003101234"
}"#;

#[tokio::test]
async fn busifavor_query_user_coupon_gets_three_encoded_path_parameters() {
    let server = server().await;
    let pq = "/v3/marketing/busifavor/users/o4GgauInH%2BRCEdvrrNGrntXDu6D4/coupons/1234%2F46565767/appids/wx233544546545989";
    server.stub("GET", pq, 200, USER_COUPON);
    let client = test_client(&server).expect("client");
    let request = QueryUserCouponRequest::builder()
        .openid("o4GgauInH+RCEdvrrNGrntXDu6D4")
        .coupon_code("1234/46565767")
        .appid("wx233544546545989")
        .build()
        .expect("request");

    let coupon = client
        .busifavor()
        .query_user_coupon(&request)
        .await
        .expect("coupon");
    assert_eq!(coupon, typed!(UserCoupon, USER_COUPON));
    assert_eq!(coupon.coupon_code.as_deref(), Some("1234/46565767"));

    let r = &server.received()[0];
    assert_eq!(r.auth, Ok(()));
    assert_eq!(r.method, "GET");
    assert_eq!(r.path_and_query, pq);
    assert!(r.body.is_empty());
}

/// The documented 修改批次 request example, with its placeholder colour "xxxxx" replaced by
/// a documented one when `fix_colour`.
fn modify_stock_request(fix_colour: bool) -> (ModifyStockRequest, String) {
    let mut body = spec_example(MODIFY_STOCK_YAML, "request", None);
    if fix_colour {
        body = body.replace(
            r#""background_color":"xxxxx""#,
            r#""background_color":"Color010""#,
        );
    }
    let mut request: ModifyStockRequest = serde_json::from_str(&body).expect("example");
    request.stock_id = "101156451224".into();
    (request, body)
}

#[tokio::test]
async fn busifavor_modify_stock_no_content_is_ok_unit() {
    let server = server().await;
    let pq = "/v3/marketing/busifavor/stocks/101156451224";
    server.stub("PATCH", pq, 204, "");
    let client = test_client(&server).expect("client");
    let (request, body) = modify_stock_request(true);
    assert!(
        body.contains("Color010"),
        "the placeholder colour was replaced"
    );

    let () = client
        .busifavor()
        .modify_stock(&request)
        .await
        .expect("204 No Content");

    let received = server.received();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.auth, Ok(()));
    assert_eq!(r.method, "PATCH");
    assert_eq!(r.path_and_query, pq);
    assert_eq!(
        serde_json::from_slice::<Value>(&r.body).expect("JSON body"),
        serde_json::from_str::<Value>(&body).expect("example JSON"),
        "stock_id travels in the path only"
    );
}

#[tokio::test]
async fn busifavor_modify_stock_documented_placeholder_colour_is_rejected_locally() {
    let server = server().await;
    let client = test_client(&server).expect("client");
    let (request, _) = modify_stock_request(false);
    let err = client.busifavor().modify_stock(&request).await.unwrap_err();
    let Error::Validation(errors) = err else {
        panic!("expected a validation error, got {err:?}");
    };
    let v = errors.violations();
    assert_eq!(v.len(), 1, "{errors}");
    assert_eq!(v[0].path, "display_pattern_info.background_color");
    assert_eq!(v[0].rule, Rule::Enum);
    assert!(
        v[0].message
            .starts_with("\"xxxxx\" is not a documented value"),
        "{}",
        v[0].message
    );
    assert_eq!(server.received().len(), 0);
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn invalid_list_stocks_reports_every_violation_and_sends_nothing() {
    let server = server().await;
    server.stub_prefix(
        "GET",
        "/v3/marketing/favor/stocks?",
        400,
        r#"{"code":"PARAM_ERROR","message":"页大小超过阈值"}"#,
    );
    let request = ListStocksRequest::builder()
        .offset(-1)
        .limit(11)
        .stock_creator_mchid("190000919119000091911")
        .create_start_time("2015-05-20 13:29:35")
        .status("closed")
        .build()
        .expect("request");

    let client = test_client(&server).expect("client");
    let err = client.favor().list_stocks(&request).await.unwrap_err();
    assert!(!err.is_retryable());
    let Error::Validation(errors) = err else {
        panic!("expected a validation error, got {err:?}");
    };
    assert_eq!(
        rows(errors.violations()),
        vec![
            ("offset", "分页页码", Rule::Minimum, "-1, at least 0"),
            ("limit", "分页大小", Rule::Maximum, "11, at most 10"),
            (
                "stock_creator_mchid",
                "创建批次的商户号",
                Rule::MaxLength,
                "21 characters, at most 20"
            ),
            (
                "create_start_time",
                "起始时间",
                Rule::Rfc3339,
                "\"2015-05-20 13:29:35\" is not an RFC 3339 timestamp (e.g. 2015-05-20T13:29:35+08:00)"
            ),
            (
                "status",
                "批次状态",
                Rule::Enum,
                "\"closed\" is not a documented value (expected one of unactivated, audit, running, stoped, paused)"
            ),
        ]
    );
    assert_eq!(server.received().len(), 0, "nothing reached the server");

    // Validation off: the same request is signed and sent, and the server has the last word.
    let unchecked = test_client_builder(&server)
        .validation(false)
        .build()
        .expect("client");
    let err = unchecked.favor().list_stocks(&request).await.unwrap_err();
    assert_eq!(err.api().map(|a| a.code.as_str()), Some("PARAM_ERROR"));
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].auth, Ok(()));
    assert_eq!(
        received[0].path_and_query,
        "/v3/marketing/favor/stocks?offset=-1&limit=11&stock_creator_mchid=190000919119000091911\
         &create_start_time=2015-05-20%2013%3A29%3A35&status=closed"
    );
}

#[tokio::test]
async fn invalid_create_coupon_stock_reports_every_violation_and_sends_nothing() {
    let server = server().await;
    let now = unix_now();
    server.stub(
        "POST",
        "/v3/marketing/favor/coupon-stocks",
        200,
        r#"{"stock_id":"9856000","create_time":"2015-05-20T13:29:35+08:00"}"#,
    );
    let mut request = coupon_stock_request(now, "代金券代金券代金券代金券代金券代金券代金券");
    request.available_begin_time = rfc3339_beijing(now - 3600).into();
    request.available_end_time = rfc3339_beijing(now - 3600 + 91 * 86_400).into();
    request.coupon_use_rule.fixed_normal_coupon = None;
    request.out_request_no = "1900009191/20250101".into();

    let client = test_client_builder(&server)
        .clock(Arc::new(FixedClock(now)))
        .build()
        .expect("client");
    let err = client
        .favor()
        .create_coupon_stock(&request)
        .await
        .unwrap_err();
    let Error::Validation(errors) = err else {
        panic!("expected a validation error, got {err:?}");
    };
    let begin = rfc3339_beijing(now - 3600);
    let before_now = format!("{begin} is before the current time");
    // Every violation, in the order the fields are documented.
    assert_eq!(
        rows(errors.violations()),
        vec![
            (
                "stock_name",
                "批次名称",
                Rule::MaxLength,
                "21 characters, at most 20"
            ),
            (
                "available_begin_time",
                "可用时间-开始时间",
                Rule::TimeWindow,
                before_now.as_str()
            ),
            (
                "available_end_time",
                "可用时间-结束时间",
                Rule::TimeWindow,
                "91 days after available_begin_time, at most 90"
            ),
            (
                "coupon_use_rule.fixed_normal_coupon",
                "固定面额满减券使用规则",
                Rule::Conditional,
                "required when stock_type is NORMAL"
            ),
            (
                "out_request_no",
                "商户单据号",
                Rule::Charset,
                "contains '/'; allowed: ASCII letters, digits, |, _, *, -"
            ),
        ]
    );
    assert_eq!(server.received().len(), 0, "nothing reached the server");

    let unchecked = test_client_builder(&server)
        .validation(false)
        .build()
        .expect("client");
    unchecked
        .favor()
        .create_coupon_stock(&request)
        .await
        .expect("the server accepted what the client did not check");
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].auth, Ok(()));
    let sent: Value = serde_json::from_slice(&received[0].body).expect("JSON");
    assert_eq!(
        sent["stock_name"],
        "代金券代金券代金券代金券代金券代金券代金券"
    );
}

// ---------------------------------------------------------------------------------------------
// API errors
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn param_error_carries_the_operations_documented_rows() {
    let server = server().await;
    let pq = "/v3/marketing/favor/stocks?offset=0&limit=10&stock_creator_mchid=1900009191";
    server.stub(
        "GET",
        pq,
        400,
        r#"{"code":"PARAM_ERROR","message":"页大小超过阈值","detail":{"field":"limit","location":"query"}}"#,
    );
    let client = test_client(&server).expect("client");
    let request = ListStocksRequest::builder()
        .offset(0)
        .limit(10)
        .stock_creator_mchid("1900009191")
        .build()
        .expect("request");
    let err = client.favor().list_stocks(&request).await.unwrap_err();
    assert!(!err.is_retryable());
    let Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(api.operation, "favor.list_stocks");
    assert_eq!((api.status, api.code.as_str()), (400, "PARAM_ERROR"));
    assert_eq!(api.error_code(), ErrorCode::ParamError);
    assert_eq!(api.message, "页大小超过阈值");
    assert_eq!(
        api.detail,
        Some(json!({"field": "limit", "location": "query"}))
    );
    assert!(api.verified);
    let documented: Vec<(u16, String, String)> = api
        .documented
        .iter()
        .map(|r| (r.status, r.description.to_owned(), r.solution.to_owned()))
        .collect();
    let expected = spec_error_rows(LIST_STOCKS_YAML, "PARAM_ERROR");
    assert_eq!(
        expected.len(),
        11,
        "the spec's PARAM_ERROR rows of list_stocks"
    );
    assert_eq!(documented, expected);
    assert!(api
        .documented
        .iter()
        .any(|r| r.description == "页大小超过阈值" && r.solution == "请不要超过最大的页大小"));
    assert_eq!(server.received()[0].auth, Ok(()));
}

#[tokio::test]
async fn product_coupon_not_found_carries_its_own_rows() {
    let server = server().await;
    let pq = "/v3/marketing/partner/product-coupon/users/oh-394z-6CGkNoJrsDLTTUKiAnp4/coupons";
    server.stub(
        "POST",
        pq,
        404,
        r#"{"code":"NOT_FOUND","message":"未找到 stock_id 对应的商品券批次"}"#,
    );
    let client = test_client(&server).expect("client");
    let body = spec_example(SEND_USER_COUPON_YAML, "request", Some("发放普通券"));
    let mut request: SendUserCouponRequest = serde_json::from_str(&body).expect("example");
    request.openid = "oh-394z-6CGkNoJrsDLTTUKiAnp4".into();
    let err = client
        .product_coupon()
        .send_user_coupon(&request)
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.operation, "product_coupon.send_user_coupon");
    assert_eq!(api.error_code(), ErrorCode::NotFound);
    let documented: Vec<(u16, String, String)> = api
        .documented
        .iter()
        .map(|r| (r.status, r.description.to_owned(), r.solution.to_owned()))
        .collect();
    assert_eq!(
        documented,
        spec_error_rows(SEND_USER_COUPON_YAML, "NOT_FOUND")
    );
    assert_eq!(documented.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// 商家券 COUPON.SEND notification
// ---------------------------------------------------------------------------------------------

const COUPON_SEND_PAYLOAD: &str = r#"{
  "event_type": "EVENT_TYPE_BUSICOUPON_SEND",
  "coupon_code": "1227944959000000911017",
  "stock_id": "1286950000000039",
  "send_time": "2019-12-12T16:54:38+08:00",
  "openid": "oDF3iY9P32sK_5GgYiRkjsCo45bk",
  "unionid": "oDF3iY9P32sK_5GgYiRkjsCo45bk",
  "send_channel": "BUSICOUPON_SEND_CHANNEL_PAYGIFT",
  "send_merchant": "1900009191",
  "attach_info": {
    "transaction_id": "4200000000000000000000000000",
    "act_code": "FPAY_ACT_123456"
  }
}"#;

/// A COUPON.SEND notification as WeChat Pay sends it: the documented envelope example with
/// `plaintext` encrypted under `api_v3_key`, signed with the platform key.
fn coupon_send_notification(
    server: &MockWeChatPay,
    plaintext: &str,
    api_v3_key: &str,
) -> (Vec<(String, String)>, Vec<u8>) {
    let mut envelope: Value =
        serde_json::from_str(&spec_example(COUPON_SEND_YAML, "envelope", None)).expect("example");
    let nonce = envelope["resource"]["nonce"]
        .as_str()
        .expect("nonce")
        .to_owned();
    let aad = envelope["resource"]["associated_data"]
        .as_str()
        .expect("aad")
        .to_owned();
    let ciphertext =
        encrypt_resource(api_v3_key, &nonce, &aad, plaintext.as_bytes()).expect("encrypt");
    envelope["resource"]["ciphertext"] = Value::String(ciphertext);
    let body = serde_json::to_vec(&envelope).expect("JSON");
    (server.sign_headers(&body), body)
}

#[tokio::test]
async fn busifavor_coupon_send_notification_is_verified_decrypted_and_typed() {
    let server = server().await;
    let client = test_client(&server).expect("client");
    let key = ApiV3Key::new(API_V3_KEY).expect("key");
    let (headers, body) = coupon_send_notification(&server, COUPON_SEND_PAYLOAD, API_V3_KEY);

    let n = client
        .busifavor()
        .parse_coupon_send_notification(&key, &headers, &body)
        .expect("notification");
    assert_eq!(n.envelope.event_type, COUPON_SEND_EVENT_TYPE);
    assert_eq!(n.envelope.id, "8b33f79f-8869-5ae5-b41b-3c0b59f957d0");
    assert_eq!(n.envelope.resource.original_type.as_deref(), Some("coupon"));
    assert_eq!(n.payload, typed!(CouponSendPayload, COUPON_SEND_PAYLOAD));
    assert_eq!(
        n.payload.event_type,
        CouponSendEventType::EventTypeBusicouponSend
    );
    assert_eq!(
        n.payload.send_channel,
        CouponSendChannel::BusicouponSendChannelPaygift
    );
    assert_eq!(n.payload.coupon_code, "1227944959000000911017");
}

#[tokio::test]
async fn busifavor_coupon_send_notification_tampering_is_a_typed_error() {
    let server = server().await;
    let client = test_client(&server).expect("client");
    let key = ApiV3Key::new(API_V3_KEY).expect("key");
    let busifavor = client.busifavor();

    // Body changed after signing.
    let (headers, body) = coupon_send_notification(&server, COUPON_SEND_PAYLOAD, API_V3_KEY);
    let tampered = String::from_utf8(body.clone())
        .expect("UTF-8")
        .replace("商家券领券通知", "商家券领券通知!")
        .into_bytes();
    let err = busifavor
        .parse_coupon_send_notification(&key, &headers, &tampered)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Notification(NotificationError::Signature(SignatureError::BadSignature))
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("notification rejected: notification signature"),
        "{err}"
    );

    // Signed by WeChat Pay's key but encrypted under another APIv3 key.
    let (headers, body) = coupon_send_notification(
        &server,
        COUPON_SEND_PAYLOAD,
        "00000000000000000000000000000000",
    );
    let err = busifavor
        .parse_coupon_send_notification(&key, &headers, &body)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Notification(NotificationError::Decrypt(
                DecryptError::AuthenticationFailed
            ))
        ),
        "{err:?}"
    );

    // Authentic, but the plaintext is not a COUPON.SEND payload (no stock_id).
    let (headers, body) = coupon_send_notification(
        &server,
        r#"{"coupon_code":"1227944959000000911017"}"#,
        API_V3_KEY,
    );
    let err = busifavor
        .parse_coupon_send_notification(&key, &headers, &body)
        .unwrap_err();
    assert!(
        matches!(err, Error::Notification(NotificationError::Payload { .. })),
        "{err:?}"
    );

    // No signature headers at all.
    let err = busifavor
        .parse_coupon_send_notification(&key, &Vec::<(String, String)>::new(), &body)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Notification(NotificationError::Signature(SignatureError::MissingHeader(
                _
            )))
        ),
        "{err:?}"
    );
}
