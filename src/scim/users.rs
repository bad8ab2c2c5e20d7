//! `/scim2/Users` and `/scim2/Me`: decode the request, call the use case, build the resource, project it.

use hyper::StatusCode;
use serde_json::{Value, json};

use super::error::Failure;
use super::{Answer, Call};
use crate::app::{Actor, App, ScimEdit};
use crate::domain::claims::ADMIN_FORCED_PASSWORD_RESET;
use crate::domain::profile::scim::{DeleteMe, ScimProfile};
use crate::domain::scim::project::Projection;
use crate::domain::scim::resource::{self, UserData};
use crate::domain::scim::schema::Catalogue;
use crate::domain::scim::{LIST_RESPONSE_SCHEMA, SEARCH_REQUEST_SCHEMA, ScimError, ScimType, filter, patch, query};
use crate::domain::secret::Secret;

fn catalogue(profile: &ScimProfile) -> Catalogue {
    Catalogue::of(profile.wso2_attributes)
}

pub(super) fn location(base: &str, id: &str) -> String {
    format!("{base}/scim2/Users/{id}")
}

pub(super) fn body_json(call: &Call) -> Result<Value, Failure> {
    serde_json::from_slice(&call.body).map_err(|_| ScimError::bad_syntax().into())
}

/// A comma list from the query (`attributes=a,b`).
pub(super) fn list_param(call: &Call, name: &str) -> Vec<String> {
    call.query
        .get(name)
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn query_projection(call: &Call, profile: &ScimProfile) -> Result<Projection, Failure> {
    Ok(Projection::new(
        &catalogue(profile),
        &list_param(call, "attributes"),
        &list_param(call, "excludedAttributes"),
    )?)
}

pub(super) fn render(base: &str, profile: &ScimProfile, user: &UserData, projection: &Projection) -> Value {
    let doc = resource::user(profile, user, &location(base, &user.uuid));
    projection.apply(&catalogue(profile), doc)
}

/// A user in a response, with its `Location`.
fn user_answer(base: &str, profile: &ScimProfile, status: StatusCode, user: &UserData, p: &Projection) -> Answer {
    Answer {
        status,
        body: Some(render(base, profile, user, p)),
        location: Some(location(base, &user.uuid)),
    }
}

pub(super) fn not_found(detail: impl Into<String>) -> Failure {
    Failure::status(StatusCode::NOT_FOUND, detail)
}

pub(super) fn id(call: &Call) -> &str {
    call.id.as_deref().unwrap_or_default()
}

/// What a create request asks for: a user name, a password and claims.
pub(super) struct NewUser {
    pub name: String,
    pub password: Secret,
    pub claims: Vec<(String, String)>,
}

/// Decode a create request.
pub(super) fn create_request(profile: &ScimProfile, body: &Value) -> Result<NewUser, Failure> {
    let Some(name) = body
        .get("userName")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
    else {
        return Err(ScimError::new(
            ScimType::InvalidValue,
            "Unable to create the user. Username is a mandatory field.",
        )
        .into());
    };
    // SCIM2 hands a missing password to the user store as null, which its credential policy refuses (400
    // `invalidValue` with the store's message, `handleErrorsOnUserNameAndPasswordPolicy`); WSO2's ask-password
    // flow, which allows it, is not emulated.
    let password = body.get("password").and_then(Value::as_str).unwrap_or_default();
    let claims: Vec<(String, String)> = resource::claims_of(&catalogue(profile), body)?
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(u, v)| (u.to_string(), v))
        .collect();
    Ok(NewUser {
        name: name.to_string(),
        password: Secret::new(password),
        claims,
    })
}

pub(super) fn create(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile) -> Result<Answer, Failure> {
    let projection = query_projection(call, profile)?;
    let new = create_request(profile, &body_json(call)?)?;
    let user = app.scim_create(actor, &new.name, &new.password, &new.claims)?;
    Ok(user_answer(
        &call.base,
        profile,
        StatusCode::CREATED,
        &user,
        &projection,
    ))
}

pub(super) fn get(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile) -> Result<Answer, Failure> {
    let projection = query_projection(call, profile)?;
    match app.scim_user(actor, id(call))? {
        Some(user) => Ok(user_answer(&call.base, profile, StatusCode::OK, &user, &projection)),
        None => Err(not_found("User not found in the user store.")),
    }
}

/// A list request, from the query or a SearchRequest body.
pub(super) struct ListQuery {
    pub filter: Option<String>,
    pub start_index: i64,
    pub count: Option<i64>,
    pub attributes: Vec<String>,
    pub excluded: Vec<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
}

impl ListQuery {
    /// The page asked for: a 1-based start at least 1 made 0-based, and a count (None = all) at least 0.
    pub fn page(&self) -> (i64, usize, Option<usize>) {
        let start = self.start_index.max(1);
        let count = self.count.map(|c| usize::try_from(c.max(0)).unwrap_or(0));
        (start, usize::try_from(start - 1).unwrap_or(0), count)
    }
}

