//! The renewal's steps: broker, store, token requests with their retries, the store write and the
//! end of a renewal, as driver.js runs them (`OP_RENEW_START`, then `OP_RENEW_STEP` and one
//! `OP_RENEW_*` operation per step carried out). The decisions are `RenewalFlow`'s and
//! `GrantFlow`'s.

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{
    jitter, now_ms, Renewal, Session, STEP_BROKER, STEP_DONE, STEP_FAIL, STEP_GET, STEP_PUT,
    STEP_SEND, STEP_WAIT,
};
use crate::core::api_scope::token_redirect_error;
use crate::core::decimal::decimal;
use crate::core::error::{is_retryable_status, ClientError, ErrorCode};
use crate::core::grant_flow::{GrantFlow, GrantStep};
use crate::core::json::Json;
use crate::core::renewal_flow::{BrokerReport, Notice, RenewalFlow, RenewalStep};
use crate::core::token_cache::{HeldToken, TokenCache};
use crate::core::token_response::{parse_token_response, MAX_BODY_BYTES};
use crate::js::error::describe_thrown;
use crate::js::events::Event;
use crate::js::http::{discard, header_object, settled, Body, Exchange};
use crate::js::json;
use crate::js::objects::set;

// How a store call ended (driver.js `STORE_*`): its value, or what was wrong.
const STORE_OK: u8 = 0;
const STORE_THREW: u8 = 1;
const STORE_REJECTED: u8 = 2;
const STORE_TIMEOUT: u8 = 3;
// STORE_MISSING (4): the method is not a function.

impl Session {
    fn renewal(&mut self, id: u32) -> Option<&mut Renewal> {
        self.renewals.iter_mut().find(|r| r.id == id)
    }

    /// Hands renewal `id`'s flow an outcome (with the cache, the clear generation and the time)
    /// and turns the step it answers into driver.js's.
    fn advance(
        &mut self,
        id: u32,
        report: impl FnOnce(&mut RenewalFlow, &mut TokenCache, u32, f64) -> RenewalStep,
    ) -> Array {
        let (generation, now) = (self.generation, now_ms());
        let Some(renewal) = self.renewals.iter_mut().find(|r| r.id == id) else {
            return self.gone();
        };
        let step = report(&mut renewal.flow, &mut self.cache, generation, now);
        self.renewal_step(id, step)
    }

    /// Turns a `RenewalStep` into driver.js's step, starting the grant where the flow asks for
    /// one.
    fn renewal_step(&mut self, id: u32, step: RenewalStep) -> Array {
        self.notices(id);
        match step {
            RenewalStep::AskBroker(report) => {
                let report = broker_report(report);
                self.step(STEP_BROKER, &[&report])
            }
            RenewalStep::ReadStore => {
                let key = JsValue::from_str(&self.config.store_key);
                self.step(STEP_GET, &[&key])
            }
            RenewalStep::WriteStore { value, ttl_seconds } => {
                let key = JsValue::from_str(&self.config.store_key);
                self.step(
                    STEP_PUT,
                    &[
                        &key,
                        &JsValue::from_str(&value),
                        &JsValue::from_f64(ttl_seconds.ceil().max(1.0)),
                    ],
                )
            }
            RenewalStep::Grant => match GrantFlow::start(&self.cache, self.policy) {
                Ok(grant) => {
                    if let Some(renewal) = self.renewal(id) {
                        renewal.grant = Some(grant);
                    }
                    self.grant_send(id)
                }
                Err(error) => self.end_renewal(id, Err(error)),
            },
            RenewalStep::Done(held) => self.end_renewal(id, Ok(held)),
        }
    }

    fn notices(&mut self, id: u32) {
        let Some(renewal) = self.renewal(id) else {
            return;
        };
        let notices = renewal.flow.notices();
        let key = self.config.store_key.clone();
        for notice in notices {
            let event = match &notice {
                Notice::StoreHit => Event {
                    kind: "store_hit",
                    key: Some(&key),
                    ..Event::default()
                },
                Notice::StoreMiss => Event {
                    kind: "store_miss",
                    key: Some(&key),
                    ..Event::default()
                },
                Notice::StoreError { operation, message } => Event {
                    kind: "store_error",
                    operation: Some(operation),
                    message: Some(message),
                    ..Event::default()
                },
                Notice::BrokerError { message } => Event {
                    kind: "broker_error",
                    message: Some(message),
                    ..Event::default()
                },
            };
            self.event(event);
        }
    }

