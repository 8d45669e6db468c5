//! Request signing: the merchant RSA key, the `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`
//! message and the `WECHATPAY2-SHA256-RSA2048` Authorization header.

use std::fmt;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use base64::Engine as _;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;

use crate::runtime::error::Error;

/// The Authorization scheme WeChat Pay APIv3 expects.
pub const AUTH_SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// The exact bytes a request signature covers: `METHOD\nPATH_AND_QUERY\nTIMESTAMP\nNONCE\nBODY\n`
/// (BODY is empty for requests without one).
pub fn request_message(
    method: &str,
    path_and_query: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let head = format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n");
    let mut msg = Vec::with_capacity(head.len() + body.len() + 1);
    msg.extend_from_slice(head.as_bytes());
    msg.extend_from_slice(body);
    msg.push(b'\n');
    msg
}

/// `len` random characters from `[A-Za-z0-9]`, drawn without modulo bias.
pub(crate) fn random_alphanumeric(rng: &dyn SecureRandom, len: usize) -> Result<String, Error> {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        rng.fill(&mut buf)
            .map_err(|_| Error::Config("system random number generator failed".into()))?;
        // 248 = 4 * 62: bytes at or above it would favour the first characters.
        for &b in buf.iter().filter(|&&b| b < 248) {
            if out.len() == len {
                break;
            }
            out.push(char::from(ALPHABET[usize::from(b % 62)]));
        }
    }
    Ok(out)
}

/// The merchant's identity and private key (parsed once, at build time); produces
/// Authorization headers.
pub(crate) struct MerchantSigner {
    mchid: String,
    serial: String,
    key: RsaKeyPair,
    rng: SystemRandom,
}

impl fmt::Debug for MerchantSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantSigner")
            .field("mchid", &self.mchid)
            .field("serial", &self.serial)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl MerchantSigner {
    /// Loads the merchant key from PEM: PKCS#8 (`BEGIN PRIVATE KEY`, what the merchant
    /// platform issues as `apiclient_key.pem`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    pub(crate) fn from_pem(mchid: String, serial: String, pem: &[u8]) -> Result<Self, String> {
        let der = PrivateKeyDer::from_pem_slice(pem)
            .map_err(|e| format!("merchant private key: not a PEM private key ({e})"))?;
        let key = match &der {
            PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()),
            _ => return Err("merchant private key: expected an RSA key".into()),
        }
        .map_err(|e| format!("merchant private key: rejected ({e})"))?;
        Ok(MerchantSigner {
            mchid,
            serial,
            key,
            rng: SystemRandom::new(),
        })
    }

    /// The merchant id this signer signs for.
    pub(crate) fn mchid(&self) -> &str {
        &self.mchid
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 / SHA-256; returns base64.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<String, Error> {
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut sig)
            .map_err(|_| Error::Config("RSA signing failed".into()))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(sig))
    }

    /// The full `Authorization` header value for one request.
    pub(crate) fn authorization(
        &self,
        method: &str,
        path_and_query: &str,
        timestamp: i64,
        body: &[u8],
    ) -> Result<String, Error> {
        let nonce = random_alphanumeric(&self.rng, 32)?;
        let message = request_message(method, path_and_query, timestamp, &nonce, body);
        let signature = self.sign(&message)?;
        Ok(format!(
            "{AUTH_SCHEME} mchid=\"{}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp}\",serial_no=\"{}\"",
            self.mchid, self.serial
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
    use rustls_pki_types::SubjectPublicKeyInfoDer;

    const MERCHANT_PRIVATE: &str =
        include_str!("../../../tests/fixtures/keys/merchant_private.pem");
    const MERCHANT_PUBLIC: &str = include_str!("../../../tests/fixtures/keys/merchant_public.pem");

    fn signer() -> MerchantSigner {
        match MerchantSigner::from_pem(
            "1900000001".into(),
            "5157F09EFDC096DE15EBE81A47057A7232F1B8E1".into(),
            MERCHANT_PRIVATE.as_bytes(),
        ) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    /// Splits `SCHEME k="v",k="v"` back into its parts.
    fn parse_authorization(header: &str) -> Vec<(String, String)> {
        let rest = header
            .strip_prefix("WECHATPAY2-SHA256-RSA2048 ")
            .expect("scheme");
        rest.split(',')
            .map(|kv| {
                let (k, v) = kv.split_once('=').expect("k=v");
                let v = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .expect("quoted");
                (k.to_owned(), v.to_owned())
            })
            .collect()
    }

    #[test]
    fn message_format() {
        assert_eq!(
            request_message(
                "GET",
                "/v3/certificates?a=1",
                1554208460,
                "593BEC0C930BF1AFEB40B4A08C8FB242",
                b""
            ),
            b"GET\n/v3/certificates?a=1\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n".to_vec()
        );
        assert_eq!(
            request_message("POST", "/v3/x", 1, "n", br#"{"a":1}"#),
            b"POST\n/v3/x\n1\nn\n{\"a\":1}\n".to_vec()
        );
    }

    #[test]
    fn nonce_is_32_alphanumerics_and_varies() {
        let rng = SystemRandom::new();
        let a = random_alphanumeric(&rng, 32).expect("rng");
        let b = random_alphanumeric(&rng, 32).expect("rng");
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn authorization_parses_back_and_verifies() {
        let s = signer();
        let body = br#"{"stock_id":"9856000"}"#;
        let header = s
            .authorization(
                "POST",
                "/v3/marketing/favor/users/o1/coupons",
                1700000000,
                body,
            )
            .expect("sign");
        let parts = parse_authorization(&header);
        let keys: Vec<&str> = parts.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["mchid", "nonce_str", "signature", "timestamp", "serial_no"]
        );
        let get = |k: &str| &parts.iter().find(|(n, _)| n == k).expect(k).1;
        assert_eq!(get("mchid"), "1900000001");
        assert_eq!(get("timestamp"), "1700000000");
        assert_eq!(get("serial_no"), "5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
        assert_eq!(get("nonce_str").len(), 32);

        let spki =
            SubjectPublicKeyInfoDer::from_pem_slice(MERCHANT_PUBLIC.as_bytes()).expect("pem");
        let pkcs1 = crate::runtime::der::rsa_public_key_from_spki(spki.as_ref()).expect("spki");
        let sig = base64::engine::general_purpose::STANDARD
            .decode(get("signature"))
            .expect("b64");
        let msg = request_message(
            "POST",
            "/v3/marketing/favor/users/o1/coupons",
            1700000000,
            get("nonce_str"),
            body,
        );
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pkcs1)
            .verify(&msg, &sig)
            .expect("signature verifies with merchant public key");
    }

    #[test]
    fn accepts_pkcs1_key_file() {
        const PKCS1: &str = include_str!("../../../tests/fixtures/keys/merchant_private_pkcs1.pem");
        let s = MerchantSigner::from_pem("m".into(), "s".into(), PKCS1.as_bytes()).expect("PKCS#1");
        // Same key as the PKCS#8 file: deterministic PKCS#1 v1.5 signatures are equal.
        assert_eq!(
            s.sign(b"x").expect("sign"),
            signer().sign(b"x").expect("sign")
        );
    }

    #[test]
    fn debug_redacts_key() {
        let dbg = format!("{:?}", signer());
        assert!(dbg.contains("<redacted>"));
        assert!(!dbg.contains("PRIVATE"));
    }

    #[test]
    fn rejects_garbage_and_public_keys() {
        for pem in ["", "hello", MERCHANT_PUBLIC] {
            assert!(MerchantSigner::from_pem("m".into(), "s".into(), pem.as_bytes()).is_err());
        }
    }
}
