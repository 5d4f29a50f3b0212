//! The modules of the command surface (src/api) depend on one another without a circle: read
//! models (the household detail and list, follow-up, the dashboard, the ledgers, reminders)
//! build on the entities, an entity never depends on a read model, and what several entities
//! share sits in a leaf module. Read from the sources: each module's references to a sibling
//! (`super::x`, `crate::api::x`, `use super::{x, y::z}`), with comments, string literals and
//! inline test modules set aside. src/api/mod.rs, the command registry that names every
//! handler, is left out: it may depend on all of them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The read models: they may depend on the entities and on one another, never the reverse.
const READ_MODELS: &[&str] = &[
    "followup",
    "household_detail",
    "household_list",
    "insight",
    "ledger",
    "plan_diff",
    "reminder_list",
];

/// Outside the rule above: the TypeScript export of every command's types (like the registry,
/// it names them all).
const INFRASTRUCTURE: &[&str] = &["bindings"];

type Graph = BTreeMap<String, BTreeSet<String>>;

fn api_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/api")
}

/// Every `.rs` file below `dir`, by its path relative to `root`.
fn sources(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("read src/api");
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(root, &p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p.strip_prefix(root).expect("below src/api").to_path_buf());
        }
    }
}

/// The module a file is, as a path below `api`: `household.rs` → [household],
/// `ledger/mod.rs` → [ledger], `ledger/xlsx.rs` → [ledger, xlsx].
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// `src` with comments, string literals and character literals blanked (each character
/// becomes a space, so the code keeps its shape and nothing inside a literal is read).
fn code_only(src: &str) -> Vec<char> {
    let c: Vec<char> = src.chars().collect();
    let mut out = c.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for x in &mut out[from..to.min(c.len())] {
            if *x != '\n' {
                *x = ' ';
            }
        }
    };
    let mut i = 0;
    while i < c.len() {
        let next = c.get(i + 1).copied();
        if c[i] == '/' && next == Some('/') {
            let end = (i..c.len()).find(|&j| c[j] == '\n').unwrap_or(c.len());
            blank(&mut out, i, end);
            i = end;
        } else if c[i] == '/' && next == Some('*') {
            let end = (i + 2..c.len().saturating_sub(1))
                .find(|&j| c[j] == '*' && c[j + 1] == '/')
                .map_or(c.len(), |j| j + 2);
            blank(&mut out, i, end);
            i = end;
        } else if c[i] == 'r'
            && (next == Some('"') || next == Some('#'))
            && (i == 0 || !is_ident(c[i - 1]))
        {
            // A raw string: r"…" or r#"…"#.
            let hashes = (i + 1..c.len()).take_while(|&j| c[j] == '#').count();
            if c.get(i + 1 + hashes) != Some(&'"') {
                i += 1;
                continue;
            }
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let body = i + 2 + hashes;
            let rest: String = c[body..].iter().collect();
            let end = rest
                .find(&close)
                .map_or(c.len(), |k| body + rest[..k].chars().count() + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if c[i] == '"' {
            let mut j = i + 1;
            while j < c.len() && c[j] != '"' {
                j += if c[j] == '\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if c[i] == '\'' {
            // A character literal ('x', '\n', '"'), not a lifetime ('a).
            let len = if next == Some('\\') {
                (i + 2..c.len()).find(|&j| c[j] == '\'').map(|j| j + 1 - i)
            } else if c.get(i + 2) == Some(&'\'') {
                Some(3)
            } else {
                None
            };
            match len {
                Some(n) => {
                    blank(&mut out, i, i + n);
                    i += n;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Reads the paths of one source (already [`code_only`]) as absolute paths below `api`.
struct Reader<'a> {
    c: &'a [char],
    i: usize,
}

impl Reader<'_> {
    fn skip_space(&mut self) {
        while self.i < self.c.len() && self.c[self.i].is_whitespace() {
            self.i += 1;
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.skip_space();
        let start = self.i;
        while self.i < self.c.len() && is_ident(self.c[self.i]) {
            self.i += 1;
        }
        (self.i > start).then(|| self.c[start..self.i].iter().collect())
    }

    fn eat(&mut self, s: &str) -> bool {
        self.skip_space();
        let n = s.chars().count();
        if self.i + n <= self.c.len() && self.c[self.i..self.i + n].iter().copied().eq(s.chars()) {
            self.i += n;
            true
        } else {
            false
        }
    }

    /// A path's segments after its first (already read): `::a::b`, ending at anything else;
    /// a `::{…}` group is read with `group` under the segments read so far.
    fn rest(&mut self, mut segs: Vec<String>, found: &mut Vec<Vec<String>>) {
        loop {
            let save = self.i;
            if !self.eat("::") {
                self.i = save;
                break;
            }
            if self.eat("{") {
                self.group(&segs, found);
                return;
            }
            match self.ident() {
                Some(s) => segs.push(s),
                None => break,
            }
        }
        found.push(segs);
    }

    /// The items of a `{…}` group (nested groups, `self`, `x as y`, `*`), each under `prefix`.
    fn group(&mut self, prefix: &[String], found: &mut Vec<Vec<String>>) {
        loop {
            self.skip_space();
            if self.i >= self.c.len() || self.eat("}") {
                return;
            }
            if self.eat(",") || self.eat("*") {
                continue;
            }
            if self.eat("{") {
                self.group(prefix, found);
                continue;
            }
            match self.ident() {
                Some(s) if s == "as" => {
                    self.ident();
                }
                Some(s) if s == "self" => found.push(prefix.to_vec()),
                Some(s) => {
                    let mut segs = prefix.to_vec();
                    segs.push(s);
                    self.rest(segs, found);
                }
                None => self.i += 1,
            }
        }
    }
}

/// The sibling api modules a source refers to, from the module at `module` (its path below
/// `api`, see [`module_path`]): `super::x`, `super::super::x`, `self::x`, `crate::api::x`,
/// `use …::{x, y::{z}}`. Inside an inline `mod name { … }` paths are read from that module.
fn references(src: &str, module: &[String]) -> BTreeSet<String> {
    let c = code_only(src);
    let mut r = Reader { c: &c, i: 0 };
    let mut out = BTreeSet::new();
    // Inline modules open here: (name, brace depth inside them).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut last_word = String::new();
    while r.i < c.len() {
        let ch = c[r.i];
        if ch == '{' {
            depth += 1;
            r.i += 1;
            continue;
        }
        if ch == '}' {
            if inline.last().is_some_and(|(_, d)| *d == depth) {
                inline.pop();
            }
            depth = depth.saturating_sub(1);
            r.i += 1;
            continue;
        }
        if !is_ident(ch) || (r.i > 0 && is_ident(c[r.i - 1])) {
            r.i += 1;
            continue;
        }
        let word = r.ident().unwrap_or_default();
        if last_word == "mod" {
            let save = r.i;
            if r.eat("{") {
                depth += 1;
                inline.push((word.clone(), depth));
            } else {
                r.i = save;
            }
        }
        if matches!(word.as_str(), "crate" | "super" | "self") {
            let mut found = Vec::new();
            r.rest(vec![word.clone()], &mut found);
            let mut here: Vec<String> = module.to_vec();
            here.extend(inline.iter().map(|(n, _)| n.clone()));
            for path in found {
                if let Some(target) = resolve(&path, &here)
                    && let Some(first) = target.first()
                {
                    out.insert(first.clone());
                }
            }
        }
        last_word = word;
    }
    out
}

/// `path` (starting with `crate`, `super` or `self`), read from the module at `here`, as a
/// path below `api`; None when it leads outside `api`.
fn resolve(path: &[String], here: &[String]) -> Option<Vec<String>> {
    match path.first()?.as_str() {
        "crate" => (path.get(1)? == "api").then(|| path[2..].to_vec()),
        "self" => Some(here.iter().chain(&path[1..]).cloned().collect()),
        _ => {
            let ups = path.iter().take_while(|s| *s == "super").count();
            let base = here.get(..here.len().checked_sub(ups)?)?;
            Some(base.iter().chain(&path[ups..]).cloned().collect())
        }
    }
}

/// Every api module (but the registry) and the sibling modules it refers to.
fn graph() -> Graph {
    let root = api_dir();
    let mut files = Vec::new();
    sources(&root, &root, &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .map(|f| module_path(f))
        .filter_map(|m| m.first().cloned())
        .collect();
    let mut g = Graph::new();
    for f in &files {
        let module = module_path(f);
        let Some(node) = module.first() else {
            continue; // src/api/mod.rs
        };
        let src = std::fs::read_to_string(root.join(f)).expect("source");
        let deps = g.entry(node.clone()).or_default();
        for target in references(&src, &module) {
            if modules.contains(&target) && target != *node {
                deps.insert(target);
            }
        }
    }
    g
}

/// A circle in `g`, as the modules along it (the first repeated at the end), if there is one.
fn find_cycle(g: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        g: &Graph,
        n: &str,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(n) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = path.iter().position(|p| p == n).unwrap_or(0);
                let mut cycle = path[from..].to_vec();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(n.to_string(), Mark::Open);
        path.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(g, m, marks, path) {
                return Some(c);
            }
        }
        path.pop();
        marks.insert(n.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    g.keys()
        .find_map(|n| visit(g, n, &mut marks, &mut Vec::new()))
}

fn edges(g: &Graph) -> String {
    g.iter()
        .map(|(n, deps)| {
            let deps: Vec<&str> = deps.iter().map(String::as_str).collect();
            format!("  {n} → {}", deps.join(", "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_reader_finds_every_form_of_reference_and_nothing_in_comments_or_strings() {
    let src = r#"
        use super::{a, b::{c, self as d}, Env};
        use super::e::{self};
        use crate::api::f::G;
        use crate::types::*;
        // super::commented
        /* super::block */
        const S: &str = "super::quoted";
        fn x() { let q = '"'; super::g::h(); self::own(); 'a: loop { break 'a; } }
        mod tests {
            use super::*;
            use super::super::i::J;
        }
    "#;
    let here = vec!["m".to_string()];
    let found: Vec<String> = references(src, &here).into_iter().collect();
    assert_eq!(found, ["Env", "a", "b", "e", "f", "g", "i", "m"]);

    // In a folder module: `super` is the folder, `super::super` the api.
    let src = "use super::Sheet; use super::super::insight::Area; use crate::api::shared::X;";
    let here = vec!["ledger".to_string(), "xlsx".to_string()];
    let found: Vec<String> = references(src, &here).into_iter().collect();
    assert_eq!(found, ["insight", "ledger", "shared"]);

    let g: Graph = [("a", "b"), ("b", "c"), ("c", "a")]
        .iter()
        .map(|(x, y)| (x.to_string(), BTreeSet::from([y.to_string()])))
        .collect();
    assert_eq!(
        find_cycle(&g).expect("a circle").join(" → "),
        "a → b → c → a"
    );
}

#[test]
fn no_api_module_depends_on_itself_through_others() {
    let g = graph();
    let count: usize = g.values().map(BTreeSet::len).sum();
    assert!(
        count > 0,
        "no references between api modules were read; the reader is broken"
    );
    if let Some(cycle) = find_cycle(&g) {
        panic!(
            "the api modules depend on one another in a circle: {}\nevery module's dependencies:\n{}",
            cycle.join(" → "),
            edges(&g)
        );
    }
}

#[test]
fn entities_never_depend_on_read_models() {
    let g = graph();
    for model in READ_MODELS {
        assert!(g.contains_key(*model), "no module named {model} in src/api");
    }
    let wrong: Vec<String> = g
        .iter()
        .filter(|(n, _)| {
            !READ_MODELS.contains(&n.as_str()) && !INFRASTRUCTURE.contains(&n.as_str())
        })
        .flat_map(|(n, deps)| {
            deps.iter()
                .filter(|d| READ_MODELS.contains(&d.as_str()))
                .map(move |d| format!("{n} → {d}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "entities depending on read models: {wrong:?}\nevery module's dependencies:\n{}",
        edges(&g)
    );
}
