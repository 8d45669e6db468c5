//! Notification delivery: the envelope WeChat Pay POSTs (`id`, `create_time`, `event_type`,
//! `resource_type: encrypt-resource`, `resource{algorithm, ciphertext, associated_data,
//! original_type, nonce}`, `summary`), the resource encrypted with the APIv3 key
//! (AEAD_AES_256_GCM), the body signed with the platform key, retried until a 2xx answer.

use serde_json::json;
use std::sync::Arc;

use super::engine::Pending;
use super::render::rfc3339;
use super::{crypto, lock, server, Attempt, Delivery, Shared};

/// Starts delivering `p` in the background.
pub(crate) fn spawn(shared: Arc<Shared>, p: Pending) {
    let runtime = shared.runtime.clone();
    runtime.spawn(deliver(shared, p));
}

async fn deliver(shared: Arc<Shared>, p: Pending) {
    let spec = p.spec;
    let id = uuid_like();
    let nonce = crypto::random_alphanumeric(12);
    let plaintext = serde_json::to_vec(&p.payload).unwrap_or_default();
    let ciphertext =
        crypto::encrypt_resource(&shared.api_v3_key, &nonce, spec.associated_data, &plaintext)
            .unwrap_or_default();
    let envelope = json!({
        "id": id,
        "create_time": rfc3339(shared.clock.now_unix()),
        "resource_type": "encrypt-resource",
        "event_type": spec.event_type,
        "summary": spec.summary,
        "resource": {
            "original_type": spec.original_type,
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": ciphertext,
            "associated_data": spec.associated_data,
            "nonce": nonce,
        },
    });
    let url = p.url.map(|u| rewrite(&shared.rewrites, u));
    let skipped = match &url {
        None => Some(format!(
            "no callback URL configured for {} (set it with the family's set_callback / set_notify_config)",
            spec.family
        )),
        Some(u) if !shared.external_callbacks && !is_loopback(u) => Some(format!(
            "{u} is not a loopback address (allow_external_callbacks, or callback_rewrite it to a local receiver)"
        )),
        Some(_) => None,
    };
    let index = {
        let mut all = lock(&shared.deliveries);
        all.push(Delivery {
            id,
            notification: spec.id.to_owned(),
            event_type: spec.event_type.to_owned(),
            url: url.clone(),
            payload: p.payload,
            envelope: envelope.clone(),
            attempts: Vec::new(),
            delivered: false,
            skipped: skipped.clone(),
            finished: skipped.is_some(),
        });
        all.len() - 1
    };
    let Some(url) = url.filter(|_| skipped.is_none()) else {
        shared.delivered.notify_waiters();
        return;
    };
    let body = serde_json::to_vec(&envelope).unwrap_or_default();
    let mut backoff = shared.backoff;
    for attempt in 0..shared.attempts {
        if attempt > 0 {
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2);
        }
        let mut request = shared
            .http
            .post(&url)
            .header("Content-Type", "application/json")
            .body(body.clone());
        for (k, v) in server::signature_headers(&shared, &body, None) {
            request = request.header(k, v);
        }
        let result = request.send().await;
        let (record, ok) = match result {
            Ok(resp) => {
                let status = resp.status().as_u16();
                (
                    Attempt {
                        status: Some(status),
                        error: None,
                    },
                    (200..300).contains(&status),
                )
            }
            Err(e) => (
                Attempt {
                    status: None,
                    error: Some(e.to_string()),
                },
                false,
            ),
        };
        {
            let mut all = lock(&shared.deliveries);
            if let Some(d) = all.get_mut(index) {
                d.attempts.push(record);
                d.delivered = ok;
            }
        }
        if ok {
            break;
        }
    }
    if let Some(d) = lock(&shared.deliveries).get_mut(index) {
        d.finished = true;
    }
    shared.delivered.notify_waiters();
}

fn rewrite(rules: &[(String, String)], url: String) -> String {
    for (from, to) in rules {
        if let Some(rest) = url.strip_prefix(from.as_str()) {
            return format!("{to}{rest}");
        }
    }
    url
}

fn is_loopback(url: &str) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    let host = u.host_str().unwrap_or("");
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A random id shaped like WeChat Pay's notification ids (`8b33f79f-8869-5ae5-b41b-…`).
fn uuid_like() -> String {
    let hex: String = crypto::random_alphanumeric(64)
        .bytes()
        .map(|b| char::from(b"0123456789abcdef"[usize::from(b) % 16]))
        .take(32)
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
