//! Automatic retries and failover: the policy (attempts, exponential backoff with jitter,
//! total deadline), `Retry-After`, and which failures may be sent again, to which host.

use std::time::Duration;

use crate::runtime::error::Error;

/// How a [`Client`](crate::Client) retries operations that are safe to repeat (a `GET`, or
/// an operation with an idempotency key; see the operation's rustdoc).
///
/// Retried: timeouts, connection failures, HTTP 429 and 5xx (`SYSTEM_ERROR`,
/// `FREQUENCY_LIMITED`). Every attempt is signed again (fresh nonce and timestamp) over the
/// identical body. The wait before retry *n* (1-based) is a random duration between half
/// and all of `min(max_backoff, initial_backoff × 2ⁿ⁻¹)`, or the server's `Retry-After`
/// when it sent one; no attempt starts after `deadline` (measured from the call's start),
/// and each attempt's timeout is cut to the time left.
///
/// Operations that are not safe to repeat are never sent again once they may have reached
/// WeChat Pay: their retryable failures come back as
/// [`Error::NotRetried`]. A request that certainly never left
/// (connection refused, connect timeout) is sent again for every operation.
///
/// Switch per client ([`ClientBuilder::retry`](crate::ClientBuilder::retry)) or per call
/// ([`Client::with_retry`](crate::Client::with_retry), a cheap clone sharing the
/// connection pool):
///
/// ```
/// use std::time::Duration;
/// use wechatpay_marketing::RetryPolicy;
///
/// let mut patient = RetryPolicy::default();
/// patient.max_attempts = 5;
/// patient.deadline = Duration::from_secs(60);
/// assert_eq!(RetryPolicy::none().max_attempts, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry). Default 3.
    pub max_attempts: u32,
    /// Backoff before the first retry. Default 100 ms.
    pub initial_backoff: Duration,
    /// Upper bound of the exponential backoff. Default 2 s.
    pub max_backoff: Duration,
    /// No attempt starts later than this after the call started. Default 30 s.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            deadline: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retry (one attempt). Failures come back unchanged, not as
    /// [`Error::NotRetried`].
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Whether more than one attempt is allowed.
    pub fn enabled(&self) -> bool {
        self.max_attempts > 1
    }

    /// The wait before retry number `retry` (1-based), with `unit` in `[0, 1)` as the
    /// random part: between half and all of the capped exponential backoff.
    pub(crate) fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << retry.saturating_sub(1).min(20));
        let cap = exp.min(self.max_backoff);
        cap.mul_f64(0.5 + 0.5 * unit.clamp(0.0, 1.0))
    }
}

/// A uniformly random number in `[0, 1)` for jitter (from the system CSPRNG; jitter needs
/// no secrecy, but this avoids a second random source).
pub(crate) fn jitter_unit() -> f64 {
    let mut b = [0u8; 4];
    if aws_lc_rs::rand::fill(&mut b).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(b)) / (f64::from(u32::MAX) + 1.0)
}

/// `Retry-After` as a wait from `now_unix` (the client's clock), at most one hour: delay
/// seconds, or an HTTP date in the IMF-fixdate form RFC 9110 requires senders to use
/// (`Wed, 21 Oct 2015 07:28:00 GMT`); a date in the past means no wait. Anything else is
/// ignored (the policy's own backoff applies).
pub(crate) fn parse_retry_after(value: Option<&str>, now_unix: i64) -> Option<Duration> {
    let value = value?.trim();
    let secs = match value.parse::<u64>() {
        Ok(secs) => secs,
        Err(_) => imf_fixdate(value)?.saturating_sub(now_unix).max(0) as u64,
    };
    Some(Duration::from_secs(secs.min(3600)))
}

/// Unix seconds of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn imf_fixdate(s: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (_day_name, rest) = s.split_once(", ")?;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let num = |t: &str, len: usize| -> Option<i64> {
        if t.len() == len && t.bytes().all(|b| b.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    let (d, y) = (num(day, 2)?, num(year, 4)?);
    let m = MONTHS.iter().position(|n| n == month)? as i64 + 1;
    let hms: Vec<&str> = time.split(':').collect();
    let [h, mi, se] = hms.as_slice() else {
        return None;
    };
    let (h, mi, se) = (num(h, 2)?, num(mi, 2)?, num(se, 2)?);
    if !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let days = crate::runtime::validation::days_from_civil(y, m, d);
    Some(days * 86_400 + h * 3600 + mi * 60 + se)
}

