//! What may run before anyone is acting: the "who is working" picker (`session.candidates`,
//! until sign-in replaces it: active staff only, by role then name, writing nothing) and the
//! national division tree (public reference data the first-start screen needs).

use serde_json::json;

use crate::common::*;

#[test]
fn candidates_need_no_actor_and_list_active_staff_only() {
    let mut app = App::new();
    let cw = app.staff("测试社工乙", "caseworker", "321324203");
    let sup = app.staff("测试督导", "supervisor", "321324");
    let gone = app.staff("测试社工甲", "caseworker", "321324203");
    let admin = app.admin.clone();
    app.ok(
        &admin,
        "staff.update",
        json!({"id": gone, "staff": {"name": "测试社工甲", "role": "caseworker", "division_code": "321324203"}, "active": false}),
    );

    let before = app.snapshot();
    let list = app
        .call(None, "session.candidates", json!({}))
        .expect("no actor needed");
    assert_eq!(app.snapshot(), before, "listing candidates writes nothing");
    let ids: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    // Caseworkers first, then supervisors, then administrators; the inactive one is left out.
    assert_eq!(ids, vec![cw.as_str(), sup.as_str(), admin.as_str()]);
    assert_eq!(list[0]["name"], "测试社工乙");
    assert_eq!(list[0]["role"], "caseworker");
    assert_eq!(list[0]["division_code"], "321324203");
    assert!(!list[0]["division_name"].as_str().unwrap_or("").is_empty());
}

#[test]
fn candidates_refuse_a_body_with_unknown_fields() {
    let mut app = App::new();
    let e = app
        .call(None, "session.candidates", json!({"role": "admin"}))
        .expect_err("unknown field");
    assert_eq!(e.code, "request.field.unknown");
}

#[test]
fn the_division_tree_is_readable_before_anyone_signs_in() {
    // The first-start screen picks the administrator's division before any staff exists.
    let mut app = App::new();
    let hits = app
        .call(None, "division.search", json!({"q": "泗洪"}))
        .expect("search without an actor");
    assert!(
        hits.as_array()
            .is_some_and(|h| h.iter().any(|d| d["division"]["code"] == "321324")),
        "{hits}"
    );
    let kids = app
        .call(None, "division.children", json!({"parent_code": "321324"}))
        .expect("children without an actor");
    assert!(kids.as_array().is_some_and(|k| !k.is_empty()));
    let d = app
        .call(None, "division.get", json!({"code": "321324203"}))
        .expect("get without an actor");
    assert_eq!(d["division"]["code"], "321324203");
    // Adding a village still needs someone acting.
    let e = app
        .call(
            None,
            "division.add_village",
            json!({"township_code": "321324203", "name": "测试村"}),
        )
        .expect_err("needs an actor");
    assert_eq!(e.code, "auth.actor.required");
}
