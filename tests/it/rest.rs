//! The REST adapter end to end: every identity-governance endpoint and error on every release profile, the one
//! truth the REST API, the admin service and the console share, `resend-code` (a new code, the old one dead,
//! exactly one new mail, atomically), and a third-party client (Python `requests`) running WSO2's documented
//! curl examples.

use forcereset::app::{Actor, App, CodeCheck};
use forcereset::domain::governance::{OFFLINE, OTP, RECOVERY_LINK};
use forcereset::domain::profile::Wso2Version;
use forcereset::store::TenantId;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::web_client::{Browser, attr};

pub(crate) const GOVERNANCE: &str = "/api/server/v1/identity-governance";
const RESEND_CODE: &str = "/api/identity/user/v1.0/resend-code";
/// `Account Management` (5.11 on) and `Account Management Policies` (5.10).
pub(crate) const ACCOUNT_MANAGEMENT: &str = "QWNjb3VudCBNYW5hZ2VtZW50";
pub(crate) const ACCOUNT_MANAGEMENT_POLICIES: &str = "QWNjb3VudCBNYW5hZ2VtZW50IFBvbGljaWVz";
pub(crate) const RESET_CONNECTOR: &str = "YWRtaW4tZm9yY2VkLXBhc3N3b3JkLXJlc2V0";
const LOCK_CONNECTOR: &str = "YWNjb3VudC5sb2NrLmhhbmRsZXI";
const EMAIL: &str = "http://wso2.org/claims/emailaddress";
const LINK_SCENARIO: &str = "ADMIN_FORCED_PASSWORD_RESET_VIA_EMAIL_LINK";
const OTP_SCENARIO: &str = "ADMIN_FORCED_PASSWORD_RESET_VIA_OTP";

/// One REST answer.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {} {}", self.status, self.body))
    }

    /// An `IDG-…` (or other `ErrorDTO`) error's code, checked to carry a trace id.
    pub fn error_code(&self) -> String {
        let v = self.json();
        assert!(v["traceId"].as_str().is_some_and(|t| !t.is_empty()), "{}", self.body);
        v["code"].as_str().unwrap_or_default().to_string()
    }
}

/// `method path` over HTTPS with Basic `auth` and a JSON `body`.
pub(crate) async fn call(
    server: &TestServer,
    method: Method,
    path: &str,
    auth: Option<(&str, &str)>,
    body: Option<&str>,
) -> Answer {
    let mut req = server.client().request(method, server.https(path));
    if let Some((user, password)) = auth {
        req = req.basic_auth(user, Some(password));
    }
    if let Some(body) = body {
        req = req.header("Content-Type", "application/json").body(body.to_string());
    }
    let resp = req.send().await.unwrap();
    Answer {
        status: resp.status(),
        headers: resp.headers().clone(),
        body: resp.text().await.unwrap(),
    }
}

pub(crate) async fn admin(server: &TestServer, method: Method, path: &str, body: Option<&str>) -> Answer {
    call(server, method, path, Some(("admin", "admin")), body).await
}

fn server_for(v: Wso2Version) -> TestServer {
    TestServer::start_with(&format!("[forcereset]\nwso2_version = \"{v}\"\n"))
}

/// The reset connector's path on a release whose category id is `category`.
fn connector_path(category: &str) -> String {
    format!("{GOVERNANCE}/{category}/connectors/{RESET_CONNECTOR}")
}

fn patch_body(pairs: &[(&str, &str)]) -> String {
    let properties: Vec<Value> = pairs.iter().map(|(n, v)| json!({"name": n, "value": v})).collect();
    json!({"operation": "UPDATE", "properties": properties}).to_string()
}

