//! Every allowed and every refused state change of households, needs, plans, actions,
//! occurrences and visits, driven through the command surface and checked against the
//! life-cycle tables in `yihu::types::transitions`.

use serde_json::json;
use yihu::types::{HouseholdStatus, NeedStatus, PlanStatus, transitions};

use crate::common::*;

struct Cast {
    app: App,
    cw: String,
    sup: String,
}

fn cast() -> Cast {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let sup = app.staff("何测试", "supervisor", SIHONG);
    Cast { app, cw, sup }
}

fn household_in(c: &mut Cast, status: HouseholdStatus) -> String {
    let (cw, app) = (c.cw.clone(), &mut c.app);
    let h = app.household(&cw, "medium");
    let path: &[&str] = match status {
        HouseholdStatus::Referred => &[],
        HouseholdStatus::Assessing => &["assessing"],
        HouseholdStatus::Active => &["assessing", "active"],
        HouseholdStatus::Monitoring => &["assessing", "active", "monitoring"],
        HouseholdStatus::Closed => &["closed"],
    };
    for to in path {
        let mut body = json!({"id": h, "to": to});
        if *to == "closed" {
            body["closure_reason"] = json!("declined");
        }
        app.ok(&cw, "household.transition", body);
    }
    h
}

#[test]
fn household_transitions_match_the_life_cycle() {
    let mut c = cast();
    for from in HouseholdStatus::ALL {
        for to in HouseholdStatus::ALL {
            let h = household_in(&mut c, *from);
            let mut body = json!({"id": h, "to": to});
            if *to == HouseholdStatus::Closed {
                body["closure_reason"] = json!("goals_met");
            }
            let cw = c.cw.clone();
            if transitions::household(*from, *to) {
                let after = c.app.ok(&cw, "household.transition", body);
                assert_eq!(after["status"], json!(to), "{from} -> {to}");
            } else {
                c.app.refused(
                    &cw,
                    "household.transition",
                    body,
                    "household.transition.invalid",
                    Some("to"),
                );
            }
        }
    }
}

#[test]
fn enrolment_needs_consent_and_a_caseworker_and_closing_needs_a_reason() {
    let mut c = cast();
    let cw = c.cw.clone();
    // A supervisor's new household has no caseworker yet (a caseworker's would be theirs).
    let sup = c.sup.clone();
    let h = c.app.ok(
        &sup,
        "household.create",
        json!({"division_code": CHEMEN, "address": "一组", "causes": ["disaster"],
        "referral_source": "self", "priority": "low"}),
    );
    let h = id(&h);
    c.app.ok(
        &sup,
        "household.transition",
        json!({"id": h, "to": "assessing"}),
    );
    c.app.refused(
        &sup,
        "household.transition",
        json!({"id": h, "to": "active"}),
        "household.consent.required",
        Some("consent_on"),
    );
    c.app.ok(&sup, "household.update", json!({"id": h, "household": {"division_code": CHEMEN, "address": "一组", "causes": ["disaster"],
        "referral_source": "self", "priority": "low", "consent_on": "2026-03-01"}}));
    c.app.refused(
        &sup,
        "household.transition",
        json!({"id": h, "to": "active"}),
        "household.caseworker.required",
        Some("caseworker_id"),
    );
    // Not yet in the caseworker's caseload.
    c.app.refused(
        &cw,
        "household.get",
        json!({"id": h}),
        "auth.out_of_scope",
        None,
    );
    c.app.ok(&sup, "household.update", json!({"id": h, "household": {"division_code": CHEMEN, "address": "一组", "causes": ["disaster"],
        "referral_source": "self", "priority": "low", "consent_on": "2026-03-01", "caseworker_id": cw}}));
    let active = c.app.ok(
        &cw,
        "household.transition",
        json!({"id": h, "to": "active"}),
    );
    assert_eq!(active["consent_recorded_by"], json!(sup));
    c.app.refused(
        &cw,
        "household.transition",
        json!({"id": h, "to": "closed"}),
        "validation.required",
        Some("closure_reason"),
    );
    let closed = c.app.ok(
        &cw,
        "household.transition",
        json!({"id": h, "to": "closed", "closure_reason": "moved_away", "note": "迁往外地"}),
    );
    assert_eq!(closed["closure_reason"], "moved_away");
    assert_eq!(closed["closed_on"], "2026-03-02");
    // A closed case is read-only until it is reopened.
    c.app.refused(
        &cw,
        "need.add",
        json!({"household_id": h, "category": "other", "description": "x", "priority": "low"}),
        "household.closed",
        Some("household_id"),
    );
    let reopened = c.app.ok(
        &cw,
        "household.transition",
        json!({"id": h, "to": "assessing"}),
    );
    assert_eq!(reopened["closure_reason"], json!(null));
    assert_eq!(reopened["closed_on"], json!(null));
}

