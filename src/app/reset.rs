//! The forced-reset use cases: triggering a reset (from any claim write, the CLI or the console), checking and
//! completing it with the code, and what an admin's direct password change does to it. The recovery portal's
//! flow (the code checked once, then completed from the session) is in [`super::recovery`].

use super::{Actor, App};
use crate::domain::governance::ResetMode;
use crate::domain::profile::reset::AdminPasswordSet;
use crate::domain::reset::{self, CodeVerdict, ResetPlan, StoredCode};
use crate::domain::secret::Secret;
use crate::domain::{DEFAULT_PROFILE, DomainError, Millis, USER_STORE_DOMAIN, claims, permissions};
use crate::mail::templates::{TemplateVars, render_stored};
use crate::store::TenantId;
use crate::store::{MailStatus, NewMail, RecoveryCode, Tx};

/// Claim values as (URI, value).
type Claims = Vec<(String, String)>;

/// What a forced reset did, for the CLI and the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetOutcome {
    pub mode: ResetMode,
    /// The queued mail, if the mode mails.
    pub mail_id: Option<i64>,
    pub expires_at: Option<Millis>,
}

/// What `resend-code` did for a pending reset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResendOutcome {
    /// The queued mail with the new code.
    pub mail_id: i64,
    pub expires_at: Option<Millis>,
}

/// The state of a user's pending reset as a code check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    Valid {
        scenario: String,
    },
    /// Wrong code; `attempts_left` after this one.
    Mismatch {
        attempts_left: i64,
    },
    /// Past its expiry (WSO2 18002; 18022 for an OTP scenario in 7.2).
    Expired {
        scenario: String,
    },
    Dead,
    /// No pending reset for this user (or no such user).
    Unknown,
}

/// Does a claim write carry the forced-reset trigger (`adminForcedPasswordReset=true`, any case)?
fn is_triggered(values: &[(String, String)]) -> bool {
    values
        .iter()
        .any(|(uri, v)| uri == claims::ADMIN_FORCED_PASSWORD_RESET && v.eq_ignore_ascii_case("true"))
}

/// With a plan, the trigger and any `accountLocked` value leave the write (the reset decides both); without one
/// (no mode enabled) the values are stored as they are, as WSO2's handler leaves them.
fn without_trigger(values: &[(String, String)], plan: Option<ResetPlan>) -> (Claims, Option<ResetPlan>) {
    match plan {
        None => (values.to_vec(), None),
        Some(plan) => {
            let rest = values
                .iter()
                .filter(|(uri, _)| uri != claims::ADMIN_FORCED_PASSWORD_RESET && uri != claims::ACCOUNT_LOCKED)
                .cloned()
                .collect();
            (rest, Some(plan))
        }
    }
}

/// A stored code as the rules see it.
pub(super) fn stored_code(code: &RecoveryCode) -> StoredCode<'_> {
    StoredCode {
        scenario: &code.scenario,
        code_hash: &code.code_hash,
        expires_at: code.expires_at,
        attempts_left: code.attempts_left,
    }
}

impl App {
    /// The per-installation key codes are hashed under.
    pub(super) fn code_key(&self) -> &[u8; 32] {
        &self.code_key
    }

    /// Plan a forced reset of `user` under the current settings; None when no mode is enabled.
    fn plan_reset(&self, actor: &Actor, user: &str, now: Millis) -> Result<Option<ResetPlan>, DomainError> {
        Ok(self.plan_reset_with(&self.reset_settings(actor)?, user, now))
    }

    /// Plan a forced reset of `user` under `settings`; None when no mode is enabled.
    fn plan_reset_with(
        &self,
        settings: &crate::domain::governance::ResetSettings,
        user: &str,
        now: Millis,
    ) -> Option<ResetPlan> {
        let e = &self.config.emulator;
        let format = reset::OtpFormat::new(e.otp_length, &e.otp_alphabet);
        reset::plan(
            &self.settings.profile.reset,
            settings,
            &format,
            e.max_otp_attempts,
            self.code_key(),
            user,
            now,
            &mut rand::rng(),
        )
    }

