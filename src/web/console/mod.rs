//! The management console under `/carbon/`: WSO2's admin pages for the seed's steps (users and roles, claims, the
//! resident identity provider's password-reset policy), plus the built-in mailbox and the audit log.
//!
//! Sessions are the app's (`App::open_session` and friends, the ones the admin services' JSESSIONID and the
//! dashboard use, so a password reset or deletion ends them too) under the console's own cookie `JSESSIONID; Path=/carbon; HttpOnly;
//! SameSite=Strict` (Secure over HTTPS). Carbon shares one HTTP session between the console and the admin
//! services, so any live session the browser presents as `JSESSIONID` is accepted; login always issues a new id
//! and ends the ones presented (session fixation).
//!
//! Every request passes one gate, in this order: HTTPS (as Carbon, plain HTTP is redirected unless
//! `allow_admin_services_over_http`); a live session (else the login page); `/permission/admin/login`; for a POST,
//! the form's `csrf` token, an HMAC bound to the session; then the route's own permission ([`ROUTES`]). A refusal
//! is a 403 page that says which check failed, and nothing has run. The `App` use case checks the permission
//! again. Actions answer POST → redirect → GET with a one-shot message ([`flash`]).
//!
//! - [`auth`]: login, logout and the home page. [`users`]: users, profiles, the forced reset, unlock.
//! - [`roles`]: roles and the permission tree. [`claims`]: the local dialect. [`idp`]: the resident IdP.
//! - [`mailbox`]: the mailbox and the audit log. [`applications`]: the OAuth2 applications. [`email`]: Manage →
//!   Email Templates. [`tenants`]: Configure → Multitenancy (the super tenant's). [`view`]: templates and the
//!   layout. [`flash`]: messages.
//!
//! A session lives in the tenant its user signed in to (`kim@a.com` → a.com), and every page runs its use cases as
//! that actor, so a tenant's admin sees and changes only that tenant. Pages under `/permission/protected/…` are
//! the super tenant's (Carbon's `require-super-tenant` menus): a tenant session is refused them at the gate.

// A handler step's error is the page to answer with: built at most once and returned once per request, so boxing
// it would buy nothing.
#![allow(clippy::result_large_err)]

mod applications;
mod auth;
mod claims;
mod email;
mod flash;
mod idp;
mod mailbox;
mod roles;
mod tenants;
mod users;
mod view;

use std::sync::Arc;

use hyper::header::HeaderMap;
use hyper::{Method, Request, StatusCode};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::csrf;
use super::input::{self, BadInput};
use super::pages;
use crate::app::{Actor, App};
use crate::domain::permissions::{
    self, AUDIT_VIEW, CLAIM_METADATA_UPDATE, CLAIM_METADATA_VIEW, EMAIL_TEMPLATES_CREATE, EMAIL_TEMPLATES_UPDATE,
    EMAIL_TEMPLATES_VIEW, MAILBOX_RESEND, MAILBOX_VIEW, ROLES_CREATE, ROLES_DELETE, ROLES_UPDATE, ROLES_VIEW,
    USERS_CREATE, USERS_DELETE, USERS_LIST, USERS_UPDATE, USERS_VIEW,
};
use crate::domain::{DomainError, Millis};
use crate::http::cookie::{SameSite, SetCookie};
use crate::http::request::{Params, RequestBody, Scheme};
use crate::http::response::{self, HttpResponse};
use crate::store::TenantId;

