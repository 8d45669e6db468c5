//! `Timestamp`: an RFC 3339 date-time field (`2015-05-20T13:29:35+08:00`) that keeps the
//! exact wire string (never re-formatted), with its instant parsed alongside.

use std::fmt;
use std::str::FromStr;

use crate::runtime::validation::rfc3339_parts;

/// An RFC 3339 timestamp as WeChat Pay sends and expects it, e.g.
/// `2015-05-20T13:29:35+08:00` (Beijing time, `+08:00`).
///
/// It keeps the exact string: serialization writes back the bytes it was made from, so a
/// response field round-trips unchanged and a request carries exactly what the caller gave.
/// [`Timestamp::parse`] (and `str::parse`) validate; `From<&str>`/`From<String>` accept any
/// string so builders stay infallible, and the request's `validate()` then reports an
/// invalid one ([`Timestamp::is_valid`]). Deserializing accepts any string too (responses
/// are lenient): check [`Timestamp::unix_seconds`] for `None`.
///
/// With the `time` cargo feature it converts to and from `time::OffsetDateTime`, keeping
/// the UTC offset.
///
/// ```
/// use wechatpay_marketing::Timestamp;
///
/// let t: Timestamp = "2015-05-20T13:29:35.120+08:00".parse()?;
/// assert_eq!(t.as_str(), "2015-05-20T13:29:35.120+08:00");
/// assert_eq!(t.unix_seconds(), Some(1_432_099_775));
/// assert_eq!(t.offset_seconds(), Some(8 * 3600));
/// assert_eq!(serde_json::to_string(&t)?, r#""2015-05-20T13:29:35.120+08:00""#);
///
/// let loose = Timestamp::from("tomorrow"); // a builder argument: checked by validate()
/// assert!(!loose.is_valid());
/// assert!("2025-02-30T00:00:00Z".parse::<Timestamp>().is_err());
/// assert_eq!(Timestamp::from_unix(0, 8 * 3600)?.as_str(), "1970-01-01T08:00:00+08:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    text: String,
    /// `(unix seconds, nanoseconds, offset seconds)` when `text` is RFC 3339.
    parsed: Option<(i64, u32, i32)>,
}

/// A string that is not an RFC 3339 date-time with seconds and an offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError {
    input: String,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not an RFC 3339 date-time like 2015-05-20T13:29:35+08:00",
            self.input
        )
    }
}

impl std::error::Error for TimestampError {}

impl Timestamp {
    /// Parses and validates `s` (date, `T`, time with seconds, optional fraction, `Z` or
    /// `±HH:MM`); keeps `s` exactly.
    pub fn parse(s: &str) -> Result<Timestamp, TimestampError> {
        let t = Timestamp::from(s);
        if t.is_valid() {
            Ok(t)
        } else {
            Err(TimestampError {
                input: crate::runtime::error::truncated(s.as_bytes(), 64),
            })
        }
    }

    /// The instant `unix_seconds` in the zone `offset_seconds` east of UTC (e.g. `8 * 3600`
    /// for Beijing time), formatted `YYYY-MM-DDTHH:MM:SS±HH:MM` (`Z` for a zero offset).
    pub fn from_unix(unix_seconds: i64, offset_seconds: i32) -> Result<Timestamp, TimestampError> {
        Timestamp::from_unix_nanos(i128::from(unix_seconds) * 1_000_000_000, offset_seconds)
    }

