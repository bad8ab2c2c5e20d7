//! Sessions (the admin services' JSESSIONID, later the web login): random tokens, stored only as SHA-256 hashes,
//! with an idle timeout, revocable per user.

use std::collections::HashMap;
use std::sync::Mutex;

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::domain::Millis;

/// WSO2's default HTTP session timeout: 15 minutes idle.
pub const IDLE_TIMEOUT_MS: Millis = 15 * 60 * 1000;

#[derive(Debug, Clone)]
struct Entry {
    user: String,
    last_seen: Millis,
}

/// Live sessions. In memory: a restart logs everyone out, as a WSO2 restart does.
#[derive(Debug, Default)]
pub struct Sessions {
    by_hash: Mutex<HashMap<[u8; 32], Entry>>,
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Sessions {
    /// Open a session for `user`; the token is returned once and never stored.
    pub fn create(&self, user: &str, now: Millis) -> String {
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let token: String = raw.iter().map(|b| format!("{b:02X}")).collect();
        if let Ok(mut map) = self.by_hash.lock() {
            // Drop expired sessions as we go so the map cannot grow without bound.
            map.retain(|_, e| now - e.last_seen < IDLE_TIMEOUT_MS);
            map.insert(
                digest(&token),
                Entry {
                    user: user.to_string(),
                    last_seen: now,
                },
            );
        }
        token
    }

    /// The user of a live session, refreshing its idle timer.
    pub fn user(&self, token: &str, now: Millis) -> Option<String> {
        let mut map = self.by_hash.lock().ok()?;
        let key = digest(token);
        let entry = map.get_mut(&key)?;
        if now - entry.last_seen >= IDLE_TIMEOUT_MS {
            map.remove(&key);
            return None;
        }
        entry.last_seen = now;
        Some(entry.user.clone())
    }

    pub fn revoke(&self, token: &str) {
        if let Ok(mut map) = self.by_hash.lock() {
            map.remove(&digest(token));
        }
    }

    /// End every session of a user (password reset, deletion); the number ended.
    pub fn revoke_user(&self, user: &str) -> usize {
        let Ok(mut map) = self.by_hash.lock() else {
            return 0;
        };
        let before = map.len();
        map.retain(|_, e| !e.user.eq_ignore_ascii_case(user));
        before - map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_when_idle_and_can_be_revoked() {
        let s = Sessions::default();
        let t = s.create("tom", 0);
        assert_eq!(t.len(), 64);
        assert_eq!(s.user(&t, 1000).as_deref(), Some("tom"));
        assert_eq!(
            s.user(&t, 1000 + IDLE_TIMEOUT_MS - 1).as_deref(),
            Some("tom"),
            "sliding"
        );
        assert_eq!(s.user(&t, 1000 + 2 * IDLE_TIMEOUT_MS), None);
        let a = s.create("tom", 0);
        let b = s.create("bob", 0);
        assert_eq!(s.revoke_user("TOM"), 1);
        assert_eq!(s.user(&a, 1), None);
        assert_eq!(s.user(&b, 1).as_deref(), Some("bob"));
        s.revoke(&b);
        assert_eq!(s.user(&b, 1), None);
        assert_eq!(s.user("not-a-token", 1), None);
    }
}
