//! The per-client session: its configuration, handles and mutable state (`Inner`, `State`), the
//! renewal in flight, and how a method's future becomes a Promise. The exported class
//! (client.rs) and the drivers (api_request.rs, token_renewal.rs) all use it; it uses none of
//! them, so no module of src/js imports another in a circle.

use std::cell::RefCell;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::http::Readings;
use super::options::Broker;
use super::store::JsStore;
use crate::core::api_scope::ApiScope;
use crate::core::config::Config;
use crate::core::error::ClientError;
use crate::core::retry_policy::RetryPolicy;
use crate::core::secret::{Redactor, Secret};
use crate::core::token_cache::TokenCache;

/// The function attempt.js's warm path hands a call back through (api_request.rs `carry_on`):
/// the URL, the token's generation, whether it was `json()`, and what the attempt came to.
pub(crate) type CarryOn = Closure<dyn Fn(String, f64, bool, JsValue, JsValue) -> Promise>;

pub(crate) struct Inner {
    pub config: Config,
    /// Where the API credentials may go (apiUrl, as the runtime's URL parser normalises it).
    pub scope: ApiScope,
    /// Made once per client. It holds a `Weak`, so it does not keep the client alive.
    pub carry_on: CarryOn,
    pub policy: RetryPolicy,
    pub fetch: Option<Function>,
    pub store: JsStore,
    pub on_event: Option<Function>,
    /// The Durable Object token broker, when the `broker` option is given.
    pub broker: Option<Broker>,
    pub state: RefCell<State>,
    /// attempt.js's `reading` for each mode, made once per client.
    pub readings: Readings,
    /// Paths the warm path resolved lately (path, URL), so a repeated call skips the URL parser.
    pub resolved_paths: RefCell<Vec<(String, String)>>,
}

pub(crate) struct State {
    pub cache: TokenCache,
    /// The renewal in flight, shared by every caller that needs a token meanwhile.
    pub renewal: Option<Renewal>,
    pub renewals_started: u64,
    /// The API headers for the current token, built once per token rather than per call.
    pub api_headers: Option<(Secret, js_sys::Object)>,
    /// Bumped by `clear()`, so a renewal that was in flight cannot bring old tokens back.
    pub generation: u32,
}

impl Inner {
    /// A redactor for the static secrets and every token held now or recently (a server may
    /// echo an old one back after a renewal).
    pub fn redactor(&self) -> Redactor {
        let mut r = Redactor::new();
        for secret in [
            &self.config.api_key,
            &self.config.client_secret,
            &self.config.initial_refresh_token,
        ]
        .into_iter()
        .flatten()
        {
            r.add(secret);
        }
        let state = self.state.borrow();
        if let Some(current) = state.cache.current() {
            r.add(&current.access_token);
        }
        for token in state.cache.known_tokens() {
            r.add(token);
        }
        r
    }
}

/// A renewal in flight: a promise of the token (or of the `AndOpenError`), and its number, so
/// a renewal that finishes late never clears the entry of one that replaced it.
#[derive(Clone)]
pub(crate) struct Renewal {
    pub id: u64,
    pub promise: Promise,
}

type Call = std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, ClientError>>>>;

/// Runs a method's future as a Promise. Boxed, so `future_to_promise` is compiled once rather
/// than once per method (a few KB of .wasm each).
pub(crate) fn spawn(
    future: impl std::future::Future<Output = Result<JsValue, ClientError>> + 'static,
) -> Promise {
    spawn_boxed(Box::pin(future))
}

fn spawn_boxed(call: Call) -> Promise {
    future_to_promise(async move { call.await.map_err(JsValue::from) })
}
