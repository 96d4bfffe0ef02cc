//! The per-client session: the configuration, the token cache and the flows in progress, behind
//! synchronous methods. driver.js runs the steps they return (fetch, timers, store, broker) and
//! reports what came of each; every decision is the core's flows', made here without I/O.
//!
//! A step is a JS array `[kind, events, ...payload]`: `kind` names what to do next (the `STEP_*`
//! constants, which driver.js switches on), `events` the `onEvent` events to deliver first
//! (`undefined` for none). Events go back as data rather than being delivered from here, so a
//! listener that calls the client again never re-enters a session that is mid-call.
//!
//! The session is split by flow: this file holds its state and what both flows share,
//! `renewal.rs` the renewal's steps (broker, store, token requests), `call.rs` an API call's,
//! and `ops.rs` the one export through which driver.js reaches all of them.

mod call;
mod ops;
mod renewal;

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use super::events::Event;
use super::http::{header_object, resolve_url, Read};
use super::objects::{to_object, TokenInfo};
use crate::core::api_scope::ApiScope;
use crate::core::call_flow::CallFlow;
use crate::core::config::Config;
use crate::core::error::{ClientError, ErrorCode};
use crate::core::grant_flow::GrantFlow;
use crate::core::renewal_flow::{RenewalFlow, RenewalStep};
use crate::core::retry_policy::RetryPolicy;
use crate::core::secret::{Redactor, Secret};
use crate::core::token_cache::{Freshness, HeldToken, TokenCache};

// The kinds of step (driver.js has the same names; tests/docs/driver-codes.test.mjs compares).
/// Renewal: ask the broker; payload: the report.
pub const STEP_BROKER: u8 = 0;
/// Renewal: `store.get(key)`.
pub const STEP_GET: u8 = 1;
/// Renewal: `store.put(key, value, { expirationTtl })`.
pub const STEP_PUT: u8 = 2;
/// Renewal: send the token request; payload: url, headers, body.
pub const STEP_SEND: u8 = 3;
/// Either flow: wait; payload: milliseconds.
pub const STEP_WAIT: u8 = 4;
/// Renewal: the token; payload: API headers, generation, the token's text.
pub const STEP_DONE: u8 = 5;
/// Either flow: reject with the payload, an `AndOpenError`.
pub const STEP_FAIL: u8 = 6;
/// Call: make the next attempt (`OP_CALL_REQUEST` says what to send).
pub const STEP_AGAIN: u8 = 7;
/// Call: resolve with the payload (a `Response`, or the parsed JSON).
pub const STEP_RETURN: u8 = 8;
/// Call: read the payload (a final 401's `Response`) as text and hand it to `OP_CALL_REFUSED`.
pub const STEP_READ: u8 = 9;

// The errors driver.js raises itself, `OP_ERROR`'s id (driver.js `ERROR_*`).
const ERROR_BANNER: u32 = 0;
const ERROR_ABORTED: u32 = 1;
const ERROR_TIMEOUT: u32 = 2;

// `OP_TOKEN`'s first element (driver.js `TOKEN_*`).
const TOKEN_MISSING: u8 = 0;
const TOKEN_FRESH: u8 = 1;
const TOKEN_RENEWABLE: u8 = 2;

/// A renewal in progress (renewal.rs runs it).
struct Renewal {
    id: u32,
    flow: RenewalFlow,
    grant: Option<GrantFlow>,
    /// The step `OP_RENEW_STEP` hands out first.
    first: Option<RenewalStep>,
}

/// An API call in progress (call.rs runs it).
struct Call {
    id: u32,
    flow: CallFlow,
    read: Read,
    /// A final 401's Retry-After, kept while driver.js reads its body.
    retry_after: Option<f64>,
}

