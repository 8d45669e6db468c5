//! Runs the crate's example programs (`generated-sdk/examples/`) as real processes against
//! `MockWeChatPay` on 127.0.0.1: configured only through their environment variables, they
//! must print the typed response as JSON and exit 0, or print the error on stderr and exit
//! non-zero (2 for a missing configuration).
//!
//! The examples are built once per run by `cargo build --example …` (cached in the shared
//! target dir afterwards) and their executables are then run directly.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use integration_tests::{MockWeChatPay, MCHID, MERCHANT_SERIAL, PUBLIC_KEY_ID};
use serde_json::Value;
use wechatpay_marketing::favor::{CreateCouponStockResponse, StockCollection};
use wechatpay_marketing::runtime::validation::parse_rfc3339;
use wechatpay_marketing::testing::{test_keys, Simulator};

const LIST_STOCKS_YAML: &str = include_str!("../../spec/favor/list_stocks.yaml");

/// The examples under test.
const EXAMPLES: [&str; 4] = [
    "list_stocks",
    "create_coupon_stock",
    "favor_campaign",
    "product_coupon_flow",
];

/// Every variable the examples read; cleared first so the caller's environment cannot leak in.
const EXAMPLE_VARS: &[&str] = &[
    "WECHATPAY_BASE_URL",
    "WECHATPAY_MCHID",
    "WECHATPAY_MERCHANT_SERIAL",
    "WECHATPAY_PRIVATE_KEY",
    "WECHATPAY_PUBLIC_KEY_ID",
    "WECHATPAY_PUBLIC_KEY",
    "OFFSET",
    "LIMIT",
    "STOCK_CREATOR_MCHID",
    "CREATE_START_TIME",
    "CREATE_END_TIME",
    "STATUS",
    "STOCK_NAME",
    "STOCK_COMMENT",
    "BELONG_MERCHANT",
    "AVAILABLE_MERCHANTS",
    "COUPON_AMOUNT",
    "TRANSACTION_MINIMUM",
    "MAX_COUPONS",
    "MAX_AMOUNT",
    "MAX_COUPONS_PER_USER",
    "NO_CASH",
    "AVAILABLE_DAYS",
    "OUT_REQUEST_NO",
    "FAVOR_APPID",
    "FAVOR_OPENID",
    "SEND_REQUEST_NO",
    "WECHATPAY_API_V3_KEY",
    "PC_BRAND_ID",
    "PC_APPID",
    "PC_OPENID",
    "NOTIFY_URL",
    "LISTEN",
];

/// Proxy variables reqwest honours: loopback test traffic must never see a proxy.
const PROXY_VARS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/keys")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// The full configuration for `server`.
fn config_for(server: &MockWeChatPay) -> Vec<(&'static str, String)> {
    vec![
        ("WECHATPAY_BASE_URL", server.base_url()),
        ("WECHATPAY_MCHID", MCHID.to_owned()),
        ("WECHATPAY_MERCHANT_SERIAL", MERCHANT_SERIAL.to_owned()),
        ("WECHATPAY_PRIVATE_KEY", fixture("merchant_private.pem")),
        ("WECHATPAY_PUBLIC_KEY_ID", PUBLIC_KEY_ID.to_owned()),
        ("WECHATPAY_PUBLIC_KEY", fixture("platform_public.pem")),
    ]
}

/// The example programs, built once per test run with `cargo build --message-format=json`
/// (one cargo invocation, not one per test: the target dir lock is shared with every other
/// build), by name. `integration-tests` is selected too so that dependency features unify
/// as for this test binary and the already-built dependencies are reused.
fn example_binaries() -> &'static Result<HashMap<String, PathBuf>, String> {
    static BINARIES: OnceLock<Result<HashMap<String, PathBuf>, String>> = OnceLock::new();
    BINARIES.get_or_init(|| {
        let mut cmd = Command::new(env!("CARGO"));
        // The test binary runs with this package's CARGO_PKG_*/CARGO_MANIFEST_* variables set;
        // build scripts that track them (rerun-if-env-changed) would see them change between
        // the outer `cargo test` and this nested build, and both would rebuild every time.
        for (key, _) in std::env::vars_os() {
            let Some(key) = key.to_str() else { continue };
            if key.starts_with("CARGO_PKG_")
                || key.starts_with("CARGO_MANIFEST_")
                || matches!(
                    key,
                    "CARGO_CRATE_NAME"
                        | "CARGO_BIN_NAME"
                        | "CARGO_PRIMARY_PACKAGE"
                        | "CARGO_TARGET_TMPDIR"
                        | "CARGO_RUSTC_CURRENT_DIR"
                )
            {
                cmd.env_remove(key);
            }
        }
        cmd.args(["build", "--message-format=json"]);
        cmd.args(["-p", "integration-tests", "-p", "wechatpay-marketing"]);
        for name in EXAMPLES {
            cmd.args(["--example", name]);
        }
        let out = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cargo build failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let mut found = HashMap::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Ok(msg) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let is_example = msg["target"]["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "example"));
            if let (true, Some(name), Some(exe)) = (
                msg["reason"] == "compiler-artifact" && is_example,
                msg["target"]["name"].as_str(),
                msg["executable"].as_str(),
            ) {
                found.insert(name.to_owned(), PathBuf::from(exe));
            }
        }
        Ok(found)
    })
}

