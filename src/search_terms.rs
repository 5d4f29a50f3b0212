//! Search terms for finding a household by a member's name, its pinyin or
//! its initials.
//!
//! Case workers in the field often cannot type Chinese quickly, so search
//! accepts full pinyin ("weijiao"), initials ("wj") and any substring of
//! the name ("娇"). Matching is a plain prefix match of each query token
//! against stored terms (SQL `term >= q AND term < q || char(0x10FFFF)`),
//! which an index answers cheaply; this module produces those terms when a
//! name is saved ([`name_terms`]) and splits what the user typed
//! ([`query_tokens`]). It runs once per name in bulk loads of ~300,000
//! people, so it avoids regexes and needless allocation.
//!
//! Rules:
//! - The *compact* name is the name lowercased with whitespace and
//!   middle dots (`·`, `・`, `•`, `‧`, `.`, `．`) removed. Every suffix of it,
//!   by characters, is a term, so a prefix match finds any substring.
//! - Each Han character contributes its toneless readings from the `pinyin`
//!   crate's heteronym data (at most [`MAX_READINGS`] distinct readings, most
//!   common first). Every combination, up to [`MAX_COMBOS`] in total, gives a
//!   full-pinyin term and an initials term, plus the same for every suffix
//!   starting at a later character ("jia"/"j" for 卫佳).
//! - Runs of other characters (ASCII letters, digits, …) are kept lowercased
//!   as one unit; their initial is their first character.
//! - `ü` is written three ways — `ü`, `v` and `u` — so "lü", "lv" and "lu" all
//!   find 吕.
//! - Multi-reading surnames (单 shan/dan, 曾 zeng/ceng, 解 xie/jie, 区 ou/qu,
//!   查 zha/cha, 仇 qiu/chou, 朴 piao/pu) all come out of the crate's own data
//!   (checked by tests), so no override table is needed. When readings must
//!   be dropped to stay within [`MAX_COMBOS`], later characters lose readings
//!   before earlier ones, so the surname keeps its alternatives.
//! - Only the first [`MAX_NAME_CHARS`] characters of the compact name are
//!   used, which bounds the work on pathological input.

use pinyin::ToPinyinMulti;

/// Most readings used for a single character.
pub const MAX_READINGS: usize = 4;
/// Most reading combinations expanded for one name.
pub const MAX_COMBOS: usize = 32;
/// Most query tokens returned by [`query_tokens`].
pub const MAX_QUERY_TOKENS: usize = 8;
/// Characters of the compact name that are indexed.
pub const MAX_NAME_CHARS: usize = 64;

/// Characters dropped from names and queries (besides whitespace): the
/// middle dots used in transliterated minority and foreign names.
fn is_dot(c: char) -> bool {
    // U+00B7 middle dot, U+30FB katakana middle dot, U+FF65 halfwidth
    // katakana middle dot, U+2022 bullet, U+2027 hyphenation point, full stop
    // and fullwidth full stop.
    matches!(
        c,
        '\u{00B7}' | '\u{30FB}' | '\u{FF65}' | '\u{2022}' | '\u{2027}' | '.' | '．'
    )
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || is_dot(c)
}

