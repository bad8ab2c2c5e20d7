//! identity-governance `components/org.wso2.carbon.identity.recovery/src/test/java/org/wso2/carbon/identity/
//! recovery/connector/AdminForcedPasswordResetConfigImplTest.java` at v1.3.15 (IS 5.9), v1.4.1 (5.10), v1.4.72
//! (5.11), v1.6.3 (6.0), v1.8.14 (6.1), v1.9.6 (7.0), v1.11.48 (7.1), v1.11.145 (7.2), ported as `getConnectorList`
//! checks: the `admin-forced-password-reset` entry's name, friendly name, category, sub-category, order, property
//! names in order, labels, descriptions and default values. `getDefaultPropertyValues(String[], tenant)` returning
//! null is not visible over SOAP: skipped.
//!
//! Beside it, the same checks of the `account.lock.handler` connector against identity-event-handler-account-lock's
//! `AccountLockHandler` at each release's tag (that repository has no tests), and the `Property` bean's fields per
//! release (carbon-identity-framework `Property.java`: no `regex` before 5.17.5, i.e. IS 5.10).

use forcereset::domain::governance::{ACCOUNT_LOCK, EXPIRY_TIME, OFFLINE, OTP, RECOVERY_LINK, SMS_OTP};
use forcereset::domain::profile::Wso2Version;

use super::identity_governance::{Connector, connector_list, server_for};

/// (name, displayName, description, value, type) of each property, in `getPropertyNames()` order.
type Row = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<&'static str>,
);

fn check_connector(v: Wso2Version, c: &Connector, friendly: &str, category: &str, rows: &[Row]) {
    let what = format!("{v} {}", c.name);
    assert_eq!(c.friendly_name, friendly, "{what}: getFriendlyName");
    assert_eq!(c.category, category, "{what}: getCategory");
    assert_eq!(c.sub_category, "DEFAULT", "{what}: getSubCategory");
    assert_eq!(c.order, "0", "{what}: getOrder");
    let names: Vec<&str> = rows.iter().map(|r| r.0).collect();
    assert_eq!(c.property_names(), names, "{what}: getPropertyNames, in order");
    for (p, (name, label, description, value, kind)) in c.properties.iter().zip(rows) {
        assert_eq!(
            p.field("displayName"),
            Some(*label),
            "{what}: getPropertyNameMapping[{name}]"
        );
        assert_eq!(
            p.field("description"),
            *description,
            "{what}: getPropertyDescriptionMapping[{name}]"
        );
        assert_eq!(p.value(), Some(*value), "{what}: the default of {name}");
        assert_eq!(p.field("type"), *kind, "{what}: getMetaData type of {name}");
        // Never set by getConnectorListWithConfigs: Java's defaults.
        assert_eq!(p.field("defaultValue"), None, "{what}");
        assert_eq!(p.field("displayOrder"), Some("0"), "{what}");
        for flag in ["advanced", "confidential", "required"] {
            assert_eq!(p.field(flag), Some("false"), "{what}: {flag}");
        }
    }
}

const LINK_TEXT: Option<&str> = Some("User gets notified with a link to reset password");
const OTP_TEXT: Option<&str> = Some("User gets notified with a one time password to try with SSO login");
const OFFLINE_TEXT: Option<&str> = Some("An OTP generated and stored in users claims");
const EXPIRY_TEXT: Option<&str> = Some("Validity time of the admin forced password reset code in minutes");

