//! Progress from the work done: a delivery for a need still open puts it in progress (帮扶中)
//! with no manual step; a recurring action whose rule has ended completes itself with its last
//! delivery; an ended action is not copied into the next draft; an open-ended one goes on.

use serde_json::{Value, json};

use crate::common::{App, CHEMEN, id};

/// An approved plan for `h` with one action per rule (each answering `need`); returns the
/// plan's id and the actions' ids, in order.
fn plan_with(
    app: &mut App,
    cw: &str,
    sup: &str,
    h: &str,
    need: &str,
    rules: &[Value],
) -> (String, Vec<String>) {
    let plan = app.ok(
        cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "稳定生活"}),
    )["plan"]["id"]
        .as_str()
        .expect("plan")
        .to_string();
    let mut actions = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        actions.push(id(&app.ok(
            cw,
            "action.add",
            json!({"plan_id": plan, "action": {"title": format!("上门服务 {i}"), "category": "daily_care",
                "need_ids": [need], "recurrence": rule, "start_on": app.today}}),
        )));
    }
    app.ok(cw, "plan.submit", json!({"id": plan}));
    app.ok(sup, "plan.approve", json!({"id": plan}));
    (plan, actions)
}

fn deliveries(app: &mut App, cw: &str, h: &str, action: &str) -> Vec<String> {
    let all = app.ok(
        cw,
        "occurrence.list",
        json!({"household_id": h, "from": null, "to": null, "action_id": action}),
    );
    all.as_array()
        .expect("list")
        .iter()
        .map(|o| o["id"].as_str().expect("id").to_string())
        .collect()
}

fn status_of(app: &App, table: &str, id: &str) -> String {
    app.conn
        .query_row(
            &format!("SELECT status FROM {table} WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .expect("status")
}

#[test]
fn the_first_delivery_puts_the_need_in_progress_and_the_last_completes_the_action() {
    let mut app = App::new();
    let cw = app.staff("社工", "caseworker", CHEMEN);
    let sup = app.staff("督导", "supervisor", CHEMEN);
    let (h, need) = app.active_household(&cw, "high");
    let (_, actions) = plan_with(
        &mut app,
        &cw,
        &sup,
        &h,
        &need,
        &[
            json!({"freq": "weekly", "count": 2}),
            json!({"freq": "weekly"}),
        ],
    );
    let (twice, weekly) = (&actions[0], &actions[1]);
    assert_eq!(status_of(&app, "need", &need), "open");
    let two = deliveries(&mut app, &cw, &h, twice);
    assert_eq!(two.len(), 2, "{two:?}");

    app.ok(
        &cw,
        "occurrence.record",
        json!({"id": two[0], "status": "done"}),
    );
    assert_eq!(status_of(&app, "need", &need), "in_progress");
    assert_eq!(
        app.count("SELECT count(*) FROM audit WHERE command = 'occurrence.record' AND entity_type = 'need'"),
        1,
        "the need's change is in the trail"
    );
    assert_eq!(status_of(&app, "action", twice), "active");
    app.advance(7);
    app.ok(
        &cw,
        "occurrence.record",
        json!({"id": two[1], "status": "missed"}),
    );
    assert_eq!(
        status_of(&app, "action", twice),
        "completed",
        "its rule has ended"
    );
    // The open-ended one goes on after its deliveries so far.
    for o in deliveries(&mut app, &cw, &h, weekly).iter().take(2) {
        app.ok(&cw, "occurrence.record", json!({"id": o, "status": "done"}));
    }
    assert_eq!(status_of(&app, "action", weekly), "active");
    // A need already in progress stays so; one met is not moved back by a later delivery.
    assert_eq!(status_of(&app, "need", &need), "in_progress");
    app.ok(
        &cw,
        "need.set_status",
        json!({"id": need, "to": "met", "note": "已稳定"}),
    );
    let next = deliveries(&mut app, &cw, &h, weekly)[2].clone();
    app.advance(7);
    app.ok(
        &cw,
        "occurrence.record",
        json!({"id": next, "status": "done"}),
    );
    assert_eq!(status_of(&app, "need", &need), "met");
}

#[test]
fn an_action_whose_rule_has_ended_is_not_copied_into_the_next_draft() {
    let mut app = App::new();
    let cw = app.staff("社工", "caseworker", CHEMEN);
    let sup = app.staff("督导", "supervisor", CHEMEN);
    let (h, need) = app.active_household(&cw, "high");
    let until = app.today + chrono::Duration::days(14);
    let (first, actions) = plan_with(
        &mut app,
        &cw,
        &sup,
        &h,
        &need,
        &[
            json!({"freq": "weekly", "until": until}),
            json!({"freq": "monthly"}),
        ],
    );
    // Past its end, some deliveries never recorded: still active, but nothing more to come.
    app.advance(30);
    assert_eq!(status_of(&app, "action", &actions[0]), "active");
    let draft = app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "第二版"}),
    );
    let copied: Vec<String> = draft["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| a["title"].as_str().expect("title").to_string())
        .collect();
    assert_eq!(copied, ["上门服务 1"], "only the open-ended one goes on");
    // The comparison calls it ended — help given — not removed.
    let diff = app.ok(
        &cw,
        "plan.diff",
        json!({"from_id": first, "to_id": draft["plan"]["id"]}),
    );
    assert_eq!(diff["actions"]["removed"], json!([]), "{diff}");
    assert_eq!(
        diff["actions"]["ended"][0]["id"],
        json!(actions[0]),
        "{diff}"
    );
}
