-- Yihu schema, version 1. Never edit this file once landed: add a new numbered migration.
-- Conventions: ids are UUIDv7 as text; dates are ISO 'YYYY-MM-DD'; timestamps are UTC RFC 3339;
-- money is integer fen (1 yuan = 100 fen). Enumerations are stored as their snake_case names.

-- Key/value facts about this file (reference-data versions).
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- Tunable rules (visit cadence per priority, occurrence horizon), as text values.
CREATE TABLE setting (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO setting(key, value) VALUES
  ('cadence_days.high', '7'),
  ('cadence_days.medium', '30'),
  ('cadence_days.low', '90'),
  ('occurrence_horizon_days', '90');

-- Administrative divisions: province (2-digit code) > city (4) > county (6, GB/T 2260)
-- > township (9) > community/village (12, statistical code). Shipped down to township;
-- villages are added by users (user_added = 1).
CREATE TABLE division (
  code        TEXT PRIMARY KEY,
  parent_code TEXT REFERENCES division(code),
  level       TEXT NOT NULL CHECK (level IN ('province','city','county','township','village')),
  name        TEXT NOT NULL,
  user_added  INTEGER NOT NULL DEFAULT 0 CHECK (user_added IN (0,1))
) WITHOUT ROWID;
CREATE INDEX division_parent ON division(parent_code, code);
CREATE INDEX division_name ON division(name);

-- Staff who act in the system; every write records which one acted.
CREATE TABLE staff (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('caseworker','supervisor','admin')),
  division_code TEXT NOT NULL REFERENCES division(code),
  phone         TEXT,
  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX staff_division ON staff(division_code);

-- Partner organisations that deliver help (hospital, enterprise, school, volunteer team, ...).
CREATE TABLE partner (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('hospital','enterprise','school','volunteer_team','government','other')),
  contact_name  TEXT,
  phone         TEXT,
  address       TEXT,
  division_code TEXT REFERENCES division(code),
  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

-- The local service menu (菜单式服务) that plan actions are drawn from.
CREATE TABLE service (
  id                 TEXT PRIMARY KEY,
  name               TEXT NOT NULL,
  category           TEXT NOT NULL,
  default_partner_id TEXT REFERENCES partner(id),
  unit               TEXT,
  active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL
);

-- Case-number counters: one sequence per county and year ('321324-2026-0007').
CREATE TABLE case_counter (
  county_code TEXT NOT NULL,
  year        INTEGER NOT NULL,
  last_seq    INTEGER NOT NULL,
  PRIMARY KEY (county_code, year)
) WITHOUT ROWID;

-- A household in the programme. causes is a bit set (see ARCHITECTURE.md: illness=1,
-- disability=2, single_parent=4, bereavement=8, disaster=16, other=32).
-- last_visit_on is maintained by the visit commands (checked by `yihu check`).
CREATE TABLE household (
  id                  TEXT PRIMARY KEY,
  case_no             TEXT NOT NULL UNIQUE,
  division_code       TEXT NOT NULL REFERENCES division(code),
  address             TEXT NOT NULL,
  phone               TEXT,
  causes              INTEGER NOT NULL CHECK (causes > 0),
  referral_source     TEXT NOT NULL CHECK (referral_source IN ('screening','village_committee','self','other_organisation')),
  referral_note       TEXT,
  referred_on         TEXT NOT NULL,
  consent_on          TEXT,
  consent_recorded_by TEXT REFERENCES staff(id),
  consent_scope       TEXT,
  caseworker_id       TEXT REFERENCES staff(id),
  priority            TEXT NOT NULL CHECK (priority IN ('high','medium','low')),
  status              TEXT NOT NULL CHECK (status IN ('referred','assessing','active','monitoring','closed')),
  closure_reason      TEXT CHECK (closure_reason IN ('goals_met','moved_away','declined','deceased','other')),
  closure_note        TEXT,
  closed_on           TEXT,
  last_visit_on       TEXT,
  search_id           INTEGER NOT NULL UNIQUE,  -- rowid of the household's household_search document
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  CHECK ((status = 'closed') = (closure_reason IS NOT NULL))
);
-- Covers the list filters and the cadence rule, so counts in a division never read the table.
CREATE INDEX household_division ON household(division_code, status, priority, causes, caseworker_id,
  last_visit_on, referred_on, id);
CREATE INDEX household_caseworker ON household(caseworker_id, status, priority, last_visit_on, referred_on, id);
CREATE INDEX household_updated ON household(updated_at);
CREATE INDEX household_last_visit ON household(last_visit_on);

-- Existing policy supports (低保 with its monthly amount, 特困供养, ...), one row each.
CREATE TABLE household_support (
  household_id  TEXT NOT NULL REFERENCES household(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL CHECK (kind IN ('dibao','tekun','disability_allowance','medical_green_channel','holiday_gifts','other')),
  monthly_fen   INTEGER CHECK (monthly_fen IS NULL OR monthly_fen >= 0),
  note          TEXT,
  PRIMARY KEY (household_id, kind)
) WITHOUT ROWID;

-- Household members. Age is computed from birth_date, never stored.
CREATE TABLE member (
  id                TEXT PRIMARY KEY,
  household_id      TEXT NOT NULL REFERENCES household(id),
  name              TEXT NOT NULL,
  relation          TEXT NOT NULL,
  sex               TEXT NOT NULL CHECK (sex IN ('male','female')),
  birth_date        TEXT NOT NULL,
  id_number         TEXT,
  phone             TEXT,
  health_conditions TEXT,
  disability_type   TEXT,
  disability_grade  INTEGER CHECK (disability_grade IS NULL OR disability_grade BETWEEN 1 AND 4),
  schooling         TEXT,
  school_name       TEXT,
  work              TEXT,
  is_primary_carer  INTEGER NOT NULL DEFAULT 0 CHECK (is_primary_carer IN (0,1)),
  is_target         INTEGER NOT NULL DEFAULT 0 CHECK (is_target IN (0,1)),
  removed_on        TEXT,
  removed_reason    TEXT,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
);
CREATE INDEX member_household ON member(household_id);
CREATE UNIQUE INDEX member_id_number ON member(id_number) WHERE id_number IS NOT NULL AND removed_on IS NULL;

-- Visits: scheduled, then completed / not_at_home / cancelled; or logged directly as completed.
-- A closed household has no scheduled visit (closing cancels them).
-- visitors and members_seen are JSON arrays ([{staff_id?, name}], [member_id]).
CREATE TABLE visit (
  id            TEXT PRIMARY KEY,
  household_id  TEXT NOT NULL REFERENCES household(id),
  division_code TEXT NOT NULL,  -- copy of the household's, for division-wide follow-up
  status        TEXT NOT NULL CHECK (status IN ('scheduled','completed','not_at_home','cancelled')),
  kind          TEXT NOT NULL CHECK (kind IN ('home_visit','phone_call','festival_visit','accompany_hospital','accompany_school','other')),
  scheduled_on  TEXT,
  visited_on    TEXT,
  visitors      TEXT NOT NULL DEFAULT '[]',
  members_seen  TEXT NOT NULL DEFAULT '[]',
  notes         TEXT,
  next_visit_on TEXT,
  created_by    TEXT NOT NULL REFERENCES staff(id),
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  CHECK (status <> 'scheduled' OR scheduled_on IS NOT NULL),
  CHECK (status <> 'completed' OR visited_on IS NOT NULL)
);
CREATE INDEX visit_household ON visit(household_id, status, visited_on);
CREATE INDEX visit_scheduled ON visit(household_id, scheduled_on) WHERE status = 'scheduled';
CREATE INDEX visit_scheduled_division ON visit(division_code, scheduled_on, household_id) WHERE status = 'scheduled';

-- Needs found for a household (optionally one member), each with its own life cycle.
CREATE TABLE need (
  id             TEXT PRIMARY KEY,
  household_id   TEXT NOT NULL REFERENCES household(id),
  member_id      TEXT REFERENCES member(id),
  category       TEXT NOT NULL,
  description    TEXT NOT NULL,
  priority       TEXT NOT NULL CHECK (priority IN ('high','medium','low')),
  status         TEXT NOT NULL CHECK (status IN ('open','in_progress','met','unmet','withdrawn')),
  found_visit_id TEXT REFERENCES visit(id),
  found_on       TEXT NOT NULL,
  resolved_on    TEXT,
  outcome_note   TEXT,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE INDEX need_household ON need(household_id, status);

-- Plan versions per household. At most one working copy (draft/submitted/returned) and at
-- most one approved (in force) version per household; superseded versions stay readable.
CREATE TABLE plan_version (
  id               TEXT PRIMARY KEY,
  household_id     TEXT NOT NULL REFERENCES household(id),
  division_code    TEXT NOT NULL,  -- copy of the household's, for division-wide review
  version_no       INTEGER NOT NULL CHECK (version_no >= 1),
  status           TEXT NOT NULL CHECK (status IN ('draft','submitted','approved','returned','superseded')),
  goals            TEXT NOT NULL DEFAULT '',
  based_on_id      TEXT REFERENCES plan_version(id),
  created_by       TEXT NOT NULL REFERENCES staff(id),
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  submitted_by     TEXT REFERENCES staff(id),
  submitted_at     TEXT,
  decided_by       TEXT REFERENCES staff(id),
  decided_at       TEXT,
  decision_comment TEXT,
  in_force_from    TEXT,
  superseded_at    TEXT,
  UNIQUE (household_id, version_no)
);
CREATE UNIQUE INDEX plan_one_working ON plan_version(household_id) WHERE status IN ('draft','submitted','returned');
CREATE UNIQUE INDEX plan_one_in_force ON plan_version(household_id) WHERE status = 'approved';
CREATE INDEX plan_review_queue ON plan_version(status, submitted_at) WHERE status = 'submitted';
CREATE INDEX plan_returned ON plan_version(household_id) WHERE status = 'returned';
CREATE INDEX plan_returned_division ON plan_version(division_code) WHERE status = 'returned';

-- Snapshot of the needs a plan version answers, frozen when the version is submitted
-- (the plan diff compares these).
CREATE TABLE plan_need (
  plan_version_id TEXT NOT NULL REFERENCES plan_version(id),
  need_id         TEXT NOT NULL REFERENCES need(id),
  category        TEXT NOT NULL,
  priority        TEXT NOT NULL,
  description     TEXT NOT NULL,
  status          TEXT NOT NULL,
  PRIMARY KEY (plan_version_id, need_id)
) WITHOUT ROWID;

-- Assistance actions of a plan version. lineage_id is shared by the copies of one action
-- across versions (the diff matches on it). recurrence is an RRULE subset; one-off actions
-- have recurrence NULL and a single occurrence on start_on.
CREATE TABLE action (
  id                TEXT PRIMARY KEY,
  plan_version_id   TEXT NOT NULL REFERENCES plan_version(id),
  household_id      TEXT NOT NULL REFERENCES household(id),
  lineage_id        TEXT NOT NULL,
  service_id        TEXT REFERENCES service(id),
  title             TEXT NOT NULL,
  category          TEXT NOT NULL,
  partner_id        TEXT REFERENCES partner(id),
  provider_name     TEXT,
  responsible_name  TEXT,
  responsible_phone TEXT,
  amount_fen        INTEGER CHECK (amount_fen IS NULL OR amount_fen >= 0),
  recurrence        TEXT,
  start_on          TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('planned','active','completed','cancelled')),
  note              TEXT,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  UNIQUE (plan_version_id, lineage_id)
);
CREATE INDEX action_plan ON action(plan_version_id);
CREATE INDEX action_household ON action(household_id);

-- Which needs an action answers (one or more).
CREATE TABLE action_need (
  action_id TEXT NOT NULL REFERENCES action(id) ON DELETE CASCADE,
  need_id   TEXT NOT NULL REFERENCES need(id),
  PRIMARY KEY (action_id, need_id)
) WITHOUT ROWID;
CREATE INDEX action_need_need ON action_need(need_id);

-- Scheduled deliveries of actions; generation is idempotent thanks to UNIQUE(action_id, due_on).
-- A closed household has no 'due' occurrence (closing skips past ones and drops future ones).
CREATE TABLE occurrence (
  id           TEXT PRIMARY KEY,
  action_id    TEXT NOT NULL REFERENCES action(id),
  household_id TEXT NOT NULL REFERENCES household(id),
  division_code TEXT NOT NULL,  -- copy of the household's, for division-wide follow-up
  due_on       TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('due','done','missed','skipped')),
  done_on      TEXT,
  recorded_by  TEXT REFERENCES staff(id),
  recorded_at  TEXT,
  note         TEXT,
  visit_id     TEXT REFERENCES visit(id),
  UNIQUE (action_id, due_on)
);
CREATE INDEX occurrence_household ON occurrence(household_id, due_on);
CREATE INDEX occurrence_open ON occurrence(household_id, due_on) WHERE status = 'due';
CREATE INDEX occurrence_open_division ON occurrence(division_code, due_on, household_id, action_id) WHERE status = 'due';

-- The search index: one document per household (rowid = household.search_id) holding its
-- search terms separated by spaces: member names (every suffix), full pinyin and initials for
-- each reading, case number, phone numbers and the last 4 and 6 characters of ID numbers
-- (never a whole ID number). Queried with FTS5 prefix phrases ("wxy"*).
CREATE VIRTUAL TABLE household_search USING fts5(
  terms,
  tokenize = 'unicode61 remove_diacritics 0',
  prefix = '1 2'
);

-- The audit trail: one row per change, written in the same transaction as the change.
CREATE TABLE audit (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  at           TEXT NOT NULL,
  actor_id     TEXT,
  command      TEXT NOT NULL,
  entity_type  TEXT NOT NULL,
  entity_id    TEXT NOT NULL,
  household_id TEXT,
  before_json  TEXT,
  after_json   TEXT
);
CREATE INDEX audit_entity ON audit(entity_id);
CREATE INDEX audit_household ON audit(household_id) WHERE household_id IS NOT NULL;
