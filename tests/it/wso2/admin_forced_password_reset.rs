//! WSO2's tests of the admin forced password reset, ported to run against forcereset, each on every release
//! profile it applies to:
//!
//! - product-is `modules/integration/tests-integration/tests-backend/src/test/java/org/wso2/identity/integration/
//!   test/identity/governance/AdminForcedPasswordResetTestCase.java`: the old version (tags v5.9.0, v5.10.0;
//!   must pass there; the same file is disabled in WSO2's testng.xml from v5.11.0, as the recovery portal no
//!   longer says "Updated the password successfully", so 5.11+ run it against what those releases answer instead)
//!   and the rewrite at v7.2.0 (offline, e-mailed OTP, e-mailed link: valid for every release; SMS skipped).
//! - identity-governance `components/org.wso2.carbon.identity.recovery/src/test/java/org/wso2/carbon/identity/
//!   recovery/handler/AdminForcedPasswordResetHandlerTest.java` at v1.11.145 (IS 7.2), translated into what a
//!   client sees: the notification's template, and what `updateCredentialByAdmin` does to the lock.
//!
//! Substitutes (tests-to-port.md §1): WSO2's AuthenticationAdmin login is Basic auth; UserAdmin `addRole` is
//! RemoteUserStoreManagerService `addRole` with a `ui.execute` PermissionDTO; the SAML login through `/samlsso`
//! from the dashboard app is forcereset's `/commonauth` login form with the same fields; GreenMail is the built-in
//! mailbox.

use forcereset::app::App;
use forcereset::domain::profile::Wso2Version;
use forcereset::domain::profile::recovery::Completion;
use forcereset::store::TenantId;
use reqwest::StatusCode;

use crate::support::TestServer;
use crate::web_client::{Browser, Page, unescape};

const UPM: &str = "/services/UserProfileMgtService";
const RUSM: &str = "/services/RemoteUserStoreManagerService";
const GOV: &str = "/services/IdentityGovernanceAdminService";
const ACCOUNT_LOCKED: &str = "http://wso2.org/claims/identity/accountLocked";
const ACCOUNT_STATE: &str = "http://wso2.org/claims/identity/accountState";
const LOCKED_REASON: &str = "http://wso2.org/claims/identity/lockedReason";
const FORCED_RESET: &str = "http://wso2.org/claims/identity/adminForcedPasswordReset";
const OTP_CLAIM: &str = "http://wso2.org/claims/oneTimePassword";
const EMAIL: &str = "http://wso2.org/claims/emailaddress";
const MOBILE: &str = "http://wso2.org/claims/mobile";
const OFFLINE: &str = "Recovery.AdminPasswordReset.Offline";
const EMAIL_OTP: &str = "Recovery.AdminPasswordReset.OTP";
const RECOVERY_LINK: &str = "Recovery.AdminPasswordReset.RecoveryLink";
const CONFIRM: &str = "confirmrecovery.do";
const COMPLETE: &str = "completepasswordreset.do";

// ---------------------------------------------------------------------------------------------------------------
// What WSO2's tests call, over forcereset's SOAP and pages
// ---------------------------------------------------------------------------------------------------------------

fn server_for(version: Wso2Version) -> TestServer {
    TestServer::start_with(&format!("[forcereset]\nwso2_version = \"{version}\"\n"))
}

fn envelope(payload: &str) -> String {
    format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ser="http://service.ws.um.carbon.wso2.org" xmlns:common="http://common.mgt.user.carbon.wso2.org/xsd" xmlns:dao="http://dao.service.ws.um.carbon.wso2.org/xsd" xmlns:mgt="http://mgt.profile.user.identity.carbon.wso2.org" xmlns:mgtxsd="http://mgt.profile.user.identity.carbon.wso2.org/xsd" xmlns:gov="http://governance.identity.carbon.wso2.org" xmlns:m="http://model.common.application.identity.carbon.wso2.org/xsd"><soapenv:Body>{payload}</soapenv:Body></soapenv:Envelope>"#
    )
}

