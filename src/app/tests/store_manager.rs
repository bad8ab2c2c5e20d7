//! RemoteUserStoreManagerService use cases beyond the basics: credentials, ids, roles, claims and profiles.

use super::*;
use crate::app::users::matches_filter;
use crate::domain::profile::store::UserStoreType;

fn app() -> App {
    App::for_tests()
}

/// A test app whose primary user store is of type `store`.
fn app_on(store: UserStoreType) -> App {
    let mut config = crate::config::Config::defaults();
    config.user_store.store_type = store;
    App::for_tests_with(config)
}

fn secret(s: &str) -> Secret {
    Secret::new(s)
}

fn with_tom() -> App {
    let app = app();
    app.add_user(&Actor::System, "tom", &secret("Abcd@123"), &[], &[], "")
        .unwrap();
    app
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn claim_filters_use_star_as_a_wildcard() {
    assert!(matches_filter("tom@example.com", "tom@example.com"));
    assert!(!matches_filter("tom@example.com", "Tom@example.com"));
    assert!(matches_filter("*", ""));
    assert!(matches_filter("*@example.com", "tom@example.com"));
    assert!(matches_filter("tom*", "tom@example.com"));
    assert!(matches_filter("t*@*.com", "tom@example.com"));
    assert!(!matches_filter("t*@*.org", "tom@example.com"));
    assert!(!matches_filter("ab*ba", "aba"), "the prefix and suffix may not overlap");
    assert!(!matches_filter("tom", "tommy"));
}

#[test]
fn check_credentials_answers_without_faulting() {
    let app = with_tom();
    let admin = app.authenticate("admin", &secret("admin")).unwrap();
    assert!(app.check_credentials(&admin, "tom", &secret("Abcd@123")).unwrap());
    assert!(!app.check_credentials(&admin, "tom", &secret("wrong")).unwrap());
    assert!(!app.check_credentials(&admin, "ghost", &secret("Abcd@123")).unwrap());
    let nobody = Actor::User {
        tenant: TenantId::SUPER,
        name: "x".into(),
        permissions: vec![],
    };
    assert_eq!(
        app.check_credentials(&nobody, "tom", &secret("Abcd@123")),
        Err(DomainError::AccessDenied)
    );
}

#[test]
fn users_change_their_own_password_knowing_the_old_one() {
    let app = with_tom();
    let tom = app.authenticate("tom", &secret("Abcd@123")).unwrap();
    assert_eq!(
        app.update_credential(&tom, "tom", &secret("Wxyz@456"), &secret("bad")),
        Err(DomainError::InvalidInput(OLD_CREDENTIAL_MISMATCH.into()))
    );
    assert!(matches!(
        app.update_credential(&tom, "tom", &secret("x"), &secret("Abcd@123")),
        Err(DomainError::PasswordPolicy(_))
    ));
    assert!(app.authenticate("tom", &secret("Abcd@123")).is_ok(), "nothing changed");
    app.update_credential(&tom, "tom", &secret("Wxyz@456"), &secret("Abcd@123"))
        .unwrap();
    assert!(app.authenticate("tom", &secret("Wxyz@456")).is_ok());
    assert_eq!(
        app.update_credential(&tom, "admin", &secret("Wxyz@456"), &secret("admin")),
        Err(DomainError::AccessDenied)
    );
    let admin = app.authenticate("admin", &secret("admin")).unwrap();
    assert_eq!(
        app.update_credential(&admin, "ghost", &secret("Wxyz@456"), &secret("x")),
        Err(DomainError::UserNotFound("ghost".into()))
    );
}

#[test]
fn roles_are_renamed_deleted_and_updated_all_or_nothing() {
    let app = with_tom();
    let sys = Actor::System;
    app.add_role(
        &sys,
        "support",
        &strings(&["/permission/admin/login"]),
        &strings(&["tom"]),
    )
    .unwrap();
    assert!(app.role_exists(&sys, "support").unwrap());
    assert!(app.role_exists(&sys, EVERYONE_ROLE).unwrap());
    assert_eq!(app.roles_of_user(&sys, "tom").unwrap(), ["support", EVERYONE_ROLE]);
    assert_eq!(app.hybrid_roles(&sys).unwrap(), [EVERYONE_ROLE]);

    app.rename_role(&sys, "support", "helpdesk").unwrap();
    assert_eq!(app.users_of_role(&sys, "helpdesk").unwrap(), ["tom"]);
    assert_eq!(
        app.role_permissions(&sys, "helpdesk").unwrap(),
        ["/permission/admin/login"]
    );
    assert_eq!(
        app.rename_role(&sys, "helpdesk", "admin"),
        Err(DomainError::RoleExists("admin".into()))
    );
    assert!(matches!(
        app.rename_role(&sys, "admin", "boss"),
        Err(DomainError::InvalidInput(_))
    ));
    app.rename_role(&sys, "helpdesk", "HelpDesk").unwrap();

    app.add_role(&sys, "support", &[], &[]).unwrap();
    // One unknown role spoils the whole update.
    assert_eq!(
        app.update_roles_of_user(&sys, "tom", &strings(&["HelpDesk"]), &strings(&["support", "ghost"])),
        Err(DomainError::RoleNotFound("ghost".into()))
    );
    assert_eq!(app.roles_of_user(&sys, "tom").unwrap(), ["HelpDesk", EVERYONE_ROLE]);
    app.update_roles_of_user(
        &sys,
        "tom",
        &strings(&["HelpDesk", EVERYONE_ROLE]),
        &strings(&["support"]),
    )
    .unwrap();
    assert_eq!(app.roles_of_user(&sys, "tom").unwrap(), ["support", EVERYONE_ROLE]);

    app.add_user(&sys, "alice", &secret("Abcd@123"), &strings(&["support"]), &[], "")
        .unwrap();
    assert_eq!(
        app.update_users_of_role(&sys, "support", &strings(&["alice"]), &strings(&["ghost"])),
        Err(DomainError::UserNotFound("ghost".into()))
    );
    assert_eq!(app.users_of_role(&sys, "support").unwrap(), ["alice", "tom"]);
    app.update_users_of_role(&sys, "support", &strings(&["alice", "tom"]), &strings(&["admin"]))
        .unwrap();
    assert_eq!(app.users_of_role(&sys, "support").unwrap(), ["admin"]);
    assert_eq!(
        app.users_of_role(&sys, EVERYONE_ROLE).unwrap(),
        ["admin", "alice", "tom"]
    );

    assert!(matches!(
        app.update_users_of_role(&sys, "admin", &strings(&["admin"]), &[]),
        Err(DomainError::InvalidInput(_))
    ));
    assert!(matches!(
        app.update_roles_of_user(&sys, "admin", &strings(&["admin"]), &[]),
        Err(DomainError::InvalidInput(_))
    ));
    assert_eq!(app.delete_role(&sys, "admin"), Err(DomainError::CannotDeleteAdminRole));
    assert!(matches!(
        app.delete_role(&sys, EVERYONE_ROLE),
        Err(DomainError::InvalidInput(_))
    ));
    app.delete_role(&sys, "support").unwrap();
    assert_eq!(
        app.delete_role(&sys, "support"),
        Err(DomainError::RoleNotFound("support".into()))
    );
    assert!(
        app.authenticate("admin", &secret("admin"))
            .unwrap()
            .has(permissions::ROOT)
    );
}

#[test]
fn claims_are_read_by_uri_listed_with_metadata_and_deleted() {
    let app = with_tom();
    let sys = Actor::System;
    let email = (claims::EMAIL.to_string(), "tom@example.com".to_string());
    app.set_claims(
        &sys,
        "tom",
        "",
        &[email.clone(), (claims::GIVEN_NAME.into(), "Tom".into())],
    )
    .unwrap();
    let listed = app.user_claims(&sys, "tom", "default").unwrap();
    let uris: Vec<&str> = listed.iter().map(|(m, _)| m.uri.as_str()).collect();
    // WSO2's 5.11 dialect: the claims without a DisplayOrder (0) first, by URI; the role and user name claims are
    // the store's own; the LDAP store wrote the user name as the last name (sn).
    assert_eq!(
        uris,
        [
            claims::LAST_PASSWORD_UPDATE_TIME,
            claims::ROLE,
            claims::USERNAME,
            claims::GIVEN_NAME,
            claims::LAST_NAME,
            claims::EMAIL,
        ],
        "display order"
    );
    assert_eq!(listed[1].1, "Internal/everyone");
    assert_eq!(listed[5].0.display_name, "Email");
    assert_eq!(
        app.claim_values_for(
            &sys,
            "tom",
            &strings(&[claims::ACCOUNT_LOCKED, claims::EMAIL, claims::EMAIL]),
            ""
        )
        .unwrap(),
        std::slice::from_ref(&email)
    );
    assert_eq!(
        app.users_with_claim(&sys, claims::EMAIL, "*@example.com", "").unwrap(),
        ["tom"]
    );
    assert_eq!(
        app.users_with_claim(&sys, claims::USERNAME, "to*", "").unwrap(),
        ["tom"]
    );
    assert!(matches!(
        app.users_with_claim(&sys, "http://wso2.org/claims/nope", "x", ""),
        Err(DomainError::UnknownClaim(_))
    ));

    let tom = app.authenticate("tom", &secret("Abcd@123")).unwrap();
    assert_eq!(
        app.delete_claims(
            &tom,
            "tom",
            "",
            &strings(&[claims::EMAIL, claims::ADMIN_FORCED_PASSWORD_RESET])
        ),
        Err(DomainError::ReadOnlyClaim(claims::ADMIN_FORCED_PASSWORD_RESET.into()))
    );
    assert_eq!(
        app.claim_values_for(&tom, "tom", &strings(&[claims::EMAIL]), "")
            .unwrap(),
        [email],
        "a refused delete removes nothing"
    );
    app.delete_claims(&tom, "tom", "", &strings(&[claims::EMAIL])).unwrap();
    assert!(
        app.claim_values_for(&tom, "tom", &strings(&[claims::EMAIL]), "")
            .unwrap()
            .is_empty()
    );
    assert_eq!(app.user_claims(&tom, "admin", ""), Err(DomainError::AccessDenied));
    assert_eq!(
        app.delete_claims(&sys, "tom", "", &strings(&[claims::USERNAME])),
        Err(DomainError::ReadOnlyClaim(claims::USERNAME.into()))
    );
}

#[test]
fn ids_and_tenants_only_from_a_plain_jdbc_store() {
    // carbon-kernel: JDBCUserStoreManager answers UM_ID / UM_TENANT_ID or -1; the others refuse (store.rs).
    let app = app_on(UserStoreType::Database);
    let sys = Actor::System;
    app.add_user(&sys, "tom", &secret("Abcd@123"), &[], &[], "").unwrap();
    assert!(app.user_id(&sys, "tom").unwrap() > app.user_id(&sys, "admin").unwrap());
    assert_eq!(app.user_id(&sys, "ghost").unwrap(), -1);
    assert_eq!(app.tenant_id_of_user(&sys, "tom").unwrap(), SUPER_TENANT_ID);
    assert_eq!(app.tenant_id_of_user(&sys, "PRIMARY/tom").unwrap(), SUPER_TENANT_ID);
    assert_eq!(
        app.tenant_id_of_user(&sys, "bob@carbon.super").unwrap(),
        INVALID_TENANT_ID
    );
    assert_eq!(app.tenant_id_of_user(&sys, "bob@other.com").unwrap(), INVALID_TENANT_ID);
    for (store, message) in [
        (UserStoreType::ReadWriteLdap, "Invalid operation"),
        (UserStoreType::ReadWriteLdapUniqueId, "Operation is not supported."),
        (UserStoreType::DatabaseUniqueId, "Operation is not supported."),
    ] {
        let app = app_on(store);
        let refused = Err(DomainError::InvalidInput(message.into()));
        assert_eq!(app.user_id(&sys, "admin"), refused, "{store:?}");
        assert_eq!(
            app.tenant_id_of_user(&sys, "admin").map(i64::from),
            refused,
            "{store:?}"
        );
    }
}

#[test]
fn no_password_expires_and_only_a_unique_id_jdbc_store_looks_the_user_up() {
    let sys = Actor::System;
    for store in UserStoreType::ALL {
        let app = app_on(store);
        assert_eq!(app.password_expiration_time(&sys, "admin").unwrap(), None, "{store:?}");
        let ghost = app.password_expiration_time(&sys, "ghost");
        if store == UserStoreType::DatabaseUniqueId {
            assert_eq!(
                ghost,
                Err(DomainError::InvalidInput("No UserId found for user:ghost".into()))
            );
        } else {
            assert_eq!(ghost.unwrap(), None, "{store:?}");
        }
    }
}

#[test]
fn a_jdbc_store_keeps_several_profiles() {
    let app = app_on(UserStoreType::DatabaseUniqueId);
    let sys = Actor::System;
    app.add_user(&sys, "tom", &secret("Abcd@123"), &[], &[], "").unwrap();
    app.set_claims(&sys, "tom", "work", &[(claims::GIVEN_NAME.into(), "Tom".into())])
        .unwrap();
    assert_eq!(app.profile_names_of_user(&sys, "tom").unwrap(), ["default", "work"]);
    assert_eq!(app.profile_names_of_user(&sys, "admin").unwrap(), ["default"]);
    assert_eq!(app.all_profile_names(&sys).unwrap(), ["default", "work"]);
    assert_eq!(app.claim_value(&sys, "tom", claims::GIVEN_NAME, "").unwrap(), None);
    assert!(app.add_profile_enabled());
    assert_eq!(
        app.claim_value(&sys, "tom", claims::LAST_NAME, "").unwrap(),
        None,
        "no sn fill"
    );
}

#[test]
fn an_ldap_store_has_one_profile_and_fills_the_last_name() {
    // carbon-kernel's LDAP managers ignore the profile name: a write to "work" lands in the user's one entry.
    let app = with_tom();
    let sys = Actor::System;
    app.set_claims(&sys, "tom", "work", &[(claims::GIVEN_NAME.into(), "Tom".into())])
        .unwrap();
    assert_eq!(app.profile_names_of_user(&sys, "tom").unwrap(), ["default"]);
    assert_eq!(app.all_profile_names(&sys).unwrap(), ["default"]);
    assert_eq!(
        app.claim_value(&sys, "tom", claims::GIVEN_NAME, "default")
            .unwrap()
            .as_deref(),
        Some("Tom")
    );
    assert_eq!(
        app.claim_value(&sys, "tom", claims::GIVEN_NAME, "work")
            .unwrap()
            .as_deref(),
        Some("Tom")
    );
    assert!(!app.add_profile_enabled());
    assert!(!app.add_profile_enabled_for_domain(""));
    assert_eq!(
        app.claim_value(&sys, "tom", claims::LAST_NAME, "").unwrap().as_deref(),
        Some("tom"),
        "sn is the user name when none was given"
    );
    let last = [(claims::LAST_NAME.to_string(), "Jones".to_string())];
    app.add_user(&sys, "ann", &secret("Abcd@123"), &[], &last, "").unwrap();
    assert_eq!(
        app.claim_value(&sys, "ann", claims::LAST_NAME, "").unwrap().as_deref(),
        Some("Jones")
    );
}

#[test]
fn added_claim_values_merge_as_wso2s_service_does() {
    use crate::app::Merge;
    // identity-user-ws UserStoreManagerService.addUserClaimValue / addUserClaimValues.
    assert_eq!(Merge::Append.apply("a", "b").as_deref(), Some("a,b"));
    assert_eq!(
        Merge::Append.apply("a", "a").as_deref(),
        Some("a,a"),
        "no duplicate check"
    );
    assert_eq!(Merge::Append.apply("", "b").as_deref(), Some("b"));
    assert_eq!(
        Merge::Append.apply("a", "").as_deref(),
        Some(""),
        "an empty value is written as is"
    );
    assert_eq!(Merge::AppendDistinct.apply("a,B", "b"), None, "already there");
    assert_eq!(Merge::AppendDistinct.apply("a", " "), None, "blank: skipped");
    assert_eq!(Merge::AppendDistinct.apply("", "b").as_deref(), Some("b"));
    assert_eq!(Merge::AppendDistinct.apply("a", "b").as_deref(), Some("a,b"));

    let app = with_tom();
    let sys = Actor::System;
    let org = "http://wso2.org/claims/organization";
    let add = |value: &str, merge| {
        app.write_claim_values(&sys, "tom", "", &[(org.to_string(), value.to_string())], merge)
            .unwrap();
        app.claim_value(&sys, "tom", org, "").unwrap()
    };
    assert_eq!(add("WSO2", Merge::Append).as_deref(), Some("WSO2"));
    assert_eq!(add("Acme", Merge::Append).as_deref(), Some("WSO2,Acme"));
    assert_eq!(add("acme", Merge::AppendDistinct).as_deref(), Some("WSO2,Acme"));
}

#[test]
fn set_claim_value_is_a_plain_write_but_set_claim_values_triggers_the_reset() {
    // identity-governance AdminForcedPasswordResetHandler handles PRE_SET_USER_CLAIMS only.
    let app = with_tom();
    let sys = Actor::System;
    app.set_claims(&sys, "tom", "", &[(claims::EMAIL.into(), "tom@example.com".into())])
        .unwrap();
    app.update_configurations(&sys, &[("Recovery.AdminPasswordReset.Offline".into(), "true".into())])
        .unwrap();
    let trigger = [(claims::ADMIN_FORCED_PASSWORD_RESET.to_string(), "true".to_string())];
    app.write_claim_values(&sys, "tom", "", &trigger, crate::app::Merge::Replace)
        .unwrap();
    assert_eq!(
        app.claim_value(&sys, "tom", claims::ADMIN_FORCED_PASSWORD_RESET, "")
            .unwrap()
            .as_deref(),
        Some("true"),
        "stored as a value"
    );
    assert!(app.user_state(&sys, "tom").unwrap().pending_reset.is_none());
    app.set_claims(
        &sys,
        "tom",
        "",
        &[(claims::ADMIN_FORCED_PASSWORD_RESET.into(), "true".into())],
    )
    .unwrap();
    assert!(app.user_state(&sys, "tom").unwrap().pending_reset.is_some());
}

#[test]
fn profiles_follow_user_profile_admins_rule() {
    // carbon-identity-framework UserProfileAdmin (5.14.97 to 5.18.187): self, or the userprofile permission; only
    // the super admin touches the super admin's profile.
    let app = with_tom();
    let sys = Actor::System;
    let user = |name: &str, permissions: &[&str]| Actor::User {
        tenant: TenantId::SUPER,
        name: name.into(),
        permissions: permissions.iter().map(|p| p.to_string()).collect(),
    };
    let viewer = user("vic", &[permissions::USER_PROFILES_VIEW]);
    let manager = user("max", &[permissions::USER_PROFILES]);
    let given = [(claims::GIVEN_NAME.to_string(), "Tom".to_string())];
    assert!(app.user_profile(&user("tom", &[]), "tom", "default").unwrap().is_some());
    assert!(app.user_profile(&viewer, "tom", "default").unwrap().is_some());
    assert_eq!(
        app.set_user_profile(&viewer, "tom", "default", &given),
        Err(DomainError::NotAuthorized)
    );
    app.set_user_profile(&manager, "tom", "default", &given).unwrap();
    assert_eq!(
        app.user_profile(&manager, "admin", "default"),
        Err(DomainError::NotAuthorized),
        "spoof"
    );
    assert!(app.user_profile(&sys, "admin", "default").unwrap().is_some());
    assert_eq!(
        app.delete_user_profile(&manager, "tom", "default"),
        Err(DomainError::InvalidInput("Cannot delete default profile".into()))
    );
    assert!(matches!(
        app.delete_user_profile(&manager, "tom", "work"),
        Err(DomainError::InvalidInput(m)) if m.contains("single profile")
    ));
    assert_eq!(
        app.delete_user_profile(&viewer, "tom", "work"),
        Err(DomainError::NotAuthorized)
    );
    let fields = app.user_profile(&sys, "tom", "").unwrap().unwrap();
    let shown: Vec<&str> = fields.iter().map(|f| f.meta.display_name.as_str()).collect();
    assert_eq!(shown.len(), 11, "5.11's supported-by-default claims: {shown:?}");
    assert!(!shown.contains(&"Username"));
    let role = fields.iter().find(|f| f.meta.uri == claims::ROLE).unwrap();
    assert_eq!(role.value.as_deref(), Some("Internal/everyone"));
}

#[test]
fn read_only_claims_are_an_admins_to_write_and_computed_ones_nobodys() {
    // carbon-kernel's user core stores a `ReadOnly` claim for any client; the flag only shapes the profile UI.
    let app = with_tom();
    let sys = Actor::System;
    let department = "http://wso2.org/claims/department";
    app.set_claims(&sys, "tom", "default", &[(department.into(), "Sales".into())])
        .unwrap();
    assert_eq!(
        app.claim_value(&sys, "tom", department, "").unwrap().as_deref(),
        Some("Sales")
    );
    let tom = app.authenticate("tom", &secret("Abcd@123")).unwrap();
    assert_eq!(
        app.set_claims(&tom, "tom", "default", &[(department.into(), "Board".into())]),
        Err(DomainError::ReadOnlyClaim(department.into()))
    );
    assert_eq!(
        app.claim_value(&sys, "tom", department, "").unwrap().as_deref(),
        Some("Sales"),
        "a refused write changes nothing"
    );
    assert_eq!(
        app.set_claims(&sys, "tom", "default", &[(claims::ROLE.into(), "admin".into())]),
        Err(DomainError::ReadOnlyClaim(claims::ROLE.into()))
    );
}
