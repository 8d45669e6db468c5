//! `codegen diff`: a corpus of spec changes over the fixture spec, each classified as breaking,
//! compatible or docs-only for callers of the generated crate; the bump and CHANGELOG entry;
//! and reading the old spec from a git revision.

use codegen::diff::{bump, changelog, diff, next_version, Bump, Change, Impact};
use codegen::load::SourceFile;

mod common;
use common::{edited, fixture_spec as fixture, window_copy};

fn check(files: &[SourceFile]) -> codegen::ir::Api {
    codegen::load_api_from(files, codegen::diag::Diagnostics::default())
        .unwrap_or_else(|d| panic!("{}", codegen::diag::render(&d)))
}

/// Applies `edit` (find, replace) to `file` of the fixture and diffs old → new.
fn changes(file: &str, find: &str, replace: &str) -> Vec<Change> {
    changes_after(&[(file, find, replace)])
}

/// Applies each (file, find, replace) in turn to the fixture and diffs old → new.
fn changes_after(edits: &[(&str, &str, &str)]) -> Vec<Change> {
    let old = fixture();
    diff(&check(&old), &check(&edited(&old, edits)))
}

struct Case {
    name: &'static str,
    file: &'static str,
    find: &'static str,
    replace: &'static str,
    /// The impact of the change at `path`; no reported change may be more severe.
    impact: Impact,
    path: &'static str,
}

const CT: &str = "demo/create_thing.yaml";
const TY: &str = "demo/types.yaml";
const KI: &str = "demo/kinds.yaml";

const CASES: &[Case] = &[
    Case { name: "field removed", file: CT, find: "        - name: window\n          type: Window\n          required: false\n          title: 时间窗\n          gloss: Validity window\n", replace: "", impact: Impact::Breaking, path: "demo.CreateThingRequest.window" },
    Case { name: "optional → required", file: CT, find: "          required: false\n          title: 链接", replace: "          required: true\n          title: 链接", impact: Impact::Breaking, path: "demo.CreateThingRequest.link" },
    Case { name: "required → optional", file: CT, find: "          required: true\n          title: 类型", replace: "          required: false\n          title: 类型", impact: Impact::Breaking, path: "demo.CreateThingRequest.kind" },
    Case { name: "narrower length", file: CT, find: "          max_len: 32\n          min_len: 6", replace: "          max_len: 16\n          min_len: 6", impact: Impact::Breaking, path: "demo.CreateThingRequest.out_request_no" },
    Case { name: "wider length", file: CT, find: "          max_len: 32\n          min_len: 6", replace: "          max_len: 64\n          min_len: 6", impact: Impact::Compatible, path: "demo.CreateThingRequest.out_request_no" },
    Case { name: "narrower range", file: CT, find: "          max: 100", replace: "          max: 50", impact: Impact::Breaking, path: "demo.CreateThingRequest.count" },
    Case { name: "wider range", file: CT, find: "          min: 0\n          max: 100", replace: "          min: -5\n          max: 100", impact: Impact::Compatible, path: "demo.CreateThingRequest.count" },
    Case { name: "enum value removed", file: TY, find: "      - value: type\n        description: 关键字\n        gloss: A value that is a Rust keyword\n        rust_name: TypeValue\n", replace: "", impact: Impact::Breaking, path: "demo.Color.type" },
    Case { name: "enum value added", file: TY, find: "      - value: RED\n", replace: "      - value: BLUE\n        gloss: Blue\n      - value: RED\n", impact: Impact::Compatible, path: "demo.Color.BLUE" },
    Case { name: "type changed", file: CT, find: "        - name: count\n          type: integer", replace: "        - name: count\n          type: number", impact: Impact::Breaking, path: "demo.CreateThingRequest.count" },
    Case { name: "operation removed", file: KI, find: "  delete_thing:", replace: "  delete_thing_gone:", impact: Impact::Breaking, path: "demo.delete_thing" },
    Case { name: "new optional field", file: CT, find: "        - name: legacy\n", replace: "        - {name: memo, type: string, required: false, gloss: Memo}\n        - name: legacy\n", impact: Impact::Compatible, path: "demo.CreateThingRequest.memo" },
    Case { name: "new required request field", file: CT, find: "        - name: legacy\n", replace: "        - {name: memo, type: string, required: true, gloss: Memo}\n        - name: legacy\n", impact: Impact::Breaking, path: "demo.CreateThingRequest.memo" },
    Case { name: "gloss changed", file: CT, find: "gloss: Name, at most 9 汉字", replace: "gloss: The thing's name, at most 9 汉字", impact: Impact::Docs, path: "demo.CreateThingRequest.name" },
    Case { name: "description changed", file: TY, find: "        description: 红色", replace: "        description: 大红色", impact: Impact::Docs, path: "demo.Color.RED" },
    Case { name: "example changed", file: CT, find: "\"thing_id\": \"t1\"", replace: "\"thing_id\": \"t2\"", impact: Impact::Docs, path: "demo.create_thing" },
    Case { name: "rate limit changed", file: CT, find: "rate_limit: 10/s", replace: "rate_limit: 20/s", impact: Impact::Docs, path: "demo.create_thing" },
    Case { name: "new rule", file: TY, find: "      - not_before_now: {field: begin_time}\n", replace: "      - not_before_now: {field: begin_time}\n      - not_before_now: {field: end_time}\n", impact: Impact::Breaking, path: "demo.Window" },
    Case { name: "rule removed", file: CT, find: "        - at_most_one_of: {fields: [link, note]}\n          gloss: at most one\n", replace: "", impact: Impact::Compatible, path: "demo.CreateThingRequest" },
    Case { name: "response-only constraint", file: TY, find: "        max_len: 32", replace: "        max_len: 16", impact: Impact::Docs, path: "demo.Item.item_id" },
    Case { name: "new error code", file: CT, find: "    errors:\n", replace: "    errors:\n      - {status: 404, code: NOT_FOUND, description: 不存在, solution: 检查, gloss: Not found}\n", impact: Impact::Compatible, path: "ErrorCode.NOT_FOUND" },
    Case { name: "error row wording", file: CT, find: "solution: 请检查参数", replace: "solution: 请按提示检查参数", impact: Impact::Docs, path: "demo.create_thing" },
    Case { name: "pagination removed", file: KI, find: "    pagination: {style: token, token: page_token, limit: page_size, next: next_page_token, items: data}\n", replace: "", impact: Impact::Breaking, path: "demo.scan_things" },
    Case { name: "now not open", file: CT, find: "        - name: link\n          type: string\n          required: false\n", replace: "        - name: link\n          type: string\n          required: false\n          not_open: true\n", impact: Impact::Breaking, path: "demo.CreateThingRequest.link" },
    Case { name: "charset narrower", file: CT, find: "charset: [digits, letters, \"_\", \"-\"]", replace: "charset: [digits, letters]", impact: Impact::Breaking, path: "demo.CreateThingRequest.out_request_no" },
];

