//! SCIM 2.0 (`/scim2`) across releases: which schema carries WSO2's own user attributes (the lock claims and the
//! forced-reset trigger), what the discovery endpoints list, how the auth layer refuses a request, and the
//! endpoints' other per-release answers.
//!
//! Sources, by the component versions the releases ship (product-is `pom.xml` at each tag): SCIM2 =
//! identity-inbound-provisioning-scim2 v1.5.1 (IS 5.10), v1.5.46 (5.11), v3.1.1 (6.0), v3.4.7 (6.1), v3.4.67
//! (7.0), v3.4.132 (7.1), v3.4.213 (7.2); CHARON = wso2/charon, the version SCIM2's `pom.xml` bundles: 3.3.15,
//! 3.3.28, 4.0.4, 4.0.5, 4.0.17, 4.0.36, 5.0.3; AUTHREST = identity-carbon-auth-rest 1.4.0, 1.4.25, 1.6.1,
//! 1.8.11, 1.9.4, 1.9.18, 1.9.50; CIF = carbon-identity-framework `claim-config.xml` (the SCIM dialects). IS 5.9
//! (SCIM2 1.4.x) was not read: it is given 5.10's answers (UNCONFIRMED).

use super::Wso2Version;

/// The core User schema.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// RFC 7643's enterprise extension.
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// WSO2's own URN: the custom schema in 6.0–7.0 (SCIM2 `993d6916`), the "system schema" from 7.1 (`957e4742`).
pub const WSO2_SCHEMA: &str = "urn:scim:wso2:schema";
/// The custom schema's URN from 7.1 (SCIM2 `957e4742`, `custom-user-schema-uri`).
pub const CUSTOM_SCHEMA_71: &str = "urn:scim:schemas:extension:custom:User";
/// The common attributes' schema Charon 4.x lists first in `/Schemas`.
pub const CORE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0";

/// Where WSO2's user attributes (`accountLocked`, `forcePasswordReset`, `oneTimePassword`…) are mapped in a fresh
/// server: the SCIM dialects of CIF `claim-config.xml` plus SCIM2 `scim2-schema-extension.config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wso2Attributes {
    /// IS 5.10 (CIF 5.17.5): the enterprise extension maps only `askPassword`, `verifyEmail` and the RFC
    /// attributes; no lock attribute, no `forcePasswordReset` (an admin had to map it: product-is#8136).
    EnterpriseAskPasswordOnly,
    /// IS 5.11–7.0 (CIF 5.18.187, SCIM2 commit `23955c83` in v1.5.30+): all of them under the enterprise URN.
    Enterprise,
    /// IS 7.1, 7.2: moved to the system schema `urn:scim:wso2:schema` (identity-apps PR #7362, product-is#20850;
    /// product-is v7.1.0 `AccountLockEnabledTestCase` reads `urn:scim:wso2:schema`.`accountLocked`). Only
    /// migrated tenants also keep them under the enterprise URN.
    System,
}

/// One entry of `GET /scim2/Schemas` (CHARON `SchemaResourceManager#buildSchemasResponseBody`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListedSchema {
    /// `{"id":"urn:ietf:params:scim:schemas:core:2.0","name":"Core","description":"Core"}` (Charon 4.x on).
    Core,
    /// `{"id":USER_SCHEMA,"name":"User","description":"User Account"}`.
    User,
    /// `{"id":ENTERPRISE_SCHEMA,"name":"EnterpriseUser","description":"Enterprise User"}`.
    Enterprise,
    /// An extension listed by id, name and description, with the WSO2 attributes if [`ScimProfile::wso2_attributes`]
    /// puts them under this id, otherwise empty (a fresh custom schema maps nothing).
    Extension {
        id: &'static str,
        name: &'static str,
        description: &'static str,
    },
}

/// How the auth layer in front of `/scim2` refuses a request it cannot authenticate (401) or authorize (403),
/// before any SCIM code runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthErrors {
    /// IS 5.10, 5.11 (AUTHREST 1.4.0/1.4.25 `AuthenticationValve`/`AuthorizationValve#handleErrorResponse`):
    /// `WWW-Authenticate: realm user="<name or empty>"`, then Tomcat's `sendError`: an HTML error page.
    TomcatPage,
    /// IS 6.0 (AUTHREST 1.6.1 `APIErrorResponseHandler#handleScim2ApiErrorResponse`): the SCIM error JSON with a
    /// numeric `status`, pretty-printed, `application/json;charset=UTF-8`, and the `realm user="…"` header on both.
    JsonRealmUser,
    /// IS 6.1 on (AUTHREST 1.8.x on, `getRealmInfo`): the same JSON; a 401 says `WWW-Authenticate: Bearer
    /// realm=<HostName>`, a 403 carries no challenge (`RestApiAuthentication.AddRealmUserToError` is off).
    JsonBearerRealm,
}