    /// Like [`from_unix`](Self::from_unix) with nanoseconds; a non-zero fraction is written
    /// with as few digits as it needs (`.12` for 120 ms).
    pub fn from_unix_nanos(
        unix_nanos: i128,
        offset_seconds: i32,
    ) -> Result<Timestamp, TimestampError> {
        let bad = || TimestampError {
            input: format!("{unix_nanos} ns at offset {offset_seconds} s"),
        };
        if offset_seconds.abs() >= 24 * 3600 || offset_seconds % 60 != 0 {
            return Err(bad());
        }
        let secs = i64::try_from(unix_nanos.div_euclid(1_000_000_000)).map_err(|_| bad())?;
        let nanos = u32::try_from(unix_nanos.rem_euclid(1_000_000_000)).map_err(|_| bad())?;
        let local = secs
            .checked_add(i64::from(offset_seconds))
            .ok_or_else(bad)?;
        let (days, sod) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        if !(0..=9999).contains(&y) {
            return Err(bad());
        }
        let mut text = format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            sod / 3600,
            sod % 3600 / 60,
            sod % 60
        );
        if nanos != 0 {
            let frac = format!("{nanos:09}");
            text.push('.');
            text.push_str(frac.trim_end_matches('0'));
        }
        if offset_seconds == 0 {
            text.push('Z');
        } else {
            let sign = if offset_seconds < 0 { '-' } else { '+' };
            let o = offset_seconds.abs();
            text.push_str(&format!("{sign}{:02}:{:02}", o / 3600, o % 3600 / 60));
        }
        Timestamp::parse(&text)
    }

    /// The exact string, as received or given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the string is a valid RFC 3339 date-time.
    pub fn is_valid(&self) -> bool {
        self.parsed.is_some()
    }

    /// Seconds since the Unix epoch (the fraction dropped, towards the past); `None` when
    /// not valid.
    pub fn unix_seconds(&self) -> Option<i64> {
        self.parsed.map(|(s, _, _)| s)
    }

    /// Nanoseconds since the Unix epoch, keeping the fraction; `None` when not valid.
    pub fn unix_nanos(&self) -> Option<i128> {
        self.parsed
            .map(|(s, n, _)| i128::from(s) * 1_000_000_000 + i128::from(n))
    }

    /// The UTC offset in seconds (`+08:00` → 28800); `None` when not valid.
    pub fn offset_seconds(&self) -> Option<i32> {
        self.parsed.map(|(_, _, o)| o)
    }

    /// Consumes the timestamp, returning its string.
    pub fn into_string(self) -> String {
        self.text
    }
}

/// Howard Hinnant's `civil_from_days`: (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

impl From<&str> for Timestamp {
    fn from(s: &str) -> Self {
        Timestamp::from(s.to_owned())
    }
}

impl From<String> for Timestamp {
    fn from(text: String) -> Self {
        let parsed = rfc3339_parts(&text);
        Timestamp { text, parsed }
    }
}

impl From<&String> for Timestamp {
    fn from(s: &String) -> Self {
        Timestamp::from(s.clone())
    }
}

