//! The `Client` and its builder: configuration, request signing and sending with retries and
//! failover, response verification (public key and/or platform certificates) and decoding.
//! Generated operation methods all funnel into `execute*`.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use serde::de::DeserializeOwned;
use tracing::field::Empty;
use tracing::Instrument as _;

use crate::runtime::certificates::{
    PlatformCertificates, CERTIFICATES, DEFAULT_CERTIFICATE_MIN_GAP, DEFAULT_CERTIFICATE_REFRESH,
};
use crate::runtime::error::{
    describe_json_error, ApiError, DecodeError, Error, NotRetried, NotificationError,
    SignatureError,
};
use crate::runtime::multipart;
use crate::runtime::notification::{self, ApiV3Key, Notification, NotificationKind};
use crate::runtime::operation::{ApiRequest, OperationMeta};
use crate::runtime::retry::{next_step, Next, RetryPolicy};
use crate::runtime::signing::MerchantSigner;
use crate::runtime::validation::{Clock, SystemClock};
use crate::runtime::verify::{
    HeaderLookup, KeySet, SignedHeaders, VerifyingKey, HEADER_SERIAL, HEADER_SIGNATURE,
};

/// The production API host.
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";
/// The documented backup host, used for failover when the base URL is the default one.
pub const DEFAULT_BACKUP_URL: &str = "https://api2.mch.weixin.qq.com";
/// Time allowed per attempt (connect, send, and read the whole response).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Responses larger than this are refused rather than buffered.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// A WeChat Pay APIv3 client for one merchant. Cheap to clone (shared inside); build one
/// with [`Client::builder`] and reuse it.
///
/// Every request is signed with the merchant key; every 2xx response is verified against
/// the configured WeChat Pay keys before it is decoded (fail closed, including `204 No
/// Content`, which WeChat Pay signs too). Error responses are verified when they carry a
/// signature; unsigned ones (from proxies or gateways) are reported with
/// [`ApiError::verified`] = `false`. Operations that are safe to repeat are retried
/// ([`RetryPolicy`]) and fail over to the backup host.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    retry: RetryPolicy,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    /// The base URL, then the backup host (if failover is on).
    pub(crate) hosts: Vec<String>,
    pub(crate) signer: MerchantSigner,
    keys: KeySet,
    certs: Option<PlatformCertificates>,
    pub(crate) timeout: Duration,
    validation: bool,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) user_agent: String,
    api_v3_key: Option<ApiV3Key>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &*self.inner;
        f.debug_struct("Client")
            .field("mchid", &i.signer.mchid())
            .field("hosts", &i.hosts)
            .field("wechatpay_serials", &i.known_serials())
            .field("platform_certificate_download", &i.certs.is_some())
            .field("timeout", &i.timeout)
            .field("retry", &self.retry)
            .field("validation", &i.validation)
            .field("clock", &i.clock)
            .field("merchant_private_key", &"<redacted>")
            .field("api_v3_key", &i.api_v3_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A 2xx answer whose signature verified.
pub(crate) struct Verified {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) body: Bytes,
}

/// An answer as received, before verification.
pub(crate) struct Raw {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Bytes,
}

impl Raw {
    fn request_id(&self) -> Option<String> {
        request_id(&self.headers)
    }
}

