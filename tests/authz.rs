//! Who may do what: every command of the registry, run as each role, in and out of scope.
//!
//! The world: households of caseworker A in 车门乡 (泗洪县), a second caseworker of the same
//! township, the county supervisor of 泗洪县, a caseworker and a supervisor of another county
//! (宝应县), and the administrator. Each command is tried with a request aimed at caseworker A's
//! records (or area) by every one of them and by nobody: allowed where the policy below says so,
//! refused with `auth.actor.required`, `auth.forbidden` or `auth.out_of_scope` (and not a row
//! changed) where not. Listings answer everyone they allow but show A's household only to A and
//! A's supervisor. Allowed writes each run on a fresh copy of the world.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::{Value, json};
use tempfile::TempDir;
use yihu::db;

use crate::common::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Nobody,
    Admin,
    /// Caseworker A, whose households the requests name.
    CwA,
    /// Another caseworker of the same township.
    CwA2,
    /// The supervisor of A's county.
    SupA,
    /// A caseworker and a supervisor of another county.
    CwB,
    SupB,
}

const ROLES: [Role; 7] = [
    Role::Nobody,
    Role::Admin,
    Role::CwA,
    Role::CwA2,
    Role::SupA,
    Role::CwB,
    Role::SupB,
];

/// Which roles a command is for (the policy under test, written out here, not read from the
/// registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// Even without a signed-in staff member (public reference data, the staff picker).
    Anyone,
    /// Every staff member.
    Staff,
    /// Caseworkers and supervisors.
    Case,
    Supervisor,
    /// Supervisors and administrators.
    Manager,
    Admin,
}

/// What the request touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// No case record.
    Nothing,
    /// A record of caseworker A's household: for A and A's supervisor.
    AsHousehold,
    /// A's area (the township or the county): for anyone whose area contains it.
    AsArea,
    /// A list that filters itself: allowed to all the command is for; A's household in it only
    /// for A and A's supervisor.
    Listing,
}

struct World {
    _dir: TempDir,
    template: PathBuf,
    admin: String,
    cw_a: String,
    cw_a2: String,
    sup_a: String,
    cw_b: String,
    sup_b: String,
    ha: String,
    member: String,
    need: String,
    plan: String,
    action: String,
    occurrence: String,
    scheduled_visit: String,
    draft: String,
    draft_action: String,
    draft_need: String,
    submitted: String,
    returned: String,
    partner: String,
    service: String,
    campaign: String,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let mut app = App::new();
        let cw_a = app.staff("甲社工", "caseworker", CHEMEN);
        let cw_a2 = app.staff("乙社工", "caseworker", CHEMEN);
        let sup_a = app.staff("泗洪督导", "supervisor", SIHONG);
        let cw_b = app.staff("丙社工", "caseworker", SHANYANG);
        let sup_b = app.staff("宝应督导", "supervisor", "321023");
        // A's active household with an approved plan, a second member, a logged and a
        // scheduled visit.
        let (ha, need) = app.active_household(&cw_a, "high");
        let (plan, action) = app.approved_plan(&cw_a, &sup_a, &ha, &need);
        let member = id(&app.ok(
            &cw_a,
            "member.add",
            json!({"household_id": ha, "member": {"name": "测试女儿", "relation": "daughter",
                "sex": "female", "birth_date": "2010-05-01"}}),
        ));
        let occ = app.ok(&cw_a, "occurrence.list", json!({"household_id": ha}));
        let occurrence = id(&occ[0]);
        app.ok(
            &cw_a,
            "visit.log",
            json!({"household_id": ha, "notes": "一切正常"}),
        );
        let scheduled_visit = id(&app.ok(
            &cw_a,
            "visit.schedule",
            json!({"household_id": ha, "scheduled_on": "2026-03-09"}),
        ));
        // A's household with a draft plan, one with a submitted plan, one with a returned plan.
        let (hd, draft_need) = app.active_household(&cw_a, "medium");
        let draft = app.ok(
            &cw_a,
            "plan.create_draft",
            json!({"household_id": hd, "goals": "保障生活"}),
        )["plan"]["id"]
            .as_str()
            .expect("draft")
            .to_string();
        let draft_action = id(&app.ok(
            &cw_a,
            "action.add",
            json!({"plan_id": draft, "action": {"title": "送米面油", "category": "living_costs",
                "need_ids": [draft_need], "start_on": "2026-03-10"}}),
        ));
        let plan_for = |app: &mut App| {
            let (h, n) = app.active_household(&cw_a, "low");
            let p = app.ok(
                &cw_a,
                "plan.create_draft",
                json!({"household_id": h, "goals": "保障上学"}),
            )["plan"]["id"]
                .as_str()
                .expect("plan")
                .to_string();
            app.ok(
                &cw_a,
                "action.add",
                json!({"plan_id": p, "action": {"title": "学费减免", "category": "education",
                    "need_ids": [n], "start_on": "2026-03-10"}}),
            );
            app.ok(&cw_a, "plan.submit", json!({"id": p}));
            p
        };
        let submitted = plan_for(&mut app);
        let returned = plan_for(&mut app);
        app.ok(
            &sup_a,
            "plan.return",
            json!({"id": returned, "comment": "请补充负责人"}),
        );
        let partner = id(&app.ok(
            &sup_a,
            "partner.create",
            json!({"name": "县医院", "kind": "hospital"}),
        ));
        let service = id(&app.ok(
            &sup_a,
            "service.create",
            json!({"name": "上门助浴", "category": "daily_care"}),
        ));
        // A's high-priority households' Spring Festival delivery (one line: A's household), and
        // a household of A's colleague so that a campaign of theirs has a cohort too.
        let campaign = id(&app.ok(
            &cw_a,
            "campaign.create",
            json!({"name": "春节慰问", "kind": "delivery", "due_on": "2027-02-01", "title": "米面油",
                "category": "living_costs", "cohort": {"priority": ["high"]}}),
        ));
        app.household(&cw_a2, "medium");
        // One self-contained file to copy for each write.
        app.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
            .expect("checkpoint");
        let App {
            _dir, path, admin, ..
        } = app;
        World {
            _dir,
            template: path,
            admin,
            cw_a,
            cw_a2,
            sup_a,
            cw_b,
            sup_b,
            ha,
            member,
            need,
            plan,
            action,
            occurrence,
            scheduled_visit,
            draft,
            draft_action,
            draft_need,
            submitted,
            returned,
            partner,
            service,
            campaign,
        }
    })
}