fn reset_rows(v: Wso2Version) -> (&'static str, Vec<Row>) {
    let (link, otp, offline) = (RECOVERY_LINK, OTP, OFFLINE);
    if v <= Wso2Version::V5_10 {
        // v1.3.15, v1.4.1.
        return (
            "Account Management Policies",
            vec![
                (
                    link,
                    "Enable Password Reset via Recovery Email",
                    LINK_TEXT,
                    "false",
                    None,
                ),
                (otp, "Enable Password Reset via OTP", OTP_TEXT, "false", None),
                (offline, "Enable Password Reset Offline", OFFLINE_TEXT, "false", None),
            ],
        );
    }
    // v1.4.72: relabelled, no metadata; v1.6.3 on: metadata types, + ExpiryTime (1440).
    let kind = (v >= Wso2Version::V6_0).then_some("boolean");
    let mut rows: Vec<Row> = vec![
        (
            link,
            "Enable password reset via recovery e-mail",
            LINK_TEXT,
            "false",
            kind,
        ),
        (otp, "Enable password reset via OTP", OTP_TEXT, "false", kind),
        (offline, "Enable password reset offline", OFFLINE_TEXT, "false", kind),
    ];
    if v >= Wso2Version::V6_0 {
        let expiry = "Admin forced password reset code expiry time";
        rows.push((EXPIRY_TIME, expiry, EXPIRY_TEXT, "1440", Some("integer")));
    }
    if v == Wso2Version::V7_2 {
        // v1.11.145: the e-mail OTP relabelled, SMS OTP after it.
        let email = "User gets notified with a one-time password to Email try with SSO login";
        rows[1] = (otp, "Enable password reset via Email OTP", Some(email), "false", kind);
        let sms = "User gets notified with a one-time password to Mobile try with SSO login";
        rows.insert(
            2,
            (SMS_OTP, "Enable password reset via SMS OTP", Some(sms), "false", kind),
        );
    }
    ("Account Management", rows)
}

/// The `admin-forced-password-reset` connector of a fresh server, per release.
#[tokio::test]
async fn admin_forced_password_reset_config_impl() {
    for v in Wso2Version::ALL {
        let server = server_for(v, "");
        let connectors = connector_list(&server).await;
        let reset = connectors
            .iter()
            .find(|c| c.name == "admin-forced-password-reset")
            .unwrap_or_else(|| panic!("{v}: getName"));
        let (category, rows) = reset_rows(v);
        check_connector(v, reset, "Password Reset", category, &rows);
    }
}

const RATIO_5_11: &str = "Account lock duration will be increased by this factor. Ex: Initial duration: 5m; Increment \
                          factor: 2; Next lock duration: 5 x 2 = 10m";
const TIME_5_11: &str =
    "Initial account lock time period in minutes. Account will be automatically unlocked after this time period.";

/// The `account.lock.handler` connector of a fresh server, per release (connectors.md §B): no metadata, so `type`
/// is null in every release; off, 5 attempts, 5 minutes, ratio 2, notifications managed internally.
#[tokio::test]
async fn account_lock_handler_connector() {
    for v in Wso2Version::ALL {
        let server = server_for(v, "");
        let connectors = connector_list(&server).await;
        let lock = connectors.iter().find(|c| c.name == ACCOUNT_LOCK).unwrap();
        match v {
            // v1.3.3, v1.4.0: the ratio has no description.
            Wso2Version::V5_9 | Wso2Version::V5_10 => check_connector(
                v,
                lock,
                "Account Locking",
                "Login Policies",
                &[
                    (
                        "account.lock.handler.enable",
                        "Account Lock Enabled",
                        Some("Enable account locking for failed logins"),
                        "false",
                        None,
                    ),
                    (
                        "account.lock.handler.On.Failure.Max.Attempts",
                        "Maximum Failed Login Attempts",
                        Some("Number of failed attempts allows without locking the account"),
                        "5",
                        None,
                    ),
                    (
                        "account.lock.handler.Time",
                        "Account Unlock Time",
                        Some("Account locked time span in minutes"),
                        "5",
                        None,
                    ),
                    (
                        "account.lock.handler.login.fail.timeout.ratio",
                        "Lock Timeout Increment Factor",
                        None,
                        "2",
                        None,
                    ),
                    (
                        "account.lock.handler.notification.manageInternally",
                        "Internal Notification Management",
                        Some("Set false if the client application handles notification sending"),
                        "true",
                        None,
                    ),
                ],
            ),
            _ => {
                let mut rows: Vec<Row> = vec![
                    if v == Wso2Version::V5_11 {
                        // v1.4.11.
                        (
                            "account.lock.handler.enable",
                            "Lock user accounts",
                            Some("Lock user accounts on failed login attempts"),
                            "false",
                            None,
                        )
                    } else {
                        // v1.6.1 on: the renamed switch.
                        (
                            "account.lock.handler.lock.on.max.failed.attempts.enable",
                            "Lock user accounts on maximum failed attempts",
                            Some("Lock user accounts on failed login attempts"),
                            "false",
                            None,
                        )
                    },
                    (
                        "account.lock.handler.On.Failure.Max.Attempts",
                        "Maximum failed login attempts",
                        Some("Number of failed login attempts allowed until account lock."),
                        "5",
                        None,
                    ),
                    (
                        "account.lock.handler.Time",
                        "Initial account lock duration",
                        Some(TIME_5_11),
                        "5",
                        None,
                    ),
                    (
                        "account.lock.handler.login.fail.timeout.ratio",
                        "Account lock duration increment factor",
                        Some(RATIO_5_11),
                        "2",
                        None,
                    ),
                    (
                        "account.lock.handler.notification.manageInternally",
                        "Manage notification sending internally",
                        Some("Disable if the client application handles notification sending"),
                        "true",
                        None,
                    ),
                ];
                if v >= Wso2Version::V6_0 {
                    rows.push((
                        "account.lock.handler.notification.notifyOnLockIncrement",
                        "Notify user when lock time is increased",
                        Some(
                            "Notify user when the account lock duration is increased due to continuous failed login \
                             attempts.",
                        ),
                        "false",
                        None,
                    ));
                }
                check_connector(v, lock, "Account Lock", "Login Attempts Security", &rows);
            }
        }
    }
}

