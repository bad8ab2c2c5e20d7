//! The basic authenticator's redirects, byte for byte per release, from an error context: identity-local-auth-
//! basicauth's `BasicAuthenticatorTestCase` (its `initiateAuthenticationRequest` data provider) at v6.2.4 (IS 5.9),
//! v6.3.0 (5.10), v6.3.11 (5.11) and v6.5.0 (6.0), with `login.fail.message` where the unit test mocks a tenant
//! mismatch. The same redirects from real logins: `tests/it/wso2/basic_authenticator.rs`.

use super::*;
use crate::domain::profile::Wso2Version;

const P: &str = "/authenticationendpoint/login.do?sessionDataKey=K-1";
const A: &str = "&authenticators=BasicAuthenticator:LOCAL";
const R: &str = "&authFailure=true&authFailureMsg=login.fail.message";
const RETRY: &str = "/authenticationendpoint/retry.do?sessionDataKey=K-1";

fn show() -> BasicAuthParams {
    BasicAuthParams {
        show_auth_failure_reason: true,
        ..BasicAuthParams::default()
    }
}

fn ctx(code: &'static str, max: u32, failed: u32) -> ErrorContext {
    ErrorContext {
        code,
        reason: None,
        failed,
        max,
    }
}

fn loc_with(v: Wso2Version, decision: Decision, c: Option<ErrorContext>, basic: &BasicAuthParams) -> String {
    let password = Secret::new("AB C1");
    let attempt = Attempt {
        key: "K-1",
        username: "tom smith",
        user: Some("tom smith"),
        password: &password,
        tenant_domain: "carbon.super",
        prefix: "",
    };
    let profile = v.profile().login;
    failure_location(
        decision,
        c.as_ref(),
        &attempt,
        basic,
        &profile,
        "https://localhost:9443",
    )
    .unwrap()
}

fn loc(v: Wso2Version, c: Option<ErrorContext>, basic: &BasicAuthParams) -> String {
    loc_with(
        v,
        Decision::Failed(crate::domain::login::Failure::WrongPassword),
        c,
        basic,
    )
}

#[test]
fn success_has_no_failure_location() {
    let password = Secret::new("x");
    let attempt = Attempt {
        key: "k",
        username: "tom",
        user: Some("tom"),
        password: &password,
        tenant_domain: "carbon.super",
        prefix: "",
    };
    let profile = Wso2Version::V5_11.profile().login;
    assert_eq!(
        failure_location(Decision::Success, None, &attempt, &show(), &profile, ""),
        None
    );
}

#[test]
fn values_are_encoded_as_java_s_url_encoder_does() {
    assert_eq!(enc("a b~*.-_é/+&="), "a+b%7E*.-_%C3%A9%2F%2B%26%3D");
}

#[test]
fn without_a_context_or_without_show_reason_every_failure_is_generic() {
    let generic = format!("{P}{A}{R}");
    for v in Wso2Version::ALL {
        assert_eq!(loc(v, None, &show()), generic, "{v}");
        for code in ["17001", "17002", "17003", "17008", "dummycode"] {
            assert_eq!(
                loc(v, Some(ctx(code, 5, 1)), &BasicAuthParams::default()),
                generic,
                "{v} {code}"
            );
        }
    }
}

#[test]
fn wrong_passwords_count_down_in_the_release_s_order() {
    // Rows 3-4 of the data provider: (max, failed) = (3, 1) → 2.
    let c = Some(ctx("17002", 3, 1));
    assert_eq!(
        loc(Wso2Version::V5_9, c, &show()),
        format!("{P}{A}{R}&errorCode=17002&failedUsername=tom+smith&remainingAttempts=2")
    );
    for v in [
        Wso2Version::V5_10,
        Wso2Version::V5_11,
        Wso2Version::V6_0,
        Wso2Version::V7_2,
    ] {
        assert_eq!(
            loc(v, c, &show()),
            format!("{P}{A}{R}&failedUsername=tom+smith&errorCode=17002&remainingAttempts=2"),
            "{v}"
        );
    }
}

#[test]
fn the_lock_goes_to_retry_do_with_remaining_attempts_only_at_zero() {
    // Row 9: 17003 (1, 1).
    assert_eq!(
        loc(Wso2Version::V5_9, Some(ctx("17003", 1, 1)), &show()),
        format!("{RETRY}&errorCode=17003&failedUsername=tom+smith&remainingAttempts=0")
    );
    assert_eq!(
        loc(Wso2Version::V5_10, Some(ctx("17003", 1, 1)), &show()),
        format!("{RETRY}&failedUsername=tom+smith&errorCode=17003&remainingAttempts=0")
    );
    // Row 10: with a reason.
    let reasoned = ErrorContext {
        reason: Some("dummyReason"),
        ..ctx("17003", 1, 1)
    };
    assert_eq!(
        loc(Wso2Version::V5_9, Some(reasoned), &show()),
        format!("{RETRY}&errorCode=17003&lockedReason=dummyReason&failedUsername=tom+smith&remainingAttempts=0")
    );
    assert_eq!(
        loc(Wso2Version::V7_0, Some(reasoned), &show()),
        format!("{RETRY}&failedUsername=tom+smith&errorCode=17003&remainingAttempts=0&lockedReason=dummyReason")
    );
    // Rows 11-12: (4, 1) has attempts left, so no remainingAttempts.
    assert_eq!(
        loc(Wso2Version::V5_9, Some(ctx("17003", 4, 1)), &show()),
        format!("{RETRY}&errorCode=17003&failedUsername=tom+smith")
    );
    assert_eq!(
        loc(
            Wso2Version::V5_9,
            Some(ErrorContext {
                reason: Some("dummyReason"),
                ..ctx("17003", 4, 1)
            }),
            &show()
        ),
        format!("{RETRY}&errorCode=17003&lockedReason=dummyReason&failedUsername=tom+smith")
    );
    // An already locked account: no counts, so 0 left.
    assert_eq!(
        loc(Wso2Version::V5_11, Some(ctx("17003", 0, 0)), &show()),
        format!("{RETRY}&failedUsername=tom+smith&errorCode=17003&remainingAttempts=0")
    );
}

