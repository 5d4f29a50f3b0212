//! Festival campaigns: a Spring Festival delivery and a Mid-Autumn visit campaign on filtered
//! cohorts, each household's line recorded done or not done (from the campaign or from the
//! visit screen), the progress, the refusals, closing a case, scope and `yihu check`.

use serde_json::{Value, json};

use crate::common::*;

fn household(app: &mut App, cw: &str, division: &str, causes: Value) -> String {
    let h = id(&app.ok(cw, "household.create", json!({
        "division_code": division, "address": "测试地址 2 号", "causes": causes,
        "referral_source": "screening", "consent_on": app.today, "caseworker_id": cw, "priority": "medium"})));
    app.ok(
        cw,
        "member.add",
        json!({"household_id": h, "member": {
        "name": "测试户主", "relation": "head", "sex": "female", "birth_date": "1980-01-01"}}),
    );
    h
}

fn progress(c: &Value) -> [u64; 4] {
    ["total", "done", "not_done", "pending"].map(|k| c[k].as_u64().unwrap_or(99))
}

fn lines(app: &mut App, actor: &str, campaign: &str) -> Vec<(String, String)> {
    let d = app.ok(actor, "campaign.get", json!({"id": campaign}));
    d["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["household_id"].as_str().unwrap_or("").to_string(),
                i["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_spring_festival_delivery_on_a_filtered_cohort() {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let far = app.staff("钱测试", "caseworker", SHANYANG);
    let sup = app.staff("何测试", "supervisor", SIHONG);
    let a = household(&mut app, &cw, CHEMEN, json!(["illness"]));
    let b = household(&mut app, &cw, CHEMEN, json!(["illness", "disability"]));
    let c = household(&mut app, &cw, CHEMEN, json!(["illness"]));
    let _other_cause = household(&mut app, &cw, CHEMEN, json!(["disaster"]));
    let closed = household(&mut app, &cw, CHEMEN, json!(["illness"]));
    app.ok(
        &cw,
        "household.transition",
        json!({"id": closed, "to": "closed", "closure_reason": "moved_away"}),
    );
    let _elsewhere = household(&mut app, &far, SHANYANG, json!(["illness"]));

    let created = app.ok(&sup, "campaign.create", json!({
        "name": "2027 年春节慰问", "kind": "delivery", "festival": "spring_festival", "due_on": "2027-02-01",
        "title": "米、面、油各一份", "category": "living_costs", "amount_fen": 100000,
        "cohort": {"division_code": SIHONG, "causes": ["illness"]}}));
    let campaign = id(&created);
    assert_eq!(
        progress(&created),
        [3, 0, 0, 3],
        "A, B and C: open, illness, in the county"
    );
    assert_eq!(created["amount_fen"], 100000);
    let mut got: Vec<String> = lines(&mut app, &sup, &campaign)
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    let mut want = vec![a.clone(), b.clone(), c.clone()];
    got.sort();
    want.sort();
    assert_eq!(got, want);

    // Each household's line recorded by its caseworker.
    app.ok(&cw, "campaign.record", json!({"campaign_id": campaign, "household_id": a, "status": "done", "done_on": "2026-03-02"}));
    app.ok(&cw, "campaign.record", json!({"campaign_id": campaign, "household_id": b, "status": "not_done", "note": "外出务工，节后补送"}));
    let list = app.ok(&sup, "campaign.list", json!({}));
    assert_eq!(progress(&list[0]), [3, 1, 1, 1]);
    // Not done can still be done later; done is final; pending cannot be recorded.
    let e = app.err(
        &cw,
        "campaign.record",
        json!({"campaign_id": campaign, "household_id": a, "status": "not_done"}),
    );
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("campaign_item.transition.invalid", Some("status"))
    );
    let e = app.err(
        &cw,
        "campaign.record",
        json!({"campaign_id": campaign, "household_id": c, "status": "pending"}),
    );
    assert_eq!(e.code, "campaign_item.transition.invalid");
    let e = app.err(&cw, "campaign.record", json!({"campaign_id": campaign, "household_id": c, "status": "done", "done_on": "2026-03-03"}));
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("validation.date.future", Some("done_on"))
    );
    app.ok(
        &cw,
        "campaign.record",
        json!({"campaign_id": campaign, "household_id": b, "status": "done"}),
    );
    // The household outside the campaign has no line; another county's caseworker sees nothing.
    let e = app.err(
        &cw,
        "campaign.record",
        json!({"campaign_id": campaign, "household_id": _other_cause, "status": "done"}),
    );
    assert_eq!(e.code, "not_found.campaign_item");
    let e = app.err(&far, "campaign.get", json!({"id": campaign}));
    assert_eq!(e.code, "auth.out_of_scope");
    assert_eq!(
        app.ok(&far, "campaign.list", json!({"include_finished": true}))
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    // Closing C records its pending line as not done; then the campaign is finished.
    app.ok(
        &cw,
        "household.transition",
        json!({"id": c, "to": "closed", "closure_reason": "moved_away"}),
    );
    let detail = app.ok(&sup, "campaign.get", json!({"id": campaign}));
    assert_eq!(progress(&detail["campaign"]), [3, 2, 1, 0]);
    assert_eq!(
        app.ok(&sup, "campaign.list", json!({}))
            .as_array()
            .map(Vec::len),
        Some(0),
        "finished campaigns are hidden"
    );
    assert_eq!(
        app.ok(&sup, "campaign.list", json!({"include_finished": true}))
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Every line is audited against its household.
    let audited = app.count(&format!(
        "SELECT count(*) FROM audit WHERE entity_type = 'campaign_item' AND household_id = '{a}'"
    ));
    assert_eq!(audited, 2, "created, then done");
    let report = yihu::check::run(&app.conn).expect("check");
    assert!(report.is_empty(), "{report:?}");
}

#[test]
fn a_visit_campaign_schedules_festival_visits_that_record_the_lines() {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let a = household(&mut app, &cw, CHEMEN, json!(["single_parent"]));
    let b = household(&mut app, &cw, CHEMEN, json!(["single_parent"]));
    let c = household(&mut app, &cw, CHEMEN, json!(["single_parent"]));
    let created = app.ok(&cw, "campaign.create", json!({
        "name": "中秋走访", "kind": "visit", "festival": "mid_autumn", "due_on": "2026-09-25",
        "title": "中秋节入户慰问", "category": "psychological", "cohort": {"causes": ["single_parent"]}}));
    let campaign = id(&created);
    assert_eq!(progress(&created), [3, 0, 0, 3]);
    let visits = app.count(&format!(
        "SELECT count(*) FROM visit v JOIN campaign_item i ON i.visit_id = v.id
         WHERE i.campaign_id = '{campaign}' AND v.status = 'scheduled' AND v.kind = 'festival_visit' AND v.scheduled_on = '2026-09-25'"
    ));
    assert_eq!(visits, 3, "one scheduled festival visit per household");

    // A: logged from the visit screen (visit.log with the scheduled visit) — the line follows.
    let visit_a: String = app
        .conn
        .query_row(
            "SELECT visit_id FROM campaign_item WHERE campaign_id = ?1 AND household_id = ?2",
            [&campaign, &a],
            |r| r.get(0),
        )
        .expect("visit");
    app.ok(
        &cw,
        "visit.log",
        json!({"household_id": a, "visit_id": visit_a, "notes": "送去月饼"}),
    );
    // B: recorded done on the campaign — the festival visit is logged, the last visit moves.
    app.ok(
        &cw,
        "campaign.record",
        json!({"campaign_id": campaign, "household_id": b, "status": "done"}),
    );
    let last: Option<String> = app
        .conn
        .query_row(
            "SELECT last_visit_on FROM household WHERE id = ?1",
            [&b],
            |r| r.get(0),
        )
        .expect("household");
    assert_eq!(last.as_deref(), Some("2026-03-02"));
    // C: not done — the festival visit is cancelled.
    app.ok(&cw, "campaign.record", json!({"campaign_id": campaign, "household_id": c, "status": "not_done", "note": "家中无人"}));
    let status: String = app
        .conn
        .query_row(
            "SELECT v.status FROM visit v JOIN campaign_item i ON i.visit_id = v.id WHERE i.household_id = ?1",
            [&c],
            |r| r.get(0),
        )
        .expect("visit");
    assert_eq!(status, "cancelled");
    let mut got = lines(&mut app, &cw, &campaign);
    got.sort();
    let mut want = vec![
        (a, "done".to_string()),
        (b, "done".to_string()),
        (c.clone(), "not_done".to_string()),
    ];
    want.sort();
    assert_eq!(got, want);
    // C done later after all: a new festival visit is logged for it.
    app.ok(
        &cw,
        "campaign.record",
        json!({"campaign_id": campaign, "household_id": c, "status": "done"}),
    );
    let completed = app.count(&format!(
        "SELECT count(*) FROM visit WHERE household_id = '{c}' AND status = 'completed' AND kind = 'festival_visit'"
    ));
    assert_eq!(completed, 1);
    let report = yihu::check::run(&app.conn).expect("check");
    assert!(report.is_empty(), "{report:?}");
}

#[test]
fn campaign_refusals_change_nothing() {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    household(&mut app, &cw, CHEMEN, json!(["illness"]));
    let base = json!({"name": "春节慰问", "kind": "delivery", "due_on": "2027-02-01", "title": "慰问金",
        "category": "living_costs", "cohort": {}});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let before = app.snapshot();
    for (body, code, field) in [
        (
            with("cohort", json!({"causes": ["disaster"]})),
            "campaign.cohort.empty",
            "cohort",
        ),
        (
            with("due_on", json!("2020-01-01")),
            "validation.date.past",
            "due_on",
        ),
        (
            with("amount_fen", json!(-1)),
            "validation.money.negative",
            "amount_fen",
        ),
        (with("name", json!(" ")), "validation.required", "name"),
        (
            with("cohort", json!({"division_code": "abc"})),
            "validation.division_code.format",
            "cohort.division_code",
        ),
        (
            with("kind", json!("party")),
            "request.field.invalid_value",
            "kind",
        ),
        (
            with("festival", json!("christmas")),
            "request.field.invalid_value",
            "festival",
        ),
    ] {
        let e = app.err(&cw, "campaign.create", body.clone());
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            (code, Some(field)),
            "{body}"
        );
    }
    assert_eq!(
        app.snapshot(),
        before,
        "nothing written by a refused campaign"
    );
}
