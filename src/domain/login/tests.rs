//! Login decisions, the account lock's steps and the error contexts they leave.

use super::super::profile::Wso2Version;
use super::super::reset::SCENARIO_OTP;
use super::*;

fn user(password_ok: bool) -> UserFacts<'static> {
    UserFacts {
        password_ok,
        ..UserFacts::default()
    }
}

fn decide_for(u: UserFacts<'_>) -> Decision {
    decide(&Facts { user: Some(u) }, 1_000)
}

fn policy(enabled: bool) -> AccountLockSettings {
    AccountLockSettings {
        enabled,
        max_failed_attempts: 5,
        unlock_after_minutes: 5,
        increment_ratio: 2,
        manage_notifications_internally: true,
        notify_on_lock_increment: false,
    }
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
    assert_eq!(decide_for(pending(CodeVerdict::Mismatch)), Decision::ResetOtpMismatch);
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

#[test]
fn failures_count_up_to_the_lock_only_while_locking_is_on() {
    let wrong = Decision::Failed(Failure::WrongPassword);
    assert_eq!(lock_step(wrong, &user(false), &policy(false), 0), LockStep::Keep);
    assert_eq!(lock_step(wrong, &user(false), &policy(true), 0), LockStep::Count(1));
    let fourth = UserFacts {
        failed_attempts: 4,
        ..user(false)
    };
    assert_eq!(
        lock_step(wrong, &fourth, &policy(true), 1_000),
        LockStep::Lock {
            failed: 5,
            until: Some(1_000 + 5 * 60_000),
            lockouts: 1
        }
    );
    // Other decisions never count.
    for d in [
        Decision::ResetOtpMismatch,
        Decision::Failed(Failure::Locked),
        Decision::ResetViaLink,
    ] {
        assert_eq!(lock_step(d, &fourth, &policy(true), 0), LockStep::Keep, "{d:?}");
    }
}

#[test]
fn each_lock_without_a_good_login_between_lasts_ratio_times_longer() {
    let p = policy(true);
    assert_eq!(lock_duration(&p, 0), Some(5 * 60_000));
    assert_eq!(lock_duration(&p, 1), Some(10 * 60_000));
    assert_eq!(lock_duration(&p, 3), Some(40 * 60_000));
    assert_eq!(
        lock_duration(&p, 200),
        Some(Millis::MAX),
        "saturates like Java's (long) cast"
    );
    let forever = AccountLockSettings {
        unlock_after_minutes: 0,
        ..p
    };
    assert_eq!(lock_duration(&forever, 0), None, "Time 0: until an admin unlocks");
    let flat = AccountLockSettings {
        increment_ratio: 1,
        ..p
    };
    assert_eq!(lock_duration(&flat, 4), Some(5 * 60_000));
}

#[test]
fn a_good_login_clears_only_what_is_on_record() {
    let p = policy(true);
    assert_eq!(lock_step(Decision::Success, &user(true), &p, 10), LockStep::Keep);
    let failed = UserFacts {
        failed_attempts: 2,
        ..user(true)
    };
    assert_eq!(lock_step(Decision::Success, &failed, &p, 10), LockStep::Clear);
    let ended = UserFacts {
        locked: true,
        locked_until: Some(5),
        lockouts: 1,
        ..user(true)
    };
    assert_eq!(lock_step(Decision::Success, &ended, &p, 10), LockStep::Clear);
    let lifted_early = UserFacts {
        lockouts: 1,
        ..user(true)
    };
    assert_eq!(lock_step(Decision::Success, &lifted_early, &p, 10), LockStep::Keep);
}

fn context(
    v: Wso2Version,
    d: Decision,
    step: LockStep,
    u: Option<&UserFacts<'_>>,
    p: &AccountLockSettings,
) -> Option<ErrorContext> {
    error_context(d, step, u, p, &v.profile().login, true)
}

#[test]
fn the_error_context_carries_the_counts_the_redirect_shows() {
    let p = policy(true);
    let wrong = Decision::Failed(Failure::WrongPassword);
    let first = context(Wso2Version::V5_11, wrong, LockStep::Count(1), None, &p).unwrap();
    assert_eq!((first.code, first.remaining_attempts()), ("17002", 4));
    let lock = LockStep::Lock {
        failed: 5,
        until: None,
        lockouts: 1,
    };
    let locking = context(Wso2Version::V5_11, wrong, lock, None, &p).unwrap();
    assert_eq!(
        (locking.code, locking.reason, locking.remaining_attempts()),
        ("17003", None, 0)
    );
    let locking_7 = context(Wso2Version::V7_0, wrong, lock, None, &p).unwrap();
    assert_eq!(locking_7.reason, Some("MaxAttemptsExceeded"));
    assert_eq!(
        context(Wso2Version::V5_11, wrong, LockStep::Keep, None, &policy(false)),
        None
    );
}

#[test]
fn unknown_users_are_reported_from_5_11_when_check_account_exist_is_on() {
    let p = policy(true);
    let unknown = Decision::Failed(Failure::UnknownUser);
    assert_eq!(context(Wso2Version::V5_10, unknown, LockStep::Keep, None, &p), None);
    assert_eq!(
        context(Wso2Version::V5_11, unknown, LockStep::Keep, None, &p).map(|c| c.code),
        Some("17001")
    );
    let profile = Wso2Version::V5_11.profile().login;
    assert_eq!(error_context(unknown, LockStep::Keep, None, &p, &profile, false), None);
}

#[test]
fn a_locked_account_names_its_reason_where_the_release_does() {
    let p = policy(false);
    let locked = Decision::Failed(Failure::Locked);
    let reason = |v, claim| {
        let u = UserFacts {
            locked: true,
            locked_reason: claim,
            ..user(true)
        };
        let c = context(v, locked, LockStep::Keep, Some(&u), &p).unwrap();
        assert_eq!((c.code, c.remaining_attempts()), ("17003", 0));
        c.reason
    };
    assert_eq!(reason(Wso2Version::V5_11, LOCKED_REASON_ADMIN), None);
    assert_eq!(reason(Wso2Version::V6_0, LOCKED_REASON_ADMIN), Some("AdminInitiated"));
    assert_eq!(reason(Wso2Version::V6_1, LOCKED_REASON_MAX_ATTEMPTS), None);
    assert_eq!(
        reason(Wso2Version::V7_0, LOCKED_REASON_MAX_ATTEMPTS),
        Some("MaxAttemptsExceeded")
    );
    assert_eq!(
        reason(Wso2Version::V7_2, "PENDING_ADMIN_FORCED_USER_PASSWORD_RESET"),
        None
    );
}

#[test]
fn reset_decisions_carry_their_own_codes() {
    let p = policy(true);
    for (d, code) in [
        (Decision::ResetViaLink, "17006"),
        (Decision::ResetOtpAccepted, "17007"),
        (Decision::ResetOtpMismatch, "17008"),
        (Decision::Failed(Failure::ResetCodeExpired), "17002"),
    ] {
        assert_eq!(
            context(Wso2Version::V5_9, d, LockStep::Keep, None, &p).unwrap().code,
            code
        );
    }
    assert_eq!(
        context(Wso2Version::V5_9, Decision::Success, LockStep::Clear, None, &p),
        None
    );
}

#[test]
fn an_admin_lock_records_its_reason_and_an_unlock_empties_it() {
    use crate::domain::claims::{LOCKED_REASON, UNLOCK_TIME};
    assert_eq!(
        admin_lock_claims(false, true, None, false),
        [(LOCKED_REASON, LOCKED_REASON_ADMIN)]
    );
    assert_eq!(
        admin_lock_claims(false, true, Some(""), true),
        [(LOCKED_REASON, LOCKED_REASON_ADMIN), (UNLOCK_TIME, "0")]
    );
    // A reason written with the lock (the forced reset's, or the admin's own) is kept.
    assert!(admin_lock_claims(false, true, Some("PENDING_ADMIN_FORCED_USER_PASSWORD_RESET"), true).is_empty());
    assert_eq!(
        admin_lock_claims(true, false, Some(LOCKED_REASON_ADMIN), true),
        [(LOCKED_REASON, ""), (UNLOCK_TIME, "0")]
    );
    assert!(admin_lock_claims(true, true, None, true).is_empty());
    assert!(admin_lock_claims(false, false, None, true).is_empty());
}
