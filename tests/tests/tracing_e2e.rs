//! What the SDK tells `tracing`: a span per call and per attempt with the operation id,
//! method, path template, status, Request-ID, attempt number and latency — and never a key,
//! a signature, a body or a decrypted payload, even at TRACE level.

use std::io::Write;
use std::sync::{Arc, Mutex};

use integration_tests::{keys, test_client, MockWeChatPay, Reply, API_V3_KEY};
use tracing_subscriber::fmt::format::FmtSpan;
use wechatpay_marketing::busifavor::COUPON_SEND_NOTIFICATION;
use wechatpay_marketing::favor::ListStocksRequest;
use wechatpay_marketing::ApiV3Key;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const SECRET_BODY: &str = "SECRET_STOCK_NAME_IN_BODY";

#[tokio::test]
async fn spans_carry_call_facts_and_no_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockWeChatPay::start().await.expect("mock");
    let calls = Arc::new(Mutex::new(0));
    let seen = Arc::clone(&calls);
    server.set_handler(move |r| {
        if !r.path_and_query.starts_with("/v3/marketing/favor/stocks") {
            return None;
        }
        let mut n = seen.lock().expect("lock");
        *n += 1;
        Some(if *n == 1 {
            Reply::json(500, r#"{"code":"SYSTEM_ERROR","message":"系统错误"}"#)
        } else {
            Reply::json(
                200,
                format!(
                    r#"{{"total_count":1,"offset":0,"limit":10,"data":[{{"stock_id":"1","stock_creator_mchid":"1","stock_name":"{SECRET_BODY}","status":"running","create_time":"2015-05-20T13:29:35+08:00","description":"d","no_cash":false,"singleitem":false,"stock_type":"NORMAL"}}]}}"#
                ),
            )
        })
    });
    let client = test_client(&server).expect("client");
    let request = ListStocksRequest::builder()
        .offset(0)
        .limit(10)
        .stock_creator_mchid("1900009191")
        .build()
        .expect("request");
    let _ = client.favor().list_stocks(&request).await;

    let payload = r#"{"event_type":"EVENT_TYPE_BUSICOUPON_SEND","coupon_code":"1","stock_id":"1","send_time":"2019-12-12T16:54:38+08:00","openid":"oSECRET_OPENID","send_channel":"BUSICOUPON_SEND_CHANNEL_API","send_merchant":"1"}"#;
    let n = server
        .event_notification(
            "EV-T",
            COUPON_SEND_NOTIFICATION.event_type,
            Some("coupon"),
            "coupon",
            payload,
            API_V3_KEY,
        )
        .expect("notification");
    let _ = client
        .notification_handler(ApiV3Key::new(API_V3_KEY).expect("key"))
        .handle_parts(&n.headers, &n.body)
        .await;

    let log = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("UTF-8");
    for expected in [
        "wechatpay.call",
        "operation=\"favor.list_stocks\"",
        "method=\"GET\"",
        "path=\"/v3/marketing/favor/stocks\"",
        "wechatpay.attempt",
        "attempt=2",
        "status=200",
        "request_id=\"08F78BB5",
        "latency_ms=",
        "retrying",
        "wechatpay.notification",
        "event_type=\"COUPON.SEND\"",
    ] {
        assert!(log.contains(expected), "{expected:?} missing from:\n{log}");
    }
    let received = server.received();
    let authorization = received[0].header("authorization").expect("authorization");
    let signature = authorization
        .split("signature=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("signature");
    for secret in [
        signature,
        &n.headers
            .iter()
            .find(|(k, _)| k == "Wechatpay-Signature")
            .expect("signature header")
            .1,
        keys::MERCHANT_PRIVATE.lines().nth(2).expect("key line"),
        API_V3_KEY,
        SECRET_BODY,
        "oSECRET_OPENID",
        "ciphertext",
    ] {
        assert!(!log.contains(secret), "{secret:?} leaked into:\n{log}");
    }
}
