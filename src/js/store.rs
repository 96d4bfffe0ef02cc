//! Token stores. Any JS object with `get/put/delete` returning promises is a store (a Workers KV
//! binding is one as it is); `MemoryStore` and `KvStore` are provided. driver.js calls them, bounded
//! by the client's timeout, and every failure is reported, never thrown into the API call.

use std::cell::RefCell;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::error::ClientError;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The least `expirationTtl` Workers KV accepts, in seconds.
const KV_MIN_TTL_SECONDS: f64 = 60.0;

/// Whether `value` can serve as a store: an object with `get`, `put` and `delete` functions (a
/// Workers KV binding is one). Checked once, at construction, by the options and by `KvStore`.
pub fn is_store_like(value: &JsValue) -> bool {
    let has = |method: &str| {
        Reflect::get(value, &JsValue::from_str(method)).is_ok_and(|f| f.is_function())
    };
    value.is_object() && has("get") && has("put") && has("delete")
}

/// A store in this isolate's memory, honouring `expirationTtl`. Each client has one of its own
/// unless given a store; pass one `MemoryStore` to several clients to share their tokens. It
/// holds one entry per client configuration, so a list beats a hash map (and keeps the .wasm
/// smaller).
#[wasm_bindgen]
#[derive(Default)]
pub struct MemoryStore {
    /// (key, value, expires at in ms since the epoch)
    entries: RefCell<Vec<(String, String, Option<f64>)>>,
}

#[wasm_bindgen]
impl MemoryStore {
    #[wasm_bindgen(constructor)]
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<string | null>")]
    pub fn get(&self, key: &str) -> Promise {
        let mut entries = self.entries.borrow_mut();
        let now = now_ms();
        entries.retain(|(_, _, expires_at)| expires_at.is_none_or(|at| at > now));
        let live = entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, value, _)| value.as_str());
        Promise::resolve(&live.map(JsValue::from_str).unwrap_or(JsValue::NULL))
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn put(
        &self,
        key: String,
        value: String,
        #[wasm_bindgen(unchecked_optional_param_type = "{ expirationTtl?: number }")]
        options: Option<JsValue>,
    ) -> Promise {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let ttl = Reflect::get(&options, &JsValue::from_str("expirationTtl"))
            .ok()
            .and_then(|v| v.as_f64());
        let expires_at = ttl
            .filter(|t| t.is_finite() && *t > 0.0)
            .map(|t| now_ms() + t * 1000.0);
        let mut entries = self.entries.borrow_mut();
        entries.retain(|(k, _, _)| *k != key);
        entries.push((key, value, expires_at));
        Promise::resolve(&JsValue::UNDEFINED)
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn delete(&self, key: &str) -> Promise {
        self.entries.borrow_mut().retain(|(k, _, _)| k != key);
        Promise::resolve(&JsValue::UNDEFINED)
    }
}

/// The shortest `encryptionKey` accepted: 32 characters, as many bytes as the AES-256 key that
/// HKDF derives from it (a shorter secret would be the weakest link).
const MIN_ENCRYPTION_KEY_CHARS: usize = 32;

#[wasm_bindgen(module = "/src/js/kv_crypto.js")]
extern "C" {
    /// AES-256-GCM for one `KvStore` (kv_crypto.js has the format and the HKDF parameters).
    type KvCipher;

    #[wasm_bindgen(constructor)]
    fn new(secret: &str) -> KvCipher;

    /// `namespace.get(key)`, decrypted; rejects with a `KvDecryptionError` for a value that
    /// does not decrypt.
    #[wasm_bindgen(method)]
    fn get(this: &KvCipher, namespace: &Object, key: &str) -> Promise;

    /// `namespace.put(key, <encrypted value>, options)`.
    #[wasm_bindgen(method)]
    fn put(
        this: &KvCipher,
        namespace: &Object,
        key: &str,
        value: &str,
        options: &Object,
    ) -> Promise;

    #[wasm_bindgen(js_name = hasWebCrypto)]
    fn has_web_crypto() -> bool;
}

#[wasm_bindgen(module = "/src/js/error.js")]
extern "C" {
    #[wasm_bindgen(js_name = copyOptions)]
    fn copy_options(options: &JsValue) -> JsValue;
}

