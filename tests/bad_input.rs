//! Bad input, for every command: malformed JSON, unknown, missing and wrongly typed fields,
//! impossible dates, over-long text, negative money, bad ID numbers, unknown ids and missing
//! rights all give a coded error naming the field, and no row of the database changes.

use serde_json::{Value, json};
use yihu::api::{Access, CommandInfo};
use yihu::{ApiError, api};

use crate::common::*;

/// A database with a bit of everything: staff of each role, an active household with a
/// member, needs, an approved plan with deliveries, a logged and a scheduled visit, a draft
/// plan in a second household, a submitted plan in a third, a partner and a service.
struct Fixture {
    app: App,
    cw: String,
    sup: String,
    h1: String,
    member: String,
    need: String,
    action: String,
    occurrence: String,
    visit: String,
    h2: String,
    need2: String,
    draft: String,
    draft_action: String,
    submitted: String,
}

fn fixture() -> Fixture {
    let mut app = App::new();
    let cw = app.staff("林小红", "caseworker", CHEMEN);
    let sup = app.staff("周建国", "supervisor", SIHONG);
    let (h1, need) = app.active_household(&cw, "high");
    let (_plan, action) = app.approved_plan(&cw, &sup, &h1, &need);
    let detail = app.ok(&cw, "household.get", json!({"id": h1}));
    let member = id(&detail["members"][0]);
    let occ = app.ok(
        &cw,
        "occurrence.list",
        json!({"household_id": h1, "from": "2026-01-01", "to": "2026-12-31"}),
    );
    let occurrence = id(&occ[0]);
    let logged = app.ok(
        &cw,
        "visit.log",
        json!({"household_id": h1, "notes": "家中一切正常", "members_seen": [member]}),
    );
    let visit = id(&logged["visit"]);
    app.ok(
        &cw,
        "visit.schedule",
        json!({"household_id": h1, "scheduled_on": "2026-03-09"}),
    );
    app.ok(
        &sup,
        "partner.create",
        json!({"name": "县第三人民医院", "kind": "hospital"}),
    );
    app.ok(
        &sup,
        "service.create",
        json!({"name": "志愿者上门助浴", "category": "daily_care"}),
    );

    let (h2, need2) = app.active_household(&cw, "medium");
    let p = app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h2, "goals": "改善居住条件"}),
    );
    let draft = p["plan"]["id"].as_str().expect("plan id").to_string();
    let a = app.ok(
        &cw,
        "action.add",
        json!({"plan_id": draft, "action": {
        "title": "修缮房屋", "category": "housing", "need_ids": [need2], "start_on": app.today}}),
    );
    let draft_action = id(&a);

    let (h3, need3) = app.active_household(&cw, "low");
    let p = app.ok(
        &cw,
        "plan.create_draft",
        json!({"household_id": h3, "goals": "保障孩子上学"}),
    );
    let submitted = p["plan"]["id"].as_str().expect("plan id").to_string();
    app.ok(
        &cw,
        "action.add",
        json!({"plan_id": submitted, "action": {
        "title": "学费减免", "category": "education", "need_ids": [need3], "start_on": app.today}}),
    );
    app.ok(&cw, "plan.submit", json!({"id": submitted}));

    Fixture {
        app,
        cw,
        sup,
        h1,
        member,
        need,
        action,
        occurrence,
        visit,
        h2,
        need2,
        draft,
        draft_action,
        submitted,
    }
}

impl Fixture {
    /// Who runs a command in the sweeps: an administrator for Admin/Bootstrap commands, a
    /// supervisor for Supervisor/Manager commands, a caseworker otherwise.
    fn actor_for(&self, c: &CommandInfo) -> String {
        match c.access {
            Access::Admin | Access::Bootstrap => self.app.admin.clone(),
            Access::Supervisor | Access::Manager => self.sup.clone(),
            Access::Staff | Access::Case | Access::Anyone => self.cw.clone(),
        }
    }

    /// Run a command with a raw body; returns the result and whether any row changed.
    fn attempt(
        &mut self,
        actor: Option<&str>,
        command: &str,
        body: &str,
    ) -> (Result<Value, ApiError>, bool) {
        let before = self.app.snapshot();
        let r = self.app.raw(actor, command, body);
        let changed = self.app.snapshot() != before;
        (r, changed)
    }

    /// Run as `actor` (None: nobody) and require the error `code` at `field`, nothing changed.
    #[track_caller]
    fn refused_as(
        &mut self,
        actor: Option<&str>,
        command: &str,
        body: Value,
        code: &str,
        field: Option<&str>,
    ) {
        let (r, changed) = self.attempt(actor, command, &body.to_string());
        match r {
            Ok(v) => panic!("{command} {body} should have failed with {code} but gave {v}"),
            Err(e) => {
                assert_eq!(e.code, code, "{command} {body}: {e:?}");
                if let Some(f) = field {
                    assert_eq!(e.field.as_deref(), Some(f), "{command} {body}: {e:?}");
                }
            }
        }
        assert!(
            !changed,
            "{command} {body} changed the database although it failed"
        );
    }
}

/// Whether a request carries an id (a UUID string) anywhere.
fn has_uuid(v: &Value) -> bool {
    match v {
        Value::String(s) => uuid::Uuid::parse_str(s).is_ok(),
        Value::Array(a) => a.iter().any(has_uuid),
        Value::Object(o) => o.values().any(has_uuid),
        _ => false,
    }
}

fn example_object(c: &CommandInfo) -> serde_json::Map<String, Value> {
    c.example
        .as_object()
        .cloned()
        .unwrap_or_else(|| panic!("{}: example is not an object", c.name))
}

/// A value of another JSON type than `v`.
fn wrong_type(v: &Value) -> Value {
    match v {
        Value::String(_) => json!(123),
        Value::Number(_) => json!("x"),
        Value::Bool(_) => json!("x"),
        Value::Object(_) => json!(true),
        Value::Array(_) => json!("x"),
        Value::Null => json!(1),
    }
}

