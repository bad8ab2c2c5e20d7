//! WSO2's password-expiry unit tests, ported to run against forcereset's front doors (SOAP and the pages):
//!
//! - PWP = wso2-extensions/identity-outbound-auth-passwordPolicy v1.0.30, `component/authenticator/src/test/java/
//!   org/wso2/carbon/extension/identity/authenticator/passwordpolicy/test/`: `PasswordChangeHandlerTest.java` (the
//!   handler writes `lastPasswordUpdateTime` on add, admin update and update; the connector's name and category)
//!   and `PasswordResetEnforcerTest.java` (`processAuthenticationResponse`'s refusals), on 5.9–6.1.
//! - GOV = wso2-extensions/identity-governance v1.11.48, `components/org.wso2.carbon.identity.password.expiry/src/
//!   test/java/org/wso2/carbon/identity/password/expiry/`: `PasswordExpiryConfigImplTest.java` (the connector) and
//!   `PasswordPolicyUtilsTest.java` (`testIsPasswordExpiredWithoutRules`, `testPasswordExpiryEnabled`), on 7.0–7.2
//!   (7.0's connector has no skipIfNoApplicableRules, GOV v1.9.6).
//!
//! Mocks become real calls: the claim is read back with `getUserClaimValue`, the connector with
//! `getConnectorList`, the enforcer's responses through `/commonauth`. Not ported: the rule-based cases
//! (`testIsPasswordExpiredWithRules`, `testGetPasswordExpiryRules*`; forcereset has no expiry rules), the
//! IS-Analytics data publishing, the federated-user and logout cases (no federation, no SSO logout here).

use forcereset::app::Actor;
use forcereset::domain::claims;
use forcereset::domain::expiry::{ALL_FIELDS_REQUIRED, CONFIRMATION_MISMATCH, POLICY_VIOLATION, SAME_AS_CURRENT};
use forcereset::domain::profile::Wso2Version;
use forcereset::store::TenantId;
use reqwest::StatusCode;

use crate::support::TestServer;
use crate::web_client::Browser;

const RUSM: &str = "/services/RemoteUserStoreManagerService";
const GOV: &str = "/services/IdentityGovernanceAdminService";
const DAY: i64 = 86_400_000;

fn server_for(version: Wso2Version, expiry_on: bool) -> TestServer {
    let on = if expiry_on { crate::expiry::EXPIRY_ON } else { "" };
    TestServer::start_with(&format!("{on}\n[forcereset]\nwso2_version = \"{version}\"\n"))
}

fn envelope(payload: &str) -> Vec<u8> {
    format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ser="http://service.ws.um.carbon.wso2.org" xmlns:common="http://common.mgt.user.carbon.wso2.org/xsd" xmlns:gov="http://governance.identity.carbon.wso2.org" xmlns:m="http://model.common.application.identity.carbon.wso2.org/xsd"><soapenv:Body>{payload}</soapenv:Body></soapenv:Envelope>"#
    )
    .into_bytes()
}

async fn call(server: &TestServer, service: &str, payload: &str, caller: (&str, &str)) -> String {
    let (status, body) = server.soap(service, envelope(payload), caller).await;
    assert!(status.is_success(), "{payload}: {status} {body}");
    body
}

async fn update_time(server: &TestServer, user: &str) -> Option<i64> {
    let body = call(
        server,
        RUSM,
        &format!(
            "<ser:getUserClaimValue><ser:userName>{user}</ser:userName><ser:claim>{}</ser:claim>\
             <ser:profileName>default</ser:profileName></ser:getUserClaimValue>",
            claims::LAST_PASSWORD_UPDATE_TIME
        ),
        ("admin", "admin"),
    )
    .await;
    body.split("return>").nth(1)?.split('<').next()?.parse().ok()
}

fn backdate(app: &forcereset::app::App, user: &str, millis: &str) {
    let value = [(claims::LAST_PASSWORD_UPDATE_TIME.to_string(), millis.to_string())];
    app.set_claims(&Actor::System, user, "default", &value).unwrap();
}

/// The `<ax:…>` values of one connector's properties in a `getConnectorList` answer: (name, value, displayName,
/// description).
fn connector<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    body.split("<ns:return")
        .find(|c| c.contains(&format!(":name>{name}</")))
}

fn property_names(connector: &str) -> Vec<String> {
    connector
        .split(":properties")
        .skip(1)
        .filter_map(|p| {
            let name = p.split(":name>").nth(1)?.split('<').next()?;
            Some(name.to_string())
        })
        .collect()
}

