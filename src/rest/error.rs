//! How the REST APIs fail: the one mapping of a `DomainError` to a REST answer ([`kind`], exhaustive), the REST
//! auth valve's 401/403 per release, WSO2's error JSON `{code, message, description, traceId}`, and the
//! dispatcher's answers for a body it cannot read (UE-10000) or an unexpected fault (SE-50000).

use hyper::StatusCode;
use hyper::header::{self, HeaderValue};
use serde::Serialize;

use crate::app::App;
use crate::domain::DomainError;
use crate::domain::profile::rest::ValveRefusal;
use crate::http::response::{self, HttpResponse};

/// What a `DomainError` is to a REST client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// The valve's 401.
    Unauthenticated,
    /// The valve's 403.
    Forbidden,
    /// The service refused the request; the text says why (each API words its own error around it).
    Refused(String),
    /// What the request names does not exist (an API whose errors tell this apart words it: ETM-50002/50003).
    Missing(String),
    /// What the request would create exists already (ETM-50004/50005).
    Exists(String),
    /// A fault of ours, logged where it happened.
    Internal,
}

/// The one mapping: no wildcard, so a new `DomainError` variant must be placed here.
pub fn kind(e: &DomainError) -> Kind {
    match e {
        DomainError::InvalidCredentials => Kind::Unauthenticated,
        DomainError::AccessDenied | DomainError::NotAuthorized => Kind::Forbidden,
        DomainError::UserNotFound(_)
        | DomainError::UserExists(_)
        | DomainError::RoleNotFound(_)
        | DomainError::RoleExists(_)
        | DomainError::InvalidInput(_)
        | DomainError::PasswordPolicy(_)
        | DomainError::UsernamePolicy { .. }
        | DomainError::UnknownClaim(_)
        | DomainError::ReadOnlyClaim(_)
        | DomainError::MissingInput
        | DomainError::CannotDeleteAdmin
        | DomainError::CannotDeleteAdminRole
        | DomainError::TemplateRefused(_) => Kind::Refused(e.to_string()),
        DomainError::TemplateTypeNotFound(_) | DomainError::TemplateNotFound { .. } => Kind::Missing(e.to_string()),
        DomainError::TemplateTypeExists(_) | DomainError::TemplateExists { .. } => Kind::Exists(e.to_string()),
        DomainError::Internal => Kind::Internal,
    }
}

/// An API's own error answer (its `ErrorDTO`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    /// `IDG-50008`, `UE-10000`; None where WSO2 leaves it null (the user API's resend-code errors).
    pub code: Option<String>,
    pub message: String,
    pub description: Option<String>,
    /// The DTO has `traceId` (the api-server DTO always; the user API's from IS 6.0).
    pub trace_id: bool,
}

impl ApiError {
    /// The dispatcher's `JsonProcessingExceptionMapper`: a body that is not JSON of the expected shape.
    pub fn unreadable_body() -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: Some("UE-10000".into()),
            message: "Invalid Request.".into(),
            description: Some("Provided request body content is not in the expected format.".into()),
            trace_id: true,
        }
    }

    /// The dispatcher's `DefaultExceptionMapper`: anything unexpected.
    fn unexpected() -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: Some("SE-50000".into()),
            message: "Unexpected Processing Error.".into(),
            description: Some("Server encountered an error while serving the request.".into()),
            trace_id: true,
        }
    }
}

/// How a request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The valve's 401: no, malformed or wrong credentials.
    Unauthenticated,
    /// The valve's 403 for this user.
    Forbidden { user: String },
    /// The API's own error.
    Api(ApiError),
    /// A fault with no API error of its own (an encoding bug, a store fault while authenticating).
    Internal,
}

impl Failure {
    /// A `DomainError` from the valve's steps (authentication, the row's permission) of `user`'s request.
    pub fn from_domain(e: &DomainError, user: &str) -> Failure {
        Failure::from_api(e, user, |_| ApiError::unexpected(), ApiError::unexpected())
    }

