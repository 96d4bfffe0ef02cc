//! Failures against the emulator's fault injection: 401s, 429/5xx with Retry-After, timeouts,
//! aborts, network errors, hostile token bodies and broken stores. Every call must settle with
//! the documented outcome and the exact number of requests.
#![cfg(target_arch = "wasm32")]

mod support;

use js_sys::Date;
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
async fn a_revoked_token_is_renewed_once_and_the_call_replayed() {
    let setup = Setup::new("revoked");
    let client = setup.client();
    ok(client.ping()).await;
    admin("revoke", &format!(r#"{{"tenant":"{}"}}"#, setup.tenant)).await;
    ok(client.ping()).await;
    let c = counters(&setup.tenant).await;
    assert_eq!(num(&c, "unauthorized"), 1.0);
    assert_eq!(num(&c, "apiRequests"), 3.0);
    assert_eq!(
        (
            num(&c, "tokenRequests.client_credentials"),
            num(&c, "tokenRequests.refresh_token")
        ),
        (1.0, 1.0)
    );
    assert_eq!(setup.count_events("unauthorized_retry"), 1);
}

#[wasm_bindgen_test]
async fn a_revoked_token_still_in_the_store_is_not_used_again() {
    let setup = Setup::new("revoked-stored");
    setup.set("store", &JsValue::from(MemoryStore::new()));
    let client = setup.client();
    ok(client.ping()).await;
    admin("revoke", &format!(r#"{{"tenant":"{}"}}"#, setup.tenant)).await;
    ok(client.ping()).await;
    ok(client.ping()).await;
    let c = counters(&setup.tenant).await;
    assert_eq!(
        (num(&c, "unauthorized"), num(&c, "tokenRequests.total")),
        (1.0, 2.0)
    );
    assert_eq!(setup.count_events("store_hit"), 0);
}

#[wasm_bindgen_test]
async fn a_persistent_401_becomes_unauthorized_without_a_loop() {
    let setup = Setup::new("401");
    fault(&setup.tenant, r#"{"target":"api","status":401,"count":5}"#).await;
    let client = setup.client();
    let error = rejects(client.ping(), "unauthorized").await;
    assert_eq!(num(&error, "status"), 401.0);
    assert_eq!(get(&error, "retryable"), JsValue::FALSE);
    let c = counters(&setup.tenant).await;
    assert_eq!(
        (num(&c, "apiRequests"), num(&c, "tokenRequests.total")),
        (2.0, 2.0)
    );
}

#[wasm_bindgen_test]
async fn a_429_is_retried_after_retry_after_seconds() {
    let setup = Setup::new("429");
    fault(
        &setup.tenant,
        r#"{"target":"api","status":429,"retryAfter":"1"}"#,
    )
    .await;
    let client = setup.client();
    ok(client.access_token()).await;
    let started = Date::now();
    ok(client.ping()).await;
    assert!(
        Date::now() - started >= 950.0,
        "waited {} ms",
        Date::now() - started
    );
    let retry = setup
        .events
        .iter()
        .find(|e| text(e, "type") == "retry")
        .expect("a retry event");
    assert_eq!(
        (
            num(&retry, "delayMs"),
            num(&retry, "status"),
            text(&retry, "target")
        ),
        (1000.0, 429.0, "api".into())
    );
    assert_eq!(num(&counters(&setup.tenant).await, "apiRequests"), 2.0);
}

#[wasm_bindgen_test]
async fn a_429_with_an_http_date_is_honoured() {
    let setup = Setup::new("429-date");
    let date = js_sys::Date::new(&JsValue::from_f64(Date::now() + 2000.0)).to_utc_string();
    fault(
        &setup.tenant,
        &format!(
            r#"{{"target":"api","status":429,"retryAfter":"{}"}}"#,
            String::from(date)
        ),
    )
    .await;
    let client = setup.client();
    ok(client.ping()).await;
    let retry = setup
        .events
        .iter()
        .find(|e| text(e, "type") == "retry")
        .expect("a retry event");
    let delay = num(&retry, "delayMs");
    assert!((1000.0..=3000.0).contains(&delay), "{delay}");
}

#[wasm_bindgen_test]
async fn a_503_until_retries_run_out_is_a_server_error_and_fetch_resolves_with_it() {
    let setup = Setup::with("503", r#"{"maxRetries":2}"#);
    fault(&setup.tenant, r#"{"target":"api","status":503,"count":6}"#).await;
    let client = setup.client();
    let error = rejects(client.json(JsValue::from_str("/"), None), "server_error").await;
    assert_eq!(
        (num(&error, "status"), get(&error, "retryable")),
        (503.0, JsValue::TRUE)
    );
    assert_eq!(num(&counters(&setup.tenant).await, "apiRequests"), 3.0);
    let response: web_sys::Response = ok(client.fetch(JsValue::from_str("/"), None)).await.into();
    assert_eq!(response.status(), 503);
    assert_eq!(num(&counters(&setup.tenant).await, "apiRequests"), 6.0);
    assert_eq!(setup.count_events("retry"), 4);
}

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
async fn token_request_5xx_are_retried() {
    let setup = Setup::new("token-retry");
    fault(&setup.tenant, r#"{"target":"token","status":502}"#).await;
    fault(&setup.tenant, r#"{"target":"token","status":503}"#).await;
    let client = setup.client();
    ok(client.ping()).await;
    assert_eq!(token_requests(&setup.tenant).await, 3.0);
    let retries: Vec<String> = setup.event_fields("retry", "target");
    assert_eq!(retries, ["token", "token"]);
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
async fn an_api_call_times_out() {
    let setup = Setup::with("timeout", r#"{"timeoutMs":300,"maxRetries":0}"#);
    let client = setup.client();
    ok(client.access_token()).await;
    fault(&setup.tenant, r#"{"target":"api","latencyMs":1500}"#).await;
    let error = rejects(client.ping(), "timeout").await;
    assert_eq!(get(&error, "retryable"), JsValue::TRUE);
}

#[wasm_bindgen_test]
async fn a_token_request_times_out_after_its_retries() {
    let setup = Setup::with("token-timeout", r#"{"timeoutMs":300,"maxRetries":1}"#);
    fault(
        &setup.tenant,
        r#"{"target":"token","latencyMs":1500,"count":2}"#,
    )
    .await;
    rejects(setup.client().ping(), "timeout").await;
    assert_eq!(token_requests(&setup.tenant).await, 2.0);
    assert_eq!(num(&counters(&setup.tenant).await, "apiRequests"), 0.0);
}

#[wasm_bindgen_test]
async fn a_post_is_not_replayed_after_a_timeout_but_a_get_is() {
    let setup = Setup::with("post-timeout", r#"{"timeoutMs":300,"maxRetries":2}"#);
    let client = setup.client();
    ok(client.access_token()).await;
    fault(&setup.tenant, r#"{"target":"api","latencyMs":1000}"#).await;
    let init = obj(r#"{"method":"POST","body":"{}"}"#);
    rejects(
        client.fetch(JsValue::from_str("/__emulator/echo"), Some(init)),
        "timeout",
    )
    .await;
    assert_eq!(num(&counters(&setup.tenant).await, "apiRequests"), 1.0);
    fault(&setup.tenant, r#"{"target":"api","latencyMs":1000}"#).await;
    ok(client.ping()).await;
    assert_eq!(num(&counters(&setup.tenant).await, "apiRequests"), 3.0);
}

#[wasm_bindgen_test]
async fn an_abort_signal_aborts_before_and_during_the_call() {
    let setup = Setup::new("abort");
    let client = setup.client();
    ok(client.access_token()).await;
    let controller = web_sys::AbortController::new().expect("AbortController");
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"signal".into(), &controller.signal()).expect("set");
    fault(&setup.tenant, r#"{"target":"api","latencyMs":2000}"#).await;
    let pending = client.fetch(JsValue::from_str("/"), Some(init.clone().into()));
    sleep_ms(100).await;
    controller.abort();
    let started = Date::now();
    let error = rejects(pending, "aborted").await;
    assert!(Date::now() - started < 500.0, "the abort was not prompt");
    assert_eq!(get(&error, "retryable"), JsValue::FALSE);
    // Already aborted: nothing is sent.
    let before = num(&counters(&setup.tenant).await, "apiRequests");
    rejects(
        client.fetch(JsValue::from_str("/"), Some(init.into())),
        "aborted",
    )
    .await;
    assert_eq!(num(&counters(&setup.tenant).await, "apiRequests"), before);
}

#[wasm_bindgen_test]
async fn a_network_failure_is_retried_then_reported() {
    let setup = Setup::with("network", r#"{"maxRetries":1}"#);
    setup.set("apiUrl", &JsValue::from_str("http://127.0.0.1:9"));
    let client = setup.client();
    let error = rejects(client.ping(), "network").await;
    assert_eq!(get(&error, "retryable"), JsValue::TRUE);
    assert_eq!(setup.count_events("retry"), 1);
}

#[wasm_bindgen_test]
async fn hostile_token_bodies_are_invalid_response_and_do_not_poison_the_client() {
    for spec in [
        r#"{"target":"token","body":"html"}"#,
        r#"{"target":"token","body":"empty"}"#,
        r#"{"target":"token","body":"truncated"}"#,
        r#"{"target":"token","body":"malformed"}"#,
        r#"{"target":"token","body":{"unexpected":"shape"}}"#,
        r#"{"target":"token","tokenResponse":{"expires_in":"abc"}}"#,
        r#"{"target":"token","tokenResponse":{"expires_in":0}}"#,
        r#"{"target":"token","tokenResponse":{"expires_in":-5}}"#,
        r#"{"target":"token","tokenResponse":{"token_type":"mac"}}"#,
        r#"{"target":"token","tokenResponse":{"access_token":"has space"}}"#,
    ] {
        let setup = Setup::new("hostile");
        fault(&setup.tenant, spec).await;
        let client = setup.client();
        let error = rejects(client.ping(), "invalid_response").await;
        assert_eq!(get(&error, "retryable"), JsValue::FALSE, "{spec}");
        assert_eq!(
            token_requests(&setup.tenant).await,
            1.0,
            "{spec}: not retried"
        );
        ok(client.ping()).await;
        assert_eq!(token_requests(&setup.tenant).await, 2.0, "{spec}");
    }
}

#[wasm_bindgen_test]
async fn lenient_token_fields_are_accepted() {
    for spec in [
        r#"{"target":"token","tokenResponse":{"token_type":"Bearer","expires_in":"120"}}"#,
        r#"{"target":"token","tokenResponse":{"expires_in":59.5,"scope":"read"}}"#,
        r#"{"target":"token","tokenResponse":{"expires_in":1e12}}"#,
    ] {
        let setup = Setup::new("lenient");
        fault(&setup.tenant, spec).await;
        ok(setup.client().ping()).await;
    }
}

#[wasm_bindgen_test]
async fn a_broken_store_never_fails_the_call() {
    for kind in ["throws", "rejects", "garbage", "hangs"] {
        let setup = Setup::with("store-broken", r#"{"timeoutMs":300}"#);
        let store = broken_store(kind);
        setup.set("store", &store);
        let client = setup.client();
        ok(client.ping()).await;
        ok(client.ping()).await;
        assert_eq!(token_requests(&setup.tenant).await, 1.0, "{kind}");
        let errors: Vec<String> = setup.event_fields("store_error", "operation");
        let expected: &[&str] = if kind == "garbage" {
            &["get"]
        } else {
            &["get", "put"]
        };
        assert_eq!(errors, expected, "{kind}");
        // clear() is the one call that reports a failing store (code storage).
        if kind != "garbage" {
            rejects(client.clear(), "storage").await;
        }
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

    // A fetch that never settles and ignores its AbortSignal still times out.
    let scripted = scripted_fetch(obj(r#"["deaf"]"#));
    setup.set("fetch", &get(&scripted, "fetch"));
    setup.set("timeoutMs", &JsValue::from(200));
    let started = js_sys::Date::now();
    rejects(setup.client().ping(), "timeout").await;
    assert!(js_sys::Date::now() - started < 1000.0);
}
