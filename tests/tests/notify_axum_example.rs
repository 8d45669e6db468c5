//! The axum notification example (`generated-sdk/examples/notify_axum/app.rs`), served on
//! 127.0.0.1 and called like WeChat Pay calls it: a signed, encrypted callback is answered
//! 204; a tampered one, or one whose processing fails, gets the documented failure reply.

#[path = "../../generated-sdk/examples/notify_axum/app.rs"]
mod app;

use std::sync::{Arc, Mutex};

use integration_tests::{loopback_http_client, test_client, MockWeChatPay, API_V3_KEY};
use serde_json::Value;
use wechatpay_marketing::busifavor::COUPON_SEND_NOTIFICATION;
use wechatpay_marketing::{ApiV3Key, Event};

const PAYLOAD: &str = r#"{"event_type":"EVENT_TYPE_BUSICOUPON_SEND","coupon_code":"1227944959000000911017","stock_id":"1286950000000039","send_time":"2019-12-12T16:54:38+08:00","send_channel":"BUSICOUPON_SEND_CHANNEL_API","send_merchant":"1900009191"}"#;

#[tokio::test]
async fn axum_example_answers_success_and_failure_as_documented() {
    let wechatpay = MockWeChatPay::start().await.expect("mock");
    let client = test_client(&wechatpay).expect("client");
    let handler = client.notification_handler(ApiV3Key::new(API_V3_KEY).expect("key"));
    let processed: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = Arc::clone(&processed);
    let router = app::app(handler, move |event: &Event| {
        if event.id() == "EV-FAILS" {
            return Err("database unavailable".into());
        }
        record.lock().expect("lock").push(event.id().to_owned());
        Ok(())
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}{}",
        listener.local_addr().expect("addr"),
        app::NOTIFY_PATH
    );
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let http = loopback_http_client();
    let post = |n: integration_tests::SignedNotification| {
        let mut r = http.post(&url).body(n.body);
        for (k, v) in n.headers {
            r = r.header(k, v);
        }
        r.header("Content-Type", "application/json").send()
    };
    let notification = |id: &str| {
        wechatpay
            .event_notification(
                id,
                COUPON_SEND_NOTIFICATION.event_type,
                Some("coupon"),
                "coupon",
                PAYLOAD,
                API_V3_KEY,
            )
            .expect("notification")
    };

    let ok = post(notification("EV-OK")).await.expect("answer");
    assert_eq!(ok.status(), 204);
    assert_eq!(*processed.lock().expect("lock"), ["EV-OK"]);

    let mut tampered = notification("EV-TAMPERED");
    tampered.body.push(b'\n');
    let failed = post(tampered).await.expect("answer");
    assert_eq!(failed.status(), 500);
    let body: Value =
        serde_json::from_slice(&failed.bytes().await.expect("body")).expect("JSON failure body");
    assert_eq!(body["code"], "FAIL");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));

    let failed = post(notification("EV-FAILS")).await.expect("answer");
    assert_eq!(failed.status(), 500);
    let body: Value =
        serde_json::from_slice(&failed.bytes().await.expect("body")).expect("JSON failure body");
    assert_eq!(body["code"], "FAIL");
    assert_eq!(
        *processed.lock().expect("lock"),
        ["EV-OK"],
        "nothing else processed"
    );

    server.abort();
}
