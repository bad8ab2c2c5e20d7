//! One-shot console messages across POST → redirect → GET (and the e-mail template preview, kept the same way). Kept in memory per session (keyed by the token's hash),
//! never in the URL, so a crafted link cannot put words on a console page; the next page rendered takes it.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::Millis;

/// A message not shown within this time is dropped.
const TTL_MS: Millis = 5 * 60 * 1000;
/// The most messages kept at once; beyond it the oldest goes, so memory stays bounded.
const MAX_FLASHES: usize = 10_000;

/// A message for the next page, and the values of the refused form (no passwords) to fill in again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flash {
    /// `notice` or `alert`: the stylesheet's classes.
    pub tone: &'static str,
    pub text: String,
    #[serde(skip)]
    pub fields: Vec<(String, String)>,
}

impl Flash {
    pub fn notice(text: String) -> Flash {
        Flash {
            tone: "notice",
            text,
            fields: Vec::new(),
        }
    }

    pub fn alert(text: String, fields: Vec<(String, String)>) -> Flash {
        Flash {
            tone: "alert",
            text,
            fields,
        }
    }

    /// The first value the refused form had for `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value the refused form had for `name` (checkbox lists).
    pub fn field_all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// Values by the SHA-256 of their session token, with when they were left; bounded in age and number.
pub(super) struct Slots<T>(Mutex<HashMap<[u8; 32], (Millis, T)>>);

impl<T: Clone> Slots<T> {
    fn new() -> Slots<T> {
        Slots(Mutex::new(HashMap::new()))
    }

    /// Leave `value` for the session (replacing an earlier one).
    pub fn put(&self, token: &str, value: T, now: Millis) {
        let Ok(mut map) = self.0.lock() else { return };
        map.retain(|_, (at, _)| now - *at < TTL_MS);
        while map.len() >= MAX_FLASHES {
            let oldest = map.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| *k);
            match oldest {
                Some(k) => map.remove(&k),
                None => break,
            };
        }
        map.insert(key(token), (now, value));
    }

    /// Take the session's value, if a fresh one is waiting.
    pub fn take(&self, token: &str, now: Millis) -> Option<T> {
        let mut map = self.0.lock().ok()?;
        let (at, value) = map.remove(&key(token))?;
        (now - at < TTL_MS).then_some(value)
    }

    /// The session's value, left in place (a frame may be loaded again).
    pub fn get(&self, token: &str, now: Millis) -> Option<T> {
        let map = self.0.lock().ok()?;
        let (at, value) = map.get(&key(token))?;
        (now - *at < TTL_MS).then(|| value.clone())
    }
}

static FLASHES: LazyLock<Slots<Flash>> = LazyLock::new(Slots::new);

/// The e-mail template previews, one per session: the rendered mail the preview frame shows.
pub(super) static PREVIEWS: LazyLock<Slots<Preview>> = LazyLock::new(Slots::new);

/// A rendered template for the preview frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub html: bool,
    pub body: String,
}

fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Leave `flash` for the session's next page (replacing an unread one).
pub fn put(token: &str, flash: Flash, now: Millis) {
    FLASHES.put(token, flash, now);
}

/// Take the session's message, if a fresh one is waiting.
pub fn take(token: &str, now: Millis) -> Option<Flash> {
    FLASHES.take(token, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flash_is_taken_once_by_its_own_session_and_expires() {
        put("flash-test-a", Flash::notice("done".into()), 1_000);
        assert_eq!(take("flash-test-b", 1_000), None, "another session");
        assert_eq!(take("flash-test-a", 1_001).map(|f| f.text), Some("done".into()));
        assert_eq!(take("flash-test-a", 1_002), None, "taken once");
        put(
            "flash-test-c",
            Flash::alert("no".into(), vec![("name".into(), "tom".into())]),
            1_000,
        );
        assert_eq!(take("flash-test-c", 1_000 + TTL_MS), None, "expired");
        let f = Flash::alert("x".into(), vec![("r".into(), "a".into()), ("r".into(), "b".into())]);
        assert_eq!(f.field("r"), Some("a"));
        assert_eq!(f.field_all("r"), vec!["a".to_string(), "b".to_string()]);
        assert_eq!(f.field("s"), None);
    }
}
