//! Types of one family, old against new: fields (presence, required-ness, type, constraints,
//! rules) and enum values. Constraints only bind callers on request types (responses are not
//! validated), so there a narrower constraint is breaking and elsewhere documentation.

use super::{same_json, Impact, Out};
use crate::ir::*;
use std::collections::BTreeMap;

fn all_types(f: &Family) -> BTreeMap<&str, &TypeDef> {
    f.types
        .iter()
        .chain(f.operations.iter().flat_map(|o| o.local_types.iter()))
        .map(|t| (t.name(), t))
        .collect()
}

pub(super) fn types(out: &mut Out, o: &Family, n: &Family) {
    let (ot, nt) = (all_types(o), all_types(n));
    let renames = renames(&ot, &nt);
    for (name, a) in &ot {
        let path = format!("{}.{name}", n.id);
        match (a, nt.get(name)) {
            (_, None) => match renames.get(name) {
                Some(to) => {
                    let (_, ka) = wire_keys(a);
                    let (_, kb) = wire_keys(nt[to]);
                    let shape = if ka == kb {
                        "same wire fields".to_owned()
                    } else {
                        let shared = ka.iter().filter(|k| kb.contains(k)).count();
                        format!("{shared} of its {} wire fields kept", ka.len())
                    };
                    let what = if ot.contains_key(to) {
                        format!("type merged into {to}, which already existed")
                    } else {
                        format!("type renamed → {to}")
                    };
                    out.push(
                        Impact::Breaking,
                        &path,
                        format!("{what} ({shape}; callers use the new name)"),
                    );
                    // What else changed, so a rename cannot hide a change of validation.
                    compare(out, &format!("{path} → {to}"), a, nt[to], &renames);
                }
                None => out.push(Impact::Breaking, path, "type removed"),
            },
            (a, Some(b)) => compare(out, &path, a, b, &renames),
        }
    }
    for name in nt.keys() {
        if !ot.contains_key(name) && !renames.values().any(|to| to == name) {
            out.push(Impact::Compatible, format!("{}.{name}", n.id), "new type");
        }
    }
}

/// Old type name → new, for types that were renamed (see [`renames`]).
type Renames<'a> = BTreeMap<&'a str, &'a str>;

fn compare(out: &mut Out, path: &str, a: &TypeDef, b: &TypeDef, renames: &Renames) {
    match (a, b) {
        (TypeDef::Object(a), TypeDef::Object(b)) => object(out, path, a, b, renames),
        (TypeDef::Enum(a), TypeDef::Enum(b)) => enumeration(out, path, a, b),
        _ => out.push(
            Impact::Breaking,
            path,
            "type changed between object and enum",
        ),
    }
}

/// Whether a type is an object, and its sorted wire field names (or enum values).
type Shape<'a> = (bool, Vec<&'a str>);

/// The wire shape that identifies a type across a rename: its field names, or its values.
fn wire_keys(t: &TypeDef) -> Shape<'_> {
    let mut keys: Vec<&str> = match t {
        TypeDef::Object(o) => o.fields.iter().map(|f| f.wire_name.as_str()).collect(),
        TypeDef::Enum(e) => e.values.iter().map(|v| v.wire.as_str()).collect(),
    };
    keys.sort_unstable();
    (matches!(t, TypeDef::Object(_)), keys)
}

