//! `multipart/form-data` bodies for uploads (图片上传…): the signed meta JSON part, then the
//! file part. The Authorization signature covers the meta JSON only, as the docs specify.

use crate::runtime::error::Error;
use crate::runtime::operation::MultipartFile;

/// The `Content-Type` header and the body for `meta_json` followed by `file`.
pub(crate) fn encode(meta_json: &[u8], file: &MultipartFile) -> Result<(String, Vec<u8>), Error> {
    let refuse = |what: &str| Error::Config(format!("multipart upload: {what}"));
    let header_safe = |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_control());
    if !header_safe(&file.filename) {
        return Err(refuse(
            "the file name must be non-empty, without control characters",
        ));
    }
    if !header_safe(&file.content_type) || file.content_type.contains(['"', ';']) {
        return Err(refuse("invalid file content type"));
    }
    for name in [file.meta_part, file.file_part] {
        if !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(refuse(
                "part names must be ASCII letters, digits, '_' or '-'",
            ));
        }
    }
    let boundary = loop {
        let b = format!(
            "------WechatpayBoundary{}",
            crate::runtime::signing::random_alphanumeric(
                &aws_lc_rs::rand::SystemRandom::new(),
                24
            )?
        );
        let clash = |hay: &[u8]| hay.windows(b.len()).any(|w| w == b.as_bytes());
        if !clash(meta_json) && !clash(&file.bytes) {
            break b;
        }
    };
    // Quotes and backslashes in the file name are escaped as browsers do (RFC 7578 §4.2).
    let filename = file.filename.replace('\\', "\\\\").replace('"', "%22");
    let mut body = Vec::with_capacity(meta_json.len() + file.bytes.len() + 512);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\nContent-Type: application/json\r\n\r\n",
            file.meta_part
        )
        .as_bytes(),
    );
    body.extend_from_slice(meta_json);
    body.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{filename}\"\r\nContent-Type: {}\r\n\r\n",
            file.file_part, file.content_type
        )
        .as_bytes(),
    );
    body.extend_from_slice(&file.bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Ok((format!("multipart/form-data; boundary={boundary}"), body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> MultipartFile {
        MultipartFile {
            meta_part: "meta",
            file_part: "file",
            filename: name.into(),
            content_type: "image/png".into(),
            bytes: b"\x89PNG\r\n--not-a-boundary".to_vec(),
        }
    }

    #[test]
    fn layout() {
        let meta = br#"{"filename":"a.png","sha256":"x"}"#;
        let (ct, body) = encode(meta, &file("a.png")).expect("encode");
        let boundary = ct
            .strip_prefix("multipart/form-data; boundary=")
            .expect("ct");
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{{\"filename\"")));
        assert!(text.contains(
            "name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\u{fffd}PNG"
        ));
        assert!(text.ends_with(&format!("\r\n--{boundary}--\r\n")));
    }

    #[test]
    fn refuses_header_injection() {
        assert!(encode(b"{}", &file("a\r\nX: y")).is_err());
        assert!(encode(b"{}", &file("")).is_err());
        let (_, body) = encode(b"{}", &file("a\"b.png")).expect("quoted");
        assert!(String::from_utf8_lossy(&body).contains("filename=\"a%22b.png\""));
    }
}
