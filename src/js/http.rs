//! What an HTTP attempt came to (driver.js makes it: the fetch, the timeout, the caller's signal
//! and the bounded body read) and its failures as typed errors: classified by which limit fired,
//! never by the text of the runtime's error.

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Response;

use super::json;
use crate::core::config::Config;
use crate::core::error::{ClientError, ErrorCode};
use crate::core::json::Json;
use crate::core::retry_policy::parse_retry_after;
use crate::core::token_response::MAX_BODY_BYTES;

#[wasm_bindgen(module = "/src/js/driver.js")]
extern "C" {
    /// Lets go of a response that will not be read, so its connection is freed.
    pub fn discard(response: &Response);

    /// `text` as the runtime's URL parser (the one fetch uses) normalises it, or `None`.
    #[wasm_bindgen(js_name = resolveUrl)]
    pub fn resolve_url(text: &str) -> Option<String>;
}

/// How much of the body an attempt reads (driver.js `READ_*`).
#[derive(Clone, Copy)]
pub enum Read {
    /// `client.fetch`: the caller reads it.
    None = 0,
    /// Token responses: text, at most 64 KB, read by `JSON.parse` in JS.
    Text = 1,
    /// `json()`/`ping()`: a 2xx parsed by the runtime's `JSON.parse` (never copied into wasm
    /// memory), anything else read as text, at most 64 KB.
    Json = 2,
}

/// What was read of a body.
pub enum Body {
    NotRead,
    /// A token response or an error body, read as text (`BODY_TEXT`) and then by `JSON.parse`,
    /// in JS: the members the core reads.
    Members(Json),
    /// A 2xx body, parsed by `JSON.parse`.
    Json(JsValue),
    /// Longer than its limit: reading stopped there.
    TooLarge,
    /// A 2xx body that `JSON.parse` refused.
    NotJson,
}

/// A response, its status and headers as read once in JS (a getter is never called from Rust, so
/// a hostile one cannot throw across the boundary), and its body when it was asked for.
pub struct Exchange {
    pub response: Response,
    /// 0 for a browser's opaque redirect.
    pub status: u16,
    pub retry_after: Option<String>,
    /// Absolute, resolved against the request URL.
    pub location: Option<String>,
    pub body: Body,
}

impl Exchange {
    pub fn is_redirect(&self) -> bool {
        self.status == 0 || (300..400).contains(&self.status)
    }

    /// The `Retry-After` header, in seconds from now.
    pub fn retry_after_seconds(&self, now_ms: f64) -> Option<f64> {
        retry_after_from(self.retry_after.as_deref()?, now_ms)
    }
}

/// Never inlined into the session's steps: an answer without Retry-After (the usual 2xx) then
/// never calls, so workerd never compiles, the parser on a cold start.
#[inline(never)]
fn retry_after_from(value: &str, now_ms: f64) -> Option<f64> {
    parse_retry_after(value, now_ms)
}

/// driver.js's `reading` for each `Read` mode ([timeoutMs, read, textLimit, jsonLimit]), indexed
/// by the mode, made once per client from its config, so no attempt builds them again.
pub fn readings(config: &Config) -> Array {
    let reading = |read: Read| {
        Array::of4(
            &config.timeout_ms.into(),
            &(read as u8).into(),
            &MAX_BODY_BYTES.into(),
            &config.max_response_bytes.into(),
        )
    };
    Array::of3(
        &reading(Read::None),
        &reading(Read::Text),
        &reading(Read::Json),
    )
}

// The positions in driver.js's resolved array and its BODY_* states.
const RESPONSE: u32 = 0;
const STATUS: u32 = 1;
const RETRY_AFTER: u32 = 2;
const LOCATION: u32 = 3;
const MEMBERS: u32 = 4;
const VALUE: u32 = 5;
const BODY_STATE: u32 = 6;
const BODY_TEXT: u8 = 1;
const BODY_JSON: u8 = 2;
const BODY_TOO_LARGE: u8 = 3;
const BODY_NOT_JSON: u8 = 4;

/// What an attempt came to: `result` is driver.js's array when it resolved, `code` the number
/// it rejected with otherwise.
pub fn settled(result: JsValue, code: &JsValue, what: &str) -> Result<Exchange, ClientError> {
    if result.is_undefined() {
        return Err(failure(code, what));
    }
    let result: Array = result.unchecked_into();
    let response = result.get(RESPONSE).unchecked_into::<Response>();
    let status = result.get(STATUS).as_f64().unwrap_or(0.0) as u16;
    let body = match result.get(BODY_STATE).as_f64().map(|s| s as u8) {
        Some(BODY_TEXT) => Body::Members(json::from_members(result.get(MEMBERS))),
        Some(BODY_JSON) => Body::Json(result.get(VALUE)),
        Some(BODY_TOO_LARGE) => Body::TooLarge,
        Some(BODY_NOT_JSON) => Body::NotJson,
        _ => Body::NotRead,
    };
    Ok(Exchange {
        response,
        status,
        retry_after: result.get(RETRY_AFTER).as_string(),
        location: result.get(LOCATION).as_string(),
        body,
    })
}

// The numbers driver.js rejects with (its exported constants of the same names).
const ABORTED: u8 = 1;
const TIMEOUT: u8 = 2;
const BAD_HEADERS: u8 = 4;
const NO_FETCH: u8 = 5;
const BAD_RESPONSE: u8 = 6;

fn failure(code: &JsValue, what: &str) -> ClientError {
    match code.as_f64().map(|c| c as u8) {
        Some(ABORTED) => ClientError::new(
            ErrorCode::Aborted,
            [what, " was aborted by the caller's signal"].concat(),
        ),
        Some(TIMEOUT) => ClientError::new(ErrorCode::Timeout, [what, " timed out"].concat()),
        Some(BAD_HEADERS) => ClientError::config("init.headers is not a valid HeadersInit"),
        Some(NO_FETCH) => ClientError::config("no global fetch: pass options.fetch"),
        Some(BAD_RESPONSE) => ClientError::new(
            ErrorCode::InvalidResponse,
            [what, ": fetch did not resolve to a readable Response"].concat(),
        ),
        // NETWORK (3), or anything else a runtime threw.
        _ => ClientError::new(
            ErrorCode::Network,
            [what, " failed: no response (network error)"].concat(),
        ),
    }
}

/// A plain object of headers (the API headers, a token request's).
pub fn header_object<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Object {
    let headers = Object::new();
    for (name, value) in pairs {
        super::objects::set(&headers, name, &JsValue::from_str(value));
    }
    headers
}
