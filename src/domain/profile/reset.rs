//! The forced reset across releases (identity-governance's `AdminForcedPasswordResetHandler` and
//! `NotificationPasswordRecoveryManager`, with the account-lock handler's side effects): the claims the trigger
//! writes, what completing the reset clears, and what an admin setting the password directly does.
//!
//! The same in every release, so not here: the e-mailed link's code is a v4 UUID (lower-case, 36 characters:
//! `UUIDGenerator.generateUUID()` up to v1.8.14, `UUID.randomUUID()` from v1.9.6, same output), the OTP is 6
//! characters of A–Z0–9 (`generateOTPValue`).

use super::Wso2Version;

/// What `updateCredentialByAdmin` (and the console's and the CLI's password set) does to a pending reset.
///
/// WSO2 per release (`AdminForcedPasswordResetHandler`, event `POST_UPDATE_CREDENTIAL_BY_ADMIN`): 5.9–5.11
/// (v1.3.15–v1.4.72) nothing: the code stays valid and the account locked, so the new password cannot be used
/// until the user completes the reset; 6.0–7.1 (v1.6.3–v1.11.48, `handleUpdateCredentialsByAdmin`) the code is
/// invalidated but the account stays locked, with no code left to unlock it; 7.2 (v1.11.145,
/// `handleAccountUnlockOnAdminPasswordReset`) unlocks as [`AdminPasswordSet::UnlockPendingReasons`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminPasswordSet {
    /// forcereset's rule before 7.2 (a deliberate deviation, docs/COMPATIBILITY.md): the new password supersedes a
    /// pending reset, which is cancelled, and the account is unlocked as a completed reset would be.
    CancelAndUnlock,
    /// IS 7.2: any pending code is invalidated; a locked account whose `lockedReason` is
    /// `PENDING_ADMIN_FORCED_USER_PASSWORD_RESET` or `PENDING_ASK_PASSWORD` is unlocked (`accountLocked=false`,
    /// `lockedReason` emptied, `accountState=UNLOCKED`); an unlocked account in `accountState=PENDING_AP` gets
    /// `accountLocked=false`, `accountState=UNLOCKED`; any other account keeps its claims.
    UnlockPendingReasons,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetProfile {
    /// The trigger writes `accountState=PENDING_FUPR` (handler v1.4.72, IS 5.11, on: `lockAccountOnAdminPasswordReset`,
    /// then the same claim map from v1.6.3).
    pub writes_account_state: bool,
    /// The trigger writes `lockedReason=PENDING_ADMIN_FORCED_USER_PASSWORD_RESET` (v1.6.3, IS 6.0, on).
    pub writes_locked_reason: bool,
    /// Completing the reset empties `lockedReason`: from 6.0 the account-lock handler runs on every claim write
    /// and puts `lockedReason=""` into any write that unlocks (identity-event-handler-account-lock v1.6.1
    /// `handlePreSetUserClaimValues`); before, the trigger never wrote it and completion leaves it alone
    /// (`NotificationPasswordRecoveryManager.updatePassword` at v1.3.15–v1.4.72).
    pub completion_clears_locked_reason: bool,
    /// What an admin setting the password directly does to a pending reset.
    pub admin_password_set: AdminPasswordSet,
}

pub fn of(version: Wso2Version) -> ResetProfile {
    ResetProfile {
        writes_account_state: version >= Wso2Version::V5_11,
        writes_locked_reason: version >= Wso2Version::V6_0,
        completion_clears_locked_reason: version >= Wso2Version::V6_0,
        admin_password_set: if version >= Wso2Version::V7_2 {
            AdminPasswordSet::UnlockPendingReasons
        } else {
            AdminPasswordSet::CancelAndUnlock
        },
    }
}
