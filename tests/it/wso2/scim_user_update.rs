//! product-is `…/test/scim2/rest/api/SCIMUserUpdateTest.java` (v5.10.0 … v7.2.0) with its resource files
//! `scim2-add-user.json` and `scim2-put-user.json`, super-tenant run, on every release profile. Skipped: 7.2's
//! system-schema `emailAddresses`/`mobileNumbers` operations (not catalogued).

use forcereset::domain::profile::Wso2Version;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::scim_kit::{ADMIN, ENTERPRISE, PATCH_OP, SYSTEM, USER_SCHEMA, scim};
use crate::support::TestServer;

/// `SCIMUtils#SCIM_USER_SCHEMAS` at each tag.
fn user_schemas(version: Wso2Version) -> Value {
    if version >= Wso2Version::V7_1 {
        json!([
            USER_SCHEMA,
            ENTERPRISE,
            SYSTEM,
            "urn:scim:schemas:extension:custom:User"
        ])
    } else if version >= Wso2Version::V6_0 {
        json!([USER_SCHEMA, ENTERPRISE, SYSTEM])
    } else {
        json!([USER_SCHEMA, ENTERPRISE])
    }
}

/// `SCIMUtils#validateSchemasAttribute` and `#validateMetaAttributeOfUsersEndpoint`.
fn check_schemas_and_meta(version: Wso2Version, user: &Value) {
    assert_eq!(user["schemas"], user_schemas(version), "{version}");
    let meta = user["meta"].as_object().expect("meta");
    assert_eq!(meta.len(), 4, "{version}: {meta:?}");
    assert_eq!(meta["resourceType"], "User");
    assert!(meta["location"].as_str().unwrap().contains("/scim2/Users/"));
    for key in ["created", "lastModified"] {
        let t = meta[key].as_str().unwrap();
        assert!(
            t.len() >= 20 && t.ends_with('Z') && &t[10..11] == "T",
            "{version} {key}: {t}"
        );
    }
}

#[tokio::test]
async fn get_create_patch_put_as_the_rest_api_test_does() {
    for version in Wso2Version::ALL {
        let server = TestServer::start_with(&format!("[forcereset]\nwso2_version = \"{version}\"\n"));
        let ct = Some("application/scim+json");
        // testGetUsers
        let list = scim(&server, Method::GET, "/scim2/Users", None, ADMIN, None).await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(list.header("content-type"), Some("application/scim+json"));
        assert_eq!(
            list.header("x-wso2-traceid").is_some(),
            version >= Wso2Version::V6_0,
            "{version}: traceId"
        );
        // testCreateUser (scim2-add-user.json: firstName/lastName and EnterpriseUser are ignored)
        let add = json!({ "schemas": [], "name": { "firstName": "Kim", "lastName": "Berry" }, "userName": "kim",
            "password": "kimwso2@123", "emails": [{ "type": "home", "value": "kim@gmail.com", "primary": true },
            { "type": "work", "value": "kim@wso2.com" }], "EnterpriseUser": { "employeeNumber": "1234A", "manager": { "value": "Taylor" } } });
        let created = scim(&server, Method::POST, "/scim2/Users", Some(&add), ADMIN, ct).await;
        assert_eq!(created.status, StatusCode::CREATED, "{version}: {}", created.body);
        assert_eq!(created.header("content-type"), Some("application/scim+json"));
        let location = created.header("location").expect("Location").to_string();
        let id = location.split("/scim2/Users/").nth(1).unwrap().to_string();
        check_schemas_and_meta(version, &created.body);
        let path = format!("/scim2/Users/{id}");
        let patch = |ops: Value| json!({ "schemas": [PATCH_OP], "Operations": ops });
        // testPatchRemoveUserAttributes
        let removed = scim(
            &server,
            Method::PATCH,
            &path,
            Some(&patch(json!([{ "op": "remove", "path": "emails[type eq work]" }]))),
            ADMIN,
            ct,
        )
        .await;
        assert_eq!(removed.status, StatusCode::OK, "{version}: {}", removed.body);
        let emails = removed.body["emails"].as_array().expect("emails");
        assert_eq!(emails.len(), 1, "{version}: {emails:?}");
        assert!(emails[0].is_object() && emails[0]["type"] != "work");
        check_schemas_and_meta(version, &removed.body);
        // testPatchAddUserAttributes
        let added = scim(
            &server,
            Method::PATCH,
            &path,
            Some(&patch(
                json!([{ "op": "add", "value": { "emails": [{ "type": "work", "value": "kim@wso2.com" }] } }]),
            )),
            ADMIN,
            ct,
        )
        .await;
        assert_eq!(added.status, StatusCode::OK);
        assert_eq!(
            added.body["emails"].as_array().map(Vec::len),
            Some(2),
            "{version}: {}",
            added.body
        );
        // testPatchReplaceUserAttributes
        let replaced = scim(&server, Method::PATCH, &path, Some(&patch(json!([{ "op": "replace", "value": {
            "name": { "givenName": "Desmond", "familyName": "Miles" }, "emails": [{ "type": "other", "value": "desmond@mail.net" }] } }]))), ADMIN, ct).await;
        assert_eq!(replaced.status, StatusCode::OK);
        assert_eq!(replaced.body["name"]["familyName"], "Miles");
        assert_eq!(replaced.body["name"]["givenName"], "Desmond");
        assert_eq!(
            replaced.body["emails"][0],
            json!({ "type": "other", "value": "desmond@mail.net" }),
            "{version}"
        );
        // testPutUser (scim2-put-user.json)
        let put = json!({ "schemas": [USER_SCHEMA], "name": { "givenName": "kim", "familyName": "jackson" }, "id": id, "userName": "kim" });
        let put = scim(&server, Method::PUT, &path, Some(&put), ADMIN, ct).await;
        assert_eq!(put.status, StatusCode::OK, "{version}: {}", put.body);
        assert_eq!(put.body["name"], json!({ "givenName": "kim", "familyName": "jackson" }));
        // testPutUserWithUsernameChange (v5.11.0 on)
        if version >= Wso2Version::V5_11 {
            let rename = json!({ "schemas": [USER_SCHEMA], "name": { "givenName": "kim", "familyName": "jackson" }, "id": id, "userName": "kimnew" });
            let refused = scim(&server, Method::PUT, &path, Some(&rename), ADMIN, ct).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{version}");
        }
    }
}