/// Runs example `name` with exactly `env` (plus the inherited environment minus every
/// variable the examples read). The blocking wait runs off the runtime thread so the mock
/// server keeps answering.
async fn run_example(name: &'static str, env: Vec<(&'static str, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        let binaries = example_binaries().as_ref().expect("examples build");
        let exe = binaries.get(name).expect("example was built");
        let mut cmd = Command::new(exe);
        for var in EXAMPLE_VARS.iter().chain(PROXY_VARS) {
            cmd.env_remove(var);
        }
        cmd.env("NO_PROXY", "127.0.0.1,localhost")
            .env("no_proxy", "127.0.0.1,localhost")
            .envs(env)
            .output()
            .expect("example runs")
    })
    .await
    .expect("join")
}

fn stdout(out: &Output) -> &str {
    std::str::from_utf8(&out.stdout).expect("UTF-8 stdout")
}

fn stderr(out: &Output) -> &str {
    std::str::from_utf8(&out.stderr).expect("UTF-8 stderr")
}

/// The `body: |` block of the response example in `spec/favor/list_stocks.yaml`.
fn list_stocks_response_example() -> String {
    let mut lines = LIST_STOCKS_YAML
        .lines()
        .skip_while(|l| l.trim() != "- kind: response")
        .skip_while(|l| l.trim() != "body: |");
    let key = lines.next().expect("a response body in the spec");
    let outer = key.len() - key.trim_start().len();
    lines
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > outer)
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn list_stocks_example_prints_the_typed_response() {
    let server = MockWeChatPay::start().await.expect("mock server");
    let body = list_stocks_response_example();
    let pq = "/v3/marketing/favor/stocks?offset=0&limit=10&stock_creator_mchid=1900009191";
    server.stub("GET", pq, 200, &body);

    let out = run_example("list_stocks", config_for(&server)).await;
    assert!(out.status.success(), "{:?}\n{}", out.status, stderr(&out));
    let printed: StockCollection = serde_json::from_str(stdout(&out)).expect("JSON on stdout");
    let stub: StockCollection = serde_json::from_str(&body).expect("stub is typed");
    assert_eq!(printed, stub);
    assert_eq!(
        serde_json::from_str::<Value>(stdout(&out)).expect("JSON"),
        serde_json::from_str::<Value>(&body).expect("JSON"),
        "nothing lost between the wire and stdout"
    );

    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].auth, Ok(()), "the example's request verified");
    assert_eq!(received[0].path_and_query, pq);
}

#[tokio::test]
async fn list_stocks_example_passes_filters_from_the_environment() {
    let server = MockWeChatPay::start().await.expect("mock server");
    let body = list_stocks_response_example();
    let pq = "/v3/marketing/favor/stocks?offset=1&limit=8&stock_creator_mchid=9856888\
              &create_start_time=2015-05-20T13%3A29%3A35.120%2B08%3A00&status=paused";
    server.stub("GET", pq, 200, &body);
    let mut env = config_for(&server);
    env.extend([
        ("OFFSET", "1".to_owned()),
        ("LIMIT", "8".to_owned()),
        ("STOCK_CREATOR_MCHID", "9856888".to_owned()),
        (
            "CREATE_START_TIME",
            "2015-05-20T13:29:35.120+08:00".to_owned(),
        ),
        ("STATUS", "paused".to_owned()),
    ]);

    let out = run_example("list_stocks", env).await;
    assert!(out.status.success(), "{:?}\n{}", out.status, stderr(&out));
    assert_eq!(server.received()[0].path_and_query, pq);
}

