//! Where the API credentials may go: `apiUrl`'s origin and path, and nowhere else. Every URL the
//! client sends them to (a caller's path, a redirect's `Location`) is first resolved by the
//! runtime's own URL parser (the one fetch uses, so `..`, `%2e%2e` and backslashes are already
//! applied) and then checked here as text.

use super::decimal::decimal;
use super::error::{ClientError, ErrorCode};
use super::text::{find, without_trailing_slashes};

/// How many same-scope redirects one call follows (fetch's own limit is 20; an API needs few).
pub const MAX_REDIRECTS: u32 = 5;

/// `apiUrl`, as the runtime's URL parser normalised it, without a trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiScope {
    base: String,
}

impl ApiScope {
    pub fn new(normalised_api_url: &str) -> Self {
        ApiScope {
            base: without_trailing_slashes(normalised_api_url).to_owned(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether a normalised absolute URL is `apiUrl` itself or below its path. Because the
    /// base holds the scheme and the port, this also refuses another origin and https → http.
    pub fn contains(&self, href: &str) -> bool {
        match href.strip_prefix(self.base.as_str()) {
            Some(rest) => matches!(rest.bytes().next(), None | Some(b'/' | b'?' | b'#')),
            None => false,
        }
    }

    /// The URL for a caller's input, or `invalid_config` if it leaves the scope.
    pub fn check(&self, href: Option<&str>) -> Result<(), ClientError> {
        match href {
            Some(href) if self.contains(href) => Ok(()),
            _ => Err(ClientError::config(
                "the path must start with / and stay under apiUrl (after resolving . and ..), \
                 or be a URL under apiUrl",
            )),
        }
    }
}

/// The authority of an absolute URL (what follows `://`, up to the first `/`, `?` or `#`) and
/// everything after `://`; `None` without `://`. The option checks (config.rs `base_url`) and
/// the messages (`host_of`) both cut URLs here.
pub fn authority(href: &str) -> Option<(&str, &str)> {
    let at = find(href.as_bytes(), b"://", 0)?;
    let after = href.get(at + 3..).unwrap_or_default();
    let end = after
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(after.len());
    Some((after.get(..end).unwrap_or_default(), after))
}

/// The host (and port) of an absolute URL, for messages: never its path or query, which may
/// carry a code or a token, nor any user:password.
pub fn host_of(href: &str) -> &str {
    let Some((authority, _)) = authority(href) else {
        return "";
    };
    // After the last '@', by bytes: `rsplit` pulled in 0.8 KB (raw) of generic backward search.
    match authority.bytes().rposition(|b| b == b'@') {
        Some(at) => authority.get(at + 1..).unwrap_or_default(),
        None => authority,
    }
}

/// A caller's `init.redirect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirectMode {
    Follow,
    Manual,
    Error,
}

impl RedirectMode {
    pub fn parse(value: Option<&str>) -> Result<RedirectMode, ClientError> {
        match value {
            None | Some("follow") => Ok(RedirectMode::Follow),
            Some("manual") => Ok(RedirectMode::Manual),
            Some("error") => Ok(RedirectMode::Error),
            Some(_) => Err(ClientError::config(
                "init.redirect must be \"follow\", \"manual\" or \"error\"",
            )),
        }
    }
}

/// A 3xx answer to an API call, as the client sees it.
pub struct RedirectSeen<'a> {
    pub status: u16,
    /// `Location`, resolved against the request URL by the runtime; `None` when absent or when
    /// the runtime hides it (a browser's opaque redirect).
    pub location: Option<&'a str>,
    pub method: &'a str,
    pub has_body: bool,
    /// False for a stream body, which can be sent only once.
    pub body_replayable: bool,
    pub hops_done: u32,
}

/// What to do with a redirect.
#[derive(Clone, Debug, PartialEq)]
pub enum RedirectStep {
    /// Send again to `url`, inside the scope, with `method`; the body only if `keep_body`.
    Follow {
        url: String,
        method: String,
        keep_body: bool,
    },
    /// Hand the 3xx to the caller as it is (`client.fetch`); `json()` turns it into an error.
    Return,
    Fail(ClientError),
}

/// Follows only what keeps the credentials inside the scope: the same origin, under `apiUrl`'s
/// path (so never https → http). Anything else is returned to the caller unfollowed, so no other
/// origin ever sees the API key, the bearer token, the tenant headers or the body.
pub fn on_redirect(scope: &ApiScope, seen: &RedirectSeen<'_>, mode: RedirectMode) -> RedirectStep {
    let status = seen.status;
    match mode {
        RedirectMode::Manual => return RedirectStep::Return,
        RedirectMode::Error => {
            return RedirectStep::Fail(redirect_error(
                status,
                seen.location,
                "the API request was redirected and init.redirect is \"error\"",
            ))
        }
        RedirectMode::Follow => {}
    }
    let Some(location) = seen.location.filter(|l| scope.contains(l)) else {
        return RedirectStep::Return;
    };
    if seen.hops_done >= MAX_REDIRECTS {
        return RedirectStep::Fail(redirect_error(
            status,
            Some(location),
            "the API request was redirected too many times",
        ));
    }
    // The Fetch standard's rules: 303 (and 301/302 after a POST) becomes a GET without a body;
    // 307/308 repeat the request as it was.
    let (method, keep_body) = match status {
        303 if seen.method != "HEAD" => ("GET", false),
        301 | 302 if seen.method == "POST" => ("GET", false),
        301..=303 => (seen.method, true),
        307 | 308 if seen.has_body && !seen.body_replayable => return RedirectStep::Return,
        307 | 308 => (seen.method, true),
        _ => return RedirectStep::Return,
    };
    RedirectStep::Follow {
        url: location.to_owned(),
        method: method.to_owned(),
        keep_body: keep_body && seen.has_body,
    }
}

/// A token request that was answered with a redirect. Token requests never follow one: the body
/// holds the client secret, and a token from wherever it leads would be adopted.
pub fn token_redirect_error(status: u16, location: Option<&str>) -> ClientError {
    redirect_error(
        status,
        location,
        "the token request was redirected; token requests never follow redirects",
    )
}

/// `json()`/`ping()` answered by a redirect the client did not follow.
pub fn unfollowed_redirect_error(status: u16, location: Option<&str>) -> ClientError {
    redirect_error(
        status,
        location,
        "the API answered with a redirect the client does not follow (another origin, outside \
         apiUrl's path, or a body that cannot be sent again)",
    )
}

fn redirect_error(status: u16, location: Option<&str>, why: &str) -> ClientError {
    let mut message = [why, " (HTTP ", &decimal(status.into())].concat();
    match location.map(host_of).filter(|h| !h.is_empty()) {
        Some(host) => {
            message.push_str(" to ");
            message.push_str(host);
        }
        None => message.push_str(", Location not visible"),
    }
    message.push(')');
    let mut error = ClientError::new(ErrorCode::for_status(status), message);
    // A browser's opaque redirect has status 0: there is no real HTTP status to report.
    error.status = (status != 0).then_some(status);
    error.retryable = false;
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> ApiScope {
        ApiScope::new("https://api.example.com/v1/")
    }

    #[test]
    fn the_scope_is_the_origin_and_the_path() {
        let s = scope();
        for inside in [
            "https://api.example.com/v1",
            "https://api.example.com/v1/",
            "https://api.example.com/v1/users?x=1",
            "https://api.example.com/v1?x",
        ] {
            assert!(s.contains(inside), "{inside}");
        }
        for outside in [
            "https://api.example.com/admin",
            "https://api.example.com/v10/x",
            "http://api.example.com/v1/x",
            "https://api.example.com:444/v1/x",
            "https://api.example.com.evil.io/v1/x",
            "https://evil.io/v1/x",
            "",
        ] {
            assert!(!s.contains(outside), "{outside}");
        }
        assert_eq!(
            s.check(None).expect_err("no URL").code,
            ErrorCode::InvalidConfig
        );
        let root = ApiScope::new("http://127.0.0.1:4402/");
        assert!(root.contains("http://127.0.0.1:4402/anything"));
        assert!(!root.contains("http://127.0.0.1:44021/x"));
    }

    #[test]
    fn hosts_for_messages_hide_path_query_and_userinfo() {
        assert_eq!(
            host_of("https://u:p@evil.io:8443/cb?code=abc"),
            "evil.io:8443"
        );
        assert_eq!(host_of("http://[::1]:9/x"), "[::1]:9");
        assert_eq!(host_of("not a url"), "");
    }

    fn seen<'a>(status: u16, location: Option<&'a str>, method: &'a str) -> RedirectSeen<'a> {
        RedirectSeen {
            status,
            location,
            method,
            has_body: method != "GET",
            body_replayable: true,
            hops_done: 0,
        }
    }

    #[test]
    fn only_redirects_inside_the_scope_are_followed() {
        let s = scope();
        let inside = Some("https://api.example.com/v1/moved");
        assert_eq!(
            on_redirect(&s, &seen(302, inside, "GET"), RedirectMode::Follow),
            RedirectStep::Follow {
                url: "https://api.example.com/v1/moved".into(),
                method: "GET".into(),
                keep_body: false
            }
        );
        for location in [
            Some("https://evil.io/v1/moved"),
            Some("http://api.example.com/v1/moved"),
            Some("https://api.example.com/admin"),
            None,
        ] {
            for status in [301, 302, 303, 307, 308] {
                assert_eq!(
                    on_redirect(&s, &seen(status, location, "POST"), RedirectMode::Follow),
                    RedirectStep::Return,
                    "{status} {location:?}"
                );
            }
        }
    }

    #[test]
    fn methods_and_bodies_follow_the_fetch_standard() {
        let s = scope();
        let inside = Some("https://api.example.com/v1/next");
        let step = |status, method: &str| match on_redirect(
            &s,
            &seen(status, inside, method),
            RedirectMode::Follow,
        ) {
            RedirectStep::Follow {
                method, keep_body, ..
            } => (method, keep_body),
            other => panic!("{other:?}"),
        };
        assert_eq!(step(303, "PUT"), ("GET".into(), false));
        assert_eq!(step(302, "POST"), ("GET".into(), false));
        assert_eq!(step(301, "PUT"), ("PUT".into(), true));
        assert_eq!(step(307, "POST"), ("POST".into(), true));
        assert_eq!(step(308, "PATCH"), ("PATCH".into(), true));
        let mut stream = seen(307, inside, "POST");
        stream.body_replayable = false;
        assert_eq!(
            on_redirect(&s, &stream, RedirectMode::Follow),
            RedirectStep::Return
        );
        let mut looping = seen(302, inside, "GET");
        looping.hops_done = MAX_REDIRECTS;
        assert!(matches!(
            on_redirect(&s, &looping, RedirectMode::Follow),
            RedirectStep::Fail(e) if e.code == ErrorCode::HttpError && e.status == Some(302)
        ));
    }

    #[test]
    fn the_callers_redirect_mode_is_honoured() {
        let s = scope();
        let inside = Some("https://api.example.com/v1/next");
        assert_eq!(
            on_redirect(&s, &seen(302, inside, "GET"), RedirectMode::Manual),
            RedirectStep::Return
        );
        match on_redirect(&s, &seen(307, inside, "GET"), RedirectMode::Error) {
            RedirectStep::Fail(e) => {
                assert_eq!(
                    (e.code, e.status, e.retryable),
                    (ErrorCode::HttpError, Some(307), false)
                );
                assert!(e.message.contains("api.example.com"), "{}", e.message);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            RedirectMode::parse(Some("manual")).expect("manual"),
            RedirectMode::Manual
        );
        assert!(RedirectMode::parse(Some("sideways")).is_err());
    }

    #[test]
    fn token_redirects_are_errors_that_name_the_host_but_not_the_query() {
        let e = token_redirect_error(307, Some("https://evil.io/steal?secret=abc"));
        assert_eq!((e.code, e.status), (ErrorCode::HttpError, Some(307)));
        assert!(e.message.contains("HTTP 307 to evil.io)"), "{}", e.message);
        assert!(!e.message.contains("secret=abc"));
        let opaque = token_redirect_error(0, None);
        assert_eq!(opaque.status, None);
        assert!(opaque.message.contains("Location not visible"));
    }
}
