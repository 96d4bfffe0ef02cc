//! Text by bytes. Every byte these look for or cut at is ASCII, which never occurs inside a
//! multi-byte UTF-8 sequence, so each cut is on a char boundary. `str`'s own char patterns
//! (`split(':')`, `trim_end_matches('/')`, `chars()`) would work too, but each pulls core's UTF-8
//! searchers and decoders into the .wasm (about 1 KB gzip together).

/// The first index at or after `from` where `needle` starts; `None` for an empty needle.
pub fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let last_start = haystack.len().checked_sub(needle.len())?;
    (from..=last_start).find(|&i| haystack.get(i..i + needle.len()) == Some(needle))
}

/// `text` before and after the first `byte` (ASCII), which is in neither; `None` without one.
pub fn split_once_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = find(text.as_bytes(), &[byte], 0)?;
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// `text` up to the first `byte` (ASCII), or all of it.
pub fn until(text: &str, byte: u8) -> &str {
    split_once_byte(text, byte).map_or(text, |(before, _)| before)
}

/// `text` without its trailing slashes.
pub fn without_trailing_slashes(text: &str) -> &str {
    let end = text.bytes().rposition(|b| b != b'/').map_or(0, |i| i + 1);
    text.get(..end).unwrap_or(text)
}

/// Fills `words` with the non-empty pieces of `text` between the (ASCII) bytes `is_separator`
/// picks, and returns how many there are; `None` if there are more than `words` holds.
pub fn split_ascii<'a>(
    text: &'a str,
    is_separator: impl Fn(u8) -> bool,
    words: &mut [&'a str],
) -> Option<usize> {
    let mut count = 0;
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        if is_separator(byte) {
            if i > start {
                *words.get_mut(count)? = text.get(start..i)?;
                count += 1;
            }
            start = i + 1;
        }
    }
    if start < text.len() {
        *words.get_mut(count)? = text.get(start..)?;
        count += 1;
    }
    Some(count)
}

/// The first `count` chars of `text`: a char starts at every byte that is not a UTF-8
/// continuation byte.
pub fn first_chars(text: &str, count: usize) -> &str {
    let mut starts = 0;
    let end = text
        .bytes()
        .position(|b| {
            starts += usize::from(b & 0xC0 != 0x80);
            starts > count
        })
        .unwrap_or(text.len());
    text.get(..end).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_works_on_bytes() {
        assert_eq!(find(b"abcabc", b"bc", 0), Some(1));
        assert_eq!(find(b"abcabc", b"bc", 2), Some(4));
        assert_eq!(find(b"ab", b"abc", 0), None);
        assert_eq!(find(b"ab", b"", 0), None);
    }

    #[test]
    fn split_once_byte_cuts_at_the_first_one() {
        assert_eq!(split_once_byte("08:49:37", b':'), Some(("08", "49:37")));
        assert_eq!(split_once_byte("é:", b':'), Some(("é", "")));
        assert_eq!(split_once_byte("none", b':'), None);
    }

    #[test]
    fn until_and_trailing_slashes() {
        assert_eq!(until("host:443/x", b':'), "host");
        assert_eq!(until("héllo", b':'), "héllo");
        assert_eq!(until("", b'/'), "");
        assert_eq!(
            without_trailing_slashes("https://a.example/v1//"),
            "https://a.example/v1"
        );
        assert_eq!(without_trailing_slashes("///"), "");
        assert_eq!(without_trailing_slashes("é/"), "é");
    }

    #[test]
    fn split_ascii_skips_empty_pieces_and_refuses_too_many() {
        let mut words = [""; 4];
        let count = split_ascii("Sun,  06-Nov é", |b| b == b' ' || b == b'-', &mut words);
        assert_eq!(count, Some(4));
        assert_eq!(words, ["Sun,", "06", "Nov", "é"]);
        let mut words = [""; 2];
        assert_eq!(split_ascii("a b c", |b| b == b' ', &mut words), None);
        assert_eq!(split_ascii("  ", |b| b == b' ', &mut words), Some(0));
    }

    #[test]
    fn first_chars_counts_chars_not_bytes() {
        assert_eq!(first_chars("héllo", 2), "hé");
        assert_eq!(first_chars("héllo", 9), "héllo");
        assert_eq!(first_chars("ab", 0), "");
        assert_eq!(first_chars("€€€", 2), "€€");
    }
}
