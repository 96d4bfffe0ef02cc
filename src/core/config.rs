//! Validated configuration. The JS layer copies the options object into `ConfigInput`; every
//! check lives here so it is tested natively and a bad option is one `invalid_config` error.

use super::api_scope::authority;
use super::decimal::decimal;
use super::error::ClientError;
use super::secret::Secret;
use super::text::{find, split_once_byte, until, without_trailing_slashes};

/// The options as given, before any check. Numbers arrive as f64 because JS has no other.
#[derive(Default, Debug, Clone)]
pub struct ConfigInput {
    pub api_key: Option<String>,
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub refresh_token: Option<String>,
    pub environment: Option<String>,
    pub auth_url: Option<String>,
    pub api_url: Option<String>,
    pub store_key: Option<String>,
    pub refresh_leeway_seconds: Option<f64>,
    pub timeout_ms: Option<f64>,
    pub max_retries: Option<f64>,
    pub max_response_bytes: Option<f64>,
    pub profile: Option<String>,
    pub token_url: Option<String>,
    pub client_auth: Option<String>,
    pub scope: Option<String>,
    pub audience: Option<String>,
    pub resource: Option<String>,
}

/// Which server dialect the client speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// &Open: JSON token requests with `x-api-key`, the tenant in the body and in API headers.
    AndOpen,
    /// Any RFC 6749 server: form-encoded token requests (§4.4, §6), bearer-only API calls.
    OAuth2,
}

/// How an `oauth2` client authenticates at the token endpoint (RFC 6749 §2.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// HTTP Basic with the form-urlencoded id and secret (the RFC's default).
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Post,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub profile: Profile,
    /// Always present for &Open; optional (and then never sent) for `oauth2`.
    pub api_key: Option<Secret>,
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub initial_refresh_token: Option<Secret>,
    /// The token endpoint: `authUrl` + `/auth/token` for &Open, `tokenUrl` for `oauth2`.
    pub token_url: String,
    /// The API's base URL, without a trailing slash.
    pub api_url: String,
    pub client_auth: ClientAuth,
    /// `oauth2` token request parameters, sent when given.
    pub scope: Option<String>,
    pub audience: Option<String>,
    pub resource: Option<String>,
    pub store_key: String,
    pub leeway_ms: f64,
    pub timeout_ms: f64,
    pub max_retries: u32,
    /// The most `json()`/`ping()` read of a body; infinite (no cap) unless the caller sets one.
    pub max_response_bytes: f64,
}

pub const DEFAULT_LEEWAY_SECONDS: f64 = 60.0;
pub const DEFAULT_TIMEOUT_MS: f64 = 10_000.0;
pub const DEFAULT_MAX_RETRIES: u32 = 2;
const MAX_LEEWAY_SECONDS: f64 = 86_400.0;
const MAX_TIMEOUT_MS: f64 = 600_000.0;
const MAX_RETRIES: f64 = 10.0;
/// JS's `Number.MAX_SAFE_INTEGER`, the largest `maxResponseBytes` that is a whole number.
const MAX_RESPONSE_BYTES: f64 = 9_007_199_254_740_991.0;

