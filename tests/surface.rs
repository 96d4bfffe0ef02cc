//! The public surface: option checks, the browser guard, the error class, and a scan of every
//! message, stack, event, token info and stored value for secrets.
#![cfg(target_arch = "wasm32")]

mod support;

use andopen_client::js::client::AndOpenClient;
use andopen_client::js::error::error_class;
use andopen_client::js::store::MemoryStore;
use js_sys::{Array, Function, Reflect};
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

fn construct(options: &JsValue) -> Result<AndOpenClient, JsValue> {
    AndOpenClient::new(options.clone())
}

#[wasm_bindgen_test]
fn bad_options_throw_invalid_config_synchronously() {
    let base = format!(
        r#""apiKey":"k-1","tenant":"t","clientId":"c","clientSecret":"s-1","dangerouslyAllowBrowser":true,"authUrl":"{AUTH}","apiUrl":"{API}""#
    );
    let bad = [
        r#"{"tenant":"t","clientId":"c","clientSecret":"s","dangerouslyAllowBrowser":true}"#
            .to_owned(),
        format!(r#"{{{base},"environment":"dev"}}"#),
        format!(r#"{{{base},"timeoutMs":-1}}"#),
        format!(r#"{{{base},"timeoutMs":"10"}}"#),
        format!(r#"{{{base},"maxRetries":2.5}}"#),
        format!(r#"{{{base},"refreshLeewaySeconds":-3}}"#),
        format!(r#"{{{base},"authUrl":"http://auth.example.com"}}"#),
        format!(r#"{{{base},"apiUrl":"not a url"}}"#),
        format!(r#"{{{base},"store":{{"get":1}}}}"#),
        format!(r#"{{{base},"fetch":"no"}}"#),
        format!(r#"{{{base},"clientSecrt":"typo"}}"#),
        format!(r#"{{{base},"tenant":""}}"#),
        format!(r#"{{{base},"tenant":"a\nb"}}"#),
        r#"{"apiKey":"k","tenant":"t","clientId":"c","dangerouslyAllowBrowser":"yes"}"#.to_owned(),
        r#"{"apiKey":"k","tenant":"t","clientId":"c"}"#.to_owned(),
    ];
    for options in bad {
        let error = construct(&obj(&options))
            .err()
            .unwrap_or_else(|| panic!("accepted {options}"));
        let fields = error_fields(&error);
        assert_eq!(text(&fields, "code"), "invalid_config", "{options}");
        assert_eq!(get(&fields, "isError"), JsValue::TRUE);
        assert!(!text(&fields, "message").contains("s-1"));
    }
    for options in [JsValue::from_str("nope"), JsValue::UNDEFINED] {
        let error = construct(&options)
            .err()
            .unwrap_or_else(|| panic!("accepted {options:?}"));
        assert_eq!(text(&error_fields(&error), "code"), "invalid_config");
    }
}

#[wasm_bindgen_test]
fn the_browser_guard_refuses_a_client_secret_in_a_page() {
    let options = obj(&format!(
        r#"{{"apiKey":"k","tenant":"t","clientId":"c","clientSecret":"s","authUrl":"{AUTH}"}}"#
    ));
    let result = construct(&options);
    if is_browser_window() {
        let error = result.err().expect("browser_secret");
        assert_eq!(text(&error_fields(&error), "code"), "browser_secret");
        Reflect::set(&options, &"dangerouslyAllowBrowser".into(), &JsValue::TRUE).expect("set");
        assert!(construct(&options).is_ok());
    } else {
        assert!(result.is_ok(), "Node and Workers are not browser windows");
    }
    // A refresh-token-only client holds no client secret: no guard.
    let options = obj(&format!(
        r#"{{"apiKey":"k","tenant":"t","refreshToken":"r","authUrl":"{AUTH}"}}"#
    ));
    assert!(construct(&options).is_ok());
}

#[wasm_bindgen_test]
async fn errors_are_instances_of_the_exported_class() {
    let setup = Setup::with("class", r#"{"maxRetries":0}"#);
    fault(
        &setup.tenant,
        r#"{"target":"token","status":429,"retryAfter":"7"}"#,
    )
    .await;
    let error = rejects(setup.client().ping(), "rate_limited").await;
    let class: Function = error_class().into();
    assert!(error.is_instance_of::<js_sys::Error>());
    assert!(Reflect::get(&class, &"prototype".into()).is_ok_and(|p| p.is_object()));
    assert!(is_instance(&error, &class));
    assert_eq!(
        (num(&error, "status"), num(&error, "retryAfterSeconds")),
        (429.0, 7.0)
    );
    assert_eq!(get(&error, "retryable"), JsValue::TRUE);
}

#[wasm_bindgen_test]
async fn kv_store_clamps_ttls_to_kv_minimum() {
    let puts = Array::new();
    let recorder = puts.clone();
    let namespace = js_sys::Object::new();
    let put =
        Closure::<dyn FnMut(JsValue, JsValue, JsValue) -> js_sys::Promise>::new(move |k, _v, o| {
            recorder.push(&Array::of2(&k, &o));
            js_sys::Promise::resolve(&JsValue::UNDEFINED)
        });
    let get_fn = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(|_| {
        js_sys::Promise::resolve(&JsValue::NULL)
    });
    Reflect::set(&namespace, &"put".into(), put.as_ref()).expect("set");
    Reflect::set(&namespace, &"get".into(), get_fn.as_ref()).expect("set");
    Reflect::set(&namespace, &"delete".into(), get_fn.as_ref()).expect("set");
    let kv = KvStore::new(namespace.into(), None).expect("a KV-like object");
    JsFuture::from(kv.put("k", "v", Some(obj(r#"{"expirationTtl":5}"#))))
        .await
        .expect("put");
    JsFuture::from(kv.put("k", "v", Some(obj(r#"{"expirationTtl":3600.2}"#))))
        .await
        .expect("put");
    let ttls: Vec<f64> = puts
        .iter()
        .map(|p| num(&Array::from(&p).get(1), "expirationTtl"))
        .collect();
    assert_eq!(ttls, [60.0, 3601.0]);
    let error = KvStore::new(JsValue::from_str("not a namespace"), None)
        .err()
        .expect("a string is not a KV namespace");
    assert_eq!(text(&error_fields(&error), "code"), "invalid_config");
}

/// Drives success and failure paths with secrets echoed back by the server, and searches
/// everything a user or a store can see for the client secret, the API key and the tokens.
#[wasm_bindgen_test]
async fn no_secret_or_token_appears_in_errors_events_token_info_or_store() {
    let setup = Setup::with("secrets", r#"{"maxRetries":1}"#);
    let store = JsValue::from(MemoryStore::new());
    setup.set("store", &store);
    let client = setup.client();
    let token = ok(client.access_token()).await.as_string().expect("token");
    let seen = Array::new();
    seen.push(&ok(client.token_info()).await);

    // The server echoes the secret and the API key in its error description.
    let echo = format!(
        r#"{{"target":"token","status":400,"count":2,"body":{{"error":"invalid_client","error_description":"secret {CLIENT_SECRET} / key {API_KEY} / token {token}"}}}}"#
    );
    fault(&setup.tenant, &echo).await;
    let error = rejects(client.refresh(), "invalid_client").await;
    assert!(text(&error, "description").contains("[redacted]"));
    seen.push(&error_fields(&error));
    seen.push(&get(&error, "stack"));

    for (spec, code) in [
        (r#"{"target":"api","status":401,"count":2}"#, "unauthorized"),
        (r#"{"target":"api","status":503,"count":2}"#, "server_error"),
        (r#"{"target":"api","body":"html"}"#, "invalid_response"),
    ] {
        fault(&setup.tenant, spec).await;
        let e = rejects(client.json(JsValue::from_str("/"), None), code).await;
        seen.push(&error_fields(&e));
        seen.push(&get(&e, "stack"));
    }
    let bad = construct(&obj(&format!(
        r#"{{"apiKey":"{API_KEY}","tenant":"t","clientSecret":"{CLIENT_SECRET}","dangerouslyAllowBrowser":true}}"#
    )));
    seen.push(&error_fields(&bad.err().expect("invalid config")));
    seen.push(&setup.events);
    seen.push(&ok(client.token_info()).await);

    let tokens_now = ok(client.access_token()).await.as_string().expect("token");
    let secrets = Array::of4(
        &CLIENT_SECRET.into(),
        &API_KEY.into(),
        &token.clone().into(),
        &tokens_now.into(),
    );
    let found = leaks(&seen, secrets.into());
    assert_eq!(found.length(), 0, "leaked: {found:?}");
    assert!(setup.events.length() >= 6, "the scan saw the events");

    // The store holds tokens (that is its job) but never the client secret or the API key.
    let stored = stored_value(&store, &setup.store_key()).await;
    let found = leaks(
        &stored,
        Array::of2(&CLIENT_SECRET.into(), &API_KEY.into()).into(),
    );
    assert_eq!(found.length(), 0, "store leaked: {found:?}");
}
