//! Logging in with a user name and password: the login page, the authentication API, Basic auth on the admin
//! services and `RemoteUserStoreManagerService.authenticate` all decide here, the same way, and the account lock
//! (`account.lock.handler`, as the resident IdP has it now) counts and locks here.

use super::{Actor, App, Tenant};
use crate::domain::governance::{AccountLockSettings, Resident};
use crate::domain::login::{self, Decision, ErrorContext, Facts, LOCKED_REASON_MAX_ATTEMPTS, LockStep, UserFacts};
use crate::domain::reset::{self, StoredCode};
use crate::domain::secret::Secret;
use crate::domain::{DEFAULT_PROFILE, DomainError, Millis, claims, password, permissions, strip_primary_domain};
use crate::store::TenantId;
use crate::store::{StoreError, Tx};

/// The result of a login: the decision, the user's canonical name when the user exists, and the error context
/// WSO2's handlers would leave for the basic authenticator's redirect (codes, failed and maximum attempts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginOutcome {
    pub decision: Decision,
    /// The tenant the typed name (or the page's URL) led to.
    pub tenant: TenantId,
    /// Its domain, for the links and redirects the flow goes on with (`tenantdomain=`).
    pub tenant_domain: String,
    pub user: Option<String>,
    pub context: Option<ErrorContext>,
    /// A successful login whose password has expired (`domain::expiry`, the release's rule and the resident IdP's
    /// settings). The browser login sends the user to the change page; the admin services' Basic auth and the
    /// authentication API ignore it, as WSO2's do (its enforcers act only in the browser flow); the password grant
    /// answers "Authentication Failed! Password has expired" (GOV `PasswordPolicyConstants
    /// .PASSWORD_EXPIRED_ERROR_MESSAGE`, `domain::expiry::PASSWORD_EXPIRED`).
    pub password_expired: bool,
}

/// What the store says about a user at login: the facts a decision needs, owned.
struct Snapshot {
    pending: Option<(String, reset::CodeVerdict)>,
    locked: bool,
    locked_until: Option<Millis>,
    locked_reason: String,
    failed_attempts: u32,
    lockouts: u32,
    policy: AccountLockSettings,
}

impl Snapshot {
    fn facts(&self, password_ok: bool) -> UserFacts<'_> {
        UserFacts {
            password_ok,
            pending: self.pending.as_ref().map(|(s, v)| (s.as_str(), *v)),
            locked: self.locked,
            locked_until: self.locked_until,
            locked_reason: &self.locked_reason,
            failed_attempts: self.failed_attempts,
            lockouts: self.lockouts,
        }
    }
}

/// A decided login: the decision, the account lock's step, and the error context they leave.
struct Decided {
    decision: Decision,
    step: LockStep,
    context: Option<ErrorContext>,
    password_expired: bool,
}

impl Decided {
    /// Nothing to record: no count or lock to change, no OTP attempt to spend. Such a login needs no write.
    fn records_nothing(&self) -> bool {
        self.step == LockStep::Keep && self.decision != Decision::ResetOtpMismatch
    }
}

impl App {
    /// Decide a login and record its consequences (failed-attempt count and lock, OTP attempts). Unknown users
    /// cost the same argon2 verification as known ones.
    ///
    /// The decision is made on a read snapshot; only when it changes something (a count, a lock, an OTP attempt,
    /// counts to clear) is it made again inside a write transaction and recorded there. So a good login with
    /// nothing to clear (Basic on every call of a script) never waits for the single writer.
    ///
    /// The typed name picks the tenant (`tom@wso2.com`: see [`App::locate_user`]); a name in an inactive tenant
    /// is answered as an unknown user.
    pub fn login(&self, username: &str, password: &Secret) -> Result<LoginOutcome, DomainError> {
        self.login_at(None, username, password)
    }

