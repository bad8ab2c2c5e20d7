//! Password expiry: whether a user's password has expired (asked by `login` after a good password), the change an
//! expired user must make before the login completes, and when a password expires (`user show`).
//!
//! The change is held between the login and the change page by a *ticket*: the login flow's `sessionDataKey` on
//! 5.x–6.x (PWP's authenticator is a step of the same flow) or a fresh confirmation code on 7.x (GOV's handler
//! stores one with scenario `PASSWORD_EXPIRY` and puts it in the redirect). Tickets name the user who proved the
//! password, live [`TICKET_TTL_MS`] (WSO2's session timeout), are kept as SHA-256 only, at most [`MAX_TICKETS`],
//! and allow [`MAX_WRONG_CURRENT`] wrong current passwords before they end. In memory: a restart means logging in
//! again, which sends the user back to the page.

use crate::store::TenantId;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, PoisonError};

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{Actor, App, Tenant};
use crate::domain::expiry::rules::{self, Memberships};
use crate::domain::expiry::{
    self, ChangeRefusal, Exemption, Expiry, ExpirySettings, LAST_PASSWORD_CHANGED_FALLBACK, PASSWORD_EXPIRY_TIME,
};
use crate::domain::governance::Resident;
use crate::domain::profile::expiry::Enforcer;
use crate::domain::scim::resource::UserData;
use crate::domain::secret::Secret;
use crate::domain::{DEFAULT_PROFILE, DomainError, Millis, claims, permissions, strip_primary_domain};
use crate::store::{StoreError, Tx};
use crate::util::hex_upper;

/// How long a ticket lasts: WSO2's HTTP session timeout (15 minutes).
pub const TICKET_TTL_MS: Millis = 15 * 60 * 1000;
/// The most tickets held at once (the oldest goes first).
pub const MAX_TICKETS: usize = 10_000;
/// Wrong current passwords a ticket takes before it ends (the login must then be repeated).
pub const MAX_WRONG_CURRENT: u32 = 5;

#[derive(Debug, Clone)]
struct Ticket {
    tenant: Tenant,
    user: String,
    expires_at: Millis,
    wrong_current: u32,
}

/// The live tickets, keyed by the SHA-256 of their text.
#[derive(Debug, Default)]
pub struct ExpiryTickets {
    by_hash: Mutex<HashMap<[u8; 32], Ticket>>,
}

fn digest(ticket: &str) -> [u8; 32] {
    Sha256::digest(ticket.as_bytes()).into()
}

impl ExpiryTickets {
    fn hold(&self, ticket: &str, tenant: &Tenant, user: &str, now: Millis) {
        let mut map = self.by_hash.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= MAX_TICKETS {
            map.retain(|_, t| t.expires_at > now);
        }
        while map.len() >= MAX_TICKETS {
            let Some(oldest) = map.iter().min_by_key(|(_, t)| t.expires_at).map(|(k, _)| *k) else {
                break;
            };
            map.remove(&oldest);
        }
        map.insert(
            digest(ticket),
            Ticket {
                tenant: tenant.clone(),
                user: user.to_string(),
                expires_at: now.saturating_add(TICKET_TTL_MS),
                wrong_current: 0,
            },
        );
    }

    fn user(&self, ticket: &str, now: Millis) -> Option<(Tenant, String)> {
        let map = self.by_hash.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&digest(ticket))
            .filter(|t| t.expires_at > now)
            .map(|t| (t.tenant.clone(), t.user.clone()))
    }

    /// Count a wrong current password; true when the ticket is now used up (and gone).
    fn wrong_current(&self, ticket: &str) -> bool {
        let mut map = self.by_hash.lock().unwrap_or_else(PoisonError::into_inner);
        let key = digest(ticket);
        let spent = map.get_mut(&key).is_none_or(|t| {
            t.wrong_current = t.wrong_current.saturating_add(1);
            t.wrong_current >= MAX_WRONG_CURRENT
        });
        if spent {
            map.remove(&key);
        }
        spent
    }

    fn end(&self, ticket: &str) {
        self.by_hash
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&digest(ticket));
    }
}

/// The change page's fields, each None when the post did not send it.
#[derive(Debug, Clone, Default)]
pub struct ChangeFields {
    /// PWP's page only (`CURRENT_PWD`); 7.x's has no such field.
    pub current: Option<Secret>,
    pub new: Option<Secret>,
    pub confirm: Option<Secret>,
}

/// What the change page's post came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpiredChange {
    /// The password is changed; the login completes for this user, in this tenant.
    Changed { tenant: TenantId, user: String },
    /// Refused with PWP's text; the ticket stays for another try (unless it was the last wrong current password).
    Refused(ChangeRefusal),
    /// No such ticket (expired, used, forged): the login must be repeated.
    NoTicket,
}