#[test]
fn every_change_kind_is_classified() {
    assert!(CASES.len() >= 15);
    let mut failures = Vec::new();
    for c in CASES {
        let got = changes(c.file, c.find, c.replace);
        // The change at `path` has the expected impact, and nothing is more severe.
        let wrong: Vec<&Change> = got.iter().filter(|x| x.impact < c.impact).collect();
        let named = got.iter().any(|x| x.path == c.path && x.impact == c.impact);
        if !wrong.is_empty() || !named {
            failures.push(format!(
                "{}: want {:?} at {}, got:\n{}",
                c.name,
                c.impact,
                c.path,
                got.iter()
                    .map(|x| format!("  {x}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_new_operation_is_compatible() {
    let old = fixture();
    let mut new = old.clone();
    new.push(SourceFile {
        rel_path: "demo/ping.yaml".into(),
        text: "family: demo\noperations:\n  ping:\n    title: 探活\n    summary: Ping.\n    source: {updated: \"2025-01-02\"}\n    method: GET\n    path: /v3/demo/ping\n    response: {status: 204}\n".into(),
    });
    let got = diff(&check(&old), &check(&new));
    assert!(
        got.iter()
            .any(|c| c.path == "demo.ping" && c.impact == Impact::Compatible),
        "{got:?}"
    );
    assert!(
        got.iter().all(|c| c.impact == Impact::Compatible),
        "{got:?}"
    );
    assert_eq!(bump(&got), Bump::Minor);
}

/// A type renamed (same wire fields) is reported once as a rename, not as one type removed and
/// an unrelated one added, and what else changed in it is still reported under both names.
#[test]
fn a_renamed_type_is_reported_as_a_rename_with_its_own_changes() {
    let got = changes_after(&[
        (TY, "  Window:\n", "  TimeWindow:\n"),
        (
            TY,
            "        gloss: End, RFC 3339\n",
            "        gloss: End, RFC 3339\n        max_len: 40\n",
        ),
        (
            CT,
            "          type: Window\n",
            "          type: TimeWindow\n",
        ),
    ]);
    let at = |path: &str| got.iter().filter(|c| c.path == path).collect::<Vec<_>>();
    let renamed = at("demo.Window");
    assert!(
        renamed.len() == 1
            && renamed[0].impact == Impact::Breaking
            && renamed[0].message.contains("renamed → TimeWindow"),
        "{got:?}"
    );
    assert!(
        at("demo.TimeWindow").is_empty(),
        "no separate `new type`: {got:?}"
    );
    let uses = at("demo.CreateThingRequest.window");
    assert!(
        uses.len() == 1 && uses[0].message.contains("the type was renamed"),
        "{got:?}"
    );
    let inner = at("demo.Window → TimeWindow.end_time");
    assert!(
        inner.len() == 1 && inner[0].message.contains("max_len none → 40"),
        "{got:?}"
    );
    assert_eq!(bump(&got), Bump::Major);
}

/// `Window` renamed `TimeWindow`, with `fields` (YAML list entries) added after its two.
fn window_renamed_adding(fields: &str) -> Vec<Change> {
    const END: &str = "        gloss: End, RFC 3339\n        format: rfc3339\n";
    changes_after(&[
        (TY, "  Window:\n", "  TimeWindow:\n"),
        (TY, END, &format!("{END}{fields}")),
        (
            CT,
            "          type: Window\n",
            "          type: TimeWindow\n",
        ),
    ])
}

/// A rename that also adds a field is still a rename when the shapes are close; the added
/// field is reported under the rename. A type that shares too little is removed and added.
#[test]
fn a_rename_with_a_new_field_is_still_a_rename() {
    const ZONE: &str = "      - {name: zone, type: string, required: false, gloss: Time zone}\n";
    const LABEL: &str = "      - {name: label, type: string, required: false, gloss: Label}\n";
    let got = window_renamed_adding(ZONE);
    let at = |got: &[Change], path: &str, what: &str| {
        got.iter()
            .any(|c| c.path == path && c.message.contains(what))
    };
    assert!(
        at(
            &got,
            "demo.Window",
            "renamed → TimeWindow (2 of its 2 wire fields kept"
        ),
        "{got:?}"
    );
    assert!(
        at(&got, "demo.Window → TimeWindow.zone", "new optional field"),
        "{got:?}"
    );
    assert!(!got.iter().any(|c| c.path == "demo.TimeWindow"), "{got:?}");

    // Two new fields besides the two kept: 2 of 4 shared is too little for a rename.
    let got = window_renamed_adding(&format!("{ZONE}{LABEL}"));
    assert!(at(&got, "demo.Window", "type removed"), "{got:?}");
    assert!(at(&got, "demo.TimeWindow", "new type"), "{got:?}");
}

/// Two copies merged into one new type: both are renames to it.
#[test]
fn two_copies_merged_into_one_type_are_two_renames() {
    let old = fixture();
    let new = edited(
        &old,
        &[
            (TY, "  Window:\n", "  Span:\n"),
            (CT, "          type: Window\n", "          type: Span\n"),
        ],
    );
    // The old side gets a second copy of Window under another name.
    let with_copy = format!("{}  Item:\n", window_copy("WindowCopy", ""));
    let old2 = edited(&old, &[(TY, "  Item:\n", &with_copy)]);
    let got = diff(&check(&old2), &check(&new));
    for old_name in ["demo.Window", "demo.WindowCopy"] {
        assert!(
            got.iter()
                .any(|c| c.path == old_name && c.message.contains("renamed → Span")),
            "{old_name}: {got:?}"
        );
    }
    assert!(!got.iter().any(|c| c.path == "demo.Span"), "{got:?}");

    // A copy removed in favour of the type that already existed is a merge into it.
    let got = diff(&check(&old2), &check(&old));
    assert!(
        got.iter().any(|c| c.path == "demo.WindowCopy"
            && c.message
                .contains("merged into Window, which already existed")),
        "{got:?}"
    );
}

#[test]
fn no_change_no_bump() {
    let api = check(&fixture());
    let got = diff(&api, &api);
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(bump(&got), Bump::None);
}

#[test]
fn bump_and_changelog() {
    let got = changes(CT, "          max: 100", "          max: 50");
    assert_eq!(bump(&got), Bump::Major);
    assert_eq!(next_version("0.1.0", Bump::Major), "0.2.0");
    assert_eq!(next_version("0.1.0", Bump::Minor), "0.1.1");
    assert_eq!(next_version("1.4.2", Bump::Major), "2.0.0");
    assert_eq!(next_version("1.4.2", Bump::Minor), "1.5.0");
    assert_eq!(next_version("1.4.2", Bump::Patch), "1.4.3");
    let entry = changelog(&got, "0.2.0");
    assert_eq!(
        entry,
        "## wechatpay-marketing 0.2.0\n\n### Breaking changes\n\n- `demo.CreateThingRequest.count`: max 100 → 50 (narrower)\n"
    );
}

/// The old spec is read from a git revision of a real repository.
#[test]
fn reads_the_spec_at_a_git_revision() {
    let dir = std::env::temp_dir().join(format!("codegen-diff-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let spec = dir.join("spec");
    for f in fixture() {
        let p = spec.join(&f.rel_path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, &f.text).expect("write");
    }
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args([
                "-c",
                "user.name=test",
                "-c",
                "user.email=test@invalid",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        assert!(ok, "git {args:?} failed");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "fixture"]);
    let path = spec.join("demo/types.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        text.replacen("        max_len: 32", "        max_len: 40", 1),
    )
    .expect("write");
    let old = codegen::diff::git::spec_at(&spec, "HEAD").expect("spec at HEAD");
    let new = codegen::load_api(&spec).expect("working tree checks");
    let got = diff(&check(&old), &new);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].path, "demo.Item.item_id");
    let _ = std::fs::remove_dir_all(&dir);
}
