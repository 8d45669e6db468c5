//! End-to-end tests of the hand-written runtime against `MockWeChatPay` on 127.0.0.1:
//! request signing, response verification failures, API errors, timeouts, notifications.

use std::sync::Arc;
use std::time::Duration;

use integration_tests::{
    keys, test_client, test_client_builder, Misbehavior, MockWeChatPay, API_V3_KEY, MCHID,
    PLATFORM_CERT_SERIAL, PUBLIC_KEY_ID,
};
use serde_json::{json, Value};
use wechatpay_marketing::runtime::operation::{
    encode_path_segment, encode_query, ApiRequest, OperationMeta,
};
use wechatpay_marketing::{
    ApiV3Key, DecryptError, Error, ErrorRow, FixedClock, NotificationError, SignatureError,
};

static ERRORS: [ErrorRow; 2] = [
    ErrorRow {
        status: 400,
        code: "PARAM_ERROR",
        description: "参数错误",
        solution: "请根据错误提示正确传入参数",
    },
    ErrorRow {
        status: 500,
        code: "SYSTEM_ERROR",
        description: "系统失败",
        solution: "多为网络超时引起，重试即可",
    },
];

static LIST_STOCKS: OperationMeta = OperationMeta {
    id: "favor.list_stocks",
    method: "GET",
    path: "/v3/marketing/favor/stocks",
    errors: &ERRORS,
    safe_to_retry: true,
};

static SEND_COUPON: OperationMeta = OperationMeta {
    id: "favor.send_coupon",
    method: "POST",
    path: "/v3/marketing/favor/users/{openid}/coupons",
    errors: &ERRORS,
    safe_to_retry: true,
};

static PAUSE_STOCK: OperationMeta = OperationMeta {
    id: "favor.pause_stock",
    method: "POST",
    path: "/v3/marketing/favor/stocks/{stock_id}/pause",
    errors: &ERRORS,
    safe_to_retry: false,
};

const STOCKS_PQ: &str =
    "/v3/marketing/favor/stocks?offset=0&limit=10&stock_creator_mchid=1900009191";
const STOCKS_BODY: &str =
    r#"{"total_count":1,"data":[{"stock_id":"9856000","stock_name":"微信支付代金券"}]}"#;

fn list_stocks() -> ApiRequest {
    let query = encode_query(&[
        ("offset", "0".to_owned()),
        ("limit", "10".to_owned()),
        ("stock_creator_mchid", MCHID.to_owned()),
    ]);
    ApiRequest {
        operation: &LIST_STOCKS,
        path_and_query: format!("/v3/marketing/favor/stocks?{query}"),
        body: None,
        multipart: None,
    }
}

async fn server_with_stocks() -> MockWeChatPay {
    let server = MockWeChatPay::start().await.expect("mock server");
    server.stub("GET", STOCKS_PQ, 200, STOCKS_BODY);
    server
}

async fn signature_error(m: Misbehavior) -> SignatureError {
    let server = server_with_stocks().await;
    server.set_misbehavior(m);
    let client = test_client(&server).expect("client");
    let err = client.execute::<Value>(list_stocks()).await.unwrap_err();
    assert_eq!(server.received().len(), 1, "the request itself was sent");
    assert!(!err.is_retryable(), "{err}");
    match err {
        Error::Signature(e) => e,
        other => panic!("expected a signature error, got {other:?}"),
    }
}

