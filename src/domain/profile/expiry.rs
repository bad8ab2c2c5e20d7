//! Password expiry across releases ("Configuring Password Policy Authenticator"): which component enforces it,
//! the connector it lists on the resident IdP, when a password counts as expired, and where the browser goes.
//!
//! - IS 5.9 – 6.1: the `password-reset-enforcer` authenticator and `passwordExpiry` event handler of
//!   wso2-extensions/identity-outbound-auth-passwordPolicy (PWP), a connector installed by hand (no product-is
//!   release pom lists it). PWP v1.0.30 (the 1.0.x line these releases take; the expiry rule as it has been since
//!   commit 1b9ab0a, first tag v1.0.21), `component/authenticator/src/main/java/org/wso2/carbon/identity/policy/
//!   password/`: `PasswordResetEnforcer.java` (`hadPasswordExpired`, `initiateAuthenticationRequest`,
//!   `processAuthenticationResponse`), `PasswordChangeHandler.java` (the connector), `PasswordPolicyConstants.java`,
//!   `PasswordPolicyUtils.getPasswordExpiryPropertyNames`, and `component/authenticator/src/main/resources/
//!   pwd-reset.jsp`.
//! - IS 7.0 on: identity-governance (GOV) `components/org.wso2.carbon.identity.password.expiry/src/main/java/org/
//!   wso2/carbon/identity/password/expiry/` at v1.9.6 (7.0), v1.11.48 (7.1), v1.11.145 (7.2):
//!   `PasswordExpiryConfigImpl.java`, `util/PasswordPolicyUtils.java` (`isPasswordExpired`,
//!   `getLastPasswordUpdatedTime`, `getPasswordResetPageUrl`), `EnforcePasswordResetAuthenticationHandler.java`,
//!   `constants/PasswordPolicyConstants.java`.

use super::Wso2Version;
use crate::domain::governance::{ConnectorDef, Kind, PropertyDef};

/// The expiry connector's property names.
pub const EXPIRY_IN_DAYS: &str = "passwordExpiry.passwordExpiryInDays";
pub const ENABLE_EXPIRY: &str = "passwordExpiry.enablePasswordExpiry";
pub const SKIP_IF_NO_APPLICABLE_RULES: &str = "passwordExpiry.skipIfNoApplicableRules";
pub const ENABLE_EMAIL_NOTIFICATIONS: &str = "passwordExpiry.enableEmailNotifications";
pub const PRIOR_REMINDER_TIME_IN_DAYS: &str = "passwordExpiry.priorReminderTimeInDays";
/// GOV `PasswordPolicyConstants.PASSWORD_EXPIRY_RULES_PREFIX` (v1.10.6 on): role/group rules, `passwordExpiry.rule1`….
pub const RULE_PREFIX: &str = "passwordExpiry.rule";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiryProfile {
    /// Who enforces expiry, and so where the browser goes and what turns it on.
    pub enforcer: Enforcer,
    /// The connector `getConnectorList` lists (when listed: see [`Enforcer`]).
    pub connector: ConnectorDef,
    /// How old a password must be to count as expired.
    pub boundary: Boundary,
    /// What a user with no `lastPasswordUpdateTime` (nor the fallback claim) is.
    pub missing: Missing,
    /// The 7.x redirect carries `&passwordExpiredMsg=Password+has+expired` (GOV commit eb57c190b, first tag
    /// v1.11.2: IS 7.1 on).
    pub expired_msg_param: bool,
    /// Rules by role or group, `passwordExpiry.rule*` (GOV commit ad71ac403, first tag v1.10.6: IS 7.1 on).
    pub rules: bool,
    /// A read user's claims gain the computed `identity/passwordExpiryTime` (GOV `PasswordExpiryEventListener`,
    /// commit 4327adfea, first tag v1.11.24: IS 7.1 on), which SCIM shows as `urn:scim:wso2:schema`
    /// `passwordExpiryTime` when asked for.
    pub expiry_time_claim: bool,
}

/// Who enforces password expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enforcer {
    /// PWP's `password-reset-enforcer`, a second authentication step: on once the `passwordExpiry` event handler is
    /// configured (`[[event_handler]] name = "passwordExpiry"`), which also lists its connector. After a correct
    /// password the browser goes to `authenticationendpoint/pwd-reset.jsp` (current, new, confirm), which posts
    /// back to `/commonauth`.
    Authenticator,
    /// GOV's `EnforcePasswordResetAuthenticationHandler`, a post-authentication handler after the basic
    /// authenticator: its connector is always listed, on with `passwordExpiry.enablePasswordExpiry`. The browser
    /// goes to `accountrecoveryendpoint/password-recovery-confirm.jsp?confirmation=…&passwordExpired=true`.
    PostAuthenticationHandler,
}

/// How the age of a password is compared with `passwordExpiryInDays`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boundary {
    /// PWP: days as a fraction (`(double) (now - changed) / 86400000`), expired when more than N.
    MoreThanFractionalDays,
    /// GOV v1.9.6 (IS 7.0): whole days (`(int)` of the division), expired when more than N.
    MoreThanWholeDays,
    /// GOV v1.10.6 on (IS 7.1, 7.2; commit efdef633b "Change logic to >="): whole days, expired at N or more.
    AtLeastWholeDays,
}

