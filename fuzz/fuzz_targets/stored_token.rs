//! `StoredToken::decode` never panics, and whatever it accepts survives `encode` unchanged.
#![no_main]

use andopen_client::core::json::Json;
use andopen_client::core::token_cache::StoredToken;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(token) = StoredToken::decode(&Json::from_text(&text)) {
        let encoded = token.encode();
        assert_eq!(
            StoredToken::decode(&Json::from_text(&encoded)).as_ref(),
            Some(&token),
            "{text:?} -> {encoded}"
        );
        assert!(token.expires_at_ms > 0.0 && token.expires_at_ms.is_finite());
    }
});
