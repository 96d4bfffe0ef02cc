//! The pure core: no JS imports, no clock, no randomness, no I/O. Tested with `cargo test`.

pub mod api_scope;
pub mod call_flow;
pub mod config;
pub mod decimal;
pub mod error;
pub mod form;
pub mod grant_flow;
pub mod json;
pub mod renewal_flow;
pub mod retry_policy;
pub mod secret;
pub mod text;
pub mod token_cache;
pub mod token_request;
pub mod token_response;
