//! `CallbackInbox`: a loopback HTTP server that records the notifications POSTed to it, for
//! tests that do not run their own web handler. Verify what it received with the client
//! (`client.favor().parse_coupon_use_notification(…)`), as your handler would.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;

use super::lock;

/// One request the inbox received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedCallback {
    /// Path and query it was POSTed to.
    pub path: String,
    /// Every header, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The raw body (verify the signature over exactly these bytes).
    pub body: Vec<u8>,
    /// The status the inbox answered (500 while it was told to fail, else 200).
    pub answered: u16,
}

struct State {
    received: Mutex<Vec<ReceivedCallback>>,
    fail_first: AtomicU32,
    arrived: tokio::sync::Notify,
}

/// A notification receiver on `127.0.0.1`. Stops when dropped.
pub struct CallbackInbox {
    addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for CallbackInbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackInbox")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for CallbackInbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl CallbackInbox {
    /// Starts a receiver that answers every notification 200.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_failing(0).await
    }

    /// Starts a receiver that answers the first `n` notifications 500 (to see retries), then 200.
    pub async fn start_failing(n: u32) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            received: Mutex::new(Vec::new()),
            fail_first: AtomicU32::new(n),
            arrived: tokio::sync::Notify::new(),
        });
        let accept_state = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&accept_state);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        move |req: hyper::Request<hyper::body::Incoming>| {
                            let state = Arc::clone(&state);
                            async move {
                                let path = req
                                    .uri()
                                    .path_and_query()
                                    .map(|p| p.as_str().to_owned())
                                    .unwrap_or_default();
                                let headers = req
                                    .headers()
                                    .iter()
                                    .map(|(k, v)| {
                                        (
                                            k.as_str().to_owned(),
                                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                                        )
                                    })
                                    .collect();
                                let body = req
                                    .into_body()
                                    .collect()
                                    .await
                                    .map(|b| b.to_bytes().to_vec())
                                    .unwrap_or_default();
                                let fail = state
                                    .fail_first
                                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                                        n.checked_sub(1)
                                    })
                                    .is_ok();
                                let answered = if fail { 500 } else { 200 };
                                lock(&state.received).push(ReceivedCallback {
                                    path,
                                    headers,
                                    body,
                                    answered,
                                });
                                state.arrived.notify_waiters();
                                let reply: &[u8] = if fail {
                                    br#"{"code":"FAIL","message":"simulated failure"}"#
                                } else {
                                    b""
                                };
                                let mut resp = Response::new(Full::new(Bytes::from_static(reply)));
                                *resp.status_mut() =
                                    StatusCode::from_u16(answered).unwrap_or(StatusCode::OK);
                                Ok::<_, std::convert::Infallible>(resp)
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(CallbackInbox { addr, state, task })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Everything received so far (failed answers included), in order.
    pub fn received(&self) -> Vec<ReceivedCallback> {
        lock(&self.state.received).clone()
    }

    /// Waits until `n` notifications were answered 200 (at most `timeout`) and returns those.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedCallback> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let arrived = self.state.arrived.notified();
            let ok: Vec<ReceivedCallback> = self
                .received()
                .into_iter()
                .filter(|r| r.answered == 200)
                .collect();
            if ok.len() >= n {
                return ok;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return self
                    .received()
                    .into_iter()
                    .filter(|r| r.answered == 200)
                    .collect();
            }
        }
    }
}
