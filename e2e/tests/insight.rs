//! Supervisor insight in the real window on demo data: the dashboard (screenshot) and a
//! drill-down from a chart's bar to the household list behind it; a Spring Festival campaign on
//! a filtered cohort, recorded per household; a ledger saved through the native save dialog and
//! read back; the printable household plan (screenshot).

use std::process::Command;
use std::time::Duration;

use yihu_e2e::ui::*;
use yihu_e2e::{App, E2eResult, PASSPHRASE, TempDb, Value, json, today, yihu_demo, yihu_with};

/// The article's county supervisor of 泗洪县 and its caseworker in the demo data: names the demo
/// writes itself, not drawn at random (the generated households of 泗洪县 have a generated
/// supervisor too, with the same scope).
const SUPERVISOR: &str = "许文娟";
const CASEWORKER: &str = "周敏";
const OPEN: [&str; 4] = ["referred", "assessing", "active", "monitoring"];

/// A demo database of 2,000 households anchored on today, and the staff ids by name.
fn demo() -> E2eResult<(TempDb, Value)> {
    let db = TempDb::new()?;
    yihu_demo(&db.path, 2000, &today())?;
    let staff = yihu_with(
        &db.path,
        &["call", "session.candidates"],
        &[("YIHU_PASSPHRASE", PASSPHRASE)],
    )?;
    Ok((db, staff))
}

