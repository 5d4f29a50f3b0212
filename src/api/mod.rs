//! The command surface: every operation a user can do, by name (`entity.verb`), with a typed
//! request and response. The CLI, the desktop shell and the tests all come through
//! [`dispatch`]; nothing else writes to the database. Each call runs in one transaction
//! (`BEGIN IMMEDIATE` for writes) together with its audit rows, so it happens whole or not at all.

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use crate::types::Role;

pub mod action;
pub mod audit;
pub mod bindings;
pub mod campaign;
pub mod campaign_item;
pub mod drill;
pub mod followup;
pub mod holiday;
pub mod holiday_calendar;
pub mod household;
pub mod household_detail;
pub mod household_filter;
pub mod household_list;
pub mod insight;
pub mod ledger;
pub mod member;
pub mod need;
pub mod occurrence;
pub mod patch;
pub mod plan;
pub mod plan_diff;
pub mod plan_version;
pub mod reference;
pub mod reminder;
pub mod reminder_list;
pub mod schema;
pub use schema::CommandInfo;
pub mod search_index;
pub mod shared;
pub mod visit;

/// Who may run a command, by role (scope — which households — is checked by `check_scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Any active staff member.
    Staff,
    /// Caseworkers and supervisors: case records, each within the actor's scope (a caseworker's
    /// own households in their division, a supervisor's division subtree). Administrators keep
    /// the system, not the cases, and see no case record.
    Case,
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
                ErrorCode::AuthActorRequired,
                "say which staff member is acting (--as STAFF_ID)",
            )
        })
    }

    /// An SQL condition on the household table aliased `alias`: the households the actor may
    /// see (none for an administrator or no actor). Ids and division codes are UUIDs and digits,
    /// checked here before they are written into the SQL.
    pub fn household_scope_sql(&self, alias: &str) -> String {
        let Some(a) = &self.actor else {
            return "0".into();
        };
        if !a.division_code.bytes().all(|b| b.is_ascii_digit()) {
            return "0".into();
        }
        let (lo, hi) = crate::validate::subtree_range(&a.division_code);
        let area = format!("{alias}.division_code >= '{lo}' AND {alias}.division_code < '{hi}'");
        match a.role {
            Role::Supervisor => format!("({area})"),
            Role::Caseworker => format!("({area} AND {alias}.caseworker_id = '{}')", a.id),
            Role::Admin => "0".into(),
        }
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
            ErrorCode::AuthActorInactive,
            "this staff member is deactivated",
        )),
        Err(rusqlite::Error::QueryReturnedNoRows) => Err(ApiError::new(
            ErrorCode::AuthActorUnknown,
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
                ErrorCode::AuthActorRequired,
                "say which staff member is acting (--as STAFF_ID)",
            ));
        }
        (None, _) => {
            return Err(ApiError::new(
                ErrorCode::AuthActorRequired,
                "say which staff member is acting (--as STAFF_ID)",
            ));
        }
        (Some(a), _) => a.role,
    };
    let allowed = match access {
        Access::Staff => true,
        Access::Case => matches!(role, Role::Caseworker | Role::Supervisor),
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

/// The case records (or the area) a command touches, named by its request. `run` checks each
/// against the actor's scope before the handler runs; listings filter by
/// [`Env::household_scope_sql`] instead.
#[derive(Debug, Clone)]
pub enum Target {
    /// No case record: reference data, previews, or a listing that filters itself.
    None,
    Household(Uuid),
    Member(Uuid),
    Need(Uuid),
    Plan(Uuid),
    Action(Uuid),
    Occurrence(Uuid),
    Visit(Uuid),
    /// A campaign: in scope when one of its households is.
    Campaign(Uuid),
    /// Where a new or changed household is placed and who is assigned to it.
    Placement {
        division_code: String,
        caseworker_id: Option<Uuid>,
    },
    /// Where a changed household will be: its placement now with what a patch names put over
    /// it (`None`: unchanged), checked as a [`Target::Placement`].
    Moved {
        household_id: Uuid,
        division_code: Option<String>,
        caseworker_id: Option<Option<Uuid>>,
    },
    /// A division the actor asks about or adds to: inside their own subtree.
    Division(String),
    /// A caseworker whose caseload the actor asks about.
    Caseworker(Uuid),
    Both(Box<Target>, Box<Target>),
}

impl Target {
    pub fn both(a: Target, b: Target) -> Target {
        Target::Both(Box::new(a), Box::new(b))
    }

    pub fn household_opt(id: Option<Uuid>) -> Target {
        id.map_or(Target::None, Target::Household)
    }
}

fn out_of_scope() -> ApiError {
    ApiError::new(
        ErrorCode::AuthOutOfScope,
        "this record is outside your area or your caseload",
    )
}

/// Is a household of `division_code` assigned to `caseworker_id` within `actor`'s scope?
fn household_in_scope(actor: &Actor, division_code: &str, caseworker_id: Option<&str>) -> bool {
    let in_area = division_code.starts_with(actor.division_code.as_str());
    match actor.role {
        Role::Supervisor => in_area,
        Role::Caseworker => in_area && caseworker_id == Some(actor.id.to_string().as_str()),
        Role::Admin => false,
    }
}

fn check_scope(tx: &Transaction, actor: Option<&Actor>, target: &Target) -> ApiResult<()> {
    let Some(actor) = actor else {
        return match target {
            Target::None => Ok(()),
            _ => Err(ApiError::new(
                ErrorCode::AuthActorRequired,
                "say which staff member is acting (--as STAFF_ID)",
            )),
        };
    };
    let via = |table: &str, id: &Uuid| -> ApiResult<()> {
        let sql = if table == "household" {
            "SELECT division_code, caseworker_id FROM household WHERE id = ?1".to_string()
        } else {
            format!(
                "SELECT h.division_code, h.caseworker_id FROM {table} x
                 JOIN household h ON h.id = x.household_id WHERE x.id = ?1"
            )
        };
        let row: Option<(String, Option<String>)> = tx
            .query_row(&sql, [id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            // Not there: the handler says so with its own not-found error.
            None => Ok(()),
            Some((d, c)) if household_in_scope(actor, &d, c.as_deref()) => Ok(()),
            Some(_) => Err(out_of_scope()),
        }
    };
    let staff_division = |id: &Uuid| -> ApiResult<Option<String>> {
        Ok(tx
            .query_row(
                "SELECT division_code FROM staff WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?)
    };
    let in_area = |code: &str| code.starts_with(actor.division_code.as_str());
    match target {
        Target::None => Ok(()),
        Target::Household(id) => via("household", id),
        Target::Member(id) => via("member", id),
        Target::Need(id) => via("need", id),
        Target::Plan(id) => via("plan_version", id),
        Target::Action(id) => via("action", id),
        Target::Occurrence(id) => via("occurrence", id),
        Target::Visit(id) => via("visit", id),
        Target::Campaign(id) => {
            // In scope when any of its lines is (stops at the first); an unknown campaign is
            // the handler's to refuse.
            let mut st = tx.prepare_cached(
                "SELECT h.division_code, h.caseworker_id FROM campaign_item i
                 JOIN household h ON h.id = i.household_id WHERE i.campaign_id = ?1",
            )?;
            let mut rows = st.query([id.to_string()])?;
            let mut any = false;
            while let Some(r) = rows.next()? {
                any = true;
                let (d, c): (String, Option<String>) = (r.get(0)?, r.get(1)?);
                if household_in_scope(actor, &d, c.as_deref()) {
                    return Ok(());
                }
            }
            if any { Err(out_of_scope()) } else { Ok(()) }
        }
        Target::Placement {
            division_code,
            caseworker_id,
        } => {
            // A place that is not a township or village, or staff that does not exist, is the
            // handler's to refuse at its field (nothing is written either way).
            let placeable: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM division WHERE code = ?1 AND level IN ('township', 'village'))",
                [division_code],
                |r| r.get(0),
            )?;
            if !placeable {
                return Ok(());
            }
            let ok = match actor.role {
                Role::Admin => false,
                Role::Caseworker => {
                    in_area(division_code)
                        && match caseworker_id {
                            None => true,
                            Some(c) => *c == actor.id || staff_division(c)?.is_none(),
                        }
                }
                Role::Supervisor => {
                    in_area(division_code)
                        && match caseworker_id {
                            None => true,
                            Some(c) => staff_division(c)?.is_none_or(|d| in_area(&d)),
                        }
                }
            };
            if ok { Ok(()) } else { Err(out_of_scope()) }
        }
        Target::Division(code) => {
            // An unknown or malformed code is the handler's to refuse at its field.
            let known: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM division WHERE code = ?1)",
                [code],
                |r| r.get(0),
            )?;
            if !known || in_area(code) {
                Ok(())
            } else {
                Err(out_of_scope())
            }
        }
        Target::Caseworker(id) => {
            let ok = match actor.role {
                Role::Admin => false,
                // Unknown staff: the handler reports it at the field.
                Role::Caseworker => *id == actor.id || staff_division(id)?.is_none(),
                Role::Supervisor => staff_division(id)?.is_none_or(|d| in_area(&d)),
            };
            if ok { Ok(()) } else { Err(out_of_scope()) }
        }
        Target::Both(a, b) => {
            check_scope(tx, Some(actor), a)?;
            check_scope(tx, Some(actor), b)
        }
        Target::Moved {
            household_id,
            division_code,
            caseworker_id,
        } => {
            if division_code.is_none() && caseworker_id.is_none() {
                return Ok(());
            }
            let now: Option<(String, Option<String>)> = tx
                .query_row(
                    "SELECT division_code, caseworker_id FROM household WHERE id = ?1",
                    [household_id.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            // An unknown household is the handler's to refuse at its field.
            let Some((d, c)) = now else { return Ok(()) };
            let placement = Target::Placement {
                division_code: division_code.clone().unwrap_or(d),
                caseworker_id: match caseworker_id {
                    Some(new) => *new,
                    None => c.and_then(|c| Uuid::parse_str(&c).ok()),
                },
            };
            check_scope(tx, Some(actor), &placement)
        }
    }
}

/// Authorise an operation that is not a registry command because it works on the file rather
/// than in a transaction (backups, restore): the same actor loading and role rules as
/// [`dispatch`].
pub fn authorise_file_operation(conn: &mut Connection, ctx: &Ctx, access: Access) -> ApiResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
    let actor = load_actor(&tx, ctx)?;
    authorise(&tx, actor.as_ref(), access)?;
    tx.rollback()?;
    Ok(())
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
            ErrorCode::RequestMalformed,
            format!("the request is not valid JSON: {msg}"),
        )
    })?;
    if !value.is_object() {
        return Err(ApiError::new(
            ErrorCode::RequestMalformed,
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
            ErrorCode::RequestFieldMissing,
            join(&name),
            format!("{} is required", join(&name)),
        );
    }
    if let Some(name) = msg.strip_prefix("unknown field ").and_then(quoted) {
        return ApiError::at(
            ErrorCode::RequestFieldUnknown,
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
            ErrorCode::ValidationDateInvalid,
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
            ErrorCode::RequestFieldInvalidValue,
            field.clone(),
            format!("{field} must be {expected}"),
        );
    }
    if msg.contains("UUID") {
        return ApiError::at(
            ErrorCode::RequestFieldType,
            field.clone(),
            format!("{field} is not a valid id"),
        );
    }
    ApiError::at(
        ErrorCode::RequestFieldType,
        field.clone(),
        format!("{field} has the wrong type: expected {expected}"),
    )
}

