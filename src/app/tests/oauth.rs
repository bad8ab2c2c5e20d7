//! The OAuth use cases: registration, the grants, introspection, revocation, and what a forced reset does to a
//! user's tokens.

use super::*;
use crate::app::{AppSpec, ClientAuth, Grant, OAuthFailure};
use crate::domain::oauth::{ErrorKind, OAuthError};
use crate::store::TenantId;

fn registered(app: &App, grants: &[&str]) -> (String, Secret) {
    let r = app
        .register_app(
            &Actor::System,
            AppSpec {
                name: Some("shop".into()),
                redirect_uris: vec!["https://shop.example/cb".into()],
                grant_types: grants.iter().map(|g| g.to_string()).collect(),
                ..AppSpec::default()
            },
        )
        .unwrap();
    (r.app.client_id, r.secret)
}

fn client(id: &str, secret: &Secret) -> ClientAuth {
    ClientAuth {
        client_id: id.to_string(),
        secret: Some(secret.clone()),
    }
}

fn password(user: &str, pw: &str) -> Grant {
    Grant::Password {
        username: user.into(),
        password: secret(pw),
    }
}

fn refused(r: Result<impl std::fmt::Debug, OAuthFailure>) -> OAuthError {
    match r {
        Err(OAuthFailure::Refused(e)) => e,
        other => panic!("expected an OAuth error, got {other:?}"),
    }
}

#[test]
#[allow(clippy::disallowed_methods)] // what is stored is the point
fn registration_keeps_only_a_hash_of_the_secret_and_refuses_wso2s_bad_inputs() {
    let app = app();
    let (id, secret) = registered(&app, &[]);
    assert_eq!(id.len(), 28);
    assert!(id.ends_with('a'));
    assert_eq!(secret.expose().len(), 28, "5.11: an HMAC-SHA1-sized secret");
    let stored = app
        .store_for_tests()
        .read(TenantId::SUPER, |tx| tx.app(&id))
        .unwrap()
        .unwrap();
    assert_ne!(stored.secret_hash, secret.expose().as_bytes());
    assert!(!format!("{stored:?}").contains(secret.expose()));
    let dup = refused(app.register_app(
        &Actor::System,
        AppSpec {
            name: Some("shop".into()),
            ..AppSpec::default()
        },
    ));
    assert_eq!(dup.kind, ErrorKind::InvalidClientMetadata);
    assert_eq!(
        dup.description,
        "Application with the name shop already exist in the system"
    );
    let bad_uri = refused(app.register_app(
        &Actor::System,
        AppSpec {
            name: Some("other".into()),
            redirect_uris: vec!["not a uri".into()],
            ..AppSpec::default()
        },
    ));
    assert_eq!(bad_uri.kind, ErrorKind::InvalidRedirectUri);
    let code_without_uri = refused(app.register_app(
        &Actor::System,
        AppSpec {
            name: Some("other".into()),
            grant_types: vec!["authorization_code".into()],
            ..AppSpec::default()
        },
    ));
    assert!(
        code_without_uri
            .description
            .starts_with("RedirectUris property must have")
    );
    // 5.11 fails a nameless registration with a bare 500; 7.0+ says why.
    assert_eq!(
        app.register_app(&Actor::System, AppSpec::default()).unwrap_err(),
        OAuthFailure::Broken
    );
    let app70 = App::for_tests_with(config_of(Wso2Version::V7_0));
    let nameless = refused(app70.register_app(&Actor::System, AppSpec::default()));
    assert_eq!(nameless.description, "The client name is missing or empty.");
    let (_, secret70) = registered(&app70, &[]);
    assert_eq!(secret70.expose().len(), 44, "7.x: an HMAC-SHA256-sized secret");
    // Several redirect URIs become WSO2's one regexp= callback.
    let r = app
        .register_app(
            &Actor::System,
            AppSpec {
                name: Some("two".into()),
                redirect_uris: vec!["https://a/cb".into(), "https://b/cb".into()],
                ..AppSpec::default()
            },
        )
        .unwrap();
    assert_eq!(r.app.callback, "regexp=(https://a/cb|https://b/cb)");
    let nobody = Actor::User {
        tenant: TenantId::SUPER,
        name: "eve".into(),
        permissions: vec![permissions::LOGIN.into()],
    };
    assert_eq!(
        app.register_app(&nobody, AppSpec::default()).unwrap_err(),
        OAuthFailure::Domain(DomainError::AccessDenied)
    );
    app.delete_app(&Actor::System, &id).unwrap();
    assert_eq!(
        app.application(&Actor::System, &id).unwrap_err(),
        OAuthFailure::NoSuchApp
    );
}

#[test]
fn client_authentication_refuses_wrong_and_unknown_clients_per_release() {
    let app = app();
    let (id, secret) = registered(&app, &[]);
    let wrong = refused(app.token(&client(&id, &Secret::new("nope")), Grant::ClientCredentials, None));
    assert_eq!(
        (wrong.kind, wrong.description.as_str()),
        (ErrorKind::InvalidClient, "Client credentials are invalid.")
    );
    let unknown = refused(app.token(&client("zzz", &secret), Grant::ClientCredentials, None));
    assert_eq!(
        unknown.description,
        "A valid OAuth client could not be found for client_id: zzz"
    );
    let app72 = App::for_tests_with(config_of(Wso2Version::V7_2));
    let unknown = refused(app72.token(&client("zzz", &secret), Grant::ClientCredentials, None));
    assert_eq!(unknown.description, "Client credentials are invalid.");
    // A grant the application was not registered for.
    let (app, _) = reset_app(&[], 60);
    let (id, secret) = registered(&app, &["client_credentials"]);
    let e = refused(app.token(&client(&id, &secret), password("tom", "Abcd@123"), None));
    assert_eq!(e.kind, ErrorKind::UnauthorizedClient);
}

