//! `AndOpenClient`, the exported class. Its constructor validates the options, makes the client's
//! `Session` (the state and the flows) and hands it to driver.js's `Driver`, which runs the
//! steps. Its methods are JS (error.js `addClientMethods`) and go straight to the driver; nothing
//! is shared or borrowed here.

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

/// A client for the &Open API. See README.md and docs/API.md for the options. Its methods are
/// JS (error.js `addClientMethods`, typed in types.rs): each goes straight to the client's
/// driver without entering wasm, so the caller's arguments are read, and the driver starts, in
/// JS frames.
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
}

/// The client's methods for Rust callers (the wasm tests in tests/): the same driver methods the
/// JS ones call, documented with those (types.rs).
impl AndOpenClient {
    pub fn ping(&self) -> Promise {
        self.driver.ping()
    }

    pub fn fetch(&self, input: JsValue, init: Option<JsValue>) -> Promise {
        self.driver
            .fetch(&input, &init.unwrap_or(JsValue::UNDEFINED))
    }

    pub fn json(&self, input: JsValue, init: Option<JsValue>) -> Promise {
        self.driver
            .json(&input, &init.unwrap_or(JsValue::UNDEFINED))
    }

    pub fn access_token(&self) -> Promise {
        self.driver.access_token()
    }

    pub fn token_info(&self) -> Promise {
        self.driver.token_info()
    }

    pub fn refresh(&self) -> Promise {
        self.driver.refresh()
    }

    pub fn clear(&self) -> Promise {
        self.driver.clear()
    }
}

/// The driver of `client`, which its JS methods call (looked up once per client).
#[wasm_bindgen(js_name = clientDriver, skip_typescript)]
pub fn client_driver(client: &AndOpenClient) -> JsValue {
    JsValue::clone(client.driver.as_ref())
}

#[wasm_bindgen(module = "/src/js/error.js")]
extern "C" {
    #[wasm_bindgen(js_name = addClientMethods)]
    fn add_client_methods(class: &JsValue, driver_of: &JsValue);
    #[wasm_bindgen(js_name = idempotentFree)]
    fn idempotent_free(class: &JsValue);
    #[wasm_bindgen(js_name = readingClass)]
    fn reading_class(class: &JsValue) -> JsValue;
}

/// Completes the `AndOpenClient` class (the package entries call it once) and returns the one
/// they export: its methods (error.js `addClientMethods`, each a driver.js `Driver` method, found
/// through `driverOf`, i.e. `clientDriver`; each rejects with an `AndOpenError` once the client
/// is freed), `free()` made idempotent, and a subclass
/// whose constructor reads the options in JS before this class's constructor runs (error.js).
#[wasm_bindgen(js_name = completeClient, skip_typescript)]
pub fn complete_client(class: JsValue, driver_of: JsValue) -> JsValue {
    add_client_methods(&class, &driver_of);
    idempotent_free(&class);
    reading_class(&class)
}
