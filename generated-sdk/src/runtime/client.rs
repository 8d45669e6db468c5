//! The `Client` and its builder: configuration, request signing and sending, response
//! verification and decoding. Generated operation methods all funnel into `execute*`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use serde::de::DeserializeOwned;

use crate::runtime::error::{ApiError, Error, SignatureError};
use crate::runtime::notification::{
    decrypt_resource, ApiV3Key, Notification, NotificationEnvelope,
};
use crate::runtime::operation::ApiRequest;
use crate::runtime::signing::MerchantSigner;
use crate::runtime::validation::{Clock, SystemClock};
use crate::runtime::verify::{HeaderLookup, KeySet, HEADER_SERIAL, HEADER_SIGNATURE};

/// The production API host.
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";
/// Total time allowed per request (connect, send, and read the whole response).
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
/// [`ApiError::verified`] = `false`.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    signer: MerchantSigner,
    keys: KeySet,
    request_serial: String,
    timeout: Duration,
    validation: bool,
    clock: Arc<dyn Clock>,
    user_agent: String,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &*self.inner;
        f.debug_struct("Client")
            .field("mchid", &i.signer.mchid())
            .field("base_url", &i.base_url)
            .field("wechatpay_serials", &i.keys.serials().collect::<Vec<_>>())
            .field("timeout", &i.timeout)
            .field("validation", &i.validation)
            .field("clock", &i.clock)
            .field("merchant_private_key", &"<redacted>")
            .finish()
    }
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

    /// Sends a validated request and decodes its verified 2xx JSON body (an empty body
    /// decodes as JSON `null`).
    #[doc(hidden)]
    pub async fn execute<T: DeserializeOwned>(&self, req: ApiRequest) -> Result<T, Error> {
        let body = self.send(req).await?;
        let json: &[u8] = if body.is_empty() { b"null" } else { &body };
        serde_json::from_slice(json).map_err(|e| Error::Decode {
            message: e.to_string(),
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    /// Sends a validated request whose success answer has no content (typically 204).
    /// The response signature is still verified, fail closed.
    #[doc(hidden)]
    pub async fn execute_empty(&self, req: ApiRequest) -> Result<(), Error> {
        self.send(req).await.map(drop)
    }

    /// Verifies a WeChat Pay signature (`Wechatpay-Timestamp`, `-Nonce`, `-Signature`,
    /// `-Serial` headers) over raw `body` bytes with this client's keys and clock.
    pub fn verify_signature(
        &self,
        headers: &(impl HeaderLookup + ?Sized),
        body: &[u8],
    ) -> Result<(), SignatureError> {
        self.inner
            .keys
            .verify(headers, body, self.inner.clock.now_unix())
    }

    /// Verifies a callback notification's signature over the raw body, then decrypts its
    /// `resource` with the APIv3 key and deserializes the plaintext as `T`.
    ///
    /// Errors: [`Error::Signature`] (untrusted: answer the callback with a failure),
    /// [`Error::Decrypt`] (wrong APIv3 key or tampered resource), [`Error::Decode`]
    /// (envelope or payload JSON did not match).
    pub fn parse_notification<T: DeserializeOwned>(
        &self,
        api_v3_key: &ApiV3Key,
        headers: &(impl HeaderLookup + ?Sized),
        body: &[u8],
    ) -> Result<Notification<T>, Error> {
        self.verify_signature(headers, body)?;
        let envelope: NotificationEnvelope = decode(body)?;
        let plaintext = decrypt_resource(api_v3_key, &envelope.resource)?;
        let payload = decode(&plaintext)?;
        Ok(Notification { envelope, payload })
    }

    /// Signs and sends `req`; returns the verified body of a 2xx answer.
    async fn send(&self, req: ApiRequest) -> Result<Vec<u8>, Error> {
        let inner = &*self.inner;
        let op = req.operation;
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).map_err(|_| {
            Error::Config(format!("{}: invalid HTTP method {:?}", op.id, op.method))
        })?;
        let url = inner.url_for(&req.path_and_query)?;
        let body = req.body.unwrap_or_default();
        let authorization = inner.signer.authorization(
            op.method,
            &req.path_and_query,
            inner.clock.now_unix(),
            &body,
        )?;

        let mut request = inner
            .http
            .request(method, url)
            .timeout(inner.timeout)
            .header(AUTHORIZATION, authorization)
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, &inner.user_agent)
            .header(HEADER_SERIAL, &inner.request_serial);
        if !body.is_empty() {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let mut response = request.send().await.map_err(Error::from_reqwest)?;
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let bytes = read_body(response).await?;

        let now = inner.clock.now_unix();
        if (200..300).contains(&status) {
            inner.keys.verify(&headers, &bytes, now)?;
            return Ok(bytes);
        }
        let verified = headers.contains_key(HEADER_SIGNATURE);
        if verified {
            inner.keys.verify(&headers, &bytes, now)?;
        }
        let request_id = headers
            .get("Request-ID")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Err(Error::Api(Box::new(ApiError::from_response(
            op.id, op.errors, status, request_id, &bytes, verified,
        ))))
    }
}

impl Inner {
    /// The URL for `path_and_query`, refusing any that would not be sent byte for byte
    /// as signed (URL parsers normalise `..`, spaces, fragments…).
    fn url_for(&self, path_and_query: &str) -> Result<reqwest::Url, Error> {
        let refuse = |why: &str| Error::Config(format!("request path {path_and_query:?}: {why}"));
        if !path_and_query.starts_with('/') || path_and_query.contains('#') {
            return Err(refuse("must start with '/' and contain no '#'"));
        }
        let url = reqwest::Url::parse(&format!("{}{}", self.base_url, path_and_query))
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
}

/// Reads the whole body, refusing more than [`MAX_RESPONSE_BYTES`].
async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, Error> {
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
    Ok(out)
}

/// Deserializes verified bytes, keeping the body for diagnosis on failure.
fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| Error::Decode {
        message: e.to_string(),
        body: String::from_utf8_lossy(bytes).into_owned(),
    })
}

