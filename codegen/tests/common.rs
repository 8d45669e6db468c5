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
