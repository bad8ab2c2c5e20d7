//! TenantMgtAdminService: tenants added, listed, looked up, activated and deactivated by the super tenant (MT
//! `components/tenant-mgt/org.wso2.carbon.tenant.mgt`: `META-INF/services.xml` and
//! `services/TenantMgtAdminService.java`, the same signatures at v4.7.11 … v4.11.45; docs/design/tenants.md §1.1).
//!
//! Every operation is `superTenantService` (KERNEL `TenantAuthorizationHandler` refuses another tenant's caller
//! before the permission check, [`super::execute`]). Refusals arrive as the service's `Exception` fault with the
//! release's text ([`TenantRefusal::message`]).

use super::decode::Fields;
use super::fault::ExceptionShape;
use super::writer::{Out, finish_response, response};
use super::xml::XSI;
use super::{Cx, Outcome, ServiceDef, op, quick};
use crate::app::{TenantDetails, TenantRefusal, TenantSpec};
use crate::domain::secret::Secret;
use crate::domain::{DomainError, permissions};
use crate::store::TenantRecord;

pub const NS: &str = "http://services.mgt.tenant.carbon.wso2.org";
/// `TenantInfoBean` (org.wso2.carbon.tenant.common, package `org.wso2.carbon.stratos.common.beans`).
const BEANS: &str = "http://beans.common.stratos.carbon.wso2.org/xsd";
/// `PaginatedTenantInfoBean`.
const MGT_BEANS: &str = "http://beans.mgt.tenant.carbon.wso2.org/xsd";

/// The service's methods throw `java.lang.Exception`; the stub WSDL (MT `service-stubs/…/TenantMgtAdminService.wsdl`
/// at v4.9.8) names the fault element and the bean inside it `TenantMgtAdminServiceException`, of type `Exception`.
pub const EXCEPTION: ExceptionShape = ExceptionShape {
    ns: NS,
    element: "TenantMgtAdminServiceException",
    bean: "TenantMgtAdminServiceException",
    type_ns: NS,
    type_name: "Exception",
};

/// Tenants per page of `retrievePaginatedTenants`: Carbon's `DataPaginator` reads carbon.xml `ItemsPerPage`.
/// UNCONFIRMED value; 15 is MT's own default page size elsewhere (`TenantMgtUtil.getDefaultItemsPerPage`, the
/// REST API's default limit).
pub const ITEMS_PER_PAGE: usize = 15;

const BEAN_FIELDS: &[&str] = &[
    "active",
    "admin",
    "adminPassword",
    "createdDate",
    "email",
    "firstname",
    "lastname",
    "originatedService",
    "successKey",
    "tenantDomain",
    "tenantId",
    "usagePlan",
];

/// services.xml: adding, listing and reading need `…/monitor/tenants` (listing: `…/monitor/tenants/list`),
/// changing a tenant's state `…/modify/tenants`. A single tenant's read is a point read: quick.
pub const SERVICE: ServiceDef = ServiceDef {
    name: "TenantMgtAdminService",
    namespace: NS,
    exception: EXCEPTION,
    super_tenant: true,
    ops: &[
        op("addTenant", permissions::TENANTS_MANAGE, &["tenantInfoBean"], add),
        quick(
            "checkDomainAvailability",
            permissions::TENANTS_MANAGE,
            &["domainName"],
            availability,
        )
        .when(|p| p.tenancy.check_domain_availability),
        op("retrieveTenants", permissions::TENANTS_LIST, &[], list),
        op(
            "retrievePaginatedTenants",
            permissions::TENANTS_MANAGE,
            &["pageNumber"],
            paginated,
        ),
        quick("getTenant", permissions::TENANTS_MANAGE, &["tenantDomain"], get),
        op(
            "activateTenant",
            permissions::TENANTS_MODIFY,
            &["tenantDomain"],
            activate,
        ),
        op(
            "deactivateTenant",
            permissions::TENANTS_MODIFY,
            &["tenantDomain"],
            deactivate,
        ),
        op("deleteTenant", permissions::TENANTS_MODIFY, &["tenantDomain"], delete),
    ],
};

