//! The 商品券 flow a brand runs: create a product coupon with its first stock (创建商品券), send
//! one to a user (向用户发放商品券), receive the `PRODUCT_COUPON_SP.SEND` notification on a local
//! endpoint, and confirm the coupon (确认发放用户商品券) — without that last call the user's coupon
//! stays `CONFIRMING`. Each step prints one line of JSON.
//!
//! ```text
//! WECHATPAY_MCHID=… WECHATPAY_MERCHANT_SERIAL=… WECHATPAY_PRIVATE_KEY=apiclient_key.pem \
//! WECHATPAY_PUBLIC_KEY_ID=PUB_KEY_ID_… WECHATPAY_PUBLIC_KEY=pub_key.pem WECHATPAY_API_V3_KEY=… \
//! PC_BRAND_ID=… PC_APPID=wx… PC_OPENID=o… LISTEN=127.0.0.1:8080 \
//! NOTIFY_URL=https://brand.example.com/wxpay/product-coupon \
//!   cargo run -p wechatpay-marketing --example product_coupon_flow
//! ```
//!
//! `LISTEN` is where this program receives the notification (any path; default
//! `127.0.0.1:8080`): put it behind the HTTPS address in `NOTIFY_URL`. With `NOTIFY_URL` set,
//! the program first registers it (设置商品券事件通知地址); without it, the address already
//! registered is used. `SEND_REQUEST_NO` and `OUT_REQUEST_PREFIX` set the idempotency keys
//! [derived from the time]. See `common/mod.rs` for the connection variables and exit codes.

#[allow(dead_code)] // not every helper is used by every example
mod common;
#[path = "common/favor_stock.rs"]
#[allow(dead_code)]
mod favor_stock;

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use common::{config_failure, failure, optional, Config, ConfigError};
use serde_json::json;
use tokio::sync::mpsc;
use wechatpay_marketing::product_coupon::{
    ConfirmUserCouponRequest, CouponAvailablePeriod, CouponDisplayInfo, CreateProductCouponRequest,
    DiscountCouponUsageRule, NotifyConfig, ProductCouponDisplayInfo,
    ProductCouponNotificationSendPayload, SendUserCouponRequest, SetNotifyConfigRequest,
    SingleUsageInfo, StockForCreate, StockSendRule, StockUsageRule, UsageRuleDisplayInfo,
};
use wechatpay_marketing::{ApiV3Key, Client, Delivery, Error, Event, NotificationHandler};

const DAY: i64 = 86_400;

/// Everything the flow needs besides the connection.
struct Brand {
    brand_id: String,
    appid: String,
    openid: String,
    notify_url: Option<String>,
    prefix: String,
    send_request_no: String,
}

fn required(name: &str) -> Result<String, ConfigError> {
    optional(name)?.ok_or_else(|| ConfigError(format!("{name} is not set")))
}

/// Serves the notification endpoint on `listener`: verified `PRODUCT_COUPON_SP.SEND` payloads
/// go to `sent`; every delivery is answered as WeChat Pay documents.
fn serve(
    listener: tokio::net::TcpListener,
    handler: NotificationHandler,
    sent: mpsc::UnboundedSender<ProductCouponNotificationSendPayload>,
) {
    let route = post(move |headers: HeaderMap, body: Bytes| {
        let (handler, sent) = (handler.clone(), sent.clone());
        async move {
            let delivery = handler.handle_parts(&headers, &body).await;
            if let Delivery::Event(event) = &delivery {
                if let Event::ProductCouponSend(n) = &**event {
                    let _ = sent.send(n.payload.clone());
                }
            }
            delivery.ack().map(Body::from)
        }
    });
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, Router::new().fallback(route)).await {
            eprintln!("notification endpoint stopped: {e}");
        }
    });
}

fn create_request(brand: &Brand, now: i64) -> Result<CreateProductCouponRequest, Error> {
    let begin = favor_stock::rfc3339_beijing(now + DAY);
    let end = favor_stock::rfc3339_beijing(now + 30 * DAY);
    Ok(CreateProductCouponRequest::builder()
        .out_request_no(format!("{}-create", brand.prefix))
        .scope("ALL")
        .r#type("DISCOUNT")
        .usage_mode("SINGLE")
        .single_usage_info(
            SingleUsageInfo::builder()
                .discount_coupon(
                    DiscountCouponUsageRule::builder()
                        .threshold(10_000) // from 100 yuan, in fen
                        .percent_off(20)
                        .build()?,
                )
                .build()?,
        )
        .display_info(
            ProductCouponDisplayInfo::builder()
                .name("全场满100立打8折")
                // Image URLs must come from this family's upload_image.
                .image_url("https://wxpaylogo.qpic.cn/wxpaylogo/example/logo")
                .background_url("https://wxpaylogo.qpic.cn/wxpaylogo/example/background")
                .build()?,
        )
        .stock(
            StockForCreate::builder()
                .coupon_code_mode("WECHATPAY")
                .stock_send_rule(StockSendRule::builder().max_count(100).build()?)
                .single_usage_rule(
                    StockUsageRule::builder()
                        .coupon_available_period(
                            CouponAvailablePeriod::builder()
                                .available_begin_time(begin)
                                .available_end_time(end)
                                .build()?,
                        )
                        .build()?,
                )
                .usage_rule_display_info(
                    UsageRuleDisplayInfo::builder()
                        .coupon_usage_method_list(["OFFLINE"])
                        .usage_description("工作日可用")
                        .build()?,
                )
                .coupon_display_info(
                    CouponDisplayInfo::builder()
                        .code_display_mode("QRCODE")
                        .build()?,
                )
                .notify_config(NotifyConfig::builder().notify_appid(&brand.appid).build()?)
                .store_scope("NONE")
                .build()?,
        )
        .brand_id(&brand.brand_id)
        .build()?)
}