    /// A `DomainError` from an API's use case: `refused` words a refusal, `internal` is the API's own server
    /// error for the operation.
    pub fn from_api(
        e: &DomainError,
        user: &str,
        refused: impl FnOnce(String) -> ApiError,
        internal: ApiError,
    ) -> Failure {
        match kind(e) {
            Kind::Unauthenticated => Failure::Unauthenticated,
            Kind::Forbidden => Failure::Forbidden { user: user.to_string() },
            Kind::Refused(text) | Kind::Missing(text) | Kind::Exists(text) => Failure::Api(refused(text)),
            Kind::Internal => Failure::Api(internal),
        }
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Failure {
        Failure::Api(e)
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: Option<&'a str>,
    message: &'a str,
    description: Option<&'a str>,
    #[serde(rename = "traceId", skip_serializing_if = "Option::is_none")]
    trace_id: Option<&'a str>,
}

/// The valve's JSON (IS 6.0 on): org.json's `toString(2)`, `code` a number.
#[derive(Serialize)]
struct ValveBody<'a> {
    code: u16,
    message: &'a str,
    description: &'a str,
    #[serde(rename = "traceId")]
    trace_id: &'a str,
}

/// The HTTP answer for `failure` on this request.
pub fn answer(app: &App, trace_id: &str, failure: Failure) -> HttpResponse {
    match failure {
        Failure::Unauthenticated => valve(app, StatusCode::UNAUTHORIZED, "", trace_id),
        Failure::Forbidden { user } => valve(app, StatusCode::FORBIDDEN, &user, trace_id),
        Failure::Api(e) => api_error(&e, trace_id),
        Failure::Internal => api_error(&ApiError::unexpected(), trace_id),
    }
}

fn api_error(e: &ApiError, trace_id: &str) -> HttpResponse {
    let body = ErrorBody {
        code: e.code.as_deref(),
        message: &e.message,
        description: e.description.as_deref(),
        trace_id: e.trace_id.then_some(trace_id),
    };
    match serde_json::to_vec(&body) {
        Ok(bytes) => response::with_body(e.status, HeaderValue::from_static("application/json"), bytes),
        Err(err) => {
            tracing::error!(error = %err, "cannot encode a REST error");
            response::internal_error()
        }
    }
}

/// The REST auth valve's refusal (`AuthenticationValve`/`AuthorizationValve`, `APIErrorResponseHandler`).
fn valve(app: &App, status: StatusCode, user: &str, trace_id: &str) -> HttpResponse {
    let realm_user = format!("realm user=\"{user}\"");
    let (challenge, mut resp) = match app.profile().rest.valve {
        ValveRefusal::TomcatPage => {
            // Tomcat's `sendError` page (its exact bytes are Tomcat's error report: UNCONFIRMED).
            let reason = status.canonical_reason().unwrap_or_default();
            let title = format!("HTTP Status {} – {reason}", status.as_u16());
            let page = format!(
                "<!doctype html><html lang=\"en\"><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
            );
            let resp = response::with_body(status, HeaderValue::from_static("text/html;charset=utf-8"), page);
            (Some(realm_user), resp)
        }
        ValveRefusal::Json { bearer_challenge } => {
            let (message, description) = if status == StatusCode::UNAUTHORIZED {
                (
                    "Unauthorized",
                    "Authorization failure. Authorization information was invalid or missing from your request.",
                )
            } else {
                (
                    "Forbidden",
                    "Operation is not permitted. You do not have permissions to make this request.",
                )
            };
            let body = ValveBody {
                code: status.as_u16(),
                message,
                description,
                trace_id,
            };
            let text = serde_json::to_string_pretty(&body).unwrap_or_default();
            let resp = response::with_body(status, HeaderValue::from_static("application/json;charset=UTF-8"), text);
            let challenge = match (bearer_challenge, status == StatusCode::UNAUTHORIZED) {
                (true, true) => Some(format!("Bearer realm={}", app.settings().hostname)),
                (true, false) => None,
                (false, _) => Some(realm_user),
            };
            (challenge, resp)
        }
    };
    if let Some(v) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}
