//! One renewal as a sans-I/O state machine: where a token comes from, in order — the broker
//! (when there is one), the store (unless the renewal is forced), then the auth server (the
//! `GrantFlow`) — and what is kept of it: the cache, the store write, and the `clear()` rule (a
//! renewal that `clear()` overtook hands its token to its waiters but keeps nothing). The session
//! (src/js/session/) hands each step to driver.js, which performs it, and reports back;
//! `notices()` says what to emit.

use super::json::Json;
use super::secret::Secret;
use super::token_cache::{Freshness, HeldToken, StoredToken, TokenCache};
use super::token_response::TokenGrant;

/// What the broker is told with an ask.
#[derive(Clone, Debug, PartialEq)]
pub enum BrokerReport {
    /// Just a token, please.
    Nothing,
    /// A 401 refused this token: renew if it is still the broker's current one.
    Refused {
        access_token: Secret,
        expires_at_ms: f64,
    },
    /// `refresh()` was called.
    Refresh,
}

/// What the driver does next.
#[derive(Clone, Debug, PartialEq)]
pub enum RenewalStep {
    /// Ask the broker (bounded by `timeoutMs`) and report with `on_broker`.
    AskBroker(BrokerReport),
    /// `store.get(storeKey)`, reported with `on_store_read`.
    ReadStore,
    /// Run a `GrantFlow` to its end; report its token with `on_granted` (its error ends the
    /// renewal with that error).
    Grant,
    /// `store.put(storeKey, value, { expirationTtl })`, reported with `on_store_written`. Once per
    /// token obtained, never per request (KV: one write per second per key).
    WriteStore { value: String, ttl_seconds: f64 },
    /// The renewal's token, for every caller that waited on it.
    Done(HeldToken),
}

/// An event the driver emits, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    StoreHit,
    StoreMiss,
    StoreError {
        operation: &'static str,
        message: String,
    },
    BrokerError {
        message: String,
    },
}

#[derive(Debug)]
pub struct RenewalFlow {
    force: bool,
    /// `State::generation` when the renewal started; `clear()` bumps it.
    started_in: u32,
    /// The token to hand over once the store write is done.
    pending: Option<HeldToken>,
    notices: Vec<Notice>,
}

impl RenewalFlow {
    /// Starts a renewal; `force` (`refresh()`) skips the store and tells the broker.
    pub fn start(
        cache: &mut TokenCache,
        has_broker: bool,
        force: bool,
        started_in: u32,
    ) -> (RenewalFlow, RenewalStep) {
        let flow = RenewalFlow {
            force,
            started_in,
            pending: None,
            notices: Vec::new(),
        };
        let step = if has_broker {
            let report = match (cache.take_refused_report(), force) {
                (Some((access_token, expires_at_ms)), _) => BrokerReport::Refused {
                    access_token,
                    expires_at_ms,
                },
                (None, true) => BrokerReport::Refresh,
                (None, false) => BrokerReport::Nothing,
            };
            RenewalStep::AskBroker(report)
        } else {
            flow.after_broker()
        };
        (flow, step)
    }

    /// The events to emit now, in order.
    pub fn notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    fn after_broker(&self) -> RenewalStep {
        if self.force {
            RenewalStep::Grant
        } else {
            RenewalStep::ReadStore
        }
    }

    /// The broker's answer (its stored-token text, read as JSON), or why there is none.
    /// docs/API.md: when the broker fails, the client renews by itself and the call does not
    /// fail because of it.
    pub fn on_broker(
        &mut self,
        cache: &mut TokenCache,
        answer: Result<Json, String>,
        generation_now: u32,
        now_ms: f64,
    ) -> RenewalStep {
        let why = match answer.map(|json| StoredToken::decode(&json)) {
            Ok(Some(stored)) if generation_now != self.started_in => {
                return RenewalStep::Done(HeldToken {
                    token: stored.access_token,
                    generation: 0,
                })
            }
            Ok(Some(stored)) => match cache.adopt_brokered(stored, now_ms) {
                Some(held) => return RenewalStep::Done(held),
                None => "the broker answered with an expired or refused token".to_owned(),
            },
            Ok(None) => "the broker answered something that is not a token".to_owned(),
            Err(why) => why,
        };
        self.notices.push(Notice::BrokerError { message: why });
        self.after_broker()
    }

