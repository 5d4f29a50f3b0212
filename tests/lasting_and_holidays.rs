//! Schedules the work needs (schema 9): help that lasts over a period (a hospital stay from …
//! until …, free housing until the case closes), completing itself when its last day has
//! passed and never copied into the next draft once over; and schedules that follow the school
//! holidays ("weekends and every day of the school holidays"), with the holidays of each year
//! kept in Settings (the usual Jiangsu calendar until an office enters its own) and the
//! deliveries still to come re-planned when they change.

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::{Value, json};
use uuid::Uuid;
use yihu::api::ledger::{LedgerJob, LedgerRequest};
use yihu::{Ctx, api};

use crate::common::{App, CHEMEN, date, id};

/// A household referred on 2025-12-01, active, with a head and one need; (household, need).
fn household(app: &mut App, cw: &str, category: &str) -> (String, String) {
    let h = app.ok(
        cw,
        "household.create",
        json!({
        "division_code": CHEMEN, "address": "车门乡 5 组 3 号", "causes": ["illness"],
        "referral_source": "screening", "referred_on": "2025-12-01", "consent_on": "2025-12-01",
        "caseworker_id": cw, "priority": "high"}),
    );
    let hid = id(&h);
    app.ok(
        cw,
        "member.add",
        json!({"household_id": hid, "member": {
        "name": "测试户主", "relation": "head", "sex": "female", "birth_date": "1985-06-01"}}),
    );
    app.ok(
        cw,
        "household.transition",
        json!({"id": hid, "to": "assessing"}),
    );
    app.ok(
        cw,
        "household.transition",
        json!({"id": hid, "to": "active"}),
    );
    let n = app.ok(
        cw,
        "need.add",
        json!({"household_id": hid, "category": category,
        "description": "需要帮扶", "priority": "high", "found_on": "2025-12-01"}),
    );
    (hid, id(&n))
}

fn occurrences(app: &mut App, cw: &str, h: &str, action: &str) -> Vec<Value> {
    let all = app.ok(
        cw,
        "occurrence.list",
        json!({"household_id": h, "from": "2025-01-01", "to": "2027-12-31"}),
    );
    all.as_array()
        .expect("list")
        .iter()
        .filter(|o| o["action_id"] == json!(action))
        .cloned()
        .collect()
}

