//! Roles: create, rename, delete, list, their permission paths, and who holds them (RemoteUserStoreManagerService,
//! the console, the CLI). `Internal/everyone` is implicit; the `admin` role cannot be deleted or renamed.
//!
//! Each use case needs the permission of its RemoteUserStoreManagerService operation (identity-user-ws
//! `services.xml`, v5.3.3 to v5.8.10): `rolemgt/*` for role operations, `usermgt/view` for `getRoleNames` and
//! `usermgt/update` for `updateRoleListOfUser`, as WSO2 has them.

use super::{ADMIN_ROLE, Actor, App, EVERYONE_ROLE};
use crate::domain::{DomainError, permissions, strip_primary_domain};

pub(super) fn is_everyone(role: &str) -> bool {
    role.eq_ignore_ascii_case(EVERYONE_ROLE)
}

pub(super) fn is_admin_role(role: &str) -> bool {
    role.eq_ignore_ascii_case(ADMIN_ROLE)
}

/// A role name a client may create or rename to: not empty, not in the `Internal/` domain we manage ourselves,
/// no control characters (the same rule as `add_role`).
pub(super) fn check_role_name(name: &str) -> Result<(), DomainError> {
    if name.trim().is_empty() || name.starts_with("Internal/") || name.chars().any(char::is_control) {
        return Err(DomainError::InvalidInput(format!("Role name '{name}' is not valid.")));
    }
    Ok(())
}

/// Deduplicate names case-insensitively (the store matches them so), keeping the first spelling and order.
fn distinct<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for name in names {
        if !out.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            out.push(name);
        }
    }
    out
}

