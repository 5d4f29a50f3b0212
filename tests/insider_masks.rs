//! Insider finding 1: a masked 身份证 number must stay masked against someone who reads
//! everything shown beside it. The attacker here enumerates every 18-character number
//! consistent with what one surface shows of a member — the masked digits, the household's
//! county (real division codes), the birth date or age, the sex, the check digit — and the
//! test fails if any member narrows to fewer than 1,000 candidates. It walks `household.get`,
//! the household's history (`audit.list`), the masked Excel and CSV ledgers, and the search.
//! The same attacker, given what the old mask showed (first 4 and last 4 digits beside the
//! birth date), finds the number in a handful of candidates: the check can fail.

use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::{Datelike, Duration, Months, NaiveDate};
use rusqlite::Connection;
use serde_json::{Value, json};
use uuid::Uuid;
use yihu::api::ledger::{LedgerJob, LedgerRequest, WITHHELD};
use yihu::{Ctx, api, idcard};

use crate::common::{date, demo_file};

const TODAY: &str = "2026-11-28";
const ENOUGH: usize = 1_000;

/// What one surface shows of a member.
struct Shown<'a> {
    masked: &'a str,
    county: &'a str,
    male: Option<bool>,
    age: Option<u32>,
    birth: Option<NaiveDate>,
    /// The day the age was computed on.
    on: NaiveDate,
}

/// How many 18-character ID numbers fit what `s` shows (counting stops at `cap`).
fn candidates(s: &Shown<'_>, cap: usize) -> usize {
    let m: Vec<char> = s.masked.chars().collect();
    assert_eq!(
        m.len(),
        18,
        "a masked number keeps its length: {}",
        s.masked
    );
    let fits = |i: usize, c: char| m[i] == '*' || m[i].eq_ignore_ascii_case(&c);
    if !s.county.chars().enumerate().all(|(i, c)| fits(i, c)) {
        return 0;
    }
    let (lo, hi) = match (s.birth, s.age) {
        (Some(b), _) => (b, b),
        (None, Some(a)) => {
            // Aged `a` on `on`: born after `on` minus a+1 years, on or before `on` minus a.
            let hi = s.on.checked_sub_months(Months::new(12 * a)).expect("date");
            let lo =
                s.on.checked_sub_months(Months::new(12 * (a + 1)))
                    .expect("date")
                    + Duration::days(1);
            (lo, hi)
        }
        (None, None) => (date("1900-01-01"), s.on),
    };
    let mut n = 0;
    let mut d = lo;
    while d <= hi {
        let ds = d.format("%Y%m%d").to_string();
        if ds.chars().enumerate().all(|(i, c)| fits(6 + i, c)) {
            for seq in 0..1000u32 {
                if s.male.is_some_and(|male| (seq % 2 == 1) != male) {
                    continue;
                }
                let s3 = format!("{seq:03}");
                if !s3.chars().enumerate().all(|(i, c)| fits(14 + i, c)) {
                    continue;
                }
                let first17 = format!("{}{ds}{s3}", s.county);
                let Some(check) = idcard::check_char(&first17) else {
                    continue;
                };
                if fits(17, check) {
                    n += 1;
                    if n >= cap {
                        return n;
                    }
                }
            }
        }
        d += Duration::days(1);
    }
    n
}

/// A member as `Member` JSON shows it (a response or a history record), against `county`.
fn shown_member<'a>(m: &'a Value, county: &'a str, on: NaiveDate) -> Option<Shown<'a>> {
    let masked = m["id_number"].as_str().filter(|n| n.contains('*'))?;
    Some(Shown {
        masked,
        county,
        male: m["sex"].as_str().map(|s| s == "male"),
        age: m["age"].as_u64().map(|a| a as u32),
        birth: m["birth_date"]
            .as_str()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        on,
    })
}

#[track_caller]
fn assert_enough(s: &Shown<'_>, surface: &str) {
    let n = candidates(s, ENOUGH);
    assert!(
        n >= ENOUGH,
        "{surface}: {} narrows to {n} candidates (age {:?}, birth {:?})",
        s.masked,
        s.age,
        s.birth
    );
}

struct Fixture {
    _dir: tempfile::TempDir,
    conn: Connection,
    supervisor: Uuid,
    county: String,
}

fn fixture() -> Fixture {
    let (dir, _, conn, _) = demo_file(600, 11, TODAY);
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
        _dir: dir,
        conn,
        supervisor: supervisor.parse().expect("uuid"),
        county,
    }
}

impl Fixture {
    fn call(&mut self, actor: &str, command: &str, body: Value) -> Value {
        let ctx = Ctx::fixed(Some(actor.parse().expect("uuid")), date(TODAY));
        api::dispatch(&mut self.conn, &ctx, command, &body.to_string())
            .unwrap_or_else(|e| panic!("{command}: {e:?}"))
    }

