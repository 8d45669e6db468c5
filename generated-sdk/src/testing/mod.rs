//! A WeChat Pay simulator for integration tests (cargo feature `simulator`): a real HTTP
//! server on loopback that answers every operation of this crate the way WeChat Pay does.
//!
//! - **Generated from the spec** (`src/testing/generated.rs`): routes, path/query/body
//!   decoding into the request types, the same validators the client runs (violations answer
//!   `400 PARAM_ERROR`), documented examples, idempotency keys and error rows, uploads and
//!   flow-file downloads. Every request's `Authorization` signature is verified with the
//!   merchant public key (`401 SIGN_ERROR` otherwise); every answer is signed with the
//!   platform key (`Wechatpay-Timestamp/-Nonce/-Signature/-Serial`, `Request-ID`).
//! - **Stateful** where flows need it (stocks and their status transitions, budgets, coupons
//!   sent, used, returned, deactivated; the table in `table.rs` says which operation creates,
//!   reads or changes what). Everything else answers from the documented example, filled with
//!   the request's values.
//! - **Idempotent** like WeChat Pay: the same idempotency key with the same request replays
//!   the first answer without a second effect; with a different request it answers the
//!   documented conflict error. Every call is recorded in a [`ledger`](Simulator::ledger).
//! - **Notifications** (`COUPON.USE`, `COUPON.SEND`, `PRODUCT_COUPON_SP.SEND`, …) are signed,
//!   encrypted with the APIv3 key and POSTed to the URL set through `set_callback` /
//!   `set_notify_config`, retried until the receiver answers 2xx.
//! - **Faults on demand** ([`Fault`]): delays, 5xx/429 with the documented bodies, the
//!   connection dropped after the effect was committed, bad or stale signatures, unknown
//!   serials; also through the control endpoint `/simulator/…`.
//!
//! Start it in-process with [`Simulator::builder`] (test keys by default), or as a process:
//! `cargo run -p wechatpay-marketing --features simulator --bin wechatpay-simulator -- --help`.

mod crypto;
mod engine;
#[rustfmt::skip]
mod generated;
mod inbox;
mod model;
mod multipart;
mod notify;
mod render;
mod server;
mod table;

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::runtime::validation::{Clock, SystemClock};

pub use inbox::{CallbackInbox, ReceivedCallback};

/// Test-only keys and ids (RSA-2048, generated for this crate's tests; never use them for
/// anything else). [`Simulator::builder`] uses them unless told otherwise.
pub mod test_keys {
    /// Merchant id (商户号) the simulator expects by default.
    pub const MCHID: &str = "1900000001";
    /// Merchant API certificate serial the simulator expects by default.
    pub const MERCHANT_SERIAL: &str = "408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB";
    /// WeChat Pay public key id the simulator signs under by default.
    pub const PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";
    /// APIv3 key the simulator encrypts notifications with by default (32 bytes).
    pub const API_V3_KEY: &str = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
    /// Signs requests (the merchant's `apiclient_key.pem`).
    pub const MERCHANT_PRIVATE_KEY_PEM: &str = include_str!("keys/merchant_private.pem");
    /// Verifies requests, on the simulator's side.
    pub const MERCHANT_PUBLIC_KEY_PEM: &str = include_str!("keys/merchant_public.pem");
    /// Signs the simulator's answers and notifications.
    pub const PLATFORM_PRIVATE_KEY_PEM: &str = include_str!("keys/platform_private.pem");
    /// The "WeChat Pay public key" a client verifies the simulator with.
    pub const PLATFORM_PUBLIC_KEY_PEM: &str = include_str!("keys/platform_public.pem");
}

/// A misbehaviour to inject ([`Simulator::inject`], or `POST /simulator/faults`).
///
/// As JSON (control endpoint): `{"delay": {"millis": 1500}}`, `{"error": {"status": 500}}`,
/// `{"error": {"status": 429, "code": "FREQUENCY_LIMITED"}}`, `"drop_after_commit"`,
/// `"bad_signature"`, `"stale_signature"`, `"unknown_serial"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// Commit the effect, then wait this long before answering (long enough to time a client
    /// out: a retry with the same key then gets the replayed answer).
    Delay {
        /// Milliseconds.
        millis: u64,
    },
    /// Answer this status without any effect, with the operation's documented error body for
    /// it (`SYSTEM_ERROR` for 5xx, the documented 429 code for 429), or `code` if given.
    Error {
        /// HTTP status, e.g. 500, 503 or 429.
        status: u16,
        /// Error code to answer instead of the documented one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
    },
    /// Commit the effect, then close the connection without answering.
    DropAfterCommit,
    /// Answer with a signature that does not verify.
    BadSignature,
    /// Sign with a timestamp 10 minutes old (outside the client's 5-minute window).
    StaleSignature,
    /// Sign under a `Wechatpay-Serial` the client does not know.
    UnknownSerial,
}

