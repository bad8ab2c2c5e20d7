//! OAuth in tenants: a client is its tenant's, the password grant signs in there, tokens, codes and consents are
//! kept there, and the issuer and the authorized user name the tenant.

use super::*;
use crate::app::{AppSpec, AuthorizationRequest, ClientAuth, Grant, OAuthFailure, TenantSpec};
use crate::config::Config;
use crate::domain::oauth::{ErrorKind, OAuthError};
use crate::store::Store;

fn app_of(version: Wso2Version) -> App {
    let mut config = Config::defaults();
    config.emulator.wso2_version = version;
    let app = App::new(config, Store::open_in_memory().unwrap(), crate::app::system_clock());
    app.bootstrap().unwrap();
    app
}

/// Tenants a.com and b.com, each with admin `kim`, a user `tom` (own password) and an app named `shop`; the
/// super tenant's `tom` too. The tenants and the two clients.
struct World {
    app: App,
    a: Tenant,
    b: Tenant,
    a_client: ClientAuth,
    b_client: ClientAuth,
}

fn world(version: Wso2Version) -> World {
    let app = app_of(version);
    let mut tenants = Vec::new();
    let mut clients = Vec::new();
    for (domain, tom) in [("a.com", "A-tom@123"), ("b.com", "B-tom@123")] {
        let made = app
            .add_tenant(
                &Actor::System,
                &TenantSpec {
                    domain: domain.into(),
                    admin: "kim".into(),
                    password: secret("Kim@12345"),
                    email: format!("kim@{domain}"),
                    first_name: "Kim".into(),
                    last_name: "Lee".into(),
                },
            )
            .unwrap();
        let kim = app
            .authenticate(&format!("kim@{domain}"), &secret("Kim@12345"))
            .unwrap();
        app.add_user(&kim, "tom", &secret(tom), &[], &[], DEFAULT_PROFILE)
            .unwrap();
        let r = app
            .register_app(
                &kim,
                AppSpec {
                    name: Some("shop".into()),
                    redirect_uris: vec!["https://shop.example/cb".into()],
                    ..AppSpec::default()
                },
            )
            .unwrap();
        tenants.push(Tenant {
            id: made.id,
            domain: made.domain,
        });
        clients.push(ClientAuth {
            client_id: r.app.client_id,
            secret: Some(r.secret),
        });
    }
    let admin = app.authenticate("admin", &secret("admin")).unwrap();
    app.add_user(&admin, "tom", &secret("S-tom@123"), &[], &[], DEFAULT_PROFILE)
        .unwrap();
    let (b_client, a_client) = (clients.remove(1), clients.remove(0));
    let (b, a) = (tenants.remove(1), tenants.remove(0));
    World {
        app,
        a,
        b,
        a_client,
        b_client,
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
fn a_tenants_token_endpoint_knows_only_its_clients_and_signs_its_users_in() {
    let w = world(Wso2Version::V7_2);
    let (app, a) = (&w.app, Some(&w.a));
    for name in ["tom@a.com", "tom", "TOM@A.COM"] {
        let issued = app.token_at(a, &w.a_client, password(name, "A-tom@123"), None);
        assert!(issued.is_ok(), "{name} on /t/a.com/: {issued:?}");
    }
    // Another tenant's name, or the super tenant's, is bad credentials here, whatever the password.
    for (name, pw) in [
        ("tom@b.com", "B-tom@123"),
        ("tom@carbon.super", "S-tom@123"),
        ("tom", "B-tom@123"),
    ] {
        let e = refused(app.token_at(a, &w.a_client, password(name, pw), None));
        assert_eq!(e.kind, ErrorKind::InvalidGrant, "{name}");
    }
    // B's client on A's endpoint is as unknown as no client; so is A's on the root endpoint in 7.x.
    let e = refused(app.token_at(a, &w.b_client, Grant::ClientCredentials, None));
    assert_eq!(e.kind, ErrorKind::InvalidClient);
    let e = refused(app.token(&w.a_client, Grant::ClientCredentials, None));
    assert_eq!(e.kind, ErrorKind::InvalidClient);
}

#[test]
fn before_7_0_the_root_endpoint_runs_a_tenants_client_in_its_tenant_and_a_bare_name_is_carbon_supers() {
    let w = world(Wso2Version::V5_11);
    let app = &w.app;
    let issued = app
        .token(&w.a_client, password("tom@a.com", "A-tom@123"), None)
        .unwrap();
    let kim = app.authenticate("kim@a.com", &secret("Kim@12345")).unwrap();
    let seen = app
        .introspect_at(&w.a, &kim, &issued.access_token, false)
        .unwrap()
        .unwrap();
    assert_eq!(seen.username, "tom@a.com");
    for (name, pw) in [("tom", "A-tom@123"), ("tom", "S-tom@123"), ("tom@b.com", "B-tom@123")] {
        let e = refused(app.token(&w.a_client, password(name, pw), None));
        assert_eq!(e.kind, ErrorKind::InvalidGrant, "{name} with {pw}");
    }
    // Under /t/b.com/ the client must still be b.com's.
    let e = refused(app.token_at(Some(&w.b), &w.a_client, Grant::ClientCredentials, None));
    assert_eq!(e.kind, ErrorKind::InvalidClient);
}

#[test]
fn tokens_are_known_only_in_their_tenant() {
    let w = world(Wso2Version::V7_2);
    let app = &w.app;
    let issued = app
        .token_at(Some(&w.a), &w.a_client, password("tom", "A-tom@123"), Some("openid"))
        .unwrap();
    let kim_a = app.authenticate("kim@a.com", &secret("Kim@12345")).unwrap();
    let kim_b = app.authenticate("kim@b.com", &secret("Kim@12345")).unwrap();
    let seen = app
        .introspect_at(&w.a, &kim_a, &issued.access_token, false)
        .unwrap()
        .unwrap();
    assert_eq!(seen.username, "tom@a.com", "the authorized user names its tenant");
    assert_eq!(
        app.introspect_at(&w.b, &kim_b, &issued.access_token, false).unwrap(),
        None,
        "A's token is nobody's at B"
    );
    assert_eq!(
        app.introspect_at(&w.b, &kim_a, &issued.access_token, false),
        Err(OAuthFailure::Domain(DomainError::AccessDenied)),
        "A's admin is not B's"
    );
    assert!(app.userinfo(&w.b, &issued.access_token).is_err());
    assert!(app.userinfo(&w.a, &issued.access_token).is_ok());
    // A refresh at B's endpoint with B's client finds nothing; revocation at B leaves A's token alive.
    let rt = issued.refresh_token.clone().unwrap();
    let e = refused(app.token_at(Some(&w.b), &w.b_client, Grant::RefreshToken { refresh_token: rt }, None));
    assert_eq!(e.kind, ErrorKind::InvalidGrant);
    assert_eq!(
        app.revoke_at(Some(&w.b), &w.b_client, &issued.access_token, false),
        Ok(None)
    );
    let revoked = app
        .revoke_at(Some(&w.a), &w.a_client, &issued.access_token, false)
        .unwrap()
        .unwrap();
    assert_eq!(revoked.user, "tom@a.com");
}

#[test]
fn the_issuer_and_discovery_name_the_tenant_where_the_release_qualifies_urls() {
    let w = world(Wso2Version::V7_2);
    let base = w.app.product_url();
    assert_eq!(w.app.issuer(&w.a), format!("{base}/t/a.com/oauth2/token"));
    assert_eq!(
        w.app.issuer(&crate::app::super_tenant()),
        format!("{base}/oauth2/token")
    );
    let doc: serde_json::Value = serde_json::from_str(&w.app.discovery(&w.a)).unwrap();
    assert_eq!(doc["issuer"], format!("{base}/t/a.com/oauth2/token"));
    assert_eq!(doc["token_endpoint"], format!("{base}/t/a.com/oauth2/token"));
    let old = world(Wso2Version::V5_11);
    let base = old.app.product_url();
    assert_eq!(
        old.app.issuer(&old.a),
        format!("{base}/oauth2/token"),
        "5.x: the resident IdP's entity id"
    );
}

#[test]
fn an_authorization_runs_in_the_urls_tenant_else_the_clients_and_wants_a_session_of_it() {
    let w = world(Wso2Version::V7_2);
    let app = &w.app;
    let request = |client: &ClientAuth| AuthorizationRequest {
        client_id: Some(client.client_id.clone()),
        response_type: Some("code".into()),
        scope: Some("openid".into()),
        ..AuthorizationRequest::default()
    };
    let pending = app.check_authorization(None, &request(&w.a_client)).unwrap();
    assert_eq!(pending.tenant, w.a, "the root URL: the client's tenant");
    let pending = app.check_authorization(Some(&w.a), &request(&w.a_client)).unwrap();
    assert_eq!(pending.tenant, w.a);
    assert!(
        matches!(
            app.check_authorization(Some(&w.b), &request(&w.a_client)),
            Err(AuthorizeRefusal::ErrorPage(_))
        ),
        "A's client is unknown at B"
    );
    let outcome = app.login_at(Some(&w.a), "tom", &secret("A-tom@123")).unwrap();
    let token = app.open_session(outcome.tenant, "tom");
    let session = app.session(token.as_str()).unwrap();
    let code = app.issue_code(&session, &pending).unwrap();
    let issued = app
        .token_at(
            Some(&w.a),
            &w.a_client,
            Grant::AuthorizationCode {
                code: code.code,
                redirect_uri: None,
                verifier: None,
            },
            None,
        )
        .unwrap();
    let id_token = issued.id_token.unwrap();
    let payload = app.signing_key().unwrap().verify(&id_token).unwrap();
    let payload: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(payload["iss"], format!("{}/t/a.com/oauth2/token", app.product_url()));
    // The super tenant's tom has a session too, but not one of a.com.
    let super_token = app.open_session(TenantId::SUPER, "tom");
    let super_session = app.session(super_token.as_str()).unwrap();
    assert!(app.issue_code(&super_session, &pending).is_err());
}