    /// WSO2's PRE_SET_USER_CLAIMS rule: `adminForcedPasswordReset=true` (case-insensitive) with any mode enabled is
    /// an action, not a claim: take it (and any accountLocked value) out of the write and plan the reset.
    pub(super) fn split_reset_trigger(
        &self,
        actor: &Actor,
        user: &str,
        values: &[(String, String)],
        now: Millis,
    ) -> Result<(Claims, Option<ResetPlan>), DomainError> {
        if !is_triggered(values) {
            return Ok((values.to_vec(), None));
        }
        let plan = self.plan_reset(actor, user, now)?;
        Ok(without_trigger(values, plan))
    }

    /// [`App::split_reset_trigger`] inside the caller's transaction, under the settings it sees.
    pub(super) fn split_reset_trigger_in(
        &self,
        tx: &Tx<'_>,
        user: &str,
        values: &[(String, String)],
        now: Millis,
    ) -> Result<(Claims, Option<ResetPlan>), DomainError> {
        if !is_triggered(values) {
            return Ok((values.to_vec(), None));
        }
        let plan = self.plan_reset_with(&self.reset_settings_in(tx)?, user, now);
        Ok(without_trigger(values, plan))
    }

    /// Apply a planned reset inside the caller's transaction: replace any previous code, lock the account, put the
    /// offline OTP in its claim or queue the e-mail, and audit. Fails (rolling everything back) when the mode
    /// mails and the user has no e-mail address.
    pub(super) fn apply_reset(
        &self,
        tx: &Tx<'_>,
        now: Millis,
        actor: &Actor,
        user: &str,
        plan: &ResetPlan,
    ) -> Result<Option<i64>, DomainError> {
        // The user's sessions end with the reset, in whichever process holds them (the CLI may force a reset
        // while the server runs); this process also drops its own at once (`after_reset`).
        tx.end_sessions(user, now)?;
        let stored = tx.put_recovery_code(
            user,
            &RecoveryCode {
                scenario: plan.scenario.to_string(),
                code_hash: plan.code_hash.clone(),
                created_at: now,
                expires_at: plan.expires_at,
                attempts_left: i64::from(plan.attempts),
            },
        )?;
        if !stored {
            return Err(DomainError::UserNotFound(user.to_string()));
        }
        for (uri, value) in &plan.claims {
            tx.set_claim_value(user, DEFAULT_PROFILE, uri, value)?;
        }
        if plan.code_in_claim {
            tx.set_claim_value(user, DEFAULT_PROFILE, claims::ONE_TIME_PASSWORD, plan.code.expose())?;
        } else {
            // A code from an earlier offline reset must not linger where the admin would read it.
            tx.delete_claim_value(user, DEFAULT_PROFILE, claims::ONE_TIME_PASSWORD)?;
        }
        let mail_id = match plan.template {
            Some(template) => Some(self.queue_reset_mail(tx, user, template, &plan.code, now)?),
            None => None,
        };
        self.audit(
            tx,
            now,
            actor,
            "user.force_reset",
            user,
            &format!("mode={:?}", plan.mode),
        )?;
        Ok(mail_id)
    }