/// A fault and which calls it applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// Operation id (`favor.send_coupon`); every operation when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// How many calls it applies to; until [`Simulator::clear_faults`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// The misbehaviour.
    pub fault: Fault,
}

impl FaultRule {
    /// `fault` on every call until cleared.
    pub fn new(fault: Fault) -> Self {
        FaultRule {
            operation: None,
            times: None,
            fault,
        }
    }

    /// Only on calls of operation `id` (`family.operation`, e.g. `favor.send_coupon`).
    pub fn operation(mut self, id: impl Into<String>) -> Self {
        self.operation = Some(id.into());
        self
    }

    /// Only on the next `n` matching calls.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }
}

/// What became of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Its effect was applied (or it read state) and it was answered 2xx.
    Applied,
    /// Same idempotency key, same request: the first answer again, no effect.
    Replayed,
    /// Same idempotency key, different request: the documented conflict error, no effect.
    Conflict,
    /// Refused (validation, state, budget, not found) without effect.
    Refused,
}

/// An entity the simulator keeps: its kind (`favor.stock`, `busifavor.coupon`, …) and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityRef {
    /// `family.kind`.
    pub kind: String,
    /// Its id (`stock_id`, `coupon_id`, `coupon_code`, …).
    pub id: String,
}

/// One call, as recorded in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    /// 1, 2, 3… in arrival order.
    pub seq: u64,
    /// Operation id (`favor.send_coupon`) or simulated action (`favor.redeem_coupon`).
    pub operation: String,
    /// The values of the operation's idempotency keys, joined by U+001F, when it has them.
    pub idempotency_key: Option<String>,
    /// What happened.
    pub outcome: Outcome,
    /// The HTTP status answered.
    pub status: u16,
    /// The entity created, changed or read.
    pub entity: Option<EntityRef>,
    /// A one-line description of the effect or refusal.
    pub detail: String,
}

/// One delivery attempt of a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// The transport error, if it did not.
    pub error: Option<String>,
}

/// A notification the simulator sent (or could not send).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    /// The envelope `id`.
    pub id: String,
    /// Notification id in the spec (`favor.coupon_use`).
    pub notification: String,
    /// `event_type` (`COUPON.USE`).
    pub event_type: String,
    /// Where it went (after callback rewriting), if a callback URL was configured.
    pub url: Option<String>,
    /// The plaintext resource, before encryption.
    pub payload: Value,
    /// The envelope as sent.
    pub envelope: Value,
    /// Every attempt so far.
    pub attempts: Vec<Attempt>,
    /// Whether a receiver answered 2xx.
    pub delivered: bool,
    /// Why it was not sent (no callback URL, non-loopback host…), if so.
    pub skipped: Option<String>,
    /// Whether the simulator has stopped trying (delivered, skipped or out of attempts).
    pub finished: bool,
}

/// An operation the simulator answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationInfo {
    /// `family.operation`.
    pub id: String,
    /// HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Its idempotency keys.
    pub idempotency_keys: Vec<String>,
    /// Whether it creates, reads or changes simulator state (else it answers from examples).
    pub stateful: bool,
}

/// Configures and starts a [`Simulator`]. Defaults: the [`test_keys`], `127.0.0.1` on a
/// free port, strict state (unknown ids answer the documented not-found error), the system
/// clock, notifications only to loopback hosts with 5 attempts.
pub struct SimulatorBuilder {
    listen: SocketAddr,
    mchid: String,
    merchant_serial: String,
    merchant_public_key_pem: Vec<u8>,
    merchant_private_key_pem: Option<Vec<u8>>,
    public_key_id: String,
    platform_private_key_pem: Vec<u8>,
    api_v3_key: String,
    autocreate: bool,
    clock: Arc<dyn Clock>,
    rewrites: Vec<(String, String)>,
    external_callbacks: bool,
    attempts: u32,
    backoff: Duration,
}

