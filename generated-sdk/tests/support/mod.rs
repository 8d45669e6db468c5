//! A test harness that talks to the simulator as plain HTTP: requests are signed here with
//! `aws-lc-rs` directly and answers verified here too, sharing no code with the crate's runtime
//! or the simulator's own crypto (PEM, SPKI, signing messages and multipart are re-done), so
//! a shared bug cannot hide.
#![allow(dead_code)]

use std::sync::Arc;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{
    RsaKeyPair, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
};
use base64::Engine as _;
use serde::de::DeserializeOwned;
use wechatpay_marketing as sdk;
use wechatpay_marketing::testing::{test_keys, Simulator, SimulatorBuilder};

/// An answer as received.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The status is `status` and the answer carries a valid platform signature.
    pub fn assert_status(&self, status: u16, what: &str) {
        assert_eq!(
            self.status,
            status,
            "{what}: expected {status}, got {} {}",
            self.status,
            String::from_utf8_lossy(&self.body)
        );
        self.assert_signed(what);
    }

    /// Whether the `Wechatpay-Signature` verifies over the raw body with the platform key.
    pub fn signature_verifies(&self) -> bool {
        let (Some(ts), Some(nonce), Some(sig)) = (
            self.header("Wechatpay-Timestamp"),
            self.header("Wechatpay-Nonce"),
            self.header("Wechatpay-Signature"),
        ) else {
            return false;
        };
        let mut message = format!("{ts}\n{nonce}\n").into_bytes();
        message.extend_from_slice(&self.body);
        message.push(b'\n');
        let Ok(sig) = base64::engine::general_purpose::STANDARD.decode(sig) else {
            return false;
        };
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, platform_public_pkcs1())
            .verify(&message, &sig)
            .is_ok()
    }

    /// `Wechatpay-*` headers verify over the raw body with the platform public key, under
    /// the public key id; a `Request-ID` is present.
    pub fn assert_signed(&self, what: &str) {
        let get = |n: &str| {
            self.header(n)
                .unwrap_or_else(|| panic!("{what}: no {n} header"))
        };
        assert_eq!(get("Wechatpay-Serial"), test_keys::PUBLIC_KEY_ID, "{what}");
        assert!(!get("Request-ID").is_empty(), "{what}: empty Request-ID");
        let mut message = format!(
            "{}\n{}\n",
            get("Wechatpay-Timestamp"),
            get("Wechatpay-Nonce")
        )
        .into_bytes();
        message.extend_from_slice(&self.body);
        message.push(b'\n');
        let sig = base64::engine::general_purpose::STANDARD
            .decode(get("Wechatpay-Signature"))
            .expect("signature is base64");
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, platform_public_pkcs1())
            .verify(&message, &sig)
            .unwrap_or_else(|_| panic!("{what}: the answer's signature does not verify"));
    }

    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "the answer does not decode into {}: {e}\n{}",
                std::any::type_name::<T>(),
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn value(&self) -> serde_json::Value {
        self.json()
    }
}

/// A simulator plus a hand-rolled signing client.
pub struct Harness {
    pub sim: Simulator,
    pub now: i64,
    http: reqwest::Client,
    key: RsaKeyPair,
}

impl Harness {
    /// A simulator that answers about unknown ids (autocreate), at a fixed clock one minute
    /// before the earliest of `times` (so documented example times are "in the future"), or
    /// the system time without any.
    pub async fn start(times: &[&str]) -> Harness {
        let now = times
            .iter()
            .filter_map(|t| sdk::runtime::validation::parse_rfc3339(t))
            .min()
            .map(|t| t - 60)
            .unwrap_or_else(|| sdk::Clock::now_unix(&sdk::SystemClock));
        Harness::with(
            Simulator::builder()
                .autocreate(true)
                .clock(Arc::new(sdk::FixedClock(now))),
            now,
        )
        .await
    }

    /// A simulator from `builder` (whose clock must read `now`).
    pub async fn with(builder: SimulatorBuilder, now: i64) -> Harness {
        let sim = builder.start().await.expect("simulator starts");
        Harness {
            sim,
            now,
            http: loopback_builder().no_proxy().build().expect("http client"),
            key: rsa_key(test_keys::MERCHANT_PRIVATE_KEY_PEM),
        }
    }

