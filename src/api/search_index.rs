//! The household search index (FTS5 table `household_search`): the terms that find a household
//! (names with pinyin and initials, case number, phones, last digits of ID numbers), rebuilt
//! whenever a household or a member changes, and the match expression for a user's search.
//! A leaf: households and members write it, the household list and the demo load read it.

use rusqlite::params;

use super::Env;
use crate::error::ApiResult;
use crate::search_terms;

/// Terms that find a household: case number, phones, member names (with pinyin and
/// initials), and the last 4 and 6 characters of ID numbers (never the whole number).
pub fn household_terms(
    case_no: &str,
    phone: Option<&str>,
    members: &[(String, Option<String>, Option<String>)],
) -> Vec<String> {
    household_terms_with(case_no, phone, members, search_terms::name_terms)
}

/// `household_terms` with the name terms supplied by the caller (the bulk demo load reuses
/// the terms of names it has already seen).
pub fn household_terms_with(
    case_no: &str,
    phone: Option<&str>,
    members: &[(String, Option<String>, Option<String>)],
    mut name_terms: impl FnMut(&str) -> Vec<String>,
) -> Vec<String> {
    let mut terms = Vec::with_capacity(8 + members.len() * 10);
    terms.push(case_no.to_lowercase());
    if let Some(rest) = case_no.get(7..) {
        terms.push(rest.to_string());
    }
    let push_phone = |p: &str, terms: &mut Vec<String>| {
        let digits: String = p.chars().filter(|c| c.is_ascii_digit()).collect();
        if digits.len() >= 4 {
            terms.push(digits[digits.len() - 4..].to_string());
        }
        // +86 139… is also found as 139…, the way people say it.
        if let Some(national) = p.strip_prefix("+86").and(digits.strip_prefix("86")) {
            terms.push(national.to_string());
        }
        terms.push(digits);
    };
    if let Some(p) = phone {
        push_phone(p, &mut terms);
    }
    for (name, phone, id_number) in members {
        terms.extend(name_terms(name));
        if let Some(p) = phone {
            push_phone(p, &mut terms);
        }
        if let Some(n) = id_number {
            let chars: Vec<char> = n.to_lowercase().chars().collect();
            for k in [4usize, 6] {
                if chars.len() >= k {
                    terms.push(chars[chars.len() - k..].iter().collect());
                }
            }
        }
    }
    terms.retain(|t| !t.is_empty());
    terms.sort();
    terms.dedup();
    terms
}

pub fn rebuild_search_terms(env: &Env, household_id: &str) -> ApiResult<()> {
    let (case_no, phone, search_id): (String, Option<String>, i64) = env.tx.query_row(
        "SELECT case_no, phone, search_id FROM household WHERE id = ?1",
        [household_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut st = env.tx.prepare_cached(
        "SELECT name, phone, id_number FROM member WHERE household_id = ?1 AND removed_on IS NULL",
    )?;
    let members = st
        .query_map([household_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    env.tx
        .execute("DELETE FROM household_search WHERE rowid = ?1", [search_id])?;
    env.tx.execute(
        "INSERT INTO household_search(rowid, terms) VALUES (?1, ?2)",
        params![
            search_id,
            household_terms(&case_no, phone.as_deref(), &members).join(" ")
        ],
    )?;
    Ok(())
}

/// The FTS5 query for a user's search: every token must prefix-match some term. Tokens are
/// quoted (so no FTS syntax can be injected); a hyphenated token such as a case number becomes
/// a phrase whose last word is a prefix.
pub fn search_match(q: &str) -> Option<String> {
    let parts: Vec<String> = search_terms::query_tokens(q)
        .into_iter()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .map(|t| format!("\"{}\"*", t.replace('"', "\"\"")))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}
