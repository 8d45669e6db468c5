//! `MockWeChatPay`: a real HTTP/1.1 server on 127.0.0.1 that checks request signatures with
//! the merchant public key and signs its answers with the platform key, with knobs to misbehave.
//!
//! It deliberately shares no code with the SDK's runtime: PEM decoding, SPKI handling,
//! Authorization parsing and signing are re-done here so a bug in one is not hidden by the
//! same bug in the other.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{
    RsaKeyPair, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
};
use base64::Engine as _;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The test keys (RSA-2048), see `fixtures/keys/README.md`.
pub mod keys {
    /// Signs requests (the merchant's `apiclient_key.pem`).
    pub const MERCHANT_PRIVATE: &str = include_str!("../fixtures/keys/merchant_private.pem");
    /// Verifies requests, on the server side.
    pub const MERCHANT_PUBLIC: &str = include_str!("../fixtures/keys/merchant_public.pem");
    /// Signs responses and notifications (WeChat Pay's side).
    pub const PLATFORM_PRIVATE: &str = include_str!("../fixtures/keys/platform_private.pem");
    /// The "WeChat Pay public key" the client verifies with.
    pub const PLATFORM_PUBLIC: &str = include_str!("../fixtures/keys/platform_public.pem");
    /// A self-signed certificate over the platform key, serial [`super::PLATFORM_CERT_SERIAL`].
    pub const PLATFORM_CERT: &str = include_str!("../fixtures/keys/platform_cert.pem");
    /// An unrelated key, for "signed with the wrong key" tests.
    pub const OTHER_PRIVATE: &str = include_str!("../fixtures/keys/other_private.pem");
    /// A self-signed certificate over the "other" key, serial [`super::OTHER_CERT_SERIAL`]:
    /// the platform certificate WeChat Pay rotates to in the certificate tests.
    pub const OTHER_CERT: &str = include_str!("../fixtures/keys/other_cert.pem");
}

/// The serial number inside `other_cert.pem`.
pub const OTHER_CERT_SERIAL: &str = "7E2A90C4D1B35F6E8A0C2D4F6B8E1A3C5D7F9B21";

/// The merchant id the mock expects.
pub const MCHID: &str = "1900009191";
/// The merchant certificate serial the mock expects.
pub const MERCHANT_SERIAL: &str = "408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB";
/// The WeChat Pay public key id the mock signs under by default.
pub const PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";
/// The serial number inside `platform_cert.pem`.
pub const PLATFORM_CERT_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
/// A 32-byte APIv3 key for notification tests.
pub const API_V3_KEY: &str = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";

/// Ways the mock can misbehave when answering, for negative tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Misbehavior {
    /// Answer correctly.
    #[default]
    None,
    /// Change the body after signing it.
    TamperBody,
    /// Sign with a timestamp 10 minutes in the past.
    StaleTimestamp,
    /// Announce a `Wechatpay-Serial` the client does not know.
    UnknownSerial,
    /// Sign with `other_private.pem` under the right serial.
    WrongKey,
    /// Send no `Wechatpay-*` signature headers at all.
    OmitSignatureHeaders,
}

/// A request as the mock received it off the wire.
#[derive(Debug, Clone)]
pub struct ReceivedRequest {
    /// HTTP method.
    pub method: String,
    /// Path and query exactly as on the request line.
    pub path_and_query: String,
    /// All headers (names lower-case), in arrival order.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// `Ok` if the Authorization header verified, else why not.
    pub auth: Result<(), String>,
    /// The `nonce_str` of the Authorization header.
    pub nonce: String,
    /// For a `multipart/form-data` request: its parts, in order.
    pub parts: Vec<Part>,
}

/// One part of a `multipart/form-data` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The form name.
    pub name: String,
    /// The file name, for a file part.
    pub filename: Option<String>,
    /// The part's Content-Type.
    pub content_type: Option<String>,
    /// The part's bytes.
    pub body: Vec<u8>,
}

/// An answer chosen by a [`MockWeChatPay::set_handler`] hook.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Sign the answer (`Wechatpay-*` headers) like WeChat Pay.
    pub sign: bool,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Close the connection without answering (after the request was read).
    pub drop_connection: bool,
}

