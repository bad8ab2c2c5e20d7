//! Login decisions of the basic authenticator, in WSO2's order: the forced-reset check (handler priority 27) runs
//! before the account lock (priority 100), then the password. Pure: the caller gathers the facts.

use super::Millis;
use super::reset::{CodeVerdict, SCENARIO_EMAIL_LINK};

/// WSO2's authentication error codes (IdentityCoreConstants / UserCoreConstants).
pub const USER_DOES_NOT_EXIST: &str = "17001";
pub const INVALID_CREDENTIAL: &str = "17002";
pub const USER_IS_LOCKED: &str = "17003";
pub const PASSWORD_RESET_VIA_EMAIL_LINK: &str = "17006";
pub const PASSWORD_RESET_VIA_OTP: &str = "17007";
pub const PASSWORD_RESET_OTP_MISMATCH: &str = "17008";

/// The locked reason the failed-login lock writes (WSO2's account-lock connector).
pub const LOCKED_REASON_MAX_ATTEMPTS: &str = "MAX_ATTEMPTS_EXCEEDED";

/// What is known about the user at the moment of a login, gathered by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts<'a> {
    /// None = no such user (a dummy hash was still verified, for equal timing).
    pub user: Option<UserFacts<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFacts<'a> {
    pub password_ok: bool,
    /// A pending forced reset: its scenario and the verdict on the submitted password taken as its code.
    pub pending: Option<(&'a str, CodeVerdict)>,
    pub locked: bool,
    /// When a failed-login lock ends (None = until an admin unlocks).
    pub locked_until: Option<Millis>,
    pub locked_reason: &'a str,
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
    /// The error code WSO2 puts in the login redirect (`errorCode=`); None on success.
    pub fn error_code(self) -> Option<&'static str> {
        match self {
            Decision::Success => None,
            Decision::ResetViaLink => Some(PASSWORD_RESET_VIA_EMAIL_LINK),
            Decision::ResetOtpAccepted => Some(PASSWORD_RESET_VIA_OTP),
            Decision::ResetOtpMismatch => Some(PASSWORD_RESET_OTP_MISMATCH),
            Decision::Failed(Failure::UnknownUser) => Some(USER_DOES_NOT_EXIST),
            Decision::Failed(Failure::WrongPassword | Failure::ResetCodeExpired) => Some(INVALID_CREDENTIAL),
            Decision::Failed(Failure::Locked) => Some(USER_IS_LOCKED),
        }
    }

    /// Does this attempt count as a failed login for the failed-login lock? (A wrong OTP counts against the OTP's
    /// own attempt budget instead.)
    pub fn counts_as_failure(self) -> bool {
        matches!(self, Decision::Failed(Failure::WrongPassword))
    }
}

/// Decide a login. A lock whose time has passed no longer counts (the caller then clears it).
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

#[cfg(test)]
mod tests {
    use super::super::reset::SCENARIO_OTP;
    use super::*;

    fn user(password_ok: bool) -> UserFacts<'static> {
        UserFacts {
            password_ok,
            pending: None,
            locked: false,
            locked_until: None,
            locked_reason: "",
        }
    }

    fn decide_for(u: UserFacts<'_>) -> Decision {
        decide(&Facts { user: Some(u) }, 1_000)
    }

    #[test]
    fn a_pending_link_reset_refuses_every_password() {
        for ok in [true, false] {
            let d = decide_for(UserFacts {
                pending: Some((SCENARIO_EMAIL_LINK, CodeVerdict::Mismatch)),
                locked: true,
                ..user(ok)
            });
            assert_eq!(d, Decision::ResetViaLink);
            assert_eq!(d.error_code(), Some("17006"));
        }
    }

    #[test]
    fn a_pending_otp_reset_judges_the_password_as_the_code_before_the_lock() {
        let pending = |v| UserFacts {
            pending: Some((SCENARIO_OTP, v)),
            locked: true,
            ..user(false)
        };
        assert_eq!(decide_for(pending(CodeVerdict::Valid)), Decision::ResetOtpAccepted);
        assert_eq!(decide_for(pending(CodeVerdict::Mismatch)).error_code(), Some("17008"));
        assert!(!decide_for(pending(CodeVerdict::Mismatch)).counts_as_failure());
        assert!(decide_for(user(false)).counts_as_failure());
        assert_eq!(
            decide_for(pending(CodeVerdict::Expired)),
            Decision::Failed(Failure::ResetCodeExpired)
        );
        assert_eq!(
            decide_for(pending(CodeVerdict::Dead)),
            Decision::Failed(Failure::ResetCodeExpired)
        );
    }

    #[test]
    fn locks_hold_until_their_time_and_unknown_users_fail_alike() {
        let locked = UserFacts {
            locked: true,
            locked_until: Some(2_000),
            ..user(true)
        };
        assert_eq!(decide_for(locked.clone()), Decision::Failed(Failure::Locked));
        assert_eq!(
            decide(&Facts { user: Some(locked) }, 2_000),
            Decision::Success,
            "lock expired"
        );
        assert_eq!(
            decide_for(UserFacts {
                locked: true,
                ..user(true)
            }),
            Decision::Failed(Failure::Locked)
        );
        assert_eq!(decide_for(user(false)), Decision::Failed(Failure::WrongPassword));
        assert_eq!(decide_for(user(true)), Decision::Success);
        assert_eq!(decide(&Facts { user: None }, 0), Decision::Failed(Failure::UnknownUser));
    }
}
