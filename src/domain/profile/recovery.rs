//! The recovery portal across releases (`accountrecoveryendpoint`): its reset form, the texts of its refusals and
//! what a completed reset answers.
//!
//! Sources: IS 5.9 ships carbon-identity-framework's `org.wso2.carbon.identity.mgt.endpoint` (CIF 5.14.97,
//! `password-recovery-confirm.jsp`, `password-reset.jsp`, `password-reset-complete.jsp`); 5.10 and 5.11 ship
//! identity-apps' `apps/recovery-portal` (APPS v1.0.72 and v1.0.558, same files). The pages of 6.0+ could not be
//! read at their tags (UNCONFIRMED): they keep 5.11's, which an undated later identity-apps still matches
//! (`reset-password`, `reset-password2`, "Proceed", the session attribute `confirmationKey`).

use super::Wso2Version;

/// What `POST completepasswordreset.do` answers once the password is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// A page titled "Information" saying "Updated the password successfully", whose "Close" goes to the
    /// callback as given (5.9: CIF `password-reset-complete.jsp`; 5.10: APPS v1.0.72).
    SuccessPage,
    /// The page sends the browser on to the callback with `&passwordReset=true` and says nothing itself (APPS
    /// v1.0.558 `password-reset-complete.jsp`: `location.href = getURLEncodedCallback(callback) +
    /// "&passwordReset=true"`); the login page then shows "Updated the password successfully" (APPS v1.0.558
    /// `authentication-portal/basicauth.jsp`).
    RedirectToCallback,
}

/// How the recovery API quotes a refused code in 18001/18002.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeQuote {
    /// `Invalid Code 'X.'` (identity-governance `IdentityRecoveryConstants.ErrorMessages` up to v1.4.72, IS 5.11).
    PeriodInside,
    /// `Invalid Code 'X'.` (v1.6.3, IS 6.0, on).
    PeriodOutside,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryProfile {
    /// What a completed reset answers.
    pub completion: Completion,
    /// The reset form's button: "Submit" (CIF 5.14.97, APPS v1.0.72 `password-reset.jsp`), "Proceed" (APPS
    /// v1.0.558 on).
    pub submit_label: &'static str,
    /// The reset form carries the `username` and `sessionDataKey` it was opened with as hidden fields (APPS
    /// v1.0.558 `password-reset.jsp`, for the auto-login after the reset).
    pub form_carries_login: bool,
    /// How 18001 "Invalid Code" and 18002 "Expired Code" quote the code.
    pub code_quote: CodeQuote,
    /// An expired code of an OTP scenario is 18022 "Expired OTP 'X'." rather than 18002 (identity-governance
    /// v1.11.145, IS 7.2: `JDBCRecoveryDataStore.resolveErrorCodeForExpiry`).
    pub expired_otp_code: bool,
}

pub fn of(version: Wso2Version) -> RecoveryProfile {
    let apps_1_0_558 = version >= Wso2Version::V5_11;
    RecoveryProfile {
        completion: if apps_1_0_558 {
            Completion::RedirectToCallback
        } else {
            Completion::SuccessPage
        },
        submit_label: if apps_1_0_558 { "Proceed" } else { "Submit" },
        form_carries_login: apps_1_0_558,
        code_quote: if version >= Wso2Version::V6_0 {
            CodeQuote::PeriodOutside
        } else {
            CodeQuote::PeriodInside
        },
        expired_otp_code: version >= Wso2Version::V7_2,
    }
}
