//! SCIM 2.0 under `/scim2` as WSO2 Identity Server serves it (Charon behind SCIM2's resources): users and groups
//! (roles) by their stable id, the forced reset as a PATCH or PUT of `forcePasswordReset`, `/Me`, and the discovery documents.
//! A thin adapter: [`ROUTES`] names each operation with the WSO2 permission it needs; a request is authenticated
//! (Basic, the same `App::authenticate` as the admin services), authorized, decoded, handed to the `App` use
//! case, and encoded; the SCIM rules are `domain::scim`, failures are mapped in [`error`] only.
//!
//! - [`users`]: `/Users`, `/Users/.search`, `/Users/{id}` and `/Me`. [`groups`]: `/Groups`, `/Groups/.search`,
//!   `/Groups/{id}`. [`bulk`]: `/Bulk`. [`discovery`]:
//!   `ServiceProviderConfig`, `ResourceTypes`, `Schemas`. [`error`]: Charon's error document and the auth layer's 401/403.

mod bulk;
mod discovery;
pub mod error;
mod groups;
mod users;

use std::sync::Arc;

use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, StatusCode};

use self::error::{Failure, SCIM_JSON};
use crate::app::TenantId;
use crate::app::{Actor, App, Tenant};
use crate::domain::permissions::{
    MANAGE_USERS, ROLES_CREATE, ROLES_DELETE, ROLES_UPDATE, ROLES_VIEW, USERS_CREATE, USERS_DELETE, USERS_LIST,
    USERS_UPDATE, USERS_VIEW,
};
use crate::domain::profile::scim::ScimProfile;
use crate::domain::secret::Secret;
use crate::http::basic_auth::{self, BasicCredentials};
use crate::http::request::{Params, RequestBody, read_request_body};
use crate::http::response::{self, HttpResponse};

pub const PREFIX: &str = "/scim2";

/// Is `path` SCIM's?
pub fn serves(path: &str) -> bool {
    path == PREFIX || path.starts_with("/scim2/")
}

/// What a route does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    CreateUser,
    ListUsers,
    SearchUsers,
    GetUser,
    ReplaceUser,
    PatchUser,
    DeleteUser,
    GetMe,
    CreateMe,
    ReplaceMe,
    PatchMe,
    DeleteMe,
    CreateGroup,
    ListGroups,
    SearchGroups,
    GetGroup,
    ReplaceGroup,
    PatchGroup,
    DeleteGroup,
    Bulk,
    ServiceProviderConfig,
    ResourceTypes,
    Schemas,
    Schema,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// No credentials needed (WSO2 leaves the discovery documents open).
    Open,
    /// Any authenticated user.
    Authenticated,
    /// A WSO2 permission path.
    Permission(&'static str),
}

/// One operation: method, path (`{id}` matches one segment), access, what it does.
#[derive(Debug)]
struct Route {
    method: Method,
    path: &'static str,
    access: Access,
    op: Op,
}

const fn route(method: Method, path: &'static str, access: Access, op: Op) -> Route {
    Route {
        method,
        path,
        access,
        op,
    }
}

