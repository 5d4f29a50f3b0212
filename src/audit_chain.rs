//! The audit trail as a hash chain, so that a record changed after the fact can be found.
//!
//! Every audit row carries the hash of the row before it (`prev_hash`) and its own `hash`:
//! SHA-256 over `prev_hash` and the row's fields. Sequence numbers are given out here, one
//! after the other, so a gap means a removed row. Triggers (schema 3) refuse UPDATE and DELETE
//! on sealed rows; [`verify`] finds what someone did around them (dropping the triggers first):
//! the first row altered, inserted or missing.
//!
//! What it cannot find: rows cut off the end of the trail, or a forger who recomputes every hash
//! after the one they changed (the hash has no secret). SECURITY.md says what covers those.

use std::fmt::Write as _;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of one audit row that the hash covers.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub at: &'a str,
    pub actor_id: Option<&'a str>,
    pub command: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub household_id: Option<&'a str>,
    pub before_json: Option<&'a str>,
    pub after_json: Option<&'a str>,
}

/// The hash of row `seq` following `prev_hash`: SHA-256 of the previous hash, a newline and the
/// row's fields as a JSON array (a fixed, unambiguous encoding), in lower-case hex.
pub fn hash(prev_hash: &str, seq: i64, e: &Entry<'_>) -> String {
    let fields = serde_json::json!([
        seq,
        e.at,
        e.actor_id,
        e.command,
        e.entity_type,
        e.entity_id,
        e.household_id,
        e.before_json,
        e.after_json
    ]);
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(fields.to_string().as_bytes());
    let mut out = String::with_capacity(64);
    for b in h.finalize().iter() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The last link of the chain: (seq, hash), or (0, GENESIS) for an empty trail.
pub fn head(conn: &Connection) -> ApiResult<(i64, String)> {
    let last = conn
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?)),
        )
        .optional()?;
    Ok(match last {
        Some((seq, hash)) => (seq, hash.unwrap_or_else(|| GENESIS.to_string())),
        None => (0, GENESIS.to_string()),
    })
}

/// Append one row to the chain (inside the caller's write transaction, which holds the write
/// lock, so nobody appends in between).
pub fn append(tx: &Transaction<'_>, e: &Entry<'_>) -> ApiResult<()> {
    let (last, prev) = head(tx)?;
    let seq = last + 1;
    let h = hash(&prev, seq, e);
    let inserted = tx
        .prepare_cached(
            "INSERT INTO audit(seq, at, actor_id, command, entity_type, entity_id, household_id,
                           before_json, after_json, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            seq,
            e.at,
            e.actor_id,
            e.command,
            e.entity_type,
            e.entity_id,
            e.household_id,
            e.before_json,
            e.after_json,
            prev,
            h
        ])?;
    // The row must be there as written: a trigger planted on `audit` (RAISE(IGNORE), or one
    // that deletes or rewrites the row) would otherwise let the command go through unrecorded.
    // Then the command fails, and its transaction with it.
    let kept: Option<String> = tx
        .prepare_cached("SELECT hash FROM audit WHERE seq = ?1")?
        .query_row([seq], |r| r.get(0))
        .optional()?;
    if inserted != 1 || kept.as_deref() != Some(h.as_str()) {
        return Err(ApiError::new(
            ErrorCode::AuditSilenced,
            "the audit trail did not keep the row just written; run yihu check",
        ));
    }
    Ok(())
}

