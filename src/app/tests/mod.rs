//! Use-case tests over an in-memory store with a fixed clock: here the start-up, user and forced-reset cases;
//! [`store_manager`] the rest of RemoteUserStoreManagerService's; [`console`] the console's own.

mod console;
mod oauth;
mod oauth_tenants;
mod store_manager;

use super::*;
use crate::domain::profile::Wso2Version;
use crate::domain::secret::Secret;
use crate::domain::{DEFAULT_PROFILE, DomainError, claims, permissions};
use crate::store::MailStatus;
use crate::store::TenantId;

fn app() -> App {
    App::for_tests()
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
    let dialect = app.claim_metas(&Actor::System).unwrap();
    let otp = dialect.iter().find(|m| m.uri == claims::ONE_TIME_PASSWORD).unwrap();
    assert!(!otp.supported_by_default, "the seed turns it on by hand");
    let email = dialect.iter().find(|m| m.uri == claims::EMAIL).unwrap();
    assert!(email.supported_by_default);
    assert_eq!(email.display_name, "Email");
}

/// A config for release `version`.
fn config_of(version: crate::domain::profile::Wso2Version) -> Config {
    let mut config = Config::defaults();
    config.emulator.wso2_version = version;
    config
}

#[test]
fn every_dialect_fixture_is_wso2s_and_usable() {
    use crate::domain::profile::store::ClaimDialect;
    for (dialect, count) in [
        (ClaimDialect::Is5_9, 88),
        (ClaimDialect::Is5_10, 91),
        (ClaimDialect::Is5_11, 101),
        (ClaimDialect::Is6Approximation, 110),
    ] {
        let (claims, _) = dialects(dialect).unwrap();
        assert_eq!(claims.len(), count, "{dialect:?}");
        let get = |uri: &str| {
            claims
                .iter()
                .find(|m| m.uri == uri)
                .unwrap_or_else(|| panic!("{dialect:?} lacks {uri}"))
        };
        // What the code relies on, and WSO2's flags for it (claim-config.xml; versions.md §5).
        for uri in [
            claims::ONE_TIME_PASSWORD,
            claims::LOCKED_REASON,
            claims::ADMIN_FORCED_PASSWORD_RESET,
            claims::FAILED_LOGIN_ATTEMPTS,
            claims::UNLOCK_TIME,
            claims::LAST_PASSWORD_UPDATE_TIME,
            claims::ACCOUNT_LOCKED,
        ] {
            let m = get(uri);
            assert!(!m.supported_by_default && !m.read_only, "{uri}");
        }
        let username = get(claims::USERNAME);
        assert!(!username.supported_by_default && !username.read_only);
        assert!(get(claims::ACCOUNT_STATE).read_only);
        assert!(get(claims::EMAIL).regex.ends_with("([a-zA-Z0-9]{2,4})+$"));
        assert_eq!(get(claims::LAST_NAME).display_name, "Last Name");
        for m in &claims {
            assert!(regex::Regex::new(&m.regex).is_ok(), "{}: {}", m.uri, m.regex);
            assert_eq!(claims.iter().filter(|o| o.uri == m.uri).count(), 1, "{}", m.uri);
        }
    }
}

#[test]
fn each_release_starts_with_its_dialect_and_a_switch_keeps_edits() {
    use crate::domain::profile::Wso2Version;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("forcereset.db");
    let open = |version| App::new(config_of(version), Store::open(&db).unwrap(), system_clock());

    let first = open(Wso2Version::V5_9).bootstrap().unwrap();
    assert_eq!((first.claims_added, first.claims_updated), (88, 0));
    let app = open(Wso2Version::V5_11);
    // An admin's edit of a claim both releases have.
    let mut country = app
        .claim_meta_of(&Actor::System, "http://wso2.org/claims/country")
        .unwrap();
    country.display_name = "Land".into();
    app.update_claim_metadata(&Actor::System, &country).unwrap();
    let report = app.bootstrap().unwrap();
    assert_eq!(
        (report.claims_added, report.claims_updated),
        (101 - 88 + 1, 0),
        "5.9's lastLoginTime moved"
    );

    // 6.x: unedited claims take its definitions, the edited one stays, 5.x-only claims stay.
    let app = open(Wso2Version::V6_0);
    let report = app.bootstrap().unwrap();
    assert_eq!(report.claims_added, 9);
    assert!(report.claims_updated >= 5, "{report:?}");
    let meta = |uri: &str| app.claim_meta_of(&Actor::System, uri).unwrap();
    assert!(!meta("http://wso2.org/claims/organization").supported_by_default);
    assert_eq!(meta(claims::ROLE).display_name, "Roles and groups");
    assert_eq!(meta("http://wso2.org/claims/country").display_name, "Land");
    assert!(
        app.claim_meta_of(&Actor::System, "http://wso2.org/claims/lastLoginTime")
            .is_ok()
    );
    assert_eq!(app.bootstrap().unwrap().claims_updated, 0, "idempotent");
}

