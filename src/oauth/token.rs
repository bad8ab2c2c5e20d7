//! `/oauth2/token`, `/oauth2/introspect` and `/oauth2/revoke`: parameters in, one `App` call, WSO2's JSON out.
//! Client authentication is `client_secret_basic` or `client_secret_post`, never both.

use std::sync::Arc;

use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Request, StatusCode};
use serde_json::Value;

use super::error::{self, Family};
use super::{ParamsError, blocking, read_params};
use crate::app::{Actor, App, ClientAuth, Grant, Introspection, Issued, OAuthFailure, Tenant};
use crate::domain::oauth::{
    self, AUT_APPLICATION, AUT_USER, GRANT_AUTHORIZATION_CODE, GRANT_CLIENT_CREDENTIALS, GRANT_PASSWORD,
    GRANT_REFRESH_TOKEN, OAuthError, TOKEN_TYPE_BEARER, java_map_json, text,
};
use crate::domain::profile::oauth::UnknownClient;
use crate::domain::secret::Secret;
use crate::http::basic_auth::{self, BasicCredentials};
use crate::http::request::{Params, RequestBody};
use crate::http::response::{self, HttpResponse};

/// The host of `WWW-Authenticate: Basic realm=<host>`.
fn realm(app: &App) -> String {
    let url = app.product_url();
    let authority = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host)
        .to_string()
}

/// The client's credentials: Basic or the body, not both.
fn client_auth(app: &App, headers: &HeaderMap, params: &Params) -> Result<ClientAuth, OAuthError> {
    let body_id = params.get("client_id").filter(|s| !s.is_empty());
    let body_secret = params.get("client_secret").filter(|s| !s.is_empty());
    match basic_auth::parse(headers.get(header::AUTHORIZATION)) {
        BasicCredentials::Credentials { username, password } => {
            if body_secret.is_some() {
                return Err(OAuthError::invalid_request(text::BOTH_AUTHENTICATIONS));
            }
            Ok(ClientAuth {
                client_id: username,
                secret: Some(password),
            })
        }
        BasicCredentials::Malformed => Err(OAuthError::invalid_client(text::CLIENT_AUTHENTICATION_FAILED)),
        BasicCredentials::Missing => match body_id {
            Some(id) => Ok(ClientAuth {
                client_id: id.to_string(),
                secret: body_secret.map(Secret::new),
            }),
            None => Err(OAuthError::invalid_client(match app.profile().oauth.unknown_client {
                UnknownClient::CredentialsInvalid => text::CLIENT_ID_NOT_FOUND,
                UnknownClient::NamesTheId => text::UNSUPPORTED_CLIENT_AUTHENTICATION,
            })),
        },
    }
}

fn missing(names: &str) -> OAuthError {
    OAuthError::invalid_request(format!("Missing parameters: {names}"))
}

/// The grant a request asks for, or the OAuth error for its parameters.
fn grant_of(params: &Params) -> Result<Grant, OAuthError> {
    let get = |k: &str| params.get(k).filter(|v| !v.is_empty());
    let Some(grant_type) = get("grant_type") else {
        return Err(missing("grant_type"));
    };
    match grant_type {
        GRANT_PASSWORD => match (get("username"), get("password")) {
            (Some(u), Some(p)) => Ok(Grant::Password {
                username: u.to_string(),
                password: Secret::new(p),
            }),
            _ => Err(missing("username password")),
        },
        GRANT_CLIENT_CREDENTIALS => Ok(Grant::ClientCredentials),
        GRANT_REFRESH_TOKEN => match get("refresh_token") {
            Some(r) => Ok(Grant::RefreshToken {
                refresh_token: Secret::new(r),
            }),
            None => Err(missing("refresh_token")),
        },
        GRANT_AUTHORIZATION_CODE => match get("code") {
            Some(code) => Ok(Grant::AuthorizationCode {
                code: Secret::new(code),
                redirect_uri: get("redirect_uri").map(str::to_string),
                verifier: get("code_verifier").map(str::to_string),
            }),
            None => Err(missing("code")),
        },
        other => Err(OAuthError::new(
            oauth::ErrorKind::UnsupportedGrantType,
            oauth::unsupported_grant_text(&other.chars().take(64).collect::<String>()),
        )),
    }
}

