//! Every error code Yihu reports, declared once. The core, the desktop shell and the window
//! (for the few errors it finds itself, marked "(window)") all say what went wrong with one
//! of these codes; the TypeScript union `ErrorCode` is generated from this list, and the
//! window's catalogue must have a Chinese and an English sentence for each (the type checker
//! refuses a missing one). A new code is a new line here, nowhere else.

use serde::{Deserialize, Serialize};

/// Declares the codes: the enum, its wire strings and the list of all of them.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal,)*) => {
        /// A stable, machine-readable error code (the `code` of every [`crate::ApiError`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
        pub enum ErrorCode {
            $($(#[$doc])* #[serde(rename = $code)] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the order declared.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it travels (`validation.required`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }
        }
    };
}

error_codes! {
    // Request decoding.
    /// The request is not a JSON object of the command's shape.
    RequestMalformed = "request.malformed",
    /// A required field is missing.
    RequestFieldMissing = "request.field.missing",
    /// A field the command does not know.
    RequestFieldUnknown = "request.field.unknown",
    /// A field of the wrong type.
    RequestFieldType = "request.field.type",
    /// A value that is not one of the allowed values.
    RequestFieldInvalidValue = "request.field.invalid_value",
    /// A number out of the type's range.
    RequestFieldRange = "request.field.range",
    /// `--today` / `YIHU_TODAY` on a database that is not a demo (the date is real there).
    RequestTodayDemoOnly = "request.today_demo_only",
    /// No command of this name.
    CommandUnknown = "command.unknown",
    /// A bug: the core could not finish (serialisation, an impossible state).
    Internal = "internal",
    // Who may act.
    /// The command needs a signed-in person.
    AuthActorRequired = "auth.actor.required",
    /// The acting person is not on the staff list.
    AuthActorUnknown = "auth.actor.unknown",
    /// The acting person is deactivated.
    AuthActorInactive = "auth.actor.inactive",
    /// The role does not allow the command.
    AuthForbidden = "auth.forbidden",
    /// The household or division is outside the person's area.
    AuthOutOfScope = "auth.out_of_scope",
    /// Nobody is signed in.
    AuthSignedOut = "auth.signed_out",
    /// The session is locked (idle).
    AuthLocked = "auth.locked",
    /// The person has no passphrase yet.
    AuthNoPassphrase = "auth.no_passphrase",
    /// The database is not encrypted, so there is no sign-in.
    AuthNotEncrypted = "auth.not_encrypted",
    /// A passphrase must be given.
    AuthPassphraseRequired = "auth.passphrase_required",
    /// The passphrase is shorter than the minimum.
    AuthPassphraseTooShort = "auth.passphrase_too_short",
    /// The passphrase is blank, or holds characters that show as nothing.
    AuthPassphraseInvisible = "auth.passphrase_invisible",
    /// The passphrase is a common password or a single word or name.
    AuthPassphraseCommon = "auth.passphrase_common",
    /// The passphrase is a pattern: repeats, a sequence, a keyboard row, a date or a year.
    AuthPassphrasePattern = "auth.passphrase_pattern",
    /// The passphrase is too easy to guess for another reason.
    AuthPassphraseWeak = "auth.passphrase_weak",
    /// Too many wrong passphrases for this person: wait before trying again.
    AuthThrottled = "auth.throttled",
    /// The new passphrase equals the old one.
    AuthPassphraseUnchanged = "auth.passphrase_unchanged",
    /// A temporary passphrase must be changed first.
    AuthMustChangePassphrase = "auth.must_change_passphrase",
    /// The passphrase does not unlock the database.
    AuthWrongPassphrase = "auth.wrong_passphrase",
    /// The recovery code does not unlock the database.
    AuthWrongRecoveryCode = "auth.wrong_recovery_code",
    /// The recovery code resets an administrator's passphrase; it never acts as anyone.
    AuthRecoveryCodeCannotAct = "auth.recovery_code_cannot_act",
    /// (window) the two passphrases typed differ.
    AuthPassphraseMismatch = "auth.passphrase_mismatch",
    // The database file, its keys and backups.
    /// (shell) the database is not open.
    AppDbUnavailable = "app.db_unavailable",
    /// (window) the desktop shell could not be reached.
    AppIpc = "app.ipc",
    /// (window) the database could not be opened, no detail given.
    DbOpenFailed = "db.open_failed",
    /// The database must be upgraded (opened once by this build) before it is checked.
    DbUpgradeFirst = "db.upgrade_first",
    /// Another program is writing; try again.
    DbBusy = "db.busy",
    /// A database rule refused the change.
    DbConstraint = "db.constraint",
    /// The database file is read-only.
    DbReadOnly = "db.read_only",
    /// The disk is full.
    DbDiskFull = "db.disk_full",
    /// The file is damaged or not a Yihu database.
    DbDamaged = "db.damaged",
    /// Any other SQLite error.
    DbError = "db.error",
    /// The database file cannot be opened.
    DbOpen = "db.open",
    /// The schema could not be brought up to date.
    DbMigrate = "db.migrate",
    /// The file was written by a newer Yihu.
    DbTooNew = "db.too_new",
    /// Encrypting the database failed.
    DbEncrypt = "db.encrypt",
    /// The key does not open the database.
    DbWrongKey = "db.wrong_key",
    /// The database is encrypted but its keyring file is missing.
    DbKeyringMissing = "db.keyring_missing",
    /// The keyring file cannot be read.
    KeyringDamaged = "keyring.damaged",
    /// A keyring already exists.
    KeyringExists = "keyring.exists",
    /// The keyring file cannot be written.
    KeyringIo = "keyring.io",
    /// A backup file or folder cannot be read or written.
    BackupIo = "backup.io",
    /// The backup is damaged.
    BackupDamaged = "backup.damaged",
    /// The backup belongs to another database.
    BackupForeign = "backup.foreign",
    /// The file is not a Yihu backup.
    BackupNotADatabase = "backup.not_a_database",
    /// The backup was made under a database key since replaced (someone was deactivated):
    /// it opens with the keyring kept for it and a passphrase that was valid then.
    BackupOldKey = "backup.old_key",
    /// No backup of this name.
    BackupNotFound = "backup.not_found",
    /// The backup was written by a newer Yihu.
    BackupTooNew = "backup.too_new",
    /// Restoring needs the explicit confirmation.
    RestoreConfirm = "restore.confirm",
    /// The audit trail's hash chain does not verify.
    AuditChainBroken = "audit.chain.broken",
    /// The audit trail is shorter than, or differs from, the head recorded outside the file.
    AuditChainTruncated = "audit.chain.truncated",
    /// The audit trail did not keep the row just written (something in the file interferes).
    AuditSilenced = "audit.silenced",
    /// (CLI) the integrity check found problems.
    CheckFailed = "check.failed",
    /// (CLI) a command of a batch failed.
    BatchFailed = "batch.failed",
    /// Demo data goes only into an empty database.
    DemoNotEmpty = "demo.not_empty",
    /// The ledger file cannot be written.
    ExportWriteFailed = "export.write_failed",
    // Field rules.
    /// A value is required.
    ValidationRequired = "validation.required",
    /// Text over its length limit.
    ValidationTooLong = "validation.too_long",
    /// A list over its length limit.
    ValidationTooMany = "validation.too_many",
    /// A number or count out of its range.
    ValidationOutOfRange = "validation.out_of_range",
    /// The same entry twice.
    ValidationDuplicate = "validation.duplicate",
    /// A value not allowed here.
    ValidationNotAllowed = "validation.not_allowed",
    /// A field that does not apply to this kind.
    ValidationNotApplicable = "validation.not_applicable",
    /// Text with control characters.
    ValidationTextControlChars = "validation.text.control_chars",
    /// Not a mainland phone number.
    ValidationPhoneFormat = "validation.phone.format",
    /// A negative amount.
    ValidationMoneyNegative = "validation.money.negative",
    /// An amount over the limit.
    ValidationMoneyTooLarge = "validation.money.too_large",
    /// (window) an amount that is not a number of yuan.
    ValidationMoneyFormat = "validation.money.format",
    /// Not a date.
    ValidationDateInvalid = "validation.date.invalid",
    /// A date after today.
    ValidationDateFuture = "validation.date.future",
    /// A date too far in the past for what it dates.
    ValidationDatePast = "validation.date.past",
    /// An end before its start.
    ValidationDateOrder = "validation.date.order",
    /// A date outside 1900-2200.
    ValidationDateOutOfRange = "validation.date.out_of_range",
    /// A date before the record it belongs to.
    ValidationDateTooEarly = "validation.date.too_early",
    /// Not 17 digits and a digit or X.
    ValidationIdNumberFormat = "validation.id_number.format",
    /// The birth date inside the ID number is not a date.
    ValidationIdNumberBirthDate = "validation.id_number.birth_date",
    /// The ID number's check character is wrong.
    ValidationIdNumberChecksum = "validation.id_number.checksum",
    /// The birth date differs from the ID number's.
    ValidationIdNumberBirthMismatch = "validation.id_number.birth_mismatch",
    /// The sex differs from the ID number's.
    ValidationIdNumberSexMismatch = "validation.id_number.sex_mismatch",
    /// The division is not at an allowed level.
    ValidationDivisionLevel = "validation.division.level",
    /// Not a division code.
    ValidationDivisionCodeFormat = "validation.division_code.format",
    /// The code does not extend its parent's.
    ValidationDivisionCodeParent = "validation.division_code.parent",
    /// The member belongs to another household.
    ValidationMemberOtherHousehold = "validation.member.other_household",
    /// The need belongs to another household.
    ValidationNeedOtherHousehold = "validation.need.other_household",
    /// A withdrawn need cannot be answered.
    ValidationNeedWithdrawn = "validation.need.withdrawn",
    /// The occurrence belongs to another household.
    ValidationOccurrenceOtherHousehold = "validation.occurrence.other_household",
    /// The visit belongs to another household.
    ValidationVisitOtherHousehold = "validation.visit.other_household",
    /// A recurrence number out of range.
    ValidationRecurrenceOutOfRange = "validation.recurrence.out_of_range",
    /// A recurrence part that does not apply to its frequency.
    ValidationRecurrenceNotAllowed = "validation.recurrence.not_allowed",
    /// The same weekday twice.
    ValidationRecurrenceDuplicate = "validation.recurrence.duplicate",
    /// The end is before the start.
    ValidationRecurrenceBeforeStart = "validation.recurrence.before_start",
    /// Both an end date and a count.
    ValidationRecurrenceConflict = "validation.recurrence.conflict",
    /// A rule Yihu does not store.
    ValidationRecurrenceUnsupported = "validation.recurrence.unsupported",
    /// A rule that never occurs.
    ValidationRecurrenceInvalid = "validation.recurrence.invalid",
    // Not found.
    /// No action with this id.
    NotFoundAction = "not_found.action",
    /// No campaign with this id.
    NotFoundCampaign = "not_found.campaign",
    /// No campaign line with this id.
    NotFoundCampaignItem = "not_found.campaign_item",
    /// No division with this code.
    NotFoundDivision = "not_found.division",
    /// No household with this id.
    NotFoundHousehold = "not_found.household",
    /// No member with this id.
    NotFoundMember = "not_found.member",
    /// No need with this id.
    NotFoundNeed = "not_found.need",
    /// No occurrence with this id.
    NotFoundOccurrence = "not_found.occurrence",
    /// No partner with this id.
    NotFoundPartner = "not_found.partner",
    /// No plan version with this id.
    NotFoundPlan = "not_found.plan",
    /// No service with this id.
    NotFoundService = "not_found.service",
    /// No staff member with this id.
    NotFoundStaff = "not_found.staff",
    /// No visit with this id.
    NotFoundVisit = "not_found.visit",
    // Case rules and life cycles.
    /// The household's state does not allow this change.
    HouseholdTransitionInvalid = "household.transition.invalid",
    /// A closed household cannot be changed.
    HouseholdClosed = "household.closed",
    /// Consent must be recorded before enrolment.
    HouseholdConsentRequired = "household.consent.required",
    /// A caseworker must be assigned before enrolment.
    HouseholdCaseworkerRequired = "household.caseworker.required",
    /// The caseworker works in another area.
    HouseholdCaseworkerOutOfArea = "household.caseworker_out_of_area",
    /// The household already has a head.
    MemberHeadExists = "member.head.exists",
    /// The ID number is already another member's.
    MemberIdNumberDuplicate = "member.id_number.duplicate",
    /// The member was removed.
    MemberRemoved = "member.removed",
    /// The need's state does not allow this change.
    NeedTransitionInvalid = "need.transition.invalid",
    /// The plan's state does not allow this change.
    PlanTransitionInvalid = "plan.transition.invalid",
    /// The household already has a draft.
    PlanWorkingCopyExists = "plan.working_copy.exists",
    /// A plan needs an action to be submitted.
    PlanActionsRequired = "plan.actions.required",
    /// Plans of two households cannot be compared.
    PlanDiffOtherHousehold = "plan.diff.other_household",
    /// Only a draft can be changed.
    PlanNotEditable = "plan.not_editable",
    /// A reviewer may not approve a plan they drafted, submitted or whose household they carry.
    PlanReviewOwn = "plan.review.own",
    /// The action's state does not allow this change.
    ActionTransitionInvalid = "action.transition.invalid",
    /// Only an action of the plan in force changes state.
    ActionNotInForce = "action.not_in_force",
    /// The occurrence's state does not allow this change.
    OccurrenceTransitionInvalid = "occurrence.transition.invalid",
    /// The visit's state does not allow this change.
    VisitTransitionInvalid = "visit.transition.invalid",
    /// A visit is completed with its log.
    VisitCompleteWithLog = "visit.complete_with_log",
    /// The campaign's cohort has no household.
    CampaignCohortEmpty = "campaign.cohort.empty",
    /// The campaign's cohort is too large.
    CampaignCohortTooLarge = "campaign.cohort.too_large",
    /// The campaign line's state does not allow this change.
    CampaignItemTransitionInvalid = "campaign_item.transition.invalid",
    /// The division code is taken.
    DivisionCodeDuplicate = "division.code.duplicate",
    /// No free village code under this township.
    DivisionCodeExhausted = "division.code.exhausted",
    /// The division name is taken under its parent.
    DivisionNameDuplicate = "division.name.duplicate",
    /// The first person must be an administrator.
    StaffFirstMustBeAdmin = "staff.first_must_be_admin",
    /// The person is deactivated.
    StaffInactive = "staff.inactive",
    /// The last active administrator cannot go.
    StaffLastAdmin = "staff.last_admin",
}

impl ErrorCode {
    /// The code of this string, if it is one.
    pub fn parse(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    /// The entity a `not_found.<entity>` code names.
    pub fn entity(self) -> Option<&'static str> {
        self.as_str().strip_prefix("not_found.")
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_lowercase_dotted_and_round_trip() {
        let mut seen = HashSet::new();
        for c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                s.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch == '.' || ch == '_'),
                "{s}"
            );
            assert_eq!(ErrorCode::parse(s), Some(*c));
            let json = serde_json::to_string(c).expect("serialise");
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).ok(), Some(*c));
        }
        assert!(ErrorCode::ALL.len() > 100);
        assert_eq!(ErrorCode::parse("no.such.code"), None);
        assert_eq!(ErrorCode::NotFoundMember.entity(), Some("member"));
    }
}
