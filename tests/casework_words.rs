//! Real caseloads in their own words (schema 8): several referral sources, 事实无人抚养, a
//! relative who died years ago with the date, a nickname search finds, a township chair who
//! carries cases and reviews but never her own plan, a weekly in-person service that counts as
//! contact (follow-up and dashboard with known answers), past visits and past campaigns entered
//! after the fact, and ledgers that keep the help given (every version's actions, campaign
//! gifts in the delivery log).

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::{Value, json};
use uuid::Uuid;
use yihu::api::ledger::{LedgerJob, LedgerRequest};
use yihu::{Ctx, api};

use crate::common::{App, CHEMEN, SIHONG, id};

fn sheet(path: &std::path::Path, name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook(path).expect("open the ledger");
    let range = book.worksheet_range(name).expect("sheet");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn export(app: &mut App, actor: &str, request: Value, file: &str) -> std::path::PathBuf {
    let request: LedgerRequest = api::parse_request(&request.to_string()).expect("request");
    let ctx = Ctx::fixed(Some(Uuid::parse_str(actor).expect("uuid")), app.today);
    let out = app._dir.path().join(file);
    api::export_ledger(
        &mut app.conn,
        &ctx,
        LedgerJob {
            request,
            out: out.clone(),
        },
    )
    .expect("export");
    out
}

#[test]
fn referral_sources_causes_nicknames_and_a_relative_who_died() {
    let mut app = App::new();
    let cw = app.staff("社工甲", "caseworker", CHEMEN);
    let h = app.ok(&cw, "household.create", json!({
        "division_code": CHEMEN, "address": "车门乡 2 组 8 号", "causes": ["no_carer_in_fact", "bereavement"],
        "referral_source": "village_party_committee", "other_referral_sources": ["womens_federation_screening"],
        "referred_on": "2026-02-01", "consent_on": "2026-02-01", "caseworker_id": cw, "priority": "high"}));
    let hid = id(&h);
    assert_eq!(
        h["other_referral_sources"],
        json!(["womens_federation_screening"])
    );
    assert_eq!(h["causes"], json!(["bereavement", "no_carer_in_fact"]));
    // The main source listed again among the others, or one listed twice, is named.
    for others in [json!(["village_party_committee"]), json!(["self", "self"])] {
        app.refused(
            &cw,
            "household.update",
            json!({"id": hid, "household": {"other_referral_sources": others}}),
            "validation.duplicate",
            None,
        );
    }
    // A patch that leaves them out keeps them.
    let after = app.ok(
        &cw,
        "household.update",
        json!({"id": hid, "household": {"address": "车门乡 2 组 9 号"}}),
    );
    assert_eq!(
        after["other_referral_sources"],
        json!(["womens_federation_screening"])
    );

    // A child known in the village by a nickname, found by it.
    let child = app.ok(&cw, "member.add", json!({"household_id": hid, "member": {
        "name": "林家琪", "nickname": "小琪琪", "relation": "daughter", "sex": "female", "birth_date": "2015-04-02"}}));
    assert_eq!(child["nickname"], "小琪琪");
    let found = app.ok(&cw, "household.list", json!({"q": "小琪琪"}));
    assert_eq!(found["total"], 1, "{found}");
    let found = app.ok(&cw, "household.list", json!({"q": "xiaoqiqi"}));
    assert_eq!(found["total"], 1, "the nickname's pinyin too: {found}");
    let cleared = app.ok(
        &cw,
        "member.update",
        json!({"id": id(&child), "member": {"nickname": null}}),
    );
    assert_eq!(cleared["nickname"], Value::Null);
    assert_eq!(
        app.ok(&cw, "household.list", json!({"q": "小琪琪"}))["total"],
        0
    );

    // The father died in 2021: recorded with that day, before the referral.
    let father = app.ok(
        &cw,
        "member.add",
        json!({"household_id": hid, "member": {
        "name": "林建国", "relation": "father", "sex": "male", "birth_date": "1980-01-01"}}),
    );
    app.refused(
        &cw,
        "member.remove",
        json!({"id": id(&father), "reason": "deceased", "on": "2026-03-03"}),
        "validation.date.future",
        Some("on"),
    );
    app.refused(
        &cw,
        "member.remove",
        json!({"id": id(&father), "reason": "deceased", "on": "1979-12-31"}),
        "validation.date.order",
        Some("on"),
    );
    let gone = app.ok(
        &cw,
        "member.remove",
        json!({"id": id(&father), "reason": "deceased", "on": "2021-06-30"}),
    );
    assert_eq!(gone["removed_on"], "2021-06-30");
    assert_eq!(gone["removed_reason"], "deceased");

    // The household ledger says every source and the new cause in Chinese.
    let sup = app.staff("督导乙", "supervisor", SIHONG);
    let out = export(
        &mut app,
        &sup,
        json!({"kind": "ledger", "division_code": SIHONG}),
        "hh.xlsx",
    );
    let rows = sheet(&out, "家庭");
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    assert_eq!(rows[1][col("转介来源")], "村党委推荐、妇联排查");
    assert!(
        rows[1][col("困难类型")].contains("事实无人抚养"),
        "{rows:?}"
    );
}

#[test]
fn a_chair_who_carries_cases_and_reviews_never_approves_her_own_plan() {
    let mut app = App::new();
    let chair = app.staff("乡妇联主席", "supervisor", CHEMEN);
    let other = app.staff("县督导", "supervisor", SIHONG);
    // She carries a household herself, drafts and submits its plan.
    let h = app.ok(&chair, "household.create", json!({
        "division_code": CHEMEN, "address": "车门乡 3 组 1 号", "causes": ["illness"],
        "referral_source": "screening", "consent_on": app.today, "caseworker_id": chair, "priority": "medium"}));
    let hid = id(&h);
    assert_eq!(h["caseworker_id"], chair.as_str());
    app.ok(
        &chair,
        "member.add",
        json!({"household_id": hid, "member": {
        "name": "测试户主", "relation": "head", "sex": "female", "birth_date": "1975-06-01"}}),
    );
    app.ok(
        &chair,
        "household.transition",
        json!({"id": hid, "to": "assessing"}),
    );
    app.ok(
        &chair,
        "household.transition",
        json!({"id": hid, "to": "active"}),
    );
    let need = id(&app.ok(&chair, "need.add", json!({"household_id": hid, "category": "medical", "description": "住院", "priority": "high"})));
    let plan = app.ok(
        &chair,
        "plan.create_draft",
        json!({"household_id": hid, "goals": "康复"}),
    )["plan"]["id"]
        .as_str()
        .expect("plan")
        .to_string();
    app.ok(
        &chair,
        "action.add",
        json!({"plan_id": plan, "action": {"title": "陪同就医", "category": "medical",
        "need_ids": [need], "start_on": app.today}}),
    );
    app.ok(&chair, "plan.submit", json!({"id": plan}));
    let before = app.snapshot();
    app.refused(
        &chair,
        "plan.approve",
        json!({"id": plan}),
        "plan.review.own",
        Some("id"),
    );
    assert_eq!(app.snapshot(), before, "nothing written");
    // An administrator keeps the system and carries no case (one in the county, so the
    // assignment is in the supervisor's scope and the rule itself answers).
    let admin = app.staff("县管理员", "admin", SIHONG);
    app.refused(
        &other,
        "household.create",
        json!({
        "division_code": CHEMEN, "address": "车门乡 3 组 2 号", "causes": ["illness"],
        "referral_source": "screening", "caseworker_id": admin, "priority": "medium"}),
        "validation.not_allowed",
        Some("caseworker_id"),
    );
    // Another reviewer approves it.
    let approved = app.ok(&other, "plan.approve", json!({"id": plan}));
    assert_eq!(approved["plan"]["status"], "approved");
}

/// A high-priority household (cadence 7 days) served every Saturday at home by a volunteer and
/// never visited by its caseworker; `contact` says whether the service counts as contact.
fn served_weekly(contact: Option<bool>) -> (App, String, String) {
    let mut app = App::new();
    app.today = crate::common::date("2026-01-03"); // a Saturday
    let cw = app.staff("社工", "caseworker", CHEMEN);
    let sup = app.staff("督导", "supervisor", SIHONG);
    let mut service = json!({"name": "上门照料", "category": "daily_care", "unit": "次"});
    if let Some(c) = contact {
        service["counts_as_contact"] = json!(c);
    }
    let service = app.ok(&app.admin.clone(), "service.create", service);
    assert_eq!(service["counts_as_contact"], contact.unwrap_or(true));
    let (h, need) = app.active_household(&cw, "high");
    let plan = app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "照料"}),
    )["plan"]["id"]
        .as_str()
        .expect("plan")
        .to_string();
    let action = id(&app.ok(
        &cw,
        "action.add",
        json!({"plan_id": plan, "action": {"service_id": id(&service),
        "title": "志愿者每周六上门照料", "category": "daily_care", "need_ids": [need],
        "recurrence": {"freq": "weekly", "weekdays": ["sat"]}, "start_on": app.today}}),
    ));
    app.ok(&cw, "plan.submit", json!({"id": plan}));
    app.ok(&sup, "plan.approve", json!({"id": plan}));
    // Four Saturdays delivered, each on its day.
    app.today = crate::common::date("2026-01-31");
    app.ok(
        &cw,
        "occurrence.record_many",
        json!({"action_id": action, "from": "2026-01-03", "to": "2026-01-31",
        "status": "done"}),
    );
    app.today = crate::common::date("2026-02-03");
    (app, sup, h)
}

