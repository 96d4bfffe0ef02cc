//! `application/x-www-form-urlencoded` bodies (RFC 6749 Appendix B) and HTTP Basic client
//! credentials (RFC 6749 §2.3.1: the id and secret are form-urlencoded first, then joined by
//! `:` and base64-encoded, RFC 7617).

/// Encodes one name or value: unreserved bytes as they are, a space as `+`, the rest `%XX`
/// (the WHATWG URL standard's urlencoded serializer, which RFC 6749 Appendix B refers to).
pub fn form_urlencode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[(byte >> 4) as usize] as char);
                out.push(HEX[(byte & 0xf) as usize] as char);
            }
        }
    }
    out
}

/// `name=value&…` for the pairs whose value is present.
pub fn write_form(pairs: &[(&str, Option<&str>)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        let Some(value) = value else { continue };
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&form_urlencode(name));
        out.push('=');
        out.push_str(&form_urlencode(value));
    }
    out
}

/// The `Authorization` value for HTTP Basic client authentication.
pub fn basic_authorization(client_id: &str, client_secret: &str) -> String {
    let joined = [
        &form_urlencode(client_id),
        ":",
        &form_urlencode(client_secret),
    ]
    .concat();
    ["Basic ", &base64(joined.as_bytes())].concat()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_follows_the_urlencoded_serializer() {
        assert_eq!(form_urlencode("a b+c/d:é~"), "a+b%2Bc%2Fd%3A%C3%A9%7E");
        assert_eq!(form_urlencode("Az09*-._"), "Az09*-._");
        assert_eq!(
            write_form(&[
                ("grant_type", Some("client_credentials")),
                ("scope", None),
                ("resource", Some("https://api/x?y=1"))
            ]),
            "grant_type=client_credentials&resource=https%3A%2F%2Fapi%2Fx%3Fy%3D1"
        );
    }

    #[test]
    fn basic_credentials_are_urlencoded_then_base64() {
        // RFC 7617 §2's example, then an id and secret that need RFC 6749 §2.3.1's encoding.
        assert_eq!(
            base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(
            basic_authorization("client:1", "s3 cr%t"),
            format!("Basic {}", base64(b"client%3A1:s3+cr%25t"))
        );
    }
}