/// Every SCIM operation with the permission CIF's `identity.xml` `<ResourceAccessControl>` gives it (5.11 on;
/// 5.10's `.search` difference is [`ScimProfile::search_needs_create`]).
const ROUTES: &[Route] = &[
    route(
        Method::POST,
        "/scim2/Users",
        Access::Permission(USERS_CREATE),
        Op::CreateUser,
    ),
    route(
        Method::GET,
        "/scim2/Users",
        Access::Permission(USERS_LIST),
        Op::ListUsers,
    ),
    route(
        Method::POST,
        "/scim2/Users/.search",
        Access::Permission(USERS_LIST),
        Op::SearchUsers,
    ),
    route(
        Method::GET,
        "/scim2/Users/{id}",
        Access::Permission(USERS_VIEW),
        Op::GetUser,
    ),
    route(
        Method::PUT,
        "/scim2/Users/{id}",
        Access::Permission(USERS_UPDATE),
        Op::ReplaceUser,
    ),
    route(
        Method::PATCH,
        "/scim2/Users/{id}",
        Access::Permission(USERS_UPDATE),
        Op::PatchUser,
    ),
    route(
        Method::DELETE,
        "/scim2/Users/{id}",
        Access::Permission(USERS_DELETE),
        Op::DeleteUser,
    ),
    route(Method::GET, "/scim2/Me", Access::Authenticated, Op::GetMe),
    // Self-registration with an admin's credentials (product-is `SCIM2MeTestCase#testCreateMe`).
    route(
        Method::POST,
        "/scim2/Me",
        Access::Permission(USERS_CREATE),
        Op::CreateMe,
    ),
    route(Method::PUT, "/scim2/Me", Access::Authenticated, Op::ReplaceMe),
    route(Method::PATCH, "/scim2/Me", Access::Authenticated, Op::PatchMe),
    route(
        Method::DELETE,
        "/scim2/Me",
        Access::Permission(USERS_DELETE),
        Op::DeleteMe,
    ),
    // Groups are user-store roles: `rolemgt/*` (CIF `identity.xml.j2` `(.*)/scim2/Groups(.*)`; `.search` under
    // `rolemgt/view` from 5.11, `rolemgt/create` in 5.10: [`ScimProfile::search_needs_create`]).
    route(
        Method::POST,
        "/scim2/Groups",
        Access::Permission(ROLES_CREATE),
        Op::CreateGroup,
    ),
    route(
        Method::GET,
        "/scim2/Groups",
        Access::Permission(ROLES_VIEW),
        Op::ListGroups,
    ),
    route(
        Method::POST,
        "/scim2/Groups/.search",
        Access::Permission(ROLES_VIEW),
        Op::SearchGroups,
    ),
    route(
        Method::GET,
        "/scim2/Groups/{id}",
        Access::Permission(ROLES_VIEW),
        Op::GetGroup,
    ),
    route(
        Method::PUT,
        "/scim2/Groups/{id}",
        Access::Permission(ROLES_UPDATE),
        Op::ReplaceGroup,
    ),
    route(
        Method::PATCH,
        "/scim2/Groups/{id}",
        Access::Permission(ROLES_UPDATE),
        Op::PatchGroup,
    ),
    route(
        Method::DELETE,
        "/scim2/Groups/{id}",
        Access::Permission(ROLES_DELETE),
        Op::DeleteGroup,
    ),
    route(Method::POST, "/scim2/Bulk", Access::Permission(MANAGE_USERS), Op::Bulk),
    route(
        Method::GET,
        "/scim2/ServiceProviderConfig",
        Access::Open,
        Op::ServiceProviderConfig,
    ),
    route(Method::GET, "/scim2/ResourceTypes", Access::Open, Op::ResourceTypes),
    route(Method::GET, "/scim2/Schemas", Access::Authenticated, Op::Schemas),
    route(Method::GET, "/scim2/Schemas/{id}", Access::Authenticated, Op::Schema),
];

/// The route for a method and path, and the `{id}` it matched.
fn find(method: &Method, path: &str) -> Option<(&'static Route, Option<String>)> {
    let path = path.trim_end_matches('/');
    ROUTES
        .iter()
        .filter(|r| r.method == *method)
        .find_map(|r| match r.path.strip_suffix("/{id}") {
            Some(prefix) => {
                let id = path.strip_prefix(prefix)?.strip_prefix('/')?;
                (!id.is_empty() && !id.contains('/') && !id.starts_with('.')).then(|| (r, Some(id.to_string())))
            }
            None => (r.path == path).then_some((r, None)),
        })
}

/// A decoded request, as an operation sees it.
pub(crate) struct Call {
    op: Op,
    id: Option<String>,
    query: Params,
    body: bytes::Bytes,
    /// Where the resources' `meta.location` starts: the server, and `/t/{domain}` in a tenant (WSO2's
    /// `SCIMCommonUtils.getSCIMUserURL` builds it tenant-qualified).
    base: String,
}

/// What an operation answers: status, body, and the resource's location if it names one.
pub(crate) struct Answer {
    status: StatusCode,
    body: Option<serde_json::Value>,
    location: Option<String>,
}

impl Answer {
    fn ok(body: serde_json::Value) -> Answer {
        Answer {
            status: StatusCode::OK,
            body: Some(body),
            location: None,
        }
    }
}

