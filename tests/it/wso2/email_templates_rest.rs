//! product-is `modules/integration/tests-integration/tests-backend/src/test/java/org/wso2/identity/integration/test/
//! rest/api/server/email/template/v1/EmailTemplatesPositiveTest.java` and `EmailTemplatesNegativeTest.java` (tags
//! v5.10.0 … v7.2.0; the API does not exist on 5.9), ported: each check names its test method and runs on every
//! profile its tags cover, in the positive test's order (it uses `dependsOnMethods`).
//!
//! Adapted: WSO2's tests use the shipped types `AccountConfirmation` and `AccountEnable` (`SAMPLE_TEMPLATE_TYPE_ID
//! = "QWNjb3VudEVuYWJsZQ"`); forcereset ships only the forced-reset types, so the sample type is
//! `AdminForcedPasswordReset` (`QWRtaW5Gb3JjZWRQYXNzd29yZFJlc2V0`), and the incorrect and undecodable ids are
//! made from it the same way (`…qwSa`, `…111`). Skipped: 5.10's whole-list comparison with
//! `get-all-email-template-types-response.json` (WSO2's 27 types); response schema validation against
//! `email-template.yml` (no OpenAPI validator in the suite: the shapes are checked field by field instead).

use forcereset::domain::profile::Wso2Version;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::rest::{Answer, admin};
use crate::support::TestServer;

const BASE: &str = "/api/server/v1/email/template-types";
const SAMPLE: &str = "QWRtaW5Gb3JjZWRQYXNzd29yZFJlc2V0";
const INCORRECT: &str = "QWRtaW5Gb3JjZWRQYXNzd29yZFJlc2V0qwSa";
const UNDECODABLE: &str = "QWRtaW5Gb3JjZWRQYXNzd29yZFJlc2V0111";
const INCORRECT_TEMPLATE: &str = "en_FR";
const NEW_TYPE: &str = "VGVzdEVtYWlsVGVtcGxhdGVUeXBl";

fn server_for(v: Wso2Version) -> TestServer {
    TestServer::start_with(&format!("[forcereset]\nwso2_version = \"{v}\"\n"))
}

fn rest_versions() -> impl Iterator<Item = Wso2Version> {
    Wso2Version::ALL.into_iter().filter(|v| *v >= Wso2Version::V5_10)
}

/// `self` links: `/t/carbon.super/api/server/v1` up to 6.1, `getTenantedRelativePath` (no `/t/`) from 7.0.
fn self_base(v: Wso2Version) -> &'static str {
    if v <= Wso2Version::V6_1 {
        "/t/carbon.super/api/server/v1/email/template-types"
    } else {
        BASE
    }
}

fn template(subject: &str, locale: &str) -> Value {
    json!({
        "contentType": "text/html; charset=UTF-8",
        "subject": subject,
        "body": "<table><tr><td>Test {{user-name}}</td></tr></table>",
        "footer": "---",
        "id": locale,
    })
}

/// `RESTTestBase#validateErrorResponse`: status, code, a trace id.
fn validate_error(answer: &Answer, status: StatusCode, code: &str, what: &str) {
    assert_eq!(answer.status, status, "{what}: {}", answer.body);
    assert_eq!(answer.error_code(), code, "{what}");
}

