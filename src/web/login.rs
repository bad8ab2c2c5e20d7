//! The dashboard and its login, shaped like WSO2's: `GET /dashboard` without a session starts a login flow and
//! redirects to `/authenticationendpoint/login.do?sessionDataKey=…`; the form posts to `/commonauth`, where
//! `App::login` decides and the basic authenticator's redirects (with WSO2's exact query parameters) or a new
//! `commonAuthId` session follow. `POST /logout` (with a session-bound token) ends the session.
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
use super::{CONFIRM_RECOVERY_PATH, DASHBOARD_PATH, LOGIN_PAGE_PATH, blocking};
use crate::app::{App, Session};
use crate::config::BasicAuthParams;
use crate::domain::login::{
    Decision, Failure, INVALID_CREDENTIAL, PASSWORD_RESET_OTP_MISMATCH, PASSWORD_RESET_VIA_EMAIL_LINK, USER_IS_LOCKED,
};
use crate::domain::secret::Secret;
use crate::domain::{DEFAULT_PROFILE, DomainError, TENANT_DOMAIN, claims};
use crate::http::cookie::{SameSite, SetCookie};
use crate::http::request::{Params, RequestBody, Scheme};
use crate::http::response::{self, HttpResponse};

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

/// RFC 3986 unreserved characters stay; everything else is percent-encoded (a space becomes %20).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn enc(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// `GET /dashboard`: the greeting for a live session, else a new login flow.
pub async fn dashboard(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    let Some(session) = cookie(req.headers(), SESSION_COOKIE).and_then(|token| app.session(&token)) else {
        return start_login(&app, req.headers(), scheme);
    };
    let (token, user) = (session.token.as_str().to_string(), session.user.clone());
    let display = match blocking(&app, move |app| display_name(app, &session)).await {
        Ok(Ok(Some(name))) => name,
        // The user was deleted under a live session: the session means nothing any more (and was ended).
        Ok(Ok(None)) => return start_login(&app, req.headers(), scheme),
        Ok(Err(e)) => return pages::domain_error(&e),
        Err(resp) => return resp,
    };
    pages::render(
        StatusCode::OK,
        "dashboard.html",
        minijinja::context! {
            title => "Dashboard",
            display_name => display,
            username => user,
            csrf => csrf::token("logout", &[&token]),
        },
    )
}

/// The user's given name, else the user name; None if the user no longer exists.
fn display_name(app: &App, session: &Session) -> Result<Option<String>, DomainError> {
    let Some(actor) = app.session_actor(session)? else {
        return Ok(None);
    };
    let user = actor.name();
    let given = app.claim_value(&actor, user, claims::GIVEN_NAME, DEFAULT_PROFILE)?;
    Ok(Some(
        given
            .filter(|g| !g.trim().is_empty())
            .unwrap_or_else(|| user.to_string()),
    ))
}

/// Start a login flow and send the browser to the login page with its key.
fn start_login(app: &App, headers: &HeaderMap, scheme: Scheme) -> HttpResponse {
    let (key, new_cookie) = begin_flow(app, headers);
    let mut resp = response::redirect(&format!("{LOGIN_PAGE_PATH}?sessionDataKey={}", enc(&key)));
    if let Some(value) = new_cookie {
        site_cookie(FLOW_COOKIE, &value).set(&mut resp, scheme);
    }
    resp
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
            // The recovery portal's callback after a reset (5.11 on): APPS v1.0.558 basicauth.jsp says so.
            password_reset => params.get("passwordReset") == Some("true"),
        },
    );
    if let Some(value) = new_cookie {
        site_cookie(FLOW_COOKIE, &value).set(&mut resp, scheme);
    }
    resp
}

/// The message a login page shows for its redirect's parameters.
pub fn failure_text(params: &Params, show_reason: bool) -> Option<&'static str> {
    if params.get("authFailure") != Some("true") {
        return None;
    }
    if !show_reason {
        return Some(GENERIC_FAILURE_TEXT);
    }
    Some(match params.get("errorCode") {
        Some(USER_IS_LOCKED) => LOCKED_TEXT,
        Some(PASSWORD_RESET_VIA_EMAIL_LINK) => RESET_LINK_TEXT,
        Some(PASSWORD_RESET_OTP_MISMATCH) => OTP_MISMATCH_TEXT,
        _ => GENERIC_FAILURE_TEXT,
    })
}

