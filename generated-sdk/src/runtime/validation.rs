//! Client-side request validation: the violation types that generated `validate()` functions
//! report, the collector they write into, and the small measuring helpers they call.
//!
//! Generated validators are plain code (no schema interpreter); this module supplies the
//! vocabulary so every message has the same shape: `path: measure, limit (【title】)`. Each
//! check is one non-generic call here (`check_max_len`, `check_charset`, …) and paths are
//! pushed and popped with `enter`/`leave`, so a validator compiles to straight-line calls
//! without a closure, a generic instantiation or a `format!` per field (issue #13).

use std::fmt;

/// Which documented rule a [`Violation`] broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// A required field is missing (or an empty string where the field is required).
    Required,
    /// A string is shorter than its documented minimum length.
    MinLength,
    /// A string is longer than its documented maximum length.
    MaxLength,
    /// A string contains a character outside the documented character set.
    Charset,
    /// A string contains a character the page explicitly forbids.
    ForbiddenChars,
    /// A number is below its documented minimum.
    Minimum,
    /// A number is above its documented maximum.
    Maximum,
    /// An array has fewer items than documented.
    MinItems,
    /// An array has more items than documented.
    MaxItems,
    /// An enum value the client knows is not accepted (e.g. an `Unknown` value in a request).
    Enum,
    /// A timestamp is not RFC 3339.
    Rfc3339,
    /// A conditional rule ("required when …", "exactly one of …") is violated.
    Conditional,
    /// A time-window rule (not in the past, at most N days ahead, span at most N days).
    TimeWindow,
    /// A string has more 汉字 than documented (a limit separate from the length).
    MaxHan,
    /// A string is not an absolute URL with one of the documented schemes.
    Url,
    /// The field is documented as not open yet (暂未开放) and must be left unset.
    NotOpen,
}

impl Rule {
    /// Stable kebab-case name of the rule, used in messages and tests.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::MinLength => "min-length",
            Rule::MaxLength => "max-length",
            Rule::Charset => "charset",
            Rule::ForbiddenChars => "forbidden-chars",
            Rule::Minimum => "minimum",
            Rule::Maximum => "maximum",
            Rule::MinItems => "min-items",
            Rule::MaxItems => "max-items",
            Rule::Enum => "enum",
            Rule::Rfc3339 => "rfc3339",
            Rule::Conditional => "conditional",
            Rule::TimeWindow => "time-window",
            Rule::MaxHan => "max-han",
            Rule::Url => "url",
            Rule::NotOpen => "not-open",
        }
    }
}

/// One violated rule, with the JSON path of the offending field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// JSON path of the field, e.g. `coupon_use_rule.goods_tag[2]`.
    pub path: String,
    /// The documented 【title】 of the field (Chinese, as on the page).
    pub title: &'static str,
    /// The rule that was broken.
    pub rule: Rule,
    /// What was measured and what the limit is, e.g. `23 characters, at most 20`.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.title.is_empty() {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(f, "{}: {} (【{}】)", self.path, self.message, self.title)
        }
    }
}

/// Every rule a request broke, in field order. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors {
    violations: Vec<Violation>,
}

