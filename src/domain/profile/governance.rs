//! Governance across releases: which connectors `getConnectorList` lists, with which properties, labels and
//! categories, what its `Property` beans carry, and what `updateConfigurations` checks.
//!
//! Sources: identity-governance (GOV) `components/org.wso2.carbon.identity.recovery/src/main/java/org/wso2/carbon/
//! identity/recovery/connector/AdminForcedPasswordResetConfigImpl.java` and identity-event-handler-account-lock
//! (ACCLOCK) `components/org.wso2.carbon.identity.handler.event.account.lock/src/main/java/org/wso2/carbon/identity/
//! handler/event/account/lock/AccountLockHandler.java` (`getFriendlyName`, `getCategory`, `getPropertyNames`,
//! `getPropertyNameMapping`, `getPropertyDescriptionMapping`, `getMetaData`) at each release's tag.

use super::Wso2Version;
use crate::domain::governance::{
    ACCOUNT_LOCK, ConnectorDef, EXPIRY_TIME, Kind, LOCK_ENABLE_5X, LOCK_MANAGE_INTERNALLY, LOCK_MAX_ATTEMPTS,
    LOCK_NOTIFY_ON_INCREMENT, LOCK_ON_MAX_FAILED_ATTEMPTS, LOCK_RATIO, LOCK_TIME, OFFLINE, OTP, PropertyDef,
    RECOVERY_LINK, SMS_OTP,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovernanceProfile {
    /// The connectors `getConnectorList` lists, in order: the admin forced reset, then the account lock. (WSO2
    /// lists connectors in OSGi registration order, which nothing fixes: UNCONFIRMED.)
    pub connectors: [ConnectorDef; 2],
    /// The account lock's enable property: `account.lock.handler.enable` to 5.11, then
    /// `account.lock.handler.lock.on.max.failed.attempts.enable` (ACCLOCK v1.6.1 `AccountConstants`, IS 6.0).
    pub lock_enable_property: &'static str,
    /// A connector lists every stored property whose name starts with its own name, not only its
    /// `getPropertyNames()` (GOV `IdentityGovernanceServiceImpl.getConnectorListWithConfigs`, commit 6be20d862,
    /// first tag v1.10.6: IS 7.1 on).
    pub lists_prefixed_properties: bool,
    /// The `Property` bean has `regex` (and the empty arrays `options`, `subProperties`): carbon-identity-framework
    /// `…/application/common/model/Property.java` at 5.17.5 (IS 5.10) and 5.18.187 have them, 5.14.97 (IS 5.9)
    /// does not. (From IS 6.0 the bean also has an int `groupId`, which GOV v1.6.3 sets; its serialisation was not
    /// read at the tag, so it is not written: UNCONFIRMED.)
    pub property_has_regex: bool,
    /// `updateConfigurations` refuses an update leaving zero or several admin-reset options on once it names any
    /// (GOV v1.11.145 → CIF `IdPManagementUtil.validateAdminPasswordResetWithCurrentAndPreviousConfigs`, commit
    /// abc8fd311: IS 7.2).
    pub single_reset_option: bool,
}

pub fn of(version: Wso2Version) -> GovernanceProfile {
    use Wso2Version::*;
    let reset = match version {
        V5_9 | V5_10 => RESET_5_9,
        V5_11 => RESET_5_11,
        V6_0 | V6_1 | V7_0 | V7_1 => RESET_6_0,
        V7_2 => RESET_7_2,
    };
    let lock = match version {
        V5_9 | V5_10 => LOCK_5_9,
        V5_11 => LOCK_5_11,
        _ => LOCK_6_0,
    };
    GovernanceProfile {
        connectors: [reset, lock],
        lock_enable_property: if version >= V6_0 {
            LOCK_ON_MAX_FAILED_ATTEMPTS
        } else {
            LOCK_ENABLE_5X
        },
        lists_prefixed_properties: version >= V7_1,
        property_has_regex: version >= V5_10,
        single_reset_option: version >= V7_2,
    }
}

impl GovernanceProfile {
    /// The admin forced password reset connector.
    pub fn reset_connector(&self) -> &ConnectorDef {
        let [reset, _lock] = &self.connectors;
        reset
    }
}

const BOOLEAN: Kind = Kind::Boolean;
/// Any integer: a negative expiry means the code never expires (forcereset's reading of `code_validity_period`).
const ANY_INTEGER: Kind = Kind::Integer { min: i64::MIN };

const LINK_TEXT: &str = "User gets notified with a link to reset password";
const OTP_TEXT: &str = "User gets notified with a one time password to try with SSO login";
const OFFLINE_TEXT: &str = "An OTP generated and stored in users claims";

/// GOV v1.3.15 (IS 5.9) and v1.4.1 (5.10): category "Account Management Policies", capitalised labels, no
/// metadata.
const RESET_5_9: ConnectorDef = ConnectorDef {
    name: "admin-forced-password-reset",
    friendly_name: "Password Reset",
    category: "Account Management Policies",
    sub_category: "DEFAULT",
    order: 0,
    properties: &[
        bool_property(RECOVERY_LINK, "Enable Password Reset via Recovery Email", LINK_TEXT),
        bool_property(OTP, "Enable Password Reset via OTP", OTP_TEXT),
        bool_property(OFFLINE, "Enable Password Reset Offline", OFFLINE_TEXT),
    ],
    typed: false,
};

const LINK_5_11: PropertyDef = bool_property(RECOVERY_LINK, "Enable password reset via recovery e-mail", LINK_TEXT);
const OTP_5_11: PropertyDef = bool_property(OTP, "Enable password reset via OTP", OTP_TEXT);
const OFFLINE_5_11: PropertyDef = bool_property(OFFLINE, "Enable password reset offline", OFFLINE_TEXT);
const EXPIRY: PropertyDef = PropertyDef {
    name: EXPIRY_TIME,
    display_name: "Admin forced password reset code expiry time",
    description: Some("Validity time of the admin forced password reset code in minutes"),
    kind: ANY_INTEGER,
};

/// GOV v1.4.72 (IS 5.11): category "Account Management" and lower-case labels (commit 512e4ec29).
const RESET_5_11: ConnectorDef = ConnectorDef {
    category: "Account Management",
    properties: &[LINK_5_11, OTP_5_11, OFFLINE_5_11],
    ..RESET_5_9
};

/// GOV v1.6.3 (IS 6.0) to v1.11.48 (7.1): + ExpiryTime (commit 4725c0722, v1.5.28) and metadata types (f5669f5fc,
/// v1.5.25).
const RESET_6_0: ConnectorDef = ConnectorDef {
    properties: &[LINK_5_11, OTP_5_11, OFFLINE_5_11, EXPIRY],
    typed: true,
    ..RESET_5_11
};

/// GOV v1.11.145 (IS 7.2): + SMSOTP (commit fd05e7d3c, v1.11.65), with the e-mail OTP relabelled.
const RESET_7_2: ConnectorDef = ConnectorDef {
    properties: &[
        LINK_5_11,
        bool_property(
            OTP,
            "Enable password reset via Email OTP",
            "User gets notified with a one-time password to Email try with SSO login",
        ),
        bool_property(
            SMS_OTP,
            "Enable password reset via SMS OTP",
            "User gets notified with a one-time password to Mobile try with SSO login",
        ),
        OFFLINE_5_11,
        EXPIRY,
    ],
    ..RESET_6_0
};

/// ACCLOCK v1.3.3 (IS 5.9) and v1.4.0 (5.10): "Account Locking" under "Login Policies"; the ratio has no
/// description. No metadata in any release.
const LOCK_5_9: ConnectorDef = ConnectorDef {
    name: ACCOUNT_LOCK,
    friendly_name: "Account Locking",
    category: "Login Policies",
    sub_category: "DEFAULT",
    order: 0,
    properties: &[
        bool_property(
            LOCK_ENABLE_5X,
            "Account Lock Enabled",
            "Enable account locking for failed logins",
        ),
        PropertyDef {
            name: LOCK_MAX_ATTEMPTS,
            display_name: "Maximum Failed Login Attempts",
            description: Some("Number of failed attempts allows without locking the account"),
            kind: Kind::Integer { min: 1 },
        },
        PropertyDef {
            name: LOCK_TIME,
            display_name: "Account Unlock Time",
            description: Some("Account locked time span in minutes"),
            kind: Kind::Integer { min: 0 },
        },
        PropertyDef {
            name: LOCK_RATIO,
            display_name: "Lock Timeout Increment Factor",
            description: None,
            kind: Kind::Integer { min: 1 },
        },
        bool_property(
            LOCK_MANAGE_INTERNALLY,
            "Internal Notification Management",
            "Set false if the client application handles notification sending",
        ),
    ],
    typed: false,
};

const MAX_ATTEMPTS_5_11: PropertyDef = PropertyDef {
    name: LOCK_MAX_ATTEMPTS,
    display_name: "Maximum failed login attempts",
    description: Some("Number of failed login attempts allowed until account lock."),
    kind: Kind::Integer { min: 1 },
};
const TIME_5_11: PropertyDef = PropertyDef {
    name: LOCK_TIME,
    display_name: "Initial account lock duration",
    description: Some(
        "Initial account lock time period in minutes. Account will be automatically unlocked after this time period.",
    ),
    kind: Kind::Integer { min: 0 },
};
const RATIO_5_11: PropertyDef = PropertyDef {
    name: LOCK_RATIO,
    display_name: "Account lock duration increment factor",
    description: Some(
        "Account lock duration will be increased by this factor. Ex: Initial duration: 5m; Increment factor: 2; Next \
         lock duration: 5 x 2 = 10m",
    ),
    kind: Kind::Integer { min: 1 },
};
const MANAGE_5_11: PropertyDef = bool_property(
    LOCK_MANAGE_INTERNALLY,
    "Manage notification sending internally",
    "Disable if the client application handles notification sending",
);

/// ACCLOCK v1.4.11 (IS 5.11): "Account Lock" under "Login Attempts Security", relabelled.
const LOCK_5_11: ConnectorDef = ConnectorDef {
    friendly_name: "Account Lock",
    category: "Login Attempts Security",
    properties: &[
        bool_property(
            LOCK_ENABLE_5X,
            "Lock user accounts",
            "Lock user accounts on failed login attempts",
        ),
        MAX_ATTEMPTS_5_11,
        TIME_5_11,
        RATIO_5_11,
        MANAGE_5_11,
    ],
    ..LOCK_5_9
};

/// ACCLOCK v1.6.1 (IS 6.0) to v1.9.19 (7.2): the enable property renamed, + notifyOnLockIncrement.
const LOCK_6_0: ConnectorDef = ConnectorDef {
    properties: &[
        bool_property(
            LOCK_ON_MAX_FAILED_ATTEMPTS,
            "Lock user accounts on maximum failed attempts",
            "Lock user accounts on failed login attempts",
        ),
        MAX_ATTEMPTS_5_11,
        TIME_5_11,
        RATIO_5_11,
        MANAGE_5_11,
        bool_property(
            LOCK_NOTIFY_ON_INCREMENT,
            "Notify user when lock time is increased",
            "Notify user when the account lock duration is increased due to continuous failed login attempts.",
        ),
    ],
    ..LOCK_5_11
};

const fn bool_property(name: &'static str, display_name: &'static str, description: &'static str) -> PropertyDef {
    PropertyDef {
        name,
        display_name,
        description: Some(description),
        kind: BOOLEAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connectors_change_where_the_tags_say() {
        let names = |v: Wso2Version| -> Vec<Vec<&str>> {
            of(v)
                .connectors
                .iter()
                .map(|c| c.properties.iter().map(|p| p.name).collect())
                .collect()
        };
        assert_eq!(names(Wso2Version::V5_9), names(Wso2Version::V5_10));
        assert_eq!(names(Wso2Version::V5_11)[0], [RECOVERY_LINK, OTP, OFFLINE]);
        assert_eq!(names(Wso2Version::V6_0)[0], [RECOVERY_LINK, OTP, OFFLINE, EXPIRY_TIME]);
        assert_eq!(
            names(Wso2Version::V7_2)[0],
            [RECOVERY_LINK, OTP, SMS_OTP, OFFLINE, EXPIRY_TIME]
        );
        for v in Wso2Version::ALL {
            let p = of(v);
            let lock = &p.connectors[1];
            assert_eq!(lock.properties.len(), if v >= Wso2Version::V6_0 { 6 } else { 5 }, "{v}");
            assert_eq!(lock.properties[0].name, p.lock_enable_property, "{v}");
            assert!(lock.properties.iter().all(|p| p.name.starts_with(ACCOUNT_LOCK)));
            assert!(!lock.typed);
            assert_eq!(p.connectors[0].typed, v >= Wso2Version::V6_0);
        }
        assert_eq!(of(Wso2Version::V5_10).connectors[1].friendly_name, "Account Locking");
        assert_eq!(of(Wso2Version::V5_11).connectors[1].category, "Login Attempts Security");
        assert_eq!(
            of(Wso2Version::V5_10).connectors[0].category,
            "Account Management Policies"
        );
        assert_eq!(of(Wso2Version::V5_11).connectors[0].category, "Account Management");
    }
}