pub const PREFIX: &str = "/carbon";
pub const LOGIN_PAGE: &str = "/carbon/admin/login.jsp";
pub const LOGIN_ACTION: &str = "/carbon/admin/login_action.jsp";
pub const LOGOUT_ACTION: &str = "/carbon/admin/logout_action.jsp";
pub const HOME: &str = "/carbon/admin/index.jsp";
pub const USERS_HOME: &str = "/carbon/user/user-mgt.jsp";
pub const USERS: &str = "/carbon/user/list-users.jsp";
pub const ADD_USER: &str = "/carbon/user/add-user.jsp";
pub const USER: &str = "/carbon/user/view-user.jsp";
pub const USER_ROLES: &str = "/carbon/user/update-roles.jsp";
pub const FORCE_RESET: &str = "/carbon/user/force-reset.jsp";
pub const UNLOCK: &str = "/carbon/user/unlock.jsp";
pub const CHANGE_PASSWORD: &str = "/carbon/user/change-password.jsp";
pub const DELETE_USER: &str = "/carbon/user/delete-user.jsp";
pub const PROFILE: &str = "/carbon/userprofile/edit.jsp";
pub const ROLES: &str = "/carbon/role/role-mgt.jsp";
pub const ADD_ROLE: &str = "/carbon/role/add-role.jsp";
pub const ROLE: &str = "/carbon/role/view-role.jsp";
pub const ROLE_USERS: &str = "/carbon/role/update-users.jsp";
pub const DELETE_ROLE: &str = "/carbon/role/delete-role.jsp";
pub const DIALECTS: &str = "/carbon/identity-claim-mgt/list-dialects.jsp";
pub const CLAIMS: &str = "/carbon/identity-claim-mgt/list-local-claims.jsp";
pub const CLAIM: &str = "/carbon/identity-claim-mgt/update-local-claim.jsp";
pub const RESIDENT: &str = "/carbon/idpmgt/idp-mgt-edit-local.jsp";
pub const SAVE_RESIDENT: &str = "/carbon/idpmgt/idp-mgt-edit-finish-local.jsp";
pub const MAILBOX: &str = "/carbon/mailbox/index.jsp";
pub const MAIL: &str = "/carbon/mailbox/view.jsp";
pub const MAIL_PREVIEW: &str = "/carbon/mailbox/preview.jsp";
pub const RETRY_MAIL: &str = "/carbon/mailbox/retry.jsp";
pub const AUDIT: &str = "/carbon/audit/index.jsp";
pub const APPLICATIONS: &str = "/carbon/application/list-service-providers.jsp";
pub const ADD_APPLICATION: &str = "/carbon/application/add-service-provider.jsp";
pub const DELETE_APPLICATION: &str = "/carbon/application/remove-service-provider.jsp";
pub const TEMPLATES_HOME: &str = "/carbon/email-mgt/email-template-mgt.jsp";
pub const ADD_TEMPLATE_TYPE: &str = "/carbon/email-mgt/email-template-type-add.jsp";
pub const ADD_TEMPLATE_TYPE_FINISH: &str = "/carbon/email-mgt/email-template-type-add-finish-ajaxprocessor.jsp";
pub const ADD_TEMPLATE: &str = "/carbon/email-mgt/email-template-add.jsp";
pub const ADD_TEMPLATE_FINISH: &str = "/carbon/email-mgt/email-template-add-finish-ajaxprocessor.jsp";
pub const TEMPLATES: &str = "/carbon/email-mgt/email-template-config.jsp";
pub const SAVE_TEMPLATE: &str = "/carbon/email-mgt/email-template-config-finish-ajaxprocessor.jsp";
/// forcereset's preview (WSO2 has none): the form with the rendered draft, and the frame showing it.
pub const PREVIEW_TEMPLATE: &str = "/carbon/email-mgt/email-template-preview.jsp";
pub const PREVIEW_FRAME: &str = "/carbon/email-mgt/email-template-preview-frame.jsp";

/// Configure → Multitenancy (carbon-multitenancy `org.wso2.carbon.tenant.mgt.ui`, WSO2's paths and field names).
/// `add_tenant.jsp?domain=…` is WSO2's page for one tenant.
pub const TENANTS: &str = "/carbon/tenant-mgt/view_tenants.jsp";
pub const ADD_TENANT: &str = "/carbon/tenant-mgt/add_tenant.jsp";
pub const SUBMIT_TENANT: &str = "/carbon/tenant-mgt/submit_tenant_ajaxprocessor.jsp";
pub const ACTIVATE_TENANT: &str = "/carbon/tenant-mgt/activate_tenant_ajaxprocessor.jsp";

/// The console's session cookie (Carbon's name), scoped to the console's path.
pub const SESSION_COOKIE: &str = "JSESSIONID";
const COOKIE_PATH: &str = "/carbon";
/// The purpose every console form token is derived for.
const CSRF_PURPOSE: &str = "console";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Get,
    Post,
}

