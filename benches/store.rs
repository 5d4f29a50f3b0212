//! Benchmarks on a generated 100,000-household database (about 1,000,000 visits): the household
//! list with filters, search by name / pinyin / initials / case number, and what is due for a
//! caseworker and for a county — each through the command surface and beside raw rusqlite
//! running the same SQL on the same file.
//!
//! The database is built once with `yihu demo` logic at `target/bench/yihu-100k.db` (override
//! with YIHU_BENCH_DB; size with YIHU_BENCH_HOUSEHOLDS). Run: `cargo bench --bench store`.

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{Duration, NaiveDate};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params_from_iter};
use yihu::api::followup::{Scope, followup_sql};
use yihu::api::household_filter::{
    HouseholdQuery, HouseholdSort, household_filter, household_order,
};
use yihu::api::household_list::HOUSEHOLD_LIST_SELECT;
use yihu::api::insight::DashboardSql;
use yihu::api::ledger::{LedgerJob, household_ledger_sql};
use yihu::api::reference::Cadence;
use yihu::keyring::{DbKey, Keyring};
use yihu::types::{HouseholdStatus, Priority};
use yihu::{Ctx, api, db, demo};

fn main() {
    divan::main();
}

struct Fixture {
    path: PathBuf,
    today: NaiveDate,
    caseworker: String,
    county: String,
    county_supervisor: String,
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let path = std::env::var_os("YIHU_BENCH_DB")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench/yihu-100k.db"));
        let households: u32 = std::env::var("YIHU_BENCH_HOUSEHOLDS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
        if !path.exists() {
            eprintln!("building the benchmark database ({households} households) at {}", path.display());
            let mut conn = db::open(&path).expect("open bench db");
            demo::build(&mut conn, &demo::Options { households, seed: 1, today: today() }).expect("demo data");
        }
        let conn = db::open(&path).expect("open bench db");
        let (caseworker, n): (String, i64) = conn
            .query_row(
                "SELECT caseworker_id, count(*) c FROM household WHERE status <> 'closed' GROUP BY caseworker_id ORDER BY c DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("caseworker");
        let (county, m): (String, i64) = conn
            .query_row(
                "SELECT substr(division_code, 1, 6) c6, count(*) c FROM household GROUP BY c6 ORDER BY c DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("county");
        let county_supervisor: String = conn
            .query_row("SELECT id FROM staff WHERE role = 'supervisor' AND division_code = ?1", [&county], |r| r.get(0))
            .expect("supervisor");
        eprintln!("caseworker with {n} households; county {county} with {m} households");
        Fixture { path, today: today(), caseworker, county, county_supervisor }
    })
}

fn conn() -> Connection {
    db::open(&fixture().path).expect("open")
}

/// The benchmark database encrypted with SQLCipher (a copy made once beside it, with a
/// keyring whose one slot opens with a fixed passphrase), and its key.
fn encrypted() -> &'static (PathBuf, DbKey) {
    static E: OnceLock<(PathBuf, DbKey)> = OnceLock::new();
    E.get_or_init(|| {
        const PASS: &str = "benchmark passphrase";
        let plain = &fixture().path;
        let path = plain.with_extension("encrypted.db");
        if Keyring::load(&path).ok().flatten().is_none() {
            eprintln!(
                "encrypting a copy of the benchmark database at {}",
                path.display()
            );
            let key = DbKey::random();
            let conn = db::open(plain).expect("open");
            db::export_encrypted(&conn, &path, &key).expect("encrypted copy");
            let (mut ring, _) = Keyring::create(&key).expect("keyring");
            ring.set_staff(&key, uuid::Uuid::nil(), "bench", PASS, false)
                .expect("slot");
            ring.save(&path).expect("save keyring");
        }
        let ring = Keyring::load(&path).expect("keyring").expect("keyring");
        let key = ring.unlock_staff(uuid::Uuid::nil(), PASS).expect("unlock");
        (path, key)
    })
}