#[test]
fn a_weekly_in_person_service_is_contact_for_follow_up_and_the_dashboard() {
    for (contact, overdue, last) in [
        (None, 0, Some("2026-01-31")),
        (Some(true), 0, Some("2026-01-31")),
        (Some(false), 1, None),
    ] {
        let (mut app, sup, h) = served_weekly(contact);
        let hh = app.ok(&sup, "household.get", json!({"id": h}));
        assert_eq!(
            hh["household"]["last_visit_on"].as_str(),
            last,
            "{contact:?}"
        );
        let f = app.ok(&sup, "followup.division", json!({"division_code": SIHONG}));
        assert_eq!(
            f["households_overdue"]["total"], overdue,
            "{contact:?}: {f}"
        );
        let d = app.ok(
            &sup,
            "dashboard.get",
            json!({"division_code": SIHONG,
            "period": {"from": "2026-01-01", "to": "2026-02-03"}}),
        );
        assert_eq!(d["households"]["overdue"]["count"], overdue, "{contact:?}");
        assert_eq!(
            d["households"]["not_visited"]["count"], overdue,
            "{contact:?}"
        );
        // The list's 'not visited in the period' filter agrees with the dashboard.
        let listed = app.ok(
            &sup,
            "household.list",
            json!({"not_visited": {"from": "2026-01-01", "to": "2026-02-03"}}),
        );
        assert_eq!(listed["total"], overdue, "{contact:?}: {listed}");
        let problems = yihu::check::run(&app.conn).expect("check");
        assert!(problems.is_empty(), "{problems:?}");
    }
}

