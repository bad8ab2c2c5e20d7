//! The rules of the product: users, claims, permissions, passwords, the forced-reset engine and login decisions.
//!
//! Pure code: no sockets, no SQL, no XML, no clock. Time arrives as `now` (epoch milliseconds) and randomness as
//! an `&mut impl rand::RngCore` parameter, so every rule is testable with fixed inputs.

pub mod claims;
pub mod error;
pub mod expiry;
pub mod governance;
pub mod login;
pub mod oauth;
pub mod password;
pub mod permissions;
pub mod profile;
pub mod reset;
pub mod scim;
pub mod secret;
pub mod templates;
pub mod tenant;

pub use error::DomainError;

/// Epoch milliseconds; the only notion of time the domain knows.
pub type Millis = i64;

/// The tenant every user lives in; forcereset is single-tenant like a fresh WSO2 IS.
pub const TENANT_DOMAIN: &str = "carbon.super";
/// The only user store: WSO2's primary store.
pub const USER_STORE_DOMAIN: &str = "PRIMARY";
/// The profile every claim value belongs to unless a caller names another.
pub const DEFAULT_PROFILE: &str = "default";

/// Strip a `PRIMARY/` prefix (case-insensitive) from a user or role name, as WSO2 accepts domain-qualified names.
pub fn strip_primary_domain(name: &str) -> &str {
    match name.split_once('/') {
        Some((domain, rest)) if domain.eq_ignore_ascii_case(USER_STORE_DOMAIN) => rest,
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_prefix_is_stripped_case_insensitively() {
        assert_eq!(strip_primary_domain("PRIMARY/tom"), "tom");
        assert_eq!(strip_primary_domain("primary/tom"), "tom");
        assert_eq!(strip_primary_domain("Internal/everyone"), "Internal/everyone");
        assert_eq!(strip_primary_domain("tom"), "tom");
    }
}
