//! Edits are patches: every update command changes only the fields it names. The property test
//! sends random subsets of each update command's fields (values, and `null` where a field may
//! be empty) and compares the stored row before and after: every column the request did not
//! name is byte-identical; every one it named holds the value sent. A member's masked
//! sensitive fields survive an edit that does not name them, with no reveal recorded.

use proptest::prelude::*;
use rusqlite::types::Value as Sql;
use serde_json::{Value, json};

use crate::common::{App, CHEMEN, id};

/// One update command under test: where its record lives, who may change it, how a request
/// wraps its fields, and for each field it may name, the values to try (each valid with any
/// choice of the others).
struct Case {
    command: &'static str,
    table: &'static str,
    id: String,
    actor: String,
    /// The key the fields go under (`household`, `member`…), or None for top-level fields.
    wrap: Option<&'static str>,
    fields: Vec<(&'static str, Vec<Value>)>,
}

/// Every column of the row `id` of `table`, as stored.
fn row(app: &App, table: &str, id: &str) -> Vec<(String, Sql)> {
    let mut st = app
        .conn
        .prepare(&format!("SELECT * FROM {table} WHERE id = ?1"))
        .expect("prepare");
    let names: Vec<String> = st.column_names().iter().map(|s| s.to_string()).collect();
    st.query_row([id], |r| {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| Ok((n.clone(), r.get::<_, Sql>(i)?)))
            .collect::<rusqlite::Result<Vec<_>>>()
    })
    .expect("row")
}

/// The settings as stored (a key–value table).
fn settings(app: &App) -> Vec<(String, Sql)> {
    let mut st = app
        .conn
        .prepare("SELECT key, value FROM setting ORDER BY key")
        .expect("prepare");
    st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Sql>(1)?)))
        .expect("query")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("rows")
}

/// The rows hanging off a record that a field stands for (`supports`, `need_ids`).
fn side_rows(app: &App, case: &Case) -> Vec<String> {
    let sql = match case.table {
        "household" => {
            "SELECT kind || ':' || ifnull(monthly_fen, '') FROM household_support WHERE household_id = ?1 ORDER BY kind"
        }
        "action" => "SELECT need_id FROM action_need WHERE action_id = ?1 ORDER BY need_id",
        _ => return Vec::new(),
    };
    let mut st = app.conn.prepare(sql).expect("prepare");
    st.query_map([&case.id], |r| r.get::<_, String>(0))
        .expect("query")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("rows")
}

