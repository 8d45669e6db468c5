//! Examples: request examples (path params, query string, JSON body) and response examples
//! are parsed and matched against the operation's request type.

use crate::ir::*;
use crate::raw::*;
use std::collections::BTreeMap;

use super::*;

pub(super) fn check_examples(
    ctx: &mut Ctx,
    file: &str,
    path: &str,
    raw: &[RawExample],
    request: &TypeDef,
    method: Method,
) -> Vec<Example> {
    let TypeDef::Object(req) = request else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, e) in raw.iter().enumerate() {
        let epath = format!("{path}[{i}]");
        if let Some(body) = &e.body {
            if let Err(err) = serde_json::from_str::<serde_json::Value>(body) {
                ctx.diags.error(
                    file,
                    format!("{epath}.body"),
                    format!("example body is not valid JSON: {err}"),
                );
                continue;
            }
        }
        match e.kind.as_str() {
            "request" => {
                let mut path_params = BTreeMap::new();
                for (k, v) in e.path_params.iter().flatten() {
                    if !req
                        .fields
                        .iter()
                        .any(|f| f.location == Location::Path && f.wire_name == *k)
                    {
                        ctx.diags.error(
                            file,
                            format!("{epath}.path_params.{k}"),
                            format!("`{k}` is not a path parameter of this operation"),
                        );
                    }
                    path_params.insert(k.clone(), v.to_text());
                }
                let query = e.query.as_ref().map(|q| split_query(q));
                for (k, v) in query.iter().flatten() {
                    match req
                        .fields
                        .iter()
                        .find(|f| f.location == Location::Query && f.wire_name == *k)
                    {
                        None => ctx.diags.error(
                            file,
                            format!("{epath}.query"),
                            format!("`{k}` is not a query parameter of this operation"),
                        ),
                        Some(f) => {
                            let bad = match &f.schema.ty {
                                Ty::Integer => v.parse::<i64>().is_err(),
                                Ty::Number => v.parse::<f64>().is_err(),
                                Ty::Boolean => v != "true" && v != "false",
                                _ => false,
                            };
                            if bad {
                                ctx.diags.error(
                                    file,
                                    format!("{epath}.query"),
                                    format!("`{k}={v}` does not fit the parameter's type"),
                                );
                            }
                        }
                    }
                }
                if e.body.is_some() && method == Method::GET {
                    ctx.diags.error(
                        file,
                        format!("{epath}.body"),
                        "a GET request example has no body",
                    );
                }
                if e.status.is_some() {
                    ctx.diags.error(
                        file,
                        format!("{epath}.status"),
                        "`status` belongs to response examples",
                    );
                }
                out.push(Example::Request {
                    title: e.title.clone(),
                    gloss: e.gloss.clone(),
                    path_params,
                    query,
                    query_text: e.query.clone(),
                    body: e.body.clone(),
                    invalid: e.invalid.clone(),
                    constructed: e.constructed.unwrap_or(false),
                    note: e.note.clone(),
                });
            }
            "response" => {
                let status = e.status.unwrap_or(200).clamp(100, 599) as u16;
                if e.invalid.is_some() {
                    ctx.diags.error(
                        file,
                        format!("{epath}.invalid"),
                        "`invalid` marks request examples that break a documented rule",
                    );
                }
                out.push(Example::Response {
                    title: e.title.clone(),
                    gloss: e.gloss.clone(),
                    status,
                    body: e.body.clone(),
                    constructed: e.constructed.unwrap_or(false),
                    note: e.note.clone(),
                });
            }
            other => ctx.diags.error(
                file,
                format!("{epath}.kind"),
                format!("unknown example kind `{other}` (expected `request` or `response`)"),
            ),
        }
    }
    out
}
