//! The article's two households (with fictional names), entered through the command surface
//! exactly as a caseworker and a supervisor would: staff, partners and services, enrolment,
//! members, the first visit's needs, plans submitted and approved, months of weekly visits
//! delivering what fell due, a revision waiting for review and one returned.

use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::Connection;
use rustc_hash::FxHashSet as HashSet;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

use super::make_id;
use crate::api;
use crate::ctx::Ctx;
use crate::error::{ApiError, ApiResult};

/// Runs commands through the one command surface with a seeded clock and id source.
pub(super) struct Caller<'a> {
    pub(super) conn: &'a mut Connection,
    pub(super) rng: Arc<Mutex<fastrand::Rng>>,
}

impl Caller<'_> {
    fn call(
        &mut self,
        actor: Option<&str>,
        on: NaiveDate,
        command: &str,
        body: Value,
    ) -> ApiResult<Value> {
        let actor = match actor {
            Some(a) => Some(
                uuid::Uuid::parse_str(a).map_err(|_| ApiError::internal("bad demo actor id"))?,
            ),
            None => None,
        };
        let mut ctx = Ctx::fixed(actor, on);
        ctx.ids = Some(self.rng.clone());
        api::dispatch(self.conn, &ctx, command, &body.to_string()).map_err(|e| {
            ApiError::new(e.code, format!("demo step {command} failed: {}", e.message))
        })
    }
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().map(str::to_string).unwrap_or_default()
}

fn s(v: &Value, path: &[&str]) -> String {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().map(str::to_string).unwrap_or_default()
}

type ArticleResult = (String, Vec<Value>, Vec<String>);

fn weekly(days: &[&str]) -> Value {
    json!({"freq": "weekly", "interval": 1, "weekdays": days})
}

