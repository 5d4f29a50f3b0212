// Labels of every enumeration the core sends, in both languages. Each map is typed against the
// generated Rust enum, so a new variant in the core fails `svelte-check` until it is labelled.
import type { ActionStatus } from "../bindings/ActionStatus";
import type { CampaignItemStatus } from "../bindings/CampaignItemStatus";
import type { CampaignKind } from "../bindings/CampaignKind";
import type { Cause } from "../bindings/Cause";
import type { ClosureReason } from "../bindings/ClosureReason";
import type { DisabilityType } from "../bindings/DisabilityType";
import type { Festival } from "../bindings/Festival";
import type { Freq } from "../bindings/Freq";
import type { HolidayKind } from "../bindings/HolidayKind";
import type { HouseholdStatus } from "../bindings/HouseholdStatus";
import type { LedgerFormat } from "../bindings/LedgerFormat";
import type { LedgerKind } from "../bindings/LedgerKind";
import type { Level } from "../bindings/Level";
import type { NeedCategory } from "../bindings/NeedCategory";
import type { NeedStatus } from "../bindings/NeedStatus";
import type { OccurrenceStatus } from "../bindings/OccurrenceStatus";
import type { PartnerKind } from "../bindings/PartnerKind";
import type { PlanStatus } from "../bindings/PlanStatus";
import type { Priority } from "../bindings/Priority";
import type { ReferralSource } from "../bindings/ReferralSource";
import type { Relation } from "../bindings/Relation";
import type { ReminderRule } from "../bindings/ReminderRule";
import type { RemovalReason } from "../bindings/RemovalReason";
import type { Role } from "../bindings/Role";
import type { SchoolHolidays } from "../bindings/SchoolHolidays";
import type { Schooling } from "../bindings/Schooling";
import type { Sex } from "../bindings/Sex";
import type { SupportKind } from "../bindings/SupportKind";
import type { VisitKind } from "../bindings/VisitKind";
import type { VisitStatus } from "../bindings/VisitStatus";
import type { Weekday } from "../bindings/Weekday";

export interface EnumLabels {
  HouseholdStatus: Record<HouseholdStatus, string>;
  Priority: Record<Priority, string>;
  Cause: Record<Cause, string>;
  SupportKind: Record<SupportKind, string>;
  ReferralSource: Record<ReferralSource, string>;
  Relation: Record<Relation, string>;
  Sex: Record<Sex, string>;
  Schooling: Record<Schooling, string>;
  DisabilityType: Record<DisabilityType, string>;
  NeedCategory: Record<NeedCategory, string>;
  NeedStatus: Record<NeedStatus, string>;
  PlanStatus: Record<PlanStatus, string>;
  ActionStatus: Record<ActionStatus, string>;
  OccurrenceStatus: Record<OccurrenceStatus, string>;
  VisitStatus: Record<VisitStatus, string>;
  VisitKind: Record<VisitKind, string>;
  Role: Record<Role, string>;
  PartnerKind: Record<PartnerKind, string>;
  Freq: Record<Freq, string>;
  Weekday: Record<Weekday, string>;
  ClosureReason: Record<ClosureReason, string>;
  RemovalReason: Record<RemovalReason, string>;
  Level: Record<Level, string>;
  Festival: Record<Festival, string>;
  HolidayKind: Record<HolidayKind, string>;
  SchoolHolidays: Record<SchoolHolidays, string>;
  CampaignKind: Record<CampaignKind, string>;
  CampaignItemStatus: Record<CampaignItemStatus, string>;
  ReminderRule: Record<ReminderRule, string>;
  LedgerKind: Record<LedgerKind, string>;
  LedgerFormat: Record<LedgerFormat, string>;
}

