//! Password policy (WSO2's `password_java_regex`) and argon2id hashing in PHC strings.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

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

/// The working memory of one argon2 computation (19 MiB), for reuse.
///
/// argon2's own `hash_password`/`verify_password` allocate it afresh on every call, and the allocator keeps what it
/// got: a server that had verified passwords on many threads at once kept ~19 MiB per thread (a flood of 64
/// parallel wrong logins left it at 1.2 GB). The app keeps a few of these and lends them out (`app::gate`), so
/// the memory argon2 uses is allocated once and bounded.
pub struct Memory(Vec<Block>);

impl Memory {
    pub fn new() -> Memory {
        Memory(vec![Block::default(); hasher().params().block_count()])
    }
}

impl Default for Memory {
    fn default() -> Self {
        Memory::new()
    }
}

/// Hash a password with argon2id; `salt` comes from the caller's CSPRNG.
pub fn hash(password: &str, salt: [u8; 16]) -> Result<String, DomainError> {
    hash_in(&mut Memory::new(), password, salt)
}

/// [`hash`] in borrowed working memory. The PHC string is the one `argon2`'s `PasswordHasher` writes.
pub fn hash_in(memory: &mut Memory, password: &str, salt: [u8; 16]) -> Result<String, DomainError> {
    let internal = |_| DomainError::Internal;
    let salt = SaltString::encode_b64(&salt).map_err(internal)?;
    let mut salt_bytes = [0u8; 16];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes).map_err(internal)?;
    let argon2 = hasher();
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        argon2
            .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, &mut memory.0[..])
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(internal)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params()).map_err(internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Verify a password against a PHC string. A malformed stored hash verifies nothing.
pub fn verify(password: &str, phc: &str) -> bool {
    verify_in(&mut Memory::new(), password, phc)
}

/// [`verify`] in borrowed working memory (a stored hash with larger parameters than ours gets its own).
pub fn verify_in(memory: &mut Memory, password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed)) else {
        return false;
    };
    let Ok(version) = parsed.version.map_or(Ok(Version::default()), Version::try_from) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let argon2 = Argon2::new(algorithm, version, params);
    let mut out = [0u8; Output::MAX_LENGTH];
    let out = &mut out[..expected.len()];
    let computed = if argon2.params().block_count() <= memory.0.len() {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, out, &mut memory.0[..])
    } else {
        argon2.hash_password_into(password.as_bytes(), salt, out)
    };
    // `Output`'s equality is constant-time.
    computed.is_ok() && Output::new(out).is_ok_and(|computed| computed == expected)
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
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    /// The reusable-memory functions write and accept exactly what argon2's own API does.
    #[test]
    fn hashing_in_reused_memory_matches_argon2s_own_phc_strings() {
        let salt = [42u8; 16];
        let ours = hash("Abcd@123", salt).unwrap();
        let theirs = hasher()
            .hash_password(b"Abcd@123", &SaltString::encode_b64(&salt).unwrap())
            .unwrap()
            .to_string();
        assert_eq!(ours, theirs);
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{ours}");
        let mut memory = Memory::new();
        for _ in 0..2 {
            assert!(verify_in(&mut memory, "Abcd@123", &ours));
            assert!(!verify_in(&mut memory, "Abcd@124", &ours));
        }
        assert_eq!(hash_in(&mut memory, "Abcd@123", salt).unwrap(), ours);
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(hasher().verify_password(b"Abcd@123", &parsed).is_ok());
        // Other parameters (a hash made elsewhere, more memory than ours) still verify.
        let bigger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(32 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw", &SaltString::encode_b64(&salt).unwrap())
        .unwrap()
        .to_string();
        assert!(verify_in(&mut memory, "pw", &bigger));
        assert!(!verify_in(&mut memory, "px", &bigger));
        for broken in ["", "$argon2id$", "plain", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$"] {
            assert!(!verify_in(&mut memory, "pw", broken), "{broken}");
        }
    }

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
