//! The household search index (FTS5 table `household_search`): the terms that find a household
//! (names with pinyin and initials, case number, phones), rebuilt
//! whenever a household or a member changes, and the match expression for a user's search.
//! A leaf: households and members write it, the household list and the demo load read it.

use rusqlite::params;

use super::Env;
use crate::error::ApiResult;
use crate::search_terms;
pub use crate::search_terms::{household_terms, household_terms_with};

pub fn rebuild_search_terms(env: &Env, household_id: &str) -> ApiResult<()> {
    let (case_no, phone, search_id): (String, Option<String>, i64) = env.tx.query_row(
        "SELECT case_no, phone, search_id FROM household WHERE id = ?1",
        [household_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut st = env
        .tx
        .prepare_cached(crate::search_terms::MEMBER_TERMS_SQL)?;
    let members = st
        .query_map([household_id], |r| Ok((r.get(0)?, r.get(1)?)))?
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
