//! Use-case tests over an in-memory store with a fixed clock.

use super::*;

fn app() -> App {
    let app = App::new(
        Config::defaults(),
        Store::open_in_memory().unwrap(),
        Arc::new(|| 1_700_000_000_000),
    );
    app.bootstrap().unwrap();
    app
}

fn secret(s: &str) -> Secret {
    Secret::new(s)
}

#[test]
fn bootstrap_creates_the_admin_role_user_and_claims_once() {
    let app = App::new(Config::defaults(), Store::open_in_memory().unwrap(), system_clock());
    let first = app.bootstrap().unwrap();
    assert!(first.admin_role_created && first.admin_user_created);
    assert!(first.claims_added >= 10);
    assert_eq!(app.bootstrap().unwrap(), BootstrapReport::default(), "idempotent");
    let admin = app.authenticate("admin", &secret("admin")).unwrap();
    assert!(admin.has("/permission/admin/manage/identity/governance/update"));
    let otp = app
        .claim_metas()
        .unwrap()
        .into_iter()
        .find(|m| m.uri == claims::ONE_TIME_PASSWORD)
        .unwrap();
    assert!(!otp.supported_by_default, "the seed turns it on by hand");
    let email = app
        .claim_metas()
        .unwrap()
        .into_iter()
        .find(|m| m.uri == claims::EMAIL)
        .unwrap();
    assert!(email.supported_by_default);
    assert_eq!(email.display_name, "Email");
}

#[test]
fn no_admin_account_when_create_admin_account_is_false() {
    let mut config = Config::defaults();
    config.super_admin.create_admin_account = false;
    let app = App::new(config, Store::open_in_memory().unwrap(), system_clock());
    assert!(!app.bootstrap().unwrap().admin_user_created);
    assert_eq!(
        app.authenticate("admin", &secret("admin")),
        Err(DomainError::InvalidCredentials)
    );
}

#[test]
fn authentication_does_not_tell_unknown_users_from_wrong_passwords() {
    let app = app();
    assert_eq!(
        app.authenticate("admin", &secret("wrong")),
        Err(DomainError::InvalidCredentials)
    );
    assert_eq!(
        app.authenticate("nobody", &secret("admin")),
        Err(DomainError::InvalidCredentials)
    );
    assert!(app.authenticate("PRIMARY/admin", &secret("admin")).is_ok());
}

#[test]
fn users_are_added_with_policy_roles_and_claims() {
    let app = app();
    let sys = Actor::System;
    app.add_role(&sys, "loginrole", &["/permission/admin/login".into()], &[])
        .unwrap();
    let claims = vec![(claims::EMAIL.to_string(), "tom@example.com".to_string())];
    app.add_user(
        &sys,
        "tom",
        &secret("Abcd@123"),
        &["loginrole".into()],
        &claims,
        "default",
    )
    .unwrap();
    let view = app.user_view(&sys, "tom", "default").unwrap();
    assert_eq!(view.roles, ["loginrole"]);
    assert!(view.claims.contains(&(claims::EMAIL.into(), "tom@example.com".into())));
    assert!(
        view.claims
            .iter()
            .any(|(u, v)| u == claims::LAST_PASSWORD_UPDATE_TIME && v == "1700000000000")
    );
    let tom = app.authenticate("tom", &secret("Abcd@123")).unwrap();
    assert!(tom.has(permissions::LOGIN));
    assert!(!tom.has(permissions::GOVERNANCE_VIEW));

    assert_eq!(
        app.add_user(&sys, "tom", &secret("Abcd@123"), &[], &[], ""),
        Err(DomainError::UserExists("tom".into()))
    );
    assert!(matches!(
        app.add_user(&sys, "bob", &secret("abc"), &[], &[], ""),
        Err(DomainError::PasswordPolicy(_))
    ));
    assert!(matches!(
        app.add_user(&sys, "b", &secret("Abcd@123"), &[], &[], ""),
        Err(DomainError::UsernamePolicy { .. })
    ));
    assert_eq!(
        app.add_user(&sys, "bob", &secret("Abcd@123"), &["ghost".into()], &[], ""),
        Err(DomainError::RoleNotFound("ghost".into()))
    );
    assert!(
        !app.user_exists(&sys, "bob").unwrap(),
        "a failed add leaves nothing behind"
    );
    let bad_email = vec![(claims::EMAIL.to_string(), "not an email".to_string())];
    assert!(matches!(
        app.add_user(&sys, "bob", &secret("Abcd@123"), &[], &bad_email, ""),
        Err(DomainError::InvalidInput(_))
    ));
    assert!(!app.user_exists(&sys, "bob").unwrap());
}

