//! The registry of commands: each command's name, one-line summary, handler, request type,
//! who may run it, whether it writes, what it touches (for the scope check) and an example
//! request, declared once in [`commands!`]. Dispatch, the CLI's list, the TypeScript bindings
//! and the JSON Schemas are all generated from this one list.

use rusqlite::Connection;
use serde_json::{Value, json};

use super::*;
use crate::ctx::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::error_code::ErrorCode;

macro_rules! commands {
    ($( $name:literal : $summary:literal => $handler:path, $req:ty, $access:ident, $writes:literal, $scope:expr, $example:expr; )+) => {
        /// Run the command `name` with a JSON request body and return its JSON response.
        pub fn dispatch(conn: &mut Connection, ctx: &Ctx, name: &str, body: &str) -> ApiResult<Value> {
            match name {
                $( $name => run::<$req, _>(conn, ctx, $name, Access::$access, $writes, body, $scope, $handler), )+
                _ => Err(ApiError::at(ErrorCode::CommandUnknown, "command", format!("there is no command named {name:?}"))),
            }
        }

        /// Every command, with who may run it and an example request.
        pub fn commands() -> Vec<CommandInfo> {
            vec![$( CommandInfo {
                name: $name,
                summary: $summary,
                access: Access::$access,
                writes: $writes,
                request_type: stringify!($req),
                example: $example,
            }, )+]
        }

        /// (name, request type, response type) of every command, exporting their bindings.
        pub fn command_types(ex: &mut bindings::Exporter) -> Vec<(&'static str, String, String)> {
            vec![$( { let (req, resp) = ex.command::<$req, _>($handler); ($name, req, resp) }, )+]
        }

        /// The request and response JSON Schema of every command, in the order of `commands()`.
        pub fn command_schemas(s: &mut schema::Schemas) -> Vec<(&'static str, Value, Value)> {
            vec![$( { let (req, resp) = s.command::<$req, _>($handler); ($name, req, resp) }, )+]
        }

        /// Parse each command's example request into its request type (used by the tests).
        pub fn check_examples() -> Vec<(&'static str, ApiError)> {
            let mut bad = Vec::new();
            $( if let Err(e) = parse_request::<$req>(&$example.to_string()) { bad.push(($name, e)); } )+
            bad
        }
    };
}

use action as ac;
use audit as au;
use campaign as cp;
use followup as fu;
use holiday as hol;
use household as hh;
use household_detail as hd;
use household_filter as hf;
use household_list as hl;
use insight as ins;
use member as mb;
use need as nd;
use occurrence as oc;
use plan as pl;
use plan_diff as pd;
use reference as rf;
use reminder_list as rl;
use visit as vi;

const ID: &str = "0190a0b0-0000-7000-8000-000000000001";
const ID2: &str = "0190a0b0-0000-7000-8000-000000000002";

