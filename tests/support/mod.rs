//! Shared by the wasm test files: the emulator's URLs and JS helpers (support/emulator.js).
#![allow(dead_code)]

use andopen_client::js::client::AndOpenClient;
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The emulator the test command starts (scripts/test.sh), fixed at compile time because a
/// browser test has no environment to read.
pub const AUTH: &str = match option_env!("ANDOPEN_TEST_AUTH_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:4411",
};
pub const API: &str = match option_env!("ANDOPEN_TEST_API_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:4412",
};

// The package's stores are JS classes (src/js/stores.js). The library declares MemoryStore's
// constructor (its default store), and one import may be declared once per binary, so the tests
// use that one (`andopen_client::js::store::MemoryStore`); KvStore's, the library does not use.

#[wasm_bindgen(module = "/src/js/stores.js")]
extern "C" {
    pub type KvStore;
    #[wasm_bindgen(constructor, catch)]
    pub fn new(namespace: JsValue, options: Option<js_sys::Object>) -> Result<KvStore, JsValue>;
    #[wasm_bindgen(method)]
    pub fn put(this: &KvStore, key: &str, value: &str, options: Option<JsValue>) -> Promise;
}

#[wasm_bindgen(module = "/tests/support/emulator.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = admin)]
    async fn admin_js(auth: &str, route: &str, body: JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = counters)]
    async fn counters_js(auth: &str, tenant: &str) -> JsValue;
    #[wasm_bindgen(js_name = requests)]
    async fn requests_js(auth: &str, tenant: &str, limit: u32) -> JsValue;
    #[wasm_bindgen(js_name = options)]
    fn options_js(auth: &str, api: &str, tenant: &str, extra: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = uniqueTenant)]
    pub fn unique_tenant(name: &str) -> String;
    pub async fn burst(n: u32, start: &js_sys::Function) -> JsValue;
    #[wasm_bindgen(js_name = brokenStore)]
    pub fn broken_store(kind: &str) -> JsValue;
    #[wasm_bindgen(js_name = scriptedFetch)]
    pub fn scripted_fetch(script: JsValue) -> JsValue;
    pub fn leaks(haystacks: &JsValue, secrets: JsValue) -> js_sys::Array;
    #[wasm_bindgen(js_name = errorFields)]
    pub fn error_fields(error: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = formBody)]
    pub fn form_body() -> JsValue;
    #[wasm_bindgen(js_name = isInstance)]
    pub fn is_instance(value: &JsValue, constructor: &JsValue) -> bool;
    #[wasm_bindgen(js_name = isBrowserWindow)]
    pub fn is_browser_window() -> bool;

    /// The client's timers and `Date.now` on a fake clock (tests/clock.rs).
    pub type FakeClock;
    #[wasm_bindgen(js_name = fakeClock)]
    pub fn fake_clock() -> FakeClock;
    /// Moves the clock `ms` on, firing every timer that falls due and letting promises run.
    #[wasm_bindgen(method)]
    pub async fn advance(this: &FakeClock, ms: f64);
    #[wasm_bindgen(method)]
    pub fn restore(this: &FakeClock);
    /// `Date.now` shifted by `ms`; 0 restores it.
    #[wasm_bindgen(js_name = shiftClock)]
    pub fn shift_clock(ms: f64);
    /// A fetch that can hold the token requests: `{ fetch, close(), open(), held }`.
    #[wasm_bindgen(js_name = gatedFetch)]
    pub fn gated_fetch() -> JsValue;
    /// `{ settled, promise }`: whether `promise` has settled yet.
    pub fn watch(promise: Promise) -> JsValue;
}

pub const API_KEY: &str = "emu-api-key";
pub const CLIENT_SECRET: &str = "emu-client-secret";

/// Parses a JS object literal written as JSON.
pub fn obj(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test JSON")
}

/// `value.a.b.c`, or undefined.
pub fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| {
        Reflect::get(&v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    })
}

pub fn num(value: &JsValue, path: &str) -> f64 {
    get(value, path).as_f64().unwrap_or(f64::NAN)
}

pub fn text(value: &JsValue, path: &str) -> String {
    get(value, path).as_string().unwrap_or_default()
}

/// `value.method()`.
pub fn call(value: &JsValue, method: &str) -> JsValue {
    let f: js_sys::Function = get(value, method).into();
    f.call0(value)
        .unwrap_or_else(|e| panic!("{method}() threw {e:?}"))
}

/// Whether the promise `watch` was given has settled.
pub fn settled(watched: &JsValue) -> bool {
    get(watched, "settled") == JsValue::TRUE
}

/// The promise `watch` was given (its outcome).
pub fn promise(watched: &JsValue) -> Promise {
    get(watched, "promise").into()
}

