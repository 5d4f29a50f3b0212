//! The audit trail: every write records who, when, which command, the entity and its record
//! before and after, in the same transaction; a refused command leaves no trace.

use serde_json::json;

use crate::common::*;

#[test]
fn every_write_is_audited_in_its_own_transaction() {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let before = app.count("SELECT count(*) FROM audit");
    let h = app.household(&cw, "high");
    let rows = app.ok(&cw, "audit.list", json!({"household_id": h}));
    assert_eq!(rows.as_array().map(Vec::len), Some(1));
    let r = &rows[0];
    assert_eq!(r["command"], "household.create");
    assert_eq!(r["actor_id"], json!(cw));
    assert_eq!(r["actor_name"], "周测试");
    assert_eq!(r["entity_type"], "household");
    assert_eq!(r["entity_id"], json!(h));
    assert_eq!(r["before"], json!(null));
    assert_eq!(r["after"]["case_no"], "321324-2026-0001");
    assert!(
        r["at"]
            .as_str()
            .is_some_and(|t| t.starts_with("2026-03-02T") && t.ends_with('Z'))
    );
    assert_eq!(app.count("SELECT count(*) FROM audit") - before, 1);

    // An update records both sides.
    app.ok(&cw, "household.update", json!({"id": h, "household": {"division_code": CHEMEN, "address": "新地址",
        "causes": ["illness"], "referral_source": "screening", "priority": "low", "consent_on": "2026-03-02", "caseworker_id": cw}}));
    let rows = app.ok(&cw, "audit.list", json!({"entity_id": h}));
    assert_eq!(rows[0]["command"], "household.update");
    assert_eq!(rows[0]["before"]["address"], "车门乡 1 组 1 号");
    assert_eq!(rows[0]["after"]["address"], "新地址");
    assert_eq!(rows[0]["before"]["priority"], "high");
    assert_eq!(rows[0]["after"]["priority"], "low");

    // A refused command writes no audit row (App::refused checks the whole file).
    app.refused(
        &cw,
        "household.transition",
        json!({"id": h, "to": "active"}),
        "household.transition.invalid",
        Some("to"),
    );
    // A command that fails half-way (the third visitor is unknown) leaves nothing behind.
    let n = app.count("SELECT count(*) FROM audit");
    app.refused(&cw, "visit.log", json!({"household_id": h, "needs_found": [{"category": "other", "description": "x", "priority": "low"}],
        "visitors": [{"name": "a"}, {"name": "b"}, {"staff_id": "0190a0b0-0000-7000-8000-00000000dead"}]}), "not_found.staff", Some("visitors[2].staff_id"));
    assert_eq!(app.count("SELECT count(*) FROM audit"), n);
    // Reads write nothing.
    app.ok(&cw, "household.get", json!({"id": h}));
    app.ok(&cw, "household.list", json!({}));
    assert_eq!(app.count("SELECT count(*) FROM audit"), n);
    // Paging back through history.
    for i in 0..5 {
        app.ok(&cw, "need.add", json!({"household_id": h, "category": "other", "description": format!("需求{i}"), "priority": "low"}));
    }
    let page1 = app.ok(&cw, "audit.list", json!({"household_id": h, "limit": 3}));
    let last_seq = page1[2]["seq"].as_i64().expect("seq");
    let page2 = app.ok(
        &cw,
        "audit.list",
        json!({"household_id": h, "limit": 3, "before_seq": last_seq}),
    );
    assert!(
        page2
            .as_array()
            .expect("page")
            .iter()
            .all(|r| r["seq"].as_i64() < Some(last_seq))
    );
    assert_eq!(page2.as_array().map(Vec::len), Some(3));
}

