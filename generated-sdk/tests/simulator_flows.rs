//! One flow per family through the real `Client` against the simulator, notifications
//! received on a loopback callback server and verified by the client; restarts with the same
//! idempotency keys; faults as a client sees them.
#![cfg(all(feature = "favor", feature = "busifavor", feature = "product-coupon"))]

mod support;

use std::sync::Arc;
use std::time::Duration;

use wechatpay_marketing::testing::{
    test_keys, CallbackInbox, Fault, FaultRule, Outcome, Simulator,
};
use wechatpay_marketing::{
    busifavor, favor, product_coupon, ApiV3Key, Client, Error, FixedClock, RetryPolicy,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// 2030-01-01T08:00:00+08:00: both clocks are pinned so the documented dates stay valid.
const NOW: i64 = 1_893_456_000;
const MERCHANT_HOST: &str = "https://merchant.example.com";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
const APPID: &str = "wx233544546545989";

struct Setup {
    sim: Simulator,
    client: Client,
    inbox: CallbackInbox,
}

async fn setup() -> Result<Setup, Box<dyn std::error::Error>> {
    setup_with(CallbackInbox::start().await?).await
}

async fn setup_with(inbox: CallbackInbox) -> Result<Setup, Box<dyn std::error::Error>> {
    let clock = Arc::new(FixedClock(NOW));
    let sim = Simulator::builder()
        .clock(clock.clone())
        .callback_rewrite(MERCHANT_HOST, inbox.base_url())
        .notification_retries(4, Duration::from_millis(20))
        .start()
        .await?;
    let client = sim
        .client_builder()
        .clock(clock)
        .timeout(Duration::from_secs(5))
        .build()?;
    Ok(Setup { sim, client, inbox })
}

fn api_key() -> ApiV3Key {
    ApiV3Key::new(test_keys::API_V3_KEY).expect("32 bytes")
}

fn favor_stock_request(
    out_request_no: &str,
    max_coupons: i64,
) -> Result<favor::CreateCouponStockRequest, Box<dyn std::error::Error>> {
    Ok(favor::CreateCouponStockRequest::builder()
        .stock_name("新客满100减10")
        .comment("新客专享")
        .belong_merchant(test_keys::MCHID)
        .available_begin_time("2030-01-02T00:00:00+08:00")
        .available_end_time("2030-01-31T23:59:59+08:00")
        .stock_use_rule(
            favor::StockRule::builder()
                .max_coupons(max_coupons)
                .max_amount(max_coupons * 1000)
                .max_coupons_per_user(10)
                .natural_person_limit(false)
                .prevent_api_abuse(false)
                .build()?,
        )
        .coupon_use_rule(
            favor::CouponRule::builder()
                .fixed_normal_coupon(
                    favor::FixedValueStockMsg::builder()
                        .coupon_amount(1000)
                        .transaction_minimum(10000)
                        .build()?,
                )
                .available_merchants([test_keys::MCHID])
                .build()?,
        )
        .no_cash(false)
        .stock_type("NORMAL")
        .out_request_no(out_request_no)
        .build()?)
}

fn favor_send_request(
    stock_id: &str,
    out_request_no: &str,
) -> Result<favor::SendCouponRequest, Box<dyn std::error::Error>> {
    Ok(favor::SendCouponRequest::builder()
        .openid(OPENID)
        .stock_id(stock_id)
        .out_request_no(out_request_no)
        .appid(APPID)
        .stock_creator_mchid(test_keys::MCHID)
        .build()?)
}

/// create stock → start → send coupon → query coupon; returns (stock_id, coupon_id). A
/// rerun with the same keys finds the stock already running and does not start it again.
async fn favor_campaign(client: &Client) -> Result<(String, String), Box<dyn std::error::Error>> {
    let created = client
        .favor()
        .create_coupon_stock(&favor_stock_request("STOCK-2030-01", 100)?)
        .await?;
    let stock_id = created.stock_id;
    let stock = client
        .favor()
        .query_stock(
            &favor::QueryStockRequest::builder()
                .stock_id(&stock_id)
                .stock_creator_mchid(test_keys::MCHID)
                .build()?,
        )
        .await?;
    if stock.status.as_str() == "unactivated" {
        let started = client
            .favor()
            .start_stock(
                &favor::StartStockRequest::builder()
                    .stock_id(&stock_id)
                    .stock_creator_mchid(test_keys::MCHID)
                    .build()?,
            )
            .await?;
        assert_eq!(started.stock_id, stock_id);
    }
    let sent = client
        .favor()
        .send_coupon(&favor_send_request(&stock_id, "SEND-2030-01-0001")?)
        .await?;
    let coupon = client
        .favor()
        .query_coupon(
            &favor::QueryCouponRequest::builder()
                .coupon_id(&sent.coupon_id)
                .openid(OPENID)
                .appid(APPID)
                .build()?,
        )
        .await?;
    assert_eq!(coupon.coupon_id, sent.coupon_id);
    assert_eq!(coupon.stock_id, stock_id);
    assert_eq!(coupon.coupon_name, "新客满100减10", "the stock's name");
    assert_eq!(
        coupon
            .normal_coupon_information
            .as_ref()
            .and_then(|n| n.coupon_amount),
        Some(1000)
    );
    Ok((stock_id, sent.coupon_id))
}

#[tokio::test]
async fn favor_create_start_send_query_and_coupon_use_notification() -> TestResult {
    let Setup { sim, client, inbox } = setup().await?;
    client
        .favor()
        .set_callback(
            &favor::SetCallbackRequest::builder()
                .mchid(test_keys::MCHID)
                .notify_url(format!("{MERCHANT_HOST}/wxpay/favor"))
                .switch(true)
                .build()?,
        )
        .await?;
    let (stock_id, coupon_id) = favor_campaign(&client).await?;
    let coupon = client
        .favor()
        .query_coupon(
            &favor::QueryCouponRequest::builder()
                .coupon_id(&coupon_id)
                .openid(OPENID)
                .appid(APPID)
                .build()?,
        )
        .await?;
    assert_eq!(coupon.status.as_str(), "SENDED");

    // The user pays with it at checkout: COUPON.USE reaches the merchant's callback.
    sim.redeem_favor_coupon(&coupon_id)?;
    let received = inbox.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 1, "{:?}", sim.deliveries());
    assert_eq!(received[0].path, "/wxpay/favor");
    let n = client.favor().parse_coupon_use_notification(
        &api_key(),
        &received[0].headers,
        &received[0].body,
    )?;
    assert_eq!(n.envelope.event_type, "COUPON.USE");
    assert_eq!(n.envelope.resource_type, "encrypt-resource");
    assert_eq!(n.payload.coupon_id, coupon_id);
    assert_eq!(n.payload.stock_id, stock_id);
    assert_eq!(n.payload.status.as_str(), "USED");

    // The use flow (核销明细) lists it: a link, then a signed GET of an unsigned, SHA1-checked file.
    let link = client
        .favor()
        .download_use_flow(
            &favor::DownloadUseFlowRequest::builder()
                .stock_id(&stock_id)
                .build()?,
        )
        .await?;
    let mut file = Vec::new();
    client
        .download_to(&link.url, &link.hash_type, &link.hash_value, &mut file)
        .await?;
    let csv = String::from_utf8(file)?;
    assert!(csv.contains(&format!("`{coupon_id}")), "{csv}");

    // Its state moved; the list shows it; pausing the stock stops sending.
    let listed = client
        .favor()
        .list_user_coupons(
            &favor::ListUserCouponsRequest::builder()
                .openid(OPENID)
                .appid(APPID)
                .stock_id(&stock_id)
                .build()?,
        )
        .await?;
    let data = listed.data.unwrap_or_default();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0].status.as_str(), "USED");
    client
        .favor()
        .pause_stock(
            &favor::PauseStockRequest::builder()
                .stock_id(&stock_id)
                .stock_creator_mchid(test_keys::MCHID)
                .build()?,
        )
        .await?;
    let refused = client
        .favor()
        .send_coupon(&favor_send_request(&stock_id, "SEND-2030-01-0002")?)
        .await;
    match refused {
        Err(Error::Api(api)) => {
            assert_eq!((api.status, api.code.as_str()), (400, "INVALID_REQUEST"));
            assert!(api.verified, "error answers are signed too");
            assert!(api
                .documented
                .iter()
                .any(|r| r.description == "活动已结束或未激活"));
        }
        other => panic!("sending from a paused stock: {other:?}"),
    }
    client
        .favor()
        .restart_stock(
            &favor::RestartStockRequest::builder()
                .stock_id(&stock_id)
                .stock_creator_mchid(test_keys::MCHID)
                .build()?,
        )
        .await?;
    client
        .favor()
        .send_coupon(&favor_send_request(&stock_id, "SEND-2030-01-0002")?)
        .await?;
    let stocks = client
        .favor()
        .list_stocks(
            &favor::ListStocksRequest::builder()
                .offset(0)
                .limit(10)
                .stock_creator_mchid(test_keys::MCHID)
                .status("running")
                .build()?,
        )
        .await?;
    assert_eq!(stocks.total_count, 1);
    assert_eq!(stocks.data.unwrap_or_default()[0].distributed_coupons, 2);
    Ok(())
}

