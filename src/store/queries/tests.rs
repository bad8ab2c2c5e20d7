//! Query tests over an in-memory store.

use super::super::Store;
use super::*;
use crate::store::TenantId;

fn store_with_tom() -> Store {
    let store = Store::open_in_memory().unwrap();
    store
        .write::<_, StoreError>(TenantId::SUPER, |tx| {
            tx.insert_user("tom", "hash", 10)?;
            tx.insert_role("staff", 10)?;
            Ok(())
        })
        .unwrap();
    store
}

#[test]
fn users_round_trip_and_names_are_case_insensitive() {
    let store = store_with_tom();
    let tom = store.read(TenantId::SUPER, |tx| tx.user("TOM")).unwrap().unwrap();
    assert_eq!((tom.name.as_str(), tom.password_hash.as_str()), ("tom", "hash"));
    assert!(!format!("{tom:?}").contains("hash\""), "Debug hides the hash");
    let dup: Result<i64, StoreError> = store.write(TenantId::SUPER, |tx| tx.insert_user("Tom", "h", 1));
    assert!(matches!(dup, Err(StoreError::Conflict)));
    assert!(
        store
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.set_password_hash("tom", "h2", 11))
            .unwrap()
    );
    assert!(
        !store
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.set_password_hash("bob", "h2", 11))
            .unwrap()
    );
}

#[test]
fn list_users_filters_with_wso2_wildcards_and_escapes_like() {
    let store = store_with_tom();
    store
        .write::<_, StoreError>(TenantId::SUPER, |tx| {
            tx.insert_user("tim", "h", 1)?;
            tx.insert_user("t_m", "h", 1)?;
            tx.insert_user("alice", "h", 1)?;
            Ok(())
        })
        .unwrap();
    let all = store.read(TenantId::SUPER, |tx| tx.list_users("*", -1)).unwrap();
    assert_eq!(all, ["alice", "t_m", "tim", "tom"]);
    assert_eq!(
        store.read(TenantId::SUPER, |tx| tx.list_users("t*", 2)).unwrap(),
        ["t_m", "tim"]
    );
    assert_eq!(
        store.read(TenantId::SUPER, |tx| tx.list_users("t_m", -1)).unwrap(),
        ["t_m"],
        "_ is literal"
    );
}

#[test]
fn roles_permissions_and_links() {
    let store = store_with_tom();
    store
        .write::<_, StoreError>(TenantId::SUPER, |tx| {
            assert!(tx.grant_permission("staff", "/permission/admin/login")?);
            assert!(tx.grant_permission("staff", "/permission/admin/login")?, "idempotent");
            assert!(!tx.grant_permission("nobody", "/permission")?);
            assert!(tx.add_user_to_role("tom", "staff")?);
            assert!(tx.add_user_to_role("tom", "staff")?, "idempotent");
            assert!(!tx.add_user_to_role("bob", "staff")?);
            Ok(())
        })
        .unwrap();
    assert_eq!(
        store
            .read(TenantId::SUPER, |tx| tx.user_and_permissions("tom"))
            .unwrap()
            .map(|a| (a.name, a.permissions)),
        Some(("tom".to_string(), vec!["/permission/admin/login".to_string()]))
    );
    // A path held through two roles comes once; the name comes back as stored; a user with no role has none.
    store
        .write::<_, StoreError>(TenantId::SUPER, |tx| {
            tx.insert_role("ops", 10)?;
            tx.grant_permission("ops", "/permission/admin/login")?;
            tx.grant_permission("ops", "/permission/admin/configure")?;
            tx.add_user_to_role("tom", "ops")?;
            tx.insert_user("Bob", "hash", 10)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(
        store
            .read(TenantId::SUPER, |tx| tx.user_and_permissions("TOM"))
            .unwrap()
            .map(|a| (a.name, a.permissions)),
        Some((
            "tom".to_string(),
            vec![
                "/permission/admin/configure".to_string(),
                "/permission/admin/login".to_string()
            ]
        ))
    );
    assert_eq!(
        store
            .read(TenantId::SUPER, |tx| tx.user_and_permissions("bob"))
            .unwrap()
            .map(|a| (a.name, a.permissions)),
        Some(("Bob".to_string(), vec![]))
    );
    assert_eq!(
        store
            .read(TenantId::SUPER, |tx| tx.user_and_permissions("nobody"))
            .unwrap(),
        None
    );
    assert_eq!(
        store.read(TenantId::SUPER, |tx| tx.roles_of_user("tom")).unwrap(),
        ["ops", "staff"]
    );
    assert_eq!(
        store.read(TenantId::SUPER, |tx| tx.users_of_role("staff")).unwrap(),
        ["tom"]
    );
    assert!(
        store
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.delete_user("tom"))
            .unwrap()
    );
    assert!(
        store
            .read(TenantId::SUPER, |tx| tx.users_of_role("staff"))
            .unwrap()
            .is_empty(),
        "links cascade"
    );
}

#[test]
fn claim_values_with_existence_in_one_read() {
    let store = store_with_tom();
    store
        .write::<_, StoreError>(TenantId::SUPER, |tx| {
            tx.set_claim_value("tom", "default", "urn:b", "2")?;
            tx.set_claim_value("tom", "default", "urn:a", "1")?;
            tx.set_claim_value("tom", "work", "urn:c", "3")?;
            tx.insert_user("bob", "h", 1)?;
            Ok(())
        })
        .unwrap();
    let read = |user: &str, profile: &str| {
        store
            .read(TenantId::SUPER, |tx| tx.user_claim_values(user, profile))
            .unwrap()
    };
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        read("TOM", "default"),
        Some(vec![pair("urn:a", "1"), pair("urn:b", "2")])
    );
    assert_eq!(read("tom", "work"), Some(vec![pair("urn:c", "3")]));
    assert_eq!(read("tom", "none"), Some(vec![]));
    assert_eq!(read("bob", "default"), Some(vec![]), "a user without values exists");
    assert_eq!(read("nobody", "default"), None);
    assert_eq!(
        read("tom", "default").unwrap(),
        store
            .read(TenantId::SUPER, |tx| tx.claim_values("tom", "default"))
            .unwrap()
    );
}

