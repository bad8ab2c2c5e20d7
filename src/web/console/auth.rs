//! The console's sign-in (`/carbon/admin/login.jsp` posting to `login_action.jsp`, as Carbon), sign-out and home
//! page. The login form is protected like the dashboard's: a server-issued flow key bound to the flow cookie.
//! Logging in takes `App::login` (so failed attempts count towards the account lock, and a pending forced reset
//! keeps the old password out) and `/permission/admin/login`.

use std::sync::Arc;

use hyper::header::HeaderMap;
use hyper::{Request, StatusCode, Uri};

use super::view::{self, Area};
use super::{
    ADD_ROLE, ADD_USER, Ctx, DIALECTS, HOME, LOGIN_PAGE, MAILBOX, RESIDENT, SESSION_COOKIE, USERS, cookies,
    open_session, see_other, session_cookie,
};
use crate::app::App;
use crate::domain::login::Decision;
use crate::domain::permissions;
use crate::domain::secret::Secret;
use crate::http::request::{Params, RequestBody, Scheme};
use crate::http::response::HttpResponse;
use crate::web::csrf::{self, FLOW_COOKIE, flows};
use crate::web::input::{self, MAX_FIELD_CHARS, cookie};
use crate::web::pages;

/// The console's words for a failed sign-in (Carbon's `login.fail.message`).
pub const LOGIN_FAILED: &str = "Login failed! Please recheck the username and password and try again.";

/// What the login form shows besides its fields.
#[derive(Default)]
struct Words<'a> {
    error: Option<&'a str>,
    notice: Option<&'a str>,
    username: &'a str,
}

/// `GET /carbon/admin/login.jsp`: the form, or the home page for a live session that may use the console.
pub async fn login_page(app: &Arc<App>, headers: HeaderMap, uri: Uri, scheme: Scheme) -> HttpResponse {
    match open_session(app, &headers).await {
        Ok(Some(s)) if s.actor.has(permissions::LOGIN) => return see_other(HOME),
        Ok(_) => {}
        Err(resp) => return resp,
    }
    let params = Params::from_query(&uri);
    let notice = match (params.get("session"), params.get("loggedOut")) {
        (_, Some("true")) => Some("You have signed out."),
        (Some("expired"), _) => Some("Your session has expired or you are not signed in. Sign in to continue."),
        _ => None,
    };
    login_form(
        app,
        &headers,
        scheme,
        StatusCode::OK,
        Words {
            notice,
            ..Words::default()
        },
    )
}

/// The login form with a fresh flow key, bound to the browser's live flow cookie or a new one.
fn login_form(app: &App, headers: &HeaderMap, scheme: Scheme, status: StatusCode, words: Words<'_>) -> HttpResponse {
    let now = app.now();
    let (key, new_cookie) = match cookie(headers, FLOW_COOKIE).filter(|c| flows().cookie_is_live(c, now)) {
        Some(existing) => (flows().issue(&existing, now), None),
        None => {
            let fresh = csrf::new_flow_cookie();
            (flows().issue(&fresh, now), Some(fresh))
        }
    };
    let mut resp = view::render(
        status,
        "console/login.html",
        minijinja::context! {
            title => "Sign-in",
            error => words.error,
            notice => words.notice,
            username => words.username,
            login_token => key,
        },
    );
    if let Some(value) = new_cookie {
        // The same flow cookie as the dashboard's login (Path=/): one flow store for both forms.
        crate::web::login::site_cookie(FLOW_COOKIE, &value).set(&mut resp, scheme);
    }
    resp
}

/// `POST /carbon/admin/login_action.jsp`.
pub async fn login_action(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    let (parts, form) = match input::read_form(req).await {
        Ok(pf) => pf,
        Err(bad) => return pages::bad_input(&bad),
    };
    let headers = &parts.headers;
    let key = form.get("loginToken").unwrap_or_default().to_string();
    if !flows().check(&key, cookie(headers, FLOW_COOKIE).as_deref(), app.now()) {
        let words = Words {
            error: Some(
                "This sign-in form has expired or was not issued to this browser, so it was not accepted. Sign in \
                 again (cookies must be enabled).",
            ),
            ..Words::default()
        };
        return login_form(&app, headers, scheme, StatusCode::FORBIDDEN, words);
    }
    let (username, password) = match (input::required(&form, "username"), input::required(&form, "password")) {
        (Ok(u), Ok(p)) => (u.to_string(), Secret::new(p)),
        (Err(bad), _) | (_, Err(bad)) => return pages::bad_input(&bad),
    };
    let login_user = username.clone();
    let outcome = super::super::blocking(&app, move |app| {
        let outcome = app.login(&login_user, &password)?;
        match (outcome.decision, outcome.user) {
            (Decision::Success, Some(user)) => app.actor_for(outcome.tenant, &user),
            _ => Ok(None),
        }
    })
    .await;
    let shown = if username.chars().count() <= MAX_FIELD_CHARS {
        username.as_str()
    } else {
        ""
    };
    let actor = match outcome {
        Ok(Ok(Some(actor))) => actor,
        Ok(Ok(None)) => {
            let words = Words {
                error: Some(LOGIN_FAILED),
                username: shown,
                ..Words::default()
            };
            return login_form(&app, headers, scheme, StatusCode::UNAUTHORIZED, words);
        }
        Ok(Err(e)) => return pages::domain_error(&e),
        Err(resp) => return resp,
    };
    if !actor.has(permissions::LOGIN) {
        let text = format!(
            "{} is not authorized to use the management console: none of the user's roles holds {}.",
            actor.name(),
            permissions::LOGIN
        );
        let words = Words {
            error: Some(&text),
            username: shown,
            ..Words::default()
        };
        return login_form(&app, headers, scheme, StatusCode::FORBIDDEN, words);
    }
    flows().consume(&key);
    // A new id at every login (session fixation): whatever the browser sent is ended, never adopted.
    for old in cookies(headers, SESSION_COOKIE) {
        app.end_session(&old);
    }
    let token = app.open_session(actor.tenant(), actor.name());
    let mut resp = see_other(HOME);
    session_cookie(token.as_str()).set(&mut resp, scheme);
    resp
}

/// `POST /carbon/admin/logout_action.jsp` (the gate has checked the form's token).
pub fn logout(ctx: Ctx, scheme: Scheme) -> HttpResponse {
    ctx.app.end_session(&ctx.session.token);
    let mut resp = see_other(&format!("{LOGIN_PAGE}?loggedOut=true"));
    session_cookie("").clear(&mut resp, scheme);
    resp
}

/// `GET /carbon/admin/index.jsp`: the seed's steps, each linked where the user may follow it.
pub fn home(ctx: Ctx) -> HttpResponse {
    let a = &ctx.session.actor;
    view::page(
        StatusCode::OK,
        "console/home.html",
        "Home",
        Area::Home,
        &ctx.session,
        None,
        minijinja::context! {
            can_add_role => view::may_open(a, ADD_ROLE),
            can_add_user => view::may_open(a, ADD_USER),
            can_users => view::may_open(a, USERS),
            can_resident => view::may_open(a, RESIDENT),
            can_claims => view::may_open(a, DIALECTS),
            can_mailbox => view::may_open(a, MAILBOX),
            reset_category => ctx.app.profile().governance.reset_connector().category,
        },
    )
}
