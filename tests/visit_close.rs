//! Visits close what they fulfil: a visit logged without naming a scheduled one completes the
//! household's earliest still-scheduled visit on or before its day, so scheduled visits do not
//! pile up as "overdue" after the household was visited; `null` logs a visit nobody scheduled;
//! the household's "next scheduled visit" is one still to come.

use serde_json::{Value, json};

use crate::common::{App, CHEMEN, id};

/// Schedule a home visit `days` after today.
fn schedule(app: &mut App, cw: &str, h: &str, days: i64) -> String {
    let on = app.today + chrono::Duration::days(days);
    id(&app.ok(
        cw,
        "visit.schedule",
        json!({"household_id": h, "scheduled_on": on, "kind": "home_visit"}),
    ))
}

fn status(app: &App, visit: &str) -> String {
    app.conn
        .query_row("SELECT status FROM visit WHERE id = ?1", [visit], |r| {
            r.get(0)
        })
        .expect("visit")
}

fn overdue_visits(app: &mut App, cw: &str) -> i64 {
    let f: Value = app.ok(
        cw,
        "followup.caseworker",
        json!({"caseworker_id": cw, "within_days": 7}),
    );
    f["visits_overdue"]["total"].as_i64().expect("total")
}

#[test]
fn a_logged_visit_completes_the_earliest_scheduled_visit_on_or_before_its_day() {
    let mut app = App::new();
    let cw = app.staff("社工", "caseworker", CHEMEN);
    let (h, _) = app.active_household(&cw, "high");
    let first = schedule(&mut app, &cw, &h, 3);
    let second = schedule(&mut app, &cw, &h, 10);
    app.advance(12);
    assert_eq!(overdue_visits(&mut app, &cw), 2);
    let detail = app.ok(&cw, "household.get", json!({"id": h}));
    assert_eq!(
        detail["next_scheduled_visit"],
        json!(null),
        "both have passed"
    );
    assert_eq!(
        detail["open_scheduled_visits"].as_array().map(Vec::len),
        Some(2)
    );

    // Logged without naming one: the earliest (overdue) visit is the one completed.
    let logged = app.ok(&cw, "visit.log", json!({"household_id": h}));
    assert_eq!(logged["visit"]["id"], json!(first), "{logged}");
    assert_eq!(status(&app, &first), "completed");
    assert_eq!(status(&app, &second), "scheduled");
    // Again: the next one.
    let logged = app.ok(&cw, "visit.log", json!({"household_id": h}));
    assert_eq!(logged["visit"]["id"], json!(second));
    assert_eq!(overdue_visits(&mut app, &cw), 0);
    // Nothing left to fulfil: a new visit.
    let logged = app.ok(&cw, "visit.log", json!({"household_id": h}));
    assert_ne!(logged["visit"]["id"], json!(first));
    assert_ne!(logged["visit"]["id"], json!(second));
}

#[test]
fn a_visit_before_the_scheduled_day_or_marked_unscheduled_leaves_it_open() {
    let mut app = App::new();
    let cw = app.staff("社工", "caseworker", CHEMEN);
    let (h, _) = app.active_household(&cw, "medium");
    let later = schedule(&mut app, &cw, &h, 5);
    // Today is before its day: a visit today does not fulfil it, and it is still "next".
    app.ok(&cw, "visit.log", json!({"household_id": h}));
    assert_eq!(status(&app, &later), "scheduled");
    let detail = app.ok(&cw, "household.get", json!({"id": h}));
    assert_eq!(detail["next_scheduled_visit"]["id"], json!(later));
    // On its day, but said to be a visit nobody scheduled (null): still open.
    app.advance(5);
    app.ok(
        &cw,
        "visit.log",
        json!({"household_id": h, "visit_id": null, "kind": "phone_call"}),
    );
    assert_eq!(status(&app, &later), "scheduled");
    // Named: that one.
    let logged = app.ok(
        &cw,
        "visit.log",
        json!({"household_id": h, "visit_id": later}),
    );
    assert_eq!(logged["visit"]["id"], json!(later));
    assert_eq!(status(&app, &later), "completed");
}

#[test]
fn a_back_dated_visit_fulfils_what_was_scheduled_before_its_own_day() {
    let mut app = App::new();
    let cw = app.staff("社工", "caseworker", CHEMEN);
    let (h, _) = app.active_household(&cw, "high");
    let a = schedule(&mut app, &cw, &h, 2);
    let b = schedule(&mut app, &cw, &h, 9);
    app.advance(20);
    // Entered late: the visit of day 4 fulfils the visit of day 2, not the one of day 9.
    let on = app.today - chrono::Duration::days(16);
    let logged = app.ok(
        &cw,
        "visit.log",
        json!({"household_id": h, "visited_on": on}),
    );
    assert_eq!(logged["visit"]["id"], json!(a));
    assert_eq!(status(&app, &b), "scheduled");
}

/// Files from before schema 6 hold scheduled visits left open after the household was visited
/// (logged without naming them). The upgrade closes them as cancelled and changes nothing
/// else: the visits that happened and the audit trail are as they were.
#[test]
fn the_upgrade_closes_stale_scheduled_visits_and_changes_no_history() {
    let mut app = App::new();
    let cw = app.staff("社工", "caseworker", CHEMEN);
    let (h, _) = app.active_household(&cw, "high");
    let stale = schedule(&mut app, &cw, &h, 2);
    let future = schedule(&mut app, &cw, &h, 30);
    app.advance(5);
    // What an older Yihu did: a visit logged beside the scheduled one.
    let done = id(&app.ok(
        &cw,
        "visit.log",
        json!({"household_id": h, "visit_id": null, "notes": "上门看望"}),
    )["visit"]);
    assert_eq!(status(&app, &stale), "scheduled");
    let row = |app: &App, v: &str| -> String {
        app.conn
            .query_row(
                "SELECT json_array(status, kind, scheduled_on, visited_on, notes, updated_at) FROM visit WHERE id = ?1",
                [v],
                |r| r.get(0),
            )
            .expect("visit")
    };
    let done_before = row(&app, &done);
    let audit_before: i64 = app.count("SELECT count(*) FROM audit");
    let App {
        conn, path, _dir, ..
    } = app;
    // Back to schema 5's shape: the columns later schemas add are taken out again.
    conn.execute_batch(
        "ALTER TABLE household DROP COLUMN other_referral_sources;
         ALTER TABLE member DROP COLUMN nickname;
         ALTER TABLE service DROP COLUMN counts_as_contact;
         ALTER TABLE action DROP COLUMN ends_on;
         ALTER TABLE action DROP COLUMN lasting;
         DROP TABLE school_holiday;",
    )
    .expect("schemas 8 and 9's columns out");
    conn.pragma_update(None, "user_version", 5)
        .expect("as schema 5");
    drop(conn);

    let conn = yihu::db::open(&path).expect("upgrade");
    let app = App {
        conn,
        path,
        _dir,
        today: chrono::NaiveDate::MIN,
        admin: String::new(),
    };
    assert_eq!(status(&app, &stale), "cancelled");
    assert_eq!(status(&app, &future), "scheduled", "still to come");
    assert_eq!(row(&app, &done), done_before);
    assert_eq!(app.count("SELECT count(*) FROM audit"), audit_before);
    assert!(yihu::audit_chain::verify(&app.conn).expect("verify").ok);
    assert!(yihu::check::run(&app.conn).expect("check").is_empty());
}