fn cases(app: &mut App) -> Vec<Case> {
    let cw = app.staff("社工", "caseworker", CHEMEN);
    let sup = app.staff("督导", "supervisor", CHEMEN);
    let admin = app.admin.clone();
    let (h, need) = app.active_household(&cw, "high");
    let member = id(&app.ok(
        &cw,
        "member.add",
        json!({"household_id": h, "member": {
            "name": "测试女儿", "relation": "daughter", "sex": "female", "birth_date": "2012-03-05",
            "id_number": "321324201203050029", "health_conditions": "哮喘",
            "disability_type": "physical", "disability_grade": 3}}),
    ));
    let other_need = id(&app.ok(
        &cw,
        "need.add",
        json!({"household_id": h, "category": "education", "description": "学费", "priority": "medium"}),
    ));
    let plan = app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "稳定生活"}),
    )["plan"]["id"]
        .as_str()
        .expect("plan")
        .to_string();
    let action = id(&app.ok(
        &cw,
        "action.add",
        json!({"plan_id": plan, "action": {"title": "每周上门", "category": "daily_care",
            "need_ids": [need], "start_on": app.today, "amount_fen": 100}}),
    ));
    let staff = app.staff("另一位社工", "caseworker", CHEMEN);
    let partner = id(&app.ok(
        &admin,
        "partner.create",
        json!({"name": "县医院", "kind": "hospital", "phone": "0527-8000 0000"}),
    ));
    let service = id(&app.ok(
        &admin,
        "service.create",
        json!({"name": "上门助浴", "category": "daily_care", "unit": "次"}),
    ));
    let _ = sup;
    // Every setting stored once (until then they are defaults, not rows).
    app.ok(&admin, "settings.update", json!({}));
    let s = |v: &str| json!(v);
    vec![
        Case {
            command: "household.update",
            table: "household",
            id: h.clone(),
            actor: cw.clone(),
            wrap: Some("household"),
            fields: vec![
                (
                    "address",
                    vec![s("车门乡 2 组 5 号"), s("车门乡 3 组 8 号")],
                ),
                ("phone", vec![s("13800138000"), Value::Null]),
                (
                    "causes",
                    vec![json!(["disability"]), json!(["illness", "single_parent"])],
                ),
                (
                    "supports",
                    vec![json!([]), json!([{"kind": "dibao", "monthly_fen": 50000}])],
                ),
                ("referral_source", vec![s("village_committee"), s("self")]),
                ("referral_note", vec![s("村里推荐"), Value::Null]),
                ("consent_scope", vec![s("上门、共享给医院"), Value::Null]),
                ("priority", vec![s("low"), s("medium")]),
            ],
        },
        Case {
            command: "member.update",
            table: "member",
            id: member.clone(),
            actor: cw.clone(),
            wrap: Some("member"),
            fields: vec![
                ("name", vec![s("测试女儿甲"), s("测试女儿乙")]),
                ("phone", vec![s("13900139000"), Value::Null]),
                ("schooling", vec![s("primary"), Value::Null]),
                ("school_name", vec![s("车门小学"), Value::Null]),
                ("work", vec![s("学生"), Value::Null]),
                ("is_primary_carer", vec![json!(true), json!(false)]),
                ("is_target", vec![json!(true), json!(false)]),
            ],
        },
        Case {
            command: "need.update",
            table: "need",
            id: other_need,
            actor: cw.clone(),
            wrap: Some("need"),
            fields: vec![
                ("category", vec![s("education"), s("psychological")]),
                ("description", vec![s("学费和书本"), s("学费")]),
                ("priority", vec![s("high"), s("low")]),
                ("member_id", vec![json!(member), Value::Null]),
            ],
        },
        Case {
            command: "plan.update",
            table: "plan_version",
            id: plan,
            actor: cw.clone(),
            wrap: None,
            fields: vec![("goals", vec![s("稳定病情"), s("孩子上学")])],
        },
        Case {
            command: "action.update",
            table: "action",
            id: action,
            actor: cw.clone(),
            wrap: Some("action"),
            fields: vec![
                ("title", vec![s("每周上门照料"), s("上门")]),
                ("provider_name", vec![s("志愿者队"), Value::Null]),
                ("responsible_name", vec![s("王志愿"), Value::Null]),
                ("responsible_phone", vec![s("13700137000"), Value::Null]),
                ("amount_fen", vec![json!(50000), Value::Null]),
                ("note", vec![s("周六上午"), Value::Null]),
            ],
        },
        Case {
            command: "staff.update",
            table: "staff",
            id: staff,
            actor: admin.clone(),
            wrap: Some("staff"),
            fields: vec![
                ("name", vec![s("另一位社工甲"), s("另一位社工乙")]),
                ("phone", vec![s("13600136000"), Value::Null]),
            ],
        },
        Case {
            command: "partner.update",
            table: "partner",
            id: partner,
            actor: admin.clone(),
            wrap: Some("partner"),
            fields: vec![
                ("name", vec![s("县第三人民医院"), s("县医院")]),
                ("contact_name", vec![s("门诊部"), Value::Null]),
                ("phone", vec![s("052780001111"), Value::Null]),
                ("address", vec![s("人民路 1 号"), Value::Null]),
            ],
        },
        Case {
            command: "service.update",
            table: "service",
            id: service,
            actor: admin.clone(),
            wrap: Some("service"),
            fields: vec![
                ("name", vec![s("志愿者上门助浴"), s("上门助浴")]),
                ("unit", vec![s("次"), Value::Null]),
            ],
        },
        Case {
            command: "settings.update",
            table: "setting",
            id: String::new(),
            actor: admin,
            wrap: None,
            fields: vec![
                ("occurrence_horizon_days", vec![json!(60), json!(120)]),
                ("idle_lock_minutes", vec![json!(10), json!(30)]),
                (
                    "cadence_days",
                    vec![
                        json!({"high": 14, "medium": 30, "low": 90}),
                        json!({"high": 7, "medium": 45, "low": 120}),
                    ],
                ),
            ],
        },
    ]
}

/// The stored columns a named field may change (beside itself and `updated_at`).
fn columns_of(table: &str, field: &str) -> Vec<String> {
    match (table, field) {
        ("household", "supports") | ("action", "need_ids") => Vec::new(),
        ("household", "consent_on") => vec!["consent_on".into(), "consent_recorded_by".into()],
        ("household", "address") => vec!["address".into(), "search".into()],
        ("member", "name") => vec!["name".into(), "search".into()],
        ("setting", f) => vec![f.to_string()],
        (_, f) => vec![f.to_string()],
    }
}