#[test]
fn the_first_administrator_and_staff_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = yihu::db::open(&dir.path().join("s.db")).expect("open");
    let ctx = yihu::Ctx::fixed(None, date("2026-03-02"));
    let e = yihu::dispatch(
        &mut conn,
        &ctx,
        "staff.create",
        r#"{"name":"甲","role":"caseworker","division_code":"32"}"#,
    )
    .expect_err("first must be admin");
    assert_eq!(e.code, "staff.first_must_be_admin");
    let e = yihu::dispatch(&mut conn, &ctx, "household.list", "{}").expect_err("no actor");
    assert_eq!(e.code, "auth.actor.required");
    let admin = yihu::dispatch(
        &mut conn,
        &ctx,
        "staff.create",
        r#"{"name":"管理员","role":"admin","division_code":"32"}"#,
    )
    .expect("admin");
    let e = yihu::dispatch(
        &mut conn,
        &ctx,
        "staff.create",
        r#"{"name":"乙","role":"admin","division_code":"32"}"#,
    )
    .expect_err("bootstrap is over");
    assert_eq!(e.code, "auth.actor.required");
    let audit: (Option<String>, String) = conn
        .query_row(
            "SELECT actor_id, command FROM audit WHERE entity_id = ?1",
            [admin["id"].as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("audit row");
    assert_eq!(audit, (None, "staff.create".to_string()));

    let mut app = App::new();
    let admin = app.admin.clone();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    app.refused(
        &cw,
        "staff.create",
        json!({"name": "x", "role": "admin", "division_code": "32"}),
        "auth.forbidden",
        None,
    );
    app.refused(&admin, "staff.update", json!({"id": admin, "staff": {"name": "管理员", "role": "supervisor", "division_code": "32"}, "active": true}),
        "staff.last_admin", Some("staff.role"));
    let s = app.ok(&admin, "staff.update", json!({"id": cw, "staff": {"name": "周测试", "role": "caseworker", "division_code": CHEMEN}, "active": false}));
    assert_eq!(s["active"], false);
    app.refused(
        &cw,
        "household.list",
        json!({}),
        "auth.actor.inactive",
        None,
    );
    let list = app.ok(
        &admin,
        "staff.list",
        json!({"division_code": SIHONG, "include_inactive": true}),
    );
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.ok(&admin, "staff.list", json!({"division_code": SIHONG})),
        json!([])
    );
    assert_eq!(
        app.ok(&admin, "staff.get", json!({"id": cw}))["name"],
        "周测试"
    );
}

#[test]
fn divisions_ship_the_national_tree_and_take_new_villages() {
    let mut app = App::new();
    let admin = app.admin.clone();
    assert!(app.count("SELECT count(*) FROM division WHERE level = 'township'") > 40_000);
    assert_eq!(
        app.count("SELECT count(*) FROM division WHERE level = 'province'"),
        31
    );
    let provinces = app.ok(&admin, "division.children", json!({}));
    assert_eq!(provinces.as_array().map(Vec::len), Some(31));
    let towns = app.ok(&admin, "division.children", json!({"parent_code": SIHONG}));
    assert!(
        towns
            .as_array()
            .expect("towns")
            .iter()
            .any(|t| t["code"] == CHEMEN && t["name"] == "车门乡")
    );
    let g = app.ok(&admin, "division.get", json!({"code": CHEMEN}));
    assert_eq!(
        names_of(&g["path"]),
        vec!["江苏省", "宿迁市", "泗洪县", "车门乡"]
    );
    let hits = app.ok(&admin, "division.search", json!({"q": "山阳镇"}));
    assert!(
        hits.as_array().expect("hits").len() >= 2,
        "山阳镇 exists in Baoying and in Shanghai"
    );
    let hits = app.ok(
        &admin,
        "division.search",
        json!({"q": "山阳镇", "under": "3210"}),
    );
    assert_eq!(hits[0]["full_name"], "江苏省 扬州市 宝应县 山阳镇");
    let v = app.ok(
        &admin,
        "division.add_village",
        json!({"township_code": CHEMEN, "name": "车门社区"}),
    );
    assert_eq!(v["code"], "321324203900");
    assert_eq!(v["level"], "village");
    let v2 = app.ok(
        &admin,
        "division.add_village",
        json!({"township_code": CHEMEN, "name": "新村", "code": "321324203201"}),
    );
    assert_eq!(v2["code"], "321324203201");
    let next = app.ok(
        &admin,
        "division.add_village",
        json!({"township_code": CHEMEN, "name": "三村"}),
    );
    assert_eq!(next["code"], "321324203901");
    app.refused(
        &admin,
        "division.add_village",
        json!({"township_code": CHEMEN, "name": "车门社区"}),
        "division.name.duplicate",
        Some("name"),
    );
    app.refused(
        &admin,
        "division.add_village",
        json!({"township_code": SIHONG, "name": "x"}),
        "validation.division.level",
        Some("township_code"),
    );
    app.refused(
        &admin,
        "division.add_village",
        json!({"township_code": CHEMEN, "name": "y", "code": "321023111001"}),
        "validation.division_code.parent",
        Some("code"),
    );
    // The village's history is audited and the data survives reopening (loaded once).
    let path = app.path.clone();
    drop(std::mem::replace(
        &mut app.conn,
        yihu::db::open(&path).expect("reopen"),
    ));
    assert_eq!(
        app.count("SELECT count(*) FROM division WHERE user_added = 1"),
        3
    );
}

