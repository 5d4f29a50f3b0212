//! The TypeScript bindings committed under ui/src/lib/bindings must be exactly what the Rust
//! command surface generates. Regenerate with `YIHU_WRITE_BINDINGS=1 cargo test bindings`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use yihu::api::bindings;

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if p.extension().is_some_and(|x| x == "ts") {
                let name = p
                    .strip_prefix(root)
                    .map(|r| r.to_string_lossy().to_string())
                    .unwrap_or_default();
                out.insert(name, std::fs::read_to_string(&p).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn committed_bindings_match_the_command_surface() {
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(bindings::BINDINGS_DIR);
    if std::env::var_os("YIHU_WRITE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        bindings::write(&committed).expect("write bindings");
    }
    let fresh = tempfile::tempdir().expect("tempdir");
    bindings::write(fresh.path()).expect("generate bindings");
    let want = read_dir(fresh.path());
    let have = read_dir(&committed);
    assert!(
        want.contains_key("commands.ts") && want.contains_key("HouseholdDetail.ts"),
        "{:?}",
        want.keys()
    );
    let stale: Vec<&String> = want
        .keys()
        .filter(|k| have.get(*k) != want.get(*k))
        .collect();
    let extra: Vec<&String> = have.keys().filter(|k| !want.contains_key(*k)).collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "the TypeScript bindings are stale (changed or missing: {stale:?}; no longer generated: {extra:?}); \
         run `YIHU_WRITE_BINDINGS=1 cargo test bindings` and commit {}",
        bindings::BINDINGS_DIR
    );
    // Every command is in the map, with its request and response.
    let commands = &want["commands.ts"];
    for c in yihu::commands() {
        assert!(
            commands.contains(&format!("\"{}\": {{ request: ", c.name)),
            "{} missing",
            c.name
        );
    }
    assert!(commands.contains("\"household.get\": { request: ById; response: HouseholdDetail }"));
}
