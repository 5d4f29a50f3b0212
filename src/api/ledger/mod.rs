//! Ledgers (台账) for reporting upward, as Excel workbooks (rust_xlsxwriter) or CSV files
//! (UTF-8 with a byte-order mark, so Excel opens them right): the household ledger (households,
//! members, needs, actions in force), the service delivery log of a period, and a summary by
//! division and by hardship cause.
//!
//! An export is a read that leaves the building, so it runs like a command: the actor's role and
//! scope decide which households it holds, ID numbers, health conditions and disability are
//! masked unless the exporter asks to reveal them, and one audit row (what, which area, which
//! period, whether revealed, how many rows; never a value) is written in the same transaction.
//! The file is written beside its destination under a `.part` name and only renamed into place
//! after that transaction commits, so there is no export without its audit row.

mod about;
mod csv_sink;
mod deliveries;
mod households;
mod sheet;
mod sink;
mod summary;
mod xlsx_sink;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};

use crate::api::Env;
use crate::api::household_filter::Period;
use crate::api::insight::Area;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;
use csv_sink::CsvSink;
pub use households::{household_ledger_sql, schedule_text};
pub use sheet::{Cell, Column, Sheet, sheets, yuan};
use sink::{BATCH, Msg, Pipe, Sink, write_all, write_error};
use xlsx_sink::XlsxSink;

/// The longest period a delivery log or a summary covers: five years (with their leap days),
/// so a case's whole history entered after the fact can be reported in one file.
pub const LEDGER_MAX_DAYS: i64 = crate::validate::HISTORY_MAX_DAYS;

/// Data rows per worksheet before a continuation sheet (Excel's limit is 1,048,576 rows).
pub const XLSX_MAX_ROWS: u32 = 1_048_575;

/// What a masked cell says.
pub const WITHHELD: &str = "（已隐藏）";

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS, schemars::JsonSchema,
)]
pub enum LedgerKind {
    /// 家庭台账: households with their members, needs and actions in force (as of today).
    #[serde(rename = "ledger")]
    Households,
    /// 服务记录: every delivery (occurrence) falling due in the period.
    #[serde(rename = "deliveries")]
    Deliveries,
    /// 汇总: open households by division and by hardship cause, with the period's visits and
    /// deliveries.
    #[serde(rename = "summary")]
    Summary,
}

#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Deserialize,
    Serialize,
    ts_rs::TS,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LedgerFormat {
    #[default]
    Xlsx,
    /// One UTF-8 CSV file (with BOM) per sheet.
    Csv,
}

#[derive(Debug, Clone, Deserialize, Serialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LedgerRequest {
    pub kind: LedgerKind,
    /// The area: this division and everything below it; the actor's own division when not given.
    #[serde(default)]
    pub division_code: Option<String>,
    /// Required for the delivery log and the summary (at most five years); the household ledger
    /// is the state as of today and takes none.
    #[serde(default)]
    pub period: Option<Period>,
    #[serde(default)]
    pub format: LedgerFormat,
    /// Write ID numbers, health conditions and disability in full (recorded in the audit).
    #[serde(default)]
    pub reveal: bool,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct SheetCount {
    pub name: String,
    /// Data rows (the header row not counted).
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct LedgerWritten {
    /// The files written, the first one being the path asked for.
    pub files: Vec<String>,
    pub sheets: Vec<SheetCount>,
    /// Whether sensitive columns hold their values (otherwise masked).
    pub revealed: bool,
    /// The sensitive columns of this ledger (by header).
    pub sensitive_columns: Vec<String>,
}

/// A ledger to write: the request and where (set by the CLI or the desktop shell, never by a
/// JSON request).
pub struct LedgerJob {
    pub request: LedgerRequest,
    pub out: PathBuf,
}

/// The files a ledger is written to: the path asked for, and for CSV one more file per further
/// sheet, named `<stem>-<sheet>.csv` beside it.
pub fn files(kind: LedgerKind, format: LedgerFormat, out: &Path) -> Vec<PathBuf> {
    match format {
        LedgerFormat::Xlsx => vec![out.to_path_buf()],
        LedgerFormat::Csv => {
            let stem = out
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "ledger".into());
            let dir = out.parent().unwrap_or(Path::new("."));
            sheets(kind)
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    if i == 0 {
                        out.to_path_buf()
                    } else {
                        dir.join(format!("{stem}-{}.csv", s.name))
                    }
                })
                .collect()
        }
    }
}

/// Where a file is written before the export commits.
pub fn part_path(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(".part");
    PathBuf::from(s)
}

// ---------------------------------------------------------------- the export

#[derive(Serialize)]
struct ExportAudit<'a> {
    kind: LedgerKind,
    format: LedgerFormat,
    division_code: &'a str,
    period: Option<Period>,
    revealed: bool,
    sensitive_columns: &'a [String],
    sheets: &'a [SheetCount],
}

