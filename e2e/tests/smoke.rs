//! Smoke test of the built app: on a fresh database the window shows the UI (its root carries
//! `data-testid="app-ready"`), which the harness screenshots and checks with axe; the app's log
//! names commands, never what was sent.

use yihu_e2e::{App, E2eResult, describe_violations};

#[tokio::test(flavor = "multi_thread")]
async fn fresh_database_shows_the_ui() -> E2eResult<()> {
    let app = App::start().await?;
    app.wait_for(r#"[data-testid="app-ready"]"#).await?;
    let shot = app.screenshot("smoke").await?;
    assert!(std::fs::metadata(&shot)?.len() > 1000, "empty screenshot");
    let title = app.driver.title().await?;
    assert!(title.contains("一户一策"), "window title: {title}");
    // The app opened the database it was pointed at (YIHU_DB), creating it.
    assert!(
        app.db.exists(),
        "YIHU_DB was not used: {}",
        app.db.display()
    );
    let violations = app.axe("smoke").await?;
    assert!(
        violations.is_empty(),
        "{}",
        describe_violations(&violations)
    );
    let log = app.app_log();
    assert!(log.contains("command=app_status"), "app log: {log}");
    app.quit().await
}
