//! Password expiry: the settings in force (the release's connector on the resident IdP), when a password counts as
//! expired ([`is_expired`], [`expires_at`]: clock-free, `now` comes in), and the checks of the change page
//! ([`check_change`], in PWP `PasswordResetEnforcer.processAuthenticationResponse`'s order, with its texts). Which
//! component enforces expiry, and its rule, per release: `profile::expiry`.

use super::Millis;
use super::governance::Resident;
use super::profile::expiry::{
    Boundary, ENABLE_EXPIRY, EXPIRY_IN_DAYS, Enforcer, ExpiryProfile, Missing, SKIP_IF_NO_APPLICABLE_RULES,
};

/// The claim both components read first, and the fallback they read when it is blank and the dialect has it
/// (PWP and GOV `PasswordPolicyConstants.LAST_CREDENTIAL_UPDATE_TIMESTAMP_CLAIM[_NON_IDENTITY]`).
pub use super::claims::LAST_PASSWORD_UPDATE_TIME;
pub const LAST_PASSWORD_CHANGED_FALLBACK: &str = "http://wso2.org/claims/lastPasswordChangedTimestamp";
/// The computed expiry instant (epoch ms) 7.1+ adds to a read user (GOV `PASSWORD_EXPIRY_TIME_CLAIM`).
pub const PASSWORD_EXPIRY_TIME: &str = "http://wso2.org/claims/identity/passwordExpiryTime";

/// `passwordExpiryInDays` when nothing sets it (both components' `..._DEFAULT_VALUE`).
pub const DEFAULT_EXPIRY_DAYS: i64 = 30;
const DAY_MS: Millis = 1000 * 60 * 60 * 24;

/// PWP's texts (`PasswordResetEnforcer`), shown on the change page after a refused change.
pub const ALL_FIELDS_REQUIRED: &str = "All fields are required";
pub const SAME_AS_CURRENT: &str = "You cannot use your previous password as your new password";
pub const CONFIRMATION_MISMATCH: &str = "The new password and confirmation password do not match";
pub const WRONG_CURRENT: &str = "Invalid credentials. Cannot proceed with the password change.";
/// `validatePassword` without a `PasswordJavaRegExViolationErrorMsg`: this text and the regex.
pub const POLICY_VIOLATION: &str =
    "New password doesn't meet the policy requirement. It must be in the following format, ";
/// pwd-reset.jsp's default error text.
pub const RETRY_TEXT: &str = "Authentication Failed! Please Retry";
/// GOV `PASSWORD_EXPIRED_ERROR_MESSAGE` (the 7.x redirect's `passwordExpiredMsg`, the password grant's error).
pub const PASSWORD_EXPIRED: &str = "Password has expired";

/// The expiry settings in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpirySettings {
    pub enabled: bool,
    pub days: i64,
    /// 7.1+: when no rule applies to the user (`rules::settings_for`), no password expires.
    pub skip_if_no_applicable_rules: bool,
}

impl ExpirySettings {
    /// Read from the resident IdP for the release. `installed` is whether deployment.toml configures the
    /// `passwordExpiry` event handler, which is what turns PWP's enforcer on; 7.x reads its enable property.
    /// `self` gives what a value that does not parse falls back to.
    pub fn read(self, resident: &Resident, profile: &ExpiryProfile, installed: bool) -> ExpirySettings {
        let lists = |name: &str| profile.connector.property(name).is_some();
        ExpirySettings {
            enabled: match profile.enforcer {
                Enforcer::Authenticator => installed,
                Enforcer::PostAuthenticationHandler => resident.flag(ENABLE_EXPIRY),
            },
            days: resident.int(EXPIRY_IN_DAYS).unwrap_or(self.days),
            skip_if_no_applicable_rules: lists(SKIP_IF_NO_APPLICABLE_RULES)
                && resident.flag(SKIP_IF_NO_APPLICABLE_RULES),
        }
    }
}

/// The recorded update time of a password: the claim's value, else the fallback's. A value that is not a number
/// counts as none (WSO2's `Long.parseLong` would fail the login instead).
pub fn last_update(primary: Option<&str>, fallback: Option<&str>) -> Option<Millis> {
    fn given(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|v| !v.is_empty())
    }
    given(primary).or(given(fallback)).and_then(|v| v.parse().ok())
}