#[tokio::test]
async fn list_stocks_example_reports_an_api_error_on_stderr() {
    let server = MockWeChatPay::start().await.expect("mock server");
    server.stub(
        "GET",
        "/v3/marketing/favor/stocks?offset=0&limit=10&stock_creator_mchid=1900009191",
        400,
        r#"{"code":"PARAM_ERROR","message":"页大小超过阈值"}"#,
    );

    let out = run_example("list_stocks", config_for(&server)).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).is_empty(),
        "nothing on stdout: {}",
        stdout(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("favor.list_stocks failed: HTTP 400 PARAM_ERROR: 页大小超过阈值"),
        "{err}"
    );
    assert!(
        err.contains("请不要超过最大的页大小"),
        "documented solution: {err}"
    );
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn list_stocks_example_reports_a_validation_error_without_sending() {
    let server = MockWeChatPay::start().await.expect("mock server");
    let mut env = config_for(&server);
    env.push(("LIMIT", "11".to_owned()));

    let out = run_example("list_stocks", env).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("limit: 11, at most 10 (【分页大小】)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server.received().len(), 0);
}

#[tokio::test]
async fn example_without_configuration_exits_2() {
    let server = MockWeChatPay::start().await.expect("mock server");
    let env: Vec<_> = config_for(&server)
        .into_iter()
        .filter(|(k, _)| *k != "WECHATPAY_MCHID" && *k != "WECHATPAY_PUBLIC_KEY")
        .collect();

    let out = run_example("list_stocks", env).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("WECHATPAY_MCHID"), "{err}");
    assert!(err.contains("WECHATPAY_PUBLIC_KEY:"), "{err}");
    assert!(
        !err.contains("WECHATPAY_MERCHANT_SERIAL"),
        "only the missing ones: {err}"
    );
    assert!(stdout(&out).is_empty());
    assert_eq!(server.received().len(), 0);
}

#[tokio::test]
async fn create_coupon_stock_example_creates_a_stock_starting_tomorrow() {
    let server = MockWeChatPay::start().await.expect("mock server");
    let response = r#"{"stock_id":"9856000","create_time":"2015-05-20T13:29:35.120+08:00"}"#;
    server.stub("POST", "/v3/marketing/favor/coupon-stocks", 200, response);
    let mut env = config_for(&server);
    env.extend([
        ("STOCK_NAME", "国庆满减券".to_owned()),
        ("COUPON_AMOUNT", "500".to_owned()),
        ("TRANSACTION_MINIMUM", "1000".to_owned()),
        ("OUT_REQUEST_NO", "1900009191202510010001".to_owned()),
    ]);

    let out = run_example("create_coupon_stock", env).await;
    assert!(out.status.success(), "{:?}\n{}", out.status, stderr(&out));
    let printed: CreateCouponStockResponse =
        serde_json::from_str(stdout(&out)).expect("JSON on stdout");
    assert_eq!(
        printed,
        serde_json::from_str::<CreateCouponStockResponse>(response).expect("stub is typed")
    );

    let received = server.received();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.auth, Ok(()));
    let sent: Value = serde_json::from_slice(&r.body).expect("JSON body");
    assert_eq!(sent["stock_name"], "国庆满减券");
    assert_eq!(sent["belong_merchant"], MCHID);
    assert_eq!(sent["out_request_no"], "1900009191202510010001");
    assert_eq!(sent["stock_type"], "NORMAL");
    assert_eq!(
        sent["coupon_use_rule"]["fixed_normal_coupon"],
        serde_json::json!({"coupon_amount": 500, "transaction_minimum": 1000})
    );
    assert_eq!(
        sent["coupon_use_rule"]["available_merchants"],
        serde_json::json!([MCHID])
    );
    assert_eq!(
        sent["stock_use_rule"]["max_amount"], 5000,
        "10 coupons × 500 分"
    );
    let time = |k: &str| parse_rfc3339(sent[k].as_str().expect(k)).expect("RFC 3339");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let begin = time("available_begin_time");
    assert!(
        (begin - now - 86_400).abs() < 600,
        "begins one day from now: {}",
        sent["available_begin_time"]
    );
    assert!(sent["available_begin_time"]
        .as_str()
        .is_some_and(|t| t.ends_with("+08:00")));
    assert_eq!(time("available_end_time") - begin, 30 * 86_400 - 1);
}