    fn end_renewal(&mut self, id: u32, result: Result<HeldToken, ClientError>) -> Array {
        self.renewals.retain(|r| r.id != id);
        match result {
            Ok(held) => {
                let headers = self.api_headers(&held);
                let generation = JsValue::from_f64(held.generation as f64);
                let token = JsValue::from_str(held.token.expose());
                self.step(STEP_DONE, &[&headers, &generation, &token])
            }
            Err(error) => self.fail(error),
        }
    }

    /// The token request the grant flow asks for, and its `token_request` event.
    fn grant_send(&mut self, id: u32) -> Array {
        let Some(grant) = self.renewal(id).and_then(|r| r.grant.clone()) else {
            return self.gone();
        };
        self.event(Event {
            kind: "token_request",
            grant: Some(grant.grant().name()),
            attempt: Some(grant.attempt()),
            ..Event::default()
        });
        let request = grant.request(&self.config);
        let headers = header_object(
            request
                .headers
                .iter()
                .map(|(name, value)| (*name, value.expose())),
        );
        self.step(
            STEP_SEND,
            &[
                &JsValue::from_str(&request.url),
                &headers,
                &JsValue::from_str(request.body.expose()),
            ],
        )
    }

    fn store_result(&self, method: &str, outcome: u8, value: JsValue) -> Result<JsValue, String> {
        let (what, detail) = match outcome {
            STORE_OK => return Ok(value),
            STORE_THREW => (" threw ", describe_thrown(&value)),
            STORE_REJECTED => (" rejected with ", describe_thrown(&value)),
            STORE_TIMEOUT => (
                " did not settle within ",
                [&decimal(self.config.timeout_ms as u64), " ms"].concat(),
            ),
            _ => (" is not a function", String::new()),
        };
        Err(["store.", method, what, &detail].concat())
    }

    /// What a token attempt came to, as the grant flow takes it.
    fn token_answer(
        &self,
        exchange: Exchange,
    ) -> Result<(u16, crate::core::token_response::TokenGrant), ClientError> {
        let status = exchange.status;
        if exchange.is_redirect() {
            discard(&exchange.response);
            return Err(token_redirect_error(status, exchange.location.as_deref()));
        }
        let retry_after = exchange.retry_after_seconds(now_ms());
        let body = match exchange.body {
            Body::Members(body) => body,
            // A retryable status keeps its code (and its retries) without the body; any other
            // answer over 64 KB is not one a token endpoint gives.
            Body::TooLarge if is_retryable_status(status) => Json::Invalid,
            _ => {
                let mut error = ClientError::new(
                    ErrorCode::InvalidResponse,
                    "the token response is larger than 64 KB; it was read no further",
                );
                error.status = Some(status);
                return Err(error);
            }
        };
        parse_token_response(status, &body, retry_after, &self.redactor()).map(|g| (status, g))
    }

    fn token_error_event(&mut self, grant: &'static str, error: &ClientError) {
        self.event(Event {
            kind: "token_error",
            grant: Some(grant),
            status: error.status,
            code: Some(error.code.as_str()),
            ..Event::default()
        });
    }
}

/// The report a renewal sends the broker (docs/API.md, the token broker).
fn broker_report(report: BrokerReport) -> JsValue {
    match report {
        BrokerReport::Nothing => JsValue::NULL,
        BrokerReport::Refused {
            access_token,
            expires_at_ms,
        } => {
            let refused = Object::new();
            set(&refused, "accessToken", &access_token.expose().into());
            set(&refused, "expiresAt", &expires_at_ms.into());
            let report = Object::new();
            set(&report, "refused", &refused);
            report.into()
        }
        BrokerReport::Refresh => {
            let report = Object::new();
            set(&report, "refresh", &JsValue::TRUE);
            report.into()
        }
    }
}

/// Why a stored token's text (a store's value or the broker's answer) was not read.
enum Unread {
    NotString,
    /// Over 64 KB: not a value this crate wrote.
    TooLarge,
}

/// A stored token's text read as JSON: a string of at most 64 KB, measured before it is read.
fn read_stored(value: &JsValue) -> Result<Json, Unread> {
    let length = value
        .dyn_ref::<js_sys::JsString>()
        .map(|s| s.length())
        .ok_or(Unread::NotString)?;
    if length > MAX_BODY_BYTES {
        return Err(Unread::TooLarge);
    }
    Ok(json::read(value))
}

/// A store's `get` value: a miss for null or undefined, else `read_stored`.
fn stored_value(value: JsValue) -> Result<Option<Json>, String> {
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    match read_stored(&value) {
        Ok(json) => Ok(Some(json)),
        Err(Unread::NotString) => Err("store.get returned a value that is not a string".to_owned()),
        Err(Unread::TooLarge) => {
            Err("store.get returned a value over 64 KB; treated as a miss".to_owned())
        }
    }
}

