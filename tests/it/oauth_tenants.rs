//! OAuth2/OIDC in tenants end to end (issue 18): two tenants each register an application named `shop` through
//! their own DCR under `/t/{domain}/`; each token endpoint knows only its tenant's clients and users, a token is
//! nobody's in the other tenant, and the code flow under `/t/a.com/` goes through the tenant's login page to a code
//! and an ID token whose issuer names the tenant.

use forcereset::app::{Actor, App, TenantSpec};
use forcereset::domain::secret::Secret;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::oauth::{CB, Client, error_of, form_enc, post_form, query_of, verified_claims};
use crate::support::TestServer;
use crate::web_client::Browser;

const KIM_PASSWORD: &str = "Kim@12345";
const DCR: &str = "/api/identity/oauth2/dcr/v1.1/register";

/// Tenant `domain` with admin `kim` and a user `tom` of the given password.
fn tenant_with_tom(app: &App, domain: &str, tom_password: &str) {
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
    .unwrap();
    let kim = app
        .authenticate(&format!("kim@{domain}"), &Secret::new(KIM_PASSWORD))
        .unwrap();
    app.add_user(&kim, "tom", &Secret::new(tom_password), &[], &[], "default")
        .unwrap();
}

/// DCR under `/t/{domain}/` as `who`: status and body.
async fn register_in(server: &TestServer, domain: &str, who: &str, body: Value) -> (StatusCode, String) {
    let resp = server
        .client()
        .post(server.https(&format!("/t/{domain}{DCR}")))
        .basic_auth(who, Some(KIM_PASSWORD))
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.text().await.unwrap())
}

