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

/// Two tenants with the same admin and a user `tom` each, with different passwords, and a super-tenant `tom`.
fn two_tenants() -> (App, TenantRecord, TenantRecord) {
    let app = app_of(Wso2Version::DEFAULT);
    let a = app.add_tenant(&Actor::System, &spec("a.com")).unwrap();
    let b = app.add_tenant(&Actor::System, &spec("b.com")).unwrap();
    for (admin, password) in [
        ("kim@a.com", "A-tom@123"),
        ("kim@b.com", "B-tom@123"),
        ("admin", "S-tom@123"),
    ] {
        let who = if admin == "admin" { "admin" } else { "Kim@12345" };
        let actor = app.authenticate(admin, &Secret::new(who)).unwrap();
        app.add_user(&actor, "tom", &Secret::new(password), &[], &[], DEFAULT_PROFILE)
            .unwrap();
    }
    (app, a, b)
}

#[test]
fn the_same_name_in_two_tenants_is_two_users_each_signing_in_with_their_own_password() {
    let (app, a, b) = two_tenants();
    let who = |name: &str, password: &str| {
        app.authenticate(name, &Secret::new(password))
            .map(|actor| actor.tenant())
    };
    assert_eq!(who("tom@a.com", "A-tom@123"), Ok(a.id));
    assert_eq!(who("tom@b.com", "B-tom@123"), Ok(b.id));
    assert_eq!(who("tom", "S-tom@123"), Ok(TenantId::SUPER));
    assert_eq!(who("tom@carbon.super", "S-tom@123"), Ok(TenantId::SUPER));
    assert_eq!(who("TOM@A.COM", "A-tom@123"), Ok(a.id), "domains and names fold case");
    for (name, password) in [
        ("tom@a.com", "B-tom@123"),
        ("tom@b.com", "A-tom@123"),
        ("tom", "A-tom@123"),
    ] {
        assert_eq!(
            who(name, password),
            Err(DomainError::InvalidCredentials),
            "{name} with another's password"
        );
    }
    // A name whose domain is no tenant is a super-tenant (e-mail) name.
    assert_eq!(
        who("tom@nowhere.com", "S-tom@123"),
        Err(DomainError::InvalidCredentials)
    );
    let admin = app.authenticate("admin", &Secret::new("admin")).unwrap();
    app.add_user(
        &admin,
        "ann@gmail.com",
        &Secret::new("Ann@12345"),
        &[],
        &[],
        DEFAULT_PROFILE,
    )
    .unwrap();
    assert_eq!(who("ann@gmail.com", "Ann@12345"), Ok(TenantId::SUPER));

    // What a tenant admin does stays in the tenant.
    let kim_a = app.authenticate("kim@a.com", &Secret::new("Kim@12345")).unwrap();
    app.delete_user(&kim_a, "tom").unwrap();
    assert_eq!(who("tom@a.com", "A-tom@123"), Err(DomainError::InvalidCredentials));
    assert_eq!(who("tom@b.com", "B-tom@123"), Ok(b.id));
    assert_eq!(who("tom", "S-tom@123"), Ok(TenantId::SUPER));
}

#[test]
fn a_session_belongs_to_its_tenant_and_ends_with_its_deactivation() {
    let (app, a, b) = two_tenants();
    let actor_of = |token: &crate::app::SessionToken| {
        app.session(token.as_str())
            .and_then(|s| app.session_actor(&s).unwrap())
            .map(|actor| actor.tenant())
    };
    let in_a = app.open_session(a.id, "tom");
    let in_b = app.open_session(b.id, "tom");
    assert_eq!(actor_of(&in_a), Some(a.id));
    assert_eq!(actor_of(&in_b), Some(b.id));

    // A's admin resets A's tom: A's sessions end, B's do not.
    let kim_a = app.authenticate("kim@a.com", &Secret::new("Kim@12345")).unwrap();
    app.set_password_by_admin(&kim_a, "tom", &Secret::new("New-tom@123"))
        .unwrap();
    assert_eq!(actor_of(&in_a), None);
    assert_eq!(actor_of(&in_b), Some(b.id));

    // Deactivating B ends its logins and its live sessions at once; activating it lets logins back in.
    let kim_b = app.open_session(b.id, "kim");
    app.set_tenant_active(&Actor::System, "b.com", false).unwrap();
    assert_eq!(actor_of(&in_b), None);
    assert_eq!(actor_of(&kim_b), None);
    assert_eq!(
        app.authenticate("tom@b.com", &Secret::new("B-tom@123")).unwrap_err(),
        DomainError::InvalidCredentials
    );
    app.set_tenant_active(&Actor::System, "b.com", true).unwrap();
    assert!(app.authenticate("tom@b.com", &Secret::new("B-tom@123")).is_ok());
}

#[test]
fn a_tenant_page_leaves_out_the_super_tenant_matches_domains_and_names_each_owner() {
    use crate::store::{DomainMatch, TenantPage};
    let app = app_of(Wso2Version::V7_2);
    for d in ["abc1.com", "abc2.com", "x_y.org"] {
        app.add_tenant(&Actor::System, &spec(d)).unwrap();
    }
    let page = |domain, descending, offset, limit| {
        let (rows, total) = app
            .tenant_page(
                &Actor::System,
                &TenantPage {
                    domain,
                    descending,
                    offset,
                    limit,
                },
            )
            .unwrap();
        let names: Vec<String> = rows.iter().map(|m| m.tenant.domain.clone()).collect();
        (names, total)
    };
    assert_eq!(
        page(DomainMatch::Any, false, 0, 15),
        (vec!["abc1.com".into(), "abc2.com".into(), "x_y.org".into()], 3)
    );
    assert_eq!(page(DomainMatch::Any, true, 1, 1), (vec!["abc2.com".into()], 3));
    assert_eq!(page(DomainMatch::Contains("abc"), false, 0, 15).1, 2);
    assert_eq!(
        page(DomainMatch::Contains("_"), false, 0, 15).0,
        ["x_y.org"],
        "`_` is no wildcard"
    );
    assert_eq!(page(DomainMatch::Equals("abc1.com"), false, 0, 15).0, ["abc1.com"]);
    assert_eq!(page(DomainMatch::StartsWith("abc2"), false, 0, 15).0, ["abc2.com"]);
    assert_eq!(page(DomainMatch::EndsWith(".org"), false, 0, 15).0, ["x_y.org"]);
    assert_eq!(page(DomainMatch::EndsWith("carbon.super"), false, 0, 15).1, 0);

    let one = app
        .managed_tenant(&Actor::System, TenantKey::Domain("abc1.com"))
        .unwrap();
    let kim = app.store.read(one.tenant.id, |tx| tx.user("kim")).unwrap().unwrap();
    assert_eq!(one.owner_id, Some(kim.uuid));
    let by_uuid = app
        .managed_tenant(&Actor::System, TenantKey::Uuid(&one.tenant.uuid))
        .unwrap();
    assert_eq!(by_uuid, one);
    let super_uuid = app
        .store
        .system_read(|sys| sys.tenant(TenantId::SUPER))
        .unwrap()
        .unwrap()
        .uuid;
    assert_eq!(
        app.managed_tenant(&Actor::System, TenantKey::Uuid(&super_uuid)),
        Err(TenantRefusal::UnknownId(super_uuid.clone()))
    );
    assert_eq!(
        app.managed_tenant(&Actor::System, TenantKey::Domain("nope.com")),
        Err(TenantRefusal::UnknownDomain("nope.com".into()))
    );
}