/// Removed types that reappear under a new name. A removed type maps to the added type of the
/// same kind with exactly its wire field names (or enum values) when there is exactly one;
/// else to the one type that already existed with exactly that shape (a merge into it);
/// otherwise to the one added type that shares the most of them, when that is at least two
/// and at least 60 % of the union (Jaccard) and no other added type comes as close. Several
/// removed types may map to one added type (two copies merged into one). Anything else is
/// reported as removed and added; types without fields never match.
fn renames<'a>(
    ot: &BTreeMap<&'a str, &'a TypeDef>,
    nt: &BTreeMap<&'a str, &'a TypeDef>,
) -> Renames<'a> {
    // Every new type's shape, once, and whether it existed before.
    let shapes: Vec<(&str, bool, Shape)> = nt
        .iter()
        .map(|(name, t)| (*name, ot.contains_key(*name), wire_keys(t)))
        .collect();
    ot.iter()
        .filter(|(name, _)| !nt.contains_key(*name))
        .filter_map(|(name, t)| {
            let keys = wire_keys(t);
            if keys.1.is_empty() {
                return None;
            }
            // Exactly this shape: among the added types first, then (a merge) the kept ones.
            for existed in [false, true] {
                let mut same = shapes
                    .iter()
                    .filter(|(_, e, k)| *e == existed && *k == keys);
                match (same.next(), same.next()) {
                    (Some((to, ..)), None) => return Some((*name, *to)),
                    (Some(_), Some(_)) => return None,
                    _ => {}
                }
            }
            // No exact match: the closest, if it is close and unambiguous.
            let mut scored: Vec<(usize, usize, &str)> = shapes
                .iter()
                .filter(|(_, existed, (object, _))| !existed && *object == keys.0)
                .map(|(to, _, (_, k))| {
                    let shared = keys.1.iter().filter(|x| k.contains(x)).count();
                    let union = keys.1.len() + k.len() - shared;
                    (shared, union, *to)
                })
                .filter(|&(shared, union, _)| shared >= 2 && shared * 10 >= union * 6)
                .collect();
            // Best Jaccard first: shared / union, compared without division.
            scored.sort_by(|a, b| (b.0 * a.1).cmp(&(a.0 * b.1)));
            match scored.as_slice() {
                [best] => Some((*name, best.2)),
                [best, next, ..] if best.0 * next.1 > next.0 * best.1 => Some((*name, best.2)),
                _ => None,
            }
        })
        .collect()
}

fn docs_differ(a: &Doc, b: &Doc) -> bool {
    !same_json(a, b)
}

fn enumeration(out: &mut Out, path: &str, a: &EnumType, b: &EnumType) {
    for v in &a.values {
        match b.values.iter().find(|x| x.wire == v.wire) {
            None => out.push(
                Impact::Breaking,
                format!("{path}.{}", v.wire),
                format!("enum value removed (variant `{}` disappears)", v.rust_name),
            ),
            Some(x) => {
                if x.rust_name != v.rust_name {
                    out.push(
                        Impact::Breaking,
                        format!("{path}.{}", v.wire),
                        format!("variant renamed `{}` → `{}`", v.rust_name, x.rust_name),
                    );
                }
                if docs_differ(&v.doc, &x.doc) {
                    out.push(
                        Impact::Docs,
                        format!("{path}.{}", v.wire),
                        "value documentation changed",
                    );
                }
            }
        }
    }
    for x in &b.values {
        if !a.values.iter().any(|v| v.wire == x.wire) {
            out.push(
                Impact::Compatible,
                format!("{path}.{}", x.wire),
                format!("new enum value (variant `{}`)", x.rust_name),
            );
        }
    }
    if docs_differ(&a.doc, &b.doc) {
        out.push(Impact::Docs, path, "type documentation changed");
    }
}

fn object(out: &mut Out, path: &str, a: &ObjectType, b: &ObjectType, renames: &Renames) {
    let validated = a.in_request || b.in_request;
    for f in &a.fields {
        let fp = format!("{path}.{}", f.wire_name);
        match b.fields.iter().find(|x| x.wire_name == f.wire_name) {
            None => out.push(
                Impact::Breaking,
                fp,
                format!("field removed (`{}` disappears)", f.rust_name),
            ),
            Some(g) => field(out, &fp, f, g, validated, renames),
        }
    }
    for g in &b.fields {
        if a.fields.iter().any(|f| f.wire_name == g.wire_name) {
            continue;
        }
        let fp = format!("{path}.{}", g.wire_name);
        if g.required && b.in_request {
            out.push(
                Impact::Breaking,
                fp,
                "new required request field (`build()` fails until callers set it)",
            );
        } else {
            out.push(
                Impact::Compatible,
                fp,
                format!(
                    "new {} field",
                    if g.required { "required" } else { "optional" }
                ),
            );
        }
    }
    rules(out, path, &a.rules, &b.rules, validated);
    if docs_differ(&a.doc, &b.doc) {
        out.push(Impact::Docs, path, "type documentation changed");
    }
}

