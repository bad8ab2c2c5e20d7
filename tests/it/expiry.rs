//! Password expiry on every release, walked as a browser walks it: a user whose password is older than the
//! limit (the update time set by the admin through the profile, as PWP's docs test it) is sent to the release's
//! change page after a correct password, cannot reuse the current one, sees WSO2's texts, and lands where the
//! login was going; a user with no update time is treated as the release treats them; a forced reset wins over
//! an expiry, and its new password starts a fresh period; `user show` says when the password expires.

use forcereset::app::Actor;
use forcereset::domain::claims;
use forcereset::domain::expiry::{
    CONFIRMATION_MISMATCH, PASSWORD_EXPIRED, POLICY_VIOLATION, SAME_AS_CURRENT, WRONG_CURRENT,
};
use forcereset::domain::governance;
use forcereset::domain::profile::Wso2Version;
use forcereset::domain::profile::expiry::Enforcer;
use forcereset::store::TenantId;
use reqwest::StatusCode;

use crate::support::TestServer;
use crate::web_client::{Browser, Page, attr};

const OLD: &str = "Abcd@123";
const NEW: &str = "Brand@New1";
const DAY: i64 = 86_400_000;
const RUSM: &str = "/services/RemoteUserStoreManagerService";
const PWD_RESET: &str = "/authenticationendpoint/pwd-reset.jsp";
const RECOVERY_CONFIRM: &str = "/accountrecoveryendpoint/password-recovery-confirm.jsp";

/// deployment.toml turning expiry on in every release: PWP's event handler (5.x–6.x) and 7.x's connector default.
pub const EXPIRY_ON: &str = "[identity_mgt.password_expiry]\nenable_password_expiry = true\n\n\
                             [[event_handler]]\nname = \"passwordExpiry\"\n\
                             subscriptions = [\"POST_UPDATE_CREDENTIAL\", \"POST_UPDATE_CREDENTIAL_BY_ADMIN\", \"POST_ADD_USER\"]\n\
                             [event_handler.properties]\npasswordExpiryInDays = \"30\"\nenableDataPublishing = false\n\
                             priorReminderTimeInDays = \"0\"\n";

fn server_for(version: Wso2Version) -> TestServer {
    TestServer::start_with(&format!("{EXPIRY_ON}\n[forcereset]\nwso2_version = \"{version}\"\n"))
}

/// `RemoteUserStoreManagerService.setUserClaimValues(user, [(uri, value)], "default")` as admin.
async fn set_claim(server: &TestServer, user: &str, uri: &str, value: &str) {
    let body = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ser="http://service.ws.um.carbon.wso2.org" xmlns:common="http://common.mgt.user.carbon.wso2.org/xsd"><soapenv:Body><ser:setUserClaimValues><ser:userName>{user}</ser:userName><ser:claims><common:claimURI>{uri}</common:claimURI><common:value>{value}</common:value></ser:claims><ser:profileName>default</ser:profileName></ser:setUserClaimValues></soapenv:Body></soapenv:Envelope>"#
    );
    let (status, answer) = server.soap(RUSM, body.into_bytes(), ("admin", "admin")).await;
    assert!(status.is_success(), "{status} {answer}");
}

fn last_update(server: &TestServer, user: &str) -> Option<i64> {
    server
        .app()
        .claim_value(&Actor::System, user, claims::LAST_PASSWORD_UPDATE_TIME, "default")
        .unwrap()
        .and_then(|v| v.parse().ok())
}

/// The page's first form: its action and hidden fields.
fn form(html: &str) -> (String, Vec<(String, String)>) {
    let tag = html.split("<form").nth(1).expect("a form").split('>').next().unwrap();
    let action = attr(tag, "action").expect("an action");
    let hidden = html
        .split("<input")
        .skip(1)
        .map(|t| t.split('>').next().unwrap())
        .filter(|t| attr(t, "type").as_deref() == Some("hidden"))
        .filter_map(|t| Some((attr(t, "name")?, attr(t, "value").unwrap_or_default())))
        .collect();
    (action, hidden)
}

