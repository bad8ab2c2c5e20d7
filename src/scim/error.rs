//! Every SCIM failure as WSO2 answers it, in one place: Charon's error document
//! (`{"schemas":[Error],"scimType":…,"detail":…,"status":"404"}`, `status` a string, `scimType` only when set),
//! and the auth layer's 401/403 in front of it, whose shape depends on the release
//! ([`AuthErrors`](crate::domain::profile::scim::AuthErrors)). [`describe`] maps every [`DomainError`] with no
//! wildcard arm.

use hyper::StatusCode;
use hyper::header::{self, HeaderValue};
use serde_json::{Value, json};

use crate::domain::DomainError;
use crate::domain::profile::scim::{AuthErrors, ScimProfile};
use crate::domain::scim::{ERROR_SCHEMA, ScimError, ScimType};
use crate::http::response::{self, HttpResponse};

/// `application/scim+json`, which every Charon response carries.
pub const SCIM_JSON: &str = "application/scim+json";

/// Why a SCIM request failed.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// A use case refused.
    Domain(DomainError),
    /// Charon refused the request (400).
    Request(ScimError),
    /// Any other Charon status with its detail and optional scimType (404s name the operation, 406, 409, 501).
    Status {
        status: StatusCode,
        detail: String,
        scim_type: Option<ScimType>,
    },
    /// No credentials, or wrong ones: the auth layer's 401.
    Unauthenticated,
    /// Authenticated but not permitted: the auth layer's 403.
    Forbidden,
    /// The super-admin guard of 7.0+: 403 with no body at all.
    BareForbidden,
}

impl From<DomainError> for Failure {
    fn from(e: DomainError) -> Failure {
        Failure::Domain(e)
    }
}

impl From<ScimError> for Failure {
    fn from(e: ScimError) -> Failure {
        Failure::Request(e)
    }
}

impl Failure {
    pub fn status(status: StatusCode, detail: impl Into<String>) -> Failure {
        Failure::Status {
            status,
            detail: detail.into(),
            scim_type: None,
        }
    }
}

/// Charon's words for a domain refusal: status, scimType, detail.
fn describe(e: &DomainError, profile: &ScimProfile) -> Result<(StatusCode, Option<ScimType>, String), Failure> {
    use DomainError as E;
    Ok(match e {
        E::InvalidCredentials => return Err(Failure::Unauthenticated),
        E::AccessDenied | E::NotAuthorized => return Err(Failure::Forbidden),
        E::UserNotFound(_) => (StatusCode::NOT_FOUND, None, "User not found in the user store.".into()),
        // ConflictException without a scimType (SCIM2 `SCIMUserManager#createUser`).
        E::UserExists(name) => (
            StatusCode::CONFLICT,
            None,
            format!("User with the name: {name} already exists in the system."),
        ),
        E::RoleExists(name) => (StatusCode::CONFLICT, None, crate::domain::scim::group::exists(name)),
        E::RoleNotFound(_) | E::UnknownClaim(_) | E::InvalidInput(_) => {
            (StatusCode::BAD_REQUEST, Some(ScimType::InvalidValue), e.to_string())
        }
        // SCIM2 `handleErrorsOnUserNameAndPasswordPolicy`: the user store's message with `invalidValue`.
        E::PasswordPolicy(_) | E::UsernamePolicy { .. } => {
            (StatusCode::BAD_REQUEST, Some(ScimType::InvalidValue), e.to_string())
        }
        E::ReadOnlyClaim(_) => (StatusCode::BAD_REQUEST, Some(ScimType::Mutability), e.to_string()),
        E::MissingInput => (
            StatusCode::BAD_REQUEST,
            Some(ScimType::InvalidSyntax),
            crate::domain::scim::BAD_REQUEST_DETAIL.into(),
        ),
        E::CannotDeleteAdmin | E::CannotDeleteAdminRole if profile.super_admin_guard => {
            return Err(Failure::BareForbidden);
        }
        // Before 7.0 the user core's refusal surfaces as Charon's internal error (UNCONFIRMED by a capture).
        E::CannotDeleteAdmin | E::CannotDeleteAdminRole => (StatusCode::INTERNAL_SERVER_ERROR, None, e.to_string()),
        E::Internal => (StatusCode::INTERNAL_SERVER_ERROR, None, "An internal error.".into()),
        // No SCIM operation touches e-mail templates; should one ever surface, it is a refusal with its text.
        E::TemplateTypeNotFound(_) | E::TemplateNotFound { .. } => (StatusCode::NOT_FOUND, None, e.to_string()),
        E::TemplateTypeExists(_) | E::TemplateExists { .. } => (StatusCode::CONFLICT, None, e.to_string()),
        E::TemplateRefused(_) => (StatusCode::BAD_REQUEST, Some(ScimType::InvalidValue), e.to_string()),
    })
}

/// Charon's error document as JSON.
fn error_value(status: StatusCode, scim_type: Option<ScimType>, detail: &str) -> Value {
    let mut body = json!({
        "schemas": [ERROR_SCHEMA],
        "detail": detail,
        "status": status.as_u16().to_string(),
    });
    if let Some(t) = scim_type {
        body["scimType"] = json!(t.as_str());
    }
    body
}

