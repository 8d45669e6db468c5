//! `codegen audit PAGE`: compares a doc page saved as text with the spec of the operation it
//! documents (found by method + path) and reports every difference, one finding per line.
//!
//! The page model is read by `page` (with `rows` for field tables and `blocks` for numbered
//! code blocks); field tables are compared in `fields`, examples in `examples`; this file holds the finding type, the header rows (更新时间, rate limit …) and
//! the error table.

mod blocks;
mod examples;
mod fields;
pub mod page;
mod rows;

use crate::ir::*;
use page::{squash, Page};
use serde::Serialize;

/// One difference between the page and the spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// The field's JSON path (`body.stock_use_rule.max_coupons`, `response.data[].stock_id`),
    /// `errors.CODE`, `examples.request[0]`, or a header item (`updated`, `rate_limit` …).
    pub path: String,
    /// What differs: `added`, `removed`, `type`, `required`, `length`, `enum`, `error`,
    /// `status`, `rate_limit`, `latency`, `updated`, `merchant_types`, `example`, `operation`.
    pub kind: String,
    pub message: String,
    /// 1-based line of the page the finding is about, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.path, self.kind, self.message)?;
        if let Some(l) = self.line {
            write!(f, " (page line {l})")?;
        }
        Ok(())
    }
}

/// The result of auditing one page.
#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    /// `family.operation` the page documents, when the spec has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// The spec file of that operation (relative to `spec/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec_file: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub findings: Vec<Finding>,
}

impl Audit {
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

pub(crate) struct Out {
    findings: Vec<Finding>,
}

impl Out {
    pub(crate) fn push(
        &mut self,
        path: impl Into<String>,
        kind: &str,
        message: impl Into<String>,
        line: Option<usize>,
    ) {
        self.findings.push(Finding {
            path: path.into(),
            kind: kind.to_string(),
            message: message.into(),
            line,
        });
    }
}

/// Template path with placeholder names erased (`/v3/x/{}/y`), for matching.
fn path_shape(p: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in p.trim_end_matches('/').chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push_str("{}");
                }
            }
            '}' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Finds the operation a page documents, by method and path.
pub fn find_operation<'a>(
    api: &'a Api,
    method: &str,
    path: &str,
) -> Option<(&'a Family, &'a Operation)> {
    let shape = path_shape(path);
    api.families.iter().find_map(|fam| {
        fam.operations
            .iter()
            .find(|o| o.method.as_str() == method && path_shape(&o.path) == shape)
            .map(|o| (fam, o))
    })
}

/// Audits a page's text against the checked spec.
pub fn audit(api: &Api, text: &str) -> Audit {
    let page = page::parse(text);
    audit_page(api, &page)
}

/// Audits a parsed page against the checked spec.
pub fn audit_page(api: &Api, page: &Page) -> Audit {
    let mut out = Out {
        findings: Vec::new(),
    };
    let (Some(method), Some(path)) = (&page.method, &page.path) else {
        out.push(
            "operation",
            "operation",
            "the page names no method and path (no `请求方式:` line); is it an API reference page?",
            None,
        );
        return Audit {
            operation: None,
            spec_file: None,
            method: page.method.clone(),
            path: page.path.clone(),
            findings: out.findings,
        };
    };
    let Some((fam, op)) = find_operation(api, method, path) else {
        out.push(
            "operation",
            "operation",
            format!(
                "{method} {path} is not in the spec: a new operation (add it under spec/<family>/)"
            ),
            None,
        );
        return Audit {
            operation: None,
            spec_file: None,
            method: Some(method.clone()),
            path: Some(path.clone()),
            findings: out.findings,
        };
    };
    if op.path != *path {
        out.push(
            "path",
            "operation",
            format!(
                "page path `{path}`, spec path `{}` (placeholder names differ)",
                op.path
            ),
            None,
        );
    }
    header_items(&mut out, page, op);
    fields::compare(&mut out, page, fam, op);
    errors(&mut out, page, op);
    examples::compare(&mut out, page, op);
    Audit {
        operation: Some(format!("{}.{}", fam.id, op.id)),
        spec_file: Some(op.source.spec_file.clone()),
        method: Some(method.clone()),
        path: Some(path.clone()),
        findings: out.findings,
    }
}

