//! A small `multipart/form-data` reader for the upload operations (a `meta` JSON part and a
//! file part), enough for what WeChat Pay's clients send.

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// The boundary of a `multipart/form-data; boundary=…` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
}

/// The parts of `body`, or why it is not well-formed.
pub(crate) fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut rest = match find(body, &delimiter) {
        Some(i) => &body[i + delimiter.len()..],
        None => return Err("no multipart boundary in the body".into()),
    };
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or("malformed multipart boundary line")?;
        let header_end = find(rest, b"\r\n\r\n").ok_or("multipart part without headers")?;
        let headers = std::str::from_utf8(&rest[..header_end])
            .map_err(|_| "multipart headers are not UTF-8")?;
        let after = &rest[header_end + 4..];
        let mut close = b"\r\n".to_vec();
        close.extend_from_slice(&delimiter);
        let end = find(after, &close).ok_or("multipart part is not terminated")?;
        let mut part = Part {
            name: String::new(),
            filename: None,
            content_type: None,
            data: after[..end].to_vec(),
        };
        for line in headers.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                for param in v.split(';').skip(1) {
                    if let Some((pk, pv)) = param.split_once('=') {
                        let pv = pv.trim().trim_matches('"').to_owned();
                        match pk.trim() {
                            "name" => part.name = pv,
                            "filename" => part.filename = Some(pv),
                            _ => {}
                        }
                    }
                }
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                part.content_type = Some(v.trim().to_owned());
            }
        }
        parts.push(part);
        rest = &after[end + close.len()..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_meta_and_file() {
        let ct = "multipart/form-data; boundary=\"XyZ\"";
        let b = boundary(ct).expect("boundary");
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"filename\":\"a.png\"}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\r\n--XyZ--\r\n";
        let parts = parse(body, &b).expect("parts");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "meta");
        assert_eq!(parts[0].data, b"{\"filename\":\"a.png\"}");
        assert_eq!(parts[1].filename.as_deref(), Some("a.png"));
        assert_eq!(parts[1].content_type.as_deref(), Some("image/png"));
        assert_eq!(parts[1].data, b"\x89PNG\r\n");
        assert!(parse(b"garbage", &b).is_err());
        assert_eq!(boundary("application/json"), None);
    }
}
