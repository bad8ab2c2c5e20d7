//! Ported: product-is `modules/integration/tests-integration/tests-backend/src/test/java/org/wso2/identity/
//! integration/test/user/mgt/remote/RemoteUserStoreManagerServiceTestCase.java`. Present at every tag but listed in
//! no testng.xml (WSO2 never runs it); identical from v5.9.0 to v6.1.0, and v7.0.0 on changes only the passwords
//! (7.x's default password policy). Run here against every release with that release's passwords and default user
//! store, its test methods in TestNG's order (priority, then name).
//!
//! Substitute: `testAddRole` adds role1 through UserAdmin, which forcereset does not have;
//! RemoteUserStoreManagerService `addRole` with `PermissionDTO{resourceId, action: "ui.execute"}` stands in.

use forcereset::domain::profile::Wso2Version;

use super::store_kit::{ADMIN, Answer, RUS, add_role, add_user, call, claim_values, op, server, tag};
use crate::support::TestServer;

const ROLE1: &str = "UserStoreTestRole1";
const ROLE2: &str = "UserStoreTestRole2";
const ROLE2_NEW_NAME: &str = "testNewNameRole2";
const USERS: [&str; 5] = [
    "UserStoreTestUser1",
    "UserStoreTestUser2",
    "UserStoreTestUser3",
    "UserStoreTestUser4",
    "UserStoreTestUser5",
];
const ORGANIZATION: (&str, &str) = ("http://wso2.org/claims/organization", "WSO2");
const USER2_CLAIMS: [(&str, &str); 3] = [
    ("http://wso2.org/claims/nickname", "testCaseUser1"),
    ("http://wso2.org/claims/country", "testCaseUserCountry"),
    ("http://wso2.org/claims/stateorprovince", "western"),
];

