//! Property tests of the pure core (issue 5): parsers never panic, writers round-trip, and the
//! retry, redaction and token-cache rules hold for any input, not just the examples in the unit
//! tests. Native only (proptest is a native dev-dependency); run by plain `cargo test`.
#![cfg(not(target_arch = "wasm32"))]

use andopen_client::core::config::{Config, ConfigInput};
use andopen_client::core::json::{write_object, write_string, Json, Value};
use andopen_client::core::retry_policy::{parse_retry_after, Failure, RetryPolicy};
use andopen_client::core::secret::{Redactor, Secret, REDACTED};
use andopen_client::core::token_cache::{Freshness, HeldToken, StoredToken, TokenCache};
use andopen_client::core::token_response::{
    classify_error_response, parse_token_response, TokenGrant,
};
use proptest::prelude::*;

/// True when `secret` can overlap the `[redacted]` marker (see fuzz/src/lib.rs): the marker
/// written for another secret can then spell it without leaking anything, so the redaction
/// property is checked only for the other secrets.
fn overlaps_marker(secret: &str) -> bool {
    let m = REDACTED;
    m.contains(secret)
        || secret.contains(m)
        || (1..m.len().min(secret.len() + 1))
            .any(|k| secret.ends_with(&m[..k]) || secret.starts_with(&m[m.len() - k..]))
}

/// A secret as the client holds them: distinctive, so no fixed message text contains it.
fn secret() -> impl Strategy<Value = String> {
    "sk_[A-Za-z0-9_.-]{8,24}"
}

