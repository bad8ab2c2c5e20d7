//! Sessions: the admin services' and the console's `JSESSIONID` and the dashboard's `commonAuthId`. The use cases
//! (open, look up, resolve to an [`Actor`], end) are the one session edge every adapter goes through; the store
//! below keeps random tokens only as SHA-256 hashes, with an idle timeout, revocable per user.

use crate::store::TenantId;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, PoisonError};

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{Actor, App};
use crate::domain::{DomainError, Millis};
use crate::util::hex_upper;

/// WSO2's default HTTP session timeout: 15 minutes idle.
pub const IDLE_TIMEOUT_MS: Millis = 15 * 60 * 1000;

/// How often expired sessions are swept out. A client that sends Basic credentials without keeping the cookie
/// opens a session per call, as Carbon does; sweeping on every `create` made each one cost a scan of the whole
/// map (40,000 sessions: a quarter of the forced resets/s gone). Swept once a minute, the map holds at most
/// the sessions of the last 16 minutes, and a lookup still refuses an expired one on its own.
const SWEEP_EVERY_MS: Millis = 60 * 1000;

/// The most *unused* sessions one user keeps: sessions opened and never presented since. Opening one more ends
/// the oldest unused one. Carbon opens a session for every Basic-authenticated call that brings no cookie, so a
/// script calling 10,000 times a second without keeping the cookie would otherwise hold 9 million sessions
/// (gigabytes) by the time the first expires. A session that has come back once (the client keeps its cookie)
/// is no longer counted, so such a flood never ends a session somebody is using.
pub const MAX_UNUSED_SESSIONS_PER_USER: usize = 64;

#[derive(Debug, Clone)]
struct Entry {
    tenant: TenantId,
    user: String,
    opened: Millis,
    last_seen: Millis,
    /// Presented at least once since it was opened.
    used: bool,
}

/// Live sessions. In memory: a restart logs everyone out, as a WSO2 restart does.
#[derive(Debug, Default)]
pub struct Sessions {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    by_hash: HashMap<[u8; 32], Entry>,
    /// Per user (tenant and lower-cased name), so that ending a user's sessions does not scan every session.
    by_user: HashMap<(TenantId, String), UserSessions>,
    last_sweep: Millis,
}

#[derive(Debug, Default)]
struct UserSessions {
    all: HashSet<[u8; 32]>,
    /// The unused ones, oldest first.
    unused: VecDeque<[u8; 32]>,
}

impl Inner {
    fn remove(&mut self, key: &[u8; 32]) -> Option<Entry> {
        let entry = self.by_hash.remove(key)?;
        let user = (entry.tenant, entry.user.to_lowercase());
        if let Some(sessions) = self.by_user.get_mut(&user) {
            sessions.all.remove(key);
            if !entry.used {
                sessions.unused.retain(|k| k != key);
            }
            if sessions.all.is_empty() {
                self.by_user.remove(&user);
            }
        }
        Some(entry)
    }

