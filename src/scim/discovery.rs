//! The discovery documents: `ServiceProviderConfig` (open, WSO2's `charon-config.xml` values), `ResourceTypes`
//! (open, a ListResponse of User and Group) and `Schemas` (a bare array, with Charon's upper-case enum names), per
//! release ([`ScimProfile`]).

use serde_json::{Value, json};

use hyper::StatusCode;

use super::Answer;
use super::error::Failure;
use crate::app::App;
use crate::domain::profile::scim::{ENTERPRISE_SCHEMA, ListedSchema, ScimProfile, USER_SCHEMA, Wso2Attributes};
use crate::domain::scim::schema::{self, Attr, Catalogue};
use crate::domain::scim::{GROUP_SCHEMA, LIST_RESPONSE_SCHEMA, RESOURCE_TYPE_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA};

pub(super) fn service_provider_config(app: &App, profile: &ScimProfile) -> Answer {
    let mut answer = Answer::ok(json!({
        "schemas": [SERVICE_PROVIDER_CONFIG_SCHEMA],
        "documentationUri": profile.documentation_uri,
        "patch": { "supported": true },
        "bulk": { "supported": true, "maxOperations": 1000, "maxPayloadSize": 1_048_576 },
        "filter": { "supported": true, "maxResults": 200 },
        "changePassword": { "supported": true },
        "sort": { "supported": false },
        "etag": { "supported": false },
        "authenticationSchemes": [
            { "name": "OAuth Bearer Token", "description": "Authentication scheme using the OAuth Bearer Token Standard",
              "specUri": "http://www.rfc-editor.org/info/rfc6750", "type": "oauthbearertoken", "primary": true },
            { "name": "HTTP Basic", "description": "Authentication scheme using the HTTP Basic Standard",
              "specUri": "http://www.rfc-editor.org/info/rfc2617", "type": "httpbasic", "primary": false },
        ],
    }));
    answer.location = Some(format!("{}/scim2/ServiceProviderConfig", app.product_url()));
    answer
}

pub(super) fn resource_types(app: &App, profile: &ScimProfile) -> Answer {
    let base = app.product_url();
    let extensions: Vec<Value> = profile
        .user_extensions
        .iter()
        .map(|urn| json!({ "schema": urn, "required": false }))
        .collect();
    let extensions = match (profile.extensions_as_object, extensions.first()) {
        (true, Some(one)) => one.clone(),
        _ => Value::Array(extensions),
    };
    Answer::ok(json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": 2,
        "Resources": [
            { "schemas": [RESOURCE_TYPE_SCHEMA], "id": "User", "name": "User", "endpoint": "/Users",
              "description": "User Account", "schema": USER_SCHEMA, "schemaExtensions": extensions,
              "meta": { "location": format!("{base}/scim2/ResourceTypes/User"), "resourceType": "ResourceType" } },
            { "schemas": [RESOURCE_TYPE_SCHEMA], "id": "Group", "name": "Group", "endpoint": "/Groups",
              "description": "Group", "schema": GROUP_SCHEMA,
              "meta": { "location": format!("{base}/scim2/ResourceTypes/Group"), "resourceType": "ResourceType" } },
        ],
    }))
}

/// One attribute as Charon's `JSONEncoder#encodeBasicAttributeSchema` writes it.
fn attribute(a: &Attr) -> Value {
    let mut v = json!({
        "name": a.name,
        "type": a.ty.java_name(),
        "multiValued": a.multi,
        "description": a.description,
        "required": a.required,
        "caseExact": a.case_exact,
        "mutability": a.mutability.java_name(),
        "returned": a.returned.java_name(),
        "uniqueness": a.uniqueness.java_name(),
    });
    if !a.sub.is_empty() {
        v["subAttributes"] = Value::Array(a.sub.iter().map(attribute).collect());
    }
    v
}

/// `GET /scim2/Schemas/{id}` (SCIM2 v3.1.1 on, IS 6.0+): one listed schema, or 501 with the release's words;
/// before 6.0 the URL is not routed.
pub(super) fn schema(profile: &ScimProfile, id: &str) -> Result<Answer, Failure> {
    let Some(unsupported) = profile.schema_by_id else {
        return Err(Failure::status(
            StatusCode::NOT_FOUND,
            "Specified resource (e.g., User) or endpoint does not exist.",
        ));
    };
    let listed = schemas(profile).body.unwrap_or_default();
    listed
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|s| s["id"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(id)))
        })
        .map(|s| Answer::ok(s.clone()))
        .ok_or_else(|| Failure::status(StatusCode::NOT_IMPLEMENTED, unsupported))
}

pub(super) fn schemas(profile: &ScimProfile) -> Answer {
    let catalogue = Catalogue::of(profile.wso2_attributes);
    let entry = |id: &str, name: &str, description: &str, attrs: &[Attr]| {
        json!({ "id": id, "name": name, "description": description,
                "attributes": attrs.iter().map(attribute).collect::<Vec<_>>() })
    };
    let listed: Vec<Value> = profile
        .listed_schemas
        .iter()
        .map(|s| match s {
            ListedSchema::Core => entry(
                schema::CORE.id,
                schema::CORE.name,
                schema::CORE.description,
                schema::COMMON,
            ),
            ListedSchema::User => entry(
                schema::USER.id,
                schema::USER.name,
                schema::USER.description,
                schema::USER_ATTRS,
            ),
            ListedSchema::Enterprise => {
                let ext = catalogue.extension(ENTERPRISE_SCHEMA);
                entry(
                    ENTERPRISE_SCHEMA,
                    ext.map_or("EnterpriseUser", |e| e.name),
                    ext.map_or("Enterprise User", |e| e.description),
                    ext.map_or(&[], |e| e.attrs),
                )
            }
            ListedSchema::Extension { id, name, description } => {
                // 6.0–7.0 list the (empty) custom schema under WSO2's URN while the attributes stay enterprise.
                let attrs = match (profile.wso2_attributes, catalogue.extension(id)) {
                    (Wso2Attributes::System, Some(ext)) => ext.attrs,
                    _ => &[],
                };
                entry(id, name, description, attrs)
            }
        })
        .collect();
    Answer::ok(Value::Array(listed))
}
