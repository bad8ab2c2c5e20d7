//! `/scim2/Groups`: decode the request, call the group use case, build the resource, project it. Filters are
//! checked as SCIM2 checks them (one expression, the release's operators) and evaluated over the groups' documents.

use hyper::StatusCode;
use serde_json::Value;

use super::error::Failure;
use super::users::{self, ListQuery, body_json, id, list_param, not_found};
use super::{Answer, Call};
use crate::app::{Actor, App, GroupEdit};
use crate::domain::profile::scim::ScimProfile;
use crate::domain::scim::group::{self, GroupData};
use crate::domain::scim::project::Projection;
use crate::domain::scim::query::{self, GroupFilterRefusal};
use crate::domain::scim::schema::Catalogue;
use crate::domain::scim::{ScimError, filter, patch};

const CATALOGUE: Catalogue = Catalogue::group();

pub(super) fn location(base: &str, id: &str) -> String {
    format!("{base}/scim2/Groups/{id}")
}

fn query_projection(call: &Call) -> Result<Projection, Failure> {
    Ok(Projection::new(
        &CATALOGUE,
        &list_param(call, "attributes"),
        &list_param(call, "excludedAttributes"),
    )?)
}

pub(super) fn render(base: &str, data: &GroupData, projection: &Projection) -> Value {
    let doc = group::group(data, &location(base, &data.uuid), |u| users::location(base, u));
    projection.apply(&CATALOGUE, doc)
}

fn answer(base: &str, status: StatusCode, data: &GroupData, projection: &Projection) -> Answer {
    Answer {
        status,
        body: Some(render(base, data, projection)),
        location: Some(location(base, &data.uuid)),
    }
}

/// What a POST body asks for.
pub(super) fn create_request(body: &Value) -> Result<GroupEdit, Failure> {
    let r = group::request(body)?;
    Ok(GroupEdit {
        name: r.name,
        members: r.members,
    })
}

pub(super) fn create(app: &App, actor: &Actor, call: &Call) -> Result<Answer, Failure> {
    let projection = query_projection(call)?;
    let new = create_request(&body_json(call)?)?;
    let created = app.scim_create_group(actor, &new)?;
    Ok(answer(&call.base, StatusCode::CREATED, &created, &projection))
}

pub(super) fn get(app: &App, actor: &Actor, call: &Call) -> Result<Answer, Failure> {
    let projection = query_projection(call)?;
    match app.scim_group(actor, id(call))? {
        Some(g) => Ok(answer(&call.base, StatusCode::OK, &g, &projection)),
        None => Err(not_found(group::NOT_FOUND)),
    }
}

pub(super) fn list(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile) -> Result<Answer, Failure> {
    list_with(app, actor, &call.base, profile, users::list_query(call)?)
}

pub(super) fn search(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile) -> Result<Answer, Failure> {
    list_with(app, actor, &call.base, profile, users::search_query(call)?)
}

fn refused_filter(r: GroupFilterRefusal) -> Failure {
    match r {
        GroupFilterRefusal::Request(e) => e.into(),
        GroupFilterRefusal::Complex => Failure::status(StatusCode::NOT_IMPLEMENTED, group::COMPLEX_FILTER),
        GroupFilterRefusal::Operator(op) => {
            Failure::status(StatusCode::INTERNAL_SERVER_ERROR, group::unsupported_operator(op))
        }
    }
}

fn list_with(app: &App, actor: &Actor, base: &str, profile: &ScimProfile, q: ListQuery) -> Result<Answer, Failure> {
    users::refuse_sorting(&q)?;
    let projection = Projection::new(&CATALOGUE, &q.attributes, &q.excluded)?;
    let parsed = match q.filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(text) => {
            let f = filter::parse(text).map_err(ScimError::from)?;
            query::check_group_filter(&f, profile.group_filter_ops).map_err(refused_filter)?;
            Some(group::bare_filter(f))
        }
        None => None,
    };
    let (start, skip, count) = q.page();
    let keep = |g: &GroupData| match &parsed {
        None => true,
        Some(f) => {
            let doc = group::filter_doc(f, g, &location(base, &g.uuid), |u| users::location(base, u));
            query::matches(&CATALOGUE, f, &doc)
        }
    };
    let by_name = parsed.as_ref().and_then(query::single_group_name);
    let filter_members = parsed.as_ref().is_some_and(group::names_members);
    let page = app.scim_groups(
        actor,
        profile.hybrid_roles_as_groups,
        by_name.as_deref(),
        filter_members,
        keep,
        skip,
        count,
    )?;
    let resources = page.groups.iter().map(|g| render(base, g, &projection)).collect();
    Ok(users::list_response(page.total, start, resources))
}

/// The edit of a PUT: the body is the whole group (its `displayName` and `members`; the id is the URL's).
pub(super) fn put_edit(body: &Value) -> Result<impl Fn(&GroupData) -> Result<GroupEdit, Failure> + '_, Failure> {
    if !body.is_object() {
        return Err(ScimError::bad_syntax().into());
    }
    Ok(move |_: &GroupData| create_request(body))
}

/// The edit of a PATCH: the operations applied to the stored group's document, read back as a name and members.
pub(super) fn patch_edit(request: &Value) -> impl Fn(&GroupData) -> Result<GroupEdit, Failure> + '_ {
    move |current: &GroupData| {
        let mut doc = group::group(current, "", |_| String::new());
        patch::apply(&CATALOGUE, &mut doc, request)?;
        create_request(&doc)
    }
}

pub(super) fn replace(app: &App, actor: &Actor, call: &Call) -> Result<Answer, Failure> {
    let projection = query_projection(call)?;
    let body = body_json(call)?;
    match app.scim_update_group(actor, id(call), put_edit(&body)?)? {
        Some(g) => Ok(answer(&call.base, StatusCode::OK, &g, &projection)),
        None => Err(not_found(group::put_not_found(id(call)))),
    }
}

/// 200 with the group: SCIM2 `GroupResource` returns it unless `SCIM2.ReturnUpdatedGroupInPatchResponse` is
/// false (unset = true, v1.5.1 … v3.4.132 `isGroupReturnedInPatchResponse`).
pub(super) fn patch(app: &App, actor: &Actor, call: &Call) -> Result<Answer, Failure> {
    let projection = query_projection(call)?;
    let request = body_json(call)?;
    match app.scim_update_group(actor, id(call), patch_edit(&request))? {
        Some(g) => Ok(answer(&call.base, StatusCode::OK, &g, &projection)),
        None => Err(not_found(group::patch_not_found(id(call)))),
    }
}

pub(super) fn delete(app: &App, actor: &Actor, call: &Call) -> Result<Answer, Failure> {
    users::deleted(app.scim_delete_group(actor, id(call))?)
}
