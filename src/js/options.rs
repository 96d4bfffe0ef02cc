//! Reads the JS options object into the core's `ConfigInput` plus the JS handles (store, fetch,
//! onEvent). Type errors are `invalid_config`, named after the option.

use js_sys::{Array, Function, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::objects;
use crate::core::config::ConfigInput;
use crate::core::error::ClientError;

#[wasm_bindgen(module = "/src/js/error.js")]
extern "C" {
    /// [a plain copy of the options, whether its store can serve as one, whether its broker
    /// can], or null if reading them threw. The package's `AndOpenClient` has read them before
    /// the constructor runs (error.js `readingClass`), so this only looks that up.
    #[wasm_bindgen(js_name = readOptions)]
    fn read_options(options: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = copyOptions)]
    fn copy_options(options: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = brokerOptions)]
    fn broker_options(copy: &JsValue) -> Object;
}

pub struct Options {
    pub config: ConfigInput,
    pub store: Option<Object>,
    pub fetch: Option<Function>,
    pub on_event: Option<Function>,
    pub dangerously_allow_browser: bool,
    /// The token broker's namespace, and the options it renews with.
    pub broker: Option<Broker>,
}

/// A `DurableObjectNamespace` bound to `AndOpenTokenBroker`, and what the broker is told.
pub struct Broker {
    pub namespace: Object,
    pub options: Object,
}

/// Every option docs/API.md names; anything else is refused so a typo is not silently ignored.
const KNOWN: [&str; 24] = [
    "apiKey",
    "tenant",
    "clientId",
    "clientSecret",
    "refreshToken",
    "environment",
    "authUrl",
    "apiUrl",
    "store",
    "storeKey",
    "refreshLeewaySeconds",
    "timeoutMs",
    "maxRetries",
    "maxResponseBytes",
    "fetch",
    "onEvent",
    "dangerouslyAllowBrowser",
    "profile",
    "tokenUrl",
    "clientAuth",
    "scope",
    "audience",
    "resource",
    "broker",
];

fn field(options: &JsValue, name: &str) -> Option<JsValue> {
    Some(objects::get(options, name)).filter(|v| !v.is_undefined() && !v.is_null())
}

/// Reads typed fields, keeping the first type error instead of returning it: the reads then
/// build `ConfigInput` in one expression with no early return between them, each of which
/// would drop the fields read so far one by one (kilobytes of drop code in the .wasm).
struct Reader<'a> {
    options: &'a JsValue,
    error: Option<ClientError>,
}

impl Reader<'_> {
    fn typed<T>(
        &mut self,
        name: &str,
        kind: &str,
        cast: impl FnOnce(JsValue) -> Option<T>,
    ) -> Option<T> {
        let value = cast(field(self.options, name)?);
        if value.is_none() && self.error.is_none() {
            self.error = Some(ClientError::config([name, " must be ", kind].concat()));
        }
        value
    }

    fn string(&mut self, name: &str) -> Option<String> {
        self.typed(name, "a string", |v| v.as_string())
    }

    fn number(&mut self, name: &str) -> Option<f64> {
        self.typed(name, "a number", |v| v.as_f64())
    }

    fn function(&mut self, name: &str) -> Option<Function> {
        self.typed(name, "a function", |v| v.dyn_into::<Function>().ok())
    }
}

impl Options {
    pub fn read(options: &JsValue) -> Result<Options, ClientError> {
        if !options.is_object() {
            return Err(ClientError::config("options must be an object"));
        }
        // Read once, in JS, into a plain object: a getter or Proxy trap that throws is one typed
        // error here, never a raw exception out of the constructor.
        let read = read_options(options);
        if read.is_null() {
            return Err(ClientError::config(
                "options could not be read (a getter or Proxy trap threw)",
            ));
        }
        let read: Array = read.unchecked_into();
        let (copy, store_like, broker_like) = (read.get(0), read.get(1), read.get(2));
        let options = &copy;
        let keys = Object::keys(options.unchecked_ref::<Object>());
        // By index: js-sys's array iterator reads through an import of its own.
        for at in 0..keys.length() {
            let key = keys.get(at).as_string().unwrap_or_default();
            if !KNOWN.contains(&key.as_str()) {
                return Err(ClientError::config(
                    ["unknown option \"", &key, "\""].concat(),
                ));
            }
        }
        let store = match field(options, "store") {
            None => None,
            Some(store) => {
                if !store_like.is_truthy() {
                    return Err(ClientError::config(
                        "store must have get, put and delete methods",
                    ));
                }
                Some(store.unchecked_into::<Object>())
            }
        };
        let broker = match field(options, "broker") {
            None => None,
            Some(namespace) => {
                if !broker_like.is_truthy() {
                    return Err(ClientError::config(
                        "broker must be a DurableObjectNamespace (with idFromName and get)",
                    ));
                }
                Some(Broker {
                    namespace: namespace.unchecked_into(),
                    options: broker_options(options),
                })
            }
        };
        let dangerously_allow_browser = match field(options, "dangerouslyAllowBrowser") {
            None => false,
            Some(v) => v
                .as_bool()
                .ok_or_else(|| ClientError::config("dangerouslyAllowBrowser must be a boolean"))?,
        };
        let mut read = Reader {
            options,
            error: None,
        };
        let config = ConfigInput {
            api_key: read.string("apiKey"),
            tenant: read.string("tenant"),
            client_id: read.string("clientId"),
            client_secret: read.string("clientSecret"),
            refresh_token: read.string("refreshToken"),
            environment: read.string("environment"),
            auth_url: read.string("authUrl"),
            api_url: read.string("apiUrl"),
            store_key: read.string("storeKey"),
            refresh_leeway_seconds: read.number("refreshLeewaySeconds"),
            timeout_ms: read.number("timeoutMs"),
            max_retries: read.number("maxRetries"),
            max_response_bytes: read.number("maxResponseBytes"),
            profile: read.string("profile"),
            token_url: read.string("tokenUrl"),
            client_auth: read.string("clientAuth"),
            scope: read.string("scope"),
            audience: read.string("audience"),
            resource: read.string("resource"),
        };
        let fetch = read.function("fetch");
        let on_event = read.function("onEvent");
        match read.error {
            Some(error) => Err(error),
            None => Ok(Options {
                config,
                store,
                fetch,
                on_event,
                dangerously_allow_browser,
                broker,
            }),
        }
    }
}

/// The options the token broker renews with, picked from what an ask carries (error.js
/// `brokerOptions`, the list every client sends its broker). The package's workerd entry picks
/// with it too, so a handle (a function stub, a store) sent over RPC never reaches its client.
#[wasm_bindgen(js_name = pickBrokerOptions)]
pub fn pick_broker_options(options: JsValue) -> Object {
    let copy = copy_options(&options);
    if copy.is_object() {
        broker_options(&copy)
    } else {
        Object::new()
    }
}
