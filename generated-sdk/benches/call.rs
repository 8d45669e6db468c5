//! One full signed call against an in-process loopback server, and its parts (issue #13).
//!
//! The server is a bare HTTP/1.1 responder on 127.0.0.1 that answers every request with one
//! response signed once, up front, with the platform key (the client's clock is fixed at that
//! signature's timestamp), so next to nothing but the client's own work shows in `call/*`:
//! validate → serialize → sign → send → verify → decode.
//!
//! Groups (each prints a median a maintainer can compare release to release):
//! - `parts/*`: each step alone, on the same request and response as the calls — `validate`,
//!   `serialize`, `sign` (the SDK's `Authorization` value: nonce, message, RSA-2048, base64),
//!   `sign floor` (the bare aws-lc-rs signature, the reference the issue's 1.4× goal is
//!   measured against), `verify` (the response signature) and `decode`.
//! - `call/*`: `favor.create_coupon_stock` (POST, the largest 代金券 request) and
//!   `favor.list_stocks` (GET, a page of 10 stocks), end to end through the generated client,
//!   with retries on (nothing fails, so they cost nothing).
//! - `raw/*`: the same two requests by a client with no SDK — pre-serialized body, the
//!   signature made with aws-lc-rs directly, reqwest, the response signature verified with
//!   aws-lc-rs directly, the body decoded to `serde_json::Value` — the throughput reference.
//!
//! Run: `cargo bench -p wechatpay-marketing --bench call` (add `-- --quick` for a short run,
//! `-- call/` for one group).

use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

mod common;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use aws_lc_rs::signature::{ParsedPublicKey, RsaKeyPair, RSA_PKCS1_2048_8192_SHA256};
use base64::Engine as _;
use common::NOW;
use criterion::{criterion_group, criterion_main, Criterion};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivatePkcs8KeyDer;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wechatpay_marketing::favor::{CreateCouponStockResponse, ListStocksRequest, StockCollection};
use wechatpay_marketing::{Client, FixedClock, RetryPolicy, Validate};

const MERCHANT_PRIVATE: &str = include_str!("../../tests/fixtures/keys/merchant_private.pem");
const PLATFORM_PRIVATE: &str = include_str!("../../tests/fixtures/keys/platform_private.pem");
const PLATFORM_PUBLIC: &str = include_str!("../../tests/fixtures/keys/platform_public.pem");
const MCHID: &str = "1900000001";
const SERIAL: &str = "408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB";
const KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";
const NONCE: &str = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
const CREATE_PATH: &str = "/v3/marketing/favor/coupon-stocks";

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

fn list_request() -> ListStocksRequest {
    ListStocksRequest::builder()
        .offset(0)
        .limit(10)
        .stock_creator_mchid(MCHID)
        .build()
        .expect("list request")
}

/// A page of 10 stocks shaped like the page's response example.
fn list_body() -> Vec<u8> {
    let stock = json!({
        "stock_id": "9836588", "stock_creator_mchid": "123456", "stock_name": "微信支付批次",
        "status": "paused", "create_time": "2015-05-20T13:29:35.120+08:00",
        "description": "微信支付营销",
        "stock_use_rule": {
            "max_coupons": 100, "max_amount": 5000, "max_amount_by_day": 400,
            "fixed_normal_coupon": {"coupon_amount": 100, "transaction_minimum": 100},
            "max_coupons_per_user": 3, "coupon_type": "NORMAL", "goods_tag": ["123456"],
            "trade_type": ["MICROAPP"], "combine_use": true
        },
        "available_begin_time": "2015-05-20T13:29:35.120+08:00",
        "available_end_time": "2015-05-20T13:29:35.120+08:00",
        "distributed_coupons": 100, "no_cash": true,
        "start_time": "2015-05-20T13:29:35.120+08:00", "stop_time": "2015-05-20T13:29:35.120+08:00",
        "cut_to_message": {"single_price_max": 100, "cut_to_price": 80},
        "singleitem": true, "stock_type": "NORMAL", "card_id": "pX2-vjoeC94Nn-r2g5GjDwkfFH7E",
        "business_type": "MULTIUSE"
    });
    let data: Vec<_> = (0..10).map(|_| stock.clone()).collect();
    serde_json::to_vec(&json!({"total_count": 10, "data": data, "limit": 10, "offset": 0}))
        .expect("json")
}

const CREATE_BODY: &[u8] = br#"{"stock_id":"98065001","create_time":"2030-01-01T00:00:00+08:00"}"#;

