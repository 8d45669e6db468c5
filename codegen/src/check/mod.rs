//! Checking: raw spec → IR. Resolves type references, assigns Rust names, validates
//! constraints, rules, paths and examples, and reports every problem with file + YAML path.
//! One file per concern: `types` (types, fields, constraints), `operations`, `examples`,
//! `notifications`, `rules`; this file holds the family pass and the shared context.

mod examples;
mod kinds;
mod notifications;
mod operations;
mod provenance;
mod rules;
mod types;

use examples::*;
use kinds::*;
use notifications::*;
use operations::*;
pub use operations::{path_placeholders, split_query};
use provenance::*;
use rules::*;
use types::*;

use crate::diag::Diagnostics;
use crate::ir::*;
use crate::naming;
use crate::raw::*;
use std::collections::{BTreeMap, BTreeSet};

/// Where a type was declared, for duplicate reports.
pub(super) struct Declared {
    file: String,
    path: String,
    is_enum: bool,
}

/// Per-family checking context.
pub(super) struct Ctx<'a> {
    family: &'a str,
    /// Rust type name → declaration.
    names: BTreeMap<String, Declared>,
    diags: &'a mut Diagnostics,
}

/// Checks the raw spec and builds the IR; `None` when any diagnostic was reported.
pub fn check(raw: &RawSpec, diags: &mut Diagnostics) -> Option<Api> {
    let mut families = Vec::new();
    let known: BTreeSet<&str> = raw.families.iter().map(|(id, _)| id.as_str()).collect();
    for file in &raw.files {
        if let Some(f) = &file.family {
            if !known.contains(f.as_str()) {
                diags.error(
                    &file.file,
                    "family",
                    format!(
                        "unknown family `{f}` (families.yaml defines: {})",
                        join(known.iter())
                    ),
                );
            }
        }
    }
    let mut features = BTreeMap::new();
    for (id, meta) in &raw.families {
        let path = format!("families.{id}");
        if naming::field_name(id) != *id || naming::is_keyword(id) {
            diags.error(
                &raw.families_file,
                &path,
                format!("family id `{id}` must be a snake_case identifier"),
            );
        }
        if let Some(other) = features.insert(meta.feature.clone(), id.clone()) {
            diags.error_related(
                &raw.families_file,
                format!("{path}.feature"),
                format!(
                    "feature `{}` is also used by family `{other}`",
                    meta.feature
                ),
                (
                    &raw.families_file,
                    &format!("families.{other}.feature"),
                    "first used here",
                ),
            );
        }
        let files: Vec<&RawFile> = raw
            .files
            .iter()
            .filter(|f| f.family.as_deref() == Some(id))
            .collect();
        let mut ctx = Ctx {
            family: id,
            names: BTreeMap::new(),
            diags,
        };
        let fam = check_family(&mut ctx, id, meta, &files);
        families.push(fam);
    }
    if !diags.is_empty() {
        return None;
    }
    let mut api = Api { families };
    mark_usage(&mut api);
    Some(api)
}

pub(super) fn join<'a>(it: impl Iterator<Item = &'a &'a str>) -> String {
    it.map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

pub(super) fn check_family(
    ctx: &mut Ctx,
    id: &str,
    meta: &RawFamilyMeta,
    files: &[&RawFile],
) -> Family {
    // Pass 1: declare every type name (shared types, request and response types).
    for f in files {
        for (name, t) in &f.types {
            declare(
                ctx,
                &f.file,
                &format!("types.{name}"),
                name,
                t.kind == "enum",
            );
        }
        for (op_id, op) in &f.operations {
            let req = request_name(op_id, op);
            declare(
                ctx,
                &f.file,
                &format!("operations.{op_id}.request.name"),
                &req,
                false,
            );
            if op.response.fields.is_some() {
                let resp = response_name(op_id, op);
                declare(
                    ctx,
                    &f.file,
                    &format!("operations.{op_id}.response.name"),
                    &resp,
                    false,
                );
            }
        }
    }
    // Pass 2: build types and operations.
    let mut types = Vec::new();
    let mut operations = Vec::new();
    let mut notifications = Vec::new();
    let mut op_ids: BTreeMap<String, String> = BTreeMap::new();
    for f in files {
        for (name, t) in &f.types {
            if let Some(td) = check_type(ctx, &f.file, &format!("types.{name}"), name, t) {
                types.push(td);
            }
        }
        for (op_id, op) in &f.operations {
            let path = format!("operations.{op_id}");
            if let Some(prev) = op_ids.insert(op_id.clone(), f.file.clone()) {
                ctx.diags.error_related(
                    &f.file,
                    &path,
                    format!("operation `{op_id}` is also defined in {prev}"),
                    (&prev, &path, "first defined here"),
                );
            }
            if let Some(o) = check_operation(ctx, &f.file, &path, op_id, op) {
                operations.push(o);
            }
        }
        for (n_id, n) in &f.notifications {
            let path = format!("notifications.{n_id}");
            notifications.push(check_notification(ctx, &f.file, &path, n_id, n));
        }
    }
    types.sort_by(|a, b| a.name().cmp(b.name()));
    operations.sort_by(|a, b| a.id.cmp(&b.id));
    notifications.sort_by(|a, b| a.id.cmp(&b.id));
    let mut fam = Family {
        id: id.to_string(),
        feature: meta.feature.clone(),
        client_type: format!("{}Client", naming::type_name(id)),
        title: meta.title.clone(),
        summary: meta.summary.trim().to_string(),
        types,
        operations,
        notifications,
    };
    check_rules_in_family(ctx, files, &mut fam);
    check_kinds_in_family(ctx, files, &mut fam);
    fam
}