    fn sweep(&mut self, now: Millis) {
        let expired: Vec<[u8; 32]> = self
            .by_hash
            .iter()
            .filter(|(_, e)| now - e.last_seen >= IDLE_TIMEOUT_MS)
            .map(|(k, _)| *k)
            .collect();
        for key in &expired {
            self.remove(key);
        }
        self.last_sweep = now;
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Open a session for `user`; the token is returned once and never stored.
    pub fn create(&self, tenant: TenantId, user: &str, now: Millis) -> String {
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let token = hex_upper(&raw);
        let key = digest(&token);
        let mut inner = self.lock();
        if now - inner.last_sweep >= SWEEP_EVERY_MS {
            inner.sweep(now);
        }
        let sessions = inner.by_user.entry((tenant, user.to_lowercase())).or_default();
        sessions.all.insert(key);
        sessions.unused.push_back(key);
        let evicted = if sessions.unused.len() > MAX_UNUSED_SESSIONS_PER_USER {
            sessions.unused.pop_front()
        } else {
            None
        };
        if let Some(oldest) = evicted {
            sessions.all.remove(&oldest);
            inner.by_hash.remove(&oldest);
        }
        inner.by_hash.insert(
            key,
            Entry {
                tenant,
                user: user.to_string(),
                opened: now,
                last_seen: now,
                used: false,
            },
        );
        token
    }

    /// The tenant and user of a live session and when it was opened, refreshing its idle timer.
    pub fn user(&self, token: &str, now: Millis) -> Option<(TenantId, String, Millis)> {
        let key = digest(token);
        let mut inner = self.lock();
        let entry = inner.by_hash.get_mut(&key)?;
        if now - entry.last_seen >= IDLE_TIMEOUT_MS {
            inner.remove(&key);
            return None;
        }
        entry.last_seen = now;
        let (tenant, user, opened) = (entry.tenant, entry.user.clone(), entry.opened);
        if !entry.used {
            entry.used = true;
            if let Some(sessions) = inner.by_user.get_mut(&(tenant, user.to_lowercase())) {
                sessions.unused.retain(|k| *k != key);
            }
        }
        Some((tenant, user, opened))
    }

    pub fn revoke(&self, token: &str) {
        self.lock().remove(&digest(token));
    }

    /// End every session of a user (password reset, deletion); the number ended.
    pub fn revoke_user(&self, tenant: TenantId, user: &str) -> usize {
        let mut inner = self.lock();
        let sessions = inner.by_user.remove(&(tenant, user.to_lowercase())).unwrap_or_default();
        sessions
            .all
            .iter()
            .filter(|k| inner.by_hash.remove(*k).is_some())
            .count()
    }

    /// Sessions held in memory, expired ones not yet swept included.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().by_hash.len()
    }
}

/// A session token, as the client's cookie carries it. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(********)")
    }
}

/// A live session a request presented: its token, the name of its user and when it was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token: SessionToken,
    pub tenant: TenantId,
    pub user: String,
    pub opened: Millis,
}

impl App {
    /// Open a session for a user who has just authenticated; the token is returned once and stored only hashed.
    pub fn open_session(&self, tenant: TenantId, user: &str) -> SessionToken {
        SessionToken(self.sessions.create(tenant, user, self.now()))
    }

    /// The live session a client's token names, refreshing its idle timer; None if unknown or expired.
    pub fn session(&self, token: &str) -> Option<Session> {
        let (tenant, user, opened) = self.sessions.user(token, self.now())?;
        Some(Session {
            token: SessionToken(token.to_string()),
            tenant,
            user,
            opened,
        })
    }

    /// The actor behind a live session, with the user's current permissions. A session whose user was deleted,
    /// or whose sessions were ended after it was opened (a reset or password set, by this process or another
    /// such as the CLI: see [`crate::store::Tx::end_sessions`]), means nothing any more: it is ended, and None returned.
    /// A session of a tenant deactivated since means nothing either.
    pub fn session_actor(&self, session: &Session) -> Result<Option<Actor>, DomainError> {
        let found = self
            .store
            .read(session.tenant, |tx| tx.user_and_permissions(&session.user))?;
        match found {
            Some(authz) if authz.sessions_ended_at < session.opened && authz.tenant_active => Ok(Some(Actor::User {
                tenant: session.tenant,
                name: authz.name,
                permissions: authz.permissions,
            })),
            Some(_) | None => {
                self.sessions.revoke(session.token.as_str());
                Ok(None)
            }
        }
    }

