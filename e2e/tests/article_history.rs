//! The article's two households entered through the real window by an office moving its paper
//! cases in, years after the help began: referral, members with 身份证, the needs found at the
//! first visit (that visit entered on its own day), the plan with every action of the article
//! (a two-month hospital stay, weekly and monthly services, a tutor on weekends and every day
//! of the school holidays, free housing until the case closes), approved as in force since the
//! day the help began, every delivery since then recorded, and the Spring Festival gifts of
//! that winter; then the ledgers of that period, saved through the dialog and read back with
//! openpyxl, list every action and every delivery, the festival gifts included.
//!
//! The story runs over the two years before last year but three (B = this year − 4: in 2026,
//! 2022–2023, the article's own dates), so it is always in the past, always within the five
//! years a past campaign may go back, and never depends on the day the test runs. Fictional
//! names only.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use yihu_e2e::ui::*;
use yihu_e2e::{App, E2eResult, TempDb, Value, json, today, yihu_call};

/// The first year of the story.
fn base_year() -> i32 {
    today()[..4].parse::<i32>().unwrap_or(2026) - 4
}

/// `YYYY-MM-DD` in the story's first year (`y` = 0) or the next (`y` = 1).
fn on(y: i32, md: &str) -> String {
    format!("{}-{md}", base_year() + y)
}

fn staff(db: &TempDb) -> E2eResult<[String; 3]> {
    let id = |v: Value| v["id"].as_str().unwrap_or_default().to_string();
    let admin = id(yihu_call(
        &db.path,
        "staff.create",
        &json!({"name": "系统管理员", "role": "admin", "division_code": "32"}),
        None,
    )?);
    let mut out = Vec::new();
    for (name, role, division) in [
        ("周敏", "caseworker", "321324203"),
        ("吴静", "caseworker", "321023111"),
        ("钱秀梅", "supervisor", "32"),
    ] {
        out.push(id(yihu_call(
            &db.path,
            "staff.create",
            &json!({"name": name, "role": role, "division_code": division}),
            Some(&admin),
        )?));
    }
    let [cw1, cw2, sup] = <[String; 3]>::try_from(out).map_err(|_| "three staff")?;
    Ok([cw1, cw2, sup])
}

