//! The command surface: every operation a user can do, by name (`entity.verb`), with a typed
//! request and response. The CLI, the desktop shell and the tests all come through
//! [`dispatch`]; nothing else writes to the database. Each call runs in one transaction
//! (`BEGIN IMMEDIATE` for writes) together with its audit rows, so it happens whole or not at all.

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
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

mod registry;
pub use registry::{check_examples, command_schemas, command_types, commands, dispatch};
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
