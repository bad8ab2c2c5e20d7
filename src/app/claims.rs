//! Claim values and the claim dialect: reading and writing a user's claims (every write goes through
//! `store_claims`, where a forced-reset trigger becomes the reset), and the dialect's metadata.

use crate::store::TenantId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use regex::Regex;

use super::{Actor, App, EVERYONE_ROLE};
use crate::domain::claims::{self, ClaimMeta};
use crate::domain::{DEFAULT_PROFILE, DomainError, login, permissions, strip_primary_domain};
use crate::store::{Dialect, StoreError, Tx};

impl App {
    /// One claim value of a user (None when unset).
    pub fn claim_value(
        &self,
        actor: &Actor,
        user: &str,
        uri: &str,
        profile: &str,
    ) -> Result<Option<String>, DomainError> {
        let user = strip_primary_domain(user);
        if !actor.is(user) {
            actor.require(permissions::USERS_VIEW)?;
        }
        let profile = self.stored_profile(profile);
        self.store.read(actor.tenant(), |tx| {
            let Some(record) = tx.user(user)? else {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            };
            Ok(Ok(match self.computed_claim(tx, &record.name, uri)? {
                Some(value) => Some(value),
                None => tx.claim_value(&record.name, profile, uri)?,
            }))
        })?
    }

    /// The value of a claim the store computes rather than keeps: the user name (`uid` in LDAP), and the role
    /// claim, which carbon-kernel's `AbstractUserStoreManager.getUserClaimValues` answers with the user's roles
    /// joined by `,` (its `MultiAttributeSeparator`). None for any other claim.
    pub(super) fn computed_claim(&self, tx: &Tx<'_>, user: &str, uri: &str) -> Result<Option<String>, StoreError> {
        Ok(match uri {
            claims::USERNAME => Some(user.to_string()),
            claims::ROLE => {
                let mut roles = tx.roles_of_user(user)?;
                roles.push(EVERYONE_ROLE.to_string());
                Some(roles.join(","))
            }
            _ => None,
        })
    }

    /// `setUserClaimValues` (and the CLI's `claim set`): set claim values of a user in one transaction. Every claim
    /// must belong to the local dialect. A forced-reset trigger among them becomes the reset, as WSO2's
    /// `AdminForcedPasswordResetHandler` acts on `PRE_SET_USER_CLAIMS`.
    pub fn set_claims(
        &self,
        actor: &Actor,
        user: &str,
        profile: &str,
        values: &[(String, String)],
    ) -> Result<(), DomainError> {
        let user = strip_primary_domain(user);
        authorize_claim_write(actor, user, values)?;
        self.store_claims(actor, user, profile, values, "claims.set")
    }

    /// `setUserClaimValue` ([`Merge::Replace`]) and `addUserClaimValue(s)`: write claim values under the same rules
    /// as [`App::set_claims`], but as plain values. WSO2's user core raises `PRE_SET_USER_CLAIM` (singular) for
    /// these, which no forced-reset handler of any release subscribes to (identity-governance
    /// `AdminForcedPasswordResetHandler.handleEvent`, v1.3.15 to v1.11.145), so `adminForcedPasswordReset=true`
    /// written this way is stored and triggers nothing. The add operations merge with the stored value as
    /// identity-user-ws `UserStoreManagerService` does before its `setUserClaimValue` (see [`Merge`]); read and
    /// written in one transaction.
    pub fn write_claim_values(
        &self,
        actor: &Actor,
        user: &str,
        profile: &str,
        values: &[(String, String)],
        merge: Merge,
    ) -> Result<(), DomainError> {
        let audit_action = if merge == Merge::Replace {
            "claims.set"
        } else {
            "claims.add"
        };
        let user = strip_primary_domain(user);
        authorize_claim_write(actor, user, values)?;
        let now = self.now();
        let profile = self.stored_profile(profile);
        self.store.write(actor.tenant(), |tx| {
            let Some(record) = tx.user(user)? else {
                return Err(DomainError::UserNotFound(user.to_string()));
            };
            let mut merged = Vec::with_capacity(values.len());
            for (uri, value) in values {
                // WSO2 writes claim by claim: a claim named twice merges with its first write.
                let current = match merged.iter().rposition(|(u, _): &(String, String)| u == uri) {
                    Some(i) => merged[i].1.clone(),
                    None => tx.claim_value(&record.name, profile, uri)?.unwrap_or_default(),
                };
                if let Some(value) = merge.apply(&current, value) {
                    merged.push((uri.clone(), value));
                }
            }
            self.write_claims(tx, actor, &record.name, profile, &merged)?;
            let uris: Vec<&str> = merged.iter().map(|(u, _)| u.as_str()).collect();
            self.audit(tx, now, actor, audit_action, &record.name, &uris.join(","))
        })
    }

