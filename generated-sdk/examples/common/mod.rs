//! Shared set-up of the examples: the client comes from environment variables only.
//!
//! | Variable                    | Meaning                                                     |
//! |-----------------------------|-------------------------------------------------------------|
//! | `WECHATPAY_BASE_URL`        | API origin (default `https://api.mch.weixin.qq.com`)        |
//! | `WECHATPAY_MCHID`           | merchant id (商户号)                                         |
//! | `WECHATPAY_MERCHANT_SERIAL` | serial number of the merchant API certificate               |
//! | `WECHATPAY_PRIVATE_KEY`     | path of the merchant private key PEM (`apiclient_key.pem`)  |
//! | `WECHATPAY_PUBLIC_KEY_ID`   | WeChat Pay public key id (`PUB_KEY_ID_…`)                   |
//! | `WECHATPAY_PUBLIC_KEY`      | path of the WeChat Pay public key PEM                       |
//!
//! Exit status: 0 on success, 1 when the call fails (the error is printed on stderr),
//! 2 when the configuration is missing or unusable.

use std::process::ExitCode;
use std::str::FromStr;

use wechatpay_marketing::{Client, Error};

/// The production API origin.
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";

/// Exit status for a missing or unusable configuration.
pub const EXIT_CONFIG: u8 = 2;

/// A configuration problem: printed on stderr, the example exits with status 2.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl From<String> for ConfigError {
    fn from(message: String) -> Self {
        ConfigError(message)
    }
}

/// The merchant's configuration, read from the environment.
#[derive(Debug)]
pub struct Config {
    /// API origin.
    pub base_url: String,
    /// Merchant id.
    pub mchid: String,
    /// Merchant certificate serial.
    pub merchant_serial: String,
    /// Merchant private key (PEM text).
    pub private_key_pem: String,
    /// WeChat Pay public key id.
    pub public_key_id: String,
    /// WeChat Pay public key (PEM text).
    pub public_key_pem: String,
}

impl Config {
    /// Reads every variable; reports all missing ones at once.
    pub fn from_env() -> Result<Config, ConfigError> {
        let required = [
            ("WECHATPAY_MCHID", "the merchant id (商户号)"),
            (
                "WECHATPAY_MERCHANT_SERIAL",
                "the merchant API certificate serial number",
            ),
            (
                "WECHATPAY_PRIVATE_KEY",
                "the path of the merchant private key PEM",
            ),
            (
                "WECHATPAY_PUBLIC_KEY_ID",
                "the WeChat Pay public key id (PUB_KEY_ID_…)",
            ),
            (
                "WECHATPAY_PUBLIC_KEY",
                "the path of the WeChat Pay public key PEM",
            ),
        ];
        let mut values = Vec::new();
        let mut missing = Vec::new();
        for (name, what) in required {
            match optional(name)? {
                Some(v) => values.push(v),
                None => missing.push(format!("  {name}: {what}")),
            }
        }
        if !missing.is_empty() {
            return Err(ConfigError(format!(
                "missing environment variable(s):\n{}",
                missing.join("\n")
            )));
        }
        let [mchid, merchant_serial, private_key_path, public_key_id, public_key_path] =
            <[String; 5]>::try_from(values)
                .map_err(|_| ConfigError("internal error reading the environment".into()))?;
        Ok(Config {
            base_url: optional("WECHATPAY_BASE_URL")?.unwrap_or_else(|| DEFAULT_BASE_URL.into()),
            mchid,
            merchant_serial,
            private_key_pem: read_pem("WECHATPAY_PRIVATE_KEY", &private_key_path)?,
            public_key_id,
            public_key_pem: read_pem("WECHATPAY_PUBLIC_KEY", &public_key_path)?,
        })
    }

    /// A client for this configuration.
    pub fn client(&self) -> Result<Client, ConfigError> {
        Client::builder()
            .base_url(&self.base_url)
            .mchid(&self.mchid)
            .merchant_serial(&self.merchant_serial)
            .merchant_private_key_pem(&self.private_key_pem)
            .wechatpay_public_key(&self.public_key_id, &self.public_key_pem)
            .build()
            .map_err(|e| ConfigError(format!("cannot configure the client: {e}")))
    }
}

fn read_pem(var: &str, path: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("{var}: cannot read {path:?}: {e}")))
}

/// The value of `name`, or `None` when unset or empty.
pub fn optional(name: &str) -> Result<Option<String>, ConfigError> {
    match std::env::var(name) {
        Ok(v) if v.is_empty() => Ok(None),
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(ConfigError(format!("{name} is not valid UTF-8")))
        }
    }
}

/// The value of `name` parsed as `T`, or `default` when unset.
pub fn parsed_or<T>(name: &str, default: T) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    match optional(name)? {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|e| ConfigError(format!("{name}={v:?} is not valid: {e}"))),
    }
}

/// Prints a configuration problem and returns exit status 2.
pub fn config_failure(e: ConfigError) -> ExitCode {
    eprintln!("configuration error: {}", e.0);
    ExitCode::from(EXIT_CONFIG)
}

/// Prints the typed response as pretty JSON (exit 0), or the error on stderr (exit 1).
pub fn report<T: serde::Serialize>(result: Result<T, Error>) -> ExitCode {
    let value = match result {
        Ok(v) => v,
        Err(e) => return failure(&e),
    };
    match serde_json::to_string_pretty(&value) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot print the response as JSON: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints a failed call on stderr, with the documented rows (解决方案) of an API error, and
/// returns exit status 1.
pub fn failure(e: &Error) -> ExitCode {
    eprintln!("error: {e}");
    if let Some(api) = e.api() {
        for row in &api.documented {
            eprintln!("  documented: {} — {}", row.description, row.solution);
        }
    }
    ExitCode::FAILURE
}
