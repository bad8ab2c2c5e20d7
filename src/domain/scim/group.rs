//! Group resources (`/scim2/Groups`) as WSO2 builds them from a user-store role (SCIM2
//! `SCIMUserManager#createGroup`/`doGetGroup`): the name with its user-store domain (`PRIMARY/manager`), the
//! members as user ids and names, `meta` with `resourceType` "Group". And what a POST, PUT or patched document asks
//! a group to become: a name and a set of member ids. The texts of WSO2's refusals live here too.
//!
//! Sources: SCIM2 = identity-inbound-provisioning-scim2 v1.5.46 (IS 5.11) and v3.4.132 (IS 7.1)
//! `SCIMUserManager`; CHARON = wso2/charon `GroupResourceManager`, `AbstractValidator`.

use serde_json::{Map, Value, json};

use super::filter::{Filter, FilterValue};
use super::{GROUP_SCHEMA, ScimError, ScimType};

/// The user-store domain of every role forcereset keeps (WSO2's primary user store).
pub const PRIMARY_DOMAIN: &str = "PRIMARY";

/// One member of a group: a user's id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub uuid: String,
    pub name: String,
}

/// What the store knows of a group, as a resource needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupData {
    pub uuid: String,
    /// The role's name, without a domain.
    pub name: String,
    pub created: i64,
    pub last_modified: i64,
    pub members: Vec<Member>,
}

/// A role name as a Group's `displayName`: qualified with its user-store domain. SCIM2 `createGroup` adds
/// `PRIMARY/` to a name without one (`SCIMCommonUtils#getGroupNameWithDomain`, v1.5.46 and v3.4.132) and answers,
/// and keeps (`IDN_SCIM_GROUP.ROLE_NAME`, 5.x), that name. A name that already has a domain (`Internal/…`,
/// `Application/…`) is left as it is.
pub fn display_name(role: &str) -> String {
    if role.contains('/') {
        role.to_string()
    } else {
        format!("{PRIMARY_DOMAIN}/{role}")
    }
}

/// A `displayName` a client sent as the role name it stands for: `PRIMARY/` (any case) removed.
pub fn role_name(display: &str) -> &str {
    match display.split_once('/') {
        Some((domain, rest)) if domain.eq_ignore_ascii_case(PRIMARY_DOMAIN) => rest,
        _ => display,
    }
}

/// Is this role a hybrid role (`Internal/…`, `Application/…`) rather than a user-store group?
/// (SCIM2 `SCIMCommonUtils#isHybridRole`.)
pub fn is_hybrid(role: &str) -> bool {
    role.split_once('/').is_some_and(|(domain, _)| {
        domain.eq_ignore_ascii_case("Internal") || domain.eq_ignore_ascii_case("Application")
    })
}

/// The whole Group resource. `location` is its absolute URL, `user_location` makes a member's.
pub fn group(data: &GroupData, location: &str, user_location: impl Fn(&str) -> String) -> Value {
    let mut doc = Map::new();
    doc.insert("schemas".into(), json!([GROUP_SCHEMA]));
    doc.insert("id".into(), Value::String(data.uuid.clone()));
    doc.insert("displayName".into(), Value::String(display_name(&data.name)));
    // Charon leaves an attribute without values out: a group with no members has no `members`.
    if !data.members.is_empty() {
        let members: Vec<Value> = data
            .members
            .iter()
            .map(|m| json!({ "value": m.uuid, "display": m.name, "$ref": user_location(&m.uuid) }))
            .collect();
        doc.insert("members".into(), Value::Array(members));
    }
    doc.insert(
        "meta".into(),
        json!({
            "created": super::format_instant(data.created),
            "lastModified": super::format_instant(data.last_modified),
            "location": location,
            "resourceType": "Group",
        }),
    );
    Value::Object(doc)
}

/// A member a request names: its `value` (a user id) and, if given, its `display` (the user's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRef {
    pub value: String,
    pub display: Option<String>,
}

