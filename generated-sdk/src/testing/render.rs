//! Answers and payloads, built field by field along the generated shape of their type: each
//! field takes the first value of the right JSON kind from the sources (what the call
//! changed, the entity, the request), else the documented example's, else (when required) a
//! sample. So every answer decodes into the generated response type by construction. About
//! an entity, optional fields come from the entity only (the example's sample values would
//! describe another stock or coupon); without one, the whole example is the answer.

use serde_json::{Map, Value};

use super::generated;
use super::model::{FieldShape, Fmt, Kind};

const MAX_DEPTH: usize = 12;

/// How much of the documented example an answer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Example {
    /// Every field the sources lack (an answer about nothing the simulator keeps).
    All,
    /// Only required fields the sources lack (an answer about an entity).
    Required,
}

/// The object of type `type_key` (`family.Type`) from `template` (a documented example) and
/// `sources`, highest priority first.
pub(crate) fn render(
    type_key: &str,
    template: Option<&Value>,
    sources: &[&Value],
    now: i64,
    use_example: Example,
) -> Value {
    let Some(shape) = generated::shape(type_key) else {
        // No shape known: the first source object, else the template.
        return sources
            .iter()
            .find(|s| s.is_object())
            .map(|s| (*s).clone())
            .or_else(|| template.cloned())
            .unwrap_or_else(|| Value::Object(Map::new()));
    };
    let objects: Vec<&Map<String, Value>> = sources.iter().filter_map(|s| s.as_object()).collect();
    let cx = Cx { now, use_example };
    Value::Object(fill_object(
        &cx,
        shape,
        template.and_then(Value::as_object),
        &objects,
        0,
    ))
}

struct Cx {
    now: i64,
    use_example: Example,
}

fn fill_object(
    cx: &Cx,
    shape: &[FieldShape],
    template: Option<&Map<String, Value>>,
    sources: &[&Map<String, Value>],
    depth: usize,
) -> Map<String, Value> {
    let mut out = Map::new();
    for f in shape {
        let from: Vec<&Value> = sources
            .iter()
            .filter_map(|s| s.get(f.name))
            .filter(|v| !v.is_null())
            .collect();
        let tmpl = template
            .and_then(|t| t.get(f.name))
            .filter(|v| !v.is_null())
            .filter(|_| f.required || cx.use_example == Example::All);
        if let Some(v) = fill(cx, &f.kind, tmpl, &from, f.required, f.example, depth) {
            out.insert(f.name.to_owned(), v);
        }
    }
    out
}

fn fill(
    cx: &Cx,
    kind: &Kind,
    template: Option<&Value>,
    sources: &[&Value],
    required: bool,
    example: Option<&str>,
    depth: usize,
) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    match kind {
        Kind::Obj(key) => {
            let objects: Vec<&Map<String, Value>> =
                sources.iter().filter_map(|s| s.as_object()).collect();
            let tmpl = template.and_then(Value::as_object);
            if objects.is_empty() && tmpl.is_none() && !required {
                return None;
            }
            let shape = generated::shape(key)?;
            Some(Value::Object(fill_object(
                cx,
                shape,
                tmpl,
                &objects,
                depth + 1,
            )))
        }
        Kind::Arr(item) => {
            let tmpl_items = template.and_then(Value::as_array);
            let tmpl_first = tmpl_items.and_then(|a| a.first());
            let items = |list: &Vec<Value>, from_template: bool| -> Vec<Value> {
                list.iter()
                    .filter_map(|v| {
                        if from_template {
                            fill(cx, item, Some(v), &[], true, None, depth + 1)
                        } else {
                            fill(cx, item, tmpl_first, &[v], true, None, depth + 1)
                        }
                    })
                    .collect()
            };
            if let Some(list) = sources.iter().find_map(|s| s.as_array()) {
                return Some(Value::Array(items(list, false)));
            }
            if let Some(list) = tmpl_items {
                return Some(Value::Array(items(list, true)));
            }
            required.then(|| Value::Array(Vec::new()))
        }
        scalar => {
            if let Some(v) = sources.iter().find(|v| fits(scalar, v)) {
                return Some((*v).clone());
            }
            if let Some(v) = template.filter(|v| fits(scalar, v)) {
                return Some(v.clone());
            }
            required.then(|| sample(scalar, example, cx.now))
        }
    }
}