impl std::fmt::Debug for SimulatorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorBuilder")
            .field("listen", &self.listen)
            .field("mchid", &self.mchid)
            .field("merchant_serial", &self.merchant_serial)
            .field("public_key_id", &self.public_key_id)
            .field("platform_private_key_pem", &"<redacted>")
            .field("api_v3_key", &"<redacted>")
            .field("autocreate", &self.autocreate)
            .field("rewrites", &self.rewrites)
            .finish_non_exhaustive()
    }
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            mchid: test_keys::MCHID.into(),
            merchant_serial: test_keys::MERCHANT_SERIAL.into(),
            merchant_public_key_pem: test_keys::MERCHANT_PUBLIC_KEY_PEM.into(),
            merchant_private_key_pem: Some(test_keys::MERCHANT_PRIVATE_KEY_PEM.into()),
            public_key_id: test_keys::PUBLIC_KEY_ID.into(),
            platform_private_key_pem: test_keys::PLATFORM_PRIVATE_KEY_PEM.into(),
            api_v3_key: test_keys::API_V3_KEY.into(),
            autocreate: false,
            clock: Arc::new(SystemClock),
            rewrites: Vec::new(),
            external_callbacks: false,
            attempts: 5,
            backoff: Duration::from_millis(200),
        }
    }
}

impl SimulatorBuilder {
    /// Where to listen (default `127.0.0.1:0`, a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// The merchant id requests must be signed for (`mchid` in `Authorization`).
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.mchid = mchid.into();
        self
    }

    /// The merchant certificate serial requests must name (`serial_no` in `Authorization`).
    pub fn merchant_serial(mut self, serial: impl Into<String>) -> Self {
        self.merchant_serial = serial.into();
        self
    }

    /// The merchant public key (`BEGIN PUBLIC KEY`, or the `apiclient_cert.pem` certificate)
    /// request signatures are verified with. Forgets the test merchant private key, so
    /// [`Simulator::client_builder`] then needs yours.
    pub fn merchant_public_key_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.merchant_public_key_pem = pem.as_ref().to_vec();
        self.merchant_private_key_pem = None;
        self
    }

    /// The merchant private key [`Simulator::client_builder`] configures (optional).
    pub fn merchant_private_key_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.merchant_private_key_pem = Some(pem.as_ref().to_vec());
        self
    }

    /// The WeChat Pay public key id (`PUB_KEY_ID_…`) answers are signed under.
    pub fn public_key_id(mut self, id: impl Into<String>) -> Self {
        self.public_key_id = id.into();
        self
    }

    /// The private key answers and notifications are signed with (PKCS#8 or PKCS#1 PEM).
    pub fn platform_private_key_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.platform_private_key_pem = pem.as_ref().to_vec();
        self
    }

    /// The 32-byte APIv3 key notifications are encrypted with.
    pub fn api_v3_key(mut self, key: impl Into<String>) -> Self {
        self.api_v3_key = key.into();
        self
    }

    /// Answer calls about unknown ids as if the entity existed (built from the request and
    /// the documented example, in a state the call accepts) instead of the documented
    /// not-found error. For testing one call without setting up a flow.
    pub fn autocreate(mut self, on: bool) -> Self {
        self.autocreate = on;
        self
    }

    /// The clock for signature timestamps, the 5-minute request window, validation time
    /// windows and the times the simulator writes (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Deliver notifications for URLs starting with `from` to `to` instead (the rest of the
    /// URL kept): the documented `https://` callback URL your code configures, received by a
    /// plain-HTTP server on loopback. E.g. `("https://merchant.example.com",
    /// "http://127.0.0.1:9000")`.
    pub fn callback_rewrite(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.rewrites.push((from.into(), to.into()));
        self
    }

    /// Allow notifications to hosts other than loopback (default: refused and recorded as
    /// skipped, so a test never calls out).
    pub fn allow_external_callbacks(mut self, allow: bool) -> Self {
        self.external_callbacks = allow;
        self
    }

    /// Delivery attempts per notification (default 5) and the wait before the first retry
    /// (default 200 ms, doubling).
    pub fn notification_retries(mut self, attempts: u32, first_backoff: Duration) -> Self {
        self.attempts = attempts.max(1);
        self.backoff = first_backoff;
        self
    }

    /// Binds and starts serving on the current tokio runtime.
    pub async fn start(self) -> std::io::Result<Simulator> {
        let bad = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
        let merchant_key =
            crypto::MerchantKey::from_pem(&self.merchant_public_key_pem).map_err(bad)?;
        let platform_key =
            crypto::PlatformKey::from_pem(&self.platform_private_key_pem).map_err(bad)?;
        let api_v3_key: [u8; 32] = self
            .api_v3_key
            .as_bytes()
            .try_into()
            .map_err(|_| bad("the APIv3 key must be exactly 32 bytes".into()))?;
        for (name, value) in [
            ("mchid", &self.mchid),
            ("merchant serial", &self.merchant_serial),
            ("public key id", &self.public_key_id),
        ] {
            if value.is_empty() {
                return Err(bad(format!("{name} must not be empty")));
            }
        }
        let listener = tokio::net::TcpListener::bind(self.listen).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let http = crate::runtime::tls::http_client_builder()
            .map_err(|e| std::io::Error::other(e.to_string()))?
            .no_proxy()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let shared = Arc::new(Shared {
            engine: engine::Engine::new(
                self.mchid.clone(),
                self.autocreate,
                Arc::clone(&self.clock),
                base_url.clone(),
            ),
            mchid: self.mchid,
            merchant_serial: self.merchant_serial,
            merchant_key,
            merchant_private_key_pem: self.merchant_private_key_pem,
            public_key_id: self.public_key_id,
            platform_key,
            api_v3_key,
            clock: self.clock,
            faults: Mutex::new(Vec::new()),
            deliveries: Mutex::new(Vec::new()),
            delivered: tokio::sync::Notify::new(),
            rewrites: self.rewrites,
            external_callbacks: self.external_callbacks,
            attempts: self.attempts,
            backoff: self.backoff,
            http,
            request_ids: AtomicU64::new(1),
            runtime: tokio::runtime::Handle::current(),
        });
        let task = tokio::spawn(server::serve(listener, Arc::clone(&shared)));
        Ok(Simulator {
            addr,
            base_url,
            shared,
            task,
        })
    }
}

