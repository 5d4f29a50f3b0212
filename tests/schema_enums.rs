//! The values SQL `CHECK`s allow are the values of the Rust enums that are stored in those
//! columns: read from the schema of a freshly migrated database (every migration applied), and
//! evaluated by SQLite itself. A variant added in Rust without a migration would be refused on
//! write; a value left in a CHECK after a variant is removed would let the database hold what
//! the code cannot read. Every column with a CHECK of text values must be listed here.

use std::collections::BTreeSet;

use rusqlite::Connection;
use yihu::types::*;

/// The Rust values of `E`, by their stored names.
fn names<E: Copy>(all: &[E], name: fn(E) -> &'static str) -> BTreeSet<String> {
    all.iter().map(|e| name(*e).to_string()).collect()
}

/// Every (table, column) of the schema and the text of its column `CHECK (...)`.
fn column_checks(conn: &Connection) -> Vec<(String, String, String)> {
    let mut st = conn
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql IS NOT NULL")
        .expect("schema");
    let tables: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("rows");
    let mut out = Vec::new();
    for (table, sql) in tables {
        // The column definitions: split the body at top-level commas.
        let Some(open) = sql.find('(') else { continue };
        // Comments (which may hold commas and quotes) end at the line's end.
        let body: String = sql[open + 1..sql.rfind(')').unwrap_or(sql.len())]
            .lines()
            .map(|l| l.split("--").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" ");
        let (mut depth, mut start, mut parts) = (0i32, 0usize, Vec::new());
        for (i, c) in body.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&body[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&body[start..]);
        for part in parts {
            let def = part.trim();
            let Some(column) = def.split_whitespace().next() else {
                continue;
            };
            if column.eq_ignore_ascii_case("CHECK") || column.eq_ignore_ascii_case("PRIMARY") {
                continue; // table constraints
            }
            let Some(at) = def.find("CHECK") else {
                continue;
            };
            let rest = &def[at + "CHECK".len()..];
            let Some(from) = rest.find('(') else { continue };
            let mut depth = 0;
            let mut end = None;
            for (i, c) in rest[from..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(from + i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            if let Some(end) = end {
                out.push((
                    table.clone(),
                    column.to_string(),
                    rest[from..=end].to_string(),
                ));
            }
        }
    }
    out
}

/// The quoted text values a CHECK expression names.
fn literals(check: &str) -> BTreeSet<String> {
    check
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// Whether SQLite accepts `value` in `column` under `check`.
fn accepts(conn: &Connection, column: &str, check: &str, value: &str) -> bool {
    conn.query_row(
        &format!("SELECT {check} FROM (SELECT ?1 AS {column})"),
        [value],
        |r| r.get::<_, bool>(0),
    )
    .unwrap_or_else(|e| panic!("cannot evaluate CHECK {check}: {e}"))
}

#[test]
fn every_check_of_the_schema_allows_exactly_the_values_of_its_rust_enum() {
    let dir = tempfile::tempdir().expect("dir");
    let conn = yihu::db::open(&dir.path().join("yihu.db")).expect("open");
    let expected: Vec<(&str, &str, BTreeSet<String>)> = vec![
        ("division", "level", names(Level::ALL, Level::as_str)),
        ("staff", "role", names(Role::ALL, Role::as_str)),
        (
            "partner",
            "kind",
            names(PartnerKind::ALL, PartnerKind::as_str),
        ),
        (
            "household",
            "referral_source",
            names(ReferralSource::ALL, ReferralSource::as_str),
        ),
        (
            "household",
            "priority",
            names(Priority::ALL, Priority::as_str),
        ),
        (
            "household",
            "status",
            names(HouseholdStatus::ALL, HouseholdStatus::as_str),
        ),
        (
            "household",
            "closure_reason",
            names(ClosureReason::ALL, ClosureReason::as_str),
        ),
        (
            "household_support",
            "kind",
            names(SupportKind::ALL, SupportKind::as_str),
        ),
        ("member", "sex", names(Sex::ALL, Sex::as_str)),
        (
            "visit",
            "status",
            names(VisitStatus::ALL, VisitStatus::as_str),
        ),
        ("visit", "kind", names(VisitKind::ALL, VisitKind::as_str)),
        ("need", "priority", names(Priority::ALL, Priority::as_str)),
        ("need", "status", names(NeedStatus::ALL, NeedStatus::as_str)),
        (
            "plan_version",
            "status",
            names(PlanStatus::ALL, PlanStatus::as_str),
        ),
        (
            "action",
            "status",
            names(ActionStatus::ALL, ActionStatus::as_str),
        ),
        (
            "occurrence",
            "status",
            names(OccurrenceStatus::ALL, OccurrenceStatus::as_str),
        ),
        (
            "campaign",
            "kind",
            names(CampaignKind::ALL, CampaignKind::as_str),
        ),
        (
            "campaign",
            "festival",
            names(Festival::ALL, Festival::as_str),
        ),
        (
            "campaign_item",
            "status",
            names(CampaignItemStatus::ALL, CampaignItemStatus::as_str),
        ),
        (
            "school_holiday",
            "kind",
            names(HolidayKind::ALL, HolidayKind::as_str),
        ),
    ];
    let checks: Vec<_> = column_checks(&conn)
        .into_iter()
        .filter(|(_, _, check)| !literals(check).is_empty())
        .collect();
    // Every CHECK of text values is compared with an enum (a new one must be added above).
    let found: BTreeSet<(String, String)> = checks
        .iter()
        .map(|(t, c, _)| (t.clone(), c.clone()))
        .collect();
    let listed: BTreeSet<(String, String)> = expected
        .iter()
        .map(|(t, c, _)| (t.to_string(), c.to_string()))
        .collect();
    assert_eq!(found, listed, "columns with a CHECK of text values");
    for (table, column, values) in &expected {
        let (_, _, check) = checks
            .iter()
            .find(|(t, c, _)| t == table && c == column)
            .unwrap_or_else(|| panic!("no CHECK on {table}.{column}"));
        assert_eq!(&literals(check), values, "{table}.{column}: {check}");
        for v in values {
            assert!(
                accepts(&conn, column, check, v),
                "{table}.{column} refuses {v}"
            );
        }
        assert!(
            !accepts(&conn, column, check, "not_a_value"),
            "{table}.{column} accepts anything: {check}"
        );
    }
}
