//! `onEvent` events (docs/API.md, Events): plain objects, never a secret or a token value.

use js_sys::Function;
use serde::Serialize;

use crate::core::call_flow::Retry;
use wasm_bindgen::prelude::*;

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// `client_credentials` or `refresh_token`, for token events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant: Option<&'a str>,
    /// `token` or `api`, for retries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<f64>,
    /// The store key (derived from a hash, so it holds no secret) and the store operation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'a str>,
}

#[wasm_bindgen(module = "/src/js/error.js")]
extern "C" {
    #[wasm_bindgen(js_name = settleQuietly)]
    fn settle_quietly(value: &JsValue);
}

impl<'a> Event<'a> {
    /// A `retry` event of `target` ("token" or "api"), from the step a core flow returned.
    pub fn retry(target: &'a str, retry: &Retry) -> Event<'a> {
        Event {
            kind: "retry",
            target: Some(target),
            attempt: Some(retry.attempt),
            delay_ms: Some(retry.delay_ms),
            status: retry.status,
            code: Some(retry.code.as_str()),
            ..Event::default()
        }
    }
}

/// Delivers an event. A listener that throws, or returns a promise that rejects, is ignored:
/// observing must not break a call (nor end a Node process with an unhandled rejection).
pub fn emit(listener: Option<&Function>, event: Event<'_>) {
    let Some(listener) = listener else { return };
    if let Ok(value) = serde_wasm_bindgen::to_value(&event) {
        if let Ok(returned) = listener.call1(&JsValue::UNDEFINED, &value) {
            if returned.is_object() {
                settle_quietly(&returned);
            }
        }
    }
}
