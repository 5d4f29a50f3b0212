//! Plan versions, the diff between them, and occurrence generation over a rolling horizon:
//! idempotent, never duplicating or losing a recorded delivery (with a property test).

use chrono::Duration;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::common::*;

fn setup() -> (App, String, String) {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let sup = app.staff("何测试", "supervisor", SIHONG);
    (app, cw, sup)
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(id).collect())
        .unwrap_or_default()
}

#[test]
fn a_new_version_copies_the_plan_in_force_and_the_diff_shows_every_change() {
    let (mut app, cw, sup) = setup();
    let (h, n1) = app.active_household(&cw, "high");
    let n2 = id(&app.ok(&cw, "need.add", json!({"household_id": h, "category": "education", "description": "学费困难", "priority": "high"})));
    let n3 = id(&app.ok(&cw, "need.add", json!({"household_id": h, "category": "employment", "description": "母亲需要就业", "priority": "medium"})));
    let v1 = id(&app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "第一版目标"}),
    )["plan"]);
    let weekly = app.ok(&cw, "action.add", json!({"plan_id": v1, "action": {"title": "每周助浴", "category": "daily_care",
        "need_ids": [n1], "recurrence": {"freq": "weekly", "weekdays": ["sat"]}, "start_on": app.today}}));
    let tuition = app.ok(
        &cw,
        "action.add",
        json!({"plan_id": v1, "action": {"title": "学费减免", "category": "education",
        "need_ids": [n2], "start_on": app.today + Duration::days(10)}}),
    );
    app.ok(&cw, "plan.submit", json!({"id": v1}));
    app.ok(&sup, "plan.approve", json!({"id": v1}));
    // The need's text changes after v1 was frozen.
    app.ok(&cw, "need.update", json!({"id": n1, "need": {"category": "daily_care", "description": "需要每周助浴两次", "priority": "high"}}));

    app.advance(14);
    let v2 = app.ok(&cw, "plan.create_draft", json!({"household_id": h}));
    assert_eq!(v2["plan"]["version_no"], 2);
    assert_eq!(v2["plan"]["goals"], "第一版目标");
    assert_eq!(v2["plan"]["based_on_id"], json!(v1));
    let copies = v2["actions"].as_array().expect("actions").clone();
    assert_eq!(copies.len(), 2);
    assert!(copies.iter().all(|a| a["status"] == "planned"));
    let v2 = id(&v2["plan"]);
    let weekly_copy = copies
        .iter()
        .find(|a| a["lineage_id"] == weekly["lineage_id"])
        .expect("weekly copied");
    let tuition_copy = copies
        .iter()
        .find(|a| a["lineage_id"] == tuition["lineage_id"])
        .expect("tuition copied");
    // Change one action, remove another, add a third.
    app.ok(&cw, "action.update", json!({"id": weekly_copy["id"], "action": {"title": "每周助浴", "category": "daily_care",
        "need_ids": [n1], "recurrence": {"freq": "weekly", "weekdays": ["wed", "sat"]}, "start_on": weekly["start_on"]}}));
    app.ok(&cw, "action.remove", json!({"id": tuition_copy["id"]}));
    let job = app.ok(
        &cw,
        "action.add",
        json!({"plan_id": v2, "action": {"title": "就业指导", "category": "employment",
        "need_ids": [n3], "start_on": app.today}}),
    );
    app.ok(&cw, "plan.update", json!({"id": v2, "goals": "第二版目标"}));

    let d = app.ok(&cw, "plan.diff", json!({"from_id": v1, "to_id": v2}));
    assert_eq!(d["goals_changed"], true);
    assert_eq!(ids(&d["actions"]["added"]), vec![id(&job)]);
    assert_eq!(
        d["actions"]["removed"][0]["lineage_id"],
        tuition["lineage_id"]
    );
    assert_eq!(d["actions"]["changed"].as_array().map(Vec::len), Some(1));
    assert_eq!(d["actions"]["changed"][0]["fields"], json!(["recurrence"]));
    let need_ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|n| n["need_id"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(need_ids(&d["needs"]["added"]), vec![n3.clone()]);
    assert_eq!(need_ids(&d["needs"]["removed"]), vec![n2.clone()]);
    assert_eq!(d["needs"]["changed"][0]["fields"], json!(["description"]));
    assert_eq!(
        d["needs"]["changed"][0]["before"]["description"],
        "需要照料"
    );
    assert_eq!(
        d["needs"]["changed"][0]["after"]["description"],
        "需要每周助浴两次"
    );
    // The reverse diff mirrors it.
    let r = app.ok(&cw, "plan.diff", json!({"from_id": v2, "to_id": v1}));
    assert_eq!(ids(&r["actions"]["removed"]), vec![id(&job)]);
    // Versions of different households are not compared.
    let (h2, n) = app.active_household(&cw, "low");
    let other = id(&app.ok(&cw, "plan.create_draft", json!({"household_id": h2}))["plan"]);
    let _ = n;
    app.refused(
        &cw,
        "plan.diff",
        json!({"from_id": v1, "to_id": other}),
        "plan.diff.other_household",
        Some("to_id"),
    );

    // Approving v2 supersedes v1: v1's future deliveries go, its recorded ones stay.
    let past = app.ok(
        &cw,
        "occurrence.list",
        json!({"household_id": h, "to": app.today, "status": "due"}),
    );
    let recorded = past[0]["id"].clone();
    app.ok(
        &cw,
        "occurrence.record",
        json!({"id": recorded, "status": "done", "note": "已完成"}),
    );
    app.ok(&cw, "plan.submit", json!({"id": v2}));
    app.ok(&sup, "plan.approve", json!({"id": v2}));
    let v1_now = app.ok(&cw, "plan.get", json!({"id": v1}));
    assert_eq!(v1_now["plan"]["status"], "superseded");
    let old_future = app.count(&format!(
        "SELECT count(*) FROM occurrence o JOIN action a ON a.id = o.action_id WHERE a.plan_version_id = '{v1}' AND o.status = 'due' AND o.due_on >= '{}'",
        app.today
    ));
    assert_eq!(old_future, 0);
    let kept = app.ok(
        &cw,
        "occurrence.list",
        json!({"household_id": h, "status": "done"}),
    );
    assert_eq!(
        ids(&kept),
        vec![recorded.as_str().unwrap_or_default().to_string()]
    );
    // v2's weekly action now delivers on Wednesdays and Saturdays from today on.
    let upcoming = app.ok(
        &cw,
        "occurrence.list",
        json!({"household_id": h, "from": app.today, "status": "due"}),
    );
    let days: Vec<u32> = upcoming
        .as_array()
        .expect("list")
        .iter()
        .filter(|o| o["action_title"] == "每周助浴")
        .map(|o| {
            date(o["due_on"].as_str().unwrap_or_default())
                .format("%u")
                .to_string()
                .parse()
                .unwrap_or(0)
        })
        .collect();
    assert!(
        !days.is_empty() && days.iter().all(|d| *d == 3 || *d == 6),
        "{days:?}"
    );
    let detail = app.ok(&cw, "household.get", json!({"id": h}));
    assert_eq!(detail["plan_in_force"]["plan"]["id"], json!(v2));
    assert_eq!(detail["plans"].as_array().map(Vec::len), Some(2));
}

