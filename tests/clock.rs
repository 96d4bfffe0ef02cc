//! The driver's own timers on a fake clock (support/emulator.js `fakeClock`) with a scripted
//! fetch: how long a retry waits, when an attempt or a store call is given up, and that an
//! abort does not wait for anything. Each is pinned to the millisecond ("not at 999 ms, at
//! 1000 ms") where an elapsed-time threshold could only say "roughly". The decisions themselves
//! (which delay, whether to retry) are the core's, tested natively (src/core); the fault matrix
//! checks the same faults against a real server in Node and workerd.
#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

const TOKEN: &str = r#"{"status":200,"body":"{\"access_token\":\"tok-1\",\"token_type\":\"bearer\",\"expires_in\":3600}","headers":{"content-type":"application/json"}}"#;
const BANNER: &str =
    r#"{"status":200,"body":"\"banner\"","headers":{"content-type":"application/json"}}"#;
/// A fetch that never settles and ignores its AbortSignal.
const DEAF: &str = r#""deaf""#;

/// Gives the client of `setup` a fetch that answers `entries` in order (the last one repeats),
/// and returns what it was asked.
fn scripted(setup: &Setup, entries: &[&str]) -> js_sys::Array {
    let scripted = scripted_fetch(obj(&format!("[{}]", entries.join(","))));
    setup.set("fetch", &get(&scripted, "fetch"));
    get(&scripted, "seen").into()
}

/// (target, status, code, delayMs) of every `retry` event so far.
fn retries(setup: &Setup) -> Vec<(String, f64, String, f64)> {
    setup
        .events
        .iter()
        .filter(|e| text(e, "type") == "retry")
        .map(|e| {
            (
                text(&e, "target"),
                num(&e, "status"),
                text(&e, "code"),
                num(&e, "delayMs"),
            )
        })
        .collect()
}

fn with_signal(signal: &web_sys::AbortSignal) -> JsValue {
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"signal".into(), signal).expect("set");
    init.into()
}

#[wasm_bindgen_test]
async fn an_api_retry_waits_its_retry_after_to_the_millisecond() {
    let clock = fake_clock();
    let setup = Setup::new("clock-api-429");
    let seen = scripted(
        &setup,
        &[
            TOKEN,
            r#"{"status":429,"headers":{"retry-after":"1"}}"#,
            BANNER,
        ],
    );
    let call = watch(setup.client().ping());
    clock.advance(0.0).await;
    // The token request, then the first attempt, answered 429 with Retry-After: 1.
    assert_eq!(seen.length(), 2);
    assert_eq!(
        retries(&setup),
        [("api".into(), 429.0, "rate_limited".into(), 1000.0)]
    );
    clock.advance(999.0).await;
    assert_eq!((seen.length(), settled(&call)), (2, false));
    clock.advance(1.0).await;
    assert_eq!((seen.length(), settled(&call)), (3, true));
    assert_eq!(
        ok(promise(&call)).await.as_string().as_deref(),
        Some("banner")
    );
    clock.restore();
}

#[wasm_bindgen_test]
async fn a_token_retry_waits_its_retry_after_to_the_millisecond() {
    let clock = fake_clock();
    let setup = Setup::new("clock-token-503");
    let seen = scripted(
        &setup,
        &[
            r#"{"status":503,"headers":{"retry-after":"2"}}"#,
            TOKEN,
            BANNER,
        ],
    );
    let call = watch(setup.client().ping());
    clock.advance(0.0).await;
    assert_eq!(seen.length(), 1);
    assert_eq!(
        retries(&setup),
        [("token".into(), 503.0, "server_error".into(), 2000.0)]
    );
    clock.advance(1999.0).await;
    assert_eq!((seen.length(), settled(&call)), (1, false));
    clock.advance(1.0).await;
    // The second token request and the API call, with no further wait.
    assert_eq!((seen.length(), settled(&call)), (3, true));
    ok(promise(&call)).await;
    clock.restore();
}

