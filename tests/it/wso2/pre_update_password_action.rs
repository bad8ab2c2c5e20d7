//! product-is v7.1.0 `…/test/actions/preupdatepassword/PreUpdatePasswordActionSuccessTestCase.java` and v7.2.0
//! `…/test/serviceextensions/preupdatepassword/…` (`testAdminForcePasswordReset`), black-box part, on 7.1 and
//! 7.2: the link mode on, `PATCH /scim2/Users/{id}` with `urn:scim:wso2:schema:forcePasswordReset` (path form,
//! `application/scim+json`) → 200, then the mailed link leads to a new password. Substitutes: the connector is
//! switched through `App::update_configurations` (the governance REST API is another branch's), the user is the
//! seed's tom (with the login role the dashboard needs), the mock SMTP server is the built-in mailbox. Skipped:
//! the pre-update-password action's own assertions (WSO2-only extension point).

use forcereset::domain::governance;
use forcereset::domain::profile::Wso2Version;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::scim_kit::{ADMIN, PATCH_OP, SYSTEM, scim};
use crate::login::{add_tom, enable, finish_reset, last_mail, recovery_link};
use crate::support::TestServer;
use crate::web_client::Browser;

#[tokio::test]
async fn admin_force_password_reset_over_scim_then_the_link() {
    for version in [Wso2Version::V7_1, Wso2Version::V7_2] {
        let server = TestServer::start_with(&format!("[forcereset]\nwso2_version = \"{version}\"\n"));
        add_tom(&server.app());
        enable(&server.app(), governance::RECOVERY_LINK);
        let list = scim(
            &server,
            Method::GET,
            "/scim2/Users?filter=userName+eq+tom",
            None,
            ADMIN,
            None,
        )
        .await;
        let id = list.body["Resources"][0]["id"].as_str().unwrap().to_string();
        let body = json!({ "schemas": [PATCH_OP],
            "Operations": [{ "op": "replace", "path": format!("{SYSTEM}:forcePasswordReset"), "value": true }] });
        let patched = scim(
            &server,
            Method::PATCH,
            &format!("/scim2/Users/{id}"),
            Some(&body),
            ADMIN,
            Some("application/scim+json"),
        )
        .await;
        assert_eq!(patched.status, StatusCode::OK, "{version}: {}", patched.body);
        let link = recovery_link(&last_mail(&server.app()));
        let browser = Browser::new(&server);
        let page = browser.get(&link).await;
        let code = crate::login::query(&link, "confirmation").expect("a code");
        finish_reset(&server, &browser, page, &code).await;
    }
}
