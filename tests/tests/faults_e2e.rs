//! Retries and failover against a fault-injecting WeChat Pay on 127.0.0.1: 5xx, 429, a
//! connection dropped after the request was committed, answers slower than the timeout, and
//! a main host refusing connections while the backup host is up. 1,000 calls mix operations
//! that are safe to repeat (a GET, a POST with an idempotency key) with one that is not; the
//! server's ledger records each side effect by its key.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use integration_tests::{test_client_builder, MockWeChatPay, ReceivedRequest, Reply};
use serde_json::{json, Value};
use wechatpay_marketing::runtime::operation::{ApiRequest, OperationMeta};
use wechatpay_marketing::{Client, Error, ErrorRow, RetryPolicy};

static ERRORS: [ErrorRow; 1] = [ErrorRow {
    status: 500,
    code: "SYSTEM_ERROR",
    description: "系统错误",
    solution: "请使用相同参数稍后重新调用",
}];

/// Safe: a GET.
static QUERY: OperationMeta = OperationMeta {
    id: "test.query",
    method: "GET",
    path: "/v3/test/items/{id}",
    errors: &ERRORS,
    safe_to_retry: true,
};

/// Safe: a POST carrying the idempotency key `out_request_no`.
static SEND: OperationMeta = OperationMeta {
    id: "test.send",
    method: "POST",
    path: "/v3/test/sends",
    errors: &ERRORS,
    safe_to_retry: true,
};

/// Not safe: a POST without an idempotency key.
static PAUSE: OperationMeta = OperationMeta {
    id: "test.pause",
    method: "POST",
    path: "/v3/test/pauses",
    errors: &ERRORS,
    safe_to_retry: false,
};

#[derive(Default)]
struct Ledger {
    /// Side effects by idempotency key (`out_request_no`) or, for the unsafe operation,
    /// by call id.
    effects: HashMap<String, u32>,
    /// Attempts that reached the faulty host, by call.
    attempts: HashMap<String, u32>,
    /// Every Authorization nonce seen.
    nonces: Vec<String>,
    /// Every body seen, by call.
    bodies: HashMap<String, HashSet<Vec<u8>>>,
}

fn call_key(r: &ReceivedRequest) -> String {
    if r.method == "GET" {
        return r.path_and_query.rsplit('/').next().unwrap_or("").to_owned();
    }
    let body: Value = serde_json::from_slice(&r.body).unwrap_or_default();
    body["out_request_no"]
        .as_str()
        .or(body["call_id"].as_str())
        .unwrap_or("")
        .to_owned()
}

/// Commits the call's side effect (idempotently for `out_request_no`) and answers.
fn commit(ledger: &mut Ledger, r: &ReceivedRequest, key: &str) -> Reply {
    match r.path_and_query.as_str() {
        "/v3/test/sends" => {
            ledger.effects.entry(key.to_owned()).or_insert(1);
        }
        "/v3/test/pauses" => *ledger.effects.entry(key.to_owned()).or_insert(0) += 1,
        _ => {}
    }
    Reply::json(200, json!({ "key": key }).to_string())
}

fn record(ledger: &mut Ledger, r: &ReceivedRequest, key: &str) {
    assert_eq!(r.auth, Ok(()), "every attempt is signed");
    ledger.nonces.push(r.nonce.clone());
    ledger
        .bodies
        .entry(key.to_owned())
        .or_default()
        .insert(r.body.clone());
}

