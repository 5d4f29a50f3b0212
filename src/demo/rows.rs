//! The generated rows on their way from the generator to the writers: per table, the values of
//! each queued row in one flat buffer (no allocation per value), handed over in batches and
//! sent back emptied for reuse; and each table's INSERT statement.

use crate::error::{ApiError, ApiResult};

/// One value of a generated row; text lives in its table's buffer (no allocation per value).
#[derive(Clone, Copy)]
pub(super) enum Slot {
    Null,
    Int(i64),
    Real(f64),
    Text(usize, usize),
}

/// The rows of one table that the generator has made and the loader has not yet written: the
/// values of each row one after the other (the loader cuts them by the statement's width).
#[derive(Default)]
pub(super) struct Rows {
    text: Vec<u8>,
    pub(super) values: Vec<Slot>,
}

impl Rows {
    /// Queue one row (same call shape as `Statement::execute`).
    pub(super) fn execute(&mut self, params: &[&dyn rusqlite::ToSql]) -> ApiResult<usize> {
        for p in params {
            let slot = self.slot(*p)?;
            self.values.push(slot);
        }
        Ok(1)
    }

    /// Replace the value at `index` of the queued values.
    pub(super) fn set(&mut self, index: usize, value: &dyn rusqlite::ToSql) -> ApiResult<()> {
        let slot = self.slot(value)?;
        match self.values.get_mut(index) {
            Some(v) => *v = slot,
            None => return Err(ApiError::internal("demo: no such queued value")),
        }
        Ok(())
    }

    fn slot(&mut self, p: &dyn rusqlite::ToSql) -> ApiResult<Slot> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        let out = p.to_sql()?;
        let v = match &out {
            ToSqlOutput::Borrowed(v) => *v,
            ToSqlOutput::Owned(v) => ValueRef::from(v),
            _ => return Err(ApiError::internal("demo: unsupported value")),
        };
        Ok(match v {
            ValueRef::Null => Slot::Null,
            ValueRef::Integer(i) => Slot::Int(i),
            ValueRef::Real(f) => Slot::Real(f),
            ValueRef::Text(b) => {
                let start = self.text.len();
                self.text.extend_from_slice(b);
                Slot::Text(start, self.text.len())
            }
            ValueRef::Blob(_) => return Err(ApiError::internal("demo: unsupported value")),
        })
    }

    /// Forget the queued rows, keeping the buffers.
    pub(super) fn clear(&mut self) {
        self.text.clear();
        self.values.clear();
    }

    /// Write every queued row with `st`.
    pub(super) fn write(&self, st: &mut rusqlite::CachedStatement<'_>) -> ApiResult<()> {
        let width = st.parameter_count().max(1);
        for row in self.values.chunks(width) {
            st.execute(rusqlite::params_from_iter(
                row.iter().map(|slot| Bound(&self.text, *slot)),
            ))?;
        }
        Ok(())
    }
}

/// A queued value, bound straight from its table's buffer.
struct Bound<'a>(&'a [u8], Slot);

impl rusqlite::ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self.1 {
            Slot::Null => ValueRef::Null,
            Slot::Int(i) => ValueRef::Integer(i),
            Slot::Real(f) => ValueRef::Real(f),
            Slot::Text(a, b) => ValueRef::Text(self.0.get(a..b).unwrap_or_default()),
        }))
    }
}

/// Generated rows, by table, on their way from the generator thread to the two writers.
#[derive(Default)]
pub(super) struct Stmts {
    pub(super) staff: Rows,
    pub(super) household: Rows,
    pub(super) support: Rows,
    pub(super) member: Rows,
    pub(super) need: Rows,
    pub(super) plan: Rows,
    pub(super) plan_need: Rows,
    pub(super) action: Rows,
    pub(super) action_need: Rows,
    pub(super) audit: Rows,
    pub(super) visit: Rows,
    pub(super) occurrence: Rows,
    /// Search documents, written by the side writer (see [`on_side`]).
    pub(super) term: Rows,
    /// The division of the household being written (copied onto its visits, plans, occurrences).
    pub(super) division: String,
    /// The last link of the audit chain: (seq, hash).
    pub(super) audit_head: (i64, String),
    /// The search document id of the next household.
    pub(super) next_search_id: i64,
    /// Emptied buffers back from the writers, by table (in the order of [`Batch`]).
    pub(super) spare: [Vec<Rows>; 13],
}

/// One batch of generated rows per table, in the order of [`LOAD`].
pub(super) type Batch = [Rows; 13];

