//! Token acquisition against the emulator: the client_credentials and refresh grants, the wire
//! format, the cache, single flight and stores. Runs in Node and in headless Chromium.
#![cfg(target_arch = "wasm32")]

mod support;

use andopen_client::js::store::MemoryStore;
use js_sys::{Array, Function};
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
async fn ping_answers_the_banner_after_one_token_request() {
    let setup = Setup::new("ping");
    let client = setup.client();
    let banner = ok(client.ping()).await;
    assert_eq!(
        banner.as_string().as_deref(),
        Some("& for Makers - The &Open API - v0.1.0 (dd35125:dd351258)")
    );
    let c = counters(&setup.tenant).await;
    assert_eq!(
        (
            num(&c, "tokenRequests.client_credentials"),
            num(&c, "apiRequests")
        ),
        (1.0, 1.0)
    );
    let info = ok(client.token_info()).await;
    assert_eq!(text(&info, "source"), "network");
    assert_eq!(get(&info, "hasRefreshToken"), JsValue::TRUE);
    assert_eq!(get(&info, "scope"), JsValue::NULL);
    let expires_in = num(&info, "expiresAt") - js_sys::Date::now();
    assert!(
        (3_500_000.0..=3_600_000.0).contains(&expires_in),
        "{expires_in}"
    );
    // The default store is a MemoryStore of the client's own (docs/API.md).
    assert_eq!(
        setup.event_types(),
        ["store_miss", "token_request", "token_response"]
    );
}

#[wasm_bindgen_test]
async fn token_and_api_requests_carry_the_contract_headers_and_bodies() {
    let setup = Setup::new("wire");
    let client = setup.client();
    ok(client.ping()).await;
    let log = requests(&setup.tenant, 10).await;
    assert_eq!(log.length(), 2);
    let auth = log.get(0);
    assert_eq!(
        (
            text(&auth, "listener"),
            text(&auth, "method"),
            text(&auth, "path")
        ),
        ("auth".into(), "POST".into(), "/auth/token".into())
    );
    assert_eq!(text(&auth, "headers.x-api-key"), API_KEY);
    assert_eq!(text(&auth, "headers.content-type"), "application/json");
    assert!(
        get(&auth, "headers.x-andopen-tenant").is_undefined(),
        "no tenant header on the auth server"
    );
    assert!(get(&auth, "headers.authorization").is_undefined());
    let body = obj(&text(&auth, "body"));
    assert_eq!(text(&body, "grant_type"), "client_credentials");
    assert_eq!(text(&body, "tenant"), setup.tenant);
    assert_eq!(text(&body, "client_id"), "andopen_client_id_emulator");
    assert_eq!(text(&body, "client_secret"), CLIENT_SECRET);

    let api = log.get(1);
    assert_eq!(
        (
            text(&api, "listener"),
            text(&api, "method"),
            text(&api, "path")
        ),
        ("api".into(), "GET".into(), "/".into())
    );
    let token = ok(client.access_token()).await.as_string().expect("token");
    assert_eq!(
        text(&api, "headers.authorization"),
        format!("Bearer {token}")
    );
    assert_eq!(text(&api, "headers.x-api-key"), API_KEY);
    assert_eq!(text(&api, "headers.x-andopen-tenant"), setup.tenant);
    assert_eq!(text(&api, "headers.x-andopen-client"), setup.tenant);
    assert_eq!(text(&api, "headers.accept"), "application/json");
    assert!(
        get(&api, "headers.content-type").is_undefined(),
        "no content-type without a body"
    );
}

