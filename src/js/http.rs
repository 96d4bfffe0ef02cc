//! One HTTP attempt (attempt.js does the fetch, the timeout and the caller's signal in a single
//! call) and its failures as typed errors: classified by which limit fired, never by the text of
//! the runtime's error.

use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Response};

use crate::core::error::{ClientError, ErrorCode};
use crate::core::retry_policy::parse_retry_after;

#[wasm_bindgen(module = "/src/js/attempt.js")]
extern "C" {
    #[wasm_bindgen(js_name = sendAttempt)]
    #[allow(clippy::too_many_arguments)]
    fn send_attempt(
        fetch: Option<&Function>,
        url: &str,
        method: &str,
        client_headers: &Object,
        user_headers: &JsValue,
        body: &JsValue,
        signal: Option<&AbortSignal>,
        timeout_ms: f64,
        read_body: bool,
    ) -> Promise;

    #[wasm_bindgen(js_name = fastCall)]
    #[allow(clippy::too_many_arguments)]
    pub fn fast_call(
        fetch: Option<&Function>,
        url: &str,
        client_headers: &Object,
        timeout_ms: f64,
        as_json: bool,
        carry_on: &Function,
        token: &str,
    ) -> Promise;

    #[wasm_bindgen(js_name = readText)]
    fn read_text_within(response: &Response, timeout_ms: f64) -> Promise;

    /// Lets go of a response that will not be read, so its connection is freed.
    pub fn discard(response: &Response);
}

/// What to send. `client_headers` are all the headers the client sets (see `header_object`).
pub struct Outgoing<'a> {
    pub url: &'a str,
    pub method: &'a str,
    pub client_headers: &'a Object,
    pub user_headers: &'a JsValue,
    pub body: &'a JsValue,
}

/// A response, with its body when it was asked for.
pub struct Exchange {
    pub response: Response,
    pub body: Option<String>,
}

/// Sends one attempt. `what` names it in error messages ("the token request").
pub async fn send(
    fetch: Option<&Function>,
    outgoing: &Outgoing<'_>,
    signal: Option<&AbortSignal>,
    timeout_ms: f64,
    read_body: bool,
    what: &str,
) -> Result<Exchange, ClientError> {
    let promise = send_attempt(
        fetch,
        outgoing.url,
        outgoing.method,
        outgoing.client_headers,
        outgoing.user_headers,
        outgoing.body,
        signal,
        timeout_ms,
        read_body,
    );
    match JsFuture::from(promise).await {
        Ok(pair) => settled(pair, &JsValue::UNDEFINED, what),
        Err(code) => settled(JsValue::UNDEFINED, &code, what),
    }
}

/// What an attempt came to: `pair` is `[response, body]` when it resolved, `code` the number it
/// rejected with otherwise.
pub fn settled(pair: JsValue, code: &JsValue, what: &str) -> Result<Exchange, ClientError> {
    if pair.is_undefined() {
        return Err(failure(code, what));
    }
    let pair: Array = pair.unchecked_into();
    let response = pair.get(0).dyn_into::<Response>().map_err(|_| {
        ClientError::new(
            ErrorCode::InvalidResponse,
            format!("{what}: fetch did not resolve to a Response"),
        )
    })?;
    Ok(Exchange {
        response,
        body: pair.get(1).as_string(),
    })
}

// The numbers attempt.js rejects with (its exported constants of the same names).
const ABORTED: u8 = 1;
const TIMEOUT: u8 = 2;
const BAD_HEADERS: u8 = 4;
const NO_FETCH: u8 = 5;

fn failure(code: &JsValue, what: &str) -> ClientError {
    match code.as_f64().map(|c| c as u8) {
        Some(ABORTED) => ClientError::new(
            ErrorCode::Aborted,
            format!("{what} was aborted by the caller's signal"),
        ),
        Some(TIMEOUT) => ClientError::new(ErrorCode::Timeout, format!("{what} timed out")),
        Some(BAD_HEADERS) => ClientError::config("init.headers is not a valid HeadersInit"),
        Some(NO_FETCH) => ClientError::config("no global fetch: pass options.fetch"),
        // NETWORK (3), or anything else a runtime threw.
        _ => ClientError::new(
            ErrorCode::Network,
            format!("{what} failed: no response (network error)"),
        ),
    }
}

/// A plain object of headers, for `Outgoing::client_headers`.
pub fn header_object<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Object {
    let headers = Object::new();
    for (name, value) in pairs {
        let _ = js_sys::Reflect::set(
            &headers,
            &JsValue::from_str(name),
            &JsValue::from_str(value),
        );
    }
    headers
}

/// A body `send` did not read; empty if it cannot be read within `timeout_ms`.
pub async fn read_text(response: &Response, timeout_ms: f64) -> String {
    JsFuture::from(read_text_within(response, timeout_ms))
        .await
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default()
}

/// The `Retry-After` header of a response, in seconds from now.
pub fn retry_after_seconds(response: &Response, now_ms: f64) -> Option<f64> {
    let value = response.headers().get("retry-after").ok().flatten()?;
    parse_retry_after(&value, now_ms)
}
