//! The one error type every client call returns, and its parts: API errors with their
//! documented rows, response-signature failures, decryption failures and builder errors.

use std::fmt;

use crate::runtime::operation::ErrorRow;
use crate::runtime::validation::ValidationErrors;

/// Everything that can go wrong when calling WeChat Pay.
///
/// Match on the variant to decide what to do; [`Error::is_retryable`] answers the most common
/// question, and [`Error::api`] gives the server's answer when there was one.
///
/// No variant carries a decrypted notification payload, a response body that verified, a key
/// or a signature: `Display` and `Debug` are safe to log.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request broke documented rules; nothing was signed or sent.
    Validation(ValidationErrors),
    /// A request builder was missing required fields; nothing was sent.
    Build(BuildError),
    /// The client (or an APIv3 key) is misconfigured: bad PEM, missing setting, bad URL.
    Config(String),
    /// The request could not be sent or the response could not be read.
    Transport(Box<dyn std::error::Error + Send + Sync>),
    /// No complete response arrived within the configured timeout. The server may still
    /// have processed the request: retry with the same idempotency key (`out_request_no`…).
    Timeout,
    /// WeChat Pay answered with a non-2xx status.
    Api(Box<ApiError>),
    /// A response failed signature verification; its content is untrusted.
    Signature(SignatureError),
    /// A callback notification was rejected (signature, size, event type, decryption or
    /// payload); answer it with a failure so WeChat Pay sends it again.
    Notification(NotificationError),
    /// WeChat Pay answered 2xx with a verified body that did not match the expected type.
    /// **The call succeeded at WeChat Pay**: do not send a create again; query the resource.
    Decode(Box<DecodeError>),
    /// The operation failed in a way that is normally retried, but it was not retried
    /// automatically because it is not safe to repeat (no idempotency key): the request
    /// may already have taken effect. [`NotRetried::advice`] says how to retry safely.
    NotRetried(Box<NotRetried>),
    /// A file download ([`Client::download_to`](crate::Client::download_to)) failed.
    Download(DownloadError),
    /// The platform certificates (`GET /v3/certificates`) could not be downloaded, decrypted
    /// or verified.
    PlatformCertificates(String),
}

impl Error {
    /// Whether sending the same request again (with the same idempotency keys) may succeed:
    /// timeouts, connection failures, HTTP 429 and 5xx, and the codes `SYSTEM_ERROR` and
    /// `FREQUENCY_LIMITED`. Validation, build, configuration, signature, notification,
    /// decode, download errors, [`Error::NotRetried`] and other 4xx answers are not retryable.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout => true,
            Error::Transport(e) => e
                .downcast_ref::<reqwest::Error>()
                .is_some_and(|e| e.is_connect() || e.is_timeout() || e.is_request()),
            Error::Api(api) => api.is_retryable(),
            _ => false,
        }
    }

    /// Whether the request certainly never reached the server (the connection could not be
    /// established), so it may be sent again, to any host, even if it is not idempotent.
    pub fn is_connect(&self) -> bool {
        match self {
            Error::Transport(e) => e
                .downcast_ref::<reqwest::Error>()
                .is_some_and(reqwest::Error::is_connect),
            _ => false,
        }
    }

    /// The server's error answer, if this is an [`Error::Api`] (or a not-retried one).
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            Error::NotRetried(n) => n.cause.api(),
            _ => None,
        }
    }

    /// Wraps a reqwest error, turning its (whole-request) timeouts into [`Error::Timeout`].
    /// A connect timeout stays a transport error: the request was never sent.
    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() && !e.is_connect() {
            Error::Timeout
        } else {
            Error::Transport(Box::new(e))
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Validation(e) => fmt::Display::fmt(e, f),
            Error::Build(e) => fmt::Display::fmt(e, f),
            Error::Config(msg) => write!(f, "client configuration error: {msg}"),
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::Timeout => f.write_str("request timed out"),
            Error::Api(e) => fmt::Display::fmt(e, f),
            Error::Signature(e) => write!(f, "response signature rejected: {e}"),
            Error::Notification(e) => write!(f, "notification rejected: {e}"),
            Error::Decode(e) => fmt::Display::fmt(e, f),
            Error::NotRetried(e) => fmt::Display::fmt(e, f),
            Error::Download(e) => write!(f, "download failed: {e}"),
            Error::PlatformCertificates(msg) => write!(f, "platform certificates: {msg}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Validation(e) => Some(e),
            Error::Build(e) => Some(e),
            Error::Transport(e) => Some(&**e),
            Error::Api(e) => Some(&**e),
            Error::Signature(e) => Some(e),
            Error::Notification(e) => Some(e),
            Error::NotRetried(e) => Some(&e.cause),
            Error::Download(e) => Some(e),
            Error::Config(_)
            | Error::Timeout
            | Error::Decode(_)
            | Error::PlatformCertificates(_) => None,
        }
    }
}