/// A refusal in the release's words, as the service's business fault; access and store failures stay what they are.
fn refused(cx: &Cx<'_>, r: TenantRefusal) -> DomainError {
    match r {
        TenantRefusal::Domain(e) => e,
        other @ (TenantRefusal::InvalidEmail
        | TenantRefusal::InvalidDomain(_)
        | TenantRefusal::DomainTaken(_)
        | TenantRefusal::Missing(_)
        | TenantRefusal::UnknownDomain(_)
        | TenantRefusal::UnknownId(_)) => DomainError::InvalidInput(other.message(cx.app.profile().tenancy.texts)),
    }
}

fn add(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let bean =
        cx.f.opt_element("tenantInfoBean")?
            .ok_or_else(|| DomainError::InvalidInput("Invalid input parameters: tenantInfoBean is required".into()))?;
    let b = Fields::new(bean, BEANS);
    b.only(BEAN_FIELDS)?;
    let text = |name| b.opt_str(name).map(|v| v.unwrap_or("").to_string());
    let spec = TenantSpec {
        domain: text("tenantDomain")?,
        admin: text("admin")?,
        password: Secret::new(text("adminPassword")?),
        email: text("email")?,
        first_name: text("firstname")?,
        last_name: text("lastname")?,
    };
    let answer = cx.app.register_tenant(cx.actor, &spec).map_err(|r| refused(cx, r))?;
    let mut out = response(NS, cx.op);
    out.text("ns:return", &answer);
    Ok(finish_response(out, cx.op))
}

fn availability(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let domain = cx.f.str_or_empty("domainName")?;
    let free = cx.app.domain_available(cx.actor, domain).map_err(|r| refused(cx, r))?;
    let mut out = response(NS, cx.op);
    out.boolean("ns:return", free);
    Ok(finish_response(out, cx.op))
}

/// Every tenant but the super tenant, which MT's `getAllTenants` never lists (it is not a row of `UM_TENANT`).
fn all_tenants(cx: &Cx<'_>) -> Result<Vec<TenantRecord>, DomainError> {
    let (tenants, _) = cx.app.list_tenants(cx.actor, 0, -1).map_err(|r| refused(cx, r))?;
    Ok(tenants
        .into_iter()
        .filter(|t| t.id != crate::store::TenantId::SUPER)
        .collect())
}

fn list(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let tenants = all_tenants(cx)?;
    let mut out = response(NS, cx.op);
    for t in &tenants {
        bean(&mut out, "ns:return", &[("xmlns:ax", BEANS)], "ax", Some(t), None);
    }
    Ok(finish_response(out, cx.op))
}

/// `DataPaginator.doPaging`: a page number out of range is the last page (or the first, below zero).
fn paginated(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let page = cx.f.opt_int("pageNumber")?.unwrap_or(0);
    let tenants = all_tenants(cx)?;
    let pages = tenants.len().div_ceil(ITEMS_PER_PAGE);
    let page = usize::try_from(page).unwrap_or(0).min(pages.saturating_sub(1));
    let mut out = response(NS, cx.op);
    out.open(
        "ns:return",
        &[
            ("xmlns:ax", MGT_BEANS),
            ("xmlns:ac", BEANS),
            ("xmlns:xsi", XSI),
            ("xsi:type", "ax:PaginatedTenantInfoBean"),
        ],
    );
    out.int("ax:numberOfPages", i64::try_from(pages).unwrap_or(i64::MAX));
    for t in tenants.iter().skip(page * ITEMS_PER_PAGE).take(ITEMS_PER_PAGE) {
        bean(&mut out, "ax:tenantInfoBeans", &[], "ac", Some(t), None);
    }
    out.close("ns:return");
    Ok(finish_response(out, cx.op))
}

