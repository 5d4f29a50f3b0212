//! History after the fact: a case moved in from paper is entered today with its past — a plan
//! in force from a past date (reviewed as usual, the record keeping both that date and when it
//! was entered) and a year of its deliveries recorded on their own dates in one step, all or
//! nothing.

use serde_json::json;

use crate::common::{App, CHEMEN, id};

struct Case {
    app: App,
    cw: String,
    sup: String,
    h: String,
    need: String,
}

/// A household referred on 2025-03-10, entered today (2026-03-02) with a need and a draft
/// plan of a monthly stipend from 2025-04-15, submitted.
fn entered_late() -> (Case, String, String) {
    let mut app = App::new();
    let cw = app.staff("社工", "caseworker", CHEMEN);
    let sup = app.staff("督导", "supervisor", CHEMEN);
    let h = id(&app.ok(
        &cw,
        "household.create",
        json!({
        "division_code": CHEMEN, "address": "车门乡 4 组 2 号", "causes": ["illness"],
        "referral_source": "screening", "referred_on": "2025-03-10", "consent_on": "2025-03-10",
        "caseworker_id": cw, "priority": "high"}),
    ));
    app.ok(
        &cw,
        "member.add",
        json!({"household_id": h, "member": {
        "name": "测试户主", "relation": "head", "sex": "female", "birth_date": "1980-02-01"}}),
    );
    app.ok(
        &cw,
        "household.transition",
        json!({"id": h, "to": "assessing"}),
    );
    app.ok(
        &cw,
        "household.transition",
        json!({"id": h, "to": "active"}),
    );
    let need = id(&app.ok(
        &cw,
        "need.add",
        json!({"household_id": h, "category": "living_costs",
        "description": "医疗费用负担重", "priority": "high", "found_on": "2025-03-10"}),
    ));
    let plan = app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "减轻负担"}),
    )["plan"]["id"]
        .as_str()
        .expect("plan")
        .to_string();
    let action = id(&app.ok(&cw, "action.add", json!({"plan_id": plan, "action": {
        "title": "每月生活补助", "category": "living_costs", "need_ids": [need], "amount_fen": 50000,
        "recurrence": {"freq": "monthly"}, "start_on": "2025-04-15"}})));
    app.ok(&cw, "plan.submit", json!({"id": plan}));
    (
        Case {
            app,
            cw,
            sup,
            h,
            need,
        },
        plan,
        action,
    )
}

#[test]
fn a_plan_approved_today_can_take_effect_on_a_past_date_and_its_deliveries_be_recorded() {
    let (mut c, plan, action) = entered_late();
    // Not before the referral, not in the future: refused at the field, nothing written.
    for (when, code) in [
        ("2025-03-01", "validation.date.order"),
        ("2026-03-03", "validation.date.future"),
    ] {
        let e = c.app.err(
            &c.sup,
            "plan.approve",
            json!({"id": plan, "in_force_from": when}),
        );
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            (code, Some("in_force_from")),
            "{e:?}"
        );
    }
    let approved = c.app.ok(
        &c.sup,
        "plan.approve",
        json!({"id": plan, "in_force_from": "2025-04-15"}),
    );
    assert_eq!(approved["plan"]["in_force_from"], json!("2025-04-15"));
    assert!(
        approved["plan"]["decided_at"]
            .as_str()
            .is_some_and(|t| t.starts_with("20")),
        "{approved}"
    );
    // Its past deliveries exist, due, on their own dates: 2025-04-15 … 2026-02-15.
    let past = c.app.ok(
        &c.cw,
        "occurrence.list",
        json!({"household_id": c.h, "from": "2025-01-01",
        "to": "2026-03-01", "action_id": action}),
    );
    assert_eq!(past.as_array().map(Vec::len), Some(11), "{past}");

    // A period reaching into the future is refused whole: nothing recorded.
    let e = c.app.err(
        &c.cw,
        "occurrence.record_many",
        json!({"action_id": action,
        "from": "2025-04-01", "to": "2026-04-30", "status": "done"}),
    );
    assert_eq!(e.field.as_deref(), Some("to"));
    assert_eq!(
        c.app
            .count("SELECT count(*) FROM occurrence WHERE status = 'done'"),
        0
    );

    let done = c.app.ok(
        &c.cw,
        "occurrence.record_many",
        json!({"action_id": action,
        "from": "2025-04-01", "to": "2026-03-01", "status": "done", "note": "按月发放"}),
    );
    assert_eq!(done["recorded"], json!(11), "{done}");
    assert_eq!(done["first"], json!("2025-04-15"));
    assert_eq!(done["last"], json!("2026-02-15"));
    // Each done on its own date, each in the trail; the need it answers is being helped.
    assert_eq!(
        c.app
            .count("SELECT count(*) FROM occurrence WHERE status = 'done' AND done_on = due_on"),
        11
    );
    assert_eq!(
        c.app.count("SELECT count(*) FROM audit WHERE command = 'occurrence.record_many' AND entity_type = 'occurrence'"),
        11
    );
    let need: String = c
        .app
        .conn
        .query_row("SELECT status FROM need WHERE id = ?1", [&c.need], |r| {
            r.get(0)
        })
        .expect("need");
    assert_eq!(need, "in_progress");
    // Recording the same period again finds nothing left to record.
    let again = c.app.ok(
        &c.cw,
        "occurrence.record_many",
        json!({"action_id": action,
        "from": "2025-04-01", "to": "2026-03-01", "status": "missed"}),
    );
    assert_eq!(again["recorded"], json!(0));
}

