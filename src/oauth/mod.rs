//! The OAuth2 front door WSO2 puts before its login pages: Dynamic Client Registration
//! (`/api/identity/oauth2/dcr/v1.1/register`), `/oauth2/token`, `/oauth2/introspect`, `/oauth2/revoke`,
//! `/oauth2/userinfo`, `/oauth2/jwks` and discovery. (`/oauth2/authorize` is a browser page: `web::authorize`.)
//! Requests in (forms or JSON, bounded), one `App` call, WSO2's JSON out; no rules here.
//!
//! One row of [`ROUTES`] per operation: method, path, the permission a user caller needs (DCR, introspection; None
//! where the client authenticates itself), and the operation. [`error`] is the one place an `OAuthFailure` becomes
//! an HTTP answer.
//!
//! - [`dcr`]: registration, read, update, delete; the request and the per-release response JSON.
//! - [`token`]: the token endpoint, introspection, revocation, and client authentication.

mod dcr;
mod error;
mod token;

use std::sync::Arc;

use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, StatusCode};

use crate::app::{Actor, App, MAX_PARAM_CHARS, Tenant};
use crate::domain::oauth::{OAuthError, text};
use crate::domain::permissions;
use crate::http::basic_auth::{self, BasicCredentials};
use crate::http::request::{BodyError, Params, RequestBody, Scheme, media_type, read_request_body};
use crate::http::response::{self, HttpResponse};

pub const DCR_PATH: &str = "/api/identity/oauth2/dcr/v1.1/register";
pub const TOKEN_PATH: &str = "/oauth2/token";
pub const INTROSPECT_PATH: &str = "/oauth2/introspect";
pub const REVOKE_PATH: &str = "/oauth2/revoke";
pub const JWKS_PATH: &str = "/oauth2/jwks";
pub const USERINFO_PATH: &str = "/oauth2/userinfo";
/// Discovery, where WSO2 serves it: under the issuer, and under `oidcdiscovery`.
pub const DISCOVERY_PATH: &str = "/oauth2/token/.well-known/openid-configuration";
pub const DISCOVERY_ALT_PATH: &str = "/oauth2/oidcdiscovery/.well-known/openid-configuration";

