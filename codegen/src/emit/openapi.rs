//! Emits an OpenAPI 3.1 document of the whole spec (JSON): paths, parameters, schemas with
//! their constraints, 2xx responses, documented error rows as `x-wechatpay-errors` and rate
//! limits as `x-wechatpay-rate-limit`.

use super::docs;
use crate::ir::*;
use serde_json::{json, Map, Value};

/// The OpenAPI document.
pub fn openapi(api: &Api) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    let mut tags = Vec::new();
    for fam in &api.families {
        tags.push(
            json!({ "name": fam.id, "description": format!("{} — {}", fam.title, fam.summary) }),
        );
        for t in &fam.types {
            schemas.insert(schema_name(fam, t.name()), type_schema(fam, t, false));
        }
        for op in &fam.operations {
            for t in &op.local_types {
                let is_request = t.name() == op.request_type;
                schemas.insert(schema_name(fam, t.name()), type_schema(fam, t, is_request));
            }
            let method = op.method.as_str().to_ascii_lowercase();
            let item = paths.entry(op.path.clone()).or_insert_with(|| json!({}));
            if let Value::Object(m) = item {
                m.insert(method, operation(fam, op));
            }
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "WeChat Pay APIv3 marketing APIs (代金券, 商家券, 商品券)",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Generated from the hand-curated spec/ of the wechatpay-marketing Rust SDK. Every request must be signed (WECHATPAY2-SHA256-RSA2048) and every response signature verified."
        },
        "servers": [
            { "url": "https://api.mch.weixin.qq.com", "description": "主域名 (nearest access point)" },
            { "url": "https://api2.mch.weixin.qq.com", "description": "备域名 (remote access point)" }
        ],
        "security": [ { "WechatPaySignature": [] } ],
        "tags": tags,
        "paths": Value::Object(paths),
        "components": {
            "schemas": Value::Object(schemas),
            "securitySchemes": {
                "WechatPaySignature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "WECHATPAY2-SHA256-RSA2048 mchid=\"…\",nonce_str=\"…\",signature=\"…\",timestamp=\"…\",serial_no=\"…\""
                }
            }
        }
    })
}

fn schema_name(fam: &Family, name: &str) -> String {
    format!("{}.{}", fam.id, name)
}

fn schema_ref(fam: &Family, name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{}", schema_name(fam, name)) })
}

