//! `yihu demo`: a realistic, reproducible data set for trying the app, training and the
//! benchmarks. The article's two households are entered through the command surface exactly
//! as a caseworker would (with fictional names); the N generated households are bulk-loaded
//! with the same rules and invariants, fast enough for 100,000 households: one thread generates
//! rows into flat per-table buffers, a second writes them into the file with prepared
//! statements, and a third builds the search index in memory, copied into the file at the end.

// Fx hashing: the generator looks names and ID numbers up a million times; no key here comes
// from outside the program, so a fast unkeyed hash is the right one.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::{Arc, Mutex};

use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::{Value, json};

use crate::api::{self, search_index::household_terms_with};
use crate::ctx::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::idcard;
use crate::recurrence::{Freq, Recurrence, Weekday};
use crate::types::*;

pub struct Options {
    pub households: u32,
    pub seed: u64,
    pub today: NaiveDate,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub admin_id: String,
    /// Staff of the article's households, by role and name (for `--as`).
    pub article_staff: Vec<Value>,
    pub article_case_nos: Vec<String>,
    pub households: i64,
    pub members: i64,
    pub visits: i64,
    pub occurrences: i64,
    pub staff: i64,
}

/// Runs commands through the one command surface with a seeded clock and id source.
struct Caller<'a> {
    conn: &'a mut Connection,
    rng: Arc<Mutex<fastrand::Rng>>,
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
            ApiError::new(
                e.code.clone(),
                format!("demo step {command} failed: {}", e.message),
            )
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

/// A date as SQL text (`YYYY-MM-DD`, as rusqlite writes a `NaiveDate`), formatted by hand:
/// chrono's formatter parses its format string on every call, which was a tenth of the
/// generator's time. Demo dates lie within years 1000–9999.
#[derive(Clone, Copy)]
struct Day([u8; 10]);

impl Day {
    fn new(d: NaiveDate) -> Day {
        let mut b = *b"0000-00-00";
        let digits = |b: &mut [u8], mut n: u32| {
            for c in b.iter_mut().rev() {
                *c = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        digits(&mut b[0..4], d.year().clamp(0, 9999).unsigned_abs());
        digits(&mut b[5..7], d.month());
        digits(&mut b[8..10], d.day());
        Day(b)
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// `YYYYMMDD`, as in an ID number.
    fn compact(&self) -> String {
        let t = self.text();
        [&t[0..4], &t[5..7], &t[8..10]].concat()
    }
}

impl rusqlite::ToSql for Day {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(
            rusqlite::types::ValueRef::Text(&self.0),
        ))
    }
}

/// A valid fictional ID number for a birth date, sex and county.
fn make_id(
    rng: &mut fastrand::Rng,
    county: &str,
    birth: NaiveDate,
    female: bool,
    used: &mut HashSet<String>,
) -> Option<String> {
    for _ in 0..20 {
        let mut seq = rng.u32(0..500) * 2;
        if !female {
            seq += 1;
        }
        let first17 = format!("{county}{}{:03}", Day::new(birth).compact(), seq % 1000);
        let check = idcard::check_char(&first17)?;
        let n = format!("{first17}{check}");
        if used.insert(n.clone()) {
            return Some(n);
        }
    }
    None
}

pub fn build(conn: &mut Connection, opts: &Options) -> ApiResult<Summary> {
    let existing: i64 = conn.query_row("SELECT count(*) FROM household", [], |r| r.get(0))?;
    let staff_count: i64 = conn.query_row("SELECT count(*) FROM staff", [], |r| r.get(0))?;
    if existing > 0 || staff_count > 0 {
        return Err(ApiError::new(
            "demo.not_empty",
            "demo data goes into a new, empty database",
        ));
    }
    if opts.households > 1_000_000 {
        return Err(ApiError::at(
            "validation.out_of_range",
            "households",
            "at most 1,000,000 households",
        ));
    }
    // A plain file is rewritten with 16 KB pages before anything is loaded (VACUUM of the few
    // MB of division data): a bulk load of a gigabyte builds, caches and writes a quarter as
    // many pages (about 2.5 s less for 100,000 households). Larger pages load faster still but
    // make a county's follow-up list slower (it reads households scattered over the file).
    // An encrypted file keeps SQLCipher's page size (`yihu demo --encrypt` and the app's own
    // demo are encrypted after the load, with SQLCipher's pages).
    if conn
        .path()
        .is_some_and(|p| crate::db::is_plain_sqlite(std::path::Path::new(p)))
    {
        conn.execute_batch(
            "PRAGMA journal_mode = DELETE; PRAGMA page_size = 16384; VACUUM; PRAGMA journal_mode = WAL;",
        )?;
    }
    let rng = Arc::new(Mutex::new(fastrand::Rng::with_seed(opts.seed)));
    // About three ID numbers per household: sized once instead of grown (and rehashed) 20 times.
    let mut used_ids =
        HashSet::with_capacity_and_hasher(opts.households as usize * 3, Default::default());
    let mut caller = Caller {
        conn,
        rng: rng.clone(),
    };
    let article = article_households(&mut caller, opts.today, opts.seed, &mut used_ids)?;
    let mut gen_rng = fastrand::Rng::with_seed(
        opts.seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(1),
    );
    bulk(conn, &mut gen_rng, opts, &mut used_ids)?;
    let count = |sql: &str| -> ApiResult<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    Ok(Summary {
        admin_id: article.0,
        article_staff: article.1,
        article_case_nos: article.2,
        households: count("SELECT count(*) FROM household")?,
        members: count("SELECT count(*) FROM member")?,
        visits: count("SELECT count(*) FROM visit")?,
        occurrences: count("SELECT count(*) FROM occurrence")?,
        staff: count("SELECT count(*) FROM staff")?,
    })
}

// ---------------------------------------------------------------- the article's households

type ArticleResult = (String, Vec<Value>, Vec<String>);

fn weekly(days: &[&str]) -> Value {
    json!({"freq": "weekly", "interval": 1, "weekdays": days})
}

fn article_households(
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

// ---------------------------------------------------------------- bulk households

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "段", "雷", "侯", "龙", "史",
    "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴", "莫", "孔",
    "向", "汤", "单", "解", "仇", "查", "欧阳", "诸葛",
];
const FEMALE: &[&str] = &[
    "秀", "英", "兰", "芳", "丽", "敏", "静", "燕", "红", "霞", "梅", "玲", "娟", "萍", "华", "桂",
    "慧", "婷", "雪", "琴", "云", "洁", "佳", "欣", "怡", "雨", "萱", "思", "语", "晓", "梦", "璐",
    "颖", "艳", "凤", "丹", "月", "珍", "莉", "琳",
];
const MALE: &[&str] = &[
    "建", "国", "军", "伟", "强", "明", "华", "平", "刚", "杰", "涛", "斌", "辉", "磊", "鹏", "宇",
    "浩", "轩", "博", "文", "志", "勇", "超", "俊", "峰", "龙", "海", "林", "成", "永", "德", "安",
    "子", "晨", "睿", "泽",
];
const NEED_TEXT: &[(&str, &str)] = &[
    ("medical", "需要定期就医和药费支持"),
    ("daily_care", "生活需要有人照料"),
    ("education", "孩子学费有困难"),
    ("living_costs", "日常生活费不足"),
    ("employment", "家中劳动力需要就业帮扶"),
    ("housing", "住房条件差，需要修缮"),
    ("transport", "孩子上学交通不便"),
    ("guardianship", "孩子缺少监护"),
    ("psychological", "情绪低落，需要心理疏导"),
    ("family_education", "缺少家庭教育指导"),
    ("health_hygiene", "需要卫生健康指导"),
    ("legal", "需要法律援助"),
];

fn pick<'a>(rng: &mut fastrand::Rng, list: &[&'a str]) -> &'a str {
    list[rng.usize(0..list.len())]
}