fn names_of(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|d| d["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn service_menu_and_partners_are_managed_by_supervisors_and_admins() {
    let mut app = App::new();
    let admin = app.admin.clone();
    let sup = app.staff("何测试", "supervisor", SIHONG);
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let p = id(&app.ok(
        &sup,
        "partner.create",
        json!({"name": "县医院", "kind": "hospital", "phone": "0527-8000 0000"}),
    ));
    app.refused(
        &cw,
        "partner.create",
        json!({"name": "x", "kind": "other"}),
        "auth.forbidden",
        None,
    );
    let updated = app.ok(
        &admin,
        "partner.update",
        json!({"id": p, "partner": {"name": "县第三人民医院", "kind": "hospital",
        "contact_name": "门诊部", "division_code": SIHONG}, "active": true}),
    );
    assert_eq!(updated["name"], "县第三人民医院");
    // An update is a patch: the phone it left out is kept; null clears it.
    assert_eq!(updated["phone"], json!("052780000000"));
    let cleared = app.ok(
        &admin,
        "partner.update",
        json!({"id": p, "partner": {"phone": null}}),
    );
    assert_eq!(cleared["phone"], json!(null));
    assert_eq!(cleared["contact_name"], json!("门诊部"));
    app.refused(&sup, "partner.update", json!({"id": p, "partner": {"name": "x", "kind": "hospital", "phone": "12"}, "active": true}),
        "validation.phone.format", Some("partner.phone"));
    let s = id(&app.ok(
        &sup,
        "service.create",
        json!({"name": "免费住院治疗", "category": "medical", "default_partner_id": p}),
    ));
    app.ok(&sup, "service.update", json!({"id": s, "service": {"name": "免费住院治疗", "category": "medical", "unit": "疗程"}, "active": false}));
    // Inactive entries leave the lists unless asked for.
    assert_eq!(app.ok(&cw, "service.list", json!({})), json!([]));
    let all = app.ok(&cw, "service.list", json!({"include_inactive": true}));
    assert_eq!(all[0]["unit"], "疗程");
    // Left out of the update, the default partner is kept.
    assert_eq!(all[0]["default_partner_id"], json!(p));
    assert_eq!(
        app.ok(&cw, "partner.list", json!({}))[0]["name"],
        "县第三人民医院"
    );
    app.ok(&admin, "partner.update", json!({"id": p, "partner": {"name": "县第三人民医院", "kind": "hospital"}, "active": false}));
    assert_eq!(app.ok(&cw, "partner.list", json!({})), json!([]));
    // Plans of a household, newest first.
    let (h, need) = app.active_household(&cw, "high");
    app.approved_plan(&cw, &sup, &h, &need);
    app.ok(&cw, "plan.create_draft", json!({"household_id": h}));
    let plans = app.ok(&cw, "plan.list", json!({"household_id": h}));
    let versions: Vec<i64> = plans
        .as_array()
        .expect("plans")
        .iter()
        .filter_map(|p| p["version_no"].as_i64())
        .collect();
    assert_eq!(versions, vec![2, 1]);
    assert_eq!(plans[1]["status"], "approved");
    assert_eq!(plans[1]["action_count"], 1);
}

/// A few households with members, needs and plans: a trail of some dozens of rows.
fn busy_app() -> App {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let sup = app.staff("何测试", "supervisor", SIHONG);
    for _ in 0..3 {
        let (h, need) = app.active_household(&cw, "high");
        app.approved_plan(&cw, &sup, &h, &need);
    }
    app
}

fn verify(app: &App) -> serde_json::Value {
    let conn = rusqlite::Connection::open(&app.path).expect("open");
    serde_json::to_value(yihu::audit_chain::verify(&conn).expect("verify")).expect("json")
}

/// Run `sql` on the file the way someone with the sqlite3 library would: triggers dropped first.
fn tamper(app: &App, sql: &str) {
    let conn = rusqlite::Connection::open(&app.path).expect("open");
    conn.execute_batch(&format!(
        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; {sql}"
    ))
    .expect("tamper");
}

fn cli_verify(app: &App) -> (bool, serde_json::Value, serde_json::Value) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yihu"))
        .args(["audit", "verify", "--db"])
        .arg(&app.path)
        .env_remove("YIHU_DB")
        .output()
        .expect("run yihu");
    let stdout: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report on stdout");
    let stderr: serde_json::Value =
        serde_json::from_slice(&out.stderr).unwrap_or(serde_json::Value::Null);
    (out.status.success(), stdout, stderr)
}