fn staff_id(staff: &Value, name: &str) -> String {
    staff
        .as_array()
        .and_then(|a| a.iter().find(|s| s["name"] == name))
        .and_then(|s| s["id"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// Wait for `css`; on failure, say what the page showed instead (and keep a screenshot).
async fn shown(app: &App, css: &str) -> E2eResult<()> {
    if let Err(e) = app.wait_for(css).await {
        let page = app.exec("return document.body.innerText").await?;
        app.screenshot("fail-insight").await?;
        return Err(format!("{e}; the page said: {page}").into());
    }
    Ok(())
}

/// The digits of an element's text ("共 12 户" → 12).
async fn number(app: &App, css: &str) -> E2eResult<u64> {
    let text = app.text_of(css).await?;
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .map_err(|_| format!("no number in `{css}`: {text:?}").into())
}

/// Wait until the digits of an element's text are exactly `n`.
async fn wait_number(app: &App, css: &str, n: u64, what: &str) -> E2eResult<()> {
    app.wait_until_js(
        &format!(
            "const el = document.querySelector({}); return !!el && el.textContent.replace(/\\D/g, '') === '{n}';",
            js_str(css)
        ),
        what,
    )
    .await
}

/// Open the household list filtered as the dashboard's drill-down would.
async fn open_list(app: &App, filter: Value) -> E2eResult<u64> {
    let hash = format!("#/households/filter/{}", urlencode(&filter.to_string()));
    app.exec(&format!("location.hash = {}; return true;", js_str(&hash)))
        .await?;
    app.wait_for(r#"[data-testid="hh-drill"]"#).await?;
    app.wait_for(r#"[data-testid="hh-count"]"#).await?;
    app.settle().await?;
    number(app, r#"[data-testid="hh-count"]"#).await
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_on_demo_data_drills_down_from_a_chart() -> E2eResult<()> {
    let (db, staff) = demo()?;
    let people = staff.as_array().map_or(0, Vec::len);
    let app = App::start_on(db).await?;
    // The sign-in page of a large demo: a page of names, the whole count, and a name nobody
    // has said to be missing (with the whole count), never "0 of 0".
    app.wait_for(r#"[data-testid="who-filter"]"#).await?;
    let said = app.text_of(r#"[data-testid="who-count"]"#).await?;
    assert!(said.contains(&format!("共 {people} 位")), "{said}");
    app.type_into(r#"[data-testid="who-filter"]"#, "无此人")
        .await?;
    app.wait_until_js(
        r#"return (document.querySelector('[data-testid="who-count"]')?.textContent ?? '').includes('无此人');"#,
        "the sign-in page answering a name nobody has",
    )
    .await?;
    let said = app.text_of(r#"[data-testid="who-count"]"#).await?;
    assert!(
        said.contains("没有姓名含“无此人”") && said.contains(&format!("共 {people} 位")),
        "{said}"
    );
    assert_eq!(app.count("button.person").await?, 0);
    sign_in_as(&app, SUPERVISOR).await?;
    nav(&app, "dashboard").await?;
    shown(&app, r#"[data-testid="dash-chart-status"] canvas"#).await?;
    app.wait_for(r#"[data-testid="dash-n-open"]"#).await?;
    let open = number(&app, r#"[data-testid="dash-n-open"]"#).await?;
    assert!(open > 20, "the county has households: {open}");
    app.screenshot("zh-dashboard").await?;
    assert_accessible(&app, "dashboard").await?;

    // A number of the table: past the visit cadence → exactly that many households.
    let overdue = number(&app, r#"[data-testid="dash-n-overdue"]"#).await?;
    app.click(r#"[data-testid="dash-n-overdue"]"#).await?;
    app.wait_for(r#"[data-testid="hh-drill"]"#).await?;
    wait_number(
        &app,
        r#"[data-testid="hh-count"]"#,
        overdue,
        "the list behind the overdue number",
    )
    .await?;

    // A bar of the status chart, clicked where ECharts draws it (found by the pointer cursor
    // ECharts shows over a clickable bar), opens the list of that status.
    app.exec("history.back(); return true;").await?;
    app.wait_for(r#"[data-testid="dash-chart-status"] canvas"#)
        .await?;
    app.settle().await?;
    let mut by_status = std::collections::HashMap::new();
    for s in ["referred", "assessing", "active", "monitoring", "closed"] {
        let css = format!(r#"[data-testid="dash-n-status-{s}"]"#);
        if app.count(&css).await? > 0 {
            by_status.insert(s.to_string(), number(&app, &css).await?);
        }
    }
    let clicked = app
        .exec(
            "const box = document.querySelector('[data-testid=\"dash-chart-status\"]');\
             const canvas = box.querySelector('canvas'); const root = canvas.parentElement;\
             const r = canvas.getBoundingClientRect();\
             const fire = (type, x, y) => canvas.dispatchEvent(new MouseEvent(type,\
               {clientX: x, clientY: y, bubbles: true, cancelable: true, view: window}));\
             for (let y = r.bottom - 4; y > r.top; y -= 4) {\
               for (let x = r.left + 2; x < r.right; x += 3) {\
                 fire('mousemove', x, y);\
                 if (root.style.cursor === 'pointer' || box.style.cursor === 'pointer') {\
                   fire('mousedown', x, y); fire('mouseup', x, y); fire('click', x, y);\
                   return [x, y];\
                 }\
               }\
             }\
             return null;",
        )
        .await?;
    assert!(
        clicked.is_array(),
        "no clickable bar found on the status chart"
    );
    app.wait_for(r#"[data-testid="hh-drill"]"#).await?;
    app.wait_for(r#"[data-testid="hh-count"]"#).await?;
    app.settle().await?;
    let hash = app
        .exec("return decodeURIComponent(location.hash);")
        .await?;
    let hash = hash.as_str().unwrap_or_default().to_string();
    let filter: Value = serde_json::from_str(hash.split("/filter/").nth(1).unwrap_or("{}"))?;
    let status = filter["status"][0].as_str().unwrap_or_default().to_string();
    let want = by_status
        .get(&status)
        .copied()
        .ok_or_else(|| format!("the chart opened status {status:?}: {hash}"))?;
    wait_number(
        &app,
        r#"[data-testid="hh-count"]"#,
        want,
        "the list behind the clicked bar",
    )
    .await?;
    app.screenshot("zh-dashboard-drill").await?;
    app.quit().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spring_festival_campaign_on_a_filtered_cohort() -> E2eResult<()> {
    let (db, staff) = demo()?;
    let sup = staff_id(&staff, SUPERVISOR);
    let db_path = db.path.clone();
    let app = App::start_on(db).await?;
    sign_in_as(&app, SUPERVISOR).await?;
    // The cohort: the county's open households with a serious illness.
    let n = open_list(
        &app,
        json!({"division_code": "321324", "status": OPEN, "causes": ["illness"]}),
    )
    .await?;
    assert!(n >= 2, "a cohort worth a campaign: {n}");
    app.click(r#"[data-testid="hh-campaign"]"#).await?;
    app.wait_for(r#"[data-testid="campaign-form"]"#).await?;
    choose(
        &app,
        r#"[data-testid="campaign-festival"]"#,
        "spring_festival",
    )
    .await?;
    choose(&app, r#"[data-testid="campaign-kind"]"#, "delivery").await?;
    app.type_into(r#"[data-testid="campaign-title"]"#, "米、面、油各一份")
        .await?;
    choose(&app, r#"[data-testid="campaign-category"]"#, "living_costs").await?;
    app.type_into(r#"[data-testid="campaign-amount"]"#, "1000")
        .await?;
    wait_number(
        &app,
        r#"[data-testid="campaign-cohort-count"]"#,
        n,
        "the cohort count",
    )
    .await?;
    app.screenshot("zh-campaign-new").await?;
    app.click(r#"[data-testid="campaign-save"]"#).await?;
    app.wait_for(r#"[data-testid="campaign-detail"]"#).await?;
    wait_text(
        &app,
        r#"[data-testid="campaign-progress"]"#,
        &format!("0/{n}"),
    )
    .await?;

    // Record the first household's line as done: the progress follows.
    let first = app
        .exec(
            "const row = document.querySelector('[data-testid^=\"campaign-line-\"]');\
             return row ? row.dataset.testid.replace('campaign-line-', '') : null;",
        )
        .await?;
    let first = first.as_str().unwrap_or_default().to_string();
    assert!(!first.is_empty(), "a line to record");
    app.click(&format!(r#"[data-testid="campaign-done-{first}"]"#))
        .await?;
    if let Err(e) = wait_text(
        &app,
        r#"[data-testid="campaign-progress"]"#,
        &format!("1/{n}"),
    )
    .await
    {
        let page = app.exec("return document.body.innerText").await?;
        app.screenshot("fail-campaign").await?;
        return Err(format!("{e}; the page said: {page}").into());
    }
    app.screenshot("zh-campaign").await?;

    // The core agrees: one campaign, n lines, one done, with the ¥1,000 and the festival.
    let list = yihu_with(
        &db_path,
        &["call", "campaign.list", "{}", "--as", &sup],
        &[("YIHU_PASSPHRASE", PASSPHRASE)],
    )?;
    let c = &list[0];
    assert_eq!(c["festival"], "spring_festival");
    assert_eq!(c["amount_fen"], 100_000);
    assert_eq!(
        (c["total"].as_u64(), c["done"].as_u64()),
        (Some(n), Some(1))
    );
    app.quit().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ledger_is_saved_through_the_dialog_and_reads_back() -> E2eResult<()> {
    let (db, _) = demo()?;
    let out_dir = tempfile::tempdir()?;
    let out = out_dir.path().join("ledger-e2e.xlsx");
    let app = App::start_on(db).await?;
    sign_in_as(&app, SUPERVISOR).await?;
    nav(&app, "dashboard").await?;
    shown(&app, r#"[data-testid="dash-n-open"]"#).await?;
    app.click(r#"[data-testid="export-open"]"#).await?;
    choose(&app, r#"[data-testid="export-kind"]"#, "ledger").await?;
    choose(&app, r#"[data-testid="export-format"]"#, "xlsx").await?;
    app.click(r#"[data-testid="export-go"]"#).await?;
    let answer = {
        let out = out.clone();
        tokio::task::spawn_blocking(move || save_dialog_answer(&out))
    };
    answer.await.map_err(|e| e.to_string())??;
    app.wait_for_within(r#"[data-testid="export-done"]"#, Duration::from_secs(60))
        .await?;
    wait_text(&app, r#"[data-testid="export-done"]"#, "ledger-e2e.xlsx").await?;
    app.screenshot("zh-export-done").await?;
    // The file: a workbook openpyxl reads, with the four sheets and the county's households,
    // ID numbers masked.
    let script = "import sys, openpyxl\n\
        wb = openpyxl.load_workbook(sys.argv[1], read_only=True)\n\
        print('|'.join(wb.sheetnames))\n\
        rows = list(wb['成员'].iter_rows(min_row=2, values_only=True))\n\
        header = [c.value for c in next(wb['成员'].iter_rows(max_row=1))]\n\
        i = header.index('身份证号')\n\
        print(len(rows), sum(1 for r in rows if r[i] and '*' not in r[i]))\n";
    let python = python_with_openpyxl()?;
    let read = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(&out)
        .output()?;
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let text = String::from_utf8_lossy(&read.stdout).to_string();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("家庭|成员|需求|帮扶措施|说明"));
    let counts: Vec<u64> = lines
        .next()
        .unwrap_or_default()
        .split(' ')
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        counts.first().is_some_and(|n| *n > 0),
        "members exported: {text}"
    );
    assert_eq!(counts.get(1), Some(&0), "no ID number in full: {text}");
    app.quit().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_printable_plan_of_a_household() -> E2eResult<()> {
    let (db, _) = demo()?;
    let app = App::start_on(db).await?;
    sign_in_as(&app, CASEWORKER).await?;
    nav(&app, "households").await?;
    app.wait_for(r#"[data-testid="hh-row"]"#).await?;
    app.click(r#"[data-testid="hh-row"]"#).await?;
    app.wait_for(r#"[data-testid="hh-print"]"#).await?;
    app.click(r#"[data-testid="hh-print"]"#).await?;
    app.wait_for(r#"[data-testid="print-plan"][data-ready="true"]"#)
        .await?;
    assert!(
        app.count(r#"[data-testid="print-members"] tbody tr"#)
            .await?
            >= 2
    );
    assert!(
        app.count(r#"[data-testid="print-actions"] tbody tr"#)
            .await?
            >= 1
    );
    assert!(app.count(r#"[data-testid="print-signatures"]"#).await? == 1);
    let caseworker = app.text_of(r#"[data-testid="print-caseworker"]"#).await?;
    assert!(caseworker.contains(CASEWORKER), "{caseworker}");
    app.screenshot("zh-print-plan").await?;
    app.quit().await
}
