//! The few globals the client needs, looked up on `globalThis` (not `window`) so the same code
//! runs in Workers, Node and browsers (gloo's approach).

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/js/attempt.js")]
extern "C" {
    #[wasm_bindgen(js_name = sleep)]
    fn sleep_promise(ms: f64, signal: Option<&web_sys::AbortSignal>) -> Promise;
    #[wasm_bindgen(js_name = raceAbort)]
    pub fn race_abort(
        promise: &Promise,
        signal: Option<&web_sys::AbortSignal>,
        deadline_ms: Option<f64>,
    ) -> Promise;
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub fn jitter() -> f64 {
    js_sys::Math::random()
}

fn global(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A browser window: a global `window` and `document` (docs/API.md, Security). Workers, Node and
/// web workers have neither.
pub fn is_browser_window() -> bool {
    !global("window").is_undefined() && !global("document").is_undefined()
}

/// Waits `ms`, returning early when `signal` aborts.
pub async fn sleep(ms: f64, signal: Option<&web_sys::AbortSignal>) {
    // The promise never rejects; a failure to create it just ends the wait.
    let _ = JsFuture::from(sleep_promise(ms, signal)).await;
}