/// Submit the change page's form: (current, new, confirm) under PWP's names, or the new password twice under the
/// recovery portal's.
async fn submit_change(browser: &Browser, page: &Page, current: &str, new: &str, confirm: &str) -> Page {
    let (action, mut fields) = form(&page.body);
    if page.body.contains("name=\"CURRENT_PWD\"") {
        fields.push(("CURRENT_PWD".into(), current.into()));
        fields.push(("NEW_PWD".into(), new.into()));
        fields.push(("NEW_PWD_CONFIRMATION".into(), confirm.into()));
    } else {
        fields.push(("reset-password".into(), new.into()));
        fields.push(("reset-password2".into(), confirm.into()));
    }
    browser.post(&action, &fields).await
}

/// The change page after a refused change: PWP's comes back through a redirect, 7.x's page answers at once.
async fn after_refusal(browser: &Browser, answer: Page) -> Page {
    if answer.status == StatusCode::FOUND {
        assert!(
            answer.location().contains("&authFailure=true&authFailureMsg="),
            "{}",
            answer.location()
        );
        return browser.follow(&answer).await;
    }
    answer
}

/// Log `user` in with `password` and check the release's redirect to its change page; the page.
async fn expect_change_page(server: &TestServer, version: Wso2Version, user: &str, password: &str) -> (Browser, Page) {
    let browser = Browser::new(server);
    let answer = browser.login(user, password).await;
    assert_eq!(answer.status, StatusCode::FOUND, "{version}: {}", answer.body);
    let location = answer.location().to_string();
    match version.profile().expiry.enforcer {
        Enforcer::Authenticator => {
            assert!(
                location.starts_with(&format!("{PWD_RESET}?sessionDataKey=")),
                "{version}: {location}"
            );
            assert!(
                location.ends_with(&format!(
                    "&username={user}%40carbon.super&authenticators=password-reset-enforcer:LOCAL"
                )),
                "{version}: {location}"
            );
        }
        Enforcer::PostAuthenticationHandler => {
            assert!(
                location.starts_with(&server.https(&format!("{RECOVERY_CONFIRM}?confirmation="))),
                "{version}: {location}"
            );
            let tail = if version >= Wso2Version::V7_1 {
                "&passwordExpired=true&passwordExpiredMsg=Password+has+expired"
            } else {
                "&passwordExpired=true"
            };
            assert!(location.ends_with(tail), "{version}: {location}");
        }
    }
    let page = browser.get(&location).await;
    assert_eq!(page.status, StatusCode::OK, "{version}: {}", page.body);
    (browser, page)
}

