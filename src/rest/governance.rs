//! `/api/server/v1/identity-governance` (identity-api-server's identity-governance module, IS 5.10 on): the
//! resident IdP's connectors grouped by category, read and changed through the same use cases as
//! `IdentityGovernanceAdminService` and the console's resident IdP page.
//!
//! Ids are the base64url, unpadded, of the category's or connector's name (`Base64.getUrlEncoder()
//! .withoutPadding()`); an id is decoded leniently (padding or not, as `Base64.getUrlDecoder()`), but a connector's
//! category id must be exactly its category's (`getGovernanceConnector` compares the strings). The category names
//! are the release's (`Account Management Policies` on 5.10, `Account Management` from 5.11), so each release
//! answers its own ids and 404s the other's. Property names of a PATCH are not checked against the connector, as
//! in WSO2: any name is stored.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use hyper::StatusCode;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, Failure};
use super::{Cx, Need, Op, Reply, Verb};
use crate::app::ConnectorView;
use crate::app::Tenant;
use crate::app::TenantId;
use crate::domain::governance::ConnectorDef;
use crate::domain::permissions;
use crate::domain::profile::Profile;
use crate::domain::profile::rest::GovernanceApi;

pub const BASE: &str = "/api/server/v1/identity-governance";

fn shipped(p: &Profile) -> bool {
    p.rest.governance.is_some()
}

pub const LIST: Op = Op::new(Verb::Get, BASE, Need::Permission(permissions::IDP_VIEW), shipped, list);
pub const PREFERENCES: Op = Op::new(
    Verb::Post,
    "/api/server/v1/identity-governance/preferences",
    // No permission: `internal_login`, what the login and recovery portals hold (`identity.xml.j2`).
    Need::PerRelease(|_| None),
    |p| p.rest.governance.is_some_and(|g| g.preferences),
    preferences,
);
pub const CATEGORY: Op = Op::new(
    Verb::Get,
    "/api/server/v1/identity-governance/{category-id}",
    Need::Permission(permissions::IDP_VIEW),
    shipped,
    category,
);
pub const CONNECTORS: Op = Op::new(
    Verb::Get,
    "/api/server/v1/identity-governance/{category-id}/connectors",
    Need::Permission(permissions::IDP_VIEW),
    shipped,
    connectors,
);
pub const PATCH_CONNECTORS: Op = Op::new(
    Verb::Patch,
    "/api/server/v1/identity-governance/{category-id}/connectors",
    Need::Permission(permissions::IDP_UPDATE),
    |p| p.rest.governance.is_some_and(|g| g.patch_category),
    patch_connectors,
);
pub const CONNECTOR: Op = Op::new(
    Verb::Get,
    "/api/server/v1/identity-governance/{category-id}/connectors/{connector-id}",
    Need::Permission(permissions::IDP_VIEW),
    shipped,
    connector,
);
pub const PATCH_CONNECTOR: Op = Op::new(
    Verb::Patch,
    "/api/server/v1/identity-governance/{category-id}/connectors/{connector-id}",
    Need::Permission(permissions::IDP_UPDATE),
    shipped,
    patch_connector,
);