/// Bodies an auth server might send: token-shaped JSON, error JSON or anything at all.
fn body() -> impl Strategy<Value = String> {
    let token = "[ -~]{0,12}";
    prop_oneof![
        any::<String>(),
        (
            token,
            any::<f64>(),
            "[Bb]earer|mac|",
            proptest::option::of(token)
        )
            .prop_map(|(t, e, ty, r)| {
                let mut body = format!(
                    r#"{{"access_token":{},"expires_in":{e:?},"token_type":"{ty}""#,
                    json_str(&t)
                );
                if let Some(r) = r {
                    body.push_str(&format!(r#","refresh_token":{}"#, json_str(&r)));
                }
                body + "}"
            }),
        ("[ -~]{0,20}", any::<String>()).prop_map(|(e, d)| write_object(&[
            ("error", Some(&e)),
            ("error_description", Some(&d))
        ])),
    ]
}

fn json_str(s: &str) -> String {
    let mut out = String::new();
    write_string(&mut out, s);
    out
}

/// Formats ms since the epoch as an IMF-fixdate (RFC 9110 §5.6.7), e.g.
/// `Sun, 06 Nov 1994 08:49:37 GMT` (Howard Hinnant's civil_from_days).
fn imf_fixdate(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!(
        "{weekday}, {day:02} {month} {year:04} {:02}:{:02}:{:02} GMT",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[test]
fn the_date_formatter_matches_the_rfc_example() {
    assert_eq!(imf_fixdate(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(imf_fixdate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(imf_fixdate(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
}

fn grant(token: &str, expires_in: f64) -> TokenGrant {
    TokenGrant {
        access_token: Secret::new(token),
        refresh_token: None,
        expires_in_seconds: expires_in,
        scope: None,
    }
}

proptest! {
    #[test]
    fn any_string_round_trips_through_the_json_writer_and_a_json_parser(s in any::<String>()) {
        let value: Result<String, _> = serde_json::from_str(&json_str(&s));
        prop_assert_eq!(value.ok(), Some(s.clone()));
        // As a key, `s` must not be one of the other two: a repeated key's last value wins.
        prop_assume!(s != "k" && s != "none");
        let object = write_object(&[("k", Some(&s)), ("none", None), (&s, Some("v"))]);
        let parsed = Json::from_text(&object);
        prop_assert_eq!(parsed.get("k").and_then(Value::as_str), Some(s.as_str()));
        prop_assert_eq!(parsed.get("none"), None);
    }

    #[test]
    fn token_responses_never_panic_and_non_2xx_is_an_error_with_that_status(
        status in any::<u16>(),
        body in body(),
        retry_after in proptest::option::of(0.0..1e6f64),
    ) {
        let redactor = Redactor::new();
        let body = Json::from_text(&body);
        match parse_token_response(status, &body, retry_after, &redactor) {
            Ok(g) => {
                prop_assert!((200..300).contains(&status));
                prop_assert!(!g.access_token.expose().is_empty());
                prop_assert!(g.access_token.expose().bytes().all(|b| (0x21..0x7f).contains(&b)));
                prop_assert!(g.expires_in_seconds >= 1.0 && g.expires_in_seconds <= 365.0 * 86_400.0);
            }
            Err(e) => {
                if !(200..300).contains(&status) {
                    prop_assert_eq!(e.status, Some(status));
                    prop_assert_eq!(e.retry_after_seconds, retry_after);
                }
            }
        }
        for endpoint in [true, false] {
            let e = classify_error_response(status, &body, retry_after, &redactor, endpoint);
            prop_assert_eq!(e.status, Some(status));
        }
    }

    #[test]
    fn server_text_never_carries_a_secret_into_an_error(
        status in 400u16..600,
        secrets in proptest::collection::vec(secret(), 1..4),
        pick in any::<proptest::sample::Index>(),
        before in "[ -~]{0,20}",
        after in "[ -~]{0,20}",
        padding in 0usize..600,
    ) {
        let mut redactor = Redactor::new();
        for s in &secrets {
            redactor.add(&Secret::new(s.clone()));
        }
        let s = pick.get(&secrets);
        // The secret in the error, in the description, and straddling its 512-character cut.
        let description = format!("{before}{s}{after} {}{s}", "x".repeat(padding));
        let body = Json::from_text(&write_object(&[("error", Some(&format!("{before}{s}"))), ("error_description", Some(&description))]));
        for endpoint in [true, false] {
            let e = classify_error_response(status, &body, None, &redactor, endpoint);
            for text in [Some(&e.message), e.description.as_ref(), e.oauth_error.as_ref()].into_iter().flatten() {
                for secret in &secrets {
                    prop_assert!(!text.contains(secret.as_str()), "{} in {}", secret, text);
                    // Not even the first half of one, cut off at the description's limit.
                    prop_assert!(!text.contains(&secret[..secret.len() / 2 + 1]), "part of {} in {}", secret, text);
                }
            }
        }
    }

    #[test]
    fn the_retry_delay_is_within_half_cap_and_cap_and_stops_at_max(
        max_retries in 0u32..=10,
        retries_done in 0u32..40,
        jitter in 0.0..1.0f64,
        status in prop::sample::select(vec![408u16, 429, 500, 502, 503, 504]),
    ) {
        let policy = RetryPolicy::new(max_retries);
        let delay = policy.delay_ms(retries_done, Failure::Status(status), None, jitter, true);
        if retries_done >= max_retries {
            prop_assert_eq!(delay, None);
        } else {
            let cap = (policy.base_delay_ms * 2f64.powi(retries_done as i32)).min(policy.max_delay_ms);
            let delay = delay.expect("a retryable status within max_retries is retried");
            prop_assert!(delay >= cap / 2.0 && delay <= cap, "{} not in [{}, {}]", delay, cap / 2.0, cap);
        }
    }

    #[test]
    fn retry_after_seconds_parse_as_that_number(n in any::<u32>(), pad in " {0,2}") {
        prop_assert_eq!(parse_retry_after(&format!("{pad}{n}{pad}"), 0.0), Some(f64::from(n)));
    }

    #[test]
    fn retry_after_http_dates_parse_to_the_delay(
        date_s in 0i64..253_402_300_800, // 1970 to 9999
        offset_ms in -10_000_000i64..10_000_000,
    ) {
        let now_ms = (date_s * 1000 - offset_ms) as f64;
        let date = imf_fixdate(date_s);
        let expected = (offset_ms as f64 / 1000.0).ceil().max(0.0);
        prop_assert_eq!(parse_retry_after(&date, now_ms), Some(expected), "{}", date);
    }

    #[test]
    fn retry_after_never_panics_and_is_finite(value in any::<String>(), now in -1e15..1e15f64) {
        if let Some(seconds) = parse_retry_after(&value, now) {
            prop_assert!(seconds.is_finite() && seconds >= 0.0);
        }
    }

    #[test]
    fn config_validation_never_panics_nor_echoes_a_secret(
        api_key in proptest::option::of(prop_oneof![secret(), Just(String::new()), "sk_[ -~]{0,8}\n"]),
        client_secret in proptest::option::of(prop_oneof![secret(), Just(String::new()), "sk_é[a-z]{8}"]),
        refresh_token in proptest::option::of(prop_oneof![secret(), Just(String::new())]),
        tenant in proptest::option::of("[ -~]{0,8}"),
        client_id in proptest::option::of("[ -~]{0,8}"),
        environment in proptest::option::of(prop::sample::select(vec!["production", "staging", "prod", ""])),
        url in proptest::option::of(prop_oneof![
            Just("http://localhost:1/".to_owned()),
            Just("https://a.b/x".to_owned()),
            Just("http://evil.example".to_owned()),
            "(https?|ftp)://[ -~]{0,12}",
        ]),
        leeway in proptest::option::of(prop_oneof![any::<f64>(), 0.0..100_000.0f64]),
        timeout in proptest::option::of(prop_oneof![any::<f64>(), 0.0..700_000.0f64]),
        retries in proptest::option::of(prop_oneof![any::<f64>(), 0.0..12.0f64, (0u8..12).prop_map(f64::from)]),
    ) {
        let secrets: Vec<String> = [&api_key, &client_secret, &refresh_token]
            .into_iter().flatten().filter(|s| s.len() >= 4).cloned().collect();
        let result = Config::validate(ConfigInput {
            api_key,
            tenant,
            client_id,
            client_secret,
            refresh_token,
            environment: environment.map(str::to_owned),
            auth_url: url.clone(),
            api_url: url,
            store_key: None,
            max_response_bytes: None,
            refresh_leeway_seconds: leeway,
            timeout_ms: timeout,
            max_retries: retries,
            ..ConfigInput::default()
        });
        let shown = match result {
            Ok(c) => {
                prop_assert!(c.timeout_ms >= 1.0 && c.timeout_ms <= 600_000.0);
                prop_assert!(c.leeway_ms >= 0.0 && c.leeway_ms <= 86_400_000.0);
                prop_assert!(c.max_retries <= 10);
                prop_assert!(!c.store_key.is_empty());
                format!("{c:?}")
            }
            Err(e) => e.message,
        };
        for s in &secrets {
            prop_assert!(!shown.contains(s.as_str()), "{} shown in {}", s, shown);
        }
    }

    #[test]
    fn the_redactor_leaves_no_added_secret(
        secrets in proptest::collection::vec("[a-z\\[\\]0-9]{1,10}", 1..5),
        pieces in proptest::collection::vec(("[ -~]{0,6}", any::<proptest::sample::Index>()), 0..8),
    ) {
        let mut redactor = Redactor::new();
        for s in &secrets {
            redactor.add(&Secret::new(s.clone()));
        }
        let text: String = pieces.iter().map(|(t, i)| format!("{t}{}", i.get(&secrets))).collect();
        let out = redactor.redact(&text);
        for s in secrets.iter().filter(|s| s.len() >= 4 && !overlaps_marker(s)) {
            prop_assert!(!out.contains(s.as_str()), "{} in {} (from {})", s, out, text);
        }
    }

    #[test]
    fn freshness_is_fresh_then_renewable_then_missing(
        granted_at in 0u64..4_000_000_000_000,
        expires_in in 1u32..=31_536_000,
        leeway_fraction in 0.0..1.0f64,
        probe_fraction in 0.0..1.0f64,
    ) {
        let e_ms = f64::from(expires_in) * 1000.0;
        let leeway_ms = (e_ms * leeway_fraction).floor(); // l < e
        let now = granted_at as f64;
        let mut cache = TokenCache::new(leeway_ms, None, true);
        cache.on_grant(grant("tok", f64::from(expires_in)), now);
        let expiry = now + e_ms;
        let token = HeldToken { token: Secret::new("tok"), generation: 1 };
        let fresh_until = expiry - leeway_ms;
        // A probe in each window, plus the edges.
        let in_fresh = (now + (fresh_until - now) * probe_fraction).floor().min(fresh_until - 1.0);
        prop_assert_eq!(cache.freshness(now), Freshness::Fresh(token.clone()));
        prop_assert_eq!(cache.freshness(in_fresh.max(now)), Freshness::Fresh(token.clone()));
        prop_assert_eq!(cache.freshness(fresh_until - 1.0), Freshness::Fresh(token.clone()));
        if leeway_ms > 0.0 {
            let in_renewable = (fresh_until + leeway_ms * probe_fraction).floor();
            prop_assert_eq!(cache.freshness(fresh_until), Freshness::Renewable(token.clone()));
            prop_assert_eq!(cache.freshness(in_renewable), Freshness::Renewable(token.clone()));
            prop_assert_eq!(cache.freshness(expiry - 1.0), Freshness::Renewable(token.clone()));
        }
        prop_assert_eq!(cache.freshness(expiry), Freshness::Missing);
        prop_assert_eq!(cache.freshness(expiry + e_ms * probe_fraction), Freshness::Missing);
    }

    #[test]
    fn invalidating_another_generation_never_clears_the_current_one(
        first in "[!-~]{1,16}",
        second in "[!-~]{1,16}",
        stale in 0u64..1,
        now in 0.0..1e12f64,
    ) {
        // Whatever the texts (the same or not), only the current generation's 401 clears it.
        let mut cache = TokenCache::new(0.0, None, true);
        let old = cache.on_grant(grant(&first, 60.0), now);
        let current = cache.on_grant(grant(&second, 60.0), now);
        prop_assert!(!cache.invalidate_if_current(old + stale * 1000));
        let held = HeldToken { token: Secret::new(second.clone()), generation: current };
        prop_assert_eq!(cache.freshness(now), Freshness::Fresh(held));
        prop_assert!(cache.invalidate_if_current(current));
        prop_assert_eq!(cache.freshness(now), Freshness::Missing);
    }

    #[test]
    fn stored_tokens_round_trip(
        access in "[!-~]{1,32}",
        refresh in proptest::option::of("[!-~]{1,32}"),
        expires_at in 1u64..9_007_199_254_740_992,
        scope in proptest::option::of(any::<String>()),
    ) {
        let stored = StoredToken {
            access_token: Secret::new(access),
            refresh_token: refresh.map(Secret::new),
            expires_at_ms: expires_at as f64,
            scope,
        };
        prop_assert_eq!(StoredToken::decode(&Json::from_text(&stored.encode())), Some(stored));
    }
}
