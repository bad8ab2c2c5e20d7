//! The dashboard and its login, shaped like WSO2's: `GET /dashboard` without a session starts a login flow and
//! redirects to `/authenticationendpoint/login.do?sessionDataKey=…`; the form posts to `/commonauth`, where
//! `App::login` decides and the basic authenticator's redirects (byte for byte as the release's
//! `BasicAuthenticator.initiateAuthenticationRequest` writes them, see [`failure_location`]) or a new `commonAuthId`
//! session follow. `GET /authenticationendpoint/retry.do` is where a locked account is sent. `POST /logout` (with a
//! session-bound token) ends the session.
//!
//! Page texts: `login.fail.message` shows WSO2's generic "Login failed!" text. With `showAuthFailureReason` the
//! page shows the reason the `errorCode` names instead (locked, reset link pending, wrong one-time password).
//! Without it, `password.reset.pending` (17006) also shows the generic text: the reset e-mail itself tells the
//! user what to do, and a deployment that hides reasons hides them all.

use std::sync::Arc;

use hyper::header::HeaderMap;
use hyper::{Request, StatusCode};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::csrf::{self, FLOW_COOKIE, flows};
use super::input::{self, MAX_FIELD_CHARS, cookie};
use super::pages::{self, SIGN_IN};
use super::{CONFIRM_RECOVERY_PATH, DASHBOARD_PATH, LOGIN_PAGE_PATH, RETRY_PAGE_PATH, blocking};
use crate::app::{App, Tenant};
use crate::config::BasicAuthParams;
use crate::domain::login::{
    Decision, ErrorContext, INVALID_CREDENTIAL, PASSWORD_RESET_OTP_MISMATCH, PASSWORD_RESET_VIA_EMAIL_LINK,
    PASSWORD_RESET_VIA_OTP, USER_DOES_NOT_EXIST, USER_IS_LOCKED,
};
use crate::domain::profile::login::{ErrorParams, LoginProfile, OtpRedirect};
use crate::domain::secret::Secret;
use crate::http::cookie::{SameSite, SetCookie};
use crate::http::request::{Params, RequestBody, Scheme};
use crate::http::response::{self, HttpResponse};
use crate::store::TenantId;

/// WSO2's SSO session cookie.
pub const SESSION_COOKIE: &str = "commonAuthId";
/// The `authenticators` value of every basic-authenticator redirect.
const AUTHENTICATORS: &str = "BasicAuthenticator:LOCAL";
/// `authFailureMsg` keys (WSO2's resource bundle keys).
const LOGIN_FAIL_MESSAGE: &str = "login.fail.message";
const RESET_PENDING_MESSAGE: &str = "password.reset.pending";

/// The text of `login.fail.message`.
pub const GENERIC_FAILURE_TEXT: &str = "Login failed! Please recheck the username and password and try again.";
pub const LOCKED_TEXT: &str = "Your account is locked. Try again later, or contact your administrator.";
pub const RESET_LINK_TEXT: &str =
    "Password reset is required. A password reset link has been sent to your registered email address.";
pub const OTP_MISMATCH_TEXT: &str = "The one-time password you entered is not correct. Enter the one-time password \
                                     your administrator gave you or that was e-mailed to you.";

/// What Java's `URLEncoder` leaves alone: letters, digits, `.-*_`, and the space, which becomes `+`.
const URL_ENCODER: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'*')
    .remove(b'_')
    .remove(b' ');

/// `/t/{domain}` when the request came under a tenant's path, else empty.
pub(super) fn tenant_prefix<B>(req: &Request<B>) -> String {
    req.extensions()
        .get::<Tenant>()
        .map(|t| format!("/t/{}", t.domain))
        .unwrap_or_default()
}

/// `java.net.URLEncoder.encode(value, "UTF-8")`, as WSO2 encodes every value of its redirects.
pub fn enc(value: &str) -> String {
    utf8_percent_encode(value, URL_ENCODER).to_string().replace(' ', "+")
}

/// Start a login flow and send the browser to the login page with its key.
pub(super) fn start_login(app: &App, headers: &HeaderMap, scheme: Scheme) -> HttpResponse {
    let (key, new_cookie) = begin_flow(app, headers);
    let mut resp = response::redirect(&format!("{LOGIN_PAGE_PATH}?sessionDataKey={}", enc(&key)));
    if let Some(value) = new_cookie {
        site_cookie(FLOW_COOKIE, &value).set(&mut resp, scheme);
    }
    resp
}

