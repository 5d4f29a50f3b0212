//! The bulk load of the generated households, fast enough for 100,000: one thread runs the
//! [`Generator`], this one writes the file's tables with prepared statements (secondary
//! indexes dropped and rebuilt once, no journal), and a third builds the search index in an
//! in-memory side database that is copied into the file at the end.

use chrono::Duration;
use rusqlite::{Connection, params};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::Options;
use super::generator::Generator;
use super::rows::{Batch, LOAD, Stmts, on_side};
use super::staff::{Ids, StaffBook};
use crate::ctx::Ctx;
use crate::error::{ApiError, ApiResult};

/// Write every batch from `batches` with the statements of the tables of one writer.
fn write_batches(
    tx: &rusqlite::Transaction<'_>,
    side: bool,
    batches: std::sync::mpsc::Receiver<Batch>,
    recycle: &std::sync::mpsc::Sender<Batch>,
) -> ApiResult<()> {
    let mut stmts = LOAD
        .iter()
        .map(|(table, sql)| {
            (on_side(table) == side)
                .then(|| tx.prepare_cached(sql))
                .transpose()
        })
        .collect::<Result<Vec<_>, _>>()?;
    for mut batch in batches.iter() {
        for (st, rows) in stmts.iter_mut().zip(batch.iter_mut()) {
            if let Some(st) = st {
                rows.write(st)?;
            }
            rows.clear();
        }
        // The generator may have finished; then the buffers are simply dropped.
        let _ = recycle.send(batch);
    }
    Ok(())
}

/// Households generated per batch handed to the loader.
const BATCH: u32 = 250;

pub(super) fn bulk(
    conn: &mut Connection,
    rng: &mut fastrand::Rng,
    opts: &Options,
    used_ids: &mut HashSet<String>,
) -> ApiResult<()> {
    if opts.households == 0 {
        return Ok(());
    }
    // A bulk load into a fresh file: secondary indexes are rebuilt once at the end (faster than
    // maintaining them row by row). The side tables keep theirs: they arrive built.
    let tables: Vec<&str> = LOAD
        .iter()
        .map(|(table, _)| *table)
        .filter(|table| !on_side(table))
        .collect();
    let indexes = index_sql(conn, &tables)?;
    // Demo data goes into a new file that nobody else has open, so the load skips the journal
    // and per-row key checks; `yihu check` verifies every key afterwards. An interrupted demo
    // load leaves a file to delete and build again (it never touches a file with real data:
    // `build` refuses a database that holds anything).
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -100000;",
    )?;
    // The query planner's statistics are gathered before the file goes back to WAL mode, so
    // the WAL stays empty and closing the connection has nothing to checkpoint. The pages are
    // then the operating system's to write out, as for any copied file (no fsync of the
    // whole file here).
    let result = bulk_load(conn, rng, opts, used_ids, &indexes).and_then(|()| {
        Ok(conn.execute_batch("PRAGMA analysis_limit = 1000; ANALYZE; PRAGMA optimize;")?)
    });
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -64000;",
    )?;
    result?;
    Ok(())
}