    fn households(&self) -> Vec<(String, String)> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, caseworker_id FROM household WHERE substr(division_code, 1, 6) = ?1
                 AND caseworker_id IS NOT NULL AND status <> 'closed' ORDER BY case_no",
            )
            .expect("prepare");
        st.query_map([&self.county], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    /// Every ID number of the county, in full (the truth the attacker is after).
    fn true_numbers(&self) -> Vec<String> {
        let mut st = self
            .conn
            .prepare(
                "SELECT m.id_number FROM member m JOIN household h ON h.id = m.household_id
                 WHERE substr(h.division_code, 1, 6) = ?1 AND m.id_number IS NOT NULL AND m.removed_on IS NULL",
            )
            .expect("prepare");
        st.query_map([&self.county], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }
}

/// The enumeration finds the real number among its candidates, and what the old mask showed
/// (first 4 and last 4 beside the birth date) gives it back in a handful: the attacker is real.
#[test]
fn the_attacker_finds_numbers_the_old_mask_left_guessable() {
    let f = fixture();
    let numbers = f.true_numbers();
    assert!(numbers.len() >= 20, "{} numbers", numbers.len());
    for n in numbers.iter().take(20) {
        let info = idcard::parse(n).expect("valid");
        let old: String = n
            .chars()
            .enumerate()
            .map(|(i, c)| if (4..14).contains(&i) { '*' } else { c })
            .collect();
        let shown = Shown {
            masked: &old,
            county: &n[..6],
            male: Some(matches!(info.sex, idcard::IdSex::Male)),
            age: None,
            birth: Some(info.birth_date),
            on: date(TODAY),
        };
        assert_eq!(candidates(&shown, ENOUGH), 1, "the old view gives {n} back");
        // Today's mask, with the birth date withheld and the age shown: thousands.
        let masked = idcard::mask(n);
        let age = u32::try_from(
            date(TODAY).year()
                - info.birth_date.year()
                - i32::from(
                    (date(TODAY).month(), date(TODAY).day())
                        < (info.birth_date.month(), info.birth_date.day()),
                ),
        )
        .expect("age");
        let now = Shown {
            masked: &masked,
            county: &n[..6],
            male: shown.male,
            age: Some(age),
            birth: None,
            on: date(TODAY),
        };
        assert_enough(&now, "the mask with the age");
    }
}

#[test]
fn household_get_and_history_leave_every_masked_number_among_thousands() {
    let mut f = fixture();
    let county = f.county.clone();
    let households = f.households();
    assert!(households.len() >= 5, "{} households", households.len());
    // Members added and changed through the commands, so the history holds member records.
    for (i, (h, cw)) in households.iter().take(3).enumerate() {
        let first17 = format!("{county}19{:02}0{}1{}0{}3", 70 + i, i + 1, i, i);
        let idn = format!("{first17}{}", idcard::check_char(&first17).expect("17"));
        let info = idcard::parse(&idn).expect("valid");
        let sex = if matches!(info.sex, idcard::IdSex::Male) {
            "male"
        } else {
            "female"
        };
        let added = f.call(
            cw,
            "member.add",
            json!({"household_id": h, "member": {"name": format!("测试成员{i}"), "relation": "other",
                "sex": sex, "birth_date": info.birth_date, "id_number": idn}}),
        );
        let id = added["id"].as_str().expect("id").to_string();
        f.call(
            cw,
            "member.update",
            json!({"id": id, "member": {"name": format!("测试成员{i}"), "relation": "other",
                "sex": sex, "birth_date": info.birth_date, "id_number": idn, "phone": "13900001111"}}),
        );
    }
    let sup = f.supervisor.to_string();
    let (mut from_get, mut from_history) = (0, 0);
    for (h, _) in &households {
        let detail = f.call(&sup, "household.get", json!({"id": h}));
        let members = detail["members"]
            .as_array()
            .into_iter()
            .chain(detail["removed_members"].as_array())
            .flatten();
        for m in members {
            if let Some(s) = shown_member(m, &county, date(TODAY)) {
                assert!(
                    m["birth_date"].is_null(),
                    "the birth date is withheld with the mask: {m}"
                );
                assert_enough(&s, "household.get");
                from_get += 1;
            }
        }
        let history = f.call(
            &sup,
            "audit.list",
            json!({"household_id": h, "limit": 1000}),
        );
        for row in history.as_array().expect("rows") {
            let on = row["at"]
                .as_str()
                .and_then(|a| a.get(..10))
                .map(date)
                .expect("at");
            for side in ["before", "after"] {
                if let Some(s) = shown_member(&row[side], &county, on) {
                    assert_enough(&s, "audit.list");
                    from_history += 1;
                }
            }
        }
    }
    assert!(from_get >= 20, "{from_get} masked members in household.get");
    assert!(
        from_history >= 6,
        "{from_history} masked records in history"
    );
}

fn export(f: &mut Fixture, format: &str, file: &str) -> std::path::PathBuf {
    let request: LedgerRequest = api::parse_request(
        &json!({"kind": "ledger", "division_code": f.county, "format": format}).to_string(),
    )
    .expect("request");
    let out = f._dir.path().join(file);
    api::export_ledger(
        &mut f.conn,
        &Ctx::fixed(Some(f.supervisor), date(TODAY)),
        LedgerJob {
            request,
            out: out.clone(),
        },
    )
    .expect("export");
    out
}

/// The masked ledger's 成员 rows as (case number, sex, birth cell, age, ID cell).
fn ledger_rows(rows: Vec<Vec<String>>) -> Vec<(String, String, String, String, String)> {
    let header = rows.first().cloned().unwrap_or_default();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    let (case, sex, birth, age, idn) = (
        col("案卷号"),
        col("性别"),
        col("出生日期"),
        col("年龄"),
        col("身份证号"),
    );
    rows.iter()
        .skip(1)
        .map(|r| {
            (
                r[case].clone(),
                r[sex].clone(),
                r[birth].clone(),
                r[age].clone(),
                r[idn].clone(),
            )
        })
        .collect()
}

fn check_ledger(rows: Vec<(String, String, String, String, String)>, surface: &str) {
    let mut seen = 0;
    for (case, sex, birth, age, idn) in &rows {
        if !idn.contains('*') {
            continue;
        }
        assert_eq!(birth, WITHHELD, "{surface}: the birth date beside {idn}");
        let county = &case[..6];
        let s = Shown {
            masked: idn,
            county,
            male: Some(sex == "男"),
            age: age.trim().parse().ok(),
            birth: NaiveDate::parse_from_str(birth, "%Y-%m-%d").ok(),
            on: date(TODAY),
        };
        assert!(s.age.is_some(), "{surface}: an age is shown: {age}");
        assert_enough(&s, surface);
        seen += 1;
    }
    assert!(seen >= 20, "{surface}: {seen} masked numbers");
}

#[test]
fn the_masked_ledgers_leave_every_number_among_thousands() {
    let mut f = fixture();
    let xlsx = export(&mut f, "xlsx", "ledger.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&xlsx).expect("calamine");
    let range = wb.worksheet_range("成员").expect("成员");
    let cell = |c: &Data| match c {
        Data::Float(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Data::Int(i) => i.to_string(),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|t| t.date().to_string())
            .unwrap_or_default(),
        other => other.to_string(),
    };
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(cell).collect()).collect();
    check_ledger(ledger_rows(rows), "xlsx ledger");

    let csv = export(&mut f, "csv", "ledger.csv");
    let dir = csv.parent().expect("dir");
    let members = std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().contains("成员"))
        .expect("the members' CSV");
    let text = std::fs::read_to_string(&members).expect("read");
    let rows: Vec<Vec<String>> = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(|l| {
            l.split(',')
                .map(|c| c.trim_matches('"').to_string())
                .collect()
        })
        .collect();
    check_ledger(ledger_rows(rows), "csv ledger");
}