#[tokio::test]
async fn an_old_password_goes_to_the_change_page_cannot_be_reused_and_the_login_goes_on() {
    for version in Wso2Version::ALL {
        let server = server_for(version);
        let app = server.app();
        crate::support::add_login_user(&app, "tom", OLD, &[(claims::GIVEN_NAME, "Tom")]);
        // A fresh password logs in as before.
        let fresh = Browser::new(&server).login("tom", OLD).await;
        assert_eq!(fresh.location(), "/dashboard", "{version}");
        // The admin makes it 40 days old through the profile, as PWP's docs test the feature.
        let old = app.now() - 40 * DAY;
        set_claim(&server, "tom", claims::LAST_PASSWORD_UPDATE_TIME, &old.to_string()).await;

        let (browser, page) = expect_change_page(&server, version, "tom", OLD).await;
        let pwp = version.profile().expiry.enforcer == Enforcer::Authenticator;
        if pwp {
            assert!(page.body.contains("Change your password"), "{version}: {}", page.body);
            assert!(page.body.contains(">Change password</button>"), "{version}");
        } else {
            assert!(page.body.contains(PASSWORD_EXPIRED), "{version}: {}", page.body);
        }
        // The admin services' Basic auth and authenticate() are not the browser flow: the password still works.
        assert!(
            app.check_credentials(&Actor::System, "tom", &forcereset::domain::secret::Secret::new(OLD))
                .unwrap()
        );

        // The current password again: refused with PWP's text.
        let answer = submit_change(&browser, &page, OLD, OLD, OLD).await;
        let page = after_refusal(&browser, answer).await;
        assert!(page.text().contains(SAME_AS_CURRENT), "{version}: {}", page.body);
        // A confirmation that differs.
        let answer = submit_change(&browser, &page, OLD, NEW, "Brand@New2").await;
        let page = after_refusal(&browser, answer).await;
        assert!(page.text().contains(CONFIRMATION_MISMATCH), "{version}: {}", page.body);
        // The password policy.
        let answer = submit_change(&browser, &page, OLD, "x", "x").await;
        let page = after_refusal(&browser, answer).await;
        assert!(
            page.text().contains(POLICY_VIOLATION.trim()),
            "{version}: {}",
            page.body
        );
        if pwp {
            let answer = submit_change(&browser, &page, "Wrong@123", NEW, NEW).await;
            let page = after_refusal(&browser, answer).await;
            assert!(page.text().contains(WRONG_CURRENT), "{version}: {}", page.body);
        }
        assert!(
            last_update(&server, "tom") == Some(old),
            "{version}: nothing changed yet"
        );

        // The change itself.
        let before = app.now();
        let done = submit_change(&browser, &page, OLD, NEW, NEW).await;
        if pwp {
            // The login completes: on to the dashboard, where it was going.
            assert_eq!(done.status, StatusCode::FOUND, "{version}: {}", done.body);
            assert_eq!(done.location(), "/dashboard", "{version}");
            let dashboard = browser.follow(&done).await;
            assert!(dashboard.body.contains("Welcome, Tom"), "{version}: {}", dashboard.body);
        } else {
            assert_eq!(done.status, StatusCode::OK, "{version}: {}", done.body);
            assert!(
                done.body.contains("Updated the password successfully"),
                "{version}: {}",
                done.body
            );
            let again = browser.login("tom", NEW).await;
            assert_eq!(again.location(), "/dashboard", "{version}");
        }
        // A fresh period: the update time is now, and the new password signs in straight away; the old is gone.
        assert!(last_update(&server, "tom").is_some_and(|t| t >= before), "{version}");
        assert_eq!(
            Browser::new(&server).login("tom", NEW).await.location(),
            "/dashboard",
            "{version}"
        );
        let refused = Browser::new(&server).login("tom", OLD).await;
        assert!(
            refused.location().contains("authFailure=true"),
            "{version}: {}",
            refused.location()
        );
        // The page of a finished change is gone.
        let stale = browser.post(&form(&page.body).0, &form(&page.body).1).await;
        assert_ne!(stale.location(), "/dashboard", "{version}");
    }
}

#[tokio::test]
async fn a_user_without_an_update_time_must_change_at_the_first_login() {
    for version in Wso2Version::ALL {
        let server = server_for(version);
        let app = server.app();
        crate::support::add_login_user(&app, "ann", OLD, &[]);
        // As a user created before expiry was on: no lastPasswordUpdateTime (nor the fallback claim).
        app.store_for_tests()
            .write::<_, forcereset::store::StoreError>(TenantId::SUPER, |tx| {
                tx.delete_claim_value("ann", "default", claims::LAST_PASSWORD_UPDATE_TIME)
                    .map(|_| ())
            })
            .unwrap();
        assert_eq!(last_update(&server, "ann"), None);
        let (browser, page) = expect_change_page(&server, version, "ann", OLD).await;
        let done = submit_change(&browser, &page, OLD, NEW, NEW).await;
        assert!(
            done.status == StatusCode::FOUND || done.status == StatusCode::OK,
            "{version}"
        );
        assert!(
            last_update(&server, "ann").is_some(),
            "{version}: the change records the time"
        );
    }
}

