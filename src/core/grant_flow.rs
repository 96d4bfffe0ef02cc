//! Obtaining a token from the auth server as a sans-I/O state machine: which grant to try (the
//! refresh token first, seed step 2, then client credentials when it is refused), retries with
//! Retry-After and backoff, and when to give up. The session (src/js/session/) hands
//! `request()` to driver.js and reports the parsed answer to `on_answer`; the flow answers with
//! a `GrantStep`.

use super::call_flow::Retry;
use super::config::Config;
use super::error::ClientError;
use super::retry_policy::{Failure, RetryPolicy};
use super::token_cache::TokenCache;
use super::token_request::{Grant, TokenRequest};
use super::token_response::TokenGrant;

/// What the driver does next.
#[derive(Clone, Debug, PartialEq)]
pub enum GrantStep {
    /// A token: adopt it (`TokenCache::on_grant`), emit `token_response`.
    Done(TokenGrant),
    /// Emit `retry` (target `token`), wait `delay_ms`, then send `request()` again.
    Wait(Retry),
    /// The refresh token was refused and dropped: emit `token_error` for it, then send
    /// `request()`, now a client-credentials grant.
    FallBack(ClientError),
    /// Emit `token_error`; the renewal fails with this error.
    Fail(ClientError),
}

#[derive(Clone, Debug)]
pub struct GrantFlow {
    grant: Grant,
    retries: u32,
    policy: RetryPolicy,
}

impl GrantFlow {
    /// The first grant the cache allows, or `invalid_grant` when none is left.
    pub fn start(cache: &TokenCache, policy: RetryPolicy) -> Result<GrantFlow, ClientError> {
        Ok(GrantFlow {
            grant: cache.next_grant()?,
            retries: 0,
            policy,
        })
    }

    pub fn grant(&self) -> &Grant {
        &self.grant
    }

    /// 1-based attempt number of the current grant, for `token_request`.
    pub fn attempt(&self) -> u32 {
        self.retries + 1
    }

    pub fn request(&self, config: &Config) -> TokenRequest {
        TokenRequest::new(config, &self.grant)
    }

    /// What the auth server's answer to `request()` means. A token request is safe to repeat, so
    /// it counts as idempotent for the retry policy; `jitter` is in [0, 1).
    pub fn on_answer(
        &mut self,
        cache: &mut TokenCache,
        answer: Result<TokenGrant, ClientError>,
        jitter: f64,
    ) -> GrantStep {
        let error = match answer {
            Ok(grant) => return GrantStep::Done(grant),
            Err(error) => error,
        };
        let delay = Failure::of(&error).and_then(|failure| {
            self.policy.delay_ms(
                self.retries,
                failure,
                error.retry_after_seconds,
                jitter,
                true,
            )
        });
        if let Some(delay_ms) = delay {
            self.retries += 1;
            return GrantStep::Wait(Retry {
                attempt: self.retries,
                delay_ms,
                status: error.status,
                code: error.code,
            });
        }
        if matches!(self.grant, Grant::RefreshToken(_)) {
            if let Some(next) = cache.on_refresh_refused(&error) {
                self.grant = next;
                self.retries = 0;
                return GrantStep::FallBack(error);
            }
        }
        GrantStep::Fail(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::ConfigInput;
    use crate::core::error::ErrorCode;
    use crate::core::secret::Secret;

    fn config() -> Config {
        Config::validate(ConfigInput {
            api_key: Some("key".into()),
            tenant: Some("t1".into()),
            client_id: Some("id".into()),
            client_secret: Some("secret".into()),
            auth_url: Some("http://127.0.0.1:4401".into()),
            ..ConfigInput::default()
        })
        .expect("valid")
    }

    fn token(text: &str) -> TokenGrant {
        TokenGrant {
            access_token: Secret::new(text),
            refresh_token: None,
            expires_in_seconds: 60.0,
            scope: None,
        }
    }

    fn status(code: ErrorCode, status: u16) -> ClientError {
        ClientError::for_status(code, status, "x")
    }

    #[test]
    fn a_refused_refresh_token_falls_back_to_client_credentials() {
        let mut cache = TokenCache::new(0.0, Some(Secret::new("rt-saved")), true);
        let mut flow = GrantFlow::start(&cache, RetryPolicy::new(2)).expect("a grant");
        let first = flow.request(&config());
        assert!(first
            .body
            .expose()
            .contains(r#""grant_type":"refresh_token""#));
        assert!(first
            .body
            .expose()
            .contains(r#""refresh_token":"rt-saved""#));
        let refused = status(ErrorCode::InvalidGrant, 400);
        assert_eq!(
            flow.on_answer(&mut cache, Err(refused.clone()), 0.0),
            GrantStep::FallBack(refused)
        );
        let second = flow.request(&config());
        assert_eq!(
            second.body.expose(),
            r#"{"grant_type":"client_credentials","tenant":"t1","client_id":"id","client_secret":"secret"}"#
        );
        assert_eq!(flow.attempt(), 1);
        assert_eq!(
            flow.on_answer(&mut cache, Ok(token("at")), 0.0),
            GrantStep::Done(token("at"))
        );
    }

    #[test]
    fn a_server_error_is_retried_with_retry_after_and_never_drops_the_refresh_token() {
        let mut cache = TokenCache::new(0.0, Some(Secret::new("rt")), true);
        let mut flow = GrantFlow::start(&cache, RetryPolicy::new(1)).expect("a grant");
        let busy = status(ErrorCode::ServerError, 503).with_retry_after(Some(2.0));
        assert_eq!(
            flow.on_answer(&mut cache, Err(busy.clone()), 0.0),
            GrantStep::Wait(Retry {
                attempt: 1,
                delay_ms: 2000.0,
                status: Some(503),
                code: ErrorCode::ServerError
            })
        );
        assert_eq!(flow.attempt(), 2);
        assert_eq!(
            flow.on_answer(&mut cache, Err(busy.clone()), 0.0),
            GrantStep::Fail(busy)
        );
        assert!(cache.refresh_token().is_some(), "a 503 is not a refusal");
    }

    #[test]
    fn a_refresh_only_client_fails_with_invalid_grant_once_refused() {
        let mut cache = TokenCache::new(0.0, Some(Secret::new("rt")), false);
        let mut flow = GrantFlow::start(&cache, RetryPolicy::new(2)).expect("a grant");
        let refused = status(ErrorCode::InvalidGrant, 400);
        assert_eq!(
            flow.on_answer(&mut cache, Err(refused.clone()), 0.0),
            GrantStep::Fail(refused)
        );
        let next = GrantFlow::start(&cache, RetryPolicy::new(2)).expect_err("no grant left");
        assert_eq!(next.code, ErrorCode::InvalidGrant);
    }

    #[test]
    fn a_wrong_secret_is_not_retried() {
        let mut cache = TokenCache::new(0.0, None, true);
        let mut flow = GrantFlow::start(&cache, RetryPolicy::new(2)).expect("a grant");
        let wrong = status(ErrorCode::InvalidClient, 401);
        assert_eq!(
            flow.on_answer(&mut cache, Err(wrong.clone()), 0.0),
            GrantStep::Fail(wrong)
        );
    }
}
