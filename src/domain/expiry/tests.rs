//! The expiry rule per release, at its boundaries, and the change page's checks.

use super::*;
use crate::domain::profile::Wso2Version;
use crate::domain::profile::expiry;

const DAY: Millis = 86_400_000;
const NOW: Millis = 1_800_000_000_000;

fn on(days: i64) -> ExpirySettings {
    ExpirySettings {
        enabled: true,
        days,
        skip_if_no_applicable_rules: false,
    }
}

fn expired(v: Wso2Version, days: i64, age: Millis) -> bool {
    is_expired(&expiry::of(v), &on(days), Some(NOW - age), NOW)
}

#[test]
fn pwp_counts_fractional_days_and_expires_after_more_than_n() {
    let v = Wso2Version::V5_11;
    assert!(!expired(v, 30, 30 * DAY), "exactly 30 days is not more than 30");
    assert!(expired(v, 30, 30 * DAY + 1), "a millisecond more is");
    assert!(!expired(v, 0, 0));
    assert!(expired(v, 0, 1));
}

#[test]
fn gov_7_0_counts_whole_days_more_than_n() {
    let v = Wso2Version::V7_0;
    assert!(!expired(v, 30, 31 * DAY - 1), "30.99 days truncate to 30");
    assert!(expired(v, 30, 31 * DAY));
}

#[test]
fn gov_7_1_on_expires_at_n_whole_days() {
    for v in [Wso2Version::V7_1, Wso2Version::V7_2] {
        assert!(!expired(v, 30, 30 * DAY - 1), "{v}");
        assert!(expired(v, 30, 30 * DAY), "{v}: >= since GOV efdef633b");
    }
}

#[test]
fn a_missing_record_is_expired_in_every_release_each_for_its_own_reason() {
    for v in Wso2Version::ALL {
        let p = expiry::of(v);
        assert!(is_expired(&p, &on(30), None, NOW), "{v}");
        assert_eq!(
            expires_at(&p, &on(30), None, NOW),
            Expiry::NoRecord { expired: true },
            "{v}"
        );
    }
    // 7.0 reads the blank claim as the epoch: a limit beyond the epoch's age keeps it valid.
    let p = expiry::of(Wso2Version::V7_0);
    assert!(!is_expired(&p, &on(100_000), None, NOW));
    assert!(is_expired(&expiry::of(Wso2Version::V7_1), &on(100_000), None, NOW));
}

#[test]
fn off_or_skipped_never_expires() {
    for v in Wso2Version::ALL {
        let p = expiry::of(v);
        let off = ExpirySettings {
            enabled: false,
            ..on(0)
        };
        assert!(!is_expired(&p, &off, None, NOW));
        assert_eq!(expires_at(&p, &off, Some(0), NOW), Expiry::Off);
        let skip = ExpirySettings {
            skip_if_no_applicable_rules: true,
            ..on(0)
        };
        assert!(!is_expired(&p, &skip, None, NOW));
        assert_eq!(
            expires_at(&p, &skip, Some(0), NOW),
            Expiry::Exempt(Exemption::NoApplicableRule)
        );
    }
}

#[test]
fn expires_at_is_the_first_expired_instant() {
    for v in Wso2Version::ALL {
        let p = expiry::of(v);
        let changed = NOW - 400 * DAY;
        let Expiry::At(at) = expires_at(&p, &on(30), Some(changed), NOW) else {
            panic!("{v}: expected an instant");
        };
        assert!(!is_expired(&p, &on(30), Some(changed), at - 1), "{v}");
        assert!(is_expired(&p, &on(30), Some(changed), at), "{v}");
    }
}

#[test]
fn the_update_time_falls_back_and_ignores_blank_or_bad_values() {
    assert_eq!(last_update(Some("1700000000000"), Some("5")), Some(1_700_000_000_000));
    assert_eq!(last_update(Some(" "), Some("5")), Some(5));
    assert_eq!(last_update(None, None), None);
    assert_eq!(last_update(Some("yesterday"), None), None);
}

#[test]
fn the_change_checks_run_in_pwps_order_with_its_texts() {
    let pwp = |c, n, f| check_change(true, c, n, f);
    assert_eq!(pwp(None, Some("a"), Some("a")), Err(ChangeRefusal::AllFieldsRequired));
    assert_eq!(pwp(Some("x"), None, Some("a")), Err(ChangeRefusal::AllFieldsRequired));
    // Empty is not missing (PWP tests `== null`): the policy refuses it later.
    assert_eq!(pwp(Some("12345"), Some(""), Some("")), Ok(()));
    assert_eq!(
        pwp(Some("Old@123"), Some("Old@123"), Some("other")),
        Err(ChangeRefusal::SameAsCurrent)
    );
    assert_eq!(
        pwp(Some("Old@123"), Some("New@123"), Some("New@124")),
        Err(ChangeRefusal::ConfirmationMismatch)
    );
    assert_eq!(pwp(Some("Old@123"), Some("New@123"), Some("New@123")), Ok(()));
    assert_eq!(check_change(false, None, Some("New@123"), Some("New@123")), Ok(()));
    assert_eq!(ChangeRefusal::SameAsCurrent.text(), SAME_AS_CURRENT);
    assert_eq!(
        ChangeRefusal::Policy("^x$".into()).text(),
        "New password doesn't meet the policy requirement. It must be in the following format, ^x$"
    );
}