#[test]
#[allow(clippy::disallowed_methods)] // the earlier forcereset's dialect is written straight into the store
fn a_store_seeded_by_an_earlier_forcereset_takes_wso2s_definitions_where_unedited() {
    let app = App::new(Config::defaults(), Store::open_in_memory().unwrap(), system_clock());
    let legacy = parse_dialect("legacy.toml", LEGACY_DIALECT).unwrap();
    app.store_for_tests()
        .write::<_, crate::store::StoreError>(TenantId::SUPER, |tx| {
            for m in &legacy {
                tx.insert_claim_meta_if_absent(m)?;
            }
            Ok(())
        })
        .unwrap();
    let mut title = app
        .claim_meta_of(&Actor::System, "http://wso2.org/claims/title")
        .unwrap();
    title.description = "What they do".into();
    app.update_claim_metadata(&Actor::System, &title).unwrap();

    let report = app.bootstrap().unwrap();
    assert_eq!(report.claims_added, 101 - legacy.len());
    let (wso2, _) = dialects(crate::domain::profile::store::ClaimDialect::Is5_11).unwrap();
    let differing = legacy
        .iter()
        .filter(|m| !wso2.contains(m) && !m.uri.ends_with("/title"))
        .count();
    assert_eq!(
        report.claims_updated, differing,
        "every legacy claim WSO2 defines otherwise, but the edited one"
    );
    assert!(differing >= 10);
    let meta = |uri: &str| app.claim_meta_of(&Actor::System, uri).unwrap();
    let username = meta(claims::USERNAME);
    assert!(!username.supported_by_default && !username.read_only);
    assert!(!meta(claims::ACCOUNT_LOCKED).supported_by_default);
    assert!(meta(claims::ACCOUNT_STATE).read_only);
    assert_eq!(
        meta("http://wso2.org/claims/title").display_name,
        "Job Title",
        "edited: kept whole"
    );
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

/// The reactor's Basic check (`authenticate_quick`) answers only a remembered password whose login changes
/// nothing, and then as `authenticate` does; everything else (argon2, a write) is left to the blocking path.
#[test]
fn the_quick_basic_check_answers_only_remembered_passwords_as_authenticate_does() {
    let (app, _) = reset_app(&[gov::OFFLINE], 60);
    let quick = |user: &str, password: &str| {
        app.authenticate_quick(user, &secret(password))
            .map(|r| r.map(|actor| actor.name().to_string()))
    };
    assert_eq!(
        quick("tom", "Abcd@123"),
        None,
        "not remembered yet: argon2, on a blocking thread"
    );
    assert_eq!(quick("nobody", "Abcd@123"), None, "an unknown user costs argon2 too");
    assert!(app.authenticate("tom", &secret("Abcd@123")).is_ok());
    assert_eq!(quick("tom", "Abcd@123"), Some(Ok("tom".to_string())));
    assert_eq!(quick("PRIMARY/tom", "Abcd@123"), Some(Ok("tom".to_string())));
    assert_eq!(quick("tom", "wrong"), None, "a wrong password is never answered here");
    // A pending forced reset: `authenticate` refuses, and the quick check says the same or defers.
    trigger(&app, "tom").unwrap();
    let slow = app
        .authenticate("tom", &secret("Abcd@123"))
        .map(|a| a.name().to_string());
    assert_eq!(slow, Err(DomainError::InvalidCredentials));
    if let Some(answer) = quick("tom", "Abcd@123") {
        assert_eq!(answer, slow);
    }
}

/// A good login with nothing to record (no failed attempts to clear, no lock to lift) takes no write transaction:
/// a script sending Basic credentials on every call never queues behind the single writer. A failed attempt is
/// recorded, and the next good login clears it, in a write. (Account locking is off by default, as in WSO2, so
/// nothing would be counted: the test turns it on.)
#[test]
fn a_good_login_with_nothing_to_record_does_not_write() {
    let app = app();
    app.update_configurations(&Actor::System, &[(gov::LOCK_ENABLE_5X.into(), "true".into())])
        .unwrap();
    app.authenticate("admin", &secret("admin")).unwrap();
    let writes = || app.store.writes_begun();
    let before = writes();
    for _ in 0..3 {
        app.authenticate("admin", &secret("admin")).unwrap();
    }
    assert_eq!(writes(), before, "cached and uncached good logins only read");
    assert!(app.authenticate("admin", &secret("wrong")).is_err());
    assert_eq!(writes(), before + 1, "the failed attempt is counted");
    let failed = || {
        app.claim_value(&Actor::System, "admin", claims::FAILED_LOGIN_ATTEMPTS, "")
            .unwrap()
    };
    assert_eq!(failed().as_deref(), Some("1"));
    app.authenticate("admin", &secret("admin")).unwrap();
    assert_eq!(writes(), before + 2, "the next good login clears it");
    assert_eq!(failed().as_deref(), Some("0"), "as WSO2's account lock writes it");
    app.authenticate("admin", &secret("admin")).unwrap();
    assert_eq!(writes(), before + 2);
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
    assert!(app.user_view(&vic, "admin", "").is_ok());
    // WSO2's truth (identity-user-ws services.xml): isExistingUser has no override, so it needs the service's
    // /permission/admin/manage/identity, which usermgt/view does not grant.
    assert_eq!(app.user_exists(&vic, "admin"), Err(DomainError::AccessDenied));
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

// ---- the forced-reset engine ----

use crate::app::{CodeCheck, ResetOutcome};
use crate::domain::governance::{self as gov, ResetMode};
use std::sync::atomic::{AtomicI64, Ordering};

/// An app whose clock the test moves, with tom (e-mail set) and bob (no e-mail).
fn reset_app(modes: &[&str], expiry_minutes: i64) -> (App, Arc<AtomicI64>) {
    reset_app_for(Wso2Version::DEFAULT, modes, expiry_minutes)
}

/// As [`reset_app`], emulating `version`.
fn reset_app_for(version: Wso2Version, modes: &[&str], expiry_minutes: i64) -> (App, Arc<AtomicI64>) {
    let now = Arc::new(AtomicI64::new(1_700_000_000_000));
    let clock = now.clone();
    let mut config = Config::defaults();
    config.emulator.wso2_version = version;
    // deployment.toml's `code_validity_period`: the one expiry every release reads.
    config.password_reset_by_admin.code_validity_minutes = expiry_minutes;
    let app = App::new(
        config,
        Store::open_in_memory().unwrap(),
        Arc::new(move || clock.load(Ordering::SeqCst)),
    );
    app.bootstrap().unwrap();
    let sys = Actor::System;
    let settings: Vec<(String, String)> = modes.iter().map(|m| (m.to_string(), "true".to_string())).collect();
    app.update_configurations(&sys, &settings).unwrap();
    app.add_user(
        &sys,
        "tom",
        &secret("Abcd@123"),
        &[],
        &[(claims::EMAIL.into(), "tom@example.com".into())],
        "",
    )
    .unwrap();
    app.add_user(&sys, "bob", &secret("Bob@1234"), &[], &[], "").unwrap();
    (app, now)
}

fn expired_otp() -> CodeCheck {
    CodeCheck::Expired {
        scenario: crate::domain::reset::SCENARIO_OTP.into(),
    }
}

fn claim_of(app: &App, user: &str, uri: &str) -> Option<String> {
    app.claim_value(&Actor::System, user, uri, "").unwrap()
}

fn otp_of(app: &App, user: &str) -> String {
    app.claim_value(&Actor::System, user, claims::ONE_TIME_PASSWORD, "")
        .unwrap()
        .unwrap()
}

fn trigger(app: &App, user: &str) -> Result<(), DomainError> {
    app.set_user_profile(
        &Actor::System,
        user,
        "default",
        &[(claims::ADMIN_FORCED_PASSWORD_RESET.into(), "TRUE".into())],
    )
}

#[test]
fn the_claim_is_an_action_when_a_mode_is_on_and_an_ordinary_claim_otherwise() {
    let (app, _) = reset_app(&[], 60);
    trigger(&app, "tom").unwrap();
    assert_eq!(
        app.claim_value(&Actor::System, "tom", claims::ADMIN_FORCED_PASSWORD_RESET, "")
            .unwrap()
            .as_deref(),
        Some("TRUE")
    );
    assert!(!app.is_locked("tom").unwrap());

    let (app, _) = reset_app(&[gov::OFFLINE], 60);
    trigger(&app, "tom").unwrap();
    assert_eq!(
        app.claim_value(&Actor::System, "tom", claims::ADMIN_FORCED_PASSWORD_RESET, "")
            .unwrap(),
        None,
        "never stored"
    );
    assert!(app.is_locked("tom").unwrap());
    let view = app.user_view(&Actor::System, "tom", "").unwrap();
    assert!(
        view.claims
            .contains(&(claims::ACCOUNT_STATE.into(), "PENDING_FUPR".into()))
    );
    assert!(
        !view.claims.iter().any(|(u, _)| u == claims::LOCKED_REASON),
        "5.11 writes no lockedReason (6.0 on does)"
    );
    let otp = otp_of(&app, "tom");
    assert_eq!(otp.len(), 6);
    assert!(otp.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    assert_eq!(
        app.authenticate("tom", &secret("Abcd@123")),
        Err(DomainError::InvalidCredentials),
        "old password stops working"
    );
    assert!(
        app.store
            .read(TenantId::SUPER, |tx| tx.mails(0, 10))
            .unwrap()
            .is_empty(),
        "offline sends no mail"
    );
}

#[test]
fn a_reset_revokes_the_users_sessions() {
    let (app, _) = reset_app(&[gov::OFFLINE], 60);
    let token = app.sessions.create(TenantId::SUPER, "tom", app.now());
    trigger(&app, "tom").unwrap();
    assert_eq!(app.sessions.user(&token, app.now()), None);
}

#[test]
fn emailing_modes_queue_one_templated_mail_and_need_an_address() {
    let (app, _) = reset_app(&[gov::OTP], 60);
    trigger(&app, "tom").unwrap();
    let mails = app.store.read(TenantId::SUPER, |tx| tx.mails(0, 10)).unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].recipient, "tom@example.com");
    assert_eq!(mails[0].template, "adminforcedpasswordresetwithotp");
    assert_eq!(
        mails[0].status,
        crate::store::MailStatus::Mailbox,
        "no SMTP host: built-in mailbox"
    );
    assert_eq!(
        app.claim_value(&Actor::System, "tom", claims::ONE_TIME_PASSWORD, "")
            .unwrap(),
        None
    );

    // bob has no address: nothing at all happens.
    let err = trigger(&app, "bob").unwrap_err();
    assert!(
        matches!(&err, DomainError::InvalidInput(m) if m.contains("no e-mail address")),
        "{err:?}"
    );
    assert!(!app.is_locked("bob").unwrap());
    assert!(
        app.store
            .read(TenantId::SUPER, |tx| tx.recovery_code("bob"))
            .unwrap()
            .is_none()
    );
    assert_eq!(app.store.read(TenantId::SUPER, |tx| tx.mails(0, 10)).unwrap().len(), 1);
    assert_eq!(
        app.claim_value(&Actor::System, "bob", claims::ADMIN_FORCED_PASSWORD_RESET, "")
            .unwrap(),
        None
    );
}

#[test]
fn precedence_is_link_then_otp_then_offline() {
    let sys = Actor::System;
    for (modes, want) in [
        (vec![gov::RECOVERY_LINK, gov::OTP, gov::OFFLINE], ResetMode::EmailLink),
        (vec![gov::OTP, gov::OFFLINE], ResetMode::EmailOtp),
        (vec![gov::OFFLINE], ResetMode::Offline),
    ] {
        let (app, _) = reset_app(&modes, 60);
        let ResetOutcome { mode, .. } = app.force_reset(&sys, "tom").unwrap();
        assert_eq!(mode, want, "{modes:?}");
    }
}

#[test]
fn codes_expire_by_the_clock_and_negative_expiry_never_expires() {
    let (app, now) = reset_app(&[gov::OFFLINE], 10);
    trigger(&app, "tom").unwrap();
    let otp = otp_of(&app, "tom");
    now.fetch_add(10 * 60_000, Ordering::SeqCst);
    assert!(
        matches!(app.check_reset_code("tom", &otp).unwrap(), CodeCheck::Valid { .. }),
        "valid up to the minute"
    );
    now.fetch_add(1, Ordering::SeqCst);
    assert_eq!(app.check_reset_code("tom", &otp).unwrap(), expired_otp());
    assert_eq!(
        app.complete_reset("tom", &otp, &secret("New@12345")).unwrap(),
        expired_otp()
    );
    assert!(app.is_locked("tom").unwrap());

    let (app, now) = reset_app(&[gov::OFFLINE], -1);
    trigger(&app, "tom").unwrap();
    let otp = otp_of(&app, "tom");
    now.fetch_add(10 * 365 * 24 * 3_600_000, Ordering::SeqCst);
    assert!(matches!(
        app.check_reset_code("tom", &otp).unwrap(),
        CodeCheck::Valid { .. }
    ));
}

#[test]
fn a_code_is_single_use_and_completing_unlocks() {
    let (app, _) = reset_app(&[gov::OFFLINE], 60);
    trigger(&app, "tom").unwrap();
    let otp = otp_of(&app, "tom");
    // A weak password is refused before the code is touched: the user may retry with it.
    assert!(matches!(
        app.complete_reset("tom", &otp, &secret("x")),
        Err(DomainError::PasswordPolicy(_))
    ));
    assert!(matches!(
        app.complete_reset("tom", &otp, &secret("New@12345")).unwrap(),
        CodeCheck::Valid { .. }
    ));
    assert_eq!(
        app.complete_reset("tom", &otp, &secret("Other@123")).unwrap(),
        CodeCheck::Unknown,
        "single use"
    );
    assert!(!app.is_locked("tom").unwrap());
    let view = app.user_view(&Actor::System, "tom", "").unwrap();
    assert!(view.claims.contains(&(claims::ACCOUNT_STATE.into(), "UNLOCKED".into())));
    assert!(
        !view
            .claims
            .iter()
            .any(|(u, _)| u == claims::LOCKED_REASON || u == claims::ONE_TIME_PASSWORD),
        "{view:?}"
    );
    assert!(app.authenticate("tom", &secret("Abcd@123")).is_err());
    assert!(app.authenticate("tom", &secret("New@12345")).is_ok());
}

#[test]
fn failed_attempts_kill_the_code() {
    let (app, _) = reset_app(&[gov::OFFLINE], 60);
    trigger(&app, "tom").unwrap();
    let otp = otp_of(&app, "tom");
    for left in (0..5).rev() {
        assert_eq!(
            app.check_reset_code("tom", "WRONG1").unwrap(),
            CodeCheck::Mismatch { attempts_left: left }
        );
    }
    assert_eq!(
        app.check_reset_code("tom", &otp).unwrap(),
        CodeCheck::Dead,
        "even the right code is dead now"
    );
    assert_eq!(
        app.complete_reset("tom", &otp, &secret("New@12345")).unwrap(),
        CodeCheck::Dead
    );
}

#[test]
fn a_second_reset_kills_the_first_code() {
    let (app, _) = reset_app(&[gov::OFFLINE], 60);
    trigger(&app, "tom").unwrap();
    let first = otp_of(&app, "tom");
    trigger(&app, "tom").unwrap();
    let second = otp_of(&app, "tom");
    assert_ne!(first, second);
    assert!(matches!(
        app.check_reset_code("tom", &first).unwrap(),
        CodeCheck::Mismatch { .. }
    ));
    assert!(matches!(
        app.check_reset_code("tom", &second).unwrap(),
        CodeCheck::Valid { .. }
    ));
}

#[test]
fn an_admin_password_change_supersedes_a_pending_reset() {
    let (app, _) = reset_app(&[gov::OFFLINE], 60);
    trigger(&app, "tom").unwrap();
    let otp = otp_of(&app, "tom");
    app.set_password_by_admin(&Actor::System, "tom", &secret("Admin@123"))
        .unwrap();
    assert!(!app.is_locked("tom").unwrap());
    assert_eq!(app.check_reset_code("tom", &otp).unwrap(), CodeCheck::Unknown);
    assert!(app.authenticate("tom", &secret("Admin@123")).is_ok());
}

#[test]
fn an_admin_password_set_follows_the_release() {
    // Before 7.2 (forcereset's rule, WSO2 differs): the pending reset is cancelled and the account unlocked.
    for version in [Wso2Version::V5_9, Wso2Version::V6_0, Wso2Version::V7_1] {
        let (app, _) = reset_app_for(version, &[gov::OFFLINE], 60);
        trigger(&app, "tom").unwrap();
        app.set_password_by_admin(&Actor::System, "tom", &secret("Admin@123"))
            .unwrap();
        assert!(!app.is_locked("tom").unwrap(), "{version}");
        assert!(
            app.store
                .read(TenantId::SUPER, |tx| tx.recovery_code("tom"))
                .unwrap()
                .is_none(),
            "{version}"
        );
        assert_eq!(claim_of(&app, "tom", claims::ONE_TIME_PASSWORD), None, "{version}");
    }

    // 7.2: the code goes; a pending-reset lock is lifted with lockedReason emptied and accountState UNLOCKED.
    let v72 = Wso2Version::V7_2;
    let (app, _) = reset_app_for(v72, &[gov::OFFLINE], 60);
    trigger(&app, "tom").unwrap();
    let otp = otp_of(&app, "tom");
    app.set_password_by_admin(&Actor::System, "tom", &secret("Admin@123"))
        .unwrap();
    assert!(!app.is_locked("tom").unwrap());
    assert_eq!(claim_of(&app, "tom", claims::LOCKED_REASON), None);
    assert_eq!(
        claim_of(&app, "tom", claims::ACCOUNT_STATE).as_deref(),
        Some("UNLOCKED")
    );
    assert_eq!(claim_of(&app, "tom", claims::ONE_TIME_PASSWORD), None);
    assert_eq!(app.check_reset_code("tom", &otp).unwrap(), CodeCheck::Unknown);

    // 7.2: locked for another reason, it stays locked (and its claims untouched).
    let lock = |reason: &str| {
        app.set_claims(
            &Actor::System,
            "bob",
            "default",
            &[
                (claims::ACCOUNT_LOCKED.into(), "true".into()),
                (claims::LOCKED_REASON.into(), reason.into()),
            ],
        )
        .unwrap()
    };
    lock("MAX_ATTEMPTS_EXCEEDED");
    app.set_password_by_admin(&Actor::System, "bob", &secret("Admin@123"))
        .unwrap();
    assert!(app.is_locked("bob").unwrap());
    assert_eq!(
        claim_of(&app, "bob", claims::LOCKED_REASON).as_deref(),
        Some("MAX_ATTEMPTS_EXCEEDED")
    );
    // ... and the ask-password wait is ended like a pending reset.
    lock("PENDING_ASK_PASSWORD");
    app.set_password_by_admin(&Actor::System, "bob", &secret("Admin@123"))
        .unwrap();
    assert!(!app.is_locked("bob").unwrap());
}

#[test]
fn the_trigger_and_the_completion_write_the_release_s_claims() {
    for version in Wso2Version::ALL {
        let (app, _) = reset_app_for(version, &[gov::OFFLINE], 60);
        let profile = version.profile().reset;
        trigger(&app, "tom").unwrap();
        assert_eq!(
            claim_of(&app, "tom", claims::ACCOUNT_LOCKED).as_deref(),
            Some("true"),
            "{version}"
        );
        assert_eq!(
            claim_of(&app, "tom", claims::ACCOUNT_STATE).is_some(),
            profile.writes_account_state,
            "{version}"
        );
        assert_eq!(
            claim_of(&app, "tom", claims::LOCKED_REASON).is_some(),
            profile.writes_locked_reason,
            "{version}"
        );
        let otp = otp_of(&app, "tom");
        assert!(matches!(
            app.complete_reset("tom", &otp, &secret("New@12345")).unwrap(),
            CodeCheck::Valid { .. }
        ));
        assert_eq!(
            claim_of(&app, "tom", claims::ACCOUNT_LOCKED).as_deref(),
            Some("false"),
            "{version}"
        );
        assert_eq!(
            claim_of(&app, "tom", claims::ACCOUNT_STATE).as_deref(),
            Some("UNLOCKED"),
            "{version}"
        );
        assert_eq!(claim_of(&app, "tom", claims::LOCKED_REASON), None, "{version}");
        assert_eq!(claim_of(&app, "tom", claims::ONE_TIME_PASSWORD), None, "{version}");
    }
    // Before 6.0 completing leaves a lockedReason alone (the trigger never wrote one).
    let (app, _) = reset_app_for(Wso2Version::V5_11, &[gov::OFFLINE], 60);
    trigger(&app, "tom").unwrap();
    app.set_claims(
        &Actor::System,
        "tom",
        "default",
        &[(claims::LOCKED_REASON.into(), "x".into())],
    )
    .unwrap();
    let otp = otp_of(&app, "tom");
    app.complete_reset("tom", &otp, &secret("New@12345")).unwrap();
    assert_eq!(claim_of(&app, "tom", claims::LOCKED_REASON).as_deref(), Some("x"));
}

#[test]
fn the_recovery_flow_completes_once_with_the_code_it_checked() {
    let (app, _) = reset_app(&[gov::OFFLINE], 60);
    trigger(&app, "tom").unwrap();
    let otp = otp_of(&app, "tom");
    let request = |code: &str| RecoveryRequest {
        user: "PRIMARY/tom".into(),
        code: secret(code),
        callback: Some("/cb".into()),
        tenant_domain: None,
        session_data_key: None,
    };
    let attempts = || {
        app.store
            .read(TenantId::SUPER, |tx| tx.recovery_code("tom"))
            .unwrap()
            .unwrap()
            .attempts_left
    };
    let before = attempts();
    assert_eq!(
        app.open_recovery(request("WRONG1")).unwrap(),
        RecoveryOpening::Refused(CodeCheck::Mismatch {
            attempts_left: before - 1
        })
    );
    let RecoveryOpening::Opened { token, flow } = app.open_recovery(request(&otp)).unwrap() else {
        panic!("the right code opens a flow");
    };
    assert_eq!((flow.user.as_str(), flow.callback.as_deref()), ("tom", Some("/cb")));
    assert_eq!(app.recovery_flow(&token), Some(flow));
    assert!(matches!(
        app.complete_recovery(&token, &secret("x")),
        Err(DomainError::PasswordPolicy(_))
    ));
    assert!(matches!(
        app.complete_recovery(&token, &secret("New@12345")).unwrap(),
        CodeCheck::Valid { .. }
    ));
    assert!(app.authenticate("tom", &secret("New@12345")).is_ok());
    assert!(!app.is_locked("tom").unwrap());
    assert_eq!(app.recovery_flow(&token), None, "ended with the reset");
    assert_eq!(
        app.complete_recovery(&token, &secret("Other@123")).unwrap(),
        CodeCheck::Unknown
    );
    assert_eq!(
        app.complete_recovery("made-up", &secret("Other@123")).unwrap(),
        CodeCheck::Unknown
    );
}

#[test]
fn a_recovery_flow_dies_with_its_code() {
    let (app, now) = reset_app(&[gov::OFFLINE], 60);
    trigger(&app, "tom").unwrap();
    let otp = otp_of(&app, "tom");
    let open = |code: &str| match app
        .open_recovery(RecoveryRequest {
            user: "tom".into(),
            code: secret(code),
            callback: None,
            tenant_domain: None,
            session_data_key: None,
        })
        .unwrap()
    {
        RecoveryOpening::Opened { token, .. } => token,
        other => panic!("{other:?}"),
    };
    let token = open(&otp);
    trigger(&app, "tom").unwrap();
    let attempts = app
        .store
        .read(TenantId::SUPER, |tx| tx.recovery_code("tom"))
        .unwrap()
        .unwrap()
        .attempts_left;
    assert_eq!(
        app.complete_recovery(&token, &secret("New@12345")).unwrap(),
        CodeCheck::Unknown,
        "a newer reset replaced the code"
    );
    assert_eq!(
        app.store
            .read(TenantId::SUPER, |tx| tx.recovery_code("tom"))
            .unwrap()
            .unwrap()
            .attempts_left,
        attempts,
        "no attempt spent: nothing was guessed"
    );
    let token = open(&otp_of(&app, "tom"));
    now.fetch_add(61 * 60_000, Ordering::SeqCst);
    assert_eq!(
        app.complete_recovery(&token, &secret("New@12345")).unwrap(),
        CodeCheck::Unknown,
        "the flow expired"
    );
    assert!(app.is_locked("tom").unwrap());
}

#[test]
fn set_user_claim_values_triggers_the_reset_too() {
    let (app, _) = reset_app(&[gov::OFFLINE], 60);
    app.set_claims(
        &Actor::System,
        "tom",
        "default",
        &[(claims::ADMIN_FORCED_PASSWORD_RESET.into(), "true".into())],
    )
    .unwrap();
    assert!(app.is_locked("tom").unwrap());
    assert_eq!(otp_of(&app, "tom").len(), 6);
}

#[test]
fn a_stored_expiry_time_governs_only_where_the_connector_lists_it() {
    // GOV v1.5.28 (IS 6.0) added Recovery.AdminPasswordReset.ExpiryTime; before it the name is just stored.
    for (version, listed) in [(Wso2Version::V5_11, false), (Wso2Version::V6_0, true)] {
        let (app, _) = reset_app_for(version, &[gov::OFFLINE], 1440);
        app.update_configurations(&Actor::System, &[(gov::EXPIRY_TIME.into(), "5".into())])
            .unwrap();
        let want = if listed { 5 } else { 1440 };
        assert_eq!(
            app.reset_settings(&Actor::System).unwrap().expiry_minutes,
            want,
            "{version}"
        );
    }
}

#[test]
fn an_admins_lock_through_claims_says_why_from_6_0() {
    // ACCLOCK v1.6.1 handlePostSetUserClaimValues / handlePreSetUserClaimValues; v1.4.11 (IS 5.11) writes nothing.
    for (version, reason) in [(Wso2Version::V5_11, None), (Wso2Version::V6_0, Some("ADMIN_INITIATED"))] {
        let (app, _) = reset_app_for(version, &[], 1440);
        let sys = Actor::System;
        app.set_claims(
            &sys,
            "tom",
            "default",
            &[(claims::ACCOUNT_LOCKED.into(), "true".into())],
        )
        .unwrap();
        assert_eq!(
            claim_of(&app, "tom", claims::LOCKED_REASON).as_deref(),
            reason,
            "{version}"
        );
        app.set_claims(
            &sys,
            "tom",
            "default",
            &[(claims::ACCOUNT_LOCKED.into(), "false".into())],
        )
        .unwrap();
        assert_eq!(claim_of(&app, "tom", claims::LOCKED_REASON), None, "{version}");
        // A reason the admin gives is kept.
        app.set_claims(
            &sys,
            "tom",
            "default",
            &[
                (claims::ACCOUNT_LOCKED.into(), "true".into()),
                (claims::LOCKED_REASON.into(), "MAX_ATTEMPTS_EXCEEDED".into()),
            ],
        )
        .unwrap();
        assert_eq!(
            claim_of(&app, "tom", claims::LOCKED_REASON).as_deref(),
            Some("MAX_ATTEMPTS_EXCEEDED"),
            "{version}"
        );
    }
}

#[test]
fn another_process_ending_a_users_sessions_ends_them_here() {
    // The server and the CLI are two Apps on one database: a reset or password set by the CLI must end the
    // sessions the server holds in memory.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("forcereset.db");
    let now = Arc::new(AtomicI64::new(1_700_000_000_000));
    let open = || {
        let clock = now.clone();
        let app = App::new(
            Config::defaults(),
            Store::open(&db).unwrap(),
            Arc::new(move || clock.load(Ordering::SeqCst)),
        );
        app.bootstrap().unwrap();
        app
    };
    let server = open();
    let cli = open();
    let sys = Actor::System;
    server.add_user(&sys, "tom", &secret("Abcd@123"), &[], &[], "").unwrap();
    server.add_user(&sys, "bob", &secret("Bob@1234"), &[], &[], "").unwrap();
    now.fetch_add(1, Ordering::SeqCst);
    let tom = server.open_session(TenantId::SUPER, "tom");
    let bob = server.open_session(TenantId::SUPER, "bob");
    let live = |token: &SessionToken| {
        server
            .session(token.as_str())
            .and_then(|s| server.session_actor(&s).unwrap())
            .is_some()
    };
    assert!(live(&tom) && live(&bob));
    now.fetch_add(1, Ordering::SeqCst);
    cli.set_password_by_admin(&sys, "tom", &secret("Efgh@456")).unwrap();
    assert!(!live(&tom), "the CLI's password set ended tom's session in the server");
    assert!(live(&bob), "bob's is untouched");
    // A session opened afterwards lives.
    now.fetch_add(1, Ordering::SeqCst);
    let again = server.open_session(TenantId::SUPER, "tom");
    assert!(live(&again));
}

#[test]
fn setting_sources_name_the_file_key_and_what_stored_values_override() {
    for (version, enable) in [
        (Wso2Version::V5_11, gov::LOCK_ENABLE_5X),
        (Wso2Version::V6_0, gov::LOCK_ON_MAX_FAILED_ATTEMPTS),
    ] {
        let (app, _) = reset_app_for(version, &[], 1440);
        let sys = Actor::System;
        app.update_configurations(
            &sys,
            &[
                (gov::OFFLINE.into(), "TRUE".into()),
                (gov::OTP.into(), "false".into()),
                (gov::EXPIRY_TIME.into(), "60".into()),
            ],
        )
        .unwrap();
        let sources = app.setting_sources(&sys).unwrap();
        let of = |p: &str| sources.iter().find(|s| s.property == p).cloned();
        let offline = of(gov::OFFLINE).unwrap();
        assert_eq!(offline.stored.as_deref(), Some("true"), "{version}");
        assert_eq!(offline.file_value, "false");
        assert_eq!(offline.value(), "true");
        assert_eq!(of(gov::OTP).unwrap().stored, None, "same as the file: no override");
        assert!(of(enable).is_some(), "{version}: the release's lock switch");
        // ExpiryTime is listed (and so in force) from 6.0 only.
        assert_eq!(
            of(gov::EXPIRY_TIME).map(|s| s.value().to_string()),
            (version >= Wso2Version::V6_0).then(|| "60".to_string()),
            "{version}"
        );
        let nobody = Actor::User {
            tenant: TenantId::SUPER,
            name: "bob".into(),
            permissions: vec![permissions::LOGIN.into()],
        };
        assert_eq!(app.setting_sources(&nobody), Err(DomainError::AccessDenied));
    }
}

#[test]
fn scim_groups_leave_hybrid_roles_out_unless_roles_are_groups_and_never_list_everyone() {
    let app = app();
    let sys = Actor::System;
    // A hybrid role a store may hold (forcereset's own use cases refuse `Internal/` names).
    app.store
        .write(TenantId::SUPER, |tx| {
            tx.insert_role("Internal/auditor", 0).map_err(DomainError::from)
        })
        .unwrap();
    let names = |hybrid: bool| -> Vec<String> {
        let page = app.scim_groups(&sys, hybrid, None, false, |_| true, 0, None).unwrap();
        page.groups.into_iter().map(|g| g.name).collect()
    };
    assert_eq!(names(true), ["admin", "Internal/auditor"]);
    assert_eq!(names(false), ["admin"]);
    let page = app.scim_groups(&sys, true, None, true, |_| true, 1, Some(5)).unwrap();
    assert_eq!((page.total, page.groups.len()), (2, 1));
    let one = app
        .scim_groups(&sys, false, Some("ADMIN"), false, |_| true, 0, None)
        .unwrap();
    assert_eq!(
        one.groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
        ["admin"]
    );
    let hidden = app
        .scim_groups(&sys, false, Some("internal/auditor"), false, |_| true, 0, None)
        .unwrap();
    assert_eq!(hidden.total, 0);
    // Creating one by SCIM is refused, as `addRole` refuses it, and nothing is made.
    let edit = GroupEdit {
        name: "Internal/x".into(),
        members: vec![],
    };
    assert!(matches!(
        app.scim_create_group(&sys, &edit),
        Err(DomainError::InvalidInput(_))
    ));
    assert!(!app.role_exists(&sys, "Internal/x").unwrap());
}
