-- Schema 7: words the work needs. Partners may be a women's federation organisation (妇联组织)
-- or a private person (个人, e.g. a landlord giving free housing); a household may be referred
-- by the village Party committee (村党委推荐) or found by the women's federation's own
-- screening (妇联排查). Only lists are widened: every stored row still satisfies its check,
-- so, as in schema 2, the tables' SQL is edited in place (SQLite's documented procedure,
-- https://sqlite.org/lang_altertable.html#otheralter) and an index is rebuilt to bump the
-- schema cookie so other connections reload it.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'kind = ''government'' OR kind = ''other'')',
                          'kind = ''government'' OR kind = ''womens_federation'' OR kind = ''individual'' OR kind = ''other'')')
 WHERE type = 'table' AND name = 'partner';
UPDATE sqlite_schema
   SET sql = replace(sql, 'referral_source = ''self'' OR referral_source = ''other_organisation'')',
                          'referral_source = ''self'' OR referral_source = ''other_organisation'' OR referral_source = ''village_party_committee'' OR referral_source = ''womens_federation_screening'')')
 WHERE type = 'table' AND name = 'household';
CREATE INDEX vocabulary_reload ON partner(kind);
DROP INDEX vocabulary_reload;
PRAGMA writable_schema = RESET;
