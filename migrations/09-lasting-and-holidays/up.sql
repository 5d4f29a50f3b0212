-- Schema 9: help that lasts, and the school calendar.
-- * An action may last over a period rather than be delivered on dates: a hospital stay "from
--   2022-03-01 until 2022-04-30", free housing "from 2022-06-01 until the case closes".
--   lasting = 1 marks it; ends_on is its last day, or NULL while it runs until closed. A
--   lasting action has no recurrence (its one delivery is its start), and only a lasting
--   action has an end day.
-- * The school holidays (寒假, 暑假) of each year, as the county's education bureau set them.
--   Years without a row use the defaults the app computes (Jiangsu's usual calendar); a row
--   here is an office's correction. Schedules "during school holidays" read these.
-- Only a column pair and a table are added; every existing action is not lasting.
ALTER TABLE action ADD COLUMN lasting INTEGER NOT NULL DEFAULT 0
  CHECK (lasting = 0 OR (lasting = 1 AND recurrence IS NULL));
ALTER TABLE action ADD COLUMN ends_on TEXT
  CHECK (ends_on IS NULL OR (lasting = 1 AND ends_on >= start_on));
CREATE TABLE school_holiday (
  year       INTEGER NOT NULL CHECK (year BETWEEN 1901 AND 2199),
  kind       TEXT NOT NULL CHECK (kind = 'winter' OR kind = 'summer'),
  starts_on  TEXT NOT NULL,
  ends_on    TEXT NOT NULL CHECK (ends_on >= starts_on),
  updated_by TEXT NOT NULL REFERENCES staff(id),
  updated_at TEXT NOT NULL,
  PRIMARY KEY (year, kind)
) WITHOUT ROWID;
