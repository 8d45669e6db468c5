//! Verification of WeChat Pay signatures on responses and notifications: the key set
//! (WeChat Pay public key and/or platform certificates), header lookup and the 5-minute window.

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use base64::Engine as _;
use rustls_pki_types::pem::{PemObject, SectionKind};

use crate::runtime::der;
use crate::runtime::error::SignatureError;

/// Signed responses and notifications may be at most this far (seconds) from "now".
pub const TIMESTAMP_WINDOW_SECS: u64 = 300;

/// Header carrying the signing time (Unix seconds).
pub const HEADER_TIMESTAMP: &str = "Wechatpay-Timestamp";
/// Header carrying the signer's random nonce.
pub const HEADER_NONCE: &str = "Wechatpay-Nonce";
/// Header carrying the base64 RSA-SHA256 signature.
pub const HEADER_SIGNATURE: &str = "Wechatpay-Signature";
/// Header naming the key: a `PUB_KEY_ID_…` or a platform certificate serial.
pub const HEADER_SERIAL: &str = "Wechatpay-Serial";

/// Read access to HTTP headers by case-insensitive name, so notifications can be verified
/// from whatever web framework received them.
pub trait HeaderLookup {
    /// The first value of header `name` (any case), if present and valid UTF-8.
    fn header(&self, name: &str) -> Option<&str>;
}

impl HeaderLookup for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| v.to_str().ok())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for [(K, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

/// The message a WeChat Pay signature covers: `TIMESTAMP\nNONCE\nBODY\n`, over raw bytes.
pub fn response_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    msg.extend_from_slice(timestamp.as_bytes());
    msg.push(b'\n');
    msg.extend_from_slice(nonce.as_bytes());
    msg.push(b'\n');
    msg.extend_from_slice(body);
    msg.push(b'\n');
    msg
}

/// A parsed RSA verification key (parsed once when configured or downloaded).
pub(crate) type VerifyingKey = ParsedPublicKey;

/// Parses a PKCS#1 `RSAPublicKey` DER into a verification key.
pub(crate) fn verifying_key(pkcs1: &[u8]) -> Result<VerifyingKey, String> {
    ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pkcs1)
        .map_err(|e| format!("RSA public key rejected ({e})"))
}

/// WeChat Pay verification keys configured on the client, by serial, in configuration order.
#[derive(Debug, Default, Clone)]
pub(crate) struct KeySet {
    /// `(serial or PUB_KEY_ID, key)`.
    keys: Vec<(String, VerifyingKey)>,
    /// The WeChat Pay public key id, if one was configured.
    public_key_id: Option<String>,
}

/// Whether `id` has the shape of a WeChat Pay public key id: `PUB_KEY_ID_` then digits.
pub(crate) fn is_public_key_id(id: &str) -> bool {
    id.strip_prefix("PUB_KEY_ID_")
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

impl KeySet {
    /// Adds a WeChat Pay public key (`PUB_KEY_ID_…` + `BEGIN PUBLIC KEY` PEM); the first
    /// one added is the one announced in requests.
    pub(crate) fn add_public_key(&mut self, id: &str, pem: &[u8]) -> Result<(), String> {
        let what = format!("WeChat Pay public key {id:?}");
        if !is_public_key_id(id) {
            return Err(format!(
                "{what}: the id must be PUB_KEY_ID_ followed by digits, as shown in the merchant platform"
            ));
        }
        let key = rsa_key_from_pem(pem, false, None).map_err(|e| format!("{what}: {e}"))?;
        self.insert(id, key, &what)?;
        if self.public_key_id.is_none() {
            self.public_key_id = Some(id.to_owned());
        }
        Ok(())
    }

    /// Adds a platform certificate (`BEGIN CERTIFICATE`, whose serial must equal `serial`)
    /// or a platform public key (`BEGIN PUBLIC KEY`, trusted to belong to `serial`).
    pub(crate) fn add_platform(&mut self, serial: &str, pem: &[u8]) -> Result<(), String> {
        let what = format!("platform certificate {serial:?}");
        let key = rsa_key_from_pem(pem, true, Some(serial)).map_err(|e| format!("{what}: {e}"))?;
        self.insert(serial, key, &what)
    }

    fn insert(&mut self, serial: &str, key: Vec<u8>, what: &str) -> Result<(), String> {
        if serial.is_empty() || !serial.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!("{what}: the id must be non-empty visible ASCII"));
        }
        if self
            .keys
            .iter()
            .any(|(s, _)| s.eq_ignore_ascii_case(serial))
        {
            return Err(format!("{what}: configured twice"));
        }
        let key = verifying_key(&key).map_err(|e| format!("{what}: {e}"))?;
        self.keys.push((serial.to_owned(), key));
        Ok(())
    }

    /// The serial to announce in the `Wechatpay-Serial` request header: the public key id
    /// if configured, else the first platform certificate serial.
    pub(crate) fn preferred_serial(&self) -> Option<&str> {
        self.public_key_id
            .as_deref()
            .or_else(|| self.keys.first().map(|(s, _)| s.as_str()))
    }

    /// Whether a WeChat Pay public key (`PUB_KEY_ID_…`) is configured.
    pub(crate) fn has_public_key(&self) -> bool {
        self.public_key_id.is_some()
    }

    /// The configured serials, in configuration order.
    pub(crate) fn serials(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(s, _)| s.as_str())
    }

    /// The key configured under `serial` (compared ignoring ASCII case).
    pub(crate) fn find(&self, serial: &str) -> Option<&VerifyingKey> {
        self.keys
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(serial))
            .map(|(_, k)| k)
    }

    /// Verifies the `Wechatpay-*` headers over `body` with the configured keys only.
    #[cfg(test)]
    pub(crate) fn verify(
        &self,
        headers: &(impl HeaderLookup + ?Sized),
        body: &[u8],
        now: i64,
    ) -> Result<(), SignatureError> {
        let signed = SignedHeaders::from_headers(headers)?;
        let key = self
            .find(signed.serial)
            .ok_or_else(|| SignatureError::UnknownSerial {
                serial: signed.serial.to_owned(),
                configured: self.serials().map(str::to_owned).collect(),
            })?;
        signed.verify(key, body, now)
    }
}

