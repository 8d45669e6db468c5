//! Field tables: every field of the page's header, path, query, body and response tables
//! against the spec's, by JSON path (presence, type, 必填, length, enum values, nested tables).

use super::page::{Page, PageField, PageType};
use super::Out;
use crate::ir::*;

pub(super) fn compare(out: &mut Out, page: &Page, fam: &Family, op: &Operation) {
    // Headers: names and 必填 only (the runtime sets them).
    if page.request_shown {
        for h in &page.headers {
            match op.headers.iter().find(|s| s.name == h.name) {
                None => out.push(
                    format!("header.{}", h.name),
                    "added",
                    format!(
                        "header on the page, not in the spec ({})",
                        req_text(h.required)
                    ),
                    Some(h.line),
                ),
                Some(s) => {
                    if let Some(r) = h.required {
                        if r != s.required {
                            out.push(
                                format!("header.{}", h.name),
                                "required",
                                format!(
                                    "page {}, spec {}",
                                    req_text(Some(r)),
                                    req_text(Some(s.required))
                                ),
                                Some(h.line),
                            );
                        }
                    }
                }
            }
        }
        if !page.headers.is_empty() {
            for s in &op.headers {
                if !page.headers.iter().any(|h| h.name == s.name) {
                    out.push(
                        format!("header.{}", s.name),
                        "removed",
                        "header in the spec, not on the page",
                        None,
                    );
                }
            }
        }
        let request = fam.find_object(&op.request_type);
        let spec_fields: Vec<&Field> = request
            .map(|r| r.fields.iter().collect())
            .unwrap_or_default();
        for (loc, prefix, rows) in [
            (Location::Path, "path", &page.path_params),
            (Location::Query, "query", &page.query),
            (Location::Body, "body", &page.body),
        ] {
            let of_loc: Vec<&Field> = spec_fields
                .iter()
                .copied()
                .filter(|f| f.location == loc)
                .collect();
            let rows = if page.legacy {
                nest_legacy(rows, &of_loc, fam)
            } else {
                rows.clone()
            };
            list(out, prefix, &rows, &of_loc, fam, true);
        }
    }
    if page.response_shown {
        if let Some(status) = page.response_status {
            if status != op.response.status {
                out.push(
                    "response",
                    "status",
                    format!("page answers {status}, spec {}", op.response.status),
                    None,
                );
            }
        }
        let object = op
            .response
            .type_name
            .as_deref()
            .and_then(|t| fam.find_object(t));
        let spec_fields: Vec<&Field> = object
            .map(|o| o.fields.iter().collect())
            .unwrap_or_default();
        let rows = if page.legacy {
            nest_legacy(&page.response, &spec_fields, fam)
        } else {
            page.response.clone()
        };
        list(out, "response", &rows, &spec_fields, fam, true);
    }
}

fn req_text(r: Option<bool>) -> &'static str {
    match r {
        Some(true) => "必填 (required)",
        Some(false) => "选填 (optional)",
        None => "unstated",
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Compares one table; `shown` means the page shows the whole table, so a spec field missing
/// from it was removed.
fn list(
    out: &mut Out,
    prefix: &str,
    rows: &[PageField],
    spec: &[&Field],
    fam: &Family,
    shown: bool,
) {
    for row in rows {
        let path = join(prefix, &row.name);
        match spec.iter().find(|f| f.wire_name == row.name) {
            None => out.push(
                path,
                "added",
                format!(
                    "field on the page, not in the spec (`{}`, {})",
                    row.ty.render(),
                    req_text(row.required)
                ),
                Some(row.line),
            ),
            Some(f) => field(out, &path, row, f, fam),
        }
    }
    if shown {
        for f in spec {
            if !rows.iter().any(|r| r.name == f.wire_name) {
                out.push(
                    join(prefix, &f.wire_name),
                    "removed",
                    format!(
                        "field in the spec (`{}`), not on the page",
                        render_schema(&f.schema)
                    ),
                    None,
                );
            }
        }
    }
}

fn field(out: &mut Out, path: &str, row: &PageField, f: &Field, fam: &Family) {
    if let Some(r) = row.required {
        if r != f.required {
            out.push(
                path,
                "required",
                format!(
                    "page {}, spec {}",
                    req_text(Some(r)),
                    req_text(Some(f.required))
                ),
                Some(row.line),
            );
        }
    }
    if !same_type(&row.ty, &f.schema) {
        out.push(
            path,
            "type",
            format!(
                "page `{}`, spec `{}`",
                row.ty.render(),
                render_schema(&f.schema)
            ),
            Some(row.line),
        );
    } else {
        lengths(out, path, &row.ty, &f.schema, row.line);
    }
    if let Some(values) = &row.values {
        enum_values(out, path, values, &f.schema, fam, row.line);
    }
    if let Some(children) = &row.children {
        let mut s = &f.schema;
        let mut p = path.to_string();
        while let Ty::Array(inner) = &s.ty {
            s = inner;
            p.push_str("[]");
        }
        if let Ty::Object(name) = &s.ty {
            if let Some(o) = fam.find_object(name) {
                let fields: Vec<&Field> = o.fields.iter().collect();
                list(out, &p, children, &fields, fam, true);
            }
        }
    }
}

fn same_type(p: &PageType, s: &Schema) -> bool {
    match (p.base.as_str(), &s.ty) {
        ("string", Ty::String | Ty::Enum(_)) => true,
        ("integer", Ty::Integer) => true,
        ("number", Ty::Number) => true,
        ("boolean", Ty::Boolean) => true,
        ("object", Ty::Object(_)) => true,
        ("array", Ty::Array(inner)) => p.item.as_ref().is_none_or(|i| same_type(i, inner)),
        _ => false,
    }
}

/// The spec's type in the page's notation.
pub(super) fn render_schema(s: &Schema) -> String {
    match &s.ty {
        Ty::String => match s.constraints.max_len {
            Some(n) => format!("string({n})"),
            None => "string".into(),
        },
        Ty::Enum(e) => format!("string (enum {e})"),
        Ty::Integer => "integer".into(),
        Ty::Number => "number".into(),
        Ty::Boolean => "boolean".into(),
        Ty::Object(o) => format!("object ({o})"),
        Ty::Array(i) => format!("array[{}]", render_schema(i)),
    }
}

fn lengths(out: &mut Out, path: &str, p: &PageType, s: &Schema, line: usize) {
    if let (Some(pi), Ty::Array(si)) = (&p.item, &s.ty) {
        lengths(out, &format!("{path}[]"), pi, si, line);
        return;
    }
    if !matches!(s.ty, Ty::String | Ty::Enum(_)) {
        return;
    }
    let spec = s.constraints.max_len;
    match (p.max_len, spec) {
        (Some(a), Some(b)) if a == b => {}
        (None, None) => {}
        (Some(a), Some(b)) => out.push(
            path,
            "length",
            format!("page `{}`, spec max_len {b}", with_len(p, a)),
            Some(line),
        ),
        (Some(a), None) => out.push(
            path,
            "length",
            format!("page `{}`, spec has no max_len", with_len(p, a)),
            Some(line),
        ),
        (None, Some(b)) => out.push(
            path,
            "length",
            format!("page gives no length (`{}`), spec max_len {b}", p.render()),
            Some(line),
        ),
    }
    // Legacy `[min,max]`: a minimum above 1 is a constraint of its own.
    if let Some(lo) = p.min_len.filter(|&lo| lo > 1) {
        if s.constraints.min_len != Some(lo) {
            out.push(
                path,
                "length",
                format!(
                    "page minimum length {lo}, spec min_len {}",
                    s.constraints
                        .min_len
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| "none".into())
                ),
                Some(line),
            );
        }
    }
}