/// PWP `PasswordChangeHandlerTest.testHandleAddUserEvent`, `testHandlePostUpdateCredentialByAdminEvent`,
/// `testHandlePostUpdateCredentialEvent`: each writes exactly the `lastPasswordUpdateTime` claim, with the time of
/// the event (epoch ms). Over `addUser`, `updateCredentialByAdmin` and `updateCredential`; every release (forcereset
/// writes it whether or not expiry is on, as WSO2 7.x's own handler does).
#[tokio::test]
async fn the_handler_records_every_password_set() {
    for version in Wso2Version::ALL {
        let server = server_for(version, version < Wso2Version::V7_0);
        let app = server.app();
        let t0 = app.now();
        call(
            &server,
            RUSM,
            "<ser:addUser><ser:userName>pwp</ser:userName><ser:credential>Abcd@123</ser:credential>\
             <ser:profileName>default</ser:profileName><ser:requirePasswordChange>false</ser:requirePasswordChange>\
             </ser:addUser>",
            ("admin", "admin"),
        )
        .await;
        let added = update_time(&server, "pwp").await.expect("written on add");
        assert!(added >= t0, "{version}");
        // Backdate it, so each later write shows.
        backdate(&app, "pwp", "1000");
        call(
            &server,
            RUSM,
            "<ser:updateCredentialByAdmin><ser:userName>pwp</ser:userName><ser:newCredential>Efgh@456\
             </ser:newCredential></ser:updateCredentialByAdmin>",
            ("admin", "admin"),
        )
        .await;
        assert!(
            update_time(&server, "pwp").await.is_some_and(|t| t >= t0),
            "{version}: admin update"
        );
        backdate(&app, "pwp", "1000");
        call(
            &server,
            RUSM,
            "<ser:updateCredential><ser:userName>pwp</ser:userName><ser:newCredential>Ijkl@789</ser:newCredential>\
             <ser:oldCredential>Efgh@456</ser:oldCredential></ser:updateCredential>",
            ("admin", "admin"),
        )
        .await;
        assert!(
            update_time(&server, "pwp").await.is_some_and(|t| t >= t0),
            "{version}: update"
        );
    }
}

/// PWP `PasswordChangeHandlerTest.testGetName`, `testGetFriendlyName`, `testGetCategory` and
/// `PasswordPolicyUtils.getPasswordExpiryPropertyNames` (5.9–6.1, installed by the event handler; absent without
/// it); GOV `PasswordExpiryConfigImplTest.testGetName` … `testGetPropertyNames`, `testGetDefaultPropertyValues` and
/// `PasswordPolicyUtilsTest.testPasswordExpiryEnabled` (false by default) (7.0–7.2, always listed).
#[tokio::test]
async fn the_connector_as_each_release_lists_it() {
    let list = "<gov:getConnectorList/>";
    for version in Wso2Version::ALL {
        let server = server_for(version, false);
        let body = call(&server, GOV, list, ("admin", "admin")).await;
        if version < Wso2Version::V7_0 {
            assert!(
                connector(&body, "passwordExpiry").is_none(),
                "{version}: PWP is not installed"
            );
            let server = server_for(version, true);
            let body = call(&server, GOV, list, ("admin", "admin")).await;
            let c = connector(&body, "passwordExpiry").expect("installed by the handler");
            assert!(c.contains(":friendlyName>Password Expiry<"), "{version}");
            assert!(c.contains(":category>Password Policies<"), "{version}");
            assert_eq!(
                property_names(c),
                [
                    "passwordExpiry.passwordExpiryInDays",
                    "passwordExpiry.enableEmailNotifications",
                    "passwordExpiry.priorReminderTimeInDays"
                ],
                "{version}"
            );
            assert!(
                c.contains(":value>30<"),
                "{version}: the handler's passwordExpiryInDays"
            );
            continue;
        }
        let c = connector(&body, "passwordExpiry").expect("7.x lists it");
        assert!(c.contains(":friendlyName>Password Expiry<"), "{version}");
        assert!(c.contains(":category>Password Policies<"), "{version}");
        assert!(
            c.contains(":subCategory>DEFAULT<") && c.contains(":order>0<"),
            "{version}"
        );
        let mut want = vec![
            "passwordExpiry.enablePasswordExpiry",
            "passwordExpiry.passwordExpiryInDays",
        ];
        if version >= Wso2Version::V7_1 {
            want.push("passwordExpiry.skipIfNoApplicableRules");
        }
        assert_eq!(property_names(c), want, "{version}");
        assert!(
            c.contains("Allow users to reset the password after configured number of days"),
            "{version}"
        );
        // Defaults: off, 30 days (and no skipping).
        let values: Vec<&str> = c
            .split(":properties")
            .skip(1)
            .filter_map(|p| p.split(":value>").nth(1)?.split('<').next())
            .collect();
        assert_eq!(values[..2], ["false", "30"], "{version}");
    }
}

