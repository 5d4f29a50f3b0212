//! Upgrading databases written by earlier versions of Yihu. Each earlier schema version has a
//! committed fixture under `tests/fixtures/` (how each was made: `tests/fixtures/README.md`);
//! each must open with this build, come out at the current schema and keep every row. Also the
//! schema's own cost invariant: no CHECK constraint makes SQLite build a temporary index on
//! every insert (what schema 2 fixed).

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde_json::json;
use tempfile::TempDir;
use uuid::Uuid;
use yihu::{Ctx, api, check, db};

use crate::common::{contents, date};

/// (schema version, fixture file) for every schema before the current one.
const FIXTURES: &[(i64, &str)] = &[
    (1, "schema-1.db"),
    (2, "schema-2.db"),
    (3, "schema-3.db"),
    (4, "schema-4.db"),
    (5, "schema-5.db"),
    (6, "schema-6.db"),
    (7, "schema-7.db"),
    (8, "schema-8.db"),
];

fn fixture(name: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("yihu.db");
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::copy(&src, &path).expect("copy the fixture");
    (dir, path)
}

/// The columns of every table of the database at `path`.
fn columns_by_table(path: &Path) -> Vec<(String, Vec<String>)> {
    let conn = Connection::open(path).expect("open");
    contents(path)
        .into_iter()
        .map(|(t, _)| {
            let cols = conn
                .prepare(&format!(
                    "SELECT name FROM pragma_table_info('{t}') ORDER BY cid"
                ))
                .expect("columns")
                .query_map([], |r| r.get(0))
                .expect("columns")
                .collect::<Result<Vec<String>, _>>()
                .expect("columns");
            (t, cols)
        })
        .collect()
}

/// Like `contents`, but only the given columns of the given tables.
fn contents_of(path: &Path, columns: &[(String, Vec<String>)]) -> Vec<(String, Vec<String>)> {
    let full = contents(path);
    let conn = Connection::open(path).expect("open");
    columns
        .iter()
        .filter(|(t, _)| full.iter().any(|(f, _)| f == t))
        .map(|(t, cols)| {
            let list = cols
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ");
            let mut st = conn
                .prepare(&format!("SELECT {list} FROM \"{t}\" ORDER BY {list}"))
                .expect("select");
            let rows = st
                .query_map([], |r| {
                    let mut row = Vec::with_capacity(cols.len());
                    for i in 0..cols.len() {
                        row.push(format!("{:?}", r.get_ref(i)?));
                    }
                    Ok(row.join("|"))
                })
                .expect("rows")
                .collect::<Result<Vec<_>, _>>()
                .expect("rows");
            (t.clone(), rows)
        })
        .collect()
}

fn user_version(path: &Path) -> i64 {
    Connection::open(path)
        .expect("open")
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version")
}

/// Tables whose INSERT makes SQLite open a temporary (ephemeral) table, and why not.
fn tables_with_ephemeral_inserts(conn: &Connection) -> Vec<String> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
               AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name NOT LIKE 'household_search_%'
             ORDER BY name",
        )
        .expect("tables")
        .query_map([], |r| r.get(0))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("tables");
    assert!(tables.len() > 10, "found only {tables:?}");
    tables
        .into_iter()
        .filter(|t| {
            // EXPLAIN compiles the statement without running it, so NOT NULL columns don't matter.
            let mut st = conn
                .prepare(&format!("EXPLAIN INSERT INTO \"{t}\" DEFAULT VALUES"))
                .expect("explain");
            let ops: Vec<String> = st
                .query_map([], |r| r.get::<_, String>(1))
                .expect("explain")
                .collect::<Result<_, _>>()
                .expect("explain");
            ops.iter().any(|op| op == "OpenEphemeral")
        })
        .collect()
}

#[test]
fn there_is_a_fixture_for_every_earlier_schema() {
    let current = db::schema_version() as i64;
    let versions: Vec<i64> = FIXTURES.iter().map(|(v, _)| *v).collect();
    assert_eq!(
        versions,
        (1..current).collect::<Vec<_>>(),
        "add tests/fixtures/schema-N.db for every schema before {current} (see its README)"
    );
    for (v, name) in FIXTURES {
        let (_dir, path) = fixture(name);
        assert_eq!(user_version(&path), *v, "{name} is not at schema {v}");
    }
}