/// The module's errors (`GovernanceConstants.ErrorMessage`): code, status, message, description (`%s`: an id or
/// a name).
#[derive(Debug, Clone, Copy)]
struct Idg(&'static str, StatusCode, &'static str, &'static str);

const CATEGORIES_FAILED: Idg = Idg(
    "50001",
    StatusCode::INTERNAL_SERVER_ERROR,
    "Unable to get the identity governance categories.",
    "Server Encountered an error while retrieving identity governance categories.",
);
const CATEGORY_FAILED: Idg = Idg(
    "50002",
    StatusCode::INTERNAL_SERVER_ERROR,
    "Unable to get the identity governance category.",
    "Server Encountered an error while retrieving identity governance category.",
);
const CONNECTOR_FAILED: Idg = Idg(
    "50003",
    StatusCode::INTERNAL_SERVER_ERROR,
    "Unable to get the identity governance connector.",
    "Server Encountered an error while retrieving identity governance connector.",
);
const UPDATE_FAILED: Idg = Idg(
    "50004",
    StatusCode::INTERNAL_SERVER_ERROR,
    "Unable to update the identity governance connector property.",
    "Server Encountered an error while updating identity governance connector property.",
);
const NO_PAGINATION: Idg = Idg(
    "50005",
    StatusCode::NOT_IMPLEMENTED,
    "Pagination not supported.",
    "Pagination capabilities are not supported in this version of the API.",
);
const NO_FILTERING: Idg = Idg(
    "50006",
    StatusCode::NOT_IMPLEMENTED,
    "Filtering not supported.",
    "Filtering capability is not supported in this version of the API.",
);
const NO_SORTING: Idg = Idg(
    "50007",
    StatusCode::NOT_IMPLEMENTED,
    "Sorting not supported.",
    "Sorting capability is not supported in this version of the API.",
);
const NO_CATEGORY: Idg = Idg(
    "50008",
    StatusCode::NOT_FOUND,
    "Resource not found.",
    "Unable to find any category with the provided identifier %s.",
);
const NO_CONNECTOR: Idg = Idg(
    "50009",
    StatusCode::NOT_FOUND,
    "Resource not found.",
    "Unable to find any connector with the provided identifier %s.",
);
const PREFERENCES_FAILED: Idg = Idg(
    "50010",
    StatusCode::INTERNAL_SERVER_ERROR,
    "Unable to get the identity governance preferences.",
    "Server Encountered an error while retrieving identity governance connector preferences.",
);
const BAD_CONNECTOR_NAME: Idg = Idg(
    "50011",
    StatusCode::BAD_REQUEST,
    "Invalid connector name",
    "Unable to find a connector with the name %s.",
);
const BAD_PROPERTY_NAME: Idg = Idg(
    "50012",
    StatusCode::BAD_REQUEST,
    "Unsupported property is requested.",
    "The property %s is not supported by this API.",
);
const UPDATE_REFUSED: Idg = Idg(
    "50013",
    StatusCode::BAD_REQUEST,
    "Connector update failed.",
    "Unable to update the identity governance connector %s.",
);

impl Idg {
    /// The error, its description quoting `data` where it has a `%s`. Before IS 6.0 a one-value description
    /// printed Java's array instead (`String.format(desc, (Object) data)`): the address there is made up from
    /// the trace id, as the JVM's identity hash is arbitrary.
    fn error(self, api: &GovernanceApi, data: Option<&str>, trace_id: &str) -> ApiError {
        let Idg(code, status, message, description) = self;
        let description = match data {
            Some(_) if api.description_prints_array => {
                let hash: String = trace_id.chars().filter(char::is_ascii_hexdigit).take(8).collect();
                description.replace("%s", &format!("[Ljava.lang.String;@{hash}"))
            }
            Some(value) => description.replace("%s", value),
            None => description.to_string(),
        };
        ApiError {
            status,
            code: Some(format!("IDG-{code}")),
            message: message.to_string(),
            description: Some(description),
            trace_id: true,
        }
    }
}

/// The module's profile. Every row is shipped only where the release has the module, so the fallback (the
/// latest release's) is never used.
fn api(cx: &Cx<'_>) -> GovernanceApi {
    cx.profile().rest.governance.unwrap_or(GovernanceApi {
        self_links_name_super_tenant: false,
        property_meta: true,
        preferences: true,
        patch_category: true,
        single_patch_client_errors: true,
        description_prints_array: false,
    })
}

fn fail(cx: &Cx<'_>, idg: Idg, data: Option<&str>) -> Failure {
    Failure::Api(idg.error(&api(cx), data, &cx.trace_id))
}

/// A use case's error: a refusal worded `refused`, a fault as the operation's `internal` error.
fn domain_failure(cx: &Cx<'_>, e: &crate::domain::DomainError, refused: Idg, internal: Idg) -> Failure {
    let api = api(cx);
    Failure::from_api(
        e,
        cx.actor.name(),
        |text| refused.error(&api, Some(&text), &cx.trace_id),
        internal.error(&api, None, &cx.trace_id),
    )
}

/// The id of a category or connector name.
pub fn id_of(name: &str) -> String {
    URL_SAFE_NO_PAD.encode(name)
}

/// The name an id stands for (lossy, as `new String(bytes, UTF_8)`); None if it is not base64url at all.
pub(super) fn name_of(id: &str) -> Option<String> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    LENIENT
        .decode(id)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The base of `self` links: a tenant's always name it (`/t/{domain}/api/server/v1/…`); the super tenant's
/// name it up to 6.1 (`/t/carbon.super/…`), not from 7.0.
fn self_base(api: &GovernanceApi, tenant: &Tenant) -> String {
    if api.self_links_name_super_tenant || tenant.id != TenantId::SUPER {
        format!("/t/{}{BASE}", tenant.domain)
    } else {
        BASE.to_string()
    }
}

#[derive(Serialize)]
struct CategoriesRes {
    id: String,
    name: &'static str,
    #[serde(rename = "self")]
    link: String,
    connectors: Vec<ConnectorLink>,
}

#[derive(Serialize)]
struct ConnectorLink {
    id: String,
    #[serde(rename = "self")]
    link: String,
}

#[derive(Serialize)]
struct CategoryRes {
    name: &'static str,
    connectors: Vec<ConnectorRes>,
}

#[derive(Serialize)]
struct ConnectorRes {
    id: String,
    name: &'static str,
    category: &'static str,
    #[serde(rename = "friendlyName")]
    friendly_name: &'static str,
    order: i32,
    #[serde(rename = "subCategory")]
    sub_category: &'static str,
    properties: Vec<PropertyRes>,
}

#[derive(Serialize)]
struct PropertyRes {
    name: String,
    value: String,
    #[serde(rename = "displayName")]
    display_name: Option<&'static str>,
    description: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<MetaRes>,
}

/// `MetaRes` (IS 6.0 on); `regex` and `groupID` are never set for these connectors (null: UNCONFIRMED whether
/// WSO2's provider writes or omits nulls).
#[derive(Serialize)]
struct MetaRes {
    #[serde(rename = "type")]
    kind: Option<&'static str>,
    regex: Option<&'static str>,
    #[serde(rename = "groupID")]
    group_id: Option<i32>,
}

fn connector_res(view: &ConnectorView, api: &GovernanceApi) -> ConnectorRes {
    let c = view.def;
    ConnectorRes {
        id: id_of(c.name),
        name: c.name,
        category: c.category,
        friendly_name: c.friendly_name,
        order: c.order,
        sub_category: c.sub_category,
        properties: view
            .properties
            .iter()
            .map(|p| {
                let def = p.def.as_ref();
                PropertyRes {
                    name: p.name.clone(),
                    value: p.value.clone(),
                    display_name: def.map(|d| d.display_name),
                    description: def.and_then(|d| d.description).unwrap_or_default(),
                    meta: api.property_meta.then(|| MetaRes {
                        kind: def.filter(|_| c.typed).map(|d| d.kind.metadata_type()),
                        regex: None,
                        group_id: None,
                    }),
                }
            })
            .collect(),
    }
}

/// The categories of the release's connectors, in the connectors' order.
fn category_names(connectors: &[ConnectorDef]) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for c in connectors {
        if !names.contains(&c.category) {
            names.push(c.category);
        }
    }
    names
}