/// One admin-service call as `admin` (Basic auth: WSO2's tests log in through AuthenticationAdmin, absent here).
/// Panics unless the call succeeds; returns the body.
async fn call(server: &TestServer, service: &str, payload: &str) -> String {
    let (status, body) = server.soap(service, envelope(payload), ("admin", "admin")).await;
    assert!(status.is_success(), "{service} {payload}: {status} {body}");
    body
}

/// `IdentityGovernanceAdminService.updateConfigurations`.
async fn update_configurations(server: &TestServer, properties: &[(&str, &str)]) {
    let props: String = properties
        .iter()
        .map(|(n, v)| format!("<gov:configurations><m:name>{n}</m:name><m:value>{v}</m:value></gov:configurations>"))
        .collect();
    call(
        server,
        GOV,
        &format!("<gov:updateConfigurations>{props}</gov:updateConfigurations>"),
    )
    .await;
}

/// `RemoteUserStoreManagerService.addUser(name, password, null, null, "default", false)`.
async fn add_user(server: &TestServer, name: &str, password: &str) {
    call(
        server,
        RUSM,
        &format!(
            "<ser:addUser><ser:userName>{name}</ser:userName><ser:credential>{password}</ser:credential>\
             <ser:profileName>default</ser:profileName><ser:requirePasswordChange>false</ser:requirePasswordChange>\
             </ser:addUser>"
        ),
    )
    .await;
}

/// `UserProfileMgtService.setUserProfile(user, {profileName: default, fieldValues})`.
async fn set_user_profile(server: &TestServer, user: &str, fields: &[(&str, &str)]) {
    let values: String = fields
        .iter()
        .map(|(uri, v)| {
            format!("<mgtxsd:fieldValues><mgtxsd:claimUri>{uri}</mgtxsd:claimUri><mgtxsd:fieldValue>{v}</mgtxsd:fieldValue></mgtxsd:fieldValues>")
        })
        .collect();
    call(
        server,
        UPM,
        &format!(
            "<mgt:setUserProfile><mgt:username>{user}</mgt:username><mgt:profile>{values}\
             <mgtxsd:profileName>default</mgtxsd:profileName></mgt:profile></mgt:setUserProfile>"
        ),
    )
    .await;
}

/// `RemoteUserStoreManagerService.setUserClaimValues(user, claims, null)`.
async fn set_user_claim_values(server: &TestServer, user: &str, claims: &[(&str, &str)]) {
    let values: String = claims
        .iter()
        .map(|(uri, v)| {
            format!("<ser:claims><common:claimURI>{uri}</common:claimURI><common:value>{v}</common:value></ser:claims>")
        })
        .collect();
    call(
        server,
        RUSM,
        &format!("<ser:setUserClaimValues><ser:userName>{user}</ser:userName>{values}</ser:setUserClaimValues>"),
    )
    .await;
}

/// `RemoteUserStoreManagerService.getUserClaimValuesForClaims(user, [claim], null)[0].value`, as WSO2's test
/// reads the lock. None when the array is empty.
async fn claim_for_claims(server: &TestServer, user: &str, claim: &str) -> Option<String> {
    let body = call(
        server,
        RUSM,
        &format!(
            "<ser:getUserClaimValuesForClaims><ser:userName>{user}</ser:userName><ser:claims>{claim}</ser:claims>\
             </ser:getUserClaimValuesForClaims>"
        ),
    )
    .await;
    let value = body.split(":value>").nth(1)?;
    Some(value.split('<').next().unwrap_or_default().to_string())
}