/// What a document asks a group to be: its role name and members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRequest {
    pub name: String,
    pub members: Vec<MemberRef>,
}

/// Read a Group document (a POST or PUT body, or a patched resource). A missing `displayName` is Charon's
/// required-attribute refusal (`AbstractValidator#validateSCIMObjectForRequiredAttributes`: 400 `invalidValue`).
pub fn request(doc: &Value) -> Result<GroupRequest, ScimError> {
    let Value::Object(doc) = doc else {
        return Err(ScimError::bad_syntax());
    };
    let field = |name: &str| doc.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v);
    let name = match field("displayName") {
        Some(Value::String(s)) if !s.trim().is_empty() => role_name(s.trim()).to_string(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(ScimError::new(
                ScimType::InvalidValue,
                "Required attribute displayName is missing in the SCIM Object.",
            ));
        }
        Some(_) => return Err(ScimError::bad_syntax()),
    };
    let members = match field("members") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(member).collect::<Result<_, _>>()?,
        Some(one @ Value::Object(_)) => vec![member(one)?],
        Some(_) => return Err(ScimError::bad_syntax()),
    };
    Ok(GroupRequest { name, members })
}

fn member(item: &Value) -> Result<MemberRef, ScimError> {
    let Value::Object(o) = item else {
        return Err(ScimError::bad_syntax());
    };
    let text = |name: &str| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_string)
    };
    let Some(value) = text("value").filter(|v| !v.trim().is_empty()) else {
        return Err(ScimError::bad_syntax());
    };
    Ok(MemberRef {
        value,
        display: text("display"),
    })
}

/// Does a `display` name the user (`name`)? A domain in either is ignored, case too (SCIM2 `createGroup`
/// compares the names without their domains, `equalsIgnoreCase`).
pub fn display_matches(display: &str, name: &str) -> bool {
    let bare = |s: &str| s.split_once('/').map_or(s, |(_, r)| r).to_string();
    bare(display).eq_ignore_ascii_case(&bare(name))
}

/// SCIM2 `createGroup`'s refusal of a member that does not exist (or whose `display` is not its name), caught
/// and re-thrown as one 400 `invalidValue` (v1.5.46 and v3.4.132).
pub fn unknown_member_on_create(role: &str) -> String {
    format!(
        "One or more group members do not exist in the same user store. Hence, can not create the group: {}",
        display_name(role)
    )
}

/// SCIM2 `doUpdateGroup`/`doPatchGroup`'s words for a member that does not exist (`getMemberValuesFromUserstore`).
pub fn unknown_member_on_update(member: &str, role: &str) -> String {
    format!(
        "User: {member} doesn't exist in the user store. Hence can not update the group: {}",
        display_name(role)
    )
}

/// A filter as it is evaluated against [`filter_doc`]: a `displayName` value loses its `PRIMARY/`, as SCIM2 puts
/// the domain on both sides (`prependDomainNameToTheAttributeValue`) before asking the user store.
pub fn bare_filter(f: Filter) -> Filter {
    match f {
        Filter::Compare {
            path,
            op,
            value: FilterValue::Str(v),
        } if path.sub.is_none() && path.attr.eq_ignore_ascii_case("displayName") => Filter::Compare {
            path,
            op,
            value: FilterValue::Str(role_name(&v).to_string()),
        },
        other => other,
    }
}

/// The document a filter is evaluated against: the resource with the bare role name as `displayName`, and its
/// `members` only if the filter names them (building every member of every group is most of a scan's cost).
pub fn filter_doc(f: &Filter, data: &GroupData, location: &str, user_location: impl Fn(&str) -> String) -> Value {
    let mut doc = if names_members(f) {
        group(data, location, user_location)
    } else {
        let bare = GroupData {
            uuid: data.uuid.clone(),
            name: data.name.clone(),
            created: data.created,
            last_modified: data.last_modified,
            members: Vec::new(),
        };
        group(&bare, location, user_location)
    };
    doc["displayName"] = Value::String(data.name.clone());
    doc
}