/// The `CREATE INDEX` statements of `tables` (automatic indexes of keys excluded).
fn index_sql(conn: &Connection, tables: &[&str]) -> ApiResult<Vec<(String, String)>> {
    let mut st = conn.prepare(&format!(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({}) ORDER BY name",
        tables.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(",")
    ))?;
    Ok(st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
}

/// Run `f` with the side database attached to `conn` as `side`: before the load, to create the
/// search index there, and after it, to copy the index into the file. It is detached while the
/// side writer writes it (a shared cache allows one writer at a time).
fn with_side<T>(
    conn: &mut Connection,
    uri: &str,
    f: impl FnOnce(&mut Connection) -> ApiResult<T>,
) -> ApiResult<T> {
    conn.execute("ATTACH DATABASE ?1 AS side KEY ''", [uri])?;
    let result = f(conn);
    let detached = conn.execute_batch("DETACH DATABASE side");
    let value = result?;
    detached?;
    Ok(value)
}

/// `sql`, the file's `CREATE VIRTUAL TABLE name` statement, made to create the same table in
/// the side database.
fn in_side(sql: &str) -> ApiResult<String> {
    sql.strip_prefix("CREATE VIRTUAL TABLE ")
        .map(|rest| format!("CREATE VIRTUAL TABLE side.{rest}"))
        .ok_or_else(|| ApiError::internal("demo: unexpected search index definition"))
}

/// The side writer: fills the search index in the in-memory side database from `batches`,
/// then merges it into one segment, as a search reads it fastest.
fn side_writer(
    conn: &mut Connection,
    batches: std::sync::mpsc::Receiver<Batch>,
    recycle: std::sync::mpsc::Sender<Batch>,
) -> ApiResult<()> {
    let tx = conn.transaction()?;
    write_batches(&tx, true, batches, &recycle)?;
    drop(recycle);
    tx.execute_batch(
        "INSERT INTO household_search(household_search) VALUES ('optimize');
         INSERT INTO household_search(household_search, rank) VALUES ('automerge', 4);
         INSERT INTO household_search(household_search, rank) VALUES ('crisismerge', 16);",
    )?;
    tx.commit()?;
    Ok(())
}

fn bulk_load(
    conn: &mut Connection,
    rng: &mut fastrand::Rng,
    opts: &Options,
    used_ids: &mut HashSet<String>,
    indexes: &[(String, String)],
) -> ApiResult<()> {
    // The side database lives in memory only, while the side writer's connection holds it open
    // (a named in-memory database with a shared cache); never encrypted, never on disk.
    let side_uri = format!(
        "file:yihu-demo-{}?mode=memory&cache=shared",
        uuid::Uuid::now_v7().simple()
    );
    let mut side_conn = Connection::open_with_flags(
        &side_uri,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
            | rusqlite::OpenFlags::SQLITE_OPEN_CREATE
            | rusqlite::OpenFlags::SQLITE_OPEN_URI
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    side_conn.execute_batch("PRAGMA journal_mode = OFF;")?;
    let search_sql: String = conn.query_row(
        "SELECT sql FROM main.sqlite_master WHERE name = 'household_search'",
        [],
        |r| r.get(0),
    )?;
    // The search index is created in the side database as in the file, with the article
    // households' documents. Merging is left to the end: segments accumulate during the load
    // and are merged once (instead of level by level as they fill up).
    with_side(conn, &side_uri, |conn| {
        conn.execute_batch(&in_side(&search_sql)?)?;
        let tx = conn.transaction()?;
        tx.execute_batch(
            "INSERT INTO side.household_search(household_search, rank) VALUES ('automerge', 0);
             INSERT INTO side.household_search(household_search, rank) VALUES ('crisismerge', 100000);
             INSERT INTO side.household_search(rowid, terms) SELECT rowid, terms FROM main.household_search;",
        )?;
        tx.commit()?;
        Ok(())
    })?;
    load_rows(conn, &mut side_conn, rng, opts, used_ids, indexes)?;
    // The search index comes back whole, replacing the file's (the article's documents only).
    with_side(conn, &side_uri, |conn| {
        let tx = conn.transaction()?;
        // The index's own tables (FTS5's shadow tables, whichever it made), each emptied and
        // filled from the side database's: SQLite's transfer of a table into an empty one of
        // the same definition copies the rows without decoding them.
        let shadow: Vec<String> = tx
            .prepare(
                "SELECT name FROM main.sqlite_master
                 WHERE type = 'table' AND name LIKE 'household!_search!_%' ESCAPE '!'",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for table in &shadow {
            tx.execute_batch(&format!(
                "DELETE FROM main.\"{table}\"; INSERT INTO main.\"{table}\" SELECT * FROM side.\"{table}\";"
            ))?;
        }
        tx.commit()?;
        Ok(())
    })?;
    drop(side_conn);
    Ok(())
}

/// Generate the households and write them: this thread writes the file's tables, the side
/// writer the search index.
fn load_rows(
    conn: &mut Connection,
    side_conn: &mut Connection,
    rng: &mut fastrand::Rng,
    opts: &Options,
    used_ids: &mut HashSet<String>,
    indexes: &[(String, String)],
) -> ApiResult<()> {
    let t = opts.today;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for (name, _) in indexes {
        tx.execute_batch(&format!("DROP INDEX main.\"{name}\""))?;
    }
    let townships: Vec<(String, String)> = {
        let mut st = tx.prepare("SELECT code, name FROM division WHERE level = 'township' AND code LIKE '32%' ORDER BY code")?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?
    };
    if townships.is_empty() {
        return Err(ApiError::internal("no Jiangsu townships loaded"));
    }
    let counters: HashMap<(String, i32), i64> = {
        let mut st = tx.prepare("SELECT county_code, year, last_seq FROM case_counter")?;
        st.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
            .collect::<Result<_, _>>()?
    };
    let next_search_id: i64 = tx.query_row(
        "SELECT coalesce(max(search_id), 0) + 1 FROM household",
        [],
        |r| r.get(0),
    )?;
    let now_ts = Ctx::fixed(None, t).timestamp();
    let base_ms = u64::try_from(
        (t - Duration::days(1000))
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc().timestamp_millis())
            .unwrap_or(0),
    )
    .unwrap_or(0);
    let id_seed = rng.u64(..);
    let audit_head = crate::audit_chain::head(&tx)?;
    // Two cores, three threads: one makes the rows (names, schedules, search terms); this one
    // writes most tables into the file; the side writer fills the largest tables and the search
    // index in memory. The generator runs ahead by at most a few batches.
    let (send, receive) = std::sync::mpsc::sync_channel::<Batch>(4);
    let (side_send, side_receive) = std::sync::mpsc::sync_channel::<Batch>(4);
    let (recycle, recycled) = std::sync::mpsc::channel::<Batch>();
    let side_recycle = recycle.clone();
    let (written, side_written, generated) = std::thread::scope(|scope| {
        let townships = &townships;
        let now_ts = &now_ts;
        let side = scope.spawn(move || side_writer(side_conn, side_receive, side_recycle));
        let generator = scope.spawn(move || -> ApiResult<HashMap<(String, i32), i64>> {
            let mut g = Generator {
                s: Stmts {
                    audit_head,
                    next_search_id,
                    ..Stmts::default()
                },
                rng,
                ids: Ids {
                    rng: fastrand::Rng::with_seed(id_seed),
                    ms: base_ms,
                },
                t,
                now_ts,
                townships,
                counters,
                name_cache: HashMap::with_capacity_and_hasher(
                    opts.households as usize * 2,
                    Default::default(),
                ),
                staff: StaffBook::new(opts.seed),
                used_ids,
            };
            for n in 0..opts.households {
                g.household()?;
                if (n + 1) % BATCH == 0 {
                    let (main, side) = g.s.take(&recycled);
                    if send.send(main).is_err() || side_send.send(side).is_err() {
                        // A writer stopped (it reports why).
                        return Ok(g.counters);
                    }
                }
            }
            // A closed channel here means a writer stopped; it reports why.
            let (main, side) = g.s.take(&recycled);
            let _ = send.send(main);
            let _ = side_send.send(side);
            Ok(g.counters)
        });
        let written = (|| -> ApiResult<()> {
            write_batches(&tx, false, receive, &recycle)?;
            for (_, sql) in indexes {
                tx.execute_batch(sql)?;
            }
            Ok(())
        })();
        let generated = generator
            .join()
            .unwrap_or_else(|_| Err(ApiError::internal("demo generator stopped unexpectedly")));
        let side_written = side
            .join()
            .unwrap_or_else(|_| Err(ApiError::internal("demo side writer stopped unexpectedly")));
        (written, side_written, generated)
    });
    written?;
    side_written?;
    let counters = generated?;
    for ((county, year), seq) in &counters {
        tx.execute(
            "INSERT INTO case_counter(county_code, year, last_seq) VALUES (?1, ?2, ?3)
             ON CONFLICT(county_code, year) DO UPDATE SET last_seq = excluded.last_seq",
            params![county, year, seq],
        )?;
    }
    tx.commit()?;
    Ok(())
}
