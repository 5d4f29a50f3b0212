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

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, params_from_iter};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use serde::{Deserialize, Serialize};

use super::Env;
use super::household_filter::{NEED_UNCOVERED_SQL, Period, not_visited_sql};
use super::insight::Area;
use super::shared::HEAD_NAME_SQL;
use crate::error::{ApiError, ApiResult};
use crate::idcard;
use crate::labels::Zh;
use crate::recurrence::{Freq, Recurrence};
use crate::types::*;

/// The longest period a delivery log or a summary covers.
pub const LEDGER_MAX_DAYS: i64 = 366;

/// Data rows per worksheet before a continuation sheet (Excel's limit is 1,048,576 rows).
pub const XLSX_MAX_ROWS: u32 = 1_048_575;

/// What a masked cell says.
pub const WITHHELD: &str = "（已隐藏）";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum LedgerFormat {
    #[default]
    Xlsx,
    /// One UTF-8 CSV file (with BOM) per sheet.
    Csv,
}

#[derive(Debug, Clone, Deserialize, Serialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct LedgerRequest {
    pub kind: LedgerKind,
    /// The area: this division and everything below it; the actor's own division when not given.
    #[serde(default)]
    pub division_code: Option<String>,
    /// Required for the delivery log and the summary (at most 366 days); the household ledger
    /// is the state as of today and takes none.
    #[serde(default)]
    pub period: Option<Period>,
    #[serde(default)]
    pub format: LedgerFormat,
    /// Write ID numbers, health conditions and disability in full (recorded in the audit).
    #[serde(default)]
    pub reveal: bool,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SheetCount {
    pub name: String,
    /// Data rows (the header row not counted).
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
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

/// A cell of a ledger row.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// Money in fen, written as yuan with two decimals.
    Money(i64),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    fn opt_text(s: Option<String>) -> Cell {
        s.map_or(Cell::Empty, Cell::Text)
    }
    fn opt_date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }
    fn csv(&self) -> String {
        match self {
            // Excel runs a CSV cell starting with = + - @ as a formula: text from the records
            // (a name, a note) starting so gets a leading apostrophe, which Excel shows as text.
            Cell::Text(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{s}"),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Money(f) => yuan(*f),
            Cell::Date(d) => d.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// Fen as yuan text, e.g. 60000 → "600.00".
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
}

/// A column: its Chinese header, its width in characters, and whether it is sensitive.
pub struct Column {
    pub header: &'static str,
    pub width: f64,
    pub sensitive: bool,
}

const fn col(header: &'static str, width: f64) -> Column {
    Column {
        header,
        width,
        sensitive: false,
    }
}

const fn sensitive(header: &'static str, width: f64) -> Column {
    Column {
        header,
        width,
        sensitive: true,
    }
}

pub struct Sheet {
    pub name: &'static str,
    pub columns: &'static [Column],
}

// ---------------------------------------------------------------- sheets

const HOUSEHOLDS: Sheet = Sheet {
    name: "家庭",
    columns: &[
        col("案卷号", 18.0),
        col("县（区）", 10.0),
        col("乡镇（街道）", 12.0),
        col("村（社区）", 12.0),
        col("地址", 28.0),
        col("户主", 10.0),
        col("联系电话", 14.0),
        col("困难类型", 14.0),
        col("享受政策", 28.0),
        col("转介来源", 14.0),
        col("知情同意日期", 12.0),
        col("责任社工", 10.0),
        col("优先级", 8.0),
        col("状态", 10.0),
        col("建档日期", 12.0),
        col("最近走访", 12.0),
        col("结案日期", 12.0),
        col("成员数", 8.0),
        col("未解决需求", 10.0),
    ],
};

const MEMBERS: Sheet = Sheet {
    name: "成员",
    columns: &[
        col("案卷号", 18.0),
        col("姓名", 10.0),
        col("与户主关系", 12.0),
        col("性别", 6.0),
        col("出生日期", 12.0),
        col("年龄", 6.0),
        sensitive("身份证号", 20.0),
        col("联系电话", 14.0),
        sensitive("健康状况", 24.0),
        sensitive("残疾类别", 10.0),
        sensitive("残疾等级", 8.0),
        col("就学", 10.0),
        col("学校", 16.0),
        col("工作", 16.0),
        col("主要照料者", 10.0),
        col("重点对象", 10.0),
    ],
};

const NEEDS: Sheet = Sheet {
    name: "需求",
    columns: &[
        col("案卷号", 18.0),
        col("涉及成员", 10.0),
        col("类别", 10.0),
        col("需求描述", 36.0),
        col("优先级", 8.0),
        col("状态", 10.0),
        col("发现日期", 12.0),
        col("解决日期", 12.0),
        col("已有帮扶措施", 12.0),
    ],
};

const ACTIONS: Sheet = Sheet {
    name: "帮扶措施",
    columns: &[
        col("案卷号", 18.0),
        col("措施", 28.0),
        col("类别", 10.0),
        col("提供方", 20.0),
        col("负责人", 10.0),
        col("负责人电话", 14.0),
        col("金额（元）", 12.0),
        col("周期", 18.0),
        col("开始日期", 12.0),
        col("状态", 10.0),
        col("对应需求", 18.0),
    ],
};

const DELIVERIES: Sheet = Sheet {
    name: "服务记录",
    columns: &[
        col("应服务日期", 12.0),
        col("案卷号", 18.0),
        col("户主", 10.0),
        col("乡镇（街道）", 12.0),
        col("村（社区）", 12.0),
        col("措施", 28.0),
        col("类别", 10.0),
        col("提供方", 20.0),
        col("金额（元）", 12.0),
        col("状态", 10.0),
        col("完成日期", 12.0),
        col("记录人", 10.0),
        col("备注", 24.0),
    ],
};

const BY_DIVISION: Sheet = Sheet {
    name: "按地区汇总",
    columns: &[
        col("地区", 16.0),
        col("区划代码", 14.0),
        col("在案户数", 10.0),
        col("高优先", 8.0),
        col("中优先", 8.0),
        col("低优先", 8.0),
        col("重病", 8.0),
        col("重残", 8.0),
        col("单亲", 8.0),
        col("丧亲", 8.0),
        col("灾祸", 8.0),
        col("其他困难", 8.0),
        col("未解决需求", 10.0),
        col("无措施需求", 10.0),
        col("本期走访户数", 12.0),
        col("本期未走访户数", 14.0),
        col("本期服务完成", 12.0),
        col("本期服务漏办", 12.0),
    ],
};

const BY_CAUSE: Sheet = Sheet {
    name: "按困难类型汇总",
    columns: &[
        col("困难类型", 12.0),
        col("在案户数", 10.0),
        col("高优先", 8.0),
        col("中优先", 8.0),
        col("低优先", 8.0),
        col("未解决需求", 10.0),
        col("无措施需求", 10.0),
        col("本期走访户数", 12.0),
        col("本期未走访户数", 14.0),
        col("本期服务完成", 12.0),
        col("本期服务漏办", 12.0),
    ],
};

const ABOUT: Sheet = Sheet {
    name: "说明",
    columns: &[col("项目", 16.0), col("内容", 60.0)],
};

/// The sheets of a ledger, in the order they are written.
pub fn sheets(kind: LedgerKind) -> &'static [Sheet] {
    match kind {
        LedgerKind::Households => &[HOUSEHOLDS, MEMBERS, NEEDS, ACTIONS, ABOUT],
        LedgerKind::Deliveries => &[DELIVERIES, ABOUT],
        LedgerKind::Summary => &[BY_DIVISION, BY_CAUSE, ABOUT],
    }
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

// ---------------------------------------------------------------- sinks

fn write_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::at(
        "export.write_failed",
        "out",
        format!("the file could not be written: {e}"),
    )
}

impl From<XlsxError> for ApiError {
    fn from(e: XlsxError) -> Self {
        write_error(e)
    }
}

/// Where ledger rows go: an Excel workbook or CSV files.
trait Sink {
    fn sheet(&mut self, sheet: &'static Sheet) -> ApiResult<()>;
    fn row(&mut self, cells: &[Cell]) -> ApiResult<()>;
    /// A row handed over (a pipe sends it on without copying).
    fn row_owned(&mut self, cells: Vec<Cell>) -> ApiResult<()> {
        self.row(&cells)
    }
    /// Close everything; the data rows of each sheet.
    fn finish(self: Box<Self>) -> ApiResult<Vec<SheetCount>>;
}

struct XlsxSink {
    workbook: Workbook,
    path: PathBuf,
    header: Format,
    date: Format,
    money: Format,
    current: Option<(&'static Sheet, usize, u32)>,
    counts: Vec<SheetCount>,
    continuation: u32,
}

impl XlsxSink {
    fn new(path: PathBuf) -> ApiResult<XlsxSink> {
        let mut workbook = Workbook::new();
        // Fast compression: a 100,000-household ledger then zips in a fraction of the time
        // for a somewhat larger file.
        workbook.set_zip_compression_level(1);
        // Constant-memory sheets spill rows to temporary files: keep them beside the export,
        // not in a shared temporary folder.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            workbook.set_tempdir(dir)?;
        }
        Ok(XlsxSink {
            workbook,
            path,
            header: Format::new()
                .set_bold()
                .set_background_color("#E8EEF7")
                .set_align(FormatAlign::Center),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            money: Format::new().set_num_format("#,##0.00"),
            current: None,
            counts: Vec::new(),
            continuation: 0,
        })
    }

    fn close_sheet(&mut self) -> ApiResult<()> {
        if let Some((sheet, index, rows)) = self.current.take() {
            let ws = self.workbook.worksheet_from_index(index)?;
            let last_col = (sheet.columns.len() - 1) as u16;
            ws.autofilter(0, 0, rows.max(1), last_col)?;
        }
        Ok(())
    }

    fn open_sheet(&mut self, sheet: &'static Sheet, name: String) -> ApiResult<()> {
        self.close_sheet()?;
        let index = self.counts.len();
        let ws = self.workbook.add_worksheet_with_constant_memory()?;
        ws.set_name(&name)?;
        for (c, column) in sheet.columns.iter().enumerate() {
            ws.set_column_width(c as u16, column.width)?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (c, column) in sheet.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, column.header, &self.header)?;
        }
        self.current = Some((sheet, index, 0));
        self.counts.push(SheetCount { name, rows: 0 });
        Ok(())
    }
}

impl Sink for XlsxSink {
    fn sheet(&mut self, sheet: &'static Sheet) -> ApiResult<()> {
        self.continuation = 1;
        self.open_sheet(sheet, sheet.name.to_string())
    }

    fn row(&mut self, cells: &[Cell]) -> ApiResult<()> {
        let Some((sheet, _, rows)) = self.current else {
            return Err(write_error("a row before its sheet"));
        };
        if rows >= XLSX_MAX_ROWS {
            self.continuation += 1;
            let name = format!("{}（{}）", sheet.name, self.continuation);
            self.open_sheet(sheet, name)?;
        }
        let Some((_, index, rows)) = self.current.as_mut() else {
            return Err(write_error("a row before its sheet"));
        };
        *rows += 1;
        let r = *rows;
        let index = *index;
        if let Some(last) = self.counts.last_mut() {
            last.rows += 1;
        }
        let ws = self.workbook.worksheet_from_index(index)?;
        for (c, cell) in cells.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                Cell::Int(n) => {
                    ws.write_number(r, c, *n as f64)?;
                }
                Cell::Money(f) => {
                    ws.write_number_with_format(r, c, *f as f64 / 100.0, &self.money)?;
                }
                Cell::Date(d) => {
                    ws.write_datetime_with_format(r, c, d, &self.date)?;
                }
                Cell::Empty => {}
            }
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> ApiResult<Vec<SheetCount>> {
        self.close_sheet()?;
        let path = self.path.clone();
        self.workbook.save(&path)?;
        Ok(self.counts)
    }
}

struct CsvSink {
    paths: Vec<PathBuf>,
    writer: Option<csv::Writer<BufWriter<File>>>,
    counts: Vec<SheetCount>,
}

impl Sink for CsvSink {
    fn sheet(&mut self, sheet: &'static Sheet) -> ApiResult<()> {
        if let Some(mut w) = self.writer.take() {
            w.flush().map_err(write_error)?;
        }
        let path = self
            .paths
            .get(self.counts.len())
            .ok_or_else(|| write_error("more sheets than files"))?;
        let mut file = BufWriter::new(File::create(path).map_err(write_error)?);
        // The byte-order mark tells Excel the file is UTF-8.
        file.write_all("\u{feff}".as_bytes()).map_err(write_error)?;
        let mut w = csv::Writer::from_writer(file);
        w.write_record(sheet.columns.iter().map(|c| c.header))
            .map_err(write_error)?;
        self.writer = Some(w);
        self.counts.push(SheetCount {
            name: sheet.name.to_string(),
            rows: 0,
        });
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> ApiResult<()> {
        let w = self
            .writer
            .as_mut()
            .ok_or_else(|| write_error("a row before its sheet"))?;
        w.write_record(cells.iter().map(Cell::csv))
            .map_err(write_error)?;
        if let Some(last) = self.counts.last_mut() {
            last.rows += 1;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> ApiResult<Vec<SheetCount>> {
        if let Some(w) = self.writer.take() {
            let file = w.into_inner().map_err(|e| write_error(e.error()))?;
            let file = file.into_inner().map_err(|e| write_error(e.error()))?;
            file.sync_all().map_err(write_error)?;
        }
        Ok(self.counts)
    }
}

// ---------------------------------------------------------------- the writer thread

/// Rows are sent to the writer thread in batches of this many.
const BATCH: usize = 512;

enum Msg {
    Sheet(&'static Sheet),
    Row(Vec<Cell>),
}

/// The reading side: a [`Sink`] that batches rows into a channel.
struct Pipe {
    tx: Option<std::sync::mpsc::SyncSender<Vec<Msg>>>,
    batch: Vec<Msg>,
}

impl Pipe {
    fn send(&mut self, m: Msg) -> ApiResult<()> {
        self.batch.push(m);
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> ApiResult<()> {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        match &self.tx {
            // A closed channel means the writer failed; its error is reported when joined.
            Some(tx) => tx
                .send(batch)
                .map_err(|_| write_error("the file writer stopped")),
            None => Ok(()),
        }
    }
}

impl Sink for Pipe {
    fn sheet(&mut self, sheet: &'static Sheet) -> ApiResult<()> {
        self.send(Msg::Sheet(sheet))
    }
    fn row(&mut self, cells: &[Cell]) -> ApiResult<()> {
        self.send(Msg::Row(cells.to_vec()))
    }
    fn row_owned(&mut self, cells: Vec<Cell>) -> ApiResult<()> {
        self.send(Msg::Row(cells))
    }
    fn finish(self: Box<Self>) -> ApiResult<Vec<SheetCount>> {
        Ok(Vec::new())
    }
}

/// The writing side: everything received goes to the real sink, which is then finished.
fn write_all(
    mut sink: Box<dyn Sink + Send>,
    rx: std::sync::mpsc::Receiver<Vec<Msg>>,
) -> ApiResult<Vec<SheetCount>> {
    for batch in rx {
        for m in batch {
            match m {
                Msg::Sheet(s) => sink.sheet(s)?,
                Msg::Row(cells) => sink.row(&cells)?,
            }
        }
    }
    sink.finish()
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

/// The command's handler: checks the request, writes every file under its `.part` name and
/// audits the export. The caller renames the parts after the transaction commits.
pub fn ledger_export(env: &Env, job: LedgerJob) -> ApiResult<LedgerWritten> {
    let req = &job.request;
    let period = match (req.kind, req.period) {
        (LedgerKind::Households, Some(_)) => {
            return Err(ApiError::at(
                "validation.not_applicable",
                "period",
                "the household ledger is the state as of today and takes no period",
            ));
        }
        (LedgerKind::Households, None) => None,
        (_, None) => {
            return Err(ApiError::at(
                "validation.required",
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

fn causes_text(bits: i64) -> String {
    Cause::from_bits(bits)
        .into_iter()
        .map(|c| c.zh())
        .collect::<Vec<_>>()
        .join("、")
}

/// `kind:fen;kind:;…` (from the SQL below) as "低保（600.00元/月）、节日慰问".
fn supports_text(s: Option<String>) -> String {
    let Some(s) = s else { return String::new() };
    s.split(';')
        .filter_map(|part| {
            let (kind, fen) = part.split_once(':')?;
            let kind = SupportKind::parse(kind)?;
            Some(match fen.parse::<i64>() {
                Ok(f) => format!("{}（{}元/月）", kind.zh(), yuan(f)),
                Err(_) => kind.zh().to_string(),
            })
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// A stored recurrence rule (RRULE text) in plain Chinese ("每周六", "每2个月1日", "每天，共10次").
pub fn recurrence_text(rule: Option<&str>) -> String {
    let Some(r) = rule.and_then(|s| Recurrence::from_rrule(s).ok()) else {
        return "一次性".to_string();
    };
    let every = |unit: &str| {
        if r.interval == 1 {
            format!("每{unit}")
        } else {
            format!("每{}{unit}", r.interval)
        }
    };
    let mut out = match r.freq {
        Freq::Daily => every("天"),
        Freq::Weekly => {
            const DAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
            let days: Vec<String> = r
                .weekdays
                .iter()
                .map(|d| format!("周{}", DAYS[*d as usize]))
                .collect();
            let unit = if r.interval == 1 { "周" } else { "周的" };
            format!("{}{}", every(unit), days.join("、"))
        }
        Freq::Monthly => {
            let day = match r.month_day {
                Some(-1) => "最后一天".to_string(),
                Some(d) => format!("{d}日"),
                None => String::new(),
            };
            format!(
                "{}{day}",
                every(if r.interval == 1 { "月" } else { "个月" })
            )
        }
    };
    if let Some(until) = r.until {
        out.push_str(&format!("，至{until}"));
    }
    if let Some(n) = r.count {
        out.push_str(&format!("，共{n}次"));
    }
    out
}

/// The statements of the household ledger — households, members, needs, actions in force, each
/// household's members and open needs in brief, and the needs the actions answer — for `in_area`, the condition on household `h`
/// ([`Area::households_sql`]); the benchmarks run the same text through raw rusqlite.
///
/// The member, need and action sheets walk households in case-number order: the `+` before
/// `h.division_code` keeps SQLite off the area index, so it follows the case-number index and
/// sorts nothing but each household's own few rows.
pub fn household_ledger_sql(in_area: &str) -> [String; 7] {
    let by_case_no = in_area.replace("h.division_code", "+h.division_code");
    [
        format!(
            "SELECT h.case_no, h.division_code, h.address, h.id, h.phone, h.causes,
                (SELECT group_concat(s.kind || ':' || coalesce(s.monthly_fen, ''), ';')
                   FROM household_support s WHERE s.household_id = h.id),
                h.referral_source, h.consent_on,
                (SELECT s.name FROM staff s WHERE s.id = h.caseworker_id),
                h.priority, h.status, h.referred_on, h.last_visit_on, h.closed_on
             FROM household h WHERE {in_area} ORDER BY h.case_no"
        ),
        format!(
            "SELECT h.case_no, m.name, m.relation, m.sex, m.birth_date, m.id_number, m.phone,
                m.health_conditions, m.disability_type, m.disability_grade, m.schooling,
                m.school_name, m.work, m.is_primary_carer, m.is_target, m.id
             FROM household h JOIN member m ON m.household_id = h.id
             WHERE {by_case_no} AND m.removed_on IS NULL
             ORDER BY h.case_no, m.relation <> 'head', m.birth_date, m.id"
        ),
        format!(
            "SELECT h.case_no, n.member_id, n.category, n.description, n.priority, n.status,
                n.found_on, n.resolved_on, n.id
             FROM household h JOIN need n ON n.household_id = h.id
             WHERE {by_case_no} ORDER BY h.case_no, n.found_on, n.id"
        ),
        format!(
            "SELECT h.case_no, a.title, a.category,
                coalesce((SELECT pa.name FROM partner pa WHERE pa.id = a.partner_id), a.provider_name),
                a.responsible_name, a.responsible_phone, a.amount_fen, a.recurrence, a.start_on,
                a.status,
                (SELECT group_concat(n.category, ';') FROM action_need an JOIN need n ON n.id = an.need_id
                  WHERE an.action_id = a.id)
             FROM household h JOIN plan_version p ON p.household_id = h.id AND p.status = 'approved'
             JOIN action a ON a.plan_version_id = p.id
             WHERE {by_case_no} ORDER BY h.case_no, a.start_on, a.id"
        ),
        // Per household, read once from the indexes before the household sheet: its current
        // members (for the head's name and the count) and its open needs.
        format!(
            "SELECT m.household_id, m.relation = 'head', m.birth_date, m.name
             FROM household h JOIN member m ON m.household_id = h.id
             WHERE {in_area} AND m.removed_on IS NULL"
        ),
        format!(
            "SELECT n.household_id, count(*) FROM household h JOIN need n ON n.household_id = h.id
             WHERE {in_area} AND n.status IN ('open', 'in_progress') GROUP BY n.household_id"
        ),
        format!(
            "SELECT DISTINCT an.need_id
             FROM household h JOIN plan_version p ON p.household_id = h.id AND p.status = 'approved'
             JOIN action a ON a.plan_version_id = p.id JOIN action_need an ON an.action_id = a.id
             WHERE {in_area} AND a.status IN ('planned', 'active')"
        ),
    ]
}

impl Ledger<'_, '_> {
    fn params(&self) -> Vec<SqlValue> {
        self.area.params()
    }

    fn households(&self, sink: &mut dyn Sink) -> ApiResult<()> {
        let places = Places::load(self.env, self.area)?;
        let sql = household_ledger_sql(&self.in_area);
        let tx = self.env.tx;

        // Each household's head (the member whose relation is head, else the eldest), member
        // count and open needs, gathered in two index scans rather than three subqueries a row.
        #[derive(Default)]
        struct Brief {
            head: Option<(bool, String, String)>,
            members: i64,
            open_needs: i64,
        }
        let mut brief: HashMap<String, Brief> = HashMap::new();
        let mut st = tx.prepare(&sql[4])?;
        let mut rows = st.query(params_from_iter(self.params()))?;
        while let Some(r) = rows.next()? {
            let b = brief.entry(r.get(0)?).or_default();
            b.members += 1;
            // Smallest (not head, birth date) first, as HEAD_NAME_SQL orders them.
            let key = (!r.get::<_, bool>(1)?, r.get::<_, String>(2)?);
            if b.head
                .as_ref()
                .is_none_or(|(nh, bd, _)| key < (*nh, bd.clone()))
            {
                b.head = Some((key.0, key.1, r.get(3)?));
            }
        }
        drop(rows);
        let mut st = tx.prepare(&sql[5])?;
        let mut rows = st.query(params_from_iter(self.params()))?;
        while let Some(r) = rows.next()? {
            brief.entry(r.get(0)?).or_default().open_needs = r.get(1)?;
        }
        drop(rows);

        sink.sheet(&HOUSEHOLDS)?;
        let mut st = tx.prepare(&sql[0])?;
        let mut rows = st.query(params_from_iter(self.params()))?;
        while let Some(r) = rows.next()? {
            let code: String = r.get(1)?;
            let b = brief.remove(r.get_ref(3)?.as_str()?).unwrap_or_default();
            sink.row_owned(vec![
                Cell::Text(r.get(0)?),
                places.name(&code, 6),
                places.name(&code, 9),
                places.name(&code, 12),
                Cell::Text(r.get(2)?),
                Cell::opt_text(b.head.map(|(_, _, name)| name)),
                Cell::opt_text(r.get(4)?),
                Cell::Text(causes_text(r.get(5)?)),
                Cell::Text(supports_text(r.get(6)?)),
                Cell::Text(r.get::<_, ReferralSource>(7)?.zh().into()),
                Cell::opt_date(r.get(8)?),
                Cell::opt_text(r.get(9)?),
                Cell::Text(r.get::<_, Priority>(10)?.zh().into()),
                Cell::Text(r.get::<_, HouseholdStatus>(11)?.zh().into()),
                Cell::Date(r.get(12)?),
                Cell::opt_date(r.get(13)?),
                Cell::opt_date(r.get(14)?),
                Cell::Int(b.members),
                Cell::Int(b.open_needs),
            ])?;
        }
        drop(rows);

        sink.sheet(&MEMBERS)?;
        let today = self.env.ctx.today;
        let mut st = tx.prepare(&sql[1])?;
        let mut rows = st.query(params_from_iter(self.params()))?;
        // Member names by id, for the needs sheet.
        let mut names: HashMap<String, String> = HashMap::new();
        let withheld = || Cell::Text(WITHHELD.to_string());
        let yes_no = |b: bool| Cell::Text(if b { "是" } else { "否" }.to_string());
        while let Some(r) = rows.next()? {
            let name: String = r.get(1)?;
            names.insert(r.get(15)?, name.clone());
            let birth: NaiveDate = r.get(4)?;
            let id_number: Option<String> = r.get(5)?;
            let id_cell = match id_number {
                Some(n) if self.reveal => Cell::Text(n),
                Some(n) => Cell::Text(idcard::mask(&n)),
                None => Cell::Empty,
            };
            let (health, dis_type, dis_grade) = if self.reveal {
                (
                    Cell::opt_text(r.get(7)?),
                    Cell::opt_text(
                        r.get::<_, Option<DisabilityType>>(8)?
                            .map(|d| d.zh().to_string()),
                    ),
                    r.get::<_, Option<i64>>(9)?
                        .map_or(Cell::Empty, |g| Cell::Text(format!("{g}级"))),
                )
            } else {
                (withheld(), withheld(), withheld())
            };
            sink.row_owned(vec![
                Cell::Text(r.get(0)?),
                Cell::Text(name),
                Cell::Text(r.get::<_, Relation>(2)?.zh().into()),
                Cell::Text(r.get::<_, Sex>(3)?.zh().into()),
                Cell::Date(birth),
                Cell::Int(i64::from(super::shared::age_on(birth, today))),
                id_cell,
                Cell::opt_text(r.get(6)?),
                health,
                dis_type,
                dis_grade,
                Cell::opt_text(
                    r.get::<_, Option<Schooling>>(10)?
                        .map(|s| s.zh().to_string()),
                ),
                Cell::opt_text(r.get(11)?),
                Cell::opt_text(r.get(12)?),
                yes_no(r.get(13)?),
                yes_no(r.get(14)?),
            ])?;
        }
        drop(rows);

        sink.sheet(&NEEDS)?;
        let covered: std::collections::HashSet<String> = tx
            .prepare(&sql[6])?
            .query_map(params_from_iter(self.params()), |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut st = tx.prepare(&sql[2])?;
        let mut rows = st.query(params_from_iter(self.params()))?;
        while let Some(r) = rows.next()? {
            // A member removed since keeps their name on the needs found for them.
            let member = match r.get_ref(1)?.as_str_or_null()? {
                Some(id) => match names.get(id) {
                    Some(n) => Some(n.clone()),
                    None => tx
                        .prepare_cached("SELECT name FROM member WHERE id = ?1")?
                        .query_row([id], |r| r.get(0))
                        .optional()?,
                },
                None => None,
            };
            let id = r.get_ref(8)?.as_str()?;
            sink.row_owned(vec![
                Cell::Text(r.get(0)?),
                Cell::opt_text(member),
                Cell::Text(r.get::<_, NeedCategory>(2)?.zh().into()),
                Cell::Text(r.get(3)?),
                Cell::Text(r.get::<_, Priority>(4)?.zh().into()),
                Cell::Text(r.get::<_, NeedStatus>(5)?.zh().into()),
                Cell::Date(r.get(6)?),
                Cell::opt_date(r.get(7)?),
                yes_no(covered.contains(id)),
            ])?;
        }
        drop(rows);

        sink.sheet(&ACTIONS)?;
        let mut st = tx.prepare(&sql[3])?;
        let mut rows = st.query(params_from_iter(self.params()))?;
        while let Some(r) = rows.next()? {
            let needs: Option<String> = r.get(10)?;
            let needs = needs
                .unwrap_or_default()
                .split(';')
                .filter_map(NeedCategory::parse)
                .map(|c| c.zh())
                .collect::<Vec<_>>()
                .join("、");
            sink.row_owned(vec![
                Cell::Text(r.get(0)?),
                Cell::Text(r.get(1)?),
                Cell::Text(r.get::<_, NeedCategory>(2)?.zh().into()),
                Cell::opt_text(r.get(3)?),
                Cell::opt_text(r.get(4)?),
                Cell::opt_text(r.get(5)?),
                r.get::<_, Option<i64>>(6)?.map_or(Cell::Empty, Cell::Money),
                Cell::Text(recurrence_text(r.get::<_, Option<String>>(7)?.as_deref())),
                Cell::Date(r.get(8)?),
                Cell::Text(r.get::<_, ActionStatus>(9)?.zh().into()),
                Cell::Text(needs),
            ])?;
        }
        Ok(())
    }

    fn deliveries(&self, sink: &mut dyn Sink, period: Period) -> ApiResult<()> {
        let places = Places::load(self.env, self.area)?;
        sink.sheet(&DELIVERIES)?;
        let mut params = self.params();
        params.push(SqlValue::Text(period.from.to_string()));
        params.push(SqlValue::Text(period.to.to_string()));
        let mut st = self.env.tx.prepare(&format!(
            "SELECT o.due_on, h.case_no, {HEAD_NAME_SQL}, h.division_code, a.title, a.category,
                coalesce((SELECT pa.name FROM partner pa WHERE pa.id = a.partner_id), a.provider_name),
                a.amount_fen, o.status, o.done_on,
                (SELECT s.name FROM staff s WHERE s.id = o.recorded_by), o.note
             FROM household h JOIN occurrence o ON o.household_id = h.id
             JOIN action a ON a.id = o.action_id
             WHERE {} AND o.due_on >= ?3 AND o.due_on <= ?4
             ORDER BY o.due_on, h.case_no, a.title, o.id",
            self.in_area
        ))?;
        let mut rows = st.query(params_from_iter(params))?;
        while let Some(r) = rows.next()? {
            let code: String = r.get(3)?;
            sink.row_owned(vec![
                Cell::Date(r.get(0)?),
                Cell::Text(r.get(1)?),
                Cell::opt_text(r.get(2)?),
                places.name(&code, 9),
                places.name(&code, 12),
                Cell::Text(r.get(4)?),
                Cell::Text(r.get::<_, NeedCategory>(5)?.zh().into()),
                Cell::opt_text(r.get(6)?),
                r.get::<_, Option<i64>>(7)?.map_or(Cell::Empty, Cell::Money),
                Cell::Text(r.get::<_, OccurrenceStatus>(8)?.zh().into()),
                Cell::opt_date(r.get(9)?),
                Cell::opt_text(r.get(10)?),
                Cell::opt_text(r.get(11)?),
            ])?;
        }
        Ok(())
    }

    fn summary(&self, sink: &mut dyn Sink, period: Period) -> ApiResult<()> {
        let env = self.env;
        let mut params = self.params();
        params.push(SqlValue::Text(period.from.to_string()));
        params.push(SqlValue::Text(period.to.to_string()));
        let mut st = env.tx.prepare(&format!(
            "SELECT h.division_code, h.priority, h.causes,
                (SELECT count(*) FROM need n WHERE n.household_id = h.id AND n.status IN ('open', 'in_progress')),
                (SELECT count(*) FROM need n WHERE n.household_id = h.id AND {NEED_UNCOVERED_SQL}),
                {not_visited},
                (SELECT count(*) FROM occurrence o WHERE o.household_id = h.id AND o.status = 'done'
                   AND o.due_on >= ?3 AND o.due_on <= ?4),
                (SELECT count(*) FROM occurrence o WHERE o.household_id = h.id AND o.status = 'missed'
                   AND o.due_on >= ?3 AND o.due_on <= ?4)
             FROM household h WHERE {} AND h.status <> 'closed'",
            self.in_area,
            not_visited = not_visited_sql(3, 4),
        ))?;
        let children = self.area.children(env)?;
        let mut by_division: HashMap<String, Tally> = HashMap::new();
        let mut by_cause = vec![Tally::default(); Cause::ALL.len()];
        let mut total = Tally::default();
        let mut rows = st.query(params_from_iter(params))?;
        while let Some(r) = rows.next()? {
            let code: String = r.get(0)?;
            let priority: Priority = r.get(1)?;
            let causes: i64 = r.get(2)?;
            let t = Tally {
                households: 1,
                priority: std::array::from_fn(|i| u64::from(priority as usize == i)),
                causes: std::array::from_fn(|i| u64::from(causes & Cause::ALL[i].bit() != 0)),
                open_needs: r.get::<_, i64>(3)? as u64,
                uncovered: r.get::<_, i64>(4)? as u64,
                visited: u64::from(!r.get::<_, bool>(5)?),
                not_visited: u64::from(r.get::<_, bool>(5)?),
                done: r.get::<_, i64>(6)? as u64,
                missed: r.get::<_, i64>(7)? as u64,
            };
            by_division
                .entry(children.of(&code).to_string())
                .or_default()
                .add(&t);
            for (i, c) in Cause::ALL.iter().enumerate() {
                if causes & c.bit() != 0 {
                    by_cause[i].add(&t);
                }
            }
            total.add(&t);
        }
        drop(rows);

        sink.sheet(&BY_DIVISION)?;
        let mut lines = children.lines(self.area, by_division);
        lines.push((
            self.area.code.clone(),
            format!("{}合计", self.area.name),
            total,
        ));
        for (code, name, t) in lines {
            let mut cells = vec![Cell::Text(name), Cell::Text(code)];
            cells.extend(t.cells(true));
            sink.row_owned(cells)?;
        }

        sink.sheet(&BY_CAUSE)?;
        for (i, t) in by_cause.iter().enumerate() {
            let mut cells = vec![Cell::Text(Cause::ALL[i].zh().to_string())];
            cells.extend(t.cells(false));
            sink.row_owned(cells)?;
        }
        Ok(())
    }

    fn about(
        &self,
        sink: &mut dyn Sink,
        req: &LedgerRequest,
        period: Option<Period>,
    ) -> ApiResult<()> {
        let env = self.env;
        let who: Option<String> = match &env.actor {
            Some(a) => env
                .tx
                .query_row(
                    "SELECT name FROM staff WHERE id = ?1",
                    [a.id.to_string()],
                    |r| r.get(0),
                )
                .ok(),
            None => None,
        };
        let title = match req.kind {
            LedgerKind::Households => "家庭台账",
            LedgerKind::Deliveries => "服务记录",
            LedgerKind::Summary => "汇总表",
        };
        let sensitive: Vec<&str> = sheets(req.kind)
            .iter()
            .flat_map(|s| s.columns.iter().filter(|c| c.sensitive))
            .map(|c| c.header)
            .collect();
        let masking = if sensitive.is_empty() {
            "本表不含敏感字段".to_string()
        } else if req.reveal {
            format!(
                "已显示敏感字段（{}），本次导出已记入操作日志",
                sensitive.join("、")
            )
        } else {
            format!("敏感字段（{}）已隐藏", sensitive.join("、"))
        };
        sink.sheet(&ABOUT)?;
        let lines = [
            ("报表", title.to_string()),
            ("地区", format!("{}（{}）", self.area.name, self.area.code)),
            (
                "统计期间",
                period.map_or_else(
                    || format!("截至 {}", env.ctx.today),
                    |p| format!("{} 至 {}", p.from, p.to),
                ),
            ),
            ("导出日期", env.ctx.today.to_string()),
            ("导出人", who.unwrap_or_default()),
            ("敏感字段", masking),
        ];
        for (k, v) in lines {
            sink.row_owned(vec![Cell::Text(k.to_string()), Cell::Text(v)])?;
        }
        Ok(())
    }
}

const PRIORITIES: usize = Priority::ALL.len();
const CAUSES: usize = Cause::ALL.len();

#[derive(Debug, Clone, Default)]
struct Tally {
    households: u64,
    priority: [u64; PRIORITIES],
    causes: [u64; CAUSES],
    open_needs: u64,
    uncovered: u64,
    visited: u64,
    not_visited: u64,
    done: u64,
    missed: u64,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.households += o.households;
        for (a, b) in self.priority.iter_mut().zip(o.priority) {
            *a += b;
        }
        for (a, b) in self.causes.iter_mut().zip(o.causes) {
            *a += b;
        }
        self.open_needs += o.open_needs;
        self.uncovered += o.uncovered;
        self.visited += o.visited;
        self.not_visited += o.not_visited;
        self.done += o.done;
        self.missed += o.missed;
    }

    fn cells(&self, with_causes: bool) -> Vec<Cell> {
        let n = |v: u64| Cell::Int(v as i64);
        let mut out = vec![n(self.households)];
        out.extend(self.priority.iter().map(|v| n(*v)));
        if with_causes {
            out.extend(self.causes.iter().map(|v| n(*v)));
        }
        out.extend([
            n(self.open_needs),
            n(self.uncovered),
            n(self.visited),
            n(self.not_visited),
            n(self.done),
            n(self.missed),
        ]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_in_words() {
        assert_eq!(recurrence_text(None), "一次性");
        assert_eq!(
            recurrence_text(Some("FREQ=WEEKLY;INTERVAL=1;BYDAY=SA")),
            "每周周六"
        );
        assert_eq!(
            recurrence_text(Some("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH")),
            "每2周的周一、周四"
        );
        assert_eq!(
            recurrence_text(Some("FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=1;COUNT=6")),
            "每月1日，共6次"
        );
        assert_eq!(
            recurrence_text(Some("FREQ=DAILY;INTERVAL=3;UNTIL=20260601T000000Z")),
            "每3天，至2026-06-01"
        );
        assert_eq!(recurrence_text(Some("not a rule")), "一次性");
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
