//! RemoteUserStoreManagerService: users, roles, credentials and claim values.
//!
//! Every operation of `wsdl/RemoteUserStoreManagerService.wsdl`. Void Java methods are robust in-only operations
//! (HTTP 202, empty body); the others answer `<ns:{op}Response><ns:return>…` with the WSDL's types.

use super::decode::Fields;
use super::fault::ExceptionShape;
use super::writer::Out;
use super::xml::{Element, XSI};
use super::{Cx, Outcome, ServiceDef, op, quick};
use crate::app::SUPER_TENANT_ID;
use crate::domain::claims::{ClaimMeta, DIALECT};
use crate::domain::permissions::{LOGIN, USERS_CREATE, USERS_DELETE, USERS_LIST, USERS_UPDATE, USERS_VIEW};
use crate::domain::secret::Secret;
use crate::domain::{DomainError, TENANT_DOMAIN};

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

/// The permission checked before an operation runs: user management's create / update / delete / view / list.
/// Operations a user may perform on their own account (credential change, own claims and profiles) and
/// `authenticate` need only `/permission/admin/login` here; their use case then requires the user management
/// permission when the account is someone else's.
///
/// Quick (run on the reactor for a session caller): reads of one user's or role's data or of constants. Not quick:
/// `authenticate` (argon2), listings whose size grows with the store (`listUsers`, `getUserList`, `getRoleNames`,
/// `getUserListOfRole`, `getHybridRoles`, `getAllProfileNames`), and every write.
pub const SERVICE: ServiceDef = ServiceDef {
    name: "RemoteUserStoreManagerService",
    namespace: NS,
    exception: EXCEPTION,
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
        quick("isExistingUser", USERS_VIEW, &["userName"], is_existing_user),
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
        op("authenticate", LOGIN, &["userName", "credential"], authenticate),
        op(
            "updateCredential",
            LOGIN,
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
            USERS_CREATE,
            &["roleName", "userList", "permissions"],
            add_role,
        ),
        op("deleteRole", USERS_DELETE, &["roleName"], delete_role),
        quick("isExistingRole", USERS_VIEW, &["roleName"], is_existing_role),
        op("getRoleNames", USERS_VIEW, &[], role_names),
        op("getHybridRoles", USERS_VIEW, &[], hybrid_roles),
        quick("getRoleListOfUser", USERS_VIEW, &["userName"], roles_of_user),
        op("getUserListOfRole", USERS_VIEW, &["roleName"], users_of_role),
        op(
            "updateRoleListOfUser",
            USERS_UPDATE,
            &["userName", "deletedRoles", "newRoles"],
            update_roles_of_user,
        ),
        op(
            "updateUserListOfRole",
            USERS_UPDATE,
            &["roleName", "deletedUsers", "newUsers"],
            update_users_of_role,
        ),
        op(
            "updateRoleName",
            USERS_UPDATE,
            &["roleName", "newRoleName"],
            rename_role,
        ),
        // ---- claims ----
        op(
            "setUserClaimValue",
            LOGIN,
            &["userName", "claimURI", "claimValue", "profileName"],
            set_claim_value,
        ),
        op(
            "addUserClaimValue",
            LOGIN,
            &["userName", "claimURI", "claimValue", "profileName"],
            set_claim_value,
        ),
        op(
            "setUserClaimValues",
            LOGIN,
            &["userName", "claims", "profileName"],
            set_claim_values,
        ),
        op(
            "addUserClaimValues",
            LOGIN,
            &["userName", "claims", "profileName"],
            set_claim_values,
        ),
        quick(
            "getUserClaimValue",
            LOGIN,
            &["userName", "claim", "profileName"],
            claim_value,
        ),
        quick(
            "getUserClaimValues",
            LOGIN,
            &["userName", "profileName"],
            claim_values_of_user,
        ),
        quick(
            "getUserClaimValuesForClaims",
            LOGIN,
            &["userName", "claims", "profileName"],
            claim_values_for_claims,
        ),
        op(
            "deleteUserClaimValue",
            LOGIN,
            &["userName", "claimURI", "profileName"],
            delete_claim_value,
        ),
        op(
            "deleteUserClaimValues",
            LOGIN,
            &["userName", "claims", "profileName"],
            delete_claim_values,
        ),
        // ---- profiles ----
        quick("getProfileNames", LOGIN, &["userName"], profile_names),
        op("getAllProfileNames", USERS_VIEW, &[], all_profile_names),
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
        check_tenant(tenant)?;
    }
    // WSO2 answers the user store's realm properties as [name, value] pairs. This server's store has no such
    // properties to expose (its settings live in deployment.toml), so the array is empty.
    Ok(strings(cx.op, &[]))
}