/// The referral form of the new-household wizard, up to the created case.
async fn refer(
    app: &App,
    division: (&str, &str),
    address: &str,
    referred_on: &str,
    source: &str,
    other_source: &str,
    causes: &[&str],
) -> E2eResult<()> {
    nav(app, "new").await?;
    app.type_into("#h-division", division.0).await?;
    click_text(app, "button.hit", division.1).await?;
    picker_settled(app).await?;
    app.type_into("#h-address", address).await?;
    for c in causes {
        tick(app, &format!(r#"input[data-cause="{c}"]"#)).await?;
    }
    tick(app, r#"input[data-support="dibao"]"#).await?;
    choose(app, "#h-source", source).await?;
    tick(
        app,
        &format!(r#"input[data-other-source="{other_source}"]"#),
    )
    .await?;
    set_date(app, "#h-referred", referred_on).await?;
    choose(app, "#h-priority", "high").await?;
    set_date(app, "#h-consent", referred_on).await?;
    app.type_into("#h-scope", "建档、帮扶与统计上报").await?;
    app.click(r#"[data-testid="newhh-create"]"#).await?;
    app.wait_for(r#"[data-testid="newhh-case"]"#).await?;
    Ok(())
}

/// A need found on `found_on`.
async fn need(
    app: &App,
    found_on: &str,
    member: &str,
    category: &str,
    text: &str,
) -> E2eResult<()> {
    set_date(app, "#n-found", found_on).await?;
    add_need(app, member, category, text).await
}

/// How an action is given, as the plan editor asks it.
enum Kind<'a> {
    Once,
    Lasting(Option<&'a str>),
    Weekly {
        every: u32,
        days: &'a [&'a str],
        holidays: bool,
        until: &'a str,
    },
    Monthly {
        day: u32,
        until: Option<&'a str>,
        count: Option<u32>,
    },
}

struct Act<'a> {
    title: &'a str,
    category: &'a str,
    need: &'a str,
    start: String,
    amount: Option<&'a str>,
    kind: Kind<'a>,
}

async fn add_action(app: &App, a: &Act<'_>) -> E2eResult<()> {
    app.click(r#"[data-testid="plan-add-action"]"#).await?;
    app.wait_for(r#"[data-testid="action-form"]"#).await?;
    app.type_into("#a-title", a.title).await?;
    choose(app, "#a-category", a.category).await?;
    tick(app, &format!(r#"input[data-need="{}"]"#, a.need)).await?;
    if let Some(yuan) = a.amount {
        app.type_into("#a-amount", yuan).await?;
    }
    set_date(app, "#a-start", &a.start).await?;
    match &a.kind {
        Kind::Once => {}
        Kind::Lasting(end) => {
            tick(app, r#"[data-testid="action-lasting"]"#).await?;
            if let Some(end) = end {
                set_date(app, "#a-ends-on", end).await?;
            }
        }
        Kind::Weekly {
            every,
            days,
            holidays,
            until,
        } => {
            tick(app, r#"[data-testid="action-recurring"]"#).await?;
            choose(app, "#rec-freq", "weekly").await?;
            if *every > 1 {
                app.type_into("#rec-interval", &every.to_string()).await?;
            }
            for d in *days {
                tick(app, &format!(r#"input[data-weekday="{d}"]"#)).await?;
            }
            if *holidays {
                choose(app, r#"[data-testid="rec-holidays"]"#, "also").await?;
            }
            tick(app, r#"[data-testid="rec-end-until"]"#).await?;
            set_date(app, r#"[data-testid="rec-until"]"#, until).await?;
        }
        Kind::Monthly { day, until, count } => {
            tick(app, r#"[data-testid="action-recurring"]"#).await?;
            choose(app, "#rec-freq", "monthly").await?;
            choose(app, "#rec-mday", &day.to_string()).await?;
            if let Some(until) = until {
                tick(app, r#"[data-testid="rec-end-until"]"#).await?;
                set_date(app, r#"[data-testid="rec-until"]"#, until).await?;
            }
            if let Some(n) = count {
                tick(app, r#"[data-testid="rec-end-count"]"#).await?;
                app.type_into(r#"[data-testid="rec-count"]"#, &n.to_string())
                    .await?;
            }
        }
    }
    save_action(app, a.title).await?;
    wait_text(app, r#"[data-testid="plan-actions"]"#, a.title).await
}

/// Save the action form and wait for it to close. A click lost while the form's layout was
/// still moving (the schedule preview arrives late) is given once more; a form that shows an
/// error is reported with what it says.
async fn save_action(app: &App, title: &str) -> E2eResult<()> {
    const FORM: &str = r#"[data-testid="action-form"]"#;
    for attempt in 0..2 {
        app.click(r#"[data-testid="action-save"]"#).await?;
        if app.wait_gone(FORM).await.is_ok() {
            return Ok(());
        }
        let errors = app
            .exec(
                r#"const f = document.querySelector('[data-testid="action-form"]');
                   return f ? [...f.querySelectorAll('.field-error, [role="alert"]')]
                     .map((e) => e.textContent.trim()).filter((t) => t).join(' | ') : '';"#,
            )
            .await?;
        let errors = errors.as_str().unwrap_or_default().to_string();
        if !errors.is_empty() || attempt == 1 {
            app.screenshot("fail-action-form").await?;
            return Err(format!("the action {title} was not saved: {errors:?}").into());
        }
    }
    Ok(())
}

/// The caseworker's plan: goals, every action, submitted.
async fn plan(app: &App, goals: &str, actions: &[Act<'_>]) -> E2eResult<()> {
    app.click(r#"[data-testid="newhh-enrol"]"#).await?;
    app.wait_for(r#".badge[data-value="active"]"#).await?;
    app.click(r#"[data-testid="newhh-plan"]"#).await?;
    app.click(r#"[data-testid="plan-create"]"#).await?;
    app.type_into(r#"[data-testid="plan-goals"]"#, goals)
        .await?;
    for a in actions {
        add_action(app, a).await?;
    }
    app.click(r#"[data-testid="plan-submit"]"#).await?;
    app.wait_for(r#"[data-testid="household"]"#).await?;
    Ok(())
}

/// The supervisor approves the one plan waiting, in force since `in_force_from`.
async fn approve(app: &App, in_force_from: &str) -> E2eResult<()> {
    sign_in_as(app, "钱秀梅").await?;
    nav(app, "review").await?;
    app.click(r#"[data-testid="review-open"]"#).await?;
    app.wait_for(r#"[data-testid="review-approve"]"#).await?;
    set_date(app, r#"[data-testid="review-in-force"]"#, in_force_from).await?;
    app.click(r#"[data-testid="review-approve"]"#).await?;
    app.wait_for(r#"[data-testid="notice"]"#).await?;
    Ok(())
}

/// As the caseworker, open the household found by `q` at its plan and record every delivery
/// that fell due since the plan took effect: the late ones of each action in one step, a
/// single one on its own day.
async fn record_history(app: &App, cw: &str, q: &str) -> E2eResult<()> {
    sign_in_as(app, cw).await?;
    nav(app, "households").await?;
    app.type_into(r#"[data-testid="hh-search"]"#, q).await?;
    app.wait_until_js(
        r#"return document.querySelectorAll('[data-testid="hh-row"]').length === 1;"#,
        "the one household",
    )
    .await?;
    app.click(r#"[data-testid="hh-row"]"#).await?;
    app.wait_for(r#"[data-testid="household"]"#).await?;
    app.click(r#"[data-testid="hh-backfill"] summary"#).await?;
    app.click(r#"[data-testid="backfill-deliveries"]"#).await?;
    app.wait_for(r#"[data-testid="hh-plan-in-force"]"#).await?;
    for _ in 0..40 {
        let bulk = app.count(r#"[data-testid="occ-bulk"]"#).await?;
        if bulk > 0 {
            app.click(r#"[data-testid="occ-bulk"]"#).await?;
            app.click(r#"[data-testid="occ-bulk-save"]"#).await?;
            app.wait_until_js(
                &format!(
                    r#"return document.querySelectorAll('[data-testid="occ-bulk"]').length < {bulk}
                        && !document.querySelector('[data-testid="occ-bulk-form"]');"#
                ),
                "the late deliveries recorded",
            )
            .await?;
            continue;
        }
        // A single late delivery: recorded as done on its own day (the form's default), then
        // waited for until the plan shows it recorded.
        let single = app
            .exec(
                r#"const d = new Date(); const iso = d.getFullYear() + '-' +
                   String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
                   const row = [...document.querySelectorAll('[data-testid="hh-action"] [data-testid="occ-row"][data-status="due"]')]
                     .find((r) => r.dataset.due < iso && r.querySelector('[data-testid="occ-record"]'));
                   if (!row) return null;
                   const action = row.closest('[data-testid="hh-action"]').dataset.action;
                   row.querySelector('[data-testid="occ-record"]').click();
                   return [action, row.dataset.due];"#,
            )
            .await?;
        let Some([action, due]) = single.as_array().and_then(|a| {
            Some([
                a.first()?.as_str()?.to_string(),
                a.get(1)?.as_str()?.to_string(),
            ])
        }) else {
            return Ok(());
        };
        app.wait_for(r#"[data-testid="occ-form"]"#).await?;
        tick(app, r#"[data-testid="occ-status-done"]"#).await?;
        app.click(r#"[data-testid="occ-save"]"#).await?;
        app.wait_until_js(
            &format!(
                r#"return !document.querySelector('[data-testid="occ-form"]') &&
                   !document.querySelector('[data-testid="hh-action"][data-action="{action}"] [data-testid="occ-row"][data-due="{due}"][data-status="due"]');"#
            ),
            "the delivery shown as recorded",
        )
        .await?;
    }
    Err("deliveries left to record after 40 rounds".into())
}

/// Save the ledger of `kind` for the period through the dialog; the sheets read back with
/// openpyxl, each as its rows of text.
async fn export(app: &App, kind: &str, out: &Path) -> E2eResult<Value> {
    nav(app, "dashboard").await?;
    app.click(r#"[data-testid="export-open"]"#).await?;
    choose(app, r#"[data-testid="export-kind"]"#, kind).await?;
    choose(app, r#"[data-testid="export-format"]"#, "xlsx").await?;
    if kind != "ledger" {
        set_date(app, r#"[data-testid="export-from"]"#, &on(0, "01-01")).await?;
        set_date(app, r#"[data-testid="export-to"]"#, &on(1, "12-31")).await?;
    }
    app.click(r#"[data-testid="export-go"]"#).await?;
    let answer = {
        let out = out.to_path_buf();
        tokio::task::spawn_blocking(move || save_dialog_answer(&out))
    };
    answer.await.map_err(|e| e.to_string())??;
    app.wait_for_within(r#"[data-testid="export-done"]"#, Duration::from_secs(60))
        .await?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    wait_text(app, r#"[data-testid="export-done"]"#, &name).await?;
    let script = "import sys, json, openpyxl\n\
        wb = openpyxl.load_workbook(sys.argv[1], read_only=True)\n\
        print(json.dumps({ws.title: [['' if c is None else str(c) for c in r] \
        for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}, ensure_ascii=False))\n";
    let python = python_with_openpyxl()?;
    let read = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(out)
        .output()?;
    if !read.status.success() {
        return Err(format!(
            "openpyxl (Debian: python3-openpyxl): {}",
            String::from_utf8_lossy(&read.stderr)
        )
        .into());
    }
    Ok(serde_json::from_slice(&read.stdout)?)
}

/// The rows of `sheet` as maps from its header.
fn rows(book: &Value, sheet: &str) -> Vec<std::collections::HashMap<String, String>> {
    let all = book[sheet].as_array().cloned().unwrap_or_default();
    let header: Vec<String> = all
        .first()
        .and_then(Value::as_array)
        .map(|h| {
            h.iter()
                .map(|c| c.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    all.iter()
        .skip(1)
        .filter_map(Value::as_array)
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.iter().map(|c| c.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_articles_two_households_with_their_history_entered_after_the_fact() -> E2eResult<()> {
    let db = TempDb::new()?;
    let [cw1, _cw2, sup] = staff(&db)?;
    let b = base_year();
    let app = App::start_on(db).await?;

    // --- 1. 车门 community: found at the visit before the Spring Festival.
    sign_in_as(&app, "周敏").await?;
    refer(
        &app,
        ("车门", "车门乡"),
        "车门社区二组 18 号",
        &on(0, "01-20"),
        "screening",
        "womens_federation_screening",
        &["illness", "disability"],
    )
    .await?;
    let mother = "魏秀兰";
    let born = |age: i32, md: &str| format!("{}-{md}", b - age);
    for (name, relation, birth, seq) in [
        (mother, "head", born(43, "05-12"), "022"),
        ("孙建国", "spouse", born(46, "09-03"), "011"),
        ("孙小宇", "son", born(12, "03-21"), "031"),
        ("孙雨萱", "daughter", born(18, "07-08"), "042"),
    ] {
        let sex = if seq.ends_with(['1', '3', '5', '7', '9']) {
            "male"
        } else {
            "female"
        };
        add_member(
            &app,
            name,
            relation,
            &id_number("321324", &birth, seq),
            &birth,
            sex,
        )
        .await?;
        if relation != "daughter" {
            app.click(r#"[data-testid="newhh-add-member"]"#).await?;
        }
    }
    app.click(r#"[data-testid="newhh-next"]"#).await?;
    let found = on(0, "01-20");
    let (n_treat, n_care, n_school, n_costs, n_job) = (
        "丈夫精神疾病需要系统治疗",
        "儿子患渐冻症，需要定期洗澡洗头和陪伴",
        "女儿备考高考，学费没有着落",
        "女儿在校生活费没有着落",
        "母亲无法外出务工，需要家门口的工作",
    );
    need(&app, &found, "孙建国", "medical", n_treat).await?;
    need(&app, &found, "孙小宇", "daily_care", n_care).await?;
    need(&app, &found, "孙雨萱", "education", n_school).await?;
    need(&app, &found, "孙雨萱", "living_costs", n_costs).await?;
    need(&app, &found, mother, "employment", n_job).await?;
    app.click(r#"[data-testid="newhh-next"]"#).await?;
    let until = on(1, "07-31");
    let h1 = [
        Act {
            title: "县第三人民医院免费住院治疗两个月",
            category: "medical",
            need: n_treat,
            start: on(0, "02-14"),
            amount: None,
            kind: Kind::Lasting(Some(&on(0, "04-14"))),
        },
        Act {
            title: "干部和志愿者上门送药、督促服药",
            category: "medical",
            need: n_treat,
            start: on(0, "04-18"),
            amount: None,
            kind: Kind::Weekly {
                every: 1,
                days: &["mon"],
                holidays: false,
                until: &until,
            },
        },
        Act {
            title: "志愿者每周六上门给儿子洗澡洗头、讲故事、教画画",
            category: "daily_care",
            need: n_care,
            start: on(0, "02-19"),
            amount: None,
            kind: Kind::Weekly {
                every: 1,
                days: &["sat"],
                holidays: false,
                until: &until,
            },
        },
        Act {
            title: "高考前与女儿谈心",
            category: "education",
            need: n_school,
            start: on(0, "03-10"),
            amount: None,
            kind: Kind::Monthly {
                day: 10,
                until: None,
                count: Some(4),
            },
        },
        Act {
            title: "协调女儿学费减免",
            category: "education",
            need: n_school,
            start: on(0, "09-01"),
            amount: None,
            kind: Kind::Once,
        },
        Act {
            title: "爱心企业每月资助女儿生活费",
            category: "living_costs",
            need: n_costs,
            start: on(0, "09-01"),
            amount: Some("500"),
            kind: Kind::Monthly {
                day: 1,
                until: Some(&on(1, "07-01")),
                count: None,
            },
        },
        Act {
            title: "就业指导并推荐家门口岗位",
            category: "employment",
            need: n_job,
            start: on(0, "05-20"),
            amount: None,
            kind: Kind::Once,
        },
    ];
    plan(
        &app,
        "稳定丈夫病情；保障儿子照料；减轻女儿上学负担；母亲就近就业",
        &h1,
    )
    .await?;
    approve(&app, &on(0, "02-14")).await?;

    // --- 2. 顺河 village, 山阳镇: the village Party committee's recommendation and the
    // federation's screening.
    sign_in_as(&app, "吴静").await?;
    refer(
        &app,
        ("山阳", "宝应县"),
        "顺河村五组 6 号",
        &on(0, "03-01"),
        "village_party_committee",
        "womens_federation_screening",
        &["bereavement", "illness"],
    )
    .await?;
    let grandmother = "陈桂英";
    add_member(
        &app,
        grandmother,
        "head",
        &id_number("321023", &born(65, "08-16"), "024"),
        &born(65, "08-16"),
        "female",
    )
    .await?;
    app.click(r#"[data-testid="newhh-add-member"]"#).await?;
    add_member(
        &app,
        "陈小雨",
        "granddaughter",
        &id_number("321023", &born(9, "10-03"), "046"),
        &born(9, "10-03"),
        "female",
    )
    .await?;
    app.click(r#"[data-testid="newhh-next"]"#).await?;
    let found = on(0, "03-01");
    let (m_room, m_ride, m_clean, m_doctor, m_study, m_mind) = (
        "孙女上学离家远，需要在学校附近住",
        "周末返村没有交通工具",
        "奶奶体力不支，家中卫生差",
        "奶奶慢性病，看病难",
        "孙女作业无人辅导",
        "奶奶丧子后情绪低落",
    );
    need(&app, &found, "陈小雨", "housing", m_room).await?;
    need(&app, &found, grandmother, "transport", m_ride).await?;
    need(&app, &found, grandmother, "daily_care", m_clean).await?;
    need(&app, &found, grandmother, "medical", m_doctor).await?;
    need(&app, &found, "陈小雨", "family_education", m_study).await?;
    need(&app, &found, grandmother, "psychological", m_mind).await?;
    app.click(r#"[data-testid="newhh-next"]"#).await?;
    let h2 = [
        Act {
            title: "爱心房东在小学附近免费提供住房",
            category: "housing",
            need: m_room,
            start: on(0, "04-01"),
            amount: None,
            kind: Kind::Lasting(None),
        },
        Act {
            title: "每周五接送祖孙返村",
            category: "transport",
            need: m_ride,
            start: on(0, "04-01"),
            amount: None,
            kind: Kind::Weekly {
                every: 1,
                days: &["fri"],
                holidays: false,
                until: &until,
            },
        },
        Act {
            title: "志愿者隔周上门保洁",
            category: "daily_care",
            need: m_clean,
            start: on(0, "04-06"),
            amount: None,
            kind: Kind::Weekly {
                every: 2,
                days: &["wed"],
                holidays: false,
                until: &until,
            },
        },
        Act {
            title: "每月陪同奶奶看病",
            category: "medical",
            need: m_doctor,
            start: on(0, "04-15"),
            amount: None,
            kind: Kind::Monthly {
                day: 15,
                until: Some(&on(1, "07-15")),
                count: None,
            },
        },
        Act {
            title: "家庭教育导师周末及寒暑假检查作业",
            category: "family_education",
            need: m_study,
            start: on(0, "04-02"),
            amount: None,
            kind: Kind::Weekly {
                every: 1,
                days: &["sat", "sun"],
                holidays: true,
                until: &until,
            },
        },
        Act {
            title: "卫生健康指导",
            category: "health_hygiene",
            need: m_clean,
            start: on(0, "04-20"),
            amount: None,
            kind: Kind::Monthly {
                day: 20,
                until: None,
                count: Some(6),
            },
        },
        Act {
            title: "心理健康疏导",
            category: "psychological",
            need: m_mind,
            start: on(0, "04-25"),
            amount: None,
            kind: Kind::Monthly {
                day: 25,
                until: Some(&on(1, "07-25")),
                count: None,
            },
        },
    ];
    plan(
        &app,
        "解决孙女就学住宿与交通；改善家庭卫生；关心奶奶身心健康",
        &h2,
    )
    .await?;
    approve(&app, &on(0, "04-01")).await?;

    // --- The history since each plan took effect, recorded by each caseworker.
    record_history(&app, "周敏", "wxl").await?;
    app.screenshot("zh-history-recorded").await?;
    record_history(&app, "吴静", "cgy").await?;

    // --- The Spring Festival gifts of that winter, entered after the fact.
    sign_in_as(&app, "钱秀梅").await?;
    nav(&app, "households").await?;
    app.click(r#"[data-testid="hh-campaign"]"#).await?;
    app.wait_for(r#"[data-testid="campaign-form"]"#).await?;
    choose(
        &app,
        r#"[data-testid="campaign-festival"]"#,
        "spring_festival",
    )
    .await?;
    choose(&app, r#"[data-testid="campaign-kind"]"#, "delivery").await?;
    set_date(&app, r#"[data-testid="campaign-due"]"#, &on(1, "01-10")).await?;
    let gift_name = format!("{} 年春节慰问", b + 1);
    app.type_into(r#"[data-testid="campaign-name"]"#, &gift_name)
        .await?;
    let gift = "春节慰问：米、面、油各一份";
    app.type_into(r#"[data-testid="campaign-title"]"#, gift)
        .await?;
    choose(&app, r#"[data-testid="campaign-category"]"#, "living_costs").await?;
    app.type_into(r#"[data-testid="campaign-amount"]"#, "300")
        .await?;
    tick(&app, r#"[data-testid="campaign-priority-high"]"#).await?;
    wait_text(&app, r#"[data-testid="campaign-cohort-count"]"#, "2").await?;
    app.click(r#"[data-testid="campaign-save"]"#).await?;
    app.wait_for(r#"[data-testid="campaign-detail"]"#).await?;
    wait_value(&app, r#"[data-testid="campaign-done-on"]"#, &on(1, "01-10")).await?;
    for done in 1..=2 {
        app.click(r#"button[data-testid^="campaign-done-"]"#)
            .await?;
        wait_text(
            &app,
            r#"[data-testid="campaign-progress"]"#,
            &format!("{done}/2"),
        )
        .await?;
    }

    // --- Next summer's holiday as the education bureau set it, entered in Settings: the
    // tutor's schedule follows it from then on.
    let next = base_year() + 5;
    nav(&app, "settings").await?;
    app.click(r#"button[data-tab="holidays"]"#).await?;
    let row = format!(r#"[data-testid="holiday-row"][data-year="{next}"][data-kind="summer"]"#);
    app.click(&format!(r#"{row} [data-testid="holiday-edit"]"#))
        .await?;
    set_date(&app, "#hol-start", &format!("{next}-07-04")).await?;
    app.click(r#"[data-testid="holiday-save"]"#).await?;
    wait_text(&app, &row, &format!("{next}-07-04 – {next}-08-31")).await?;
    wait_text(&app, &row, "本单位已修改").await?;
    app.screenshot("zh-settings-holidays").await?;
    assert_accessible(&app, "zh-settings-holidays").await?;

    // --- The ledgers of that period.
    let dir = tempfile::tempdir()?;
    let ledger = export(&app, "ledger", &dir.path().join("ledger-history.xlsx")).await?;
    let log = export(
        &app,
        "deliveries",
        &dir.path().join("deliveries-history.xlsx"),
    )
    .await?;
    app.screenshot("zh-history-ledgers").await?;

    // Every action of the article, with its schedule in words.
    let actions = rows(&ledger, "帮扶措施");
    let titles: Vec<&str> = h1.iter().chain(h2.iter()).map(|a| a.title).collect();
    for t in &titles {
        assert!(
            actions
                .iter()
                .any(|r| r.get("措施").map(String::as_str) == Some(*t)),
            "帮扶措施 lists {t}: {actions:?}"
        );
    }
    assert_eq!(actions.len(), titles.len(), "{actions:?}");
    let schedule_of = |t: &str| -> String {
        actions
            .iter()
            .find(|r| r.get("措施").map(String::as_str) == Some(t))
            .map(|r| r.values().cloned().collect::<Vec<_>>().join("|"))
            .unwrap_or_default()
    };
    assert!(
        schedule_of(h1[0].title).contains(&format!(
            "持续，自 {} 至 {}",
            on(0, "02-14"),
            on(0, "04-14")
        )),
        "{}",
        schedule_of(h1[0].title)
    );
    assert!(schedule_of(h2[0].title).contains(&format!("持续，自 {} 起，至结案", on(0, "04-01"))));
    assert!(schedule_of(h2[4].title).contains("另加寒暑假每天"));

    // Every delivery of the period, all recorded as done, and the gifts.
    let deliveries = rows(&log, "服务记录");
    for t in &titles {
        assert!(
            deliveries
                .iter()
                .any(|r| r.get("措施").map(String::as_str) == Some(*t)),
            "服务记录 lists {t}"
        );
    }
    let of = |t: &str| -> Vec<&std::collections::HashMap<String, String>> {
        deliveries
            .iter()
            .filter(|r| r.get("措施").map(String::as_str) == Some(t))
            .collect()
    };
    // ¥500 on the 1st from September to the next July: 11 payments.
    let stipend = of(h1[5].title);
    assert_eq!(stipend.len(), 11, "{stipend:?}");
    assert!(
        stipend
            .iter()
            .all(|r| r.get("金额（元）").is_some_and(|m| m.starts_with("500")))
    );
    assert_eq!(
        of(h1[0].title).len(),
        1,
        "the stay's one delivery, its start"
    );
    assert_eq!(of(h1[3].title).len(), 4, "four talks before the exam");
    assert_eq!(of(h2[5].title).len(), 6, "six hygiene visits");
    let gifts = of(gift);
    assert_eq!(gifts.len(), 2, "a gift to each household: {gifts:?}");
    assert!(
        gifts.iter().all(|r| r
            .get("完成日期")
            .is_some_and(|d| d.starts_with(&on(1, "01-10")))),
        "{gifts:?}"
    );
    let not_done: Vec<_> = deliveries
        .iter()
        .filter(|r| r.get("状态").map(String::as_str) != Some("已完成"))
        .collect();
    assert!(not_done.is_empty(), "every delivery recorded: {not_done:?}");

    // The core agrees on the life of the help: the stay is over, the housing goes on.
    let listed = yihu_call(&app.db, "household.list", &json!({"q": "cgy"}), Some(&sup))?;
    let h = yihu_call(
        &app.db,
        "household.get",
        &json!({"id": listed["items"][0]["id"]}),
        Some(&sup),
    )?;
    let housing = h["plan_in_force"]["actions"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["title"] == json!(h2[0].title)).cloned())
        .unwrap_or_default();
    assert_eq!(housing["status"], json!("active"), "{housing}");
    let listed = yihu_call(&app.db, "household.list", &json!({"q": "wxl"}), Some(&cw1))?;
    let h = yihu_call(
        &app.db,
        "household.get",
        &json!({"id": listed["items"][0]["id"]}),
        Some(&cw1),
    )?;
    let stay = h["plan_in_force"]["actions"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["title"] == json!(h1[0].title)).cloned())
        .unwrap_or_default();
    assert_eq!(stay["status"], json!("completed"), "{stay}");
    app.quit().await
}