/// The four `Wechatpay-*` headers of a signed response or notification.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignedHeaders<'a> {
    pub(crate) timestamp: &'a str,
    pub(crate) nonce: &'a str,
    pub(crate) signature: &'a str,
    pub(crate) serial: &'a str,
}

impl<'a> SignedHeaders<'a> {
    /// Reads the headers; a missing, empty or non-visible-ASCII one fails closed.
    pub(crate) fn from_headers(
        headers: &'a (impl HeaderLookup + ?Sized),
    ) -> Result<Self, SignatureError> {
        let get = |name: &'static str| {
            headers
                .header(name)
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic()))
                .ok_or(SignatureError::MissingHeader(name))
        };
        Ok(SignedHeaders {
            timestamp: get(HEADER_TIMESTAMP)?,
            nonce: get(HEADER_NONCE)?,
            signature: get(HEADER_SIGNATURE)?,
            serial: get(HEADER_SERIAL)?,
        })
    }

    /// Checks the ±5-minute window around `now` (Unix seconds), then the signature over
    /// `TIMESTAMP\nNONCE\nBODY\n` with `key`. Fails closed on any odd input.
    pub(crate) fn verify(
        &self,
        key: &VerifyingKey,
        body: &[u8],
        now: i64,
    ) -> Result<(), SignatureError> {
        check_window(self.timestamp, now)?;
        let signature = base64::engine::general_purpose::STANDARD
            .decode(self.signature)
            .map_err(|_| SignatureError::InvalidBase64)?;
        let message = response_message(self.timestamp, self.nonce, body);
        key.verify_sig(&message, &signature)
            .map_err(|_| SignatureError::BadSignature)
    }
}

/// Parses `timestamp` and checks it is within [`TIMESTAMP_WINDOW_SECS`] of `now` (inclusive).
fn check_window(timestamp: &str, now: i64) -> Result<(), SignatureError> {
    let ts: i64 = timestamp
        .parse()
        .ok()
        .filter(|_| timestamp.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| SignatureError::InvalidTimestamp(timestamp.to_owned()))?;
    if ts.abs_diff(now) > TIMESTAMP_WINDOW_SECS {
        return Err(SignatureError::StaleTimestamp { timestamp: ts, now });
    }
    Ok(())
}

/// Whether two hex serial numbers are equal, ignoring case and leading zeros.
pub(crate) fn same_serial(a: &str, b: &str) -> bool {
    a.trim_start_matches('0')
        .eq_ignore_ascii_case(b.trim_start_matches('0'))
}

