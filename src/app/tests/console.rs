//! The console's use cases: claim metadata, unlock, profile edits, the mailbox and the audit log.

use super::*;
use crate::domain::governance;
use crate::store::TenantId;

fn admin(app: &App) -> Actor {
    app.authenticate("admin", &Secret::new("admin")).unwrap()
}

fn login_only(app: &App) -> Actor {
    let sys = Actor::System;
    app.add_role(&sys, "loginrole", &[permissions::LOGIN.into()], &[])
        .unwrap();
    app.add_user(&sys, "bob", &Secret::new("Abcd@123"), &["loginrole".into()], &[], "")
        .unwrap();
    app.actor_for(TenantId::SUPER, "bob").unwrap().unwrap()
}

#[test]
fn usermgt_paths_are_spelled_out_correctly() {
    for (path, action) in [
        (permissions::USERS_VIEW, "view"),
        (permissions::USERS_LIST, "list"),
        (permissions::USERS_CREATE, "create"),
        (permissions::USERS_UPDATE, "update"),
        (permissions::USERS_DELETE, "delete"),
    ] {
        assert_eq!(path, format!("{}/{action}", permissions::MANAGE_USERS));
    }
}

#[test]
fn claim_metadata_edits_are_validated_audited_and_need_permission() {
    let app = App::for_tests();
    let admin = admin(&app);
    let mut otp = app.claim_meta_of(&admin, claims::ONE_TIME_PASSWORD).unwrap();
    assert!(!otp.supported_by_default);
    otp.supported_by_default = true;
    otp.display_name = "  One-Time Password ".into();
    app.update_claim_metadata(&admin, &otp).unwrap();
    let stored = app.claim_meta_of(&admin, claims::ONE_TIME_PASSWORD).unwrap();
    assert!(stored.supported_by_default);
    assert_eq!(stored.display_name, "One-Time Password");
    let audit = app.audit_log(&admin, 0, 1).unwrap().remove(0);
    assert_eq!(audit.action, "claim.update");
    assert_eq!(audit.detail, "display_name=One-Time Password,supported_by_default=true");

    let blank = ClaimMeta {
        display_name: " ".into(),
        ..stored.clone()
    };
    assert!(
        matches!(app.update_claim_metadata(&admin, &blank), Err(DomainError::InvalidInput(m)) if m.contains("display name"))
    );
    let bad_regex = ClaimMeta {
        regex: "([a-z".into(),
        ..stored.clone()
    };
    assert!(
        matches!(app.update_claim_metadata(&admin, &bad_regex), Err(DomainError::InvalidInput(m)) if m.contains("regular expression"))
    );
    let unknown = ClaimMeta {
        uri: "http://wso2.org/claims/nope".into(),
        ..stored.clone()
    };
    assert_eq!(
        app.update_claim_metadata(&admin, &unknown),
        Err(DomainError::UnknownClaim("http://wso2.org/claims/nope".into()))
    );
    let bob = login_only(&app);
    let hidden = ClaimMeta {
        supported_by_default: false,
        ..stored.clone()
    };
    assert_eq!(app.update_claim_metadata(&bob, &hidden), Err(DomainError::AccessDenied));
    assert_eq!(app.claim_dialect(&bob), Err(DomainError::AccessDenied));
    assert_eq!(
        app.claim_meta_of(&admin, claims::ONE_TIME_PASSWORD).unwrap(),
        stored,
        "nothing changed"
    );
}

#[test]
fn unlock_clears_a_failed_login_lock_but_refuses_a_pending_reset() {
    let app = App::for_tests();
    let admin = admin(&app);
    let bob = login_only(&app);
    app.store
        .write::<_, DomainError>(TenantId::SUPER, |tx| {
            tx.set_claim_value("bob", DEFAULT_PROFILE, claims::ACCOUNT_LOCKED, "true")?;
            tx.set_claim_value("bob", DEFAULT_PROFILE, claims::LOCKED_REASON, "MAX_ATTEMPTS_EXCEEDED")?;
            tx.set_claim_value("bob", DEFAULT_PROFILE, claims::UNLOCK_TIME, "0")?;
            tx.set_claim_value("bob", DEFAULT_PROFILE, claims::FAILED_LOGIN_ATTEMPTS, "2")?;
            Ok(())
        })
        .unwrap();
    assert_eq!(app.unlock_user(&bob, "bob"), Err(DomainError::AccessDenied));
    assert!(app.is_locked("bob").unwrap(), "a refused unlock changes nothing");
    assert!(app.user_state(&admin, "bob").unwrap().locked);
    assert_eq!(app.unlock_user(&admin, "bob"), Ok(true));
    let state = app.user_state(&admin, "bob").unwrap();
    assert_eq!(
        state,
        UserState {
            locked: false,
            locked_reason: None,
            unlock_time: None,
            failed_attempts: None,
            pending_reset: None
        }
    );
    assert_eq!(app.unlock_user(&admin, "bob"), Ok(false));
    assert!(matches!(
        app.unlock_user(&admin, "nobody"),
        Err(DomainError::UserNotFound(_))
    ));

    let sys = Actor::System;
    app.update_configurations(&sys, &[(governance::OFFLINE.into(), "true".into())])
        .unwrap();
    app.force_reset(&sys, "bob").unwrap();
    let pending = app.user_state(&admin, "bob").unwrap();
    assert!(pending.locked);
    assert_eq!(pending.pending_reset.as_ref().map(|p| p.attempts_left), Some(5));
    assert!(
        matches!(app.unlock_user(&admin, "bob"), Err(DomainError::InvalidInput(m)) if m.contains("pending forced password reset"))
    );
    assert_eq!(
        app.user_state(&admin, "bob").unwrap(),
        pending,
        "the refused unlock changed nothing"
    );
}