/// The category an id names, if the resident IdP lists it (the password-expiry connector's included).
fn category_named(cx: &Cx<'_>, id: &str) -> Option<&'static str> {
    let name = name_of(id)?;
    category_names(&cx.app.listed_connectors())
        .into_iter()
        .find(|c| *c == name)
}

/// The connector `connector_id` names, if it is listed and in the category `category_id` names exactly.
fn connector_in(cx: &Cx<'_>, category_id: &str, connector_id: &str) -> Option<ConnectorDef> {
    let name = name_of(connector_id)?;
    cx.app
        .listed_connectors()
        .into_iter()
        .find(|c| c.name == name)
        .filter(|c| id_of(c.category) == category_id)
}

fn views(cx: &Cx<'_>, internal: Idg) -> Result<Vec<ConnectorView>, Failure> {
    cx.app
        .connectors(cx.actor)
        .map_err(|e| domain_failure(cx, &e, internal, internal))
}

/// `GET /identity-governance`: `limit`, `offset`, `filter` and `sort` are refused with 501, checked in that order.
fn list(cx: &Cx<'_>) -> Result<Reply, Failure> {
    for (param, idg) in [
        ("limit", NO_PAGINATION),
        ("offset", NO_PAGINATION),
        ("filter", NO_FILTERING),
        ("sort", NO_SORTING),
    ] {
        if cx.query.get(param).is_some() {
            return Err(fail(cx, idg, None));
        }
    }
    let api = api(cx);
    let views = views(cx, CATEGORIES_FAILED)?;
    let defs: Vec<ConnectorDef> = views.iter().map(|v| v.def).collect();
    let base = self_base(&api, cx.tenant);
    let categories: Vec<CategoriesRes> = category_names(&defs)
        .into_iter()
        .map(|name| {
            let id = id_of(name);
            CategoriesRes {
                link: format!("{base}/{id}"),
                connectors: defs
                    .iter()
                    .filter(|c| c.category == name)
                    .map(|c| ConnectorLink {
                        link: format!("{base}/{id}/connectors/{}", id_of(c.name)),
                        id: id_of(c.name),
                    })
                    .collect(),
                id,
                name,
            }
        })
        .collect();
    Reply::ok_json(&categories)
}

/// The connectors of the path's category, or 404 IDG-50008.
fn of_category(cx: &Cx<'_>) -> Result<(&'static str, Vec<ConnectorRes>), Failure> {
    let id = cx.param("category-id");
    let Some(name) = category_named(cx, id) else {
        return Err(fail(cx, NO_CATEGORY, Some(id)));
    };
    let api = api(cx);
    let connectors = views(cx, CATEGORY_FAILED)?
        .iter()
        .filter(|v| v.def.category == name)
        .map(|v| connector_res(v, &api))
        .collect();
    Ok((name, connectors))
}

/// `GET /identity-governance/{category-id}`: `{name, connectors}` (no `id`).
fn category(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let (name, connectors) = of_category(cx)?;
    Reply::ok_json(&CategoryRes { name, connectors })
}

/// `GET /identity-governance/{category-id}/connectors`.
fn connectors(cx: &Cx<'_>) -> Result<Reply, Failure> {
    Reply::ok_json(&of_category(cx)?.1)
}

/// The path's connector, or 404 IDG-50009.
fn path_connector(cx: &Cx<'_>) -> Result<ConnectorDef, Failure> {
    let connector_id = cx.param("connector-id");
    connector_in(cx, cx.param("category-id"), connector_id).ok_or_else(|| fail(cx, NO_CONNECTOR, Some(connector_id)))
}

/// `GET /identity-governance/{category-id}/connectors/{connector-id}`.
fn connector(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let def = path_connector(cx)?;
    let api = api(cx);
    let views = views(cx, CONNECTOR_FAILED)?;
    let view = views
        .iter()
        .find(|v| v.def.name == def.name)
        .ok_or_else(|| fail(cx, NO_CONNECTOR, Some(cx.param("connector-id"))))?;
    Reply::ok_json(&connector_res(view, &api))
}

/// `ConnectorsPatchReq`: `operation` is the enum `UPDATE`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchReq {
    operation: Operation,
    properties: Vec<PropertyReq>,
}