impl From<Timestamp> for String {
    fn from(t: Timestamp) -> String {
        t.text
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl AsRef<str> for Timestamp {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl PartialEq<str> for Timestamp {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Timestamp {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_valid() {
            write!(f, "Timestamp({:?})", self.text)
        } else {
            write!(f, "Timestamp({:?}, invalid)", self.text)
        }
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Timestamp::from)
    }
}

#[cfg(feature = "time")]
mod time_conversions {
    use super::{Timestamp, TimestampError};

    impl From<time::OffsetDateTime> for Timestamp {
        /// Formats the date-time in its own offset (RFC 3339). Years outside 0000–9999
        /// cannot be written in RFC 3339 and give an invalid `Timestamp`.
        fn from(dt: time::OffsetDateTime) -> Self {
            let nanos = dt.unix_timestamp_nanos();
            Timestamp::from_unix_nanos(nanos, dt.offset().whole_seconds())
                .unwrap_or_else(|_| Timestamp::from(format!("{dt}")))
        }
    }

    impl TryFrom<&Timestamp> for time::OffsetDateTime {
        type Error = TimestampError;
        /// The instant, in the timestamp's own offset. Fails for an invalid string (or a
        /// leap second, which `time` cannot represent).
        fn try_from(t: &Timestamp) -> Result<Self, Self::Error> {
            let bad = || TimestampError {
                input: t.text.clone(),
            };
            let (_, _, offset) = t.parsed.ok_or_else(bad)?;
            let nanos = t.unix_nanos().ok_or_else(bad)?;
            let offset = time::UtcOffset::from_whole_seconds(offset).map_err(|_| bad())?;
            Ok(time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
                .map_err(|_| bad())?
                .to_offset(offset))
        }
    }

    impl TryFrom<Timestamp> for time::OffsetDateTime {
        type Error = TimestampError;
        fn try_from(t: Timestamp) -> Result<Self, Self::Error> {
            time::OffsetDateTime::try_from(&t)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_exact_string() {
        for s in [
            "2015-05-20T13:29:35+08:00",
            "2015-05-20T13:29:35.120+08:00",
            "2015-05-20t05:29:35z",
            "2015-05-20T05:29:35.000000001Z",
        ] {
            let t: Timestamp = s.parse().expect(s);
            assert_eq!(t.as_str(), s);
            let json = serde_json::to_string(&t).expect("json");
            assert_eq!(json, format!("{s:?}"));
            let back: Timestamp = serde_json::from_str(&json).expect("back");
            assert_eq!(back, t);
        }
    }

    #[test]
    fn instants_and_offsets() {
        let a: Timestamp = "2015-05-20T13:29:35+08:00".parse().expect("a");
        let b: Timestamp = "2015-05-20T05:29:35Z".parse().expect("b");
        assert_ne!(a, b, "equality is on the wire string");
        assert_eq!(a.unix_seconds(), b.unix_seconds());
        assert_eq!(a.offset_seconds(), Some(28_800));
        let f: Timestamp = "1970-01-01T00:00:01.5Z".parse().expect("f");
        assert_eq!(f.unix_nanos(), Some(1_500_000_000));
        let neg: Timestamp = "1969-12-31T23:59:59.5Z".parse().expect("neg");
        assert_eq!(neg.unix_seconds(), Some(-1));
        assert_eq!(neg.unix_nanos(), Some(-500_000_000));
    }

    #[test]
    fn from_unix_formats_rfc3339() {
        let t = Timestamp::from_unix(1_432_099_775, 8 * 3600).expect("t");
        assert_eq!(t.as_str(), "2015-05-20T13:29:35+08:00");
        let z = Timestamp::from_unix_nanos(1_500_000_000, 0).expect("z");
        assert_eq!(z.as_str(), "1970-01-01T00:00:01.5Z");
        let w = Timestamp::from_unix(0, -(5 * 3600 + 30 * 60)).expect("w");
        assert_eq!(w.as_str(), "1969-12-31T18:30:00-05:30");
        assert!(Timestamp::from_unix(0, 86_400).is_err());
        assert!(Timestamp::from_unix(i64::MAX / 2, 0).is_err());
        for secs in [
            -86_400 * 365 * 50,
            0,
            951_782_400,
            1_709_164_800,
            4_102_444_800,
        ] {
            let t = Timestamp::from_unix(secs, 8 * 3600).expect("t");
            assert_eq!(t.unix_seconds(), Some(secs), "{t}");
        }
    }

    #[test]
    fn invalid_strings_are_kept_but_flagged() {
        let t = Timestamp::from("2025-01-01 00:00:00");
        assert!(!t.is_valid());
        assert_eq!(t.unix_seconds(), None);
        assert_eq!(
            format!("{t:?}"),
            "Timestamp(\"2025-01-01 00:00:00\", invalid)"
        );
        let lenient: Timestamp = serde_json::from_str("\"soon\"").expect("lenient");
        assert!(!lenient.is_valid());
        let e = Timestamp::parse("soon").unwrap_err();
        assert!(e.to_string().contains("RFC 3339"));
    }

    #[cfg(feature = "time")]
    #[test]
    fn converts_with_time_keeping_the_offset() {
        let t: Timestamp = "2015-05-20T13:29:35.120+08:00".parse().expect("t");
        let dt = time::OffsetDateTime::try_from(&t).expect("dt");
        assert_eq!(dt.offset().whole_hours(), 8);
        assert_eq!(dt.hour(), 13);
        assert_eq!(dt.millisecond(), 120);
        assert_eq!(Timestamp::from(dt).as_str(), "2015-05-20T13:29:35.12+08:00");
        assert_eq!(Timestamp::from(dt).unix_nanos(), t.unix_nanos());
        assert!(time::OffsetDateTime::try_from(&Timestamp::from("x")).is_err());
    }
}