/// A fresh copy of the world, opened like any database.
fn copy_of(w: &World) -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("yihu.db");
    std::fs::copy(&w.template, &path).expect("copy");
    let conn = db::open(&path).expect("open the copy");
    App {
        _dir: dir,
        path,
        conn,
        today: date("2026-03-02"),
        admin: w.admin.clone(),
    }
}

fn actor(w: &World, r: Role) -> Option<&str> {
    match r {
        Role::Nobody => None,
        Role::Admin => Some(&w.admin),
        Role::CwA => Some(&w.cw_a),
        Role::CwA2 => Some(&w.cw_a2),
        Role::SupA => Some(&w.sup_a),
        Role::CwB => Some(&w.cw_b),
        Role::SupB => Some(&w.sup_b),
    }
}

/// Every command with the policy and a request that succeeds for whoever may run it.
fn cases(w: &World) -> Vec<(&'static str, Who, Reach, bool, Value)> {
    let household = json!({"division_code": CHEMEN, "address": "车门乡 1 组 1 号", "causes": ["illness"],
        "referral_source": "screening", "consent_on": "2026-03-02", "caseworker_id": w.cw_a, "priority": "high"});
    let action = json!({"title": "送米面油", "category": "living_costs", "need_ids": [w.draft_need],
        "start_on": "2026-03-11"});
    use Reach::*;
    use Who::*;
    vec![
        (
            "division.children",
            Anyone,
            Nothing,
            false,
            json!({"parent_code": SIHONG}),
        ),
        (
            "division.get",
            Anyone,
            Nothing,
            false,
            json!({"code": CHEMEN}),
        ),
        (
            "division.search",
            Anyone,
            Nothing,
            false,
            json!({"q": "车门"}),
        ),
        (
            "division.add_village",
            Staff,
            AsArea,
            true,
            json!({"township_code": CHEMEN, "name": "新村"}),
        ),
        ("session.candidates", Anyone, Nothing, false, json!({})),
        (
            "staff.create",
            Admin,
            Nothing,
            true,
            json!({"name": "新社工", "role": "caseworker", "division_code": CHEMEN}),
        ),
        (
            "staff.update",
            Admin,
            Nothing,
            true,
            json!({"id": w.cw_a2, "staff": {"name": "乙社工", "role": "caseworker", "division_code": CHEMEN}, "active": true}),
        ),
        ("staff.list", Staff, Nothing, false, json!({})),
        ("staff.get", Staff, Nothing, false, json!({"id": w.cw_a})),
        (
            "partner.create",
            Manager,
            Nothing,
            true,
            json!({"name": "爱心企业", "kind": "enterprise"}),
        ),
        (
            "partner.update",
            Manager,
            Nothing,
            true,
            json!({"id": w.partner, "partner": {"name": "县医院", "kind": "hospital"}, "active": true}),
        ),
        ("partner.list", Staff, Nothing, false, json!({})),
        (
            "service.create",
            Manager,
            Nothing,
            true,
            json!({"name": "心理疏导", "category": "psychological"}),
        ),
        (
            "service.update",
            Manager,
            Nothing,
            true,
            json!({"id": w.service, "service": {"name": "上门助浴", "category": "daily_care"}, "active": true}),
        ),
        ("service.list", Staff, Nothing, false, json!({})),
        ("settings.get", Staff, Nothing, false, json!({})),
        (
            "holiday.list",
            Staff,
            Nothing,
            false,
            json!({"from_year": 2025, "to_year": 2027}),
        ),
        (
            "holiday.set",
            Manager,
            Nothing,
            true,
            json!({"year": 2027, "kind": "summer", "starts_on": "2027-07-03", "ends_on": "2027-08-31"}),
        ),
        (
            "holiday.reset",
            Manager,
            Nothing,
            true,
            json!({"year": 2027, "kind": "summer"}),
        ),
        (
            "settings.update",
            Admin,
            Nothing,
            true,
            json!({"cadence_days": {"high": 7, "medium": 30, "low": 90}, "occurrence_horizon_days": 90}),
        ),
        (
            "household.create",
            Case,
            AsArea,
            true,
            json!({"division_code": CHEMEN, "address": "车门乡 9 组", "causes": ["disaster"],
            "referral_source": "self", "priority": "low"}),
        ),
        (
            "household.update",
            Case,
            AsHousehold,
            true,
            json!({"id": w.ha, "household": household}),
        ),
        (
            "household.transition",
            Case,
            AsHousehold,
            true,
            json!({"id": w.ha, "to": "monitoring"}),
        ),
        (
            "household.get",
            Case,
            AsHousehold,
            false,
            json!({"id": w.ha}),
        ),
        (
            "household.list",
            Case,
            Listing,
            false,
            json!({"limit": 500}),
        ),
        (
            "member.add",
            Case,
            AsHousehold,
            true,
            json!({"household_id": w.ha, "member": {"name": "测试儿子", "relation": "son", "sex": "male", "birth_date": "2012-01-01"}}),
        ),
        (
            "member.update",
            Case,
            AsHousehold,
            true,
            json!({"id": w.member, "member": {"name": "测试女儿", "relation": "daughter", "sex": "female", "birth_date": "2010-05-01"}}),
        ),
        (
            "member.reveal",
            Case,
            AsHousehold,
            true,
            json!({"id": w.member}),
        ),
        (
            "member.remove",
            Case,
            AsHousehold,
            true,
            json!({"id": w.member, "reason": "moved_out"}),
        ),
        (
            "need.add",
            Case,
            AsHousehold,
            true,
            json!({"household_id": w.ha, "category": "education", "description": "学费", "priority": "medium"}),
        ),
        (
            "need.update",
            Case,
            AsHousehold,
            true,
            json!({"id": w.need, "need": {"category": "daily_care", "description": "需要照料", "priority": "high"}}),
        ),
        (
            "need.set_status",
            Case,
            AsHousehold,
            true,
            json!({"id": w.need, "to": "in_progress"}),
        ),
        (
            "plan.create_draft",
            Case,
            AsHousehold,
            true,
            json!({"household_id": w.ha, "goals": "修订"}),
        ),
        (
            "plan.update",
            Case,
            AsHousehold,
            true,
            json!({"id": w.draft, "goals": "新的目标"}),
        ),
        (
            "plan.submit",
            Case,
            AsHousehold,
            true,
            json!({"id": w.draft}),
        ),
        (
            "plan.approve",
            Supervisor,
            AsHousehold,
            true,
            json!({"id": w.submitted, "comment": "同意"}),
        ),
        (
            "plan.return",
            Supervisor,
            AsHousehold,
            true,
            json!({"id": w.submitted, "comment": "请补充"}),
        ),
        (
            "plan.revise",
            Case,
            AsHousehold,
            true,
            json!({"id": w.returned}),
        ),
        ("plan.get", Case, AsHousehold, false, json!({"id": w.plan})),
        (
            "plan.list",
            Case,
            AsHousehold,
            false,
            json!({"household_id": w.ha}),
        ),
        (
            "plan.diff",
            Case,
            AsHousehold,
            false,
            json!({"from_id": w.plan, "to_id": w.plan}),
        ),
        (
            "plan.review_queue",
            Supervisor,
            AsArea,
            false,
            json!({"division_code": SIHONG}),
        ),
        (
            "action.add",
            Case,
            AsHousehold,
            true,
            json!({"plan_id": w.draft, "action": action}),
        ),
        (
            "action.update",
            Case,
            AsHousehold,
            true,
            json!({"id": w.draft_action, "action": action}),
        ),
        (
            "action.remove",
            Case,
            AsHousehold,
            true,
            json!({"id": w.draft_action}),
        ),
        (
            "action.set_status",
            Case,
            AsHousehold,
            true,
            json!({"id": w.action, "to": "completed"}),
        ),
        (
            "action.preview",
            Staff,
            Nothing,
            false,
            json!({"recurrence": {"freq": "weekly", "weekdays": ["sat"]}, "start_on": "2026-03-07", "n": 3}),
        ),
        (
            "occurrence.generate",
            Case,
            AsHousehold,
            true,
            json!({"household_id": w.ha, "through": "2026-06-30"}),
        ),
        (
            "occurrence.list",
            Case,
            AsHousehold,
            false,
            json!({"household_id": w.ha}),
        ),
        (
            "occurrence.record",
            Case,
            AsHousehold,
            true,
            json!({"id": w.occurrence, "status": "done", "done_on": "2026-03-02"}),
        ),
        (
            "occurrence.record_many",
            Case,
            AsHousehold,
            true,
            json!({"action_id": w.action, "from": "2026-02-01", "to": "2026-03-02", "status": "done"}),
        ),
        (
            "visit.schedule",
            Case,
            AsHousehold,
            true,
            json!({"household_id": w.ha, "scheduled_on": "2026-03-20"}),
        ),
        (
            "visit.log",
            Case,
            AsHousehold,
            true,
            json!({"household_id": w.ha, "notes": "电话回访", "kind": "phone_call"}),
        ),
        (
            "visit.set_outcome",
            Case,
            AsHousehold,
            true,
            json!({"id": w.scheduled_visit, "to": "cancelled", "note": "改期"}),
        ),
        (
            "visit.list",
            Case,
            AsHousehold,
            false,
            json!({"household_id": w.ha}),
        ),
        (
            "visit.reveal_notes",
            Case,
            AsHousehold,
            true,
            json!({"household_id": w.ha}),
        ),
        (
            "followup.caseworker",
            Case,
            AsHousehold,
            false,
            json!({"caseworker_id": w.cw_a}),
        ),
        (
            "followup.division",
            Supervisor,
            AsArea,
            false,
            json!({"division_code": SIHONG}),
        ),
        (
            "campaign.create",
            Case,
            AsArea,
            true,
            json!({"name": "春节慰问", "kind": "visit", "due_on": "2027-02-01", "title": "入户慰问",
                "category": "living_costs", "cohort": {"division_code": CHEMEN}}),
        ),
        ("campaign.list", Case, Listing, false, json!({})),
        ("reminder.list", Case, Listing, false, json!({})),
        (
            "campaign.get",
            Case,
            AsHousehold,
            false,
            json!({"id": w.campaign}),
        ),
        (
            "campaign.record",
            Case,
            AsHousehold,
            true,
            json!({"campaign_id": w.campaign, "household_id": w.ha, "status": "done"}),
        ),
        (
            "festival.upcoming",
            Staff,
            Nothing,
            false,
            json!({"days": 60}),
        ),
        (
            "dashboard.get",
            Case,
            AsArea,
            false,
            json!({"division_code": CHEMEN, "period": {"from": "2026-02-01", "to": "2026-03-02"}}),
        ),
        (
            "audit.list",
            Staff,
            AsHousehold,
            false,
            json!({"household_id": w.ha}),
        ),
    ]
}

