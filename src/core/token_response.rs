//! Classifies whatever the auth or API server answered: a token, an RFC 6749 §5.2 error, or
//! something else (HTML, empty, truncated, wrong shape) — never a panic.

use super::decimal::{decimal, parse_decimal};
use super::error::{ClientError, ErrorCode};
use super::json::{Json, Value};
use super::secret::{Redactor, Secret};
use super::text::first_chars;

/// A successful token response, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenGrant {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub expires_in_seconds: f64,
    pub scope: Option<String>,
}

/// Tokens claiming to live longer than a year are capped: a huge `expires_in` must not keep a
/// revoked token alive for ever or overflow the expiry arithmetic.
const MAX_EXPIRES_IN_SECONDS: f64 = 365.0 * 86_400.0;

/// Parses the auth server's answer to a token request.
pub fn parse_token_response(
    status: u16,
    body: &Json,
    retry_after_seconds: Option<f64>,
    redactor: &Redactor,
) -> Result<TokenGrant, ClientError> {
    if !(200..300).contains(&status) {
        return Err(classify_error_response(
            status,
            body,
            retry_after_seconds,
            redactor,
            true,
        ));
    }
    let invalid = |why: &str| {
        let mut e = ClientError::new(
            ErrorCode::InvalidResponse,
            ["token response ", why].concat(),
        );
        e.status = Some(status);
        e
    };
    match body {
        Json::Invalid => return Err(invalid("is not JSON")),
        Json::NotObject => return Err(invalid("is not a JSON object")),
        Json::Object(_) => {}
    }
    // Some servers answer 200 with an error body.
    if body.get("error").is_some() {
        return Err(classify_error_response(status, body, None, redactor, true));
    }
    let access_token = body
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| is_token_value(t))
        .ok_or_else(|| invalid("has no usable access_token"))?;
    // The seed shows "bearer"; RFC 6749 §5.1 makes token_type case-insensitive.
    match body.get("token_type").and_then(Value::as_str) {
        Some(t) if t.eq_ignore_ascii_case("bearer") => {}
        _ => return Err(invalid("token_type is not bearer")),
    }
    let expires_in = match body.get("expires_in") {
        Some(Value::Number(n)) => *n,
        // Some servers send the number as a string; accept digits only.
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            parse_decimal(s).map(|n| n as f64).unwrap_or(f64::MAX) // all digits: only too big
        }
        _ => return Err(invalid("has no numeric expires_in")),
    };
    // `JSON.parse` reads 1e999 as Infinity: a lifetime no server means.
    if !expires_in.is_finite() || expires_in < 1.0 {
        return Err(invalid("expires_in is not a positive number of seconds"));
    }
    let refresh_token = match body.get("refresh_token") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if is_token_value(t) => Some(Secret::new(t.clone())),
        Some(_) => return Err(invalid("refresh_token is not a token string")),
    };
    let scope = match body.get("scope") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    Ok(TokenGrant {
        access_token: Secret::new(access_token),
        refresh_token,
        expires_in_seconds: expires_in.floor().min(MAX_EXPIRES_IN_SECONDS),
        scope,
    })
}

/// The most the client reads of a token response or an error body (docs/API.md: 64 KB). A longer
/// body is `invalid_response` and is read no further, so a hostile server cannot grow the wasm
/// memory (which never shrinks) by sending megabytes.
pub const MAX_BODY_BYTES: u32 = 64 * 1024;

/// The longest access or refresh token accepted, from the network or a store alike.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// A token travels in an HTTP header (`Authorization: Bearer …`), so it must be visible ASCII.
/// The one rule for tokens, wherever they come from (a response or a store).
pub fn is_token_value(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= MAX_TOKEN_BYTES
        && token.bytes().all(|b| (0x21..0x7f).contains(&b))
}