/// `POST /commonauth`: check the flow (CSRF), then let `App::login` decide; nothing about the user is looked at
/// before it, so unknown and known users take the same path.
pub async fn commonauth(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
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
    let (username, password) = match (input::required(&form, "username"), input::required(&form, "password")) {
        (Ok(u), Ok(p)) => (u.to_string(), Secret::new(p)),
        (Err(bad), _) | (_, Err(bad)) => return pages::bad_input(&bad),
    };
    let (login_user, login_password) = (username.clone(), password.clone());
    let outcome = match blocking(&app, move |app| app.login(&login_user, &login_password)).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => return pages::domain_error(&e),
        Err(resp) => return resp,
    };
    if let Some(location) = failure_location(
        outcome.decision,
        &key,
        &username,
        outcome.user.as_deref(),
        &password,
        &app.settings().basic_auth,
    ) {
        return response::redirect(&location);
    }
    let Some(user) = outcome.user else {
        tracing::error!("a successful login without a user");
        return pages::internal_error();
    };
    flows().consume(&key);
    // A new id on every login (session fixation): whatever the browser sent is ended, never adopted.
    if let Some(old) = cookie(&parts.headers, SESSION_COOKIE) {
        app.end_session(&old);
    }
    let token = app.open_session(&user);
    let mut resp = response::redirect(DASHBOARD_PATH);
    site_cookie(SESSION_COOKIE, token.as_str()).set(&mut resp, scheme);
    resp
}