async fn flow(
    client: &Client,
    brand: &Brand,
    now: i64,
    sent: &mut mpsc::UnboundedReceiver<ProductCouponNotificationSendPayload>,
) -> Result<(), Error> {
    let pc = client.product_coupon();
    if let Some(url) = &brand.notify_url {
        pc.set_notify_config(&SetNotifyConfigRequest::builder().notify_url(url).build()?)
            .await?;
        println!(
            "{}",
            json!({"step": "set_notify_config", "notify_url": url})
        );
    }
    let created = pc
        .create_product_coupon(&create_request(brand, now)?)
        .await?;
    let stock = created
        .stock
        .ok_or_else(|| Error::Config("the created product coupon has no stock".into()))?;
    println!(
        "{}",
        json!({"step": "create_product_coupon", "product_coupon_id": created.product_coupon_id, "stock_id": stock.stock_id})
    );
    let send = pc
        .send_user_coupon(
            &SendUserCouponRequest::builder()
                .openid(&brand.openid)
                .product_coupon_id(&created.product_coupon_id)
                .stock_id(&stock.stock_id)
                .appid(&brand.appid)
                .send_request_no(&brand.send_request_no)
                .brand_id(&brand.brand_id)
                .build()?,
        )
        .await?;
    println!(
        "{}",
        json!({"step": "send_user_coupon", "coupon_code": send.coupon_code, "coupon_state": send.coupon_state.as_str()})
    );
    // WeChat Pay announces the coupon with PRODUCT_COUPON_SP.SEND; the brand confirms it.
    let payload = tokio::time::timeout(Duration::from_secs(30), sent.recv())
        .await
        .ok()
        .flatten()
        .ok_or_else(|| {
            Error::Config("no PRODUCT_COUPON_SP.SEND notification within 30 s".into())
        })?;
    println!(
        "{}",
        json!({"step": "notification", "event_type": "PRODUCT_COUPON_SP.SEND", "coupon_code": payload.coupon_code})
    );
    let confirmed = pc
        .confirm_user_coupon(
            &ConfirmUserCouponRequest::builder()
                .coupon_code(&payload.coupon_code)
                .openid(&payload.openid)
                .product_coupon_id(&payload.product_coupon_id)
                .stock_id(&payload.stock_id)
                .appid(&payload.appid)
                .out_request_no(format!("{}-confirm", brand.prefix))
                .brand_id(&payload.brand_id)
                .build()?,
        )
        .await?;
    println!(
        "{}",
        json!({"step": "confirm_user_coupon", "coupon_code": confirmed.coupon_code, "coupon_state": confirmed.coupon_state.as_str()})
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let setup = || -> Result<_, ConfigError> {
        let client = Config::from_env()?.client()?;
        let key = ApiV3Key::new(&required("WECHATPAY_API_V3_KEY")?)
            .map_err(|e| ConfigError(e.to_string()))?;
        let prefix = optional("OUT_REQUEST_PREFIX")?.unwrap_or_else(|| format!("PC{now}"));
        let brand = Brand {
            brand_id: required("PC_BRAND_ID")?,
            appid: required("PC_APPID")?,
            openid: required("PC_OPENID")?,
            notify_url: optional("NOTIFY_URL")?,
            send_request_no: optional("SEND_REQUEST_NO")?
                .unwrap_or_else(|| format!("{prefix}-send")),
            prefix,
        };
        let listen = optional("LISTEN")?.unwrap_or_else(|| "127.0.0.1:8080".into());
        Ok((client, key, brand, listen))
    };
    let (client, key, brand, listen) = match setup() {
        Ok(v) => v,
        Err(e) => return config_failure(e),
    };
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(l) => l,
        Err(e) => return config_failure(ConfigError(format!("cannot listen on {listen}: {e}"))),
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    serve(listener, client.notification_handler(key), tx);
    match flow(&client, &brand, now, &mut rx).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => failure(&e),
    }
}
