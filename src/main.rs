//! The `yihu` command line: call any command of the surface, list them, build demo data, and
//! check a database file. Output is JSON on stdout; errors are `{code, message, field}` JSON on
//! stderr with a non-zero exit.

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use yihu::ErrorCode;

use chrono::NaiveDate;
use clap::Parser;
use uuid::Uuid;
use yihu::account::{Credential, Purpose};
use yihu::keyring::DbKey;
use yihu::{ApiError, Ctx, account, api, check, db, demo, vault};

mod cli_args;
use cli_args::{AuditCmd, Cli, Cmd};

/// Print to stdout; a closed pipe (`yihu call ... | head`) is not an error worth a panic.
fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
}

fn fail(e: &ApiError) -> ExitCode {
    let json = serde_json::to_string(e).unwrap_or_else(|_| format!("{{\"code\":\"{}\"}}", e.code));
    eprintln!("{json}");
    ExitCode::from(1)
}

fn parse_today(arg: Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    match arg.or_else(|| std::env::var("YIHU_TODAY").ok().filter(|s| !s.is_empty())) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                ApiError::at(
                    ErrorCode::ValidationDateInvalid,
                    "today",
                    "today must be a date YYYY-MM-DD",
                )
            }),
    }
}

/// The acting staff member from `--as` or `YIHU_AS`.
fn parse_actor(as_staff: Option<String>) -> Result<Option<Uuid>, ApiError> {
    match as_staff.or_else(|| std::env::var("YIHU_AS").ok().filter(|s| !s.is_empty())) {
        None => Ok(None),
        Some(s) => Uuid::parse_str(s.trim()).map(Some).map_err(|_| {
            ApiError::at(ErrorCode::RequestFieldType, "as", "--as must be a staff id")
        }),
    }
}

/// One line of `yihu batch`: `{"command": "...", "request": {...}}`; the command's name and
/// its response.
fn batch_line(
    conn: &mut rusqlite::Connection,
    ctx: &Ctx,
    line: &str,
) -> Result<(String, serde_json::Value), ApiError> {
    let v: serde_json::Value = serde_json::from_str(line).map_err(|_| {
        ApiError::new(
            ErrorCode::RequestMalformed,
            "each line must be a JSON object {\"command\": ..., \"request\": {...}}",
        )
    })?;
    let command = v["command"].as_str().ok_or_else(|| {
        ApiError::at(
            ErrorCode::RequestFieldMissing,
            "command",
            "command is required",
        )
    })?;
    let request = match &v["request"] {
        serde_json::Value::Null => "{}".to_string(),
        r => r.to_string(),
    };
    Ok((
        command.to_string(),
        api::dispatch(conn, ctx, command, &request)?,
    ))
}

/// An environment variable's value, if set and not empty.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|s| !s.is_empty())
}

/// The database key for `path` from the environment, if the database is encrypted, for
/// `purpose` — by the core's one rule of who may open it for what ([`account::open_with`]):
/// with `--as`, only that person's own passphrase; a temporary passphrase only to change it;
/// the recovery code never to act.
fn cli_key(
    path: &std::path::Path,
    actor: Option<Uuid>,
    purpose: Purpose,
) -> Result<Option<DbKey>, ApiError> {
    match vault::protection(path) {
        vault::Protection::Missing | vault::Protection::Plain => return Ok(None),
        vault::Protection::KeyringMissing => return Err(vault::keyring_missing()),
        vault::Protection::Encrypted => {}
    }
    let (code, passphrase) = (env("YIHU_RECOVERY_CODE"), env("YIHU_PASSPHRASE"));
    let credential = match (&code, &passphrase, actor) {
        (Some(code), _, None) => Credential::RecoveryCode(code),
        (Some(_), _, Some(_)) => return Err(recovery_cannot_act()),
        (None, Some(passphrase), Some(staff_id)) => Credential::Staff {
            staff_id,
            passphrase,
        },
        (None, Some(passphrase), None) => Credential::AnyStaff(passphrase),
        (None, None, _) => {
            return Err(ApiError::new(
                ErrorCode::AuthPassphraseRequired,
                "this database is encrypted: set $YIHU_PASSPHRASE (the --as staff member's passphrase), or $YIHU_RECOVERY_CODE",
            ));
        }
    };
    account::open_with(path, &credential, purpose).map(Some)
}

fn recovery_cannot_act() -> ApiError {
    ApiError::new(
        ErrorCode::AuthRecoveryCodeCannotAct,
        "the recovery code acts as nobody: leave out --as (it only gives an administrator a new passphrase)",
    )
}