#[test]
fn each_earlier_schema_upgrades_with_its_data_intact() {
    for (v, name) in FIXTURES {
        let (_dir, path) = fixture(name);
        let columns = columns_by_table(&path);
        let before = contents_of(&path, &columns);
        let households = before
            .iter()
            .find(|(t, _)| t == "household")
            .map(|(_, rows)| rows.len())
            .unwrap_or(0);
        assert!(households > 10, "{name} holds {households} households");

        let mut conn = db::open(&path).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(user_version(&path), db::schema_version() as i64, "{name}");
        // Compared on the columns the old schema had (later schemas may add some).
        let after = contents_of(&path, &columns);
        for (table, rows) in &before {
            let now = after
                .iter()
                .find(|(t, _)| t == table)
                .map(|(_, r)| r)
                .unwrap_or_else(|| panic!("{name} (schema {v}): table {table} is gone"));
            if table.starts_with("household_search") {
                // The search index is derived data, rebuilt when what it holds changes
                // (db::SEARCH_TERMS_VERSION); the search tests check what it finds.
                continue;
            }
            if table == "division" || table == "meta" {
                // The fixture keeps only the divisions its rows use; opening reloads the
                // national data, so these may only grow.
                let missing: Vec<&String> = rows.iter().filter(|r| !now.contains(r)).collect();
                assert!(missing.is_empty(), "{name}: {table} lost {missing:?}");
            } else {
                assert_eq!(
                    rows, now,
                    "{name} (schema {v}): rows of {table} changed in the upgrade"
                );
            }
        }
        let problems = check::run(&conn).expect("check");
        assert!(problems.is_empty(), "{name}: {problems:?}");
        // The trail written before the hash chain was chained when first opened.
        let chain = yihu::audit_chain::verify(&conn).expect("verify");
        let audit_rows: i64 = conn
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
            .expect("count");
        assert!(
            chain.ok && chain.rows_checked == audit_rows,
            "{name}: {chain:?}"
        );

        // The upgraded data works: the caseworker of the article's first household finds it by
        // pinyin initials and records a new visit on it.
        let cw: String = conn
            .query_row(
                "SELECT caseworker_id FROM household WHERE case_no = '321324-2026-0001'",
                [],
                |r| r.get(0),
            )
            .expect("the first household's caseworker");
        let ctx = Ctx::fixed(
            Some(Uuid::parse_str(&cw).expect("uuid")),
            date("2026-06-16"),
        );
        let found = api::dispatch(
            &mut conn,
            &ctx,
            "household.list",
            &json!({"q": "wxl"}).to_string(),
        )
        .unwrap_or_else(|e| panic!("{name}: search {e:?}"));
        let hid = found["items"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: wxl found nothing: {found}"))
            .to_string();
        api::dispatch(
            &mut conn,
            &ctx,
            "visit.log",
            &json!({"household_id": hid, "kind": "phone_call", "visited_on": "2026-06-16",
                    "notes": "升级后回访"})
            .to_string(),
        )
        .unwrap_or_else(|e| panic!("{name}: visit.log {e:?}"));
        assert!(check::run(&conn).expect("check").is_empty(), "{name}");
    }
}

#[test]
fn no_check_constraint_builds_a_temporary_index_on_every_insert() {
    // The probe can fail: schema 1, untouched, wrote `x IN ('a','b','c')` checks.
    let (_old_dir, old) = fixture("schema-1.db");
    let slow = tables_with_ephemeral_inserts(&Connection::open(&old).expect("open"));
    for t in ["household", "visit", "occurrence", "need", "action"] {
        assert!(
            slow.contains(&t.to_string()),
            "schema 1's {t} should show the slow CHECK: {slow:?}"
        );
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let conn = db::open(&dir.path().join("yihu.db")).expect("open");
    assert_eq!(tables_with_ephemeral_inserts(&conn), Vec::<String>::new());
    // The upgraded fixture as well.
    let (_dir, upgraded) = fixture("schema-1.db");
    let conn = db::open(&upgraded).expect("upgrade");
    assert_eq!(tables_with_ephemeral_inserts(&conn), Vec::<String>::new());
}

#[test]
fn the_rewritten_checks_still_refuse_values_outside_their_lists() {
    let (_dir, path) = fixture("schema-1.db");
    let conn = db::open(&path).expect("upgrade");
    let cases = [
        ("division", "level", "1"),
        ("staff", "role", "1"),
        ("partner", "kind", "1"),
        ("household", "referral_source", "1"),
        ("household", "priority", "1"),
        ("household", "status", "1"),
        ("household", "closure_reason", "status = 'closed'"),
        ("household_support", "kind", "1"),
        ("visit", "status", "1"),
        ("visit", "kind", "1"),
        ("need", "priority", "1"),
        ("need", "status", "1"),
        ("plan_version", "status", "1"),
        ("action", "status", "1"),
        ("occurrence", "status", "1"),
    ];
    for (table, column, rows) in cases {
        let n: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM \"{table}\" WHERE {rows}"),
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert!(n > 0, "the fixture has no {table} rows to try");
        let before = contents(&path);
        let e = conn
            .execute(
                &format!("UPDATE \"{table}\" SET \"{column}\" = 'not_a_value' WHERE {rows}"),
                [],
            )
            .expect_err(&format!(
                "{table}.{column} accepted a value outside its list"
            ));
        assert!(
            e.to_string().contains("CHECK constraint failed"),
            "{table}.{column}: {e}"
        );
        assert!(contents(&path) == before, "{table}.{column}: rows changed");
        // Every listed value is still accepted: setting the column to what it holds is a no-op
        // that re-runs the check.
        conn.execute(
            &format!("UPDATE \"{table}\" SET \"{column}\" = \"{column}\" WHERE {rows}"),
            [],
        )
        .unwrap_or_else(|e| panic!("{table}.{column} refused its own values: {e}"));
    }
}