fn operation(fam: &Family, op: &Operation) -> Value {
    let mut o = Map::new();
    o.insert("operationId".into(), json!(format!("{}.{}", fam.id, op.id)));
    o.insert("summary".into(), json!(op.title));
    let mut desc = op.summary.clone();
    if let Some(d) = &op.description {
        desc.push_str("\n\n");
        desc.push_str(d);
    }
    o.insert("description".into(), json!(desc));
    o.insert("tags".into(), json!([fam.id]));
    let req = fam.find_object(&op.request_type);
    let mut params = Vec::new();
    let mut body_fields = Vec::new();
    for f in req.map(|r| r.fields.as_slice()).unwrap_or_default() {
        match f.location {
            Location::Body => body_fields.push(f),
            Location::Path | Location::Query => params.push(json!({
                "name": f.wire_name,
                "in": if f.location == Location::Path { "path" } else { "query" },
                "required": f.required || f.location == Location::Path,
                "description": field_description(f),
                "schema": field_schema(fam, f),
            })),
        }
    }
    for h in &op.headers {
        if ["authorization", "accept", "content-type"]
            .contains(&h.name.to_ascii_lowercase().as_str())
        {
            continue;
        }
        params.push(json!({ "name": h.name, "in": "header", "required": h.required, "description": h.description, "schema": { "type": "string" } }));
    }
    if !params.is_empty() {
        o.insert("parameters".into(), Value::Array(params));
    }
    if op.method != Method::GET && op.method != Method::DELETE {
        o.insert(
            "requestBody".into(),
            json!({
                "required": true,
                "content": { "application/json": { "schema": schema_ref(fam, &op.request_type) } }
            }),
        );
    }
    let mut responses = Map::new();
    let ok = match &op.response.type_name {
        Some(t) => json!({
            "description": op.response.doc.description.clone().unwrap_or_else(|| "OK".to_string()),
            "content": { "application/json": { "schema": schema_ref(fam, t) } }
        }),
        None => json!({ "description": "No Content" }),
    };
    responses.insert(op.response.status.to_string(), ok);
    let mut statuses: Vec<u16> = op.errors.iter().map(|e| e.status).collect();
    statuses.sort_unstable();
    statuses.dedup();
    for s in statuses {
        let rows: Vec<String> = op
            .errors
            .iter()
            .filter(|e| e.status == s)
            .map(|e| format!("{}: {}", e.code, e.description))
            .collect();
        responses.insert(
            s.to_string(),
            json!({
                "description": rows.join("; "),
                "content": { "application/json": { "schema": {
                    "type": "object",
                    "properties": { "code": { "type": "string" }, "message": { "type": "string" }, "detail": {} }
                } } }
            }),
        );
    }
    o.insert("responses".into(), Value::Object(responses));
    o.insert(
        "x-wechatpay-errors".into(),
        Value::Array(
            op.errors
                .iter()
                .map(|e| json!({ "status": e.status, "code": e.code, "description": e.description, "solution": e.solution }))
                .collect(),
        ),
    );
    if let Some(r) = &op.rate_limit {
        o.insert("x-wechatpay-rate-limit".into(), json!(r));
    }
    o.insert(
        "x-wechatpay-merchant-types".into(),
        json!(op.merchant_types),
    );
    if let Some(i) = &op.idempotency {
        o.insert("x-wechatpay-idempotency-keys".into(), json!(i.keys));
    }
    if let Some(u) = &op.source.updated {
        o.insert("x-wechatpay-updated".into(), json!(u));
    }
    if let Some(u) = &op.source.url {
        o.insert("externalDocs".into(), json!({ "url": u }));
    }
    if let Some(req) = req {
        if !req.rules.is_empty() {
            o.insert(
                "x-wechatpay-rules".into(),
                json!(req
                    .rules
                    .iter()
                    .map(|r| docs::rule_text(&r.kind))
                    .collect::<Vec<_>>()),
            );
        }
    }
    Value::Object(o)
}

fn field_description(f: &Field) -> String {
    let mut s = String::new();
    if let Some(t) = &f.doc.title {
        s.push_str(&format!("【{t}】"));
    }
    if let Some(d) = &f.doc.description {
        s.push_str(d);
    }
    if let Some(n) = &f.doc.note {
        if !s.is_empty() {
            s.push_str("\n\n");
        }
        s.push_str("Note: ");
        s.push_str(n);
    }
    s
}

fn type_schema(fam: &Family, t: &TypeDef, body_only: bool) -> Value {
    match t {
        TypeDef::Enum(e) => {
            let mut m = Map::new();
            m.insert("type".into(), json!("string"));
            if let Some(title) = &e.doc.title {
                m.insert("title".into(), json!(title));
            }
            let mut desc = e.doc.description.clone().unwrap_or_default();
            for v in &e.values {
                if let Some(d) = &v.doc.description {
                    desc.push_str(&format!("\n- {}: {}", v.wire, d));
                }
            }
            if !desc.trim().is_empty() {
                m.insert("description".into(), json!(desc.trim()));
            }
            m.insert(
                "enum".into(),
                json!(e.values.iter().map(|v| v.wire.clone()).collect::<Vec<_>>()),
            );
            Value::Object(m)
        }
        TypeDef::Object(o) => {
            let mut props = Map::new();
            let mut required = Vec::new();
            for f in &o.fields {
                if body_only && f.location != Location::Body {
                    continue;
                }
                let mut s = field_schema(fam, f);
                let d = field_description(f);
                if !d.is_empty() {
                    if let Value::Object(m) = &mut s {
                        m.insert("description".into(), json!(d));
                    }
                }
                props.insert(f.wire_name.clone(), s);
                if f.required {
                    required.push(f.wire_name.clone());
                }
            }
            let mut m = Map::new();
            m.insert("type".into(), json!("object"));
            if let Some(title) = &o.doc.title {
                m.insert("title".into(), json!(title));
            }
            if let Some(d) = &o.doc.description {
                m.insert("description".into(), json!(d));
            }
            m.insert("properties".into(), Value::Object(props));
            if !required.is_empty() {
                m.insert("required".into(), json!(required));
            }
            if !o.rules.is_empty() && !body_only {
                m.insert(
                    "x-wechatpay-rules".into(),
                    json!(o
                        .rules
                        .iter()
                        .map(|r| docs::rule_text(&r.kind))
                        .collect::<Vec<_>>()),
                );
            }
            Value::Object(m)
        }
    }
}

