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
mod tests {

    use super::*;

    use crate::domain::claims;
    use crate::soap::{Call, Caller, Reply, Service, handle};
    use crate::store::StoreError;

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
        app.store
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
                caller,
            },
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
        let mut ours = OPERATIONS.to_vec();
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
        let id = app.store.read(|tx| tx.user("tom")).unwrap().unwrap().id;
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