pub(crate) fn request_id(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get("Request-ID")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The bytes signed and the bytes sent (they differ for multipart uploads).
pub(crate) struct Prepared {
    pub(crate) signed: Bytes,
    pub(crate) sent: Bytes,
    pub(crate) content_type: Option<String>,
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Whether requests are validated against the documented rules before sending.
    pub fn validation_enabled(&self) -> bool {
        self.inner.validation
    }

    /// The clock used for request time-window rules, request timestamps and the
    /// 5-minute response window.
    pub fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }

    /// The retry policy of calls made through this handle.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// A handle with another retry policy, sharing everything else (connection pool, keys,
    /// certificates): cheap, for one call or a group of calls.
    ///
    /// ```no_run
    /// # async fn demo(client: wechatpay_marketing::Client, request: wechatpay_marketing::favor::ListStocksRequest) -> Result<(), wechatpay_marketing::Error> {
    /// use wechatpay_marketing::RetryPolicy;
    /// let page = client.with_retry(RetryPolicy::none()).favor().list_stocks(&request).await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn with_retry(&self, policy: RetryPolicy) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            retry: policy,
        }
    }

    /// The `Authorization` header value this client would send for `method path_and_query`
    /// with `body`, signed now with a fresh nonce (for a proxy that forwards requests, or to
    /// debug a signature with WeChat Pay's tools). The value is a credential for that one
    /// request: do not log it.
    pub fn authorization(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
    ) -> Result<String, Error> {
        self.inner
            .signer
            .authorization(method, path_and_query, self.inner.clock.now_unix(), body)
    }

    /// The hosts calls go to: the base URL, then the backup host when failover is on.
    pub fn hosts(&self) -> &[String] {
        &self.inner.hosts
    }

    /// Sends a validated request and decodes its verified 2xx JSON body (an empty body
    /// decodes as JSON `null`).
    #[doc(hidden)]
    pub async fn execute<T: DeserializeOwned>(&self, req: ApiRequest) -> Result<T, Error> {
        let operation = req.operation.id;
        let v = self.send(req).await?;
        let json: &[u8] = if v.body.is_empty() { b"null" } else { &v.body };
        serde_json::from_slice(json).map_err(|e| {
            Error::Decode(Box::new(DecodeError {
                operation,
                status: v.status,
                request_id: v.request_id,
                detail: describe_json_error(&e),
            }))
        })
    }

    /// Sends a validated request whose success answer has no content (typically 204).
    /// The response signature is still verified, fail closed.
    #[doc(hidden)]
    pub async fn execute_empty(&self, req: ApiRequest) -> Result<(), Error> {
        self.send(req).await.map(drop)
    }

    /// Verifies a WeChat Pay signature (`Wechatpay-Timestamp`, `-Nonce`, `-Signature`,
    /// `-Serial` headers) over raw `body` bytes with this client's keys (configured and
    /// already downloaded) and clock.
    pub fn verify_signature(
        &self,
        headers: &(impl HeaderLookup + ?Sized),
        body: &[u8],
    ) -> Result<(), SignatureError> {
        self.inner.verify_now(headers, body)
    }

    /// Like [`verify_signature`](Self::verify_signature), but in platform-certificate mode
    /// an unknown serial first triggers a (rate-limited) certificate download.
    pub async fn verify_signature_refreshing(
        &self,
        headers: &(impl HeaderLookup + ?Sized),
        body: &[u8],
    ) -> Result<(), SignatureError> {
        let first = self.inner.verify_now(headers, body);
        let (Err(SignatureError::UnknownSerial { .. }), Some(certs)) = (&first, &self.inner.certs)
        else {
            return first;
        };
        // Wait for a download in flight (another call may be fetching this very serial),
        // then look again; download only if the rate limit allows.
        let _one = certs.downloading.lock().await;
        let again = self.inner.verify_now(headers, body);
        if matches!(again, Err(SignatureError::UnknownSerial { .. })) && certs.may_attempt() {
            if let Err(e) = self.download_certificates(certs).await {
                tracing::warn!(error = %e, "platform certificate download failed");
            }
            return self.inner.verify_now(headers, body);
        }
        again
    }

    /// Verifies a callback notification's signature over the raw body, then decrypts its
    /// `resource` with the APIv3 key and deserializes the plaintext as `T`, whatever its
    /// event type. Prefer the typed `parse_…_notification` methods (which refuse another
    /// event type) or [`Client::parse_event`] (which routes every documented type).
    ///
    /// Errors: [`Error::Notification`], which never contains decrypted content.
    pub fn parse_notification<T: DeserializeOwned>(
        &self,
        api_v3_key: &ApiV3Key,
        headers: &(impl HeaderLookup + ?Sized),
        body: &[u8],
    ) -> Result<Notification<T>, Error> {
        let envelope = self.open_envelope(headers, body)?;
        Ok(notification::open_any(envelope, api_v3_key)?)
    }

    /// The typed parser behind each generated `parse_…_notification` method: verifies,
    /// refuses another event type or resource type, decrypts and decodes.
    #[doc(hidden)]
    pub fn parse_notification_kind<T: DeserializeOwned>(
        &self,
        kind: &'static NotificationKind,
        api_v3_key: &ApiV3Key,
        headers: &(impl HeaderLookup + ?Sized),
        body: &[u8],
    ) -> Result<Notification<T>, Error> {
        let envelope = self.open_envelope(headers, body)?;
        Ok(notification::open(kind, envelope, api_v3_key)?)
    }

    /// Verifies a callback notification and routes it by `event_type` to its typed payload
    /// ([`Event`](crate::Event)); an event type this version does not document comes back
    /// as [`Event::Unknown`](crate::Event::Unknown) with its decrypted JSON. For an HTTP
    /// handler with the documented replies, see [`Client::notification_handler`] (which,
    /// in platform-certificate mode, also downloads certificates for an unknown serial; this
    /// synchronous parser uses the keys already known).
    pub fn parse_event(
        &self,
        api_v3_key: &ApiV3Key,
        headers: &(impl HeaderLookup + ?Sized),
        body: &[u8],
    ) -> Result<crate::Event, Error> {
        let envelope = self.open_envelope(headers, body)?;
        Ok(crate::Event::open(envelope, api_v3_key)?)
    }

    /// Verifies the signature over `body` and decodes the envelope (nothing decrypted yet).
    fn open_envelope(
        &self,
        headers: &(impl HeaderLookup + ?Sized),
        body: &[u8],
    ) -> Result<notification::NotificationEnvelope, NotificationError> {
        self.inner
            .verify_now(headers, body)
            .map_err(NotificationError::Signature)?;
        notification::decode_envelope(body)
    }

    /// The APIv3 key configured with [`ClientBuilder::api_v3_key`], if any.
    pub(crate) fn api_v3_key(&self) -> Option<&ApiV3Key> {
        self.inner.api_v3_key.as_ref()
    }

    /// Downloads the platform certificates now (platform-certificate mode only; a no-op
    /// otherwise), ignoring the refresh schedule.
    pub async fn refresh_platform_certificates(&self) -> Result<(), Error> {
        let Some(certs) = &self.inner.certs else {
            return Ok(());
        };
        let _one = certs.downloading.lock().await;
        self.download_certificates(certs).await
    }

    /// Downloads the platform certificates unless another download happened within the
    /// minimum gap.
    async fn refresh_platform_certificates_limited(&self) -> Result<(), Error> {
        let Some(certs) = &self.inner.certs else {
            return Ok(());
        };
        let _one = certs.downloading.lock().await;
        if !certs.may_attempt() {
            return Ok(()); // another task just downloaded them
        }
        self.download_certificates(certs).await
    }

    async fn download_certificates(&self, certs: &PlatformCertificates) -> Result<(), Error> {
        certs.mark_attempt();
        let span = tracing::info_span!("wechatpay.certificates", status = Empty);
        async {
            let empty = Prepared {
                signed: Bytes::new(),
                sent: Bytes::new(),
                content_type: None,
            };
            let mut last = None;
            for host in 0..self.inner.hosts.len() {
                match self
                    .attempt(
                        &CERTIFICATES,
                        CERTIFICATES.path,
                        &empty,
                        host,
                        self.inner.timeout,
                    )
                    .await
                {
                    Err(e) if e.is_connect() => last = Some(e),
                    other => {
                        let raw = other?;
                        tracing::Span::current().record("status", raw.status);
                        return self.install_certificates(certs, raw);
                    }
                }
            }
            Err(last.unwrap_or(Error::Timeout))
        }
        .instrument(span)
        .await
    }

    fn install_certificates(&self, certs: &PlatformCertificates, raw: Raw) -> Result<(), Error> {
        let now = self.inner.clock.now_unix();
        if !(200..300).contains(&raw.status) {
            if raw.headers.contains_key(HEADER_SIGNATURE) {
                self.inner.verify_now(&raw.headers, &raw.body)?;
            }
            return Err(self.inner.api_error(&CERTIFICATES, raw));
        }
        let keys = certs.decrypt(&raw.body, now)?;
        let rejected =
            |e: SignatureError| Error::PlatformCertificates(format!("download rejected: {e}"));
        let signed = SignedHeaders::from_headers(&raw.headers).map_err(rejected)?;
        let key = self
            .inner
            .lookup(signed.serial)
            .or_else(|| {
                keys.iter()
                    .find(|k| k.serial.eq_ignore_ascii_case(signed.serial))
                    .map(|k| k.key.clone())
            })
            .ok_or_else(|| {
                rejected(SignatureError::UnknownSerial {
                    serial: signed.serial.to_owned(),
                    configured: keys.iter().map(|k| k.serial.clone()).collect(),
                })
            })?;
        signed.verify(&key, &raw.body, now).map_err(rejected)?;
        certs.install(keys);
        Ok(())
    }

    /// The periodic refresh, before a call. Failure is fatal only when nothing else can
    /// verify answers.
    async fn ensure_certificates(&self) -> Result<(), Error> {
        let Some(certs) = &self.inner.certs else {
            return Ok(());
        };
        if !certs.due() {
            return Ok(());
        }
        match self.refresh_platform_certificates_limited().await {
            Ok(()) => Ok(()),
            Err(e) if self.inner.keys.serials().next().is_some() || !certs.serials().is_empty() => {
                tracing::warn!(error = %e, "platform certificate refresh failed; keeping the keys already known");
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Signs and sends `req` with retries and failover; returns the verified 2xx answer.
    pub(crate) async fn send(&self, req: ApiRequest) -> Result<Verified, Error> {
        let op = req.operation;
        let span = tracing::info_span!(
            "wechatpay.call",
            operation = op.id,
            method = op.method,
            path = op.path,
            status = Empty,
            request_id = Empty,
            attempts = Empty,
            latency_ms = Empty,
        );
        self.send_in_span(req).instrument(span).await
    }

    async fn send_in_span(&self, req: ApiRequest) -> Result<Verified, Error> {
        let op = req.operation;
        let started = Instant::now();
        let policy = self.retry;
        self.ensure_certificates().await?;
        let prepared = prepare(&req)?;
        let hosts = self.inner.hosts.len();
        let mut host = 0;
        let mut attempt = 0u32;
        let span = tracing::Span::current();
        let result = loop {
            attempt += 1;
            let left = policy.deadline.saturating_sub(started.elapsed());
            let timeout = self.inner.timeout.min(left.max(Duration::from_millis(1)));
            let attempt_span = tracing::debug_span!(
                "wechatpay.attempt",
                attempt,
                host = %self.inner.hosts[host],
                status = Empty,
                request_id = Empty,
                latency_ms = Empty,
            );
            let t0 = Instant::now();
            let outcome = async {
                let raw = self
                    .attempt(op, &req.path_and_query, &prepared, host, timeout)
                    .await?;
                let s = tracing::Span::current();
                s.record("status", raw.status);
                if let Some(id) = raw.request_id() {
                    s.record("request_id", id.as_str());
                }
                self.finish(op, raw).await
            }
            .instrument(attempt_span.clone())
            .await;
            attempt_span.record("latency_ms", t0.elapsed().as_millis() as u64);
            let error = match outcome {
                Ok(v) => break Ok(v),
                Err(e) => e,
            };
            let step = next_step(&policy, &error, op.safe_to_retry, attempt, hosts > 1);
            match step {
                Next::Fail => break Err(error),
                Next::NotSafe => {
                    break Err(Error::NotRetried(Box::new(NotRetried {
                        operation: op.id,
                        cause: error,
                    })))
                }
                Next::Retry { wait, switch_host } => {
                    if started.elapsed() + wait >= policy.deadline {
                        break Err(error);
                    }
                    tracing::warn!(
                        attempt,
                        error = %error,
                        wait_ms = wait.as_millis() as u64,
                        failover = switch_host,
                        "wechatpay call failed; retrying"
                    );
                    if switch_host {
                        host = (host + 1) % hosts;
                    }
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        };
        span.record("attempts", attempt);
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(v) => {
                span.record("status", v.status);
                if let Some(id) = &v.request_id {
                    span.record("request_id", id.as_str());
                }
            }
            Err(e) => {
                if let Some(api) = e.api() {
                    span.record("status", api.status);
                    if let Some(id) = &api.request_id {
                        span.record("request_id", id.as_str());
                    }
                }
                tracing::debug!(error = %e, "wechatpay call failed");
            }
        }
        result
    }

    /// Verifies an answer: a 2xx must be signed; an error answer is verified if signed.
    async fn finish(&self, op: &'static OperationMeta, raw: Raw) -> Result<Verified, Error> {
        if (200..300).contains(&raw.status) {
            self.verify_signature_refreshing(&raw.headers, &raw.body)
                .await?;
            return Ok(Verified {
                status: raw.status,
                request_id: raw.request_id(),
                body: raw.body,
            });
        }
        if raw.headers.contains_key(HEADER_SIGNATURE) {
            self.verify_signature_refreshing(&raw.headers, &raw.body)
                .await?;
        }
        Err(self.inner.api_error(op, raw))
    }

    /// One signed attempt against host number `host`; the answer is not verified yet.
    pub(crate) async fn attempt(
        &self,
        op: &'static OperationMeta,
        path_and_query: &str,
        body: &Prepared,
        host: usize,
        timeout: Duration,
    ) -> Result<Raw, Error> {
        let inner = &*self.inner;
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).map_err(|_| {
            Error::Config(format!("{}: invalid HTTP method {:?}", op.id, op.method))
        })?;
        let url = url_for(&inner.hosts[host], path_and_query)?;
        let authorization = inner.signer.authorization(
            op.method,
            path_and_query,
            inner.clock.now_unix(),
            &body.signed,
        )?;
        let mut request = inner
            .http
            .request(method, url)
            .timeout(timeout)
            .header(AUTHORIZATION, authorization)
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, &inner.user_agent);
        if let Some(serial) = inner.request_serial() {
            request = request.header(HEADER_SERIAL, serial);
        }
        if let Some(ct) = &body.content_type {
            request = request.header(CONTENT_TYPE, ct).body(body.sent.clone());
        }
        let mut response = request.send().await.map_err(Error::from_reqwest)?;
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let body = read_body(response).await?;
        Ok(Raw {
            status,
            headers,
            body,
        })
    }
}

/// The bytes to sign and send for `req`: its JSON body, or the meta JSON (signed) inside a
/// multipart body (sent).
fn prepare(req: &ApiRequest) -> Result<Prepared, Error> {
    let json = Bytes::from(req.body.clone().unwrap_or_default());
    match &req.multipart {
        Some(file) => {
            let (content_type, sent) = multipart::encode(&json, file)?;
            Ok(Prepared {
                signed: json,
                sent: Bytes::from(sent),
                content_type: Some(content_type),
            })
        }
        None if json.is_empty() => Ok(Prepared {
            signed: json.clone(),
            sent: json,
            content_type: None,
        }),
        None => Ok(Prepared {
            signed: json.clone(),
            sent: json,
            content_type: Some("application/json".to_owned()),
        }),
    }
}

impl Inner {
    /// The key for `serial`: configured, or downloaded.
    fn lookup(&self, serial: &str) -> Option<VerifyingKey> {
        self.keys
            .find(serial)
            .cloned()
            .or_else(|| self.certs.as_ref().and_then(|c| c.find(serial)))
    }

    /// Every serial this client can verify with.
    fn known_serials(&self) -> Vec<String> {
        let mut all: Vec<String> = self.keys.serials().map(str::to_owned).collect();
        if let Some(c) = &self.certs {
            all.extend(c.serials());
        }
        all
    }

    /// Verifies with the keys known right now.
    pub(crate) fn verify_now(
        &self,
        headers: &(impl HeaderLookup + ?Sized),
        body: &[u8],
    ) -> Result<(), SignatureError> {
        let signed = SignedHeaders::from_headers(headers)?;
        let key = self
            .lookup(signed.serial)
            .ok_or_else(|| SignatureError::UnknownSerial {
                serial: signed.serial.to_owned(),
                configured: self.known_serials(),
            })?;
        signed.verify(&key, body, self.clock.now_unix())
    }

    /// The `Wechatpay-Serial` announced in requests: the public key id, else the newest
    /// downloaded platform certificate, else the first configured one.
    pub(crate) fn request_serial(&self) -> Option<String> {
        if self.keys.has_public_key() {
            return self.keys.preferred_serial().map(str::to_owned);
        }
        self.certs
            .as_ref()
            .and_then(|c| c.newest_serial(self.clock.now_unix()))
            .or_else(|| self.keys.preferred_serial().map(str::to_owned))
    }

    /// The typed error for a non-2xx answer (already verified if it was signed).
    pub(crate) fn api_error(&self, op: &'static OperationMeta, raw: Raw) -> Error {
        let verified = raw.headers.contains_key(HEADER_SIGNATURE);
        let mut api = ApiError::from_response(
            op.id,
            op.errors,
            raw.status,
            raw.request_id(),
            &raw.body,
            verified,
        );
        api.retry_after = crate::runtime::retry::parse_retry_after(
            raw.headers.get("Retry-After").and_then(|v| v.to_str().ok()),
            self.clock.now_unix(),
        );
        Error::Api(Box::new(api))
    }
}

/// The URL for `path_and_query` on `base`, refusing any that would not be sent byte for
/// byte as signed (URL parsers normalise `..`, spaces, fragments…).
pub(crate) fn url_for(base: &str, path_and_query: &str) -> Result<reqwest::Url, Error> {
    let refuse = |why: &str| Error::Config(format!("request path {path_and_query:?}: {why}"));
    if !path_and_query.starts_with('/') || path_and_query.contains('#') {
        return Err(refuse("must start with '/' and contain no '#'"));
    }
    let url = reqwest::Url::parse(&format!("{base}{path_and_query}"))
        .map_err(|e| refuse(&e.to_string()))?;
    let mut sent = url.path().to_owned();
    if let Some(q) = url.query() {
        sent.push('?');
        sent.push_str(q);
    }
    if sent != path_and_query {
        return Err(refuse(&format!("would be sent as {sent:?}, not as signed")));
    }
    Ok(url)
}

/// Reads the whole body, refusing more than [`MAX_RESPONSE_BYTES`].
async fn read_body(mut response: reqwest::Response) -> Result<Bytes, Error> {
    let too_big =
        || Error::Transport(format!("response body larger than {MAX_RESPONSE_BYTES} bytes").into());
    let hint = response.content_length().unwrap_or(0);
    if hint > MAX_RESPONSE_BYTES as u64 {
        return Err(too_big());
    }
    let mut out = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        if out.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(too_big());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(out))
}

