//! The token state machine: what is cached, whether it is fresh, which grant comes next, what a
//! refusal or a 401 does to it. Time is passed in (ms since the epoch), so it is tested natively.

use super::decimal::decimal;
use super::error::{ClientError, ErrorCode};
use super::json::{write_string, Json, Value};
use super::secret::Secret;
use super::token_request::Grant;
use super::token_response::{is_token_value, TokenGrant};

/// Where the current token came from (`tokenInfo().source`). docs/API.md also names "memory",
/// but every token a client holds was obtained from the network or read from a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    Store,
    Network,
    /// Handed over by the Durable Object token broker.
    Broker,
}

impl TokenSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenSource::Store => "store",
            TokenSource::Network => "network",
            TokenSource::Broker => "broker",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CachedToken {
    pub access_token: Secret,
    /// Which adoption (grant or store read) produced this token. A 401 names the token it
    /// refused by this number, never by its text: a server may hand out the same text again.
    pub generation: u64,
    pub expires_at_ms: f64,
    pub scope: Option<String>,
    pub source: TokenSource,
}

/// A token handed to a caller, with the generation a 401 on it reports back.
#[derive(Clone, Debug, PartialEq)]
pub struct HeldToken {
    pub token: Secret,
    pub generation: u64,
}

/// What a caller may do with the cache right now.
#[derive(Clone, Debug, PartialEq)]
pub enum Freshness {
    /// Valid and outside the leeway window: use it.
    Fresh(HeldToken),
    /// Still valid but inside the leeway window: one caller renews, the others use it meanwhile.
    Renewable(HeldToken),
    /// Nothing valid: every caller waits for the (single) renewal.
    Missing,
}

#[derive(Debug, Clone)]
pub struct TokenCache {
    current: Option<CachedToken>,
    refresh_token: Option<Secret>,
    /// The last access token the API refused: a store may still hold it, unexpired, and it
    /// must not come back from there (that would turn one 401 into `unauthorized`).
    rejected: Option<Secret>,
    /// The last few tokens this client held: a server may echo an old one back in an error
    /// after a renewal, and redaction must still hide it (bounded: only recent ones come back).
    recent: Vec<Secret>,
    /// The token a 401 refused, with its expiry, until the next renewal tells the broker
    /// (docs/API.md: the isolate tells the broker which token was refused).
    refused_report: Option<(Secret, f64)>,
    generations: u64,
    leeway_ms: f64,
    can_use_client_credentials: bool,
}

/// How many past access and refresh tokens redaction keeps hiding.
const RECENT_TOKENS: usize = 8;

impl TokenCache {
    pub fn new(
        leeway_ms: f64,
        refresh_token: Option<Secret>,
        can_use_client_credentials: bool,
    ) -> Self {
        TokenCache {
            current: None,
            refresh_token,
            rejected: None,
            recent: Vec::new(),
            refused_report: None,
            generations: 0,
            leeway_ms,
            can_use_client_credentials,
        }
    }

    pub fn current(&self) -> Option<&CachedToken> {
        self.current.as_ref()
    }

    pub fn refresh_token(&self) -> Option<&Secret> {
        self.refresh_token.as_ref()
    }

    pub fn freshness(&self, now_ms: f64) -> Freshness {
        let held = |t: &CachedToken| HeldToken {
            token: t.access_token.clone(),
            generation: t.generation,
        };
        match &self.current {
            Some(t) if now_ms < t.expires_at_ms - self.leeway_ms => Freshness::Fresh(held(t)),
            Some(t) if now_ms < t.expires_at_ms => Freshness::Renewable(held(t)),
            _ => Freshness::Missing,
        }
    }

    /// Every token this client holds or held recently (including a refresh token given at
    /// construction), for redaction.
    pub fn known_tokens(&self) -> impl Iterator<Item = &Secret> {
        self.recent.iter().chain(self.refresh_token.iter())
    }

    fn remember(&mut self, token: &Secret) {
        if self.recent.contains(token) {
            return;
        }
        if self.recent.len() == RECENT_TOKENS {
            self.recent.remove(0);
        }
        self.recent.push(token.clone());
    }

    fn next_generation(&mut self) -> u64 {
        self.generations += 1;
        self.generations
    }