impl Reply {
    /// A signed JSON answer.
    pub fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            body: body.into().into_bytes(),
            sign: true,
            ..Reply::default()
        }
    }

    /// An unsigned answer (a file download, a gateway page).
    pub fn unsigned(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            body: body.into(),
            ..Reply::default()
        }
    }

    /// Read the request, then hang up without answering.
    pub fn drop_connection() -> Reply {
        Reply {
            drop_connection: true,
            ..Reply::default()
        }
    }

    /// The same answer after `delay`.
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// With an extra header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// How the mock corrupts its `GET /v3/certificates` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CertTamper {
    /// Answer correctly.
    #[default]
    None,
    /// Flip a byte of a certificate's ciphertext, then sign the (altered) download.
    Ciphertext,
    /// Change the body after signing it.
    Body,
}

/// The APIv3 key and the `(serial, certificate PEM)` pairs `GET /v3/certificates` serves.
type ServedCertificates = (String, Vec<(String, String)>);

type Handler = dyn Fn(&ReceivedRequest) -> Option<Reply> + Send + Sync;

impl ReceivedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A signed, encrypted notification, as WeChat Pay would POST it to the merchant.
#[derive(Debug, Clone)]
pub struct SignedNotification {
    /// The `Wechatpay-*` headers.
    pub headers: Vec<(String, String)>,
    /// The JSON envelope.
    pub body: Vec<u8>,
}

#[derive(Debug, Clone)]
struct Stub {
    method: String,
    path: String,
    prefix: bool,
    status: u16,
    body: String,
}

struct State {
    mchid: String,
    merchant_serial: String,
    /// The serial the mock signs under.
    serial: Mutex<String>,
    /// Serials accepted in the request `Wechatpay-Serial` header.
    accepted: Mutex<Vec<String>>,
    merchant_public: Vec<u8>,
    platform_key: Mutex<Arc<RsaKeyPair>>,
    other_key: RsaKeyPair,
    handler: Mutex<Option<Arc<Handler>>>,
    certificates: Mutex<Option<ServedCertificates>>,
    cert_tamper: Mutex<CertTamper>,
    rng: SystemRandom,
    stubs: Mutex<Vec<Stub>>,
    received: Mutex<Vec<ReceivedRequest>>,
    misbehavior: Mutex<Misbehavior>,
    delay: Mutex<Duration>,
    request_ids: AtomicU64,
}

/// Locks, ignoring poisoning (a panicking test must not hide other failures).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Configures a [`MockWeChatPay`].
#[derive(Debug, Clone)]
pub struct MockWeChatPayBuilder {
    mchid: String,
    merchant_serial: String,
    serial: String,
}

impl Default for MockWeChatPayBuilder {
    fn default() -> Self {
        MockWeChatPayBuilder {
            mchid: MCHID.to_owned(),
            merchant_serial: MERCHANT_SERIAL.to_owned(),
            serial: PUBLIC_KEY_ID.to_owned(),
        }
    }
}

impl MockWeChatPayBuilder {
    /// The merchant id requests must carry.
    pub fn mchid(mut self, mchid: &str) -> Self {
        mchid.clone_into(&mut self.mchid);
        self
    }

    /// The merchant serial requests must carry.
    pub fn merchant_serial(mut self, serial: &str) -> Self {
        serial.clone_into(&mut self.merchant_serial);
        self
    }

    /// The id the mock signs under and expects in the request `Wechatpay-Serial` header:
    /// a `PUB_KEY_ID_…` or a platform certificate serial.
    pub fn serial(mut self, serial: &str) -> Self {
        serial.clone_into(&mut self.serial);
        self
    }

