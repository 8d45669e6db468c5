//! `codegen lint` over the fixture spec: two object types of one family with the same wire
//! fields are reported until one is merged away or marked `distinct_from`, and a stale
//! `distinct_from` is reported too.

use codegen::load::SourceFile;
use std::path::Path;

fn fixture() -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture/spec");
    let mut diags = codegen::diag::Diagnostics::default();
    codegen::load::read_dir(&root, &mut diags)
}

/// The lint messages for the fixture with `edit` (find, replace) applied to its types file.
fn lint_with(find: &str, replace: &str) -> Vec<String> {
    let mut files = fixture();
    let ty = files
        .iter_mut()
        .find(|f| f.rel_path == "demo/types.yaml")
        .expect("the fixture's types");
    assert!(ty.text.contains(find), "`{find}` not in the fixture");
    ty.text = ty.text.replacen(find, replace, 1);
    let mut diags = codegen::diag::Diagnostics::default();
    let raw = codegen::load::parse(&files, &mut diags);
    assert!(diags.is_empty(), "{}", codegen::diag::render(diags.items()));
    codegen::lint::lint(&raw)
        .items()
        .iter()
        .map(|d| format!("{}: {}", d.path, d.message))
        .collect()
}

/// The fixture's `Window` again under another name, with `extra` lines after `kind: object`.
fn copy_of_window(extra: &str) -> String {
    let files = fixture();
    let text = &files
        .iter()
        .find(|f| f.rel_path == "demo/types.yaml")
        .expect("the fixture's types")
        .text;
    let start = text.find("  Window:\n").expect("Window");
    let end = text.find("  Item:\n").expect("Item after Window");
    text[start..end].replacen(
        "  Window:\n    kind: object\n",
        &format!("  WindowCopy:\n    kind: object\n{extra}"),
        1,
    )
}

#[test]
fn a_second_transcription_of_one_type_is_reported_until_merged_or_marked() {
    let baseline = lint_with("  Item:\n", "  Item:\n");
    let same = |extra: &str| {
        let copy = copy_of_window(extra);
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
