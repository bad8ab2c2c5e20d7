//! Password policy (WSO2's `password_java_regex`) and argon2id hashing in PHC strings.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::DomainError;

/// WSO2's default `[user_store] password_java_regex`.
pub const DEFAULT_PASSWORD_REGEX: &str = r"^[\S]{5,30}$";
/// WSO2's default `[user_store] username_java_regex`.
pub const DEFAULT_USERNAME_REGEX: &str = r"^[\S]{3,30}$";

/// argon2id with OWASP's recommended floor (19 MiB, 2 passes, 1 lane): slow for an attacker, ~20 ms here.
fn hasher() -> Argon2<'static> {
    // Params::new only fails for out-of-range values; these are constants within range.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A compiled policy: the regex a password (or user name) must match in full.
#[derive(Debug, Clone)]
pub struct Policy {
    /// None = a policy that accepts nothing (see [`Policy::reject_all`]).
    regex: Option<regex::Regex>,
    pattern: String,
}

impl Policy {
    /// Compile a Java-style regex. Java's `matches()` needs the whole string to match, so the pattern is anchored.
    pub fn new(pattern: &str) -> Result<Policy, regex::Error> {
        let regex = regex::Regex::new(&format!("^(?:{pattern})$"))?;
        Ok(Policy {
            regex: Some(regex),
            pattern: pattern.to_string(),
        })
    }

    /// A policy that refuses every candidate: the safe stand-in when a configured pattern cannot be compiled.
    pub fn reject_all(pattern: &str) -> Policy {
        Policy {
            regex: None,
            pattern: pattern.to_string(),
        }
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    pub fn accepts(&self, candidate: &str) -> bool {
        self.regex.as_ref().is_some_and(|r| r.is_match(candidate))
    }

    /// Check a new password; the error names the pattern as WSO2's message does.
    pub fn check_password(&self, password: &str) -> Result<(), DomainError> {
        if self.accepts(password) {
            Ok(())
        } else {
            Err(DomainError::PasswordPolicy(self.pattern.clone()))
        }
    }

    /// Check a new user name.
    pub fn check_username(&self, name: &str) -> Result<(), DomainError> {
        if self.accepts(name) && !name.contains('/') {
            Ok(())
        } else {
            Err(DomainError::UsernamePolicy {
                name: name.to_string(),
                pattern: self.pattern.clone(),
            })
        }
    }
}

/// Hash a password with argon2id; `salt` comes from the caller's CSPRNG.
pub fn hash(password: &str, salt: [u8; 16]) -> Result<String, DomainError> {
    let salt = SaltString::encode_b64(&salt).map_err(|_| DomainError::Internal)?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| DomainError::Internal)
}

/// Verify a password against a PHC string. A malformed stored hash verifies nothing.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash of a password nobody knows, verified for unknown users so that "no such user" costs the same time as
/// "wrong password".
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("no-such-user-dummy-password", [7u8; 16]).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_is_wso2s() {
        let p = Policy::new(DEFAULT_PASSWORD_REGEX).unwrap();
        assert!(p.accepts("admin"));
        assert!(p.accepts("Abcd@123"));
        assert!(!p.accepts("abcd"), "too short");
        assert!(!p.accepts(&"x".repeat(31)), "too long");
        assert!(!p.accepts("has space"), "whitespace");
        assert!(
            matches!(p.check_password("abc"), Err(DomainError::PasswordPolicy(pat)) if pat == DEFAULT_PASSWORD_REGEX)
        );
    }

    #[test]
    fn unanchored_patterns_must_match_in_full_like_java_matches() {
        let p = Policy::new("[a-z]+").unwrap();
        assert!(p.accepts("abc"));
        assert!(!p.accepts("abc1"));
        assert!(!Policy::reject_all("x").accepts("x"));
    }

    #[test]
    fn usernames_cannot_carry_a_domain_separator() {
        let p = Policy::new(DEFAULT_USERNAME_REGEX).unwrap();
        assert!(p.check_username("tom").is_ok());
        assert!(p.check_username("PRIMARY/tom").is_err());
        assert!(p.check_username("to").is_err());
    }

    #[test]
    fn hashes_are_argon2id_phc_and_verify() {
        let h = hash("Abcd@123", [1u8; 16]).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("Abcd@123", &h));
        assert!(!verify("Abcd@124", &h));
        assert!(!verify("Abcd@123", "not a hash"));
        let other_salt = hash("Abcd@123", [2u8; 16]).unwrap();
        assert_ne!(h, other_salt);
        assert!(!verify("anything", dummy_hash()));
    }
}
