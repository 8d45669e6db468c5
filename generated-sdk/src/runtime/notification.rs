//! WeChat Pay callback notifications: the envelope, the APIv3 key, and `AEAD_AES_256_GCM`
//! decryption of the `resource` after the notification's signature has been verified.

use std::fmt;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use serde::de::DeserializeOwned;

use crate::runtime::error::{describe_json_error, DecryptError, Error, NotificationError};

/// The only algorithm WeChat Pay uses for notification resources.
pub const AEAD_AES_256_GCM: &str = "AEAD_AES_256_GCM";

/// The merchant's 32-byte APIv3 key (APIv3密钥), used to decrypt notifications.
#[derive(Clone)]
pub struct ApiV3Key([u8; 32]);

impl ApiV3Key {
    /// Wraps the key as configured in the merchant platform: exactly 32 bytes of text.
    /// Any other length is an [`Error::Config`].
    pub fn new(key: &str) -> Result<Self, Error> {
        <[u8; 32]>::try_from(key.as_bytes())
            .map(ApiV3Key)
            .map_err(|_| {
                Error::Config(format!(
                    "the APIv3 key must be exactly 32 bytes, got {}",
                    key.len()
                ))
            })
    }
}

impl fmt::Debug for ApiV3Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiV3Key(<redacted>)")
    }
}

/// The outer JSON of a notification, as received. Every field is lenient: absent strings
/// default to empty, unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationEnvelope {
    /// 通知ID: unique per notification; use it to de-duplicate redeliveries.
    #[serde(default)]
    pub id: String,
    /// 通知创建时间 (RFC 3339).
    #[serde(default)]
    pub create_time: String,
    /// 通知类型, e.g. `COUPON.USE`.
    #[serde(default)]
    pub event_type: String,
    /// 通知数据类型, e.g. `encrypt-resource`.
    #[serde(default)]
    pub resource_type: String,
    /// 回调摘要.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// 通知数据: the encrypted payload.
    pub resource: EncryptedResource,
}

/// The encrypted `resource` object of a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedResource {
    /// 加密算法类型: `AEAD_AES_256_GCM`.
    #[serde(default)]
    pub algorithm: String,
    /// 数据密文: base64 of ciphertext followed by the 16-byte tag.
    #[serde(default)]
    pub ciphertext: String,
    /// 附加数据 (AAD), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_data: Option<String>,
    /// 原始回调类型, e.g. `coupon`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_type: Option<String>,
    /// 随机串: the 12-character GCM nonce.
    #[serde(default)]
    pub nonce: String,
}

/// Static facts about one documented notification, emitted by the generator from the spec
/// (`notifications:`): the registry behind [`Event`](crate::Event) and the typed parsers.
#[derive(Debug, PartialEq, Eq)]
pub struct NotificationKind {
    /// `family.notification_id`, e.g. `busifavor.coupon_send`.
    pub id: &'static str,
    /// The documented `event_type`, e.g. `COUPON.SEND`.
    pub event_type: &'static str,
    /// The documented `resource.original_type`, when the spec gives it.
    pub original_type: Option<&'static str>,
    /// The documented `resource.associated_data`, when the spec gives it.
    pub associated_data: Option<&'static str>,
}

impl NotificationKind {
    /// Whether `envelope` is of this kind: same event type, and the resource's
    /// `original_type` / `associated_data` as documented (when both sides give them).
    pub fn matches(&self, envelope: &NotificationEnvelope) -> bool {
        envelope.event_type == self.event_type && self.check_resource(envelope).is_ok()
    }

