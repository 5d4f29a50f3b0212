//! Every error code the core or the desktop shell can send to the window has a sentence in
//! the UI's catalogue (ui/src/lib/i18n/messages/errors.ts; its English table is typed against
//! the Chinese one, so svelte-check keeps the two in step). Without one the window can only
//! show "操作未完成" with the bare code. The codes are read from the sources: the literal first
//! argument of `ApiError::new`, `ApiError::at` and `ApiError::transition`. Codes only the CLI
//! prints (src/main.rs) are not the window's and are left out; `not_found.*` has one shared
//! sentence.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The codes built from a string literal in `source`, with the constructor's suffix applied.
fn codes_in(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (call, suffix) in [
        ("ApiError::new(", ""),
        ("ApiError::at(", ""),
        ("ApiError::transition(", ".transition.invalid"),
    ] {
        for (at, _) in source.match_indices(call) {
            let rest = source[at + call.len()..].trim_start();
            let Some(literal) = rest.strip_prefix('"') else {
                continue;
            };
            if let Some(end) = literal.find('"') {
                out.push(format!("{}{suffix}", &literal[..end]));
            }
        }
    }
    out
}

/// The keys of the Chinese table of errors.ts, without their `err.` prefix.
fn catalogue() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("ui/src/lib/i18n/messages/errors.ts"))
        .expect("errors.ts");
    let zh = text.split("export const en").next().unwrap_or_default();
    zh.lines()
        .filter_map(|l| l.trim().strip_prefix("\"err."))
        .filter_map(|l| l.split_once("\":").map(|(k, _)| k.to_string()))
        .collect()
}

/// What the window shows for `code` (ui/src/lib/i18n/index.svelte.ts, `errorText`): its own
/// sentence, the shared one of `not_found.*`, or that of its nearest prefix.
fn has_text(keys: &BTreeSet<String>, code: &str) -> bool {
    if keys.contains(code) || code.starts_with("not_found.") {
        return true;
    }
    let parts: Vec<&str> = code.split('.').collect();
    (1..parts.len())
        .rev()
        .any(|n| keys.contains(&parts[..n].join(".")))
}

#[test]
fn every_error_code_the_window_can_receive_has_a_sentence() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    rust_files(&root().join("src-tauri/src"), &mut files);
    let cli = root().join("src/main.rs");
    let mut codes: BTreeMap<String, PathBuf> = BTreeMap::new();
    for f in files.iter().filter(|f| **f != cli) {
        let source = std::fs::read_to_string(f).expect("source");
        for code in codes_in(&source) {
            codes.entry(code).or_insert_with(|| f.clone());
        }
    }
    // The reading works: codes of the core, the validation rules and the shell are found.
    for known in [
        "validation.required",
        "plan.transition.invalid",
        "auth.signed_out",
    ] {
        assert!(
            codes.contains_key(known),
            "{known} not found in the sources"
        );
    }
    assert!(codes.len() > 80, "only {} codes found", codes.len());
    let keys = catalogue();
    assert!(
        keys.contains("generic") && keys.len() > 80,
        "{} keys",
        keys.len()
    );
    let missing: Vec<String> = codes
        .iter()
        .filter(|(code, _)| !has_text(&keys, code))
        .map(|(code, file)| format!("{code} ({})", file.display()))
        .collect();
    assert!(
        missing.is_empty(),
        "error codes with no sentence in ui/src/lib/i18n/messages/errors.ts (zh and en): {missing:#?}"
    );
}