/// A whole HTTP/1.1 response carrying `body`, signed once with the platform key.
fn signed_response(body: &[u8]) -> (Vec<u8>, Vec<(String, String)>) {
    let ts = NOW.to_string();
    let mut msg = format!("{ts}\n{NONCE}\n").into_bytes();
    msg.extend_from_slice(body);
    msg.push(b'\n');
    let headers = vec![
        ("Wechatpay-Timestamp".to_owned(), ts),
        ("Wechatpay-Nonce".to_owned(), NONCE.to_owned()),
        (
            "Wechatpay-Signature".to_owned(),
            sign_b64(&key(PLATFORM_PRIVATE), &msg),
        ),
        ("Wechatpay-Serial".to_owned(), KEY_ID.to_owned()),
        ("Request-ID".to_owned(), "08F78BB5AF0610".to_owned()),
    ];
    let mut out = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        body.len()
    )
    .into_bytes();
    for (k, v) in &headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    (out, headers)
}

/// Serves keep-alive connections: reads each request (headers, then `content-length` bytes)
/// and writes the canned response for its method.
async fn serve(
    listener: TcpListener,
    post: Arc<Vec<u8>>,
    get: Arc<Vec<u8>>,
    accepted: Arc<AtomicUsize>,
) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        accepted.fetch_add(1, Ordering::Relaxed);
        let (post, get) = (Arc::clone(&post), Arc::clone(&get));
        tokio::spawn(async move {
            let mut buf = Vec::with_capacity(8192);
            let mut chunk = [0u8; 8192];
            loop {
                let head_end = loop {
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                while buf.len() < head_end + len {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let answer = if head.starts_with("get ") {
                    &get
                } else {
                    &post
                };
                if sock.write_all(answer).await.is_err() {
                    return;
                }
                buf.drain(..head_end + len);
            }
        });
    }
}

fn client(addr: SocketAddr) -> Client {
    Client::builder()
        .mchid(MCHID)
        .merchant_serial(SERIAL)
        .merchant_private_key_pem(MERCHANT_PRIVATE)
        .wechatpay_public_key(KEY_ID, PLATFORM_PUBLIC)
        .base_url(format!("http://{addr}"))
        .clock(Arc::new(FixedClock(NOW)))
        .retry(RetryPolicy::default())
        .build()
        .expect("client")
}

/// The no-SDK reference: what a hand-rolled client must do at least.
struct Raw {
    http: reqwest::Client,
    base: String,
    key: RsaKeyPair,
    verifier: ParsedPublicKey,
    rng: SystemRandom,
}