/// A route's path: exact, or a prefix followed by one non-empty segment (the client id).
#[derive(Debug, Clone, Copy)]
enum PathPattern {
    Exact(&'static str),
    WithId(&'static str),
}

impl PathPattern {
    /// The matched id (empty for an exact path), or None.
    fn matches<'p>(&self, path: &'p str) -> Option<&'p str> {
        match self {
            PathPattern::Exact(p) => (path == *p).then_some(""),
            PathPattern::WithId(prefix) => path
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('/'))
                .filter(|id| !id.is_empty() && !id.contains('/')),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Register,
    ReadByName,
    Read,
    Update,
    Delete,
    Token,
    Introspect,
    Revoke,
    Jwks,
    Discovery,
    Userinfo,
}

struct Route {
    method: Method,
    path: PathPattern,
    /// The permission a user caller needs (Basic credentials); None = the client authenticates itself.
    permission: Option<&'static str>,
    op: Op,
}

const fn route(method: Method, path: PathPattern, permission: Option<&'static str>, op: Op) -> Route {
    Route {
        method,
        path,
        permission,
        op,
    }
}

const ROUTES: &[Route] = &[
    route(
        Method::POST,
        PathPattern::Exact(DCR_PATH),
        Some(permissions::APPLICATIONS_CREATE),
        Op::Register,
    ),
    route(
        Method::GET,
        PathPattern::Exact(DCR_PATH),
        Some(permissions::APPLICATIONS_VIEW),
        Op::ReadByName,
    ),
    route(
        Method::GET,
        PathPattern::WithId(DCR_PATH),
        Some(permissions::APPLICATIONS_VIEW),
        Op::Read,
    ),
    route(
        Method::PUT,
        PathPattern::WithId(DCR_PATH),
        Some(permissions::APPLICATIONS_UPDATE),
        Op::Update,
    ),
    route(
        Method::DELETE,
        PathPattern::WithId(DCR_PATH),
        Some(permissions::APPLICATIONS_DELETE),
        Op::Delete,
    ),
    route(Method::POST, PathPattern::Exact(TOKEN_PATH), None, Op::Token),
    route(
        Method::POST,
        PathPattern::Exact(INTROSPECT_PATH),
        Some(permissions::APPLICATIONS_VIEW),
        Op::Introspect,
    ),
    route(Method::POST, PathPattern::Exact(REVOKE_PATH), None, Op::Revoke),
    route(Method::GET, PathPattern::Exact(JWKS_PATH), None, Op::Jwks),
    route(Method::GET, PathPattern::Exact(DISCOVERY_PATH), None, Op::Discovery),
    route(Method::GET, PathPattern::Exact(DISCOVERY_ALT_PATH), None, Op::Discovery),
    route(Method::GET, PathPattern::Exact(USERINFO_PATH), None, Op::Userinfo),
    route(Method::POST, PathPattern::Exact(USERINFO_PATH), None, Op::Userinfo),
];

/// Is `path` one of ours?
pub fn serves(path: &str) -> bool {
    ROUTES.iter().any(|r| r.path.matches(path).is_some())
}

/// Answer a request for a path [`serves`] accepts.
pub async fn handle(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    let path = req.uri().path().to_string();
    if scheme == Scheme::Http && !app.settings().admin_over_http {
        return response::text(
            StatusCode::FORBIDDEN,
            format!(
                "{path} answers on HTTPS only, as in WSO2 Identity Server: use {}{path}, or set [forcereset] \
                 allow_admin_services_over_http = true.\n",
                app.product_url()
            ),
        );
    }
    let matched = ROUTES
        .iter()
        .find_map(|r| (r.method == req.method()).then(|| r.path.matches(&path).map(|id| (r, id.to_string())))?);
    let Some((route, id)) = matched else {
        return response::method_not_allowed(allowed(&path));
    };
    // `/t/{domain}/oauth2/…` (rewritten by the routes): that tenant; None: the root URL.
    let url = req.extensions().get::<Tenant>().cloned();
    let at = url.clone().unwrap_or_else(crate::app::super_tenant);
    let actor = match route.permission {
        None => None,
        Some(permission) => {
            match caller(&app, req.headers().get(header::AUTHORIZATION).cloned(), permission, &at).await {
                Ok(actor) => Some(actor),
                Err(resp) => return resp,
            }
        }
    };
    let mut resp = match (route.op, actor) {
        (Op::Register, Some(actor)) => dcr::register(app, req, actor, &at).await,
        (Op::ReadByName, Some(actor)) => dcr::read_by_name(app, req, actor, &at).await,
        (Op::Read, Some(actor)) => dcr::read(app, id, actor, &at).await,
        (Op::Update, Some(actor)) => dcr::update(app, req, id, actor, &at).await,
        (Op::Delete, Some(actor)) => dcr::delete(app, id, actor).await,
        (Op::Introspect, Some(actor)) => token::introspect(app, req, actor, at).await,
        (Op::Token, _) => token::token(app, req, url).await,
        (Op::Revoke, _) => token::revoke(app, req, url).await,
        (Op::Jwks, _) => token::jwks(app).await,
        (Op::Discovery, _) => token::discovery(&app, &at),
        (Op::Userinfo, _) => token::userinfo(app, req, at).await,
        (_, None) => response::internal_error(),
    };
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

/// The `Allow` header for a path that exists but not with this method.
fn allowed(path: &str) -> &'static str {
    if PathPattern::WithId(DCR_PATH).matches(path).is_some() {
        "GET, PUT, DELETE"
    } else if path == DCR_PATH || path == USERINFO_PATH {
        "GET, POST"
    } else if [JWKS_PATH, DISCOVERY_PATH, DISCOVERY_ALT_PATH].contains(&path) {
        "GET, HEAD"
    } else {
        "POST"
    }
}

/// The user calling an admin API, by Basic credentials (carbon-auth-rest's valve): 401 without valid ones or as a
/// user of another tenant than the URL's `at` (`AuthorizationValve`; a bare name is a carbon.super name), 403
/// without the permission, nothing run.
async fn caller(
    app: &Arc<App>,
    authorization: Option<HeaderValue>,
    permission: &'static str,
    at: &Tenant,
) -> Result<Actor, HttpResponse> {
    let BasicCredentials::Credentials { username, password } = basic_auth::parse(authorization.as_ref()) else {
        return Err(basic_auth::unauthorized());
    };
    // A remembered password is checked on the reactor (no hand-off to a blocking thread and back); anything
    // slower (argon2, a write) goes to a blocking thread.
    let authenticated = match app.quick(|| app.authenticate_quick(&username, &password)) {
        Some(answer) => answer,
        None => blocking(app, move |app| app.authenticate(&username, &password)).await?,
    };
    let actor = match authenticated {
        Ok(actor) if actor.tenant() == at.id => actor,
        Ok(_) | Err(_) => return Err(basic_auth::unauthorized()),
    };
    if actor.has(permission) {
        Ok(actor)
    } else {
        Err(response::empty(StatusCode::FORBIDDEN))
    }
}

/// Run a blocking `App` call (SQLite, argon2) off the reactor.
async fn blocking<T, F>(app: &Arc<App>, f: F) -> Result<T, HttpResponse>
where
    T: Send + 'static,
    F: FnOnce(&App) -> T + Send + 'static,
{
    let app = app.clone();
    tokio::task::spawn_blocking(move || f(&app)).await.map_err(|e| {
        tracing::error!(error = %e, "oauth worker failed");
        response::internal_error()
    })
}

/// The parameters of a token-style request: a form, or (as WSO2 also takes) a flat JSON object. Repeated or
/// oversized parameters are refused here, before anything runs.
async fn read_params(req: Request<RequestBody>) -> Result<(hyper::HeaderMap, Params), ParamsError> {
    let (parts, body) = read_request_body(req).await.map_err(ParamsError::Body)?;
    let params = match media_type(&parts.headers).as_deref() {
        Some("application/json") => {
            let value: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&body)
                .map_err(|_| ParamsError::OAuth(OAuthError::invalid_request(text::MALFORMED_PAYLOAD)))?;
            let mut out = Vec::with_capacity(value.len());
            for (k, v) in value {
                match v {
                    serde_json::Value::String(s) => out.push((k, s)),
                    serde_json::Value::Number(n) => out.push((k, n.to_string())),
                    serde_json::Value::Bool(b) => out.push((k, b.to_string())),
                    _ => return Err(ParamsError::OAuth(OAuthError::invalid_request(text::MALFORMED_PAYLOAD))),
                }
            }
            Params(out)
        }
        _ => {
            if std::str::from_utf8(&body).is_err() {
                return Err(ParamsError::OAuth(OAuthError::invalid_request(text::MALFORMED_PAYLOAD)));
            }
            Params::from_urlencoded(&body)
        }
    };
    let mut names: Vec<&str> = params.0.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return Err(ParamsError::OAuth(OAuthError::invalid_request(
            text::REPEATED_PARAMETERS,
        )));
    }
    if let Some((name, _)) = params.0.iter().find(|(_, v)| v.chars().count() > MAX_PARAM_CHARS) {
        return Err(ParamsError::OAuth(OAuthError::invalid_request(format!(
            "The parameter {} is longer than {MAX_PARAM_CHARS} characters.",
            name.chars().take(64).collect::<String>()
        ))));
    }
    Ok((parts.headers, params))
}

/// Why parameters could not be read.
enum ParamsError {
    Body(BodyError),
    OAuth(OAuthError),
}

impl ParamsError {
    fn into_response(self) -> HttpResponse {
        match self {
            ParamsError::Body(e) => e.to_response(),
            ParamsError::OAuth(e) => error::oauth_json(&e, None),
        }
    }
}
