//! `POST /api/identity/auth/v1.1/authenticate`: WSO2's authentication API, for probing a login without a browser.
//! Credentials come as `Authorization: Basic …` or as a JSON body `{"username": "…", "password": "…"}`.
//! Success: 200 `{"token": "…"}` (a session token, usable as the `commonAuthId` cookie). Failure: 401
//! `{"code": "1700x", "message": "…", "description": "…"}`, decided by the same `App::login` as the login page and
//! reported as its redirect would: an unknown user is 17002 like a wrong password unless the login page would say
//! 17001 (`showAuthFailureReason` on, 5.11+, `maskUserNotExistsErrorCode` off), and
//! `maskAdminForcedPasswordResetErrorCode` (5.11+) turns 17006 into 17002. The pending-reset codes
//! 17006/17007/17008 and the lock (17003, the locking attempt included) are reported as they are: this endpoint is
//! for diagnosing why a login fails.

use std::sync::Arc;

use hyper::header::{self, HeaderValue};
use hyper::{Request, StatusCode};
use serde::Deserialize;

use super::blocking;
use super::input::{self, BadInput, MAX_FIELD_CHARS};
use super::login::{GENERIC_FAILURE_TEXT, LOCKED_TEXT, OTP_MISMATCH_TEXT, RESET_LINK_TEXT};
use super::pages;
use crate::app::App;
use crate::config::BasicAuthParams;
use crate::domain::login::{
    Decision, ErrorContext, Failure, INVALID_CREDENTIAL, PASSWORD_RESET_OTP_MISMATCH, PASSWORD_RESET_VIA_EMAIL_LINK,
    PASSWORD_RESET_VIA_OTP, USER_DOES_NOT_EXIST, USER_IS_LOCKED,
};
use crate::domain::profile::login::LoginProfile;
use crate::domain::secret::Secret;
use crate::http::basic_auth::{self, BasicCredentials};
use crate::http::request::RequestBody;
use crate::http::response::{self, HttpResponse};

#[derive(Deserialize)]
struct LoginBody {
    username: String,
    password: String,
}

/// One API failure: WSO2's error shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiFailure {
    pub code: &'static str,
    pub message: &'static str,
    pub description: &'static str,
}

pub async fn authenticate(app: Arc<App>, req: Request<RequestBody>) -> HttpResponse {
    let credentials = basic_auth::parse(req.headers().get(header::AUTHORIZATION));
    let (_, body) = match input::read_body(req).await {
        Ok(pb) => pb,
        Err(bad) => return bad_request(&bad),
    };
    let (username, password) = match credentials_of(credentials, &body) {
        Ok(c) => c,
        Err(bad) => return bad_request(&bad),
    };
    let login_user = username.clone();
    let outcome = match blocking(&app, move |app| app.login(&login_user, &password)).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => {
            let (status, text) = pages::describe(&e);
            return error_json(status, &status.as_u16().to_string(), "Authentication failed", &text);
        }
        Err(resp) => return resp,
    };
    match (outcome.decision, outcome.user) {
        (Decision::Success, Some(user)) => {
            let token = app.open_session(outcome.tenant, &user);
            response::json(StatusCode::OK, &serde_json::json!({ "token": token.as_str() }))
        }
        (decision, _) => {
            let settings = app.settings();
            let f = failure(
                decision,
                outcome.context.as_ref(),
                &settings.basic_auth,
                &settings.profile.login,
            );
            error_json(StatusCode::UNAUTHORIZED, f.code, f.message, f.description)
        }
    }
}

/// Basic credentials, else the JSON body.
fn credentials_of(credentials: BasicCredentials, body: &[u8]) -> Result<(String, Secret), BadInput> {
    let (username, password) = match credentials {
        BasicCredentials::Credentials { username, password } => (username, password),
        BasicCredentials::Malformed => {
            return Err(BadInput::Bad(
                "The Authorization header is not Basic credentials (base64 of username:password).".to_string(),
            ));
        }
        BasicCredentials::Missing => {
            let parsed: LoginBody = serde_json::from_slice(body).map_err(|_| {
                BadInput::Bad(
                    "Send Basic credentials, or a JSON body {\"username\": \"...\", \"password\": \"...\"}."
                        .to_string(),
                )
            })?;
            (parsed.username, Secret::new(parsed.password))
        }
    };
    if username.chars().count() > MAX_FIELD_CHARS || password.expose().chars().count() > MAX_FIELD_CHARS {
        return Err(BadInput::Bad(format!(
            "The username and password may be at most {MAX_FIELD_CHARS} characters long."
        )));
    }
    Ok((username, password))
}

