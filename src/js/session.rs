//! The per-client session: the configuration, the token cache and the flows in progress, behind
//! synchronous methods. driver.js runs the steps they return (fetch, timers, store, broker) and
//! reports what came of each; every decision is the core's flows', made here without I/O.
//!
//! A step is a JS array `[kind, events, ...payload]`: `kind` names what to do next (the `STEP_*`
//! constants, which driver.js switches on), `events` the `onEvent` events to deliver first
//! (`undefined` for none). Events go back as data rather than being delivered from here, so a
//! listener that calls the client again never re-enters a session that is mid-call.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortSignal, ReadableStream};

use super::error::describe_thrown;
use super::events::Event;
use super::http::{discard, header_object, resolve_url, settled, Body, Exchange, Read};
use crate::core::api_scope::{
    token_redirect_error, unfollowed_redirect_error, ApiScope, RedirectMode,
};
use crate::core::call_flow::{CallFlow, CallSpec, CallStep, ResponseHead};
use crate::core::config::Config;
use crate::core::error::{is_retryable_status, ClientError, ErrorCode};
use crate::core::grant_flow::{GrantFlow, GrantStep};
use crate::core::renewal_flow::{BrokerReport, Notice, RenewalFlow, RenewalStep};
use crate::core::retry_policy::RetryPolicy;
use crate::core::secret::{Redactor, Secret};
use crate::core::token_cache::{Freshness, HeldToken, TokenCache};
use crate::core::token_response::{classify_error_response, parse_token_response, MAX_BODY_BYTES};

// The kinds of step (driver.js has the same names; tests/docs/attempt-codes.test.mjs compares).
/// Renewal: ask the broker; payload: the report.
pub const STEP_BROKER: &str = "broker";
/// Renewal: `store.get(key)`.
pub const STEP_GET: &str = "get";
/// Renewal: `store.put(key, value, { expirationTtl })`.
pub const STEP_PUT: &str = "put";
/// Renewal: send the token request; payload: url, headers, body.
pub const STEP_SEND: &str = "send";
/// Either flow: wait; payload: milliseconds.
pub const STEP_WAIT: &str = "wait";
/// Renewal: the token; payload: API headers, generation, the token's text.
pub const STEP_DONE: &str = "done";
/// Either flow: reject with the payload, an `AndOpenError`.
pub const STEP_FAIL: &str = "fail";
/// Call: make the next attempt (`callRequest` says what to send).
pub const STEP_AGAIN: &str = "again";
/// Call: resolve with the payload (a `Response`, or the parsed JSON).
pub const STEP_RETURN: &str = "return";
/// Call: read the payload (a final 401's `Response`) as text and hand it to `callRefused`.
pub const STEP_READ: &str = "read";

// How a store call ended (driver.js `STORE_*`): its value, or what was wrong.
const STORE_OK: u8 = 0;
const STORE_THREW: u8 = 1;
const STORE_REJECTED: u8 = 2;
const STORE_TIMEOUT: u8 = 3;
// STORE_MISSING (4): the method is not a function.

// `token()`'s first element (driver.js `MISSING`, `FRESH`, `RENEWABLE`).
const TOKEN_MISSING: u8 = 0;
const TOKEN_FRESH: u8 = 1;
const TOKEN_RENEWABLE: u8 = 2;