#[test]
fn case_numbers_count_per_county_and_year() {
    let mut c = cast();
    let cw = c.cw.clone();
    let a = c.app.household(&cw, "high");
    let b = c.app.household(&cw, "high");
    // Another county's household is made by its own caseworker (not in this one's area).
    let cw_b = c.app.staff("钱测试", "caseworker", SHANYANG);
    let in_shanyang = json!({"division_code": SHANYANG, "address": "山阳镇", "causes": ["illness"],
        "referral_source": "screening", "priority": "low"});
    c.app.refused(
        &cw,
        "household.create",
        in_shanyang.clone(),
        "auth.out_of_scope",
        None,
    );
    let other = c.app.ok(&cw_b, "household.create", in_shanyang);
    let last_year = c.app.ok(
        &cw,
        "household.create",
        json!({"division_code": CHEMEN, "address": "车门", "causes": ["illness"],
        "referral_source": "screening", "priority": "low", "referred_on": "2025-12-30"}),
    );
    let get = |app: &mut App, h: &str| {
        app.ok(&cw, "household.get", json!({"id": h}))["household"]["case_no"].clone()
    };
    assert_eq!(get(&mut c.app, &a), "321324-2026-0001");
    assert_eq!(get(&mut c.app, &b), "321324-2026-0002");
    assert_eq!(other["case_no"], "321023-2026-0001");
    assert_eq!(last_year["case_no"], "321324-2025-0001");
}

fn need_in(c: &mut Cast, h: &str, status: NeedStatus) -> String {
    let cw = c.cw.clone();
    let n = id(&c.app.ok(&cw, "need.add", json!({"household_id": h, "category": "medical", "description": "看病难", "priority": "high"})));
    if status != NeedStatus::Open {
        c.app
            .ok(&cw, "need.set_status", json!({"id": n, "to": status}));
    }
    n
}

#[test]
fn need_transitions_match_the_life_cycle() {
    let mut c = cast();
    let h = household_in(&mut c, HouseholdStatus::Active);
    let cw = c.cw.clone();
    for from in NeedStatus::ALL {
        for to in NeedStatus::ALL {
            let n = need_in(&mut c, &h, *from);
            let body = json!({"id": n, "to": to, "note": "结果"});
            if transitions::need(*from, *to) {
                let after = c.app.ok(&cw, "need.set_status", body);
                assert_eq!(after["status"], json!(to));
                let resolved = matches!(
                    to,
                    NeedStatus::Met | NeedStatus::Unmet | NeedStatus::Withdrawn
                );
                assert_eq!(after["resolved_on"].is_null(), !resolved, "{from} -> {to}");
            } else {
                c.app.refused(
                    &cw,
                    "need.set_status",
                    body,
                    "need.transition.invalid",
                    Some("to"),
                );
            }
        }
    }
}

/// A plan of a fresh household in the given state; returns (household, plan).
fn plan_in(c: &mut Cast, status: PlanStatus) -> (String, String) {
    let (cw, sup) = (c.cw.clone(), c.sup.clone());
    let (h, need) = c.app.active_household(&cw, "high");
    let p = c.app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "目标"}),
    );
    let plan = id(&p["plan"]);
    c.app.ok(&cw, "action.add", json!({"plan_id": plan, "action": {"title": "助浴", "category": "daily_care",
        "need_ids": [need], "recurrence": {"freq": "weekly", "weekdays": ["sat"]}, "start_on": c.app.today}}));
    match status {
        PlanStatus::Draft => {}
        PlanStatus::Submitted => {
            c.app.ok(&cw, "plan.submit", json!({"id": plan}));
        }
        PlanStatus::Approved => {
            c.app.ok(&cw, "plan.submit", json!({"id": plan}));
            c.app.ok(&sup, "plan.approve", json!({"id": plan}));
        }
        PlanStatus::Returned => {
            c.app.ok(&cw, "plan.submit", json!({"id": plan}));
            c.app
                .ok(&sup, "plan.return", json!({"id": plan, "comment": "补充"}));
        }
        PlanStatus::Superseded => {
            c.app.ok(&cw, "plan.submit", json!({"id": plan}));
            c.app.ok(&sup, "plan.approve", json!({"id": plan}));
            let v2 = id(&c
                .app
                .ok(&cw, "plan.create_draft", json!({"household_id": h}))["plan"]);
            c.app.ok(&cw, "plan.submit", json!({"id": v2}));
            c.app.ok(&sup, "plan.approve", json!({"id": v2}));
        }
    }
    let got = c.app.ok(&cw, "plan.get", json!({"id": plan}));
    assert_eq!(got["plan"]["status"], json!(status));
    (h, plan)
}