/// Does the filter look at `members` (a combination counts as doing so)? If not, groups can be filtered without
/// reading their members.
pub fn names_members(f: &Filter) -> bool {
    match f {
        Filter::Compare { path, .. } | Filter::Present(path) | Filter::Elements { path, .. } => {
            path.attr.eq_ignore_ascii_case("members")
        }
        Filter::And(..) | Filter::Or(..) | Filter::Not(_) => true,
    }
}

/// CHARON `GroupResourceManager#get` (3.3.28, 4.0.36): a group id that names nothing.
pub const NOT_FOUND: &str = "Group not found in the user store.";

/// CHARON `GroupResourceManager#updateWithPUT` (3.3.28, 4.0.36): no group with that id. Charon's words say "user".
pub fn put_not_found(id: &str) -> String {
    format!("No user exists with the given id: {id}")
}

/// CHARON `GroupResourceManager#updateWithPATCH` (3.3.28, 4.0.36, the variant that answers the group).
pub fn patch_not_found(id: &str) -> String {
    format!("No group with the id : {id} in the user store.")
}

/// SCIM2 `createGroup`'s conflict (v1.5.46 and v3.4.132), the name with its domain.
pub fn exists(role: &str) -> String {
    format!("Group with name: {} already exists in the system.", display_name(role))
}

/// SCIM2 `filterGroups`: `and`/`or`/`not` are a `NotImplementedException` (501).
pub const COMPLEX_FILTER: &str = "Complex filters are not supported yet";

/// SCIM2 `filterGroupsBySingleAttribute`: an operator outside the release's set is a `CharonException` (500).
pub fn unsupported_operator(op: &str) -> String {
    format!("Filter operation: {op} is not supported for groups filtering.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_primary_domain_and_lose_it_when_read_back() {
        assert_eq!(display_name("manager"), "PRIMARY/manager");
        assert_eq!(display_name("Internal/x"), "Internal/x");
        assert_eq!(role_name("primary/manager"), "manager");
        assert_eq!(role_name("manager"), "manager");
        assert_eq!(role_name("Internal/x"), "Internal/x");
        assert!(is_hybrid("Application/sp") && is_hybrid("internal/x") && !is_hybrid("manager"));
        assert!(display_matches("PRIMARY/Kim", "kim") && !display_matches("kim", "lee"));
        assert_eq!(exists("m"), "Group with name: PRIMARY/m already exists in the system.");
    }

    #[test]
    fn a_request_needs_a_display_name_and_member_values() {
        let r = request(&json!({"displayName": "PRIMARY/g", "members": [{"value": "u1", "display": "kim"}]}))
            .expect("decodes");
        assert_eq!(r.name, "g");
        assert_eq!(
            r.members,
            vec![MemberRef {
                value: "u1".into(),
                display: Some("kim".into())
            }]
        );
        let missing = request(&json!({"members": []})).expect_err("refused");
        assert_eq!(missing.kind, ScimType::InvalidValue);
        assert!(request(&json!({"displayName": "g", "members": [{"display": "kim"}]})).is_err());
        assert!(request(&json!({"displayName": 3})).is_err());
    }

    #[test]
    fn a_group_without_members_has_no_members_attribute() {
        let data = GroupData {
            uuid: "g1".into(),
            name: "g".into(),
            created: 0,
            last_modified: 1500,
            members: vec![],
        };
        let doc = group(&data, "https://h/scim2/Groups/g1", |u| {
            format!("https://h/scim2/Users/{u}")
        });
        assert!(doc.get("members").is_none());
        assert_eq!(doc["displayName"], "PRIMARY/g");
        assert_eq!(doc["meta"]["resourceType"], "Group");
        assert_eq!(doc["meta"]["lastModified"], "1970-01-01T00:00:01.500Z");
    }
}