#[derive(Deserialize)]
enum Operation {
    #[serde(rename = "UPDATE")]
    Update,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PropertyReq {
    name: String,
    /// Jackson reads a number or boolean into a `String` field as its text.
    value: serde_json::Value,
}

/// `MultipleConnectorsPatchReq` (IS 7.0 on).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MultiPatchReq {
    operation: Operation,
    connectors: Vec<ConnectorPatch>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectorPatch {
    id: String,
    properties: Vec<PropertyReq>,
}

pub(super) fn body<'a, T: Deserialize<'a>>(cx: &'a Cx<'_>) -> Result<T, Failure> {
    serde_json::from_slice(&cx.body).map_err(|_| Failure::Api(ApiError::unreadable_body()))
}

fn pairs(properties: Vec<PropertyReq>) -> Result<Vec<(String, String)>, Failure> {
    properties
        .into_iter()
        .map(|p| match p.value {
            serde_json::Value::String(s) => Ok((p.name, s)),
            serde_json::Value::Number(n) => Ok((p.name, n.to_string())),
            serde_json::Value::Bool(b) => Ok((p.name, b.to_string())),
            _ => Err(Failure::Api(ApiError::unreadable_body())),
        })
        .collect()
}

/// `PATCH /identity-governance/{category-id}/connectors/{connector-id}`: 200 with no body. A refused value is
/// 400 IDG-50013 from 7.1, 500 IDG-50004 before.
fn patch_connector(cx: &Cx<'_>) -> Result<Reply, Failure> {
    path_connector(cx)?;
    let PatchReq { operation, properties } = body(cx)?;
    let Operation::Update = operation;
    let values = pairs(properties)?;
    let refused = if api(cx).single_patch_client_errors {
        UPDATE_REFUSED
    } else {
        UPDATE_FAILED
    };
    cx.app
        .update_configurations(cx.actor, &values)
        .map_err(|e| domain_failure(cx, &e, refused, UPDATE_FAILED))?;
    Ok(Reply::Empty(StatusCode::OK))
}

/// `PATCH /identity-governance/{category-id}/connectors` (IS 7.0 on): every connector checked against the
/// category first, then all the properties in one update; any refusal is 500 IDG-50004 (`patchConnectorsOfCategory`).
fn patch_connectors(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let category_id = cx.param("category-id");
    if category_named(cx, category_id).is_none() {
        return Err(fail(cx, NO_CATEGORY, Some(category_id)));
    }
    let MultiPatchReq { operation, connectors } = body(cx)?;
    let Operation::Update = operation;
    let mut values = Vec::new();
    for c in connectors {
        if connector_in(cx, category_id, &c.id).is_none() {
            return Err(fail(cx, NO_CONNECTOR, Some(&c.id)));
        }
        values.extend(pairs(c.properties)?);
    }
    cx.app
        .update_configurations(cx.actor, &values)
        .map_err(|e| domain_failure(cx, &e, UPDATE_FAILED, UPDATE_FAILED))?;
    Ok(Reply::Empty(StatusCode::OK))
}

/// `PreferenceSearchAttribute`; without `properties`, every (non-confidential) property of the connector.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreferenceSearch {
    #[serde(rename = "connector-name")]
    connector_name: String,
    properties: Option<Vec<String>>,
}