/// State shared by the server, the notifier and the handle.
pub(crate) struct Shared {
    pub(crate) engine: engine::Engine,
    pub(crate) mchid: String,
    pub(crate) merchant_serial: String,
    pub(crate) merchant_key: crypto::MerchantKey,
    pub(crate) merchant_private_key_pem: Option<Vec<u8>>,
    pub(crate) public_key_id: String,
    pub(crate) platform_key: crypto::PlatformKey,
    pub(crate) api_v3_key: [u8; 32],
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) faults: Mutex<Vec<FaultRule>>,
    pub(crate) deliveries: Mutex<Vec<Delivery>>,
    pub(crate) delivered: tokio::sync::Notify,
    pub(crate) rewrites: Vec<(String, String)>,
    pub(crate) external_callbacks: bool,
    pub(crate) attempts: u32,
    pub(crate) backoff: Duration,
    pub(crate) http: reqwest::Client,
    pub(crate) request_ids: AtomicU64,
    pub(crate) runtime: tokio::runtime::Handle,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// The faults that apply to one call of `op` (each rule used up once).
    pub(crate) fn take_faults(&self, op: &str) -> Vec<Fault> {
        let mut rules = lock(&self.faults);
        let mut out = Vec::new();
        for rule in rules.iter_mut() {
            if rule.operation.as_deref().is_some_and(|o| o != op) || rule.times == Some(0) {
                continue;
            }
            if let Some(n) = &mut rule.times {
                *n -= 1;
            }
            out.push(rule.fault.clone());
        }
        rules.retain(|r| r.times != Some(0));
        out
    }

    /// Runs a simulated action and delivers its notifications.
    pub(crate) fn act(self: &Arc<Self>, name: &str, params: Value) -> Result<Value, ActionError> {
        let params = match params {
            Value::Object(m) => m,
            Value::Null => serde_json::Map::new(),
            _ => {
                return Err(ActionError {
                    status: 400,
                    code: "PARAM_ERROR".into(),
                    message: "action parameters must be a JSON object".into(),
                })
            }
        };
        let (entity, pending) = self.engine.act(name, &params).map_err(|r| ActionError {
            status: r.status,
            code: r.code,
            message: r.message,
        })?;
        for p in pending {
            notify::spawn(Arc::clone(self), p);
        }
        Ok(entity)
    }
}

/// A simulated action that could not happen (unknown coupon, wrong state, no budget).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionError {
    /// The status the equivalent API call would answer.
    pub status: u16,
    /// The documented error code.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for ActionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ActionError {}