#[wasm_bindgen_test]
async fn an_attempt_that_never_answers_is_given_up_at_timeout_ms() {
    let clock = fake_clock();
    // A token request: timed out at 300 ms, retried after the backoff its event announces,
    // timed out again: `timeout`, and no API call.
    let setup = Setup::with("clock-token-timeout", r#"{"timeoutMs":300,"maxRetries":1}"#);
    let seen = scripted(&setup, &[DEAF]);
    let call = watch(setup.client().ping());
    clock.advance(299.0).await;
    assert_eq!((seen.length(), settled(&call)), (1, false));
    assert!(retries(&setup).is_empty());
    clock.advance(1.0).await;
    let announced = retries(&setup);
    assert_eq!(announced.len(), 1, "{announced:?}");
    let (target, _, code, delay) = announced[0].clone();
    assert_eq!((target.as_str(), code.as_str()), ("token", "timeout"));
    assert!(delay > 1.0, "a backoff of {delay} ms");
    clock.advance(delay - 1.0).await;
    assert_eq!(seen.length(), 1);
    clock.advance(1.0).await;
    assert_eq!(seen.length(), 2);
    clock.advance(299.0).await;
    assert!(!settled(&call));
    clock.advance(1.0).await;
    assert!(settled(&call));
    let error = rejects(promise(&call), "timeout").await;
    assert_eq!(get(&error, "retryable"), JsValue::TRUE);
    assert_eq!(seen.length(), 2);

    // An API attempt, no retries: `timeout` at 300 ms.
    let setup = Setup::with("clock-api-timeout", r#"{"timeoutMs":300,"maxRetries":0}"#);
    let seen = scripted(&setup, &[TOKEN, DEAF]);
    let call = watch(setup.client().ping());
    clock.advance(299.0).await;
    assert_eq!((seen.length(), settled(&call)), (2, false));
    clock.advance(1.0).await;
    assert!(settled(&call));
    rejects(promise(&call), "timeout").await;
    clock.restore();
}

#[wasm_bindgen_test]
async fn an_abort_settles_the_call_without_the_clock_moving() {
    let clock = fake_clock();
    // The API request never answers.
    let setup = Setup::new("clock-abort-api");
    let seen = scripted(&setup, &[TOKEN, DEAF]);
    let controller = web_sys::AbortController::new().expect("AbortController");
    let call = watch(setup.client().fetch(
        JsValue::from_str("/"),
        Some(with_signal(&controller.signal())),
    ));
    clock.advance(0.0).await;
    assert_eq!((seen.length(), settled(&call)), (2, false));
    controller.abort();
    clock.advance(0.0).await;
    assert!(settled(&call), "the call waited for its attempt");
    let error = rejects(promise(&call), "aborted").await;
    assert_eq!(get(&error, "retryable"), JsValue::FALSE);

    // The token request never answers: the call stops waiting for the renewal.
    let setup = Setup::new("clock-abort-token");
    let seen = scripted(&setup, &[DEAF]);
    let controller = web_sys::AbortController::new().expect("AbortController");
    let call = watch(setup.client().fetch(
        JsValue::from_str("/"),
        Some(with_signal(&controller.signal())),
    ));
    clock.advance(0.0).await;
    assert_eq!((seen.length(), settled(&call)), (1, false));
    controller.abort();
    clock.advance(0.0).await;
    assert!(settled(&call), "the call waited for the renewal");
    rejects(promise(&call), "aborted").await;
    assert_eq!(seen.length(), 1, "no API request");
    clock.restore();
}

#[wasm_bindgen_test]
async fn a_store_that_never_answers_is_given_up_at_timeout_ms() {
    let clock = fake_clock();
    let setup = Setup::with("clock-store", r#"{"timeoutMs":300}"#);
    setup.set("store", &broken_store("hangs"));
    let seen = scripted(&setup, &[TOKEN, BANNER]);
    let client = setup.client();
    let call = watch(client.ping());
    // store.get is waited for 300 ms, then the token request goes out.
    clock.advance(299.0).await;
    assert_eq!(seen.length(), 0);
    clock.advance(1.0).await;
    assert_eq!(seen.length(), 1);
    assert_eq!(setup.event_fields("store_error", "operation"), ["get"]);
    // store.put is waited for 300 ms too, then the API call goes out.
    clock.advance(299.0).await;
    assert_eq!((seen.length(), settled(&call)), (1, false));
    clock.advance(1.0).await;
    assert_eq!((seen.length(), settled(&call)), (2, true));
    ok(promise(&call)).await;
    assert_eq!(
        setup.event_fields("store_error", "operation"),
        ["get", "put"]
    );
    // clear(): store.delete is given up at 300 ms, and clear() reports it (code storage).
    let clearing = watch(client.clear());
    clock.advance(299.0).await;
    assert!(!settled(&clearing));
    clock.advance(1.0).await;
    assert!(settled(&clearing));
    rejects(promise(&clearing), "storage").await;
    clock.restore();
}