impl Config {
    pub fn validate(given: ConfigInput) -> Result<Config, ClientError> {
        // Every check reads the input by reference, and the checked strings are moved out of it
        // after the last `?`: an early return then drops `given` as one value, not field by field
        // (which cost kilobytes of drop code in the .wasm, one copy per `?`), and no string is
        // copied.
        let input = &given;
        let profile = match input.profile.as_deref() {
            None | Some("andopen") => Profile::AndOpen,
            Some("oauth2") => Profile::OAuth2,
            Some(_) => {
                return Err(ClientError::config(
                    "profile must be \"andopen\" or \"oauth2\"",
                ))
            }
        };
        let endpoints = Endpoints::validate(profile, input)?;
        match profile {
            Profile::AndOpen => {
                required("apiKey", &input.api_key)?;
                required("tenant", &input.tenant)?;
            }
            Profile::OAuth2 => {
                optional("apiKey", &input.api_key)?;
                optional("tenant", &input.tenant)?;
            }
        }
        let client_id = optional("clientId", &input.client_id)?;
        let client_secret = optional("clientSecret", &input.client_secret)?;
        let refresh_token = optional("refreshToken", &input.refresh_token)?;
        if client_id.is_none() && refresh_token.is_none() {
            return Err(ClientError::config(
                "clientId is required unless refreshToken is given",
            ));
        }
        if client_secret.is_some() && client_id.is_none() {
            return Err(ClientError::config("clientSecret needs a clientId"));
        }
        if client_id.is_some() && client_secret.is_none() && refresh_token.is_none() {
            return Err(ClientError::config(
                "clientSecret is required unless refreshToken is given",
            ));
        }

        let leeway = number_in(
            "refreshLeewaySeconds",
            input.refresh_leeway_seconds,
            DEFAULT_LEEWAY_SECONDS,
            0.0,
            MAX_LEEWAY_SECONDS,
        )?;
        let timeout_ms = number_in(
            "timeoutMs",
            input.timeout_ms,
            DEFAULT_TIMEOUT_MS,
            1.0,
            MAX_TIMEOUT_MS,
        )?;
        let max_retries = number_in(
            "maxRetries",
            input.max_retries,
            DEFAULT_MAX_RETRIES as f64,
            0.0,
            MAX_RETRIES,
        )?;
        if max_retries.fract() != 0.0 {
            return Err(ClientError::config("maxRetries must be a whole number"));
        }

        let max_response_bytes = match input.max_response_bytes {
            None => f64::INFINITY,
            Some(n) if n.fract() == 0.0 => {
                number_in("maxResponseBytes", Some(n), 0.0, 1.0, MAX_RESPONSE_BYTES)?
            }
            Some(_) => {
                return Err(ClientError::config(
                    "maxResponseBytes must be a whole number",
                ))
            }
        };
        optional("storeKey", &input.store_key)?;

        // Checked above: each is the option as given, or None where the profile refuses it.
        let ConfigInput {
            api_key,
            tenant,
            client_id,
            client_secret,
            refresh_token,
            store_key,
            scope,
            audience,
            resource,
            ..
        } = given;
        let store_key = store_key.unwrap_or_else(|| {
            default_store_key(
                &endpoints.identity,
                tenant.as_deref().unwrap_or_default(),
                client_id.as_deref(),
                refresh_token.as_deref(),
            )
        });
        Ok(Config {
            profile,
            api_key: api_key.map(Secret::new),
            tenant,
            client_id,
            client_secret: client_secret.map(Secret::new),
            initial_refresh_token: refresh_token.map(Secret::new),
            token_url: endpoints.token_url,
            api_url: endpoints.api_url,
            client_auth: endpoints.client_auth,
            scope,
            audience,
            resource,
            store_key,
            leeway_ms: leeway * 1000.0,
            timeout_ms,
            max_retries: max_retries as u32,
            max_response_bytes,
        })
    }

    pub fn can_use_client_credentials(&self) -> bool {
        self.client_id.is_some() && self.client_secret.is_some()
    }
}

/// The profile's endpoints and token-request parameters, each option checked against the
/// profile: an option the profile does not use is refused rather than silently ignored.
struct Endpoints {
    token_url: String,
    api_url: String,
    /// What the default store key hashes for the server: the auth URL (&Open, unchanged so
    /// existing keys stay valid) or the token URL.
    identity: String,
    client_auth: ClientAuth,
}

