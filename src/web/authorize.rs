//! `GET /oauth2/authorize`: the authorization code flow's browser side. A checked request either gets its code at
//! once (a live `commonAuthId` session, no `prompt=login`) or waits on a login flow while the user signs in at
//! `login.do`, the forced-reset detour included (17007's callback brings the user back to the same flow, 5.11
//! on); `/commonauth` then sends the browser to the redirect URI with the code ([`finish`]). A client or redirect
//! URI that cannot be trusted gets an error page, never a redirect; any other refusal goes back to the redirect
//! URI with `error`, `error_description` and `state`.

use std::sync::Arc;

use hyper::header::HeaderValue;
use hyper::{Request, StatusCode};

use super::input::cookie;
use super::login::{SESSION_COOKIE, enc, start_flow};
use super::pages;
use crate::app::{
    App, AuthorizationRequest, AuthorizeRefusal, CodeRedirect, ConsentAnswer, PendingAuthorization, Session, Tenant,
    qualified,
};
use crate::domain::oauth::{ErrorKind, OAuthError, SCOPE_OPENID, origin_of, text};
use crate::domain::tenant::SUPER_DOMAIN;
use crate::http::request::{Params, RequestBody, Scheme};
use crate::http::response::{self, HttpResponse};

pub const AUTHORIZE_PATH: &str = "/oauth2/authorize";
/// The consent pages (`OAuth2Util.OAuthURL.getOIDCConsentPageUrl`, `OAuth20Endpoints.OAUTH2_CONSENT_EP_URL`).
pub const OIDC_CONSENT_PATH: &str = "/authenticationendpoint/oauth2_consent.do";
pub const OAUTH2_CONSENT_PATH: &str = "/authenticationendpoint/oauth2_authz.do";

/// The authorize parameters WSO2 passes on to the login page (every request parameter, sorted as a Java
/// `TreeMap` sorts them).
const PASSED_ON: [&str; 9] = [
    "client_id",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "prompt",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
];

fn request_of(params: &Params) -> AuthorizationRequest {
    let get = |k: &str| params.get(k).map(str::to_string);
    AuthorizationRequest {
        client_id: get("client_id"),
        redirect_uri: get("redirect_uri"),
        response_type: get("response_type"),
        scope: get("scope"),
        state: get("state"),
        nonce: get("nonce"),
        code_challenge: get("code_challenge"),
        code_challenge_method: get("code_challenge_method"),
        prompt: get("prompt"),
    }
}

/// `redirect_uri` with `pairs` added as its query (after `?`, or `&` when it has one).
fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = uri.to_string();
    let mut sep = if uri.contains('?') { '&' } else { '?' };
    for (k, v) in pairs {
        out.push(sep);
        out.push_str(k);
        out.push('=');
        out.push_str(&enc(v));
        sep = '&';
    }
    out
}

/// An error back at the redirect URI, in Oltu's order (`error_description`, `state`, `error`).
fn error_redirect(redirect_uri: &str, error: &OAuthError, state: Option<&str>) -> HttpResponse {
    let mut pairs = vec![("error_description", error.description.as_str())];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    pairs.push(("error", error.kind.as_str()));
    response::redirect(&with_query(redirect_uri, &pairs))
}

/// WSO2's OAuth error page (`oauth2_error.do`), answered in place.
fn error_page(error: &OAuthError) -> HttpResponse {
    pages::message(
        StatusCode::BAD_REQUEST,
        "Authorization request refused",
        Some(error.kind.as_str()),
        &error.description,
        None,
    )
}

/// The code on its way: `redirect_uri?code=…&state=…&session_state=…`.
pub fn code_redirect(r: &CodeRedirect) -> HttpResponse {
    let mut pairs = vec![("code", r.code.expose())];
    if let Some(state) = r.state.as_deref() {
        pairs.push(("state", state));
    }
    pairs.push(("session_state", r.session_state.as_str()));
    response::redirect(&with_query(&r.redirect_uri, &pairs))
}

