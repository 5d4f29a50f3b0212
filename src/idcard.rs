//! Chinese resident identity card numbers (居民身份证号码, GB 11643-1999).
//!
//! Case workers type ID numbers by hand, so the number is the most common
//! source of data-entry errors in a household record. This module checks
//! the structure (17 digits + check character), the embedded birth date and
//! the ISO 7064 MOD 11-2 check character, extracts birth date / sex / region,
//! and masks numbers for display so lists and exports do not leak them.
//! It is pure (no I/O, no clock) and never panics on any input.

use chrono::{Datelike, NaiveDate};

use crate::error_code::ErrorCode;

/// Sex encoded in the 17th digit of the number (odd = male, even = female).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdSex {
    Male,
    Female,
}

/// What can be read out of a valid ID number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdInfo {
    pub birth_date: NaiveDate,
    pub sex: IdSex,
    /// Administrative division code: the first 6 digits (not checked
    /// against a region table).
    pub region: String,
}

/// Why a number was rejected. Checks run in this order: format, birth date,
/// checksum — so the first problem found is the one reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    /// Not 17 ASCII digits followed by an ASCII digit or `X`.
    Format,
    /// Digits 7–14 are not a real `YYYYMMDD` date, or the year is before 1900.
    BirthDate,
    /// The check character does not match.
    Checksum,
}

impl IdError {
    /// Its error code (`validation.id_number.*`).
    pub fn code(self) -> ErrorCode {
        match self {
            IdError::Format => ErrorCode::ValidationIdNumberFormat,
            IdError::BirthDate => ErrorCode::ValidationIdNumberBirthDate,
            IdError::Checksum => ErrorCode::ValidationIdNumberChecksum,
        }
    }
}

impl std::fmt::Display for IdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IdError::Format => "ID number must be 17 digits followed by a digit or X",
            IdError::BirthDate => "ID number contains an invalid birth date",
            IdError::Checksum => "ID number check character is wrong",
        })
    }
}

impl std::error::Error for IdError {}

/// ISO 7064 MOD 11-2 weights for positions 1..=17.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for `sum % 11`.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// Trims surrounding whitespace (including the ideographic space) and
/// uppercases a trailing `x`. Does nothing else: full-width digits and other
/// mistakes are left for [`parse`] to reject.
pub fn normalize(s: &str) -> String {
    let t = s.trim();
    match t.strip_suffix('x') {
        Some(head) => {
            let mut out = String::with_capacity(t.len());
            out.push_str(head);
            out.push('X');
            out
        }
        None => t.to_owned(),
    }
}

/// The check character for the first 17 digits, or `None` unless `first17`
/// is exactly 17 ASCII digits.
pub fn check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    // sum % 11 is always < 11, so the index is in bounds; `get` keeps it panic-free.
    CHECK_CHARS.get((sum % 11) as usize).map(|&c| char::from(c))
}

/// Parses an already-[`normalize`]d 18-character number.
///
/// Legacy 15-digit numbers, full-width digits, a lowercase `x` and any
/// surrounding whitespace are all [`IdError::Format`].
pub fn parse(s: &str) -> Result<IdInfo, IdError> {
    let b = s.as_bytes();
    // Byte length 18 plus the ASCII checks below means exactly 18 ASCII chars.
    if b.len() != 18 {
        return Err(IdError::Format);
    }
    let (first17, last) = b.split_at(17);
    if !first17.iter().all(u8::is_ascii_digit) {
        return Err(IdError::Format);
    }
    let last = last.first().copied().ok_or(IdError::Format)?;
    if !(last.is_ascii_digit() || last == b'X') {
        return Err(IdError::Format);
    }

    let num = |range: std::ops::Range<usize>| -> u32 {
        first17
            .get(range)
            .unwrap_or_default()
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let year = num(6..10);
    let month = num(10..12);
    let day = num(12..14);
    let birth_date = i32::try_from(year)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, month, day))
        .filter(|d| d.year() >= 1900)
        .ok_or(IdError::BirthDate)?;

    // `s` is all ASCII here, so slicing by byte index is safe.
    let expected = check_char(s.get(..17).unwrap_or_default()).ok_or(IdError::Format)?;
    if char::from(last) != expected {
        return Err(IdError::Checksum);
    }

    let sex = if num(16..17) % 2 == 1 {
        IdSex::Male
    } else {
        IdSex::Female
    };
    Ok(IdInfo {
        birth_date,
        sex,
        region: s.get(..6).unwrap_or_default().to_owned(),
    })
}