/// `POST /oauth2/token` (`url`: the tenant of `/t/{domain}/oauth2/token`).
pub async fn token(app: Arc<App>, req: Request<RequestBody>, url: Option<Tenant>) -> HttpResponse {
    let realm = realm(&app);
    let (headers, params) = match read_params(req).await {
        Ok(read) => read,
        Err(e) => return e.into_response(),
    };
    let grant = match grant_of(&params) {
        Ok(g) => g,
        Err(e) => return error::oauth_json(&e, None),
    };
    let client = match client_auth(&app, &headers, &params) {
        Ok(c) => c,
        Err(e) => return error::oauth_json(&e, Some(&realm)),
    };
    let scope = params.get("scope").map(str::to_string);
    match blocking(&app, move |app| {
        app.token_at(url.as_ref(), &client, grant, scope.as_deref())
    })
    .await
    {
        Ok(Ok(issued)) => issued_json(&issued),
        Ok(Err(failure)) => error::answer(&failure, Family::Token, Some(&realm)),
        Err(resp) => resp,
    }
}

/// The token response, members in Oltu's `HashMap` order.
fn issued_json(issued: &Issued) -> HttpResponse {
    let mut members: Vec<(&str, Value)> = vec![("access_token", issued.access_token.expose().into())];
    if let Some(refresh) = &issued.refresh_token {
        members.push(("refresh_token", refresh.expose().into()));
    }
    members.push(("scope", issued.scope.as_str().into()));
    if let Some(id_token) = &issued.id_token {
        members.push(("id_token", id_token.as_str().into()));
    }
    members.push(("token_type", TOKEN_TYPE_BEARER.into()));
    members.push(("expires_in", issued.expires_in_s.into()));
    response::with_body(
        StatusCode::OK,
        HeaderValue::from_static("application/json"),
        java_map_json(&members),
    )
}

/// `POST /oauth2/introspect` (a user with `…/applicationmgt/view`).
pub async fn introspect(app: Arc<App>, req: Request<RequestBody>, actor: Actor, at: Tenant) -> HttpResponse {
    let (_, params) = match read_params(req).await {
        Ok(read) => read,
        Err(ParamsError::OAuth(_)) => return invalid_input(),
        Err(e) => return e.into_response(),
    };
    let Some(token) = params.get("token").filter(|t| !t.is_empty()).map(Secret::new) else {
        return invalid_input();
    };
    let refresh = params.get("token_type_hint") == Some("refresh_token");
    // Two point reads by hash: bounded, so on the reactor inside `quick` (as the SOAP session calls do).
    match app.quick(|| app.introspect_at(&at, &actor, &token, refresh)) {
        Ok(Some(found)) => active_json(&found),
        Ok(None) => json_text(r#"{"active":false}"#),
        Err(failure) => error::answer(&failure, Family::Token, None),
    }
}

/// WSO2's hand-written body for a missing token (with its space).
fn invalid_input() -> HttpResponse {
    response::with_body(
        StatusCode::BAD_REQUEST,
        HeaderValue::from_static("application/json"),
        r#"{"error": "Invalid input"}"#,
    )
}

fn json_text(body: &'static str) -> HttpResponse {
    response::with_body(StatusCode::OK, HeaderValue::from_static("application/json"), body)
}

/// An active token, members in the order WSO2's `HashMap` gives them.
fn active_json(t: &Introspection) -> HttpResponse {
    let aut = if t.application { AUT_APPLICATION } else { AUT_USER };
    let mut members: Vec<(&str, Value)> = vec![
        ("aut", aut.into()),
        ("nbf", t.issued_at_s.into()),
        ("active", true.into()),
        ("token_type", TOKEN_TYPE_BEARER.into()),
        ("exp", t.expires_at_s.into()),
        ("iat", t.issued_at_s.into()),
        ("client_id", t.client_id.as_str().into()),
        ("username", t.username.as_str().into()),
    ];
    if !t.scope.is_empty() {
        members.push(("scope", t.scope.as_str().into()));
    }
    response::with_body(
        StatusCode::OK,
        HeaderValue::from_static("application/json"),
        java_map_json(&members),
    )
}

/// `POST /oauth2/revoke` (RFC 7009): 200 with no body whether or not there was anything to revoke.
pub async fn revoke(app: Arc<App>, req: Request<RequestBody>, url: Option<Tenant>) -> HttpResponse {
    let realm = realm(&app);
    let (headers, params) = match read_params(req).await {
        Ok(read) => read,
        Err(e) => return e.into_response(),
    };
    let client = match client_auth(&app, &headers, &params) {
        Ok(c) => c,
        Err(e) if e.kind == oauth::ErrorKind::InvalidRequest => return error::oauth_json(&e, None),
        Err(_) => {
            return error::answer(
                &OAuthFailure::Refused(OAuthError::invalid_client(text::CLIENT_AUTHENTICATION_FAILED)),
                Family::Revoke,
                Some(&realm),
            );
        }
    };
    let Some(token) = params.get("token").filter(|t| !t.is_empty()).map(Secret::new) else {
        return error::oauth_json(&OAuthError::invalid_request(text::INVALID_REVOCATION), None);
    };
    let refresh = params.get("token_type_hint") == Some("refresh_token");
    let headers_on = app.profile().oauth.revoke_headers;
    match blocking(&app, move |app| app.revoke_at(url.as_ref(), &client, &token, refresh)).await {
        Ok(Ok(revoked)) => {
            let mut resp = response::with_body(StatusCode::OK, HeaderValue::from_static("text/html"), "");
            if let Some(r) = revoked.filter(|_| headers_on) {
                let h = resp.headers_mut();
                for (name, value) in [
                    ("RevokedAccessToken", r.access_token),
                    ("RevokedRefreshToken", r.refresh_token),
                    ("AuthorizedUser", Some(r.user)),
                ] {
                    if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                        h.insert(name, v);
                    }
                }
            }
            resp
        }
        Ok(Err(failure)) => error::answer(&failure, Family::Revoke, Some(&realm)),
        Err(resp) => resp,
    }
}