#[test]
fn plan_transitions_match_the_life_cycle() {
    let mut c = cast();
    let commands = [
        ("plan.submit", PlanStatus::Submitted),
        ("plan.approve", PlanStatus::Approved),
        ("plan.return", PlanStatus::Returned),
        ("plan.revise", PlanStatus::Draft),
    ];
    for from in PlanStatus::ALL {
        for (command, to) in commands {
            let (_, plan) = plan_in(&mut c, *from);
            let actor = if matches!(to, PlanStatus::Approved | PlanStatus::Returned) {
                c.sup.clone()
            } else {
                c.cw.clone()
            };
            let body = json!({"id": plan, "comment": "意见"});
            let body = if command == "plan.submit" || command == "plan.revise" {
                json!({"id": plan})
            } else {
                body
            };
            if transitions::plan(*from, to) {
                let after = c.app.ok(&actor, command, body);
                assert_eq!(after["plan"]["status"], json!(to), "{from} via {command}");
            } else {
                c.app
                    .refused(&actor, command, body, "plan.transition.invalid", Some("to"));
            }
        }
    }
}

#[test]
fn review_rules_who_decides_and_what_a_decision_needs() {
    let mut c = cast();
    let (cw, sup) = (c.cw.clone(), c.sup.clone());
    let (h, plan) = plan_in(&mut c, PlanStatus::Draft);
    // Only drafts with goals and actions are submitted.
    c.app
        .ok(&cw, "plan.update", json!({"id": plan, "goals": " "}));
    c.app.refused(
        &cw,
        "plan.submit",
        json!({"id": plan}),
        "validation.required",
        Some("goals"),
    );
    c.app
        .ok(&cw, "plan.update", json!({"id": plan, "goals": "目标"}));
    c.app.ok(&cw, "plan.submit", json!({"id": plan}));
    // Only one working copy at a time.
    c.app.refused(
        &cw,
        "plan.create_draft",
        json!({"household_id": h}),
        "plan.working_copy.exists",
        Some("household_id"),
    );
    // A submitted plan cannot be edited, and only a supervisor decides.
    c.app.refused(
        &cw,
        "plan.update",
        json!({"id": plan, "goals": "改"}),
        "plan.not_editable",
        Some("id"),
    );
    c.app.refused(
        &cw,
        "plan.approve",
        json!({"id": plan}),
        "auth.forbidden",
        None,
    );
    let admin = c.app.admin.clone();
    c.app.refused(
        &admin,
        "plan.approve",
        json!({"id": plan}),
        "auth.forbidden",
        None,
    );
    c.app.refused(
        &sup,
        "plan.return",
        json!({"id": plan}),
        "validation.required",
        Some("comment"),
    );
    c.app.refused(
        &sup,
        "plan.return",
        json!({"id": plan, "comment": "   "}),
        "validation.required",
        Some("comment"),
    );
    let returned = c.app.ok(
        &sup,
        "plan.return",
        json!({"id": plan, "comment": "请补充负责人"}),
    );
    assert_eq!(returned["plan"]["decision_comment"], "请补充负责人");
    assert_eq!(returned["plan"]["decided_by"], json!(sup));
    c.app.refused(&cw, "action.add", json!({"plan_id": plan, "action": {"title": "x", "category": "other", "need_ids": [], "start_on": "2026-03-02"}}),
        "plan.not_editable", Some("plan_id"));
    c.app.ok(&cw, "plan.revise", json!({"id": plan}));
    let q = c.app.ok(&sup, "plan.review_queue", json!({}));
    assert_eq!(q.as_array().map(Vec::len), Some(0));
    c.app.ok(&cw, "plan.submit", json!({"id": plan}));
    let q = c
        .app
        .ok(&sup, "plan.review_queue", json!({"division_code": SIHONG}));
    assert_eq!(q[0]["plan"]["id"], json!(plan));
    assert_eq!(q[0]["case_no"], "321324-2026-0001");
    // Another county's queue is not this supervisor's to see.
    c.app.refused(
        &sup,
        "plan.review_queue",
        json!({"division_code": "321023"}),
        "auth.out_of_scope",
        None,
    );
    let approved = c.app.ok(&sup, "plan.approve", json!({"id": plan}));
    assert_eq!(approved["plan"]["in_force_from"], "2026-03-02");
    assert!(
        approved["actions"]
            .as_array()
            .is_some_and(|a| a.iter().all(|a| a["status"] == "active"))
    );
}