    /// What `store.get` came to: a value, nothing, or why it failed.
    pub fn on_store_read(
        &mut self,
        cache: &mut TokenCache,
        read: Result<Option<Json>, String>,
        now_ms: f64,
    ) -> RenewalStep {
        let value = match read {
            Ok(value) => value,
            Err(message) => {
                self.notices.push(Notice::StoreError {
                    operation: "get",
                    message,
                });
                self.notices.push(Notice::StoreMiss);
                return RenewalStep::Grant;
            }
        };
        let Some(stored) = value.as_ref().and_then(StoredToken::decode) else {
            if value.is_some() {
                self.notices.push(Notice::StoreError {
                    operation: "get",
                    message: "the stored value is unreadable; treated as a miss".to_owned(),
                });
            }
            self.notices.push(Notice::StoreMiss);
            return RenewalStep::Grant;
        };
        // A stored token inside the leeway still lends its refresh token to the grant.
        cache.adopt_stored(stored, now_ms);
        match cache.freshness(now_ms) {
            Freshness::Fresh(held) => {
                self.notices.push(Notice::StoreHit);
                RenewalStep::Done(held)
            }
            _ => {
                self.notices.push(Notice::StoreMiss);
                RenewalStep::Grant
            }
        }
    }

    /// The auth server's token.
    pub fn on_granted(
        &mut self,
        cache: &mut TokenCache,
        obtained: TokenGrant,
        generation_now: u32,
        now_ms: f64,
    ) -> RenewalStep {
        if generation_now != self.started_in {
            // clear() ran meanwhile: hand the token to the callers that waited, keep nothing.
            // Generation 0 is never the cache's, so a 401 on it invalidates nothing.
            return RenewalStep::Done(HeldToken {
                token: obtained.access_token,
                generation: 0,
            });
        }
        let token = obtained.access_token.clone();
        let generation = cache.on_grant(obtained, now_ms);
        let held = HeldToken { token, generation };
        match cache.to_stored() {
            Some(stored) => {
                self.pending = Some(held);
                RenewalStep::WriteStore {
                    value: stored.encode(),
                    ttl_seconds: (stored.expires_at_ms - now_ms) / 1000.0,
                }
            }
            None => RenewalStep::Done(held),
        }
    }

