//! Platform-certificate mode against 127.0.0.1: certificates downloaded from
//! `GET /v3/certificates`, decrypted with the APIv3 key and verified; a server that rotates
//! its certificate mid-run is followed without a failed call; tampered downloads are
//! rejected; a public-key client never downloads, and a 404 never breaks one that has a key.

use std::sync::Arc;
use std::time::Duration;

use integration_tests::{
    keys, loopback_http_client, test_client_builder, CertTamper, MockWeChatPay, API_V3_KEY, MCHID,
    MERCHANT_SERIAL, OTHER_CERT_SERIAL, PLATFORM_CERT_SERIAL,
};
use serde_json::Value;
use wechatpay_marketing::runtime::operation::{ApiRequest, OperationMeta};
use wechatpay_marketing::{ApiV3Key, Client, ClientBuilder, Error, SignatureError};

static QUERY: OperationMeta = OperationMeta {
    id: "test.query",
    method: "GET",
    path: "/v3/test/items",
    errors: &[],
    safe_to_retry: true,
};

fn query() -> ApiRequest {
    ApiRequest {
        operation: &QUERY,
        path_and_query: "/v3/test/items".into(),
        body: None,
        multipart: None,
    }
}

/// A platform-certificate client (no public key) for `server`.
fn cert_client(server: &MockWeChatPay) -> ClientBuilder {
    Client::builder()
        .mchid(MCHID)
        .merchant_serial(MERCHANT_SERIAL)
        .merchant_private_key_pem(keys::MERCHANT_PRIVATE)
        .api_v3_key(ApiV3Key::new(API_V3_KEY).expect("key"))
        .download_platform_certificates(true)
        .certificate_refresh(Duration::from_secs(3600), Duration::from_millis(50))
        .base_url(server.base_url())
        .http_client(loopback_http_client())
}

async fn cert_server() -> MockWeChatPay {
    let server = MockWeChatPay::builder()
        .serial(PLATFORM_CERT_SERIAL)
        .start()
        .await
        .expect("mock");
    server.serve_certificates(API_V3_KEY, &[(PLATFORM_CERT_SERIAL, keys::PLATFORM_CERT)]);
    server.stub("GET", "/v3/test/items", 200, r#"{"ok":true}"#);
    server
}

fn downloads(server: &MockWeChatPay) -> usize {
    server
        .received()
        .iter()
        .filter(|r| r.path_and_query == "/v3/certificates")
        .count()
}

#[tokio::test]
async fn downloads_then_follows_a_rotation_without_a_failed_call() {
    let server = cert_server().await;
    let client = cert_client(&server).build().expect("client");
    for _ in 0..5 {
        let v: Value = client.execute(query()).await.expect("verified");
        assert_eq!(v["ok"], true);
    }
    assert_eq!(
        downloads(&server),
        1,
        "downloaded once, before the first call"
    );
    let first_call = &server.received()[1];
    assert_eq!(
        first_call.header("wechatpay-serial"),
        Some(PLATFORM_CERT_SERIAL)
    );

    // The client downloads at most once per `min_gap` (50 ms here): on a fast machine the
    // calls above finish within it, and a rotation then would be refused a download.
    tokio::time::sleep(Duration::from_millis(60)).await;
    // WeChat Pay publishes the new certificate beside the old one, then signs with it.
    server.serve_certificates(
        API_V3_KEY,
        &[
            (PLATFORM_CERT_SERIAL, keys::PLATFORM_CERT),
            (OTHER_CERT_SERIAL, keys::OTHER_CERT),
        ],
    );
    server
        .rotate_signing_key(OTHER_CERT_SERIAL, keys::OTHER_PRIVATE)
        .expect("rotate");
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.execute::<Value>(query()).await })
        })
        .collect();
    for c in calls {
        c.await
            .expect("task")
            .expect("no call fails across the rotation");
    }
    assert_eq!(
        downloads(&server),
        2,
        "one download for the unknown serial, shared by concurrent calls"
    );
    let v: Value = client.execute(query()).await.expect("verified");
    assert_eq!(v["ok"], true);
}

#[tokio::test]
async fn tampered_downloads_are_rejected() {
    for tamper in [CertTamper::Ciphertext, CertTamper::Body] {
        let server = cert_server().await;
        server.set_cert_tamper(tamper);
        let client = cert_client(&server).build().expect("client");
        let err = client.execute::<Value>(query()).await.unwrap_err();
        assert!(
            matches!(err, Error::PlatformCertificates(_)),
            "{tamper:?}: {err:?}"
        );
        let shown = err.to_string();
        match tamper {
            CertTamper::Ciphertext => assert!(shown.contains("could not be decrypted"), "{shown}"),
            _ => assert!(shown.contains("signature does not match"), "{shown}"),
        }
        assert_eq!(
            server.received().len(),
            1,
            "{tamper:?}: nothing else was sent"
        );
    }
}

#[tokio::test]
async fn a_certificate_signed_download_by_a_stranger_is_rejected() {
    // The download is signed under a serial it does not contain and the client does not
    // know: nothing can vouch for it.
    let server = cert_server().await;
    server.set_misbehavior(integration_tests::Misbehavior::UnknownSerial);
    let client = cert_client(&server).build().expect("client");
    let err = client.execute::<Value>(query()).await.unwrap_err();
    let Error::PlatformCertificates(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(msg.contains("unknown Wechatpay-Serial"), "{msg}");
}

#[tokio::test]
async fn public_key_clients_never_download_and_survive_a_404() {
    let server = MockWeChatPay::start().await.expect("mock");
    server.stub("GET", "/v3/test/items", 200, r#"{"ok":true}"#);
    let client = test_client_builder(&server).build().expect("client");
    let _: Value = client.execute(query()).await.expect("verified");
    client
        .refresh_platform_certificates()
        .await
        .expect("a no-op");
    assert_eq!(downloads(&server), 0, "public-key mode never downloads");

    // Migrating: public key and certificate download; the endpoint answers 404.
    let migrating = test_client_builder(&server)
        .api_v3_key(ApiV3Key::new(API_V3_KEY).expect("key"))
        .download_platform_certificates(true)
        .certificate_refresh(Duration::from_secs(3600), Duration::from_secs(3600))
        .build()
        .expect("client");
    for _ in 0..3 {
        let _: Value = migrating
            .execute(query())
            .await
            .expect("verified by the public key");
    }
    assert_eq!(downloads(&server), 1, "tried once, then rate-limited");
    assert!(migrating.refresh_platform_certificates().await.is_err());
}

#[tokio::test]
async fn unknown_serials_are_rate_limited_and_named() {
    let server = cert_server().await;
    let client = cert_client(&server)
        .certificate_refresh(Duration::from_secs(3600), Duration::from_secs(3600))
        .clock(Arc::new(wechatpay_marketing::SystemClock))
        .build()
        .expect("client");
    let _: Value = client.execute(query()).await.expect("verified");
    server.set_misbehavior(integration_tests::Misbehavior::UnknownSerial);
    for _ in 0..3 {
        let err = client
            .with_retry(wechatpay_marketing::RetryPolicy::none())
            .execute::<Value>(query())
            .await
            .unwrap_err();
        let Error::Signature(SignatureError::UnknownSerial { configured, .. }) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(configured, &[PLATFORM_CERT_SERIAL.to_owned()]);
    }
    assert_eq!(downloads(&server), 1, "the minimum gap holds");
}
