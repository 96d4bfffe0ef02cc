//! The session's one export, `Session.op(code, id, a, b, c)`: driver.js runs every operation of
//! the session through it, by code. Each export of a wasm-bindgen class is its own shim in the
//! .wasm (borrowing the session, converting each argument and the result) and its own method in
//! the glue; one export for nineteen operations keeps one of each.

use wasm_bindgen::prelude::*;

use super::Session;

// The operations (driver.js has the same names; tests/docs/driver-codes.test.mjs compares). Each
// takes, after `id` where it has one, the arguments of the method `op` calls for it, in order.
pub const OP_TOKEN: u8 = 0;
pub const OP_CLEAR: u8 = 1;
/// Its `id` says which error (`ERROR_*`, mod.rs).
pub const OP_ERROR: u8 = 2;
pub const OP_TOKEN_INFO: u8 = 3;
pub const OP_CALL_START: u8 = 4;
pub const OP_CALL_REQUEST: u8 = 5;
pub const OP_CALL_ANSWER: u8 = 6;
pub const OP_CALL_REFUSED: u8 = 7;
pub const OP_CALL_END: u8 = 8;
pub const OP_RESOLVE_PATH: u8 = 9;
pub const OP_RENEW_START: u8 = 10;
pub const OP_RENEW_STEP: u8 = 11;
pub const OP_RENEW_BROKER: u8 = 12;
pub const OP_RENEW_STORE: u8 = 13;
pub const OP_RENEW_ANSWER: u8 = 14;
pub const OP_RENEW_RESUME: u8 = 15;
pub const OP_RENEW_END: u8 = 16;
pub const OP_BROKER_CLEAR_FAILED: u8 = 17;
pub const OP_STORE_CLEARED: u8 = 18;

fn flag(value: &JsValue) -> bool {
    value.as_bool() == Some(true)
}

fn small(value: &JsValue) -> u8 {
    value.as_f64().map_or(0, |n| n as u8)
}

#[wasm_bindgen(js_class = "Session")]
impl Session {
    /// Runs operation `code` (`OP_*`) of the call or renewal `id` (where it has one) with the
    /// arguments `a`, `b`, `c`, and returns what its method returns (`undefined` for nothing).
    /// Never throws: `OP_CALL_START`'s `invalid_config` (a bad input or init) is returned, for
    /// driver.js to throw (an export that returns a `Result` costs a larger shim).
    pub fn op(&mut self, code: u8, id: u32, a: JsValue, b: JsValue, c: JsValue) -> JsValue {
        match code {
            OP_TOKEN => self.token_now().into(),
            OP_CLEAR => {
                self.clear();
                JsValue::UNDEFINED
            }
            OP_ERROR => self.error(id),
            OP_TOKEN_INFO => self.token_info(),
            OP_CALL_START => self
                .call_start(a, small(&b))
                .map_or_else(|error| error, JsValue::from),
            OP_CALL_REQUEST => self.call_request(id).into(),
            OP_CALL_ANSWER => {
                let generation = a.as_f64().unwrap_or(0.0);
                self.call_answer(id, generation, b, c).into()
            }
            OP_CALL_REFUSED => self.call_refused(id, a).into(),
            OP_CALL_END => {
                self.call_end(id);
                JsValue::UNDEFINED
            }
            OP_RESOLVE_PATH => self.resolve_path(&a),
            OP_RENEW_START => self.renew_start(flag(&a)).into(),
            OP_RENEW_STEP => self.renew_step(id).into(),
            OP_RENEW_BROKER => self.renew_broker(id, flag(&a), b).into(),
            OP_RENEW_STORE => self.renew_store(id, flag(&a), small(&b), c).into(),
            OP_RENEW_ANSWER => self.renew_answer(id, a, b).into(),
            OP_RENEW_RESUME => self.renew_resume(id).into(),
            OP_RENEW_END => {
                self.renew_end(id);
                JsValue::UNDEFINED
            }
            OP_BROKER_CLEAR_FAILED => self.broker_clear_failed(a).into(),
            OP_STORE_CLEARED => self.store_cleared(small(&a), b),
            // driver.js sends only the codes above (the driver-codes test checks the lists).
            _ => JsValue::UNDEFINED,
        }
    }
}
