//! The simulator as plain signed HTTP, with requests signed by the test harness (not the
//! crate): signature checks (401), validation and decoding (400 PARAM_ERROR), idempotency
//! replays and conflicts, faults through the control endpoint, uploads, and the binary.
#![cfg(all(feature = "favor", feature = "busifavor", feature = "product-coupon"))]

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{rsa_key, Harness, OTHER_PRIVATE_KEY_PEM};
use wechatpay_marketing::testing::{Fault, FaultRule, Outcome};

const LIST: &str = "/v3/marketing/favor/stocks?offset=0&limit=10&stock_creator_mchid=1900000001";

#[tokio::test]
async fn a_request_signed_with_the_wrong_key_is_401_sign_error() {
    let h = Harness::start(&[]).await;
    let other = rsa_key(OTHER_PRIVATE_KEY_PEM);
    let auth = h.authorization_with(&other, "GET", LIST, b"");
    let reply = h
        .raw(
            "GET",
            LIST,
            &[
                ("Authorization", auth),
                ("Accept", "application/json".into()),
            ],
            Vec::new(),
        )
        .await;
    reply.assert_status(401, "wrong key");
    let body = reply.value();
    assert_eq!(body["code"], "SIGN_ERROR");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("merchant public key"),
        "{body}"
    );

    // No Authorization at all, and a signature over a different path.
    let reply = h.raw("GET", LIST, &[], Vec::new()).await;
    reply.assert_status(401, "unsigned");
    let auth = h.authorization(
        "GET",
        "/v3/marketing/favor/stocks?offset=1&limit=10&stock_creator_mchid=1900000001",
        b"",
    );
    let reply = h
        .raw("GET", LIST, &[("Authorization", auth)], Vec::new())
        .await;
    reply.assert_status(401, "signature over another URL");
    // Nothing was done for any of them.
    assert!(h.sim.ledger().is_empty());
}

#[tokio::test]
async fn a_stale_request_timestamp_is_401() {
    let h = Harness::start(&[]).await;
    let mut late = Harness::start(&[]).await;
    late.now = h.now - 600;
    let auth = late.authorization("GET", LIST, b"");
    let reply = h
        .raw("GET", LIST, &[("Authorization", auth)], Vec::new())
        .await;
    reply.assert_status(401, "stale");
    assert!(reply.value()["message"]
        .as_str()
        .unwrap_or("")
        .contains("5 分钟"));
}

#[tokio::test]
async fn an_invalid_request_is_400_param_error_with_the_generated_rules() {
    let h = Harness::start(&[]).await;
    // limit 11 breaks the documented 分页大小 maximum of 10; offset -1 the minimum of 0.
    let reply = h
        .send(
            "GET",
            "/v3/marketing/favor/stocks?offset=-1&limit=11&stock_creator_mchid=1900000001",
            None,
        )
        .await;
    reply.assert_status(400, "invalid list");
    let body = reply.value();
    assert_eq!(body["code"], "PARAM_ERROR");
    let message = body["message"].as_str().unwrap_or("");
    assert!(message.contains("limit: 11, at most 10"), "{message}");
    assert!(message.contains("offset: -1, at least 0"), "{message}");
    assert_eq!(body["detail"]["field"], "offset");

    // A missing required query parameter, a malformed body, an unknown enum value.
    let reply = h
        .send("GET", "/v3/marketing/favor/stocks?offset=0&limit=10", None)
        .await;
    reply.assert_status(400, "missing stock_creator_mchid");
    assert!(reply.value()["message"]
        .as_str()
        .unwrap_or("")
        .contains("stock_creator_mchid"));
    let reply = h
        .send(
            "POST",
            "/v3/marketing/favor/stocks/98000001/start",
            Some(b"{not json".to_vec()),
        )
        .await;
    reply.assert_status(400, "malformed body");
    assert_eq!(reply.value()["code"], "PARAM_ERROR");
    let reply = h
        .send("GET", &format!("{LIST}&status=NOT_A_STATUS"), None)
        .await;
    reply.assert_status(400, "unknown enum value");
    assert!(h.sim.ledger().iter().all(|e| e.outcome == Outcome::Refused));
}