fn action_status(app: &mut App, cw: &str, action: &str) -> String {
    let plan: String = app
        .conn
        .query_row(
            "SELECT plan_version_id FROM action WHERE id = ?1",
            [action],
            |r| r.get(0),
        )
        .expect("plan");
    let p = app.ok(cw, "plan.get", json!({"id": plan}));
    p["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["id"] == json!(action))
        .map(|a| a["status"].as_str().unwrap_or_default().to_string())
        .expect("action in its plan")
}

#[test]
fn a_hospital_stay_and_free_housing_last_over_their_period() {
    let mut app = App::new(); // today 2026-03-02
    let cw = app.staff("社工乙", "caseworker", CHEMEN);
    let sup = app.staff("主任乙", "supervisor", CHEMEN);
    let (h, need) = household(&mut app, &cw, "medical");
    let p = app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "治疗与住房"}),
    );
    let plan = p["plan"]["id"].as_str().expect("plan").to_string();
    let stay = |extra: Value| {
        let mut a = json!({"title": "县医院免费住院治疗", "category": "medical", "need_ids": [need],
            "start_on": "2026-01-05", "lasting": true, "ends_on": "2026-02-27"});
        if let (Some(a), Some(x)) = (a.as_object_mut(), extra.as_object()) {
            for (k, v) in x {
                a.insert(k.clone(), v.clone());
            }
        }
        json!({"plan_id": plan, "action": a})
    };
    // What cannot be said is refused at the field, and nothing is written.
    app.refused(
        &cw,
        "action.add",
        stay(json!({"recurrence": {"freq": "weekly"}})),
        "validation.recurrence.conflict",
        Some("action.recurrence"),
    );
    app.refused(
        &cw,
        "action.add",
        stay(json!({"lasting": false})),
        "validation.not_applicable",
        Some("action.ends_on"),
    );
    app.refused(
        &cw,
        "action.add",
        stay(json!({"ends_on": "2026-01-04"})),
        "validation.date.order",
        Some("action.ends_on"),
    );
    let hospital = app.ok(&cw, "action.add", stay(json!({})));
    assert_eq!(
        hospital["schedule"]["zh"],
        json!("持续，自 2026-01-05 至 2026-02-27")
    );
    assert_eq!(
        hospital["schedule"]["en"],
        json!("Lasting from 2026-01-05 until 2026-02-27")
    );
    let housing = app.ok(
        &cw,
        "action.add",
        json!({"plan_id": plan, "action": {"title": "房东免费提供住房", "category": "medical",
            "need_ids": [need], "start_on": "2026-01-10", "lasting": true}}),
    );
    assert_eq!(
        housing["schedule"]["zh"],
        json!("持续，自 2026-01-10 起，至结案")
    );
    assert_eq!(housing["ends_on"], json!(null));
    // A patch that leaves the period out keeps it.
    let kept = app.ok(
        &cw,
        "action.update",
        json!({"id": id(&hospital), "action": {"note": "医保报销后自付为零"}}),
    );
    assert_eq!(
        (kept["lasting"].clone(), kept["ends_on"].clone()),
        (json!(true), json!("2026-02-27"))
    );
    app.ok(&cw, "plan.submit", json!({"id": plan}));
    // Entered after the fact: in force from the day the stay began.
    app.ok(
        &sup,
        "plan.approve",
        json!({"id": plan, "in_force_from": "2026-01-05"}),
    );

    // One delivery each: the day the help began.
    let (hid, xid) = (id(&hospital), id(&housing));
    let stay_occ = occurrences(&mut app, &cw, &h, &hid);
    assert_eq!(stay_occ.len(), 1, "{stay_occ:?}");
    assert_eq!(stay_occ[0]["due_on"], json!("2026-01-05"));
    let housing_occ = occurrences(&mut app, &cw, &h, &xid);
    assert_eq!(housing_occ.len(), 1);
    // The stay is over but its start is not recorded yet: it waits, still in force.
    app.ok(&cw, "occurrence.generate", json!({"household_id": h}));
    assert_eq!(action_status(&mut app, &cw, &hid), "active");
    // Recording its start puts the need in progress and, the stay being over, completes it.
    app.ok(
        &cw,
        "occurrence.record",
        json!({"id": id(&stay_occ[0]), "status": "done", "done_on": "2026-01-05"}),
    );
    assert_eq!(action_status(&mut app, &cw, &hid), "completed");
    let n = app.ok(&cw, "household.get", json!({"id": h}));
    assert_eq!(n["needs"][0]["status"], json!("in_progress"));
    // The housing runs until closed: recording its start does not end it.
    app.ok(
        &cw,
        "occurrence.record",
        json!({"id": id(&housing_occ[0]), "status": "done", "done_on": "2026-01-10"}),
    );
    assert_eq!(action_status(&mut app, &cw, &xid), "active");

    // The next draft carries the housing, not the stay that is over.
    let draft = app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "住房"}),
    );
    let titles: Vec<&str> = draft["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(|a| a["title"].as_str())
        .collect();
    assert_eq!(titles, vec!["房东免费提供住房"]);
    let copied = &draft["actions"][0];
    assert_eq!(
        (copied["lasting"].clone(), copied["ends_on"].clone()),
        (json!(true), json!(null))
    );

    // The ledger lists both with their periods.
    let request: LedgerRequest =
        api::parse_request(&json!({"kind": "ledger", "division_code": CHEMEN}).to_string())
            .expect("request");
    let ctx = Ctx::fixed(Some(Uuid::parse_str(&sup).expect("uuid")), app.today);
    let out = app._dir.path().join("ledger.xlsx");
    api::export_ledger(
        &mut app.conn,
        &ctx,
        LedgerJob {
            request,
            out: out.clone(),
        },
    )
    .expect("export");
    let mut book: Xlsx<_> = open_workbook(&out).expect("open");
    let range = book.worksheet_range("帮扶措施").expect("sheet");
    let cells: Vec<String> = range
        .rows()
        .flat_map(|r| r.iter())
        .filter_map(|c| match c {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert!(
        cells.contains(&"持续，自 2026-01-05 至 2026-02-27".to_string()),
        "{cells:?}"
    );
    assert!(cells.contains(&"持续，自 2026-01-10 起，至结案".to_string()));
}

#[test]
fn help_that_lasts_completes_itself_the_day_after_its_last_day() {
    let mut app = App::new(); // 2026-03-02
    let cw = app.staff("社工丙", "caseworker", CHEMEN);
    let sup = app.staff("主任丙", "supervisor", CHEMEN);
    let (h, need) = household(&mut app, &cw, "housing");
    let p = app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "过渡住房"}),
    );
    let plan = p["plan"]["id"].as_str().expect("plan").to_string();
    let a = app.ok(
        &cw,
        "action.add",
        json!({"plan_id": plan, "action": {"title": "过渡安置住房", "category": "housing",
            "need_ids": [need], "start_on": "2026-03-02", "lasting": true, "ends_on": "2026-03-10"}}),
    );
    app.ok(&cw, "plan.submit", json!({"id": plan}));
    app.ok(&sup, "plan.approve", json!({"id": plan}));
    let occ = occurrences(&mut app, &cw, &h, &id(&a));
    app.ok(
        &cw,
        "occurrence.record",
        json!({"id": id(&occ[0]), "status": "done"}),
    );
    assert_eq!(action_status(&mut app, &cw, &id(&a)), "active");
    // On its last day it is still in force; the day after, it completes itself.
    app.advance(8);
    assert_eq!(app.today, date("2026-03-10"));
    app.ok(&cw, "occurrence.generate", json!({}));
    assert_eq!(action_status(&mut app, &cw, &id(&a)), "active");
    app.advance(1);
    app.ok(&cw, "occurrence.generate", json!({}));
    assert_eq!(action_status(&mut app, &cw, &id(&a)), "completed");
    // And the change is in the household's history like a manual one.
    let trail = app.ok(&cw, "audit.list", json!({"household_id": h, "limit": 100}));
    assert!(
        trail
            .as_array()
            .expect("rows")
            .iter()
            .any(|r| r["entity_id"] == a["id"] && r["after"]["status"] == json!("completed")),
        "{trail}"
    );
}

