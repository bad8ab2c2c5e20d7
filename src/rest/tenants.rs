//! `/api/server/v1/tenants` (identity-api-server `…tenant.management.v1`, IS 5.11 on): list, add, get, find by
//! domain, activate/deactivate and the owner list, through `app::tenants`. Only the super tenant's callers with
//! the permission reach the use cases (the valve's 403 otherwise, as for every row).
//!
//! Errors as `ServerTenantManagementService.handleTenantManagementException` builds them: **every** refusal of
//! tenant management is 400 (not-found and conflict included) with the core's `TM-600xx` code and text as `code`
//! and `description`, and the operation's own `message` ("Unable to add tenant."); a fault is 500 with the
//! operation's `TM-6500x`. Sources: docs/design/tenants.md §1.2 and §1.8 item 3, `domain::profile::tenancy`.

use hyper::StatusCode;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, Failure, Kind, kind};
use super::governance::body;
use super::{Cx, Need, Op, Reply, Verb};
use crate::app::{DomainMatch, ManagedTenant, TenantKey, TenantPage, TenantRefusal, TenantSpec};
use crate::domain::permissions::{TENANTS_LIST, TENANTS_MODIFY};
use crate::domain::profile::Profile;
use crate::domain::profile::tenancy::{TenantTexts, TenantsApi};
use crate::domain::secret::Secret;
use crate::domain::tenant;

pub const BASE: &str = "/api/server/v1/tenants";

fn shipped(p: &Profile) -> bool {
    p.tenancy.rest.is_some()
}

fn by_domain_shipped(p: &Profile) -> bool {
    p.tenancy.rest.is_some_and(|api| api.by_domain)
}

const fn row(verb: Verb, path: &'static str, permission: &'static str, handler: super::Handler) -> Op {
    Op::new(verb, path, Need::Permission(permission), shipped, handler)
}

// The yaml binds `…/tenants/list` to every resource but the lifecycle's PUT (`…/modify/tenants`).
pub const LIST: Op = row(Verb::Get, BASE, TENANTS_LIST, list);
pub const ADD: Op = row(Verb::Post, BASE, TENANTS_LIST, add);
pub const GET_BY_DOMAIN: Op = Op::new(
    Verb::Get,
    "/api/server/v1/tenants/domain/{domain}",
    Need::Permission(TENANTS_LIST),
    by_domain_shipped,
    get_by_domain,
);
pub const HEAD_BY_DOMAIN: Op = Op::new(
    Verb::Head,
    "/api/server/v1/tenants/domain/{domain}",
    Need::Permission(TENANTS_LIST),
    by_domain_shipped,
    domain_exists,
);
pub const GET: Op = row(Verb::Get, "/api/server/v1/tenants/{id}", TENANTS_LIST, get);
pub const LIFECYCLE: Op = row(
    Verb::Put,
    "/api/server/v1/tenants/{id}/lifecycle-status",
    TENANTS_MODIFY,
    lifecycle,
);
pub const OWNERS: Op = row(Verb::Get, "/api/server/v1/tenants/{id}/owners", TENANTS_LIST, owners);

/// The page size when none is asked for, and the most one page holds (carbon.xml `ItemsPerPage` defaults read by
/// MT `TenantMgtUtil.getDefaultItemsPerPage` / `getMaximumItemPerPage`).
const DEFAULT_LIMIT: i64 = 15;
const MAX_LIMIT: i64 = 100;

/// The API's own errors (`TenantManagementConstants.ErrorMessage`, API v1.0.140).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tm {
    List,
    Add,
    Get,
    Lifecycle,
    Filter,
}

impl Tm {
    fn parts(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Tm::List => (
                "TM-65001",
                "Unable to list existing tenants.",
                "Server encountered an error while listing the tenants.",
            ),
            Tm::Add => (
                "TM-65002",
                "Unable to add tenant.",
                "Server encountered an error while adding the tenant.",
            ),
            Tm::Get => (
                "TM-65003",
                "Unable to retrieve tenant.",
                "Server encountered an error while retrieving the tenant for identifier %s.",
            ),
            Tm::Lifecycle => (
                "TM-65004",
                "Error while updating the tenant.",
                "Server encountered an error while the tenant life cycle status \"activated:\" %s .",
            ),
            Tm::Filter => (
                "TM-65006",
                "Filtering not supported.",
                "Filtering capability is not supported in this version of the API.",
            ),
        }
    }

    /// The operation's server error, its description filled with `data` where it has a `%s`.
    fn server(self, data: &str) -> Failure {
        let (code, message, description) = self.parts();
        Failure::Api(ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: Some(code.into()),
            message: message.into(),
            description: Some(description.replace("%s", data)),
            trace_id: true,
        })
    }

    /// A client refusal of tenant management: 400, the core's code and text under this operation's message.
    fn client(self, code: &str, description: String) -> Failure {
        let (_, message, _) = self.parts();
        Failure::Api(ApiError {
            status: StatusCode::BAD_REQUEST,
            code: Some(code.into()),
            message: message.into(),
            description: Some(description),
            trace_id: true,
        })
    }
}

