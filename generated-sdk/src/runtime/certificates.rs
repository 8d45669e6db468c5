//! Platform-certificate mode: downloads `GET /v3/certificates`, decrypts each certificate
//! (AEAD_AES_256_GCM with the APIv3 key), verifies the download, and keeps the keys fresh —
//! periodically and when a response names an unknown `Wechatpay-Serial` (rate-limited).

use std::sync::RwLock;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::runtime::error::Error;
use crate::runtime::notification::{decrypt_resource, ApiV3Key, EncryptedResource};
use crate::runtime::operation::{ErrorRow, OperationMeta};
use crate::runtime::validation::parse_rfc3339;
use crate::runtime::verify::{rsa_key_from_pem, verifying_key, VerifyingKey};

/// Default time between two downloads of the platform certificates.
pub const DEFAULT_CERTIFICATE_REFRESH: Duration = Duration::from_secs(12 * 3600);
/// Default minimum time between two downloads triggered by an unknown serial.
pub const DEFAULT_CERTIFICATE_MIN_GAP: Duration = Duration::from_secs(60);

/// `GET /v3/certificates` (下载平台证书).
pub(crate) static CERTIFICATES: OperationMeta = OperationMeta {
    id: "certificates.download",
    method: "GET",
    path: "/v3/certificates",
    errors: &[ErrorRow {
        status: 500,
        code: "SYSTEM_ERROR",
        description: "系统错误",
        solution: "请使用相同参数稍后重新调用",
    }],
    safe_to_retry: true,
};

/// One downloaded certificate's key.
#[derive(Debug, Clone)]
pub(crate) struct PlatformKey {
    pub(crate) serial: String,
    pub(crate) key: VerifyingKey,
    /// `effective_time` (Unix seconds), for choosing the newest.
    effective: i64,
    /// `expire_time` (Unix seconds).
    expire: i64,
}

#[derive(Debug, Default)]
struct State {
    keys: Vec<PlatformKey>,
    /// When the last download succeeded.
    refreshed: Option<Instant>,
    /// When the last download was attempted.
    attempted: Option<Instant>,
}

/// The downloaded platform certificates and the refresh schedule.
#[derive(Debug)]
pub(crate) struct PlatformCertificates {
    pub(crate) api_v3_key: ApiV3Key,
    pub(crate) refresh_every: Duration,
    pub(crate) min_gap: Duration,
    state: RwLock<State>,
    /// One download at a time.
    pub(crate) downloading: tokio::sync::Mutex<()>,
}

#[derive(Deserialize)]
struct Download {
    #[serde(default)]
    data: Vec<DownloadedCertificate>,
}

#[derive(Deserialize)]
struct DownloadedCertificate {
    serial_no: String,
    #[serde(default)]
    effective_time: String,
    #[serde(default)]
    expire_time: String,
    encrypt_certificate: EncryptedResource,
}

impl PlatformCertificates {
    pub(crate) fn new(api_v3_key: ApiV3Key, refresh_every: Duration, min_gap: Duration) -> Self {
        PlatformCertificates {
            api_v3_key,
            refresh_every,
            min_gap,
            state: RwLock::new(State::default()),
            downloading: tokio::sync::Mutex::new(()),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The downloaded key for `serial`, if any.
    pub(crate) fn find(&self, serial: &str) -> Option<VerifyingKey> {
        self.read()
            .keys
            .iter()
            .find(|k| k.serial.eq_ignore_ascii_case(serial))
            .map(|k| k.key.clone())
    }

    /// The downloaded serials.
    pub(crate) fn serials(&self) -> Vec<String> {
        self.read().keys.iter().map(|k| k.serial.clone()).collect()
    }

    /// The serial of the newest certificate valid at `now` (Unix seconds).
    pub(crate) fn newest_serial(&self, now: i64) -> Option<String> {
        self.read()
            .keys
            .iter()
            .filter(|k| k.effective <= now && now < k.expire)
            .max_by_key(|k| k.effective)
            .map(|k| k.serial.clone())
    }

    /// Whether the periodic refresh is due.
    pub(crate) fn due(&self) -> bool {
        let s = self.read();
        let stale = s
            .refreshed
            .map_or(true, |t| t.elapsed() >= self.refresh_every);
        stale && self.may_attempt_locked(&s)
    }

    /// Whether the rate limit allows a download now.
    pub(crate) fn may_attempt(&self) -> bool {
        self.may_attempt_locked(&self.read())
    }

    fn may_attempt_locked(&self, s: &State) -> bool {
        s.attempted.map_or(true, |t| t.elapsed() >= self.min_gap)
    }

    pub(crate) fn mark_attempt(&self) {
        self.state
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .attempted = Some(Instant::now());
    }

    /// Decrypts and parses a download body. Returns the keys; the caller verifies the
    /// response signature (with a trusted key or one of these) before [`install`]ing them.
    pub(crate) fn decrypt(&self, body: &[u8], now: i64) -> Result<Vec<PlatformKey>, Error> {
        let bad = |m: String| Error::PlatformCertificates(m);
        let download: Download = serde_json::from_slice(body).map_err(|e| {
            bad(format!(
                "download is not the documented JSON: {}",
                crate::runtime::error::describe_json_error(&e)
            ))
        })?;
        let mut keys = Vec::new();
        for c in download.data {
            let pem = decrypt_resource(&self.api_v3_key, &c.encrypt_certificate).map_err(|e| {
                bad(format!(
                    "certificate {:?} could not be decrypted with the APIv3 key: {e}",
                    c.serial_no
                ))
            })?;
            let pkcs1 = rsa_key_from_pem(&pem, true, Some(&c.serial_no))
                .map_err(|e| bad(format!("certificate {:?}: {e}", c.serial_no)))?;
            let key = verifying_key(&pkcs1)
                .map_err(|e| bad(format!("certificate {:?}: {e}", c.serial_no)))?;
            let effective = parse_rfc3339(&c.effective_time).unwrap_or(i64::MIN);
            let expire = parse_rfc3339(&c.expire_time).unwrap_or(i64::MAX);
            if expire <= now {
                continue; // expired: never trust it
            }
            keys.push(PlatformKey {
                serial: c.serial_no,
                key,
                effective,
                expire,
            });
        }
        if keys.is_empty() {
            return Err(bad("the download holds no valid certificate".into()));
        }
        Ok(keys)
    }

    /// Replaces the downloaded keys after a verified download.
    pub(crate) fn install(&self, keys: Vec<PlatformKey>) {
        let mut s = self.state.write().unwrap_or_else(|e| e.into_inner());
        tracing::info!(
            serials = ?keys.iter().map(|k| k.serial.as_str()).collect::<Vec<_>>(),
            "wechatpay platform certificates refreshed"
        );
        s.keys = keys;
        s.refreshed = Some(Instant::now());
    }
}