fn field_schema(fam: &Family, f: &Field) -> Value {
    let mut v = schema(fam, &f.schema);
    if let (true, Value::Object(m)) = (f.also_string, &mut v) {
        m.insert("x-also-string".into(), json!(true));
    }
    v
}

fn schema(fam: &Family, s: &Schema) -> Value {
    let c = &s.constraints;
    let mut m = Map::new();
    match &s.ty {
        Ty::String => {
            m.insert("type".into(), json!("string"));
            if let Some(v) = c.max_len {
                m.insert("maxLength".into(), json!(v));
            }
            if let Some(v) = c.min_len {
                m.insert("minLength".into(), json!(v));
            }
            if c.unit() == LenUnit::Bytes {
                m.insert("x-length-unit".into(), json!("bytes"));
            }
            if c.format == Some(Format::Rfc3339) {
                m.insert("format".into(), json!("date-time"));
            }
            if c.format == Some(Format::Uri) {
                m.insert("format".into(), json!("uri"));
            }
            if let Some(p) = pattern(c) {
                m.insert("pattern".into(), json!(p));
            }
        }
        Ty::Integer | Ty::Number => {
            if matches!(s.ty, Ty::Integer) {
                m.insert("type".into(), json!("integer"));
                m.insert("format".into(), json!("int64"));
            } else {
                m.insert("type".into(), json!("number"));
            }
            if let Some(v) = c.min {
                m.insert("minimum".into(), json!(v));
            }
            if let Some(v) = c.max {
                m.insert("maximum".into(), json!(v));
            }
        }
        Ty::Boolean => {
            m.insert("type".into(), json!("boolean"));
        }
        Ty::Enum(n) => {
            // 3.1 allows siblings next to $ref; repeat the values so each field carries them.
            m.insert(
                "$ref".into(),
                json!(format!("#/components/schemas/{}", schema_name(fam, n))),
            );
            if let Some(e) = fam.find_enum(n) {
                m.insert(
                    "enum".into(),
                    json!(e.values.iter().map(|v| v.wire.clone()).collect::<Vec<_>>()),
                );
            }
            if let Some(v) = c.max_len {
                m.insert("maxLength".into(), json!(v));
            }
        }
        Ty::Object(n) => {
            m.insert(
                "$ref".into(),
                json!(format!("#/components/schemas/{}", schema_name(fam, n))),
            );
        }
        Ty::Array(item) => {
            m.insert("type".into(), json!("array"));
            m.insert("items".into(), schema(fam, item));
            if let Some(v) = c.min_items {
                m.insert("minItems".into(), json!(v));
            }
            if let Some(v) = c.max_items {
                m.insert("maxItems".into(), json!(v));
            }
        }
    }
    Value::Object(m)
}

/// An ECMA-262 pattern for the charset / forbidden-character constraints.
fn pattern(c: &Constraints) -> Option<String> {
    let esc = |ch: char| -> String {
        if "\\^$.|?*+()[]{}-/".contains(ch) {
            format!("\\{ch}")
        } else {
            ch.to_string()
        }
    };
    if let Some(cs) = &c.charset {
        let mut class = String::new();
        for cl in cs {
            class.push_str(&match cl {
                CharClass::Digits => "0-9".to_string(),
                CharClass::Letters => "A-Za-z".to_string(),
                CharClass::Upper => "A-Z".to_string(),
                CharClass::Lower => "a-z".to_string(),
                CharClass::Han => "\\u4e00-\\u9fff".to_string(),
                CharClass::Literal(ch) => esc(*ch),
            });
        }
        return Some(format!("^[{class}]*$"));
    }
    c.forbidden_chars
        .as_ref()
        .map(|fc| format!("^[^{}]*$", fc.chars().map(esc).collect::<String>()))
}
