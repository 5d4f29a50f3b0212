//! Follow-up rules on a fixed clock: households past their visit cadence, visits and
//! deliveries due or overdue, plans returned — for a caseworker and for a division.

use serde_json::{Value, json};

use crate::common::*;

fn section_ids(f: &Value, section: &str, key: &str) -> Vec<String> {
    f[section]["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| i[key].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn due_and_overdue_for_a_caseworker_and_a_division() {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let other_cw = app.staff("钱测试", "caseworker", SHANYANG);
    let sup = app.staff("何测试", "supervisor", SIHONG);
    // 2026-03-02 (Monday). A: high priority with a weekly Saturday service; B: medium.
    let (a, need) = app.active_household(&cw, "high");
    let (plan, _) = app.approved_plan(&cw, &sup, &a, &need);
    let _ = plan;
    let (b, _) = app.active_household(&cw, "medium");
    app.ok(
        &cw,
        "visit.log",
        json!({"household_id": a, "notes": "首次走访"}),
    );
    app.ok(&cw, "visit.log", json!({"household_id": b}));
    let soon = id(&app.ok(
        &cw,
        "visit.schedule",
        json!({"household_id": b, "scheduled_on": "2026-03-12"}),
    ));
    let late = id(&app.ok(
        &cw,
        "visit.schedule",
        json!({"household_id": a, "scheduled_on": "2026-03-05"}),
    ));
    // Someone else's household in another county.
    let c = id(&app.ok(&other_cw, "household.create", json!({"division_code": SHANYANG, "address": "山阳镇",
        "causes": ["illness"], "referral_source": "screening", "caseworker_id": other_cw, "priority": "high"})));

    // Day 0: nothing overdue yet.
    let f = app.ok(&cw, "followup.caseworker", json!({}));
    assert_eq!(f["households_overdue"]["total"], 0);
    assert_eq!(f["visits_overdue"]["total"], 0);
    assert_eq!(
        section_ids(&f, "visits_due", "visit_id"),
        vec![late.clone()]
    );
    assert_eq!(f["occurrences_due"]["total"], 1); // Saturday 2026-03-07

    // Day 8 (2026-03-10): A's cadence (7 days) has passed, B's (30) has not.
    app.advance(8);
    let f = app.ok(&cw, "followup.caseworker", json!({"within_days": 7}));
    assert_eq!(f["today"], "2026-03-10");
    assert_eq!(
        section_ids(&f, "households_overdue", "household_id"),
        vec![a.clone()]
    );
    assert_eq!(f["households_overdue"]["items"][0]["due_on"], "2026-03-09");
    assert_eq!(f["households_overdue"]["items"][0]["head_name"], "测试户主");
    assert_eq!(
        section_ids(&f, "visits_overdue", "visit_id"),
        vec![late.clone()]
    );
    assert_eq!(
        section_ids(&f, "visits_due", "visit_id"),
        vec![soon.clone()]
    );
    let overdue = f["occurrences_overdue"]["items"]
        .as_array()
        .expect("items")
        .clone();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["due_on"], "2026-03-07");
    assert_eq!(overdue[0]["action_title"], "每周上门");
    assert_eq!(f["occurrences_due"]["items"][0]["due_on"], "2026-03-14");
    // The same picture for the county, but not for another county; and the other caseworker
    // sees only their own household.
    let county = app.ok(&sup, "followup.division", json!({"division_code": SIHONG}));
    assert_eq!(
        section_ids(&county, "households_overdue", "household_id"),
        vec![a.clone()]
    );
    assert_eq!(county["occurrences_overdue"]["total"], 1);
    assert_eq!(county["visits_overdue"]["total"], 1);
    // Another county is outside this supervisor's area; its own supervisor sees it.
    app.refused(
        &sup,
        "followup.division",
        json!({"division_code": "321023"}),
        "auth.out_of_scope",
        None,
    );
    let other_sup = app.staff("孙测试", "supervisor", "321023");
    let elsewhere = app.ok(
        &other_sup,
        "followup.division",
        json!({"division_code": "321023"}),
    );
    assert_eq!(
        section_ids(&elsewhere, "households_overdue", "household_id"),
        vec![c.clone()]
    );
    assert_eq!(elsewhere["occurrences_overdue"]["total"], 0);
    let theirs = app.ok(&other_cw, "followup.caseworker", json!({}));
    assert_eq!(
        section_ids(&theirs, "households_overdue", "household_id"),
        vec![c.clone()]
    );
    // Asking for another caseworker by id gives theirs.
    let asked = app.ok(&sup, "followup.caseworker", json!({"caseworker_id": cw}));
    assert_eq!(
        section_ids(&asked, "households_overdue", "household_id"),
        vec![a.clone()]
    );

    // Completing the late visit and delivering the Saturday service clears all of A's items.
    let occ = overdue[0]["occurrence_id"].clone();
    let logged = app.ok(
        &cw,
        "visit.log",
        json!({"household_id": a, "visit_id": late, "occurrences_delivered": [occ],
        "next_visit_on": "2026-03-17"}),
    );
    assert_eq!(logged["visit"]["status"], "completed");
    assert_eq!(logged["visit"]["occurrences_delivered"], json!([occ]));
    assert_eq!(logged["next_visit"]["scheduled_on"], "2026-03-17");
    let f = app.ok(&cw, "followup.caseworker", json!({}));
    assert_eq!(f["households_overdue"]["total"], 0);
    assert_eq!(f["visits_overdue"]["total"], 0);
    assert_eq!(f["occurrences_overdue"]["total"], 0);
    assert_eq!(section_ids(&f, "visits_due", "visit_id").len(), 2);
    let h = app.ok(&cw, "household.get", json!({"id": a}));
    assert_eq!(h["household"]["last_visit_on"], "2026-03-10");
    assert_eq!(h["next_visit_due_on"], "2026-03-17");
    assert_eq!(h["overdue"], false);

    // Day 41: B (medium, visited on day 0) is past 30 days; a changed cadence moves the line.
    app.advance(31);
    let f = app.ok(&cw, "followup.caseworker", json!({"limit": 1}));
    assert_eq!(f["households_overdue"]["total"], 2);
    assert_eq!(
        f["households_overdue"]["items"].as_array().map(Vec::len),
        Some(1)
    );
    let admin = app.admin.clone();
    app.ok(&admin, "settings.update", json!({"cadence_days": {"high": 60, "medium": 60, "low": 90}, "occurrence_horizon_days": 90}));
    let f = app.ok(&cw, "followup.caseworker", json!({}));
    assert_eq!(f["households_overdue"]["total"], 0);

    // A returned plan shows for the caseworker until it is revised.
    let (d, n) = app.active_household(&cw, "low");
    let p = id(&app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": d, "goals": "g"}),
    )["plan"]);
    app.ok(&cw, "action.add", json!({"plan_id": p, "action": {"title": "t", "category": "other", "need_ids": [n], "start_on": app.today}}));
    app.ok(&cw, "plan.submit", json!({"id": p}));
    app.ok(&sup, "plan.return", json!({"id": p, "comment": "请补充"}));
    let f = app.ok(&cw, "followup.caseworker", json!({}));
    assert_eq!(
        section_ids(&f, "plans_returned", "plan_id"),
        vec![p.clone()]
    );
    assert_eq!(
        f["plans_returned"]["items"][0]["decision_comment"],
        "请补充"
    );
    let county = app.ok(&sup, "followup.division", json!({"division_code": SIHONG}));
    assert_eq!(
        section_ids(&county, "plans_returned", "plan_id"),
        vec![p.clone()]
    );
    app.ok(&cw, "plan.revise", json!({"id": p}));
    assert_eq!(
        app.ok(&cw, "followup.caseworker", json!({}))["plans_returned"]["total"],
        0
    );

    // Closing a case clears what it still had pending.
    let due_before = app.ok(
        &cw,
        "occurrence.list",
        json!({"household_id": a, "status": "due"}),
    );
    assert!(due_before.as_array().is_some_and(|x| !x.is_empty()));
    app.ok(
        &cw,
        "household.transition",
        json!({"id": a, "to": "monitoring"}),
    );
    app.ok(
        &cw,
        "household.transition",
        json!({"id": a, "to": "closed", "closure_reason": "goals_met"}),
    );
    assert_eq!(
        app.ok(
            &cw,
            "occurrence.list",
            json!({"household_id": a, "status": "due"})
        ),
        json!([])
    );
    let skipped = app.ok(
        &cw,
        "occurrence.list",
        json!({"household_id": a, "status": "skipped"}),
    );
    assert!(skipped.as_array().is_some_and(|x| {
        x.iter()
            .all(|o| o["note"] == "case closed" && o["recorded_by"] == json!(cw))
    }));
    let history = app.ok(&cw, "audit.list", json!({"household_id": a, "limit": 5}));
    let effects = history
        .as_array()
        .expect("audit")
        .iter()
        .find(|r| r["entity_type"] == "pending_work")
        .expect("closure effects audited")
        .clone();
    assert_eq!(effects["command"], "household.transition");
    assert!(effects["after"]["occurrences_dropped"].as_u64() > Some(0));
    assert_eq!(effects["after"]["visits_cancelled"], 1);
    let f = app.ok(&cw, "followup.caseworker", json!({}));
    assert_eq!(f["occurrences_overdue"]["total"], 0);
    // A's next visit was cancelled; only B's (now late) visit remains.
    assert_eq!(f["visits_due"]["total"], 0);
    assert_eq!(
        section_ids(&f, "visits_overdue", "visit_id"),
        vec![soon.clone()]
    );
    app.refused(
        &cw,
        "followup.caseworker",
        json!({"within_days": 91}),
        "validation.out_of_range",
        Some("within_days"),
    );
    // Only supervisors follow a division; a caseworker follows their own caseload.
    app.refused(
        &cw,
        "followup.division",
        json!({"division_code": SIHONG}),
        "auth.forbidden",
        None,
    );
    app.refused(
        &sup,
        "followup.division",
        json!({"division_code": "32132"}),
        "validation.division_code.format",
        Some("division_code"),
    );
    app.refused(
        &sup,
        "followup.division",
        json!({"division_code": "999999"}),
        "not_found.division",
        Some("division_code"),
    );
}