/// Seal a trail written before schema 3 (no row has a hash yet): chain its rows in order.
/// Does nothing once any row is sealed, so a row slipped in later stays unsealed and
/// [`verify`] reports it.
pub fn seal_legacy(conn: &mut Connection) -> ApiResult<usize> {
    // Stops at the first sealed row: on a sealed trail that is the first row read.
    let sealed: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM audit WHERE hash IS NOT NULL)",
        [],
        |r| r.get(0),
    )?;
    if sealed {
        return Ok(0);
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut rows = Vec::new();
    loop {
        let more = read_rows(&tx, rows.last().map_or(0, |r: &Stored| r.seq))?;
        if more.is_empty() {
            break;
        }
        rows.extend(more);
    }
    if rows.is_empty() {
        return Ok(0);
    }
    // Renumber from 1 without gaps (AUTOINCREMENT may have skipped numbers), then chain.
    let mut prev = GENESIS.to_string();
    {
        let mut up = tx.prepare(
            "UPDATE audit SET seq = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1 AND hash IS NULL",
        )?;
        for (i, r) in rows.iter().enumerate() {
            let seq = i as i64 + 1;
            let h = hash(&prev, seq, &r.entry());
            up.execute(params![r.seq, seq, prev, h])?;
            prev = h;
        }
    }
    tx.commit()?;
    Ok(rows.len())
}

/// One stored audit row as read back for checking.
struct Stored {
    seq: i64,
    at: String,
    actor_id: Option<String>,
    command: String,
    entity_type: String,
    entity_id: String,
    household_id: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
    prev_hash: Option<String>,
    hash: Option<String>,
}

impl Stored {
    fn entry(&self) -> Entry<'_> {
        Entry {
            at: &self.at,
            actor_id: self.actor_id.as_deref(),
            command: &self.command,
            entity_type: &self.entity_type,
            entity_id: &self.entity_id,
            household_id: self.household_id.as_deref(),
            before_json: self.before_json.as_deref(),
            after_json: self.after_json.as_deref(),
        }
    }
}