    fn queue_reset_mail(
        &self,
        tx: &Tx<'_>,
        user: &str,
        template: &str,
        code: &Secret,
        now: Millis,
    ) -> Result<i64, DomainError> {
        let user_claims = tx.claim_values(user, DEFAULT_PROFILE)?;
        let Some(recipient) = user_claims
            .iter()
            .find(|(uri, v)| uri == claims::EMAIL && !v.trim().is_empty())
            .map(|(_, v)| v.clone())
        else {
            return Err(DomainError::InvalidInput(format!(
                "Cannot force a password reset by e-mail: user {user} has no e-mail address ({})",
                claims::EMAIL
            )));
        };
        let vars = TemplateVars {
            user_name: user.to_string(),
            user_claims,
            confirmation_code: code.expose().to_string(),
            userstore_domain: USER_STORE_DOMAIN.to_string(),
            // The user's tenant: its link leads back to its own recovery flow (product-is#5659: two tenants' `tom`).
            tenant_domain: tx.tenant_domain()?,
            product_url: self.product_url(),
        };
        // Rendered now and kept in the outbox: editing the template later never changes this mail.
        let Some(stored) = self.template_for(tx, template, &vars.user_claims)? else {
            tracing::error!(template, "no e-mail template of this type, not even in en_US");
            return Err(DomainError::Internal);
        };
        let rendered = render_stored(&stored, &vars);
        let status = if self.config.email.hostname.is_some() {
            MailStatus::Pending
        } else {
            MailStatus::Mailbox
        };
        let mail = NewMail {
            template: template.to_string(),
            recipient,
            subject: rendered.subject,
            body: rendered.body,
            content_type: rendered.content_type,
        };
        Ok(tx.enqueue_mail(&mail, status, now)?)
    }

    /// After a reset committed: end the user's sessions and wake the mail worker.
    pub(super) fn after_reset(&self, tenant: TenantId, user: &str) {
        self.sessions.revoke_user(tenant, user);
        self.mail_wakeup.notify_one();
    }

    /// Force a password reset of `user` under the current settings (`user force-reset`, the console).
    pub fn force_reset(&self, actor: &Actor, user: &str) -> Result<ResetOutcome, DomainError> {
        actor.require(permissions::USERS_UPDATE)?;
        let user = crate::domain::strip_primary_domain(user);
        let now = self.now();
        let Some(plan) = self.plan_reset(actor, user, now)? else {
            return Err(DomainError::InvalidInput(
                "No admin forced password reset option is enabled (Recovery.AdminPasswordReset.RecoveryLink, OTP \
                 or Offline)"
                    .into(),
            ));
        };
        let mail_id = self.store.write(actor.tenant(), |tx| {
            if !tx.user_exists(user)? {
                return Err(DomainError::UserNotFound(user.to_string()));
            }
            self.apply_reset(tx, now, actor, user, &plan)
        })?;
        self.after_reset(actor.tenant(), user);
        Ok(ResetOutcome {
            mode: plan.mode,
            mail_id,
            expires_at: plan.expires_at,
        })
    }

    /// `resend-code` for a forced reset: a new code for `user`'s pending reset of `scenario`, the old one dead and
    /// one new mail (the release's resend template), in one transaction. None when the user has no pending reset
    /// of that scenario (no such user included: WSO2 finds no recovery data either). An expired or spent code is
    /// resent as WSO2 does (`loadWithoutCodeExpiryValidation`). From IS 6.0 the caller needs the identity
    /// management permission (the profile's `rest.resend_code.permission`); before, any authenticated caller.
    pub fn resend_reset_code(
        &self,
        actor: &Actor,
        user: &str,
        scenario: &str,
    ) -> Result<Option<ResendOutcome>, DomainError> {
        let api = self.settings.profile.rest.resend_code;
        if let Some(permission) = api.permission {
            actor.require(permission)?;
        }
        let user = crate::domain::strip_primary_domain(user);
        let now = self.now();
        let settings = self.reset_settings(actor)?;
        let e = &self.config.emulator;
        let format = reset::OtpFormat::new(e.otp_length, &e.otp_alphabet);
        let outcome = self.store.write(actor.tenant(), |tx| {
            let Some(pending) = tx.recovery_code(user)? else {
                return Ok(None);
            };
            let planned = reset::plan_resend(
                &pending.scenario,
                scenario,
                api.otp_resent_as_otp,
                &format,
                &settings,
                e.max_otp_attempts,
                self.code_key(),
                user,
                now,
                &mut rand::rng(),
            );
            let Some(plan) = planned else {
                return Ok(None);
            };
            tx.put_recovery_code(
                user,
                &RecoveryCode {
                    scenario: pending.scenario.clone(),
                    code_hash: plan.code_hash.clone(),
                    created_at: now,
                    expires_at: plan.expires_at,
                    attempts_left: i64::from(plan.attempts),
                },
            )?;
            // An offline reset's code in the oneTimePassword claim is dead now: it must not linger there.
            tx.delete_claim_value(user, DEFAULT_PROFILE, claims::ONE_TIME_PASSWORD)?;
            let mail_id = self.queue_reset_mail(tx, user, plan.template, &plan.code, now)?;
            self.audit(tx, now, actor, "user.force_reset.resend", user, &pending.scenario)?;
            Ok::<_, DomainError>(Some(ResendOutcome {
                mail_id,
                expires_at: plan.expires_at,
            }))
        })?;
        if outcome.is_some() {
            self.mail_wakeup.notify_one();
        }
        Ok(outcome)
    }

