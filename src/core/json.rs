//! A small JSON reader and string writer. The crate parses only token responses, error bodies
//! and its own stored values, so a 200-line parser replaces serde_json and keeps the `.wasm`
//! small (docs/BENCHMARKS.md: the size target). Hostile input is bounded: nesting depth and size.

#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    /// Members in document order; a repeated name keeps its last value (`get`).
    Object(Vec<(String, Json)>),
}

/// Deeper nesting than this is refused, so a body of `[[[[…` cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

impl Json {
    pub fn parse(text: &str) -> Option<Json> {
        let mut parser = Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        };
        let value = parser.value(0)?;
        parser.skip_ws();
        (parser.pos == parser.bytes.len()).then_some(value)
    }

    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => Some(*n),
            _ => None,
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.bytes.get(self.pos) == Some(&byte)).then(|| self.pos += 1)
    }

    fn literal(&mut self, word: &str, value: Json) -> Option<Json> {
        let end = self.pos + word.len();
        (self.bytes.get(self.pos..end) == Some(word.as_bytes())).then(|| {
            self.pos = end;
            value
        })
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        match *self.bytes.get(self.pos)? {
            b'n' => self.literal("null", Json::Null),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'"' => self.string().map(Json::String),
            b'[' => self.array(depth),
            b'{' => self.object(depth),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn array(&mut self, depth: usize) -> Option<Json> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.eat(b']').is_some() {
            return Some(Json::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            if self.eat(b']').is_some() {
                return Some(Json::Array(items));
            }
            self.eat(b',')?;
        }
    }

    fn object(&mut self, depth: usize) -> Option<Json> {
        self.eat(b'{')?;
        let mut map = Vec::new();
        self.skip_ws();
        if self.eat(b'}').is_some() {
            return Some(Json::Object(map));
        }
        loop {
            self.skip_ws();
            let key = self.string()?;
            self.skip_ws();
            self.eat(b':')?;
            let value = self.value(depth + 1)?;
            map.push((key, value));
            self.skip_ws();
            if self.eat(b'}').is_some() {
                return Some(Json::Object(map));
            }
            self.eat(b',')?;
        }
    }

    /// RFC 8259 §6 numbers, parsed by hand: core's f64 parser adds ~8 KB to the .wasm, and the
    /// values read here (lifetimes, timestamps) are integers or need no last-bit precision.
    fn number(&mut self) -> Option<Json> {
        let negative = self.eat(b'-').is_some();
        let mut mantissa = 0.0f64;
        let mut exponent = 0i32;
        match self.bytes.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                while let Some(d) = self.digit() {
                    mantissa = mantissa * 10.0 + d;
                }
            }
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            let mut any = false;
            while let Some(d) = self.digit() {
                mantissa = mantissa * 10.0 + d;
                exponent = exponent.saturating_sub(1);
                any = true;
            }
            if !any {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            let negative_exponent = match self.bytes.get(self.pos) {
                Some(b'-') => {
                    self.pos += 1;
                    true
                }
                Some(b'+') => {
                    self.pos += 1;
                    false
                }
                _ => false,
            };
            let mut written = 0i32;
            let mut any = false;
            while let Some(d) = self.digit() {
                written = written.saturating_mul(10).saturating_add(d as i32);
                any = true;
            }
            if !any {
                return None;
            }
            exponent = exponent.saturating_add(if negative_exponent { -written } else { written });
        }
        let magnitude = mantissa * 10f64.powi(exponent.clamp(-400, 400));
        let value = if negative { -magnitude } else { magnitude };
        value.is_finite().then_some(Json::Number(value))
    }

    fn digit(&mut self) -> Option<f64> {
        let d = self.bytes.get(self.pos).filter(|b| b.is_ascii_digit())?;
        self.pos += 1;
        Some(f64::from(d - b'0'))
    }

    fn hex4(&mut self) -> Option<u32> {
        // Exactly four hex digits (`from_str_radix` would also take a sign).
        let hex = self.bytes.get(self.pos..self.pos + 4)?;
        let value = hex
            .iter()
            .try_fold(0u32, |n, &b| Some(n * 16 + char::from(b).to_digit(16)?))?;
        self.pos += 4;
        Some(value)
    }

    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // Both ends are at ASCII bytes, so on char boundaries of the text.
            out.push_str(self.text.get(start..self.pos)?);
            match *self.bytes.get(self.pos)? {
                b'"' => {
                    self.pos += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let escape = *self.bytes.get(self.pos)?;
                    self.pos += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let high = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&high) {
                                self.eat(b'\\')?;
                                self.eat(b'u')?;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return None;
                                }
                                0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                high
                            };
                            out.push(char::from_u32(code)?);
                        }
                        _ => return None,
                    }
                }
                _ => return None, // a raw control character
            }
        }
    }
}

/// Appends `value` to `out` as a JSON string literal.
pub fn write_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(char::from_digit((c as u32) >> 4, 16).unwrap_or('0'));
                out.push(char::from_digit((c as u32) & 0xF, 16).unwrap_or('0'));
            }
            c => out.push(c),
        }
    }
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
    fn parses_the_seed_token_response() {
        let body = r#"{"token_type":"bearer","expires_in":4000,"access_token":"eyJ...","refresh_token":"...dae1","scope":null}"#;
        let json = Json::parse(body).expect("valid");
        assert_eq!(json.get("expires_in").and_then(Json::as_f64), Some(4000.0));
        assert_eq!(json.get("scope"), Some(&Json::Null));
        assert_eq!(
            json.get("refresh_token").and_then(Json::as_str),
            Some("...dae1")
        );
    }

    #[test]
    fn parses_escapes_and_nesting() {
        let json = Json::parse(
            r#" {"a":[1,-2.5e3,true,false,null,{"b":"x\"\\\/\u00e9\ud83d\ude00\n"}]} "#,
        )
        .expect("valid");
        let Some(Json::Array(items)) = json.get("a") else {
            panic!("array")
        };
        assert_eq!(items[1], Json::Number(-2500.0));
        assert_eq!(
            items[5].get("b").and_then(Json::as_str),
            Some("x\"\\/é😀\n")
        );
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            "",
            "<html>",
            "{",
            "{\"a\":}",
            "[1,]",
            "01",
            "1.",
            ".5",
            "-",
            "\"\\x\"",
            "\"a\nb\"",
            "{\"a\":1}x",
            "nul",
            "\"\\ud800\"",
            // Four hex digits, no sign (u32::from_str_radix took "+abc").
            "\"\\u+abc\"",
            "\"\\u12g4\"",
            "1e999",
            "{'a':1}",
        ] {
            assert_eq!(Json::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert_eq!(Json::parse(&deep), None);
        let ok = format!("{}{}", "[".repeat(30), "]".repeat(30));
        assert!(Json::parse(&ok).is_some());
    }

    #[test]
    fn writes_strings_that_parse_back() {
        let nasty = "quote\" back\\ nl\n ctl\u{1} é";
        let body = write_object(&[("a", Some(nasty)), ("skip", None), ("b", Some("2"))]);
        let json = Json::parse(&body).expect("round trip");
        assert_eq!(json.get("a").and_then(Json::as_str), Some(nasty));
        assert_eq!(json.get("skip"), None);
        assert_eq!(body, r#"{"a":"quote\" back\\ nl\n ctl\u0001 é","b":"2"}"#);
    }
}