impl ValidationErrors {
    /// The violations, in the order the fields are documented.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Consumes the error and returns the violations.
    pub fn into_violations(self) -> Vec<Violation> {
        self.violations
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "request failed validation ({} violation",
            self.violations.len()
        )?;
        if self.violations.len() != 1 {
            f.write_str("s")?;
        }
        f.write_str(")")?;
        for v in &self.violations {
            write!(f, "\n  - {v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// A source of "now" for time-window rules, injectable so tests are deterministic.
pub trait Clock: fmt::Debug + Send + Sync {
    /// Seconds since the Unix epoch.
    fn now_unix(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// A clock frozen at one instant (seconds since the Unix epoch), for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now_unix(&self) -> i64 {
        self.0
    }
}

/// Implemented by every generated request type (and nested type used in requests).
pub trait Validate {
    /// Appends every violation of `self` to `v`, with paths relative to `v`'s current path.
    fn validate_into(&self, v: &mut Validator);

    /// Checks every documented rule against the system clock; returns all violations.
    fn validate(&self) -> Result<(), ValidationErrors> {
        self.validate_at(&SystemClock)
    }

    /// Checks every documented rule, with `clock` as "now" for time-window rules.
    fn validate_at(&self, clock: &dyn Clock) -> Result<(), ValidationErrors> {
        let mut v = Validator::new(clock.now_unix());
        self.validate_into(&mut v);
        v.finish()
    }
}

#[derive(Debug, Clone)]
enum Segment {
    Field(&'static str),
    Index(usize),
}

/// Collects violations while generated code walks a request. Not constructed by users.
#[derive(Debug)]
pub struct Validator {
    path: Vec<Segment>,
    out: Vec<Violation>,
    now_unix: i64,
}

impl Validator {
    pub(crate) fn new(now_unix: i64) -> Self {
        Validator {
            path: Vec::new(),
            out: Vec::new(),
            now_unix,
        }
    }

    pub(crate) fn finish(self) -> Result<(), ValidationErrors> {
        if self.out.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors {
                violations: self.out,
            })
        }
    }

    /// "Now", in seconds since the Unix epoch, as given by the clock.
    pub fn now_unix(&self) -> i64 {
        self.now_unix
    }

    /// Runs `f` with `name` appended to the current path.
    pub fn field(&mut self, name: &'static str, f: impl FnOnce(&mut Self)) {
        self.path.push(Segment::Field(name));
        f(self);
        self.path.pop();
    }

    /// Runs `f` with `[index]` appended to the current path.
    pub fn index(&mut self, index: usize, f: impl FnOnce(&mut Self)) {
        self.path.push(Segment::Index(index));
        f(self);
        self.path.pop();
    }

    /// The current JSON path, e.g. `coupon_use_rule.goods_tag[2]`.
    pub fn path(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            match seg {
                Segment::Field(name) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(name);
                }
                Segment::Index(i) => {
                    s.push('[');
                    s.push_str(&i.to_string());
                    s.push(']');
                }
            }
        }
        s
    }

    /// Records a violation at the current path.
    pub fn report(&mut self, title: &'static str, rule: Rule, message: impl Into<String>) {
        let path = self.path();
        self.out.push(Violation {
            path,
            title,
            rule,
            message: message.into(),
        });
    }

    /// Appends `name` to the current path (generated code; paired with [`Validator::leave`]).
    #[doc(hidden)]
    pub fn enter(&mut self, name: &'static str) {
        self.path.push(Segment::Field(name));
    }

    /// Appends `[index]` to the current path (generated code; paired with [`Validator::leave`]).
    #[doc(hidden)]
    pub fn enter_index(&mut self, index: usize) {
        self.path.push(Segment::Index(index));
    }

    /// Removes the last segment [`Validator::enter`] or [`Validator::enter_index`] added.
    #[doc(hidden)]
    pub fn leave(&mut self) {
        self.path.pop();
    }

    /// `required, but empty` when a required string is empty; true when it is not.
    #[doc(hidden)]
    pub fn check_not_empty(&mut self, title: &'static str, value: &str) -> bool {
        if value.is_empty() {
            self.report(title, Rule::Required, "required, but empty");
        }
        !value.is_empty()
    }

    /// `N <unit>, at most MAX` when `len > max` (`unit`: `characters` or `bytes`).
    #[doc(hidden)]
    pub fn check_max_len(&mut self, title: &'static str, len: usize, max: usize, unit: &str) {
        if len > max {
            self.report(
                title,
                Rule::MaxLength,
                format!("{len} {unit}, at most {max}"),
            );
        }
    }