impl Endpoints {
    fn validate(profile: Profile, input: &ConfigInput) -> Result<Endpoints, ClientError> {
        let only_for = |name: &str, given: bool, profile_name: &str| {
            if given {
                Err(ClientError::config(
                    [
                        name,
                        " is an option of profile: \"",
                        profile_name,
                        "\" only",
                    ]
                    .concat(),
                ))
            } else {
                Ok(())
            }
        };
        match profile {
            Profile::AndOpen => {
                only_for("tokenUrl", input.token_url.is_some(), "oauth2")?;
                only_for("clientAuth", input.client_auth.is_some(), "oauth2")?;
                only_for("scope", input.scope.is_some(), "oauth2")?;
                only_for("audience", input.audience.is_some(), "oauth2")?;
                only_for("resource", input.resource.is_some(), "oauth2")?;
                let (default_auth, default_api) =
                    match input.environment.as_deref().unwrap_or("production") {
                        "production" => ("https://auth.andopen.co", "https://api.andopen.co"),
                        // The seed names no staging API host; our decision.
                        "staging" => (
                            "https://staging.auth.andopen.co",
                            "https://staging.api.andopen.co",
                        ),
                        _ => {
                            return Err(ClientError::config(
                                "environment must be \"production\" or \"staging\"",
                            ))
                        }
                    };
                let auth_url =
                    base_url("authUrl", input.auth_url.as_deref().unwrap_or(default_auth))?;
                let api_url = base_url("apiUrl", input.api_url.as_deref().unwrap_or(default_api))?;
                Ok(Endpoints {
                    token_url: [auth_url.as_str(), "/auth/token"].concat(),
                    api_url,
                    identity: auth_url,
                    client_auth: ClientAuth::Basic,
                })
            }
            Profile::OAuth2 => {
                only_for("environment", input.environment.is_some(), "andopen")?;
                only_for("authUrl", input.auth_url.is_some(), "andopen")?;
                let token_url = input
                    .token_url
                    .as_deref()
                    .ok_or_else(|| ClientError::config("tokenUrl is required"))?;
                let token_url = base_url("tokenUrl", token_url)?;
                let api_url = input
                    .api_url
                    .as_deref()
                    .ok_or_else(|| ClientError::config("apiUrl is required"))?;
                let api_url = base_url("apiUrl", api_url)?;
                let client_auth =
                    match input.client_auth.as_deref() {
                        None | Some("client_secret_basic") => ClientAuth::Basic,
                        Some("client_secret_post") => ClientAuth::Post,
                        Some(_) => return Err(ClientError::config(
                            "clientAuth must be \"client_secret_basic\" or \"client_secret_post\"",
                        )),
                    };
                optional("scope", &input.scope)?;
                optional("audience", &input.audience)?;
                optional("resource", &input.resource)?;
                Ok(Endpoints {
                    identity: token_url.clone(),
                    token_url,
                    api_url,
                    client_auth,
                })
            }
        }
    }
}

fn required<'a>(name: &str, value: &'a Option<String>) -> Result<&'a str, ClientError> {
    optional(name, value)?.ok_or_else(|| ClientError::config([name, " is required"].concat()))
}

/// The longest credential, tenant or store key accepted. Real ones are far shorter; a longer
/// value would only fail later, as a retryable `network` error from a header the runtime refuses.
pub const MAX_OPTION_BYTES: usize = 4096;

/// Present values must be non-blank and fit in an HTTP header: a newline in a credential would
/// otherwise surface later as an opaque fetch TypeError (or worse, a header injection).
fn optional<'a>(name: &str, value: &'a Option<String>) -> Result<Option<&'a str>, ClientError> {
    match value.as_deref() {
        None => Ok(None),
        Some(v) if v.trim_ascii().is_empty() => {
            Err(ClientError::config([name, " must not be blank"].concat()))
        }
        Some(v) if v.len() > MAX_OPTION_BYTES => Err(ClientError::config(
            [
                name,
                " must be at most ",
                &decimal(MAX_OPTION_BYTES as u64),
                " bytes",
            ]
            .concat(),
        )),
        Some(v) if !v.bytes().all(|b| (0x20..0x7f).contains(&b)) => Err(ClientError::config(
            [name, " must be printable ASCII"].concat(),
        )),
        Some(v) => Ok(Some(v)),
    }
}

fn number_in(
    name: &str,
    value: Option<f64>,
    default: f64,
    min: f64,
    max: f64,
) -> Result<f64, ClientError> {
    let value = value.unwrap_or(default);
    if value.is_finite() && value >= min && value <= max {
        Ok(value)
    } else {
        // Whole-number bounds, printed as integers: f64's Display would add ~25 KB to the .wasm.
        Err(ClientError::config(
            [
                name,
                " must be a number from ",
                &decimal(min as u64),
                " to ",
                &decimal(max as u64),
            ]
            .concat(),
        ))
    }
}

