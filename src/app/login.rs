//! Logging in with a user name and password: the login page, the authentication API, Basic auth on the admin
//! services and `RemoteUserStoreManagerService.authenticate` all decide here, the same way.

use super::{Actor, App};
use crate::domain::login::{self, Decision, Facts, LOCKED_REASON_MAX_ATTEMPTS, UserFacts};
use crate::domain::reset::{self, StoredCode};
use crate::domain::secret::Secret;
use crate::domain::{DEFAULT_PROFILE, DomainError, Millis, claims, password, permissions, strip_primary_domain};
use crate::store::{StoreError, Tx};

/// The result of a login: the decision, and the user's canonical name when the user exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginOutcome {
    pub decision: Decision,
    pub user: Option<String>,
}

/// What a login's decision would change: the failed-attempt count, a lock, an OTP attempt. A success with no
/// failed attempts on record and no failed-login lock to lift changes nothing.
fn has_consequences(decision: Decision, state: &LoginState, locking: bool) -> bool {
    match decision {
        Decision::ResetOtpMismatch => true,
        Decision::Failed(login::Failure::WrongPassword) => locking,
        Decision::Success => state.failed_attempts || state.locked_reason == LOCKED_REASON_MAX_ATTEMPTS,
        _ => false,
    }
}

/// What the store says about a user at login, besides the decision's own facts.
struct LoginState {
    /// A failed-login count is on record.
    failed_attempts: bool,
    locked_reason: String,
}

impl App {
    /// Decide a login and record its consequences (failed-attempt count and lock, OTP attempts). Unknown users
    /// cost the same argon2 verification as known ones.
    ///
    /// The decision is made on a read snapshot; only when it changes something (see [`has_consequences`]) is it
    /// made again inside a write transaction and recorded there. So a good login with nothing to reset (Basic on
    /// every call of a script) never waits for the single writer.
    pub fn login(&self, username: &str, password: &Secret) -> Result<LoginOutcome, DomainError> {
        let username = strip_primary_domain(username);
        let now = self.now();
        let record = self.store.read(|tx| tx.user(username))?;
        let hash = record
            .as_ref()
            .map_or(password::dummy_hash(), |r| r.password_hash.as_str());
        // Verified before anything else, whatever the user's state: every failing path costs one argon2
        // verification, known user or not. Only a recently verified success is answered from the cache (a caller
        // who knows the password learns nothing from the speed); the lock and reset checks below still run.
        let password_ok = self.auth_cache.verify(username, password.expose(), hash, now, || {
            self.verify_password(password.expose(), hash)
        }) && record.is_some();
        let Some(record) = record else {
            return Ok(LoginOutcome {
                decision: login::decide(&Facts { user: None }, now),
                user: None,
            });
        };
        let user = record.name;
        let locking = self.config.account_lock.enable_account_locking;
        let (decision, state) = self
            .store
            .read(|tx| self.decide_in(tx, &user, password, password_ok, now))?;
        if !has_consequences(decision, &state, locking) {
            return Ok(LoginOutcome {
                decision,
                user: Some(user),
            });
        }
        let decision = self.store.write(|tx| {
            let (decision, _) = self.decide_in(tx, &user, password, password_ok, now)?;
            self.record_login(tx, &user, decision, now)?;
            Ok::<_, DomainError>(decision)
        })?;
        Ok(LoginOutcome {
            decision,
            user: Some(user),
        })
    }

    fn decide_in(
        &self,
        tx: &Tx<'_>,
        user: &str,
        password: &Secret,
        password_ok: bool,
        now: Millis,
    ) -> Result<(Decision, LoginState), StoreError> {
        let code = tx.recovery_code(user)?;
        let pending = code.as_ref().map(|c| {
            let verdict = reset::judge(
                &StoredCode {
                    scenario: &c.scenario,
                    code_hash: &c.code_hash,
                    expires_at: c.expires_at,
                    attempts_left: c.attempts_left,
                },
                self.code_key(),
                user,
                password.expose(),
                now,
            );
            (c.scenario.as_str(), verdict)
        });
        let claim = |uri: &str| tx.claim_value(user, DEFAULT_PROFILE, uri);
        let locked = claim(claims::ACCOUNT_LOCKED)?.is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let locked_reason = claim(claims::LOCKED_REASON)?.unwrap_or_default();
        let locked_until = claim(claims::UNLOCK_TIME)?
            .and_then(|v| v.parse::<Millis>().ok())
            .filter(|t| *t > 0);
        let decision = login::decide(
            &Facts {
                user: Some(UserFacts {
                    password_ok,
                    pending,
                    locked,
                    locked_until,
                    locked_reason: &locked_reason,
                }),
            },
            now,
        );
        let state = LoginState {
            failed_attempts: claim(claims::FAILED_LOGIN_ATTEMPTS)?.is_some(),
            locked_reason,
        };
        Ok((decision, state))
    }

