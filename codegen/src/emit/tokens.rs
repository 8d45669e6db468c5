//! Small token helpers shared by the Rust emitters: identifiers (raw where needed), doc
//! attributes, and the fully qualified Rust type of a schema.

use crate::ir::*;
use crate::naming;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// An identifier from naming output (`r#type` becomes a raw identifier).
pub fn ident(text: &str) -> Ident {
    let t = naming::ident_text(text);
    match t.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(&t, Span::call_site()),
    }
}

/// `#[doc = " line"]` attributes, one per line (rendered as `///` by prettyplease).
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            }
        })
        .collect();
    quote! { #( #[doc = #lines] )* }
}

/// Fully qualified path of a named type of `family`.
pub fn named_type(family: &Family, name: &str) -> TokenStream {
    let fam = ident(&family.id);
    let ty = ident(name);
    quote! { crate::#fam::#ty }
}

/// The Rust type of a schema (not wrapped in `Option`).
pub fn rust_type(family: &Family, schema: &Schema) -> TokenStream {
    match &schema.ty {
        // RFC 3339 fields keep their exact wire string in a typed `Timestamp`.
        Ty::String if schema.constraints.format == Some(Format::Rfc3339) => {
            quote! { crate::Timestamp }
        }
        Ty::String => quote! { ::std::string::String },
        Ty::Integer => quote! { i64 },
        Ty::Number => quote! { f64 },
        Ty::Boolean => quote! { bool },
        Ty::Object(n) | Ty::Enum(n) => named_type(family, n),
        Ty::Array(item) => {
            let inner = rust_type(family, item);
            quote! { ::std::vec::Vec<#inner> }
        }
    }
}

/// The field's declared type: `T` when required, `Option<T>` otherwise.
pub fn field_type(family: &Family, f: &Field) -> TokenStream {
    let t = rust_type(family, &f.schema);
    if f.required {
        t
    } else {
        quote! { ::std::option::Option<#t> }
    }
}
