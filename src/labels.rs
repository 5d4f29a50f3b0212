//! Chinese labels of the enumerations, for what the core writes for people rather than for
//! programs: the Excel and CSV ledgers. They are the same words the window shows (a test
//! compares them with the UI catalogue, `ui/src/lib/i18n/enums.ts`).

use crate::types::*;

/// The Chinese label of an enumeration value.
pub trait Zh: Copy {
    fn zh(self) -> &'static str;
}

macro_rules! zh_labels {
    ($( $enum:ident { $($var:ident => $label:literal),+ $(,)? } )+) => {
        $(impl Zh for $enum {
            fn zh(self) -> &'static str {
                match self { $($enum::$var => $label),+ }
            }
        })+

        /// Every labelled enumeration: (name, [(stored value, label)]), for the catalogue test.
        pub fn all() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
            vec![$((stringify!($enum), vec![$(($enum::$var.as_str(), $label)),+])),+]
        }
    };
}

zh_labels! {
    HouseholdStatus { Referred => "已转介", Assessing => "评估中", Active => "帮扶中", Monitoring => "跟踪观察", Closed => "已结案" }
    Priority { High => "高", Medium => "中", Low => "低" }
    Cause { Illness => "重病", Disability => "重残", SingleParent => "单亲", Bereavement => "失亲", Disaster => "灾祸", NoCarerInFact => "事实无人抚养", Other => "其他" }
    SupportKind { Dibao => "低保", Tekun => "特困供养", DisabilityAllowance => "残疾人补贴", MedicalGreenChannel => "就医绿色通道", HolidayGifts => "节日慰问", Other => "其他" }
    ReferralSource { Screening => "排查发现", VillageCommittee => "村（居）委会推荐", SelfApplied => "本人申请", OtherOrganisation => "其他组织转介", VillagePartyCommittee => "村党委推荐", WomensFederationScreening => "妇联排查" }
    Relation { Head => "户主", Spouse => "配偶", Son => "儿子", Daughter => "女儿", Father => "父亲", Mother => "母亲", Grandfather => "祖父/外祖父", Grandmother => "祖母/外祖母", Grandson => "孙子/外孙", Granddaughter => "孙女/外孙女", SonInLaw => "女婿", DaughterInLaw => "儿媳", Sibling => "兄弟姐妹", Other => "其他" }
    Sex { Male => "男", Female => "女" }
    Schooling { NotInSchool => "未在校", Preschool => "学前", Primary => "小学", JuniorSecondary => "初中", SeniorSecondary => "高中", Vocational => "职业学校", College => "大学", Graduated => "已毕业" }
    DisabilityType { Physical => "肢体", Visual => "视力", Hearing => "听力", Speech => "言语", Intellectual => "智力", Mental => "精神", Multiple => "多重" }
    NeedCategory { Medical => "医疗", DailyCare => "生活照料", Education => "教育", LivingCosts => "生活开支", Employment => "就业", Housing => "住房", Transport => "出行", Guardianship => "监护", Psychological => "心理", FamilyEducation => "家庭教育", HealthHygiene => "卫生健康", Legal => "法律", Other => "其他" }
    NeedStatus { Open => "待解决", InProgress => "处理中", Met => "已满足", Unmet => "未能满足", Withdrawn => "已撤销" }
    ActionStatus { Planned => "计划中", Active => "执行中", Completed => "已完成", Cancelled => "已取消" }
    OccurrenceStatus { Due => "待办", Done => "已完成", Missed => "漏办", Skipped => "已跳过" }
    CampaignItemStatus { Pending => "待办", Done => "已完成", NotDone => "未完成" }
    Festival { SpringFestival => "春节", Lantern => "元宵节", DragonBoat => "端午节", MidAutumn => "中秋节", DoubleNinth => "重阳节", WomensDay => "三八妇女节", ChildrensDay => "六一儿童节" }
    HolidayKind { Winter => "寒假", Summer => "暑假" }
    SchoolHolidays { Only => "仅在寒暑假", Also => "另加寒暑假每天", Except => "寒暑假除外" }
    PlanStatus { Draft => "草稿", Submitted => "待审核", Approved => "已批准", Returned => "已退回", Superseded => "已替代" }
    VisitKind { HomeVisit => "入户走访", PhoneCall => "电话回访", FestivalVisit => "节日慰问", AccompanyHospital => "陪同就医", AccompanySchool => "陪同到校", Other => "其他" }
}