// The operations driver.js runs through `Session.op` (ops.rs).
impl Session {
    /// Starts a renewal (a forced one skips the store); `OP_RENEW_STEP` gives its first step.
    pub fn renew_start(&mut self, force: bool) -> u32 {
        let id = self.next_id();
        let (flow, first) =
            RenewalFlow::start(&mut self.cache, self.has_broker, force, self.generation);
        self.renewals.push(Renewal {
            id,
            flow,
            grant: None,
            first: Some(first),
        });
        id
    }

    pub fn renew_step(&mut self, id: u32) -> Array {
        match self.renewal(id).and_then(|r| r.first.take()) {
            Some(step) => self.renewal_step(id, step),
            None => self.gone(),
        }
    }

    /// The broker answered `value` (`answered`), or the ask failed with `value` thrown.
    pub fn renew_broker(&mut self, id: u32, answered: bool, value: JsValue) -> Array {
        let answer = if answered {
            read_stored(&value)
                .map_err(|_| "the broker answered something that is not a token".to_owned())
        } else if value.as_f64().is_some() {
            Err("the broker did not answer within timeoutMs".to_owned())
        } else {
            Err(["the broker failed: ", &describe_thrown(&value)].concat())
        };
        self.advance(id, |flow, cache, generation, now| {
            flow.on_broker(cache, answer, generation, now)
        })
    }

    /// How the store call of the last `get` or `put` step ended (`STORE_*`), and its value.
    pub fn renew_store(&mut self, id: u32, put: bool, outcome: u8, value: JsValue) -> Array {
        if put {
            let written = self.store_result("put", outcome, value).map(drop);
            self.advance(id, |flow, _, _, _| flow.on_store_written(written))
        } else {
            let read = self
                .store_result("get", outcome, value)
                .and_then(stored_value);
            self.advance(id, |flow, cache, _, now| {
                flow.on_store_read(cache, read, now)
            })
        }
    }

    /// What the token request came to: driver.js's attempt result, or the number it failed
    /// with.
    pub fn renew_answer(&mut self, id: u32, result: JsValue, code: JsValue) -> Array {
        let answer = settled(result, &code, "the token request").and_then(|e| self.token_answer(e));
        let status = answer.as_ref().map(|(status, _)| *status).ok();
        // Found by field, not through `self.renewal()`, so the cache can be borrowed alongside.
        let renewal = self.renewals.iter_mut().find(|r| r.id == id);
        let Some(grant) = renewal.and_then(|r| r.grant.as_mut()) else {
            return self.gone();
        };
        let name = grant.grant().name();
        match grant.on_answer(&mut self.cache, answer.map(|(_, g)| g), jitter()) {
            GrantStep::Done(obtained) => {
                self.event(Event {
                    kind: "token_response",
                    grant: Some(name),
                    status,
                    expires_in: Some(obtained.expires_in_seconds),
                    ..Event::default()
                });
                self.advance(id, |flow, cache, generation, now| {
                    flow.on_granted(cache, obtained, generation, now)
                })
            }
            GrantStep::Wait(retry) => {
                self.event(Event::retry("token", &retry));
                let delay = JsValue::from_f64(retry.delay_ms);
                self.step(STEP_WAIT, &[&delay])
            }
            GrantStep::FallBack(error) => {
                self.token_error_event(name, &error);
                self.grant_send(id)
            }
            GrantStep::Fail(error) => {
                self.token_error_event(name, &error);
                self.end_renewal(id, Err(error))
            }
        }
    }

    /// After a `wait` step of a renewal: the token request again.
    pub fn renew_resume(&mut self, id: u32) -> Array {
        self.grant_send(id)
    }

    /// Forgets a renewal driver.js gave up on (it threw where it should not have).
    pub fn renew_end(&mut self, id: u32) {
        self.renewals.retain(|r| r.id != id);
    }

    /// The events of a broker that could not be cleared.
    pub fn broker_clear_failed(&mut self, thrown: JsValue) -> Array {
        let why = ["clearing the broker failed: ", &describe_thrown(&thrown)].concat();
        self.event(Event {
            kind: "broker_error",
            message: Some(&why),
            ..Event::default()
        });
        self.step(STEP_FAIL, &[])
    }

    /// The error of a store `delete` that failed in `clear()`, or `undefined` if it did not.
    pub fn store_cleared(&self, outcome: u8, value: JsValue) -> JsValue {
        match self.store_result("delete", outcome, value) {
            Ok(_) => JsValue::UNDEFINED,
            Err(why) => ClientError::new(
                ErrorCode::Storage,
                ["clearing the store failed: ", &why].concat(),
            )
            .into(),
        }
    }
}
