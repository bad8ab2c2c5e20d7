//! The dashboard a user lands on after signing in (where a user whose forced reset is done arrives): WSO2's basic
//! self-service, on one page. `GET /dashboard` shows "My profile" (the default profile's fields, the editable ones
//! in a form), "Change password" and "Sign out"; without a live session it starts a login flow instead.
//! `POST /dashboard/profile` and `POST /dashboard/password` carry a token bound to the session, change only the
//! signed-in user, and come back to the dashboard with what happened (303 after success, the page with the error
//! otherwise, nothing changed).

use std::sync::Arc;

use hyper::header::HeaderMap;
use hyper::{Request, StatusCode};
use serde::Serialize;

use super::csrf;
use super::input::{self, cookie};
use super::login::{SESSION_COOKIE, start_login};
use super::pages;
use super::{DASHBOARD_PATH, blocking};
use crate::app::{Actor, App, ProfileField, Session, profile_editable};
use crate::domain::secret::Secret;
use crate::domain::{DEFAULT_PROFILE, DomainError, claims};
use crate::http::request::{Params, RequestBody, Scheme};
use crate::http::response::{self, HttpResponse};

pub const PROFILE_PATH: &str = "/dashboard/profile";
pub const PASSWORD_PATH: &str = "/dashboard/password";

/// The purpose the dashboard's form tokens are derived for (bound to the session token).
const CSRF_PURPOSE: &str = "dashboard";
/// WSO2's text when the two new passwords differ (authentication portal `pwd-reset.jsp`).
pub const PASSWORDS_DIFFER: &str = "The new password and confirmation password do not match";

/// Which form an error belongs to, so the page shows it there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Profile,
    Password,
}

#[derive(Debug, Serialize)]
struct Field {
    id: String,
    uri: String,
    label: String,
    value: String,
    editable: bool,
    required: bool,
}

/// Everything the page shows, read in one go.
struct View {
    username: String,
    display_name: String,
    fields: Vec<Field>,
}

/// `GET /dashboard`.
pub async fn show(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    let Some(session) = cookie(req.headers(), SESSION_COOKIE).and_then(|token| app.session(&token)) else {
        return start_login(&app, req.headers(), scheme);
    };
    let notice = match req.uri().query().unwrap_or_default() {
        "updated=profile" => Some("Your profile was updated."),
        "updated=password" => Some("Your password was changed."),
        _ => None,
    };
    page(&app, session, StatusCode::OK, notice, None, req.headers(), scheme).await
}

/// `POST /dashboard/profile`: the editable fields of the default profile, all at once.
pub async fn save_profile(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    submit(app, req, scheme, Form::Profile, |app, actor, form| {
        let values: Vec<(String, String)> = app
            .user_profile(actor, actor.name(), DEFAULT_PROFILE)?
            .unwrap_or_default()
            .into_iter()
            .filter(|f| profile_editable(&f.meta))
            .filter_map(|f| {
                let value = form.get(&f.meta.uri)?.trim().to_string();
                (f.value.as_deref().unwrap_or_default() != value).then(|| (f.meta.uri.clone(), value))
            })
            .collect();
        app.edit_own_profile(actor, &values)
    })
    .await
}

/// `POST /dashboard/password`: the current password, the new one twice.
pub async fn change_password(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    submit(app, req, scheme, Form::Password, |app, actor, form| {
        let new = form.get("new-password").unwrap_or_default();
        if new.is_empty() {
            return Err(DomainError::InvalidInput("Enter a new password.".into()));
        }
        if new != form.get("confirm-password").unwrap_or_default() {
            return Err(DomainError::InvalidInput(PASSWORDS_DIFFER.into()));
        }
        let current = Secret::new(form.get("current-password").unwrap_or_default().to_string());
        app.update_credential(actor, actor.name(), &Secret::new(new.to_string()), &current)
    })
    .await
}

