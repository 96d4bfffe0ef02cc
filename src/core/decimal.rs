//! Whole numbers as decimal text, for messages and the stored token. Not `format!` or
//! `to_string()`: either keeps core::fmt's machinery in the .wasm (about 3 KB raw), and nothing
//! else in the library needs it.

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

#[cfg(test)]
mod tests {
    use super::decimal;

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