export const zhEnums: EnumLabels = {
  HouseholdStatus: { referred: "已转介", assessing: "评估中", active: "帮扶中", monitoring: "跟踪观察", closed: "已结案" },
  Priority: { high: "高", medium: "中", low: "低" },
  Cause: { illness: "重病", disability: "重残", single_parent: "单亲", bereavement: "失亲", disaster: "灾祸", no_carer_in_fact: "事实无人抚养", other: "其他" },
  SupportKind: {
    dibao: "低保",
    tekun: "特困供养",
    disability_allowance: "残疾人补贴",
    medical_green_channel: "就医绿色通道",
    holiday_gifts: "节日慰问",
    other: "其他",
  },
  ReferralSource: { screening: "排查发现", village_committee: "村（居）委会推荐", self: "本人申请", other_organisation: "其他组织转介", village_party_committee: "村党委推荐", womens_federation_screening: "妇联排查" },
  Relation: {
    head: "户主",
    spouse: "配偶",
    son: "儿子",
    daughter: "女儿",
    father: "父亲",
    mother: "母亲",
    grandfather: "祖父/外祖父",
    grandmother: "祖母/外祖母",
    grandson: "孙子/外孙",
    granddaughter: "孙女/外孙女",
    son_in_law: "女婿",
    daughter_in_law: "儿媳",
    sibling: "兄弟姐妹",
    other: "其他",
  },
  Sex: { male: "男", female: "女" },
  Schooling: {
    not_in_school: "未在校",
    preschool: "学前",
    primary: "小学",
    junior_secondary: "初中",
    senior_secondary: "高中",
    vocational: "职业学校",
    college: "大学",
    graduated: "已毕业",
  },
  DisabilityType: { physical: "肢体", visual: "视力", hearing: "听力", speech: "言语", intellectual: "智力", mental: "精神", multiple: "多重" },
  NeedCategory: {
    medical: "医疗",
    daily_care: "生活照料",
    education: "教育",
    living_costs: "生活开支",
    employment: "就业",
    housing: "住房",
    transport: "出行",
    guardianship: "监护",
    psychological: "心理",
    family_education: "家庭教育",
    health_hygiene: "卫生健康",
    legal: "法律",
    other: "其他",
  },
  NeedStatus: { open: "待解决", in_progress: "处理中", met: "已满足", unmet: "未能满足", withdrawn: "已撤销" },
  PlanStatus: { draft: "草稿", submitted: "待审核", approved: "已批准", returned: "已退回", superseded: "已替代" },
  ActionStatus: { planned: "计划中", active: "执行中", completed: "已完成", cancelled: "已取消" },
  OccurrenceStatus: { due: "待办", done: "已完成", missed: "漏办", skipped: "已跳过" },
  VisitStatus: { scheduled: "已安排", completed: "已完成", not_at_home: "未遇", cancelled: "已取消" },
  VisitKind: {
    home_visit: "入户走访",
    phone_call: "电话回访",
    festival_visit: "节日慰问",
    accompany_hospital: "陪同就医",
    accompany_school: "陪同到校",
    other: "其他",
  },
  Role: { caseworker: "社工", supervisor: "督导", admin: "管理员" },
  PartnerKind: { hospital: "医院", enterprise: "企业", school: "学校", volunteer_team: "志愿者团队", government: "政府部门", womens_federation: "妇联组织", individual: "个人（如房东）", other: "其他" },
  Freq: { daily: "按天", weekly: "按周", monthly: "按月", yearly: "按年" },
  Weekday: { mon: "周一", tue: "周二", wed: "周三", thu: "周四", fri: "周五", sat: "周六", sun: "周日" },
  ClosureReason: { goals_met: "帮扶目标达成", moved_away: "迁出", declined: "本人拒绝", deceased: "去世", other: "其他" },
  RemovalReason: { deceased: "去世", moved_out: "迁出", entered_in_error: "录入错误", other: "其他" },
  Level: { province: "省", city: "市", county: "县（区）", township: "乡镇（街道）", village: "村（社区）" },
  Festival: {
    spring_festival: "春节",
    lantern: "元宵节",
    dragon_boat: "端午节",
    mid_autumn: "中秋节",
    double_ninth: "重阳节",
    womens_day: "三八妇女节",
    childrens_day: "六一儿童节",
  },
  HolidayKind: { winter: "寒假", summer: "暑假" },
  SchoolHolidays: { only: "仅在寒暑假", also: "另加寒暑假每天", except: "寒暑假除外" },
  CampaignKind: { visit: "节日走访", delivery: "物资发放" },
  CampaignItemStatus: { pending: "待办", done: "已完成", not_done: "未完成" },
  ReminderRule: { school_age: "入学", exam: "升学考试", action_end: "服务到期", consent: "知情同意续签" },
  LedgerKind: { ledger: "家庭台账", deliveries: "服务记录", summary: "汇总表" },
  LedgerFormat: { xlsx: "Excel", csv: "CSV" },
};

