//! Emits the module tree of the generated crate: `api.rs` (families, `Client` accessors,
//! `ErrorCode`), each family's `mod.rs` and `types.rs`, and one file per operation.

use super::docs;
use super::tokens::{doc_attrs, ident, named_type};
use super::types::type_def;
use super::validate::validate_impl;
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeMap;

/// Tokens for all types in `types`, with builders and validators where reachable from requests.
pub fn types_with_impls(family: &Family, types: &[TypeDef]) -> TokenStream {
    let items = types.iter().map(|t| {
        let def = type_def(family, t);
        let validate = match t {
            TypeDef::Object(o) if o.in_request => validate_impl(family, o),
            _ => quote! {},
        };
        quote! { #def #validate }
    });
    quote! { #(#items)* }
}

pub fn api_root(api: &Api) -> TokenStream {
    let mods = api.families.iter().map(|f| {
        let m = ident(&f.id);
        let feature = &f.feature;
        let d = doc_attrs(&format!("{} — {}", f.title, docs::md(&f.summary)));
        quote! {
            #d
            #[cfg(feature = #feature)]
            pub mod #m;
        }
    });
    let accessors = api.families.iter().map(|f| {
        let m = ident(&f.id);
        let client = ident(&f.client_type);
        let feature = &f.feature;
        let d = doc_attrs(&format!(
            "Operations of the {} ({}) family. Requires the `{}` feature.",
            f.title, f.id, f.feature
        ));
        quote! {
            #d
            #[cfg(feature = #feature)]
            pub fn #m(&self) -> #m::#client<'_> {
                #m::#client::new(self)
            }
        }
    });
    // Every documented error code, across all families.
    let mut codes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &api.families {
        for op in &f.operations {
            for e in &op.errors {
                let entry = codes.entry(e.code.clone()).or_default();
                if !entry.contains(&e.description) {
                    entry.push(e.description.clone());
                }
            }
        }
    }
    let code_values: Vec<EnumValue> = codes
        .iter()
        .map(|(code, descs)| EnumValue {
            wire: code.clone(),
            rust_name: crate::naming::variant_name(code),
            doc: Doc {
                title: None,
                description: Some(descs.join("; ")),
                ..Doc::default()
            },
        })
        .collect();
    let error_code = EnumType {
        name: "ErrorCode".to_string(),
        doc: Doc {
            title: None,
            description: Some("Every error `code` documented by an operation of this crate (all families). Compare an API error's code with `ApiError::error_code()`.".to_string()),
            ..Doc::default()
        },
        values: code_values,
    };
    let error_code_tokens = super::types::enumeration(&error_code);
    quote! {
        #(#mods)*

        impl crate::Client {
            #(#accessors)*
        }

        #error_code_tokens

        impl crate::ApiError {
            /// The error `code` as the documented open enum.
            pub fn error_code(&self) -> ErrorCode {
                ErrorCode::from(self.code.as_str())
            }
        }
    }
}

pub fn family_mod(family: &Family) -> TokenStream {
    let client = ident(&family.client_type);
    let op_mods = family.operations.iter().map(|op| {
        let m = ident(&op.id);
        quote! { mod #m; pub use #m::*; }
    });
    let notif_mods = if family.notifications.is_empty() {
        quote! {}
    } else {
        quote! { mod notifications; pub use notifications::*; }
    };
    let types_mod = if family.types.is_empty() {
        quote! {}
    } else {
        quote! { mod types; pub use types::*; }
    };
    let cdoc = doc_attrs(&format!(
        "Operations of the {} family ({}); obtain one with [`crate::Client::{}`].",
        family.title, family.id, family.id
    ));
    quote! {
        #types_mod
        #(#op_mods)*
        #notif_mods

        #cdoc
        #[derive(Debug, Clone, Copy)]
        pub struct #client<'a> {
            client: &'a crate::Client,
        }

        impl<'a> #client<'a> {
            pub(crate) fn new(client: &'a crate::Client) -> Self {
                Self { client }
            }
        }
    }
}

/// Module doc (`//!` lines) for a family's `mod.rs`.
pub fn family_mod_doc(family: &Family) -> String {
    let mut s = format!(
        "{} ({}) — {}\n\n",
        family.title,
        family.id,
        docs::md(&family.summary)
    );
    s.push_str(&format!(
        "Enabled by the `{}` cargo feature. Operations:\n\n",
        family.feature
    ));
    for op in &family.operations {
        s.push_str(&format!(
            "- [`{}::{}`](crate::{}::{}::{}): {} — `{} {}`\n",
            family.client_type,
            op.method_name,
            family.id,
            family.client_type,
            op.method_name,
            docs::md(&op.title),
            op.method.as_str(),
            op.path
        ));
    }
    for n in &family.notifications {
        s.push_str(&format!(
            "- notification {}: {} (`{}`)\n",
            n.id,
            docs::md(&n.title),
            n.event_type
        ));
    }
    s
}

pub fn operation_file(family: &Family, op: &Operation) -> TokenStream {
    let types = types_with_impls(family, &op.local_types);
    let req = named_type(family, &op.request_type);
    let Some(TypeDef::Object(req_obj)) = op.local_types.first() else {
        return types;
    };
    let meta_id = format!("{}.{}", family.id, op.id);
    let method = op.method.as_str();
    let path = &op.path;
    let rows = op.errors.iter().map(|e| {
        let (status, code, d, s) = (e.status, &e.code, &e.description, &e.solution);
        quote! { crate::ErrorRow { status: #status, code: #code, description: #d, solution: #s }, }
    });
    // path_and_query()
    let mut fmt = String::new();
    let mut args = Vec::new();
    let mut rest = path.as_str();
    while let Some(open) = rest.find('{') {
        fmt.push_str(&rest[..open].replace('{', "{{").replace('}', "}}"));
        let close = rest[open..]
            .find('}')
            .map(|c| open + c)
            .unwrap_or(rest.len() - 1);
        let name = &rest[open + 1..close];
        if let Some(f) = req_obj
            .fields
            .iter()
            .find(|f| f.location == Location::Path && f.wire_name == name)
        {
            let fname = ident(&f.rust_name);
            args.push(quote! { crate::runtime::operation::encode_path_segment(&::std::string::ToString::to_string(&self.#fname)) });
        }
        fmt.push_str("{}");
        rest = &rest[close + 1..];
    }
    fmt.push_str(rest);
    let query_pushes: Vec<TokenStream> = req_obj
        .fields
        .iter()
        .filter(|f| f.location == Location::Query)
        .map(|f| {
            let fname = ident(&f.rust_name);
            let wire = &f.wire_name;
            let to_s = match &f.schema.ty {
                Ty::Array(_) => quote! { value.iter().map(::std::string::ToString::to_string).collect::<::std::vec::Vec<_>>().join(",") },
                _ => quote! { ::std::string::ToString::to_string(value) },
            };
            if f.required {
                quote! { { let value = &self.#fname; pairs.push((#wire, #to_s)); } }
            } else {
                quote! { if let ::std::option::Option::Some(value) = &self.#fname { pairs.push((#wire, #to_s)); } }
            }
        })
        .collect();
    let query_code = if query_pushes.is_empty() {
        quote! {}
    } else {
        quote! {
            let mut pairs: ::std::vec::Vec<(&str, ::std::string::String)> = ::std::vec::Vec::new();
            #(#query_pushes)*
            if pairs.is_empty() {
                path
            } else {
                ::std::format!("{}?{}", path, crate::runtime::operation::encode_query(&pairs))
            }
        }
    };
    let path_expr = match (args.is_empty(), query_pushes.is_empty()) {
        (true, true) => quote! { ::std::string::String::from(#fmt) },
        (false, true) => quote! { ::std::format!(#fmt, #(#args),*) },
        (true, false) => quote! { let path = ::std::string::String::from(#fmt); },
        (false, false) => quote! { let path = ::std::format!(#fmt, #(#args),*); },
    };
    let has_body = op.method != Method::GET && op.method != Method::DELETE;
    let body = if has_body {
        quote! {
            let body = ::serde_json::to_vec(request)
                .map_err(|e| crate::Error::Config(::std::format!("cannot encode request body: {e}")))?;
            let body = ::std::option::Option::Some(body);
        }
    } else {
        quote! { let body = ::std::option::Option::None; }
    };
    let (ret, call) = match &op.response.type_name {
        Some(t) => {
            let t = named_type(family, t);
            (
                quote! { #t },
                quote! { self.client.execute(api_request).await },
            )
        }
        None => (
            quote! { () },
            quote! { self.client.execute_empty(api_request).await },
        ),
    };
    let client = ident(&family.client_type);
    let method_name = ident(&op.method_name);
    let mdoc = doc_attrs(&format!(
        "{}\n\n# Example\n\n{}",
        docs::operation_doc(op, family),
        example_doc(family, op, req_obj)
    ));
    let pq_doc = format!(
        " The percent-encoded path and query string [`{}::{}`](crate::{}::{}::{}) sends this request to.",
        family.client_type, op.method_name, family.id, family.client_type, op.method_name
    );
    let req_ident = ident(&op.request_type);
    let client_mod = ident(&family.id);
    let meta_name = format_ident!("OPERATION");
    let safe_to_retry = op.safe_to_retry();
    let paging = super::kinds::paging(family, op);
    let download = super::kinds::download_method(family, op);
    let meta_ref = quote! { #meta_name };
    // An upload's method takes the file too; every other operation gets the plain JSON call.
    let call_method = super::kinds::upload_method(family, op, &meta_ref).unwrap_or_else(|| quote! {
        impl<'a> crate::#client_mod::#client<'a> {
            #mdoc
            pub async fn #method_name(&self, request: &#req) -> ::std::result::Result<#ret, crate::Error> {
                if self.client.validation_enabled() {
                    crate::Validate::validate_at(request, self.client.clock()).map_err(crate::Error::Validation)?;
                }
                #body
                let api_request = crate::runtime::operation::ApiRequest {
                    operation: &#meta_name,
                    path_and_query: request.path_and_query(),
                    body,
                    multipart: ::std::option::Option::None,
                };
                #call
            }
        }
    });
    quote! {
        #types

        #paging

        static #meta_name: crate::runtime::operation::OperationMeta = crate::runtime::operation::OperationMeta {
            id: #meta_id,
            method: #method,
            path: #path,
            errors: &[#(#rows)*],
            safe_to_retry: #safe_to_retry,
        };

        impl #req_ident {
            #[doc = #pq_doc]
            pub fn path_and_query(&self) -> ::std::string::String {
                #path_expr
                #query_code
            }
        }

        #call_method

        #download
    }
}

/// A compiling `no_run` doctest: the request built from the page's example (or sample
/// values), then the call.
fn example_doc(family: &Family, op: &Operation, req: &ObjectType) -> String {
    let mut rules = super::example_code::rule_lines(family, req);
    if !rules.is_empty() {
        rules = format!("// Checked by validate() before anything is sent:\n{rules}");
    }
    let origin = super::example_code::example_origin(op)
        .map(|o| format!("// The values of {o}:\n"))
        .unwrap_or_default();
    format!(
        "```no_run\n# async fn demo(client: wechatpay_marketing::Client) -> Result<(), Box<dyn std::error::Error>> {{\nuse wechatpay_marketing::{fam}::{req};\n\n{rules}{origin}let request = {builder};\nlet response = client.{fam}().{method}(&request).await?;\nprintln!(\"{{response:?}}\");\n# Ok(())\n# }}\n```",
        fam = family.id,
        req = op.request_type,
        builder = super::example_code::request_builder(family, op),
        method = op.method_name,
    )
}