impl From<ValidationErrors> for Error {
    fn from(e: ValidationErrors) -> Self {
        Error::Validation(e)
    }
}

impl From<BuildError> for Error {
    fn from(e: BuildError) -> Self {
        Error::Build(e)
    }
}

impl From<SignatureError> for Error {
    fn from(e: SignatureError) -> Self {
        Error::Signature(e)
    }
}

impl From<NotificationError> for Error {
    fn from(e: NotificationError) -> Self {
        Error::Notification(e)
    }
}

impl From<DownloadError> for Error {
    fn from(e: DownloadError) -> Self {
        Error::Download(e)
    }
}

/// A verified 2xx answer whose body did not decode into the expected type. The call
/// **succeeded** at WeChat Pay; the body itself is deliberately not kept (it may carry
/// personal data), only where decoding stopped.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation (its spec id).
    pub operation: &'static str,
    /// The HTTP status WeChat Pay answered (2xx).
    pub status: u16,
    /// The `Request-ID` response header: quote it when asking WeChat Pay support.
    pub request_id: Option<String>,
    /// What went wrong and where (line, column), without the offending value.
    pub detail: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} succeeded at WeChat Pay (HTTP {}, Request-ID {}) but its verified response did not decode: {}; do not send it again as a new request, query the result instead",
            self.operation,
            self.status,
            self.request_id.as_deref().unwrap_or("none"),
            self.detail
        )
    }
}

/// A retryable failure of an operation that is not safe to repeat, returned instead of
/// retrying it automatically.
#[derive(Debug)]
#[non_exhaustive]
pub struct NotRetried {
    /// The operation (its spec id).
    pub operation: &'static str,
    /// The failure (timeout, dropped connection, 5xx, 429…).
    pub cause: Error,
}

impl NotRetried {
    /// How to retry this operation without doing it twice.
    pub fn advice(&self) -> &'static str {
        "the request may already have taken effect at WeChat Pay; query the resource to learn whether it did before sending it again (only GET operations and operations with an idempotency key are retried automatically)"
    }
}

impl fmt::Display for NotRetried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} was not retried automatically after: {}; {}",
            self.operation,
            self.cause,
            self.advice()
        )
    }
}

/// Describes a serde_json error without quoting any of the input (which may be a decrypted
/// payload): missing or duplicate field names (from the schema) are kept, values never.
pub(crate) fn describe_json_error(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let core = full.split(" at line ").next().unwrap_or("");
    let what = if core.starts_with("missing field") || core.starts_with("duplicate field") {
        core.to_owned()
    } else {
        match e.classify() {
            serde_json::error::Category::Syntax => "malformed JSON".to_owned(),
            serde_json::error::Category::Eof => "truncated JSON".to_owned(),
            serde_json::error::Category::Data => {
                "a value has an unexpected type or is out of range (value not shown)".to_owned()
            }
            serde_json::error::Category::Io => "I/O error".to_owned(),
        }
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

/// A request builder's `build()` found required fields unset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    type_name: &'static str,
    missing: Vec<&'static str>,
}

impl BuildError {
    /// A build error for `type_name` listing the unset required fields (wire names).
    pub fn new(type_name: &'static str, missing: Vec<&'static str>) -> Self {
        BuildError { type_name, missing }
    }

    /// The request type being built, e.g. `CreateCouponStockRequest`.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The required fields that were not set, in declaration order.
    pub fn missing(&self) -> &[&'static str] {
        &self.missing
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: missing required field(s): {}",
            self.type_name,
            self.missing.join(", ")
        )
    }
}

