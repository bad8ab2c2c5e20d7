//! The recovery portal across releases (`accountrecoveryendpoint`): its forms and what a completed reset answers.

use super::Wso2Version;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryProfile {
    /// The reset page answers "Updated the password successfully" (5.9: carbon-identity-framework's
    /// `password-reset-complete.jsp`; 5.10: identity-apps 1.0.72); from 5.11 it redirects to the callback with
    /// `passwordReset=true` instead (identity-apps 1.0.558).
    pub says_updated_successfully: bool,
}

pub fn of(version: Wso2Version) -> RecoveryProfile {
    RecoveryProfile {
        says_updated_successfully: version <= Wso2Version::V5_10,
    }
}