/// An unknown domain is not a fault: MT answers the empty bean of `initializeTenantInfoBean(-1, null)` (tenantId 0,
/// inactive), which WSO2's own test client relies on to decide whether to add the tenant.
fn get(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let domain = cx.f.str_or_empty("tenantDomain")?;
    let found = cx.app.tenant_details(cx.actor, domain).map_err(|r| refused(cx, r))?;
    let mut out = response(NS, cx.op);
    match &found {
        Some(TenantDetails {
            record,
            first_name,
            last_name,
        }) => bean(
            &mut out,
            "ns:return",
            &[("xmlns:ax", BEANS)],
            "ax",
            Some(record),
            Some((first_name.as_deref(), last_name.as_deref())),
        ),
        None => bean(
            &mut out,
            "ns:return",
            &[("xmlns:ax", BEANS)],
            "ax",
            None,
            Some((None, None)),
        ),
    }
    Ok(finish_response(out, cx.op))
}

fn activate(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    set_active(cx, true)
}

fn deactivate(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    set_active(cx, false)
}

/// An unknown domain changes nothing and is not a fault: MT's `getTenantId` gives -1 and the `UPDATE` touches no
/// row (docs/design/tenants.md §1.8.2). The answer is the empty response of a void in-out operation.
fn set_active(cx: &Cx<'_>, active: bool) -> Result<Outcome, DomainError> {
    let domain = cx.f.str_or_empty("tenantDomain")?;
    match cx.app.set_tenant_active(cx.actor, domain, active) {
        Ok(_) | Err(TenantRefusal::UnknownDomain(_)) => Ok(Outcome::Payload(String::new())),
        Err(r) => Err(refused(cx, r)),
    }
}

/// MT deletes nothing unless carbon.xml `Tenant.TenantDelete` is true, which forcereset does not offer: the empty
/// answer, no fault. The caller still needs the permission (checked before this runs).
fn delete(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    cx.f.str_or_empty("tenantDomain")?;
    Ok(Outcome::Payload(String::new()))
}

/// A `TenantInfoBean` as Axis2 writes it: every property in order, Java's defaults where unset, the admin's
/// password never (it is nil, as in a bean MT builds from a stored tenant). `names` is `getTenant`'s admin names
/// and usage plan (absent from the list operations' beans, which MT builds without them).
fn bean(
    out: &mut Out,
    element: &str,
    ns_attrs: &[(&str, &str)],
    p: &str,
    tenant: Option<&TenantRecord>,
    names: Option<(Option<&str>, Option<&str>)>,
) {
    let bean_type = format!("{p}:TenantInfoBean");
    let mut attrs = ns_attrs.to_vec();
    attrs.extend([("xmlns:xsi", XSI), ("xsi:type", bean_type.as_str())]);
    out.open(element, &attrs);
    let q = |name: &str| format!("{p}:{name}");
    out.boolean(&q("active"), tenant.is_some_and(|t| t.active));
    // The admin is read only for a single tenant (`initializeTenantInfoBean`).
    out.opt(
        &q("admin"),
        tenant
            .filter(|_| names.is_some())
            .map(|t| t.admin.as_str())
            .filter(|a| !a.is_empty()),
    );
    out.nil(&q("adminPassword"));
    out.opt(&q("createdDate"), tenant.map(|t| date_time(t.created_at)).as_deref());
    out.opt(&q("email"), tenant.map(|t| t.email.as_str()));
    let (first, last) = names.unwrap_or((None, None));
    out.opt(&q("firstname"), first);
    out.opt(&q("lastname"), last);
    out.nil(&q("originatedService"));
    out.nil(&q("successKey"));
    out.opt(&q("tenantDomain"), tenant.map(|t| t.domain.as_str()));
    out.int(&q("tenantId"), tenant.map_or(0, |t| i64::from(t.id.get())));
    // `getTenant` sets the usage plan to "" when no billing service answers; the lists leave it null.
    out.opt(&q("usagePlan"), names.map(|_| ""));
    out.close(element);
}

/// `xs:dateTime` with milliseconds, in UTC.
fn date_time(millis: i64) -> String {
    let whole = crate::util::format_utc(millis);
    format!("{}.{:03}Z", whole.trim_end_matches('Z'), millis.rem_euclid(1000))
}