/// Where the basic authenticator sends the browser after a failed login (None on success), with WSO2's query
/// parameters in WSO2's order. An unknown user is reported like a wrong password (17002).
pub fn failure_location(
    decision: Decision,
    key: &str,
    username: &str,
    user: Option<&str>,
    password: &Secret,
    basic: &BasicAuthParams,
) -> Option<String> {
    let login_page = |tail: String| format!("{LOGIN_PAGE_PATH}?sessionDataKey={}{tail}", enc(key));
    let failed = enc(username);
    let generic = |code: &str| {
        let code_param = if basic.show_auth_failure_reason {
            format!("&errorCode={code}")
        } else {
            String::new()
        };
        login_page(format!(
            "{code_param}&failedUsername={failed}&authenticators={AUTHENTICATORS}&authFailure=true\
             &authFailureMsg={LOGIN_FAIL_MESSAGE}"
        ))
    };
    Some(match decision {
        Decision::Success => return None,
        Decision::ResetViaLink => {
            let (code, msg) = if basic.mask_admin_forced_password_reset_error_code {
                (INVALID_CREDENTIAL, LOGIN_FAIL_MESSAGE)
            } else {
                (PASSWORD_RESET_VIA_EMAIL_LINK, RESET_PENDING_MESSAGE)
            };
            login_page(format!(
                "&failedUsername={failed}&errorCode={code}&authenticators={AUTHENTICATORS}&authFailure=true\
                 &authFailureMsg={msg}"
            ))
        }
        Decision::ResetOtpAccepted => format!(
            "{CONFIRM_RECOVERY_PATH}?sessionDataKey={}&username={}&tenantdomain={TENANT_DOMAIN}&confirmation={}",
            enc(key),
            enc(user.unwrap_or(username)),
            enc(password.expose())
        ),
        Decision::Failed(Failure::UnknownUser) => generic(INVALID_CREDENTIAL),
        other => generic(other.error_code().unwrap_or(INVALID_CREDENTIAL)),
    })
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
mod tests {
    use super::*;
    use crate::domain::login::Failure;

    fn params(show: bool, mask: bool) -> BasicAuthParams {
        BasicAuthParams {
            show_auth_failure_reason: show,
            mask_admin_forced_password_reset_error_code: mask,
        }
    }

    fn loc(decision: Decision, user: Option<&str>, basic: &BasicAuthParams) -> String {
        failure_location(decision, "K-1", "tom smith", user, &Secret::new("AB C1"), basic).unwrap()
    }

    const P: &str = "/authenticationendpoint/login.do?sessionDataKey=K-1";

    #[test]
    fn success_has_no_failure_location() {
        assert_eq!(
            failure_location(
                Decision::Success,
                "k",
                "tom",
                Some("tom"),
                &Secret::new("x"),
                &params(true, true)
            ),
            None
        );
    }

    #[test]
    fn reset_redirects_carry_wso2_parameters() {
        assert_eq!(
            loc(Decision::ResetViaLink, Some("tom"), &params(false, false)),
            format!(
                "{P}&failedUsername=tom%20smith&errorCode=17006&authenticators=BasicAuthenticator:LOCAL\
                 &authFailure=true&authFailureMsg=password.reset.pending"
            )
        );
        assert_eq!(
            loc(Decision::ResetViaLink, Some("tom"), &params(true, true)),
            format!(
                "{P}&failedUsername=tom%20smith&errorCode=17002&authenticators=BasicAuthenticator:LOCAL\
                 &authFailure=true&authFailureMsg=login.fail.message"
            )
        );
        assert_eq!(
            loc(Decision::ResetOtpAccepted, Some("tom"), &params(false, false)),
            "/accountrecoveryendpoint/confirmrecovery.do?sessionDataKey=K-1&username=tom&tenantdomain=carbon.super\
             &confirmation=AB%20C1"
        );
        assert_eq!(
            loc(Decision::ResetOtpMismatch, Some("tom"), &params(true, false)),
            format!(
                "{P}&errorCode=17008&failedUsername=tom%20smith&authenticators=BasicAuthenticator:LOCAL\
                 &authFailure=true&authFailureMsg=login.fail.message"
            )
        );
    }

    #[test]
    fn failures_are_generic_and_unknown_users_look_like_wrong_passwords() {
        let generic = format!(
            "{P}&failedUsername=tom%20smith&authenticators=BasicAuthenticator:LOCAL&authFailure=true\
             &authFailureMsg=login.fail.message"
        );
        for d in [
            Decision::ResetOtpMismatch,
            Decision::Failed(Failure::UnknownUser),
            Decision::Failed(Failure::WrongPassword),
            Decision::Failed(Failure::Locked),
            Decision::Failed(Failure::ResetCodeExpired),
        ] {
            assert_eq!(loc(d, Some("tom"), &params(false, false)), generic, "{d:?}");
        }
        let show = params(true, false);
        assert_eq!(
            loc(Decision::Failed(Failure::UnknownUser), None, &show),
            loc(Decision::Failed(Failure::WrongPassword), Some("tom"), &show)
        );
        assert!(loc(Decision::Failed(Failure::WrongPassword), None, &show).contains("&errorCode=17002&"));
        assert!(loc(Decision::Failed(Failure::Locked), None, &show).contains("&errorCode=17003&"));
        assert!(loc(Decision::Failed(Failure::ResetCodeExpired), None, &show).contains("&errorCode=17002&"));
    }

    #[test]
    fn the_page_text_follows_show_auth_failure_reason() {
        let q = |s: &str| Params::from_urlencoded(s.as_bytes());
        assert_eq!(failure_text(&q("sessionDataKey=k"), true), None);
        let pending = q("errorCode=17006&authFailure=true&authFailureMsg=password.reset.pending");
        assert_eq!(failure_text(&pending, false), Some(GENERIC_FAILURE_TEXT));
        assert_eq!(failure_text(&pending, true), Some(RESET_LINK_TEXT));
        let otp = q("errorCode=17008&authFailure=true&authFailureMsg=login.fail.message");
        assert_eq!(failure_text(&otp, false), Some(GENERIC_FAILURE_TEXT));
        assert_eq!(failure_text(&otp, true), Some(OTP_MISMATCH_TEXT));
        assert_eq!(
            failure_text(&q("errorCode=17003&authFailure=true"), true),
            Some(LOCKED_TEXT)
        );
        assert_eq!(
            failure_text(&q("errorCode=17002&authFailure=true"), true),
            Some(GENERIC_FAILURE_TEXT)
        );
    }
}