/// A connection to the benchmark database, plain or encrypted.
fn open_fixture(encrypted_copy: bool) -> Connection {
    if encrypted_copy {
        let (path, key) = encrypted();
        db::open_keyed(path, Some(key)).expect("open encrypted")
    } else {
        conn()
    }
}

fn ctx(actor: &str) -> Ctx {
    Ctx::fixed(Some(actor.parse().expect("uuid")), fixture().today)
}

/// Run SQL with raw rusqlite, reading every column of every row.
fn raw_rows(conn: &Connection, sql: &str, params: &[SqlValue]) -> usize {
    let mut st = conn.prepare_cached(sql).expect("prepare");
    let n = st.column_count();
    let used = st.parameter_count();
    let mut rows = st
        .query(params_from_iter(params.iter().take(used)))
        .expect("query");
    let mut out: Vec<Vec<SqlValue>> = Vec::new();
    while let Some(r) = rows.next().expect("row") {
        out.push(
            (0..n)
                .map(|i| r.get::<_, SqlValue>(i).expect("value"))
                .collect(),
        );
    }
    out.len()
}

const CADENCE: Cadence = Cadence {
    high: 7,
    medium: 30,
    low: 90,
};

// ---------------------------------------------------------------- household list and search

fn list_query(q: Option<&str>) -> HouseholdQuery {
    match q {
        None => HouseholdQuery {
            status: vec![HouseholdStatus::Active],
            priority: vec![Priority::High, Priority::Medium],
            division_code: Some(fixture().county.clone()),
            sort: HouseholdSort::CaseNo,
            limit: Some(50),
            ..Default::default()
        },
        Some(q) => HouseholdQuery {
            q: Some(q.to_string()),
            limit: Some(50),
            ..Default::default()
        },
    }
}

fn list_json(q: Option<&str>) -> String {
    match q {
        None => serde_json::json!({"status": ["active"], "priority": ["high", "medium"],
            "division_code": fixture().county, "sort": "case_no", "limit": 50})
        .to_string(),
        Some(q) => serde_json::json!({"q": q, "limit": 50}).to_string(),
    }
}

fn bench_list(b: divan::Bencher, q: Option<&str>, encrypted_copy: bool) {
    let mut c = open_fixture(encrypted_copy);
    let ctx = ctx(&fixture().county_supervisor);
    let body = list_json(q);
    b.bench_local(|| api::dispatch(&mut c, &ctx, "household.list", &body).expect("list"));
}

fn bench_list_raw(b: divan::Bencher, q: Option<&str>) {
    let c = conn();
    let req = list_query(q);
    let (filter, params) = household_filter(&req, fixture().today, &CADENCE).expect("filter");
    // The same scope the command adds for the county supervisor who runs it.
    let (lo, hi) = yihu::validate::subtree_range(&fixture().county);
    let filter = format!("(h.division_code >= '{lo}' AND h.division_code < '{hi}') AND {filter}");
    let count = format!("SELECT count(*) FROM household h WHERE {filter}");
    let mut page_params = params.clone();
    page_params.push(SqlValue::Integer(50));
    page_params.push(SqlValue::Integer(0));
    let n = page_params.len();
    let page = format!(
        "{HOUSEHOLD_LIST_SELECT} WHERE {filter} ORDER BY {} LIMIT ?{} OFFSET ?{n}",
        household_order(req.sort),
        n - 1
    );
    b.bench_local(|| raw_rows(&c, &count, &params) + raw_rows(&c, &page, &page_params));
}

