//! RemoteUserStoreManagerService use cases beyond the basics: credentials, ids, roles, claims and profiles.

use super::*;
use crate::app::users::matches_filter;

fn app() -> App {
    App::for_tests()
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
    assert_eq!(
        uris,
        [
            claims::USERNAME,
            claims::GIVEN_NAME,
            claims::EMAIL,
            claims::LAST_PASSWORD_UPDATE_TIME
        ],
        "display order"
    );
    assert_eq!(listed[2].0.display_name, "Email");
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
fn ids_tenants_and_profiles() {
    let app = with_tom();
    let sys = Actor::System;
    assert!(app.user_id(&sys, "tom").unwrap() > app.user_id(&sys, "admin").unwrap());
    assert_eq!(
        app.user_id(&sys, "ghost"),
        Err(DomainError::UserNotFound("ghost".into()))
    );
    assert_eq!(app.tenant_id_of_user(&sys, "tom").unwrap(), SUPER_TENANT_ID);
    assert_eq!(
        app.tenant_id_of_user(&sys, "bob@carbon.super").unwrap(),
        SUPER_TENANT_ID
    );
    assert_eq!(app.tenant_id_of_user(&sys, "bob@other.com").unwrap(), INVALID_TENANT_ID);
    assert_eq!(app.password_expiration_time(&sys, "tom").unwrap(), None);
    assert_eq!(
        app.password_expiration_time(&sys, "ghost"),
        Err(DomainError::UserNotFound("ghost".into()))
    );
    app.set_claims(&sys, "tom", "work", &[(claims::GIVEN_NAME.into(), "Tom".into())])
        .unwrap();
    assert_eq!(app.profile_names_of_user(&sys, "tom").unwrap(), ["default", "work"]);
    assert_eq!(app.profile_names_of_user(&sys, "admin").unwrap(), ["default"]);
    assert_eq!(app.all_profile_names(&sys).unwrap(), ["default", "work"]);
}