    /// The grant for the next token request: the refresh token first (seed, step 2), else the
    /// client credentials.
    pub fn next_grant(&self) -> Result<Grant, ClientError> {
        match (&self.refresh_token, self.can_use_client_credentials) {
            (Some(refresh), _) => Ok(Grant::RefreshToken(refresh.clone())),
            (None, true) => Ok(Grant::ClientCredentials),
            (None, false) => Err(ClientError::new(
                ErrorCode::InvalidGrant,
                "no usable refresh token and no client secret to fall back on",
            )),
        }
    }

    /// Called when a refresh grant failed. Returns the grant to try instead, if any: a refused
    /// refresh token (invalid_grant, 400/401) is dropped and client credentials take over.
    pub fn on_refresh_refused(&mut self, error: &ClientError) -> Option<Grant> {
        let refused =
            error.code == ErrorCode::InvalidGrant || matches!(error.status, Some(400 | 401));
        if !refused {
            return None;
        }
        self.refresh_token = None;
        self.can_use_client_credentials
            .then_some(Grant::ClientCredentials)
    }

    /// Adopts a token from the auth server; returns the generation it was given.
    pub fn on_grant(&mut self, grant: TokenGrant, now_ms: f64) -> u64 {
        // RFC 6749 §6: a refresh response without refresh_token keeps the old one.
        if let Some(refresh) = &grant.refresh_token {
            self.remember(refresh);
        }
        if grant.refresh_token.is_some() {
            self.refresh_token = grant.refresh_token;
        }
        self.remember(&grant.access_token);
        // The server handed out the refused text again: it is this grant's token now.
        if self.rejected.as_ref() == Some(&grant.access_token) {
            self.rejected = None;
        }
        let generation = self.next_generation();
        self.current = Some(CachedToken {
            access_token: grant.access_token,
            generation,
            expires_at_ms: now_ms + grant.expires_in_seconds * 1000.0,
            scope: grant.scope,
            source: TokenSource::Network,
        });
        generation
    }

    /// The refused token (and its expiry) to report to the broker, once.
    pub fn take_refused_report(&mut self) -> Option<(Secret, f64)> {
        self.refused_report.take()
    }

    /// Adopts the broker's answer: it owns the token for every isolate, so it replaces what
    /// memory holds, unless it is expired or the very token this client saw refused.
    pub fn adopt_brokered(&mut self, stored: StoredToken, now_ms: f64) -> Option<HeldToken> {
        if stored.expires_at_ms <= now_ms {
            return None;
        }
        self.current = None;
        if !self.adopt_stored(stored, now_ms) {
            return None;
        }
        let current = self.current.as_mut()?;
        current.source = TokenSource::Broker;
        Some(HeldToken {
            token: current.access_token.clone(),
            generation: current.generation,
        })
    }

    /// Adopts a token read from the store, if it is better than what memory holds.
    pub fn adopt_stored(&mut self, stored: StoredToken, now_ms: f64) -> bool {
        if stored.expires_at_ms <= now_ms || self.rejected.as_ref() == Some(&stored.access_token) {
            return false;
        }
        if self
            .current
            .as_ref()
            .is_some_and(|c| c.expires_at_ms >= stored.expires_at_ms)
        {
            return false;
        }
        if let Some(refresh) = &stored.refresh_token {
            self.remember(refresh);
        }
        if stored.refresh_token.is_some() {
            self.refresh_token = stored.refresh_token;
        }
        self.remember(&stored.access_token);
        let generation = self.next_generation();
        self.current = Some(CachedToken {
            access_token: stored.access_token,
            generation,
            expires_at_ms: stored.expires_at_ms,
            scope: stored.scope,
            source: TokenSource::Store,
        });
        true
    }

    /// A 401 from the API invalidates the token only if it is still the one that was rejected
    /// (the same generation); otherwise a newer token already replaced it, even one with the
    /// same text, and the caller just retries with that.
    pub fn invalidate_if_current(&mut self, rejected_generation: u64) -> bool {
        let rejected = self
            .current
            .as_ref()
            .filter(|c| c.generation == rejected_generation)
            .map(|c| (c.access_token.clone(), c.expires_at_ms));
        let is_current = rejected.is_some();
        if let Some((token, expires_at_ms)) = rejected {
            self.current = None;
            self.rejected = Some(token.clone());
            self.refused_report = Some((token, expires_at_ms));
        }
        is_current
    }

    /// Forgets everything, including a refresh token given at construction (docs/API.md).
    pub fn clear(&mut self) {
        self.current = None;
        self.refresh_token = None;
    }

