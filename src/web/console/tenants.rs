//! Configure → Multitenancy, the super tenant's pages (carbon-multitenancy `org.wso2.carbon.tenant.mgt.ui`, whose
//! paths and field names they keep): View Tenants (`view_tenants.jsp`, paged by `pageNumber` from 0), Add New
//! Tenant (`add_tenant.jsp` posting to `submit_tenant_ajaxprocessor.jsp`), one tenant (`add_tenant.jsp?domain=…`,
//! WSO2's "Edit" page, here read-only: tenants are not updated) and activation
//! (`activate_tenant_ajaxprocessor.jsp` with `tenant.domain` and `activate`). The use cases are `app::tenants`;
//! a refusal shows the release's words ([`TenantRefusal::message`]) on the form, nothing changed.

use hyper::StatusCode;
use serde::Serialize;

use super::flash::{self, Flash};
use super::view::{self, Area};
use super::{ADD_TENANT, Ctx, TENANTS, link, optional, required, see_other};
use crate::app::{Actor, App, TenantRefusal, TenantSpec};
use crate::domain::permissions::TENANTS_MODIFY;
use crate::domain::secret::Secret;
use crate::domain::tenant::SUPER_DOMAIN;
use crate::http::response::HttpResponse;
use crate::store::{TenantId, TenantRecord};
use crate::util::format_utc;
use crate::web::pages;

const TENANTS_PER_PAGE: i64 = 20;
/// The highest page number accepted (0-based); it keeps offsets from overflowing.
const MAX_PAGE: i64 = 1_000_000;
/// The add form's fields, WSO2's names; the passwords are never filled in again.
const STICKY: [&str; 5] = ["domain", "admin", "admin-email", "admin-firstname", "admin-lastname"];

#[derive(Debug, Serialize)]
struct Row {
    domain: String,
    href: Option<String>,
    email: String,
    admin: String,
    created: String,
    active: bool,
    /// Activation can be changed here (not the super tenant's, not without the permission).
    switchable: bool,
}

fn row(t: TenantRecord, actor: &Actor) -> Row {
    Row {
        href: view::may_open(actor, ADD_TENANT).then(|| link(ADD_TENANT, "domain", &t.domain)),
        switchable: t.id != TenantId::SUPER && actor.has(TENANTS_MODIFY),
        created: format_utc(t.created_at),
        domain: t.domain,
        email: t.email,
        admin: t.admin,
        active: t.active,
    }
}