#[test]
fn the_audit_trail_is_a_hash_chain_that_verifies() {
    let app = busy_app();
    let rows = app.count("SELECT count(*) FROM audit");
    assert!(rows > 20, "only {rows} audit rows");
    let report = verify(&app);
    assert_eq!(report["ok"], json!(true), "{report}");
    assert_eq!(report["rows_checked"], json!(rows));
    assert_eq!(report["last_seq"], json!(rows));
    assert_eq!(
        app.count("SELECT count(*) FROM audit WHERE hash IS NULL OR prev_hash IS NULL"),
        0
    );
    // Each row's prev_hash is its predecessor's hash.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM audit a JOIN audit b ON b.seq = a.seq + 1 WHERE b.prev_hash <> a.hash"
        ),
        0
    );
    let (ok, out, _) = cli_verify(&app);
    assert!(ok, "{out}");
    assert_eq!(out["rows_checked"], json!(rows));
    // `yihu check` includes the chain.
    let conn = rusqlite::Connection::open(&app.path).expect("open");
    assert!(yihu::check::run(&conn).expect("check").is_empty());
}

#[test]
fn the_audit_trail_refuses_update_and_delete() {
    let app = busy_app();
    let conn = rusqlite::Connection::open(&app.path).expect("open");
    let before = contents(&app.path);
    for sql in [
        "UPDATE audit SET after_json = '{}' WHERE seq = 3",
        "UPDATE audit SET actor_id = NULL",
        "DELETE FROM audit WHERE seq = 5",
        "DELETE FROM audit",
    ] {
        let e = conn.execute(sql, []).expect_err(sql);
        assert!(e.to_string().contains("audit.append_only"), "{sql}: {e}");
    }
    assert!(contents(&app.path) == before, "the trail changed");
    assert_eq!(verify(&app)["ok"], json!(true));
}

#[test]
fn verify_finds_a_row_altered_with_the_triggers_dropped() {
    let app = busy_app();
    tamper(
        &app,
        "UPDATE audit SET after_json = replace(after_json, '车门乡', '别的乡') WHERE seq = 7",
    );
    let report = verify(&app);
    assert_eq!(report["ok"], json!(false));
    assert_eq!(
        report["first_problem"],
        json!({"kind": "altered", "seq": 7, "count": 1})
    );
    assert_eq!(report["rows_checked"], json!(7));
    let (ok, out, err) = cli_verify(&app);
    assert!(!ok, "yihu audit verify passed a tampered trail");
    assert_eq!(out["first_problem"]["seq"], json!(7));
    assert_eq!(err["code"], json!("audit.chain.broken"), "{err}");
    // `yihu check` reports it too.
    let conn = rusqlite::Connection::open(&app.path).expect("open");
    let problems = yihu::check::run(&conn).expect("check");
    let checks: Vec<&str> = problems.iter().map(|p| p.check.as_str()).collect();
    // The dropped triggers, and the altered row.
    assert_eq!(
        checks,
        ["check.schema.missing", "audit.chain"],
        "{problems:?}"
    );
}

#[test]
fn verify_finds_removed_inserted_and_rehashed_rows() {
    // Removed rows: the sequence jumps.
    let app = busy_app();
    tamper(&app, "DELETE FROM audit WHERE seq IN (10, 11)");
    assert_eq!(
        verify(&app)["first_problem"],
        json!({"kind": "missing", "seq": 10, "count": 2})
    );

    // A row slipped in at the end without a hash, or with made-up links.
    let app = busy_app();
    let n = app.count("SELECT count(*) FROM audit");
    tamper(
        &app,
        "INSERT INTO audit(at, command, entity_type, entity_id) VALUES ('2026-03-02T00:00:00Z', 'member.add', 'member', 'x')",
    );
    assert_eq!(
        verify(&app)["first_problem"],
        json!({"kind": "inserted", "seq": n + 1, "count": 1})
    );
    let app = busy_app();
    tamper(
        &app,
        &format!(
            "INSERT INTO audit(seq, at, command, entity_type, entity_id, prev_hash, hash)
             VALUES ({}, '2026-03-02T00:00:00Z', 'member.add', 'member', 'x', '{}', '{}')",
            n + 1,
            "a".repeat(64),
            "b".repeat(64)
        ),
    );
    assert_eq!(
        verify(&app)["first_problem"],
        json!({"kind": "inserted", "seq": n + 1, "count": 1})
    );

    // A row changed and its own hash recomputed: the next row no longer follows it.
    let app = busy_app();
    let conn = rusqlite::Connection::open(&app.path).expect("open");
    let f: Vec<Option<String>> = conn
        .query_row(
            "SELECT at, actor_id, command, entity_type, entity_id, household_id, before_json, prev_hash
             FROM audit WHERE seq = 4",
            [],
            |r| (0..8).map(|i| r.get(i)).collect(),
        )
        .expect("row 4");
    let text = |i: usize| f[i].as_deref().unwrap_or_default();
    let forged_after = "{\"note\":\"rewritten\"}";
    let forged = yihu::audit_chain::hash(
        text(7),
        4,
        &yihu::audit_chain::Entry {
            at: text(0),
            actor_id: f[1].as_deref(),
            command: text(2),
            entity_type: text(3),
            entity_id: text(4),
            household_id: f[5].as_deref(),
            before_json: f[6].as_deref(),
            after_json: Some(forged_after),
        },
    );
    tamper(
        &app,
        &format!("UPDATE audit SET after_json = '{forged_after}', hash = '{forged}' WHERE seq = 4"),
    );
    assert_eq!(
        verify(&app)["first_problem"],
        json!({"kind": "broken", "seq": 5, "count": 1})
    );
}