#[test]
fn visits_record_what_happened() {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let (h, need) = app.active_household(&cw, "high");
    let head = app.ok(&cw, "household.get", json!({"id": h}))["members"][0]["id"].clone();
    let logged = app.ok(&cw, "visit.log", json!({"household_id": h, "kind": "festival_visit", "members_seen": [head],
        "visitors": [{"staff_id": cw}, {"name": "志愿者小李"}], "notes": "春节前走访",
        "needs_found": [{"category": "psychological", "description": "孩子情绪低落", "priority": "medium", "member_id": head}],
        "need_updates": [{"id": need, "to": "in_progress", "note": "已联系志愿者"}]}));
    let v = &logged["visit"];
    assert_eq!(v["kind"], "festival_visit");
    assert_eq!(v["visited_on"], "2026-03-02");
    assert_eq!(v["members_seen"], json!([head]));
    assert_eq!(v["visitors"][0]["name"], "周测试");
    assert_eq!(
        v["visitors"][1],
        json!({"staff_id": null, "name": "志愿者小李"})
    );
    let found = id(&logged["needs_found"][0]);
    assert_eq!(v["needs_found"], json!([found]));
    let detail = app.ok(&cw, "household.get", json!({"id": h}));
    let needs = detail["needs"].as_array().expect("needs");
    assert!(needs.iter().any(|n| n["id"] == json!(found)
        && n["found_visit_id"] == v["id"]
        && n["status"] == "open"));
    assert!(
        needs
            .iter()
            .any(|n| n["id"] == json!(need) && n["status"] == "in_progress")
    );
    // Both open needs are unanswered by any plan.
    assert_eq!(
        detail["unanswered_need_ids"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(detail["recent_visits"][0]["id"], v["id"]);
    // A visit in the future, an unknown member, a next visit before this one: refused whole.
    app.refused(
        &cw,
        "visit.log",
        json!({"household_id": h, "visited_on": "2026-03-03"}),
        "validation.date.future",
        Some("visited_on"),
    );
    let (other, _) = app.active_household(&cw, "low");
    let stranger = app.ok(&cw, "household.get", json!({"id": other}))["members"][0]["id"].clone();
    app.refused(
        &cw,
        "visit.log",
        json!({"household_id": h, "members_seen": [stranger]}),
        "validation.member.other_household",
        Some("members_seen[0]"),
    );
    app.refused(
        &cw,
        "visit.log",
        json!({"household_id": h, "visited_on": "2026-02-20", "next_visit_on": "2026-02-25"}),
        "validation.date.order",
        Some("next_visit_on"),
    );
    app.refused(&cw, "visit.log", json!({"household_id": h, "needs_found": [{"category": "legal", "description": "", "priority": "low"}]}),
        "validation.required", Some("needs_found[0].description"));
    app.refused(
        &cw,
        "visit.schedule",
        json!({"household_id": h, "scheduled_on": "2026-03-01"}),
        "validation.date.order",
        Some("scheduled_on"),
    );
    // Not at home: recorded with the day, not counted as a visit.
    let s = id(&app.ok(
        &cw,
        "visit.schedule",
        json!({"household_id": other, "scheduled_on": "2026-03-02"}),
    ));
    let nah = app.ok(
        &cw,
        "visit.set_outcome",
        json!({"id": s, "to": "not_at_home", "note": "家中无人"}),
    );
    assert_eq!(nah["status"], "not_at_home");
    assert_eq!(
        app.ok(&cw, "household.get", json!({"id": other}))["household"]["last_visit_on"],
        json!(null)
    );
    // Notes are held back from lists; revealing them is audited.
    let list = app.ok(&cw, "visit.list", json!({"household_id": other}));
    assert_eq!(list[0]["notes"], json!(null));
    assert_eq!(list[0]["hidden"], json!(["notes"]));
    let shown = app.ok(&cw, "visit.reveal_notes", json!({"household_id": other}));
    assert_eq!(shown[0]["notes"], "家中无人");
    let history = app.ok(
        &cw,
        "audit.list",
        json!({"household_id": other, "limit": 1}),
    );
    assert_eq!(history[0]["command"], "visit.reveal_notes");
    assert_eq!(history[0]["after"]["visits"], 1);
}

#[test]
fn moving_a_household_moves_its_follow_up_and_check_sees_tampering() {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let sup = app.staff("何测试", "supervisor", SIHONG);
    let (h, need) = app.active_household(&cw, "high");
    app.approved_plan(&cw, &sup, &h, &need);
    app.ok(
        &cw,
        "visit.schedule",
        json!({"household_id": h, "scheduled_on": "2026-03-04"}),
    );
    app.advance(10);
    let before = app.ok(&sup, "followup.division", json!({"division_code": SIHONG}));
    assert_eq!(before["occurrences_overdue"]["total"], 1);
    assert_eq!(before["visits_overdue"]["total"], 1);
    // The family moves to 山阳镇 in another county (another city, too): neither the caseworker
    // nor the county supervisor may move it there; the provincial supervisor hands it to a
    // caseworker of 山阳镇.
    let province = app.staff("省测试", "supervisor", "32");
    let cw_b = app.staff("钱测试", "caseworker", SHANYANG);
    let moved = json!({"id": h, "household": {"division_code": SHANYANG, "address": "山阳镇",
        "causes": ["illness"], "referral_source": "screening", "priority": "high", "consent_on": "2026-03-02", "caseworker_id": cw_b}});
    app.refused(
        &cw,
        "household.update",
        moved.clone(),
        "auth.out_of_scope",
        None,
    );
    app.refused(
        &sup,
        "household.update",
        moved.clone(),
        "auth.out_of_scope",
        None,
    );
    let mut kept_cw = moved.clone();
    kept_cw["household"]["caseworker_id"] = json!(cw);
    app.refused(
        &province,
        "household.update",
        kept_cw,
        "household.caseworker_out_of_area",
        Some("household.caseworker_id"),
    );
    app.ok(&province, "household.update", moved);
    let old = app.ok(&sup, "followup.division", json!({"division_code": SIHONG}));
    assert_eq!(old["occurrences_overdue"]["total"], 0);
    assert_eq!(old["visits_overdue"]["total"], 0);
    let new = app.ok(
        &province,
        "followup.division",
        json!({"division_code": "321023"}),
    );
    assert_eq!(new["occurrences_overdue"]["total"], 1);
    assert_eq!(new["visits_overdue"]["total"], 1);
    assert!(yihu::check::run(&app.conn).expect("check").is_empty());
    // The case number stays the paper file's number.
    assert_eq!(
        app.ok(&cw_b, "household.get", json!({"id": h}))["household"]["case_no"],
        "321324-2026-0001"
    );
    // It left the first caseworker's caseload.
    app.refused(
        &cw,
        "household.get",
        json!({"id": h}),
        "auth.out_of_scope",
        None,
    );
    // A copy changed behind the core's back is reported.
    app.conn.execute("UPDATE occurrence SET division_code = '321324203' WHERE rowid = (SELECT min(rowid) FROM occurrence)", []).expect("tamper");
    app.conn
        .execute("UPDATE household SET last_visit_on = '2026-01-01'", [])
        .expect("tamper");
    let problems = yihu::check::run(&app.conn).expect("check");
    let names: Vec<&str> = problems.iter().map(|p| p.check.as_str()).collect();
    assert!(
        names.contains(&"division_copies_match_household"),
        "{names:?}"
    );
    assert!(
        names.contains(&"household.last_visit_on_matches_visits"),
        "{names:?}"
    );
}