pub(super) fn article_households(
    c: &mut Caller,
    t: NaiveDate,
    seed: u64,
    used: &mut HashSet<String>,
) -> ApiResult<ArticleResult> {
    let d = |days: i64| t - Duration::days(days);
    let start = d(160);
    let admin = id_of(&c.call(
        None,
        start,
        "staff.create",
        json!({"name": "系统管理员", "role": "admin", "division_code": "32"}),
    )?);
    let a = Some(admin.as_str());
    let chemen = s(
        &c.call(
            a,
            start,
            "division.add_village",
            json!({"township_code": "321324203", "name": "车门社区"}),
        )?,
        &["code"],
    );
    let shunhe = s(
        &c.call(
            a,
            start,
            "division.add_village",
            json!({"township_code": "321023111", "name": "顺河村"}),
        )?,
        &["code"],
    );
    let staff = |c: &mut Caller, name: &str, role: &str, div: &str| -> ApiResult<String> {
        Ok(id_of(&c.call(
            a,
            start,
            "staff.create",
            json!({"name": name, "role": role, "division_code": div, "phone": "13905270000"}),
        )?))
    };
    let cw1 = staff(c, "周敏", "caseworker", &chemen)?;
    let sup1 = staff(c, "何丽华", "supervisor", "321324203")?;
    let cw2 = staff(c, "顾晓燕", "caseworker", &shunhe)?;
    let sup2 = staff(c, "吴静", "supervisor", "321023111")?;
    let county_sup = staff(c, "许文娟", "supervisor", "321324")?;
    let article_staff = vec![
        json!({"id": cw1, "name": "周敏", "role": "caseworker", "division": "车门社区"}),
        json!({"id": sup1, "name": "何丽华", "role": "supervisor", "division": "车门乡"}),
        json!({"id": cw2, "name": "顾晓燕", "role": "caseworker", "division": "顺河村"}),
        json!({"id": sup2, "name": "吴静", "role": "supervisor", "division": "山阳镇"}),
        json!({"id": county_sup, "name": "许文娟", "role": "supervisor", "division": "泗洪县"}),
    ];

    let partner = |c: &mut Caller, name: &str, kind: &str, contact: &str| -> ApiResult<String> {
        Ok(id_of(&c.call(
            a,
            start,
            "partner.create",
            json!({"name": name, "kind": kind, "contact_name": contact, "phone": "0527-86000000"}),
        )?))
    };
    let hospital = partner(c, "宿迁市第三人民医院", "hospital", "门诊部")?;
    let enterprise = partner(c, "泗洪恒达纺织有限公司", "enterprise", "工会办公室")?;
    let volunteers = partner(c, "车门社区巾帼志愿者服务队", "volunteer_team", "队长")?;
    let school = partner(c, "山阳镇中心小学", "school", "教导处")?;
    let volunteers2 = partner(c, "山阳镇巾帼志愿者服务队", "volunteer_team", "队长")?;
    let service =
        |c: &mut Caller, name: &str, cat: &str, unit: &str, p: Option<&str>| -> ApiResult<String> {
            Ok(id_of(&c.call(
                a,
                start,
                "service.create",
                json!({"name": name, "category": cat, "unit": unit, "default_partner_id": p}),
            )?))
        };
    let s_bath = service(
        c,
        "志愿者上门助浴、陪伴",
        "daily_care",
        "次",
        Some(&volunteers),
    )?;
    let s_meds = service(c, "上门协助服药", "medical", "次", Some(&volunteers))?;
    let s_treat = service(c, "免费住院治疗", "medical", "疗程", Some(&hospital))?;
    let s_stipend = service(
        c,
        "爱心企业生活费资助",
        "living_costs",
        "月",
        Some(&enterprise),
    )?;
    let s_job = service(
        c,
        "就业指导与岗位推荐",
        "employment",
        "次",
        Some(&enterprise),
    )?;
    let s_talk = service(c, "心理疏导谈心", "psychological", "次", None)?;
    let s_tuition = service(c, "学费减免", "education", "学年", None)?;
    let s_clean = service(c, "家庭保洁", "daily_care", "次", Some(&volunteers2))?;
    let s_ride = service(c, "接送返村", "transport", "次", Some(&volunteers2))?;
    let s_doctor = service(c, "陪同就医", "medical", "次", Some(&volunteers2))?;
    let s_mentor = service(c, "家庭教育导师辅导作业", "family_education", "次", None)?;
    let s_hygiene = service(c, "生理卫生指导", "health_hygiene", "次", None)?;
    let s_rent = service(c, "免费租房", "housing", "月", None)?;
    let _ = school;

    let mut id_rng = fastrand::Rng::with_seed(seed ^ 0xA11CE);
    let mut member = |c: &mut Caller,
                      actor: &str,
                      on: NaiveDate,
                      hh: &str,
                      county: &str,
                      name: &str,
                      rel: &str,
                      female: bool,
                      birth: NaiveDate,
                      extra: Value|
     -> ApiResult<String> {
        let mut m = json!({"name": name, "relation": rel, "sex": if female {"female"} else {"male"}, "birth_date": birth});
        if let Some(n) = make_id(&mut id_rng, county, birth, female, used) {
            m["id_number"] = json!(n);
        }
        if let Value::Object(e) = extra {
            for (k, v) in e {
                m[k] = v;
            }
        }
        Ok(id_of(&c.call(
            Some(actor),
            on,
            "member.add",
            json!({"household_id": hh, "member": m}),
        )?))
    };
    let ymd = |y: i32, m: u32, dd: u32| NaiveDate::from_ymd_opt(y, m, dd).unwrap_or(t);
    let y = t.year();

    // ---- Household 1: 车门社区 — mother sole carer, husband ill, son with ALS, daughter at university.
    let cw = cw1.as_str();
    let h1v = c.call(Some(cw), d(150), "household.create", json!({
        "division_code": chemen, "address": "车门社区二组 18 号", "phone": "13905271234",
        "causes": ["illness", "disability"],
        "supports": [{"kind": "dibao", "monthly_fen": 240000}, {"kind": "medical_green_channel"},
                     {"kind": "holiday_gifts", "note": "逢年过节送米面油"}, {"kind": "other", "note": "爱心企业捐助"}],
        "referral_source": "screening", "referral_note": "春节前“一户一策”走访中发现深层次需求",
        "consent_on": d(150), "consent_scope": "建档、帮扶与统计上报", "caseworker_id": cw1, "priority": "high"}))?;
    let h1 = id_of(&h1v);
    let mother = member(
        c,
        cw,
        d(150),
        &h1,
        "321324",
        "魏秀兰",
        "head",
        true,
        ymd(y - 43, 5, 12),
        json!({"is_primary_carer": true, "is_target": true, "phone": "13905271234", "work": "务农，照料家人"}),
    )?;
    let husband = member(
        c,
        cw,
        d(150),
        &h1,
        "321324",
        "孙建国",
        "spouse",
        false,
        ymd(y - 46, 9, 3),
        json!({"health_conditions": "精神疾病，需规律服药", "disability_type": "mental", "disability_grade": 2}),
    )?;
    let son = member(
        c,
        cw,
        d(150),
        &h1,
        "321324",
        "孙小宇",
        "son",
        false,
        ymd(y - 12, 3, 21),
        json!({"health_conditions": "渐冻症（肌萎缩侧索硬化）", "disability_type": "physical", "disability_grade": 1,
               "schooling": "not_in_school", "is_target": true}),
    )?;
    let daughter = member(
        c,
        cw,
        d(150),
        &h1,
        "321324",
        "孙雨萱",
        "daughter",
        true,
        ymd(y - 19, 7, 8),
        json!({"schooling": "college", "school_name": "省内某高校", "is_target": true}),
    )?;
    c.call(
        Some(cw),
        d(150),
        "household.transition",
        json!({"id": h1, "to": "assessing"}),
    )?;
    let v1 = c.call(Some(cw), d(150), "visit.log", json!({
        "household_id": h1, "visited_on": d(150), "kind": "festival_visit", "members_seen": [mother, son, daughter],
        "notes": "春节前走访。母亲一人照料丈夫和儿子，担心女儿读不起大学。",
        "needs_found": [
            {"member_id": husband, "category": "medical", "description": "丈夫精神疾病需系统治疗，出院后需协助按时服药", "priority": "high"},
            {"member_id": son, "category": "daily_care", "description": "儿子患渐冻症，需要定期洗澡洗头和陪伴", "priority": "high"},
            {"member_id": daughter, "category": "education", "description": "女儿大学学费负担重", "priority": "high"},
            {"member_id": daughter, "category": "living_costs", "description": "女儿在校生活费没有着落", "priority": "medium"},
            {"member_id": daughter, "category": "psychological", "description": "女儿担心家庭，学业压力大", "priority": "medium"},
            {"member_id": mother, "category": "employment", "description": "母亲需要在家门口就业，兼顾照料", "priority": "medium"}
        ]}))?;
    let needs1: Vec<String> = v1["needs_found"]
        .as_array()
        .map(|a| a.iter().map(id_of).collect())
        .unwrap_or_default();
    let n = |i: usize| needs1.get(i).cloned().unwrap_or_default();
    c.call(
        Some(cw),
        d(148),
        "household.transition",
        json!({"id": h1, "to": "active"}),
    )?;
    let plan1 = id_of(
        &c.call(
            Some(cw),
            d(147),
            "plan.create_draft",
            json!({"household_id": h1,
        "goals": "稳定丈夫病情、不再复发；儿子得到常态化照护；女儿顺利完成学业；母亲在家门口就业"}),
        )?["plan"],
    );
    let action = |c: &mut Caller, on: NaiveDate, plan: &str, body: Value| -> ApiResult<()> {
        c.call(
            Some(cw),
            on,
            "action.add",
            json!({"plan_id": plan, "action": body}),
        )?;
        Ok(())
    };
    action(
        c,
        d(147),
        &plan1,
        json!({"service_id": s_treat, "title": "宿迁三院免费住院治疗两个月", "need_ids": [n(0)], "start_on": d(140), "responsible_name": "何丽华"}),
    )?;
    action(
        c,
        d(147),
        &plan1,
        json!({"service_id": s_meds, "need_ids": [n(0)], "recurrence": weekly(&["mon"]), "start_on": d(80), "responsible_name": "周敏"}),
    )?;
    action(
        c,
        d(147),
        &plan1,
        json!({"service_id": s_bath, "title": "志愿者每周上门给儿子洗澡洗头、讲故事、教画画", "need_ids": [n(1)], "recurrence": weekly(&["sat"]), "start_on": d(140), "responsible_name": "周敏"}),
    )?;
    action(
        c,
        d(147),
        &plan1,
        json!({"service_id": s_talk, "title": "与女儿谈心，鼓励追求梦想", "need_ids": [n(4)], "recurrence": {"freq": "monthly", "month_day": 10, "count": 6}, "start_on": d(140), "responsible_name": "周敏"}),
    )?;
    action(
        c,
        d(147),
        &plan1,
        json!({"service_id": s_tuition, "title": "协调女儿学费减免", "need_ids": [n(2)], "start_on": d(120), "provider_name": "女儿就读高校", "responsible_name": "何丽华"}),
    )?;
    action(
        c,
        d(147),
        &plan1,
        json!({"service_id": s_stipend, "title": "爱心企业每月资助女儿生活费 500 元", "need_ids": [n(3)], "amount_fen": 50000, "recurrence": {"freq": "monthly", "month_day": 1}, "start_on": d(140), "responsible_name": "企业工会"}),
    )?;
    action(
        c,
        d(147),
        &plan1,
        json!({"service_id": s_job, "title": "就业指导并推荐家门口岗位", "need_ids": [n(5)], "start_on": d(100), "responsible_name": "企业工会"}),
    )?;
    c.call(Some(cw), d(146), "plan.submit", json!({"id": plan1}))?;
    c.call(
        Some(&sup1),
        d(144),
        "plan.approve",
        json!({"id": plan1, "comment": "同意，按计划常态化落实"}),
    )?;
    deliver(c, cw, &h1, t, d(144), &[mother.clone(), son.clone()], 7)?;
    c.call(Some(cw), d(20), "need.set_status", json!({"id": n(0), "to": "met", "note": "出院后规律服药，未再发病，能帮家里干家务、干农活"}))?;
    c.call(
        Some(cw),
        d(20),
        "need.set_status",
        json!({"id": n(2), "to": "met", "note": "学费已减免"}),
    )?;
    c.call(
        Some(cw),
        t,
        "visit.schedule",
        json!({"household_id": h1, "scheduled_on": t + Duration::days(2), "kind": "home_visit"}),
    )?;
    // A second version waits for review: add a weekly phone check on the mother.
    let plan1b = id_of(
        &c.call(
            Some(cw),
            d(6),
            "plan.create_draft",
            json!({"household_id": h1}),
        )?["plan"],
    );
    action(
        c,
        d(6),
        &plan1b,
        json!({"service_id": s_talk, "title": "每周电话关心母亲身心状况", "need_ids": [n(5)], "recurrence": weekly(&["wed"]), "start_on": d(0)}),
    )?;
    c.call(Some(cw), d(5), "plan.submit", json!({"id": plan1b}))?;

    // ---- Household 2: 顺河村 — grandmother and granddaughter.
    let cw = cw2.as_str();
    let h2v = c.call(Some(cw), d(130), "household.create", json!({
        "division_code": shunhe, "address": "顺河村五组 6 号", "phone": "13852701234",
        "causes": ["bereavement", "single_parent"], "supports": [{"kind": "dibao", "monthly_fen": 156000}],
        "referral_source": "village_committee", "referral_note": "摸排后由村党委推荐",
        "consent_on": d(130), "consent_scope": "建档、帮扶与统计上报", "caseworker_id": cw2, "priority": "high"}))?;
    let h2 = id_of(&h2v);
    let grandma = member(
        c,
        cw,
        d(130),
        &h2,
        "321023",
        "钱桂芳",
        "head",
        true,
        ymd(y - 65, 11, 2),
        json!({"is_primary_carer": true, "is_target": true, "health_conditions": "高血压，行动不便"}),
    )?;
    let girl = member(
        c,
        cw,
        d(130),
        &h2,
        "321023",
        "钱思语",
        "granddaughter",
        true,
        ymd(y - 9, 4, 16),
        json!({"schooling": "primary", "school_name": "山阳镇中心小学", "is_target": true}),
    )?;
    c.call(
        Some(cw),
        d(130),
        "household.transition",
        json!({"id": h2, "to": "assessing"}),
    )?;
    let v2 = c.call(Some(cw), d(128), "visit.log", json!({
        "household_id": h2, "visited_on": d(128), "kind": "home_visit", "members_seen": [grandma, girl],
        "notes": "老伴和儿子已去世，儿媳离家，祖孙相依为命。",
        "needs_found": [
            {"category": "housing", "description": "孙女上学路远，需要在小学附近住", "priority": "high"},
            {"member_id": girl, "category": "transport", "description": "每周需要接送返村", "priority": "medium"},
            {"member_id": grandma, "category": "daily_care", "description": "奶奶年迈，家中需要保洁", "priority": "medium"},
            {"member_id": grandma, "category": "medical", "description": "奶奶看病需要有人陪同", "priority": "medium"},
            {"member_id": girl, "category": "family_education", "description": "无人辅导作业、督促学习", "priority": "high"},
            {"member_id": girl, "category": "health_hygiene", "description": "需要青春期生理卫生指导", "priority": "low"},
            {"member_id": girl, "category": "psychological", "description": "缺少父母陪伴，需要心理疏导", "priority": "medium"}
        ]}))?;
    let needs2: Vec<String> = v2["needs_found"]
        .as_array()
        .map(|a| a.iter().map(id_of).collect())
        .unwrap_or_default();
    let n2 = |i: usize| needs2.get(i).cloned().unwrap_or_default();
    c.call(
        Some(cw),
        d(127),
        "household.transition",
        json!({"id": h2, "to": "active"}),
    )?;
    let plan2 = id_of(
        &c.call(
            Some(cw),
            d(126),
            "plan.create_draft",
            json!({"household_id": h2,
        "goals": "祖孙生活安定；孙女就近上学、学业有人督促、健康成长；奶奶看病有人陪"}),
        )?["plan"],
    );
    let action2 = |c: &mut Caller, body: Value| -> ApiResult<()> {
        c.call(
            Some(cw),
            d(126),
            "action.add",
            json!({"plan_id": plan2, "action": body}),
        )?;
        Ok(())
    };
    action2(
        c,
        json!({"service_id": s_rent, "title": "在小学附近免费租房", "need_ids": [n2(0)], "start_on": d(120), "provider_name": "爱心房东"}),
    )?;
    action2(
        c,
        json!({"service_id": s_ride, "title": "每周五接送祖孙返村", "need_ids": [n2(1)], "recurrence": weekly(&["fri"]), "start_on": d(120)}),
    )?;
    action2(
        c,
        json!({"service_id": s_clean, "title": "志愿者隔周上门保洁", "need_ids": [n2(2)], "recurrence": {"freq": "weekly", "interval": 2, "weekdays": ["wed"]}, "start_on": d(120)}),
    )?;
    action2(
        c,
        json!({"service_id": s_doctor, "title": "每月陪同奶奶看病", "need_ids": [n2(3)], "recurrence": {"freq": "monthly", "month_day": 15}, "start_on": d(120)}),
    )?;
    action2(
        c,
        json!({"service_id": s_mentor, "title": "家庭教育导师周末检查作业、督促进度", "need_ids": [n2(4)], "recurrence": weekly(&["sat", "sun"]), "start_on": d(120), "responsible_name": "吴静"}),
    )?;
    action2(
        c,
        json!({"service_id": s_hygiene, "need_ids": [n2(5)], "recurrence": {"freq": "monthly", "month_day": 20, "count": 6}, "start_on": d(120), "responsible_name": "吴静"}),
    )?;
    action2(
        c,
        json!({"service_id": s_talk, "title": "心理健康疏导", "need_ids": [n2(6)], "recurrence": {"freq": "monthly", "month_day": 25}, "start_on": d(120), "responsible_name": "吴静"}),
    )?;
    c.call(Some(cw), d(125), "plan.submit", json!({"id": plan2}))?;
    c.call(
        Some(&sup2),
        d(122),
        "plan.approve",
        json!({"id": plan2, "comment": "同意"}),
    )?;
    deliver(c, cw, &h2, t, d(122), &[grandma.clone(), girl.clone()], 9)?;
    // A revision returned by the reviewer: it shows on the caseworker's Today.
    let plan2b = id_of(
        &c.call(
            Some(cw),
            d(4),
            "plan.create_draft",
            json!({"household_id": h2}),
        )?["plan"],
    );
    c.call(Some(cw), d(4), "action.add", json!({"plan_id": plan2b, "action": {"service_id": s_mentor, "title": "寒暑假学业辅导", "need_ids": [n2(4)], "recurrence": weekly(&["tue"]), "start_on": t}}))?;
    c.call(Some(cw), d(4), "plan.submit", json!({"id": plan2b}))?;
    c.call(
        Some(&sup2),
        d(3),
        "plan.return",
        json!({"id": plan2b, "comment": "请写明负责人，并说明寒暑假以外是否继续"}),
    )?;
    // Each caseworker brings their household's schedule up to the horizon.
    c.call(
        Some(&cw1),
        t,
        "occurrence.generate",
        json!({"household_id": h1}),
    )?;
    c.call(
        Some(cw),
        t,
        "occurrence.generate",
        json!({"household_id": h2}),
    )?;
    let case_nos = vec![s(&h1v, &["case_no"]), s(&h2v, &["case_no"])];
    Ok((admin, article_staff, case_nos))
}

