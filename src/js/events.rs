//! `onEvent` events (docs/API.md, Events): plain objects, never a secret or a token value. The
//! session makes them; driver.js delivers them.

use serde::Serialize;

use crate::core::call_flow::Retry;

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
