//! Secrets (client secret, API key, tokens) live in `Secret`, whose `Debug` never shows them,
//! and every text that leaves the client (messages, descriptions) goes through `Redactor`.

use std::fmt;

use super::text::find;

/// A credential or token. `Debug` prints `Secret([redacted])`; the value is only reachable
/// through `expose`, so every use of it is visible in a search.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

pub const REDACTED: &str = "[redacted]";

/// Replaces every known secret in a text by `[redacted]` (docs/API.md: "any occurrence of the
/// client secret, API key or a token replaced by `[redacted]`").
#[derive(Default, Debug, Clone)]
pub struct Redactor {
    secrets: Vec<Secret>,
}

impl Redactor {
    pub fn new() -> Self {
        Redactor::default()
    }

    /// Adds a secret to hide. Values shorter than 4 characters are ignored: hiding them would
    /// mangle ordinary words without protecting anything.
    pub fn add(&mut self, secret: &Secret) {
        if secret.expose().len() >= 4 && !self.secrets.contains(secret) {
            self.secrets.push(secret.clone());
        }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            out = replace_all(&out, secret.expose(), REDACTED);
        }
        out
    }
}

/// `text` with every `needle` replaced. Secrets are printable ASCII (config.rs checks it), and an
/// ASCII byte never occurs inside a multi-byte UTF-8 sequence, so the result stays valid UTF-8.
fn replace_all(text: &str, needle: &str, with: &str) -> String {
    let (bytes, pattern) = (text.as_bytes(), needle.as_bytes());
    let Some(mut at) = find(bytes, pattern, 0) else {
        return text.to_owned();
    };
    // A match of a whole UTF-8 needle starts and ends on char boundaries of the text, so the
    // pieces between matches are its own slices.
    let mut out = String::with_capacity(bytes.len());
    let mut copied = 0;
    loop {
        out.push_str(text.get(copied..at).unwrap_or_default());
        out.push_str(with);
        copied = at + pattern.len();
        match find(bytes, pattern, copied) {
            Some(next) => at = next,
            None => break,
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert_eq!(format!("{:?}", Some(s)), "Some(Secret([redacted]))");
    }

    #[test]
    fn replace_works_on_bytes() {
        assert_eq!(replace_all("é-key-é-key", "key", "[x]"), "é-[x]-é-[x]");
        assert_eq!(replace_all("keykey", "key", "k"), "kk");
        assert_eq!(replace_all("none", "key", "k"), "none");
    }

    #[test]
    fn redactor_hides_every_occurrence_of_every_secret() {
        let mut r = Redactor::new();
        r.add(&Secret::new("sk_live_123"));
        r.add(&Secret::new("apikey-xyz"));
        r.add(&Secret::new("ab")); // too short to hide
        assert_eq!(
            r.redact("bad sk_live_123 and apikey-xyz, sk_live_123 ab"),
            "bad [redacted] and [redacted], [redacted] ab"
        );
    }
}