#[divan::bench]
fn list_filtered(b: divan::Bencher) {
    bench_list(b, None, false);
}
#[divan::bench]
fn list_filtered_raw(b: divan::Bencher) {
    bench_list_raw(b, None);
}
#[divan::bench]
fn search_name(b: divan::Bencher) {
    bench_list(b, Some("王秀"), false);
}
#[divan::bench]
fn search_name_raw(b: divan::Bencher) {
    bench_list_raw(b, Some("王秀"));
}
#[divan::bench]
fn search_pinyin(b: divan::Bencher) {
    bench_list(b, Some("wangxiu"), false);
}
#[divan::bench]
fn search_pinyin_raw(b: divan::Bencher) {
    bench_list_raw(b, Some("wangxiu"));
}
#[divan::bench]
fn search_initials(b: divan::Bencher) {
    bench_list(b, Some("wxy"), false);
}
#[divan::bench]
fn search_initials_raw(b: divan::Bencher) {
    bench_list_raw(b, Some("wxy"));
}
#[divan::bench]
fn search_case_no(b: divan::Bencher) {
    bench_list(b, Some("321324-2025-00"), false);
}
#[divan::bench]
fn search_case_no_raw(b: divan::Bencher) {
    bench_list_raw(b, Some("321324-2025-00"));
}

// ---------------------------------------------------------------- due and overdue

fn bench_followup(b: divan::Bencher, caseworker: bool, encrypted_copy: bool) {
    let f = fixture();
    let mut c = open_fixture(encrypted_copy);
    let (actor, cmd, body) = if caseworker {
        (
            f.caseworker.clone(),
            "followup.caseworker",
            serde_json::json!({"within_days": 7}).to_string(),
        )
    } else {
        (
            f.county_supervisor.clone(),
            "followup.division",
            serde_json::json!({"division_code": f.county, "within_days": 7}).to_string(),
        )
    };
    let ctx = ctx(&actor);
    b.bench_local(|| api::dispatch(&mut c, &ctx, cmd, &body).expect("followup"));
}

fn bench_followup_raw(b: divan::Bencher, caseworker: bool) {
    let f = fixture();
    let c = conn();
    let scope = if caseworker {
        Scope::Caseworker(f.caseworker.clone())
    } else {
        let (lo, hi) = yihu::validate::subtree_range(&f.county);
        Scope::Division(lo, hi)
    };
    let sections = followup_sql(&scope, f.today, f.today + Duration::days(7), &CADENCE);
    b.bench_local(|| {
        sections
            .iter()
            .map(|s| {
                raw_rows(&c, &s.count_sql(), &s.params) + raw_rows(&c, &s.list_sql(100), &s.params)
            })
            .sum::<usize>()
    });
}

#[divan::bench]
fn due_for_caseworker(b: divan::Bencher) {
    bench_followup(b, true, false);
}
#[divan::bench]
fn due_for_caseworker_raw(b: divan::Bencher) {
    bench_followup_raw(b, true);
}
#[divan::bench]
fn due_for_county(b: divan::Bencher) {
    bench_followup(b, false, false);
}
#[divan::bench]
fn due_for_county_raw(b: divan::Bencher) {
    bench_followup_raw(b, false);
}

// ---------------------------------------------------------------- the cost of encryption

/// The same commands on the SQLCipher copy of the database (compare with the plain ones).
#[divan::bench]
fn list_filtered_encrypted(b: divan::Bencher) {
    bench_list(b, None, true);
}
#[divan::bench]
fn search_name_encrypted(b: divan::Bencher) {
    bench_list(b, Some("王秀"), true);
}
#[divan::bench]
fn search_pinyin_encrypted(b: divan::Bencher) {
    bench_list(b, Some("wangxiu"), true);
}
#[divan::bench]
fn due_for_caseworker_encrypted(b: divan::Bencher) {
    bench_followup(b, true, true);
}
#[divan::bench]
fn due_for_county_encrypted(b: divan::Bencher) {
    bench_followup(b, false, true);
}

// ---------------------------------------------------------------- writes: synchronous=FULL

/// A small database on the real disk (not tmpfs, where fsync costs nothing) with a caseworker
/// and an active household, for the write benchmarks.
struct WriteFixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    /// The same database encrypted with SQLCipher, and its key.
    encrypted_path: PathBuf,
    key: DbKey,
    caseworker: String,
    household: String,
}

