//! The management console's own use cases: claim metadata, an account's lock state and unlock, profile edits with
//! the console's rules, the mailbox and the audit log. Same rules as the rest of `app`: a permission check first,
//! then one store transaction, audited when it changes state.

use super::users::USERNAME_CLAIM;
use super::{Actor, App};
use crate::domain::claims::{self, ClaimMeta};
use crate::domain::{DEFAULT_PROFILE, DomainError, Millis, permissions, reset, strip_primary_domain};
use crate::store::{AuditRecord, Dialect, MailStatus, OutboxMail};

/// Claim management (WSO2's ClaimMetadataManagementService permissions).
pub const CLAIM_METADATA_VIEW: &str = "/permission/admin/manage/identity/claimmgt/metadata/view";
pub const CLAIM_METADATA_UPDATE: &str = "/permission/admin/manage/identity/claimmgt/metadata/update";
/// The built-in mailbox: the closest WSO2 permissions are those of e-mail management.
pub const MAILBOX_VIEW: &str = "/permission/admin/manage/identity/emailmgt/view";
pub const MAILBOX_RESEND: &str = "/permission/admin/manage/identity/emailmgt/update";
/// The audit log: WSO2's monitoring permission.
pub const AUDIT_VIEW: &str = "/permission/admin/monitor";
/// RemoteUserStoreManagerService's user-management permissions, spelled out for route tables.
pub const USERS_VIEW: &str = "/permission/admin/manage/identity/usermgt/view";
pub const USERS_LIST: &str = "/permission/admin/manage/identity/usermgt/list";
pub const USERS_CREATE: &str = "/permission/admin/manage/identity/usermgt/create";
pub const USERS_UPDATE: &str = "/permission/admin/manage/identity/usermgt/update";
pub const USERS_DELETE: &str = "/permission/admin/manage/identity/usermgt/delete";

/// The most rows one mailbox or audit page may ask for.
pub const MAX_PAGE_ROWS: i64 = 500;

/// What the console shows about an account besides its claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserState {
    pub locked: bool,
    pub locked_reason: Option<String>,
    /// When a failed-login lock ends (None = not set, or until an admin unlocks).
    pub unlock_time: Option<Millis>,
    pub failed_attempts: Option<String>,
    pub pending_reset: Option<PendingReset>,
}

/// A forced reset waiting for the user. The code itself is never shown: only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingReset {
    pub scenario: String,
    pub created_at: Millis,
    pub expires_at: Option<Millis>,
    pub attempts_left: i64,
}

/// May the console edit this claim's value in a profile? Read-only claims, the user name, and the claims the server
/// manages (identity claims, the offline OTP) are shown but never written from a form.
pub fn profile_editable(meta: &ClaimMeta) -> bool {
    !meta.read_only && !claims::is_protected_from_self(&meta.uri) && meta.uri != USERNAME_CLAIM
}

fn page_bounds(offset: i64, limit: i64) -> (i64, i64) {
    (offset.max(0), limit.clamp(1, MAX_PAGE_ROWS))
}

impl App {
    // ---- claim metadata ----

    /// The local dialect with every claim's metadata, in display order.
    pub fn claim_dialect(&self, actor: &Actor) -> Result<Dialect, DomainError> {
        actor.require(CLAIM_METADATA_VIEW)?;
        self.claim_metas()
    }

    /// One claim's metadata.
    pub fn claim_meta_of(&self, actor: &Actor, uri: &str) -> Result<ClaimMeta, DomainError> {
        actor.require(CLAIM_METADATA_VIEW)?;
        self.store
            .read(|tx| tx.claim_meta(uri))?
            .ok_or_else(|| DomainError::UnknownClaim(uri.to_string()))
    }

    /// Replace the editable metadata of a known claim (display name, description, regex, display order and the
    /// three flags). The display name must not be blank and the regex must compile, since every later claim write
    /// is checked against it.
    pub fn update_claim_metadata(&self, actor: &Actor, meta: &ClaimMeta) -> Result<(), DomainError> {
        actor.require(CLAIM_METADATA_UPDATE)?;
        let display_name = meta.display_name.trim();
        if display_name.is_empty() {
            return Err(DomainError::InvalidInput(format!(
                "The display name of claim {} cannot be empty.",
                meta.uri
            )));
        }
        if let Err(e) = regex::Regex::new(&meta.regex) {
            return Err(DomainError::InvalidInput(format!(
                "The regular expression of claim {} is not valid: {e}",
                meta.uri
            )));
        }
        let updated = ClaimMeta {
            display_name: display_name.to_string(),
            description: meta.description.trim().to_string(),
            ..meta.clone()
        };
        self.store.write(|tx| {
            let Some(current) = tx.claim_meta(&meta.uri)? else {
                return Err(DomainError::UnknownClaim(meta.uri.clone()));
            };
            if !tx.update_claim_meta(&updated)? {
                return Err(DomainError::UnknownClaim(meta.uri.clone()));
            }
            self.audit(tx, actor, "claim.update", &meta.uri, &claim_changes(&current, &updated))
        })
    }