/// The command's handler: checks the request, writes every file under its `.part` name
/// (created new and owner-only: nothing planted there is followed), audits the export and, as
/// its last step, gives the files their names — so an export whose file could not be put in
/// place is not recorded (the transaction rolls back with the error). If the commit then
/// fails, the caller removes the files.
pub fn ledger_export(env: &Env, job: LedgerJob) -> ApiResult<LedgerWritten> {
    let req = &job.request;
    let period = match (req.kind, req.period) {
        (LedgerKind::Households, Some(_)) => {
            return Err(ApiError::at(
                ErrorCode::ValidationNotApplicable,
                "period",
                "the household ledger is the state as of today and takes no period",
            ));
        }
        (LedgerKind::Households, None) => None,
        (_, None) => {
            return Err(ApiError::at(
                ErrorCode::ValidationRequired,
                "period",
                "this ledger needs a period (from and to)",
            ));
        }
        (_, Some(p)) => Some(p.check("period", Some(LEDGER_MAX_DAYS))?),
    };
    let area = Area::resolve(env, "division_code", req.division_code.as_deref())?;
    let finals = files(req.kind, req.format, &job.out);
    let parts: Vec<PathBuf> = finals.iter().map(|p| part_path(p)).collect();
    let sink: Box<dyn Sink + Send> = match req.format {
        LedgerFormat::Xlsx => Box::new(XlsxSink::new(parts[0].clone())?),
        LedgerFormat::Csv => Box::new(CsvSink {
            paths: parts.clone(),
            writer: None,
            counts: Vec::new(),
        }),
    };
    let ledger = Ledger {
        env,
        area: &area,
        reveal: req.reveal,
        in_area: area.households_sql(env),
    };
    // The database is read on this thread while another formats and writes the file.
    let counts = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Msg>>(64);
        let writer = scope.spawn(move || write_all(sink, rx));
        let mut pipe = Pipe {
            tx: Some(tx),
            batch: Vec::with_capacity(BATCH),
        };
        let read = (|| {
            match (req.kind, period) {
                (LedgerKind::Households, _) => ledger.households(&mut pipe)?,
                (LedgerKind::Deliveries, Some(p)) => ledger.deliveries(&mut pipe, p)?,
                (LedgerKind::Summary, Some(p)) => ledger.summary(&mut pipe, p)?,
                (_, None) => {}
            }
            ledger.about(&mut pipe, req, period)?;
            pipe.flush()
        })();
        // Closing the channel ends the writer (early, on a read error).
        pipe.tx = None;
        let written = writer
            .join()
            .map_err(|_| write_error("the file writer stopped"))?;
        read?;
        written
    })?;
    let sensitive_columns: Vec<String> = sheets(req.kind)
        .iter()
        .flat_map(|s| s.columns.iter().filter(|c| c.sensitive))
        .map(|c| c.header.to_string())
        .collect();
    let id = env.new_id();
    env.audit(
        "export",
        &id,
        None,
        None::<&()>,
        Some(&ExportAudit {
            kind: req.kind,
            format: req.format,
            division_code: &area.code,
            period,
            revealed: req.reveal,
            sensitive_columns: &sensitive_columns,
            sheets: &counts,
        }),
    )?;
    for (part, last) in parts.iter().zip(&finals) {
        std::fs::rename(part, last).map_err(write_error)?;
    }
    Ok(LedgerWritten {
        files: finals
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
        sheets: counts,
        revealed: req.reveal,
        sensitive_columns,
    })
}

struct Ledger<'a, 'e> {
    env: &'a Env<'e>,
    area: &'a Area,
    reveal: bool,
    in_area: String,
}

/// The township and village names of a household's division code.
struct Places(HashMap<String, String>);

impl Places {
    fn load(env: &Env, area: &Area) -> ApiResult<Places> {
        // The area's own ancestors (a township ledger still names its county) and everything
        // below it.
        let mut st = env.tx.prepare(
            "SELECT code, name FROM division WHERE (code >= ?1 AND code < ?2) OR ?3 LIKE code || '%'",
        )?;
        let rows = st.query_map(rusqlite::params![area.lo, area.hi, area.code], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        Ok(Places(rows.collect::<Result<_, _>>()?))
    }

    fn name(&self, code: &str, len: usize) -> Cell {
        if code.len() < len {
            return Cell::Empty;
        }
        Cell::opt_text(self.0.get(&code[..len]).cloned())
    }
}

impl Ledger<'_, '_> {
    fn params(&self) -> Vec<SqlValue> {
        self.area.params()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn schedules_in_words() {
        let start = NaiveDate::from_ymd_opt(2026, 3, 7).expect("date");
        assert_eq!(
            schedule_text(None, start, false, None),
            "一次性，2026-03-07"
        );
        assert_eq!(
            schedule_text(
                Some("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"),
                start,
                false,
                None
            ),
            "每 2 周的周一、周四，自 2026-03-07 起"
        );
        assert_eq!(
            schedule_text(
                Some("FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=1;COUNT=6"),
                start,
                false,
                None
            ),
            "每月 1 日，自 2026-03-07 起，共 6 次"
        );
        assert_eq!(
            schedule_text(Some("not a rule"), start, false, None),
            "not a rule"
        );
        let end = NaiveDate::from_ymd_opt(2026, 5, 6).expect("date");
        assert_eq!(
            schedule_text(None, start, true, Some(end)),
            "持续，自 2026-03-07 至 2026-05-06"
        );
        assert_eq!(yuan(60000), "600.00");
        assert_eq!(
            Cell::Text("=HYPERLINK(\"x\")".into()).csv(),
            "'=HYPERLINK(\"x\")"
        );
        assert_eq!(Cell::Text("@SUM(A1)".into()).csv(), "'@SUM(A1)");
        assert_eq!(Cell::Text("王秀兰".into()).csv(), "王秀兰");
        assert_eq!(Cell::Money(-150).csv(), "-1.50");
        assert_eq!(yuan(5), "0.05");
    }
}
