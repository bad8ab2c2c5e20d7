//! Small formatting helpers every layer shares: hex, UUID v4, UTC timestamps, and the iteration order of Java's
//! `HashMap` (WSO2 builds some URLs from one).
//!
//! A leaf: it imports nothing from the crate, and every function is pure (bytes, an rng or a timestamp in, a
//! string out; no IO, no clock), so `domain` may use it too.

use rand::RngCore;

const LOWER_DIGITS: &[u8; 16] = b"0123456789abcdef";
const UPPER_DIGITS: &[u8; 16] = b"0123456789ABCDEF";

/// `bytes` as lower-case hex, two digits a byte (tokens, code hashes).
pub fn hex_lower(bytes: &[u8]) -> String {
    hex_with(bytes, LOWER_DIGITS)
}

/// `bytes` as upper-case hex, two digits a byte (session ids, as Carbon's JSESSIONID; certificate fingerprints).
pub fn hex_upper(bytes: &[u8]) -> String {
    hex_with(bytes, UPPER_DIGITS)
}

fn hex_with(bytes: &[u8], digits: &[u8; 16]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(digits[usize::from(b >> 4)]));
        out.push(char::from(digits[usize::from(b & 0x0f)]));
    }
    out
}

/// A random UUID (version 4, RFC 9562) in its lower-case hyphenated form.
pub fn uuid_v4(rng: &mut impl RngCore) -> String {
    random_uuid_shaped(rng, 4)
}

/// 122 random bits written as a UUID of the given version (the version nibble and RFC 9562 variant set).
pub fn random_uuid_shaped(rng: &mut impl RngCore, version: u8) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | (version << 4);
    b[8] = (b[8] & 0x3f) | 0x80;
    format!(
        "{}-{}-{}-{}-{}",
        hex_lower(&b[0..4]),
        hex_lower(&b[4..6]),
        hex_lower(&b[6..8]),
        hex_lower(&b[8..10]),
        hex_lower(&b[10..16])
    )
}

/// A store timestamp (milliseconds since the epoch) as `YYYY-MM-DDTHH:MM:SSZ`, for pages, the CLI and logs.
pub fn format_utc(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The UTC year of a timestamp in milliseconds since the epoch.
pub fn utc_year(millis: i64) -> i64 {
    civil_from_days(millis.div_euclid(1000).div_euclid(86_400)).0
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar (Hinnant's civil-from-days),
/// so no date crate is needed for one format.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Java's `String.hashCode`: `s[0]·31^(n-1) + … + s[n-1]` over UTF-16 code units, wrapping.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, unit| h.wrapping_mul(31).wrapping_add(i32::from(unit)))
}

/// The order a `java.util.HashMap`, filled by putting `keys` (distinct) in turn into a new map, iterates them, as
/// indices into `keys`: by bucket `(h ^ (h >>> 16)) & (capacity - 1)`, the capacity doubling from 16 while the
/// entries exceed three quarters of it, and in insertion order within a bucket (a resize keeps that order). Not
/// modelled: a bucket of eight or more keys, which Java turns into a tree.
pub fn java_hashmap_order(keys: &[&str]) -> Vec<usize> {
    let mut capacity: u32 = 16;
    while keys.len() as u64 * 4 > u64::from(capacity) * 3 {
        capacity *= 2;
    }
    let bucket = |key: &str| {
        let h = java_string_hash(key) as u32;
        (h ^ (h >> 16)) & (capacity - 1)
    };
    let mut order: Vec<usize> = (0..keys.len()).collect();
    // A stable sort keeps insertion order within a bucket.
    order.sort_by_key(|&i| bucket(keys[i]));
    order
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn hex_is_two_digits_a_byte_in_either_case() {
        assert_eq!(hex_lower(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(hex_upper(&[0x00, 0x0f, 0xab, 0xff]), "000FABFF");
        assert_eq!(hex_lower(&[]), "");
        let all: Vec<u8> = (0..=255).collect();
        let expected: String = all.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex_lower(&all), expected);
        assert_eq!(hex_upper(&all), expected.to_uppercase());
    }

    #[test]
    fn uuids_carry_version_4_and_the_rfc_variant() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..100 {
            let id = uuid_v4(&mut rng);
            let groups: Vec<&str> = id.split('-').collect();
            assert_eq!(
                groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12],
                "{id}"
            );
            assert!(
                id.bytes()
                    .all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            );
            assert!(groups[2].starts_with('4'), "{id}");
            assert!(groups[3].starts_with(['8', '9', 'a', 'b']), "{id}");
        }
    }

    #[test]
    fn utc_times_format_like_rfc3339() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_709_251_199_999), "2024-02-29T23:59:59Z");
        assert_eq!(format_utc(-1), "1969-12-31T23:59:59Z");
        let _ = format_utc(i64::MAX);
        let _ = format_utc(i64::MIN);
        assert_eq!(utc_year(0), 1970);
        assert_eq!(utc_year(1_709_251_199_999), 2024);
        assert_eq!(utc_year(1_735_689_600_000), 2025);
        assert_eq!(utc_year(1_735_689_599_999), 2024);
    }

    #[test]
    fn java_hashes_and_hashmap_order_match_the_jvm() {
        // String.hashCode of "", "a" and "sessionDataKey" (the formula, wrapped to 32 bits).
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("sessionDataKey"), -1_079_558_433);
        // WSO2's getURLEncodedCallback over a login callback: "authenticators" (bucket 7) before
        // "sessionDataKey" (bucket 8), whichever was put first.
        assert_eq!(java_hashmap_order(&["sessionDataKey", "authenticators"]), [1, 0]);
        assert_eq!(java_hashmap_order(&["authenticators", "sessionDataKey"]), [0, 1]);
        // BasicAuthenticator's error parameters (versions.md §4): failedUsername, errorCode, remainingAttempts.
        assert_eq!(
            java_hashmap_order(&["&remainingAttempts=", "&errorCode=", "&failedUsername="]),
            [2, 1, 0]
        );
    }
}
