//! `multipart/form-data` bodies for uploads (图片上传…): the signed meta JSON part, then the
//! file part. The Authorization signature covers the meta JSON only, as the docs specify.
//! Also the local checks generated upload methods run first (size, media type, digest).

use crate::runtime::error::Error;
use crate::runtime::operation::MultipartFile;
use crate::runtime::validation::{Rule, Validator};

/// Lower-case hex SHA-256 of `bytes`: the file digest upload meta parts carry (`sha256`).
#[doc(hidden)]
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::runtime::operation::sha256_hex(bytes)
}

/// The media type of `bytes` by its signature: JPEG, PNG, BMP, GIF or WebP.
pub fn sniff_media_type(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: [(&[u8], &str); 6] = [
        (b"\xFF\xD8\xFF", "image/jpeg"),
        (b"\x89PNG\r\n\x1A\n", "image/png"),
        (b"BM", "image/bmp"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"RIFF", "image/webp"),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, ty)| {
            bytes.starts_with(magic)
                && (*ty != "image/webp" || bytes.get(8..12) == Some(b"WEBP".as_slice()))
        })
        .map(|(_, ty)| *ty)
}

/// Checks a file before an upload: at most `max_bytes`, and (when `media_types` is not
/// empty) of one of `media_types` by its content. Returns the media type to send
/// (`application/octet-stream` when no types are documented and none is recognised), or
/// [`Error::Validation`] at path `file_part`. Called by generated upload methods.
#[doc(hidden)]
pub fn check_file(
    bytes: &[u8],
    max_bytes: Option<u64>,
    media_types: &[&str],
    file_part: &'static str,
) -> Result<&'static str, Error> {
    let mut v = Validator::new(0);
    if bytes.is_empty() {
        v.report_at(file_part, "文件", Rule::Required, "the file is empty");
    }
    if let Some(max) = max_bytes {
        if bytes.len() as u64 > max {
            v.report_at(
                file_part,
                "文件",
                Rule::MaxLength,
                format!("{} bytes, at most {max}", bytes.len()),
            );
        }
    }
    let sniffed = sniff_media_type(bytes);
    let media_type = match sniffed {
        Some(t)
            if media_types.is_empty() || media_types.iter().any(|m| m.eq_ignore_ascii_case(t)) =>
        {
            t
        }
        None if media_types.is_empty() => "application/octet-stream",
        other => {
            v.report_at(
                file_part,
                "文件",
                Rule::Enum,
                format!(
                    "content is {}, expected one of {}",
                    other.unwrap_or("not a recognised image"),
                    media_types.join(", ")
                ),
            );
            "application/octet-stream"
        }
    };
    v.finish().map_err(Error::Validation)?;
    Ok(media_type)
}

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
    fn checks_size_and_media_type() {
        let png = b"\x89PNG\r\n\x1A\n rest".to_vec();
        let types = ["image/jpeg", "image/bmp", "image/png"];
        assert_eq!(
            check_file(&png, Some(100), &types, "file").expect("ok"),
            "image/png"
        );
        assert_eq!(
            check_file(b"\xFF\xD8\xFF\xE0", None, &types, "file").expect("ok"),
            "image/jpeg"
        );
        assert_eq!(
            check_file(b"data", None, &[], "file").expect("ok"),
            "application/octet-stream"
        );
        let Err(Error::Validation(e)) = check_file(&png, Some(4), &["image/jpeg"], "file") else {
            panic!("expected violations")
        };
        let lines: Vec<String> = e.violations().iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "file: 13 bytes, at most 4 (【文件】)",
                "file: content is image/png, expected one of image/jpeg (【文件】)",
            ]
        );
        assert!(check_file(b"", None, &[], "file").is_err());
        assert!(check_file(b"GIF89a..", None, &types, "file").is_err());
        assert_eq!(
            sniff_media_type(b"RIFF\0\0\0\0WEBPVP8 "),
            Some("image/webp")
        );
        assert_eq!(sniff_media_type(b"RIFF\0\0\0\0WAVE"), None);
    }

    #[test]
    fn refuses_header_injection() {
        assert!(encode(b"{}", &file("a\r\nX: y")).is_err());
        assert!(encode(b"{}", &file("")).is_err());
        let (_, body) = encode(b"{}", &file("a\"b.png")).expect("quoted");
        assert!(String::from_utf8_lossy(&body).contains("filename=\"a%22b.png\""));
    }
}
