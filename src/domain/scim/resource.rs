//! User resources built from an account's claims (SCIM2 `AttributeMapper#constructSCIMObjectFromAttributes`), and
//! read back into claims: what a POST, PUT or patched document asks to store. Only attributes with a value
//! appear: an unset claim is absent, never `null`.

use serde_json::{Map, Value, json};

use super::schema::{Attr, COMMON, Catalogue, Keep, Type, USER_ATTRS};
use super::{ScimError, ScimType};
use crate::domain::profile::scim::ScimProfile;

/// What the store knows of a user, as a resource needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserData {
    pub uuid: String,
    pub name: String,
    pub created: i64,
    pub last_modified: i64,
    /// The default profile's claim values.
    pub claims: Vec<(String, String)>,
    /// Role names, `Internal/everyone` included.
    pub roles: Vec<String>,
    /// The roles the user is a member of as (group id, role name), `Internal/everyone` not included.
    pub groups: Vec<(String, String)>,
}

impl UserData {
    fn claim(&self, uri: &str) -> Option<&str> {
        self.claims
            .iter()
            .find(|(u, _)| u == uri)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// A claim value as the attribute's JSON type (a boolean claim `"true"` is `true`). A value that does not parse
/// as its type is shown as the string it is.
fn typed(ty: Type, value: &str) -> Value {
    match ty {
        Type::Boolean => match value.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(value.to_string()),
        },
        Type::Integer => value
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(value.to_string())),
        _ => Value::String(value.to_string()),
    }
}