#[tokio::test]
async fn unknown_paths_and_wrong_content_types_are_refused() {
    let h = Harness::start(&[]).await;
    let reply = h
        .send("GET", "/v3/marketing/favor/nothing-here", None)
        .await;
    reply.assert_status(404, "unknown path");
    let body = br#"{"stock_creator_mchid":"1900000001"}"#.to_vec();
    let pq = "/v3/marketing/favor/stocks/98000001/start";
    let auth = h.authorization("POST", pq, &body);
    let reply = h
        .raw(
            "POST",
            pq,
            &[
                ("Authorization", auth),
                ("Content-Type", "text/plain".into()),
            ],
            body,
        )
        .await;
    reply.assert_status(400, "text/plain body");
    assert_eq!(reply.value()["code"], "INVALID_REQUEST");
}

/// A strict simulator (no autocreate) on a fixed clock.
async fn strict() -> Harness {
    let now = 1_893_456_000; // 2030-01-01T08:00:00+08:00
    Harness::with(
        wechatpay_marketing::testing::Simulator::builder()
            .clock(std::sync::Arc::new(wechatpay_marketing::FixedClock(now))),
        now,
    )
    .await
}

fn stock_body(out_request_no: &str, name: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "stock_name": name,
        "belong_merchant": "1900000001",
        "available_begin_time": "2030-01-02T00:00:00+08:00",
        "available_end_time": "2030-01-20T00:00:00+08:00",
        "stock_use_rule": {"max_coupons": 10, "max_amount": 1000, "max_coupons_per_user": 3,
                           "natural_person_limit": false, "prevent_api_abuse": false},
        "coupon_use_rule": {"fixed_normal_coupon": {"coupon_amount": 100, "transaction_minimum": 100},
                            "available_merchants": ["1900000001"]},
        "no_cash": false,
        "stock_type": "NORMAL",
        "out_request_no": out_request_no,
    }))
    .expect("json")
}

#[tokio::test]
async fn the_same_key_replays_and_a_different_body_is_the_documented_conflict() {
    let h = strict().await;
    let path = "/v3/marketing/favor/coupon-stocks";
    let first = h
        .send("POST", path, Some(stock_body("REQ-1", "春季满减")))
        .await;
    first.assert_status(200, "create");
    let again = h
        .send("POST", path, Some(stock_body("REQ-1", "春季满减")))
        .await;
    again.assert_status(200, "create again");
    assert_eq!(first.body, again.body, "the first answer, replayed");
    assert_eq!(h.sim.effects("favor.create_coupon_stock", "REQ-1"), 1);
    assert_eq!(h.sim.entities("favor.stock").len(), 1);

    // Same out_request_no, another name: 代金券 documents no dedicated row, so the answer is
    // its documented 400 INVALID_REQUEST.
    let conflict = h
        .send("POST", path, Some(stock_body("REQ-1", "夏季满减")))
        .await;
    conflict.assert_status(400, "conflict");
    let body = conflict.value();
    assert_eq!(body["code"], "INVALID_REQUEST");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("out_request_no=REQ-1"),
        "{body}"
    );
    let outcomes: Vec<Outcome> = h.sim.ledger().iter().map(|e| e.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Applied, Outcome::Replayed, Outcome::Conflict]
    );
    assert_eq!(h.sim.entities("favor.stock").len(), 1);
}

