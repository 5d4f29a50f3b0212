//! Household search and the household list: finding a household by a member's name (Chinese,
//! full pinyin with every reading of a polyphonic surname, initials, any part of the name),
//! phone, the last digits of an ID number or the case number; the list's filters, overdue rule,
//! sort orders and paging.

use serde_json::{Value, json};

use crate::common::*;

/// A full ID number from its first 17 digits (with the check character).
fn id_number(first17: &str) -> String {
    let check = yihu::idcard::check_char(first17).expect("17 digits");
    format!("{first17}{check}")
}

/// A household with consent, assigned to `cw`, and a head member called `head`.
fn household_in(
    app: &mut App,
    cw: &str,
    division: &str,
    priority: &str,
    causes: &[&str],
    head: &str,
) -> String {
    let h = app.ok(cw, "household.create", json!({
        "division_code": division, "address": "1 组 1 号", "causes": causes, "referral_source": "screening",
        "consent_on": app.today, "caseworker_id": cw, "priority": priority}));
    let h = id(&h);
    app.ok(
        cw,
        "member.add",
        json!({"household_id": h, "member": {
        "name": head, "relation": "head", "sex": "female", "birth_date": "1970-01-01"}}),
    );
    h
}

fn list(app: &mut App, actor: &str, query: Value) -> Value {
    app.ok(actor, "household.list", query)
}

/// The ids a query finds (all of them: limit 500), sorted.
fn found(app: &mut App, actor: &str, query: Value) -> Vec<String> {
    let mut q = query;
    q["limit"] = json!(500);
    let page = list(app, actor, q.clone());
    let mut ids: Vec<String> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id)
        .collect();
    assert_eq!(
        page["total"],
        json!(ids.len()),
        "{q}: total does not match the items"
    );
    ids.sort();
    ids
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

struct Named {
    app: App,
    cw: String,
    wei: String,
    shan: String,
    zeng: String,
    xie: String,
    qiu: String,
    lv: String,
    wei2: String,
    id_number: String,
}

/// Seven households whose heads have names that exercise pinyin search.
fn named() -> Named {
    let mut app = App::new();
    let cw = app.staff("林小红", "caseworker", CHEMEN);
    let wei = household_in(&mut app, &cw, CHEMEN, "high", &["illness"], "魏晓娇");
    let id_number = id_number("32132419900315738");
    app.ok(
        &cw,
        "member.add",
        json!({"household_id": wei, "member": {
        "name": "赵秀兰", "relation": "mother", "sex": "female", "birth_date": "1990-03-15",
        "id_number": id_number, "phone": "139 1234 5678"}}),
    );
    let shan = household_in(&mut app, &cw, CHEMEN, "medium", &["illness"], "单丽");
    let zeng = household_in(&mut app, &cw, CHEMEN, "medium", &["illness"], "曾强");
    let xie = household_in(&mut app, &cw, CHEMEN, "medium", &["illness"], "解红");
    let qiu = household_in(&mut app, &cw, CHEMEN, "medium", &["illness"], "仇敏");
    let lv = household_in(&mut app, &cw, CHEMEN, "medium", &["illness"], "吕娟");
    let wei2 = household_in(&mut app, &cw, CHEMEN, "low", &["illness"], "韦明");
    Named {
        app,
        cw,
        wei,
        shan,
        zeng,
        xie,
        qiu,
        lv,
        wei2,
        id_number,
    }
}

#[track_caller]
fn assert_finds(n: &mut Named, q: &str, expected: &[&String]) {
    let cw = n.cw.clone();
    let got = found(&mut n.app, &cw, json!({"q": q}));
    assert_eq!(got, sorted(expected), "search {q:?}");
}

#[test]
fn a_name_is_found_by_pinyin_initials_and_any_part() {
    let mut n = named();
    let (wei, wei2) = (n.wei.clone(), n.wei2.clone());
    for q in [
        "weixiaojiao",
        "wxj",
        "xiaojiao",
        "jiao",
        "魏",
        "晓娇",
        "魏晓娇",
        "WeiXiaoJiao",
        "wei xiao",
        "xj",
    ] {
        assert_finds(&mut n, q, &[&wei]);
    }
    assert_finds(&mut n, "wei", &[&wei, &wei2]);
    assert_finds(&mut n, "wei 魏", &[&wei]);
    assert_finds(&mut n, "wei,韦", &[&wei2]);
    assert_finds(&mut n, "魏 韦", &[]);
    assert_finds(&mut n, "weixiaojiaox", &[]);
}