    /// [`App::login`] on a tenant's page (`/t/{domain}/commonauth`): see [`App::locate_user_at`].
    pub fn login_at(
        &self,
        url: Option<&Tenant>,
        username: &str,
        password: &Secret,
    ) -> Result<LoginOutcome, DomainError> {
        let (tenant, tenant_domain, username) = match self.locate_user_at(url, strip_primary_domain(username))? {
            Some((t, name)) => (t.id, t.domain, name),
            None => (TenantId::SUPER, crate::domain::tenant::SUPER_DOMAIN.to_string(), ""),
        };
        let now = self.now();
        let record = if username.is_empty() {
            None
        } else {
            self.store.read(tenant, |tx| tx.user(username))?
        };
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
            let decision = login::decide(&Facts { user: None }, now);
            // No account-lock value matters to an unknown user's context: the deployment.toml ones stand in.
            let context = self.error_context(decision, LockStep::Keep, None, &self.lock_defaults());
            return Ok(LoginOutcome {
                decision,
                tenant,
                tenant_domain,
                user: None,
                context,
                password_expired: false,
            });
        };
        let user = record.name;
        let decided = self
            .store
            .read(tenant, |tx| self.decide_in(tx, &user, password, password_ok, now))?;
        if decided.records_nothing() {
            return Ok(LoginOutcome {
                decision: decided.decision,
                tenant,
                tenant_domain,
                user: Some(user),
                context: decided.context,
                password_expired: decided.password_expired,
            });
        }
        let decided = self.store.write(tenant, |tx| {
            let decided = self.decide_in(tx, &user, password, password_ok, now)?;
            self.record_login(tx, &user, &decided, now)?;
            Ok::<_, DomainError>(decided)
        })?;
        Ok(LoginOutcome {
            decision: decided.decision,
            tenant,
            tenant_domain,
            user: Some(user),
            context: decided.context,
            password_expired: decided.password_expired,
        })
    }

    fn decide_in(
        &self,
        tx: &Tx<'_>,
        user: &str,
        password: &Secret,
        password_ok: bool,
        now: Millis,
    ) -> Result<Decided, StoreError> {
        // The governance values, read once for the lock and the expiry.
        let resident = self.resident_in(tx)?;
        let snapshot = self.snapshot(tx, &resident, user, password, now)?;
        let facts = snapshot.facts(password_ok);
        let decision = login::decide(
            &Facts {
                user: Some(facts.clone()),
            },
            now,
        );
        let step = login::lock_step(decision, &facts, &snapshot.policy, now);
        let context = self.error_context(decision, step, Some(&facts), &snapshot.policy);
        // Asked only of a good login: a pending forced reset or a lock is decided first (the forced reset wins).
        let password_expired = decision == Decision::Success && self.password_expired_with(tx, &resident, user, now)?;
        Ok(Decided {
            decision,
            step,
            context,
            password_expired,
        })
    }

    fn snapshot(
        &self,
        tx: &Tx<'_>,
        resident: &Resident,
        user: &str,
        password: &Secret,
        now: Millis,
    ) -> Result<Snapshot, StoreError> {
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
            (c.scenario.clone(), verdict)
        });
        let claim = |uri: &str| tx.claim_value(user, DEFAULT_PROFILE, uri);
        let count =
            |uri: &str| -> Result<u32, StoreError> { Ok(claim(uri)?.and_then(|v| v.trim().parse().ok()).unwrap_or(0)) };
        Ok(Snapshot {
            pending,
            locked: claim(claims::ACCOUNT_LOCKED)?.is_some_and(|v| v.eq_ignore_ascii_case("true")),
            locked_until: claim(claims::UNLOCK_TIME)?
                .and_then(|v| v.parse::<Millis>().ok())
                .filter(|t| *t > 0),
            locked_reason: claim(claims::LOCKED_REASON)?.unwrap_or_default(),
            failed_attempts: count(claims::FAILED_LOGIN_ATTEMPTS)?,
            lockouts: count(claims::FAILED_LOGIN_LOCKOUT_COUNT)?,
            policy: self.lock_settings_of(resident),
        })
    }

    fn error_context(
        &self,
        decision: Decision,
        step: LockStep,
        facts: Option<&UserFacts<'_>>,
        policy: &AccountLockSettings,
    ) -> Option<ErrorContext> {
        let settings = &self.settings;
        login::error_context(
            decision,
            step,
            facts,
            policy,
            &settings.profile.login,
            settings.basic_auth.check_account_exist,
        )
    }

    /// The consequences of a decided login, with the claim values WSO2's account-lock handler writes.
    fn record_login(&self, tx: &Tx<'_>, user: &str, decided: &Decided, now: Millis) -> Result<(), DomainError> {
        let set = |uri: &str, value: &str| tx.set_claim_value(user, DEFAULT_PROFILE, uri, value);
        if decided.decision == Decision::ResetOtpMismatch && tx.spend_recovery_attempt(user)? == Some(0) {
            self.audit(
                tx,
                now,
                &Actor::System,
                "user.force_reset.dead",
                user,
                "attempt limit reached at login",
            )?;
        }
        match decided.step {
            LockStep::Keep => {}
            LockStep::Count(failed) => {
                set(claims::FAILED_LOGIN_ATTEMPTS, &failed.to_string())?;
            }
            LockStep::Lock {
                failed,
                until,
                lockouts,
            } => {
                set(claims::ACCOUNT_LOCKED, "true")?;
                if self.settings.profile.login.lock_writes_reason {
                    set(claims::LOCKED_REASON, LOCKED_REASON_MAX_ATTEMPTS)?;
                }
                set(claims::UNLOCK_TIME, &until.unwrap_or(0).to_string())?;
                set(claims::FAILED_LOGIN_LOCKOUT_COUNT, &lockouts.to_string())?;
                set(claims::FAILED_LOGIN_ATTEMPTS, "0")?;
                let until = until.map_or("until an admin unlocks it".to_string(), |t| format!("until {t}"));
                self.audit(
                    tx,
                    now,
                    &Actor::System,
                    "user.locked",
                    user,
                    &format!("{failed} failed logins, lock {lockouts}, {until}"),
                )?;
            }
            LockStep::Clear => {
                set(claims::FAILED_LOGIN_ATTEMPTS, "0")?;
                set(claims::FAILED_LOGIN_LOCKOUT_COUNT, "0")?;
                set(claims::UNLOCK_TIME, "0")?;
                set(claims::ACCOUNT_LOCKED, "false")?;
                // The handler's unlock empties the reason it wrote (an account-lock pre-set step, 6.0 on).
                let reason = tx.claim_value(user, DEFAULT_PROFILE, claims::LOCKED_REASON)?;
                if reason.as_deref() == Some(LOCKED_REASON_MAX_ATTEMPTS) {
                    tx.delete_claim_value(user, DEFAULT_PROFILE, claims::LOCKED_REASON)?;
                }
            }
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
            (crate::domain::login::Decision::Success, Some(name)) => self
                .actor_for(outcome.tenant, &name)?
                .ok_or(DomainError::InvalidCredentials),
            _ => Err(DomainError::InvalidCredentials),
        }
    }

    /// [`App::authenticate`] without its slow parts, for a caller on the reactor inside [`App::quick`]: answered
    /// only when the password is a remembered success (no argon2) and the login changes nothing (no write), with
    /// the decision `authenticate` would make; None otherwise (an unknown user, a cache miss, a count to clear, a
    /// store error), and the caller runs `authenticate` on a blocking thread.
    pub fn authenticate_quick(&self, username: &str, password: &Secret) -> Option<Result<Actor, DomainError>> {
        let (tenant, username) = self.locate_user(strip_primary_domain(username)).ok()??;
        let now = self.now();
        let record = self.store.read(tenant, |tx| tx.user(username)).ok()??;
        if !self
            .auth_cache
            .check(username, password.expose(), &record.password_hash, now)
        {
            return None;
        }
        let user = record.name;
        let decided = self
            .store
            .read(tenant, |tx| self.decide_in(tx, &user, password, true, now))
            .ok()?;
        if !decided.records_nothing() {
            return None;
        }
        if decided.decision != Decision::Success {
            return Some(Err(DomainError::InvalidCredentials));
        }
        Some(
            self.actor_for(tenant, &user)
                .ok()?
                .ok_or(DomainError::InvalidCredentials),
        )
    }

    /// The actor for a user already authenticated (e.g. by a session cookie); None if the user is gone.
    pub fn actor_for(&self, tenant: TenantId, username: &str) -> Result<Option<Actor>, DomainError> {
        let found = self.store.read(tenant, |tx| tx.user_and_permissions(username))?;
        Ok(found.map(|authz| Actor::User {
            tenant,
            name: authz.name,
            permissions: authz.permissions,
        }))
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
