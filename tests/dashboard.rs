//! The supervisor's dashboard on a small area with known answers: every figure asserted, and
//! every household figure equal to the length of the household list it drills down to.

use serde_json::{Value, json};

use crate::common::*;

struct Fixture {
    app: App,
    cw1: String,
    cw2: String,
    sup: String,
}

fn household(app: &mut App, cw: &str, division: &str, priority: &str, causes: Value) -> String {
    id(&app.ok(
        cw,
        "household.create",
        json!({
        "division_code": division, "address": "测试地址 1 号", "causes": causes,
        "referral_source": "screening", "consent_on": app.today, "caseworker_id": cw,
        "priority": priority}),
    ))
}

fn activate(app: &mut App, cw: &str, h: &str) {
    app.ok(
        cw,
        "household.transition",
        json!({"id": h, "to": "assessing"}),
    );
    app.ok(cw, "household.transition", json!({"id": h, "to": "active"}));
}

fn need(app: &mut App, cw: &str, h: &str, category: &str) -> String {
    id(&app.ok(
        cw,
        "need.add",
        json!({"household_id": h, "category": category,
        "description": "测试需求", "priority": "medium"}),
    ))
}

/// Built on 2026-03-02 (a Monday), read on 2026-03-22 (a Sunday):
/// - A (cw1, high, illness): active; a daily-care need answered by an approved weekly Saturday
///   action; visited on 03-02; deliveries 03-07 done, 03-14 missed, 03-21 never recorded.
/// - B (cw1, medium, disability + single parent): active; a daily-care need (open) and a medical
///   need (in progress), both answered only by a plan still waiting for review since 03-02.
/// - C (cw2, low, illness): referred, nothing else.
/// - D (cw2, high, illness): active with an open need, then closed.
/// - F (cw1, low, disaster): active; a living-costs need, answered by a plan submitted on 03-20.
/// - E (cw3, in another county): active, overdue, an open need — never in the county's figures.
fn fixture() -> Fixture {
    let mut app = App::new();
    let cw1 = app.staff("周测试", "caseworker", CHEMEN);
    let cw2 = app.staff("吴测试", "caseworker", CHEMEN);
    let cw3 = app.staff("钱测试", "caseworker", SHANYANG);
    let sup = app.staff("何测试", "supervisor", SIHONG);
    let far_sup = app.staff("孙测试", "supervisor", "321023");

    let a = household(&mut app, &cw1, CHEMEN, "high", json!(["illness"]));
    activate(&mut app, &cw1, &a);
    let a_need = need(&mut app, &cw1, &a, "daily_care");
    let (_, action) = app.approved_plan(&cw1, &sup, &a, &a_need);
    app.ok(&cw1, "visit.log", json!({"household_id": a}));

    let b = household(
        &mut app,
        &cw1,
        CHEMEN,
        "medium",
        json!(["disability", "single_parent"]),
    );
    activate(&mut app, &cw1, &b);
    let b_care = need(&mut app, &cw1, &b, "daily_care");
    let b_med = need(&mut app, &cw1, &b, "medical");
    app.ok(
        &cw1,
        "need.set_status",
        json!({"id": b_med, "to": "in_progress"}),
    );
    let plan = app.ok(
        &cw1,
        "plan.create_draft",
        json!({"household_id": b, "goals": "照护"}),
    );
    let plan = plan["plan"]["id"].as_str().expect("plan id").to_string();
    app.ok(&cw1, "action.add", json!({"plan_id": plan, "action": {
        "title": "陪同就医", "category": "medical", "need_ids": [b_care, b_med], "start_on": app.today}}));
    app.ok(&cw1, "plan.submit", json!({"id": plan}));

    household(&mut app, &cw2, CHEMEN, "low", json!(["illness"]));

    let d = household(&mut app, &cw2, CHEMEN, "high", json!(["illness"]));
    activate(&mut app, &cw2, &d);
    need(&mut app, &cw2, &d, "housing");
    app.ok(
        &cw2,
        "household.transition",
        json!({"id": d, "to": "closed", "closure_reason": "moved_away"}),
    );

    let e = household(&mut app, &cw3, SHANYANG, "high", json!(["illness"]));
    activate(&mut app, &cw3, &e);
    need(&mut app, &cw3, &e, "housing");
    let _ = far_sup;

    // Deliveries of A's weekly action.
    app.advance(20);
    let occ = app.ok(
        &cw1,
        "occurrence.list",
        json!({"household_id": a, "action_id": action,
        "from": "2026-03-01", "to": "2026-03-21"}),
    );
    let occ: Vec<(String, String)> = occ
        .as_array()
        .expect("occurrences")
        .iter()
        .map(|o| (id(o), o["due_on"].as_str().expect("due_on").to_string()))
        .collect();
    let dues: Vec<&str> = occ.iter().map(|(_, d)| d.as_str()).collect();
    assert_eq!(dues, ["2026-03-07", "2026-03-14", "2026-03-21"]);
    app.ok(
        &cw1,
        "occurrence.record",
        json!({"id": occ[0].0, "status": "done", "done_on": "2026-03-07"}),
    );
    app.ok(
        &cw1,
        "occurrence.record",
        json!({"id": occ[1].0, "status": "missed"}),
    );

    // F: an empty plan submitted two days ago.
    app.today = date("2026-03-20");
    let f = household(&mut app, &cw1, CHEMEN, "low", json!(["disaster"]));
    activate(&mut app, &cw1, &f);
    let plan = app.ok(
        &cw1,
        "plan.create_draft",
        json!({"household_id": f, "goals": "重建"}),
    );
    let plan = plan["plan"]["id"].as_str().expect("plan id").to_string();
    let f_need = need(&mut app, &cw1, &f, "living_costs");
    app.ok(&cw1, "action.add", json!({"plan_id": plan, "action": {
        "title": "临时救助", "category": "living_costs", "need_ids": [f_need], "start_on": app.today}}));
    app.ok(&cw1, "plan.submit", json!({"id": plan}));
    app.today = date("2026-03-22");
    Fixture { app, cw1, cw2, sup }
}

