//! Rust data as plain JS objects, through serde-wasm-bindgen: the `onEvent` events and
//! `tokenInfo()`'s answer. Both serialize as maps (see `Event`'s Serialize), which
//! `serialize_maps_as_objects` makes plain objects.

use serde::ser::{Serialize, SerializeMap, Serializer};
use wasm_bindgen::JsValue;

/// `value` as a plain JS object, with `None` as `null`.
pub fn to_object(value: &impl Serialize) -> JsValue {
    value
        .serialize(
            &serde_wasm_bindgen::Serializer::new()
                .serialize_maps_as_objects(true)
                .serialize_missing_as_null(true),
        )
        .unwrap_or(JsValue::NULL)
}

/// Metadata of the current token, never the token itself (docs/API.md, `tokenInfo()`).
pub struct TokenInfo<'a> {
    pub expires_at: f64,
    pub scope: Option<&'a str>,
    pub has_refresh_token: bool,
    pub source: &'a str,
}

impl Serialize for TokenInfo<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("expiresAt", &self.expires_at)?;
        // `scope: null`, not undefined, when the token has none (docs/API.md).
        map.serialize_entry("scope", &self.scope)?;
        map.serialize_entry("hasRefreshToken", &self.has_refresh_token)?;
        // &str, as Event's strings: one copy of the map code for both (src/js/events.rs).
        map.serialize_entry("source", &self.source)?;
        map.end()
    }
}
