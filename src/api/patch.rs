//! Edits are patches. An update command changes only the fields it names: a field left out
//! is unchanged, `null` clears one that may be empty (and is refused, at the field, for one
//! that may not), and the answer is the whole record. Without this, a client that did not send
//! a field it never saw — a member's masked ID number, a household's 低保 — erased it.
//!
//! [`patchable!`] declares an input struct (what `create` takes) and its patch from one list of
//! fields, so the two cannot drift apart: the patch has every field of the input as an
//! `Option` that is `Some` only when the request names it ([`present`]), and
//! `apply(current)` puts the named ones over the record as it is. The handler then validates
//! the result exactly as a create would.

use serde::{Deserialize, Deserializer};

/// A field the request names, with its value — `null` included, which for an `Option` field is
/// `Some(None)` (clear it) and for any other field is refused as the wrong type, naming it.
/// Used with `#[serde(default)]`, so a field left out is `None` (unchanged).
pub fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// Declare an input struct and its patch (`pub struct Input / Patch { fields }`): the input as
/// written, attributes and all; the patch with each field optional (left out: unchanged), the
/// unknown ones refused, and `apply(self, current: Input) -> Input` and `named()` (the names
/// of the fields it sets, for tests and the audit).
macro_rules! patchable {
    (
        $(#[$meta:meta])*
        $vis:vis struct $input:ident / $patch:ident {
            $(
                $(#[$fmeta:meta])*
                $fvis:vis $field:ident : $ty:ty
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $input {
            $(
                $(#[$fmeta])*
                $fvis $field: $ty,
            )*
        }

        #[doc = concat!("A change to a [`", stringify!($input), "`]: only the fields it names \
            change; `null` clears a field that may be empty.")]
        #[derive(Debug, Clone, Default, serde::Deserialize, ts_rs::TS)]
        #[serde(deny_unknown_fields)]
        $vis struct $patch {
            $(
                #[serde(default, deserialize_with = "crate::api::patch::present")]
                #[ts(optional)]
                pub $field: Option<$ty>,
            )*
        }

        /// The input's schema with no field required: each field has its own type (`null`
        /// only where the input takes `null`), any may be left out, none other is accepted.
        impl schemars::JsonSchema for $patch {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($patch).into()
            }
            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let mut schema = <$input as schemars::JsonSchema>::json_schema(generator);
                if let Some(object) = schema.as_object_mut() {
                    object.remove("required");
                    object.insert(
                        "description".into(),
                        concat!("A change to a ", stringify!($input), ": only the fields it names \
                            change; `null` clears a field that may be empty.").into(),
                    );
                }
                schema
            }
        }

        impl $patch {
            /// `current` with every field this patch names put over it.
            #[allow(dead_code)]
            pub fn apply(self, mut current: $input) -> $input {
                $(
                    if let Some(v) = self.$field {
                        current.$field = v;
                    }
                )*
                current
            }

            /// The names of the fields this patch sets, in declaration order.
            #[allow(dead_code)]
            pub fn named(&self) -> Vec<&'static str> {
                let mut out = Vec::new();
                $(
                    if self.$field.is_some() {
                        out.push(stringify!($field));
                    }
                )*
                out
            }

            /// Every field a patch may name.
            #[allow(dead_code)]
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];
        }
    };
}

pub(crate) use patchable;

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    patchable! {
        #[derive(Debug, Clone, PartialEq, Deserialize, ts_rs::TS, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct Thing / ThingPatch {
            pub name: String,
            #[serde(default)]
            pub note: Option<String>,
            #[serde(default)]
            pub tags: Vec<String>,
        }
    }

    fn thing() -> Thing {
        Thing {
            name: "甲".into(),
            note: Some("旧".into()),
            tags: vec!["a".into()],
        }
    }

    fn patch(json: &str) -> Result<ThingPatch, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn left_out_is_unchanged_null_clears_a_value_replaces() {
        let p = patch("{}").expect("empty");
        assert!(p.named().is_empty());
        assert_eq!(p.apply(thing()), thing());
        let p = patch(r#"{"note": null}"#).expect("null");
        assert_eq!(p.named(), ["note"]);
        assert_eq!(p.apply(thing()).note, None);
        let p = patch(r#"{"tags": [], "name": "乙"}"#).expect("set");
        let t = p.apply(thing());
        assert_eq!(
            (t.name.as_str(), t.tags.len(), t.note),
            ("乙", 0, Some("旧".into()))
        );
    }

    #[test]
    fn a_required_field_cannot_be_nulled_and_unknown_fields_are_refused() {
        let e = patch(r#"{"name": null}"#).expect_err("null name");
        assert!(e.to_string().contains("null"), "{e}");
        assert!(patch(r#"{"nmae": "x"}"#).is_err());
        assert_eq!(ThingPatch::FIELDS, ["name", "note", "tags"]);
    }

    #[test]
    fn the_typescript_names_every_field_as_optional() {
        use ts_rs::TS;
        let decl = ThingPatch::decl(&ts_rs::Config::default());
        for want in [
            "name?: string",
            "note?: string | null",
            "tags?: Array<string>",
        ] {
            assert!(decl.contains(want), "{want} in {decl}");
        }
    }
}