    /// The path of every claim write that may trigger a reset (`setUserClaimValues`, `setUserProfile`, the CLI and
    /// the console): a forced-reset trigger becomes the reset in the same transaction as the other values;
    /// sessions are revoked and the mail worker woken after commit.
    pub(super) fn store_claims(
        &self,
        actor: &Actor,
        user: &str,
        profile: &str,
        values: &[(String, String)],
        audit_action: &str,
    ) -> Result<(), DomainError> {
        let now = self.now();
        let (values, plan) = self.split_reset_trigger(actor.tenant(), user, values, now)?;
        self.store.write(actor.tenant(), |tx| {
            if !tx.user_exists(user)? {
                return Err(DomainError::UserNotFound(user.to_string()));
            }
            self.store_claims_in(tx, actor, user, profile, &values, plan.as_ref(), now, audit_action)
        })?;
        if plan.is_some() {
            self.after_reset(actor.tenant(), user);
        }
        Ok(())
    }

    /// The transaction of [`App::store_claims`], for use cases that write more in the same one (SCIM): the values
    /// (trigger already split off), the planned reset, the lock's side effects, the audit. The caller runs
    /// [`App::after_reset`] after commit if there was a plan.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn store_claims_in(
        &self,
        tx: &Tx<'_>,
        actor: &Actor,
        user: &str,
        profile: &str,
        values: &[(String, String)],
        plan: Option<&crate::domain::reset::ResetPlan>,
        now: crate::domain::Millis,
        audit_action: &str,
    ) -> Result<(), DomainError> {
        let was_locked = is_locked(tx, user)?;
        self.write_claims(tx, actor, user, profile, values)?;
        if let Some(plan) = plan {
            self.apply_reset(tx, now, actor, user, plan)?;
        }
        if self.settings.profile.login.lock_writes_reason {
            let reason = tx.claim_value(user, DEFAULT_PROFILE, claims::LOCKED_REASON)?;
            let unlock_time = tx.claim_value(user, DEFAULT_PROFILE, claims::UNLOCK_TIME)?;
            let effects = login::admin_lock_claims(
                was_locked,
                is_locked(tx, user)?,
                reason.as_deref(),
                unlock_time.is_some(),
            );
            for (uri, value) in effects {
                if value.is_empty() {
                    tx.delete_claim_value(user, DEFAULT_PROFILE, uri)?;
                } else {
                    tx.set_claim_value(user, DEFAULT_PROFILE, uri, value)?;
                }
            }
        }
        let uris: Vec<&str> = values.iter().map(|(u, _)| u.as_str()).collect();
        self.audit(tx, now, actor, audit_action, user, &uris.join(","))
    }

    /// Check each claim against the dialect (known, matching its regex, not computed by the store, and not
    /// read-only when users write their own) and store it.
    pub(super) fn write_claims(
        &self,
        tx: &Tx<'_>,
        actor: &Actor,
        user: &str,
        profile: &str,
        values: &[(String, String)],
    ) -> Result<(), DomainError> {
        if values.is_empty() {
            return Ok(());
        }
        let profile = self.stored_profile(profile);
        let metas = tx.claim_metas()?;
        for (uri, value) in values {
            let Some(meta) = metas.iter().find(|m| &m.uri == uri) else {
                return Err(DomainError::UnknownClaim(uri.clone()));
            };
            // The claims the store computes are the server's. `ReadOnly` is a UI flag in WSO2: its admin services
            // store such a claim (`department`, `accountState`) for an admin, and forcereset does likewise; a
            // user's own write of one is refused, as WSO2's profile UI leaves it out (docs/COMPATIBILITY.md).
            if claims::is_computed(uri) || (meta.read_only && actor.is(user)) {
                return Err(DomainError::ReadOnlyClaim(uri.clone()));
            }
            // An empty value removes the claim, so profiles never show a stored empty string.
            if value.is_empty() {
                tx.delete_claim_value(user, profile, uri)?;
                continue;
            }
            if !self.claim_patterns.accepts(&meta.regex, value) {
                return Err(DomainError::InvalidInput(format!(
                    "The value of claim {uri} does not match the pattern {}",
                    meta.regex
                )));
            }
            tx.set_claim_value(user, profile, uri, value)?;
        }
        Ok(())
    }

    /// The claim dialect, in display order.
    pub fn claim_metas(&self) -> Result<Dialect, DomainError> {
        Ok(self.store.read(TenantId::SUPER, |tx| tx.claim_metas())?)
    }

    /// `getUserClaimValues`: every claim the user has a value for in the profile, with its dialect metadata, in
    /// display order. The computed claims (user name, roles) are always present. Own claims are readable; others'
    /// need `usermgt/view`.
    pub fn user_claims(
        &self,
        actor: &Actor,
        user: &str,
        profile: &str,
    ) -> Result<Vec<(Arc<ClaimMeta>, String)>, DomainError> {
        let user = strip_primary_domain(user);
        actor.require_self_or(user, permissions::USERS_VIEW)?;
        let profile = self.stored_profile(profile);
        self.store.read(actor.tenant(), |tx| {
            let Some(record) = tx.user(user)? else {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            };
            let mut values = tx.claim_values(&record.name, profile)?;
            values.retain(|(uri, _)| !claims::is_computed(uri));
            let metas = tx.claim_metas()?;
            for uri in claims::COMPUTED {
                if let Some(value) = self.computed_claim(tx, &record.name, uri)? {
                    values.push((uri.to_string(), value));
                }
            }
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
        actor.require_self_or(user, permissions::USERS_VIEW)?;
        let profile = self.stored_profile(profile);
        self.store.read(actor.tenant(), |tx| {
            let Some(record) = tx.user(user)? else {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            };
            let mut out: Vec<(String, String)> = Vec::new();
            for uri in uris {
                if out.iter().any(|(u, _)| u == uri) {
                    continue;
                }
                let value = match self.computed_claim(tx, &record.name, uri)? {
                    Some(value) => Some(value),
                    None => tx.claim_value(&record.name, profile, uri)?,
                };
                if let Some(value) = value {
                    out.push((uri.clone(), value));
                }
            }
            Ok(Ok(out))
        })?
    }

    /// `deleteUserClaimValue(s)`: remove claim values, in one transaction. A user may remove their own ordinary
    /// claims, never identity claims or the OTP; others need `usermgt/delete` (the operations' services.xml
    /// permission); every claim must be a known, writable claim of the dialect.
    pub fn delete_claims(&self, actor: &Actor, user: &str, profile: &str, uris: &[String]) -> Result<(), DomainError> {
        let now = self.now();
        let user = strip_primary_domain(user);
        if !actor.is(user) {
            actor.require(permissions::USERS_DELETE)?;
        } else if let Some(uri) = uris.iter().find(|uri| claims::is_protected_from_self(uri)) {
            return Err(DomainError::ReadOnlyClaim(uri.clone()));
        }
        // An empty value is how write_claims removes a claim, after checking it against the dialect.
        let removals: Vec<(String, String)> = uris.iter().map(|uri| (uri.clone(), String::new())).collect();
        self.store.write(actor.tenant(), |tx| {
            self.require_user(tx, user)?;
            self.write_claims(tx, actor, user, profile, &removals)?;
            self.audit(tx, now, actor, "claims.delete", user, &uris.join(","))
        })
    }

    /// The local dialect with every claim's metadata, in display order.
    pub fn claim_dialect(&self, actor: &Actor) -> Result<Dialect, DomainError> {
        actor.require(permissions::CLAIM_METADATA_VIEW)?;
        self.claim_metas()
    }

    /// One claim's metadata.
    pub fn claim_meta_of(&self, actor: &Actor, uri: &str) -> Result<ClaimMeta, DomainError> {
        actor.require(permissions::CLAIM_METADATA_VIEW)?;
        self.store
            .read(actor.tenant(), |tx| tx.claim_meta(uri))?
            .ok_or_else(|| DomainError::UnknownClaim(uri.to_string()))
    }

    /// Replace the editable metadata of a known claim (display name, description, regex, display order and the
    /// three flags). The display name must not be blank and the regex must compile, since every later claim write
    /// is checked against it.
    pub fn update_claim_metadata(&self, actor: &Actor, meta: &ClaimMeta) -> Result<(), DomainError> {
        let now = self.now();
        actor.require(permissions::CLAIM_METADATA_UPDATE)?;
        let display_name = meta.display_name.trim();
        if display_name.is_empty() {
            return Err(DomainError::InvalidInput(format!(
                "The display name of claim {} cannot be empty.",
                meta.uri
            )));
        }
        if let Err(e) = regex::Regex::new(&meta.regex) {
            return Err(DomainError::InvalidInput(format!(
                "The regular expression of claim {} is not valid: {e}",
                meta.uri
            )));
        }
        let updated = ClaimMeta {
            display_name: display_name.to_string(),
            description: meta.description.trim().to_string(),
            ..meta.clone()
        };
        self.store.write(actor.tenant(), |tx| {
            let Some(current) = tx.claim_meta(&meta.uri)? else {
                return Err(DomainError::UnknownClaim(meta.uri.clone()));
            };
            if !tx.update_claim_meta(&updated)? {
                return Err(DomainError::UnknownClaim(meta.uri.clone()));
            }
            self.audit(
                tx,
                now,
                actor,
                "claim.update",
                &meta.uri,
                &claim_changes(&current, &updated),
            )
        })
    }
}

/// Who may write claim values: a user their own ordinary claims (never identity claims or the OTP), anyone else
/// with `usermgt/update`.
fn authorize_claim_write(actor: &Actor, user: &str, values: &[(String, String)]) -> Result<(), DomainError> {
    if !actor.is(user) {
        actor.require(permissions::USERS_UPDATE)
    } else if let Some((uri, _)) = values.iter().find(|(uri, _)| claims::is_protected_from_self(uri)) {
        Err(DomainError::ReadOnlyClaim(uri.clone()))
    } else {
        Ok(())
    }
}

/// How `addUserClaimValue(s)` combine a new value with the stored one (identity-user-ws `UserStoreManagerService`,
/// v5.3.3 to v5.8.10, unchanged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    /// Replace the stored value (`setUserClaimValue`).
    Replace,
    /// `addUserClaimValue`: `stored,new` when both are non-empty, else the new value as given (an empty one clears
    /// the claim). No check for a value already there.
    Append,
    /// `addUserClaimValues`: blank new values are skipped, and so is a value already among the stored ones
    /// (compared case-insensitively, split at `,`, the stores' `MultiAttributeSeparator`); else `stored,new`.
    AppendDistinct,
}

