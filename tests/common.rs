//! Test harness: a real SQLite file in a temporary folder, commands run through the one
//! command surface exactly as `yihu call` does, and a fixed clock.

use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use rusqlite::Connection;
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;
use yihu::{ApiError, Ctx, api, db};

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

pub struct App {
    pub _dir: TempDir,
    pub path: PathBuf,
    pub conn: Connection,
    pub today: NaiveDate,
    pub admin: String,
}

/// Township 车门乡 and county 泗洪县 (Suqian, Jiangsu), and 山阳镇 in 宝应县 (Yangzhou).
pub const CHEMEN: &str = "321324203";
pub const SIHONG: &str = "321324";
pub const SHANYANG: &str = "321023111";

impl App {
    /// A fresh database with an administrator, on 2026-03-02.
    pub fn new() -> App {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("yihu.db");
        let conn = db::open(&path).expect("open db");
        let mut app = App {
            _dir: dir,
            path,
            conn,
            today: date("2026-03-02"),
            admin: String::new(),
        };
        let admin = app
            .call(
                None,
                "staff.create",
                json!({"name": "管理员", "role": "admin", "division_code": "32"}),
            )
            .expect("bootstrap admin");
        app.admin = admin["id"].as_str().expect("id").to_string();
        app
    }

    pub fn ctx(&self, actor: Option<&str>) -> Ctx {
        Ctx::fixed(
            actor.map(|a| Uuid::parse_str(a).expect("actor uuid")),
            self.today,
        )
    }

    /// Run a command with a raw JSON body, as the CLI would.
    pub fn raw(
        &mut self,
        actor: Option<&str>,
        command: &str,
        body: &str,
    ) -> Result<Value, ApiError> {
        let ctx = self.ctx(actor);
        api::dispatch(&mut self.conn, &ctx, command, body)
    }

    pub fn call(
        &mut self,
        actor: Option<&str>,
        command: &str,
        body: Value,
    ) -> Result<Value, ApiError> {
        self.raw(actor, command, &body.to_string())
    }

    /// A command that must succeed.
    #[track_caller]
    pub fn ok(&mut self, actor: &str, command: &str, body: Value) -> Value {
        match self.call(Some(actor), command, body.clone()) {
            Ok(v) => v,
            Err(e) => panic!("{command} {body} failed: {e:?}"),
        }
    }

    /// A command that must fail; returns the error.
    #[track_caller]
    pub fn err(&mut self, actor: &str, command: &str, body: Value) -> ApiError {
        match self.call(Some(actor), command, body.clone()) {
            Ok(v) => panic!("{command} {body} should have failed but gave {v}"),
            Err(e) => e,
        }
    }

    /// A command that must fail with `code` (and `field`, when given) and change nothing.
    #[track_caller]
    pub fn refused(
        &mut self,
        actor: &str,
        command: &str,
        body: Value,
        code: &str,
        field: Option<&str>,
    ) -> ApiError {
        let before = self.snapshot();
        let e = self.err(actor, command, body.clone());
        assert_eq!(e.code, code, "{command} {body}: {e:?}");
        if let Some(f) = field {
            assert_eq!(e.field.as_deref(), Some(f), "{command} {body}: {e:?}");
        }
        assert!(
            self.snapshot() == before,
            "{command} {body} changed the database although it failed"
        );
        e
    }

    pub fn advance(&mut self, days: i64) {
        self.today += Duration::days(days);
    }

    /// Every row of every table, in a stable order: two equal snapshots mean nothing changed.
    pub fn snapshot(&self) -> String {
        let tables: Vec<String> = self
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'division' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
            .expect("tables")
            .query_map([], |r| r.get(0))
            .expect("tables")
            .collect::<Result<_, _>>()
            .expect("tables");
        let mut out = String::new();
        for t in tables {
            let mut st = self
                .conn
                .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1, 2"))
                .expect("select");
            let n = st.column_count();
            let rows = st
                .query_map([], |r| {
                    let mut row = Vec::new();
                    for i in 0..n {
                        row.push(format!("{:?}", r.get_ref(i)?));
                    }
                    Ok(row.join("|"))
                })
                .expect("rows");
            out.push_str(&format!("## {t}\n"));
            for r in rows {
                out.push_str(&r.expect("row"));
                out.push('\n');
            }
        }
        let divisions: i64 = self
            .conn
            .query_row("SELECT count(*) FROM division", [], |r| r.get(0))
            .expect("count");
        out.push_str(&format!("divisions {divisions}\n"));
        out
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn.query_row(sql, [], |r| r.get(0)).expect("count")
    }

