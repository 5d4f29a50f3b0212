//! The demo's bulk load: the file it leaves is whole and sound on the very connection that
//! loaded it (the search index is built in a side database in memory and copied in at the
//! end), with 16 KB pages in a plain file and nothing left beside it.

use serde_json::json;
use yihu::check;

use crate::common::*;

#[test]
fn the_bulk_load_leaves_one_sound_file_that_searches_on_the_same_connection() {
    let (dir, _path, conn, summary) = demo_file(400, 11, "2026-11-28");
    assert_eq!(summary.households, 402);

    // The file's settings are back to the app's, with the bulk load's page size.
    let pragma = |name: &str| -> String {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| {
            r.get::<_, rusqlite::types::Value>(0)
        })
        .map(|v| match v {
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        })
        .expect("pragma")
    };
    assert_eq!(pragma("page_size"), "16384");
    assert_eq!(pragma("journal_mode"), "wal");
    assert_eq!(pragma("foreign_keys"), "1");

    // Every row is in the file: the counts, the indexes (integrity_check) and every invariant
    // `yihu check` knows, the search index's own check among them.
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect("count") };
    assert_eq!(count("SELECT count(*) FROM visit"), summary.visits);
    assert_eq!(
        count("SELECT count(*) FROM occurrence"),
        summary.occurrences
    );
    assert!(
        summary.visits > 3000 && summary.occurrences > 2000,
        "{summary:?}"
    );
    assert_eq!(
        count("SELECT count(*) FROM household_search"),
        summary.households
    );
    let problems = check::run(&conn).expect("check");
    assert!(problems.is_empty(), "{problems:?}");
    // The article households' visits are there beside the generated ones.
    assert!(
        count(
            "SELECT count(*) FROM visit v JOIN household h ON h.id = v.household_id
             WHERE h.case_no IN ('321324-2026-0001', '321023-2026-0001')"
        ) >= 2
    );

    // The search index answers on this connection: every household by its case number, and a
    // generated household through the command surface by its case number and its head's name.
    let households: Vec<(String, String)> = conn
        .prepare("SELECT id, case_no FROM household ORDER BY rowid")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    for (id, case_no) in &households {
        let found: Vec<String> = conn
            .prepare(
                "SELECT h.id FROM household_search s JOIN household h ON h.search_id = s.rowid
                 WHERE household_search MATCH ?1",
            )
            .expect("prepare")
            .query_map([format!("\"{case_no}\"")], |r| r.get(0))
            .expect("match")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(found, vec![id.clone()], "{case_no}");
    }
    let (id, case_no, cw, head): (String, String, String, String) = conn
        .query_row(
            "SELECT h.id, h.case_no, h.caseworker_id, m.name FROM household h
             JOIN member m ON m.household_id = h.id AND m.relation = 'head'
             WHERE h.rowid = 200",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("a generated household");
    let mut app = App::new();
    app.conn = conn;
    app.today = date("2026-11-28");
    let by_case = app.ok(&cw, "household.list", json!({"q": case_no}));
    assert_eq!(by_case["total"], 1, "{by_case}");
    assert_eq!(by_case["items"][0]["id"], json!(id));
    let by_name = app.ok(&cw, "household.list", json!({"q": head, "limit": 100}));
    let ids: Vec<&str> = by_name["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    assert!(ids.contains(&id.as_str()), "{head}: {by_name}");
    drop(app);

    // Nothing is left beside the database (the side database lived in memory only).
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names.retain(|n| n != "yihu.db-wal" && n != "yihu.db-shm");
    assert_eq!(names, vec!["yihu.db"]);
}

/// The names the demo's sign-in page offers (its staff) depend on the seed and the division,
/// not on the day the demo is anchored on: a demo made on another day, or by a test on another
/// day, has the same people to sign in as. (They once changed with the date, and an E2E test
/// that signed in by a generated name failed on the day the draw moved.)
#[test]
fn the_same_seed_offers_the_same_people_to_sign_in_as_on_any_day() {
    let people = |today: &str| -> std::collections::BTreeMap<(String, String), String> {
        let (_dir, _path, mut conn, _) = demo_file(300, 1, today);
        let list = yihu::api::dispatch(
            &mut conn,
            &yihu::ctx::Ctx::fixed(None, date(today)),
            "session.candidates",
            "{}",
        )
        .expect("session.candidates");
        let list = list.as_array().cloned().unwrap_or_default();
        assert!(list.len() > 20, "a demo with staff: {}", list.len());
        list.iter()
            .map(|p| {
                let text = |k: &str| p[k].as_str().unwrap_or_default().to_string();
                ((text("division_code"), text("role")), text("name"))
            })
            .collect()
    };
    let first = people("2026-11-28");
    for day in ["2026-12-02", "2028-02-29", "2027-01-01"] {
        let other = people(day);
        let both: Vec<_> = first.keys().filter(|k| other.contains_key(*k)).collect();
        assert!(
            both.len() > 20,
            "most divisions have staff on both days: {}",
            both.len()
        );
        for k in both {
            assert_eq!(first[k], other[k], "the {} of {} on {day}", k.1, k.0);
        }
    }
}
