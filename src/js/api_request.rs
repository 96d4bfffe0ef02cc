//! Authenticated API calls: headers of the seed's step 3, one re-authentication on a 401, retries
//! on 429/5xx/network/timeout within `maxRetries`, and the caller's AbortSignal.

use std::rc::Rc;

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortSignal, ReadableStream, Response};

use super::client::{spawn, Inner};
use super::events::{emit, Event};
use super::http::{
    self, discard, header_object, read_text, retry_after_seconds, Exchange, Outgoing,
};
use super::runtime::{jitter, now_ms, sleep};
use super::token_renewal::token;
use crate::core::error::{ClientError, ErrorCode};
use crate::core::retry_policy::{is_retryable_status, Failure};
use crate::core::secret::Secret;
use crate::core::token_cache::Freshness;
use crate::core::token_response::classify_error_response;

/// The parts of a `RequestInit` the client looks at.
struct CallInit {
    method: String,
    headers: JsValue,
    body: JsValue,
    signal: Option<AbortSignal>,
}

fn read_init(init: &JsValue) -> Result<CallInit, ClientError> {
    if init.is_undefined() || init.is_null() {
        return Ok(CallInit {
            method: "GET".into(),
            headers: JsValue::UNDEFINED,
            body: JsValue::UNDEFINED,
            signal: None,
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
    Ok(CallInit {
        method,
        headers: get("headers"),
        body: get("body"),
        signal,
    })
}

/// `apiUrl` + `path` for a path ("/x", not the scheme-relative "//host/x").
fn join_path(api_url: &str, path: &str) -> Option<String> {
    (path.starts_with('/') && !path.starts_with("//")).then(|| format!("{api_url}{path}"))
}

/// The absolute URL for `input`: a path is joined to `apiUrl`; a full URL must be under it, so
/// the bearer token and API key never go to another host.
fn resolve(api_url: &str, input: &JsValue) -> Result<String, ClientError> {
    let text = input
        .as_string()
        .or_else(|| {
            Reflect::get(input, &JsValue::from_str("href"))
                .ok()
                .and_then(|h| h.as_string())
        })
        .ok_or_else(|| ClientError::config("the path must be a string or a URL"))?;
    if let Some(url) = join_path(api_url, &text) {
        return Ok(url);
    }
    let under = text
        .strip_prefix(api_url)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']));
    if under {
        Ok(text)
    } else {
        Err(ClientError::config(
            "the path must start with / or be a URL under apiUrl",
        ))
    }
}

/// What happened to an attempt the warm path (`fast`) made before handing over to `send`.
pub struct FirstAttempt {
    pub token: Secret,
    pub outcome: Result<Exchange, ClientError>,
}

async fn send(
    inner: &Rc<Inner>,
    url: &str,
    init: &CallInit,
    read_body: bool,
    mut first: Option<FirstAttempt>,
) -> Result<Exchange, ClientError> {
    let signal = init.signal.as_ref();
    // js-api.md: POST and PATCH are replayed only after a 401 or when never sent; a stream body
    // can be sent only once, so it is never replayed.
    let idempotent = !matches!(init.method.as_str(), "POST" | "PATCH");
    let replayable = !init.body.is_instance_of::<ReadableStream>();
    let timeout_ms = inner.config.timeout_ms;
    let events = inner.on_event.as_ref();
    let mut reauthenticated = false;
    let mut retries = 0;
    loop {
        let (token, sent) = match first.take() {
            Some(FirstAttempt { token, outcome }) => (token, outcome),
            None => {
                let token = token(inner, signal).await?;
                let headers = api_headers(inner, &token);
                let outgoing = Outgoing {
                    url,
                    method: &init.method,
                    client_headers: &headers,
                    user_headers: &init.headers,
                    body: &init.body,
                };
                let fetch = inner.fetch.as_ref();
                let sent = http::send(
                    fetch,
                    &outgoing,
                    signal,
                    timeout_ms,
                    read_body,
                    "the API request",
                )
                .await;
                (token, sent)
            }
        };
        let (delay, error) = match sent {
            Ok(exchange) if exchange.response.status() == 401 => {
                // The token was refused (revoked, or expired early): renew once and replay.
                inner.state.borrow_mut().cache.invalidate_if_current(&token);
                if !replayable {
                    // A stream body cannot be sent again: the caller gets the 401 as it is.
                    return Ok(exchange);
                }
                if reauthenticated {
                    let response = &exchange.response;
                    let body = match exchange.body {
                        Some(body) => body,
                        None => read_text(response, timeout_ms).await,
                    };
                    let retry_after = retry_after_seconds(response, now_ms());
                    let redactor = inner.redactor();
                    return Err(classify_error_response(
                        401,
                        &body,
                        retry_after,
                        &redactor,
                        false,
                    ));
                }
                reauthenticated = true;
                discard(&exchange.response);
                let event = Event {
                    kind: "unauthorized_retry",
                    status: Some(401),
                    ..Event::default()
                };
                emit(events, event);
                continue;
            }
            Ok(exchange) => {
                let status = exchange.response.status();
                if !(replayable && is_retryable_status(status)) {
                    return Ok(exchange);
                }
                let retry_after = retry_after_seconds(&exchange.response, now_ms());
                let failure = Failure::Status(status);
                let Some(delay) =
                    inner
                        .policy
                        .delay_ms(retries, failure, retry_after, jitter(), idempotent)
                else {
                    return Ok(exchange);
                };
                discard(&exchange.response);
                (
                    delay,
                    ClientError::for_status(ErrorCode::for_status(status), status, ""),
                )
            }
            Err(error) => {
                let delay = Failure::of(&error)
                    .filter(|_| replayable)
                    .and_then(|failure| {
                        inner
                            .policy
                            .delay_ms(retries, failure, None, jitter(), idempotent)
                    });
                match delay {
                    Some(delay) => (delay, error),
                    None => return Err(error),
                }
            }
        };
        retries += 1;
        retry_event(inner, retries, delay, error.status, error.code);
        sleep(delay, signal).await;
        if signal.is_some_and(AbortSignal::aborted) {
            return Err(ClientError::new(
                ErrorCode::Aborted,
                "the API request was aborted by the caller's signal",
            ));
        }
    }
}

/// The headers of the seed's step 3 for `token`: x-api-key, the bearer token, both tenant headers
/// (andopen-api.md sends the tenant reference in each) and Accept. Built once per token.
fn api_headers(inner: &Inner, token: &Secret) -> js_sys::Object {
    if let Some((cached_for, headers)) = &inner.state.borrow().api_headers {
        if cached_for == token {
            return headers.clone();
        }
    }
    let config = &inner.config;
    let authorization = format!("Bearer {}", token.expose());
    let headers = header_object([
        ("x-api-key", config.api_key.expose()),
        ("authorization", authorization.as_str()),
        ("x-andopen-tenant", config.tenant.as_str()),
        ("x-andopen-client", config.tenant.as_str()),
        ("accept", "application/json"),
    ]);
    inner.state.borrow_mut().api_headers = Some((token.clone(), headers.clone()));
    headers
}

fn retry_event(inner: &Inner, attempt: u32, delay_ms: f64, status: Option<u16>, code: ErrorCode) {
    let event = Event {
        kind: "retry",
        target: Some("api"),
        attempt: Some(attempt),
        delay_ms: Some(delay_ms),
        status,
        code: Some(code.as_str()),
        ..Event::default()
    };
    emit(inner.on_event.as_ref(), event);
}

/// `client.fetch`: the last response, whatever its status (js-api.md).
pub async fn fetch(
    inner: &Rc<Inner>,
    input: JsValue,
    init: JsValue,
) -> Result<Response, ClientError> {
    let url = resolve(&inner.config.api_url, &input)?;
    let init = read_init(&init)?;
    send(inner, &url, &init, false, None)
        .await
        .map(|exchange| exchange.response)
}

/// `client.json`: the parsed body of a 2xx response; any other status is an `AndOpenError`.
pub async fn json(
    inner: &Rc<Inner>,
    input: JsValue,
    init: JsValue,
) -> Result<JsValue, ClientError> {
    let url = resolve(&inner.config.api_url, &input)?;
    let init = read_init(&init)?;
    let exchange = send(inner, &url, &init, true, None).await?;
    parse_json(inner, exchange)
}

fn parse_json(
    inner: &Inner,
    Exchange { response, body }: Exchange,
) -> Result<JsValue, ClientError> {
    let status = response.status();
    let text = body.unwrap_or_default();
    if !response.ok() {
        let retry_after = retry_after_seconds(&response, now_ms());
        return Err(classify_error_response(
            status,
            &text,
            retry_after,
            &inner.redactor(),
            false,
        ));
    }
    js_sys::JSON::parse(&text).map_err(|_| {
        let mut error = ClientError::new(
            ErrorCode::InvalidResponse,
            format!("the API answered HTTP {status} with a body that is not JSON"),
        );
        error.status = Some(status);
        error
    })
}

/// The warm path of `fetch(path)` and `json(path)` without `init`: while the token is fresh, one
/// attempt goes straight from JS (attempt.js `fastCall`) and wasm is entered again only if the
/// answer needs handling (a 401, a retryable status, a failure, a body that is not JSON). That
/// keeps the common call to one crossing of the wasm boundary (bench/: per-call overhead).
/// `None` when the call does not qualify; the caller then takes the ordinary path.
pub fn fast(inner: &Rc<Inner>, input: &JsValue, as_json: bool) -> Option<Promise> {
    let url = join_path(&inner.config.api_url, &input.as_string()?)?;
    let token = match inner.state.borrow().cache.freshness(now_ms()) {
        Freshness::Fresh(token) => token,
        _ => return None,
    };
    let headers = api_headers(inner, &token);
    let carry_on = inner.carry_on.as_ref().unchecked_ref::<js_sys::Function>();
    let timeout_ms = inner.config.timeout_ms;
    Some(http::fast_call(
        inner.fetch.as_ref(),
        &url,
        &headers,
        timeout_ms,
        as_json,
        carry_on,
        token.expose(),
    ))
}

/// Where `fast` hands over: the ordinary path, carrying on from the attempt already made.
pub fn carry_on(
    inner: Rc<Inner>,
    url: String,
    token: String,
    as_json: bool,
    pair: JsValue,
    code: JsValue,
) -> Promise {
    let outcome = http::settled(pair, &code, "the API request");
    let first = FirstAttempt {
        token: Secret::new(token),
        outcome,
    };
    spawn(async move {
        let init = read_init(&JsValue::UNDEFINED)?;
        let exchange = send(&inner, &url, &init, as_json, Some(first)).await?;
        if as_json {
            parse_json(&inner, exchange)
        } else {
            Ok(exchange.response.into())
        }
    })
}
