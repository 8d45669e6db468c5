//! Operation kinds beyond plain JSON: paged lists (`pagination:`), multipart uploads
//! (`upload:`) and file links (`download:`), checked against the request and response types
//! once every type of the family exists.

use super::*;

/// Resolves `pagination`, `upload` and `download` of every operation in the family.
pub(super) fn check_kinds_in_family(ctx: &mut Ctx, files: &[&RawFile], fam: &mut Family) {
    let mut resolved = Vec::new();
    for f in files {
        for (op_id, op) in &f.operations {
            let Some(o) = fam.operations.iter().find(|o| o.id == *op_id) else {
                continue;
            };
            let path = format!("operations.{op_id}");
            let request = fam.find_object(&o.request_type);
            let response = o
                .response
                .type_name
                .as_deref()
                .and_then(|t| fam.find_object(t));
            let pagination = op
                .pagination
                .as_ref()
                .and_then(|p| pagination(ctx, &f.file, &path, p, request, response));
            let upload = op
                .upload
                .as_ref()
                .and_then(|u| upload(ctx, &f.file, &path, u, o.method, request));
            let download = op
                .download
                .as_ref()
                .and_then(|d| download(ctx, &f.file, &path, d, response));
            resolved.push((op_id.clone(), pagination, upload, download));
        }
    }
    for (id, p, u, d) in resolved {
        let Some(o) = fam.operations.iter_mut().find(|o| o.id == id) else {
            continue;
        };
        // The client computes an upload's digest from the file: callers never set it.
        if let Some(digest) = u.as_ref().and_then(|u| u.digest_field.clone()) {
            let request = o.request_type.clone();
            for t in &mut o.local_types {
                if let TypeDef::Object(obj) = t {
                    if obj.name != request {
                        continue;
                    }
                    for f in obj.fields.iter_mut().filter(|f| f.wire_name == digest) {
                        f.required = false;
                        f.doc.user_note.get_or_insert_with(|| {
                            "Filled in by the client: the SHA-256 (hex) of the file passed to the upload method.".to_string()
                        });
                    }
                }
            }
        }
        o.pagination = p;
        o.upload = u;
        o.download = d;
    }
}

/// The named field of `object`, or a diagnostic at `at`.
fn field_of<'a>(
    ctx: &mut Ctx,
    file: &str,
    at: &str,
    object: Option<&'a ObjectType>,
    name: &str,
    what: &str,
) -> Option<&'a Field> {
    let o = object?;
    let found = o.fields.iter().find(|f| f.wire_name == name);
    if found.is_none() {
        let known: Vec<&str> = o.fields.iter().map(|f| f.wire_name.as_str()).collect();
        ctx.diags.error(
            file,
            at,
            format!(
                "`{name}` is not a field of the {what} `{}` (fields: {})",
                o.name,
                known.join(", ")
            ),
        );
    }
    found
}

fn expect_ty(ctx: &mut Ctx, file: &str, at: &str, f: Option<&Field>, ok: bool, want: &str) {
    if let Some(f) = f {
        if !ok {
            ctx.diags
                .error(file, at, format!("`{}` must be {want}", f.wire_name));
        }
    }
}

fn is_integer(f: Option<&Field>) -> bool {
    f.is_some_and(|f| f.schema.ty == Ty::Integer)
}

fn is_stringish(f: Option<&Field>) -> bool {
    f.is_some_and(|f| matches!(f.schema.ty, Ty::String | Ty::Enum(_)))
}

fn pagination(
    ctx: &mut Ctx,
    file: &str,
    path: &str,
    p: &RawPagination,
    request: Option<&ObjectType>,
    response: Option<&ObjectType>,
) -> Option<Pagination> {
    let pp = format!("{path}.pagination");
    if response.is_none() {
        ctx.diags
            .error(file, &pp, "a paged list needs a response object");
        return None;
    }
    let items = field_of(
        ctx,
        file,
        &format!("{pp}.items"),
        response,
        &p.items,
        "response",
    );
    expect_ty(
        ctx,
        file,
        &format!("{pp}.items"),
        items,
        items.is_some_and(|f| matches!(f.schema.ty, Ty::Array(_))),
        "an array",
    );
    let need = |ctx: &mut Ctx, key: &str, v: &Option<String>| -> Option<String> {
        if v.is_none() {
            ctx.diags.error(
                file,
                format!("{pp}.{key}"),
                format!("pagination style `{}` needs `{key}`", p.style),
            );
        }
        v.clone()
    };
    match p.style.as_str() {
        "offset" => {
            let offset = need(ctx, "offset", &p.offset);
            let limit = need(ctx, "limit", &p.limit);
            for (key, v) in [("token", &p.token), ("next", &p.next)] {
                if v.is_some() {
                    ctx.diags.error(
                        file,
                        format!("{pp}.{key}"),
                        format!("`{key}` belongs to `style: token`"),
                    );
                }
            }
            let offset_is_page = match p.offset_unit.as_deref() {
                None | Some("item") => false,
                Some("page") => true,
                Some(other) => {
                    ctx.diags.error(
                        file,
                        format!("{pp}.offset_unit"),
                        format!("unknown offset unit `{other}` (expected `item` or `page`)"),
                    );
                    false
                }
            };
            let (offset, limit) = (offset?, limit?);
            for (key, name) in [("offset", &offset), ("limit", &limit)] {
                let at = format!("{pp}.{key}");
                let f = field_of(ctx, file, &at, request, name, "request");
                expect_ty(ctx, file, &at, f, is_integer(f), "an integer");
            }
            if let Some(t) = &p.total {
                let at = format!("{pp}.total");
                let f = field_of(ctx, file, &at, response, t, "response");
                expect_ty(ctx, file, &at, f, is_integer(f), "an integer");
            }
            items?;
            Some(Pagination::Offset {
                offset,
                offset_is_page,
                limit,
                total: p.total.clone(),
                items: p.items.clone(),
            })
        }
        "token" => {
            let token = need(ctx, "token", &p.token);
            let next = need(ctx, "next", &p.next);
            for (key, v) in [
                ("offset", &p.offset),
                ("offset_unit", &p.offset_unit),
                ("total", &p.total),
            ] {
                if v.is_some() {
                    ctx.diags.error(
                        file,
                        format!("{pp}.{key}"),
                        format!("`{key}` belongs to `style: offset`"),
                    );
                }
            }
            let (token, next) = (token?, next?);
            let at = format!("{pp}.token");
            let f = field_of(ctx, file, &at, request, &token, "request");
            expect_ty(ctx, file, &at, f, is_stringish(f), "a string");
            let at = format!("{pp}.next");
            let f = field_of(ctx, file, &at, response, &next, "response");
            expect_ty(ctx, file, &at, f, is_stringish(f), "a string");
            if let Some(l) = &p.limit {
                let at = format!("{pp}.limit");
                let f = field_of(ctx, file, &at, request, l, "request");
                expect_ty(ctx, file, &at, f, is_integer(f), "an integer");
            }
            items?;
            Some(Pagination::Token {
                token,
                limit: p.limit.clone(),
                next,
                items: p.items.clone(),
            })
        }
        other => {
            ctx.diags.error(
                file,
                format!("{pp}.style"),
                format!("unknown pagination style `{other}` (expected `offset` or `token`)"),
            );
            None
        }
    }
}