#[test]
fn permissions_are_checked_and_inherited() {
    let app = app();
    let sys = Actor::System;
    app.add_role(
        &sys,
        "viewers",
        &["/permission/admin/manage/identity/usermgt/view".into()],
        &[],
    )
    .unwrap();
    app.add_user(&sys, "vic", &secret("Abcd@123"), &["viewers".into()], &[], "")
        .unwrap();
    let vic = app.authenticate("vic", &secret("Abcd@123")).unwrap();
    assert!(app.user_exists(&vic, "admin").unwrap());
    assert_eq!(app.delete_user(&vic, "admin"), Err(DomainError::AccessDenied));
    assert_eq!(app.add_role(&vic, "x", &[], &[]), Err(DomainError::AccessDenied));
    assert_eq!(app.delete_user(&sys, "admin"), Err(DomainError::CannotDeleteAdmin));
    assert!(matches!(
        app.add_role(&sys, "bad", &["/nope".into()], &[]),
        Err(DomainError::InvalidInput(_))
    ));
    assert_eq!(app.role_names(&sys).unwrap(), ["admin", "viewers", EVERYONE_ROLE]);
}

#[test]
fn users_may_edit_their_own_ordinary_claims_but_not_identity_claims() {
    let app = app();
    let sys = Actor::System;
    app.add_user(&sys, "tom", &secret("Abcd@123"), &[], &[], "").unwrap();
    let tom = app.authenticate("tom", &secret("Abcd@123")).unwrap();
    app.set_claims(&tom, "tom", "default", &[(claims::GIVEN_NAME.into(), "Tom".into())])
        .unwrap();
    assert_eq!(
        app.claim_value(&tom, "tom", claims::GIVEN_NAME, "").unwrap().as_deref(),
        Some("Tom")
    );
    assert_eq!(
        app.set_claims(
            &tom,
            "tom",
            "default",
            &[(claims::ACCOUNT_LOCKED.into(), "false".into())]
        ),
        Err(DomainError::ReadOnlyClaim(claims::ACCOUNT_LOCKED.into()))
    );
    assert_eq!(
        app.set_claims(&tom, "admin", "default", &[(claims::GIVEN_NAME.into(), "x".into())]),
        Err(DomainError::AccessDenied)
    );
    assert_eq!(
        app.set_claims(
            &sys,
            "tom",
            "default",
            &[("http://wso2.org/claims/nope".into(), "x".into())]
        ),
        Err(DomainError::UnknownClaim("http://wso2.org/claims/nope".into()))
    );
}

#[test]
fn admin_password_change_follows_policy_and_takes_effect() {
    let app = app();
    let sys = Actor::System;
    app.add_user(&sys, "tom", &secret("Abcd@123"), &[], &[], "").unwrap();
    assert!(matches!(
        app.set_password_by_admin(&sys, "tom", &secret("x")),
        Err(DomainError::PasswordPolicy(_))
    ));
    app.set_password_by_admin(&sys, "tom", &secret("New@1234")).unwrap();
    assert!(app.authenticate("tom", &secret("Abcd@123")).is_err());
    assert!(app.authenticate("tom", &secret("New@1234")).is_ok());
    assert_eq!(
        app.set_password_by_admin(&sys, "ghost", &secret("New@1234")),
        Err(DomainError::UserNotFound("ghost".into()))
    );
}
