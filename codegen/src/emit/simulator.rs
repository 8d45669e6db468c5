//! The simulator emitter: the spec-driven half of `wechatpay_marketing::testing` (routes,
//! path/query/body decoding into the request types, validation, response shapes, examples,
//! idempotency keys, documented error rows, operation kinds and notifications) and the
//! generated test that drives every operation through the simulator.

use super::tokens::{ident, named_type, rust_type};
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// `src/testing/generated.rs`: one `OpSpec` per operation (behind its family's feature), one
/// `NotificationSpec` per notification and the shape of every response and payload type.
pub fn runtime_file(api: &Api) -> TokenStream {
    let families: Vec<&Family> = api.families.iter().collect();
    let op_lists = families.iter().map(|f| {
        let m = ident(&f.id);
        let feature = &f.feature;
        quote! {
            #[cfg(feature = #feature)]
            all.extend(#m::OPERATIONS.iter());
        }
    });
    let notification_lists = families.iter().map(|f| {
        let m = ident(&f.id);
        let feature = &f.feature;
        quote! {
            #[cfg(feature = #feature)]
            all.extend(#m::NOTIFICATIONS.iter());
        }
    });
    let mut shape_arms = Vec::new();
    let mut shape_items = Vec::new();
    for f in &families {
        for t in all_types(f) {
            let TypeDef::Object(o) = t else { continue };
            if !o.in_response {
                continue;
            }
            let key = format!("{}.{}", f.id, o.name);
            let konst = format_ident!("SHAPE_{}", const_name(&key));
            let fields = o.fields.iter().map(|fl| field_shape(f, fl));
            shape_items.push(quote! {
                static #konst: &[FieldShape] = &[ #(#fields),* ];
            });
            shape_arms.push(quote! { #key => ::std::option::Option::Some(#konst), });
        }
    }
    let modules = families.iter().map(|f| family_module(f));
    quote! {
        #![allow(unused_mut, unused_imports, clippy::all)]

        use super::model::{field, field_ex, FieldShape, Kind, NotificationSpec, OpSpec, BOOL, INT, NUM, STR, TIME, URL};

        /// Every operation of the enabled families, in spec order (family, then id).
        pub(super) fn operations() -> ::std::vec::Vec<&'static OpSpec> {
            let mut all: ::std::vec::Vec<&'static OpSpec> = ::std::vec::Vec::new();
            #(#op_lists)*
            all
        }

        /// Every notification of the enabled families.
        pub(super) fn notifications() -> ::std::vec::Vec<&'static NotificationSpec> {
            let mut all: ::std::vec::Vec<&'static NotificationSpec> = ::std::vec::Vec::new();
            #(#notification_lists)*
            all
        }

        /// The fields of a response or payload object type, by `family.Type`.
        pub(super) fn shape(name: &str) -> ::std::option::Option<&'static [FieldShape]> {
            match name {
                #(#shape_arms)*
                _ => ::std::option::Option::None,
            }
        }

        #(#shape_items)*

        #(#modules)*
    }
}

/// `favor.StockUseRule` → `FAVOR_STOCKUSERULE`: always a valid identifier.
fn const_name(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn all_types(f: &Family) -> impl Iterator<Item = &TypeDef> {
    f.types
        .iter()
        .chain(f.operations.iter().flat_map(|o| o.local_types.iter()))
}

/// `field("name", required, KIND)` (compact: the generator runs hundreds of times in tests).
fn field_shape(f: &Family, fl: &Field) -> TokenStream {
    let name = &fl.wire_name;
    let required = fl.required;
    let kind = kind_tokens(f, &fl.schema, 0);
    match fl.example.as_deref() {
        Some(e) => quote! { field_ex(#name, #required, #kind, #e) },
        None => quote! { field(#name, #required, #kind) },
    }
}

fn kind_tokens(f: &Family, s: &Schema, depth: usize) -> TokenStream {
    match &s.ty {
        Ty::String => match s.constraints.format {
            Some(Format::Rfc3339) => quote! { TIME },
            Some(Format::Uri) => quote! { URL },
            None if s.constraints.schemes.is_some() => quote! { URL },
            None => quote! { STR },
        },
        Ty::Integer => quote! { INT },
        Ty::Number => quote! { NUM },
        Ty::Boolean => quote! { BOOL },
        Ty::Enum(n) => {
            let values: Vec<&str> = f
                .find_enum(n)
                .map(|e| e.values.iter().map(|v| v.wire.as_str()).collect())
                .unwrap_or_default();
            quote! { Kind::Enum(&[ #(#values),* ]) }
        }
        Ty::Object(n) => {
            let key = format!("{}.{}", f.id, n);
            quote! { Kind::Obj(#key) }
        }
        Ty::Array(item) if depth < 8 => {
            let inner = kind_tokens(f, item, depth + 1);
            quote! { Kind::Arr(&#inner) }
        }
        Ty::Array(_) => quote! { STR },
    }
}

fn opt_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote! { ::std::option::Option::Some(#s) },
        None => quote! { ::std::option::Option::None },
    }
}

fn error_row(e: &ErrorRow) -> TokenStream {
    let (status, code, d, s) = (e.status, &e.code, &e.description, &e.solution);
    quote! { row(#status, #code, #d, #s) }
}

/// The family's distinct error rows (operations repeat the common ones), in first-seen order.
fn family_rows(f: &Family) -> Vec<(u16, &str, &str, &str)> {
    let mut rows = Vec::new();
    for op in &f.operations {
        for e in &op.errors {
            let key = (
                e.status,
                e.code.as_str(),
                e.description.as_str(),
                e.solution.as_str(),
            );
            if !rows.contains(&key) {
                rows.push(key);
            }
        }
    }
    rows
}

fn family_module(f: &Family) -> TokenStream {
    let m = ident(&f.id);
    let feature = &f.feature;
    let rows = family_rows(f);
    let ops = f.operations.iter().map(|op| op_spec(f, op, &rows));
    let row_items = rows
        .iter()
        .map(|(st, c, d, so)| quote! { row(#st, #c, #d, #so) });
    let decoders = f.operations.iter().map(|op| decoder(f, op));
    let notifications = f.notifications.iter().map(|n| notification_spec(f, n));
    quote! {
        #[cfg(feature = #feature)]
        mod #m {
            use super::super::model::*;

            /// Every documented error row of the family, once.
            static ROWS: &[crate::ErrorRow] = &[ #(#row_items),* ];

            pub(super) static OPERATIONS: &[OpSpec] = &[ #(#ops),* ];

            pub(super) static NOTIFICATIONS: &[NotificationSpec] = &[ #(#notifications),* ];

            #(#decoders)*
        }
    }
}

/// The documented 2xx response example the simulator answers from.
fn response_example(op: &Operation) -> Option<&str> {
    op.examples.iter().find_map(|e| match e {
        Example::Response {
            status,
            body: Some(b),
            ..
        } if (200..300).contains(status) => Some(b.as_str()),
        _ => None,
    })
}

/// The documented row for "this request number was already used with other parameters":
/// the operation's own `…ALREADY_EXISTS` row about a request number or a conflict, else such a
/// row of another operation of the family, else the operation's `INVALID_REQUEST` row.
fn conflict_row(f: &Family, op: &Operation) -> ErrorRow {
    let about_request_no = |e: &ErrorRow| {
        let text = format!("{} {}", e.description, e.solution);
        e.code.ends_with("ALREADY_EXISTS")
            && (text.contains("request_no") || text.contains("单号") || text.contains("重复"))
    };
    let names_request_no =
        |e: &&&ErrorRow| format!("{} {}", e.description, e.solution).contains("request_no");
    let best = |rows: &[ErrorRow]| -> Option<ErrorRow> {
        let candidates: Vec<&ErrorRow> = rows.iter().filter(|e| about_request_no(e)).collect();
        candidates
            .iter()
            .find(names_request_no)
            .or(candidates.first())
            .map(|e| (*e).clone())
    };
    best(&op.errors)
        .or_else(|| f.operations.iter().find_map(|o| best(&o.errors)))
        .or_else(|| {
            op.errors
                .iter()
                .find(|e| e.code == "INVALID_REQUEST" && e.status == 400)
                .cloned()
        })
        .unwrap_or_else(|| ErrorRow {
            status: 400,
            code: "INVALID_REQUEST".into(),
            description: "请求参数与首次请求不一致".into(),
            solution: "使用新的请求单号,或按首次请求的参数重试".into(),
            group: None,
            gloss: None,
            note: None,
        })
}

/// The documented "not found" row: the operation's first 404 row, else the family's first,
/// else `RESOURCE_NOT_EXISTS`.
fn not_found_row(f: &Family, op: &Operation) -> ErrorRow {
    let first_404 = |rows: &[ErrorRow]| rows.iter().find(|e| e.status == 404).cloned();
    first_404(&op.errors)
        .or_else(|| f.operations.iter().find_map(|o| first_404(&o.errors)))
        .unwrap_or_else(|| ErrorRow {
            status: 404,
            code: "RESOURCE_NOT_EXISTS".into(),
            description: "查询的资源不存在".into(),
            solution: "请检查资源id是否正确".into(),
            group: None,
            gloss: None,
            note: None,
        })
}

fn op_spec(f: &Family, op: &Operation, rows: &[(u16, &str, &str, &str)]) -> TokenStream {
    let id = format!("{}.{}", f.id, op.id);
    let family = &f.id;
    let title = &op.title;
    let method = op.method.as_str();
    let path = &op.path;
    let status = op.response.status;
    let response_type = opt_str(
        op.response
            .type_name
            .as_ref()
            .map(|t| format!("{}.{}", f.id, t))
            .as_deref(),
    );
    let example = opt_str(response_example(op));
    let request_fields: Vec<&str> = f
        .find_object(&op.request_type)
        .map(|o| o.fields.iter().map(|fl| fl.wire_name.as_str()).collect())
        .unwrap_or_default();
    let keys: Vec<&str> = op
        .idempotency
        .as_ref()
        .map(|i| i.keys.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let errors: Vec<u16> = op
        .errors
        .iter()
        .filter_map(|e| {
            let key = (
                e.status,
                e.code.as_str(),
                e.description.as_str(),
                e.solution.as_str(),
            );
            rows.iter()
                .position(|r| *r == key)
                .and_then(|i| u16::try_from(i).ok())
        })
        .collect();
    let conflict = error_row(&conflict_row(f, op));
    let not_found = error_row(&not_found_row(f, op));
    let pagination = match &op.pagination {
        Some(Pagination::Offset {
            offset,
            offset_is_page,
            limit,
            total,
            items,
        }) => {
            let total = opt_str(total.as_deref());
            quote! { ::std::option::Option::Some(Paging::Offset { offset: #offset, by_page: #offset_is_page, limit: #limit, total: #total, items: #items }) }
        }
        Some(Pagination::Token {
            token,
            limit,
            next,
            items,
        }) => {
            let limit = opt_str(limit.as_deref());
            quote! { ::std::option::Option::Some(Paging::Token { token: #token, limit: #limit, next: #next, items: #items }) }
        }
        None => quote! { ::std::option::Option::None },
    };
    let upload = match &op.upload {
        Some(u) => {
            let (meta, file) = (&u.meta_part, &u.file_part);
            let digest = opt_str(u.digest_field.as_deref());
            let max = match u.max_bytes {
                Some(m) => quote! { ::std::option::Option::Some(#m) },
                None => quote! { ::std::option::Option::None },
            };
            let types = &u.media_types;
            quote! { ::std::option::Option::Some(UploadSpec { meta_part: #meta, file_part: #file, digest_field: #digest, max_bytes: #max, media_types: &[ #(#types),* ] }) }
        }
        None => quote! { ::std::option::Option::None },
    };
    let download = match &op.download {
        Some(d) => {
            let (url, hv, ht) = (&d.url, &d.hash_value, &d.hash_type);
            let expires = match d.expires_seconds {
                Some(s) => quote! { ::std::option::Option::Some(#s) },
                None => quote! { ::std::option::Option::None },
            };
            quote! { ::std::option::Option::Some(DownloadSpec { url: #url, hash_value: #hv, hash_type: #ht, expires_seconds: #expires }) }
        }
        None => quote! { ::std::option::Option::None },
    };
    let decode = format_ident!("decode_{}", op.id);
    quote! {
        OpSpec {
            id: #id,
            family: #family,
            title: #title,
            method: #method,
            path: #path,
            status: #status,
            response_type: #response_type,
            response_example: #example,
            request_fields: &[ #(#request_fields),* ],
            idempotency_keys: &[ #(#keys),* ],
            rows: ROWS,
            errors: &[ #(#errors),* ],
            conflict: #conflict,
            not_found: #not_found,
            pagination: #pagination,
            upload: #upload,
            download: #download,
            decode: #decode,
        }
    }
}

/// A parser of one path or query value of schema `s` (`fn(&str) -> Result<T, String>`).
fn parser(f: &Family, s: &Schema, depth: usize) -> TokenStream {
    let ty = rust_type(f, s);
    match &s.ty {
        Ty::String if s.constraints.format == Some(Format::Rfc3339) => {
            quote! { parse_timestamp }
        }
        Ty::String => quote! { parse_string },
        Ty::Integer => quote! { parse_i64 },
        Ty::Number => quote! { parse_f64 },
        Ty::Boolean => quote! { parse_bool },
        Ty::Enum(_) => quote! { parse_from::<#ty> },
        Ty::Array(item) if depth < 2 => {
            let inner = parser(f, item, depth + 1);
            quote! { |s: &str| parse_list(s, #inner) }
        }
        _ => quote! { parse_json::<#ty> },
    }
}

fn decoder(f: &Family, op: &Operation) -> TokenStream {
    let name = format_ident!("decode_{}", op.id);
    let req_ty = named_type(f, &op.request_type);
    let Some(req) = f.find_object(&op.request_type) else {
        return quote! {
            fn #name(input: &Input<'_>) -> ::std::result::Result<Params, Rejection> {
                input.params(&())
            }
        };
    };
    let has_body = matches!(op.method, Method::POST | Method::PUT | Method::PATCH);
    let start = if has_body {
        quote! { let mut request: #req_ty = input.body()?; }
    } else {
        quote! { let mut request: #req_ty = input.no_body()?; }
    };
    let mut sets = Vec::new();
    let mut puts = Vec::new();
    for fl in req.fields.iter().filter(|fl| fl.location != Location::Body) {
        let field = ident(&fl.rust_name);
        let wire = &fl.wire_name;
        let p = parser(f, &fl.schema, 0);
        let get = match fl.location {
            Location::Path => quote! { input.path(#wire, #p)? },
            _ if fl.required => {
                quote! { input.query(#wire, #p)?.ok_or_else(|| input.missing(#wire))? }
            }
            _ => quote! { input.query(#wire, #p)? },
        };
        sets.push(quote! { request.#field = #get; });
        puts.push(quote! { put(&mut params, #wire, &request.#field); });
    }
    quote! {
        fn #name(input: &Input<'_>) -> ::std::result::Result<Params, Rejection> {
            #start
            #(#sets)*
            input.validate(&request)?;
            let mut params = input.params(&request)?;
            #(#puts)*
            ::std::result::Result::Ok(params)
        }
    }
}

fn notification_spec(f: &Family, n: &Notification) -> TokenStream {
    let id = format!("{}.{}", f.id, n.id);
    let family = &f.id;
    let title = &n.title;
    let event_type = &n.event_type;
    let envelope_example = n.examples.iter().find_map(|e| match e {
        Example::Notification {
            part: NotificationPart::Envelope,
            body,
            ..
        } => serde_json::from_str::<serde_json::Value>(body).ok(),
        _ => None,
    });
    let from_example = |key: &str| -> Option<String> {
        let v = envelope_example.as_ref()?;
        let s = if key == "summary" {
            v.get("summary")?
        } else {
            v.get("resource")?.get(key)?
        };
        s.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
    };
    let original_type = n
        .original_type
        .clone()
        .or_else(|| from_example("original_type"))
        .unwrap_or_default();
    let associated_data = n
        .associated_data
        .clone()
        .or_else(|| from_example("associated_data"))
        .unwrap_or_default();
    let summary = from_example("summary").unwrap_or_else(|| n.title.clone());
    let payload_type = opt_str(
        n.payload
            .as_ref()
            .map(|p| format!("{}.{}", f.id, p))
            .as_deref(),
    );
    let payload_example = opt_str(n.examples.iter().find_map(|e| match e {
        Example::Notification {
            part: NotificationPart::Payload,
            body,
            ..
        } => Some(body.as_str()),
        _ => None,
    }));
    quote! {
        NotificationSpec {
            id: #id,
            family: #family,
            title: #title,
            event_type: #event_type,
            original_type: #original_type,
            associated_data: #associated_data,
            summary: #summary,
            payload_type: #payload_type,
            payload_example: #payload_example,
        }
    }
}

/// `tests/simulator_operations/generated.rs`: for every operation, the request built from its
/// documented example (the Rust example chain) is sent as plain signed HTTP to a fresh
/// simulator; the answer must be the documented 2xx, signed, and decode into the response type.
pub fn test_file(api: &Api) -> String {
    let mut s = String::from(TEST_HEADER);
    for fam in &api.families {
        for op in &fam.operations {
            s.push_str(&operation_test(fam, op));
        }
    }
    s
}

const TEST_HEADER: &str = r##"// @generated by `cargo run -p codegen -- generate` from spec/. Do not edit.
//! Every operation of the spec answers through the simulator: the request built from the
//! page's example is sent as plain signed HTTP (signed by the test harness, not the crate), and
//! the answer must be the documented 2xx status, carry a valid platform signature and decode
//! into the generated response type. Flow-file links are fetched and their SHA1 checked.
#![allow(clippy::all, unused_imports, unused_mut, unused_variables)]

use wechatpay_marketing as sdk;
use crate::support::Harness;
"##;

fn operation_test(fam: &Family, op: &Operation) -> String {
    let root = format!("sdk::{}::{}", fam.id, op.request_type);
    let chain = super::example_code::request_builder_at(fam, op, &root)
        .replace("wechatpay_marketing::", "sdk::")
        .replace('\n', "\n    ");
    let times: Vec<String> = super::example_code::example_times(fam, op)
        .iter()
        .map(|t| format!("{t:?}"))
        .collect();
    let has_body = matches!(op.method, Method::POST | Method::PUT | Method::PATCH);
    let send = match (&op.upload, has_body) {
        (Some(u), _) => format!(
            "h.upload({method:?}, &request.path_and_query(), serde_json::to_value(&request).expect(\"meta serializes\"), {meta:?}, {file:?}, {digest:?}).await",
            method = op.method.as_str(),
            meta = u.meta_part,
            file = u.file_part,
            digest = u.digest_field.as_deref().unwrap_or(""),
        ),
        (None, true) => format!(
            "h.send({method:?}, &request.path_and_query(), Some(serde_json::to_vec(&request).expect(\"body serializes\"))).await",
            method = op.method.as_str()
        ),
        (None, false) => format!(
            "h.send({method:?}, &request.path_and_query(), None).await",
            method = op.method.as_str()
        ),
    };
    let check = match &op.response.type_name {
        Some(t) => {
            let mut c = format!("    let typed: sdk::{}::{} = reply.json();\n", fam.id, t);
            if let Some(d) = &op.download {
                c.push_str(&format!(
                    "    h.download(&typed.{url}, &typed.{ht}, &typed.{hv}).await;\n",
                    url = crate::naming::ident_text(&field_rust(fam, t, &d.url)),
                    ht = crate::naming::ident_text(&field_rust(fam, t, &d.hash_type)),
                    hv = crate::naming::ident_text(&field_rust(fam, t, &d.hash_value)),
                ));
            } else {
                c.push_str("    let _ = typed;\n");
            }
            c
        }
        None => "    assert!(reply.body.is_empty(), \"a no-content answer has no body\");\n".into(),
    };
    format!(
        "\n/// {title} — `{method} {path}`\n#[cfg(feature = \"{feature}\")]\n#[tokio::test]\nasync fn {fam}_{op}() {{\n    fn build() -> Result<{root}, Box<dyn std::error::Error>> {{\n        Ok({chain})\n    }}\n    let request = build().expect(\"the example request builds\");\n    let h = Harness::start(&[{times}]).await;\n    let reply = {send};\n    reply.assert_status({status}, \"{fam}.{op}\");\n{check}}}\n",
        title = op.title,
        method = op.method.as_str(),
        path = op.path,
        feature = fam.feature,
        fam = fam.id,
        op = op.id,
        times = times.join(", "),
        status = op.response.status,
    )
}

/// The Rust field name of wire field `wire` of object `ty` (the wire name when not found).
fn field_rust(fam: &Family, ty: &str, wire: &str) -> String {
    fam.find_object(ty)
        .and_then(|o| o.fields.iter().find(|f| f.wire_name == wire))
        .map(|f| f.rust_name.clone())
        .unwrap_or_else(|| wire.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api() -> Api {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        crate::load_api(&spec).expect("the real spec checks")
    }

    fn op<'a>(api: &'a Api, family: &str, id: &str) -> (&'a Family, &'a Operation) {
        let f = api
            .families
            .iter()
            .find(|f| f.id == family)
            .expect("family");
        (
            f,
            f.operations.iter().find(|o| o.id == id).expect("operation"),
        )
    }

    /// The answer to a reused request number with other parameters is the row each family
    /// documents for it, and a generic documented row where a family has none.
    #[test]
    fn conflict_rows_come_from_the_documented_tables() {
        let api = api();
        let (f, o) = op(&api, "busifavor", "create_stock");
        assert_eq!(conflict_row(f, o).code, "RESOURCE_ALREADY_EXISTS");
        let (f, o) = op(&api, "busifavor", "return_coupon");
        assert_eq!(
            conflict_row(f, o).code,
            "RESOURCE_ALREADY_EXISTS",
            "from a sibling"
        );
        let (f, o) = op(&api, "product_coupon", "send_user_coupon");
        let row = conflict_row(f, o);
        assert_eq!(
            (row.code.as_str(), row.description.as_str()),
            ("ALREADY_EXISTS", "out_request_no 冲突")
        );
        let (f, o) = op(&api, "favor", "send_coupon");
        assert_eq!(conflict_row(f, o).code, "INVALID_REQUEST");
        let (f, o) = op(&api, "product_coupon", "query_stock");
        assert_eq!(
            not_found_row(f, o).code,
            "NOT_FOUND",
            "the family's 404 code"
        );
        let (f, o) = op(&api, "favor", "query_stock");
        assert_eq!(not_found_row(f, o).code, "RESOURCE_NOT_EXISTS");
    }

    #[test]
    fn every_operation_gets_a_route_a_decoder_and_a_test() {
        let api = api();
        let runtime = runtime_file(&api).to_string();
        let tests = test_file(&api);
        for f in &api.families {
            for o in &f.operations {
                assert!(
                    runtime.contains(&format!("\"{}.{}\"", f.id, o.id)),
                    "{}.{}",
                    f.id,
                    o.id
                );
                assert!(runtime.contains(&format!("decode_{}", o.id)), "{}", o.id);
                assert!(
                    tests.contains(&format!("async fn {}_{}()", f.id, o.id)),
                    "{}",
                    o.id
                );
            }
        }
        assert_eq!(const_name("favor.Stock-X"), "FAVOR_STOCK_X");
    }
}
