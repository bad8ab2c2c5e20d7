//! `/services/<Name>…`, the HTTP side of the admin services: WSDL/XSD serving, and calls. The caller is resolved
//! to an [`Actor`] here, from Basic credentials or the `JSESSIONID` session, before the operation runs; a Basic
//! caller gets a new session, as Carbon gives one. The SOAP work runs on a blocking thread (SQLite writes,
//! argon2), except a session caller's bounded read ([`soap::Prepared::is_quick`]), which runs here inside
//! [`App::quick`].

use std::sync::Arc;

use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, StatusCode};

use crate::app::{Actor, App, Session, Tenant};
use crate::domain::DomainError;
use crate::domain::secret::Secret;
use crate::http::basic_auth::{self, BasicCredentials};
use crate::http::cookie::{self, SetCookie};
use crate::http::request::{Params, RequestBody, Scheme, read_request_body};
use crate::http::response::{self, HttpResponse};
use crate::soap::wsdl::{self, XsdRequest};
use crate::soap::{self, Call, Reply, Service};
use crate::store::TenantId;

/// The session cookie Carbon issues after a successful Basic authentication.
pub const SESSION_COOKIE: &str = "JSESSIONID";

/// Where a `/services/…` path points.
#[derive(Debug, PartialEq, Eq)]
struct Target<'a> {
    service: Service,
    /// The operation named in the path (HTTP binding), if any.
    operation: Option<&'a str>,
}

/// Parse `/services/Svc`, `/services/Svc.SvcHttpsSoap11Endpoint/`, `…HttpsSoap12Endpoint/`,
/// `…HttpsEndpoint/<op>` and `/services/Svc/<op>`. Err carries the unknown service name.
fn target(path: &str) -> Result<Target<'_>, &str> {
    let rest = path.strip_prefix("/services/").unwrap_or("");
    let (head, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let (name, endpoint) = head.split_once('.').unwrap_or((head, ""));
    let service = Service::from_name(name).ok_or(name)?;
    let endpoint_ok = endpoint.is_empty()
        || [
            format!("{name}HttpsSoap11Endpoint"),
            format!("{name}HttpsSoap12Endpoint"),
            format!("{name}HttpsEndpoint"),
            format!("{name}HttpSoap11Endpoint"),
            format!("{name}HttpSoap12Endpoint"),
            format!("{name}HttpEndpoint"),
        ]
        .contains(&endpoint.to_string());
    if !endpoint_ok {
        return Err(name);
    }
    let operation = Some(tail.trim_end_matches('/')).filter(|t| !t.is_empty());
    Ok(Target { service, operation })
}

fn not_found(name: &str, what: &str) -> HttpResponse {
    let name = crate::soap::xml::escape(name);
    response::html(
        StatusCode::NOT_FOUND,
        format!("<html><body><h4>Service {name} not found. Cannot display {what}.</h4></body></html>"),
    )
}

/// Handle anything under `/services/`.
pub async fn handle(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    let path = req.uri().path().to_string();
    let target = match target(&path) {
        Ok(t) => t,
        Err(name) => return not_found(name, "WSDL document"),
    };
    let service = target.service;
    if scheme == Scheme::Http && !app.settings().admin_over_http {
        return response::text(
            StatusCode::FORBIDDEN,
            format!(
                "{} is an admin service and answers on HTTPS only, as in WSO2 Identity Server: use {}{}, \
                 or set [forcereset] allow_admin_services_over_http = true.\n",
                service.name(),
                app.product_url(),
                path
            ),
        );
    }
    let operation = target.operation.map(str::to_string);
    let method = req.method().clone();
    if method == Method::GET {
        metadata(&app, service, &Params::from_query(req.uri()))
    } else if method == Method::POST {
        call(app, req, operation, service, scheme).await
    } else {
        response::method_not_allowed("GET, POST")
    }
}

