//! The one place an [`OAuthFailure`] becomes an HTTP answer, as WSO2 gives it: the token family's
//! `{"error_description":…,"error":…}` (Oltu's `HashMap` order), DCR's `{"error":…,"error_description":…}` (Jackson's
//! field order) and DCR's bodiless 401/403/500. Internal detail was logged where it happened.

use hyper::StatusCode;
use hyper::header::{self, HeaderValue};
use serde_json::Value;

use crate::app::OAuthFailure;
use crate::domain::DomainError;
use crate::domain::oauth::{ErrorKind, OAuthError, java_map_json};
use crate::http::response::{self, HttpResponse};

/// Which endpoint family is answering: they word the same failure differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Dcr,
    Token,
    Revoke,
}

/// The status of an OAuth error at an endpoint of `family`.
fn status(kind: ErrorKind, family: Family) -> StatusCode {
    match kind {
        ErrorKind::InvalidClient => StatusCode::UNAUTHORIZED,
        // Revoking another client's token ends in WSO2's authorization-failure path.
        ErrorKind::UnauthorizedClient if family == Family::Revoke => StatusCode::UNAUTHORIZED,
        ErrorKind::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorKind::InvalidToken => StatusCode::UNAUTHORIZED,
        ErrorKind::InsufficientScope => StatusCode::FORBIDDEN,
        ErrorKind::InvalidRequest
        | ErrorKind::InvalidGrant
        | ErrorKind::UnauthorizedClient
        | ErrorKind::UnsupportedGrantType
        | ErrorKind::UnsupportedResponseType
        | ErrorKind::InvalidScope
        | ErrorKind::AccessDenied
        | ErrorKind::LoginRequired
        | ErrorKind::ConsentRequired
        | ErrorKind::InvalidCallback
        | ErrorKind::InvalidClientMetadata
        | ErrorKind::InvalidRedirectUri => StatusCode::BAD_REQUEST,
    }
}

/// The token family's error body; `realm` adds `WWW-Authenticate: Basic realm=<host>` (WSO2's `getRealmInfo`).
pub fn oauth_json(e: &OAuthError, realm: Option<&str>) -> HttpResponse {
    oauth_json_as(e, Family::Token, realm)
}

fn oauth_json_as(e: &OAuthError, family: Family, realm: Option<&str>) -> HttpResponse {
    let body = java_map_json(&[
        ("error", Value::from(e.kind.as_str())),
        ("error_description", Value::from(e.description.as_str())),
    ]);
    let mut resp = response::with_body(
        status(e.kind, family),
        HeaderValue::from_static("application/json"),
        body,
    );
    if let Some(realm) = realm.filter(|_| e.kind == ErrorKind::InvalidClient)
        && let Ok(value) = HeaderValue::from_str(&format!("Basic realm={realm}"))
    {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    resp
}

/// DCR's error body: `error` first.
fn dcr_json(e: &OAuthError) -> HttpResponse {
    let body = format!(
        "{{\"error\":{},\"error_description\":{}}}",
        Value::from(e.kind.as_str()),
        Value::from(e.description.as_str())
    );
    response::with_body(
        status(e.kind, Family::Dcr),
        HeaderValue::from_static("application/json"),
        body,
    )
}

/// Any failure of an endpoint of `family`.
pub fn answer(failure: &OAuthFailure, family: Family, realm: Option<&str>) -> HttpResponse {
    match failure {
        OAuthFailure::Refused(e) => match family {
            Family::Dcr => dcr_json(e),
            Family::Token | Family::Revoke => oauth_json_as(e, family, realm),
        },
        OAuthFailure::NoSuchApp => response::empty(StatusCode::UNAUTHORIZED),
        OAuthFailure::Broken => response::empty(StatusCode::INTERNAL_SERVER_ERROR),
        OAuthFailure::Domain(e) => domain(e, family),
    }
}

/// A `DomainError` at an OAuth endpoint. DCR answers status only (its exception mapper's way); the token family
/// answers an OAuth error.
fn domain(e: &DomainError, family: Family) -> HttpResponse {
    let status = match e {
        DomainError::AccessDenied | DomainError::NotAuthorized => StatusCode::FORBIDDEN,
        DomainError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        DomainError::InvalidInput(_)
        | DomainError::MissingInput
        | DomainError::PasswordPolicy(_)
        | DomainError::UsernamePolicy { .. }
        | DomainError::UnknownClaim(_)
        | DomainError::ReadOnlyClaim(_) => StatusCode::BAD_REQUEST,
        DomainError::UserNotFound(_)
        | DomainError::RoleNotFound(_)
        | DomainError::TemplateTypeNotFound(_)
        | DomainError::TemplateNotFound { .. } => StatusCode::NOT_FOUND,
        DomainError::UserExists(_)
        | DomainError::RoleExists(_)
        | DomainError::TemplateTypeExists(_)
        | DomainError::TemplateExists { .. } => StatusCode::CONFLICT,
        DomainError::TemplateRefused(_) => StatusCode::BAD_REQUEST,
        DomainError::CannotDeleteAdmin | DomainError::CannotDeleteAdminRole => StatusCode::FORBIDDEN,
        DomainError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    match family {
        Family::Dcr => response::empty(status),
        Family::Token | Family::Revoke => {
            let kind = if status == StatusCode::INTERNAL_SERVER_ERROR {
                ErrorKind::ServerError
            } else {
                ErrorKind::InvalidRequest
            };
            let text = if kind == ErrorKind::ServerError {
                "Internal Server Error.".to_string()
            } else {
                e.to_string()
            };
            oauth_json_as(&OAuthError::new(kind, text), family, None)
        }
    }
}
