//! Field rules shared by every command: lengths, required text, phone numbers, money, dates,
//! division codes. Each failure names its field and carries a stable code
//! (`validation.<rule>`), so the UI can show a translated message at the right input. Text is
//! stored as it will be searched: in Unicode NFC, without invisible formatting characters.

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;

/// Person names, titles of services and actions, names of partners.
/// How far back history entered after the fact reaches (past campaigns), and the longest
/// period one report covers: five years with their leap days.
pub const HISTORY_MAX_DAYS: i64 = 5 * 365 + 2;
pub const NAME_MAX: usize = 50;
/// Short labels: relation details, school names, work, contact names.
pub const SHORT_MAX: usize = 100;
/// Addresses.
pub const ADDRESS_MAX: usize = 200;
/// Descriptions, goals, health conditions, comments.
pub const TEXT_MAX: usize = 2000;
/// Visit notes.
pub const NOTES_MAX: usize = 10_000;
/// Largest amount of money in one action or support: ¥1,000,000 in fen.
pub const MONEY_MAX_FEN: i64 = 100_000_000;
/// Dates before this are refused as mistakes.
pub fn earliest_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn check_chars(field: &str, s: &str, multiline: bool) -> ApiResult<()> {
    if s.chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t' || c == '\r')))
    {
        return Err(ApiError::at(
            ErrorCode::ValidationTextControlChars,
            field,
            format!("{field} contains control characters"),
        ));
    }
    Ok(())
}

fn check_len(field: &str, s: &str, max: usize) -> ApiResult<()> {
    if s.chars().count() > max {
        return Err(ApiError::at(
            ErrorCode::ValidationTooLong,
            field,
            format!("{field} is longer than {max} characters"),
        ));
    }
    Ok(())
}

/// Characters that show as nothing but change what a text is: zero-width spaces and joiners,
/// bidirectional controls (which can make a name read differently from how it sorts), the
/// byte-order mark, the soft hyphen. `张\u{200b}三` looks like 张三 and would not be found by it.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Text as it is stored and searched: composed (NFC: `é` typed as e + ◌́ equals `é`), without
/// invisible formatting characters.
pub fn clean_text(s: &str) -> String {
    s.nfc().filter(|c| !is_invisible(*c)).collect()
}

/// Required one-line text: cleaned ([`clean_text`]), trimmed, not empty, at most `max`
/// characters.
pub fn required(field: &str, s: &str, max: usize) -> ApiResult<String> {
    let cleaned = clean_text(s);
    let t = cleaned.trim();
    if t.is_empty() {
        return Err(ApiError::at(
            ErrorCode::ValidationRequired,
            field,
            format!("{field} is required"),
        ));
    }
    check_len(field, t, max)?;
    check_chars(field, t, false)?;
    Ok(t.to_string())
}

/// Optional one-line text: cleaned and trimmed; empty becomes None.
pub fn optional(field: &str, s: &Option<String>, max: usize) -> ApiResult<Option<String>> {
    let cleaned = s.as_deref().map(clean_text);
    match cleaned.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => {
            check_len(field, t, max)?;
            check_chars(field, t, false)?;
            Ok(Some(t.to_string()))
        }
    }
}

/// Optional multi-line text (notes, descriptions): newlines and tabs allowed.
pub fn optional_multiline(
    field: &str,
    s: &Option<String>,
    max: usize,
) -> ApiResult<Option<String>> {
    let cleaned = s.as_deref().map(clean_text);
    match cleaned.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => {
            check_len(field, t, max)?;
            check_chars(field, t, true)?;
            Ok(Some(t.to_string()))
        }
    }
}

/// Required multi-line text.
pub fn required_multiline(field: &str, s: &str, max: usize) -> ApiResult<String> {
    optional_multiline(field, &Some(s.to_string()), max)?.ok_or_else(|| {
        ApiError::at(
            ErrorCode::ValidationRequired,
            field,
            format!("{field} is required"),
        )
    })
}

