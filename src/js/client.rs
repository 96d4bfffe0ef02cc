//! `AndOpenClient`, the exported class. Its state lives behind `Rc<RefCell<…>>`; exported
//! methods take `&self`, clone the `Rc` into a promise and never hold a borrow across an await,
//! so overlapping calls never throw "recursive use of an object".

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::Promise;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::api_request;
use super::http::{resolve_url, Readings};
use super::options::Options;
use super::runtime::is_browser_window;
use super::session::{spawn, CarryOn, Inner, State};
use super::store::{JsStore, MemoryStore};
use super::token_renewal;
use crate::core::api_scope::ApiScope;
use crate::core::config::Config;
use crate::core::error::{ClientError, ErrorCode};
use crate::core::retry_policy::RetryPolicy;
use crate::core::token_cache::TokenCache;

fn carry_on(client: Weak<Inner>) -> CarryOn {
    Closure::new(
        move |url: String, generation: f64, as_json: bool, result: JsValue, code: JsValue| {
            match client.upgrade() {
                Some(inner) => api_request::carry_on(inner, url, generation, as_json, result, code),
                None => Promise::reject(&ClientError::config("the client was freed").into()),
            }
        },
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenInfo<'a> {
    expires_at: f64,
    scope: Option<&'a str>,
    has_refresh_token: bool,
    source: &'a str,
}

/// A client for the &Open API. See README.md and docs/API.md for the options.
#[wasm_bindgen]
pub struct AndOpenClient {
    inner: Rc<Inner>,
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
        let scope =
            ApiScope::new(&resolve_url(&config.api_url).unwrap_or_else(|| config.api_url.clone()));
        let cache = TokenCache::new(
            config.leeway_ms,
            config.initial_refresh_token.clone(),
            config.can_use_client_credentials(),
        );
        Ok(AndOpenClient {
            inner: Rc::new_cyclic(|weak: &Weak<Inner>| Inner {
                carry_on: carry_on(weak.clone()),
                readings: Readings::for_config(&config),
                resolved_paths: RefCell::new(Vec::new()),
                scope,
                policy: RetryPolicy::new(config.max_retries),
                // docs/API.md: the default store is a MemoryStore of this client's own.
                store: JsStore::new(
                    options
                        .store
                        .unwrap_or_else(|| JsValue::from(MemoryStore::new()).unchecked_into()),
                    config.timeout_ms,
                ),
                config,
                fetch: options.fetch,
                on_event: options.on_event,
                broker: options.broker,
                state: RefCell::new(State {
                    cache,
                    renewal: None,
                    renewals_started: 0,
                    api_headers: None,
                    generation: 0,
                }),
            }),
        })
    }

    /// `GET /` on the API: the banner string. Rejects with `AndOpenError` on any failure.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn ping(&self) -> Promise {
        let inner = self.inner.clone();
        spawn(async move {
            let value =
                api_request::json(&inner, JsValue::from_str("/"), JsValue::UNDEFINED).await?;
            if value.is_string() {
                Ok(value)
            } else {
                Err(ClientError::new(
                    ErrorCode::InvalidResponse,
                    "GET / did not answer a JSON string",
                ))
            }
        })
    }

    /// An authenticated `fetch` against the API server; resolves with the last `Response`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Response>")]
    pub fn fetch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | URL")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestInit")] init: Option<JsValue>,
    ) -> Promise {
        if init.is_none() {
            if let Some(promise) = api_request::fast(&self.inner, &input, false) {
                return promise;
            }
        }
        let inner = self.inner.clone();
        let init = init.unwrap_or(JsValue::UNDEFINED);
        spawn(async move {
            api_request::fetch(&inner, input, init)
                .await
                .map(JsValue::from)
        })
    }

    /// An authenticated fetch that parses the JSON body; rejects on any non-2xx status.
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | URL")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestInit")] init: Option<JsValue>,
    ) -> Promise {
        if init.is_none() {
            if let Some(promise) = api_request::fast(&self.inner, &input, true) {
                return promise;
            }
        }
        let inner = self.inner.clone();
        let init = init.unwrap_or(JsValue::UNDEFINED);
        spawn(async move { api_request::json(&inner, input, init).await })
    }

    /// A valid access token (renewed if needed).
    #[wasm_bindgen(js_name = accessToken, unchecked_return_type = "Promise<string>")]
    pub fn access_token(&self) -> Promise {
        let inner = self.inner.clone();
        spawn(async move {
            token_renewal::token(&inner, None)
                .await
                .map(|held| JsValue::from_str(held.token.expose()))
        })
    }

    /// Metadata of the current token, never the token itself; `null` before any token.
    #[wasm_bindgen(js_name = tokenInfo, unchecked_return_type = "Promise<TokenInfo | null>")]
    pub fn token_info(&self) -> Promise {
        let state = self.inner.state.borrow();
        let info = match state.cache.current() {
            None => JsValue::NULL,
            Some(current) => TokenInfo {
                expires_at: current.expires_at_ms.floor(),
                scope: current.scope.as_deref(),
                has_refresh_token: state.cache.refresh_token().is_some(),
                source: current.source.as_str(),
            }
            // `scope: null`, not undefined, as docs/API.md shows.
            .serialize(&serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true))
            .unwrap_or(JsValue::NULL),
        };
        Promise::resolve(&info)
    }

    /// Forces a new token from the auth server now.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn refresh(&self) -> Promise {
        let inner = self.inner.clone();
        spawn(async move {
            token_renewal::force(&inner)
                .await
                .map(|_| JsValue::UNDEFINED)
        })
    }

    /// Forgets the access and refresh tokens, in memory and in the store. Rejects with
    /// `storage` if the store's `delete` fails (memory is cleared regardless).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn clear(&self) -> Promise {
        {
            let mut state = self.inner.state.borrow_mut();
            state.cache.clear();
            state.renewal = None;
            state.generation = state.generation.wrapping_add(1);
        }
        let inner = self.inner.clone();
        spawn(async move {
            token_renewal::clear_broker(&inner).await;
            inner
                .store
                .delete(&inner.config.store_key)
                .await
                .map_err(|why| {
                    ClientError::new(
                        ErrorCode::Storage,
                        format!("clearing the store failed: {why}"),
                    )
                })?;
            Ok(JsValue::UNDEFINED)
        })
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
