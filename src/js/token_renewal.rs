//! Getting a valid token: the cache first; otherwise one shared renewal, whatever the number of
//! callers. The renewal's decisions are the core's flows (`RenewalFlow`: broker, store, auth
//! server; `GrantFlow`: refresh before client credentials, retries); this file runs their steps.

use std::rc::Rc;

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::AbortSignal;

use super::error::{code_of, describe_thrown};
use super::events::{emit, Event};
use super::http::{self, discard, header_object, Body, Outgoing, Read};
use super::runtime::{jitter, now_ms, race_abort, sleep};
use super::session::{Inner, Renewal};
use crate::core::api_scope::token_redirect_error;
use crate::core::error::{is_retryable_status, ClientError, ErrorCode};
use crate::core::grant_flow::{GrantFlow, GrantStep};
use crate::core::renewal_flow::{BrokerReport, Notice, RenewalFlow, RenewalStep};
use crate::core::secret::Secret;
use crate::core::token_cache::{Freshness, HeldToken};
use crate::core::token_request::TokenRequest;
use crate::core::token_response::{parse_token_response, TokenGrant};

/// A valid access token. Inside the leeway window only the caller that starts the renewal waits
/// for it; the others go on with the still-valid token (docs/API.md).
pub async fn token(
    inner: &Rc<Inner>,
    signal: Option<&AbortSignal>,
) -> Result<HeldToken, ClientError> {
    let (freshness, renewal) = {
        let state = inner.state.borrow();
        (state.cache.freshness(now_ms()), state.renewal.clone())
    };
    match (freshness, renewal) {
        (Freshness::Fresh(token), _) | (Freshness::Renewable(token), Some(_)) => Ok(token),
        (Freshness::Renewable(token), None) => match own(inner, false, signal).await {
            // The old token is still valid: a failed early renewal does not fail this call.
            Err(e) if e.code != ErrorCode::Aborted => Ok(token),
            other => other,
        },
        (Freshness::Missing, Some(renewal)) => join(inner, renewal, signal).await,
        (Freshness::Missing, None) => own(inner, false, signal).await,
    }
}

/// A new token from the auth server now, joining a renewal already in flight.
pub async fn force(inner: &Rc<Inner>) -> Result<HeldToken, ClientError> {
    let renewal = inner.state.borrow().renewal.clone();
    match renewal {
        Some(renewal) => join(inner, renewal, None).await,
        None => own(inner, true, None).await,
    }
}

/// Starts a renewal and waits for it, however long its retries take.
async fn own(
    inner: &Rc<Inner>,
    skip_store: bool,
    signal: Option<&AbortSignal>,
) -> Result<HeldToken, ClientError> {
    let renewal = start(inner, skip_store);
    wait(&renewal, signal, None)
        .await?
        .ok_or_else(|| ClientError::new(ErrorCode::Timeout, "the token renewal did not settle"))
}

/// Waits for a renewal another call started. In Workers that call may belong to a request that
/// gets cancelled, and then its renewal never settles: past the longest time a renewal can
/// take, this caller starts its own (once) instead of hanging.
async fn join(
    inner: &Rc<Inner>,
    renewal: Renewal,
    signal: Option<&AbortSignal>,
) -> Result<HeldToken, ClientError> {
    let deadline = inner.policy.worst_case_ms(inner.config.timeout_ms) + inner.config.timeout_ms;
    if let Some(token) = wait(&renewal, signal, Some(deadline)).await? {
        return Ok(token);
    }
    let replacement = {
        let state = inner.state.borrow();
        state
            .renewal
            .clone()
            .filter(|current| current.id != renewal.id)
    };
    match replacement {
        Some(other) => wait(&other, signal, Some(deadline)).await?,
        None => wait(&start(inner, false), signal, None).await?,
    }
    .ok_or_else(|| ClientError::new(ErrorCode::Timeout, "no token renewal settled in time"))
}

fn start(inner: &Rc<Inner>, skip_store: bool) -> Renewal {
    let task = inner.clone();
    let id = {
        let mut state = inner.state.borrow_mut();
        state.renewals_started += 1;
        state.renewals_started
    };
    let promise = future_to_promise(async move {
        let generation = task.state.borrow().generation;
        let result = renew(&task, skip_store, generation).await;
        let mut state = task.state.borrow_mut();
        if state.renewal.as_ref().is_some_and(|r| r.id == id) {
            state.renewal = None;
        }
        drop(state);
        // Every waiter gets the token and its generation, which a 401 on it reports back.
        result
            .map(|held| {
                let pair = js_sys::Array::new();
                pair.push(&JsValue::from_str(held.token.expose()));
                pair.push(&JsValue::from_f64(held.generation as f64));
                pair.into()
            })
            .map_err(JsValue::from)
    });
    let renewal = Renewal { id, promise };
    inner.state.borrow_mut().renewal = Some(renewal.clone());
    renewal
}

