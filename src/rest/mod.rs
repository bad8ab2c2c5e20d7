//! The REST APIs under `/api` (also under `/t/carbon.super/api`): WSO2's identity-governance API
//! (`/api/server/v1/identity-governance`, [`governance`]), the user API's `resend-code` ([`user`]) and the e-mail
//! template API (`/api/server/v1/email/template-types`, [`email_templates`]) and tenant management
//! (`/api/server/v1/tenants`, [`tenants`]).
//!
//! One table of operations, [`OPS`]: a row per method and path pattern, with the permission WSO2's
//! `identity.xml.j2` binds to it, the releases that ship it and its handler. Every request passes the same steps,
//! in WSO2's order: HTTPS (as the admin services, unless `allow_admin_services_over_http`); Basic authentication
//! (the REST auth valve, which runs before any routing: a bad caller gets its 401 whatever the path); the route
//! (404 for an unknown path or one the release does not ship, 405 for a known path with another method); the
//! row's permission (the valve's 403); then the handler, on a blocking thread, which decodes, calls one `App` use
//! case and encodes. Refusals and errors are [`error`]'s, the one place a `DomainError` becomes a REST answer.
//!
//! To add an API: its mount to [`MOUNTS`], its rows to [`OPS`], its handlers in a module of its own returning
//! [`Reply`] or [`error::ApiError`].

mod email_templates;
mod error;
mod governance;
mod tenants;
mod user;

use std::sync::Arc;

use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, StatusCode};
use serde::Serialize;

use crate::app::TenantId;
use crate::app::{Actor, App, Tenant};
use crate::domain::profile::Profile;
use crate::domain::tenant::SUPER_DOMAIN;
use crate::http::basic_auth::{self, BasicCredentials};
use crate::http::request::{HeadRequest, Params, RequestBody, Scheme, read_request_body};
use crate::http::response::{self, HttpResponse};
use error::Failure;

/// The APIs this adapter answers: a path is ours if it is one of these or below one.
pub const MOUNTS: [&str; 4] = [
    governance::BASE,
    user::RESEND_CODE,
    email_templates::BASE,
    tenants::BASE,
];

/// Is `path` one of ours?
pub fn serves(path: &str) -> bool {
    MOUNTS
        .iter()
        .any(|m| path == *m || path.strip_prefix(m).is_some_and(|rest| rest.starts_with('/')))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Get,
    Post,
    Patch,
    Put,
    Delete,
    Head,
}

impl Verb {
    fn of(method: &Method) -> Option<Verb> {
        match *method {
            Method::GET => Some(Verb::Get),
            Method::POST => Some(Verb::Post),
            Method::PATCH => Some(Verb::Patch),
            Method::PUT => Some(Verb::Put),
            Method::DELETE => Some(Verb::Delete),
            Method::HEAD => Some(Verb::Head),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Patch => "PATCH",
            Verb::Put => "PUT",
            Verb::Delete => "DELETE",
            Verb::Head => "HEAD",
        }
    }
}