/// Configures a [`Client`]. Required: [`mchid`](Self::mchid),
/// [`merchant_serial`](Self::merchant_serial),
/// [`merchant_private_key_pem`](Self::merchant_private_key_pem), and at least one of
/// [`wechatpay_public_key`](Self::wechatpay_public_key) /
/// [`platform_certificate`](Self::platform_certificate).
pub struct ClientBuilder {
    mchid: Option<String>,
    merchant_serial: Option<String>,
    private_key_pem: Option<Vec<u8>>,
    public_keys: Vec<(String, Vec<u8>)>,
    platform_certs: Vec<(String, Vec<u8>)>,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    validation: bool,
    clock: Arc<dyn Clock>,
    user_agent: Option<String>,
    http_client: Option<reqwest::Client>,
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
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            validation: true,
            clock: Arc::new(SystemClock),
            user_agent: None,
            http_client: None,
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
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("validation", &self.validation)
            .field("clock", &self.clock)
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http_client.is_some())
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
    /// or PKCS#1 `BEGIN RSA PRIVATE KEY`.
    pub fn merchant_private_key_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.private_key_pem = Some(pem.as_ref().to_vec());
        self
    }

    /// The WeChat Pay public key (微信支付公钥): its id (`PUB_KEY_ID_…`) and
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

    /// The API origin, default [`DEFAULT_BASE_URL`]. Must be `http(s)://host[:port]` with no
    /// path, since the signed path must be the path sent.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Total time per request, default [`DEFAULT_TIMEOUT`]; exceeding it gives
    /// [`Error::Timeout`].
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

    /// Uses this reqwest client (proxies, TLS roots, pools) instead of a default one.
    /// The per-request timeout still applies.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Checks every setting and builds the client; [`Error::Config`] lists every problem.
    pub fn build(self) -> Result<Client, Error> {
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
        if self.public_keys.is_empty() && self.platform_certs.is_empty() {
            problems.push(
                "no WeChat Pay key: set wechatpay_public_key and/or platform_certificate"
                    .to_owned(),
            );
        }

        let base_url = match origin(&self.base_url) {
            Ok(u) => Some(u),
            Err(e) => {
                problems.push(e);
                None
            }
        };
        if self.timeout.is_zero() {
            problems.push("timeout must be greater than zero".to_owned());
        }
        let user_agent = self.user_agent.unwrap_or_else(|| {
            concat!("wechatpay-marketing-rust/", env!("CARGO_PKG_VERSION")).to_owned()
        });
        if reqwest::header::HeaderValue::from_str(&user_agent).is_err() {
            problems.push("user_agent is not a valid header value".to_owned());
        }

        let http = match self.http_client {
            Some(c) => Some(c),
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| problems.push(format!("HTTP client: {e}")))
                .ok(),
        };

        match (
            signer,
            base_url,
            http,
            keys.preferred_serial().map(str::to_owned),
        ) {
            (Some(signer), Some(base_url), Some(http), Some(request_serial))
                if problems.is_empty() =>
            {
                Ok(Client {
                    inner: Arc::new(Inner {
                        http,
                        base_url,
                        signer,
                        keys,
                        request_serial,
                        timeout: self.timeout,
                        validation: self.validation,
                        clock: self.clock,
                        user_agent,
                    }),
                })
            }
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

/// `http(s)://host[:port]` from a base URL, rejecting paths, queries and credentials.
fn origin(base_url: &str) -> Result<String, String> {
    let bad = |why: &str| format!("base_url {base_url:?}: {why}");
    let url = reqwest::Url::parse(base_url).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("scheme must be http or https"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a path, query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not contain credentials"));
    }
    Ok(url.origin().ascii_serialization())
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
    fn base_url_rules() {
        assert_eq!(
            origin("http://127.0.0.1:8080/").as_deref(),
            Ok("http://127.0.0.1:8080")
        );
        assert_eq!(origin(DEFAULT_BASE_URL).as_deref(), Ok(DEFAULT_BASE_URL));
        assert!(origin("https://h/prefix").is_err());
        assert!(origin("https://u:p@h").is_err());
    }

    #[test]
    fn urls_must_round_trip() {
        let c = builder()
            .base_url("http://127.0.0.1:1")
            .build()
            .expect("client");
        let ok = c
            .inner
            .url_for("/v3/marketing/favor/stocks?offset=0&limit=10")
            .expect("ok");
        assert_eq!(
            ok.as_str(),
            "http://127.0.0.1:1/v3/marketing/favor/stocks?offset=0&limit=10"
        );
        assert!(c.inner.url_for("/v3/a/%2E%2E/b").is_err());
        assert!(c.inner.url_for("/v3/a/../b").is_err());
        assert!(c.inner.url_for("/v3/a b").is_err());
        assert!(c.inner.url_for("/v3/a#b").is_err());
        assert!(c.inner.url_for("v3/a").is_err());
    }
}
