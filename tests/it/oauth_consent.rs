//! The consent page of `/oauth2/authorize` with `[oauth] prompt_consent = true`, as OAUTH's `OAuth2AuthzEndpoint`
//! and `EndpointUtil.getUserConsentURL` (v6.4.111) send the browser through it: approve once (asked again next
//! time), approve always (remembered per user and application; `prompt=consent` forgets it), deny (`access_denied`
//! with the state at the redirect URI); a replayed or foreign answer is refused on the error page.

use reqwest::StatusCode;
use serde_json::json;

use crate::oauth::{CB, Client, authorize_url, client_registered, query_of};
use crate::oauth_logout::setup;
use crate::support::TestServer;
use crate::web_client::{Browser, Page, input_value};

const PROMPT: &str = "[oauth]\nprompt_consent = true\n";

async fn signed_in_browser(server: &TestServer) -> Browser {
    let browser = Browser::new(server);
    let answer = browser.login("tom", "Abcd@1234").await;
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    browser
}

/// Start an authorization; the consent page it leads to, and its key.
async fn consent_page(server: &TestServer, browser: &Browser, c: &Client, extra: &str) -> (Page, String) {
    let start = browser.get(&authorize_url(c, extra)).await;
    let location = start.location().to_string();
    assert!(
        location.starts_with(&format!(
            "{}/authenticationendpoint/oauth2_consent.do?loggedInUser=tom%40carbon.super&application=rp\
             &tenantDomain=carbon.super&scope=openid&sessionDataKeyConsent=",
            server.https_url()
        )),
        "{location}"
    );
    assert!(location.ends_with("&spQueryParams="), "{location}");
    let key = query_of(&location, "sessionDataKeyConsent").unwrap();
    let page = browser.get(&location).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(input_value(&page.body, "sessionDataKeyConsent"), key);
    (page, key)
}

async fn answer(browser: &Browser, key: &str, consent: &str) -> Page {
    browser
        .post(
            "/oauth2/authorize",
            &[("sessionDataKeyConsent", key), ("consent", consent)],
        )
        .await
}

