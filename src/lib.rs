//! andopen-client: a client for the &Open API (OAuth2 client credentials, cached and renewed
//! tokens, authenticated calls), compiled to WebAssembly for Workers, Node and browsers.
//!
//! `core` is pure Rust and knows nothing of JS; `js` is the thin layer that talks to fetch,
//! timers, stores and JS errors.

pub mod core;
#[cfg(target_arch = "wasm32")]
pub mod js;
