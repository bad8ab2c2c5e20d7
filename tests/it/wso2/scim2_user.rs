//! product-is `modules/integration/tests-integration/tests-backend/src/test/java/org/wso2/identity/integration/
//! test/scim2/SCIM2UserTestCase.java` (v5.10.0 … v7.2.0), super-tenant run, on every release profile. Skipped:
//! the tenant run (forcereset has no tenants), `testUpdateUserWhenExternalClaimDeleted` (5.10; needs the
//! claim-management SOAP service, absent), and 7.2's `emailAddresses` filter (the multi-valued system-schema
//! attributes are not catalogued).

use forcereset::domain::profile::Wso2Version;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::scim_kit::{ADMIN, ERROR, scim};
use crate::support::TestServer;

#[tokio::test]
async fn create_get_filter_delete_and_resource_types() {
    for version in Wso2Version::ALL {
        let server = TestServer::start_with(&format!("[forcereset]\nwso2_version = \"{version}\"\n"));
        let user = json!({ "schemas": [], "name": { "familyName": "scim", "givenName": "user" }, "userName": "scim2user",
            "emails": [{ "type": "work", "value": "scim2user@wso2.com" }, { "type": "home", "value": "scim2user@gmail.com" }],
            "password": "Wso2@test" });
        // testCreateUser
        let created = scim(&server, Method::POST, "/scim2/Users", Some(&user), ADMIN, None).await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{version} testCreateUser: {}",
            created.body
        );
        assert_eq!(created.body["userName"], "scim2user", "{version}");
        assert!(
            created.body["id"].is_string() && created.body["name"].is_object(),
            "{version}"
        );
        assert!(created.body["roles"].is_array(), "{version} testCreateUser: roles");
        let id = created.body["id"].as_str().unwrap().to_string();
        // testCreateUserWithCharsetEncodingHeader
        let mut second = user.clone();
        second["userName"] = json!("scim2user1");
        let charset = scim(
            &server,
            Method::POST,
            "/scim2/Users",
            Some(&second),
            ADMIN,
            Some("application/scim+json; charset=UTF-8"),
        )
        .await;
        assert_eq!(
            charset.status,
            StatusCode::CREATED,
            "{version} charset: {}",
            charset.body
        );
        // testCreateUserFailure: an error document
        let weak = json!({ "schemas": [], "name": {}, "userName": "passwordIncompatibleUser", "password": "a" });
        let failed = scim(&server, Method::POST, "/scim2/Users", Some(&weak), ADMIN, None).await;
        assert_eq!(
            failed.body["schemas"],
            json!([ERROR]),
            "{version} testCreateUserFailure"
        );
        // testGetUser
        let got = scim(&server, Method::GET, &format!("/scim2/Users/{id}"), None, ADMIN, None).await;
        assert_eq!(
            (got.status, got.body["userName"].clone()),
            (StatusCode::OK, json!("scim2user")),
            "{version}"
        );
        assert_eq!(got.body["id"], json!(id));
        // testFilterUser
        for filter in [
            "userName+Eq+scim2user",
            "userName+Co+im",
            "userName+Sw+sci",
            "userName+Ew+2user",
        ] {
            let found = scim(
                &server,
                Method::GET,
                &format!("/scim2/Users?filter={filter}"),
                None,
                ADMIN,
                None,
            )
            .await;
            assert_eq!(found.status, StatusCode::OK, "{version} {filter}: {}", found.body);
            assert_eq!(
                found.body["Resources"][0]["userName"], "scim2user",
                "{version} {filter}"
            );
            assert_eq!(found.body["Resources"][0]["id"], json!(id), "{version} {filter}");
        }
        // testDeleteUser
        let path = format!("/scim2/Users/{id}");
        assert_eq!(
            scim(&server, Method::DELETE, &path, None, ADMIN, None).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            scim(&server, Method::DELETE, &path, None, ADMIN, None).await.status,
            StatusCode::NOT_FOUND
        );
        // testGetResourceTypes: no Authorization header at all.
        let types = server
            .client()
            .get(server.https("/scim2/ResourceTypes"))
            .send()
            .await
            .unwrap();
        assert_eq!(types.status(), StatusCode::OK, "{version}");
        let types: serde_json::Value = types.json().await.unwrap();
        assert_eq!(types["totalResults"], 2, "{version}");
        assert_eq!(
            types["schemas"][0],
            "urn:ietf:params:scim:api:messages:2.0:ListResponse"
        );
        assert_eq!(types["Resources"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            types["Resources"][0]["schemas"],
            json!(["urn:ietf:params:scim:schemas:core:2.0:ResourceType"])
        );
    }
}
