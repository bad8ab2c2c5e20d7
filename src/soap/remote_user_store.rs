//! RemoteUserStoreManagerService: users, roles, credentials and claim values.
//!
//! Every operation of `wsdl/RemoteUserStoreManagerService.wsdl`. Void Java methods are robust in-only operations
//! (HTTP 202, empty body); the others answer `<ns:{op}Response><ns:return>…` with the WSDL's types.

use super::decode::Fields;
use super::fault::ExceptionShape;
use super::writer::Out;
use super::xml::{Element, XSI};
use super::{Cx, Outcome, ServiceDef, op, quick};
use crate::app::{Merge, SUPER_TENANT_ID};
use crate::domain::DomainError;
use crate::domain::claims::ClaimMeta;
use crate::domain::permissions::{
    MANAGE_IDENTITY, ROLES_CREATE, ROLES_DELETE, ROLES_UPDATE, ROLES_VIEW, USER_PROFILES_VIEW, USERS_CREATE,
    USERS_DELETE, USERS_LIST, USERS_UPDATE, USERS_VIEW,
};
use crate::domain::secret::Secret;

pub const NS: &str = "http://service.ws.um.carbon.wso2.org";
/// `ClaimValue`
const COMMON: &str = "http://common.mgt.user.carbon.wso2.org/xsd";
/// `ClaimDTO`, `PermissionDTO`
const DAO: &str = "http://dao.service.ws.um.carbon.wso2.org/xsd";
/// The fields of `Tenant` (declared on `uapi:Tenant`, which `tenant:Tenant` extends).
const UAPI: &str = "http://api.user.carbon.wso2.org/xsd";

/// The only permission action this server models; `addRole` refuses any other.
const UI_EXECUTE: &str = "ui.execute";

pub const EXCEPTION: ExceptionShape = ExceptionShape {
    ns: NS,
    element: "RemoteUserStoreManagerServiceUserStoreException",
    bean: "UserStoreException",
    type_ns: "http://core.user.carbon.wso2.org/xsd",
    type_name: "UserStoreException",
};

