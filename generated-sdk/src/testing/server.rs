//! The HTTP side (hyper 1, HTTP/1.1): request signature verification, multipart uploads,
//! flow-file downloads, faults, response signing and the `/simulator/…` control endpoint.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;

use super::model::{Input, OpSpec, Rejection};
use super::{crypto, lock, multipart, notify, table, Fault, FaultRule, OperationInfo, Shared};

/// Requests larger than this are refused.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// How far a request timestamp may be from the simulator's clock.
const WINDOW_SECONDS: i64 = 300;

type Reply = Response<Full<Bytes>>;

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped after the effect was committed (injected fault)")
    }
}

impl std::error::Error for Dropped {}

pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors or a connection reset before accept: keep serving.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let shared = Arc::clone(&shared);
                async move { handle(shared, req).await }
            });
            // A client hanging up (or a dropped answer) ends the connection; nothing to report.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

struct Received {
    method: String,
    path: String,
    path_and_query: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Reply, Dropped> {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| path.clone());
    let query = decode_query(req.uri().query().unwrap_or(""));
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => {
            return Ok(signed(
                &shared,
                &Rejection {
                    status: 413,
                    code: "INVALID_REQUEST".into(),
                    message: format!("请求体超过 {MAX_BODY} 字节"),
                    detail: None,
                },
            ))
        }
    };
    let r = Received {
        method,
        path,
        path_and_query,
        query,
        headers,
        body,
    };
    if let Some(rest) = r.path.strip_prefix("/simulator/") {
        return Ok(control(&shared, &r, rest));
    }
    if r.method == "GET" && r.path == "/v3/billdownload/file" {
        return Ok(download(&shared, &r));
    }
    match shared.engine.route(&r.method, &r.path) {
        Ok((op, path_params)) => call(&shared, &r, op, path_params).await,
        Err(other_method) => Ok(signed(
            &shared,
            &Rejection {
                status: if other_method { 405 } else { 404 },
                code: if other_method {
                    "INVALID_REQUEST"
                } else {
                    "RESOURCE_NOT_EXISTS"
                }
                .into(),
                message: format!("{} {}: 无此接口", r.method, r.path),
                detail: None,
            },
        )),
    }
}

