//! The recovery portal's flow: `confirmrecovery.do` checks a code once and the reset form is completed from the
//! server's memory of that check, as WSO2 keeps the code in the HTTP session attribute `confirmationKey` and
//! `completepasswordreset.do` reads it from there. So a client sends the code once, and the form needs no hidden
//! code or token.
//!
//! A flow is found by a random token (the browser's cookie), kept only as its SHA-256. It holds the user and the
//! *hash* of the code that was checked (never the code: codes are stored only as HMACs), and what the page was
//! opened with (callback, tenant, `sessionDataKey`). Completing re-checks that hash against the pending code in
//! the same transaction as the password change, so a flow dies with its code: used, replaced by a new reset,
//! expired, or out of attempts. In memory and bounded: flows are opened only for valid codes, live
//! [`FLOW_TTL_MS`], and at most [`MAX_FLOWS`] exist (the oldest goes first).

use crate::store::TenantId;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::reset::stored_code;
use super::{App, CodeCheck};
use crate::domain::reset::{self, CodeVerdict};
use crate::domain::secret::Secret;
use crate::domain::tenant::SUPER_DOMAIN;
use crate::domain::{DomainError, Millis, strip_primary_domain};
use crate::util::hex_upper;

/// How long a checked code stays usable from the reset form: WSO2's HTTP session timeout (15 minutes).
pub const FLOW_TTL_MS: Millis = 15 * 60 * 1000;
/// The most flows held at once.
pub const MAX_FLOWS: usize = 10_000;

/// What `confirmrecovery.do` was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryRequest {
    pub user: String,
    pub code: Secret,
    /// `callback`, else `redirect_uri`: where to go once the password is set.
    pub callback: Option<String>,
    pub tenant_domain: Option<String>,
    /// The login flow the 17007 redirect came from (5.11's form carries it).
    pub session_data_key: Option<String>,
}

/// What a flow remembers besides the code, for the pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryFlow {
    /// The user's tenant, from the link's `tenantdomain` (or `tenantDomain`, or the page's `/t/{domain}/`).
    pub tenant: TenantId,
    pub user: String,
    pub callback: Option<String>,
    pub tenant_domain: Option<String>,
    pub session_data_key: Option<String>,
}

/// The answer to a code check on `confirmrecovery.do`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoveryOpening {
    /// The code is good: the flow's token (for the cookie, shown once) and what it holds.
    Opened { token: String, flow: RecoveryFlow },
    /// The code cannot be used (a mismatch spent an attempt).
    Refused(CodeCheck),
}

#[derive(Debug, Clone)]
struct Entry {
    flow: RecoveryFlow,
    code_hash: String,
    expires_at: Millis,
}

/// The live flows, keyed by the SHA-256 of their token.
#[derive(Debug, Default)]
pub struct RecoveryFlows {
    by_hash: Mutex<HashMap<[u8; 32], Entry>>,
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl RecoveryFlows {
    fn open(&self, entry: Entry, now: Millis) -> String {
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let token = hex_upper(&raw);
        let mut map = self.by_hash.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= MAX_FLOWS {
            map.retain(|_, e| e.expires_at > now);
        }
        while map.len() >= MAX_FLOWS {
            let Some(oldest) = map.iter().min_by_key(|(_, e)| e.expires_at).map(|(k, _)| *k) else {
                break;
            };
            map.remove(&oldest);
        }
        map.insert(digest(&token), entry);
        token
    }

    fn get(&self, token: &str, now: Millis) -> Option<Entry> {
        let map = self.by_hash.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&digest(token)).filter(|e| e.expires_at > now).cloned()
    }

    fn end(&self, token: &str) {
        self.by_hash
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&digest(token));
    }
}

