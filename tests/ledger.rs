//! The Excel and CSV ledgers: written through the core as a county supervisor on demo data,
//! then read back with two real readers (calamine here, openpyxl in Python) — sheets, headers,
//! row counts against the database, dates as date cells, the frozen header, and masking (and
//! revealing) of ID numbers and health data; refusals that leave no file and no audit row.

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use rusqlite::Connection;
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;
use yihu::api::ledger::{LedgerJob, LedgerRequest, WITHHELD};
use yihu::{Ctx, api, idcard};

use crate::common::{date, demo_file};

struct Fixture {
    dir: TempDir,
    conn: Connection,
    supervisor: Uuid,
    county: String,
}

fn fixture() -> Fixture {
    let (dir, _, conn, _) = demo_file(60, 11, "2026-11-28");
    let (supervisor, county): (String, String) = conn
        .query_row(
            "SELECT s.id, s.division_code FROM staff s WHERE s.role = 'supervisor' AND length(s.division_code) = 6
             ORDER BY (SELECT count(*) FROM household h WHERE substr(h.division_code, 1, 6) = s.division_code) DESC
             LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a county supervisor");
    Fixture {
        dir,
        conn,
        supervisor: supervisor.parse().expect("uuid"),
        county,
    }
}

impl Fixture {
    fn export(
        &mut self,
        actor: Uuid,
        request: Value,
        file: &str,
    ) -> Result<yihu::api::ledger::LedgerWritten, yihu::ApiError> {
        let request: LedgerRequest = api::parse_request(&request.to_string())?;
        let ctx = Ctx::fixed(Some(actor), date("2026-11-28"));
        let out = self.dir.path().join(file);
        api::export_ledger(&mut self.conn, &ctx, LedgerJob { request, out })
    }

    fn count(&self, sql: &str) -> u64 {
        let lo = self.county.clone();
        let hi = format!("{}~", self.county);
        self.conn
            .query_row(sql, [lo, hi], |r| r.get::<_, i64>(0))
            .expect("count") as u64
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }
}

fn headers(range: &calamine::Range<Data>) -> Vec<String> {
    range
        .rows()
        .next()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .unwrap_or_default()
}

fn column(range: &calamine::Range<Data>, header: &str) -> Vec<Data> {
    let i = headers(range)
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header}"));
    range.rows().skip(1).map(|r| r[i].clone()).collect()
}