async fn call(
    shared: &Arc<Shared>,
    r: &Received,
    op: &'static OpSpec,
    path_params: Vec<(&'static str, String)>,
) -> Result<Reply, Dropped> {
    // An upload signs (and decodes) its meta part; everything else its body.
    let mut file = None;
    let meta;
    let json_body: &[u8] = match op.upload {
        Some(up) => match read_upload(r, up.meta_part, up.file_part) {
            Ok((m, f)) => {
                meta = m;
                file = Some(f);
                &meta
            }
            Err(rej) => return Ok(signed(shared, &rej)),
        },
        None => &r.body,
    };
    if let Err(why) = verify_request(shared, &r.method, &r.path_and_query, &r.headers, json_body) {
        return Ok(signed(
            shared,
            &Rejection {
                status: 401,
                code: "SIGN_ERROR".into(),
                message: format!("签名错误: {why}"),
                detail: None,
            },
        ));
    }
    if op.upload.is_none() && !r.body.is_empty() {
        let ct = r.header("content-type").unwrap_or("");
        if !ct
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("application/json")
        {
            return Ok(signed(
                shared,
                &Rejection {
                    status: 400,
                    code: "INVALID_REQUEST".into(),
                    message: format!("Content-Type 须为 application/json,收到 {ct:?}"),
                    detail: None,
                },
            ));
        }
    }
    let faults = shared.take_faults(op.id);
    if let Some((status, code)) = faults.iter().find_map(|f| match f {
        Fault::Error { status, code } => Some((*status, code.clone())),
        _ => None,
    }) {
        let rej = fault_error(op, status, code);
        shared.engine.record(
            op.id,
            None,
            super::Outcome::Refused,
            rej.status,
            None,
            &format!("injected fault: {} {}", rej.status, rej.code),
        );
        return Ok(signed(shared, &rej));
    }
    if let (Some(up), Some(f)) = (op.upload, &file) {
        if let Err(rej) = check_file(up, json_body, f) {
            return Ok(signed(shared, &rej));
        }
    }
    let input = Input {
        path_params: &path_params,
        query: &r.query,
        body: json_body,
        clock: &*shared.clock,
    };
    let answer = shared.engine.call(op, &input);
    for p in answer.notify {
        notify::spawn(Arc::clone(shared), p);
    }
    let mut signature = None;
    for f in &faults {
        match f {
            Fault::Delay { millis } => tokio::time::sleep(Duration::from_millis(*millis)).await,
            Fault::DropAfterCommit => return Err(Dropped),
            other => signature = Some(other.clone()),
        }
    }
    Ok(respond(
        shared,
        answer.status,
        answer.body,
        signature.as_ref(),
    ))
}

/// The `meta` JSON bytes and the file part of a multipart upload.
fn read_upload(
    r: &Received,
    meta_part: &str,
    file_part: &str,
) -> Result<(Vec<u8>, multipart::Part), Rejection> {
    let invalid = |m: String| Rejection {
        status: 400,
        code: "INVALID_REQUEST".into(),
        message: m,
        detail: None,
    };
    let ct = r.header("content-type").unwrap_or("");
    let boundary = multipart::boundary(ct).ok_or_else(|| {
        invalid(format!(
            "上传接口的 Content-Type 须为 multipart/form-data,收到 {ct:?}"
        ))
    })?;
    let parts = multipart::parse(&r.body, &boundary).map_err(invalid)?;
    let meta = parts
        .iter()
        .find(|p| p.name == meta_part)
        .ok_or_else(|| Rejection::param(format!("缺少 {meta_part} 部分")))?;
    let file = parts
        .iter()
        .find(|p| p.name == file_part)
        .ok_or_else(|| Rejection::param(format!("缺少 {file_part} 部分")))?;
    Ok((meta.data.clone(), file.clone()))
}

/// The documented size, type and digest rules of an uploaded file.
fn check_file(
    up: super::model::UploadSpec,
    meta: &[u8],
    file: &multipart::Part,
) -> Result<(), Rejection> {
    if let Some(max) = up.max_bytes {
        if file.data.len() as u64 > max {
            return Err(Rejection::param(format!(
                "文件大小 {} 字节,超过 {max} 字节",
                file.data.len()
            )));
        }
    }
    if !up.media_types.is_empty() {
        let by_name = file.filename.as_deref().and_then(media_type_of);
        let declared = file.content_type.as_deref().map(|c| c.to_ascii_lowercase());
        let ok = by_name
            .iter()
            .chain(declared.as_deref().iter())
            .any(|t| up.media_types.contains(t));
        if !ok {
            return Err(Rejection::param(format!(
                "文件类型须为 {},收到 {:?}",
                up.media_types.join("/"),
                file.content_type.as_deref().or(file.filename.as_deref())
            )));
        }
    }
    if let Some(field) = up.digest_field {
        let meta: Value = serde_json::from_slice(meta).unwrap_or(Value::Null);
        let want = meta.get(field).and_then(Value::as_str).unwrap_or("");
        let have = crypto::sha256_hex(&file.data);
        if !want.eq_ignore_ascii_case(&have) {
            return Err(Rejection::param(format!(
                "{field} 与文件内容不符: meta 为 {want:?},文件为 {have}"
            )));
        }
    }
    Ok(())
}

fn media_type_of(filename: &str) -> Option<&'static str> {
    let ext = filename.rsplit('.').next()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "bmp" => "image/bmp",
        "gif" => "image/gif",
        _ => return None,
    })
}

/// The documented error body for an injected status.
fn fault_error(op: &OpSpec, status: u16, code: Option<String>) -> Rejection {
    let documented = op
        .errors()
        .find(|e| e.status == status && code.as_deref().map_or(true, |c| c == e.code));
    let documented = documented.or_else(|| {
        (status >= 500)
            .then(|| op.errors().find(|e| e.code == "SYSTEM_ERROR"))
            .flatten()
    });
    match (documented, code) {
        // The documented body, answered with the injected status (a 503 stays a 503 even
        // when the page documents SYSTEM_ERROR as 500).
        (Some(row), _) => Rejection {
            status,
            ..Rejection::row(row, row.description)
        },
        (None, Some(code)) => Rejection {
            status,
            code,
            message: "模拟的错误".into(),
            detail: None,
        },
        (None, None) => Rejection {
            status,
            code: match status {
                429 => "FREQUENCY_LIMITED",
                s if s >= 500 => "SYSTEM_ERROR",
                _ => "INVALID_REQUEST",
            }
            .into(),
            message: match status {
                429 => "请求过于频繁",
                s if s >= 500 => "系统错误",
                _ => "请求不合法",
            }
            .into(),
            detail: None,
        },
    }
}