fn count_of(list: &Value, key: &str, value: &str) -> u64 {
    list.as_array()
        .expect("list")
        .iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {list}"))["count"]
        .as_u64()
        .expect("count")
}

fn total(app: &mut App, actor: &str, query: Value) -> u64 {
    app.ok(actor, "household.list", query)["total"]
        .as_u64()
        .expect("total")
}

#[test]
fn every_figure_of_a_county_with_known_answers() {
    let Fixture {
        mut app,
        cw1,
        cw2,
        sup,
    } = fixture();
    let period = json!({"from": "2026-03-01", "to": "2026-03-22"});
    let d = app.ok(
        &sup,
        "dashboard.get",
        json!({"division_code": SIHONG, "period": period}),
    );
    assert_eq!(d["division_name"], "泗洪县");
    assert_eq!(d["today"], "2026-03-22");

    let h = &d["households"];
    assert_eq!(h["total"]["count"], 5, "A B C D F, not E");
    assert_eq!(h["open"]["count"], 4);
    for (status, n) in [
        ("referred", 1),
        ("assessing", 0),
        ("active", 3),
        ("monitoring", 0),
        ("closed", 1),
    ] {
        assert_eq!(count_of(&h["by_status"], "status", status), n, "{status}");
    }
    for (priority, n) in [("high", 1), ("medium", 1), ("low", 2)] {
        assert_eq!(
            count_of(&h["by_priority"], "priority", priority),
            n,
            "{priority}"
        );
    }
    for (cause, n) in [
        ("illness", 2),
        ("disability", 1),
        ("single_parent", 1),
        ("disaster", 1),
        ("bereavement", 0),
    ] {
        assert_eq!(count_of(&h["by_cause"], "cause", cause), n, "{cause}");
    }
    assert_eq!(count_of(&h["by_division"], "code", CHEMEN), 4);
    let by_division: u64 = h["by_division"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["count"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(
        by_division, 4,
        "every open household under exactly one township"
    );
    assert_eq!(
        h["overdue"]["count"], 1,
        "A: high priority, last visited 20 days ago"
    );
    assert_eq!(
        h["not_visited"]["count"], 3,
        "B, C and F had no visit in the period"
    );
    assert_eq!(h["unassigned"]["count"], 0);

    let n = &d["needs"];
    assert_eq!(n["open"]["count"], 4, "A's, B's two and F's; D is closed");
    assert_eq!(
        n["uncovered"]["count"], 3,
        "B's two and F's: their plans are not approved yet"
    );
    let rows = n["by_category"].as_array().expect("rows");
    assert_eq!(rows.len(), 3, "medical, daily care, living costs: {rows:?}");
    assert_eq!(rows[2]["category"], "living_costs");
    assert_eq!(
        (
            rows[2]["open"]["count"].as_u64(),
            rows[2]["uncovered"]["count"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(rows[0]["category"], "medical");
    assert_eq!(
        (
            rows[0]["in_progress"]["count"].as_u64(),
            rows[0]["uncovered"]["count"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(rows[1]["category"], "daily_care");
    // A's is being helped (its weekly action was delivered on 03-07); B's is still open.
    assert_eq!(
        (
            rows[1]["open"]["count"].as_u64(),
            rows[1]["in_progress"]["count"].as_u64(),
            rows[1]["uncovered"]["count"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );

    let weeks = d["weeks"].as_array().expect("weeks");
    let starts: Vec<&str> = weeks
        .iter()
        .map(|w| w["week"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        starts,
        ["2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16"]
    );
    assert_eq!(
        weeks[0]["from"], "2026-03-01",
        "the first week is cut at the period's start"
    );
    let week_counts: Vec<[u64; 4]> = weeks
        .iter()
        .map(|w| {
            ["done", "missed", "overdue", "upcoming"].map(|k| w[k]["count"].as_u64().unwrap_or(99))
        })
        .collect();
    assert_eq!(
        week_counts,
        [[0, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]
    );

    assert_eq!(
        d["stalled"]["actions"], 1,
        "A's weekly action: 03-21 never recorded"
    );
    assert_eq!(d["stalled"]["households"]["count"], 1);

    let w = &d["workload"];
    assert_eq!(w["caseload"], json!({"recommended": 25, "maximum": 40}));
    let load: Vec<(String, u64)> = w["caseworkers"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["staff_id"].as_str().unwrap_or("").to_string(),
                r["open"]["count"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        load,
        [(cw1.clone(), 3), (cw2.clone(), 1)],
        "cw3 works in another county"
    );

    let r = &d["reviews"];
    assert_eq!(r["waiting"], 2);
    assert_eq!(r["by_age"], json!([1, 0, 0, 1]), "F's 2 days, B's 20 days");
    assert_eq!(r["oldest"][0]["days"], 20);
    assert_eq!(r["oldest"][1]["days"], 2);

    // Every figure comes with the households behind it: the list the core gives with it has
    // exactly that many households (for needs and deliveries, the households that have them).
    let mut all = Vec::new();
    figures(&d, String::new(), &mut all);
    let mut listed = 0;
    for (path, f) in &all {
        let count = f["count"].as_u64().expect("count");
        let Some(drill) = f.get("drill") else {
            // Only the households placed on the area itself, and an empty part of a week.
            assert!(
                path.contains(".by_division") || (path.contains(".weeks") && count == 0),
                "{path} has no list: {f}"
            );
            continue;
        };
        let n = total(&mut app, &sup, list_query(drill));
        listed += 1;
        if path.starts_with(".needs") || path.starts_with(".weeks") {
            assert!(
                n <= count && (n == 0) == (count == 0),
                "{path}: {n} households for {count}"
            );
        } else {
            assert_eq!(n, count, "{path}: the list behind it");
        }
    }
    assert!(listed > 50, "only {listed} figures with a list");
    // Two of them by name: the households behind the uncovered needs, and A's missed week.
    assert_eq!(
        total(&mut app, &sup, list_query(&n["uncovered"]["drill"])),
        2,
        "B and F"
    );
    assert_eq!(
        total(&mut app, &sup, list_query(&weeks[2]["missed"]["drill"])),
        1,
        "A"
    );
    assert_eq!(
        weeks[3]["overdue"]["drill"]["occurrences"],
        json!({"status": "due", "from": "2026-03-16", "to": "2026-03-21"}),
        "due before today (03-22)"
    );
    assert_eq!(
        weeks[3]["upcoming"]["drill"]["occurrences"],
        json!({"status": "due", "from": "2026-03-22", "to": "2026-03-22"})
    );
    let self_row = h["by_division"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["code"] == SIHONG);
    assert!(self_row.is_none_or(|r| r.get("drill").is_none()));
    assert_eq!(
        w["caseworkers"][0]["open"]["drill"]["caseworker_id"],
        cw1.as_str()
    );
}

/// Every figure of a dashboard (an object with a `count`) with its path, e.g.
/// `.needs.by_category[0].open`.
fn figures<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("count") {
                out.push((path.clone(), v));
            }
            for (k, x) in m.iter().filter(|(k, _)| *k != "drill") {
                figures(x, format!("{path}.{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                figures(x, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The household list request for a figure's drill-down: its filters (not the chip's names),
/// every row on one page.
fn list_query(drill: &Value) -> Value {
    let mut q = drill.clone();
    let m = q.as_object_mut().expect("a drill is an object");
    m.remove("division_name");
    m.remove("caseworker_name");
    m.insert("limit".into(), json!(500));
    q
}

#[test]
fn the_dashboard_follows_scope_and_the_caseload_setting() {
    let Fixture {
        mut app,
        cw1,
        cw2,
        sup,
    } = fixture();
    let period = json!({"from": "2026-03-01", "to": "2026-03-22"});
    // A caseworker's dashboard covers only their own households, and their own workload line.
    let d = app.ok(&cw2, "dashboard.get", json!({"period": period}));
    assert_eq!(
        d["division_code"], CHEMEN,
        "the caseworker's own division by default"
    );
    assert_eq!(d["households"]["total"]["count"], 2, "C and D");
    assert_eq!(d["households"]["open"]["count"], 1);
    let rows = d["workload"]["caseworkers"].as_array().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["staff_id"], cw2.as_str());
    let d = app.ok(
        &cw1,
        "dashboard.get",
        json!({"division_code": CHEMEN, "period": period}),
    );
    assert_eq!(d["households"]["open"]["count"], 3);
    assert_eq!(d["reviews"]["waiting"], 2);

    // Out of the supervisor's area: refused; an administrator sees no case data at all.
    let e = app.err(
        &sup,
        "dashboard.get",
        json!({"division_code": "321023", "period": period}),
    );
    assert_eq!(e.code, "auth.out_of_scope");
    let admin = app.admin.clone();
    let e = app.err(
        &admin,
        "dashboard.get",
        json!({"division_code": SIHONG, "period": period}),
    );
    assert_eq!(e.code, "auth.forbidden");

    // Bad periods, named at their field.
    let e = app.err(
        &sup,
        "dashboard.get",
        json!({"period": {"from": "2026-03-22", "to": "2026-03-01"}}),
    );
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("validation.date.order", Some("period.to"))
    );
    let e = app.err(
        &sup,
        "dashboard.get",
        json!({"period": {"from": "2025-01-01", "to": "2026-03-01"}}),
    );
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("validation.out_of_range", Some("period.to"))
    );
    let e = app.err(
        &sup,
        "dashboard.get",
        json!({"division_code": "999999", "period": period}),
    );
    assert_eq!(e.field.as_deref(), Some("division_code"));

    // The caps come from the settings.
    app.ok(
        &admin,
        "settings.update",
        json!({"cadence_days": {"high": 7, "medium": 30, "low": 90},
        "occurrence_horizon_days": 90, "caseload": {"recommended": 2, "maximum": 3}}),
    );
    let d = app.ok(&sup, "dashboard.get", json!({"period": period}));
    assert_eq!(
        d["workload"]["caseload"],
        json!({"recommended": 2, "maximum": 3})
    );
    let e = app.err(
        &admin,
        "settings.update",
        json!({"cadence_days": {"high": 7, "medium": 30, "low": 90},
        "occurrence_horizon_days": 90, "caseload": {"recommended": 30, "maximum": 20}}),
    );
    assert_eq!(e.field.as_deref(), Some("caseload.maximum"));
}