#[derive(Serialize)]
struct PreferenceResp {
    #[serde(rename = "connector-name")]
    connector_name: String,
    properties: Vec<NameValue>,
}

#[derive(Serialize)]
struct NameValue {
    name: String,
    value: String,
}

/// `POST /identity-governance/preferences` (IS 6.0 on): 400 IDG-50011 for an unknown connector, IDG-50012 for a
/// property it does not have (none of forcereset's connectors has a confidential property).
fn preferences(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let searches: Vec<PreferenceSearch> = body(cx)?;
    let views = cx
        .app
        .governance_preferences(cx.actor)
        .map_err(|e| domain_failure(cx, &e, PREFERENCES_FAILED, PREFERENCES_FAILED))?;
    let mut out = Vec::new();
    for search in searches {
        let Some(view) = views.iter().find(|v| v.def.name == search.connector_name) else {
            return Err(fail(cx, BAD_CONNECTOR_NAME, Some(&search.connector_name)));
        };
        let properties = match search.properties {
            None => view
                .properties
                .iter()
                .map(|p| NameValue {
                    name: p.name.clone(),
                    value: p.value.clone(),
                })
                .collect(),
            Some(names) => {
                let mut found = Vec::new();
                for name in names {
                    let Some(p) = view.properties.iter().find(|p| p.name == name) else {
                        return Err(fail(cx, BAD_PROPERTY_NAME, Some(&name)));
                    };
                    found.push(NameValue {
                        name,
                        value: p.value.clone(),
                    });
                }
                found
            }
        };
        out.push(PreferenceResp {
            connector_name: search.connector_name,
            properties,
        });
    }
    Reply::ok_json(&out)
}
