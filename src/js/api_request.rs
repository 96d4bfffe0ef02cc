//! Authenticated API calls: headers of the seed's step 3, one re-authentication on a 401, retries
//! on 429/5xx/network/timeout within `maxRetries`, redirects only inside `apiUrl`'s scope, and
//! the caller's AbortSignal.

use std::rc::Rc;

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortSignal, ReadableStream, Response};

use super::events::{emit, Event};
use super::http::{
    self, discard, header_object, read_text, resolve_url, Body, Exchange, Outgoing, Read,
};
use super::runtime::{jitter, now_ms, sleep};
use super::session::{spawn, Inner};
use super::token_renewal::token;
use crate::core::api_scope::{unfollowed_redirect_error, ApiScope, RedirectMode};
use crate::core::call_flow::{CallFlow, CallSpec, CallStep, ResponseHead};
use crate::core::error::{ClientError, ErrorCode};
use crate::core::token_cache::{Freshness, HeldToken};
use crate::core::token_response::classify_error_response;

/// The parts of a `RequestInit` the client looks at.
struct CallInit {
    method: String,
    headers: JsValue,
    body: JsValue,
    signal: Option<AbortSignal>,
    redirect: RedirectMode,
}

fn read_init(init: &JsValue) -> Result<CallInit, ClientError> {
    if init.is_undefined() || init.is_null() {
        return Ok(CallInit {
            method: "GET".into(),
            headers: JsValue::UNDEFINED,
            body: JsValue::UNDEFINED,
            signal: None,
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
        s if s.is_undefined() || s.is_null() => None,
        s => Some(
            s.dyn_into::<AbortSignal>()
                .map_err(|_| ClientError::config("init.signal must be an AbortSignal"))?,
        ),
    };
    let redirect = match get("redirect") {
        r if r.is_undefined() => RedirectMode::Follow,
        r => RedirectMode::parse(Some(r.as_string().as_deref().unwrap_or("?")))?,
    };
    Ok(CallInit {
        method,
        headers: get("headers"),
        body: get("body"),
        signal,
        redirect,
    })
}

/// The absolute URL for `input`: a path ("/x") is appended to `apiUrl`, a string or `URL` is
/// taken whole; either way the runtime's URL parser resolves it (`..`, `%2e`, backslashes) and
/// the result must stay inside `apiUrl`'s scope, so the credentials never go anywhere else.
fn resolve(scope: &ApiScope, input: &JsValue) -> Result<String, ClientError> {
    let text = input
        .as_string()
        .or_else(|| {
            Reflect::get(input, &JsValue::from_str("href"))
                .ok()
                .and_then(|h| h.as_string())
        })
        .ok_or_else(|| ClientError::config("the path must be a string or a URL"))?;
    let candidate = if text.starts_with('/') {
        format!("{}{text}", scope.base())
    } else {
        text
    };
    let href = resolve_url(&candidate);
    scope.check(href.as_deref())?;
    Ok(href.unwrap_or_default())
}

/// What happened to an attempt the warm path (`fast`) made before handing over to `send`.
pub struct FirstAttempt {
    pub generation: u64,
    pub outcome: Result<Exchange, ClientError>,
}

/// Drives one call's `CallFlow` (src/core/call_flow.rs): sends what it asks for with a valid
/// token and carries out each step. Every decision is the flow's; this only performs I/O.
async fn send(
    inner: &Rc<Inner>,
    url: &str,
    init: &CallInit,
    read: Read,
    mut first: Option<FirstAttempt>,
) -> Result<Exchange, ClientError> {
    let signal = init.signal.as_ref();
    let events = inner.on_event.as_ref();
    let mut flow = CallFlow::new(
        CallSpec {
            url: url.to_owned(),
            method: init.method.clone(),
            has_body: !(init.body.is_undefined() || init.body.is_null()),
            body_replayable: !init.body.is_instance_of::<ReadableStream>(),
            redirect: init.redirect,
        },
        inner.policy,
    );
    loop {
        let (generation, sent) = match first.take() {
            Some(FirstAttempt {
                generation,
                outcome,
            }) => (generation, outcome),
            None => {
                let held = token(inner, signal).await?;
                let headers = api_headers(inner, &held);
                let request = flow.request();
                let body = if request.with_body {
                    &init.body
                } else {
                    &JsValue::UNDEFINED
                };
                let outgoing = Outgoing {
                    url: &request.url,
                    method: &request.method,
                    client_headers: &headers,
                    user_headers: &init.headers,
                    body,
                };
                let fetch = inner.fetch.as_ref();
                let sent = http::send(
                    fetch,
                    &outgoing,
                    signal,
                    inner.readings.get(read),
                    "the API request",
                )
                .await;
                (held.generation, sent)
            }
        };
        let (step, exchange) = match sent {
            Ok(exchange) => {
                let head = ResponseHead {
                    status: exchange.status,
                    retry_after_seconds: exchange.retry_after_seconds(now_ms()),
                    location: exchange.location.as_deref(),
                };
                (
                    flow.on_response(&inner.scope, head, generation, jitter()),
                    Some(exchange),
                )
            }
            Err(error) => (flow.on_failure(error, jitter()), None),
        };
        match step {
            CallStep::Return => {
                return exchange.ok_or_else(|| {
                    ClientError::new(
                        ErrorCode::InvalidResponse,
                        "the call ended without a response",
                    )
                })
            }
            CallStep::Fail(error) => {
                exchange.inspect(|e| discard(&e.response));
                return Err(error);
            }
            CallStep::FailUnauthorized { refused_generation } => {
                invalidate(inner, refused_generation);
                let Some(exchange) = exchange else {
                    return Err(ClientError::new(
                        ErrorCode::Unauthorized,
                        "the API refused the token",
                    ));
                };
                let retry_after = exchange.retry_after_seconds(now_ms());
                let body = match exchange.body {
                    Body::Text(body) => body,
                    Body::NotRead => read_text(&exchange.response, inner.config.timeout_ms).await,
                    _ => String::new(),
                };
                let redactor = inner.redactor();
                return Err(classify_error_response(
                    401,
                    &body,
                    retry_after,
                    &redactor,
                    false,
                ));
            }
            CallStep::Follow => {
                exchange.inspect(|e| discard(&e.response));
            }
            CallStep::Reauthenticate { refused_generation } => {
                // The refusal names the token by its generation, so a storm of 401s on one token
                // renews it once, even if the server hands out the same text again.
                invalidate(inner, refused_generation);
                exchange.inspect(|e| discard(&e.response));
                let event = Event {
                    kind: "unauthorized_retry",
                    status: Some(401),
                    ..Event::default()
                };
                emit(events, event);
            }
            CallStep::Wait(retry) => {
                exchange.inspect(|e| discard(&e.response));
                emit(events, Event::retry("api", &retry));
                sleep(retry.delay_ms, signal).await;
                if signal.is_some_and(AbortSignal::aborted) {
                    return Err(ClientError::new(
                        ErrorCode::Aborted,
                        "the API request was aborted by the caller's signal",
                    ));
                }
            }
        }
    }
}

fn invalidate(inner: &Inner, generation: u64) {
    inner
        .state
        .borrow_mut()
        .cache
        .invalidate_if_current(generation);
}

/// The headers of the seed's step 3 for `held`: x-api-key, the bearer token, both tenant headers
/// (the &Open API takes the tenant reference in each) and Accept. An `oauth2` client without
/// an API key or a tenant sends the bearer token and Accept only. Built once per token.
fn api_headers(inner: &Inner, held: &HeldToken) -> js_sys::Object {
    if let Some((cached_for, headers)) = &inner.state.borrow().api_headers {
        if cached_for == &held.token {
            return headers.clone();
        }
    }
    let config = &inner.config;
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
    inner.state.borrow_mut().api_headers = Some((held.token.clone(), headers.clone()));
    headers
}

/// `client.fetch`: the last response, whatever its status (docs/API.md).
pub async fn fetch(
    inner: &Rc<Inner>,
    input: JsValue,
    init: JsValue,
) -> Result<Response, ClientError> {
    let url = resolve(&inner.scope, &input)?;
    let init = read_init(&init)?;
    send(inner, &url, &init, Read::None, None)
        .await
        .map(|exchange| exchange.response)
}

/// `client.json`: the parsed body of a 2xx response; any other status is an `AndOpenError`.
pub async fn json(
    inner: &Rc<Inner>,
    input: JsValue,
    init: JsValue,
) -> Result<JsValue, ClientError> {
    let url = resolve(&inner.scope, &input)?;
    let init = read_init(&init)?;
    let exchange = send(inner, &url, &init, Read::Json, None).await?;
    json_value(inner, exchange)
}

/// The value of a `json()` call. A redirect the client did not follow (another origin, outside
/// `apiUrl`'s path, `init.redirect: "manual"`) is an `http_error` naming its status and host:
/// `json()` has no body to give for it.
fn json_value(inner: &Inner, exchange: Exchange) -> Result<JsValue, ClientError> {
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
            &inner.redactor(),
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

/// The warm path of `fetch(path)` and `json(path)` without `init`: while the token is fresh, one
/// attempt goes straight from JS (attempt.js `fastCall`) and wasm is entered again only if the
/// answer needs handling (anything but a 2xx, or a body that is not JSON). That keeps the common
/// call to one crossing of the wasm boundary (bench/: per-call overhead). `None` when the call
/// does not qualify; the caller then takes the ordinary path.
pub fn fast(inner: &Rc<Inner>, input: &JsValue, as_json: bool) -> Option<Promise> {
    let path = input.as_string()?;
    if !path.starts_with('/') {
        return None;
    }
    let held = match inner.state.borrow().cache.freshness(now_ms()) {
        Freshness::Fresh(held) => held,
        _ => return None,
    };
    let url = resolve_path(inner, path)?;
    let headers = api_headers(inner, &held);
    let carry_on = inner.carry_on.as_ref().unchecked_ref::<js_sys::Function>();
    let reading = inner
        .readings
        .get(if as_json { Read::Json } else { Read::None });
    Some(http::fast_call(
        inner.fetch.as_ref(),
        &url,
        &headers,
        reading,
        carry_on,
        held.generation as f64,
    ))
}

/// How many recent (path, URL) pairs the warm path keeps: an API client calls a few paths over
/// and over, and the URL parser is the largest cost of a warm call that wasm adds.
const RESOLVED_PATHS: usize = 32;

/// `resolve` for a path, remembering the last few answers. Only paths that resolved inside the
/// scope are kept, so a hit needs no check.
fn resolve_path(inner: &Inner, path: String) -> Option<String> {
    if let Some((_, url)) = inner
        .resolved_paths
        .borrow()
        .iter()
        .find(|(p, _)| *p == path)
    {
        return Some(url.clone());
    }
    let url = resolve(&inner.scope, &JsValue::from_str(&path)).ok()?;
    let mut paths = inner.resolved_paths.borrow_mut();
    if paths.len() == RESOLVED_PATHS {
        paths.remove(0);
    }
    paths.push((path, url.clone()));
    Some(url)
}

/// Where `fast` hands over: the ordinary path, carrying on from the attempt already made.
pub fn carry_on(
    inner: Rc<Inner>,
    url: String,
    generation: f64,
    as_json: bool,
    result: JsValue,
    code: JsValue,
) -> Promise {
    let outcome = http::settled(result, &code, "the API request");
    let first = FirstAttempt {
        generation: generation as u64,
        outcome,
    };
    spawn(async move {
        let init = read_init(&JsValue::UNDEFINED)?;
        let read = if as_json { Read::Json } else { Read::None };
        let exchange = send(&inner, &url, &init, read, Some(first)).await?;
        if as_json {
            json_value(&inner, exchange)
        } else {
            Ok(exchange.response.into())
        }
    })
}
