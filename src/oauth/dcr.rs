//! Dynamic Client Registration as WSO2 serves it (`/api/identity/oauth2/dcr/v1.1/register`): the request fields,
//! the release's response JSON (`DcrResponse`), WSO2's statuses (201, 200, 204; 401 with no body for an unknown
//! client id). The secret is in the answer to a registration (and to an update that sets one) only: it is stored
//! hashed.

// A parsing step's error is the answer to send: built at most once per request, so boxing it would buy nothing.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use hyper::header::HeaderValue;
use hyper::{Request, StatusCode};
use serde_json::{Map, Value};

use super::blocking;
use super::error::{self, Family};
use crate::app::{Actor, App, AppSpec, Application, OAuthFailure, Tenant};
use crate::domain::oauth::{
    ACCESS_LIFETIME_S, ErrorKind, ID_TOKEN_LIFETIME_S, OAuthError, REFRESH_LIFETIME_S, TOKEN_TYPE_DEFAULT,
};
use crate::domain::profile::oauth::{DcrResponse, UnknownField};
use crate::domain::secret::Secret;
use crate::http::request::{Params, RequestBody, read_request_body};
use crate::http::response::{self, HttpResponse};

/// The fields forcereset reads from a registration or update.
const READ: &[&str] = &[
    "client_name",
    "redirect_uris",
    "grant_types",
    "token_type_extension",
    "ext_token_type",
    "client_secret",
    "ext_pkce_mandatory",
    "ext_pkce_support_plain",
];

/// WSO2's other request fields (5.9–7.2 `RegistrationRequestDTO`/`UpdateRequestDTO`): accepted, not emulated.
const IGNORED: &[&str] = &[
    "client_id",
    "backchannel_logout_uri",
    "backchannel_logout_session_required",
    "ext_param_client_id",
    "ext_param_client_secret",
    "ext_param_owner",
    "ext_param_sp_template",
    "ext_application_display_name",
    "ext_application_owner",
    "ext_application_version",
    "ext_application_token_lifetime",
    "ext_user_token_lifetime",
    "ext_refresh_token_lifetime",
    "ext_id_token_lifetime",
    "ext_public_client",
    "ext_allowed_audience",
    "jwks_uri",
    "url",
    "token_endpoint_auth_method",
    "token_endpoint_allow_reuse_pvt_key_jwt",
    "token_endpoint_auth_signing_alg",
    "sector_identifier_uri",
    "id_token_signed_response_alg",
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "request_object_signing_alg",
    "tls_client_auth_subject_dn",
    "require_pushed_authorization_requests",
    "require_signed_request_object",
    "tls_client_certificate_bound_access_tokens",
    "subject_type",
    "request_object_encryption_alg",
    "request_object_encryption_enc",
    "software_statement",
];

/// The request body as an [`AppSpec`], or the answer refusing it.
async fn spec_of(app: &App, req: Request<RequestBody>) -> Result<AppSpec, HttpResponse> {
    let (_, body) = read_request_body(req).await.map_err(|e| e.to_response())?;
    let bad = |text: &str| error::answer(&metadata(text), Family::Dcr, None);
    let object: Map<String, Value> = serde_json::from_slice(&body).map_err(|_| bad("Malformed request body."))?;
    for key in object.keys() {
        if READ.contains(&key.as_str()) || IGNORED.contains(&key.as_str()) {
            continue;
        }
        let shown: String = key.chars().take(64).collect();
        match app.profile().oauth.dcr_unknown_field {
            UnknownField::Accepted => {}
            UnknownField::Json => return Err(bad(&format!("Unrecognized field : {shown}"))),
            UnknownField::PlainText => {
                return Err(response::text(
                    StatusCode::BAD_REQUEST,
                    format!("Unrecognized field \"{shown}\", not marked as ignorable"),
                ));
            }
        }
    }
    let string = |k: &str| object.get(k).and_then(Value::as_str).map(str::to_string);
    let list = |k: &str| -> Result<Vec<String>, HttpResponse> {
        match object.get(k) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| bad(&format!("{k} must be a list of strings.")))
                })
                .collect(),
            Some(_) => Err(bad(&format!("{k} must be a list of strings."))),
        }
    };
    let flag = |k: &str| object.get(k).and_then(Value::as_bool);
    Ok(AppSpec {
        name: string("client_name"),
        redirect_uris: list("redirect_uris")?,
        grant_types: list("grant_types")?,
        token_type: string("token_type_extension").or_else(|| string("ext_token_type")),
        client_secret: string("client_secret").map(Secret::new),
        pkce_mandatory: flag("ext_pkce_mandatory"),
        pkce_plain: flag("ext_pkce_support_plain"),
    })
}