/// Waits for a renewal: every waiter gets the same token, or the same `AndOpenError`.
/// `Ok(None)` when `deadline_ms` passed first.
async fn wait(
    renewal: &Renewal,
    signal: Option<&AbortSignal>,
    deadline_ms: Option<f64>,
) -> Result<Option<HeldToken>, ClientError> {
    match JsFuture::from(race_abort(&renewal.promise, signal, deadline_ms)).await {
        Ok(pair) if pair.is_undefined() => Ok(None),
        Ok(pair) => {
            let pair: js_sys::Array = pair.unchecked_into();
            let token = pair.get(0).as_string().ok_or_else(|| {
                ClientError::new(ErrorCode::InvalidResponse, "the renewal produced no token")
            })?;
            Ok(Some(HeldToken {
                token: Secret::new(token),
                generation: pair.get(1).as_f64().unwrap_or(0.0) as u64,
            }))
        }
        Err(_) if signal.is_some_and(AbortSignal::aborted) => Err(ClientError::new(
            ErrorCode::Aborted,
            "the call was aborted while waiting for a token",
        )),
        Err(rejection) => Err(rebuild(&rejection)),
    }
}

/// The renewal rejects with an `AndOpenError`; waiters turn it back into data with its fields.
fn rebuild(rejection: &JsValue) -> ClientError {
    let field = |name: &str| js_sys::Reflect::get(rejection, &JsValue::from_str(name)).ok();
    let text = |name: &str| field(name).and_then(|v| v.as_string());
    let code = code_of(rejection).unwrap_or(ErrorCode::Network);
    let mut error = ClientError::new(
        code,
        text("message").unwrap_or_else(|| "token renewal failed".to_owned()),
    );
    error.status = field("status").and_then(|v| v.as_f64()).map(|s| s as u16);
    error.retryable = field("retryable")
        .and_then(|v| v.as_bool())
        .unwrap_or(error.retryable);
    error.oauth_error = text("oauthError");
    error.description = text("description");
    error.retry_after_seconds = field("retryAfterSeconds").and_then(|v| v.as_f64());
    error
}

/// Drives one `RenewalFlow` (src/core/renewal_flow.rs): broker, store, auth server, store write,
/// in the order and on the conditions it decides. No borrow of the state is held across an await.
async fn renew(inner: &Rc<Inner>, force: bool, generation: u32) -> Result<HeldToken, ClientError> {
    let has_broker = inner.broker.is_some();
    let (mut flow, mut step) = {
        let mut state = inner.state.borrow_mut();
        RenewalFlow::start(&mut state.cache, has_broker, force, generation)
    };
    let key = &inner.config.store_key;
    loop {
        step = match step {
            RenewalStep::Done(held) => {
                emit_notices(inner, &mut flow);
                return Ok(held);
            }
            RenewalStep::AskBroker(report) => {
                let answer = ask_broker(inner, report).await;
                let mut state = inner.state.borrow_mut();
                let generation_now = state.generation;
                flow.on_broker(&mut state.cache, answer, generation_now, now_ms())
            }
            RenewalStep::ReadStore => {
                let read = inner.store.get(key).await;
                let mut state = inner.state.borrow_mut();
                flow.on_store_read(&mut state.cache, read, now_ms())
            }
            RenewalStep::Grant => {
                let obtained = obtain(inner).await?;
                let mut state = inner.state.borrow_mut();
                let generation_now = state.generation;
                flow.on_granted(&mut state.cache, obtained, generation_now, now_ms())
            }
            RenewalStep::WriteStore { value, ttl_seconds } => {
                let written = inner.store.put(key, &value, ttl_seconds).await;
                flow.on_store_written(written)
            }
        };
        emit_notices(inner, &mut flow);
    }
}