/// The test's passwords: users 1–5, then user2's and user4's new ones.
struct Passwords {
    user: [&'static str; 5],
    user2_new: &'static str,
    user4_new: &'static str,
}

fn passwords(version: Wso2Version) -> Passwords {
    if version >= Wso2Version::V7_0 {
        Passwords {
            user: ["Wso2@test1", "Wso2@test2", "Wso2@test3", "Wso2@test4", "Wso2@test5"],
            user2_new: "Wso2@testNew2",
            user4_new: "Wso2@testNew4",
        }
    } else {
        Passwords {
            user: [
                "testPassword1",
                "testPassword2",
                "testPassword3",
                "testPassword4",
                "testPassword5",
            ],
            user2_new: "testNewPassword2",
            user4_new: "testNewPassword4",
        }
    }
}

async fn rus(server: &TestServer, name: &str, args: &[(&str, Option<&str>)]) -> Answer {
    call(server, RUS, &op(name, args), ADMIN).await.ok(name)
}

async fn is_true(server: &TestServer, name: &str, arg: &str, value: &str) -> bool {
    rus(server, name, &[(arg, Some(value))]).await.value() == "true"
}

async fn authenticate(server: &TestServer, user: &str, password: &str) -> bool {
    let args = [("userName", Some(user)), ("credential", Some(password))];
    rus(server, "authenticate", &args).await.value() == "true"
}

/// `getUserClaimValue(user, uri, null)`: None for a nil or absent return (the stub's null).
async fn claim_value(server: &TestServer, user: &str, uri: &str) -> Option<String> {
    let args = [("userName", Some(user)), ("claim", Some(uri))];
    rus(server, "getUserClaimValue", &args).await.returns().pop()
}

#[tokio::test]
async fn remote_user_store_manager_service_test_case() {
    for version in Wso2Version::ALL {
        let server = server(version);
        let at = format!("RemoteUserStoreManagerServiceTestCase@{} on {version}", tag(version));
        let pwd = passwords(version);
        let [user1, user2, user3, user4, user5] = USERS;

        // priority 1: testAddRole
        add_role(&server, ROLE2, &[], &[]).await;
        let permissions = [
            "/permission/admin/configure/",
            "/permission/admin/login",
            "/permission/admin/manage/",
            "/permission/admin/monitor",
            "/permission/protected",
        ];
        add_role(&server, ROLE1, &[], &permissions).await;
        for role in [ROLE1, ROLE2] {
            assert!(
                is_true(&server, "isExistingRole", "roleName", role).await,
                "{at} testAddRole {role}"
            );
        }

        // priority 2: testAddUser (claims and profile null: absent elements)
        let roles: [&[&str]; 5] = [&[ROLE1], &[ROLE1], &[ROLE2], &[ROLE2], &[ROLE1, ROLE2]];
        for ((user, password), roles) in USERS.iter().zip(pwd.user).zip(roles) {
            add_user(&server, user, password, roles, &[], None).await;
        }
        for user in USERS {
            assert!(
                is_true(&server, "isExistingUser", "userName", user).await,
                "{at} testAddUser {user}"
            );
        }

        // priority 3, by name: testAuthenticate
        assert!(authenticate(&server, user1, pwd.user[0]).await, "{at} testAuthenticate");
        // testGetAllProfileNames
        let profiles = rus(&server, "getAllProfileNames", &[]).await.returns();
        assert!(profiles.iter().any(|p| p == "default"), "{at} testGetAllProfileNames");
        // testGetPasswordExpirationTime
        let expiry = rus(&server, "getPasswordExpirationTime", &[("username", Some(user1))]).await;
        assert_eq!(expiry.value(), "-1", "{at} testGetPasswordExpirationTime");
        // testGetProfileNames
        let profiles = rus(&server, "getProfileNames", &[("userName", Some(user1))])
            .await
            .returns();
        assert_eq!(profiles, ["default"], "{at} testGetProfileNames");
        // testGetRoleNames
        let roles = rus(&server, "getRoleNames", &[]).await.returns();
        for role in [ROLE1, ROLE2, "admin", "Internal/everyone"] {
            assert!(
                roles.iter().any(|r| r == role),
                "{at} testGetRoleNames {role}: {roles:?}"
            );
        }
        // testListUsers
        let listed = rus(
            &server,
            "listUsers",
            &[("filter", Some(user1)), ("maxItemLimit", Some("-1"))],
        )
        .await;
        assert!(listed.returns().iter().any(|u| u == user1), "{at} testListUsers");
        // testSetUserClaimValue
        let args = [
            ("userName", Some(user1)),
            ("claimURI", Some(ORGANIZATION.0)),
            ("claimValue", Some(ORGANIZATION.1)),
        ];
        rus(&server, "setUserClaimValue", &args).await;
        assert_eq!(
            claim_value(&server, user1, ORGANIZATION.0).await.as_deref(),
            Some(ORGANIZATION.1),
            "{at} testSetUserClaimValue"
        );

        // priority 4: testSetUserClaimValues
        let payload = format!(
            "<ser:setUserClaimValues><ser:userName>{user2}</ser:userName>{}</ser:setUserClaimValues>",
            claim_values("claims", &USER2_CLAIMS)
        );
        call(&server, RUS, &payload, ADMIN).await.ok(&at);
        let uris: String = USER2_CLAIMS
            .iter()
            .map(|(uri, _)| format!("<ser:claims>{uri}</ser:claims>"))
            .collect();
        let payload = format!(
            "<ser:getUserClaimValuesForClaims><ser:userName>{user2}</ser:userName>{uris}</ser:getUserClaimValuesForClaims>"
        );
        let got = call(&server, RUS, &payload, ADMIN).await.ok(&at).claims();
        for (uri, value) in USER2_CLAIMS {
            assert!(
                got.contains(&(uri.to_string(), value.to_string())),
                "{at} testSetUserClaimValues {uri}: {got:?}"
            );
        }

        // priority 5, by name: testGetHybridRoles
        let hybrid = rus(&server, "getHybridRoles", &[]).await.returns();
        assert!(
            hybrid.iter().any(|r| r == "Internal/everyone"),
            "{at} testGetHybridRoles"
        );
        // testGetRoleListOfUser
        let roles = rus(&server, "getRoleListOfUser", &[("userName", Some(user5))])
            .await
            .returns();
        assert!(!roles.is_empty(), "{at} testGetRoleListOfUser");
        for role in &roles {
            assert!(
                [ROLE1, ROLE2, "Internal/everyone"].contains(&role.as_str()),
                "{at} testGetRoleListOfUser: {role}"
            );
        }
        // testGetTenantId
        assert_eq!(
            rus(&server, "getTenantId", &[]).await.value(),
            "-1234",
            "{at} testGetTenantId"
        );
        // testGetUserClaimValues (profile null)
        let all = rus(&server, "getUserClaimValues", &[("userName", Some(user2))])
            .await
            .claims();
        for (uri, value) in USER2_CLAIMS {
            assert!(
                all.contains(&(uri.to_string(), value.to_string())),
                "{at} testGetUserClaimValues {uri}: {all:?}"
            );
        }
        // testGetUserList
        let args = [("claimUri", Some(ORGANIZATION.0)), ("claimValue", Some(ORGANIZATION.1))];
        let holders = rus(&server, "getUserList", &args).await.returns();
        assert_eq!(holders.len(), 1, "{at} testGetUserList: {holders:?}");
        // testGetUserListOfRole
        let members = rus(&server, "getUserListOfRole", &[("roleName", Some(ROLE2))])
            .await
            .returns();
        assert_eq!(members.len(), 3, "{at} testGetUserListOfRole: {members:?}");
        for user in [user3, user4] {
            assert!(members.iter().any(|m| m == user), "{at} testGetUserListOfRole {user}");
        }
        // testIsReadOnly
        assert_eq!(
            rus(&server, "isReadOnly", &[]).await.value(),
            "false",
            "{at} testIsReadOnly"
        );
        // testUpdateCredential, as user2 (role1's /permission/admin/manage/ grants usermgt/update)
        let args = [
            ("userName", Some(user2)),
            ("newCredential", Some(pwd.user2_new)),
            ("oldCredential", Some(pwd.user[1])),
        ];
        call(&server, RUS, &op("updateCredential", &args), (user2, pwd.user[1]))
            .await
            .ok(&format!("{at} testUpdateCredential"));
        assert!(
            authenticate(&server, user2, pwd.user2_new).await,
            "{at} testUpdateCredential"
        );
        // testUpdateCredentialByAdmin
        let args = [("userName", Some(user4)), ("newCredential", Some(pwd.user4_new))];
        rus(&server, "updateCredentialByAdmin", &args).await;
        assert!(
            !authenticate(&server, user4, pwd.user[3]).await,
            "{at} testUpdateCredentialByAdmin old"
        );
        assert!(
            authenticate(&server, user4, pwd.user4_new).await,
            "{at} testUpdateCredentialByAdmin new"
        );
        // testUpdateRoleListOfUser
        let args = [
            ("userName", Some(user3)),
            ("deletedRoles", Some(ROLE2)),
            ("newRoles", Some(ROLE1)),
        ];
        rus(&server, "updateRoleListOfUser", &args).await;
        let roles = rus(&server, "getRoleListOfUser", &[("userName", Some(user3))])
            .await
            .returns();
        assert!(
            roles.iter().any(|r| r == ROLE1) && !roles.iter().any(|r| r == ROLE2),
            "{at} testUpdateRoleListOfUser: {roles:?}"
        );

        // priority 6: testUpdateUserListOfRole
        let args = [
            ("roleName", Some(ROLE2)),
            ("deletedUsers", Some(user4)),
            ("newUsers", Some(user2)),
        ];
        rus(&server, "updateUserListOfRole", &args).await;
        let members = rus(&server, "getUserListOfRole", &[("roleName", Some(ROLE2))])
            .await
            .returns();
        assert!(
            members.iter().any(|m| m == user2) && !members.iter().any(|m| m == user4),
            "{at} testUpdateUserListOfRole: {members:?}"
        );

        // priority 7, by name: testDeleteUserClaimValue
        let args = [("userName", Some(user1)), ("claimURI", Some(ORGANIZATION.0))];
        rus(&server, "deleteUserClaimValue", &args).await;
        assert_eq!(
            claim_value(&server, user1, ORGANIZATION.0).await,
            None,
            "{at} testDeleteUserClaimValue"
        );
        // testDeleteUserClaimValues
        let uris: String = USER2_CLAIMS
            .iter()
            .map(|(uri, _)| format!("<ser:claims>{uri}</ser:claims>"))
            .collect();
        let payload = format!(
            "<ser:deleteUserClaimValues><ser:userName>{user2}</ser:userName>{uris}</ser:deleteUserClaimValues>"
        );
        call(&server, RUS, &payload, ADMIN).await.ok(&at);
        for (uri, _) in USER2_CLAIMS {
            assert_eq!(
                claim_value(&server, user2, uri).await,
                None,
                "{at} testDeleteUserClaimValues {uri}"
            );
        }
        // testUpdateRoleName
        let args = [("roleName", Some(ROLE2)), ("newRoleName", Some(ROLE2_NEW_NAME))];
        rus(&server, "updateRoleName", &args).await;
        assert!(
            !is_true(&server, "isExistingRole", "roleName", ROLE2).await,
            "{at} testUpdateRoleName"
        );
        assert!(
            is_true(&server, "isExistingRole", "roleName", ROLE2_NEW_NAME).await,
            "{at} testUpdateRoleName"
        );

        // priority 8: testDeleteUser
        for user in USERS {
            rus(&server, "deleteUser", &[("userName", Some(user))]).await;
        }
        for user in USERS {
            assert!(
                !is_true(&server, "isExistingUser", "userName", user).await,
                "{at} testDeleteUser {user}"
            );
        }

        // priority 9: testDeleteRole
        for role in [ROLE1, ROLE2_NEW_NAME] {
            rus(&server, "deleteRole", &[("roleName", Some(role))]).await;
            assert!(
                !is_true(&server, "isExistingRole", "roleName", role).await,
                "{at} testDeleteRole {role}"
            );
        }
    }
}
