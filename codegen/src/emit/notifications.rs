//! Emits a family's `notifications.rs`: the event-type constant and a typed parse method per
//! documented callback notification (verification and decryption live in the runtime).

use super::docs;
use super::tokens::{doc_attrs, ident, named_type};
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn notifications_file(family: &Family) -> TokenStream {
    let client = ident(&family.client_type);
    let fam_mod = ident(&family.id);
    let items = family.notifications.iter().map(|n| {
        let konst = format_ident!("{}_EVENT_TYPE", n.id.to_uppercase());
        let event = &n.event_type;
        let kdoc = format!(" `event_type` of the {} notification.", n.title);
        let method = format_ident!("parse_{}_notification", n.id);
        let mut d = format!("{} — {}\n\n", docs::md(&n.title), docs::md(&n.summary));
        if let Some(desc) = &n.description {
            d.push_str(&format!("{}\n\n", docs::md(desc)));
        }
        d.push_str(&format!("Event type `{}`.\n\n", n.event_type));
        d.push_str(&docs::source_line(&n.source));
        d.push_str("\nVerifies the `Wechatpay-Signature` of the raw body (fail closed, 5-minute window), then\ndecrypts `resource` (AEAD_AES_256_GCM) with the APIv3 key and parses the payload. Answer the\ncallback only after this returns `Ok`.");
        if let Some(note) = &n.note {
            d.push_str(&format!("\n\nNote: {}", docs::md(note)));
        }
        let mdoc = doc_attrs(&d);
        let method_tokens = match &n.payload {
            Some(p) => {
                let p = named_type(family, p);
                quote! {
                    impl<'a> crate::api::#fam_mod::#client<'a> {
                        #mdoc
                        pub fn #method<H>(
                            &self,
                            api_v3_key: &crate::ApiV3Key,
                            headers: &H,
                            body: &[u8],
                        ) -> ::std::result::Result<crate::Notification<#p>, crate::Error>
                        where
                            H: crate::HeaderLookup + ?::std::marker::Sized,
                        {
                            self.client.parse_notification(api_v3_key, headers, body)
                        }
                    }
                }
            }
            None => quote! {},
        };
        quote! {
            #[doc = #kdoc]
            pub const #konst: &str = #event;
            #method_tokens
        }
    });
    quote! { #(#items)* }
}