#[test]
fn show_auth_failure_reason_on_login_page_keeps_the_lock_on_the_login_page_from_6_0() {
    let on_page = BasicAuthParams {
        show_auth_failure_reason_on_login_page: true,
        ..show()
    };
    assert_eq!(
        loc(Wso2Version::V6_0, Some(ctx("17003", 0, 0)), &on_page),
        format!("{P}{A}&failedUsername=tom+smith&errorCode=17003&remainingAttempts=0")
    );
    assert!(loc(Wso2Version::V5_11, Some(ctx("17003", 0, 0)), &on_page).starts_with(RETRY));
}

#[test]
fn unknown_users_and_other_codes_carry_code_and_name() {
    // Rows 5, 8.
    assert_eq!(
        loc(Wso2Version::V5_9, Some(ctx("17001", 0, 0)), &show()),
        format!("{P}{A}{R}&errorCode=17001&failedUsername=tom+smith")
    );
    assert_eq!(
        loc(Wso2Version::V5_11, Some(ctx("17001", 0, 0)), &show()),
        format!("{P}{A}{R}&failedUsername=tom+smith&errorCode=17001")
    );
    assert_eq!(
        loc(Wso2Version::V5_10, Some(ctx("dummycode", 0, 0)), &show()),
        format!("{P}{A}{R}&failedUsername=tom+smith&errorCode=dummycode")
    );
    // Row 16: maskUserNotExistsErrorCode (5.10+) makes 17001 a wrong password, with its (empty) counts.
    let masked = BasicAuthParams {
        mask_user_not_exists_error_code: true,
        ..show()
    };
    assert_eq!(
        loc(Wso2Version::V5_10, Some(ctx("17001", 0, 0)), &masked),
        format!("{P}{A}{R}&failedUsername=tom+smith&errorCode=17002&remainingAttempts=0")
    );
    assert!(loc(Wso2Version::V5_9, Some(ctx("17001", 0, 0)), &masked).contains("17001"));
}

#[test]
fn error_params_to_omit_drops_the_named_parameters_from_5_10() {
    // Row 17.
    for (list, code, expected) in [
        ("failedUsername, remainingAttempts", "17002", "&errorCode=17002"),
        (
            "remainingAttempts",
            "17002",
            "&failedUsername=tom+smith&errorCode=17002",
        ),
        ("errorCode, remainingAttempts", "17001", "&failedUsername=tom+smith"),
    ] {
        let omit = BasicAuthParams {
            error_params_to_omit: list.replace(' ', "").split(',').map(str::to_string).collect(),
            ..show()
        };
        assert_eq!(
            loc(Wso2Version::V5_10, Some(ctx(code, 5, 1)), &omit),
            format!("{P}{A}{R}{expected}"),
            "{list}"
        );
        assert!(
            loc(Wso2Version::V5_9, Some(ctx(code, 5, 1)), &omit).contains("&errorCode="),
            "5.9 omits nothing"
        );
    }
}

#[test]
fn reset_redirects_carry_wso2_parameters() {
    let link = Some(ctx("17006", 0, 0));
    let pending = format!(
        "{P}&failedUsername=tom+smith&errorCode=17006{A}&authFailure=true&authFailureMsg=password.reset.pending"
    );
    assert_eq!(
        loc_with(
            Wso2Version::V5_9,
            Decision::ResetViaLink,
            link,
            &BasicAuthParams::default()
        ),
        pending
    );
    // Row 18: maskAdminForcedPasswordResetErrorCode, from 5.11 (BASIC v6.3.4).
    let mask = BasicAuthParams {
        mask_admin_forced_password_reset_error_code: true,
        ..BasicAuthParams::default()
    };
    assert_eq!(
        loc_with(Wso2Version::V5_10, Decision::ResetViaLink, link, &mask),
        pending
    );
    assert_eq!(
        loc_with(Wso2Version::V5_11, Decision::ResetViaLink, link, &mask),
        format!("{P}&failedUsername=tom+smith&errorCode=17002{A}{R}")
    );
    // Row 7: 17008 with show reason; without, the generic redirect.
    let mismatch = Some(ctx("17008", 0, 0));
    for v in [Wso2Version::V5_9, Wso2Version::V5_11] {
        assert_eq!(
            loc_with(v, Decision::ResetOtpMismatch, mismatch, &show()),
            format!("{P}&failedUsername=tom+smith&errorCode=17008{A}{R}")
        );
        assert_eq!(
            loc_with(v, Decision::ResetOtpMismatch, mismatch, &BasicAuthParams::default()),
            format!("{P}{A}{R}")
        );
    }
}