    /// End one session (logout, or a login replacing what the browser presented).
    pub fn end_session(&self, token: &str) {
        self.sessions.revoke(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_when_idle_and_can_be_revoked() {
        let s = Sessions::default();
        let t = s.create(TenantId::SUPER, "tom", 0);
        assert_eq!(t.len(), 64);
        assert_eq!(s.user(&t, 1000).map(|(_, u, _)| u).as_deref(), Some("tom"));
        assert_eq!(
            s.user(&t, 1000 + IDLE_TIMEOUT_MS - 1).map(|(_, u, _)| u).as_deref(),
            Some("tom"),
            "sliding"
        );
        assert_eq!(s.user(&t, 1000 + 2 * IDLE_TIMEOUT_MS), None);
        let a = s.create(TenantId::SUPER, "tom", 0);
        let b = s.create(TenantId::SUPER, "bob", 0);
        assert_eq!(s.revoke_user(TenantId::SUPER, "TOM"), 1);
        assert_eq!(s.user(&a, 1), None);
        assert_eq!(s.user(&b, 1).map(|(_, u, _)| u).as_deref(), Some("bob"));
        s.revoke(&b);
        assert_eq!(s.user(&b, 1), None);
        assert_eq!(s.user("not-a-token", 1), None);
    }

    #[test]
    fn expired_sessions_are_swept_and_a_user_ends_only_their_own() {
        let s = Sessions::default();
        let old: Vec<String> = (0..100)
            .map(|i| s.create(TenantId::SUPER, &format!("u{i}"), 0))
            .collect();
        let toms: Vec<String> = (0..3).map(|_| s.create(TenantId::SUPER, "Tom", 10)).collect();
        assert_eq!(s.len(), 103);
        // Within the minute nothing is swept; past the idle timeout the next create sweeps the expired.
        let later = IDLE_TIMEOUT_MS + 20;
        s.create(TenantId::SUPER, "bob", 30);
        assert_eq!(s.len(), 104);
        let bob = s.create(TenantId::SUPER, "bob", later);
        assert_eq!(s.len(), 2, "100 + 3 expired sessions swept, bob's two remain");
        assert_eq!(s.user(&old[0], later), None);
        assert_eq!(s.user(&toms[0], later), None);
        // Revocation by user goes through the index, case-insensitively, and leaves others alone.
        let t1 = s.create(TenantId::SUPER, "tom", later);
        let t2 = s.create(TenantId::SUPER, "TOM", later);
        assert_eq!(s.revoke_user(TenantId::SUPER, "Tom"), 2);
        assert_eq!(s.user(&t1, later), None);
        assert_eq!(s.user(&t2, later), None);
        assert_eq!(s.user(&bob, later).map(|(_, u, _)| u).as_deref(), Some("bob"));
        assert_eq!(s.revoke_user(TenantId::SUPER, "tom"), 0);
        s.revoke(&bob);
        assert_eq!(
            s.revoke_user(TenantId::SUPER, "bob"),
            1,
            "the other bob session, from before the sweep"
        );
        assert_eq!(s.len(), 0);
    }

    #[test]
    fn unused_sessions_are_capped_per_user_and_used_ones_are_kept() {
        let s = Sessions::default();
        // The cookie a client keeps: opened, then presented.
        let kept = s.create(TenantId::SUPER, "tom", 0);
        assert_eq!(s.user(&kept, 1).map(|(_, u, _)| u).as_deref(), Some("tom"));
        // A flood of Basic calls that never come back with their cookie.
        let flood: Vec<String> = (0..MAX_UNUSED_SESSIONS_PER_USER + 10)
            .map(|i| s.create(TenantId::SUPER, "TOM", 2 + i as Millis))
            .collect();
        let bob = s.create(TenantId::SUPER, "bob", 0);
        assert_eq!(s.len(), 1 + MAX_UNUSED_SESSIONS_PER_USER + 1);
        let now = 1000;
        assert_eq!(
            s.user(&kept, now).map(|(_, u, _)| u).as_deref(),
            Some("tom"),
            "a used session survives the flood"
        );
        assert_eq!(s.user(&flood[0], now), None, "the oldest unused made room");
        assert_eq!(s.user(&flood[9], now), None);
        assert_eq!(s.user(&flood[10], now).map(|(_, u, _)| u).as_deref(), Some("TOM"));
        assert_eq!(
            s.user(flood.last().unwrap(), now).map(|(_, u, _)| u).as_deref(),
            Some("TOM")
        );
        assert_eq!(
            s.user(&bob, now).map(|(_, u, _)| u).as_deref(),
            Some("bob"),
            "other users are untouched"
        );
        // Presented sessions no longer count: 64 more unused ones fit beside them.
        for _ in 0..MAX_UNUSED_SESSIONS_PER_USER {
            s.create(TenantId::SUPER, "tom", now);
        }
        assert_eq!(s.user(&flood[10], now).map(|(_, u, _)| u).as_deref(), Some("TOM"));
        assert_eq!(s.revoke_user(TenantId::SUPER, "tom"), 3 + MAX_UNUSED_SESSIONS_PER_USER);
        assert_eq!(s.user(&kept, now), None);
    }
}