/// Configures a [`Client`]. Required: [`mchid`](Self::mchid),
/// [`merchant_serial`](Self::merchant_serial),
/// [`merchant_private_key_pem`](Self::merchant_private_key_pem), and at least one of
/// [`wechatpay_public_key`](Self::wechatpay_public_key) /
/// [`platform_certificate`](Self::platform_certificate) /
/// [`download_platform_certificates`](Self::download_platform_certificates).
pub struct ClientBuilder {
    mchid: Option<String>,
    merchant_serial: Option<String>,
    private_key_pem: Option<Vec<u8>>,
    public_keys: Vec<(String, Vec<u8>)>,
    platform_certs: Vec<(String, Vec<u8>)>,
    base_url: String,
    backup_url: Option<Option<String>>,
    timeout: Duration,
    connect_timeout: Duration,
    validation: bool,
    clock: Arc<dyn Clock>,
    user_agent: Option<String>,
    http_client: Option<reqwest::Client>,
    retry: RetryPolicy,
    api_v3_key: Option<ApiV3Key>,
    download_certificates: bool,
    certificate_refresh: Duration,
    certificate_min_gap: Duration,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            mchid: None,
            merchant_serial: None,
            private_key_pem: None,
            public_keys: Vec::new(),
            platform_certs: Vec::new(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            backup_url: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            validation: true,
            clock: Arc::new(SystemClock),
            user_agent: None,
            http_client: None,
            retry: RetryPolicy::default(),
            api_v3_key: None,
            download_certificates: false,
            certificate_refresh: DEFAULT_CERTIFICATE_REFRESH,
            certificate_min_gap: DEFAULT_CERTIFICATE_MIN_GAP,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids = |v: &[(String, Vec<u8>)]| v.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>();
        f.debug_struct("ClientBuilder")
            .field("mchid", &self.mchid)
            .field("merchant_serial", &self.merchant_serial)
            .field(
                "merchant_private_key_pem",
                &self.private_key_pem.as_ref().map(|_| "<redacted>"),
            )
            .field("wechatpay_public_keys", &ids(&self.public_keys))
            .field("platform_certificates", &ids(&self.platform_certs))
            .field("base_url", &self.base_url)
            .field("backup_url", &self.backup_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("validation", &self.validation)
            .field("clock", &self.clock)
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http_client.is_some())
            .field("retry", &self.retry)
            .field(
                "api_v3_key",
                &self.api_v3_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "download_platform_certificates",
                &self.download_certificates,
            )
            .finish()
    }
}