    /// The consequences of a decided login.
    fn record_login(&self, tx: &Tx<'_>, user: &str, decision: Decision, now: Millis) -> Result<(), DomainError> {
        let lock = &self.config.account_lock;
        match decision {
            Decision::ResetOtpMismatch if tx.spend_recovery_attempt(user)? == Some(0) => {
                self.audit(
                    tx,
                    now,
                    &Actor::System,
                    "user.force_reset.dead",
                    user,
                    "attempt limit reached at login",
                )?;
            }
            Decision::Failed(login::Failure::WrongPassword) if lock.enable_account_locking => {
                let failures = tx
                    .claim_value(user, DEFAULT_PROFILE, claims::FAILED_LOGIN_ATTEMPTS)?
                    .and_then(|v| v.parse::<u32>().ok())
                    .unwrap_or(0)
                    + 1;
                if failures >= lock.allowed_failed_attempts {
                    let until = if lock.auto_unlock_after_minutes < 0 {
                        0
                    } else {
                        now.saturating_add(lock.auto_unlock_after_minutes.saturating_mul(60_000))
                    };
                    tx.set_claim_value(user, DEFAULT_PROFILE, claims::ACCOUNT_LOCKED, "true")?;
                    tx.set_claim_value(user, DEFAULT_PROFILE, claims::LOCKED_REASON, LOCKED_REASON_MAX_ATTEMPTS)?;
                    tx.set_claim_value(user, DEFAULT_PROFILE, claims::UNLOCK_TIME, &until.to_string())?;
                    tx.delete_claim_value(user, DEFAULT_PROFILE, claims::FAILED_LOGIN_ATTEMPTS)?;
                    self.audit(
                        tx,
                        now,
                        &Actor::System,
                        "user.locked",
                        user,
                        &format!("{failures} failed logins"),
                    )?;
                } else {
                    tx.set_claim_value(
                        user,
                        DEFAULT_PROFILE,
                        claims::FAILED_LOGIN_ATTEMPTS,
                        &failures.to_string(),
                    )?;
                }
            }
            Decision::Success => {
                tx.delete_claim_value(user, DEFAULT_PROFILE, claims::FAILED_LOGIN_ATTEMPTS)?;
                // A failed-login lock whose time has passed is lifted on the next good login.
                let reason = tx.claim_value(user, DEFAULT_PROFILE, claims::LOCKED_REASON)?;
                if reason.as_deref() == Some(LOCKED_REASON_MAX_ATTEMPTS) {
                    tx.set_claim_value(user, DEFAULT_PROFILE, claims::ACCOUNT_LOCKED, "false")?;
                    tx.delete_claim_value(user, DEFAULT_PROFILE, claims::LOCKED_REASON)?;
                    tx.delete_claim_value(user, DEFAULT_PROFILE, claims::UNLOCK_TIME)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

impl App {
    /// Check a user name and password (Basic auth, CLI). Unknown users cost one dummy verify so that timing does
    /// not tell who exists.
    pub fn authenticate(&self, username: &str, password: &Secret) -> Result<Actor, DomainError> {
        let outcome = self.login(username, password)?;
        match (outcome.decision, outcome.user) {
            (crate::domain::login::Decision::Success, Some(name)) => {
                self.actor_for(&name)?.ok_or(DomainError::InvalidCredentials)
            }
            _ => Err(DomainError::InvalidCredentials),
        }
    }

    /// The actor for a user already authenticated (e.g. by a session cookie); None if the user is gone.
    pub fn actor_for(&self, username: &str) -> Result<Option<Actor>, DomainError> {
        let found = self.store.read(|tx| tx.user_and_permissions(username))?;
        Ok(found.map(|(name, permissions)| Actor::User { name, permissions }))
    }

    /// `authenticate(userName, credential)` as a question: true or false, never an authentication fault. The
    /// caller needs `/permission/admin/manage/identity`.
    pub fn check_credentials(&self, actor: &Actor, user: &str, credential: &Secret) -> Result<bool, DomainError> {
        // RemoteUserStoreManagerService's service-level permission: `authenticate` has no override of its own.
        actor.require(permissions::MANAGE_IDENTITY)?;
        match self.authenticate(user, credential) {
            Ok(_) => Ok(true),
            Err(DomainError::InvalidCredentials) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