pub async fn handle(app: Arc<App>, req: Request<RequestBody>) -> HttpResponse {
    let profile = app.profile().scim.clone();
    let host = host_of(&app.product_url());
    let Some((route, id)) = find(req.method(), req.uri().path()) else {
        return if ROUTES.iter().any(|r| find(&r.method, req.uri().path()).is_some()) {
            response::method_not_allowed("GET, POST, PUT, PATCH, DELETE")
        } else {
            error::document(
                StatusCode::NOT_FOUND,
                None,
                "Specified resource (e.g., User) or endpoint does not exist.",
            )
        };
    };
    let credentials = basic_auth::parse(req.headers().get(header::AUTHORIZATION));
    // `/t/{domain}/scim2/…` (rewritten by the routes); none: the super tenant.
    let url_tenant = req.extensions().get::<Tenant>().cloned();
    let tenant = url_tenant.as_ref().map_or(TenantId::SUPER, |t| t.id);
    let base = match url_tenant.filter(|t| t.id != TenantId::SUPER) {
        Some(t) => format!("{}/t/{}", app.product_url(), t.domain),
        None => app.product_url(),
    };
    if let Err(f) = check_media_types(req.headers(), &req.method().clone()) {
        return finish(error::respond(f, &profile, None, &host), &profile);
    }
    let query = Params::from_query(req.uri());
    let body = match read_request_body(req).await {
        Ok((_, body)) => body,
        Err(e) => return e.to_response(),
    };
    let call = Call {
        op: route.op,
        id,
        query,
        body,
        base,
    };
    let access = match (route.op, route.access) {
        (Op::SearchUsers, Access::Permission(_)) if profile.search_needs_create => Access::Permission(USERS_CREATE),
        (Op::SearchGroups, Access::Permission(_)) if profile.search_needs_create => Access::Permission(ROLES_CREATE),
        (_, access) => access,
    };
    let worker_profile = profile.clone();
    let outcome =
        tokio::task::spawn_blocking(move || run(&app, tenant, access, credentials, &call, &worker_profile)).await;
    let resp = match outcome {
        Ok(Ok(answer)) => encode(answer),
        Ok(Err((failure, user))) => error::respond(failure, &profile, user.as_deref(), &host),
        Err(e) => {
            tracing::error!(error = %e, "SCIM worker failed");
            error::document(StatusCode::INTERNAL_SERVER_ERROR, None, "An internal error.")
        }
    };
    finish(resp, &profile)
}

/// The host name in the product URL (`https://host:port`).
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split([':', '/']).next().unwrap_or("localhost").to_string()
}

/// 6.0 on: every response carries a correlation id.
fn finish(mut resp: HttpResponse, profile: &ScimProfile) -> HttpResponse {
    if profile.trace_id_header {
        let id = crate::util::uuid_v4(&mut rand::rng());
        if let Ok(v) = HeaderValue::from_str(&id) {
            resp.headers_mut().insert("x-wso2-traceid", v);
        }
    }
    resp
}

fn encode(answer: Answer) -> HttpResponse {
    let mut resp = match answer.body {
        Some(body) => response::with_body(
            answer.status,
            HeaderValue::from_static(SCIM_JSON),
            serde_json::to_vec(&body).unwrap_or_default(),
        ),
        None => response::empty(answer.status),
    };
    if let Some(location) = answer.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        resp.headers_mut().insert(header::LOCATION, location);
    }
    resp
}

/// Is a media type one SCIM takes (`AbstractResource#isValidInputFormat`): JSON, SCIM JSON or a wildcard,
/// with or without parameters?
fn is_json(value: &str) -> bool {
    value.split(',').any(|entry| {
        let mime = entry.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        matches!(
            mime.as_str(),
            "application/json" | "application/scim+json" | "*/*" | "application/*"
        )
    })
}

