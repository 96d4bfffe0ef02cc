//! One HTTP attempt: fetch with a per-attempt timeout (an AbortController plus a gloo timer that
//! is cleared when the attempt is dropped, as in reqwest's wasm backend) and the caller's signal.
//! A failure is classified by which of the two fired, never by the error's text.

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Headers, Response};

use super::runtime::{global_fetch, link_abort, now_ms, race_abort};
use crate::core::error::{ClientError, ErrorCode};

pub struct Attempt {
    deadline_ms: f64,
    controller: AbortController,
    timed_out: Rc<Cell<bool>>,
    caller_signal: Option<AbortSignal>,
    unlink: JsValue,
    _timer: Timeout,
}

impl Attempt {
    pub fn start(
        timeout_ms: f64,
        caller_signal: Option<&AbortSignal>,
    ) -> Result<Attempt, ClientError> {
        let controller = AbortController::new()
            .map_err(|_| ClientError::new(ErrorCode::Network, "AbortController is unavailable"))?;
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let controller = controller.clone();
            let timed_out = timed_out.clone();
            Timeout::new(timeout_ms.min(u32::MAX as f64) as u32, move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let unlink = link_abort(caller_signal, &controller);
        Ok(Attempt {
            deadline_ms: now_ms() + timeout_ms,
            controller,
            timed_out,
            caller_signal: caller_signal.cloned(),
            unlink,
            _timer: timer,
        })
    }

    fn failure(&self, what: &str) -> ClientError {
        if self
            .caller_signal
            .as_ref()
            .is_some_and(AbortSignal::aborted)
        {
            ClientError::new(
                ErrorCode::Aborted,
                format!("{what} was aborted by the caller's signal"),
            )
        } else if self.timed_out.get() {
            ClientError::new(ErrorCode::Timeout, format!("{what} timed out"))
        } else {
            ClientError::new(
                ErrorCode::Network,
                format!("{what} failed: no response (network error)"),
            )
        }
    }

    /// Sends `fetch(url, { method, headers, body, signal })`. `fetch` is the injected one, or
    /// the global one called with `this = globalThis` (browsers require it).
    pub async fn send(
        &self,
        fetch: Option<&Function>,
        url: &str,
        method: &str,
        headers: &Headers,
        body: &JsValue,
        what: &str,
    ) -> Result<Response, ClientError> {
        if self
            .caller_signal
            .as_ref()
            .is_some_and(AbortSignal::aborted)
        {
            return Err(self.failure(what));
        }
        let init = Object::new();
        let set = |k: &str, v: &JsValue| Reflect::set(&init, &JsValue::from_str(k), v).is_ok();
        let complete = set("method", &JsValue::from_str(method))
            && set("headers", headers)
            && (body.is_undefined() || set("body", body))
            && set("signal", &self.controller.signal());
        if !complete {
            return Err(ClientError::new(
                ErrorCode::Network,
                format!("{what}: could not build the request"),
            ));
        }
        let (fetch, this) = match fetch {
            Some(f) => (f.clone(), JsValue::UNDEFINED),
            None => (
                global_fetch()
                    .ok_or_else(|| ClientError::config("no global fetch: pass options.fetch"))?,
                js_sys::global().into(),
            ),
        };
        // A fetch that throws synchronously, returns a non-promise or resolves to a non-Response
        // is a network failure, not a panic.
        let returned = fetch
            .call2(&this, &JsValue::from_str(url), &init)
            .map_err(|_| self.failure(what))?;
        let settled = self.bounded(&returned, what).await?;
        settled.dyn_into::<Response>().map_err(|_| {
            ClientError::new(
                ErrorCode::InvalidResponse,
                format!("{what}: fetch did not resolve to a Response"),
            )
        })
    }

    /// Reads a body as text under the same timeout and signal (a connection dropped after the
    /// headers fails here, not later).
    pub async fn text(&self, response: &Response, what: &str) -> Result<String, ClientError> {
        let promise = response.text().map_err(|_| self.failure(what))?;
        let text = self.bounded(&promise, what).await?;
        Ok(text.as_string().unwrap_or_default())
    }

    /// Awaits `value` within the attempt's deadline and the caller's signal, without relying on
    /// the promise honouring the abort: an injected fetch that ignores its signal cannot hang us.
    async fn bounded(&self, value: &JsValue, what: &str) -> Result<JsValue, ClientError> {
        let remaining = (self.deadline_ms - now_ms()).max(0.0);
        let raced = race_abort(
            &Promise::resolve(value),
            self.caller_signal.as_ref(),
            Some(remaining),
        );
        match JsFuture::from(raced).await {
            // `undefined` is also how the race reports its deadline.
            Ok(v) if v.is_undefined() && now_ms() >= self.deadline_ms => {
                self.timed_out.set(true);
                self.controller.abort();
                Err(self.failure(what))
            }
            Ok(v) => Ok(v),
            Err(_) => Err(self.failure(what)),
        }
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if let Some(unlink) = self.unlink.dyn_ref::<Function>() {
            let _ = unlink.call0(&JsValue::UNDEFINED);
        }
    }
}

/// The `Retry-After` header of a response, in seconds from now.
pub fn retry_after_seconds(response: &Response, now_ms: f64) -> Option<f64> {
    let value = response.headers().get("retry-after").ok().flatten()?;
    crate::core::retry_policy::parse_retry_after(&value, now_ms)
}
