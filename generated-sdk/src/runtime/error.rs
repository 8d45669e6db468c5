//! The one error type every client call returns, and its parts: API errors with their
//! documented rows, response-signature failures, decryption failures and builder errors.

use std::fmt;

use crate::runtime::operation::ErrorRow;
use crate::runtime::validation::ValidationErrors;

/// Everything that can go wrong when calling WeChat Pay.
///
/// Match on the variant to decide what to do; [`Error::is_retryable`] answers the most common
/// question, and [`Error::api`] gives the server's answer when there was one.
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
    /// A response or notification failed signature verification; its content is untrusted.
    Signature(SignatureError),
    /// A verified notification's `resource` could not be decrypted.
    Decrypt(DecryptError),
    /// A verified 2xx body (or decrypted notification) did not match the expected type.
    Decode {
        /// What serde_json reported.
        message: String,
        /// The body as received (lossy UTF-8).
        body: String,
    },
}

impl Error {
    /// Whether sending the same request again (with the same idempotency keys) may succeed:
    /// timeouts, connection failures, HTTP 429 and 5xx, and the codes `SYSTEM_ERROR` and
    /// `FREQUENCY_LIMITED`. Validation, build, configuration, signature, decryption, decode
    /// errors and other 4xx answers are not retryable.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout => true,
            Error::Transport(e) => e
                .downcast_ref::<reqwest::Error>()
                .is_some_and(|e| e.is_connect() || e.is_timeout()),
            Error::Api(api) => api.is_retryable(),
            _ => false,
        }
    }

    /// The server's error answer, if this is an [`Error::Api`].
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Wraps a reqwest error, turning its timeouts into [`Error::Timeout`].
    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
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
            Error::Decrypt(e) => write!(f, "notification decryption failed: {e}"),
            Error::Decode { message, .. } => write!(f, "could not decode response: {message}"),
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
            Error::Decrypt(e) => Some(e),
            Error::Config(_) | Error::Timeout | Error::Decode { .. } => None,
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

impl From<DecryptError> for Error {
    fn from(e: DecryptError) -> Self {
        Error::Decrypt(e)
    }
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
    /// from proxies or gateways are unsigned; they are still reported, with `false` here.
    pub verified: bool,
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
            Ok(w) => (
                w.code.unwrap_or_default(),
                w.message.unwrap_or_default(),
                w.detail.filter(|d| !d.is_null()),
            ),
            Err(_) => (
                String::new(),
                String::from_utf8_lossy(body).into_owned(),
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
        }
    }

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
            write!(f, " {}", self.code)?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (Request-ID {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Why a response or notification signature was rejected. Every case fails closed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// A required header (`Wechatpay-Timestamp`, `-Nonce`, `-Signature`, `-Serial`) was
    /// absent, empty or not visible ASCII.
    MissingHeader(&'static str),
    /// `Wechatpay-Serial` names a key this client was not configured with.
    UnknownSerial(String),
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
            SignatureError::UnknownSerial(s) => write!(f, "unknown Wechatpay-Serial {s:?}"),
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