#[tokio::test]
async fn favor_budget_runs_out_with_the_documented_error() -> TestResult {
    let Setup {
        sim: _sim, client, ..
    } = setup().await?;
    let stock_id = client
        .favor()
        .create_coupon_stock(&favor_stock_request("SMALL", 1)?)
        .await?
        .stock_id;
    client
        .favor()
        .start_stock(
            &favor::StartStockRequest::builder()
                .stock_id(&stock_id)
                .stock_creator_mchid(test_keys::MCHID)
                .build()?,
        )
        .await?;
    client
        .favor()
        .send_coupon(&favor_send_request(&stock_id, "S1")?)
        .await?;
    match client
        .favor()
        .send_coupon(&favor_send_request(&stock_id, "S2")?)
        .await
    {
        Err(Error::Api(api)) => assert_eq!((api.status, api.code.as_str()), (403, "NOT_ENOUGH")),
        other => panic!("over budget: {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn restarting_a_flow_with_the_same_keys_has_no_second_effect() -> TestResult {
    let Setup { sim, client, .. } = setup().await?;
    let first = favor_campaign(&client).await?;
    let again = favor_campaign(&client).await?;
    assert_eq!(first, again, "the same stock and coupon, replayed");
    assert_eq!(sim.effects("favor.create_coupon_stock", "STOCK-2030-01"), 1);
    assert_eq!(sim.effects("favor.send_coupon", "SEND-2030-01-0001"), 1);
    assert_eq!(sim.entities("favor.stock").len(), 1);
    assert_eq!(sim.entities("favor.coupon").len(), 1);
    let replayed: Vec<String> = sim
        .ledger()
        .iter()
        .filter(|e| e.outcome == Outcome::Replayed)
        .map(|e| e.operation.clone())
        .collect();
    assert_eq!(replayed, ["favor.create_coupon_stock", "favor.send_coupon"]);
    let stock = sim.entity("favor.stock", &first.0).expect("kept");
    assert_eq!(
        stock["distributed_coupons"], 1,
        "the budget was charged once"
    );

    // The same key with another request: the documented error, no effect.
    let mut other = favor_send_request(&first.0, "SEND-2030-01-0001")?;
    other.openid = "another-user".into();
    match client.favor().send_coupon(&other).await {
        Err(Error::Api(api)) => assert_eq!(api.code, "INVALID_REQUEST"),
        other => panic!("conflict: {other:?}"),
    }
    assert_eq!(sim.entities("favor.coupon").len(), 1);
    Ok(())
}

/// A 代金券 stock created (out_request_no `key`, 100 coupons) and started; its id.
async fn started_favor_stock(
    client: &Client,
    create: &favor::CreateCouponStockRequest,
) -> Result<String, Box<dyn std::error::Error>> {
    let stock_id = client.favor().create_coupon_stock(create).await?.stock_id;
    client
        .favor()
        .start_stock(
            &favor::StartStockRequest::builder()
                .stock_id(&stock_id)
                .stock_creator_mchid(test_keys::MCHID)
                .build()?,
        )
        .await?;
    Ok(stock_id)
}

#[tokio::test]
async fn faults_as_the_client_sees_them() -> TestResult {
    let Setup { sim, client, .. } = setup().await?;
    let stock_id = started_favor_stock(&client, &favor_stock_request("FAULTS", 100)?).await?;
    let op = "favor.send_coupon";

    // Without retries, the client sees each fault as it is.
    let raw = client.with_retry(RetryPolicy::none());
    let send = favor_send_request(&stock_id, "RETRY-1")?;
    sim.inject(
        FaultRule::new(Fault::Error {
            status: 500,
            code: None,
        })
        .operation(op)
        .times(1),
    );
    match raw.favor().send_coupon(&send).await {
        Err(e @ Error::Api(_)) => {
            assert!(e.is_retryable());
            let Error::Api(api) = e else { unreachable!() };
            assert_eq!((api.status, api.code.as_str()), (500, "SYSTEM_ERROR"));
        }
        other => panic!("500: {other:?}"),
    }
    sim.inject(
        FaultRule::new(Fault::Error {
            status: 429,
            code: None,
        })
        .operation(op)
        .times(1),
    );
    match raw.favor().send_coupon(&send).await {
        Err(Error::Api(api)) => {
            assert_eq!((api.status, api.code.as_str()), (429, "FREQUENCY_LIMITED"));
            assert!(api.is_retryable());
        }
        other => panic!("429: {other:?}"),
    }
    assert!(
        sim.entities("favor.coupon").is_empty(),
        "faults before the effect change nothing"
    );
    // The connection drops after the coupon was sent: the retry gets the same coupon.
    sim.inject(
        FaultRule::new(Fault::DropAfterCommit)
            .operation(op)
            .times(1),
    );
    let dropped = raw.favor().send_coupon(&send).await;
    assert!(
        matches!(&dropped, Err(e) if !matches!(e, Error::Api(_))),
        "{dropped:?}"
    );
    assert_eq!(
        sim.entities("favor.coupon").len(),
        1,
        "the effect was committed"
    );
    let retried = raw.favor().send_coupon(&send).await?;
    assert_eq!(
        sim.entities("favor.coupon")[0]["coupon_id"],
        retried.coupon_id.as_str()
    );
    assert_eq!(sim.effects(op, "RETRY-1"), 1);

    // With its default policy the client retries by itself, with the same key: one effect.
    sim.inject(
        FaultRule::new(Fault::Error {
            status: 503,
            code: None,
        })
        .operation(op)
        .times(1),
    );
    client
        .favor()
        .send_coupon(&favor_send_request(&stock_id, "RETRY-2")?)
        .await?;
    sim.inject(
        FaultRule::new(Fault::DropAfterCommit)
            .operation(op)
            .times(1),
    );
    let third = client
        .favor()
        .send_coupon(&favor_send_request(&stock_id, "RETRY-3")?)
        .await?;
    let outcomes: Vec<Outcome> = sim
        .ledger()
        .iter()
        .filter(|e| e.idempotency_key.as_deref() == Some("RETRY-3"))
        .map(|e| e.outcome)
        .collect();
    assert_eq!(outcomes, [Outcome::Applied, Outcome::Replayed]);
    // Too slow for the client's timeout: committed, so the automatic retry is a replay.
    let impatient = sim
        .client_builder()
        .clock(Arc::new(FixedClock(NOW)))
        .timeout(Duration::from_millis(300))
        .build()?;
    sim.inject(
        FaultRule::new(Fault::Delay { millis: 1000 })
            .operation(op)
            .times(1),
    );
    let fourth = impatient
        .favor()
        .send_coupon(&favor_send_request(&stock_id, "RETRY-4")?)
        .await?;
    for key in ["RETRY-1", "RETRY-2", "RETRY-3", "RETRY-4"] {
        assert_eq!(sim.effects(op, key), 1, "{key}");
    }
    assert_eq!(sim.entities("favor.coupon").len(), 4);
    assert_ne!(third.coupon_id, fourth.coupon_id);
    let refused_by_fault = sim
        .ledger()
        .iter()
        .filter(|e| e.detail.starts_with("injected fault"))
        .count();
    assert_eq!(
        refused_by_fault, 3,
        "the 500, the 429 and the 503 are in the ledger"
    );

    // Answers that must not be trusted.
    for fault in [
        Fault::BadSignature,
        Fault::StaleSignature,
        Fault::UnknownSerial,
    ] {
        sim.inject(FaultRule::new(fault.clone()).times(1));
        let r = client.favor().send_coupon(&send).await;
        assert!(matches!(r, Err(Error::Signature(_))), "{fault:?}: {r:?}");
    }
    Ok(())
}

#[tokio::test]
async fn busifavor_create_query_claim_use_return() -> TestResult {
    let Setup { sim, client, inbox } = setup().await?;
    client
        .busifavor()
        .set_callback(
            &busifavor::SetCallbackRequest::builder()
                .mchid(test_keys::MCHID)
                .notify_url(format!("{MERCHANT_HOST}/wxpay/busifavor"))
                .build()?,
        )
        .await?;
    let created = client
        .busifavor()
        .create_stock(&busifavor_stock_request("BUSI-STOCK-1")?)
        .await?;
    let stock = client
        .busifavor()
        .query_stock(
            &busifavor::QueryStockRequest::builder()
                .stock_id(&created.stock_id)
                .build()?,
        )
        .await?;
    assert_eq!(stock.stock_id, created.stock_id);
    assert_eq!(stock.stock_state.as_str(), "RUNNING");
    assert_eq!(stock.stock_name, "8月1日活动券");

    // The user claims one in the mini program: COUPON.SEND reaches the merchant.
    let claimed = sim.claim_busifavor_coupon(&created.stock_id, OPENID)?;
    let code = claimed["coupon_code"]
        .as_str()
        .expect("a coupon code")
        .to_owned();
    let received = inbox.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 1, "{:?}", sim.deliveries());
    let n = client.busifavor().parse_coupon_send_notification(
        &api_key(),
        &received[0].headers,
        &received[0].body,
    )?;
    assert_eq!(n.envelope.event_type, "COUPON.SEND");
    assert_eq!(n.payload.coupon_code, code);
    assert_eq!(n.payload.stock_id, created.stock_id);

    let query = busifavor::QueryUserCouponRequest::builder()
        .openid(OPENID)
        .coupon_code(&code)
        .appid(APPID)
        .build()?;
    let coupon = client.busifavor().query_user_coupon(&query).await?;
    assert_eq!(
        coupon.coupon_state.as_ref().map(|s| s.as_str()),
        Some("SENDED")
    );
    assert_eq!(coupon.stock_name, "8月1日活动券", "the stock's fields");

    let use_request = busifavor::UseCouponRequest::builder()
        .coupon_code(&code)
        .stock_id(&created.stock_id)
        .appid(APPID)
        .use_time("2030-01-03T12:00:00+08:00")
        .use_request_no("USE-1")
        .openid(OPENID)
        .build()?;
    let used = client.busifavor().use_coupon(&use_request).await?;
    assert_eq!(used.stock_id, created.stock_id);
    let coupon = client.busifavor().query_user_coupon(&query).await?;
    assert_eq!(
        coupon.coupon_state.as_ref().map(|s| s.as_str()),
        Some("USED")
    );
    assert_eq!(
        coupon.use_time.as_ref().map(|t| t.as_str()),
        Some("2030-01-03T12:00:00+08:00")
    );

    client
        .busifavor()
        .return_coupon(
            &busifavor::ReturnCouponRequest::builder()
                .coupon_code(&code)
                .stock_id(&created.stock_id)
                .return_request_no("RETURN-1")
                .build()?,
        )
        .await?;
    let coupon = client.busifavor().query_user_coupon(&query).await?;
    assert_eq!(
        coupon.coupon_state.as_ref().map(|s| s.as_str()),
        Some("SENDED")
    );

    // Using it again with the first use_request_no replays the first answer; a new one uses it.
    let replay = client.busifavor().use_coupon(&use_request).await?;
    assert_eq!(replay.wechatpay_use_time, used.wechatpay_use_time);
    let coupon = client.busifavor().query_user_coupon(&query).await?;
    assert_eq!(
        coupon.coupon_state.as_ref().map(|s| s.as_str()),
        Some("SENDED")
    );
    assert_eq!(sim.effects("busifavor.use_coupon", "USE-1"), 1);
    Ok(())
}

/// A 商家券 stock usable from 2030-01-02 to 2030-01-30 (Beijing time), 100 coupons.
fn busifavor_stock_request(
    out_request_no: &str,
) -> Result<busifavor::CreateStockRequest, Box<dyn std::error::Error>> {
    Ok(busifavor::CreateStockRequest::builder()
        .stock_name("8月1日活动券")
        .belong_merchant(test_keys::MCHID)
        .goods_name("全场可用")
        .stock_type("NORMAL")
        .coupon_use_rule(
            busifavor::CouponUseRule::builder()
                .coupon_available_time(
                    busifavor::CouponAvailableTime::builder()
                        .available_begin_time("2030-01-02T00:00:00+08:00")
                        .available_end_time("2030-01-30T00:00:00+08:00")
                        .build()?,
                )
                .fixed_normal_coupon(
                    busifavor::FixedNormalCoupon::builder()
                        .discount_amount(500)
                        .transaction_minimum(10000)
                        .build()?,
                )
                .use_method("OFF_LINE")
                .build()?,
        )
        .stock_send_rule(
            busifavor::StockSendRule::builder()
                .max_coupons(100)
                .max_coupons_per_user(5)
                .build()?,
        )
        .out_request_no(out_request_no)
        .coupon_code_mode("WECHATPAY_MODE")
        .build()?)
}

/// 商家券 redemption outside the coupon's validity period (its use_time before the start or
/// after the end the stock gave it) is the documented 403 RULELIMIT 券不在有效期, and nothing
/// changes; inside it, the coupon is used.
#[tokio::test]
async fn busifavor_use_outside_the_validity_period_is_rulelimit() -> TestResult {
    let Setup { sim, client, .. } = setup().await?;
    let bf = client.busifavor();
    let created = bf
        .create_stock(&busifavor_stock_request("BUSI-STOCK-WINDOW")?)
        .await?;
    let claimed = sim.claim_busifavor_coupon(&created.stock_id, OPENID)?;
    let code = claimed["coupon_code"].as_str().expect("a coupon code");
    let use_at = |when: &str, no: &str| {
        busifavor::UseCouponRequest::builder()
            .coupon_code(code)
            .stock_id(&created.stock_id)
            .appid(APPID)
            .use_time(when)
            .use_request_no(no)
            .openid(OPENID)
            .build()
    };
    for (when, no) in [
        ("2030-01-01T23:59:59+08:00", "USE-EARLY"),
        ("2030-01-30T00:00:01+08:00", "USE-LATE"),
    ] {
        match bf.use_coupon(&use_at(when, no)?).await {
            Err(Error::Api(api)) => {
                assert_eq!(
                    (api.status, api.code.as_str()),
                    (403, "RULELIMIT"),
                    "{when}"
                );
                assert!(api.message.contains("券不在有效期"), "{}", api.message);
            }
            other => panic!("{when}: expected RULELIMIT, got {other:?}"),
        }
        assert_eq!(sim.effects("busifavor.use_coupon", no), 0, "{when}");
    }
    let used = bf
        .use_coupon(&use_at("2030-01-29T23:59:59+08:00", "USE-IN-TIME")?)
        .await?;
    assert_eq!(used.stock_id, created.stock_id);
    Ok(())
}

/// A 商品券 send of `stock_id` (of `product_coupon_id`) to `openid`, request number `no`.
fn product_coupon_send_request(
    product_coupon_id: &str,
    stock_id: &str,
    no: &str,
    openid: &str,
) -> Result<product_coupon::SendUserCouponRequest, Box<dyn std::error::Error>> {
    Ok(product_coupon::SendUserCouponRequest::builder()
        .openid(openid)
        .product_coupon_id(product_coupon_id)
        .stock_id(stock_id)
        .appid(APPID)
        .send_request_no(no)
        .brand_id("120344")
        .build()?)
}

/// A 商品券 (DISCOUNT, SINGLE) created together with its first stock.
fn product_coupon_create_request(
    out_request_no: &str,
) -> Result<product_coupon::CreateProductCouponRequest, Box<dyn std::error::Error>> {
    Ok(product_coupon::CreateProductCouponRequest::builder()
        .out_request_no(out_request_no)
        .scope("ALL")
        .r#type("DISCOUNT")
        .usage_mode("SINGLE")
        .single_usage_info(
            product_coupon::SingleUsageInfo::builder()
                .discount_coupon(
                    product_coupon::DiscountCouponUsageRule::builder()
                        .threshold(10000)
                        .percent_off(20)
                        .build()?,
                )
                .build()?,
        )
        .display_info(
            product_coupon::ProductCouponDisplayInfo::builder()
                .name("全场满100立打8折")
                .image_url("https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx")
                .background_url("https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/xxx")
                .build()?,
        )
        .stock(
            product_coupon::StockForCreate::builder()
                .coupon_code_mode("WECHATPAY")
                .stock_send_rule(
                    product_coupon::StockSendRule::builder()
                        .max_count(100)
                        .build()?,
                )
                .single_usage_rule(
                    product_coupon::StockUsageRule::builder()
                        .coupon_available_period(
                            product_coupon::CouponAvailablePeriod::builder()
                                .available_begin_time("2030-01-02T00:00:00+08:00")
                                .available_end_time("2030-01-31T23:59:59+08:00")
                                .build()?,
                        )
                        .build()?,
                )
                .usage_rule_display_info(
                    product_coupon::UsageRuleDisplayInfo::builder()
                        .coupon_usage_method_list(["OFFLINE"])
                        .usage_description("工作日可用")
                        .build()?,
                )
                .coupon_display_info(
                    product_coupon::CouponDisplayInfo::builder()
                        .code_display_mode("QRCODE")
                        .build()?,
                )
                .notify_config(
                    product_coupon::NotifyConfig::builder()
                        .notify_appid(APPID)
                        .build()?,
                )
                .store_scope("NONE")
                .build()?,
        )
        .brand_id("120344")
        .build()?)
}

#[tokio::test]
async fn product_coupon_send_notification_confirm() -> TestResult {
    let Setup { sim, client, inbox } = setup().await?;
    client
        .product_coupon()
        .set_notify_config(
            &product_coupon::SetNotifyConfigRequest::builder()
                .notify_url(format!("{MERCHANT_HOST}/wxpay/product-coupon"))
                .build()?,
        )
        .await?;
    let created = client
        .product_coupon()
        .create_product_coupon(&product_coupon_create_request("PC-CREATE-0001")?)
        .await?;
    assert_eq!(created.state.as_str(), "EFFECTIVE");
    let stock = created.stock.expect("the stock created with it");
    assert_eq!(stock.product_coupon_id, created.product_coupon_id);
    assert_eq!(stock.state.as_str(), "SENDING");

    let sent = client
        .product_coupon()
        .send_user_coupon(&product_coupon_send_request(
            &created.product_coupon_id,
            &stock.stock_id,
            "PC-SEND-1",
            OPENID,
        )?)
        .await?;
    assert_eq!(sent.coupon_state.as_str(), "CONFIRMING");
    assert_eq!(
        sent.product_coupon.product_coupon_id,
        created.product_coupon_id
    );
    assert_eq!(sent.stock.stock_id, stock.stock_id);

    let received = inbox.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 1, "{:?}", sim.deliveries());
    let n = client
        .product_coupon()
        .parse_product_coupon_send_notification(
            &api_key(),
            &received[0].headers,
            &received[0].body,
        )?;
    assert_eq!(n.envelope.event_type, "PRODUCT_COUPON_SP.SEND");
    assert_eq!(
        n.envelope.resource.associated_data.as_deref(),
        Some("product_coupon_sp")
    );
    let p = &n.payload;
    assert_eq!(p.coupon_code, sent.coupon_code);
    assert_eq!((p.openid.as_str(), p.appid.as_str()), (OPENID, APPID));
    assert_eq!(p.send_request_no, "PC-SEND-1");

    // Confirm (确认发放用户商品券), as the notification asks: the coupon takes effect.
    let confirmed = client
        .product_coupon()
        .confirm_user_coupon(
            &product_coupon::ConfirmUserCouponRequest::builder()
                .coupon_code(&p.coupon_code)
                .openid(&p.openid)
                .product_coupon_id(&p.product_coupon_id)
                .stock_id(&p.stock_id)
                .appid(&p.appid)
                .out_request_no("PC-CONFIRM-1")
                .brand_id(&p.brand_id)
                .build()?,
        )
        .await?;
    assert_eq!(confirmed.coupon_state.as_str(), "EFFECTIVE");
    assert_eq!(
        confirmed.confirm_request_no.as_deref(),
        Some("PC-CONFIRM-1")
    );
    let queried = client
        .product_coupon()
        .query_user_coupon(
            &product_coupon::QueryUserCouponRequest::builder()
                .coupon_code(&p.coupon_code)
                .openid(&p.openid)
                .product_coupon_id(&p.product_coupon_id)
                .stock_id(&p.stock_id)
                .appid(&p.appid)
                .brand_id(&p.brand_id)
                .build()?,
        )
        .await?;
    assert_eq!(queried.coupon_state.as_str(), "EFFECTIVE");
    assert_eq!(
        queried.stock.sent_count_info.total_count,
        Some(1),
        "the budget was charged"
    );
    Ok(())
}

