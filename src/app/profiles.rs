//! Profiles (UserProfileMgtService): a user's claim values per profile, with its own permission rule, the
//! console's profile edit, and federated account associations.

use std::sync::Arc;

use super::{Actor, App};
use crate::domain::claims::{self, ClaimMeta};
use crate::domain::{DEFAULT_PROFILE, DomainError, permissions, strip_primary_domain};
use crate::store::StoreError;

/// One field of a user profile: a supported-by-default claim and the user's value for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileField {
    pub meta: Arc<ClaimMeta>,
    pub value: Option<String>,
}

/// May the console edit this claim's value in a profile? Read-only claims, the user name, and the claims the server
/// manages (identity claims, the offline OTP) are shown but never written from a form.
pub fn profile_editable(meta: &ClaimMeta) -> bool {
    !meta.read_only && !claims::is_protected_from_self(&meta.uri) && meta.uri != claims::USERNAME
}

/// WSO2 treats a missing or empty profile name as `default`.
pub fn profile_or_default(profile: &str) -> &str {
    if profile.trim().is_empty() {
        crate::domain::DEFAULT_PROFILE
    } else {
        profile
    }
}

impl App {
    /// UserProfileMgtService's in-method rule: a user may act on their own profile; anyone else needs
    /// `/permission/admin/configure/security/usermgt/profiles`.
    pub(super) fn authorize_profile(&self, actor: &Actor, user: &str) -> Result<(), DomainError> {
        if actor.is(user) || actor.has(permissions::CONFIGURE_PROFILES) {
            Ok(())
        } else {
            Err(DomainError::NotAuthorized)
        }
    }

    /// The profile as `getUserProfile` shows it: every supported-by-default claim with the user's value. None when
    /// the user has no such profile (`default` always exists).
    pub fn user_profile(
        &self,
        actor: &Actor,
        user: &str,
        profile: &str,
    ) -> Result<Option<Vec<ProfileField>>, DomainError> {
        let user = strip_primary_domain(user);
        self.authorize_profile(actor, user)?;
        let profile = profile_or_default(profile);
        self.store.read(|tx| {
            let Some(values) = tx.user_claim_values(user, profile)? else {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            };
            if profile != crate::domain::DEFAULT_PROFILE && !tx.profile_names(user)?.iter().any(|p| p == profile) {
                return Ok(Ok(None));
            }
            let fields = tx
                .claim_metas()?
                .iter()
                .filter(|m| m.supported_by_default)
                .map(|meta| {
                    let value = if meta.uri == "http://wso2.org/claims/username" {
                        Some(user.to_string())
                    } else {
                        values.iter().find(|(u, _)| *u == meta.uri).map(|(_, v)| v.clone())
                    };
                    ProfileField {
                        meta: meta.clone(),
                        value,
                    }
                })
                .collect();
            Ok(Ok(Some(fields)))
        })?
    }

    /// The names of a user's profiles; `default` is always first.
    pub fn user_profile_names(&self, actor: &Actor, user: &str) -> Result<Vec<String>, DomainError> {
        let user = strip_primary_domain(user);
        self.authorize_profile(actor, user)?;
        self.store.read(|tx| {
            if !tx.user_exists(user)? {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            }
            let mut names = vec![crate::domain::DEFAULT_PROFILE.to_string()];
            names.extend(
                tx.profile_names(user)?
                    .into_iter()
                    .filter(|p| p != crate::domain::DEFAULT_PROFILE),
            );
            Ok(Ok(names))
        })?
    }

    /// `setUserProfile`: write the given claim values into one profile, under the profile rule.
    pub fn set_user_profile(
        &self,
        actor: &Actor,
        user: &str,
        profile: &str,
        values: &[(String, String)],
    ) -> Result<(), DomainError> {
        let user = strip_primary_domain(user);
        self.authorize_profile(actor, user)?;
        if actor.is(user)
            && !actor.has(permissions::CONFIGURE_PROFILES)
            && let Some((uri, _)) = values.iter().find(|(uri, _)| claims::is_protected_from_self(uri))
        {
            return Err(DomainError::ReadOnlyClaim(uri.clone()));
        }
        self.store_claims(actor, user, profile, values, "profile.set")
    }

    /// `deleteUserProfile`: remove every value of a non-default profile.
    pub fn delete_user_profile(&self, actor: &Actor, user: &str, profile: &str) -> Result<(), DomainError> {
        let now = self.now();
        let user = strip_primary_domain(user);
        self.authorize_profile(actor, user)?;
        if profile_or_default(profile) == crate::domain::DEFAULT_PROFILE {
            return Err(DomainError::InvalidInput("Default profile can not be deleted".into()));
        }
        self.store.write(|tx| {
            if !tx.user_exists(user)? {
                return Err(DomainError::UserNotFound(user.to_string()));
            }
            tx.delete_profile(user, profile)?;
            self.audit(tx, now, actor, "profile.delete", user, profile)
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

    /// `getProfileNames(userName)`: the user's profiles, `default` first. Own profiles are readable; others' need
    /// `usermgt/view`.
    pub fn profile_names_of_user(&self, actor: &Actor, user: &str) -> Result<Vec<String>, DomainError> {
        let user = strip_primary_domain(user);
        actor.require_self_or(user, permissions::USERS_VIEW)?;
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
        actor.require(permissions::USERS_VIEW)?;
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

    /// Link a federated identity (idp, id) to a user.
    pub fn associate(&self, actor: &Actor, user: &str, idp: &str, associated_id: &str) -> Result<(), DomainError> {
        let now = self.now();
        let user = strip_primary_domain(user);
        if idp.trim().is_empty() || associated_id.trim().is_empty() {
            return Err(DomainError::MissingInput);
        }
        self.store.write(|tx| {
            match tx.add_association(user, idp, associated_id) {
                Ok(true) => {}
                Ok(false) => return Err(DomainError::UserNotFound(user.to_string())),
                Err(StoreError::Conflict) => {
                    return Err(DomainError::InvalidInput(format!(
                        "UserAlreadyAssociated: Provided user account is already associated to the given {idp} identity"
                    )));
                }
                Err(e) => return Err(e.into()),
            }
            self.audit(tx, now, actor, "association.add", user, idp)
        })
    }

    pub fn remove_association(
        &self,
        actor: &Actor,
        user: &str,
        idp: &str,
        associated_id: &str,
    ) -> Result<(), DomainError> {
        let now = self.now();
        let user = strip_primary_domain(user);
        self.store.write(|tx| {
            tx.remove_association(user, idp, associated_id)?;
            self.audit(tx, now, actor, "association.remove", user, idp)
        })
    }

    /// A user's associations as (idp, associated id).
    pub fn associations(&self, user: &str) -> Result<Vec<(String, String)>, DomainError> {
        Ok(self.store.read(|tx| tx.associations_of(strip_primary_domain(user)))?)
    }

    /// The user name a federated identity is linked to.
    pub fn user_for_association(&self, idp: &str, associated_id: &str) -> Result<Option<String>, DomainError> {
        Ok(self.store.read(|tx| tx.user_for_association(idp, associated_id))?)
    }
}
