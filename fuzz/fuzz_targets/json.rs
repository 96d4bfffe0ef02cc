//! `Json::parse` never panics; an object of strings survives `write_object` and parsing again;
//! any string survives `write_string` and parsing.
#![no_main]

use andopen_client::core::json::{write_object, write_string, Json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = Json::parse(&text);

    if let Some(Json::Object(map)) = &parsed {
        let strings: Option<Vec<(&str, Option<&str>)>> = map
            .iter()
            .map(|(k, v)| v.as_str().map(|v| (k.as_str(), Some(v))))
            .collect();
        if let Some(fields) = strings {
            let written = write_object(&fields);
            assert_eq!(Json::parse(&written).as_ref(), parsed.as_ref(), "{written}");
        }
    }
    if let Some(Json::Number(n)) = parsed {
        assert!(n.is_finite());
    }

    let mut literal = String::new();
    write_string(&mut literal, &text);
    assert_eq!(Json::parse(&literal), Some(Json::String(text.into_owned())));
});