/// `?wsdl`, `?wsdl2` and `?xsd[=xsdN]`.
fn metadata(app: &App, service: Service, params: &Params) -> HttpResponse {
    let has = |k: &str| params.0.iter().any(|(name, _)| name == k);
    if has("wsdl") || has("wsdl2") {
        if !app.settings().wsdl_enabled {
            return response::html(
                StatusCode::FORBIDDEN,
                format!(
                    "<html><body><h4>Access to service metadata for service: {} has been forbidden</h4></body></html>",
                    service.name()
                ),
            );
        }
        let host_port = app.product_url().trim_start_matches("https://").to_string();
        return response::xml(StatusCode::OK, wsdl::wsdl(service, &host_port));
    }
    if has("xsd") {
        let request = match params.get("xsd") {
            Some("") | None => XsdRequest::Index,
            Some(id) => XsdRequest::Numbered(id),
        };
        return match wsdl::xsd(service, request) {
            Some(doc) => response::xml(StatusCode::OK, doc),
            None => not_found(service.name(), "Schema"),
        };
    }
    response::html(
        StatusCode::OK,
        format!(
            "<html><body><h4>{0}</h4><p>An admin service of WSO2 Identity Server (forcereset). \
             Its WSDL is at <a href=\"{0}?wsdl\">{0}?wsdl</a>.</p></body></html>",
            service.name()
        ),
    )
}

fn header_text(headers: &hyper::HeaderMap, name: header::HeaderName) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// Who is calling, as the request says.
enum Caller {
    /// Basic credentials, still to be verified.
    Basic { username: String, password: Secret },
    /// A live session, opened by an earlier call.
    Session(Session),
}

async fn call(
    app: Arc<App>,
    req: Request<RequestBody>,
    operation: Option<String>,
    service: Service,
    scheme: Scheme,
) -> HttpResponse {
    let caller = match basic_auth::parse(req.headers().get(header::AUTHORIZATION)) {
        BasicCredentials::Credentials { username, password } => Caller::Basic { username, password },
        BasicCredentials::Missing | BasicCredentials::Malformed => {
            match cookie::value(req.headers(), SESSION_COOKIE).and_then(|t| app.session(&t)) {
                Some(session) => Caller::Session(session),
                // WSO2 answers a call with no (or empty) credentials with a bare 401 challenge.
                None => return basic_auth::unauthorized(),
            }
        }
    };
    // A `/t/{domain}/services/…` request: routes resolved the tenant (absent: the super tenant's URL).
    let addressed = req.extensions().get::<Tenant>().cloned();
    let (parts, body) = match read_request_body(req).await {
        Ok(pb) => pb,
        Err(e) => return e.to_response(),
    };
    let content_type = header_text(&parts.headers, header::CONTENT_TYPE);
    let soap_action = header_text(&parts.headers, header::HeaderName::from_static("soapaction"))
        .or_else(|| content_type.as_deref().and_then(soap::envelope::soap12_action));
    let request = Incoming {
        service,
        operation,
        soap_action,
        content_type,
        body,
    };
    let (reply, opened) = match caller {
        Caller::Session(session) => (
            session_call(&app, &session, addressed.as_ref(), request.call()).await,
            None,
        ),
        Caller::Basic { username, password } => {
            // An unauthenticated body (up to the size limit, hostile perhaps) is parsed on a blocking thread.
            let worker_app = app.clone();
            let call = move || basic_call(&worker_app, &username, &password, addressed.as_ref(), request.call());
            match blocking(call).await {
                Some((reply, user)) => (Some(reply), user),
                None => (None, None),
            }
        }
    };
    let Some(reply) = reply else {
        return response::internal_error();
    };
    let mut resp = match reply {
        Reply::Accepted => response::empty(StatusCode::ACCEPTED),
        Reply::Response { content_type, body } => {
            response::with_body(StatusCode::OK, HeaderValue::from_static(content_type), body)
        }
        Reply::Fault { content_type, body } => response::with_body(
            StatusCode::INTERNAL_SERVER_ERROR,
            HeaderValue::from_static(content_type),
            body,
        ),
    };
    // Carbon opens an HTTP session for every successful Basic authentication; its cookie lets the client skip
    // the password on its next calls.
    if let Some((tenant, user)) = opened {
        let token = app.open_session(tenant, &user);
        SetCookie {
            name: SESSION_COOKIE,
            value: token.as_str(),
            path: "/",
            same_site: None,
        }
        .set(&mut resp, scheme);
    }
    resp
}