impl ClientBuilder {
    /// 商户号 (mchid).
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.mchid = Some(mchid.into());
        self
    }

    /// The serial number of the merchant API certificate (商户API证书序列号).
    pub fn merchant_serial(mut self, serial: impl Into<String>) -> Self {
        self.merchant_serial = Some(serial.into());
        self
    }

    /// The merchant API private key (`apiclient_key.pem`): PKCS#8 `BEGIN PRIVATE KEY`,
    /// or PKCS#1 `BEGIN RSA PRIVATE KEY`. Parsed once, by [`build`](Self::build).
    pub fn merchant_private_key_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.private_key_pem = Some(pem.as_ref().to_vec());
        self
    }

    /// The WeChat Pay public key (微信支付公钥): its id (`PUB_KEY_ID_` + digits) and
    /// `BEGIN PUBLIC KEY` PEM. Responses signed under this id are verified with it.
    pub fn wechatpay_public_key(mut self, id: impl Into<String>, pem: impl AsRef<[u8]>) -> Self {
        self.public_keys.push((id.into(), pem.as_ref().to_vec()));
        self
    }

    /// A WeChat Pay platform certificate (平台证书) and its serial. `pem` may be the
    /// `BEGIN CERTIFICATE` (whose serial must match; its validity dates and issuer are not
    /// checked, so only configure certificates obtained from WeChat Pay) or the platform
    /// `BEGIN PUBLIC KEY`. May be called several times, and combined with
    /// [`wechatpay_public_key`](Self::wechatpay_public_key) while migrating.
    pub fn platform_certificate(
        mut self,
        serial: impl Into<String>,
        pem: impl AsRef<[u8]>,
    ) -> Self {
        self.platform_certs
            .push((serial.into(), pem.as_ref().to_vec()));
        self
    }

    /// The merchant's APIv3 key (APIv3密钥): decrypts downloaded platform certificates and
    /// is the default key of [`Client::notification_handler`].
    pub fn api_v3_key(mut self, key: ApiV3Key) -> Self {
        self.api_v3_key = Some(key);
        self
    }

    /// Platform-certificate mode: download the certificates from `GET /v3/certificates`
    /// (decrypted with the [`api_v3_key`](Self::api_v3_key), the download's own signature
    /// verified), before the first call, every [`certificate_refresh`](Self::certificate_refresh)
    /// interval, and when an answer names an unknown serial (at most once per minimum gap).
    /// May be combined with a public key while migrating: then a failed download is logged
    /// and never fails a call the public key can verify. Default off: a public-key client
    /// never calls `/v3/certificates`.
    pub fn download_platform_certificates(mut self, enabled: bool) -> Self {
        self.download_certificates = enabled;
        self
    }

    /// How often downloaded certificates are refreshed (default 12 h) and the minimum time
    /// between two downloads (default 60 s; an unknown serial never triggers more).
    pub fn certificate_refresh(mut self, every: Duration, min_gap: Duration) -> Self {
        self.certificate_refresh = every;
        self.certificate_min_gap = min_gap;
        self
    }

    /// The API origin, default [`DEFAULT_BASE_URL`]. Must be `https://host[:port]` with no
    /// path (the signed path must be the path sent); `http://` only for loopback test
    /// servers (`127.0.0.0/8`, `::1`, `localhost`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The failover host for requests that could not connect (any operation) or timed out
    /// (operations safe to repeat). Default: [`DEFAULT_BACKUP_URL`] when the base URL is
    /// the default, none otherwise. `None` turns failover off.
    pub fn backup_url(mut self, url: Option<String>) -> Self {
        self.backup_url = Some(url);
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]); see [`Client::with_retry`] for
    /// one call.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Time per attempt, default [`DEFAULT_TIMEOUT`]; exceeding it gives
    /// [`Error::Timeout`] (after retries, for operations safe to repeat).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connection timeout, default [`DEFAULT_CONNECT_TIMEOUT`]. Ignored when an
    /// [`http_client`](Self::http_client) is supplied (configure it there).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Whether to validate requests against the documented rules before signing and
    /// sending them (default `true`).
    pub fn validation(mut self, enabled: bool) -> Self {
        self.validation = enabled;
        self
    }

    /// The source of "now" (default [`SystemClock`]) for request timestamps, validation time
    /// windows and the 5-minute response window.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Replaces the `User-Agent` header (default `wechatpay-marketing-rust/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Uses this reqwest client (proxies, pools) instead of a default one. Start from
    /// [`http_client_builder`](crate::runtime::tls::http_client_builder), which sets up TLS
    /// on the SDK's crypto provider. The per-attempt timeout still applies.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Checks every setting and builds the client; [`Error::Config`] lists every problem.
    /// Also makes aws-lc-rs the program's default rustls provider if none is installed
    /// (see [`install_default_provider`](crate::runtime::tls::install_default_provider)).
    pub fn build(self) -> Result<Client, Error> {
        crate::runtime::tls::install_default_provider();
        let mut problems = Vec::new();
        let mchid = required(&mut problems, "mchid", self.mchid);
        let serial = required(&mut problems, "merchant_serial", self.merchant_serial);
        let signer = match (self.private_key_pem, &mchid, &serial) {
            (None, _, _) => {
                problems.push("merchant_private_key_pem is not set".to_owned());
                None
            }
            (Some(pem), Some(m), Some(s)) => MerchantSigner::from_pem(m.clone(), s.clone(), &pem)
                .map_err(|e| problems.push(e))
                .ok(),
            (Some(pem), _, _) => {
                // Still check the key so every problem is reported at once.
                if let Err(e) = MerchantSigner::from_pem(String::new(), String::new(), &pem) {
                    problems.push(e);
                }
                None
            }
        };

        let mut keys = KeySet::default();
        for (id, pem) in &self.public_keys {
            if let Err(e) = keys.add_public_key(id, pem) {
                problems.push(e);
            }
        }
        for (serial, pem) in &self.platform_certs {
            if let Err(e) = keys.add_platform(serial, pem) {
                problems.push(e);
            }
        }
        let certs = match (self.download_certificates, &self.api_v3_key) {
            (false, _) => None,
            (true, None) => {
                problems.push(
                    "download_platform_certificates needs the api_v3_key to decrypt them".into(),
                );
                None
            }
            (true, Some(key)) => Some(PlatformCertificates::new(
                key.clone(),
                self.certificate_refresh,
                self.certificate_min_gap,
            )),
        };
        if self.public_keys.is_empty()
            && self.platform_certs.is_empty()
            && !self.download_certificates
        {
            problems.push(
                "no WeChat Pay key: set wechatpay_public_key, platform_certificate and/or download_platform_certificates"
                    .to_owned(),
            );
        }

        let mut hosts = Vec::new();
        match origin(&self.base_url) {
            Ok(u) => hosts.push(u),
            Err(e) => problems.push(e),
        }
        let backup = match self.backup_url {
            Some(explicit) => explicit,
            None if self.base_url.trim_end_matches('/') == DEFAULT_BASE_URL => {
                Some(DEFAULT_BACKUP_URL.to_owned())
            }
            None => None,
        };
        if let Some(b) = backup {
            match origin(&b) {
                Ok(u) if hosts.first() != Some(&u) => hosts.push(u),
                Ok(_) => {}
                Err(e) => problems.push(format!("backup_url: {e}")),
            }
        }
        if self.timeout.is_zero() {
            problems.push("timeout must be greater than zero".to_owned());
        }
        if self.retry.max_attempts == 0 {
            problems.push("retry.max_attempts must be at least 1".to_owned());
        }
        let user_agent = self.user_agent.unwrap_or_else(|| {
            concat!("wechatpay-marketing-rust/", env!("CARGO_PKG_VERSION")).to_owned()
        });
        if reqwest::header::HeaderValue::from_str(&user_agent).is_err() {
            problems.push("user_agent is not a valid header value".to_owned());
        }

        let http = match self.http_client {
            Some(c) => Some(c),
            None => crate::runtime::tls::http_client_builder()
                .map_err(|e| problems.push(format!("TLS: {e}")))
                .ok()
                .and_then(|b| {
                    b.connect_timeout(self.connect_timeout)
                        .build()
                        .map_err(|e| problems.push(format!("HTTP client: {e}")))
                        .ok()
                }),
        };

        match (signer, http) {
            (Some(signer), Some(http)) if problems.is_empty() => Ok(Client {
                inner: Arc::new(Inner {
                    http,
                    hosts,
                    signer,
                    keys,
                    certs,
                    timeout: self.timeout,
                    validation: self.validation,
                    clock: self.clock,
                    user_agent,
                    api_v3_key: self.api_v3_key,
                }),
                retry: self.retry,
            }),
            _ => Err(Error::Config(problems.join("; "))),
        }
    }
}