fn person_name(rng: &mut fastrand::Rng, surname: &str, female: bool) -> String {
    let pool = if female { FEMALE } else { MALE };
    let mut n = surname.to_string();
    n.push_str(pick(rng, pool));
    if rng.u8(0..10) < 7 {
        n.push_str(pick(rng, pool));
    }
    n
}

fn surname(rng: &mut fastrand::Rng) -> &'static str {
    // Skewed towards the common surnames at the front of the list.
    let f = rng.f64();
    SURNAMES[((f * f) * SURNAMES.len() as f64) as usize % SURNAMES.len()]
}

struct Ids<'a> {
    rng: &'a mut fastrand::Rng,
    ms: u64,
}

impl Ids<'_> {
    fn next(&mut self) -> String {
        let mut b = [0u8; 10];
        self.rng.fill(&mut b);
        self.ms += 1;
        uuid::Builder::from_unix_timestamp_millis(self.ms, &b)
            .into_uuid()
            .to_string()
    }
}

/// One value of a generated row; text lives in its table's buffer (no allocation per value).
#[derive(Clone, Copy)]
enum Slot {
    Null,
    Int(i64),
    Real(f64),
    Text(usize, usize),
}

/// The rows of one table that the generator has made and the loader has not yet written: the
/// values of each row one after the other (the loader cuts them by the statement's width).
#[derive(Default)]
struct Rows {
    text: Vec<u8>,
    values: Vec<Slot>,
}

impl Rows {
    /// Queue one row (same call shape as `Statement::execute`).
    fn execute(&mut self, params: &[&dyn rusqlite::ToSql]) -> ApiResult<usize> {
        for p in params {
            let slot = self.slot(*p)?;
            self.values.push(slot);
        }
        Ok(1)
    }

    /// Replace the value at `index` of the queued values.
    fn set(&mut self, index: usize, value: &dyn rusqlite::ToSql) -> ApiResult<()> {
        let slot = self.slot(value)?;
        match self.values.get_mut(index) {
            Some(v) => *v = slot,
            None => return Err(ApiError::internal("demo: no such queued value")),
        }
        Ok(())
    }

    fn slot(&mut self, p: &dyn rusqlite::ToSql) -> ApiResult<Slot> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        let out = p.to_sql()?;
        let v = match &out {
            ToSqlOutput::Borrowed(v) => *v,
            ToSqlOutput::Owned(v) => ValueRef::from(v),
            _ => return Err(ApiError::internal("demo: unsupported value")),
        };
        Ok(match v {
            ValueRef::Null => Slot::Null,
            ValueRef::Integer(i) => Slot::Int(i),
            ValueRef::Real(f) => Slot::Real(f),
            ValueRef::Text(b) => {
                let start = self.text.len();
                self.text.extend_from_slice(b);
                Slot::Text(start, self.text.len())
            }
            ValueRef::Blob(_) => return Err(ApiError::internal("demo: unsupported value")),
        })
    }

    /// Forget the queued rows, keeping the buffers.
    fn clear(&mut self) {
        self.text.clear();
        self.values.clear();
    }

    /// Write every queued row with `st`.
    fn write(&self, st: &mut rusqlite::CachedStatement<'_>) -> ApiResult<()> {
        let width = st.parameter_count().max(1);
        for row in self.values.chunks(width) {
            st.execute(rusqlite::params_from_iter(
                row.iter().map(|slot| Bound(&self.text, *slot)),
            ))?;
        }
        Ok(())
    }
}

/// A queued value, bound straight from its table's buffer.
struct Bound<'a>(&'a [u8], Slot);

impl rusqlite::ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self.1 {
            Slot::Null => ValueRef::Null,
            Slot::Int(i) => ValueRef::Integer(i),
            Slot::Real(f) => ValueRef::Real(f),
            Slot::Text(a, b) => ValueRef::Text(self.0.get(a..b).unwrap_or_default()),
        }))
    }
}

/// Generated rows, by table, on their way from the generator thread to the two writers.
#[derive(Default)]
struct Stmts {
    staff: Rows,
    household: Rows,
    support: Rows,
    member: Rows,
    need: Rows,
    plan: Rows,
    plan_need: Rows,
    action: Rows,
    action_need: Rows,
    audit: Rows,
    visit: Rows,
    occurrence: Rows,
    /// Search documents, written by the side writer (see [`on_side`]).
    term: Rows,
    /// The division of the household being written (copied onto its visits, plans, occurrences).
    division: String,
    /// The last link of the audit chain: (seq, hash).
    audit_head: (i64, String),
    /// The search document id of the next household.
    next_search_id: i64,
    /// Emptied buffers back from the writers, by table (in the order of [`Batch`]).
    spare: [Vec<Rows>; 13],
}

/// One batch of generated rows per table, in the order of [`LOAD`].
type Batch = [Rows; 13];