fn write_fixture() -> &'static WriteFixture {
    static F: OnceLock<WriteFixture> = OnceLock::new();
    F.get_or_init(|| {
        let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench");
        std::fs::create_dir_all(&base).expect("bench folder");
        let dir = tempfile::tempdir_in(&base).expect("tempdir");
        let path = dir.path().join("writes.db");
        let mut conn = db::open(&path).expect("open");
        let call =
            |conn: &mut Connection, actor: Option<&str>, cmd: &str, body: serde_json::Value| {
                let ctx = Ctx::fixed(actor.map(|a| a.parse().expect("uuid")), today());
                api::dispatch(conn, &ctx, cmd, &body.to_string()).expect(cmd)
            };
        let admin = call(
            &mut conn,
            None,
            "staff.create",
            serde_json::json!({"name": "管理员", "role": "admin", "division_code": "32"}),
        );
        let admin = admin["id"].as_str().expect("id").to_string();
        let cw = call(
            &mut conn,
            Some(&admin),
            "staff.create",
            serde_json::json!({"name": "社工", "role": "caseworker", "division_code": "321324203"}),
        );
        let cw = cw["id"].as_str().expect("id").to_string();
        let h = call(
            &mut conn,
            Some(&cw),
            "household.create",
            serde_json::json!({
            "division_code": "321324203", "address": "一组", "causes": ["illness"],
            "referral_source": "screening", "priority": "high"}),
        );
        let encrypted_path = dir.path().join("writes-encrypted.db");
        let key = DbKey::random();
        db::export_encrypted(&conn, &encrypted_path, &key).expect("encrypted copy");
        WriteFixture {
            _dir: dir,
            path,
            encrypted_path,
            key,
            caseworker: cw,
            household: h["id"].as_str().expect("id").to_string(),
        }
    })
}

/// Logging a visit (one transaction: the visit, the household's last visit, the audit row),
/// with the connection's `synchronous` setting as given. Yihu runs FULL on an encrypted file;
/// NORMAL and the plain file are the comparisons for the cost of an fsync per commit and of
/// encryption.
#[divan::bench(args = ["FULL", "NORMAL", "FULL encrypted", "NORMAL encrypted"])]
fn write_visit_log(b: divan::Bencher, setting: &str) {
    let f = write_fixture();
    let (sync, encrypted_copy) = match setting.split_once(' ') {
        Some((sync, _)) => (sync, true),
        None => (setting, false),
    };
    let mut c = if encrypted_copy {
        db::open_keyed(&f.encrypted_path, Some(&f.key)).expect("open encrypted")
    } else {
        db::open(&f.path).expect("open")
    };
    c.pragma_update(None, "synchronous", sync)
        .expect("synchronous");
    let ctx = Ctx::fixed(Some(f.caseworker.parse().expect("uuid")), today());
    let body =
        serde_json::json!({"household_id": f.household, "kind": "phone_call", "notes": "电话回访"})
            .to_string();
    b.bench_local(|| api::dispatch(&mut c, &ctx, "visit.log", &body).expect("visit.log"));
}

// ---------------------------------------------------------------- the dashboard

/// A supervisor of all Jiangsu (the demo has county and township supervisors only), added to
/// the benchmark database once, so the dashboard can be measured over all 100,000 households.
const PROVINCE_SUPERVISOR: &str = "0190a0b0-0000-7000-8000-0000000b3e32";

fn province_supervisor() -> &'static str {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        conn()
            .execute(
                "INSERT OR IGNORE INTO staff(id, name, role, division_code, active, created_at, updated_at)
                 VALUES (?1, '基准省级督导', 'supervisor', '32', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                [PROVINCE_SUPERVISOR],
            )
            .expect("province supervisor");
    });
    PROVINCE_SUPERVISOR
}

/// The dashboard's period: the 12 weeks up to today.
fn dashboard_period() -> (NaiveDate, NaiveDate) {
    let today = fixture().today;
    (today - Duration::days(83), today)
}

