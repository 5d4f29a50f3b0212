//! Every error code (`yihu::ErrorCode`, declared once in src/error_code.rs) has a sentence in
//! both tables of the window's catalogue (ui/src/lib/i18n/messages/errors.ts), and the
//! catalogue holds no sentence for a code that no longer exists. The catalogue is also typed
//! against the generated `ErrorCode` union, so svelte-check refuses a missing Chinese text and
//! the English table is typed against the Chinese one; this test says the same from the Rust
//! side, naming the codes, so a new code cannot land without its two sentences.

use std::collections::BTreeMap;
use std::path::PathBuf;

use yihu::ErrorCode;

/// The `err.*` keys of one table of errors.ts (`zh` or `en`) with their sentences.
fn table(text: &str, name: &str) -> BTreeMap<String, String> {
    let start = format!("export const {name}");
    let Some(at) = text.find(&start) else {
        return BTreeMap::new();
    };
    let body = &text[at..];
    let body = &body[..body.find("\n};").unwrap_or(body.len())];
    body.lines()
        .filter_map(|l| l.trim().strip_prefix("\"err."))
        .filter_map(|l| {
            let (key, rest) = l.split_once("\":")?;
            let sentence = rest.trim().trim_end_matches(',').trim_matches('"');
            Some((key.to_string(), sentence.to_string()))
        })
        .collect()
}

#[test]
fn every_error_code_has_a_chinese_and_an_english_sentence_and_no_other() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/i18n/messages/errors.ts");
    let text = std::fs::read_to_string(&path).expect("errors.ts");
    for lang in ["zh", "en"] {
        let t = table(&text, lang);
        // The reading works: a table of the expected size, with the window's own fallback.
        assert!(
            t.contains_key("generic") && t.len() > 100,
            "{lang}: {} keys",
            t.len()
        );
        let missing: Vec<&str> = ErrorCode::ALL
            .iter()
            .map(|c| c.as_str())
            .filter(|c| t.get(*c).is_none_or(|s| s.is_empty()))
            .collect();
        assert!(
            missing.is_empty(),
            "error codes with no {lang} sentence in {}: {missing:#?}",
            path.display()
        );
        let stale: Vec<&String> = t
            .keys()
            .filter(|k| *k != "generic" && ErrorCode::parse(k).is_none())
            .collect();
        assert!(
            stale.is_empty(),
            "{lang} sentences for codes that are not in src/error_code.rs: {stale:#?}"
        );
    }
}
