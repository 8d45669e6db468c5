//! The generator: `spec/**/*.yaml` → raw model → checked IR → Rust modules, Markdown docs and
//! an OpenAPI document. See ARCHITECTURE.md for the code map and invariants.

pub mod check;
pub mod diag;
pub mod emit;
pub mod ir;
pub mod load;
pub mod naming;
pub mod raw;
pub mod tree;

use std::path::{Path, PathBuf};

/// Loads and checks the spec below `spec_root`; every problem is returned at once.
pub fn load_api(spec_root: &Path) -> Result<ir::Api, Vec<diag::Diagnostic>> {
    let mut diags = diag::Diagnostics::default();
    let files = load::read_dir(spec_root, &mut diags);
    load_api_from(&files, diags)
}

/// Loads and checks spec sources already in memory (used by tests).
pub fn load_api_from(
    files: &[load::SourceFile],
    mut diags: diag::Diagnostics,
) -> Result<ir::Api, Vec<diag::Diagnostic>> {
    let raw = load::parse(files, &mut diags);
    match check::check(&raw, &mut diags) {
        Some(api) if diags.is_empty() => Ok(api),
        _ => {
            let mut items = diags.items().to_vec();
            items.dedup();
            Err(items)
        }
    }
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