/// The extra listings: the same commands without a named household.
fn listings(w: &World) -> Vec<(&'static str, Who, Value)> {
    let _ = w;
    vec![
        ("audit.list", Who::Staff, json!({"limit": 1000})),
        (
            "occurrence.generate",
            Who::Case,
            json!({"through": "2026-06-30"}),
        ),
    ]
}

fn role_may(who: Who, r: Role) -> bool {
    use Role::*;
    match who {
        Who::Anyone => true,
        Who::Staff => r != Nobody,
        Who::Case => matches!(r, CwA | CwA2 | SupA | CwB | SupB),
        Who::Supervisor => matches!(r, SupA | SupB),
        Who::Manager => matches!(r, SupA | SupB | Admin),
        Who::Admin => r == Admin,
    }
}

/// None: allowed; Some(code): refused with it.
fn expected(who: Who, reach: Reach, r: Role) -> Option<&'static str> {
    if r == Role::Nobody && who != Who::Anyone {
        return Some("auth.actor.required");
    }
    if !role_may(who, r) {
        return Some("auth.forbidden");
    }
    let in_scope = match reach {
        Reach::Nothing | Reach::Listing => true,
        Reach::AsHousehold => matches!(r, Role::CwA | Role::SupA),
        Reach::AsArea => matches!(r, Role::CwA | Role::CwA2 | Role::SupA | Role::Admin),
    };
    if in_scope {
        None
    } else {
        Some("auth.out_of_scope")
    }
}