    /// What `store.put` came to; a failed write never fails the renewal.
    pub fn on_store_written(&mut self, written: Result<(), String>) -> RenewalStep {
        if let Err(message) = written {
            self.notices.push(Notice::StoreError {
                operation: "put",
                message,
            });
        }
        match self.pending.take() {
            Some(held) => RenewalStep::Done(held),
            // Only a driver reporting out of order gets here (a WriteStore step is only given
            // with a token pending); it is answered with a fresh grant, never a panic.
            None => RenewalStep::Grant,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(text: &str) -> TokenGrant {
        TokenGrant {
            access_token: Secret::new(text),
            refresh_token: Some(Secret::new("rt")),
            expires_in_seconds: 100.0,
            scope: None,
        }
    }

    /// A stored token's text as the store or the broker gives it, read as JSON.
    fn stored(text: &str, expires_at_ms: f64) -> Json {
        Json::from_text(
            &StoredToken {
                access_token: Secret::new(text),
                refresh_token: None,
                expires_at_ms,
                scope: None,
            }
            .encode(),
        )
    }

    #[test]
    fn memory_miss_then_store_miss_then_the_auth_server_then_one_store_write() {
        let mut cache = TokenCache::new(10_000.0, None, true);
        let (mut flow, step) = RenewalFlow::start(&mut cache, false, false, 0);
        assert_eq!(step, RenewalStep::ReadStore);
        assert_eq!(
            flow.on_store_read(&mut cache, Ok(None), 0.0),
            RenewalStep::Grant
        );
        assert_eq!(flow.notices(), [Notice::StoreMiss]);
        let step = flow.on_granted(&mut cache, grant("at-1"), 0, 1_000.0);
        let RenewalStep::WriteStore { value, ttl_seconds } = step else {
            panic!("{step:?}")
        };
        assert_eq!(ttl_seconds, 100.0);
        assert_eq!(
            StoredToken::decode(&Json::from_text(&value)).map(|s| s.access_token),
            Some(Secret::new("at-1")),
            "the store gets the token (never a secret: StoredToken has no field for one)"
        );
        let done = flow.on_store_written(Err("KV PUT failed".into()));
        assert!(matches!(done, RenewalStep::Done(h) if h.token.expose() == "at-1"));
        assert_eq!(
            flow.notices(),
            [Notice::StoreError {
                operation: "put",
                message: "KV PUT failed".into()
            }]
        );
    }

    #[test]
    fn a_store_write_reported_with_no_token_pending_asks_for_a_grant_not_a_panic() {
        // Only a driver reporting steps out of order gets here; it is answered, not trusted.
        let mut cache = TokenCache::new(10_000.0, None, true);
        let (mut flow, _) = RenewalFlow::start(&mut cache, false, false, 0);
        assert_eq!(flow.on_store_written(Ok(())), RenewalStep::Grant);
        assert!(flow.notices().is_empty());
    }

    #[test]
    fn a_fresh_stored_token_ends_the_renewal_and_a_stale_one_lends_its_refresh_token() {
        let mut cache = TokenCache::new(10_000.0, None, true);
        let (mut flow, _) = RenewalFlow::start(&mut cache, false, false, 0);
        let hit = flow.on_store_read(&mut cache, Ok(Some(stored("s1", 50_000.0))), 1_000.0);
        assert!(matches!(hit, RenewalStep::Done(h) if h.token.expose() == "s1"));
        assert_eq!(flow.notices(), [Notice::StoreHit]);

        let mut cache = TokenCache::new(10_000.0, None, true);
        let (mut flow, _) = RenewalFlow::start(&mut cache, false, false, 0);
        let inside_leeway = StoredToken {
            access_token: Secret::new("s2"),
            refresh_token: Some(Secret::new("rt-from-store")),
            expires_at_ms: 5_000.0,
            scope: None,
        }
        .encode();
        assert_eq!(
            flow.on_store_read(
                &mut cache,
                Ok(Some(Json::from_text(&inside_leeway))),
                1_000.0
            ),
            RenewalStep::Grant
        );
        assert_eq!(flow.notices(), [Notice::StoreMiss]);
        assert_eq!(
            cache.refresh_token().map(Secret::expose),
            Some("rt-from-store")
        );
    }

    #[test]
    fn unreadable_or_failing_stores_are_a_miss_with_a_store_error() {
        let mut cache = TokenCache::new(0.0, None, true);
        let (mut flow, _) = RenewalFlow::start(&mut cache, false, false, 0);
        assert_eq!(
            flow.on_store_read(&mut cache, Ok(Some(Json::from_text("\u{0}garbage"))), 0.0),
            RenewalStep::Grant
        );
        assert!(matches!(
            flow.notices().as_slice(),
            [
                Notice::StoreError {
                    operation: "get",
                    ..
                },
                Notice::StoreMiss
            ]
        ));
        let (mut flow, _) = RenewalFlow::start(&mut cache, false, false, 0);
        assert_eq!(
            flow.on_store_read(&mut cache, Err("store.get rejected".into()), 0.0),
            RenewalStep::Grant
        );
        assert!(matches!(
            flow.notices().as_slice(),
            [
                Notice::StoreError {
                    operation: "get",
                    ..
                },
                Notice::StoreMiss
            ]
        ));
    }

    #[test]
    fn the_broker_comes_first_is_told_of_refusals_and_a_failure_falls_back_to_the_store() {
        let mut cache = TokenCache::new(0.0, None, true);
        let first = cache.on_grant(grant("old"), 0.0);
        assert!(cache.invalidate_if_current(first));
        let (mut flow, step) = RenewalFlow::start(&mut cache, true, false, 0);
        assert_eq!(
            step,
            RenewalStep::AskBroker(BrokerReport::Refused {
                access_token: Secret::new("old"),
                expires_at_ms: 100_000.0
            })
        );
        let answered = flow.on_broker(&mut cache, Ok(stored("new", 90_000.0)), 0, 1.0);
        assert!(matches!(answered, RenewalStep::Done(h) if h.token.expose() == "new"));
        assert_eq!(cache.current().map(|c| c.source.as_str()), Some("broker"));

        let (mut flow, step) = RenewalFlow::start(&mut cache, true, false, 0);
        assert_eq!(step, RenewalStep::AskBroker(BrokerReport::Nothing));
        let fallback = flow.on_broker(&mut cache, Err("the broker did not answer".into()), 0, 1.0);
        assert_eq!(fallback, RenewalStep::ReadStore);
        assert_eq!(
            flow.notices(),
            [Notice::BrokerError {
                message: "the broker did not answer".into()
            }]
        );
        let (_, forced) = RenewalFlow::start(&mut cache, true, true, 0);
        assert_eq!(forced, RenewalStep::AskBroker(BrokerReport::Refresh));
    }

    #[test]
    fn a_renewal_overtaken_by_clear_hands_its_token_over_and_keeps_nothing() {
        let mut cache = TokenCache::new(0.0, None, true);
        let (mut flow, _) = RenewalFlow::start(&mut cache, false, true, 3);
        let done = flow.on_granted(&mut cache, grant("late"), 4, 0.0);
        assert!(
            matches!(done, RenewalStep::Done(h) if h.generation == 0 && h.token.expose() == "late")
        );
        assert!(cache.current().is_none(), "nothing kept after clear()");
        assert!(cache.refresh_token().is_none());
    }
}
