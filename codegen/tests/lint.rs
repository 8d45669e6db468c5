//! `codegen lint` over the fixture spec: two object types of one family with the same wire
//! fields are reported until one is merged away or marked `distinct_from`, and a stale
//! `distinct_from` is reported too.

mod common;
use common::{edited, fixture_spec, window_copy};

/// The lint messages for the fixture with `edit` (find, replace) applied to its types file.
fn lint_with(find: &str, replace: &str) -> Vec<String> {
    let files = edited(&fixture_spec(), &[("demo/types.yaml", find, replace)]);
    let mut diags = codegen::diag::Diagnostics::default();
    let raw = codegen::load::parse(&files, &mut diags);
    assert!(diags.is_empty(), "{}", codegen::diag::render(diags.items()));
    codegen::lint::lint(&raw)
        .items()
        .iter()
        .map(|d| format!("{}: {}", d.path, d.message))
        .collect()
}

#[test]
fn a_second_transcription_of_one_type_is_reported_until_merged_or_marked() {
    let baseline = lint_with("  Item:\n", "  Item:\n");
    let same = |extra: &str| {
        let copy = window_copy("WindowCopy", extra);
        let got = lint_with("  Item:\n", &format!("{copy}  Item:\n"));
        got.into_iter()
            .filter(|m| !baseline.contains(m))
            .collect::<Vec<_>>()
    };
    let found = same("");
    assert!(
        found.len() == 1
            && found[0].contains(
                "`Window` and `WindowCopy` have the same wire fields (begin_time, end_time)"
            ),
        "{found:?}"
    );
    assert!(same("    distinct_from: [Window]\n").is_empty());
    let stale = same("    distinct_from: [Widow]\n");
    assert!(
        stale
            .iter()
            .any(|m| m.contains("`Widow` is not an object type of this family")),
        "{stale:?}"
    );
}
