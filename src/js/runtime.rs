//! The few globals the client needs, read in JS on `globalThis` (not `window`) so the same code
//! runs in Workers, Node and browsers. One call into driver.js, rather than js_sys::global() and
//! a Reflect.get per name: less code to compile on a cold start.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/driver.js")]
extern "C" {
    /// A browser window: a global `window` and `document` (docs/API.md, Security). Workers, Node
    /// and web workers have neither.
    ///
    /// A `JsValue` rather than a `bool`: an import that needs no conversion is imported by the
    /// .wasm from driver.js itself, and the glue's `import * as` of the whole module then keeps
    /// every export of driver.js in a bundle, each behind a getter.
    #[wasm_bindgen(js_name = isBrowserWindow)]
    fn browser_window() -> JsValue;
}

/// Whether the client runs in a browser window (driver.js `isBrowserWindow`).
pub fn is_browser_window() -> bool {
    browser_window().is_truthy()
}
