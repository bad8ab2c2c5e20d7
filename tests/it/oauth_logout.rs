//! `/oidc/logout` over HTTPS, as OIDCSESSION's `OIDCLogoutServlet` answers (every check names its source): a
//! verified `id_token_hint` and a registered `post_logout_redirect_uri` end the browser session and go back to the
//! application with `state`; the consent page when `[oauth] prompt_logout_consent` asks for it; WSO2's error page
//! for a forged hint, a mismatched or foreign redirect URI, a denial, and no redirect anywhere unregistered. Also
//! the ID token's `sub` per release.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use forcereset::store::TenantId;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Digest as _;

use crate::oauth::{CB, Client, authorize_url, client_registered, exchange, form_enc, query_of};
use crate::support::{TestServer, add_login_user};
use crate::web_client::{Browser, Page};

const ERROR_PAGE: &str = "/authenticationendpoint/oauth2_error.do";
const LOGGED_OUT: &str = "/authenticationendpoint/oauth2_logout.do";
const CONSENT: &str = "/authenticationendpoint/oauth2_logout_consent.do";

/// A server (deployment.toml `toml`) with tom and a client whose callback is [`CB`].
pub async fn setup(toml: &str) -> (TestServer, Client) {
    let server = TestServer::start_with(toml);
    add_login_user(&server.app(), "tom", "Abcd@1234", &[]);
    let c = client_registered(&server, json!({"client_name": "rp", "redirect_uris": [CB]})).await;
    (server, c)
}

/// Tom signed in through the code flow: his browser (holding `commonAuthId`) and his ID token.
async fn signed_in(server: &TestServer, c: &Client) -> (Browser, String) {
    let browser = Browser::new(server);
    let answer = browser.login("tom", "Abcd@1234").await;
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    let verifier = "v".repeat(43);
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let to_app = browser
        .get(&authorize_url(
            c,
            &format!("&code_challenge={challenge}&code_challenge_method=S256"),
        ))
        .await;
    let code = query_of(to_app.location(), "code").expect("a code for the live session");
    let (status, body) = exchange(server, c, &code, &verifier).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tokens: Value = serde_json::from_str(&body).unwrap();
    (browser, tokens["id_token"].as_str().unwrap().to_string())
}

/// Is the browser still signed in (does `/oauth2/authorize` answer with a code at once)?
async fn still_signed_in(browser: &Browser, c: &Client) -> bool {
    let answer = browser.get(&authorize_url(c, "")).await;
    answer.location().starts_with(CB)
}

fn logout_url(hint: &str, redirect: &str, state: &str) -> String {
    format!(
        "/oidc/logout?id_token_hint={hint}&post_logout_redirect_uri={}&state={}",
        form_enc(redirect),
        form_enc(state)
    )
}

fn error_location(server: &TestServer, message: &str) -> String {
    format!(
        "{}{ERROR_PAGE}?oauthErrorCode=access_denied&oauthErrorMsg={}",
        server.https_url(),
        message.replace(' ', "+")
    )
}

#[tokio::test]
async fn a_verified_hint_ends_the_session_and_returns_to_the_registered_uri_with_state() {
    let (server, c) = setup("").await;
    let (browser, id_token) = signed_in(&server, &c).await;
    assert!(still_signed_in(&browser, &c).await);
    // OIDCLogoutServlet.doGet, SkipLogoutConsent: processLogoutRequest, framework logout, then
    // handleLogoutResponseFromFramework's redirect with appendStateQueryParam.
    let out: Page = browser.get(&logout_url(&id_token, CB, "s t&x")).await;
    assert_eq!(out.status, StatusCode::FOUND, "{}", out.body);
    assert_eq!(out.location(), format!("{CB}?state=s+t%26x"));
    assert!(
        out.set_cookie("commonAuthId").is_some(),
        "the session cookie is cleared"
    );
    assert!(!still_signed_in(&browser, &c).await, "the browser session has ended");
    // POST reads the same parameters (doPost = doGet); with no session left, the graceful path sends it back
    // to the checked URI (handleMissingSessionStateGracefully).
    let again = browser
        .post(
            "/oidc/logout",
            &[("id_token_hint", id_token.as_str()), ("post_logout_redirect_uri", CB)],
        )
        .await;
    assert_eq!(again.location(), CB);
}

