//! The forced-reset engine's rules: which mode applies, the code it sends or stores, its expiry and attempt
//! budget, the lock claims it sets, and how a submitted code is judged. Pure: randomness and time come in.
//!
//! Codes have WSO2's shapes (a v4 UUID for the e-mailed link, 6 characters of A–Z0–9 for OTPs) and come from the
//! CSPRNG. Better than WSO2 here: they are stored only as HMAC-SHA256 under a per-installation key, compared in
//! constant time, expire at every use (login included), are single use, and die after a number of failed
//! attempts. Which claims the trigger writes and completion clears follows the release ([`ResetProfile`]).

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::Millis;
use super::claims;
use super::governance::{ResetMode, ResetSettings};
use super::profile::reset::ResetProfile;
use super::secret::Secret;
use crate::util::{hex_lower, uuid_v4};

/// Recovery scenarios, as WSO2 names them in IDN_RECOVERY_DATA.
pub const SCENARIO_EMAIL_LINK: &str = "ADMIN_FORCED_PASSWORD_RESET_VIA_EMAIL_LINK";
/// Used by the emailed-OTP and the offline modes alike, as in WSO2.
pub const SCENARIO_OTP: &str = "ADMIN_FORCED_PASSWORD_RESET_VIA_OTP";
pub const LOCKED_REASON_PENDING: &str = "PENDING_ADMIN_FORCED_USER_PASSWORD_RESET";
pub const ACCOUNT_STATE_PENDING: &str = "PENDING_FUPR";
pub const ACCOUNT_STATE_UNLOCKED: &str = "UNLOCKED";
/// The ask-password flow's locked reason and account state (identity-governance `IdentityMgtConstants.LockedReason`,
/// `IdentityRecoveryConstants.PENDING_ASK_PASSWORD`): an admin's password set ends that wait too in IS 7.2.
pub const LOCKED_REASON_PENDING_ASK_PASSWORD: &str = "PENDING_ASK_PASSWORD";
pub const ACCOUNT_STATE_PENDING_ASK_PASSWORD: &str = "PENDING_AP";
/// Email template types (matched case-insensitively against email-admin-config.xml).
pub const TEMPLATE_LINK: &str = "adminforcedpasswordreset";
pub const TEMPLATE_OTP: &str = "adminforcedpasswordresetwithotp";
/// The resent code's templates (identity-governance `NOTIFICATION_TYPE_RESEND_ADMIN_FORCED_PASSWORD_RESET` and
/// `…_WITH_OTP`).
pub const TEMPLATE_RESEND_LINK: &str = "resendadminforcedpasswordreset";
pub const TEMPLATE_RESEND_OTP: &str = "resendadminforcedpasswordresetwithotp";

/// The shape of generated OTPs (`[forcereset] otp_length`, `otp_alphabet`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpFormat {
    pub length: usize,
    pub alphabet: Vec<char>,
}

impl OtpFormat {
    pub fn new(length: usize, alphabet: &str) -> OtpFormat {
        OtpFormat {
            length,
            alphabet: alphabet.chars().collect(),
        }
    }
}

/// Draw an OTP uniformly from the alphabet (rejection sampling: no modulo bias).
pub fn generate_otp(format: &OtpFormat, rng: &mut impl RngCore) -> String {
    let n = format.alphabet.len();
    if n == 0 || n > 256 {
        return String::new();
    }
    // The largest multiple of n that fits in a byte; bytes at or above it are drawn again.
    let zone = 256 - (256 % n);
    let mut out = String::with_capacity(format.length);
    while out.chars().count() < format.length {
        let mut byte = [0u8; 1];
        rng.fill_bytes(&mut byte);
        let b = usize::from(byte[0]);
        if b < zone {
            out.push(format.alphabet[b % n]);
        }
    }
    out
}

/// A recovery-link code as WSO2 makes it: a random v4 UUID, lower-case, 36 characters (122 random bits).
pub fn generate_link_code(rng: &mut impl RngCore) -> String {
    uuid_v4(rng)
}

/// The stored form of a code: HMAC-SHA256 over the user name and the code, keyed per installation, in hex.
/// Binding the user name means a code of one user can never be replayed for another.
pub fn hash_code(key: &[u8; 32], user: &str, code: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(user.to_lowercase().as_bytes());
    mac.update(&[0]);
    mac.update(code.as_bytes());
    hex_lower(&mac.finalize().into_bytes())
}

