//! The simulator's cryptography, all of it, behind five functions and two key types: RSA-SHA256
//! signing with the platform key, request-signature verification with the merchant public key,
//! AEAD_AES_256_GCM encryption of notification resources, digests and randomness.
//!
//! Written against `aws-lc-rs`, the crate's one crypto stack (the same API as `ring`, whose
//! names it keeps).

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::digest::{digest, SHA1_FOR_LEGACY_USE_ONLY, SHA256};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{
    KeyPair, RsaKeyPair, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
};
use base64::Engine as _;

/// WeChat Pay's private key that signs responses and notifications (`platform_key.pem`).
pub(crate) struct PlatformKey {
    key: RsaKeyPair,
}

impl std::fmt::Debug for PlatformKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlatformKey(<redacted>)")
    }
}

impl PlatformKey {
    /// A PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`) RSA key.
    pub(crate) fn from_pem(pem: &[u8]) -> Result<Self, String> {
        let (label, der) = pem_block(pem).ok_or("platform private key: not a PEM file")?;
        let key = match label.as_str() {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
            other => {
                return Err(format!(
                    "platform private key: unexpected PEM block {other}"
                ))
            }
        }
        .map_err(|e| format!("platform private key: not a usable RSA key ({e})"))?;
        Ok(PlatformKey { key })
    }

    /// Base64 of the RSA PKCS#1 v1.5 SHA-256 signature of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> String {
        let mut sig = vec![0; self.key.public_modulus_len()];
        match self
            .key
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut sig)
        {
            Ok(()) => base64::engine::general_purpose::STANDARD.encode(sig),
            // Signing with a valid key does not fail; an empty signature fails verification.
            Err(_) => String::new(),
        }
    }

    /// The matching public key as a `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo) PEM: what a
    /// client configures as the WeChat Pay public key.
    pub(crate) fn public_key_pem(&self) -> String {
        let pkcs1 = self.key.public_key().as_ref();
        // SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING { 0, RSAPublicKey } }
        const ALGORITHM: [u8; 15] = [
            0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05,
            0x00,
        ];
        let mut bits = vec![0u8];
        bits.extend_from_slice(pkcs1);
        let mut inner = ALGORITHM.to_vec();
        inner.extend(der_tlv(0x03, &bits));
        let spki = der_tlv(0x30, &inner);
        let b64 = base64::engine::general_purpose::STANDARD.encode(spki);
        let mut out = String::from("-----BEGIN PUBLIC KEY-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(chunk));
            out.push('\n');
        }
        out.push_str("-----END PUBLIC KEY-----\n");
        out
    }
}

/// The merchant's public key that request signatures must verify with.
#[derive(Clone)]
pub(crate) struct MerchantKey {
    pkcs1: Vec<u8>,
}

impl std::fmt::Debug for MerchantKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MerchantKey(..)")
    }
}

impl MerchantKey {
    /// A `BEGIN PUBLIC KEY` (SPKI), `BEGIN RSA PUBLIC KEY` (PKCS#1) or `BEGIN CERTIFICATE`
    /// (the merchant API certificate, `apiclient_cert.pem`) PEM.
    pub(crate) fn from_pem(pem: &[u8]) -> Result<Self, String> {
        let (label, der) = pem_block(pem).ok_or("merchant public key: not a PEM file")?;
        let pkcs1 = match label.as_str() {
            "PUBLIC KEY" => spki_rsa_key(&der),
            "RSA PUBLIC KEY" => Some(der),
            "CERTIFICATE" => certificate_spki(&der).and_then(|spki| spki_rsa_key(&spki)),
            other => return Err(format!("merchant public key: unexpected PEM block {other}")),
        }
        .ok_or("merchant public key: not an RSA public key")?;
        Ok(MerchantKey { pkcs1 })
    }

    /// Checks a base64 RSA PKCS#1 v1.5 SHA-256 signature of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature_b64: &str) -> Result<(), String> {
        let sig = base64::engine::general_purpose::STANDARD
            .decode(signature_b64)
            .map_err(|_| "signature is not base64".to_owned())?;
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &self.pkcs1)
            .verify(message, &sig)
            .map_err(|_| "signature does not verify with the merchant public key".to_owned())
    }
}

/// AES-256-GCM-encrypts `plaintext` as WeChat Pay encrypts notification resources: the
/// 12-character `nonce` string's bytes as nonce, `aad` as associated data; returns
/// base64(ciphertext ‖ tag).
pub(crate) fn encrypt_resource(
    api_v3_key: &[u8; 32],
    nonce: &str,
    aad: &str,
    plaintext: &[u8],
) -> Result<String, String> {
    let key = UnboundKey::new(&AES_256_GCM, api_v3_key).map_err(|_| "bad APIv3 key")?;
    let nonce =
        Nonce::try_assume_unique_for_key(nonce.as_bytes()).map_err(|_| "nonce must be 12 bytes")?;
    let mut buf = plaintext.to_vec();
    LessSafeKey::new(key)
        .seal_in_place_append_tag(nonce, Aad::from(aad.as_bytes()), &mut buf)
        .map_err(|_| "encryption failed")?;
    Ok(base64::engine::general_purpose::STANDARD.encode(buf))
}