#[tokio::test]
async fn notifications_are_retried_until_the_receiver_answers_2xx() -> TestResult {
    let Setup { sim, client, inbox } = setup_with(CallbackInbox::start_failing(2).await?).await?;
    client
        .favor()
        .set_callback(
            &favor::SetCallbackRequest::builder()
                .mchid(test_keys::MCHID)
                .notify_url(format!("{MERCHANT_HOST}/wxpay/favor"))
                .build()?,
        )
        .await?;
    let (_, coupon_id) = favor_campaign(&client).await?;
    sim.redeem_favor_coupon(&coupon_id)?;
    let done = sim.wait_for_deliveries(1, Duration::from_secs(10)).await;
    assert_eq!(done.len(), 1);
    let statuses: Vec<Option<u16>> = done[0].attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(500), Some(500), Some(200)]);
    assert!(done[0].delivered);
    let all = inbox.received();
    assert_eq!(all.len(), 3);
    assert!(
        all.windows(2).all(|w| w[0].body == w[1].body),
        "the same notification each time"
    );
    Ok(())
}

#[tokio::test]
async fn without_a_callback_url_the_notification_is_recorded_as_skipped() -> TestResult {
    let Setup { sim, client, .. } = setup().await?;
    let (_, coupon_id) = favor_campaign(&client).await?;
    let coupon = sim.redeem_favor_coupon(&coupon_id)?;
    assert_eq!(coupon["status"], "USED");
    let done = sim.wait_for_deliveries(1, Duration::from_secs(5)).await;
    assert_eq!(done.len(), 1);
    assert!(done[0]
        .skipped
        .as_deref()
        .is_some_and(|s| s.contains("no callback URL")));
    assert_eq!(done[0].payload["coupon_id"], coupon_id.as_str());
    // Redeeming twice is refused.
    assert!(sim.redeem_favor_coupon(&coupon_id).is_err());
    Ok(())
}

