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
            let set = if tok.required {
                quote! { self.#tid = ::std::convert::From::from(value); }
            } else {
                quote! { self.#tid = ::std::option::Option::Some(::std::convert::From::from(value)); }
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
            fn send_page<'c>(
                &'c self,
                client: &'c crate::Client,
            ) -> impl ::std::future::Future<Output = ::std::result::Result<Self::Response, crate::Error>> + ::std::marker::Send + 'c {
                async move { #client_ty::new(client).#method(self).await }
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
