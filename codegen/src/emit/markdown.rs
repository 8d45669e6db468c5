//! The Markdown reference (`generated-sdk/docs/**`): a view model built from the IR, rendered
//! with the minijinja templates of `templates/` (`index.md.j2`, `operation.md.j2`,
//! `notification.md.j2`), which are read from disk at generation time.
//!
//! Everything the templates print is Markdown-ready: escaping, table cells (`|` escaped,
//! line breaks as `<br>`), flattened field rows and constraint text are computed here, so the
//! templates only lay the page out. Template problems (missing file, syntax error, undefined
//! variable, missing marker line) are diagnostics naming the template file and line.

use super::docs;
use super::MARKER;
use crate::diag::Diagnostic;
use crate::ir::*;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;
use std::path::Path;

/// Template of `docs/README.md`.
pub const INDEX_TEMPLATE: &str = "index.md.j2";
/// Template of `docs/<family>/<operation_id>.md`.
pub const OPERATION_TEMPLATE: &str = "operation.md.j2";
/// Template of `docs/<family>/<notification_id>.md`.
pub const NOTIFICATION_TEMPLATE: &str = "notification.md.j2";

const TEMPLATES: [&str; 3] = [INDEX_TEMPLATE, OPERATION_TEMPLATE, NOTIFICATION_TEMPLATE];

/// Renders the Markdown reference of `api` with the templates in `templates_dir`.
///
/// Returns `(path, text)` pairs with paths relative to `generated-sdk/` (`docs/README.md`,
/// `docs/favor/create_coupon_stock.md`, …), sorted by path. Every rendered file starts with
/// an HTML comment carrying [`MARKER`]. All template problems are reported at once.
pub fn render_docs(
    api: &Api,
    templates_dir: &Path,
) -> Result<Vec<(String, String)>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    let mut loaded = Vec::new();
    for name in TEMPLATES {
        let file = templates_dir.join(name);
        match std::fs::read_to_string(&file) {
            Ok(source) => match env.add_template_owned(name, source) {
                Ok(()) => loaded.push(name),
                Err(e) => errors.push(template_diag(templates_dir, name, &e)),
            },
            Err(e) => errors.push(Diagnostic {
                file: file.display().to_string(),
                line_col: None,
                path: String::new(),
                message: format!("cannot read template: {e}"),
            }),
        }
    }

    let mut out = Vec::new();
    let mut render = |name: &'static str, path: String, ctx: minijinja::Value| {
        if !loaded.contains(&name) {
            return;
        }
        let result = env.get_template(name).and_then(|t| t.render(ctx));
        match result {
            Ok(text) => {
                if text.lines().next().is_some_and(|l| l.contains(MARKER)) {
                    out.push((path, text));
                } else {
                    errors.push(Diagnostic {
                        file: templates_dir.join(name).display().to_string(),
                        line_col: Some((1, 1)),
                        path: String::new(),
                        message: format!(
                            "the first line rendered for `{path}` must carry the generated-file marker; start the template with `{{{{ header }}}}`"
                        ),
                    });
                }
            }
            Err(e) => errors.push(template_diag(templates_dir, name, &e)),
        }
    };

    render(
        INDEX_TEMPLATE,
        "docs/README.md".to_string(),
        minijinja::Value::from_serialize(index_view(api)),
    );
    for fam in &api.families {
        for op in &fam.operations {
            render(
                OPERATION_TEMPLATE,
                format!("docs/{}/{}.md", fam.id, op.id),
                minijinja::Value::from_serialize(operation_view(fam, op)),
            );
        }
        for n in &fam.notifications {
            render(
                NOTIFICATION_TEMPLATE,
                format!("docs/{}/{}.md", fam.id, n.id),
                minijinja::Value::from_serialize(notification_view(fam, n)),
            );
        }
    }

    if errors.is_empty() {
        out.sort();
        Ok(out)
    } else {
        // The same template bug fails every page rendered with it: report it once.
        errors.sort();
        errors.dedup();
        Err(errors)
    }
}