/// Run one attempt; returns a description of what went wrong, if anything.
fn attempt(
    w: &World,
    shared: &mut App,
    name: &str,
    writes: bool,
    body: &Value,
    r: Role,
    want: Option<&str>,
) -> Option<String> {
    let who = actor(w, r);
    let mut fresh;
    let app = if writes && want.is_none() {
        fresh = copy_of(w);
        &mut fresh
    } else {
        &mut *shared
    };
    let before = app.snapshot();
    let got = app.call(who, name, body.clone());
    let changed = app.snapshot() != before;
    match (want, got) {
        (None, Ok(_)) if !writes && changed => {
            Some(format!("{name} as {r:?}: a read changed rows"))
        }
        (None, Ok(_)) => None,
        (None, Err(e)) => Some(format!(
            "{name} as {r:?}: refused with {} ({})",
            e.code, e.message
        )),
        (Some(code), Ok(v)) => {
            let v: String = v.to_string().chars().take(160).collect();
            Some(format!("{name} as {r:?}: allowed, expected {code}: {v}"))
        }
        (Some(code), Err(e)) if e.code != code => Some(format!(
            "{name} as {r:?}: {} ({}), expected {code}",
            e.code, e.message
        )),
        (Some(_), Err(_)) if changed => Some(format!("{name} as {r:?}: refused but rows changed")),
        (Some(_), Err(_)) => None,
    }
}

