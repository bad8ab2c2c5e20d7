//! product-is `modules/integration/tests-integration/tests-backend/src/test/java/org/wso2/identity/integration/test/
//! oauth2/dcrm/api/OAuthDCRMTestCase.java`, at v5.9.0 … v7.2.0 (the same checks at every tag): register, the
//! duplicate name, read, read an unknown client id, delete, delete again, delete an unknown client id, the code
//! grant without redirect URIs, and the rollback (a failed registration leaves the name free). The `implicit`
//! grant of the test's first body is left out: forcereset refuses it (docs/COMPATIBILITY.md, deviations).

use forcereset::domain::profile::Wso2Version;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::identity_governance::server_for;
use crate::support::TestServer;

const DCR: &str = "/api/identity/oauth2/dcr/v1.1/register";

async fn call(server: &TestServer, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, String) {
    let mut req = server
        .client()
        .request(method, server.https(path))
        .basic_auth("admin", Some("admin"));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

#[tokio::test]
async fn oauth_dcrm_test_case() {
    for v in Wso2Version::ALL {
        let server = server_for(v, "");
        let post = |body: Value| call(&server, reqwest::Method::POST, DCR, Some(body));
        let app = json!({"client_name": "TestApp", "grant_types": ["authorization_code"],
                         "redirect_uris": ["http://TestApp.com"]});
        // testCreateServiceProviderRequest
        let (status, body) = post(app.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{v}: {body}");
        let id = serde_json::from_str::<Value>(&body).unwrap()["client_id"]
            .as_str()
            .unwrap()
            .to_string();
        // testCreateServiceProviderRequestWithTheSameName: 400, not 409
        let (status, body) = post(app.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap()["error"],
            "invalid_client_metadata",
            "{v}"
        );
        // testReadServiceProvider
        let (status, body) = call(&server, reqwest::Method::GET, &format!("{DCR}/{id}"), None).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap()["client_id"],
            id.as_str(),
            "{v}"
        );
        // testReadServiceProviderWithInvalidClientID: 401
        let (status, _) = call(&server, reqwest::Method::GET, &format!("{DCR}/invalid_client_id"), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
        // testDeleteServiceProvider: 204, then the same request 401
        let (status, _) = call(&server, reqwest::Method::DELETE, &format!("{DCR}/{id}"), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
        let (status, _) = call(&server, reqwest::Method::DELETE, &format!("{DCR}/{id}"), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
        // testDeleteRequestWithInvalidClientID: 401
        let (status, _) = call(
            &server,
            reqwest::Method::DELETE,
            &format!("{DCR}/invalid_client_id"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
        // testCreateServiceProviderWithoutRedirectUris (dummyDCRApp): 400; then the rollback: the name is free
        let dummy = json!({"client_name": "dummyDCRApp", "grant_types": ["authorization_code"], "redirect_uris": []});
        let (status, _) = post(dummy).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
        let fixed = json!({"client_name": "dummyDCRApp", "grant_types": ["authorization_code"],
                           "redirect_uris": ["http://TestApp.com"]});
        let (status, body) = post(fixed).await;
        assert_eq!(status, StatusCode::CREATED, "{v}: {body}");
    }
}
