//! `/oidc/logout` (GET and POST), RP-initiated logout as OIDCSESSION's `OIDCLogoutServlet` answers it (the same
//! decisions at every tag from v6.2.28 to v7.0.385), and the three `authenticationendpoint` pages it sends the
//! browser to: the logout consent page (`oauth2_logout_consent.do`, posting `consent=approve|deny` back), the
//! logged-out page (`oauth2_logout.do`) and the error page (`oauth2_error.do?oauthErrorCode=…&oauthErrorMsg=…`).
//!
//! The browser session WSO2 checks is its `opbs` cookie; forcereset's is `commonAuthId`, which the logout ends.
//! Every answer is a redirect to one of those pages, or to a `post_logout_redirect_uri` that `App::check_logout`
//! matched against the registered callback of the client the verified `id_token_hint` names.

use std::sync::Arc;

use hyper::{Method, Request, StatusCode};

use super::input::{self, cookie};
use super::login::{SESSION_COOKIE, enc, site_cookie};
use super::pages;
use crate::app::{App, CheckedLogout, LogoutRefusal, LogoutRequest, Tenant};
use crate::domain::oauth::text;
use crate::http::request::{Params, RequestBody, Scheme};
use crate::http::response::{self, HttpResponse};

pub const OIDC_LOGOUT_PATH: &str = "/oidc/logout";
pub const LOGOUT_CONSENT_PATH: &str = "/authenticationendpoint/oauth2_logout_consent.do";
pub const LOGGED_OUT_PATH: &str = "/authenticationendpoint/oauth2_logout.do";
pub const OAUTH_ERROR_PATH: &str = "/authenticationendpoint/oauth2_error.do";

/// `OAuth2ErrorCodes.ACCESS_DENIED`, the code of every logout refusal; `SERVER_ERROR` of a failed logout.
const ACCESS_DENIED: &str = "access_denied";
const SERVER_ERROR: &str = "server_error";

/// `OIDCSessionManagementUtil.getErrorPageURL`: the error page with `URLEncoder`-encoded code and message.
fn error_url(app: &App, code: &str, message: &str) -> String {
    format!(
        "{}{OAUTH_ERROR_PATH}?oauthErrorCode={}&oauthErrorMsg={}",
        app.product_url(),
        enc(code),
        enc(message)
    )
}

/// `appendStateQueryParam`: `state` added to `url` when it is not empty.
fn with_state(url: &str, state: Option<&str>) -> String {
    match state.filter(|s| !s.is_empty()) {
        Some(state) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}state={}", enc(state))
        }
        None => url.to_string(),
    }
}

fn logged_out_url(app: &App) -> String {
    format!("{}{LOGGED_OUT_PATH}", app.product_url())
}

fn request_of(params: &Params) -> LogoutRequest {
    let get = |k: &str| params.get(k).map(str::to_string);
    LogoutRequest {
        id_token_hint: get("id_token_hint"),
        client_id: get("client_id"),
        post_logout_redirect_uri: get("post_logout_redirect_uri"),
        state: get("state"),
    }
}

fn refused(app: &App, refusal: &LogoutRefusal) -> HttpResponse {
    match refusal {
        LogoutRefusal::ErrorPage(message) => response::redirect(&error_url(app, ACCESS_DENIED, message)),
        LogoutRefusal::Domain(e) => pages::domain_error(e),
    }
}

