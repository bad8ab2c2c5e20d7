//! The resident IdP's values and the checks of `updateConfigurations`.

use super::*;
use crate::domain::profile::Wso2Version;

fn resident(stored: &[(&str, &str)]) -> Resident {
    let reset = ResetSettings {
        recovery_link: false,
        otp: false,
        offline: false,
        expiry_minutes: 1440,
    };
    let stored: Vec<(String, String)> = stored.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    Resident::new(&reset.as_defaults(), &stored)
}

fn update(v: Wso2Version, current: &Resident, pairs: &[(&str, &str)]) -> Result<Vec<(String, String)>, DomainError> {
    let profile = v.profile().governance;
    let rules = UpdateRules {
        connectors: &profile.connectors,
        single_reset_option: profile.single_reset_option,
    };
    let pairs: Vec<(String, String)> = pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    check_update(&rules, current, &pairs)
}

fn base() -> ResetSettings {
    ResetSettings {
        recovery_link: false,
        otp: false,
        offline: false,
        expiry_minutes: 1440,
    }
}

#[test]
fn link_beats_otp_beats_offline() {
    let all = ResetSettings {
        recovery_link: true,
        otp: true,
        offline: true,
        ..base()
    };
    assert_eq!(all.mode(), Some(ResetMode::EmailLink));
    assert_eq!(
        ResetSettings {
            recovery_link: false,
            ..all
        }
        .mode(),
        Some(ResetMode::EmailOtp)
    );
    assert_eq!(
        ResetSettings {
            offline: true,
            ..base()
        }
        .mode(),
        Some(ResetMode::Offline)
    );
    assert_eq!(base().mode(), None);
}

#[test]
fn stored_values_replace_defaults() {
    let r = resident(&[(OFFLINE, "true"), (EXPIRY_TIME, "-1")]);
    let s = base().read(&r);
    assert!(s.offline);
    assert_eq!(s.expiry_minutes, -1);
    let unparsable = base().read(&resident(&[(EXPIRY_TIME, "soon")]));
    assert_eq!(
        unparsable.expiry_minutes, 1440,
        "a value that does not parse leaves the default"
    );
}

#[test]
fn any_name_is_stored_and_known_values_are_checked() {
    let r = resident(&[]);
    assert_eq!(
        update(
            Wso2Version::V5_11,
            &r,
            &[(OTP, " TRUE "), ("Recovery.Notification.Password.Enable", "yes")]
        )
        .unwrap(),
        [
            (OTP.to_string(), "true".to_string()),
            ("Recovery.Notification.Password.Enable".to_string(), "yes".to_string())
        ],
        "canonical for a listed property, verbatim for any other name"
    );
    assert!(matches!(
        update(Wso2Version::V5_11, &r, &[(OTP, "yes")]),
        Err(DomainError::InvalidInput(_))
    ));
    assert!(matches!(
        update(Wso2Version::V5_11, &r, &[(LOCK_MAX_ATTEMPTS, "0")]),
        Err(DomainError::InvalidInput(m)) if m.contains("at least 1")
    ));
    assert!(matches!(
        update(Wso2Version::V6_0, &r, &[(EXPIRY_TIME, "1h")]),
        Err(DomainError::InvalidInput(m)) if m.contains("expected an integer")
    ));
    // ExpiryTime is no property of 5.11's connector: stored as given.
    assert_eq!(
        update(Wso2Version::V5_11, &r, &[(EXPIRY_TIME, "1h")]).unwrap()[0].1,
        "1h"
    );
    // The 5.x enable name is no property of 6.0's connector.
    assert_eq!(
        update(Wso2Version::V6_0, &r, &[(LOCK_ENABLE_5X, "maybe")]).unwrap()[0].1,
        "maybe"
    );
    assert!(update(Wso2Version::V5_11, &r, &[(LOCK_ENABLE_5X, "maybe")]).is_err());
}

#[test]
fn release_7_2_allows_exactly_one_reset_option() {
    let fresh = resident(&[]);
    let v = Wso2Version::V7_2;
    let err = |pairs: &[(&str, &str)], current: &Resident| match update(v, current, pairs) {
        Err(DomainError::InvalidInput(m)) => m,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        err(&[(OFFLINE, "true"), (OTP, "true")], &fresh),
        "Enabling more than one admin password reset option is not allowed"
    );
    assert_eq!(
        err(&[(OFFLINE, "false")], &fresh),
        "Disabling all admin forced password reset options is not allowed"
    );
    let offline_on = resident(&[(OFFLINE, "true")]);
    assert_eq!(
        err(&[(OTP, "true")], &offline_on),
        "Enabling admin forced password reset option while other options are enabled is not allowed"
    );
    assert!(update(v, &offline_on, &[(OTP, "true"), (OFFLINE, "false")]).is_ok());
    assert!(update(v, &fresh, &[(SMS_OTP, "true")]).is_ok());
    assert!(
        update(v, &fresh, &[(EXPIRY_TIME, "60")]).is_ok(),
        "an update naming no option is not checked"
    );
    // Before 7.2 nothing of this is checked.
    assert!(update(Wso2Version::V7_1, &fresh, &[(OFFLINE, "true"), (OTP, "true")]).is_ok());
    assert!(update(Wso2Version::V7_1, &fresh, &[(OFFLINE, "false")]).is_ok());
}

#[test]
fn the_account_lock_reads_the_release_s_enable_property() {
    let defaults = AccountLockSettings {
        enabled: false,
        max_failed_attempts: 5,
        unlock_after_minutes: 5,
        increment_ratio: 2,
        manage_notifications_internally: true,
        notify_on_lock_increment: false,
    };
    let r = Resident::new(
        &defaults.as_defaults(LOCK_ENABLE_5X),
        &[
            (LOCK_ENABLE_5X.to_string(), "true".to_string()),
            (LOCK_TIME.to_string(), "30".to_string()),
            (LOCK_RATIO.to_string(), "0".to_string()),
        ],
    );
    let five = defaults.read(&r, LOCK_ENABLE_5X);
    assert!(five.enabled);
    assert_eq!(
        (five.unlock_after_minutes, five.increment_ratio),
        (30, 1),
        "a ratio below 1 counts as 1"
    );
    assert!(
        !defaults.read(&r, LOCK_ON_MAX_FAILED_ATTEMPTS).enabled,
        "6.0 reads only its own name"
    );
}