/// The error an unsuccessful decision is reported with.
pub fn failure(
    decision: Decision,
    context: Option<&ErrorContext>,
    basic: &BasicAuthParams,
    profile: &LoginProfile,
) -> ApiFailure {
    let invalid = ApiFailure {
        code: INVALID_CREDENTIAL,
        message: "Authentication failed",
        description: GENERIC_FAILURE_TEXT,
    };
    let code = context.map(|c| c.code);
    let unknown_user_shown = basic.show_auth_failure_reason
        && !(profile.honours_omit_and_mask_user && basic.mask_user_not_exists_error_code);
    match decision {
        Decision::ResetViaLink
            if profile.honours_mask_forced_reset_code && basic.mask_admin_forced_password_reset_error_code =>
        {
            invalid
        }
        Decision::ResetViaLink => ApiFailure {
            code: PASSWORD_RESET_VIA_EMAIL_LINK,
            message: "Password reset required",
            description: RESET_LINK_TEXT,
        },
        Decision::ResetOtpAccepted => ApiFailure {
            code: PASSWORD_RESET_VIA_OTP,
            message: "Password reset required",
            description: "The one-time password is correct: set a new password on the password reset page.",
        },
        Decision::ResetOtpMismatch => ApiFailure {
            code: PASSWORD_RESET_OTP_MISMATCH,
            message: "Invalid one-time password",
            description: OTP_MISMATCH_TEXT,
        },
        _ if code == Some(USER_IS_LOCKED) => ApiFailure {
            code: USER_IS_LOCKED,
            message: "Account locked",
            description: LOCKED_TEXT,
        },
        Decision::Failed(Failure::UnknownUser) if code == Some(USER_DOES_NOT_EXIST) && unknown_user_shown => {
            ApiFailure {
                code: USER_DOES_NOT_EXIST,
                message: "Authentication failed",
                description: GENERIC_FAILURE_TEXT,
            }
        }
        Decision::Success | Decision::Failed(_) => invalid,
    }
}

fn bad_request(bad: &BadInput) -> HttpResponse {
    let mut resp = error_json(
        bad.status(),
        &bad.status().as_u16().to_string(),
        "Bad request",
        &bad.message(),
    );
    if bad.closes_connection() {
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

fn error_json(status: StatusCode, code: &str, message: &str, description: &str) -> HttpResponse {
    let mut resp = response::json(
        status,
        &serde_json::json!({ "code": code, "message": message, "description": description }),
    );
    if status == StatusCode::UNAUTHORIZED {
        // A 401 names the scheme it accepts (RFC 9110); the endpoint is POST-only, so no browser dialog follows.
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(basic_auth::REALM_CHALLENGE),
        );
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(show: bool, mask: bool) -> BasicAuthParams {
        BasicAuthParams {
            show_auth_failure_reason: show,
            mask_admin_forced_password_reset_error_code: mask,
            ..BasicAuthParams::default()
        }
    }

    fn ctx(code: &'static str) -> ErrorContext {
        ErrorContext {
            code,
            reason: None,
            failed: 0,
            max: 0,
        }
    }

    #[test]
    fn codes_follow_the_login_page() {
        let p = crate::domain::profile::Wso2Version::V5_11.profile().login;
        let b = basic(false, false);
        let code = |d, c: Option<&'static str>| failure(d, c.map(ctx).as_ref(), &b, &p).code;
        assert_eq!(
            code(Decision::Failed(Failure::UnknownUser), Some("17001")),
            "17002",
            "hidden without show"
        );
        assert_eq!(code(Decision::Failed(Failure::UnknownUser), None), "17002");
        assert_eq!(code(Decision::Failed(Failure::WrongPassword), None), "17002");
        assert_eq!(
            code(Decision::Failed(Failure::WrongPassword), Some("17003")),
            "17003",
            "the locking attempt"
        );
        assert_eq!(
            code(Decision::Failed(Failure::ResetCodeExpired), Some("17002")),
            "17002"
        );
        assert_eq!(code(Decision::Failed(Failure::Locked), Some("17003")), "17003");
        assert_eq!(code(Decision::ResetViaLink, Some("17006")), "17006");
        assert_eq!(code(Decision::ResetOtpAccepted, Some("17007")), "17007");
        assert_eq!(code(Decision::ResetOtpMismatch, Some("17008")), "17008");
        let unknown = Some(ctx("17001"));
        assert_eq!(
            failure(
                Decision::Failed(Failure::UnknownUser),
                unknown.as_ref(),
                &basic(true, false),
                &p
            )
            .code,
            "17001"
        );
        let masked = BasicAuthParams {
            mask_user_not_exists_error_code: true,
            ..basic(true, false)
        };
        assert_eq!(
            failure(Decision::Failed(Failure::UnknownUser), unknown.as_ref(), &masked, &p).code,
            "17002"
        );
        assert_eq!(
            failure(Decision::ResetViaLink, None, &basic(false, true), &p).code,
            "17002"
        );
        let p59 = crate::domain::profile::Wso2Version::V5_9.profile().login;
        assert_eq!(
            failure(Decision::ResetViaLink, None, &basic(false, true), &p59).code,
            "17006",
            "5.9 has no maskAdminForcedPasswordResetErrorCode"
        );
    }

    #[test]
    fn credentials_come_from_basic_or_json() {
        let basic_creds = BasicCredentials::Credentials {
            username: "tom".into(),
            password: Secret::new("pw"),
        };
        assert_eq!(
            credentials_of(basic_creds, b"ignored").unwrap(),
            ("tom".to_string(), Secret::new("pw"))
        );
        assert_eq!(
            credentials_of(BasicCredentials::Missing, br#"{"username":"tom","password":"pw"}"#).unwrap(),
            ("tom".to_string(), Secret::new("pw"))
        );
        assert!(credentials_of(BasicCredentials::Missing, b"").is_err());
        assert!(credentials_of(BasicCredentials::Missing, br#"{"username":"tom"}"#).is_err());
        assert!(credentials_of(BasicCredentials::Malformed, b"").is_err());
        let long = format!(
            r#"{{"username":"{}","password":"pw"}}"#,
            "a".repeat(MAX_FIELD_CHARS + 1)
        );
        assert!(credentials_of(BasicCredentials::Missing, long.as_bytes()).is_err());
    }
}