impl App {
    /// `confirmrecovery.do`: check the code (a mismatch spends one of its attempts, as on every code check) and,
    /// when it is good, open a flow the reset form completes.
    pub fn open_recovery(&self, request: RecoveryRequest) -> Result<RecoveryOpening, DomainError> {
        let user = strip_primary_domain(&request.user).to_string();
        let now = self.now();
        // An unknown or deactivated tenant has no codes to check (WSO2 answers 18013 "invalid tenant domain"; a
        // deactivated tenant's link still worked there: carbon-kernel#1409).
        let domain = request.tenant_domain.as_deref().unwrap_or(SUPER_DOMAIN);
        let Some(tenant) = self.resolve_tenant(domain)? else {
            return Ok(RecoveryOpening::Refused(CodeCheck::Unknown));
        };
        let check = self
            .store
            .write(tenant.id, |tx| self.judge_in(tx, &user, request.code.expose(), now))?;
        if !matches!(check, CodeCheck::Valid { .. }) {
            return Ok(RecoveryOpening::Refused(check));
        }
        let flow = RecoveryFlow {
            tenant: tenant.id,
            user: user.clone(),
            callback: request.callback,
            tenant_domain: request.tenant_domain,
            session_data_key: request.session_data_key,
        };
        let entry = Entry {
            flow: flow.clone(),
            code_hash: reset::hash_code(self.code_key(), &user, request.code.expose()),
            expires_at: now.saturating_add(FLOW_TTL_MS),
        };
        let token = self.recovery_flows.open(entry, now);
        Ok(RecoveryOpening::Opened { token, flow })
    }

    /// The live flow a token names, if any.
    pub fn recovery_flow(&self, token: &str) -> Option<RecoveryFlow> {
        self.recovery_flows.get(token, self.now()).map(|e| e.flow)
    }

    /// `completepasswordreset.do` with a flow: set the new password with the code the flow checked. All or
    /// nothing, single use; the password policy is checked first, so a weak password leaves the flow usable. A
    /// flow whose code is no longer the pending one (used, replaced) is `Unknown`; no attempt is spent, as no
    /// code was guessed.
    pub fn complete_recovery(&self, token: &str, new_password: &Secret) -> Result<CodeCheck, DomainError> {
        let Some(entry) = self.recovery_flows.get(token, self.now()) else {
            return Ok(CodeCheck::Unknown);
        };
        self.password_policy.check_password(new_password.expose())?;
        let hash = self.hash_password(new_password.expose())?;
        let now = self.now();
        let user = entry.flow.user.as_str();
        let tenant = entry.flow.tenant;
        if !self.tenant_is_active(tenant)? {
            return Ok(CodeCheck::Unknown);
        }
        let check = self.store.write(tenant, |tx| {
            let Some(stored) = tx.recovery_code(user)? else {
                return Ok(CodeCheck::Unknown);
            };
            let verdict = reset::judge_hash(&stored_code(&stored), &entry.code_hash, now);
            Ok::<_, DomainError>(match verdict {
                CodeVerdict::Valid => {
                    self.finish_reset_in(tx, user, &hash, now)?;
                    CodeCheck::Valid {
                        scenario: stored.scenario,
                    }
                }
                CodeVerdict::Expired => CodeCheck::Expired {
                    scenario: stored.scenario,
                },
                CodeVerdict::Dead => CodeCheck::Dead,
                CodeVerdict::Mismatch => CodeCheck::Unknown,
            })
        })?;
        if matches!(check, CodeCheck::Valid { .. }) {
            // WSO2 ends the HTTP session after a reset (`session.invalidate()`).
            self.recovery_flows.end(token);
            self.sessions.revoke_user(tenant, user);
        }
        Ok(check)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(user: &str, expires_at: Millis) -> Entry {
        Entry {
            flow: RecoveryFlow {
                tenant: TenantId::SUPER,
                user: user.into(),
                callback: None,
                tenant_domain: None,
                session_data_key: None,
            },
            code_hash: "h".into(),
            expires_at,
        }
    }

    #[test]
    fn flows_are_found_by_their_token_until_they_expire_or_end() {
        let flows = RecoveryFlows::default();
        let token = flows.open(entry("tom", 100), 0);
        assert_eq!(token.len(), 64);
        assert_eq!(flows.get(&token, 99).map(|e| e.flow.user).as_deref(), Some("tom"));
        assert!(flows.get(&token, 100).is_none(), "expired");
        assert!(flows.get("not-a-token", 0).is_none());
        let other = flows.open(entry("bob", 100), 0);
        assert_ne!(other, token);
        flows.end(&other);
        assert!(flows.get(&other, 0).is_none(), "ended");
        assert!(!format!("{flows:?}").contains(&token), "the token itself is not kept");
    }

    #[test]
    fn flows_are_bounded() {
        let flows = RecoveryFlows::default();
        let first = flows.open(entry("u0", 1_000), 0);
        for i in 1..=MAX_FLOWS {
            flows.open(entry("u", 1_000 + i as Millis), 0);
        }
        assert!(flows.by_hash.lock().unwrap().len() <= MAX_FLOWS);
        assert!(flows.get(&first, 0).is_none(), "the oldest made room");
    }
}