/// An upload through the client: multipart with the signed meta JSON (its sha256 filled in by
/// the client), the file checked by the simulator against the documented size, types and digest.
#[tokio::test]
async fn uploads_go_as_signed_multipart() -> TestResult {
    let Setup { sim, client, .. } = setup().await?;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-client-upload".to_vec();
    let request = favor::UploadImageRequest::builder()
        .filename("logo.png")
        .sha256("filled in by the client")
        .build()?;
    let uploaded = client.favor().upload_image(&request, png.clone()).await?;
    let digest = wechatpay_marketing::runtime::multipart::sha256_hex(&png);
    assert!(
        uploaded.media_url.ends_with(&digest),
        "{}",
        uploaded.media_url
    );
    let logged = sim.ledger();
    assert_eq!(
        logged.last().map(|e| e.operation.as_str()),
        Some("favor.upload_image")
    );
    assert_eq!(logged.last().map(|e| e.outcome), Some(Outcome::Applied));
    Ok(())
}

/// The per-user limit (每人限领) of a stock holds: a second coupon of a one-per-user stock to
/// the same user is the documented 403 REQUEST_BLOCKED, another user still gets one.
#[tokio::test]
async fn per_user_limit_refuses_a_second_coupon_to_the_same_user() -> TestResult {
    // The simulator stops when dropped: keep it for the whole test.
    let Setup {
        sim: _sim, client, ..
    } = setup().await?;
    let mut create = favor_stock_request("STOCK-PER-USER", 10)?;
    create.stock_use_rule.max_coupons_per_user = 1;
    let stock_id = started_favor_stock(&client, &create).await?;
    client
        .favor()
        .send_coupon(&favor_send_request(&stock_id, "PER-USER-1")?)
        .await?;
    match client
        .favor()
        .send_coupon(&favor_send_request(&stock_id, "PER-USER-2")?)
        .await
    {
        Err(Error::Api(api)) => {
            assert_eq!((api.status, api.code.as_str()), (403, "REQUEST_BLOCKED"));
            assert!(api.message.contains("用户被限领拦截"), "{}", api.message);
        }
        other => panic!("expected the per-user limit, got {other:?}"),
    }
    let mut other_user = favor_send_request(&stock_id, "PER-USER-3")?;
    other_user.openid = "oUpF8uN95-Ptaags6E_roPHg7AG1".into();
    client.favor().send_coupon(&other_user).await?;
    Ok(())
}

