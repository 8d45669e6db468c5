//! Notifications end to end: every documented event type of the registry (`Event::kinds()`)
//! routed from a server-signed, encrypted callback; unknown events; typed parsers refusing
//! other event types; the framework-neutral handler's documented replies, size cap and
//! duplicate hook; and errors that never show decrypted payloads or keys.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use integration_tests::{keys, test_client, MockWeChatPay, SignedNotification, API_V3_KEY};
use serde_json::{json, Value};
use wechatpay_marketing::busifavor::{CouponSendPayload, COUPON_SEND_NOTIFICATION};
use wechatpay_marketing::{
    ApiV3Key, Client, Delivery, Error, Event, NotificationError, NotificationKind, SignatureError,
};

/// The decrypted-payload examples (`- kind: payload`) of every notification in `spec/`, by
/// event type: read from the spec files, so a newly documented example is tested at once.
fn spec_payload_examples() -> HashMap<String, String> {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let mut out = HashMap::new();
    for family in std::fs::read_dir(&spec).expect("spec/").flatten() {
        let Ok(files) = std::fs::read_dir(family.path()) else {
            continue;
        };
        for file in files.flatten() {
            let text = std::fs::read_to_string(file.path()).unwrap_or_default();
            let Some(at) = text.find("\nnotifications:\n") else {
                continue;
            };
            let lines: Vec<&str> = text[at + 1..].lines().collect();
            let indent = |l: &str| l.len() - l.trim_start().len();
            let mut event_type = None;
            let mut i = 0;
            while i < lines.len() {
                let line = lines[i];
                if indent(line) == 2 && line.trim_end().ends_with(':') {
                    event_type = None; // the next notification entry
                }
                if let Some(t) = line.trim().strip_prefix("event_type: ") {
                    event_type = Some(t.trim().to_owned());
                }
                if line.trim() == "- kind: payload" {
                    let item = indent(line);
                    let mut j = i + 1;
                    while j < lines.len() && (lines[j].trim().is_empty() || indent(lines[j]) > item)
                    {
                        if lines[j].trim() == "body: |" {
                            let outer = indent(lines[j]);
                            let body: Vec<&str> = lines[j + 1..]
                                .iter()
                                .take_while(|l| l.trim().is_empty() || indent(l) > outer)
                                .copied()
                                .collect();
                            if let Some(t) = &event_type {
                                out.insert(t.clone(), body.join("\n"));
                            }
                        }
                        j += 1;
                    }
                    i = j;
                    continue;
                }
                i += 1;
            }
        }
    }
    out
}

/// Payloads for the event types the tests know a valid plaintext of: the spec's examples,
/// and a hand-written one where the spec has none. Kinds without one are still routed
/// (their typed decoder is reached), see `every_documented_event_type_is_routed`.
fn payload_for(event_type: &str) -> Option<String> {
    known_payload(event_type)
        .map(str::to_owned)
        .or_else(|| spec_payload_examples().remove(event_type))
}

fn known_payload(event_type: &str) -> Option<&'static str> {
    match event_type {
        "COUPON.SEND" => Some(
            r#"{"event_type":"EVENT_TYPE_BUSICOUPON_SEND","coupon_code":"1227944959000000911017","stock_id":"1286950000000039","send_time":"2019-12-12T16:54:38+08:00","openid":"oSECRET_OPENID_1234567890","unionid":"oSECRET_UNIONID_987654321","send_channel":"BUSICOUPON_SEND_CHANNEL_PAYGIFT","send_merchant":"1900009191"}"#,
        ),
        _ => None,
    }
}

fn notification_for(
    server: &MockWeChatPay,
    kind: &NotificationKind,
    id: &str,
    payload: &str,
) -> SignedNotification {
    server
        .event_notification(
            id,
            kind.event_type,
            kind.original_type.or(Some("coupon")),
            kind.associated_data.unwrap_or("coupon"),
            payload,
            API_V3_KEY,
        )
        .expect("notification")
}

fn key() -> ApiV3Key {
    ApiV3Key::new(API_V3_KEY).expect("key")
}

fn request(n: &SignedNotification) -> http::Request<Bytes> {
    let mut r = http::Request::post("/notify");
    for (k, v) in &n.headers {
        r = r.header(k, v);
    }
    r.body(Bytes::from(n.body.clone())).expect("request")
}

#[tokio::test]
async fn every_documented_event_type_is_routed() {
    let server = MockWeChatPay::start().await.expect("mock");
    let client = test_client(&server).expect("client");
    let kinds = Event::kinds();
    assert!(
        kinds.iter().any(|k| k.event_type == "COUPON.SEND"),
        "the registry comes from the spec"
    );
    let types: HashSet<(&str, Option<&str>)> = kinds
        .iter()
        .map(|k| (k.event_type, k.original_type))
        .collect();
    assert_eq!(types.len(), kinds.len(), "each kind is routable on its own");
    let mut typed = 0;
    for kind in kinds {
        let payload = payload_for(kind.event_type);
        let n = notification_for(&server, kind, "EV-1", payload.as_deref().unwrap_or("{}"));
        match client.parse_event(&key(), &n.headers, &n.body) {
            Ok(event) => {
                assert_eq!(event.kind().map(|k| k.id), Some(kind.id), "{}", kind.id);
                assert_eq!(event.event_type(), kind.event_type);
                assert_eq!(event.id(), "EV-1");
                typed += usize::from(payload.is_some());
            }
            // No valid payload known: the typed decoder of this kind was reached.
            Err(Error::Notification(NotificationError::Payload { event_type, .. })) => {
                assert!(
                    payload.is_none(),
                    "{}: its example does not decode",
                    kind.id
                );
                assert_eq!(event_type, kind.event_type);
            }
            Err(e) => panic!("{}: {e}", kind.id),
        }
    }
    assert!(
        typed >= 2,
        "COUPON.SEND and every spec payload example decode fully"
    );
}