    /// Check a submitted code of a carbon.super user without consuming it. A mismatch counts against the budget.
    /// (The pages go through the recovery flows, which carry the user's tenant: `App::open_recovery`.)
    pub fn check_reset_code(&self, user: &str, code: &str) -> Result<CodeCheck, DomainError> {
        let user = crate::domain::strip_primary_domain(user);
        let now = self.now();
        self.store
            .write(TenantId::SUPER, |tx| self.judge_in(tx, user, code, now))
    }

    pub(super) fn judge_in(&self, tx: &Tx<'_>, user: &str, code: &str, now: Millis) -> Result<CodeCheck, DomainError> {
        let Some(stored) = tx.recovery_code(user)? else {
            return Ok(CodeCheck::Unknown);
        };
        let verdict = reset::judge(&stored_code(&stored), self.code_key(), user, code, now);
        Ok(match verdict {
            CodeVerdict::Valid => CodeCheck::Valid {
                scenario: stored.scenario,
            },
            CodeVerdict::Expired => CodeCheck::Expired {
                scenario: stored.scenario,
            },
            CodeVerdict::Dead => CodeCheck::Dead,
            CodeVerdict::Mismatch => {
                let left = tx.spend_recovery_attempt(user)?.unwrap_or(0);
                if left == 0 {
                    self.audit(
                        tx,
                        now,
                        &Actor::System,
                        "user.force_reset.dead",
                        user,
                        "attempt limit reached",
                    )?;
                }
                CodeCheck::Mismatch { attempts_left: left }
            }
        })
    }

    /// Complete a forced reset of a carbon.super user with its code and a new password: all or nothing, single
    /// use. The password policy is checked first so a weak password leaves the code usable for another try.
    pub fn complete_reset(&self, user: &str, code: &str, new_password: &Secret) -> Result<CodeCheck, DomainError> {
        let user = crate::domain::strip_primary_domain(user);
        self.password_policy.check_password(new_password.expose())?;
        let hash = self.hash_password(new_password.expose())?;
        let now = self.now();
        let check = self.store.write(TenantId::SUPER, |tx| {
            let check = self.judge_in(tx, user, code, now)?;
            if matches!(check, CodeCheck::Valid { .. }) {
                self.finish_reset_in(tx, user, &hash, now)?;
            }
            Ok::<_, DomainError>(check)
        })?;
        if matches!(check, CodeCheck::Valid { .. }) {
            self.sessions.revoke_user(TenantId::SUPER, user);
        }
        Ok(check)
    }

