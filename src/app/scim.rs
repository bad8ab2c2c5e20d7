//! The SCIM 2.0 use cases (`/scim2/Users`): users addressed by their stable id, read as the data a resource is
//! built from, listed through a filter, created, edited by a whole-document edit (PUT or PATCH), deleted. Each
//! runs in one store transaction; an edit that triggers a forced reset runs the same reset as every other claim
//! write ([`App::store_claims_in`]), in that transaction, so a request that fails anywhere changes nothing.

use super::{Actor, App, EVERYONE_ROLE};
use crate::domain::scim::resource::UserData;
use crate::domain::secret::Secret;
use crate::domain::{DEFAULT_PROFILE, DomainError, permissions, strip_primary_domain};
use crate::store::{StoreError, Tx, UserRecord};

/// What an edit of a user asks to change.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ScimEdit {
    /// Claim writes; an empty value removes the claim.
    pub claims: Vec<(String, String)>,
    /// A new password, set as an administrator sets one.
    pub password: Option<Secret>,
}

/// One page of a filtered listing: how many users matched in all, and the page.
#[derive(Debug, PartialEq, Eq)]
pub struct UserPage {
    pub total: usize,
    pub users: Vec<UserData>,
}

fn user_data(tx: &Tx<'_>, record: UserRecord, claims: Option<Vec<(String, String)>>) -> Result<UserData, StoreError> {
    let claims = match claims {
        Some(c) => c,
        None => tx.claim_values(&record.name, DEFAULT_PROFILE)?,
    };
    let mut roles = tx.roles_of_user(&record.name)?;
    roles.push(EVERYONE_ROLE.to_string());
    Ok(UserData {
        uuid: record.uuid,
        name: record.name,
        created: record.created_at,
        last_modified: record.updated_at,
        claims,
        roles,
    })
}

impl App {
    fn scim_user_in(&self, tx: &Tx<'_>, uuid: &str) -> Result<Option<UserData>, StoreError> {
        match tx.user_by_uuid(uuid)? {
            Some(record) => Ok(Some(user_data(tx, record, None)?)),
            None => Ok(None),
        }
    }

    /// A user by id (`GET /Users/{id}`): own data, or `usermgt/view`. None if there is no such user.
    pub fn scim_user(&self, actor: &Actor, uuid: &str) -> Result<Option<UserData>, DomainError> {
        let user = self.store.read(|tx| self.scim_user_in(tx, uuid))?;
        if let Some(u) = &user {
            actor.require_self_or(&u.name, permissions::USERS_VIEW)?;
        } else {
            actor.require(permissions::USERS_VIEW)?;
        }
        Ok(user)
    }

    /// The caller's own user (`/scim2/Me`).
    pub fn scim_me(&self, actor: &Actor) -> Result<UserData, DomainError> {
        let name = actor.name().to_string();
        self.store
            .read(|tx| match tx.user(&name)? {
                Some(record) => Ok(Some(user_data(tx, record, None)?)),
                None => Ok(None),
            })?
            .ok_or(DomainError::UserNotFound(name))
    }

    /// Users matching `keep`, sorted by name, the page from `start` (0-based) of at most `count` (None = all).
    /// `by_name` is a filter's single user name (`userName eq …`): looked up, not scanned for.
    pub fn scim_users(
        &self,
        actor: &Actor,
        by_name: Option<&str>,
        keep: impl Fn(&UserData) -> bool,
        start: usize,
        count: Option<usize>,
    ) -> Result<UserPage, DomainError> {
        actor.require(permissions::USERS_LIST)?;
        let count = count.unwrap_or(usize::MAX);
        Ok(self.store.read(|tx| {
            let mut matched = Vec::new();
            match by_name {
                Some(name) => {
                    if let Some(record) = tx.user(strip_primary_domain(name))? {
                        matched.push(user_data(tx, record, None)?);
                    }
                }
                None => {
                    for (record, claims) in tx.users_with_claims(DEFAULT_PROFILE)? {
                        // Roles are read only for the page: the filter sees the claims.
                        let data = UserData {
                            uuid: record.uuid,
                            name: record.name,
                            created: record.created_at,
                            last_modified: record.updated_at,
                            claims,
                            roles: Vec::new(),
                        };
                        matched.push(data);
                    }
                }
            }
            matched.retain(|u| keep(u));
            let total = matched.len();
            let mut users = Vec::new();
            for mut u in matched.into_iter().skip(start).take(count) {
                let mut roles = tx.roles_of_user(&u.name)?;
                roles.push(EVERYONE_ROLE.to_string());
                u.roles = roles;
                users.push(u);
            }
            Ok(UserPage { total, users })
        })?)
    }

