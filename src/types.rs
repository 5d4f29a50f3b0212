//! The domain's vocabularies (statuses, categories, kinds) and the life-cycle rules of each
//! stateful entity. Every enumeration is stored in SQLite by its snake_case name, the same
//! name that crosses the API, so a database read with any SQLite tool is self-explaining.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};

macro_rules! str_enum {
    ($(#[$meta:meta])* $name:ident { $($var:ident = $s:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
        pub enum $name { $(#[serde(rename = $s)] $var),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $s),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$var),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let s = value.as_str()?;
                $name::parse(s).ok_or_else(|| FromSqlError::Other(
                    format!("unknown {} value in database", stringify!($name)).into(),
                ))
            }
        }
    };
}

str_enum!(Level {
    Province = "province",
    City = "city",
    County = "county",
    Township = "township",
    Village = "village",
});

str_enum!(Role {
    Caseworker = "caseworker",
    Supervisor = "supervisor",
    Admin = "admin",
});

str_enum!(PartnerKind {
    Hospital = "hospital",
    Enterprise = "enterprise",
    School = "school",
    VolunteerTeam = "volunteer_team",
    Government = "government",
    // 妇联组织: a women's federation at any level, or one of its own organisations.
    WomensFederation = "womens_federation",
    // 个人: a private person (a landlord giving free housing, a neighbour who helps).
    Individual = "individual",
    Other = "other",
});

str_enum!(
    /// The festivals of the care calendar: five from the lunar calendar and two fixed days.
    Festival {
        SpringFestival = "spring_festival",
        Lantern = "lantern",
        DragonBoat = "dragon_boat",
        MidAutumn = "mid_autumn",
        DoubleNinth = "double_ninth",
        WomensDay = "womens_day",
        ChildrensDay = "childrens_day",
    }
);

str_enum!(
    /// The two school holidays of a year: 寒假 (around the Spring Festival) and 暑假.
    HolidayKind {
        Winter = "winter",
        Summer = "summer",
    }
);

str_enum!(
    /// How a repeating schedule meets the school holidays: on its days only within them
    /// ("daily during the holidays"), on its days and every holiday day too ("weekends and
    /// school holidays"), or on its days outside them ("school days only").
    SchoolHolidays {
        Only = "only",
        Also = "also",
        Except = "except",
    }
);

str_enum!(NeedCategory {
    Medical = "medical",
    DailyCare = "daily_care",
    Education = "education",
    LivingCosts = "living_costs",
    Employment = "employment",
    Housing = "housing",
    Transport = "transport",
    Guardianship = "guardianship",
    Psychological = "psychological",
    FamilyEducation = "family_education",
    HealthHygiene = "health_hygiene",
    Legal = "legal",
    Other = "other",
});

str_enum!(
    /// Hardship causes; a household has one or more, stored as a bit set.
    Cause {
        Illness = "illness",
        Disability = "disability",
        SingleParent = "single_parent",
        Bereavement = "bereavement",
        Disaster = "disaster",
        // 事实无人抚养: a child whose parents are alive but cannot care for them in fact.
        NoCarerInFact = "no_carer_in_fact",
        Other = "other",
    }
);

impl Cause {
    /// The cause's bit in the stored set. Fixed per cause (a new cause takes the next free
    /// bit wherever it stands in the list), so stored sets keep their meaning.
    pub fn bit(self) -> i64 {
        1 << match self {
            Cause::Illness => 0,
            Cause::Disability => 1,
            Cause::SingleParent => 2,
            Cause::Bereavement => 3,
            Cause::Disaster => 4,
            Cause::Other => 5,
            Cause::NoCarerInFact => 6,
        }
    }
    pub fn to_bits(causes: &[Cause]) -> i64 {
        causes.iter().fold(0, |acc, c| acc | c.bit())
    }
    pub fn from_bits(bits: i64) -> Vec<Cause> {
        Cause::ALL
            .iter()
            .copied()
            .filter(|c| bits & c.bit() != 0)
            .collect()
    }
}

str_enum!(SupportKind {
    Dibao = "dibao",
    Tekun = "tekun",
    DisabilityAllowance = "disability_allowance",
    MedicalGreenChannel = "medical_green_channel",
    HolidayGifts = "holiday_gifts",
    Other = "other",
});

str_enum!(ReferralSource {
    Screening = "screening",
    VillageCommittee = "village_committee",
    SelfApplied = "self",
    OtherOrganisation = "other_organisation",
    // 村党委推荐.
    VillagePartyCommittee = "village_party_committee",
    // 妇联排查: found by the women's federation's own screening.
    WomensFederationScreening = "womens_federation_screening",
});

impl ReferralSource {
    /// The source's bit in a stored set of further sources (`other_referral_sources`): its
    /// place in the list, which only ever grows at the end.
    pub fn bit(self) -> i64 {
        1 << (self as i64)
    }
    pub fn to_bits(sources: &[ReferralSource]) -> i64 {
        sources.iter().fold(0, |acc, s| acc | s.bit())
    }
    pub fn from_bits(bits: i64) -> Vec<ReferralSource> {
        ReferralSource::ALL
            .iter()
            .copied()
            .filter(|s| bits & s.bit() != 0)
            .collect()
    }
}

str_enum!(Priority {
    High = "high",
    Medium = "medium",
    Low = "low",
});

str_enum!(HouseholdStatus {
    Referred = "referred",
    Assessing = "assessing",
    Active = "active",
    Monitoring = "monitoring",
    Closed = "closed",
});

str_enum!(ClosureReason {
    GoalsMet = "goals_met",
    MovedAway = "moved_away",
    Declined = "declined",
    Deceased = "deceased",
    Other = "other",
});

str_enum!(Relation {
    Head = "head",
    Spouse = "spouse",
    Son = "son",
    Daughter = "daughter",
    Father = "father",
    Mother = "mother",
    Grandfather = "grandfather",
    Grandmother = "grandmother",
    Grandson = "grandson",
    Granddaughter = "granddaughter",
    SonInLaw = "son_in_law",
    DaughterInLaw = "daughter_in_law",
    Sibling = "sibling",
    Other = "other",
});

str_enum!(Sex {
    Male = "male",
    Female = "female",
});

str_enum!(DisabilityType {
    Physical = "physical",
    Visual = "visual",
    Hearing = "hearing",
    Speech = "speech",
    Intellectual = "intellectual",
    Mental = "mental",
    Multiple = "multiple",
});

str_enum!(Schooling {
    NotInSchool = "not_in_school",
    Preschool = "preschool",
    Primary = "primary",
    JuniorSecondary = "junior_secondary",
    SeniorSecondary = "senior_secondary",
    Vocational = "vocational",
    College = "college",
    Graduated = "graduated",
});

str_enum!(RemovalReason {
    Deceased = "deceased",
    MovedOut = "moved_out",
    EnteredInError = "entered_in_error",
    Other = "other",
});

str_enum!(NeedStatus {
    Open = "open",
    InProgress = "in_progress",
    Met = "met",
    Unmet = "unmet",
    Withdrawn = "withdrawn",
});

str_enum!(PlanStatus {
    Draft = "draft",
    Submitted = "submitted",
    Approved = "approved",
    Returned = "returned",
    Superseded = "superseded",
});

str_enum!(ActionStatus {
    Planned = "planned",
    Active = "active",
    Completed = "completed",
    Cancelled = "cancelled",
});

str_enum!(OccurrenceStatus {
    Due = "due",
    Done = "done",
    Missed = "missed",
    Skipped = "skipped",
});

str_enum!(VisitStatus {
    Scheduled = "scheduled",
    Completed = "completed",
    NotAtHome = "not_at_home",
    Cancelled = "cancelled",
});

str_enum!(
    /// What a campaign does for each household: schedule a festival visit, or deliver something.
    CampaignKind {
        Visit = "visit",
        Delivery = "delivery",
    }
);

str_enum!(CampaignItemStatus {
    Pending = "pending",
    Done = "done",
    NotDone = "not_done",
});

str_enum!(VisitKind {
    HomeVisit = "home_visit",
    PhoneCall = "phone_call",
    FestivalVisit = "festival_visit",
    AccompanyHospital = "accompany_hospital",
    AccompanySchool = "accompany_school",
    Other = "other",
});

/// The allowed state changes. Anything not listed is refused with `<entity>.transition.invalid`.
pub mod transitions {
    use super::*;

    pub fn household(from: HouseholdStatus, to: HouseholdStatus) -> bool {
        use HouseholdStatus::*;
        matches!(
            (from, to),
            (Referred, Assessing)
                | (Referred, Closed)
                | (Assessing, Active)
                | (Assessing, Closed)
                | (Active, Monitoring)
                | (Active, Closed)
                | (Monitoring, Active)
                | (Monitoring, Closed)
                | (Closed, Assessing) // reopen
        )
    }

    /// A campaign line: recorded done or not done; not done can still become done later.
    pub fn campaign_item(from: CampaignItemStatus, to: CampaignItemStatus) -> bool {
        use CampaignItemStatus::*;
        matches!((from, to), (Pending, Done | NotDone) | (NotDone, Done))
    }

    pub fn need(from: NeedStatus, to: NeedStatus) -> bool {
        use NeedStatus::*;
        matches!(
            (from, to),
            (Open, InProgress | Met | Unmet | Withdrawn)
                | (InProgress, Met | Unmet | Withdrawn)
                | (Met | Unmet | Withdrawn, Open) // a need comes back
        )
    }

    pub fn plan(from: PlanStatus, to: PlanStatus) -> bool {
        use PlanStatus::*;
        matches!(
            (from, to),
            (Draft, Submitted)
                | (Submitted, Approved)
                | (Submitted, Returned)
                | (Returned, Draft)
                | (Approved, Superseded)
        )
    }

    pub fn action(from: ActionStatus, to: ActionStatus) -> bool {
        use ActionStatus::*;
        matches!(
            (from, to),
            (Planned, Active) | (Planned, Cancelled) | (Active, Completed) | (Active, Cancelled)
        )
    }

    pub fn occurrence(from: OccurrenceStatus, to: OccurrenceStatus) -> bool {
        use OccurrenceStatus::*;
        matches!((from, to), (Due, Done | Missed | Skipped))
    }

    pub fn visit(from: VisitStatus, to: VisitStatus) -> bool {
        use VisitStatus::*;
        matches!((from, to), (Scheduled, Completed | NotAtHome | Cancelled))
    }
}