/// `GET /oauth2/jwks`.
pub async fn jwks(app: Arc<App>) -> HttpResponse {
    match blocking(&app, |app| app.jwks()).await {
        Ok(Ok(body)) => response::with_body(StatusCode::OK, HeaderValue::from_static("application/json"), body),
        Ok(Err(e)) => error::answer(&OAuthFailure::Domain(e), Family::Token, None),
        Err(resp) => resp,
    }
}

/// The discovery document of tenant `at`.
pub fn discovery(app: &App, at: &Tenant) -> HttpResponse {
    response::with_body(
        StatusCode::OK,
        HeaderValue::from_static("application/json"),
        app.discovery(at),
    )
}

/// `/oauth2/userinfo` with `Authorization: Bearer <token>` (or an `access_token` form parameter).
pub async fn userinfo(app: Arc<App>, req: Request<RequestBody>, at: Tenant) -> HttpResponse {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_string());
    let token = match bearer {
        Some(t) => Some(t),
        None if req.method() == hyper::Method::POST => match read_params(req).await {
            Ok((_, params)) => params.get("access_token").map(str::to_string),
            Err(e) => return e.into_response(),
        },
        None => None,
    };
    let Some(token) = token.filter(|t| !t.is_empty() && t.len() <= crate::app::MAX_PARAM_CHARS) else {
        return bearer_error(&OAuthError::new(oauth::ErrorKind::InvalidRequest, text::BEARER_MISSING));
    };
    let token = Secret::new(token);
    match blocking(&app, move |app| app.userinfo(&at, &token)).await {
        Ok(Ok(body)) => response::with_body(StatusCode::OK, HeaderValue::from_static("application/json"), body),
        Ok(Err(OAuthFailure::Refused(e))) => bearer_error(&e),
        Ok(Err(failure)) => error::answer(&failure, Family::Token, None),
        Err(resp) => resp,
    }
}

/// RFC 6750's answer: the error in `WWW-Authenticate` and in the body.
fn bearer_error(e: &OAuthError) -> HttpResponse {
    let mut resp = error::oauth_json(e, None);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "Bearer error=\"{}\", error_description=\"{}\"",
        e.kind.as_str(),
        e.description
    )) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    if e.kind == oauth::ErrorKind::InvalidRequest {
        *resp.status_mut() = StatusCode::UNAUTHORIZED;
    }
    resp
}