/// Everything one forced reset does, decided before any IO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetPlan {
    pub mode: ResetMode,
    pub scenario: &'static str,
    /// The plaintext code: goes into the e-mail or the oneTimePassword claim, nowhere else.
    pub code: Secret,
    pub code_hash: String,
    pub expires_at: Option<Millis>,
    pub attempts: u32,
    /// Lock claims to set, in the same transaction.
    pub claims: Vec<(&'static str, String)>,
    /// Offline mode: the code also goes into the oneTimePassword claim for the admin to read.
    pub code_in_claim: bool,
    /// The e-mail template to send, if the mode mails.
    pub template: Option<&'static str>,
}

/// Plan a forced reset under the effective settings. None = no mode enabled (WSO2 then stores the
/// adminForcedPasswordReset claim as an ordinary claim).
#[allow(clippy::too_many_arguments)] // Each is an input the rules need; time and randomness come in from outside.
pub fn plan(
    profile: &ResetProfile,
    settings: &ResetSettings,
    format: &OtpFormat,
    max_attempts: u32,
    key: &[u8; 32],
    user: &str,
    now: Millis,
    rng: &mut impl RngCore,
) -> Option<ResetPlan> {
    let mode = settings.mode()?;
    let (scenario, code, template) = match mode {
        ResetMode::EmailLink => (SCENARIO_EMAIL_LINK, generate_link_code(rng), Some(TEMPLATE_LINK)),
        ResetMode::EmailOtp => (SCENARIO_OTP, generate_otp(format, rng), Some(TEMPLATE_OTP)),
        ResetMode::Offline => (SCENARIO_OTP, generate_otp(format, rng), None),
    };
    Some(ResetPlan {
        // Only the offline mode needs the admin to read the code. (WSO2 also fills the claim when offline is on
        // but another mode wins, leaving a code that works nowhere; we do not.)
        code_in_claim: mode == ResetMode::Offline,
        mode,
        scenario,
        code_hash: hash_code(key, user, &code),
        code: Secret::new(code),
        expires_at: expiry(settings.expiry_minutes, now),
        attempts: max_attempts,
        claims: lock_claims(profile),
        template,
    })
}

/// A new code for a pending reset, decided before any IO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResendPlan {
    /// The plaintext code: goes into the mail only.
    pub code: Secret,
    pub code_hash: String,
    pub expires_at: Option<Millis>,
    pub attempts: u32,
    pub template: &'static str,
}

/// Plan the resend of a pending reset's code (`resend-code`): None unless the pending reset's scenario is the one
/// asked for (WSO2's `ResendCodeApiServiceImpl` finds no recovery data of another scenario). The new code counts
/// its validity and attempts from `now`, as WSO2 stores a new recovery record. Its shape is the first code's,
/// except that before IS 7.0 an OTP scenario is resent a UUID (`otp_as_otp` false: product-is#11792).
#[allow(clippy::too_many_arguments)] // Each is an input the rules need; time and randomness come in from outside.
pub fn plan_resend(
    pending: &str,
    requested: &str,
    otp_as_otp: bool,
    format: &OtpFormat,
    settings: &ResetSettings,
    max_attempts: u32,
    key: &[u8; 32],
    user: &str,
    now: Millis,
    rng: &mut impl RngCore,
) -> Option<ResendPlan> {
    if pending != requested {
        return None;
    }
    let (code, template) = match pending {
        SCENARIO_EMAIL_LINK => (generate_link_code(rng), TEMPLATE_RESEND_LINK),
        SCENARIO_OTP if otp_as_otp => (generate_otp(format, rng), TEMPLATE_RESEND_OTP),
        SCENARIO_OTP => (generate_link_code(rng), TEMPLATE_RESEND_OTP),
        _ => return None,
    };
    Some(ResendPlan {
        code_hash: hash_code(key, user, &code),
        code: Secret::new(code),
        expires_at: expiry(settings.expiry_minutes, now),
        attempts: max_attempts,
        template,
    })
}

/// The claims the trigger locks the account with, per release: `accountLocked=true` always, `accountState` from
/// 5.11, `lockedReason` from 6.0.
pub fn lock_claims(profile: &ResetProfile) -> Vec<(&'static str, String)> {
    let mut claims = vec![(claims::ACCOUNT_LOCKED, "true".to_string())];
    if profile.writes_locked_reason {
        claims.push((claims::LOCKED_REASON, LOCKED_REASON_PENDING.to_string()));
    }
    if profile.writes_account_state {
        claims.push((claims::ACCOUNT_STATE, ACCOUNT_STATE_PENDING.to_string()));
    }
    claims
}

/// When a code created `now` expires; negative minutes = never.
pub fn expiry(minutes: i64, now: Millis) -> Option<Millis> {
    (minutes >= 0).then(|| now.saturating_add(minutes.saturating_mul(60_000)))
}