/// Full-width ASCII (what a Chinese input method types: `１３９`, `Ｘ`) as ordinary ASCII, and
/// the ideographic space as a space.
pub fn fold_fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// A phone number: digits with optional leading '+', spaces and hyphens; 5 to 15 digits.
/// Stored normalised (spaces removed, hyphens kept out).
pub fn phone(field: &str, s: &Option<String>) -> ApiResult<Option<String>> {
    let folded = s.as_deref().map(fold_fullwidth);
    let Some(t) = folded.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let (plus, rest) = match t.strip_prefix('+') {
        Some(r) => ("+", r),
        None => ("", t),
    };
    let digits: String = rest.chars().filter(|c| *c != ' ' && *c != '-').collect();
    if digits.is_empty()
        || !digits.chars().all(|c| c.is_ascii_digit())
        || !(5..=15).contains(&digits.len())
    {
        return Err(ApiError::at(
            ErrorCode::ValidationPhoneFormat,
            field,
            format!("{field} is not a phone number (5 to 15 digits)"),
        ));
    }
    Ok(Some(format!("{plus}{digits}")))
}

/// Money in fen: not negative, not absurd.
pub fn money(field: &str, fen: Option<i64>) -> ApiResult<Option<i64>> {
    match fen {
        None => Ok(None),
        Some(v) if v < 0 => Err(ApiError::at(
            ErrorCode::ValidationMoneyNegative,
            field,
            format!("{field} cannot be negative"),
        )),
        Some(v) if v > MONEY_MAX_FEN => Err(ApiError::at(
            ErrorCode::ValidationMoneyTooLarge,
            field,
            format!("{field} is larger than ¥1,000,000"),
        )),
        Some(v) => Ok(Some(v)),
    }
}

/// A date that must lie between 1900 and `latest` (usually today, for things that happened).
pub fn date_not_after(field: &str, d: NaiveDate, latest: NaiveDate) -> ApiResult<NaiveDate> {
    if d < earliest_date() {
        return Err(ApiError::at(
            ErrorCode::ValidationDateTooEarly,
            field,
            format!("{field} is before 1900"),
        ));
    }
    if d > latest {
        return Err(ApiError::at(
            ErrorCode::ValidationDateFuture,
            field,
            format!("{field} cannot be in the future"),
        ));
    }
    Ok(d)
}

/// A date within a sane range (1900 to 2200), for plans and schedules.
pub fn date_in_range(field: &str, d: NaiveDate) -> ApiResult<NaiveDate> {
    let latest = NaiveDate::from_ymd_opt(2200, 1, 1).unwrap_or(NaiveDate::MAX);
    if d < earliest_date() || d > latest {
        return Err(ApiError::at(
            ErrorCode::ValidationDateOutOfRange,
            field,
            format!("{field} is outside 1900–2200"),
        ));
    }
    Ok(d)
}

/// A list that must not be empty.
pub fn non_empty<T>(field: &str, v: &[T]) -> ApiResult<()> {
    if v.is_empty() {
        return Err(ApiError::at(
            ErrorCode::ValidationRequired,
            field,
            format!("{field} needs at least one entry"),
        ));
    }
    Ok(())
}

/// A list with an upper bound on its length.
pub fn max_items<T>(field: &str, v: &[T], max: usize) -> ApiResult<()> {
    if v.len() > max {
        return Err(ApiError::at(
            ErrorCode::ValidationTooMany,
            field,
            format!("{field} has more than {max} entries"),
        ));
    }
    Ok(())
}

/// A division code: 2, 4, 6, 9 or 12 digits.
pub fn division_code(field: &str, s: &str) -> ApiResult<String> {
    let t = s.trim();
    if !t.chars().all(|c| c.is_ascii_digit()) || ![2, 4, 6, 9, 12].contains(&t.len()) {
        return Err(ApiError::at(
            ErrorCode::ValidationDivisionCodeFormat,
            field,
            format!("{field} is not a division code (2, 4, 6, 9 or 12 digits)"),
        ));
    }
    Ok(t.to_string())
}

/// The half-open range of codes under a division code prefix: [prefix, prefix+1).
pub fn subtree_range(prefix: &str) -> (String, String) {
    let mut upper = prefix.as_bytes().to_vec();
    // Codes are ASCII digits; incrementing the last byte gives the exclusive upper bound.
    if let Some(last) = upper.last_mut() {
        *last += 1;
    }
    (
        prefix.to_string(),
        String::from_utf8(upper).unwrap_or_default(),
    )
}