    /// `N <unit>, at least MIN` when `len < min`; the unit is singular for one
    /// (`1 character, at least 2`).
    #[doc(hidden)]
    pub fn check_min_len(&mut self, title: &'static str, len: usize, min: usize, unit: &str) {
        if len < min {
            let unit = if len == 1 {
                unit.strip_suffix('s').unwrap_or(unit)
            } else {
                unit
            };
            self.report(
                title,
                Rule::MinLength,
                format!("{len} {unit}, at least {min}"),
            );
        }
    }

    /// `contains 'c'; allowed: <allowed>` for the first character outside `classes`.
    #[doc(hidden)]
    pub fn check_charset(
        &mut self,
        title: &'static str,
        value: &str,
        classes: &[CharClass],
        allowed: &str,
    ) {
        if let Some(c) = value
            .chars()
            .find(|&c| !classes.iter().any(|k| k.contains(c)))
        {
            self.report(
                title,
                Rule::Charset,
                format!("contains {c:?}; allowed: {allowed}"),
            );
        }
    }

    /// `contains 'c', which is not allowed (forbidden: <list>)` for the first character of
    /// `value` that is in `forbidden`.
    #[doc(hidden)]
    pub fn check_forbidden_chars(
        &mut self,
        title: &'static str,
        value: &str,
        forbidden: &str,
        list: &str,
    ) {
        if let Some(c) = value.chars().find(|&c| forbidden.contains(c)) {
            self.report(
                title,
                Rule::ForbiddenChars,
                format!("contains {c:?}, which is not allowed (forbidden: {list})"),
            );
        }
    }

    /// `N 汉字, at most MAX` when `value` has more than `max` 汉字.
    #[doc(hidden)]
    pub fn check_max_han(&mut self, title: &'static str, value: &str, max: usize) {
        let n = han_count(value);
        if n > max {
            self.report(title, Rule::MaxHan, format!("{n} 汉字, at most {max}"));
        }
    }

    /// `"v" is not an absolute <schemes> URL` unless [`url_with_scheme`] accepts `value`
    /// (`described`: the schemes as the message names them, `https or http`).
    #[doc(hidden)]
    pub fn check_url(
        &mut self,
        title: &'static str,
        value: &str,
        schemes: &[&str],
        described: &str,
    ) {
        if !url_with_scheme(value, schemes) {
            self.report(
                title,
                Rule::Url,
                format!("{value:?} is not an absolute {described} URL"),
            );
        }
    }

    /// `"v" is not an RFC 3339 timestamp (…)` unless `value` parses.
    #[doc(hidden)]
    pub fn check_rfc3339(&mut self, title: &'static str, value: &str) {
        if parse_rfc3339(value).is_none() {
            self.report(
                title,
                Rule::Rfc3339,
                format!("{value:?} is not an RFC 3339 timestamp (e.g. 2015-05-20T13:29:35+08:00)"),
            );
        }
    }

    /// `V, at least MIN` when an integer is below its minimum.
    #[doc(hidden)]
    pub fn check_min_int(&mut self, title: &'static str, value: i64, min: i64) {
        if value < min {
            self.report(title, Rule::Minimum, format!("{value}, at least {min}"));
        }
    }

    /// `V, at most MAX` when an integer is above its maximum.
    #[doc(hidden)]
    pub fn check_max_int(&mut self, title: &'static str, value: i64, max: i64) {
        if value > max {
            self.report(title, Rule::Maximum, format!("{value}, at most {max}"));
        }
    }

    /// `V, at least MIN` when a number is below its (whole) minimum.
    #[doc(hidden)]
    pub fn check_min_num(&mut self, title: &'static str, value: f64, min: i64) {
        if value < min as f64 {
            self.report(title, Rule::Minimum, format!("{value}, at least {min}"));
        }
    }

    /// `V, at most MAX` when a number is above its (whole) maximum.
    #[doc(hidden)]
    pub fn check_max_num(&mut self, title: &'static str, value: f64, max: i64) {
        if value > max as f64 {
            self.report(title, Rule::Maximum, format!("{value}, at most {max}"));
        }
    }

