//! `AndOpenClient`, the exported class. It validates the options, makes the client's `Session`
//! (the state and the flows) and hands it to driver.js's `Driver`, which runs the steps. Each
//! method passes straight through to the driver; nothing is shared or borrowed here.

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

use super::http::readings;
use super::options::Options;
use super::runtime::is_browser_window;
use super::session::Session;
use super::store::MemoryStore;
use crate::core::config::Config;
use crate::core::error::{ClientError, ErrorCode};

#[wasm_bindgen(module = "/src/js/driver.js")]
extern "C" {
    type Driver;

    /// `handles`: [fetch, store, broker namespace, broker options, onEvent]; `settings`:
    /// [storeKey, timeoutMs, joinDeadlineMs, readings] (driver.js).
    #[wasm_bindgen(constructor)]
    fn new(session: Session, handles: &Array, settings: &Array) -> Driver;

    #[wasm_bindgen(method)]
    fn ping(this: &Driver) -> Promise;
    #[wasm_bindgen(method)]
    fn fetch(this: &Driver, input: &JsValue, init: &JsValue) -> Promise;
    #[wasm_bindgen(method)]
    fn json(this: &Driver, input: &JsValue, init: &JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = accessToken)]
    fn access_token(this: &Driver) -> Promise;
    #[wasm_bindgen(method, js_name = tokenInfo)]
    fn token_info(this: &Driver) -> Promise;
    #[wasm_bindgen(method)]
    fn refresh(this: &Driver) -> Promise;
    #[wasm_bindgen(method)]
    fn clear(this: &Driver) -> Promise;
}

/// A client for the &Open API. See README.md and docs/API.md for the options.
#[wasm_bindgen]
pub struct AndOpenClient {
    driver: Driver,
}

fn optional(value: Option<impl Into<JsValue>>) -> JsValue {
    value.map_or(JsValue::UNDEFINED, Into::into)
}

#[wasm_bindgen]
impl AndOpenClient {
    /// Validates the options; throws `AndOpenError` (`invalid_config`, `browser_secret`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "AndOpenClientOptions")] options: JsValue,
    ) -> Result<AndOpenClient, JsValue> {
        let options = Options::read(&options)?;
        if options.config.client_secret.is_some()
            && !options.dangerously_allow_browser
            && is_browser_window()
        {
            return Err(ClientError::new(
                ErrorCode::BrowserSecret,
                "a clientSecret in a browser page is visible to every visitor; keep it on a server or in a Worker, \
                 or pass dangerouslyAllowBrowser: true for a trusted setup",
            )
            .into());
        }
        let config = Config::validate(options.config)?;
        let (broker_namespace, broker_options) = match options.broker {
            Some(broker) => (broker.namespace.into(), broker.options.into()),
            None => (JsValue::UNDEFINED, JsValue::UNDEFINED),
        };
        let has_broker = !broker_namespace.is_undefined();
        let session = Session::new(config, has_broker, options.on_event.is_some());
        let config = session.config();
        let settings = Array::of4(
            &JsValue::from_str(&config.store_key),
            &config.timeout_ms.into(),
            &session.join_deadline_ms().into(),
            &readings(config),
        );
        // docs/API.md: the default store is a MemoryStore of this client's own.
        let store = options
            .store
            .map_or_else(|| MemoryStore::new().into(), JsValue::from);
        let handles = Array::of5(
            &optional(options.fetch),
            &store,
            &broker_namespace,
            &broker_options,
            &optional(options.on_event),
        );
        Ok(AndOpenClient {
            driver: Driver::new(session, &handles, &settings),
        })
    }

    /// `GET /` on the API: the banner string. Rejects with `AndOpenError` on any failure.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn ping(&self) -> Promise {
        self.driver.ping()
    }

    /// An authenticated `fetch` against the API server; resolves with the last `Response`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Response>")]
    pub fn fetch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | URL")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestInit")] init: Option<JsValue>,
    ) -> Promise {
        self.driver
            .fetch(&input, &init.unwrap_or(JsValue::UNDEFINED))
    }

    /// An authenticated fetch that parses the JSON body; rejects on any non-2xx status.
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | URL")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestInit")] init: Option<JsValue>,
    ) -> Promise {
        self.driver
            .json(&input, &init.unwrap_or(JsValue::UNDEFINED))
    }

    /// A valid access token (renewed if needed).
    #[wasm_bindgen(js_name = accessToken, unchecked_return_type = "Promise<string>")]
    pub fn access_token(&self) -> Promise {
        self.driver.access_token()
    }

    /// Metadata of the current token, never the token itself; `null` before any token.
    #[wasm_bindgen(js_name = tokenInfo, unchecked_return_type = "Promise<TokenInfo | null>")]
    pub fn token_info(&self) -> Promise {
        self.driver.token_info()
    }

    /// Forces a new token from the auth server now.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn refresh(&self) -> Promise {
        self.driver.refresh()
    }

    /// Forgets the access and refresh tokens, in memory and in the store. Rejects with
    /// `storage` if the store's `delete` fails (memory is cleared regardless).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn clear(&self) -> Promise {
        self.driver.clear()
    }
}

#[wasm_bindgen(module = "/src/js/error.js")]
extern "C" {
    #[wasm_bindgen(js_name = guardFreed)]
    fn guard_freed_js(class: &JsValue);
}

/// Makes `free()` of an exported class idempotent and its methods reject with an `AndOpenError`
/// after it (error.js). The package entries call it once per class.
#[wasm_bindgen(js_name = guardFreed)]
pub fn guard_freed(class: JsValue) {
    guard_freed_js(&class);
}