    /// Binds 127.0.0.1 on a random port and starts serving on the current tokio runtime.
    pub async fn start(self) -> std::io::Result<MockWeChatPay> {
        let bad = |what: &str| std::io::Error::other(format!("fixture key {what} unusable"));
        let merchant_public = rsa2048_pkcs1_from_spki_pem(keys::MERCHANT_PUBLIC)
            .ok_or_else(|| bad("merchant_public"))?;
        let platform_key =
            Arc::new(pkcs8_key(keys::PLATFORM_PRIVATE).ok_or_else(|| bad("platform_private"))?);
        let other_key = pkcs8_key(keys::OTHER_PRIVATE).ok_or_else(|| bad("other_private"))?;
        let state = Arc::new(State {
            mchid: self.mchid,
            merchant_serial: self.merchant_serial,
            accepted: Mutex::new(vec![self.serial.clone()]),
            serial: Mutex::new(self.serial),
            merchant_public,
            platform_key: Mutex::new(platform_key),
            other_key,
            handler: Mutex::new(None),
            certificates: Mutex::new(None),
            cert_tamper: Mutex::new(CertTamper::None),
            rng: SystemRandom::new(),
            stubs: Mutex::new(Vec::new()),
            received: Mutex::new(Vec::new()),
            misbehavior: Mutex::new(Misbehavior::None),
            delay: Mutex::new(Duration::ZERO),
            request_ids: AtomicU64::new(1),
        });
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let accept_state = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&accept_state);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let state = Arc::clone(&state);
                        async move {
                            state.handle(req).await.ok_or_else(|| {
                                std::io::Error::other("dropping the connection on purpose")
                            })
                        }
                    });
                    // A client hanging up mid-request is not the mock's problem.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(MockWeChatPay { addr, state, task })
    }
}

/// A signature-checking, response-signing WeChat Pay stand-in on 127.0.0.1.
/// Stops accepting connections when dropped.
pub struct MockWeChatPay {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl Drop for MockWeChatPay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MockWeChatPay {
    /// Configure a mock (mchid, serials).
    pub fn builder() -> MockWeChatPayBuilder {
        MockWeChatPayBuilder::default()
    }

