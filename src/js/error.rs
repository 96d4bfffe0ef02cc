//! `ClientError` out to JS as an `AndOpenError` (a real Error subclass defined in error.js), and a
//! secret-free description of whatever JS threw (error.js `describeThrown`, in JS, where a
//! hostile getter is caught), without ever panicking.

use wasm_bindgen::prelude::*;

use crate::core::error::ClientError;

#[wasm_bindgen(module = "/src/js/error.js")]
extern "C" {
    #[wasm_bindgen(js_name = AndOpenError)]
    pub type JsAndOpenError;

    /// `fields`: [status, retryable, oauthError, description, retryAfterSeconds] (error.js).
    #[wasm_bindgen(constructor, js_class = "AndOpenError")]
    fn new(code: &str, message: &str, fields: &js_sys::Array) -> JsAndOpenError;

    #[wasm_bindgen(js_name = andOpenErrorClass)]
    fn and_open_error_class() -> JsValue;

    /// A short, secret-free description of something JS threw: the Error's name, or its type
    /// (error.js; in JS, where a hostile `name` getter is caught).
    #[wasm_bindgen(js_name = describeThrown)]
    pub fn describe_thrown(value: &JsValue) -> String;
}

/// The `AndOpenError` class itself, so the package entry can re-export it for `instanceof`.
#[wasm_bindgen(js_name = andOpenErrorClass)]
pub fn error_class() -> JsValue {
    and_open_error_class()
}

impl From<ClientError> for JsValue {
    fn from(e: ClientError) -> JsValue {
        let optional_text = |t: Option<String>| t.map_or(JsValue::UNDEFINED, |t| t.into());
        let fields = js_sys::Array::of5(
            &e.status.map_or(JsValue::UNDEFINED, JsValue::from),
            &JsValue::from_bool(e.retryable),
            &optional_text(e.oauth_error),
            &optional_text(e.description),
            &e.retry_after_seconds
                .map_or(JsValue::UNDEFINED, JsValue::from),
        );
        JsAndOpenError::new(e.code.as_str(), &e.message, &fields).into()
    }
}