/// What a route does; [`dispatch`] maps it to its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Home,
    Logout,
    UsersHome,
    Users,
    AddUserForm,
    AddUser,
    User,
    UserRoles,
    ForceReset,
    Unlock,
    ChangePassword,
    DeleteUser,
    Profile,
    SaveProfile,
    Roles,
    AddRoleForm,
    AddRole,
    Role,
    RoleUsers,
    DeleteRole,
    Dialects,
    Claims,
    ClaimForm,
    SaveClaim,
    Resident,
    SaveResident,
    Mailbox,
    Mail,
    MailPreview,
    RetryMail,
    Audit,
    Applications,
    AddApplication,
    DeleteApplication,
    TemplatesHome,
    AddTemplateTypeForm,
    AddTemplateType,
    AddTemplateForm,
    AddTemplate,
    Templates,
    SaveTemplate,
    PreviewTemplate,
    PreviewFrame,
    Tenants,
    TenantForm,
    AddTenant,
    ActivateTenant,
}

/// One console route and the permission it needs beyond `/permission/admin/login`.
#[derive(Debug, Clone, Copy)]
struct Route {
    verb: Verb,
    path: &'static str,
    page: Page,
    permission: &'static str,
}

const fn get(path: &'static str, page: Page, permission: &'static str) -> Route {
    Route {
        verb: Verb::Get,
        path,
        page,
        permission,
    }
}

const fn post(path: &'static str, page: Page, permission: &'static str) -> Route {
    Route {
        verb: Verb::Post,
        path,
        page,
        permission,
    }
}

/// Every page and action behind the login, with the permission each needs (WSO2's, or the closest WSO2 path).
const ROUTES: &[Route] = &[
    get(HOME, Page::Home, permissions::LOGIN),
    post(LOGOUT_ACTION, Page::Logout, permissions::LOGIN),
    get(USERS_HOME, Page::UsersHome, USERS_LIST),
    get(USERS, Page::Users, USERS_LIST),
    get(ADD_USER, Page::AddUserForm, USERS_CREATE),
    post(ADD_USER, Page::AddUser, USERS_CREATE),
    get(USER, Page::User, USERS_VIEW),
    post(USER_ROLES, Page::UserRoles, USERS_UPDATE),
    post(FORCE_RESET, Page::ForceReset, USERS_UPDATE),
    post(UNLOCK, Page::Unlock, USERS_UPDATE),
    post(CHANGE_PASSWORD, Page::ChangePassword, USERS_UPDATE),
    post(DELETE_USER, Page::DeleteUser, USERS_DELETE),
    get(PROFILE, Page::Profile, permissions::USER_PROFILES_VIEW),
    post(PROFILE, Page::SaveProfile, permissions::USER_PROFILES),
    get(ROLES, Page::Roles, USERS_VIEW),
    get(ADD_ROLE, Page::AddRoleForm, ROLES_CREATE),
    post(ADD_ROLE, Page::AddRole, ROLES_CREATE),
    get(ROLE, Page::Role, ROLES_VIEW),
    post(ROLE_USERS, Page::RoleUsers, ROLES_UPDATE),
    post(DELETE_ROLE, Page::DeleteRole, ROLES_DELETE),
    get(DIALECTS, Page::Dialects, CLAIM_METADATA_VIEW),
    get(CLAIMS, Page::Claims, CLAIM_METADATA_VIEW),
    get(CLAIM, Page::ClaimForm, CLAIM_METADATA_UPDATE),
    post(CLAIM, Page::SaveClaim, CLAIM_METADATA_UPDATE),
    get(RESIDENT, Page::Resident, permissions::GOVERNANCE_VIEW),
    post(SAVE_RESIDENT, Page::SaveResident, permissions::GOVERNANCE_UPDATE),
    get(MAILBOX, Page::Mailbox, MAILBOX_VIEW),
    get(MAIL, Page::Mail, MAILBOX_VIEW),
    get(MAIL_PREVIEW, Page::MailPreview, MAILBOX_VIEW),
    post(RETRY_MAIL, Page::RetryMail, MAILBOX_RESEND),
    get(AUDIT, Page::Audit, AUDIT_VIEW),
    get(APPLICATIONS, Page::Applications, permissions::APPLICATIONS_VIEW),
    post(ADD_APPLICATION, Page::AddApplication, permissions::APPLICATIONS_CREATE),
    post(
        DELETE_APPLICATION,
        Page::DeleteApplication,
        permissions::APPLICATIONS_DELETE,
    ),
    // NOTIF email-mgt.ui component.xml and services.xml: Add needs emailmgt/create, List emailmgt/view; saving
    // and deleting share WSO2's one path, so it needs update and the delete use case checks emailmgt/delete.
    get(TEMPLATES_HOME, Page::TemplatesHome, EMAIL_TEMPLATES_CREATE),
    get(ADD_TEMPLATE_TYPE, Page::AddTemplateTypeForm, EMAIL_TEMPLATES_CREATE),
    post(ADD_TEMPLATE_TYPE_FINISH, Page::AddTemplateType, EMAIL_TEMPLATES_CREATE),
    get(ADD_TEMPLATE, Page::AddTemplateForm, EMAIL_TEMPLATES_CREATE),
    post(ADD_TEMPLATE_FINISH, Page::AddTemplate, EMAIL_TEMPLATES_CREATE),
    get(TEMPLATES, Page::Templates, EMAIL_TEMPLATES_VIEW),
    post(SAVE_TEMPLATE, Page::SaveTemplate, EMAIL_TEMPLATES_UPDATE),
    post(PREVIEW_TEMPLATE, Page::PreviewTemplate, EMAIL_TEMPLATES_VIEW),
    get(PREVIEW_FRAME, Page::PreviewFrame, EMAIL_TEMPLATES_VIEW),
    // The permissions the tenant use cases check (MT services.xml: list under monitor/tenants/list, add and get
    // under monitor/tenants, activation under modify/tenants).
    get(TENANTS, Page::Tenants, permissions::TENANTS_LIST),
    get(ADD_TENANT, Page::TenantForm, permissions::TENANTS_MANAGE),
    post(SUBMIT_TENANT, Page::AddTenant, permissions::TENANTS_MANAGE),
    post(ACTIVATE_TENANT, Page::ActivateTenant, permissions::TENANTS_MODIFY),
];

