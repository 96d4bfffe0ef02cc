//! The JSON writer: an object of strings survives `write_object` and reading again; any string
//! survives `write_string` and reading. (The package reads JSON with the runtime's `JSON.parse`;
//! `Json::from_text` reads it with serde_json here.)
#![no_main]

use andopen_client::core::json::{write_object, write_string, Json, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = Json::from_text(&text);

    if let Json::Object(members) = &parsed {
        let strings: Option<Vec<(&str, Option<&str>)>> = members
            .iter()
            .map(|(k, v)| v.as_str().map(|v| (k.as_str(), Some(v))))
            .collect();
        if let Some(fields) = strings {
            let written = write_object(&fields);
            assert_eq!(Json::from_text(&written), parsed, "{written}");
        }
    }

    let mut literal = String::new();
    write_string(&mut literal, &text);
    let object = ["{\"k\":", &literal, "}"].concat();
    assert_eq!(
        Json::from_text(&object).get("k"),
        Some(&Value::String(text.into_owned()))
    );
});