#[test]
fn polyphonic_surnames_are_found_by_every_reading() {
    let mut n = named();
    let cases = [
        (n.shan.clone(), ["shanli", "danli", "sl", "dl"]),
        (n.zeng.clone(), ["zengqiang", "cengqiang", "zq", "cq"]),
        (n.xie.clone(), ["xiehong", "jiehong", "xh", "jh"]),
        (n.qiu.clone(), ["qiumin", "choumin", "qm", "cm"]),
        (n.lv.clone(), ["lvjuan", "lujuan", "lüjuan", "LVJUAN"]),
    ];
    for (h, queries) in cases {
        for q in queries {
            assert_finds(&mut n, q, &[&h]);
        }
    }
}

#[test]
fn a_household_is_found_by_phone_id_number_suffix_and_case_number() {
    let mut n = named();
    let wei = n.wei.clone();
    let all = [&n.wei, &n.shan, &n.zeng, &n.xie, &n.qiu, &n.lv, &n.wei2].map(|s| s.clone());
    let all: Vec<&String> = all.iter().collect();
    let idn = n.id_number.clone();
    assert_finds(&mut n, "13912345678", &[&wei]);
    assert_finds(&mut n, "5678", &[&wei]);
    // The whole ID number finds it (in any case, full-width too); no part of it does — a
    // search by some digits would tell whether they are the ones the mask hides.
    assert_finds(&mut n, &idn, &[&wei]);
    assert_finds(&mut n, &idn.to_lowercase(), &[&wei]);
    assert_finds(&mut n, &format!("  {idn} "), &[&wei]);
    assert_finds(&mut n, &idn[idn.len() - 4..], &[]);
    assert_finds(&mut n, &idn[idn.len() - 6..], &[]);
    assert_finds(&mut n, &idn[..14], &[]);
    assert_finds(&mut n, &idn[..17], &[]);
    // Case numbers: the first household of 2026 in 泗洪县 is 321324-2026-0001.
    let cw = n.cw.clone();
    let detail = n.app.ok(&cw, "household.get", json!({"id": wei}));
    assert_eq!(detail["household"]["case_no"], json!("321324-2026-0001"));
    assert_finds(&mut n, "321324-2026-0001", &[&wei]);
    assert_finds(&mut n, "2026-0001", &[&wei]);
    assert_finds(&mut n, "321324-2026", &all);
    assert_finds(&mut n, "321324-2026-000", &all);
    assert_finds(&mut n, "321324-2026-0009", &[]);
    // A blank search is no search.
    assert_finds(&mut n, "  ", &all);
}

#[test]
fn the_household_phone_is_found_and_replaced_on_update() {
    let mut n = named();
    let cw = n.cw.clone();
    let shan = n.shan.clone();
    let household = |phone: &str, today| {
        json!({"id": shan, "household": {"division_code": CHEMEN, "address": "1 组 1 号", "causes": ["illness"],
            "referral_source": "screening", "consent_on": today, "caseworker_id": cw, "priority": "medium",
            "phone": phone}})
    };
    let today = n.app.today;
    n.app
        .ok(&cw, "household.update", household("0527-8888 1234", today));
    assert_finds(&mut n, "052788881234", &[&shan]);
    assert_finds(&mut n, "1234", &[&shan]);
    n.app
        .ok(&cw, "household.update", household("13600002468", today));
    assert_finds(&mut n, "13600002468", &[&shan]);
    assert_finds(&mut n, "2468", &[&shan]);
    assert_finds(&mut n, "052788881234", &[]);
    assert_finds(&mut n, "1234", &[]);
    // The members' names still find it after the update.
    assert_finds(&mut n, "danli", &[&shan]);
}