impl Merge {
    /// The value to write, or None to leave the claim alone.
    pub fn apply(self, stored: &str, new: &str) -> Option<String> {
        match self {
            Merge::Replace => Some(new.to_string()),
            Merge::Append if !new.is_empty() && !stored.is_empty() => Some(format!("{stored},{new}")),
            Merge::Append => Some(new.to_string()),
            Merge::AppendDistinct if new.trim().is_empty() => None,
            Merge::AppendDistinct if stored.split(',').any(|v| v.eq_ignore_ascii_case(new)) => None,
            Merge::AppendDistinct if stored.is_empty() => Some(new.to_string()),
            Merge::AppendDistinct => Some(format!("{stored},{new}")),
        }
    }
}

/// The fields an edit changed, for the audit log.
fn claim_changes(old: &ClaimMeta, new: &ClaimMeta) -> String {
    let mut out = Vec::new();
    let mut field = |name: &str, before: String, after: String| {
        if before != after {
            out.push(format!("{name}={after}"));
        }
    };
    field("display_name", old.display_name.clone(), new.display_name.clone());
    field("description", old.description.clone(), new.description.clone());
    field("regex", old.regex.clone(), new.regex.clone());
    field(
        "display_order",
        old.display_order.to_string(),
        new.display_order.to_string(),
    );
    field(
        "supported_by_default",
        old.supported_by_default.to_string(),
        new.supported_by_default.to_string(),
    );
    field("required", old.required.to_string(), new.required.to_string());
    field("read_only", old.read_only.to_string(), new.read_only.to_string());
    if out.is_empty() {
        "no change".to_string()
    } else {
        out.join(",")
    }
}