/// Checks `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",
/// timestamp="…",serial_no="…"` as WeChat Pay does; `Err` says why not.
fn verify_request(
    shared: &Shared,
    method: &str,
    path_and_query: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(), String> {
    let auth = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.as_str())
        .ok_or("缺少 Authorization")?;
    let params = auth
        .strip_prefix("WECHATPAY2-SHA256-RSA2048 ")
        .ok_or("认证类型须为 WECHATPAY2-SHA256-RSA2048")?;
    let mut fields = std::collections::BTreeMap::new();
    for part in params.split(',') {
        let (k, v) = part.split_once('=').ok_or("Authorization 格式错误")?;
        let v = v
            .trim()
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or("Authorization 的值须加引号")?;
        if fields.insert(k.trim(), v).is_some() {
            return Err(format!("Authorization 中 {k} 重复"));
        }
    }
    let field = |k: &str| {
        fields
            .get(k)
            .copied()
            .ok_or_else(|| format!("Authorization 缺少 {k}"))
    };
    let (mchid, nonce, signature, timestamp, serial) = (
        field("mchid")?,
        field("nonce_str")?,
        field("signature")?,
        field("timestamp")?,
        field("serial_no")?,
    );
    if mchid != shared.mchid {
        return Err(format!(
            "mchid {mchid} 与模拟器配置的 {} 不符",
            shared.mchid
        ));
    }
    if serial != shared.merchant_serial {
        return Err(format!("商户证书序列号 {serial} 不符"));
    }
    if nonce.is_empty() {
        return Err("nonce_str 为空".into());
    }
    let ts: i64 = timestamp.parse().map_err(|_| "timestamp 不是整数")?;
    let now = shared.clock.now_unix();
    if (ts - now).abs() > WINDOW_SECONDS {
        return Err(format!("timestamp {ts} 与当前时间 {now} 相差超过 5 分钟"));
    }
    let mut message = format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    shared.merchant_key.verify(&message, signature)
}

/// `Wechatpay-*` headers signing `body`, possibly misbehaving.
pub(crate) fn signature_headers(
    shared: &Shared,
    body: &[u8],
    fault: Option<&Fault>,
) -> Vec<(String, String)> {
    let now = shared.clock.now_unix();
    let timestamp = match fault {
        Some(Fault::StaleSignature) => now - 600,
        _ => now,
    }
    .to_string();
    let nonce = crypto::random_alphanumeric(32);
    let mut message = format!("{timestamp}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    if matches!(fault, Some(Fault::BadSignature)) {
        message.extend_from_slice(b"tampered");
    }
    let signature = shared.platform_key.sign(&message);
    let serial = match fault {
        Some(Fault::UnknownSerial) => "PUB_KEY_ID_0199999999999999999999999999".to_owned(),
        _ => shared.public_key_id.clone(),
    };
    vec![
        ("Wechatpay-Timestamp".into(), timestamp),
        ("Wechatpay-Nonce".into(), nonce),
        ("Wechatpay-Signature".into(), signature),
        ("Wechatpay-Serial".into(), serial),
        (
            "Wechatpay-Signature-Type".into(),
            "WECHATPAY2-SHA256-RSA2048".into(),
        ),
    ]
}

fn request_id(shared: &Shared) -> String {
    let n = shared.request_ids.fetch_add(1, Ordering::Relaxed);
    format!(
        "08{}{n:016X}",
        crypto::random_alphanumeric(16).to_ascii_uppercase()
    )
}

/// A signed answer, as WeChat Pay sends them (error answers are signed too).
fn respond(shared: &Shared, status: u16, body: Vec<u8>, fault: Option<&Fault>) -> Reply {
    let mut headers = signature_headers(shared, &body, fault);
    headers.push(("Request-ID".into(), request_id(shared)));
    if !body.is_empty() {
        headers.push((
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        ));
    }
    build(status, headers, body)
}