/// One searchable unit of a name: a Han character with its readings, or a
/// run of other characters (a byte range of the compact name).
enum Unit {
    Han {
        readings: [&'static str; MAX_READINGS],
        len: usize,
    },
    Other {
        start: usize,
        end: usize,
    },
}

/// All search terms for a person's name: deduplicated, lowercase, sorted.
/// Empty for an empty or whitespace-only name.
pub fn name_terms(name: &str) -> Vec<String> {
    let mut compact = String::with_capacity(name.len());
    let mut units: Vec<Unit> = Vec::new();
    let mut run_start: Option<usize> = None;
    let mut chars = 0usize;

    for c in name.chars() {
        if is_separator(c) {
            close_run(&mut units, &mut run_start, compact.len());
            continue;
        }
        if chars == MAX_NAME_CHARS {
            break;
        }
        chars += 1;
        match c.to_pinyin_multi() {
            Some(multi) => {
                close_run(&mut units, &mut run_start, compact.len());
                let mut readings = [""; MAX_READINGS];
                let mut len = 0;
                for p in multi {
                    let r = p.plain();
                    if r.is_empty() || readings[..len].contains(&r) {
                        continue;
                    }
                    readings[len] = r;
                    len += 1;
                    if len == MAX_READINGS {
                        break;
                    }
                }
                compact.push(c);
                if len > 0 {
                    units.push(Unit::Han { readings, len });
                }
            }
            None => {
                if run_start.is_none() {
                    run_start = Some(compact.len());
                }
                compact.extend(c.to_lowercase());
            }
        }
    }
    close_run(&mut units, &mut run_start, compact.len());

    if compact.is_empty() {
        return Vec::new();
    }

    let mut terms: Vec<String> = Vec::with_capacity(4 * chars + 4);
    // Every character suffix of the compact name.
    for (i, _) in compact.char_indices() {
        terms.push(compact[i..].to_owned());
    }

    if !units.is_empty() {
        push_pinyin_terms(&compact, &units, &mut terms);
    }

    terms.sort_unstable();
    terms.dedup();
    terms
}

fn close_run(units: &mut Vec<Unit>, run_start: &mut Option<usize>, end: usize) {
    if let Some(start) = run_start.take()
        && end > start
    {
        units.push(Unit::Other { start, end });
    }
}

/// Number of readings actually used per unit so that their product is at
/// most [`MAX_COMBOS`]: repeatedly drop the least common reading of the
/// unit with the most readings, preferring later units on ties.
fn reading_counts(units: &[Unit]) -> Vec<usize> {
    let mut counts: Vec<usize> = units
        .iter()
        .map(|u| match u {
            Unit::Han { len, .. } => *len,
            Unit::Other { .. } => 1,
        })
        .collect();
    loop {
        let product = counts.iter().try_fold(1usize, |acc, &c| {
            acc.checked_mul(c).filter(|p| *p <= MAX_COMBOS)
        });
        if product.is_some() {
            return counts;
        }
        // Some count is >= 2 here, otherwise the product would be 1.
        let Some((i, _)) = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 1)
            .max_by_key(|(i, c)| (**c, *i))
        else {
            return counts;
        };
        counts[i] -= 1;
    }
}

fn push_pinyin_terms(compact: &str, units: &[Unit], terms: &mut Vec<String>) {
    let counts = reading_counts(units);
    let mut choice = vec![0usize; units.len()];
    let mut full = String::with_capacity(compact.len() * 3);
    let mut initials = String::with_capacity(units.len() * 2);

    // Suffix by suffix, enumerating only the readings of the characters in
    // that suffix, so each distinct tail is built once.
    for first in 0..units.len() {
        let tail_units = units.get(first..).unwrap_or_default();
        let tail_counts = counts.get(first..).unwrap_or_default();
        let choice = choice.get_mut(first..).unwrap_or_default();
        let suffix_from = terms.len();
        loop {
            full.clear();
            initials.clear();
            for (unit, &k) in tail_units.iter().zip(choice.iter()) {
                let piece = match unit {
                    Unit::Han { readings, .. } => readings.get(k).copied().unwrap_or_default(),
                    Unit::Other { start, end } => compact.get(*start..*end).unwrap_or_default(),
                };
                full.push_str(piece);
                if let Some(c) = piece.chars().next() {
                    initials.push(c);
                }
            }
            if !full.is_empty() {
                if full.contains('ü') {
                    terms.push(full.replace('ü', "v"));
                    terms.push(full.replace('ü', "u"));
                }
                terms.push(full.clone());
            }
            // Different readings often share an initial: skip the repeats
            // here rather than allocate them.
            if !initials.is_empty() && !terms[suffix_from..].contains(&initials) {
                terms.push(initials.clone());
            }
            if !next_choice(choice, tail_counts) {
                break;
            }
        }
    }
}

/// Advances a mixed-radix counter (last digit fastest). Returns `false`,
/// with the counter back at all zeros, after the last combination.
fn next_choice(choice: &mut [usize], counts: &[usize]) -> bool {
    for (c, &n) in choice.iter_mut().zip(counts).rev() {
        *c += 1;
        if *c < n {
            return true;
        }
        *c = 0;
    }
    false
}

/// Splits a search query into at most [`MAX_QUERY_TOKENS`] lowercase tokens:
/// split on whitespace (including U+3000) and commas (`,` `，` `、`), with
/// middle dots removed and empty tokens dropped. Repeated tokens are kept
/// once. `ü` is kept as typed; names index the `ü`, `v` and `u` spellings.
pub fn query_tokens(q: &str) -> Vec<String> {
    let q = crate::validate::clean_text(q);
    let mut out: Vec<String> = Vec::new();
    for raw in q.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、')) {
        if out.len() == MAX_QUERY_TOKENS {
            break;
        }
        let mut tok = String::with_capacity(raw.len());
        for c in raw.chars().filter(|c| !is_dot(*c)) {
            // Full-width letters and digits from a Chinese input method count as ASCII.
            let c = match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            };
            tok.extend(c.to_lowercase());
        }
        if !tok.is_empty() && !out.contains(&tok) {
            out.push(tok);
        }
    }
    out
}

