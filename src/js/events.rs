//! `onEvent` events (docs/API.md, Events): plain objects, never a secret or a token value. The
//! session makes them; driver.js delivers them.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::objects::Field;
use crate::core::call_flow::Retry;

/// One event. Serialized by hand, as a map, with its fields in this order and the absent ones
/// left out: serde's derive writes a struct, and serde-wasm-bindgen keeps a cache of struct
/// field names as JS strings whose code (a hash map) was 1 KB gzip of the .wasm.
/// `objects::to_object` makes it a plain JS object.
#[derive(Default)]
pub struct Event<'a> {
    /// `type`.
    pub kind: &'a str,
    /// `client_credentials` or `refresh_token`, for token events.
    pub grant: Option<&'a str>,
    /// `token` or `api`, for retries.
    pub target: Option<&'a str>,
    pub status: Option<u16>,
    pub code: Option<&'a str>,
    pub attempt: Option<u32>,
    pub delay_ms: Option<f64>,
    pub expires_in: Option<f64>,
    /// The store key (derived from a hash, so it holds no secret) and the store operation.
    pub key: Option<&'a str>,
    pub operation: Option<&'a str>,
    pub message: Option<&'a str>,
}

impl<'a> Serialize for Event<'a> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Every value as a `Field` (objects.rs: one copy of serde_wasm_bindgen's map code).
        fn field<M: SerializeMap>(
            map: &mut M,
            name: &str,
            value: Option<Field>,
        ) -> Result<(), M::Error> {
            match value {
                Some(value) => map.serialize_entry(name, &value),
                None => Ok(()),
            }
        }
        let text = |value: Option<&'a str>| value.map(Field::Text);
        let number = |value: Option<f64>| value.map(Field::Number);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", &Field::Text(self.kind))?;
        field(&mut map, "grant", text(self.grant))?;
        field(&mut map, "target", text(self.target))?;
        field(&mut map, "status", number(self.status.map(f64::from)))?;
        field(&mut map, "code", text(self.code))?;
        field(&mut map, "attempt", number(self.attempt.map(f64::from)))?;
        field(&mut map, "delayMs", number(self.delay_ms))?;
        field(&mut map, "expiresIn", number(self.expires_in))?;
        field(&mut map, "key", text(self.key))?;
        field(&mut map, "operation", text(self.operation))?;
        field(&mut map, "message", text(self.message))?;
        map.end()
    }
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
