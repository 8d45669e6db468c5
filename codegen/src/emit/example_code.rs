//! Rust example code for an operation: a complete builder chain built from the page's
//! documented request example (path parameters, query string and JSON body), used by the
//! rustdoc `# Example`, the Markdown "Rust" block and the generated test that validates it.
//! Without a usable documented example, the chain sets every required field to a sample value.

use super::docs;
use crate::ir::*;
use serde_json::Value;

/// The documented request example the Rust example is built from: the first request example
/// not marked `invalid`.
pub fn doc_example(op: &Operation) -> Option<&Example> {
    op.examples
        .iter()
        .find(|e| matches!(e, Example::Request { invalid: None, .. }))
}

/// Where the Rust example's values come from, for the comment above it: the documented request
/// example (the page's, or an official sample's where the page was not readable; the spec's
/// example `note` says which), or, with no official page at all, the second sources' sample;
/// `None` when there is no usable request example and sample values are made up.
pub fn example_origin(op: &Operation) -> Option<&'static str> {
    doc_example(op)?;
    Some(if op.source.url.is_some() || op.source.seed.is_some() {
        "the documented request example"
    } else {
        "the second sources' sample request (no official page)"
    })
}

/// `Request::builder().a(..).build()?` for the operation's request: from the documented
/// example when there is one, otherwise from sample values. Lines are indented for a
/// statement at the top level of a function body.
pub fn request_builder(family: &Family, op: &Operation) -> String {
    request_builder_at(family, op, &op.request_type)
}

/// Like [`request_builder`], naming the request type by `root` (e.g. a full path).
pub fn request_builder_at(family: &Family, op: &Operation, root: &str) -> String {
    let Some(req) = family.find_object(&op.request_type) else {
        return String::new();
    };
    let values = doc_example(op).map(|e| example_values(req, e));
    builder(family, req, root, 0, values.as_ref(), &[])
}

/// The example's values as one JSON object keyed by wire name (path and query parameters
/// merged with the body), typed after the request's fields.
fn example_values(req: &ObjectType, e: &Example) -> Value {
    let Example::Request {
        path_params,
        query,
        body,
        ..
    } = e
    else {
        return Value::Null;
    };
    let mut map = match body.as_deref().map(serde_json::from_str::<Value>) {
        Some(Ok(Value::Object(m))) => m,
        _ => serde_json::Map::new(),
    };
    let text_value = |f: &Field, v: &str| -> Value {
        match &f.schema.ty {
            Ty::Integer => v.parse::<i64>().map(Value::from).unwrap_or(Value::Null),
            Ty::Number => v.parse::<f64>().map(Value::from).unwrap_or(Value::Null),
            Ty::Boolean => Value::Bool(v == "true"),
            Ty::Array(_) => Value::Array(
                v.split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_string()))
                    .collect(),
            ),
            _ => Value::String(v.to_string()),
        }
    };
    for f in &req.fields {
        let v = match f.location {
            Location::Path => path_params.get(&f.wire_name).cloned(),
            Location::Query => query.as_ref().and_then(|q| {
                q.iter()
                    .find(|(k, _)| *k == f.wire_name)
                    .map(|(_, v)| v.clone())
            }),
            Location::Body => continue,
        };
        if let Some(v) = v {
            map.insert(f.wire_name.clone(), text_value(f, &v));
        }
    }
    Value::Object(map)
}

