//! andopen-client: a client for the &Open API (OAuth2 client credentials, cached and renewed
//! tokens, authenticated calls), compiled to WebAssembly for Workers, Node and browsers.
//!
//! `core` is pure Rust and knows nothing of JS; `js` is the thin layer that talks to fetch,
//! timers, stores and JS errors.

pub mod core;
#[cfg(target_arch = "wasm32")]
pub mod js;

// One thread in every runtime this targets (Workers, Node, browsers), which is what
// `AssumeSingleThreaded` requires; the free-list allocator reuses freed blocks.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: wasm32-unknown-unknown without the atomics feature has a single thread.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
