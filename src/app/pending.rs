//! Requests a browser flow keeps in memory while the user is elsewhere (an authorization waiting on its login, a
//! logout waiting on its consent): bounded, each for a fixed time, the oldest dropped first beyond the bound.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::domain::Millis;

/// The most requests of one kind kept at once.
const MAX: usize = 10_000;

pub(super) struct Pending<T> {
    ttl_ms: Millis,
    map: Mutex<HashMap<String, (T, Millis)>>,
}

impl<T: Clone> Pending<T> {
    pub(super) fn new(ttl_ms: Millis) -> Pending<T> {
        Pending {
            ttl_ms,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Keep `value` under `key` from `now`, replacing what was there.
    pub(super) fn put(&self, key: String, value: T, now: Millis) {
        let Ok(mut map) = self.map.lock() else {
            return;
        };
        map.retain(|_, (_, at)| now - *at < self.ttl_ms);
        if map.len() >= MAX
            && let Some(oldest) = map.iter().min_by_key(|(_, (_, at))| *at).map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(key, (value, now));
    }

    /// The live value under `key`, left in place.
    pub(super) fn get(&self, key: &str, now: Millis) -> Option<T> {
        let map = self.map.lock().ok()?;
        map.get(key)
            .filter(|(_, at)| now - *at < self.ttl_ms)
            .map(|(v, _)| v.clone())
    }

    /// The live value under `key`, taken.
    pub(super) fn take(&self, key: &str, now: Millis) -> Option<T> {
        let mut map = self.map.lock().ok()?;
        map.remove(key)
            .filter(|(_, at)| now - *at < self.ttl_ms)
            .map(|(v, _)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_live_for_their_time_and_are_taken_once() {
        let p = Pending::new(10);
        p.put("k".into(), 1, 0);
        assert_eq!(p.get("k", 9), Some(1));
        assert_eq!(p.get("k", 10), None);
        assert_eq!(p.take("k", 5), Some(1));
        assert_eq!(p.take("k", 5), None);
    }
}
