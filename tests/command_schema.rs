//! `yihu commands --json` describes each command's request and response as JSON Schema; this
//! holds the description to what `dispatch` really accepts, command by command: the example
//! fits the schema's fields, a field the schema calls required is refused when left out and
//! one it calls optional is not, a field it does not list is refused, and every value of an
//! enumerated field parses while any other is refused. Run on a real database file through
//! `dispatch`, as `yihu call` runs them (parsing comes before the actor is checked, so no
//! actor is needed to see what parses).

use serde_json::{Map, Value, json};
use yihu::{Ctx, api};

use crate::common::{App, date};

fn resolve<'a>(schema: &'a Value, defs: &'a Map<String, Value>) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/$defs/");
            defs.get(name)
                .unwrap_or_else(|| panic!("no definition {name}"))
        }
        None => schema,
    }
}

/// The enumeration a property takes (through a `$ref`, or `anyOf` with null), if it is one.
fn enum_values(prop: &Value, defs: &Map<String, Value>) -> Option<Vec<String>> {
    let direct = resolve(prop, defs);
    let candidates: Vec<&Value> = match prop["anyOf"].as_array() {
        Some(options) => options.iter().map(|o| resolve(o, defs)).collect(),
        None => vec![direct],
    };
    candidates.into_iter().find_map(|c| {
        c["enum"].as_array().map(|vs| {
            vs.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
    })
}

/// The code of a request-level refusal (the body did not parse), or None.
fn parse_refusal(app: &mut App, name: &str, body: &Value) -> Option<(String, Option<String>)> {
    let ctx = Ctx::fixed(None, date("2026-03-02"));
    match api::dispatch(&mut app.conn, &ctx, name, &body.to_string()) {
        Err(e) if e.code.as_str().starts_with("request.") => {
            Some((e.code.as_str().into(), e.field))
        }
        _ => None,
    }
}

#[test]
fn every_commands_schema_matches_what_dispatch_accepts() {
    let described = api::schema::describe();
    let defs = described["$defs"].as_object().expect("$defs");
    let commands = described["commands"].as_array().expect("commands");
    assert_eq!(commands.len(), api::commands().len());
    let mut app = App::new();
    let (mut required_checked, mut optional_checked, mut enum_values_checked) = (0, 0, 0);
    for c in commands {
        let name = c["name"].as_str().expect("name");
        // Each command says in one line what it does.
        let summary = c["summary"].as_str().unwrap_or_default();
        assert!(
            summary.len() > 10
                && summary.len() <= 120
                && !summary.contains('\n')
                && summary.ends_with('.'),
            "{name}: a one-line summary, got {summary:?}"
        );
        let example = c["example"].as_object().expect("example object");
        let request = resolve(&c["request"], defs);
        assert!(c["response"].is_object(), "{name}: no response schema");
        assert_eq!(request["type"], "object", "{name}: {request}");
        let no_fields = Map::new();
        let props = request["properties"].as_object().unwrap_or(&no_fields);
        assert_eq!(
            request["additionalProperties"],
            json!(false),
            "{name}: unknown fields are refused, so the schema must say so"
        );
        let required: Vec<&str> = request["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for key in example.keys() {
            assert!(
                props.contains_key(key),
                "{name}: the example's {key} is not in the schema"
            );
        }
        for r in &required {
            assert!(
                props.contains_key(*r),
                "{name}: required {r} not a property"
            );
        }
        // The example itself parses.
        assert_eq!(
            parse_refusal(&mut app, name, &Value::Object(example.clone())),
            None,
            "{name}: its own example does not parse"
        );
        // Leaving a field out: refused at that field exactly when the schema requires it.
        for key in example.keys() {
            let mut body = example.clone();
            body.remove(key);
            let refusal = parse_refusal(&mut app, name, &Value::Object(body));
            if required.contains(&key.as_str()) {
                assert_eq!(
                    refusal,
                    Some(("request.field.missing".into(), Some(key.clone()))),
                    "{name}: {key} is required by the schema"
                );
                required_checked += 1;
            } else {
                assert_eq!(
                    refusal, None,
                    "{name}: {key} is optional in the schema but refused when left out"
                );
                optional_checked += 1;
            }
        }
        // A field the schema does not list is refused.
        let mut body = example.clone();
        body.insert("no_such_field".into(), json!(1));
        assert_eq!(
            parse_refusal(&mut app, name, &Value::Object(body)).map(|r| r.0),
            Some("request.field.unknown".into()),
            "{name}"
        );
        // Every value of an enumerated field parses; another is refused.
        for (key, prop) in props {
            let Some(values) = enum_values(prop, defs) else {
                continue;
            };
            for v in &values {
                let mut body = example.clone();
                body.insert(key.clone(), json!(v));
                assert_eq!(
                    parse_refusal(&mut app, name, &Value::Object(body)),
                    None,
                    "{name}: {key} = {v} is in the schema's list"
                );
                enum_values_checked += 1;
            }
            let mut body = example.clone();
            body.insert(key.clone(), json!("no_such_value"));
            assert!(
                parse_refusal(&mut app, name, &Value::Object(body)).is_some(),
                "{name}: {key} took a value outside the schema's list"
            );
        }
    }
    assert!(required_checked > 50, "{required_checked}");
    assert!(optional_checked > 20, "{optional_checked}");
    assert!(enum_values_checked > 30, "{enum_values_checked}");
}

#[test]
fn enumerations_carry_their_chinese_labels_and_patches_require_nothing() {
    let described = api::schema::describe();
    let defs = &described["$defs"];
    assert_eq!(
        defs["Cause"]["x-labels"]["no_carer_in_fact"],
        "事实无人抚养"
    );
    assert_eq!(defs["Cause"]["x-labels"]["bereavement"], "失亲");
    assert_eq!(
        defs["ReferralSource"]["x-labels"]["village_party_committee"],
        "村党委推荐"
    );
    // Every labelled value is a value of its enumeration, and every value has a label.
    for (name, labels) in yihu::labels::all() {
        let Some(def) = defs.get(name) else { continue };
        let values: Vec<&str> = def["enum"]
            .as_array()
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let labelled: Vec<&str> = labels.iter().map(|(v, _)| *v).collect();
        assert_eq!(values, labelled, "{name}");
    }
    // A patch requires nothing and keeps each field's own type.
    assert!(defs["MemberPatch"].get("required").is_none());
    assert_eq!(
        defs["MemberPatch"]["properties"]["birth_date"]["type"],
        "string"
    );
}
