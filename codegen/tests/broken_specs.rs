//! A corpus of broken specs: each must produce exactly the asserted diagnostics (text and
//! file:line:column of the YAML node the path names), all at once, and nothing may panic;
//! and the rustc-style rendering (snippet, both locations of a duplicate, did-you-mean).

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
        vec!["favor/t.yaml:9:9: types.StockRule.fields.max_coupons.maxlen: unknown field `maxlen`, expected one of `name`, `type`, `items`, `required`, `title`, `gloss`, `description`, `note`, `user_note`, `rust_name`, `example`, `max_len`, `min_len`, `len_unit`, `min`, `max`, `min_items`, `max_items`, `format`, `charset`, `forbidden_chars`, `max_han`, `schemes`, `not_open`, `also_string`, `deprecated`"]
    );
}

#[test]
fn dangling_type_reference() {
    let text = GOOD_TYPE.replace("type: integer", "type: StockLimits");
    assert_eq!(
        diagnostics(&spec(&[("favor/t.yaml", &text)])),
        vec!["favor/t.yaml:7:9: types.StockRule.fields.max_coupons.type: unknown type `StockLimits`: not a scalar (string, integer, number, boolean, array) and not defined in family `favor`"]
    );
}

#[test]
fn fields_colliding_after_renaming() {
    let text = format!(
        "{GOOD_TYPE}      - name: maxCoupons\n        type: integer\n        required: false\n"
    );
    assert_eq!(
        diagnostics(&spec(&[("favor/t.yaml", &text)])),
        vec!["favor/t.yaml:9:9: types.StockRule.fields.maxCoupons: fields `max_coupons` and `maxCoupons` both become `max_coupons` in Rust; set `rust_name` on one of them"]
    );
}

#[test]
fn negative_max_len() {
    let text = GOOD_TYPE.replace("type: integer", "type: string\n        max_len: -1");
    assert_eq!(
        diagnostics(&spec(&[("favor/t.yaml", &text)])),
        vec!["favor/t.yaml:8:9: types.StockRule.fields.max_coupons.max_len: `max_len` must be a non-negative integer, got -1"]
    );
}

#[test]
fn enum_values_colliding_after_renaming() {
    let text = "family: favor\ntypes:\n  BackgroundColor:\n    kind: enum\n    values:\n      - value: COLOR010\n      - value: Color010\n";
    assert_eq!(
        diagnostics(&spec(&[("favor/t.yaml", text)])),
        vec!["favor/t.yaml:7:9: types.BackgroundColor.values[1].value: values `COLOR010` and `Color010` both become variant `Color010`; set `rust_name` on one of them"]
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
            "favor/c.yaml:1:1: family: unknown family `nosuch` (families.yaml defines: `favor`)",
            "favor/a.yaml:7:9: types.StockRule.fields.max_coupons.type: unknown type `Missing`: not a scalar (string, integer, number, boolean, array) and not defined in family `favor`",
            "favor/b.yaml:9:9: types.Other.fields.x.max_len: `max_len` must be at least 1",
            "favor/b.yaml:10:9: types.Other.fields.x.min: `min` only applies to integer and number fields",
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
            "favor/op.yaml:7:5: operations.get_thing.method: unknown HTTP method `FETCH`",
            "favor/op.yaml:10:7: operations.get_thing.request.path_params: path parameter `{other}` of `/v3/things/{thing_id}/{other}` is not declared",
            "favor/op.yaml:16:7: operations.get_thing.response.type: unknown object type `Nope` in family `favor`",
            "favor/op.yaml:19:9: operations.get_thing.examples[0].query: `limit=ten` does not fit the parameter's type",
            "favor/op.yaml:22:9: operations.get_thing.examples[1].body: example body is not valid JSON: key must be a string at line 1 column 2",
            "favor/op.yaml:6:14: operations.get_thing.source.updated: `2024.10.31` is not a YYYY-MM-DD date (write 更新时间 2024.10.31 as \"2024-10-31\")",
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
            "favor/t.yaml:13:25: types.StockRule.rules[0].required_when.field: `nothing`: `nothing` is not a field of `StockRule`",
            "favor/t.yaml:14:39: types.StockRule.rules[1].max_days_ahead.days: `days` must be a positive integer, got 0",
            "favor/t.yaml:14:26: types.StockRule.rules[1].max_days_ahead.field: `kind` must be a string field with `format: rfc3339`",
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
            "favor/t.yaml:1:1: family: unknown family `favor` (families.yaml defines: )",
        ]
    );
}

