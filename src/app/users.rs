//! User, role, credential and claim use cases of RemoteUserStoreManagerService that `app.rs` does not already
//! provide. Same rules as there: each method checks the actor's permission, then runs one store transaction.

use std::sync::Arc;

use super::{ADMIN_ROLE, Actor, App, EVERYONE_ROLE, profile_or_default};
use crate::config::Secret;
use crate::domain::claims::{self, ClaimMeta};
use crate::domain::{DEFAULT_PROFILE, DomainError, Millis, TENANT_DOMAIN, permissions, strip_primary_domain};
use crate::store::Tx;

/// The tenant id of `carbon.super`, the only tenant.
pub const SUPER_TENANT_ID: i32 = -1234;
/// Carbon's `MultitenantConstants.INVALID_TENANT_ID`: the answer for a tenant domain that does not exist.
pub const INVALID_TENANT_ID: i32 = -1;
/// The claim that is the user name itself: always "set", never stored.
pub const USERNAME_CLAIM: &str = "http://wso2.org/claims/username";
/// The message WSO2's user core gives when `updateCredential`'s old credential is wrong.
pub const OLD_CREDENTIAL_MISMATCH: &str = "Old credential does not match with the existing credentials.";

fn usermgt(action: &str) -> String {
    format!("{}/{action}", permissions::MANAGE_USERS)
}

fn is_everyone(role: &str) -> bool {
    role.eq_ignore_ascii_case(EVERYONE_ROLE)
}

fn is_admin_role(role: &str) -> bool {
    role.eq_ignore_ascii_case(ADMIN_ROLE)
}

