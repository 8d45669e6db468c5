//! `codegen lint`: every field, enum value and error row without an English `gloss`, every
//! `gloss` / `user_note` that leaks source shorthand (`(L)`, `facts pack`, `seed 002`, `§`),
//! and object types of one family with the same wire shape that do not say they differ
//! (`distinct_from`): two transcriptions of one official type drift apart.

use crate::diag::Diagnostics;
use crate::raw::*;

/// Shorthand that belongs in maintainer notes, never in what users read.
fn shorthand(s: &str) -> Option<&'static str> {
    const LITERAL: [&str; 6] = ["(L)", "(O)", "(L0)", "(G)", "facts pack", "§"];
    for l in LITERAL {
        if s.contains(l) {
            return Some(l);
        }
    }
    let lower = s.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("seed ") {
        let after = &rest[i + 5..];
        if after.len() >= 3 && after.as_bytes()[..3].iter().all(u8::is_ascii_digit) {
            return Some("seed NNN");
        }
        rest = after;
    }
    None
}

struct Lint<'a> {
    file: &'a str,
    diags: &'a mut Diagnostics,
}

impl Lint<'_> {
    fn text(&mut self, path: &str, key: &str, v: &Option<String>) {
        if let Some(s) = v.as_deref().and_then(shorthand) {
            self.diags.error(
                self.file,
                format!("{path}.{key}"),
                format!("`{key}` contains source shorthand `{s}`; users read it: say it in plain words or move it to `note`"),
            );
        }
    }

    fn glossed(&mut self, path: &str, what: &str, gloss: &Option<String>) {
        if gloss.as_deref().is_none_or(|g| g.trim().is_empty()) {
            self.diags
                .error(self.file, path, format!("{what} has no `gloss`"));
        }
        self.text(path, "gloss", gloss);
    }

    fn fields(&mut self, path: &str, fields: &[RawField]) {
        for (i, f) in fields.iter().enumerate() {
            let p = match &f.name {
                Some(n) => format!("{path}.{n}"),
                None => format!("{path}[{i}]"),
            };
            self.glossed(&p, "field", &f.gloss);
            self.text(&p, "user_note", &f.user_note);
        }
    }

    /// A Chinese example title needs English: a `gloss`, or a generic title the docs
    /// translate themselves (请求示例, 应答示例(旧版页面), …).
    fn examples(&mut self, path: &str, examples: &[RawExample]) {
        for (i, e) in examples.iter().enumerate() {
            let p = format!("{path}[{i}]");
            self.text(&p, "gloss", &e.gloss);
            let Some(title) = e.title.as_deref() else {
                continue;
            };
            if e.gloss.is_none() && crate::emit::docs::example_title_en(title).is_none() {
                self.diags.error(
                    self.file,
                    p,
                    format!("example title `{title}` has no `gloss`"),
                );
            }
        }
    }

    fn rules(&mut self, path: &str, rules: &[RawRule]) {
        for (i, r) in rules.iter().enumerate() {
            self.text(&format!("{path}[{i}]"), "gloss", &r.gloss);
        }
    }
}

/// Lints the raw spec; every finding is a diagnostic with file and YAML path.
pub fn lint(raw: &RawSpec) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for file in &raw.files {
        let mut l = Lint {
            file: &file.file,
            diags: &mut diags,
        };
        for (name, t) in &file.types {
            let path = format!("types.{name}");
            l.text(&path, "gloss", &t.gloss);
            if let Some(fields) = &t.fields {
                l.fields(&format!("{path}.fields"), fields);
            }
            l.rules(&format!("{path}.rules"), &t.rules);
            for (i, v) in t.values.iter().flatten().enumerate() {
                l.glossed(
                    &format!("{path}.values[{i}]"),
                    &format!("enum value `{}`", v.value.to_text()),
                    &v.gloss,
                );
            }
        }
        for (id, op) in &file.operations {
            let path = format!("operations.{id}");
            l.text(&path, "user_note", &op.user_note);
            if let Some(req) = &op.request {
                let rp = format!("{path}.request");
                l.fields(&format!("{rp}.headers"), &req.headers);
                l.fields(&format!("{rp}.path_params"), &req.path_params);
                l.fields(&format!("{rp}.query"), &req.query);
                l.fields(&format!("{rp}.body"), &req.body);
                l.rules(&format!("{rp}.rules"), &req.rules);
            }
            if let Some(fields) = &op.response.fields {
                l.fields(&format!("{path}.response.fields"), fields);
            }
            l.examples(&format!("{path}.examples"), &op.examples);
            for (i, e) in op.errors.iter().enumerate() {
                l.glossed(
                    &format!("{path}.errors[{i}]"),
                    &format!("error row {} {}", e.status, e.code),
                    &e.gloss,
                );
            }
        }
        for (id, n) in &file.notifications {
            l.text(&format!("notifications.{id}"), "user_note", &n.user_note);
            l.examples(&format!("notifications.{id}.examples"), &n.examples);
        }
    }
    same_shapes(raw, &mut diags);
    diags
}

