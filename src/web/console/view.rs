//! Rendering the console's pages (their templates are embedded with the others in `pages`) and the layout every
//! console page shares: the left menu showing only what the user may open, the one-shot message, the sign-out form.

use hyper::StatusCode;
use minijinja::Value;
use serde::Serialize;

use super::flash::{self, Flash};
use super::{
    ADD_TENANT, APPLICATIONS, AUDIT, DIALECTS, HOME, MAILBOX, RESIDENT, ROLES, ROUTES, Session, TEMPLATES,
    TEMPLATES_HOME, TENANTS, USERS, USERS_HOME,
};
use crate::app::Actor;
use crate::domain::DomainError;
use crate::http::response::{self, HttpResponse};
use crate::web::input::BadInput;
use crate::web::pages;

/// Which menu entry a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Home,
    Users,
    Roles,
    Claims,
    Resident,
    Mailbox,
    Audit,
    Applications,
    EmailAdd,
    EmailList,
    TenantAdd,
    TenantList,
}

#[derive(Debug, Clone, Serialize)]
struct NavItem {
    label: &'static str,
    href: &'static str,
    active: bool,
    /// 0 = an entry, 1 = a sub-entry.
    level: u8,
}

#[derive(Debug, Clone, Serialize)]
struct NavSection {
    title: &'static str,
    items: Vec<NavItem>,
}

/// May `actor` open the GET route at `path`? Links are shown by this, so they never lead to a refusal.
pub fn may_open(actor: &Actor, path: &str) -> bool {
    permission_of(path).is_some_and(|p| super::permitted(actor, p))
}

/// The permission the GET route at `path` needs.
fn permission_of(path: &str) -> Option<&'static str> {
    ROUTES
        .iter()
        .find(|r| r.path == path && r.verb == super::Verb::Get)
        .map(|r| r.permission)
}

/// The left menu, like WSO2's (Main → Identity …, Monitor …), with only the entries `actor` may open.
fn nav(actor: &Actor, area: Area) -> Vec<NavSection> {
    let entry = |label, href, level, of: Area| NavItem {
        label,
        href,
        active: of == area,
        level,
    };
    let identity = vec![
        entry("Users and Roles", USERS_HOME, 0, Area::Home),
        entry("Users", USERS, 1, Area::Users),
        entry("Roles", ROLES, 1, Area::Roles),
        entry("Claims", DIALECTS, 0, Area::Home),
        entry("List", DIALECTS, 1, Area::Claims),
        entry("Identity Providers", RESIDENT, 0, Area::Home),
        entry("Resident", RESIDENT, 1, Area::Resident),
        entry("Service Providers", APPLICATIONS, 0, Area::Home),
        entry("List", APPLICATIONS, 1, Area::Applications),
        entry("Email Templates", TEMPLATES, 0, Area::Home),
        entry("Add", TEMPLATES_HOME, 1, Area::EmailAdd),
        entry("List", TEMPLATES, 1, Area::EmailList),
    ];
    // carbon-multitenancy tenant.mgt.ui component.xml: Configure → Multitenancy, super tenant only.
    let configure = vec![
        entry("Multitenancy", TENANTS, 0, Area::Home),
        entry("Add New Tenant", ADD_TENANT, 1, Area::TenantAdd),
        entry("View Tenants", TENANTS, 1, Area::TenantList),
    ];
    let monitor = vec![
        entry("Mailbox", MAILBOX, 0, Area::Mailbox),
        entry("Audit Log", AUDIT, 0, Area::Audit),
    ];
    let allowed = |items: Vec<NavItem>| -> Vec<NavItem> {
        items
            .into_iter()
            .filter(|i| may_open(actor, i.href))
            .map(|mut i| {
                // A heading is only "active" through its sub-entries.
                if i.level == 0 && i.href != MAILBOX && i.href != AUDIT {
                    i.active = false;
                }
                i
            })
            .collect()
    };
    let mut sections = vec![NavSection {
        title: "Main",
        items: vec![NavItem {
            label: "Home",
            href: HOME,
            active: area == Area::Home,
            level: 0,
        }],
    }];
    let identity = allowed(identity);
    if !identity.is_empty() {
        sections.push(NavSection {
            title: "Identity",
            items: identity,
        });
    }
    let configure = allowed(configure);
    if !configure.is_empty() {
        sections.push(NavSection {
            title: "Configure",
            items: configure,
        });
    }
    let monitor = allowed(monitor);
    if !monitor.is_empty() {
        sections.push(NavSection {
            title: "Monitor",
            items: monitor,
        });
    }
    sections
}