#[test]
fn the_password_grant_issues_rotating_refresh_tokens_and_introspection_sees_them() {
    let (app, now) = reset_app(&[], 60);
    let (id, secret) = registered(&app, &[]);
    let c = client(&id, &secret);
    let issued = app
        .token(&c, password("tom", "Abcd@123"), Some("openid profile openid"))
        .unwrap();
    assert_eq!(issued.scope, "openid profile");
    assert_eq!(issued.expires_in_s, 3600);
    let at = issued.access_token.clone();
    let seen = app.introspect(&Actor::System, &at, false).unwrap().unwrap();
    assert_eq!(seen.username, "tom@carbon.super");
    assert_eq!(seen.client_id, id);
    let rt = issued.refresh_token.unwrap();
    now.fetch_add(1000, Ordering::SeqCst);
    let rotated = app
        .token(
            &c,
            Grant::RefreshToken {
                refresh_token: rt.clone(),
            },
            None,
        )
        .unwrap();
    assert_ne!(rotated.access_token, at);
    assert!(
        app.introspect(&Actor::System, &at, false).unwrap().is_none(),
        "the old pair is gone"
    );
    let again = refused(app.token(&c, Grant::RefreshToken { refresh_token: rt }, None));
    assert_eq!(again.description, "Invalid refresh token state");
    let unknown = refused(app.token(
        &c,
        Grant::RefreshToken {
            refresh_token: secret.clone(),
        },
        None,
    ));
    assert_eq!(unknown.description, "Persisted access token data not found");
    // Client credentials: no refresh token, and never openid.
    let own = app.token(&c, Grant::ClientCredentials, Some("openid x")).unwrap();
    assert!(own.refresh_token.is_none());
    assert_eq!(own.scope, "x");
    let seen = app
        .introspect(&Actor::System, &own.access_token, false)
        .unwrap()
        .unwrap();
    assert!(seen.application);
    assert_eq!(seen.username, "system@carbon.super");
    // Expiry.
    now.fetch_add(3_601_000, Ordering::SeqCst);
    assert!(
        app.introspect(&Actor::System, &own.access_token, false)
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_forced_reset_kills_the_users_tokens_and_the_grant_answers_as_the_release_does() {
    let (app, now) = reset_app(&[gov::OTP], 60);
    let (id, secret) = registered(&app, &[]);
    let c = client(&id, &secret);
    let issued = app.token(&c, password("tom", "Abcd@123"), None).unwrap();
    let bobs = app.token(&c, password("bob", "Bob@1234"), None).unwrap();
    now.fetch_add(1000, Ordering::SeqCst);
    app.force_reset(&Actor::System, "tom").unwrap();
    now.fetch_add(1000, Ordering::SeqCst);
    assert!(
        app.introspect(&Actor::System, &issued.access_token, false)
            .unwrap()
            .is_none()
    );
    let e = refused(app.token(
        &c,
        Grant::RefreshToken {
            refresh_token: issued.refresh_token.unwrap(),
        },
        None,
    ));
    assert_eq!(e.description, "Invalid refresh token state");
    assert!(
        app.introspect(&Actor::System, &bobs.access_token, false)
            .unwrap()
            .is_some(),
        "only tom's"
    );
    let e = refused(app.token(&c, password("tom", "Abcd@123"), None));
    assert_eq!(
        (e.kind, e.description.as_str()),
        (
            ErrorKind::InvalidGrant,
            "Error when handling event : PRE_AUTHENTICATION"
        )
    );
    let e = refused(app.token(&c, password("bob", "wrong"), None));
    assert_eq!(e.description, "Authentication failed for bob");
}

#[test]
fn revocation_takes_the_pair_and_only_the_clients_own() {
    let (app, _) = reset_app(&[], 60);
    let (id, secret) = registered(&app, &[]);
    let c = client(&id, &secret);
    let issued = app.token(&c, password("tom", "Abcd@123"), None).unwrap();
    let other = app
        .register_app(
            &Actor::System,
            AppSpec {
                name: Some("other".into()),
                ..AppSpec::default()
            },
        )
        .unwrap();
    let oc = client(&other.app.client_id, &other.secret);
    let e = refused(app.revoke(&oc, &issued.access_token, false));
    assert_eq!(e.kind, ErrorKind::UnauthorizedClient);
    let rt = issued.refresh_token.clone().unwrap();
    let revoked = app.revoke(&c, &rt, true).unwrap().unwrap();
    assert_eq!(revoked.user, "tom@carbon.super");
    assert!(
        app.introspect(&Actor::System, &issued.access_token, false)
            .unwrap()
            .is_none()
    );
    assert_eq!(app.revoke(&c, &rt, true).unwrap(), None, "twice is no error");
    let bad = refused(app.revoke(&client(&id, &Secret::new("x")), &rt, true));
    assert_eq!(bad.description, "Client Authentication failed.");
}
