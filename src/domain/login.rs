//! Login decisions of the basic authenticator, in WSO2's order: the forced-reset check (handler priority 27) runs
//! before the account lock (priority 100), then the password. Then what the account lock records
//! ([`lock_step`]), and the error context WSO2's handlers leave for the authenticator's redirect
//! ([`error_context`]). Pure: the caller gathers the facts.
//!
//! The account lock follows identity-event-handler-account-lock's `handlePostAuthentication` (v1.4.11 to v1.9.19):
//! a failure counts while lock-on-failure is on; the failure that reaches the maximum locks the account for
//! `Time × ratio^lockouts` minutes (`lockouts` = locks since the last good login, so 5, 10, 20… minutes with the
//! defaults); a good login after the lock ends clears the counts. Better than WSO2 5.x: a locked account is
//! refused whether lock-on-failure is on or not (5.x ignores `accountLocked` unless it is on; 6.0 fixed that).

use super::Millis;
use super::claims;
use super::governance::AccountLockSettings;
use super::profile::login::{LockedReasons, LoginProfile};
use super::reset::{CodeVerdict, SCENARIO_EMAIL_LINK};

/// WSO2's authentication error codes (IdentityCoreConstants / UserCoreConstants).
pub const USER_DOES_NOT_EXIST: &str = "17001";
pub const INVALID_CREDENTIAL: &str = "17002";
pub const USER_IS_LOCKED: &str = "17003";
pub const PASSWORD_RESET_VIA_EMAIL_LINK: &str = "17006";
pub const PASSWORD_RESET_VIA_OTP: &str = "17007";
pub const PASSWORD_RESET_OTP_MISMATCH: &str = "17008";

/// The `lockedReason` claim values (identity-governance `IdentityMgtConstants.LockedReason`).
pub const LOCKED_REASON_MAX_ATTEMPTS: &str = "MAX_ATTEMPTS_EXCEEDED";
pub const LOCKED_REASON_ADMIN: &str = "ADMIN_INITIATED";
/// The `lockedReason` redirect parameter values (account-lock `AccountConstants`).
pub const REASON_PARAM_ADMIN: &str = "AdminInitiated";
pub const REASON_PARAM_MAX_ATTEMPTS: &str = "MaxAttemptsExceeded";

/// What is known about the user at the moment of a login, gathered by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts<'a> {
    /// None = no such user (a dummy hash was still verified, for equal timing).
    pub user: Option<UserFacts<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserFacts<'a> {
    pub password_ok: bool,
    /// A pending forced reset: its scenario and the verdict on the submitted password taken as its code.
    pub pending: Option<(&'a str, CodeVerdict)>,
    pub locked: bool,
    /// When a failed-login lock ends (None = until an admin unlocks).
    pub locked_until: Option<Millis>,
    pub locked_reason: &'a str,
    /// `failedLoginAttempts`: failures since the last good login or lock.
    pub failed_attempts: u32,
    /// `failedLoginLockoutCount`: locks since the last good login.
    pub lockouts: u32,
}

/// Why a login failed, in detail; the page shows the detail only with `showAuthFailureReason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    UnknownUser,
    WrongPassword,
    Locked,
    /// A pending OTP reset whose code has expired or run out of attempts.
    ResetCodeExpired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Success,
    /// 17006: a recovery link was mailed; no password works until it is used.
    ResetViaLink,
    /// 17007: the password given is the pending OTP: go to the reset page with it.
    ResetOtpAccepted,
    /// 17008: a pending OTP reset and some other password (counts against the OTP's attempts).
    ResetOtpMismatch,
    Failed(Failure),
}

impl Decision {
    /// Does this attempt count as a failed login for the failed-login lock? (A wrong OTP counts against the OTP's
    /// own attempt budget instead.)
    pub fn counts_as_failure(self) -> bool {
        matches!(self, Decision::Failed(Failure::WrongPassword))
    }
}