/// `GET|POST /oidc/logout`.
pub async fn oidc_logout(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    // `/t/{domain}/oidc/logout` (rewritten by the routes): the client is that tenant's.
    let url = req.extensions().get::<Tenant>().cloned();
    let (headers, params) = if req.method() == Method::POST {
        match input::read_form(req).await {
            Ok((parts, form)) => (parts.headers, form),
            Err(bad) => return pages::bad_input(&bad),
        }
    } else {
        let params = Params::from_query(req.uri());
        (req.headers().clone(), params)
    };
    let request = request_of(&params);
    let token = cookie(&headers, SESSION_COOKIE);
    let live = token
        .as_deref()
        .and_then(|t| app.session(t))
        .filter(|s| matches!(app.session_actor(s), Ok(Some(_))));
    let (Some(token), Some(_)) = (token.clone(), live) else {
        let missing = if token.is_none() {
            text::LOGOUT_NO_COOKIE
        } else {
            text::LOGOUT_NO_SESSION
        };
        return no_session(app, url, request, missing).await;
    };
    match params.get("consent").filter(|c| !c.trim().is_empty()) {
        // `OAuthConstants.Consent.APPROVE`; anything else is a denial, the session kept.
        Some("approve") => {
            let pending = app.take_logout(&token);
            app.end_session(&token);
            let mut resp = match pending {
                Some(logout) => after_logout(&app, &logout),
                None => response::redirect(&error_url(&app, SERVER_ERROR, text::LOGOUT_FAILED)),
            };
            site_cookie(SESSION_COOKIE, "").clear(&mut resp, scheme);
            resp
        }
        Some(_) => {
            app.take_logout(&token);
            response::redirect(&error_url(&app, ACCESS_DENIED, text::LOGOUT_DENIED))
        }
        None => {
            let checked = {
                let app = app.clone();
                super::blocking(&app.clone(), move |_| app.check_logout(url.as_ref(), &request)).await
            };
            let logout = match checked {
                Ok(Ok(logout)) => logout,
                Ok(Err(refusal)) => return refused(&app, &refusal),
                Err(resp) => return resp,
            };
            if app.settings().prompt_logout_consent {
                app.remember_logout(&token, logout);
                return response::redirect(&format!("{}{LOGOUT_CONSENT_PATH}", app.product_url()));
            }
            app.end_session(&token);
            let mut resp = after_logout(&app, &logout);
            site_cookie(SESSION_COOKIE, "").clear(&mut resp, scheme);
            resp
        }
    }
}

/// `handleLogoutResponseFromFramework`: the checked redirect URI, else the logged-out page; `state` on both.
fn after_logout(app: &App, logout: &CheckedLogout) -> HttpResponse {
    let target = logout.redirect_uri.clone().unwrap_or_else(|| logged_out_url(app));
    response::redirect(&with_state(&target, logout.state.as_deref()))
}

/// No live browser session: WSO2's error page, or with `handle_logout_gracefully` (`handleMissingSessionState
/// Gracefully`) the logged-out page, or the redirect URI when a hint (7.0+: or a client id) and a matching URI
/// came; `state` echoed either way.
async fn no_session(app: Arc<App>, url: Option<Tenant>, request: LogoutRequest, missing: &'static str) -> HttpResponse {
    if !app.settings().handle_logout_gracefully {
        return response::redirect(&error_url(&app, ACCESS_DENIED, missing));
    }
    let state = request.state.clone();
    let named = request.id_token_hint.as_deref().is_some_and(|h| !h.trim().is_empty())
        || (app.profile().oauth.logout_client_id && request.client_id.as_deref().is_some_and(|c| !c.trim().is_empty()));
    let has_uri = request
        .post_logout_redirect_uri
        .as_deref()
        .is_some_and(|u| !u.trim().is_empty());
    if !named || !has_uri {
        return response::redirect(&with_state(&logged_out_url(&app), state.as_deref()));
    }
    let checked = {
        let app = app.clone();
        super::blocking(&app.clone(), move |_| app.check_logout(url.as_ref(), &request)).await
    };
    let target = match checked {
        Ok(Ok(logout)) => logout.redirect_uri.unwrap_or_else(|| logged_out_url(&app)),
        Ok(Err(LogoutRefusal::ErrorPage(message))) => error_url(&app, ACCESS_DENIED, message),
        Ok(Err(LogoutRefusal::Domain(e))) => return pages::domain_error(&e),
        Err(resp) => return resp,
    };
    response::redirect(&with_state(&target, state.as_deref()))
}

/// `oauth2_logout_consent.do`: the question, answered by a POST of `consent` to `/oidc/logout`.
pub fn consent_page() -> HttpResponse {
    // The form posts to `OIDC_LOGOUT_PATH`, written literally in the template.
    pages::render(StatusCode::OK, "logout_consent.html", minijinja::context! {})
}

/// `oauth2_logout.do`.
pub fn logged_out_page() -> HttpResponse {
    pages::notice("Logged out", "You have successfully logged out.", Some(pages::SIGN_IN))
}

/// `oauth2_error.do`: the code and message of the query, shown escaped.
pub fn error_page(req: &Request<RequestBody>) -> HttpResponse {
    let params = Params::from_query(req.uri());
    let code = params.get("oauthErrorCode").unwrap_or_default();
    let message = params.get("oauthErrorMsg").unwrap_or_default();
    pages::message(StatusCode::OK, "Request refused", Some(code), message, None)
}