    /// A new staff member.
    pub fn staff(&mut self, name: &str, role: &str, division: &str) -> String {
        let admin = self.admin.clone();
        let s = self.ok(
            &admin,
            "staff.create",
            json!({"name": name, "role": role, "division_code": division}),
        );
        s["id"].as_str().expect("id").to_string()
    }

    /// A referred household in 车门乡 assigned to `cw`, with consent.
    pub fn household(&mut self, cw: &str, priority: &str) -> String {
        let h = self.ok(cw, "household.create", json!({
            "division_code": CHEMEN, "address": "车门乡 1 组 1 号", "causes": ["illness"],
            "referral_source": "screening", "consent_on": self.today, "caseworker_id": cw, "priority": priority}));
        h["id"].as_str().expect("id").to_string()
    }

    /// A household taken to `active`, with a head member and one open need; returns (household, need).
    pub fn active_household(&mut self, cw: &str, priority: &str) -> (String, String) {
        let h = self.household(cw, priority);
        self.ok(
            cw,
            "member.add",
            json!({"household_id": h, "member": {
            "name": "测试户主", "relation": "head", "sex": "female", "birth_date": "1985-06-01"}}),
        );
        self.ok(
            cw,
            "household.transition",
            json!({"id": h, "to": "assessing"}),
        );
        self.ok(cw, "household.transition", json!({"id": h, "to": "active"}));
        let n = self.ok(cw, "need.add", json!({"household_id": h, "category": "daily_care", "description": "需要照料", "priority": "high"}));
        (h, n["id"].as_str().expect("id").to_string())
    }

    /// An approved plan with one weekly (Saturday) action starting today; returns (plan, action).
    pub fn approved_plan(&mut self, cw: &str, sup: &str, h: &str, need: &str) -> (String, String) {
        let p = self.ok(
            cw,
            "plan.create_draft",
            json!({"household_id": h, "goals": "稳定生活"}),
        );
        let plan = p["plan"]["id"].as_str().expect("id").to_string();
        let a = self.ok(
            cw,
            "action.add",
            json!({"plan_id": plan, "action": {
            "title": "每周上门", "category": "daily_care", "need_ids": [need],
            "recurrence": {"freq": "weekly", "weekdays": ["sat"]}, "start_on": self.today}}),
        );
        self.ok(cw, "plan.submit", json!({"id": plan}));
        self.ok(sup, "plan.approve", json!({"id": plan}));
        (plan, a["id"].as_str().expect("id").to_string())
    }
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("id field").to_string()
}

/// Every row of every table, ordered by primary key (rowid tables without one by rowid).
pub fn contents(path: &Path) -> Vec<(String, Vec<String>)> {
    contents_keyed(path, None)
}