/// Weekly visits from `from` until a week before today, each delivering what fell due since the
/// last one (one in `miss_every` missed); the last week's deliveries stay open.
fn deliver(
    c: &mut Caller,
    cw: &str,
    hh: &str,
    today: NaiveDate,
    from: NaiveDate,
    seen: &[String],
    miss_every: usize,
) -> ApiResult<()> {
    let mut day = from + Duration::days(7);
    let mut k = 0usize;
    while day <= today - Duration::days(7) {
        let list = c.call(
            Some(cw),
            day,
            "occurrence.list",
            json!({"household_id": hh, "to": day, "status": "due"}),
        )?;
        let mut delivered = Vec::new();
        for o in list.as_array().into_iter().flatten() {
            k += 1;
            if k.is_multiple_of(miss_every) {
                c.call(
                    Some(cw),
                    day,
                    "occurrence.record",
                    json!({"id": o["id"], "status": "missed", "note": "家中有事，顺延"}),
                )?;
            } else {
                delivered.push(o["id"].clone());
            }
        }
        c.call(Some(cw), day, "visit.log", json!({"household_id": hh, "visited_on": day, "kind": "home_visit",
            "members_seen": seen, "notes": "例行走访，服务按计划落实。", "occurrences_delivered": delivered}))?;
        day += Duration::days(7);
    }
    Ok(())
}
