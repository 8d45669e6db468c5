//! The framework-neutral callback endpoint: takes the HTTP request WeChat Pay POSTed
//! (`http::Request<Bytes>`, or headers + body), verifies, routes and decrypts it into an
//! [`Event`], and hands back the reply WeChat Pay expects.
//!
//! Replies, as documented for APIv3 callbacks (回调通知): success is HTTP 200 or 204 with no
//! body required; failure is a 4XX/5XX status with the body `{"code":"FAIL","message":"…"}`.
//! Without a success reply WeChat Pay sends the notification again (the same `id`).

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use tracing::Instrument as _;

use crate::runtime::client::Client;
use crate::runtime::error::{Error, NotificationError};
use crate::runtime::notification::{self, ApiV3Key};
use crate::runtime::verify::HeaderLookup;
use crate::Event;

/// Default largest notification body accepted (64 KiB; documented bodies are ~1 KiB).
pub const DEFAULT_MAX_NOTIFICATION_BYTES: usize = 64 * 1024;

/// The reply that tells WeChat Pay the notification was received and handled: `204 No
/// Content`.
pub fn success_response() -> http::Response<Bytes> {
    let mut r = http::Response::new(Bytes::new());
    *r.status_mut() = http::StatusCode::NO_CONTENT;
    r
}

/// The documented failure reply: HTTP 500 with `{"code":"FAIL","message":message}`.
/// WeChat Pay will send the notification again. Keep `message` short and free of personal
/// data; WeChat Pay only records it.
pub fn failure_response(message: &str) -> http::Response<Bytes> {
    let body = serde_json::json!({"code": "FAIL", "message": message}).to_string();
    let mut r = http::Response::new(Bytes::from(body));
    *r.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r
}

/// What became of one delivered notification.
#[derive(Debug)]
#[non_exhaustive]
pub enum Delivery {
    /// A verified, decrypted event: handle it, then reply with [`Delivery::ack`] (or with
    /// [`failure_response`] if handling failed, so WeChat Pay sends it again).
    Event(Box<Event>),
    /// The duplicate hook recognised this notification id: it was handled before. The
    /// reply is success so WeChat Pay stops re-sending it.
    Duplicate {
        /// The notification id (`id` of the envelope).
        id: String,
        /// Its event type.
        event_type: String,
    },
    /// Rejected (too large, bad signature, undecryptable, wrong payload): never trust it.
    /// The reply is the documented failure.
    Rejected(Error),
}

impl Delivery {
    /// The reply for this delivery as it stands: success (204) for an event or a duplicate,
    /// the documented failure (500, `{"code":"FAIL",…}`) for a rejection.
    pub fn ack(&self) -> http::Response<Bytes> {
        match self {
            Delivery::Event(_) | Delivery::Duplicate { .. } => success_response(),
            Delivery::Rejected(e) => failure_response(match e {
                Error::Notification(NotificationError::Signature(_)) => "签名验证失败",
                Error::Notification(NotificationError::BodyTooLarge { .. }) => "报文过大",
                _ => "失败",
            }),
        }
    }

    /// The event, if this delivery is one.
    pub fn event(&self) -> Option<&Event> {
        match self {
            Delivery::Event(e) => Some(e),
            _ => None,
        }
    }
}

/// Decides whether a notification id was already handled (notifications are re-sent until
/// acknowledged, so the same id may arrive several times).
type SeenHook = dyn Fn(&str) -> bool + Send + Sync;

/// Verifies, routes and acknowledges callback notifications. Cheap to clone. Build one with
/// [`Client::notification_handler`].
#[derive(Clone)]
pub struct NotificationHandler {
    client: Client,
    key: ApiV3Key,
    max_body: usize,
    seen: Option<Arc<SeenHook>>,
}

impl fmt::Debug for NotificationHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotificationHandler")
            .field("key", &self.key)
            .field("max_body", &self.max_body)
            .field("duplicate_hook", &self.seen.is_some())
            .finish()
    }
}

impl Client {
    /// A notification endpoint using this client's keys (and, in platform-certificate mode,
    /// its certificate downloads) and `api_v3_key` to decrypt.
    pub fn notification_handler(&self, api_v3_key: ApiV3Key) -> NotificationHandler {
        NotificationHandler {
            client: self.clone(),
            key: api_v3_key,
            max_body: DEFAULT_MAX_NOTIFICATION_BYTES,
            seen: None,
        }
    }

    /// [`notification_handler`](Self::notification_handler) with the key configured by
    /// [`ClientBuilder::api_v3_key`](crate::ClientBuilder::api_v3_key).
    pub fn default_notification_handler(&self) -> Result<NotificationHandler, Error> {
        let key = self
            .api_v3_key()
            .cloned()
            .ok_or_else(|| Error::Config("no api_v3_key configured on the client".to_owned()))?;
        Ok(self.notification_handler(key))
    }
}

impl NotificationHandler {
    /// The largest body accepted (default [`DEFAULT_MAX_NOTIFICATION_BYTES`]); larger ones
    /// are rejected before any parsing. Also cap the body in your web framework (axum:
    /// `DefaultBodyLimit`), which reads it first.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body = limit;
        self
    }

    /// A hook called with each verified notification's `id` before it is decrypted:
    /// return `true` if that id was already handled, and the delivery becomes
    /// [`Delivery::Duplicate`] (acknowledged with success). Record an id as handled only
    /// once your handling has committed.
    pub fn duplicate_check(mut self, seen: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        self.seen = Some(Arc::new(seen));
        self
    }

    /// Handles the HTTP request WeChat Pay sent (any framework: convert to
    /// `http::Request<Bytes>`).
    pub async fn handle(&self, request: http::Request<Bytes>) -> Delivery {
        let (parts, body) = request.into_parts();
        self.handle_parts(&parts.headers, &body).await
    }

    /// Handles a notification given as headers and raw body bytes.
    pub async fn handle_parts(
        &self,
        headers: &(impl HeaderLookup + ?Sized),
        body: &[u8],
    ) -> Delivery {
        let span = tracing::info_span!(
            "wechatpay.notification",
            event_type = tracing::field::Empty,
            id = tracing::field::Empty
        );
        async {
            match self.receive(headers, body).await {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(error = %e, "wechatpay notification rejected");
                    Delivery::Rejected(e)
                }
            }
        }
        .instrument(span)
        .await
    }

    async fn receive(
        &self,
        headers: &(impl HeaderLookup + ?Sized),
        body: &[u8],
    ) -> Result<Delivery, Error> {
        if body.len() > self.max_body {
            return Err(NotificationError::BodyTooLarge {
                limit: self.max_body,
            }
            .into());
        }
        self.client
            .verify_signature_refreshing(headers, body)
            .await
            .map_err(NotificationError::Signature)?;
        let envelope = notification::decode_envelope(body)?;
        let span = tracing::Span::current();
        span.record("event_type", envelope.event_type.as_str());
        span.record("id", envelope.id.as_str());
        if let Some(seen) = &self.seen {
            if seen(&envelope.id) {
                return Ok(Delivery::Duplicate {
                    id: envelope.id,
                    event_type: envelope.event_type,
                });
            }
        }
        Ok(Delivery::Event(Box::new(Event::open(envelope, &self.key)?)))
    }
}