#[tokio::test]
async fn a_forced_reset_wins_over_an_expiry_and_starts_a_fresh_period() {
    for version in [Wso2Version::V5_11, Wso2Version::V7_2] {
        let server = server_for(version);
        let app = server.app();
        crate::support::add_login_user(&app, "tom", OLD, &[(claims::GIVEN_NAME, "Tom")]);
        let old = app.now() - 400 * DAY;
        set_claim(&server, "tom", claims::LAST_PASSWORD_UPDATE_TIME, &old.to_string()).await;
        let mode: Vec<(String, String)> = [governance::OFFLINE, governance::OTP, governance::RECOVERY_LINK]
            .iter()
            .map(|m| (m.to_string(), (*m == governance::OFFLINE).to_string()))
            .collect();
        app.update_configurations(&Actor::System, &mode).unwrap();
        set_claim(&server, "tom", claims::ADMIN_FORCED_PASSWORD_RESET, "true").await;
        let otp = app
            .claim_value(&Actor::System, "tom", claims::ONE_TIME_PASSWORD, "default")
            .unwrap()
            .expect("an offline OTP");

        // The expired old password does not reach the change page: the reset locks it out.
        let browser = Browser::new(&server);
        let answer = browser.login("tom", OLD).await;
        assert!(
            answer.location().contains("authFailure=true"),
            "{version}: {}",
            answer.location()
        );
        // The OTP goes to the recovery portal, not to the expiry page.
        let answer = browser.login("tom", &otp).await;
        assert!(
            answer.location().contains("confirmrecovery.do"),
            "{version}: {}",
            answer.location()
        );
        let page = browser.follow(&answer).await;
        let (action, mut fields) = form(&page.body);
        fields.push(("reset-password".into(), NEW.into()));
        fields.push(("reset-password2".into(), NEW.into()));
        browser.post(&action, &fields).await;
        // The reset's new password starts a fresh period: straight to the dashboard.
        assert!(last_update(&server, "tom").is_some_and(|t| t > old), "{version}");
        assert_eq!(
            Browser::new(&server).login("tom", NEW).await.location(),
            "/dashboard",
            "{version}"
        );
    }
}