impl std::error::Error for BuildError {}

/// WeChat Pay's answer to a failed request (any non-2xx status).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation that failed (its spec id).
    pub operation: &'static str,
    /// HTTP status code.
    pub status: u16,
    /// The error code, e.g. `PARAM_ERROR`; empty if the body was not WeChat Pay's JSON.
    pub code: String,
    /// The human-readable message (or the raw body if it was not JSON).
    pub message: String,
    /// The `detail` object, when the server sent one (e.g. the offending field).
    pub detail: Option<serde_json::Value>,
    /// The `Request-ID` response header: quote it when asking WeChat Pay support.
    pub request_id: Option<String>,
    /// The operation's documented error rows whose code equals [`ApiError::code`]: read
    /// their `solution` (解决方案). Empty for undocumented codes.
    pub documented: Vec<&'static ErrorRow>,
    /// Whether the error response carried a valid WeChat Pay signature. Error responses
    /// from proxies or gateways are unsigned; they are still reported, with `false` here
    /// (and a non-JSON body is kept only up to [`ApiError::MAX_UNVERIFIED_MESSAGE`] bytes).
    pub verified: bool,
    /// The wait the server's `Retry-After` header asked for (delay seconds or an HTTP date,
    /// read against the client's clock), at most one hour.
    pub retry_after: Option<std::time::Duration>,
}

impl ApiError {
    /// Parses an error body leniently: WeChat Pay's `{"code","message","detail"}` JSON, or
    /// any other body as the message with an empty code.
    pub(crate) fn from_response(
        operation: &'static str,
        errors: &'static [ErrorRow],
        status: u16,
        request_id: Option<String>,
        body: &[u8],
        verified: bool,
    ) -> Self {
        #[derive(serde::Deserialize)]
        struct Wire {
            #[serde(default)]
            code: Option<String>,
            #[serde(default)]
            message: Option<String>,
            #[serde(default)]
            detail: Option<serde_json::Value>,
        }
        let (code, message, detail) = match serde_json::from_slice::<Wire>(body) {
            Ok(w) if verified => (
                w.code.unwrap_or_default(),
                w.message.unwrap_or_default(),
                w.detail.filter(|d| !d.is_null()),
            ),
            Ok(w) => (
                truncated(w.code.unwrap_or_default().as_bytes(), 64),
                truncated(
                    w.message.unwrap_or_default().as_bytes(),
                    Self::MAX_UNVERIFIED_MESSAGE,
                ),
                // An unsigned `detail` is kept only when small: it shows in `Debug`.
                w.detail.filter(|d| {
                    !d.is_null() && d.to_string().len() <= Self::MAX_UNVERIFIED_MESSAGE
                }),
            ),
            Err(_) => (
                String::new(),
                truncated(body, Self::MAX_UNVERIFIED_MESSAGE),
                None,
            ),
        };
        let documented = errors
            .iter()
            .filter(|row| !code.is_empty() && row.code == code)
            .collect();
        ApiError {
            operation,
            status,
            code,
            message,
            detail,
            request_id,
            documented,
            verified,
            retry_after: None,
        }
    }

    /// At most this many bytes of an unverified (unsigned) error body are kept as the message.
    pub const MAX_UNVERIFIED_MESSAGE: usize = 512;

