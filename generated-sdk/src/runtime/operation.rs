//! The contract between generated operation code and the client: static operation metadata,
//! documented error rows, the request generated code hands over, and URL encoding helpers.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// One row of an operation's documented error table (状态码 / 错误码 / 描述 / 解决方案).
/// The same code may appear in several rows with different descriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorRow {
    /// The documented HTTP status.
    pub status: u16,
    /// The documented error code, e.g. `PARAM_ERROR`.
    pub code: &'static str,
    /// 描述: what the row means.
    pub description: &'static str,
    /// 解决方案: what the caller should do.
    pub solution: &'static str,
}

/// Static facts about one API operation, emitted by the generator.
#[doc(hidden)]
#[derive(Debug)]
pub struct OperationMeta {
    /// The spec's operation id.
    pub id: &'static str,
    /// HTTP method: `GET`, `POST`, `PATCH`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The path template, e.g. `/v3/marketing/favor/users/{openid}/coupons`.
    pub path: &'static str,
    /// The documented error rows.
    pub errors: &'static [ErrorRow],
    /// Whether sending the request again cannot take effect twice: a `GET`, or an operation
    /// whose request carries an idempotency key (`out_request_no`, `send_request_no`, …).
    /// Only these are retried automatically (see [`RetryPolicy`](crate::RetryPolicy)).
    pub safe_to_retry: bool,
}

/// A request ready to sign and send, produced by generated code after validation.
#[doc(hidden)]
#[derive(Debug)]
pub struct ApiRequest {
    /// Which operation this is.
    pub operation: &'static OperationMeta,
    /// The already percent-encoded path and query, e.g. `/v3/x?offset=0&limit=10`.
    /// It is signed and sent byte for byte.
    pub path_and_query: String,
    /// The JSON body, if the operation has one. For a multipart upload, the meta JSON: the
    /// Authorization signature covers exactly these bytes.
    pub body: Option<Vec<u8>>,
    /// For a `multipart/form-data` upload (图片上传…): the file. The HTTP body is then the meta
    /// part (`body`, `Content-Type: application/json`) followed by the file part.
    pub multipart: Option<MultipartFile>,
}

/// The file of a multipart upload, sent after the signed meta JSON part.
#[doc(hidden)]
#[derive(Clone)]
pub struct MultipartFile {
    /// The form name of the JSON part, e.g. `meta`.
    pub meta_part: &'static str,
    /// The form name of the file part, e.g. `file`.
    pub file_part: &'static str,
    /// The file name sent in the file part's `Content-Disposition`.
    pub filename: String,
    /// The file part's `Content-Type`, e.g. `image/png`.
    pub content_type: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for MultipartFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultipartFile")
            .field("meta_part", &self.meta_part)
            .field("file_part", &self.file_part)
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish()
    }
}

/// Lower-case hex SHA-256 of `bytes`: what upload meta parts carry as the file's digest
/// (e.g. `sha256` of 图片上传), for generated code to fill in.
#[doc(hidden)]
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest
        .as_ref()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Everything except RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) is encoded.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path parameter value, keeping only RFC 3986 unreserved characters.
#[doc(hidden)]
pub fn encode_path_segment(s: &str) -> String {
    utf8_percent_encode(s, ENCODE).to_string()
}

/// Builds a query string (without `?`) from name/value pairs, percent-encoding both;
/// an empty slice gives an empty string.
#[doc(hidden)]
pub fn encode_query(pairs: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(utf8_percent_encode(name, ENCODE));
        out.push('=');
        out.extend(utf8_percent_encode(value, ENCODE));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_encoding() {
        assert_eq!(encode_query(&[]), "");
        assert_eq!(
            encode_query(&[("a", "1".into()), ("b", "x+1".into())]),
            "a=1&b=x%2B1"
        );
        assert_eq!(
            encode_query(&[("t", "2015-05-20T13:29:35+08:00".into())]),
            "t=2015-05-20T13%3A29%3A35%2B08%3A00"
        );
        assert_eq!(
            encode_query(&[("s", "a b&c=d/é~._-".into())]),
            "s=a%20b%26c%3Dd%2F%C3%A9~._-"
        );
    }

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn path_segment_encoding() {
        assert_eq!(
            encode_path_segment("oHkLxt_htg84TUEbzvlMwQzVDBqo"),
            "oHkLxt_htg84TUEbzvlMwQzVDBqo"
        );
        assert_eq!(encode_path_segment("a/b?c#d"), "a%2Fb%3Fc%23d");
        assert_eq!(encode_path_segment(".."), "..");
        assert_eq!(encode_path_segment(""), "");
    }
}
