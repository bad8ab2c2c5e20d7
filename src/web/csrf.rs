//! Cross-site request forgery defences for the forms.
//!
//! - Login: the `sessionDataKey` is a server-issued flow key, remembered here for [`FLOW_TTL_MS`] and bound to a
//!   random flow cookie; `/commonauth` accepts only a live key presented together with its cookie, so a forged
//!   key, or a real one replayed from another browser, is refused.
//! - Logout: a token derived with HMAC-SHA256 from a per-process key and the session, so it needs no storage and
//!   cannot be moved to another session.
//! - The reset form: no token (a WSO2 client would not send one). Its session cookie is `SameSite=Strict`, and
//!   [`from_foreign_page`] refuses a post whose `Origin` or `Referer` names another site.
//!
//! Both live in process statics rather than in `App`: they are per-process secrets with no meaning beyond one run,
//! and a restart only means reloading the page.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use hmac::{Hmac, Mac};
use hyper::header::{self, HeaderMap};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::domain::Millis;
use crate::util::{hex_lower, uuid_v4};

/// How long a login flow stays usable: WSO2's authentication-context timeout (15 minutes).
pub const FLOW_TTL_MS: Millis = 15 * 60 * 1000;
/// The most flows remembered at once; beyond it the oldest is dropped, so anonymous traffic cannot grow memory.
const MAX_FLOWS: usize = 10_000;

/// The cookie a login flow is bound to.
pub const FLOW_COOKIE: &str = "forcereset_flow";

#[derive(Debug, Clone)]
struct Flow {
    /// SHA-256 of the flow cookie's value.
    binding: [u8; 32],
    expires_at: Millis,
}

/// The live login flows, keyed by `sessionDataKey`.
#[derive(Debug, Default)]
pub struct Flows {
    by_key: Mutex<HashMap<String, Flow>>,
}

static FLOWS: LazyLock<Flows> = LazyLock::new(Flows::default);

/// The process's login flows.
pub fn flows() -> &'static Flows {
    &FLOWS
}

fn digest(value: &str) -> [u8; 32] {
    Sha256::digest(value.as_bytes()).into()
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut raw = [0u8; N];
    rand::rng().fill_bytes(&mut raw);
    raw
}

/// A new flow cookie value: 32 random bytes, hex.
pub fn new_flow_cookie() -> String {
    hex_lower(&random_bytes::<32>())
}

impl Flows {
    /// Start a flow bound to `cookie`; returns its `sessionDataKey`.
    pub fn issue(&self, cookie: &str, now: Millis) -> String {
        let key = uuid_v4(&mut rand::rng());
        let Ok(mut map) = self.by_key.lock() else {
            return key;
        };
        map.retain(|_, f| f.expires_at > now);
        while map.len() >= MAX_FLOWS {
            let oldest = map.iter().min_by_key(|(_, f)| f.expires_at).map(|(k, _)| k.clone());
            match oldest {
                Some(k) => map.remove(&k),
                None => break,
            };
        }
        map.insert(
            key.clone(),
            Flow {
                binding: digest(cookie),
                expires_at: now.saturating_add(FLOW_TTL_MS),
            },
        );
        key
    }

    /// Is `key` a live flow bound to `cookie`?
    pub fn check(&self, key: &str, cookie: Option<&str>, now: Millis) -> bool {
        let (Some(cookie), Ok(map)) = (cookie, self.by_key.lock()) else {
            return false;
        };
        map.get(key)
            .is_some_and(|f| f.expires_at > now && bool::from(f.binding.ct_eq(&digest(cookie))))
    }

    /// Does some live flow belong to `cookie`? Then a new flow reuses that cookie, so login pages open in two tabs
    /// both work.
    pub fn cookie_is_live(&self, cookie: &str, now: Millis) -> bool {
        let binding = digest(cookie);
        self.by_key
            .lock()
            .map(|map| {
                map.values()
                    .any(|f| f.expires_at > now && bool::from(f.binding.ct_eq(&binding)))
            })
            .unwrap_or(false)
    }

    /// End a flow (after a successful login: a key is good for one session).
    pub fn consume(&self, key: &str) {
        if let Ok(mut map) = self.by_key.lock() {
            map.remove(key);
        }
    }
}

/// Was the request sent from another site's page? Browsers say where a form was posted from in `Origin` (checked
/// when present; `null`, which a page can ask for, counts as foreign, as our own pages send their origin), else
/// `Referer`. A client sending neither (a script, as WSO2's tests are) is not refused. The host must be the
/// request's `Host` or the product URL's host; scheme and port are not compared, so a TLS-terminating proxy in
/// front does not break it (and the cookie's `SameSite` treats ports alike anyway).
pub fn from_foreign_page(headers: &HeaderMap, product_url: &str) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let source = match (text(header::ORIGIN), text(header::REFERER)) {
        (Some(origin), _) => origin,
        (None, Some(referer)) => referer,
        (None, None) => return false,
    };
    let Some(host) = url_host(source) else {
        return true;
    };
    let ours = [text(header::HOST).map(authority_host), url_host(product_url)];
    !ours.into_iter().flatten().any(|h| h.eq_ignore_ascii_case(host))
}

/// The host of an absolute `http(s)` URL (`[v6]` kept bracketed), or None.
fn url_host(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    if !(scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")) {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority_host(authority.rsplit('@').next()?);
    (!host.is_empty()).then_some(host)
}

/// `host[:port]` without the port.
fn authority_host(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority.split_inclusive(']').next().unwrap_or(authority);
    }
    authority.split(':').next().unwrap_or(authority)
}