    /// Whether the same request may succeed later: HTTP 429 or 5xx, or the codes
    /// `SYSTEM_ERROR` and `FREQUENCY_LIMITED`.
    pub fn is_retryable(&self) -> bool {
        self.status == 429
            || (500..600).contains(&self.status)
            || matches!(self.code.as_str(), "SYSTEM_ERROR" | "FREQUENCY_LIMITED")
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: HTTP {}", self.operation, self.status)?;
        if !self.code.is_empty() {
            write!(f, " {}", Escaped(&self.code))?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", Escaped(&self.message))?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (Request-ID {})", Escaped(id))?;
        }
        if !self.verified {
            f.write_str(" [unsigned answer, not from WeChat Pay's API]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// At most `max` bytes of `bytes` as lossy UTF-8 (cut on a character boundary), with the
/// original length noted when cut.
pub(crate) fn truncated(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.len() <= max {
        return text.into_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], bytes.len())
}

/// Displays a string with control characters (CR, LF, ESC…) escaped, so a hostile body
/// cannot forge log lines or terminal sequences.
pub(crate) struct Escaped<'a>(pub(crate) &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

/// Why a response or notification signature was rejected. Every case fails closed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// A required header (`Wechatpay-Timestamp`, `-Nonce`, `-Signature`, `-Serial`) was
    /// absent, empty or not visible ASCII.
    MissingHeader(&'static str),
    /// `Wechatpay-Serial` names a key this client was not configured with (nor, in
    /// platform-certificate mode, one it could download).
    UnknownSerial {
        /// The serial the signer announced.
        serial: String,
        /// The ids and serials this client knows.
        configured: Vec<String>,
    },
    /// `Wechatpay-Timestamp` is not a decimal integer.
    InvalidTimestamp(String),
    /// `Wechatpay-Timestamp` is more than 5 minutes away from the client's clock.
    StaleTimestamp {
        /// The timestamp the server sent (Unix seconds).
        timestamp: i64,
        /// The client's "now" (Unix seconds).
        now: i64,
    },
    /// `Wechatpay-Signature` is not valid base64.
    InvalidBase64,
    /// The signature does not match the body under the named key: tampered content,
    /// wrong key, or WeChat Pay's deliberate `WECHATPAY/SIGNTEST/` probe.
    BadSignature,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::MissingHeader(h) => write!(f, "missing header {h}"),
            SignatureError::UnknownSerial { serial, configured } => write!(
                f,
                "unknown Wechatpay-Serial {:?}; this client knows {:?} (configure the WeChat Pay public key or platform certificate with that id)",
                Escaped(serial).to_string(),
                configured
            ),
            SignatureError::InvalidTimestamp(t) => {
                write!(f, "Wechatpay-Timestamp {t:?} is not an integer")
            }
            SignatureError::StaleTimestamp { timestamp, now } => write!(
                f,
                "Wechatpay-Timestamp {timestamp} is outside 5 minutes of now ({now})"
            ),
            SignatureError::InvalidBase64 => f.write_str("Wechatpay-Signature is not base64"),
            SignatureError::BadSignature => f.write_str("signature does not match"),
        }
    }
}

impl std::error::Error for SignatureError {}

/// Why a notification's encrypted `resource` could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecryptError {
    /// `resource.algorithm` is not `AEAD_AES_256_GCM`.
    UnsupportedAlgorithm(String),
    /// `resource.ciphertext` is not valid base64 or is shorter than the 16-byte tag.
    InvalidCiphertext,
    /// `resource.nonce` is not exactly 12 bytes.
    InvalidNonce,
    /// The tag did not verify: wrong APIv3 key, or tampered ciphertext, nonce or
    /// associated data.
    AuthenticationFailed,
}

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecryptError::UnsupportedAlgorithm(a) => write!(f, "unsupported algorithm {a:?}"),
            DecryptError::InvalidCiphertext => f.write_str("ciphertext is not valid base64"),
            DecryptError::InvalidNonce => f.write_str("nonce is not 12 bytes"),
            DecryptError::AuthenticationFailed => {
                f.write_str("authentication failed (wrong APIv3 key or tampered data)")
            }
        }
    }
}

impl std::error::Error for DecryptError {}

/// Why a callback notification was rejected. Never carries decrypted content.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotificationError {
    /// The body is larger than the handler's limit.
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The notification's `Wechatpay-Signature` did not verify: it may not come from
    /// WeChat Pay.
    Signature(SignatureError),
    /// The body is not a notification envelope (what and where, no content).
    Envelope(String),
    /// A typed parser was given a notification of another `event_type`.
    EventType {
        /// The event type the parser handles.
        expected: &'static str,
        /// The event type received.
        actual: String,
    },
    /// The resource's `original_type` or `associated_data` is not what the spec documents
    /// for this event type.
    Resource {
        /// `original_type` or `associated_data`.
        field: &'static str,
        /// The documented value.
        expected: &'static str,
        /// The value received.
        actual: Option<String>,
    },
    /// The resource could not be decrypted with the APIv3 key.
    Decrypt(DecryptError),
    /// The decrypted payload did not match the event's documented type (where, not what).
    Payload {
        /// The event type.
        event_type: String,
        /// What went wrong and where (line, column), without any value.
        detail: String,
    },
}

