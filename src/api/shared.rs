//! Small pieces several api modules share: the SQL for a household's display name and a
//! member's age. A leaf (it depends on no other api module), so that entities and read models
//! can all use them without depending on one another.

use chrono::NaiveDate;

/// SQL for the display name of household `h`: its head, or else its eldest member.
pub const HEAD_NAME_SQL: &str =
    "(SELECT m.name FROM member m WHERE m.household_id = h.id AND m.removed_on IS NULL
      ORDER BY m.relation <> 'head', m.birth_date LIMIT 1)";

/// Whole years from `birth` to `today` (0 for a future birth date).
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    today.years_since(birth).unwrap_or(0)
}
