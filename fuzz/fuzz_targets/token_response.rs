//! `parse_token_response` and `classify_error_response` on any status, body and Retry-After:
//! never a panic; a success is a usable token; no secret survives into an error's text.
//!
//! Input layout: status (u16 LE), flags (bit 0: token endpoint, bits 1-3: number of secret
//! spans), Retry-After (f64 LE bits, 8 bytes; NaN bits mean none), then 3 bytes per secret span
//! (start u16 LE, length u8) into the body, then the body (lossy UTF-8).
#![no_main]

use andopen_client::core::error::{ClientError, ErrorCode};
use andopen_client::core::json::Json;
use andopen_client::core::secret::{Redactor, Secret};
use andopen_client::core::token_response::{classify_error_response, parse_token_response};
use andopen_client_fuzz::leaked;
use libfuzzer_sys::fuzz_target;

const TOKEN_RESPONSE_SOURCE: &str = include_str!("../../src/core/token_response.rs");
const ONE_YEAR_SECONDS: f64 = 365.0 * 86_400.0;

fuzz_target!(|data: &[u8]| {
    if data.len() < 11 {
        return;
    }
    let status = u16::from_le_bytes([data[0], data[1]]);
    let flags = data[2];
    let token_endpoint = flags & 1 == 1;
    let spans = usize::from((flags >> 1) & 7);
    let retry_after = f64::from_le_bytes(data[3..11].try_into().unwrap());
    let retry_after = (!retry_after.is_nan()).then_some(retry_after);
    let rest = &data[11..];
    let (span_bytes, body) = rest.split_at((spans * 3).min(rest.len()));
    let body = String::from_utf8_lossy(body);

    // Secrets: a fixed client secret plus slices of the body, so the fuzzer can make the
    // server echo them.
    let chars: Vec<char> = body.chars().collect();
    let mut secrets = vec!["client-secret-xyz".to_owned()];
    for span in span_bytes.chunks_exact(3) {
        if chars.is_empty() {
            break;
        }
        let start = usize::from(u16::from_le_bytes([span[0], span[1]])) % chars.len();
        let len = 4 + usize::from(span[2]) % 40;
        secrets.push(chars[start..].iter().take(len).collect());
    }
    let mut redactor = Redactor::new();
    for s in &secrets {
        redactor.add(&Secret::new(s.clone()));
    }

    let check_error = |e: &ClientError| {
        for text in [
            Some(&e.message),
            e.description.as_ref(),
            e.oauth_error.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(s) = leaked(&secrets, text) {
                // An invalid_response message is fixed text ("token response is not JSON"):
                // a "secret" that is a piece of it ("toke") is not a leak. Every other error
                // carries server text and must be redacted as a whole.
                let fixed_text =
                    e.code == ErrorCode::InvalidResponse && TOKEN_RESPONSE_SOURCE.contains(s);
                assert!(fixed_text, "secret {s:?} leaked into {text:?}");
            }
        }
    };

    let json = Json::from_text(&body);
    match parse_token_response(status, &json, retry_after, &redactor) {
        Ok(grant) => {
            assert!((200..300).contains(&status));
            let token = grant.access_token.expose();
            assert!(!token.is_empty() && token.bytes().all(|b| (0x21..0x7f).contains(&b)));
            if let Some(r) = &grant.refresh_token {
                let r = r.expose();
                assert!(!r.is_empty() && r.bytes().all(|b| (0x21..0x7f).contains(&b)));
            }
            let e = grant.expires_in_seconds;
            assert!(
                e.is_finite() && (1.0..=ONE_YEAR_SECONDS).contains(&e),
                "{e}"
            );
        }
        Err(e) => {
            if !(200..300).contains(&status) {
                assert_eq!(e.status, Some(status));
                assert_eq!(
                    e.retry_after_seconds.map(f64::to_bits),
                    retry_after.map(f64::to_bits)
                );
            }
            check_error(&e);
        }
    }
    for endpoint in [token_endpoint, !token_endpoint] {
        let e = classify_error_response(status, &json, retry_after, &redactor, endpoint);
        assert_eq!(e.status, Some(status));
        check_error(&e);
    }
});
