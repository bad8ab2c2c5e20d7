//! Tenants end to end (issue 18): two tenants with the same user `tom` side by side, each reached under
//! `/t/{domain}/` by its own admin, nothing crossing between them; the rewrite valve's 404 and the 401 across
//! tenants on REST and SCIM.

use forcereset::app::{Actor, App, TenantSpec};
use forcereset::domain::secret::Secret;
use forcereset::domain::{claims, governance};
use forcereset::store::{TenantId, TenantRecord};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::scim::{PATCH_OP, call};
use crate::support::TestServer;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const KIM_PASSWORD: &str = "Kim@12345";

fn add_tenant(app: &App, domain: &str) -> TenantRecord {
    app.add_tenant(
        &Actor::System,
        &TenantSpec {
            domain: domain.into(),
            admin: "kim".into(),
            password: Secret::new(KIM_PASSWORD),
            email: format!("kim@{domain}"),
            first_name: "Kim".into(),
            last_name: String::new(),
        },
    )
    .unwrap()
}

/// `tom` in the tenant, with an e-mail address of the tenant's own, added by the tenant's admin.
fn add_tom(app: &App, domain: &str, password: &str) {
    let kim = app
        .authenticate(&format!("kim@{domain}"), &Secret::new(KIM_PASSWORD))
        .unwrap();
    app.add_user(
        &kim,
        "tom",
        &Secret::new(password),
        &[],
        &[(claims::EMAIL.to_string(), format!("tom@{domain}"))],
        "default",
    )
    .unwrap();
}

fn claim(app: &App, tenant: TenantId, user: &str, uri: &str) -> Option<String> {
    app.store_for_tests()
        .read(tenant, |tx| tx.claim_value(user, "default", uri))
        .unwrap()
}

/// Turn on exactly one reset mode, as the tenant's admin (stored in the tenant only).
fn enable(app: &App, domain: &str, mode: &str) {
    let kim = app
        .authenticate(&format!("kim@{domain}"), &Secret::new(KIM_PASSWORD))
        .unwrap();
    let values: Vec<(String, String)> = [governance::RECOVERY_LINK, governance::OTP, governance::OFFLINE]
        .iter()
        .map(|m| (m.to_string(), (*m == mode).to_string()))
        .collect();
    app.update_configurations(&kim, &values).unwrap();
}

#[tokio::test]
async fn rest_and_scim_run_in_the_url_s_tenant_and_refuse_every_other_tenant_s_user() {
    let server = TestServer::start_with("[forcereset]\nwso2_version = \"7.0\"\n");
    let app = server.app();
    let a = add_tenant(&app, "a.com");
    let b = add_tenant(&app, "b.com");
    add_tom(&app, "a.com", "A-tom@123");
    add_tom(&app, "b.com", "B-tom@123");
    let kim_a = ("kim@a.com", KIM_PASSWORD);
    let kim_b = ("kim@b.com", KIM_PASSWORD);

    // Each admin lists their own tenant's users, under their tenant's path.
    let names = |reply: &crate::scim::Reply| {
        let mut names: Vec<String> = reply.json()["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["userName"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    let listed = call(&server, Method::GET, "/t/a.com/scim2/Users", None, Some(kim_a)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(names(&listed), ["kim", "tom"]);
    let tom_a = listed.json()["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userName"] == "tom")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Another tenant's user, or the super tenant's admin, is not authenticated there (401); nor is a tenant's
    // admin on the super tenant's plain path.
    for (path, who) in [
        ("/t/b.com/scim2/Users", kim_a),
        ("/t/a.com/scim2/Users", kim_b),
        ("/t/a.com/scim2/Users", ("admin", "admin")),
        ("/scim2/Users", kim_a),
        ("/t/b.com/api/server/v1/identity-governance", kim_a),
        ("/api/server/v1/identity-governance", kim_a),
    ] {
        let refused = call(&server, Method::GET, path, None, Some(who)).await;
        assert_eq!(
            refused.status,
            StatusCode::UNAUTHORIZED,
            "{path} as {}: {}",
            who.0,
            refused.text
        );
    }
    // B's tom is not reachable from A by its id either.
    let by_id = call(
        &server,
        Method::GET,
        &format!("/t/b.com/scim2/Users/{tom_a}"),
        None,
        Some(kim_b),
    )
    .await;
    assert_eq!(by_id.status, StatusCode::NOT_FOUND, "{}", by_id.text);

    // An unknown tenant: the rewrite valve's 404.
    let nowhere = call(&server, Method::GET, "/t/nope.com/scim2/Users", None, Some(kim_a)).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert_eq!(
        nowhere.json(),
        json!({ "code": 404, "message": "invalid tenant domain : nope.com", "description": "invalid tenant domain : nope.com" })
    );

    // A's governance, read and changed over REST under /t/a.com/: self links name the tenant; the change stays
    // in A.
    let categories = call(
        &server,
        Method::GET,
        "/t/a.com/api/server/v1/identity-governance",
        None,
        Some(kim_a),
    )
    .await;
    assert_eq!(categories.status, StatusCode::OK, "{}", categories.text);
    let links: Vec<String> = categories
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["self"].as_str().unwrap().to_string())
        .collect();
    assert!(
        links
            .iter()
            .all(|l| l.starts_with("/t/a.com/api/server/v1/identity-governance/")),
        "{links:?}"
    );
    enable(&app, "a.com", governance::OFFLINE);

    // The forced reset by SCIM PATCH in A: A's tom is locked with an OTP, B's tom and the super tenant untouched.
    let forced = call(
        &server,
        Method::PATCH,
        &format!("/t/a.com/scim2/Users/{tom_a}"),
        Some(json!({ "schemas": [PATCH_OP], "Operations": [
            { "op": "add", "value": { ENTERPRISE: { "forcePasswordReset": true } } }
        ] })),
        Some(kim_a),
    )
    .await;
    assert_eq!(forced.status, StatusCode::OK, "{}", forced.text);
    let user: Value = forced.json();
    assert_eq!(user[ENTERPRISE]["accountLocked"], json!(true), "{user}");
    assert_eq!(
        claim(&app, a.id, "tom", claims::ACCOUNT_LOCKED).as_deref(),
        Some("true")
    );
    assert!(claim(&app, a.id, "tom", claims::ONE_TIME_PASSWORD).is_some());
    assert_eq!(claim(&app, b.id, "tom", claims::ACCOUNT_LOCKED), None);
    assert_eq!(claim(&app, b.id, "tom", claims::ONE_TIME_PASSWORD), None);
    assert!(
        app.authenticate("tom@b.com", &Secret::new("B-tom@123")).is_ok(),
        "B's tom still signs in"
    );

    // B's governance was never changed: its admin forcing a reset there gets the same refusal as a fresh server.
    let b_resident = app
        .store_for_tests()
        .read(b.id, |tx| tx.governance_properties())
        .unwrap();
    assert!(b_resident.is_empty(), "{b_resident:?}");
}