/// [`contents`] of a database encrypted with `key`.
pub fn contents_keyed(
    path: &Path,
    key: Option<&yihu::keyring::DbKey>,
) -> Vec<(String, Vec<String>)> {
    let conn = Connection::open(path).expect("open");
    if let Some(key) = key {
        db::apply_key(&conn, "main", key).expect("key");
    }
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .expect("tables")
        .query_map([], |r| r.get(0))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("tables");
    let mut out = Vec::new();
    for t in tables {
        let mut pk: Vec<(i64, String)> = conn
            .prepare(&format!(
                "SELECT pk, name FROM pragma_table_info('{t}') WHERE pk > 0"
            ))
            .expect("pk")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("pk")
            .collect::<Result<_, _>>()
            .expect("pk");
        pk.sort();
        let order = if pk.is_empty() {
            "rowid".to_string()
        } else {
            pk.iter()
                .map(|(_, n)| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut st = conn
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY {order}"))
            .expect("select");
        let n = st.column_count();
        let rows = st
            .query_map([], |r| {
                let mut row = Vec::with_capacity(n);
                for i in 0..n {
                    row.push(format!("{:?}", r.get_ref(i)?));
                }
                Ok(row.join("|"))
            })
            .expect("rows")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows");
        out.push((t, rows));
    }
    out
}

/// The first difference between two databases' contents, if any.
pub fn first_difference(
    a: &[(String, Vec<String>)],
    b: &[(String, Vec<String>)],
) -> Option<String> {
    let names = |x: &[(String, Vec<String>)]| x.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>();
    if names(a) != names(b) {
        return Some(format!("tables differ: {:?} vs {:?}", names(a), names(b)));
    }
    for ((t, ra), (_, rb)) in a.iter().zip(b) {
        if ra.len() != rb.len() {
            return Some(format!("{t}: {} rows vs {}", ra.len(), rb.len()));
        }
        if let Some((x, y)) = ra.iter().zip(rb).find(|(x, y)| x != y) {
            return Some(format!("{t}: first differing row\n  {x}\n  {y}"));
        }
    }
    None
}

/// A demo database of `households` generated households (plus the article's two) in a new
/// file `yihu.db` of a temporary folder: the folder, the file's path, the connection that
/// loaded it and the demo's summary.
pub fn demo_file(
    households: u32,
    seed: u64,
    today: &str,
) -> (TempDir, PathBuf, Connection, yihu::demo::Summary) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("yihu.db");
    let mut conn = yihu::db::open(&path).expect("open");
    let summary = yihu::demo::build(
        &mut conn,
        &yihu::demo::Options {
            households,
            seed,
            today: date(today),
        },
    )
    .expect("demo");
    (dir, path, conn, summary)
}

/// `yihu --db <path>` with none of the CLI's environment variables inherited.
pub fn cli(path: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_yihu"));
    for v in [
        "YIHU_DB",
        "YIHU_AS",
        "YIHU_TODAY",
        "YIHU_PASSPHRASE",
        "YIHU_NEW_PASSPHRASE",
        "YIHU_RECOVERY_CODE",
        "YIHU_OLD_PASSPHRASE",
    ] {
        c.env_remove(v);
    }
    c.arg("--db").arg(path);
    c
}

/// An encrypted demo database made by `yihu demo --encrypt` (every staff member's passphrase
/// is the demo one), with the article's administrator, a supervisor and a caseworker.
pub struct EncryptedDemo {
    pub _dir: TempDir,
    pub path: PathBuf,
    pub admin: String,
    pub supervisor: String,
    pub caseworker: String,
    pub recovery_code: String,
}

pub fn encrypted_demo() -> EncryptedDemo {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("yihu.db");
    let out = cli(&path)
        .args([
            "demo",
            "--households",
            "20",
            "--today",
            "2026-06-15",
            "--encrypt",
        ])
        .output()
        .expect("yihu demo");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).expect("json");
    let of_role = |role: &str| -> String {
        summary["article_staff"]
            .as_array()
            .and_then(|s| s.iter().find(|p| p["role"] == role))
            .and_then(|p| p["id"].as_str())
            .unwrap_or_else(|| panic!("a {role} in {summary}"))
            .to_string()
    };
    EncryptedDemo {
        admin: summary["admin_id"].as_str().expect("admin").to_string(),
        supervisor: of_role("supervisor"),
        caseworker: of_role("caseworker"),
        recovery_code: summary["recovery_code"].as_str().expect("code").to_string(),
        path,
        _dir: dir,
    }
}

impl EncryptedDemo {
    /// The database opened with the recovery code (for reading what the tools wrote).
    pub fn open(&self) -> Connection {
        let key = yihu::vault::unlock(
            &self.path,
            &yihu::vault::Secret::RecoveryCode(&self.recovery_code),
        )
        .expect("unlock");
        yihu::db::open_keyed(&self.path, Some(&key)).expect("open")
    }
}

/// A successful CLI run's stdout as JSON (null when it printed none); fails the test, with the
/// run's stderr, otherwise.
#[track_caller]
pub fn cli_ok(o: std::process::Output) -> Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap_or(Value::Null)
}

/// The code of a failed CLI run's JSON error; fails the test if the run succeeded.
#[track_caller]
pub fn cli_err_code(o: &std::process::Output) -> String {
    assert!(
        !o.status.success(),
        "expected a refusal, got {}",
        String::from_utf8_lossy(&o.stdout)
    );
    let e: Value = serde_json::from_slice(&o.stderr)
        .unwrap_or_else(|_| panic!("a JSON error: {}", String::from_utf8_lossy(&o.stderr)));
    e["code"].as_str().unwrap_or_default().to_string()
}
