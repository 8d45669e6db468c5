//! Types, fields and their constraints: object and enum declarations, field lists (wire and
//! Rust names, duplicates), type resolution and constraint validation.

use crate::ir::*;
use crate::naming;
use crate::raw::*;
use std::collections::BTreeMap;

use super::*;

pub(super) fn check_type(
    ctx: &mut Ctx,
    file: &str,
    path: &str,
    name: &str,
    t: &RawType,
) -> Option<TypeDef> {
    let d = Doc {
        gloss: clean(&t.gloss),
        ..doc(&t.title, &t.description, &t.note)
    };
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
            let mut seen: BTreeMap<String, (String, usize)> = BTreeMap::new();
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
                if let Some((prev, j)) = seen.insert(rust.clone(), (wire.clone(), i)) {
                    ctx.diags.error_related(
                        file,
                        format!("{vpath}.value"),
                        format!("values `{prev}` and `{wire}` both become variant `{rust}`; set `rust_name` on one of them"),
                        (file, &format!("{path}.values[{j}].value"), "the other value"),
                    );
                }
                check_trimmed(ctx, file, &format!("{vpath}.value"), "enum value", &wire);
                values.push(EnumValue {
                    wire,
                    rust_name: rust,
                    doc: Doc {
                        gloss: clean(&v.gloss),
                        ..doc(&None, &v.description, &v.note)
                    },
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

pub(super) fn check_fields(
    ctx: &mut Ctx,
    file: &str,
    path: &str,
    raw: &[RawField],
    loc: Location,
    force_required: bool,
) -> Vec<Field> {
    let mut out = Vec::new();
    let mut wire_seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut rust_seen: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for (i, f) in raw.iter().enumerate() {
        let Some(name) = &f.name else {
            ctx.diags
                .error(file, format!("{path}[{i}]"), "missing key `name`");
            continue;
        };
        let fpath = format!("{path}.{name}");
        if let Some(field) = check_field(ctx, file, &fpath, name, f, loc, force_required) {
            if let Some(first) = wire_seen.get(&field.wire_name) {
                ctx.diags.error_related(
                    file,
                    format!("{path}[{i}]"),
                    format!("field `{name}` is defined twice: first at {path}[{first}], again at {path}[{i}]"),
                    (file, &format!("{path}[{first}]"), "first defined here"),
                );
                continue;
            }
            wire_seen.insert(field.wire_name.clone(), i);
            if let Some((prev, j)) = rust_seen.insert(field.rust_name.clone(), (name.clone(), i)) {
                ctx.diags.error_related(
                    file,
                    &fpath,
                    format!("fields `{prev}` and `{name}` both become `{}` in Rust; set `rust_name` on one of them", field.rust_name),
                    (file, &format!("{path}[{j}]"), "the other field"),
                );
                continue;
            }
            out.push(field);
        }
    }
    out
}

pub(super) fn check_field(
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
    check_trimmed(ctx, file, path, "field name", name);
    let schema = check_schema(ctx, file, path, f)?;
    let also_string = f.also_string.unwrap_or(false);
    if also_string && (schema.ty != Ty::Integer || loc != Location::Body) {
        ctx.diags.error(
            file,
            format!("{path}.also_string"),
            "`also_string` applies to integer body fields (an integer that may arrive as a string of digits)",
        );
    }
    Some(Field {
        wire_name: name.to_string(),
        rust_name,
        location: loc,
        required,
        schema,
        doc: Doc {
            gloss: clean(&f.gloss),
            user_note: clean(&f.user_note),
            ..doc(&f.title, &f.description, &f.note)
        },
        not_open: f.not_open.unwrap_or(false),
        also_string,
        deprecated: clean(&f.deprecated),
        example: f.example.as_ref().map(Scalar::to_text),
    })
}

pub(super) fn check_schema(ctx: &mut Ctx, file: &str, path: &str, f: &RawField) -> Option<Schema> {
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
                ("not_open", items.not_open.is_some()),
                ("also_string", items.also_string.is_some()),
                ("deprecated", items.deprecated.is_some()),
                ("user_note", items.user_note.is_some()),
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
                let scalars = ["string", "integer", "number", "boolean", "array"];
                let known = ctx.names.keys().map(String::as_str).chain(scalars);
                let help =
                    crate::diag::did_you_mean(other, known).map(|s| format!("did you mean `{s}`?"));
                ctx.diags.error_help(
                    file,
                    format!("{path}.type"),
                    format!(
                        "unknown type `{other}`: not a scalar (string, integer, number, boolean, array) and not defined in family `{}`",
                        ctx.family
                    ),
                    help,
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

pub(super) fn check_constraints(
    ctx: &mut Ctx,
    file: &str,
    path: &str,
    f: &RawField,
    ty: &Ty,
) -> Constraints {
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
    if let Some(h) = f.max_han {
        if !matches!(ty, Ty::String) {
            ctx.diags.error(
                file,
                format!("{path}.max_han"),
                "`max_han` only applies to string fields",
            );
        } else if h < 1 {
            ctx.diags.error(
                file,
                format!("{path}.max_han"),
                format!("`max_han` must be at least 1, got {h}"),
            );
        } else {
            c.max_han = Some(h as u64);
        }
    }
    if let Some(schemes) = &f.schemes {
        if !matches!(ty, Ty::String) {
            ctx.diags.error(
                file,
                format!("{path}.schemes"),
                "`schemes` only applies to string fields",
            );
        }
        if c.format == Some(Format::Rfc3339) {
            ctx.diags.error(
                file,
                format!("{path}.schemes"),
                "`schemes` cannot be combined with `format: rfc3339`",
            );
        }
        if schemes.is_empty() {
            ctx.diags.error(
                file,
                format!("{path}.schemes"),
                "`schemes` must list at least one scheme",
            );
        }
        for (i, sc) in schemes.iter().enumerate() {
            let ok = sc.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && sc
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c));
            if !ok {
                ctx.diags.error(
                    file,
                    format!("{path}.schemes[{i}]"),
                    format!("`{sc}` is not a lowercase URL scheme (e.g. `https`)"),
                );
            }
        }
        c.schemes = Some(schemes.clone());
        c.format = Some(Format::Uri);
    }
    c
}
