//! Helpers the scenarios share on top of the harness: choosing, typing dates, clicking by
//! text, waiting for text or values, signing in, the sidebar, axe.

use std::time::Duration;

use crate::{App, E2eResult, PASSPHRASE, describe_violations, json};

/// `s` as a JavaScript string literal.
pub fn js_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// Set a `<select>` (or any input bound on `change`) to `value`, as a person choosing it.
pub async fn choose(app: &App, css: &str, value: &str) -> E2eResult<()> {
    app.wait_for(css).await?;
    let r = app
        .exec(&format!(
            "const el = document.querySelector({}); if (!el) return 'missing';\
             el.value = {}; el.dispatchEvent(new Event('change', {{bubbles: true}})); return el.value;",
            js_str(css),
            js_str(value)
        ))
        .await?;
    assert_eq!(r, json!(value), "could not choose {value} in {css}");
    Ok(())
}

/// Choose the option of a `<select>` whose text contains `text`.
pub async fn choose_text(app: &App, css: &str, text: &str) -> E2eResult<()> {
    app.wait_for(css).await?;
    let r = app
        .exec(&format!(
            "const el = document.querySelector({}); if (!el) return null;\
             const o = [...el.options].find((o) => o.textContent.includes({}));\
             if (!o) return null; el.value = o.value;\
             el.dispatchEvent(new Event('change', {{bubbles: true}})); return o.value;",
            js_str(css),
            js_str(text)
        ))
        .await?;
    assert!(r.is_string(), "no option with {text} in {css}");
    Ok(())
}

/// Set a date input (WebKit's date field does not take typed keys reliably).
pub async fn set_date(app: &App, css: &str, value: &str) -> E2eResult<()> {
    app.wait_for(css).await?;
    app.exec(&format!(
        "const el = document.querySelector({}); el.value = {};\
         el.dispatchEvent(new Event('input', {{bubbles: true}}));\
         el.dispatchEvent(new Event('change', {{bubbles: true}})); return el.value;",
        js_str(css),
        js_str(value)
    ))
    .await?;
    Ok(())
}

/// Click the first element matching `css` whose text contains `text`, waiting for it.
pub async fn click_text(app: &App, css: &str, text: &str) -> E2eResult<()> {
    let script = format!(
        "const el = [...document.querySelectorAll({})].find((e) => e.textContent.includes({}));\
         if (!el) return false; el.scrollIntoView({{block: 'center'}}); el.click(); return true;",
        js_str(css),
        js_str(text)
    );
    app.wait_until_js(
        &script,
        &format!("nothing like `{css}` containing {text:?}"),
    )
    .await
}

/// Wait until the page's text contains `text`.
pub async fn wait_text(app: &App, css: &str, text: &str) -> E2eResult<()> {
    let script = format!(
        "return [...document.querySelectorAll({})].some((e) => e.textContent.includes({}));",
        js_str(css),
        js_str(text)
    );
    app.wait_until_js(&script, &format!("no `{css}` containing {text:?}"))
        .await
}