impl Stmts {
    /// The rows made so far: those the main writer writes, and those for the side writer. The
    /// buffers put in their place are ones the writers have emptied and sent back, when there
    /// are any (no new allocation and no fresh pages per batch).
    fn take(&mut self, recycled: &std::sync::mpsc::Receiver<Batch>) -> (Batch, Batch) {
        for batch in recycled.try_iter() {
            for (pool, rows) in self.spare.iter_mut().zip(batch) {
                if rows.values.capacity() > 0 {
                    pool.push(rows);
                }
            }
        }
        let mut spare = self
            .spare
            .iter_mut()
            .map(|pool| pool.pop().unwrap_or_default());
        let mut t = |rows: &mut Rows| std::mem::replace(rows, spare.next().unwrap_or_default());
        let all: Batch = [
            t(&mut self.staff),
            t(&mut self.household),
            t(&mut self.support),
            t(&mut self.member),
            t(&mut self.need),
            t(&mut self.plan),
            t(&mut self.plan_need),
            t(&mut self.action),
            t(&mut self.action_need),
            t(&mut self.audit),
            t(&mut self.visit),
            t(&mut self.occurrence),
            t(&mut self.term),
        ];
        let mut main: Batch = Default::default();
        let mut side: Batch = Default::default();
        for (i, rows) in all.into_iter().enumerate() {
            if on_side(LOAD[i].0) {
                side[i] = rows;
            } else {
                main[i] = rows;
            }
        }
        (main, side)
    }
}

/// Each table's statement, in the order of [`Batch`].
const LOAD: [(&str, &str); 13] = [
    ("staff", "INSERT INTO staff(id, name, role, division_code, phone, active, created_at, updated_at)
        VALUES (?1,?2,?3,?4,NULL,1,?5,?5)"),
    ("household", "INSERT INTO household(id, case_no, division_code, address, phone, causes, referral_source,
        referral_note, referred_on, consent_on, consent_recorded_by, consent_scope, caseworker_id, priority, status,
        closure_reason, closure_note, closed_on, last_visit_on, search_id, created_at, updated_at)
        VALUES (?1,?2,?3,?4,?5,?6,?7,NULL,?8,?9,?10,?11,?12,?13,?14,?15,NULL,?16,?17,?19,?18,?18)"),
    ("household_support", "INSERT INTO household_support(household_id, kind, monthly_fen, note) VALUES (?1,?2,?3,NULL)"),
    ("member", "INSERT INTO member(id, household_id, name, relation, sex, birth_date, id_number, phone,
        health_conditions, disability_type, disability_grade, schooling, school_name, work, is_primary_carer, is_target,
        created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,NULL,NULL,?13,?14,?15,?15)"),
    ("need", "INSERT INTO need(id, household_id, member_id, category, description, priority, status,
        found_visit_id, found_on, resolved_on, outcome_note, created_at, updated_at)
        VALUES (?1,?2,?3,?4,?5,?6,?7,NULL,?8,?9,NULL,?10,?10)"),
    ("plan_version", "INSERT INTO plan_version(id, household_id, division_code, version_no, status, goals,
        based_on_id, created_by, created_at, updated_at, submitted_by, submitted_at, decided_by, decided_at,
        decision_comment, in_force_from)
        VALUES (?1,?2,?14,?3,?4,?5,NULL,?6,?7,?7,?8,?9,?10,?11,?12,?13)"),
    ("plan_need", "INSERT OR IGNORE INTO plan_need(plan_version_id, need_id, category, priority, description, status)
        VALUES (?1,?2,?3,?4,?5,?6)"),
    ("action", "INSERT INTO action(id, plan_version_id, household_id, lineage_id, service_id, title, category,
        partner_id, provider_name, responsible_name, responsible_phone, amount_fen, recurrence, start_on, status, note,
        created_at, updated_at) VALUES (?1,?2,?3,?1,NULL,?4,?5,NULL,?6,?7,NULL,?8,?9,?10,?11,NULL,?12,?12)"),
    ("action_need", "INSERT OR IGNORE INTO action_need(action_id, need_id) VALUES (?1,?2)"),
    ("audit", "INSERT INTO audit(seq, at, actor_id, command, entity_type, entity_id, household_id, before_json,
        after_json, prev_hash, hash) VALUES (?1,?2,NULL,'demo',?3,?4,?4,NULL,?5,?6,?7)"),
    ("visit", "INSERT INTO visit(id, household_id, division_code, status, kind, scheduled_on, visited_on,
        visitors, members_seen, notes, next_visit_on, created_by, created_at, updated_at)
        VALUES (?1,?2,?12,?3,?4,?5,?6,?7,?8,?9,NULL,?10,?11,?11)"),
    ("occurrence", "INSERT INTO occurrence(id, action_id, household_id, division_code, due_on, status,
        done_on, recorded_by, recorded_at, note, visit_id)
        VALUES (?1,?2,?3,?9,?4,?5,?6,?7,?8,NULL,NULL)"),
    ("household_search", "INSERT INTO household_search(rowid, terms) VALUES (?1, ?2)"),
];

/// Where `last_visit_on` sits in a queued household row (`?17` of its statement).
const HOUSEHOLD_LAST_VISIT: usize = 16;

/// Does the side writer write `table`? It builds the search index (a third of the writing
/// work: tokenising and sorting 12 million index entries) while the main writer fills every
/// other table. Measured alternatives: giving the side writer the visits or the occurrences
/// as well is slower, as copying them into the file afterwards costs more than it saves.
fn on_side(table: &str) -> bool {
    table == "household_search"
}

/// Write every batch from `batches` with the statements of the tables of one writer.
fn write_batches(
    tx: &rusqlite::Transaction<'_>,
    side: bool,
    batches: std::sync::mpsc::Receiver<Batch>,
    recycle: &std::sync::mpsc::Sender<Batch>,
) -> ApiResult<()> {
    let mut stmts = LOAD
        .iter()
        .map(|(table, sql)| {
            (on_side(table) == side)
                .then(|| tx.prepare_cached(sql))
                .transpose()
        })
        .collect::<Result<Vec<_>, _>>()?;
    for mut batch in batches.iter() {
        for (st, rows) in stmts.iter_mut().zip(batch.iter_mut()) {
            if let Some(st) = st {
                rows.write(st)?;
            }
            rows.clear();
        }
        // The generator may have finished; then the buffers are simply dropped.
        let _ = recycle.send(batch);
    }
    Ok(())
}

/// Households generated per batch handed to the loader.
const BATCH: u32 = 250;

fn bulk(
    conn: &mut Connection,
    rng: &mut fastrand::Rng,
    opts: &Options,
    used_ids: &mut HashSet<String>,
) -> ApiResult<()> {
    if opts.households == 0 {
        return Ok(());
    }
    // A bulk load into a fresh file: secondary indexes are rebuilt once at the end (faster than
    // maintaining them row by row). The side tables keep theirs: they arrive built.
    let tables: Vec<&str> = LOAD
        .iter()
        .map(|(table, _)| *table)
        .filter(|table| !on_side(table))
        .collect();
    let indexes = index_sql(conn, &tables)?;
    // Demo data goes into a new file that nobody else has open, so the load skips the journal
    // and per-row key checks; `yihu check` verifies every key afterwards. An interrupted demo
    // load leaves a file to delete and build again (it never touches a file with real data:
    // `build` refuses a database that holds anything).
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -100000;",
    )?;
    // The query planner's statistics are gathered before the file goes back to WAL mode, so
    // the WAL stays empty and closing the connection has nothing to checkpoint. The pages are
    // then the operating system's to write out, as for any copied file (no fsync of the
    // whole file here).
    let result = bulk_load(conn, rng, opts, used_ids, &indexes).and_then(|()| {
        Ok(conn.execute_batch("PRAGMA analysis_limit = 1000; ANALYZE; PRAGMA optimize;")?)
    });
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -64000;",
    )?;
    result?;
    Ok(())
}

