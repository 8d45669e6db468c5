//! File downloads (代金券 flow files…): a signed `GET` of a link the API returned, whose
//! answer is not signed; the file is streamed to the caller's writer and checked against the
//! documented digest on the fly.

use std::time::Duration;

use aws_lc_rs::digest;
use reqwest::header::{ACCEPT, AUTHORIZATION, USER_AGENT};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tracing::Instrument as _;

use crate::runtime::client::{origin, request_id, url_for, Client};
use crate::runtime::error::{ApiError, DownloadError, Error};
use crate::runtime::operation::ErrorRow;
use crate::runtime::verify::{HEADER_SERIAL, HEADER_SIGNATURE};

/// Documented error rows of the download endpoint (`GET /v3/billdownload/file`).
static DOWNLOAD_ERRORS: [ErrorRow; 1] = [ErrorRow {
    status: 400,
    code: "INVALID_REQUEST",
    description: "下载链接已过期或无效",
    solution: "下载链接有效期为30秒，请重新获取下载链接",
}];

impl Client {
    /// Downloads the file at `url` (a `download_url` the API returned, e.g.
    /// `https://api.mch.weixin.qq.com/v3/billdownload/file?token=…`) into `out`, checking it
    /// against `hash_value` of `hash_type` (`SHA1`, or `SHA256`) while it streams; returns
    /// the number of bytes written.
    ///
    /// The request is signed like any call, so `url` must be on this client's base URL or
    /// backup host ([`DownloadError::ForeignOrigin`] otherwise: the signature is never sent
    /// elsewhere). The file itself is not signed by WeChat Pay; the digest is what
    /// authenticates it. Links expire 30 seconds after they are issued
    /// ([`DownloadError::Rejected`]). On [`DownloadError::HashMismatch`] or a transport
    /// failure, what was already written to `out` must be discarded. Not retried: ask for a
    /// new link instead. The client timeout applies to the answer's headers and to each
    /// pause between chunks, not to the whole (possibly large) file.
    pub async fn download_to(
        &self,
        url: &str,
        hash_type: &str,
        hash_value: &str,
        out: &mut (impl AsyncWrite + Unpin),
    ) -> Result<u64, Error> {
        let span = tracing::info_span!(
            "wechatpay.download",
            hash_type,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            bytes = tracing::field::Empty,
        );
        self.download_in_span(url, hash_type, hash_value, out)
            .instrument(span)
            .await
    }

    async fn download_in_span(
        &self,
        url: &str,
        hash_type: &str,
        hash_value: &str,
        out: &mut (impl AsyncWrite + Unpin),
    ) -> Result<u64, Error> {
        let (algorithm, name) = match hash_type.to_ascii_uppercase().as_str() {
            "SHA1" | "SHA-1" => (&digest::SHA1_FOR_LEGACY_USE_ONLY, "SHA1"),
            "SHA256" | "SHA-256" => (&digest::SHA256, "SHA256"),
            _ => return Err(DownloadError::UnsupportedHashType(hash_type.to_owned()).into()),
        };
        let expected = hash_value.trim().to_ascii_lowercase();
        if expected.len() != algorithm.output_len() * 2
            || !expected.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(DownloadError::InvalidHashValue.into());
        }
        let parsed = reqwest::Url::parse(url).map_err(|_| {
            DownloadError::ForeignOrigin(crate::runtime::error::truncated(url.as_bytes(), 100))
        })?;
        let link_origin = origin(parsed.origin().ascii_serialization().as_str())
            .map_err(|_| DownloadError::ForeignOrigin(parsed.origin().ascii_serialization()))?;
        let inner = &*self.inner;
        let Some(host) = inner.hosts.iter().find(|h| **h == link_origin) else {
            return Err(DownloadError::ForeignOrigin(link_origin).into());
        };
        let mut path_and_query = parsed.path().to_owned();
        if let Some(q) = parsed.query() {
            path_and_query.push('?');
            path_and_query.push_str(q);
        }
        let target = url_for(host, &path_and_query)?;
        let authorization =
            inner
                .signer
                .authorization("GET", &path_and_query, inner.clock.now_unix(), b"")?;
        let mut request = inner
            .http
            .get(target)
            .header(AUTHORIZATION, authorization)
            .header(ACCEPT, "*/*")
            .header(USER_AGENT, &inner.user_agent);
        if let Some(serial) = inner.request_serial() {
            request = request.header(HEADER_SERIAL, serial);
        }
        let request = request.send();
        let timeout = inner.timeout;
        let mut response = within(timeout, request)
            .await?
            .map_err(Error::from_reqwest)?;
        let status = response.status().as_u16();
        let span = tracing::Span::current();
        span.record("status", status);
        let rid = request_id(response.headers());
        if let Some(id) = &rid {
            span.record("request_id", id.as_str());
        }
        if !(200..300).contains(&status) {
            let headers = std::mem::take(response.headers_mut());
            let mut body = Vec::new();
            while let Some(chunk) = within(timeout, response.chunk())
                .await?
                .map_err(Error::from_reqwest)?
            {
                if body.len() < 64 * 1024 {
                    body.extend_from_slice(&chunk);
                }
            }
            let signed = headers.contains_key(HEADER_SIGNATURE);
            let verified = signed && self.verify_signature(&headers, &body).is_ok();
            let api =
                ApiError::from_response("download", &DOWNLOAD_ERRORS, status, rid, &body, verified);
            return Err(DownloadError::Rejected(Box::new(api)).into());
        }
        let mut context = digest::Context::new(algorithm);
        let mut written: u64 = 0;
        while let Some(chunk) = within(timeout, response.chunk())
            .await?
            .map_err(Error::from_reqwest)?
        {
            context.update(&chunk);
            out.write_all(&chunk)
                .await
                .map_err(|source| DownloadError::Write { written, source })?;
            written += chunk.len() as u64;
        }
        out.flush()
            .await
            .map_err(|source| DownloadError::Write { written, source })?;
        span.record("bytes", written);
        let actual = hex(context.finish().as_ref());
        // Digests are public; the comparison is constant-time anyway.
        if aws_lc_rs::constant_time::verify_slices_are_equal(actual.as_bytes(), expected.as_bytes())
            .is_err()
        {
            return Err(DownloadError::HashMismatch {
                hash_type: name,
                expected,
                actual,
                written,
            }
            .into());
        }
        Ok(written)
    }
}

/// Runs `f`, failing with [`Error::Timeout`] after `timeout`.
async fn within<T>(timeout: Duration, f: impl std::future::Future<Output = T>) -> Result<T, Error> {
    tokio::time::timeout(timeout, f)
        .await
        .map_err(|_| Error::Timeout)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_lower_case() {
        assert_eq!(super::hex(&[0x0a, 0xff]), "0aff");
    }
}