/// The `--as` administrator a file-level command needs (checked to be one by the caller).
fn required_actor(as_staff: Option<String>) -> Result<Uuid, ApiError> {
    parse_actor(as_staff)?.ok_or_else(|| {
        ApiError::at(
            ErrorCode::RequestFieldMissing,
            "as",
            "--as (an administrator) is required",
        )
    })
}

/// A passphrase from the environment variable `var`, refused at `field` when not set.
fn required_env(var: &str, field: &str, what: &str) -> Result<String, ApiError> {
    env(var).ok_or_else(|| {
        ApiError::at(
            ErrorCode::RequestFieldMissing,
            field,
            format!("set ${var} to {what}"),
        )
    })
}

/// Open the database at `path` for `purpose`, with its key when it is encrypted.
fn open_db(
    path: &std::path::Path,
    actor: Option<Uuid>,
    purpose: Purpose,
) -> Result<(rusqlite::Connection, Option<DbKey>), ApiError> {
    let key = cli_key(path, actor, purpose)?;
    Ok((db::open_keyed(path, key.as_ref())?, key))
}

/// After the commands of one run: the audit trail's head anchored in the keyring, and — if
/// someone was deactivated — the database key rotated (with every connection closed).
fn finish(
    path: &Path,
    conn: rusqlite::Connection,
    key: Option<DbKey>,
    ctx: &Ctx,
) -> Result<(), ApiError> {
    account::anchor_trail(&conn, false)?;
    drop(conn);
    if let Some(key) = key {
        account::rotate_key_watched(path, ctx, &key, &show_progress)?;
    }
    Ok(())
}

/// A key rotation's progress on a terminal (one line, rewritten); nothing when stderr is
/// a file or a pipe (scripts read only the JSON on stdout).
fn show_progress(p: yihu::progress::Progress) {
    use std::io::{IsTerminal, Write};
    use yihu::progress::Step;
    let mut err = std::io::stderr();
    if !err.is_terminal() {
        return;
    }
    let line = match p.step {
        Step::Copying => format!(
            "rotating the database key: copying {} %",
            (p.done_bytes * 100).checked_div(p.total_bytes).unwrap_or(0)
        ),
        Step::Checking => "rotating the database key: checking the copy".into(),
        Step::Sealing => "rotating the database key: sealing the keyring".into(),
        Step::Done => String::new(),
    };
    let _ = write!(err, "\r\x1b[2K{line}");
    if p.step == Step::Done {
        let _ = writeln!(err);
    }
    let _ = err.flush();
}

/// Open the database at `path` to read it as it is (`check`, `audit verify`): nothing is
/// written, not even an upgrade.
fn open_as_is(path: &Path, actor: Option<Uuid>) -> Result<rusqlite::Connection, ApiError> {
    let key = cli_key(path, actor, Purpose::Read)?;
    db::open_as_is(path, key.as_ref())
}

/// The context of a command run from the command line on `conn`: the actor, and "today"
/// moved if asked — on a demo database only; the clock of every timestamp (the audit trail's)
/// is never moved.
fn context(
    conn: &rusqlite::Connection,
    actor: Option<Uuid>,
    today: Option<NaiveDate>,
) -> Result<Ctx, ApiError> {
    match today {
        Some(d) => {
            demo::require_demo(conn).map_err(|e| at_flag(e, "today", "today"))?;
            Ok(Ctx::moved(actor, d))
        }
        None => Ok(Ctx::system(actor)),
    }
}

/// A field error of the core, renamed to the command-line flag that carries it.
fn at_flag(e: ApiError, field: &str, flag: &str) -> ApiError {
    if e.field.as_deref() == Some(field) {
        e.with_field(flag)
    } else {
        e
    }
}

fn list_commands(json: bool) -> Result<(), ApiError> {
    if json {
        out(&serde_json::to_string_pretty(&api::schema::describe())?);
    } else {
        for c in api::commands() {
            out(&format!(
                "{:<22} {:<10} {}  {}",
                c.name,
                format!("{:?}", c.access).to_lowercase(),
                c.summary,
                c.example
            ));
        }
    }
    Ok(())
}

