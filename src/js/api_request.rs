//! Authenticated API calls: headers of the seed's step 3, one re-authentication on a 401, retries
//! on 429/5xx/network/timeout within `maxRetries`, and the caller's AbortSignal.

use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortSignal, Headers, ReadableStream, Response};

use super::client::Inner;
use super::events::{emit, Event};
use super::http::{retry_after_seconds, Attempt};
use super::runtime::{jitter, now_ms, sleep};
use super::token_renewal::token;
use crate::core::error::{ClientError, ErrorCode};
use crate::core::retry_policy::Failure;
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
    if text.starts_with('/') && !text.starts_with("//") {
        return Ok(format!("{api_url}{text}"));
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

fn headers_for(inner: &Inner, init: &CallInit, token: &str) -> Result<Headers, ClientError> {
    let invalid = |_| ClientError::config("init.headers is not a valid HeadersInit");
    let headers = if init.headers.is_undefined() || init.headers.is_null() {
        Headers::new()
    } else {
        Headers::new_with_record_from_str_to_str(init.headers.unchecked_ref())
    }
    .map_err(invalid)?;
    let set = |name: &str, value: &str| headers.set(name, value).map_err(invalid);
    set("x-api-key", inner.config.api_key.expose())?;
    set("authorization", &format!("Bearer {token}"))?;
    // Both tenant headers: the seed names both for the API server (andopen-api.md, step 3).
    set("x-andopen-tenant", &inner.config.tenant)?;
    set("x-andopen-client", &inner.config.tenant)?;
    if !headers.has("accept").unwrap_or(true) {
        set("accept", "application/json")?;
    }
    if !init.body.is_undefined()
        && !init.body.is_null()
        && !headers.has("content-type").unwrap_or(true)
    {
        set("content-type", "application/json")?;
    }
    Ok(headers)
}

/// A finished call: the last response and, when asked for, its body (read inside the retry
/// loop, so a connection dropped mid-body is retried like one dropped before the headers).
pub struct Sent {
    pub response: Response,
    pub body: Option<String>,
}

async fn send(
    inner: &Rc<Inner>,
    input: JsValue,
    init: JsValue,
    read_body: bool,
) -> Result<Sent, ClientError> {
    let url = resolve(&inner.config.api_url, &input)?;
    let init = read_init(&init)?;
    let signal = init.signal.as_ref();
    // js-api.md: POST and PATCH are replayed only after a 401 or when never sent; a stream body
    // can be sent only once, so it is never replayed.
    let idempotent = !matches!(init.method.as_str(), "POST" | "PATCH");
    let replayable = !init.body.is_instance_of::<ReadableStream>();
    let events = inner.on_event.as_ref();
    let mut reauthenticated = false;
    let mut retries = 0;
    loop {
        let token = token(inner, signal).await?;
        let headers = headers_for(inner, &init, token.expose())?;
        let attempt = Attempt::start(inner.config.timeout_ms, signal)?;
        let outcome = attempt
            .send(
                inner.fetch.as_ref(),
                &url,
                &init.method,
                &headers,
                &init.body,
                "the API request",
            )
            .await;
        let (failure, retry_after, error) = match outcome {
            Ok(response) if response.status() == 401 => {
                // The token was refused (revoked, or expired early): renew once and replay.
                inner.state.borrow_mut().cache.invalidate_if_current(&token);
                if reauthenticated || !replayable {
                    let body = attempt
                        .text(&response, "reading the 401 response")
                        .await
                        .unwrap_or_default();
                    let retry_after = retry_after_seconds(&response, now_ms());
                    return Err(classify_error_response(
                        401,
                        &body,
                        retry_after,
                        &inner.redactor(),
                        false,
                    ));
                }
                reauthenticated = true;
                discard(&response);
                emit(
                    events,
                    Event {
                        kind: "unauthorized_retry",
                        status: Some(401),
                        ..Event::default()
                    },
                );
                continue;
            }
            Ok(response) => {
                let status = response.status();
                let retry_after = retry_after_seconds(&response, now_ms());
                let retryable = replayable
                    && inner
                        .policy
                        .delay_ms(
                            retries,
                            Failure::Status(status),
                            retry_after,
                            0.0,
                            idempotent,
                        )
                        .is_some();
                if retryable {
                    discard(&response);
                    (
                        Failure::Status(status),
                        retry_after,
                        ClientError::for_status(ErrorCode::for_status(status), status, ""),
                    )
                } else if !read_body {
                    return Ok(Sent {
                        response,
                        body: None,
                    });
                } else {
                    match attempt.text(&response, "reading the API response").await {
                        Ok(body) => {
                            return Ok(Sent {
                                response,
                                body: Some(body),
                            })
                        }
                        Err(error) => match Failure::of(&error) {
                            Some(failure) => (failure, None, error),
                            None => return Err(error),
                        },
                    }
                }
            }
            Err(error) => match Failure::of(&error) {
                Some(failure) => (failure, None, error),
                None => return Err(error),
            },
        };
        let delay = if replayable {
            inner
                .policy
                .delay_ms(retries, failure, retry_after, jitter(), idempotent)
        } else {
            None
        };
        let Some(delay_ms) = delay else {
            return Err(error);
        };
        retries += 1;
        retry_event(inner, retries, delay_ms, error.status, error.code);
        drop(attempt);
        sleep(delay_ms, signal).await;
        if signal.is_some_and(AbortSignal::aborted) {
            return Err(ClientError::new(
                ErrorCode::Aborted,
                "the API request was aborted by the caller's signal",
            ));
        }
    }
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

/// Lets go of a response that will not be read, so its connection is freed.
fn discard(response: &Response) {
    if let Some(body) = response.body() {
        let _ = body.cancel();
    }
}

/// `client.fetch`: the last response, whatever its status (js-api.md).
pub async fn fetch(
    inner: &Rc<Inner>,
    input: JsValue,
    init: JsValue,
) -> Result<Response, ClientError> {
    send(inner, input, init, false)
        .await
        .map(|sent| sent.response)
}

/// `client.json`: the parsed body of a 2xx response; any other status is an `AndOpenError`.
pub async fn json(
    inner: &Rc<Inner>,
    input: JsValue,
    init: JsValue,
) -> Result<JsValue, ClientError> {
    let Sent { response, body } = send(inner, input, init, true).await?;
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