/// Checks a base URL: https, or http on a loopback host (docs/API.md, Security). Returns it
/// without trailing slashes so paths can be appended.
pub fn base_url(name: &str, url: &str) -> Result<String, ClientError> {
    let invalid = |why: &str| ClientError::config([name, " ", why].concat());
    let (authority, rest) = authority(url).ok_or_else(|| invalid("must be an absolute URL"))?;
    // What comes before the `://` that `rest` follows.
    let scheme = url.get(..url.len() - rest.len() - 3).unwrap_or_default();
    if authority.is_empty()
        || find(authority.as_bytes(), b"@", 0).is_some()
        || rest.bytes().any(|b| b == b'?' || b == b'#')
    {
        return Err(invalid(
            "must be scheme://host[:port][/path] without credentials, query or fragment",
        ));
    }
    if url.bytes().any(|b| !(0x21..0x7f).contains(&b)) {
        return Err(invalid("must not contain spaces or control characters"));
    }
    let host = match authority.strip_prefix("[") {
        // "[::1]" must be the whole host: "[::1]e" or "[::1" is not the loopback address.
        Some(v6) => match split_once_byte(v6, b']') {
            Some((h, port)) if port.is_empty() || port.starts_with(":") => ["[", h, "]"].concat(),
            _ => String::new(),
        },
        None => until(authority, b':').to_ascii_lowercase(),
    };
    match scheme.to_ascii_lowercase().as_str() {
        "https" => {}
        "http" if matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]") => {}
        "http" => {
            return Err(invalid(
                "must use https: (http: is allowed only for localhost, 127.0.0.1 and [::1])",
            ))
        }
        _ => return Err(invalid("must be an https: URL")),
    }
    Ok(without_trailing_slashes(url).to_owned())
}