impl App {
    /// Has `user`'s password expired at `now` (inside the login's transaction)?
    pub(super) fn password_expired_in(&self, tx: &Tx<'_>, user: &str, now: Millis) -> Result<bool, StoreError> {
        self.password_expired_with(tx, &self.resident_in(tx)?, user, now)
    }

    /// As [`App::password_expired_in`], with the governance values already read (the login reads them once).
    pub(super) fn password_expired_with(
        &self,
        tx: &Tx<'_>,
        resident: &Resident,
        user: &str,
        now: Millis,
    ) -> Result<bool, StoreError> {
        let settings = self.user_expiry_settings_with(tx, resident, user)?;
        if !settings.enabled {
            return Ok(false);
        }
        let last = self.last_password_update_in(tx, user)?;
        Ok(expiry::is_expired(&self.settings.profile.expiry, &settings, last, now))
    }

    /// The expiry settings for `user`: the connector's, or on 7.1+ those of the first rule the user's roles match
    /// (GOV `isPasswordExpired`). A role is also a group here (one role table serves SOAP roles and SCIM Groups),
    /// so a rule on `roles` and one on `groups` both look at the ids of the user's roles. `resident` is the
    /// governance values, read by the caller once.
    fn user_expiry_settings_with(
        &self,
        tx: &Tx<'_>,
        resident: &Resident,
        user: &str,
    ) -> Result<ExpirySettings, StoreError> {
        let settings = self.expiry_settings_of(resident);
        if !settings.enabled || !self.settings.profile.expiry.rules {
            return Ok(settings);
        }
        let (rules, refused) = rules::rules_of(resident);
        for (property, why) in &refused {
            // GOV logs and skips a rule it cannot parse; the sign-in goes on.
            tracing::debug!(%property, "password expiry rule skipped: {why}");
        }
        if rules.is_empty() {
            return Ok(settings);
        }
        let ids: BTreeSet<String> = tx.role_refs_of_user(user)?.into_iter().map(|(id, _)| id).collect();
        let user = Memberships {
            roles: ids.clone(),
            groups: ids,
        };
        Ok(rules::settings_for(settings, &rules, &user))
    }

    /// Has `user`'s password expired, now (the password grant asks it of a failed login too, as 7.0 does)?
    pub(super) fn password_expired_now(&self, tenant: TenantId, user: &str) -> Result<bool, DomainError> {
        let now = self.now();
        Ok(self.store.read(tenant, |tx| self.password_expired_in(tx, user, now))?)
    }

    /// What [`App::with_expiry_time`] needs, read once per request: the governance values on 7.1+ with expiry on;
    /// None where no user can have a computed expiry time (an older release, expiry off), so those pay nothing more.
    pub(super) fn expiry_time_source_in(&self, tx: &Tx<'_>) -> Result<Option<Resident>, StoreError> {
        if !self.settings.profile.expiry.expiry_time_claim {
            return Ok(None);
        }
        let resident = self.resident_in(tx)?;
        Ok(self.expiry_settings_of(&resident).enabled.then_some(resident))
    }

    /// 7.1+: `data`'s claims with `passwordExpiryTime` as GOV's `getUserPasswordExpiryTime` computes it (the first
    /// expired instant; now, for a password with no recorded update; absent when the user's password does not
    /// expire). Read paths only: the value is never stored. `source` is [`App::expiry_time_source_in`]'s.
    pub(super) fn with_expiry_time(
        &self,
        tx: &Tx<'_>,
        source: Option<&Resident>,
        mut data: UserData,
    ) -> Result<UserData, StoreError> {
        let Some(resident) = source else {
            return Ok(data);
        };
        let now = self.now();
        let settings = self.user_expiry_settings_with(tx, resident, &data.name)?;
        let last = self.last_password_update_in(tx, &data.name)?;
        let at = match expiry::expires_at(&self.settings.profile.expiry, &settings, last, now) {
            Expiry::Off | Expiry::Exempt(_) => return Ok(data),
            Expiry::NoRecord { .. } => now,
            Expiry::At(at) => at,
        };
        data.claims.retain(|(uri, _)| uri != PASSWORD_EXPIRY_TIME);
        data.claims.push((PASSWORD_EXPIRY_TIME.to_string(), at.to_string()));
        Ok(data)
    }

    /// `lastPasswordUpdateTime`, else `lastPasswordChangedTimestamp` where the dialect has that claim (both
    /// components read the fallback only then).
    fn last_password_update_in(&self, tx: &Tx<'_>, user: &str) -> Result<Option<Millis>, StoreError> {
        let primary = tx.claim_value(user, DEFAULT_PROFILE, claims::LAST_PASSWORD_UPDATE_TIME)?;
        let fallback = if expiry::last_update(primary.as_deref(), None).is_none()
            && tx.claim_meta(LAST_PASSWORD_CHANGED_FALLBACK)?.is_some()
        {
            tx.claim_value(user, DEFAULT_PROFILE, LAST_PASSWORD_CHANGED_FALLBACK)?
        } else {
            None
        };
        Ok(expiry::last_update(primary.as_deref(), fallback.as_deref()))
    }