#[tokio::test]
async fn approve_once_asks_again_approve_always_is_remembered_and_prompt_consent_forgets_it() {
    let (server, c) = setup(PROMPT).await;
    let browser = signed_in_browser(&server).await;
    let (page, key) = consent_page(&server, &browser, &c, "").await;
    assert!(page.body.contains("value=\"approveAlways\""), "{}", page.body);
    let csp = page.headers["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("form-action 'self' http://127.0.0.1:9"), "{csp}");
    let back = answer(&browser, &key, "approve").await;
    assert!(
        back.location().starts_with(&format!("{CB}?code=")),
        "{}",
        back.location()
    );
    assert_eq!(query_of(back.location(), "state").as_deref(), Some("st8"));
    // Approved once: asked again.
    let (_, key) = consent_page(&server, &browser, &c, "").await;
    let back = answer(&browser, &key, "approveAlways").await;
    assert!(back.location().starts_with(&format!("{CB}?code=")));
    // Approved always: the code at once, in this browser and after a new login.
    let direct = browser.get(&authorize_url(&c, "")).await;
    assert!(
        direct.location().starts_with(&format!("{CB}?code=")),
        "{}",
        direct.location()
    );
    let other = signed_in_browser(&server).await;
    let direct = other.get(&authorize_url(&c, "")).await;
    assert!(
        direct.location().starts_with(&format!("{CB}?code=")),
        "{}",
        direct.location()
    );
    // Another application is asked about on its own.
    let c2 = client_registered(&server, json!({"client_name": "rp2", "redirect_uris": [CB]})).await;
    let asked = browser.get(&authorize_url(&c2, "")).await;
    assert!(asked.location().contains("oauth2_consent.do"), "{}", asked.location());
    // prompt=consent forgets the approval.
    let (_, key) = consent_page(&server, &browser, &c, "&prompt=consent").await;
    let back = answer(&browser, &key, "approve").await;
    assert!(back.location().starts_with(&format!("{CB}?code=")));
    let (_, _) = consent_page(&server, &browser, &c, "").await;
}

/// `prompt=none` may show no page: without an "approve always" the answer is `consent_required` at the
/// redirect URI (OAUTH `AuthzUtil.handlePromptNone`), with one the code; and nothing is left waiting.
#[tokio::test]
async fn prompt_none_answers_consent_required_until_the_user_approves_always() {
    let (server, c) = setup(PROMPT).await;
    let browser = signed_in_browser(&server).await;
    let passive = browser.get(&authorize_url(&c, "&prompt=none")).await;
    assert_eq!(
        passive.location(),
        format!("{CB}?error_description=Required+consent+not+found&state=st8&error=consent_required")
    );
    let (_, key) = consent_page(&server, &browser, &c, "").await;
    let back = answer(&browser, &key, "approveAlways").await;
    assert!(
        back.location().starts_with(&format!("{CB}?code=")),
        "{}",
        back.location()
    );
    let passive = browser.get(&authorize_url(&c, "&prompt=none")).await;
    assert!(
        passive.location().starts_with(&format!("{CB}?code=")),
        "{}",
        passive.location()
    );
}

#[tokio::test]
async fn a_denial_goes_back_with_access_denied_and_the_state() {
    let (server, c) = setup(PROMPT).await;
    let browser = signed_in_browser(&server).await;
    let (_, key) = consent_page(&server, &browser, &c, "").await;
    let back = answer(&browser, &key, "deny").await;
    assert_eq!(
        back.location(),
        format!("{CB}?error_description=User+denied+the+consent&state=st8&error=access_denied")
    );
    // Any other value denies too.
    let (_, key) = consent_page(&server, &browser, &c, "").await;
    let back = answer(&browser, &key, "yes-please").await;
    assert!(back.location().ends_with("&error=access_denied"), "{}", back.location());
}

#[tokio::test]
async fn replayed_foreign_or_unknown_answers_are_refused_and_redirect_nowhere() {
    let (server, c) = setup(PROMPT).await;
    let browser = signed_in_browser(&server).await;
    let (_, key) = consent_page(&server, &browser, &c, "").await;
    // Another signed-in browser cannot answer this one's page.
    let other = signed_in_browser(&server).await;
    let stolen = answer(&other, &key, "approveAlways").await;
    assert_eq!(stolen.status, StatusCode::BAD_REQUEST, "{}", stolen.body);
    // The key was spent by that attempt: the owner's answer is refused too, and nothing was remembered.
    let late = answer(&browser, &key, "approve").await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    let (_, key) = consent_page(&server, &browser, &c, "").await;
    let back = answer(&browser, &key, "approve").await;
    assert!(back.location().starts_with(&format!("{CB}?code=")));
    // Replayed: refused, no second code.
    let replay = answer(&browser, &key, "approve").await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    assert!(replay.headers.get("location").is_none());
    // Without a session, or with an unknown key: refused.
    let anonymous = Browser::new(&server);
    assert_eq!(
        answer(&anonymous, &key, "approve").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        answer(&browser, "nope", "approve").await.status,
        StatusCode::BAD_REQUEST
    );
    let page = browser
        .get("/authenticationendpoint/oauth2_consent.do?sessionDataKeyConsent=nope")
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn without_openid_the_consent_page_is_oauth2_authz_do_and_off_by_default_there_is_none() {
    let (server, c) = setup(PROMPT).await;
    let browser = signed_in_browser(&server).await;
    let url = authorize_url(&c, "").replace("scope=openid", "scope=read");
    let start = browser.get(&url).await;
    assert!(
        start
            .location()
            .contains("/authenticationendpoint/oauth2_authz.do?loggedInUser="),
        "{}",
        start.location()
    );
    let (server, c) = setup("").await;
    let browser = signed_in_browser(&server).await;
    let direct = browser.get(&authorize_url(&c, "")).await;
    assert!(direct.location().starts_with(&format!("{CB}?code=")));
}
