//! The basic authenticator across releases (identity-local-auth-basicauth): the shape of its redirects after a
//! failed login, which error codes it reports, and how the account lock meets a login.

use super::Wso2Version;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginProfile {
    /// `maskAdminForcedPasswordResetErrorCode` is honoured (BasicAuthenticator from v6.3.11, IS 5.11).
    pub honours_mask_forced_reset_code: bool,
}

pub fn of(version: Wso2Version) -> LoginProfile {
    LoginProfile {
        honours_mask_forced_reset_code: version >= Wso2Version::V5_11,
    }
}