/// `DELETE /scim2/Me`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteMe {
    /// IS 5.10, 5.11: 501 "Self delete is not supported" (SCIM2 v1.5.1/v1.5.46 `SCIMUserManager#deleteMe`;
    /// product-is `SCIM2MeTestCase#testDeleteMe` asserts 501).
    NotImplemented,
    /// IS 6.0 on: the caller is deleted, 204 (SCIM2 v3.x `deleteMe` calls `deleteUser`; the test asserts 204).
    Deletes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimProfile {
    /// Where WSO2's user attributes live.
    pub wso2_attributes: Wso2Attributes,
    /// The `schemas` of every User resource, whatever extension objects it holds (product-is
    /// `scim2/rest/api/SCIMUtils#SCIM_USER_SCHEMAS`, asserted exactly at each tag).
    pub user_schemas: &'static [&'static str],
    /// `GET /scim2/Schemas`, in order: a bare JSON array, never a ListResponse.
    pub listed_schemas: &'static [ListedSchema],
    /// `GET /scim2/Schemas/{id}` exists (SCIM2 v3.1.1 `SchemaResource#getSchemasById`, IS 6.0 on; before, the
    /// URL is not routed). The detail of the 501 for an id it does not serve.
    pub schema_by_id: Option<&'static str>,
    /// `GET /scim2/ResourceTypes`: the User type's `schemaExtensions`, in order.
    pub user_extensions: &'static [&'static str],
    /// `schemaExtensions` is one object rather than an array (Charon 3.3.x `SCHEMA_EXTENSIONS` is
    /// `multiValued=false`: IS 5.10, 5.11).
    pub extensions_as_object: bool,
    /// `ServiceProviderConfig.documentationUri` (SCIM2 `default.json`, changed between v3.4.67 and v3.4.132).
    pub documentation_uri: &'static str,
    /// The auth layer's 401/403.
    pub auth_errors: AuthErrors,
    /// Responses carry `X-WSO2-traceId` (product-is `SCIMUserUpdateTest#testGetUsers` asserts it from v6.0.0).
    pub trace_id_header: bool,
    /// `POST /scim2/Users/.search` and `/Groups/.search` fall under the create permission: 5.10's identity.xml has
    /// no entry of their own, so `(.*)/scim2/Users(.*)` POST matches (CIF 5.17.5 `identity.xml.j2`); 5.11 on
    /// list them under `usermgt/list` and `rolemgt/view`.
    pub search_needs_create: bool,
    /// Bulk requests over `maxOperations` are refused with 413 (CHARON 4.0.18 `fb2dadc7`: IS 7.1 on).
    pub bulk_limit_enforced: bool,
    /// Every bulk operation result carries its `response` (CHARON 4.0.15 `9f1f39af`: IS 7.0 on); before, only
    /// failed ones do.
    pub bulk_response_always: bool,
    /// `DELETE /scim2/Me`.
    pub delete_me: DeleteMe,
    /// PATCH or DELETE of the super admin by anyone else is a bare 403 (SCIM2 `4a6ae4ee`, v3.4.56: IS 7.0 on).
    pub super_admin_guard: bool,
    /// The operators `/Users` filters evaluate (`and`/`or` always; SCIM2 `SCIMUserManager#isFilteringNotSupported`):
    /// `eq co sw ew` in 5.10/5.11, `ge le` from v1.5.70/v3.1.1 (`c8494b79`, IS 6.0), `ne` from v3.4.150
    /// (`c5c5e255`, IS 7.2). `pr`, `gt`, `lt` and `not` never.
    pub user_filter_ops: &'static [&'static str],
    /// The operators `/Groups` filters evaluate: the same `isFilteringNotSupported` as users, except that
    /// `filterGroupsBySingleAttribute` refuses `ne` too (v3.4.213), and one expression only (`and`/`or` are 501).
    pub group_filter_ops: &'static [&'static str],
    /// `/Groups` lists hybrid roles (`Internal/…`, `Application/…`) too, and a user's `groups` names them: IS 5.x,
    /// where roles are groups (product-is v5.11.0 `SCIM2GroupTest#testGetGroupsAfterRemovingHybridRoleOfAMember`
    /// finds `Application/my-sp` in `/Groups`). From 6.0 roles and groups are separate
    /// (`isRoleAndGroupSeparationEnabled`; SCIM2 v3.4.132 `listGroups`/`getUser` drop `isHybridRole` names) and
    /// roles have their own endpoint, `/scim2/Roles` (7.x: `/scim2/v2/Roles` too).
    pub hybrid_roles_as_groups: bool,
}

const SCHEMAS_510: &[&str] = &[USER_SCHEMA, ENTERPRISE_SCHEMA];
const SCHEMAS_60: &[&str] = &[USER_SCHEMA, ENTERPRISE_SCHEMA, WSO2_SCHEMA];
const SCHEMAS_71: &[&str] = &[USER_SCHEMA, ENTERPRISE_SCHEMA, WSO2_SCHEMA, CUSTOM_SCHEMA_71];