/// Masks a number for display: keeps the first 4 characters (province and city, which the
/// household's division shows anyway) and the last 2 (the sex digit and the check digit), and
/// replaces the rest with `*` (`"3213************34"`). The birth date (digits 7–14) and the
/// sequence digits 15–16 stay hidden, so with the age, sex and county shown beside it some
/// 3,000 numbers remain possible (more digits shown, e.g. the last 4, would leave about 30).
/// Strings of 8 characters or fewer become all `*`. Works on characters, so any input is safe.
pub fn mask(s: &str) -> String {
    let n = s.chars().count();
    if n <= 8 {
        return "*".repeat(n);
    }
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        if i < 4 || i >= n - 2 {
            out.push(c);
        } else {
            out.push('*');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Builds a valid fictional number from a 17-digit prefix.
    fn full(first17: &str) -> String {
        let c = check_char(first17).expect("17 digits");
        format!("{first17}{c}")
    }

    #[test]
    fn known_check_chars() {
        // Worked example from GB 11643-1999: 11010519491231002X.
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert_eq!(check_char("1101051949123100"), None);
        assert_eq!(check_char("110105194912310021"), None);
        assert_eq!(check_char("1101051949123100a"), None);
        assert_eq!(check_char(""), None);
        assert_eq!(check_char("１1010519491231002"), None);
    }

    #[test]
    fn check_char_covers_all_eleven_values() {
        let mut seen = std::collections::BTreeSet::new();
        for seq in 0..200u32 {
            let p = format!("32130119900101{seq:03}");
            seen.insert(check_char(&p).unwrap());
        }
        assert_eq!(seen.len(), 11, "{seen:?}");
    }

    #[test]
    fn parses_valid_numbers() {
        let info = parse("11010519491231002X").unwrap();
        assert_eq!(
            info.birth_date,
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(info.sex, IdSex::Female);
        assert_eq!(info.region, "110105");

        let n = full("45010219850612003");
        let info = parse(&n).unwrap();
        assert_eq!(
            info.birth_date,
            NaiveDate::from_ymd_opt(1985, 6, 12).unwrap()
        );
        assert_eq!(info.sex, IdSex::Male);
        assert_eq!(info.region, "450102");

        // Leap day and the earliest accepted year.
        assert!(parse(&full("45010220000229004")).is_ok());
        assert!(parse(&full("45010219000101004")).is_ok());
    }

    #[test]
    fn sex_from_17th_digit() {
        for d in 0..10u8 {
            let n = full(&format!("4501021985061200{d}"));
            let want = if d % 2 == 1 {
                IdSex::Male
            } else {
                IdSex::Female
            };
            assert_eq!(parse(&n).unwrap().sex, want, "{n}");
        }
    }

    #[test]
    fn format_errors() {
        let good = full("45010219850612003");
        assert!(parse(&good).is_ok());
        for bad in [
            "",
            "4501021985061200",
            &good[..17],
            &format!("{good}0"),
            // 15-digit legacy number.
            "450102850612003",
            // Letter in the body.
            "45010219850612A03X",
            // Lowercase x is not normalised by parse.
            "11010519491231002x",
            // Full-width digit.
            "４5010219850612003X",
            // Surrounding whitespace.
            &format!(" {}", &good[..17]),
            &format!("{good} "),
            "ＸＸＸＸＸＸＸＸＸＸＸＸＸＸＸＸＸＸ",
            "卫佳卫佳卫佳",
            "-45010219850612003",
        ] {
            assert_eq!(parse(bad), Err(IdError::Format), "{bad:?}");
        }
    }

    #[test]
    fn birth_date_errors() {
        for prefix in [
            "45010220260230003", // Feb 30
            "45010220230229003", // not a leap year
            "45010219001301003", // month 13
            "45010219000001003", // month 0
            "45010219000100003", // day 0
            "45010218991231003", // before 1900
            "45010200000101003", // year 0
        ] {
            assert_eq!(parse(&full(prefix)), Err(IdError::BirthDate), "{prefix}");
        }
        // A bad date is reported even when the checksum is also wrong.
        assert_eq!(parse("450102202602300030"), Err(IdError::BirthDate));
    }

    #[test]
    fn checksum_errors() {
        assert_eq!(parse("110105194912310020"), Err(IdError::Checksum));
        assert_eq!(parse("110105194912310021"), Err(IdError::Checksum));
        let good = full("45010219850612003");
        let last = good.as_bytes()[17];
        for c in b"0123456789X" {
            if *c == last {
                continue;
            }
            let bad = format!("{}{}", &good[..17], char::from(*c));
            assert_eq!(parse(&bad), Err(IdError::Checksum), "{bad}");
        }
    }

    #[test]
    fn error_codes() {
        assert_eq!(IdError::Format.code(), "validation.id_number.format");
        assert_eq!(IdError::BirthDate.code(), "validation.id_number.birth_date");
        assert_eq!(IdError::Checksum.code(), "validation.id_number.checksum");
        assert!(!IdError::Checksum.to_string().is_empty());
    }

    #[test]
    fn normalize_trims_and_uppercases_x() {
        assert_eq!(normalize("  11010519491231002x \t"), "11010519491231002X");
        assert_eq!(
            normalize("\u{3000}11010519491231002X\u{3000}"),
            "11010519491231002X"
        );
        assert_eq!(normalize("11010519491231002x"), "11010519491231002X");
        assert_eq!(
            parse(&normalize(" 11010519491231002x ")).unwrap().region,
            "110105"
        );
        // Only a trailing x is touched.
        assert_eq!(normalize("x1234"), "x1234");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("   "), "");
        assert_eq!(normalize("x"), "X");
        assert_eq!(normalize("卫x"), "卫X");
    }

    #[test]
    fn mask_examples() {
        assert_eq!(mask("321301199001011234"), "3213************34");
        assert_eq!(mask("12345678"), "********");
        assert_eq!(mask("123456789"), "1234***89");
        assert_eq!(mask(""), "");
        assert_eq!(mask("abc"), "***");
        assert_eq!(mask("卫佳卫佳卫佳卫佳卫"), "卫佳卫佳***佳卫");
        assert_eq!(mask("卫佳"), "**");
        assert_eq!(mask("😀😀😀😀😀😀😀😀😀😀"), "😀😀😀😀****😀😀");
    }

    /// 17-digit prefixes whose date is valid (years 1900..=2099).
    fn prefix_strategy() -> impl Strategy<Value = String> {
        (
            0u32..1_000_000,
            1900i32..2100,
            1u32..=12,
            1u32..=31,
            0u32..1000,
        )
            .prop_filter_map("valid date", |(region, y, m, d, seq)| {
                NaiveDate::from_ymd_opt(y, m, d)
                    .map(|_| format!("{region:06}{y:04}{m:02}{d:02}{seq:03}"))
            })
    }

    fn date_ok(first17: &str) -> bool {
        let y: i32 = first17[6..10].parse().unwrap();
        let m: u32 = first17[10..12].parse().unwrap();
        let d: u32 = first17[12..14].parse().unwrap();
        y >= 1900 && NaiveDate::from_ymd_opt(y, m, d).is_some()
    }

    proptest! {
        #[test]
        fn prop_valid_numbers_parse(p in prefix_strategy()) {
            let n = full(&p);
            let info = parse(&n).unwrap();
            prop_assert_eq!(info.region, &p[..6]);
            prop_assert_eq!(mask(&n).chars().count(), 18);
            prop_assert_eq!(parse(&normalize(&n.to_lowercase())).map(|i| i.birth_date), Ok(info.birth_date));
        }

        #[test]
        fn prop_single_digit_change_fails(p in prefix_strategy(), pos in 0usize..17, delta in 1u8..10) {
            let n = full(&p);
            let mut bytes = n.clone().into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            if date_ok(&changed[..17]) {
                prop_assert_eq!(parse(&changed), Err(IdError::Checksum));
            } else {
                prop_assert_eq!(parse(&changed), Err(IdError::BirthDate));
            }
        }

        #[test]
        fn prop_wrong_check_char_fails(p in prefix_strategy(), c in prop::sample::select(b"0123456789X".to_vec())) {
            let n = full(&p);
            prop_assume!(n.as_bytes()[17] != c);
            let bad = format!("{p}{}", char::from(c));
            prop_assert_eq!(parse(&bad), Err(IdError::Checksum));
        }

        #[test]
        fn prop_never_panics(s in any::<String>()) {
            let _ = parse(&s);
            let _ = parse(&normalize(&s));
            let _ = check_char(&s);
            prop_assert_eq!(mask(&s).chars().count(), s.chars().count());
        }

        #[test]
        fn prop_never_panics_on_near_misses(s in "[0-9Xx ]{15,19}") {
            let _ = parse(&normalize(&s));
        }
    }
}