/// 商品券 the same way: past `max_count_per_user` the documented 400 INVALID_REQUEST.
#[tokio::test]
async fn product_coupon_per_user_limit_holds() -> TestResult {
    let Setup {
        sim: _sim, client, ..
    } = setup().await?;
    let mut create = product_coupon_create_request("PC-PER-USER")?;
    if let Some(stock) = create.stock.as_mut() {
        stock.stock_send_rule.max_count_per_user = Some(1);
    }
    let created = client
        .product_coupon()
        .create_product_coupon(&create)
        .await?;
    let stock_id = created.stock.expect("the stock created with it").stock_id;
    let send = |no: &str, openid: &str| {
        product_coupon_send_request(&created.product_coupon_id, &stock_id, no, openid)
    };
    let pc = client.product_coupon();
    pc.send_user_coupon(&send("PC-PER-USER-1", OPENID)?).await?;
    match pc.send_user_coupon(&send("PC-PER-USER-2", OPENID)?).await {
        Err(Error::Api(api)) => {
            assert_eq!((api.status, api.code.as_str()), (400, "INVALID_REQUEST"));
            assert!(
                api.message.contains("用户领取已达到上限"),
                "{}",
                api.message
            );
        }
        other => panic!("expected the per-user limit, got {other:?}"),
    }
    pc.send_user_coupon(&send("PC-PER-USER-3", "oUpF8uN95-Ptaags6E_roPHg7AG1")?)
        .await?;
    Ok(())
}