    /// A reset's code was accepted: set the new password, use the code up, write the release's completion claims
    /// and audit.
    pub(super) fn finish_reset_in(&self, tx: &Tx<'_>, user: &str, hash: &str, now: Millis) -> Result<(), DomainError> {
        super::users::set_password_in(tx, user, hash, now)?;
        tx.end_sessions(user, now)?;
        tx.delete_recovery_code(user)?;
        let claims = reset::completion_claims(&self.settings.profile.reset);
        self.write_claims_in(tx, user, &claims)?;
        self.audit(tx, now, &Actor::System, "user.force_reset.completed", user, "")
    }

    /// What an admin setting `user`'s password directly does to a pending reset, per release (inside the password
    /// change's transaction): see [`AdminPasswordSet`].
    pub(super) fn admin_password_set_in(&self, tx: &Tx<'_>, user: &str) -> Result<(), DomainError> {
        let had_code = tx.delete_recovery_code(user)?;
        let claims = match self.settings.profile.reset.admin_password_set {
            AdminPasswordSet::CancelAndUnlock if had_code => reset::completion_claims(&self.settings.profile.reset),
            AdminPasswordSet::CancelAndUnlock => return Ok(()),
            AdminPasswordSet::UnlockPendingReasons => {
                let claim = |uri: &str| tx.claim_value(user, DEFAULT_PROFILE, uri);
                let locked = claim(claims::ACCOUNT_LOCKED)?.is_some_and(|v| v.eq_ignore_ascii_case("true"));
                let unlock = reset::admin_set_unlock_claims(
                    locked,
                    claim(claims::LOCKED_REASON)?.as_deref(),
                    claim(claims::ACCOUNT_STATE)?.as_deref(),
                );
                if had_code {
                    // The offline OTP of a code that no longer exists must not linger (WSO2 leaves it: a deliberate
                    // deviation).
                    tx.delete_claim_value(user, DEFAULT_PROFILE, claims::ONE_TIME_PASSWORD)?;
                }
                match unlock {
                    Some(claims) => claims,
                    None => return Ok(()),
                }
            }
        };
        self.write_claims_in(tx, user, &claims)
    }

    /// Write (value) or remove (empty value) claims of the default profile. A claim the dialect does not have is
    /// skipped, as WSO2 writes `accountState` only "if the accountState claim exists" (`Utils.isAccountStateClaimExisting`).
    fn write_claims_in(&self, tx: &Tx<'_>, user: &str, claims: &[(&str, String)]) -> Result<(), DomainError> {
        for (uri, value) in claims {
            if value.is_empty() {
                tx.delete_claim_value(user, DEFAULT_PROFILE, uri)?;
            } else if tx.claim_meta(uri)?.is_some() {
                tx.set_claim_value(user, DEFAULT_PROFILE, uri, value)?;
            }
        }
        Ok(())
    }

    /// Is the carbon.super account locked (any reason)?
    pub fn is_locked(&self, user: &str) -> Result<bool, DomainError> {
        let value = self.store.read(TenantId::SUPER, |tx| {
            tx.claim_value(user, DEFAULT_PROFILE, claims::ACCOUNT_LOCKED)
        })?;
        Ok(value.is_some_and(|v| v.eq_ignore_ascii_case("true")))
    }

    /// Users a bulk forced reset would touch: members of a role, or everyone but the super admin.
    pub fn reset_targets(&self, actor: &Actor, role: Option<&str>) -> Result<Vec<String>, DomainError> {
        actor.require(permissions::USERS_LIST)?;
        let admin = self.config.super_admin.username.clone();
        let users = match role {
            Some(r) => self.store.read(actor.tenant(), |tx| {
                if !tx.role_exists(r)? {
                    return Ok(None);
                }
                Ok(Some(tx.users_of_role(r)?))
            })?,
            None => Some(self.store.read(actor.tenant(), |tx| tx.list_users("*", -1))?),
        };
        let users = users.ok_or_else(|| DomainError::RoleNotFound(role.unwrap_or_default().to_string()))?;
        Ok(users.into_iter().filter(|u| !u.eq_ignore_ascii_case(&admin)).collect())
    }
}