/// The permission checked before an operation runs: its `AuthorizationAction` in identity-user-ws's services.xml
/// (`components/org.wso2.carbon.um.ws.service/src/main/resources/META-INF/services.xml`, the same at v5.3.3, IS
/// 5.9, and v5.8.10, IS 7.2): `usermgt/*` for users, claims and credentials, `rolemgt/*` for roles,
/// `userprofile/view` for profile names, and the service's own `/permission/admin/manage/identity` for
/// `authenticate` and `isExistingUser`, which have no override. There is no exception for a user's own account:
/// changing one's own password or reading one's own claims over this service needs the same permission.
///
/// Quick (run on the reactor for a session caller): reads of one user's or role's data or of constants. Not quick:
/// `authenticate` (argon2), listings whose size grows with the store (`listUsers`, `getUserList`, `getRoleNames`,
/// `getUserListOfRole`, `getHybridRoles`, `getAllProfileNames`), and every write.
pub const SERVICE: ServiceDef = ServiceDef {
    name: "RemoteUserStoreManagerService",
    namespace: NS,
    exception: EXCEPTION,
    super_tenant: false,
    ops: &[
        // ---- users ----
        op(
            "addUser",
            USERS_CREATE,
            &[
                "userName",
                "credential",
                "roleList",
                "claims",
                "profileName",
                "requirePasswordChange",
            ],
            add_user,
        ),
        op("deleteUser", USERS_DELETE, &["userName"], delete_user),
        quick("isExistingUser", MANAGE_IDENTITY, &["userName"], is_existing_user),
        op("listUsers", USERS_LIST, &["filter", "maxItemLimit"], list_users),
        op(
            "getUserList",
            USERS_LIST,
            &["claimUri", "claimValue", "profile"],
            user_list,
        ),
        quick("getUserId", USERS_VIEW, &["username"], user_id),
        quick("getTenantId", USERS_VIEW, &[], tenant_id),
        quick("getTenantIdofUser", USERS_VIEW, &["username"], tenant_id_of_user),
        quick("isReadOnly", USERS_VIEW, &[], is_read_only),
        quick("getProperties", USERS_VIEW, &["tenant"], properties),
        quick(
            "getPasswordExpirationTime",
            USERS_VIEW,
            &["username"],
            password_expiration_time,
        ),
        // ---- credentials ----
        op(
            "authenticate",
            MANAGE_IDENTITY,
            &["userName", "credential"],
            authenticate,
        ),
        op(
            "updateCredential",
            USERS_UPDATE,
            &["userName", "newCredential", "oldCredential"],
            update_credential,
        ),
        op(
            "updateCredentialByAdmin",
            USERS_UPDATE,
            &["userName", "newCredential"],
            update_credential_by_admin,
        ),
        // ---- roles ----
        op(
            "addRole",
            ROLES_CREATE,
            &["roleName", "userList", "permissions"],
            add_role,
        ),
        op("deleteRole", ROLES_DELETE, &["roleName"], delete_role),
        quick("isExistingRole", ROLES_VIEW, &["roleName"], is_existing_role),
        op("getRoleNames", USERS_VIEW, &[], role_names),
        op("getHybridRoles", ROLES_VIEW, &[], hybrid_roles),
        quick("getRoleListOfUser", ROLES_VIEW, &["userName"], roles_of_user),
        op("getUserListOfRole", ROLES_VIEW, &["roleName"], users_of_role),
        op(
            "updateRoleListOfUser",
            USERS_UPDATE,
            &["userName", "deletedRoles", "newRoles"],
            update_roles_of_user,
        ),
        op(
            "updateUserListOfRole",
            ROLES_UPDATE,
            &["roleName", "deletedUsers", "newUsers"],
            update_users_of_role,
        ),
        op(
            "updateRoleName",
            ROLES_UPDATE,
            &["roleName", "newRoleName"],
            rename_role,
        ),
        // ---- claims ----
        op(
            "setUserClaimValue",
            USERS_UPDATE,
            &["userName", "claimURI", "claimValue", "profileName"],
            set_claim_value,
        ),
        op(
            "addUserClaimValue",
            USERS_UPDATE,
            &["userName", "claimURI", "claimValue", "profileName"],
            add_claim_value,
        ),
        op(
            "setUserClaimValues",
            USERS_UPDATE,
            &["userName", "claims", "profileName"],
            set_claim_values,
        ),
        op(
            "addUserClaimValues",
            USERS_UPDATE,
            &["userName", "claims", "profileName"],
            add_claim_values,
        ),
        quick(
            "getUserClaimValue",
            USERS_VIEW,
            &["userName", "claim", "profileName"],
            claim_value,
        ),
        quick(
            "getUserClaimValues",
            USERS_VIEW,
            &["userName", "profileName"],
            claim_values_of_user,
        ),
        quick(
            "getUserClaimValuesForClaims",
            USERS_VIEW,
            &["userName", "claims", "profileName"],
            claim_values_for_claims,
        ),
        op(
            "deleteUserClaimValue",
            USERS_DELETE,
            &["userName", "claimURI", "profileName"],
            delete_claim_value,
        ),
        op(
            "deleteUserClaimValues",
            USERS_DELETE,
            &["userName", "claims", "profileName"],
            delete_claim_values,
        ),
        // ---- profiles ----
        quick("getProfileNames", USER_PROFILES_VIEW, &["userName"], profile_names),
        op("getAllProfileNames", USER_PROFILES_VIEW, &[], all_profile_names),
    ],
};

// ---- users ----

fn add_user(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let f = &cx.f;
    let user = f.str("userName")?;
    let credential = Secret::new(f.str_or_empty("credential")?);
    let claims = claim_values(f, "claims")?;
    let profile = f.opt_str("profileName")?.unwrap_or("");
    // Read so that a malformed value is refused, then ignored: WSO2's JDBC store only records it (in
    // UM_REQUIRE_CHANGE) and nothing enforces it at login; the adminForcedPasswordReset claim is what forces a
    // password change.
    let _require_password_change = f.opt_bool("requirePasswordChange")?;
    cx.app
        .add_user(cx.actor, user, &credential, &f.strs("roleList"), &claims, profile)?;
    Ok(Outcome::Accepted)
}

fn delete_user(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    cx.app.delete_user(cx.actor, cx.f.str("userName")?)?;
    Ok(Outcome::Accepted)
}

