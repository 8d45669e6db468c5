//! Insta snapshots of a small fixture spec (`tests/fixture/spec/`) that uses every generator
//! feature: every rule kind, paged lists (offset and token), upload, download, 204, enums
//! (with a keyword value), nested objects, notifications and examples. Its IR and each
//! emitted file are snapshotted; the real crate's golden copy is `generated-sdk/` itself.
//!
//! Review a change with `INSTA_UPDATE=always cargo test -p codegen --test fixture` and
//! `git diff codegen/tests/snapshots` (or `cargo insta review` where cargo-insta is installed).

mod common;
use common::fixture_spec as fixture;

fn api() -> codegen::ir::Api {
    codegen::load_api_from(&fixture(), codegen::diag::Diagnostics::default()).unwrap_or_else(|d| {
        panic!(
            "fixture spec does not check:\n{}",
            codegen::diag::render(&d)
        )
    })
}

#[test]
fn fixture_ir() {
    insta::assert_yaml_snapshot!("ir", api());
}

#[test]
fn fixture_emitted_files() {
    let tree = codegen::generate_tree(&api()).expect("fixture generates");
    for (path, text) in &tree {
        let name = format!("emit__{}", path.replace(['/', '.'], "_"));
        insta::assert_snapshot!(name, text);
    }
}

/// Every rule kind and operation kind of the IR appears in the fixture, so a new kind added to
/// the generator without a fixture use fails here.
#[test]
fn fixture_covers_every_kind() {
    let ir = serde_json::to_string(&api()).expect("json");
    for needle in [
        "\"required_when\"",
        "\"forbidden_unless\"",
        "\"all_or_none\"",
        "\"exactly_one_of\"",
        "\"at_most_one_of\"",
        "\"not_before_now\"",
        "\"max_days_ahead\"",
        "\"max_span_days\"",
        "\"equals\"",
        "\"greater_than\"",
        "\"contains\"",
        "\"style\":\"offset\"",
        "\"style\":\"token\"",
        "\"upload\"",
        "\"download\"",
        "\"status\":204",
        "\"notifications\":[{",
        "\"kind\":\"enum\"",
        "\"max_han\"",
        "\"schemes\"",
        "\"not_open\":true",
        "\"deprecated\"",
        "\"charset\"",
        "\"forbidden_chars\"",
    ] {
        assert!(ir.contains(needle), "fixture lacks {needle}");
    }
}