#[test]
fn profile_edits_keep_server_claims_and_required_claims() {
    let app = App::for_tests();
    let admin = admin(&app);
    login_only(&app);
    let set = |uri: &str, v: &str| vec![(uri.to_string(), v.to_string())];
    app.edit_profile(&admin, "bob", &set(claims::GIVEN_NAME, "Bob"))
        .unwrap();
    assert_eq!(
        app.claim_value(&admin, "bob", claims::GIVEN_NAME, "")
            .unwrap()
            .as_deref(),
        Some("Bob")
    );
    assert!(
        matches!(app.edit_profile(&admin, "bob", &set(claims::GIVEN_NAME, " ")), Err(DomainError::InvalidInput(m)) if m.contains("required"))
    );
    assert_eq!(
        app.edit_profile(&admin, "bob", &set(claims::ONE_TIME_PASSWORD, "X")),
        Err(DomainError::ReadOnlyClaim(claims::ONE_TIME_PASSWORD.into()))
    );
    assert_eq!(
        app.edit_profile(&admin, "bob", &set(claims::ADMIN_FORCED_PASSWORD_RESET, "true")),
        Err(DomainError::ReadOnlyClaim(claims::ADMIN_FORCED_PASSWORD_RESET.into()))
    );
    let bob = app.actor_for(TenantId::SUPER, "bob").unwrap().unwrap();
    assert_eq!(
        app.edit_profile(&bob, "bob", &set(claims::GIVEN_NAME, "Robert")),
        Err(DomainError::AccessDenied),
        "the console needs the profiles permission even for one's own profile"
    );
}

#[test]
fn mailbox_and_audit_need_their_permissions_and_retry_only_pending_mail() {
    let mut config = crate::config::Config::defaults();
    config.email.hostname = Some("smtp.invalid".into());
    let app = App::new(
        config,
        crate::store::Store::open_in_memory().unwrap(),
        std::sync::Arc::new(|| 1_700_000_000_000),
    );
    app.bootstrap().unwrap();
    let admin = admin(&app);
    let bob = login_only(&app);
    let sys = Actor::System;
    app.update_configurations(&sys, &[(governance::OTP.into(), "true".into())])
        .unwrap();
    app.set_claims(&sys, "bob", "", &[(claims::EMAIL.into(), "bob@example.com".into())])
        .unwrap();
    let id = app.force_reset(&sys, "bob").unwrap().mail_id.unwrap();
    assert_eq!(app.mailbox(&admin, 0, 10).unwrap().len(), 1);
    assert_eq!(app.mail(&admin, id).unwrap().recipient, "bob@example.com");
    assert_eq!(app.mailbox(&bob, 0, 10), Err(DomainError::AccessDenied));
    assert_eq!(app.mail(&bob, id), Err(DomainError::AccessDenied));
    assert_eq!(app.audit_log(&bob, 0, 10), Err(DomainError::AccessDenied));
    assert!(matches!(app.mail(&admin, id + 1), Err(DomainError::InvalidInput(_))));

    // A failed delivery waits for its next attempt; retry makes it due now.
    app.store
        .system_write::<_, DomainError>(|tx| Ok(tx.mark_mail_failed(id, "connection refused", i64::MAX)?))
        .unwrap();
    assert_eq!(app.retry_mail(&bob, id), Err(DomainError::AccessDenied));
    assert_eq!(
        app.mail(&admin, id).unwrap().next_attempt_at,
        i64::MAX,
        "refused: nothing changed"
    );
    app.retry_mail(&admin, id).unwrap();
    let mail = app.mail(&admin, id).unwrap();
    assert_eq!(mail.status, MailStatus::Pending);
    assert_eq!(mail.next_attempt_at, app.now());
    assert_eq!(app.audit_log(&admin, 0, 1).unwrap()[0].action, "mail.retry");
    assert_eq!(app.audit_log(&admin, -5, 0).unwrap().len(), 1, "bounds are clamped");

    app.store
        .system_write::<_, DomainError>(|tx| Ok(tx.mark_mail_sent(id, 1)?))
        .unwrap();
    assert!(matches!(app.retry_mail(&admin, id), Err(DomainError::InvalidInput(m)) if m.contains("already delivered")));
}

#[test]
fn mailbox_mail_is_not_resent() {
    let app = App::for_tests();
    let admin = admin(&app);
    login_only(&app);
    let sys = Actor::System;
    app.update_configurations(&sys, &[(governance::OTP.into(), "true".into())])
        .unwrap();
    app.set_claims(&sys, "bob", "", &[(claims::EMAIL.into(), "bob@example.com".into())])
        .unwrap();
    let id = app.force_reset(&sys, "bob").unwrap().mail_id.unwrap();
    assert_eq!(app.mail(&admin, id).unwrap().status, MailStatus::Mailbox);
    assert!(matches!(app.retry_mail(&admin, id), Err(DomainError::InvalidInput(m)) if m.contains("built-in mailbox")));
}
