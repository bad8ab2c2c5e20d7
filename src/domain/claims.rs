//! The local claim dialect `http://wso2.org/claims`: well-known claim URIs and claim metadata.

use serde::Deserialize;

pub const DIALECT: &str = "http://wso2.org/claims";
/// The claim that is the user name itself: always "set", never stored.
pub const USERNAME: &str = "http://wso2.org/claims/username";
/// The user's roles: computed by the store from the role memberships, never stored (carbon-kernel
/// `UserCoreConstants.ROLE_CLAIM`).
pub const ROLE: &str = "http://wso2.org/claims/role";
/// The claims the user store computes instead of keeping: read from the account, refused on write.
pub const COMPUTED: [&str; 2] = [USERNAME, ROLE];
pub const EMAIL: &str = "http://wso2.org/claims/emailaddress";
pub const GIVEN_NAME: &str = "http://wso2.org/claims/givenname";
pub const LAST_NAME: &str = "http://wso2.org/claims/lastname";
pub const ONE_TIME_PASSWORD: &str = "http://wso2.org/claims/oneTimePassword";
pub const ACCOUNT_LOCKED: &str = "http://wso2.org/claims/identity/accountLocked";
pub const ACCOUNT_STATE: &str = "http://wso2.org/claims/identity/accountState";
pub const EMAIL_VERIFIED: &str = "http://wso2.org/claims/identity/emailVerified";
pub const LOCKED_REASON: &str = "http://wso2.org/claims/identity/lockedReason";
pub const ADMIN_FORCED_PASSWORD_RESET: &str = "http://wso2.org/claims/identity/adminForcedPasswordReset";
pub const LAST_PASSWORD_UPDATE_TIME: &str = "http://wso2.org/claims/identity/lastPasswordUpdateTime";
pub const FAILED_LOGIN_ATTEMPTS: &str = "http://wso2.org/claims/identity/failedLoginAttempts";
pub const UNLOCK_TIME: &str = "http://wso2.org/claims/identity/unlockTime";
/// Failed-login locks since the last good login (the account lock's increment counts them).
pub const FAILED_LOGIN_LOCKOUT_COUNT: &str = "http://wso2.org/claims/identity/failedLoginLockoutCount";
/// Identity claims: managed by the server; a user may never set their own.
pub const IDENTITY_PREFIX: &str = "http://wso2.org/claims/identity/";

/// Metadata of one local claim, as WSO2's claim management shows it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ClaimMeta {
    pub uri: String,
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub supported_by_default: bool,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub display_order: i32,
    #[serde(default)]
    pub regex: String,
}

impl ClaimMeta {
    /// A claim with only a URI and a name: no description, not shown by default, optional, writable, order 0,
    /// no pattern (a value whose claim left the dialect is shown so; tests start from it).
    pub fn plain(uri: impl Into<String>, display_name: impl Into<String>) -> ClaimMeta {
        ClaimMeta {
            uri: uri.into(),
            display_name: display_name.into(),
            description: String::new(),
            supported_by_default: false,
            required: false,
            read_only: false,
            display_order: 0,
            regex: String::new(),
        }
    }
}

/// Claims a user may not set on their own account (identity claims and the admin-read OTP).
pub fn is_protected_from_self(uri: &str) -> bool {
    uri.starts_with(IDENTITY_PREFIX) || uri == ONE_TIME_PASSWORD
}

/// Is `uri` one of the [`COMPUTED`] claims?
pub fn is_computed(uri: &str) -> bool {
    COMPUTED.contains(&uri)
}

/// Is `uri` a claim of the local dialect (the only dialect stored)?
pub fn is_local(uri: &str) -> bool {
    uri.strip_prefix(DIALECT)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|rest| !rest.is_empty() && !rest.chars().any(char::is_whitespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_claims_and_the_otp_are_protected_from_self_edit() {
        assert!(is_protected_from_self(ACCOUNT_LOCKED));
        assert!(is_protected_from_self(ADMIN_FORCED_PASSWORD_RESET));
        assert!(is_protected_from_self(ONE_TIME_PASSWORD));
        assert!(!is_protected_from_self(EMAIL));
    }

    #[test]
    fn local_dialect_membership() {
        assert!(is_local(EMAIL));
        assert!(is_local(ACCOUNT_STATE));
        assert!(!is_local("http://wso2.org/claims"));
        assert!(!is_local("http://wso2.org/claims/"));
        assert!(!is_local("urn:scim:schemas:core:1.0:emails"));
    }
}