/// A running simulator. Stops serving when dropped.
pub struct Simulator {
    addr: SocketAddr,
    base_url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("addr", &self.addr)
            .field("mchid", &self.shared.mchid)
            .finish_non_exhaustive()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Simulator {
    /// Configure a simulator (test keys by default).
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    /// A simulator with the test keys on a free loopback port.
    pub async fn start() -> std::io::Result<Simulator> {
        SimulatorBuilder::default().start().await
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`: the `base_url` of a client.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The APIv3 key notifications are encrypted with.
    pub fn api_v3_key(&self) -> &str {
        std::str::from_utf8(&self.shared.api_v3_key).unwrap_or_default()
    }

    /// The public key (`BEGIN PUBLIC KEY` PEM) that verifies the simulator's signatures.
    pub fn platform_public_key_pem(&self) -> String {
        self.shared.platform_key.public_key_pem()
    }

    /// A client builder for this simulator: its mchid and merchant serial, the merchant
    /// private key (the test key, or the one given to the builder), its public key id and
    /// public key, its base URL, and an HTTP client that bypasses proxies (loopback only).
    pub fn client_builder(&self) -> crate::ClientBuilder {
        let s = &self.shared;
        let mut builder = crate::Client::builder()
            .mchid(&s.mchid)
            .merchant_serial(&s.merchant_serial)
            .wechatpay_public_key(&s.public_key_id, s.platform_key.public_key_pem())
            .base_url(&self.base_url);
        if let Some(pem) = &s.merchant_private_key_pem {
            builder = builder.merchant_private_key_pem(pem);
        }
        if let Ok(http) = crate::runtime::tls::http_client_builder()
            .map_err(|e| e.to_string())
            .and_then(|b| b.no_proxy().build().map_err(|e| e.to_string()))
        {
            builder = builder.http_client(http);
        }
        builder
    }

    /// Every operation it answers.
    pub fn operations(&self) -> Vec<OperationInfo> {
        server::operation_infos(&self.shared)
    }

    /// Injects a fault (see [`FaultRule`]).
    pub fn inject(&self, rule: FaultRule) {
        lock(&self.shared.faults).push(rule);
    }

    /// Removes every injected fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Every call so far, in order.
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        self.shared.engine.ledger()
    }

    /// How many times a call of `operation` with idempotency key values `key` (joined by
    /// U+001F when there are several) had an effect. Retries with the same key leave it at 1.
    pub fn effects(&self, operation: &str, key: &str) -> usize {
        self.ledger()
            .iter()
            .filter(|e| {
                e.operation == operation
                    && e.idempotency_key.as_deref() == Some(key)
                    && e.outcome == Outcome::Applied
            })
            .count()
    }

    /// Every entity of `kind` (`favor.stock`, `favor.coupon`, `busifavor.stock`,
    /// `busifavor.coupon`, `product_coupon.user_coupon`, …), with its parents' fields.
    pub fn entities(&self, kind: &str) -> Vec<Value> {
        self.shared.engine.entities(kind)
    }

    /// One entity of `kind` by id.
    pub fn entity(&self, kind: &str, id: &str) -> Option<Value> {
        self.shared.engine.entity(kind, id)
    }

    /// Runs a simulated action, something that happens on WeChat Pay's side without an API
    /// call, and delivers its notification:
    ///
    /// - `favor.redeem_coupon` `{"coupon_id"}`: the user pays with a 代金券 (→ `USED`,
    ///   `COUPON.USE`);
    /// - `busifavor.claim_coupon` `{"stock_id", "openid", "coupon_code"?}`: the user claims a
    ///   商家券 in a mini program (→ `SENDED`, `COUPON.SEND`).
    ///
    /// Returns the entity as it is now.
    pub fn act(&self, action: &str, params: Value) -> Result<Value, ActionError> {
        self.shared.act(action, params)
    }

    /// `favor.redeem_coupon`: the user pays with coupon `coupon_id` at checkout.
    pub fn redeem_favor_coupon(&self, coupon_id: &str) -> Result<Value, ActionError> {
        self.act(
            "favor.redeem_coupon",
            serde_json::json!({ "coupon_id": coupon_id }),
        )
    }

    /// `busifavor.claim_coupon`: user `openid` claims a coupon of 商家券 stock `stock_id`;
    /// returns the coupon (its `coupon_code`).
    pub fn claim_busifavor_coupon(
        &self,
        stock_id: &str,
        openid: &str,
    ) -> Result<Value, ActionError> {
        self.act(
            "busifavor.claim_coupon",
            serde_json::json!({ "stock_id": stock_id, "openid": openid }),
        )
    }

    /// Every notification sent or being sent, in order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.shared.deliveries).clone()
    }

    /// Waits until at least `n` notifications have finished (delivered, skipped or given up),
    /// at most `timeout`; returns the finished ones.
    pub async fn wait_for_deliveries(&self, n: usize, timeout: Duration) -> Vec<Delivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.delivered.notified();
            let done: Vec<Delivery> = self
                .deliveries()
                .into_iter()
                .filter(|d| d.finished)
                .collect();
            if done.len() >= n {
                return done;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self
                    .deliveries()
                    .into_iter()
                    .filter(|d| d.finished)
                    .collect();
            }
        }
    }

    /// Forgets all state, the ledger and the flow files (faults and deliveries stay).
    pub fn reset(&self) {
        self.shared.engine.reset();
    }
}