/// A Basic caller's call, on a blocking thread: read the envelope, authenticate (argon2), run. The user's name
/// when the credentials were good, so that a session can be opened.
fn basic_call(
    app: &App,
    username: &str,
    password: &Secret,
    addressed: Option<&Tenant>,
    call: Call<'_>,
) -> (Reply, Option<(TenantId, String)>) {
    let prepared = match soap::prepare(call, app.profile()) {
        Ok(p) => p,
        Err(reply) => return (reply, None),
    };
    match app.authenticate(username, password) {
        Ok(actor) => {
            let user = (actor.tenant(), actor.name().to_string());
            (soap::execute(app, &actor, addressed, prepared), Some(user))
        }
        Err(e) => (prepared.refuse(&e), None),
    }
}

/// The actor behind a session, or the authentication fault (the session's user is gone).
fn session_actor(app: &App, session: &Session) -> Result<Actor, DomainError> {
    app.session_actor(session)?.ok_or(DomainError::InvalidCredentials)
}

/// An admin-service request as read from the wire, owned so that it can move to a blocking thread.
struct Incoming {
    service: Service,
    operation: Option<String>,
    soap_action: Option<String>,
    content_type: Option<String>,
    body: bytes::Bytes,
}

impl Incoming {
    fn call(&self) -> Call<'_> {
        Call {
            service: self.service,
            path_operation: self.operation.as_deref(),
            soap_action: self.soap_action.as_deref(),
            content_type: self.content_type.as_deref(),
            body: &self.body,
        }
    }
}

/// A session caller's call: parsed here; a bounded read ([`soap::Prepared::is_quick`]) runs here too, which is
/// cheaper than the hand-off to a blocking thread and back (two thread wake-ups); anything else goes to a blocking
/// thread.
async fn session_call(app: &Arc<App>, session: &Session, addressed: Option<&Tenant>, call: Call<'_>) -> Option<Reply> {
    let prepared = match soap::prepare(call, app.profile()) {
        Ok(p) => p,
        Err(reply) => return Some(reply),
    };
    if prepared.is_quick() {
        return Some(app.quick(|| match session_actor(app, session) {
            Ok(actor) => soap::execute(app, &actor, addressed, prepared),
            Err(e) => prepared.refuse(&e),
        }));
    }
    let (worker_app, session, addressed) = (app.clone(), session.clone(), addressed.cloned());
    blocking(move || match session_actor(&worker_app, &session) {
        Ok(actor) => soap::execute(&worker_app, &actor, addressed.as_ref(), prepared),
        Err(e) => prepared.refuse(&e),
    })
    .await
}

/// Run `f` on tokio's blocking pool; None (logged) if it panicked.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(reply) => Some(reply),
        Err(e) => {
            tracing::error!(error = %e, "admin service worker failed");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_paths_name_the_service_and_operation() {
        let t = |p| target(p);
        assert_eq!(
            t("/services/UserProfileMgtService"),
            Ok(Target {
                service: Service::UserProfileMgt,
                operation: None
            })
        );
        assert_eq!(
            t("/services/UserProfileMgtService.UserProfileMgtServiceHttpsSoap11Endpoint/"),
            Ok(Target {
                service: Service::UserProfileMgt,
                operation: None
            })
        );
        assert_eq!(
            t("/services/RemoteUserStoreManagerService.RemoteUserStoreManagerServiceHttpsEndpoint/listUsers"),
            Ok(Target {
                service: Service::RemoteUserStoreManager,
                operation: Some("listUsers")
            })
        );
        assert_eq!(
            t("/services/IdentityGovernanceAdminService/getConnectorList"),
            Ok(Target {
                service: Service::IdentityGovernanceAdmin,
                operation: Some("getConnectorList")
            })
        );
        assert_eq!(t("/services/Nope"), Err("Nope"));
        assert_eq!(
            t("/services/UserProfileMgtService.Bogus/"),
            Err("UserProfileMgtService")
        );
    }
}