fn batch(path: &Path, as_staff: Option<String>, today: Option<String>) -> Result<(), ApiError> {
    let actor = parse_actor(as_staff)?;
    let today = parse_today(today)?;
    let (mut conn, key) = open_db(path, actor, Purpose::Act)?;
    let last = context(&conn, actor, today)?;
    let mut failed = 0usize;
    let mut line_no = 0usize;
    for line in std::io::stdin().lock().lines() {
        line_no += 1;
        let line = line.map_err(|e| {
            ApiError::new(
                ErrorCode::RequestMalformed,
                format!("cannot read stdin: {e}"),
            )
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let ctx = context(&conn, actor, today)?;
        let printed = match batch_line(&mut conn, &ctx, &line) {
            Ok((_, v)) => serde_json::json!({"line": line_no, "ok": true, "response": v}),
            Err(e) => {
                failed += 1;
                serde_json::json!({"line": line_no, "ok": false, "error": e})
            }
        };
        out(&printed.to_string());
    }
    finish(path, conn, key, &last)?;
    if failed == 0 {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::BatchFailed,
            format!("{failed} command(s) failed"),
        ))
    }
}

fn call(
    path: &Path,
    as_staff: Option<String>,
    command: &str,
    json: Option<&str>,
    today: Option<String>,
) -> Result<(), ApiError> {
    let actor = parse_actor(as_staff)?;
    let body = match json {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                ApiError::new(
                    ErrorCode::RequestMalformed,
                    format!("cannot read stdin: {e}"),
                )
            })?;
            s
        }
        Some(s) => s.to_string(),
        None => "{}".to_string(),
    };
    let (mut conn, key) = open_db(path, actor, Purpose::Act)?;
    let ctx = context(&conn, actor, parse_today(today)?)?;
    let result = api::dispatch(&mut conn, &ctx, command, &body)?;
    out(&serde_json::to_string_pretty(&result)?);
    finish(path, conn, key, &ctx)
}

struct ExportArgs {
    kind: String,
    division: Option<String>,
    from: Option<String>,
    to: Option<String>,
    out: PathBuf,
    format: String,
    reveal: bool,
    today: Option<String>,
}

fn export(path: &Path, as_staff: Option<String>, a: ExportArgs) -> Result<(), ApiError> {
    let actor = parse_actor(as_staff)?;
    // The request is checked by the core like any other (field names and all).
    let period = match (a.from, a.to) {
        (None, None) => serde_json::Value::Null,
        (from, to) => serde_json::json!({"from": from, "to": to}),
    };
    let request = serde_json::json!({
        "kind": a.kind, "division_code": a.division, "period": period,
        "format": a.format, "reveal": a.reveal,
    });
    let request: yihu::api::ledger::LedgerRequest = api::parse_request(&request.to_string())?;
    let (mut conn, _) = open_db(path, actor, Purpose::Act)?;
    let ctx = context(&conn, actor, parse_today(a.today)?)?;
    let written = api::export_ledger(
        &mut conn,
        &ctx,
        yihu::api::ledger::LedgerJob {
            request,
            out: a.out,
        },
    )?;
    account::anchor_trail(&conn, false)?;
    out(&serde_json::to_string_pretty(&written)?);
    Ok(())
}

fn make_demo(
    path: &Path,
    households: u32,
    seed: u64,
    today: Option<String>,
    encrypt: bool,
) -> Result<(), ApiError> {
    let options = demo::Options {
        households,
        seed,
        today: parse_today(today)?.unwrap_or_else(|| Ctx::system(None).today),
    };
    let started = std::time::Instant::now();
    let (summary, code) = demo::build_file(path, &options, encrypt)?;
    let mut result = serde_json::to_value(&summary)?;
    result["seconds"] =
        serde_json::json!((started.elapsed().as_secs_f64() * 100.0).round() / 100.0);
    result["db"] = serde_json::json!(path.display().to_string());
    if let Some(code) = code {
        result["passphrase"] = serde_json::json!(vault::DEMO_PASSPHRASE);
        result["recovery_code"] = serde_json::json!(code.as_str());
    }
    out(&serde_json::to_string_pretty(&result)?);
    Ok(())
}

fn encrypt(path: &Path, as_staff: Option<String>) -> Result<(), ApiError> {
    let actor = required_actor(as_staff)?;
    let passphrase = required_env(
        "YIHU_PASSPHRASE",
        "passphrase",
        "the administrator's new passphrase",
    )?;
    let (_, code) = account::encrypt(
        path,
        &Ctx::system(Some(actor)),
        actor,
        &passphrase,
        account::Via::Passphrase,
    )
    .map_err(|e| at_flag(e, "staff_id", "as"))?;
    out(&serde_json::to_string_pretty(&serde_json::json!({
        "db": path.display().to_string(),
        "keyring": yihu::keyring::path_for(path).display().to_string(),
        "recovery_code": code.as_str(),
    }))?);
    Ok(())
}