fn rules(out: &mut Out, path: &str, a: &[Rule], b: &[Rule], validated: bool) {
    let kinds = |rs: &[Rule]| -> Vec<String> {
        rs.iter()
            .map(|r| {
                serde_json::to_value(&r.kind).map_or_else(|_| String::new(), |v| rule_text(&v))
            })
            .collect()
    };
    let (ka, kb) = (kinds(a), kinds(b));
    for k in &kb {
        if !ka.contains(k) {
            let impact = if validated {
                Impact::Breaking
            } else {
                Impact::Docs
            };
            out.push(
                impact,
                path,
                format!("new rule {k} (requests valid before may be rejected)"),
            );
        }
    }
    for k in &ka {
        if !kb.contains(k) {
            let impact = if validated {
                Impact::Compatible
            } else {
                Impact::Docs
            };
            out.push(
                impact,
                path,
                format!("rule removed {k} (fewer requests rejected)"),
            );
        }
    }
    let docs = |rs: &[Rule]| -> Vec<(Option<String>, Option<String>, Option<String>)> {
        rs.iter()
            .map(|r| (r.description.clone(), r.gloss.clone(), r.note.clone()))
            .collect()
    };
    if ka == kb && docs(a) != docs(b) {
        out.push(Impact::Docs, path, "rule documentation changed");
    }
}

/// A rule as `required_when(field: a.b, when: c, equals: [X])`.
fn rule_text(v: &serde_json::Value) -> String {
    use serde_json::Value;
    fn arg(v: &Value) -> String {
        match v {
            // A field path is a list of wire names.
            Value::Array(items) if items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("."),
            Value::Array(items) => {
                format!("[{}]", items.iter().map(arg).collect::<Vec<_>>().join(", "))
            }
            Value::Object(m) => m
                .iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    // Condition values, not a field path.
                    ("equals" | "contains", Value::Array(vals)) => format!(
                        "{k}: [{}]",
                        vals.iter().map(arg).collect::<Vec<_>>().join(", ")
                    ),
                    _ => format!("{k}: {}", arg(v)),
                })
                .collect::<Vec<_>>()
                .join(", "),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
    match v {
        Value::Object(m) if m.len() == 1 => m
            .iter()
            .map(|(k, inner)| format!("{k}({})", arg(inner)))
            .collect(),
        other => other.to_string(),
    }
}

fn field(out: &mut Out, path: &str, a: &Field, b: &Field, validated: bool, renames: &Renames) {
    if a.rust_name != b.rust_name {
        out.push(
            Impact::Breaking,
            path,
            format!("Rust name changed `{}` → `{}`", a.rust_name, b.rust_name),
        );
    }
    if a.required != b.required {
        let msg = if b.required {
            "optional → required (the Rust field type changes from Option<T> to T; a request without it no longer builds)"
        } else {
            "required → optional (the Rust field type changes from T to Option<T>)"
        };
        out.push(Impact::Breaking, path, msg);
    }
    if a.location != b.location {
        out.push(
            Impact::Compatible,
            path,
            format!(
                "moved from {:?} to {:?} (wire only)",
                a.location, b.location
            ),
        );
    }
    schema(out, path, &a.schema, &b.schema, validated, renames);
    if !a.not_open && b.not_open && validated && !b.required {
        out.push(
            Impact::Breaking,
            path,
            "now 暂未开放 (not open): the client rejects it when set",
        );
    } else if a.not_open && !b.not_open && validated {
        out.push(
            Impact::Compatible,
            path,
            "no longer 暂未开放: the client accepts it",
        );
    }
    if docs_differ(&a.doc, &b.doc) || a.example != b.example || a.deprecated != b.deprecated {
        out.push(Impact::Docs, path, "field documentation changed");
    }
}

fn schema(out: &mut Out, path: &str, a: &Schema, b: &Schema, validated: bool, renames: &Renames) {
    match (&a.ty, &b.ty) {
        (Ty::Array(x), Ty::Array(y)) => schema(out, &format!("{path}[]"), x, y, validated, renames),
        (x, y) if x != y => {
            let renamed = match (x, y) {
                (Ty::Object(o), Ty::Object(n)) | (Ty::Enum(o), Ty::Enum(n)) => {
                    renames.get(o.as_str()) == Some(&n.as_str())
                }
                _ => false,
            };
            let why = if renamed {
                " (the type was renamed or merged; its own changes are listed under it)"
            } else {
                ""
            };
            out.push(
                Impact::Breaking,
                path,
                format!("type changed {} → {}{why}", ty_text(x), ty_text(y)),
            );
            return;
        }
        _ => {}
    }
    constraints(out, path, &a.constraints, &b.constraints, validated);
}

