//! The generator: `spec/**/*.yaml` → raw model → checked IR → Rust modules, Markdown docs and
//! an OpenAPI document. See ARCHITECTURE.md for the code map and invariants.

pub mod audit;
pub mod build;
pub mod check;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod ir;
pub mod lint;
pub mod load;
pub mod naming;
pub mod raw;
pub mod tree;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Loads and checks the spec below `spec_root`; every problem is returned at once.
pub fn load_api(spec_root: &Path) -> Result<ir::Api, Vec<diag::Diagnostic>> {
    load_api_report(spec_root).map_err(|r| r.diagnostics())
}

/// Like [`load_api`], with what is needed to render the diagnostics in context.
pub fn load_api_report(spec_root: &Path) -> Result<ir::Api, diag::Report> {
    let mut diags = diag::Diagnostics::default();
    let files = load::read_dir(spec_root, &mut diags);
    check_sources(&files, diags)
}

/// Loads and checks spec sources already in memory (used by tests).
pub fn load_api_from(
    files: &[load::SourceFile],
    diags: diag::Diagnostics,
) -> Result<ir::Api, Vec<diag::Diagnostic>> {
    check_sources(files, diags).map_err(|r| r.diagnostics())
}

/// Checks spec sources; on failure every diagnostic carries the line:column of the YAML node
/// its path names, with the sources and spans needed to render it in context.
pub fn check_sources(
    files: &[load::SourceFile],
    mut diags: diag::Diagnostics,
) -> Result<ir::Api, diag::Report> {
    let raw = load::parse(files, &mut diags);
    if let Some(api) = check::check(&raw, &mut diags) {
        if diags.is_empty() {
            return Ok(api);
        }
    }
    let parts = diags.into_parts();
    // Index only the files diagnostics point into.
    let wanted: std::collections::BTreeSet<&str> = parts
        .iter()
        .flat_map(|(d, x)| {
            std::iter::once(d.file.as_str()).chain(x.related.iter().map(|r| r.file.as_str()))
        })
        .collect();
    let positions: BTreeMap<&str, load::positions::Positions> = files
        .iter()
        .filter(|f| wanted.contains(f.rel_path.as_str()))
        .map(|f| (f.rel_path.as_str(), load::positions::Positions::of(&f.text)))
        .collect();
    let mut report = diag::Report {
        sources: files
            .iter()
            .map(|f| (f.rel_path.clone(), f.text.clone()))
            .collect(),
        ..diag::Report::default()
    };
    let mut locate = |file: &str, path: &str| -> Option<(usize, usize)> {
        if path.is_empty() {
            return None;
        }
        let pos = positions.get(file)?.find(path)?;
        report
            .spans
            .insert((file.to_string(), path.to_string()), pos.start..pos.end);
        Some((pos.line, pos.col))
    };
    let mut parts = parts;
    for (d, extra) in &mut parts {
        if d.line_col.is_none() {
            d.line_col = locate(&d.file, &d.path);
        }
        for r in &extra.related {
            locate(&r.file, &r.path);
        }
    }
    report.diagnostics = parts;
    Err(report)
}

/// Generates every owned file of `generated-sdk/` from a checked API, rendering the Markdown
/// reference with the templates of [`default_templates_dir`].
pub fn generate_tree(api: &ir::Api) -> Result<emit::Tree, Vec<diag::Diagnostic>> {
    emit::generate(api, &default_templates_dir())
}

/// Like [`generate_tree`], with the Markdown templates read from `templates_dir`.
pub fn generate_tree_with(
    api: &ir::Api,
    templates_dir: &Path,
) -> Result<emit::Tree, Vec<diag::Diagnostic>> {
    emit::generate(api, templates_dir)
}

/// `<workspace>/templates`: the minijinja templates of the Markdown reference.
pub fn default_templates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("templates")
}
