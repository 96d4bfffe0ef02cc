//! The JS layer: everything that touches fetch, timers, stores, events and JS errors.

pub mod client;
pub mod error;
mod events;
mod http;
mod json;
mod objects;
mod options;
mod runtime;
mod session;
pub mod store;
mod types;
