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
    /// The profile a claim of `requested` is stored in. An LDAP store keeps one entry per user and ignores the
    /// profile name (carbon-kernel's LDAP managers never read it): every profile is `default` there.
    pub(super) fn stored_profile<'a>(&self, requested: &'a str) -> &'a str {
        if self.config.user_store.store_type.multiple_profiles() {
            profile_or_default(requested)
        } else {
            DEFAULT_PROFILE
        }
    }

    /// UserProfileMgtService's in-method rule (`UserProfileAdmin.isAuthorized`, `isAdminProfileSpoof`): a user may
    /// act on their own profile; anyone else needs `permission` (`…/manage/identity/userprofile[/view|/delete]`);
    /// and only the super admin may touch the super admin's profile, whatever the permissions.
    pub(super) fn authorize_profile(&self, actor: &Actor, user: &str, permission: &str) -> Result<(), DomainError> {
        if !actor.is(user) && !actor.has(permission) {
            return Err(DomainError::NotAuthorized);
        }
        if matches!(actor, Actor::User { .. }) && self.is_super_admin(user) && !actor.is(user) {
            return Err(DomainError::NotAuthorized);
        }
        Ok(())
    }

    /// The profile as `getUserProfile` shows it: the supported-by-default claims that have a display name
    /// (`UserProfileAdmin.getAllSupportedClaims`), with the user's values. None when the user has no such profile
    /// (`default` always exists; an LDAP store has no other).
    pub fn user_profile(
        &self,
        actor: &Actor,
        user: &str,
        profile: &str,
    ) -> Result<Option<Vec<ProfileField>>, DomainError> {
        let user = strip_primary_domain(user);
        self.authorize_profile(actor, user, permissions::USER_PROFILES_VIEW)?;
        let profile = profile_or_default(profile);
        self.store.read(actor.tenant(), |tx| {
            // One statement for the user's existence and values: every profile read asks both.
            let Some(values) = tx.user_claim_values(user, profile)? else {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            };
            if profile != DEFAULT_PROFILE && !self.profile_names_in(tx, user)?.iter().any(|p| p == profile) {
                return Ok(Ok(None));
            }
            let mut fields = Vec::new();
            for meta in tx.claim_metas()?.iter() {
                if !meta.supported_by_default || meta.display_name.is_empty() {
                    continue;
                }
                let value = match self.computed_claim(tx, user, &meta.uri)? {
                    Some(value) => Some(value),
                    None => values.iter().find(|(u, _)| *u == meta.uri).map(|(_, v)| v.clone()),
                };
                fields.push(ProfileField {
                    meta: meta.clone(),
                    value,
                });
            }
            Ok(Ok(Some(fields)))
        })?
    }

    /// A user's profiles, `default` first: on an LDAP store only `default` (`getProfileNames`).
    fn profile_names_in(&self, tx: &crate::store::Tx<'_>, user: &str) -> Result<Vec<String>, StoreError> {
        let mut names = vec![DEFAULT_PROFILE.to_string()];
        if self.config.user_store.store_type.multiple_profiles() {
            names.extend(tx.profile_names(user)?.into_iter().filter(|p| p != DEFAULT_PROFILE));
        }
        Ok(names)
    }

    /// The names of a user's profiles, as `getUserProfiles` lists them.
    pub fn user_profile_names(&self, actor: &Actor, user: &str) -> Result<Vec<String>, DomainError> {
        let user = strip_primary_domain(user);
        self.authorize_profile(actor, user, permissions::USER_PROFILES_VIEW)?;
        self.store.read(actor.tenant(), |tx| {
            if !tx.user_exists(user)? {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            }
            Ok(Ok(self.profile_names_in(tx, user)?))
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
        self.authorize_profile(actor, user, permissions::USER_PROFILES)?;
        if actor.is(user)
            && !actor.has(permissions::USER_PROFILES)
            && let Some((uri, _)) = values.iter().find(|(uri, _)| claims::is_protected_from_self(uri))
        {
            return Err(DomainError::ReadOnlyClaim(uri.clone()));
        }
        self.store_claims(actor, user, profile, values, "profile.set")
    }

    /// `deleteUserProfile`: remove every value of a non-default profile. An LDAP store has no other profile: WSO2
    /// would delete the attributes of the user's one entry; that is refused here instead.
    pub fn delete_user_profile(&self, actor: &Actor, user: &str, profile: &str) -> Result<(), DomainError> {
        let now = self.now();
        let user = strip_primary_domain(user);
        self.authorize_profile(actor, user, permissions::USER_PROFILES_DELETE)?;
        if profile_or_default(profile) == DEFAULT_PROFILE {
            return Err(DomainError::InvalidInput("Cannot delete default profile".into()));
        }
        if !self.config.user_store.store_type.multiple_profiles() {
            return Err(DomainError::InvalidInput(format!(
                "Cannot delete profile {profile}: the user store keeps a single profile per user."
            )));
        }
        self.store.write(actor.tenant(), |tx| {
            if !tx.user_exists(user)? {
                return Err(DomainError::UserNotFound(user.to_string()));
            }
            tx.delete_profile(user, profile)?;
            self.audit(tx, now, actor, "profile.delete", user, profile)
        })
    }

    /// `isAddProfileEnabled` (`isMultipleProfilesAllowed` of the primary store).
    pub fn add_profile_enabled(&self) -> bool {
        self.config.user_store.store_type.multiple_profiles()
    }

    /// `isAddProfileEnabledForDomain`: the primary store's answer for a blank domain or `PRIMARY`; false for any
    /// other domain, since there are no secondary stores (`UserProfileAdmin` answers false when
    /// `getSecondaryUserStoreManager(domain)` finds none).
    pub fn add_profile_enabled_for_domain(&self, domain: &str) -> bool {
        let domain = domain.trim();
        (domain.is_empty() || domain.eq_ignore_ascii_case(crate::domain::USER_STORE_DOMAIN))
            && self.add_profile_enabled()
    }

    /// The console's profile edit: only claims it may edit ([`profile_editable`]), a required claim may not be
    /// emptied, then the same write as `setUserProfile` on the default profile.
    pub fn edit_profile(&self, actor: &Actor, user: &str, values: &[(String, String)]) -> Result<(), DomainError> {
        actor.require(permissions::USER_PROFILES)?;
        self.check_profile_edit(actor, values)?;
        self.set_user_profile(actor, user, DEFAULT_PROFILE, values)
    }

    /// The dashboard's "My profile": a signed-in user edits their own default profile under the console's rules
    /// (no permission needed: `UserProfileAdmin` lets anyone edit their own profile).
    pub fn edit_own_profile(&self, actor: &Actor, values: &[(String, String)]) -> Result<(), DomainError> {
        let Actor::User { name, .. } = actor else {
            return Err(DomainError::NotAuthorized);
        };
        self.check_profile_edit(actor, values)?;
        self.set_user_profile(actor, name, DEFAULT_PROFILE, values)
    }

    /// Every value names a claim a profile form may edit, and no required claim is emptied.
    fn check_profile_edit(&self, actor: &Actor, values: &[(String, String)]) -> Result<(), DomainError> {
        let metas = self.claim_metas(actor)?;
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
        Ok(())
    }

    /// `getProfileNames(userName)`: the user's profiles, `default` first (only `default` on LDAP). Own profiles are
    /// readable; others' need `userprofile/view` (the operation's services.xml permission).
    pub fn profile_names_of_user(&self, actor: &Actor, user: &str) -> Result<Vec<String>, DomainError> {
        let user = strip_primary_domain(user);
        actor.require_self_or(user, permissions::USER_PROFILES_VIEW)?;
        self.store.read(actor.tenant(), |tx| {
            if !tx.user_exists(user)? {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            }
            Ok(Ok(self.profile_names_in(tx, user)?))
        })?
    }

    /// `getAllProfileNames`: every profile in use by any user, `default` first (only `default` on LDAP). A profile
    /// exists here as soon as a user has a value in it (there is no separate profile configuration), so this scans
    /// the users.
    pub fn all_profile_names(&self, actor: &Actor) -> Result<Vec<String>, DomainError> {
        actor.require(permissions::USER_PROFILES_VIEW)?;
        let mut names = vec![DEFAULT_PROFILE.to_string()];
        if !self.config.user_store.store_type.multiple_profiles() {
            return Ok(names);
        }
        self.store.read(actor.tenant(), |tx| {
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
        self.store.write(actor.tenant(), |tx| {
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
        self.store.write(actor.tenant(), |tx| {
            tx.remove_association(user, idp, associated_id)?;
            self.audit(tx, now, actor, "association.remove", user, idp)
        })
    }

    /// A user's associations as (idp, associated id), in the actor's tenant.
    pub fn associations(&self, actor: &Actor, user: &str) -> Result<Vec<(String, String)>, DomainError> {
        Ok(self
            .store
            .read(actor.tenant(), |tx| tx.associations_of(strip_primary_domain(user)))?)
    }

    /// The user name a federated identity is linked to, in the actor's tenant.
    pub fn user_for_association(
        &self,
        actor: &Actor,
        idp: &str,
        associated_id: &str,
    ) -> Result<Option<String>, DomainError> {
        Ok(self
            .store
            .read(actor.tenant(), |tx| tx.user_for_association(idp, associated_id))?)
    }
}