#[test]
fn action_status_changes_only_in_the_plan_in_force() {
    let mut c = cast();
    let cw = c.cw.clone();
    for (from, to, ok) in [
        ("active", "completed", true),
        ("active", "cancelled", true),
        ("active", "active", false),
        ("active", "planned", false),
        ("completed", "cancelled", false),
        ("completed", "active", false),
        ("cancelled", "completed", false),
    ] {
        let (_, plan) = plan_in(&mut c, PlanStatus::Approved);
        let a = c.app.ok(&cw, "plan.get", json!({"id": plan}))["actions"][0]["id"].clone();
        if from != "active" {
            c.app
                .ok(&cw, "action.set_status", json!({"id": a, "to": from}));
        }
        let body = json!({"id": a, "to": to});
        if ok {
            let after = c.app.ok(&cw, "action.set_status", body);
            assert_eq!(after["status"], to);
            // Its future unrecorded deliveries are gone.
            let due = c.app.count(&format!(
                "SELECT count(*) FROM occurrence WHERE action_id = '{}' AND status = 'due'",
                a.as_str().unwrap_or_default()
            ));
            assert_eq!(due, 0);
        } else {
            c.app.refused(
                &cw,
                "action.set_status",
                body,
                "action.transition.invalid",
                Some("to"),
            );
        }
    }
    // In a draft, actions are edited or removed, not completed.
    let (_, draft) = plan_in(&mut c, PlanStatus::Draft);
    let a = c.app.ok(&cw, "plan.get", json!({"id": draft}))["actions"][0]["id"].clone();
    c.app.refused(
        &cw,
        "action.set_status",
        json!({"id": a, "to": "cancelled"}),
        "action.not_in_force",
        Some("id"),
    );
    c.app.ok(&cw, "action.remove", json!({"id": a}));
    assert_eq!(
        c.app.ok(&cw, "plan.get", json!({"id": draft}))["actions"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}

#[test]
fn occurrence_and_visit_transitions() {
    let mut c = cast();
    let (cw, sup) = (c.cw.clone(), c.sup.clone());
    for from in ["due", "done", "missed", "skipped"] {
        for to in ["done", "missed", "skipped", "due"] {
            let (h, need) = c.app.active_household(&cw, "high");
            c.app.approved_plan(&cw, &sup, &h, &need);
            let occ = c.app.ok(&cw, "occurrence.list", json!({"household_id": h}))[0]["id"].clone();
            c.app.advance(7);
            if from != "due" {
                c.app
                    .ok(&cw, "occurrence.record", json!({"id": occ, "status": from}));
            }
            let body = json!({"id": occ, "status": to});
            if from == "due" && to != "due" {
                let after = c.app.ok(&cw, "occurrence.record", body);
                assert_eq!(after["status"], to);
                assert_eq!(after["recorded_by"], json!(cw));
                assert_eq!(after["done_on"].is_null(), to != "done");
            } else {
                c.app.refused(
                    &cw,
                    "occurrence.record",
                    body,
                    "occurrence.transition.invalid",
                    Some("id"),
                );
            }
            c.app.advance(-7);
        }
    }
    for from in ["scheduled", "completed", "not_at_home", "cancelled"] {
        for to in ["not_at_home", "cancelled", "completed", "scheduled"] {
            let (h, _) = c.app.active_household(&cw, "low");
            let v = id(&c.app.ok(
                &cw,
                "visit.schedule",
                json!({"household_id": h, "scheduled_on": c.app.today}),
            ));
            match from {
                "completed" => {
                    c.app
                        .ok(&cw, "visit.log", json!({"household_id": h, "visit_id": v}));
                }
                "scheduled" => {}
                other => {
                    c.app
                        .ok(&cw, "visit.set_outcome", json!({"id": v, "to": other}));
                }
            }
            let allowed = from == "scheduled" && (to == "not_at_home" || to == "cancelled");
            let body = json!({"id": v, "to": to});
            if allowed {
                assert_eq!(c.app.ok(&cw, "visit.set_outcome", body)["status"], to);
            } else if to == "completed" {
                c.app.refused(
                    &cw,
                    "visit.set_outcome",
                    body,
                    "visit.complete_with_log",
                    Some("to"),
                );
            } else {
                c.app.refused(
                    &cw,
                    "visit.set_outcome",
                    body,
                    "visit.transition.invalid",
                    Some("to"),
                );
            }
            if from != "scheduled" {
                c.app.refused(
                    &cw,
                    "visit.log",
                    json!({"household_id": h, "visit_id": v}),
                    "visit.transition.invalid",
                    Some("visit_id"),
                );
            }
        }
    }
}