/// The values of one attribute kept in claims, or None.
fn attr_value(a: &Attr, user: &UserData) -> Option<Value> {
    match a.keep {
        Keep::Claim(uri) => {
            let value = user.claim(uri)?;
            Some(if a.multi {
                Value::Array(value.split(',').map(|v| typed(a.ty, v)).collect())
            } else {
                typed(a.ty, value)
            })
        }
        Keep::Typed { untyped, typed: types } => {
            // Complex values first, then the bare strings (Charon `JSONEncoder#encodeMultiValuedAttribute`).
            let mut out: Vec<Value> = types
                .iter()
                .filter_map(|(t, uri)| user.claim(uri).map(|v| json!({ "type": t, "value": v })))
                .collect();
            if let Some(v) = user.claim(untyped) {
                out.extend(v.split(',').map(|s| Value::String(s.to_string())));
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
        Keep::Resource if a.ty == Type::Complex && !a.multi => {
            let object: Map<String, Value> = a
                .sub
                .iter()
                .filter_map(|s| attr_value(s, user).map(|v| (s.name.to_string(), v)))
                .collect();
            (!object.is_empty()).then_some(Value::Object(object))
        }
        Keep::Resource => None,
    }
}

/// The whole User resource, every attribute with a value (projection comes after: [`super::project`]).
/// `location` is the resource's absolute URL.
pub fn user(profile: &ScimProfile, user: &UserData, location: &str) -> Value {
    let catalogue = Catalogue::of(profile.wso2_attributes);
    let mut doc = Map::new();
    doc.insert("schemas".into(), json!(profile.user_schemas));
    doc.insert("id".into(), Value::String(user.uuid.clone()));
    doc.insert("userName".into(), Value::String(user.name.clone()));
    for a in USER_ATTRS.iter().chain(COMMON) {
        if let Some(v) = attr_value(a, user) {
            doc.insert(a.name.to_string(), v);
        }
    }
    doc.insert(
        "meta".into(),
        json!({
            "created": super::format_instant(user.created),
            "lastModified": super::format_instant(user.last_modified),
            "location": location,
            "resourceType": "User",
        }),
    );
    // `groups` (SCIM2 `getUser` → Charon `User#setGroup`: value, display, $ref), read-only: the roles the user
    // holds, without `Internal/everyone`; hybrid ones only where roles are groups (5.x). The display is the role
    // name as the user core lists it, without `PRIMARY/` (the default `EnableFilteringEnhancements` off).
    let groups: Vec<Value> = user
        .groups
        .iter()
        .filter(|(_, name)| profile.hybrid_roles_as_groups || !super::group::is_hybrid(name))
        .map(|(id, name)| json!({ "value": id, "display": name, "$ref": group_ref(location, &user.uuid, id) }))
        .collect();
    if !groups.is_empty() {
        doc.insert("groups".into(), Value::Array(groups));
    }
    let roles: Vec<Value> = user
        .roles
        .iter()
        .map(|r| json!({ "type": "default", "value": r }))
        .collect();
    doc.insert("roles".into(), Value::Array(roles));
    for ext in catalogue.extensions {
        let object: Map<String, Value> = ext
            .attrs
            .iter()
            .filter_map(|a| attr_value(a, user).map(|v| (a.name.to_string(), v)))
            .collect();
        if !object.is_empty() {
            doc.insert(ext.id.to_string(), Value::Object(object));
        }
    }
    Value::Object(doc)
}

/// A group's URL from its member's (`…/scim2/Users/{user}` → `…/scim2/Groups/{group}`); empty when the user's
/// is (a document built only to be filtered or patched).
fn group_ref(user_location: &str, user: &str, group: &str) -> String {
    user_location
        .strip_suffix(user)
        .and_then(|base| base.strip_suffix("Users/"))
        .map_or_else(String::new, |base| format!("{base}Groups/{group}"))
}

/// A JSON value as a claim value of an attribute of type `ty`; a type mismatch is Charon's 400.
fn claim_text(ty: Type, name: &str, value: &Value) -> Result<String, ScimError> {
    let bad = || ScimError::new(ScimType::InvalidValue, format!("{name} has an invalid value."));
    match (ty, value) {
        (Type::Boolean, Value::Bool(b)) => Ok(b.to_string()),
        (Type::Boolean, Value::String(s)) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
            Ok(s.to_ascii_lowercase())
        }
        (Type::Integer, Value::Number(n)) if n.is_i64() => Ok(n.to_string()),
        (Type::Integer, Value::String(s)) if s.parse::<i64>().is_ok() => Ok(s.clone()),
        (Type::Boolean | Type::Integer, _) => Err(bad()),
        (_, Value::String(s)) => Ok(s.clone()),
        (_, Value::Number(n)) => Ok(n.to_string()),
        (_, Value::Bool(b)) => Ok(b.to_string()),
        _ => Err(bad()),
    }
}

/// The claims one writable attribute of `doc` holds, added to `out`.
fn attr_claims(a: &Attr, value: &Value, out: &mut Vec<(&'static str, String)>) -> Result<(), ScimError> {
    if !a.writable() || value.is_null() {
        return Ok(());
    }
    match a.keep {
        Keep::Claim(uri) if a.multi => {
            let values = match value {
                Value::Array(items) => items
                    .iter()
                    .map(|v| claim_text(a.ty, a.name, v))
                    .collect::<Result<Vec<_>, _>>()?,
                single => vec![claim_text(a.ty, a.name, single)?],
            };
            out.push((uri, values.join(",")));
        }
        Keep::Claim(uri) => out.push((uri, claim_text(a.ty, a.name, value)?)),
        Keep::Typed { untyped, typed } => {
            let items = match value {
                Value::Array(items) => items.as_slice(),
                single => std::slice::from_ref(single),
            };
            let mut bare = Vec::new();
            for item in items {
                match item {
                    Value::Object(o) => {
                        let v = o
                            .get("value")
                            .map(|v| claim_text(Type::String, a.name, v))
                            .transpose()?;
                        let Some(v) = v else { continue };
                        match o.get("type").and_then(Value::as_str) {
                            Some(t) => match typed.iter().find(|(name, _)| name.eq_ignore_ascii_case(t)) {
                                Some((_, uri)) => out.push((uri, v)),
                                None => bare.push(v),
                            },
                            None => bare.push(v),
                        }
                    }
                    other => bare.push(claim_text(Type::String, a.name, other)?),
                }
            }
            if !bare.is_empty() {
                out.push((untyped, bare.join(",")));
            }
        }
        Keep::Resource if a.ty == Type::Complex && !a.multi => {
            let Value::Object(o) = value else {
                return Err(ScimError::bad_syntax());
            };
            for (key, v) in o {
                if let Some(s) = a.sub_attr(key) {
                    attr_claims(s, v, out)?;
                }
            }
        }
        Keep::Resource => {}
    }
    Ok(())
}

/// Every claim a User document asks to store, from its writable attributes (read-only ones are ignored, as
/// Charon drops them before the user store sees them). Attributes it does not know are ignored too.
pub fn claims_of(catalogue: &Catalogue, doc: &Value) -> Result<Vec<(&'static str, String)>, ScimError> {
    let Value::Object(doc) = doc else {
        return Err(ScimError::bad_syntax());
    };
    let mut out = Vec::new();
    for (key, value) in doc {
        if let Some(ext) = catalogue.extension(key) {
            let Value::Object(o) = value else {
                return Err(ScimError::bad_syntax());
            };
            for (name, v) in o {
                if let Some(a) = ext.attrs.iter().find(|a| a.name.eq_ignore_ascii_case(name)) {
                    attr_claims(a, v, &mut out)?;
                }
            }
        } else if let Some(a) = catalogue.top(key) {
            attr_claims(a, value, &mut out)?;
        }
    }
    Ok(out)
}

/// The claim writes that take a user from `old` claims to the document's: changed and new values, and an empty
/// value (a removal) for every writable claim the document no longer holds. `action`, a claim the request named
/// itself (the forced-reset trigger), is written when the document sets it, changed or not: it is an action,
/// not a value.
pub fn claim_changes(
    catalogue: &Catalogue,
    old: &[(String, String)],
    new: &[(&'static str, String)],
    action: Option<&str>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (uri, value) in new {
        let unchanged = old.iter().any(|(u, v)| u == uri && v == value);
        if !unchanged || action == Some(*uri) {
            out.push((uri.to_string(), value.clone()));
        }
    }
    for uri in catalogue.writable_claims() {
        let held = old.iter().any(|(u, v)| u == uri && !v.is_empty());
        if held && !new.iter().any(|(u, _)| *u == uri) {
            out.push((uri.to_string(), String::new()));
        }
    }
    out
}
