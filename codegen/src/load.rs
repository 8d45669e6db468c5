//! Loading: read `spec/**/*.yaml`, parse YAML, and deserialize each entry on its own so one
//! broken type or operation never hides the problems of the others. The only module that
//! parses YAML (serde_yaml for values; saphyr-parser's event stream for source positions).

pub mod positions;

use crate::diag::{did_you_mean, Diagnostics};
use crate::raw::{RawFamilyMeta, RawFile, RawSpec};
use serde::de::DeserializeOwned;
use serde_yaml::Value;
use std::path::Path;

/// The name of the file that lists the families.
pub const FAMILIES_FILE: &str = "families.yaml";

/// A spec file's text, addressed relative to the spec root.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub rel_path: String,
    pub text: String,
}

/// Reads every `.yaml` file below `root`, sorted by path (deterministic order).
pub fn read_dir(root: &Path, diags: &mut Diagnostics) -> Vec<SourceFile> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                diags.error(
                    &dir.display().to_string(),
                    "",
                    format!("cannot read directory: {e}"),
                );
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                match std::fs::read_to_string(&path) {
                    Ok(text) => out.push(SourceFile {
                        rel_path: rel,
                        text,
                    }),
                    Err(e) => diags.error(&rel, "", format!("cannot read file: {e}")),
                }
            }
        }
    }
    out.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    out
}

/// Parses every source file into the raw model, collecting all diagnostics.
pub fn parse(files: &[SourceFile], diags: &mut Diagnostics) -> RawSpec {
    let mut spec = RawSpec {
        families_file: FAMILIES_FILE.to_string(),
        ..RawSpec::default()
    };
    let mut saw_families = false;
    for f in files {
        let value: Value = match serde_yaml::from_str(&f.text) {
            Ok(v) => v,
            Err(e) => {
                let loc = e.location().map(|l| (l.line(), l.column()));
                diags.error_at(
                    &f.rel_path,
                    loc,
                    format!("YAML syntax error: {}", strip_location(&e.to_string())),
                );
                continue;
            }
        };
        let Value::Mapping(map) = value else {
            diags.error(&f.rel_path, "", "a spec file must be a YAML mapping");
            continue;
        };
        if f.rel_path == FAMILIES_FILE {
            saw_families = true;
            for (k, v) in &map {
                match k.as_str() {
                    Some("families") => {
                        spec.families = entries::<RawFamilyMeta>(&f.rel_path, "families", v, diags);
                    }
                    _ => diags.error(
                        &f.rel_path,
                        key_text(k),
                        "unknown key (expected `families`)",
                    ),
                }
            }
            continue;
        }
        let mut raw = RawFile {
            file: f.rel_path.clone(),
            ..RawFile::default()
        };
        for (k, v) in &map {
            match k.as_str() {
                Some("family") => match v.as_str() {
                    Some(s) => raw.family = Some(s.to_string()),
                    None => diags.error(
                        &f.rel_path,
                        "family",
                        "must be a string (a family id from families.yaml)",
                    ),
                },
                Some("types") => raw.types = entries(&f.rel_path, "types", v, diags),
                Some("operations") => raw.operations = entries(&f.rel_path, "operations", v, diags),
                Some("notifications") => {
                    raw.notifications = entries(&f.rel_path, "notifications", v, diags)
                }
                _ => {
                    let key = key_text(k);
                    let help =
                        did_you_mean(&key, ["family", "types", "operations", "notifications"])
                            .map(|s| format!("did you mean `{s}`?"));
                    diags.error_help(
                        &f.rel_path,
                        key,
                        "unknown key (expected one of `family`, `types`, `operations`, `notifications`)",
                        help,
                    )
                }
            }
        }
        if raw.family.is_none() {
            diags.error(&f.rel_path, "family", "missing key `family`");
        }
        spec.files.push(raw);
    }
    if !saw_families {
        diags.error(
            FAMILIES_FILE,
            "",
            "missing: the spec root must contain families.yaml",
        );
    }
    spec
}

fn key_text(k: &Value) -> String {
    match k {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// Deserializes each entry of the mapping at `path` separately.
fn entries<T: DeserializeOwned>(
    file: &str,
    path: &str,
    value: &Value,
    diags: &mut Diagnostics,
) -> Vec<(String, T)> {
    let Value::Mapping(map) = value else {
        if !value.is_null() {
            diags.error(file, path, "must be a mapping of names to definitions");
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in map {
        let Some(name) = k.as_str() else {
            diags.error(
                file,
                format!("{path}.{}", key_text(k)),
                "names must be strings",
            );
            continue;
        };
        let entry_path = format!("{path}.{name}");
        match serde_path_to_error::deserialize::<_, T>(v.clone()) {
            Ok(t) => out.push((name.to_string(), t)),
            Err(e) => {
                let inner = pretty_path(v, e.path());
                let full = if inner.is_empty() {
                    entry_path
                } else {
                    format!("{entry_path}.{inner}")
                };
                let msg = strip_location(&e.into_inner().to_string());
                let help = unknown_field_help(&msg);
                diags.error_help(file, full, msg, help);
            }
        }
    }
    out
}

/// `unknown field `maxlen`, expected one of `name`, `max_len`, …` → `did you mean `max_len`?`.
fn unknown_field_help(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("unknown field `")?;
    let (name, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    did_you_mean(name, expected).map(|s| format!("did you mean `{s}`?"))
}

/// Renders a serde path with list elements named by their `name` key
/// (`fields.max_coupons.max` instead of `fields[0].max`).
fn pretty_path(root: &Value, path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    let mut cur = Some(root);
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => {
                let elem = cur
                    .and_then(|v| v.as_sequence())
                    .and_then(|s| s.get(*index));
                match elem.and_then(|e| e.get("name")).and_then(Value::as_str) {
                    Some(name) => {
                        out.push('.');
                        out.push_str(name);
                    }
                    None => out.push_str(&format!("[{index}]")),
                }
                cur = elem;
            }
            Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
                cur = cur.and_then(|v| v.get(key.as_str()));
            }
            Segment::Enum { variant } => {
                out.push('.');
                out.push_str(variant);
            }
            Segment::Unknown => {
                out.push_str(".?");
                cur = None;
            }
        }
    }
    out.trim_start_matches('.').to_string()
}

/// serde_yaml appends " at line L column C" to messages; positions are reported separately.
fn strip_location(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}