fn read_rows(conn: &Connection, after_seq: i64) -> ApiResult<Vec<Stored>> {
    let mut st = conn.prepare(
        "SELECT seq, at, actor_id, command, entity_type, entity_id, household_id, before_json,
                after_json, prev_hash, hash
         FROM audit WHERE seq > ?1 ORDER BY seq LIMIT 10000",
    )?;
    let rows = st
        .query_map([after_seq], |r| {
            Ok(Stored {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor_id: r.get(2)?,
                command: r.get(3)?,
                entity_type: r.get(4)?,
                entity_id: r.get(5)?,
                household_id: r.get(6)?,
                before_json: r.get(7)?,
                after_json: r.get(8)?,
                prev_hash: r.get(9)?,
                hash: r.get(10)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// What is wrong with a row of the trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The row's fields no longer give its hash: it was changed after it was written.
    Altered,
    /// The row was not written by Yihu: it has no hash, or neither its hash nor its link to
    /// the row before it is right.
    Inserted,
    /// Sequence numbers jump: rows were removed here.
    Missing,
    /// The row is consistent in itself but does not follow the row before it: that row was
    /// replaced (changed and its hash recomputed), or this one was forged.
    Broken,
    /// The trail is shorter than the head recorded outside the file (in the keyring and its
    /// copy in the backup folder), or differs from it at that row: rows were cut from its end,
    /// or the whole trail was rewritten or swapped for another.
    Truncated,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct ChainProblem {
    pub kind: ProblemKind,
    /// The altered or inserted row, or the first missing sequence number.
    pub seq: i64,
    /// For missing rows: how many.
    pub count: i64,
}

/// The result of `yihu audit verify`.
#[derive(Debug, Clone, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct Verification {
    pub ok: bool,
    /// Rows read, up to and including the first problem.
    pub rows_checked: i64,
    /// The last row's sequence number and hash: write them down (or keep a backup) to detect
    /// later truncation.
    pub last_seq: i64,
    pub last_hash: String,
    pub first_problem: Option<ChainProblem>,
}

/// Walk the whole trail in order and report the first row altered, inserted or missing.
pub fn verify(conn: &Connection) -> ApiResult<Verification> {
    let mut prev_seq = 0i64;
    let mut prev_hash = GENESIS.to_string();
    let mut checked = 0i64;
    let mut problem = None;
    'outer: loop {
        let rows = read_rows(conn, prev_seq)?;
        if rows.is_empty() {
            break;
        }
        for r in rows {
            checked += 1;
            let found = |kind, seq, count| Some(ChainProblem { kind, seq, count });
            let (Some(stored_prev), Some(stored_hash)) = (&r.prev_hash, &r.hash) else {
                problem = found(ProblemKind::Inserted, r.seq, 1);
                break 'outer;
            };
            if r.seq != prev_seq + 1 {
                problem = found(ProblemKind::Missing, prev_seq + 1, r.seq - prev_seq - 1);
                break 'outer;
            }
            let follows = *stored_prev == prev_hash;
            if hash(stored_prev, r.seq, &r.entry()) != *stored_hash {
                // Changed after it was written; a row that neither hashes right nor follows its
                // predecessor was made up.
                let kind = if follows {
                    ProblemKind::Altered
                } else {
                    ProblemKind::Inserted
                };
                problem = found(kind, r.seq, 1);
                break 'outer;
            }
            if !follows {
                problem = found(ProblemKind::Broken, r.seq, 1);
                break 'outer;
            }
            prev_seq = r.seq;
            prev_hash = stored_hash.clone();
        }
    }
    Ok(Verification {
        ok: problem.is_none(),
        rows_checked: checked,
        last_seq: prev_seq,
        last_hash: prev_hash,
        first_problem: problem,
    })
}

/// The anchors known for the database `conn` has open: the keyring beside it and the
/// keyring's copy in the backup folder (none for a plain or in-memory database).
fn anchors(conn: &Connection) -> ApiResult<Vec<crate::keyring::Anchor>> {
    let Some(path) = conn
        .path()
        .filter(|p| !p.is_empty())
        .map(std::path::Path::new)
    else {
        return Ok(Vec::new());
    };
    let copy = crate::backup::default_dir(path).join(
        crate::keyring::path_for(path)
            .file_name()
            .unwrap_or_default(),
    );
    let mut out = Vec::new();
    if let Some(ring) = crate::keyring::Keyring::load(path)? {
        out.extend(ring.anchor);
    }
    // The copy is read as a keyring file of its own (its name is the database's plus `.keys`).
    if let Ok(text) = std::fs::read_to_string(&copy)
        && let Ok(ring) = serde_json::from_str::<crate::keyring::Keyring>(&text)
    {
        out.extend(ring.anchor);
    }
    Ok(out)
}

/// Whether the trail of `conn` still holds every anchor recorded outside the file: the row
/// at each anchor's sequence number must be there with the anchor's hash.
pub fn anchor_problem(conn: &Connection) -> ApiResult<Option<ChainProblem>> {
    for a in anchors(conn)? {
        if let Some(p) = problem_at(conn, &a)? {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// The trail of `conn` against one anchor.
fn problem_at(conn: &Connection, a: &crate::keyring::Anchor) -> ApiResult<Option<ChainProblem>> {
    let hash: Option<Option<String>> = conn
        .query_row("SELECT hash FROM audit WHERE seq = ?1", [a.seq], |r| {
            r.get(0)
        })
        .optional()?;
    let empty_at_start = a.seq == 0 && a.hash == GENESIS;
    Ok(
        (!empty_at_start && hash.flatten().as_deref() != Some(a.hash.as_str())).then_some(
            ChainProblem {
                kind: ProblemKind::Truncated,
                seq: a.seq,
                count: 1,
            },
        ),
    )
}

/// The anchor to record now for the trail of `conn`: its head, unless that would move a
/// known anchor back or away from the trail (the evidence of a cut is kept, not overwritten).
/// `force` (after a restore, which records the head it replaced) moves it anyway.
pub fn next_anchor(
    conn: &Connection,
    current: Option<&crate::keyring::Anchor>,
    force: bool,
) -> ApiResult<Option<crate::keyring::Anchor>> {
    let (seq, hash) = head(conn)?;
    let next = crate::keyring::Anchor { seq, hash };
    match current {
        Some(c) if *c == next => Ok(None),
        Some(c) if !force && problem_at(conn, c)?.is_some() => Ok(None),
        _ => Ok(Some(next)),
    }
}