    /// `POST /Users`: a user with a password and claims, under the same policies as `addUser`.
    pub fn scim_create(
        &self,
        actor: &Actor,
        name: &str,
        password: &Secret,
        claims: &[(String, String)],
    ) -> Result<UserData, DomainError> {
        let (name, hash) = self.new_user_checks(actor, name, password)?;
        let now = self.now();
        self.store.write(|tx| {
            self.add_user_in(tx, actor, name, &hash, &[], claims, DEFAULT_PROFILE, now)?;
            let record = tx.user(name)?.ok_or(DomainError::Internal)?;
            Ok(user_data(tx, record, None)?)
        })
    }

    /// `PUT`/`PATCH /Users/{id}` and `/Me`: `edit` sees the user as stored and says what to change; claims are
    /// written as `setUserClaimValues` writes them (a forced-reset trigger becomes the reset), a password as an
    /// admin sets one. `edit` runs twice, once to learn whether a password must be hashed (slow, so outside the
    /// transaction) and once inside it on the user as it is then; it must be a pure function of the user.
    /// `Ok(None)` if there is no such user.
    pub fn scim_update<E: From<DomainError>>(
        &self,
        actor: &Actor,
        uuid: &str,
        edit: impl Fn(&UserData) -> Result<ScimEdit, E>,
    ) -> Result<Option<UserData>, E> {
        let Some(before) = self
            .store
            .read(|tx| self.scim_user_in(tx, uuid))
            .map_err(DomainError::from)?
        else {
            actor.require(permissions::USERS_UPDATE)?;
            return Ok(None);
        };
        actor.require_self_or(&before.name, permissions::USERS_UPDATE)?;
        let hashed = match edit(&before)?.password {
            Some(password) => {
                self.password_policy.check_password(password.expose())?;
                let hash = self.hash_password(password.expose())?;
                Some((password, hash))
            }
            None => None,
        };
        let now = self.now();
        // An edit that refuses does so before anything is written: its error leaves the transaction as
        // `Ok(Err(e))`, with nothing to commit.
        let (after, reset) = self.store.write(|tx| -> Result<Result<_, E>, DomainError> {
            let Some(current) = self.scim_user_in(tx, uuid)? else {
                return Ok(Ok((None, false)));
            };
            let change = match edit(&current) {
                Ok(change) => change,
                Err(e) => return Ok(Err(e)),
            };
            let user = current.name.as_str();
            if let Some(password) = &change.password {
                let hash = match &hashed {
                    Some((p, hash)) if p.expose() == password.expose() => hash.clone(),
                    _ => return Err(DomainError::Internal),
                };
                self.set_password_by_admin_in(tx, user, &hash, now)?;
            }
            let (values, plan) = self.split_reset_trigger_in(tx, user, &change.claims, now)?;
            self.store_claims_in(
                tx,
                actor,
                user,
                DEFAULT_PROFILE,
                &values,
                plan.as_ref(),
                now,
                "scim.update",
            )?;
            tx.touch_user(user, now)?;
            let after = self.scim_user_in(tx, uuid)?;
            Ok(Ok((after, plan.is_some() || change.password.is_some())))
        })??;
        if let (Some(u), true) = (&after, reset) {
            self.after_reset(&u.name);
        }
        Ok(after)
    }

    /// `DELETE /Users/{id}`: false if there is no such user.
    pub fn scim_delete(&self, actor: &Actor, uuid: &str) -> Result<bool, DomainError> {
        actor.require(permissions::USERS_DELETE)?;
        let now = self.now();
        let deleted = self.store.write(|tx| {
            let Some(record) = tx.user_by_uuid(uuid)? else {
                return Ok(None);
            };
            if self.is_super_admin(&record.name) {
                return Err(DomainError::CannotDeleteAdmin);
            }
            tx.delete_user(&record.name)?;
            self.audit(tx, now, actor, "user.delete", &record.name, "scim")?;
            Ok(Some(record.name))
        })?;
        match deleted {
            Some(name) => {
                self.sessions.revoke_user(&name);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}