fn template_diag(dir: &Path, name: &str, e: &minijinja::Error) -> Diagnostic {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    Diagnostic {
        file: dir.join(e.name().unwrap_or(name)).display().to_string(),
        line_col: e.line().map(|l| (l, 1)),
        path: String::new(),
        message,
    }
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/// Spec text (verbatim, possibly multi-line) as one Markdown table cell.
fn cell(text: &str) -> String {
    text.trim()
        .lines()
        .map(docs::md)
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Markdown we produced ourselves (code spans, prose) as one table cell: a `|` splits a GFM
/// table row even inside a code span, so it is escaped; line breaks become `<br>`.
fn md_cell(markdown: &str) -> String {
    markdown
        .trim()
        .replace('|', "\\|")
        .lines()
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Spec text as a Markdown paragraph (escaped, line breaks kept).
fn para(text: &str) -> String {
    docs::md(text)
}

fn opt_para(text: &Option<String>) -> Option<String> {
    text.as_deref().map(para)
}

/// A fence of backticks longer than any run in `body`.
fn fence(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

fn header(spec: &str, template: &str) -> String {
    format!("<!-- {MARKER} from {spec} via templates/{template}. Do not edit. -->")
}

/// Rust path of a family type (`wechatpay_marketing::favor::StockRule`).
fn rust_type(fam: &Family, name: &str) -> String {
    format!("wechatpay_marketing::{}::{}", fam.id, name)
}

// ---------------------------------------------------------------------------------------------
// View model

#[derive(Serialize)]
struct IndexView {
    header: String,
    families: Vec<FamilyView>,
}

#[derive(Serialize)]
struct FamilyView {
    id: String,
    title: String,
    summary: String,
    feature: String,
    client_type: String,
    operations: Vec<OperationLink>,
    notifications: Vec<NotificationLink>,
}

#[derive(Serialize)]
struct OperationLink {
    id: String,
    method_name: String,
    title: String,
    summary: String,
    method: String,
    path: String,
    link: String,
}

#[derive(Serialize)]
struct NotificationLink {
    id: String,
    title: String,
    summary: String,
    event_type: String,
    link: String,
}

#[derive(Serialize)]
struct FamilyRef {
    id: String,
    title: String,
    feature: String,
    client_type: String,
}

#[derive(Serialize)]
struct SourceView {
    url: Option<String>,
    updated: Option<String>,
    checked: Option<String>,
    spec_file: String,
}

#[derive(Serialize)]
struct IdempotencyView {
    /// Code spans (`` `out_request_no` ``).
    keys: Vec<String>,
    description: Option<String>,
}

#[derive(Serialize)]
struct HeaderView {
    name: String,
    required: String,
    description: String,
}

#[derive(Serialize)]
struct RustView {
    /// `client.favor().create_coupon_stock(&request)`.
    call: String,
    /// Full path of the request type.
    request_type: String,
    /// Short name of the request type.
    request_name: String,
    /// Full path of the response type; `None` for an empty (204) response.
    response_type: Option<String>,
    /// `let request = …;` built from the documented example (or sample values).
    builder: String,
    /// `// - rule` comment lines for the rules `validate()` checks.
    rules: String,
    /// Where `builder`'s values come from (`example_code::example_origin`), if documented.
    origin: Option<&'static str>,
}

/// A field table: flattened rows, the enums its fields use, the rules of its objects.
#[derive(Serialize, Default)]
struct TableView {
    /// `Path parameters`, `Query parameters`, `Body`, `Response body`, …
    heading: String,
    location: String,
    rows: Vec<RowView>,
    enums: Vec<EnumView>,
    rules: Vec<RuleView>,
}

#[derive(Serialize)]
struct RowView {
    /// Dotted path as a code span (`` `stock_use_rule.max_coupons` ``).
    field: String,
    depth: usize,
    /// Type as a code span.
    ty: String,
    required: String,
    constraints: String,
    description: String,
}

#[derive(Serialize)]
struct EnumView {
    name: String,
    /// Fields of the table using it, as code spans.
    fields: Vec<String>,
    description: Option<String>,
    /// Whether any value has a documented meaning (otherwise the Constraints cell says it all).
    has_meanings: bool,
    values: Vec<EnumValueView>,
}

#[derive(Serialize)]
struct EnumValueView {
    wire: String,
    meaning: Option<String>,
}

#[derive(Serialize)]
struct RuleView {
    /// The rule in English (Markdown).
    text: String,
    /// Verbatim source text.
    description: Option<String>,
    /// Our English gloss of the page's wording.
    gloss: Option<String>,
}

#[derive(Serialize)]
struct ExampleView {
    /// `request` | `response` | `envelope` | `payload`.
    kind: String,
    title: Option<String>,
    /// `POST /v3/…?…` with the example's path parameters and query filled in (requests).
    request_line: Option<String>,
    status: Option<u16>,
    body: Option<String>,
    fence: String,
}

#[derive(Serialize)]
struct ErrorView {
    status: u16,
    code: String,
    /// English gloss (may be empty).
    meaning: String,
    description: String,
    solution: String,
}

#[derive(Serialize)]
struct ResponseView {
    status: u16,
    type_name: Option<String>,
    description: Option<String>,
    table: Option<TableView>,
}

#[derive(Serialize)]
struct OperationView {
    header: String,
    family: FamilyRef,
    id: String,
    title: String,
    summary: String,
    description: Option<String>,
    method: String,
    path: String,
    merchant_types: Option<String>,
    rate_limit: Option<String>,
    latency: Option<String>,
    idempotency: Option<IdempotencyView>,
    source: SourceView,
    rust: RustView,
    headers: Vec<HeaderView>,
    /// One table per location that has fields: path, query, body.
    params: Vec<TableView>,
    /// Rules over the request's fields, across locations (English text plus source).
    rules: Vec<RuleView>,
    response: ResponseView,
    examples: Vec<ExampleView>,
    errors: Vec<ErrorView>,
    /// Whether the error table was read whole.
    errors_complete: bool,
    /// A sentence naming the sections no source showed whole.
    partial: Option<String>,
    note: Option<String>,
}

#[derive(Serialize)]
struct NotificationView {
    header: String,
    family: FamilyRef,
    id: String,
    title: String,
    summary: String,
    description: Option<String>,
    event_type: String,
    event_type_const: String,
    source: SourceView,
    /// `client.busifavor().parse_coupon_send_notification(&api_v3_key, &headers, &body)`.
    parse_call: Option<String>,
    payload_type: Option<String>,
    envelope: Option<TableView>,
    payload: Option<TableView>,
    examples: Vec<ExampleView>,
    partial: Option<String>,
    note: Option<String>,
}

fn family_ref(fam: &Family) -> FamilyRef {
    FamilyRef {
        id: fam.id.clone(),
        title: para(&fam.title),
        feature: fam.feature.clone(),
        client_type: fam.client_type.clone(),
    }
}

fn source_view(s: &Source) -> SourceView {
    SourceView {
        url: s.url.clone(),
        updated: s.updated.clone(),
        checked: s.checked.clone(),
        spec_file: s.spec_file.clone(),
    }
}

fn index_view(api: &Api) -> IndexView {
    IndexView {
        header: header("spec/", INDEX_TEMPLATE),
        families: api
            .families
            .iter()
            .map(|f| FamilyView {
                id: f.id.clone(),
                title: para(&f.title),
                summary: para(&f.summary),
                feature: f.feature.clone(),
                client_type: f.client_type.clone(),
                operations: f
                    .operations
                    .iter()
                    .map(|o| OperationLink {
                        id: o.id.clone(),
                        method_name: o.method_name.clone(),
                        title: cell(&o.title),
                        summary: cell(&o.summary),
                        method: o.method.as_str().to_string(),
                        path: o.path.clone(),
                        link: format!("{}/{}.md", f.id, o.id),
                    })
                    .collect(),
                notifications: f
                    .notifications
                    .iter()
                    .map(|n| NotificationLink {
                        id: n.id.clone(),
                        title: cell(&n.title),
                        summary: cell(&n.summary),
                        event_type: n.event_type.clone(),
                        link: format!("{}/{}.md", f.id, n.id),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn operation_view(fam: &Family, op: &Operation) -> OperationView {
    let request = fam.find_object(&op.request_type);
    let mut params = Vec::new();
    let mut rules = Vec::new();
    if let Some(req) = request {
        for (loc, heading) in [
            (Location::Path, "Path parameters"),
            (Location::Query, "Query parameters"),
            (Location::Body, "Request body"),
        ] {
            let fields: Vec<&Field> = req.fields.iter().filter(|f| f.location == loc).collect();
            if fields.is_empty() {
                continue;
            }
            let mut table = TableView {
                heading: heading.to_string(),
                location: format!("{loc:?}").to_lowercase(),
                ..TableView::default()
            };
            let mut stack = vec![req.name.clone()];
            flatten(fam, &fields, "", 0, &mut stack, &mut table);
            rules.append(&mut table.rules);
            params.push(table);
        }
        rules.splice(0..0, req.rules.iter().map(|r| rule_view(r, "")));
    }
    let response_table = op
        .response
        .type_name
        .as_deref()
        .and_then(|t| fam.find_object(t))
        .map(|obj| object_table(fam, obj, "Response body", "response"));
    let description = match (&op.response.doc.title, &op.response.doc.description) {
        (Some(t), Some(d)) if t != d => Some(format!("{} — {}", para(t), para(d))),
        (Some(t), _) => Some(para(t)),
        (None, Some(d)) => Some(para(d)),
        (None, None) => None,
    };
    OperationView {
        header: header(&format!("spec/{}", op.source.spec_file), OPERATION_TEMPLATE),
        family: family_ref(fam),
        id: op.id.clone(),
        title: para(&op.title),
        summary: para(&op.summary),
        description: opt_para(&op.description),
        method: op.method.as_str().to_string(),
        path: op.path.clone(),
        merchant_types: if op.merchant_types.is_empty() {
            None
        } else {
            Some(para(&docs::merchant_types_text(&op.merchant_types)))
        },
        rate_limit: op.rate_limit.as_deref().map(|r| para(&docs::limit_text(r))),
        latency: op.latency.as_deref().map(|l| para(&docs::limit_text(l))),
        idempotency: op.idempotency.as_ref().map(|i| IdempotencyView {
            keys: i.keys.iter().map(|k| docs::code(k)).collect(),
            description: opt_para(&i.description),
        }),
        source: source_view(&op.source),
        rust: RustView {
            call: format!("client.{}().{}(&request)", fam.id, op.method_name),
            request_type: rust_type(fam, &op.request_type),
            request_name: op.request_type.clone(),
            response_type: op.response.type_name.as_deref().map(|t| rust_type(fam, t)),
            builder: super::example_code::request_builder(fam, op),
            rules: request
                .map(|r| super::example_code::rule_lines(fam, r))
                .unwrap_or_default(),
            origin: super::example_code::example_origin(op),
        },
        headers: op
            .headers
            .iter()
            .map(|h| HeaderView {
                name: docs::code(&h.name),
                required: yes_no(h.required),
                description: match (&h.gloss, &h.description) {
                    (Some(g), Some(d)) => format!("{}<br>{}", cell(g), cell(d)),
                    (Some(g), None) => cell(g),
                    (None, d) => d.as_deref().map(cell).unwrap_or_default(),
                },
            })
            .collect(),
        params,
        rules,
        response: ResponseView {
            status: op.response.status,
            type_name: op.response.type_name.clone(),
            description,
            table: response_table,
        },
        examples: op
            .examples
            .iter()
            .map(|e| example_view(e, Some(op)))
            .collect(),
        errors: op
            .errors
            .iter()
            .map(|e| ErrorView {
                status: e.status,
                code: docs::code(&e.code),
                meaning: e.gloss.as_deref().map(cell).unwrap_or_default(),
                description: cell(&e.description),
                solution: cell(&e.solution),
            })
            .collect(),
        errors_complete: op.complete.errors,
        partial: docs::partial_text(&op.complete),
        note: opt_para(&op.user_note),
    }
}

fn notification_view(fam: &Family, n: &Notification) -> NotificationView {
    let table = |name: &Option<String>, heading: &str, location: &str| {
        name.as_deref()
            .and_then(|t| fam.find_object(t))
            .map(|obj| object_table(fam, obj, heading, location))
    };
    NotificationView {
        header: header(
            &format!("spec/{}", n.source.spec_file),
            NOTIFICATION_TEMPLATE,
        ),
        family: family_ref(fam),
        id: n.id.clone(),
        title: para(&n.title),
        summary: para(&n.summary),
        description: opt_para(&n.description),
        event_type: n.event_type.clone(),
        event_type_const: format!(
            "wechatpay_marketing::{}::{}_EVENT_TYPE",
            fam.id,
            n.id.to_uppercase()
        ),
        source: source_view(&n.source),
        parse_call: n.payload.as_ref().map(|_| {
            format!(
                "client.{}().parse_{}_notification(&api_v3_key, &headers, &body)",
                fam.id, n.id
            )
        }),
        payload_type: n.payload.as_deref().map(|t| rust_type(fam, t)),
        envelope: table(&n.envelope, "Envelope (request body)", "envelope"),
        payload: table(&n.payload, "Payload (decrypted `resource`)", "payload"),
        examples: n.examples.iter().map(|e| example_view(e, None)).collect(),
        partial: docs::partial_text(&n.complete),
        note: opt_para(&n.user_note),
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn object_table(fam: &Family, obj: &ObjectType, heading: &str, location: &str) -> TableView {
    let mut table = TableView {
        heading: heading.to_string(),
        location: location.to_string(),
        ..TableView::default()
    };
    let fields: Vec<&Field> = obj.fields.iter().collect();
    let mut stack = vec![obj.name.clone()];
    flatten(fam, &fields, "", 0, &mut stack, &mut table);
    table
        .rules
        .splice(0..0, obj.rules.iter().map(|r| rule_view(r, "")));
    table
}

/// Appends one row per field (and, depth first, rows for the fields of nested objects and of
/// array items); records enums used and the rules of nested objects. `stack` holds the object
/// types being expanded, so a recursive type is listed once and then referred to.
fn flatten(
    fam: &Family,
    fields: &[&Field],
    prefix: &str,
    depth: usize,
    stack: &mut Vec<String>,
    table: &mut TableView,
) {
    for f in fields {
        let path = format!("{prefix}{}", f.wire_name);
        let mut description = field_description(f);
        let recursive = named_object(&f.schema)
            .filter(|n| stack.iter().any(|s| s == n))
            .map(str::to_string);
        if let Some(n) = &recursive {
            if !description.is_empty() {
                description.push_str("<br>");
            }
            description.push_str(&format!(
                "*Recursive:* {} again; its fields are listed above.",
                docs::code(n)
            ));
        }
        table.rows.push(RowView {
            field: docs::code(&path),
            depth,
            ty: docs::code(&docs::type_text(&f.schema)),
            required: yes_no(f.required),
            constraints: md_cell(&own_constraints(&f.schema, fam).join("; ")),
            description,
        });
        if recursive.is_none() {
            descend(fam, &f.schema, &path, depth, stack, table);
        }
    }
}

/// Array items get a row of their own (`goods_tag[]`) when they are constrained or an enum;
/// object items are described by the rows of their fields (`coupons[].stock_id`).
fn has_item_row(item: &Schema) -> bool {
    match &item.ty {
        Ty::Object(_) => false,
        Ty::Enum(_) | Ty::Array(_) => true,
        Ty::String | Ty::Integer | Ty::Number | Ty::Boolean => !item.constraints.is_empty(),
    }
}

/// The constraints of a schema itself: for an array with an item row, those on the array
/// (item count) only; the item row shows the item's.
/// An enum whose values have documented meanings is listed under the table instead of inline.
fn own_constraints(schema: &Schema, fam: &Family) -> Vec<String> {
    match &schema.ty {
        Ty::Array(item) if has_item_row(item) => docs::own_constraint_list(&schema.constraints),
        Ty::Enum(n) if fam.find_enum(n).is_some_and(enum_has_meanings) => {
            let mut out = docs::own_constraint_list(&schema.constraints);
            out.push(format!("a {} value (listed below)", docs::code(n)));
            out
        }
        _ => docs::constraint_list(schema, fam),
    }
}

fn enum_has_meanings(e: &EnumType) -> bool {
    e.values
        .iter()
        .any(|v| v.doc.description.is_some() || v.doc.gloss.is_some())
}

/// The object type a schema (or its array items, at any depth) names.
fn named_object(schema: &Schema) -> Option<&str> {
    match &schema.ty {
        Ty::Object(n) => Some(n),
        Ty::Array(item) => named_object(item),
        _ => None,
    }
}

fn descend(
    fam: &Family,
    schema: &Schema,
    path: &str,
    depth: usize,
    stack: &mut Vec<String>,
    table: &mut TableView,
) {
    match &schema.ty {
        Ty::Object(n) => {
            if let Some(obj) = fam.find_object(n) {
                stack.push(n.clone());
                table
                    .rules
                    .extend(obj.rules.iter().map(|r| rule_view(r, path)));
                let fields: Vec<&Field> = obj.fields.iter().collect();
                flatten(fam, &fields, &format!("{path}."), depth + 1, stack, table);
                stack.pop();
            }
        }
        Ty::Enum(n) => record_enum(fam, n, path, table),
        Ty::Array(item) => {
            let item_path = format!("{path}[]");
            if has_item_row(item) {
                table.rows.push(RowView {
                    field: docs::code(&item_path),
                    depth: depth + 1,
                    ty: docs::code(&docs::type_text(item)),
                    required: "—".to_string(),
                    constraints: md_cell(&own_constraints(item, fam).join("; ")),
                    description: "Each item.".to_string(),
                });
            }
            descend(fam, item, &item_path, depth, stack, table)
        }
        Ty::String | Ty::Integer | Ty::Number | Ty::Boolean => {}
    }
}

fn record_enum(fam: &Family, name: &str, path: &str, table: &mut TableView) {
    if let Some(existing) = table.enums.iter_mut().find(|e| e.name == name) {
        existing.fields.push(docs::code(path));
        return;
    }
    let Some(e) = fam.find_enum(name) else {
        return;
    };
    let values: Vec<EnumValueView> = e
        .values
        .iter()
        .map(|v| EnumValueView {
            wire: docs::code(&v.wire),
            meaning: match (&v.doc.gloss, &v.doc.description) {
                (Some(g), Some(d)) => Some(format!("{} ({})", para(g), para(d))),
                (Some(g), None) => Some(para(g)),
                (None, Some(d)) => Some(para(d)),
                (None, None) => None,
            },
        })
        .collect();
    table.enums.push(EnumView {
        name: name.to_string(),
        fields: vec![docs::code(path)],
        description: match (&e.doc.gloss, &e.doc.description) {
            (Some(g), Some(d)) => Some(format!("{} ({})", para(g), para(d))),
            (Some(g), None) => Some(para(g)),
            (None, d) => opt_para(d),
        },
        has_meanings: enum_has_meanings(e),
        values,
    });
}

/// 【title】, description (unless it repeats the title) and our note, as one table cell.
fn field_description(f: &Field) -> String {
    let mut parts = Vec::new();
    if let Some(g) = &f.doc.gloss {
        parts.push(cell(g));
    }
    match (&f.doc.title, &f.doc.description) {
        (Some(t), Some(d)) if t.trim() == d.trim() => parts.push(format!("**{}**", cell(t))),
        (Some(t), Some(d)) => {
            parts.push(format!("**{}**", cell(t)));
            parts.push(cell(d));
        }
        (Some(t), None) => parts.push(format!("**{}**", cell(t))),
        (None, Some(d)) => parts.push(cell(d)),
        (None, None) => {}
    }
    if let Some(st) = docs::field_status(f) {
        parts.push(md_cell(&st));
    }
    if let Some(n) = &f.doc.user_note {
        parts.push(format!("*Note:* {}", cell(n)));
    }
    parts.join("<br>")
}

/// A rule of an object found at `prefix` (`""` for the top level), its field paths made
/// absolute.
fn rule_view(rule: &Rule, prefix: &str) -> RuleView {
    RuleView {
        text: docs::rule_text_at(&rule.kind, prefix),
        description: opt_para(&rule.description),
        gloss: opt_para(&rule.gloss),
    }
}

/// An example's heading: English first, the page's title beside it.
fn example_title(title: &Option<String>, gloss: &Option<String>) -> Option<String> {
    title
        .as_deref()
        .map(|t| para(&docs::example_title_text(t, gloss.as_deref())))
}

fn example_view(e: &Example, op: Option<&Operation>) -> ExampleView {
    let body_view = |body: Option<&String>| {
        body.map(|b| b.trim_end_matches(['\n', '\r']).to_string())
            .filter(|b| !b.trim().is_empty())
    };
    match e {
        Example::Request {
            title,
            gloss,
            path_params,
            query_text,
            body,
            ..
        } => {
            let request_line = op.map(|op| {
                let mut path = op.path.clone();
                for (k, v) in path_params {
                    path = path.replace(&format!("{{{k}}}"), v);
                }
                match query_text {
                    Some(q) if !q.is_empty() => format!("{} {path}?{q}", op.method.as_str()),
                    _ => format!("{} {path}", op.method.as_str()),
                }
            });
            let body = body_view(body.as_ref());
            ExampleView {
                kind: "request".to_string(),
                title: example_title(title, gloss),
                request_line: request_line.map(|l| docs::code(&l)),
                status: None,
                fence: fence(body.as_deref().unwrap_or_default()),
                body,
            }
        }
        Example::Response {
            title,
            gloss,
            status,
            body,
            ..
        } => {
            let body = body_view(body.as_ref());
            ExampleView {
                kind: "response".to_string(),
                title: example_title(title, gloss),
                request_line: None,
                status: Some(*status),
                fence: fence(body.as_deref().unwrap_or_default()),
                body,
            }
        }
        Example::Notification {
            title,
            gloss,
            part,
            body,
            note: _,
        } => {
            let body = body_view(Some(body));
            ExampleView {
                kind: match part {
                    NotificationPart::Envelope => "envelope",
                    NotificationPart::Payload => "payload",
                }
                .to_string(),
                title: example_title(title, gloss),
                request_line: None,
                status: None,
                fence: fence(body.as_deref().unwrap_or_default()),
                body,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_break_lines() {
        assert_eq!(cell("a|b\nc"), "a\\|b<br>c");
        assert_eq!(md_cell("must not contain `|`"), "must not contain `\\|`");
        assert_eq!(fence("no ticks"), "```");
        assert_eq!(fence("a ```` b"), "`````");
    }
}