/// A refusal as the API answers it: the core's code and text (MT `TenantConstants.ErrorMessage`) under the
/// operation's message; the valve's answers for access; the operation's 500 for a fault.
fn refusal(cx: &Cx<'_>, op: Tm, data: &str, e: TenantRefusal) -> Failure {
    let texts = TenantTexts::Coded;
    match e {
        TenantRefusal::InvalidEmail => op.client("TM-60002", "Invalid email address is provided.".into()),
        TenantRefusal::InvalidDomain(r) => {
            let code = r.code(texts).unwrap_or("TM-60007");
            op.client(code, r.message(texts))
        }
        TenantRefusal::DomainTaken(_) => op.client("TM-60009", e.message(texts)),
        TenantRefusal::Missing(_) => op.client("TM-60013", e.to_string()),
        TenantRefusal::UnknownDomain(_) => op.client("TM-60015", e.message(texts)),
        TenantRefusal::UnknownId(_) => op.client("TM-60014", e.message(texts)),
        TenantRefusal::Domain(d) => match kind(&d) {
            Kind::Unauthenticated | Kind::Forbidden => Failure::from_domain(&d, cx.actor.name()),
            // A policy refusal of the owner (user core, not tenant management): the operation's code, 400, the
            // reason (WSO2's exact answer here is UNCONFIRMED).
            Kind::Refused(text) | Kind::Missing(text) | Kind::Exists(text) => {
                let (code, _, _) = op.parts();
                op.client(code, text)
            }
            Kind::Internal => op.server(data),
        },
    }
}

fn api(cx: &Cx<'_>) -> TenantsApi {
    cx.profile().tenancy.rest.unwrap_or(TenantsApi {
        location_names_super_tenant: false,
        by_domain: true,
        filter: true,
        name: true,
    })
}

/// `/t/carbon.super` where the release's URLs name the super tenant.
fn context(api: &TenantsApi) -> &'static str {
    if api.location_names_super_tenant {
        "/t/carbon.super"
    } else {
        ""
    }
}

/// `ContextLoader.buildURIForHeader`: the tenant's absolute URL.
fn location(cx: &Cx<'_>, uuid: &str) -> String {
    format!("{}{}{BASE}/{uuid}", cx.app.product_url(), context(&api(cx)))
}

/// `OwnerResponse`.
#[derive(Debug, Serialize)]
struct OwnerJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    username: String,
}

#[derive(Debug, Serialize)]
struct LifecycleJson {
    activated: bool,
}

/// `TenantResponseModel` and `TenantListItem` (the same fields).
#[derive(Debug, Serialize)]
struct TenantJson {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    domain: String,
    owners: Vec<OwnerJson>,
    #[serde(rename = "createdDate")]
    created_date: String,
    #[serde(rename = "lifecycleStatus")]
    lifecycle_status: LifecycleJson,
}

impl TenantJson {
    fn of(api: &TenantsApi, m: ManagedTenant) -> TenantJson {
        let t = m.tenant;
        TenantJson {
            // No tenant name is stored: MT 4.11.45 answers the domain for a tenant without one.
            name: api.name.then(|| t.domain.clone()),
            owners: owners_of(m.owner_id, t.admin),
            created_date: iso_offset_date_time(t.created_at),
            lifecycle_status: LifecycleJson { activated: t.active },
            id: t.uuid,
            domain: t.domain,
        }
    }
}

fn owners_of(id: Option<String>, username: String) -> Vec<OwnerJson> {
    vec![OwnerJson { id, username }]
}

/// Java's `ISO_OFFSET_DATE_TIME` of a UTC instant: `Z`, the fraction only when not zero and without its trailing
/// zeros (`2026-12-04T13:05:56.12Z`).
fn iso_offset_date_time(millis: i64) -> String {
    let seconds = crate::util::format_utc(millis);
    let ms = millis.rem_euclid(1000);
    if ms == 0 {
        return seconds;
    }
    let fraction = format!("{ms:03}");
    format!("{}.{}Z", seconds.trim_end_matches('Z'), fraction.trim_end_matches('0'))
}