impl fmt::Display for NotificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotificationError::BodyTooLarge { limit } => {
                write!(f, "body larger than {limit} bytes")
            }
            NotificationError::Signature(e) => write!(f, "notification signature rejected: {e}"),
            NotificationError::Envelope(d) => write!(f, "not a notification envelope: {d}"),
            NotificationError::EventType { expected, actual } => write!(
                f,
                "event_type {:?} where {expected:?} was expected (route it with the `Event` parser)",
                Escaped(actual).to_string()
            ),
            NotificationError::Resource {
                field,
                expected,
                actual,
            } => write!(
                f,
                "resource.{field} is {:?}, documented as {expected:?}",
                actual.as_deref().map(|a| Escaped(a).to_string())
            ),
            NotificationError::Decrypt(e) => write!(f, "resource decryption failed: {e}"),
            NotificationError::Payload { event_type, detail } => write!(
                f,
                "decrypted {:?} payload did not decode: {detail}",
                Escaped(event_type).to_string()
            ),
        }
    }
}

impl std::error::Error for NotificationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NotificationError::Signature(e) => Some(e),
            NotificationError::Decrypt(e) => Some(e),
            _ => None,
        }
    }
}

impl From<DecryptError> for NotificationError {
    fn from(e: DecryptError) -> Self {
        NotificationError::Decrypt(e)
    }
}

impl From<SignatureError> for NotificationError {
    fn from(e: SignatureError) -> Self {
        NotificationError::Signature(e)
    }
}

/// Why [`Client::download_to`](crate::Client::download_to) failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum DownloadError {
    /// The link is not on the configured API host or its backup: the merchant's
    /// Authorization is never sent anywhere else.
    ForeignOrigin(String),
    /// `hash_type` is neither `SHA1` nor `SHA256`; nothing was downloaded.
    UnsupportedHashType(String),
    /// `hash_value` is not the hex digest `hash_type` produces; nothing was downloaded.
    InvalidHashValue,
    /// The server refused the link: links expire 30 seconds after they are issued, so ask
    /// for a new one.
    Rejected(Box<ApiError>),
    /// The file's digest does not match `hash_value`. **The `written` bytes already written
    /// to the output are corrupt or incomplete and must be discarded.**
    HashMismatch {
        /// `SHA1` or `SHA256`.
        hash_type: &'static str,
        /// The documented digest (lower-case hex).
        expected: String,
        /// The digest of what arrived (lower-case hex).
        actual: String,
        /// How many bytes were written to the output.
        written: u64,
    },
    /// Writing to the output failed after `written` bytes; discard what was written.
    Write {
        /// How many bytes were written before the failure.
        written: u64,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl fmt::Display for DownloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DownloadError::ForeignOrigin(o) => write!(
                f,
                "refusing to send the merchant signature to {:?}: download links must be on the configured API host or its backup",
                Escaped(o).to_string()
            ),
            DownloadError::UnsupportedHashType(t) => write!(
                f,
                "unsupported hash_type {:?} (SHA1 or SHA256)",
                Escaped(t).to_string()
            ),
            DownloadError::InvalidHashValue => {
                f.write_str("hash_value is not a hex digest of the hash_type's length")
            }
            DownloadError::Rejected(api) => write!(
                f,
                "the download link was refused ({api}); links expire 30 seconds after they are issued: request a new one"
            ),
            DownloadError::HashMismatch {
                hash_type,
                expected,
                actual,
                written,
            } => write!(
                f,
                "{hash_type} of the downloaded file is {actual}, expected {expected}: discard the {written} bytes written"
            ),
            DownloadError::Write { written, source } => write!(
                f,
                "writing the file failed after {written} bytes ({source}): discard what was written"
            ),
        }
    }
}

