//! The SCIM 2.0 use cases (`/scim2/Users`): users addressed by their stable id, read as the data a resource is
//! built from, listed through a filter, created, edited by a whole-document edit (PUT or PATCH), deleted. Each
//! runs in one store transaction; an edit that triggers a forced reset runs the same reset as every other claim
//! write ([`App::store_claims_in`]), in that transaction, so a request that fails anywhere changes nothing.

use super::{Actor, App, EVERYONE_ROLE, GroupEdit};
use crate::domain::scim::group::GroupData;
use crate::domain::scim::resource::UserData;
use crate::domain::secret::Secret;
use crate::domain::{DEFAULT_PROFILE, DomainError, permissions, strip_primary_domain};
use crate::store::TenantId;
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
    let groups = tx.role_refs_of_user(&record.name)?;
    let mut roles: Vec<String> = groups.iter().map(|(_, name)| name.clone()).collect();
    roles.push(EVERYONE_ROLE.to_string());
    Ok(UserData {
        uuid: record.uuid,
        name: record.name,
        created: record.created_at,
        last_modified: record.updated_at,
        claims,
        roles,
        groups,
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
        let user = self.store.read(actor.tenant(), |tx| {
            let source = self.expiry_time_source_in(tx)?;
            self.scim_user_in(tx, uuid)?
                .map(|u| self.with_expiry_time(tx, source.as_ref(), u))
                .transpose()
        })?;
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
            .read(actor.tenant(), |tx| match tx.user(&name)? {
                Some(record) => {
                    let source = self.expiry_time_source_in(tx)?;
                    let data = user_data(tx, record, None)?;
                    Ok(Some(self.with_expiry_time(tx, source.as_ref(), data)?))
                }
                None => Ok(None),
            })?
            .ok_or(DomainError::UserNotFound(name))
    }

    /// Users matching `keep`, sorted by name, the page from `start` (0-based) of at most `count` (None = all).
    /// `by_name` is a filter's single user name (`userName eq …`): looked up, not scanned for. `usermgt/list`, or
    /// `usermgt/create`: the front door of 5.10's `POST /Users/.search` (`ScimProfile::search_needs_create`).
    /// `with_groups`: a scan's users carry their `groups` for `keep` (a filter on `groups`), read in one statement.
    pub fn scim_users(
        &self,
        actor: &Actor,
        by_name: Option<&str>,
        with_groups: bool,
        keep: impl Fn(&UserData) -> bool,
        start: usize,
        count: Option<usize>,
    ) -> Result<UserPage, DomainError> {
        actor.require_any(&[permissions::USERS_LIST, permissions::USERS_CREATE])?;
        let count = count.unwrap_or(usize::MAX);
        Ok(self.store.read(actor.tenant(), |tx| {
            let mut matched = Vec::new();
            match by_name {
                Some(name) => {
                    if let Some(record) = tx.user(strip_primary_domain(name))? {
                        matched.push(user_data(tx, record, None)?);
                    }
                }
                None => {
                    let mut groups: std::collections::HashMap<String, Vec<(String, String)>> =
                        std::collections::HashMap::new();
                    if with_groups {
                        for m in tx.all_memberships()? {
                            groups.entry(m.user_uuid).or_default().push((m.role_uuid, m.role));
                        }
                    }
                    for (record, claims) in tx.users_with_claims(DEFAULT_PROFILE)? {
                        // Roles are read only for the page: the filter sees the claims (and the groups if asked).
                        let data = UserData {
                            groups: groups.remove(&record.uuid).unwrap_or_default(),
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
            let source = self.expiry_time_source_in(tx)?;
            for mut u in matched.into_iter().skip(start).take(count) {
                let groups = tx.role_refs_of_user(&u.name)?;
                u.roles = groups.iter().map(|(_, name)| name.clone()).collect();
                u.roles.push(EVERYONE_ROLE.to_string());
                u.groups = groups;
                users.push(self.with_expiry_time(tx, source.as_ref(), u)?);
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
        self.store.write(actor.tenant(), |tx| {
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
            .read(actor.tenant(), |tx| self.scim_user_in(tx, uuid))
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
        let mut effects = Effects::default();
        let after = self.store.write(actor.tenant(), |tx| {
            self.update_in(tx, actor, uuid, &edit, hashed.as_ref(), now, &mut effects)
        })??;
        self.after_commit(actor.tenant(), &effects);
        Ok(after)
    }

    /// The transaction of an edit. An edit that refuses does so before anything is written: its error comes back
    /// as `Ok(Err(e))`, with nothing to undo. A password not hashed beforehand (`hashed`) is checked and hashed
    /// here.
    #[allow(clippy::too_many_arguments)]
    fn update_in<E: From<DomainError>>(
        &self,
        tx: &Tx<'_>,
        actor: &Actor,
        uuid: &str,
        edit: &impl Fn(&UserData) -> Result<ScimEdit, E>,
        hashed: Option<&(Secret, String)>,
        now: crate::domain::Millis,
        effects: &mut Effects,
    ) -> Result<Result<Option<UserData>, E>, DomainError> {
        let Some(current) = self.scim_user_in(tx, uuid)? else {
            return Ok(Ok(None));
        };
        actor.require_self_or(&current.name, permissions::USERS_UPDATE)?;
        let change = match edit(&current) {
            Ok(change) => change,
            Err(e) => return Ok(Err(e)),
        };
        let user = current.name.as_str();
        if let Some(password) = &change.password {
            let hash = match hashed {
                Some((p, hash)) if p.expose() == password.expose() => hash.clone(),
                _ => {
                    self.password_policy.check_password(password.expose())?;
                    self.hash_password(password.expose())?
                }
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
        if plan.is_some() || change.password.is_some() {
            effects.reset.push(user.to_string());
        }
        Ok(Ok(self.scim_user_in(tx, uuid)?))
    }

    /// `DELETE /Users/{id}`: false if there is no such user.
    pub fn scim_delete(&self, actor: &Actor, uuid: &str) -> Result<bool, DomainError> {
        let now = self.now();
        let mut effects = Effects::default();
        let deleted = self
            .store
            .write(actor.tenant(), |tx| self.delete_in(tx, actor, uuid, now, &mut effects))?;
        self.after_commit(actor.tenant(), &effects);
        Ok(deleted)
    }

    fn delete_in(
        &self,
        tx: &Tx<'_>,
        actor: &Actor,
        uuid: &str,
        now: crate::domain::Millis,
        effects: &mut Effects,
    ) -> Result<bool, DomainError> {
        actor.require(permissions::USERS_DELETE)?;
        let Some(record) = tx.user_by_uuid(uuid)? else {
            return Ok(false);
        };
        if self.is_super_admin(&record.name) {
            return Err(DomainError::CannotDeleteAdmin);
        }
        tx.delete_user(&record.name)?;
        self.audit(tx, now, actor, "user.delete", &record.name, "scim")?;
        effects.deleted.push(record.name);
        Ok(true)
    }

    /// What committed SCIM writes leave to do: end sessions, wake the mail worker.
    fn after_commit(&self, tenant: TenantId, effects: &Effects) {
        for user in &effects.reset {
            self.after_reset(tenant, user);
        }
        for user in &effects.deleted {
            self.sessions.revoke_user(tenant, user);
        }
    }

    /// `POST /scim2/Bulk`: `f` runs every operation through one [`BulkSession`], in one store transaction, each
    /// operation in a savepoint of its own, so a failed one leaves no trace and the rest still commit (SCIM bulk
    /// operations are independent) with one `fsync` for all of them.
    pub fn scim_bulk<T>(&self, actor: &Actor, f: impl FnOnce(&mut BulkSession<'_>) -> T) -> Result<T, DomainError> {
        actor.require(permissions::MANAGE_USERS)?;
        let now = self.now();
        let (out, effects) = self.store.write(actor.tenant(), |tx| -> Result<_, DomainError> {
            let mut session = BulkSession {
                app: self,
                tx,
                actor,
                now,
                effects: Effects::default(),
            };
            let out = f(&mut session);
            Ok((out, session.effects))
        })?;
        self.after_commit(actor.tenant(), &effects);
        Ok(out)
    }
}

/// Users whose sessions a committed write ends, and whether mail may be waiting.
#[derive(Debug, Default)]
struct Effects {
    reset: Vec<String>,
    deleted: Vec<String>,
}

/// The operations of one bulk request, inside its transaction.
pub struct BulkSession<'a> {
    app: &'a App,
    tx: &'a Tx<'a>,
    actor: &'a Actor,
    now: crate::domain::Millis,
    effects: Effects,
}

impl BulkSession<'_> {
    /// Run one operation in a savepoint: undone if it fails.
    fn step<T, E: From<DomainError>>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, E>) -> Result<T, E> {
        self.tx.savepoint_begin().map_err(DomainError::from)?;
        let mark = (self.effects.reset.len(), self.effects.deleted.len());
        let out = f(self);
        if out.is_ok() {
            self.tx.savepoint_release().map_err(DomainError::from)?;
        } else {
            self.tx.savepoint_rollback().map_err(DomainError::from)?;
            self.effects.reset.truncate(mark.0);
            self.effects.deleted.truncate(mark.1);
        }
        out
    }

    /// [`App::scim_create`] as one operation.
    pub fn create(
        &mut self,
        name: &str,
        password: &Secret,
        claims: &[(String, String)],
    ) -> Result<UserData, DomainError> {
        self.step(|s| {
            let (name, hash) = s.app.new_user_checks(s.actor, name, password)?;
            s.app
                .add_user_in(s.tx, s.actor, name, &hash, &[], claims, DEFAULT_PROFILE, s.now)?;
            let record = s.tx.user(name)?.ok_or(DomainError::Internal)?;
            Ok(user_data(s.tx, record, None)?)
        })
    }

    /// [`App::scim_update`] as one operation.
    pub fn update<E: From<DomainError>>(
        &mut self,
        uuid: &str,
        edit: impl Fn(&UserData) -> Result<ScimEdit, E>,
    ) -> Result<Option<UserData>, E> {
        self.step(|s| {
            let (app, tx, actor, now) = (s.app, s.tx, s.actor, s.now);
            app.update_in(tx, actor, uuid, &edit, None, now, &mut s.effects)?
        })
    }

    /// [`App::scim_create_group`] as one operation.
    pub fn create_group(&mut self, new: &GroupEdit) -> Result<GroupData, DomainError> {
        self.step(|s| s.app.create_group_in(s.tx, s.actor, new, s.now))
    }

    /// [`App::scim_update_group`] as one operation.
    pub fn update_group<E: From<DomainError>>(
        &mut self,
        uuid: &str,
        edit: impl Fn(&GroupData) -> Result<GroupEdit, E>,
    ) -> Result<Option<GroupData>, E> {
        self.step(|s| s.app.update_group_in(s.tx, s.actor, uuid, &edit, s.now)?)
    }

    /// [`App::scim_delete_group`] as one operation.
    pub fn delete_group(&mut self, uuid: &str) -> Result<bool, DomainError> {
        self.step(|s| s.app.delete_group_in(s.tx, s.actor, uuid, s.now))
    }

    /// [`App::scim_delete`] as one operation.
    pub fn delete(&mut self, uuid: &str) -> Result<bool, DomainError> {
        self.step(|s| {
            let (app, tx, actor, now) = (s.app, s.tx, s.actor, s.now);
            app.delete_in(tx, actor, uuid, now, &mut s.effects)
        })
    }
}
