//! The 身份证 check agrees with the window's: both test suites read the same vectors
//! (`tests/fixtures/id_vectors.json`; the window's in `ui/src/lib/idcard.test.ts`), full-width
//! digits, a lower-case x and surrounding spaces included. The core folds and normalises a
//! number exactly as `member.add` does before it checks it.

use serde_json::Value;
use yihu::idcard::{self, IdSex};

#[test]
fn the_core_reads_every_shared_vector_as_the_window_does() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/id_vectors.json"),
    )
    .expect("vectors");
    let all: Value = serde_json::from_str(&text).expect("json");
    let vectors = all["vectors"].as_array().expect("vectors");
    assert!(vectors.len() >= 10);
    for v in vectors {
        let input = v["input"].as_str().expect("input");
        let got = idcard::parse(&idcard::normalize(&yihu::validate::fold_fullwidth(input)));
        match (v["ok"].as_bool(), got) {
            (Some(true), Ok(info)) => {
                assert_eq!(
                    info.birth_date.to_string(),
                    v["birth_date"].as_str().unwrap_or_default(),
                    "{v}"
                );
                let sex = match info.sex {
                    IdSex::Male => "male",
                    IdSex::Female => "female",
                };
                assert_eq!(sex, v["sex"].as_str().unwrap_or_default(), "{v}");
            }
            (Some(false), Err(e)) => {
                let code = e.code().as_str();
                assert_eq!(
                    code.strip_prefix("validation.id_number."),
                    v["code"].as_str(),
                    "{v}"
                );
            }
            (_, got) => panic!("{v}: the core says {got:?}"),
        }
    }
}
