//! Tenant management use cases: what a new tenant starts with, the refusals in MT's order with each release's
//! words, and who may manage tenants.

use super::*;
use crate::config::Config;
use crate::domain::profile::Wso2Version;
use crate::store::Store;

fn app_of(version: Wso2Version) -> App {
    let mut config = Config::defaults();
    config.emulator.wso2_version = version;
    let app = App::new(config, Store::open_in_memory().unwrap(), super::super::system_clock());
    app.bootstrap().unwrap();
    app
}

fn spec(domain: &str) -> TenantSpec {
    TenantSpec {
        domain: domain.into(),
        admin: "kim".into(),
        password: Secret::new("Kim@12345"),
        email: "kim@abc.com".into(),
        first_name: "Kim".into(),
        last_name: "Lee".into(),
    }
}

#[test]
fn a_new_tenant_starts_as_a_fresh_super_tenant_does_with_its_own_admin() {
    let app = app_of(Wso2Version::DEFAULT);
    let made = app.add_tenant(&Actor::System, &spec("abc.com")).unwrap();
    assert_eq!((made.id.get(), made.domain.as_str(), made.active), (1, "abc.com", true));
    assert_eq!(made.admin, "kim");

    let store = &app.store;
    let dialect = |t| store.read(t, |tx| tx.claim_metas()).unwrap().to_vec();
    assert_eq!(dialect(made.id), dialect(TenantId::SUPER), "the release's dialect");
    let templates = |t| store.read(t, |tx| tx.all_templates()).unwrap().len();
    assert!(templates(made.id) > 0);
    assert_eq!(templates(made.id), templates(TenantId::SUPER), "the default templates");
    assert!(
        store.read(made.id, |tx| tx.governance_properties()).unwrap().is_empty(),
        "governance comes from deployment.toml until the tenant changes it"
    );

    // The admin lives in the tenant only, with the tenant's admin tree and the claims addTenant sets.
    let kim = store
        .read(made.id, |tx| tx.user_and_permissions("kim"))
        .unwrap()
        .unwrap();
    assert_eq!(kim.permissions, [permissions::TENANT_ADMIN]);
    assert!(store.read(TenantId::SUPER, |tx| tx.user("kim")).unwrap().is_none());
    let claim = |uri| {
        store
            .read(made.id, |tx| tx.claim_value("kim", DEFAULT_PROFILE, uri))
            .unwrap()
    };
    assert_eq!(claim(claims::GIVEN_NAME).as_deref(), Some("Kim"));
    assert_eq!(claim(claims::LAST_NAME).as_deref(), Some("Lee"));
    assert_eq!(claim(claims::EMAIL).as_deref(), Some("kim@abc.com"));
    let hash = store.read(made.id, |tx| tx.user("kim")).unwrap().unwrap().password_hash;
    assert!(hash.starts_with("$argon2id$") && !hash.contains("Kim@12345"));

    // Audited where each thing happened.
    let actions = |t| {
        store
            .read(t, |tx| tx.audit_page(0, 10))
            .unwrap()
            .into_iter()
            .map(|a| (a.action, a.target))
            .collect::<Vec<_>>()
    };
    assert_eq!(actions(made.id), [("user.add".to_string(), "kim".to_string())]);
    assert_eq!(
        actions(TenantId::SUPER)[0],
        ("tenant.add".to_string(), "abc.com".to_string())
    );

    // Found by domain (any case) and by unique id; listed after carbon.super.
    assert_eq!(app.find_tenant(&Actor::System, "ABC.com").unwrap(), Some(made.clone()));
    assert_eq!(app.tenant_by_uuid(&Actor::System, &made.uuid).unwrap(), made);
    let (all, total) = app.list_tenants(&Actor::System, 0, 10).unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        all.iter().map(|t| t.domain.as_str()).collect::<Vec<_>>(),
        ["abc.com", "carbon.super"]
    );
}