#[test]
fn claim_values_per_profile() {
    let store = store_with_tom();
    store
        .write::<_, StoreError>(TenantId::SUPER, |tx| {
            assert!(tx.set_claim_value("tom", "default", "http://wso2.org/claims/emailaddress", "a@b")?);
            assert!(tx.set_claim_value("tom", "default", "http://wso2.org/claims/emailaddress", "c@d")?);
            assert!(tx.set_claim_value("tom", "work", "http://wso2.org/claims/givenname", "Tom")?);
            assert!(!tx.set_claim_value("bob", "default", "http://wso2.org/claims/givenname", "Bob")?);
            Ok(())
        })
        .unwrap();
    let default = store
        .read(TenantId::SUPER, |tx| tx.claim_values("tom", "default"))
        .unwrap();
    assert_eq!(
        default,
        [("http://wso2.org/claims/emailaddress".to_string(), "c@d".to_string())]
    );
    assert_eq!(
        store.read(TenantId::SUPER, |tx| tx.profile_names("tom")).unwrap(),
        ["default", "work"]
    );
    assert!(
        store
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.delete_claim_value(
                "tom",
                "work",
                "http://wso2.org/claims/givenname"
            ))
            .unwrap()
    );
    assert_eq!(
        store.read(TenantId::SUPER, |tx| tx.profile_names("tom")).unwrap(),
        ["default"]
    );
}

#[test]
fn claim_metadata_is_inserted_once_and_editable() {
    let store = Store::open_in_memory().unwrap();
    let mut meta = ClaimMeta::plain("http://wso2.org/claims/oneTimePassword", "One Time Password");
    assert!(
        store
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.insert_claim_meta_if_absent(&meta))
            .unwrap()
    );
    meta.supported_by_default = true;
    assert!(
        store
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.update_claim_meta(&meta))
            .unwrap()
    );
    let mut reset = meta.clone();
    reset.supported_by_default = false;
    assert!(
        !store
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.insert_claim_meta_if_absent(&reset))
            .unwrap()
    );
    assert!(
        store
            .read(TenantId::SUPER, |tx| tx.claim_meta(&meta.uri))
            .unwrap()
            .unwrap()
            .supported_by_default
    );
}

