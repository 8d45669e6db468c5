//! Emits the notification registry: per family, `notifications.rs` (event-type constant,
//! `NotificationKind` static and a typed parser that refuses other event types); for the
//! crate, `src/events.rs` (the `Event` enum over every documented event type and its router).

use super::docs;
use super::tokens::{doc_attrs, ident, named_type};
use crate::ir::*;
use crate::naming;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeMap;

fn kind_static(n: &Notification) -> proc_macro2::Ident {
    format_ident!("{}_NOTIFICATION", n.id.to_uppercase())
}

fn opt_str(v: &Option<String>) -> TokenStream {
    match v {
        Some(s) => quote! { ::std::option::Option::Some(#s) },
        None => quote! { ::std::option::Option::None },
    }
}

fn payload_type(family: &Family, n: &Notification) -> TokenStream {
    match &n.payload {
        Some(p) => named_type(family, p),
        None => quote! { ::serde_json::Value },
    }
}

pub fn notifications_file(family: &Family) -> TokenStream {
    let client = ident(&family.client_type);
    let fam_mod = ident(&family.id);
    let items = family.notifications.iter().map(|n| {
        let konst = format_ident!("{}_EVENT_TYPE", n.id.to_uppercase());
        let kind = kind_static(n);
        let event = &n.event_type;
        let kdoc = format!(" `event_type` of the {} notification.", n.title);
        let kind_doc = format!(
            " Registry entry of the {} notification: event type `{}`{}{}.",
            n.title,
            n.event_type,
            n.original_type
                .as_ref()
                .map(|o| format!(", resource `original_type` `{o}`"))
                .unwrap_or_default(),
            n.associated_data
                .as_ref()
                .map(|a| format!(", `associated_data` `{a}`"))
                .unwrap_or_default(),
        );
        let kind_id = format!("{}.{}", family.id, n.id);
        let original = opt_str(&n.original_type);
        let aad = opt_str(&n.associated_data);
        let method = format_ident!("parse_{}_notification", n.id);
        let mut d = format!("{} — {}\n\n", docs::md(&n.title), docs::md(&n.summary));
        if let Some(desc) = &n.description {
            d.push_str(&format!("{}\n\n", docs::md(desc)));
        }
        d.push_str(&format!("Event type `{}`.\n\n", n.event_type));
        d.push_str(&docs::source_line(&n.source));
        d.push_str("\nVerifies the `Wechatpay-Signature` of the raw body (fail closed, 5-minute window), refuses\nanother event type or resource type (`Error::Notification`), then decrypts `resource`\n(AEAD_AES_256_GCM) with the APIv3 key and parses the payload. Answer the callback only after\nthis returns `Ok`. For a callback URL shared by several event types, use\n[`Client::notification_handler`](crate::Client::notification_handler) or\n[`Client::parse_event`](crate::Client::parse_event).");
        if let Some(note) = &n.user_note {
            d.push_str(&format!("\n\nNote: {}", docs::md(note)));
        }
        let mdoc = doc_attrs(&d);
        let p = payload_type(family, n);
        quote! {
            #[doc = #kdoc]
            pub const #konst: &str = #event;
            #[doc = #kind_doc]
            pub static #kind: crate::NotificationKind = crate::NotificationKind {
                id: #kind_id,
                event_type: #event,
                original_type: #original,
                associated_data: #aad,
            };
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
                    self.client.parse_notification_kind(&#kind, api_v3_key, headers, body)
                }
            }
        }
    });
    quote! { #(#items)* }
}

/// `src/events.rs`: the `Event` enum over every notification of every family (each variant
/// behind its family's feature) and the router from `event_type` to typed payload.
pub fn events_file(api: &Api) -> TokenStream {
    struct Entry<'a> {
        family: &'a Family,
        n: &'a Notification,
        variant: proc_macro2::Ident,
    }
    let mut entries = Vec::new();
    for family in &api.families {
        for n in &family.notifications {
            // `<family>_<id>`, without repeating the family (`product_coupon_send`).
            let name = if n.id.starts_with(&format!("{}_", family.id)) {
                n.id.clone()
            } else {
                format!("{}_{}", family.id, n.id)
            };
            let variant = ident(&naming::type_name(&name));
            entries.push(Entry { family, n, variant });
        }
    }
    let cfg = |f: &Family| {
        let feature = &f.feature;
        quote! { #[cfg(feature = #feature)] }
    };
    let variants = entries.iter().map(|e| {
        let c = cfg(e.family);
        let v = &e.variant;
        let p = payload_type(e.family, e.n);
        let doc = format!(
            " {} ({}): event type `{}`.",
            docs::md(&e.n.title),
            e.family.id,
            e.n.event_type
        );
        quote! {
            #c
            #[doc = #doc]
            #v(crate::Notification<#p>),
        }
    });
    let envelope_arms = entries.iter().map(|e| {
        let c = cfg(e.family);
        let v = &e.variant;
        quote! { #c Event::#v(n) => &n.envelope, }
    });
    let kind_arms = entries.iter().map(|e| {
        let c = cfg(e.family);
        let v = &e.variant;
        let fam = ident(&e.family.id);
        let k = kind_static(e.n);
        quote! { #c Event::#v(_) => ::std::option::Option::Some(&crate::api::#fam::#k), }
    });
    let kinds_push = entries.iter().map(|e| {
        let c = cfg(e.family);
        let fam = ident(&e.family.id);
        let k = kind_static(e.n);
        quote! { #c kinds.push(&crate::api::#fam::#k); }
    });
    // Route by event type; several notifications with one event type are told apart by
    // their resource types, and the first one reports a mismatch.
    let mut by_type: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in &entries {
        by_type.entry(e.n.event_type.as_str()).or_default().push(e);
    }
    let route_arms = by_type.iter().flat_map(|(event_type, group)| {
        let open = |e: &Entry| {
            let fam = ident(&e.family.id);
            let k = kind_static(e.n);
            let v = &e.variant;
            quote! { crate::runtime::notification::open(&crate::api::#fam::#k, envelope, api_v3_key).map(Event::#v) }
        };
        let mut arms = Vec::new();
        if group.len() > 1 {
            for e in group {
                let c = cfg(e.family);
                let fam = ident(&e.family.id);
                let k = kind_static(e.n);
                let body = open(e);
                arms.push(quote! { #c #event_type if crate::api::#fam::#k.matches(&envelope) => #body, });
            }
        }
        for e in group {
            let c = cfg(e.family);
            let body = open(e);
            arms.push(quote! { #c #event_type => #body, });
        }
        arms
    });
    let event_types: Vec<&str> = by_type.keys().copied().collect();
    let types_doc = if event_types.is_empty() {
        " No event types are documented yet.".to_string()
    } else {
        format!(
            " Documented event types: {}.",
            event_types
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    quote! {
        /// A verified, decrypted callback notification, routed by its `event_type` to the typed
        /// payload of its documented notification. Variants exist for the families enabled by
        /// cargo features; an event type this version does not document (or whose family is
        /// disabled) is [`Event::Unknown`], with its decrypted JSON.
        ///
        #[doc = #types_doc]
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant)]
        pub enum Event {
            #(#variants)*
            /// An event type this version of the crate does not document, with its decrypted JSON.
            Unknown(crate::Notification<::serde_json::Value>),
        }

        impl Event {
            /// The notification envelope (id, create time, event type, encrypted resource).
            pub fn envelope(&self) -> &crate::NotificationEnvelope {
                match self {
                    #(#envelope_arms)*
                    Event::Unknown(n) => &n.envelope,
                }
            }

            /// The notification id: the same for every re-delivery, so de-duplicate on it.
            pub fn id(&self) -> &str {
                &self.envelope().id
            }

            /// The event type, e.g. `COUPON.SEND`.
            pub fn event_type(&self) -> &str {
                &self.envelope().event_type
            }

            /// The registry entry of this event's notification (`None` for [`Event::Unknown`]).
            pub fn kind(&self) -> ::std::option::Option<&'static crate::NotificationKind> {
                match self {
                    #(#kind_arms)*
                    Event::Unknown(_) => ::std::option::Option::None,
                }
            }

            /// Every documented notification of the enabled families.
            #[allow(clippy::vec_init_then_push)]
            pub fn kinds() -> ::std::vec::Vec<&'static crate::NotificationKind> {
                #[allow(unused_mut)]
                let mut kinds: ::std::vec::Vec<&'static crate::NotificationKind> = ::std::vec::Vec::new();
                #(#kinds_push)*
                kinds
            }

            /// Opens a verified envelope: routes by event type, checks the resource type,
            /// decrypts and decodes.
            #[doc(hidden)]
            pub fn open(
                envelope: crate::NotificationEnvelope,
                api_v3_key: &crate::ApiV3Key,
            ) -> ::std::result::Result<Event, crate::NotificationError> {
                match envelope.event_type.as_str() {
                    #(#route_arms)*
                    _ => crate::runtime::notification::open_any(envelope, api_v3_key).map(Event::Unknown),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(id: &str, event_type: &str, original_type: Option<&str>) -> Notification {
        Notification {
            id: id.into(),
            title: "通知".into(),
            summary: "s".into(),
            description: None,
            event_type: event_type.into(),
            original_type: original_type.map(Into::into),
            associated_data: None,
            source: Source::default(),
            complete: Completeness::default(),
            envelope: None,
            payload: Some("Payload".into()),
            examples: Vec::new(),
            note: None,
            user_note: None,
        }
    }

    fn family(id: &str, feature: &str, notifications: Vec<Notification>) -> Family {
        Family {
            id: id.into(),
            feature: feature.into(),
            client_type: "FamClient".into(),
            title: "t".into(),
            summary: "s".into(),
            types: Vec::new(),
            operations: Vec::new(),
            notifications,
        }
    }

    /// Any number of notifications, including one event type in two families told apart by
    /// `original_type`: the router is valid Rust, guards the shared type, and falls back to
    /// `Unknown`.
    #[test]
    fn router_handles_shared_event_types() {
        let api = Api {
            families: vec![
                family(
                    "favor",
                    "favor",
                    vec![notification("coupon_use", "COUPON.USE", Some("coupon"))],
                ),
                family(
                    "busifavor",
                    "busifavor",
                    vec![
                        notification("coupon_send", "COUPON.SEND", None),
                        notification("coupon_use", "COUPON.USE", Some("busicoupon")),
                    ],
                ),
                family(
                    "product_coupon",
                    "product-coupon",
                    vec![notification(
                        "image_generation",
                        "PRODUCT_COUPON_SP.IMAGE_GENERATION",
                        None,
                    )],
                ),
            ],
        };
        let tokens = events_file(&api);
        let file: syn::File = syn::parse2(tokens).expect("valid Rust");
        let text = prettyplease::unparse(&file);
        let flat: String = text.split_whitespace().collect();
        for variant in [
            "FavorCouponUse(",
            "BusifavorCouponSend(",
            "BusifavorCouponUse(",
            "ProductCouponImageGeneration(",
        ] {
            assert!(text.contains(variant), "{variant} missing:\n{text}");
        }
        for fam in ["favor", "busifavor"] {
            let guard = format!(
                "\"COUPON.USE\"ifcrate::api::{fam}::COUPON_USE_NOTIFICATION.matches(&envelope)"
            );
            assert!(flat.contains(&guard), "{guard} missing:\n{text}");
        }
        assert!(text.contains("#[cfg(feature = \"product-coupon\")]"));
        assert!(text.contains("Documented event types: `COUPON.SEND`, `COUPON.USE`, `PRODUCT_COUPON_SP.IMAGE_GENERATION`."));
        let notifications = notifications_file(&api.families[1]);
        syn::parse2::<syn::File>(notifications).expect("valid Rust");
    }
}