/// A header-safe, non-empty setting, or a recorded problem.
fn required(problems: &mut Vec<String>, name: &str, value: Option<String>) -> Option<String> {
    match value {
        None => {
            problems.push(format!("{name} is not set"));
            None
        }
        Some(v)
            if v.is_empty()
                || !v
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'"' && b != b',') =>
        {
            problems.push(format!(
                "{name} must be non-empty visible ASCII without '\"' or ','"
            ));
            None
        }
        Some(v) => Some(v),
    }
}

/// `https://host[:port]` from a base URL (`http://` only for loopback hosts), rejecting
/// paths, queries and credentials.
pub(crate) fn origin(base_url: &str) -> Result<String, String> {
    let bad = |why: &str| format!("base_url {base_url:?}: {why}");
    let url = reqwest::Url::parse(base_url).map_err(|e| bad(&e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(bad(
                "must be https:// (http:// is accepted only for loopback test servers)",
            ))
        }
        _ => return Err(bad("scheme must be https")),
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a path, query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not contain credentials"));
    }
    Ok(url.origin().ascii_serialization())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or("");
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::validation::FixedClock;

    const MERCHANT_PRIVATE: &str =
        include_str!("../../../tests/fixtures/keys/merchant_private.pem");
    const PLATFORM_PUBLIC: &str = include_str!("../../../tests/fixtures/keys/platform_public.pem");

    fn builder() -> ClientBuilder {
        Client::builder()
            .mchid("1900000001")
            .merchant_serial("ABC123")
            .merchant_private_key_pem(MERCHANT_PRIVATE)
            .wechatpay_public_key("PUB_KEY_ID_01", PLATFORM_PUBLIC)
            .base_url("http://127.0.0.1:1")
            .clock(Arc::new(FixedClock(1_700_000_000)))
    }

    #[test]
    fn builds_and_redacts() {
        let c = builder().build().expect("client");
        assert!(c.validation_enabled());
        assert_eq!(c.clock().now_unix(), 1_700_000_000);
        let dbg = format!("{c:?} {:?}", builder());
        assert!(dbg.contains("<redacted>"));
        assert!(!dbg.contains("PRIVATE KEY"));
    }

    #[test]
    fn config_error_lists_every_problem() {
        let e = Client::builder()
            .merchant_private_key_pem("nope")
            .base_url("ftp://x/y")
            .build()
            .unwrap_err();
        let Error::Config(msg) = e else {
            panic!("{e:?}")
        };
        for needle in [
            "mchid is not set",
            "merchant_serial is not set",
            "merchant private key",
            "no WeChat Pay key",
            "base_url",
        ] {
            assert!(msg.contains(needle), "{needle} not in {msg}");
        }
    }

    #[test]
    fn backup_host_defaults_only_for_the_production_host() {
        let prod = builder()
            .base_url(DEFAULT_BASE_URL)
            .build()
            .expect("client");
        assert_eq!(prod.hosts(), [DEFAULT_BASE_URL, DEFAULT_BACKUP_URL]);
        let off = builder()
            .base_url(DEFAULT_BASE_URL)
            .backup_url(None)
            .build()
            .expect("client");
        assert_eq!(off.hosts(), [DEFAULT_BASE_URL]);
        let test = builder().build().expect("client");
        assert_eq!(
            test.hosts(),
            ["http://127.0.0.1:1"],
            "no internet host behind a test server"
        );
        let e = builder()
            .backup_url(Some("http://api2.mch.weixin.qq.com".into()))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("backup_url"), "{e}");
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(
            origin("http://127.0.0.1:8080/").as_deref(),
            Ok("http://127.0.0.1:8080")
        );
        assert_eq!(origin(DEFAULT_BASE_URL).as_deref(), Ok(DEFAULT_BASE_URL));
        assert!(origin("https://h/prefix").is_err());
        assert_eq!(origin("http://[::1]:9").as_deref(), Ok("http://[::1]:9"));
        assert!(origin("http://localhost:9").is_ok());
        let e = origin("http://api.mch.weixin.qq.com").unwrap_err();
        assert!(e.contains("https"), "{e}");
        assert!(origin("http://10.0.0.1").is_err());
        assert!(origin("https://u:p@h").is_err());
    }

    #[test]
    fn urls_must_round_trip() {
        let c = builder()
            .base_url("http://127.0.0.1:1")
            .build()
            .expect("client");
        let base = &c.inner.hosts[0];
        let ok = url_for(base, "/v3/marketing/favor/stocks?offset=0&limit=10").expect("ok");
        assert_eq!(
            ok.as_str(),
            "http://127.0.0.1:1/v3/marketing/favor/stocks?offset=0&limit=10"
        );
        assert!(url_for(base, "/v3/a/%2E%2E/b").is_err());
        assert!(url_for(base, "/v3/a/../b").is_err());
        assert!(url_for(base, "/v3/a b").is_err());
        assert!(url_for(base, "/v3/a#b").is_err());
        assert!(url_for(base, "v3/a").is_err());
    }
}
