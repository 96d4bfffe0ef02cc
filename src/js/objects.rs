//! Plain JS objects: Rust data made into them through serde-wasm-bindgen (the `onEvent` events
//! and `tokenInfo()`'s answer, both serialized as maps, see `Event`'s Serialize, which
//! `serialize_maps_as_objects` makes plain objects), and a property of one read or written by
//! name (`get`, `set`).

use serde::ser::{Serialize, SerializeMap, Serializer};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `object[key]` of a plain object (a copy the client made, never the caller's own: no
    /// getter or Proxy trap can throw). One import with the key decoded in the glue, where
    /// js_sys::Reflect::get takes a JsValue key (an import to make it, one to drop it) and
    /// catches an exception a plain object never throws.
    #[wasm_bindgen(js_namespace = Reflect, js_name = get)]
    pub fn get(object: &JsValue, key: &str) -> JsValue;
    /// `object[key] = value` on a plain object the client made, as `get`.
    #[wasm_bindgen(js_namespace = Reflect, js_name = set)]
    pub fn set(object: &JsValue, key: &str, value: &JsValue);
}

/// `value` as a plain JS object, with `None` as `null`.
pub fn to_object(value: &impl Serialize) -> JsValue {
    value.serialize(&SERIALIZER).unwrap_or(JsValue::NULL)
}

static SERIALIZER: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::new()
    .serialize_maps_as_objects(true)
    .serialize_missing_as_null(true);

/// One value of a plain object. Every field goes through this one type: serde_wasm_bindgen's map
/// code is copied into the .wasm once per value type it is given (about 0.27 KB raw each).
pub enum Field<'a> {
    Text(&'a str),
    Number(f64),
    Flag(bool),
    Null,
}

impl Serialize for Field<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Field::Text(text) => serializer.serialize_str(text),
            Field::Number(number) => serializer.serialize_f64(number),
            Field::Flag(flag) => serializer.serialize_bool(flag),
            // `null` (to_object's serializer writes a missing value as null).
            Field::Null => serializer.serialize_none(),
        }
    }
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
        map.serialize_entry("expiresAt", &Field::Number(self.expires_at))?;
        // `scope: null`, not undefined, when the token has none (docs/API.md).
        let scope = self.scope.map_or(Field::Null, Field::Text);
        map.serialize_entry("scope", &scope)?;
        map.serialize_entry("hasRefreshToken", &Field::Flag(self.has_refresh_token))?;
        map.serialize_entry("source", &Field::Text(self.source))?;
        map.end()
    }
}