/// Truncating or corrupting every real spec file at many points never panics. Every mangled
/// spec is checked (and its diagnostics located and rendered); the first per file that still
/// checks is also generated (generation costs a hundred times a check).
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
        let mut generated = 0;
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
                    match codegen::check_sources(&files, codegen::diag::Diagnostics::default()) {
                        Ok(api) if generated < 1 => {
                            generated += 1;
                            let _ = codegen::generate_tree(&api);
                        }
                        Ok(_) => {}
                        Err(report) => {
                            let _ = report.render("spec/");
                        }
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

const FAMILY_OP: &str = r#"family: favor
operations:
  list_things:
    title: 查询
    summary: List things.
    source: {updated: "2024-10-31"}
    method: GET
    path: /v3/things
    request:
      query:
        - {name: offset, type: integer, required: true}
        - {name: limit, type: integer, required: true}
    response:
      status: 200
      fields:
        - {name: total_count, type: integer, required: true}
        - {name: data, type: string, required: false}
"#;

#[test]
fn whitespace_in_wire_strings() {
    let text = "family: favor\ntypes:\n  Kind:\n    kind: enum\n    values:\n      - value: \"CARD \"\n  Thing:\n    kind: object\n    fields:\n      - name: \" stock_name\"\n        type: string\n        required: true\n";
    let op = FAMILY_OP.replace("path: /v3/things", "path: \"/v3/things \"");
    assert_eq!(
        diagnostics(&spec(&[("favor/t.yaml", text), ("favor/op.yaml", &op)])),
        vec![
            "favor/op.yaml:8:5: operations.list_things.path: path `/v3/things ` contains whitespace, which would be sent on the wire; remove it",
            "favor/t.yaml:6:9: types.Kind.values[0].value: enum value `CARD ` has leading or trailing whitespace, which would be sent on the wire; remove it",
            "favor/t.yaml:10:9: types.Thing.fields. stock_name: field name ` stock_name` has leading or trailing whitespace, which would be sent on the wire; remove it",
        ]
    );
}

#[test]
fn new_rule_kinds_and_conditions() {
    let text = format!(
        "{GOOD_TYPE}      - name: tags\n        type: array\n        items: {{type: string}}\n        required: false\n      - name: label\n        type: string\n        required: false\n    rules:\n      - all_or_none: {{fields: [label, lable]}}\n      - required_when: {{field: label, when: max_coupons, equals: [1], greater_than: 0}}\n      - required_when: {{field: label, when: label, greater_than: 3}}\n      - forbidden_unless: {{field: label, when: max_coupons, contains: [A]}}\n"
    );
    assert_eq!(diagnostics(&spec(&[("favor/t.yaml", &text)])), vec![
            "favor/t.yaml:17:23: types.StockRule.rules[0].all_or_none.fields: `lable`: `lable` is not a field of `StockRule`; did you mean `label`?",
            "favor/t.yaml:18:9: types.StockRule.rules[1].required_when: a condition needs exactly one of `equals`, `greater_than`, `contains`, found 2",
            "favor/t.yaml:19:39: types.StockRule.rules[2].required_when.when: with `greater_than`, `when` must name an integer or number field",
            "favor/t.yaml:20:42: types.StockRule.rules[3].forbidden_unless.when: with `contains`, `when` must name an array of strings, enums or integers",
        ]);
}

#[test]
fn operation_kinds() {
    let op = format!(
        "{FAMILY_OP}    pagination: {{style: offset, offset: offset, limit: limit, total: total_count, items: data}}\n    upload: {{meta_part: meta, file_part: meta}}\n    download: {{url: link, hash_value: total_count, hash_type: data}}\n"
    );
    assert_eq!(diagnostics(&spec(&[("favor/op.yaml", &op)])), vec![
            "favor/op.yaml:18:83: operations.list_things.pagination.items: `data` must be an array",
            "favor/op.yaml:19:5: operations.list_things.upload: an upload is sent with POST",
            "favor/op.yaml:19:31: operations.list_things.upload.file_part: the file part and the meta part need different names",
            "favor/op.yaml:19:5: operations.list_things.upload: an upload's request has only body (meta) fields",
            "favor/op.yaml:20:16: operations.list_things.download.url: `link` is not a field of the response `ListThingsResponse` (fields: total_count, data)",
            "favor/op.yaml:20:27: operations.list_things.download.hash_value: `total_count` must be a string",
        ]);
}

#[test]
fn provenance() {
    let op = FAMILY_OP.replace(
        "    source: {updated: \"2024-10-31\"}\n",
        "    source: {updated: \"2024-10-31\", page_id: \"P4012\"}\n    sources:\n      - {role: blog, url: \"https://example.invalid\"}\n      - {role: sdk}\n    checked: \"30.11.2026\"\n",
    );
    assert_eq!(diagnostics(&spec(&[("favor/op.yaml", &op)])), vec![
            "favor/op.yaml:6:37: operations.list_things.source.page_id: page id `P4012` must be the digits of the doc centre's page (…/doc/v3/partner/4016434630)",
            "favor/op.yaml:8:10: operations.list_things.sources[0].role: unknown source role `blog` (expected official_twin, legacy, sdk, samples or community)",
            "favor/op.yaml:9:9: operations.list_things.sources[1]: a source needs either `url` or `repo` (with an optional `path`)",
            "favor/op.yaml:10:5: operations.list_things.checked: `30.11.2026` is not a YYYY-MM-DD date (write 更新时间 2024.10.31 as \"2024-10-31\")",
        ]);
}

/// The rendered form: rustc-like, with the source line, the first definition of a duplicate
/// and a did-you-mean help.
#[test]
fn rendering_shows_both_locations_and_suggestions() {
    let a = GOOD_TYPE.replace("type: integer", "type: StockRul");
    let b = format!("{GOOD_TYPE}  Other:\n    kind: object\n    fields:\n      - {{name: x, type: string, required: true, maxlen: 3}}\n");
    let files = spec(&[("favor/a.yaml", &a), ("favor/b.yaml", &b)]);
    let report =
        codegen::check_sources(&files, codegen::diag::Diagnostics::default()).expect_err("broken");
    let text = report.render("spec/");
    assert_eq!(
        text,
        r#"error: unknown field `maxlen`, expected one of `name`, `type`, `items`, `required`, `title`, `gloss`, `description`, `note`, `user_note`, `rust_name`, `example`, `max_len`, `min_len`, `len_unit`, `min`, `max`, `min_items`, `max_items`, `format`, `charset`, `forbidden_chars`, `max_han`, `schemes`, `not_open`, `also_string`, `deprecated`
  --> spec/favor/b.yaml:12:49
   |
12 |       - {name: x, type: string, required: true, maxlen: 3}
   |                                                 ^^^^^^^^^
   |
   = note: at `types.Other.fields.x.maxlen`
   = help: did you mean `max_len`?

error: type `StockRule` is already defined in favor/a.yaml at types.StockRule (family `favor`)
 --> spec/favor/b.yaml:3:3
  |
3 |   StockRule:
  |   ^^^^^^^^^
  |
 ::: spec/favor/a.yaml:3:3
  |
3 |   StockRule:
  |   --------- info: first defined here
  |
  = note: at `types.StockRule`

error: unknown type `StockRul`: not a scalar (string, integer, number, boolean, array) and not defined in family `favor`
 --> spec/favor/a.yaml:7:9
  |
7 |         type: StockRul
  |         ^^^^^^^^^^^^^^
  |
  = note: at `types.StockRule.fields.max_coupons.type`
  = help: did you mean `StockRule`?

3 errors in spec
"#
    );
}

#[test]
fn also_string_only_on_integer_body_fields() {
    let text = GOOD_TYPE.replace("type: integer", "type: string").replace(
        "required: true\n",
        "required: true\n        also_string: true\n",
    );
    assert_eq!(
        diagnostics(&spec(&[("favor/t.yaml", &text)])),
        vec!["favor/t.yaml:9:9: types.StockRule.fields.max_coupons.also_string: `also_string` applies to integer body fields (an integer that may arrive as a string of digits)"]
    );
    // On an integer body field it is accepted.
    let ok = GOOD_TYPE.replace(
        "required: true\n",
        "required: true\n        also_string: true\n",
    );
    assert_eq!(
        diagnostics(&spec(&[("favor/t.yaml", &ok)])),
        Vec::<String>::new()
    );
}
