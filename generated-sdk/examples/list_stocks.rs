//! 条件查询批次列表 (代金券): lists the merchant's coupon stocks and prints them as JSON.
//!
//! ```text
//! WECHATPAY_MCHID=… WECHATPAY_MERCHANT_SERIAL=… WECHATPAY_PRIVATE_KEY=apiclient_key.pem \
//! WECHATPAY_PUBLIC_KEY_ID=PUB_KEY_ID_… WECHATPAY_PUBLIC_KEY=pub_key.pem \
//!   cargo run -p wechatpay-marketing --example list_stocks
//! ```
//!
//! Optional filters: `OFFSET` (default 0), `LIMIT` (default 10), `STOCK_CREATOR_MCHID`
//! (default `WECHATPAY_MCHID`), `CREATE_START_TIME`, `CREATE_END_TIME` (RFC 3339), `STATUS`
//! (`unactivated`, `audit`, `running`, `stoped`, `paused`). See `common/mod.rs` for the
//! connection variables and exit codes.

mod common;

use std::process::ExitCode;

use common::{config_failure, optional, parsed_or, report, Config, ConfigError};
use wechatpay_marketing::favor::ListStocksRequest;

fn request(config: &Config) -> Result<ListStocksRequest, ConfigError> {
    let mut builder = ListStocksRequest::builder()
        .offset(parsed_or("OFFSET", 0i64)?)
        .limit(parsed_or("LIMIT", 10i64)?)
        .stock_creator_mchid(optional("STOCK_CREATOR_MCHID")?.unwrap_or(config.mchid.clone()));
    if let Some(t) = optional("CREATE_START_TIME")? {
        builder = builder.create_start_time(t);
    }
    if let Some(t) = optional("CREATE_END_TIME")? {
        builder = builder.create_end_time(t);
    }
    if let Some(s) = optional("STATUS")? {
        builder = builder.status(s.as_str());
    }
    builder
        .build()
        .map_err(|e| ConfigError(format!("cannot build the request: {e}")))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let (client, request) = match Config::from_env().and_then(|c| Ok((c.client()?, request(&c)?))) {
        Ok(v) => v,
        Err(e) => return config_failure(e),
    };
    report(client.favor().list_stocks(&request).await)
}