#[test]
fn the_otp_redirect_grows_a_callback_in_5_11_and_drops_the_context_in_6_0() {
    // Rows 13, 13'.
    let otp = Some(ctx("17007", 0, 0));
    let go = |v| loc_with(v, Decision::ResetOtpAccepted, otp, &BasicAuthParams::default());
    let confirm = "/accountrecoveryendpoint/confirmrecovery.do";
    let account = "username=tom+smith&tenantdomain=carbon.super&confirmation=AB+C1";
    let reason = "&reason=ADMIN_FORCED_PASSWORD_RESET_VIA_OTP";
    assert_eq!(go(Wso2Version::V5_9), format!("{confirm}?sessionDataKey=K-1&{account}"));
    assert_eq!(go(Wso2Version::V5_10), go(Wso2Version::V5_9));
    assert_eq!(
        go(Wso2Version::V5_11),
        format!(
            "{confirm}?sessionDataKey=K-1&{account}&callback=%2Fauthenticationendpoint%2Flogin.do%3FsessionDataKey\
             %3DK-1%26authenticators%3DBasicAuthenticator%3ALOCAL{reason}"
        )
    );
    for v in [Wso2Version::V6_0, Wso2Version::V7_2] {
        assert_eq!(
            go(v),
            format!(
                "{confirm}?{account}&callback=https%3A%2F%2Flocalhost%3A9443%2Fauthenticationendpoint%2Flogin.do\
                 %3FsessionDataKey%3DK-1%26authenticators%3DBasicAuthenticator%3ALOCAL{reason}"
            ),
            "{v}"
        );
    }
}

#[test]
fn the_page_text_follows_show_auth_failure_reason() {
    let q = |s: &str| Params::from_urlencoded(s.as_bytes());
    assert_eq!(failure_text(&q("sessionDataKey=k"), true), None);
    let pending = q("errorCode=17006&authFailure=true&authFailureMsg=password.reset.pending");
    assert_eq!(failure_text(&pending, false), Some(GENERIC_FAILURE_TEXT));
    assert_eq!(failure_text(&pending, true), Some(RESET_LINK_TEXT));
    let otp = q("errorCode=17008&authFailure=true&authFailureMsg=login.fail.message");
    assert_eq!(failure_text(&otp, false), Some(GENERIC_FAILURE_TEXT));
    assert_eq!(failure_text(&otp, true), Some(OTP_MISMATCH_TEXT));
    assert_eq!(
        failure_text(&q("errorCode=17003&authFailure=true"), true),
        Some(LOCKED_TEXT)
    );
    assert_eq!(
        failure_text(&q("failedUsername=tom&errorCode=17003&remainingAttempts=0"), true),
        Some(LOCKED_TEXT),
        "6.0's lock on the login page has no authFailure"
    );
    assert_eq!(failure_text(&q("errorCode=17003"), false), None);
    assert_eq!(
        failure_text(&q("errorCode=17002&authFailure=true"), true),
        Some(GENERIC_FAILURE_TEXT)
    );
}

#[test]
fn a_tenant_s_login_keeps_its_path_and_names_its_domain_in_the_otp_redirect() {
    let password = Secret::new("OTP-1");
    let attempt = Attempt {
        key: "K-1",
        username: "tom",
        user: Some("tom"),
        password: &password,
        tenant_domain: "a.com",
        prefix: "/t/a.com",
    };
    for v in [Wso2Version::V5_10, Wso2Version::V5_11, Wso2Version::V7_0] {
        let otp = ctx(crate::domain::login::PASSWORD_RESET_VIA_OTP, 0, 0);
        let to = failure_location(
            Decision::Failed(crate::domain::login::Failure::WrongPassword),
            Some(&otp),
            &attempt,
            &show(),
            &v.profile().login,
            "https://localhost:9443",
        )
        .unwrap();
        assert!(
            to.starts_with("/t/a.com/accountrecoveryendpoint/confirmrecovery.do?"),
            "{v:?}: {to}"
        );
        assert!(
            to.contains("username=tom&tenantdomain=a.com&confirmation=OTP-1"),
            "{v:?}: {to}"
        );
        assert!(!to.contains("carbon.super"), "{v:?}: {to}");
        let failed = failure_location(
            Decision::Failed(crate::domain::login::Failure::WrongPassword),
            None,
            &attempt,
            &show(),
            &v.profile().login,
            "https://localhost:9443",
        )
        .unwrap();
        assert!(
            failed.starts_with("/t/a.com/authenticationendpoint/login.do?"),
            "{v:?}: {failed}"
        );
    }
}