#[test]
fn past_visits_and_past_campaigns_are_entered_after_the_fact() {
    let mut app = App::new();
    let cw = app.staff("社工", "caseworker", CHEMEN);
    let sup = app.staff("督导", "supervisor", SIHONG);
    let h = app.ok(&cw, "household.create", json!({
        "division_code": CHEMEN, "address": "车门乡 4 组 2 号", "causes": ["illness"], "referral_source": "screening",
        "referred_on": "2022-01-10", "consent_on": "2022-01-10", "caseworker_id": cw, "priority": "medium"}));
    let hid = id(&h);
    let late = app.ok(&cw, "household.create", json!({
        "division_code": CHEMEN, "address": "车门乡 4 组 3 号", "causes": ["illness"], "referral_source": "screening",
        "referred_on": "2025-06-01", "consent_on": "2025-06-01", "caseworker_id": cw, "priority": "medium"}));
    // A visit planned in 2022, nobody at home that day.
    app.refused(
        &cw,
        "visit.schedule",
        json!({"household_id": hid, "scheduled_on": "2022-01-09"}),
        "validation.date.order",
        Some("scheduled_on"),
    );
    let v = app.ok(
        &cw,
        "visit.schedule",
        json!({"household_id": hid, "scheduled_on": "2022-03-05"}),
    );
    let v = app.ok(
        &cw,
        "visit.set_outcome",
        json!({"id": id(&v), "to": "not_at_home"}),
    );
    assert_eq!(v["visited_on"], "2022-03-05");

    // The 2023 Spring Festival gifts: only the household referred by then is in it.
    let c = app.ok(&sup, "campaign.create", json!({
        "name": "2023年春节慰问", "kind": "delivery", "festival": "spring_festival", "due_on": "2023-01-18",
        "title": "米、面、油", "category": "living_costs", "amount_fen": 50000, "cohort": {"division_code": SIHONG}}));
    let campaign = id(&c);
    let got = app.ok(&sup, "campaign.get", json!({"id": campaign}));
    let lines: Vec<&str> = got["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["household_id"].as_str().expect("id"))
        .collect();
    assert_eq!(lines, vec![hid.as_str()], "{got}");
    assert!(!lines.contains(&id(&late).as_str()));
    app.ok(
        &cw,
        "campaign.record",
        json!({"campaign_id": campaign, "household_id": hid, "status": "done",
        "done_on": "2023-01-18"}),
    );

    // The gift is in the delivery log of that period, on its own day.
    let out = export(
        &mut app,
        &sup,
        json!({"kind": "deliveries", "division_code": SIHONG,
            "period": {"from": "2023-01-01", "to": "2023-01-31"}}),
        "log.xlsx",
    );
    let rows = sheet(&out, "服务记录");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[1].iter().any(|c| c == "米、面、油"), "{rows:?}");
    assert!(rows[1].iter().any(|c| c == "2023年春节慰问"), "{rows:?}");
    assert!(rows[1].iter().any(|c| c == "已完成"), "{rows:?}");
}

