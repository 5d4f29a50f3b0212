//! The command surface: every operation a user can do, by name (`entity.verb`), with a typed
//! request and response. The CLI, the desktop shell and the tests all come through
//! [`dispatch`]; nothing else writes to the database. Each call runs in one transaction
//! (`BEGIN IMMEDIATE` for writes) together with its audit rows, so it happens whole or not at all.

use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::types::Role;

pub mod audit;
pub mod bindings;
pub mod case;
pub mod household;
pub mod reference;
pub mod visit;

/// Who may run a command, by role. Division scope (a caseworker only sees their own
/// households) is not enforced yet: it arrives with sign-in and roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Any active staff member.
    Staff,
    /// Supervisors (plan review).
    Supervisor,
    /// Supervisors and administrators (service menu, partners).
    Manager,
    /// Administrators (staff, settings).
    Admin,
    /// Administrators, or anyone while no staff exists yet (creating the first administrator).
    Bootstrap,
    /// No actor needed: the national division tree (public reference data) and the "who is
    /// working" picker (until sign-in replaces it).
    Anyone,
}

/// The acting staff member, loaded once per command.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Uuid,
    pub role: Role,
    pub division_code: String,
}

/// What a handler gets: the open transaction, the clock, the actor and the command's name.
pub struct Env<'a> {
    pub tx: &'a Transaction<'a>,
    pub ctx: &'a Ctx,
    pub actor: Option<Actor>,
    pub command: &'static str,
}

impl Env<'_> {
    /// The acting staff member; every write has one (except bootstrapping the first admin).
    pub fn actor(&self) -> ApiResult<&Actor> {
        self.actor.as_ref().ok_or_else(|| {
            ApiError::new(
                "auth.actor.required",
                "say which staff member is acting (--as STAFF_ID)",
            )
        })
    }

    pub fn actor_id(&self) -> Option<String> {
        self.actor.as_ref().map(|a| a.id.to_string())
    }

    pub fn now(&self) -> String {
        self.ctx.timestamp()
    }

    /// A fresh primary key (from the context's seeded generator when it has one).
    pub fn new_id(&self) -> String {
        self.ctx.new_id()
    }

    /// Append one audit row (same transaction as the change it records).
    pub fn audit<B: Serialize, A: Serialize>(
        &self,
        entity_type: &str,
        entity_id: &str,
        household_id: Option<&str>,
        before: Option<&B>,
        after: Option<&A>,
    ) -> ApiResult<()> {
        let before = before.map(serde_json::to_string).transpose()?;
        let after = after.map(serde_json::to_string).transpose()?;
        let (at, actor) = (self.now(), self.actor_id());
        crate::audit_chain::append(
            self.tx,
            &crate::audit_chain::Entry {
                at: &at,
                actor_id: actor.as_deref(),
                command: self.command,
                entity_type,
                entity_id,
                household_id,
                before_json: before.as_deref(),
                after_json: after.as_deref(),
            },
        )
    }
}

/// One entry of `yihu commands`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CommandInfo {
    pub name: &'static str,
    pub access: Access,
    pub writes: bool,
    pub request_type: &'static str,
    pub example: Value,
}

fn load_actor(tx: &Transaction, ctx: &Ctx) -> ApiResult<Option<Actor>> {
    let Some(id) = ctx.actor else { return Ok(None) };
    let row = tx.query_row(
        "SELECT role, division_code, active FROM staff WHERE id = ?1",
        [id.to_string()],
        |r| {
            Ok((
                r.get::<_, Role>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
            ))
        },
    );
    match row {
        Ok((role, division_code, true)) => Ok(Some(Actor {
            id,
            role,
            division_code,
        })),
        Ok((_, _, false)) => Err(ApiError::new(
            "auth.actor.inactive",
            "this staff member is deactivated",
        )),
        Err(rusqlite::Error::QueryReturnedNoRows) => Err(ApiError::new(
            "auth.actor.unknown",
            "no staff member with this id",
        )),
        Err(e) => Err(e.into()),
    }
}

