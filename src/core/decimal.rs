//! Whole numbers as decimal text and back, for messages, the stored token, `expires_in` and
//! `Retry-After`. Not `format!`, `to_string()` or `str::parse`: the first two keep core::fmt's
//! machinery in the .wasm (about 3 KB raw), and `parse` carries sign and radix handling that no
//! header or field here accepts.

/// `n` in decimal digits, as `n.to_string()` would write it.
pub fn decimal(mut n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits[start..].iter().map(|&d| d as char).collect()
}

/// The number `text` writes in ASCII digits only (no sign, no spaces), or `None` if it is
/// empty, has another character or does not fit in a `u64`.
pub fn parse_decimal(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0u64, |n, b| {
        // `n > u64::MAX / 10` rather than `checked_mul`, whose overflow test is a 128-bit
        // multiplication (a compiler-builtins call) in the .wasm.
        if b.is_ascii_digit() && n <= u64::MAX / 10 {
            (n * 10).checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{decimal, parse_decimal};

    #[test]
    fn parses_what_str_parse_accepts_without_a_sign() {
        for text in ["0", "7", "06", "1994", "18446744073709551615"] {
            assert_eq!(parse_decimal(text), text.parse::<u64>().ok(), "{text}");
        }
        for text in [
            "",
            "+6",
            "-1",
            " 1",
            "1 ",
            "1.5",
            "0x10",
            "18446744073709551616",
            "99999999999999999999",
        ] {
            assert_eq!(parse_decimal(text), None, "{text}");
        }
    }

    #[test]
    fn matches_to_string_at_the_edges() {
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            429,
            65_535,
            1_000_000,
            u64::MAX - 1,
            u64::MAX,
        ] {
            assert_eq!(decimal(n), n.to_string());
        }
    }
}