#[test]
fn refusals_come_in_mt_order_with_the_release_s_words() {
    for (version, taken) in [
        (Wso2Version::V5_10, "Domain is not available to register"),
        (
            Wso2Version::V5_11,
            "A tenant with same domain abc.com already exist. Please use a different domain name.",
        ),
    ] {
        let app = app_of(version);
        let texts = app.profile().tenancy.texts;
        let refuse = |s: TenantSpec| app.add_tenant(&Actor::System, &s).unwrap_err();
        // The e-mail is checked before the domain (MT `registerTenant`).
        let bad_both = TenantSpec {
            email: "kim@abc".into(),
            ..spec(".abc.com")
        };
        assert_eq!(refuse(bad_both), TenantRefusal::InvalidEmail);
        assert_eq!(
            refuse(spec(".abc.com")),
            TenantRefusal::InvalidDomain(DomainRefusal::StartsWithDot)
        );
        assert!(matches!(refuse(spec("ABC.com")), TenantRefusal::InvalidDomain(_)));
        assert_eq!(
            refuse(spec("carbon.super")),
            TenantRefusal::DomainTaken("carbon.super".into())
        );
        app.add_tenant(&Actor::System, &spec("abc.com")).unwrap();
        let again = refuse(spec("abc.com"));
        assert_eq!(again.message(texts), taken, "{version:?}");
        let weak = TenantSpec {
            password: Secret::new("x"),
            ..spec("weak.com")
        };
        assert!(matches!(
            refuse(weak),
            TenantRefusal::Domain(DomainError::PasswordPolicy(_))
        ));
        let nameless = TenantSpec {
            admin: " ".into(),
            ..spec("nameless.com")
        };
        assert_eq!(refuse(nameless), TenantRefusal::Missing("username"));
        // A refused tenant left nothing behind.
        assert_eq!(app.list_tenants(&Actor::System, 0, 10).unwrap().1, 2, "{version:?}");
    }
}

#[test]
fn only_a_super_tenant_actor_with_the_permission_manages_tenants() {
    let app = app_of(Wso2Version::DEFAULT);
    let made = app.add_tenant(&Actor::System, &spec("abc.com")).unwrap();
    let tenant_admin = Actor::User {
        tenant: made.id,
        name: "kim".into(),
        permissions: vec![permissions::ROOT.into()],
    };
    let denied = TenantRefusal::Domain(DomainError::AccessDenied);
    assert_eq!(app.add_tenant(&tenant_admin, &spec("b.com")).unwrap_err(), denied);
    assert_eq!(app.list_tenants(&tenant_admin, 0, 10).unwrap_err(), denied);
    assert_eq!(
        app.set_tenant_active(&tenant_admin, "abc.com", false).unwrap_err(),
        denied
    );
    let reader = Actor::User {
        tenant: TenantId::SUPER,
        name: "bob".into(),
        permissions: vec![permissions::TENANTS_LIST.into()],
    };
    assert!(app.list_tenants(&reader, 0, 10).is_ok());
    assert_eq!(app.set_tenant_active(&reader, "abc.com", false).unwrap_err(), denied);
    assert_eq!(app.add_tenant(&reader, &spec("b.com")).unwrap_err(), denied);
}

#[test]
fn tenants_are_deactivated_and_activated_by_domain_but_never_the_super_tenant() {
    let app = app_of(Wso2Version::DEFAULT);
    app.add_tenant(&Actor::System, &spec("abc.com")).unwrap();
    let off = app.set_tenant_active(&Actor::System, "abc.com", false).unwrap();
    assert!(!off.active);
    assert!(!app.find_tenant(&Actor::System, "abc.com").unwrap().unwrap().active);
    assert!(app.set_tenant_active(&Actor::System, "abc.com", true).unwrap().active);
    assert_eq!(
        app.set_tenant_active(&Actor::System, "nope.com", true).unwrap_err(),
        TenantRefusal::UnknownDomain("nope.com".into())
    );
    assert!(matches!(
        app.set_tenant_active(&Actor::System, "carbon.super", false)
            .unwrap_err(),
        TenantRefusal::Domain(DomainError::InvalidInput(_))
    ));
    let log = app.store.read(TenantId::SUPER, |tx| tx.audit_page(0, 3)).unwrap();
    assert_eq!(log[0].action, "tenant.activate");
    assert_eq!(log[1].action, "tenant.deactivate");
}
