//! The SCIM 2.0 Group use cases (`/scim2/Groups`): roles addressed by their stable id (migration 7), read with
//! their members, listed through a filter, created with members, edited by a whole-document edit (PUT or PATCH:
//! a new name and the whole member set), deleted. The same rules as the role use cases ([`super::roles`]): the
//! `rolemgt/*` permissions, no `Internal/` names, `admin` neither renamed nor deleted and the super admin kept in
//! it. Each runs in one store transaction, so a request that fails anywhere changes nothing.

use std::collections::HashMap;

use super::roles::{check_role_name, is_admin_role, is_everyone};
use super::{Actor, App};
use crate::domain::scim::group::{self, GroupData, Member, MemberRef};
use crate::domain::{DomainError, Millis, permissions};
use crate::store::{RoleRecord, StoreError, Tx, UserRecord};

/// What a group is to become: its role name (no domain) and its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupEdit {
    pub name: String,
    pub members: Vec<MemberRef>,
}

/// One page of a filtered group listing: how many matched in all, and the page.
#[derive(Debug, PartialEq, Eq)]
pub struct GroupPage {
    pub total: usize,
    pub groups: Vec<GroupData>,
}

fn group_data(record: RoleRecord, members: Vec<Member>) -> GroupData {
    GroupData {
        uuid: record.uuid,
        name: record.name,
        created: record.created_at,
        last_modified: record.updated_at,
        members,
    }
}

fn members_in(tx: &Tx<'_>, role: &str) -> Result<Vec<Member>, StoreError> {
    Ok(tx
        .members_of_role(role)?
        .into_iter()
        .map(|(uuid, name)| Member { uuid, name })
        .collect())
}

fn group_in(tx: &Tx<'_>, uuid: &str) -> Result<Option<GroupData>, StoreError> {
    match tx.role_by_uuid(uuid)? {
        Some(record) => {
            let members = members_in(tx, &record.name)?;
            Ok(Some(group_data(record, members)))
        }
        None => Ok(None),
    }
}

/// The users a request names, once each, or `refusal` for the first that does not exist or whose `display` is
/// not its name.
fn resolve_members(
    tx: &Tx<'_>,
    members: &[MemberRef],
    refusal: impl Fn(&MemberRef) -> DomainError,
) -> Result<Vec<UserRecord>, DomainError> {
    let mut out: Vec<UserRecord> = Vec::with_capacity(members.len());
    for m in members {
        let Some(user) = tx.user_by_uuid(&m.value)? else {
            return Err(refusal(m));
        };
        if m.display
            .as_deref()
            .is_some_and(|d| !group::display_matches(d, &user.name))
        {
            return Err(refusal(m));
        }
        if !out.iter().any(|u| u.uuid == user.uuid) {
            out.push(user);
        }
    }
    Ok(out)
}

impl App {
    /// `GET /Groups/{id}`: None if there is no such group.
    pub fn scim_group(&self, actor: &Actor, uuid: &str) -> Result<Option<GroupData>, DomainError> {
        actor.require(permissions::ROLES_VIEW)?;
        Ok(self.store.read(actor.tenant(), |tx| group_in(tx, uuid))?)
    }

    /// Groups matching `keep`, by name, the page from `start` (0-based) of at most `count` (None = all). Hybrid
    /// roles (`Internal/…`) only if `hybrid`; `Internal/everyone`, which every user holds implicitly, never (SCIM2
    /// skips `isEveryoneRole`). Two statements, whatever the number of groups. `rolemgt/view`, or `rolemgt/create`:
    /// the front door of 5.10's `POST /Groups/.search` ([`crate::domain::profile::scim::ScimProfile::search_needs_create`]).
    /// `by_name` is a filter's single group name (`displayName eq …`): looked up, not scanned for.
    /// `filter_members`: `keep` looks at members, so a scan reads every membership first; otherwise `keep` sees
    /// groups without members and only the page's groups have theirs read.
    #[allow(clippy::too_many_arguments)]
    pub fn scim_groups(
        &self,
        actor: &Actor,
        hybrid: bool,
        by_name: Option<&str>,
        filter_members: bool,
        keep: impl Fn(&GroupData) -> bool,
        start: usize,
        count: Option<usize>,
    ) -> Result<GroupPage, DomainError> {
        actor.require_any(&[permissions::ROLES_VIEW, permissions::ROLES_CREATE])?;
        let listed = |r: &RoleRecord| !is_everyone(&r.name) && (hybrid || !group::is_hybrid(&r.name));
        Ok(self.store.read(actor.tenant(), |tx| {
            let mut matched: Vec<GroupData> = match by_name {
                Some(name) => match tx.role_record(name)?.filter(|r| listed(r)) {
                    Some(r) => {
                        let members = members_in(tx, &r.name)?;
                        vec![group_data(r, members)]
                    }
                    None => Vec::new(),
                },
                None => {
                    // Every membership in one statement, grouped by role (names match case-insensitively), when
                    // the filter needs them; else none yet.
                    let mut by_role: HashMap<String, Vec<Member>> = HashMap::new();
                    if filter_members {
                        for m in tx.all_memberships()? {
                            by_role.entry(m.role.to_lowercase()).or_default().push(Member {
                                uuid: m.user_uuid,
                                name: m.user,
                            });
                        }
                    }
                    tx.role_records()?
                        .into_iter()
                        .filter(|r| listed(r))
                        .map(|r| {
                            let members = by_role.remove(&r.name.to_lowercase()).unwrap_or_default();
                            group_data(r, members)
                        })
                        .collect()
                }
            };
            matched.retain(|g| keep(g));
            let total = matched.len();
            let mut groups: Vec<GroupData> = matched
                .into_iter()
                .skip(start)
                .take(count.unwrap_or(usize::MAX))
                .collect();
            if by_name.is_none() && !filter_members {
                for g in &mut groups {
                    g.members = members_in(tx, &g.name)?;
                }
            }
            Ok::<_, StoreError>(GroupPage { total, groups })
        })?)
    }