/// Has the password expired at `now`? `last` is [`last_update`].
pub fn is_expired(profile: &ExpiryProfile, settings: &ExpirySettings, last: Option<Millis>, now: Millis) -> bool {
    if !settings.enabled || settings.skip_if_no_applicable_rules {
        return false;
    }
    let changed = match (last, profile.missing) {
        (Some(changed), _) => changed,
        (None, Missing::Expired) => return true,
        (None, Missing::Epoch) => 0,
    };
    let age = now.saturating_sub(changed);
    match profile.boundary {
        // `(double) age / DAY > days`, without floating point: age > days × DAY.
        Boundary::MoreThanFractionalDays => i128::from(age) > i128::from(settings.days) * i128::from(DAY_MS),
        // `(int) (age / DAY)`: Java's long division truncates toward zero, as Rust's does.
        Boundary::MoreThanWholeDays => age / DAY_MS > settings.days,
        Boundary::AtLeastWholeDays => age / DAY_MS >= settings.days,
    }
}

/// When a password's expiry stands, for `user show` and the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Expiry is off.
    Off,
    /// Expiry is on, but not for this user (7.1+).
    Exempt(Exemption),
    /// No update time is recorded: the release says whether that is expired now.
    NoRecord { expired: bool },
    /// The first instant at which the password counts as expired.
    At(Millis),
}

/// Why expiry, though on, does not apply to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exemption {
    /// The first rule the user matches is an `ne` rule.
    Rule,
    /// No rule matches and `skipIfNoApplicableRules` is on.
    NoApplicableRule,
}

/// When the password last updated at `last` expires (`now` decides only whether a missing record is expired).
pub fn expires_at(profile: &ExpiryProfile, settings: &ExpirySettings, last: Option<Millis>, now: Millis) -> Expiry {
    if !settings.enabled {
        return Expiry::Off;
    }
    if settings.skip_if_no_applicable_rules {
        return Expiry::Exempt(Exemption::NoApplicableRule);
    }
    let Some(changed) = last else {
        return Expiry::NoRecord {
            expired: is_expired(profile, settings, None, now),
        };
    };
    let span = |days: i64| days.saturating_mul(DAY_MS);
    Expiry::At(match profile.boundary {
        Boundary::MoreThanFractionalDays => changed.saturating_add(span(settings.days)).saturating_add(1),
        Boundary::MoreThanWholeDays => changed.saturating_add(span(settings.days.saturating_add(1))),
        Boundary::AtLeastWholeDays => changed.saturating_add(span(settings.days)),
    })
}

/// Why the change page refused a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRefusal {
    AllFieldsRequired,
    SameAsCurrent,
    ConfirmationMismatch,
    /// The password policy's regex.
    Policy(String),
    WrongCurrent,
}

impl ChangeRefusal {
    /// PWP's text for it.
    pub fn text(&self) -> String {
        match self {
            ChangeRefusal::AllFieldsRequired => ALL_FIELDS_REQUIRED.to_string(),
            ChangeRefusal::SameAsCurrent => SAME_AS_CURRENT.to_string(),
            ChangeRefusal::ConfirmationMismatch => CONFIRMATION_MISMATCH.to_string(),
            ChangeRefusal::Policy(regex) => format!("{POLICY_VIOLATION}{regex}"),
            ChangeRefusal::WrongCurrent => WRONG_CURRENT.to_string(),
        }
    }
}

/// The checks PWP makes before it asks the store, in its order: every field sent (`== null`: an empty one is
/// sent, and the policy refuses it later), new differs from current, confirmation equal. `asks_current` is false
/// on the 7.x page, which has no current-password field: the caller then compares the new password with the
/// stored hash instead.
pub fn check_change(
    asks_current: bool,
    current: Option<&str>,
    new: Option<&str>,
    confirm: Option<&str>,
) -> Result<(), ChangeRefusal> {
    let (Some(new), Some(confirm)) = (new, confirm) else {
        return Err(ChangeRefusal::AllFieldsRequired);
    };
    if asks_current && current.is_none() {
        return Err(ChangeRefusal::AllFieldsRequired);
    }
    if asks_current && current == Some(new) {
        return Err(ChangeRefusal::SameAsCurrent);
    }
    if new != confirm {
        return Err(ChangeRefusal::ConfirmationMismatch);
    }
    Ok(())
}

pub mod rules;

#[cfg(test)]
mod tests;
