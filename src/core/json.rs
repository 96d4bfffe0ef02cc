//! JSON as the core reads it, and the string writer for what it writes. The text is read by the
//! runtime's own `JSON.parse` (src/js/json.rs hands the result over), so the `.wasm` carries no
//! JSON parser; the core gets the members of a top-level object. Token responses, error bodies and
//! stored tokens are flat objects, so a nested value is only `Nested`. Native builds (the tests,
//! the fuzz targets) read text with serde_json instead, in `Json::from_text`.

/// A body or a stored value, once read as JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// Not JSON text.
    Invalid,
    /// JSON, but not an object.
    NotObject,
    /// The members of an object, each name once (a repeated name keeps its last value, as
    /// `JSON.parse` does).
    Object(Vec<(String, Value)>),
}

/// A member's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    /// An object or an array: nothing the client reads.
    Nested,
}

impl Json {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Reads `text` as the package does, for native builds: serde_json, like `JSON.parse`,
    /// keeps a repeated name's last value.
    #[cfg(any(test, not(target_arch = "wasm32")))]
    pub fn from_text(text: &str) -> Json {
        match serde_json::from_str::<serde_json::Value>(text) {
            Err(_) => Json::Invalid,
            Ok(serde_json::Value::Object(members)) => Json::Object(
                members
                    .into_iter()
                    .map(|(name, value)| {
                        let value = match value {
                            serde_json::Value::Null => Value::Null,
                            serde_json::Value::Bool(b) => Value::Bool(b),
                            serde_json::Value::Number(n) => {
                                Value::Number(n.as_f64().unwrap_or(f64::NAN))
                            }
                            serde_json::Value::String(s) => Value::String(s),
                            _ => Value::Nested,
                        };
                        (name, value)
                    })
                    .collect(),
            ),
            Ok(_) => Json::NotObject,
        }
    }
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
}

/// Appends `value` to `out` as a JSON string literal.
pub fn write_string(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    // By bytes: every byte escaped is ASCII, which never occurs inside a multi-byte UTF-8
    // sequence, so the runs copied between escapes are whole chars (and `chars()` would pull
    // core's UTF-8 decoding into the .wasm).
    let mut copied = 0;
    for (i, byte) in value.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..0x20 => "\\u00",
            _ => continue,
        };
        out.push_str(value.get(copied..i).unwrap_or_default());
        out.push_str(escape);
        // `\u00` takes the byte's two hex digits.
        if escape.len() == 4 {
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xF)]));
        }
        copied = i + 1;
    }
    out.push_str(value.get(copied..).unwrap_or_default());
    out.push('"');
}

/// Writes a flat JSON object of string fields; `None` fields are left out.
pub fn write_object(fields: &[(&str, Option<&str>)]) -> String {
    let mut out = String::from("{");
    for (name, value) in fields {
        if let Some(value) = value {
            if out.len() > 1 {
                out.push(',');
            }
            write_string(&mut out, name);
            out.push(':');
            write_string(&mut out, value);
        }
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_seed_token_response() {
        let body = r#"{"token_type":"bearer","expires_in":4000,"access_token":"eyJ...","refresh_token":"...dae1","scope":null,"x":[1]}"#;
        let json = Json::from_text(body);
        assert_eq!(json.get("expires_in").and_then(Value::as_f64), Some(4000.0));
        assert_eq!(json.get("scope"), Some(&Value::Null));
        assert_eq!(json.get("x"), Some(&Value::Nested));
        assert_eq!(
            json.get("refresh_token").and_then(Value::as_str),
            Some("...dae1")
        );
        assert_eq!(Json::from_text("<html>"), Json::Invalid);
        assert_eq!(Json::from_text("[1]"), Json::NotObject);
        assert_eq!(
            Json::from_text(r#"{"a":1,"a":2}"#).get("a"),
            Some(&Value::Number(2.0))
        );
    }

    #[test]
    fn writes_strings_that_read_back() {
        let nasty = "quote\" back\\ nl\n ctl\u{1} é";
        let body = write_object(&[("a", Some(nasty)), ("skip", None), ("b", Some("2"))]);
        let json = Json::from_text(&body);
        assert_eq!(json.get("a").and_then(Value::as_str), Some(nasty));
        assert_eq!(json.get("skip"), None);
        assert_eq!(body, r#"{"a":"quote\" back\\ nl\n ctl\u0001 é","b":"2"}"#);
    }
}
