//! `yihu check`: SQLite's own integrity and foreign-key checks plus the domain invariants that
//! no single constraint can express (every occurrence belongs to an action of a plan of the
//! same household, the denormalised last-visit date is right, ...).

use rusqlite::Connection;
use serde::Serialize;

use crate::error::ApiResult;
use crate::types::{NeedCategory, Relation};

/// The file's schema against the one the migrations define: every table, index, trigger or
/// view added (`check.schema.unexpected`), changed (`check.schema.changed`) or missing
/// (`check.schema.missing`). A trigger planted on `audit` (one that silently drops its rows)
/// is what this is first for, and is listed first.
fn schema_problems(conn: &Connection) -> ApiResult<Vec<Problem>> {
    let expected = crate::db::expected_schema()?;
    let found = crate::db::schema_of(conn)?;
    let key = |o: &crate::db::SchemaObject| (o.0.clone(), o.1.clone());
    let describe = |o: &crate::db::SchemaObject| format!("{} {} on {}", o.0, o.1, o.2);
    // Triggers on `audit` first, then everything else in order.
    let order = |o: &crate::db::SchemaObject| (!(o.0 == "trigger" && o.2 == "audit"), key(o));
    let mut unexpected: Vec<&crate::db::SchemaObject> = Vec::new();
    let mut changed = Vec::new();
    for f in &found {
        match expected.iter().find(|e| key(e) == key(f)) {
            None => unexpected.push(f),
            Some(e) if e != f => changed.push(f),
            Some(_) => {}
        }
    }
    let missing: Vec<_> = expected
        .iter()
        .filter(|e| !found.iter().any(|f| key(f) == key(e)))
        .collect();
    let mut out = Vec::new();
    for (check, mut list) in [
        ("check.schema.unexpected", unexpected),
        ("check.schema.changed", changed),
        ("check.schema.missing", missing),
    ] {
        if list.is_empty() {
            continue;
        }
        list.sort_by_key(|o| order(o));
        out.push(Problem {
            check: check.into(),
            count: list.len() as i64,
            example: list.first().map(|o| describe(o)),
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Problem {
    pub check: String,
    pub count: i64,
    /// The id of one offending row, to start looking from.
    pub example: Option<String>,
}

/// Each invariant as SQL selecting the id of every row that breaks it.
fn invariants() -> Vec<(&'static str, String)> {
    let in_list = |vals: &[&str]| {
        vals.iter()
            .map(|v| format!("'{v}'"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let categories = in_list(
        &NeedCategory::ALL
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
    );
    let relations = in_list(&Relation::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>());
    vec![
        ("occurrence.household_matches_action",
         "SELECT o.id AS id FROM occurrence o JOIN action a ON a.id = o.action_id WHERE o.household_id <> a.household_id".into()),
        ("action.household_matches_plan",
         "SELECT a.id AS id FROM action a JOIN plan_version p ON p.id = a.plan_version_id WHERE a.household_id <> p.household_id".into()),
        ("occurrence.action_was_in_force",
         "SELECT o.id AS id FROM occurrence o JOIN action a ON a.id = o.action_id JOIN plan_version p ON p.id = a.plan_version_id
          WHERE p.status NOT IN ('approved', 'superseded')".into()),
        ("action_need.same_household",
         "SELECT an.action_id AS id FROM action_need an JOIN action a ON a.id = an.action_id JOIN need n ON n.id = an.need_id
          WHERE a.household_id <> n.household_id".into()),
        ("need.member_same_household",
         "SELECT n.id AS id FROM need n JOIN member m ON m.id = n.member_id WHERE m.household_id <> n.household_id".into()),
        ("need.found_visit_same_household",
         "SELECT n.id AS id FROM need n JOIN visit v ON v.id = n.found_visit_id WHERE v.household_id <> n.household_id".into()),
        ("occurrence.visit_same_household",
         "SELECT o.id AS id FROM occurrence o JOIN visit v ON v.id = o.visit_id WHERE v.household_id <> o.household_id".into()),
        ("campaign_item.visit_same_household",
         "SELECT i.campaign_id || '/' || i.household_id AS id FROM campaign_item i JOIN visit v ON v.id = i.visit_id
          WHERE v.household_id <> i.household_id".into()),
        ("campaign_item.visit_matches_status",
         "SELECT i.campaign_id || '/' || i.household_id AS id FROM campaign_item i JOIN visit v ON v.id = i.visit_id
          WHERE (i.status = 'pending' AND v.status <> 'scheduled') OR (i.status = 'done' AND v.status <> 'completed')".into()),
        ("occurrence.recorded_fields",
         "SELECT id AS id FROM occurrence WHERE (status = 'due' AND (done_on IS NOT NULL OR recorded_by IS NOT NULL))
             OR (status = 'done' AND (done_on IS NULL OR recorded_by IS NULL))
             OR (status IN ('missed', 'skipped') AND (done_on IS NOT NULL OR recorded_by IS NULL))".into()),
        ("household.last_visit_on_matches_visits",
         "SELECT h.id AS id FROM household h WHERE h.last_visit_on IS NOT (SELECT max(d) FROM (
             SELECT v.visited_on AS d FROM visit v WHERE v.household_id = h.id AND v.status = 'completed'
             UNION ALL
             SELECT o.done_on FROM occurrence o JOIN action a ON a.id = o.action_id
               JOIN service s ON s.id = a.service_id
              WHERE o.household_id = h.id AND o.status = 'done' AND s.counts_as_contact = 1))".into()),
        ("division_copies_match_household",
         "SELECT x.id AS id FROM (SELECT id, household_id, division_code FROM occurrence
                                  UNION ALL SELECT id, household_id, division_code FROM visit
                                  UNION ALL SELECT id, household_id, division_code FROM plan_version) x
          JOIN household h ON h.id = x.household_id WHERE x.division_code <> h.division_code".into()),
        ("closed_household.nothing_pending",
         "SELECT h.id AS id FROM household h WHERE h.status = 'closed' AND (
             EXISTS (SELECT 1 FROM occurrence o WHERE o.household_id = h.id AND o.status = 'due')
             OR EXISTS (SELECT 1 FROM visit v WHERE v.household_id = h.id AND v.status = 'scheduled'))".into()),
        ("household.case_no_format",
         "SELECT id AS id FROM household WHERE case_no NOT GLOB '[0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]*'".into()),
        ("household.case_counter_ahead",
         "SELECT h.id AS id FROM household h LEFT JOIN case_counter c ON c.county_code = substr(h.case_no, 1, 6)
             AND c.year = CAST(substr(h.case_no, 8, 4) AS INTEGER)
          WHERE c.last_seq IS NULL OR c.last_seq < CAST(substr(h.case_no, 13) AS INTEGER)".into()),
        ("household.searchable",
         "SELECT h.id AS id FROM household h WHERE NOT EXISTS
             (SELECT 1 FROM household_search s WHERE s.rowid = h.search_id)".into()),
        ("household_search.no_orphans",
         "SELECT s.rowid AS id FROM household_search s WHERE NOT EXISTS
             (SELECT 1 FROM household h WHERE h.search_id = s.rowid)".into()),
        ("household.one_head",
         "SELECT household_id AS id FROM member WHERE relation = 'head' AND removed_on IS NULL GROUP BY household_id HAVING count(*) > 1".into()),
        ("plan.approved_fields",
         "SELECT id AS id FROM plan_version WHERE status IN ('approved', 'superseded')
             AND (decided_by IS NULL OR in_force_from IS NULL)".into()),
        ("plan.snapshot_covers_its_actions",
         "SELECT p.id AS id FROM plan_version p JOIN action a ON a.plan_version_id = p.id
             JOIN action_need an ON an.action_id = a.id
          WHERE p.status IN ('submitted', 'approved', 'returned', 'superseded')
            AND NOT EXISTS (SELECT 1 FROM plan_need pn WHERE pn.plan_version_id = p.id AND pn.need_id = an.need_id)".into()),
        ("plan.returned_has_comment",
         "SELECT id AS id FROM plan_version WHERE status = 'returned' AND coalesce(trim(decision_comment), '') = ''".into()),
        ("plan.versions_numbered",
         "SELECT household_id AS id FROM plan_version GROUP BY household_id HAVING max(version_no) <> count(*)".into()),
        ("visit.members_seen_same_household",
         "SELECT v.id AS id FROM visit v, json_each(v.members_seen) j LEFT JOIN member m ON m.id = j.value
          WHERE m.id IS NULL OR m.household_id <> v.household_id".into()),
        ("need.category_known", format!("SELECT id AS id FROM need WHERE category NOT IN ({categories})")),
        ("action.category_known", format!("SELECT id AS id FROM action WHERE category NOT IN ({categories})")),
        ("service.category_known", format!("SELECT id AS id FROM service WHERE category NOT IN ({categories})")),
        ("member.relation_known", format!("SELECT id AS id FROM member WHERE relation NOT IN ({relations})")),
        ("audit.every_household_has_history",
         "SELECT h.id AS id FROM household h WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.household_id = h.id)".into()),
    ]
}

/// Run every check; an empty result means the file is sound.
pub fn run(conn: &Connection) -> ApiResult<Vec<Problem>> {
    let mut problems = Vec::new();
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if integrity != ["ok"] {
        problems.push(Problem {
            check: "sqlite.integrity_check".into(),
            count: integrity.len() as i64,
            example: integrity.first().cloned(),
        });
    }
    let fk: Vec<(String, Option<i64>, String)> = conn
        .prepare("PRAGMA foreign_key_check")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    if !fk.is_empty() {
        problems.push(Problem {
            check: "sqlite.foreign_key_check".into(),
            count: fk.len() as i64,
            example: fk
                .first()
                .map(|(t, row, parent)| format!("{t} rowid {row:?} -> {parent}")),
        });
    }
    // FTS5's own consistency check of the search index (raises an error when damaged).
    if let Err(e) = conn.execute(
        "INSERT INTO household_search(household_search) VALUES ('integrity-check')",
        [],
    ) {
        problems.push(Problem {
            check: "household_search.integrity".into(),
            count: 1,
            example: Some(e.to_string()),
        });
    }
    problems.extend(schema_problems(conn)?);
    // The audit trail's hash chain (what `yihu audit verify` reports in full), and the head
    // recorded outside the file.
    let chain = crate::audit_chain::verify(conn)?;
    if let Some(p) = chain
        .first_problem
        .or(crate::audit_chain::anchor_problem(conn)?)
    {
        problems.push(Problem {
            check: if p.kind == crate::audit_chain::ProblemKind::Truncated {
                "audit.chain.truncated".into()
            } else {
                "audit.chain".into()
            },
            count: 1,
            example: Some(format!("{:?} at seq {}", p.kind, p.seq).to_lowercase()),
        });
    }
    for (name, sql) in invariants() {
        let (count, example): (i64, Option<String>) =
            conn.query_row(&format!("SELECT count(*), min(id) FROM ({sql})"), [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        if count > 0 {
            problems.push(Problem {
                check: name.to_string(),
                count,
                example,
            });
        }
    }
    Ok(problems)
}