/// GOV `PasswordPolicyUtilsTest.testIsPasswordExpiredWithoutRules` (7.0–7.2): with expiry on and 30 days, a
/// password updated 20 days ago is not expired, 35 days ago is, and no update time is. Turned on through
/// `updateConfigurations`, as an admin does; the verdict read from where the login goes.
#[tokio::test]
async fn is_password_expired_without_rules() {
    for version in [Wso2Version::V7_0, Wso2Version::V7_1, Wso2Version::V7_2] {
        let server = server_for(version, false);
        call(
            &server,
            GOV,
            "<gov:updateConfigurations><gov:configurations><m:name>passwordExpiry.enablePasswordExpiry</m:name>\
             <m:value>true</m:value></gov:configurations><gov:configurations><m:name>\
             passwordExpiry.passwordExpiryInDays</m:name><m:value>30</m:value></gov:configurations>\
             </gov:updateConfigurations>",
            ("admin", "admin"),
        )
        .await;
        let app = server.app();
        for (user, days_ago, expired) in [("d20", Some(20), false), ("d35", Some(35), true), ("none", None, true)] {
            crate::support::add_login_user(&app, user, "Abcd@123", &[]);
            let value = days_ago.map_or(String::new(), |d: i64| (app.now() - d * DAY).to_string());
            app.store_for_tests()
                .write::<_, forcereset::store::StoreError>(TenantId::SUPER, |tx| {
                    if value.is_empty() {
                        tx.delete_claim_value(user, "default", claims::LAST_PASSWORD_UPDATE_TIME)?;
                    } else {
                        tx.set_claim_value(user, "default", claims::LAST_PASSWORD_UPDATE_TIME, &value)?;
                    }
                    Ok(())
                })
                .unwrap();
            let answer = Browser::new(&server).login(user, "Abcd@123").await;
            assert_eq!(answer.status, StatusCode::FOUND);
            assert_eq!(
                answer.location().contains("passwordExpired=true"),
                expired,
                "{version} {user}: {}",
                answer.location()
            );
        }
    }
}

/// PWP `PasswordResetEnforcerTest.testProcessResponseWithSamePassword` ("12345" three times),
/// `testProcessResponseWithMismatchPassword`, `testProcessAuthenticationResponseWithException` (all fields null),
/// `testProcessResponseWithEmptyPassword` and `testProcessResponseWithInvalidPasswordFormat` (the policy
/// `^[\S]{5,30}$`), then `testProcessAuthenticationResponse` (a good change completes the step): through
/// `/commonauth` in the enforcer's flow, 5.9–6.1.
#[tokio::test]
async fn process_authentication_response() {
    for version in [
        Wso2Version::V5_9,
        Wso2Version::V5_10,
        Wso2Version::V5_11,
        Wso2Version::V6_0,
        Wso2Version::V6_1,
    ] {
        let server = server_for(version, true);
        let app = server.app();
        crate::support::add_login_user(&app, "tom", "12345", &[]);
        backdate(&app, "tom", "1461315067665");
        let browser = Browser::new(&server);
        let answer = browser.login("tom", "12345").await;
        let key = answer
            .location()
            .split("sessionDataKey=")
            .nth(1)
            .and_then(|k| k.split('&').next())
            .expect("PWP's redirect")
            .to_string();
        let form = |fields: Vec<(&'static str, &'static str)>| {
            let mut form = vec![("sessionDataKey", key.clone())];
            form.extend(fields.into_iter().map(|(k, v)| (k, v.to_string())));
            form
        };
        let cases: [(Vec<(&str, &str)>, String); 5] = [
            (
                vec![
                    ("CURRENT_PWD", "12345"),
                    ("NEW_PWD", "12345"),
                    ("NEW_PWD_CONFIRMATION", "12345"),
                ],
                SAME_AS_CURRENT.to_string(),
            ),
            (
                vec![
                    ("CURRENT_PWD", "12345"),
                    ("NEW_PWD", "456789"),
                    ("NEW_PWD_CONFIRMATION", "12345"),
                ],
                CONFIRMATION_MISMATCH.to_string(),
            ),
            (vec![("CURRENT_PWD", "12345")], ALL_FIELDS_REQUIRED.to_string()),
            (
                vec![("CURRENT_PWD", "12345"), ("NEW_PWD", ""), ("NEW_PWD_CONFIRMATION", "")],
                format!("{POLICY_VIOLATION}^[\\S]{{5,30}}$"),
            ),
            (
                vec![
                    ("CURRENT_PWD", "12345"),
                    ("NEW_PWD", "4 56"),
                    ("NEW_PWD_CONFIRMATION", "4 56"),
                ],
                format!("{POLICY_VIOLATION}^[\\S]{{5,30}}$"),
            ),
        ];
        for (fields, text) in cases {
            let answer = browser.post("/commonauth", &form(fields)).await;
            assert_eq!(answer.status, StatusCode::FOUND, "{version}: {}", answer.body);
            let page = browser.follow(&answer).await;
            assert!(page.text().contains(&text), "{version}: want {text}: {}", page.text());
        }
        let fields = vec![
            ("CURRENT_PWD", "12345"),
            ("NEW_PWD", "456789"),
            ("NEW_PWD_CONFIRMATION", "456789"),
        ];
        let done = browser.post("/commonauth", &form(fields)).await;
        assert_eq!(done.location(), "/dashboard", "{version}: {}", done.body);
    }
}