#[tokio::test]
async fn families_answer_conflicts_with_their_own_documented_codes() {
    let h = Harness::start(&[]).await;
    // 商家券: RESOURCE_ALREADY_EXISTS ("检查 out_request_no 是否重复使用").
    let use_coupon = |no: &str, time: &str| {
        serde_json::to_vec(&json!({
            "coupon_code": "CODE-1", "stock_id": "12000001", "appid": "wx1234567889999",
            "use_time": time, "use_request_no": no, "openid": "o-user",
        }))
        .expect("json")
    };
    let path = "/v3/marketing/busifavor/coupons/use";
    h.send(
        "POST",
        path,
        Some(use_coupon("USE-1", "2030-01-01T10:00:00+08:00")),
    )
    .await
    .assert_status(200, "use");
    let conflict = h
        .send(
            "POST",
            path,
            Some(use_coupon("USE-1", "2030-01-01T11:00:00+08:00")),
        )
        .await;
    conflict.assert_status(400, "busifavor conflict");
    assert_eq!(conflict.value()["code"], "RESOURCE_ALREADY_EXISTS");
    // 商品券: ALREADY_EXISTS ("out_request_no 冲突").
    let send = |attach: &str| {
        serde_json::to_vec(&json!({
            "product_coupon_id": "1000000013", "stock_id": "1000000013001",
            "appid": "wx233544546545989", "send_request_no": "SEND-1", "brand_id": "120344",
            "attach": attach,
        }))
        .expect("json")
    };
    let path = "/v3/marketing/partner/product-coupon/users/o-user/coupons";
    h.send("POST", path, Some(send("a")))
        .await
        .assert_status(200, "send");
    let conflict = h.send("POST", path, Some(send("b"))).await;
    conflict.assert_status(400, "product coupon conflict");
    assert_eq!(conflict.value()["code"], "ALREADY_EXISTS");
    // A caller-chosen coupon code already taken, under a new send_request_no.
    let with_code = |no: &str| {
        serde_json::to_vec(&json!({
            "product_coupon_id": "1000000013", "stock_id": "1000000013001",
            "appid": "wx233544546545989", "send_request_no": no, "brand_id": "120344",
            "coupon_code": "MY-CODE-1",
        }))
        .expect("json")
    };
    h.send("POST", path, Some(with_code("SEND-2")))
        .await
        .assert_status(200, "own code");
    let taken = h.send("POST", path, Some(with_code("SEND-3"))).await;
    taken.assert_status(400, "code taken");
    assert_eq!(taken.value()["code"], "ALREADY_EXISTS");
    assert!(taken.value()["message"]
        .as_str()
        .unwrap_or("")
        .contains("coupon_code MY-CODE-1"));
}

#[tokio::test]
async fn unknown_ids_answer_the_documented_not_found_row_when_strict() {
    let h = strict().await;
    let reply = h
        .send(
            "GET",
            "/v3/marketing/favor/stocks/98999999?stock_creator_mchid=1900000001",
            None,
        )
        .await;
    reply.assert_status(404, "unknown stock");
    assert_eq!(reply.value()["code"], "RESOURCE_NOT_EXISTS");
    let reply = h
        .send(
            "GET",
            "/v3/marketing/partner/product-coupon/product-coupons/404/stocks/404?brand_id=1",
            None,
        )
        .await;
    reply.assert_status(404, "unknown product coupon stock");
    assert_eq!(
        reply.value()["code"],
        "NOT_FOUND",
        "the family's documented code"
    );
}

async fn control(h: &Harness, method: &str, path: &str, body: Value) -> Value {
    let client = support::loopback_builder()
        .no_proxy()
        .build()
        .expect("client");
    let url = format!("{}/simulator/{path}", h.sim.base_url());
    let req = client.request(
        reqwest::Method::from_bytes(method.as_bytes()).expect("m"),
        url,
    );
    let req = if body.is_null() {
        req
    } else {
        req.body(body.to_string())
    };
    let resp = req.send().await.expect("control endpoint answers");
    assert!(resp.status().is_success(), "{}", resp.status());
    serde_json::from_slice(&resp.bytes().await.expect("body")).expect("json")
}