/// Links to the previous and next page (WSO2's `pageNumber`, from 0).
#[derive(Debug, Serialize)]
struct Pager {
    /// 1-based, for people.
    shown: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

fn pager(page: i64, total: i64) -> Pager {
    let pages = ((total + TENANTS_PER_PAGE - 1) / TENANTS_PER_PAGE).max(1);
    Pager {
        shown: page + 1,
        pages,
        prev: (page > 0).then(|| link(TENANTS, "pageNumber", &(page - 1).to_string())),
        next: (page + 1 < pages).then(|| link(TENANTS, "pageNumber", &(page + 1).to_string())),
    }
}

/// Run a tenant use case off the reactor; a refusal becomes the console's error page.
async fn run_tenants<T, F>(ctx: &Ctx, f: F) -> Result<T, HttpResponse>
where
    T: Send + 'static,
    F: FnOnce(&App, &Actor) -> Result<T, TenantRefusal> + Send + 'static,
{
    let actor = ctx.session.actor.clone();
    let texts = ctx.app.profile().tenancy.texts;
    match super::super::blocking(&ctx.app, move |app| f(app, &actor)).await? {
        Ok(v) => Ok(v),
        Err(TenantRefusal::Domain(e)) => Err(view::error(&ctx.session, &e)),
        Err(refusal) => Err(view::message(
            StatusCode::BAD_REQUEST,
            &ctx.session,
            "The request cannot be completed",
            &refusal.message(texts),
        )),
    }
}

/// `GET /carbon/tenant-mgt/view_tenants.jsp?pageNumber=…`.
pub async fn list(ctx: Ctx) -> HttpResponse {
    let page = match optional(&ctx, "pageNumber") {
        Ok(p) => p
            .and_then(|p| p.trim().parse::<i64>().ok())
            .filter(|p| (0..=MAX_PAGE).contains(p))
            .unwrap_or(0),
        Err(resp) => return resp,
    };
    let offset = page * TENANTS_PER_PAGE;
    let (tenants, total) = match run_tenants(&ctx, move |app, a| app.list_tenants(a, offset, TENANTS_PER_PAGE)).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let actor = &ctx.session.actor;
    let rows: Vec<Row> = tenants.into_iter().map(|t| row(t, actor)).collect();
    view::page(
        StatusCode::OK,
        "console/tenants.html",
        "View Tenants",
        Area::TenantList,
        &ctx.session,
        None,
        minijinja::context! {
            rows => rows,
            total => total,
            pager => pager(page, total),
            add_href => view::may_open(actor, ADD_TENANT).then_some(ADD_TENANT),
        },
    )
}

/// `GET /carbon/tenant-mgt/add_tenant.jsp`: the add form, or with `domain` that tenant's page.
pub async fn form(ctx: Ctx) -> HttpResponse {
    let domain = match optional(&ctx, "domain") {
        Ok(d) => d.map(str::trim).filter(|d| !d.is_empty()).map(str::to_string),
        Err(resp) => return resp,
    };
    match domain {
        Some(domain) => one(ctx, domain).await,
        None => add_form(ctx),
    }
}

fn add_form(ctx: Ctx) -> HttpResponse {
    let flash = flash::take(&ctx.session.token, ctx.session.now);
    let sticky = flash.clone().unwrap_or_else(|| Flash::notice(String::new()));
    let value = |name: &str| sticky.field(name).unwrap_or_default().to_string();
    view::page(
        StatusCode::OK,
        "console/tenant_add.html",
        "Register A New Organization",
        Area::TenantAdd,
        &ctx.session,
        flash.filter(|f| !f.text.is_empty()),
        minijinja::context! {
            domain => value("domain"),
            admin => value("admin"),
            email => value("admin-email"),
            first_name => value("admin-firstname"),
            last_name => value("admin-lastname"),
        },
    )
}

/// One tenant (WSO2's "Edit" link, here read-only) with its activation form.
async fn one(ctx: Ctx, domain: String) -> HttpResponse {
    let d = domain.clone();
    let found = match run_tenants(&ctx, move |app, a| app.find_tenant(a, &d)).await {
        Ok(f) => f,
        Err(resp) => return resp,
    };
    let texts = ctx.app.profile().tenancy.texts;
    let Some(tenant) = found else {
        return view::message(
            StatusCode::NOT_FOUND,
            &ctx.session,
            "The request cannot be completed",
            &TenantRefusal::UnknownDomain(domain).message(texts),
        );
    };
    let actor = &ctx.session.actor;
    let title = format!("Tenant {}", tenant.domain);
    let super_tenant = tenant.id == TenantId::SUPER;
    view::page(
        StatusCode::OK,
        "console/tenant.html",
        &title,
        Area::TenantList,
        &ctx.session,
        None,
        minijinja::context! {
            domain => &tenant.domain,
            tenant_id => tenant.id.get(),
            admin => if super_tenant { "" } else { tenant.admin.as_str() },
            email => &tenant.email,
            created => format_utc(tenant.created_at),
            active => tenant.active,
            can_switch => !super_tenant && actor.has(TENANTS_MODIFY),
            super_domain => SUPER_DOMAIN,
        },
    )
}

/// `POST /carbon/tenant-mgt/submit_tenant_ajaxprocessor.jsp`: add a tenant, then View Tenants; a refusal goes
/// back to the form with its words and what was typed (no passwords).
pub async fn add(ctx: Ctx) -> HttpResponse {
    let (spec, repeat) = match read_spec(&ctx) {
        Ok(read) => read,
        Err(resp) => return resp,
    };
    let sticky: Vec<(String, String)> = ctx
        .params
        .0
        .iter()
        .filter(|(k, _)| STICKY.contains(&k.as_str()))
        .cloned()
        .collect();
    let back = |text: String| {
        flash::put(&ctx.session.token, Flash::alert(text, sticky.clone()), ctx.session.now);
        see_other(ADD_TENANT)
    };
    if spec.password.expose() != repeat {
        return back("The password and its confirmation do not match. Nothing was changed.".to_string());
    }
    let actor = ctx.session.actor.clone();
    let texts = ctx.app.profile().tenancy.texts;
    match super::super::blocking(&ctx.app, move |app| app.add_tenant(&actor, &spec)).await {
        Ok(Ok(made)) => {
            let text = format!("You have successfully added a new tenant with domain: {}", made.domain);
            flash::put(&ctx.session.token, Flash::notice(text), ctx.session.now);
            see_other(TENANTS)
        }
        Ok(Err(TenantRefusal::Domain(e))) => {
            let (status, text) = pages::describe(&e);
            if status.is_server_error() {
                return view::error(&ctx.session, &e);
            }
            back(text)
        }
        Ok(Err(refusal)) => back(refusal.message(texts)),
        Err(resp) => resp,
    }
}

/// The add form's fields as a [`TenantSpec`], and the repeated password.
fn read_spec(ctx: &Ctx) -> Result<(TenantSpec, String), HttpResponse> {
    let field = |name: &str| optional(ctx, name).map(|v| v.unwrap_or_default().trim().to_string());
    let spec = TenantSpec {
        domain: required(ctx, "domain")?.trim().to_string(),
        admin: field("admin")?,
        password: Secret::new(required(ctx, "admin-password")?),
        email: field("admin-email")?,
        first_name: field("admin-firstname")?,
        last_name: field("admin-lastname")?,
    };
    Ok((spec, required(ctx, "admin-password-repeat")?.to_string()))
}

/// `POST /carbon/tenant-mgt/activate_tenant_ajaxprocessor.jsp` (`tenant.domain`, `activate=true|false`), then
/// back to the page it came from.
pub async fn activate(ctx: Ctx) -> HttpResponse {
    let (domain, activate) = match (required(&ctx, "tenant.domain"), required(&ctx, "activate")) {
        (Ok(d), Ok(a)) => (d.trim().to_string(), a.trim().to_string()),
        (Err(resp), _) | (_, Err(resp)) => return resp,
    };
    // WSO2 changes nothing for a value other than true/false.
    let active = match activate.to_ascii_lowercase().as_str() {
        "true" => true,
        "false" => false,
        _ => {
            return view::bad_input(
                &ctx.session,
                &crate::web::input::BadInput::Bad("The field 'activate' must be true or false.".into()),
            );
        }
    };
    let back = match optional(&ctx, "from") {
        Ok(Some("tenant")) => link(ADD_TENANT, "domain", &domain),
        Ok(_) => TENANTS.to_string(),
        Err(resp) => return resp,
    };
    let d = domain.clone();
    let changed = match run_tenants(&ctx, move |app, a| app.set_tenant_active(a, &d, active)).await {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    let text = if changed.active {
        format!("Tenant {} was activated.", changed.domain)
    } else {
        format!(
            "Tenant {} was deactivated: its users can no longer sign in, and their sessions have ended.",
            changed.domain
        )
    };
    flash::put(&ctx.session.token, Flash::notice(text), ctx.session.now);
    see_other(&back)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_count_from_zero_as_wso2_s() {
        let first = pager(0, 45);
        assert_eq!((first.shown, first.pages), (1, 3));
        assert_eq!(first.prev, None);
        assert_eq!(
            first.next.as_deref(),
            Some("/carbon/tenant-mgt/view_tenants.jsp?pageNumber=1")
        );
        let last = pager(2, 45);
        assert_eq!(
            last.prev.as_deref(),
            Some("/carbon/tenant-mgt/view_tenants.jsp?pageNumber=1")
        );
        assert_eq!(last.next, None);
        assert_eq!(pager(0, 0).pages, 1);
        assert_eq!(pager(0, 20).next, None);
    }
}