#[tokio::test]
async fn email_templates_positive_test() {
    for v in rest_versions() {
        let server = server_for(v);
        // testGetAllEmailTemplateTypes (v5.10.0+).
        let all = admin(&server, Method::GET, BASE, None).await;
        assert_eq!(all.status, StatusCode::OK, "{v}: {}", all.body);
        let item = all
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == SAMPLE)
            .cloned()
            .unwrap();
        assert_eq!(item["displayName"], "AdminForcedPasswordReset", "{v}");
        assert_eq!(item["self"], format!("{}/{SAMPLE}", self_base(v)), "{v}");
        assert!(item.get("templates").is_none(), "{v}: templates only when asked for");
        // testGetAllEmailTemplateTypesWithRequiredAttributes (v5.11.0+).
        if v >= Wso2Version::V5_11 {
            let path = format!(
                "{BASE}?requiredAttributes=templates.id,templates.contentType,templates.subject,templates.body,templates.footer"
            );
            let with = admin(&server, Method::GET, &path, None).await;
            assert_eq!(with.status, StatusCode::OK, "{v}");
            let item = with
                .json()
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["id"] == SAMPLE)
                .cloned()
                .unwrap();
            let en = item["templates"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["id"] == "en_US")
                .cloned()
                .unwrap();
            assert_eq!(en["subject"], "WSO2 - Admin Forced Password Reset", "{v}");
            assert_eq!(en["contentType"], "text/html; charset=UTF-8", "{v}");
        }
        // testGetTemplatesListOfEmailTemplateType.
        let list = admin(&server, Method::GET, &format!("{BASE}/{SAMPLE}/templates"), None).await;
        assert_eq!(list.status, StatusCode::OK, "{v}");
        assert_eq!(
            list.json(),
            json!([{"id": "en_US", "self": format!("{}/{SAMPLE}/templates/en_US", self_base(v))}]),
            "{v}"
        );
        // testAddEmailTemplateType.
        let new_type = json!({"displayName": "TestEmailTemplateType", "templates": [template("WSO2 - Test Email Template - 1", "en_US")]});
        let added = admin(&server, Method::POST, BASE, Some(&new_type.to_string())).await;
        assert_eq!(added.status, StatusCode::CREATED, "{v}: {}", added.body);
        let location = added.headers["location"].to_str().unwrap();
        assert_eq!(location.rsplit('/').next(), Some(NEW_TYPE), "{v}: {location}");
        // testGetEmailTemplateType.
        let got = admin(&server, Method::GET, &format!("{BASE}/{NEW_TYPE}"), None).await;
        assert_eq!(got.status, StatusCode::OK, "{v}");
        assert_eq!(
            got.json(),
            json!({"displayName": "TestEmailTemplateType", "templates": [template("WSO2 - Test Email Template - 1", "en_US")], "id": NEW_TYPE}),
            "{v}"
        );
        // testAddEmailTemplate.
        let en_gb = template("WSO2 - Test Email Template - 2", "en_GB");
        let added = admin(
            &server,
            Method::POST,
            &format!("{BASE}/{NEW_TYPE}"),
            Some(&en_gb.to_string()),
        )
        .await;
        assert_eq!(added.status, StatusCode::CREATED, "{v}: {}", added.body);
        assert!(
            added.headers["location"]
                .to_str()
                .unwrap()
                .ends_with("/templates/en_GB"),
            "{v}"
        );
        // testGetEmailTemplate.
        let path = format!("{BASE}/{NEW_TYPE}/templates/en_GB");
        let got = admin(&server, Method::GET, &path, None).await;
        assert_eq!((got.status, got.json()), (StatusCode::OK, en_gb.clone()), "{v}");
        // testUpdateEmailTemplate.
        let updated = json!({"contentType": "text/html; charset=UTF-8", "subject": "WSO2 - Test Email Template - 3", "body": "Updated email template body", "footer": "----", "id": "en_GB"});
        let put = admin(&server, Method::PUT, &path, Some(&updated.to_string())).await;
        assert_eq!(put.status, StatusCode::OK, "{v}: {}", put.body);
        let got = admin(&server, Method::GET, &path, None).await;
        assert_eq!(got.json(), updated, "{v}");
        // testDeleteEmailTemplate.
        assert_eq!(
            admin(&server, Method::DELETE, &path, None).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            admin(&server, Method::GET, &path, None).await.status,
            StatusCode::NOT_FOUND,
            "{v}"
        );
        // testUpdateEmailTemplateType: replaces every template.
        let type_path = format!("{BASE}/{NEW_TYPE}");
        let put = admin(&server, Method::PUT, &type_path, Some(&json!([updated]).to_string())).await;
        assert_eq!(put.status, StatusCode::OK, "{v}: {}", put.body);
        let got = admin(&server, Method::GET, &type_path, None).await;
        assert_eq!(
            got.json(),
            json!({"displayName": "TestEmailTemplateType", "templates": [updated], "id": NEW_TYPE}),
            "{v}"
        );
        // testDeleteEmailTemplateType.
        assert_eq!(
            admin(&server, Method::DELETE, &type_path, None).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            admin(&server, Method::GET, &type_path, None).await.status,
            StatusCode::NOT_FOUND,
            "{v}"
        );
    }
    // 5.9 ships no such API.
    let server = server_for(Wso2Version::V5_9);
    assert_eq!(
        admin(&server, Method::GET, BASE, None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn email_templates_negative_test() {
    for v in rest_versions() {
        let server = server_for(v);
        let get = |path: String| {
            let server = &server;
            async move { admin(server, Method::GET, &path, None).await }
        };
        // testGetEmailTemplateTypeWithInvalidId / …WithIncorrectId / testGetTemplatesListWithIncorrectId.
        validate_error(
            &get(format!("{BASE}/{UNDECODABLE}")).await,
            StatusCode::NOT_FOUND,
            "ETM-50002",
            "undecodable",
        );
        validate_error(
            &get(format!("{BASE}/{INCORRECT}")).await,
            StatusCode::NOT_FOUND,
            "ETM-50002",
            "incorrect",
        );
        let templates = get(format!("{BASE}/{INCORRECT}/templates")).await;
        validate_error(&templates, StatusCode::NOT_FOUND, "ETM-50002", "templates of incorrect");
        // testGetEmailTemplateWithIncorrectTemplateId.
        let missing = get(format!("{BASE}/{SAMPLE}/templates/{INCORRECT_TEMPLATE}")).await;
        validate_error(&missing, StatusCode::NOT_FOUND, "ETM-50003", "missing locale");
        // testAddEmailTemplateTypeConflict.
        let dup = json!({"displayName": "AdminForcedPasswordReset", "templates": [template("s", "en_US")]});
        let answer = admin(&server, Method::POST, BASE, Some(&dup.to_string())).await;
        validate_error(&answer, StatusCode::CONFLICT, "ETM-50005", "conflicting type");
        // testAddEmailTemplateConflict.
        let link =
            "{{carbon.product-url}}/accountrecoveryendpoint/confirmrecovery.do?confirmation={{confirmation-code}}";
        let conflict = json!({"contentType": "text/plain", "subject": "s", "body": link, "footer": "-", "id": "en_US"});
        let answer = admin(
            &server,
            Method::POST,
            &format!("{BASE}/{SAMPLE}"),
            Some(&conflict.to_string()),
        )
        .await;
        validate_error(&answer, StatusCode::CONFLICT, "ETM-50004", "conflicting template");
        // testUpdateEmailTemplateTypeWithIncorrectId.
        let put = admin(
            &server,
            Method::PUT,
            &format!("{BASE}/{INCORRECT}"),
            Some(&json!([conflict]).to_string()),
        )
        .await;
        validate_error(&put, StatusCode::NOT_FOUND, "ETM-50002", "PUT to a missing type");
        // testUpdateEmailTemplateWithIncorrectId.
        let path = format!("{BASE}/{SAMPLE}/templates/{INCORRECT_TEMPLATE}");
        let put = admin(&server, Method::PUT, &path, Some(&conflict.to_string())).await;
        validate_error(&put, StatusCode::NOT_FOUND, "ETM-50003", "PUT to a missing template");
        // testGetEmailTemplateTypesWithInvalidAttribute (v5.11.0+).
        if v >= Wso2Version::V5_11 {
            let bad = get(format!("{BASE}?requiredAttributes=template")).await;
            validate_error(&bad, StatusCode::BAD_REQUEST, "ETM-50006", "bad attribute");
        }
    }
}

/// forcereset's save-time refusal over REST (not a WSO2 test): 400 with the operation's code and the reason, and
/// nothing changed.
#[tokio::test]
async fn a_template_that_would_break_the_mail_is_refused_over_rest() {
    let server = server_for(Wso2Version::V7_2);
    let otp = "QWRtaW5Gb3JjZWRQYXNzd29yZFJlc2V0V2l0aE9UUA";
    let path = format!("{BASE}/{otp}/templates/en_US");
    let before = admin(&server, Method::GET, &path, None).await.json();
    let broken = json!({"contentType": "text/plain", "subject": "s", "body": "no code", "id": "en_US"});
    let answer = admin(&server, Method::PUT, &path, Some(&broken.to_string())).await;
    validate_error(&answer, StatusCode::BAD_REQUEST, "ETM-55010", "refused");
    assert!(
        answer.json()["description"]
            .as_str()
            .unwrap()
            .contains("{{confirmation-code}}"),
        "{}",
        answer.body
    );
    assert_eq!(admin(&server, Method::GET, &path, None).await.json(), before);
}