#[test]
fn sensitive_fields_are_held_back_until_revealed_and_each_reveal_is_audited() {
    let mut app = App::new();
    let cw = app.staff("社工", "caseworker", CHEMEN);
    let other = app.staff("另一位社工", "caseworker", CHEMEN);
    let h = app.household(&cw, "high");
    let first17 = "32132419850601002";
    let idn = format!(
        "{first17}{}",
        yihu::idcard::check_char(first17).expect("17 digits")
    );
    let m = app.ok(
        &cw,
        "member.add",
        json!({"household_id": h, "member": {"name": "测试户主", "relation": "head", "sex": "female",
            "birth_date": "1985-06-01", "id_number": idn, "health_conditions": "乳腺癌术后",
            "disability_type": "physical", "disability_grade": 2}}),
    );
    let mid = id(&m);
    // Every response shows the member masked: the ID number's ends only, no health or disability.
    let shown = app.ok(&cw, "household.get", json!({"id": h}));
    let listed = &shown["members"][0];
    let text = shown.to_string();
    assert!(!text.contains(&idn) && !text.contains("乳腺癌"), "{text}");
    assert_eq!(listed["id_number"], json!(yihu::idcard::mask(&idn)));
    assert_eq!(
        listed["hidden"],
        json!(["id_number", "birth_date", "health_conditions", "disability"])
    );
    assert!(!m.to_string().contains(&idn));
    // An edit with everything typed again: the history names the change but shows no value.
    app.ok(
        &cw,
        "member.update",
        json!({"id": mid, "member": {"name": "测试户主", "relation": "head", "sex": "female",
            "birth_date": "1985-06-01", "id_number": idn, "health_conditions": "乳腺癌术后，已康复",
            "disability_type": "physical", "disability_grade": 2}}),
    );
    let history = app.ok(&cw, "audit.list", json!({"household_id": h}));
    let text = history.to_string();
    assert!(
        !text.contains(&idn) && !text.contains("乳腺癌"),
        "the history shows a sensitive value: {text}"
    );
    let update = history
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["command"] == "member.update"))
        .expect("the update row");
    assert_eq!(update["hidden_changes"], json!(["health_conditions"]));
    assert_eq!(update["after"]["health_conditions"], json!("***"));
    // The owner reveals: full values, and the reveal is in the history with the fields named.
    let full = app.ok(&cw, "member.reveal", json!({"id": mid}));
    assert_eq!(full["id_number"], json!(idn));
    assert_eq!(full["health_conditions"], json!("乳腺癌术后，已康复"));
    assert_eq!(full["disability_grade"], json!(2));
    let history = app.ok(&cw, "audit.list", json!({"household_id": h}));
    let top = &history[0];
    assert_eq!(top["command"], json!("member.reveal"));
    assert_eq!(top["actor_id"], json!(cw));
    assert_eq!(top["entity_id"], json!(mid));
    assert_eq!(
        top["after"]["revealed"],
        json!(["id_number", "birth_date", "health_conditions", "disability"])
    );
    // Someone without the household is refused, and nothing is recorded.
    let before = app.count("SELECT count(*) FROM audit");
    let e = app.err(&other, "member.reveal", json!({"id": mid}));
    assert_eq!(e.code, "auth.out_of_scope");
    assert_eq!(app.count("SELECT count(*) FROM audit"), before);
}
