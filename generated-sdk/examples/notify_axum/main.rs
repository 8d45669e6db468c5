//! A WeChat Pay callback endpoint on axum: verifies each notification's signature, routes it
//! by `event_type` to its typed payload ([`Event`]), and answers as documented.
//!
//! ```text
//! WECHATPAY_MCHID=… WECHATPAY_MERCHANT_SERIAL=… WECHATPAY_PRIVATE_KEY=apiclient_key.pem \
//! WECHATPAY_PUBLIC_KEY_ID=PUB_KEY_ID_… WECHATPAY_PUBLIC_KEY=pub_key.pem \
//! WECHATPAY_API_V3_KEY=… LISTEN=127.0.0.1:8080 \
//!   cargo run -p wechatpay-marketing --example notify_axum
//! ```
//!
//! Put it behind your HTTPS front end at the notify_url you registered (商家券: `set_callback`).

mod app;
#[path = "../common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::process::ExitCode;

use common::{config_failure, optional, Config, ConfigError};
use wechatpay_marketing::{ApiV3Key, Event};

/// What this example does with each verified event: print it. Replace with your handling
/// (idempotently: the same notification id may arrive several times).
fn process(event: &Event) -> Result<(), String> {
    match event {
        Event::BusifavorCouponSend(n) => {
            println!(
                "coupon {} of stock {} sent",
                n.payload.coupon_code, n.payload.stock_id
            );
        }
        other => println!("{} {} (not handled here)", other.event_type(), other.id()),
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let setup = || -> Result<_, ConfigError> {
        let client = Config::from_env()?.client()?;
        let key = optional("WECHATPAY_API_V3_KEY")?
            .ok_or_else(|| ConfigError("WECHATPAY_API_V3_KEY is not set".into()))?;
        let key = ApiV3Key::new(&key).map_err(|e| ConfigError(e.to_string()))?;
        let listen = optional("LISTEN")?.unwrap_or_else(|| "127.0.0.1:8080".into());
        Ok((client.notification_handler(key), listen))
    };
    let (handler, listen) = match setup() {
        Ok(s) => s,
        Err(e) => return config_failure(e),
    };
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("listening on http://{listen}{}", app::NOTIFY_PATH);
    match axum::serve(listener, app::app(handler, process)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server failed: {e}");
            ExitCode::FAILURE
        }
    }
}
