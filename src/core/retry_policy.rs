//! When to retry and how long to wait: exponential backoff with jitter (passed in), capped by
//! `maxRetries`, honouring `Retry-After` (RFC 9110 §10.2.3) in seconds or as an HTTP-date.

use super::decimal::parse_decimal;
use super::error::{is_retryable_status, ClientError, ErrorCode};
use super::text::{split_ascii, split_once_byte};

/// Why an attempt failed, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Failure {
    /// No response. `maybe_sent` is true when the request may have reached the server; fetch
    /// cannot tell, so the JS layer always says true for API calls.
    Network {
        maybe_sent: bool,
    },
    Timeout,
    Status(u16),
}

impl Failure {
    /// The retry-relevant kind of an error; `None` for failures no retry can fix.
    pub fn of(error: &ClientError) -> Option<Failure> {
        match (error.code, error.status) {
            (ErrorCode::Network, _) => Some(Failure::Network { maybe_sent: true }),
            (ErrorCode::Timeout, None) => Some(Failure::Timeout),
            (ErrorCode::InvalidResponse, _) => None,
            (_, Some(status)) => Some(Failure::Status(status)),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay_ms: f64,
    pub max_delay_ms: f64,
    /// A server asking us to wait longer than this is not waited for: the error (with its
    /// `retryAfterSeconds`) goes back to the caller, who can decide better than a hidden sleep.
    pub max_retry_after_ms: f64,
}

impl RetryPolicy {
    pub fn new(max_retries: u32) -> Self {
        RetryPolicy {
            max_retries,
            base_delay_ms: 200.0,
            max_delay_ms: 5_000.0,
            max_retry_after_ms: 30_000.0,
        }
    }

    /// How long one grant can legitimately take: every attempt timing out, with the longest
    /// backoff between them. A caller waiting on a renewal started elsewhere gives up after
    /// this (in Workers, a renewal whose request was cancelled never settles).
    pub fn worst_case_ms(&self, timeout_ms: f64) -> f64 {
        let attempts = f64::from(self.max_retries) + 1.0;
        attempts * timeout_ms + f64::from(self.max_retries) * self.max_delay_ms
    }

    /// The delay before retry number `retries_done + 1`, or `None` to give up.
    /// `jitter` is in [0, 1); `idempotent` is false for POST/PATCH API calls, which are replayed
    /// only when they cannot have been received (docs/API.md).
    pub fn delay_ms(
        &self,
        retries_done: u32,
        failure: Failure,
        retry_after_seconds: Option<f64>,
        jitter: f64,
        idempotent: bool,
    ) -> Option<f64> {
        if retries_done >= self.max_retries {
            return None;
        }
        let retryable = match failure {
            Failure::Network { maybe_sent } => idempotent || !maybe_sent,
            Failure::Timeout => idempotent,
            Failure::Status(status) => idempotent && is_retryable_status(status),
        };
        if !retryable {
            return None;
        }
        if let Some(seconds) = retry_after_seconds {
            let ms = seconds.max(0.0) * 1000.0;
            return (ms <= self.max_retry_after_ms).then_some(ms);
        }
        // A shift, not `powi`: that is a compiler-builtins call in the .wasm.
        let exponential = self.base_delay_ms * f64::from(1u32 << retries_done.min(16));
        let capped = exponential.min(self.max_delay_ms);
        // "Equal jitter": at least half the backoff, so retries never bunch up at zero.
        Some(capped / 2.0 + capped / 2.0 * jitter.clamp(0.0, 1.0))
    }
}

/// Parses a `Retry-After` value into seconds from `now_ms`: delay-seconds or an HTTP-date
/// (IMF-fixdate, RFC 850 or asctime, RFC 9110 §5.6.7). A date in the past means 0.
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<f64> {
    let value = value.trim_ascii();
    if let Some(seconds) = parse_decimal(value) {
        // At most 10 digits: about 317 years, far past any wait the policy allows.
        return (value.len() <= 10).then_some(seconds as f64);
    }
    let date_ms = parse_http_date(value)?;
    Some(((date_ms - now_ms) / 1000.0).max(0.0).ceil())
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

// Words into a fixed array and numbers by `parse_decimal`, without `Vec` or `str::parse`: this
// runs only for a `Retry-After` date, and the version with them was 0.6 KB gzip larger.
fn parse_http_date(value: &str) -> Option<f64> {
    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT   RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    // asctime:     Sun Nov  6 08:49:37 1994         (words split at spaces and dashes)
    let mut words = [""; 6];
    let count = split_ascii(value, |b| b == b' ' || b == b'-', &mut words)?;
    let [_, a, b, c, d, zone] = words;
    let (day, month, year, time) = match (count, zone) {
        (6, "GMT") => (a, b, c, d),
        (5, _) => (b, a, d, c),
        _ => return None,
    };
    let number = |text: &str, below: u64| parse_decimal(text).filter(|n| *n < below);
    let day = number(day, 32).filter(|d| *d >= 1)?;
    let month = MONTHS.iter().position(|m| *m == month)? as u64 + 1;
    // HTTP-dates have 4-digit (or RFC 850's 2-digit) years; a longer one would overflow below.
    let mut year = number(year, 10_000)?;
    if year < 100 {
        // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past.
        year += if year < 70 { 2000 } else { 1900 };
    }
    let (h, rest) = split_once_byte(time, b':')?;
    let (m, s) = split_once_byte(rest, b':')?;
    let (h, m, s) = (number(h, 24)?, number(m, 60)?, number(s, 61)?);
    let days = days_from_civil(year as i64, month as i64, day as i64);
    Some(((days * 86_400 + (h * 3600 + m * 60 + s) as i64) * 1000) as f64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_6_1994: f64 = 784_111_777_000.0; // Sun, 06 Nov 1994 08:49:37 GMT

    #[test]
    fn retry_after_in_seconds_and_all_three_date_forms() {
        assert_eq!(parse_retry_after("120", 0.0), Some(120.0));
        assert_eq!(parse_retry_after(" 0 ", 0.0), Some(0.0));
        for date in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(
                parse_retry_after(date, NOV_6_1994 - 5_000.0),
                Some(5.0),
                "{date}"
            );
            assert_eq!(
                parse_retry_after(date, NOV_6_1994 + 5_000.0),
                Some(0.0),
                "{date}"
            );
        }
        for bad in [
            "",
            "-1",
            "1.5",
            "soon",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "99999999999999999999",
            "Sun, 06 Nov 1994 25:00:00 GMT",
            // A sign is not a digit (str::parse took "+6" as 6).
            "Sun, +6 Nov 1994 08:49:37 GMT",
            "+120",
        ] {
            assert_eq!(parse_retry_after(bad, 0.0), None, "{bad}");
        }
    }

    #[test]
    fn a_huge_year_is_refused_not_an_overflow() {
        // Found by fuzzing (fuzz/fuzz_targets/retry_after.rs): days * 86_400 overflowed i64,
        // a panic in debug builds and a wrapped, meaningless delay in release builds.
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:49:37 19940000000100", 0.0),
            None
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 99999 08:49:37 GMT", 0.0),
            None
        );
        assert_eq!(
            parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", 0.0),
            Some(253_402_300_799.0)
        );
    }

    #[test]
    fn backoff_grows_with_jitter_and_stops_at_max_retries() {
        let p = RetryPolicy::new(3);
        let s503 = Failure::Status(503);
        assert_eq!(p.delay_ms(0, s503, None, 0.0, true), Some(100.0));
        assert_eq!(p.delay_ms(0, s503, None, 1.0, true), Some(200.0));
        assert_eq!(p.delay_ms(2, s503, None, 0.5, true), Some(600.0));
        assert_eq!(p.delay_ms(3, s503, None, 0.5, true), None);
        assert_eq!(RetryPolicy::new(0).delay_ms(0, s503, None, 0.5, true), None);
        assert_eq!(
            RetryPolicy::new(10).delay_ms(9, s503, None, 1.0, true),
            Some(5_000.0)
        );
    }

    #[test]
    fn worst_case_covers_every_attempt_and_backoff() {
        assert_eq!(RetryPolicy::new(2).worst_case_ms(10_000.0), 40_000.0);
        assert_eq!(RetryPolicy::new(0).worst_case_ms(300.0), 300.0);
    }

    #[test]
    fn retry_after_replaces_backoff_unless_too_long() {
        let p = RetryPolicy::new(2);
        assert_eq!(
            p.delay_ms(0, Failure::Status(429), Some(2.0), 0.9, true),
            Some(2_000.0)
        );
        assert_eq!(
            p.delay_ms(0, Failure::Status(429), Some(3600.0), 0.9, true),
            None
        );
    }

    #[test]
    fn errors_map_to_failures() {
        let net = ClientError::new(ErrorCode::Network, "x");
        assert_eq!(
            Failure::of(&net),
            Some(Failure::Network { maybe_sent: true })
        );
        assert_eq!(
            Failure::of(&ClientError::new(ErrorCode::Timeout, "x")),
            Some(Failure::Timeout)
        );
        let s503 = ClientError::for_status(ErrorCode::ServerError, 503, "x");
        assert_eq!(Failure::of(&s503), Some(Failure::Status(503)));
        let mut truncated = ClientError::new(ErrorCode::InvalidResponse, "x");
        truncated.status = Some(200);
        assert_eq!(Failure::of(&truncated), None);
        assert_eq!(
            Failure::of(&ClientError::new(ErrorCode::Aborted, "x")),
            None
        );
    }

    #[test]
    fn which_failures_are_retried() {
        let p = RetryPolicy::new(2);
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(
                p.delay_ms(0, Failure::Status(status), None, 0.0, true)
                    .is_some(),
                "{status}"
            );
        }
        for status in [400, 401, 403, 404, 409, 422, 501, 505] {
            assert!(
                p.delay_ms(0, Failure::Status(status), None, 0.0, true)
                    .is_none(),
                "{status}"
            );
        }
        assert!(p.delay_ms(0, Failure::Timeout, None, 0.0, true).is_some());
        assert!(p
            .delay_ms(0, Failure::Network { maybe_sent: true }, None, 0.0, true)
            .is_some());
        // A POST is replayed only when it cannot have been received.
        assert!(p.delay_ms(0, Failure::Timeout, None, 0.0, false).is_none());
        assert!(p
            .delay_ms(0, Failure::Network { maybe_sent: true }, None, 0.0, false)
            .is_none());
        assert!(p
            .delay_ms(0, Failure::Status(503), None, 0.0, false)
            .is_none());
        assert!(p
            .delay_ms(0, Failure::Network { maybe_sent: false }, None, 0.0, false)
            .is_some());
    }
}
