//! JSON text read by the runtime's `JSON.parse` (driver.js `jsonMembers`) into the core's `Json`:
//! the text is parsed where it is, and only the members' values cross into wasm.

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::json::{Json, Value};

#[wasm_bindgen(module = "/src/js/driver.js")]
extern "C" {
    #[wasm_bindgen(js_name = jsonMembers)]
    fn json_members(text: &JsValue) -> JsValue;
}

/// What driver.js `jsonMembers` made of a text: `undefined` (not JSON), `null` (JSON, not an
/// object) or `[name, value, …]`, with `undefined` for a nested value.
pub fn from_members(members: JsValue) -> Json {
    if members.is_undefined() {
        return Json::Invalid;
    }
    // jsonMembers answers null or an array here: an object is the array (`Array.isArray` would
    // be one more import of the .wasm).
    if !members.is_object() {
        return Json::NotObject;
    }
    let members: Array = members.unchecked_into();
    let mut object = Vec::new();
    let length = members.length();
    let mut at = 0;
    while at + 1 < length {
        let value = members.get(at + 1);
        let value = if let Some(text) = value.as_string() {
            Value::String(text)
        } else if let Some(number) = value.as_f64() {
            Value::Number(number)
        } else if let Some(flag) = value.as_bool() {
            Value::Bool(flag)
        } else if value.is_null() {
            Value::Null
        } else {
            Value::Nested
        };
        object.push((members.get(at).as_string().unwrap_or_default(), value));
        at += 2;
    }
    Json::Object(object)
}

/// `text`, a JS string, read as JSON.
pub fn read(text: &JsValue) -> Json {
    from_members(json_members(text))
}
