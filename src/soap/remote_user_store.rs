//! RemoteUserStoreManagerService: users, roles, credentials and claim values.
//!
//! Every operation of `wsdl/RemoteUserStoreManagerService.wsdl`. Void Java methods are robust in-only operations
//! (HTTP 202, empty body); the others answer `<ns:{op}Response><ns:return>…` with the WSDL's types.

use super::Outcome;
use super::decode::Fields;
use super::fault::ExceptionShape;
use super::writer::Out;
use super::xml::{Element, XSI};
use crate::app::users::SUPER_TENANT_ID;
use crate::app::{Actor, App};
use crate::config::Secret;
use crate::domain::claims::{ClaimMeta, DIALECT};
use crate::domain::{DomainError, permissions};

pub const NS: &str = "http://service.ws.um.carbon.wso2.org";
/// `ClaimValue`
const COMMON: &str = "http://common.mgt.user.carbon.wso2.org/xsd";
/// `ClaimDTO`, `PermissionDTO`
const DAO: &str = "http://dao.service.ws.um.carbon.wso2.org/xsd";
/// The fields of `Tenant` (declared on `uapi:Tenant`, which `tenant:Tenant` extends).
const UAPI: &str = "http://api.user.carbon.wso2.org/xsd";

/// The only permission action this server models; `addRole` refuses any other.
const UI_EXECUTE: &str = "ui.execute";

pub const OPERATIONS: &[&str] = &[
    "addUser",
    "deleteUser",
    "isExistingUser",
    "listUsers",
    "authenticate",
    "updateCredential",
    "updateCredentialByAdmin",
    "addRole",
    "deleteRole",
    "isExistingRole",
    "getRoleNames",
    "getRoleListOfUser",
    "getUserListOfRole",
    "updateRoleListOfUser",
    "updateUserListOfRole",
    "updateRoleName",
    "setUserClaimValue",
    "setUserClaimValues",
    "addUserClaimValue",
    "addUserClaimValues",
    "getUserClaimValue",
    "getUserClaimValues",
    "getUserClaimValuesForClaims",
    "deleteUserClaimValue",
    "deleteUserClaimValues",
    "getProfileNames",
    "getAllProfileNames",
    "isReadOnly",
    "getUserList",
    "getUserId",
    "getTenantId",
    "getTenantIdofUser",
    "getHybridRoles",
    "getPasswordExpirationTime",
    "getProperties",
];

/// Reads of one user's or role's data or of constants, writing nothing: run on the reactor for a session caller.
/// Not here: `authenticate` (argon2), listings whose size grows with the store (`listUsers`, `getUserList`,
/// `getRoleNames`, `getUserListOfRole`, `getHybridRoles`, `getAllProfileNames`), and every write.
pub const QUICK_OPERATIONS: &[&str] = &[
    "isExistingUser",
    "isExistingRole",
    "getRoleListOfUser",
    "getUserClaimValue",
    "getUserClaimValues",
    "getUserClaimValuesForClaims",
    "getProfileNames",
    "isReadOnly",
    "getUserId",
    "getTenantId",
    "getTenantIdofUser",
    "getPasswordExpirationTime",
    "getProperties",
];

pub const EXCEPTION: ExceptionShape = ExceptionShape {
    ns: NS,
    element: "RemoteUserStoreManagerServiceUserStoreException",
    bean: "UserStoreException",
    type_ns: "http://core.user.carbon.wso2.org/xsd",
    type_name: "UserStoreException",
};

/// The permission checked before an operation runs: user management's create / update / delete / view / list.
/// Operations a user may perform on their own account (credential change, own claims and profiles) and
/// `authenticate` need only `/permission/admin/login` here; their use case then requires the user management
/// permission when the account is someone else's.
fn permission(op: &str) -> String {
    let action = match op {
        "authenticate"
        | "updateCredential"
        | "setUserClaimValue"
        | "setUserClaimValues"
        | "addUserClaimValue"
        | "addUserClaimValues"
        | "deleteUserClaimValue"
        | "deleteUserClaimValues"
        | "getUserClaimValue"
        | "getUserClaimValues"
        | "getUserClaimValuesForClaims"
        | "getProfileNames" => return permissions::LOGIN.to_string(),
        "addUser" | "addRole" => "create",
        "deleteUser" | "deleteRole" => "delete",
        "updateCredentialByAdmin" | "updateRoleListOfUser" | "updateUserListOfRole" | "updateRoleName" => "update",
        "listUsers" | "getUserList" => "list",
        _ => "view",
    };
    format!("{}/{action}", permissions::MANAGE_USERS)
}

