//! The `yihu` binary: `call` (arguments, stdin, errors as JSON on stderr), `commands`, `demo`,
//! `check`, the database and clock options, determinism of the demo data, and refusing
//! databases it must not touch.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use rusqlite::Connection;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::common::{CHEMEN, contents, first_difference};

/// The binary with a clean environment (none of the `YIHU_*` variables of the caller).
fn yihu() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yihu"));
    c.env_remove("YIHU_DB")
        .env_remove("YIHU_AS")
        .env_remove("YIHU_TODAY")
        .env_remove("YIHU_PASSPHRASE")
        .env_remove("YIHU_RECOVERY_CODE");
    c
}

/// `yihu --db DB args...`
fn run(db: &Path, args: &[&str]) -> Output {
    yihu()
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run yihu")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

/// A successful run's stdout as JSON.
#[track_caller]
fn json_out(o: &Output) -> Value {
    assert!(
        o.status.success(),
        "yihu failed: {}\nstderr: {}",
        o.status,
        stderr(o)
    );
    serde_json::from_str(&stdout(o))
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(o)))
}

/// A failed run: non-zero exit, nothing on stdout, exactly one JSON error object on stderr.
#[track_caller]
fn json_err(o: &Output) -> Value {
    assert!(
        !o.status.success(),
        "yihu should have failed; stdout: {}",
        stdout(o)
    );
    assert_eq!(stdout(o), "", "a failed call prints nothing on stdout");
    let err = stderr(o);
    let mut stream = serde_json::Deserializer::from_str(&err).into_iter::<Value>();
    let first = stream
        .next()
        .unwrap_or_else(|| panic!("no JSON on stderr: {err:?}"))
        .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {err:?}"));
    assert!(
        stream.next().is_none(),
        "more than one JSON value on stderr: {err:?}"
    );
    let obj = first
        .as_object()
        .unwrap_or_else(|| panic!("stderr is not a JSON object: {err:?}"));
    assert!(
        obj["code"].is_string() && obj["message"].is_string(),
        "error lacks code or message: {err}"
    );
    for k in obj.keys() {
        assert!(
            ["code", "message", "field"].contains(&k.as_str()),
            "unexpected key {k} in {err}"
        );
    }
    first
}

struct Db {
    _dir: TempDir,
    path: PathBuf,
}

fn temp_db() -> Db {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("yihu.db");
    Db { _dir: dir, path }
}

/// A fresh database with its first administrator; returns the admin's id.
fn with_admin(db: &Path) -> String {
    let out = json_out(&run(
        db,
        &[
            "call",
            "staff.create",
            r#"{"name": "管理员", "role": "admin", "division_code": "32"}"#,
        ],
    ));
    out["id"].as_str().expect("admin id").to_string()
}

/// A fresh database with its first administrator and a caseworker of 车门乡 (administrators
/// keep the system, not the cases); returns the caseworker's id.
fn with_caseworker(db: &Path) -> String {
    let admin = with_admin(db);
    let out = json_out(&run(
        db,
        &[
            "call",
            "staff.create",
            &json!({"name": "社工", "role": "caseworker", "division_code": CHEMEN}).to_string(),
            "--as",
            &admin,
        ],
    ));
    out["id"].as_str().expect("caseworker id").to_string()
}

fn household_request() -> String {
    json!({"division_code": CHEMEN, "address": "车门乡 5 组 3 号", "causes": ["illness"],
        "referral_source": "screening", "priority": "high"})
    .to_string()
}

#[test]
fn call_creates_the_first_admin_and_lists_households() {
    let db = temp_db();
    let cw = with_caseworker(&db.path);
    assert!(uuid::Uuid::parse_str(&cw).is_ok(), "{cw}");
    let page = json_out(&run(
        &db.path,
        &["call", "household.list", "{}", "--as", &cw],
    ));
    assert_eq!(page["total"], json!(0));
    assert_eq!(page["items"], json!([]));
    // --as may come before the command's arguments, and --db after them.
    let out = yihu()
        .args([
            "call",
            "--as",
            &cw,
            "household.create",
            &household_request(),
            "--db",
        ])
        .arg(&db.path)
        .output()
        .expect("run");
    let h = json_out(&out);
    assert_eq!(h["status"], json!("referred"));
    let page = json_out(&run(
        &db.path,
        &["call", "household.list", "{}", "--as", &cw],
    ));
    assert_eq!(page["total"], json!(1));
    assert_eq!(page["items"][0]["id"], h["id"]);
}