/// A clock the test moves forward.
#[derive(Debug)]
struct StepClock(std::sync::atomic::AtomicI64);

impl wechatpay_marketing::Clock for StepClock {
    fn now_unix(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// 商品券 daily limit (max_count_per_day): the second send of the day is refused with the
/// documented budget row, whoever the user, and sends work again once the simulator's clock
/// passes midnight in Beijing (16:00 UTC), not before.
#[tokio::test]
async fn product_coupon_daily_limit_turns_at_midnight_beijing() -> TestResult {
    // 2030-01-01T23:00:00+08:00: one hour before the day turns.
    let clock = Arc::new(StepClock(std::sync::atomic::AtomicI64::new(
        NOW + 15 * 3600,
    )));
    let sim = Simulator::builder().clock(clock.clone()).start().await?;
    // The client shares it: it checks the simulator's response timestamps against its own.
    let client = sim
        .client_builder()
        .clock(clock.clone())
        .timeout(Duration::from_secs(5))
        .build()?;
    let mut create = product_coupon_create_request("PC-PER-DAY")?;
    if let Some(stock) = create.stock.as_mut() {
        stock.stock_send_rule.max_count_per_day = Some(1);
        stock.stock_send_rule.max_count_per_user = Some(10);
    }
    let pc = client.product_coupon();
    let created = pc.create_product_coupon(&create).await?;
    let stock_id = created.stock.expect("the stock created with it").stock_id;
    let send = |no: &str, openid: &str| {
        product_coupon_send_request(&created.product_coupon_id, &stock_id, no, openid)
    };
    let other = "oUpF8uN95-Ptaags6E_roPHg7AG1";
    pc.send_user_coupon(&send("PC-PER-DAY-1", OPENID)?).await?;
    let refused = |r: Result<_, Error>| match r {
        Err(Error::Api(api)) => {
            assert_eq!((api.status, api.code.as_str()), (403, "NOT_ENOUGH"));
            assert!(api.message.contains("每日上限 1"), "{}", api.message);
        }
        other => panic!("expected the daily limit, got {other:?}"),
    };
    refused(pc.send_user_coupon(&send("PC-PER-DAY-2", other)?).await);
    // 23:59:59 in Beijing: still the same day.
    clock
        .0
        .store(NOW + 16 * 3600 - 1, std::sync::atomic::Ordering::SeqCst);
    refused(pc.send_user_coupon(&send("PC-PER-DAY-3", other)?).await);
    // 00:00 the next day in Beijing.
    clock
        .0
        .store(NOW + 16 * 3600, std::sync::atomic::Ordering::SeqCst);
    pc.send_user_coupon(&send("PC-PER-DAY-4", other)?).await?;
    refused(pc.send_user_coupon(&send("PC-PER-DAY-5", OPENID)?).await);
    // The stock's counters: two sent in all, one of them today.
    let stock = pc
        .query_stock(
            &product_coupon::QueryStockRequest::builder()
                .product_coupon_id(&created.product_coupon_id)
                .stock_id(&stock_id)
                .brand_id("120344")
                .build()?,
        )
        .await?;
    let counts = &stock.sent_count_info;
    assert_eq!((counts.total_count, counts.today_count), (Some(2), Some(1)));
    Ok(())
}

/// Issue 8: a paged list is walked by the generated `*_pages` walker, every item once. 代金券
/// pages by page index (offset = 0, 1, 2 …); 商品券 by page token.
#[tokio::test]
async fn paged_lists_are_walked_page_by_page_every_item_once() -> TestResult {
    let Setup { sim, client, .. } = setup().await?;
    let stock_id = started_favor_stock(&client, &favor_stock_request("STOCK-PAGES", 100)?).await?;
    let mut sent = std::collections::BTreeSet::new();
    for i in 0..7 {
        let coupon = client
            .favor()
            .send_coupon(&favor_send_request(&stock_id, &format!("PAGES-{i}"))?)
            .await?;
        sent.insert(coupon.coupon_id);
    }
    let request = favor::ListUserCouponsRequest::builder()
        .openid(OPENID)
        .appid(APPID)
        .stock_id(&stock_id)
        .creator_mchid(test_keys::MCHID)
        .offset(0)
        .limit(3)
        .build()?;
    let mut pages = client.favor().list_user_coupons_pages(&request);
    let mut sizes = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(items) = pages.next_page().await? {
        sizes.push(items.len());
        for coupon in items {
            assert!(
                seen.insert(coupon.coupon_id.clone()),
                "{} twice",
                coupon.coupon_id
            );
        }
    }
    assert_eq!(sizes, [3, 3, 1]);
    assert_eq!(seen, sent);
    assert_eq!(
        pages.next_page().await?,
        None,
        "an exhausted walk stays exhausted"
    );

    // 商品券: page tokens. Five coupons of one stock, two per page.
    let created = client
        .product_coupon()
        .create_product_coupon(&product_coupon_create_request("PC-PAGES")?)
        .await?;
    let stock = created.stock.expect("the stock created with it");
    let mut sent = std::collections::BTreeSet::new();
    for i in 0..5 {
        let coupon = client
            .product_coupon()
            .send_user_coupon(&product_coupon_send_request(
                &created.product_coupon_id,
                &stock.stock_id,
                &format!("PC-PAGES-{i}"),
                OPENID,
            )?)
            .await?;
        sent.insert(coupon.coupon_code);
    }
    let request = product_coupon::ListUserCouponsRequest::builder()
        .openid(OPENID)
        .product_coupon_id(&created.product_coupon_id)
        .stock_id(&stock.stock_id)
        .appid(APPID)
        .page_size(2)
        .brand_id("120344")
        .build()?;
    let mut pages = client.product_coupon().list_user_coupons_pages(&request);
    let mut sizes = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(items) = pages.next_page().await? {
        sizes.push(items.len());
        for coupon in items {
            assert!(
                seen.insert(coupon.coupon_code.clone()),
                "{} twice",
                coupon.coupon_code
            );
        }
    }
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(seen, sent);
    drop(sim);
    Ok(())
}