fn metadata(text: &str) -> OAuthFailure {
    OAuthFailure::Refused(OAuthError::new(ErrorKind::InvalidClientMetadata, text))
}

/// `POST /register`: 201 and the application with its secret.
pub async fn register(app: Arc<App>, req: Request<RequestBody>, actor: Actor, at: &Tenant) -> HttpResponse {
    let spec = match spec_of(&app, req).await {
        Ok(spec) => spec,
        Err(resp) => return resp,
    };
    match blocking(&app, move |app| app.register_app(&actor, spec)).await {
        Ok(Ok(registered)) => {
            application_json(&app, at, StatusCode::CREATED, &registered.app, Some(&registered.secret))
        }
        Ok(Err(failure)) => error::answer(&failure, Family::Dcr, None),
        Err(resp) => resp,
    }
}

/// `GET /register?client_name=<name>`.
pub async fn read_by_name(app: Arc<App>, req: Request<RequestBody>, actor: Actor, at: &Tenant) -> HttpResponse {
    let params = Params::from_query(req.uri());
    let Some(name) = params.get("client_name").map(str::to_string) else {
        return error::answer(&OAuthFailure::NoSuchApp, Family::Dcr, None);
    };
    match blocking(&app, move |app| app.application_named(&actor, &name)).await {
        Ok(Ok(found)) => application_json(&app, at, StatusCode::OK, &found, None),
        Ok(Err(failure)) => error::answer(&failure, Family::Dcr, None),
        Err(resp) => resp,
    }
}

/// `GET /register/{client_id}`.
pub async fn read(app: Arc<App>, client_id: String, actor: Actor, at: &Tenant) -> HttpResponse {
    match blocking(&app, move |app| app.application(&actor, &client_id)).await {
        Ok(Ok(found)) => application_json(&app, at, StatusCode::OK, &found, None),
        Ok(Err(failure)) => error::answer(&failure, Family::Dcr, None),
        Err(resp) => resp,
    }
}

/// `PUT /register/{client_id}`.
pub async fn update(
    app: Arc<App>,
    req: Request<RequestBody>,
    client_id: String,
    actor: Actor,
    at: &Tenant,
) -> HttpResponse {
    let spec = match spec_of(&app, req).await {
        Ok(spec) => spec,
        Err(resp) => return resp,
    };
    match blocking(&app, move |app| app.update_app(&actor, &client_id, spec)).await {
        Ok(Ok((updated, secret))) => application_json(&app, at, StatusCode::OK, &updated, secret.as_ref()),
        Ok(Err(failure)) => error::answer(&failure, Family::Dcr, None),
        Err(resp) => resp,
    }
}

/// `DELETE /register/{client_id}`: 204.
pub async fn delete(app: Arc<App>, client_id: String, actor: Actor) -> HttpResponse {
    match blocking(&app, move |app| app.delete_app(&actor, &client_id)).await {
        Ok(Ok(())) => response::empty(StatusCode::NO_CONTENT),
        Ok(Err(failure)) => error::answer(&failure, Family::Dcr, None),
        Err(resp) => resp,
    }
}

