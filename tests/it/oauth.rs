//! The OAuth2 front door over HTTPS: DCR, the token endpoint, introspection and revocation, with WSO2's statuses
//! and JSON, hostile inputs refused with the right OAuth error and nothing changed, and a forced reset ending the
//! user's tokens.

use forcereset::app::Actor;
use forcereset::domain::governance;
use forcereset::store::TenantId;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestServer, add_login_user};

const DCR: &str = "/api/identity/oauth2/dcr/v1.1/register";

/// A registered client: id and secret.
pub struct Client {
    pub id: String,
    pub secret: String,
}

pub async fn register(server: &TestServer, body: Value) -> (StatusCode, String) {
    let resp = server
        .client()
        .post(server.https(DCR))
        .basic_auth("admin", Some("admin"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.text().await.unwrap())
}

pub async fn client_of(server: &TestServer, name: &str, grants: &[&str]) -> Client {
    client_registered(
        server,
        json!({"client_name": name, "grant_types": grants, "redirect_uris": ["https://app.example/cb"]}),
    )
    .await
}

/// Register `body` through DCR, expecting 201; the client.
pub async fn client_registered(server: &TestServer, body: Value) -> Client {
    let (status, body) = register(server, body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    Client {
        id: v["client_id"].as_str().unwrap().to_string(),
        secret: v["client_secret"].as_str().unwrap().to_string(),
    }
}

/// POST a form to `path` with Basic client credentials (None = no header); status, headers, body.
pub async fn post_form(
    server: &TestServer,
    path: &str,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut req = server.client().post(server.https(path)).form(form);
    if let Some((u, p)) = basic {
        req = req.basic_auth(u, Some(p));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

pub async fn password_grant(server: &TestServer, c: &Client, user: &str, password: &str) -> (StatusCode, String) {
    let (status, _, body) = password_grant_scoped(server, c, user, password, None).await;
    (status, body)
}

/// The password grant asking for `scope`: status, headers, body.
pub async fn password_grant_scoped(
    server: &TestServer,
    c: &Client,
    user: &str,
    password: &str,
    scope: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut form = vec![("grant_type", "password"), ("username", user), ("password", password)];
    form.extend(scope.map(|s| ("scope", s)));
    post_form(server, "/oauth2/token", Some((&c.id, &c.secret)), &form).await
}

pub async fn introspect(server: &TestServer, token: &str) -> Value {
    let (status, _, body) = post_form(
        server,
        "/oauth2/introspect",
        Some(("admin", "admin")),
        &[("token", token)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

pub fn error_of(body: &str) -> (String, String) {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    (
        v["error"].as_str().unwrap_or_default().to_string(),
        v["error_description"].as_str().unwrap_or_default().to_string(),
    )
}

/// A server with tom (an e-mail address) and the e-mailed OTP reset mode on.
fn otp_server() -> (TestServer, std::sync::Arc<forcereset::app::App>) {
    otp_server_with("")
}

/// [`otp_server`] with `toml` as its deployment.toml.
fn otp_server_with(toml: &str) -> (TestServer, std::sync::Arc<forcereset::app::App>) {
    let server = TestServer::start_with(toml);
    let app = server.app();
    add_login_user(
        &app,
        "tom",
        "Abcd@1234",
        &[("http://wso2.org/claims/emailaddress", "tom@example.com")],
    );
    app.update_configurations(&Actor::System, &[(governance::OTP.to_string(), "true".to_string())])
        .unwrap();
    (server, app)
}

fn app_count(server: &TestServer) -> usize {
    server.app().applications(&Actor::System).unwrap().len()
}

#[tokio::test]
async fn dcr_registers_reads_updates_and_deletes_as_wso2_5_11_does() {
    let server = TestServer::start();
    let (status, body) = register(
        &server,
        json!({"client_name": "shop", "grant_types": ["password", "refresh_token"],
               "redirect_uris": ["https://shop.example/cb", "https://shop.example/cb2"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // 5.11's ApplicationDTO, in its field order (product-is#11025's capture).
    assert!(body.starts_with(r#"{"client_id":""#), "{body}");
    assert!(
        body.ends_with(
            r#","client_secret_expires_at":null,"redirect_uris":["regexp=(https://shop.example/cb|https://shop.example/cb2)"],"grant_types":["password","refresh_token"],"client_name":"shop"}"#
        ),
        "{body}"
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    let id = v["client_id"].as_str().unwrap();
    assert_eq!(v["client_secret"].as_str().unwrap().len(), 28);
    // Read: the secret is not shown again (stored hashed).
    let resp = server
        .client()
        .get(server.https(&format!("{DCR}/{id}")))
        .basic_auth("admin", "admin".into())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let read: Value = resp.json().await.unwrap();
    assert_eq!(read["client_name"], "shop");
    assert!(read.get("client_secret").is_none());
    // Duplicate name: 400 (not 409), DCR's error order.
    let (status, body) = register(&server, json!({"client_name": "shop"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        r#"{"error":"invalid_client_metadata","error_description":"Application with the name shop already exist in the system"}"#
    );
    // Update: a new name and grant types; empty lists keep what is stored.
    let resp = server
        .client()
        .put(server.https(&format!("{DCR}/{id}")))
        .basic_auth("admin", "admin".into())
        .json(&json!({"client_name": "shop2", "grant_types": ["client_credentials"], "redirect_uris": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let updated: Value = resp.json().await.unwrap();
    assert_eq!(updated["client_name"], "shop2");
    assert_eq!(updated["grant_types"], json!(["client_credentials"]));
    assert_eq!(updated["redirect_uris"], read["redirect_uris"]);
    // Unknown client id: 401 with no body, for GET, PUT and DELETE (OAuthDCRMTestCase).
    for method in [reqwest::Method::GET, reqwest::Method::PUT, reqwest::Method::DELETE] {
        let resp = server
            .client()
            .request(method.clone(), server.https(&format!("{DCR}/nosuchclient")))
            .basic_auth("admin", "admin".into())
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{method}");
        assert_eq!(resp.text().await.unwrap(), "");
    }
    // No or wrong credentials: 401; a user without the permission: 403; nothing registered.
    let before = app_count(&server);
    let resp = server
        .client()
        .post(server.https(DCR))
        .json(&json!({"client_name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    add_login_user(&server.app(), "tom", "Abcd@1234", &[]);
    let resp = server
        .client()
        .post(server.https(DCR))
        .basic_auth("tom", "Abcd@1234".into())
        .json(&json!({"client_name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // Hostile registrations: a bad redirect URI, an oversized one, code grant without a URI, an unknown field.
    for (body, want) in [
        (
            json!({"client_name": "h1", "redirect_uris": ["javascript alert(1)"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"client_name": "h2", "redirect_uris": [format!("https://a/{}", "x".repeat(5000))]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"client_name": "h3", "grant_types": ["authorization_code"]}),
            "invalid_client_metadata",
        ),
        (json!({"client_name": "bad name!"}), "invalid_client_metadata"),
        (
            json!({"client_name": "h4", "grant_types": ["implicit"]}),
            "invalid_client_metadata",
        ),
    ] {
        let (status, text) = register(&server, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        assert_eq!(error_of(&text).0, want, "{text}");
    }
    let (status, text) = register(&server, json!({"client_name": "h5", "surprise": 1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "5.11: Jackson's plain-text refusal");
    assert!(text.starts_with("Unrecognized field \"surprise\""), "{text}");
    assert_eq!(app_count(&server), before);
    // Delete: 204, then 401.
    let resp = server
        .client()
        .delete(server.https(&format!("{DCR}/{id}")))
        .basic_auth("admin", "admin".into())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(app_count(&server), before - 1);
}

#[tokio::test]
async fn dcr_answers_in_each_releases_shape() {
    for (version, check) in [
        ("5.9", r#"{"client_name":"a","client_id":""#),
        ("6.0", r#","client_secret_expires_at":0,"#),
        ("7.0", r#""ext_application_owner":"admin@carbon.super""#),
    ] {
        let server = TestServer::builder().forcereset("wso2_version", version).start();
        let (status, body) = register(&server, json!({"client_name": "a"})).await;
        assert_eq!(status, StatusCode::CREATED, "{version}: {body}");
        assert!(body.contains(check), "{version}: {body}");
        if version == "7.0" {
            assert!(body.contains(r#""jwks_uri":null"#), "7.0 writes nulls: {body}");
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["client_secret"].as_str().unwrap().len(), 44);
            let (status, body) = register(&server, json!({"client_name": "b", "surprise": 1})).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert_eq!(error_of(&body).1, "Unrecognized field : surprise");
            let (status, body) = register(&server, json!({"grant_types": []})).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert_eq!(error_of(&body).1, "The client name is missing or empty.");
        }
    }
    let server = TestServer::builder().forcereset("wso2_version", "7.2").start();
    let (_, body) = register(&server, json!({"client_name": "a"})).await;
    assert!(!body.contains("null"), "7.2 leaves the nulls out: {body}");
    assert!(body.contains(r#""ext_pkce_mandatory":false"#), "{body}");
}

#[tokio::test]
async fn the_token_endpoint_issues_rotates_introspects_and_revokes() {
    let server = TestServer::start();
    add_login_user(&server.app(), "tom", "Abcd@1234", &[]);
    let c = client_of(&server, "shop", &[]).await;
    let (status, headers, body) = password_grant_scoped(&server, &c, "tom", "Abcd@1234", Some("openid email")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["pragma"], "no-cache");
    // Oltu's HashMap order: access_token, refresh_token, scope, token_type, expires_in.
    let keys: Vec<&str> = body.split('"').skip(1).step_by(4).collect();
    assert_eq!(
        keys,
        ["access_token", "refresh_token", "scope", "token_type", "expires_in"],
        "{body}"
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["scope"], "email openid");
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3600);
    let at = v["access_token"].as_str().unwrap().to_string();
    let rt = v["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(at.len(), 36);
    assert_eq!(&at[14..15], "3", "a version-3 UUID's shape");
    // Nothing of them is stored in clear.
    let mut db = std::fs::read(server.data_dir().join("forcereset.db")).unwrap_or_default();
    db.extend(std::fs::read(server.data_dir().join("forcereset.db-wal")).unwrap_or_default());
    assert!(!db.is_empty());
    assert!(!db.windows(at.len()).any(|w| w == at.as_bytes()));
    let seen = introspect(&server, &at).await;
    assert_eq!(seen["active"], true);
    assert_eq!(seen["username"], "tom@carbon.super");
    assert_eq!(seen["client_id"], c.id.as_str());
    assert_eq!(seen["aut"], "APPLICATION_USER");
    // The body form of client authentication works too; both at once is refused.
    let (status, _, body) = post_form(
        &server,
        "/oauth2/token",
        None,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt),
            ("client_id", &c.id),
            ("client_secret", &c.secret),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rotated: Value = serde_json::from_str(&body).unwrap();
    assert_ne!(rotated["refresh_token"], rt.as_str());
    assert_eq!(introspect(&server, &at).await, json!({"active": false}));
    let (status, _, body) = post_form(
        &server,
        "/oauth2/token",
        Some((&c.id, &c.secret)),
        &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        r#"{"error_description":"Invalid refresh token state","error":"invalid_grant"}"#
    );
    let (status, _, body) = post_form(
        &server,
        "/oauth2/token",
        Some((&c.id, &c.secret)),
        &[("grant_type", "client_credentials"), ("client_secret", &c.secret)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(&body),
        (
            "invalid_request".into(),
            "Request body and headers contain authorization information".into()
        )
    );
    // Revocation: 200 with no body, 5.11's headers, then inactive; an unknown token is 200 too.
    let at2 = rotated["access_token"].as_str().unwrap();
    let (status, headers, body) =
        post_form(&server, "/oauth2/revoke", Some((&c.id, &c.secret)), &[("token", at2)]).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    assert_eq!(headers["authorizeduser"], "tom@carbon.super");
    assert_eq!(introspect(&server, at2).await, json!({"active": false}));
    let (status, _, _) = post_form(
        &server,
        "/oauth2/revoke",
        Some((&c.id, &c.secret)),
        &[("token", "nope")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = post_form(&server, "/oauth2/revoke", Some((&c.id, "wrong")), &[("token", "nope")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        r#"{"error_description":"Client Authentication failed.","error":"invalid_client"}"#
    );
    let (status, _, body) = post_form(&server, "/oauth2/revoke", Some((&c.id, &c.secret)), &[]).await;
    assert_eq!(
        (status, error_of(&body).1.as_str()),
        (StatusCode::BAD_REQUEST, "Invalid revocation request")
    );
    // Introspection needs a user with the permission, and a token.
    let (status, _, _) = post_form(
        &server,
        "/oauth2/introspect",
        Some((&c.id, &c.secret)),
        &[("token", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, body) = post_form(&server, "/oauth2/introspect", Some(("admin", "admin")), &[]).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::BAD_REQUEST, r#"{"error": "Invalid input"}"#)
    );
    // Client credentials: no refresh token, no openid.
    let (status, _, body) = post_form(
        &server,
        "/oauth2/token",
        Some((&c.id, &c.secret)),
        &[("grant_type", "client_credentials"), ("scope", "openid read")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.split('"').nth(5), Some("scope"), "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["scope"], "read");
    assert_eq!(
        introspect(&server, v["access_token"].as_str().unwrap()).await["aut"],
        "APPLICATION"
    );
}

#[tokio::test]
async fn bad_clients_and_hostile_requests_get_wso2s_oauth_errors_and_change_nothing() {
    let server = TestServer::start();
    add_login_user(&server.app(), "tom", "Abcd@1234", &[]);
    let c = client_of(&server, "shop", &["password"]).await;
    let token = |form: Vec<(&'static str, String)>, basic: Option<(String, String)>| {
        let server = &server;
        async move {
            let mut req = server.client().post(server.https("/oauth2/token")).form(&form);
            if let Some((u, p)) = basic {
                req = req.basic_auth(u, Some(p));
            }
            let resp = req.send().await.unwrap();
            let status = resp.status();
            let www = resp
                .headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap().to_string());
            (status, www, resp.text().await.unwrap())
        }
    };
    let ok_form = || {
        vec![
            ("grant_type", "password".to_string()),
            ("username", "tom".to_string()),
            ("password", "Abcd@1234".to_string()),
        ]
    };
    let creds = Some((c.id.clone(), c.secret.clone()));
    let (status, www, body) = token(ok_form(), Some((c.id.clone(), "wrong".into()))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(www.as_deref(), Some("Basic realm=localhost"));
    assert_eq!(
        body,
        r#"{"error_description":"Client credentials are invalid.","error":"invalid_client"}"#
    );
    let (status, _, body) = token(ok_form(), Some(("nosuch".into(), "x".into()))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        error_of(&body).1,
        "A valid OAuth client could not be found for client_id: nosuch"
    );
    let (status, _, body) = token(ok_form(), None).await;
    assert_eq!(
        (status, error_of(&body).0.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    let (status, _, body) = token(vec![("grant_type", "magic".into())], creds.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(&body),
        (
            "unsupported_grant_type".into(),
            "Unsupported grant type : magic, is used.".into()
        )
    );
    let (status, _, body) = token(vec![("grant_type", "client_credentials".into())], creds.clone()).await;
    assert_eq!(
        (status, error_of(&body).0.as_str()),
        (StatusCode::BAD_REQUEST, "unauthorized_client")
    );
    let mut repeated = ok_form();
    repeated.push(("username", "admin".into()));
    let (status, _, body) = token(repeated, creds.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(&body),
        (
            "invalid_request".into(),
            "Invalid request with repeated parameters.".into()
        )
    );
    let mut long = ok_form();
    long[2].1 = "x".repeat(5000);
    let (status, _, body) = token(long, creds.clone()).await;
    assert_eq!(
        (status, error_of(&body).0.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
    let (status, _, body) = token(
        vec![("grant_type", "authorization_code".into()), ("code", "forged".into())],
        creds.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(&body).0,
        "unauthorized_client",
        "the app was not registered for the code grant"
    );
    // A malformed JSON body.
    let resp = server
        .client()
        .post(server.https("/oauth2/token"))
        .basic_auth(&c.id, Some(&c.secret))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(&resp.text().await.unwrap()).1,
        "Malformed or unsupported request payload"
    );
    // JSON works (OIDCPasswordGrantTest's JSON request).
    let resp = server
        .client()
        .post(server.https("/oauth2/token"))
        .basic_auth(&c.id, Some(&c.secret))
        .json(&json!({"grant_type": "password", "username": "tom", "password": "Abcd@1234"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    // Over plain HTTP: refused (an admin-over-HTTP switch governs it).
    let resp = server.client().post(server.http("/oauth2/token")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = server.client().get(server.https("/oauth2/token")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_forced_reset_ends_the_users_tokens_and_the_password_grant_says_so() {
    let (server, app) = otp_server();
    let c = client_of(&server, "shop", &[]).await;
    let (_, body) = password_grant(&server, &c, "tom", "Abcd@1234").await;
    let v: Value = serde_json::from_str(&body).unwrap();
    let (at, rt) = (
        v["access_token"].as_str().unwrap(),
        v["refresh_token"].as_str().unwrap(),
    );
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    app.force_reset(&Actor::System, "tom").unwrap();
    assert_eq!(introspect(&server, at).await, json!({"active": false}));
    let (status, _, body) = post_form(
        &server,
        "/oauth2/token",
        Some((&c.id, &c.secret)),
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
    )
    .await;
    assert_eq!(
        (status, error_of(&body).1.as_str()),
        (StatusCode::BAD_REQUEST, "Invalid refresh token state")
    );
    let (status, body) = password_grant(&server, &c, "tom", "Abcd@1234").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        r#"{"error_description":"Error when handling event : PRE_AUTHENTICATION","error":"invalid_grant"}"#
    );
    let (status, body) = password_grant(&server, &c, "admin", "wrong").await;
    assert_eq!(
        (status, error_of(&body).1.as_str()),
        (StatusCode::BAD_REQUEST, "Authentication failed for admin")
    );
}

#[test]
fn the_cli_adds_lists_shows_and_deletes_applications_and_shows_the_secret_once() {
    let ws = crate::support::Workspace::new();
    let added = ws
        .run(&[
            "app",
            "add",
            "shop",
            "--redirect-uri",
            "https://shop.example/cb",
            "--grant",
            "password",
        ])
        .ok()
        .to_string();
    let field = |text: &str, name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
            .unwrap_or_else(|| panic!("{name} in {text}"))
    };
    let id = field(&added, "client_id:");
    let secret = field(&added, "client_secret:");
    assert_eq!((id.len(), secret.len()), (28, 28), "{added}");
    let list = ws.run(&["app", "list"]).ok().to_string();
    assert!(list.contains(&id) && list.contains("https://shop.example/cb"), "{list}");
    let shown = ws.run(&["app", "show", "shop"]).ok().to_string();
    assert!(
        shown.contains(&id) && shown.contains("grant_types:    password"),
        "{shown}"
    );
    assert!(!shown.contains(&secret), "the secret is shown once only");
    assert!(ws.run(&["app", "add", "shop"]).fails().contains("already exist"));
    assert!(
        ws.run(&["app", "add", "x", "--redirect-uri", "not a uri"])
            .fails()
            .contains("Invalid redirect URI")
    );
    let deleted = ws.run(&["app", "delete", &id]).ok().to_string();
    assert!(deleted.contains("deleted shop"), "{deleted}");
    assert!(ws.run(&["app", "show", "shop"]).fails().contains("no application"));
}

// ---------------------------------------------------------------------------------------------------------------
// The code flow through the real pages
// ---------------------------------------------------------------------------------------------------------------

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::Digest as _;

use crate::web_client::{Browser, Page, input_value};

pub const CB: &str = "http://127.0.0.1:9/cb";

pub fn query_of(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

pub fn form_enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub fn authorize_url(c: &Client, extra: &str) -> String {
    format!(
        "/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid&state=st8&nonce=n0nce{extra}",
        c.id,
        form_enc(CB)
    )
}

/// Verify an RS256 JWS against the server's JWKS; its claims.
pub async fn verified_claims(server: &TestServer, jwt: &str) -> Value {
    let jwks: Value = server
        .client()
        .get(server.https("/oauth2/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .expect("the kid in the JWKS");
    let n = URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap()).unwrap();
    let e = URL_SAFE_NO_PAD.decode(key["e"].as_str().unwrap()).unwrap();
    ring::signature::RsaPublicKeyComponents { n: &n, e: &e }
        .verify(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            format!("{}.{}", parts[0], parts[1]).as_bytes(),
            &URL_SAFE_NO_PAD.decode(parts[2]).unwrap(),
        )
        .expect("a valid signature");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
}

pub async fn exchange(server: &TestServer, c: &Client, code: &str, verifier: &str) -> (StatusCode, String) {
    let (status, _, body) = post_form(
        server,
        "/oauth2/token",
        Some((&c.id, &c.secret)),
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CB),
            ("code_verifier", verifier),
        ],
    )
    .await;
    (status, body)
}

#[tokio::test]
async fn the_code_flow_runs_through_the_otp_reset_detour_back_to_the_application() {
    let (server, app) = otp_server();
    let c = client_of(&server, "spa", &[]).await;
    let (_, body) = register(&server, json!({"client_name": "spa2", "redirect_uris": [CB]})).await;
    assert!(body.contains(CB));
    let resp = server
        .client()
        .put(server.https(&format!("{DCR}/{}", c.id)))
        .basic_auth("admin", "admin".into())
        .json(&json!({"redirect_uris": [CB]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    app.force_reset(&Actor::System, "tom").unwrap();
    #[allow(clippy::disallowed_methods)]
    let mail = app
        .store_for_tests()
        .read(TenantId::SUPER, |tx| tx.mails(0, 1))
        .unwrap()
        .remove(0)
        .body;
    let otp = crate::support::first_bold(&mail);

    let verifier = "v".repeat(43) + "-._~0123";
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let browser = Browser::new(&server);
    let start = browser
        .get(&authorize_url(
            &c,
            &format!("&code_challenge={challenge}&code_challenge_method=S256"),
        ))
        .await;
    assert_eq!(start.status, StatusCode::FOUND, "{}", start.body);
    let login_url = start.location().to_string();
    assert!(
        login_url.contains("/authenticationendpoint/login.do?client_id="),
        "{login_url}"
    );
    assert!(
        login_url.contains("&commonAuthCallerPath=%2Foauth2%2Fauthorize&forceAuth=false&"),
        "{login_url}"
    );
    assert!(
        login_url.ends_with("&type=oidc&sp=spa&isSaaSApp=false&authenticators=BasicAuthenticator:LOCAL"),
        "{login_url}"
    );
    let login: Page = browser.get(&login_url).await;
    assert_eq!(login.status, StatusCode::OK);
    let csp = login.headers["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("form-action 'self' http://127.0.0.1:9"), "{csp}");
    // The OTP as the password: 17007, to the reset page, with a callback to the same flow.
    let answer = browser.submit_login(&login, "tom", &otp).await;
    assert!(
        answer.location().contains("confirmrecovery.do?"),
        "{}",
        answer.location()
    );
    let reset_page = browser.follow(&answer).await;
    let done = browser.submit_reset(&reset_page, "Brand@New1", "Brand@New1").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let text = done.text();
    let back = text
        .split("id=\"callback\" href=\"")
        .nth(1)
        .and_then(|h| h.split('"').next())
        .unwrap()
        .to_string();
    let key = input_value(&login.body, "sessionDataKey");
    assert!(back.contains(&key), "the callback returns to the same flow: {back}");
    let login_again = browser.get(&back).await;
    assert_eq!(login_again.status, StatusCode::OK);
    let answer = browser.submit_login(&login_again, "tom", "Brand@New1").await;
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    let to_app = answer.location().to_string();
    assert!(to_app.starts_with(&format!("{CB}?code=")), "{to_app}");
    assert_eq!(query_of(&to_app, "state").as_deref(), Some("st8"));
    assert!(query_of(&to_app, "session_state").unwrap().contains('.'));
    let code = query_of(&to_app, "code").unwrap();

    // A wrong verifier changes nothing; the right one gets the tokens and a signed ID token.
    let (status, body) = exchange(&server, &c, &code, &"w".repeat(43)).await;
    assert_eq!(
        (status, error_of(&body).1.as_str()),
        (StatusCode::BAD_REQUEST, "PKCE validation failed")
    );
    let (status, body) = exchange(&server, &c, &code, &verifier).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let keys: Vec<&str> = body.split('"').skip(1).step_by(4).collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "refresh_token",
            "scope",
            "id_token",
            "token_type",
            "expires_in"
        ]
    );
    let tokens: Value = serde_json::from_str(&body).unwrap();
    let claims = verified_claims(&server, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["sub"], "tom");
    assert_eq!(claims["aud"], c.id.as_str());
    assert_eq!(claims["nonce"], "n0nce");
    assert_eq!(claims["iss"], format!("{}/oauth2/token", server.https_url()));
    let at = tokens["access_token"].as_str().unwrap();
    let userinfo = server
        .client()
        .get(server.https("/oauth2/userinfo"))
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), StatusCode::OK);
    assert_eq!(userinfo.json::<Value>().await.unwrap(), json!({"sub": "tom"}));
    // Replay: refused, and the tokens the code bought are revoked (RFC 6749 §4.1.2).
    let (status, body) = exchange(&server, &c, &code, &verifier).await;
    assert_eq!(
        (status, error_of(&body).1.as_str()),
        (
            StatusCode::BAD_REQUEST,
            "Inactive authorization code received from token request"
        )
    );
    assert_eq!(introspect(&server, at).await, json!({"active": false}));

    // Signed in now: the next authorization gets its code at once; prompt=login asks again.
    let again = browser
        .get(&authorize_url(
            &c,
            &format!("&code_challenge={challenge}&code_challenge_method=S256"),
        ))
        .await;
    assert!(
        again.location().starts_with(&format!("{CB}?code=")),
        "{}",
        again.location()
    );
    let forced = browser
        .get(&authorize_url(
            &c,
            &format!("&prompt=login&code_challenge={challenge}&code_challenge_method=S256"),
        ))
        .await;
    assert!(forced.location().contains("login.do?"), "{}", forced.location());
    assert!(forced.location().contains("forceAuth=true"), "{}", forced.location());

    // Discovery at both of WSO2's paths, and the JWKS it names.
    for path in [
        "/oauth2/token/.well-known/openid-configuration",
        "/oauth2/oidcdiscovery/.well-known/openid-configuration",
    ] {
        let doc: Value = server
            .client()
            .get(server.https(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(doc["issuer"], claims["iss"]);
        assert_eq!(doc["jwks_uri"], server.https("/oauth2/jwks"));
        assert_eq!(doc["code_challenge_methods_supported"], json!(["S256", "plain"]));
    }
    // The key is kept in the data directory, owner-only.
    let key_file = server.data_dir().join("oauth-signing.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[tokio::test]
async fn hostile_authorization_requests_never_redirect_anywhere_unregistered() {
    let server = TestServer::start();
    let c = client_of(&server, "spa", &[]).await;
    let browser = Browser::new(&server);
    let enc = form_enc;
    // Open redirect attempts and a mismatched redirect URI: WSO2's error page, no Location.
    for evil in [
        "https://evil.example/cb",
        "https://app.example/cb/../evil",
        "https://app.example/cb?x=1",
        "//evil.example",
    ] {
        let page = browser
            .get(&format!(
                "/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}",
                c.id,
                enc(evil)
            ))
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{evil}");
        assert!(page.headers.get("location").is_none());
        assert!(page.body.contains("invalid_callback"), "{}", page.body);
    }
    let page = browser
        .get("/oauth2/authorize?response_type=code&client_id=nosuch&redirect_uri=https%3A%2F%2Fevil.example")
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.headers.get("location").is_none());
    let cb = enc("https://app.example/cb");
    // PKCE downgrade to plain: refused at the redirect URI (DCR apps do not take plain).
    let page = browser
        .get(&format!("/oauth2/authorize?response_type=code&client_id={}&redirect_uri={cb}&state=s&code_challenge={}&code_challenge_method=plain", c.id, "p".repeat(43)))
        .await;
    assert_eq!(page.status, StatusCode::FOUND);
    assert_eq!(query_of(page.location(), "error").as_deref(), Some("invalid_request"));
    assert_eq!(
        query_of(page.location(), "error_description").as_deref(),
        Some("This application does not support \"plain\" transformation algorithm.")
    );
    assert_eq!(query_of(page.location(), "state").as_deref(), Some("s"));
    // Another response type and prompt=none without a session go back with the error; a repeated parameter does
    // not.
    for (query, error) in [
        ("response_type=token", Some("unsupported_response_type")),
        ("response_type=code&prompt=none", Some("login_required")),
        ("response_type=code&client_id=x", None),
    ] {
        let page = browser
            .get(&format!(
                "/oauth2/authorize?{query}&client_id={}&redirect_uri={cb}",
                c.id
            ))
            .await;
        match error {
            Some(e) => assert_eq!(query_of(page.location(), "error").as_deref(), Some(e), "{query}"),
            None => assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}"),
        }
    }
    let page = browser
        .get(&format!(
            "/oauth2/authorize?response_type=code&client_id={}&redirect_uri={cb}&state={}",
            c.id,
            "s".repeat(5000)
        ))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.headers.get("location").is_none());
    // A forged code, and a mismatched redirect URI at the token endpoint.
    let (status, body) = exchange(&server, &c, "forged", "v").await;
    assert_eq!(
        (status, error_of(&body).1.as_str()),
        (
            StatusCode::BAD_REQUEST,
            "Invalid authorization code received from token request"
        )
    );
    // regexp= callbacks match the whole URI (OAuth2ServiceRegexCallbackUrlTestCase).
    let (_, body) = register(
        &server,
        json!({"client_name": "rx", "redirect_uris": ["regexp=https://rx\\.example/cb[0-9]"]}),
    )
    .await;
    let rx: Value = serde_json::from_str(&body).unwrap();
    let ok = browser
        .get(&format!(
            "/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}",
            rx["client_id"].as_str().unwrap(),
            enc("https://rx.example/cb7")
        ))
        .await;
    assert_eq!(ok.status, StatusCode::FOUND);
    let bad = browser
        .get(&format!(
            "/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}",
            rx["client_id"].as_str().unwrap(),
            enc("https://rx.example/cb7.evil")
        ))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

/// The one third-party check: Authlib and headless Chromium (`tests/toolkits/oauth_authlib.py`).
#[test]
fn authlib_signs_a_user_in_through_the_otp_reset_and_verifies_the_id_token() {
    let Some(selenium) = crate::support::Selenium::available() else {
        return;
    };
    // With the consent page on: after the reset detour and the new login, the user approves the application.
    let (server, app) = otp_server_with("[oauth]\nprompt_consent = true\n");
    add_login_user(
        &app,
        "carol",
        "Carol@1234",
        &[("http://wso2.org/claims/emailaddress", "carol@example.com")],
    );
    // Tokens tom holds before his reset, to be found dead afterwards.
    let (c, old) = server.block_on(async {
        let c = client_of(&server, "before", &[]).await;
        let (_, body) = password_grant(&server, &c, "tom", "Abcd@1234").await;
        (c, serde_json::from_str::<Value>(&body).unwrap())
    });
    std::thread::sleep(std::time::Duration::from_millis(5));
    app.force_reset(&Actor::System, "tom").unwrap();
    let otp = {
        #[allow(clippy::disallowed_methods)]
        let mail = app
            .store_for_tests()
            .read(TenantId::SUPER, |tx| tx.mails(0, 1))
            .unwrap()
            .remove(0)
            .body;
        crate::support::first_bold(&mail)
    };
    app.force_reset(&Actor::System, "carol").unwrap();
    let shots = selenium.run(
        "oauth_authlib.py",
        &[
            server.https_url().as_str(),
            "tom",
            &otp,
            "Brand@New1",
            old["access_token"].as_str().unwrap(),
            old["refresh_token"].as_str().unwrap(),
            &c.id,
            &c.secret,
            "carol",
            "Carol@1234",
            "Error when handling event : PRE_AUTHENTICATION",
        ],
        "oauth-authlib",
    );
    assert!(shots.join("04-back-at-the-app.png").exists(), "{}", shots.display());
}

/// The password grant and an expired password, per release: 5.x–6.x issue tokens (PWP's enforcer is browser-only),
/// 7.0 refuses only a *wrong* password of an expired user (its event fires after a failed check), 7.1+ refuse an
/// expired password right or wrong with "Authentication Failed! Password has expired".
#[tokio::test]
async fn the_password_grant_answers_an_expired_password_as_each_release_does() {
    use forcereset::domain::claims;
    use forcereset::domain::profile::Wso2Version;
    use forcereset::domain::profile::oauth::GrantExpiry;
    const EXPIRED: &str = "Authentication Failed! Password has expired";
    for version in Wso2Version::ALL {
        let server = TestServer::start_with(&format!(
            "{}\n[forcereset]\nwso2_version = \"{version}\"\n",
            crate::expiry::EXPIRY_ON
        ));
        let app = server.app();
        add_login_user(&app, "tom", "Abcd@1234", &[]);
        let c = client_of(&server, "scripts", &[]).await;
        // A fresh password gets tokens in every release.
        let (status, body) = password_grant(&server, &c, "tom", "Abcd@1234").await;
        assert_eq!(status, StatusCode::OK, "{version}: {body}");
        let old = (app.now() - 40 * 86_400_000).to_string();
        app.set_claims(
            &Actor::System,
            "tom",
            "default",
            &[(claims::LAST_PASSWORD_UPDATE_TIME.to_string(), old)],
        )
        .unwrap();
        let (right, right_body) = password_grant(&server, &c, "tom", "Abcd@1234").await;
        let (wrong, wrong_body) = password_grant(&server, &c, "tom", "Wrong@1234").await;
        assert_eq!(wrong, StatusCode::BAD_REQUEST, "{version}");
        match version.profile().oauth.password_grant.expiry {
            GrantExpiry::NotAsked => {
                assert_eq!(right, StatusCode::OK, "{version}: {right_body}");
                assert!(right_body.contains("access_token"), "{version}");
                assert_eq!(error_of(&wrong_body).1, "Authentication failed for tom", "{version}");
            }
            GrantExpiry::AfterFailure => {
                assert_eq!(right, StatusCode::OK, "{version}: {right_body}");
                assert_eq!(
                    wrong_body,
                    format!(r#"{{"error_description":"{EXPIRED}","error":"invalid_grant"}}"#),
                    "{version}"
                );
            }
            GrantExpiry::Always => {
                assert_eq!(right, StatusCode::BAD_REQUEST, "{version}");
                assert_eq!(
                    right_body,
                    format!(r#"{{"error_description":"{EXPIRED}","error":"invalid_grant"}}"#),
                    "{version}"
                );
                assert_eq!(
                    error_of(&wrong_body),
                    ("invalid_grant".into(), EXPIRED.into()),
                    "{version}"
                );
            }
        }
        // A pending forced reset is decided before any expiry (PRE_AUTHENTICATION throws first).
        app.update_configurations(&Actor::System, &[(governance::OTP.to_string(), "true".to_string())])
            .unwrap();
        app.set_claims(
            &Actor::System,
            "tom",
            "default",
            &[(claims::EMAIL.to_string(), "tom@example.com".to_string())],
        )
        .unwrap();
        app.force_reset(&Actor::System, "tom").unwrap();
        let (status, body) = password_grant(&server, &c, "tom", "Abcd@1234").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{version}");
        assert_ne!(error_of(&body).1, EXPIRED, "{version}");
    }
}

/// A JWT application (DCR `token_type_extension: "JWT"`): its access tokens are RS256 JWTs verifiable against the
/// JWKS with the release's claims and `typ`, introspectable, revocable, and dead after a forced reset.
#[tokio::test]
async fn jwt_access_tokens_are_signed_introspectable_revocable_and_end_with_a_forced_reset() {
    use forcereset::domain::profile::Wso2Version;
    for version in [Wso2Version::V5_9, Wso2Version::V5_11, Wso2Version::V7_2] {
        let (server, app) = otp_server_with(&format!("[forcereset]\nwso2_version = \"{version}\"\n"));
        let c = client_registered(
            &server,
            json!({"client_name": "jwtapp", "redirect_uris": ["https://app.example/cb"],
                   "token_type_extension": "JWT"}),
        )
        .await;
        let (status, _, body) = password_grant_scoped(&server, &c, "tom", "Abcd@1234", Some("read write")).await;
        assert_eq!(status, StatusCode::OK, "{version}: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let at = v["access_token"].as_str().unwrap().to_string();
        let claims = verified_claims(&server, &at).await;
        let profile = version.profile().oauth;
        assert_eq!(claims["iss"], format!("{}/oauth2/token", server.https_url()));
        // `sub`: the user name to 5.11, the user's id (SCIM id) from 6.0 (`useUserIdForDefaultSubject`).
        #[allow(clippy::disallowed_methods)]
        let (tom_id, admin_id) = app
            .store_for_tests()
            .read(TenantId::SUPER, |tx| {
                Ok((tx.user("tom")?.unwrap().uuid, tx.user("admin")?.unwrap().uuid))
            })
            .unwrap();
        let by_id = profile.subject == forcereset::domain::profile::oauth::Subject::UserId;
        let (tom_sub, admin_sub) = if by_id {
            (tom_id.as_str(), admin_id.as_str())
        } else {
            ("tom", "admin")
        };
        assert_eq!(claims["sub"], tom_sub, "{version}");
        assert_eq!(claims["aud"], c.id.as_str());
        assert_eq!(claims["azp"], c.id.as_str());
        assert_eq!(claims["scope"], "read write");
        assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 3600);
        assert_eq!(claims["jti"].as_str().unwrap().len(), 36);
        assert_eq!(claims.get("client_id").is_some(), profile.jwt_client_id, "{version}");
        assert_eq!(claims.get("aut").is_some(), profile.jwt_aut, "{version}");
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(at.split('.').next().unwrap()).unwrap()).unwrap();
        assert_eq!(header["typ"] == "at+jwt", profile.jwt_typ_at_jwt, "{version}: {header}");
        let seen = introspect(&server, &at).await;
        assert_eq!(seen["active"], true, "{version}: {seen}");
        assert_eq!(seen["client_id"], c.id.as_str());
        // Nothing stored holds the token itself.
        let mut db = std::fs::read(server.data_dir().join("forcereset.db")).unwrap_or_default();
        db.extend(std::fs::read(server.data_dir().join("forcereset.db-wal")).unwrap_or_default());
        let tail = &at.as_bytes()[at.len() - 40..];
        assert!(!db.windows(tail.len()).any(|w| w == tail), "{version}");
        // A forged token (our header and claims, another signature) is not active.
        let forged = format!("{}.AAAA", at.rsplit_once('.').unwrap().0);
        assert_eq!(introspect(&server, &forged).await, json!({"active": false}));
        // Revoked: inactive.
        let (status, _, _) = post_form(&server, "/oauth2/revoke", Some((&c.id, &c.secret)), &[("token", &at)]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(introspect(&server, &at).await, json!({"active": false}), "{version}");
        // Application tokens name the owner.
        let (_, _, body) = post_form(
            &server,
            "/oauth2/token",
            Some((&c.id, &c.secret)),
            &[("grant_type", "client_credentials")],
        )
        .await;
        let cc: Value = serde_json::from_str(&body).unwrap();
        let cc_claims = verified_claims(&server, cc["access_token"].as_str().unwrap()).await;
        assert_eq!(cc_claims["sub"], admin_sub, "{version}");
        // A forced reset ends a live JWT as it ends an opaque token.
        let (_, body) = password_grant(&server, &c, "tom", "Abcd@1234").await;
        let live: Value = serde_json::from_str(&body).unwrap();
        let live = live["access_token"].as_str().unwrap();
        assert_eq!(introspect(&server, live).await["active"], true);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        app.force_reset(&Actor::System, "tom").unwrap();
        assert_eq!(introspect(&server, live).await, json!({"active": false}), "{version}");
    }
}
