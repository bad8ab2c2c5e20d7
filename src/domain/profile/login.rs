//! The basic authenticator across releases (identity-local-auth-basicauth, BASIC): the shape of its redirects after
//! a failed login, which error codes reach them, and how the account lock (identity-event-handler-account-lock,
//! ACCLOCK) reports a locked account.
//!
//! BASIC source: `components/org.wso2.carbon.identity.application.authenticator.basicauth/src/main/java/org/wso2/
//! carbon/identity/application/authenticator/basicauth/BasicAuthenticator.java`, `initiateAuthenticationRequest`
//! and `processAuthenticationResponse`, at v6.2.4 (IS 5.9), v6.3.0 (5.10), v6.3.11 (5.11), v6.5.0 (6.0), v6.7.8
//! (6.1), v6.8.3 (7.0), v6.8.20 (7.1), v6.8.49 (7.2).

use super::Wso2Version;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginProfile {
    /// How the show-reason redirects order `errorCode`, `failedUsername`, `remainingAttempts`, `lockedReason`.
    pub error_params: ErrorParams,
    /// `errorParamsToOmit` and `maskUserNotExistsErrorCode` are honoured (BASIC v6.3.0, IS 5.10, on).
    pub honours_omit_and_mask_user: bool,
    /// `maskAdminForcedPasswordResetErrorCode` is honoured (BASIC commit 04d5e99, first tag v6.3.4: IS 5.11 on).
    pub honours_mask_forced_reset_code: bool,
    /// An unknown user is reported as 17001 when `AuthenticationPolicy.CheckAccountExist` is on (BASIC v6.3.11
    /// `checkUserExistence`, IS 5.11 on). Before, only the account-lock handler could, and it returns before that
    /// check for a user the store does not have (ACCLOCK v1.3.3/v1.4.0 `handleEvent`), so never.
    pub reports_unknown_user: bool,
    /// The 17007 redirect to the recovery portal.
    pub otp_redirect: OtpRedirect,
    /// The `lockedReason` a locked account's 17003 redirect carries.
    pub locked_reasons: LockedReasons,
    /// `showAuthFailureReasonOnLoginPage` sends 17003 to the login page instead of `retry.do` (BASIC v6.5.0, IS 6.0,
    /// on).
    pub honours_reason_on_login_page: bool,
    /// The account lock records why an account is locked: the failed-login lock writes
    /// `lockedReason=MAX_ATTEMPTS_EXCEEDED` (ACCLOCK v1.6.1 `handlePostAuthentication`), an admin's claim write
    /// that locks writes `ADMIN_INITIATED` and one that unlocks empties it (`handlePostSetUserClaimValues`,
    /// `handlePreSetUserClaimValues`; see `domain::login::admin_lock_claims`). IS 6.0 on; v1.4.11 writes none.
    pub lock_writes_reason: bool,
}

/// The order of the error parameters of the show-reason redirects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorParams {
    /// IS 5.9 (BASIC v6.2.4): string concatenation, `&errorCode=…&failedUsername=…&remainingAttempts=…`, the lock
    /// putting `&lockedReason=…` between errorCode and failedUsername.
    Concatenated,
    /// IS 5.10 on (v6.3.0 `buildErrorParamString`): a `java.util.HashMap`'s iteration order, which for these four
    /// keys is always failedUsername, errorCode, remainingAttempts, lockedReason (buckets 4, 5, 7, 14 of 16).
    HashMap,
}

/// Where a correct one-time password sends the browser (17007).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpRedirect {
    /// IS 5.9, 5.10: `confirmrecovery.do?<context>&username=…&tenantdomain=…&confirmation=…`.
    Plain,
    /// IS 5.11 (BASIC commit 07ed12a, v6.3.6): + `&callback=` the login page's relative URL with the context and
    /// `&reason=ADMIN_FORCED_PASSWORD_RESET_VIA_OTP`.
    RelativeCallback,
    /// IS 6.0 on (v6.5.0): the context parameters dropped before `username=`, and the callback absolute
    /// (`ServiceURLBuilder…getAbsolutePublicURL()`).
    AbsoluteCallback,
}

/// Which lock reasons reach the 17003 redirect as `lockedReason` (ACCLOCK `handlePostAuthentication`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockedReasons {
    /// To IS 5.11 (v1.4.11): plain 17003.
    None,
    /// IS 6.0, 6.1 (v1.6.1, v1.8.6): `AdminInitiated` for an account an admin locked.
    AdminInitiated,
    /// IS 7.0 on (v1.9.2): also `MaxAttemptsExceeded`, on the locking attempt and while the lock lasts.
    AdminInitiatedAndMaxAttempts,
}

pub fn of(version: Wso2Version) -> LoginProfile {
    use Wso2Version::*;
    LoginProfile {
        error_params: if version >= V5_10 {
            ErrorParams::HashMap
        } else {
            ErrorParams::Concatenated
        },
        honours_omit_and_mask_user: version >= V5_10,
        honours_mask_forced_reset_code: version >= V5_11,
        reports_unknown_user: version >= V5_11,
        otp_redirect: match version {
            V5_9 | V5_10 => OtpRedirect::Plain,
            V5_11 => OtpRedirect::RelativeCallback,
            _ => OtpRedirect::AbsoluteCallback,
        },
        locked_reasons: match version {
            V5_9 | V5_10 | V5_11 => LockedReasons::None,
            V6_0 | V6_1 => LockedReasons::AdminInitiated,
            _ => LockedReasons::AdminInitiatedAndMaxAttempts,
        },
        honours_reason_on_login_page: version >= V6_0,
        lock_writes_reason: version >= V6_0,
    }
}