/// SCIM2's media type checks: a body needs a JSON `Content-Type` (406 otherwise, as WSO2), and an `Accept` must
/// allow JSON.
fn check_media_types(headers: &hyper::HeaderMap, method: &Method) -> Result<(), Failure> {
    if matches!(*method, Method::POST | Method::PUT | Method::PATCH) {
        match headers
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or_default())
        {
            None => {
                return Err(Failure::status(
                    StatusCode::NOT_ACCEPTABLE,
                    "Content-Type not present in the request header",
                ));
            }
            Some(ct) if !is_json(ct) => {
                return Err(Failure::status(
                    StatusCode::NOT_ACCEPTABLE,
                    format!("{ct} is not supported."),
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(accept) = headers.get(header::ACCEPT).map(|v| v.to_str().unwrap_or_default())
        && !is_json(accept)
    {
        return Err(Failure::status(
            StatusCode::NOT_ACCEPTABLE,
            format!("{accept} is not supported."),
        ));
    }
    Ok(())
}

type Refusal = (Failure, Option<String>);

/// On a blocking thread: authenticate (argon2), authorize, run.
fn run(
    app: &App,
    tenant: TenantId,
    access: Access,
    credentials: BasicCredentials,
    call: &Call,
    profile: &ScimProfile,
) -> Result<Answer, Refusal> {
    let actor = match (access, credentials) {
        (Access::Open, _) => Actor::System,
        (_, BasicCredentials::Credentials { username, password }) => authenticate(app, &username, &password)?,
        (_, BasicCredentials::Missing | BasicCredentials::Malformed) => return Err((Failure::Unauthenticated, None)),
    };
    let user = match &actor {
        Actor::User { name, .. } => Some(name.clone()),
        Actor::System | Actor::SystemIn(_) => None,
    };
    // A user of another tenant than the URL's is not authenticated here (AUTHREST `AuthorizationValve`: 401).
    if access != Access::Open && actor.tenant() != tenant {
        return Err((Failure::Unauthenticated, user));
    }
    if let Access::Permission(p) = access
        && !actor.has(p)
    {
        return Err((Failure::Forbidden, user));
    }
    dispatch(app, &actor, call, profile).map_err(|f| (f, user))
}

fn authenticate(app: &App, username: &str, password: &Secret) -> Result<Actor, Refusal> {
    app.authenticate(username, password)
        .map_err(|_| (Failure::Unauthenticated, Some(username.to_string())))
}

fn dispatch(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile) -> Result<Answer, Failure> {
    match call.op {
        Op::CreateUser | Op::CreateMe => users::create(app, actor, call, profile),
        Op::ListUsers => users::list(app, actor, call, profile),
        Op::SearchUsers => users::search(app, actor, call, profile),
        Op::GetUser => users::get(app, actor, call, profile),
        Op::ReplaceUser => users::replace(app, actor, call, profile),
        Op::PatchUser => users::patch(app, actor, call, profile),
        Op::DeleteUser => users::delete(app, actor, call),
        Op::GetMe => users::get_me(app, actor, call, profile),
        Op::ReplaceMe => users::replace_me(app, actor, call, profile),
        Op::PatchMe => users::patch_me(app, actor, call, profile),
        Op::DeleteMe => users::delete_me(app, actor, profile),
        Op::CreateGroup => groups::create(app, actor, call),
        Op::ListGroups => groups::list(app, actor, call, profile),
        Op::SearchGroups => groups::search(app, actor, call, profile),
        Op::GetGroup => groups::get(app, actor, call),
        Op::ReplaceGroup => groups::replace(app, actor, call),
        Op::PatchGroup => groups::patch(app, actor, call),
        Op::DeleteGroup => groups::delete(app, actor, call),
        Op::Bulk => bulk::run(app, actor, call, profile),
        Op::ServiceProviderConfig => Ok(discovery::service_provider_config(app, profile)),
        Op::ResourceTypes => Ok(discovery::resource_types(app, profile)),
        Op::Schemas => Ok(discovery::schemas(profile)),
        Op::Schema => discovery::schema(profile, call.id.as_deref().unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_ids_and_nothing_else() {
        let (r, id) = find(&Method::GET, "/scim2/Users/abc").expect("routed");
        assert_eq!((r.op, id.as_deref()), (Op::GetUser, Some("abc")));
        assert_eq!(
            find(&Method::POST, "/scim2/Users/.search").map(|(r, _)| r.op),
            Some(Op::SearchUsers)
        );
        assert!(find(&Method::GET, "/scim2/Users/a/b").is_none());
        assert!(find(&Method::POST, "/scim2/Users/abc").is_none());
        assert_eq!(
            find(&Method::GET, "/scim2/Users/").map(|(r, _)| r.op),
            Some(Op::ListUsers)
        );
        assert!(is_json("application/scim+json; charset=UTF-8"));
        assert!(is_json("text/html, application/json"));
        assert!(!is_json("text/plain"));
        assert_eq!(host_of("https://localhost:9443"), "localhost");
    }
}