/// The `Property` bean as Axis2 writes it: every field by name. IS 5.9's bean (carbon-identity-framework 5.14.97)
/// has no `regex`; 5.10's and later's (5.17.5, 5.18.187) have it, with the empty arrays `options` and
/// `subProperties` (written as nothing).
#[tokio::test]
async fn the_property_bean_has_the_release_s_fields() {
    let without_regex = [
        "advanced",
        "confidential",
        "defaultValue",
        "description",
        "displayName",
        "displayOrder",
        "name",
        "required",
        "type",
        "value",
    ];
    for v in [Wso2Version::V5_9, Wso2Version::V5_10, Wso2Version::V6_0] {
        let server = server_for(v, "");
        let mut expected: Vec<&str> = without_regex.to_vec();
        if v >= Wso2Version::V5_10 {
            expected.insert(7, "regex");
        }
        for c in connector_list(&server).await {
            for p in &c.properties {
                assert_eq!(p.names(), expected, "{v} {}", p.name());
                assert!(!p.has("regex") || p.field("regex").is_none());
            }
        }
    }
}

/// `getConnectorList` of a fresh server, byte for byte, per release: golden files under
/// `fixtures/soap/IdentityGovernanceAdminService/releases/` (`UPDATE_GOLDEN=1` rewrites them; a changed file must be
/// a change WSO2 makes). The 5.11 one equals the default profile's golden response beside it.
#[tokio::test]
async fn get_connector_list_golden_per_release() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/soap/IdentityGovernanceAdminService");
    let request = std::fs::read_to_string(dir.join("getConnectorList.request.xml")).unwrap();
    for v in Wso2Version::ALL {
        let server = server_for(v, "");
        let (status, body) = server
            .soap(super::identity_governance::GOV, request.clone(), ("admin", "admin"))
            .await;
        let got = format!("HTTP {}\n{body}\n", status.as_u16());
        let golden = dir.join("releases").join(format!("getConnectorList.{v}.response.xml"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, &got).unwrap();
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_else(|_| panic!("no golden {}", golden.display()));
        assert_eq!(got, want, "{v}: getConnectorList differs from {}", golden.display());
    }
    let default = std::fs::read_to_string(dir.join("getConnectorList.response.xml")).unwrap();
    let v5_11 = std::fs::read_to_string(dir.join("releases/getConnectorList.5.11.response.xml")).unwrap();
    assert_eq!(default, v5_11);
}
