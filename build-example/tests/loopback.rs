//! The operation generated at build time calls a signature-checking server on 127.0.0.1.

use build_example::favor::StartStockRequest;
use integration_tests::{test_client, MockWeChatPay, MCHID};

#[tokio::test]
async fn start_stock_generated_at_build_time_calls_the_server() {
    let server = MockWeChatPay::start().await.expect("server");
    server.stub(
        "POST",
        "/v3/marketing/favor/stocks/9865000/start",
        200,
        r#"{"start_time": "2015-05-20T13:29:35.120+08:00", "stock_id": "9865000"}"#,
    );
    let client = test_client(&server).expect("client");
    let request = StartStockRequest::builder()
        .stock_id("9865000")
        .stock_creator_mchid(MCHID)
        .build()
        .expect("request builds");
    let response = build_example::favor(&client)
        .start_stock(&request)
        .await
        .expect("the server answers");
    assert_eq!(response.stock_id, "9865000");
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].path_and_query,
        "/v3/marketing/favor/stocks/9865000/start"
    );
    assert_eq!(received[0].auth, Ok(()), "the request was signed");
}