/// A stored code as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode<'a> {
    pub scenario: &'a str,
    pub code_hash: &'a str,
    pub expires_at: Option<Millis>,
    pub attempts_left: i64,
}

/// The verdict on a submitted code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeVerdict {
    Valid,
    /// Wrong code (counts against the attempt budget).
    Mismatch,
    /// Past its expiry (WSO2 18002).
    Expired,
    /// Out of attempts: a new forced reset is needed.
    Dead,
}

/// Judge a submitted code: dead before expired before mismatch, so a dead code tells nothing about guesses.
pub fn judge(stored: &StoredCode<'_>, key: &[u8; 32], user: &str, submitted: &str, now: Millis) -> CodeVerdict {
    judge_hash(stored, &hash_code(key, user, submitted), now)
}

/// Judge a code already in its stored form (the recovery portal keeps the hash of the code it checked, never the
/// code): as [`judge`].
pub fn judge_hash(stored: &StoredCode<'_>, candidate: &str, now: Millis) -> CodeVerdict {
    if stored.attempts_left <= 0 {
        return CodeVerdict::Dead;
    }
    if stored.expires_at.is_some_and(|at| now > at) {
        return CodeVerdict::Expired;
    }
    if candidate.as_bytes().ct_eq(stored.code_hash.as_bytes()).into() && !candidate.is_empty() {
        CodeVerdict::Valid
    } else {
        CodeVerdict::Mismatch
    }
}

/// The claims completing a reset sets (an empty value = the claim is removed), per release. WSO2
/// (`NotificationPasswordRecoveryManager.updatePassword`, with the account-lock handler) writes
/// `accountLocked=false` and `accountState=UNLOCKED` (5.11 alone leaves `PENDING_FUPR`, kept as a deliberate
/// deviation), empties `lockedReason` from 6.0, and marks the e-mail verified (`emailVerified=true`, as
/// notifications are managed internally by default; the caller writes it where the dialect has the claim). The
/// offline OTP is removed as well: WSO2 leaves it in the profile (a deliberate deviation).
pub fn completion_claims(profile: &ResetProfile) -> Vec<(&'static str, String)> {
    let mut claims = vec![
        (claims::ACCOUNT_LOCKED, "false".to_string()),
        (claims::ACCOUNT_STATE, ACCOUNT_STATE_UNLOCKED.to_string()),
        (claims::ONE_TIME_PASSWORD, String::new()),
        (claims::EMAIL_VERIFIED, "true".to_string()),
    ];
    if profile.completion_clears_locked_reason {
        claims.push((claims::LOCKED_REASON, String::new()));
    }
    claims
}

/// IS 7.2's claims after an admin sets a user's password, from the user's lock claims as they are (None = no
/// change): see [`super::profile::reset::AdminPasswordSet::UnlockPendingReasons`].
pub fn admin_set_unlock_claims(
    locked: bool,
    locked_reason: Option<&str>,
    account_state: Option<&str>,
) -> Option<Vec<(&'static str, String)>> {
    if locked {
        let pending = matches!(
            locked_reason,
            Some(LOCKED_REASON_PENDING | LOCKED_REASON_PENDING_ASK_PASSWORD)
        );
        pending.then(|| {
            vec![
                (claims::ACCOUNT_LOCKED, "false".to_string()),
                (claims::LOCKED_REASON, String::new()),
                (claims::ACCOUNT_STATE, ACCOUNT_STATE_UNLOCKED.to_string()),
            ]
        })
    } else {
        (account_state == Some(ACCOUNT_STATE_PENDING_ASK_PASSWORD)).then(|| {
            vec![
                (claims::ACCOUNT_LOCKED, "false".to_string()),
                (claims::ACCOUNT_STATE, ACCOUNT_STATE_UNLOCKED.to_string()),
            ]
        })
    }
}