/// Extracts a PKCS#1 RSA public key (2048–8192 bits) from a `PUBLIC KEY` PEM, or, when
/// `allow_cert`, from a `CERTIFICATE` PEM whose serial must match `serial`.
pub(crate) fn rsa_key_from_pem(
    pem: &[u8],
    allow_cert: bool,
    serial: Option<&str>,
) -> Result<Vec<u8>, String> {
    let (kind, der) = <(SectionKind, Vec<u8>)>::pem_slice_iter(pem)
        .find(|item| {
            matches!(item, Ok((SectionKind::PublicKey, _)) | Err(_))
                || (allow_cert && matches!(item, Ok((SectionKind::Certificate, _))))
        })
        .ok_or_else(|| {
            if allow_cert {
                "expected a BEGIN CERTIFICATE or BEGIN PUBLIC KEY PEM block".to_owned()
            } else {
                "expected a BEGIN PUBLIC KEY PEM block".to_owned()
            }
        })?
        .map_err(|e| format!("invalid PEM ({e})"))?;
    let spki = if kind == SectionKind::Certificate {
        let parts = der::certificate_parts(&der).ok_or("malformed X.509 certificate")?;
        let actual = der::serial_hex(parts.serial);
        if let Some(expected) = serial {
            if !same_serial(&actual, expected) {
                return Err(format!("the certificate's serial number is {actual}"));
            }
        }
        parts.spki.to_vec()
    } else {
        der
    };
    let key = der::rsa_public_key_from_spki(&spki).ok_or("not an RSA SubjectPublicKeyInfo")?;
    match der::rsa_modulus_bits(key) {
        Some(2048..=8192) => Ok(key.to_vec()),
        Some(bits) => Err(format!(
            "RSA key has {bits} bits; 2048 to 8192 are accepted"
        )),
        None => Err("malformed RSA public key".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
    use rustls_pki_types::PrivatePkcs8KeyDer;

    const PLATFORM_PRIVATE: &str =
        include_str!("../../../tests/fixtures/keys/platform_private.pem");
    const PLATFORM_PUBLIC: &str = include_str!("../../../tests/fixtures/keys/platform_public.pem");
    const PLATFORM_CERT: &str = include_str!("../../../tests/fixtures/keys/platform_cert.pem");
    const OTHER_PRIVATE: &str = include_str!("../../../tests/fixtures/keys/other_private.pem");
    const CERT_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
    const KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";
    const NOW: i64 = 1_700_000_000;

    fn sign(private_pem: &str, ts: &str, nonce: &str, body: &[u8]) -> String {
        let der = PrivatePkcs8KeyDer::from_pem_slice(private_pem.as_bytes()).expect("pem");
        let key = RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).expect("key");
        let mut sig = vec![0; key.public_modulus_len()];
        key.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            &response_message(ts, nonce, body),
            &mut sig,
        )
        .expect("sign");
        base64::engine::general_purpose::STANDARD.encode(sig)
    }

    fn keys() -> KeySet {
        let mut k = KeySet::default();
        k.add_public_key(KEY_ID, PLATFORM_PUBLIC.as_bytes())
            .expect("public key");
        k
    }

    fn headers(ts: &str, sig: &str, serial: &str) -> Vec<(&'static str, String)> {
        vec![
            ("wechatpay-timestamp", ts.to_owned()),
            ("Wechatpay-Nonce", "n0nce".to_owned()),
            ("WECHATPAY-SIGNATURE", sig.to_owned()),
            ("Wechatpay-Serial", serial.to_owned()),
        ]
    }

    #[test]
    fn accepts_good_signature_and_rejects_tampering() {
        let body = br#"{"stock_id":"1"}"#;
        let sig = sign(PLATFORM_PRIVATE, "1700000000", "n0nce", body);
        let h = headers("1700000000", &sig, KEY_ID);
        assert_eq!(keys().verify(&h, body, NOW), Ok(()));
        assert_eq!(
            keys().verify(&h, br#"{"stock_id":"2"}"#, NOW),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn window_edges_are_inclusive_at_300_seconds() {
        let body = b"{}";
        for (ts, ok) in [
            (NOW - 300, true),
            (NOW + 300, true),
            (NOW - 301, false),
            (NOW + 301, false),
        ] {
            let ts = ts.to_string();
            let sig = sign(PLATFORM_PRIVATE, &ts, "n0nce", body);
            let got = keys().verify(&headers(&ts, &sig, KEY_ID), body, NOW);
            if ok {
                assert_eq!(got, Ok(()), "{ts}");
            } else {
                assert!(
                    matches!(got, Err(SignatureError::StaleTimestamp { .. })),
                    "{ts}: {got:?}"
                );
            }
        }
    }

    #[test]
    fn each_failure_has_its_variant() {
        let body = b"{}";
        let ts = NOW.to_string();
        let good = sign(PLATFORM_PRIVATE, &ts, "n0nce", body);
        let k = keys();

        let mut missing = headers(&ts, &good, KEY_ID);
        missing.remove(2);
        assert_eq!(
            k.verify(&missing, body, NOW),
            Err(SignatureError::MissingHeader(HEADER_SIGNATURE))
        );
        assert_eq!(
            k.verify(&headers(&ts, &good, "PUB_KEY_ID_OTHER"), body, NOW),
            Err(SignatureError::UnknownSerial {
                serial: "PUB_KEY_ID_OTHER".into(),
                configured: vec![KEY_ID.into()],
            })
        );
        assert_eq!(
            k.verify(&headers("17e8", &good, KEY_ID), body, NOW),
            Err(SignatureError::InvalidTimestamp("17e8".into()))
        );
        assert_eq!(
            k.verify(&headers("+1700000000", &good, KEY_ID), body, NOW),
            Err(SignatureError::InvalidTimestamp("+1700000000".into()))
        );
        assert_eq!(
            k.verify(&headers(&ts, "***", KEY_ID), body, NOW),
            Err(SignatureError::InvalidBase64)
        );
        let wrong = sign(OTHER_PRIVATE, &ts, "n0nce", body);
        assert_eq!(
            k.verify(&headers(&ts, &wrong, KEY_ID), body, NOW),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(
            k.verify(&headers(&ts, "WECHATPAY/SIGNTEST/abc", KEY_ID), body, NOW),
            Err(SignatureError::InvalidBase64)
        );
    }

    #[test]
    fn platform_certificate_mode() {
        let mut k = KeySet::default();
        k.add_platform(CERT_SERIAL, PLATFORM_CERT.as_bytes())
            .expect("cert");
        assert_eq!(k.preferred_serial(), Some(CERT_SERIAL));
        let body = b"{}";
        let ts = NOW.to_string();
        let sig = sign(PLATFORM_PRIVATE, &ts, "n0nce", body);
        assert_eq!(
            k.verify(&headers(&ts, &sig, CERT_SERIAL), body, NOW),
            Ok(())
        );
        // Both modes at once (migration): the public key id is announced first.
        k.add_public_key(KEY_ID, PLATFORM_PUBLIC.as_bytes())
            .expect("pk");
        assert_eq!(k.preferred_serial(), Some(KEY_ID));
        assert_eq!(k.verify(&headers(&ts, &sig, KEY_ID), body, NOW), Ok(()));
    }

    #[test]
    fn serial_comparison_ignores_case_and_leading_zeros() {
        assert!(same_serial("0A1B", "a1b"));
        assert!(same_serial("A1B", "000a1b"));
        assert!(!same_serial("A1B", "A1C"));
        let mut k = KeySet::default();
        k.add_platform(&CERT_SERIAL.to_ascii_lowercase(), PLATFORM_CERT.as_bytes())
            .expect("lower-case serial accepted");
        let body = b"{}";
        let ts = NOW.to_string();
        let sig = sign(PLATFORM_PRIVATE, &ts, "n0nce", body);
        assert_eq!(
            k.verify(&headers(&ts, &sig, CERT_SERIAL), body, NOW),
            Ok(())
        );
    }

    #[test]
    fn config_errors() {
        let mut k = KeySet::default();
        let e = k.add_platform("ABC", PLATFORM_CERT.as_bytes()).unwrap_err();
        assert!(e.contains(CERT_SERIAL), "{e}");
        assert!(k.add_public_key(KEY_ID, PLATFORM_CERT.as_bytes()).is_err());
        assert!(k
            .add_public_key(KEY_ID, PLATFORM_PRIVATE.as_bytes())
            .is_err());
        assert!(k.add_public_key(KEY_ID, b"garbage").is_err());
        assert!(k.add_public_key("", PLATFORM_PUBLIC.as_bytes()).is_err());
        for bad in ["PUB_KEY_ID_", "PUB_KEY_ID_01A", "pub_key_id_01", "5157F09E"] {
            let e = k
                .add_public_key(bad, PLATFORM_PUBLIC.as_bytes())
                .unwrap_err();
            assert!(e.contains("PUB_KEY_ID_ followed by digits"), "{e}");
        }
        k.add_public_key(KEY_ID, PLATFORM_PUBLIC.as_bytes())
            .expect("first");
        assert!(k
            .add_public_key(KEY_ID, PLATFORM_PUBLIC.as_bytes())
            .is_err());
        assert_eq!(k.serials().collect::<Vec<_>>(), [KEY_ID]);
    }
}
