//! Helpers shared by the codegen integration tests: the real spec as in-memory sources.

#![allow(dead_code)]

use codegen::load::SourceFile;
use std::path::{Path, PathBuf};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every file of the real `spec/`, in memory.
pub fn real_spec() -> Vec<SourceFile> {
    let mut diags = codegen::diag::Diagnostics::default();
    let files = codegen::load::read_dir(&workspace().join("spec"), &mut diags);
    assert!(diags.is_empty(), "{:?}", diags.items());
    files
}

/// Builds a tiny spec from `(path, text)` pairs, adding a default families.yaml when absent.
pub fn spec(files: &[(&str, &str)]) -> Vec<SourceFile> {
    let mut out: Vec<SourceFile> = files
        .iter()
        .map(|(p, t)| SourceFile {
            rel_path: p.to_string(),
            text: t.to_string(),
        })
        .collect();
    if !files.iter().any(|(p, _)| *p == "families.yaml") {
        out.push(SourceFile {
            rel_path: "families.yaml".into(),
            text: "families:\n  favor:\n    feature: favor\n    title: 代金券\n    summary: Coupons.\n".into(),
        });
    }
    out.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    out
}

/// The diagnostics of a spec, rendered one per line (`file:line:col: path: message`).
pub fn diagnostics(files: &[SourceFile]) -> Vec<String> {
    match codegen::load_api_from(files, codegen::diag::Diagnostics::default()) {
        Ok(_) => Vec::new(),
        Err(d) => d.iter().map(|d| d.to_string()).collect(),
    }
}

/// Every file of the fixture spec (`tests/fixture/spec/`), in memory.
pub fn fixture_spec() -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture/spec");
    let mut diags = codegen::diag::Diagnostics::default();
    let files = codegen::load::read_dir(&root, &mut diags);
    assert!(diags.is_empty(), "{:?}", diags.items());
    files
}

/// `files` with each `(file, find, replace)` applied once, in turn; `find` must be there.
pub fn edited(files: &[SourceFile], edits: &[(&str, &str, &str)]) -> Vec<SourceFile> {
    let mut out = files.to_vec();
    for (file, find, replace) in edits {
        let f = out
            .iter_mut()
            .find(|f| f.rel_path == *file)
            .unwrap_or_else(|| panic!("{file} not in the spec"));
        assert!(f.text.contains(find), "{file}: `{find}` not found");
        f.text = f.text.replacen(find, replace, 1);
    }
    out
}

/// The fixture's `Window` type (`demo/types.yaml`) again as `name`, with `extra` lines after
/// its `kind`; an edit inserting it before `  Item:\n` declares a second copy of `Window`.
pub fn window_copy(name: &str, extra: &str) -> String {
    let files = fixture_spec();
    let text = &files
        .iter()
        .find(|f| f.rel_path == "demo/types.yaml")
        .expect("the fixture's types")
        .text;
    let start = text.find("  Window:\n").expect("Window");
    let end = text.find("  Item:\n").expect("Item after Window");
    text[start..end].replacen(
        "  Window:\n    kind: object\n",
        &format!("  {name}:\n    kind: object\n{extra}"),
        1,
    )
}
