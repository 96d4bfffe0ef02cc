//! `onEvent` events (js-api.md, Events): plain objects, never a secret or a token value.

use js_sys::Function;
use serde::Serialize;
use wasm_bindgen::JsValue;

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

/// Delivers an event. A listener that throws is ignored: observing must not break a call.
pub fn emit(listener: Option<&Function>, event: Event<'_>) {
    let Some(listener) = listener else { return };
    if let Ok(value) = serde_wasm_bindgen::to_value(&event) {
        let _ = listener.call1(&JsValue::UNDEFINED, &value);
    }
}
