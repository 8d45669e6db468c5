//! Conditional rules between fields: resolved once every type exists, with dotted paths
//! through nested objects.

use crate::ir::*;
use crate::raw::*;

use super::*;

pub(super) fn check_rules_in_family(ctx: &mut Ctx, files: &[&RawFile], fam: &mut Family) {
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

pub(super) fn check_rules(
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
            r.all_or_none.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if set != 1 {
            ctx.diags.error(file, &rpath, format!("a rule needs exactly one kind key (required_when, forbidden_unless, exactly_one_of, at_most_one_of, all_or_none, not_before_now, max_days_ahead, max_span_days), found {set}"));
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
            let cond = condition(ctx, fam, file, &format!("{rpath}.{key}"), c, when.as_ref());
            match (target, when, cond) {
                (Some((field, _)), Some((when, _)), Some(cond)) => {
                    if r.required_when.is_some() {
                        RuleKind::RequiredWhen { field, when, cond }
                    } else {
                        RuleKind::ForbiddenUnless { field, when, cond }
                    }
                }
                _ => continue,
            }
        } else if let Some(l) = r
            .exactly_one_of
            .as_ref()
            .or(r.at_most_one_of.as_ref())
            .or(r.all_or_none.as_ref())
        {
            let key = if r.exactly_one_of.is_some() {
                "exactly_one_of"
            } else if r.at_most_one_of.is_some() {
                "at_most_one_of"
            } else {
                "all_or_none"
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
            } else if r.at_most_one_of.is_some() {
                RuleKind::AtMostOneOf { fields }
            } else {
                RuleKind::AllOrNone { fields }
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
            gloss: clean(&r.gloss),
            description: r.description.clone(),
            note: r.note.clone(),
        });
    }
    out
}

/// The condition of `required_when` / `forbidden_unless`: exactly one of `equals`,
/// `greater_than` or `contains`, fitting the type of the `when` field.
fn condition(
    ctx: &mut Ctx,
    fam: &Family,
    file: &str,
    at: &str,
    c: &RawCond,
    when: Option<&(FieldPath, Schema)>,
) -> Option<Condition> {
    let given = [
        c.equals.is_some(),
        c.greater_than.is_some(),
        c.contains.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if given != 1 {
        ctx.diags.error(
            file,
            at,
            format!("a condition needs exactly one of `equals`, `greater_than`, `contains`, found {given}"),
        );
        return None;
    }
    let values = |v: &Vec<Scalar>| -> Vec<String> { v.iter().map(Scalar::to_text).collect() };
    // Values compared against an enum must be values of it.
    let check_enum = |ctx: &mut Ctx, key: &str, ty: &Ty, vals: &[String]| {
        if let Ty::Enum(e) = ty {
            if let Some(en) = fam.find_enum(e) {
                for v in vals {
                    if !en.values.iter().any(|x| x.wire == *v) {
                        ctx.diags.error(
                            file,
                            format!("{at}.{key}"),
                            format!("`{v}` is not a value of enum `{e}`"),
                        );
                    }
                }
            }
        }
    };
    let schema = when.map(|w| &w.1);
    if let Some(eq) = &c.equals {
        let vals = values(eq);
        if vals.is_empty() {
            ctx.diags.error(
                file,
                format!("{at}.equals"),
                "`equals` needs at least one value",
            );
        }
        if let Some(s) = schema {
            match &s.ty {
                Ty::Enum(_) => check_enum(ctx, "equals", &s.ty, &vals),
                Ty::String | Ty::Boolean | Ty::Integer => {}
                _ => ctx.diags.error(
                    file,
                    format!("{at}.when"),
                    "with `equals`, `when` must name a string, enum, boolean or integer field",
                ),
            }
        }
        return Some(Condition::Equals(vals));
    }
    if let Some(n) = c.greater_than {
        if let Some(s) = schema {
            if !matches!(s.ty, Ty::Integer | Ty::Number) {
                ctx.diags.error(
                    file,
                    format!("{at}.when"),
                    "with `greater_than`, `when` must name an integer or number field",
                );
            }
        }
        return Some(Condition::GreaterThan(n));
    }
    let vals = values(c.contains.as_ref()?);
    if vals.is_empty() {
        ctx.diags.error(
            file,
            format!("{at}.contains"),
            "`contains` needs at least one value",
        );
    }
    if let Some(s) = schema {
        match &s.ty {
            Ty::Array(item) if matches!(item.ty, Ty::String | Ty::Enum(_) | Ty::Integer) => {
                check_enum(ctx, "contains", &item.ty, &vals)
            }
            _ => ctx.diags.error(
                file,
                format!("{at}.when"),
                "with `contains`, `when` must name an array of strings, enums or integers",
            ),
        }
    }
    Some(Condition::Contains(vals))
}

pub(super) fn days(ctx: &mut Ctx, file: &str, path: &str, d: i64) -> Option<u32> {
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

pub(super) fn time_field(
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
pub(super) fn resolve_path(
    fam: &Family,
    object: &str,
    path: &str,
) -> Result<(FieldPath, Schema), String> {
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
            .ok_or_else(|| {
                let names = obj.fields.iter().map(|f| f.wire_name.as_str());
                let hint = crate::diag::did_you_mean(seg, names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                format!("`{path}`: `{seg}` is not a field of `{cur}`{hint}")
            })?;
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
