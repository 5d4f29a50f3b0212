//! Arbitrary input to every command (property test): random JSON, and each command's own
//! example with one field replaced by random JSON or removed, run as each role against a
//! database with real records. Whatever comes in, the core answers with a value or a coded
//! error — never a panic — and a refused command leaves every row as it was.

use std::cell::RefCell;
use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};
use yihu::ErrorCode;

use crate::common::*;

const CASES: u32 = 4000;

/// Every key and every string found in the registry's example requests.
fn pools() -> (Vec<String>, Vec<String>) {
    fn walk(v: &Value, keys: &mut BTreeSet<String>, strings: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    keys.insert(k.clone());
                    walk(x, keys, strings);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, keys, strings)),
            Value::String(s) => {
                strings.insert(s.clone());
            }
            _ => {}
        }
    }
    let (mut keys, mut strings) = (BTreeSet::new(), BTreeSet::new());
    for c in yihu::api::commands() {
        walk(&c.example, &mut keys, &mut strings);
    }
    (keys.into_iter().collect(), strings.into_iter().collect())
}

fn json_value(keys: Vec<String>, strings: Vec<String>) -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        any::<String>(),
        proptest::sample::select(strings),
        "[0-9]{0,20}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "\\PC{0,40}",
        Just("x".repeat(5000)),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
        text.prop_map(Value::String),
    ];
    let key = prop_oneof![proptest::sample::select(keys), "\\PC{0,12}"];
    leaf.prop_recursive(3, 32, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

/// Replace (or with `remove`, drop) the `pick`-th field of `example`, counting nested fields.
fn mutate(example: &Value, pick: usize, remove: bool, with: Value) -> Value {
    fn paths(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        if let Value::Object(m) = v {
            for (k, x) in m {
                prefix.push(k.clone());
                out.push(prefix.clone());
                paths(x, prefix, out);
                prefix.pop();
            }
        }
    }
    let mut all = Vec::new();
    paths(example, &mut Vec::new(), &mut all);
    let mut body = example.clone();
    if all.is_empty() {
        return body;
    }
    let path = &all[pick % all.len()];
    let mut at = &mut body;
    for k in &path[..path.len() - 1] {
        at = &mut at[k];
    }
    if let Value::Object(m) = at {
        let last = &path[path.len() - 1];
        if remove {
            m.remove(last);
        } else {
            m.insert(last.clone(), with);
        }
    }
    body
}

#[test]
fn arbitrary_requests_never_panic_and_never_write_when_refused() {
    let mut app = App::new();
    let cw = app.staff("周测试", "caseworker", CHEMEN);
    let sup = app.staff("何测试", "supervisor", SIHONG);
    let (h, need) = app.active_household(&cw, "high");
    let (plan, action) = app.approved_plan(&cw, &sup, &h, &need);
    let admin = app.admin.clone();
    let commands = yihu::api::commands();
    let (keys, mut strings) = pools();
    // Real ids, so that mutated requests reach real records.
    strings.extend([
        h.clone(),
        need.clone(),
        plan.clone(),
        action.clone(),
        cw.clone(),
        sup.clone(),
    ]);
    let actors = [None, Some(admin), Some(cw), Some(sup)];
    let app = RefCell::new(app);
    let outcomes = RefCell::new((0usize, 0usize));

    let strategy = (
        0..commands.len(),
        0..actors.len(),
        0u8..4,
        any::<usize>(),
        json_value(keys.clone(), strings.clone()),
    );
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |(ci, ai, how, pick, random)| {
        let c = &commands[ci];
        let body = match how {
            // Random JSON of any shape as the whole request.
            0 => random,
            // The example with one field removed.
            1 => mutate(&c.example, pick, true, Value::Null),
            // The example with one field replaced by random JSON.
            _ => mutate(&c.example, pick, false, random),
        };
        let mut app = app.borrow_mut();
        let before = app.snapshot();
        let got = app.call(actors[ai].as_deref(), c.name, body.clone());
        let mut counts = outcomes.borrow_mut();
        match got {
            Ok(_) => counts.0 += 1,
            Err(e) => {
                counts.1 += 1;
                if e.code == ErrorCode::Internal {
                    return Err(TestCaseError::fail(format!(
                        "{} {body}: uncoded error {e:?}",
                        c.name
                    )));
                }
                if app.snapshot() != before {
                    return Err(TestCaseError::fail(format!(
                        "{} {body}: refused with {} but rows changed",
                        c.name, e.code
                    )));
                }
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (ok, refused) = *outcomes.borrow();
    eprintln!("{CASES} arbitrary requests: {ok} accepted, {refused} refused");
    // Both sides were exercised: some requests went through, most were refused.
    assert!(
        ok > 50 && refused > 1000,
        "{ok} accepted, {refused} refused"
    );
    assert!(
        yihu::check::run(&app.borrow().conn)
            .expect("check")
            .is_empty()
    );
}