/// WSO2's super-tenant-only permission subtree (tenant management).
const PROTECTED: &str = "/permission/protected";

/// May `actor` pass the gate of a route needing `permission`? Beyond the permission, the protected subtree is
/// the super tenant's: Carbon shows its `require-super-tenant` pages to no tenant's user.
fn permitted(actor: &Actor, permission: &str) -> bool {
    actor.has(permission) && (actor.tenant() == TenantId::SUPER || !permissions::grants(PROTECTED, permission))
}

/// Form fields that carry a document (a template's body and footer): allowed up to [`input::MAX_TEXT_CHARS`].
const TEXT_FIELDS: [&str; 2] = ["emailBody", "emailFooter"];

/// Is `path` the console's?
pub fn serves(path: &str) -> bool {
    path == PREFIX || path.starts_with("/carbon/")
}

/// A signed-in console user, checked against the store on this request.
pub(super) struct Session {
    /// The session token (the cookie's value).
    pub token: String,
    /// The name the header shows: `admin` in the super tenant, `kim@a.com` in a tenant (as Carbon's header).
    pub user: String,
    pub actor: Actor,
    /// The form token every console form carries.
    pub csrf: String,
    /// When the request arrived.
    pub now: Millis,
}

/// What a handler receives: the app, the session, and the query (GET) or form (POST) parameters.
pub(super) struct Ctx {
    pub app: Arc<App>,
    pub session: Session,
    pub params: Params,
}