fn with_len(p: &PageType, n: u64) -> String {
    match p.min_len {
        Some(lo) => format!("{}[{lo},{n}]", p.base),
        None => format!("{}({n})", p.base),
    }
}

fn enum_values(
    out: &mut Out,
    path: &str,
    values: &[String],
    s: &Schema,
    fam: &Family,
    line: usize,
) {
    if values.is_empty() {
        return;
    }
    let mut s = s;
    while let Ty::Array(inner) = &s.ty {
        s = inner;
    }
    match &s.ty {
        Ty::Enum(name) => {
            let Some(e) = fam.find_enum(name) else {
                return;
            };
            for v in values {
                if !e.values.iter().any(|x| x.wire == *v) {
                    out.push(
                        path,
                        "enum",
                        format!("value `{v}` on the page, not in the spec's `{name}`"),
                        Some(line),
                    );
                }
            }
            for x in &e.values {
                if !values.contains(&x.wire) {
                    out.push(
                        path,
                        "enum",
                        format!("value `{}` in the spec's `{name}`, not on the page", x.wire),
                        Some(line),
                    );
                }
            }
        }
        Ty::String => out.push(
            path,
            "enum",
            format!(
                "page lists values {}, spec has a plain string",
                values
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(line),
        ),
        _ => {}
    }
}

/// Legacy tables list nested rows after their `+` parent without marking where a nested
/// table ends; a row belongs to the innermost open object whose spec type has that field
/// (or, when none has, to the innermost one).
fn nest_legacy(rows: &[PageField], root: &[&Field], fam: &Family) -> Vec<PageField> {
    struct Frame<'a> {
        fields: Vec<&'a Field>,
        rows: Vec<PageField>,
    }
    let object_fields = |f: &Field| -> Vec<&Field> {
        let mut s = &f.schema;
        while let Ty::Array(inner) = &s.ty {
            s = inner;
        }
        match &s.ty {
            Ty::Object(n) => fam
                .find_object(n)
                .map(|o| o.fields.iter().collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    };
    let mut stack = vec![Frame {
        fields: root.to_vec(),
        rows: Vec::new(),
    }];
    fn close(stack: &mut Vec<Frame>) {
        if let Some(done) = stack.pop() {
            if let Some(parent) = stack.last_mut().and_then(|f| f.rows.last_mut()) {
                if !done.rows.is_empty() {
                    parent.children = Some(done.rows);
                }
            }
        }
    }
    for row in rows {
        let depth = stack
            .iter()
            .rposition(|f| f.fields.iter().any(|x| x.wire_name == row.name))
            .unwrap_or(stack.len() - 1);
        while stack.len() > depth + 1 {
            close(&mut stack);
        }
        let top = stack.last_mut().expect("root frame");
        let spec = top.fields.iter().find(|x| x.wire_name == row.name).copied();
        top.rows.push(row.clone());
        if row.opens || row.ty.is_object() {
            let fields = spec.map(object_fields).unwrap_or_default();
            stack.push(Frame {
                fields,
                rows: Vec::new(),
            });
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().map(|f| f.rows).unwrap_or_default()
}