pub fn of(version: Wso2Version) -> ScimProfile {
    use Wso2Version::*;
    ScimProfile {
        wso2_attributes: match version {
            V5_9 | V5_10 => Wso2Attributes::EnterpriseAskPasswordOnly,
            V5_11 | V6_0 | V6_1 | V7_0 => Wso2Attributes::Enterprise,
            V7_1 | V7_2 => Wso2Attributes::System,
        },
        user_schemas: match version {
            V5_9 | V5_10 | V5_11 => SCHEMAS_510,
            V6_0 | V6_1 | V7_0 => SCHEMAS_60,
            V7_1 | V7_2 => SCHEMAS_71,
        },
        // CHARON v3.3.15 lists only the User schema, v3.3.28 adds the enterprise one, v4.0.4 the common "Core"
        // and the custom schema, v4.0.36 the system schema and the custom one under its new URN. (7.2's Agent
        // schema is left out: UNCONFIRMED whether a fresh server lists it.)
        listed_schemas: match version {
            V5_9 | V5_10 => &[ListedSchema::User],
            V5_11 => &[ListedSchema::User, ListedSchema::Enterprise],
            V6_0 | V6_1 | V7_0 => &[
                ListedSchema::Core,
                ListedSchema::User,
                ListedSchema::Enterprise,
                ListedSchema::Extension {
                    id: WSO2_SCHEMA,
                    name: "CustomUser",
                    description: "Custom User",
                },
            ],
            V7_1 | V7_2 => &[
                ListedSchema::Core,
                ListedSchema::User,
                ListedSchema::Enterprise,
                ListedSchema::Extension {
                    id: WSO2_SCHEMA,
                    name: "SystemUser",
                    description: "System User",
                },
                ListedSchema::Extension {
                    id: CUSTOM_SCHEMA_71,
                    name: "CustomUser",
                    description: "Custom User",
                },
            ],
        },
        // CHARON `SchemaResourceManager` (v4.0.4 … v4.0.36 line 117; v5.0.3).
        schema_by_id: match version {
            V5_9 | V5_10 | V5_11 => None,
            V6_0 | V6_1 | V7_0 | V7_1 => Some("only user, enterprise and custom schema are supported"),
            V7_2 => Some("only user, enterprise, system, agent, and custom schema are supported"),
        },
        user_extensions: match version {
            V5_9 | V5_10 | V5_11 => &[ENTERPRISE_SCHEMA],
            V6_0 | V6_1 | V7_0 => &[ENTERPRISE_SCHEMA, WSO2_SCHEMA],
            V7_1 | V7_2 => &[ENTERPRISE_SCHEMA, WSO2_SCHEMA, CUSTOM_SCHEMA_71],
        },
        extensions_as_object: version <= V5_11,
        documentation_uri: if version >= V7_1 {
            "https://is.docs.wso2.com/en/latest/apis/scim2/"
        } else {
            "https://docs.wso2.com/display/IS580/Using+the+SCIM+2.0+REST+APIs"
        },
        auth_errors: match version {
            V5_9 | V5_10 | V5_11 => AuthErrors::TomcatPage,
            V6_0 => AuthErrors::JsonRealmUser,
            V6_1 | V7_0 | V7_1 | V7_2 => AuthErrors::JsonBearerRealm,
        },
        trace_id_header: version >= V6_0,
        search_needs_create: version <= V5_10,
        bulk_limit_enforced: version >= V7_1,
        bulk_response_always: version >= V7_0,
        delete_me: if version >= V6_0 {
            DeleteMe::Deletes
        } else {
            DeleteMe::NotImplemented
        },
        super_admin_guard: version >= V7_0,
        user_filter_ops: match version {
            V5_9 | V5_10 | V5_11 => &["eq", "co", "sw", "ew"],
            V6_0 | V6_1 | V7_0 | V7_1 => &["eq", "co", "sw", "ew", "ge", "le"],
            V7_2 => &["eq", "ne", "co", "sw", "ew", "ge", "le"],
        },
        group_filter_ops: match version {
            V5_9 | V5_10 | V5_11 => &["eq", "co", "sw", "ew"],
            V6_0 | V6_1 | V7_0 | V7_1 | V7_2 => &["eq", "co", "sw", "ew", "ge", "le"],
        },
        hybrid_roles_as_groups: version <= V5_11,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wso2_attributes_move_with_the_releases() {
        assert_eq!(
            of(Wso2Version::V5_10).wso2_attributes,
            Wso2Attributes::EnterpriseAskPasswordOnly
        );
        assert_eq!(of(Wso2Version::V5_11).wso2_attributes, Wso2Attributes::Enterprise);
        assert_eq!(of(Wso2Version::V7_0).wso2_attributes, Wso2Attributes::Enterprise);
        assert_eq!(of(Wso2Version::V7_1).wso2_attributes, Wso2Attributes::System);
        for v in Wso2Version::ALL {
            let p = of(v);
            assert_eq!(p.user_schemas[0], USER_SCHEMA, "{v}");
            assert_eq!(p.user_extensions.len() + 1, p.user_schemas.len(), "{v}");
            assert_eq!(p.extensions_as_object, p.user_extensions.len() == 1, "{v}");
        }
    }
}