    /// `"v" is not a documented value (expected one of <known>)` for an `Unknown` enum value
    /// (`unknown`: the value an open enum kept, or `None` for a documented one).
    #[doc(hidden)]
    pub fn check_enum(&mut self, title: &'static str, unknown: Option<&str>, known: &str) {
        if let Some(value) = unknown {
            self.report(
                title,
                Rule::Enum,
                format!("{value:?} is not a documented value (expected one of {known})"),
            );
        }
    }

    /// `N items, at most MAX` when an array is too long.
    #[doc(hidden)]
    pub fn check_max_items(&mut self, title: &'static str, n: usize, max: usize) {
        if n > max {
            self.report(title, Rule::MaxItems, format!("{n} items, at most {max}"));
        }
    }

    /// `N items, at least MIN` when an array is too short.
    #[doc(hidden)]
    pub fn check_min_items(&mut self, title: &'static str, n: usize, min: usize) {
        if n < min {
            self.report(title, Rule::MinItems, format!("{n} items, at least {min}"));
        }
    }

    /// Records a violation at `name` below the current path (for missing or conditional fields).
    pub fn report_at(
        &mut self,
        name: &'static str,
        title: &'static str,
        rule: Rule,
        message: impl Into<String>,
    ) {
        self.field(name, |v| v.report(title, rule, message));
    }
}

/// A class of characters a documented charset allows (generated validators pass a table of
/// these to [`Validator::check_charset`]).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharClass {
    /// ASCII digits.
    Digits,
    /// ASCII letters.
    Letters,
    /// Upper-case ASCII letters.
    Upper,
    /// Lower-case ASCII letters.
    Lower,
    /// 汉字 (CJK unified ideographs, U+4E00..=U+9FFF).
    Han,
    /// One literal character.
    Literal(char),
}

impl CharClass {
    /// Whether `c` belongs to the class.
    pub fn contains(self, c: char) -> bool {
        match self {
            CharClass::Digits => c.is_ascii_digit(),
            CharClass::Letters => c.is_ascii_alphabetic(),
            CharClass::Upper => c.is_ascii_uppercase(),
            CharClass::Lower => c.is_ascii_lowercase(),
            CharClass::Han => ('\u{4e00}'..='\u{9fff}').contains(&c),
            CharClass::Literal(l) => c == l,
        }
    }
}

/// Length of `s` as the pages count it: one Chinese character, letter or digit is one.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Number of 汉字 (CJK unified ideographs, U+4E00..=U+9FFF) in `s`.
pub fn han_count(s: &str) -> usize {
    s.chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .count()
}

/// True when `s` is an absolute URL (`scheme://host…`, no whitespace or control characters)
/// whose scheme is one of `schemes` (compared ignoring ASCII case).
pub fn url_with_scheme(s: &str, schemes: &[&str]) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && schemes.iter().any(|x| x.eq_ignore_ascii_case(scheme))
}

/// Whole days in a positive nanosecond duration, rounded up (for time-window messages).
pub fn days_ceil(nanos: i128) -> i128 {
    const DAY: i128 = 86_400 * 1_000_000_000;
    (nanos + DAY - 1).div_euclid(DAY)
}

/// Seconds since the Unix epoch of an RFC 3339 timestamp (`2015-05-20T13:29:35.120+08:00`),
/// or `None` when `s` is not RFC 3339 (date, `T`, time with seconds, optional fraction, and
/// `Z` or a `±HH:MM` offset are all required).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    parse_rfc3339_parts(s).map(|(secs, _)| secs)
}

/// Nanoseconds since the Unix epoch of an RFC 3339 timestamp, keeping the fraction (so
/// "365 days and half a second" is more than 365 days). `None` when not RFC 3339.
pub fn rfc3339_nanos(s: &str) -> Option<i128> {
    parse_rfc3339_parts(s).map(|(secs, nanos)| i128::from(secs) * 1_000_000_000 + i128::from(nanos))
}