commands! {
    "division.children": "The divisions one level under a division (the provinces when none is given)." => rf::division_children, rf::DivisionChildren, Anyone, false, |_| Target::None, json!({"parent_code": "321324"});
    "division.get": "One division and the path down to it from its province." => rf::division_get, rf::DivisionGet, Anyone, false, |_| Target::None, json!({"code": "321324203"});
    "division.search": "Divisions whose name matches, for the type-ahead picker." => rf::division_search, rf::DivisionSearch, Anyone, false, |_| Target::None, json!({"q": "车门", "under": "32"});
    "division.add_village": "Add a village or community under a township." => rf::division_add_village, rf::DivisionAddVillage, Staff, true, |r| Target::Division(r.township_code.clone()), json!({"township_code": "321324203", "name": "车门社区"});
    "staff.create": "Add a staff member (the first one: the administrator)." => rf::staff_create, rf::StaffInput, Bootstrap, true, |_| Target::None, json!({"name": "林小红", "role": "caseworker", "division_code": "321324203", "phone": "13800000000"});
    "staff.update": "Change a staff member's name, role, place or active state." => rf::staff_update, rf::StaffUpdate, Admin, true, |_| Target::None, json!({"id": ID, "staff": {"name": "林小红", "role": "caseworker", "division_code": "321324203"}, "active": true});
    "staff.list": "The staff, filtered by role and division." => rf::staff_list, rf::StaffList, Staff, false, |_| Target::None, json!({"role": "caseworker"});
    "session.candidates": "Who may sign in on this device, for the sign-in list." => rf::session_candidates, rf::Empty, Anyone, false, |_| Target::None, json!({});
    "staff.get": "One staff member." => rf::staff_get, rf::ById, Staff, false, |_| Target::None, json!({"id": ID});
    "partner.create": "Add a partner (hospital, enterprise, school, volunteers, a person)." => rf::partner_create, rf::PartnerInput, Manager, true, |_| Target::None, json!({"name": "县第三人民医院", "kind": "hospital", "contact_name": "王医生", "phone": "0527-80000000"});
    "partner.update": "Change a partner or make it inactive." => rf::partner_update, rf::PartnerUpdate, Manager, true, |_| Target::None, json!({"id": ID, "partner": {"name": "县第三人民医院", "kind": "hospital"}, "active": true});
    "partner.list": "The partners, active ones only unless asked." => rf::partner_list, rf::ActiveFilter, Staff, false, |_| Target::None, json!({"include_inactive": false});
    "service.create": "Add a service to the menu (菜单式服务)." => rf::service_create, rf::ServiceInput, Manager, true, |_| Target::None, json!({"name": "志愿者上门助浴", "category": "daily_care", "unit": "次"});
    "service.update": "Change a service of the menu or make it inactive." => rf::service_update, rf::ServiceUpdate, Manager, true, |_| Target::None, json!({"id": ID, "service": {"name": "志愿者上门助浴", "category": "daily_care"}, "active": true});
    "service.list": "The service menu." => rf::service_list, rf::ActiveFilter, Staff, false, |_| Target::None, json!({});
    "settings.get": "The follow-up settings: cadence, horizon, idle lock, caseloads, reminders." => rf::settings_get, rf::Empty, Staff, false, |_| Target::None, json!({});
    "holiday.list": "The winter and summer school holidays of a run of years." => hol::holiday_list, hol::HolidayList, Staff, false, |_| Target::None, json!({"from_year": 2022, "to_year": 2027});
    "holiday.set": "Enter the education bureau's dates for one school holiday." => hol::holiday_set, hol::HolidaySet, Manager, true, |_| Target::None, json!({"year": 2027, "kind": "winter", "starts_on": "2027-01-23", "ends_on": "2027-02-21"});
    "holiday.reset": "Go back to the usual calendar's dates for one school holiday." => hol::holiday_reset, hol::HolidayReset, Manager, true, |_| Target::None, json!({"year": 2027, "kind": "winter"});
    "settings.update": "Change the follow-up settings." => rf::settings_update, rf::SettingsPatch, Admin, true, |_| Target::None, json!({"cadence_days": {"high": 7, "medium": 30, "low": 90}, "occurrence_horizon_days": 90, "idle_lock_minutes": 15});

    "household.create": "Refer a household (its place, causes, supports, source, caseworker)." => hh::household_create, hh::HouseholdInput, Case, true, |r| Target::Placement { division_code: r.division_code.clone(), caseworker_id: r.caseworker_id }, json!({
        "division_code": "321324203", "address": "车门社区 3 组 12 号", "phone": "13900000000",
        "causes": ["illness", "disability"], "supports": [{"kind": "dibao", "monthly_fen": 60000}],
        "referral_source": "screening", "priority": "high"});
    "household.update": "Change a household's fields named in the patch." => hh::household_update, hh::HouseholdUpdate, Case, true, |r| Target::both(Target::Household(r.id), Target::Moved { household_id: r.id, division_code: r.household.division_code.clone(), caseworker_id: r.household.caseworker_id }), json!({"id": ID, "household": {
        "division_code": "321324203", "address": "车门社区 3 组 12 号",
        "causes": ["illness"], "supports": [], "referral_source": "screening", "priority": "medium"}});
    "household.transition": "Move a household along its life cycle (assess, enrol, monitor, close)." => hh::household_transition, hh::HouseholdTransition, Case, true, |r| Target::Household(r.id), json!({"id": ID, "to": "assessing"});
    "household.get": "A household with its members (masked), needs, plans and recent visits." => hd::household_get, rf::ById, Case, false, |r| Target::Household(r.id), json!({"id": ID});
    "household.list": "Search and filter households, paged." => hl::household_list, hf::HouseholdQuery, Case, false, |_| Target::None, json!({"q": "wj", "status": ["active"], "division_code": "3213", "sort": "case_no", "limit": 50});
    "member.add": "Add a member to a household." => mb::member_add, mb::MemberInput, Case, true, |r| Target::Household(r.household_id), json!({"household_id": ID, "member": {
        "name": "林秀英", "relation": "head", "sex": "female", "birth_date": "1980-03-05",
        "id_number": "32132419800305002X", "is_primary_carer": true}});
    "member.update": "Change a member's fields named in the patch." => mb::member_update, mb::MemberUpdate, Case, true, |r| Target::Member(r.id), json!({"id": ID, "member": {
        "name": "林秀英", "relation": "head", "sex": "female", "birth_date": "1980-03-05"}});
    "member.reveal": "A member's ID number, health and disability in full (recorded in the trail)." => mb::member_reveal, rf::ById, Case, true, |r| Target::Member(r.id), json!({"id": ID});
    "member.remove": "Record that a member died or left, on a given day." => mb::member_remove, mb::MemberRemove, Case, true, |r| Target::Member(r.id), json!({"id": ID, "reason": "moved_out"});

    "need.add": "Record a need of a household or one of its members." => nd::need_add, nd::NeedInput, Case, true, |r| Target::Household(r.household_id), json!({"household_id": ID, "member_id": ID2, "category": "medical", "description": "丈夫需要住院治疗", "priority": "high"});
    "need.update": "Change a need's fields named in the patch." => nd::need_update, nd::NeedUpdate, Case, true, |r| Target::Need(r.id), json!({"id": ID, "need": {"category": "medical", "description": "丈夫需要住院治疗", "priority": "high"}});
    "need.set_status": "Move a need along its life cycle (in progress, met, unmet, withdrawn)." => nd::need_set_status, nd::NeedSetStatus, Case, true, |r| Target::Need(r.id), json!({"id": ID, "to": "in_progress"});
    "plan.create_draft": "Start a draft plan, from the plan in force when there is one." => pl::plan_create_draft, pl::PlanCreate, Case, true, |r| Target::Household(r.household_id), json!({"household_id": ID, "goals": "稳定丈夫病情；保障孩子照护与学业"});
    "plan.update": "Change a draft plan's goals." => pl::plan_update, pl::PlanUpdate, Case, true, |r| Target::Plan(r.id), json!({"id": ID, "goals": "稳定丈夫病情"});
    "plan.submit": "Submit a draft plan for review." => pl::plan_submit, rf::ById, Case, true, |r| Target::Plan(r.id), json!({"id": ID});
    "plan.approve": "Approve a submitted plan, in force from a given day (a reviewer's own plans excepted)." => pl::plan_approve, pl::PlanApproval, Supervisor, true, |r| Target::Plan(r.id), json!({"id": ID, "comment": "同意"});
    "plan.return": "Return a submitted plan to its caseworker with a comment." => pl::plan_return, pl::PlanDecision, Supervisor, true, |r| Target::Plan(r.id), json!({"id": ID, "comment": "请补充女儿学费减免的负责人"});
    "plan.revise": "Take a returned plan back into a draft." => pl::plan_revise, rf::ById, Case, true, |r| Target::Plan(r.id), json!({"id": ID});
    "plan.get": "One plan version with its actions and the needs they answer." => pl::plan_get, rf::ById, Case, false, |r| Target::Plan(r.id), json!({"id": ID});
    "plan.list": "Every plan version of a household." => pl::plan_list, pl::ByHousehold, Case, false, |r| Target::Household(r.household_id), json!({"household_id": ID});
    "plan.diff": "What changed between two versions of a household's plan." => pd::plan_diff, pd::PlanDiffReq, Case, false, |r| Target::both(Target::Plan(r.from_id), Target::Plan(r.to_id)), json!({"from_id": ID, "to_id": ID2});
    "plan.review_queue": "Plans waiting for review in a division, oldest first." => pl::plan_review_queue, pl::ReviewQueue, Supervisor, false, |r| r.division_code.clone().map_or(Target::None, Target::Division), json!({"division_code": "321324"});
    "action.add": "Add an action to a draft plan." => ac::action_add, ac::ActionInput, Case, true, |r| Target::Plan(r.plan_id), json!({"plan_id": ID, "action": {
        "title": "志愿者每周上门助浴、讲故事", "category": "daily_care", "need_ids": [ID2],
        "provider_name": "车门社区志愿者服务队", "responsible_name": "赵志愿",
        "recurrence": {"freq": "weekly", "interval": 1, "weekdays": ["sat"]}, "start_on": "2026-01-10"}});
    "action.update": "Change a draft action's fields named in the patch." => ac::action_update, ac::ActionUpdate, Case, true, |r| Target::Action(r.id), json!({"id": ID, "action": {
        "title": "企业每月资助女儿 500 元", "category": "education", "need_ids": [ID2],
        "amount_fen": 50000, "recurrence": {"freq": "monthly", "month_day": 1}, "start_on": "2026-02-01"}});
    "action.remove": "Remove an action from a draft plan." => ac::action_remove, rf::ById, Case, true, |r| Target::Action(r.id), json!({"id": ID});
    "action.set_status": "Complete or cancel an action of the plan in force." => ac::action_set_status, ac::ActionSetStatus, Case, true, |r| Target::Action(r.id), json!({"id": ID, "to": "completed"});
    "action.preview": "The next dates of a schedule and the schedule in words." => ac::action_preview, ac::ActionPreview, Staff, false, |_| Target::None, json!({"recurrence": {"freq": "weekly", "weekdays": ["sat"]}, "start_on": "2026-01-10", "n": 5});
    "occurrence.generate": "Create the deliveries due up to the horizon (or a given day)." => oc::occurrence_generate, oc::OccurrenceGenerate, Case, true, |r| Target::household_opt(r.household_id), json!({"household_id": ID});
    "occurrence.list": "A household's deliveries in a period." => oc::occurrence_list, oc::OccurrenceQuery, Case, false, |r| Target::Household(r.household_id), json!({"household_id": ID, "from": "2026-01-01", "to": "2026-03-31"});
    "occurrence.record": "Record one delivery as done (on a day), missed or skipped." => oc::occurrence_record, oc::OccurrenceRecord, Case, true, |r| Target::Occurrence(r.id), json!({"id": ID, "status": "done", "done_on": "2026-01-10", "note": "已助浴"});
    "occurrence.record_many": "Record every due delivery of an action in a range at once, all or nothing." => oc::occurrence_record_many, oc::OccurrenceRecordMany, Case, true, |r| Target::Action(r.action_id), json!({"action_id": ID, "from": "2026-01-01", "to": "2026-01-31", "status": "done"});

    "visit.schedule": "Plan a visit to a household on a day." => vi::visit_schedule, vi::VisitSchedule, Case, true, |r| Target::Household(r.household_id), json!({"household_id": ID, "scheduled_on": "2026-02-01", "kind": "home_visit"});
    "visit.log": "Log a visit: who was seen, notes, deliveries made, the next visit." => vi::visit_log, vi::VisitLog, Case, true, |r| Target::both(Target::Household(r.household_id), r.visit_id.flatten().map_or(Target::None, Target::Visit)), json!({
        "household_id": ID, "visited_on": "2026-01-10", "kind": "home_visit", "members_seen": [ID2],
        "notes": "孩子精神好转", "occurrences_delivered": [], "next_visit_on": "2026-01-17"});
    "visit.set_outcome": "Mark a scheduled visit not at home or cancelled." => vi::visit_set_outcome, vi::VisitOutcome, Case, true, |r| Target::Visit(r.id), json!({"id": ID, "to": "not_at_home", "note": "家中无人"});
    "visit.reveal_notes": "A household's visit notes in full (recorded in the trail)." => vi::visit_reveal_notes, vi::VisitQuery, Case, true, |r| Target::Household(r.household_id), json!({"household_id": ID, "limit": 20});
    "visit.list": "A household's visits, notes masked." => vi::visit_list, vi::VisitQuery, Case, false, |r| Target::Household(r.household_id), json!({"household_id": ID, "limit": 20});
    "followup.caseworker": "What is due and overdue for one caseworker: visits, deliveries, households past their cadence." => fu::followup_caseworker, fu::FollowupCaseworker, Case, false, |r| r.caseworker_id.map_or(Target::None, Target::Caseworker), json!({"caseworker_id": ID, "within_days": 7});
    "followup.division": "What is due and overdue in a division and everything below it." => fu::followup_division, fu::FollowupDivision, Supervisor, false, |r| Target::Division(r.division_code.clone()), json!({"division_code": "321324", "within_days": 7});

    "reminder.list": "Reminders raised ahead of time (school age, exams, services ending, consent)." => rl::reminder_list, rl::ReminderQuery, Case, false, |r| r.division_code.clone().map_or(Target::None, Target::Division), json!({"limit": 50});
    "festival.upcoming": "The festivals of the coming days with their dates." => cp::festival_upcoming, cp::FestivalQuery, Staff, false, |_| Target::None, json!({"days": 60});
    "campaign.create": "Start a festival campaign over a cohort of households." => cp::campaign_create, cp::CampaignInput, Case, true, |r| r.cohort.division_code.clone().map_or(Target::None, Target::Division), json!({
        "name": "2027 年春节慰问", "kind": "delivery", "festival": "spring_festival", "due_on": "2027-02-01",
        "title": "米、面、油各一份", "category": "living_costs", "amount_fen": 100000,
        "cohort": {"division_code": "321324203", "causes": ["illness"], "priority": ["high"]}});
    "campaign.list": "The campaigns, open ones unless asked." => cp::campaign_list, cp::CampaignList, Case, false, |r| r.division_code.clone().map_or(Target::None, Target::Division), json!({"include_finished": false});
    "campaign.get": "A campaign with its lines, paged and filtered by status." => cp::campaign_get, cp::CampaignGet, Case, false, |r| Target::Campaign(r.id), json!({"id": ID, "status": "pending", "limit": 100});
    "campaign.record": "Record a campaign's line for one household as done or not done." => cp::campaign_record, cp::CampaignRecord, Case, true, |r| Target::both(Target::Campaign(r.campaign_id), Target::Household(r.household_id)), json!({"campaign_id": ID, "household_id": ID2, "status": "done", "done_on": "2027-02-01"});
    "dashboard.get": "The figures of an area over a period." => ins::dashboard_get, ins::DashboardQuery, Case, false, |r| r.division_code.clone().map_or(Target::None, Target::Division), json!({"division_code": "321324", "period": {"from": "2026-09-01", "to": "2026-11-28"}});

    "audit.list": "The audit trail of a household, of one record, or of everything in scope." => au::audit_list, au::AuditQuery, Staff, false, |r| Target::household_opt(r.household_id), json!({"household_id": ID, "limit": 50});
}