#[test]
fn a_later_version_cannot_take_effect_before_the_one_it_replaces() {
    let (mut c, plan, _) = entered_late();
    c.app.ok(
        &c.sup,
        "plan.approve",
        json!({"id": plan, "in_force_from": "2025-06-01"}),
    );
    let next = c.app.ok(
        &c.cw,
        "plan.create_draft",
        json!({"household_id": c.h, "goals": "第二版"}),
    )["plan"]["id"]
        .as_str()
        .expect("plan")
        .to_string();
    c.app.ok(&c.cw, "plan.submit", json!({"id": next}));
    let e = c.app.err(
        &c.sup,
        "plan.approve",
        json!({"id": next, "in_force_from": "2025-05-01"}),
    );
    assert_eq!(e.field.as_deref(), Some("in_force_from"), "{e:?}");
    // Taking effect later: the first version's unrecorded deliveries from that day go with it,
    // the earlier ones stay to be recorded.
    c.app.ok(
        &c.sup,
        "plan.approve",
        json!({"id": next, "in_force_from": "2025-10-01"}),
    );
    let kept = c.app.count(
        "SELECT count(*) FROM occurrence o JOIN action a ON a.id = o.action_id
          WHERE a.plan_version_id = (SELECT id FROM plan_version WHERE version_no = 1) AND o.due_on >= '2025-10-01'",
    );
    assert_eq!(kept, 0);
    let before = c.app.count(
        "SELECT count(*) FROM occurrence o JOIN action a ON a.id = o.action_id
          WHERE a.plan_version_id = (SELECT id FROM plan_version WHERE version_no = 1)",
    );
    assert_eq!(before, 4, "2025-06-15 … 2025-09-15");
}

/// A visit entered late changes its needs on its own day: found on it, met on it.
#[test]
fn a_back_dated_visit_dates_the_needs_it_found_and_met() {
    let (mut c, _, _) = entered_late();
    // Not before the referral: refused at the field.
    let e = c.app.err(
        &c.cw,
        "need.add",
        json!({"household_id": c.h, "category": "housing",
        "description": "房屋漏雨", "priority": "low", "found_on": "2025-03-09"}),
    );
    assert_eq!(e.field.as_deref(), Some("found_on"), "{e:?}");
    let logged = c.app.ok(&c.cw, "visit.log", json!({"household_id": c.h, "visited_on": "2025-11-20",
        "need_updates": [{"id": c.need, "to": "met", "note": "医保报销后负担减轻"}],
        "needs_found": [{"category": "education", "description": "孩子需要课后辅导", "priority": "medium"}]}));
    assert_eq!(
        logged["needs_found"][0]["found_on"],
        json!("2025-11-20"),
        "{logged}"
    );
    let (status, resolved): (String, String) = c
        .app
        .conn
        .query_row(
            "SELECT status, resolved_on FROM need WHERE id = ?1",
            [&c.need],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("need");
    assert_eq!((status.as_str(), resolved.as_str()), ("met", "2025-11-20"));
}