fn parse_rfc3339_parts(s: &str) -> Option<(i64, u32)> {
    rfc3339_parts(s).map(|(secs, nanos, _)| (secs, nanos))
}

/// Days from 1970-01-01 to `year`-`month`-`day` (proleptic Gregorian; Howard Hinnant's
/// `days_from_civil`). The date is not checked.
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(unix seconds, nanoseconds, offset seconds)` of an RFC 3339 timestamp.
pub(crate) fn rfc3339_parts(s: &str) -> Option<(i64, u32, i32)> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let sep = |at: usize, c: u8| b.get(at).copied() == Some(c);
    let year = num(0, 4)?;
    let month = num(5, 2)?;
    let day = num(8, 2)?;
    let hour = num(11, 2)?;
    let minute = num(14, 2)?;
    let second = num(17, 2)?;
    if !(sep(4, b'-')
        && sep(7, b'-')
        && (sep(10, b'T') || sep(10, b't'))
        && sep(13, b':')
        && sep(16, b':'))
    {
        return None;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos: u32 = 0;
    if sep(i, b'.') {
        i += 1;
        let start = i;
        while let Some(d) = b.get(i).copied().filter(u8::is_ascii_digit) {
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(d - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start).min(9)..9 {
            nanos *= 10;
        }
    }
    let offset = match b.get(i).copied() {
        Some(b'Z') | Some(b'z') if b.len() == i + 1 => 0,
        Some(sign @ (b'+' | b'-')) if b.len() == i + 6 && sep(i + 3, b':') => {
            let oh = num(i + 1, 2)?;
            let om = num(i + 4, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let secs = oh * 3600 + om * 60;
            if sign == b'+' {
                secs
            } else {
                -secs
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some((
        days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        nanos,
        i32::try_from(offset).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_accepts_documented_forms() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T08:00:00+08:00"), Some(0));
        assert_eq!(
            parse_rfc3339("2015-05-20T13:29:35.120+08:00"),
            Some(1_432_099_775)
        );
        assert_eq!(parse_rfc3339("2024-02-29T00:00:00Z"), Some(1_709_164_800));
    }

    #[test]
    fn rfc3339_keeps_fractions() {
        assert_eq!(rfc3339_nanos("1970-01-01T00:00:01.5Z"), Some(1_500_000_000));
        assert_eq!(
            rfc3339_nanos("1970-01-01T00:00:00.123456789123Z"),
            Some(123_456_789)
        );
        assert_eq!(
            rfc3339_nanos("1970-01-01T08:00:00.120+08:00"),
            Some(120_000_000)
        );
    }

    #[test]
    fn rfc3339_rejects_near_misses() {
        for s in [
            "",
            "2025-01-01T00:00+08:00",
            "2025-01-01 00:00:00+08:00",
            "2025-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2025-01-01T00:00:00",
            "2025-01-01T00:00:00.+08:00",
            "2025-01-01T00:00:00+0800",
            "2025-01-01T24:00:00Z",
            "２025-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(s), None, "{s}");
        }
    }

    #[test]
    fn paths_render_fields_and_indices() {
        let mut v = Validator::new(0);
        v.field("coupon_use_rule", |v| {
            v.field("goods_tag", |v| {
                v.index(2, |v| v.report("t", Rule::MaxLength, "m"))
            })
        });
        let errs = v.finish().unwrap_err();
        assert_eq!(errs.violations()[0].path, "coupon_use_rule.goods_tag[2]");
        assert_eq!(
            errs.to_string(),
            "request failed validation (1 violation)\n  - coupon_use_rule.goods_tag[2]: m (【t】)"
        );
    }

    #[test]
    fn char_len_counts_han_as_one() {
        assert_eq!(char_len("微信支付代金券批次"), 9);
        assert_eq!(char_len("abc"), 3);
    }
}