fn upload(
    ctx: &mut Ctx,
    file: &str,
    path: &str,
    u: &RawUpload,
    method: Method,
    request: Option<&ObjectType>,
) -> Option<Upload> {
    let up = format!("{path}.upload");
    let mut ok = true;
    if method != Method::POST {
        ctx.diags.error(file, &up, "an upload is sent with POST");
        ok = false;
    }
    for (key, v) in [("meta_part", &u.meta_part), ("file_part", &u.file_part)] {
        if v.is_empty() || v.trim() != v {
            ctx.diags.error(
                file,
                format!("{up}.{key}"),
                "a multipart part name must be non-empty and without surrounding spaces",
            );
            ok = false;
        }
    }
    if u.meta_part == u.file_part {
        ctx.diags.error(
            file,
            format!("{up}.file_part"),
            "the file part and the meta part need different names",
        );
        ok = false;
    }
    if let Some(d) = &u.digest_field {
        let at = format!("{up}.digest_field");
        let f = field_of(ctx, file, &at, request, d, "request");
        expect_ty(
            ctx,
            file,
            &at,
            f,
            f.is_some_and(|f| f.schema.ty == Ty::String && f.location == Location::Body),
            "a string body (meta) field",
        );
        ok &= f.is_some();
    }
    if let Some(r) = request {
        if r.fields.iter().any(|f| f.location != Location::Body) {
            ctx.diags
                .error(file, &up, "an upload's request has only body (meta) fields");
            ok = false;
        }
    }
    let max_bytes = match u.max_bytes {
        Some(b) if b > 0 => Some(b as u64),
        Some(b) => {
            ctx.diags.error(
                file,
                format!("{up}.max_bytes"),
                format!("`max_bytes` must be positive, got {b}"),
            );
            ok = false;
            None
        }
        None => None,
    };
    for (i, m) in u.media_types.iter().enumerate() {
        let valid = m.split_once('/').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && m.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "/+-.".contains(c))
        });
        if !valid {
            ctx.diags.error(
                file,
                format!("{up}.media_types[{i}]"),
                format!("`{m}` is not a lowercase media type (image/png)"),
            );
            ok = false;
        }
    }
    ok.then(|| Upload {
        meta_part: u.meta_part.clone(),
        file_part: u.file_part.clone(),
        digest_field: u.digest_field.clone(),
        max_bytes,
        media_types: u.media_types.clone(),
    })
}

fn download(
    ctx: &mut Ctx,
    file: &str,
    path: &str,
    d: &RawDownload,
    response: Option<&ObjectType>,
) -> Option<Download> {
    let dp = format!("{path}.download");
    if response.is_none() {
        ctx.diags
            .error(file, &dp, "a download link needs a response object");
        return None;
    }
    let mut ok = true;
    for (key, name) in [
        ("url", &d.url),
        ("hash_value", &d.hash_value),
        ("hash_type", &d.hash_type),
    ] {
        let at = format!("{dp}.{key}");
        let f = field_of(ctx, file, &at, response, name, "response");
        expect_ty(ctx, file, &at, f, is_stringish(f), "a string");
        ok &= is_stringish(f);
    }
    let expires_seconds = match d.expires_seconds {
        Some(s) if s > 0 && s <= u32::MAX as i64 => Some(s as u32),
        Some(s) => {
            ctx.diags.error(
                file,
                format!("{dp}.expires_seconds"),
                format!("`expires_seconds` must be positive, got {s}"),
            );
            None
        }
        None => None,
    };
    ok.then(|| Download {
        url: d.url.clone(),
        hash_value: d.hash_value.clone(),
        hash_type: d.hash_type.clone(),
        expires_seconds,
    })
}
