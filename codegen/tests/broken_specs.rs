//! A corpus of broken specs: each must produce exactly the asserted diagnostics (text and
//! location), all at once, and nothing may panic.

mod common;
use common::{diagnostics, spec};

const GOOD_TYPE: &str = "family: favor
types:
  StockRule:
    kind: object
    fields:
      - name: max_coupons
        type: integer
        required: true
";

#[test]
fn a_valid_minimal_spec_has_no_diagnostics() {
    assert_eq!(
        diagnostics(&spec(&[("favor/t.yaml", GOOD_TYPE)])),
        Vec::<String>::new()
    );
}

#[test]
fn yaml_syntax_error_has_line_and_column() {
    let d = diagnostics(&spec(&[(
        "favor/t.yaml",
        "family: favor\ntypes:\n  A:\n    kind: [object\n",
    )]));
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].starts_with("favor/t.yaml:5:1: YAML syntax error: "),
        "{}",
        d[0]
    );
}

#[test]
fn unknown_key_names_its_yaml_path() {
    let text = GOOD_TYPE.replace(
        "        required: true\n",
        "        required: true\n        maxlen: 20\n",
    );
    let d = diagnostics(&spec(&[("favor/t.yaml", &text)]));
    assert_eq!(
        d,
        vec!["favor/t.yaml: types.StockRule.fields.max_coupons.maxlen: unknown field `maxlen`, expected one of `name`, `type`, `items`, `required`, `title`, `gloss`, `description`, `note`, `user_note`, `rust_name`, `example`, `max_len`, `min_len`, `len_unit`, `min`, `max`, `min_items`, `max_items`, `format`, `charset`, `forbidden_chars`, `max_han`, `schemes`, `not_open`, `deprecated`"]
    );
}

#[test]
fn dangling_type_reference() {
    let text = GOOD_TYPE.replace("type: integer", "type: StockLimits");
    assert_eq!(
        diagnostics(&spec(&[("favor/t.yaml", &text)])),
        vec!["favor/t.yaml: types.StockRule.fields.max_coupons.type: unknown type `StockLimits`: not a scalar (string, integer, number, boolean, array) and not defined in family `favor`"]
    );
}

#[test]
fn fields_colliding_after_renaming() {
    let text = format!(
        "{GOOD_TYPE}      - name: maxCoupons\n        type: integer\n        required: false\n"
    );
    assert_eq!(
        diagnostics(&spec(&[("favor/t.yaml", &text)])),
        vec!["favor/t.yaml: types.StockRule.fields.maxCoupons: fields `max_coupons` and `maxCoupons` both become `max_coupons` in Rust; set `rust_name` on one of them"]
    );
}

#[test]
fn negative_max_len() {
    let text = GOOD_TYPE.replace("type: integer", "type: string\n        max_len: -1");
    assert_eq!(
        diagnostics(&spec(&[("favor/t.yaml", &text)])),
        vec!["favor/t.yaml: types.StockRule.fields.max_coupons.max_len: `max_len` must be a non-negative integer, got -1"]
    );
}

#[test]
fn enum_values_colliding_after_renaming() {
    let text = "family: favor\ntypes:\n  BackgroundColor:\n    kind: enum\n    values:\n      - value: COLOR010\n      - value: Color010\n";
    assert_eq!(
        diagnostics(&spec(&[("favor/t.yaml", text)])),
        vec!["favor/t.yaml: types.BackgroundColor.values[1].value: values `COLOR010` and `Color010` both become variant `Color010`; set `rust_name` on one of them"]
    );
}

#[test]
fn every_problem_is_reported_at_once_across_files() {
    let a = GOOD_TYPE.replace("type: integer", "type: Missing");
    let b = "family: favor\ntypes:\n  Other:\n    kind: object\n    fields:\n      - name: x\n        type: string\n        required: true\n        max_len: 0\n        min: 3\n";
    let c = "family: nosuch\n";
    let d = diagnostics(&spec(&[
        ("favor/a.yaml", &a),
        ("favor/b.yaml", b),
        ("favor/c.yaml", c),
    ]));
    assert_eq!(
        d,
        vec![
            "favor/c.yaml: family: unknown family `nosuch` (families.yaml defines: `favor`)",
            "favor/a.yaml: types.StockRule.fields.max_coupons.type: unknown type `Missing`: not a scalar (string, integer, number, boolean, array) and not defined in family `favor`",
            "favor/b.yaml: types.Other.fields.x.max_len: `max_len` must be at least 1",
            "favor/b.yaml: types.Other.fields.x.min: `min` only applies to integer and number fields",
        ]
    );
}