    /// A mock with the default ids ([`MCHID`], [`MERCHANT_SERIAL`], [`PUBLIC_KEY_ID`]).
    pub async fn start() -> std::io::Result<MockWeChatPay> {
        MockWeChatPayBuilder::default().start().await
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers `method path_and_query` (exact match) with `status` and `body`.
    /// Later stubs win over earlier ones.
    pub fn stub(&self, method: &str, path_and_query: &str, status: u16, body: &str) {
        self.push_stub(method, path_and_query, false, status, body);
    }

    /// Answers every `method` request whose path-and-query starts with `prefix`.
    pub fn stub_prefix(&self, method: &str, prefix: &str, status: u16, body: &str) {
        self.push_stub(method, prefix, true, status, body);
    }

    fn push_stub(&self, method: &str, path: &str, prefix: bool, status: u16, body: &str) {
        lock(&self.state.stubs).push(Stub {
            method: method.to_owned(),
            path: path.to_owned(),
            prefix,
            status,
            body: body.to_owned(),
        });
    }

    /// Answers requests with `handler` first (stubs and the built-in routes when it returns
    /// `None`). It sees each request after its signature was checked (see `auth`).
    pub fn set_handler(
        &self,
        handler: impl Fn(&ReceivedRequest) -> Option<Reply> + Send + Sync + 'static,
    ) {
        *lock(&self.state.handler) = Some(Arc::new(handler));
    }

    /// From now on, sign answers with `private_pem` under `serial` (a certificate
    /// rotation); `serial` is also accepted in requests, beside the earlier ones.
    pub fn rotate_signing_key(&self, serial: &str, private_pem: &str) -> Result<(), String> {
        let key = pkcs8_key(private_pem).ok_or("unusable private key")?;
        *lock(&self.state.platform_key) = Arc::new(key);
        serial.clone_into(&mut lock(&self.state.serial));
        lock(&self.state.accepted).push(serial.to_owned());
        Ok(())
    }

    /// Serves `GET /v3/certificates`: each `(serial, certificate PEM)` encrypted with
    /// `api_v3_key` (AAD `certificate`), valid from 2020 to 2099.
    pub fn serve_certificates(&self, api_v3_key: &str, certificates: &[(&str, &str)]) {
        let certs = certificates
            .iter()
            .map(|(s, p)| ((*s).to_owned(), (*p).to_owned()))
            .collect();
        *lock(&self.state.certificates) = Some((api_v3_key.to_owned(), certs));
    }

    /// How to corrupt `GET /v3/certificates` answers from now on.
    pub fn set_cert_tamper(&self, t: CertTamper) {
        *lock(&self.state.cert_tamper) = t;
    }

    /// How to misbehave from now on.
    pub fn set_misbehavior(&self, m: Misbehavior) {
        *lock(&self.state.misbehavior) = m;
    }

    /// Wait this long before answering (after recording the request).
    pub fn set_delay(&self, delay: Duration) {
        *lock(&self.state.delay) = delay;
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<ReceivedRequest> {
        lock(&self.state.received).clone()
    }

    /// `Wechatpay-*` headers signing `body` with the platform key, as on a notification.
    pub fn sign_headers(&self, body: &[u8]) -> Vec<(String, String)> {
        self.state.signature_headers(body, Misbehavior::None)
    }

    /// A `COUPON.USE`-style notification whose resource is `plaintext_json` encrypted
    /// with `api_v3_key` (AAD `coupon`), signed like WeChat Pay signs callbacks.
    pub fn notification(
        &self,
        plaintext_json: &str,
        api_v3_key: &str,
    ) -> Result<SignedNotification, String> {
        let nonce = random_alphanumeric(&self.state.rng, 12);
        let ciphertext = encrypt_resource(api_v3_key, &nonce, "coupon", plaintext_json.as_bytes())?;
        let body = serde_json::json!({
            "id": "EV-2018022511223320873",
            "create_time": "2015-05-20T13:29:35+08:00",
            "resource_type": "encrypt-resource",
            "event_type": "COUPON.USE",
            "summary": "代金券核销通知",
            "resource": {
                "original_type": "coupon",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": ciphertext,
                "associated_data": "coupon",
                "nonce": nonce,
            }
        })
        .to_string()
        .into_bytes();
        Ok(SignedNotification {
            headers: self.sign_headers(&body),
            body,
        })
    }
}

impl MockWeChatPay {
    /// A notification of any `event_type`: `plaintext_json` encrypted with `api_v3_key`
    /// under `associated_data`, `original_type` in the resource, signed like WeChat Pay.
    pub fn event_notification(
        &self,
        id: &str,
        event_type: &str,
        original_type: Option<&str>,
        associated_data: &str,
        plaintext_json: &str,
        api_v3_key: &str,
    ) -> Result<SignedNotification, String> {
        let nonce = random_alphanumeric(&self.state.rng, 12);
        let ciphertext = encrypt_resource(
            api_v3_key,
            &nonce,
            associated_data,
            plaintext_json.as_bytes(),
        )?;
        let mut resource = serde_json::json!({
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": ciphertext,
            "associated_data": associated_data,
            "nonce": nonce,
        });
        if let Some(o) = original_type {
            resource["original_type"] = serde_json::Value::String(o.to_owned());
        }
        let body = serde_json::json!({
            "id": id,
            "create_time": "2025-03-25T10:00:00+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "通知",
            "resource": resource,
        })
        .to_string()
        .into_bytes();
        Ok(SignedNotification {
            headers: self.sign_headers(&body),
            body,
        })
    }
}

/// AES-256-GCM-encrypts `plaintext` as WeChat Pay does for notification resources and
/// returns base64(ciphertext ‖ tag). `api_v3_key` must be 32 bytes, `nonce` 12.
pub fn encrypt_resource(
    api_v3_key: &str,
    nonce: &str,
    aad: &str,
    plaintext: &[u8],
) -> Result<String, String> {
    let key = UnboundKey::new(&AES_256_GCM, api_v3_key.as_bytes())
        .map_err(|_| "APIv3 key must be 32 bytes")?;
    let nonce =
        Nonce::try_assume_unique_for_key(nonce.as_bytes()).map_err(|_| "nonce must be 12 bytes")?;
    let mut buf = plaintext.to_vec();
    LessSafeKey::new(key)
        .seal_in_place_append_tag(nonce, Aad::from(aad.as_bytes()), &mut buf)
        .map_err(|_| "seal failed")?;
    Ok(base64::engine::general_purpose::STANDARD.encode(buf))
}

/// An HTTP client for loopback tests: the SDK's TLS set-up, no proxy.
pub fn loopback_http_client() -> reqwest::Client {
    wechatpay_marketing::runtime::tls::http_client_builder()
        .expect("TLS config")
        .no_proxy()
        .build()
        .expect("HTTP client")
}

/// A client builder for `server`: test keys, its base URL, no proxy (loopback only), and
/// tiny retry backoffs so failure tests stay fast.
pub fn test_client_builder(server: &MockWeChatPay) -> wechatpay_marketing::ClientBuilder {
    let mut retry = wechatpay_marketing::RetryPolicy::default();
    retry.initial_backoff = Duration::from_millis(1);
    retry.max_backoff = Duration::from_millis(5);
    wechatpay_marketing::Client::builder()
        .mchid(MCHID)
        .merchant_serial(MERCHANT_SERIAL)
        .merchant_private_key_pem(keys::MERCHANT_PRIVATE)
        .wechatpay_public_key(PUBLIC_KEY_ID, keys::PLATFORM_PUBLIC)
        .base_url(server.base_url())
        .retry(retry)
        // Never let an environment proxy see loopback test traffic.
        .http_client(loopback_http_client())
}

/// A ready client for `server` (see [`test_client_builder`]).
pub fn test_client(
    server: &MockWeChatPay,
) -> Result<wechatpay_marketing::Client, wechatpay_marketing::Error> {
    test_client_builder(server).build()
}

impl State {
    async fn handle(&self, req: Request<Incoming>) -> Option<Response<Full<Bytes>>> {
        let method = req.method().as_str().to_owned();
        let path_and_query = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default();
        let headers: Vec<(String, String)> = req
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = match req.into_body().collect().await {
            Ok(b) => b.to_bytes().to_vec(),
            Err(_) => Vec::new(),
        };
        let parts = multipart_parts(&headers, &body);
        let mut received = ReceivedRequest {
            auth: Ok(()),
            nonce: String::new(),
            method,
            path_and_query,
            headers,
            body,
            parts,
        };
        received.auth = self.check_request(&mut received);
        let handler = lock(&self.handler).clone();
        let custom = match (&received.auth, handler) {
            (Ok(()), Some(h)) => h(&received),
            _ => None,
        };
        let reply = match custom {
            Some(r) => r,
            None => {
                let (status, answer) = match &received.auth {
                    Err(why) => (
                        401,
                        serde_json::json!({"code": "SIGN_ERROR", "message": why}).to_string(),
                    ),
                    Ok(()) => self.route(&received.method, &received.path_and_query),
                };
                Reply::json(status, answer).after(*lock(&self.delay))
            }
        };
        lock(&self.received).push(received);

        if !reply.delay.is_zero() {
            tokio::time::sleep(reply.delay).await;
        }
        if reply.drop_connection {
            return None;
        }
        Some(self.respond(reply))
    }

    fn route(&self, method: &str, path_and_query: &str) -> (u16, String) {
        if method == "GET" && path_and_query == "/v3/certificates" {
            if let Some(answer) = self.certificates_answer() {
                return (200, answer);
            }
        }
        let stubs = lock(&self.stubs);
        let hit = stubs.iter().rev().find(|s| {
            s.method == method
                && if s.prefix {
                    path_and_query.starts_with(&s.path)
                } else {
                    path_and_query == s.path
                }
        });
        match hit {
            Some(s) => (s.status, s.body.clone()),
            None => (
                404,
                serde_json::json!({
                    "code": "RESOURCE_NOT_EXISTS",
                    "message": format!("no stub for {method} {path_and_query}"),
                })
                .to_string(),
            ),
        }
    }

    /// Checks the request the way WeChat Pay does; `Err` carries the reason.
    fn check_request(&self, r: &mut ReceivedRequest) -> Result<(), String> {
        let (method, pq, headers) = (r.method.as_str(), r.path_and_query.as_str(), &r.headers);
        // A multipart upload is signed over its meta (first) part, as the docs say.
        let body: &[u8] = match r.parts.first() {
            Some(meta) => &meta.body,
            None => &r.body,
        };
        let get = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let auth = get("authorization").ok_or("missing Authorization")?;
        let params = auth
            .strip_prefix("WECHATPAY2-SHA256-RSA2048 ")
            .ok_or("Authorization scheme must be WECHATPAY2-SHA256-RSA2048")?;
        let mut fields = std::collections::BTreeMap::new();
        for part in params.split(',') {
            let (k, v) = part
                .split_once('=')
                .ok_or("Authorization: expected key=\"value\"")?;
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .ok_or("Authorization: value not quoted")?;
            if fields.insert(k.trim(), v).is_some() {
                return Err(format!("Authorization: duplicate {k}"));
            }
        }
        let field = |k: &str| {
            fields
                .get(k)
                .copied()
                .ok_or(format!("Authorization: missing {k}"))
        };
        let (mchid, nonce, signature, timestamp, serial) = (
            field("mchid")?,
            field("nonce_str")?,
            field("signature")?,
            field("timestamp")?,
            field("serial_no")?,
        );
        if mchid != self.mchid {
            return Err(format!("mchid {mchid} does not match"));
        }
        if serial != self.merchant_serial {
            return Err(format!("serial_no {serial} does not match"));
        }
        if nonce.is_empty() {
            return Err("empty nonce_str".into());
        }
        let ts: i64 = timestamp
            .parse()
            .map_err(|_| "timestamp is not an integer")?;
        if ts.abs_diff(unix_now()) > 300 {
            return Err(format!("timestamp {ts} is too far from now"));
        }
        r.nonce = nonce.to_owned();
        let accepted = lock(&self.accepted).clone();
        match get("wechatpay-serial") {
            Some(s) if accepted.iter().any(|a| a == s) => {}
            None if method == "GET" && pq == "/v3/certificates" => {}
            other => {
                return Err(format!(
                    "Wechatpay-Serial {other:?} is not one of {accepted:?}"
                ))
            }
        }
        let download = pq.starts_with("/v3/billdownload/");
        if !get("accept")
            .is_some_and(|a| a.contains("application/json") || (download && a == "*/*"))
        {
            return Err("Accept must be application/json".into());
        }
        if !get("user-agent").is_some_and(|u| !u.is_empty()) {
            return Err("missing User-Agent".into());
        }
        let content_type = get("content-type").unwrap_or("");
        if !r.parts.is_empty() {
            if !content_type.starts_with("multipart/form-data; boundary=") {
                return Err("Content-Type must be multipart/form-data".into());
            }
        } else if !r.body.is_empty() && content_type != "application/json" {
            return Err("Content-Type must be application/json".into());
        }
        let sig = base64::engine::general_purpose::STANDARD
            .decode(signature)
            .map_err(|_| "signature is not base64")?;
        let mut message = format!("{method}\n{pq}\n{timestamp}\n{nonce}\n").into_bytes();
        message.extend_from_slice(body);
        message.push(b'\n');
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &self.merchant_public)
            .verify(&message, &sig)
            .map_err(|_| "signature does not verify with the merchant public key".to_owned())
    }

    fn respond(&self, reply: Reply) -> Response<Full<Bytes>> {
        let Reply {
            status,
            body,
            headers: extra,
            sign,
            ..
        } = reply;
        let misbehavior = *lock(&self.misbehavior);
        let mut headers = if sign {
            self.signature_headers(&body, misbehavior)
        } else {
            Vec::new()
        };
        headers.extend(extra);
        let n = self.request_ids.fetch_add(1, Ordering::Relaxed);
        headers.push(("Request-ID".into(), format!("08F78BB5AF0610D302{n:016}")));
        if !body.is_empty() {
            headers.push((
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            ));
        }
        let mut body = body;
        if misbehavior == Misbehavior::TamperBody {
            body.extend_from_slice(b" ");
        }
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() =
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        for (k, v) in headers {
            if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
                response.headers_mut().append(k, v);
            }
        }
        response
    }