/// `RemoteUserStoreManagerService.getUserClaimValue(user, claim, "default")`: None for `xsi:nil`.
async fn claim_value(server: &TestServer, user: &str, claim: &str) -> Option<String> {
    let body = call(
        server,
        RUSM,
        &format!(
            "<ser:getUserClaimValue><ser:userName>{user}</ser:userName><ser:claim>{claim}</ser:claim>\
             <ser:profileName>default</ser:profileName></ser:getUserClaimValue>"
        ),
    )
    .await;
    let ret = body.split("return").nth(1)?;
    if ret.contains("nil=\"true\"") {
        return None;
    }
    Some(ret.split('>').nth(1)?.split('<').next().unwrap_or_default().to_string())
}

async fn update_credential_by_admin(server: &TestServer, user: &str, password: &str) {
    call(
        server,
        RUSM,
        &format!(
            "<ser:updateCredentialByAdmin><ser:userName>{user}</ser:userName><ser:newCredential>{password}\
             </ser:newCredential></ser:updateCredentialByAdmin>"
        ),
    )
    .await;
}

/// The built-in mailbox, newest first: (template, recipient, subject, body).
fn mails(app: &App) -> Vec<(String, String, String, String)> {
    app.store_for_tests()
        .read(TenantId::SUPER, |tx| tx.mails(0, 100))
        .unwrap()
        .into_iter()
        .map(|m| (m.template, m.recipient, m.subject, m.body))
        .collect()
}

/// The `href` of the first `<a>` of a mail (jsoup `doc.select("a").attr("href")`).
fn first_href(html: &str) -> String {
    html.split("<a ")
        .nth(1)
        .and_then(|a| a.split("href=\"").nth(1))
        .and_then(|h| h.split('"').next())
        .map(unescape)
        .unwrap_or_default()
}

/// A query parameter of a URL, percent-decoded.
fn query_param(url: &str, name: &str) -> Option<String> {
    url.split_once('?')?.1.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| {
            percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8()
                .unwrap()
                .into_owned()
        })
    })
}

/// A `Location` as Apache HttpClient resolves it from `/commonauth` (WSO2 5.9–5.11 send a relative one).
fn absolute(browser: &Browser, location: &str) -> String {
    if location.starts_with("http") {
        location.to_string()
    } else if location.starts_with('/') {
        browser.url(location)
    } else {
        browser.url(&format!("/{location}"))
    }
}