#[tokio::test]
async fn get_is_signed_verified_and_decoded() {
    let server = server_with_stocks().await;
    let client = test_client(&server).expect("client");
    let value: Value = client
        .execute(list_stocks())
        .await
        .expect("verified response");
    assert_eq!(
        value,
        serde_json::from_str::<Value>(STOCKS_BODY).expect("json")
    );

    let received = server.received();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.auth, Ok(()), "server verified the request signature");
    assert_eq!(r.method, "GET");
    assert_eq!(r.path_and_query, STOCKS_PQ);
    assert_eq!(r.header("wechatpay-serial"), Some(PUBLIC_KEY_ID));
    assert_eq!(r.header("accept"), Some("application/json"));
    assert!(r
        .header("user-agent")
        .is_some_and(|ua| ua.starts_with("wechatpay-marketing-rust/")));
    assert_eq!(r.header("content-type"), None, "no body, no Content-Type");
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn post_body_and_encoded_path_are_signed_as_sent() {
    let server = MockWeChatPay::start().await.expect("mock server");
    let openid = "oHkLxt/htg84TUEb+zvlMwQzVDBqo";
    let pq = format!(
        "/v3/marketing/favor/users/{}/coupons",
        encode_path_segment(openid)
    );
    assert_eq!(
        pq,
        "/v3/marketing/favor/users/oHkLxt%2Fhtg84TUEb%2BzvlMwQzVDBqo/coupons"
    );
    server.stub("POST", &pq, 200, r#"{"coupon_id":"9867041"}"#);
    let client = test_client(&server).expect("client");
    let body = json!({"stock_id": "9856000", "out_request_no": "89560002019101000121", "appid": "wx233544546545989"});
    let req = ApiRequest {
        operation: &SEND_COUPON,
        path_and_query: pq.clone(),
        body: Some(serde_json::to_vec(&body).expect("json")),
        multipart: None,
    };
    let value: Value = client.execute(req).await.expect("verified response");
    assert_eq!(value["coupon_id"], "9867041");

    let r = &server.received()[0];
    assert_eq!(r.auth, Ok(()));
    assert_eq!(r.path_and_query, pq);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        serde_json::from_slice::<Value>(&r.body).expect("json"),
        body
    );
}

