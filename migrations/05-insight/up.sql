-- Schema 5: indexes for the supervisor's dashboard, the ledgers and the household list's
-- drill-down filters, then festival campaigns. The dashboard and the ledgers read a whole area's
-- needs, deliveries and actions household by household; these indexes carry every column those
-- reads use, so no row of the big tables is fetched.

-- A household's needs, with their state and category (was: household_id, status).
DROP INDEX need_household;
CREATE INDEX need_household ON need(household_id, status, category, id);

-- A household's deliveries by date, with their state (was: household_id, due_on).
DROP INDEX occurrence_household;
CREATE INDEX occurrence_household ON occurrence(household_id, due_on, status);

-- A household's actions, with their state and plan version (was: household_id).
DROP INDEX action_household;
CREATE INDEX action_household ON action(household_id, status, plan_version_id, id);

-- "Is this action in force?" from an action id (the need coverage check) without the row.
CREATE INDEX action_state ON action(id, status, plan_version_id);
CREATE INDEX plan_version_state ON plan_version(id, status);

-- A household's current members with what names the household (its head, else its eldest):
-- the household list, the dashboard and the ledger read the name from the index alone
-- (was: household_id).
DROP INDEX member_household;
CREATE INDEX member_household ON member(household_id, removed_on, relation, birth_date, name);

-- Campaigns: one festival visit or one delivery (Spring Festival rice, flour and oil; a sum of
-- money) for every household of a cohort chosen with the household list's filters.
CREATE TABLE campaign (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind = 'visit' OR kind = 'delivery'),
  festival      TEXT CHECK (festival IS NULL OR festival = 'spring_festival' OR festival = 'lantern'
                  OR festival = 'dragon_boat' OR festival = 'mid_autumn' OR festival = 'double_ninth'
                  OR festival = 'womens_day' OR festival = 'childrens_day'),
  due_on        TEXT NOT NULL,
  title         TEXT NOT NULL,                 -- what is done or given
  category      TEXT NOT NULL,                 -- the need category of the help
  amount_fen    INTEGER CHECK (amount_fen IS NULL OR amount_fen >= 0),
  division_code TEXT NOT NULL REFERENCES division(code),  -- the area it was made for
  cohort_json   TEXT NOT NULL,                 -- the household filters that chose its households
  note          TEXT,
  created_by    TEXT NOT NULL REFERENCES staff(id),
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX campaign_division ON campaign(division_code, due_on);

-- One line per household of a campaign, recorded as done or not done.
CREATE TABLE campaign_item (
  campaign_id  TEXT NOT NULL REFERENCES campaign(id),
  household_id TEXT NOT NULL REFERENCES household(id),
  status       TEXT NOT NULL CHECK (status = 'pending' OR status = 'done' OR status = 'not_done'),
  visit_id     TEXT REFERENCES visit(id),      -- the festival visit scheduled for it (visit campaigns)
  done_on      TEXT,
  recorded_by  TEXT REFERENCES staff(id),
  recorded_at  TEXT,
  note         TEXT,
  PRIMARY KEY (campaign_id, household_id),
  CHECK (status <> 'done' OR done_on IS NOT NULL)
) WITHOUT ROWID;
CREATE INDEX campaign_item_household ON campaign_item(household_id, status);
CREATE INDEX campaign_item_visit ON campaign_item(visit_id) WHERE visit_id IS NOT NULL;
