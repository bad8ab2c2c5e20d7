//! `POST /scim2/Bulk` as Charon's `BulkRequestProcessor` answers it: always 200, each operation's result with
//! `status` as `{"code":n}` and its `response` as a JSON *string* (every result from 7.0, only failures before);
//! `failOnErrors` stops after that many failures; `bulkId:` references name users created earlier in the same
//! request (a path `/Groups/bulkId:g1`, or any value in `data`, such as a group member `bulkId:user1`); more than
//! `maxOperations` (1000) is a 413 from 7.1. User and Group operations (POST, PUT, PATCH, DELETE); all of them
//! run in one store transaction with a savepoint each ([`App::scim_bulk`]).

use std::collections::HashMap;

use hyper::StatusCode;
use serde_json::{Value, json};

use super::error::{self, Failure};
use super::groups;
use super::users::{self, create_request, names_trigger, patch_edit, put_edit};
use super::{Answer, Call};
use crate::app::{Actor, App, BulkSession};
use crate::domain::profile::scim::ScimProfile;
use crate::domain::scim::project::Projection;
use crate::domain::scim::{BULK_REQUEST_SCHEMA, BULK_RESPONSE_SCHEMA, PATCH_OP_SCHEMA, ScimError, ScimType};

/// ServiceProviderConfig's `bulk.maxOperations`.
pub const MAX_OPERATIONS: usize = 1000;

/// One decoded operation.
struct Operation {
    method: String,
    path: String,
    bulk_id: Option<String>,
    data: Value,
}

fn missing(attribute: &str) -> Failure {
    ScimError::new(
        ScimType::InvalidSyntax,
        format!("Missing required attribute : {attribute}"),
    )
    .into()
}

fn decode(body: &Value) -> Result<(Vec<Operation>, usize), Failure> {
    let is_bulk = body
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(BULK_REQUEST_SCHEMA)));
    let Some(ops) = body.get("Operations").and_then(Value::as_array).filter(|_| is_bulk) else {
        return Err(ScimError::bad_syntax().into());
    };
    let fail_on_errors = body
        .get("failOnErrors")
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        let method = op
            .get("method")
            .and_then(Value::as_str)
            .ok_or_else(|| missing("method"))?;
        let path = op.get("path").and_then(Value::as_str).ok_or_else(|| missing("path"))?;
        let bulk_id = op.get("bulkId").and_then(Value::as_str).map(str::to_string);
        if method.eq_ignore_ascii_case("POST") {
            let Some(id) = &bulk_id else {
                return Err(ScimError::new(
                    ScimType::InvalidValue,
                    "bulkId attribute is missing for POST operation.",
                )
                .into());
            };
            if !seen.insert(id.clone()) {
                return Err(ScimError::new(ScimType::InvalidValue, format!("Duplicate bulkId: {id}")).into());
            }
        }
        out.push(Operation {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            bulk_id,
            data: op.get("data").cloned().unwrap_or(Value::Null),
        });
    }
    Ok((out, fail_on_errors))
}

pub(super) fn run(app: &App, actor: &Actor, call: &Call, profile: &ScimProfile) -> Result<Answer, Failure> {
    let body: Value = serde_json::from_slice(&call.body).map_err(|_| Failure::from(ScimError::bad_syntax()))?;
    let count = body.get("Operations").and_then(Value::as_array).map_or(0, Vec::len);
    if profile.bulk_limit_enforced && count > MAX_OPERATIONS {
        return Err(Failure::status(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The number of operations in the bulk request: {count} exceeds the maximum total number of \
                 operations count: {MAX_OPERATIONS}."
            ),
        ));
    }
    let (ops, fail_on_errors) = decode(&body)?;
    let results = app.scim_bulk(actor, |session| {
        let mut created: HashMap<String, String> = HashMap::new();
        let mut failures = 0;
        let mut results = Vec::with_capacity(ops.len());
        for op in &ops {
            if fail_on_errors > 0 && failures >= fail_on_errors {
                break;
            }
            let outcome = one(&call.base, session, profile, op, &created);
            let (status, made, response) = match outcome {
                Ok((status, made, response)) => (status, made, response),
                Err(failure) => {
                    failures += 1;
                    let (status, doc) = error::bulk_result(failure, profile);
                    (status, None, Some(doc))
                }
            };
            if let (Some(bulk_id), Some((id, _))) = (&op.bulk_id, &made) {
                created.insert(bulk_id.clone(), id.clone());
            }
            let mut result = json!({ "method": op.method, "status": { "code": status.as_u16() } });
            if let Some(b) = &op.bulk_id {
                result["bulkId"] = json!(b);
            }
            if let Some((_, location)) = &made {
                result["location"] = json!(location);
            }
            let failed = !status.is_success();
            if let Some(response) = response.filter(|_| failed || profile.bulk_response_always) {
                result["response"] = json!(response.to_string());
            }
            results.push(result);
        }
        results
    })?;
    Ok(Answer::ok(
        json!({ "schemas": [BULK_RESPONSE_SCHEMA], "Operations": results }),
    ))
}