#[tokio::test]
async fn no_content_is_verified_too() {
    let server = MockWeChatPay::start().await.expect("mock server");
    server.stub("POST", "/v3/marketing/favor/stocks/98065001/pause", 204, "");
    let client = test_client(&server).expect("client");
    let req = || ApiRequest {
        operation: &PAUSE_STOCK,
        path_and_query: "/v3/marketing/favor/stocks/98065001/pause".into(),
        body: Some(br#"{"stock_creator_mchid":"1900009191"}"#.to_vec()),
        multipart: None,
    };
    client.execute_empty(req()).await.expect("signed 204");

    server.set_misbehavior(Misbehavior::OmitSignatureHeaders);
    let err = client.execute_empty(req()).await.unwrap_err();
    assert!(
        matches!(err, Error::Signature(SignatureError::MissingHeader(_))),
        "an unsigned 204 fails closed: {err:?}"
    );
}

#[tokio::test]
async fn tampered_body_is_rejected() {
    assert_eq!(
        signature_error(Misbehavior::TamperBody).await,
        SignatureError::BadSignature
    );
}

#[tokio::test]
async fn stale_timestamp_is_rejected() {
    let e = signature_error(Misbehavior::StaleTimestamp).await;
    assert!(
        matches!(e, SignatureError::StaleTimestamp { timestamp, now } if now - timestamp >= 600),
        "{e:?}"
    );
}

#[tokio::test]
async fn unknown_serial_is_rejected() {
    let e = signature_error(Misbehavior::UnknownSerial).await;
    assert_eq!(
        e,
        SignatureError::UnknownSerial {
            serial: "PUB_KEY_ID_0199999999999999999999999999".into(),
            configured: vec![PUBLIC_KEY_ID.into()],
        }
    );
    let shown = Error::Signature(e).to_string();
    assert!(
        shown.contains(PUBLIC_KEY_ID),
        "names the configured ids: {shown}"
    );
}

#[tokio::test]
async fn wrong_signing_key_is_rejected() {
    assert_eq!(
        signature_error(Misbehavior::WrongKey).await,
        SignatureError::BadSignature
    );
}

#[tokio::test]
async fn missing_signature_headers_are_rejected() {
    let e = signature_error(Misbehavior::OmitSignatureHeaders).await;
    assert_eq!(e, SignatureError::MissingHeader("Wechatpay-Timestamp"));
}

#[tokio::test]
async fn client_clock_defines_the_response_window() {
    let server = server_with_stocks().await;
    // Fast clock: the request is signed 20 minutes ahead; the server rejects it (signed 401),
    // and the client rejects the server's answer as outside its window.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let client = test_client_builder(&server)
        .clock(Arc::new(FixedClock(now + 1200)))
        .build()
        .expect("client");
    let err = client.execute::<Value>(list_stocks()).await.unwrap_err();
    assert!(
        matches!(err, Error::Signature(SignatureError::StaleTimestamp { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn param_error_carries_every_detail_and_the_documented_row() {
    let server = MockWeChatPay::start().await.expect("mock server");
    server.stub(
        "GET",
        STOCKS_PQ,
        400,
        r#"{"code":"PARAM_ERROR","message":"limit超出范围","detail":{"field":"limit","location":"query"}}"#,
    );
    let client = test_client(&server).expect("client");
    let err = client.execute::<Value>(list_stocks()).await.unwrap_err();
    assert!(!err.is_retryable());
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 400);
    assert_eq!(api.code, "PARAM_ERROR");
    assert_eq!(api.message, "limit超出范围");
    assert_eq!(
        api.detail,
        Some(json!({"field": "limit", "location": "query"}))
    );
    assert!(api
        .request_id
        .as_deref()
        .is_some_and(|id| id.starts_with("08F78BB5")));
    assert_eq!(api.documented.len(), 1);
    assert_eq!(api.documented[0].solution, "请根据错误提示正确传入参数");
    assert!(api.verified);
    assert_eq!(api.operation, "favor.list_stocks");
}

#[tokio::test]
async fn unsigned_gateway_error_is_reported_unverified_and_retryable() {
    let server = MockWeChatPay::start().await.expect("mock server");
    server.stub("GET", STOCKS_PQ, 502, "<html>Bad Gateway</html>");
    server.set_misbehavior(Misbehavior::OmitSignatureHeaders);
    let client = test_client(&server).expect("client");
    let err = client.execute::<Value>(list_stocks()).await.unwrap_err();
    assert!(err.is_retryable());
    let api = err.api().expect("an API error");
    assert_eq!(
        (api.status, api.code.as_str(), api.verified),
        (502, "", false)
    );
    assert_eq!(api.message, "<html>Bad Gateway</html>");
    assert_eq!(
        server.received().len(),
        3,
        "a safe GET is tried 3 times by default"
    );
}

#[tokio::test]
async fn tampered_error_response_is_a_signature_error() {
    let server = MockWeChatPay::start().await.expect("mock server");
    server.stub(
        "GET",
        STOCKS_PQ,
        500,
        r#"{"code":"SYSTEM_ERROR","message":"系统错误"}"#,
    );
    server.set_misbehavior(Misbehavior::TamperBody);
    let client = test_client(&server).expect("client");
    let err = client.execute::<Value>(list_stocks()).await.unwrap_err();
    assert!(
        matches!(err, Error::Signature(SignatureError::BadSignature)),
        "{err:?}"
    );
}

#[tokio::test]
async fn server_rejects_a_request_signed_with_the_wrong_merchant_key() {
    let server = server_with_stocks().await;
    let client = test_client_builder(&server)
        .merchant_private_key_pem(keys::OTHER_PRIVATE)
        .build()
        .expect("client");
    let err = client.execute::<Value>(list_stocks()).await.unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(
        (api.status, api.code.as_str(), api.verified),
        (401, "SIGN_ERROR", true)
    );
    assert!(server.received()[0].auth.is_err());
}

#[tokio::test]
async fn platform_certificate_mode_works_end_to_end() {
    let server = MockWeChatPay::builder()
        .serial(PLATFORM_CERT_SERIAL)
        .start()
        .await
        .expect("mock server");
    server.stub("GET", STOCKS_PQ, 200, STOCKS_BODY);
    let client = wechatpay_marketing::Client::builder()
        .mchid(MCHID)
        .merchant_serial(integration_tests::MERCHANT_SERIAL)
        .merchant_private_key_pem(keys::MERCHANT_PRIVATE)
        .platform_certificate(PLATFORM_CERT_SERIAL, keys::PLATFORM_CERT)
        .base_url(server.base_url())
        .http_client(integration_tests::loopback_http_client())
        .build()
        .expect("client");
    let _: Value = client
        .execute(list_stocks())
        .await
        .expect("verified via certificate");
    assert_eq!(
        server.received()[0].header("wechatpay-serial"),
        Some(PLATFORM_CERT_SERIAL)
    );
}

#[tokio::test]
async fn slow_server_times_out_and_is_retryable() {
    let server = server_with_stocks().await;
    server.set_delay(Duration::from_secs(3));
    let client = test_client_builder(&server)
        .timeout(Duration::from_millis(300))
        .retry(wechatpay_marketing::RetryPolicy::none())
        .build()
        .expect("client");
    let err = client.execute::<Value>(list_stocks()).await.unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn refused_connection_is_a_retryable_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let server = MockWeChatPay::start().await.expect("mock server");
    let client = test_client_builder(&server)
        .base_url(format!("http://{addr}"))
        .build()
        .expect("client");
    let err = client.execute::<Value>(list_stocks()).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.is_retryable());
    assert!(err.is_connect());
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn path_that_would_be_rewritten_is_never_sent() {
    let server = server_with_stocks().await;
    let client = test_client(&server).expect("client");
    let req = ApiRequest {
        operation: &LIST_STOCKS,
        path_and_query: "/v3/marketing/favor/../stocks".into(),
        body: None,
        multipart: None,
    };
    let err = client.execute::<Value>(req).await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert_eq!(server.received().len(), 0);
}

#[tokio::test]
async fn decode_failure_says_the_call_succeeded_and_keeps_no_body() {
    let server = server_with_stocks().await;
    let client = test_client(&server).expect("client");
    let err = client.execute::<Vec<u8>>(list_stocks()).await.unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.status, 200);
    assert!(d
        .request_id
        .as_deref()
        .is_some_and(|id| id.starts_with("08F78BB5")));
    assert!(!err.is_retryable());
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("succeeded at WeChat Pay"), "{shown}");
    assert!(
        !shown.contains("微信支付代金券") && !shown.contains("9856000"),
        "{shown}"
    );
    assert_eq!(server.received().len(), 1, "never retried");
}

const COUPON_USE: &str = r#"{"stock_creator_mchid":"9800064","stock_id":"9865000","coupon_id":"98674556","coupon_name":"微信支付代金券","status":"USED"}"#;

#[tokio::test]
async fn notification_verifies_and_decrypts() {
    let server = MockWeChatPay::start().await.expect("mock server");
    let client = test_client(&server).expect("client");
    let n = server
        .notification(COUPON_USE, API_V3_KEY)
        .expect("notification");
    let key = ApiV3Key::new(API_V3_KEY).expect("key");
    let parsed = client
        .parse_notification::<Value>(&key, &n.headers, &n.body)
        .expect("notification");
    assert_eq!(parsed.envelope.event_type, "COUPON.USE");
    assert_eq!(
        parsed.envelope.resource.original_type.as_deref(),
        Some("coupon")
    );
    assert_eq!(parsed.payload["coupon_id"], "98674556");
    assert_eq!(
        parsed.payload,
        serde_json::from_str::<Value>(COUPON_USE).expect("json")
    );
}

#[tokio::test]
async fn tampered_notification_is_rejected() {
    let server = MockWeChatPay::start().await.expect("mock server");
    let client = test_client(&server).expect("client");
    let key = ApiV3Key::new(API_V3_KEY).expect("key");
    let n = server
        .notification(COUPON_USE, API_V3_KEY)
        .expect("notification");

    // Body changed after signing.
    let mut body = n.body.clone();
    body.push(b' ');
    let err = client
        .parse_notification::<Value>(&key, &n.headers, &body)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Notification(NotificationError::Signature(SignatureError::BadSignature))
        ),
        "{err:?}"
    );

    // Ciphertext swapped for another (validly signed by WeChat Pay's key, but not openable
    // with this APIv3 key): decryption fails with a typed error.
    let other = server
        .notification(COUPON_USE, "00000000000000000000000000000000")
        .expect("notification");
    let err = client
        .parse_notification::<Value>(&key, &other.headers, &other.body)
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

    // Unsigned notification.
    let err = client
        .parse_notification::<Value>(&key, &Vec::<(String, String)>::new(), &n.body)
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
