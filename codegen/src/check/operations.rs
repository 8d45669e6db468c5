//! Operations: method, path and its placeholders, request parameters by location, response,
//! error rows, idempotency keys and source; plus the path/query helpers examples share.

use crate::ir::*;
use crate::naming;
use crate::raw::*;
use std::collections::{BTreeMap, BTreeSet};

use super::*;

pub(super) fn check_operation(
    ctx: &mut Ctx,
    file: &str,
    path: &str,
    op_id: &str,
    op: &RawOperation,
) -> Option<Operation> {
    if naming::field_name(op_id) != op_id
        || naming::is_keyword(op_id)
        || naming::RESERVED_METHODS.contains(&op_id)
    {
        ctx.diags.error(file, path, format!("operation id `{op_id}` must be a snake_case identifier that is not a keyword or reserved method name"));
    }
    let method = match op.method.as_str() {
        "GET" => Method::GET,
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        "DELETE" => Method::DELETE,
        other => {
            ctx.diags.error(
                file,
                format!("{path}.method"),
                format!("unknown HTTP method `{other}`"),
            );
            Method::GET
        }
    };
    if op.path.chars().any(char::is_whitespace) {
        ctx.diags.error(
            file,
            format!("{path}.path"),
            format!(
                "path `{}` contains whitespace, which would be sent on the wire; remove it",
                op.path
            ),
        );
    }
    if !op.path.starts_with("/v3/") {
        ctx.diags
            .error(file, format!("{path}.path"), "path must start with /v3/");
    }
    let placeholders = path_placeholders(&op.path);
    if placeholders.is_none() {
        ctx.diags
            .error(file, format!("{path}.path"), "unbalanced `{` `}` in path");
    }
    let placeholders = placeholders.unwrap_or_default();
    let empty = RawRequest {
        name: None,
        headers: vec![],
        path_params: vec![],
        query: vec![],
        body: vec![],
        rules: vec![],
        note: None,
    };
    let req = op.request.as_ref().unwrap_or(&empty);
    let rpath = format!("{path}.request");
    let path_fields = check_fields(
        ctx,
        file,
        &format!("{rpath}.path_params"),
        &req.path_params,
        Location::Path,
        true,
    );
    let query_fields = check_fields(
        ctx,
        file,
        &format!("{rpath}.query"),
        &req.query,
        Location::Query,
        false,
    );
    let body_fields = check_fields(
        ctx,
        file,
        &format!("{rpath}.body"),
        &req.body,
        Location::Body,
        false,
    );
    let declared: BTreeSet<&str> = path_fields.iter().map(|f| f.wire_name.as_str()).collect();
    for p in &placeholders {
        if !declared.contains(p.as_str()) {
            ctx.diags.error(
                file,
                format!("{rpath}.path_params"),
                format!("path parameter `{{{p}}}` of `{}` is not declared", op.path),
            );
        }
    }
    for f in &path_fields {
        if !placeholders.contains(&f.wire_name) {
            ctx.diags.error(
                file,
                format!("{rpath}.path_params.{}", f.wire_name),
                format!("`{}` does not appear in path `{}`", f.wire_name, op.path),
            );
        }
        if !matches!(f.schema.ty, Ty::String | Ty::Integer) {
            ctx.diags.error(
                file,
                format!("{rpath}.path_params.{}", f.wire_name),
                "path parameters must be strings or integers",
            );
        }
    }
    for f in &query_fields {
        let ok = match &f.schema.ty {
            Ty::String | Ty::Integer | Ty::Number | Ty::Boolean => true,
            Ty::Enum(_) => !f.required,
            Ty::Array(item) => matches!(item.ty, Ty::String | Ty::Integer | Ty::Enum(_)),
            Ty::Object(_) => false,
        };
        if !ok {
            ctx.diags.error(
                file,
                format!("{rpath}.query.{}", f.wire_name),
                "query parameters must be scalars, optional enums or arrays of scalars",
            );
        }
    }
    if method == Method::GET && !body_fields.is_empty() {
        ctx.diags
            .error(file, format!("{rpath}.body"), "a GET request has no body");
    }
    // One Rust namespace for all request fields.
    let mut all_fields = Vec::new();
    let mut rust_seen: BTreeMap<String, String> = BTreeMap::new();
    for f in path_fields
        .into_iter()
        .chain(query_fields)
        .chain(body_fields)
    {
        if let Some(prev) = rust_seen.insert(f.rust_name.clone(), f.wire_name.clone()) {
            ctx.diags.error(
                file,
                &rpath,
                format!(
                    "request fields `{prev}` and `{}` both become `{}` in Rust",
                    f.wire_name, f.rust_name
                ),
            );
            continue;
        }
        all_fields.push(f);
    }
    let headers = req
        .headers
        .iter()
        .map(|h| HeaderParam {
            name: h.name.clone().unwrap_or_default(),
            required: h.required.unwrap_or(false),
            description: h.description.clone(),
            gloss: clean(&h.gloss),
        })
        .collect();
    let request_type = request_name(op_id, op);
    let mut local_types = vec![TypeDef::Object(ObjectType {
        name: request_type.clone(),
        doc: doc(
            &Some(op.title.clone()),
            &Some(op.summary.clone()),
            &req.note,
        ),
        fields: all_fields,
        rules: Vec::new(),
        in_request: true,
        in_response: false,
    })];
    // Response.
    let resp_path = format!("{path}.response");
    if !(100..=599).contains(&op.response.status) {
        ctx.diags.error(
            file,
            format!("{resp_path}.status"),
            format!("`{}` is not an HTTP status", op.response.status),
        );
    }
    let status = op.response.status.clamp(100, 599) as u16;
    let type_name = match (&op.response.fields, &op.response.ty) {
        (Some(_), Some(_)) => {
            ctx.diags
                .error(file, &resp_path, "give either `fields` or `type`, not both");
            None
        }
        (Some(fields), None) => {
            let name = response_name(op_id, op);
            let fields = check_fields(
                ctx,
                file,
                &format!("{resp_path}.fields"),
                fields,
                Location::Body,
                false,
            );
            local_types.push(TypeDef::Object(ObjectType {
                name: name.clone(),
                doc: doc(&None, &op.response.description, &op.response.note),
                fields,
                rules: Vec::new(),
                in_request: false,
                in_response: true,
            }));
            Some(name)
        }
        (None, Some(t)) => match ctx.names.get(t) {
            Some(d) if !d.is_enum => Some(t.clone()),
            _ => {
                ctx.diags.error(
                    file,
                    format!("{resp_path}.type"),
                    format!("unknown object type `{t}` in family `{}`", ctx.family),
                );
                None
            }
        },
        (None, None) => {
            if status != 204 {
                ctx.diags.error(
                    file,
                    &resp_path,
                    "a response with a body needs `fields` or `type` (only 204 has no body)",
                );
            }
            None
        }
    };
    if status == 204 && type_name.is_some() {
        ctx.diags
            .error(file, &resp_path, "a 204 No Content response has no body");
    }
    // Errors.
    let mut errors = Vec::new();
    for (i, e) in op.errors.iter().enumerate() {
        let epath = format!("{path}.errors[{i}]");
        if !(400..=599).contains(&e.status) {
            ctx.diags.error(
                file,
                format!("{epath}.status"),
                format!("`{}` is not an HTTP error status", e.status),
            );
        }
        if e.code.is_empty()
            || !e
                .code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            ctx.diags.error(
                file,
                format!("{epath}.code"),
                format!("error code `{}` must be UPPER_SNAKE_CASE", e.code),
            );
        }
        if let Some(g) = &e.group {
            if g != "common" && g != "business" {
                ctx.diags.error(
                    file,
                    format!("{epath}.group"),
                    format!("unknown group `{g}` (expected `common` or `business`)"),
                );
            }
        }
        errors.push(ErrorRow {
            status: e.status.clamp(100, 599) as u16,
            code: e.code.clone(),
            description: e.description.trim().to_string(),
            solution: e.solution.trim().to_string(),
            group: e.group.clone(),
            gloss: clean(&e.gloss),
            note: e.note.clone(),
        });
    }
    let idempotency = op.idempotency.as_ref().map(|i| Idempotency {
        keys: i.keys.clone(),
        description: i.description.clone(),
    });
    if let Some(i) = &op.idempotency {
        for k in &i.keys {
            if !req
                .body
                .iter()
                .chain(&req.query)
                .chain(&req.path_params)
                .any(|f| f.name.as_deref() == Some(k.as_str()))
            {
                ctx.diags.error(
                    file,
                    format!("{path}.idempotency.keys"),
                    format!("idempotency key `{k}` is not a request field"),
                );
            }
        }
    }
    let examples = check_examples(
        ctx,
        file,
        &format!("{path}.examples"),
        &op.examples,
        &local_types[0],
        method,
    );
    let source = check_source(ctx, file, path, &op.source, &op.sources, &op.checked);
    Some(Operation {
        id: op_id.to_string(),
        method_name: op_id.to_string(),
        title: op.title.trim().to_string(),
        summary: op.summary.trim().to_string(),
        description: op.description.as_ref().map(|s| s.trim().to_string()),
        source,
        merchant_types: op.merchant_types.clone(),
        rate_limit: op.rate_limit.clone(),
        latency: op.latency.clone(),
        idempotency,
        method,
        path: op.path.clone(),
        headers,
        request_type,
        response: Response {
            status,
            type_name,
            doc: doc(&None, &op.response.description, &op.response.note),
        },
        local_types,
        errors,
        complete: completeness(&op.complete),
        pagination: None,
        upload: None,
        download: None,
        examples,
        note: op.note.clone(),
        user_note: clean(&op.user_note),
    })
}

/// `{name}` placeholders of a path template, or `None` when braces are unbalanced.
pub fn path_placeholders(path: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        if rest[..open].contains('}') {
            return None;
        }
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let name = &after[..close];
        if name.is_empty() || name.contains('{') {
            return None;
        }
        out.push(name.to_string());
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return None;
    }
    Some(out)
}

/// Splits a verbatim query string into pairs, decoding `%XX` (a literal `+` stays `+`,
/// as the pages write unencoded timestamps).
pub fn split_query(q: &str) -> Vec<(String, String)> {
    q.trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

pub(super) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
