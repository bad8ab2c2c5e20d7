//! The recovery portal's reset pages: `GET /accountrecoveryendpoint/confirmrecovery.do?username=…&confirmation=…`
//! checks the code and shows "Enter New Password"; the form posts to `completepasswordreset.do`, which sets the new
//! password with the code, once.
//!
//! WSO2's codes and texts: `18001` "Invalid Code '…'." and `18002` "Expired Code '…'.". A code that ran out of
//! attempts is refused with words of its own (WSO2 has no attempt limit). The form's token is derived from the
//! user name and code, so it works only for the reset it was shown for. Checking a wrong code spends one of its
//! attempts (by design: guessing is bounded); a weak or mismatched password spends nothing.

use std::sync::Arc;

use hyper::{Request, StatusCode};

use super::blocking;
use super::input::{self, BadInput};
use super::pages::{self, SIGN_IN};
use crate::app::{App, CodeCheck};
use crate::domain::DomainError;
use crate::domain::secret::Secret;
use crate::http::request::{Params, RequestBody};
use crate::http::response::HttpResponse;

/// What the form token is derived for.
const PURPOSE: &str = "reset";

/// `GET confirmrecovery.do`. Other parameters (userstoredomain, tenantdomain, sessionDataKey) are accepted and
/// ignored: there is one store and one tenant.
pub async fn confirm(app: Arc<App>, req: Request<RequestBody>) -> HttpResponse {
    let query = Params::from_query(req.uri());
    let (username, code) = match (
        input::required(&query, "username"),
        input::required(&query, "confirmation"),
    ) {
        (Ok(u), Ok(c)) => (u.to_string(), c.to_string()),
        (Err(bad), _) | (_, Err(bad)) => return pages::bad_input(&bad),
    };
    let (check_user, check_code) = (username.clone(), code.clone());
    match blocking(&app, move |app| app.check_reset_code(&check_user, &check_code)).await {
        Ok(Ok(CodeCheck::Valid { .. })) => reset_form(StatusCode::OK, &username, &code, None),
        Ok(Ok(check)) => refused(&check, &code),
        Ok(Err(e)) => pages::domain_error(&e),
        Err(resp) => resp,
    }
}

/// `POST completepasswordreset.do` (form: username, confirmation, password, confirmPassword, csrf). The user name
/// and code may also come from the query string, as when a client posts to the confirmrecovery.do URL with
/// `completepasswordreset.do` put in its place; the form's fields win.
pub async fn complete(app: Arc<App>, req: Request<RequestBody>) -> HttpResponse {
    let query = Params::from_query(req.uri());
    let (_, submitted) = match input::read_form(req).await {
        Ok(pf) => pf,
        Err(bad) => return pages::bad_input(&bad),
    };
    let ResetForm {
        username,
        code,
        password,
        confirm_password,
        token,
    } = match ResetForm::read(&submitted, &query) {
        Ok(f) => f,
        Err(bad) => return pages::bad_input(&bad),
    };
    if !super::csrf::verify(&token, PURPOSE, &[&username, &code]) {
        return pages::message(
            StatusCode::FORBIDDEN,
            "Form not accepted",
            None,
            "This password form was not issued by this server for this reset, so nothing was changed. Open the \
             reset link again.",
            None,
        );
    }
    if password != confirm_password {
        return reset_form(
            StatusCode::BAD_REQUEST,
            &username,
            &code,
            Some("The passwords do not match. Enter the same new password twice."),
        );
    }
    let (reset_user, reset_code) = (username.clone(), code.clone());
    match blocking(&app, move |app| app.complete_reset(&reset_user, &reset_code, &password)).await {
        Ok(Ok(CodeCheck::Valid { .. })) => pages::render(
            StatusCode::OK,
            "reset_done.html",
            minijinja::context! { title => "Password updated" },
        ),
        Ok(Ok(check)) => refused(&check, &code),
        Ok(Err(DomainError::PasswordPolicy(pattern))) => reset_form(
            StatusCode::BAD_REQUEST,
            &username,
            &code,
            Some(&format!(
                "The new password does not meet the password policy. It must match the pattern {pattern}"
            )),
        ),
        Ok(Err(e)) => pages::domain_error(&e),
        Err(resp) => resp,
    }
}

/// The fields of a submitted reset form.
struct ResetForm {
    username: String,
    code: String,
    password: Secret,
    confirm_password: Secret,
    token: String,
}

impl ResetForm {
    fn read(form: &Params, query: &Params) -> Result<ResetForm, BadInput> {
        let either = |name: &str| -> Result<String, BadInput> {
            match input::optional(form, name)? {
                Some(v) => Ok(v.to_string()),
                None => input::required(query, name).map(str::to_string),
            }
        };
        Ok(ResetForm {
            username: either("username")?,
            code: either("confirmation")?,
            password: Secret::new(input::required(form, "password")?),
            confirm_password: Secret::new(input::required(form, "confirmPassword")?),
            token: input::optional(form, "csrf")?.unwrap_or_default().to_string(),
        })
    }
}

/// The "Enter New Password" form for a reset, with an optional inline error.
fn reset_form(status: StatusCode, username: &str, code: &str, error: Option<&str>) -> HttpResponse {
    pages::render(
        status,
        "reset_form.html",
        minijinja::context! {
            title => "Enter New Password",
            username => username,
            confirmation => code,
            csrf => super::csrf::token(PURPOSE, &[username, code]),
            error => error,
        },
    )
}

/// The page for a code that cannot be used.
fn refused(check: &CodeCheck, code: &str) -> HttpResponse {
    match check {
        CodeCheck::Expired => pages::message(
            StatusCode::GONE,
            "Expired code",
            Some("18002"),
            &format!("Expired Code '{code}'. Ask your administrator for a new password reset."),
            Some(SIGN_IN),
        ),
        CodeCheck::Dead => pages::message(
            StatusCode::GONE,
            "Reset code no longer usable",
            None,
            "This password reset code was tried too many times with a wrong value and can no longer be used. A new \
             password reset is needed: ask your administrator.",
            Some(SIGN_IN),
        ),
        // `Valid` never comes here (callers show the form); should it, refusing is the safe answer.
        CodeCheck::Valid { .. } | CodeCheck::Mismatch { .. } | CodeCheck::Unknown => pages::message(
            StatusCode::BAD_REQUEST,
            "Invalid code",
            Some("18001"),
            &format!("Invalid Code '{code}'."),
            Some(SIGN_IN),
        ),
    }
}
