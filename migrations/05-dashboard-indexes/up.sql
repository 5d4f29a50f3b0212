-- Schema 5: indexes for the supervisor's dashboard, the ledgers and the household list's drill-down
-- filters. They read a whole area's needs, deliveries and actions household by household; these
-- indexes carry every column those reads use, so no row of the big tables is fetched.

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