/// How a refused authorization reaches the browser: WSO2's error page, the redirect URI with the error and state,
/// or the pages' own error.
fn refused(refusal: &AuthorizeRefusal) -> HttpResponse {
    match refusal {
        AuthorizeRefusal::ErrorPage(e) => error_page(e),
        AuthorizeRefusal::Redirect {
            redirect_uri,
            error,
            state,
        } => error_redirect(redirect_uri, error, state.as_deref()),
        AuthorizeRefusal::Domain(e) => pages::domain_error(e),
    }
}

/// A live browser session, if the request carries one.
fn live_session(app: &App, headers: &hyper::HeaderMap) -> Option<Session> {
    let token = cookie(headers, SESSION_COOKIE)?;
    let session = app.session(&token)?;
    matches!(app.session_actor(&session), Ok(Some(_))).then_some(session)
}

/// `/t/{domain}` for a tenant's pages, else empty (the super tenant's are at the root).
fn tenant_prefix(tenant: &Tenant) -> String {
    if tenant.domain == SUPER_DOMAIN {
        String::new()
    } else {
        format!("/t/{}", tenant.domain)
    }
}

/// `GET /oauth2/authorize`.
pub async fn authorize(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    let params = Params::from_query(req.uri());
    let mut names: Vec<&str> = params.0.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return error_page(&OAuthError::invalid_request(text::INVALID_AUTHZ_REQUEST));
    }
    let request = request_of(&params);
    let url = req.extensions().get::<Tenant>().cloned();
    let checked = {
        let app = app.clone();
        let request = request.clone();
        super::blocking(&app.clone(), move |_| app.check_authorization(url.as_ref(), &request)).await
    };
    let pending = match checked {
        Ok(Ok(p)) => p,
        Ok(Err(refusal)) => return refused(&refusal),
        Err(resp) => return resp,
    };
    // Only a session of the request's tenant counts: another tenant's user signs in again, in this tenant.
    let session = live_session(&app, req.headers()).filter(|s| !pending.force_login && s.tenant == pending.tenant.id);
    if let Some(session) = session {
        return issue(&app, &session, &pending).await;
    }
    if pending.passive {
        let error = OAuthError::new(ErrorKind::LoginRequired, text::PROMPT_NONE_NO_SESSION);
        return error_redirect(&pending.redirect_uri, &error, pending.state.as_deref());
    }
    // To the login page, as WSO2's framework sends the browser there (endpoints.md §2.2).
    let mut query: Vec<(String, String)> = PASSED_ON
        .iter()
        .filter_map(|k| params.get(k).map(|v| (k.to_string(), v.to_string())))
        .collect();
    let prefix = tenant_prefix(&pending.tenant);
    query.push(("commonAuthCallerPath".into(), format!("{prefix}{AUTHORIZE_PATH}")));
    query.push(("forceAuth".into(), pending.force_login.to_string()));
    query.push(("passiveAuth".into(), "false".into()));
    query.push(("tenantDomain".into(), pending.tenant.domain.clone()));
    query.sort_by(|a, b| a.0.cmp(&b.0));
    let qp: Vec<String> = query.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect();
    let tail = format!(
        "&relyingParty={}&type=oidc&sp={}&isSaaSApp=false",
        enc(&pending.client_id),
        enc(&pending.app_name)
    );
    let (key, resp) = start_flow(&app, req.headers(), scheme, &prefix, &qp.join("&"), &tail);
    app.remember_authorization(&key, pending);
    resp
}

/// The code for a signed-in session, or first the consent page when the user must approve the application.
async fn issue(app: &Arc<App>, session: &Session, pending: &PendingAuthorization) -> HttpResponse {
    let (session, pending) = (session.clone(), pending.clone());
    let answer = super::blocking(app, move |app| match app.consent_step(&session, &pending) {
        Ok(Some(key)) => Ok(Err((key, pending, session.user))),
        Ok(None) => app
            .issue_code(&session, &pending)
            .map(Ok)
            .map_err(|e| AuthorizeRefusal::Domain(e.into_domain())),
        Err(refusal) => Err(refusal),
    })
    .await;
    match answer {
        Ok(Ok(Ok(redirect))) => code_redirect(&redirect),
        Ok(Ok(Err((key, pending, user)))) => consent_redirect(app, &key, &pending, &user),
        Ok(Err(refusal)) => refused(&refusal),
        Err(resp) => resp,
    }
}