impl App {
    /// Create a role with permission paths and members (addRole, `role add`).
    pub fn add_role(
        &self,
        actor: &Actor,
        name: &str,
        permission_paths: &[String],
        users: &[String],
    ) -> Result<(), DomainError> {
        actor.require(permissions::ROLES_CREATE)?;
        let name = strip_primary_domain(name);
        if name.is_empty() || name.starts_with("Internal/") || name.chars().any(char::is_control) {
            return Err(DomainError::InvalidInput(format!("Role name '{name}' is not valid.")));
        }
        let paths = permission_paths
            .iter()
            .map(|p| {
                permissions::normalize(p).ok_or_else(|| {
                    DomainError::InvalidInput(format!(
                        "Invalid permission path '{p}'. A permission path starts with /permission."
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let now = self.now();
        self.store.write(actor.tenant(), |tx| {
            if tx.role_exists(name)? {
                return Err(DomainError::RoleExists(name.to_string()));
            }
            tx.insert_role(name, now)?;
            for path in &paths {
                tx.grant_permission(name, path)?;
            }
            for user in users.iter().map(|u| strip_primary_domain(u)) {
                if !tx.add_user_to_role(user, name)? {
                    return Err(DomainError::UserNotFound(user.to_string()));
                }
            }
            self.audit(
                tx,
                now,
                actor,
                "role.add",
                name,
                &format!("permissions={}", paths.join(",")),
            )
        })
    }

    pub fn role_names(&self, actor: &Actor) -> Result<Vec<String>, DomainError> {
        actor.require(permissions::USERS_VIEW)?;
        let mut names = self.store.read(actor.tenant(), |tx| tx.role_names())?;
        names.push(EVERYONE_ROLE.to_string());
        Ok(names)
    }

    pub fn role_permissions(&self, actor: &Actor, role: &str) -> Result<Vec<String>, DomainError> {
        actor.require(permissions::ROLES_VIEW)?;
        let role = strip_primary_domain(role);
        self.store
            .read(actor.tenant(), |tx| {
                if !tx.role_exists(role)? {
                    return Ok(None);
                }
                Ok(Some(tx.role_permissions(role)?))
            })?
            .ok_or_else(|| DomainError::RoleNotFound(role.to_string()))
    }

    /// `isExistingRole`; `Internal/everyone` always exists.
    pub fn role_exists(&self, actor: &Actor, role: &str) -> Result<bool, DomainError> {
        actor.require(permissions::ROLES_VIEW)?;
        let role = strip_primary_domain(role);
        Ok(is_everyone(role) || self.store.read(actor.tenant(), |tx| tx.role_exists(role))?)
    }

    /// `getRoleListOfUser`: the user's roles, and `Internal/everyone` which every user has (last, as WSO2 lists it).
    pub fn roles_of_user(&self, actor: &Actor, user: &str) -> Result<Vec<String>, DomainError> {
        actor.require(permissions::ROLES_VIEW)?;
        let user = strip_primary_domain(user);
        let mut roles = self.store.read(actor.tenant(), |tx| {
            if !tx.user_exists(user)? {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            }
            Ok(Ok(tx.roles_of_user(user)?))
        })??;
        roles.push(EVERYONE_ROLE.to_string());
        Ok(roles)
    }

    /// `getUserListOfRole`: the role's members; every user for `Internal/everyone`.
    pub fn users_of_role(&self, actor: &Actor, role: &str) -> Result<Vec<String>, DomainError> {
        actor.require(permissions::ROLES_VIEW)?;
        let role = strip_primary_domain(role);
        self.store.read(actor.tenant(), |tx| {
            if is_everyone(role) {
                return Ok(Ok(tx.list_users("*", -1)?));
            }
            if !tx.role_exists(role)? {
                return Ok(Err(DomainError::RoleNotFound(role.to_string())));
            }
            Ok(Ok(tx.users_of_role(role)?))
        })?
    }

    /// `getHybridRoles`: the roles of the `Internal` domain. `add_role` refuses `Internal/` names, so this is
    /// `Internal/everyone` plus any such role a store may hold.
    pub fn hybrid_roles(&self, actor: &Actor) -> Result<Vec<String>, DomainError> {
        actor.require(permissions::ROLES_VIEW)?;
        let mut roles = vec![EVERYONE_ROLE.to_string()];
        roles.extend(
            self.store
                .read(actor.tenant(), |tx| tx.role_names())?
                .into_iter()
                .filter(|r| r.starts_with("Internal/") && !is_everyone(r)),
        );
        Ok(roles)
    }

    /// `deleteRole`: never the `admin` role nor `Internal/everyone`.
    pub fn delete_role(&self, actor: &Actor, role: &str) -> Result<(), DomainError> {
        let now = self.now();
        actor.require(permissions::ROLES_DELETE)?;
        let role = strip_primary_domain(role);
        if is_admin_role(role) {
            return Err(DomainError::CannotDeleteAdminRole);
        }
        if is_everyone(role) {
            return Err(DomainError::InvalidInput("Cannot delete everyone role".into()));
        }
        self.store.write(actor.tenant(), |tx| {
            if !tx.delete_role(role)? {
                return Err(DomainError::RoleNotFound(role.to_string()));
            }
            self.audit(tx, now, actor, "role.delete", role, "")
        })
    }

    /// `updateRoleName`: rename a role, keeping its members and permissions. The `admin` role and
    /// `Internal/everyone` keep their names (the server finds the admin role by name).
    pub fn rename_role(&self, actor: &Actor, role: &str, new_name: &str) -> Result<(), DomainError> {
        let now = self.now();
        actor.require(permissions::ROLES_UPDATE)?;
        let role = strip_primary_domain(role);
        let new_name = strip_primary_domain(new_name);
        if is_admin_role(role) {
            return Err(DomainError::InvalidInput("Cannot rename admin role".into()));
        }
        if is_everyone(role) {
            return Err(DomainError::InvalidInput("Cannot rename everyone role".into()));
        }
        check_role_name(new_name)?;
        self.store.write(actor.tenant(), |tx| {
            if !tx.role_exists(role)? {
                return Err(DomainError::RoleNotFound(role.to_string()));
            }
            // A change of case only renames the same row; anything else must not collide with another role.
            if !role.eq_ignore_ascii_case(new_name) && tx.role_exists(new_name)? {
                return Err(DomainError::RoleExists(new_name.to_string()));
            }
            if !tx.rename_role(role, new_name)? {
                return Err(DomainError::RoleNotFound(role.to_string()));
            }
            self.audit(tx, now, actor, "role.rename", role, new_name)
        })
    }

    /// `updateRoleListOfUser`: remove the user from `deleted` and add them to `added`, all or nothing. Every role
    /// named must exist; `Internal/everyone` is implicit and ignored; the super admin keeps the `admin` role.
    pub fn update_roles_of_user(
        &self,
        actor: &Actor,
        user: &str,
        deleted: &[String],
        added: &[String],
    ) -> Result<(), DomainError> {
        let now = self.now();
        actor.require(permissions::USERS_UPDATE)?;
        let user = strip_primary_domain(user);
        let deleted = distinct(
            deleted
                .iter()
                .map(|r| strip_primary_domain(r))
                .filter(|r| !is_everyone(r)),
        );
        let added = distinct(
            added
                .iter()
                .map(|r| strip_primary_domain(r))
                .filter(|r| !is_everyone(r)),
        );
        if self.is_super_admin(user) && deleted.iter().any(|r| is_admin_role(r)) {
            return Err(DomainError::InvalidInput(
                "Cannot remove Admin user from Admin role".into(),
            ));
        }
        self.store.write(actor.tenant(), |tx| {
            self.require_user(tx, user)?;
            for role in &deleted {
                if !tx.role_exists(role)? {
                    return Err(DomainError::RoleNotFound(role.to_string()));
                }
                tx.remove_user_from_role(user, role)?;
            }
            for role in &added {
                if !tx.add_user_to_role(user, role)? {
                    return Err(DomainError::RoleNotFound(role.to_string()));
                }
            }
            let detail = format!("deleted={};added={}", deleted.join(","), added.join(","));
            self.audit(tx, now, actor, "user.roles.update", user, &detail)
        })
    }

    /// `updateUserListOfRole`: remove `deleted` users from the role and add `added` ones, all or nothing. Every
    /// user named must exist; `Internal/everyone`'s members cannot be changed; the super admin keeps `admin`.
    pub fn update_users_of_role(
        &self,
        actor: &Actor,
        role: &str,
        deleted: &[String],
        added: &[String],
    ) -> Result<(), DomainError> {
        let now = self.now();
        actor.require(permissions::ROLES_UPDATE)?;
        let role = strip_primary_domain(role);
        if is_everyone(role) {
            return Err(DomainError::InvalidInput(
                "Cannot update the user list of everyone role".into(),
            ));
        }
        let deleted = distinct(deleted.iter().map(|u| strip_primary_domain(u)));
        let added = distinct(added.iter().map(|u| strip_primary_domain(u)));
        if is_admin_role(role) && deleted.iter().any(|u| self.is_super_admin(u)) {
            return Err(DomainError::InvalidInput(
                "Cannot remove Admin user from Admin role".into(),
            ));
        }
        self.store.write(actor.tenant(), |tx| {
            if !tx.role_exists(role)? {
                return Err(DomainError::RoleNotFound(role.to_string()));
            }
            for user in &deleted {
                self.require_user(tx, user)?;
                tx.remove_user_from_role(user, role)?;
            }
            for user in &added {
                if !tx.add_user_to_role(user, role)? {
                    return Err(DomainError::UserNotFound(user.to_string()));
                }
            }
            let detail = format!("deleted={};added={}", deleted.join(","), added.join(","));
            self.audit(tx, now, actor, "role.users.update", role, &detail)
        })
    }
}