/// Every RFC 3339 timestamp among the example's values (for the validation clock).
pub fn example_times(family: &Family, op: &Operation) -> Vec<String> {
    let (Some(req), Some(e)) = (family.find_object(&op.request_type), doc_example(op)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    collect_times(family, req, &example_values(req, e), &mut out, 0);
    out
}

fn collect_times(family: &Family, o: &ObjectType, v: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    let Value::Object(map) = v else { return };
    for f in &o.fields {
        if let Some(fv) = map.get(&f.wire_name) {
            collect_schema_times(family, &f.schema, fv, out, depth);
        }
    }
}

fn collect_schema_times(
    family: &Family,
    s: &Schema,
    v: &Value,
    out: &mut Vec<String>,
    depth: usize,
) {
    match (&s.ty, v) {
        (Ty::String, Value::String(t)) if s.constraints.format == Some(Format::Rfc3339) => {
            out.push(t.clone())
        }
        (Ty::Object(n), _) => {
            if let Some(o) = family.find_object(n) {
                collect_times(family, o, v, out, depth + 1);
            }
        }
        (Ty::Array(item), Value::Array(items)) => {
            for it in items {
                collect_schema_times(family, item, it, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// A builder chain for object `o` named by `path`. With `values` (the example's object), each
/// field present in it is set from it; required fields it lacks, and fields a rule requires
/// (`extra`), get sample values.
fn builder(
    family: &Family,
    o: &ObjectType,
    path: &str,
    depth: usize,
    values: Option<&Value>,
    extra: &[Vec<String>],
) -> String {
    let indent = "    ".repeat(depth + 1);
    let map = match values {
        Some(Value::Object(m)) => Some(m),
        _ => None,
    };
    let mut wanted: Vec<Vec<String>> = extra.to_vec();
    if map.is_none() {
        for r in &o.rules {
            if let RuleKind::RequiredWhen { field, .. } = &r.kind {
                wanted.push(field.clone());
            }
        }
    }
    let mut s = format!("{path}::builder()");
    // A field the page marks 暂未开放 is left out even where the page's example sets it.
    for f in o.fields.iter().filter(|f| f.required || !f.not_open) {
        let setter = crate::naming::ident_text(&crate::naming::setter_name(&f.rust_name));
        let given = map
            .and_then(|m| m.get(&f.wire_name))
            .filter(|v| !v.is_null());
        let value = match given {
            Some(v) => match value_expr(family, &f.schema, v, depth + 1) {
                Some(x) => x,
                None => continue,
            },
            None => {
                let below: Vec<Vec<String>> = wanted
                    .iter()
                    .filter(|p| p.first() == Some(&f.wire_name) && p.len() > 1)
                    .map(|p| p[1..].to_vec())
                    .collect();
                let named = wanted.iter().any(|p| p.first() == Some(&f.wire_name));
                if !f.required && !named {
                    continue;
                }
                match &f.schema.ty {
                    Ty::Object(n) if depth < 8 => match family.find_object(n) {
                        Some(inner) => builder(
                            family,
                            inner,
                            &type_path(family, n),
                            depth + 1,
                            None,
                            &below,
                        ),
                        None => sample(family, &f.schema, &f.wire_name, depth + 1),
                    },
                    _ => sample(family, &f.schema, &f.wire_name, depth + 1),
                }
            }
        };
        s.push_str(&format!("\n{indent}.{setter}({value})"));
    }
    s.push_str(&format!("\n{indent}.build()?"));
    s
}

fn type_path(family: &Family, name: &str) -> String {
    format!("wechatpay_marketing::{}::{}", family.id, name)
}

/// A Rust expression for a JSON value of schema `s`; `None` when the value does not fit.
fn value_expr(family: &Family, s: &Schema, v: &Value, depth: usize) -> Option<String> {
    match (&s.ty, v) {
        (Ty::String | Ty::Enum(_), Value::String(x)) => Some(format!("{x:?}")),
        (Ty::String, Value::Number(n)) => Some(format!("{:?}", n.to_string())),
        (Ty::Integer, Value::Number(n)) => n.as_i64().map(|i| i.to_string()),
        (Ty::Number, Value::Number(n)) => n.as_f64().map(|f| format!("{f:?}")),
        (Ty::Boolean, Value::Bool(b)) => Some(b.to_string()),
        (Ty::Object(n), Value::Object(_)) => {
            let o = family.find_object(n)?;
            Some(builder(
                family,
                o,
                &type_path(family, n),
                depth,
                Some(v),
                &[],
            ))
        }
        (Ty::Array(item), Value::Array(items)) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|it| value_expr(family, item, it, depth + 1))
                .collect();
            Some(format!("[{}]", parts.join(", ")))
        }
        _ => None,
    }
}

fn sample(family: &Family, s: &Schema, wire: &str, depth: usize) -> String {
    match &s.ty {
        Ty::String if s.constraints.format == Some(Format::Rfc3339) => {
            "\"2030-01-01T00:00:00+08:00\"".to_string()
        }
        Ty::String if s.constraints.schemes.is_some() => {
            let scheme = s
                .constraints
                .schemes
                .as_ref()
                .and_then(|v| v.first())
                .cloned()
                .unwrap_or_else(|| "https".to_string());
            format!("\"{scheme}://example.com/\"")
        }
        Ty::String => {
            let max = s.constraints.max_len.unwrap_or(64) as usize;
            let min = s.constraints.min_len.unwrap_or(1) as usize;
            let mut v: String = format!("example_{wire}")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .take(max.max(1))
                .collect();
            while v.len() < min {
                v.push('0');
            }
            format!("\"{v}\"")
        }
        Ty::Integer => {
            let lo = s.constraints.min.unwrap_or(1).max(1);
            s.constraints.max.map_or(lo, |hi| lo.min(hi)).to_string()
        }
        Ty::Number => "1.0".to_string(),
        Ty::Boolean => "false".to_string(),
        Ty::Enum(n) => match family.find_enum(n).and_then(|e| e.values.first()) {
            Some(v) => format!("{:?}", v.wire),
            None => "\"\"".to_string(),
        },
        Ty::Array(item) => {
            let n = s.constraints.min_items.unwrap_or(1).max(1) as usize;
            let one = sample(family, item, wire, depth);
            format!("[{}]", vec![one; n].join(", "))
        }
        Ty::Object(n) => match family.find_object(n) {
            Some(o) => builder(family, o, &type_path(family, n), depth, None, &[]),
            None => String::new(),
        },
    }
}

/// `// - rule` lines for the rules of `o` and of the objects its required fields build.
pub fn rule_lines(family: &Family, o: &ObjectType) -> String {
    let mut out = String::new();
    collect_rule_lines(family, o, "", &mut out, 0);
    out
}

fn collect_rule_lines(
    family: &Family,
    o: &ObjectType,
    prefix: &str,
    out: &mut String,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    for r in &o.rules {
        let text = docs::rule_text(&r.kind).replace('`', "");
        if prefix.is_empty() {
            out.push_str(&format!("// - {text}\n"));
        } else {
            out.push_str(&format!("// - in {prefix}: {text}\n"));
        }
    }
    for f in o.fields.iter().filter(|f| f.required) {
        if let Ty::Object(n) = &f.schema.ty {
            if let Some(inner) = family.find_object(n) {
                let p = if prefix.is_empty() {
                    f.wire_name.clone()
                } else {
                    format!("{prefix}.{}", f.wire_name)
                };
                collect_rule_lines(family, inner, &p, out, depth + 1);
            }
        }
    }
}