/// Decide a login. A lock whose time has passed no longer counts.
pub fn decide(facts: &Facts<'_>, now: Millis) -> Decision {
    let Some(user) = &facts.user else {
        return Decision::Failed(Failure::UnknownUser);
    };
    if let Some((scenario, verdict)) = user.pending {
        if scenario == SCENARIO_EMAIL_LINK {
            return Decision::ResetViaLink;
        }
        return match verdict {
            CodeVerdict::Valid => Decision::ResetOtpAccepted,
            CodeVerdict::Mismatch => Decision::ResetOtpMismatch,
            CodeVerdict::Expired | CodeVerdict::Dead => Decision::Failed(Failure::ResetCodeExpired),
        };
    }
    if lock_in_force(user, now) {
        return Decision::Failed(Failure::Locked);
    }
    if user.password_ok {
        Decision::Success
    } else {
        Decision::Failed(Failure::WrongPassword)
    }
}

/// Is the account's lock still in force at `now`?
pub fn lock_in_force(user: &UserFacts<'_>, now: Millis) -> bool {
    user.locked && user.locked_until.is_none_or(|until| now < until)
}

/// What a decided login changes in the account-lock claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockStep {
    /// Nothing.
    Keep,
    /// A failure counted: the new `failedLoginAttempts`.
    Count(u32),
    /// This failure reached the maximum: the account is locked until `until` (None = until an admin unlocks);
    /// `failed` is the count that reached it, `lockouts` the new `failedLoginLockoutCount`.
    Lock {
        failed: u32,
        until: Option<Millis>,
        lockouts: u32,
    },
    /// A good login after a lock ended or after failures: the counts and the ended lock are cleared.
    Clear,
}

/// The account lock's step for a decided login (account-lock handler `handlePostAuthentication`).
pub fn lock_step(decision: Decision, user: &UserFacts<'_>, policy: &AccountLockSettings, now: Millis) -> LockStep {
    match decision {
        Decision::Failed(Failure::WrongPassword) if policy.enabled => {
            let failed = user.failed_attempts.saturating_add(1);
            if failed < policy.max_failed_attempts {
                return LockStep::Count(failed);
            }
            LockStep::Lock {
                failed,
                until: lock_duration(policy, user.lockouts).map(|d| now.saturating_add(d)),
                lockouts: user.lockouts.saturating_add(1),
            }
        }
        Decision::Success => {
            let lock_ended = user.locked && user.locked_until.is_some_and(|until| now >= until);
            // A good login with nothing on record changes nothing; after a lock an admin lifted early, the lockout
            // count stays (the handler's `isUserUnlockable`), so the next lock is longer still.
            if lock_ended || user.failed_attempts > 0 {
                LockStep::Clear
            } else {
                LockStep::Keep
            }
        }
        _ => LockStep::Keep,
    }
}

/// The length of a lock after `lockouts` earlier ones, in milliseconds: `Time × ratio^lockouts` minutes (the
/// handler computes it in floating point and truncates). None when `Time` is 0 or less: until an admin unlocks.
pub fn lock_duration(policy: &AccountLockSettings, lockouts: u32) -> Option<Millis> {
    if policy.unlock_after_minutes <= 0 {
        return None;
    }
    let exponent = i32::try_from(lockouts).unwrap_or(i32::MAX);
    let millis = policy.unlock_after_minutes as f64 * 60_000.0 * f64::from(policy.increment_ratio).powi(exponent);
    // `as` saturates at the bounds (and maps NaN to 0), as Java's (long) cast does.
    Some((millis as Millis).max(1))
}

/// The error a handler leaves for the basic authenticator (WSO2's `IdentityErrorMsgContext`): the code, an
/// optional reason (`17003:AdminInitiated`), and the failed and maximum login attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorContext {
    pub code: &'static str,
    pub reason: Option<&'static str>,
    pub failed: u32,
    pub max: u32,
}

impl ErrorContext {
    fn code(code: &'static str) -> ErrorContext {
        ErrorContext {
            code,
            reason: None,
            failed: 0,
            max: 0,
        }
    }

    /// `maximumLoginAttempts - failedLoginAttempts`, as the authenticator computes `remainingAttempts`.
    pub fn remaining_attempts(&self) -> i64 {
        i64::from(self.max) - i64::from(self.failed)
    }
}

