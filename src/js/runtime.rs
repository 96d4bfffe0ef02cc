//! The few globals the client needs, read in JS on `globalThis` (not `window`) so the same code
//! runs in Workers, Node and browsers. One call into driver.js, rather than js_sys::global() and
//! a Reflect.get per name: less code to compile on a cold start.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/driver.js")]
extern "C" {
    /// A browser window: a global `window` and `document` (docs/API.md, Security). Workers, Node
    /// and web workers have neither.
    #[wasm_bindgen(js_name = isBrowserWindow)]
    pub fn is_browser_window() -> bool;
}