/// Start a login flow for an application's authorization request: the login page (a tenant's under its `prefix`,
/// `/t/{domain}`, so that it signs in there) with WSO2's query (`qp`, then the flow key, then `tail`, then the
/// authenticators). The key and the answer.
pub(super) fn start_flow(
    app: &App,
    headers: &HeaderMap,
    scheme: Scheme,
    prefix: &str,
    qp: &str,
    tail: &str,
) -> (String, HttpResponse) {
    let (key, new_cookie) = begin_flow(app, headers);
    let mut resp = response::redirect(&format!(
        "{}{prefix}{LOGIN_PAGE_PATH}?{qp}&sessionDataKey={}{tail}&authenticators={AUTHENTICATORS}",
        app.product_url(),
        enc(&key)
    ));
    if let Some(value) = new_cookie {
        site_cookie(FLOW_COOKIE, &value).set(&mut resp, scheme);
    }
    (key, resp)
}

/// Issue a flow key, bound to the browser's flow cookie when it already has a live one (so two tabs both work),
/// else to a new cookie, returned for setting.
fn begin_flow(app: &App, headers: &HeaderMap) -> (String, Option<String>) {
    let now = app.now();
    match cookie(headers, FLOW_COOKIE).filter(|c| flows().cookie_is_live(c, now)) {
        Some(existing) => (flows().issue(&existing, now), None),
        None => {
            let fresh = csrf::new_flow_cookie();
            (flows().issue(&fresh, now), Some(fresh))
        }
    }
}

/// A cookie of the login pages: the whole site, `SameSite=Lax` (the login flow starts from another site's link).
pub(super) fn site_cookie<'a>(name: &'a str, value: &'a str) -> SetCookie<'a> {
    SetCookie {
        name,
        value,
        path: "/",
        same_site: Some(SameSite::Lax),
    }
}

/// `GET /authenticationendpoint/login.do`. A key this browser holds renders the form with it, and with the
/// failure message its redirect carries; any other key (absent, expired, forged, another browser's) gets a
/// fresh flow and a clean form, so a crafted link cannot put words or a user name on the page.
pub fn login_page(app: &App, req: &Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    let params = Params::from_query(req.uri());
    let now = app.now();
    let flow_cookie = cookie(req.headers(), FLOW_COOKIE);
    let given = params.get("sessionDataKey").filter(|k| k.len() <= MAX_FIELD_CHARS);
    let (key, new_cookie, ours) = match given {
        Some(k) if flows().check(k, flow_cookie.as_deref(), now) => (k.to_string(), None, true),
        _ => {
            let (k, c) = begin_flow(app, req.headers());
            (k, c, false)
        }
    };
    let (error, username) = if ours {
        let show = app.settings().basic_auth.show_auth_failure_reason;
        let username = params
            .get("failedUsername")
            .filter(|u| u.chars().count() <= MAX_FIELD_CHARS)
            .unwrap_or_default();
        (failure_text(&params, show), username)
    } else {
        (None, "")
    };
    let mut resp = pages::render(
        StatusCode::OK,
        "login.html",
        minijinja::context! {
            title => "Sign in",
            error => error,
            username => username,
            session_data_key => key,
            // A tenant's page posts to the tenant's `/t/{domain}/commonauth`, so a bare name signs in there.
            tenant_prefix => tenant_prefix(req),
            // The recovery portal's callback after a reset (5.11 on): APPS v1.0.558 basicauth.jsp says so.
            password_reset => params.get("passwordReset") == Some("true"),
        },
    );
    if let Some(value) = new_cookie {
        site_cookie(FLOW_COOKIE, &value).set(&mut resp, scheme);
    }
    if ours && let Some(policy) = super::authorize::login_form_policy(app, &key) {
        resp.headers_mut()
            .insert(hyper::header::CONTENT_SECURITY_POLICY, policy);
    }
    resp
}

/// The message a login page shows for its redirect's parameters. A locked account sent back to the login page
/// (6.0+ `showAuthFailureReasonOnLoginPage`) carries `errorCode=17003` without `authFailure`.
pub fn failure_text(params: &Params, show_reason: bool) -> Option<&'static str> {
    let code = params.get("errorCode");
    let locked_back = show_reason && code == Some(USER_IS_LOCKED);
    if params.get("authFailure") != Some("true") && !locked_back {
        return None;
    }
    if !show_reason {
        return Some(GENERIC_FAILURE_TEXT);
    }
    Some(match code {
        Some(USER_IS_LOCKED) => LOCKED_TEXT,
        Some(PASSWORD_RESET_VIA_EMAIL_LINK) => RESET_LINK_TEXT,
        Some(PASSWORD_RESET_OTP_MISMATCH) => OTP_MISMATCH_TEXT,
        _ => GENERIC_FAILURE_TEXT,
    })
}

