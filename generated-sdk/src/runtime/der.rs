//! A tiny, bounds-checked DER reader: just enough to pull the RSA public key out of a
//! SubjectPublicKeyInfo or an X.509 certificate, and a certificate's serial number.

/// ASN.1 tags this reader cares about.
const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;
const TAG_CONTEXT_0: u8 = 0xA0;

/// DER of OID 1.2.840.113549.1.1.1 (rsaEncryption), contents only.
const OID_RSA_ENCRYPTION: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];

/// One tag-length-value element: its tag, its contents, and its whole encoding.
#[derive(Debug, Clone, Copy)]
struct Tlv<'a> {
    tag: u8,
    value: &'a [u8],
    whole: &'a [u8],
}

/// Reads one element from the front of `input`; returns it and the rest.
/// Only single-byte tags and definite lengths of up to four bytes are accepted.
fn read_tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1F == 0x1F {
        return None; // multi-byte tag: never used by the structures we read
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 || rest.len() < n {
            return None; // indefinite length (not DER) or absurdly long
        }
        let (len_bytes, after) = rest.split_at(n);
        rest = after;
        if len_bytes.first() == Some(&0) {
            return None; // non-minimal length
        }
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        if len < 0x80 {
            return None; // long form where short form was required
        }
        len
    };
    if rest.len() < len {
        return None;
    }
    let (value, after) = rest.split_at(len);
    let header_len = input.len() - rest.len();
    let whole = input.get(..header_len + len)?;
    Some((Tlv { tag, value, whole }, after))
}

/// Reads one element that must carry `tag`.
fn expect(input: &[u8], tag: u8) -> Option<(Tlv<'_>, &[u8])> {
    let (tlv, rest) = read_tlv(input)?;
    (tlv.tag == tag).then_some((tlv, rest))
}

/// Reads an element that must be the only thing in `input`.
fn expect_only(input: &[u8], tag: u8) -> Option<Tlv<'_>> {
    let (tlv, rest) = expect(input, tag)?;
    rest.is_empty().then_some(tlv)
}

/// From a DER SubjectPublicKeyInfo holding an RSA key, the PKCS#1 `RSAPublicKey` DER
/// (what aws-lc-rs's RSA verification expects). `None` if malformed or not RSA.
pub(crate) fn rsa_public_key_from_spki(spki: &[u8]) -> Option<&[u8]> {
    let spki = expect_only(spki, TAG_SEQUENCE)?;
    let (alg, rest) = expect(spki.value, TAG_SEQUENCE)?;
    let (oid, _params) = expect(alg.value, TAG_OID)?;
    if oid.value != OID_RSA_ENCRYPTION {
        return None;
    }
    let bits = expect_only(rest, TAG_BIT_STRING)?;
    let (&unused_bits, key) = bits.value.split_first()?;
    if unused_bits != 0 {
        return None;
    }
    // The key itself must be a well-formed SEQUENCE; aws-lc-rs checks the integers inside.
    expect_only(key, TAG_SEQUENCE)?;
    Some(key)
}

/// The modulus size in bits of a PKCS#1 `RSAPublicKey`; `None` if malformed.
pub(crate) fn rsa_modulus_bits(pkcs1: &[u8]) -> Option<usize> {
    let key = expect_only(pkcs1, TAG_SEQUENCE)?;
    let (n, rest) = expect(key.value, TAG_INTEGER)?;
    expect_only(rest, TAG_INTEGER)?;
    let start = n.value.iter().position(|&b| b != 0)?;
    let n = n.value.get(start..)?;
    let first = n.first()?;
    Some(n.len() * 8 - first.leading_zeros() as usize)
}

/// The parts of an X.509 certificate this crate uses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CertificateParts<'a> {
    /// The serial number's content bytes (big-endian, possibly with a leading 0x00).
    pub(crate) serial: &'a [u8],
    /// The whole DER SubjectPublicKeyInfo element.
    pub(crate) spki: &'a [u8],
}