fn passphrase(path: &Path, as_staff: Option<String>, staff: &str) -> Result<(), ApiError> {
    let target = Uuid::parse_str(staff.trim()).map_err(|_| {
        ApiError::at(
            ErrorCode::RequestFieldType,
            "staff",
            "--staff must be a staff id",
        )
    })?;
    let new = required_env(
        "YIHU_NEW_PASSPHRASE",
        "new_passphrase",
        "the new passphrase",
    )?;
    if vault::protection(path) != vault::Protection::Encrypted {
        return Err(ApiError::new(
            ErrorCode::AuthNotEncrypted,
            "this database is not encrypted; run yihu encrypt first",
        ));
    }
    let actor = parse_actor(as_staff)?;
    let at_staff = |e| at_flag(e, "staff_id", "staff");
    let done = |temporary: bool, via: &str| {
        out(&serde_json::to_string_pretty(
            &serde_json::json!({"staff": target, "temporary": temporary, "via": via}),
        )?);
        Ok(())
    };
    // The recovery code: an administrator's new passphrase, recorded as theirs through it.
    if let Some(code) = env("YIHU_RECOVERY_CODE") {
        if actor.is_some() {
            return Err(recovery_cannot_act());
        }
        let key = account::open_with(
            path,
            &Credential::RecoveryCode(&code),
            Purpose::ResetAdministrator,
        )?;
        let mut conn = db::open_keyed(path, Some(&key))?;
        account::recover(&mut conn, &Ctx::system(Some(target)), &key, &new).map_err(at_staff)?;
        return done(false, "recovery_code");
    }
    let actor = actor.ok_or_else(|| {
        ApiError::at(
            ErrorCode::RequestFieldMissing,
            "as",
            "--as (you, or the administrator setting it) is required",
        )
    })?;
    let current = required_env(
        "YIHU_PASSPHRASE",
        "passphrase",
        "your own current passphrase",
    )?;
    if actor == target {
        // Their own: the one thing a temporary passphrase may do.
        let key = account::open_with(
            path,
            &Credential::Staff {
                staff_id: actor,
                passphrase: &current,
            },
            Purpose::ChangeOwnPassphrase,
        )?;
        let mut conn = db::open_keyed(path, Some(&key))?;
        account::change_passphrase(&mut conn, &Ctx::system(Some(actor)), &current, &new)?;
        return done(false, "passphrase");
    }
    // Someone else's (an administrator's doing): always temporary.
    let (mut conn, key) = open_db(path, Some(actor), Purpose::Act)?;
    let key =
        key.ok_or_else(|| ApiError::internal("an encrypted database opened without a key"))?;
    account::set_passphrase(&mut conn, &Ctx::system(Some(actor)), &key, target, &new)
        .map_err(at_staff)?;
    done(true, "passphrase")
}

fn check_db(path: &Path, as_staff: Option<String>) -> Result<(), ApiError> {
    let conn = open_as_is(path, parse_actor(as_staff)?)?;
    let problems = check::run(&conn)?;
    out(&serde_json::to_string_pretty(
        &serde_json::json!({"ok": problems.is_empty(), "problems": problems}),
    )?);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::CheckFailed,
            format!("{} invariant(s) broken", problems.len()),
        ))
    }
}

fn back_up(
    path: &Path,
    as_staff: Option<String>,
    dir: Option<PathBuf>,
    list: bool,
) -> Result<(), ApiError> {
    let dir = dir.unwrap_or_else(|| yihu::backup::default_dir(path));
    if list {
        // Which backups need an older keyring is known from the folder alone; with a
        // passphrase it is also checked against the key.
        let key = match env("YIHU_PASSPHRASE") {
            Some(_) => cli_key(path, parse_actor(as_staff)?, Purpose::Read)?,
            None => None,
        };
        out(&serde_json::to_string_pretty(
            &yihu::backup::list_with_keys(&dir, key.as_ref())?,
        )?);
        return Ok(());
    }
    let actor = parse_actor(as_staff)?;
    let (mut conn, key) = open_db(path, actor, Purpose::Act)?;
    let (made, removed) = account::back_up(&mut conn, &Ctx::system(actor), key.as_ref(), &dir)?;
    out(&serde_json::to_string_pretty(
        &serde_json::json!({"backup": made, "removed": removed}),
    )?);
    Ok(())
}