#[test]
fn call_reads_the_request_from_stdin() {
    let db = temp_db();
    let cw = with_caseworker(&db.path);
    let mut child = yihu()
        .arg("--db")
        .arg(&db.path)
        .args(["call", "household.create", "-", "--as", &cw])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(household_request().as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    let h = json_out(&out);
    assert_eq!(h["address"], json!("车门乡 5 组 3 号"));
    let page = json_out(&run(
        &db.path,
        &["call", "household.list", "{}", "--as", &cw],
    ));
    assert_eq!(page["total"], json!(1));
}

#[test]
fn an_error_is_one_json_object_on_stderr_and_a_failing_exit() {
    let db = temp_db();
    let cw = with_caseworker(&db.path);
    let e = json_err(&run(
        &db.path,
        &["call", "household.create", "{}", "--as", &cw],
    ));
    assert_eq!(e["code"], json!("request.field.missing"), "{e}");
    assert!(e["field"].is_string(), "{e}");
    let page = json_out(&run(
        &db.path,
        &["call", "household.list", "{}", "--as", &cw],
    ));
    assert_eq!(page["total"], json!(0), "the failed call wrote nothing");
}

#[test]
fn an_unknown_command_or_a_bad_actor_is_a_json_error() {
    let db = temp_db();
    let cw = with_caseworker(&db.path);
    let e = json_err(&run(&db.path, &["call", "no.such", "{}", "--as", &cw]));
    assert_eq!(e["code"], json!("command.unknown"), "{e}");
    let e = json_err(&run(
        &db.path,
        &["call", "household.list", "{}", "--as", "not-a-uuid"],
    ));
    assert!(e["code"].as_str().is_some_and(|c| !c.is_empty()), "{e}");
    assert_eq!(e["field"], json!("as"), "{e}");
    let e = json_err(&run(&db.path, &["call", "household.list", "{}"]));
    assert_eq!(e["code"], json!("auth.actor.required"), "{e}");
    let e = json_err(&run(
        &db.path,
        &[
            "call",
            "household.list",
            "{}",
            "--as",
            "0190a0b0-0000-7000-8000-0000000000ff",
        ],
    ));
    assert_eq!(e["code"], json!("auth.actor.unknown"), "{e}");
    let e = json_err(&run(
        &db.path,
        &["call", "household.list", "{\"limit\": ", "--as", &cw],
    ));
    assert_eq!(e["code"], json!("request.malformed"), "{e}");
    let e = json_err(&run(
        &db.path,
        &[
            "call",
            "household.list",
            "{}",
            "--as",
            &cw,
            "--today",
            "2026-02-30",
        ],
    ));
    assert_eq!(e["code"], json!("validation.date.invalid"), "{e}");
}

#[test]
fn the_yihu_db_variable_is_used_without_db() {
    let db = temp_db();
    let out = yihu()
        .env("YIHU_DB", &db.path)
        .args([
            "call",
            "staff.create",
            r#"{"name": "管理员", "role": "admin", "division_code": "32"}"#,
        ])
        .output()
        .expect("run");
    let admin = json_out(&out);
    assert!(db.path.exists(), "YIHU_DB was not used");
    let conn = Connection::open(&db.path).expect("open");
    let id: String = conn
        .query_row("SELECT id FROM staff", [], |r| r.get(0))
        .expect("staff row");
    assert_eq!(json!(id), admin["id"]);
    // --db wins over YIHU_DB.
    let other = temp_db();
    let out = yihu()
        .env("YIHU_DB", &db.path)
        .arg("--db")
        .arg(&other.path)
        .args([
            "call",
            "staff.create",
            r#"{"name": "另一个管理员", "role": "admin", "division_code": "32"}"#,
        ])
        .output()
        .expect("run");
    json_out(&out);
    let n: i64 = conn
        .query_row("SELECT count(*) FROM staff", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 1, "--db must take precedence over YIHU_DB");
}

/// A demo database (no generated households) with a caseworker of 车门乡; returns their id.
fn demo_with_caseworker(db: &Path) -> String {
    let summary = json_out(&run(
        db,
        &["demo", "--households", "0", "--today", "2026-03-02"],
    ));
    let admin = summary["admin_id"].as_str().expect("admin id").to_string();
    let out = json_out(&run(
        db,
        &[
            "call",
            "staff.create",
            &json!({"name": "社工", "role": "caseworker", "division_code": CHEMEN}).to_string(),
            "--as",
            &admin,
        ],
    ));
    out["id"].as_str().expect("caseworker id").to_string()
}

/// `--today` and `YIHU_TODAY` move "today" of a demo database (due dates, case numbers), never
/// the time the audit trail records, and are refused on any other database with nothing
/// written.
#[test]
fn today_and_yihu_today_move_a_demo_databases_date_only() {
    // A real database: refused at the flag, nothing written.
    let real = temp_db();
    let cw = with_caseworker(&real.path);
    let households = |p: &Path| -> i64 {
        Connection::open(p)
            .expect("open")
            .query_row("SELECT count(*) FROM household", [], |r| r.get(0))
            .expect("count")
    };
    for (flag, env) in [(Some("2019-03-01"), None), (None, Some("2019-03-01"))] {
        let mut c = yihu();
        c.arg("--db").arg(&real.path).args([
            "call",
            "household.create",
            &household_request(),
            "--as",
            &cw,
        ]);
        if let Some(d) = flag {
            c.args(["--today", d]);
        }
        if let Some(d) = env {
            c.env("YIHU_TODAY", d);
        }
        let e = json_err(&c.output().expect("run"));
        assert_eq!(e["code"], json!("request.today_demo_only"), "{e}");
        assert_eq!(e["field"], json!("today"), "{e}");
    }
    assert_eq!(households(&real.path), 0, "nothing was written");

    let db = temp_db();
    let cw = demo_with_caseworker(&db.path);
    let started = chrono::Utc::now();
    let h = json_out(&run(
        &db.path,
        &[
            "call",
            "household.create",
            &household_request(),
            "--as",
            &cw,
            "--today",
            "2026-01-05",
        ],
    ));
    assert_eq!(h["referred_on"], json!("2026-01-05"));
    assert!(
        h["case_no"]
            .as_str()
            .is_some_and(|c| c.starts_with("321324-2026-")),
        "{h}"
    );
    // The audit row has the real time, not the moved day.
    let at: String = Connection::open(&db.path)
        .expect("open")
        .query_row(
            "SELECT at FROM audit WHERE command = 'household.create' AND entity_id = ?1",
            [h["id"].as_str().expect("id")],
            |r| r.get(0),
        )
        .expect("audit row");
    let at = chrono::DateTime::parse_from_rfc3339(&at).expect("rfc 3339");
    assert!(
        at >= started - chrono::Duration::seconds(5),
        "recorded at {at}, the real time is {started}"
    );
    let out = yihu()
        .env("YIHU_TODAY", "2025-12-30")
        .arg("--db")
        .arg(&db.path)
        .args([
            "call",
            "household.create",
            &household_request(),
            "--as",
            &cw,
        ])
        .output()
        .expect("run");
    let h = json_out(&out);
    assert_eq!(h["referred_on"], json!("2025-12-30"));
    assert!(
        h["case_no"]
            .as_str()
            .is_some_and(|c| c.starts_with("321324-2025-")),
        "{h}"
    );
    // --today wins over YIHU_TODAY.
    let out = yihu()
        .env("YIHU_TODAY", "2025-12-30")
        .arg("--db")
        .arg(&db.path)
        .args([
            "call",
            "household.create",
            &household_request(),
            "--as",
            &cw,
            "--today",
            "2026-02-14",
        ])
        .output()
        .expect("run");
    assert_eq!(json_out(&out)["referred_on"], json!("2026-02-14"));
    // YIHU_AS names the actor when --as is absent.
    let out = yihu()
        .env("YIHU_AS", &cw)
        .arg("--db")
        .arg(&db.path)
        .args(["call", "household.list", "{}"])
        .output()
        .expect("run");
    assert_eq!(json_out(&out)["total"], json!(3));
}

#[test]
fn commands_lists_every_command() {
    let out = yihu().arg("commands").output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let listed: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for c in yihu::api::commands() {
        assert!(
            listed.contains(&c.name),
            "yihu commands does not list {}",
            c.name
        );
    }
    assert_eq!(listed.len(), yihu::api::commands().len(), "{text}");

    let described = json_out(&yihu().args(["commands", "--json"]).output().expect("run"));
    assert_eq!(described, yihu::api::schema::describe());
    assert!(described["$defs"]["MemberPatch"].is_object());
    let list = described["commands"].as_array().expect("a JSON list");
    let names: Vec<&str> = list.iter().filter_map(|c| c["name"].as_str()).collect();
    let expected: Vec<&str> = yihu::api::commands().iter().map(|c| c.name).collect();
    assert_eq!(names, expected);
    for c in list {
        assert!(
            c["example"].is_object(),
            "{} has no example: {c}",
            c["name"]
        );
        assert!(c["access"].is_string() && c["writes"].is_boolean(), "{c}");
        assert!(c["request"].is_object() && c["response"].is_object(), "{c}");
    }
}

fn demo(db: &Path, seed: &str) -> Output {
    run(
        db,
        &[
            "demo",
            "--households",
            "50",
            "--seed",
            seed,
            "--today",
            "2026-03-02",
        ],
    )
}

#[test]
fn demo_fills_an_empty_database_once_and_check_passes() {
    let db = temp_db();
    let summary = json_out(&demo(&db.path, "7"));
    assert_eq!(summary["households"], json!(52), "{summary}");
    assert!(
        summary["members"].as_i64().is_some_and(|n| n >= 52),
        "{summary}"
    );
    assert!(
        summary["staff"].as_i64().is_some_and(|n| n > 1),
        "{summary}"
    );
    assert_eq!(
        summary["article_case_nos"].as_array().map(Vec::len),
        Some(2),
        "{summary}"
    );

    let e = json_err(&demo(&db.path, "8"));
    assert_eq!(e["code"], json!("demo.not_empty"), "{e}");
    let conn = Connection::open(&db.path).expect("open");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM household", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 52, "the refused demo added households");
    drop(conn);

    let checked = json_out(&run(&db.path, &["check"]));
    assert_eq!(checked["ok"], json!(true), "{checked}");
    assert_eq!(checked["problems"], json!([]), "{checked}");

    // The demo's people can use the database through `call`: the administrator keeps the
    // system but sees no case; a county supervisor sees the county's households.
    let admin = summary["admin_id"].as_str().expect("admin_id");
    let e = json_err(&run(
        &db.path,
        &["call", "household.list", r#"{"limit": 1}"#, "--as", admin],
    ));
    assert_eq!(e["code"], json!("auth.forbidden"), "{e}");
    let sup = summary["article_staff"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["role"] == "supervisor"))
        .and_then(|s| s["id"].as_str())
        .expect("a supervisor");
    let page = json_out(&run(
        &db.path,
        &["call", "household.list", r#"{"limit": 1}"#, "--as", sup],
    ));
    let conn = Connection::open(&db.path).expect("open");
    let in_county: i64 = conn
        .query_row(
            "SELECT count(*) FROM household WHERE division_code LIKE
               (SELECT division_code FROM staff WHERE id = ?1) || '%'",
            [sup],
            |r| r.get(0),
        )
        .expect("count");
    assert!((1..52).contains(&in_county), "{in_county}");
    assert_eq!(page["total"], json!(in_county));
}

#[test]
fn check_finds_a_broken_denormalised_fact() {
    let db = temp_db();
    json_out(&demo(&db.path, "7"));
    {
        let conn = Connection::open(&db.path).expect("open");
        let n = conn
            .execute(
                "UPDATE household SET last_visit_on = '1999-01-01' WHERE rowid = 1",
                [],
            )
            .expect("corrupt");
        assert_eq!(n, 1);
    }
    let out = run(&db.path, &["check"]);
    assert!(
        !out.status.success(),
        "check passed a broken database: {}",
        stdout(&out)
    );
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        all.contains("household.last_visit_on_matches_visits"),
        "{all}"
    );
    let report: Value = serde_json::from_str(&stdout(&out)).expect("check prints JSON");
    assert_eq!(report["ok"], json!(false));
    let e: Value = serde_json::from_str(stderr(&out).trim()).expect("JSON error on stderr");
    assert_eq!(e["code"], json!("check.failed"), "{e}");
}

#[test]
fn demo_is_deterministic_for_a_seed_and_date() {
    let (a, b, c) = (temp_db(), temp_db(), temp_db());
    json_out(&demo(&a.path, "7"));
    json_out(&demo(&b.path, "7"));
    json_out(&demo(&c.path, "8"));
    let (ca, cb, cc) = (contents(&a.path), contents(&b.path), contents(&c.path));
    assert!(
        ca.iter()
            .any(|(t, rows)| t == "household" && rows.len() == 52)
    );
    if let Some(d) = first_difference(&ca, &cb) {
        panic!("two demos with seed 7 differ: {d}");
    }
    assert!(
        first_difference(&ca, &cc).is_some(),
        "seeds 7 and 8 gave the same data"
    );
}

#[test]
fn a_database_from_a_newer_yihu_is_refused_and_left_alone() {
    let db = temp_db();
    let cw = with_caseworker(&db.path);
    {
        let conn = Connection::open(&db.path).expect("open");
        conn.pragma_update(None, "user_version", 999)
            .expect("set user_version");
    }
    let before = std::fs::read(&db.path).expect("read");
    let e = json_err(&run(
        &db.path,
        &["call", "household.list", "{}", "--as", &cw],
    ));
    assert_eq!(e["code"], json!("db.too_new"), "{e}");
    let e = json_err(&run(
        &db.path,
        &[
            "call",
            "household.create",
            &household_request(),
            "--as",
            &cw,
        ],
    ));
    assert_eq!(e["code"], json!("db.too_new"), "{e}");
    let e = json_err(&run(&db.path, &["check"]));
    assert_eq!(e["code"], json!("db.too_new"), "{e}");
    let e = json_err(&run(&db.path, &["demo", "--households", "1"]));
    assert_eq!(e["code"], json!("db.too_new"), "{e}");
    assert!(
        std::fs::read(&db.path).expect("read") == before,
        "the newer database's file was changed"
    );
    let conn = Connection::open(&db.path).expect("open");
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version");
    assert_eq!(v, 999);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let db = temp_db();
    let text: String = "这不是数据库 — not a database.\n"
        .repeat(200)
        .chars()
        .take(4096)
        .collect();
    let mut bytes = text.into_bytes();
    bytes.resize(4096, b'\n');
    std::fs::write(&db.path, &bytes).expect("write");
    for args in [
        &[
            "call",
            "staff.create",
            r#"{"name": "管理员", "role": "admin", "division_code": "32"}"#,
        ][..],
        &[
            "call",
            "household.list",
            "{}",
            "--as",
            "0190a0b0-0000-7000-8000-0000000000ff",
        ][..],
        &["check"][..],
        &["demo", "--households", "1"][..],
    ] {
        let e = json_err(&run(&db.path, args));
        assert!(
            e["code"].as_str().is_some_and(|c| c.starts_with("db.")),
            "{args:?}: {e}"
        );
        assert!(
            std::fs::read(&db.path).expect("read") == bytes,
            "{args:?} changed the file"
        );
    }
}