/// The login of WSO2's test (SAML SSO from the dashboard; substitute: forcereset's login form): the
/// `sessionDataKey` from the redirect's `Location`, then `POST /commonauth` with `username`, `password`,
/// `sessionDataKey`, `tocommonauth=true`. Returns the answer (a redirect).
async fn login(browser: &Browser, user: &str, password: &str) -> Page {
    let dashboard = browser.get("/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::FOUND, "{}", dashboard.body);
    let key = query_param(dashboard.location(), "sessionDataKey").expect("a sessionDataKey");
    let page = browser.get(&absolute(browser, dashboard.location())).await;
    assert_eq!(page.status, StatusCode::OK);
    browser
        .post(
            "/commonauth",
            &[
                ("username", user),
                ("password", password),
                ("sessionDataKey", key.as_str()),
                ("tocommonauth", "true"),
            ],
        )
        .await
}

/// The reset page of a recovery URL, and the answer to setting `password` there as WSO2's test does: a POST to
/// the same URL with `confirmrecovery.do` replaced by `completepasswordreset.do` and
/// `&reset-password=…&reset-password2=…` appended, the same fields in the form body, the code from the session.
async fn reset_through_the_portal(browser: &Browser, recovery_url: &str, password: &str) -> (Page, Page) {
    let page = browser.get(recovery_url).await;
    let fields = [("reset-password", password), ("reset-password2", password)];
    let target = format!(
        "{}&reset-password={password}&reset-password2={password}",
        recovery_url.replace(CONFIRM, COMPLETE)
    );
    let done = browser.post(&target, &fields).await;
    (page, done)
}

/// What the release answers once the password is set: "Updated the password successfully" (5.9, 5.10), or a
/// page sending the browser on to the callback with `passwordReset=true` (5.11 on).
fn assert_completed(version: Wso2Version, done: &Page) {
    assert_eq!(done.status, StatusCode::OK, "{version}: {}", done.body);
    match version.profile().recovery.completion {
        Completion::SuccessPage => {
            assert!(
                done.body.contains("Updated the password successfully"),
                "{version}: {}",
                done.body
            );
        }
        Completion::RedirectToCallback => {
            let text = done.text();
            let target = text
                .split("url=")
                .nth(1)
                .and_then(|t| t.split('"').next())
                .unwrap_or_else(|| panic!("{version}: no refresh in {text}"));
            assert!(target.ends_with("passwordReset=true"), "{version}: {target}");
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// product-is AdminForcedPasswordResetTestCase, old version (v5.9.0, v5.10.0)
// ---------------------------------------------------------------------------------------------------------------

/// product-is v5.9.0/v5.10.0 `AdminForcedPasswordResetTestCase`: offline reset, the OTP read from the claim,
/// the old password refused, the OTP leading to the reset page, the new password set and usable. Must pass on
/// 5.9 and 5.10; from 5.11 the recovery portal's final answer is the release's own (WSO2 disabled the test).
#[tokio::test]
async fn old_version_offline_reset_from_the_claim_to_a_new_password() {
    for version in Wso2Version::ALL {
        let server = server_for(version);
        // Setup (testAdminForcedPasswordReset's @BeforeClass): the offline option, the user, a login role, an
        // e-mail address.
        update_configurations(&server, &[(OFFLINE, "true"), (RECOVERY_LINK, "false")]).await;
        // The same call also sends Recovery.Notification.Password.Enable=true, a name of no admin-reset
        // connector; that updateConfigurations keeps such names is the governance port's check
        // (identity_governance.rs), so it is sent alone here and its answer not judged.
        let _ = server
            .soap(
                GOV,
                envelope(
                    "<gov:updateConfigurations><gov:configurations><m:name>Recovery.Notification.Password.Enable\
                     </m:name><m:value>true</m:value></gov:configurations></gov:updateConfigurations>",
                ),
                ("admin", "admin"),
            )
            .await;
        add_user(&server, "testUser", "Ab@123").await;
        call(
            &server,
            RUSM,
            "<ser:addRole><ser:roleName>testRole</ser:roleName><ser:userList>testUser</ser:userList>\
             <ser:permissions><dao:action>ui.execute</dao:action><dao:resourceId>/permission/admin/login\
             </dao:resourceId></ser:permissions></ser:addRole>",
        )
        .await;
        set_user_profile(&server, "testUser", &[(EMAIL, "test@test.com")]).await;

        // 1. setUserProfile(adminForcedPasswordReset=true) locks the account.
        set_user_profile(&server, "testUser", &[(FORCED_RESET, "true")]).await;
        assert_eq!(
            claim_for_claims(&server, "testUser", ACCOUNT_LOCKED).await.as_deref(),
            Some("true"),
            "{version}: AdminForcedPasswordResetTestCase v5.9.0 testAdminForcedPasswordReset: accountLocked"
        );
        // 2. The OTP is in the oneTimePassword claim (6 characters of A-Z0-9, generateOTPValue).
        let otp = claim_value(&server, "testUser", OTP_CLAIM)
            .await
            .expect("the OTP claim");
        assert!(
            otp.len() == 6 && otp.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
            "{version}: {otp}"
        );

        // 3. The old password: authFailureMsg=login.fail.message (showAuthFailureReason is off by default).
        let browser = Browser::new(&server);
        let answer = login(&browser, "testUser", "Ab@123").await;
        let msg = answer
            .location()
            .split('&')
            .find(|p| p.contains("authFailureMsg"))
            .unwrap_or_else(|| panic!("{version}: {}", answer.location()));
        assert_eq!(msg.split('=').nth(1), Some("login.fail.message"), "{version}");

        // 4. The OTP as the password: the recovery page with confirmation=<OTP>.
        let answer = login(&browser, "testUser", &otp).await;
        assert_eq!(answer.status, StatusCode::FOUND, "{version}: {}", answer.body);
        assert!(answer.location().contains(CONFIRM), "{version}: {}", answer.location());
        assert_eq!(
            query_param(answer.location(), "confirmation"),
            Some(otp.clone()),
            "{version}"
        );

        // 5. and 6. The page says "Enter New Password"; the new password is set with the session's code.
        let recovery_url = absolute(&browser, answer.location());
        let (page, done) = reset_through_the_portal(&browser, &recovery_url, "AbNew@123").await;
        assert!(page.body.contains("Enter New Password"), "{version}: {}", page.body);
        assert_completed(version, &done);

        // 7. The new password logs in (the original then reaches the dashboard app through SAML).
        let answer = login(&Browser::new(&server), "testUser", "AbNew@123").await;
        assert_eq!(answer.location(), "/dashboard", "{version}");
        assert_eq!(
            claim_for_claims(&server, "testUser", ACCOUNT_LOCKED).await.as_deref(),
            Some("false")
        );

        // Cleanup: UserAdmin deleteUser/deleteRole (substitute: RemoteUserStoreManagerService).
        call(
            &server,
            RUSM,
            "<ser:deleteUser><ser:userName>testUser</ser:userName></ser:deleteUser>",
        )
        .await;
        call(
            &server,
            RUSM,
            "<ser:deleteRole><ser:roleName>testRole</ser:roleName></ser:deleteRole>",
        )
        .await;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// product-is AdminForcedPasswordResetTestCase, new version (v7.2.0)
// ---------------------------------------------------------------------------------------------------------------

/// Exactly one admin-reset option on (v7.2.0's `updateAdminPasswordResetRecoveryEmailConfig` and siblings),
/// then the trigger, then the lock (`getUserClaimValuesForClaims(…)[0]`); after each method the test unlocks with
/// `setUserProfile(accountLocked=false)`, which must be accepted.
async fn trigger_with(server: &TestServer, version: Wso2Version, option: &str) {
    let props: Vec<(&str, &str)> = [OFFLINE, RECOVERY_LINK, EMAIL_OTP]
        .into_iter()
        .map(|p| (p, if p == option { "true" } else { "false" }))
        .collect();
    update_configurations(server, &props).await;
    set_user_profile(server, "testUser", &[(FORCED_RESET, "true")]).await;
    let locked = claim_for_claims(server, "testUser", ACCOUNT_LOCKED).await;
    assert_eq!(
        locked.as_deref().map(str::to_ascii_lowercase).as_deref(),
        Some("true"),
        "{version} {option}: AdminForcedPasswordResetTestCase v7.2.0: accountLocked"
    );
}

/// product-is v7.2.0 `AdminForcedPasswordResetTestCase`: testOfflinePasswordResetOTP,
/// testEmailOTPPasswordReset and testEmailLinkPasswordReset, on every release (the options and their effects
/// are the same since 5.9). testSMSOTPPasswordReset is skipped: forcereset sends no SMS and has no notification
/// sender REST API (whether 7.2 accepts `Recovery.AdminPasswordReset.SMSOTP` is the connector port's check).
#[tokio::test]
async fn new_version_offline_email_otp_and_email_link() {
    for version in Wso2Version::ALL {
        let server = server_for(version);
        let app = server.app();
        add_user(&server, "testUser", "Abcd@123").await;
        set_user_profile(&server, "testUser", &[(EMAIL, "test@test.com")]).await;
        set_user_profile(&server, "testUser", &[(MOBILE, "+94674898234")]).await;

        // testOfflinePasswordResetOTP: the OTP claim is not blank.
        trigger_with(&server, version, OFFLINE).await;
        let otp = claim_value(&server, "testUser", OTP_CLAIM).await;
        assert!(otp.is_some_and(|o| !o.trim().is_empty()), "{version}: offline OTP");
        set_user_profile(&server, "testUser", &[(ACCOUNT_LOCKED, "false")]).await;

        // testEmailOTPPasswordReset: one mail; its first <b> (after quoted-printable soft breaks are removed)
        // holds the OTP, not blank.
        let before = mails(&app).len();
        trigger_with(&server, version, EMAIL_OTP).await;
        let all = mails(&app);
        assert_eq!(all.len(), before + 1, "{version}: exactly one mail");
        let body = all[0].3.replace("=\r\n", "").replace("=\n", "");
        assert!(
            !crate::support::first_bold(&body).is_empty(),
            "{version}: the OTP in the first <b>"
        );
        set_user_profile(&server, "testUser", &[(ACCOUNT_LOCKED, "false")]).await;

        // testEmailLinkPasswordReset: one mail; the href of its first <a> is not blank.
        let before = mails(&app).len();
        trigger_with(&server, version, RECOVERY_LINK).await;
        let all = mails(&app);
        assert_eq!(all.len(), before + 1, "{version}: exactly one mail");
        assert!(!first_href(&all[0].3).trim().is_empty(), "{version}: the link");
        set_user_profile(&server, "testUser", &[(ACCOUNT_LOCKED, "false")]).await;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// identity-governance AdminForcedPasswordResetHandlerTest (v1.11.145), black-box
// ---------------------------------------------------------------------------------------------------------------

/// `testHandleEventForEmailOTP` / `testHandleEventForEmailLink`: the trigger sends the notification of its mode
/// (`TEMPLATE_TYPE` adminforcedpasswordresetwithotp or adminforcedpasswordreset) to the user's e-mail address;
/// the link carries a v4 UUID code (`UUID.randomUUID()`; registry `UUIDGenerator` before v1.9.6, same output).
/// `testHandleEventForSMSOTP`: skipped (no SMS). `getName`/`getFriendlyName`: not observable over the wire.
#[tokio::test]
async fn the_trigger_sends_the_template_of_its_mode() {
    for version in [Wso2Version::V5_9, Wso2Version::V5_11, Wso2Version::V7_2] {
        let server = server_for(version);
        let app = server.app();
        add_user(&server, "testUser", "Abcd@123").await;
        set_user_profile(&server, "testUser", &[(EMAIL, "test@test.com")]).await;

        trigger_with(&server, version, EMAIL_OTP).await;
        let (template, to, subject, _) = mails(&app).remove(0);
        assert_eq!(template, "adminforcedpasswordresetwithotp", "{version}");
        assert_eq!(
            (to.as_str(), subject.as_str()),
            ("test@test.com", "WSO2 - Admin Forced Password Reset")
        );

        trigger_with(&server, version, RECOVERY_LINK).await;
        let (template, to, _, body) = mails(&app).remove(0);
        assert_eq!(
            (template.as_str(), to.as_str()),
            ("adminforcedpasswordreset", "test@test.com")
        );
        let link = first_href(&body);
        assert!(link.contains("/accountrecoveryendpoint/confirmrecovery.do?"), "{link}");
        let code = query_param(&link, "confirmation").unwrap();
        assert!(
            code.len() == 36
                && code.chars().nth(14) == Some('4')
                && code
                    .chars()
                    .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)),
            "{version}: a lower-case v4 UUID: {code}"
        );
        for (param, value) in [
            ("username", "testUser"),
            ("userstoredomain", "PRIMARY"),
            ("tenantdomain", "carbon.super"),
        ] {
            assert_eq!(query_param(&link, param).as_deref(), Some(value), "{version}: {link}");
        }
    }
}

/// `testHandleEventForPostUpdateCredentialsByAdmin…` (v1.11.145: handleUpdateCredentialsByAdmin and
/// handleAccountUnlockOnAdminPasswordReset), through `updateCredentialByAdmin`:
///
/// - locked for a pending forced reset: 7.2 unlocks (`accountLocked=false`, `lockedReason` emptied,
///   `accountState=UNLOCKED`) and the code is gone (the OTP no longer leads to the reset page). Earlier releases:
///   WSO2 does nothing (5.9–5.11) or drops the code and keeps the lock (6.0–7.1); forcereset cancels and unlocks
///   in every release (a deliberate deviation, docs/COMPATIBILITY.md).
/// - locked for another reason (`MAX_ATTEMPTS_EXCEEDED`): claims unchanged, in every release.
/// - unlocked with `accountState=PENDING_AP`: 7.2 writes `accountLocked=false`, `accountState=UNLOCKED`; earlier
///   releases change nothing.
/// - unlocked in `PENDING_SR`, `PENDING_LR`, `DISABLED` or `UNLOCKED`: no claim written, in every release.
#[tokio::test]
async fn an_admin_password_update_and_the_lock() {
    for version in Wso2Version::ALL {
        let server = server_for(version);
        add_user(&server, "testUser", "Abcd@123").await;
        update_configurations(&server, &[(OFFLINE, "true")]).await;

        // Locked for a pending forced reset.
        set_user_profile(&server, "testUser", &[(FORCED_RESET, "true")]).await;
        let otp = claim_value(&server, "testUser", OTP_CLAIM).await.unwrap();
        update_credential_by_admin(&server, "testUser", "Admin@123").await;
        assert_eq!(
            claim_for_claims(&server, "testUser", ACCOUNT_LOCKED).await.as_deref(),
            Some("false")
        );
        assert_eq!(claim_value(&server, "testUser", LOCKED_REASON).await, None, "{version}");
        assert_eq!(
            claim_value(&server, "testUser", ACCOUNT_STATE).await.as_deref(),
            Some("UNLOCKED"),
            "{version}"
        );
        let browser = Browser::new(&server);
        let answer = login(&browser, "testUser", &otp).await;
        assert!(
            !answer.location().contains(CONFIRM),
            "{version}: the code is gone: {}",
            answer.location()
        );
        let answer = login(&browser, "testUser", "Admin@123").await;
        assert_eq!(answer.location(), "/dashboard", "{version}");

        // Locked for another reason: unchanged.
        set_user_claim_values(
            &server,
            "testUser",
            &[(ACCOUNT_LOCKED, "true"), (LOCKED_REASON, "MAX_ATTEMPTS_EXCEEDED")],
        )
        .await;
        update_credential_by_admin(&server, "testUser", "Admin@124").await;
        assert_eq!(
            claim_value(&server, "testUser", ACCOUNT_LOCKED).await.as_deref(),
            Some("true")
        );
        assert_eq!(
            claim_value(&server, "testUser", LOCKED_REASON).await.as_deref(),
            Some("MAX_ATTEMPTS_EXCEEDED"),
            "{version}"
        );

        // Unlocked, waiting for the user to set a password (ask password).
        set_user_claim_values(
            &server,
            "testUser",
            &[
                (ACCOUNT_LOCKED, "false"),
                (LOCKED_REASON, ""),
                (ACCOUNT_STATE, "PENDING_AP"),
            ],
        )
        .await;
        update_credential_by_admin(&server, "testUser", "Admin@125").await;
        let want = if version >= Wso2Version::V7_2 {
            "UNLOCKED"
        } else {
            "PENDING_AP"
        };
        assert_eq!(
            claim_value(&server, "testUser", ACCOUNT_STATE).await.as_deref(),
            Some(want),
            "{version}"
        );

        // Other states: nothing written.
        for state in ["PENDING_SR", "PENDING_LR", "DISABLED", "UNLOCKED"] {
            set_user_claim_values(&server, "testUser", &[(ACCOUNT_STATE, state)]).await;
            update_credential_by_admin(&server, "testUser", "Admin@126").await;
            assert_eq!(
                claim_value(&server, "testUser", ACCOUNT_STATE).await.as_deref(),
                Some(state),
                "{version}"
            );
            assert_eq!(
                claim_value(&server, "testUser", ACCOUNT_LOCKED).await.as_deref(),
                Some("false")
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The seed's three flows through the portal, on every release
// ---------------------------------------------------------------------------------------------------------------

/// Not a WSO2 test: the seed's three flows (offline OTP, e-mailed OTP, e-mailed link) end to end through the
/// recovery portal on every release, with the release's texts (versions.md rows 25–27; identity-governance's
/// 18001 quoting: 'X.' up to v1.4.72, 'X'. from v1.6.3). Password expiry is on (`expiry::EXPIRY_ON`): the
/// reset's new password starts a fresh period, so the final login still lands on the dashboard.
#[tokio::test]
async fn the_three_flows_complete_through_the_portal_on_every_release() {
    for version in Wso2Version::ALL {
        let server = TestServer::start_with(&format!(
            "{}\n[forcereset]\nwso2_version = \"{version}\"\n",
            crate::expiry::EXPIRY_ON
        ));
        let app = server.app();
        for (user, option) in [
            ("offline", OFFLINE),
            ("mailedotp", EMAIL_OTP),
            ("mailedlink", RECOVERY_LINK),
        ] {
            add_user(&server, user, "Abcd@123").await;
            set_user_profile(&server, user, &[(EMAIL, &format!("{user}@example.com"))]).await;
            let props: Vec<(&str, &str)> = [OFFLINE, RECOVERY_LINK, EMAIL_OTP]
                .into_iter()
                .map(|p| (p, if p == option { "true" } else { "false" }))
                .collect();
            update_configurations(&server, &props).await;
            set_user_profile(&server, user, &[(FORCED_RESET, "true")]).await;
            let browser = Browser::new(&server);
            let recovery_url = match option {
                OFFLINE | EMAIL_OTP => {
                    let otp = if option == OFFLINE {
                        claim_value(&server, user, OTP_CLAIM).await.unwrap()
                    } else {
                        crate::support::first_bold(&mails(&app)[0].3)
                    };
                    let answer = login(&browser, user, &otp).await;
                    absolute(&browser, answer.location())
                }
                _ => first_href(&mails(&app)[0].3),
            };
            assert!(recovery_url.contains(CONFIRM), "{version} {user}: {recovery_url}");

            // A link checker's HEAD spends nothing and opens nothing.
            let head = browser.client.head(&recovery_url).send().await.unwrap();
            assert_eq!(head.status(), StatusCode::OK);
            assert!(head.headers().get("set-cookie").is_none(), "{version} {user}");

            // A wrong code: 18001, quoted as the release quotes it.
            let code = query_param(&recovery_url, "confirmation").unwrap();
            let wrong = browser.get(&recovery_url.replace(&code, "WRONG1")).await;
            let quoted = if version >= Wso2Version::V6_0 {
                "WRONG1&#x27;."
            } else {
                "WRONG1.&#x27;"
            };
            assert!(
                wrong.body.contains("18001") && wrong.body.contains(quoted),
                "{version}: {}",
                wrong.body
            );

            let (page, done) = reset_through_the_portal(&browser, &recovery_url, "Brand@New1").await;
            assert!(page.body.contains("Reset Password"), "{version} {user}: {}", page.body);
            let label = version.profile().recovery.submit_label;
            assert!(
                page.body.contains(&format!(">{label}</button>")),
                "{version}: {}",
                page.body
            );
            assert_completed(version, &done);
            let answer = login(&Browser::new(&server), user, "Brand@New1").await;
            assert_eq!(answer.location(), "/dashboard", "{version} {user}");
        }
    }
}