/// Run openpyxl on the file; the script prints JSON. Fails (never skips) without it.
fn openpyxl(path: &Path, script: &str) -> Value {
    let python = ["/usr/bin/python3", "python3"]
        .into_iter()
        .find(|p| {
            Command::new(p)
                .args(["-c", "import openpyxl"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect(
            "python3 with openpyxl (Debian: python3-openpyxl) is needed to read the ledgers back",
        );
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(path)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "openpyxl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("openpyxl printed JSON")
}

const OPENPYXL_SUMMARY: &str = r#"
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = {}
for ws in wb.worksheets:
    header = [c.value for c in ws[1]]
    dates = {}
    for i, h in enumerate(header):
        values = [r[i] for r in ws.iter_rows(min_row=2, values_only=True) if r[i] is not None]
        dates[h] = sum(isinstance(v, datetime.datetime) for v in values), len(values)
    widths = {k: v.width for k, v in ws.column_dimensions.items() if v.width}
    out[ws.title] = {"header": header, "rows": ws.max_row - 1, "freeze": ws.freeze_panes,
                     "dates": dates, "widths": len(widths), "filter": ws.auto_filter.ref}
print(json.dumps(out, ensure_ascii=False))
"#;

#[test]
fn the_household_ledger_reads_back_whole_and_masked() {
    let mut f = fixture();
    let sup = f.supervisor;
    let county = f.county.clone();
    let written = f
        .export(
            sup,
            json!({"kind": "ledger", "division_code": county}),
            "ledger.xlsx",
        )
        .expect("export");
    assert!(!written.revealed);
    assert_eq!(
        written.sensitive_columns,
        ["身份证号", "健康状况", "残疾类别", "残疾等级"]
    );

    let in_county = "h.division_code >= ?1 AND h.division_code < ?2";
    let households = f.count(&format!(
        "SELECT count(*) FROM household h WHERE {in_county}"
    ));
    let members = f.count(&format!(
        "SELECT count(*) FROM member m JOIN household h ON h.id = m.household_id WHERE {in_county} AND m.removed_on IS NULL"
    ));
    let needs = f.count(&format!(
        "SELECT count(*) FROM need n JOIN household h ON h.id = n.household_id WHERE {in_county}"
    ));
    let actions = f.count(&format!(
        "SELECT count(*) FROM action a JOIN plan_version p ON p.id = a.plan_version_id JOIN household h ON h.id = a.household_id
         WHERE {in_county} AND p.status = 'approved'"
    ));
    assert!(
        households >= 3 && members > households && actions > 0,
        "a fixture worth exporting"
    );

    // calamine: sheets, headers, rows, dates, masking.
    let mut wb: Xlsx<_> = open_workbook(f.path("ledger.xlsx")).expect("calamine opens it");
    assert_eq!(
        wb.sheet_names(),
        ["家庭", "成员", "需求", "帮扶措施", "说明"]
    );
    let hh = wb.worksheet_range("家庭").expect("家庭");
    assert_eq!(
        headers(&hh)[..6],
        [
            "案卷号",
            "县（区）",
            "乡镇（街道）",
            "村（社区）",
            "地址",
            "户主"
        ]
    );
    assert_eq!(hh.height() as u64 - 1, households);
    let referred = column(&hh, "建档日期");
    assert!(
        referred
            .iter()
            .all(|c| c.is_datetime() && c.as_date().is_some()),
        "建档日期 are date cells"
    );
    let cases: Vec<String> = column(&hh, "案卷号")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(
        cases.iter().all(|c| c.starts_with(&county)),
        "only the county's households"
    );
    let mut sorted = cases.clone();
    sorted.sort();
    assert_eq!(cases, sorted, "in case-number order");
    // Head, member count and open needs per household, as the household list computes them.
    let expected: Vec<(String, String, f64, f64)> = f
        .conn
        .prepare(&format!(
            "SELECT h.case_no, coalesce({}, ''),
                (SELECT count(*) FROM member m WHERE m.household_id = h.id AND m.removed_on IS NULL),
                (SELECT count(*) FROM need n WHERE n.household_id = h.id AND n.status IN ('open', 'in_progress'))
             FROM household h WHERE h.division_code >= ?1 AND h.division_code < ?2 ORDER BY h.case_no",
            yihu::api::shared::HEAD_NAME_SQL
        ))
        .expect("prepare")
        .query_map([county.clone(), format!("{county}~")], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as f64, r.get::<_, i64>(3)? as f64))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let heads: Vec<String> = column(&hh, "户主").iter().map(|c| c.to_string()).collect();
    let members_n: Vec<f64> = column(&hh, "成员数")
        .iter()
        .map(|c| c.get_float().unwrap_or(-1.0))
        .collect();
    let needs_n: Vec<f64> = column(&hh, "未解决需求")
        .iter()
        .map(|c| c.get_float().unwrap_or(-1.0))
        .collect();
    for (i, (case_no, head, m, n)) in expected.iter().enumerate() {
        assert_eq!(
            (&cases[i], &heads[i], members_n[i], needs_n[i]),
            (case_no, head, *m, *n)
        );
    }

    let mb = wb.worksheet_range("成员").expect("成员");
    assert_eq!(mb.height() as u64 - 1, members);
    let ids: Vec<String> = column(&mb, "身份证号")
        .iter()
        .map(|c| c.to_string())
        .collect();
    let real: Vec<String> = f
        .conn
        .prepare(
            "SELECT m.id_number FROM member m JOIN household h ON h.id = m.household_id
             WHERE h.division_code >= ?1 AND h.division_code < ?2 AND m.removed_on IS NULL AND m.id_number IS NOT NULL",
        )
        .expect("prepare")
        .query_map([county.clone(), format!("{county}~")], |r| r.get(0))
        .expect("ids")
        .collect::<Result<_, _>>()
        .expect("ids");
    assert!(!real.is_empty());
    for id in &real {
        assert!(!ids.contains(id), "an ID number in full in a masked ledger");
        assert!(ids.contains(&idcard::mask(id)), "the masked ID is there");
    }
    assert!(
        column(&mb, "健康状况")
            .iter()
            .all(|c| c.get_string() == Some(WITHHELD))
    );
    // A masked ID number's birth date is withheld with it; without one, the date is there.
    for (birth, idn) in column(&mb, "出生日期").iter().zip(column(&mb, "身份证号")) {
        if idn.to_string().is_empty() {
            assert!(birth.as_date().is_some(), "{birth:?}");
        } else {
            assert_eq!(birth.get_string(), Some(WITHHELD), "beside {idn}");
        }
    }
    assert_eq!(
        wb.worksheet_range("需求").expect("需求").height() as u64 - 1,
        needs
    );
    let ac = wb.worksheet_range("帮扶措施").expect("帮扶措施");
    assert_eq!(ac.height() as u64 - 1, actions);
    let schedules: Vec<String> = column(&ac, "周期").iter().map(|c| c.to_string()).collect();
    assert!(
        schedules.iter().any(|s| s.starts_with("每")),
        "recurring actions in words: {schedules:?}"
    );
    assert!(
        schedules.iter().any(|s| s.starts_with("一次性，")),
        "one-off actions: {schedules:?}"
    );
    let money: Vec<Data> = column(&ac, "金额（元）")
        .into_iter()
        .filter(|c| !c.is_empty())
        .collect();
    assert!(
        money.iter().all(|c| matches!(c, Data::Float(_))),
        "money as numbers"
    );
    let about = wb.worksheet_range("说明").expect("说明");
    let text: Vec<String> = about
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("=")
        })
        .collect();
    assert!(
        text.iter()
            .any(|t| t.starts_with("敏感字段=") && t.contains("已隐藏")),
        "{text:?}"
    );

    // openpyxl: the same counts, header rows frozen, widths and filters set, dates typed.
    let py = openpyxl(&f.path("ledger.xlsx"), OPENPYXL_SUMMARY);
    assert_eq!(py["家庭"]["rows"], households);
    assert_eq!(py["成员"]["rows"], members);
    assert_eq!(py["需求"]["rows"], needs);
    assert_eq!(py["帮扶措施"]["rows"], actions);
    for sheet in ["家庭", "成员", "需求", "帮扶措施"] {
        assert_eq!(py[sheet]["freeze"], "A2", "{sheet}: header row frozen");
        assert!(
            py[sheet]["widths"].as_u64() > Some(3),
            "{sheet}: column widths set"
        );
        assert!(
            py[sheet]["filter"]
                .as_str()
                .is_some_and(|r| r.starts_with("A1:")),
            "{sheet}: filter"
        );
    }
    assert_eq!(py["家庭"]["header"][0], "案卷号");
    let (typed, all) = (
        &py["成员"]["dates"]["出生日期"][0],
        &py["成员"]["dates"]["出生日期"][1],
    );
    // Every birth date shown is a date cell; the others are withheld beside a masked number.
    let withheld = ids.iter().filter(|i| !i.is_empty()).count() as u64;
    assert_eq!(
        typed.as_u64().map(|t| t + withheld),
        all.as_u64(),
        "every birth date shown is a date cell"
    );
    assert!(typed.as_u64() > Some(0));

    // One audit row, naming what was exported, never a value.
    let (after, n): (String, i64) = f
        .conn
        .query_row(
            "SELECT after_json, (SELECT count(*) FROM audit WHERE entity_type = 'export') FROM audit
             WHERE entity_type = 'export' ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("audit row");
    assert_eq!(n, 1);
    let after: Value = serde_json::from_str(&after).expect("json");
    assert_eq!(after["kind"], "ledger");
    assert_eq!(after["revealed"], false);
    assert_eq!(after["division_code"], county.as_str());
    assert!(
        !real
            .iter()
            .any(|id| after.to_string().contains(id.as_str()))
    );

    // Revealed: the ID numbers and health data in full, and the audit says so.
    f.export(
        sup,
        json!({"kind": "ledger", "division_code": county, "reveal": true}),
        "revealed.xlsx",
    )
    .expect("export");
    let mut wb: Xlsx<_> = open_workbook(f.path("revealed.xlsx")).expect("calamine");
    let mb = wb.worksheet_range("成员").expect("成员");
    let ids: Vec<String> = column(&mb, "身份证号")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(real.iter().all(|id| ids.contains(id)));
    assert!(
        column(&mb, "健康状况")
            .iter()
            .all(|c| c.get_string() != Some(WITHHELD))
    );
    let revealed: String = f
        .conn
        .query_row(
            "SELECT after_json FROM audit WHERE entity_type = 'export' ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("audit");
    assert!(revealed.contains("\"revealed\":true"));
}

#[test]
fn deliveries_and_summary_in_excel_and_csv() {
    let mut f = fixture();
    let sup = f.supervisor;
    let county = f.county.clone();
    let period = json!({"from": "2026-09-01", "to": "2026-11-28"});
    f.export(
        sup,
        json!({"kind": "deliveries", "division_code": county, "period": period}),
        "d.xlsx",
    )
    .expect("export");
    let due = f.count(
        "SELECT count(*) FROM occurrence o JOIN household h ON h.id = o.household_id
         WHERE h.division_code >= ?1 AND h.division_code < ?2 AND o.due_on >= '2026-09-01' AND o.due_on <= '2026-11-28'",
    );
    assert!(due > 0);
    let mut wb: Xlsx<_> = open_workbook(f.path("d.xlsx")).expect("calamine");
    assert_eq!(wb.sheet_names(), ["服务记录", "说明"]);
    let d = wb.worksheet_range("服务记录").expect("sheet");
    assert_eq!(d.height() as u64 - 1, due);
    let dates: Vec<_> = column(&d, "应服务日期")
        .iter()
        .map(|c| c.as_date().expect("a date cell"))
        .collect();
    assert!(
        dates
            .iter()
            .all(|d| *d >= date("2026-09-01") && *d <= date("2026-11-28"))
    );
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "in date order");
    let py = openpyxl(&f.path("d.xlsx"), OPENPYXL_SUMMARY);
    assert_eq!(py["服务记录"]["rows"], due);
    assert_eq!(py["服务记录"]["dates"]["应服务日期"][0], due);

    // The same as CSV: UTF-8 with a byte-order mark, one file per sheet.
    let w = f
        .export(sup, json!({"kind": "deliveries", "division_code": county, "period": period, "format": "csv"}), "d.csv")
        .expect("csv");
    assert_eq!(w.files.len(), 2);
    let bytes = std::fs::read(f.path("d.csv")).expect("read");
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "BOM");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(
        reader.headers().expect("headers").get(0),
        Some("应服务日期")
    );
    assert_eq!(reader.records().count() as u64, due);
    assert!(f.path("d-说明.csv").exists());

    // Summary: one line per township plus the total, whose households equal the open ones.
    f.export(
        sup,
        json!({"kind": "summary", "division_code": county, "period": period}),
        "s.xlsx",
    )
    .expect("summary");
    let open = f.count(
        "SELECT count(*) FROM household h WHERE h.division_code >= ?1 AND h.division_code < ?2 AND h.status <> 'closed'",
    );
    let mut wb: Xlsx<_> = open_workbook(f.path("s.xlsx")).expect("calamine");
    assert_eq!(wb.sheet_names(), ["按地区汇总", "按困难类型汇总", "说明"]);
    let s = wb.worksheet_range("按地区汇总").expect("sheet");
    let households: Vec<f64> = column(&s, "在案户数")
        .iter()
        .map(|c| c.get_float().expect("number"))
        .collect();
    let (total, lines) = households.split_last().expect("a total line");
    assert_eq!(*total as u64, open);
    assert_eq!(
        lines.iter().sum::<f64>() as u64,
        open,
        "the townships add up to the total"
    );
    let townships = f.count("SELECT count(*) FROM division WHERE parent_code = ?1 AND ?2 <> ''");
    assert!(lines.len() as u64 >= townships);
    let c = wb.worksheet_range("按困难类型汇总").expect("sheet");
    assert_eq!(
        c.height() - 1,
        yihu::types::Cause::ALL.len(),
        "one line per hardship cause"
    );
}

#[test]
fn refused_exports_leave_no_file_and_no_audit_row() {
    let mut f = fixture();
    let sup = f.supervisor;
    let audit = |f: &Fixture| -> i64 {
        f.conn
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
            .expect("count")
    };
    let before = audit(&f);
    let cases = [
        (
            json!({"kind": "ledger", "period": {"from": "2026-01-01", "to": "2026-02-01"}}),
            "validation.not_applicable",
            "period",
        ),
        (
            json!({"kind": "deliveries"}),
            "validation.required",
            "period",
        ),
        (
            json!({"kind": "summary", "period": {"from": "2026-03-01", "to": "2026-01-01"}}),
            "validation.date.order",
            "period.to",
        ),
        (
            json!({"kind": "deliveries", "period": {"from": "2021-01-01", "to": "2026-11-28"}}),
            "validation.out_of_range",
            "period.to",
        ),
        (
            json!({"kind": "ledger", "division_code": "11"}),
            "auth.out_of_scope",
            "",
        ),
        (
            json!({"kind": "ledger", "division_code": "99999999"}),
            "",
            "division_code",
        ),
    ];
    for (i, (request, code, field)) in cases.iter().enumerate() {
        let file = format!("refused-{i}.xlsx");
        let e = f.export(sup, request.clone(), &file).expect_err("refused");
        if !code.is_empty() {
            assert_eq!(e.code, *code, "{request}");
        }
        if !field.is_empty() {
            assert_eq!(e.field.as_deref(), Some(*field), "{request}");
        }
        assert!(!f.path(&file).exists());
        assert!(!f.path(&format!("{file}.part")).exists());
    }
    // Unknown kinds and fields are refused when the request is read.
    let e =
        api::parse_request::<LedgerRequest>(r#"{"kind": "everything"}"#).expect_err("unknown kind");
    assert_eq!(e.field.as_deref(), Some("kind"));
    // An administrator keeps the system and sees no case data.
    let admin: String = f
        .conn
        .query_row(
            "SELECT id FROM staff WHERE role = 'admin' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("admin");
    let e = f
        .export(
            admin.parse().expect("uuid"),
            json!({"kind": "ledger", "division_code": "32"}),
            "admin.xlsx",
        )
        .expect_err("refused");
    assert_eq!(e.code, "auth.forbidden");
    // A destination that cannot be written: a clear error at "out", nothing left behind.
    let e = f
        .export(sup, json!({"kind": "ledger"}), "no-such-folder/ledger.xlsx")
        .expect_err("unwritable");
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("export.write_failed", Some("out"))
    );
    assert_eq!(audit(&f), before, "no audit row for any refused export");
}

#[test]
fn export_labels_match_the_window() {
    // The ledgers' Chinese labels are the words the UI shows (ui/src/lib/i18n/enums.ts).
    let ts = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/i18n/enums.ts"),
    )
    .expect("enums.ts");
    let zh = &ts[ts.find("export const zhEnums").expect("zhEnums")..];
    let zh = &zh[..zh.find("\n};").expect("end of zhEnums")];
    for (name, labels) in yihu::labels::all() {
        let start = zh
            .find(&format!("\n  {name}: {{"))
            .unwrap_or_else(|| panic!("{name} in enums.ts"));
        let block = &zh[start..];
        let block = &block[..block.find('}').expect("end of block")];
        for (value, label) in labels {
            assert!(
                block.contains(&format!("{value}: \"{label}\"")),
                "{name}.{value}: the ledger says {label:?}, enums.ts says otherwise"
            );
        }
    }
}