    // ---- accounts ----

    /// The lock state and any pending forced reset of a user.
    pub fn user_state(&self, actor: &Actor, user: &str) -> Result<UserState, DomainError> {
        actor.require(USERS_VIEW)?;
        let user = strip_primary_domain(user);
        self.store.read(|tx| {
            if !tx.user_exists(user)? {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            }
            let claim = |uri: &str| tx.claim_value(user, DEFAULT_PROFILE, uri);
            let pending = tx.recovery_code(user)?.map(|c| PendingReset {
                scenario: c.scenario,
                created_at: c.created_at,
                expires_at: c.expires_at,
                attempts_left: c.attempts_left,
            });
            Ok(Ok(UserState {
                locked: claim(claims::ACCOUNT_LOCKED)?.is_some_and(|v| v.eq_ignore_ascii_case("true")),
                locked_reason: claim(claims::LOCKED_REASON)?.filter(|r| !r.is_empty()),
                unlock_time: claim(claims::UNLOCK_TIME)?
                    .and_then(|v| v.parse::<Millis>().ok())
                    .filter(|t| *t > 0),
                failed_attempts: claim(claims::FAILED_LOGIN_ATTEMPTS)?,
                pending_reset: pending,
            }))
        })?
    }

    /// Unlock an account: clear the lock claims and the failed-login count. Returns whether it was locked.
    ///
    /// A pending forced reset is refused rather than cancelled: unlocking it would let the old password (the one
    /// the reset was forced to replace) in again. Setting a new password as admin cancels the reset instead.
    pub fn unlock_user(&self, actor: &Actor, user: &str) -> Result<bool, DomainError> {
        actor.require(USERS_UPDATE)?;
        let user = strip_primary_domain(user);
        self.store.write(|tx| {
            if !tx.user_exists(user)? {
                return Err(DomainError::UserNotFound(user.to_string()));
            }
            if tx.recovery_code(user)?.is_some() {
                return Err(DomainError::InvalidInput(format!(
                    "User {user} has a pending forced password reset, so the account stays locked: unlocking it \
                     would let the old password in again. Set a new password for the user (this cancels the \
                     reset), or let the user complete the reset."
                )));
            }
            let was_locked = tx
                .claim_value(user, DEFAULT_PROFILE, claims::ACCOUNT_LOCKED)?
                .is_some_and(|v| v.eq_ignore_ascii_case("true"));
            for (uri, value) in reset::unlock_claims() {
                if value.is_empty() {
                    tx.delete_claim_value(user, DEFAULT_PROFILE, uri)?;
                } else {
                    tx.set_claim_value(user, DEFAULT_PROFILE, uri, &value)?;
                }
            }
            tx.delete_claim_value(user, DEFAULT_PROFILE, claims::FAILED_LOGIN_ATTEMPTS)?;
            tx.delete_claim_value(user, DEFAULT_PROFILE, claims::UNLOCK_TIME)?;
            let detail = if was_locked { "was locked" } else { "was not locked" };
            self.audit(tx, actor, "user.unlock", user, detail)?;
            Ok(was_locked)
        })
    }

    /// The console's profile edit: only claims it may edit ([`profile_editable`]), a required claim may not be
    /// emptied, then the same write as `setUserProfile` on the default profile.
    pub fn edit_profile(&self, actor: &Actor, user: &str, values: &[(String, String)]) -> Result<(), DomainError> {
        actor.require(permissions::CONFIGURE_PROFILES)?;
        let metas = self.claim_metas()?;
        for (uri, value) in values {
            let Some(meta) = metas.iter().find(|m| &m.uri == uri) else {
                return Err(DomainError::UnknownClaim(uri.clone()));
            };
            if !profile_editable(meta) {
                return Err(DomainError::ReadOnlyClaim(uri.clone()));
            }
            if meta.required && value.trim().is_empty() {
                return Err(DomainError::InvalidInput(format!("{} is required.", meta.display_name)));
            }
        }
        self.set_user_profile(actor, user, DEFAULT_PROFILE, values)
    }

    // ---- mailbox ----

    /// A page of the outbox and built-in mailbox, newest first.
    pub fn mailbox(&self, actor: &Actor, offset: i64, limit: i64) -> Result<Vec<OutboxMail>, DomainError> {
        actor.require(MAILBOX_VIEW)?;
        let (offset, limit) = page_bounds(offset, limit);
        Ok(self.store.read(|tx| tx.mails(offset, limit))?)
    }

