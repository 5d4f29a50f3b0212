//! The service delivery log (服务记录): every delivery falling due in the period — the plan
//! actions' occurrences and the delivery campaigns' lines (festival gifts) — with the
//! household, the service and what became of it.

use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;

use super::sheet::{Cell, DELIVERIES};
use super::sink::Sink;
use super::{Ledger, Places};
use crate::api::household_filter::Period;
use crate::api::shared::HEAD_NAME_SQL;
use crate::error::ApiResult;
use crate::labels::Zh;
use crate::types::*;

impl Ledger<'_, '_> {
    pub(super) fn deliveries(&self, sink: &mut dyn Sink, period: Period) -> ApiResult<()> {
        let places = Places::load(self.env, self.area)?;
        sink.sheet(&DELIVERIES)?;
        let mut params = self.params();
        params.push(SqlValue::Text(period.from.to_string()));
        params.push(SqlValue::Text(period.to.to_string()));
        // A campaign line has no partner; its 提供方 is the campaign's name (e.g. 2023年春节慰问).
        let mut st = self.env.tx.prepare(&format!(
            "SELECT * FROM (
               SELECT o.due_on, h.case_no, {HEAD_NAME_SQL}, h.division_code, a.title, a.category,
                  coalesce((SELECT pa.name FROM partner pa WHERE pa.id = a.partner_id), a.provider_name),
                  a.amount_fen, o.status, o.done_on,
                  (SELECT s.name FROM staff s WHERE s.id = o.recorded_by), o.note, 0 AS campaign, o.id AS key
               FROM household h JOIN occurrence o ON o.household_id = h.id
               JOIN action a ON a.id = o.action_id
               WHERE {area} AND o.due_on >= ?3 AND o.due_on <= ?4
               UNION ALL
               SELECT c.due_on, h.case_no, {HEAD_NAME_SQL}, h.division_code, c.title, c.category,
                  c.name, c.amount_fen, i.status, i.done_on,
                  (SELECT s.name FROM staff s WHERE s.id = i.recorded_by), i.note, 1, c.id
               FROM household h JOIN campaign_item i ON i.household_id = h.id
               JOIN campaign c ON c.id = i.campaign_id
               WHERE {area} AND c.kind = 'delivery' AND c.due_on >= ?3 AND c.due_on <= ?4)
             ORDER BY 1, 2, 5, 14",
            area = self.in_area
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
                Cell::Text(if r.get(12)? {
                    r.get::<_, CampaignItemStatus>(8)?.zh().into()
                } else {
                    r.get::<_, OccurrenceStatus>(8)?.zh().into()
                }),
                Cell::opt_date(r.get(9)?),
                Cell::opt_text(r.get(10)?),
                Cell::opt_text(r.get(11)?),
            ])?;
        }
        Ok(())
    }
}