pub async fn value_of(app: &App, css: &str) -> E2eResult<String> {
    let v = app
        .exec(&format!(
            "const el = document.querySelector({}); return el ? el.value : null;",
            js_str(css)
        ))
        .await?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

/// Tick a checkbox and wait until it is ticked (a click that lands while the layout is still
/// moving would otherwise be lost).
pub async fn tick(app: &App, css: &str) -> E2eResult<()> {
    for _ in 0..3 {
        app.click(css).await?;
        for _ in 0..10 {
            let on = app
                .exec(&format!(
                    "const el = document.querySelector({}); return !!(el && el.checked);",
                    js_str(css)
                ))
                .await?;
            if on == json!(true) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Err(format!("`{css}` could not be ticked").into())
}

/// Wait until the division picker has filled in its cascade after a choice.
pub async fn picker_settled(app: &App) -> E2eResult<()> {
    app.wait_until_js(
        r#"return !document.querySelector('.picker[aria-busy="true"]');"#,
        "the division picker never settled",
    )
    .await
}

/// Wait until a form control holds `value` (e.g. after the division picker has filled in).
pub async fn wait_value(app: &App, css: &str, value: &str) -> E2eResult<()> {
    let script = format!(
        "const el = document.querySelector({}); return !!el && el.value === {};",
        js_str(css),
        js_str(value)
    );
    app.wait_until_js(&script, &format!("`{css}` never held {value:?}"))
        .await
}

/// Sign out whoever is working (if anyone), then sign in as `name` with the tests' passphrase.
pub async fn sign_in_as(app: &App, name: &str) -> E2eResult<()> {
    if app.count(r#"[data-testid="shell"]"#).await? > 0 {
        app.click(r#"[data-testid="switch-user"]"#).await?;
    }
    app.wait_for(r#"[data-testid="who-list"]"#).await?;
    // With many staff the list shows a page; typing the name narrows it.
    if app.count(r#"[data-testid="who-filter"]"#).await? > 0 {
        app.type_into(r#"[data-testid="who-filter"]"#, name).await?;
    }
    let signed_in = async {
        app.click(&format!(r#"button[data-staff="{name}"]"#))
            .await?;
        app.type_into(r#"[data-testid="signin-passphrase"]"#, PASSPHRASE)
            .await?;
        app.click(r#"[data-testid="signin-submit"]"#).await?;
        app.wait_for(r#"[data-testid="shell"]"#).await?;
        E2eResult::Ok(())
    }
    .await;
    if let Err(e) = signed_in {
        app.screenshot("fail-sign-in").await?;
        let page = app.exec("return document.body.innerText").await?;
        return Err(format!("{e}; the page said: {page}").into());
    }
    Ok(())
}

pub async fn nav(app: &App, name: &str) -> E2eResult<()> {
    app.click(&format!(r#"a[data-nav="{name}"]"#)).await
}

pub async fn assert_accessible(app: &App, name: &str) -> E2eResult<()> {
    let v = app.axe(name).await?;
    assert!(v.is_empty(), "axe on {name}:\n{}", describe_violations(&v));
    Ok(())
}

/// A fictional 身份证 number with a correct GB 11643 check character.
pub fn id_number(region: &str, birth: &str, seq: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let first17 = format!("{region}{}{seq}", birth.replace('-', ""));
    let sum: u32 = first17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

/// Fill the new-household wizard's member form and save it: a valid 身份证 fills the birth
/// date and sex by itself (checked).
pub async fn add_member(
    app: &App,
    name: &str,
    relation: &str,
    id: &str,
    birth: &str,
    sex: &str,
) -> E2eResult<()> {
    app.type_into("#m-name", name).await?;
    choose(app, "#m-relation", relation).await?;
    app.type_into("#m-id", id).await?;
    // A valid number fills the birth date and sex by itself.
    wait_value(app, "#m-birth", birth).await.ok();
    assert_eq!(
        value_of(app, "#m-birth").await?,
        birth,
        "birth date from 身份证"
    );
    assert_eq!(value_of(app, "#m-sex").await?, sex, "sex from 身份证");
    app.click(r#"[data-testid="member-save"]"#).await?;
    wait_text(app, r#"[data-testid="newhh-members"]"#, name).await
}

/// Fill the new-household wizard's need form (high priority) and save it.
pub async fn add_need(app: &App, member: &str, category: &str, text: &str) -> E2eResult<()> {
    choose_text(app, "#n-member", member).await?;
    choose(app, "#n-category", category).await?;
    choose(app, "#n-priority", "high").await?;
    app.type_into("#n-description", text).await?;
    app.click(r#"[data-testid="need-save"]"#).await?;
    wait_text(app, r#"[data-testid="newhh-needs"]"#, text).await
}

/// Type `path` into the native save dialog titled "导出台账 — Export ledger" and press Enter
/// (xdotool, real X input events).
pub fn save_dialog_answer(path: &std::path::Path) -> E2eResult<()> {
    let run = |args: &[&str]| -> E2eResult<String> {
        let out = std::process::Command::new("xdotool")
            .args(args)
            .output()
            .map_err(|e| {
                format!("xdotool is needed to answer the save dialog (Debian: xdotool): {e}")
            })?;
        if !out.status.success() {
            return Err(
                format!("xdotool {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into(),
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let mut window = String::new();
    for _ in 0..100 {
        if let Ok(w) = run(&["search", "--onlyvisible", "--name", "Export ledger"])
            && let Some(first) = w.lines().next()
        {
            window = first.to_string();
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    if window.is_empty() {
        return Err("the save dialog never appeared".into());
    }
    // The dialog is mapped before its file-name entry takes keys: type the path and press
    // Enter, then wait for the dialog to close; if it is still open, it took the keys too
    // early, so type again (at most five times).
    for _ in 0..5 {
        run(&["windowfocus", "--sync", &window])?;
        run(&["key", "--clearmodifiers", "ctrl+a"])?;
        run(&["type", "--delay", "20", &path.display().to_string()])?;
        run(&["key", "Return"])?;
        for _ in 0..15 {
            let open = run(&["search", "--onlyvisible", "--name", "Export ledger"])
                .is_ok_and(|w| w.lines().any(|l| l == window));
            if !open {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    Err("the save dialog did not take the path".into())
}

/// A python3 that has openpyxl, to read back a saved workbook: Debian's (python3-openpyxl),
/// since another python3 first on PATH may not have it.
pub fn python_with_openpyxl() -> E2eResult<&'static str> {
    Ok(["/usr/bin/python3", "python3"]
        .into_iter()
        .find(|p| {
            std::process::Command::new(p)
                .args(["-c", "import openpyxl"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .ok_or("python3 with openpyxl is needed (Debian: python3-openpyxl)")?)
}