fn signed(shared: &Shared, r: &Rejection) -> Reply {
    respond(shared, r.status, r.body(), None)
}

fn build(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Reply {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
            response.headers_mut().append(k, v);
        }
    }
    response
}

/// `GET /v3/billdownload/file?token=…`: a signed request, an unsigned answer (the file).
fn download(shared: &Shared, r: &Received) -> Reply {
    if let Err(why) = verify_request(shared, &r.method, &r.path_and_query, &r.headers, &r.body) {
        return signed(
            shared,
            &Rejection {
                status: 401,
                code: "SIGN_ERROR".into(),
                message: format!("签名错误: {why}"),
                detail: None,
            },
        );
    }
    let token = r
        .query
        .iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    match shared.engine.file(token) {
        Ok(bytes) => build(
            200,
            vec![
                ("Request-ID".into(), request_id(shared)),
                ("Content-Type".into(), "application/octet-stream".into()),
            ],
            bytes,
        ),
        Err(rej) => signed(shared, &rej),
    }
}

fn decode_query(q: &str) -> Vec<(String, String)> {
    let dec = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (dec(k), dec(v))
        })
        .collect()
}

pub(crate) fn operation_infos(shared: &Shared) -> Vec<OperationInfo> {
    shared
        .engine
        .operations()
        .iter()
        .map(|op| OperationInfo {
            id: op.id.to_owned(),
            method: op.method.to_owned(),
            path: op.path.to_owned(),
            idempotency_keys: op
                .idempotency_keys
                .iter()
                .map(|k| (*k).to_owned())
                .collect(),
            stateful: table::behavior(op.id)
                .is_some_and(|b| !matches!(b.act, table::Act::Echo) || !b.checks.is_empty()),
        })
        .collect()
}

/// `/simulator/…`: unsigned JSON for test harnesses and other languages.
fn control(shared: &Arc<Shared>, r: &Received, rest: &str) -> Reply {
    let ok = |v: Value| {
        build(
            200,
            vec![("Content-Type".into(), "application/json".into())],
            serde_json::to_vec(&v).unwrap_or_default(),
        )
    };
    let fail = |status: u16, message: String| {
        build(
            status,
            vec![("Content-Type".into(), "application/json".into())],
            serde_json::to_vec(&json!({"code": "PARAM_ERROR", "message": message}))
                .unwrap_or_default(),
        )
    };
    let body: Value = if r.body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(&r.body) {
            Ok(v) => v,
            Err(e) => return fail(400, format!("body is not JSON: {e}")),
        }
    };
    match (r.method.as_str(), rest) {
        ("GET", "health") => ok(json!({"status": "ok"})),
        ("GET", "operations") => ok(json!(operation_infos(shared))),
        ("GET", "ledger") => ok(json!(shared.engine.ledger())),
        ("GET", "deliveries") => ok(json!(lock(&shared.deliveries).clone())),
        ("GET", "faults") => ok(json!(lock(&shared.faults).clone())),
        ("POST", "faults") => match serde_json::from_value::<FaultRule>(body) {
            Ok(rule) => {
                lock(&shared.faults).push(rule);
                ok(json!({"status": "ok"}))
            }
            Err(e) => fail(400, format!("not a fault rule: {e}")),
        },
        ("DELETE", "faults") => {
            lock(&shared.faults).clear();
            ok(json!({"status": "ok"}))
        }
        ("POST", "reset") => {
            shared.engine.reset();
            ok(json!({"status": "ok"}))
        }
        ("GET", p) if p.starts_with("entities/") => {
            ok(json!(shared.engine.entities(&p["entities/".len()..])))
        }
        ("POST", p) if p.starts_with("actions/") => {
            match shared.act(&p["actions/".len()..], body) {
                Ok(entity) => ok(entity),
                Err(e) => build(
                    e.status,
                    vec![("Content-Type".into(), "application/json".into())],
                    serde_json::to_vec(&json!({"code": e.code, "message": e.message}))
                        .unwrap_or_default(),
                ),
            }
        }
        _ => fail(
            404,
            format!("no control endpoint {} /simulator/{rest}", r.method),
        ),
    }
}