/// A property's value in a connector's JSON.
fn value_in(connector: &Value, name: &str) -> Option<String> {
    connector["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["value"].as_str())
        .map(str::to_string)
}

fn add_user(app: &App, name: &str, email: Option<&str>) {
    let claims: Vec<(&str, &str)> = email.map(|e| (EMAIL, e)).into_iter().collect();
    crate::support::add_login_user(app, name, "Abcd@1234", &claims);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_governance_endpoint_and_error_answers_as_the_release_does() {
    for v in Wso2Version::ALL {
        let server = server_for(v);
        let profile = v.profile();
        let Some(api) = profile.rest.governance else {
            // IS 5.9 ships no identity-governance API: the path is unknown.
            assert_eq!(
                admin(&server, Method::GET, GOVERNANCE, None).await.status,
                StatusCode::NOT_FOUND
            );
            continue;
        };
        let (mine, other) = if v == Wso2Version::V5_10 {
            (ACCOUNT_MANAGEMENT_POLICIES, ACCOUNT_MANAGEMENT)
        } else {
            (ACCOUNT_MANAGEMENT, ACCOUNT_MANAGEMENT_POLICIES)
        };

        // GET /identity-governance: the categories, with their connectors' ids and self links.
        let list = admin(&server, Method::GET, GOVERNANCE, None).await;
        assert_eq!(list.status, StatusCode::OK, "{v}: {}", list.body);
        assert_eq!(list.headers["content-type"], "application/json");
        let categories = list.json();
        let reset_category = categories
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == mine)
            .unwrap_or_else(|| panic!("{v}: {}", list.body));
        let tenant = if v <= Wso2Version::V6_1 { "/t/carbon.super" } else { "" };
        assert_eq!(
            reset_category["self"],
            format!("{tenant}/api/server/v1/identity-governance/{mine}"),
            "{v}"
        );
        assert_eq!(reset_category["connectors"][0]["id"], RESET_CONNECTOR, "{v}");
        assert_eq!(
            reset_category["connectors"][0]["self"],
            format!("{tenant}/api/server/v1/identity-governance/{mine}/connectors/{RESET_CONNECTOR}")
        );
        assert!(!list.body.contains(&format!("\"{other}\"")), "{v}: {}", list.body);

        // limit, offset, filter, sort: 501, the first one present reported.
        for (query, code) in [
            ("limit=10", "IDG-50005"),
            ("offset=1", "IDG-50005"),
            ("filter=name+eq+x", "IDG-50006"),
            ("sort=asc", "IDG-50007"),
            ("sort=asc&limit=1", "IDG-50005"),
        ] {
            let refused = admin(&server, Method::GET, &format!("{GOVERNANCE}?{query}"), None).await;
            assert_eq!(refused.status, StatusCode::NOT_IMPLEMENTED, "{v} {query}");
            assert_eq!(refused.error_code(), code, "{v} {query}");
        }

        // GET a category: its name and full connectors, no id.
        let category = admin(&server, Method::GET, &format!("{GOVERNANCE}/{mine}"), None).await;
        assert_eq!(category.status, StatusCode::OK, "{v}: {}", category.body);
        let category = category.json();
        assert_eq!(category["name"], profile.governance.reset_connector().category);
        assert!(category.get("id").is_none());
        let connector = &category["connectors"][0];
        assert_eq!(connector["name"], "admin-forced-password-reset");
        assert_eq!(connector["friendlyName"], "Password Reset");
        assert_eq!(connector["order"], 0);
        assert_eq!(connector["subCategory"], "DEFAULT");
        let link = &connector["properties"][0];
        assert_eq!(link["name"], RECOVERY_LINK);
        assert_eq!(link["value"], "false");
        let label = if v == Wso2Version::V5_10 {
            "Enable Password Reset via Recovery Email"
        } else {
            "Enable password reset via recovery e-mail"
        };
        assert_eq!(link["displayName"], label, "{v}");
        assert_eq!(link["description"], "User gets notified with a link to reset password");
        // `meta` from 6.0 (MetaRes, identity-api-server v1.2.3).
        assert_eq!(link.get("meta").is_some(), v >= Wso2Version::V6_0, "{v}: {link}");
        assert_eq!(link.get("meta").is_some(), api.property_meta);

        // The other release's category id is unknown here; so is a junk one (WSO2's own failure test).
        for id in [other, "randomCategory"] {
            let missing = admin(&server, Method::GET, &format!("{GOVERNANCE}/{id}"), None).await;
            assert_eq!(missing.status, StatusCode::NOT_FOUND, "{v} {id}");
            assert_eq!(missing.error_code(), "IDG-50008");
            let description = missing.json()["description"].as_str().unwrap().to_string();
            if v <= Wso2Version::V5_11 {
                // String.format(desc, (Object) data): Java's array, not the id.
                assert!(description.contains("[Ljava.lang.String;@"), "{description}");
            } else {
                assert_eq!(
                    description,
                    format!("Unable to find any category with the provided identifier {id}.")
                );
            }
        }

        // GET a category's connectors.
        let connectors = admin(&server, Method::GET, &format!("{GOVERNANCE}/{mine}/connectors"), None).await;
        assert_eq!(connectors.status, StatusCode::OK);
        assert_eq!(connectors.json()[0]["id"], RESET_CONNECTOR);

        // GET a connector; a connector of another category (or an unknown one) is 404 IDG-50009.
        let one = admin(&server, Method::GET, &connector_path(mine), None).await;
        assert_eq!(one.status, StatusCode::OK, "{v}: {}", one.body);
        assert_eq!(one.json()["category"], profile.governance.reset_connector().category);
        for path in [
            format!("{GOVERNANCE}/{mine}/connectors/{LOCK_CONNECTOR}"),
            connector_path(other),
            format!("{GOVERNANCE}/randomCategory/connectors/randomConnector"),
            // The category id must be exactly the unpadded one (getGovernanceConnector compares strings).
            connector_path(&format!("{mine}=")).replace("==", "="),
        ] {
            let missing = admin(&server, Method::GET, &path, None).await;
            assert_eq!(missing.status, StatusCode::NOT_FOUND, "{v} {path}: {}", missing.body);
            assert_eq!(missing.error_code(), "IDG-50009", "{v} {path}");
        }
        // The tenant-qualified path answers the same.
        let tenanted = admin(
            &server,
            Method::GET,
            &format!("/t/carbon.super{}", connector_path(mine)),
            None,
        )
        .await;
        assert_eq!(tenanted.body, one.body);

        // PATCH: 200 with no body; any name is stored, unvalidated as in WSO2.
        let patched = admin(
            &server,
            Method::PATCH,
            &connector_path(mine),
            Some(&patch_body(&[(RECOVERY_LINK, "true"), ("my.own.property", "42")])),
        )
        .await;
        assert_eq!((patched.status, patched.body.as_str()), (StatusCode::OK, ""), "{v}");
        let after = admin(&server, Method::GET, &connector_path(mine), None).await.json();
        assert_eq!(value_in(&after, RECOVERY_LINK).as_deref(), Some("true"));
        let stored = server
            .app()
            .store_for_tests()
            .read(TenantId::SUPER, |tx| tx.governance_properties())
            .unwrap();
        assert!(stored.contains(&("my.own.property".into(), "42".into())), "{stored:?}");

        // A value the connector refuses: 400 IDG-50013 from 7.1, 500 IDG-50004 before; nothing stored.
        let refused = admin(
            &server,
            Method::PATCH,
            &connector_path(mine),
            Some(&patch_body(&[(OFFLINE, "true"), (RECOVERY_LINK, "maybe")])),
        )
        .await;
        let (status, code) = if v >= Wso2Version::V7_1 {
            (StatusCode::BAD_REQUEST, "IDG-50013")
        } else {
            (StatusCode::INTERNAL_SERVER_ERROR, "IDG-50004")
        };
        assert_eq!(refused.status, status, "{v}: {}", refused.body);
        assert_eq!(refused.error_code(), code);
        let after = admin(&server, Method::GET, &connector_path(mine), None).await.json();
        assert_eq!(value_in(&after, OFFLINE).as_deref(), Some("false"), "{v}");

        // A body that is not ConnectorsPatchReq: the dispatcher's 400 UE-10000.
        for body in [
            "{",
            r#"{"operation":"DELETE","properties":[]}"#,
            r#"{"properties":[{"name":"a","value":"b"}]}"#,
            r#"{"operation":"UPDATE","properties":[{"name":"a","value":{}}]}"#,
        ] {
            let bad = admin(&server, Method::PATCH, &connector_path(mine), Some(body)).await;
            assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{v} {body}");
            assert_eq!(bad.error_code(), "UE-10000");
        }
        // PATCH of an unknown connector: 404 before the body is read.
        let missing = admin(&server, Method::PATCH, &connector_path(other), Some("{")).await;
        assert_eq!(missing.error_code(), "IDG-50009");

        // Several connectors at once (7.0 on); before, the path has no PATCH.
        let multi = json!({"operation": "UPDATE", "connectors": [
            {"id": RESET_CONNECTOR, "properties": [{"name": RECOVERY_LINK, "value": "false"},
                                                 {"name": OFFLINE, "value": "true"}]}]})
        .to_string();
        let answer = admin(
            &server,
            Method::PATCH,
            &format!("{GOVERNANCE}/{mine}/connectors/"),
            Some(&multi),
        )
        .await;
        if v >= Wso2Version::V7_0 {
            assert_eq!((answer.status, answer.body.as_str()), (StatusCode::OK, ""), "{v}");
            let after = admin(&server, Method::GET, &connector_path(mine), None).await.json();
            assert_eq!(value_in(&after, RECOVERY_LINK).as_deref(), Some("false"));
            assert_eq!(value_in(&after, OFFLINE).as_deref(), Some("true"));
            let wrong = json!({"operation": "UPDATE", "connectors": [
                {"id": LOCK_CONNECTOR, "properties": [{"name": RECOVERY_LINK, "value": "true"}]}]})
            .to_string();
            let refused = admin(
                &server,
                Method::PATCH,
                &format!("{GOVERNANCE}/{mine}/connectors"),
                Some(&wrong),
            )
            .await;
            assert_eq!(refused.error_code(), "IDG-50009");
            let refused = admin(
                &server,
                Method::PATCH,
                &format!("{GOVERNANCE}/{other}/connectors"),
                Some(&multi),
            )
            .await;
            assert_eq!(refused.error_code(), "IDG-50008");
        } else {
            assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{v}");
            assert_eq!(answer.headers["allow"], "GET");
        }

        // POST /identity-governance/preferences (6.0 on): values by connector name, any signed-in user.
        add_user(&server.app(), "carol", None);
        let current = value_in(
            &admin(&server, Method::GET, &connector_path(mine), None).await.json(),
            RECOVERY_LINK,
        );
        let search =
            json!([{"connector-name": "admin-forced-password-reset", "properties": [RECOVERY_LINK]}]).to_string();
        let path = format!("{GOVERNANCE}/preferences");
        let prefs = call(
            &server,
            Method::POST,
            &path,
            Some(("carol", "Abcd@1234")),
            Some(&search),
        )
        .await;
        if v >= Wso2Version::V6_0 {
            assert_eq!(prefs.status, StatusCode::OK, "{v}: {}", prefs.body);
            assert_eq!(
                prefs.json(),
                json!([{"connector-name": "admin-forced-password-reset",
                        "properties": [{"name": RECOVERY_LINK, "value": current}]}])
            );
            let all = admin(
                &server,
                Method::POST,
                &path,
                Some(r#"[{"connector-name":"admin-forced-password-reset"}]"#),
            )
            .await;
            assert_eq!(
                all.json()[0]["properties"].as_array().unwrap().len(),
                profile.governance.reset_connector().properties.len()
            );
            let bad = admin(
                &server,
                Method::POST,
                &path,
                Some(r#"[{"connector-name":"self-sin-up"}]"#),
            )
            .await;
            assert_eq!(
                (bad.status, bad.error_code()),
                (StatusCode::BAD_REQUEST, "IDG-50011".into())
            );
            assert!(bad.body.contains("self-sin-up"), "{}", bad.body);
            let bad = admin(
                &server,
                Method::POST,
                &path,
                Some(r#"[{"connector-name":"admin-forced-password-reset","properties":["SelfRegistration.Enble"]}]"#),
            )
            .await;
            assert_eq!(
                (bad.status, bad.error_code()),
                (StatusCode::BAD_REQUEST, "IDG-50012".into())
            );
        } else {
            // `preferences` is taken for a category id, which has no POST.
            assert_eq!(prefs.status, StatusCode::METHOD_NOT_ALLOWED, "{v}");
        }

        // Neither the admin service's permission nor the REST one: the valve's 403, nothing read.
        let forbidden = call(&server, Method::GET, GOVERNANCE, Some(("carol", "Abcd@1234")), None).await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN, "{v}");
        let unauthenticated = call(&server, Method::GET, GOVERNANCE, None, None).await;
        assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED, "{v}");
        let wrong = call(&server, Method::GET, GOVERNANCE, Some(("admin", "nope")), None).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{v}");
        let challenge = |a: &Answer| {
            a.headers
                .get("www-authenticate")
                .map(|h| h.to_str().unwrap().to_string())
        };
        if v <= Wso2Version::V5_11 {
            // Tomcat's error page after `sendError`, `realm user="…"`.
            assert!(forbidden.body.contains("HTTP Status 403"), "{}", forbidden.body);
            assert_eq!(challenge(&forbidden).as_deref(), Some("realm user=\"carol\""));
            assert_eq!(challenge(&unauthenticated).as_deref(), Some("realm user=\"\""));
        } else {
            let body: Value = serde_json::from_str(&forbidden.body).unwrap();
            assert_eq!(body["code"], 403);
            assert_eq!(body["message"], "Forbidden");
            assert!(
                forbidden.body.contains("\n  \"code\": 403"),
                "org.json's indent of 2: {}",
                forbidden.body
            );
            let body: Value = serde_json::from_str(&unauthenticated.body).unwrap();
            assert_eq!(
                (body["code"].clone(), body["message"].clone()),
                (json!(401), json!("Unauthorized"))
            );
            if v == Wso2Version::V6_0 {
                assert_eq!(challenge(&forbidden).as_deref(), Some("realm user=\"carol\""));
            } else {
                assert_eq!(challenge(&unauthenticated).as_deref(), Some("Bearer realm=localhost"));
                assert_eq!(challenge(&forbidden), None);
            }
        }
        // A method no row has: 405 naming the ones there are.
        let delete = admin(&server, Method::DELETE, &connector_path(mine), None).await;
        assert_eq!(delete.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(delete.headers["allow"], "GET, PATCH");
    }
}

/// Plain HTTP is refused like the admin services', unless allowed.
#[tokio::test(flavor = "multi_thread")]
async fn the_rest_apis_answer_on_https_only() {
    let server = TestServer::start();
    let resp = server
        .client()
        .get(server.http(GOVERNANCE))
        .basic_auth("admin", Some("admin"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.text().await.unwrap().contains("HTTPS only"));
}

const GOV_SERVICE: &str = "/services/IdentityGovernanceAdminService";

fn envelope(payload: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:gov="http://governance.identity.carbon.wso2.org" xmlns:m="http://model.common.application.identity.carbon.wso2.org/xsd"><s:Body>{payload}</s:Body></s:Envelope>"#
    )
}

/// A property's value in `getConnectorList`.
async fn soap_value(server: &TestServer, name: &str) -> String {
    let (status, body) = server
        .soap(GOV_SERVICE, envelope("<gov:getConnectorList/>"), ("admin", "admin"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = body
        .split(&format!(">{name}</"))
        .nth(1)
        .unwrap_or_else(|| panic!("{body}"));
    let value = after.split("value>").nth(1).unwrap();
    value.split('<').next().unwrap().to_string()
}

/// `updateConfigurations`, as WSO2's own tests call it.
async fn soap_update(server: &TestServer, pairs: &[(&str, &str)]) {
    let properties: String = pairs
        .iter()
        .map(|(n, v)| format!("<gov:configurations><m:name>{n}</m:name><m:value>{v}</m:value></gov:configurations>"))
        .collect();
    let (status, body) = server
        .soap(
            GOV_SERVICE,
            envelope(&format!(
                "<gov:updateConfigurations>{properties}</gov:updateConfigurations>"
            )),
            ("admin", "admin"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Is the console's checkbox for `name` ticked?
fn console_ticked(html: &str, name: &str) -> bool {
    html.split("<input")
        .skip(1)
        .map(|t| t.split('>').next().unwrap())
        .find(|t| attr(t, "name").as_deref() == Some(name) && attr(t, "type").as_deref() == Some("checkbox"))
        .is_some_and(|t| t.contains(" checked"))
}

/// One truth: a value changed through REST is what the admin service and the console read, and the other ways
/// round.
#[tokio::test(flavor = "multi_thread")]
async fn rest_soap_and_console_share_one_truth() {
    let server = server_for(Wso2Version::V6_1);
    let path = connector_path(ACCOUNT_MANAGEMENT);

    // REST → admin service and console.
    let patched = admin(
        &server,
        Method::PATCH,
        &path,
        Some(&patch_body(&[(RECOVERY_LINK, "true")])),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(soap_value(&server, RECOVERY_LINK).await, "true");
    let console = Browser::signed_in(&server, "admin", "admin").await;
    let page = console.get("/carbon/idpmgt/idp-mgt-edit-local.jsp").await;
    assert!(console_ticked(&page.body, RECOVERY_LINK), "{}", page.body);
    assert!(!console_ticked(&page.body, OTP));

    // Admin service → REST.
    soap_update(&server, &[(RECOVERY_LINK, "false"), (OTP, "true")]).await;
    let read = admin(&server, Method::GET, &path, None).await.json();
    assert_eq!(value_in(&read, RECOVERY_LINK).as_deref(), Some("false"));
    assert_eq!(value_in(&read, OTP).as_deref(), Some("true"));

    // Console → REST.
    let page = console.get("/carbon/idpmgt/idp-mgt-edit-local.jsp").await;
    let done = console
        .submit(
            &page,
            "/carbon/idpmgt/idp-mgt-edit-finish-local.jsp",
            &[(OFFLINE, "true")],
            &[OTP],
        )
        .await;
    assert!(done.status.is_redirection(), "{}", done.body);
    let read = admin(&server, Method::GET, &path, None).await.json();
    assert_eq!(value_in(&read, OFFLINE).as_deref(), Some("true"));
    assert_eq!(value_in(&read, OTP).as_deref(), Some("false"));
    // And the reset the use cases plan with is the one all three show.
    assert_eq!(
        server
            .app()
            .reset_settings(&forcereset::app::Actor::System)
            .unwrap()
            .mode(),
        Some(forcereset::domain::governance::ResetMode::Offline)
    );
}

fn resend_body(user: &str, scenario: &str) -> String {
    json!({"user": {"username": user, "realm": "PRIMARY"},
           "properties": [{"key": "RecoveryScenario", "value": scenario}]})
    .to_string()
}

fn mails(app: &App) -> Vec<forcereset::store::OutboxMail> {
    app.mailbox(&Actor::System, 0, 1000).unwrap()
}

/// The code a reset mail carries: a UUID, or the OTP (the servers here make OTPs of 9 digits, which nothing
/// else in the mails is).
fn code_in(mail: &forcereset::store::OutboxMail) -> String {
    let uuid = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
    let otp = regex::Regex::new(r"\b[0-9]{9}\b").unwrap();
    let found = uuid.find(&mail.body).or_else(|| otp.find(&mail.body));
    found
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| panic!("no code in {}", mail.body))
}

async fn resend(server: &TestServer, auth: (&str, &str), body: &str) -> Answer {
    call(server, Method::POST, RESEND_CODE, Some(auth), Some(body)).await
}

/// `resend-code` for each forced-reset scenario: 201, one new mail with the resend template, the new code valid
/// and the old one dead; what each release answers without a pending reset of the scenario; bad input;
/// permission; atomicity.
#[tokio::test(flavor = "multi_thread")]
async fn resend_code_kills_the_old_code_and_sends_exactly_one_new_mail() {
    for v in [Wso2Version::V5_11, Wso2Version::V6_1, Wso2Version::V7_0] {
        let server = TestServer::start_with(&format!(
            "[forcereset]\nwso2_version = \"{v}\"\notp_length = 9\notp_alphabet = \"0123456789\"\n"
        ));
        let app = server.app();
        let profile = v.profile();
        add_user(&app, "tom", Some("tom@example.com"));
        add_user(&app, "carol", None);
        let sys = Actor::System;

        for (mode, scenario, template) in [
            (RECOVERY_LINK, LINK_SCENARIO, "resendadminforcedpasswordreset"),
            (OTP, OTP_SCENARIO, "resendadminforcedpasswordresetwithotp"),
        ] {
            let off = if mode == OTP { RECOVERY_LINK } else { OTP };
            app.update_configurations(&sys, &[(mode.into(), "true".into()), (off.into(), "false".into())])
                .unwrap();
            app.force_reset(&sys, "tom").unwrap();
            let before = mails(&app);
            let old = code_in(&before[0]);

            let answer = resend(&server, ("admin", "admin"), &resend_body("tom", scenario)).await;
            assert_eq!(
                (answer.status, answer.body.as_str()),
                (StatusCode::CREATED, ""),
                "{v} {scenario}"
            );
            let after = mails(&app);
            assert_eq!(after.len(), before.len() + 1, "{v}: exactly one new mail");
            let mail = &after[0];
            assert_eq!(mail.template, template, "{v}");
            assert_eq!(mail.recipient, "tom@example.com");
            let new = code_in(mail);
            assert_ne!(new, old);
            if mode == OTP {
                // Before 7.0 the resent OTP is a UUID (product-is#11792).
                assert_eq!(
                    new.len() == 36,
                    !profile.rest.resend_code.otp_resent_as_otp,
                    "{v}: {new}"
                );
            }
            assert!(
                !matches!(app.check_reset_code("tom", &old).unwrap(), CodeCheck::Valid { .. }),
                "{v}: old code alive"
            );
            assert!(
                matches!(app.check_reset_code("tom", &new).unwrap(), CodeCheck::Valid { .. }),
                "{v}: new code dead"
            );
        }

        // No pending reset of the scenario asked for (tom's is the OTP one), or no such user, or another user
        // store, or no scenario: what the release answers, and no mail.
        let count = mails(&app).len();
        let no_pending = [
            resend_body("tom", LINK_SCENARIO),
            resend_body("nobody", OTP_SCENARIO),
            resend_body("tom", "SELF_SIGN_UP"),
            json!({"user": {"username": "tom", "realm": "SECONDARY"},
                   "properties": [{"key": "RecoveryScenario", "value": OTP_SCENARIO}]})
            .to_string(),
            json!({"user": {"username": "tom"}, "properties": []}).to_string(),
        ];
        for body in &no_pending {
            let answer = resend(&server, ("admin", "admin"), body).await;
            match v {
                Wso2Version::V5_11 => assert_eq!((answer.status, answer.body.as_str()), (StatusCode::CREATED, "")),
                Wso2Version::V6_1 => {
                    assert_eq!(answer.status, StatusCode::NOT_IMPLEMENTED, "{body}");
                    assert_eq!(answer.json()["message"], "This service is not yet implemented.");
                    assert!(answer.json()["traceId"].is_string());
                }
                _ => {
                    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
                    assert_eq!(
                        answer.json()["message"],
                        "User recovery data is not found. Please re-initiate the recovery flow."
                    );
                }
            }
        }
        assert_eq!(mails(&app).len(), count, "{v}: no mail without a pending reset");

        // A body that is not ResendCodeRequestDTO.
        for body in ["", "[]", r#"{"properties":[]}"#] {
            let answer = resend(&server, ("admin", "admin"), body).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{v} {body:?}");
            assert_eq!(answer.error_code(), "UE-10000");
        }

        // From 6.0 the caller needs identitymgt; before, any authenticated user may ask.
        let answer = resend(&server, ("carol", "Abcd@1234"), &resend_body("tom", OTP_SCENARIO)).await;
        if profile.rest.resend_code.permission.is_some() {
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{v}");
        } else {
            assert_eq!(answer.status, StatusCode::CREATED, "{v}");
        }
        assert_eq!(
            call(&server, Method::POST, RESEND_CODE, None, Some("{}")).await.status,
            StatusCode::UNAUTHORIZED
        );

        // Atomic: carol's offline reset cannot be mailed (no address); the refusal changes nothing.
        app.update_configurations(&sys, &[(OTP.into(), "false".into()), (OFFLINE.into(), "true".into())])
            .unwrap();
        app.force_reset(&sys, "carol").unwrap();
        let otp = app
            .claim_value(&sys, "carol", "http://wso2.org/claims/oneTimePassword", "default")
            .unwrap()
            .unwrap();
        let count = mails(&app).len();
        let answer = resend(&server, ("admin", "admin"), &resend_body("carol", OTP_SCENARIO)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{v}: {}", answer.body);
        assert!(answer.body.contains("no e-mail address"), "{}", answer.body);
        assert_eq!(mails(&app).len(), count);
        assert!(
            matches!(app.check_reset_code("carol", &otp).unwrap(), CodeCheck::Valid { .. }),
            "{v}"
        );
    }
}

/// A third-party client: Python `requests` sends WSO2's documented curl examples (turn the e-mailed link on, read
/// it back, force a reset over SOAP, resend its code), and the server did what they say.
#[test]
fn python_requests_drives_the_documented_curl_examples() {
    let Some(python) = crate::smtp::python() else { return };
    let server = TestServer::start();
    let app = server.app();
    add_user(&app, "tom", Some("tom@example.com"));
    let url = server.https_url();
    let stdout = crate::support::run_toolkit(&python, "rest_clients.py", &[&url, "admin", "admin", "tom"]);
    assert!(stdout.contains("6 passed, 0 failed"), "{stdout}");
    let templates: Vec<String> = mails(&app).into_iter().map(|m| m.template).collect();
    assert_eq!(
        templates,
        ["resendadminforcedpasswordreset", "adminforcedpasswordreset"]
    );
}