pub(super) fn list(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile) -> Result<Answer, Failure> {
    list_with(app, actor, &call.base, profile, list_query(call)?)
}

/// A list request from the query string (`GET /Users`, `GET /Groups`).
pub(super) fn list_query(call: &Call) -> Result<ListQuery, Failure> {
    let number = |name: &str| -> Result<Option<i64>, Failure> {
        match call.query.get(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ScimError::new(ScimType::InvalidValue, BAD_NUMBER).into()),
        }
    };
    let q = ListQuery {
        filter: call.query.get("filter").map(str::to_string),
        start_index: number("startIndex")?.unwrap_or(1),
        count: number("count")?,
        attributes: list_param(call, "attributes"),
        excluded: list_param(call, "excludedAttributes"),
        sort_by: call.query.get("sortBy").map(str::to_string),
        sort_order: call.query.get("sortOrder").map(str::to_string),
    };
    Ok(q)
}

const BAD_NUMBER: &str = "Invalid value for startIndex or count.";

pub(super) fn search(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile) -> Result<Answer, Failure> {
    list_with(app, actor, &call.base, profile, search_query(call)?)
}

/// A list request from a SearchRequest body (`POST /Users/.search`, `POST /Groups/.search`).
pub(super) fn search_query(call: &Call) -> Result<ListQuery, Failure> {
    let body = body_json(call)?;
    let is_search = body
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(SEARCH_REQUEST_SCHEMA)));
    if !is_search {
        return Err(ScimError::bad_syntax().into());
    }
    let strings = |name: &str| -> Vec<String> {
        match body.get(name) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            Some(Value::String(s)) => s.split(',').map(|s| s.trim().to_string()).collect(),
            _ => Vec::new(),
        }
    };
    let q = ListQuery {
        filter: body.get("filter").and_then(Value::as_str).map(str::to_string),
        start_index: body.get("startIndex").and_then(Value::as_i64).unwrap_or(1),
        count: body.get("count").and_then(Value::as_i64),
        attributes: strings("attributes"),
        excluded: strings("excludedAttributes"),
        sort_by: body.get("sortBy").and_then(Value::as_str).map(str::to_string),
        sort_order: body.get("sortOrder").and_then(Value::as_str).map(str::to_string),
    };
    Ok(q)
}

/// SCIM2 `listUsersWithGET`/`listGroupsWithGET`: a bad order is a 400, any sort a 501.
pub(super) fn refuse_sorting(q: &ListQuery) -> Result<(), Failure> {
    if let Some(order) = &q.sort_order
        && !order.eq_ignore_ascii_case("ascending")
        && !order.eq_ignore_ascii_case("descending")
    {
        return Err(ScimError::new(ScimType::InvalidValue, "Invalid sortOrder value is specified").into());
    }
    if q.sort_by.is_some() || q.sort_order.is_some() {
        return Err(Failure::status(StatusCode::NOT_IMPLEMENTED, "Sorting is not supported"));
    }
    Ok(())
}

/// A ListResponse of a page of rendered resources (Charon fills `Resources` per item: an empty list has none).
pub(super) fn list_response(total: usize, start: i64, resources: Vec<Value>) -> Answer {
    let mut body = json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
    });
    if !resources.is_empty() {
        body["Resources"] = Value::Array(resources);
    }
    Answer::ok(body)
}

fn list_with(app: &App, actor: &Actor, base: &str, profile: &ScimProfile, q: ListQuery) -> Result<Answer, Failure> {
    let catalogue = catalogue(profile);
    refuse_sorting(&q)?;
    let projection = Projection::new(&catalogue, &q.attributes, &q.excluded)?;
    let parsed = match q.filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(text) => {
            let f = filter::parse(text).map_err(ScimError::from)?;
            query::check_user_filter(&catalogue, &f, profile.user_filter_ops)?;
            Some(f)
        }
        None => None,
    };
    let (start, skip, count) = q.page();
    let by_name = parsed.as_ref().and_then(query::single_user_name);
    let page = if count == Some(0) {
        crate::app::UserPage {
            total: 0,
            users: Vec::new(),
        }
    } else {
        let keep = |u: &UserData| match &parsed {
            None => true,
            Some(f) => query::matches(&catalogue, f, &resource::user(profile, u, "")),
        };
        // A filter that may name `groups` (`groups.display eq …`) needs every user's groups; others do not pay.
        let with_groups = q
            .filter
            .as_deref()
            .is_some_and(|f| f.to_ascii_lowercase().contains("groups"));
        app.scim_users(actor, by_name.as_deref(), with_groups, keep, skip, count)?
    };
    let resources = page
        .users
        .iter()
        .map(|u| render(base, profile, u, &projection))
        .collect();
    Ok(list_response(page.total, start, resources))
}

/// Does the request name the forced-reset trigger itself? Only then is an unchanged `true` an action again.
pub(super) fn names_trigger(body: &[u8]) -> bool {
    String::from_utf8_lossy(body)
        .to_ascii_lowercase()
        .contains("forcepasswordreset")
}

