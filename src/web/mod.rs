//! The browser-facing side of WSO2 Identity Server: the dashboard and its login (`/authenticationendpoint/login.do`,
//! `/commonauth`), logout, the recovery portal's reset pages (`/accountrecoveryendpoint/…`), the authentication
//! probe API and the stylesheet. Forms in, server-rendered HTML out; every decision is an `App` call.
//!
//! - [`login`]: login page, `/commonauth` (the basic authenticator's redirects), `retry.do`, logout.
//! - [`dashboard`]: where a signed-in user lands: their profile, password change, sign-out.
//! - [`recovery`]: `confirmrecovery.do` and `completepasswordreset.do`.
//! - [`expiry`]: where an expired password is changed (`pwd-reset.jsp`, 7.x `password-recovery-confirm.jsp`).
//! - [`api`]: `POST /api/identity/auth/v1.1/authenticate`.
//! - [`authorize`]: `GET /oauth2/authorize`, the OAuth2 code flow's way through the login page.
//! - [`logout`]: `/oidc/logout` (RP-initiated logout) and its consent, logged-out and error pages.
//! - [`pages`]: the minijinja templates, security headers and the one `DomainError` → page mapping.
//! - [`csrf`]: the login flow keys (`sessionDataKey`) and the derived form tokens.
//! - [`input`]: strict form parsing, cookies and field limits.
//! - [`console`]: the management console under `/carbon/`.

mod api;
mod authorize;
pub mod console;
mod csrf;
mod dashboard;
mod expiry;
mod input;
mod login;
mod logout;
mod pages;
mod recovery;

use std::sync::Arc;

use hyper::{Method, Request};

use crate::app::App;
use crate::http::request::{RequestBody, Scheme};
use crate::http::response::{self, HttpResponse};

pub const DASHBOARD_PATH: &str = "/dashboard";
pub const LOGIN_PAGE_PATH: &str = "/authenticationendpoint/login.do";
pub const RETRY_PAGE_PATH: &str = "/authenticationendpoint/retry.do";
pub const COMMONAUTH_PATH: &str = "/commonauth";
pub const LOGOUT_PATH: &str = "/logout";
pub const CONFIRM_RECOVERY_PATH: &str = "/accountrecoveryendpoint/confirmrecovery.do";
pub const COMPLETE_RESET_PATH: &str = "/accountrecoveryendpoint/completepasswordreset.do";
pub const AUTHENTICATE_API_PATH: &str = "/api/identity/auth/v1.1/authenticate";
pub const STYLESHEET_PATH: &str = "/static/forcereset.css";

/// Every path this module answers; the router sends exactly these here.
pub const PATHS: &[&str] = &[
    DASHBOARD_PATH,
    dashboard::PROFILE_PATH,
    dashboard::PASSWORD_PATH,
    LOGIN_PAGE_PATH,
    RETRY_PAGE_PATH,
    COMMONAUTH_PATH,
    LOGOUT_PATH,
    CONFIRM_RECOVERY_PATH,
    COMPLETE_RESET_PATH,
    expiry::PWD_RESET_PATH,
    expiry::RECOVERY_CONFIRM_PATH,
    AUTHENTICATE_API_PATH,
    STYLESHEET_PATH,
    authorize::AUTHORIZE_PATH,
    authorize::OIDC_CONSENT_PATH,
    authorize::OAUTH2_CONSENT_PATH,
    logout::OIDC_LOGOUT_PATH,
    logout::LOGOUT_CONSENT_PATH,
    logout::LOGGED_OUT_PATH,
    logout::OAUTH_ERROR_PATH,
];

/// Is `path` one of ours?
pub fn serves(path: &str) -> bool {
    PATHS.contains(&path) || console::serves(path)
}