/// The `CREATE INDEX` statements of `tables` (automatic indexes of keys excluded).
fn index_sql(conn: &Connection, tables: &[&str]) -> ApiResult<Vec<(String, String)>> {
    let mut st = conn.prepare(&format!(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({}) ORDER BY name",
        tables.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(",")
    ))?;
    Ok(st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
}

/// Run `f` with the side database attached to `conn` as `side`: before the load, to create the
/// search index there, and after it, to copy the index into the file. It is detached while the
/// side writer writes it (a shared cache allows one writer at a time).
fn with_side<T>(
    conn: &mut Connection,
    uri: &str,
    f: impl FnOnce(&mut Connection) -> ApiResult<T>,
) -> ApiResult<T> {
    conn.execute("ATTACH DATABASE ?1 AS side KEY ''", [uri])?;
    let result = f(conn);
    let detached = conn.execute_batch("DETACH DATABASE side");
    let value = result?;
    detached?;
    Ok(value)
}

/// `sql`, the file's `CREATE VIRTUAL TABLE name` statement, made to create the same table in
/// the side database.
fn in_side(sql: &str) -> ApiResult<String> {
    sql.strip_prefix("CREATE VIRTUAL TABLE ")
        .map(|rest| format!("CREATE VIRTUAL TABLE side.{rest}"))
        .ok_or_else(|| ApiError::internal("demo: unexpected search index definition"))
}

/// The side writer: fills the search index in the in-memory side database from `batches`,
/// then merges it into one segment, as a search reads it fastest.
fn side_writer(
    conn: &mut Connection,
    batches: std::sync::mpsc::Receiver<Batch>,
    recycle: std::sync::mpsc::Sender<Batch>,
) -> ApiResult<()> {
    let tx = conn.transaction()?;
    write_batches(&tx, true, batches, &recycle)?;
    drop(recycle);
    tx.execute_batch(
        "INSERT INTO household_search(household_search) VALUES ('optimize');
         INSERT INTO household_search(household_search, rank) VALUES ('automerge', 4);
         INSERT INTO household_search(household_search, rank) VALUES ('crisismerge', 16);",
    )?;
    tx.commit()?;
    Ok(())
}

fn bulk_load(
    conn: &mut Connection,
    rng: &mut fastrand::Rng,
    opts: &Options,
    used_ids: &mut HashSet<String>,
    indexes: &[(String, String)],
) -> ApiResult<()> {
    // The side database lives in memory only, while the side writer's connection holds it open
    // (a named in-memory database with a shared cache); never encrypted, never on disk.
    let side_uri = format!(
        "file:yihu-demo-{}?mode=memory&cache=shared",
        uuid::Uuid::now_v7().simple()
    );
    let mut side_conn = Connection::open_with_flags(
        &side_uri,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
            | rusqlite::OpenFlags::SQLITE_OPEN_CREATE
            | rusqlite::OpenFlags::SQLITE_OPEN_URI
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    side_conn.execute_batch("PRAGMA journal_mode = OFF;")?;
    let search_sql: String = conn.query_row(
        "SELECT sql FROM main.sqlite_master WHERE name = 'household_search'",
        [],
        |r| r.get(0),
    )?;
    // The search index is created in the side database as in the file, with the article
    // households' documents. Merging is left to the end: segments accumulate during the load
    // and are merged once (instead of level by level as they fill up).
    with_side(conn, &side_uri, |conn| {
        conn.execute_batch(&in_side(&search_sql)?)?;
        let tx = conn.transaction()?;
        tx.execute_batch(
            "INSERT INTO side.household_search(household_search, rank) VALUES ('automerge', 0);
             INSERT INTO side.household_search(household_search, rank) VALUES ('crisismerge', 100000);
             INSERT INTO side.household_search(rowid, terms) SELECT rowid, terms FROM main.household_search;",
        )?;
        tx.commit()?;
        Ok(())
    })?;
    load_rows(conn, &mut side_conn, rng, opts, used_ids, indexes)?;
    // The search index comes back whole, replacing the file's (the article's documents only).
    with_side(conn, &side_uri, |conn| {
        let tx = conn.transaction()?;
        // The index's own tables (FTS5's shadow tables, whichever it made), each emptied and
        // filled from the side database's: SQLite's transfer of a table into an empty one of
        // the same definition copies the rows without decoding them.
        let shadow: Vec<String> = tx
            .prepare(
                "SELECT name FROM main.sqlite_master
                 WHERE type = 'table' AND name LIKE 'household!_search!_%' ESCAPE '!'",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for table in &shadow {
            tx.execute_batch(&format!(
                "DELETE FROM main.\"{table}\"; INSERT INTO main.\"{table}\" SELECT * FROM side.\"{table}\";"
            ))?;
        }
        tx.commit()?;
        Ok(())
    })?;
    drop(side_conn);
    Ok(())
}

/// Generate the households and write them: this thread writes the file's tables, the side
/// writer the search index.
fn load_rows(
    conn: &mut Connection,
    side_conn: &mut Connection,
    rng: &mut fastrand::Rng,
    opts: &Options,
    used_ids: &mut HashSet<String>,
    indexes: &[(String, String)],
) -> ApiResult<()> {
    let t = opts.today;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for (name, _) in indexes {
        tx.execute_batch(&format!("DROP INDEX main.\"{name}\""))?;
    }
    let townships: Vec<(String, String)> = {
        let mut st = tx.prepare("SELECT code, name FROM division WHERE level = 'township' AND code LIKE '32%' ORDER BY code")?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?
    };
    if townships.is_empty() {
        return Err(ApiError::internal("no Jiangsu townships loaded"));
    }
    let mut counters: HashMap<(String, i32), i64> = {
        let mut st = tx.prepare("SELECT county_code, year, last_seq FROM case_counter")?;
        st.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
            .collect::<Result<_, _>>()?
    };
    let next_search_id: i64 = tx.query_row(
        "SELECT coalesce(max(search_id), 0) + 1 FROM household",
        [],
        |r| r.get(0),
    )?;
    let now_ts = Ctx::fixed(None, t).timestamp();
    let base_ms = u64::try_from(
        (t - Duration::days(1000))
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc().timestamp_millis())
            .unwrap_or(0),
    )
    .unwrap_or(0);
    let id_seed = rng.u64(..);
    let audit_head = crate::audit_chain::head(&tx)?;
    // Two cores, three threads: one makes the rows (names, schedules, search terms); this one
    // writes most tables into the file; the side writer fills the largest tables and the search
    // index in memory. The generator runs ahead by at most a few batches.
    let (send, receive) = std::sync::mpsc::sync_channel::<Batch>(4);
    let (side_send, side_receive) = std::sync::mpsc::sync_channel::<Batch>(4);
    let (recycle, recycled) = std::sync::mpsc::channel::<Batch>();
    let side_recycle = recycle.clone();
    let (written, side_written, generated) = std::thread::scope(|scope| {
        let townships = &townships;
        let now_ts = &now_ts;
        let side = scope.spawn(move || side_writer(side_conn, side_receive, side_recycle));
        let generator = scope.spawn(move || -> ApiResult<HashMap<(String, i32), i64>> {
            let mut id_rng = fastrand::Rng::with_seed(id_seed);
            let mut ids = Ids {
                rng: &mut id_rng,
                ms: base_ms,
            };
            let mut name_cache: HashMap<String, Vec<String>> =
                HashMap::with_capacity_and_hasher(opts.households as usize * 2, Default::default());
            let mut staff = StaffBook::new(opts.seed);
            let mut s = Stmts {
                audit_head,
                next_search_id,
                ..Stmts::default()
            };
            for n in 0..opts.households {
                one_household(
                    &mut s,
                    rng,
                    &mut ids,
                    t,
                    now_ts,
                    townships,
                    &mut counters,
                    &mut name_cache,
                    &mut staff,
                    used_ids,
                )?;
                if (n + 1) % BATCH == 0 {
                    let (main, side) = s.take(&recycled);
                    if send.send(main).is_err() || side_send.send(side).is_err() {
                        // A writer stopped (it reports why).
                        return Ok(counters);
                    }
                }
            }
            // A closed channel here means a writer stopped; it reports why.
            let (main, side) = s.take(&recycled);
            let _ = send.send(main);
            let _ = side_send.send(side);
            Ok(counters)
        });
        let written = (|| -> ApiResult<()> {
            write_batches(&tx, false, receive, &recycle)?;
            for (_, sql) in indexes {
                tx.execute_batch(sql)?;
            }
            Ok(())
        })();
        let generated = generator
            .join()
            .unwrap_or_else(|_| Err(ApiError::internal("demo generator stopped unexpectedly")));
        let side_written = side
            .join()
            .unwrap_or_else(|_| Err(ApiError::internal("demo side writer stopped unexpectedly")));
        (written, side_written, generated)
    });
    written?;
    side_written?;
    let counters = generated?;
    for ((county, year), seq) in &counters {
        tx.execute(
            "INSERT INTO case_counter(county_code, year, last_seq) VALUES (?1, ?2, ?3)
             ON CONFLICT(county_code, year) DO UPDATE SET last_seq = excluded.last_seq",
            params![county, year, seq],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The generated staff: a caseworker per township and a supervisor per county, made when the
/// first household there is. A person's name depends only on the seed and the division, never
/// on the date the demo is anchored on (the households drawn before it do), so the same demo
/// seed offers the same names to sign in with on any day.
struct StaffBook {
    seed: u64,
    /// Township code → its caseworker's id.
    caseworkers: HashMap<String, String>,
    /// County code → its supervisor's id.
    supervisors: HashMap<String, String>,
}

impl StaffBook {
    fn new(seed: u64) -> StaffBook {
        StaffBook {
            seed,
            caseworkers: HashMap::default(),
            supervisors: HashMap::default(),
        }
    }

    /// The `role` of `division`, written to the staff table the first time it is asked for.
    fn member(
        &mut self,
        s: &mut Stmts,
        ids: &mut Ids<'_>,
        now_ts: &str,
        division: &str,
        role: &'static str,
    ) -> ApiResult<String> {
        let made = if role == "supervisor" {
            &mut self.supervisors
        } else {
            &mut self.caseworkers
        };
        // Looked up by &str: no allocation for the households after the first of a division.
        if let Some(id) = made.get(division) {
            return Ok(id.clone());
        }
        // Division codes are digits; a code that is not still gets a stable seed of its own.
        let code = division.parse::<u64>().unwrap_or_else(|_| {
            division
                .bytes()
                .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
        });
        let role_salt: u64 = if role == "supervisor" { 0x5350 } else { 0x4357 };
        let mut rng = fastrand::Rng::with_seed(
            self.seed
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(code)
                .wrapping_mul(0xBF58_476D_1CE4_E5B9)
                ^ role_salt,
        );
        let id = ids.next();
        let f = surname(&mut rng);
        s.staff.execute(params![
            id,
            person_name(&mut rng, f, true),
            role,
            division,
            now_ts
        ])?;
        made.insert(division.to_string(), id.clone());
        Ok(id)
    }
}

#[allow(clippy::too_many_arguments)]
fn one_household(
    s: &mut Stmts,
    rng: &mut fastrand::Rng,
    ids: &mut Ids,
    t: NaiveDate,
    now_ts: &str,
    townships: &[(String, String)],
    counters: &mut HashMap<(String, i32), i64>,
    name_cache: &mut HashMap<String, Vec<String>>,
    staff: &mut StaffBook,
    used_ids: &mut HashSet<String>,
) -> ApiResult<()> {
    let (town, town_name) = &townships[rng.usize(0..townships.len())];
    s.division.clone_from(town);
    let county = &town[..6];
    let cw = staff.member(s, ids, now_ts, town, "caseworker")?;
    let sup = staff.member(s, ids, now_ts, county, "supervisor")?;
    let hid = ids.next();
    let referred = t - Duration::days(rng.i64(20..1000));
    let year = referred.year();
    let seq = counters.entry((county.to_string(), year)).or_insert(0);
    *seq += 1;
    let case_no = format!("{county}-{year}-{:04}", *seq);
    let status = match rng.u8(0..100) {
        0..=4 => HouseholdStatus::Referred,
        5..=14 => HouseholdStatus::Assessing,
        15..=74 => HouseholdStatus::Active,
        75..=89 => HouseholdStatus::Monitoring,
        _ => HouseholdStatus::Closed,
    };
    let priority = match rng.u8(0..10) {
        0..=1 => Priority::High,
        2..=6 => Priority::Medium,
        _ => Priority::Low,
    };
    let mut causes = vec![match rng.u8(0..100) {
        0..=34 => Cause::Illness,
        35..=59 => Cause::Disability,
        60..=79 => Cause::SingleParent,
        80..=89 => Cause::Bereavement,
        90..=94 => Cause::Disaster,
        _ => Cause::Other,
    }];
    if rng.bool() {
        causes.push(Cause::ALL[rng.usize(0..5)]);
    }
    let enrolled = status != HouseholdStatus::Referred;
    let consent_on = enrolled.then(|| referred + Duration::days(rng.i64(0..10)));
    let phone = format!("1{}{:09}", rng.u8(3..10), rng.u32(0..1_000_000_000));
    let closed = status == HouseholdStatus::Closed;
    let closed_on = closed.then(|| t - Duration::days(rng.i64(1..20)));
    let closure = closed.then(|| ClosureReason::ALL[rng.usize(0..ClosureReason::ALL.len())]);

    let household_row = s.household.values.len();
    let search_id = s.next_search_id;
    s.next_search_id += 1;
    s.household.execute(params![
        hid,
        case_no,
        town,
        format!("{town_name}{}组{}号", rng.u8(1..12), rng.u8(1..60)),
        phone,
        Cause::to_bits(&causes),
        ReferralSource::ALL[rng.usize(0..ReferralSource::ALL.len())],
        Day::new(referred),
        consent_on.map(Day::new),
        consent_on.map(|_| cw.clone()),
        consent_on.map(|_| "建档、帮扶与统计上报"),
        cw,
        priority,
        status,
        closure,
        closed_on.map(Day::new),
        Option::<NaiveDate>::None,
        now_ts,
        search_id
    ])?;

    // Members: a woman at the head, then a spouse, children or a grandchild.
    let fam = surname(rng);
    let mut members: Vec<(String, String, Option<String>, Option<String>)> = Vec::new();
    let head_age = rng.i32(25..72);
    let mut add_member = |s: &mut Stmts,
                          rng: &mut fastrand::Rng,
                          ids: &mut Ids,
                          name: String,
                          rel: Relation,
                          female: bool,
                          age: i32,
                          health: Option<&str>,
                          disability: Option<DisabilityType>,
                          schooling: Option<Schooling>,
                          carer: bool,
                          target: bool,
                          phone: Option<String>|
     -> ApiResult<String> {
        let birth =
            NaiveDate::from_ymd_opt(t.year() - age, rng.u32(1..13), rng.u32(1..29)).unwrap_or(t);
        let idn = if rng.u8(0..10) < 8 {
            make_id(rng, county, birth, female, used_ids)
        } else {
            None
        };
        let id = ids.next();
        s.member.execute(params![
            id,
            hid,
            name,
            rel,
            if female { Sex::Female } else { Sex::Male },
            Day::new(birth),
            idn,
            phone,
            health,
            disability,
            disability.map(|_| rng.u8(1..5)),
            schooling,
            carer,
            target,
            now_ts
        ])?;
        members.push((id.clone(), name, phone, idn));
        Ok(id)
    };
    let head_name = person_name(rng, fam, true);
    let head = add_member(
        s,
        rng,
        ids,
        head_name,
        Relation::Head,
        true,
        head_age,
        None,
        None,
        None,
        true,
        true,
        Some(phone.clone()),
    )?;
    let sick = causes.contains(&Cause::Illness);
    let disabled = causes.contains(&Cause::Disability);
    let mut member_ids = vec![head.clone()];
    if head_age > 58 {
        let grandchild_female = rng.bool();
        let n = person_name(rng, fam, grandchild_female);
        let age = rng.i32(4..16);
        member_ids.push(add_member(
            s,
            rng,
            ids,
            n,
            if grandchild_female {
                Relation::Granddaughter
            } else {
                Relation::Grandson
            },
            grandchild_female,
            age,
            None,
            None,
            Some(if age < 6 {
                Schooling::Preschool
            } else if age < 12 {
                Schooling::Primary
            } else {
                Schooling::JuniorSecondary
            }),
            false,
            true,
            None,
        )?);
    } else {
        if !causes.contains(&Cause::SingleParent) && !causes.contains(&Cause::Bereavement) {
            let sn = surname(rng);
            let n = person_name(rng, sn, false);
            let age = head_age + rng.i32(0..6);
            member_ids.push(add_member(
                s,
                rng,
                ids,
                n,
                Relation::Spouse,
                false,
                age,
                sick.then_some("慢性病，需长期服药"),
                disabled.then_some(DisabilityType::Physical),
                None,
                false,
                false,
                None,
            )?);
        }
        for _ in 0..rng.usize(1..4) {
            let female = rng.bool();
            let n = person_name(rng, fam, female);
            let age = rng.i32(1..(head_age - 18).clamp(2, 22));
            let school = match age {
                0..=5 => Schooling::Preschool,
                6..=11 => Schooling::Primary,
                12..=14 => Schooling::JuniorSecondary,
                15..=17 => Schooling::SeniorSecondary,
                _ => Schooling::College,
            };
            member_ids.push(add_member(
                s,
                rng,
                ids,
                n,
                if female {
                    Relation::Daughter
                } else {
                    Relation::Son
                },
                female,
                age,
                None,
                None,
                Some(school),
                false,
                age < 18,
                None,
            )?);
        }
    }

    // Visits: about ten, from referral until today; the last completed one sets last_visit_on.
    let span = (t - referred).num_days().max(1);
    let n_visits = if status == HouseholdStatus::Referred {
        rng.usize(0..3)
    } else {
        rng.usize(7..14)
    };
    let mut last_visit: Option<NaiveDate> = None;
    let visitors = format!("[{{\"staff_id\":\"{cw}\",\"name\":null}}]");
    let seen = format!("[\"{head}\"]");
    let until = closed_on.unwrap_or(t);
    for k in 0..n_visits {
        let day = referred
            + Duration::days(
                (span * (k as i64 + 1) / (n_visits as i64 + 1)).min((until - referred).num_days()),
            );
        let (st, kind) = match rng.u8(0..20) {
            0..=1 => (VisitStatus::NotAtHome, VisitKind::HomeVisit),
            2..=5 => (VisitStatus::Completed, VisitKind::PhoneCall),
            6 => (VisitStatus::Completed, VisitKind::FestivalVisit),
            _ => (VisitStatus::Completed, VisitKind::HomeVisit),
        };
        if st == VisitStatus::Completed {
            last_visit = Some(last_visit.map_or(day, |l: NaiveDate| l.max(day)));
        }
        let vid = ids.next();
        s.visit.execute(params![
            vid,
            hid,
            st,
            kind,
            Option::<NaiveDate>::None,
            Day::new(day),
            visitors,
            if st == VisitStatus::Completed {
                seen.as_str()
            } else {
                "[]"
            },
            Option::<&str>::None,
            cw,
            now_ts,
            s.division.as_str()
        ])?;
    }
    if !closed && rng.bool() {
        let vid = ids.next();
        s.visit.execute(params![
            vid,
            hid,
            VisitStatus::Scheduled,
            VisitKind::HomeVisit,
            Day::new(t + Duration::days(rng.i64(-10..20))),
            Option::<NaiveDate>::None,
            "[]",
            "[]",
            Option::<&str>::None,
            cw,
            now_ts,
            s.division.as_str()
        ])?;
    }
    if last_visit.is_some() {
        s.household
            .set(household_row + HOUSEHOLD_LAST_VISIT, &last_visit)?;
    }
    if rng.u8(0..10) < 7 {
        s.support.execute(params![
            hid,
            SupportKind::Dibao,
            i64::from(rng.u32(500..3000)) * 100
        ])?;
    }
    if rng.u8(0..10) < 4 {
        s.support.execute(params![
            hid,
            SupportKind::MedicalGreenChannel,
            Option::<i64>::None
        ])?;
    }
    if rng.u8(0..10) < 6 {
        s.support
            .execute(params![hid, SupportKind::HolidayGifts, Option::<i64>::None])?;
    }
    if disabled {
        s.support.execute(params![
            hid,
            SupportKind::DisabilityAllowance,
            i64::from(rng.u32(100..400)) * 100
        ])?;
    }

    // Needs.
    let mut needs = Vec::new();
    for _ in 0..rng.usize(2..5) {
        let (cat, text) = NEED_TEXT[rng.usize(0..NEED_TEXT.len())];
        let nstatus = match (status, rng.u8(0..10)) {
            (HouseholdStatus::Referred | HouseholdStatus::Assessing, _) => NeedStatus::Open,
            (_, 0..=3) => NeedStatus::InProgress,
            (_, 4..=6) => NeedStatus::Met,
            (_, 7) => NeedStatus::Unmet,
            _ => NeedStatus::Open,
        };
        let nid = ids.next();
        let found = referred + Duration::days(rng.i64(0..5));
        let resolved = matches!(nstatus, NeedStatus::Met | NeedStatus::Unmet)
            .then(|| t - Duration::days(rng.i64(1..60)));
        let member = if rng.bool() {
            Some(member_ids[rng.usize(0..member_ids.len())].clone())
        } else {
            None
        };
        let prio = Priority::ALL[rng.usize(0..3)];
        s.need.execute(params![
            nid,
            hid,
            member,
            cat,
            text,
            prio,
            nstatus,
            Day::new(found),
            resolved.map(Day::new),
            now_ts
        ])?;
        needs.push((nid, cat, text, prio, nstatus));
    }
    // What a submitted plan froze of the needs its actions answer.
    let snapshot = |s: &mut Stmts, plan: &str, n: &(String, &str, &str, Priority, NeedStatus)| {
        s.plan_need.execute(params![plan, n.0, n.1, n.3, n.2, n.4])
    };

    // Plans: an approved plan for enrolled households, sometimes a revision in review.
    if matches!(
        status,
        HouseholdStatus::Active | HouseholdStatus::Monitoring | HouseholdStatus::Closed
    ) {
        let pid = ids.next();
        let in_force = (t - Duration::days(rng.i64(10..120)))
            .max(referred + Duration::days(5))
            .min(t);
        s.plan.execute(params![
            pid,
            hid,
            1,
            PlanStatus::Approved,
            "保障基本生活，落实常态化帮扶",
            cw,
            now_ts,
            cw,
            now_ts,
            sup,
            now_ts,
            "同意",
            Day::new(in_force),
            s.division.as_str()
        ])?;
        let active = if closed {
            ActionStatus::Completed
        } else {
            ActionStatus::Active
        };
        // One-off action.
        let aid = ids.next();
        s.action.execute(params![
            aid,
            pid,
            hid,
            "发放临时救助金",
            "living_costs",
            "乡镇妇联",
            Option::<&str>::None,
            Some(i64::from(rng.u32(5..30)) * 10_000),
            Option::<String>::None,
            Day::new(in_force),
            active,
            now_ts
        ])?;
        s.action_need.execute(params![aid, needs[0].0])?;
        occurrences(
            s, rng, ids, &aid, &hid, &cw, None, in_force, in_force, t, closed, now_ts,
        )?;
        // One or two recurring actions.
        for k in 0..rng.usize(1..3) {
            let aid = ids.next();
            let (title, rec, amount) = if k == 0 && rng.bool() {
                (
                    "志愿者每周上门探访",
                    Recurrence {
                        freq: Freq::Weekly,
                        interval: 1,
                        weekdays: vec![Weekday::ALL[rng.usize(0..7)]],
                        month_day: None,
                        until: None,
                        count: None,
                    },
                    None,
                )
            } else {
                (
                    "爱心企业每月资助生活费",
                    Recurrence {
                        freq: Freq::Monthly,
                        interval: 1,
                        weekdays: vec![],
                        month_day: Some(rng.i8(1..29)),
                        until: None,
                        count: None,
                    },
                    Some(50_000i64),
                )
            };
            let start = in_force - Duration::days(rng.i64(0..30));
            s.action.execute(params![
                aid,
                pid,
                hid,
                title,
                if amount.is_some() {
                    "living_costs"
                } else {
                    "daily_care"
                },
                "社区巾帼志愿者服务队",
                Some("社区妇联主席"),
                amount,
                Some(rec.to_rrule()),
                Day::new(start),
                active,
                now_ts
            ])?;
            s.action_need
                .execute(params![aid, needs[needs.len() - 1].0])?;
            occurrences(
                s,
                rng,
                ids,
                &aid,
                &hid,
                &cw,
                Some(&rec),
                start,
                in_force,
                t,
                closed,
                now_ts,
            )?;
        }
        snapshot(s, &pid, &needs[0])?;
        snapshot(s, &pid, &needs[needs.len() - 1])?;
        if !closed && rng.u8(0..20) == 0 {
            let pid2 = ids.next();
            let returned = rng.bool();
            s.plan.execute(params![
                pid2,
                hid,
                2,
                if returned {
                    PlanStatus::Returned
                } else {
                    PlanStatus::Submitted
                },
                "保障基本生活，增加心理疏导",
                cw,
                now_ts,
                cw,
                now_ts,
                returned.then_some(sup.as_str()),
                returned.then_some(now_ts),
                returned.then_some("请补充负责人"),
                Option::<NaiveDate>::None,
                s.division.as_str()
            ])?;
            let aid = ids.next();
            s.action.execute(params![
                aid,
                pid2,
                hid,
                "心理疏导",
                "psychological",
                "心理咨询志愿者",
                Option::<&str>::None,
                Option::<i64>::None,
                Some("FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=10"),
                t,
                ActionStatus::Planned,
                now_ts
            ])?;
            s.action_need.execute(params![aid, needs[0].0])?;
            snapshot(s, &pid2, &needs[0])?;
        }
    } else if status == HouseholdStatus::Assessing && rng.bool() {
        let pid = ids.next();
        s.plan.execute(params![
            pid,
            hid,
            1,
            PlanStatus::Draft,
            "初步帮扶计划",
            cw,
            now_ts,
            Option::<&str>::None,
            Option::<&str>::None,
            Option::<&str>::None,
            Option::<&str>::None,
            Option::<&str>::None,
            Option::<NaiveDate>::None,
            s.division.as_str()
        ])?;
        let aid = ids.next();
        s.action.execute(params![
            aid,
            pid,
            hid,
            "入户评估后制定帮扶",
            "other",
            "社区妇联",
            Option::<&str>::None,
            Option::<i64>::None,
            Option::<String>::None,
            t,
            ActionStatus::Planned,
            now_ts
        ])?;
        s.action_need.execute(params![aid, needs[0].0])?;
    }

    // Search terms and the audit row that records where this household came from.
    let named: Vec<_> = members
        .iter()
        .map(|(_, name, phone, idn)| (name.clone(), phone.clone(), idn.clone()))
        .collect();
    let terms = household_terms_with(&case_no, Some(&phone), &named, |name| {
        if let Some(terms) = name_cache.get(name) {
            return terms.clone();
        }
        let terms = crate::search_terms::name_terms(name);
        name_cache.insert(name.to_string(), terms.clone());
        terms
    })
    .join(" ");
    s.term.execute(params![search_id, terms])?;
    let after = format!("{{\"case_no\":\"{case_no}\"}}");
    let seq = s.audit_head.0 + 1;
    let entry = crate::audit_chain::Entry {
        at: now_ts,
        actor_id: None,
        command: "demo",
        entity_type: "household",
        entity_id: &hid,
        household_id: Some(&hid),
        before_json: None,
        after_json: Some(&after),
    };
    let hash = crate::audit_chain::hash(&s.audit_head.1, seq, &entry);
    s.audit.execute(params![
        seq,
        now_ts,
        "household",
        hid,
        after,
        s.audit_head.1,
        hash
    ])?;
    s.audit_head = (seq, hash);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn occurrences(
    s: &mut Stmts,
    rng: &mut fastrand::Rng,
    ids: &mut Ids,
    action: &str,
    hid: &str,
    cw: &str,
    rec: Option<&Recurrence>,
    start: NaiveDate,
    in_force: NaiveDate,
    t: NaiveDate,
    closed: bool,
    now_ts: &str,
) -> ApiResult<()> {
    let from = in_force.max(start);
    let through = if closed {
        t - Duration::days(20)
    } else {
        t + Duration::days(28)
    };
    let dates = match rec {
        None => {
            if start >= from && start <= through {
                vec![start]
            } else {
                vec![]
            }
        }
        Some(r) => r
            .dates(start, from, through)
            .map_err(|_| ApiError::internal("demo schedule"))?,
    };
    for d in dates {
        let (st, done_on) = if d >= t || (d >= t - Duration::days(7) && rng.bool()) {
            (OccurrenceStatus::Due, None)
        } else {
            match rng.u8(0..20) {
                0..=1 => (OccurrenceStatus::Missed, None),
                2 => (OccurrenceStatus::Skipped, None),
                _ => (OccurrenceStatus::Done, Some(d)),
            }
        };
        let recorded = st != OccurrenceStatus::Due;
        s.occurrence.execute(params![
            ids.next(),
            action,
            hid,
            Day::new(d),
            st,
            done_on.map(Day::new),
            recorded.then_some(cw),
            recorded.then_some(now_ts),
            s.division.as_str()
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_written_as_rusqlite_writes_a_date() {
        let mut d = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
        let end = NaiveDate::from_ymd_opt(2100, 12, 31).expect("a date");
        let mut n = 0;
        while d <= end {
            let expected = match rusqlite::ToSql::to_sql(&d) {
                Ok(rusqlite::types::ToSqlOutput::Owned(rusqlite::types::Value::Text(t))) => t,
                _ => panic!("rusqlite writes a date as text"),
            };
            assert_eq!(Day::new(d).text(), expected);
            assert_eq!(Day::new(d).compact(), d.format("%Y%m%d").to_string());
            d += Duration::days(13);
            n += 1;
        }
        assert!(n > 5000);
    }
}
