//! Crash safety: a `yihu batch` process writing a stream of commands is killed with SIGKILL at
//! a random moment, 100 times over. After each kill the file must pass `integrity_check`, the
//! audit chain must verify, every write the process reported committed must be there whole
//! (its rows and its audit row), and the domain invariants (`yihu check`) must hold, so no
//! write is half done.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::Connection;
use serde_json::{Value, json};

use crate::common::*;

const ROUNDS: usize = 100;

#[test]
fn killing_a_writer_at_random_moments_loses_nothing_it_reported_and_leaves_nothing_half_done() {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let (h, _need) = app.active_household(&cw, "high");
    // Keep the folder; close the connection.
    let App {
        _dir, path, conn, ..
    } = app;
    drop(conn);

    let mut rng = fastrand::Rng::with_seed(20261128);
    let mut acknowledged: Vec<(String, String)> = Vec::new(); // (table, id)
    let mut killed_mid_stream = 0;
    for round in 0..ROUNDS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_yihu"))
            .args(["batch", "--as", &cw, "--db"])
            .arg(&path)
            .env_remove("YIHU_DB")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start yihu batch");
        // Feed the stream from another thread: visits (with a found need), needs and members,
        // each a multi-row write with its audit rows.
        let mut stdin = child.stdin.take().expect("stdin");
        let hh = h.clone();
        let cw2 = cw.clone();
        let feeder = std::thread::spawn(move || {
            for n in 0..400 {
                let line = match n % 3 {
                    0 => {
                        json!({"command": "visit.log", "request": {"household_id": hh, "kind": "phone_call",
                        "notes": format!("第{round}轮第{n}次回访"),
                        "needs_found": [{"category": "psychological", "description": format!("需要疏导 {round}-{n}"), "priority": "medium"}]}})
                    }
                    1 => {
                        json!({"command": "need.add", "request": {"household_id": hh, "category": "education",
                        "description": format!("学业 {round}-{n}"), "priority": "low"}})
                    }
                    _ => json!({"command": "household.update", "request": {"id": hh, "household": {
                        "division_code": CHEMEN, "address": format!("车门乡 {round} 组 {n} 号"), "causes": ["illness"],
                        "supports": [{"kind": "dibao", "monthly_fen": 10000 + n}],
                        "referral_source": "screening", "consent_on": "2026-03-02", "caseworker_id": cw2, "priority": "high"}}}),
                };
                if writeln!(stdin, "{line}").is_err() {
                    return; // killed
                }
            }
        });
        // Read acknowledgements until the kill.
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel::<Value>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    let _ = tx.send(v);
                }
            }
        });
        std::thread::sleep(Duration::from_millis(rng.u64(5..120)));
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("wait");
        feeder.join().expect("feeder");
        reader.join().expect("reader");
        if status.code().is_none() {
            killed_mid_stream += 1;
        }
        let round_start = acknowledged.len();
        for v in rx.try_iter() {
            assert_eq!(v["ok"], json!(true), "round {round}: {v}");
            let r = &v["response"];
            if r["visit"]["id"].is_string() {
                acknowledged.push((
                    "visit".into(),
                    r["visit"]["id"].as_str().unwrap_or_default().into(),
                ));
                for n in r["needs_found"].as_array().into_iter().flatten() {
                    acknowledged.push(("need".into(), id(n)));
                }
            } else if r["case_no"].is_string() {
                acknowledged.push((
                    "address".into(),
                    r["address"].as_str().unwrap_or_default().into(),
                ));
            } else {
                acknowledged.push(("need".into(), id(r)));
            }
        }

        // The file after the kill.
        let conn = Connection::open(&path).expect("open after kill");
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity_check");
        assert_eq!(ok, "ok", "round {round}");
        let chain = yihu::audit_chain::verify(&conn).expect("verify");
        assert!(chain.ok, "round {round}: {chain:?}");
        let problems = yihu::check::run(&conn).expect("check");
        assert!(problems.is_empty(), "round {round}: {problems:?}");
        assert_acknowledged(&conn, &acknowledged[round_start..], round);
        // The household is as its last audited update left it, supports included.
        let (address, dibao): (String, i64) = conn
            .query_row(
                "SELECT h.address, s.monthly_fen FROM household h
                 JOIN household_support s ON s.household_id = h.id AND s.kind = 'dibao'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap_or_default();
        let last: Option<(String, i64)> = conn
            .query_row(
                "SELECT json_extract(after_json, '$.address'),
                        json_extract(after_json, '$.supports[0].monthly_fen')
                 FROM audit WHERE command = 'household.update' ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok();
        if let Some(last) = last {
            assert_eq!(
                (address, dibao),
                last,
                "round {round}: the household is half updated"
            );
        }
        // Nothing half done: every visit, need and member has its audit row, whether or not its
        // command was acknowledged before the kill.
        for table in ["visit", "need", "member"] {
            let orphans: i64 = conn
                .query_row(
                    &format!(
                        "SELECT count(*) FROM {table} x WHERE NOT EXISTS
                           (SELECT 1 FROM audit a WHERE a.entity_id = x.id)"
                    ),
                    [],
                    |r| r.get(0),
                )
                .expect("count");
            assert_eq!(
                orphans, 0,
                "round {round}: {table} rows without their audit row"
            );
        }
    }
    // At the end, every write acknowledged in any round is still there.
    let conn = Connection::open(&path).expect("open");
    assert_acknowledged(&conn, &acknowledged, ROUNDS);
    // The kills landed mid-stream (not after the writer had finished), and writes were made.
    assert!(killed_mid_stream > ROUNDS * 9 / 10, "{killed_mid_stream}");
    assert!(acknowledged.len() > ROUNDS, "{}", acknowledged.len());
}

/// Every acknowledged write is there: visits and needs by id with their audit row, household
/// updates by their audit row.
fn assert_acknowledged(conn: &Connection, acks: &[(String, String)], round: usize) {
    for (table, row) in acks {
        if table == "address" {
            // The update's audit row is there (later updates may have changed the address).
            let audited: i64 = conn
                .query_row(
                    "SELECT count(*) FROM audit WHERE command = 'household.update'
                       AND json_extract(after_json, '$.address') = ?1",
                    [row],
                    |r| r.get(0),
                )
                .expect("count");
            assert_eq!(
                audited, 1,
                "round {round}: acknowledged update to {row} is gone"
            );
            continue;
        }
        let there: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE id = ?1"),
                [row],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(
            there, 1,
            "round {round}: acknowledged {table} {row} is gone"
        );
        let audited: i64 = conn
            .query_row(
                "SELECT count(*) FROM audit WHERE entity_id = ?1",
                [row],
                |r| r.get(0),
            )
            .expect("count");
        assert!(
            audited >= 1,
            "round {round}: {table} {row} has no audit row"
        );
    }
}