/// WSO2's retry page words (identity-apps `retry.jsp`: `authentication.error`,
/// `something.went.wrong.during.authentication`).
pub const RETRY_TITLE: &str = "Authentication Error!";
pub const RETRY_TEXT: &str = "Something went wrong during the authentication process. Please try signing in again.";

/// `GET /authenticationendpoint/retry.do`: WSO2's "Authentication Error!" page, where a locked account is sent
/// when `showAuthFailureReason` is on. A 17003 redirect with a flow key this browser holds says the account is
/// locked (WSO2's page says only its generic words); anything else, a crafted link included, gets those.
pub fn retry_page(app: &App, req: &Request<RequestBody>) -> HttpResponse {
    let params = Params::from_query(req.uri());
    let flow_cookie = cookie(req.headers(), FLOW_COOKIE);
    let ours = params
        .get("sessionDataKey")
        .filter(|k| k.len() <= MAX_FIELD_CHARS)
        .is_some_and(|k| flows().check(k, flow_cookie.as_deref(), app.now()));
    let locked =
        ours && app.settings().basic_auth.show_auth_failure_reason && params.get("errorCode") == Some(USER_IS_LOCKED);
    let text = if locked { LOCKED_TEXT } else { RETRY_TEXT };
    pages::message(
        StatusCode::OK,
        RETRY_TITLE,
        None,
        text,
        Some(pages::Link {
            href: DASHBOARD_PATH,
            label: "Sign in again",
        }),
    )
}

/// `POST /commonauth`: check the flow (CSRF), then let `App::login` decide; nothing about the user is looked at
/// before it, so unknown and known users take the same path.
pub async fn commonauth(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    let url_tenant = req.extensions().get::<Tenant>().cloned();
    let prefix = tenant_prefix(&req);
    let (parts, form) = match input::read_form(req).await {
        Ok(pf) => pf,
        Err(bad) => return pages::bad_input(&bad),
    };
    let key = form.get("sessionDataKey").unwrap_or_default().to_string();
    let flow_cookie = cookie(&parts.headers, FLOW_COOKIE);
    if !flows().check(&key, flow_cookie.as_deref(), app.now()) {
        return pages::message(
            StatusCode::FORBIDDEN,
            "Sign-in form expired",
            None,
            "This sign-in form has expired or was not issued to this browser, so it was not accepted. Start \
             again from the sign-in page (cookies must be enabled).",
            Some(SIGN_IN),
        );
    }
    // PWP's pwd-reset.jsp posts its change here, in the same flow.
    if super::expiry::is_change_post(&form) {
        return super::expiry::enforcer_change(app, &parts.headers, &form, &key, scheme).await;
    }
    let (username, password) = match (input::required(&form, "username"), input::required(&form, "password")) {
        (Ok(u), Ok(p)) => (u.to_string(), Secret::new(p)),
        (Err(bad), _) | (_, Err(bad)) => return pages::bad_input(&bad),
    };
    let (login_user, login_password) = (username.clone(), password.clone());
    let outcome = match blocking(&app, move |app| {
        app.login_at(url_tenant.as_ref(), &login_user, &login_password)
    })
    .await
    {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => return pages::domain_error(&e),
        Err(resp) => return resp,
    };
    let attempt = Attempt {
        key: &key,
        username: &username,
        user: outcome.user.as_deref(),
        password: &password,
        tenant_domain: &outcome.tenant_domain,
        prefix: &prefix,
    };
    let settings = app.settings();
    if let Some(location) = failure_location(
        outcome.decision,
        outcome.context.as_ref(),
        &attempt,
        &settings.basic_auth,
        &settings.profile.login,
        &app.product_url(),
    ) {
        return response::redirect(&location);
    }
    let Some(user) = outcome.user else {
        tracing::error!("a successful login without a user");
        return pages::internal_error();
    };
    if outcome.password_expired {
        let tenant = Tenant {
            id: outcome.tenant,
            domain: outcome.tenant_domain.clone(),
        };
        return super::expiry::expired_location(&app, &key, &username, &tenant, &user);
    }
    signed_in(&app, &parts.headers, &key, outcome.tenant, &user, scheme).await
}

