//! Determinism, freshness and drift detection over the real spec. `generated-sdk/` itself is
//! the golden copy of every emitted file (`codegen check` diffs it); insta snapshots are kept
//! only for the small fixture spec (`fixture.rs`).

mod common;
use common::{real_spec, workspace};

fn generate(files: &[codegen::load::SourceFile]) -> codegen::emit::Tree {
    let api =
        codegen::load_api_from(files, codegen::diag::Diagnostics::default()).expect("spec checks");
    codegen::generate_tree(&api).expect("spec generates")
}

#[test]
fn generation_is_deterministic() {
    let spec = real_spec();
    assert_eq!(generate(&spec), generate(&spec));
}

#[test]
fn committed_output_is_fresh() {
    let stale = codegen::tree::check(&workspace().join("generated-sdk"), &generate(&real_spec()));
    let lines: Vec<String> = stale.iter().map(|s| s.to_string()).collect();
    assert!(
        lines.is_empty(),
        "run `cargo run -p codegen -- generate`:\n{}",
        lines.join("\n")
    );
}

/// Changing one field's `max_len` changes the generated code (and so its snapshot), and
/// `check` names the stale file until the crate is regenerated.
#[test]
fn a_max_len_change_is_caught_by_check() {
    let mut spec = real_spec();
    let file = spec
        .iter_mut()
        .find(|f| f.rel_path == "favor/create_coupon_stock.yaml")
        .expect("favor spec present");
    let before = "          max_len: 20\n          forbidden_chars: \"_,;|\"";
    assert!(
        file.text.contains(before),
        "stock_name's max_len line moved; update this test"
    );
    file.text = file.text.replace(
        before,
        "          max_len: 21\n          forbidden_chars: \"_,;|\"",
    );
    let changed = generate(&spec);
    let original = generate(&real_spec());
    let path = "src/api/favor/create_coupon_stock.rs";
    assert_ne!(changed[path], original[path]);
    assert!(changed[path].contains("at most 21"));
    let stale: Vec<String> = codegen::tree::check(&workspace().join("generated-sdk"), &changed)
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert!(
        stale.contains(&format!("{path}: stale (differs from a fresh generation)")),
        "{stale:?}"
    );
    // Only files that depend on stock_name change.
    for (p, text) in &changed {
        if p != path && !p.starts_with("docs/") && !p.starts_with("tests/") {
            assert_eq!(
                text, &original[p],
                "{p} changed although it does not use stock_name"
            );
        }
    }
}

#[test]
fn check_reports_missing_and_extra_files() {
    let dir = std::env::temp_dir().join(format!("codegen-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut tree = codegen::emit::Tree::new();
    tree.insert(
        "src/api.rs".into(),
        format!("// {}\n", codegen::emit::MARKER),
    );
    tree.insert(
        "src/api/x/mod.rs".into(),
        format!("// {}\n", codegen::emit::MARKER),
    );
    codegen::tree::write(&dir, &tree).expect("write");
    std::fs::write(
        dir.join("src/api/x/old.rs"),
        format!("// {}\n", codegen::emit::MARKER),
    )
    .expect("write");
    std::fs::write(dir.join("src/hand_written.rs"), "// mine\n").expect("write");
    tree.insert(
        "src/api/x/new.rs".into(),
        format!("// {}\n", codegen::emit::MARKER),
    );
    let stale: Vec<String> = codegen::tree::check(&dir, &tree)
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        stale,
        vec![
            "src/api/x/new.rs: missing (not generated yet)".to_string(),
            "src/api/x/old.rs: no longer generated (delete it or regenerate)".to_string(),
        ]
    );
    // generate removes the file it no longer produces and never touches hand-written ones.
    codegen::tree::write(&dir, &tree).expect("write");
    assert!(!dir.join("src/api/x/old.rs").exists());
    assert!(dir.join("src/hand_written.rs").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Changing one field description changes that operation's rustdoc and its Markdown page,
/// and `check` names both as stale.
#[test]
fn a_description_change_reaches_rustdoc_and_markdown() {
    let mut spec = real_spec();
    let file = spec
        .iter_mut()
        .find(|f| f.rel_path == "favor/list_stocks.yaml")
        .expect("favor spec present");
    let before = "页码从0开始,默认第0页";
    assert!(
        file.text.contains(before),
        "offset's description moved; update this test"
    );
    file.text = file.text.replacen(before, "页码从0开始(已更新)", 1);
    let changed = generate(&spec);
    let rust = "src/api/favor/list_stocks.rs";
    let page = "docs/favor/list_stocks.md";
    assert!(changed[rust].contains("页码从0开始(已更新)"));
    assert!(changed[page].contains("页码从0开始(已更新)"));
    let stale: Vec<String> = codegen::tree::check(&workspace().join("generated-sdk"), &changed)
        .iter()
        .map(|s| s.to_string())
        .collect();
    for p in [page, rust] {
        assert!(
            stale.contains(&format!("{p}: stale (differs from a fresh generation)")),
            "{stale:?}"
        );
    }
}