/// Splits a DER X.509 certificate into its serial number and SubjectPublicKeyInfo.
/// The certificate's own signature and validity are not checked (see `verify.rs`).
pub(crate) fn certificate_parts(cert: &[u8]) -> Option<CertificateParts<'_>> {
    let cert = expect_only(cert, TAG_SEQUENCE)?;
    let (tbs, _rest) = expect(cert.value, TAG_SEQUENCE)?;
    let mut rest = tbs.value;
    let (first, after) = read_tlv(rest)?;
    if first.tag == TAG_CONTEXT_0 {
        rest = after; // explicit version
    }
    let (serial, rest) = expect(rest, TAG_INTEGER)?;
    let (_signature_alg, rest) = expect(rest, TAG_SEQUENCE)?;
    let (_issuer, rest) = expect(rest, TAG_SEQUENCE)?;
    let (_validity, rest) = expect(rest, TAG_SEQUENCE)?;
    let (_subject, rest) = expect(rest, TAG_SEQUENCE)?;
    let (spki, _extensions) = expect(rest, TAG_SEQUENCE)?;
    Some(CertificateParts {
        serial: serial.value,
        spki: spki.whole,
    })
}

/// Upper-case hex of a DER INTEGER's content bytes, without leading zero bytes:
/// how WeChat Pay spells a platform certificate serial number.
pub(crate) fn serial_hex(serial: &[u8]) -> String {
    let start = serial.iter().position(|&b| b != 0).unwrap_or(serial.len());
    let mut out = String::with_capacity(serial.len() * 2);
    for b in serial.get(start..).unwrap_or_default() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0F)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, SubjectPublicKeyInfoDer};

    const PLATFORM_PUBLIC: &str = include_str!("../../../tests/fixtures/keys/platform_public.pem");
    const MERCHANT_PUBLIC: &str = include_str!("../../../tests/fixtures/keys/merchant_public.pem");
    const PLATFORM_CERT: &str = include_str!("../../../tests/fixtures/keys/platform_cert.pem");

    fn spki(pem: &str) -> Vec<u8> {
        match SubjectPublicKeyInfoDer::from_pem_slice(pem.as_bytes()) {
            Ok(der) => der.as_ref().to_vec(),
            Err(e) => panic!("fixture PEM: {e}"),
        }
    }

    #[test]
    fn extracts_pkcs1_key_from_test_spkis() {
        for pem in [PLATFORM_PUBLIC, MERCHANT_PUBLIC] {
            let der = spki(pem);
            let key = rsa_public_key_from_spki(&der).expect("RSA SPKI");
            // RSA-2048 SPKI: a 24-byte header, then the 270-byte RSAPublicKey.
            assert_eq!(key.len(), 270);
            assert_eq!(key, &der[24..]);
            assert_eq!(rsa_modulus_bits(key), Some(2048));
        }
    }

    #[test]
    fn rejects_truncated_and_trailing_garbage() {
        let der = spki(PLATFORM_PUBLIC);
        for cut in [0, 1, 2, 10, 23, 24, der.len() - 1] {
            assert!(rsa_public_key_from_spki(&der[..cut]).is_none(), "cut {cut}");
        }
        let mut longer = der.clone();
        longer.push(0);
        assert!(rsa_public_key_from_spki(&longer).is_none());
    }

    #[test]
    fn rejects_non_rsa_algorithm() {
        let mut der = spki(PLATFORM_PUBLIC);
        der[16] ^= 0x01; // last byte of the rsaEncryption OID
        assert!(rsa_public_key_from_spki(&der).is_none());
    }

    #[test]
    fn rejects_indefinite_and_oversized_lengths() {
        assert!(read_tlv(&[0x30, 0x80, 0x00, 0x00]).is_none());
        assert!(read_tlv(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_none());
        assert!(read_tlv(&[0x30, 0x82, 0xFF, 0xFF, 0x00]).is_none());
        assert!(read_tlv(&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0]).is_none()); // non-minimal
        assert!(read_tlv(&[]).is_none());
    }

    #[test]
    fn certificate_yields_serial_and_spki() {
        let cert = match CertificateDer::from_pem_slice(PLATFORM_CERT.as_bytes()) {
            Ok(c) => c,
            Err(e) => panic!("fixture cert: {e}"),
        };
        let parts = certificate_parts(cert.as_ref()).expect("certificate");
        assert_eq!(
            serial_hex(parts.serial),
            "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
        );
        assert_eq!(parts.spki, spki(PLATFORM_PUBLIC).as_slice());
    }

    #[test]
    fn serial_hex_strips_sign_byte() {
        assert_eq!(serial_hex(&[0x00, 0x9A, 0x01]), "9A01");
        assert_eq!(serial_hex(&[]), "");
    }
}
