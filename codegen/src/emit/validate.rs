//! Emits `impl Validate` for every type reachable from a request: plain generated code that
//! checks each documented constraint and rule and reports all violations with field paths.

use super::docs;
use super::tokens::{ident, named_type};
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

fn vpath() -> TokenStream {
    quote! { crate::runtime::validation }
}

pub fn validate_impl(family: &Family, o: &ObjectType) -> TokenStream {
    let name = ident(&o.name);
    let vp = vpath();
    // Each rule is checked right after the field it reports on, so violations come in the
    // documented field order (a nested field's rule follows its top-level object's checks).
    let mut fields: Vec<TokenStream> = Vec::new();
    for f in &o.fields {
        fields.push(field_checks(family, f));
        for r in o
            .rules
            .iter()
            .filter(|r| anchor(&r.kind) == Some(f.wire_name.as_str()))
        {
            fields.push(rule_check(family, o, r));
        }
    }
    let rules: Vec<TokenStream> = o
        .rules
        .iter()
        .filter(|r| {
            !o.fields
                .iter()
                .any(|f| anchor(&r.kind) == Some(f.wire_name.as_str()))
        })
        .map(|r| rule_check(family, o, r))
        .collect();
    let body_empty = fields.iter().all(|t| t.is_empty()) && rules.is_empty();
    let param = if body_empty {
        quote! { _v }
    } else {
        quote! { v }
    };
    quote! {
        impl crate::Validate for #name {
            fn validate_into(&self, #param: &mut #vp::Validator) {
                #(#fields)*
                #(#rules)*
            }
        }
    }
}

/// The top-level field a rule's violation is reported under.
fn anchor(rule: &RuleKind) -> Option<&str> {
    fn first(p: &FieldPath) -> Option<&str> {
        p.first().map(String::as_str)
    }
    match rule {
        RuleKind::RequiredWhen { field, .. } | RuleKind::ForbiddenUnless { field, .. } => {
            first(field)
        }
        RuleKind::ExactlyOneOf { fields } | RuleKind::AtMostOneOf { fields } => {
            fields.last().and_then(first)
        }
        RuleKind::AllOrNone { fields } => fields.last().and_then(first),
        RuleKind::NotBeforeNow { field } | RuleKind::MaxDaysAhead { field, .. } => first(field),
        RuleKind::MaxSpanDays { to, .. } => first(to),
    }
}

fn title(f: &Field) -> String {
    f.doc.title.clone().unwrap_or_default()
}