/// `EndpointUtil.getUserConsentURL`: `oauth2_consent.do` for an OpenID request, else `oauth2_authz.do`, with
/// `loggedInUser`, `application`, `tenantDomain`, `scope`, `sessionDataKeyConsent` and `spQueryParams`.
fn consent_redirect(app: &App, key: &str, pending: &PendingAuthorization, user: &str) -> HttpResponse {
    let page = if pending.scope.split(' ').any(|s| s == SCOPE_OPENID) {
        OIDC_CONSENT_PATH
    } else {
        OAUTH2_CONSENT_PATH
    };
    response::redirect(&format!(
        "{}{page}?loggedInUser={}&application={}&tenantDomain={}&scope={}&sessionDataKeyConsent={}\
         &spQueryParams=",
        app.product_url(),
        enc(&qualified(user, &pending.tenant.domain)),
        enc(&pending.app_name),
        enc(&pending.tenant.domain),
        enc(&pending.scope),
        enc(key)
    ))
}

/// `GET oauth2_consent.do` / `oauth2_authz.do`: the application, the scopes, and the three answers, posted to
/// `/oauth2/authorize`. The page's `form-action` allows the redirect URI's origin (the answer's redirect goes
/// there).
pub fn consent_page(app: &App, req: &Request<RequestBody>) -> HttpResponse {
    let params = Params::from_query(req.uri());
    let key = params.get("sessionDataKeyConsent").unwrap_or_default();
    let Some(pending) = app.consent_request(key) else {
        return error_page(&OAuthError::invalid_request(text::INVALID_AUTHZ_REQUEST));
    };
    let scopes: Vec<&str> = pending.scope.split(' ').filter(|s| !s.is_empty()).collect();
    let mut resp = pages::render(
        StatusCode::OK,
        "consent.html",
        minijinja::context! {
            application => pending.app_name,
            scopes => scopes,
            key => key,
        },
    );
    if let Some(policy) = form_policy(&pending.redirect_uri) {
        resp.headers_mut()
            .insert(hyper::header::CONTENT_SECURITY_POLICY, policy);
    }
    resp
}

/// `POST /oauth2/authorize` from the consent page: the signed-in session's answer to `sessionDataKeyConsent`.
pub async fn consent_answer(app: Arc<App>, req: Request<RequestBody>) -> HttpResponse {
    let (parts, form) = match super::input::read_form(req).await {
        Ok(pf) => pf,
        Err(bad) => return pages::bad_input(&bad),
    };
    let Some(session) = live_session(&app, &parts.headers) else {
        return error_page(&OAuthError::invalid_request(text::INVALID_AUTHZ_REQUEST));
    };
    let key = form.get("sessionDataKeyConsent").unwrap_or_default().to_string();
    let answer = ConsentAnswer::parse(form.get("consent"));
    match super::blocking(&app, move |app| app.answer_consent(&session, &key, answer)).await {
        Ok(Ok(redirect)) => code_redirect(&redirect),
        Ok(Err(refusal)) => refused(&refusal),
        Err(resp) => resp,
    }
}

/// After a successful login on flow `key`: the authorization it was started for, answered with its code; None
/// when the flow was a plain sign-in.
pub async fn finish(app: &Arc<App>, key: &str, session: &Session) -> Option<HttpResponse> {
    let pending = app.take_authorization(key)?;
    Some(issue(app, session, &pending).await)
}

/// The login page's `form-action` for flow `key`: its own origin, and the redirect URI's origin when the flow
/// ends at an application (the browser checks every hop after the form's POST against it).
pub fn login_form_policy(app: &App, key: &str) -> Option<HeaderValue> {
    form_policy(&app.pending_authorization(key)?.redirect_uri)
}

/// The pages' CSP with `redirect_uri`'s origin added to `form-action`.
fn form_policy(redirect_uri: &str) -> Option<HeaderValue> {
    let origin = origin_of(redirect_uri);
    if origin
        .chars()
        .any(|c| c.is_whitespace() || c == ';' || c == ',' || c == '\'')
    {
        return None;
    }
    let policy = pages::CONTENT_SECURITY_POLICY.replace("form-action 'self'", &format!("form-action 'self' {origin}"));
    HeaderValue::from_str(&policy).ok()
}
