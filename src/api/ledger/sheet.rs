//! What a ledger is made of: its cells (text, numbers, money, dates) and its sheets, each a
//! fixed list of columns with their Chinese headers, widths and whether they are sensitive.
//! Shared by the sheet writers (`households`, `deliveries`, `summary`, `about`) and the two
//! file formats (`xlsx_sink`, `csv_sink`).

use chrono::NaiveDate;

use super::LedgerKind;

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
    pub(super) fn opt_text(s: Option<String>) -> Cell {
        s.map_or(Cell::Empty, Cell::Text)
    }
    pub(super) fn opt_date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }
    pub(super) fn csv(&self) -> String {
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

pub(super) const HOUSEHOLDS: Sheet = Sheet {
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

pub(super) const MEMBERS: Sheet = Sheet {
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

pub(super) const NEEDS: Sheet = Sheet {
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

pub(super) const ACTIONS: Sheet = Sheet {
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
        col("方案版本", 10.0),
        col("方案状态", 10.0),
    ],
};

pub(super) const DELIVERIES: Sheet = Sheet {
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

pub(super) const BY_DIVISION: Sheet = Sheet {
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
        col("失亲", 8.0),
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

pub(super) const BY_CAUSE: Sheet = Sheet {
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

pub(super) const ABOUT: Sheet = Sheet {
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