    /// The `Authorization` header for a request, signed with `key`.
    pub fn authorization_with(
        &self,
        key: &RsaKeyPair,
        method: &str,
        pq: &str,
        body: &[u8],
    ) -> String {
        let nonce = nonce();
        let ts = self.now.to_string();
        let mut message = format!("{method}\n{pq}\n{ts}\n{nonce}\n").into_bytes();
        message.extend_from_slice(body);
        message.push(b'\n');
        let mut sig = vec![0; key.public_modulus_len()];
        key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), &message, &mut sig)
            .expect("sign");
        format!(
            "WECHATPAY2-SHA256-RSA2048 mchid=\"{}\",nonce_str=\"{nonce}\",signature=\"{}\",timestamp=\"{ts}\",serial_no=\"{}\"",
            test_keys::MCHID,
            base64::engine::general_purpose::STANDARD.encode(sig),
            test_keys::MERCHANT_SERIAL
        )
    }

    pub fn authorization(&self, method: &str, pq: &str, body: &[u8]) -> String {
        self.authorization_with(&self.key, method, pq, body)
    }

    /// Sends `method pq` with `headers` and `body` as they are.
    pub async fn raw(
        &self,
        method: &str,
        pq: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Reply {
        let url = format!("{}{pq}", self.sim.base_url());
        let mut req = self
            .http
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
                url,
            )
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let resp = req.send().await.expect("the simulator answers");
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = resp.bytes().await.expect("body").to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A correctly signed JSON request.
    pub async fn send(&self, method: &str, pq: &str, body: Option<Vec<u8>>) -> Reply {
        let body = body.unwrap_or_default();
        let mut headers = vec![
            ("Authorization", self.authorization(method, pq, &body)),
            ("Accept", "application/json".to_owned()),
            ("User-Agent", "simulator-harness".to_owned()),
        ];
        if !body.is_empty() {
            headers.push(("Content-Type", "application/json".to_owned()));
        }
        self.raw(method, pq, &headers, body).await
    }

    /// A multipart upload: `meta` (its `digest_field` set to the file's SHA-256) and a small
    /// file named after `meta.filename`; the signature covers the meta JSON.
    pub async fn upload(
        &self,
        method: &str,
        pq: &str,
        mut meta: serde_json::Value,
        meta_part: &str,
        file_part: &str,
        digest_field: &str,
    ) -> Reply {
        let file: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRsimulator-test-image";
        let digest: String = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, file)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if !digest_field.is_empty() {
            meta[digest_field] = serde_json::Value::String(digest);
        }
        let filename = meta
            .get("filename")
            .and_then(|f| f.as_str())
            .unwrap_or("sample.png")
            .to_owned();
        let mime = match filename
            .rsplit('.')
            .next()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("jpg" | "jpeg") => "image/jpeg",
            Some("bmp") => "image/bmp",
            Some("pdf") => "application/pdf",
            _ => "image/png",
        };
        let meta_json = serde_json::to_vec(&meta).expect("meta");
        let boundary = "SimulatorHarnessBoundary7MA4YWxk";
        let mut body = Vec::new();
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{meta_part}\"\r\nContent-Type: application/json\r\n\r\n").as_bytes());
        body.extend_from_slice(&meta_json);
        body.extend_from_slice(format!("\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"{file_part}\"; filename=\"{filename}\"\r\nContent-Type: {mime}\r\n\r\n").as_bytes());
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let headers = vec![
            ("Authorization", self.authorization(method, pq, &meta_json)),
            ("Accept", "application/json".to_owned()),
            (
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            ),
        ];
        self.raw(method, pq, &headers, body).await
    }

    /// Fetches a flow-file link (a signed GET), checks the answer is unsigned and its SHA1.
    pub async fn download(&self, url: &str, hash_type: &str, hash_value: &str) {
        assert_eq!(hash_type, "SHA1");
        let pq = url
            .strip_prefix(self.sim.base_url())
            .unwrap_or_else(|| panic!("{url} is not on the simulator"));
        let reply = self.send("GET", pq, None).await;
        assert_eq!(
            reply.status,
            200,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        assert!(
            reply.header("Wechatpay-Signature").is_none(),
            "file answers are not signed"
        );
        let sha1: String =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &reply.body)
                .as_ref()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
        assert_eq!(
            sha1, hash_value,
            "the file's SHA1 matches the link's hash_value"
        );
    }
}

/// A plain HTTP client for loopback (reqwest is built without a default TLS provider; this
/// one gets the SDK's).
pub fn loopback_builder() -> reqwest::ClientBuilder {
    wechatpay_marketing::runtime::tls::http_client_builder()
        .expect("TLS configuration")
        .no_proxy()
}

fn nonce() -> String {
    let mut buf = [0u8; 16];
    SystemRandom::new().fill(&mut buf).expect("random");
    buf.iter().map(|b| format!("{b:02X}")).collect()
}

fn pem_der(pem: &str) -> Vec<u8> {
    let b64: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("PEM base64")
}

/// A PKCS#8 RSA key.
pub fn rsa_key(pem: &str) -> RsaKeyPair {
    RsaKeyPair::from_pkcs8(&pem_der(pem)).expect("PKCS#8 RSA key")
}

/// An RSA-2048 SubjectPublicKeyInfo is a fixed 24-byte header then the PKCS#1 key.
fn platform_public_pkcs1() -> Vec<u8> {
    let der = pem_der(test_keys::PLATFORM_PUBLIC_KEY_PEM);
    der[24..].to_vec()
}

/// An unrelated key, for "signed with the wrong key".
pub const OTHER_PRIVATE_KEY_PEM: &str =
    include_str!("../../../tests/fixtures/keys/other_private.pem");