/// A declared object type's (wire name, type) pairs, sorted; array fields as `[item type]`.
type Shape = Vec<(String, String)>;

/// The wire shape of a declared object type.
fn shape(t: &RawType) -> Shape {
    fn ty(f: &RawField) -> String {
        match (f.ty.as_deref(), &f.items) {
            (Some("array"), Some(items)) => format!("[{}]", ty(items)),
            (t, _) => t.unwrap_or("").to_owned(),
        }
    }
    let mut out: Shape = t
        .fields
        .iter()
        .flatten()
        .filter_map(|f| Some((f.name.clone()?, ty(f))))
        .collect();
    out.sort();
    out
}

/// Two declared object types of one family with the same wire shape (two or more fields) are
/// usually two transcriptions of one official type; each pair must be merged or say
/// `distinct_from` (on either side). A `distinct_from` name that is not such a type is an
/// error too, so the acknowledgements cannot go stale.
fn same_shapes(raw: &RawSpec, diags: &mut Diagnostics) {
    use std::collections::BTreeMap;
    // family → (name → (file, type))
    let mut families: BTreeMap<&str, BTreeMap<&str, (&str, &RawType)>> = BTreeMap::new();
    for file in &raw.files {
        let Some(family) = file.family.as_deref() else {
            continue;
        };
        for (name, t) in &file.types {
            families
                .entry(family)
                .or_default()
                .insert(name.as_str(), (file.file.as_str(), t));
        }
    }
    for types in families.values() {
        let objects: Vec<(&str, &str, &RawType, Shape)> = types
            .iter()
            .filter(|(_, (_, t))| t.kind == "object")
            .map(|(name, (file, t))| (*name, *file, *t, shape(t)))
            .collect();
        for (name, file, t, _) in &objects {
            for other in &t.distinct_from {
                let ok = objects.iter().any(|(n, _, _, _)| n == other);
                if !ok {
                    diags.error(
                        file,
                        format!("types.{name}.distinct_from"),
                        format!("`{other}` is not an object type of this family"),
                    );
                }
            }
        }
        for (i, (a, file, ta, sa)) in objects.iter().enumerate() {
            if sa.len() < 2 {
                continue;
            }
            for (b, _, tb, sb) in &objects[i + 1..] {
                let acknowledged = ta.distinct_from.iter().any(|x| x == b)
                    || tb.distinct_from.iter().any(|x| x == a);
                if sa == sb && !acknowledged {
                    let names: Vec<&str> = sa.iter().map(|(n, _)| n.as_str()).collect();
                    diags.error(
                        file,
                        format!("types.{a}"),
                        format!(
                            "`{a}` and `{b}` have the same wire fields ({}): if they transcribe one official type, keep one (`codegen diff` shows the merge as a rename); if they differ on purpose, add `distinct_from: [{b}]` to `{a}`",
                            names.join(", ")
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shorthand;

    #[test]
    fn finds_source_shorthand() {
        assert_eq!(shorthand("max 20 (L)"), Some("(L)"));
        assert_eq!(shorthand("see Seed 002 §3.2"), Some("§"));
        assert_eq!(shorthand("as in seed 004"), Some("seed NNN"));
        assert_eq!(shorthand("the facts pack says"), Some("facts pack"));
        assert_eq!(shorthand("Stock name (at most 20)"), None);
        assert_eq!(shorthand("seeds 1"), None);
    }
}