#[tokio::test]
async fn coupon_send_is_typed() {
    let server = MockWeChatPay::start().await.expect("mock");
    let client = test_client(&server).expect("client");
    let payload = known_payload("COUPON.SEND").expect("payload");
    let n = notification_for(&server, &COUPON_SEND_NOTIFICATION, "EV-2", payload);
    let event = client
        .parse_event(&key(), &n.headers, &n.body)
        .expect("event");
    let Event::BusifavorCouponSend(send) = &event else {
        panic!("{event:?}")
    };
    let expected: CouponSendPayload = serde_json::from_str(payload).expect("typed");
    assert_eq!(send.payload, expected);
    // The typed parser accepts the same notification.
    let typed = client
        .busifavor()
        .parse_coupon_send_notification(&key(), &n.headers, &n.body)
        .expect("typed");
    assert_eq!(typed.payload, expected);
}

#[tokio::test]
async fn unknown_event_types_come_back_with_their_json() {
    let server = MockWeChatPay::start().await.expect("mock");
    let client = test_client(&server).expect("client");
    let plaintext = r#"{"synthetic":true,"n":1}"#;
    let n = server
        .event_notification(
            "EV-3",
            "MARKETING.SYNTHETIC",
            None,
            "",
            plaintext,
            API_V3_KEY,
        )
        .expect("notification");
    let event = client
        .parse_event(&key(), &n.headers, &n.body)
        .expect("event");
    let Event::Unknown(u) = &event else {
        panic!("{event:?}")
    };
    assert_eq!(u.payload, json!({"synthetic": true, "n": 1}));
    assert_eq!(event.kind(), None);
    assert_eq!(event.event_type(), "MARKETING.SYNTHETIC");
}

#[tokio::test]
async fn typed_parser_refuses_another_event_type_and_resource_type() {
    let server = MockWeChatPay::start().await.expect("mock");
    let client = test_client(&server).expect("client");
    let payload = known_payload("COUPON.SEND").expect("payload");
    for other in ["COUPON.USE", "PRODUCT_COUPON_SP.SEND"] {
        let n = server
            .event_notification("EV-4", other, Some("coupon"), "coupon", payload, API_V3_KEY)
            .expect("notification");
        let err = client
            .busifavor()
            .parse_coupon_send_notification(&key(), &n.headers, &n.body)
            .unwrap_err();
        assert!(
            matches!(&err, Error::Notification(NotificationError::EventType { expected: "COUPON.SEND", actual }) if actual == other),
            "{err:?}"
        );
    }

    static DOCUMENTED: NotificationKind = NotificationKind {
        id: "test.coupon_use",
        event_type: "COUPON.USE",
        original_type: Some("coupon"),
        associated_data: Some("coupon"),
    };
    let n = server
        .event_notification(
            "EV-5",
            "COUPON.USE",
            Some("transaction"),
            "coupon",
            "{}",
            API_V3_KEY,
        )
        .expect("notification");
    let err = client
        .parse_notification_kind::<Value>(&DOCUMENTED, &key(), &n.headers, &n.body)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Notification(NotificationError::Resource {
                field: "original_type",
                ..
            })
        ),
        "{err:?}"
    );
    assert!(!DOCUMENTED.matches(&serde_json::from_slice(&n.body).expect("envelope")));
}

