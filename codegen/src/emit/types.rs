//! Emits Rust data types: open enums, request/response structs with serde attributes, and
//! fallible builders for every type reachable from a request.

use super::docs;
use super::tokens::{doc_attrs, field_type, ident, rust_type};
use crate::ir::*;
use crate::naming;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

pub fn type_def(family: &Family, t: &TypeDef) -> TokenStream {
    match t {
        TypeDef::Object(o) => object(family, o),
        TypeDef::Enum(e) => enumeration(e),
    }
}

fn object(family: &Family, o: &ObjectType) -> TokenStream {
    let name = ident(&o.name);
    let doc = doc_attrs(&docs::type_doc(&o.name, &o.doc, &o.rules));
    let fields = o.fields.iter().map(|f| {
        let fname = ident(&f.rust_name);
        let ty = field_type(family, f);
        let fdoc = doc_attrs(&docs::field_doc(f, family));
        let mut serde_args = Vec::new();
        if f.rust_name != f.wire_name && f.location == Location::Body {
            let wire = &f.wire_name;
            serde_args.push(quote! { rename = #wire });
        }
        if f.location != Location::Body {
            serde_args.push(quote! { skip });
        } else if !f.required {
            serde_args
                .push(quote! { default, skip_serializing_if = "::std::option::Option::is_none" });
        }
        // `check` accepts `also_string` on integer body fields only.
        if f.also_string {
            let with = if f.required {
                "crate::runtime::lenient::int_or_string"
            } else {
                "crate::runtime::lenient::opt_int_or_string"
            };
            serde_args.push(quote! { deserialize_with = #with });
        }
        let serde_attr = if serde_args.is_empty() {
            quote! {}
        } else {
            quote! { #[serde( #(#serde_args),* )] }
        };
        quote! { #fdoc #serde_attr pub #fname: #ty, }
    });
    let builder = if o.in_request {
        builder(family, o)
    } else {
        quote! {}
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
        #builder
    }
}

fn builder(family: &Family, o: &ObjectType) -> TokenStream {
    let name = ident(&o.name);
    let bname = format_ident!("{}Builder", o.name);
    let type_name = &o.name;
    let slots = o.fields.iter().map(|f| {
        let fname = ident(&f.rust_name);
        let t = rust_type(family, &f.schema);
        quote! { #fname: ::std::option::Option<#t>, }
    });
    let setters = o.fields.iter().map(|f| {
        let fname = ident(&f.rust_name);
        let setter = ident(&naming::setter_name(&f.rust_name));
        let sdoc = format!(
            " Sets `{}`{}{}.",
            f.wire_name,
            f.doc.gloss.as_ref().map(|g| format!(": {}", docs::md(g))).unwrap_or_default(),
            f.doc.title.as_ref().map(|t| format!(" (【{}】)", docs::md(t))).unwrap_or_default()
        );
        match &f.schema.ty {
            Ty::Array(item) => {
                let it = rust_type(family, item);
                quote! {
                    #[doc = #sdoc]
                    pub fn #setter<I, V>(mut self, values: I) -> Self
                    where
                        I: ::std::iter::IntoIterator<Item = V>,
                        V: ::std::convert::Into<#it>,
                    {
                        self.#fname = ::std::option::Option::Some(values.into_iter().map(::std::convert::Into::into).collect());
                        self
                    }
                }
            }
            Ty::Object(_) | Ty::Boolean | Ty::Number => {
                let t = rust_type(family, &f.schema);
                quote! {
                    #[doc = #sdoc]
                    pub fn #setter(mut self, value: #t) -> Self {
                        self.#fname = ::std::option::Option::Some(value);
                        self
                    }
                }
            }
            _ => {
                let t = rust_type(family, &f.schema);
                quote! {
                    #[doc = #sdoc]
                    pub fn #setter(mut self, value: impl ::std::convert::Into<#t>) -> Self {
                        self.#fname = ::std::option::Option::Some(value.into());
                        self
                    }
                }
            }
        }
    });
    // One match on the required slots: every field moves straight into the value, and only
    // the failure arm lists what is missing (no closure or `?` per field).
    let required: Vec<&Field> = o.fields.iter().filter(|f| f.required).collect();
    let req_names: Vec<Ident> = required.iter().map(|f| ident(&f.rust_name)).collect();
    let req_wires: Vec<&String> = required.iter().map(|f| &f.wire_name).collect();
    let inits = o.fields.iter().map(|f| {
        let fname = ident(&f.rust_name);
        if f.required {
            quote! { #fname, }
        } else {
            quote! { #fname: self.#fname, }
        }
    });
    let build_body = if required.is_empty() {
        quote! { ::std::result::Result::Ok(#name { #(#inits)* }) }
    } else {
        quote! {
            match (#(self.#req_names,)*) {
                (#(::std::option::Option::Some(#req_names),)*) => ::std::result::Result::Ok(#name { #(#inits)* }),
                (#(#req_names,)*) => {
                    let mut missing: ::std::vec::Vec<&'static str> = ::std::vec::Vec::new();
                    #( if #req_names.is_none() { missing.push(#req_wires); } )*
                    ::std::result::Result::Err(crate::BuildError::new(#type_name, missing))
                }
            }
        }
    };
    let bdoc = format!(
        " Builder for [`{}`]; [`{}Builder::build`] reports every missing required field.",
        o.name, o.name
    );
    let start_doc = format!(" Starts a builder for [`{}`].", o.name);
    quote! {
        impl #name {
            #[doc = #start_doc]
            pub fn builder() -> #bname {
                #bname::default()
            }
        }
        #[doc = #bdoc]
        #[derive(Debug, Clone, Default)]
        #[must_use]
        pub struct #bname {
            #(#slots)*
        }
        impl #bname {
            #(#setters)*
            /// Builds the value; fails with every missing required field.
            pub fn build(self) -> ::std::result::Result<#name, crate::BuildError> {
                #build_body
            }
        }
    }
}

pub(super) fn enumeration(e: &EnumType) -> TokenStream {
    let name = ident(&e.name);
    let doc = doc_attrs(&format!(
        "{}\n\nOpen enum: a value this version does not know deserializes to `Unknown` instead of failing;\nan `Unknown` value in a request is rejected by validation.",
        docs::type_doc(&e.name, &e.doc, &[])
    ));
    let variants = e.values.iter().map(|v| {
        let vname = ident(&v.rust_name);
        let mut d = format!("`{}`", v.wire);
        match (&v.doc.gloss, &v.doc.description) {
            (Some(g), Some(desc)) => d.push_str(&format!(": {} ({})", docs::md(g), docs::md(desc))),
            (Some(g), None) => d.push_str(&format!(": {}", docs::md(g))),
            (None, Some(desc)) => d.push_str(&format!(": {}", docs::md(desc))),
            (None, None) => {}
        }
        let vdoc = doc_attrs(&d);
        quote! { #vdoc #vname, }
    });
    let as_str = e.values.iter().map(|v| {
        let vname = ident(&v.rust_name);
        let wire = &v.wire;
        quote! { Self::#vname => #wire, }
    });
    let from_str = e.values.iter().map(|v| {
        let vname = ident(&v.rust_name);
        let wire = &v.wire;
        quote! { #wire => Self::#vname, }
    });
    let known = e.values.iter().map(|v| {
        let vname = ident(&v.rust_name);
        quote! { Self::#vname }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value not documented when this crate was generated (kept verbatim).
            Unknown(::std::string::String),
        }
        impl #name {
            /// Every documented value, in page order.
            pub const KNOWN: &'static [#name] = &[#(#known),*];

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Whether this value was not documented when the crate was generated.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::Unknown(::std::string::ToString::to_string(other)),
                }
            }
        }
        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::Unknown(_) => Self::Unknown(value),
                    known => known,
                }
            }
        }
        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(value))
            }
        }
    }
}