fn restore(
    path: &Path,
    as_staff: Option<String>,
    file: &Path,
    dir: Option<PathBuf>,
    yes: bool,
) -> Result<(), ApiError> {
    let actor = parse_actor(as_staff)?;
    // A damaged file without a keyring is replaced by a plain backup.
    let purpose = if yes { Purpose::Act } else { Purpose::Read };
    let key = match cli_key(path, actor, purpose) {
        Err(e) if e.code == ErrorCode::DbKeyringMissing => None,
        other => other?,
    };
    let dir = dir.unwrap_or_else(|| yihu::backup::default_dir(path));
    // A backup made before a key rotation opens with the keyring kept for it and the --as
    // administrator's passphrase of that time: $YIHU_OLD_PASSPHRASE, else the one now.
    let then = env("YIHU_OLD_PASSPHRASE").or_else(|| env("YIHU_PASSPHRASE"));
    if !yes {
        let (facts, old_keyring) =
            account::old_backups::check(&dir, file, key.as_ref(), actor, then.as_deref())?;
        out(&serde_json::to_string_pretty(&serde_json::json!({
            "file": file.display().to_string(), "facts": facts, "database": path.display().to_string(),
            "old_keyring": old_keyring,
        }))?);
        return Err(ApiError::new(
            ErrorCode::RestoreConfirm,
            "the backup is sound; add --yes to replace the database with it",
        ));
    }
    let done = account::restore_file(
        path,
        &Ctx::system(actor),
        key.as_ref(),
        file,
        &dir,
        then.as_deref(),
    )?;
    out(&serde_json::to_string_pretty(&done)?);
    Ok(())
}

fn audit_verify(path: &Path, as_staff: Option<String>) -> Result<(), ApiError> {
    let conn = open_as_is(path, parse_actor(as_staff)?)?;
    let mut report = yihu::audit_chain::verify(&conn)?;
    if report.first_problem.is_none()
        && let Some(p) = yihu::audit_chain::anchor_problem(&conn)?
    {
        report.ok = false;
        report.first_problem = Some(p);
    }
    out(&serde_json::to_string_pretty(&report)?);
    if let Some(p) = &report.first_problem
        && p.kind == yihu::audit_chain::ProblemKind::Truncated
    {
        return Err(ApiError::new(
            ErrorCode::AuditChainTruncated,
            format!(
                "the audit trail no longer holds row {} as it was recorded outside the file: rows were cut from its end, or it was swapped",
                p.seq
            ),
        ));
    }
    match &report.first_problem {
        None => Ok(()),
        Some(p) => Err(ApiError::new(
            ErrorCode::AuditChainBroken,
            format!(
                "the audit trail is broken at row {}: {}",
                p.seq,
                match p.kind {
                    yihu::audit_chain::ProblemKind::Altered => "changed after it was written",
                    yihu::audit_chain::ProblemKind::Inserted => "not written by Yihu",
                    yihu::audit_chain::ProblemKind::Missing => "rows removed from here",
                    yihu::audit_chain::ProblemKind::Broken =>
                        "it does not follow the row before it",
                    yihu::audit_chain::ProblemKind::Truncated => "it was cut short",
                }
            ),
        )),
    }
}

fn run(cli: Cli) -> Result<(), ApiError> {
    let path = cli.db.unwrap_or_else(db::default_path);
    let who = cli.as_staff;
    match cli.cmd {
        Cmd::Commands { json } => list_commands(json),
        Cmd::Batch { today } => batch(&path, who, today),
        Cmd::Call {
            command,
            json,
            today,
        } => call(&path, who, &command, json.as_deref(), today),
        Cmd::Export {
            kind,
            division,
            from,
            to,
            out,
            format,
            reveal,
            today,
        } => export(
            &path,
            who,
            ExportArgs {
                kind,
                division,
                from,
                to,
                out,
                format,
                reveal,
                today,
            },
        ),
        Cmd::Demo {
            households,
            seed,
            today,
            encrypt,
        } => make_demo(&path, households, seed, today, encrypt),
        Cmd::Encrypt => encrypt(&path, who),
        Cmd::Passphrase { staff } => passphrase(&path, who, &staff),
        Cmd::Check => check_db(&path, who),
        Cmd::Backup { dir, list } => back_up(&path, who, dir, list),
        Cmd::Restore { file, dir, yes } => restore(&path, who, &file, dir, yes),
        Cmd::Audit {
            cmd: AuditCmd::Verify,
        } => audit_verify(&path, who),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}