/// Answer a request for a console path (`HEAD` has already become `GET`).
pub async fn handle(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    if scheme == Scheme::Http && app.settings().https_enabled && !app.settings().admin_over_http {
        return to_https(&app, &req);
    }
    let path = req.uri().path().to_string();
    let verb = match *req.method() {
        Method::GET => Verb::Get,
        Method::POST => Verb::Post,
        _ => return allowed_methods(&path),
    };
    match (verb, path.as_str()) {
        (Verb::Get, PREFIX | "/carbon/" | "/carbon/admin" | "/carbon/admin/") => return see_other(HOME),
        (Verb::Get, LOGIN_PAGE) => {
            return auth::login_page(&app, req.headers().clone(), req.uri().clone(), scheme).await;
        }
        (Verb::Post, LOGIN_ACTION) => return auth::login_action(app, req, scheme).await,
        _ => {}
    }
    let Some(route) = ROUTES.iter().find(|r| r.path == path && r.verb == verb) else {
        return allowed_methods(&path);
    };
    let session = match open_session(&app, req.headers()).await {
        Ok(Some(s)) => s,
        // "Expired" only for a browser that had a session: a first visit is just asked to sign in.
        Ok(None) if cookies(req.headers(), SESSION_COOKIE).is_empty() => return see_other(LOGIN_PAGE),
        Ok(None) => return see_other(&format!("{LOGIN_PAGE}?session=expired")),
        Err(resp) => return resp,
    };
    if !session.actor.has(permissions::LOGIN) {
        return view::refusal(
            &session,
            "Access denied",
            &format!(
                "{} may not use the management console: none of the user's roles holds {}.",
                session.user,
                permissions::LOGIN
            ),
        );
    }
    let params = match verb {
        Verb::Get => Params::from_query(req.uri()),
        Verb::Post => match input::read_form(req).await {
            Ok((_, form)) => form,
            Err(bad) => return view::bad_input(&session, &bad),
        },
    };
    // Every value bounded once here, so handlers may take any field as it is.
    let limit = |name: &str| {
        if TEXT_FIELDS.contains(&name) {
            input::MAX_TEXT_CHARS
        } else {
            input::MAX_FIELD_CHARS
        }
    };
    if let Some((name, _)) = params.0.iter().find(|(k, v)| v.chars().count() > limit(k)) {
        let bad = BadInput::Bad(format!("The field '{name}' is longer than {} characters.", limit(name)));
        return view::bad_input(&session, &bad);
    }
    if verb == Verb::Post && !csrf::verify(params.get("csrf").unwrap_or_default(), CSRF_PURPOSE, &[&session.token]) {
        return view::refusal(
            &session,
            "Request not accepted",
            "This form did not come from your console session (its CSRF token is missing or wrong), so nothing was \
             changed. Open the page again from the menu and retry.",
        );
    }
    if !permitted(&session.actor, route.permission) {
        let why = if session.actor.has(route.permission) {
            format!(
                "You are not authorized to use this page: it is the super tenant's ({}), and {} signed in to \
                 another tenant. Nothing was changed.",
                crate::domain::tenant::SUPER_DOMAIN,
                session.user
            )
        } else {
            format!(
                "You are not authorized to use this page: none of the roles of {} holds {}. Nothing was changed.",
                session.user, route.permission
            )
        };
        return view::refusal(&session, "Access denied", &why);
    }
    dispatch(route.page, Ctx { app, session, params }, scheme).await
}

async fn dispatch(page: Page, ctx: Ctx, scheme: Scheme) -> HttpResponse {
    match page {
        Page::Home => auth::home(ctx),
        Page::Logout => auth::logout(ctx, scheme),
        Page::UsersHome => users::home(ctx),
        Page::Users => users::list(ctx).await,
        Page::AddUserForm => users::add_form(ctx).await,
        Page::AddUser => users::add(ctx).await,
        Page::User => users::view(ctx).await,
        Page::UserRoles => users::update_roles(ctx).await,
        Page::ForceReset => users::force_reset(ctx).await,
        Page::Unlock => users::unlock(ctx).await,
        Page::ChangePassword => users::change_password(ctx).await,
        Page::DeleteUser => users::delete(ctx).await,
        Page::Profile => users::profile(ctx).await,
        Page::SaveProfile => users::save_profile(ctx).await,
        Page::Roles => roles::list(ctx).await,
        Page::AddRoleForm => roles::add_form(ctx).await,
        Page::AddRole => roles::add(ctx).await,
        Page::Role => roles::view(ctx).await,
        Page::RoleUsers => roles::update_users(ctx).await,
        Page::DeleteRole => roles::delete(ctx).await,
        Page::Dialects => claims::dialects(ctx).await,
        Page::Claims => claims::list(ctx).await,
        Page::ClaimForm => claims::edit_form(ctx).await,
        Page::SaveClaim => claims::save(ctx).await,
        Page::Resident => idp::resident(ctx).await,
        Page::SaveResident => idp::save(ctx).await,
        Page::Mailbox => mailbox::list(ctx).await,
        Page::Mail => mailbox::view(ctx).await,
        Page::MailPreview => mailbox::preview(ctx).await,
        Page::RetryMail => mailbox::retry(ctx).await,
        Page::Audit => mailbox::audit(ctx).await,
        Page::Applications => applications::list(ctx).await,
        Page::AddApplication => applications::add(ctx).await,
        Page::DeleteApplication => applications::delete(ctx).await,
        Page::TemplatesHome => email::home(ctx),
        Page::AddTemplateTypeForm => email::add_type_form(ctx),
        Page::AddTemplateType => email::add_type(ctx).await,
        Page::AddTemplateForm => email::add_form(ctx).await,
        Page::AddTemplate => email::add(ctx).await,
        Page::Templates => email::list(ctx).await,
        Page::SaveTemplate => email::save(ctx).await,
        Page::PreviewTemplate => email::preview(ctx).await,
        Page::PreviewFrame => email::preview_frame(ctx),
        Page::Tenants => tenants::list(ctx).await,
        Page::TenantForm => tenants::form(ctx).await,
        Page::AddTenant => tenants::add(ctx).await,
        Page::ActivateTenant => tenants::activate(ctx).await,
    }
}