pub async fn admin(route: &str, body: &str) -> JsValue {
    admin_js(AUTH, route, obj(body))
        .await
        .expect("emulator admin route")
}

pub async fn counters(tenant: &str) -> JsValue {
    counters_js(AUTH, tenant).await
}

pub async fn token_requests(tenant: &str) -> f64 {
    num(&counters(tenant).await, "tokenRequests.total")
}

pub async fn requests(tenant: &str, limit: u32) -> js_sys::Array {
    requests_js(AUTH, tenant, limit).await.into()
}

/// Sets emulator config fields (a JSON object) for one tenant only.
pub async fn configure(tenant: &str, fields: &str) {
    let fields = fields.strip_prefix('{').expect("a JSON object");
    admin("config", &format!("{{\"tenant\":\"{tenant}\",{fields}")).await;
}

/// What `store.get(key)` answers (a JS store: MemoryStore or any duck-typed one).
pub async fn stored_value(store: &JsValue, key: &str) -> JsValue {
    let get_fn: js_sys::Function = get(store, "get").into();
    ok(get_fn
        .call1(store, &JsValue::from_str(key))
        .expect("store.get")
        .into())
    .await
}

pub async fn fault(tenant: &str, spec: &str) {
    let spec = spec.strip_suffix('}').expect("a JSON object");
    admin("faults", &format!("{spec},\"tenant\":\"{tenant}\"}}")).await;
}

/// A test tenant with its own counters, and the options (plus the recorded events) of a client.
pub struct Setup {
    pub tenant: String,
    pub options: JsValue,
    pub events: js_sys::Array,
}

impl Setup {
    pub fn new(name: &str) -> Setup {
        Setup::with(name, "{}")
    }

    pub fn with(name: &str, extra: &str) -> Setup {
        let tenant = unique_tenant(name);
        let made = options_js(AUTH, API, &tenant, obj(extra));
        Setup {
            tenant,
            options: get(&made, "options"),
            events: get(&made, "events").into(),
        }
    }

    pub fn set(&self, key: &str, value: &JsValue) -> &Self {
        Reflect::set(&self.options, &JsValue::from_str(key), value).expect("set option");
        self
    }

    pub fn client(&self) -> AndOpenClient {
        AndOpenClient::new(self.options.clone())
            .unwrap_or_else(|e| panic!("client: {:?}", error_fields(&e)))
    }

    pub fn event_types(&self) -> Vec<String> {
        self.events.iter().map(|e| text(&e, "type")).collect()
    }

    /// `field` of every recorded event of type `kind`, in order.
    pub fn event_fields(&self, kind: &str, field: &str) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| text(e, "type") == kind)
            .map(|e| text(&e, field))
            .collect()
    }

    /// The store key the client used, from its first `store_miss` event.
    pub fn store_key(&self) -> String {
        self.event_fields("store_miss", "key")
            .into_iter()
            .next()
            .expect("a store_miss event")
    }

    pub fn count_events(&self, kind: &str) -> usize {
        self.event_types().iter().filter(|t| *t == kind).count()
    }
}

pub async fn ok(promise: Promise) -> JsValue {
    JsFuture::from(promise)
        .await
        .unwrap_or_else(|e| panic!("expected success, got {:?}", error_fields(&e)))
}

/// The rejection of `promise`, checked to be an AndOpenError with `code`.
pub async fn rejects(promise: Promise, code: &str) -> JsValue {
    let error = match JsFuture::from(promise).await {
        Ok(v) => panic!("expected {code}, got success {v:?}"),
        Err(e) => e,
    };
    let fields = error_fields(&error);
    assert_eq!(
        get(&fields, "isError"),
        JsValue::TRUE,
        "not an Error: {fields:?}"
    );
    assert_eq!(text(&fields, "name"), "AndOpenError");
    assert_eq!(text(&fields, "code"), code, "{fields:?}");
    assert_eq!(get(&fields, "hasStack"), JsValue::TRUE);
    error
}

/// The outcome of `promise`, or `None` if it has not settled `ms` after this call: a watchdog,
/// which turns a hang into a failure and asserts no duration.
pub async fn within(promise: Promise, ms: i32) -> Option<Result<JsValue, JsValue>> {
    let expired: JsValue = js_sys::Object::new().into();
    let marker = expired.clone();
    let timer = Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout: js_sys::Function = get(&global, "setTimeout").into();
        set_timeout
            .call3(&global, &resolve, &JsValue::from(ms), &marker)
            .expect("setTimeout");
    });
    let raced = Promise::race(&js_sys::Array::of2(&promise, &timer));
    match JsFuture::from(raced).await {
        Ok(value) if js_sys::Object::is(&value, &expired) => None,
        outcome => Some(outcome),
    }
}

pub async fn sleep_ms(ms: i32) {
    gloo_timers::future::TimeoutFuture::new(ms.max(0) as u32).await;
}