fn authorise(tx: &Transaction, actor: Option<&Actor>, access: Access) -> ApiResult<()> {
    let role = match (actor, access) {
        (_, Access::Anyone) => return Ok(()),
        (None, Access::Bootstrap) => {
            let staff: i64 = tx.query_row("SELECT count(*) FROM staff", [], |r| r.get(0))?;
            if staff == 0 {
                return Ok(());
            }
            return Err(ApiError::new(
                "auth.actor.required",
                "say which staff member is acting (--as STAFF_ID)",
            ));
        }
        (None, _) => {
            return Err(ApiError::new(
                "auth.actor.required",
                "say which staff member is acting (--as STAFF_ID)",
            ));
        }
        (Some(a), _) => a.role,
    };
    let allowed = match access {
        Access::Staff => true,
        Access::Supervisor => role == Role::Supervisor,
        Access::Manager => matches!(role, Role::Supervisor | Role::Admin),
        Access::Admin | Access::Bootstrap => role == Role::Admin,
        Access::Anyone => true,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!("a {role} may not do this")))
    }
}

/// Parse a request body, turning serde's complaints into coded errors that name the field.
pub fn parse_request<T: DeserializeOwned>(body: &str) -> ApiResult<T> {
    let body = if body.trim().is_empty() { "{}" } else { body };
    // Syntax first, so a broken body is never mistaken for a field error.
    let value: Value = serde_json::from_str(body).map_err(|e| {
        let full = e.to_string();
        let msg = full
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string();
        ApiError::new(
            "request.malformed",
            format!("the request is not valid JSON: {msg}"),
        )
    })?;
    if !value.is_object() {
        return Err(ApiError::new(
            "request.malformed",
            "the request must be a JSON object",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(request_error)
}

fn request_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let full = e.inner().to_string();
    let msg = full.split(" at line ").next().unwrap_or_default();
    let join = |name: &str| -> String {
        if path == "." || path.is_empty() {
            name.to_string()
        } else if path.ends_with(name) {
            path.clone()
        } else {
            format!("{path}.{name}")
        }
    };
    let quoted = |m: &str| m.split('`').nth(1).map(str::to_string);
    if let Some(name) = msg.strip_prefix("missing field ").and_then(quoted) {
        return ApiError::at(
            "request.field.missing",
            join(&name),
            format!("{} is required", join(&name)),
        );
    }
    if let Some(name) = msg.strip_prefix("unknown field ").and_then(quoted) {
        return ApiError::at(
            "request.field.unknown",
            join(&name),
            format!("{} is not a known field", join(&name)),
        );
    }
    let field = if path == "." {
        "request".to_string()
    } else {
        path.clone()
    };
    const DATE_ERRORS: [&str; 6] = [
        "input is out of range",
        "input contains invalid characters",
        "premature end of input",
        "trailing input",
        "no possible date and time matching input",
        "input is not enough for unique date and time",
    ];
    if DATE_ERRORS.iter().any(|d| msg.contains(d)) {
        return ApiError::at(
            "validation.date.invalid",
            field.clone(),
            format!("{field} is not a real date (YYYY-MM-DD)"),
        );
    }
    // Say what was expected, never echo the value sent (it may be an ID number or a note).
    let expected = msg
        .split_once("expected ")
        .map(|(_, e)| e.to_string())
        .unwrap_or_else(|| "another type".to_string());
    if msg.starts_with("unknown variant") {
        return ApiError::at(
            "request.field.invalid_value",
            field.clone(),
            format!("{field} must be {expected}"),
        );
    }
    if msg.contains("UUID") {
        return ApiError::at(
            "request.field.type",
            field.clone(),
            format!("{field} is not a valid id"),
        );
    }
    ApiError::at(
        "request.field.type",
        field.clone(),
        format!("{field} has the wrong type: expected {expected}"),
    )
}

pub type Handler<Req, Resp> = for<'a> fn(&Env<'a>, Req) -> ApiResult<Resp>;

fn run<Req: DeserializeOwned, Resp: Serialize>(
    conn: &mut Connection,
    ctx: &Ctx,
    name: &'static str,
    access: Access,
    writes: bool,
    body: &str,
    handler: Handler<Req, Resp>,
) -> ApiResult<Value> {
    let req: Req = parse_request(body)?;
    let behaviour = if writes {
        TransactionBehavior::Immediate
    } else {
        TransactionBehavior::Deferred
    };
    let tx = conn.transaction_with_behavior(behaviour)?;
    let actor = load_actor(&tx, ctx)?;
    authorise(&tx, actor.as_ref(), access)?;
    let env = Env {
        tx: &tx,
        ctx,
        actor,
        command: name,
    };
    let resp = handler(&env, req)?;
    let value = serde_json::to_value(&resp)?;
    drop(env);
    tx.commit()?;
    Ok(value)
}

macro_rules! commands {
    ($( $name:literal => $handler:path, $req:ty, $access:ident, $writes:literal, $example:expr; )+) => {
        /// Run the command `name` with a JSON request body and return its JSON response.
        pub fn dispatch(conn: &mut Connection, ctx: &Ctx, name: &str, body: &str) -> ApiResult<Value> {
            match name {
                $( $name => run::<$req, _>(conn, ctx, $name, Access::$access, $writes, body, $handler), )+
                _ => Err(ApiError::at("command.unknown", "command", format!("there is no command named {name:?}"))),
            }
        }

        /// Every command, with who may run it and an example request.
        pub fn commands() -> Vec<CommandInfo> {
            vec![$( CommandInfo {
                name: $name,
                access: Access::$access,
                writes: $writes,
                request_type: stringify!($req),
                example: $example,
            }, )+]
        }

        /// (name, request type, response type) of every command, exporting their bindings.
        pub fn command_types(ex: &mut bindings::Exporter) -> Vec<(&'static str, String, String)> {
            vec![$( { let (req, resp) = ex.command::<$req, _>($handler); ($name, req, resp) }, )+]
        }

        /// Parse each command's example request into its request type (used by the tests).
        pub fn check_examples() -> Vec<(&'static str, ApiError)> {
            let mut bad = Vec::new();
            $( if let Err(e) = parse_request::<$req>(&$example.to_string()) { bad.push(($name, e)); } )+
            bad
        }
    };
}

use audit as au;
use case as ca;
use household as hh;
use reference as rf;
use visit as vi;

const ID: &str = "0190a0b0-0000-7000-8000-000000000001";
const ID2: &str = "0190a0b0-0000-7000-8000-000000000002";

commands! {
    "division.children" => rf::division_children, rf::DivisionChildren, Anyone, false, json!({"parent_code": "321324"});
    "division.get" => rf::division_get, rf::DivisionGet, Anyone, false, json!({"code": "321324203"});
    "division.search" => rf::division_search, rf::DivisionSearch, Anyone, false, json!({"q": "车门", "under": "32"});
    "division.add_village" => rf::division_add_village, rf::DivisionAddVillage, Staff, true, json!({"township_code": "321324203", "name": "车门社区"});
    "staff.create" => rf::staff_create, rf::StaffInput, Bootstrap, true, json!({"name": "林小红", "role": "caseworker", "division_code": "321324203", "phone": "13800000000"});
    "staff.update" => rf::staff_update, rf::StaffUpdate, Admin, true, json!({"id": ID, "staff": {"name": "林小红", "role": "caseworker", "division_code": "321324203"}, "active": true});
    "staff.list" => rf::staff_list, rf::StaffList, Staff, false, json!({"role": "caseworker"});
    "session.candidates" => rf::session_candidates, rf::Empty, Anyone, false, json!({});
    "staff.get" => rf::staff_get, rf::ById, Staff, false, json!({"id": ID});
    "partner.create" => rf::partner_create, rf::PartnerInput, Manager, true, json!({"name": "县第三人民医院", "kind": "hospital", "contact_name": "王医生", "phone": "0527-80000000"});
    "partner.update" => rf::partner_update, rf::PartnerUpdate, Manager, true, json!({"id": ID, "partner": {"name": "县第三人民医院", "kind": "hospital"}, "active": true});
    "partner.list" => rf::partner_list, rf::ActiveFilter, Staff, false, json!({"include_inactive": false});
    "service.create" => rf::service_create, rf::ServiceInput, Manager, true, json!({"name": "志愿者上门助浴", "category": "daily_care", "unit": "次"});
    "service.update" => rf::service_update, rf::ServiceUpdate, Manager, true, json!({"id": ID, "service": {"name": "志愿者上门助浴", "category": "daily_care"}, "active": true});
    "service.list" => rf::service_list, rf::ActiveFilter, Staff, false, json!({});
    "settings.get" => rf::settings_get, rf::Empty, Staff, false, json!({});
    "settings.update" => rf::settings_update, rf::Settings, Admin, true, json!({"cadence_days": {"high": 7, "medium": 30, "low": 90}, "occurrence_horizon_days": 90});

    "household.create" => hh::household_create, hh::HouseholdInput, Staff, true, json!({
        "division_code": "321324203", "address": "车门社区 3 组 12 号", "phone": "13900000000",
        "causes": ["illness", "disability"], "supports": [{"kind": "dibao", "monthly_fen": 60000}],
        "referral_source": "screening", "priority": "high"});
    "household.update" => hh::household_update, hh::HouseholdUpdate, Staff, true, json!({"id": ID, "household": {
        "division_code": "321324203", "address": "车门社区 3 组 12 号",
        "causes": ["illness"], "supports": [], "referral_source": "screening", "priority": "medium"}});
    "household.transition" => hh::household_transition, hh::HouseholdTransition, Staff, true, json!({"id": ID, "to": "assessing"});
    "household.get" => hh::household_get, rf::ById, Staff, false, json!({"id": ID});
    "household.list" => hh::household_list, hh::HouseholdQuery, Staff, false, json!({"q": "wj", "status": ["active"], "division_code": "3213", "sort": "case_no", "limit": 50});
    "member.add" => hh::member_add, hh::MemberInput, Staff, true, json!({"household_id": ID, "member": {
        "name": "林秀英", "relation": "head", "sex": "female", "birth_date": "1980-03-05",
        "id_number": "32132419800305002X", "is_primary_carer": true}});
    "member.update" => hh::member_update, hh::MemberUpdate, Staff, true, json!({"id": ID, "member": {
        "name": "林秀英", "relation": "head", "sex": "female", "birth_date": "1980-03-05"}});
    "member.remove" => hh::member_remove, hh::MemberRemove, Staff, true, json!({"id": ID, "reason": "moved_out"});

    "need.add" => ca::need_add, ca::NeedInput, Staff, true, json!({"household_id": ID, "member_id": ID2, "category": "medical", "description": "丈夫需要住院治疗", "priority": "high"});
    "need.update" => ca::need_update, ca::NeedUpdate, Staff, true, json!({"id": ID, "need": {"category": "medical", "description": "丈夫需要住院治疗", "priority": "high"}});
    "need.set_status" => ca::need_set_status, ca::NeedSetStatus, Staff, true, json!({"id": ID, "to": "in_progress"});
    "plan.create_draft" => ca::plan_create_draft, ca::PlanCreate, Staff, true, json!({"household_id": ID, "goals": "稳定丈夫病情；保障孩子照护与学业"});
    "plan.update" => ca::plan_update, ca::PlanUpdate, Staff, true, json!({"id": ID, "goals": "稳定丈夫病情"});
    "plan.submit" => ca::plan_submit, rf::ById, Staff, true, json!({"id": ID});
    "plan.approve" => ca::plan_approve, ca::PlanDecision, Supervisor, true, json!({"id": ID, "comment": "同意"});
    "plan.return" => ca::plan_return, ca::PlanDecision, Supervisor, true, json!({"id": ID, "comment": "请补充女儿学费减免的负责人"});
    "plan.revise" => ca::plan_revise, rf::ById, Staff, true, json!({"id": ID});
    "plan.get" => ca::plan_get, rf::ById, Staff, false, json!({"id": ID});
    "plan.list" => ca::plan_list, ca::ByHousehold, Staff, false, json!({"household_id": ID});
    "plan.diff" => ca::plan_diff, ca::PlanDiffReq, Staff, false, json!({"from_id": ID, "to_id": ID2});
    "plan.review_queue" => ca::plan_review_queue, ca::ReviewQueue, Staff, false, json!({"division_code": "321324"});
    "action.add" => ca::action_add, ca::ActionInput, Staff, true, json!({"plan_id": ID, "action": {
        "title": "志愿者每周上门助浴、讲故事", "category": "daily_care", "need_ids": [ID2],
        "provider_name": "车门社区志愿者服务队", "responsible_name": "赵志愿",
        "recurrence": {"freq": "weekly", "interval": 1, "weekdays": ["sat"]}, "start_on": "2026-01-10"}});
    "action.update" => ca::action_update, ca::ActionUpdate, Staff, true, json!({"id": ID, "action": {
        "title": "企业每月资助女儿 500 元", "category": "education", "need_ids": [ID2],
        "amount_fen": 50000, "recurrence": {"freq": "monthly", "month_day": 1}, "start_on": "2026-02-01"}});
    "action.remove" => ca::action_remove, rf::ById, Staff, true, json!({"id": ID});
    "action.set_status" => ca::action_set_status, ca::ActionSetStatus, Staff, true, json!({"id": ID, "to": "completed"});
    "action.preview" => ca::action_preview, ca::ActionPreview, Staff, false, json!({"recurrence": {"freq": "weekly", "weekdays": ["sat"]}, "start_on": "2026-01-10", "n": 5});
    "occurrence.generate" => ca::occurrence_generate, ca::OccurrenceGenerate, Staff, true, json!({"household_id": ID});
    "occurrence.list" => ca::occurrence_list, ca::OccurrenceQuery, Staff, false, json!({"household_id": ID, "from": "2026-01-01", "to": "2026-03-31"});
    "occurrence.record" => ca::occurrence_record, ca::OccurrenceRecord, Staff, true, json!({"id": ID, "status": "done", "done_on": "2026-01-10", "note": "已助浴"});

    "visit.schedule" => vi::visit_schedule, vi::VisitSchedule, Staff, true, json!({"household_id": ID, "scheduled_on": "2026-02-01", "kind": "home_visit"});
    "visit.log" => vi::visit_log, vi::VisitLog, Staff, true, json!({
        "household_id": ID, "visited_on": "2026-01-10", "kind": "home_visit", "members_seen": [ID2],
        "notes": "孩子精神好转", "occurrences_delivered": [], "next_visit_on": "2026-01-17"});
    "visit.set_outcome" => vi::visit_set_outcome, vi::VisitOutcome, Staff, true, json!({"id": ID, "to": "not_at_home", "note": "家中无人"});
    "visit.list" => vi::visit_list, vi::VisitQuery, Staff, false, json!({"household_id": ID, "limit": 20});
    "followup.caseworker" => vi::followup_caseworker, vi::FollowupCaseworker, Staff, false, json!({"caseworker_id": ID, "within_days": 7});
    "followup.division" => vi::followup_division, vi::FollowupDivision, Staff, false, json!({"division_code": "321324", "within_days": 7});

    "audit.list" => au::audit_list, au::AuditQuery, Staff, false, json!({"household_id": ID, "limit": 50});
}
