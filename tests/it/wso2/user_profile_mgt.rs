//! Ported: product-is `modules/integration/tests-integration/tests-backend/src/test/java/org/wso2/identity/
//! integration/test/user/profile/mgt/UserProfileMgtTestCase.java`, enabled in testng.xml at every tag. Its five
//! test methods run against every release with the release's default user store (the embedded LDAP of 5.x, JDBC
//! from 6.0). WSO2 creates the user through UserAdmin, which forcereset does not have: RemoteUserStoreManagerService
//! `addUser` stands in, with the same arguments.

use forcereset::domain::profile::Wso2Version;

use super::store_kit::{ADMIN, RUS, UPM, add_user, call, check_default_profile_has_last_name, op, server, tag, upm};
use crate::support::TestServer;

const USER: &str = "UserProfileMgtTestUser1";
const LAST_NAME: &str = "http://wso2.org/claims/lastname";

/// `testInit`: `addUser(userId1, "passWord1@", ["admin"], "default")`; from v6.0.0 with the last name given
/// (`lastNameClaimURI` = the user name), because the JDBC store does not fill it.
async fn init(server: &TestServer, version: Wso2Version) {
    let claims: &[(&str, &str)] = if version >= Wso2Version::V6_0 {
        &[(LAST_NAME, USER)]
    } else {
        &[]
    };
    add_user(server, USER, "passWord1@", &["admin"], claims, Some("default")).await;
}

#[tokio::test]
async fn user_profile_mgt_test_case() {
    for version in Wso2Version::ALL {
        let server = server(version);
        let at = format!("UserProfileMgtTestCase@{} on {version}", tag(version));
        init(&server, version).await;

        // testGetUserProfiles, testGetUserProfile
        check_default_profile_has_last_name(&server, USER, &at).await;

        // testIsAddProfileEnabled: false on 5.x's LDAP, true on 6.0+'s JDBC store.
        let enabled = call(&server, UPM, &upm("isAddProfileEnabled", &[]), ADMIN)
            .await
            .ok(&at)
            .value();
        let expected = if version >= Wso2Version::V6_0 { "true" } else { "false" };
        assert_eq!(enabled, expected, "{at} testIsAddProfileEnabled");

        // testIsAddProfileEnabledForDomain("carbon.super"): no such user store domain, so false.
        let args = [("domain", Some("carbon.super"))];
        let for_domain = call(&server, UPM, &upm("isAddProfileEnabledForDomain", &args), ADMIN)
            .await
            .ok(&at)
            .value();
        assert_eq!(for_domain, "false", "{at} testIsAddProfileEnabledForDomain");

        // testIsReadOnlyUserStore
        let read_only = call(&server, UPM, &upm("isReadOnlyUserStore", &[]), ADMIN)
            .await
            .ok(&at)
            .value();
        assert_eq!(read_only, "false", "{at} testIsReadOnlyUserStore");

        // atEnd: deleteUser(userId1).
        call(&server, RUS, &op("deleteUser", &[("userName", Some(USER))]), ADMIN)
            .await
            .ok(&at);
    }
}