#[derive(Debug, Serialize)]
struct LinkJson {
    href: String,
    rel: &'static str,
}

/// `TenantsListResponse` (`tenants` unset when there are none: the dispatcher writes non-null fields only).
#[derive(Debug, Serialize)]
struct ListJson {
    #[serde(rename = "totalResults")]
    total_results: i64,
    #[serde(rename = "startIndex")]
    start_index: i64,
    count: usize,
    links: Vec<LinkJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenants: Option<Vec<TenantJson>>,
}

/// A query integer as JAX-RS converts an `Integer`: absent is None; Err when it is not one.
fn int_param(cx: &Cx<'_>, name: &str) -> Result<Option<i64>, ()> {
    match cx.query.get(name) {
        None => Ok(None),
        Some(v) => v.trim().parse::<i32>().map(|n| Some(i64::from(n))).map_err(|_| ()),
    }
}

/// MT `validateFilter` (4.11.34): three space-separated parts, the attribute `domainName` (any case), a value of
/// legal domain characters, then one of `eq`, `co`, `sw`, `ew` (any case) — checked in that order. The codes are
/// PIS `TenantFailureTest` @v7.2.0's; the texts of TM-60022/60023/60024 (stratos-common `TenantConstants`) were not
/// read and are ours (UNCONFIRMED), carrying the attribute as WSO2's tests expect.
fn parse_filter(filter: &str) -> Result<DomainMatch<'_>, Failure> {
    let parts: Vec<&str> = filter.split(' ').collect();
    let [attribute, operation, value] = parts[..] else {
        return Err(Tm::List.client(
            "TM-60022",
            "Invalid filter format. Filter should be in the format of '<attribute> <operation> <value>'.".into(),
        ));
    };
    if !attribute.eq_ignore_ascii_case("domainName") {
        return Err(Tm::List.client("TM-60023", format!("Unsupported filter attribute: {attribute}.")));
    }
    if tenant::has_illegal_characters(value) {
        return Err(Tm::List.client(
            "TM-60007",
            tenant::DomainRefusal::IllegalCharacters(value.to_string()).message(TenantTexts::Coded),
        ));
    }
    match operation.to_ascii_lowercase().as_str() {
        "eq" => Ok(DomainMatch::Equals(value)),
        "co" => Ok(DomainMatch::Contains(value)),
        "sw" => Ok(DomainMatch::StartsWith(value)),
        "ew" => Ok(DomainMatch::EndsWith(value)),
        _ => Err(Tm::List.client(
            "TM-60024",
            format!("Unsupported filter operation for the attribute: {attribute}."),
        )),
    }
}

/// `GET /tenants`: a page by domain (`sortBy` is always the domain; `sortOrder` exactly `DESC` reverses it).
fn list(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let api = api(cx);
    let filter = cx.query.get("filter");
    if filter.is_some() && !api.filter {
        let (code, message, description) = Tm::Filter.parts();
        return Err(Failure::Api(ApiError {
            status: StatusCode::NOT_IMPLEMENTED,
            code: Some(code.into()),
            message: message.into(),
            description: Some(description.into()),
            trace_id: true,
        }));
    }
    // A query parameter that is no integer: JAX-RS's NotFoundException, CXF's 404 (UNCONFIRMED for WSO2's mappers).
    let (Ok(limit), Ok(offset)) = (int_param(cx, "limit"), int_param(cx, "offset")) else {
        return Ok(Reply::Empty(StatusCode::NOT_FOUND));
    };
    let (limit, offset) = (limit.unwrap_or(DEFAULT_LIMIT), offset.unwrap_or(0));
    if limit < 0 {
        return Err(Tm::List.client("TM-60010", "Limit should not be negative.".into()));
    }
    if offset < 0 {
        return Err(Tm::List.client("TM-60011", "Offset should not be negative.".into()));
    }
    let limit = limit.min(MAX_LIMIT);
    let filter = filter.filter(|f| !f.trim().is_empty());
    let domain = filter.map(parse_filter).transpose()?.unwrap_or(DomainMatch::Any);
    let page = TenantPage {
        domain,
        descending: cx.query.get("sortOrder") == Some("DESC"),
        offset,
        limit,
    };
    let (tenants, total) = cx
        .app
        .tenant_page(cx.actor, &page)
        .map_err(|e| refusal(cx, Tm::List, "", e))?;
    let items: Vec<TenantJson> = tenants.into_iter().map(|m| TenantJson::of(&api, m)).collect();
    Reply::ok_json(&ListJson {
        total_results: total,
        start_index: offset + 1,
        count: items.len(),
        links: links(&api, limit, offset, total, filter),
        tenants: (!items.is_empty()).then_some(items),
    })
}