fn is_existing_user(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let exists = cx.app.user_exists(cx.actor, cx.f.str("userName")?)?;
    Ok(boolean(cx.op, exists))
}

fn list_users(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    // An absent or blank filter lists everyone. maxItemLimit: < 0 = no limit (WSO2 caps at its configured
    // MaxUserNameListLength instead); 0 = an empty list, as WSO2's JDBC store answers; absent = no limit.
    let filter = cx.f.opt_str("filter")?.filter(|s| !s.trim().is_empty()).unwrap_or("*");
    let limit = cx.f.opt_int("maxItemLimit")?.unwrap_or(-1);
    Ok(strings(cx.op, &cx.app.list_users(cx.actor, filter, limit)?))
}

fn user_list(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let uri = cx.f.str("claimUri")?;
    let value = cx.f.str_or_empty("claimValue")?;
    let profile = cx.f.opt_str("profile")?.unwrap_or("");
    Ok(strings(cx.op, &cx.app.users_with_claim(cx.actor, uri, value, profile)?))
}

fn user_id(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let id = cx.app.user_id(cx.actor, cx.f.str("username")?)?;
    Ok(int(cx.op, id))
}

fn tenant_id(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    Ok(int(cx.op, i64::from(SUPER_TENANT_ID)))
}

fn tenant_id_of_user(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let id = cx.app.tenant_id_of_user(cx.actor, cx.f.str("username")?)?;
    Ok(int(cx.op, i64::from(id)))
}

/// The one user store is the server's own SQLite database, always writable.
fn is_read_only(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    Ok(boolean(cx.op, false))
}

fn properties(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    if let Some(tenant) = cx.f.opt_element("tenant")? {
        Fields::new(tenant, UAPI).only(TENANT_FIELDS)?;
    }
    // identity-user-ws `getProperties` ignores its Tenant and answers a super-tenant caller `new String[0][0]`.
    Ok(strings(cx.op, &[]))
}

fn password_expiration_time(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    // WSO2's service answers -1 when the store has no expiry date (identity-user-ws `UserStoreManagerService`).
    let at = cx.app.password_expiration_time(cx.actor, cx.f.str("username")?)?;
    Ok(int(cx.op, at.unwrap_or(-1)))
}

// ---- credentials ----

fn authenticate(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str_or_empty("userName")?;
    let credential = Secret::new(cx.f.str_or_empty("credential")?);
    let ok = !user.trim().is_empty() && cx.app.check_credentials(cx.actor, user, &credential)?;
    Ok(boolean(cx.op, ok))
}

fn update_credential(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("userName")?;
    let new = Secret::new(cx.f.str_or_empty("newCredential")?);
    let old = Secret::new(cx.f.str_or_empty("oldCredential")?);
    cx.app.update_credential(cx.actor, user, &new, &old)?;
    Ok(Outcome::Accepted)
}

fn update_credential_by_admin(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("userName")?;
    let new = Secret::new(cx.f.str_or_empty("newCredential")?);
    cx.app.set_password_by_admin(cx.actor, user, &new)?;
    Ok(Outcome::Accepted)
}

// ---- roles ----

fn add_role(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let role = cx.f.str("roleName")?;
    let paths =
        cx.f.elements("permissions")
            .into_iter()
            .map(permission_path)
            .collect::<Result<Vec<_>, _>>()?;
    cx.app.add_role(cx.actor, role, &paths, &cx.f.strs("userList"))?;
    Ok(Outcome::Accepted)
}

fn delete_role(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    cx.app.delete_role(cx.actor, cx.f.str("roleName")?)?;
    Ok(Outcome::Accepted)
}

fn is_existing_role(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let exists = cx.app.role_exists(cx.actor, cx.f.str("roleName")?)?;
    Ok(boolean(cx.op, exists))
}

fn role_names(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    Ok(strings(cx.op, &cx.app.role_names(cx.actor)?))
}

fn hybrid_roles(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    Ok(strings(cx.op, &cx.app.hybrid_roles(cx.actor)?))
}

fn roles_of_user(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    Ok(strings(cx.op, &cx.app.roles_of_user(cx.actor, cx.f.str("userName")?)?))
}