/// A role name a client may create or rename to: not empty, not in the `Internal/` domain we manage ourselves,
/// no control characters (the same rule as `add_role`).
fn check_role_name(name: &str) -> Result<(), DomainError> {
    if name.trim().is_empty() || name.starts_with("Internal/") || name.chars().any(char::is_control) {
        return Err(DomainError::InvalidInput(format!("Role name '{name}' is not valid.")));
    }
    Ok(())
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
    /// Reads of a user's own data need nothing more; anyone else's need `usermgt/view`.
    fn require_self_or(&self, actor: &Actor, user: &str, action: &str) -> Result<(), DomainError> {
        if actor.is(user) {
            Ok(())
        } else {
            actor.require(&usermgt(action))
        }
    }

    fn require_user(&self, tx: &Tx<'_>, user: &str) -> Result<(), DomainError> {
        if tx.user_exists(user)? {
            Ok(())
        } else {
            Err(DomainError::UserNotFound(user.to_string()))
        }
    }

    fn is_super_admin(&self, user: &str) -> bool {
        user.eq_ignore_ascii_case(&self.config.super_admin.username)
    }

    // ---- credentials ----

    /// `authenticate(userName, credential)` as a question: true or false, never an authentication fault. The
    /// caller needs only `/permission/admin/login`.
    pub fn check_credentials(&self, actor: &Actor, user: &str, credential: &Secret) -> Result<bool, DomainError> {
        actor.require(permissions::LOGIN)?;
        match self.authenticate(user, credential) {
            Ok(_) => Ok(true),
            Err(DomainError::InvalidCredentials) => Ok(false),
            Err(e) => Err(e),
        }
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
        self.require_self_or(actor, user, "update")?;
        let record = self
            .store
            .read(|tx| tx.user(user))?
            .ok_or_else(|| DomainError::UserNotFound(user.to_string()))?;
        if !self.verify_password(old_credential.expose(), &record.password_hash) {
            return Err(DomainError::InvalidInput(OLD_CREDENTIAL_MISMATCH.into()));
        }
        self.password_policy.check_password(new_credential.expose())?;
        let hash = self.hash_password(new_credential.expose())?;
        let now = self.now();
        self.store.write(|tx| {
            // The old credential was checked outside the transaction (hashing is slow): make sure nobody changed
            // the password in between, or the check no longer holds.
            match tx.user(&record.name)? {
                Some(current) if current.password_hash == record.password_hash => {}
                Some(_) => return Err(DomainError::InvalidInput(OLD_CREDENTIAL_MISMATCH.into())),
                None => return Err(DomainError::UserNotFound(user.to_string())),
            }
            tx.set_password_hash(&record.name, &hash, now)?;
            tx.set_claim_value(
                &record.name,
                DEFAULT_PROFILE,
                claims::LAST_PASSWORD_UPDATE_TIME,
                &now.to_string(),
            )?;
            self.audit(tx, actor, "user.password.update", &record.name, "")
        })
    }

    /// `getPasswordExpirationTime`: None, as no password-expiry policy is configured in this server (WSO2's JDBC
    /// store answers null too unless its `PasswordExpirationTime` attribute is set). The user must exist.
    pub fn password_expiration_time(&self, actor: &Actor, user: &str) -> Result<Option<Millis>, DomainError> {
        actor.require(&usermgt("view"))?;
        let user = strip_primary_domain(user);
        if self.store.read(|tx| tx.user_exists(user))? {
            Ok(None)
        } else {
            Err(DomainError::UserNotFound(user.to_string()))
        }
    }

    // ---- users ----

    /// `getUserId`: the store's numeric id of the user (WSO2's JDBC store answers its UM_ID the same way).
    pub fn user_id(&self, actor: &Actor, user: &str) -> Result<i64, DomainError> {
        actor.require(&usermgt("view"))?;
        let user = strip_primary_domain(user);
        self.store
            .read(|tx| tx.user(user))?
            .map(|r| r.id)
            .ok_or_else(|| DomainError::UserNotFound(user.to_string()))
    }

    /// `getTenantIdofUser`: `carbon.super` (-1234) for our users and for names without a tenant domain; -1 for a
    /// name qualified with any other tenant domain (`tom@other.com` that is not itself a user), which does not exist.
    pub fn tenant_id_of_user(&self, actor: &Actor, user: &str) -> Result<i32, DomainError> {
        actor.require(&usermgt("view"))?;
        let user = strip_primary_domain(user);
        if self.store.read(|tx| tx.user_exists(user))? {
            return Ok(SUPER_TENANT_ID);
        }
        match user.rsplit_once('@') {
            Some((_, domain)) if !domain.eq_ignore_ascii_case(TENANT_DOMAIN) => Ok(INVALID_TENANT_ID),
            _ => Ok(SUPER_TENANT_ID),
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
        actor.require(&usermgt("list"))?;
        let profile = profile_or_default(profile);
        self.store.read(|tx| {
            if uri != USERNAME_CLAIM && tx.claim_meta(uri)?.is_none() {
                return Ok(Err(DomainError::UnknownClaim(uri.to_string())));
            }
            let mut found = Vec::new();
            for user in tx.list_users("*", -1)? {
                let stored = if uri == USERNAME_CLAIM {
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

    // ---- roles ----

    /// `isExistingRole`; `Internal/everyone` always exists.
    pub fn role_exists(&self, actor: &Actor, role: &str) -> Result<bool, DomainError> {
        actor.require(&usermgt("view"))?;
        let role = strip_primary_domain(role);
        Ok(is_everyone(role) || self.store.read(|tx| tx.role_exists(role))?)
    }

    /// `getRoleListOfUser`: the user's roles, and `Internal/everyone` which every user has (last, as WSO2 lists it).
    pub fn roles_of_user(&self, actor: &Actor, user: &str) -> Result<Vec<String>, DomainError> {
        actor.require(&usermgt("view"))?;
        let user = strip_primary_domain(user);
        let mut roles = self.store.read(|tx| {
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
        actor.require(&usermgt("view"))?;
        let role = strip_primary_domain(role);
        self.store.read(|tx| {
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
        actor.require(&usermgt("view"))?;
        let mut roles = vec![EVERYONE_ROLE.to_string()];
        roles.extend(
            self.store
                .read(|tx| tx.role_names())?
                .into_iter()
                .filter(|r| r.starts_with("Internal/") && !is_everyone(r)),
        );
        Ok(roles)
    }

    /// `deleteRole`: never the `admin` role nor `Internal/everyone`.
    pub fn delete_role(&self, actor: &Actor, role: &str) -> Result<(), DomainError> {
        actor.require(&usermgt("delete"))?;
        let role = strip_primary_domain(role);
        if is_admin_role(role) {
            return Err(DomainError::CannotDeleteAdminRole);
        }
        if is_everyone(role) {
            return Err(DomainError::InvalidInput("Cannot delete everyone role".into()));
        }
        self.store.write(|tx| {
            if !tx.delete_role(role)? {
                return Err(DomainError::RoleNotFound(role.to_string()));
            }
            self.audit(tx, actor, "role.delete", role, "")
        })
    }

    /// `updateRoleName`: rename a role, keeping its members and permissions. The `admin` role and
    /// `Internal/everyone` keep their names (the server finds the admin role by name).
    pub fn rename_role(&self, actor: &Actor, role: &str, new_name: &str) -> Result<(), DomainError> {
        actor.require(&usermgt("update"))?;
        let role = strip_primary_domain(role);
        let new_name = strip_primary_domain(new_name);
        if is_admin_role(role) {
            return Err(DomainError::InvalidInput("Cannot rename admin role".into()));
        }
        if is_everyone(role) {
            return Err(DomainError::InvalidInput("Cannot rename everyone role".into()));
        }
        check_role_name(new_name)?;
        self.store.write(|tx| {
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
            self.audit(tx, actor, "role.rename", role, new_name)
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
        actor.require(&usermgt("update"))?;
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
        self.store.write(|tx| {
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
            self.audit(tx, actor, "user.roles.update", user, &detail)
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
        actor.require(&usermgt("update"))?;
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
        self.store.write(|tx| {
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
            self.audit(tx, actor, "role.users.update", role, &detail)
        })
    }

    // ---- claims ----

    /// `getUserClaimValues`: every claim the user has a value for in the profile, with its dialect metadata, in
    /// display order. The user name claim is always present. Own claims are readable; others' need `usermgt/view`.
    pub fn user_claims(
        &self,
        actor: &Actor,
        user: &str,
        profile: &str,
    ) -> Result<Vec<(Arc<ClaimMeta>, String)>, DomainError> {
        let user = strip_primary_domain(user);
        self.require_self_or(actor, user, "view")?;
        let profile = profile_or_default(profile);
        self.store.read(|tx| {
            let Some(record) = tx.user(user)? else {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            };
            let mut values = tx.claim_values(&record.name, profile)?;
            values.retain(|(uri, _)| uri != USERNAME_CLAIM);
            values.push((USERNAME_CLAIM.to_string(), record.name.clone()));
            let metas = tx.claim_metas()?;
            let mut out: Vec<(Arc<ClaimMeta>, String)> = metas
                .iter()
                .filter_map(|m| {
                    values
                        .iter()
                        .find(|(uri, _)| *uri == m.uri)
                        .map(|(_, v)| (m.clone(), v.clone()))
                })
                .collect();
            // A value whose claim has left the dialect is still the user's: show it with bare metadata.
            out.extend(
                values
                    .into_iter()
                    .filter(|(uri, _)| !metas.iter().any(|m| &m.uri == uri))
                    .map(|(uri, v)| (Arc::new(ClaimMeta::plain(uri.clone(), uri)), v)),
            );
            Ok(Ok(out))
        })?
    }

    /// `getUserClaimValuesForClaims` / `getUserClaimValue`: the values of the requested claims that are set, as
    /// (claim URI, value) in request order; unset (and unknown) claims are left out, as WSO2 leaves them out of
    /// the map it answers with.
    pub fn claim_values_for(
        &self,
        actor: &Actor,
        user: &str,
        uris: &[String],
        profile: &str,
    ) -> Result<Vec<(String, String)>, DomainError> {
        let user = strip_primary_domain(user);
        self.require_self_or(actor, user, "view")?;
        let profile = profile_or_default(profile);
        self.store.read(|tx| {
            let Some(record) = tx.user(user)? else {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            };
            let mut out: Vec<(String, String)> = Vec::new();
            for uri in uris {
                if out.iter().any(|(u, _)| u == uri) {
                    continue;
                }
                let value = if uri == USERNAME_CLAIM {
                    Some(record.name.clone())
                } else {
                    tx.claim_value(&record.name, profile, uri)?
                };
                if let Some(value) = value {
                    out.push((uri.clone(), value));
                }
            }
            Ok(Ok(out))
        })?
    }

    /// `deleteUserClaimValue(s)`: remove claim values, in one transaction. The same rules as `set_claims`: a user
    /// may remove their own ordinary claims, never identity claims or the OTP; others need `usermgt/update`; every
    /// claim must be a known, writable claim of the dialect.
    pub fn delete_claims(&self, actor: &Actor, user: &str, profile: &str, uris: &[String]) -> Result<(), DomainError> {
        let user = strip_primary_domain(user);
        if !actor.is(user) {
            actor.require(&usermgt("update"))?;
        } else if let Some(uri) = uris.iter().find(|uri| claims::is_protected_from_self(uri)) {
            return Err(DomainError::ReadOnlyClaim(uri.clone()));
        }
        // An empty value is how write_claims removes a claim, after checking it against the dialect.
        let removals: Vec<(String, String)> = uris.iter().map(|uri| (uri.clone(), String::new())).collect();
        self.store.write(|tx| {
            self.require_user(tx, user)?;
            self.write_claims(tx, user, profile, &removals)?;
            self.audit(tx, actor, "claims.delete", user, &uris.join(","))
        })
    }

    // ---- profiles ----

    /// `getProfileNames(userName)`: the user's profiles, `default` first. Own profiles are readable; others' need
    /// `usermgt/view`.
    pub fn profile_names_of_user(&self, actor: &Actor, user: &str) -> Result<Vec<String>, DomainError> {
        let user = strip_primary_domain(user);
        self.require_self_or(actor, user, "view")?;
        self.store.read(|tx| {
            if !tx.user_exists(user)? {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            }
            let mut names = vec![DEFAULT_PROFILE.to_string()];
            names.extend(tx.profile_names(user)?.into_iter().filter(|p| p != DEFAULT_PROFILE));
            Ok(Ok(names))
        })?
    }

    /// `getAllProfileNames`: every profile in use by any user, `default` first. A profile exists here as soon as a
    /// user has a value in it (there is no separate profile configuration), so this scans the users.
    pub fn all_profile_names(&self, actor: &Actor) -> Result<Vec<String>, DomainError> {
        actor.require(&usermgt("view"))?;
        let mut names = vec![DEFAULT_PROFILE.to_string()];
        self.store.read(|tx| {
            for user in tx.list_users("*", -1)? {
                for profile in tx.profile_names(&user)? {
                    if !names.contains(&profile) {
                        names.push(profile);
                    }
                }
            }
            Ok(())
        })?;
        names[1..].sort();
        Ok(names)
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn app() -> App {
        App::for_tests()
    }

    fn secret(s: &str) -> Secret {
        Secret::new(s)
    }

    fn with_tom() -> App {
        let app = app();
        app.add_user(&Actor::System, "tom", &secret("Abcd@123"), &[], &[], "")
            .unwrap();
        app
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn claim_filters_use_star_as_a_wildcard() {
        assert!(matches_filter("tom@example.com", "tom@example.com"));
        assert!(!matches_filter("tom@example.com", "Tom@example.com"));
        assert!(matches_filter("*", ""));
        assert!(matches_filter("*@example.com", "tom@example.com"));
        assert!(matches_filter("tom*", "tom@example.com"));
        assert!(matches_filter("t*@*.com", "tom@example.com"));
        assert!(!matches_filter("t*@*.org", "tom@example.com"));
        assert!(!matches_filter("ab*ba", "aba"), "the prefix and suffix may not overlap");
        assert!(!matches_filter("tom", "tommy"));
    }

    #[test]
    fn check_credentials_answers_without_faulting() {
        let app = with_tom();
        let admin = app.authenticate("admin", &secret("admin")).unwrap();
        assert!(app.check_credentials(&admin, "tom", &secret("Abcd@123")).unwrap());
        assert!(!app.check_credentials(&admin, "tom", &secret("wrong")).unwrap());
        assert!(!app.check_credentials(&admin, "ghost", &secret("Abcd@123")).unwrap());
        let nobody = Actor::User {
            name: "x".into(),
            permissions: vec![],
        };
        assert_eq!(
            app.check_credentials(&nobody, "tom", &secret("Abcd@123")),
            Err(DomainError::AccessDenied)
        );
    }

    #[test]
    fn users_change_their_own_password_knowing_the_old_one() {
        let app = with_tom();
        let tom = app.authenticate("tom", &secret("Abcd@123")).unwrap();
        assert_eq!(
            app.update_credential(&tom, "tom", &secret("Wxyz@456"), &secret("bad")),
            Err(DomainError::InvalidInput(OLD_CREDENTIAL_MISMATCH.into()))
        );
        assert!(matches!(
            app.update_credential(&tom, "tom", &secret("x"), &secret("Abcd@123")),
            Err(DomainError::PasswordPolicy(_))
        ));
        assert!(app.authenticate("tom", &secret("Abcd@123")).is_ok(), "nothing changed");
        app.update_credential(&tom, "tom", &secret("Wxyz@456"), &secret("Abcd@123"))
            .unwrap();
        assert!(app.authenticate("tom", &secret("Wxyz@456")).is_ok());
        assert_eq!(
            app.update_credential(&tom, "admin", &secret("Wxyz@456"), &secret("admin")),
            Err(DomainError::AccessDenied)
        );
        let admin = app.authenticate("admin", &secret("admin")).unwrap();
        assert_eq!(
            app.update_credential(&admin, "ghost", &secret("Wxyz@456"), &secret("x")),
            Err(DomainError::UserNotFound("ghost".into()))
        );
    }

    #[test]
    fn roles_are_renamed_deleted_and_updated_all_or_nothing() {
        let app = with_tom();
        let sys = Actor::System;
        app.add_role(
            &sys,
            "support",
            &strings(&["/permission/admin/login"]),
            &strings(&["tom"]),
        )
        .unwrap();
        assert!(app.role_exists(&sys, "support").unwrap());
        assert!(app.role_exists(&sys, EVERYONE_ROLE).unwrap());
        assert_eq!(app.roles_of_user(&sys, "tom").unwrap(), ["support", EVERYONE_ROLE]);
        assert_eq!(app.hybrid_roles(&sys).unwrap(), [EVERYONE_ROLE]);

        app.rename_role(&sys, "support", "helpdesk").unwrap();
        assert_eq!(app.users_of_role(&sys, "helpdesk").unwrap(), ["tom"]);
        assert_eq!(
            app.role_permissions(&sys, "helpdesk").unwrap(),
            ["/permission/admin/login"]
        );
        assert_eq!(
            app.rename_role(&sys, "helpdesk", "admin"),
            Err(DomainError::RoleExists("admin".into()))
        );
        assert!(matches!(
            app.rename_role(&sys, "admin", "boss"),
            Err(DomainError::InvalidInput(_))
        ));
        app.rename_role(&sys, "helpdesk", "HelpDesk").unwrap();

        app.add_role(&sys, "support", &[], &[]).unwrap();
        // One unknown role spoils the whole update.
        assert_eq!(
            app.update_roles_of_user(&sys, "tom", &strings(&["HelpDesk"]), &strings(&["support", "ghost"])),
            Err(DomainError::RoleNotFound("ghost".into()))
        );
        assert_eq!(app.roles_of_user(&sys, "tom").unwrap(), ["HelpDesk", EVERYONE_ROLE]);
        app.update_roles_of_user(
            &sys,
            "tom",
            &strings(&["HelpDesk", EVERYONE_ROLE]),
            &strings(&["support"]),
        )
        .unwrap();
        assert_eq!(app.roles_of_user(&sys, "tom").unwrap(), ["support", EVERYONE_ROLE]);

        app.add_user(&sys, "alice", &secret("Abcd@123"), &strings(&["support"]), &[], "")
            .unwrap();
        assert_eq!(
            app.update_users_of_role(&sys, "support", &strings(&["alice"]), &strings(&["ghost"])),
            Err(DomainError::UserNotFound("ghost".into()))
        );
        assert_eq!(app.users_of_role(&sys, "support").unwrap(), ["alice", "tom"]);
        app.update_users_of_role(&sys, "support", &strings(&["alice", "tom"]), &strings(&["admin"]))
            .unwrap();
        assert_eq!(app.users_of_role(&sys, "support").unwrap(), ["admin"]);
        assert_eq!(
            app.users_of_role(&sys, EVERYONE_ROLE).unwrap(),
            ["admin", "alice", "tom"]
        );

        assert!(matches!(
            app.update_users_of_role(&sys, "admin", &strings(&["admin"]), &[]),
            Err(DomainError::InvalidInput(_))
        ));
        assert!(matches!(
            app.update_roles_of_user(&sys, "admin", &strings(&["admin"]), &[]),
            Err(DomainError::InvalidInput(_))
        ));
        assert_eq!(app.delete_role(&sys, "admin"), Err(DomainError::CannotDeleteAdminRole));
        assert!(matches!(
            app.delete_role(&sys, EVERYONE_ROLE),
            Err(DomainError::InvalidInput(_))
        ));
        app.delete_role(&sys, "support").unwrap();
        assert_eq!(
            app.delete_role(&sys, "support"),
            Err(DomainError::RoleNotFound("support".into()))
        );
        assert!(
            app.authenticate("admin", &secret("admin"))
                .unwrap()
                .has(permissions::ROOT)
        );
    }

    #[test]
    fn claims_are_read_by_uri_listed_with_metadata_and_deleted() {
        let app = with_tom();
        let sys = Actor::System;
        let email = (claims::EMAIL.to_string(), "tom@example.com".to_string());
        app.set_claims(
            &sys,
            "tom",
            "",
            &[email.clone(), (claims::GIVEN_NAME.into(), "Tom".into())],
        )
        .unwrap();
        let listed = app.user_claims(&sys, "tom", "default").unwrap();
        let uris: Vec<&str> = listed.iter().map(|(m, _)| m.uri.as_str()).collect();
        assert_eq!(
            uris,
            [
                USERNAME_CLAIM,
                claims::GIVEN_NAME,
                claims::EMAIL,
                claims::LAST_PASSWORD_UPDATE_TIME
            ],
            "display order"
        );
        assert_eq!(listed[2].0.display_name, "Email");
        assert_eq!(
            app.claim_values_for(
                &sys,
                "tom",
                &strings(&[claims::ACCOUNT_LOCKED, claims::EMAIL, claims::EMAIL]),
                ""
            )
            .unwrap(),
            std::slice::from_ref(&email)
        );
        assert_eq!(
            app.users_with_claim(&sys, claims::EMAIL, "*@example.com", "").unwrap(),
            ["tom"]
        );
        assert_eq!(app.users_with_claim(&sys, USERNAME_CLAIM, "to*", "").unwrap(), ["tom"]);
        assert!(matches!(
            app.users_with_claim(&sys, "http://wso2.org/claims/nope", "x", ""),
            Err(DomainError::UnknownClaim(_))
        ));

        let tom = app.authenticate("tom", &secret("Abcd@123")).unwrap();
        assert_eq!(
            app.delete_claims(
                &tom,
                "tom",
                "",
                &strings(&[claims::EMAIL, claims::ADMIN_FORCED_PASSWORD_RESET])
            ),
            Err(DomainError::ReadOnlyClaim(claims::ADMIN_FORCED_PASSWORD_RESET.into()))
        );
        assert_eq!(
            app.claim_values_for(&tom, "tom", &strings(&[claims::EMAIL]), "")
                .unwrap(),
            [email],
            "a refused delete removes nothing"
        );
        app.delete_claims(&tom, "tom", "", &strings(&[claims::EMAIL])).unwrap();
        assert!(
            app.claim_values_for(&tom, "tom", &strings(&[claims::EMAIL]), "")
                .unwrap()
                .is_empty()
        );
        assert_eq!(app.user_claims(&tom, "admin", ""), Err(DomainError::AccessDenied));
        assert_eq!(
            app.delete_claims(&sys, "tom", "", &strings(&[USERNAME_CLAIM])),
            Err(DomainError::ReadOnlyClaim(USERNAME_CLAIM.into()))
        );
    }

    #[test]
    fn ids_tenants_and_profiles() {
        let app = with_tom();
        let sys = Actor::System;
        assert!(app.user_id(&sys, "tom").unwrap() > app.user_id(&sys, "admin").unwrap());
        assert_eq!(
            app.user_id(&sys, "ghost"),
            Err(DomainError::UserNotFound("ghost".into()))
        );
        assert_eq!(app.tenant_id_of_user(&sys, "tom").unwrap(), SUPER_TENANT_ID);
        assert_eq!(
            app.tenant_id_of_user(&sys, "bob@carbon.super").unwrap(),
            SUPER_TENANT_ID
        );
        assert_eq!(app.tenant_id_of_user(&sys, "bob@other.com").unwrap(), INVALID_TENANT_ID);
        assert_eq!(app.password_expiration_time(&sys, "tom").unwrap(), None);
        assert_eq!(
            app.password_expiration_time(&sys, "ghost"),
            Err(DomainError::UserNotFound("ghost".into()))
        );
        app.set_claims(&sys, "tom", "work", &[(claims::GIVEN_NAME.into(), "Tom".into())])
            .unwrap();
        assert_eq!(app.profile_names_of_user(&sys, "tom").unwrap(), ["default", "work"]);
        assert_eq!(app.profile_names_of_user(&sys, "admin").unwrap(), ["default"]);
        assert_eq!(app.all_profile_names(&sys).unwrap(), ["default", "work"]);
    }
}