#[wasm_bindgen_test]
async fn a_post_body_and_caller_headers_reach_the_api() {
    let setup = Setup::new("echo");
    let client = setup.client();
    let init = obj(
        r#"{"method":"post","body":"{\"a\":1}","headers":{"x-trace":"t1","accept":"text/plain"}}"#,
    );
    let echo = ok(client.json(JsValue::from_str("/__emulator/echo"), Some(init))).await;
    assert_eq!(text(&echo, "method"), "POST");
    assert_eq!(text(&echo, "body"), r#"{"a":1}"#);
    assert_eq!(text(&echo, "headers.x-trace"), "t1");
    assert_eq!(
        text(&echo, "headers.accept"),
        "text/plain",
        "the caller's Accept wins"
    );
    assert_eq!(text(&echo, "headers.content-type"), "application/json");
    // A full URL under apiUrl works; one on another host is refused before anything is sent.
    let full: web_sys::Response = ok(client.fetch(JsValue::from_str(&format!("{API}/")), None))
        .await
        .into();
    assert_eq!(full.status(), 200);
    rejects(
        client.fetch(JsValue::from_str("https://evil.example/"), None),
        "invalid_config",
    )
    .await;
    assert_eq!(num(&counters(&setup.tenant).await, "apiRequests"), 2.0);
}

#[wasm_bindgen_test]
async fn a_form_body_keeps_its_own_content_type() {
    let setup = Setup::new("form");
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"method".into(), &"POST".into()).expect("set");
    js_sys::Reflect::set(&init, &"body".into(), &form_body()).expect("set");
    let echo = ok(setup
        .client()
        .json(JsValue::from_str("/__emulator/echo"), Some(init.into())))
    .await;
    assert_eq!(text(&echo, "body"), "a=1&b=two");
    assert!(text(&echo, "headers.content-type").starts_with("application/x-www-form-urlencoded"));
}

#[wasm_bindgen_test]
async fn the_token_is_reused_across_calls() {
    let setup = Setup::new("reuse");
    let client = setup.client();
    for _ in 0..5 {
        ok(client.ping()).await;
    }
    let c = counters(&setup.tenant).await;
    assert_eq!(
        (num(&c, "tokenRequests.total"), num(&c, "apiRequests")),
        (1.0, 5.0)
    );
}

