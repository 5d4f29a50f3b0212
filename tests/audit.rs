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
    assert_eq!(updated["phone"], json!(null));
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
    assert_eq!(all[0]["default_partner_id"], json!(null));
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