/// The HTTP status decides the code (429 → `rate_limited`, 5xx → `server_error`, 3xx and other
/// statuses by `ErrorCode::for_status`), so a body cannot make a retryable answer final. The
/// body's RFC 6749 §5.2 `error` only refines what the token endpoint answered with a 4xx (or,
/// for servers that do so, a 2xx): a refused client or grant. Everywhere else it is kept in
/// `oauthError` and nothing more.
fn error_code(status: u16, oauth_error: Option<&str>, token_endpoint: bool) -> ErrorCode {
    let refinable = token_endpoint && status != 429 && matches!(status, 200..=299 | 400..=499);
    match (oauth_error, status) {
        (Some("invalid_client"), _) if refinable => ErrorCode::InvalidClient,
        (Some("invalid_grant"), _) if refinable => ErrorCode::InvalidGrant,
        // RFC 6749 §5.2: a client the server will not serve is, for us, a refused client.
        (Some("unauthorized_client" | "access_denied"), _) if refinable => ErrorCode::InvalidClient,
        // RFC 6749 §5.2: failed client authentication may be a bare 401.
        (_, 401) if token_endpoint => ErrorCode::InvalidClient,
        (_, 200..=299) => ErrorCode::InvalidResponse,
        (_, status) => ErrorCode::for_status(status),
    }
}

