//! Proactive reminders on a fixed clock: school age, final-year exams, the end of a recurring
//! service and consent renewal — each raised only inside its lead time, switched off and
//! re-timed by the settings, and only for the actor's own households.

use serde_json::{Value, json};

use crate::common::*;

fn rules(list: &Value) -> Vec<(String, String, String)> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap_or("").to_string(),
                r["due_on"].as_str().unwrap_or("").to_string(),
                r["member_name"]
                    .as_str()
                    .or(r["action_title"].as_str())
                    .or(r["exam"].as_str())
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect()
}

fn member(app: &mut App, cw: &str, h: &str, name: &str, birth: &str, schooling: &str) {
    app.ok(cw, "member.add", json!({"household_id": h, "member": {
        "name": name, "relation": "son", "sex": "male", "birth_date": birth, "schooling": schooling}}));
}

#[test]
fn reminders_rise_inside_their_lead_time() {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let other = app.staff("吴测试", "caseworker", CHEMEN);
    let sup = app.staff("何测试", "supervisor", SIHONG);
    // Created on 2026-03-02 with a consent recorded on 2025-06-01 (renewal due 2026-06-01).
    let h = id(&app.ok(&cw, "household.create", json!({
        "division_code": CHEMEN, "address": "测试地址 3 号", "causes": ["illness"],
        "referral_source": "screening", "consent_on": "2025-06-01", "caseworker_id": cw, "priority": "high"})));
    app.ok(
        &cw,
        "member.add",
        json!({"household_id": h, "member": {
        "name": "测试母亲", "relation": "head", "sex": "female", "birth_date": "1984-02-02"}}),
    );
    member(&mut app, &cw, &h, "学龄童", "2020-05-10", "preschool"); // starts school 2026-09-01
    member(&mut app, &cw, &h, "晚生童", "2020-10-01", "preschool"); // starts 2027-09-01
    member(
        &mut app,
        &cw,
        &h,
        "初三生",
        "2011-07-01",
        "junior_secondary",
    ); // 14 on 2025-08-31: 中考 2026
    member(
        &mut app,
        &cw,
        &h,
        "高三生",
        "2008-06-01",
        "senior_secondary",
    ); // 17 on 2025-08-31: 高考 2026
    member(
        &mut app,
        &cw,
        &h,
        "初二生",
        "2012-07-01",
        "junior_secondary",
    ); // 13: not the final year
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
        json!({"household_id": h, "category": "daily_care",
        "description": "照料", "priority": "high"}),
    ));
    let plan = app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "照护"}),
    )["plan"]["id"]
        .as_str()
        .expect("plan")
        .to_string();
    // Twelve Saturdays from 2026-03-07: the last is 2026-05-23. And one without an end.
    app.ok(&cw, "action.add", json!({"plan_id": plan, "action": {"title": "十二次助浴", "category": "daily_care",
        "need_ids": [need], "recurrence": {"freq": "weekly", "weekdays": ["sat"], "count": 12}, "start_on": "2026-03-07"}}));
    app.ok(&cw, "action.add", json!({"plan_id": plan, "action": {"title": "长期探访", "category": "daily_care",
        "need_ids": [need], "recurrence": {"freq": "weekly", "weekdays": ["sun"]}, "start_on": "2026-03-08"}}));
    app.ok(&cw, "plan.submit", json!({"id": plan}));
    app.ok(&sup, "plan.approve", json!({"id": plan}));

    // On 2026-03-02 nothing is close enough yet.
    assert_eq!(
        rules(&app.ok(&cw, "reminder.list", json!({}))),
        Vec::<(String, String, String)>::new()
    );

    // On 2026-05-10 everything comes up, in date order.
    app.today = date("2026-05-10");
    let list = app.ok(&cw, "reminder.list", json!({}));
    let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        rules(&list),
        [
            s("action_end", "2026-05-23", "十二次助浴"),
            s("consent", "2026-06-01", ""),
            s("exam", "2026-06-07", "高三生"),
            s("exam", "2026-06-15", "初三生"),
            s("school_age", "2026-09-01", "学龄童"),
        ]
    );
    assert_eq!(list[2]["exam"], "gaokao");
    assert_eq!(list[2]["estimated"], true);
    assert_eq!(list[0]["days_until"], 13);
    // The supervisor sees them for the area; a colleague sees none of them.
    assert_eq!(
        app.ok(&sup, "reminder.list", json!({"division_code": SIHONG}))
            .as_array()
            .map(Vec::len),
        Some(5)
    );
    assert_eq!(
        app.ok(&other, "reminder.list", json!({}))
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    // A consent past renewal stays up (negative days) until it is renewed.
    app.today = date("2026-06-05");
    let list = app.ok(&cw, "reminder.list", json!({}));
    let consent = list
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["rule"] == "consent")
        .expect("consent");
    assert_eq!(consent["days_until"], -4);

    // Settings: exams off, consent lead time shorter, school age earlier.
    app.today = date("2026-05-10");
    let admin = app.admin.clone();
    let mut settings = app.ok(&admin, "settings.get", json!({}));
    settings["reminders"]["exam"]["enabled"] = json!(false);
    settings["reminders"]["consent"]["lead_days"] = json!(7);
    app.ok(&admin, "settings.update", settings.clone());
    let got: Vec<String> = rules(&app.ok(&cw, "reminder.list", json!({})))
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(got, ["action_end", "school_age"]);
    settings["reminders"]["school_age"]["lead_days"] = json!(0);
    let e = app.err(&admin, "settings.update", settings);
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        (
            "validation.out_of_range",
            Some("reminders.school_age.lead_days")
        )
    );
}
