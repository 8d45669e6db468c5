//! The axum side of the notification endpoint: one route that hands the request to the
//! SDK's [`NotificationHandler`], runs your processing on a verified event, and answers as
//! WeChat Pay documents (204 on success; 500 with `{"code":"FAIL","message":…}` on failure,
//! so WeChat Pay sends the notification again).

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use wechatpay_marketing::{failure_response, Delivery, Event, NotificationHandler};

/// The path WeChat Pay is configured to call (the notify_url, without query parameters).
pub const NOTIFY_PATH: &str = "/wechatpay/notify";

/// The router: `POST /wechatpay/notify`, with `process` run on each verified event. A
/// failure of `process` answers with the documented failure, so the event comes again.
pub fn app<F>(handler: NotificationHandler, process: F) -> Router
where
    F: Fn(&Event) -> Result<(), String> + Clone + Send + Sync + 'static,
{
    Router::new()
        .route(
            NOTIFY_PATH,
            post(
                move |State(handler): State<NotificationHandler>,
                      headers: HeaderMap,
                      body: Bytes| {
                    let process = process.clone();
                    async move {
                        let delivery = handler.handle_parts(&headers, &body).await;
                        if let Delivery::Event(event) = &delivery {
                            if let Err(why) = process(event) {
                                eprintln!("processing {} failed: {why}", event.id());
                                return to_axum(failure_response("处理失败"));
                            }
                        }
                        to_axum(delivery.ack())
                    }
                },
            ),
        )
        // Read at most 64 KiB of body: real notifications are about 1 KiB.
        .layer(DefaultBodyLimit::max(64 * 1024))
        .with_state(handler)
}

/// The SDK's framework-neutral `http::Response` as an axum response.
fn to_axum(response: axum::http::Response<Bytes>) -> Response {
    response.map(Body::from)
}