/// Charon's error document.
pub fn document(status: StatusCode, scim_type: Option<ScimType>, detail: &str) -> HttpResponse {
    let bytes = serde_json::to_vec(&error_value(status, scim_type, detail)).unwrap_or_default();
    response::with_body(status, HeaderValue::from_static(SCIM_JSON), bytes)
}

/// A failed bulk operation's status and error document (the auth refusals as Charon's own 401/403 there).
pub fn bulk_result(failure: Failure, profile: &ScimProfile) -> (StatusCode, Value) {
    let failure = match failure {
        Failure::Domain(e) => match describe(&e, profile) {
            Ok((status, scim_type, detail)) => return (status, error_value(status, scim_type, &detail)),
            Err(f) => f,
        },
        other => other,
    };
    let (status, scim_type, detail) = match failure {
        Failure::Request(e) => (StatusCode::BAD_REQUEST, Some(e.kind), e.detail),
        Failure::Status {
            status,
            detail,
            scim_type,
        } => (status, scim_type, detail),
        Failure::Unauthenticated => (StatusCode::UNAUTHORIZED, None, UNAUTHORIZED_DETAIL.to_string()),
        Failure::Forbidden | Failure::BareForbidden => (StatusCode::FORBIDDEN, None, FORBIDDEN_DETAIL.to_string()),
        Failure::Domain(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            "An internal error.".to_string(),
        ),
    };
    (status, error_value(status, scim_type, &detail))
}

/// The response for a failure. `user` is the caller's name if known (the 5.x/6.0 challenge names it);
/// `host` the server's host name (the 6.1+ Bearer realm).
pub fn respond(failure: Failure, profile: &ScimProfile, user: Option<&str>, host: &str) -> HttpResponse {
    let failure = match failure {
        Failure::Domain(e) => match describe(&e, profile) {
            Ok((status, scim_type, detail)) => {
                if status == StatusCode::INTERNAL_SERVER_ERROR {
                    tracing::warn!(error = %e, "SCIM request failed");
                }
                return document(status, scim_type, &detail);
            }
            Err(f) => f,
        },
        other => other,
    };
    match failure {
        Failure::Request(e) => document(StatusCode::BAD_REQUEST, Some(e.kind), &e.detail),
        Failure::Status {
            status,
            detail,
            scim_type,
        } => document(status, scim_type, &detail),
        Failure::Unauthenticated => auth_error(profile, StatusCode::UNAUTHORIZED, user, host),
        Failure::Forbidden => auth_error(profile, StatusCode::FORBIDDEN, user, host),
        Failure::BareForbidden => response::empty(StatusCode::FORBIDDEN),
        // Mapped above; kept so this match names every case.
        Failure::Domain(_) => response::internal_error(),
    }
}

/// AUTHREST's texts (`APIErrorResponseHandler`, 1.6.1 on).
const UNAUTHORIZED_DETAIL: &str =
    "Authorization failure. Authorization information was invalid or missing from your request.";
const FORBIDDEN_DETAIL: &str = "Operation is not permitted. You do not have permissions to make this request.";

fn auth_error(profile: &ScimProfile, status: StatusCode, user: Option<&str>, host: &str) -> HttpResponse {
    let realm_user = HeaderValue::from_str(&format!("realm user=\"{}\"", user.unwrap_or_default()))
        .unwrap_or_else(|_| HeaderValue::from_static("realm user=\"\""));
    let challenge = match profile.auth_errors {
        AuthErrors::TomcatPage => {
            // Tomcat's `sendError` page after the valve's challenge.
            let reason = status.canonical_reason().unwrap_or_default();
            let page = format!(
                "<!doctype html><html lang=\"en\"><head><title>HTTP Status {code} – {reason}</title></head><body>\
                 <h1>HTTP Status {code} – {reason}</h1></body></html>",
                code = status.as_u16()
            );
            let mut resp = response::html(status, page);
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, realm_user);
            return resp;
        }
        AuthErrors::JsonRealmUser => Some(realm_user),
        AuthErrors::JsonBearerRealm if status == StatusCode::UNAUTHORIZED => Some(
            HeaderValue::from_str(&format!("Bearer realm={host}"))
                .unwrap_or_else(|_| HeaderValue::from_static("Bearer realm=localhost")),
        ),
        AuthErrors::JsonBearerRealm => None,
    };
    let detail = if status == StatusCode::UNAUTHORIZED {
        UNAUTHORIZED_DETAIL
    } else {
        FORBIDDEN_DETAIL
    };
    // Pretty-printed with a numeric `status`, as AUTHREST writes it.
    let value = json!({ "status": status.as_u16(), "detail": detail, "schemas": [ERROR_SCHEMA] });
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    let mut resp = response::with_body(status, HeaderValue::from_static("application/json;charset=UTF-8"), text);
    if let Some(c) = challenge {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, c);
    }
    resp
}