pub fn dispatch(app: &App, actor: &Actor, op: &str, payload: &Element) -> Option<Result<Outcome, DomainError>> {
    if !OPERATIONS.contains(&op) {
        return None;
    }
    Some(
        actor
            .require(&permission(op))
            .and_then(|()| run(app, actor, op, payload)),
    )
}

fn run(app: &App, actor: &Actor, op: &str, payload: &Element) -> Result<Outcome, DomainError> {
    let f = Fields::new(payload, NS);
    match op {
        // ---- users ----
        "addUser" => {
            f.only(&[
                "userName",
                "credential",
                "roleList",
                "claims",
                "profileName",
                "requirePasswordChange",
            ])?;
            let user = f.str("userName")?;
            let credential = Secret::new(f.str_or_empty("credential")?);
            let claims = claim_values(&f, "claims")?;
            let profile = f.opt_str("profileName")?.unwrap_or("");
            // Read so that a malformed value is refused, then ignored: WSO2's JDBC store only records it (in
            // UM_REQUIRE_CHANGE) and nothing enforces it at login; the adminForcedPasswordReset claim is what forces
            // a password change.
            let _require_password_change = f.opt_bool("requirePasswordChange")?;
            app.add_user(actor, user, &credential, &f.strs("roleList"), &claims, profile)?;
            Ok(Outcome::Accepted)
        }
        "deleteUser" => {
            f.only(&["userName"])?;
            app.delete_user(actor, f.str("userName")?)?;
            Ok(Outcome::Accepted)
        }
        "isExistingUser" => {
            f.only(&["userName"])?;
            let exists = app.user_exists(actor, f.str("userName")?)?;
            Ok(boolean(op, exists))
        }
        "listUsers" => {
            f.only(&["filter", "maxItemLimit"])?;
            // An absent or blank filter lists everyone. maxItemLimit: < 0 = no limit (WSO2 caps at its configured
            // MaxUserNameListLength instead); 0 = an empty list, as WSO2's JDBC store answers; absent = no limit.
            let filter = f.opt_str("filter")?.filter(|s| !s.trim().is_empty()).unwrap_or("*");
            let limit = f.opt_int("maxItemLimit")?.unwrap_or(-1);
            Ok(strings(op, &app.list_users(actor, filter, limit)?))
        }
        "getUserList" => {
            f.only(&["claimUri", "claimValue", "profile"])?;
            let uri = f.str("claimUri")?;
            let value = f.str_or_empty("claimValue")?;
            let profile = f.opt_str("profile")?.unwrap_or("");
            Ok(strings(op, &app.users_with_claim(actor, uri, value, profile)?))
        }
        "getUserId" => {
            f.only(&["username"])?;
            let id = app.user_id(actor, f.str("username")?)?;
            Ok(int(op, id))
        }
        "getTenantId" => {
            f.only(&[])?;
            Ok(int(op, i64::from(SUPER_TENANT_ID)))
        }
        "getTenantIdofUser" => {
            f.only(&["username"])?;
            let id = app.tenant_id_of_user(actor, f.str("username")?)?;
            Ok(int(op, i64::from(id)))
        }
        "isReadOnly" => {
            f.only(&[])?;
            // The one user store is the server's own SQLite database, always writable.
            Ok(boolean(op, false))
        }
        "getProperties" => {
            f.only(&["tenant"])?;
            if let Some(tenant) = f.opt_element("tenant")? {
                check_tenant(tenant)?;
            }
            // WSO2 answers the user store's realm properties as [name, value] pairs. This server's store has no
            // such properties to expose (its settings live in deployment.toml), so the array is empty.
            Ok(strings(op, &[]))
        }
        "getPasswordExpirationTime" => {
            f.only(&["username"])?;
            let mut out = response_open(op);
            // `return` is a non-nillable xs:long: no expiry time is written as an absent element.
            if let Some(at) = app.password_expiration_time(actor, f.str("username")?)? {
                out.int("ns:return", at);
            }
            Ok(response_close(out, op))
        }

        // ---- credentials ----
        "authenticate" => {
            f.only(&["userName", "credential"])?;
            let user = f.str_or_empty("userName")?;
            let credential = Secret::new(f.str_or_empty("credential")?);
            let ok = !user.trim().is_empty() && app.check_credentials(actor, user, &credential)?;
            Ok(boolean(op, ok))
        }
        "updateCredential" => {
            f.only(&["userName", "newCredential", "oldCredential"])?;
            let user = f.str("userName")?;
            let new = Secret::new(f.str_or_empty("newCredential")?);
            let old = Secret::new(f.str_or_empty("oldCredential")?);
            app.update_credential(actor, user, &new, &old)?;
            Ok(Outcome::Accepted)
        }
        "updateCredentialByAdmin" => {
            f.only(&["userName", "newCredential"])?;
            let user = f.str("userName")?;
            let new = Secret::new(f.str_or_empty("newCredential")?);
            app.set_password_by_admin(actor, user, &new)?;
            Ok(Outcome::Accepted)
        }

        // ---- roles ----
        "addRole" => {
            f.only(&["roleName", "userList", "permissions"])?;
            let role = f.str("roleName")?;
            let mut paths = Vec::new();
            for permission in f.elements("permissions") {
                paths.push(permission_path(permission)?);
            }
            app.add_role(actor, role, &paths, &f.strs("userList"))?;
            Ok(Outcome::Accepted)
        }
        "deleteRole" => {
            f.only(&["roleName"])?;
            app.delete_role(actor, f.str("roleName")?)?;
            Ok(Outcome::Accepted)
        }
        "isExistingRole" => {
            f.only(&["roleName"])?;
            let exists = app.role_exists(actor, f.str("roleName")?)?;
            Ok(boolean(op, exists))
        }
        "getRoleNames" => {
            f.only(&[])?;
            Ok(strings(op, &app.role_names(actor)?))
        }
        "getHybridRoles" => {
            f.only(&[])?;
            Ok(strings(op, &app.hybrid_roles(actor)?))
        }
        "getRoleListOfUser" => {
            f.only(&["userName"])?;
            Ok(strings(op, &app.roles_of_user(actor, f.str("userName")?)?))
        }
        "getUserListOfRole" => {
            f.only(&["roleName"])?;
            Ok(strings(op, &app.users_of_role(actor, f.str("roleName")?)?))
        }
        "updateRoleListOfUser" => {
            f.only(&["userName", "deletedRoles", "newRoles"])?;
            let user = f.str("userName")?;
            app.update_roles_of_user(actor, user, &f.strs("deletedRoles"), &f.strs("newRoles"))?;
            Ok(Outcome::Accepted)
        }
        "updateUserListOfRole" => {
            f.only(&["roleName", "deletedUsers", "newUsers"])?;
            let role = f.str("roleName")?;
            app.update_users_of_role(actor, role, &f.strs("deletedUsers"), &f.strs("newUsers"))?;
            Ok(Outcome::Accepted)
        }
        "updateRoleName" => {
            f.only(&["roleName", "newRoleName"])?;
            app.rename_role(actor, f.str("roleName")?, f.str("newRoleName")?)?;
            Ok(Outcome::Accepted)
        }

        // ---- claims ----
        "setUserClaimValue" | "addUserClaimValue" => {
            f.only(&["userName", "claimURI", "claimValue", "profileName"])?;
            let user = f.str("userName")?;
            let value = (
                f.str("claimURI")?.trim().to_string(),
                f.str_or_empty("claimValue")?.to_string(),
            );
            let profile = f.opt_str("profileName")?.unwrap_or("");
            app.set_claims(actor, user, profile, &[value])?;
            Ok(Outcome::Accepted)
        }
        "setUserClaimValues" | "addUserClaimValues" => {
            f.only(&["userName", "claims", "profileName"])?;
            let user = f.str("userName")?;
            let values = claim_values(&f, "claims")?;
            let profile = f.opt_str("profileName")?.unwrap_or("");
            app.set_claims(actor, user, profile, &values)?;
            Ok(Outcome::Accepted)
        }
        "getUserClaimValue" => {
            f.only(&["userName", "claim", "profileName"])?;
            let user = f.str("userName")?;
            let uri = f.str("claim")?.trim().to_string();
            let profile = f.opt_str("profileName")?.unwrap_or("");
            let found = app.claim_values_for(actor, user, &[uri], profile)?;
            let mut out = response_open(op);
            out.opt("ns:return", found.first().map(|(_, v)| v.as_str()));
            Ok(response_close(out, op))
        }
        "getUserClaimValues" => {
            f.only(&["userName", "profileName"])?;
            let user = f.str("userName")?;
            let profile = f.opt_str("profileName")?.unwrap_or("");
            let mut out = response_open(op);
            for (meta, value) in app.user_claims(actor, user, profile)? {
                write_claim_dto(&mut out, &meta, &value);
            }
            Ok(response_close(out, op))
        }
        "getUserClaimValuesForClaims" => {
            f.only(&["userName", "claims", "profileName"])?;
            let user = f.str("userName")?;
            let uris: Vec<String> = f.strs("claims").iter().map(|u| u.trim().to_string()).collect();
            let profile = f.opt_str("profileName")?.unwrap_or("");
            let mut out = response_open(op);
            for (uri, value) in app.claim_values_for(actor, user, &uris, profile)? {
                out.open(
                    "ns:return",
                    &[("xmlns:ax", COMMON), ("xmlns:xsi", XSI), ("xsi:type", "ax:ClaimValue")],
                );
                out.text("ax:claimURI", &uri);
                out.text("ax:value", &value);
                out.close("ns:return");
            }
            Ok(response_close(out, op))
        }
        "deleteUserClaimValue" => {
            f.only(&["userName", "claimURI", "profileName"])?;
            let user = f.str("userName")?;
            let uri = f.str("claimURI")?.trim().to_string();
            let profile = f.opt_str("profileName")?.unwrap_or("");
            app.delete_claims(actor, user, profile, &[uri])?;
            Ok(Outcome::Accepted)
        }
        "deleteUserClaimValues" => {
            f.only(&["userName", "claims", "profileName"])?;
            let user = f.str("userName")?;
            let uris: Vec<String> = f.strs("claims").iter().map(|u| u.trim().to_string()).collect();
            let profile = f.opt_str("profileName")?.unwrap_or("");
            app.delete_claims(actor, user, profile, &uris)?;
            Ok(Outcome::Accepted)
        }

        // ---- profiles ----
        "getProfileNames" => {
            f.only(&["userName"])?;
            Ok(strings(op, &app.profile_names_of_user(actor, f.str("userName")?)?))
        }
        "getAllProfileNames" => {
            f.only(&[])?;
            Ok(strings(op, &app.all_profile_names(actor)?))
        }
        _ => Err(DomainError::Internal),
    }
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

/// `getProperties`' Tenant: only `carbon.super` (id -1234) lives here.
fn check_tenant(el: &Element) -> Result<(), DomainError> {
    let t = Fields::new(el, UAPI);
    t.only(&[
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
    ])?;
    let domain = t.opt_str("domain")?.map(str::trim).filter(|d| !d.is_empty());
    let id = t.opt_int("id")?;
    if domain.is_some_and(|d| !d.eq_ignore_ascii_case(crate::domain::TENANT_DOMAIN))
        || id.is_some_and(|i| i != i64::from(SUPER_TENANT_ID))
    {
        return Err(DomainError::InvalidInput(format!(
            "Tenant {} does not exist",
            domain.map_or_else(|| id.unwrap_or_default().to_string(), str::to_string)
        )));
    }
    Ok(())
}

/// A ClaimDTO: the claim's dialect metadata and the user's value, fields in the WSDL's (alphabetical) order.
fn write_claim_dto(out: &mut Out, meta: &ClaimMeta, value: &str) {
    out.open(
        "ns:return",
        &[("xmlns:ax", DAO), ("xmlns:xsi", XSI), ("xsi:type", "ax:ClaimDTO")],
    );
    out.text("ax:claimUri", &meta.uri);
    out.opt(
        "ax:description",
        Some(meta.description.as_str()).filter(|d| !d.is_empty()),
    );
    out.text("ax:dialectURI", DIALECT);
    out.int("ax:displayOrder", i64::from(meta.display_order));
    out.text("ax:displayTag", &meta.display_name);
    out.opt("ax:regEx", Some(meta.regex.as_str()).filter(|r| !r.is_empty()));
    out.boolean("ax:required", meta.required);
    out.boolean("ax:supportedByDefault", meta.supported_by_default);
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