/// The edit a resulting document asks for, against the user as stored.
fn edit_from(profile: &ScimProfile, user: &UserData, doc: &Value, action: bool) -> Result<ScimEdit, Failure> {
    let catalogue = catalogue(profile);
    if let Some(name) = doc.get("userName")
        && name.as_str() != Some(user.name.as_str())
    {
        return Err(ScimError::new(ScimType::Mutability, "Attribute userName cannot be modified.").into());
    }
    let password = match doc.get("password") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => Some(Secret::new(p)),
        Some(_) => return Err(ScimError::bad_syntax().into()),
    };
    let new = resource::claims_of(&catalogue, doc)?;
    let claims = resource::claim_changes(
        &catalogue,
        &user.claims,
        &new,
        action.then_some(ADMIN_FORCED_PASSWORD_RESET),
    );
    Ok(ScimEdit { claims, password })
}

/// The edit of a PUT: the body is the whole user (a body without `userName` keeps it; the id is the URL's).
pub(super) fn put_edit<'a>(
    profile: &'a ScimProfile,
    body: &'a Value,
    action: bool,
) -> Result<impl Fn(&UserData) -> Result<ScimEdit, Failure> + 'a, Failure> {
    if !body.is_object() {
        return Err(ScimError::bad_syntax().into());
    }
    Ok(move |user: &UserData| {
        let mut doc = body.clone();
        if doc.get("userName").is_none() {
            doc["userName"] = json!(user.name);
        }
        edit_from(profile, user, &doc, action)
    })
}

/// The edit of a PATCH: the operations applied to the stored user's document.
pub(super) fn patch_edit<'a>(
    profile: &'a ScimProfile,
    request: &'a Value,
    action: bool,
) -> impl Fn(&UserData) -> Result<ScimEdit, Failure> + 'a {
    move |user: &UserData| {
        let mut doc = resource::user(profile, user, "");
        patch::apply(&catalogue(profile), &mut doc, request)?;
        edit_from(profile, user, &doc, action)
    }
}

fn replace_by_id(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile, uuid: &str) -> Result<Answer, Failure> {
    let projection = query_projection(call, profile)?;
    let body = body_json(call)?;
    let updated = app.scim_update(actor, uuid, put_edit(profile, &body, names_trigger(&call.body))?)?;
    match updated {
        Some(user) => Ok(user_answer(&call.base, profile, StatusCode::OK, &user, &projection)),
        None => Err(not_found(format!("No user exists with the given id: {uuid}"))),
    }
}

fn patch_by_id(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile, uuid: &str) -> Result<Answer, Failure> {
    let projection = query_projection(call, profile)?;
    let request = body_json(call)?;
    let updated = app.scim_update(actor, uuid, patch_edit(profile, &request, names_trigger(&call.body)))?;
    match updated {
        Some(user) => Ok(user_answer(&call.base, profile, StatusCode::OK, &user, &projection)),
        None => Err(not_found(format!("No user with the id : {uuid} in the user store."))),
    }
}

pub(super) fn replace(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile) -> Result<Answer, Failure> {
    replace_by_id(app, actor, call, profile, id(call))
}

pub(super) fn patch(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile) -> Result<Answer, Failure> {
    patch_by_id(app, actor, call, profile, id(call))
}

pub(super) fn delete(app: &App, actor: &Actor, call: &Call) -> Result<Answer, Failure> {
    deleted(app.scim_delete(actor, id(call))?)
}

/// A DELETE's answer: 204, or 404 when there was nothing to delete (SCIM2 `deleteUser`/`deleteGroup` throw a
/// NotFoundException without a message: Charon's default detail).
pub(super) fn deleted(found: bool) -> Result<Answer, Failure> {
    if found {
        Ok(Answer {
            status: StatusCode::NO_CONTENT,
            body: None,
            location: None,
        })
    } else {
        Err(not_found("Specified resource (e.g., User) or endpoint does not exist."))
    }
}

pub(super) fn get_me(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile) -> Result<Answer, Failure> {
    let projection = query_projection(call, profile)?;
    let me = app.scim_me(actor)?;
    Ok(user_answer(&call.base, profile, StatusCode::OK, &me, &projection))
}

pub(super) fn replace_me(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile) -> Result<Answer, Failure> {
    let me = app.scim_me(actor)?;
    replace_by_id(app, actor, call, profile, &me.uuid)
}

pub(super) fn patch_me(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile) -> Result<Answer, Failure> {
    let me = app.scim_me(actor)?;
    patch_by_id(app, actor, call, profile, &me.uuid)
}

pub(super) fn delete_me(app: &App, actor: &Actor, profile: &ScimProfile) -> Result<Answer, Failure> {
    match profile.delete_me {
        DeleteMe::NotImplemented => Err(Failure::status(
            StatusCode::NOT_IMPLEMENTED,
            "Self delete is not supported",
        )),
        DeleteMe::Deletes => {
            let me = app.scim_me(actor)?;
            app.scim_delete(actor, &me.uuid)?;
            Ok(Answer {
                status: StatusCode::NO_CONTENT,
                body: None,
                location: None,
            })
        }
    }
}
