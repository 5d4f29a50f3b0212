-- Schema 6: a logged visit closes the scheduled visit it fulfils (visit.log now picks the
-- household's earliest still-scheduled visit on or before the day when the request does not
-- name one). Before, a visit logged without naming it left the scheduled one open, and such
-- visits piled up as "overdue" after the household had been visited. This tidies them: a
-- scheduled visit whose household was visited on or after its day was fulfilled or missed,
-- not still to come, and is closed as cancelled. Nothing else changes — the visits that
-- happened, their dates and notes, and the audit trail are left as they are; the festival
-- visits of a campaign keep their own life cycle (the campaign's item follows them).
UPDATE visit SET status = 'cancelled'
 WHERE status = 'scheduled'
   AND id NOT IN (SELECT visit_id FROM campaign_item WHERE visit_id IS NOT NULL)
   AND EXISTS (SELECT 1 FROM visit AS done
                WHERE done.household_id = visit.household_id
                  AND done.status = 'completed'
                  AND done.visited_on >= visit.scheduled_on);
