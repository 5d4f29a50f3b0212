//! The last sheet of every ledger (说明): what it is, the area and period, when and by whom it
//! was exported, and whether its sensitive columns are masked.

use super::sheet::{ABOUT, Cell, sheets};
use super::sink::Sink;
use super::{Ledger, LedgerKind, LedgerRequest};
use crate::api::household_filter::Period;
use crate::error::ApiResult;

impl Ledger<'_, '_> {
    pub(super) fn about(
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