    fn check_resource(&self, envelope: &NotificationEnvelope) -> Result<(), NotificationError> {
        let r = &envelope.resource;
        for (field, expected, actual) in [
            ("original_type", self.original_type, &r.original_type),
            ("associated_data", self.associated_data, &r.associated_data),
        ] {
            if let (Some(expected), Some(actual)) = (expected, actual) {
                if actual != expected {
                    return Err(NotificationError::Resource {
                        field,
                        expected,
                        actual: Some(actual.clone()),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Decodes a (verified) notification body into its envelope.
pub(crate) fn decode_envelope(body: &[u8]) -> Result<NotificationEnvelope, NotificationError> {
    serde_json::from_slice(body).map_err(|e| NotificationError::Envelope(describe_json_error(&e)))
}

/// Opens a verified envelope as `kind`: refuses another event type or resource type, then
/// decrypts and decodes the payload as `T`.
#[doc(hidden)]
pub fn open<T: DeserializeOwned>(
    kind: &'static NotificationKind,
    envelope: NotificationEnvelope,
    key: &ApiV3Key,
) -> Result<Notification<T>, NotificationError> {
    if envelope.event_type != kind.event_type {
        return Err(NotificationError::EventType {
            expected: kind.event_type,
            actual: envelope.event_type,
        });
    }
    kind.check_resource(&envelope)?;
    open_any(envelope, key)
}

/// Decrypts and decodes a verified envelope whatever its event type.
#[doc(hidden)]
pub fn open_any<T: DeserializeOwned>(
    envelope: NotificationEnvelope,
    key: &ApiV3Key,
) -> Result<Notification<T>, NotificationError> {
    let plaintext = decrypt_resource(key, &envelope.resource)?;
    let payload = serde_json::from_slice(&plaintext).map_err(|e| NotificationError::Payload {
        event_type: envelope.event_type.clone(),
        detail: describe_json_error(&e),
    })?;
    Ok(Notification { envelope, payload })
}

/// A verified, decrypted notification.
#[derive(Debug, Clone)]
pub struct Notification<T> {
    /// The outer envelope as received (ciphertext included).
    pub envelope: NotificationEnvelope,
    /// The decrypted `resource`, deserialized.
    pub payload: T,
}

/// Decrypts `resource` with `key`: AES-256-GCM, nonce = the `nonce` string's bytes,
/// AAD = `associated_data` bytes (empty if absent). Returns the plaintext bytes.
pub fn decrypt_resource(
    key: &ApiV3Key,
    resource: &EncryptedResource,
) -> Result<Vec<u8>, DecryptError> {
    if resource.algorithm != AEAD_AES_256_GCM {
        return Err(DecryptError::UnsupportedAlgorithm(
            resource.algorithm.clone(),
        ));
    }
    let nonce_bytes: [u8; NONCE_LEN] = resource
        .nonce
        .as_bytes()
        .try_into()
        .map_err(|_| DecryptError::InvalidNonce)?;
    let mut in_out = base64::engine::general_purpose::STANDARD
        .decode(&resource.ciphertext)
        .map_err(|_| DecryptError::InvalidCiphertext)?;
    if in_out.len() < AES_256_GCM.tag_len() {
        return Err(DecryptError::InvalidCiphertext);
    }
    let unbound =
        UnboundKey::new(&AES_256_GCM, &key.0).map_err(|_| DecryptError::AuthenticationFailed)?;
    let aad = resource.associated_data.as_deref().unwrap_or("");
    let plain_len = LessSafeKey::new(unbound)
        .open_in_place(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::from(aad.as_bytes()),
            &mut in_out,
        )
        .map_err(|_| DecryptError::AuthenticationFailed)?
        .len();
    in_out.truncate(plain_len);
    Ok(in_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0123456789abcdefghijklmnopqrstuv";

    fn seal(key: &str, nonce: &str, aad: &str, plaintext: &[u8]) -> String {
        let k = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key.as_bytes()).expect("key"));
        let mut buf = plaintext.to_vec();
        k.seal_in_place_append_tag(
            Nonce::try_assume_unique_for_key(nonce.as_bytes()).expect("nonce"),
            Aad::from(aad.as_bytes()),
            &mut buf,
        )
        .expect("seal");
        base64::engine::general_purpose::STANDARD.encode(buf)
    }

    fn resource(ciphertext: String) -> EncryptedResource {
        EncryptedResource {
            algorithm: AEAD_AES_256_GCM.into(),
            ciphertext,
            associated_data: Some("coupon".into()),
            original_type: Some("coupon".into()),
            nonce: "d215b0511e9c".into(),
        }
    }

    #[test]
    fn decrypts_known_vector() {
        let plain = br#"{"stock_id":"9856888","coupon_id":"98674556"}"#;
        let ct = seal(KEY, "d215b0511e9c", "coupon", plain);
        let key = ApiV3Key::new(KEY).expect("key");
        assert_eq!(decrypt_resource(&key, &resource(ct)).expect("open"), plain);
    }

    #[test]
    fn decrypts_published_gcm_test_case_14() {
        // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 14: 256-bit zero
        // key, 96-bit zero IV, no AAD, one zero block.
        let key = ApiV3Key::new(&"\0".repeat(32)).expect("key");
        let r = EncryptedResource {
            algorithm: AEAD_AES_256_GCM.into(),
            ciphertext: "zqdAPU1ga24HTsXTuvOdGNDRyKeZmWvwJluYtdSKuRk=".into(),
            associated_data: None,
            original_type: None,
            nonce: "\0".repeat(12),
        };
        assert_eq!(decrypt_resource(&key, &r).expect("open"), [0u8; 16]);
    }

    #[test]
    fn rejects_wrong_key_tampering_and_bad_inputs() {
        let ct = seal(KEY, "d215b0511e9c", "coupon", b"{}");
        let wrong = ApiV3Key::new("vutsrqponmlkjihgfedcba9876543210").expect("key");
        assert_eq!(
            decrypt_resource(&wrong, &resource(ct.clone())),
            Err(DecryptError::AuthenticationFailed)
        );
        let key = ApiV3Key::new(KEY).expect("key");
        let mut r = resource(ct.clone());
        r.associated_data = Some("transaction".into());
        assert_eq!(
            decrypt_resource(&key, &r),
            Err(DecryptError::AuthenticationFailed)
        );
        let mut r = resource(ct.clone());
        r.nonce = "short".into();
        assert_eq!(decrypt_resource(&key, &r), Err(DecryptError::InvalidNonce));
        let mut r = resource(ct);
        r.algorithm = "AES".into();
        assert!(matches!(
            decrypt_resource(&key, &r),
            Err(DecryptError::UnsupportedAlgorithm(_))
        ));
        assert_eq!(
            decrypt_resource(&key, &resource("!!".into())),
            Err(DecryptError::InvalidCiphertext)
        );
        assert_eq!(
            decrypt_resource(&key, &resource("AAAA".into())),
            Err(DecryptError::InvalidCiphertext)
        );
    }

    #[test]
    fn api_v3_key_length_and_debug() {
        assert!(matches!(ApiV3Key::new("short"), Err(Error::Config(_))));
        assert!(ApiV3Key::new(&"x".repeat(33)).is_err());
        let dbg = format!("{:?}", ApiV3Key::new(KEY).expect("key"));
        assert!(!dbg.contains("0123"));
        assert!(dbg.contains("<redacted>"));
    }

    #[test]
    fn envelope_is_lenient() {
        let env: NotificationEnvelope = serde_json::from_str(
            r#"{"id":"EV-1","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"x","nonce":"n"},"extra":1}"#,
        )
        .expect("lenient");
        assert_eq!(env.id, "EV-1");
        assert_eq!(env.event_type, "");
        assert_eq!(env.resource.associated_data, None);
    }
}
