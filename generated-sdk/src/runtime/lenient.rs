//! Lenient decoding for the few fields whose sources disagree on the JSON type (spec key
//! `also_string`): an integer that may arrive as a number or as a string of digits is
//! accepted either way, so a disagreement between sources never makes a whole response or
//! notification undecodable. Serialization is unchanged (a number). Used by generated code.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;

struct IntOrString;

impl<'de> Visitor<'de> for IntOrString {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer, or a string of decimal digits")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        let t = v.trim();
        let digits = t.strip_prefix('-').unwrap_or(t);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(E::invalid_value(de::Unexpected::Str(v), &self));
        }
        t.parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

struct OptIntOrString;

impl<'de> Visitor<'de> for OptIntOrString {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("null, an integer, or a string of decimal digits")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<i64>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<i64>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<i64>, D::Error> {
        d.deserialize_any(IntOrString).map(Some)
    }
}

/// A required integer field that may arrive as a number or a string of digits.
#[doc(hidden)]
pub fn int_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_any(IntOrString)
}

/// An optional integer field that may arrive as a number or a string of digits (or null).
#[doc(hidden)]
pub fn opt_int_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_option(OptIntOrString)
}

#[cfg(test)]
mod tests {
    #[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
    struct T {
        #[serde(deserialize_with = "super::int_or_string")]
        a: i64,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "super::opt_int_or_string"
        )]
        b: Option<i64>,
    }

    #[test]
    fn numbers_and_digit_strings_decode_alike() {
        for (json, a, b) in [
            (r#"{"a":1900009191,"b":7}"#, 1_900_009_191, Some(7)),
            (r#"{"a":"1900009191","b":"7"}"#, 1_900_009_191, Some(7)),
            (r#"{"a":"-3"}"#, -3, None),
            (r#"{"a":5,"b":null}"#, 5, None),
        ] {
            let t: T = serde_json::from_str(json).expect(json);
            assert_eq!((t.a, t.b), (a, b), "{json}");
        }
        // Sent as numbers whatever they arrived as.
        let t: T = serde_json::from_str(r#"{"a":"12","b":"3"}"#).expect("decodes");
        assert_eq!(
            serde_json::to_string(&t).expect("json"),
            r#"{"a":12,"b":3}"#
        );
        for bad in [
            r#"{"a":"12a"}"#,
            r#"{"a":""}"#,
            r#"{"a":1.5}"#,
            r#"{"a":true}"#,
            r#"{"a":1,"b":"x"}"#,
            r#"{"a":"99999999999999999999"}"#,
        ] {
            assert!(serde_json::from_str::<T>(bad).is_err(), "{bad}");
        }
    }
}