/// What a row needs of an authenticated caller.
#[derive(Clone, Copy)]
enum Need {
    /// A WSO2 permission path.
    Permission(&'static str),
    /// The permission, if any, the release asks for (`None`: being authenticated is enough).
    PerRelease(fn(&Profile) -> Option<&'static str>),
}

/// One operation: method, path pattern (`{name}` matches one segment), what it needs, which releases ship it, and
/// its handler.
struct Op {
    verb: Verb,
    path: &'static str,
    need: Need,
    shipped: fn(&Profile) -> bool,
    handler: Handler,
}

type Handler = fn(&Cx<'_>) -> Result<Reply, Failure>;

/// A row, as the API modules write them: `Op::new(Verb::Get, path, need, shipped, handler)`.
impl Op {
    const fn new(verb: Verb, path: &'static str, need: Need, shipped: fn(&Profile) -> bool, handler: Handler) -> Op {
        Op {
            verb,
            path,
            need,
            shipped,
            handler,
        }
    }
}

/// Every REST operation. Order matters only where two patterns match one path: the first wins
/// (`/identity-governance/preferences` is the POST before `{category-id}`'s GET).
const OPS: &[Op] = &[
    governance::LIST,
    governance::PREFERENCES,
    governance::CATEGORY,
    governance::CONNECTORS,
    governance::PATCH_CONNECTORS,
    governance::CONNECTOR,
    governance::PATCH_CONNECTOR,
    user::RESEND,
    email_templates::LIST,
    email_templates::ADD_TYPE,
    email_templates::GET_TYPE,
    email_templates::ADD_TEMPLATE,
    email_templates::PUT_TYPE,
    email_templates::DELETE_TYPE,
    email_templates::LIST_TEMPLATES,
    email_templates::GET_TEMPLATE,
    email_templates::PUT_TEMPLATE,
    email_templates::DELETE_TEMPLATE,
    tenants::LIST,
    tenants::ADD,
    tenants::GET_BY_DOMAIN,
    tenants::HEAD_BY_DOMAIN,
    tenants::GET,
    tenants::LIFECYCLE,
    tenants::OWNERS,
];

/// What a handler has: the app, the authenticated caller, the path's `{name}` values, the query, the body and
/// this request's correlation id (`traceId`).
struct Cx<'a> {
    app: &'a App,
    actor: &'a Actor,
    params: PathParams,
    query: Params,
    body: Bytes,
    trace_id: String,
    /// The tenant of the URL (and so of the actor).
    tenant: &'a Tenant,
}

impl Cx<'_> {
    /// A path parameter of the row's pattern (always there: the pattern matched).
    fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn profile(&self) -> &Profile {
        self.app.profile()
    }
}

/// A successful answer.
enum Reply {
    /// A JSON body, compact (the JAX-RS providers' form).
    Json(StatusCode, Vec<u8>),
    /// No body.
    Empty(StatusCode),
    /// 201 with a `Location` (absolute) and a JSON body.
    Created(String, Vec<u8>),
    /// This status with a `Location` (absolute) and no body (JAX-RS `Response.created(uri).build()`).
    Located(StatusCode, String),
}

impl Reply {
    fn ok_json(value: &impl Serialize) -> Result<Reply, Failure> {
        Ok(Reply::Json(StatusCode::OK, json_bytes(value)?))
    }
}

/// Encode a response body; a failure here is a bug, logged and answered as an internal error.
fn json_bytes(value: &impl Serialize) -> Result<Vec<u8>, Failure> {
    serde_json::to_vec(value).map_err(|e| {
        tracing::error!(error = %e, "cannot encode a REST response");
        Failure::Internal
    })
}

/// Does `pattern` match `path`? The `{name}` values if so.
fn matches(pattern: &'static str, path: &str) -> Option<PathParams> {
    let mut params = Vec::new();
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return Some(params),
            (Some(w), Some(g)) => {
                if let Some(name) = w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                    if g.is_empty() {
                        return None;
                    }
                    params.push((name, g.to_string()));
                } else if w != g {
                    return None;
                }
            }
            // CXF ignores one trailing slash (WSO2's own tests PATCH `…/connectors/`).
            (None, Some("")) if got.next().is_none() => return Some(params),
            _ => return None,
        }
    }
}