fn ty_text(t: &Ty) -> String {
    match t {
        Ty::String => "string".into(),
        Ty::Integer => "integer".into(),
        Ty::Number => "number".into(),
        Ty::Boolean => "boolean".into(),
        Ty::Object(n) | Ty::Enum(n) => n.clone(),
        Ty::Array(i) => format!("array[{}]", ty_text(&i.ty)),
    }
}

/// Whether a bound change narrows (`Some(true)`), widens (`Some(false)`) or keeps the set of
/// accepted values; `upper` for maximums.
fn narrows(a: Option<i128>, b: Option<i128>, upper: bool) -> Option<bool> {
    match (a, b) {
        (x, y) if x == y => None,
        (None, Some(_)) => Some(true),
        (Some(_), None) => Some(false),
        (Some(x), Some(y)) => Some(if upper { y < x } else { y > x }),
        _ => None,
    }
}

fn constraints(out: &mut Out, path: &str, a: &Constraints, b: &Constraints, validated: bool) {
    let mut report = |what: &str, narrower: bool, detail: String| {
        let impact = match (validated, narrower) {
            (false, _) => Impact::Docs,
            (true, true) => Impact::Breaking,
            (true, false) => Impact::Compatible,
        };
        let why = if narrower { "narrower" } else { "wider" };
        out.push(impact, path, format!("{what} {detail} ({why})"));
    };
    let u = |x: Option<u64>| x.map(i128::from);
    let i = |x: Option<i64>| x.map(i128::from);
    let show = |x: Option<i128>| x.map(|v| v.to_string()).unwrap_or_else(|| "none".into());
    for (what, x, y, upper) in [
        ("max_len", u(a.max_len), u(b.max_len), true),
        ("min_len", u(a.min_len), u(b.min_len), false),
        ("max_han", u(a.max_han), u(b.max_han), true),
        ("max", i(a.max), i(b.max), true),
        ("min", i(a.min), i(b.min), false),
        ("max_items", u(a.max_items), u(b.max_items), true),
        ("min_items", u(a.min_items), u(b.min_items), false),
    ] {
        if let Some(n) = narrows(x, y, upper) {
            report(what, n, format!("{} → {}", show(x), show(y)));
        }
    }
    if a.unit() != b.unit() {
        report(
            "len_unit",
            b.unit() == LenUnit::Bytes,
            format!("{:?} → {:?}", a.unit(), b.unit()),
        );
    }
    if a.format != b.format {
        let narrower = b.format.is_some();
        report(
            "format",
            narrower,
            format!("{:?} → {:?}", a.format, b.format),
        );
    }
    set_change(
        &mut report,
        "charset",
        a.charset.as_deref(),
        b.charset.as_deref(),
    );
    let chars = |s: &Option<String>| s.as_deref().map(|s| s.chars().collect::<Vec<_>>());
    let (fa, fb) = (chars(&a.forbidden_chars), chars(&b.forbidden_chars));
    if fa != fb {
        // More forbidden characters accept fewer values.
        let narrower = match (&fa, &fb) {
            (Some(x), Some(y)) => !y.iter().all(|c| x.contains(c)) || x.len() == y.len(),
            (None, Some(_)) => true,
            _ => false,
        };
        report(
            "forbidden_chars",
            narrower,
            format!("{:?} → {:?}", a.forbidden_chars, b.forbidden_chars),
        );
    }
    set_change(
        &mut report,
        "schemes",
        a.schemes.as_deref(),
        b.schemes.as_deref(),
    );
}

/// An allow-list change: `None` allows everything; a smaller set is narrower.
fn set_change<T: PartialEq + std::fmt::Debug>(
    report: &mut impl FnMut(&str, bool, String),
    what: &str,
    a: Option<&[T]>,
    b: Option<&[T]>,
) {
    let detail = format!("{a:?} → {b:?}");
    match (a, b) {
        (None, None) => {}
        (None, Some(_)) => report(what, true, detail),
        (Some(_), None) => report(what, false, detail),
        (Some(x), Some(y)) => {
            let y_in_x = y.iter().all(|v| x.contains(v));
            let x_in_y = x.iter().all(|v| y.contains(v));
            match (y_in_x, x_in_y) {
                (true, true) => {}
                (true, false) => report(what, true, detail),
                (false, true) => report(what, false, detail),
                (false, false) => report(what, true, detail),
            }
        }
    }
}