    pub fn to_stored(&self) -> Option<StoredToken> {
        self.current.as_ref().map(|c| StoredToken {
            access_token: c.access_token.clone(),
            refresh_token: self.refresh_token.clone(),
            expires_at_ms: c.expires_at_ms,
            scope: c.scope.clone(),
        })
    }
}

/// The value kept in a store: tokens and their expiry only, never the client secret or API key.
/// It carries its own `expiresAt` because stores (KV) may serve a value after its TTL.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredToken {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub expires_at_ms: f64,
    pub scope: Option<String>,
}

/// JS's `Number.MAX_SAFE_INTEGER`: every whole number up to it is exact in an f64.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

impl StoredToken {
    pub fn encode(&self) -> String {
        let mut out = String::from("{\"v\":1,\"accessToken\":");
        write_string(&mut out, self.access_token.expose());
        out.push_str(",\"expiresAt\":");
        out.push_str(&decimal(self.expires_at_ms.max(0.0).floor() as u64));
        if let Some(r) = &self.refresh_token {
            out.push_str(",\"refreshToken\":");
            write_string(&mut out, r.expose());
        }
        if let Some(s) = &self.scope {
            out.push_str(",\"scope\":");
            write_string(&mut out, s);
        }
        out.push('}');
        out
    }