/// The error context of a decided login, None when no handler leaves one (the redirect is then the generic
/// one, whatever `showAuthFailureReason` says). `check_account_exist` is `AuthenticationPolicy.CheckAccountExist`.
pub fn error_context(
    decision: Decision,
    step: LockStep,
    user: Option<&UserFacts<'_>>,
    policy: &AccountLockSettings,
    profile: &LoginProfile,
    check_account_exist: bool,
) -> Option<ErrorContext> {
    let reasons = profile.locked_reasons;
    Some(match decision {
        Decision::Success => return None,
        Decision::ResetViaLink => ErrorContext::code(PASSWORD_RESET_VIA_EMAIL_LINK),
        Decision::ResetOtpAccepted => ErrorContext::code(PASSWORD_RESET_VIA_OTP),
        Decision::ResetOtpMismatch => ErrorContext::code(PASSWORD_RESET_OTP_MISMATCH),
        Decision::Failed(Failure::UnknownUser) if profile.reports_unknown_user && check_account_exist => {
            ErrorContext::code(USER_DOES_NOT_EXIST)
        }
        Decision::Failed(Failure::UnknownUser) => return None,
        // forcereset's own refusal (WSO2 codes never expire at login): reported as a wrong password.
        Decision::Failed(Failure::ResetCodeExpired) => ErrorContext::code(INVALID_CREDENTIAL),
        Decision::Failed(Failure::WrongPassword) => match step {
            LockStep::Count(failed) => ErrorContext {
                code: INVALID_CREDENTIAL,
                reason: None,
                failed,
                max: policy.max_failed_attempts,
            },
            LockStep::Lock { failed, .. } => ErrorContext {
                code: USER_IS_LOCKED,
                reason: (reasons == LockedReasons::AdminInitiatedAndMaxAttempts).then_some(REASON_PARAM_MAX_ATTEMPTS),
                failed,
                max: policy.max_failed_attempts,
            },
            // Lock-on-failure is off: no handler says anything.
            LockStep::Keep | LockStep::Clear => return None,
        },
        Decision::Failed(Failure::Locked) => {
            let claim = user.map_or("", |u| u.locked_reason);
            let reason = match (reasons, claim) {
                (LockedReasons::AdminInitiated | LockedReasons::AdminInitiatedAndMaxAttempts, LOCKED_REASON_ADMIN) => {
                    Some(REASON_PARAM_ADMIN)
                }
                (LockedReasons::AdminInitiatedAndMaxAttempts, LOCKED_REASON_MAX_ATTEMPTS) => {
                    Some(REASON_PARAM_MAX_ATTEMPTS)
                }
                _ => None,
            };
            ErrorContext {
                reason,
                ..ErrorContext::code(USER_IS_LOCKED)
            }
        }
    })
}

/// What an admin's claim write that flips `accountLocked` also records, from IS 6.0 (ACCLOCK v1.6.1
/// `handlePreSetUserClaimValues` and `handlePostSetUserClaimValues`, on every later tag): locking, an account with
/// no `lockedReason` after the write gets `ADMIN_INITIATED`; unlocking empties `lockedReason`; either resets a
/// stored `unlockTime` to `0`. `was_locked`/`now_locked` are `accountLocked` before and after the write,
/// `reason_after` the stored reason after it. Empty values remove the claim. Nothing before 6.0, and nothing when
/// the write leaves the lock as it was.
pub fn admin_lock_claims(
    was_locked: bool,
    now_locked: bool,
    reason_after: Option<&str>,
    has_unlock_time: bool,
) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    match (was_locked, now_locked) {
        (false, true) => {
            if reason_after.is_none_or(|r| r.trim().is_empty()) {
                out.push((claims::LOCKED_REASON, LOCKED_REASON_ADMIN));
                if has_unlock_time {
                    out.push((claims::UNLOCK_TIME, "0"));
                }
            }
        }
        (true, false) => {
            out.push((claims::LOCKED_REASON, ""));
            if has_unlock_time {
                out.push((claims::UNLOCK_TIME, "0"));
            }
        }
        (false, false) | (true, true) => {}
    }
    out
}

#[cfg(test)]
mod tests;