#[tokio::test]
async fn handler_answers_as_documented() {
    let server = MockWeChatPay::start().await.expect("mock");
    let client = test_client(&server).expect("client");
    let seen: Arc<Mutex<HashSet<String>>> = Arc::default();
    let seen_hook = Arc::clone(&seen);
    let handler = client
        .notification_handler(key())
        .max_body_bytes(4096)
        .duplicate_check(move |id| seen_hook.lock().expect("lock").contains(id));
    let payload = known_payload("COUPON.SEND").expect("payload");
    let n = notification_for(&server, &COUPON_SEND_NOTIFICATION, "EV-6", payload);

    let delivery = handler.handle(request(&n)).await;
    let Delivery::Event(event) = &delivery else {
        panic!("{delivery:?}")
    };
    assert_eq!(event.id(), "EV-6");
    let ack = delivery.ack();
    assert_eq!(ack.status(), 204);
    assert!(ack.body().is_empty());

    // Handled: the re-delivery is a duplicate, acknowledged with success.
    seen.lock().expect("lock").insert("EV-6".into());
    let again = handler.handle(request(&n)).await;
    assert!(
        matches!(&again, Delivery::Duplicate { id, .. } if id == "EV-6"),
        "{again:?}"
    );
    assert_eq!(again.ack().status(), 204);

    // Tampered: the documented failure reply.
    let mut bad = n.clone();
    bad.body.push(b' ');
    let rejected = handler.handle(request(&bad)).await;
    assert!(
        matches!(
            &rejected,
            Delivery::Rejected(Error::Notification(NotificationError::Signature(
                SignatureError::BadSignature
            )))
        ),
        "{rejected:?}"
    );
    let reply = rejected.ack();
    assert_eq!(reply.status(), 500);
    let body: Value = serde_json::from_slice(reply.body()).expect("JSON");
    assert_eq!(body["code"], "FAIL");
    assert!(body["message"].is_string());

    // Too large: refused before anything is parsed.
    let mut big = n.clone();
    big.body = vec![b' '; 5000];
    let rejected = handler.handle(request(&big)).await;
    assert!(
        matches!(
            &rejected,
            Delivery::Rejected(Error::Notification(NotificationError::BodyTooLarge {
                limit: 4096
            }))
        ),
        "{rejected:?}"
    );
    assert_eq!(rejected.ack().status(), 500);
}

/// Secrets that must never appear in any error's `Display` or `Debug`.
fn assert_no_secrets(what: &str, shown: &str) {
    let private_key_line = keys::MERCHANT_PRIVATE
        .lines()
        .nth(3)
        .expect("a base64 line of the private key");
    for secret in [
        "oSECRET_OPENID",
        "oSECRET_UNIONID",
        API_V3_KEY,
        private_key_line,
        "PRIVATE KEY",
    ] {
        assert!(!shown.contains(secret), "{what} shows {secret:?}: {shown}");
    }
}

#[tokio::test]
async fn no_error_shows_decrypted_payloads_or_keys() {
    let server = MockWeChatPay::start().await.expect("mock");
    let client = test_client(&server).expect("client");
    let mut errors: Vec<Error> = Vec::new();

    // Decrypted payloads that do not decode: a wrong type next to the personal fields,
    // another with the openid where a number belongs.
    for plaintext in [
        r#"{"event_type":"EVENT_TYPE_BUSICOUPON_SEND","coupon_code":12,"stock_id":"1","send_time":"x","openid":"oSECRET_OPENID_1","unionid":"oSECRET_UNIONID_2","send_channel":"A","send_merchant":"1"}"#,
        r#"{"coupon_code":"oSECRET_OPENID_3","stock_id":["oSECRET_UNIONID_4"]}"#,
        r#"{"openid":"oSECRET_OPENID_5""#,
    ] {
        let n = notification_for(&server, &COUPON_SEND_NOTIFICATION, "EV-7", plaintext);
        errors.push(
            client
                .busifavor()
                .parse_coupon_send_notification(&key(), &n.headers, &n.body)
                .unwrap_err(),
        );
        match client.notification_handler(key()).handle(request(&n)).await {
            Delivery::Rejected(e) => errors.push(e),
            other => panic!("{other:?}"),
        }
    }
    // Wrong APIv3 key, bad signature, verified 2xx body that does not decode.
    let n = notification_for(
        &server,
        &COUPON_SEND_NOTIFICATION,
        "EV-8",
        known_payload("COUPON.SEND").expect("payload"),
    );
    let wrong = ApiV3Key::new("0123456789abcdef0123456789abcdef").expect("key");
    errors.push(
        client
            .busifavor()
            .parse_coupon_send_notification(&wrong, &n.headers, &n.body)
            .unwrap_err(),
    );
    server.stub(
        "GET",
        "/v3/marketing/busifavor/stocks/1",
        200,
        r#"{"stock_name":["oSECRET_OPENID_6"]}"#,
    );
    let req = wechatpay_marketing::busifavor::QueryStockRequest::builder()
        .stock_id("1")
        .build()
        .expect("request");
    match client.busifavor().query_stock(&req).await {
        Err(e) => errors.push(e),
        Ok(v) => panic!("{v:?}"),
    }
    // Configuration errors around keys.
    errors.push(
        Client::builder()
            .mchid("1")
            .merchant_serial("S")
            .merchant_private_key_pem(&keys::MERCHANT_PRIVATE[..400])
            .wechatpay_public_key("PUB_KEY_ID_1", keys::MERCHANT_PRIVATE)
            .build()
            .unwrap_err(),
    );
    errors.push(ApiV3Key::new(&API_V3_KEY[..31]).unwrap_err());

    assert!(errors.len() >= 9);
    for e in &errors {
        assert_no_secrets("Display", &e.to_string());
        assert_no_secrets("Debug", &format!("{e:?}"));
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            assert_no_secrets("source", &format!("{s} {s:?}"));
            source = s.source();
        }
    }
    assert_no_secrets("Client", &format!("{client:?}"));
    assert_no_secrets("ApiV3Key", &format!("{:?}", key()));
    assert_no_secrets(
        "handler",
        &format!("{:?}", client.notification_handler(key())),
    );
}