/// The login of `user` in flow `key` is complete: a new session, and on to the dashboard.
pub(super) async fn signed_in(
    app: &Arc<App>,
    headers: &HeaderMap,
    key: &str,
    tenant: TenantId,
    user: &str,
    scheme: Scheme,
) -> HttpResponse {
    flows().consume(key);
    // A new id on every login (session fixation): whatever the browser sent is ended, never adopted.
    if let Some(old) = cookie(headers, SESSION_COOKIE) {
        app.end_session(&old);
    }
    let token = app.open_session(tenant, user);
    // A flow started by /oauth2/authorize ends at the application, with its code.
    let finished = match app.session(token.as_str()) {
        Some(session) => super::authorize::finish(app, key, &session).await,
        None => None,
    };
    let mut resp = finished.unwrap_or_else(|| response::redirect(DASHBOARD_PATH));
    site_cookie(SESSION_COOKIE, token.as_str()).set(&mut resp, scheme);
    resp
}

/// One login attempt, as the form gave it.
pub struct Attempt<'a> {
    /// The flow's `sessionDataKey`: WSO2's context query parameters.
    pub key: &'a str,
    /// The user name as typed (WSO2 echoes `request.getParameter("username")`).
    pub username: &'a str,
    /// The user's canonical name when the user exists: the recovery portal checks the code for it.
    pub user: Option<&'a str>,
    pub password: &'a Secret,
    /// The user's tenant (the `tenantdomain` of the 17007 redirect).
    pub tenant_domain: &'a str,
    /// `/t/{domain}` when the login page was a tenant's, else empty: the redirects stay in the tenant.
    pub prefix: &'a str,
}

/// The error parameters of the show-reason redirects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Param {
    ErrorCode,
    FailedUsername,
    RemainingAttempts,
    LockedReason,
}

impl Param {
    fn key(self) -> &'static str {
        match self {
            Param::ErrorCode => "errorCode",
            Param::FailedUsername => "failedUsername",
            Param::RemainingAttempts => "remainingAttempts",
            Param::LockedReason => "lockedReason",
        }
    }

    /// The place of each key in a 16-bucket `java.util.HashMap` (`&failedUsername=` hashes to bucket 4,
    /// `&errorCode=` 5, `&remainingAttempts=` 7, `&lockedReason=` 14): the order 5.10+ writes them in.
    fn hash_map_rank(self) -> u8 {
        match self {
            Param::FailedUsername => 0,
            Param::ErrorCode => 1,
            Param::RemainingAttempts => 2,
            Param::LockedReason => 3,
        }
    }
}

/// `params` (in IS 5.9's concatenation order) as the release writes them: 5.9 as given; 5.10+ in `HashMap` order
/// without those `errorParamsToOmit` names.
fn error_params(profile: &LoginProfile, basic: &BasicAuthParams, mut params: Vec<(Param, String)>) -> String {
    if profile.error_params == ErrorParams::HashMap {
        params.sort_by_key(|(p, _)| p.hash_map_rank());
    }
    let omit = |p: Param| profile.honours_omit_and_mask_user && basic.error_params_to_omit.iter().any(|o| o == p.key());
    params
        .iter()
        .filter(|(p, _)| !omit(*p))
        .map(|(p, v)| format!("&{}={v}", p.key()))
        .collect()
}

