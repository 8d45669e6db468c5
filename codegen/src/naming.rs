//! Naming: the one place that turns wire names into Rust names (heck underneath), handling
//! keywords, leading digits, case collisions and clashes with our own method names.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved, all editions) that need `r#` or a suffix.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore instead.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// Methods the generated code defines on request types and builders; a field setter or
/// method of the same name would clash.
pub const RESERVED_METHODS: &[&str] = &[
    "build",
    "builder",
    "validate",
    "validate_at",
    "validate_into",
    "path_and_query",
    "send",
];

/// Type names the generated code (or the prelude) uses and a spec type must not shadow.
pub const RESERVED_TYPES: &[&str] = &[
    "Client",
    "Error",
    "ErrorCode",
    "Validate",
    "Validator",
    "BuildError",
];

/// Whether `s` is a Rust keyword.
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// snake_case field / method identifier text (without `r#`): `stockName` → `stock_name`.
/// Leading digits get an `n` prefix (`3d_code` → `n3d_code`). Characters that are not
/// ASCII alphanumeric become word breaks.
pub fn field_name(wire: &str) -> String {
    let cleaned: String = wire
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut s = cleaned.to_snake_case();
    if s.is_empty() {
        s = "field".to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'n');
    }
    s
}

/// UpperCamelCase identifier text for types and enum variants: `PAYMENT_CODE` → `PaymentCode`,
/// `COLOR010` → `Color010`. Leading digits get a `V` prefix (`100` → `V100`).
pub fn type_name(wire: &str) -> String {
    let cleaned: String = wire
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut s = cleaned.to_upper_camel_case();
    if s.is_empty() {
        s = "Empty".to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'V');
    }
    s
}

/// The identifier to emit for a field name: `type` → `r#type`, `self` → `self_`.
pub fn ident_text(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if is_keyword(name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// A builder setter name for a field: the field name, unless it clashes with a builder
/// method (`build` → `build_value`).
pub fn setter_name(field: &str) -> String {
    if RESERVED_METHODS.contains(&field) {
        format!("{field}_value")
    } else {
        field.to_string()
    }
}

/// Enum variant name for a wire value; `Unknown` is reserved for the open variant.
pub fn variant_name(wire: &str) -> String {
    let s = type_name(wire);
    if s == "Unknown" {
        "UnknownValue".to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names() {
        let table = [
            ("stock_name", "stock_name"),
            ("stockName", "stock_name"),
            ("StockName", "stock_name"),
            ("Content-Type", "content_type"),
            ("type", "type"),
            ("3d_code", "n3d_code"),
            ("max_amount_by_day", "max_amount_by_day"),
            ("singleitem", "singleitem"),
            ("", "field"),
        ];
        for (wire, want) in table {
            assert_eq!(field_name(wire), want, "{wire}");
        }
    }

    #[test]
    fn type_and_variant_names() {
        let table = [
            ("PAYMENT_CODE", "PaymentCode"),
            ("COLOR010", "Color010"),
            ("Color010", "Color010"),
            ("stoped", "Stoped"),
            ("COUPON.SEND", "CouponSend"),
            ("100", "V100"),
            ("UNKNOWN", "UnknownValue"),
        ];
        for (wire, want) in table {
            assert_eq!(variant_name(wire), want, "{wire}");
        }
    }

    #[test]
    fn identifiers_escape_keywords() {
        let table = [
            ("type", "r#type"),
            ("use", "r#use"),
            ("return", "r#return"),
            ("self", "self_"),
            ("crate", "crate_"),
            ("stock_id", "stock_id"),
        ];
        for (name, want) in table {
            assert_eq!(ident_text(name), want, "{name}");
        }
    }

    #[test]
    fn setters_avoid_builder_methods() {
        assert_eq!(setter_name("build"), "build_value");
        assert_eq!(setter_name("validate"), "validate_value");
        assert_eq!(setter_name("send"), "send_value");
        assert_eq!(setter_name("stock_id"), "stock_id");
    }

    #[test]
    fn case_collisions_are_visible() {
        // Two wire values that differ only in case map to one Rust name; the checker
        // reports the collision instead of silently generating two equal variants.
        assert_eq!(variant_name("Color010"), variant_name("COLOR010"));
        assert_eq!(field_name("fooBar"), field_name("foo_bar"));
    }
}
