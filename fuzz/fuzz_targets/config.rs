//! `Config::validate` on any combination of options never panics; a valid config has safe URLs,
//! bounded numbers and a store key, and its `Debug` output does not depend on the secrets.
#![no_main]

use andopen_client::core::config::{Config, ConfigInput, MAX_OPTION_BYTES};
use andopen_client::core::secret::Secret;
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

/// A number option: mostly small whole numbers (the interesting range), sometimes any f64.
#[derive(Arbitrary, Debug)]
enum Num {
    Small(u8),
    Thousands(u16),
    Any(f64),
}

impl Num {
    fn value(&self) -> f64 {
        match *self {
            Num::Small(n) => f64::from(n),
            Num::Thousands(n) => f64::from(n) * 1000.0,
            Num::Any(n) => n,
        }
    }
}

/// A URL option: a scheme and host the fuzzer picks from, or any text.
#[derive(Arbitrary, Debug)]
enum Url {
    Parts { https: bool, host: u8, rest: String },
    Any(String),
}

impl Url {
    fn text(&self) -> String {
        match self {
            Url::Parts { https, host, rest } => {
                let scheme = if *https { "https" } else { "http" };
                let host = [
                    "localhost",
                    "127.0.0.1",
                    "[::1]",
                    "a.b",
                    "[::1",
                    "LOCALHOST",
                ][usize::from(*host) % 6];
                format!("{scheme}://{host}{rest}")
            }
            Url::Any(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    api_key: Option<String>,
    tenant: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    refresh_token: Option<String>,
    environment: Option<u8>,
    auth_url: Option<Url>,
    api_url: Option<Url>,
    store_key: Option<String>,
    refresh_leeway_seconds: Option<Num>,
    timeout_ms: Option<Num>,
    max_retries: Option<Num>,
}

/// https, or http to a loopback host (the port is not checked here: a bad one cannot reach
/// another host, fetch refuses the URL).
fn is_safe_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return lower.len() > "https://".len();
    }
    let Some(rest) = lower.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or("");
    let host = match authority.strip_prefix("[::1]") {
        Some(port) if port.is_empty() || port.starts_with(':') => "[::1]",
        Some(_) => return false,
        None => authority.split(':').next().unwrap_or(""),
    };
    ["localhost", "127.0.0.1", "[::1]"].contains(&host)
}

fuzz_target!(|input: Input| {
    let config_input = ConfigInput {
        api_key: input.api_key.clone(),
        tenant: input.tenant.clone(),
        client_id: input.client_id.clone(),
        client_secret: input.client_secret.clone(),
        refresh_token: input.refresh_token.clone(),
        environment: input.environment.map(|e| match e % 4 {
            0 => "production".to_owned(),
            1 => "staging".to_owned(),
            2 => "Production".to_owned(),
            _ => String::new(),
        }),
        auth_url: input.auth_url.as_ref().map(Url::text),
        api_url: input.api_url.as_ref().map(Url::text),
        store_key: input.store_key.clone(),
        refresh_leeway_seconds: input.refresh_leeway_seconds.as_ref().map(Num::value),
        timeout_ms: input.timeout_ms.as_ref().map(Num::value),
        max_retries: input.max_retries.as_ref().map(Num::value),
        // The oauth2 profile's options and maxResponseBytes are not fuzzed here.
        ..ConfigInput::default()
    };
    let config_input_copy = config_input.clone();
    match Config::validate(config_input) {
        Ok(c) => {
            assert!(is_safe_url(&c.token_url), "token_url {:?}", c.token_url);
            assert!(is_safe_url(&c.api_url), "api_url {:?}", c.api_url);
            assert!(c.token_url.ends_with("/auth/token") && !c.api_url.ends_with('/'));
            assert!(c.timeout_ms.is_finite() && (1.0..=600_000.0).contains(&c.timeout_ms));
            assert!(c.leeway_ms.is_finite() && (0.0..=86_400_000.0).contains(&c.leeway_ms));
            assert!(c.max_retries <= 10);
            assert!(!c.store_key.is_empty());
            assert!(c.client_id.is_some() || c.initial_refresh_token.is_some());
            // Debug must not depend on the secrets: the same config with other secret values
            // prints the same, and so never shows one (unless non-secret fields hold it too).
            let shown = format!("{c:?}");
            let mut scrubbed = c.clone();
            scrubbed.api_key = c.api_key.as_ref().map(|_| Secret::new("A"));
            scrubbed.client_secret = c.client_secret.as_ref().map(|_| Secret::new("B"));
            scrubbed.initial_refresh_token =
                c.initial_refresh_token.as_ref().map(|_| Secret::new("C"));
            assert_eq!(shown, format!("{scrubbed:?}"));
        }
        Err(e) => {
            assert_eq!(e.code.as_str(), "invalid_config");
            // No secret is echoed: the same options with other secret values of the same kind
            // (empty, printable or not) give the same message. (A secret may still spell part
            // of a fixed text, e.g. "nt is required" in "tenant is required".)
            let mut other = config_input_copy;
            for secret in [
                &mut other.api_key,
                &mut other.client_secret,
                &mut other.refresh_token,
            ]
            .into_iter()
            .flatten()
            {
                // The kinds config.rs tells apart, in its order: blank (whitespace only, or
                // empty), too long, printable ASCII, anything else.
                *secret = if secret.trim().is_empty() {
                    " ".to_owned()
                } else if secret.len() > MAX_OPTION_BYTES {
                    "Z".repeat(MAX_OPTION_BYTES + 1)
                } else if secret.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                    "Z".to_owned()
                } else {
                    "\u{1}".to_owned()
                };
            }
            let other = Config::validate(other).expect_err("same kinds of values, same error");
            assert_eq!(e.message, other.message);
        }
    }
});
