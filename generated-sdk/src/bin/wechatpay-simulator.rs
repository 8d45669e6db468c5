//! `wechatpay-simulator`: the WeChat Pay simulator of `wechatpay_marketing::testing` as a
//! process, for integration tests in any language. Prints its address when ready.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use wechatpay_marketing::testing::Simulator;

const USAGE: &str = "usage: wechatpay-simulator [options]

Answers every WeChat Pay marketing operation of wechatpay-marketing (代金券, 商家券, 商品券) on
one address: verifies request signatures with the merchant public key, signs answers and
notifications with the platform key, keeps stocks and coupons, sends notifications.

  --listen ADDR                 address to listen on (default 127.0.0.1:8080)
  --mchid ID                    merchant id requests are signed for
  --merchant-serial SERIAL      merchant API certificate serial requests name
  --merchant-public-key FILE    merchant public key (or apiclient_cert.pem) PEM
  --public-key-id ID            WeChat Pay public key id answers are signed under (PUB_KEY_ID_…)
  --platform-private-key FILE   private key answers and notifications are signed with (PEM)
  --apiv3-key KEY               32-byte APIv3 key notifications are encrypted with
  --test-keys                   use the built-in test keys and ids for whatever is not given
  --autocreate                  answer calls about unknown ids as if they existed
  --callback-rewrite FROM=TO    deliver notifications for URLs starting with FROM to TO instead
                                (repeatable), e.g. https://merchant.example.com=http://127.0.0.1:9000
  --allow-external-callbacks    allow notifications to non-loopback hosts
  --notify-attempts N           delivery attempts per notification (default 5)

Control endpoint (unsigned JSON): GET /simulator/health, /simulator/operations,
/simulator/ledger, /simulator/deliveries, /simulator/entities/KIND; POST /simulator/faults
(e.g. {\"operation\":\"favor.send_coupon\",\"times\":1,\"fault\":{\"error\":{\"status\":500}}}),
DELETE /simulator/faults, POST /simulator/actions/favor.redeem_coupon {\"coupon_id\":\"…\"},
POST /simulator/actions/busifavor.claim_coupon {\"stock_id\":\"…\",\"openid\":\"…\"},
POST /simulator/reset.";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(e)) => {
            eprintln!("wechatpay-simulator: {e}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Runtime(e)) => {
            eprintln!("wechatpay-simulator: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A bad command line (usage is printed) or a failure to start.
enum Failure {
    Usage(String),
    Runtime(String),
}

impl From<String> for Failure {
    fn from(e: String) -> Self {
        Failure::Usage(e)
    }
}

fn run() -> Result<(), Failure> {
    let mut builder = Simulator::builder().listen(SocketAddr::from(([127, 0, 0, 1], 8080)));
    let mut test_keys = false;
    let (mut mchid, mut serial, mut merchant_key, mut key_id, mut platform_key, mut api_key) =
        (None, None, None, None, None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            "--listen" => {
                let v = value("--listen")?;
                let addr: SocketAddr = v
                    .parse()
                    .map_err(|_| format!("--listen {v}: not an address"))?;
                builder = builder.listen(addr);
            }
            "--mchid" => mchid = Some(value("--mchid")?),
            "--merchant-serial" => serial = Some(value("--merchant-serial")?),
            "--merchant-public-key" => merchant_key = Some(read(&value("--merchant-public-key")?)?),
            "--public-key-id" => key_id = Some(value("--public-key-id")?),
            "--platform-private-key" => {
                platform_key = Some(read(&value("--platform-private-key")?)?)
            }
            "--apiv3-key" => api_key = Some(value("--apiv3-key")?),
            "--test-keys" => test_keys = true,
            "--autocreate" => builder = builder.autocreate(true),
            "--allow-external-callbacks" => builder = builder.allow_external_callbacks(true),
            "--callback-rewrite" => {
                let v = value("--callback-rewrite")?;
                let (from, to) = v
                    .split_once('=')
                    .ok_or(format!("--callback-rewrite {v}: expected FROM=TO"))?;
                builder = builder.callback_rewrite(from, to);
            }
            "--notify-attempts" => {
                let v = value("--notify-attempts")?;
                let n: u32 = v
                    .parse()
                    .map_err(|_| format!("--notify-attempts {v}: not a number"))?;
                builder = builder.notification_retries(n, Duration::from_secs(1));
            }
            other => return Err(Failure::Usage(format!("unexpected argument {other}"))),
        }
    }
    let mut missing = Vec::new();
    let mut need = |name: &'static str, present: bool| {
        if !present && !test_keys {
            missing.push(name);
        }
    };
    need("--mchid", mchid.is_some());
    need("--merchant-serial", serial.is_some());
    need("--merchant-public-key", merchant_key.is_some());
    need("--public-key-id", key_id.is_some());
    need("--platform-private-key", platform_key.is_some());
    need("--apiv3-key", api_key.is_some());
    if !missing.is_empty() {
        return Err(Failure::Usage(format!(
            "missing {} (or pass --test-keys to use the built-in test keys)",
            missing.join(", ")
        )));
    }
    if let Some(v) = mchid {
        builder = builder.mchid(v);
    }
    if let Some(v) = serial {
        builder = builder.merchant_serial(v);
    }
    if let Some(v) = merchant_key {
        builder = builder.merchant_public_key_pem(v);
    }
    if let Some(v) = key_id {
        builder = builder.public_key_id(v);
    }
    if let Some(v) = platform_key {
        builder = builder.platform_private_key_pem(v);
    }
    if let Some(v) = api_key {
        builder = builder.api_v3_key(v);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Runtime(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let sim = builder.start().await.map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidInput => Failure::Usage(e.to_string()),
            _ => Failure::Runtime(e.to_string()),
        })?;
        println!(
            "wechatpay-simulator listening on {} ({} operations; control endpoint {}/simulator/health)",
            sim.base_url(),
            sim.operations().len(),
            sim.base_url()
        );
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        std::future::pending::<()>().await;
        Ok(())
    })
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}