/// The faulty host: the call number inside the key picks the fault of its first attempts.
fn faulty(ledger: &Arc<Mutex<Ledger>>) -> impl Fn(&ReceivedRequest) -> Option<Reply> {
    let ledger = Arc::clone(ledger);
    move |r| {
        let key = call_key(r);
        let mut l = ledger.lock().expect("ledger");
        record(&mut l, r, &key);
        let attempt = {
            let n = l.attempts.entry(key.clone()).or_insert(0);
            *n += 1;
            *n
        };
        let call: u32 = key
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .parse()
            .unwrap_or(0);
        let fault = match (call % 8, attempt) {
            (0, 1) | (4, 2) => Some(Reply::json(
                500,
                r#"{"code":"SYSTEM_ERROR","message":"系统错误"}"#,
            )),
            (1, 1) => Some(
                Reply::json(429, r#"{"code":"FREQUENCY_LIMITED","message":"频率超限"}"#)
                    .header("Retry-After", "0"),
            ),
            (4, 1) => Some(Reply::unsigned(503, "<html>upstream unavailable</html>")),
            (2, 1) => {
                commit(&mut l, r, &key);
                Some(Reply::drop_connection())
            }
            (3, 1) => Some(commit(&mut l, r, &key).after(Duration::from_millis(800))),
            _ => None,
        };
        Some(fault.unwrap_or_else(|| commit(&mut l, r, &key)))
    }
}

/// The backup host: healthy, same ledger.
fn healthy(ledger: &Arc<Mutex<Ledger>>) -> impl Fn(&ReceivedRequest) -> Option<Reply> {
    let ledger = Arc::clone(ledger);
    move |r| {
        let key = call_key(r);
        let mut l = ledger.lock().expect("ledger");
        record(&mut l, r, &key);
        Some(commit(&mut l, r, &key))
    }
}

fn request(op: &'static OperationMeta, key: &str) -> ApiRequest {
    let (path_and_query, body) = match op.method {
        "GET" => (format!("/v3/test/items/{key}"), None),
        _ if op.safe_to_retry => (
            op.path.to_owned(),
            Some(json!({"out_request_no": key, "stock_id": "9856000"})),
        ),
        _ => (op.path.to_owned(), Some(json!({"call_id": key}))),
    };
    ApiRequest {
        operation: op,
        path_and_query,
        body: body.map(|b| serde_json::to_vec(&b).expect("JSON")),
        multipart: None,
    }
}

fn policy() -> RetryPolicy {
    let mut p = RetryPolicy::default();
    p.max_attempts = 4;
    p.initial_backoff = Duration::from_millis(1);
    p.max_backoff = Duration::from_millis(4);
    p.deadline = Duration::from_secs(10);
    p
}

/// Runs `calls` (operation, key) with 32 in flight; returns each call's result.
async fn run(
    client: &Client,
    calls: Vec<(&'static OperationMeta, String)>,
) -> Vec<(&'static OperationMeta, String, Result<Value, Error>)> {
    let limit = Arc::new(tokio::sync::Semaphore::new(32));
    let mut tasks = tokio::task::JoinSet::new();
    for (op, key) in calls {
        let client = client.clone();
        let limit = Arc::clone(&limit);
        tasks.spawn(async move {
            let _permit = limit.acquire().await.expect("semaphore");
            let result = client.execute::<Value>(request(op, &key)).await;
            (op, key, result)
        });
    }
    let mut out = Vec::new();
    while let Some(r) = tasks.join_next().await {
        out.push(r.expect("task"));
    }
    out
}

fn mix(prefix: &str, range: std::ops::Range<u32>) -> Vec<(&'static OperationMeta, String)> {
    range
        .map(|i| {
            let op = match i % 3 {
                0 => &QUERY,
                1 => &SEND,
                _ => &PAUSE,
            };
            (op, format!("{prefix}{i}"))
        })
        .collect()
}

#[tokio::test]
async fn a_thousand_calls_through_faults_and_failover() {
    let ledger: Arc<Mutex<Ledger>> = Arc::default();
    let main = MockWeChatPay::start().await.expect("main");
    let backup = MockWeChatPay::start().await.expect("backup");
    main.set_handler(faulty(&ledger));
    backup.set_handler(healthy(&ledger));
    let client = test_client_builder(&main)
        .backup_url(Some(backup.base_url()))
        .timeout(Duration::from_millis(250))
        .retry(policy())
        .build()
        .expect("client");
    assert_eq!(client.hosts(), [main.base_url(), backup.base_url()]);

    // 800 calls while the main host misbehaves.
    let mut results = run(&client, mix("K", 0..800)).await;

    // 200 calls while the main host refuses connections and the backup is up.
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let failover_client = test_client_builder(&main)
        .base_url(format!("http://{refused}"))
        .backup_url(Some(backup.base_url()))
        .timeout(Duration::from_millis(250))
        .retry(policy())
        .build()
        .expect("client");
    results.extend(run(&failover_client, mix("R", 800..1000)).await);
    assert_eq!(results.len(), 1000);

    let ledger = ledger.lock().expect("ledger");
    let (mut safe_ok, mut unsafe_ok, mut unsafe_not_retried) = (0, 0, 0);
    for (op, key, result) in &results {
        let effects = ledger.effects.get(key).copied().unwrap_or(0);
        if op.safe_to_retry {
            let value = result
                .as_ref()
                .unwrap_or_else(|e| panic!("safe call {key} failed: {e}"));
            assert_eq!(value["key"], key.as_str());
            if op.method == "POST" {
                assert_eq!(effects, 1, "{key}: exactly one side effect");
            }
            safe_ok += 1;
        } else {
            match result {
                Ok(_) => {
                    assert_eq!(effects, 1, "{key}");
                    unsafe_ok += 1;
                }
                Err(e @ Error::NotRetried(n)) => {
                    assert!(effects <= 1, "{key}: {effects} side effects");
                    assert!(n.cause.is_retryable(), "{key}: {e}");
                    let shown = e.to_string();
                    assert!(
                        shown.contains("query the resource") && shown.contains("idempotency key"),
                        "{shown}"
                    );
                    unsafe_not_retried += 1;
                }
                Err(e) => panic!("unsafe call {key}: untyped failure {e:?}"),
            }
        }
        assert_eq!(
            ledger.bodies.get(key).map(HashSet::len),
            Some(1),
            "{key}: every attempt sent the identical body"
        );
    }
    assert_eq!(safe_ok, 667);
    assert_eq!(unsafe_ok + unsafe_not_retried, 333);
    // Every fault kind hit the unsafe operation at least once on the main host.
    assert!(
        unsafe_not_retried >= 4 * 266 / 8 / 2,
        "{unsafe_not_retried}"
    );
    // Every unsafe call routed to the refusing host failed over and succeeded.
    assert!(results
        .iter()
        .filter(|(op, key, _)| !op.safe_to_retry && key.starts_with('R'))
        .all(|(_, _, r)| r.is_ok()));
    let unique: HashSet<&String> = ledger.nonces.iter().collect();
    assert_eq!(
        unique.len(),
        ledger.nonces.len(),
        "a fresh nonce for every attempt"
    );
    assert!(ledger.nonces.len() > 1000, "retries happened");
    for (key, n) in &ledger.effects {
        assert!(*n <= 1, "{key}: {n} side effects");
    }
}

#[tokio::test]
async fn retry_after_is_honoured_and_retries_are_switchable_per_call() {
    let server = MockWeChatPay::start().await.expect("mock");
    let attempts = Arc::new(Mutex::new(0u32));
    let seen = Arc::clone(&attempts);
    server.set_handler(move |_| {
        let mut n = seen.lock().expect("lock");
        *n += 1;
        Some(if *n % 2 == 1 {
            Reply::json(429, r#"{"code":"FREQUENCY_LIMITED","message":"slow down"}"#)
                .header("Retry-After", "1")
        } else {
            Reply::json(200, "{}")
        })
    });
    let client = test_client_builder(&server).build().expect("client");
    let started = Instant::now();
    client
        .execute::<Value>(request(&QUERY, "A1"))
        .await
        .expect("second attempt succeeds");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After"
    );
    assert_eq!(*attempts.lock().expect("lock"), 2);

    let err = client
        .with_retry(RetryPolicy::none())
        .execute::<Value>(request(&QUERY, "A2"))
        .await
        .unwrap_err();
    let api = err.api().expect("the 429 itself");
    assert_eq!((api.status, api.code.as_str()), (429, "FREQUENCY_LIMITED"));
    assert_eq!(api.retry_after, Some(Duration::from_secs(1)));
    assert_eq!(*attempts.lock().expect("lock"), 3, "one attempt only");
    assert_eq!(
        client.retry_policy().max_attempts,
        3,
        "the original handle is unchanged"
    );
}
