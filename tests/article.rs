//! The acceptance story: the article's two households (fictional names) entered only through
//! the command surface — as `yihu call` would — and read back whole.

use serde_json::{Value, json};
use yihu::db;

use crate::common::*;

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|m| m["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_two_households_of_the_article_read_back_whole() {
    // households: 0 — only the article's two, entered command by command.
    let (_dir, path, conn, summary) = demo_file(0, 3, "2026-11-28");
    drop(conn);
    let mut app = App::new();
    app.conn = db::open(&path).expect("reopen");
    app.today = date("2026-11-28");
    let staff = &summary.article_staff;
    let cw1 = staff[0]["id"].as_str().expect("id").to_string();
    let cw2 = staff[2]["id"].as_str().expect("id").to_string();
    let sup1 = staff[1]["id"].as_str().expect("id").to_string();
    assert_eq!(
        summary.article_case_nos,
        vec!["321324-2026-0001", "321023-2026-0001"]
    );

    // Household 1, found by the mother's name in pinyin initials (魏秀兰 → wxl).
    let found = app.ok(&cw1, "household.list", json!({"q": "wxl"}));
    assert_eq!(found["total"], 1);
    let h1 = found["items"][0]["id"].as_str().expect("id").to_string();
    let d = app.ok(&cw1, "household.get", json!({"id": h1}));
    let h = &d["household"];
    assert_eq!(h["case_no"], "321324-2026-0001");
    assert_eq!(h["status"], "active");
    assert_eq!(h["priority"], "high");
    assert_eq!(h["causes"], json!(["illness", "disability"]));
    assert_eq!(h["referral_source"], "screening");
    assert_eq!(h["caseworker_id"], json!(cw1));
    assert!(h["consent_on"].is_string());
    let supports: Vec<&str> = h["supports"]
        .as_array()
        .expect("supports")
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    assert_eq!(
        supports,
        vec!["dibao", "holiday_gifts", "medical_green_channel", "other"]
    );
    assert_eq!(h["supports"][0]["monthly_fen"], 240000);
    assert_eq!(d["division_name"], "江苏省 宿迁市 泗洪县 车门乡 车门社区");
    assert_eq!(d["caseworker_name"], "周敏");
    assert_eq!(
        names(&d["members"]),
        vec!["魏秀兰", "孙建国", "孙雨萱", "孙小宇"]
    );
    let son = d["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["name"] == "孙小宇")
        .expect("son")
        .clone();
    assert_eq!(son["age"], 12);
    assert_eq!(son["is_child"], true);
    // Sensitive fields are held back until revealed; the ID number shows masked.
    assert_eq!(son["disability_type"], json!(null));
    assert_eq!(
        son["hidden"],
        json!(["id_number", "birth_date", "health_conditions", "disability"])
    );
    assert_eq!(
        son["birth_date"],
        json!(null),
        "withheld with the ID number"
    );
    let masked = son["id_number"].as_str().expect("masked id");
    assert!(
        masked.len() == 18 && masked[4..14] == *"**********",
        "{masked}"
    );
    let shown = app.ok(&cw1, "member.reveal", json!({"id": son["id"]}));
    assert_eq!(shown["disability_type"], "physical");
    assert_eq!(
        shown["id_number"].as_str().map(|s| s.contains('*')),
        Some(false)
    );
    assert_eq!(shown["hidden"], json!([]));
    assert_eq!(d["members"][0]["age"], 43);
    assert_eq!(d["members"][0]["is_primary_carer"], true);
    // Six needs found at the pre-Spring-Festival visit; two are met since.
    let needs = d["needs"].as_array().expect("needs");
    assert_eq!(needs.len(), 6);
    assert_eq!(needs.iter().filter(|n| n["status"] == "met").count(), 2);
    assert!(needs.iter().all(|n| n["found_visit_id"].is_string()));
    // The approved plan: seven actions, one-off and recurring, the ¥500 monthly stipend.
    let plan = &d["plan_in_force"];
    assert_eq!(plan["plan"]["version_no"], 1);
    assert_eq!(plan["plan"]["decided_by"], json!(sup1));
    let actions = plan["actions"].as_array().expect("actions");
    assert_eq!(actions.len(), 7);
    let stipend = actions
        .iter()
        .find(|a| a["amount_fen"] == 50000)
        .expect("stipend");
    assert_eq!(stipend["recurrence"]["freq"], "monthly");
    assert_eq!(stipend["recurrence"]["month_day"], 1);
    let weekly = actions
        .iter()
        .find(|a| a["recurrence"]["weekdays"] == json!(["sat"]))
        .expect("weekly visits to the son");
    assert_eq!(weekly["category"], "daily_care");
    assert!(
        actions
            .iter()
            .any(|a| a["recurrence"].is_null() && a["category"] == "education")
    );
    // Version 2 waits for review, with its diff against the plan in force.
    assert_eq!(d["working_plan"]["plan"]["status"], "submitted");
    let queue = app.ok(&sup1, "plan.review_queue", json!({}));
    assert_eq!(queue[0]["case_no"], "321324-2026-0001");
    let diff = app.ok(
        &sup1,
        "plan.diff",
        json!({"from_id": plan["plan"]["id"], "to_id": d["working_plan"]["plan"]["id"]}),
    );
    assert_eq!(
        diff["actions"]["added"][0]["title"],
        "每周电话关心母亲身心状况"
    );
    // Deliveries: partly done, some missed, the last week's still open.
    let occ = app.ok(
        &cw1,
        "occurrence.list",
        json!({"household_id": h1, "to": "2026-11-28"}),
    );
    let occ = occ.as_array().expect("occurrences");
    let count = |s: &str| occ.iter().filter(|o| o["status"] == s).count();
    assert!(count("done") > 20, "done {}", count("done"));
    assert!(count("missed") > 0);
    assert!(count("due") > 0);
    assert!(
        occ.iter()
            .filter(|o| o["status"] == "done")
            .all(|o| o["visit_id"].is_string())
    );
    let visits = app.ok(
        &cw1,
        "visit.list",
        json!({"household_id": h1, "limit": 100}),
    );
    assert!(visits.as_array().map_or(0, Vec::len) >= 19);
    assert_eq!(d["next_scheduled_visit"]["scheduled_on"], "2026-11-30");

    // Household 2, found by the grandmother's full pinyin (钱桂芳 → qianguifang).
    let found = app.ok(&cw2, "household.list", json!({"q": "qianguifang"}));
    let h2 = found["items"][0]["id"].as_str().expect("id").to_string();
    let d = app.ok(&cw2, "household.get", json!({"id": h2}));
    assert_eq!(d["household"]["case_no"], "321023-2026-0001");
    assert_eq!(d["household"]["referral_source"], "village_committee");
    assert_eq!(
        d["household"]["causes"],
        json!(["single_parent", "bereavement"])
    );
    assert_eq!(d["division_name"], "江苏省 扬州市 宝应县 山阳镇 顺河村");
    assert_eq!(names(&d["members"]), vec!["钱桂芳", "钱思语"]);
    assert_eq!(d["members"][1]["schooling"], "primary");
    assert_eq!(d["needs"].as_array().map(Vec::len), Some(7));
    let actions = d["plan_in_force"]["actions"].as_array().expect("actions");
    assert_eq!(actions.len(), 7);
    assert!(
        actions
            .iter()
            .any(|a| a["category"] == "housing" && a["recurrence"].is_null())
    );
    assert!(actions.iter().any(|a| a["recurrence"] == json!({"freq": "weekly", "interval": 2, "weekdays": ["wed"], "month_day": null, "until": null, "count": null})));
    assert!(
        actions
            .iter()
            .any(|a| a["recurrence"]["weekdays"] == json!(["sat", "sun"]))
    );
    // The returned revision is on the caseworker's Today.
    let today = app.ok(&cw2, "followup.caseworker", json!({}));
    assert_eq!(
        today["plans_returned"]["items"][0]["household_id"],
        json!(h2)
    );
    assert_eq!(
        today["plans_returned"]["items"][0]["decision_comment"],
        "请写明负责人，并说明寒暑假以外是否继续"
    );
    // And every invariant holds.
    let problems = yihu::check::run(&app.conn).expect("check");
    assert!(problems.is_empty(), "{problems:?}");
    // The history of a household lists who changed what.
    let history = app.ok(
        &cw2,
        "audit.list",
        json!({"household_id": h2, "limit": 1000}),
    );
    let history = history.as_array().expect("audit");
    assert!(
        history
            .iter()
            .any(|r| r["command"] == "household.create" && r["actor_name"] == "顾晓燕")
    );
    assert!(
        history
            .iter()
            .any(|r| r["command"] == "plan.return" && r["actor_name"] == "吴静")
    );
}
