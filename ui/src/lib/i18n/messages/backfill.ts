// Strings of 补录历史, the household page's way in for entering a case's past.
export const zh = {
  "backfill.title": "补录历史",
  "backfill.intro": "把纸质或表格里的历史补进来：每条记录按当时的日期计入台账和统计（不早于转介日期 {date}，不晚于今天）。",
  "backfill.closed": "案卷已结案，重新打开后才能补录。",
  "backfill.visit": "补录一次走访",
  "backfill.visit_hint": "填写实际走访日期；当天发现和解决的需求也按这一天记。",
  "backfill.deliveries": "按期补录服务记录",
  "backfill.deliveries_hint": "在生效方案的服务记录里点“补录未记录的服务”，一段时间内的每次服务按各自日期记为已完成或漏办。",
  "backfill.plan_first": "先制定方案；审核人批准时可填写方案实际生效的日期，之后的服务才能补录。",
  "backfill.needs": "补录需求",
  "backfill.needs_hint": "需求的发现日期可以是过去的日子。",
  "backfill.members": "成员迁出或去世",
  "backfill.members_hint": "移除成员时填写离开或去世的日期。",
  "backfill.campaign": "补录过去节日的慰问",
  "backfill.campaign_hint": "新建活动时选过去的日期（五年以内），只包括当时已转介的家庭。",
} as const;

export const en: Record<keyof typeof zh, string> = {
  "backfill.title": "Enter past history",
  "backfill.intro": "Bring in the history kept on paper or in spreadsheets: each record counts in ledgers and figures on its own date (not before the referral on {date}, not after today).",
  "backfill.closed": "The case is closed; reopen it to enter its past.",
  "backfill.visit": "Enter a past visit",
  "backfill.visit_hint": "Give the day it happened; needs found and met then are dated that day too.",
  "backfill.deliveries": "Enter past deliveries",
  "backfill.deliveries_hint": "In the plan in force, use “record the unrecorded deliveries” to record each delivery of a period on its own day, done or missed.",
  "backfill.plan_first": "Make a plan first; the reviewer can give the day it actually took effect, and its deliveries from then can be entered.",
  "backfill.needs": "Enter past needs",
  "backfill.needs_hint": "A need's found date can be a past day.",
  "backfill.members": "A member who left or died",
  "backfill.members_hint": "When removing a member, give the day they left or died.",
  "backfill.campaign": "Enter a past festival's gifts",
  "backfill.campaign_hint": "Create a campaign with a past date (up to five years back); it reaches the households referred by then.",
};
