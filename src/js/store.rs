//! Token stores, as the Rust side sees them: `MemoryStore` and `KvStore` are JS classes
//! (stores.js, with KvStore's encryption), because a store only holds and moves text; what to
//! store and what a stored value means is the session's. This module makes the default store and
//! hands the classes to the package entries.

use js_sys::Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/stores.js")]
extern "C" {
    /// stores.js `MemoryStore`.
    pub type MemoryStore;

    #[wasm_bindgen(constructor)]
    pub fn new() -> MemoryStore;

    #[wasm_bindgen(js_name = storeClasses)]
    fn store_classes_js() -> Array;
}

/// `[MemoryStore, KvStore]`, for the package entries to export.
#[wasm_bindgen(js_name = storeClasses)]
pub fn store_classes() -> Array {
    store_classes_js()
}