fn password_expiration_time(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let mut out = response_open(cx.op);
    // `return` is a non-nillable xs:long: no expiry time is written as an absent element.
    if let Some(at) = cx.app.password_expiration_time(cx.actor, cx.f.str("username")?)? {
        out.int("ns:return", at);
    }
    Ok(response_close(out, cx.op))
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

/// `setUserClaimValue` and `addUserClaimValue` (the same in WSO2's user core).
fn set_claim_value(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("userName")?;
    let value = (
        cx.f.str("claimURI")?.trim().to_string(),
        cx.f.str_or_empty("claimValue")?.to_string(),
    );
    let profile = cx.f.opt_str("profileName")?.unwrap_or("");
    cx.app.set_claims(cx.actor, user, profile, &[value])?;
    Ok(Outcome::Accepted)
}

/// `setUserClaimValues` and `addUserClaimValues`.
fn set_claim_values(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("userName")?;
    let values = claim_values(&cx.f, "claims")?;
    let profile = cx.f.opt_str("profileName")?.unwrap_or("");
    cx.app.set_claims(cx.actor, user, profile, &values)?;
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
    if domain.is_some_and(|d| !d.eq_ignore_ascii_case(TENANT_DOMAIN))
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
mod tests {

    use super::*;

    use crate::app::{Actor, App};
    use crate::domain::claims;
    use crate::soap::{Call, Service};
    use crate::store::StoreError;

    /// Who calls, as the endpoint would hand it over.
    enum Caller {
        Basic { username: String, password: Secret },
    }

    /// A reply as the HTTP side sends it: status and body.
    struct Reply {
        status: u16,
        body: String,
    }

    /// What the endpoint does with a Basic caller's call: read the envelope, authenticate, run.
    fn handle(app: &App, call: Call<'_>, caller: Caller) -> Reply {
        let reply = match crate::soap::prepare(call) {
            Err(reply) => reply,
            Ok(prepared) => {
                let Caller::Basic { username, password } = caller;
                match app.authenticate(&username, &password) {
                    Ok(actor) => crate::soap::execute(app, &actor, prepared),
                    Err(e) => prepared.refuse(&e),
                }
            }
        };
        let status = match &reply {
            crate::soap::Reply::Accepted => 202,
            crate::soap::Reply::Response { .. } => 200,
            crate::soap::Reply::Fault { .. } => 500,
        };
        Reply {
            status,
            body: reply.body().to_string(),
        }
    }

    const FIXTURES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/soap/RemoteUserStoreManagerService"
    );
    const TITLE: &str = "http://wso2.org/claims/title";

    fn app() -> App {
        let app = App::for_tests();
        // The addUserClaimValues fixture sets the job title, a claim WSO2's default dialect has.
        let title = ClaimMeta {
            description: "Job Title".into(),
            display_order: 4,
            ..ClaimMeta::plain(TITLE, "Job Title")
        };
        app.store_for_tests()
            .write::<_, StoreError>(|tx| tx.insert_claim_meta_if_absent(&title))
            .unwrap();
        app
    }

    fn secret(s: &str) -> Secret {
        Secret::new(s)
    }

    /// An app with `tom` (as the addUser fixture creates him) and `bob`, who may only log in.
    fn app_with_users() -> App {
        let app = app();
        let sys = Actor::System;
        let claims = vec![(claims::EMAIL.to_string(), "tom@example.com".to_string())];
        app.add_role(&sys, "login", &["/permission/admin/login".into()], &[])
            .unwrap();
        app.add_user(&sys, "tom", &secret("Abcd@123"), &["login".into()], &claims, "default")
            .unwrap();
        app.add_user(&sys, "bob", &secret("Abcd@123"), &["login".into()], &[], "")
            .unwrap();
        app
    }

    fn admin() -> Caller {
        Caller::Basic {
            username: "admin".into(),
            password: Secret::new("admin"),
        }
    }

    fn as_user(name: &str) -> Caller {
        Caller::Basic {
            username: name.into(),
            password: Secret::new("Abcd@123"),
        }
    }

    fn fixture(file: &str) -> String {
        std::fs::read_to_string(format!("{FIXTURES}/{file}")).unwrap()
    }

    fn send(app: &App, body: &str, soap12: bool, caller: Caller) -> Reply {
        let content_type = if soap12 {
            "application/soap+xml; charset=UTF-8"
        } else {
            "text/xml; charset=UTF-8"
        };
        handle(
            app,
            Call {
                service: Service::RemoteUserStoreManager,
                path_operation: None,
                soap_action: None,
                content_type: Some(content_type),
                body: body.as_bytes(),
            },
            caller,
        )
    }

    /// Send `fixtures/…/<name>.request.xml` (a `.soap12` name is sent as SOAP 1.2).
    fn call(app: &App, name: &str, caller: Caller) -> Reply {
        send(
            app,
            &fixture(&format!("{name}.request.xml")),
            name.ends_with(".soap12"),
            caller,
        )
    }

    fn ok(app: &App, name: &str) -> String {
        let reply = call(app, name, admin());
        assert_eq!(reply.status, 200, "{name}: {}", reply.body);
        assert!(
            reply
                .body
                .contains(&format!("<ns:{}Response", name.trim_end_matches(".soap12"))),
            "{}",
            reply.body
        );
        reply.body
    }

    fn accepted(app: &App, name: &str) {
        let reply = call(app, name, admin());
        assert_eq!((reply.status, reply.body.as_str()), (202, ""), "{name}");
    }

    fn fault(reply: &Reply, reason: &str) {
        assert_eq!(reply.status, 500, "{}", reply.body);
        assert!(
            reply.body.contains(&format!(
                "<faultstring>{}</faultstring>",
                crate::soap::xml::escape(reason)
            )),
            "{}",
            reply.body
        );
    }

    fn returns(body: &str) -> Vec<String> {
        body.split("<ns:return>")
            .skip(1)
            .filter_map(|s| s.split("</ns:return>").next())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_operations_are_exactly_those_of_the_wsdl() {
        let wsdl = include_str!("../../wsdl/RemoteUserStoreManagerService.wsdl");
        let port_type = wsdl
            .split("<wsdl:portType")
            .nth(1)
            .unwrap()
            .split("</wsdl:portType>")
            .next()
            .unwrap();
        let mut declared: Vec<&str> = port_type
            .split("<wsdl:operation name=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .collect();
        let mut ours: Vec<&str> = SERVICE.ops.iter().map(|o| o.name).collect();
        declared.sort_unstable();
        ours.sort_unstable();
        assert_eq!(ours, declared);
        assert_eq!(ours.len(), 35);
    }

    #[test]
    fn every_fixture_runs_against_real_data() {
        let app = app();
        let sys = Actor::System;
        accepted(&app, "addUser");
        let tom = app.user_view(&sys, "tom", "").unwrap();
        assert!(tom.claims.contains(&(claims::LAST_NAME.into(), "Smith".into())));
        assert_eq!(returns(&ok(&app, "authenticate")), ["true"]);
        assert_eq!(returns(&ok(&app, "isExistingUser")), ["true"]);
        assert_eq!(returns(&ok(&app, "listUsers")), ["admin", "tom"]);

        accepted(&app, "addRole");
        assert_eq!(
            app.role_permissions(&sys, "support").unwrap(),
            ["/permission/admin/login"]
        );
        assert_eq!(returns(&ok(&app, "isExistingRole")), ["true"]);
        assert_eq!(
            returns(&ok(&app, "getRoleNames")),
            ["admin", "support", "Internal/everyone"]
        );
        assert_eq!(
            returns(&ok(&app, "getRoleListOfUser")),
            ["support", "Internal/everyone"]
        );
        assert_eq!(returns(&ok(&app, "getHybridRoles")), ["Internal/everyone"]);

        app.add_user(&sys, "alice", &secret("Abcd@123"), &["support".into()], &[], "")
            .unwrap();
        app.update_roles_of_user(&sys, "tom", &["support".into()], &[]).unwrap();
        assert_eq!(returns(&ok(&app, "getUserListOfRole")), ["alice"]);
        accepted(&app, "updateUserListOfRole");
        assert_eq!(returns(&ok(&app, "getUserListOfRole")), ["tom"]);
        accepted(&app, "updateRoleName");
        assert!(!app.role_exists(&sys, "support").unwrap());
        assert_eq!(app.users_of_role(&sys, "helpdesk").unwrap(), ["tom"]);
        app.add_role(&sys, "support", &[], &[]).unwrap();
        accepted(&app, "updateRoleListOfUser");
        assert_eq!(
            app.roles_of_user(&sys, "tom").unwrap(),
            ["support", "Internal/everyone"]
        );

        accepted(&app, "setUserClaimValue");
        accepted(&app, "setUserClaimValue.soap12");
        accepted(&app, "setUserClaimValues");
        accepted(&app, "addUserClaimValue");
        accepted(&app, "addUserClaimValues");
        let values = app.user_view(&sys, "tom", "").unwrap().claims;
        for (uri, value) in [
            (claims::EMAIL, "tom@example.com"),
            ("http://wso2.org/claims/mobile", "+94771234567"),
            ("http://wso2.org/claims/country", "Sri Lanka"),
            ("http://wso2.org/claims/organization", "Example Inc."),
            (TITLE, "Engineer"),
        ] {
            assert!(values.contains(&(uri.into(), value.into())), "{uri}: {values:?}");
        }

        let otp = ok(&app, "getUserClaimValue");
        assert!(otp.contains(r#"<ns:return xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>"#));
        let all = ok(&app, "getUserClaimValues");
        assert!(
            all.contains("<ax:claimUri>http://wso2.org/claims/country</ax:claimUri>"),
            "{all}"
        );
        assert!(all.contains("<ax:displayTag>Email</ax:displayTag>"));
        assert!(all.contains("<ax:dialectURI>http://wso2.org/claims</ax:dialectURI>"));
        assert!(all.contains("<ax:value>Sri Lanka</ax:value>"));

        app.set_claims(&sys, "tom", "", &[(claims::ACCOUNT_LOCKED.into(), "false".into())])
            .unwrap();
        for name in ["getUserClaimValuesForClaims", "getUserClaimValuesForClaims.soap12"] {
            let body = ok(&app, name);
            let locked = body.find(
                "<ax:claimURI>http://wso2.org/claims/identity/accountLocked</ax:claimURI><ax:value>false</ax:value>",
            );
            let email = body.find(
                "<ax:claimURI>http://wso2.org/claims/emailaddress</ax:claimURI><ax:value>tom@example.com</ax:value>",
            );
            assert!(locked.is_some() && locked < email, "{body}");
        }

        assert_eq!(returns(&ok(&app, "getUserList")), ["tom"]);
        let id = app.store_for_tests().read(|tx| tx.user("tom")).unwrap().unwrap().id;
        assert_eq!(returns(&ok(&app, "getUserId")), [id.to_string()]);
        assert_eq!(returns(&ok(&app, "getTenantId")), ["-1234"]);
        assert_eq!(returns(&ok(&app, "getTenantIdofUser")), ["-1234"]);
        assert_eq!(returns(&ok(&app, "isReadOnly")), ["false"]);
        assert!(returns(&ok(&app, "getProperties")).is_empty());
        assert!(returns(&ok(&app, "getPasswordExpirationTime")).is_empty());
        assert_eq!(returns(&ok(&app, "getProfileNames")), ["default"]);
        assert_eq!(returns(&ok(&app, "getAllProfileNames")), ["default"]);

        accepted(&app, "deleteUserClaimValue");
        accepted(&app, "deleteUserClaimValues");
        let values = app.user_view(&sys, "tom", "").unwrap().claims;
        assert!(
            !values
                .iter()
                .any(|(u, _)| u.ends_with("/mobile") || u.ends_with("/country") || u == TITLE)
        );

        accepted(&app, "updateCredential");
        assert!(app.authenticate("tom", &secret("Wxyz@456")).is_ok());
        app.set_password_by_admin(&sys, "tom", &secret("Other@789")).unwrap();
        accepted(&app, "updateCredentialByAdmin");
        assert!(app.authenticate("tom", &secret("Wxyz@456")).is_ok());

        accepted(&app, "deleteRole");
        assert!(!app.role_exists(&sys, "support").unwrap());
        accepted(&app, "deleteUser");
        assert!(!app.user_exists(&sys, "tom").unwrap());
        assert_eq!(returns(&ok(&app, "isExistingUser")), ["false"]);
    }

    #[test]
    fn authenticate_answers_false_for_bad_credentials() {
        let app = app_with_users();
        let body = fixture("authenticate.request.xml").replace("Abcd@123", "wrong");
        let reply = send(&app, &body, false, admin());
        assert_eq!((reply.status, returns(&reply.body)), (200, vec!["false".to_string()]));
        let reply = send(
            &app,
            &fixture("authenticate.request.xml").replace(">tom<", ">ghost<"),
            false,
            as_user("bob"),
        );
        assert_eq!(
            (reply.status, returns(&reply.body)),
            (200, vec!["false".to_string()]),
            "login suffices"
        );
    }

    #[test]
    fn unknown_users_and_roles_are_business_faults() {
        let app = app_with_users();
        for (name, reason) in [
            ("getRoleListOfUser", "User ghost does not exist"),
            ("getUserClaimValues", "User ghost does not exist"),
            ("updateCredentialByAdmin", "User ghost does not exist"),
            ("deleteUser", "User ghost does not exist"),
            ("getUserId", "User ghost does not exist"),
        ] {
            let body = fixture(&format!("{name}.request.xml")).replace(">tom<", ">ghost<");
            let reply = send(&app, &body, false, admin());
            fault(&reply, reason);
            assert!(reply.body.contains("<faultcode>soapenv:Server</faultcode>"));
            assert!(
                reply.body.contains("RemoteUserStoreManagerServiceUserStoreException"),
                "{}",
                reply.body
            );
        }
        let reply = call(&app, "getUserListOfRole", admin());
        fault(&reply, "Role support does not exist");
    }

    #[test]
    fn callers_without_the_permission_are_denied_and_change_nothing() {
        let app = app_with_users();
        let sys = Actor::System;
        app.add_role(&sys, "support", &[], &["tom".into()]).unwrap();
        app.add_user(&sys, "alice", &secret("Abcd@123"), &[], &[], "").unwrap();
        let before = (
            app.list_users(&sys, "*", -1).unwrap(),
            app.role_names(&sys).unwrap(),
            app.user_view(&sys, "tom", "").unwrap(),
        );
        let mut files: Vec<String> = std::fs::read_dir(FIXTURES)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".request.xml"))
            .collect();
        files.sort();
        for file in files {
            let name = file.trim_end_matches(".request.xml");
            let reply = call(&app, name, as_user("bob"));
            if name == "authenticate" {
                assert_eq!(reply.status, 200);
                continue;
            }
            assert_eq!(reply.status, 500, "{name}: {}", reply.body);
            let denied = if name.ends_with(".soap12") {
                "<soapenv:Text xml:lang=\"en-US\">Access Denied.</soapenv:Text>"
            } else {
                "<faultstring>Access Denied.</faultstring>"
            };
            assert!(reply.body.contains(denied), "{name}: {}", reply.body);
        }
        let after = (
            app.list_users(&sys, "*", -1).unwrap(),
            app.role_names(&sys).unwrap(),
            app.user_view(&sys, "tom", "").unwrap(),
        );
        assert_eq!(before, after);
        assert!(app.authenticate("tom", &secret("Abcd@123")).is_ok());
    }

    #[test]
    fn users_read_and_edit_their_own_claims_and_password() {
        let app = app_with_users();
        let sys = Actor::System;
        let reply = call(&app, "getUserClaimValues", as_user("tom"));
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert!(reply.body.contains("<ax:value>tom@example.com</ax:value>"));
        let reply = call(&app, "setUserClaimValues", as_user("tom"));
        assert_eq!(reply.status, 202, "{}", reply.body);
        // Identity claims are the server's: a user may not set their own.
        let reply = call(&app, "setUserClaimValue", as_user("tom"));
        fault(
            &reply,
            "The claim http://wso2.org/claims/identity/adminForcedPasswordReset cannot be modified by this user",
        );
        assert_eq!(
            app.claim_value(&sys, "tom", claims::ADMIN_FORCED_PASSWORD_RESET, "")
                .unwrap(),
            None
        );

        let wrong = fixture("updateCredential.request.xml").replace(">Abcd@123<", ">nope<");
        fault(
            &send(&app, &wrong, false, as_user("tom")),
            "Old credential does not match with the existing credentials.",
        );
        let reply = call(&app, "updateCredential", as_user("tom"));
        assert_eq!(reply.status, 202, "{}", reply.body);
        assert!(app.authenticate("tom", &secret("Wxyz@456")).is_ok());
    }

    #[test]
    fn duplicates_and_policy_violations_change_nothing() {
        let app = app_with_users();
        let sys = Actor::System;
        let before = app.user_view(&sys, "tom", "").unwrap();
        let dup = fixture("addUser.request.xml").replace(">Smith<", ">Jones<");
        fault(
            &send(&app, &dup, false, admin()),
            "Username 'tom' already exists in the system. Please pick another username.",
        );
        assert_eq!(app.user_view(&sys, "tom", "").unwrap(), before);

        let weak = fixture("addUser.request.xml")
            .replace(">tom<", ">ann<")
            .replace(">Abcd@123<", ">ab<");
        let reply = send(&app, &weak, false, admin());
        fault(
            &reply,
            r"Credential is not valid. Credential must be a non null string with following format, ^[\S]{5,30}$",
        );
        assert!(!app.user_exists(&sys, "ann").unwrap());

        let weak = fixture("updateCredentialByAdmin.request.xml").replace(">Wxyz@456<", ">x<");
        assert_eq!(send(&app, &weak, false, admin()).status, 500);
        assert!(app.authenticate("tom", &secret("Abcd@123")).is_ok());

        let bad_email = fixture("setUserClaimValues.request.xml").replace(">tom@example.com<", ">not-an-email<");
        assert_eq!(send(&app, &bad_email, false, admin()).status, 500);
        assert_eq!(
            app.user_view(&sys, "tom", "").unwrap(),
            before,
            "all or nothing: the mobile was not set either"
        );

        app.add_role(&sys, "support", &[], &[]).unwrap();
        fault(
            &call(&app, "addRole", admin()),
            "Role name: support in the system. Please pick another role name.",
        );
    }

    #[test]
    fn malformed_requests_are_refused() {
        let app = app_with_users();
        let sys = Actor::System;
        let other = fixture("addRole.request.xml").replace(">ui.execute<", ">read<");
        fault(
            &send(&app, &other, false, admin()),
            "Unsupported permission action 'read': only ui.execute is supported",
        );
        assert!(!app.role_exists(&sys, "support").unwrap());

        let stray =
            fixture("deleteUser.request.xml").replace("</ser:userName>", "</ser:userName><ser:force>1</ser:force>");
        let reply = send(&app, &stray, false, admin());
        fault(
            &reply,
            "Unexpected element {http://service.ws.um.carbon.wso2.org}force in deleteUser",
        );
        assert!(app.user_exists(&sys, "tom").unwrap());

        let missing = fixture("deleteUser.request.xml").replace("<ser:userName>tom</ser:userName>", "");
        fault(
            &send(&app, &missing, false, admin()),
            "Invalid input parameters: userName is required",
        );

        let tenant = fixture("getProperties.request.xml").replace(">carbon.super<", ">other.com<");
        fault(&send(&app, &tenant, false, admin()), "Tenant other.com does not exist");

        let reply = send(
            &app,
            &fixture("deleteRole.request.xml").replace(">support<", ">admin<"),
            false,
            admin(),
        );
        fault(&reply, "Cannot delete the admin role");
        let reply = send(
            &app,
            &fixture("deleteUser.request.xml").replace(">tom<", ">admin<"),
            false,
            admin(),
        );
        fault(&reply, "Cannot delete the admin user");
    }

    #[test]
    fn list_limits_and_claim_filters() {
        let app = app_with_users();
        let list = |filter: &str, limit: &str| {
            let body = fixture("listUsers.request.xml")
                .replace("<ser:filter>*</ser:filter>", filter)
                .replace("<ser:maxItemLimit>100</ser:maxItemLimit>", limit);
            let reply = send(&app, &body, false, admin());
            assert_eq!(reply.status, 200, "{}", reply.body);
            returns(&reply.body)
        };
        assert_eq!(
            list("<ser:filter>*</ser:filter>", "<ser:maxItemLimit>-1</ser:maxItemLimit>"),
            ["admin", "bob", "tom"]
        );
        assert_eq!(
            list("<ser:filter>*</ser:filter>", "<ser:maxItemLimit>2</ser:maxItemLimit>"),
            ["admin", "bob"]
        );
        assert!(list("<ser:filter>*</ser:filter>", "<ser:maxItemLimit>0</ser:maxItemLimit>").is_empty());
        assert_eq!(list("<ser:filter>t*</ser:filter>", ""), ["tom"]);
        assert_eq!(list("", ""), ["admin", "bob", "tom"]);

        let body = fixture("getUserList.request.xml").replace(">tom@example.com<", ">*@example.com<");
        assert_eq!(returns(&send(&app, &body, false, admin()).body), ["tom"]);
        let body = fixture("getUserList.request.xml").replace(">tom@example.com<", ">bob@example.com<");
        let reply = send(&app, &body, false, admin());
        assert_eq!((reply.status, returns(&reply.body).len()), (200, 0));
    }
}