export const enEnums: EnumLabels = {
  HouseholdStatus: { referred: "Referred", assessing: "Assessing", active: "Active", monitoring: "Monitoring", closed: "Closed" },
  Priority: { high: "High", medium: "Medium", low: "Low" },
  Cause: { illness: "Serious illness", disability: "Severe disability", single_parent: "Single parent", bereavement: "Bereavement", disaster: "Disaster", no_carer_in_fact: "No carer in fact", other: "Other" },
  SupportKind: {
    dibao: "Dibao (minimum living allowance)",
    tekun: "Tekun (extreme-poverty support)",
    disability_allowance: "Disability allowance",
    medical_green_channel: "Medical green channel",
    holiday_gifts: "Holiday gifts",
    other: "Other",
  },
  ReferralSource: { screening: "Screening", village_committee: "Village committee", self: "Self-referral", other_organisation: "Other organisation", village_party_committee: "Village Party committee", womens_federation_screening: "Women's federation screening" },
  Relation: {
    head: "Head",
    spouse: "Spouse",
    son: "Son",
    daughter: "Daughter",
    father: "Father",
    mother: "Mother",
    grandfather: "Grandfather",
    grandmother: "Grandmother",
    grandson: "Grandson",
    granddaughter: "Granddaughter",
    son_in_law: "Son-in-law",
    daughter_in_law: "Daughter-in-law",
    sibling: "Sibling",
    other: "Other",
  },
  Sex: { male: "Male", female: "Female" },
  Schooling: {
    not_in_school: "Not in school",
    preschool: "Preschool",
    primary: "Primary",
    junior_secondary: "Junior secondary",
    senior_secondary: "Senior secondary",
    vocational: "Vocational",
    college: "College",
    graduated: "Graduated",
  },
  DisabilityType: { physical: "Physical", visual: "Visual", hearing: "Hearing", speech: "Speech", intellectual: "Intellectual", mental: "Mental", multiple: "Multiple" },
  NeedCategory: {
    medical: "Medical",
    daily_care: "Daily care",
    education: "Education",
    living_costs: "Living costs",
    employment: "Employment",
    housing: "Housing",
    transport: "Transport",
    guardianship: "Guardianship",
    psychological: "Psychological",
    family_education: "Family education",
    health_hygiene: "Health and hygiene",
    legal: "Legal",
    other: "Other",
  },
  NeedStatus: { open: "Open", in_progress: "In progress", met: "Met", unmet: "Unmet", withdrawn: "Withdrawn" },
  PlanStatus: { draft: "Draft", submitted: "Submitted", approved: "Approved", returned: "Returned", superseded: "Superseded" },
  ActionStatus: { planned: "Planned", active: "Active", completed: "Completed", cancelled: "Cancelled" },
  OccurrenceStatus: { due: "Due", done: "Done", missed: "Missed", skipped: "Skipped" },
  VisitStatus: { scheduled: "Scheduled", completed: "Completed", not_at_home: "Not at home", cancelled: "Cancelled" },
  VisitKind: {
    home_visit: "Home visit",
    phone_call: "Phone call",
    festival_visit: "Festival visit",
    accompany_hospital: "Hospital escort",
    accompany_school: "School escort",
    other: "Other",
  },
  Role: { caseworker: "Caseworker", supervisor: "Supervisor", admin: "Administrator" },
  PartnerKind: { hospital: "Hospital", enterprise: "Enterprise", school: "School", volunteer_team: "Volunteer team", government: "Government", womens_federation: "Women's federation", individual: "Private person (e.g. a landlord)", other: "Other" },
  Freq: { daily: "Daily", weekly: "Weekly", monthly: "Monthly", yearly: "Yearly" },
  Weekday: { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" },
  ClosureReason: { goals_met: "Goals met", moved_away: "Moved away", declined: "Declined", deceased: "Deceased", other: "Other" },
  RemovalReason: { deceased: "Deceased", moved_out: "Moved out", entered_in_error: "Entered in error", other: "Other" },
  Level: { province: "Province", city: "City", county: "County", township: "Township", village: "Village / community" },
  Festival: {
    spring_festival: "Spring Festival",
    lantern: "Lantern Festival",
    dragon_boat: "Dragon Boat Festival",
    mid_autumn: "Mid-Autumn Festival",
    double_ninth: "Double Ninth Festival",
    womens_day: "Women's Day (8 March)",
    childrens_day: "Children's Day (1 June)",
  },
  HolidayKind: { winter: "Winter holiday", summer: "Summer holiday" },
  SchoolHolidays: { only: "During school holidays only", also: "And every day of the school holidays", except: "Except in school holidays" },
  CampaignKind: { visit: "Festival visit", delivery: "Delivery" },
  CampaignItemStatus: { pending: "Pending", done: "Done", not_done: "Not done" },
  ReminderRule: { school_age: "School start", exam: "Exam year", action_end: "Service ending", consent: "Consent renewal" },
  LedgerKind: { ledger: "Household ledger", deliveries: "Service log", summary: "Summary" },
  LedgerFormat: { xlsx: "Excel", csv: "CSV" },
};