/// `andopen:` plus a 64-bit FNV-1a hash of what identifies the token: two clients of different
/// tenants, clients or environments never share a key, and a refresh-token-only client is keyed
/// by its refresh token without putting the token itself in a key.
fn default_store_key(
    server: &str,
    tenant: &str,
    client_id: Option<&str>,
    refresh: Option<&str>,
) -> String {
    // Concatenation, not format!: core::fmt stays off the cold-start path.
    let identity = match client_id {
        Some(id) => [server, "\n", tenant, "\nclient:", id].concat(),
        None => [server, "\n", tenant, "\nrefresh:", refresh.unwrap_or("")].concat(),
    };
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in identity.bytes() {
        hash = (hash ^ byte as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut key = String::with_capacity(24);
    key.push_str("andopen:");
    for shift in (0..16).rev() {
        let nibble = ((hash >> (shift * 4)) & 0xf) as u32;
        key.push(char::from_digit(nibble, 16).unwrap_or('0'));
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorCode;

    fn input() -> ConfigInput {
        ConfigInput {
            api_key: Some("key-1234".into()),
            tenant: Some("tenant-a".into()),
            client_id: Some("andopen_client_id_x".into()),
            client_secret: Some("secret-5678".into()),
            ..ConfigInput::default()
        }
    }

    fn err(input: ConfigInput) -> String {
        let e = Config::validate(input).expect_err("must be invalid");
        assert_eq!(e.code, ErrorCode::InvalidConfig);
        e.message
    }

    #[test]
    fn defaults_are_production_and_the_documented_numbers() {
        let c = Config::validate(input()).expect("valid");
        assert_eq!(c.token_url, "https://auth.andopen.co/auth/token");
        assert_eq!(c.api_url, "https://api.andopen.co");
        assert_eq!(
            (c.leeway_ms, c.timeout_ms, c.max_retries),
            (60_000.0, 10_000.0, 2)
        );
        assert!(c.store_key.starts_with("andopen:"));
        assert!(c.can_use_client_credentials());
    }

    #[test]
    fn default_store_key_is_the_fnv_1a_hash_in_16_hex_digits() {
        let fnv = |text: &str| {
            text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
            })
        };
        let key = default_store_key("https://auth.x", "t", Some("c"), None);
        let hash = fnv("https://auth.x\nt\nclient:c");
        assert_eq!(key, format!("andopen:{hash:016x}"));
        let key = default_store_key("https://auth.x", "t", None, Some("r"));
        let hash = fnv("https://auth.x\nt\nrefresh:r");
        assert_eq!(key, format!("andopen:{hash:016x}"));
        let key = default_store_key("https://auth.x", "t", None, None);
        let hash = fnv("https://auth.x\nt\nrefresh:");
        assert_eq!(key, format!("andopen:{hash:016x}"));
    }

    #[test]
    fn staging_and_overrides() {
        let mut i = input();
        i.environment = Some("staging".into());
        let c = Config::validate(i.clone()).expect("valid");
        assert_eq!(c.token_url, "https://staging.auth.andopen.co/auth/token");
        assert_eq!(c.api_url, "https://staging.api.andopen.co");
        i.auth_url = Some("http://127.0.0.1:4401/".into());
        i.api_url = Some("http://localhost:4402/base//".into());
        let c = Config::validate(i).expect("valid");
        assert_eq!(c.token_url, "http://127.0.0.1:4401/auth/token");
        assert_eq!(c.api_url, "http://localhost:4402/base");
    }

    #[test]
    fn required_fields_and_credential_combinations() {
        assert!(err(ConfigInput {
            api_key: None,
            ..input()
        })
        .contains("apiKey is required"));
        assert!(err(ConfigInput {
            tenant: Some(String::new()),
            ..input()
        })
        .contains("tenant must not be blank"));
        for (blank_or_long, why) in [
            ("  ".to_owned(), "blank"),
            ("a\tb".to_owned(), "printable"),
            ("x".repeat(MAX_OPTION_BYTES + 1), "at most 4096 bytes"),
        ] {
            for field in ["tenant", "apiKey", "clientId", "clientSecret", "storeKey"] {
                let mut i = input();
                let value = Some(blank_or_long.clone());
                match field {
                    "tenant" => i.tenant = value,
                    "apiKey" => i.api_key = value,
                    "clientId" => i.client_id = value,
                    "clientSecret" => i.client_secret = value,
                    _ => i.store_key = value,
                }
                let message = err(i);
                assert!(
                    message.starts_with(field) && message.contains(why),
                    "{field}: {message}"
                );
            }
        }
        assert!(Config::validate(ConfigInput {
            tenant: Some("x".repeat(MAX_OPTION_BYTES)),
            ..input()
        })
        .is_ok());
        assert!(err(ConfigInput {
            client_id: None,
            client_secret: None,
            ..input()
        })
        .contains("clientId"));
        assert!(err(ConfigInput {
            client_secret: None,
            ..input()
        })
        .contains("clientSecret is required"));
        assert!(err(ConfigInput {
            api_key: Some("a\nb".into()),
            ..input()
        })
        .contains("printable"));
        // A saved refresh token alone is enough (the &Open contract, step 2).
        let c = Config::validate(ConfigInput {
            client_id: None,
            client_secret: None,
            refresh_token: Some("rt_saved".into()),
            ..input()
        })
        .expect("refresh-token-only client");
        assert!(!c.can_use_client_credentials());
    }

    #[test]
    fn urls_must_be_https_except_loopback() {
        for bad in [
            "http://api.example.com",
            "ftp://x",
            "api.andopen.co",
            "https://",
            "https://u:p@host",
            "https://host/?q",
            "https://ho st",
            "http://127.0.0.2",
            // Found by fuzzing (fuzz/fuzz_targets/config.rs): the text after "]" was ignored.
            "http://[::1]e",
            "http://[::1]evil.example",
            "http://[::1",
            // The scheme is all that precedes "://": a URL parser reads this one as host "x".
            "http:x://localhost",
            "https://host#f",
            "https://?q",
        ] {
            assert!(base_url("apiUrl", bad).is_err(), "{bad}");
        }
        for good in [
            "https://a.b",
            "HTTPS://A.B:8443/x",
            "http://[::1]:9",
            "http://localhost",
        ] {
            assert!(base_url("apiUrl", good).is_ok(), "{good}");
        }
    }

    #[test]
    fn numbers_are_bounded() {
        assert!(err(ConfigInput {
            timeout_ms: Some(0.0),
            ..input()
        })
        .contains("timeoutMs"));
        assert!(err(ConfigInput {
            timeout_ms: Some(f64::NAN),
            ..input()
        })
        .contains("timeoutMs"));
        assert!(err(ConfigInput {
            max_retries: Some(1.5),
            ..input()
        })
        .contains("whole"));
        assert!(err(ConfigInput {
            max_retries: Some(11.0),
            ..input()
        })
        .contains("maxRetries"));
        assert!(err(ConfigInput {
            refresh_leeway_seconds: Some(-1.0),
            ..input()
        })
        .contains("refreshLeeway"));
        assert!(err(ConfigInput {
            environment: Some("prod".into()),
            ..input()
        })
        .contains("environment"));
    }

    #[test]
    fn store_keys_differ_by_tenant_client_and_environment_and_hide_refresh_tokens() {
        let key = |i: ConfigInput| Config::validate(i).expect("valid").store_key;
        let base = key(input());
        assert_eq!(base, key(input()));
        assert_ne!(
            base,
            key(ConfigInput {
                tenant: Some("tenant-b".into()),
                ..input()
            })
        );
        assert_ne!(
            base,
            key(ConfigInput {
                client_id: Some("other".into()),
                ..input()
            })
        );
        assert_ne!(
            base,
            key(ConfigInput {
                environment: Some("staging".into()),
                ..input()
            })
        );
        let rt_only = key(ConfigInput {
            client_id: None,
            client_secret: None,
            refresh_token: Some("rt_very_secret_value".into()),
            ..input()
        });
        assert!(!rt_only.contains("rt_very_secret_value"));
        assert_eq!(
            key(ConfigInput {
                store_key: Some("mine".into()),
                ..input()
            }),
            "mine"
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        let c = Config::validate(ConfigInput {
            refresh_token: Some("rt_abcdef".into()),
            ..input()
        })
        .expect("valid");
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("key-1234")
                && !shown.contains("secret-5678")
                && !shown.contains("rt_abcdef")
        );
    }

    #[test]
    fn the_oauth2_profile_is_as_strict_as_the_default_one() {
        let oauth2 = || ConfigInput {
            profile: Some("oauth2".into()),
            token_url: Some("https://idp.example/token".into()),
            api_url: Some("https://api.example".into()),
            client_id: Some("id".into()),
            client_secret: Some("secret".into()),
            ..ConfigInput::default()
        };
        let c = Config::validate(oauth2()).expect("no apiKey, no tenant: fine for oauth2");
        assert_eq!(
            (c.profile, c.api_key.is_none(), c.tenant.is_none()),
            (Profile::OAuth2, true, true)
        );
        assert_eq!(c.client_auth, ClientAuth::Basic);
        assert!(c.store_key.starts_with("andopen:"));
        for (input, why) in [
            (
                ConfigInput {
                    token_url: None,
                    ..oauth2()
                },
                "tokenUrl is required",
            ),
            (
                ConfigInput {
                    api_url: None,
                    ..oauth2()
                },
                "apiUrl is required",
            ),
            (
                ConfigInput {
                    token_url: Some("http://idp.example/token".into()),
                    ..oauth2()
                },
                "tokenUrl must use https",
            ),
            (
                ConfigInput {
                    environment: Some("production".into()),
                    ..oauth2()
                },
                "environment is an option of profile: \"andopen\" only",
            ),
            (
                ConfigInput {
                    auth_url: Some("https://a".into()),
                    ..oauth2()
                },
                "authUrl is an option",
            ),
            (
                ConfigInput {
                    client_auth: Some("private_key_jwt".into()),
                    ..oauth2()
                },
                "clientAuth must be",
            ),
            (
                ConfigInput {
                    scope: Some(" ".into()),
                    ..oauth2()
                },
                "scope must not be blank",
            ),
            (
                ConfigInput {
                    client_secret: None,
                    ..oauth2()
                },
                "clientSecret is required",
            ),
            (
                ConfigInput {
                    profile: Some("saml".into()),
                    ..oauth2()
                },
                "profile must be",
            ),
            (
                ConfigInput {
                    scope: Some("read".into()),
                    ..input()
                },
                "scope is an option of profile: \"oauth2\" only",
            ),
            (
                ConfigInput {
                    token_url: Some("https://idp/t".into()),
                    ..input()
                },
                "tokenUrl is an option",
            ),
        ] {
            let message = err(input);
            assert!(message.starts_with(why), "{why}: {message}");
        }
        // The same identity through another token endpoint is another store key.
        let other = Config::validate(ConfigInput {
            token_url: Some("https://other.example/token".into()),
            ..oauth2()
        })
        .expect("valid");
        assert_ne!(c.store_key, other.store_key);
    }
}
