//! product-is `modules/integration/tests-integration/tests-backend/src/test/java/org/wso2/identity/integration/test/
//! identity/mgt/AccountLockEnabledTestCase.java`, the lock part (enabled at every tag; SOAP at v5.9.0 … v6.1.0):
//! enable the account lock through `updateConfigurations`, add a user, fail five logins, read `accountLocked`.
//! AuthenticationAdmin is absent: the failed logins go through the login form (forcereset's substitute). The
//! email-template registry reads are skipped (ResourceAdminService/registry absent). v7.0.0+ rewrote the test on
//! SCIM2 and REST APIs (absent): its checked value, `accountLocked` true after five failures, is checked here for
//! 7.x through the same substitutes.
//!
//! Then what identity-event-handler-account-lock's `AccountLockHandler` does at each tag (that repository has no
//! tests): off on a fresh server, each further lock `ratio` times longer, `lockedReason` written from 6.0, and
//! forcereset's deliberate deviation: a locked account is refused in 5.x too with locking off.

use forcereset::app::Actor;
use forcereset::domain::claims;
use forcereset::domain::governance::{LOCK_RATIO, LOCK_TIME};
use forcereset::domain::profile::Wso2Version;
use forcereset::domain::secret::Secret;
use forcereset::store::TenantId;
use reqwest::StatusCode;

use super::basic_authenticator::{login, submit};
use super::identity_governance::{RUS, configure, envelope, server_for};
use crate::support::TestServer;
use crate::web_client::Browser;

const ACCOUNT_LOCKED: &str = "http://wso2.org/claims/identity/accountLocked";

/// The release's name for the account lock's switch (product-is AccountLockEnabledTestCase `ENABLE_ACCOUNT_LOCK`:
/// `account.lock.handler.enable` to v5.11.0, `account.lock.handler.lock.on.max.failed.attempts.enable` from
/// v6.0.0).
fn enable_property(v: Wso2Version) -> &'static str {
    v.profile().governance.lock_enable_property
}

async fn rus(server: &TestServer, payload: &str) -> (StatusCode, String) {
    server.soap(RUS, envelope(payload), ("admin", "admin")).await
}