/// The per-process key form tokens are derived with.
static TOKEN_KEY: LazyLock<[u8; 32]> = LazyLock::new(random_bytes::<32>);

/// A form token for `purpose` over `parts`. Each part is length-prefixed, so ("ab", "c") and ("a", "bc") differ.
pub fn token(purpose: &str, parts: &[&str]) -> String {
    token_with(&TOKEN_KEY, purpose, parts)
}

/// Does `candidate` equal the token for `purpose` over `parts`? Compared in constant time.
pub fn verify(candidate: &str, purpose: &str, parts: &[&str]) -> bool {
    bool::from(candidate.as_bytes().ct_eq(token(purpose, parts).as_bytes()))
}

fn token_with(key: &[u8; 32], purpose: &str, parts: &[&str]) -> String {
    // HMAC accepts keys of any length; a 32-byte key cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    for part in std::iter::once(purpose).chain(parts.iter().copied()) {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    hex_lower(&mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flow_key_needs_its_own_cookie_and_expires() {
        let flows = Flows::default();
        let key = flows.issue("cookie-a", 1_000);
        assert_eq!(key.len(), 36);
        assert_eq!(key.chars().nth(14), Some('4'), "UUID v4: {key}");
        assert!(flows.check(&key, Some("cookie-a"), 1_000));
        assert!(!flows.check(&key, Some("cookie-b"), 1_000), "another browser's cookie");
        assert!(!flows.check(&key, None, 1_000), "no cookie");
        assert!(!flows.check("never-issued", Some("cookie-a"), 1_000));
        assert!(flows.cookie_is_live("cookie-a", 1_000));
        assert!(!flows.cookie_is_live("cookie-b", 1_000));
        assert!(!flows.check(&key, Some("cookie-a"), 1_000 + FLOW_TTL_MS), "expired");
        assert!(!flows.cookie_is_live("cookie-a", 1_000 + FLOW_TTL_MS));
        let again = flows.issue("cookie-a", 2_000);
        assert_ne!(again, key);
        flows.consume(&again);
        assert!(!flows.check(&again, Some("cookie-a"), 2_000), "consumed");
    }

    #[test]
    fn flows_are_bounded() {
        let flows = Flows::default();
        let first = flows.issue("c", 0);
        for i in 1..=MAX_FLOWS {
            flows.issue("c", i as Millis);
        }
        assert!(flows.by_key.lock().unwrap().len() <= MAX_FLOWS);
        assert!(!flows.check(&first, Some("c"), 1), "the oldest flow made room");
    }

    #[test]
    fn a_post_from_another_site_is_told_apart() {
        let headers = |pairs: &[(&str, &str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(
                    header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    v.parse().unwrap(),
                );
            }
            h
        };
        let product = "https://localhost:9443";
        let host = ("host", "localhost:9443");
        assert!(!from_foreign_page(&headers(&[host]), product), "a script sends neither");
        assert!(!from_foreign_page(
            &headers(&[host, ("origin", "https://localhost:9443")]),
            product
        ));
        assert!(!from_foreign_page(
            &headers(&[host, ("origin", "https://LOCALHOST")]),
            product
        ));
        assert!(
            !from_foreign_page(
                &headers(&[("host", "is.example"), ("origin", "https://localhost:9443")]),
                product
            ),
            "the product URL's host"
        );
        assert!(from_foreign_page(
            &headers(&[host, ("origin", "https://evil.example")]),
            product
        ));
        assert!(from_foreign_page(&headers(&[host, ("origin", "null")]), product));
        assert!(!from_foreign_page(
            &headers(&[
                host,
                (
                    "referer",
                    "https://localhost:9443/accountrecoveryendpoint/confirmrecovery.do?x=1"
                )
            ]),
            product
        ));
        assert!(from_foreign_page(
            &headers(&[host, ("referer", "https://localhost.evil.example/")]),
            product
        ));
        assert!(from_foreign_page(
            &headers(&[host, ("referer", "https://localhost@evil.example/")]),
            product
        ));
        assert!(
            from_foreign_page(
                &headers(&[
                    host,
                    ("origin", "https://evil.example"),
                    ("referer", "https://localhost:9443/")
                ]),
                product
            ),
            "Origin wins"
        );
        assert!(!from_foreign_page(
            &headers(&[("host", "[::1]:9443"), ("origin", "https://[::1]:9443")]),
            product
        ));
    }

    #[test]
    fn tokens_bind_purpose_and_parts() {
        let key = [7u8; 32];
        let t = token_with(&key, "reset", &["tom", "ABC123"]);
        assert_eq!(t.len(), 64);
        assert_eq!(t, token_with(&key, "reset", &["tom", "ABC123"]));
        assert_ne!(t, token_with(&key, "reset", &["tom", "ABC124"]));
        assert_ne!(t, token_with(&key, "reset", &["tomA", "BC123"]));
        assert_ne!(t, token_with(&key, "logout", &["tom", "ABC123"]));
        assert_ne!(t, token_with(&[8u8; 32], "reset", &["tom", "ABC123"]));
        assert!(verify(&token("reset", &["tom", "x"]), "reset", &["tom", "x"]));
        assert!(!verify("", "reset", &["tom", "x"]));
        assert!(!verify(&token("reset", &["tom", "x"]), "reset", &["bob", "x"]));
    }
}