    /// When `user`'s password expires under the settings in force (`user show`).
    pub fn password_expiry(&self, actor: &Actor, user: &str) -> Result<Expiry, DomainError> {
        actor.require(permissions::USERS_VIEW)?;
        let user = strip_primary_domain(user);
        let now = self.now();
        self.store.read(actor.tenant(), |tx| {
            if !tx.user_exists(user)? {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            }
            let resident = self.resident_in(tx)?;
            let settings = self.user_expiry_settings_with(tx, &resident, user)?;
            if !settings.enabled && self.expiry_settings_of(&resident).enabled {
                // On for the server, off for this user: an `ne` rule matched.
                return Ok(Ok(Expiry::Exempt(Exemption::Rule)));
            }
            let last = self.last_password_update_in(tx, user)?;
            Ok(Ok(expiry::expires_at(
                &self.settings.profile.expiry,
                &settings,
                last,
                now,
            )))
        })?
    }

    /// Hold the change an expired `user` must make, under `ticket` (the login flow's key), or under a fresh
    /// confirmation code when `ticket` is None; returns the ticket. Only for a login that said
    /// `password_expired`.
    pub fn hold_expired_change(&self, tenant: &Tenant, user: &str, ticket: Option<&str>) -> String {
        let ticket = ticket.map_or_else(
            || {
                let mut raw = [0u8; 16];
                rand::rng().fill_bytes(&mut raw);
                hex_upper(&raw)
            },
            str::to_string,
        );
        self.expiry_tickets.hold(&ticket, tenant, user, self.now());
        ticket
    }

    /// The tenant and user a live ticket holds a change for.
    pub fn expired_change_user(&self, ticket: &str) -> Option<(Tenant, String)> {
        self.expiry_tickets.user(ticket, self.now())
    }

    /// The change page's post: PWP's checks in its order (fields, new ≠ current, confirmation), then the current
    /// password (5.x–6.x's page asks it; on 7.x's, which does not, the new one must not be the current one),
    /// then the password policy; the new password and a fresh `lastPasswordUpdateTime` in one transaction.
    pub fn change_expired_password(&self, ticket: &str, fields: &ChangeFields) -> Result<ExpiredChange, DomainError> {
        let Some((tenant, user)) = self.expired_change_user(ticket) else {
            return Ok(ExpiredChange::NoTicket);
        };
        let tenant = tenant.id;
        let asks_current = self.settings.profile.expiry.enforcer == Enforcer::Authenticator;
        let (current, new, confirm) = (
            fields.current.as_ref().map(Secret::expose),
            fields.new.as_ref().map(Secret::expose),
            fields.confirm.as_ref().map(Secret::expose),
        );
        if let Err(refusal) = expiry::check_change(asks_current, current, new, confirm) {
            return Ok(ExpiredChange::Refused(refusal));
        }
        let Some(new) = &fields.new else {
            return Ok(ExpiredChange::Refused(ChangeRefusal::AllFieldsRequired));
        };
        let current = fields.current.as_ref().filter(|_| asks_current);
        let Some(record) = self.store.read(tenant, |tx| tx.user(&user))? else {
            self.expiry_tickets.end(ticket);
            return Ok(ExpiredChange::NoTicket);
        };
        match current {
            Some(current) if !self.verify_password(current.expose(), &record.password_hash) => {
                self.expiry_tickets.wrong_current(ticket);
                return Ok(ExpiredChange::Refused(ChangeRefusal::WrongCurrent));
            }
            Some(_) => {}
            None if self.verify_password(new.expose(), &record.password_hash) => {
                return Ok(ExpiredChange::Refused(ChangeRefusal::SameAsCurrent));
            }
            None => {}
        }
        if self.password_policy.check_password(new.expose()).is_err() {
            let regex = self.password_policy.pattern().to_string();
            return Ok(ExpiredChange::Refused(ChangeRefusal::Policy(regex)));
        }
        let hash = self.hash_password(new.expose())?;
        let now = self.now();
        let changed = self.store.write(tenant, |tx| {
            // Checked outside the transaction (hashing is slow): the password must still be the one checked.
            let unchanged = tx
                .user(&record.name)?
                .is_some_and(|r| r.password_hash == record.password_hash);
            if !unchanged {
                return Ok(false);
            }
            super::users::set_password_in(tx, &record.name, &hash, now)?;
            self.audit(
                tx,
                now,
                &Actor::System,
                "user.password.expired_change",
                &record.name,
                "",
            )?;
            Ok::<_, DomainError>(true)
        })?;
        self.expiry_tickets.end(ticket);
        if !changed {
            // Someone set the password meanwhile: this change no longer stands on a checked password.
            return Ok(ExpiredChange::NoTicket);
        }
        Ok(ExpiredChange::Changed {
            tenant,
            user: record.name,
        })
    }
}