#[test]
fn actions_validate_schedules_money_and_needs() {
    let (mut app, cw, _) = setup();
    let (h, need) = app.active_household(&cw, "high");
    let plan = id(&app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "g"}),
    )["plan"]);
    let base = json!({"title": "资助", "category": "living_costs", "need_ids": [need], "start_on": "2026-03-02"});
    let with = |k: &str, v: Value| {
        let mut a = base.clone();
        a[k] = v;
        json!({"plan_id": plan, "action": a})
    };
    app.refused(
        &cw,
        "action.add",
        with("amount_fen", json!(-1)),
        "validation.money.negative",
        Some("action.amount_fen"),
    );
    app.refused(
        &cw,
        "action.add",
        with("need_ids", json!([])),
        "validation.required",
        Some("action.need_ids"),
    );
    app.refused(
        &cw,
        "action.add",
        with("recurrence", json!({"freq": "weekly", "interval": 0})),
        "validation.recurrence.out_of_range",
        Some("action.recurrence.interval"),
    );
    app.refused(
        &cw,
        "action.add",
        with(
            "recurrence",
            json!({"freq": "monthly", "weekdays": ["mon"]}),
        ),
        "validation.recurrence.not_allowed",
        Some("action.recurrence.weekdays"),
    );
    app.refused(
        &cw,
        "action.add",
        with(
            "recurrence",
            json!({"freq": "daily", "until": "2026-01-01"}),
        ),
        "validation.recurrence.before_start",
        Some("action.recurrence.until"),
    );
    app.refused(
        &cw,
        "action.add",
        with(
            "recurrence",
            json!({"freq": "daily", "until": "2026-05-01", "count": 3}),
        ),
        "validation.recurrence.conflict",
        Some("action.recurrence.count"),
    );
    app.refused(
        &cw,
        "action.add",
        with("title", json!("")),
        "validation.required",
        Some("action.title"),
    );
    let (h2, other_need) = app.active_household(&cw, "low");
    let _ = h2;
    app.refused(
        &cw,
        "action.add",
        with("need_ids", json!([other_need])),
        "validation.need.other_household",
        Some("action.need_ids[0]"),
    );
    // A monthly ¥500 stipend from a menu service: title and category come from the menu.
    let admin = app.admin.clone();
    let partner = id(&app.ok(
        &admin,
        "partner.create",
        json!({"name": "爱心企业", "kind": "enterprise"}),
    ));
    let service = id(&app.ok(&admin, "service.create", json!({"name": "生活费资助", "category": "living_costs", "unit": "月", "default_partner_id": partner})));
    let a = app.ok(&cw, "action.add", json!({"plan_id": plan, "action": {"service_id": service, "need_ids": [need],
        "amount_fen": 50000, "recurrence": {"freq": "monthly", "month_day": 1}, "start_on": "2026-04-01"}}));
    assert_eq!(a["title"], "生活费资助");
    assert_eq!(a["category"], "living_costs");
    assert_eq!(a["partner_id"], json!(partner));
    assert_eq!(a["provider_name"], "爱心企业");
    assert_eq!(a["amount_fen"], 50000);
    let preview = app.ok(&cw, "action.preview", json!({"recurrence": {"freq": "monthly", "month_day": 1}, "start_on": "2026-04-01", "n": 3}));
    assert_eq!(
        preview["dates"],
        json!(["2026-04-01", "2026-05-01", "2026-06-01"])
    );
    assert_eq!(
        preview["schedule"],
        json!({"zh": "每月 1 日，自 2026-04-01 起", "en": "Every month on day 1, from 2026-04-01"})
    );
    assert_eq!(
        a["schedule"]["zh"].as_str().map(|s| s.starts_with("每月")),
        Some(true),
        "{a}"
    );
    let weekly = app.ok(&cw, "action.preview", json!({"recurrence": {"freq": "weekly", "interval": 2, "weekdays": ["mon"]}, "start_on": "2026-03-02", "n": 3}));
    assert_eq!(
        weekly["dates"],
        json!(["2026-03-02", "2026-03-16", "2026-03-30"])
    );
    assert_eq!(weekly["schedule"]["zh"], "每 2 周的周一，自 2026-03-02 起");
}