/// Read the form, check its token against the session, run `change` for the signed-in user; then back to the
/// dashboard (303) or the page again with the error next to `which` form.
async fn submit<F>(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme, which: Form, change: F) -> HttpResponse
where
    F: FnOnce(&App, &Actor, &Params) -> Result<(), DomainError> + Send + 'static,
{
    let (parts, form) = match input::read_form(req).await {
        Ok(pf) => pf,
        Err(bad) => return pages::bad_input(&bad),
    };
    let Some(session) = cookie(&parts.headers, SESSION_COOKIE).and_then(|token| app.session(&token)) else {
        return response::redirect(DASHBOARD_PATH);
    };
    if !csrf::verify(
        form.get("csrf").unwrap_or_default(),
        CSRF_PURPOSE,
        &[session.token.as_str()],
    ) {
        return pages::message(
            StatusCode::FORBIDDEN,
            "Change not accepted",
            None,
            "This request did not come from your dashboard, so nothing was changed.",
            Some(pages::Link {
                href: DASHBOARD_PATH,
                label: "Back to the dashboard",
            }),
        );
    }
    let worker_session = session.clone();
    let outcome = blocking(&app, move |app| {
        let Some(actor) = app.session_actor(&worker_session)? else {
            return Ok(None);
        };
        change(app, &actor, &form).map(Some)
    })
    .await;
    match outcome {
        Ok(Ok(Some(()))) => {
            let what = match which {
                Form::Profile => "profile",
                Form::Password => "password",
            };
            response::see_other(&format!("{DASHBOARD_PATH}?updated={what}"))
        }
        // The session's user is gone, or their sessions were ended: sign in again.
        Ok(Ok(None)) => start_login(&app, &parts.headers, scheme),
        Ok(Err(DomainError::Internal)) => pages::internal_error(),
        Ok(Err(e)) => {
            let (status, text) = pages::describe(&e);
            page(&app, session, status, None, Some((which, text)), &parts.headers, scheme).await
        }
        Err(resp) => resp,
    }
}

/// The dashboard for `session`, with a notice or an error next to its form.
async fn page(
    app: &Arc<App>,
    session: Session,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<(Form, String)>,
    headers: &HeaderMap,
    scheme: Scheme,
) -> HttpResponse {
    let token = session.token.as_str().to_string();
    let view = match blocking(app, move |app| view(app, &session)).await {
        Ok(Ok(Some(view))) => view,
        // The user was deleted, or their sessions ended, under a live cookie: start over.
        Ok(Ok(None)) => return start_login(app, headers, scheme),
        Ok(Err(e)) => return pages::domain_error(&e),
        Err(resp) => return resp,
    };
    let (profile_error, password_error) = match error {
        Some((Form::Profile, text)) => (Some(text), None),
        Some((Form::Password, text)) => (None, Some(text)),
        None => (None, None),
    };
    pages::render(
        status,
        "dashboard.html",
        minijinja::context! {
            title => "Dashboard",
            wide => true,
            display_name => view.display_name,
            username => view.username,
            fields => view.fields,
            notice => notice,
            profile_error => profile_error,
            password_error => password_error,
            csrf => csrf::token(CSRF_PURPOSE, &[&token]),
            logout_csrf => csrf::token("logout", &[&token]),
        },
    )
}

/// The signed-in user's name, greeting and profile fields; None if the session no longer resolves.
fn view(app: &App, session: &Session) -> Result<Option<View>, DomainError> {
    let Some(actor) = app.session_actor(session)? else {
        return Ok(None);
    };
    let user = actor.name().to_string();
    let profile = app.user_profile(&actor, &user, DEFAULT_PROFILE)?.unwrap_or_default();
    let given = profile
        .iter()
        .find(|f| f.meta.uri == claims::GIVEN_NAME)
        .and_then(|f| f.value.clone())
        .filter(|g| !g.trim().is_empty());
    Ok(Some(View {
        display_name: given.unwrap_or_else(|| user.clone()),
        fields: profile.into_iter().map(field).collect(),
        username: user,
    }))
}

fn field(f: ProfileField) -> Field {
    Field {
        id: format!("claim-{}", f.meta.uri.rsplit('/').next().unwrap_or_default()),
        editable: profile_editable(&f.meta),
        required: f.meta.required,
        label: f.meta.display_name.clone(),
        value: f.value.unwrap_or_default(),
        uri: f.meta.uri.clone(),
    }
}