/// `getUserClaimValuesForClaims(user, [accountLocked], "default")`: the first value, as the test reads `values[0]`.
async fn account_locked(server: &TestServer, user: &str) -> Option<String> {
    let (status, body) = rus(
        server,
        &format!(
            "<ser:getUserClaimValuesForClaims><ser:userName>{user}</ser:userName><ser:claims>{ACCOUNT_LOCKED}\
             </ser:claims><ser:profileName>default</ser:profileName></ser:getUserClaimValuesForClaims>"
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.split("<ax:value>")
        .nth(1)
        .map(|v| v.split('<').next().unwrap().to_string())
}

/// `testSuccessfulLockedInitially`, with the setup and cleanup around it.
#[tokio::test]
async fn test_successful_locked_initially() {
    for v in Wso2Version::ALL {
        let server = server_for(v, "");
        configure(&server, &[(enable_property(v), "true")]).await;
        // addUser("TestLockUser1", "TestLockUser1Password", ["admin"], [] /* empty ClaimValue array */, null, false)
        let (status, body) = rus(
            &server,
            "<ser:addUser><ser:userName>TestLockUser1</ser:userName><ser:credential>TestLockUser1Password\
             </ser:credential><ser:roleList>admin</ser:roleList><ser:requirePasswordChange>false\
             </ser:requirePasswordChange></ser:addUser>",
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{v}: {body}");
        // Five failed logins (AuthenticationAdmin.login in the original; the login form here).
        let b = Browser::new(&server);
        for _ in 0..5 {
            let (answer, _) = login(&b, "TestLockUser1", "TestLockUser1WrongPassword").await;
            assert!(
                answer.location().contains("authFailure=true"),
                "{v}: {}",
                answer.location()
            );
        }
        assert_eq!(
            account_locked(&server, "TestLockUser1").await.as_deref(),
            Some("true"),
            "{v}: AccountLockEnabledTestCase (product-is v{v}.0) reads accountLocked = true"
        );
        // Cleanup: the lock off again, the user deleted.
        configure(&server, &[(enable_property(v), "false")]).await;
        let (status, body) = rus(
            &server,
            "<ser:deleteUser><ser:userName>TestLockUser1</ser:userName></ser:deleteUser>",
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{v}: {body}");
    }
}

/// A fresh WSO2 does not lock accounts in any release (identity-event default.json: the switch false): five, six
/// failures change nothing and the right password still works.
#[tokio::test]
async fn a_fresh_server_does_not_lock() {
    for v in Wso2Version::ALL {
        let server = server_for(v, "");
        crate::support::add_login_user(&server.app(), "tom", "Abcd@123", &[]);
        let b = Browser::new(&server);
        let (_, key) = login(&b, "tom", "Wrong@123").await;
        for _ in 0..5 {
            submit(&b, &key, "tom", "Wrong@123").await;
        }
        assert_eq!(account_locked(&server, "tom").await, None, "{v}");
        let answer = submit(&b, &key, "tom", "Abcd@123").await;
        assert_eq!(answer.location(), "/dashboard", "{v}");
    }
}

/// The lock's length is `Time × ratio^n` minutes, n = locks since the last good login (handler
/// `handlePostAuthentication`, v1.4.11 … v1.9.19); a good login after a lock ends starts again at `Time`. Time and
/// ratio come from `updateConfigurations` here (1 minute, ratio 3), over deployment.toml's.
#[tokio::test]
async fn each_further_lock_lasts_ratio_times_longer() {
    for v in [
        Wso2Version::V5_9,
        Wso2Version::V5_11,
        Wso2Version::V6_0,
        Wso2Version::V7_2,
    ] {
        let server = server_for(
            v,
            "[identity_mgt.account_locking]\nenable_account_locking = true\nallowed_failed_attempts = 2\n",
        );
        configure(&server, &[(LOCK_TIME, "1"), (LOCK_RATIO, "3")]).await;
        let app = server.app();
        crate::support::add_login_user(&app, "tom", "Abcd@123", &[]);
        let claim = |uri| app.claim_value(&Actor::System, "tom", uri, "default").unwrap();
        let lock_minutes = || {
            let until: i64 = claim(claims::UNLOCK_TIME).unwrap().parse().unwrap();
            (until - app.now() + 30_000) / 60_000
        };
        let expire = || {
            app.store_for_tests()
                .write(TenantId::SUPER, |tx| {
                    tx.set_claim_value("tom", "default", claims::UNLOCK_TIME, "1")
                })
                .unwrap();
        };
        let fail_twice = || {
            for _ in 0..2 {
                assert!(app.authenticate("tom", &Secret::new("Wrong@123")).is_err());
            }
        };
        fail_twice();
        assert!(app.is_locked("tom").unwrap(), "{v}");
        assert_eq!(lock_minutes(), 1, "{v}: the first lock lasts Time");
        expire();
        fail_twice();
        assert_eq!(lock_minutes(), 3, "{v}: the second, Time × ratio");
        expire();
        fail_twice();
        assert_eq!(lock_minutes(), 9, "{v}: the third, Time × ratio²");
        assert_eq!(claim(claims::FAILED_LOGIN_LOCKOUT_COUNT).as_deref(), Some("3"), "{v}");
        // lockedReason: written from 6.0 (handler v1.6.1), never before.
        let reason = claim(claims::LOCKED_REASON);
        let expected = (v >= Wso2Version::V6_0).then(|| "MAX_ATTEMPTS_EXCEEDED".to_string());
        assert_eq!(reason, expected, "{v}");
        // A good login once the lock has ended clears it all; the next lock is Time again.
        expire();
        assert!(app.authenticate("tom", &Secret::new("Abcd@123")).is_ok(), "{v}");
        assert_eq!(claim(claims::FAILED_LOGIN_LOCKOUT_COUNT).as_deref(), Some("0"), "{v}");
        assert_eq!(claim(claims::ACCOUNT_LOCKED).as_deref(), Some("false"), "{v}");
        fail_twice();
        assert_eq!(lock_minutes(), 1, "{v}: back to Time");
    }
}

/// A deliberate deviation (docs/COMPATIBILITY.md): an account whose `accountLocked` is true is refused whether the
/// lock on failed logins is on or not. WSO2 6.0+ does the same; 5.9–5.11's handler returns before looking unless
/// `account.lock.handler.enable` is true (account-lock v1.3.3 … v1.4.11 `handleEvent`), letting such a user in.
/// Setting the claim through addUser stores it (product-is AccountLockWhileCaseInsensitiveUserFalseTestCase's
/// setup, whose restart and AuthenticationAdmin login are not portable).
#[tokio::test]
async fn a_locked_account_is_refused_with_locking_off_in_every_release() {
    for v in [Wso2Version::V5_9, Wso2Version::V5_11, Wso2Version::V6_0] {
        let server = server_for(v, "");
        let (status, body) = rus(
            &server,
            &format!(
                "<ser:addUser><ser:userName>testDemo</ser:userName><ser:credential>testDemoPass</ser:credential>\
                 <ser:roleList>admin</ser:roleList><ser:claims><xsd:claimURI>{ACCOUNT_LOCKED}</xsd:claimURI>\
                 <xsd:value>true</xsd:value></ser:claims><ser:requirePasswordChange>false</ser:requirePasswordChange>\
                 </ser:addUser>"
            ),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{v}: {body}");
        assert_eq!(
            account_locked(&server, "testDemo").await.as_deref(),
            Some("true"),
            "{v}"
        );
        let (answer, _) = login(&Browser::new(&server), "testDemo", "testDemoPass").await;
        assert_ne!(answer.location(), "/dashboard", "{v}");
        assert!(
            server
                .app()
                .authenticate("testDemo", &Secret::new("testDemoPass"))
                .is_err(),
            "{v}"
        );
    }
}