/// 404 for a path that is not a console page, else 405 naming the method it takes.
fn allowed_methods(path: &str) -> HttpResponse {
    let gets = ROUTES.iter().any(|r| r.path == path && r.verb == Verb::Get) || path == LOGIN_PAGE;
    let posts = ROUTES.iter().any(|r| r.path == path && r.verb == Verb::Post) || path == LOGIN_ACTION;
    match (gets, posts) {
        (true, true) => response::method_not_allowed("GET, HEAD, POST"),
        (true, false) => response::method_not_allowed("GET, HEAD"),
        (false, true) => response::method_not_allowed("POST"),
        (false, false) => pages::message(
            StatusCode::NOT_FOUND,
            "Page not found",
            None,
            "There is no such page in the management console.",
            Some(pages::Link {
                href: HOME,
                label: "Go to the management console",
            }),
        ),
    }
}

/// Carbon serves its console over HTTPS only: a GET is redirected there, anything else refused.
fn to_https(app: &App, req: &Request<RequestBody>) -> HttpResponse {
    if req.method() != Method::GET {
        return pages::message(
            StatusCode::FORBIDDEN,
            "Use HTTPS",
            None,
            "The management console accepts forms over HTTPS only. Nothing was changed.",
            None,
        );
    }
    let target = req
        .uri()
        .path_and_query()
        .map_or(PREFIX.to_string(), |pq| pq.as_str().to_string());
    see_other(&format!("{}{target}", app.product_url()))
}

/// Every value of cookie `name` the request carries (a browser may hold the console's and a `Path=/` one).
fn cookies(headers: &HeaderMap, name: &str) -> Vec<String> {
    crate::http::cookie::values(headers, name)
        .filter(|v| v.len() <= input::MAX_FIELD_CHARS)
        .map(str::to_string)
        .collect()
}

/// The first live session among the request's `JSESSIONID` cookies, with the user's current permissions. A
/// session whose user was deleted is ended.
async fn open_session(app: &Arc<App>, headers: &HeaderMap) -> Result<Option<Session>, HttpResponse> {
    let now = app.now();
    let Some(session) = cookies(headers, SESSION_COOKIE)
        .into_iter()
        .find_map(|t| app.session(&t))
    else {
        return Ok(None);
    };
    let token = session.token.as_str().to_string();
    let found = super::blocking(app, move |app| {
        let Some(actor) = app.session_actor(&session)? else {
            return Ok(None);
        };
        // A tenant's user is shown as `kim@a.com`; the super tenant's name stays bare, as before tenants.
        let shown = match actor.tenant() {
            TenantId::SUPER => actor.name().to_string(),
            other => match app.tenant_domain(other)? {
                Some(domain) => format!("{}@{domain}", actor.name()),
                None => actor.name().to_string(),
            },
        };
        Ok(Some((actor, shown)))
    })
    .await?;
    match found {
        Ok(Some((actor, user))) => Ok(Some(Session {
            csrf: csrf::token(CSRF_PURPOSE, &[&token]),
            token,
            user,
            actor,
            now,
        })),
        // The user was deleted: the session was ended.
        Ok(None) => Ok(None),
        Err(e) => Err(pages::domain_error(&e)),
    }
}

