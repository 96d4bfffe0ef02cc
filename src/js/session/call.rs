//! An API call's steps: the URL and `init` checked, each attempt's answer handed to `CallFlow`
//! (redirects, one re-authentication, retries), and what the call resolves or rejects with, as
//! driver.js runs them (`OP_CALL_START`, then `OP_CALL_REQUEST` and `OP_CALL_ANSWER` per
//! attempt).

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{jitter, now_ms, Call, Session, STEP_AGAIN, STEP_READ, STEP_RETURN, STEP_WAIT};
use crate::core::api_scope::{unfollowed_redirect_error, RedirectMode};
use crate::core::call_flow::{CallFlow, CallSpec, CallStep, ResponseHead};
use crate::core::decimal::decimal;
use crate::core::error::{ClientError, ErrorCode};
use crate::core::json::Json;
use crate::core::token_response::classify_error_response;
use crate::js::events::Event;
use crate::js::http::{discard, resolve_url, settled, Body, Exchange, Read};
use crate::js::{json, objects};

impl Session {
    fn call(&mut self, id: u32) -> Option<&mut Call> {
        self.calls.iter_mut().find(|c| c.id == id)
    }

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
            let body = match exchange.body {
                Body::Members(body) => body,
                // Over 64 KB: the status alone decides (the body was read no further).
                _ => Json::Invalid,
            };
            return Err(classify_error_response(
                status,
                &body,
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
            [
                "the API answered HTTP ",
                &decimal(status.into()),
                " with ",
                why,
            ]
            .concat(),
        );
        error.status = Some(status);
        Err(error)
    }

    /// The absolute URL for `input`: a path ("/x") is appended to `apiUrl`, a string or `URL`
    /// is taken whole; either way the runtime's URL parser resolves it (`..`, `%2e`,
    /// backslashes) and the result must stay inside `apiUrl`'s scope, so the credentials never
    /// go anywhere else.
    fn resolve(&self, href: &JsValue) -> Result<String, ClientError> {
        let text = href
            .as_string()
            .ok_or_else(|| ClientError::config("the path must be a string or a URL"))?;
        let candidate = if text.starts_with("/") {
            [self.scope.base(), text.as_str()].concat()
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

    fn refused(&mut self, retry_after: Option<f64>, body: &Json) -> Array {
        let error = classify_error_response(401, body, retry_after, &self.redactor(), false);
        self.fail(error)
    }
}

/// The parts of a `RequestInit` the client looks at, for driver.js: [signal, headers, body].
struct CallInit {
    method: String,
    signal: JsValue,
    headers: JsValue,
    body: JsValue,
    /// A stream body is read by its first attempt, so it is never sent again.
    body_is_stream: bool,
    redirect: RedirectMode,
}

fn read_init(init: &JsValue) -> Result<CallInit, ClientError> {
    if init.is_undefined() || init.is_null() {
        return Ok(CallInit {
            method: "GET".into(),
            signal: JsValue::UNDEFINED,
            headers: JsValue::UNDEFINED,
            body: JsValue::UNDEFINED,
            body_is_stream: false,
            redirect: RedirectMode::Follow,
        });
    }
    if !init.is_object() {
        return Err(ClientError::config("init must be an object"));
    }
    let get = |name: &str| objects::get(init, name);
    let method = match get("method") {
        m if m.is_undefined() => "GET".to_owned(),
        m => m
            .as_string()
            .ok_or_else(|| ClientError::config("init.method must be a string"))?
            .to_ascii_uppercase(),
    };
    // The type checks are driver.js `readCall`'s (`instanceof` runs the caller's Proxy traps,
    // which must not run under this wasm export).
    let signal = match get("signal") {
        s if s.is_undefined() || s.is_null() => JsValue::UNDEFINED,
        s if get("signalIsAbortSignal").is_truthy() => s,
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
        body_is_stream: get("bodyIsStream").is_truthy(),
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

// The operations driver.js runs through `Session.op` (ops.rs).
impl Session {
    /// Starts a call: `[id, signal, headers, body]` from `init`, or the `invalid_config` error
    /// (which driver.js throws) for a URL outside `apiUrl` or a malformed `init`. `call`:
    /// driver.js `readCall`'s `[href, init]` copy, `undefined` if reading them threw. `read`: how
    /// driver.js reads the body.
    pub fn call_start(&mut self, call: JsValue, read: u8) -> Result<Array, JsValue> {
        if call.is_undefined() {
            return Err(ClientError::config(
                "the call's input or init could not be read (a getter or Proxy trap threw)",
            )
            .into());
        }
        let call: Array = call.unchecked_into();
        let url = self.resolve(&call.get(0))?;
        let init = read_init(&call.get(1))?;
        let has_body = !(init.body.is_undefined() || init.body.is_null());
        let flow = CallFlow::new(
            CallSpec {
                url,
                method: init.method,
                has_body,
                body_replayable: !init.body_is_stream,
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
    pub fn call_answer(
        &mut self,
        id: u32,
        generation: f64,
        result: JsValue,
        code: JsValue,
    ) -> Array {
        let sent = settled(result, &code, "the API request");
        // Two fields borrowed apart, so the scope is read in place while the call is changed.
        let Session { calls, scope, .. } = self;
        let Some(call) = calls.iter_mut().find(|c| c.id == id) else {
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
                    .on_response(scope, head, generation as u64, jitter());
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
                    Body::Members(body) => self.refused(retry_after, &body),
                    Body::NotRead => {
                        if let Some(call) = self.call(id) {
                            call.retry_after = retry_after;
                        }
                        let response = JsValue::from(exchange.response);
                        self.step(STEP_READ, &[&response])
                    }
                    _ => self.refused(retry_after, &Json::Invalid),
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

    /// A final 401's body, read by driver.js after a `read` step (its `jsonMembers`): the
    /// error it makes.
    pub fn call_refused(&mut self, id: u32, members: JsValue) -> Array {
        let retry_after = self.call(id).and_then(|c| c.retry_after);
        self.refused(retry_after, &json::from_members(members))
    }

    pub fn call_end(&mut self, id: u32) {
        self.calls.retain(|c| c.id != id);
    }

    /// The URL of a warm-path path, or `undefined` if it is not one the client may call.
    pub fn resolve_path(&self, path: &JsValue) -> JsValue {
        self.resolve(path)
            .map_or(JsValue::UNDEFINED, |url| JsValue::from_str(&url))
    }
}