fn field_checks(family: &Family, f: &Field) -> TokenStream {
    let fname = ident(&f.rust_name);
    let wire = &f.wire_name;
    let t = title(f);
    let checks = schema_checks(family, &f.schema, &t);
    let vp = vpath();
    // `String` or `Timestamp` (RFC 3339): the latter is read through `as_str`.
    let (text_of_field, text_of_value) = if f.schema.constraints.format == Some(Format::Rfc3339) {
        (quote! { self.#fname.as_str() }, quote! { value.as_str() })
    } else {
        (quote! { self.#fname }, quote! { value })
    };
    if f.required {
        let empty_check = matches!(f.schema.ty, Ty::String);
        if empty_check && checks.is_empty() {
            quote! {
                v.enter(#wire);
                v.check_not_empty(#t, &#text_of_field);
                v.leave();
            }
        } else if empty_check {
            quote! {
                v.enter(#wire);
                let value = &self.#fname;
                if v.check_not_empty(#t, #text_of_value) {
                    #checks
                }
                v.leave();
            }
        } else if checks.is_empty() {
            quote! {}
        } else {
            quote! {
                v.enter(#wire);
                let value = &self.#fname;
                #checks
                v.leave();
            }
        }
    } else if f.not_open {
        quote! {
            if self.#fname.is_some() {
                v.enter(#wire);
                v.report(#t, #vp::Rule::NotOpen, "not open yet upstream (暂未开放); leave it unset");
                v.leave();
            }
        }
    } else if checks.is_empty() {
        quote! {}
    } else {
        quote! {
            if let ::std::option::Option::Some(value) = &self.#fname {
                v.enter(#wire);
                #checks
                v.leave();
            }
        }
    }
}

/// Checks on `value: &T` for a schema; empty when nothing is constrained. Each check is one
/// call into the runtime's validation vocabulary, which owns the message text.
fn schema_checks(family: &Family, s: &Schema, title: &str) -> TokenStream {
    let vp = vpath();
    let c = &s.constraints;
    match &s.ty {
        Ty::String => {
            let mut out = Vec::new();
            if c.max_len.is_some() || c.min_len.is_some() {
                let (len, unit) = match c.unit() {
                    LenUnit::Chars => (quote! { #vp::char_len(value) }, "characters"),
                    LenUnit::Bytes => (quote! { value.len() }, "bytes"),
                };
                let mut inner = Vec::new();
                if let Some(max) = c.max_len {
                    let max = max as usize;
                    inner.push(quote! { v.check_max_len(#title, len, #max, #unit); });
                }
                if let Some(min) = c.min_len {
                    let min = min as usize;
                    inner.push(quote! { v.check_min_len(#title, len, #min, #unit); });
                }
                out.push(quote! { let len = #len; #(#inner)* });
            }
            if let Some(cs) = &c.charset {
                let classes = cs.iter().map(|class| match class {
                    CharClass::Digits => quote! { #vp::CharClass::Digits },
                    CharClass::Letters => quote! { #vp::CharClass::Letters },
                    CharClass::Upper => quote! { #vp::CharClass::Upper },
                    CharClass::Lower => quote! { #vp::CharClass::Lower },
                    CharClass::Han => quote! { #vp::CharClass::Han },
                    CharClass::Literal(ch) => quote! { #vp::CharClass::Literal(#ch) },
                });
                let allowed = docs::charset_text(cs).replace('`', "");
                out.push(quote! {
                    v.check_charset(#title, value, &[#(#classes),*], #allowed);
                });
            }
            if let Some(fc) = &c.forbidden_chars {
                let list: Vec<String> = fc.chars().map(|ch| ch.to_string()).collect();
                let list = list.join(" ");
                out.push(quote! {
                    v.check_forbidden_chars(#title, value, #fc, #list);
                });
            }
            if let Some(max) = c.max_han {
                let max = max as usize;
                out.push(quote! { v.check_max_han(#title, value, #max); });
            }
            if let Some(schemes) = &c.schemes {
                let described = schemes.join(" or ");
                out.push(quote! {
                    v.check_url(#title, value, &[#(#schemes),*], #described);
                });
            }
            if c.format == Some(Format::Rfc3339) {
                out.push(quote! { v.check_rfc3339(#title, value); });
            }
            if out.is_empty() {
                quote! {}
            } else {
                // `String` or `Timestamp` (RFC 3339 fields): both are checked as text.
                quote! {
                    let value: &str = ::std::convert::AsRef::<str>::as_ref(value);
                    #(#out)*
                }
            }
        }
        Ty::Integer | Ty::Number => {
            let number = matches!(s.ty, Ty::Number);
            let mut out = Vec::new();
            if let Some(min) = c.min {
                out.push(if number {
                    quote! { v.check_min_num(#title, *value, #min); }
                } else {
                    quote! { v.check_min_int(#title, *value, #min); }
                });
            }
            if let Some(max) = c.max {
                out.push(if number {
                    quote! { v.check_max_num(#title, *value, #max); }
                } else {
                    quote! { v.check_max_int(#title, *value, #max); }
                });
            }
            quote! { #(#out)* }
        }
        Ty::Boolean => quote! {},
        Ty::Enum(name) => {
            let ty = named_type(family, name);
            let known: Vec<String> = family
                .find_enum(name)
                .map(|e| e.values.iter().map(|v| v.wire.clone()).collect())
                .unwrap_or_default();
            let known = known.join(", ");
            quote! {
                v.check_enum(#title, match value {
                    #ty::Unknown(value) => ::std::option::Option::Some(value.as_str()),
                    _ => ::std::option::Option::None,
                }, #known);
            }
        }
        Ty::Object(_) => quote! { crate::Validate::validate_into(value, v); },
        Ty::Array(item) => {
            let mut out = Vec::new();
            if let Some(max) = c.max_items {
                let max = max as usize;
                out.push(quote! { v.check_max_items(#title, value.len(), #max); });
            }
            if let Some(min) = c.min_items {
                let min = min as usize;
                out.push(quote! { v.check_min_items(#title, value.len(), #min); });
            }
            let inner = schema_checks(family, item, title);
            if !inner.is_empty() {
                out.push(quote! {
                    for (i, value) in value.iter().enumerate() {
                        v.enter_index(i);
                        #inner
                        v.leave();
                    }
                });
            }
            quote! { #(#out)* }
        }
    }
}

/// An `Option<&T>` expression reaching `path` from `self`, and the final field.
fn access<'a>(
    family: &'a Family,
    o: &'a ObjectType,
    path: &[String],
) -> Option<(TokenStream, &'a Field)> {
    let mut cur = o;
    let mut expr = quote! { ::std::option::Option::Some(self) };
    let mut last = None;
    for (i, seg) in path.iter().enumerate() {
        let f = cur.fields.iter().find(|f| f.wire_name == *seg)?;
        let fname = ident(&f.rust_name);
        expr = if f.required {
            quote! { #expr.map(|x| &x.#fname) }
        } else {
            quote! { #expr.and_then(|x| x.#fname.as_ref()) }
        };
        last = Some(f);
        if i + 1 < path.len() {
            match &f.schema.ty {
                Ty::Object(n) => cur = family.find_object(n)?,
                _ => return None,
            }
        }
    }
    Some((expr, last?))
}

/// Reports at a (possibly nested) path below the current object.
fn report_at(path: &[String], report: TokenStream) -> TokenStream {
    let leaves = path.iter().map(|_| quote! { v.leave(); });
    quote! { #(v.enter(#path);)* #report #(#leaves)* }
}

fn present(expr: &TokenStream, f: &Field) -> TokenStream {
    match f.schema.ty {
        // A `Timestamp` (RFC 3339) is empty when its text is.
        Ty::String if f.schema.constraints.format == Some(Format::Rfc3339) => {
            quote! { #expr.is_some_and(|x| !x.as_str().is_empty()) }
        }
        Ty::String => quote! { #expr.is_some_and(|x| !x.is_empty()) },
        Ty::Array(_) => quote! { #expr.is_some_and(|x| !x.is_empty()) },
        _ => quote! { #expr.is_some() },
    }
}

fn rule_check(family: &Family, o: &ObjectType, r: &Rule) -> TokenStream {
    let vp = vpath();
    match &r.kind {
        RuleKind::RequiredWhen { field, when, cond }
        | RuleKind::ForbiddenUnless { field, when, cond } => {
            let (Some((texpr, tf)), Some((wexpr, wf))) =
                (access(family, o, field), access(family, o, when))
            else {
                return quote! {};
            };
            let is_present = present(&texpr, tf);
            let t = title(tf);
            let when_text = format!(
                "{} {}",
                docs::path_text(when),
                docs::cond_text(cond, |s| s.to_string())
            );
            let required = matches!(r.kind, RuleKind::RequiredWhen { .. });
            let (test, msg) = if required {
                (
                    quote! { matched && !present },
                    format!("required when {when_text}"),
                )
            } else {
                (
                    quote! { !matched && present },
                    format!("only allowed when {when_text}"),
                )
            };
            let report = report_at(
                field,
                quote! { v.report(#t, #vp::Rule::Conditional, #msg); },
            );
            let matched = match cond {
                Condition::Equals(vals) => quote! {
                    #wexpr.map(::std::string::ToString::to_string)
                        .is_some_and(|w| [#(#vals),*].contains(&w.as_str()))
                },
                Condition::GreaterThan(n) => {
                    if matches!(wf.schema.ty, Ty::Number) {
                        let n = *n as f64;
                        quote! { #wexpr.is_some_and(|w| *w > #n) }
                    } else {
                        quote! { #wexpr.is_some_and(|w| *w > #n) }
                    }
                }
                Condition::Contains(vals) => quote! {
                    #wexpr.is_some_and(|w| w.iter().any(|x| [#(#vals),*].contains(&::std::string::ToString::to_string(x).as_str())))
                },
            };
            quote! {
                {
                    let matched = #matched;
                    let present = #is_present;
                    if #test {
                        #report
                    }
                }
            }
        }
        RuleKind::AllOrNone { fields } => {
            // Reported at the first field left unset when another one is set.
            let mut checks = Vec::new();
            let mut reports = Vec::new();
            for (i, p) in fields.iter().enumerate() {
                let Some((expr, f)) = access(family, o, p) else {
                    return quote! {};
                };
                let pr = present(&expr, f);
                checks.push(quote! { #pr });
                let t = title(f);
                let report = report_at(
                    p,
                    quote! { v.report(#t, #vp::Rule::Conditional, message.clone()); },
                );
                reports.push(quote! { #i => { #report } });
            }
            let names: Vec<String> = fields.iter().map(|p| docs::path_text(p)).collect();
            let head = format!("{} must be set together or not at all", names.join(", "));
            quote! {
                {
                    let set = [#(#checks),*];
                    let n = set.iter().filter(|b| **b).count();
                    if n != 0 && n != set.len() {
                        let found: ::std::vec::Vec<&str> = [#(#names),*].iter().zip(set.iter()).filter(|(_, b)| **b).map(|(n, _)| *n).collect();
                        let message = ::std::format!("{}, found only {}", #head, found.join(", "));
                        match set.iter().position(|b| !*b).unwrap_or(0) {
                            #(#reports)*
                            _ => {}
                        }
                    }
                }
            }
        }
        RuleKind::ExactlyOneOf { fields } | RuleKind::AtMostOneOf { fields } => {
            // Reported at the second field that is set (one too many), or at the first listed
            // field when none is set, so the violation always has a field path and title.
            let mut checks = Vec::new();
            let mut reports = Vec::new();
            for (i, p) in fields.iter().enumerate() {
                let Some((expr, f)) = access(family, o, p) else {
                    return quote! {};
                };
                let pr = present(&expr, f);
                let name = docs::path_text(p);
                checks.push(quote! { if #pr { set.push(#name); } });
                let t = title(f);
                let report = report_at(
                    p,
                    quote! { v.report(#t, #vp::Rule::Conditional, message.clone()); },
                );
                reports.push(quote! { #i => { #report } });
            }
            let names: Vec<String> = fields.iter().map(|p| docs::path_text(p)).collect();
            let exactly = matches!(r.kind, RuleKind::ExactlyOneOf { .. });
            let (cond, head) = if exactly {
                (
                    quote! { set.len() != 1 },
                    format!("exactly one of {} must be set", names.join(", ")),
                )
            } else {
                (
                    quote! { set.len() > 1 },
                    format!("at most one of {} may be set", names.join(", ")),
                )
            };
            let all_names = &names;
            let first = names.first().cloned().unwrap_or_default();
            quote! {
                {
                    let mut set: ::std::vec::Vec<&str> = ::std::vec::Vec::new();
                    #(#checks)*
                    if #cond {
                        let found = if set.is_empty() { ::std::string::String::from("none") } else { set.join(", ") };
                        let message = ::std::format!("{}, found {}", #head, found);
                        let at = set.get(1).copied().unwrap_or(#first);
                        let index = [#(#all_names),*].iter().position(|n| *n == at).unwrap_or(0);
                        match index {
                            #(#reports)*
                            _ => {}
                        }
                    }
                }
            }
        }
        RuleKind::NotBeforeNow { field } => {
            let Some((expr, f)) = access(family, o, field) else {
                return quote! {};
            };
            let t = title(f);
            let report = report_at(
                field,
                quote! {
                    v.report(#t, #vp::Rule::TimeWindow, ::std::format!("{} is before the current time", raw));
                },
            );
            quote! {
                if let ::std::option::Option::Some((raw, at)) = #expr.and_then(|x| #vp::rfc3339_nanos(x.as_str()).map(|t| (x, t))) {
                    if at < i128::from(v.now_unix()) * 1_000_000_000 {
                        #report
                    }
                }
            }
        }
        RuleKind::MaxDaysAhead { field, days } => {
            let Some((expr, f)) = access(family, o, field) else {
                return quote! {};
            };
            let t = title(f);
            let limit = i128::from(*days) * 86_400 * 1_000_000_000;
            let msg = format!("{{}} days from now, at most {days}");
            let report = report_at(
                field,
                quote! {
                    v.report(#t, #vp::Rule::TimeWindow, ::std::format!(#msg, ahead_days));
                },
            );
            quote! {
                if let ::std::option::Option::Some(at) = #expr.and_then(|x| #vp::rfc3339_nanos(x.as_str())) {
                    let ahead = at - i128::from(v.now_unix()) * 1_000_000_000;
                    if ahead > #limit {
                        let ahead_days = #vp::days_ceil(ahead);
                        #report
                    }
                }
            }
        }
        RuleKind::MaxSpanDays { from, to, days } => {
            let (Some((fexpr, _)), Some((texpr, tf))) =
                (access(family, o, from), access(family, o, to))
            else {
                return quote! {};
            };
            let t = title(tf);
            let limit = i128::from(*days) * 86_400 * 1_000_000_000;
            let from_text = docs::path_text(from);
            let msg = format!("{{}} days after {from_text}, at most {days}");
            let before = format!("before {from_text}");
            let report = report_at(
                to,
                quote! {
                    if span < 0 {
                        v.report(#t, #vp::Rule::TimeWindow, #before);
                    } else {
                        v.report(#t, #vp::Rule::TimeWindow, ::std::format!(#msg, #vp::days_ceil(span)));
                    }
                },
            );
            quote! {
                if let (::std::option::Option::Some(begin), ::std::option::Option::Some(end)) = (
                    #fexpr.and_then(|x| #vp::rfc3339_nanos(x.as_str())),
                    #texpr.and_then(|x| #vp::rfc3339_nanos(x.as_str())),
                ) {
                    let span = end - begin;
                    if !(0..=#limit).contains(&span) {
                        #report
                    }
                }
            }
        }
    }
}