pub(super) fn request_name(op_id: &str, op: &RawOperation) -> String {
    op.request
        .as_ref()
        .and_then(|r| r.name.clone())
        .unwrap_or_else(|| format!("{}Request", naming::type_name(op_id)))
}

pub(super) fn response_name(op_id: &str, op: &RawOperation) -> String {
    op.response
        .name
        .clone()
        .unwrap_or_else(|| format!("{}Response", naming::type_name(op_id)))
}

pub(super) fn declare(ctx: &mut Ctx, file: &str, path: &str, name: &str, is_enum: bool) {
    if naming::type_name(name) != name || naming::is_keyword(name) {
        ctx.diags.error(
            file,
            path,
            format!(
                "type name `{name}` must be UpperCamelCase (e.g. `{}`)",
                naming::type_name(name)
            ),
        );
    }
    if naming::RESERVED_TYPES.contains(&name)
        || ["Option", "Result", "String", "Vec", "Box"].contains(&name)
    {
        ctx.diags.error(
            file,
            path,
            format!("type name `{name}` is reserved by the generated crate; choose another name"),
        );
    }
    if let Some(prev) = ctx.names.get(name) {
        ctx.diags.error_related(
            file,
            path,
            format!(
                "type `{name}` is already defined in {} at {} (family `{}`)",
                prev.file, prev.path, ctx.family
            ),
            (&prev.file, &prev.path, "first defined here"),
        );
        return;
    }
    ctx.names.insert(
        name.to_string(),
        Declared {
            file: file.to_string(),
            path: path.to_string(),
            is_enum,
        },
    );
}

pub(super) fn doc(
    title: &Option<String>,
    description: &Option<String>,
    note: &Option<String>,
) -> Doc {
    Doc {
        title: clean(title),
        description: clean(description),
        note: clean(note),
        ..Doc::default()
    }
}

/// Trims a documentation string; empty becomes `None`.
pub(super) fn clean(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Reports leading or trailing whitespace in a wire-level string (a name, value, code or path
/// that would be sent or matched verbatim).
pub(super) fn check_trimmed(ctx: &mut Ctx, file: &str, path: &str, what: &str, s: &str) {
    if s.trim() != s {
        ctx.diags.error(
            file,
            path,
            format!("{what} `{s}` has leading or trailing whitespace, which would be sent on the wire; remove it"),
        );
    }
}

pub(super) fn check_date(
    ctx: &mut Ctx,
    file: &str,
    path: &str,
    d: &Option<String>,
) -> Option<String> {
    let d = d.as_ref()?;
    let b = d.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && d.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !ok {
        ctx.diags.error(
            file,
            path,
            format!("`{d}` is not a YYYY-MM-DD date (write 更新时间 2024.10.31 as \"2024-10-31\")"),
        );
    }
    Some(d.clone())
}

/// Marks which object types are reachable from requests and from responses/notifications.
pub(super) fn mark_usage(api: &mut Api) {
    for fam in &mut api.families {
        let mut req_roots = Vec::new();
        let mut resp_roots = Vec::new();
        for op in &fam.operations {
            req_roots.push(op.request_type.clone());
            resp_roots.extend(op.response.type_name.clone());
        }
        for n in &fam.notifications {
            resp_roots.extend(n.envelope.clone());
            resp_roots.extend(n.payload.clone());
        }
        let req = reachable(fam, req_roots);
        let resp = reachable(fam, resp_roots);
        let all = fam.types.iter_mut().chain(
            fam.operations
                .iter_mut()
                .flat_map(|o| o.local_types.iter_mut()),
        );
        for t in all {
            if let TypeDef::Object(o) = t {
                o.in_request = req.contains(&o.name);
                o.in_response = resp.contains(&o.name);
            }
        }
    }
}

pub(super) fn reachable(fam: &Family, roots: Vec<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = roots;
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(o) = fam.find_object(&name) {
            for f in &o.fields {
                let mut s = &f.schema;
                while let Ty::Array(inner) = &s.ty {
                    s = inner;
                }
                if let Ty::Object(n) = &s.ty {
                    stack.push(n.clone());
                }
            }
        }
    }
    seen
}
