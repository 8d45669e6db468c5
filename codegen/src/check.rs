//! Checking: raw spec → IR. Resolves type references, assigns Rust names, validates
//! constraints, rules, paths and examples, and reports every problem with file + YAML path.

use crate::diag::Diagnostics;
use crate::ir::*;
use crate::naming;
use crate::raw::*;
use std::collections::{BTreeMap, BTreeSet};

/// Where a type was declared, for duplicate reports.
struct Declared {
    file: String,
    path: String,
    is_enum: bool,
}

/// Per-family checking context.
struct Ctx<'a> {
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
            diags.error(
                &raw.families_file,
                format!("{path}.feature"),
                format!(
                    "feature `{}` is also used by family `{other}`",
                    meta.feature
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

fn join<'a>(it: impl Iterator<Item = &'a &'a str>) -> String {
    it.map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

fn check_family(ctx: &mut Ctx, id: &str, meta: &RawFamilyMeta, files: &[&RawFile]) -> Family {
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
                ctx.diags.error(
                    &f.file,
                    &path,
                    format!("operation `{op_id}` is also defined in {prev}"),
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
    fam
}

fn request_name(op_id: &str, op: &RawOperation) -> String {
    op.request
        .as_ref()
        .and_then(|r| r.name.clone())
        .unwrap_or_else(|| format!("{}Request", naming::type_name(op_id)))
}

fn response_name(op_id: &str, op: &RawOperation) -> String {
    op.response
        .name
        .clone()
        .unwrap_or_else(|| format!("{}Response", naming::type_name(op_id)))
}

fn declare(ctx: &mut Ctx, file: &str, path: &str, name: &str, is_enum: bool) {
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
        ctx.diags.error(
            file,
            path,
            format!(
                "type `{name}` is already defined in {} at {} (family `{}`)",
                prev.file, prev.path, ctx.family
            ),
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

fn doc(title: &Option<String>, description: &Option<String>, note: &Option<String>) -> Doc {
    let clean = |s: &Option<String>| {
        s.as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    Doc {
        title: clean(title),
        description: clean(description),
        note: clean(note),
    }
}

fn check_type(ctx: &mut Ctx, file: &str, path: &str, name: &str, t: &RawType) -> Option<TypeDef> {
    let d = doc(&t.title, &t.description, &t.note);
    match t.kind.as_str() {
        "object" => {
            if t.values.is_some() {
                ctx.diags.error(
                    file,
                    format!("{path}.values"),
                    "`values` is only allowed on enums (kind: enum)",
                );
            }
            let Some(raw_fields) = &t.fields else {
                ctx.diags.error(file, path, "an object type needs `fields`");
                return None;
            };
            let fields = check_fields(
                ctx,
                file,
                &format!("{path}.fields"),
                raw_fields,
                Location::Body,
                false,
            );
            Some(TypeDef::Object(ObjectType {
                name: name.to_string(),
                doc: d,
                fields,
                rules: Vec::new(),
                in_request: false,
                in_response: false,
            }))
        }
        "enum" => {
            if t.fields.is_some() {
                ctx.diags.error(
                    file,
                    format!("{path}.fields"),
                    "`fields` is only allowed on objects (kind: object)",
                );
            }
            if !t.rules.is_empty() {
                ctx.diags.error(
                    file,
                    format!("{path}.rules"),
                    "`rules` is only allowed on objects (kind: object)",
                );
            }
            let Some(raw_values) = &t.values else {
                ctx.diags.error(file, path, "an enum type needs `values`");
                return None;
            };
            let mut values = Vec::new();
            let mut seen: BTreeMap<String, String> = BTreeMap::new();
            for (i, v) in raw_values.iter().enumerate() {
                let wire = v.value.to_text();
                let vpath = format!("{path}.values[{i}]");
                let rust = v
                    .rust_name
                    .clone()
                    .unwrap_or_else(|| naming::variant_name(&wire));
                if naming::type_name(&rust) != rust || rust == "Unknown" {
                    ctx.diags.error(
                        file,
                        format!("{vpath}.rust_name"),
                        format!("`{rust}` is not a valid variant name"),
                    );
                }
                if let Some(prev) = seen.insert(rust.clone(), wire.clone()) {
                    ctx.diags.error(
                        file,
                        format!("{vpath}.value"),
                        format!("values `{prev}` and `{wire}` both become variant `{rust}`; set `rust_name` on one of them"),
                    );
                }
                values.push(EnumValue {
                    wire,
                    rust_name: rust,
                    doc: doc(&None, &v.description, &v.note),
                });
            }
            if values.is_empty() {
                ctx.diags.error(
                    file,
                    format!("{path}.values"),
                    "an enum needs at least one value",
                );
            }
            Some(TypeDef::Enum(EnumType {
                name: name.to_string(),
                doc: d,
                values,
            }))
        }
        other => {
            ctx.diags.error(
                file,
                format!("{path}.kind"),
                format!("unknown kind `{other}` (expected `object` or `enum`)"),
            );
            None
        }
    }
}

fn check_fields(
    ctx: &mut Ctx,
    file: &str,
    path: &str,
    raw: &[RawField],
    loc: Location,
    force_required: bool,
) -> Vec<Field> {
    let mut out = Vec::new();
    let mut wire_seen = BTreeSet::new();
    let mut rust_seen: BTreeMap<String, String> = BTreeMap::new();
    for (i, f) in raw.iter().enumerate() {
        let Some(name) = &f.name else {
            ctx.diags
                .error(file, format!("{path}[{i}]"), "missing key `name`");
            continue;
        };
        let fpath = format!("{path}.{name}");
        if let Some(field) = check_field(ctx, file, &fpath, name, f, loc, force_required) {
            if !wire_seen.insert(field.wire_name.clone()) {
                ctx.diags
                    .error(file, &fpath, format!("field `{name}` is defined twice"));
                continue;
            }
            if let Some(prev) = rust_seen.insert(field.rust_name.clone(), name.clone()) {
                ctx.diags.error(
                    file,
                    &fpath,
                    format!("fields `{prev}` and `{name}` both become `{}` in Rust; set `rust_name` on one of them", field.rust_name),
                );
                continue;
            }
            out.push(field);
        }
    }
    out
}

fn check_field(
    ctx: &mut Ctx,
    file: &str,
    path: &str,
    name: &str,
    f: &RawField,
    loc: Location,
    force_required: bool,
) -> Option<Field> {
    let required = match f.required {
        Some(r) => r,
        None => {
            ctx.diags.error(
                file,
                format!("{path}.required"),
                "missing key `required` (true for 必填, false for 选填)",
            );
            false
        }
    };
    if force_required && !required {
        ctx.diags.error(
            file,
            format!("{path}.required"),
            "path parameters are always required",
        );
    }
    let rust_name = match &f.rust_name {
        Some(r) => {
            if naming::field_name(r) != *r {
                ctx.diags.error(
                    file,
                    format!("{path}.rust_name"),
                    format!("`{r}` is not a snake_case identifier"),
                );
            }
            r.clone()
        }
        None => naming::field_name(name),
    };
    let schema = check_schema(ctx, file, path, f)?;
    Some(Field {
        wire_name: name.to_string(),
        rust_name,
        location: loc,
        required,
        schema,
        doc: doc(&f.title, &f.description, &f.note),
        example: f.example.as_ref().map(Scalar::to_text),
    })
}

fn check_schema(ctx: &mut Ctx, file: &str, path: &str, f: &RawField) -> Option<Schema> {
    let Some(ty_name) = &f.ty else {
        ctx.diags
            .error(file, format!("{path}.type"), "missing key `type`");
        return None;
    };
    let ty = match ty_name.as_str() {
        "string" => Ty::String,
        "integer" => Ty::Integer,
        "number" => Ty::Number,
        "boolean" => Ty::Boolean,
        "array" => {
            let Some(items) = &f.items else {
                ctx.diags.error(
                    file,
                    format!("{path}.items"),
                    "an array needs `items` (the item schema)",
                );
                return None;
            };
            for (key, present) in [
                ("name", items.name.is_some()),
                ("required", items.required.is_some()),
                ("title", items.title.is_some()),
            ] {
                if present {
                    ctx.diags.error(
                        file,
                        format!("{path}.items.{key}"),
                        format!("`{key}` is not allowed in an item schema"),
                    );
                }
            }
            let item = check_schema(ctx, file, &format!("{path}.items"), items)?;
            Ty::Array(Box::new(item))
        }
        other => match ctx.names.get(other) {
            Some(d) if d.is_enum => Ty::Enum(other.to_string()),
            Some(_) => Ty::Object(other.to_string()),
            None => {
                let mut known: Vec<&str> = ctx.names.keys().map(String::as_str).collect();
                known.sort();
                ctx.diags.error(
                    file,
                    format!("{path}.type"),
                    format!(
                        "unknown type `{other}`: not a scalar (string, integer, number, boolean, array) and not defined in family `{}`",
                        ctx.family
                    ),
                );
                return None;
            }
        },
    };
    if f.items.is_some() && !matches!(ty, Ty::Array(_)) {
        ctx.diags.error(
            file,
            format!("{path}.items"),
            "`items` is only allowed with `type: array`",
        );
    }
    let c = check_constraints(ctx, file, path, f, &ty);
    Some(Schema { ty, constraints: c })
}

fn check_constraints(ctx: &mut Ctx, file: &str, path: &str, f: &RawField, ty: &Ty) -> Constraints {
    let mut c = Constraints::default();
    let is_string = matches!(ty, Ty::String | Ty::Enum(_));
    let is_number = matches!(ty, Ty::Integer | Ty::Number);
    let is_array = matches!(ty, Ty::Array(_));
    let nonneg =
        |ctx: &mut Ctx, key: &str, v: Option<i64>, allowed: bool, what: &str| -> Option<u64> {
            let v = v?;
            if !allowed {
                ctx.diags.error(
                    file,
                    format!("{path}.{key}"),
                    format!("`{key}` only applies to {what}"),
                );
                return None;
            }
            if v < 0 {
                ctx.diags.error(
                    file,
                    format!("{path}.{key}"),
                    format!("`{key}` must be a non-negative integer, got {v}"),
                );
                return None;
            }
            Some(v as u64)
        };
    c.max_len = nonneg(ctx, "max_len", f.max_len, is_string, "strings");
    c.min_len = nonneg(ctx, "min_len", f.min_len, is_string, "strings");
    if c.max_len == Some(0) {
        ctx.diags.error(
            file,
            format!("{path}.max_len"),
            "`max_len` must be at least 1",
        );
    }
    if let (Some(lo), Some(hi)) = (c.min_len, c.max_len) {
        if lo > hi {
            ctx.diags.error(
                file,
                format!("{path}.min_len"),
                format!("`min_len` ({lo}) is greater than `max_len` ({hi})"),
            );
        }
    }
    c.min_items = nonneg(ctx, "min_items", f.min_items, is_array, "arrays");
    c.max_items = nonneg(ctx, "max_items", f.max_items, is_array, "arrays");
    if let (Some(lo), Some(hi)) = (c.min_items, c.max_items) {
        if lo > hi {
            ctx.diags.error(
                file,
                format!("{path}.min_items"),
                format!("`min_items` ({lo}) is greater than `max_items` ({hi})"),
            );
        }
    }
    for (key, v) in [("min", f.min), ("max", f.max)] {
        if v.is_some() && !is_number {
            ctx.diags.error(
                file,
                format!("{path}.{key}"),
                format!("`{key}` only applies to integer and number fields"),
            );
        }
    }
    if is_number {
        c.min = f.min;
        c.max = f.max;
        if let (Some(lo), Some(hi)) = (f.min, f.max) {
            if lo > hi {
                ctx.diags.error(
                    file,
                    format!("{path}.min"),
                    format!("`min` ({lo}) is greater than `max` ({hi})"),
                );
            }
        }
    }
    if let Some(u) = &f.len_unit {
        match u.as_str() {
            "chars" => c.len_unit = Some(LenUnit::Chars),
            "bytes" => c.len_unit = Some(LenUnit::Bytes),
            other => ctx.diags.error(
                file,
                format!("{path}.len_unit"),
                format!("unknown length unit `{other}` (expected `chars` or `bytes`)"),
            ),
        }
        if c.max_len.is_none() && c.min_len.is_none() {
            ctx.diags.error(
                file,
                format!("{path}.len_unit"),
                "`len_unit` needs `max_len` or `min_len`",
            );
        }
    }
    if let Some(fmt) = &f.format {
        if !matches!(ty, Ty::String) {
            ctx.diags.error(
                file,
                format!("{path}.format"),
                "`format` only applies to string fields",
            );
        }
        match fmt.as_str() {
            "rfc3339" => c.format = Some(Format::Rfc3339),
            "uri" => c.format = Some(Format::Uri),
            other => ctx.diags.error(
                file,
                format!("{path}.format"),
                format!("unknown format `{other}` (expected `rfc3339` or `uri`)"),
            ),
        }
    }
    if let Some(cs) = &f.charset {
        if !matches!(ty, Ty::String) {
            ctx.diags.error(
                file,
                format!("{path}.charset"),
                "`charset` only applies to string fields",
            );
        }
        let mut classes = Vec::new();
        for (i, s) in cs.iter().enumerate() {
            let class = match s.as_str() {
                "digits" => Some(CharClass::Digits),
                "letters" => Some(CharClass::Letters),
                "upper" => Some(CharClass::Upper),
                "lower" => Some(CharClass::Lower),
                "han" => Some(CharClass::Han),
                lit => {
                    let mut chars = lit.chars();
                    match (chars.next(), chars.next()) {
                        (Some(ch), None) => Some(CharClass::Literal(ch)),
                        _ => {
                            ctx.diags.error(
                                file,
                                format!("{path}.charset[{i}]"),
                                format!("unknown character class `{lit}` (expected digits, letters, upper, lower, han, or one literal character)"),
                            );
                            None
                        }
                    }
                }
            };
            classes.extend(class);
        }
        if classes.is_empty() {
            ctx.diags.error(
                file,
                format!("{path}.charset"),
                "`charset` must list at least one class",
            );
        }
        c.charset = Some(classes);
    }
    if let Some(fc) = &f.forbidden_chars {
        if !matches!(ty, Ty::String) {
            ctx.diags.error(
                file,
                format!("{path}.forbidden_chars"),
                "`forbidden_chars` only applies to string fields",
            );
        }
        if fc.is_empty() {
            ctx.diags.error(
                file,
                format!("{path}.forbidden_chars"),
                "`forbidden_chars` must not be empty",
            );
        }
        c.forbidden_chars = Some(fc.clone());
    }
    c
}

fn check_operation(
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
    let updated = check_date(
        ctx,
        file,
        &format!("{path}.source.updated"),
        &op.source.updated,
    );
    Some(Operation {
        id: op_id.to_string(),
        method_name: op_id.to_string(),
        title: op.title.trim().to_string(),
        summary: op.summary.trim().to_string(),
        description: op.description.as_ref().map(|s| s.trim().to_string()),
        source: Source {
            seed: op.source.seed.clone(),
            url: op.source.url.clone(),
            updated,
            spec_file: file.to_string(),
        },
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
        examples,
        note: op.note.clone(),
    })
}

fn check_date(ctx: &mut Ctx, file: &str, path: &str, d: &Option<String>) -> Option<String> {
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

fn percent_decode(s: &str) -> String {
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

fn check_examples(
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
                    path_params,
                    query,
                    query_text: e.query.clone(),
                    body: e.body.clone(),
                    note: e.note.clone(),
                });
            }
            "response" => {
                let status = e.status.unwrap_or(200).clamp(100, 599) as u16;
                out.push(Example::Response {
                    title: e.title.clone(),
                    status,
                    body: e.body.clone(),
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

fn check_notification(
    ctx: &mut Ctx,
    file: &str,
    path: &str,
    id: &str,
    n: &RawNotification,
) -> Notification {
    if naming::field_name(id) != id {
        ctx.diags.error(
            file,
            path,
            format!("notification id `{id}` must be snake_case"),
        );
    }
    let mut resolve = |key: &str, t: &Option<String>| -> Option<String> {
        let t = t.as_ref()?;
        match ctx.names.get(t) {
            Some(d) if !d.is_enum => Some(t.clone()),
            _ => {
                ctx.diags.error(
                    file,
                    format!("{path}.{key}"),
                    format!("unknown object type `{t}` in family `{}`", ctx.family),
                );
                None
            }
        }
    };
    let envelope = resolve("envelope", &n.envelope);
    let payload = resolve("payload", &n.payload);
    let mut examples = Vec::new();
    for (i, e) in n.examples.iter().enumerate() {
        let epath = format!("{path}.examples[{i}]");
        let part = match e.kind.as_str() {
            "envelope" => NotificationPart::Envelope,
            "payload" => NotificationPart::Payload,
            other => {
                ctx.diags.error(
                    file,
                    format!("{epath}.kind"),
                    format!("unknown example kind `{other}` (expected `envelope` or `payload`)"),
                );
                continue;
            }
        };
        let Some(body) = &e.body else {
            ctx.diags
                .error(file, format!("{epath}.body"), "missing key `body`");
            continue;
        };
        if let Err(err) = serde_json::from_str::<serde_json::Value>(body) {
            ctx.diags.error(
                file,
                format!("{epath}.body"),
                format!("example body is not valid JSON: {err}"),
            );
            continue;
        }
        examples.push(Example::Notification {
            title: e.title.clone(),
            part,
            body: body.clone(),
            note: e.note.clone(),
        });
    }
    let updated = check_date(
        ctx,
        file,
        &format!("{path}.source.updated"),
        &n.source.updated,
    );
    Notification {
        id: id.to_string(),
        title: n.title.trim().to_string(),
        summary: n.summary.trim().to_string(),
        description: n.description.clone(),
        event_type: n.event_type.clone(),
        source: Source {
            seed: n.source.seed.clone(),
            url: n.source.url.clone(),
            updated,
            spec_file: file.to_string(),
        },
        envelope,
        payload,
        examples,
        note: n.note.clone(),
    }
}

/// Resolves the `rules:` of every object (shared types and requests) now that all types exist.
fn check_rules_in_family(ctx: &mut Ctx, files: &[&RawFile], fam: &mut Family) {
    let mut resolved: Vec<(String, Vec<Rule>)> = Vec::new();
    for f in files {
        for (name, t) in &f.types {
            if t.kind == "object" && !t.rules.is_empty() {
                let rules = check_rules(
                    ctx,
                    fam,
                    &f.file,
                    &format!("types.{name}.rules"),
                    name,
                    &t.rules,
                );
                resolved.push((name.clone(), rules));
            }
        }
        for (op_id, op) in &f.operations {
            if let Some(req) = &op.request {
                if !req.rules.is_empty() {
                    let name = request_name(op_id, op);
                    let rules = check_rules(
                        ctx,
                        fam,
                        &f.file,
                        &format!("operations.{op_id}.request.rules"),
                        &name,
                        &req.rules,
                    );
                    resolved.push((name, rules));
                }
            }
        }
    }
    for (name, rules) in resolved {
        let targets = fam.types.iter_mut().chain(
            fam.operations
                .iter_mut()
                .flat_map(|o| o.local_types.iter_mut()),
        );
        for t in targets {
            if let TypeDef::Object(o) = t {
                if o.name == name {
                    o.rules = rules.clone();
                }
            }
        }
    }
}

fn check_rules(
    ctx: &mut Ctx,
    fam: &Family,
    file: &str,
    path: &str,
    object: &str,
    raw: &[RawRule],
) -> Vec<Rule> {
    let mut out = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let rpath = format!("{path}[{i}]");
        let set = [
            r.required_when.is_some(),
            r.forbidden_unless.is_some(),
            r.exactly_one_of.is_some(),
            r.at_most_one_of.is_some(),
            r.not_before_now.is_some(),
            r.max_days_ahead.is_some(),
            r.max_span_days.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if set != 1 {
            ctx.diags.error(file, &rpath, format!("a rule needs exactly one kind key (required_when, forbidden_unless, exactly_one_of, at_most_one_of, not_before_now, max_days_ahead, max_span_days), found {set}"));
            continue;
        }
        let mut field = |ctx: &mut Ctx, key: &str, p: &str| -> Option<(FieldPath, Schema)> {
            match resolve_path(fam, object, p) {
                Ok(x) => Some(x),
                Err(msg) => {
                    ctx.diags.error(file, format!("{rpath}.{key}"), msg);
                    None
                }
            }
        };
        let kind = if let Some(c) = r.required_when.as_ref().or(r.forbidden_unless.as_ref()) {
            let key = if r.required_when.is_some() {
                "required_when"
            } else {
                "forbidden_unless"
            };
            let target = field(ctx, &format!("{key}.field"), &c.field);
            let when = field(ctx, &format!("{key}.when"), &c.when);
            let equals: Vec<String> = c.equals.iter().map(Scalar::to_text).collect();
            if let Some((_, schema)) = &when {
                match &schema.ty {
                    Ty::Enum(e) => {
                        if let Some(en) = fam.find_enum(e) {
                            for v in &equals {
                                if !en.values.iter().any(|x| x.wire == *v) {
                                    ctx.diags.error(
                                        file,
                                        format!("{rpath}.{key}.equals"),
                                        format!("`{v}` is not a value of enum `{e}`"),
                                    );
                                }
                            }
                        }
                    }
                    Ty::String | Ty::Boolean | Ty::Integer => {}
                    _ => ctx.diags.error(
                        file,
                        format!("{rpath}.{key}.when"),
                        "`when` must name a string, enum, boolean or integer field",
                    ),
                }
            }
            if equals.is_empty() {
                ctx.diags.error(
                    file,
                    format!("{rpath}.{key}.equals"),
                    "`equals` needs at least one value",
                );
            }
            match (target, when) {
                (Some((field, _)), Some((when, _))) => {
                    if r.required_when.is_some() {
                        RuleKind::RequiredWhen {
                            field,
                            when,
                            equals,
                        }
                    } else {
                        RuleKind::ForbiddenUnless {
                            field,
                            when,
                            equals,
                        }
                    }
                }
                _ => continue,
            }
        } else if let Some(l) = r.exactly_one_of.as_ref().or(r.at_most_one_of.as_ref()) {
            let key = if r.exactly_one_of.is_some() {
                "exactly_one_of"
            } else {
                "at_most_one_of"
            };
            if l.fields.len() < 2 {
                ctx.diags.error(
                    file,
                    format!("{rpath}.{key}.fields"),
                    "needs at least two fields",
                );
            }
            let fields: Vec<FieldPath> = l
                .fields
                .iter()
                .filter_map(|p| field(ctx, &format!("{key}.fields"), p).map(|x| x.0))
                .collect();
            if fields.len() != l.fields.len() {
                continue;
            }
            if r.exactly_one_of.is_some() {
                RuleKind::ExactlyOneOf { fields }
            } else {
                RuleKind::AtMostOneOf { fields }
            }
        } else if let Some(f) = &r.not_before_now {
            match time_field(
                ctx,
                &mut field,
                "not_before_now.field",
                &f.field,
                file,
                &rpath,
            ) {
                Some(field) => RuleKind::NotBeforeNow { field },
                None => continue,
            }
        } else if let Some(d) = &r.max_days_ahead {
            let days = days(ctx, file, &format!("{rpath}.max_days_ahead.days"), d.days);
            match (
                time_field(
                    ctx,
                    &mut field,
                    "max_days_ahead.field",
                    &d.field,
                    file,
                    &rpath,
                ),
                days,
            ) {
                (Some(field), Some(days)) => RuleKind::MaxDaysAhead { field, days },
                _ => continue,
            }
        } else if let Some(s) = &r.max_span_days {
            let days = days(ctx, file, &format!("{rpath}.max_span_days.days"), s.days);
            let from = time_field(ctx, &mut field, "max_span_days.from", &s.from, file, &rpath);
            let to = time_field(ctx, &mut field, "max_span_days.to", &s.to, file, &rpath);
            match (from, to, days) {
                (Some(from), Some(to), Some(days)) => RuleKind::MaxSpanDays { from, to, days },
                _ => continue,
            }
        } else {
            continue;
        };
        out.push(Rule {
            kind,
            description: r.description.clone(),
            note: r.note.clone(),
        });
    }
    out
}

fn days(ctx: &mut Ctx, file: &str, path: &str, d: i64) -> Option<u32> {
    match u32::try_from(d) {
        Ok(v) if v > 0 => Some(v),
        _ => {
            ctx.diags.error(
                file,
                path,
                format!("`days` must be a positive integer, got {d}"),
            );
            None
        }
    }
}

fn time_field(
    ctx: &mut Ctx,
    field: &mut impl FnMut(&mut Ctx, &str, &str) -> Option<(FieldPath, Schema)>,
    key: &str,
    p: &str,
    file: &str,
    rpath: &str,
) -> Option<FieldPath> {
    let (fp, schema) = field(ctx, key, p)?;
    if schema.ty != Ty::String || schema.constraints.format != Some(Format::Rfc3339) {
        ctx.diags.error(
            file,
            format!("{rpath}.{key}"),
            format!("`{p}` must be a string field with `format: rfc3339`"),
        );
        return None;
    }
    Some(fp)
}

/// Resolves a dotted field path from `object`, through object-typed fields.
fn resolve_path(fam: &Family, object: &str, path: &str) -> Result<(FieldPath, Schema), String> {
    let mut cur = object.to_string();
    let mut out = Vec::new();
    let segs: Vec<&str> = path.split('.').collect();
    for (i, seg) in segs.iter().enumerate() {
        let obj = fam
            .find_object(&cur)
            .ok_or_else(|| format!("`{cur}` is not an object type"))?;
        let f = obj
            .fields
            .iter()
            .find(|f| f.wire_name == *seg)
            .ok_or_else(|| format!("`{path}`: `{seg}` is not a field of `{cur}`"))?;
        out.push(seg.to_string());
        if i + 1 == segs.len() {
            return Ok((out, f.schema.clone()));
        }
        match &f.schema.ty {
            Ty::Object(next) => cur = next.clone(),
            _ => {
                return Err(format!(
                    "`{path}`: `{seg}` is not an object, cannot go further"
                ))
            }
        }
    }
    Err(format!("empty field path `{path}`"))
}

/// Marks which object types are reachable from requests and from responses/notifications.
fn mark_usage(api: &mut Api) {
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

fn reachable(fam: &Family, roots: Vec<String>) -> BTreeSet<String> {
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
