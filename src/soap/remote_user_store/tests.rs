//! RemoteUserStoreManagerService tests: every golden fixture against real data, permissions, faults and limits.
// Tests check what a use case left in the store.
#![allow(clippy::disallowed_methods)]

use super::*;
use crate::store::TenantId;

use crate::app::{Actor, App};
use crate::domain::claims;
use crate::domain::profile::store::UserStoreType;
use crate::soap::{Call, Service};

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
    let reply = match crate::soap::prepare(call, app.profile()) {
        Err(reply) => reply,
        Ok(prepared) => {
            let Caller::Basic { username, password } = caller;
            match app.authenticate(&username, &password) {
                Ok(actor) => crate::soap::execute(app, &actor, None, prepared),
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
/// WSO2's own `title` claim ("Title" in claim-config.xml); forcereset's old dialect called it "Job Title" and these
/// tests added it by hand.
const TITLE: &str = "http://wso2.org/claims/title";

fn app() -> App {
    App::for_tests()
}

/// A test app whose primary user store is of type `store` (the default is 5.11's embedded LDAP).
fn app_on(store: UserStoreType) -> App {
    let mut config = crate::config::Config::defaults();
    config.user_store.store_type = store;
    App::for_tests_with(config)
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
    let wsdl = include_str!("../../../wsdl/RemoteUserStoreManagerService.wsdl");
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

/// On a JDBC store, so that `getUserId` and `getTenantIdofUser` answer (the LDAP stores refuse them).
#[test]
fn every_fixture_runs_against_real_data() {
    let app = app_on(UserStoreType::Database);
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
    // WSO2's ClaimDTO carries the URI and the value only (see write_claim_dto).
    assert!(all.contains(r#"<ax:displayTag xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>"#));
    assert!(all.contains("<ax:value>Sri Lanka</ax:value>"));

    app.set_claims(&sys, "tom", "", &[(claims::ACCOUNT_LOCKED.into(), "false".into())])
        .unwrap();
    for name in ["getUserClaimValuesForClaims", "getUserClaimValuesForClaims.soap12"] {
        let body = ok(&app, name);
        let locked = body
            .find("<ax:claimURI>http://wso2.org/claims/identity/accountLocked</ax:claimURI><ax:value>false</ax:value>");
        let email = body
            .find("<ax:claimURI>http://wso2.org/claims/emailaddress</ax:claimURI><ax:value>tom@example.com</ax:value>");
        assert!(locked.is_some() && locked < email, "{body}");
    }

    assert_eq!(returns(&ok(&app, "getUserList")), ["tom"]);
    let id = app
        .store_for_tests()
        .read(TenantId::SUPER, |tx| tx.user("tom"))
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(returns(&ok(&app, "getUserId")), [id.to_string()]);
    assert_eq!(returns(&ok(&app, "getTenantId")), ["-1234"]);
    assert_eq!(returns(&ok(&app, "getTenantIdofUser")), ["-1234"]);
    assert_eq!(returns(&ok(&app, "isReadOnly")), ["false"]);
    assert!(returns(&ok(&app, "getProperties")).is_empty());
    assert_eq!(returns(&ok(&app, "getPasswordExpirationTime")), ["-1"]);
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
    let ghost = fixture("authenticate.request.xml").replace(">tom<", ">ghost<");
    // WSO2's truth (identity-user-ws services.xml): authenticate has no override, so it needs the service's
    // /permission/admin/manage/identity; the login permission no longer suffices.
    fault(&send(&app, &ghost, false, as_user("bob")), "Access Denied.");
    let sys = Actor::System;
    app.add_role(
        &sys,
        "identity",
        &["/permission/admin/manage/identity".into()],
        &["bob".into()],
    )
    .unwrap();
    let reply = send(&app, &ghost, false, as_user("bob"));
    assert_eq!((reply.status, returns(&reply.body)), (200, vec!["false".to_string()]));
}

#[test]
fn unknown_users_and_roles_are_business_faults() {
    let app = app_with_users();
    for (name, reason) in [
        ("getRoleListOfUser", "User ghost does not exist"),
        ("getUserClaimValues", "User ghost does not exist"),
        ("updateCredentialByAdmin", "User ghost does not exist"),
        ("deleteUser", "User ghost does not exist"),
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
fn the_store_type_decides_ids_expiry_and_profiles() {
    // carbon-kernel at the releases' tags: see domain::profile::store.
    let ghost = |name: &str| fixture(&format!("{name}.request.xml")).replace(">tom<", ">ghost<");
    let app = app_on(UserStoreType::Database);
    for name in ["getUserId", "getTenantIdofUser", "getPasswordExpirationTime"] {
        assert_eq!(
            returns(&send(&app, &ghost(name), false, admin()).body),
            ["-1"],
            "{name}"
        );
    }
    for (store, refusal) in [
        (UserStoreType::ReadWriteLdap, "Invalid operation"),
        (UserStoreType::ReadWriteLdapUniqueId, "Operation is not supported."),
        (UserStoreType::DatabaseUniqueId, "Operation is not supported."),
    ] {
        let app = app_on(store);
        fault(&call(&app, "getUserId", admin()), refusal);
        fault(&call(&app, "getTenantIdofUser", admin()), refusal);
        let expiry = send(&app, &ghost("getPasswordExpirationTime"), false, admin());
        if store == UserStoreType::DatabaseUniqueId {
            fault(&expiry, "No UserId found for user:ghost");
        } else {
            assert_eq!(returns(&expiry.body), ["-1"], "{store:?}");
        }
    }
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
        // WSO2's truth: every operation needs more than /permission/admin/login (identity-user-ws services.xml).
        let reply = call(&app, name, as_user("bob"));
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

/// WSO2's truth (identity-user-ws services.xml): the service has no exception for a user's own account, so a user
/// with only the login permission may not even read their own claims; with the user management permissions they
/// may, and identity claims stay the server's.
#[test]
fn users_need_the_permissions_even_for_their_own_claims_and_password() {
    let app = app_with_users();
    let sys = Actor::System;
    fault(&call(&app, "getUserClaimValues", as_user("tom")), "Access Denied.");
    fault(&call(&app, "updateCredential", as_user("tom")), "Access Denied.");
    app.add_role(
        &sys,
        "self",
        &[
            "/permission/admin/manage/identity/usermgt/view".into(),
            "/permission/admin/manage/identity/usermgt/update".into(),
        ],
        &["tom".into()],
    )
    .unwrap();
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

    let stray = fixture("deleteUser.request.xml").replace("</ser:userName>", "</ser:userName><ser:force>1</ser:force>");
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

    // WSO2 ignores the Tenant argument (a super-tenant caller always gets an empty array), but not its shape.
    let tenant = fixture("getProperties.request.xml").replace(">carbon.super<", ">other.com<");
    assert!(returns(&send(&app, &tenant, false, admin()).body).is_empty());

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