/// `{prefix}{id}` with a `bulkId:` reference resolved.
fn resource_id(path: &str, prefix: &str, created: &HashMap<String, String>) -> Option<String> {
    let id = path.strip_prefix(prefix)?;
    match id.strip_prefix("bulkId:") {
        Some(reference) => created.get(reference).cloned(),
        None => Some(id.to_string()),
    }
}

/// `data` with every `bulkId:` reference to an earlier operation's resource replaced by its id, as Charon's
/// `BulkRequestProcessor` replaces them (a group member `{"value":"bulkId:user1"}`). Unknown references stay.
fn resolve_references(data: &Value, created: &HashMap<String, String>) -> Value {
    match data {
        Value::String(s) => match s.strip_prefix("bulkId:").and_then(|r| created.get(r)) {
            Some(id) => Value::String(id.clone()),
            None => data.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| resolve_references(v, created)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), resolve_references(v, created)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A PATCH `data`, with the PatchOp schema the PIS bulk files leave out (Charon does not ask for it there).
fn patch_request(data: &Value) -> Value {
    let mut request = data.clone();
    if request.get("schemas").is_none() && request.is_object() {
        request["schemas"] = json!([PATCH_OP_SCHEMA]);
    }
    request
}

/// An operation's status, the created or changed resource's id and location, and its document.
type Done = (StatusCode, Option<(String, String)>, Option<Value>);

fn one(
    base: &str,
    session: &mut BulkSession<'_>,
    profile: &ScimProfile,
    op: &Operation,
    created: &HashMap<String, String>,
) -> Result<Done, Failure> {
    let plain = Projection::default();
    let not_found = || {
        Failure::status(
            StatusCode::NOT_FOUND,
            "Specified resource (e.g., User) or endpoint does not exist.",
        )
    };
    let action = names_trigger(op.data.to_string().as_bytes());
    let data = resolve_references(&op.data, created);
    let user_done = |status, user: &crate::domain::scim::resource::UserData| -> Done {
        let made = (user.uuid.clone(), users::location(base, &user.uuid));
        (status, Some(made), Some(users::render(base, profile, user, &plain)))
    };
    let group_done = |status, group: &crate::domain::scim::group::GroupData| -> Done {
        let made = (group.uuid.clone(), groups::location(base, &group.uuid));
        (status, Some(made), Some(groups::render(base, group, &plain)))
    };
    let path = op.path.as_str();
    let group_id = || resource_id(path, "/Groups/", created).ok_or_else(not_found);
    let user_id = || resource_id(path, "/Users/", created).ok_or_else(not_found);
    match op.method.as_str() {
        "POST" if path == "/Users" => {
            let new = create_request(profile, &data)?;
            let user = session.create(&new.name, &new.password, &new.claims)?;
            Ok(user_done(StatusCode::CREATED, &user))
        }
        "POST" if path == "/Groups" => {
            let group = session.create_group(&groups::create_request(&data)?)?;
            Ok(group_done(StatusCode::CREATED, &group))
        }
        "PUT" if path.starts_with("/Groups/") => {
            let group = session
                .update_group(&group_id()?, groups::put_edit(&data)?)?
                .ok_or_else(not_found)?;
            Ok(group_done(StatusCode::OK, &group))
        }
        "PUT" => {
            let user = session
                .update(&user_id()?, put_edit(profile, &data, action)?)?
                .ok_or_else(not_found)?;
            Ok(user_done(StatusCode::OK, &user))
        }
        "PATCH" if path.starts_with("/Groups/") => {
            let request = patch_request(&data);
            let group = session
                .update_group(&group_id()?, groups::patch_edit(&request))?
                .ok_or_else(not_found)?;
            Ok(group_done(StatusCode::OK, &group))
        }
        "PATCH" => {
            let request = patch_request(&data);
            let user = session
                .update(&user_id()?, patch_edit(profile, &request, action))?
                .ok_or_else(not_found)?;
            Ok(user_done(StatusCode::OK, &user))
        }
        "DELETE" if path.starts_with("/Groups/") => {
            if session.delete_group(&group_id()?)? {
                Ok((StatusCode::NO_CONTENT, None, None))
            } else {
                Err(not_found())
            }
        }
        "DELETE" => {
            if session.delete(&user_id()?)? {
                Ok((StatusCode::NO_CONTENT, None, None))
            } else {
                Err(not_found())
            }
        }
        _ => Err(Failure::status(
            StatusCode::NOT_IMPLEMENTED,
            "Service provider does not support the request operation.",
        )),
    }
}