/// Whether `v` is of the JSON kind a scalar field takes.
fn fits(kind: &Kind, v: &Value) -> bool {
    match kind {
        Kind::Str(_) | Kind::Enum(_) => v.is_string(),
        Kind::Int => v.is_i64() || v.is_u64(),
        Kind::Num => v.is_number(),
        Kind::Bool => v.is_boolean(),
        Kind::Obj(_) => v.is_object(),
        Kind::Arr(_) => v.is_array(),
    }
}

/// A value for a required field nothing else supplied: its documented example, else a sample.
fn sample(kind: &Kind, example: Option<&str>, now: i64) -> Value {
    match kind {
        Kind::Str(Fmt::Time) => Value::String(rfc3339(now)),
        Kind::Str(Fmt::Url) => Value::String(
            example
                .filter(|e| e.starts_with("http"))
                .unwrap_or("https://example.com/simulator")
                .to_owned(),
        ),
        Kind::Str(Fmt::Plain) => Value::String(example.unwrap_or("SIMULATED").to_owned()),
        Kind::Enum(values) => Value::String(
            example
                .filter(|e| values.contains(e))
                .or_else(|| values.first().copied())
                .unwrap_or_default()
                .to_owned(),
        ),
        Kind::Int => Value::from(example.and_then(|e| e.parse::<i64>().ok()).unwrap_or(0)),
        Kind::Num => Value::from(example.and_then(|e| e.parse::<f64>().ok()).unwrap_or(0.0)),
        Kind::Bool => Value::Bool(example == Some("true")),
        Kind::Obj(_) => Value::Object(Map::new()),
        Kind::Arr(_) => Value::Array(Vec::new()),
    }
}

/// `unix` as RFC 3339 in China time (`2026-01-02T03:04:05+08:00`), as WeChat Pay writes times.
pub(crate) fn rfc3339(unix: i64) -> String {
    let local = unix + 8 * 3600;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+08:00",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The value at dotted `path` in `v`.
pub(crate) fn get_path<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.')
        .try_fold(v, |cur, part| cur.get(part))
        .filter(|v| !v.is_null())
}

/// Sets dotted `path` in `v` (creating objects on the way); `Null` removes the field.
pub(crate) fn set_path(v: &mut Value, path: &str, value: Value) {
    let mut cur = v;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(map) = cur else { return };
        if parts.peek().is_none() {
            if value.is_null() {
                map.remove(part);
            } else {
                map.insert(part.to_owned(), value);
            }
            return;
        }
        cur = map
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Merges `patch` into `base`: objects field by field, everything else replaced.
pub(crate) fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

/// Adds the fields of `lower` that `base` lacks (objects recursively).
pub(crate) fn underlay(base: &mut Value, lower: &Value) {
    if let (Value::Object(b), Value::Object(l)) = (base, lower) {
        for (k, v) in l {
            match b.get_mut(k) {
                None => {
                    b.insert(k.clone(), v.clone());
                }
                Some(existing) if existing.is_object() && v.is_object() => underlay(existing, v),
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_china_time() {
        assert_eq!(rfc3339(0), "1970-01-01T08:00:00+08:00");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-15T06:13:20+08:00");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T08:00:00+08:00");
        let back = crate::runtime::validation::parse_rfc3339(&rfc3339(1_234_567_890));
        assert_eq!(back, Some(1_234_567_890));
    }

    #[test]
    fn paths() {
        let mut v = serde_json::json!({"a": {"b": 1}});
        set_path(&mut v, "a.c.d", Value::from(2));
        set_path(&mut v, "a.b", Value::Null);
        assert_eq!(v, serde_json::json!({"a": {"c": {"d": 2}}}));
        assert_eq!(get_path(&v, "a.c.d"), Some(&Value::from(2)));
        let mut base = serde_json::json!({"x": {"y": 1}, "z": 1});
        underlay(
            &mut base,
            &serde_json::json!({"x": {"y": 2, "w": 3}, "q": 4}),
        );
        assert_eq!(
            base,
            serde_json::json!({"x": {"y": 1, "w": 3}, "z": 1, "q": 4})
        );
    }
}