#[test]
fn removed_and_renamed_members_update_the_search() {
    let mut n = named();
    let cw = n.cw.clone();
    let (shan, zeng) = (n.shan.clone(), n.zeng.clone());
    let spouse_id = id_number("32132419720505446");
    let spouse = n.app.ok(
        &cw,
        "member.add",
        json!({"household_id": shan, "member": {
        "name": "周小燕", "relation": "spouse", "sex": "female", "birth_date": "1972-05-05",
        "id_number": spouse_id, "phone": "13700009753"}}),
    );
    for q in [
        "周小燕",
        "zhouxiaoyan",
        "zxy",
        "13700009753",
        "9753",
        &spouse_id,
    ] {
        assert_finds(&mut n, q, &[&shan]);
    }
    n.app.ok(
        &cw,
        "member.remove",
        json!({"id": id(&spouse), "reason": "moved_out"}),
    );
    for q in [
        "周小燕",
        "zhouxiaoyan",
        "zxy",
        "13700009753",
        "9753",
        &spouse_id[12..],
    ] {
        assert_finds(&mut n, q, &[]);
    }
    assert_finds(&mut n, "shanli", &[&shan]);

    let detail = n.app.ok(&cw, "household.get", json!({"id": zeng}));
    let head = id(&detail["members"][0]);
    n.app.ok(
        &cw,
        "member.update",
        json!({"id": head, "member": {
        "name": "曾刚", "relation": "head", "sex": "female", "birth_date": "1970-01-01"}}),
    );
    assert_finds(&mut n, "曾刚", &[&zeng]);
    assert_finds(&mut n, "zenggang", &[&zeng]);
    assert_finds(&mut n, "cenggang", &[&zeng]);
    assert_finds(&mut n, "曾强", &[]);
    assert_finds(&mut n, "zengqiang", &[]);
    let page = list(&mut n.app, &cw, json!({"q": "zenggang"}));
    assert_eq!(page["items"][0]["head_name"], json!("曾刚"));
}

