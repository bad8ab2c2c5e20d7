//! product-is `…/test/scim2/SCIM2MeTestCase.java` (v5.10.0 … v7.2.0), super-tenant run, on every release
//! profile. The user gets a role with `usermgt/delete` (WSO2's test adds it to a group through UserAdmin, absent
//! here; `DELETE /scim2/Me` needs that permission in `identity.xml`).

use forcereset::app::Actor;
use forcereset::domain::profile::Wso2Version;
use forcereset::domain::profile::scim::DeleteMe;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::scim_kit::{ADMIN, scim};
use crate::support::TestServer;

#[tokio::test]
async fn create_me_get_me_and_delete_me_as_the_release_answers() {
    for version in Wso2Version::ALL {
        let server = TestServer::start_with(&format!("[forcereset]\nwso2_version = \"{version}\"\n"));
        let user = json!({ "schemas": [], "name": { "familyName": "scim", "givenName": "me" }, "userName": "scim2me",
            "password": "Wso2@test", "emails": [{ "type": "work", "value": "scim2me@wso2.com" }, { "type": "home", "value": "scim2me@gmail.com" }] });
        // testCreateMe, as admin
        let created = scim(&server, Method::POST, "/scim2/Me", Some(&user), ADMIN, None).await;
        assert_eq!(created.status, StatusCode::CREATED, "{version}: {}", created.body);
        assert_eq!(created.body["userName"], "scim2me");
        let id = created.body["id"].as_str().unwrap().to_string();
        // testCreateMeWithCharsetEncodingHeader
        let mut second = user.clone();
        second["userName"] = json!("scim2me2");
        let charset = scim(
            &server,
            Method::POST,
            "/scim2/Me",
            Some(&second),
            ADMIN,
            Some("application/json; charset=utf-8"),
        )
        .await;
        assert_eq!(charset.status, StatusCode::CREATED, "{version}");
        let app = server.app();
        app.add_role(
            &Actor::System,
            "medeleters",
            &[
                "/permission/admin/login".into(),
                "/permission/admin/manage/identity/usermgt/delete".into(),
            ],
            &["scim2me".into()],
        )
        .unwrap();
        // testGetMe, as the user
        let me = scim(&server, Method::GET, "/scim2/Me", None, ("scim2me", "Wso2@test"), None).await;
        assert_eq!(me.status, StatusCode::OK, "{version}: {}", me.body);
        assert_eq!(me.body["userName"], "scim2me");
        assert_eq!(me.body["id"], json!(id));
        // testDeleteMe: 501 on 5.10/5.11, 204 from 6.0
        let deleted = scim(
            &server,
            Method::DELETE,
            "/scim2/Me",
            None,
            ("scim2me", "Wso2@test"),
            None,
        )
        .await;
        match version.profile().scim.delete_me {
            DeleteMe::NotImplemented => assert_eq!(deleted.status, StatusCode::NOT_IMPLEMENTED, "{version}"),
            DeleteMe::Deletes => assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{version}: {}", deleted.body),
        }
        // Teardown: the admin's DELETE; after a self-delete the user is gone (404).
        let path = format!("/scim2/Users/{id}");
        let first = scim(&server, Method::DELETE, &path, None, ADMIN, None).await.status;
        let expected = if version >= Wso2Version::V6_0 {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::NO_CONTENT
        };
        assert_eq!(first, expected, "{version}");
        assert_eq!(
            scim(&server, Method::DELETE, &path, None, ADMIN, None).await.status,
            StatusCode::NOT_FOUND
        );
    }
}