#[tokio::test]
async fn user_show_says_when_the_password_expires() {
    let server = server_for(Wso2Version::V7_2);
    crate::support::add_login_user(&server.app(), "tom", OLD, &[]);
    set_claim(&server, "tom", claims::LAST_PASSWORD_UPDATE_TIME, "1700000000000").await;
    let out = server.cli().run(&["user", "show", "tom"]);
    // 1700000000000 + 30 days (7.1+: at N whole days).
    assert!(
        out.stdout.contains("password expires: 2023-12-14T22:13:20"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    assert!(out.stdout.contains("(expired)"), "{}", out.stdout);

    let off = TestServer::start_with("[forcereset]\nwso2_version = \"5.11\"\n");
    crate::support::add_login_user(&off.app(), "tom", OLD, &[]);
    let out = off.cli().run(&["user", "show", "tom"]);
    assert!(
        out.stdout.contains("password expires: never (password expiry is off)"),
        "{}",
        out.stdout
    );
}

/// 7.1's rules by role or group, set the way its console sets them (the identity-governance REST API), on groups
/// made over SCIM: the first matching rule decides (`eq`: its period; `ne`: no expiry), a user no rule matches
/// gets the connector's period unless `skipIfNoApplicableRules`; 7.0, which has no rules, ignores them.
#[tokio::test]
async fn rules_by_group_choose_each_users_period_on_7_1() {
    use crate::scim::{ADMIN, call};
    use reqwest::Method;
    use serde_json::json;

    // base64url("Password Policies") / base64url("passwordExpiry").
    const CONNECTOR: &str = "/api/server/v1/identity-governance/UGFzc3dvcmQgUG9saWNpZXM/connectors/cGFzc3dvcmRFeHBpcnk";
    async fn group(server: &TestServer, name: &str, members: &[&str]) -> String {
        let mut ids = Vec::new();
        for m in members {
            let found = crate::scim::get(server, &format!("/scim2/Users?filter=userName+eq+{m}")).await;
            ids.push(json!({ "value": found.json()["Resources"][0]["id"] }));
        }
        let members = ids;
        let body = json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name,
                           "members": members });
        let created = call(server, Method::POST, "/scim2/Groups", Some(body), Some(ADMIN)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        created.json()["id"].as_str().unwrap().to_string()
    }
    async fn set(server: &TestServer, properties: &[(&str, String)]) {
        let properties: Vec<_> = properties
            .iter()
            .map(|(n, v)| json!({ "name": n, "value": v }))
            .collect();
        let answer = server
            .client()
            .patch(server.https(CONNECTOR))
            .basic_auth("admin", Some("admin"))
            .json(&json!({ "operation": "UPDATE", "properties": properties }))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{}", answer.text().await.unwrap());
    }
    fn shown(server: &TestServer, user: &str) -> String {
        let out = server.cli().run(&["user", "show", user]);
        out.stdout
            .lines()
            .find(|l| l.contains("password expires"))
            .unwrap_or_else(|| panic!("{}\n{}", out.stdout, out.stderr))
            .to_string()
    }

    /// `urn:scim:wso2:schema.passwordExpiryTime` of a user, asked for by `attributes`.
    async fn expiry_time(server: &TestServer, user: &str) -> Option<i64> {
        let path = format!("/scim2/Users?filter=userName+eq+{user}&attributes=urn:scim:wso2:schema.passwordExpiryTime");
        let found = crate::scim::get(server, &path).await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.text);
        found.json()["Resources"][0]["urn:scim:wso2:schema"]["passwordExpiryTime"]
            .as_str()
            .map(|v| v.parse().unwrap())
    }

    let forty_days_ago = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64)
        - 40 * DAY;
    for version in [Wso2Version::V7_0, Wso2Version::V7_2] {
        let server = server_for(version);
        for user in ["tom", "jerry", "kim"] {
            crate::support::add_login_user(&server.app(), user, OLD, &[]);
            set_claim(
                &server,
                user,
                claims::LAST_PASSWORD_UPDATE_TIME,
                &forty_days_ago.to_string(),
            )
            .await;
        }
        let staff = group(&server, "staff", &["tom"]).await;
        let robots = group(&server, "robots", &["jerry"]).await;
        set(
            &server,
            &[
                ("passwordExpiry.rule1", format!("1,90,groups,eq,{staff}")),
                ("passwordExpiry.rule2", format!("2,0,roles,ne,{robots}")),
                // Unparsable: skipped, as GOV skips it.
                ("passwordExpiry.rule3", "3,x,groups,eq,y".to_string()),
            ],
        )
        .await;
        if version == Wso2Version::V7_0 {
            // No rules in 7.0: everyone's 40-day-old password is past the 30 days.
            for user in ["tom", "jerry", "kim"] {
                assert!(
                    shown(&server, user).contains("(expired)"),
                    "{user}: {}",
                    shown(&server, user)
                );
            }
            continue;
        }
        // SCIM's computed `passwordExpiryTime` (7.1+), only when asked for: the rule's period, none for jerry.
        assert_eq!(expiry_time(&server, "tom").await, Some(forty_days_ago + 90 * DAY));
        assert_eq!(expiry_time(&server, "jerry").await, None);
        assert_eq!(expiry_time(&server, "kim").await, Some(forty_days_ago + 30 * DAY));
        let plain = crate::scim::get(&server, "/scim2/Users?filter=userName+eq+tom").await;
        assert!(
            !plain.text.contains("passwordExpiryTime"),
            "returned on request only: {}",
            plain.text
        );
        // tom's group gives 90 days: not expired, and the sign-in goes straight through.
        let tom = shown(&server, "tom");
        assert!(!tom.contains("expired") && !tom.contains("never"), "{tom}");
        let answer = Browser::new(&server).login("tom", OLD).await;
        assert!(
            !answer.location().contains(RECOVERY_CONFIRM),
            "tom is not sent to change: {}",
            answer.location()
        );
        // jerry's `ne` rule: his password does not expire.
        assert!(
            shown(&server, "jerry").contains("never (an expiry rule exempts this user)"),
            "{}",
            shown(&server, "jerry")
        );
        // kim matches no rule: the connector's 30 days, so expired, and the sign-in goes to the change page.
        assert!(shown(&server, "kim").contains("(expired)"), "{}", shown(&server, "kim"));
        expect_change_page(&server, version, "kim", OLD).await;
        // With skipIfNoApplicableRules, a user no rule matches keeps the password.
        set(
            &server,
            &[("passwordExpiry.skipIfNoApplicableRules", "true".to_string())],
        )
        .await;
        assert!(
            shown(&server, "kim").contains("never (no expiry rule applies and skipIfNoApplicableRules is on)"),
            "{}",
            shown(&server, "kim")
        );
        assert!(
            !shown(&server, "tom").contains("never"),
            "a matching rule still applies"
        );
    }
}