/// The console session's cookie: `Path=/carbon`, `SameSite=Strict` (nothing outside the console needs it).
fn session_cookie(value: &str) -> SetCookie<'_> {
    SetCookie {
        name: SESSION_COOKIE,
        value,
        path: COOKIE_PATH,
        same_site: Some(SameSite::Strict),
    }
}

/// `303 See Other`: after a POST the browser GETs the location.
fn see_other(location: &str) -> HttpResponse {
    response::see_other(location)
}

/// RFC 3986 unreserved characters stay; everything else is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `path?name=value` with the value percent-encoded.
fn link(path: &str, name: &str, value: &str) -> String {
    format!("{path}?{name}={}", utf8_percent_encode(value, QUERY_VALUE))
}

/// A required, bounded parameter, or the 400 page.
fn required<'a>(ctx: &'a Ctx, name: &str) -> Result<&'a str, HttpResponse> {
    input::required(&ctx.params, name).map_err(|bad| view::bad_input(&ctx.session, &bad))
}

/// An optional, bounded parameter, or the 400 page.
fn optional<'a>(ctx: &'a Ctx, name: &str) -> Result<Option<&'a str>, HttpResponse> {
    input::optional(&ctx.params, name).map_err(|bad| view::bad_input(&ctx.session, &bad))
}

/// Every value of a repeated parameter (checkbox lists); the gate has bounded each.
fn all(ctx: &Ctx, name: &str) -> Result<Vec<String>, HttpResponse> {
    Ok(ctx.params.get_all(name).map(str::to_string).collect())
}

/// Run a use case off the reactor; its error becomes an error page.
async fn run<T, F>(ctx: &Ctx, f: F) -> Result<T, HttpResponse>
where
    T: Send + 'static,
    F: FnOnce(&App, &Actor) -> Result<T, DomainError> + Send + 'static,
{
    let actor = ctx.session.actor.clone();
    match super::blocking(&ctx.app, move |app| f(app, &actor)).await? {
        Ok(v) => Ok(v),
        Err(e) => Err(view::error(&ctx.session, &e)),
    }
}

/// Run an action off the reactor and answer POST → redirect → GET: on success to `ok_to` with the message `f`
/// returns, on a refusal back to `err_to` with the error's words (and `sticky` form values to fill in again).
async fn act<F>(ctx: &Ctx, ok_to: &str, err_to: &str, sticky: Vec<(String, String)>, f: F) -> HttpResponse
where
    F: FnOnce(&App, &Actor) -> Result<String, DomainError> + Send + 'static,
{
    let actor = ctx.session.actor.clone();
    let now = ctx.session.now;
    match super::blocking(&ctx.app, move |app| f(app, &actor)).await {
        Ok(Ok(text)) => {
            flash::put(&ctx.session.token, flash::Flash::notice(text), now);
            see_other(ok_to)
        }
        Ok(Err(e)) => {
            let (status, text) = pages::describe(&e);
            if status.is_server_error() {
                return view::error(&ctx.session, &e);
            }
            flash::put(&ctx.session.token, flash::Flash::alert(text, sticky), now);
            see_other(err_to)
        }
        Err(resp) => resp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_a_console_path_and_unique() {
        for r in ROUTES {
            assert!(serves(r.path), "{}", r.path);
            assert!(permissions::normalize(r.permission).is_some(), "{}", r.permission);
            let same = ROUTES.iter().filter(|o| o.path == r.path && o.verb == r.verb).count();
            assert_eq!(same, 1, "{} {:?}", r.path, r.verb);
        }
        assert!(serves("/carbon"));
        assert!(!serves("/carbonara"));
    }

    #[test]
    fn every_action_needs_more_than_login_except_logout() {
        for r in ROUTES.iter().filter(|r| r.page != Page::Home && r.page != Page::Logout) {
            assert_ne!(r.permission, permissions::LOGIN, "{}", r.path);
        }
    }

    use hyper::header::{self, HeaderValue};

    #[test]
    fn session_cookies_are_all_read() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("JSESSIONID=a; x=1; JSESSIONID=b; JSESSIONID="),
        );
        assert_eq!(cookies(&h, "JSESSIONID"), vec!["a".to_string(), "b".to_string()]);
    }

    #[test]
    fn links_encode_their_values() {
        assert_eq!(link(USER, "username", "a b&c"), format!("{USER}?username=a%20b%26c"));
    }
}