#[tokio::test]
async fn create_coupon_stock_example_reports_an_api_error_on_stderr() {
    let server = MockWeChatPay::start().await.expect("mock server");
    server.stub(
        "POST",
        "/v3/marketing/favor/coupon-stocks",
        403,
        r#"{"code":"NOT_ENOUGH","message":"批次预算不足"}"#,
    );

    let out = run_example("create_coupon_stock", config_for(&server)).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out)
            .contains("favor.create_coupon_stock failed: HTTP 403 NOT_ENOUGH: 批次预算不足"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server.received()[0].auth, Ok(()));
}

/// The simulator's keys written to files, and the configuration that points an example at it.
fn config_for_simulator(sim: &Simulator, name: &str) -> Vec<(&'static str, String)> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("examples-{name}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let private = dir.join("merchant_private.pem");
    let public = dir.join("platform_public.pem");
    std::fs::write(&private, test_keys::MERCHANT_PRIVATE_KEY_PEM).expect("key file");
    std::fs::write(&public, sim.platform_public_key_pem()).expect("key file");
    vec![
        ("WECHATPAY_BASE_URL", sim.base_url().to_owned()),
        ("WECHATPAY_MCHID", test_keys::MCHID.to_owned()),
        (
            "WECHATPAY_MERCHANT_SERIAL",
            test_keys::MERCHANT_SERIAL.to_owned(),
        ),
        (
            "WECHATPAY_PRIVATE_KEY",
            private.to_string_lossy().into_owned(),
        ),
        (
            "WECHATPAY_PUBLIC_KEY_ID",
            test_keys::PUBLIC_KEY_ID.to_owned(),
        ),
        (
            "WECHATPAY_PUBLIC_KEY",
            public.to_string_lossy().into_owned(),
        ),
    ]
}

/// The JSON lines an example printed, by their `step`.
fn steps(out: &Output) -> HashMap<String, Value> {
    stdout(out)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| Some((v["step"].as_str()?.to_owned(), v)))
        .collect()
}

#[tokio::test]
async fn favor_campaign_example_creates_starts_sends_and_queries_against_the_simulator() {
    let sim = Simulator::start().await.expect("simulator starts");
    let mut env = config_for_simulator(&sim, "favor_campaign");
    env.push(("FAVOR_APPID", "wx233544546545989".to_owned()));
    env.push(("FAVOR_OPENID", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".to_owned()));
    env.push(("SEND_REQUEST_NO", "CAMPAIGN-SEND-0001".to_owned()));
    let out = run_example("favor_campaign", env).await;
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let steps = steps(&out);
    let stock_id = steps["create_coupon_stock"]["stock_id"]
        .as_str()
        .expect("stock id");
    assert!(steps["start_stock"]["start_time"].is_string());
    let coupon_id = steps["send_coupon"]["coupon_id"]
        .as_str()
        .expect("coupon id");
    let query = &steps["query_coupon"];
    assert_eq!(query["coupon_id"], coupon_id);
    assert_eq!(query["stock_id"], stock_id);
    assert_eq!(query["status"], "SENDED");
    // One effect per step on the simulator's ledger.
    assert_eq!(sim.effects("favor.send_coupon", "CAMPAIGN-SEND-0001"), 1);
}

#[tokio::test]
async fn product_coupon_flow_example_confirms_the_sent_coupon_after_its_notification() {
    // The example listens here; the simulator delivers the notification for the registered
    // https URL to it.
    let listen = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        probe.local_addr().expect("addr")
    };
    let sim = Simulator::builder()
        .callback_rewrite("https://brand.example.com", format!("http://{listen}"))
        .start()
        .await
        .expect("simulator starts");
    let mut env = config_for_simulator(&sim, "product_coupon_flow");
    env.push(("WECHATPAY_API_V3_KEY", sim.api_v3_key().to_owned()));
    env.push(("PC_BRAND_ID", "120344".to_owned()));
    env.push(("PC_APPID", "wx233544546545989".to_owned()));
    env.push(("PC_OPENID", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".to_owned()));
    env.push((
        "NOTIFY_URL",
        "https://brand.example.com/wxpay/product-coupon".to_owned(),
    ));
    env.push(("LISTEN", listen.to_string()));
    let out = run_example("product_coupon_flow", env).await;
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let steps = steps(&out);
    assert_eq!(steps["send_user_coupon"]["coupon_state"], "CONFIRMING");
    let code = steps["send_user_coupon"]["coupon_code"].clone();
    assert_eq!(steps["notification"]["coupon_code"], code);
    assert_eq!(steps["confirm_user_coupon"]["coupon_code"], code);
    assert_eq!(steps["confirm_user_coupon"]["coupon_state"], "EFFECTIVE");
}