fn emit_notices(inner: &Inner, flow: &mut RenewalFlow) {
    let key = inner.config.store_key.as_str();
    for notice in flow.notices() {
        let event = match &notice {
            Notice::StoreHit => Event {
                kind: "store_hit",
                key: Some(key),
                ..Event::default()
            },
            Notice::StoreMiss => Event {
                kind: "store_miss",
                key: Some(key),
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
        emit(inner.on_event.as_ref(), event);
    }
}

/// The broker's answer (its stored-token text): one RPC, bounded by `timeoutMs`, with the report
/// the flow chose. `Err` says why there is none, without secrets.
async fn ask_broker(inner: &Rc<Inner>, report: BrokerReport) -> Result<String, String> {
    let Some(broker) = &inner.broker else {
        return Err("no broker".to_owned());
    };
    let field = |object: &Object, name: &str, value: &JsValue| {
        let _ = Reflect::set(object, &JsValue::from_str(name), value);
    };
    let report = match report {
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
    };
    let asked = ask_broker_js(
        &broker.namespace,
        &inner.config.store_key,
        &broker.options,
        &report,
        inner.config.timeout_ms,
    );
    let answer = JsFuture::from(asked).await.map_err(|thrown| {
        if thrown.as_f64().is_some() {
            "the broker did not answer within timeoutMs".to_owned()
        } else {
            format!("the broker failed: {}", describe_thrown(&thrown))
        }
    })?;
    answer
        .as_string()
        .ok_or_else(|| "the broker answered something that is not a token".to_owned())
}

/// `clear()` clears the broker's tokens too; a broker that cannot be reached is reported.
pub async fn clear_broker(inner: &Rc<Inner>) {
    let Some(broker) = &inner.broker else { return };
    let cleared = clear_broker_js(
        &broker.namespace,
        &inner.config.store_key,
        inner.config.timeout_ms,
    );
    if let Err(thrown) = JsFuture::from(cleared).await {
        let why = format!("clearing the broker failed: {}", describe_thrown(&thrown));
        broker_error(inner, &why);
    }
}

fn broker_error(inner: &Inner, why: &str) {
    emit(
        inner.on_event.as_ref(),
        Event {
            kind: "broker_error",
            message: Some(why),
            ..Event::default()
        },
    );
}

#[wasm_bindgen(module = "/src/js/attempt.js")]
extern "C" {
    #[wasm_bindgen(js_name = askBroker)]
    fn ask_broker_js(
        namespace: &Object,
        name: &str,
        options: &Object,
        report: &JsValue,
        timeout_ms: f64,
    ) -> Promise;
    #[wasm_bindgen(js_name = clearBroker)]
    fn clear_broker_js(namespace: &Object, name: &str, timeout_ms: f64) -> Promise;
}

/// Drives a `GrantFlow` (src/core/grant_flow.rs): sends the token request it asks for, reports
/// the parsed answer, and carries out each step (events, waits). Every decision is the flow's.
async fn obtain(inner: &Rc<Inner>) -> Result<TokenGrant, ClientError> {
    let events = inner.on_event.as_ref();
    let mut flow = GrantFlow::start(&inner.state.borrow().cache, inner.policy)?;
    loop {
        let grant = flow.grant().name();
        emit(
            events,
            Event {
                kind: "token_request",
                grant: Some(grant),
                attempt: Some(flow.attempt()),
                ..Event::default()
            },
        );
        let request = flow.request(&inner.config);
        let answer = attempt_token(inner, &request).await;
        let status = answer.as_ref().map(|(status, _)| *status).ok();
        let step = {
            let mut state = inner.state.borrow_mut();
            flow.on_answer(&mut state.cache, answer.map(|(_, g)| g), jitter())
        };
        match step {
            GrantStep::Done(obtained) => {
                emit(
                    events,
                    Event {
                        kind: "token_response",
                        grant: Some(grant),
                        status,
                        expires_in: Some(obtained.expires_in_seconds),
                        ..Event::default()
                    },
                );
                return Ok(obtained);
            }
            GrantStep::Wait(retry) => {
                emit(events, Event::retry("token", &retry));
                sleep(retry.delay_ms, None).await;
            }
            GrantStep::FallBack(error) => token_error(inner, grant, &error),
            GrantStep::Fail(error) => {
                token_error(inner, grant, &error);
                return Err(error);
            }
        }
    }
}

fn token_error(inner: &Inner, grant: &str, error: &ClientError) {
    emit(
        inner.on_event.as_ref(),
        Event {
            kind: "token_error",
            grant: Some(grant),
            status: error.status,
            code: Some(error.code.as_str()),
            ..Event::default()
        },
    );
}

async fn attempt_token(
    inner: &Rc<Inner>,
    request: &TokenRequest,
) -> Result<(u16, TokenGrant), ClientError> {
    let headers = header_object(
        request
            .headers
            .iter()
            .map(|(name, value)| (*name, value.expose())),
    );
    let body = JsValue::from_str(request.body.expose());
    let url = request.url.as_str();
    let headers = &headers;
    let body = &body;
    let outgoing = Outgoing {
        url,
        method: "POST",
        client_headers: headers,
        user_headers: &JsValue::UNDEFINED,
        body,
    };
    // Not tied to any caller's signal: the renewal is shared, and one caller giving up must not
    // fail it for the others.
    let exchange = http::send(
        inner.fetch.as_ref(),
        &outgoing,
        None,
        inner.readings.get(Read::Text),
        "the token request",
    )
    .await?;
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
    parse_token_response(status, &text, retry_after, &inner.redactor()).map(|g| (status, g))
}