#[wasm_bindgen(skip_typescript)]
pub struct Session {
    config: Config,
    /// Where the API credentials may go (apiUrl, as the runtime's URL parser normalises it).
    scope: ApiScope,
    policy: RetryPolicy,
    cache: TokenCache,
    /// Bumped by `clear()`, so a renewal that was in flight cannot bring old tokens back.
    generation: u32,
    has_broker: bool,
    /// Whether the client has an `onEvent` listener: without one, no event is built (driver.js
    /// would drop it), which keeps serde and the events' code off the first request's path.
    has_listener: bool,
    /// The API headers for the current token, built once per token rather than per call.
    api_headers: Option<(Secret, Object)>,
    renewals: Vec<Renewal>,
    calls: Vec<Call>,
    next_id: u32,
    events: Option<Array>,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn jitter() -> f64 {
    js_sys::Math::random()
}

impl Session {
    pub fn new(config: Config, has_broker: bool, has_listener: bool) -> Session {
        let scope =
            ApiScope::new(&resolve_url(&config.api_url).unwrap_or_else(|| config.api_url.clone()));
        let cache = TokenCache::new(
            config.leeway_ms,
            config.initial_refresh_token.clone(),
            config.can_use_client_credentials(),
        );
        Session {
            scope,
            policy: RetryPolicy::new(config.max_retries),
            cache,
            config,
            generation: 0,
            has_broker,
            has_listener,
            api_headers: None,
            renewals: Vec::new(),
            calls: Vec::new(),
            next_id: 0,
            events: None,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// How long a caller waits for a renewal another call started before starting its own: in
    /// Workers that call may belong to a request that was cancelled, and then it never settles.
    pub fn join_deadline_ms(&self) -> f64 {
        self.policy.worst_case_ms(self.config.timeout_ms) + self.config.timeout_ms
    }

    // Inlined, so that without a listener not even this function is called (and compiled).
    #[inline(always)]
    fn event(&mut self, event: Event<'_>) {
        if self.has_listener {
            self.push_event(&event);
        }
    }

    #[inline(never)]
    fn push_event(&mut self, event: &Event<'_>) {
        let value = to_object(event);
        self.events.get_or_insert_with(Array::new).push(&value);
    }

    fn step(&mut self, kind: u8, payload: &[&JsValue]) -> Array {
        let step = Array::new();
        step.push(&kind.into());
        step.push(&self.events.take().map_or(JsValue::UNDEFINED, JsValue::from));
        for value in payload {
            step.push(value);
        }
        step
    }

    fn fail(&mut self, error: ClientError) -> Array {
        self.step(STEP_FAIL, &[&error.into()])
    }

    /// The step for a renewal or call id the session does not hold. driver.js ends each flow
    /// once (`OP_RENEW_END`, `OP_CALL_END`) and asks nothing after, so this is a driver bug
    /// surfacing as a typed error rather than a panic.
    fn gone(&mut self) -> Array {
        self.fail(ClientError::new(
            ErrorCode::InvalidConfig,
            "the client lost track of this call or renewal (a bug in andopen-client)",
        ))
    }

    /// A redactor for the static secrets and every token held now or recently (a server may
    /// echo an old one back after a renewal).
    fn redactor(&self) -> Redactor {
        let mut r = Redactor::new();
        for secret in [
            &self.config.api_key,
            &self.config.client_secret,
            &self.config.initial_refresh_token,
        ]
        .into_iter()
        .flatten()
        {
            r.add(secret);
        }
        if let Some(current) = self.cache.current() {
            r.add(&current.access_token);
        }
        for token in self.cache.known_tokens() {
            r.add(token);
        }
        r
    }

    /// The headers of the seed's step 3 for `held`: x-api-key, the bearer token, both tenant
    /// headers (the &Open API takes the tenant reference in each) and Accept. An `oauth2`
    /// client without an API key or a tenant sends the bearer token and Accept only.
    fn api_headers(&mut self, held: &HeldToken) -> Object {
        if let Some((cached_for, headers)) = &self.api_headers {
            if cached_for == &held.token {
                return headers.clone();
            }
        }
        let config = &self.config;
        let authorization = ["Bearer ", held.token.expose()].concat();
        let tenant = config.tenant.as_deref();
        let pairs = [
            Some(("authorization", authorization.as_str())),
            Some(("accept", "application/json")),
            config
                .api_key
                .as_ref()
                .map(|key| ("x-api-key", key.expose())),
            tenant.map(|tenant| ("x-andopen-tenant", tenant)),
            tenant.map(|tenant| ("x-andopen-client", tenant)),
        ];
        let headers = header_object(pairs.into_iter().flatten());
        self.api_headers = Some((held.token.clone(), headers.clone()));
        headers
    }

    fn next_id(&mut self) -> u32 {
        self.next_id = self.next_id.wrapping_add(1);
        self.next_id
    }
}

// The operations driver.js runs through `Session.op` (ops.rs).
impl Session {
    /// `[state, headers, generation, freshUntil, token]`: the cached token's state now
    /// (`TOKEN_*`) and, unless missing, its API headers, generation, the time until which it
    /// needs no renewal, and its text.
    pub fn token_now(&mut self) -> Array {
        let now = now_ms();
        let (state, held) = match self.cache.freshness(now) {
            Freshness::Fresh(held) => (TOKEN_FRESH, held),
            Freshness::Renewable(held) => (TOKEN_RENEWABLE, held),
            Freshness::Missing => return Array::of1(&TOKEN_MISSING.into()),
        };
        let fresh_until = self
            .cache
            .current()
            .map_or(0.0, |t| t.expires_at_ms - self.config.leeway_ms);
        let headers = self.api_headers(&held);
        let out = Array::of4(
            &state.into(),
            &headers,
            &JsValue::from_f64(held.generation as f64),
            &fresh_until.into(),
        );
        out.push(&JsValue::from_str(held.token.expose()));
        out
    }

    /// Forgets the tokens in memory. A renewal in flight goes on: its flow sees the new
    /// generation, hands its token to the callers already waiting for it and keeps nothing.
    pub fn clear(&mut self) {
        self.cache.clear();
        self.api_headers = None;
        self.generation = self.generation.wrapping_add(1);
    }

    /// The errors driver.js raises itself (`ERROR_*`).
    pub fn error(&self, which: u32) -> JsValue {
        match which {
            ERROR_BANNER => ClientError::new(
                ErrorCode::InvalidResponse,
                "GET / did not answer a JSON string",
            ),
            ERROR_ABORTED => ClientError::new(
                ErrorCode::Aborted,
                "the call was aborted while waiting for a token",
            ),
            _ => {
                debug_assert_eq!(which, ERROR_TIMEOUT);
                ClientError::new(ErrorCode::Timeout, "no token renewal settled in time")
            }
        }
        .into()
    }

    /// Metadata of the current token, never the token itself; `null` before any token.
    pub fn token_info(&self) -> JsValue {
        match self.cache.current() {
            None => JsValue::NULL,
            Some(current) => to_object(&TokenInfo {
                expires_at: current.expires_at_ms.floor(),
                scope: current.scope.as_deref(),
                has_refresh_token: self.cache.refresh_token().is_some(),
                source: current.source.as_str(),
            }),
        }
    }
}
