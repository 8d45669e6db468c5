//! Examples: the page's request and response examples against the spec's (in page order,
//! per kind, skipping examples the spec constructed): JSON bodies by value, query strings by
//! pairs, path parameters from the example URL.

use super::page::{ExampleKind, Page, PageExample};
use super::Out;
use crate::check::split_query;
use crate::ir::*;
use serde_json::Value;

pub(super) fn compare(out: &mut Out, page: &Page, op: &Operation) {
    let spec_requests: Vec<&Example> = op
        .examples
        .iter()
        .filter(|e| {
            matches!(
                e,
                Example::Request {
                    constructed: false,
                    ..
                }
            )
        })
        .collect();
    let spec_responses: Vec<&Example> = op
        .examples
        .iter()
        .filter(|e| {
            matches!(
                e,
                Example::Response {
                    constructed: false,
                    ..
                }
            )
        })
        .collect();
    for (kind, label, spec) in [
        (ExampleKind::Request, "request", spec_requests),
        (ExampleKind::Response, "response", spec_responses),
    ] {
        let on_page: Vec<&PageExample> = page.examples.iter().filter(|e| e.kind == kind).collect();
        for (i, p) in on_page.iter().enumerate() {
            let path = format!("examples.{label}[{i}]");
            match spec.get(i) {
                None => out.push(
                    path,
                    "example",
                    format!(
                        "{label} example{} on the page, not in the spec",
                        titled(&p.title)
                    ),
                    Some(p.line),
                ),
                Some(s) => one(out, &path, p, s, op),
            }
        }
        if on_page.is_empty() {
            continue;
        }
        for (i, s) in spec.iter().enumerate().skip(on_page.len()) {
            let title = match s {
                Example::Request { title, .. } | Example::Response { title, .. } => title,
                Example::Notification { title, .. } => title,
            };
            out.push(
                format!("examples.{label}[{i}]"),
                "example",
                format!(
                    "{label} example{} in the spec, not on the page",
                    titled(title)
                ),
                None,
            );
        }
    }
}

fn titled(t: &Option<String>) -> String {
    t.as_ref().map(|t| format!(" `{t}`")).unwrap_or_default()
}

fn one(out: &mut Out, path: &str, p: &PageExample, s: &Example, op: &Operation) {
    match s {
        Example::Request {
            path_params,
            query,
            body,
            ..
        } => {
            bodies(out, path, p, body.as_deref());
            if let Some(q) = &p.query {
                let page_pairs = split_query(q);
                let spec_pairs = query.clone().unwrap_or_default();
                if page_pairs != spec_pairs {
                    out.push(
                        path,
                        "example",
                        format!(
                            "query: page `{q}`, spec `{}`",
                            spec_pairs
                                .iter()
                                .map(|(k, v)| format!("{k}={v}"))
                                .collect::<Vec<_>>()
                                .join("&")
                        ),
                        Some(p.line),
                    );
                }
            }
            if let (Some(url), false) = (&p.url_path, path_params.is_empty()) {
                for (name, value) in placeholders_in(&op.path, url) {
                    if path_params.get(&name).is_some_and(|v| *v != value) {
                        out.push(
                            path,
                            "example",
                            format!(
                                "path parameter `{name}`: page `{value}`, spec `{}`",
                                path_params[&name]
                            ),
                            Some(p.line),
                        );
                    }
                }
            }
        }
        Example::Response { status, body, .. } => {
            let ps = p.status.unwrap_or(200);
            if ps != *status {
                out.push(
                    path,
                    "example",
                    format!("status: page {ps}, spec {status}"),
                    Some(p.line),
                );
            }
            bodies(out, path, p, body.as_deref());
        }
        Example::Notification { .. } => {}
    }
}

fn bodies(out: &mut Out, path: &str, p: &PageExample, spec: Option<&str>) {
    match (&p.body, spec) {
        (None, None) => {}
        (Some(_), None) => out.push(
            path,
            "example",
            "page has a body, spec has none",
            Some(p.line),
        ),
        (None, Some(_)) => {
            if p.url_path.is_some() || p.kind == ExampleKind::Response {
                out.push(
                    path,
                    "example",
                    "spec has a body, page has none",
                    Some(p.line),
                );
            }
        }
        (Some(pb), Some(sb)) => {
            let Ok(pv) = serde_json::from_str::<Value>(pb) else {
                out.push(
                    path,
                    "example",
                    "the page's body is not valid JSON once de-numbered; compare it by eye",
                    Some(p.line),
                );
                return;
            };
            let Ok(sv) = serde_json::from_str::<Value>(sb) else {
                return;
            };
            let mut diffs = Vec::new();
            diff(&pv, &sv, "$", &mut diffs);
            if !diffs.is_empty() {
                let more = diffs.len().saturating_sub(3);
                let mut msg = format!("body differs: {}", diffs[..diffs.len().min(3)].join("; "));
                if more > 0 {
                    msg.push_str(&format!("; and {more} more"));
                }
                out.push(path, "example", msg, Some(p.line));
            }
        }
    }
}

fn diff(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => diff(v, w, &format!("{at}.{k}"), out),
                    None => out.push(format!("{at}.{k} only on the page")),
                }
            }
            for k in y.keys() {
                if !x.contains_key(k) {
                    out.push(format!("{at}.{k} only in the spec"));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff(v, w, &format!("{at}[{i}]"), out);
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{at}: page {a}, spec {b}")),
    }
}

/// Values of the template's `{name}` segments in a concrete URL path.
fn placeholders_in(template: &str, url: &str) -> Vec<(String, String)> {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let u: Vec<&str> = url.trim_matches('/').split('/').collect();
    if t.len() != u.len() {
        return Vec::new();
    }
    t.iter()
        .zip(u)
        .filter_map(|(t, u)| {
            let name = t.strip_prefix('{')?.strip_suffix('}')?;
            Some((name.to_string(), u.to_string()))
        })
        .collect()
}