#[test]
fn every_update_command_is_covered() {
    let mut app = App::new();
    let covered: Vec<&str> = cases(&mut app).iter().map(|c| c.command).collect();
    for c in yihu::commands() {
        if c.name.ends_with(".update") {
            assert!(covered.contains(&c.name), "{} has no patch case", c.name);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn an_update_changes_only_the_fields_it_names(
        picks in proptest::collection::vec((any::<u16>(), any::<u16>()), 1..40)
    ) {
        let mut app = App::new();
        let all = cases(&mut app);
        for (which, choice) in picks {
            let case = &all[usize::from(which) % all.len()];
            // A random subset of the fields (possibly none), each with one of its values.
            let mut named = serde_json::Map::new();
            for (i, (field, values)) in case.fields.iter().enumerate() {
                if (choice >> i) & 1 == 1 {
                    let v = &values[usize::from(choice >> 8) % values.len()];
                    named.insert((*field).to_string(), v.clone());
                }
            }
            let mut request = json!({});
            if !case.id.is_empty() {
                request["id"] = json!(case.id);
            }
            match case.wrap {
                Some(key) => request[key] = Value::Object(named.clone()),
                None => {
                    for (k, v) in &named {
                        request[k] = v.clone();
                    }
                }
            }
            let before = if case.table == "setting" { settings(&app) } else { row(&app, case.table, &case.id) };
            let side_before = side_rows(&app, case);
            let answer = app.ok(&case.actor, case.command, request.clone());
            let after = if case.table == "setting" { settings(&app) } else { row(&app, case.table, &case.id) };
            let free: Vec<String> = named.keys().flat_map(|f| columns_of(case.table, f)).collect();
            let after: std::collections::BTreeMap<String, Sql> = after.into_iter().collect();
            prop_assert_eq!(before.len(), after.len());
            for (col, old) in &before {
                let touched = free.iter().any(|f| col == f || col.starts_with(&format!("{f}.")));
                if !touched && col != "updated_at" {
                    prop_assert_eq!(Some(old), after.get(col), "{} changed {} though the request {} did not name it", case.command, col, request);
                }
            }
            if !named.contains_key("supports") && !named.contains_key("need_ids") {
                prop_assert_eq!(side_before, side_rows(&app, case), "{}", request);
            }
            // The answer is the whole record, with what was sent.
            for (k, v) in &named {
                let shown = answer.get(k).or_else(|| answer.get("plan").and_then(|p| p.get(k)));
                if let Some(shown) = shown && k != "supports" && k != "causes" {
                    prop_assert_eq!(shown, v, "{} answered {} for {}", case.command, shown, k);
                }
            }
        }
    }
}

#[test]
fn a_member_is_edited_without_revealing_and_keeps_what_is_masked() {
    let mut app = App::new();
    let cw = app.staff("社工", "caseworker", CHEMEN);
    let (h, _) = app.active_household(&cw, "high");
    let m = app.ok(
        &cw,
        "member.add",
        json!({"household_id": h, "member": {
            "name": "测试女儿", "relation": "daughter", "sex": "female", "birth_date": "2012-03-05",
            "id_number": "321324201203050029", "health_conditions": "哮喘", "disability_type": "physical",
            "disability_grade": 3}}),
    );
    // What the window shows: masked.
    assert_eq!(m["id_number"], json!("3213************29"), "{m}");
    let edited = app.ok(
        &cw,
        "member.update",
        json!({"id": id(&m), "member": {"phone": "13900139000"}}),
    );
    assert_eq!(edited["phone"], json!("13900139000"));
    let stored: (Option<String>, Option<String>, Option<String>) = app
        .conn
        .query_row(
            "SELECT id_number, health_conditions, disability_type FROM member WHERE id = ?1",
            [id(&m)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("member");
    assert_eq!(
        stored,
        (
            Some("321324201203050029".into()),
            Some("哮喘".into()),
            Some("physical".into())
        )
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit WHERE command = 'member.reveal'"),
        0,
        "editing revealed nothing"
    );
    // An empty ID number is a mistake named at the field, not "none"; null clears it.
    let e = app.err(
        &cw,
        "member.update",
        json!({"id": id(&m), "member": {"id_number": "  "}}),
    );
    assert_eq!(e.field.as_deref(), Some("member.id_number"), "{e:?}");
    let cleared = app.ok(
        &cw,
        "member.update",
        json!({"id": id(&m), "member": {"id_number": null}}),
    );
    assert_eq!(cleared["id_number"], json!(null));
    // A required field cannot be cleared.
    let e = app.err(
        &cw,
        "member.update",
        json!({"id": id(&m), "member": {"name": null}}),
    );
    assert_eq!(e.field.as_deref(), Some("member.name"), "{e:?}");
}