/// `len` random characters from `A-Z a-z 0-9` (nonces, tokens).
pub(crate) fn random_alphanumeric(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut buf = vec![0u8; len];
    if SystemRandom::new().fill(&mut buf).is_err() {
        return "0".repeat(len);
    }
    buf.iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// Lower-case hex SHA-256 of `bytes` (the upload `meta.sha256`).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(digest(&SHA256, bytes).as_ref())
}

/// Lower-case hex SHA-1 of `bytes` (the `hash_value` of flow-file links).
pub(crate) fn sha1_hex(bytes: &[u8]) -> String {
    hex(digest(&SHA1_FOR_LEGACY_USE_ONLY, bytes).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The label and DER of the first PEM block.
fn pem_block(pem: &[u8]) -> Option<(String, Vec<u8>)> {
    let text = std::str::from_utf8(pem).ok()?;
    let begin = text.find("-----BEGIN ")?;
    let rest = &text[begin + 11..];
    let label_end = rest.find("-----")?;
    let label = rest[..label_end].to_owned();
    let body = &rest[label_end + 5..];
    let end = body.find("-----END ")?;
    let b64: String = body[..end].split_whitespace().collect();
    let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    Some((label, der))
}

/// `tag ‖ length ‖ value` in DER.
fn der_tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(value);
    out
}

/// One DER element: `(tag, contents, whole element, rest of the input)`.
type Element<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);

/// Splits one DER element off `input`.
fn der_next(input: &[u8]) -> Option<Element<'_>> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    let header = input.len() - rest.len();
    Some((tag, &rest[..len], &input[..header + len], &rest[len..]))
}

/// The RSAPublicKey inside an rsaEncryption SubjectPublicKeyInfo.
fn spki_rsa_key(spki: &[u8]) -> Option<Vec<u8>> {
    const RSA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    let (0x30, seq, _, _) = der_next(spki)? else {
        return None;
    };
    let (0x30, algorithm, _, rest) = der_next(seq)? else {
        return None;
    };
    let (0x06, oid, _, _) = der_next(algorithm)? else {
        return None;
    };
    if oid != RSA_OID {
        return None;
    }
    let (0x03, bits, _, _) = der_next(rest)? else {
        return None;
    };
    let (0, key) = bits.split_first()? else {
        return None;
    };
    Some(key.to_vec())
}

/// The SubjectPublicKeyInfo of an X.509 certificate.
fn certificate_spki(cert: &[u8]) -> Option<Vec<u8>> {
    let (0x30, cert, _, _) = der_next(cert)? else {
        return None;
    };
    let (0x30, mut tbs, _, _) = der_next(cert)? else {
        return None;
    };
    // [0] version (optional), serial, signature, issuer, validity, subject, SPKI
    if tbs.first() == Some(&0xa0) {
        tbs = der_next(tbs)?.3;
    }
    for _ in 0..5 {
        tbs = der_next(tbs)?.3;
    }
    let (0x30, _, whole, _) = der_next(tbs)? else {
        return None;
    };
    Some(whole.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLATFORM_PRIVATE: &str = include_str!("keys/platform_private.pem");
    const PLATFORM_PUBLIC: &str = include_str!("keys/platform_public.pem");
    const MERCHANT_PUBLIC: &str = include_str!("keys/merchant_public.pem");

    #[test]
    fn derived_public_key_is_the_fixture() {
        let key = PlatformKey::from_pem(PLATFORM_PRIVATE.as_bytes()).expect("key");
        let strip = |s: &str| s.split_whitespace().collect::<String>();
        assert_eq!(strip(&key.public_key_pem()), strip(PLATFORM_PUBLIC));
        // What the platform key signs, the platform public key verifies.
        let verifier = MerchantKey::from_pem(PLATFORM_PUBLIC.as_bytes()).expect("public");
        let sig = key.sign(b"message\n");
        assert_eq!(verifier.verify(b"message\n", &sig), Ok(()));
        assert!(verifier.verify(b"other\n", &sig).is_err());
        assert!(MerchantKey::from_pem(MERCHANT_PUBLIC.as_bytes())
            .expect("merchant")
            .verify(b"message\n", &sig)
            .is_err());
    }

    #[test]
    fn digests() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }
}