fn header_items(out: &mut Out, page: &Page, op: &Operation) {
    if let Some(date) = &page.updated {
        let known = op
            .source
            .updated
            .iter()
            .chain(op.source.also.iter().filter_map(|s| s.updated.as_ref()));
        let mut known = known.peekable();
        let matches = known.clone().any(|d| d == date);
        if !matches {
            let spec = match known.peek() {
                Some(_) => format!(
                    "spec source.updated {}",
                    op.source.updated.as_deref().unwrap_or("(none)")
                ),
                None => "spec records no 更新时间".to_string(),
            };
            out.push(
                "updated",
                "updated",
                format!("page 更新时间 {date}, {spec}; no source of this operation has that date"),
                None,
            );
        }
    }
    let pairs = [
        ("rate_limit", &page.rate_limit, &op.rate_limit),
        ("latency", &page.latency, &op.latency),
    ];
    for (key, on_page, in_spec) in pairs {
        let (Some(p), s) = (on_page, in_spec) else {
            continue;
        };
        let s = s.as_deref().map(squash);
        if s.as_deref() != Some(p.as_str()) {
            out.push(
                key,
                key,
                format!(
                    "page `{p}`, spec {}",
                    s.map(|s| format!("`{s}`"))
                        .unwrap_or_else(|| "has none".into())
                ),
                None,
            );
        }
    }
    for m in &page.merchant_types {
        if !op.merchant_types.iter().any(|x| squash(x) == *m) {
            out.push(
                "merchant_types",
                "merchant_types",
                format!("page lists 【{m}】, the spec's merchant_types do not"),
                None,
            );
        }
    }
}

/// Error rows: exact rows match first; then rows with the same code and description (status
/// or solution changed), then the same status and code (description changed); the rest were
/// added or removed.
fn errors(out: &mut Out, page: &Page, op: &Operation) {
    let mut spec: Vec<Option<&ErrorRow>> = op.errors.iter().map(Some).collect();
    let mut left: Vec<&page::PageError> = Vec::new();
    for e in &page.errors {
        let hit = spec.iter_mut().find(|s| {
            s.is_some_and(|s| {
                s.status == e.status
                    && s.code == e.code
                    && squash(&s.description) == e.description
                    && squash(&s.solution) == e.solution
            })
        });
        match hit {
            Some(slot) => *slot = None,
            None => left.push(e),
        }
    }
    let mut unmatched = Vec::new();
    for e in left {
        let by_desc = spec.iter_mut().find(|s| {
            s.is_some_and(|s| s.code == e.code && squash(&s.description) == e.description)
        });
        if let Some(slot) = by_desc {
            let s = slot.take().expect("found");
            if s.status != e.status {
                out.push(
                    format!("errors.{}", e.code),
                    "error",
                    format!(
                        "row `{}`: page status {}, spec {}",
                        e.description, e.status, s.status
                    ),
                    Some(e.line),
                );
            }
            if squash(&s.solution) != e.solution {
                out.push(
                    format!("errors.{}", e.code),
                    "error",
                    format!(
                        "row `{}`: page solution `{}`, spec `{}`",
                        e.description,
                        e.solution,
                        squash(&s.solution)
                    ),
                    Some(e.line),
                );
            }
            continue;
        }
        unmatched.push(e);
    }
    let mut added = Vec::new();
    for e in unmatched {
        let by_status = spec.iter_mut().find(|s| {
            s.is_some_and(|s| {
                s.code == e.code && s.status == e.status && squash(&s.solution) == e.solution
            })
        });
        if let Some(slot) = by_status {
            let s = slot.take().expect("found");
            out.push(
                format!("errors.{}", e.code),
                "error",
                format!(
                    "row {} {}: page description `{}`, spec `{}`",
                    e.status,
                    e.code,
                    e.description,
                    squash(&s.description)
                ),
                Some(e.line),
            );
            continue;
        }
        added.push(e);
    }
    for e in added {
        out.push(
            format!("errors.{}", e.code),
            "error",
            format!(
                "row on the page, not in the spec: {} | {} | {} | {}",
                e.status, e.code, e.description, e.solution
            ),
            Some(e.line),
        );
    }
    if page.errors.is_empty() {
        return;
    }
    for s in spec.into_iter().flatten() {
        out.push(
            format!("errors.{}", s.code),
            "error",
            format!(
                "row in the spec, not on the page: {} | {} | {} | {}",
                s.status,
                s.code,
                squash(&s.description),
                squash(&s.solution)
            ),
            None,
        );
    }
}

/// Renders findings one per line.
pub fn render(a: &Audit) -> String {
    let mut s = String::new();
    for f in &a.findings {
        s.push_str(&f.to_string());
        s.push('\n');
    }
    s
}