/// Where the basic authenticator sends the browser after a failed login (None on success): BASIC's
/// `initiateAuthenticationRequest` at the release's tag, the handlers' error context in, byte for byte out. The
/// context parameters are `sessionDataKey=…`; every failed POST is a retry, so `authFailure=true` follows.
pub fn failure_location(
    decision: Decision,
    context: Option<&ErrorContext>,
    attempt: &Attempt<'_>,
    basic: &BasicAuthParams,
    profile: &LoginProfile,
    product_url: &str,
) -> Option<String> {
    if decision == Decision::Success {
        return None;
    }
    let qp = format!("sessionDataKey={}", enc(attempt.key));
    let auth = format!("&authenticators={AUTHENTICATORS}");
    let retry = format!("&authFailure=true&authFailureMsg={LOGIN_FAIL_MESSAGE}");
    let login = format!("{}{LOGIN_PAGE_PATH}?{qp}", attempt.prefix);
    let user = enc(attempt.username);
    let generic = format!("{login}{auth}{retry}");
    let Some(context) = context else {
        return Some(generic);
    };
    let mut code = context.code;
    Some(match code {
        PASSWORD_RESET_VIA_EMAIL_LINK => {
            let (code, msg) =
                if profile.honours_mask_forced_reset_code && basic.mask_admin_forced_password_reset_error_code {
                    (INVALID_CREDENTIAL, LOGIN_FAIL_MESSAGE)
                } else {
                    (PASSWORD_RESET_VIA_EMAIL_LINK, RESET_PENDING_MESSAGE)
                };
            format!("{login}&failedUsername={user}&errorCode={code}{auth}&authFailure=true&authFailureMsg={msg}")
        }
        PASSWORD_RESET_VIA_OTP => otp_location(attempt, profile, product_url),
        _ if !basic.show_auth_failure_reason => generic,
        _ => {
            if profile.honours_omit_and_mask_user
                && basic.mask_user_not_exists_error_code
                && code == USER_DOES_NOT_EXIST
            {
                code = INVALID_CREDENTIAL;
            }
            let remaining = context.remaining_attempts();
            let mut params = vec![(Param::ErrorCode, code.to_string())];
            match code {
                INVALID_CREDENTIAL => {
                    params.push((Param::FailedUsername, user));
                    params.push((Param::RemainingAttempts, remaining.to_string()));
                    format!("{login}{auth}{retry}{}", error_params(profile, basic, params))
                }
                USER_IS_LOCKED => {
                    if let Some(reason) = context.reason {
                        params.push((Param::LockedReason, reason.to_string()));
                    }
                    params.push((Param::FailedUsername, user));
                    if remaining == 0 {
                        params.push((Param::RemainingAttempts, "0".to_string()));
                    }
                    let params = error_params(profile, basic, params);
                    if profile.honours_reason_on_login_page && basic.show_auth_failure_reason_on_login_page {
                        format!("{login}{auth}{params}")
                    } else {
                        format!("{}{RETRY_PAGE_PATH}?{qp}{params}", attempt.prefix)
                    }
                }
                PASSWORD_RESET_OTP_MISMATCH => {
                    let params = vec![(Param::FailedUsername, user), (Param::ErrorCode, code.to_string())];
                    format!("{login}{}{auth}{retry}", error_params(profile, basic, params))
                }
                _ => {
                    params.push((Param::FailedUsername, user));
                    format!("{login}{auth}{retry}{}", error_params(profile, basic, params))
                }
            }
        }
    })
}

/// The 17007 redirect to the recovery portal, with the one-time password as `confirmation`.
fn otp_location(attempt: &Attempt<'_>, profile: &LoginProfile, product_url: &str) -> String {
    let qp = format!("sessionDataKey={}", enc(attempt.key));
    let user = enc(attempt.user.unwrap_or(attempt.username));
    let account = format!(
        "username={user}&tenantdomain={}&confirmation={}",
        enc(attempt.tenant_domain),
        enc(attempt.password.expose())
    );
    let reason = "&reason=ADMIN_FORCED_PASSWORD_RESET_VIA_OTP";
    let back = format!("?{qp}&authenticators={AUTHENTICATORS}");
    match profile.otp_redirect {
        OtpRedirect::Plain => format!("{}{CONFIRM_RECOVERY_PATH}?{qp}&{account}", attempt.prefix),
        OtpRedirect::RelativeCallback => {
            let callback = enc(&format!("{}{LOGIN_PAGE_PATH}{back}", attempt.prefix));
            format!(
                "{}{CONFIRM_RECOVERY_PATH}?{qp}&{account}&callback={callback}{reason}",
                attempt.prefix
            )
        }
        OtpRedirect::AbsoluteCallback => {
            let callback = enc(&format!("{product_url}{}{LOGIN_PAGE_PATH}{back}", attempt.prefix));
            format!(
                "{}{CONFIRM_RECOVERY_PATH}?{account}&callback={callback}{reason}",
                attempt.prefix
            )
        }
    }
}

/// `POST /logout`: end the session named by the cookie, if the form's token belongs to it.
pub async fn logout(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    let (parts, form) = match input::read_form(req).await {
        Ok(pf) => pf,
        Err(bad) => return pages::bad_input(&bad),
    };
    let live = cookie(&parts.headers, SESSION_COOKIE).filter(|t| app.session(t).is_some());
    let Some(token) = live else {
        // Nothing to end: forget the cookie and start over.
        let mut resp = response::redirect(DASHBOARD_PATH);
        site_cookie(SESSION_COOKIE, "").clear(&mut resp, scheme);
        return resp;
    };
    if !csrf::verify(form.get("csrf").unwrap_or_default(), "logout", &[&token]) {
        return pages::message(
            StatusCode::FORBIDDEN,
            "Sign-out not accepted",
            None,
            "This sign-out request did not come from your dashboard, so you are still signed in.",
            Some(pages::Link {
                href: DASHBOARD_PATH,
                label: "Back to the dashboard",
            }),
        );
    }
    app.end_session(&token);
    let mut resp = pages::notice("Signed out", "You have signed out.", Some(SIGN_IN));
    site_cookie(SESSION_COOKIE, "").clear(&mut resp, scheme);
    resp
}

#[cfg(test)]
mod tests;