async fn shop_of(server: &TestServer, domain: &str) -> Client {
    let (status, body) = register_in(
        server,
        domain,
        &format!("kim@{domain}"),
        json!({"client_name": "shop", "redirect_uris": [CB]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["ext_application_owner"], format!("kim@{domain}"), "{body}");
    Client {
        id: v["client_id"].as_str().unwrap().to_string(),
        secret: v["client_secret"].as_str().unwrap().to_string(),
    }
}

async fn password_grant_at(server: &TestServer, path: &str, c: &Client, user: &str, pw: &str) -> (StatusCode, String) {
    let form = [
        ("grant_type", "password"),
        ("username", user),
        ("password", pw),
        ("scope", "openid"),
    ];
    let (status, _, body) = post_form(server, path, Some((&c.id, &c.secret)), &form).await;
    (status, body)
}

async fn introspect_at(server: &TestServer, domain: &str, who: &str, token: &str) -> (StatusCode, String) {
    let (status, _, body) = post_form(
        server,
        &format!("/t/{domain}/oauth2/introspect"),
        Some((who, KIM_PASSWORD)),
        &[("token", token)],
    )
    .await;
    (status, body)
}

/// The authorization-code grant at `path` (no PKCE): status and body.
async fn exchange_at(server: &TestServer, path: &str, c: &Client, code: &str) -> (StatusCode, String) {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", CB),
    ];
    let (status, _, body) = post_form(server, path, Some((&c.id, &c.secret)), &form).await;
    (status, body)
}

#[tokio::test]
async fn each_tenant_s_oauth_endpoints_know_only_its_own_clients_users_and_tokens() {
    let server = TestServer::start_with("[forcereset]\nwso2_version = \"7.2\"\n");
    let app = server.app();
    tenant_with_tom(&app, "a.com", "A-tom@123");
    tenant_with_tom(&app, "b.com", "B-tom@123");
    // The same application name in both tenants: two applications.
    let shop_a = shop_of(&server, "a.com").await;
    let shop_b = shop_of(&server, "b.com").await;
    assert_ne!(shop_a.id, shop_b.id);
    // A tenant's admin registers nothing in another tenant (401, as AUTHREST's valve answers).
    let (status, body) = register_in(&server, "b.com", "kim@a.com", json!({"client_name": "x"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // The password grant on A's endpoint: `tom@a.com` and the bare `tom` (product-is#9526) both sign in A's tom.
    const TOKEN_A: &str = "/t/a.com/oauth2/token";
    let (status, body) = password_grant_at(&server, TOKEN_A, &shop_a, "tom@a.com", "A-tom@123").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token_a: Value = serde_json::from_str(&body).unwrap();
    let access_a = token_a["access_token"].as_str().unwrap().to_string();
    let (status, body) = password_grant_at(&server, TOKEN_A, &shop_a, "tom", "A-tom@123").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // B's tom, even with B's password, is bad credentials at A.
    let (status, body) = password_grant_at(&server, TOKEN_A, &shop_a, "tom@b.com", "B-tom@123").await;
    assert_eq!(
        (status, error_of(&body).0.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_grant"),
        "{body}"
    );
    // B's client at A's endpoint, and A's at the root one (7.x: the super tenant's), are unknown clients.
    for (path, c) in [(TOKEN_A, &shop_b), ("/oauth2/token", &shop_a)] {
        let (status, body) = password_grant_at(&server, path, c, "tom@a.com", "A-tom@123").await;
        assert_eq!(
            (status, error_of(&body).0.as_str()),
            (StatusCode::UNAUTHORIZED, "invalid_client"),
            "{path}: {body}"
        );
    }

    // Introspection: active at A, naming the tenant's user; nobody's at B; A's admin is not B's.
    let (status, body) = introspect_at(&server, "a.com", "kim@a.com", &access_a).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let seen: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (seen["active"].clone(), seen["username"].clone()),
        (json!(true), json!("tom@a.com"))
    );
    let (status, body) = introspect_at(&server, "b.com", "kim@b.com", &access_a).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, r#"{"active":false}"#));
    let (status, _) = introspect_at(&server, "b.com", "kim@a.com", &access_a).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Userinfo answers A's token at A only.
    for (path, expected) in [
        ("/t/a.com/oauth2/userinfo", StatusCode::OK),
        ("/t/b.com/oauth2/userinfo", StatusCode::UNAUTHORIZED),
    ] {
        let resp = server
            .client()
            .get(server.https(path))
            .bearer_auth(&access_a)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), expected, "{path}");
    }

    // Discovery under the tenant names the tenant's issuer and endpoints (7.x: tenant-qualified URLs).
    let doc: Value = server
        .client()
        .get(server.https("/t/a.com/oauth2/token/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let base = server.https_url();
    assert_eq!(doc["issuer"], format!("{base}/t/a.com/oauth2/token"));
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{base}/t/a.com/oauth2/authorize")
    );

    // Revocation at B with B's client leaves A's token alive; at A with A's client it ends it.
    let form = [("token", access_a.as_str())];
    let (status, _, _) = post_form(
        &server,
        "/t/b.com/oauth2/revoke",
        Some((&shop_b.id, &shop_b.secret)),
        &form,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = introspect_at(&server, "a.com", "kim@a.com", &access_a).await;
    assert!(body.contains(r#""active":true"#), "{body}");
    let (status, headers, _) = post_form(
        &server,
        "/t/a.com/oauth2/revoke",
        Some((&shop_a.id, &shop_a.secret)),
        &form,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !headers.contains_key("AuthorizedUser"),
        "7.x sends no revocation headers"
    );
    let (_, body) = introspect_at(&server, "a.com", "kim@a.com", &access_a).await;
    assert_eq!(body, r#"{"active":false}"#);
}

#[tokio::test]
async fn the_code_flow_under_a_tenant_signs_in_on_its_login_page_and_its_issuer_names_it() {
    let server = TestServer::start_with("[forcereset]\nwso2_version = \"7.2\"\n");
    let app = server.app();
    tenant_with_tom(&app, "a.com", "A-tom@123");
    tenant_with_tom(&app, "b.com", "B-tom@123");
    let shop_a = shop_of(&server, "a.com").await;
    let shop_b = shop_of(&server, "b.com").await;
    let authorize = |domain: &str, c: &Client| {
        format!(
            "/t/{domain}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid&state=st8\
             &nonce=n0nce",
            c.id,
            form_enc(CB)
        )
    };
    let browser = Browser::new(&server);
    // A's client under B's path is unknown there: the error page, never a redirect.
    let wrong = browser.get(&authorize("b.com", &shop_a)).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);

    let start = browser.get(&authorize("a.com", &shop_a)).await;
    assert_eq!(start.status, StatusCode::FOUND, "{}", start.body);
    let login_url = start.location().to_string();
    assert!(
        login_url.starts_with(&format!(
            "{}/t/a.com/authenticationendpoint/login.do?",
            server.https_url()
        )),
        "{login_url}"
    );
    assert_eq!(query_of(&login_url, "tenantDomain").as_deref(), Some("a.com"));
    assert_eq!(
        query_of(&login_url, "commonAuthCallerPath").as_deref(),
        Some("/t/a.com/oauth2/authorize")
    );
    let login = browser.get(&login_url).await;
    assert_eq!(login.status, StatusCode::OK);
    // B's tom is nobody on A's page.
    let refused = crate::tenants::submit_login(&browser, &login, "tom@b.com", "B-tom@123").await;
    assert!(
        refused.location().contains("authFailure=true"),
        "{}",
        refused.location()
    );
    let login = browser.get(&login_url).await;
    let answer = crate::tenants::submit_login(&browser, &login, "tom", "A-tom@123").await;
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    let to_app = answer.location().to_string();
    assert!(to_app.starts_with(&format!("{CB}?code=")), "{to_app}");
    assert_eq!(query_of(&to_app, "state").as_deref(), Some("st8"));
    let code = query_of(&to_app, "code").unwrap();

    // The code is A's: B's endpoint (with B's client) does not know it; A's exchanges it.
    let (status, body) = exchange_at(&server, "/t/b.com/oauth2/token", &shop_b, &code).await;
    assert_eq!(
        (status, error_of(&body).0.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_grant"),
        "{body}"
    );
    let (status, body) = exchange_at(&server, "/t/a.com/oauth2/token", &shop_a, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tokens: Value = serde_json::from_str(&body).unwrap();
    let claims = verified_claims(&server, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["iss"], format!("{}/t/a.com/oauth2/token", server.https_url()));
    assert_eq!(claims["aud"], shop_a.id.as_str());
    assert_eq!(claims["nonce"], "n0nce");

    // The browser's session is A's: a second authorization at A gets its code at once; one at B (another tenant)
    // goes to B's login page instead.
    let again = browser.get(&authorize("a.com", &shop_a)).await;
    assert!(
        again.location().starts_with(&format!("{CB}?code=")),
        "{}",
        again.location()
    );
    let at_b = browser.get(&authorize("b.com", &shop_b)).await;
    assert!(
        at_b.location().contains("/t/b.com/authenticationendpoint/login.do?"),
        "{}",
        at_b.location()
    );
}

/// A third-party client: Authlib against `/t/a.com/`'s discovery document (`tests/toolkits/oauth_tenant_authlib.py`:
/// the code flow through the tenant's login page, the ID token checked against the discovered keys and issuer, the
/// password grant with a bare name).
#[test]
fn authlib_runs_the_code_flow_from_a_tenant_s_discovery_document() {
    let Some(python) = crate::smtp::python() else { return };
    let server = TestServer::start_with("[forcereset]\nwso2_version = \"7.2\"\n");
    let app = server.app();
    tenant_with_tom(&app, "a.com", "A-tom@123");
    tenant_with_tom(&app, "b.com", "B-tom@123");
    let shop_a = server.block_on(shop_of(&server, "a.com"));
    let url = server.https_url();
    let stdout = crate::support::run_toolkit(
        &python,
        "oauth_tenant_authlib.py",
        &[&url, "a.com", &shop_a.id, &shop_a.secret, CB, "tom", "A-tom@123"],
    );
    assert!(stdout.contains("3 passed, 0 failed"), "{stdout}");
}
