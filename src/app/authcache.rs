//! A verified-password cache: remembers for a short time ([`TTL_MS`]) that a password verified against one exact
//! PHC string, so a client that sends Basic credentials on every admin-service call (as SOAP toolkits do, cookie
//! or not) pays one argon2 verification per minute instead of one per call (~20 ms of CPU and 19 MiB each).
//!
//! What makes it safe to skip argon2 on a hit:
//! - Only successes are remembered. A wrong password always costs a full verification, so guessing is exactly as
//!   slow as before, and an unknown user (verified against the dummy hash, which nothing matches) is never cached.
//! - An entry is the HMAC-SHA256 of (user, password, PHC) under a random per-process key, with an expiry: no
//!   password is kept, and nothing survives a restart.
//! - The PHC string is the user's current hash, with its random salt. A changed password (new PHC) can never hit
//!   an old entry, and nothing has to invalidate the cache. Everything else a login
//!   decides (lock, pending forced reset, failed-attempt count, permissions) is still read from the store on every
//!   call: the cache replaces only the argon2 computation, whose answer for a given password and PHC never changes.
//!
//! `App::login` asks [`AuthCache::verify`], which runs the real verification on a miss.

use std::collections::HashMap;
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::domain::Millis;

/// How long a verified password stays remembered.
pub const TTL_MS: Millis = 60_000;
/// At most this many remembered verifications; past it, expired entries go, then (if still full) all of them.
pub const MAX_ENTRIES: usize = 10_000;

/// Recently verified (user, password, PHC) triples, as keyed MACs with their expiry.
pub struct AuthCache {
    key: [u8; 32],
    entries: Mutex<HashMap<[u8; 32], Millis>>,
}

impl Default for AuthCache {
    fn default() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        AuthCache {
            key,
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl AuthCache {
    fn mac(&self, user: &str, password: &str, phc: &str) -> Option<[u8; 32]> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).ok()?;
        // Length-prefixed, so no two different triples feed the same bytes.
        for part in [user, password, phc] {
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part.as_bytes());
        }
        Some(mac.finalize().into_bytes().into())
    }

    /// Does `user`'s `password` match `phc` (the user's stored hash)? Answered from the cache when this exact
    /// triple verified less than [`TTL_MS`] ago, else by `verify` (the real argon2 verification), whose success is
    /// then remembered.
    pub fn verify(&self, user: &str, password: &str, phc: &str, now: Millis, verify: impl FnOnce() -> bool) -> bool {
        if self.check(user, password, phc, now) {
            return true;
        }
        let ok = verify();
        if ok {
            self.remember(user, password, phc, now);
        }
        ok
    }

    /// Did `user`'s `password` verify against exactly `phc` less than [`TTL_MS`] ago?
    pub fn check(&self, user: &str, password: &str, phc: &str, now: Millis) -> bool {
        let Some(mac) = self.mac(user, password, phc) else {
            return false;
        };
        let Ok(mut entries) = self.entries.lock() else {
            return false;
        };
        match entries.get(&mac) {
            Some(expires) if *expires > now => true,
            Some(_) => {
                entries.remove(&mac);
                false
            }
            None => false,
        }
    }

    /// Remember that `user`'s `password` verified against `phc`. Call only after a successful verification.
    pub fn remember(&self, user: &str, password: &str, phc: &str, now: Millis) {
        let Some(mac) = self.mac(user, password, phc) else {
            return;
        };
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, expires| *expires > now);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(mac, now.saturating_add(TTL_MS));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::password;
    use std::cell::Cell;

    fn phc(password: &str, salt: u8) -> String {
        password::hash(password, [salt; 16]).unwrap()
    }

    /// `cache.verify` with argon2 behind it, counting the real verifications.
    fn verify(cache: &AuthCache, argon2_runs: &Cell<u32>, user: &str, password: &str, phc: &str, now: Millis) -> bool {
        cache.verify(user, password, phc, now, || {
            argon2_runs.set(argon2_runs.get() + 1);
            password::verify(password, phc)
        })
    }

    #[test]
    fn a_verified_password_is_remembered_for_its_exact_hash_only() {
        let (cache, runs) = (AuthCache::default(), Cell::new(0));
        let h = phc("Abcd@123", 1);
        assert!(verify(&cache, &runs, "tom", "Abcd@123", &h, 0));
        assert!(verify(&cache, &runs, "tom", "Abcd@123", &h, 1));
        assert!(verify(&cache, &runs, "tom", "Abcd@123", &h, 2));
        assert_eq!(runs.get(), 1, "argon2 ran once");
        // Another password, another user with the same hash, or the same password under a new hash (changed
        // password: new salt) never hits.
        assert!(!verify(&cache, &runs, "tom", "Abcd@124", &h, 3));
        assert!(!cache.check("bob", "Abcd@123", &h, 3));
        let changed = phc("Abcd@123", 2);
        assert!(!cache.check("tom", "Abcd@123", &changed, 3));
        assert!(
            verify(&cache, &runs, "tom", "Abcd@123", &changed, 3),
            "the new hash still verifies, by argon2"
        );
        assert_eq!(runs.get(), 3);
    }

    #[test]
    fn failures_are_never_remembered() {
        let (cache, runs) = (AuthCache::default(), Cell::new(0));
        let h = phc("Abcd@123", 3);
        assert!(!verify(&cache, &runs, "tom", "wrong", &h, 0));
        assert!(!verify(&cache, &runs, "tom", "wrong", &h, 0));
        assert!(!verify(&cache, &runs, "ghost", "Abcd@123", password::dummy_hash(), 0));
        assert_eq!(runs.get(), 3, "every failure paid argon2");
        assert!(cache.is_empty());
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let cache = AuthCache::default();
        cache.remember("tom", "pw", "$phc", 1_000);
        assert!(cache.check("tom", "pw", "$phc", 1_000 + TTL_MS - 1));
        assert!(!cache.check("tom", "pw", "$phc", 1_000 + TTL_MS));
        assert!(cache.is_empty(), "an expired entry is dropped when found");
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = AuthCache::default();
        for i in 0..MAX_ENTRIES + 10 {
            cache.remember(&format!("u{i}"), "pw", "$phc", 0);
        }
        assert!(cache.len() <= MAX_ENTRIES);
        assert!(cache.check(&format!("u{}", MAX_ENTRIES + 9), "pw", "$phc", 1));
        // Expired entries make room before anything live is dropped.
        let cache = AuthCache::default();
        for i in 0..MAX_ENTRIES {
            cache.remember(&format!("old{i}"), "pw", "$phc", 0);
        }
        cache.remember("live", "pw", "$phc", TTL_MS);
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn keys_are_per_process_and_unambiguous() {
        let (a, b) = (AuthCache::default(), AuthCache::default());
        assert_ne!(a.mac("tom", "pw", "h"), b.mac("tom", "pw", "h"));
        assert_ne!(a.mac("tom", "ab", "c"), a.mac("tom", "a", "bc"));
        assert_ne!(a.mac("ab", "c", "h"), a.mac("a", "bc", "h"));
        a.remember("tom", "pw", "h", 0);
        assert!(!b.check("tom", "pw", "h", 0), "another process's cache knows nothing");
    }
}