#[test]
fn associations_are_unique_per_idp_and_follow_the_user() {
    let store = store_with_tom();
    assert!(
        store
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.add_association("tom", "google", "t@g"))
            .unwrap()
    );
    assert!(
        !store
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.add_association("bob", "google", "b@g"))
            .unwrap()
    );
    let taken: Result<bool, StoreError> = store.write(TenantId::SUPER, |tx| tx.add_association("tom", "google", "t@g"));
    assert!(matches!(taken, Err(StoreError::Conflict)));
    assert_eq!(
        store
            .read(TenantId::SUPER, |tx| tx.user_for_association("google", "t@g"))
            .unwrap()
            .as_deref(),
        Some("tom")
    );
    assert_eq!(
        store.read(TenantId::SUPER, |tx| tx.associations_of("tom")).unwrap(),
        [("google".to_string(), "t@g".to_string())]
    );
    assert!(
        store
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.remove_association("tom", "google", "t@g"))
            .unwrap()
    );
    assert!(
        store
            .read(TenantId::SUPER, |tx| tx.associations_of("tom"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn governance_and_audit() {
    let store = Store::open_in_memory().unwrap();
    store
        .write::<_, StoreError>(TenantId::SUPER, |tx| {
            tx.set_governance_property("Recovery.AdminPasswordReset.Offline", "true")?;
            tx.set_governance_property("Recovery.AdminPasswordReset.Offline", "false")?;
            for i in 0..3 {
                tx.insert_audit(&AuditRecord {
                    at: i,
                    actor: "admin".into(),
                    action: "user.add".into(),
                    target: format!("u{i}"),
                    detail: String::new(),
                })?;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(
        store.read(TenantId::SUPER, |tx| tx.governance_properties()).unwrap(),
        [("Recovery.AdminPasswordReset.Offline".to_string(), "false".to_string())]
    );
    let page = store.read(TenantId::SUPER, |tx| tx.audit_page(0, 2)).unwrap();
    assert_eq!(page.iter().map(|a| a.target.as_str()).collect::<Vec<_>>(), ["u2", "u1"]);
}

/// Cached permissions are never stale: every change to users, memberships, grants or roles, by this store or by
/// another process (here another `Store` on the same file), is seen at the next read.
#[test]
fn cached_permissions_follow_every_change_from_any_connection() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let server = Store::open(&path).unwrap();
    let cli = Store::open(&path).unwrap();
    let perms = |s: &Store, user: &str| {
        s.read(TenantId::SUPER, |tx| tx.user_and_permissions(user))
            .unwrap()
            .map(|a| a.permissions)
    };
    let change = |f: &dyn Fn(&Tx<'_>) -> Result<bool, StoreError>| {
        assert!(cli.write::<_, StoreError>(TenantId::SUPER, |tx| f(tx)).unwrap());
    };
    cli.write::<_, StoreError>(TenantId::SUPER, |tx| {
        tx.insert_user("tom", "hash", 1)?;
        tx.insert_role("staff", 1)?;
        tx.insert_role("ops", 1)?;
        tx.grant_permission("staff", "/permission/admin/login")?;
        tx.add_user_to_role("tom", "staff")?;
        Ok(())
    })
    .unwrap();
    let login = || vec!["/permission/admin/login".to_string()];
    assert_eq!(perms(&server, "tom"), Some(login()));
    assert_eq!(perms(&server, "TOM"), Some(login()), "cached under NOCASE's folding");
    change(&|tx| tx.grant_permission("staff", "/permission/admin/configure"));
    assert_eq!(
        perms(&server, "tom"),
        Some(vec![
            "/permission/admin/configure".to_string(),
            "/permission/admin/login".to_string()
        ])
    );
    change(&|tx| tx.add_user_to_role("tom", "ops"));
    change(&|tx| tx.delete_role("staff"));
    assert_eq!(perms(&server, "tom"), Some(vec![]), "the role's grants went with it");
    change(&|tx| tx.grant_permission("ops", "/permission"));
    assert_eq!(perms(&server, "tom"), Some(vec!["/permission".to_string()]));
    change(&|tx| tx.remove_user_from_role("tom", "ops"));
    assert_eq!(perms(&server, "tom"), Some(vec![]));
    change(&|tx| tx.delete_user("tom"));
    assert_eq!(perms(&server, "tom"), None);
}
