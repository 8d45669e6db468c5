//! `spec/README.md` documents every key the loader accepts: each field of the raw model
//! (`src/raw.rs`, 1:1 with the YAML) must appear in it as `key:`.

use std::path::Path;

#[test]
fn every_raw_key_is_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read_to_string(root.join("src/raw.rs")).expect("raw.rs");
    let readme = std::fs::read_to_string(root.join("../spec/README.md")).expect("spec/README.md");
    let mut missing = Vec::new();
    let mut in_raw_struct = false;
    let mut rename: Option<String> = None;
    for line in raw.lines() {
        let t = line.trim();
        if t.starts_with("pub struct Raw") {
            // RawFile / RawSpec are the loader's own containers, not YAML.
            in_raw_struct =
                !t.starts_with("pub struct RawFile") && !t.starts_with("pub struct RawSpec");
            continue;
        }
        if t == "}" {
            in_raw_struct = false;
        }
        if !in_raw_struct {
            continue;
        }
        if let Some(r) = t
            .strip_prefix("#[serde(rename = \"")
            .and_then(|r| r.split('"').next())
        {
            rename = Some(r.to_string());
            continue;
        }
        if let Some(field) = t.strip_prefix("pub ").and_then(|r| r.split(':').next()) {
            let key = rename.take().unwrap_or_else(|| field.to_string());
            let documented =
                readme.contains(&format!("{key}:")) || readme.contains(&format!("`{key}`"));
            if !documented {
                missing.push(key);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys accepted by the loader but not documented in spec/README.md: {missing:?}"
    );
}