pub type Handler<Req, Resp> = for<'a> fn(&Env<'a>, Req) -> ApiResult<Resp>;

/// What a request touches (see [`Target`]).
pub type Scope<Req> = fn(&Req) -> Target;

#[allow(clippy::too_many_arguments)]
fn run<Req: DeserializeOwned, Resp: Serialize>(
    conn: &mut Connection,
    ctx: &Ctx,
    name: &'static str,
    access: Access,
    writes: bool,
    body: &str,
    scope: Scope<Req>,
    handler: Handler<Req, Resp>,
) -> ApiResult<Value> {
    let req: Req = parse_request(body)?;
    let resp = run_typed(conn, ctx, name, access, writes, req, scope, handler)?;
    Ok(serde_json::to_value(&resp)?)
}

/// Run a handler on a typed request in one transaction: actor, authorisation, scope, commit.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_typed<Req, Resp>(
    conn: &mut Connection,
    ctx: &Ctx,
    name: &'static str,
    access: Access,
    writes: bool,
    req: Req,
    scope: Scope<Req>,
    handler: Handler<Req, Resp>,
) -> ApiResult<Resp> {
    let behaviour = if writes {
        TransactionBehavior::Immediate
    } else {
        TransactionBehavior::Deferred
    };
    let tx = conn.transaction_with_behavior(behaviour)?;
    let actor = load_actor(&tx, ctx)?;
    authorise(&tx, actor.as_ref(), access)?;
    check_scope(&tx, actor.as_ref(), &scope(&req))?;
    let env = Env {
        tx: &tx,
        ctx,
        actor,
        command: name,
    };
    let resp = handler(&env, req)?;
    drop(env);
    tx.commit()?;
    Ok(resp)
}

