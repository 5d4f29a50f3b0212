-- Schema 8: what real caseloads need to say.
-- * A household may be referred by more than one source: referral_source stays the main one,
--   other_referral_sources is a bit set of the others (bit i = the i-th ReferralSource in
--   src/types.rs; 0 = none).
-- * A member may have a nickname (小名), which search finds.
-- * A service may count as in-person contact: a delivery of it done at the household resets
--   the visit cadence, as a visit does. On by default for services done in the home (daily
--   care, psychological support, family education, health and hygiene, guardianship); every
--   other service keeps today's behaviour.
-- * household.last_visit_on becomes the last in-person contact: the latest completed visit or
--   done delivery of a service that counts as contact (checked by `yihu check`). Recomputed
--   here from the records, which are not changed.
-- Only columns are added (with defaults every existing row satisfies) and one derived column
-- recomputed; no history is touched.
ALTER TABLE household ADD COLUMN other_referral_sources INTEGER NOT NULL DEFAULT 0
  CHECK (other_referral_sources >= 0);
ALTER TABLE member ADD COLUMN nickname TEXT;
ALTER TABLE service ADD COLUMN counts_as_contact INTEGER NOT NULL DEFAULT 0
  CHECK (counts_as_contact = 0 OR counts_as_contact = 1);
UPDATE service SET counts_as_contact = 1
 WHERE category = 'daily_care' OR category = 'psychological' OR category = 'family_education'
    OR category = 'health_hygiene' OR category = 'guardianship';
UPDATE household SET last_visit_on = (
  SELECT max(d) FROM (
    SELECT v.visited_on AS d FROM visit v WHERE v.household_id = household.id AND v.status = 'completed'
    UNION ALL
    SELECT o.done_on FROM occurrence o JOIN action a ON a.id = o.action_id JOIN service s ON s.id = a.service_id
     WHERE o.household_id = household.id AND o.status = 'done' AND s.counts_as_contact = 1));