#[test]
fn a_search_over_100_characters_or_a_bad_limit_is_refused() {
    let mut n = named();
    let cw = n.cw.clone();
    n.app.refused(
        &cw,
        "household.list",
        json!({"q": "魏".repeat(101)}),
        "validation.too_long",
        Some("q"),
    );
    n.app.refused(
        &cw,
        "household.list",
        json!({"q": "w".repeat(101)}),
        "validation.too_long",
        Some("q"),
    );
    let page = list(&mut n.app, &cw, json!({"q": "魏".repeat(100)}));
    assert_eq!(page["total"], json!(0));
    n.app.refused(
        &cw,
        "household.list",
        json!({"limit": 0}),
        "validation.out_of_range",
        Some("limit"),
    );
    n.app.refused(
        &cw,
        "household.list",
        json!({"limit": 501}),
        "validation.out_of_range",
        Some("limit"),
    );
    assert_eq!(
        list(&mut n.app, &cw, json!({"limit": 500}))["items"]
            .as_array()
            .map(Vec::len),
        Some(7)
    );
    assert_eq!(
        list(&mut n.app, &cw, json!({"limit": 1}))["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(list(&mut n.app, &cw, json!({}))["limit"], json!(50));
}

#[test]
fn the_list_filters_by_status_priority_causes_division_and_caseworker() {
    let mut app = App::new();
    let cw1 = app.staff("林小红", "caseworker", CHEMEN);
    let cw2 = app.staff("吴丽华", "caseworker", CHEMEN);
    let cw3 = app.staff("钱丽", "caseworker", SHANYANG);
    // The filters are tried by a provincial supervisor, who sees all three households.
    let province = app.staff("省测试", "supervisor", "32");
    let h1 = household_in(&mut app, &cw1, CHEMEN, "high", &["illness"], "孙美玲");
    let h2 = household_in(
        &mut app,
        &cw2,
        CHEMEN,
        "medium",
        &["disability", "single_parent"],
        "何春花",
    );
    app.ok(
        &cw2,
        "household.transition",
        json!({"id": h2, "to": "assessing"}),
    );
    let h3 = household_in(&mut app, &cw3, SHANYANG, "low", &["disaster"], "钱桂芳");
    app.ok(
        &cw3,
        "household.transition",
        json!({"id": h3, "to": "assessing"}),
    );
    app.ok(
        &cw3,
        "household.transition",
        json!({"id": h3, "to": "active"}),
    );
    let cases: Vec<(Value, Vec<&String>)> = vec![
        (json!({}), vec![&h1, &h2, &h3]),
        (json!({"status": ["assessing"]}), vec![&h2]),
        (json!({"status": ["referred", "active"]}), vec![&h1, &h3]),
        (json!({"status": ["closed"]}), vec![]),
        (json!({"priority": ["high", "low"]}), vec![&h1, &h3]),
        (json!({"priority": ["medium"]}), vec![&h2]),
        (json!({"causes": ["illness"]}), vec![&h1]),
        (
            json!({"causes": ["single_parent", "disaster"]}),
            vec![&h2, &h3],
        ),
        (json!({"causes": ["bereavement"]}), vec![]),
        (json!({"division_code": "32"}), vec![&h1, &h2, &h3]),
        (json!({"division_code": "3213"}), vec![&h1, &h2]),
        (json!({"division_code": SIHONG}), vec![&h1, &h2]),
        (json!({"division_code": CHEMEN}), vec![&h1, &h2]),
        (json!({"division_code": "321023"}), vec![&h3]),
        (json!({"division_code": "321323"}), vec![]),
        (json!({"caseworker_id": cw1}), vec![&h1]),
        (json!({"caseworker_id": cw2}), vec![&h2]),
        (json!({"caseworker_id": cw3}), vec![&h3]),
        (
            json!({"division_code": SIHONG, "priority": ["high"]}),
            vec![&h1],
        ),
        (
            json!({"caseworker_id": cw3, "status": ["active"], "causes": ["disaster", "illness"]}),
            vec![&h3],
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(
            found(&mut app, &province, query.clone()),
            sorted(&expected),
            "{query}"
        );
    }
    // Each caseworker lists their own caseload only, whatever the filter; a county supervisor
    // their county; an administrator no case at all.
    assert_eq!(found(&mut app, &cw1, json!({})), sorted(&[&h1]));
    assert_eq!(found(&mut app, &cw2, json!({})), sorted(&[&h2]));
    assert_eq!(
        found(&mut app, &cw1, json!({"caseworker_id": cw2})),
        Vec::<String>::new()
    );
    let county = app.staff("县测试", "supervisor", SIHONG);
    assert_eq!(found(&mut app, &county, json!({})), sorted(&[&h1, &h2]));
    let admin = app.admin.clone();
    app.refused(&admin, "household.list", json!({}), "auth.forbidden", None);
    app.refused(
        &province,
        "household.list",
        json!({"division_code": "3213x"}),
        "validation.division_code.format",
        Some("division_code"),
    );
    app.refused(
        &province,
        "household.list",
        json!({"status": ["open"]}),
        "request.field.invalid_value",
        Some("status[0]"),
    );
}

#[test]
fn the_overdue_filter_follows_the_visit_cadence_on_a_fixed_clock() {
    let mut app = App::new();
    let cw = app.staff("林小红", "caseworker", CHEMEN);
    // Day 0.
    let never = household_in(&mut app, &cw, CHEMEN, "high", &["illness"], "孙美玲");
    let visited = household_in(&mut app, &cw, CHEMEN, "high", &["illness"], "何春花");
    let medium = household_in(&mut app, &cw, CHEMEN, "medium", &["illness"], "钱桂芳");
    let closed = household_in(&mut app, &cw, CHEMEN, "high", &["illness"], "冯淑珍");
    app.ok(
        &cw,
        "household.transition",
        json!({"id": closed, "to": "closed", "closure_reason": "declined"}),
    );
    // Day 1: referred exactly one cadence (7 days) before day 8.
    app.advance(1);
    let boundary = household_in(&mut app, &cw, CHEMEN, "high", &["illness"], "杨桂英");
    // Day 5: a visit.
    app.advance(4);
    app.ok(
        &cw,
        "visit.log",
        json!({"household_id": visited, "notes": "家中一切正常"}),
    );
    // Day 8.
    app.advance(3);
    assert_eq!(
        found(&mut app, &cw, json!({"overdue": true})),
        sorted(&[&never])
    );
    assert_eq!(
        found(&mut app, &cw, json!({"overdue": false})),
        sorted(&[&visited, &medium, &closed, &boundary])
    );
    // The flag on each item agrees with the filter.
    let page = list(&mut app, &cw, json!({}));
    for item in page["items"].as_array().expect("items") {
        assert_eq!(item["overdue"], json!(id(item) == never), "{item}");
    }
    let detail = app.ok(&cw, "household.get", json!({"id": never}));
    assert_eq!(detail["overdue"], json!(true));
    // A visit today takes it off the list; a day later the boundary household is overdue too.
    app.ok(&cw, "visit.log", json!({"household_id": never}));
    assert_eq!(
        found(&mut app, &cw, json!({"overdue": true})),
        Vec::<String>::new()
    );
    app.advance(1);
    assert_eq!(
        found(&mut app, &cw, json!({"overdue": true})),
        sorted(&[&boundary])
    );
    // A shorter cadence makes the visited household (last visit 4 days ago) overdue.
    let admin = app.admin.clone();
    app.ok(&admin, "settings.update", json!({"cadence_days": {"high": 3, "medium": 30, "low": 90}, "occurrence_horizon_days": 90}));
    assert_eq!(
        found(&mut app, &cw, json!({"overdue": true})),
        sorted(&[&visited, &boundary])
    );
}

fn order(app: &mut App, actor: &str, query: Value) -> Vec<String> {
    list(app, actor, query)["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id)
        .collect()
}

#[test]
fn the_list_sorts_by_case_number_last_change_and_last_visit() {
    let mut app = App::new();
    let cw = app.staff("林小红", "caseworker", CHEMEN);
    let h: Vec<String> = ["孙美玲", "何春花", "钱桂芳", "冯淑珍"]
        .iter()
        .map(|n| household_in(&mut app, &cw, CHEMEN, "medium", &["illness"], n))
        .collect();
    app.advance(1);
    app.ok(&cw, "visit.log", json!({"household_id": h[1]}));
    app.advance(1);
    app.ok(&cw, "visit.log", json!({"household_id": h[0]}));
    app.advance(1);
    app.ok(&cw, "visit.log", json!({"household_id": h[3]}));
    app.advance(1);
    app.ok(
        &cw,
        "household.transition",
        json!({"id": h[2], "to": "assessing"}),
    );

    assert_eq!(
        order(&mut app, &cw, json!({})),
        vec![h[0].clone(), h[1].clone(), h[2].clone(), h[3].clone()]
    );
    assert_eq!(
        order(&mut app, &cw, json!({"sort": "case_no"})),
        vec![h[0].clone(), h[1].clone(), h[2].clone(), h[3].clone()]
    );
    assert_eq!(
        order(&mut app, &cw, json!({"sort": "updated_desc"})),
        vec![h[2].clone(), h[3].clone(), h[0].clone(), h[1].clone()]
    );
    // Never visited first, then the longest without a visit.
    assert_eq!(
        order(&mut app, &cw, json!({"sort": "last_visit_asc"})),
        vec![h[2].clone(), h[1].clone(), h[0].clone(), h[3].clone()]
    );
    let page = list(&mut app, &cw, json!({"sort": "case_no"}));
    let case_nos: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["case_no"].as_str())
        .collect();
    assert_eq!(
        case_nos,
        [
            "321324-2026-0001",
            "321324-2026-0002",
            "321324-2026-0003",
            "321324-2026-0004"
        ]
    );
    app.refused(
        &cw,
        "household.list",
        json!({"sort": "name"}),
        "request.field.invalid_value",
        Some("sort"),
    );
}

#[test]
fn pages_cover_the_list_without_overlap() {
    let mut app = App::new();
    let cw = app.staff("林小红", "caseworker", CHEMEN);
    let names = [
        "孙美玲",
        "何春花",
        "钱桂芳",
        "冯淑珍",
        "杨桂英",
        "朱红梅",
        "许慧敏",
    ];
    let all: Vec<String> = names
        .iter()
        .map(|n| household_in(&mut app, &cw, CHEMEN, "medium", &["illness"], n))
        .collect();
    for sort in ["case_no", "updated_desc", "last_visit_asc"] {
        let mut seen: Vec<String> = Vec::new();
        for offset in [0, 3, 6] {
            let page = list(
                &mut app,
                &cw,
                json!({"sort": sort, "offset": offset, "limit": 3}),
            );
            assert_eq!(page["total"], json!(7), "{sort} offset {offset}");
            assert_eq!(page["offset"], json!(offset));
            assert_eq!(page["limit"], json!(3));
            let ids: Vec<String> = page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(id)
                .collect();
            assert_eq!(
                ids.len(),
                if offset == 6 { 1 } else { 3 },
                "{sort} offset {offset}"
            );
            for i in &ids {
                assert!(!seen.contains(i), "{sort}: {i} is on two pages");
            }
            seen.extend(ids);
        }
        assert_eq!(
            seen,
            order(&mut app, &cw, json!({"sort": sort, "limit": 500})),
            "{sort}: pages differ from one long page"
        );
        let mut s = seen.clone();
        s.sort();
        assert_eq!(s, sorted(&all.iter().collect::<Vec<_>>()));
    }
    let page = list(&mut app, &cw, json!({"offset": 7, "limit": 3}));
    assert_eq!(page["total"], json!(7));
    assert_eq!(page["items"], json!([]));
    // Paging applies after the filter: the total counts matching households only.
    let page = list(
        &mut app,
        &cw,
        json!({"q": "孙美玲", "offset": 0, "limit": 1}),
    );
    assert_eq!(page["total"], json!(1));
    assert_eq!(page["items"][0]["id"], json!(all[0]));
}

/// Real data shapes: a compound surname, a minority name with a middle dot, an ID number typed
/// with a lower-case x and spaces, a phone with a country code and spaces.
#[test]
fn real_name_and_number_shapes_are_stored_normalised_and_found() {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let h = app.household(&cw, "high");
    // 1980-03-05, female (even 17th digit), check character X.
    let first17 = "32132419800305002";
    let check = yihu::idcard::check_char(first17).expect("check char");
    let typed = format!(" {first17}{} ", check.to_ascii_lowercase());
    let m = app.ok(
        &cw,
        "member.add",
        json!({"household_id": h, "member": {
        "name": "欧阳晓梅", "relation": "head", "sex": "female", "birth_date": "1980-03-05",
        "id_number": typed, "phone": "+86 139 0527 1234"}}),
    );
    let shown = app.ok(&cw, "member.reveal", json!({"id": m["id"]}));
    assert_eq!(shown["id_number"], json!(format!("{first17}{check}")));
    assert_eq!(m["phone"], "+8613905271234");
    app.ok(&cw, "member.add", json!({"household_id": h, "member": {
        "name": "阿依古丽·买买提", "relation": "daughter", "sex": "female", "birth_date": "2012-09-01"}}));
    let find = |app: &mut App, q: &str| -> i64 {
        app.ok(&cw, "household.list", json!({"q": q}))["total"]
            .as_i64()
            .unwrap_or(-1)
    };
    for q in [
        "欧阳",
        "欧阳晓梅",
        "ouyang",
        "oyxm",
        "xiaomei",
        "阿依古丽",
        "买买提",
        "ayiguli",
        "maimaiti",
        "13905271234",
        "1234",
    ] {
        assert_eq!(find(&mut app, q), 1, "{q}");
    }
    let last4: String = format!("{first17}{check}")
        .chars()
        .skip(14)
        .collect::<String>()
        .to_lowercase();
    assert_eq!(find(&mut app, &last4), 0, "no part of the ID finds it");
    assert_eq!(
        find(&mut app, &format!("{first17}{check}")),
        1,
        "the whole ID does"
    );
    assert_eq!(find(&mut app, "欧阳 买买提"), 1);
    // Full-width letters and digits, as a Chinese input method types them.
    assert_eq!(find(&mut app, "ＯＹＸＭ"), 1);
    assert_eq!(find(&mut app, "１３９０５２７"), 1);
    let wide: String = format!("{first17}{check}")
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
        .collect();
    let (h2, _) = app.active_household(&cw, "low");
    let e = app.err(&cw, "member.add", json!({"household_id": h2, "member": {
        "name": "重复", "relation": "spouse", "sex": "female", "birth_date": "1980-03-05", "id_number": wide}}));
    assert_eq!(
        e.code, "member.id_number.duplicate",
        "full-width digits are the same number"
    );
    let m = app.ok(&cw, "member.add", json!({"household_id": h2, "member": {
        "name": "全角", "relation": "spouse", "sex": "male", "birth_date": "1979-01-02", "phone": "１３８ ０００ ０１２３"}}));
    assert_eq!(m["phone"], "1380000123");
    assert_eq!(find(&mut app, "欧阳 zzz"), 0);
}
