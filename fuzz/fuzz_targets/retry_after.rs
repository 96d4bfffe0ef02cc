//! `parse_retry_after` never panics and answers `None` or a finite number of seconds ≥ 0.
//!
//! Input layout: `now` in ms (i64 LE, 8 bytes; missing bytes mean 0), then the header value
//! (lossy UTF-8).
#![no_main]

use andopen_client::core::retry_policy::parse_retry_after;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (now, value) = if data.len() >= 8 {
        let now = i64::from_le_bytes(data[..8].try_into().unwrap());
        (now as f64, &data[8..])
    } else {
        (0.0, data)
    };
    let value = String::from_utf8_lossy(value);
    if let Some(seconds) = parse_retry_after(&value, now) {
        assert!(
            seconds.is_finite() && seconds >= 0.0,
            "{value:?} -> {seconds}"
        );
        let trimmed = value.trim();
        if !trimmed.is_empty() && trimmed.len() <= 10 && trimmed.bytes().all(|b| b.is_ascii_digit())
        {
            assert_eq!(Some(seconds), trimmed.parse::<f64>().ok());
        }
    }
    // Clock values a browser can give (ms since the epoch, now ± centuries).
    let _ = parse_retry_after(&value, 1_700_000_000_000.0);
});
