//! Users and their accounts: create, delete, list and show; passwords set by an administrator or changed by the
//! user; ids and tenants; the lock state the console shows and unlocking. Each use case checks the actor's
//! permission, then runs one store transaction.

use super::{Actor, App, EVERYONE_ROLE};
use crate::domain::claims;
use crate::domain::profile::store::NumericIds;
use crate::domain::secret::Secret;
use crate::domain::{DEFAULT_PROFILE, DomainError, Millis, permissions, reset, strip_primary_domain};
use crate::store::{StoreError, TenantId, Tx};

/// The tenant id of `carbon.super`.
pub const SUPER_TENANT_ID: i32 = TenantId::SUPER.get();

/// Carbon's `MultitenantConstants.INVALID_TENANT_ID`: the answer for a tenant domain that does not exist.
pub const INVALID_TENANT_ID: i32 = -1;

/// The message WSO2's user core gives when `updateCredential`'s old credential is wrong.
pub const OLD_CREDENTIAL_MISMATCH: &str = "Old credential does not match with the existing credentials.";

/// A user as shown by `user show` and the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserView {
    pub name: String,
    pub roles: Vec<String>,
    pub claims: Vec<(String, String)>,
    pub created_at: Millis,
}

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

/// Does `value` match a WSO2 claim filter, where `*` stands for any run of characters? Case-sensitive otherwise.
pub fn matches_filter(filter: &str, value: &str) -> bool {
    let parts: Vec<&str> = filter.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return filter == value;
    };
    let Some(mut rest) = value.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Every password set (an admin's, the user's change, a completed reset, an expired password's change): the new
/// hash and `lastPasswordUpdateTime` (epoch ms) in the same transaction, as the `passwordExpiry` handler writes it
/// on `POST_UPDATE_CREDENTIAL[_BY_ADMIN]`, so password expiry counts from here. False when there is no such user.
pub(super) fn set_password_in(tx: &Tx<'_>, user: &str, hash: &str, now: Millis) -> Result<bool, StoreError> {
    if !tx.set_password_hash(user, hash, now)? {
        return Ok(false);
    }
    tx.set_claim_value(
        user,
        DEFAULT_PROFILE,
        claims::LAST_PASSWORD_UPDATE_TIME,
        &now.to_string(),
    )?;
    Ok(true)
}

impl App {
    pub(super) fn require_user(&self, tx: &Tx<'_>, user: &str) -> Result<(), DomainError> {
        if tx.user_exists(user)? {
            Ok(())
        } else {
            Err(DomainError::UserNotFound(user.to_string()))
        }
    }

    /// Is `user` the super admin (`[super_admin] username`)? It cannot be deleted or lose the `admin` role.
    pub fn is_super_admin(&self, user: &str) -> bool {
        user.eq_ignore_ascii_case(&self.config.super_admin.username)
    }

    /// Create a user with a password, roles and claims (RemoteUserStoreManagerService.addUser, `user add`).
    pub fn add_user(
        &self,
        actor: &Actor,
        name: &str,
        password: &Secret,
        roles: &[String],
        claims: &[(String, String)],
        profile: &str,
    ) -> Result<(), DomainError> {
        let (name, hash) = self.new_user_checks(actor, name, password)?;
        let now = self.now();
        self.store.write(actor.tenant(), |tx| {
            self.add_user_in(tx, actor, name, &hash, roles, claims, profile, now)
        })
    }

    /// What every way of adding a user checks first: the permission, the name and password policies; the name
    /// without `PRIMARY/` and the password's hash (slow, so before the transaction).
    pub(super) fn new_user_checks<'n>(
        &self,
        actor: &Actor,
        name: &'n str,
        password: &Secret,
    ) -> Result<(&'n str, String), DomainError> {
        actor.require(permissions::USERS_CREATE)?;
        let name = strip_primary_domain(name);
        self.username_policy.check_username(name)?;
        self.password_policy.check_password(password.expose())?;
        Ok((name, self.hash_password(password.expose())?))
    }

    /// The transaction of [`App::add_user`] (name and password already checked, the password hashed).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn add_user_in(
        &self,
        tx: &Tx<'_>,
        actor: &Actor,
        name: &str,
        hash: &str,
        roles: &[String],
        claims: &[(String, String)],
        profile: &str,
        now: Millis,
    ) -> Result<(), DomainError> {
        if tx.user_exists(name)? {
            return Err(DomainError::UserExists(name.to_string()));
        }
        tx.insert_user(name, hash, now)?;
        for role in roles
            .iter()
            .map(|r| strip_primary_domain(r))
            .filter(|r| *r != EVERYONE_ROLE)
        {
            if !tx.add_user_to_role(name, role)? {
                return Err(DomainError::RoleNotFound(role.to_string()));
            }
        }
        self.write_claims(tx, actor, name, profile, claims)?;
        // The LDAP schema requires sn: WSO2's LDAP stores write the user name there when no last name is given.
        let given_last_name = claims.iter().any(|(uri, v)| uri == claims::LAST_NAME && !v.is_empty());
        if self.config.user_store.store_type.fills_last_name() && !given_last_name {
            tx.set_claim_value(name, DEFAULT_PROFILE, claims::LAST_NAME, name)?;
        }
        tx.set_claim_value(
            name,
            self.stored_profile(profile),
            claims::LAST_PASSWORD_UPDATE_TIME,
            &now.to_string(),
        )?;
        self.audit(tx, now, actor, "user.add", name, &format!("roles={}", roles.join(",")))
    }

    pub fn delete_user(&self, actor: &Actor, name: &str) -> Result<(), DomainError> {
        let now = self.now();
        actor.require(permissions::USERS_DELETE)?;
        let name = strip_primary_domain(name);
        if self.is_super_admin(name) {
            return Err(DomainError::CannotDeleteAdmin);
        }
        self.store.write(actor.tenant(), |tx| {
            if !tx.delete_user(name)? {
                return Err(DomainError::UserNotFound(name.to_string()));
            }
            self.audit(tx, now, actor, "user.delete", name, "")
        })?;
        // A deleted user's sessions mean nothing any more.
        self.sessions.revoke_user(actor.tenant(), name);
        Ok(())
    }

    /// `isExistingUser`, under RemoteUserStoreManagerService's service-level permission (the operation has no
    /// override in its services.xml).
    pub fn user_exists(&self, actor: &Actor, name: &str) -> Result<bool, DomainError> {
        actor.require(permissions::MANAGE_IDENTITY)?;
        Ok(self
            .store
            .read(actor.tenant(), |tx| tx.user_exists(strip_primary_domain(name)))?)
    }

    /// Users matching a WSO2 filter (`*` wildcard); `limit` < 0 = all.
    pub fn list_users(&self, actor: &Actor, filter: &str, limit: i64) -> Result<Vec<String>, DomainError> {
        actor.require(permissions::USERS_LIST)?;
        Ok(self
            .store
            .read(actor.tenant(), |tx| tx.list_users(strip_primary_domain(filter), limit))?)
    }

    pub fn user_view(&self, actor: &Actor, name: &str, profile: &str) -> Result<UserView, DomainError> {
        let name = strip_primary_domain(name);
        if !actor.is(name) {
            actor.require(permissions::USERS_VIEW)?;
        }
        self.store
            .read(actor.tenant(), |tx| {
                let Some(record) = tx.user(name)? else {
                    return Ok(None);
                };
                Ok(Some(UserView {
                    roles: tx.roles_of_user(&record.name)?,
                    claims: tx.claim_values(&record.name, self.stored_profile(profile))?,
                    created_at: record.created_at,
                    name: record.name,
                }))
            })?
            .ok_or_else(|| DomainError::UserNotFound(name.to_string()))
    }

    /// Set a user's password as an administrator (updateCredentialByAdmin, `user passwd`).
    pub fn set_password_by_admin(&self, actor: &Actor, name: &str, password: &Secret) -> Result<(), DomainError> {
        actor.require(permissions::USERS_UPDATE)?;
        let name = strip_primary_domain(name);
        self.password_policy.check_password(password.expose())?;
        let hash = self.hash_password(password.expose())?;
        let now = self.now();
        self.store.write(actor.tenant(), |tx| {
            self.set_password_by_admin_in(tx, name, &hash, now)?;
            self.audit(tx, now, actor, "user.password.admin", name, "")
        })?;
        self.sessions.revoke_user(actor.tenant(), name);
        Ok(())
    }

    /// The transaction of [`App::set_password_by_admin`] (the password checked and hashed); the caller audits and
    /// revokes the user's sessions after commit.
    pub(super) fn set_password_by_admin_in(
        &self,
        tx: &Tx<'_>,
        name: &str,
        hash: &str,
        now: Millis,
    ) -> Result<(), DomainError> {
        if !set_password_in(tx, name, hash, now)? {
            return Err(DomainError::UserNotFound(name.to_string()));
        }
        tx.end_sessions(name, now)?;
        // WSO2's POST_UPDATE_CREDENTIAL_BY_ADMIN: what this does to a pending forced reset depends on the release.
        self.admin_password_set_in(tx, name)
    }

    /// `updateCredential`: change a password knowing the old one. A user may change their own; changing someone
    /// else's also needs `usermgt/update`. The old credential must be right, and the new one must meet the policy.
    pub fn update_credential(
        &self,
        actor: &Actor,
        user: &str,
        new_credential: &Secret,
        old_credential: &Secret,
    ) -> Result<(), DomainError> {
        let user = strip_primary_domain(user);
        actor.require_self_or(user, permissions::USERS_UPDATE)?;
        let record = self
            .store
            .read(actor.tenant(), |tx| tx.user(user))?
            .ok_or_else(|| DomainError::UserNotFound(user.to_string()))?;
        if !self.verify_password(old_credential.expose(), &record.password_hash) {
            return Err(DomainError::InvalidInput(OLD_CREDENTIAL_MISMATCH.into()));
        }
        self.password_policy.check_password(new_credential.expose())?;
        let hash = self.hash_password(new_credential.expose())?;
        let now = self.now();
        self.store.write(actor.tenant(), |tx| {
            // The old credential was checked outside the transaction (hashing is slow): make sure nobody changed
            // the password in between, or the check no longer holds.
            match tx.user(&record.name)? {
                Some(current) if current.password_hash == record.password_hash => {}
                Some(_) => return Err(DomainError::InvalidInput(OLD_CREDENTIAL_MISMATCH.into())),
                None => return Err(DomainError::UserNotFound(user.to_string())),
            }
            set_password_in(tx, &record.name, &hash, now)?;
            self.audit(tx, now, actor, "user.password.update", &record.name, "")
        })
    }

    /// `getPasswordExpirationTime`: None, as no password expires here (WSO2's stores answer null, which the
    /// service turns into -1, unless a JDBC user was added with `requirePasswordChange`; see docs/COMPATIBILITY.md).
    /// Only a unique-id JDBC store looks the user up first and faults for an unknown one
    /// ([`UserStoreType::expiry_needs_existing_user`](crate::domain::profile::store::UserStoreType)).
    pub fn password_expiration_time(&self, actor: &Actor, user: &str) -> Result<Option<Millis>, DomainError> {
        actor.require(permissions::USERS_VIEW)?;
        let user = strip_primary_domain(user);
        if self.config.user_store.store_type.expiry_needs_existing_user()
            && !self.store.read(actor.tenant(), |tx| tx.user_exists(user))?
        {
            return Err(DomainError::InvalidInput(format!("No UserId found for user:{user}")));
        }
        Ok(None)
    }

    /// `getUserId`: the JDBC store's numeric id of the user (its `UM_ID`), or -1 for no such user; the other stores
    /// refuse the operation ([`NumericIds`]).
    pub fn user_id(&self, actor: &Actor, user: &str) -> Result<i64, DomainError> {
        actor.require(permissions::USERS_VIEW)?;
        self.numeric_ids()?;
        let user = strip_primary_domain(user);
        Ok(self
            .store
            .read(actor.tenant(), |tx| tx.user(user))?
            .map_or(-1, |r| r.id))
    }

    /// `getTenantIdofUser`: the caller's tenant id (`carbon.super` is -1234) for a user of the JDBC store in that
    /// tenant, -1 for no such user (the store looks the name up as given, so `tom@other.com` is -1 too); the other
    /// stores refuse the operation.
    pub fn tenant_id_of_user(&self, actor: &Actor, user: &str) -> Result<i32, DomainError> {
        actor.require(permissions::USERS_VIEW)?;
        self.numeric_ids()?;
        let user = strip_primary_domain(user);
        if self.store.read(actor.tenant(), |tx| tx.user_exists(user))? {
            Ok(actor.tenant().get())
        } else {
            Ok(INVALID_TENANT_ID)
        }
    }

    /// Does the user store answer `getUserId` / `getTenantIdofUser`?
    fn numeric_ids(&self) -> Result<(), DomainError> {
        match self.config.user_store.store_type.numeric_ids() {
            NumericIds::Looked => Ok(()),
            NumericIds::Refused(message) => Err(DomainError::InvalidInput(message.to_string())),
        }
    }

    /// `getUserList(claimUri, claimValue, profile)`: users whose value of the claim matches `value` (`*` is a
    /// wildcard, as in WSO2's JDBC store). Implemented as a scan of every user in one read transaction, which is
    /// fine at this server's sizes; a single SQL join would be the optimisation if it ever matters.
    pub fn users_with_claim(
        &self,
        actor: &Actor,
        uri: &str,
        value: &str,
        profile: &str,
    ) -> Result<Vec<String>, DomainError> {
        actor.require(permissions::USERS_LIST)?;
        let profile = self.stored_profile(profile);
        self.store.read(actor.tenant(), |tx| {
            if uri != claims::USERNAME && tx.claim_meta(uri)?.is_none() {
                return Ok(Err(DomainError::UnknownClaim(uri.to_string())));
            }
            let mut found = Vec::new();
            for user in tx.list_users("*", -1)? {
                let stored = if uri == claims::USERNAME {
                    Some(user.clone())
                } else {
                    tx.claim_value(&user, profile, uri)?
                };
                if stored.is_some_and(|v| matches_filter(value, &v)) {
                    found.push(user);
                }
            }
            Ok(Ok(found))
        })?
    }

    /// The lock state and any pending forced reset of a user.
    pub fn user_state(&self, actor: &Actor, user: &str) -> Result<UserState, DomainError> {
        actor.require(permissions::USERS_VIEW)?;
        let user = strip_primary_domain(user);
        self.store.read(actor.tenant(), |tx| {
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
                // The account lock writes 0 when it clears the count.
                failed_attempts: claim(claims::FAILED_LOGIN_ATTEMPTS)?.filter(|n| n.trim() != "0"),
                pending_reset: pending,
            }))
        })?
    }

    /// Unlock an account: clear the lock claims and the failed-login count. Returns whether it was locked.
    ///
    /// A pending forced reset is refused rather than cancelled: unlocking it would let the old password (the one
    /// the reset was forced to replace) in again. Setting a new password as admin cancels the reset instead.
    pub fn unlock_user(&self, actor: &Actor, user: &str) -> Result<bool, DomainError> {
        let now = self.now();
        actor.require(permissions::USERS_UPDATE)?;
        let user = strip_primary_domain(user);
        self.store.write(actor.tenant(), |tx| {
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
            self.audit(tx, now, actor, "user.unlock", user, detail)?;
            Ok(was_locked)
        })
    }
}