/// A path's `{name}` values.
type PathParams = Vec<(&'static str, String)>;

/// Why no row answers: no pattern matches (404), or some do with other methods (405, these).
#[derive(Debug, PartialEq, Eq)]
struct NoRoute {
    allowed: Vec<&'static str>,
}

impl NoRoute {
    fn response(&self) -> HttpResponse {
        if self.allowed.is_empty() {
            // What CXF answers for a path no resource of the release has: 404, no body.
            return response::empty(StatusCode::NOT_FOUND);
        }
        let mut resp = response::empty(StatusCode::METHOD_NOT_ALLOWED);
        if let Ok(v) = HeaderValue::from_str(&self.allowed.join(", ")) {
            resp.headers_mut().insert(header::ALLOW, v);
        }
        resp
    }
}

/// The row for a request, and its path's values. A HEAD with no row of its own runs the GET (JAX-RS), its body
/// dropped by the HTTP layer.
fn route(profile: &Profile, verb: Option<Verb>, path: &str) -> Result<(&'static Op, PathParams), NoRoute> {
    let found = route_exactly(profile, verb, path);
    match (found, verb) {
        (Err(_), Some(Verb::Head)) => route_exactly(profile, Some(Verb::Get), path),
        (found, _) => found,
    }
}

fn route_exactly(profile: &Profile, verb: Option<Verb>, path: &str) -> Result<(&'static Op, PathParams), NoRoute> {
    let mut allowed = Vec::new();
    for op in OPS.iter().filter(|op| (op.shipped)(profile)) {
        if let Some(params) = matches(op.path, path) {
            if Some(op.verb) == verb {
                return Ok((op, params));
            }
            allowed.push(op.verb.name());
        }
    }
    allowed.dedup();
    Err(NoRoute { allowed })
}

/// Handle a request for a path [`serves`] accepts.
pub async fn handle(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    let path = req.uri().path().to_string();
    // `/t/{domain}/api/…` (rewritten by the routes); none: the super tenant.
    let tenant = req.extensions().get::<Tenant>().cloned().unwrap_or(Tenant {
        id: TenantId::SUPER,
        domain: SUPER_DOMAIN.to_string(),
    });
    if scheme == Scheme::Http && !app.settings().admin_over_http {
        return response::text(
            StatusCode::FORBIDDEN,
            format!(
                "The REST APIs answer on HTTPS only, as in WSO2 Identity Server: use {}{path}, or set [forcereset] \
                 allow_admin_services_over_http = true.\n",
                app.product_url()
            ),
        );
    }
    let credentials = basic_auth::parse(req.headers().get(header::AUTHORIZATION));
    // The HTTP layer hands a HEAD over as a GET, marked.
    let verb = match Verb::of(req.method()) {
        Some(Verb::Get) if req.extensions().get::<HeadRequest>().is_some() => Some(Verb::Head),
        other => other,
    };
    let query = Params::from_query(req.uri());
    let (_, body) = match read_request_body(req).await {
        Ok(pb) => pb,
        Err(e) => return e.to_response(),
    };
    let trace_id = crate::util::uuid_v4(&mut rand::rng());
    let worker = app.clone();
    let answered = tokio::task::spawn_blocking(move || {
        let app = &*worker;
        let actor = match credentials {
            BasicCredentials::Credentials { username, password } => match app.authenticate(&username, &password) {
                Ok(actor) => actor,
                Err(e) => return error::answer(app, &trace_id, Failure::from_domain(&e, &username)),
            },
            BasicCredentials::Missing | BasicCredentials::Malformed => {
                return error::answer(app, &trace_id, Failure::Unauthenticated);
            }
        };
        // A user of another tenant than the URL's is not authenticated here (AUTHREST `AuthorizationValve`:
        // 401, not 403; a bare name is a carbon.super name).
        if actor.tenant() != tenant.id {
            return error::answer(app, &trace_id, Failure::Unauthenticated);
        }
        let (op, params) = match route(app.profile(), verb, &path) {
            Ok(found) => found,
            Err(none) => return none.response(),
        };
        let permission = match op.need {
            Need::Permission(p) => Some(p),
            Need::PerRelease(of) => of(app.profile()),
        };
        if let Some(Err(e)) = permission.map(|p| actor.require(p)) {
            return error::answer(app, &trace_id, Failure::from_domain(&e, actor.name()));
        }
        let cx = Cx {
            app,
            actor: &actor,
            params,
            query,
            body,
            trace_id: trace_id.clone(),
            tenant: &tenant,
        };
        match (op.handler)(&cx) {
            Ok(Reply::Json(status, body)) => {
                response::with_body(status, HeaderValue::from_static("application/json"), body)
            }
            Ok(Reply::Empty(status)) => response::empty(status),
            Ok(Reply::Created(location, body)) => {
                let mut resp =
                    response::with_body(StatusCode::CREATED, HeaderValue::from_static("application/json"), body);
                if let Ok(v) = HeaderValue::from_str(&location) {
                    resp.headers_mut().insert(header::LOCATION, v);
                }
                resp
            }
            Ok(Reply::Located(status, location)) => {
                let mut resp = response::empty(status);
                if let Ok(v) = HeaderValue::from_str(&location) {
                    resp.headers_mut().insert(header::LOCATION, v);
                }
                resp
            }
            Err(failure) => error::answer(app, &trace_id, failure),
        }
    })
    .await;
    answered.unwrap_or_else(|e| {
        tracing::error!(error = %e, "REST worker failed");
        response::internal_error()
    })
}

#[cfg(test)]
mod tests;
