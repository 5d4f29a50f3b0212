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