/// Render `template` with `status` as a console page for `session`, merging the layout's values into `ctx`. Takes
/// the session's one-shot message unless the caller already took it (`flash`).
pub fn page(
    status: StatusCode,
    template: &str,
    title: &str,
    area: Area,
    session: &Session,
    flash: Option<Flash>,
    ctx: Value,
) -> HttpResponse {
    let now_flash = flash.or_else(|| flash::take(&session.token, session.now));
    render(
        status,
        template,
        minijinja::context! {
            title => title,
            user => &session.user,
            csrf => &session.csrf,
            nav => nav(&session.actor, area),
            flash => now_flash,
            ..ctx
        },
    )
}

/// Render a console template outside a session (the login page).
pub fn render(status: StatusCode, name: &str, ctx: Value) -> HttpResponse {
    match pages::render_to_string(name, ctx) {
        Ok(html) => response::html(status, html),
        Err(e) => {
            tracing::error!(template = name, error = %e, "cannot render console page");
            pages::internal_error()
        }
    }
}

/// A 403 page inside the console: which check refused the request.
pub fn refusal(session: &Session, title: &str, text: &str) -> HttpResponse {
    message(StatusCode::FORBIDDEN, session, title, text)
}

/// A use case's error as a console page.
pub fn error(session: &Session, e: &DomainError) -> HttpResponse {
    let (status, text) = pages::describe(e);
    let title = if status.is_server_error() {
        "Something went wrong"
    } else {
        "The request cannot be completed"
    };
    message(status, session, title, &text)
}

/// Input refused before any use case ran.
pub fn bad_input(session: &Session, bad: &BadInput) -> HttpResponse {
    message(
        bad.status(),
        session,
        "The request cannot be processed",
        &format!("{} Nothing was changed.", bad.message()),
    )
}

/// A console page with one message and `status`.
pub fn message(status: StatusCode, session: &Session, title: &str, text: &str) -> HttpResponse {
    render(
        status,
        "console/message.html",
        minijinja::context! {
            title => title,
            text => text,
            user => &session.user,
            csrf => &session.csrf,
            nav => nav(&session.actor, Area::Home),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_menu_shows_only_what_the_user_may_open() {
        let login_only = Actor::User {
            tenant: crate::store::TenantId::SUPER,
            name: "bob".into(),
            permissions: vec![crate::domain::permissions::LOGIN.into()],
        };
        let sections = nav(&login_only, Area::Home);
        assert_eq!(sections.len(), 1);
        assert_eq!(sections[0].items.len(), 1, "only Home");
        let all = nav(&Actor::System, Area::Claims);
        let labels: Vec<&str> = all.iter().flat_map(|s| s.items.iter().map(|i| i.label)).collect();
        assert_eq!(
            labels,
            [
                "Home",
                "Users and Roles",
                "Users",
                "Roles",
                "Claims",
                "List",
                "Identity Providers",
                "Resident",
                "Service Providers",
                "List",
                "Email Templates",
                "Add",
                "List",
                "Multitenancy",
                "Add New Tenant",
                "View Tenants",
                "Mailbox",
                "Audit Log"
            ]
        );
        let active: Vec<&str> = all
            .iter()
            .flat_map(|s| s.items.iter().filter(|i| i.active).map(|i| i.label))
            .collect();
        assert_eq!(active, ["List"]);
    }

    #[test]
    fn the_tenants_menu_needs_its_permission() {
        let labels = |actor: &Actor| -> Vec<&'static str> {
            nav(actor, Area::Home)
                .iter()
                .flat_map(|s| s.items.iter().map(|i| i.label))
                .collect()
        };
        // A tenant's session is refused the section too (no TenantId but the store's can name one here: the
        // integration test console_tenants covers it).
        let lister = Actor::User {
            tenant: crate::store::TenantId::SUPER,
            name: "lee".into(),
            permissions: vec![crate::domain::permissions::TENANTS_LIST.into()],
        };
        assert_eq!(labels(&lister), ["Home", "Multitenancy", "View Tenants"]);
    }
}