#[tokio::test]
async fn faults_from_the_control_endpoint() {
    let h = strict().await;
    let path = "/v3/marketing/favor/coupon-stocks";
    control(
        &h,
        "POST",
        "faults",
        json!({"operation": "favor.create_coupon_stock", "times": 1, "fault": {"error": {"status": 500}}}),
    )
    .await;
    let reply = h.send("POST", path, Some(stock_body("F-1", "故障"))).await;
    reply.assert_status(500, "injected 500");
    assert_eq!(reply.value()["code"], "SYSTEM_ERROR");
    assert_eq!(
        reply.value()["message"],
        "系统异常,请稍后重试",
        "the documented row"
    );
    assert!(h.sim.entities("favor.stock").is_empty(), "no effect");

    control(
        &h,
        "POST",
        "faults",
        json!({"times": 1, "fault": {"error": {"status": 429}}}),
    )
    .await;
    let reply = h.send("POST", path, Some(stock_body("F-1", "故障"))).await;
    reply.assert_status(429, "injected 429");
    assert_eq!(reply.value()["code"], "FREQUENCY_LIMITED");

    // Dropped after commit: no answer, but the stock exists; the retry replays.
    control(
        &h,
        "POST",
        "faults",
        json!({"times": 1, "fault": "drop_after_commit"}),
    )
    .await;
    let url = format!("{}{path}", h.sim.base_url());
    let body = stock_body("F-1", "故障");
    let auth = h.authorization("POST", path, &body);
    let dropped = support::loopback_builder()
        .no_proxy()
        .build()
        .expect("client")
        .post(url)
        .header("Authorization", auth)
        .header("Content-Type", "application/json")
        .body(body.clone())
        .send()
        .await;
    assert!(
        dropped.is_err(),
        "the connection was closed without an answer"
    );
    assert_eq!(h.sim.entities("favor.stock").len(), 1);
    let retry = h.send("POST", path, Some(body)).await;
    retry.assert_status(200, "retry after the drop");
    assert_eq!(h.sim.effects("favor.create_coupon_stock", "F-1"), 1);

    // Bad signatures are still answers, just not verifiable.
    control(
        &h,
        "POST",
        "faults",
        json!({"times": 1, "fault": "bad_signature"}),
    )
    .await;
    let reply = h.send("GET", LIST, None).await;
    assert_eq!(reply.status, 200);
    assert!(!reply.signature_verifies());
    control(&h, "POST", "faults", json!({"fault": "unknown_serial"})).await;
    let reply = h.send("GET", LIST, None).await;
    assert_ne!(
        reply.header("Wechatpay-Serial"),
        Some(wechatpay_marketing::testing::test_keys::PUBLIC_KEY_ID)
    );
    control(&h, "DELETE", "faults", Value::Null).await;
    h.send("GET", LIST, None)
        .await
        .assert_status(200, "faults cleared");

    let ledger = control(&h, "GET", "ledger", Value::Null).await;
    assert!(ledger.as_array().is_some_and(|l| !l.is_empty()));
    let ops = control(&h, "GET", "operations", Value::Null).await;
    assert_eq!(ops.as_array().map(Vec::len), Some(h.sim.operations().len()));
}

#[tokio::test]
async fn a_delay_commits_first_and_answers_late() {
    let h = strict().await;
    h.sim.inject(
        FaultRule::new(Fault::Delay { millis: 400 })
            .operation("favor.create_coupon_stock")
            .times(1),
    );
    let started = std::time::Instant::now();
    h.send(
        "POST",
        "/v3/marketing/favor/coupon-stocks",
        Some(stock_body("D-1", "延迟")),
    )
    .await
    .assert_status(200, "delayed");
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn uploads_must_be_multipart_with_a_matching_digest() {
    let h = Harness::start(&[]).await;
    let path = "/v3/marketing/favor/media/image-upload";
    let meta = json!({"filename": "logo.png", "sha256": "ignored"});
    let ok = h
        .upload("POST", path, meta.clone(), "meta", "file", "sha256")
        .await;
    ok.assert_status(200, "upload");
    assert!(ok.value()["media_url"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://")));
    // The digest field left as is: it does not match the file.
    let bad = h
        .upload("POST", path, meta.clone(), "meta", "file", "")
        .await;
    bad.assert_status(400, "digest mismatch");
    assert_eq!(bad.value()["code"], "PARAM_ERROR");
    // A PDF is not a documented media type.
    let pdf = h
        .upload(
            "POST",
            path,
            json!({"filename": "x.pdf", "sha256": ""}),
            "meta",
            "file",
            "sha256",
        )
        .await;
    pdf.assert_status(400, "pdf");
    assert_eq!(pdf.value()["code"], "PARAM_ERROR");
    // JSON instead of multipart.
    let reply = h
        .send("POST", path, Some(serde_json::to_vec(&meta).expect("json")))
        .await;
    reply.assert_status(400, "json upload");
    assert_eq!(reply.value()["code"], "INVALID_REQUEST");
}

#[tokio::test]
async fn the_binary_prints_its_address_and_serves() {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wechatpay-simulator"))
        .args(["--test-keys", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the simulator binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            std::io::BufReader::new(stdout)
                .read_line(&mut line)
                .map(|_| line)
        }),
    )
    .await;
    let line = match line {
        Ok(Ok(Ok(line))) => line,
        other => {
            let _ = child.kill();
            panic!("no address line: {other:?}");
        }
    };
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .map(str::to_owned);
    let health = match &url {
        Some(url) => support::loopback_builder()
            .no_proxy()
            .build()
            .expect("client")
            .get(format!("{url}/simulator/health"))
            .send()
            .await
            .ok(),
        None => None,
    };
    let status = match health {
        Some(resp) => resp
            .bytes()
            .await
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok()),
        None => None,
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(url.is_some(), "no address in {line:?}");
    assert_eq!(status.map(|s| s["status"].clone()), Some(json!("ok")));
}