/// The options of `new KvStore(namespace, options)`: the `encryptionKey` secret, if any.
fn read_kv_options(options: Option<&JsValue>) -> Result<Option<String>, ClientError> {
    let Some(options) = options.filter(|o| !o.is_undefined() && !o.is_null()) else {
        return Ok(None);
    };
    if !options.is_object() {
        return Err(ClientError::config("KvStore options must be an object"));
    }
    // Read once into a plain copy: a getter or Proxy trap that throws is a typed error here.
    let copy = copy_options(options);
    if !copy.is_object() {
        return Err(ClientError::config(
            "KvStore options could not be read (a getter or Proxy trap threw)",
        ));
    }
    let keys = Object::keys(copy.unchecked_ref::<Object>());
    for key in keys.iter() {
        let key = key.as_string().unwrap_or_default();
        if key != "encryptionKey" {
            return Err(ClientError::config(format!(
                "unknown KvStore option \"{key}\""
            )));
        }
    }
    if keys.length() == 0 {
        return Ok(None);
    }
    // Present but undefined is refused, not taken as "no encryption": it is what an unset
    // Worker secret (`env.X`) gives, and tokens would then be stored in the clear unnoticed.
    let value = Reflect::get(&copy, &JsValue::from_str("encryptionKey")).unwrap_or_default();
    let Some(secret) = value.as_string() else {
        return Err(ClientError::config(
            "encryptionKey must be a string of at least 32 characters (is the Worker secret set?)",
        ));
    };
    if secret.chars().count() < MIN_ENCRYPTION_KEY_CHARS {
        return Err(ClientError::config(format!(
            "encryptionKey must be at least {MIN_ENCRYPTION_KEY_CHARS} characters long"
        )));
    }
    if !has_web_crypto() {
        return Err(ClientError::config(
            "encryptionKey needs WebCrypto (crypto.subtle), which this runtime does not have",
        ));
    }
    Ok(Some(secret))
}

/// Wraps a Workers KV namespace binding and applies KV's rules: `expirationTtl` is never below
/// 60 s (KV refuses it; the `expiresAt` inside the value keeps a short-lived token from being
/// used late), and values are plain strings. With `encryptionKey`, every value is encrypted
/// (AES-256-GCM, kv_crypto.js), and one that does not decrypt makes `get` reject, which the
/// client reports as `store_error` and treats as a miss.
#[wasm_bindgen]
pub struct KvStore {
    namespace: Object,
    cipher: Option<KvCipher>,
}

#[wasm_bindgen]
impl KvStore {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "KVNamespaceLike")] namespace: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "KvStoreOptions")] options: Option<Object>,
    ) -> Result<KvStore, JsValue> {
        if !is_store_like(&namespace) {
            return Err(ClientError::config(
                "KvStore needs a KV namespace binding (an object with get, put and delete)",
            )
            .into());
        }
        let secret = read_kv_options(options.as_ref().map(|o| o.as_ref()))?;
        Ok(KvStore {
            namespace: namespace.unchecked_into(),
            cipher: secret.map(|s| KvCipher::new(&s)),
        })
    }

    fn call(&self, method: &str, args: &[JsValue]) -> Promise {
        let result = Reflect::get(&self.namespace, &JsValue::from_str(method))
            .and_then(|f| f.dyn_into::<Function>())
            .and_then(|f| f.apply(&self.namespace, &args.iter().collect()));
        match result {
            Ok(value) => Promise::resolve(&value),
            Err(e) => Promise::reject(&e),
        }
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<string | null>")]
    pub fn get(&self, key: &str) -> Promise {
        match &self.cipher {
            Some(cipher) => cipher.get(&self.namespace, key),
            None => self.call("get", &[JsValue::from_str(key)]),
        }
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn put(
        &self,
        key: &str,
        value: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ expirationTtl?: number }")]
        options: Option<JsValue>,
    ) -> Promise {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let ttl = Reflect::get(&options, &JsValue::from_str("expirationTtl"))
            .ok()
            .and_then(|v| v.as_f64())
            .filter(|t| t.is_finite())
            .unwrap_or(KV_MIN_TTL_SECONDS);
        let kv_options = Object::new();
        let _ = Reflect::set(
            &kv_options,
            &JsValue::from_str("expirationTtl"),
            &JsValue::from_f64(ttl.ceil().max(KV_MIN_TTL_SECONDS)),
        );
        match &self.cipher {
            Some(cipher) => cipher.put(&self.namespace, key, value, &kv_options),
            None => self.call(
                "put",
                &[
                    JsValue::from_str(key),
                    JsValue::from_str(value),
                    kv_options.into(),
                ],
            ),
        }
    }

    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn delete(&self, key: &str) -> Promise {
        self.call("delete", &[JsValue::from_str(key)])
    }
}