/// The claims an admin's unlock sets.
pub fn unlock_claims() -> Vec<(&'static str, String)> {
    vec![
        (claims::ACCOUNT_LOCKED, "false".to_string()),
        (claims::ACCOUNT_STATE, ACCOUNT_STATE_UNLOCKED.to_string()),
        (claims::LOCKED_REASON, String::new()),
        (claims::ONE_TIME_PASSWORD, String::new()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::profile::Wso2Version;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const KEY: [u8; 32] = [9; 32];

    fn settings(link: bool, otp: bool, offline: bool) -> ResetSettings {
        ResetSettings {
            recovery_link: link,
            otp,
            offline,
            expiry_minutes: 10,
        }
    }

    fn format() -> OtpFormat {
        OtpFormat::new(6, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    }

    #[test]
    fn otps_have_the_configured_shape_and_are_uniform() {
        let mut rng = StdRng::seed_from_u64(1);
        let f = format();
        let otp = generate_otp(&f, &mut rng);
        assert_eq!(otp.len(), 6);
        assert!(otp.chars().all(|c| f.alphabet.contains(&c)));
        let digits = OtpFormat::new(8, "0123456789");
        let mut counts = [0usize; 10];
        for _ in 0..2000 {
            for c in generate_otp(&digits, &mut rng).chars() {
                counts[c.to_digit(10).unwrap() as usize] += 1;
            }
        }
        // 16,000 draws: each digit expects 1,600; a modulo bias on 256 % 10 would skew 0–5 by ~2 %.
        assert!(counts.iter().all(|&c| (1450..1750).contains(&c)), "{counts:?}");
    }

    #[test]
    fn link_codes_are_v4_uuids_as_wso2_makes_them() {
        let mut rng = StdRng::seed_from_u64(2);
        let a = generate_link_code(&mut rng);
        let b = generate_link_code(&mut rng);
        assert_eq!(a.len(), 36, "{a}");
        assert_eq!(a.chars().nth(14), Some('4'), "version 4: {a}");
        assert!(
            a.bytes()
                .all(|c| c == b'-' || c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        );
        assert_ne!(a, b);
    }

    #[test]
    fn plans_follow_the_mode_precedence() {
        let mut rng = StdRng::seed_from_u64(3);
        let profile = Wso2Version::V6_0.profile().reset;
        let mut p = |s: ResetSettings| plan(&profile, &s, &format(), 5, &KEY, "tom", 1_000, &mut rng);
        assert_eq!(p(settings(false, false, false)), None);
        let link = p(settings(true, true, true)).unwrap();
        assert_eq!(
            (link.mode, link.scenario, link.template),
            (ResetMode::EmailLink, SCENARIO_EMAIL_LINK, Some(TEMPLATE_LINK))
        );
        assert!(!link.code_in_claim);
        let otp = p(settings(false, true, true)).unwrap();
        assert_eq!((otp.scenario, otp.template), (SCENARIO_OTP, Some(TEMPLATE_OTP)));
        let offline = p(settings(false, false, true)).unwrap();
        assert_eq!((offline.scenario, offline.template), (SCENARIO_OTP, None));
        assert!(offline.code_in_claim && !otp.code_in_claim);
        assert!(offline.claims.contains(&(claims::ACCOUNT_STATE, "PENDING_FUPR".into())));
        assert!(
            offline
                .claims
                .contains(&(claims::LOCKED_REASON, LOCKED_REASON_PENDING.into()))
        );
        assert_eq!(offline.expires_at, Some(1_000 + 10 * 60_000));
        assert_eq!(offline.code_hash, hash_code(&KEY, "tom", offline.code.expose()));
        assert!(
            !format!("{offline:?}").contains(offline.code.expose()),
            "Debug hides the code"
        );
    }

    #[test]
    fn the_lock_claims_follow_the_release() {
        let uris =
            |v: Wso2Version| -> Vec<&str> { lock_claims(&v.profile().reset).into_iter().map(|(u, _)| u).collect() };
        assert_eq!(uris(Wso2Version::V5_9), [claims::ACCOUNT_LOCKED]);
        assert_eq!(uris(Wso2Version::V5_10), [claims::ACCOUNT_LOCKED]);
        assert_eq!(
            uris(Wso2Version::V5_11),
            [claims::ACCOUNT_LOCKED, claims::ACCOUNT_STATE]
        );
        for v in [Wso2Version::V6_0, Wso2Version::V7_2] {
            assert_eq!(
                uris(v),
                [claims::ACCOUNT_LOCKED, claims::LOCKED_REASON, claims::ACCOUNT_STATE]
            );
        }
        let cleared = |v: Wso2Version| {
            completion_claims(&v.profile().reset)
                .iter()
                .any(|(u, value)| *u == claims::LOCKED_REASON && value.is_empty())
        };
        assert!(!cleared(Wso2Version::V5_11) && cleared(Wso2Version::V6_0));
    }

    #[test]
    fn an_admin_password_set_unlocks_only_a_pending_wait_in_7_2() {
        let unlock = admin_set_unlock_claims(true, Some(LOCKED_REASON_PENDING), Some(ACCOUNT_STATE_PENDING)).unwrap();
        assert!(unlock.contains(&(claims::ACCOUNT_LOCKED, "false".into())));
        assert!(unlock.contains(&(claims::LOCKED_REASON, String::new())));
        assert!(unlock.contains(&(claims::ACCOUNT_STATE, ACCOUNT_STATE_UNLOCKED.into())));
        assert!(admin_set_unlock_claims(true, Some(LOCKED_REASON_PENDING_ASK_PASSWORD), None).is_some());
        assert_eq!(admin_set_unlock_claims(true, Some("MAX_ATTEMPTS_EXCEEDED"), None), None);
        assert_eq!(admin_set_unlock_claims(true, None, Some(ACCOUNT_STATE_PENDING)), None);
        assert_eq!(
            admin_set_unlock_claims(false, None, Some(ACCOUNT_STATE_PENDING_ASK_PASSWORD)),
            Some(vec![
                (claims::ACCOUNT_LOCKED, "false".into()),
                (claims::ACCOUNT_STATE, ACCOUNT_STATE_UNLOCKED.into())
            ])
        );
        for state in ["PENDING_SR", "PENDING_LR", "DISABLED", "UNLOCKED"] {
            assert_eq!(admin_set_unlock_claims(false, None, Some(state)), None, "{state}");
        }
    }

    #[test]
    fn negative_expiry_never_expires() {
        assert_eq!(expiry(-1, 5), None);
        assert_eq!(expiry(0, 5), Some(5));
        assert_eq!(expiry(i64::MAX, 5), Some(i64::MAX));
    }

    #[test]
    fn codes_are_judged_dead_then_expired_then_by_value() {
        let hash = hash_code(&KEY, "tom", "ABC123");
        let stored = StoredCode {
            scenario: SCENARIO_OTP,
            code_hash: &hash,
            expires_at: Some(100),
            attempts_left: 1,
        };
        assert_eq!(judge(&stored, &KEY, "tom", "ABC123", 100), CodeVerdict::Valid);
        assert_eq!(
            judge(&stored, &KEY, "TOM", "ABC123", 100),
            CodeVerdict::Valid,
            "names are case-insensitive"
        );
        assert_eq!(
            judge(&stored, &KEY, "tom", "abc123", 100),
            CodeVerdict::Mismatch,
            "codes are case-sensitive"
        );
        assert_eq!(
            judge(&stored, &KEY, "bob", "ABC123", 100),
            CodeVerdict::Mismatch,
            "bound to the user"
        );
        assert_eq!(
            judge(&stored, &[8; 32], "tom", "ABC123", 100),
            CodeVerdict::Mismatch,
            "bound to the key"
        );
        assert_eq!(judge(&stored, &KEY, "tom", "ABC123", 101), CodeVerdict::Expired);
        let dead = StoredCode {
            attempts_left: 0,
            ..stored.clone()
        };
        assert_eq!(judge(&dead, &KEY, "tom", "ABC123", 0), CodeVerdict::Dead);
        let forever = StoredCode {
            expires_at: None,
            ..stored
        };
        assert_eq!(judge(&forever, &KEY, "tom", "ABC123", i64::MAX), CodeVerdict::Valid);
    }

    #[test]
    fn a_resend_replaces_the_code_of_the_scenario_asked_for_only() {
        let mut rng = StdRng::seed_from_u64(7);
        let plan = |pending, requested, otp_as_otp, rng: &mut StdRng| {
            plan_resend(
                pending,
                requested,
                otp_as_otp,
                &format(),
                &settings(true, false, false),
                3,
                &KEY,
                "tom",
                1_000,
                rng,
            )
        };
        assert_eq!(plan(SCENARIO_OTP, SCENARIO_EMAIL_LINK, true, &mut rng), None);
        assert_eq!(plan("SELF_SIGN_UP", "SELF_SIGN_UP", true, &mut rng), None);
        let link = plan(SCENARIO_EMAIL_LINK, SCENARIO_EMAIL_LINK, true, &mut rng).unwrap();
        assert_eq!(link.template, TEMPLATE_RESEND_LINK);
        assert_eq!(link.code.expose().len(), 36);
        assert_eq!(link.code_hash, hash_code(&KEY, "tom", link.code.expose()));
        assert_eq!((link.expires_at, link.attempts), (Some(1_000 + 600_000), 3));
        let otp = plan(SCENARIO_OTP, SCENARIO_OTP, true, &mut rng).unwrap();
        assert_eq!((otp.template, otp.code.expose().len()), (TEMPLATE_RESEND_OTP, 6));
        // Before IS 7.0 the resent OTP is a UUID (product-is#11792).
        let uuid = plan(SCENARIO_OTP, SCENARIO_OTP, false, &mut rng).unwrap();
        assert_eq!((uuid.template, uuid.code.expose().len()), (TEMPLATE_RESEND_OTP, 36));
    }
}
