//! The dashboard a signed-in user lands on (issue 14, item 10): WSO2's basic self-service — the user's profile,
//! a password change, sign-out — each form bound to the session, changing only the signed-in user, and a refused
//! change changing nothing.

use forcereset::app::{Actor, App};
use forcereset::domain::claims;
use reqwest::StatusCode;

use crate::support::{TestServer, add_login_user};
use crate::web_client::{Browser, Page, input_value, unescape};

const OLD: &str = "Abcd@123";
const NEW: &str = "Brand@New1";

fn claim(app: &App, user: &str, uri: &str) -> Option<String> {
    app.claim_value(&Actor::System, user, uri, "").unwrap()
}

/// tom, signed in; his dashboard.
async fn signed_in(server: &TestServer) -> (Browser, Page) {
    let browser = Browser::new(server);
    let answer = browser.login("tom", OLD).await;
    assert_eq!(answer.location(), "/dashboard", "{}", answer.body);
    let page = browser.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    (browser, page)
}

#[tokio::test]
async fn the_dashboard_shows_and_edits_the_users_own_profile() {
    let server = TestServer::start();
    let app = server.app();
    add_login_user(
        &app,
        "tom",
        OLD,
        &[(claims::EMAIL, "tom@example.com"), (claims::GIVEN_NAME, "Tom")],
    );
    let (browser, page) = signed_in(&server).await;
    for text in [
        "Welcome, Tom",
        "My profile",
        "Change password",
        "Sign out",
        "tom@example.com",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    // The role claim is shown, never offered for editing; the e-mail is.
    let html = unescape(&page.body);
    assert!(html.contains(&format!("data-claim=\"{}\"", claims::ROLE)), "{html}");
    assert!(!html.contains(&format!("name=\"{}\"", claims::ROLE)), "{html}");
    assert!(html.contains(&format!("name=\"{}\"", claims::EMAIL)), "{html}");
    let csrf = input_value(&page.body, "csrf");

    let saved = browser
        .post(
            "/dashboard/profile",
            &[
                ("csrf", csrf.as_str()),
                (claims::GIVEN_NAME, "Thomas"),
                (claims::EMAIL, "tom@example.com"),
                // Not a field of the form: ignored, whatever a client sends.
                (claims::ACCOUNT_LOCKED, "true"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), "/dashboard?updated=profile");
    let after = browser.get(saved.location()).await;
    assert!(after.body.contains("Your profile was updated."), "{}", after.body);
    assert!(after.body.contains("Welcome, Thomas"), "{}", after.body);
    assert_eq!(claim(&app, "tom", claims::GIVEN_NAME).as_deref(), Some("Thomas"));
    assert_eq!(claim(&app, "tom", claims::ACCOUNT_LOCKED), None);

    // A required claim may not be emptied; a bad value is refused; nothing changes either way.
    let emptied = browser
        .post("/dashboard/profile", &[("csrf", csrf.as_str()), (claims::EMAIL, "")])
        .await;
    assert_eq!(emptied.status, StatusCode::BAD_REQUEST, "{}", emptied.body);
    assert!(emptied.body.contains("Email is required."), "{}", emptied.body);
    let bad = browser
        .post(
            "/dashboard/profile",
            &[("csrf", csrf.as_str()), (claims::EMAIL, "not an address")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("id=\"profile-error\""), "{}", bad.body);
    assert_eq!(claim(&app, "tom", claims::EMAIL).as_deref(), Some("tom@example.com"));

    // A form from anywhere else (no token, or another session's) changes nothing.
    for token in ["", "forged"] {
        let forged = browser
            .post(
                "/dashboard/profile",
                &[("csrf", token), (claims::GIVEN_NAME, "Mallory")],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    }
    let other = Browser::new(&server);
    let anonymous = other
        .post(
            "/dashboard/profile",
            &[("csrf", csrf.as_str()), (claims::GIVEN_NAME, "Mallory")],
        )
        .await;
    assert_eq!(
        anonymous.location(),
        "/dashboard",
        "no session: back to the dashboard's login"
    );
    assert_eq!(claim(&app, "tom", claims::GIVEN_NAME).as_deref(), Some("Thomas"));
}

#[tokio::test]
async fn the_dashboard_changes_the_password_knowing_the_current_one() {
    let server = TestServer::start();
    let app = server.app();
    add_login_user(&app, "tom", OLD, &[(claims::EMAIL, "tom@example.com")]);
    let (browser, page) = signed_in(&server).await;
    let csrf = input_value(&page.body, "csrf");
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        let (browser, csrf) = (&browser, csrf.clone());
        async move {
            browser
                .post(
                    "/dashboard/password",
                    &[
                        ("csrf", csrf.as_str()),
                        ("current-password", current),
                        ("new-password", new),
                        ("confirm-password", confirm),
                    ],
                )
                .await
        }
    };
    let differ = change(OLD, NEW, "Brand@New2").await;
    assert_eq!(differ.status, StatusCode::BAD_REQUEST);
    assert!(
        differ
            .body
            .contains("The new password and confirmation password do not match"),
        "{}",
        differ.body
    );
    let wrong = change("Wrong@123", NEW, NEW).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("id=\"password-error\""), "{}", wrong.body);
    let weak = change(OLD, "x", "x").await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST, "{}", weak.body);
    assert!(
        app.authenticate("tom", &forcereset::domain::secret::Secret::new(OLD))
            .is_ok()
    );

    let done = change(OLD, NEW, NEW).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/dashboard?updated=password");
    let after = browser.get(done.location()).await;
    assert!(after.body.contains("Your password was changed."), "{}", after.body);
    let fresh = Browser::new(&server);
    assert_eq!(fresh.login("tom", NEW).await.location(), "/dashboard");
    let old = Browser::new(&server).login("tom", OLD).await;
    assert_ne!(old.location(), "/dashboard");

    // Sign out: the session ends.
    let logout_csrf = after
        .body
        .split("action=\"/logout\"")
        .nth(1)
        .map(|form| input_value(form, "csrf"))
        .expect("a sign-out form");
    let out = browser.post("/logout", &[("csrf", logout_csrf.as_str())]).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert_eq!(browser.get("/dashboard").await.status, StatusCode::FOUND);
}