/// What a password with no recorded update time is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Expired (PWP `hadPasswordExpired`: `passwordLastChangedTime == null`; GOV v1.10.6 on:
    /// `StringUtils.isBlank(lastPasswordUpdatedTime)`), so users created before expiry was on change at first login.
    Expired,
    /// GOV v1.9.6: the blank value is read as time 0 (`getLastPasswordUpdatedTimeInMillis`), and its `== null` test
    /// never holds (`getLastPasswordUpdateTime` returns `""`), so the password is as old as the epoch: expired for
    /// any `passwordExpiryInDays` below about 20,000.
    Epoch,
}

pub fn of(version: Wso2Version) -> ExpiryProfile {
    use Wso2Version::*;
    match version {
        V5_9 | V5_10 | V5_11 | V6_0 | V6_1 => ExpiryProfile {
            enforcer: Enforcer::Authenticator,
            connector: CONNECTOR_PWP,
            boundary: Boundary::MoreThanFractionalDays,
            missing: Missing::Expired,
            expired_msg_param: false,
            rules: false,
            expiry_time_claim: false,
        },
        V7_0 => ExpiryProfile {
            enforcer: Enforcer::PostAuthenticationHandler,
            connector: CONNECTOR_7_0,
            boundary: Boundary::MoreThanWholeDays,
            missing: Missing::Epoch,
            expired_msg_param: false,
            rules: false,
            expiry_time_claim: false,
        },
        V7_1 | V7_2 => ExpiryProfile {
            enforcer: Enforcer::PostAuthenticationHandler,
            connector: CONNECTOR_7_1,
            boundary: Boundary::AtLeastWholeDays,
            missing: Missing::Expired,
            expired_msg_param: true,
            rules: true,
            expiry_time_claim: true,
        },
    }
}

const DAYS: PropertyDef = PropertyDef {
    name: EXPIRY_IN_DAYS,
    display_name: "Password Expiry In Days",
    description: Some("Number of days after which the password will expire"),
    kind: Kind::Integer { min: 0 },
};

/// PWP `PasswordChangeHandler` (`getName` "passwordExpiry", "Password Expiry" under "Password Policies", order 0;
/// `PasswordPolicyUtils.getPasswordExpiryPropertyNames`). No metadata types.
const CONNECTOR_PWP: ConnectorDef = ConnectorDef {
    name: "passwordExpiry",
    friendly_name: "Password Expiry",
    category: "Password Policies",
    sub_category: "DEFAULT",
    order: 0,
    properties: &[
        DAYS,
        PropertyDef {
            name: ENABLE_EMAIL_NOTIFICATIONS,
            display_name: "Enable Sending Email Notifications",
            description: Some(
                "Enable to send email notifications to reset the password. This requires an IS Analytics instance.",
            ),
            kind: Kind::Boolean,
        },
        PropertyDef {
            name: PRIOR_REMINDER_TIME_IN_DAYS,
            display_name: "Prior Reminder Time In Days",
            description: Some(
                "Number of days before the password expiry that the users should be reminded of password expiry",
            ),
            kind: Kind::Integer { min: 0 },
        },
    ],
    typed: false,
};

const ENABLE: PropertyDef = PropertyDef {
    name: ENABLE_EXPIRY,
    display_name: "Enable Password Expiry",
    description: Some("Allow users to reset the password after configured number of days"),
    kind: Kind::Boolean,
};

/// GOV v1.9.6 `PasswordExpiryConfigImpl` (same names and category as PWP's; `getPropertyNames` enable, days).
const CONNECTOR_7_0: ConnectorDef = ConnectorDef {
    properties: &[ENABLE, DAYS],
    ..CONNECTOR_PWP
};

/// GOV v1.10.6 on (commit 934b73469): + skipIfNoApplicableRules; rules `passwordExpiry.rule*` are listed by prefix
/// (`lists_prefixed_properties`).
const CONNECTOR_7_1: ConnectorDef = ConnectorDef {
    properties: &[
        ENABLE,
        DAYS,
        PropertyDef {
            name: SKIP_IF_NO_APPLICABLE_RULES,
            display_name: "Skip password expiry if no applicable rules",
            description: Some("Skip password expiry if no applicable rules are found for the user"),
            kind: Kind::Boolean,
        },
    ],
    ..CONNECTOR_PWP
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enforcer_and_its_rule_change_where_the_tags_say() {
        for v in Wso2Version::ALL {
            let p = of(v);
            assert_eq!(p.connector.name, "passwordExpiry");
            assert_eq!(p.connector.category, "Password Policies");
            let names: Vec<&str> = p.connector.properties.iter().map(|p| p.name).collect();
            if v < Wso2Version::V7_0 {
                assert_eq!(p.enforcer, Enforcer::Authenticator, "{v}");
                assert_eq!(
                    names,
                    [EXPIRY_IN_DAYS, ENABLE_EMAIL_NOTIFICATIONS, PRIOR_REMINDER_TIME_IN_DAYS]
                );
            } else {
                assert_eq!(p.enforcer, Enforcer::PostAuthenticationHandler, "{v}");
                assert_eq!(names[..2], [ENABLE_EXPIRY, EXPIRY_IN_DAYS]);
            }
        }
        assert_eq!(of(Wso2Version::V7_0).boundary, Boundary::MoreThanWholeDays);
        assert_eq!(of(Wso2Version::V7_1).boundary, Boundary::AtLeastWholeDays);
        assert!(of(Wso2Version::V7_2).expired_msg_param && !of(Wso2Version::V7_0).expired_msg_param);
    }
}