    fn signature_headers(&self, body: &[u8], m: Misbehavior) -> Vec<(String, String)> {
        if m == Misbehavior::OmitSignatureHeaders {
            return Vec::new();
        }
        let timestamp = match m {
            Misbehavior::StaleTimestamp => unix_now() - 600,
            _ => unix_now(),
        }
        .to_string();
        let nonce = random_alphanumeric(&self.rng, 32);
        let platform = Arc::clone(&lock(&self.platform_key));
        let key: &RsaKeyPair = match m {
            Misbehavior::WrongKey => &self.other_key,
            _ => &platform,
        };
        let serial = match m {
            Misbehavior::UnknownSerial => "PUB_KEY_ID_0199999999999999999999999999".to_owned(),
            _ => lock(&self.serial).clone(),
        };
        let mut message = format!("{timestamp}\n{nonce}\n").into_bytes();
        message.extend_from_slice(body);
        message.push(b'\n');
        let mut sig = vec![0; key.public_modulus_len()];
        let signature = match key.sign(&RSA_PKCS1_SHA256, &self.rng, &message, &mut sig) {
            Ok(()) => base64::engine::general_purpose::STANDARD.encode(sig),
            Err(_) => String::new(),
        };
        vec![
            ("Wechatpay-Timestamp".into(), timestamp),
            ("Wechatpay-Nonce".into(), nonce),
            ("Wechatpay-Signature".into(), signature),
            ("Wechatpay-Serial".into(), serial),
            (
                "Wechatpay-Signature-Type".into(),
                "WECHATPAY2-SHA256-RSA2048".into(),
            ),
        ]
    }
}

impl State {
    /// The `GET /v3/certificates` JSON, if certificates are served.
    fn certificates_answer(&self) -> Option<String> {
        let (api_v3_key, certs) = lock(&self.certificates).clone()?;
        let tamper = *lock(&self.cert_tamper);
        let data: Vec<serde_json::Value> = certs
            .iter()
            .map(|(serial, pem)| {
                let nonce = random_alphanumeric(&self.rng, 12);
                let mut ciphertext =
                    encrypt_resource(&api_v3_key, &nonce, "certificate", pem.as_bytes())
                        .unwrap_or_default();
                if tamper == CertTamper::Ciphertext {
                    let mut raw = base64::engine::general_purpose::STANDARD
                        .decode(&ciphertext)
                        .unwrap_or_default();
                    if let Some(b) = raw.get_mut(40) {
                        *b ^= 1;
                    }
                    ciphertext = base64::engine::general_purpose::STANDARD.encode(raw);
                }
                serde_json::json!({
                    "serial_no": serial,
                    "effective_time": "2020-01-01T00:00:00+08:00",
                    "expire_time": "2099-01-01T00:00:00+08:00",
                    "encrypt_certificate": {
                        "algorithm": "AEAD_AES_256_GCM",
                        "nonce": nonce,
                        "associated_data": "certificate",
                        "ciphertext": ciphertext,
                    }
                })
            })
            .collect();
        if tamper == CertTamper::Body {
            // Signed as is, then altered in `respond` through the misbehavior knob.
            *lock(&self.misbehavior) = Misbehavior::TamperBody;
        }
        Some(serde_json::json!({ "data": data }).to_string())
    }
}

/// The parts of a `multipart/form-data` body (empty for any other body).
fn multipart_parts(headers: &[(String, String)], body: &[u8]) -> Vec<Part> {
    let Some(boundary) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .and_then(|(_, v)| v.strip_prefix("multipart/form-data; boundary="))
    else {
        return Vec::new();
    };
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    // Split on "--boundary", skipping the preamble and the closing "--boundary--".
    while let Some(at) = find(rest, delimiter.as_bytes()) {
        rest = &rest[at + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let Some(rest2) = rest.strip_prefix(b"\r\n") else {
            break;
        };
        let Some(head_end) = find(rest2, b"\r\n\r\n") else {
            break;
        };
        let head = String::from_utf8_lossy(&rest2[..head_end]).into_owned();
        let content = &rest2[head_end + 4..];
        let Some(end) = find(content, format!("\r\n{delimiter}").as_bytes()) else {
            break;
        };
        let param = |key: &str| {
            head.split([';', '\n'])
                .map(str::trim)
                .find_map(|p| p.strip_prefix(&format!("{key}=\"")))
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_owned)
        };
        let content_type = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Type: "))
            .map(|v| v.trim().to_owned());
        parts.push(Part {
            name: param("name").unwrap_or_default(),
            filename: param("filename"),
            content_type,
            body: content[..end].to_vec(),
        });
        rest = &content[end + 2..];
    }
    parts
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn random_alphanumeric(rng: &SystemRandom, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut buf = vec![0u8; len];
    if rng.fill(&mut buf).is_err() {
        return "0".repeat(len);
    }
    buf.iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// The DER inside the first PEM block of `pem`.
fn pem_der(pem: &str) -> Option<Vec<u8>> {
    let b64: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

fn pkcs8_key(pem: &str) -> Option<RsaKeyPair> {
    RsaKeyPair::from_pkcs8(&pem_der(pem)?).ok()
}

/// An RSA-2048 SubjectPublicKeyInfo is this fixed 24-byte header then the PKCS#1 key.
fn rsa2048_pkcs1_from_spki_pem(pem: &str) -> Option<Vec<u8>> {
    const HEADER: [u8; 24] = [
        0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
        0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00,
    ];
    let der = pem_der(pem)?;
    der.strip_prefix(&HEADER[..]).map(<[u8]>::to_vec)
}