/// The application as the release's DCR writes it (fields in its DTO's declaration order), registered in tenant
/// `domain`. The secret only when there is one to show.
pub fn application_members(
    shape: DcrResponse,
    domain: &str,
    a: &Application,
    secret: Option<&Secret>,
) -> Vec<(&'static str, Value)> {
    let secret = |m: &mut Vec<(&'static str, Value)>| {
        if let Some(s) = secret {
            m.push(("client_secret", s.expose().into()));
        }
    };
    let redirect_uris = Value::from(vec![a.callback.clone()]);
    let grants = Value::from(a.grant_types.clone());
    let mut m: Vec<(&'static str, Value)> = Vec::new();
    if shape == DcrResponse::Bean {
        m.push(("client_name", a.name.as_str().into()));
        m.push(("client_id", a.client_id.as_str().into()));
        secret(&mut m);
        m.push(("redirect_uris", redirect_uris));
        return m;
    }
    m.push(("client_id", a.client_id.as_str().into()));
    secret(&mut m);
    let expires = match shape {
        DcrResponse::Bean | DcrResponse::DtoWithoutGrants | DcrResponse::Dto => Value::Null,
        DcrResponse::DtoExpiresZero | DcrResponse::Extended | DcrResponse::ExtendedNonNull => Value::from(0),
    };
    m.push(("client_secret_expires_at", expires));
    m.push(("redirect_uris", redirect_uris));
    let grants = if shape == DcrResponse::DtoWithoutGrants {
        Value::Array(Vec::new())
    } else {
        grants
    };
    m.push(("grant_types", grants));
    m.push(("client_name", a.name.as_str().into()));
    if matches!(shape, DcrResponse::Extended | DcrResponse::ExtendedNonNull) {
        let token_type = if a.token_type.is_empty() {
            TOKEN_TYPE_DEFAULT
        } else {
            a.token_type.as_str()
        };
        m.extend([
            ("ext_application_display_name", Value::Null),
            ("ext_application_owner", crate::app::qualified(&a.owner, domain).into()),
            ("ext_application_token_lifetime", ACCESS_LIFETIME_S.into()),
            ("ext_user_token_lifetime", ACCESS_LIFETIME_S.into()),
            ("ext_refresh_token_lifetime", REFRESH_LIFETIME_S.into()),
            ("ext_id_token_lifetime", ID_TOKEN_LIFETIME_S.into()),
            ("ext_pkce_mandatory", a.pkce_mandatory.into()),
            ("ext_pkce_support_plain", a.pkce_plain.into()),
            ("ext_public_client", false.into()),
            ("token_type_extension", token_type.into()),
            ("ext_token_type", token_type.into()),
            ("jwks_uri", Value::Null),
            ("token_endpoint_auth_method", Value::Null),
            ("token_endpoint_auth_signing_alg", Value::Null),
            ("sector_identifier_uri", Value::Null),
            ("id_token_signed_response_alg", Value::Null),
            ("id_token_encrypted_response_alg", Value::Null),
            ("id_token_encrypted_response_enc", Value::Null),
            ("request_object_signing_alg", Value::Null),
            ("tls_client_auth_subject_dn", Value::Null),
            ("require_pushed_authorization_requests", false.into()),
            ("require_signed_request_object", false.into()),
            ("tls_client_certificate_bound_access_tokens", false.into()),
            ("subject_type", Value::Null),
            ("request_object_encryption_alg", Value::Null),
            ("request_object_encryption_enc", Value::Null),
            ("software_statement", Value::Null),
        ]);
    }
    if shape == DcrResponse::ExtendedNonNull {
        m.retain(|(_, v)| !v.is_null());
    }
    m
}

fn application_json(
    app: &App,
    at: &Tenant,
    status: StatusCode,
    a: &Application,
    secret: Option<&Secret>,
) -> HttpResponse {
    let members = application_members(app.profile().oauth.dcr_response, &at.domain, a, secret);
    let mut body = String::from("{");
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&Value::from(*k).to_string());
        body.push(':');
        body.push_str(&v.to_string());
    }
    body.push('}');
    response::with_body(status, HeaderValue::from_static("application/json"), body)
}