/// What to do after a failed attempt.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Give up: return the error as it is.
    Fail,
    /// Give up: the operation is not safe to repeat (wrap in `Error::NotRetried`).
    NotSafe,
    /// Try again after `wait`, on the other host when `switch_host`.
    Retry { wait: Duration, switch_host: bool },
}

/// Decides the next step after attempt number `attempt` (1-based) failed with `error`.
pub(crate) fn next_step(
    policy: &RetryPolicy,
    error: &Error,
    safe_to_retry: bool,
    attempt: u32,
    can_fail_over: bool,
) -> Next {
    let never_sent = error.is_connect();
    if !never_sent && !error.is_retryable() {
        return Next::Fail;
    }
    if !never_sent && !safe_to_retry {
        return if policy.enabled() {
            Next::NotSafe
        } else {
            Next::Fail
        };
    }
    // A request that never left may go to the backup host even with retries off.
    let switch_host = can_fail_over && (never_sent || matches!(error, Error::Timeout));
    let attempts = if never_sent && can_fail_over {
        policy.max_attempts.max(2)
    } else {
        policy.max_attempts
    };
    if attempt >= attempts {
        return Next::Fail;
    }
    let wait = if switch_host {
        Duration::ZERO
    } else {
        error
            .api()
            .and_then(|a| a.retry_after)
            .unwrap_or_else(|| policy.backoff(attempt, jitter_unit()))
    };
    Next::Retry { wait, switch_host }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_jitters_within_half() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1, 0.0), Duration::from_millis(50));
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(100));
        assert_eq!(p.backoff(3, 1.0), Duration::from_millis(400));
        assert_eq!(p.backoff(30, 1.0), Duration::from_secs(2));
        for _ in 0..100 {
            let u = jitter_unit();
            assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn retry_after_seconds_or_http_date() {
        // 2015-10-21T07:28:00Z
        const NOW: i64 = 1_445_412_480;
        let at = |v: &str| parse_retry_after(Some(v), NOW);
        assert_eq!(at(" 2 "), Some(Duration::from_secs(2)));
        assert_eq!(at("999999"), Some(Duration::from_secs(3600)));
        assert_eq!(at("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(
            at("Wed, 21 Oct 2015 07:28:30 GMT"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(at("Thu, 01 Jan 1970 00:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(
            at("Thu, 29 Feb 2024 12:00:00 GMT"),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(
            imf_fixdate("Thu, 29 Feb 2024 12:00:00 GMT"),
            Some(1_709_208_000)
        );
        assert_eq!(
            imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        for bad in [
            "Wed, 21 Oct 2015 07:28:00 UTC",
            "Wednesday, 21-Oct-15 07:28:00 GMT",
            "Wed Oct 21 07:28:00 2015",
            "Wed, 21 Okt 2015 07:28:00 GMT",
            "Wed, 1 Oct 2015 07:28:00 GMT",
            "Wed, 21 Oct 2015 24:28:00 GMT",
            "-1",
            "",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
        assert_eq!(parse_retry_after(None, NOW), None);
    }

    #[test]
    fn unsafe_operations_are_not_retried_after_a_timeout() {
        let p = RetryPolicy::default();
        assert_eq!(
            next_step(&p, &Error::Timeout, false, 1, true),
            Next::NotSafe
        );
        assert_eq!(
            next_step(&RetryPolicy::none(), &Error::Timeout, false, 1, true),
            Next::Fail
        );
        assert!(matches!(
            next_step(&p, &Error::Timeout, true, 1, true),
            Next::Retry {
                switch_host: true,
                ..
            }
        ));
        assert!(matches!(
            next_step(&p, &Error::Timeout, true, 1, false),
            Next::Retry {
                switch_host: false,
                ..
            }
        ));
        assert_eq!(next_step(&p, &Error::Timeout, true, 3, true), Next::Fail);
        assert_eq!(
            next_step(&p, &Error::Config("x".into()), true, 1, true),
            Next::Fail
        );
    }
}