#[tokio::test]
async fn without_a_hint_the_redirect_uri_is_ignored_and_the_logged_out_page_shown() {
    let (server, c) = setup("").await;
    let (browser, _) = signed_in(&server, &c).await;
    let out = browser
        .get(&format!(
            "/oidc/logout?post_logout_redirect_uri={}&state=abc",
            form_enc("https://evil.example/")
        ))
        .await;
    assert_eq!(out.location(), format!("{}{LOGGED_OUT}?state=abc", server.https_url()));
    assert!(!still_signed_in(&browser, &c).await);
    let page = browser.get(LOGGED_OUT).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("You have successfully logged out."), "{}", page.body);
}

#[tokio::test]
async fn hostile_logout_requests_get_wso2s_error_page_and_keep_the_session() {
    let (server, c) = setup("").await;
    let (browser, id_token) = signed_in(&server, &c).await;
    let mismatch = error_location(&server, "Post logout URI does not match with registered callback URI.");
    for uri in [
        "https://evil.example/cb",
        "http://127.0.0.1:9/cb/../../evil",
        "http://127.0.0.1:9/cb?next=https://evil.example",
        "//evil.example/cb",
        "http://127.0.0.1:10/cb",
    ] {
        let out = browser.get(&logout_url(&id_token, uri, "s")).await;
        assert_eq!(out.status, StatusCode::FOUND);
        assert_eq!(out.location(), mismatch, "{uri}");
    }
    // A forged hint: our header and claims, another signature; and a hint whose claims were edited.
    let (signed, _) = id_token.rsplit_once('.').unwrap();
    let forged = format!("{signed}.{}", URL_SAFE_NO_PAD.encode([7u8; 256]));
    let mut parts: Vec<String> = id_token.split('.').map(str::to_string).collect();
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    claims["azp"] = json!("someone-else");
    parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
    let edited = parts.join(".");
    let bad_signature = error_location(&server, "ID token signature validation failed.");
    for hint in [forged.as_str(), edited.as_str(), "not.a.jwt", "x"] {
        let out = browser.get(&logout_url(hint, CB, "s")).await;
        assert_eq!(out.location(), bad_signature, "{hint}");
    }
    // A genuine token of a client deleted since.
    let other = client_registered(&server, json!({"client_name": "gone", "redirect_uris": [CB]})).await;
    let (_, other_token) = signed_in(&server, &other).await;
    server
        .app()
        .delete_app(&forcereset::app::Actor::System, &other.id)
        .unwrap();
    let out = browser.get(&logout_url(&other_token, CB, "s")).await;
    assert_eq!(
        out.location(),
        error_location(
            &server,
            "Error occurred while getting application information. Client id not found."
        )
    );
    // Nothing ended the session.
    assert!(still_signed_in(&browser, &c).await);
    // The error page shows WSO2's code and message, escaped.
    let page = browser
        .get(&format!(
            "{ERROR_PAGE}?oauthErrorCode=access_denied&oauthErrorMsg=%3Cb%3Ex"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("access_denied") && page.body.contains("&lt;b&gt;x"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn no_session_goes_to_the_error_page_unless_handled_gracefully() {
    let (server, _) = setup("[oauth]\nhandle_logout_gracefully = false\n").await;
    let browser = Browser::new(&server);
    let out = browser.get("/oidc/logout?state=q").await;
    assert_eq!(
        out.location(),
        error_location(&server, "opbs cookie not received. Missing session state.")
    );
    let stale = Browser::with_cookies(&server, &["commonAuthId=stale"]);
    let out = stale.get("/oidc/logout").await;
    assert_eq!(
        out.location(),
        error_location(&server, "No valid session found for the received session state.")
    );
    // Graceful (the default): the logged-out page with state.
    let (server, _) = setup("").await;
    let out = Browser::new(&server).get("/oidc/logout?state=q").await;
    assert_eq!(out.location(), format!("{}{LOGGED_OUT}?state=q", server.https_url()));
}

#[tokio::test]
async fn the_consent_page_asks_first_and_a_denial_or_a_replay_changes_nothing() {
    let (server, c) = setup("[oauth]\nprompt_logout_consent = true\n").await;
    let (browser, id_token) = signed_in(&server, &c).await;
    // sendToConsentUri: the request is checked and kept, the browser goes to the consent page.
    let ask = browser.get(&logout_url(&id_token, CB, "st")).await;
    assert_eq!(ask.location(), format!("{}{CONSENT}", server.https_url()));
    let page = browser.get(CONSENT).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("name=\"consent\" value=\"approve\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("action=\"/oidc/logout\""));
    assert!(still_signed_in(&browser, &c).await, "asking ends nothing");
    // A mismatched URI is refused before the question is asked.
    let out = browser.get(&logout_url(&id_token, "https://evil.example/", "st")).await;
    assert_eq!(
        out.location(),
        error_location(&server, "Post logout URI does not match with registered callback URI.")
    );
    // Denied: the error page, still signed in.
    browser.get(&logout_url(&id_token, CB, "st")).await;
    let no = browser.post("/oidc/logout", &[("consent", "deny")]).await;
    assert_eq!(
        no.location(),
        error_location(&server, "End User denied the logout request")
    );
    assert!(still_signed_in(&browser, &c).await);
    // Approved: the session ends, back to the application with state.
    browser.get(&logout_url(&id_token, CB, "st")).await;
    let yes = browser.post("/oidc/logout", &[("consent", "approve")]).await;
    assert_eq!(yes.location(), format!("{CB}?state=st"));
    assert!(!still_signed_in(&browser, &c).await);
    // The approval replayed: no session any more, so nothing to end and no redirect to the application.
    let replay = browser.post("/oidc/logout", &[("consent", "approve")]).await;
    assert_eq!(replay.location(), format!("{}{LOGGED_OUT}", server.https_url()));
}

/// `sub` per release (`AccessTokenIssuer.getDefaultSubject`): the user name to 5.11; from 6.0 the user's id, as
/// every application CIF creates carries `useUserIdForDefaultSubject=true`. The hint still ends the session.
#[tokio::test]
async fn the_subject_is_the_user_name_to_5_11_and_the_user_id_from_6_0() {
    for (version, by_id) in [("5.11", false), ("6.0", true), ("7.2", true)] {
        let (server, c) = setup(&format!("[forcereset]\nwso2_version = \"{version}\"\n")).await;
        let (browser, id_token) = signed_in(&server, &c).await;
        #[allow(clippy::disallowed_methods)]
        let uuid = server
            .app()
            .store_for_tests()
            .read(TenantId::SUPER, |tx| tx.user("tom"))
            .unwrap()
            .unwrap()
            .uuid;
        let claims = crate::oauth::verified_claims(&server, &id_token).await;
        let expected = if by_id { uuid.as_str() } else { "tom" };
        assert_eq!(claims["sub"], expected, "{version}");
        let out = browser.get(&logout_url(&id_token, CB, "s")).await;
        assert_eq!(out.location(), format!("{CB}?state=s"), "{version}");
    }
}

/// OIDCSESSION's own `OIDCLogoutServletTest.provideDataForTestDoGet` (v6.4.111), the rows forcereset can replay
/// over HTTP: a live session and `consent=approve` with no logout kept for it ends in
/// `oauthErrorCode=server_error&oauthErrorMsg=User+logout+failed`; `consent=no` in "End User denied the logout
/// request".
#[tokio::test]
async fn wso2s_servlet_test_rows_for_consent_without_a_kept_request() {
    let (server, c) = setup("[oauth]\nprompt_logout_consent = true\n").await;
    let (browser, _) = signed_in(&server, &c).await;
    let denied = browser.get("/oidc/logout?consent=no").await;
    assert_eq!(
        denied.location(),
        error_location(&server, "End User denied the logout request")
    );
    assert!(still_signed_in(&browser, &c).await);
    let failed = browser.get("/oidc/logout?consent=approve").await;
    assert_eq!(
        failed.location(),
        format!(
            "{}{ERROR_PAGE}?oauthErrorCode=server_error&oauthErrorMsg=User+logout+failed",
            server.https_url()
        )
    );
    // The framework logout ran before the missing cache entry was noticed: the session is over.
    assert!(!still_signed_in(&browser, &c).await);
}