fn users_of_role(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    Ok(strings(cx.op, &cx.app.users_of_role(cx.actor, cx.f.str("roleName")?)?))
}

fn update_roles_of_user(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("userName")?;
    cx.app
        .update_roles_of_user(cx.actor, user, &cx.f.strs("deletedRoles"), &cx.f.strs("newRoles"))?;
    Ok(Outcome::Accepted)
}

fn update_users_of_role(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let role = cx.f.str("roleName")?;
    cx.app
        .update_users_of_role(cx.actor, role, &cx.f.strs("deletedUsers"), &cx.f.strs("newUsers"))?;
    Ok(Outcome::Accepted)
}

fn rename_role(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    cx.app
        .rename_role(cx.actor, cx.f.str("roleName")?, cx.f.str("newRoleName")?)?;
    Ok(Outcome::Accepted)
}

// ---- claims ----

fn set_claim_value(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let (user, uri, value, profile) = one_claim(cx)?;
    cx.app
        .write_claim_values(cx.actor, user, profile, &[(uri, value.to_string())], Merge::Replace)?;
    Ok(Outcome::Accepted)
}

fn add_claim_value(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let (user, uri, value, profile) = one_claim(cx)?;
    cx.app
        .write_claim_values(cx.actor, user, profile, &[(uri, value.to_string())], Merge::Append)?;
    Ok(Outcome::Accepted)
}

/// `userName`, `claimURI`, `claimValue` (absent or nil is "") and `profileName` of a one-claim write.
fn one_claim<'a>(cx: &'a Cx<'_>) -> Result<(&'a str, String, &'a str, &'a str), DomainError> {
    Ok((
        cx.f.str("userName")?,
        cx.f.str("claimURI")?.trim().to_string(),
        cx.f.str_or_empty("claimValue")?,
        cx.f.opt_str("profileName")?.unwrap_or(""),
    ))
}

fn set_claim_values(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("userName")?;
    let values = claim_values(&cx.f, "claims")?;
    let profile = cx.f.opt_str("profileName")?.unwrap_or("");
    cx.app.set_claims(cx.actor, user, profile, &values)?;
    Ok(Outcome::Accepted)
}

fn add_claim_values(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("userName")?;
    let values = claim_values(&cx.f, "claims")?;
    let profile = cx.f.opt_str("profileName")?.unwrap_or("");
    cx.app
        .write_claim_values(cx.actor, user, profile, &values, Merge::AppendDistinct)?;
    Ok(Outcome::Accepted)
}

fn claim_value(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("userName")?;
    let uri = cx.f.str("claim")?.trim().to_string();
    let profile = cx.f.opt_str("profileName")?.unwrap_or("");
    let found = cx.app.claim_values_for(cx.actor, user, &[uri], profile)?;
    let mut out = response_open(cx.op);
    out.opt("ns:return", found.first().map(|(_, v)| v.as_str()));
    Ok(response_close(out, cx.op))
}

fn claim_values_of_user(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("userName")?;
    let profile = cx.f.opt_str("profileName")?.unwrap_or("");
    let mut out = response_open(cx.op);
    for (meta, value) in cx.app.user_claims(cx.actor, user, profile)? {
        write_claim_dto(&mut out, &meta, &value);
    }
    Ok(response_close(out, cx.op))
}

fn claim_values_for_claims(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("userName")?;
    let uris: Vec<String> = cx.f.strs("claims").iter().map(|u| u.trim().to_string()).collect();
    let profile = cx.f.opt_str("profileName")?.unwrap_or("");
    let mut out = response_open(cx.op);
    for (uri, value) in cx.app.claim_values_for(cx.actor, user, &uris, profile)? {
        out.open(
            "ns:return",
            &[("xmlns:ax", COMMON), ("xmlns:xsi", XSI), ("xsi:type", "ax:ClaimValue")],
        );
        out.text("ax:claimURI", &uri);
        out.text("ax:value", &value);
        out.close("ns:return");
    }
    Ok(response_close(out, cx.op))
}

fn delete_claim_value(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("userName")?;
    let uri = cx.f.str("claimURI")?.trim().to_string();
    let profile = cx.f.opt_str("profileName")?.unwrap_or("");
    cx.app.delete_claims(cx.actor, user, profile, &[uri])?;
    Ok(Outcome::Accepted)
}