    /// One mail, with its body (which may hold a reset link or OTP until it is delivered).
    pub fn mail(&self, actor: &Actor, id: i64) -> Result<OutboxMail, DomainError> {
        actor.require(MAILBOX_VIEW)?;
        self.store
            .read(|tx| tx.mail(id))?
            .ok_or_else(|| DomainError::InvalidInput(format!("Mail {id} does not exist.")))
    }

    /// Send a mail that is waiting for (another) SMTP attempt now. A delivered mail (its body is gone) and a
    /// built-in-mailbox mail (no SMTP server was configured when it was queued) cannot be resent.
    pub fn retry_mail(&self, actor: &Actor, id: i64) -> Result<(), DomainError> {
        actor.require(MAILBOX_RESEND)?;
        let now = self.now();
        self.store.write(|tx| {
            let Some(mail) = tx.mail(id)? else {
                return Err(DomainError::InvalidInput(format!("Mail {id} does not exist.")));
            };
            match mail.status {
                MailStatus::Sent => {
                    return Err(DomainError::InvalidInput(format!(
                        "Mail {id} was already delivered; its body was removed, so it cannot be sent again. \
                         Force a new password reset instead."
                    )));
                }
                MailStatus::Mailbox => {
                    return Err(DomainError::InvalidInput(format!(
                        "Mail {id} is in the built-in mailbox (it was queued while no SMTP server was configured) \
                         and is not sent; read it here."
                    )));
                }
                MailStatus::Pending => {}
            }
            if !tx.retry_mail(id, now)? {
                return Err(DomainError::InvalidInput(format!("Mail {id} cannot be retried.")));
            }
            self.audit(tx, actor, "mail.retry", &mail.recipient, &format!("mail {id}"))
        })?;
        self.mail_wakeup.notify_one();
        Ok(())
    }

    // ---- audit ----

    /// A page of the audit log, newest first.
    pub fn audit_log(&self, actor: &Actor, offset: i64, limit: i64) -> Result<Vec<AuditRecord>, DomainError> {
        actor.require(AUDIT_VIEW)?;
        let (offset, limit) = page_bounds(offset, limit);
        Ok(self.store.read(|tx| tx.audit_page(offset, limit))?)
    }
}

/// The fields an edit changed, for the audit log.
fn claim_changes(old: &ClaimMeta, new: &ClaimMeta) -> String {
    let mut out = Vec::new();
    let mut field = |name: &str, before: String, after: String| {
        if before != after {
            out.push(format!("{name}={after}"));
        }
    };
    field("display_name", old.display_name.clone(), new.display_name.clone());
    field("description", old.description.clone(), new.description.clone());
    field("regex", old.regex.clone(), new.regex.clone());
    field(
        "display_order",
        old.display_order.to_string(),
        new.display_order.to_string(),
    );
    field(
        "supported_by_default",
        old.supported_by_default.to_string(),
        new.supported_by_default.to_string(),
    );
    field("required", old.required.to_string(), new.required.to_string());
    field("read_only", old.read_only.to_string(), new.read_only.to_string());
    if out.is_empty() {
        "no change".to_string()
    } else {
        out.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use crate::domain::governance;

    fn admin(app: &App) -> Actor {
        app.authenticate("admin", &Secret::new("admin")).unwrap()
    }

    fn login_only(app: &App) -> Actor {
        let sys = Actor::System;
        app.add_role(&sys, "loginrole", &[permissions::LOGIN.into()], &[])
            .unwrap();
        app.add_user(&sys, "bob", &Secret::new("Abcd@123"), &["loginrole".into()], &[], "")
            .unwrap();
        app.actor_for("bob").unwrap().unwrap()
    }

    #[test]
    fn usermgt_paths_are_spelled_out_correctly() {
        for (path, action) in [
            (USERS_VIEW, "view"),
            (USERS_LIST, "list"),
            (USERS_CREATE, "create"),
            (USERS_UPDATE, "update"),
            (USERS_DELETE, "delete"),
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
            .write::<_, DomainError>(|tx| {
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
        let bob = app.actor_for("bob").unwrap().unwrap();
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
            .write::<_, DomainError>(|tx| Ok(tx.mark_mail_failed(id, "connection refused", i64::MAX)?))
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
            .write::<_, DomainError>(|tx| Ok(tx.mark_mail_sent(id, 1)?))
            .unwrap();
        assert!(
            matches!(app.retry_mail(&admin, id), Err(DomainError::InvalidInput(m)) if m.contains("already delivered"))
        );
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
        assert!(
            matches!(app.retry_mail(&admin, id), Err(DomainError::InvalidInput(m)) if m.contains("built-in mailbox"))
        );
    }
}