    /// `None` for anything that is not a value this crate wrote: an unreadable value is a miss.
    /// Tokens are held to the same rules as tokens from the network (`is_token_value`). The text
    /// was at most 64 KB (`MAX_BODY_BYTES`) before it was read (src/js/session/renewal.rs: a
    /// store's value and the broker's answer alike).
    pub fn decode(json: &Json) -> Option<StoredToken> {
        if json.get("v").and_then(Value::as_f64) != Some(1.0) {
            return None;
        }
        let token = |name: &str| {
            json.get(name)
                .and_then(Value::as_str)
                .filter(|t| is_token_value(t))
                .map(Secret::new)
        };
        let expires_at_ms = json
            .get("expiresAt")
            .and_then(Value::as_f64)
            // `encode` writes a whole number of ms; anything else (a fraction, or a number past
            // 2^53 that `encode` would clamp) is not a value this crate wrote.
            .filter(|n| *n > 0.0 && n.fract() == 0.0 && *n <= MAX_SAFE_INTEGER)?;
        Some(StoredToken {
            access_token: token("accessToken")?,
            refresh_token: token("refreshToken"),
            expires_at_ms,
            scope: json.get("scope").and_then(Value::as_str).map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::token_response::MAX_TOKEN_BYTES;

    fn grant(access: &str, refresh: Option<&str>, expires_in: f64) -> TokenGrant {
        TokenGrant {
            access_token: Secret::new(access),
            refresh_token: refresh.map(Secret::new),
            expires_in_seconds: expires_in,
            scope: None,
        }
    }

    #[test]
    fn freshness_follows_expiry_and_leeway() {
        let mut cache = TokenCache::new(60_000.0, None, true);
        assert_eq!(cache.freshness(0.0), Freshness::Missing);
        cache.on_grant(grant("a", None, 3600.0), 1_000.0);
        let t = HeldToken {
            token: Secret::new("a"),
            generation: 1,
        };
        assert_eq!(cache.freshness(1_000.0), Freshness::Fresh(t.clone()));
        assert_eq!(cache.freshness(3_540_999.0), Freshness::Fresh(t.clone()));
        assert_eq!(
            cache.freshness(3_541_000.0),
            Freshness::Renewable(t.clone())
        );
        assert_eq!(cache.freshness(3_600_999.0), Freshness::Renewable(t));
        assert_eq!(cache.freshness(3_601_000.0), Freshness::Missing);
    }

    #[test]
    fn refresh_token_first_then_client_credentials_when_refused() {
        let mut cache = TokenCache::new(0.0, None, true);
        assert_eq!(cache.next_grant().expect("grant"), Grant::ClientCredentials);
        cache.on_grant(grant("a", Some("r1"), 10.0), 0.0);
        assert_eq!(
            cache.next_grant().expect("grant"),
            Grant::RefreshToken(Secret::new("r1"))
        );
        // A refresh response without refresh_token keeps r1 (RFC 6749 §6) ...
        cache.on_grant(grant("b", None, 10.0), 0.0);
        assert_eq!(
            cache.next_grant().expect("grant"),
            Grant::RefreshToken(Secret::new("r1"))
        );
        // ... and one with a new token rotates it.
        cache.on_grant(grant("c", Some("r2"), 10.0), 0.0);
        assert_eq!(
            cache.next_grant().expect("grant"),
            Grant::RefreshToken(Secret::new("r2"))
        );
        let server_down = ClientError::for_status(ErrorCode::ServerError, 503, "x");
        assert_eq!(
            cache.on_refresh_refused(&server_down),
            None,
            "a 503 is not a refusal"
        );
        assert!(cache.refresh_token().is_some());
        let refused = ClientError::for_status(ErrorCode::InvalidGrant, 400, "x");
        assert_eq!(
            cache.on_refresh_refused(&refused),
            Some(Grant::ClientCredentials)
        );
        assert_eq!(cache.next_grant().expect("grant"), Grant::ClientCredentials);
    }

    #[test]
    fn refresh_token_only_client_fails_clearly_once_refused() {
        let mut cache = TokenCache::new(0.0, Some(Secret::new("saved")), false);
        assert_eq!(
            cache.next_grant().expect("grant"),
            Grant::RefreshToken(Secret::new("saved"))
        );
        let refused = ClientError::for_status(ErrorCode::InvalidGrant, 400, "x");
        assert_eq!(cache.on_refresh_refused(&refused), None);
        assert_eq!(
            cache.next_grant().expect_err("no grant left").code,
            ErrorCode::InvalidGrant
        );
    }

    #[test]
    fn a_401_invalidates_only_the_token_that_was_rejected() {
        let mut cache = TokenCache::new(0.0, None, true);
        let old = cache.on_grant(grant("old", None, 100.0), 0.0);
        let new = cache.on_grant(grant("new", None, 100.0), 0.0);
        assert!(!cache.invalidate_if_current(old));
        let held = HeldToken {
            token: Secret::new("new"),
            generation: new,
        };
        assert_eq!(cache.freshness(1.0), Freshness::Fresh(held));
        assert!(cache.invalidate_if_current(new));
        // The store may still hold the refused token; it is not adopted again.
        let stored = StoredToken {
            access_token: Secret::new("new"),
            refresh_token: None,
            expires_at_ms: 100_000.0,
            scope: None,
        };
        assert!(!cache.adopt_stored(stored, 1.0));
        assert_eq!(cache.freshness(1.0), Freshness::Missing);
    }

    #[test]
    fn clear_forgets_the_constructor_refresh_token_too() {
        let mut cache = TokenCache::new(0.0, Some(Secret::new("saved")), true);
        cache.on_grant(grant("a", None, 100.0), 0.0);
        cache.clear();
        assert_eq!(cache.freshness(0.0), Freshness::Missing);
        assert_eq!(cache.next_grant().expect("grant"), Grant::ClientCredentials);
    }

    #[test]
    fn stored_values_round_trip_and_garbage_is_a_miss() {
        let stored = StoredToken {
            access_token: Secret::new("at_1"),
            refresh_token: Some(Secret::new("rt_1")),
            expires_at_ms: 1_700_000_000_123.0,
            scope: Some("a b".into()),
        };
        let text = stored.encode();
        assert_eq!(
            text,
            r#"{"v":1,"accessToken":"at_1","expiresAt":1700000000123,"refreshToken":"rt_1","scope":"a b"}"#
        );
        assert_eq!(StoredToken::decode(&Json::from_text(&text)), Some(stored));
        for garbage in [
            "",
            "null",
            "{}",
            "[]",
            "not json",
            r#"{"v":2,"accessToken":"a","expiresAt":5}"#,
            r#"{"v":1,"accessToken":"","expiresAt":5}"#,
            r#"{"v":1,"accessToken":"a","expiresAt":"5"}"#,
            // Found by fuzzing (fuzz/fuzz_targets/stored_token.rs): these decoded, but `encode`
            // wrote them back as another value (18446744073709551615, 1, and 0 = a miss).
            r#"{"v":1,"accessToken":"a","expiresAt":170000000000000000000023}"#,
            r#"{"v":1,"accessToken":"a","expiresAt":1.5}"#,
            r#"{"v":1,"accessToken":"a","expiresAt":0.5}"#,
        ] {
            assert_eq!(
                StoredToken::decode(&Json::from_text(garbage)),
                None,
                "{garbage}"
            );
        }
    }

    #[test]
    fn stored_tokens_are_adopted_only_while_valid_and_newer() {
        let mut cache = TokenCache::new(0.0, None, true);
        let stored = |t: &str, at: f64| StoredToken {
            access_token: Secret::new(t),
            refresh_token: None,
            expires_at_ms: at,
            scope: None,
        };
        assert!(!cache.adopt_stored(stored("stale", 50.0), 100.0));
        assert!(cache.adopt_stored(stored("s1", 500.0), 100.0));
        assert_eq!(cache.current().map(|c| c.source), Some(TokenSource::Store));
        assert!(!cache.adopt_stored(stored("older", 400.0), 100.0));
        assert!(
            matches!(cache.freshness(100.0), Freshness::Fresh(h) if h.token == Secret::new("s1"))
        );
    }

    #[test]
    fn a_storm_of_401s_on_one_generation_renews_once_even_when_the_text_comes_back() {
        // A server that re-issues the same text while it is valid (issue: 100 concurrent 401s
        // made 26 token requests when refusals were recognised by text).
        let mut cache = TokenCache::new(0.0, None, true);
        let first = cache.on_grant(grant("same", None, 100.0), 0.0);
        assert!(
            cache.invalidate_if_current(first),
            "the first 401 invalidates"
        );
        let second = cache.on_grant(grant("same", None, 100.0), 1.0);
        assert_ne!(first, second);
        for _ in 0..99 {
            assert!(
                !cache.invalidate_if_current(first),
                "later 401s on the old generation leave the new token alone"
            );
        }
        assert!(matches!(cache.freshness(2.0), Freshness::Fresh(h) if h.generation == second));
    }

    #[test]
    fn recent_tokens_stay_known_for_redaction_but_bounded() {
        let mut cache = TokenCache::new(0.0, Some(Secret::new("initial-rt")), true);
        for i in 0..20 {
            cache.on_grant(
                grant(&format!("at-{i}"), Some(&format!("rt-{i}")), 10.0),
                0.0,
            );
        }
        let known: Vec<&str> = cache.known_tokens().map(Secret::expose).collect();
        assert!(known.contains(&"at-19") && known.contains(&"rt-19"));
        assert!(
            known.contains(&"at-16"),
            "the last few access tokens: {known:?}"
        );
        assert!(!known.contains(&"at-0"), "bounded: {known:?}");
        assert!(known.len() <= RECENT_TOKENS + 1);
    }

    #[test]
    fn stored_tokens_follow_the_network_rules() {
        let big = "a".repeat(MAX_TOKEN_BYTES + 1);
        let text = format!(r#"{{"v":1,"accessToken":"{big}","expiresAt":5}}"#);
        assert_eq!(
            StoredToken::decode(&Json::from_text(&text)),
            None,
            "over the token limit"
        );
        let ok = "a".repeat(MAX_TOKEN_BYTES);
        let text = format!(r#"{{"v":1,"accessToken":"{ok}","expiresAt":5}}"#);
        assert!(
            StoredToken::decode(&Json::from_text(&text)).is_some(),
            "at the limit"
        );
    }

    #[test]
    fn brokered_tokens_replace_memory_and_a_refusal_is_reported_once() {
        let mut cache = TokenCache::new(0.0, None, true);
        let first = cache.on_grant(grant("mine", None, 100.0), 0.0);
        let brokered = StoredToken {
            access_token: Secret::new("from-broker"),
            refresh_token: None,
            expires_at_ms: 50_000.0,
            scope: None,
        };
        let held = cache
            .adopt_brokered(brokered.clone(), 1.0)
            .expect("adopted");
        assert_eq!(held.token.expose(), "from-broker");
        assert_eq!(cache.current().map(|c| c.source), Some(TokenSource::Broker));
        assert!(!cache.invalidate_if_current(first));
        assert!(cache.invalidate_if_current(held.generation));
        assert_eq!(
            cache.take_refused_report(),
            Some((Secret::new("from-broker"), 50_000.0))
        );
        assert_eq!(cache.take_refused_report(), None, "reported once");
        // The broker answering with the very token refused here is not adopted again.
        assert_eq!(cache.adopt_brokered(brokered, 2.0), None);
        let expired = StoredToken {
            access_token: Secret::new("old"),
            refresh_token: None,
            expires_at_ms: 10.0,
            scope: None,
        };
        assert_eq!(cache.adopt_brokered(expired, 20.0), None);
    }
}