fn bench_dashboard(b: divan::Bencher, division: &str, actor: &str) {
    let mut c = conn();
    let (from, to) = dashboard_period();
    let body = serde_json::json!({"division_code": division, "period": {"from": from, "to": to}})
        .to_string();
    let ctx = ctx(actor);
    b.bench_local(|| api::dispatch(&mut c, &ctx, "dashboard.get", &body).expect("dashboard"));
}

fn bench_dashboard_raw(b: divan::Bencher, division: &str) {
    let c = conn();
    let (lo, hi) = yihu::validate::subtree_range(division);
    // The same scope the command adds for a supervisor of this division.
    let in_area = format!(
        "(h.division_code >= '{lo}' AND h.division_code < '{hi}') AND h.division_code >= ?1 AND h.division_code < ?2"
    );
    let sql = DashboardSql::new(&in_area);
    let (from, to) = dashboard_period();
    let period = [lo.clone(), hi.clone(), from.to_string(), to.to_string()].map(SqlValue::Text);
    let today = [lo.clone(), hi.clone(), fixture().today.to_string()].map(SqlValue::Text);
    let children = "SELECT code, name FROM division WHERE parent_code = ?1 ORDER BY code";
    let settings = "SELECT key, value FROM setting";
    b.bench_local(|| {
        raw_rows(&c, settings, &[])
            + raw_rows(
                &c,
                "SELECT name FROM division WHERE code = ?1",
                &[SqlValue::Text(division.into())],
            )
            + raw_rows(&c, children, &[SqlValue::Text(division.into())])
            + raw_rows(&c, &sql.households, &period)
            + raw_rows(&c, &sql.not_visited, &period)
            + raw_rows(&c, &sql.needs, &period)
            + raw_rows(&c, &sql.weeks, &period)
            + raw_rows(&c, &sql.stalled, &today)
            + raw_rows(&c, &sql.staff, &period)
            + raw_rows(&c, &sql.reviews, &period)
    });
}

#[divan::bench]
fn dashboard_county(b: divan::Bencher) {
    let f = fixture();
    bench_dashboard(b, &f.county, &f.county_supervisor);
}
#[divan::bench]
fn dashboard_county_raw(b: divan::Bencher) {
    bench_dashboard_raw(b, &fixture().county);
}
#[divan::bench(sample_count = 20)]
fn dashboard_province(b: divan::Bencher) {
    bench_dashboard(b, "32", province_supervisor());
}
#[divan::bench(sample_count = 20)]
fn dashboard_province_raw(b: divan::Bencher) {
    bench_dashboard_raw(b, "32");
}

// ---------------------------------------------------------------- the household ledger

/// The household ledger of all 100,000 households written to an .xlsx file, as the province
/// supervisor (each iteration writes, audits and renames one file).
#[divan::bench(sample_count = 3)]
fn ledger_export_province(b: divan::Bencher) {
    let mut c = conn();
    let actor = province_supervisor();
    let ctx = ctx(actor);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("ledger.xlsx");
    let request: yihu::api::ledger::LedgerRequest =
        api::parse_request(r#"{"kind": "ledger", "division_code": "32"}"#).expect("request");
    b.bench_local(|| {
        api::export_ledger(
            &mut c,
            &ctx,
            LedgerJob {
                request: request.clone(),
                out: out.clone(),
            },
        )
        .expect("export")
    });
}

/// The same four statements through raw rusqlite, every column of every row read.
#[divan::bench(sample_count = 3)]
fn ledger_export_province_raw(b: divan::Bencher) {
    let c = conn();
    let (lo, hi) = yihu::validate::subtree_range("32");
    let in_area = format!(
        "(h.division_code >= '{lo}' AND h.division_code < '{hi}') AND h.division_code >= ?1 AND h.division_code < ?2"
    );
    let sql = household_ledger_sql(&in_area);
    let params = [lo, hi].map(SqlValue::Text);
    b.bench_local(|| sql.iter().map(|s| raw_rows(&c, s, &params)).sum::<usize>());
}