/// `createLinks`: `next` while there is more, `previous` when not on the first page.
fn links(api: &TenantsApi, limit: i64, offset: i64, total: i64, filter: Option<&str>) -> Vec<LinkJson> {
    let link = |rel, offset: i64, limit: i64| {
        let mut href = format!("{}{BASE}?offset={offset}&limit={limit}", context(api));
        if let Some(f) = filter {
            href.push_str("&filter=");
            href.push_str(&form_encode(f));
        }
        LinkJson { href, rel }
    };
    let mut links = Vec::new();
    if limit > 0 && offset + limit < total {
        links.push(link("next", offset + limit, limit));
    }
    if offset > 0 && limit > 0 {
        if offset - limit >= 0 {
            // `calculateOffsetForPreviousLink`: step back by `limit` until below the total.
            let mut previous = offset - limit;
            while previous >= total {
                previous -= limit;
            }
            links.push(link("previous", previous, limit));
        } else {
            links.push(link("previous", 0, offset));
        }
    }
    links
}

/// Java's `URLEncoder.encode(s, UTF-8)`: `+` for a space, `%XX` for all but `A-Za-z0-9.-*_`.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b' ' => out.push('+'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `Owner`. `provisioningMethod` and `additionalClaims` are accepted and not used: only an inline password is
/// emulated, and additional claims are not stored (docs/COMPATIBILITY.md).
#[derive(Debug, Default, Deserialize)]
struct OwnerIn {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    email: String,
    #[serde(default)]
    firstname: String,
    #[serde(default)]
    lastname: String,
}

/// `TenantModel`, the POST body.
#[derive(Debug, Deserialize)]
struct NewTenantJson {
    #[serde(default)]
    domain: String,
    #[serde(default)]
    owners: Option<Vec<OwnerIn>>,
}

/// `POST /tenants`: the first owner is the tenant admin; 201, no body, `Location` the tenant's URL.
fn add(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let new: NewTenantJson = body(cx)?;
    // `createTenantInfoBean`: no owners → TM-60012 (an empty list too, where WSO2 fails on `get(0)`).
    let Some(owner) = new.owners.and_then(|o| o.into_iter().next()) else {
        return Err(Tm::Add.client("TM-60012", "Required parameter owner is not specified.".into()));
    };
    // Only an inline password is emulated: an owner without one is refused as `inline-password` refuses it.
    let password = owner.password.filter(|p| !p.trim().is_empty());
    let Some(password) = password else {
        return Err(Tm::Add.client("TM-60013", "Required parameter password is not specified.".into()));
    };
    let spec = TenantSpec {
        domain: new.domain,
        admin: owner.username,
        password: Secret::new(password),
        email: owner.email,
        first_name: owner.firstname,
        last_name: owner.lastname,
    };
    let made = cx
        .app
        .add_tenant(cx.actor, &spec)
        .map_err(|e| refusal(cx, Tm::Add, "", e))?;
    Ok(Reply::Located(StatusCode::CREATED, location(cx, &made.uuid)))
}

fn one(cx: &Cx<'_>, key: TenantKey<'_>, data: &str) -> Result<ManagedTenant, Failure> {
    cx.app
        .managed_tenant(cx.actor, key)
        .map_err(|e| refusal(cx, Tm::Get, data, e))
}

/// `GET /tenants/{id}`.
fn get(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let id = cx.param("id");
    let found = one(cx, TenantKey::Uuid(id), id)?;
    Reply::ok_json(&TenantJson::of(&api(cx), found))
}

/// `GET /tenants/domain/{domain}` (6.0 on): TM-60015 for an unknown domain.
fn get_by_domain(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let domain = cx.param("domain");
    let found = one(cx, TenantKey::Domain(domain), domain)?;
    Reply::ok_json(&TenantJson::of(&api(cx), found))
}