#[test]
fn the_action_sheet_keeps_the_help_of_every_version_in_force() {
    let mut app = App::new();
    let cw = app.staff("社工", "caseworker", CHEMEN);
    let sup = app.staff("督导", "supervisor", SIHONG);
    let (h, need) = app.active_household(&cw, "high");
    let (_, _) = app.approved_plan(&cw, &sup, &h, &need);
    // Version 2 drops the weekly visit and adds a hospital stay.
    let draft = app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h, "goals": "治疗"}),
    );
    let v2 = draft["plan"]["id"].as_str().expect("plan").to_string();
    for a in draft["actions"].as_array().expect("actions") {
        app.ok(&cw, "action.remove", json!({"id": id(a)}));
    }
    app.ok(
        &cw,
        "action.add",
        json!({"plan_id": v2, "action": {"title": "免费住院治疗", "category": "medical",
        "need_ids": [need], "start_on": app.today}}),
    );
    app.ok(&cw, "plan.submit", json!({"id": v2}));
    app.ok(&sup, "plan.approve", json!({"id": v2}));

    let out = export(
        &mut app,
        &sup,
        json!({"kind": "ledger", "division_code": SIHONG}),
        "hh.xlsx",
    );
    let rows = sheet(&out, "帮扶措施");
    let header = &rows[0];
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    let listed: Vec<(String, String, String)> = rows[1..]
        .iter()
        .map(|r| {
            (
                r[col("措施")].clone(),
                r[col("方案版本")].clone(),
                r[col("方案状态")].clone(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            ("每周上门".into(), "第1版".into(), "已替代".into()),
            ("免费住院治疗".into(), "第2版".into(), "已批准".into()),
        ]
    );
}

#[test]
fn a_yearly_gift_at_spring_festival_is_one_action_previewed_as_it_will_fall() {
    let mut app = App::new();
    let cw = app.staff("社工", "caseworker", CHEMEN);
    let p = app.ok(
        &cw,
        "action.preview",
        json!({"recurrence": {"freq": "yearly", "festival": "spring_festival"},
        "start_on": "2026-01-01", "n": 3}),
    );
    // Shown from today (2026-03-02), this year's having passed.
    assert_eq!(
        p["dates"],
        json!(["2027-02-06", "2028-01-26", "2029-02-13"])
    );
    assert_eq!(p["schedule"]["zh"], "每年春节，自 2026-01-01 起");
    assert_eq!(
        p["schedule"]["en"],
        "Every year at Spring Festival, from 2026-01-01"
    );
    app.refused(
        &cw,
        "action.preview",
        json!({"recurrence": {"freq": "weekly", "festival": "spring_festival"},
        "start_on": "2026-01-01", "n": 3}),
        "validation.recurrence.not_allowed",
        Some("recurrence.festival"),
    );
}
