//! The Markdown reference rendered from the real spec with the real templates: markers,
//! determinism, and that spec edits reach the pages. (Its golden copy is `generated-sdk/docs/`;
//! the fixture spec has the Markdown snapshots.)

use codegen::diag::Diagnostics;
use codegen::emit::markdown::render_docs;
use codegen::load::SourceFile;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn spec_files() -> Vec<SourceFile> {
    let mut diags = Diagnostics::default();
    let files = codegen::load::read_dir(&workspace().join("spec"), &mut diags);
    assert!(diags.is_empty(), "{:?}", diags.items());
    files
}

fn render(files: &[SourceFile], templates: &Path) -> Vec<(String, String)> {
    let api = codegen::load_api_from(files, Diagnostics::default()).expect("spec loads");
    render_docs(&api, templates).expect("docs render")
}

fn page<'a>(pages: &'a [(String, String)], path: &str) -> &'a str {
    pages
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("{path} not rendered"))
}

#[test]
fn every_page_carries_the_marker_and_rendering_is_deterministic() {
    let files = spec_files();
    let templates = codegen::default_templates_dir();
    let pages = render(&files, &templates);
    assert!(pages.iter().any(|(p, _)| p == "docs/README.md"));
    assert!(pages
        .iter()
        .any(|(p, _)| p == "docs/busifavor/coupon_send.md"));
    for (path, text) in &pages {
        let first = text.lines().next().unwrap_or_default();
        assert!(first.contains(codegen::emit::MARKER), "{path}: {first}");
    }
    assert_eq!(pages, render(&files, &templates));
}

#[test]
fn a_changed_field_description_changes_the_page() {
    let original = spec_files();
    let needle = "description: 仅配置商户可见,用于自定义信息";
    let mut changed = original.clone();
    let file = changed
        .iter_mut()
        .find(|f| f.rel_path == "favor/create_coupon_stock.yaml")
        .expect("spec file");
    assert_eq!(
        file.text.matches(needle).count(),
        1,
        "needle must be unique"
    );
    file.text = file
        .text
        .replace(needle, "description: 批次备注 | changed in a test");

    let templates = codegen::default_templates_dir();
    let before = render(&original, &templates);
    let after = render(&changed, &templates);
    let path = "docs/favor/create_coupon_stock.md";
    assert_ne!(page(&before, path), page(&after, path));
    assert!(page(&after, path).contains("批次备注 \\| changed in a test"));
    assert!(!page(&after, path).contains("仅配置商户可见,用于自定义信息"));
    // Other pages are untouched.
    assert_eq!(
        page(&before, "docs/favor/list_stocks.md"),
        page(&after, "docs/favor/list_stocks.md")
    );
}

#[test]
fn template_problems_are_diagnostics_naming_file_and_line() {
    let dir = std::env::temp_dir().join(format!("codegen-markdown-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let real = codegen::default_templates_dir();
    std::fs::copy(real.join("index.md.j2"), dir.join("index.md.j2")).expect("copy");
    // operation.md.j2: a syntax error on line 3; notification.md.j2: missing.
    std::fs::write(
        dir.join("operation.md.j2"),
        "{{ header }}\nfine\n{% if title %}\nunclosed\n",
    )
    .expect("write");
    let _ = std::fs::remove_file(dir.join("notification.md.j2"));

    let api = codegen::load_api_from(&spec_files(), Diagnostics::default()).expect("spec loads");
    let errors = render_docs(&api, &dir).expect_err("broken templates");
    let op = errors
        .iter()
        .find(|d| d.file.ends_with("operation.md.j2"))
        .expect("operation template diagnostic");
    assert!(op.line_col.is_some(), "{op}");
    let missing = errors
        .iter()
        .find(|d| d.file.ends_with("notification.md.j2"))
        .expect("notification template diagnostic");
    assert!(
        missing.message.contains("cannot read template"),
        "{missing}"
    );

    // A template that renders without the marker line is rejected too.
    std::fs::write(dir.join("operation.md.j2"), "# {{ title }}\n").expect("write");
    std::fs::copy(
        real.join("notification.md.j2"),
        dir.join("notification.md.j2"),
    )
    .expect("copy");
    let errors = render_docs(&api, &dir).expect_err("no marker");
    assert!(
        errors.iter().all(|d| d.message.contains("marker")),
        "{errors:?}"
    );
    // An undefined variable is an error, not an empty string.
    std::fs::write(
        dir.join("operation.md.j2"),
        "{{ header }}\n{{ no_such_thing.x }}\n",
    )
    .expect("write");
    let errors = render_docs(&api, &dir).expect_err("undefined");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line_col.map(|(l, _)| l), Some(2), "{}", errors[0]);

    let _ = std::fs::remove_dir_all(&dir);
}
