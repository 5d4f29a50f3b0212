//! The summary (汇总表): open households counted by division (the area's children) and by
//! hardship cause, with their open and uncovered needs and the period's visits and deliveries,
//! counted with the household filter's own SQL conditions.

use std::collections::HashMap;

use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;

use super::Ledger;
use super::sheet::{BY_CAUSE, BY_DIVISION, Cell};
use super::sink::Sink;
use crate::api::household_filter::{NEED_UNCOVERED_SQL, Period, not_visited_sql};
use crate::error::ApiResult;
use crate::labels::Zh;
use crate::types::*;

impl Ledger<'_, '_> {
    pub(super) fn summary(&self, sink: &mut dyn Sink, period: Period) -> ApiResult<()> {
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
