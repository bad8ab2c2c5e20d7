//! The forced reset across releases (identity-governance's `AdminForcedPasswordResetHandler`): the claims the
//! trigger writes and the codes it makes.

use super::Wso2Version;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetProfile {
    /// The trigger writes `accountState=PENDING_FUPR` (handler at identity-governance v1.4.72, IS 5.11, on).
    pub writes_account_state: bool,
    /// The trigger writes `lockedReason=PENDING_ADMIN_FORCED_USER_PASSWORD_RESET` (v1.6.3, IS 6.0, on).
    pub writes_locked_reason: bool,
}

pub fn of(version: Wso2Version) -> ResetProfile {
    ResetProfile {
        writes_account_state: version >= Wso2Version::V5_11,
        writes_locked_reason: version >= Wso2Version::V6_0,
    }
}