/// No part of an ID number finds a household (each search by some digits would tell whether
/// they are the hidden ones); the whole number does.
#[test]
fn search_is_no_oracle_for_the_hidden_digits() {
    let mut f = fixture();
    let sup = f.supervisor.to_string();
    let numbers = f.true_numbers();
    for n in numbers.iter().take(10) {
        for part in [&n[n.len() - 4..], &n[n.len() - 6..], &n[..14], &n[6..14]] {
            let page = f.call(&sup, "household.list", json!({"q": part}));
            let found: Vec<String> = page["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter_map(|i| i["id"].as_str().map(str::to_string))
                .collect();
            let owner: String = f
                .conn
                .query_row(
                    "SELECT household_id FROM member WHERE id_number = ?1",
                    [n],
                    |r| r.get(0),
                )
                .expect("owner");
            // A part may match a phone or a case number by chance, never because of the ID.
            let by_other: bool = f
                .conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM household_search s JOIN household h ON h.search_id = s.rowid
                     WHERE h.id = ?1 AND s.terms LIKE '%' || ?2 || '%')",
                    [&owner, &part.to_lowercase()],
                    |r| r.get(0),
                )
                .expect("terms");
            assert!(
                by_other || !found.contains(&owner),
                "searching {part} found the household of {n}"
            );
        }
        let page = f.call(&sup, "household.list", json!({"q": n}));
        assert_eq!(page["total"], json!(1), "the whole number finds it: {page}");
    }
}