/// Claim patterns (a claim's `regex`), each compiled once; a pattern that does not compile accepts no value (fail
/// closed, like the password policy). Keyed by the pattern's text, so an edited claim simply uses a new entry.
#[derive(Default)]
pub(super) struct ClaimPatterns(Mutex<HashMap<String, Option<Regex>>>);

/// Patterns kept at most; past this the cache starts over (only console edits add patterns).
const MAX_PATTERNS: usize = 256;

impl ClaimPatterns {
    /// Does `value` satisfy `pattern`? An empty pattern accepts anything.
    pub(super) fn accepts(&self, pattern: &str, value: &str) -> bool {
        if pattern.is_empty() {
            return true;
        }
        let mut cache = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if !cache.contains_key(pattern) {
            if cache.len() >= MAX_PATTERNS {
                cache.clear();
            }
            let compiled = Regex::new(pattern)
                .inspect_err(|e| {
                    tracing::error!(pattern, error = %e, "a claim's regex does not compile; refusing every value");
                })
                .ok();
            cache.insert(pattern.to_string(), compiled);
        }
        cache
            .get(pattern)
            .is_some_and(|re| re.as_ref().is_some_and(|re| re.is_match(value)))
    }
}

/// `accountLocked` as stored (the account lock reads the default profile).
fn is_locked(tx: &Tx<'_>, user: &str) -> Result<bool, StoreError> {
    Ok(tx
        .claim_value(user, DEFAULT_PROFILE, claims::ACCOUNT_LOCKED)?
        .is_some_and(|v| v.eq_ignore_ascii_case("true")))
}