impl std::error::Error for DownloadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DownloadError::Rejected(e) => Some(&**e),
            DownloadError::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static ROWS: [ErrorRow; 3] = [
        ErrorRow {
            status: 400,
            code: "PARAM_ERROR",
            description: "参数错误",
            solution: "请根据错误提示正确传入参数",
        },
        ErrorRow {
            status: 400,
            code: "PARAM_ERROR",
            description: "批次不存在",
            solution: "请检查批次号",
        },
        ErrorRow {
            status: 500,
            code: "SYSTEM_ERROR",
            description: "系统错误",
            solution: "请使用相同参数稍后重新调用",
        },
    ];

    #[test]
    fn build_error_display() {
        let e = BuildError::new("CreateCouponStockRequest", vec!["a", "b"]);
        assert_eq!(
            e.to_string(),
            "CreateCouponStockRequest: missing required field(s): a, b"
        );
    }

    #[test]
    fn api_error_parses_json_and_finds_documented_rows() {
        let body = br#"{"code":"PARAM_ERROR","message":"bad","detail":{"field":"x"}}"#;
        let e = ApiError::from_response("op", &ROWS, 400, Some("rid".into()), body, true);
        assert_eq!(e.code, "PARAM_ERROR");
        assert_eq!(e.message, "bad");
        assert_eq!(e.detail, Some(serde_json::json!({"field":"x"})));
        assert_eq!(e.documented.len(), 2);
        assert!(!e.is_retryable());
        assert_eq!(
            e.to_string(),
            "op failed: HTTP 400 PARAM_ERROR: bad (Request-ID rid)"
        );
    }

    #[test]
    fn api_error_is_lenient_with_non_json() {
        let e = ApiError::from_response("op", &ROWS, 502, None, b"<html>bad gateway", false);
        assert_eq!(e.code, "");
        assert_eq!(e.message, "<html>bad gateway");
        assert!(e.documented.is_empty());
        assert!(Error::Api(Box::new(e)).is_retryable());
    }

    #[test]
    fn unverified_bodies_are_truncated_and_escaped() {
        let mut body = b"line1\r\nFAKE LOG LINE\x1b[31m".to_vec();
        body.extend(std::iter::repeat(b'x').take(4 * 1024 * 1024));
        let e = ApiError::from_response("op", &ROWS, 502, None, &body, false);
        assert!(e.message.len() < 600, "{}", e.message.len());
        let shown = e.to_string();
        assert!(!shown.contains('\n') && !shown.contains('\r') && !shown.contains('\x1b'));
        assert!(shown.contains("\\r\\n"), "{shown}");
        assert!(shown.contains("4194329 bytes in all"), "{shown}");
        assert!(shown.contains("unsigned"), "{shown}");

        let huge = format!(
            r#"{{"code":"X","message":"m","detail":{{"x":"{}"}}}}"#,
            "y".repeat(10_000)
        );
        let e = ApiError::from_response("op", &ROWS, 502, None, huge.as_bytes(), false);
        assert_eq!(e.detail, None);
        assert!(format!("{e:?}").len() < 2_000);
    }

    #[test]
    fn json_errors_never_quote_values() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct P {
            n: u32,
            s: String,
        }
        let e = serde_json::from_str::<P>(r#"{"n":"oSECRET_OPENID","s":"x"}"#).unwrap_err();
        let d = describe_json_error(&e);
        assert!(!d.contains("SECRET"), "{d}");
        assert!(d.contains("line 1"), "{d}");
        let e = serde_json::from_str::<P>(r#"{"n":1}"#).unwrap_err();
        assert!(describe_json_error(&e).starts_with("missing field `s`"));
    }

    #[test]
    fn retryability() {
        assert!(Error::Timeout.is_retryable());
        assert!(!Error::Config("x".into()).is_retryable());
        assert!(!Error::Signature(SignatureError::BadSignature).is_retryable());
        let limited = ApiError::from_response(
            "op",
            &ROWS,
            403,
            None,
            br#"{"code":"FREQUENCY_LIMITED","message":"slow down"}"#,
            true,
        );
        assert!(limited.is_retryable());
        let sys =
            ApiError::from_response("op", &ROWS, 500, None, br#"{"code":"SYSTEM_ERROR"}"#, true);
        assert!(sys.is_retryable());
        assert_eq!(sys.documented.len(), 1);
    }
}