impl Stmts {
    /// The rows made so far: those the main writer writes, and those for the side writer. The
    /// buffers put in their place are ones the writers have emptied and sent back, when there
    /// are any (no new allocation and no fresh pages per batch).
    pub(super) fn take(&mut self, recycled: &std::sync::mpsc::Receiver<Batch>) -> (Batch, Batch) {
        for batch in recycled.try_iter() {
            for (pool, rows) in self.spare.iter_mut().zip(batch) {
                if rows.values.capacity() > 0 {
                    pool.push(rows);
                }
            }
        }
        let mut spare = self
            .spare
            .iter_mut()
            .map(|pool| pool.pop().unwrap_or_default());
        let mut t = |rows: &mut Rows| std::mem::replace(rows, spare.next().unwrap_or_default());
        let all: Batch = [
            t(&mut self.staff),
            t(&mut self.household),
            t(&mut self.support),
            t(&mut self.member),
            t(&mut self.need),
            t(&mut self.plan),
            t(&mut self.plan_need),
            t(&mut self.action),
            t(&mut self.action_need),
            t(&mut self.audit),
            t(&mut self.visit),
            t(&mut self.occurrence),
            t(&mut self.term),
        ];
        let mut main: Batch = Default::default();
        let mut side: Batch = Default::default();
        for (i, rows) in all.into_iter().enumerate() {
            if on_side(LOAD[i].0) {
                side[i] = rows;
            } else {
                main[i] = rows;
            }
        }
        (main, side)
    }
}

/// Each table's statement, in the order of [`Batch`].
pub(super) const LOAD: [(&str, &str); 13] = [
    ("staff", "INSERT INTO staff(id, name, role, division_code, phone, active, created_at, updated_at)
        VALUES (?1,?2,?3,?4,NULL,1,?5,?5)"),
    ("household", "INSERT INTO household(id, case_no, division_code, address, phone, causes, referral_source,
        referral_note, referred_on, consent_on, consent_recorded_by, consent_scope, caseworker_id, priority, status,
        closure_reason, closure_note, closed_on, last_visit_on, search_id, created_at, updated_at)
        VALUES (?1,?2,?3,?4,?5,?6,?7,NULL,?8,?9,?10,?11,?12,?13,?14,?15,NULL,?16,?17,?19,?18,?18)"),
    ("household_support", "INSERT INTO household_support(household_id, kind, monthly_fen, note) VALUES (?1,?2,?3,NULL)"),
    ("member", "INSERT INTO member(id, household_id, name, relation, sex, birth_date, id_number, phone,
        health_conditions, disability_type, disability_grade, schooling, school_name, work, is_primary_carer, is_target,
        created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,NULL,NULL,?13,?14,?15,?15)"),
    ("need", "INSERT INTO need(id, household_id, member_id, category, description, priority, status,
        found_visit_id, found_on, resolved_on, outcome_note, created_at, updated_at)
        VALUES (?1,?2,?3,?4,?5,?6,?7,NULL,?8,?9,NULL,?10,?10)"),
    ("plan_version", "INSERT INTO plan_version(id, household_id, division_code, version_no, status, goals,
        based_on_id, created_by, created_at, updated_at, submitted_by, submitted_at, decided_by, decided_at,
        decision_comment, in_force_from)
        VALUES (?1,?2,?14,?3,?4,?5,NULL,?6,?7,?7,?8,?9,?10,?11,?12,?13)"),
    ("plan_need", "INSERT OR IGNORE INTO plan_need(plan_version_id, need_id, category, priority, description, status)
        VALUES (?1,?2,?3,?4,?5,?6)"),
    ("action", "INSERT INTO action(id, plan_version_id, household_id, lineage_id, service_id, title, category,
        partner_id, provider_name, responsible_name, responsible_phone, amount_fen, recurrence, start_on, status, note,
        created_at, updated_at) VALUES (?1,?2,?3,?1,NULL,?4,?5,NULL,?6,?7,NULL,?8,?9,?10,?11,NULL,?12,?12)"),
    ("action_need", "INSERT OR IGNORE INTO action_need(action_id, need_id) VALUES (?1,?2)"),
    ("audit", "INSERT INTO audit(seq, at, actor_id, command, entity_type, entity_id, household_id, before_json,
        after_json, prev_hash, hash) VALUES (?1,?2,NULL,'demo',?3,?4,?4,NULL,?5,?6,?7)"),
    ("visit", "INSERT INTO visit(id, household_id, division_code, status, kind, scheduled_on, visited_on,
        visitors, members_seen, notes, next_visit_on, created_by, created_at, updated_at)
        VALUES (?1,?2,?12,?3,?4,?5,?6,?7,?8,?9,NULL,?10,?11,?11)"),
    ("occurrence", "INSERT INTO occurrence(id, action_id, household_id, division_code, due_on, status,
        done_on, recorded_by, recorded_at, note, visit_id)
        VALUES (?1,?2,?3,?9,?4,?5,?6,?7,?8,NULL,NULL)"),
    ("household_search", "INSERT INTO household_search(rowid, terms) VALUES (?1, ?2)"),
];

/// Where `last_visit_on` sits in a queued household row (`?17` of its statement).
pub(super) const HOUSEHOLD_LAST_VISIT: usize = 16;

/// Does the side writer write `table`? It builds the search index (a third of the writing
/// work: tokenising and sorting 12 million index entries) while the main writer fills every
/// other table. Measured alternatives: giving the side writer the visits or the occurrences
/// as well is slower, as copying them into the file afterwards costs more than it saves.
pub(super) fn on_side(table: &str) -> bool {
    table == "household_search"
}