struct Renewal {
    id: u32,
    flow: RenewalFlow,
    grant: Option<GrantFlow>,
    /// The step `renewStep` hands out first.
    first: Option<RenewalStep>,
}

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
    pub fn new(config: Config, has_broker: bool) -> Session {
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

    fn event(&mut self, event: Event<'_>) {
        if let Ok(value) = serde_wasm_bindgen::to_value(&event) {
            self.events.get_or_insert_with(Array::new).push(&value);
        }
    }

    fn step(&mut self, kind: &str, payload: &[&JsValue]) -> Array {
        let step = Array::new();
        step.push(&JsValue::from_str(kind));
        step.push(&self.events.take().map_or(JsValue::UNDEFINED, JsValue::from));
        for value in payload {
            step.push(value);
        }
        step
    }

    fn fail(&mut self, error: ClientError) -> Array {
        self.step(STEP_FAIL, &[&error.into()])
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
        let authorization = format!("Bearer {}", held.token.expose());
        let mut pairs = vec![
            ("authorization", authorization.as_str()),
            ("accept", "application/json"),
        ];
        if let Some(api_key) = &config.api_key {
            pairs.push(("x-api-key", api_key.expose()));
        }
        if let Some(tenant) = &config.tenant {
            pairs.push(("x-andopen-tenant", tenant.as_str()));
            pairs.push(("x-andopen-client", tenant.as_str()));
        }
        let headers = header_object(pairs);
        self.api_headers = Some((held.token.clone(), headers.clone()));
        headers
    }

    fn renewal(&mut self, id: u32) -> Option<&mut Renewal> {
        self.renewals.iter_mut().find(|r| r.id == id)
    }

    fn call(&mut self, id: u32) -> Option<&mut Call> {
        self.calls.iter_mut().find(|c| c.id == id)
    }

    fn next_id(&mut self) -> u32 {
        self.next_id = self.next_id.wrapping_add(1);
        self.next_id
    }

    // ---- renewal ----

    /// Turns a `RenewalStep` into driver.js's step, starting the grant where the flow asks for
    /// one.
    fn renewal_step(&mut self, id: u32, step: RenewalStep) -> Array {
        self.notices(id);
        match step {
            RenewalStep::AskBroker(report) => {
                let report = broker_report(report);
                self.step(STEP_BROKER, &[&report])
            }
            RenewalStep::ReadStore => {
                let key = JsValue::from_str(&self.config.store_key);
                self.step(STEP_GET, &[&key])
            }
            RenewalStep::WriteStore { value, ttl_seconds } => {
                let key = JsValue::from_str(&self.config.store_key);
                self.step(
                    STEP_PUT,
                    &[
                        &key,
                        &JsValue::from_str(&value),
                        &JsValue::from_f64(ttl_seconds.ceil().max(1.0)),
                    ],
                )
            }
            RenewalStep::Grant => match GrantFlow::start(&self.cache, self.policy) {
                Ok(grant) => {
                    if let Some(renewal) = self.renewal(id) {
                        renewal.grant = Some(grant);
                    }
                    self.grant_send(id)
                }
                Err(error) => self.end_renewal(id, Err(error)),
            },
            RenewalStep::Done(held) => self.end_renewal(id, Ok(held)),
        }
    }

    fn notices(&mut self, id: u32) {
        let Some(renewal) = self.renewal(id) else {
            return;
        };
        let notices = renewal.flow.notices();
        let key = self.config.store_key.clone();
        for notice in notices {
            let event = match &notice {
                Notice::StoreHit => Event {
                    kind: "store_hit",
                    key: Some(&key),
                    ..Event::default()
                },
                Notice::StoreMiss => Event {
                    kind: "store_miss",
                    key: Some(&key),
                    ..Event::default()
                },
                Notice::StoreError { operation, message } => Event {
                    kind: "store_error",
                    operation: Some(operation),
                    message: Some(message),
                    ..Event::default()
                },
                Notice::BrokerError { message } => Event {
                    kind: "broker_error",
                    message: Some(message),
                    ..Event::default()
                },
            };
            self.event(event);
        }
    }

    fn end_renewal(&mut self, id: u32, result: Result<HeldToken, ClientError>) -> Array {
        self.renewals.retain(|r| r.id != id);
        match result {
            Ok(held) => {
                let headers = self.api_headers(&held);
                let generation = JsValue::from_f64(held.generation as f64);
                let token = JsValue::from_str(held.token.expose());
                self.step(STEP_DONE, &[&headers, &generation, &token])
            }
            Err(error) => self.fail(error),
        }
    }

    /// The token request the grant flow asks for, and its `token_request` event.
    fn grant_send(&mut self, id: u32) -> Array {
        let Some(grant) = self.renewal(id).and_then(|r| r.grant.clone()) else {
            return self.gone();
        };
        self.event(Event {
            kind: "token_request",
            grant: Some(grant.grant().name()),
            attempt: Some(grant.attempt()),
            ..Event::default()
        });
        let request = grant.request(&self.config);
        let headers = header_object(
            request
                .headers
                .iter()
                .map(|(name, value)| (*name, value.expose())),
        );
        self.step(
            STEP_SEND,
            &[
                &JsValue::from_str(&request.url),
                &headers,
                &JsValue::from_str(request.body.expose()),
            ],
        )
    }

    fn gone(&mut self) -> Array {
        self.fail(ClientError::new(
            ErrorCode::InvalidConfig,
            "the flow is no longer in progress (was the client cleared?)",
        ))
    }

    fn store_result(&self, method: &str, outcome: u8, value: JsValue) -> Result<JsValue, String> {
        match outcome {
            STORE_OK => Ok(value),
            STORE_THREW => Err(format!("store.{method} threw {}", describe_thrown(&value))),
            STORE_REJECTED => Err(format!(
                "store.{method} rejected with {}",
                describe_thrown(&value)
            )),
            STORE_TIMEOUT => Err(format!(
                "store.{method} did not settle within {} ms",
                self.config.timeout_ms as u64
            )),
            _ => Err(format!("store.{method} is not a function")),
        }
    }

    /// What a token attempt came to, as the grant flow takes it.
    fn token_answer(
        &self,
        exchange: Exchange,
    ) -> Result<(u16, crate::core::token_response::TokenGrant), ClientError> {
        let status = exchange.status;
        if exchange.is_redirect() {
            discard(&exchange.response);
            return Err(token_redirect_error(status, exchange.location.as_deref()));
        }
        let retry_after = exchange.retry_after_seconds(now_ms());
        let text = match exchange.body {
            Body::Text(text) => text,
            // A retryable status keeps its code (and its retries) without the body; any other
            // answer over 64 KB is not one a token endpoint gives.
            Body::TooLarge if is_retryable_status(status) => String::new(),
            _ => {
                let mut error = ClientError::new(
                    ErrorCode::InvalidResponse,
                    "the token response is larger than 64 KB; it was read no further",
                );
                error.status = Some(status);
                return Err(error);
            }
        };
        parse_token_response(status, &text, retry_after, &self.redactor()).map(|g| (status, g))
    }

    fn token_error_event(&mut self, grant: &'static str, error: &ClientError) {
        self.event(Event {
            kind: "token_error",
            grant: Some(grant),
            status: error.status,
            code: Some(error.code.as_str()),
            ..Event::default()
        });
    }

    // ---- calls ----

    /// The value of a `json()` call. A redirect the client did not follow (another origin,
    /// outside `apiUrl`'s path, `init.redirect: "manual"`) is an `http_error` naming its status
    /// and host: `json()` has no body to give for it.
    fn json_value(&self, exchange: Exchange) -> Result<JsValue, ClientError> {
        let status = exchange.status;
        if exchange.is_redirect() {
            return Err(unfollowed_redirect_error(
                status,
                exchange.location.as_deref(),
            ));
        }
        if !(200..300).contains(&status) {
            let retry_after = exchange.retry_after_seconds(now_ms());
            let text = match exchange.body {
                Body::Text(text) => text,
                // Over 64 KB: the status alone decides (the body was read no further).
                _ => String::new(),
            };
            return Err(classify_error_response(
                status,
                &text,
                retry_after,
                &self.redactor(),
                false,
            ));
        }
        let why = match exchange.body {
            Body::Json(value) => return Ok(value),
            Body::TooLarge => "a body larger than maxResponseBytes",
            _ => "a body that is not JSON",
        };
        let mut error = ClientError::new(
            ErrorCode::InvalidResponse,
            format!("the API answered HTTP {status} with {why}"),
        );
        error.status = Some(status);
        Err(error)
    }

    /// The absolute URL for `input`: a path ("/x") is appended to `apiUrl`, a string or `URL`
    /// is taken whole; either way the runtime's URL parser resolves it (`..`, `%2e`,
    /// backslashes) and the result must stay inside `apiUrl`'s scope, so the credentials never
    /// go anywhere else.
    fn resolve(&self, input: &JsValue) -> Result<String, ClientError> {
        let text = input
            .as_string()
            .or_else(|| {
                Reflect::get(input, &JsValue::from_str("href"))
                    .ok()
                    .and_then(|h| h.as_string())
            })
            .ok_or_else(|| ClientError::config("the path must be a string or a URL"))?;
        let candidate = if text.starts_with('/') {
            format!("{}{text}", self.scope.base())
        } else {
            text
        };
        let href = resolve_url(&candidate);
        self.scope.check(href.as_deref())?;
        Ok(href.unwrap_or_default())
    }

    fn invalidate(&mut self, generation: u64) {
        self.cache.invalidate_if_current(generation);
    }
}

