//! Helpers shared by the fuzz targets.

use andopen_client::core::secret::REDACTED;

/// True when `secret` can overlap the `[redacted]` marker itself (it is part of it, contains it,
/// or a prefix/suffix of it is a suffix/prefix of the marker). For such a secret, "the output
/// does not contain it" cannot hold: replacing any other secret writes the marker, and the
/// marker next to ordinary text can spell it. No information leaks in that case, so the
/// redaction invariant is checked only for secrets that cannot overlap the marker.
pub fn overlaps_marker(secret: &str) -> bool {
    let m = REDACTED;
    if m.contains(secret) || secret.contains(m) {
        return true;
    }
    (1..m.len().min(secret.len() + 1))
        .any(|k| secret.ends_with(&m[..k]) || secret.starts_with(&m[m.len() - k..]))
}

/// The secrets (≥ 4 bytes, as `Redactor::add` keeps) whose presence in `text` is a leak.
pub fn leaked<'a>(secrets: &'a [String], text: &str) -> Option<&'a str> {
    secrets
        .iter()
        .map(String::as_str)
        .filter(|s| s.len() >= 4 && !overlaps_marker(s))
        .find(|s| text.contains(s))
}