#[wasm_bindgen_test]
async fn two_hundred_concurrent_cold_calls_make_one_token_request() {
    let setup = Setup::new("burst");
    configure(&setup.tenant, r#"{"authLatencyMs":100}"#).await;
    let client = setup.client();
    let start = Closure::<dyn FnMut() -> js_sys::Promise>::new(move || client.ping());
    let results: Array = burst(200, start.as_ref().unchecked_ref::<Function>())
        .await
        .into();
    let fulfilled = results
        .iter()
        .filter(|r| text(r, "status") == "fulfilled")
        .count();
    assert_eq!(fulfilled, 200);
    let c = counters(&setup.tenant).await;
    assert_eq!(
        (num(&c, "tokenRequests.total"), num(&c, "apiRequests")),
        (1.0, 200.0)
    );
}

/// `clear()` while a renewal is in flight: the caller waiting for it still gets its token, but the
/// client keeps nothing of it (no token in memory, nothing in the store), so the next call makes
/// a new token request.
#[wasm_bindgen_test]
async fn clear_during_a_renewal_answers_its_waiter_and_keeps_nothing() {
    let setup = Setup::new("clear-mid-renewal");
    configure(&setup.tenant, r#"{"authLatencyMs":300}"#).await;
    let store = JsValue::from(MemoryStore::new());
    setup.set("store", &store);
    let client = setup.client();
    let waiting = client.access_token();
    sleep_ms(100).await;
    ok(client.clear()).await;
    let token = ok(waiting).await.as_string().expect("the waiter's token");
    assert!(!token.is_empty());
    assert_eq!(ok(client.token_info()).await, JsValue::NULL);
    assert_eq!(
        stored_value(&store, &setup.store_key()).await,
        JsValue::NULL
    );
    assert_eq!(token_requests(&setup.tenant).await, 1.0);
    ok(client.ping()).await;
    assert_eq!(token_requests(&setup.tenant).await, 2.0);
}

#[wasm_bindgen_test]
async fn a_failed_token_request_rejects_every_waiter_alike_and_does_not_poison_the_next_call() {
    let setup = Setup::with("poison", r#"{"maxRetries":0}"#);
    fault(&setup.tenant, r#"{"target":"token","status":401,"body":{"error":"invalid_client","error_description":"bad"}}"#).await;
    let client = setup.client();
    let failing = client.ping();
    let start = Closure::<dyn FnMut() -> js_sys::Promise>::new(move || client.ping());
    let results: Array = burst(20, start.as_ref().unchecked_ref::<Function>())
        .await
        .into();
    rejects(failing, "invalid_client").await;
    for r in results.iter() {
        assert_eq!(text(&r, "reason.code"), "invalid_client");
        assert_eq!(text(&r, "reason.oauthError"), "invalid_client");
        assert_eq!(num(&r, "reason.status"), 401.0);
    }
    assert_eq!(token_requests(&setup.tenant).await, 1.0);
    let client = setup.client();
    ok(client.ping()).await;
    assert_eq!(token_requests(&setup.tenant).await, 2.0);
}

#[wasm_bindgen_test]
async fn inside_the_leeway_the_refresh_grant_renews_the_token() {
    let setup = Setup::with("leeway", r#"{"refreshLeewaySeconds":2}"#);
    configure(&setup.tenant, r#"{"tokenLifetimeSeconds":3}"#).await;
    let client = setup.client();
    let first = ok(client.access_token()).await;
    sleep_ms(1100).await; // now inside the 2 s leeway of a 3 s token
    ok(client.ping()).await;
    let second = ok(client.access_token()).await;
    assert_ne!(first, second);
    let c = counters(&setup.tenant).await;
    assert_eq!(
        (
            num(&c, "tokenRequests.client_credentials"),
            num(&c, "tokenRequests.refresh_token")
        ),
        (1.0, 1.0)
    );
}

#[wasm_bindgen_test]
async fn inside_the_leeway_only_the_call_that_renews_waits() {
    let setup = Setup::with("no-stall", r#"{"refreshLeewaySeconds":2}"#);
    configure(&setup.tenant, r#"{"tokenLifetimeSeconds":3}"#).await;
    let gate = gated_fetch();
    setup.set("fetch", &get(&gate, "fetch"));
    let client = setup.client();
    ok(client.ping()).await;
    // 1.1 s later by the client's clock: inside the 2 s leeway of a 3 s token, still valid.
    shift_clock(1100.0);
    call(&gate, "close");
    let renewing = watch(client.ping()); // starts the renewal, whose token request is held
    let others = Array::new();
    for _ in 0..5 {
        others.push(&client.ping()); // the still-valid token, without waiting for the renewal
    }
    // Only a watchdog: calls stuck behind the held renewal would never settle.
    let others = within(js_sys::Promise::all(&others), 10_000).await;
    let held = num(&gate, "held");
    let waited = !settled(&renewing);
    call(&gate, "open");
    shift_clock(0.0);
    let others = others.expect("the other calls waited for the renewal");
    others.unwrap_or_else(|e| panic!("another call failed: {:?}", error_fields(&e)));
    assert_eq!(held, 1.0, "the renewal's token request");
    assert!(waited, "the renewing call did not wait for its renewal");
    ok(promise(&renewing)).await;
    let c = counters(&setup.tenant).await;
    assert_eq!(
        (
            num(&c, "tokenRequests.client_credentials"),
            num(&c, "tokenRequests.refresh_token"),
            num(&c, "apiRequests")
        ),
        (1.0, 1.0, 7.0)
    );
}

#[wasm_bindgen_test]
async fn after_expiry_the_refresh_grant_is_used_and_rotation_is_followed() {
    let setup = Setup::with("expiry", r#"{"refreshLeewaySeconds":0}"#);
    configure(
        &setup.tenant,
        r#"{"tokenLifetimeSeconds":1,"rotateRefreshTokens":true}"#,
    )
    .await;
    let client = setup.client();
    ok(client.ping()).await;
    for _ in 0..2 {
        sleep_ms(1100).await;
        ok(client.ping()).await;
    }
    let c = counters(&setup.tenant).await;
    // Each rotated refresh token was used once; a reuse would have been refused (invalid_grant).
    assert_eq!(
        (
            num(&c, "tokenRequests.client_credentials"),
            num(&c, "tokenRequests.refresh_token")
        ),
        (1.0, 2.0)
    );
    let log = requests(&setup.tenant, 10).await;
    let refresh = log
        .iter()
        .filter(|r| text(r, "listener") == "auth")
        .nth(1)
        .expect("a refresh request");
    let body = obj(&text(&refresh, "body"));
    assert_eq!(text(&body, "grant_type"), "refresh_token");
    assert_eq!(text(&body, "tenant"), setup.tenant);
    assert!(get(&body, "client_secret").is_undefined() && get(&body, "client_id").is_undefined());
}

#[wasm_bindgen_test]
async fn a_refresh_token_only_client_works_until_its_token_is_refused() {
    let setup = Setup::new("rt-only");
    let saved = admin(
        "refresh-token",
        &format!(r#"{{"tenant":"{}"}}"#, setup.tenant),
    )
    .await;
    let options = obj(&format!(
        r#"{{"apiKey":"{API_KEY}","tenant":"{}","refreshToken":"{}","authUrl":"{AUTH}","apiUrl":"{API}"}}"#,
        setup.tenant,
        text(&saved, "refresh_token")
    ));
    let client = andopen_client::js::client::AndOpenClient::new(options).expect("valid options");
    ok(client.ping()).await;
    let c = counters(&setup.tenant).await;
    assert_eq!(
        (
            num(&c, "tokenRequests.client_credentials"),
            num(&c, "tokenRequests.refresh_token")
        ),
        (0.0, 1.0)
    );
    admin(
        "revoke",
        &format!(r#"{{"tenant":"{}","refreshTokens":true}}"#, setup.tenant),
    )
    .await;
    let error = rejects(client.refresh(), "invalid_grant").await;
    assert_eq!(num(&error, "status"), 400.0);
    // Nothing left to try: no secret to fall back on, and no loop of requests.
    rejects(client.refresh(), "invalid_grant").await;
    assert_eq!(token_requests(&setup.tenant).await, 2.0);
}

#[wasm_bindgen_test]
async fn a_shared_store_serves_a_second_client_without_a_token_request() {
    let setup = Setup::new("store");
    let store = JsValue::from(MemoryStore::new());
    setup.set("store", &store);
    ok(setup.client().ping()).await;
    let second = setup.client();
    ok(second.ping()).await;
    assert_eq!(token_requests(&setup.tenant).await, 1.0);
    assert_eq!(text(&ok(second.token_info()).await, "source"), "store");
    assert_eq!(setup.count_events("store_miss"), 1);
    assert_eq!(setup.count_events("store_hit"), 1);
    // clear() forgets the token in memory and in the store: the next call needs a new one.
    ok(second.clear()).await;
    assert!(ok(second.token_info()).await.is_null());
    ok(setup.client().ping()).await;
    let c = counters(&setup.tenant).await;
    assert_eq!(num(&c, "tokenRequests.client_credentials"), 2.0);
}

#[wasm_bindgen_test]
async fn a_custom_store_key_is_used_and_the_default_differs_by_tenant() {
    let store = JsValue::from(MemoryStore::new());
    let custom = Setup::with("store-key", r#"{"storeKey":"my-app:andopen"}"#);
    custom.set("store", &store);
    ok(custom.client().ping()).await;
    let keys: Vec<String> = custom.event_fields("store_miss", "key");
    assert_eq!(keys, ["my-app:andopen"]);
    // Two tenants sharing one store never share a token: their default keys differ.
    let a = Setup::new("key-a");
    let b = Setup::new("key-b");
    a.set("store", &store);
    b.set("store", &store);
    ok(a.client().ping()).await;
    ok(b.client().ping()).await;
    assert_eq!(
        (
            token_requests(&a.tenant).await,
            token_requests(&b.tenant).await
        ),
        (1.0, 1.0)
    );
    assert_ne!(a.store_key(), b.store_key());
}

#[wasm_bindgen_test]
async fn stored_values_hold_tokens_and_expiry_but_no_credentials() {
    let setup = Setup::new("stored");
    let store = MemoryStore::new();
    let store = JsValue::from(store);
    setup.set("store", &store);
    let client = setup.client();
    ok(client.ping()).await;
    let value = stored_value(&store, &setup.store_key()).await;
    let value = value.as_string().expect("a stored string");
    let stored = obj(&value);
    let token = ok(client.access_token()).await.as_string().expect("token");
    assert_eq!(text(&stored, "accessToken"), token);
    assert!(num(&stored, "expiresAt") > js_sys::Date::now());
    assert!(!value.contains(CLIENT_SECRET) && !value.contains(API_KEY));
}