/// The report a renewal sends the broker (docs/API.md, the token broker).
fn broker_report(report: BrokerReport) -> JsValue {
    let field = |object: &Object, name: &str, value: &JsValue| {
        let _ = Reflect::set(object, &JsValue::from_str(name), value);
    };
    match report {
        BrokerReport::Nothing => JsValue::NULL,
        BrokerReport::Refused {
            access_token,
            expires_at_ms,
        } => {
            let refused = Object::new();
            field(&refused, "accessToken", &access_token.expose().into());
            field(&refused, "expiresAt", &expires_at_ms.into());
            let report = Object::new();
            field(&report, "refused", &refused);
            report.into()
        }
        BrokerReport::Refresh => {
            let report = Object::new();
            field(&report, "refresh", &JsValue::TRUE);
            report.into()
        }
    }
}

/// The parts of a `RequestInit` the client looks at, for driver.js: [signal, headers, body].
struct CallInit {
    method: String,
    signal: JsValue,
    headers: JsValue,
    body: JsValue,
    redirect: RedirectMode,
}

fn read_init(init: &JsValue) -> Result<CallInit, ClientError> {
    if init.is_undefined() || init.is_null() {
        return Ok(CallInit {
            method: "GET".into(),
            signal: JsValue::UNDEFINED,
            headers: JsValue::UNDEFINED,
            body: JsValue::UNDEFINED,
            redirect: RedirectMode::Follow,
        });
    }
    if !init.is_object() {
        return Err(ClientError::config("init must be an object"));
    }
    let get =
        |name: &str| Reflect::get(init, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let method = match get("method") {
        m if m.is_undefined() => "GET".to_owned(),
        m => m
            .as_string()
            .ok_or_else(|| ClientError::config("init.method must be a string"))?
            .to_ascii_uppercase(),
    };
    let signal = match get("signal") {
        s if s.is_undefined() || s.is_null() => JsValue::UNDEFINED,
        s if s.is_instance_of::<AbortSignal>() => s,
        _ => return Err(ClientError::config("init.signal must be an AbortSignal")),
    };
    let redirect = match get("redirect") {
        r if r.is_undefined() => RedirectMode::Follow,
        r => RedirectMode::parse(Some(r.as_string().as_deref().unwrap_or("?")))?,
    };
    Ok(CallInit {
        method,
        signal,
        headers: get("headers"),
        body: get("body"),
        redirect,
    })
}

/// driver.js's READ_* number as a `Read` (its values are `Read`'s discriminants).
fn read_mode(read: u8) -> Read {
    [Read::None, Read::Text, Read::Json]
        .into_iter()
        .find(|mode| *mode as u8 == read)
        .unwrap_or(Read::None)
}

#[wasm_bindgen(js_class = "Session")]
impl Session {
    /// `[state, headers, generation, freshUntil, token]`: the cached token's state now
    /// (`TOKEN_*`) and, unless missing, its API headers, generation, the time until which it
    /// needs no renewal, and its text.
    #[wasm_bindgen(js_name = token)]
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

    /// Starts a renewal (a forced one skips the store); `renewStep` gives its first step.
    #[wasm_bindgen(js_name = renewStart)]
    pub fn renew_start(&mut self, force: bool) -> u32 {
        let id = self.next_id();
        let (flow, first) =
            RenewalFlow::start(&mut self.cache, self.has_broker, force, self.generation);
        self.renewals.push(Renewal {
            id,
            flow,
            grant: None,
            first: Some(first),
        });
        id
    }

    #[wasm_bindgen(js_name = renewStep)]
    pub fn renew_step(&mut self, id: u32) -> Array {
        match self.renewal(id).and_then(|r| r.first.take()) {
            Some(step) => self.renewal_step(id, step),
            None => self.gone(),
        }
    }

    /// The broker answered `value` (`answered`), or the ask failed with `value` thrown.
    #[wasm_bindgen(js_name = renewBroker)]
    pub fn renew_broker(&mut self, id: u32, answered: bool, value: JsValue) -> Array {
        let answer = if answered {
            value
                .as_string()
                .ok_or_else(|| "the broker answered something that is not a token".to_owned())
        } else if value.as_f64().is_some() {
            Err("the broker did not answer within timeoutMs".to_owned())
        } else {
            Err(format!("the broker failed: {}", describe_thrown(&value)))
        };
        let generation = self.generation;
        let now = now_ms();
        let Some(renewal) = self.renewals.iter_mut().find(|r| r.id == id) else {
            return self.gone();
        };
        let step = renewal
            .flow
            .on_broker(&mut self.cache, answer, generation, now);
        self.renewal_step(id, step)
    }

    /// How the store call of the last `get` or `put` step ended (`STORE_*`), and its value.
    #[wasm_bindgen(js_name = renewStore)]
    pub fn renew_store(&mut self, id: u32, put: bool, outcome: u8, value: JsValue) -> Array {
        let now = now_ms();
        let step = if put {
            let written = self.store_result("put", outcome, value).map(drop);
            let Some(renewal) = self.renewal(id) else {
                return self.gone();
            };
            renewal.flow.on_store_written(written)
        } else {
            let read = self
                .store_result("get", outcome, value)
                .and_then(stored_text);
            let Some(renewal) = self.renewals.iter_mut().find(|r| r.id == id) else {
                return self.gone();
            };
            renewal.flow.on_store_read(&mut self.cache, read, now)
        };
        self.renewal_step(id, step)
    }

    /// What the token request came to: driver.js's attempt result, or the number it failed
    /// with.
    #[wasm_bindgen(js_name = renewAnswer)]
    pub fn renew_answer(&mut self, id: u32, result: JsValue, code: JsValue) -> Array {
        let answer = settled(result, &code, "the token request").and_then(|e| self.token_answer(e));
        let status = answer.as_ref().map(|(status, _)| *status).ok();
        let Some(renewal) = self.renewals.iter_mut().find(|r| r.id == id) else {
            return self.gone();
        };
        let Some(grant) = renewal.grant.as_mut() else {
            return self.gone();
        };
        let name = grant.grant().name();
        match grant.on_answer(&mut self.cache, answer.map(|(_, g)| g), jitter()) {
            GrantStep::Done(obtained) => {
                self.event(Event {
                    kind: "token_response",
                    grant: Some(name),
                    status,
                    expires_in: Some(obtained.expires_in_seconds),
                    ..Event::default()
                });
                let generation = self.generation;
                let now = now_ms();
                let Some(renewal) = self.renewals.iter_mut().find(|r| r.id == id) else {
                    return self.gone();
                };
                let step = renewal
                    .flow
                    .on_granted(&mut self.cache, obtained, generation, now);
                self.renewal_step(id, step)
            }
            GrantStep::Wait(retry) => {
                self.event(Event::retry("token", &retry));
                let delay = JsValue::from_f64(retry.delay_ms);
                self.step(STEP_WAIT, &[&delay])
            }
            GrantStep::FallBack(error) => {
                self.token_error_event(name, &error);
                self.grant_send(id)
            }
            GrantStep::Fail(error) => {
                self.token_error_event(name, &error);
                self.end_renewal(id, Err(error))
            }
        }
    }

    /// After a `wait` step of a renewal: the token request again.
    #[wasm_bindgen(js_name = renewResume)]
    pub fn renew_resume(&mut self, id: u32) -> Array {
        self.grant_send(id)
    }

    /// Forgets a renewal driver.js gave up on (it threw where it should not have).
    #[wasm_bindgen(js_name = renewEnd)]
    pub fn renew_end(&mut self, id: u32) {
        self.renewals.retain(|r| r.id != id);
    }

    /// Starts a call: `[id, signal, headers, body]` from `init`, or throws `invalid_config`
    /// for a URL outside `apiUrl` or a malformed `init`. `read`: how driver.js reads the body.
    #[wasm_bindgen(js_name = callStart)]
    pub fn call_start(
        &mut self,
        input: JsValue,
        init: JsValue,
        read: u8,
    ) -> Result<Array, JsValue> {
        let url = self.resolve(&input)?;
        let init = read_init(&init)?;
        let has_body = !(init.body.is_undefined() || init.body.is_null());
        let flow = CallFlow::new(
            CallSpec {
                url,
                method: init.method,
                has_body,
                body_replayable: !init.body.is_instance_of::<ReadableStream>(),
                redirect: init.redirect,
            },
            self.policy,
        );
        let id = self.next_id();
        self.calls.push(Call {
            id,
            flow,
            read: read_mode(read),
            retry_after: None,
        });
        Ok(Array::of4(
            &id.into(),
            &init.signal,
            &init.headers,
            &init.body,
        ))
    }

    /// `[url, method, withBody]` for the call's next attempt.
    #[wasm_bindgen(js_name = callRequest)]
    pub fn call_request(&mut self, id: u32) -> Array {
        match self.call(id) {
            Some(call) => {
                let request = call.flow.request();
                Array::of3(
                    &JsValue::from_str(&request.url),
                    &JsValue::from_str(&request.method),
                    &JsValue::from_bool(request.with_body),
                )
            }
            None => Array::new(),
        }
    }

    /// What an attempt with the token of `generation` came to: driver.js's attempt result, or
    /// the number it failed with.
    #[wasm_bindgen(js_name = callAnswer)]
    pub fn call_answer(
        &mut self,
        id: u32,
        generation: f64,
        result: JsValue,
        code: JsValue,
    ) -> Array {
        let sent = settled(result, &code, "the API request");
        let scope = self.scope.clone();
        let Some(call) = self.calls.iter_mut().find(|c| c.id == id) else {
            return self.gone();
        };
        let read = call.read;
        let (step, exchange) = match sent {
            Ok(exchange) => {
                let head = ResponseHead {
                    status: exchange.status,
                    retry_after_seconds: exchange.retry_after_seconds(now_ms()),
                    location: exchange.location.as_deref(),
                };
                let step = call
                    .flow
                    .on_response(&scope, head, generation as u64, jitter());
                (step, Some(exchange))
            }
            Err(error) => (call.flow.on_failure(error, jitter()), None),
        };
        match step {
            CallStep::Return => match (exchange, read) {
                (None, _) => self.fail(ClientError::new(
                    ErrorCode::InvalidResponse,
                    "the call ended without a response",
                )),
                (Some(exchange), Read::Json) => match self.json_value(exchange) {
                    Ok(value) => self.step(STEP_RETURN, &[&value]),
                    Err(error) => self.fail(error),
                },
                (Some(exchange), _) => {
                    let response = JsValue::from(exchange.response);
                    self.step(STEP_RETURN, &[&response])
                }
            },
            CallStep::Fail(error) => {
                exchange.inspect(|e| discard(&e.response));
                self.fail(error)
            }
            CallStep::FailUnauthorized { refused_generation } => {
                self.invalidate(refused_generation);
                let Some(exchange) = exchange else {
                    return self.fail(ClientError::new(
                        ErrorCode::Unauthorized,
                        "the API refused the token",
                    ));
                };
                let retry_after = exchange.retry_after_seconds(now_ms());
                match exchange.body {
                    Body::Text(text) => self.refused(retry_after, &text),
                    Body::NotRead => {
                        if let Some(call) = self.call(id) {
                            call.retry_after = retry_after;
                        }
                        let response = JsValue::from(exchange.response);
                        self.step(STEP_READ, &[&response])
                    }
                    _ => self.refused(retry_after, ""),
                }
            }
            CallStep::Follow => {
                exchange.inspect(|e| discard(&e.response));
                self.step(STEP_AGAIN, &[])
            }
            CallStep::Reauthenticate { refused_generation } => {
                // The refusal names the token by its generation, so a storm of 401s on one
                // token renews it once, even if the server hands out the same text again.
                self.invalidate(refused_generation);
                exchange.inspect(|e| discard(&e.response));
                self.event(Event {
                    kind: "unauthorized_retry",
                    status: Some(401),
                    ..Event::default()
                });
                self.step(STEP_AGAIN, &[])
            }
            CallStep::Wait(retry) => {
                exchange.inspect(|e| discard(&e.response));
                self.event(Event::retry("api", &retry));
                let delay = JsValue::from_f64(retry.delay_ms);
                self.step(STEP_WAIT, &[&delay])
            }
        }
    }

    /// A final 401's body, read by driver.js after a `read` step: the error it makes.
    #[wasm_bindgen(js_name = callRefused)]
    pub fn call_refused(&mut self, id: u32, text: &str) -> Array {
        let retry_after = self.call(id).and_then(|c| c.retry_after);
        self.refused(retry_after, text)
    }

    #[wasm_bindgen(js_name = callEnd)]
    pub fn call_end(&mut self, id: u32) {
        self.calls.retain(|c| c.id != id);
    }

    /// The URL of a warm-path path, or `undefined` if it is not one the client may call.
    #[wasm_bindgen(js_name = resolvePath)]
    pub fn resolve_path(&self, path: String) -> Option<String> {
        self.resolve(&JsValue::from_str(&path)).ok()
    }

    /// Forgets the tokens in memory. A renewal in flight goes on: its flow sees the new
    /// generation, hands its token to the callers already waiting for it and keeps nothing.
    pub fn clear(&mut self) {
        self.cache.clear();
        self.api_headers = None;
        self.generation = self.generation.wrapping_add(1);
    }

    /// The events of a broker that could not be cleared.
    #[wasm_bindgen(js_name = brokerClearFailed)]
    pub fn broker_clear_failed(&mut self, thrown: JsValue) -> Array {
        let why = format!("clearing the broker failed: {}", describe_thrown(&thrown));
        self.event(Event {
            kind: "broker_error",
            message: Some(&why),
            ..Event::default()
        });
        self.step(STEP_FAIL, &[])
    }

    /// The error of a store `delete` that failed in `clear()`, or `undefined` if it did not.
    #[wasm_bindgen(js_name = storeCleared)]
    pub fn store_cleared(&self, outcome: u8, value: JsValue) -> JsValue {
        match self.store_result("delete", outcome, value) {
            Ok(_) => JsValue::UNDEFINED,
            Err(why) => ClientError::new(
                ErrorCode::Storage,
                format!("clearing the store failed: {why}"),
            )
            .into(),
        }
    }

    /// The errors driver.js raises itself, by name.
    pub fn error(&self, which: &str) -> JsValue {
        match which {
            "banner" => ClientError::new(
                ErrorCode::InvalidResponse,
                "GET / did not answer a JSON string",
            ),
            "aborted" => ClientError::new(
                ErrorCode::Aborted,
                "the call was aborted while waiting for a token",
            ),
            _ => ClientError::new(ErrorCode::Timeout, "no token renewal settled in time"),
        }
        .into()
    }

    /// Metadata of the current token, never the token itself; `null` before any token.
    #[wasm_bindgen(js_name = tokenInfo)]
    pub fn token_info(&self) -> JsValue {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct TokenInfo<'a> {
            expires_at: f64,
            scope: Option<&'a str>,
            has_refresh_token: bool,
            source: &'a str,
        }
        use serde::Serialize;
        match self.cache.current() {
            None => JsValue::NULL,
            Some(current) => TokenInfo {
                expires_at: current.expires_at_ms.floor(),
                scope: current.scope.as_deref(),
                has_refresh_token: self.cache.refresh_token().is_some(),
                source: current.source.as_str(),
            }
            // `scope: null`, not undefined, as docs/API.md shows.
            .serialize(&serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true))
            .unwrap_or(JsValue::NULL),
        }
    }
}

impl Session {
    fn refused(&mut self, retry_after: Option<f64>, text: &str) -> Array {
        let error = classify_error_response(401, text, retry_after, &self.redactor(), false);
        self.fail(error)
    }
}

/// A store's `get` value: a miss for null or undefined; otherwise a string of at most 64 KB,
/// measured before it is copied into wasm memory (which never shrinks).
fn stored_text(value: JsValue) -> Result<Option<String>, String> {
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    match value.dyn_ref::<js_sys::JsString>().map(|s| s.length()) {
        None => Err("store.get returned a value that is not a string".to_owned()),
        Some(length) if length > MAX_BODY_BYTES => {
            Err("store.get returned a value over 64 KB; treated as a miss".to_owned())
        }
        Some(_) => Ok(value.as_string()),
    }
}
