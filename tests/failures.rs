//! Failures against the emulator that have no other home. Where a behaviour lives:
//! - the fault flows (retry or not, which delay, re-authentication, fallbacks): natively in
//!   src/core (fake clock);
//! - each fault end to end in Node and workerd, with exact request counts, codes and retry
//!   events: the fault matrix (tests/matrix/rows.mjs);
//! - the driver's own timers (retry waits, deadlines, aborts, store bounds): tests/clock.rs;
//! - here: a 404's two faces (json() rejects, fetch() resolves), connections dropped under
//!   headless Chromium's fetch (which may resend a reset request itself; the matrix runs Node and
//!   workerd only), and an injected fetch failing as no server can (throwing, answering something
//!   that is not a Response).
#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
async fn a_404_rejects_json_with_not_found_and_is_not_retried() {
    let setup = Setup::new("404");
    let client = setup.client();
    let error = rejects(client.json(JsValue::from_str("/nope"), None), "not_found").await;
    assert_eq!(text(&error, "oauthError"), "not_found");
    let response: web_sys::Response = ok(client.fetch(JsValue::from_str("/nope"), None))
        .await
        .into();
    assert_eq!(response.status(), 404);
    assert_eq!(num(&counters(&setup.tenant).await, "apiRequests"), 2.0);
}

#[wasm_bindgen_test]
async fn connections_dropped_before_or_after_the_headers_are_recovered() {
    for drop in ["before_headers", "after_headers"] {
        let setup = Setup::new("dropped");
        fault(
            &setup.tenant,
            &format!(r#"{{"target":"token","drop":"{drop}"}}"#),
        )
        .await;
        fault(
            &setup.tenant,
            &format!(r#"{{"target":"api","drop":"{drop}"}}"#),
        )
        .await;
        ok(setup.client().ping()).await;
        // Chromium itself may resend a request whose connection was reset, so the client sees
        // one failure or none; either way exactly one more request reaches each server.
        let c = counters(&setup.tenant).await;
        assert_eq!(
            (num(&c, "tokenRequests.total"), num(&c, "apiRequests")),
            (2.0, 2.0),
            "{drop}"
        );
        assert!(setup.count_events("retry") <= 2, "{drop}");
    }
}

#[wasm_bindgen_test]
async fn an_injected_fetch_is_used_and_its_failures_are_typed() {
    let setup = Setup::with("injected", r#"{"maxRetries":0}"#);
    let scripted = scripted_fetch(obj(
        r#"[{"status":200,"body":"<html>proxy login</html>","headers":{"content-type":"text/html"}}]"#,
    ));
    setup.set("fetch", &get(&scripted, "fetch"));
    rejects(setup.client().ping(), "invalid_response").await;
    let seen: js_sys::Array = get(&scripted, "seen").into();
    assert_eq!(seen.length(), 1);
    assert_eq!(
        token_requests(&setup.tenant).await,
        0.0,
        "the emulator was not called"
    );

    let scripted = scripted_fetch(obj(r#"["network"]"#));
    setup.set("fetch", &get(&scripted, "fetch"));
    rejects(setup.client().ping(), "network").await;

    let scripted = scripted_fetch(obj(r#"["undefined"]"#));
    setup.set("fetch", &get(&scripted, "fetch"));
    rejects(setup.client().ping(), "invalid_response").await;

    // A fetch that never settles and ignores its AbortSignal: tests/clock.rs
    // (an_attempt_that_never_answers_is_given_up_at_timeout_ms).
}
