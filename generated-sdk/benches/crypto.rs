//! Client CPU per call on the crypto path (issue #13): the Authorization signature (RSA-2048
//! PKCS#1 v1.5 SHA-256), response verification, and notification verification + AES-256-GCM
//! decryption, through the SDK's public API and, for comparison, the bare aws-lc-rs
//! primitive (the floor). `cargo bench -p wechatpay-marketing --bench crypto`.

use std::hint::black_box;
use std::sync::Arc;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use base64::Engine as _;
use criterion::{criterion_group, criterion_main, Criterion};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivatePkcs8KeyDer;
use wechatpay_marketing::{ApiV3Key, Client, FixedClock};

const MERCHANT_PRIVATE: &str = include_str!("../../tests/fixtures/keys/merchant_private.pem");
const PLATFORM_PRIVATE: &str = include_str!("../../tests/fixtures/keys/platform_private.pem");
const PLATFORM_PUBLIC: &str = include_str!("../../tests/fixtures/keys/platform_public.pem");
const KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";
const API_V3_KEY: &str = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
const NOW: i64 = 1_700_000_000;
const BODY: &[u8] = br#"{"stock_id":"9856000","out_request_no":"89560002019101000121","appid":"wx233544546545989","stock_creator_mchid":"1900000001"}"#;

fn key(pem: &str) -> RsaKeyPair {
    let der = PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes()).expect("pem");
    RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).expect("key")
}

fn sign_b64(k: &RsaKeyPair, msg: &[u8]) -> String {
    let mut sig = vec![0; k.public_modulus_len()];
    k.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), msg, &mut sig)
        .expect("sign");
    base64::engine::general_purpose::STANDARD.encode(sig)
}

fn signed_headers(body: &[u8]) -> Vec<(String, String)> {
    let ts = NOW.to_string();
    let nonce = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
    let mut msg = format!("{ts}\n{nonce}\n").into_bytes();
    msg.extend_from_slice(body);
    msg.push(b'\n');
    vec![
        ("Wechatpay-Timestamp".into(), ts),
        ("Wechatpay-Nonce".into(), nonce.into()),
        (
            "Wechatpay-Signature".into(),
            sign_b64(&key(PLATFORM_PRIVATE), &msg),
        ),
        ("Wechatpay-Serial".into(), KEY_ID.into()),
    ]
}

fn client() -> Client {
    Client::builder()
        .mchid("1900000001")
        .merchant_serial("408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB")
        .merchant_private_key_pem(MERCHANT_PRIVATE)
        .wechatpay_public_key(KEY_ID, PLATFORM_PUBLIC)
        .base_url("http://127.0.0.1:1")
        .clock(Arc::new(FixedClock(NOW)))
        .build()
        .expect("client")
}

fn bench(c: &mut Criterion) {
    let client = client();
    let raw = key(MERCHANT_PRIVATE);
    let rng = SystemRandom::new();
    let mut g = c.benchmark_group("sign");
    g.bench_function("aws-lc-rs RSA-2048 PKCS#1 v1.5 SHA-256 (floor)", |b| {
        let mut sig = vec![0; raw.public_modulus_len()];
        b.iter(|| raw.sign(&RSA_PKCS1_SHA256, &rng, black_box(BODY), &mut sig))
    });
    g.bench_function(
        "Client::authorization (nonce, message, sign, base64)",
        |b| {
            b.iter(|| {
                client.authorization(
                    "POST",
                    "/v3/marketing/favor/users/o1/coupons",
                    black_box(BODY),
                )
            })
        },
    );
    g.finish();

    let headers = signed_headers(BODY);
    c.bench_function("verify/Client::verify_signature", |b| {
        b.iter(|| client.verify_signature(&headers, black_box(BODY)))
    });

    let plaintext = br#"{"event_type":"EVENT_TYPE_BUSICOUPON_SEND","coupon_code":"1227944959000000911017","stock_id":"1286950000000039","send_time":"2019-12-12T16:54:38+08:00","send_channel":"BUSICOUPON_SEND_CHANNEL_PAYGIFT","send_merchant":"1900009191"}"#;
    let mut ct = plaintext.to_vec();
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, API_V3_KEY.as_bytes()).expect("key"))
        .seal_in_place_append_tag(
            Nonce::try_assume_unique_for_key(b"j9g1wAzF9Xn1").expect("nonce"),
            Aad::from(b"coupon"),
            &mut ct,
        )
        .expect("seal");
    let body = serde_json::json!({
        "id": "8b33f79f-8869-5ae5-b41b-3c0b59f957d0",
        "create_time": "2019-12-12T16:54:38+08:00",
        "resource_type": "encrypt-resource",
        "event_type": "COUPON.SEND",
        "summary": "商家券领券通知",
        "resource": {"original_type": "coupon", "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64::engine::general_purpose::STANDARD.encode(ct),
            "associated_data": "coupon", "nonce": "j9g1wAzF9Xn1"}
    })
    .to_string()
    .into_bytes();
    let headers = signed_headers(&body);
    let api_v3_key = ApiV3Key::new(API_V3_KEY).expect("key");
    c.bench_function(
        "notification/Client::parse_event (verify, route, decrypt, decode)",
        |b| {
            b.iter(|| {
                client
                    .parse_event(&api_v3_key, &headers, black_box(&body))
                    .expect("event")
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