/// Write a ledger (Excel or CSV) as the context's actor: like a command (role, scope, one
/// transaction with its audit row), but typed, because the destination comes from the CLI or
/// the desktop shell's save dialog and never from a JSON request. The files appear under their
/// final names only once the audit row is committed.
pub fn export_ledger(
    conn: &mut Connection,
    ctx: &Ctx,
    job: ledger::LedgerJob,
) -> ApiResult<ledger::LedgerWritten> {
    let finals = ledger::files(job.request.kind, job.request.format, &job.out);
    let parts: Vec<_> = finals.iter().map(|p| ledger::part_path(p)).collect();
    let started = std::time::SystemTime::now();
    let result = run_typed(
        conn,
        ctx,
        "export.ledger",
        Access::Case,
        true,
        job,
        |j| {
            j.request
                .division_code
                .clone()
                .map_or(Target::None, Target::Division)
        },
        ledger::ledger_export,
    );
    if result.is_err() {
        for (part, last) in parts.iter().zip(&finals) {
            let _ = std::fs::remove_file(part);
            // Put in place by this export (its last step) but not recorded: the commit failed.
            let ours = std::fs::symlink_metadata(last)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= started);
            if ours {
                let _ = std::fs::remove_file(last);
            }
        }
    }
    result
}

macro_rules! commands {
    ($( $name:literal => $handler:path, $req:ty, $access:ident, $writes:literal, $scope:expr, $example:expr; )+) => {
        /// Run the command `name` with a JSON request body and return its JSON response.
        pub fn dispatch(conn: &mut Connection, ctx: &Ctx, name: &str, body: &str) -> ApiResult<Value> {
            match name {
                $( $name => run::<$req, _>(conn, ctx, $name, Access::$access, $writes, body, $scope, $handler), )+
                _ => Err(ApiError::at(ErrorCode::CommandUnknown, "command", format!("there is no command named {name:?}"))),
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

        /// The request and response JSON Schema of every command, in the order of `commands()`.
        pub fn command_schemas(s: &mut schema::Schemas) -> Vec<(&'static str, Value, Value)> {
            vec![$( { let (req, resp) = s.command::<$req, _>($handler); ($name, req, resp) }, )+]
        }

        /// Parse each command's example request into its request type (used by the tests).
        pub fn check_examples() -> Vec<(&'static str, ApiError)> {
            let mut bad = Vec::new();
            $( if let Err(e) = parse_request::<$req>(&$example.to_string()) { bad.push(($name, e)); } )+
            bad
        }
    };
}

use action as ac;
use audit as au;
use campaign as cp;
use followup as fu;
use holiday as hol;
use household as hh;
use household_detail as hd;
use household_filter as hf;
use household_list as hl;
use insight as ins;
use member as mb;
use need as nd;
use occurrence as oc;
use plan as pl;
use plan_diff as pd;
use reference as rf;
use reminder_list as rl;
use visit as vi;

const ID: &str = "0190a0b0-0000-7000-8000-000000000001";
const ID2: &str = "0190a0b0-0000-7000-8000-000000000002";

commands! {
    "division.children" => rf::division_children, rf::DivisionChildren, Anyone, false, |_| Target::None, json!({"parent_code": "321324"});
    "division.get" => rf::division_get, rf::DivisionGet, Anyone, false, |_| Target::None, json!({"code": "321324203"});
    "division.search" => rf::division_search, rf::DivisionSearch, Anyone, false, |_| Target::None, json!({"q": "车门", "under": "32"});
    "division.add_village" => rf::division_add_village, rf::DivisionAddVillage, Staff, true, |r| Target::Division(r.township_code.clone()), json!({"township_code": "321324203", "name": "车门社区"});
    "staff.create" => rf::staff_create, rf::StaffInput, Bootstrap, true, |_| Target::None, json!({"name": "林小红", "role": "caseworker", "division_code": "321324203", "phone": "13800000000"});
    "staff.update" => rf::staff_update, rf::StaffUpdate, Admin, true, |_| Target::None, json!({"id": ID, "staff": {"name": "林小红", "role": "caseworker", "division_code": "321324203"}, "active": true});
    "staff.list" => rf::staff_list, rf::StaffList, Staff, false, |_| Target::None, json!({"role": "caseworker"});
    "session.candidates" => rf::session_candidates, rf::Empty, Anyone, false, |_| Target::None, json!({});
    "staff.get" => rf::staff_get, rf::ById, Staff, false, |_| Target::None, json!({"id": ID});
    "partner.create" => rf::partner_create, rf::PartnerInput, Manager, true, |_| Target::None, json!({"name": "县第三人民医院", "kind": "hospital", "contact_name": "王医生", "phone": "0527-80000000"});
    "partner.update" => rf::partner_update, rf::PartnerUpdate, Manager, true, |_| Target::None, json!({"id": ID, "partner": {"name": "县第三人民医院", "kind": "hospital"}, "active": true});
    "partner.list" => rf::partner_list, rf::ActiveFilter, Staff, false, |_| Target::None, json!({"include_inactive": false});
    "service.create" => rf::service_create, rf::ServiceInput, Manager, true, |_| Target::None, json!({"name": "志愿者上门助浴", "category": "daily_care", "unit": "次"});
    "service.update" => rf::service_update, rf::ServiceUpdate, Manager, true, |_| Target::None, json!({"id": ID, "service": {"name": "志愿者上门助浴", "category": "daily_care"}, "active": true});
    "service.list" => rf::service_list, rf::ActiveFilter, Staff, false, |_| Target::None, json!({});
    "settings.get" => rf::settings_get, rf::Empty, Staff, false, |_| Target::None, json!({});
    "holiday.list" => hol::holiday_list, hol::HolidayList, Staff, false, |_| Target::None, json!({"from_year": 2022, "to_year": 2027});
    "holiday.set" => hol::holiday_set, hol::HolidaySet, Manager, true, |_| Target::None, json!({"year": 2027, "kind": "winter", "starts_on": "2027-01-23", "ends_on": "2027-02-21"});
    "holiday.reset" => hol::holiday_reset, hol::HolidayReset, Manager, true, |_| Target::None, json!({"year": 2027, "kind": "winter"});
    "settings.update" => rf::settings_update, rf::SettingsPatch, Admin, true, |_| Target::None, json!({"cadence_days": {"high": 7, "medium": 30, "low": 90}, "occurrence_horizon_days": 90, "idle_lock_minutes": 15});

    "household.create" => hh::household_create, hh::HouseholdInput, Case, true, |r| Target::Placement { division_code: r.division_code.clone(), caseworker_id: r.caseworker_id }, json!({
        "division_code": "321324203", "address": "车门社区 3 组 12 号", "phone": "13900000000",
        "causes": ["illness", "disability"], "supports": [{"kind": "dibao", "monthly_fen": 60000}],
        "referral_source": "screening", "priority": "high"});
    "household.update" => hh::household_update, hh::HouseholdUpdate, Case, true, |r| Target::both(Target::Household(r.id), Target::Moved { household_id: r.id, division_code: r.household.division_code.clone(), caseworker_id: r.household.caseworker_id }), json!({"id": ID, "household": {
        "division_code": "321324203", "address": "车门社区 3 组 12 号",
        "causes": ["illness"], "supports": [], "referral_source": "screening", "priority": "medium"}});
    "household.transition" => hh::household_transition, hh::HouseholdTransition, Case, true, |r| Target::Household(r.id), json!({"id": ID, "to": "assessing"});
    "household.get" => hd::household_get, rf::ById, Case, false, |r| Target::Household(r.id), json!({"id": ID});
    "household.list" => hl::household_list, hf::HouseholdQuery, Case, false, |_| Target::None, json!({"q": "wj", "status": ["active"], "division_code": "3213", "sort": "case_no", "limit": 50});
    "member.add" => mb::member_add, mb::MemberInput, Case, true, |r| Target::Household(r.household_id), json!({"household_id": ID, "member": {
        "name": "林秀英", "relation": "head", "sex": "female", "birth_date": "1980-03-05",
        "id_number": "32132419800305002X", "is_primary_carer": true}});
    "member.update" => mb::member_update, mb::MemberUpdate, Case, true, |r| Target::Member(r.id), json!({"id": ID, "member": {
        "name": "林秀英", "relation": "head", "sex": "female", "birth_date": "1980-03-05"}});
    "member.reveal" => mb::member_reveal, rf::ById, Case, true, |r| Target::Member(r.id), json!({"id": ID});
    "member.remove" => mb::member_remove, mb::MemberRemove, Case, true, |r| Target::Member(r.id), json!({"id": ID, "reason": "moved_out"});

    "need.add" => nd::need_add, nd::NeedInput, Case, true, |r| Target::Household(r.household_id), json!({"household_id": ID, "member_id": ID2, "category": "medical", "description": "丈夫需要住院治疗", "priority": "high"});
    "need.update" => nd::need_update, nd::NeedUpdate, Case, true, |r| Target::Need(r.id), json!({"id": ID, "need": {"category": "medical", "description": "丈夫需要住院治疗", "priority": "high"}});
    "need.set_status" => nd::need_set_status, nd::NeedSetStatus, Case, true, |r| Target::Need(r.id), json!({"id": ID, "to": "in_progress"});
    "plan.create_draft" => pl::plan_create_draft, pl::PlanCreate, Case, true, |r| Target::Household(r.household_id), json!({"household_id": ID, "goals": "稳定丈夫病情；保障孩子照护与学业"});
    "plan.update" => pl::plan_update, pl::PlanUpdate, Case, true, |r| Target::Plan(r.id), json!({"id": ID, "goals": "稳定丈夫病情"});
    "plan.submit" => pl::plan_submit, rf::ById, Case, true, |r| Target::Plan(r.id), json!({"id": ID});
    "plan.approve" => pl::plan_approve, pl::PlanApproval, Supervisor, true, |r| Target::Plan(r.id), json!({"id": ID, "comment": "同意"});
    "plan.return" => pl::plan_return, pl::PlanDecision, Supervisor, true, |r| Target::Plan(r.id), json!({"id": ID, "comment": "请补充女儿学费减免的负责人"});
    "plan.revise" => pl::plan_revise, rf::ById, Case, true, |r| Target::Plan(r.id), json!({"id": ID});
    "plan.get" => pl::plan_get, rf::ById, Case, false, |r| Target::Plan(r.id), json!({"id": ID});
    "plan.list" => pl::plan_list, pl::ByHousehold, Case, false, |r| Target::Household(r.household_id), json!({"household_id": ID});
    "plan.diff" => pd::plan_diff, pd::PlanDiffReq, Case, false, |r| Target::both(Target::Plan(r.from_id), Target::Plan(r.to_id)), json!({"from_id": ID, "to_id": ID2});
    "plan.review_queue" => pl::plan_review_queue, pl::ReviewQueue, Supervisor, false, |r| r.division_code.clone().map_or(Target::None, Target::Division), json!({"division_code": "321324"});
    "action.add" => ac::action_add, ac::ActionInput, Case, true, |r| Target::Plan(r.plan_id), json!({"plan_id": ID, "action": {
        "title": "志愿者每周上门助浴、讲故事", "category": "daily_care", "need_ids": [ID2],
        "provider_name": "车门社区志愿者服务队", "responsible_name": "赵志愿",
        "recurrence": {"freq": "weekly", "interval": 1, "weekdays": ["sat"]}, "start_on": "2026-01-10"}});
    "action.update" => ac::action_update, ac::ActionUpdate, Case, true, |r| Target::Action(r.id), json!({"id": ID, "action": {
        "title": "企业每月资助女儿 500 元", "category": "education", "need_ids": [ID2],
        "amount_fen": 50000, "recurrence": {"freq": "monthly", "month_day": 1}, "start_on": "2026-02-01"}});
    "action.remove" => ac::action_remove, rf::ById, Case, true, |r| Target::Action(r.id), json!({"id": ID});
    "action.set_status" => ac::action_set_status, ac::ActionSetStatus, Case, true, |r| Target::Action(r.id), json!({"id": ID, "to": "completed"});
    "action.preview" => ac::action_preview, ac::ActionPreview, Staff, false, |_| Target::None, json!({"recurrence": {"freq": "weekly", "weekdays": ["sat"]}, "start_on": "2026-01-10", "n": 5});
    "occurrence.generate" => oc::occurrence_generate, oc::OccurrenceGenerate, Case, true, |r| Target::household_opt(r.household_id), json!({"household_id": ID});
    "occurrence.list" => oc::occurrence_list, oc::OccurrenceQuery, Case, false, |r| Target::Household(r.household_id), json!({"household_id": ID, "from": "2026-01-01", "to": "2026-03-31"});
    "occurrence.record" => oc::occurrence_record, oc::OccurrenceRecord, Case, true, |r| Target::Occurrence(r.id), json!({"id": ID, "status": "done", "done_on": "2026-01-10", "note": "已助浴"});
    "occurrence.record_many" => oc::occurrence_record_many, oc::OccurrenceRecordMany, Case, true, |r| Target::Action(r.action_id), json!({"action_id": ID, "from": "2026-01-01", "to": "2026-01-31", "status": "done"});

    "visit.schedule" => vi::visit_schedule, vi::VisitSchedule, Case, true, |r| Target::Household(r.household_id), json!({"household_id": ID, "scheduled_on": "2026-02-01", "kind": "home_visit"});
    "visit.log" => vi::visit_log, vi::VisitLog, Case, true, |r| Target::both(Target::Household(r.household_id), r.visit_id.flatten().map_or(Target::None, Target::Visit)), json!({
        "household_id": ID, "visited_on": "2026-01-10", "kind": "home_visit", "members_seen": [ID2],
        "notes": "孩子精神好转", "occurrences_delivered": [], "next_visit_on": "2026-01-17"});
    "visit.set_outcome" => vi::visit_set_outcome, vi::VisitOutcome, Case, true, |r| Target::Visit(r.id), json!({"id": ID, "to": "not_at_home", "note": "家中无人"});
    "visit.reveal_notes" => vi::visit_reveal_notes, vi::VisitQuery, Case, true, |r| Target::Household(r.household_id), json!({"household_id": ID, "limit": 20});
    "visit.list" => vi::visit_list, vi::VisitQuery, Case, false, |r| Target::Household(r.household_id), json!({"household_id": ID, "limit": 20});
    "followup.caseworker" => fu::followup_caseworker, fu::FollowupCaseworker, Case, false, |r| r.caseworker_id.map_or(Target::None, Target::Caseworker), json!({"caseworker_id": ID, "within_days": 7});
    "followup.division" => fu::followup_division, fu::FollowupDivision, Supervisor, false, |r| Target::Division(r.division_code.clone()), json!({"division_code": "321324", "within_days": 7});

    "reminder.list" => rl::reminder_list, rl::ReminderQuery, Case, false, |r| r.division_code.clone().map_or(Target::None, Target::Division), json!({"limit": 50});
    "festival.upcoming" => cp::festival_upcoming, cp::FestivalQuery, Staff, false, |_| Target::None, json!({"days": 60});
    "campaign.create" => cp::campaign_create, cp::CampaignInput, Case, true, |r| r.cohort.division_code.clone().map_or(Target::None, Target::Division), json!({
        "name": "2027 年春节慰问", "kind": "delivery", "festival": "spring_festival", "due_on": "2027-02-01",
        "title": "米、面、油各一份", "category": "living_costs", "amount_fen": 100000,
        "cohort": {"division_code": "321324203", "causes": ["illness"], "priority": ["high"]}});
    "campaign.list" => cp::campaign_list, cp::CampaignList, Case, false, |r| r.division_code.clone().map_or(Target::None, Target::Division), json!({"include_finished": false});
    "campaign.get" => cp::campaign_get, cp::CampaignGet, Case, false, |r| Target::Campaign(r.id), json!({"id": ID, "status": "pending", "limit": 100});
    "campaign.record" => cp::campaign_record, cp::CampaignRecord, Case, true, |r| Target::both(Target::Campaign(r.campaign_id), Target::Household(r.household_id)), json!({"campaign_id": ID, "household_id": ID2, "status": "done", "done_on": "2027-02-01"});
    "dashboard.get" => ins::dashboard_get, ins::DashboardQuery, Case, false, |r| r.division_code.clone().map_or(Target::None, Target::Division), json!({"division_code": "321324", "period": {"from": "2026-09-01", "to": "2026-11-28"}});

    "audit.list" => au::audit_list, au::AuditQuery, Staff, false, |r| Target::household_opt(r.household_id), json!({"household_id": ID, "limit": 50});
}