#[test]
fn every_command_as_every_role_in_and_out_of_scope() {
    let w = world();
    let table = cases(w);
    // Every command of the registry has its row, and no row names a command that is not there.
    let mut named: Vec<&str> = table.iter().map(|c| c.0).collect();
    named.sort();
    let mut registry: Vec<&str> = yihu::api::commands().iter().map(|c| c.name).collect();
    registry.sort();
    assert_eq!(named, registry, "the matrix and the registry disagree");

    let mut shared = copy_of(w);
    let mut failures = Vec::new();
    let mut tried = 0;
    for (name, who, reach, writes, body) in &table {
        for r in ROLES {
            tried += 1;
            let want = expected(*who, *reach, r);
            if let Some(f) = attempt(w, &mut shared, name, *writes, body, r, want) {
                failures.push(f);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {tried} attempts went wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(tried, table.len() * ROLES.len());
}

#[test]
fn listings_show_a_household_only_to_those_in_scope() {
    let w = world();
    let mut failures = Vec::new();
    let mut rows: Vec<(&str, Who, Value)> = listings(w);
    rows.push(("household.list", Who::Case, json!({"limit": 500})));
    rows.push((
        "household.list",
        Who::Case,
        json!({"q": "测试户主", "limit": 500}),
    ));
    rows.push((
        "household.list",
        Who::Case,
        json!({"division_code": CHEMEN, "limit": 500}),
    ));
    for (name, who, body) in rows {
        for r in ROLES {
            let want = expected(who, Reach::Listing, r);
            let mut app = copy_of(w);
            let got = app.call(actor(w, r), name, body.clone());
            match (want, got) {
                (None, Ok(v)) => {
                    let text = v.to_string();
                    // occurrence.generate answers with counts: it must have created A's
                    // household's rows only for those in scope.
                    let shows = if name == "occurrence.generate" {
                        v["created"].as_u64().unwrap_or(0) > 0
                    } else {
                        text.contains(&w.ha)
                    };
                    let should = matches!(r, Role::CwA | Role::SupA);
                    if shows != should {
                        failures.push(format!(
                            "{name} {body} as {r:?}: A's household {} but should{} be",
                            if shows { "is there" } else { "is missing" },
                            if should { "" } else { " not" }
                        ));
                    }
                }
                (None, Err(e)) => failures.push(format!("{name} {body} as {r:?}: {e:?}")),
                (Some(code), Err(e)) if e.code == code => {}
                (Some(code), other) => failures.push(format!(
                    "{name} {body} as {r:?}: {other:?}, expected {code}"
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