impl Raw {
    fn new(addr: SocketAddr) -> Self {
        // The platform public key as PKCS#1, parsed once, as a careful hand-rolled client would.
        let platform = key(PLATFORM_PRIVATE);
        Raw {
            http: reqwest::Client::new(),
            base: format!("http://{addr}"),
            key: key(MERCHANT_PRIVATE),
            verifier: ParsedPublicKey::new(
                &RSA_PKCS1_2048_8192_SHA256,
                platform.public_key().as_ref(),
            )
            .expect("public key"),
            rng: SystemRandom::new(),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: &[u8]) -> serde_json::Value {
        let nonce = "593BEC0C930BF1AFEB40B4A08C8FB242";
        let mut msg = format!("{method}\n{path}\n{NOW}\n{nonce}\n").into_bytes();
        msg.extend_from_slice(body);
        msg.push(b'\n');
        let mut sig = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &self.rng, &msg, &mut sig)
            .expect("sign");
        let auth = format!(
            "WECHATPAY2-SHA256-RSA2048 mchid=\"{MCHID}\",nonce_str=\"{nonce}\",signature=\"{}\",timestamp=\"{NOW}\",serial_no=\"{SERIAL}\"",
            base64::engine::general_purpose::STANDARD.encode(&sig)
        );
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", auth)
            .header("Accept", "application/json");
        if !body.is_empty() {
            req = req
                .header("Content-Type", "application/json")
                .body(body.to_vec());
        }
        let mut resp = req.send().await.expect("send");
        // Taken, not cloned: the reference should not pay for work the SDK avoids.
        let h = std::mem::take(resp.headers_mut());
        let bytes = resp.bytes().await.expect("body");
        let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).expect("header");
        let mut m = format!(
            "{}\n{}\n",
            get("Wechatpay-Timestamp"),
            get("Wechatpay-Nonce")
        )
        .into_bytes();
        m.extend_from_slice(&bytes);
        m.push(b'\n');
        let sig = base64::engine::general_purpose::STANDARD
            .decode(get("Wechatpay-Signature"))
            .expect("base64");
        self.verifier.verify_sig(&m, &sig).expect("verify");
        serde_json::from_slice(&bytes).expect("decode")
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let list = list_body();
    let (post_answer, post_headers) = signed_response(CREATE_BODY);
    let (get_answer, _) = signed_response(&list);
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).expect("bind");
    let addr = listener.local_addr().expect("addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    rt.spawn(serve(
        listener,
        Arc::new(post_answer),
        Arc::new(get_answer),
        Arc::clone(&accepted),
    ));
    let client = client(addr);
    let clock = FixedClock(NOW);
    let create = common::favor_create_coupon_stock();
    let list_req = list_request();
    assert_eq!(create.validate_at(&clock), Ok(()), "the request is valid");
    let create_json = serde_json::to_vec(&create).expect("serialize");

    let mut g = c.benchmark_group("parts");
    g.bench_function("validate create_coupon_stock", |b| {
        b.iter(|| black_box(&create).validate_at(&clock))
    });
    g.bench_function("serialize create_coupon_stock", |b| {
        b.iter(|| serde_json::to_vec(black_box(&create)).expect("json"))
    });
    g.bench_function("sign (Client::authorization)", |b| {
        b.iter(|| {
            client
                .authorization("POST", CREATE_PATH, black_box(&create_json))
                .expect("sign")
        })
    });
    let floor = key(MERCHANT_PRIVATE);
    let rng = SystemRandom::new();
    g.bench_function("sign floor (aws-lc-rs RSA-2048 PKCS#1 SHA-256)", |b| {
        let mut sig = vec![0; floor.public_modulus_len()];
        b.iter(|| {
            floor
                .sign(&RSA_PKCS1_SHA256, &rng, black_box(&create_json), &mut sig)
                .expect("sign")
        })
    });
    g.bench_function("verify (Client::verify_signature)", |b| {
        b.iter(|| {
            client
                .verify_signature(&post_headers, black_box(CREATE_BODY))
                .expect("verified")
        })
    });
    g.bench_function("decode create_coupon_stock", |b| {
        b.iter(|| {
            serde_json::from_slice::<CreateCouponStockResponse>(black_box(CREATE_BODY))
                .expect("decode")
        })
    });
    g.bench_function("decode list_stocks (10 stocks)", |b| {
        b.iter(|| serde_json::from_slice::<StockCollection>(black_box(&list)).expect("decode"))
    });
    g.finish();

    // Warm the connection pools so the first measured call does not pay for connect.
    rt.block_on(async {
        client
            .favor()
            .create_coupon_stock(&create)
            .await
            .expect("call");
    });
    let mut g = c.benchmark_group("call");
    g.bench_function("favor.create_coupon_stock", |b| {
        b.iter(|| {
            rt.block_on(client.favor().create_coupon_stock(black_box(&create)))
                .expect("call")
        })
    });
    g.bench_function("favor.list_stocks", |b| {
        b.iter(|| {
            rt.block_on(client.favor().list_stocks(black_box(&list_req)))
                .expect("call")
        })
    });
    g.finish();

    let raw = Raw::new(addr);
    rt.block_on(raw.call(reqwest::Method::POST, CREATE_PATH, &create_json));
    let list_path =
        format!("/v3/marketing/favor/stocks?offset=0&limit=10&stock_creator_mchid={MCHID}");
    let mut g = c.benchmark_group("raw");
    g.bench_function("POST coupon-stocks (no SDK)", |b| {
        b.iter(|| {
            rt.block_on(raw.call(reqwest::Method::POST, CREATE_PATH, black_box(&create_json)))
        })
    });
    g.bench_function("GET stocks (no SDK)", |b| {
        b.iter(|| rt.block_on(raw.call(reqwest::Method::GET, &list_path, b"")))
    });
    g.finish();
    // Sequential throughput, SDK and no-SDK interleaved in rounds so drift on a shared
    // machine hits both alike (criterion runs groups one after the other).
    let (rounds, calls) = (11, 500);
    let (mut sdk, mut bare) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        rt.block_on(async {
            for _ in 0..calls {
                client
                    .favor()
                    .create_coupon_stock(&create)
                    .await
                    .expect("call");
            }
        });
        sdk.push(calls as f64 / t.elapsed().as_secs_f64());
        let t = std::time::Instant::now();
        rt.block_on(async {
            for _ in 0..calls {
                raw.call(reqwest::Method::POST, CREATE_PATH, &create_json)
                    .await;
            }
        });
        bare.push(calls as f64 / t.elapsed().as_secs_f64());
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (sdk, bare) = (median(&mut sdk), median(&mut bare));
    println!(
        "sequential throughput, create_coupon_stock, median of {rounds} interleaved rounds of {calls}: \
         SDK {sdk:.0} req/s, no-SDK client {bare:.0} req/s, ratio {:.2}",
        sdk / bare
    );
    // Keep-alive works when this stays at 2 (one connection per client).
    println!(
        "connections accepted by the loopback server: {}",
        accepted.load(Ordering::Relaxed)
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