/// Turns a non-2xx answer into an error: the RFC 6749 §5.2 `error` where the body has one,
/// else the status's code. `token_endpoint` maps a bare 401 to `invalid_client`, as RFC 6749
/// §5.2 does for failed client authentication.
pub fn classify_error_response(
    status: u16,
    body: &Json,
    retry_after_seconds: Option<f64>,
    redactor: &Redactor,
    token_endpoint: bool,
) -> ClientError {
    let oauth_error = body
        .get("error")
        .and_then(Value::as_str)
        .filter(|e| e.len() <= 128 && e.bytes().all(|b| (0x20..0x7f).contains(&b)))
        .map(str::to_owned);
    let description = body
        .get("error_description")
        .and_then(Value::as_str)
        // Redacted before it is cut: cutting first could leave the start of a secret.
        .map(|d| first_chars(&redactor.redact(d), 512).to_owned());
    let code = error_code(status, oauth_error.as_deref(), token_endpoint);
    let what = if token_endpoint {
        "token request"
    } else {
        "API request"
    };
    let mut message = [what, " failed with HTTP ", &decimal(status.into())].concat();
    if let Some(e) = &oauth_error {
        message.push_str(": ");
        message.push_str(&redactor.redact(e));
    }
    if let Some(d) = &description {
        message.push_str(" (");
        message.push_str(d);
        message.push(')');
    }
    // The assembled text is redacted again: a secret can also straddle the joins or match the
    // fixed words around them.
    let mut error = ClientError::for_status(code, status, redactor.redact(&message));
    error.oauth_error = oauth_error.map(|e| redactor.redact(&e));
    error.description = description;
    error.retry_after_seconds = retry_after_seconds;
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, body: &str) -> Result<TokenGrant, ClientError> {
        let mut r = Redactor::new();
        r.add(&Secret::new("client-secret-xyz"));
        parse_token_response(status, &Json::from_text(body), None, &r)
    }

    fn code(status: u16, body: &str) -> ErrorCode {
        parse(status, body).expect_err("must fail").code
    }

    #[test]
    fn accepts_the_seed_response() {
        let g = parse(200, r#"{"token_type":"bearer","expires_in":4000,"access_token":"eyJ.a.b","refresh_token":"...dae1","scope":null}"#)
            .expect("seed response");
        assert_eq!(g.access_token.expose(), "eyJ.a.b");
        assert_eq!(
            g.refresh_token.as_ref().map(Secret::expose),
            Some("...dae1")
        );
        assert_eq!((g.expires_in_seconds, g.scope), (4000.0, None));
    }

    #[test]
    fn tolerates_case_optional_refresh_string_expiry_and_fractions() {
        let g = parse(
            200,
            r#"{"token_type":"Bearer","expires_in":"120","access_token":"t","scope":"read write"}"#,
        )
        .expect("ok");
        assert_eq!(
            (g.expires_in_seconds, g.scope.as_deref(), g.refresh_token),
            (120.0, Some("read write"), None)
        );
        let g = parse(
            200,
            r#"{"token_type":"BEARER","expires_in":59.9,"access_token":"t"}"#,
        )
        .expect("ok");
        assert_eq!(g.expires_in_seconds, 59.0);
        let g = parse(
            200,
            r#"{"token_type":"bearer","expires_in":1e300,"access_token":"t"}"#,
        )
        .expect("ok");
        assert_eq!(g.expires_in_seconds, MAX_EXPIRES_IN_SECONDS);
    }

    #[test]
    fn classifies_malformed_success_bodies_as_invalid_response() {
        for body in [
            "",
            "<html><body>Bad gateway</body></html>",
            r#"{"token_type":"bearer","expires_in":40"#,
            "[1,2]",
            "\"just a string\"",
            r#"{"token_type":"mac","expires_in":10,"access_token":"t"}"#,
            r#"{"expires_in":10,"access_token":"t"}"#,
            r#"{"token_type":"bearer","access_token":"t"}"#,
            r#"{"token_type":"bearer","expires_in":0,"access_token":"t"}"#,
            r#"{"token_type":"bearer","expires_in":-5,"access_token":"t"}"#,
            r#"{"token_type":"bearer","expires_in":"soon","access_token":"t"}"#,
            r#"{"token_type":"bearer","expires_in":10,"access_token":""}"#,
            r#"{"token_type":"bearer","expires_in":10,"access_token":"a b"}"#,
            r#"{"token_type":"bearer","expires_in":10,"access_token":"a\nb"}"#,
            r#"{"token_type":"bearer","expires_in":10,"access_token":42}"#,
            r#"{"token_type":"bearer","expires_in":10,"access_token":"t","refresh_token":7}"#,
        ] {
            let e = parse(200, body).expect_err(body);
            assert_eq!(e.code, ErrorCode::InvalidResponse, "{body}");
            assert_eq!(e.status, Some(200));
            assert!(!e.retryable);
        }
        // JSON.parse reads 1e999 as Infinity (serde_json refuses it).
        let infinite = Json::Object(vec![
            ("token_type".into(), Value::String("bearer".into())),
            ("expires_in".into(), Value::Number(f64::INFINITY)),
            ("access_token".into(), Value::String("t".into())),
        ]);
        let e = parse_token_response(200, &infinite, None, &Redactor::new()).expect_err("Infinity");
        assert_eq!(e.code, ErrorCode::InvalidResponse);
    }

    #[test]
    fn classifies_rfc6749_errors_on_any_status() {
        assert_eq!(
            code(400, r#"{"error":"invalid_grant"}"#),
            ErrorCode::InvalidGrant
        );
        assert_eq!(
            code(401, r#"{"error":"invalid_client"}"#),
            ErrorCode::InvalidClient
        );
        assert_eq!(code(401, ""), ErrorCode::InvalidClient);
        assert_eq!(
            code(200, r#"{"error":"invalid_grant"}"#),
            ErrorCode::InvalidGrant
        );
        assert_eq!(
            parse(200, r#"{"error":"invalid_grant"}"#)
                .expect_err("error body")
                .status,
            Some(200),
            "the real HTTP status, not a made-up 400"
        );
        assert_eq!(
            code(400, r#"{"error":"unsupported_grant_type"}"#),
            ErrorCode::HttpError
        );
        assert_eq!(code(403, "<html>nope</html>"), ErrorCode::Forbidden);
        assert_eq!(code(404, ""), ErrorCode::NotFound);
        assert_eq!(code(429, "slow down"), ErrorCode::RateLimited);
        assert_eq!(
            code(503, r#"{"error":"temporarily_unavailable"}"#),
            ErrorCode::ServerError
        );
        let e = parse(
            400,
            r#"{"error":"invalid_client","error_description":"secret client-secret-xyz is wrong"}"#,
        )
        .expect_err("error");
        assert_eq!(e.oauth_error.as_deref(), Some("invalid_client"));
        assert_eq!(e.description.as_deref(), Some("secret [redacted] is wrong"));
        assert!(!e.message.contains("client-secret-xyz"));
        assert!(!e.retryable);
    }

    #[test]
    fn retryability_and_retry_after_are_carried() {
        let e = parse_token_response(429, &Json::Invalid, Some(3.0), &Redactor::new())
            .expect_err("429");
        assert!(e.retryable);
        assert_eq!(e.retry_after_seconds, Some(3.0));
        assert!(
            parse_token_response(502, &Json::from_text("<html>"), None, &Redactor::new())
                .expect_err("502")
                .retryable
        );
    }

    #[test]
    fn no_secret_or_start_of_one_survives_in_error_texts() {
        // Found by fuzzing (fuzz/fuzz_targets/token_response.rs): a secret was looked for only
        // in the server's pieces, so one matching the fixed text ("token request failed with
        // HTTP 65525" and the secret "oken") or spanning " (" stayed in the message; and the
        // description was cut to 512 characters before redaction, leaving a secret's start.
        let mut r = Redactor::new();
        for s in ["oken", "bad (sk_1", "sk_live_0123456789"] {
            r.add(&Secret::new(s));
        }
        let e = classify_error_response(65525, &Json::Invalid, None, &r, true);
        assert_eq!(e.message, "t[redacted] request failed with HTTP 65525");
        let body = format!(
            r#"{{"error":"bad","error_description":"sk_1 {}sk_live_0123456789"}}"#,
            "x".repeat(490)
        );
        let e = classify_error_response(400, &Json::from_text(&body), None, &r, true);
        let description = e.description.expect("description");
        assert_eq!(description, format!("sk_1 {}[redacted]", "x".repeat(490)));
        assert!(e.message.contains(": [redacted] xxx"), "{}", e.message);
        assert!(!e.message.contains("sk_live_0"), "{}", e.message);
    }

    #[test]
    fn the_status_decides_and_the_body_only_refines_a_token_4xx() {
        for (status, body, want) in [
            (503, r#"{"error":"invalid_client"}"#, ErrorCode::ServerError),
            (429, r#"{"error":"invalid_client"}"#, ErrorCode::RateLimited),
            (500, r#"{"error":"invalid_grant"}"#, ErrorCode::ServerError),
            (302, r#"{"error":"invalid_grant"}"#, ErrorCode::HttpError),
            (400, r#"{"error":"invalid_grant"}"#, ErrorCode::InvalidGrant),
            (
                403,
                r#"{"error":"invalid_client"}"#,
                ErrorCode::InvalidClient,
            ),
        ] {
            let e = parse(status, body).expect_err(body);
            assert_eq!((e.code, e.status), (want, Some(status)), "{status} {body}");
            assert_eq!(e.retryable, matches!(status, 429 | 503 | 500), "{status}");
            assert!(
                e.oauth_error.is_some(),
                "oauthError keeps what the body said"
            );
        }
        // On the API, the body never changes the code.
        for (status, want) in [
            (404, ErrorCode::NotFound),
            (503, ErrorCode::ServerError),
            (429, ErrorCode::RateLimited),
        ] {
            let e = classify_error_response(
                status,
                &Json::from_text(r#"{"error":"invalid_grant"}"#),
                None,
                &Redactor::new(),
                false,
            );
            assert_eq!(e.code, want, "{status}");
            assert_eq!(e.oauth_error.as_deref(), Some("invalid_grant"));
        }
    }

    #[test]
    fn api_errors_use_the_status_code() {
        let e = classify_error_response(
            401,
            &Json::from_text(r#"{"error":"invalid_token"}"#),
            None,
            &Redactor::new(),
            false,
        );
        assert_eq!(
            (e.code, e.oauth_error.as_deref()),
            (ErrorCode::Unauthorized, Some("invalid_token"))
        );
        let e = classify_error_response(418, &Json::Invalid, None, &Redactor::new(), false);
        assert_eq!((e.code, e.status), (ErrorCode::HttpError, Some(418)));
    }
}
