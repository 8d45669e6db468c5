//! A 代金券 campaign end to end: create a stock, activate it (激活), send one coupon to a user
//! (发放), then query that coupon (查询代金券详情). Each step prints one line of JSON.
//!
//! ```text
//! WECHATPAY_MCHID=… WECHATPAY_MERCHANT_SERIAL=… WECHATPAY_PRIVATE_KEY=apiclient_key.pem \
//! WECHATPAY_PUBLIC_KEY_ID=PUB_KEY_ID_… WECHATPAY_PUBLIC_KEY=pub_key.pem \
//! FAVOR_APPID=wx… FAVOR_OPENID=o… cargo run -p wechatpay-marketing --example favor_campaign
//! ```
//!
//! `FAVOR_APPID` is an AppID bound to the merchant and `FAVOR_OPENID` the user's OpenID under
//! it (both required). The stock takes the optional variables of `create_coupon_stock`
//! (`STOCK_NAME`, `COUPON_AMOUNT`, `MAX_COUPONS`, …); `SEND_REQUEST_NO` sets the send's
//! idempotency key [mchid + time]: run again with the same value and WeChat Pay answers with
//! the coupon already sent instead of sending a second one. See `common/mod.rs` for the
//! connection variables and exit codes.

#[allow(dead_code)] // not every helper is used by every example
mod common;
#[path = "common/favor_stock.rs"]
mod favor_stock;

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use common::{config_failure, failure, optional, Config, ConfigError};
use serde_json::json;
use wechatpay_marketing::favor::{QueryCouponRequest, SendCouponRequest, StartStockRequest};
use wechatpay_marketing::{Client, Error};

/// The user and the send's idempotency key, from the environment.
struct Recipient {
    appid: String,
    openid: String,
    send_request_no: String,
}

fn required(name: &str) -> Result<String, ConfigError> {
    optional(name)?.ok_or_else(|| ConfigError(format!("{name} is not set")))
}

async fn campaign(client: &Client, config: &Config, now: i64, to: &Recipient) -> Result<(), Error> {
    let favor = client.favor();
    let request = favor_stock::request(config, now).map_err(|e| Error::Config(e.0))?;
    let stock = favor.create_coupon_stock(&request).await?;
    println!(
        "{}",
        json!({"step": "create_coupon_stock", "stock_id": stock.stock_id})
    );

    let started = favor
        .start_stock(
            &StartStockRequest::builder()
                .stock_id(&stock.stock_id)
                .stock_creator_mchid(&config.mchid)
                .build()?,
        )
        .await?;
    println!(
        "{}",
        json!({"step": "start_stock", "start_time": started.start_time})
    );

    let sent = favor
        .send_coupon(
            &SendCouponRequest::builder()
                .openid(&to.openid)
                .stock_id(&stock.stock_id)
                .out_request_no(&to.send_request_no)
                .appid(&to.appid)
                .stock_creator_mchid(&config.mchid)
                .build()?,
        )
        .await?;
    println!(
        "{}",
        json!({"step": "send_coupon", "coupon_id": sent.coupon_id})
    );

    let coupon = favor
        .query_coupon(
            &QueryCouponRequest::builder()
                .coupon_id(&sent.coupon_id)
                .openid(&to.openid)
                .appid(&to.appid)
                .build()?,
        )
        .await?;
    println!(
        "{}",
        json!({
            "step": "query_coupon",
            "coupon_id": coupon.coupon_id,
            "stock_id": coupon.stock_id,
            "status": coupon.status.as_str(),
        })
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let setup = || -> Result<_, ConfigError> {
        let config = Config::from_env()?;
        let client = config.client()?;
        let to = Recipient {
            appid: required("FAVOR_APPID")?,
            openid: required("FAVOR_OPENID")?,
            send_request_no: optional("SEND_REQUEST_NO")?
                .unwrap_or_else(|| format!("{}{now}", config.mchid)),
        };
        Ok((config, client, to))
    };
    let (config, client, to) = match setup() {
        Ok(v) => v,
        Err(e) => return config_failure(e),
    };
    match campaign(&client, &config, now, &to).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => failure(&e),
    }
}