/// Answer one request for a path in [`PATHS`] (`HEAD` has already become `GET`). Every answer carries the
/// security headers; everything but the stylesheet is `no-store`.
pub async fn handle(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let resp = match (method, path.as_str()) {
        (Method::GET, DASHBOARD_PATH) => dashboard::show(app, req, scheme).await,
        (_, DASHBOARD_PATH) => response::method_not_allowed("GET, HEAD"),
        (Method::POST, dashboard::PROFILE_PATH) => dashboard::save_profile(app, req, scheme).await,
        (_, dashboard::PROFILE_PATH) => response::method_not_allowed("POST"),
        (Method::POST, dashboard::PASSWORD_PATH) => dashboard::change_password(app, req, scheme).await,
        (_, dashboard::PASSWORD_PATH) => response::method_not_allowed("POST"),
        (Method::GET, LOGIN_PAGE_PATH) => login::login_page(&app, &req, scheme),
        (_, LOGIN_PAGE_PATH) => response::method_not_allowed("GET, HEAD"),
        (Method::GET, RETRY_PAGE_PATH) => login::retry_page(&app, &req),
        (_, RETRY_PAGE_PATH) => response::method_not_allowed("GET, HEAD"),
        (Method::POST, COMMONAUTH_PATH) => login::commonauth(app, req, scheme).await,
        (_, COMMONAUTH_PATH) => response::method_not_allowed("POST"),
        (Method::POST, LOGOUT_PATH) => login::logout(app, req, scheme).await,
        (_, LOGOUT_PATH) => response::method_not_allowed("POST"),
        (Method::GET, CONFIRM_RECOVERY_PATH) => recovery::confirm(app, req, scheme).await,
        (_, CONFIRM_RECOVERY_PATH) => response::method_not_allowed("GET, HEAD"),
        (Method::POST, COMPLETE_RESET_PATH) => recovery::complete(app, req, scheme).await,
        (_, COMPLETE_RESET_PATH) => response::method_not_allowed("POST"),
        (Method::GET, expiry::PWD_RESET_PATH) => expiry::enforcer_page(&app, &req),
        (_, expiry::PWD_RESET_PATH) => response::method_not_allowed("GET, HEAD"),
        (Method::GET, expiry::RECOVERY_CONFIRM_PATH) => expiry::recovery_page(&app, &req),
        (Method::POST, expiry::RECOVERY_CONFIRM_PATH) => expiry::recovery_change(app, req).await,
        (_, expiry::RECOVERY_CONFIRM_PATH) => response::method_not_allowed("GET, HEAD, POST"),
        (Method::POST, AUTHENTICATE_API_PATH) => api::authenticate(app, req).await,
        (_, AUTHENTICATE_API_PATH) => response::method_not_allowed("POST"),
        (Method::GET, authorize::AUTHORIZE_PATH) => authorize::authorize(app, req, scheme).await,
        (Method::POST, authorize::AUTHORIZE_PATH) => authorize::consent_answer(app, req).await,
        (_, authorize::AUTHORIZE_PATH) => response::method_not_allowed("GET, HEAD, POST"),
        (Method::GET, authorize::OIDC_CONSENT_PATH | authorize::OAUTH2_CONSENT_PATH) => {
            authorize::consent_page(&app, &req)
        }
        (_, authorize::OIDC_CONSENT_PATH | authorize::OAUTH2_CONSENT_PATH) => response::method_not_allowed("GET, HEAD"),
        (Method::GET | Method::POST, logout::OIDC_LOGOUT_PATH) => logout::oidc_logout(app, req, scheme).await,
        (_, logout::OIDC_LOGOUT_PATH) => response::method_not_allowed("GET, HEAD, POST"),
        (Method::GET, logout::LOGOUT_CONSENT_PATH) => logout::consent_page(),
        (_, logout::LOGOUT_CONSENT_PATH) => response::method_not_allowed("GET, HEAD"),
        (Method::GET, logout::LOGGED_OUT_PATH) => logout::logged_out_page(),
        (_, logout::LOGGED_OUT_PATH) => response::method_not_allowed("GET, HEAD"),
        (Method::GET, logout::OAUTH_ERROR_PATH) => logout::error_page(&req),
        (_, logout::OAUTH_ERROR_PATH) => response::method_not_allowed("GET, HEAD"),
        (Method::GET, STYLESHEET_PATH) => pages::stylesheet(),
        (_, STYLESHEET_PATH) => response::method_not_allowed("GET, HEAD"),
        _ if console::serves(&path) => console::handle(app, req, scheme).await,
        _ => response::not_found(),
    };
    pages::harden(resp)
}

/// Run a blocking `App` call (SQLite, argon2) off the reactor. A worker that panicked is logged and answered
/// with a 500 page.
async fn blocking<T, F>(app: &Arc<App>, f: F) -> Result<T, HttpResponse>
where
    T: Send + 'static,
    F: FnOnce(&App) -> T + Send + 'static,
{
    let app = app.clone();
    tokio::task::spawn_blocking(move || f(&app)).await.map_err(|e| {
        tracing::error!(error = %e, "web worker failed");
        pages::internal_error()
    })
}