/// `HEAD /tenants/domain/{domain}` (6.0 on, `isDomainExist`): 200 if the domain is taken (`carbon.super`
/// always is), 404 if it is free.
fn domain_exists(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let domain = cx.param("domain");
    if domain.eq_ignore_ascii_case(tenant::SUPER_DOMAIN) {
        return Ok(Reply::Empty(StatusCode::OK));
    }
    match cx.app.managed_tenant(cx.actor, TenantKey::Domain(domain)) {
        Ok(_) => Ok(Reply::Empty(StatusCode::OK)),
        Err(TenantRefusal::UnknownDomain(_)) => Ok(Reply::Empty(StatusCode::NOT_FOUND)),
        Err(e) => Err(refusal(cx, Tm::Get, domain, e)),
    }
}

/// `TenantPutModel`.
#[derive(Debug, Deserialize)]
struct LifecycleIn {
    activated: bool,
}

/// `PUT /tenants/{id}/lifecycle-status`: 200 whose entity is the tenant's URL, a JSON string (§1.8 item 3).
fn lifecycle(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let LifecycleIn { activated } = body(cx)?;
    let id = cx.param("id");
    let status = activated.to_string();
    let found = cx
        .app
        .managed_tenant(cx.actor, TenantKey::Uuid(id))
        .map_err(|e| refusal(cx, Tm::Lifecycle, &status, e))?;
    cx.app
        .set_tenant_active(cx.actor, &found.tenant.domain, activated)
        .map_err(|e| refusal(cx, Tm::Lifecycle, &status, e))?;
    Reply::ok_json(&location(cx, id))
}

/// `GET /tenants/{id}/owners`: the one owner.
fn owners(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let id = cx.param("id");
    let found = one(cx, TenantKey::Uuid(id), id)?;
    Reply::ok_json(&owners_of(found.owner_id, found.tenant.admin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_javas_iso_offset_date_time() {
        assert_eq!(iso_offset_date_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_offset_date_time(120), "1970-01-01T00:00:00.12Z");
        assert_eq!(iso_offset_date_time(5), "1970-01-01T00:00:00.005Z");
    }

    #[test]
    fn filters_are_checked_in_mts_order() {
        let code = |f: &str| match parse_filter(f) {
            Ok(m) => format!("{m:?}"),
            Err(Failure::Api(e)) => e.code.unwrap_or_default(),
            Err(other) => format!("{other:?}"),
        };
        assert_eq!(code("domainName eq abc1.com"), "Equals(\"abc1.com\")");
        assert_eq!(code("DOMAINNAME CO abc1"), "Contains(\"abc1\")");
        assert_eq!(code("domainName sw a_b"), "StartsWith(\"a_b\")");
        assert_eq!(code("domainName ew .com"), "EndsWith(\".com\")");
        assert_eq!(code("invalid format"), "TM-60022");
        assert_eq!(code("domainName  eq abc"), "TM-60022");
        assert_eq!(code("username eq mail.com"), "TM-60023");
        assert_eq!(code("username invalid_op ABC"), "TM-60023");
        assert_eq!(code("domainName invalid_op ABC"), "TM-60007");
        assert_eq!(code("domainName invalid_op abc.com"), "TM-60024");
        assert_eq!(code("domainName eq abc*"), "TM-60007");
    }

    #[test]
    fn page_links_follow_create_links() {
        let api = TenantsApi {
            location_names_super_tenant: true,
            by_domain: false,
            filter: false,
            name: false,
        };
        let rels = |limit, offset, total| {
            links(&api, limit, offset, total, None)
                .into_iter()
                .map(|l| format!("{} {}", l.rel, l.href))
                .collect::<Vec<_>>()
        };
        assert!(rels(15, 0, 3).is_empty());
        assert_eq!(
            rels(2, 0, 3),
            ["next /t/carbon.super/api/server/v1/tenants?offset=2&limit=2"]
        );
        assert_eq!(
            rels(2, 3, 4),
            ["previous /t/carbon.super/api/server/v1/tenants?offset=1&limit=2"]
        );
        assert_eq!(
            rels(5, 2, 10),
            [
                "next /t/carbon.super/api/server/v1/tenants?offset=7&limit=5",
                "previous /t/carbon.super/api/server/v1/tenants?offset=0&limit=2"
            ]
        );
        let filtered = links(&api, 1, 0, 2, Some("domainName co abc"));
        assert_eq!(
            filtered[0].href,
            "/t/carbon.super/api/server/v1/tenants?offset=1&limit=1&filter=domainName+co+abc"
        );
    }
}