#[test]
fn operation_problems() {
    let op = r#"family: favor
operations:
  get_thing:
    title: 查询
    summary: Get a thing.
    source: {updated: "2024.10.31"}
    method: FETCH
    path: /v3/things/{thing_id}/{other}
    request:
      path_params:
        - {name: thing_id, type: string, required: true}
      query:
        - {name: limit, type: integer, required: true}
    response:
      status: 200
      type: Nope
    examples:
      - kind: request
        query: limit=ten
      - kind: response
        status: 200
        body: "{not json"
"#;
    let d = diagnostics(&spec(&[("favor/op.yaml", op)]));
    assert_eq!(
        d,
        vec![
            "favor/op.yaml: operations.get_thing.method: unknown HTTP method `FETCH`",
            "favor/op.yaml: operations.get_thing.request.path_params: path parameter `{other}` of `/v3/things/{thing_id}/{other}` is not declared",
            "favor/op.yaml: operations.get_thing.response.type: unknown object type `Nope` in family `favor`",
            "favor/op.yaml: operations.get_thing.examples[0].query: `limit=ten` does not fit the parameter's type",
            "favor/op.yaml: operations.get_thing.examples[1].body: example body is not valid JSON: key must be a string at line 1 column 2",
            "favor/op.yaml: operations.get_thing.source.updated: `2024.10.31` is not a YYYY-MM-DD date (write 更新时间 2024.10.31 as \"2024-10-31\")",
        ]
    );
}

#[test]
fn rule_problems() {
    let text = format!(
        "{GOOD_TYPE}      - name: kind\n        type: string\n        required: false\n    rules:\n      - required_when: {{field: nothing, when: kind, equals: [A]}}\n      - max_days_ahead: {{field: kind, days: 0}}\n"
    );
    assert_eq!(
        diagnostics(&spec(&[("favor/t.yaml", &text)])),
        vec![
            "favor/t.yaml: types.StockRule.rules[0].required_when.field: `nothing`: `nothing` is not a field of `StockRule`",
            "favor/t.yaml: types.StockRule.rules[1].max_days_ahead.days: `days` must be a positive integer, got 0",
            "favor/t.yaml: types.StockRule.rules[1].max_days_ahead.field: `kind` must be a string field with `format: rfc3339`",
        ]
    );
}

#[test]
fn missing_families_file() {
    let files = vec![codegen::load::SourceFile {
        rel_path: "favor/t.yaml".into(),
        text: GOOD_TYPE.into(),
    }];
    assert_eq!(
        diagnostics(&files),
        vec![
            "families.yaml: missing: the spec root must contain families.yaml",
            "favor/t.yaml: family: unknown family `favor` (families.yaml defines: )",
        ]
    );
}

/// Truncating or corrupting every real spec file at many points never panics.
#[test]
fn mangled_real_specs_never_panic() {
    let real = common::real_spec();
    // Families are checked independently, so each mangled file is loaded with its own
    // family's files only (and families.yaml): the sweep stays linear in the spec's size.
    // Files are split across two threads (CI has two cores).
    let family_of = |p: &str| p.split_once('/').map(|(f, _)| f.to_string());
    let sweep = |f: &codegen::load::SourceFile| {
        let Some(fam) = family_of(&f.rel_path) else {
            return;
        };
        let subset: Vec<_> = real
            .iter()
            .filter(|g| family_of(&g.rel_path).is_none_or(|x| x == fam))
            .cloned()
            .collect();
        let i = subset
            .iter()
            .position(|g| g.rel_path == f.rel_path)
            .expect("the file is in its family");
        let step = (f.text.len() / 4).max(1);
        let mut cut = 0;
        while cut < f.text.len() {
            if f.text.is_char_boundary(cut) {
                for mangled in [
                    f.text[..cut].to_string(),
                    format!("{}\t{}", &f.text[..cut], &f.text[cut..]),
                    f.text.replacen("type: ", "type: X", cut % 7 + 1),
                ] {
                    let mut files = subset.clone();
                    files[i].text = mangled;
                    // A mangled spec that still checks must also generate without panicking.
                    if let Ok(api) =
                        codegen::load_api_from(&files, codegen::diag::Diagnostics::default())
                    {
                        let _ = codegen::generate_tree(&api);
                    }
                }
            }
            cut += step;
        }
    };
    std::thread::scope(|s| {
        let (even, odd): (Vec<_>, Vec<_>) = real.iter().enumerate().partition(|(i, _)| i % 2 == 0);
        let sweep = &sweep;
        let a = s.spawn(move || even.into_iter().for_each(|(_, f)| sweep(f)));
        odd.into_iter().for_each(|(_, f)| sweep(f));
        a.join().expect("the other half of the sweep panicked");
    });
}