    /// `POST /Groups`: a role with members and no permissions.
    pub fn scim_create_group(&self, actor: &Actor, new: &GroupEdit) -> Result<GroupData, DomainError> {
        let now = self.now();
        self.store
            .write(actor.tenant(), |tx| self.create_group_in(tx, actor, new, now))
    }

    pub(super) fn create_group_in(
        &self,
        tx: &Tx<'_>,
        actor: &Actor,
        new: &GroupEdit,
        now: Millis,
    ) -> Result<GroupData, DomainError> {
        actor.require(permissions::ROLES_CREATE)?;
        let name = new.name.as_str();
        check_role_name(name)?;
        if tx.role_exists(name)? {
            return Err(DomainError::RoleExists(name.to_string()));
        }
        let users = resolve_members(tx, &new.members, |_| {
            DomainError::InvalidInput(group::unknown_member_on_create(name))
        })?;
        tx.insert_role(name, now)?;
        for user in &users {
            tx.add_user_to_role(&user.name, name)?;
        }
        let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
        self.audit(
            tx,
            now,
            actor,
            "role.add",
            name,
            &format!("scim;users={}", names.join(",")),
        )?;
        let record = tx.role_record(name)?.ok_or(DomainError::Internal)?;
        Ok(group_data(record, members_in(tx, name)?))
    }

    /// `PUT`/`PATCH /Groups/{id}`: `edit` sees the group as stored and says what it is to become (a rename keeps
    /// the id; members not named are removed). `Ok(None)` if there is no such group. An edit that refuses does so
    /// before anything is written.
    pub fn scim_update_group<E: From<DomainError>>(
        &self,
        actor: &Actor,
        uuid: &str,
        edit: impl Fn(&GroupData) -> Result<GroupEdit, E>,
    ) -> Result<Option<GroupData>, E> {
        let now = self.now();
        self.store
            .write(actor.tenant(), |tx| self.update_group_in(tx, actor, uuid, &edit, now))?
    }

    pub(super) fn update_group_in<E: From<DomainError>>(
        &self,
        tx: &Tx<'_>,
        actor: &Actor,
        uuid: &str,
        edit: &impl Fn(&GroupData) -> Result<GroupEdit, E>,
        now: Millis,
    ) -> Result<Result<Option<GroupData>, E>, DomainError> {
        actor.require(permissions::ROLES_UPDATE)?;
        let Some(current) = group_in(tx, uuid)? else {
            return Ok(Ok(None));
        };
        let wanted = match edit(&current) {
            Ok(w) => w,
            Err(e) => return Ok(Err(e)),
        };
        let name = wanted.name.as_str();
        if name != current.name {
            if is_admin_role(&current.name) {
                return Err(DomainError::InvalidInput("Cannot rename admin role".into()));
            }
            if is_everyone(&current.name) {
                return Err(DomainError::InvalidInput("Cannot rename everyone role".into()));
            }
            check_role_name(name)?;
            // A change of case renames the same row; anything else must not collide with another role.
            if !name.eq_ignore_ascii_case(&current.name) && tx.role_exists(name)? {
                return Err(DomainError::RoleExists(name.to_string()));
            }
        }
        let users = resolve_members(tx, &wanted.members, |m| {
            DomainError::InvalidInput(group::unknown_member_on_update(&m.value, name))
        })?;
        let removed: Vec<&Member> = current
            .members
            .iter()
            .filter(|m| !users.iter().any(|u| u.uuid == m.uuid))
            .collect();
        if is_admin_role(&current.name) && removed.iter().any(|m| self.is_super_admin(&m.name)) {
            return Err(DomainError::InvalidInput(
                "Cannot remove Admin user from Admin role".into(),
            ));
        }
        if name != current.name && !tx.rename_role(&current.name, name)? {
            return Err(DomainError::RoleNotFound(current.name.clone()));
        }
        for m in &removed {
            tx.remove_user_from_role(&m.name, name)?;
        }
        let added: Vec<&UserRecord> = users
            .iter()
            .filter(|u| !current.members.iter().any(|m| m.uuid == u.uuid))
            .collect();
        for user in &added {
            tx.add_user_to_role(&user.name, name)?;
        }
        tx.touch_role(name, now)?;
        let detail = format!(
            "scim;name={name};deleted={};added={}",
            removed.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(","),
            added.iter().map(|u| u.name.as_str()).collect::<Vec<_>>().join(",")
        );
        self.audit(tx, now, actor, "role.update", &current.name, &detail)?;
        Ok(Ok(group_in(tx, uuid)?))
    }

    /// `DELETE /Groups/{id}`: false if there is no such group. Never the `admin` role.
    pub fn scim_delete_group(&self, actor: &Actor, uuid: &str) -> Result<bool, DomainError> {
        let now = self.now();
        self.store
            .write(actor.tenant(), |tx| self.delete_group_in(tx, actor, uuid, now))
    }

    pub(super) fn delete_group_in(
        &self,
        tx: &Tx<'_>,
        actor: &Actor,
        uuid: &str,
        now: Millis,
    ) -> Result<bool, DomainError> {
        actor.require(permissions::ROLES_DELETE)?;
        let Some(record) = tx.role_by_uuid(uuid)? else {
            return Ok(false);
        };
        if is_admin_role(&record.name) {
            return Err(DomainError::CannotDeleteAdminRole);
        }
        tx.delete_role(&record.name)?;
        self.audit(tx, now, actor, "role.delete", &record.name, "scim")?;
        Ok(true)
    }
}
