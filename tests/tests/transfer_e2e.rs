//! The two transfer primitives over 127.0.0.1: a multipart upload whose signature covers the
//! meta JSON (checked by the server), and `download_to`, which streams an unsigned file,
//! checks its digest, and refuses links on other hosts.

use aws_lc_rs::digest;
use integration_tests::{test_client, MockWeChatPay, Reply};
use serde_json::{json, Value};
use wechatpay_marketing::runtime::operation::{ApiRequest, MultipartFile, OperationMeta};
use wechatpay_marketing::{DownloadError, Error};

static UPLOAD: OperationMeta = OperationMeta {
    id: "test.upload_image",
    method: "POST",
    path: "/v3/marketing/favor/media/image-upload",
    errors: &[],
    safe_to_retry: false,
};

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn multipart_upload_is_signed_over_the_meta_json() {
    let server = MockWeChatPay::start().await.expect("mock");
    server.stub(
        "POST",
        UPLOAD.path,
        200,
        r#"{"media_url":"https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/0"}"#,
    );
    let client = test_client(&server).expect("client");
    let image: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    let sha256 = hex(digest::digest(&digest::SHA256, &image).as_ref());
    let meta = json!({"filename": "logo.png", "sha256": sha256}).to_string();
    let answer: Value = client
        .execute(ApiRequest {
            operation: &UPLOAD,
            path_and_query: UPLOAD.path.into(),
            body: Some(meta.clone().into_bytes()),
            multipart: Some(MultipartFile {
                meta_part: "meta",
                file_part: "file",
                filename: "logo.png".into(),
                content_type: "image/png".into(),
                bytes: image.clone(),
            }),
        })
        .await
        .expect("verified answer");
    assert_eq!(
        answer["media_url"],
        "https://wxpaylogo.qpic.cn/wxpaylogo/xxxxx/0"
    );

    let r = &server.received()[0];
    assert_eq!(
        r.auth,
        Ok(()),
        "the server verified the signature over the meta JSON"
    );
    assert_eq!(r.parts.len(), 2);
    assert_eq!(r.parts[0].name, "meta");
    assert_eq!(r.parts[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(r.parts[0].body, meta.as_bytes());
    assert_eq!(r.parts[1].name, "file");
    assert_eq!(r.parts[1].filename.as_deref(), Some("logo.png"));
    assert_eq!(r.parts[1].content_type.as_deref(), Some("image/png"));
    assert_eq!(r.parts[1].body, image);
}

fn file_server(server: &MockWeChatPay, file: Vec<u8>) {
    server.set_handler(move |r| {
        if !r.path_and_query.starts_with("/v3/billdownload/file?token=") {
            return None;
        }
        Some(if r.path_and_query.ends_with("token=EXPIRED") {
            Reply::json(
                400,
                r#"{"code":"INVALID_REQUEST","message":"下载链接已过期，请重新获取"}"#,
            )
        } else {
            Reply::unsigned(200, file.clone()).header("Content-Type", "application/octet-stream")
        })
    });
}

#[tokio::test]
async fn download_streams_and_checks_the_digest() {
    let server = MockWeChatPay::start().await.expect("mock");
    let file: Vec<u8> = (0..3 * 1024 * 1024u32)
        .flat_map(|i| format!("{i},").into_bytes())
        .take(3 * 1024 * 1024)
        .collect();
    file_server(&server, file.clone());
    let client = test_client(&server).expect("client");
    let url = format!(
        "{}/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2",
        server.base_url()
    );
    let sha1 = hex(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &file).as_ref());
    let sha256 = hex(digest::digest(&digest::SHA256, &file).as_ref());

    let mut out = Vec::new();
    let n = client
        .download_to(&url, "SHA1", &sha1, &mut out)
        .await
        .expect("download");
    assert_eq!(n, file.len() as u64);
    assert!(out == file, "written whole");
    let mut out = Vec::new();
    client
        .download_to(&url, "sha256", &sha256.to_uppercase(), &mut out)
        .await
        .expect("SHA256 download");
    assert!(out == file);
    let r = &server.received()[0];
    assert_eq!(r.auth, Ok(()), "the download request is signed");
    assert_eq!(
        r.path_and_query,
        "/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2"
    );

    // Digest mismatch: typed, with the bytes to discard.
    let mut out = Vec::new();
    let wrong = "0".repeat(40);
    let err = client
        .download_to(&url, "SHA1", &wrong, &mut out)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Download(DownloadError::HashMismatch { written, hash_type: "SHA1", .. }) if *written == file.len() as u64),
        "{err:?}"
    );
    assert!(err.to_string().contains("discard"), "{err}");

    // Expired link.
    let expired = format!("{}/v3/billdownload/file?token=EXPIRED", server.base_url());
    let err = client
        .download_to(&expired, "SHA1", &sha1, &mut Vec::new())
        .await
        .unwrap_err();
    let Error::Download(DownloadError::Rejected(api)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((api.status, api.code.as_str()), (400, "INVALID_REQUEST"));
    assert!(err.to_string().contains("30 seconds"), "{err}");

    let sent = server.received().len();
    // Refused before anything is sent.
    let err = client
        .download_to(&url, "MD5", &sha1, &mut Vec::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Download(DownloadError::UnsupportedHashType(_))),
        "{err:?}"
    );
    let err = client
        .download_to(&url, "SHA1", "xyz", &mut Vec::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Download(DownloadError::InvalidHashValue)),
        "{err:?}"
    );
    for foreign in [
        "https://api.mch.weixin.qq.com.evil.example/v3/billdownload/file?token=x".to_owned(),
        "https://api.mch.weixin.qq.com/v3/billdownload/file?token=x".to_owned(),
        format!(
            "{}/v3/billdownload/file?token=x",
            server.base_url().replace("127.0.0.1", "localhost")
        ),
    ] {
        let err = client
            .download_to(&foreign, "SHA1", &sha1, &mut Vec::new())
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Download(DownloadError::ForeignOrigin(_))),
            "{foreign}: {err:?}"
        );
    }
    assert_eq!(
        server.received().len(),
        sent,
        "nothing was sent for refused links"
    );
}