#[test]
fn generation_is_idempotent_and_respects_the_horizon() {
    let (mut app, cw, sup) = setup();
    let (h, need) = app.active_household(&cw, "high");
    app.approved_plan(&cw, &sup, &h, &need);
    let count = |app: &App| app.count("SELECT count(*) FROM occurrence");
    let first = count(&app);
    // 2026-03-02 is a Monday: Saturdays through today + 90 days.
    assert_eq!(first, 13);
    let again = app.ok(&cw, "occurrence.generate", json!({}));
    assert_eq!(again["created"], 0);
    assert_eq!(count(&app), first);
    let settings = app.ok(&cw, "settings.get", json!({}));
    assert_eq!(settings["occurrence_horizon_days"], 90);
    let admin = app.admin.clone();
    app.ok(&admin, "settings.update", json!({"cadence_days": {"high": 7, "medium": 30, "low": 90}, "occurrence_horizon_days": 120}));
    let more = app.ok(&cw, "occurrence.generate", json!({"household_id": h}));
    assert_eq!(more["created"], 4);
    app.refused(
        &cw,
        "occurrence.generate",
        json!({"through": "2030-01-01"}),
        "validation.out_of_range",
        Some("through"),
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Whatever the order of generating, recording and moving the clock: no duplicate
    /// occurrence, every one on a Saturday inside [in force, last horizon], and every
    /// recorded one kept exactly as recorded.
    #[test]
    fn occurrences_stay_unique_in_bounds_and_recorded(steps in proptest::collection::vec((0u8..3, 0i64..40, 7u32..120), 1..12)) {
        let (mut app, cw, sup) = setup();
        let (h, need) = app.active_household(&cw, "high");
        app.approved_plan(&cw, &sup, &h, &need);
        let start = app.today;
        let admin = app.admin.clone();
        let mut recorded: Vec<(String, String)> = Vec::new();
        let mut furthest = start + Duration::days(90);
        for (op, days, horizon) in steps {
            match op {
                0 => {
                    app.advance(days);
                }
                1 => {
                    app.ok(&admin, "settings.update", json!({"cadence_days": {"high": 7, "medium": 30, "low": 90}, "occurrence_horizon_days": horizon}));
                    app.ok(&cw, "occurrence.generate", json!({}));
                    furthest = furthest.max(app.today + Duration::days(i64::from(horizon)));
                }
                _ => {
                    let due = app.ok(&cw, "occurrence.list", json!({"household_id": h, "to": app.today, "status": "due"}));
                    if let Some(o) = due.as_array().and_then(|a| a.first()) {
                        let status = if days % 2 == 0 { "done" } else { "missed" };
                        app.ok(&cw, "occurrence.record", json!({"id": o["id"], "status": status}));
                        recorded.push((id(o), status.to_string()));
                    }
                }
            }
        }
        app.ok(&cw, "occurrence.generate", json!({}));
        let all = app.ok(&cw, "occurrence.list", json!({"household_id": h}));
        let all = all.as_array().expect("list");
        let mut dates: Vec<String> = all.iter().map(|o| o["due_on"].as_str().unwrap_or_default().to_string()).collect();
        let n = dates.len();
        dates.dedup();
        prop_assert_eq!(dates.len(), n, "duplicate occurrence");
        for o in all {
            let d = date(o["due_on"].as_str().unwrap_or_default());
            prop_assert!(d >= start);
            prop_assert!(d <= furthest.max(app.today + Duration::days(120)));
            prop_assert_eq!(d.format("%u").to_string(), "6");
        }
        for (rid, status) in recorded {
            let o = all.iter().find(|o| o["id"] == json!(rid));
            prop_assert!(o.is_some(), "a recorded occurrence was lost");
            prop_assert_eq!(o.map(|o| o["status"].clone()), Some(json!(status)));
        }
        prop_assert_eq!(app.count("SELECT count(*) FROM occurrence o JOIN occurrence p ON p.action_id = o.action_id AND p.due_on = o.due_on AND p.id <> o.id"), 0);
    }
}

#[test]
fn a_one_off_action_is_completed_by_its_delivery_and_not_copied_forward() {
    let (mut app, cw, sup) = setup();
    let (h, need) = app.active_household(&cw, "high");
    let plan = id(&app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "g"}),
    )["plan"]);
    let once = id(&app.ok(
        &cw,
        "action.add",
        json!({"plan_id": plan, "action": {"title": "学费减免", "category": "education",
        "need_ids": [need], "start_on": app.today}}),
    ));
    app.ok(&cw, "action.add", json!({"plan_id": plan, "action": {"title": "每周上门", "category": "daily_care",
        "need_ids": [need], "recurrence": {"freq": "weekly", "weekdays": ["sat"]}, "start_on": app.today}}));
    app.ok(&cw, "plan.submit", json!({"id": plan}));
    app.ok(&sup, "plan.approve", json!({"id": plan}));
    let occ = app.ok(
        &cw,
        "occurrence.list",
        json!({"household_id": h, "action_id": once}),
    );
    assert_eq!(occ.as_array().map(Vec::len), Some(1));
    assert_eq!(occ[0]["due_on"], "2026-03-02");
    app.ok(
        &cw,
        "occurrence.record",
        json!({"id": occ[0]["id"], "status": "done"}),
    );
    let got = app.ok(&cw, "plan.get", json!({"id": plan}));
    let action = got["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["id"] == json!(once))
        .expect("action")
        .clone();
    assert_eq!(action["status"], "completed");
    // The next version carries only what is still running.
    let v2 = app.ok(&cw, "plan.create_draft", json!({"household_id": h}));
    let titles: Vec<&str> = v2["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(|a| a["title"].as_str())
        .collect();
    assert_eq!(titles, vec!["每周上门"]);
}