/// Whether some term starts with `token` — the same test the database does.
pub fn matches(terms: &[String], token: &str) -> bool {
    terms.iter().any(|t| t.starts_with(token))
}

/// The names (and nicknames, as names without a phone) and phones of a household's current
/// members, as [`household_terms`] takes them; `?1` is the household id.
pub const MEMBER_TERMS_SQL: &str =
    "SELECT name, phone FROM member WHERE household_id = ?1 AND removed_on IS NULL
     UNION ALL SELECT nickname, NULL FROM member
      WHERE household_id = ?1 AND removed_on IS NULL AND nickname IS NOT NULL";

/// Terms that find a household: case number, phones, member names (with pinyin and
/// initials). No part of an ID number: every search term matches as a prefix, and a search by
/// some of its digits would be an oracle for the digits the mask hides (100 searches by the
/// last four would give back digits 15–16). A whole ID number is found by its exact value
/// instead (`api::household_filter`).
pub fn household_terms(
    case_no: &str,
    phone: Option<&str>,
    members: &[(String, Option<String>)],
) -> Vec<String> {
    household_terms_with(case_no, phone, members, name_terms)
}

/// `household_terms` with the name terms supplied by the caller (the bulk demo load reuses
/// the terms of names it has already seen).
pub fn household_terms_with(
    case_no: &str,
    phone: Option<&str>,
    members: &[(String, Option<String>)],
    mut name_terms: impl FnMut(&str) -> Vec<String>,
) -> Vec<String> {
    let mut terms = Vec::with_capacity(8 + members.len() * 10);
    terms.push(case_no.to_lowercase());
    if let Some(rest) = case_no.get(7..) {
        terms.push(rest.to_string());
    }
    let push_phone = |p: &str, terms: &mut Vec<String>| {
        let digits: String = p.chars().filter(|c| c.is_ascii_digit()).collect();
        if digits.len() >= 4 {
            terms.push(digits[digits.len() - 4..].to_string());
        }
        // +86 139… is also found as 139…, the way people say it.
        if let Some(national) = p.strip_prefix("+86").and(digits.strip_prefix("86")) {
            terms.push(national.to_string());
        }
        terms.push(digits);
    };
    if let Some(p) = phone {
        push_phone(p, &mut terms);
    }
    for (name, phone) in members {
        terms.extend(name_terms(name));
        if let Some(p) = phone {
            push_phone(p, &mut terms);
        }
    }
    terms.retain(|t| !t.is_empty());
    terms.sort();
    terms.dedup();
    terms
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn has(terms: &[String], t: &str) -> bool {
        terms.iter().any(|x| x == t)
    }

    fn found(name: &str, query: &str) -> bool {
        let terms = name_terms(name);
        let toks = query_tokens(query);
        !toks.is_empty() && toks.iter().all(|t| matches(&terms, t))
    }

    #[test]
    fn wei_jia() {
        let terms = name_terms("卫佳");
        for t in ["卫佳", "佳", "weijia", "jia", "wj", "j"] {
            assert!(has(&terms, t), "missing {t}: {terms:?}");
        }
        for q in [
            "weijia", "wj", "wei", "jia", "卫", "佳", "卫佳", "WeiJia", "wei jia", "wj,佳",
        ] {
            assert!(found("卫佳", q), "{q}");
        }
        for q in ["weij x", "jw", "佳卫", "wei佳", "ejia"] {
            assert!(!found("卫佳", q), "{q}");
        }
        // Exactly these terms.
        let mut want = vec!["j", "jia", "weijia", "wj", "佳", "卫佳"];
        want.sort_unstable();
        assert_eq!(terms, want);
    }

    #[test]
    fn matches_is_prefix() {
        let terms = vec!["weijiao".to_owned(), "jiao".to_owned()];
        assert!(matches(&terms, "wei"));
        assert!(matches(&terms, "jiao"));
        assert!(matches(&terms, "weijiao"));
        assert!(!matches(&terms, "weijiaox"));
        assert!(!matches(&terms, "iao"));
        assert!(!matches(&[], "a"));
    }

    #[test]
    fn multi_reading_surnames() {
        for (name, readings) in [
            ("单丽", &["shanli", "danli"][..]),
            ("曾强", &["zengqiang", "cengqiang"]),
            ("解放", &["xiefang", "jiefang"]),
            ("区华", &["ouhua", "quhua"]),
            ("查明", &["zhaming", "chaming"]),
            ("仇英", &["qiuying", "chouying"]),
            ("朴明", &["piaoming", "puming"]),
        ] {
            let terms = name_terms(name);
            for r in readings {
                assert!(has(&terms, r), "{name} lacks {r}: {terms:?}");
                assert!(found(name, r));
            }
        }
        // Initials by each surname reading.
        let t = name_terms("单丽");
        assert!(has(&t, "sl") && has(&t, "dl"), "{t:?}");
        let t = name_terms("曾强");
        assert!(has(&t, "zq") && has(&t, "cq"), "{t:?}");
    }

    #[test]
    fn umlaut_three_spellings() {
        let terms = name_terms("吕娟");
        for t in [
            "lvjuan", "lujuan", "lüjuan", "lv", "lu", "lj", "juan", "吕娟", "娟",
        ] {
            assert!(
                has(&terms, t) || matches(&terms, t),
                "missing {t}: {terms:?}"
            );
        }
        assert!(found("吕娟", "lü"));
        assert!(found("吕娟", "LÜ"));
        assert!(found("吕娟", "lv"));
        assert!(found("吕娟", "lu"));
        // ü in a later character too.
        let terms = name_terms("王女");
        assert!(has(&terms, "wangnv") && has(&terms, "wangnu") && has(&terms, "nv"));
    }

    #[test]
    fn dedup_and_lowercase() {
        let terms = name_terms("丁丁");
        let mut sorted = terms.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(terms, sorted);
        assert!(has(&terms, "dingding") && has(&terms, "ding") && has(&terms, "dd"));
        assert_eq!(terms.iter().filter(|t| *t == "ding").count(), 1);
        // 解 has two "jie" readings in the crate data (different tones).
        let terms = name_terms("解");
        assert_eq!(terms.iter().filter(|t| *t == "jie").count(), 1);
        for t in &name_terms("Anna 卫") {
            assert_eq!(*t, t.to_lowercase());
        }
    }

    #[test]
    fn empty_input() {
        assert!(name_terms("").is_empty());
        assert!(name_terms("   \t\u{3000}").is_empty());
        assert!(name_terms("·").is_empty());
        assert!(query_tokens("").is_empty());
        assert!(query_tokens("  ,，、 \u{3000} · ").is_empty());
    }

    #[test]
    fn four_char_compound_surname() {
        let name = "欧阳晓梅";
        let terms = name_terms(name);
        for t in [
            "欧阳晓梅",
            "阳晓梅",
            "晓梅",
            "梅",
            "ouyangxiaomei",
            "yangxiaomei",
            "xiaomei",
            "mei",
            "oyxm",
            "yxm",
            "xm",
            "m",
        ] {
            assert!(has(&terms, t), "missing {t}: {terms:?}");
        }
        for q in [
            "ouyang",
            "xiaomei",
            "oyxm",
            "欧阳",
            "晓梅",
            "ouyang xiao",
            "xm",
        ] {
            assert!(found(name, q), "{q}");
        }
        // A compound surname with several readings per character.
        let terms = name_terms("尉迟恭");
        assert!(
            has(&terms, "yuchigong") && has(&terms, "weichigong"),
            "{terms:?}"
        );
        assert!(has(&terms, "ycg") && has(&terms, "wcg"));
        let terms = name_terms("万俟卨");
        assert!(has(&terms, "moqi") || matches(&terms, "moqi"), "{terms:?}");
    }

    #[test]
    fn ascii_and_middle_dot() {
        let terms = name_terms("阿卜杜拉·买买提");
        for q in [
            "阿卜杜拉买买提",
            "买买提",
            "abudulamaimaiti",
            "maimaiti",
            "abdlmmt",
            "阿卜杜拉·买买提",
            "mmt",
        ] {
            let toks = query_tokens(q);
            assert!(toks.iter().all(|t| matches(&terms, t)), "{q}: {terms:?}");
        }
        assert!(terms.iter().all(|t| !t.contains('·') && !t.contains(' ')));

        let terms = name_terms("Anna 王2");
        for t in ["anna王2", "王2", "2", "annawang2", "wang2", "aw2", "w2"] {
            assert!(has(&terms, t), "missing {t}: {terms:?}");
        }
        assert!(found("Anna 王2", "ANNA"));
        assert!(found("Anna 王2", "nna"));

        let terms = name_terms("John Smith");
        for t in ["johnsmith", "smith", "js", "s", "ohnsmith"] {
            assert!(has(&terms, t), "missing {t}: {terms:?}");
        }
    }

    #[test]
    fn reading_cap() {
        // 4 characters with many readings: combinations stay bounded.
        let name = "朴单仇查";
        let terms = name_terms(name);
        let full_forms = terms.iter().filter(|t| t.is_ascii() && t.len() > 8).count();
        assert!(full_forms <= MAX_COMBOS * 2, "{full_forms}");
        // The surname keeps its alternative readings.
        assert!(
            matches(&terms, "piao") && matches(&terms, "pu"),
            "{terms:?}"
        );
    }

    #[test]
    fn reading_counts_prefers_first_unit() {
        let u = |len| Unit::Han {
            readings: [""; MAX_READINGS],
            len,
        };
        assert_eq!(reading_counts(&[u(3), u(4), u(4), u(4)]), vec![3, 2, 2, 2]);
        assert_eq!(reading_counts(&[u(2), u(2)]), vec![2, 2]);
        assert_eq!(reading_counts(&[u(4), u(4), u(2)]), vec![4, 4, 2]);
        let many: Vec<Unit> = (0..40).map(|_| u(2)).collect();
        let c = reading_counts(&many);
        assert_eq!(c.iter().filter(|c| **c == 2).count(), 5);
        assert_eq!(&c[..5], &[2, 2, 2, 2, 2]);
        assert_eq!(reading_counts(&[]), Vec::<usize>::new());
    }

    #[test]
    fn next_choice_enumerates_all() {
        let counts = [2, 1, 3];
        let mut c = [0usize; 3];
        let mut seen = vec![c];
        while next_choice(&mut c, &counts) {
            seen.push(c);
        }
        assert_eq!(seen.len(), 6);
        assert_eq!(seen[1], [0, 0, 1]);
        assert_eq!(seen[5], [1, 0, 2]);
        assert_eq!(c, [0, 0, 0]);
        assert!(!next_choice(&mut [], &[]));
    }

    #[test]
    fn long_names_are_bounded() {
        let name: String = "单".repeat(10_000);
        let terms = name_terms(&name);
        assert!(terms.len() < 2_000, "{}", terms.len());
        assert!(
            terms
                .iter()
                .all(|t| t.chars().count() <= MAX_NAME_CHARS * 5)
        );
    }

    #[test]
    fn query_tokens_split_and_normalise() {
        assert_eq!(query_tokens(" Wei  Jiao "), vec!["wei", "jiao"]);
        assert_eq!(
            query_tokens("卫佳\u{3000}wj,lü，x、y"),
            vec!["卫佳", "wj", "lü", "x", "y"]
        );
        assert_eq!(query_tokens("阿卜杜拉·买买提"), vec!["阿卜杜拉买买提"]);
        assert_eq!(query_tokens("LÜ"), vec!["lü"]);
        assert_eq!(query_tokens("a a A"), vec!["a"]);
        assert_eq!(query_tokens("a b c d e f g h i j").len(), MAX_QUERY_TOKENS);
        assert_eq!(query_tokens("\tx\n"), vec!["x"]);
    }

    proptest! {
        #[test]
        fn prop_never_panics_and_sorted(name in any::<String>()) {
            let terms = name_terms(&name);
            for w in terms.windows(2) {
                prop_assert!(w[0] < w[1]);
            }
            prop_assert!(terms.iter().all(|t| !t.is_empty()));
            let toks = query_tokens(&name);
            prop_assert!(toks.len() <= MAX_QUERY_TOKENS);
            prop_assert!(toks.iter().all(|t| !t.is_empty()));
        }

        #[test]
        fn prop_substrings_found(name in "[卫佳欧阳晓梅单曾吕王 ·a-zA-Z0-9]{1,8}") {
            let terms = name_terms(&name);
            let compact: Vec<char> = name
                .chars()
                .filter(|c| !is_separator(*c))
                .flat_map(char::to_lowercase)
                .collect();
            for i in 0..compact.len() {
                for j in i + 1..=compact.len() {
                    let sub: String = compact[i..j].iter().collect();
                    prop_assert!(matches(&terms, &sub), "{} not found in {:?}", sub, terms);
                }
            }
        }

        #[test]
        fn prop_whole_name_query_finds_it(name in "[\\p{Han}a-z·]{1,6}") {
            // A name is indexed as it is stored: cleaned (NFC turns a CJK compatibility
            // ideograph such as U+F967 into its unified form), as the query is.
            let stored = crate::validate::clean_text(&name);
            prop_assert!(query_tokens(&name).iter().all(|t| matches(&name_terms(&stored), t)));
        }
    }
}