#[track_caller]
fn no_failures(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{what}: {} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_example_request_parses() {
    let bad: Vec<String> = api::check_examples()
        .into_iter()
        .map(|(name, e)| format!("{name}: {} ({:?})", e.code, e.field))
        .collect();
    no_failures("examples that do not parse into their request type", &bad);
}

#[test]
fn malformed_json_is_refused_by_every_command() {
    let mut f = fixture();
    let mut failures = Vec::new();
    for c in api::commands() {
        let actor = f.actor_for(&c);
        for body in [r#"{"a":"#, "[1,2", "nonsense"] {
            let (r, changed) = f.attempt(Some(&actor), c.name, body);
            match r {
                Ok(v) => failures.push(format!("{} {body:?}: succeeded with {v}", c.name)),
                Err(e) if e.code != "request.malformed" => {
                    failures.push(format!("{} {body:?}: {} at {:?}", c.name, e.code, e.field))
                }
                Err(_) => {}
            }
            if changed {
                failures.push(format!("{} {body:?}: changed the database", c.name));
            }
        }
    }
    no_failures("malformed JSON", &failures);
}

#[test]
fn a_request_that_is_not_an_object_is_refused() {
    let mut f = fixture();
    let cw = f.cw.clone();
    let draft = f.draft.clone();
    // Positional arrays must not stand in for objects: this one would submit the draft.
    let positional = json!([draft]).to_string();
    for (command, body) in [
        ("plan.submit", positional.as_str()),
        ("plan.submit", "null"),
        ("plan.submit", "true"),
        ("plan.submit", "1"),
        ("plan.submit", "\"x\""),
        ("household.list", "[]"),
        ("household.list", "[50]"),
    ] {
        let (r, changed) = f.attempt(Some(&cw), command, body);
        match r {
            Ok(v) => panic!("{command} {body}: a request that is not an object succeeded: {v}"),
            Err(e) => assert!(
                e.code.as_str().starts_with("request."),
                "{command} {body}: {e:?}"
            ),
        }
        assert!(!changed, "{command} {body} changed the database");
    }
}

#[test]
fn an_unknown_field_is_refused_by_every_command() {
    let mut f = fixture();
    let mut failures = Vec::new();
    for c in api::commands() {
        let actor = f.actor_for(&c);
        let mut body = example_object(&c);
        body.insert("zz_unknown".into(), json!(1));
        let body = Value::Object(body).to_string();
        let (r, changed) = f.attempt(Some(&actor), c.name, &body);
        match r {
            Ok(v) => failures.push(format!("{}: succeeded with {v}", c.name)),
            Err(e)
                if e.code != "request.field.unknown"
                    || e.field.as_deref() != Some("zz_unknown") =>
            {
                failures.push(format!(
                    "{}: {} at {:?} ({})",
                    c.name, e.code, e.field, e.message
                ))
            }
            Err(_) => {}
        }
        if changed {
            failures.push(format!("{}: changed the database", c.name));
        }
    }
    no_failures("unknown field zz_unknown", &failures);
}

#[test]
fn a_missing_required_field_is_named_by_every_command() {
    let mut f = fixture();
    let mut failures = Vec::new();
    let mut missing_seen = 0;
    for c in api::commands() {
        let actor = f.actor_for(&c);
        let example = example_object(&c);
        // An example without ids creates something and may run as it is; so may the same
        // request without one of its optional fields.
        let creates = !has_uuid(&c.example);
        for key in example.keys() {
            let mut body = example.clone();
            body.remove(key);
            let body_text = Value::Object(body).to_string();
            let (r, changed) = f.attempt(Some(&actor), c.name, &body_text);
            match r {
                Err(e) if e.code == "request.field.missing" => {
                    missing_seen += 1;
                    if e.field.as_deref() != Some(key.as_str()) {
                        failures.push(format!("{} without {key}: names {:?}", c.name, e.field));
                    }
                    if changed {
                        failures.push(format!("{} without {key}: changed the database", c.name));
                    }
                }
                Err(e) if e.code.as_str().starts_with("request.") => failures.push(format!(
                    "{} without {key}: {} at {:?} ({})",
                    c.name, e.code, e.field, e.message
                )),
                // The field is optional: the request parsed and was refused later.
                Err(_) => {
                    if changed {
                        failures.push(format!(
                            "{} without {key}: failed but changed the database",
                            c.name
                        ));
                    }
                }
                Ok(_) if !c.writes => {
                    if changed {
                        failures.push(format!(
                            "{} without {key}: a read changed the database",
                            c.name
                        ));
                    }
                }
                Ok(_) if creates => {}
                // Without a household, deliveries are generated for every household; the
                // approved plan's were generated up to the horizon when it was approved.
                Ok(v) if c.name == "occurrence.generate" => {
                    if v["created"] != json!(0) || changed {
                        failures.push(format!(
                            "{} without {key}: created {} (changed: {changed})",
                            c.name, v["created"]
                        ));
                    }
                }
                Ok(v) => failures.push(format!(
                    "{} without {key}: a write with fake ids succeeded: {v}",
                    c.name
                )),
            }
        }
    }
    assert!(
        missing_seen > 50,
        "only {missing_seen} required fields found; the sweep is not running"
    );
    no_failures("missing fields", &failures);
}

#[test]
fn a_field_of_the_wrong_type_is_named_by_every_command() {
    let mut f = fixture();
    let mut failures = Vec::new();
    let mut tried = 0;
    for c in api::commands() {
        let actor = f.actor_for(&c);
        let example = example_object(&c);
        for (key, value) in &example {
            let mut body = example.clone();
            let wrong = wrong_type(value);
            body.insert(key.clone(), wrong.clone());
            let body_text = Value::Object(body).to_string();
            let (r, changed) = f.attempt(Some(&actor), c.name, &body_text);
            tried += 1;
            let what = format!("{} with {key} = {wrong}", c.name);
            match r {
                Ok(v) => failures.push(format!("{what}: succeeded with {v}")),
                Err(e) => {
                    let code_ok = matches!(
                        e.code.as_str(),
                        "request.field.type"
                            | "request.field.invalid_value"
                            | "validation.date.invalid"
                    );
                    if !code_ok || e.field.as_deref() != Some(key.as_str()) {
                        failures.push(format!(
                            "{what}: {} at {:?} ({})",
                            e.code, e.field, e.message
                        ));
                    }
                }
            }
            if changed {
                failures.push(format!("{what}: changed the database"));
            }
        }
    }
    assert!(tried > 80, "only {tried} fields tried");
    no_failures("wrongly typed fields", &failures);
}

#[test]
fn every_example_with_fake_ids_is_refused_without_change() {
    let mut f = fixture();
    let mut failures = Vec::new();
    for c in api::commands() {
        let actor = f.actor_for(&c);
        let body = c.example.to_string();
        let (r, changed) = f.attempt(Some(&actor), c.name, &body);
        let with_ids = has_uuid(&c.example);
        match (&r, c.writes, with_ids) {
            (Err(e), _, _) if e.code.as_str().starts_with("request.") => failures.push(format!(
                "{}: the example does not parse: {} at {:?}",
                c.name, e.code, e.field
            )),
            (Err(e), true, true) => {
                if !(e.code.as_str().starts_with("not_found.")
                    || e.code.as_str().starts_with("validation."))
                {
                    failures.push(format!("{}: {} at {:?}", c.name, e.code, e.field));
                }
                if changed {
                    failures.push(format!("{}: failed but changed the database", c.name));
                }
            }
            (Ok(v), true, true) => {
                failures.push(format!("{}: a write with fake ids succeeded: {v}", c.name))
            }
            // An example without ids is a working request that creates something.
            (Ok(_), true, false) => {
                if !changed {
                    failures.push(format!("{}: succeeded but wrote nothing", c.name));
                }
            }
            (Err(e), true, false) => failures.push(format!(
                "{}: the example fails: {} at {:?}",
                c.name, e.code, e.field
            )),
            (_, false, _) => {
                if changed {
                    failures.push(format!("{}: a read changed the database", c.name));
                }
            }
        }
    }
    no_failures("examples as they are", &failures);
}

// ---------------------------------------------------------------- targeted cases

fn household_body(cw: &str) -> Value {
    json!({"division_code": CHEMEN, "address": "车门乡 2 组 8 号", "causes": ["illness"],
        "referral_source": "screening", "priority": "medium", "caseworker_id": cw})
}

fn member_body(h: &str) -> Value {
    json!({"household_id": h, "member": {"name": "林秀梅", "relation": "spouse", "sex": "female", "birth_date": "1985-06-01"}})
}

/// A full ID number from its first 17 digits (with the check character).
fn id_number(first17: &str) -> String {
    let check = yihu::idcard::check_char(first17).expect("17 digits");
    format!("{first17}{check}")
}

#[test]
fn impossible_dates_are_refused_with_the_field_path() {
    let mut f = fixture();
    let cw = f.cw.clone();
    for bad in ["2026-02-30", "2026-13-01", "20260101"] {
        let mut body = household_body(&cw);
        body["referred_on"] = json!(bad);
        f.refused_as(
            Some(&cw),
            "household.create",
            body,
            "validation.date.invalid",
            Some("referred_on"),
        );

        let mut body = member_body(&f.h1);
        body["member"]["birth_date"] = json!(bad);
        f.refused_as(
            Some(&cw),
            "member.add",
            body,
            "validation.date.invalid",
            Some("member.birth_date"),
        );

        let body = json!({"plan_id": f.draft, "action": {"title": "每月送米面油", "category": "living_costs",
            "need_ids": [f.need2], "start_on": bad}});
        f.refused_as(
            Some(&cw),
            "action.add",
            body,
            "validation.date.invalid",
            Some("action.start_on"),
        );

        let body = json!({"household_id": f.h1, "visited_on": bad});
        f.refused_as(
            Some(&cw),
            "visit.log",
            body,
            "validation.date.invalid",
            Some("visited_on"),
        );
    }
}

#[test]
fn text_over_its_limit_is_refused() {
    let mut f = fixture();
    let cw = f.cw.clone();
    let admin = f.app.admin.clone();
    let mut body = member_body(&f.h1);
    body["member"]["name"] = json!("林".repeat(51));
    f.refused_as(
        Some(&cw),
        "member.add",
        body,
        "validation.too_long",
        Some("member.name"),
    );
    f.refused_as(
        Some(&admin),
        "staff.create",
        json!({"name": "林".repeat(51), "role": "caseworker", "division_code": CHEMEN}),
        "validation.too_long",
        Some("name"),
    );
    let mut body = household_body(&cw);
    body["address"] = json!("车".repeat(201));
    f.refused_as(
        Some(&cw),
        "household.create",
        body,
        "validation.too_long",
        Some("address"),
    );
    f.refused_as(
        Some(&cw),
        "visit.log",
        json!({"household_id": f.h1, "notes": "好".repeat(10_001)}),
        "validation.too_long",
        Some("notes"),
    );
}

#[test]
fn text_at_its_limit_is_accepted() {
    let mut f = fixture();
    let cw = f.cw.clone();
    let mut body = member_body(&f.h1);
    body["member"]["name"] = json!("林".repeat(50));
    let m = f.app.ok(&cw, "member.add", body);
    assert_eq!(m["name"].as_str().map(|s| s.chars().count()), Some(50));
    let mut body = household_body(&cw);
    body["address"] = json!("车".repeat(200));
    let h = f.app.ok(&cw, "household.create", body);
    assert_eq!(h["address"].as_str().map(|s| s.chars().count()), Some(200));
    let v = f.app.ok(
        &cw,
        "visit.log",
        json!({"household_id": f.h1, "notes": "好".repeat(10_000)}),
    );
    assert_eq!(v["visit"]["hidden"], json!(["notes"]));
    let shown = f.app.ok(
        &cw,
        "visit.reveal_notes",
        json!({"household_id": f.h1, "limit": 50}),
    );
    let logged = shown
        .as_array()
        .and_then(|all| all.iter().find(|x| x["id"] == v["visit"]["id"]))
        .expect("the logged visit");
    assert_eq!(
        logged["notes"].as_str().map(|s| s.chars().count()),
        Some(10_000)
    );
}

#[test]
fn negative_money_is_refused_with_the_field_path() {
    let mut f = fixture();
    let cw = f.cw.clone();
    let body = json!({"plan_id": f.draft, "action": {"title": "每月资助", "category": "living_costs",
        "need_ids": [f.need2], "start_on": f.app.today, "amount_fen": -1}});
    f.refused_as(
        Some(&cw),
        "action.add",
        body,
        "validation.money.negative",
        Some("action.amount_fen"),
    );
    let body = json!({"id": f.draft_action, "action": {"title": "每月资助", "category": "living_costs",
        "need_ids": [f.need2], "start_on": f.app.today, "amount_fen": -1}});
    f.refused_as(
        Some(&cw),
        "action.update",
        body,
        "validation.money.negative",
        Some("action.amount_fen"),
    );
    let mut body = household_body(&cw);
    body["supports"] = json!([{"kind": "dibao", "monthly_fen": -100}]);
    f.refused_as(
        Some(&cw),
        "household.create",
        body,
        "validation.money.negative",
        Some("supports[0].monthly_fen"),
    );
    let mut household = household_body(&cw);
    household["consent_on"] = json!(f.app.today);
    household["supports"] =
        json!([{"kind": "holiday_gifts"}, {"kind": "dibao", "monthly_fen": -100}]);
    f.refused_as(
        Some(&cw),
        "household.update",
        json!({"id": f.h1, "household": household}),
        "validation.money.negative",
        Some("household.supports[1].monthly_fen"),
    );
}

#[test]
fn too_much_money_and_numbers_outside_their_type_are_refused() {
    let mut f = fixture();
    let cw = f.cw.clone();
    let body = json!({"plan_id": f.draft, "action": {"title": "每月资助", "category": "living_costs",
        "need_ids": [f.need2], "start_on": f.app.today, "amount_fen": 100_000_001}});
    f.refused_as(
        Some(&cw),
        "action.add",
        body,
        "validation.money.too_large",
        Some("action.amount_fen"),
    );
    for limit in [json!(-1), json!(4_294_967_296_u64), json!(2.5)] {
        f.refused_as(
            Some(&cw),
            "household.list",
            json!({"limit": limit}),
            "request.field.type",
            Some("limit"),
        );
    }
    let mut body = member_body(&f.h1);
    body["member"]["disability_type"] = json!("physical");
    body["member"]["disability_grade"] = json!(300);
    f.refused_as(
        Some(&cw),
        "member.add",
        body,
        "request.field.type",
        Some("member.disability_grade"),
    );
    let mut body = member_body(&f.h1);
    body["member"]["disability_type"] = json!("physical");
    body["member"]["disability_grade"] = json!(5);
    f.refused_as(
        Some(&cw),
        "member.add",
        body,
        "validation.out_of_range",
        Some("member.disability_grade"),
    );
}

#[test]
fn dates_outside_their_range_are_refused() {
    let mut f = fixture();
    let cw = f.cw.clone();
    let mut body = member_body(&f.h1);
    body["member"]["birth_date"] = json!("2026-03-03");
    f.refused_as(
        Some(&cw),
        "member.add",
        body,
        "validation.date.future",
        Some("member.birth_date"),
    );
    let mut body = member_body(&f.h1);
    body["member"]["birth_date"] = json!("1899-12-31");
    f.refused_as(
        Some(&cw),
        "member.add",
        body,
        "validation.date.too_early",
        Some("member.birth_date"),
    );
    let mut body = household_body(&cw);
    body["referred_on"] = json!("2026-03-03");
    f.refused_as(
        Some(&cw),
        "household.create",
        body,
        "validation.date.future",
        Some("referred_on"),
    );
    let body = json!({"plan_id": f.draft, "action": {"title": "每月送米面油", "category": "living_costs",
        "need_ids": [f.need2], "start_on": "2300-01-01"}});
    f.refused_as(
        Some(&cw),
        "action.add",
        body,
        "validation.date.out_of_range",
        Some("action.start_on"),
    );
    // Before the household was referred (a past day after it is history entered late).
    let body = json!({"household_id": f.h1, "scheduled_on": "2026-03-01"});
    f.refused_as(
        Some(&cw),
        "visit.schedule",
        body,
        "validation.date.order",
        Some("scheduled_on"),
    );
    let body = json!({"household_id": f.h1, "visited_on": "2026-03-03"});
    f.refused_as(
        Some(&cw),
        "visit.log",
        body,
        "validation.date.future",
        Some("visited_on"),
    );
    let body = json!({"household_id": f.h1, "from": "2026-03-10", "to": "2026-03-01"});
    f.refused_as(
        Some(&cw),
        "occurrence.list",
        body,
        "validation.date.order",
        Some("to"),
    );
}

#[test]
fn errors_inside_a_nested_record_name_the_nested_field() {
    let mut f = fixture();
    let cw = f.cw.clone();
    let admin = f.app.admin.clone();
    let sup = f.sup.clone();
    let mut household = household_body(&cw);
    household["division_code"] = json!(SIHONG);
    f.refused_as(
        Some(&cw),
        "household.update",
        json!({"id": f.h1, "household": household}),
        "validation.division.level",
        Some("household.division_code"),
    );
    f.refused_as(
        Some(&cw),
        "member.update",
        json!({"id": f.member, "member": {"name": " ", "relation": "head", "sex": "female", "birth_date": "1985-06-01"}}),
        "validation.required",
        Some("member.name"),
    );
    f.refused_as(
        Some(&cw),
        "need.update",
        json!({"id": f.need, "need": {"category": "medical", "description": " ", "priority": "high"}}),
        "validation.required",
        Some("need.description"),
    );
    f.refused_as(
        Some(&admin),
        "staff.update",
        json!({"id": cw, "staff": {"name": "林".repeat(51), "role": "caseworker", "division_code": CHEMEN}, "active": true}),
        "validation.too_long",
        Some("staff.name"),
    );
    f.refused_as(
        Some(&sup),
        "service.update",
        json!({"id": f.h1, "service": {"name": "助浴", "category": "daily_care"}, "active": true}),
        "not_found.service",
        Some("id"),
    );
    let body = json!({"plan_id": f.draft, "action": {"title": "每周上门", "category": "daily_care",
        "need_ids": [f.need2], "start_on": f.app.today, "recurrence": {"freq": "weekly", "interval": 0}}});
    let (r, changed) = f.attempt(Some(&cw), "action.add", &body.to_string());
    let e = r.expect_err("an interval of 0 is refused");
    assert!(
        e.code.as_str().starts_with("validation.recurrence."),
        "{e:?}"
    );
    assert_eq!(
        e.field.as_deref(),
        Some("action.recurrence.interval"),
        "{e:?}"
    );
    assert!(!changed);
    f.refused_as(
        Some(&cw),
        "visit.log",
        json!({"household_id": f.h1, "needs_found": [{"category": "medical", "description": "  ", "priority": "high"}]}),
        "validation.required",
        Some("needs_found[0].description"),
    );
    // h1 is active: it must keep its consent and its caseworker.
    // (An update is a patch: a field is cleared by null, not by leaving it out.)
    let mut household = household_body(&cw);
    household["caseworker_id"] = json!(null);
    household["consent_on"] = json!(f.app.today);
    f.refused_as(
        Some(&cw),
        "household.update",
        json!({"id": f.h1, "household": household}),
        "household.caseworker.required",
        Some("household.caseworker_id"),
    );
    let mut household = household_body(&cw);
    household["consent_on"] = json!(null);
    f.refused_as(
        Some(&cw),
        "household.update",
        json!({"id": f.h1, "household": household}),
        "household.consent.required",
        Some("household.consent_on"),
    );
}

#[test]
fn a_bad_id_number_is_refused() {
    let mut f = fixture();
    let cw = f.cw.clone();
    let good = id_number("32132419850601002");
    let last = good.chars().last().expect("check char");
    let wrong_check = format!("{}{}", &good[..17], if last == '1' { '2' } else { '1' });
    let impossible_birth = id_number("32132419850230002");
    let cases = [
        (wrong_check, "validation.id_number.checksum"),
        (impossible_birth, "validation.id_number.birth_date"),
        (good[..17].to_string(), "validation.id_number.format"),
        (format!("{}Y", &good[..17]), "validation.id_number.format"),
    ];
    for (number, code) in cases {
        let mut body = member_body(&f.h1);
        body["member"]["id_number"] = json!(number);
        f.refused_as(
            Some(&cw),
            "member.add",
            body,
            code,
            Some("member.id_number"),
        );
        let body = json!({"id": f.member, "member": {"name": "测试户主", "relation": "head", "sex": "female",
            "birth_date": "1985-06-01", "id_number": number}});
        f.refused_as(
            Some(&cw),
            "member.update",
            body,
            code,
            Some("member.id_number"),
        );
    }
    // The number itself is fine: the member is added.
    let mut body = member_body(&f.h1);
    body["member"]["id_number"] = json!(good);
    f.app.ok(&cw, "member.add", body);
}

#[test]
fn birth_date_or_sex_not_matching_the_id_number_is_refused() {
    let mut f = fixture();
    let cw = f.cw.clone();
    // Born 1985-06-01, female (the 17th digit is even).
    let number = id_number("32132419850601002");
    let mut body = member_body(&f.h1);
    body["member"]["id_number"] = json!(number);
    body["member"]["birth_date"] = json!("1985-06-02");
    f.refused_as(
        Some(&cw),
        "member.add",
        body,
        "validation.id_number.birth_mismatch",
        Some("member.birth_date"),
    );
    let mut body = member_body(&f.h1);
    body["member"]["id_number"] = json!(number);
    body["member"]["sex"] = json!("male");
    f.refused_as(
        Some(&cw),
        "member.add",
        body,
        "validation.id_number.sex_mismatch",
        Some("member.sex"),
    );
}

#[test]
fn empty_required_text_is_refused() {
    let mut f = fixture();
    let cw = f.cw.clone();
    let admin = f.app.admin.clone();
    let mut body = member_body(&f.h1);
    body["member"]["name"] = json!("  ");
    f.refused_as(
        Some(&cw),
        "member.add",
        body,
        "validation.required",
        Some("member.name"),
    );
    f.refused_as(
        Some(&admin),
        "staff.create",
        json!({"name": "  ", "role": "caseworker", "division_code": CHEMEN}),
        "validation.required",
        Some("name"),
    );
    let mut body = household_body(&cw);
    body["address"] = json!("\u{3000} ");
    f.refused_as(
        Some(&cw),
        "household.create",
        body,
        "validation.required",
        Some("address"),
    );
    f.refused_as(
        Some(&cw),
        "need.add",
        json!({"household_id": f.h1, "category": "medical", "description": " \n ", "priority": "high"}),
        "validation.required",
        Some("description"),
    );
    f.refused_as(
        Some(&cw),
        "household.create",
        json!({"division_code": CHEMEN, "address": "车门乡", "causes": [], "referral_source": "screening", "priority": "low"}),
        "validation.required",
        Some("causes"),
    );
}

#[test]
fn control_characters_in_a_name_are_refused() {
    let mut f = fixture();
    let cw = f.cw.clone();
    let admin = f.app.admin.clone();
    for name in ["林\u{0007}梅", "林\n梅", "林\u{0000}梅", "林\u{009B}梅"] {
        let mut body = member_body(&f.h1);
        body["member"]["name"] = json!(name);
        f.refused_as(
            Some(&cw),
            "member.add",
            body,
            "validation.text.control_chars",
            Some("member.name"),
        );
        f.refused_as(
            Some(&admin),
            "staff.create",
            json!({"name": name, "role": "caseworker", "division_code": CHEMEN}),
            "validation.text.control_chars",
            Some("name"),
        );
    }
}

#[test]
fn unknown_ids_are_not_found_for_every_id_field() {
    let mut f = fixture();
    let (cw_id, sup_id, admin_id) = (f.cw.clone(), f.sup.clone(), f.app.admin.clone());
    let (cw, sup, admin) = (cw_id.as_str(), sup_id.as_str(), admin_id.as_str());
    let x = "0190a0b0-0000-7000-8000-0000000000ee";
    let today = f.app.today;
    let (h1, member, need, need2, draft, draft_action) = (
        f.h1.clone(),
        f.member.clone(),
        f.need.clone(),
        f.need2.clone(),
        f.draft.clone(),
        f.draft_action.clone(),
    );
    let action_fields = json!({"title": "每月送米面油", "category": "living_costs", "need_ids": [need2], "start_on": today});
    let with = |mut v: Value, key: &str, val: Value| {
        v[key] = val;
        v
    };
    let member_fields = json!({"name": "林秀梅", "relation": "spouse", "sex": "female", "birth_date": "1985-06-01"});
    let cases: Vec<(&str, &str, Value, &str, &str)> = vec![
        (
            cw,
            "household.get",
            json!({"id": x}),
            "not_found.household",
            "id",
        ),
        (
            cw,
            "household.update",
            json!({"id": x, "household": household_body(cw)}),
            "not_found.household",
            "id",
        ),
        (
            cw,
            "household.transition",
            json!({"id": x, "to": "assessing"}),
            "not_found.household",
            "id",
        ),
        (
            cw,
            "household.create",
            with(household_body(cw), "caseworker_id", json!(x)),
            "not_found.staff",
            "caseworker_id",
        ),
        (
            cw,
            "household.create",
            with(household_body(cw), "division_code", json!("321324999")),
            "not_found.division",
            "division_code",
        ),
        (
            cw,
            "household.list",
            json!({"caseworker_id": x}),
            "not_found.staff",
            "caseworker_id",
        ),
        (
            cw,
            "member.add",
            json!({"household_id": x, "member": member_fields}),
            "not_found.household",
            "household_id",
        ),
        (
            cw,
            "member.update",
            json!({"id": x, "member": member_fields}),
            "not_found.member",
            "id",
        ),
        (
            cw,
            "member.remove",
            json!({"id": x, "reason": "moved_out"}),
            "not_found.member",
            "id",
        ),
        (
            cw,
            "need.add",
            json!({"household_id": x, "category": "medical", "description": "住院", "priority": "high"}),
            "not_found.household",
            "household_id",
        ),
        (
            cw,
            "need.add",
            json!({"household_id": h1, "member_id": x, "category": "medical", "description": "住院", "priority": "high"}),
            "not_found.member",
            "member_id",
        ),
        (
            cw,
            "need.update",
            json!({"id": x, "need": {"category": "medical", "description": "住院", "priority": "high"}}),
            "not_found.need",
            "id",
        ),
        (
            cw,
            "need.update",
            json!({"id": need, "need": {"member_id": x, "category": "medical", "description": "住院", "priority": "high"}}),
            "not_found.member",
            "need.member_id",
        ),
        (
            cw,
            "need.set_status",
            json!({"id": x, "to": "in_progress"}),
            "not_found.need",
            "id",
        ),
        (
            cw,
            "plan.create_draft",
            json!({"household_id": x}),
            "not_found.household",
            "household_id",
        ),
        (
            cw,
            "plan.update",
            json!({"id": x, "goals": "目标"}),
            "not_found.plan",
            "id",
        ),
        (cw, "plan.submit", json!({"id": x}), "not_found.plan", "id"),
        (
            sup,
            "plan.approve",
            json!({"id": x}),
            "not_found.plan",
            "id",
        ),
        (
            sup,
            "plan.return",
            json!({"id": x, "comment": "请补充"}),
            "not_found.plan",
            "id",
        ),
        (cw, "plan.revise", json!({"id": x}), "not_found.plan", "id"),
        (cw, "plan.get", json!({"id": x}), "not_found.plan", "id"),
        (
            cw,
            "plan.list",
            json!({"household_id": x}),
            "not_found.household",
            "household_id",
        ),
        (
            cw,
            "plan.diff",
            json!({"from_id": x, "to_id": draft}),
            "not_found.plan",
            "from_id",
        ),
        (
            cw,
            "plan.diff",
            json!({"from_id": draft, "to_id": x}),
            "not_found.plan",
            "to_id",
        ),
        (
            cw,
            "action.add",
            json!({"plan_id": x, "action": action_fields}),
            "not_found.plan",
            "plan_id",
        ),
        (
            cw,
            "action.add",
            json!({"plan_id": draft, "action": with(action_fields.clone(), "need_ids", json!([need2, x]))}),
            "not_found.need",
            "action.need_ids[1]",
        ),
        (
            cw,
            "action.add",
            json!({"plan_id": draft, "action": with(action_fields.clone(), "service_id", json!(x))}),
            "not_found.service",
            "action.service_id",
        ),
        (
            cw,
            "action.add",
            json!({"plan_id": draft, "action": with(action_fields.clone(), "partner_id", json!(x))}),
            "not_found.partner",
            "action.partner_id",
        ),
        (
            cw,
            "action.update",
            json!({"id": x, "action": action_fields}),
            "not_found.action",
            "id",
        ),
        (
            cw,
            "action.update",
            json!({"id": draft_action, "action": with(action_fields.clone(), "need_ids", json!([x]))}),
            "not_found.need",
            "action.need_ids[0]",
        ),
        (
            cw,
            "action.remove",
            json!({"id": x}),
            "not_found.action",
            "id",
        ),
        (
            cw,
            "action.set_status",
            json!({"id": x, "to": "completed"}),
            "not_found.action",
            "id",
        ),
        (
            cw,
            "occurrence.generate",
            json!({"household_id": x}),
            "not_found.household",
            "household_id",
        ),
        (
            cw,
            "occurrence.list",
            json!({"household_id": x}),
            "not_found.household",
            "household_id",
        ),
        (
            cw,
            "occurrence.record",
            json!({"id": x, "status": "done"}),
            "not_found.occurrence",
            "id",
        ),
        (
            cw,
            "occurrence.record_many",
            json!({"action_id": x, "from": "2026-02-01", "to": "2026-03-01", "status": "done"}),
            "not_found.action",
            "action_id",
        ),
        (
            cw,
            "visit.schedule",
            json!({"household_id": x, "scheduled_on": "2026-03-20"}),
            "not_found.household",
            "household_id",
        ),
        (
            cw,
            "visit.log",
            json!({"household_id": x}),
            "not_found.household",
            "household_id",
        ),
        (
            cw,
            "visit.log",
            json!({"household_id": h1, "visit_id": x}),
            "not_found.visit",
            "visit_id",
        ),
        (
            cw,
            "visit.log",
            json!({"household_id": h1, "members_seen": [member, x]}),
            "not_found.member",
            "members_seen[1]",
        ),
        (
            cw,
            "visit.log",
            json!({"household_id": h1, "visitors": [{"staff_id": x}]}),
            "not_found.staff",
            "visitors[0].staff_id",
        ),
        (
            cw,
            "visit.log",
            json!({"household_id": h1, "need_updates": [{"id": x, "to": "met"}]}),
            "not_found.need",
            "need_updates[0].id",
        ),
        (
            cw,
            "visit.log",
            json!({"household_id": h1, "needs_found": [{"member_id": x, "category": "medical", "description": "看病", "priority": "high"}]}),
            "not_found.member",
            "needs_found[0].member_id",
        ),
        (
            cw,
            "visit.log",
            json!({"household_id": h1, "occurrences_delivered": [x]}),
            "not_found.occurrence",
            "occurrences_delivered[0]",
        ),
        (
            cw,
            "visit.set_outcome",
            json!({"id": x, "to": "cancelled"}),
            "not_found.visit",
            "id",
        ),
        (
            cw,
            "visit.list",
            json!({"household_id": x}),
            "not_found.household",
            "household_id",
        ),
        (
            cw,
            "followup.caseworker",
            json!({"caseworker_id": x}),
            "not_found.staff",
            "caseworker_id",
        ),
        (cw, "staff.get", json!({"id": x}), "not_found.staff", "id"),
        (
            admin,
            "staff.update",
            json!({"id": x, "staff": {"name": "林小红", "role": "caseworker", "division_code": CHEMEN}, "active": true}),
            "not_found.staff",
            "id",
        ),
        (
            sup,
            "partner.update",
            json!({"id": x, "partner": {"name": "县医院", "kind": "hospital"}, "active": true}),
            "not_found.partner",
            "id",
        ),
        (
            sup,
            "service.create",
            json!({"name": "助浴", "category": "daily_care", "default_partner_id": x}),
            "not_found.partner",
            "default_partner_id",
        ),
        (
            sup,
            "service.update",
            json!({"id": x, "service": {"name": "助浴", "category": "daily_care"}, "active": true}),
            "not_found.service",
            "id",
        ),
    ];
    for (actor, command, body, code, field) in cases {
        f.refused_as(Some(actor), command, body, code, Some(field));
    }
}

#[test]
fn leaving_out_optional_bounds_does_not_hide_rows() {
    let mut f = fixture();
    let cw = f.cw.clone();
    let h1 = f.h1.clone();
    let all = f.app.count(&format!(
        "SELECT count(*) FROM occurrence WHERE household_id = '{h1}'"
    ));
    assert!(all > 0);
    let bounded = f.app.ok(
        &cw,
        "occurrence.list",
        json!({"household_id": h1, "from": "1900-01-01", "to": "2199-12-31"}),
    );
    assert_eq!(bounded.as_array().map(Vec::len), Some(all as usize));
    for body in [
        json!({"household_id": h1}),
        json!({"household_id": h1, "from": "1900-01-01"}),
        json!({"household_id": h1, "to": "2199-12-31"}),
    ] {
        let got = f.app.ok(&cw, "occurrence.list", body.clone());
        assert_eq!(
            got.as_array().map(Vec::len),
            Some(all as usize),
            "occurrence.list {body}"
        );
    }
}

#[test]
fn an_unknown_command_is_refused() {
    let mut f = fixture();
    let cw = f.cw.clone();
    for name in [
        "no.such",
        "household",
        "",
        "HOUSEHOLD.LIST",
        "household.list ",
    ] {
        f.refused_as(
            Some(&cw),
            name,
            json!({}),
            "command.unknown",
            Some("command"),
        );
    }
}

#[test]
fn a_command_without_an_actor_is_refused() {
    let mut f = fixture();
    let h1 = f.h1.clone();
    let cw = f.cw.clone();
    f.refused_as(
        None,
        "household.create",
        household_body(&cw),
        "auth.actor.required",
        None,
    );
    f.refused_as(
        None,
        "household.list",
        json!({}),
        "auth.actor.required",
        None,
    );
    f.refused_as(None, "need.add", json!({"household_id": h1, "category": "medical", "description": "住院", "priority": "high"}), "auth.actor.required", None);
    // Once staff exists, even the bootstrap command needs an administrator.
    f.refused_as(
        None,
        "staff.create",
        json!({"name": "王芳", "role": "admin", "division_code": "32"}),
        "auth.actor.required",
        None,
    );
}

#[test]
fn an_unknown_or_deactivated_actor_is_refused() {
    let mut f = fixture();
    let stranger = "0190a0b0-0000-7000-8000-0000000000ff";
    let cw = f.cw.clone();
    f.refused_as(
        Some(stranger),
        "household.create",
        household_body(&cw),
        "auth.actor.unknown",
        None,
    );
    f.refused_as(
        Some(stranger),
        "household.list",
        json!({}),
        "auth.actor.unknown",
        None,
    );
    let admin = f.app.admin.clone();
    let gone = f.app.staff("吴丽华", "caseworker", CHEMEN);
    f.app.ok(&admin, "staff.update", json!({"id": gone, "staff": {"name": "吴丽华", "role": "caseworker", "division_code": CHEMEN}, "active": false}));
    f.refused_as(
        Some(&gone),
        "household.create",
        household_body(&cw),
        "auth.actor.inactive",
        None,
    );
}

#[test]
fn a_caseworker_may_not_approve_create_staff_or_change_settings() {
    let mut f = fixture();
    let cw = f.cw.clone();
    let sup = f.sup.clone();
    let submitted = f.submitted.clone();
    let settings = json!({"cadence_days": {"high": 3, "medium": 14, "low": 60}, "occurrence_horizon_days": 30});
    let new_staff = json!({"name": "王芳", "role": "admin", "division_code": "32"});
    f.refused_as(
        Some(&cw),
        "plan.approve",
        json!({"id": submitted}),
        "auth.forbidden",
        None,
    );
    f.refused_as(
        Some(&cw),
        "plan.return",
        json!({"id": submitted, "comment": "请补充"}),
        "auth.forbidden",
        None,
    );
    f.refused_as(
        Some(&cw),
        "staff.create",
        new_staff.clone(),
        "auth.forbidden",
        None,
    );
    f.refused_as(
        Some(&cw),
        "settings.update",
        settings.clone(),
        "auth.forbidden",
        None,
    );
    f.refused_as(
        Some(&cw),
        "partner.create",
        json!({"name": "县医院", "kind": "hospital"}),
        "auth.forbidden",
        None,
    );
    // A supervisor reviews plans but does not manage staff or settings; an admin does not review.
    f.refused_as(
        Some(&sup),
        "staff.create",
        new_staff,
        "auth.forbidden",
        None,
    );
    f.refused_as(
        Some(&sup),
        "settings.update",
        settings.clone(),
        "auth.forbidden",
        None,
    );
    let admin = f.app.admin.clone();
    f.refused_as(
        Some(&admin),
        "plan.approve",
        json!({"id": submitted}),
        "auth.forbidden",
        None,
    );
    // The same requests succeed for the right role (so the refusals above are about rights).
    f.app.ok(&sup, "plan.approve", json!({"id": submitted}));
    f.app.ok(&admin, "settings.update", settings);
}

#[test]
fn ids_of_another_household_are_refused() {
    let mut f = fixture();
    let cw = f.cw.clone();
    let (h2, draft, need2) = (f.h2.clone(), f.draft.clone(), f.need2.clone());
    let cases = [
        (
            json!({"household_id": h2, "members_seen": [f.member]}),
            "validation.member.other_household",
            "members_seen[0]",
        ),
        (
            json!({"household_id": h2, "visit_id": f.visit}),
            "validation.visit.other_household",
            "visit_id",
        ),
        (
            json!({"household_id": h2, "need_updates": [{"id": f.need, "to": "met"}]}),
            "validation.need.other_household",
            "need_updates[0].id",
        ),
        (
            json!({"household_id": h2, "occurrences_delivered": [f.occurrence]}),
            "validation.occurrence.other_household",
            "occurrences_delivered[0]",
        ),
    ];
    for (body, code, field) in cases {
        f.refused_as(Some(&cw), "visit.log", body, code, Some(field));
    }
    let body = json!({"plan_id": draft, "action": {"title": "每月送米面油", "category": "living_costs",
        "need_ids": [need2, f.need], "start_on": f.app.today}});
    f.refused_as(
        Some(&cw),
        "action.add",
        body,
        "validation.need.other_household",
        Some("action.need_ids[1]"),
    );
    // An action of the plan in force is not edited in place.
    let body = json!({"id": f.action, "action": {"title": "改", "category": "daily_care", "need_ids": [f.need],
        "start_on": f.app.today}});
    f.refused_as(
        Some(&cw),
        "action.update",
        body,
        "plan.not_editable",
        Some("id"),
    );
}

#[test]
fn a_refused_write_releases_the_database() {
    let mut f = fixture();
    let cw = f.cw.clone();
    let mut body = household_body(&cw);
    body["address"] = json!(" ");
    f.refused_as(
        Some(&cw),
        "household.create",
        body,
        "validation.required",
        Some("address"),
    );
    // Another program can write at once: the failed command's transaction is gone.
    let other = rusqlite::Connection::open(&f.app.path).expect("open a second connection");
    other
        .busy_timeout(std::time::Duration::ZERO)
        .expect("busy timeout");
    other
        .execute_batch("BEGIN IMMEDIATE; ROLLBACK;")
        .expect("the database is still locked by a failed command");
    let households: i64 = other
        .query_row("SELECT count(*) FROM household", [], |r| r.get(0))
        .expect("count");
    assert_eq!(households, 3);
}

/// An error names the field and what was expected, never the value sent (it may be an ID
/// number or a note).
#[test]
fn errors_never_echo_the_value_sent() {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let secret = "32132419800305002X";
    for body in [
        json!({"limit": secret}),
        json!({"status": [secret]}),
        json!({"caseworker_id": secret}),
        json!({"offset": {"note": secret}}),
    ] {
        let e = app.err(&cw, "household.list", body.clone());
        assert!(e.code.as_str().starts_with("request.field."), "{e:?}");
        assert!(!e.message.contains(secret), "{body}: {e:?}");
    }
    let e = app.err(&cw, "household.create", json!({"division_code": CHEMEN, "address": "a", "causes": ["illness"],
        "referral_source": "screening", "priority": "high", "referred_on": "1980-02-30 32132419800305002X"}));
    assert!(!e.message.contains(secret), "{e:?}");
}