#[test]
fn weekends_and_school_holidays_follow_the_calendar_kept_in_settings() {
    let mut app = App::new(); // 2026-03-02
    let admin = app.admin.clone();
    let cw = app.staff("社工丁", "caseworker", CHEMEN);
    let sup = app.staff("主任丁", "supervisor", CHEMEN);

    // The usual Jiangsu calendar until an office enters its own.
    let list = app.ok(
        &cw,
        "holiday.list",
        json!({"from_year": 2023, "to_year": 2026}),
    );
    let list = list.as_array().expect("list");
    assert_eq!(list.len(), 8);
    let winter_2023 = list
        .iter()
        .find(|p| p["year"] == json!(2023) && p["kind"] == json!("winter"))
        .expect("winter 2023");
    assert_eq!(
        (
            winter_2023["starts_on"].clone(),
            winter_2023["ends_on"].clone(),
            winter_2023["edited"].clone()
        ),
        (json!("2023-01-14"), json!("2023-02-05"), json!(false))
    );

    // Only a supervisor or an administrator changes it; bad dates are named.
    app.refused(
        &cw,
        "holiday.set",
        json!({"year": 2026, "kind": "summer", "starts_on": "2026-07-06", "ends_on": "2026-08-31"}),
        "auth.forbidden",
        None,
    );
    for (body, code, field) in [
        (
            json!({"year": 2026, "kind": "summer", "starts_on": "2026-07-06", "ends_on": "2026-07-01"}),
            "validation.date.order",
            "ends_on",
        ),
        (
            json!({"year": 2026, "kind": "summer", "starts_on": "2027-07-06", "ends_on": "2027-08-01"}),
            "validation.out_of_range",
            "starts_on",
        ),
        (
            json!({"year": 2026, "kind": "summer", "starts_on": "2026-06-01", "ends_on": "2026-09-30"}),
            "validation.out_of_range",
            "ends_on",
        ),
        (
            json!({"year": 2026, "kind": "summer", "starts_on": "2026-02-10", "ends_on": "2026-03-01"}),
            "validation.date.order",
            "starts_on",
        ),
        (
            json!({"year": 1800, "kind": "summer", "starts_on": "2026-07-06", "ends_on": "2026-08-31"}),
            "validation.out_of_range",
            "year",
        ),
    ] {
        app.refused(&sup, "holiday.set", body, code, Some(field));
    }

    // Volunteer company every weekend and every day of the school holidays.
    let (h, need) = household(&mut app, &cw, "daily_care");
    let rule = json!({"freq": "weekly", "weekdays": ["sat", "sun"], "school_holidays": "also"});
    let preview = app.ok(
        &cw,
        "action.preview",
        json!({"recurrence": rule, "start_on": "2026-06-27", "n": 6}),
    );
    // Default summer holiday from 1 July (a Wednesday).
    assert_eq!(
        preview["dates"],
        json!([
            "2026-06-27",
            "2026-06-28",
            "2026-07-01",
            "2026-07-02",
            "2026-07-03",
            "2026-07-04"
        ])
    );
    assert_eq!(
        preview["schedule"]["zh"],
        json!("每周的周六、周日，另加寒暑假每天，自 2026-06-27 起")
    );
    let p = app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "陪伴"}),
    );
    let plan = p["plan"]["id"].as_str().expect("plan").to_string();
    let a = app.ok(
        &cw,
        "action.add",
        json!({"plan_id": plan, "action": {"title": "志愿者周末及寒暑假陪伴", "category": "daily_care",
            "need_ids": [need], "start_on": "2026-06-27", "recurrence": rule}}),
    );
    app.ok(&cw, "plan.submit", json!({"id": plan}));
    app.ok(&sup, "plan.approve", json!({"id": plan}));
    app.ok(
        &cw,
        "occurrence.generate",
        json!({"household_id": h, "through": "2026-07-10"}),
    );
    let due = |app: &mut App| -> Vec<String> {
        occurrences(app, &cw, &h, &id(&a))
            .iter()
            .map(|o| o["due_on"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let before = due(&mut app);
    assert_eq!(before.len(), 2 + 10, "{before:?}");
    assert_eq!(before[2], "2026-07-01");

    // The bureau's summer holiday starts on Monday 6 July: 1–3 July go, the weekend stays, and
    // the change is recorded.
    let set = app.ok(
        &admin,
        "holiday.set",
        json!({"year": 2026, "kind": "summer", "starts_on": "2026-07-06", "ends_on": "2026-08-31"}),
    );
    assert_eq!(set["edited"], json!(true));
    let after = due(&mut app);
    assert_eq!(
        after,
        vec![
            "2026-06-27",
            "2026-06-28",
            "2026-07-04",
            "2026-07-05",
            "2026-07-06",
            "2026-07-07",
            "2026-07-08",
            "2026-07-09",
            "2026-07-10"
        ]
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit WHERE entity_type = 'school_holiday'"),
        1
    );
    // Back to the usual calendar: 1–3 July come back.
    let reset = app.ok(
        &sup,
        "holiday.reset",
        json!({"year": 2026, "kind": "summer"}),
    );
    assert_eq!(reset["edited"], json!(false));
    assert_eq!(due(&mut app), before);
}