fn delete_claim_values(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("userName")?;
    let uris: Vec<String> = cx.f.strs("claims").iter().map(|u| u.trim().to_string()).collect();
    let profile = cx.f.opt_str("profileName")?.unwrap_or("");
    cx.app.delete_claims(cx.actor, user, profile, &uris)?;
    Ok(Outcome::Accepted)
}

// ---- profiles ----

fn profile_names(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    Ok(strings(
        cx.op,
        &cx.app.profile_names_of_user(cx.actor, cx.f.str("userName")?)?,
    ))
}

fn all_profile_names(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    Ok(strings(cx.op, &cx.app.all_profile_names(cx.actor)?))
}

/// Repeated `ClaimValue {claimURI, value}` children → (claim URI, value); an absent or nil value is "".
fn claim_values(f: &Fields<'_>, name: &str) -> Result<Vec<(String, String)>, DomainError> {
    f.elements(name)
        .into_iter()
        .map(|el| {
            let c = Fields::new(el, COMMON);
            c.only(&["claimURI", "value"])?;
            Ok((
                c.str("claimURI")?.trim().to_string(),
                c.str_or_empty("value")?.to_string(),
            ))
        })
        .collect()
}

/// A `PermissionDTO {action, resourceId}` → its permission path. Only `ui.execute` (what WSO2's permission tree
/// and every admin service check) is modelled; another action is refused rather than silently granted as one.
fn permission_path(el: &Element) -> Result<String, DomainError> {
    let p = Fields::new(el, DAO);
    p.only(&["action", "resourceId"])?;
    let action = p.opt_str("action")?.map(str::trim).unwrap_or("");
    if action != UI_EXECUTE {
        return Err(DomainError::InvalidInput(format!(
            "Unsupported permission action '{action}': only {UI_EXECUTE} is supported"
        )));
    }
    Ok(p.str("resourceId")?.trim().to_string())
}

/// The fields of `getProperties`' Tenant bean.
const TENANT_FIELDS: &[&str] = &[
    "active",
    "adminFirstName",
    "adminFullName",
    "adminLastName",
    "adminName",
    "adminPassword",
    "createdDate",
    "domain",
    "email",
    "id",
    "realmConfig",
];

/// A ClaimDTO as WSO2 fills it: only the claim URI and the value. carbon-kernel's `getUserClaimValues(user,
/// profile)` builds each `Claim` from the value, the URI and the display tag alone, and identity-user-ws'
/// `convertClaimToClaimDTO` copies every field but the display tag; so the dialect's metadata never reaches the
/// client (description, dialect and pattern nil, order 0, both flags false, display tag nil). Fields in the WSDL's
/// (alphabetical) order.
fn write_claim_dto(out: &mut Out, meta: &ClaimMeta, value: &str) {
    out.open(
        "ns:return",
        &[("xmlns:ax", DAO), ("xmlns:xsi", XSI), ("xsi:type", "ax:ClaimDTO")],
    );
    out.text("ax:claimUri", &meta.uri);
    out.nil("ax:description");
    out.nil("ax:dialectURI");
    out.int("ax:displayOrder", 0);
    out.nil("ax:displayTag");
    out.nil("ax:regEx");
    out.boolean("ax:required", false);
    out.boolean("ax:supportedByDefault", false);
    out.text("ax:value", value);
    out.close("ns:return");
}

fn response_open(op: &str) -> Out {
    super::writer::response(NS, op)
}

fn response_close(out: Out, op: &str) -> Outcome {
    super::writer::finish_response(out, op)
}

/// A `String[]` return: one `ns:return` per item; an empty array is an empty response element.
fn strings(op: &str, items: &[String]) -> Outcome {
    let mut out = response_open(op);
    for item in items {
        out.text("ns:return", item);
    }
    response_close(out, op)
}

fn boolean(op: &str, value: bool) -> Outcome {
    let mut out = response_open(op);
    out.boolean("ns:return", value);
    response_close(out, op)
}

fn int(op: &str, value: i64) -> Outcome {
    let mut out = response_open(op);
    out.int("ns:return", value);
    response_close(out, op)
}

#[cfg(test)]
mod tests;
