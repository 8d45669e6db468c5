//! Operation kinds beyond one JSON call: for a paged list (`pagination:`), the `Paged` impl
//! of its request and a `<op>_pages` method walking every page.

use super::docs;
use super::tokens::{ident, named_type, rust_type};
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

/// The `Paged` impl and the `<op>_pages` method of a paged list operation; empty otherwise.
pub fn paging(family: &Family, op: &Operation) -> TokenStream {
    let Some(p) = &op.pagination else {
        return quote! {};
    };
    let (Some(req), Some(resp_name)) = (
        family.find_object(&op.request_type),
        op.response.type_name.as_deref(),
    ) else {
        return quote! {};
    };
    let Some(resp) = family.find_object(resp_name) else {
        return quote! {};
    };
    let field = |o: &ObjectType, wire: &str| o.fields.iter().find(|f| f.wire_name == wire).cloned();
    let items_name = match p {
        Pagination::Offset { items, .. } | Pagination::Token { items, .. } => items,
    };
    let Some(items) = field(resp, items_name) else {
        return quote! {};
    };
    let Ty::Array(item_schema) = &items.schema.ty else {
        return quote! {};
    };
    let item_ty = rust_type(family, item_schema);
    let items_ident = ident(&items.rust_name);
    let into_items = if items.required {
        quote! { response.#items_ident }
    } else {
        quote! { response.#items_ident.unwrap_or_default() }
    };
    let req_ty = named_type(family, &op.request_type);
    let resp_ty = named_type(family, resp_name);
    let client_ty = named_type(family, &family.client_type);
    let method = ident(&op.method_name);
    // An integer request field read as `i64` (0 when unset) and written back.
    let get_int = |f: &Field| {
        let id = ident(&f.rust_name);
        if f.required {
            quote! { self.#id }
        } else {
            quote! { self.#id.unwrap_or(0) }
        }
    };
    let set_int = |f: &Field| {
        let id = ident(&f.rust_name);
        if f.required {
            quote! { self.#id = value; }
        } else {
            quote! { self.#id = ::std::option::Option::Some(value); }
        }
    };
    let get_opt = |f: &Field| {
        let id = ident(&f.rust_name);
        if f.required {
            quote! { ::std::option::Option::Some(self.#id) }
        } else {
            quote! { self.#id }
        }
    };
    let (style, specific, limit) = match p {
        Pagination::Offset {
            offset,
            offset_is_page,
            limit,
            total,
            ..
        } => {
            let (Some(off), Some(lim)) = (field(req, offset), field(req, limit)) else {
                return quote! {};
            };
            let (g, s) = (get_int(&off), set_int(&off));
            let total_fn = total.as_deref().and_then(|t| field(resp, t)).map(|t| {
                let id = ident(&t.rust_name);
                let e = if t.required {
                    quote! { ::std::option::Option::Some(response.#id) }
                } else {
                    quote! { response.#id }
                };
                quote! {
                    fn total(response: &Self::Response) -> ::std::option::Option<i64> { #e }
                }
            });
            (
                quote! { crate::runtime::paging::PageStyle::Offset { by_page: #offset_is_page } },
                quote! {
                    fn offset(&self) -> i64 { #g }
                    fn set_offset(&mut self, value: i64) { #s }
                    #total_fn
                },
                get_opt(&lim),
            )
        }
        Pagination::Token {
            token, limit, next, ..
        } => {
            let (Some(tok), Some(nxt)) = (field(req, token), field(resp, next)) else {
                return quote! {};
            };
            let tid = ident(&tok.rust_name);
            let value = if tok.schema.ty == Ty::String {
                quote! { value }
            } else {
                quote! { ::std::convert::From::from(value) }
            };
            let set = if tok.required {
                quote! { self.#tid = #value; }
            } else {
                quote! { self.#tid = ::std::option::Option::Some(#value); }
            };
            let nid = ident(&nxt.rust_name);
            let next_e = if nxt.required {
                quote! { ::std::option::Option::Some(::std::string::ToString::to_string(&response.#nid)) }
            } else {
                quote! { response.#nid.as_ref().map(::std::string::ToString::to_string) }
            };
            let limit = match limit.as_deref().and_then(|l| field(req, l)) {
                Some(l) => get_opt(&l),
                None => quote! { ::std::option::Option::None },
            };
            (
                quote! { crate::runtime::paging::PageStyle::Token },
                quote! {
                    fn set_token(&mut self, value: ::std::string::String) { #set }
                    fn next_token(response: &Self::Response) -> ::std::option::Option<::std::string::String> { #next_e }
                },
                limit,
            )
        }
    };
    let pages = ident(&format!("{}_pages", op.method_name));
    let what = match p {
        Pagination::Offset {
            offset,
            offset_is_page: true,
            ..
        } => format!("`{offset}` counts pages, from the request's value"),
        Pagination::Offset { offset, .. } => {
            format!("`{offset}` counts items, from the request's value")
        }
        Pagination::Token { token, .. } => format!("`{token}` from each page's next token"),
    };
    let doc = super::tokens::doc_attrs(&format!(
        "Walks every page of [`{client}::{m}`](crate::{fam}::{client}::{m}) ({what}) and stops at the end of the list; each page is one signed call, validated like a single call.\n\n```no_run\n# async fn demo(client: wechatpay_marketing::Client, request: wechatpay_marketing::{fam}::{req}) -> Result<(), wechatpay_marketing::Error> {{\nlet mut pages = client.{fam}().{pages}(&request);\nwhile let Some(items) = pages.next_page().await? {{\n    for item in items {{\n        println!(\"{{item:?}}\");\n    }}\n}}\n# Ok(())\n# }}\n```",
        client = family.client_type,
        m = op.method_name,
        fam = family.id,
        req = op.request_type,
        pages = pages,
        what = docs::md(&what),
    ));
    quote! {
        impl crate::runtime::paging::Paged for #req_ty {
            type Response = #resp_ty;
            type Item = #item_ty;
            const STYLE: crate::runtime::paging::PageStyle = #style;
            async fn send_page(
                &self,
                client: &crate::Client,
            ) -> ::std::result::Result<Self::Response, crate::Error> {
                #client_ty::new(client).#method(self).await
            }
            fn limit(&self) -> ::std::option::Option<i64> { #limit }
            #specific
            fn into_items(response: Self::Response) -> ::std::vec::Vec<Self::Item> { #into_items }
        }

        impl<'a> #client_ty<'a> {
            #doc
            pub fn #pages(&self, request: &#req_ty) -> crate::Pages<'a, #req_ty> {
                crate::Pages::new(self.client, ::std::clone::Clone::clone(request))
            }
        }
    }
}

/// The method of a multipart upload operation: it takes the meta request (without the
/// digest) and the file's bytes, checks the documented size and media types locally, fills
/// the digest, signs the meta JSON and sends both parts.
pub fn upload_method(family: &Family, op: &Operation, meta: &TokenStream) -> Option<TokenStream> {
    let up = op.upload.as_ref()?;
    let req = family.find_object(&op.request_type)?;
    let req_ty = named_type(family, &op.request_type);
    let resp_ty = op
        .response
        .type_name
        .as_deref()
        .map(|t| named_type(family, t))?;
    let method = ident(&op.method_name);
    let client_ty = named_type(family, &family.client_type);
    let (meta_part, file_part) = (&up.meta_part, &up.file_part);
    let max = match up.max_bytes {
        Some(m) => quote! { ::std::option::Option::Some(#m) },
        None => quote! { ::std::option::Option::None },
    };
    let types = &up.media_types;
    let set_digest = up
        .digest_field
        .as_deref()
        .and_then(|d| req.fields.iter().find(|f| f.wire_name == d))
        .map(|f| {
            let id = ident(&f.rust_name);
            quote! {
                request.#id = ::std::option::Option::Some(crate::runtime::multipart::sha256_hex(&bytes));
            }
        });
    let filename = match req.fields.iter().find(|f| f.wire_name == "filename") {
        Some(f) if f.required => {
            let id = ident(&f.rust_name);
            quote! { ::std::clone::Clone::clone(&request.#id) }
        }
        Some(f) => {
            let id = ident(&f.rust_name);
            quote! { request.#id.clone().unwrap_or_else(|| ::std::string::String::from(#file_part)) }
        }
        None => quote! { ::std::string::String::from(#file_part) },
    };
    let limits = match (up.max_bytes, up.media_types.is_empty()) {
        (Some(m), false) => format!("at most {m} bytes, of type {}", up.media_types.join(", ")),
        (Some(m), true) => format!("at most {m} bytes"),
        (None, false) => format!("of type {}", up.media_types.join(", ")),
        (None, true) => "as documented".to_string(),
    };
    let doc = super::tokens::doc_attrs(&format!(
        "{}\n\n# Upload\n\nSent as `multipart/form-data`: the `{meta_part}` part holds the request as JSON (the signature covers exactly it) and the `{file_part}` part the file. The file must be {limits}: both are checked before anything is sent (a [`crate::Error::Validation`] at path `{file_part}`), and the client fills in the file's SHA-256.\n\n```no_run\n# async fn demo(client: wechatpay_marketing::Client) -> Result<(), Box<dyn std::error::Error>> {{\nuse wechatpay_marketing::{fam}::{req_name};\n\nlet bytes = std::fs::read(\"logo.png\")?;\nlet request = {builder};\nlet response = client.{fam}().{m}(&request, bytes).await?;\nprintln!(\"{{response:?}}\");\n# Ok(())\n# }}\n```",
        super::docs::operation_doc(op, family),
        fam = family.id,
        req_name = op.request_type,
        builder = super::example_code::request_builder(family, op),
        m = op.method_name,
    ));
    Some(quote! {
        impl<'a> #client_ty<'a> {
            #doc
            pub async fn #method(
                &self,
                request: &#req_ty,
                file: impl ::std::convert::Into<::std::vec::Vec<u8>>,
            ) -> ::std::result::Result<#resp_ty, crate::Error> {
                let bytes: ::std::vec::Vec<u8> = file.into();
                let content_type = crate::runtime::multipart::check_file(&bytes, #max, &[#(#types),*], #file_part)?;
                let mut request = ::std::clone::Clone::clone(request);
                #set_digest
                if self.client.validation_enabled() {
                    crate::Validate::validate_at(&request, self.client.clock()).map_err(crate::Error::Validation)?;
                }
                let body = ::serde_json::to_vec(&request)
                    .map_err(|e| crate::Error::Config(::std::format!("cannot encode request body: {e}")))?;
                let api_request = crate::runtime::operation::ApiRequest {
                    operation: &#meta,
                    path_and_query: request.path_and_query(),
                    body: ::std::option::Option::Some(body),
                    multipart: ::std::option::Option::Some(crate::runtime::operation::MultipartFile {
                        meta_part: #meta_part,
                        file_part: #file_part,
                        filename: #filename,
                        content_type: ::std::string::String::from(content_type),
                        bytes,
                    }),
                };
                self.client.execute(api_request).await
            }
        }
    })
}

/// `<op>_to`: calls an operation that returns a file link, then downloads the file into a
/// writer, checking its digest.
pub fn download_method(family: &Family, op: &Operation) -> TokenStream {
    let Some(d) = &op.download else {
        return quote! {};
    };
    let Some(resp) = op
        .response
        .type_name
        .as_deref()
        .and_then(|t| family.find_object(t))
    else {
        return quote! {};
    };
    let get = |wire: &str| -> Option<TokenStream> {
        let f = resp.fields.iter().find(|f| f.wire_name == wire)?;
        let id = ident(&f.rust_name);
        let text = match &f.schema.ty {
            Ty::Enum(_) => quote! { link.#id.as_str() },
            _ => quote! { link.#id.as_str() },
        };
        Some(if f.required {
            quote! { #text }
        } else {
            let missing = format!("the response carries no `{wire}`");
            quote! {
                match link.#id.as_ref() {
                    ::std::option::Option::Some(v) => v.as_str(),
                    ::std::option::Option::None => return ::std::result::Result::Err(crate::Error::Config(::std::string::String::from(#missing))),
                }
            }
        })
    };
    let (Some(url), Some(hash_type), Some(hash_value)) =
        (get(&d.url), get(&d.hash_type), get(&d.hash_value))
    else {
        return quote! {};
    };
    let req_ty = named_type(family, &op.request_type);
    let client_ty = named_type(family, &family.client_type);
    let method = ident(&op.method_name);
    let to = ident(&format!("{}_to", op.method_name));
    let expires = d
        .expires_seconds
        .map(|s| format!(" The link expires {s} seconds after it is issued, so the download starts right away."))
        .unwrap_or_default();
    let doc = super::tokens::doc_attrs(&format!(
        "Calls [`{client}::{m}`](crate::{fam}::{client}::{m}) and downloads the file it links into `out`, checking its `{hv}` ({ht}) while it streams; returns the number of bytes written.{expires} On a digest mismatch ([`crate::DownloadError::HashMismatch`]) what was written must be discarded.\n\n```no_run\n# async fn demo(client: wechatpay_marketing::Client, request: wechatpay_marketing::{fam}::{req}) -> Result<(), wechatpay_marketing::Error> {{\n// Any tokio AsyncWrite: a file, a socket, or memory as here.\nlet mut file: Vec<u8> = Vec::new();\nlet bytes = client.{fam}().{to}(&request, &mut file).await?;\nprintln!(\"{{bytes}} bytes\");\n# Ok(())\n# }}\n```",
        client = family.client_type,
        m = op.method_name,
        fam = family.id,
        req = op.request_type,
        hv = d.hash_value,
        ht = d.hash_type,
        to = to,
    ));
    quote! {
        impl<'a> #client_ty<'a> {
            #doc
            pub async fn #to(
                &self,
                request: &#req_ty,
                out: &mut (impl ::tokio::io::AsyncWrite + ::std::marker::Unpin),
            ) -> ::std::result::Result<u64, crate::Error> {
                let link = self.#method(request).await?;
                let url = #url;
                let hash_type = #hash_type;
                let hash_value = #hash_value;
                self.client.download_to(url, hash_type, hash_value, out).await
            }
        }
    }
}
