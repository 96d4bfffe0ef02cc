//! The few globals the client needs, looked up on `globalThis` (not `window`) so the same code
//! runs in Workers, Node and browsers (gloo's approach).

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

fn global(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A browser window: a global `window` and `document` (docs/API.md, Security). Workers, Node and
/// web workers have neither.
pub fn is_browser_window() -> bool {
    !global("window").is_undefined() && !global("document").is_undefined()
}
