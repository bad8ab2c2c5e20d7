//! Tests of the OAuth rules: generated values, callbacks, PKCE, scopes, the password grant's texts, key order.

use super::*;
use crate::domain::login::ErrorContext;
use crate::domain::profile::Wso2Version;

fn profile(v: Wso2Version) -> OAuthProfile {
    v.profile().oauth
}

#[test]
fn generated_values_have_wso2_s_shapes() {
    let mut rng = rand::rng();
    let id = client_id(&mut rng);
    assert_eq!(id.len(), 28);
    assert!(id.ends_with('a') && !id.contains(['/', '+', '=']), "{id}");
    assert_eq!(client_secret(&mut rng, 20).len(), 28);
    assert_eq!(client_secret(&mut rng, 32).len(), 44);
    let t = token_value(&mut rng);
    assert_eq!(t.len(), 36);
    assert_eq!(t.chars().nth(14), Some('3'), "{t}");
    assert!(matches!(t.chars().nth(19), Some('8' | '9' | 'a' | 'b')), "{t}");
    assert_ne!(token_value(&mut rng), t);
    let key = [1u8; 32];
    assert_eq!(
        secret_hash(&key, Hashed::Code, "x"),
        secret_hash(&key, Hashed::Code, "x")
    );
    assert_ne!(
        secret_hash(&key, Hashed::Code, "x"),
        secret_hash(&key, Hashed::AccessToken, "x")
    );
    assert_ne!(
        secret_hash(&key, Hashed::Code, "x"),
        secret_hash(&[2u8; 32], Hashed::Code, "x")
    );
}

#[test]
fn callbacks_match_exactly_or_as_a_whole_regexp() {
    let p = profile(Wso2Version::V5_11);
    assert!(callback_matches("https://app/cb", "https://app/cb", &p));
    assert!(!callback_matches("https://app/cb", "https://app/cb/", &p));
    assert!(!callback_matches("https://app/cb", "https://APP/cb", &p));
    // product-is OAuth2ServiceRegexCallbackUrlTestCase.
    let re = r"regexp=http:\/\/localhost:8490\/playground2\/oauth2client[\?]?((\w+)=(\w+)&?)+";
    assert!(callback_matches(
        re,
        "http://localhost:8490/playground2/oauth2client?param=value&param2=value2",
        &p
    ));
    assert!(!callback_matches(
        re,
        "http://localhost:8490/playground2/oauth2client",
        &p
    ));
    let two = dcr_callback(&["https://a/cb".into(), "https://b/cb".into()]);
    assert_eq!(two, "regexp=(https://a/cb|https://b/cb)");
    assert!(callback_matches(&two, "https://b/cb", &p));
    assert!(!callback_matches(&two, "https://b/cb?x", &p), "anchored at both ends");
    assert!(!callback_matches(&two, "https://evil/https://a/cb", &p));
    assert!(
        !callback_matches("regexp=(", "(", &p),
        "a broken pattern matches nothing"
    );
    // Unescaped dots match any character until 7.2.
    assert!(callback_matches("regexp=https://a.com/cb", "https://aXcom/cb", &p));
    assert!(!callback_matches(
        "regexp=https://a.com/cb",
        "https://aXcom/cb",
        &profile(Wso2Version::V7_2)
    ));
    // Loopback: any port from 6.0.
    let lo = "http://127.0.0.1:8000/cb";
    assert!(!callback_matches(lo, "http://127.0.0.1:9000/cb", &p));
    assert!(callback_matches(
        lo,
        "http://127.0.0.1:9000/cb",
        &profile(Wso2Version::V6_0)
    ));
    assert!(!callback_matches(
        lo,
        "http://127.0.0.1:9000/other",
        &profile(Wso2Version::V6_0)
    ));
    assert!(redirect_uri_is_valid("https://app.example/cb?x=1"));
    assert!(redirect_uri_is_valid("com.example.app:/cb"));
    assert!(!redirect_uri_is_valid("no scheme"));
    assert!(!redirect_uri_is_valid(""));
}

#[test]
fn pkce_is_checked_in_wso2_s_order() {
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let s256 = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    assert_eq!(
        check_challenge(Some(s256), Some("S256"), false, false),
        Ok(Some(PKCE_S256))
    );
    assert_eq!(check_challenge(None, None, false, false), Ok(None));
    assert_eq!(
        check_challenge(None, None, true, false),
        Err(text::PKCE_MANDATORY_CHALLENGE)
    );
    assert_eq!(
        check_challenge(Some(s256), Some("S512"), false, false),
        Err(text::PKCE_UNSUPPORTED_METHOD)
    );
    assert_eq!(
        check_challenge(Some(verifier), None, false, false),
        Err(text::PKCE_NO_PLAIN)
    );
    assert_eq!(
        check_challenge(Some(verifier), Some("plain"), false, false),
        Err(text::PKCE_NO_PLAIN)
    );
    assert_eq!(
        check_challenge(Some(verifier), Some("plain"), false, true),
        Ok(Some(PKCE_PLAIN))
    );
    assert_eq!(
        check_challenge(Some("short"), Some("S256"), false, false),
        Err(text::PKCE_CHALLENGE_SHAPE)
    );
    assert_eq!(check_verifier(Some((s256, PKCE_S256)), Some(verifier), false), Ok(()));
    assert_eq!(
        check_verifier(Some((s256, PKCE_S256)), None, false),
        Err(text::PKCE_EMPTY_VERIFIER)
    );
    let other = "x".repeat(43);
    assert_eq!(
        check_verifier(Some((s256, PKCE_S256)), Some(&other), false),
        Err(text::PKCE_FAILED)
    );
    assert_eq!(
        check_verifier(Some((s256, PKCE_S256)), Some("bad"), false),
        Err(text::PKCE_VERIFIER_SHAPE)
    );
    assert_eq!(
        check_verifier(Some((verifier, PKCE_PLAIN)), Some(verifier), false),
        Ok(())
    );
    assert_eq!(check_verifier(None, None, true), Err(text::PKCE_MANDATORY_VERIFIER));
    assert_eq!(
        check_verifier(None, Some(verifier), false),
        Ok(()),
        "a verifier without a challenge is ignored"
    );
}

#[test]
fn scopes_are_sorted_and_application_tokens_are_never_oidc() {
    assert_eq!(scope_string(&scopes("openid  email openid abc")), "abc email openid");
    assert_eq!(
        scope_string(&granted_scopes(GRANT_CLIENT_CREDENTIALS, "openid device_01")),
        "device_01"
    );
    assert_eq!(scope_string(&granted_scopes(GRANT_PASSWORD, "openid")), "openid");
}

#[test]
fn the_password_grant_words_refusals_as_each_release() {
    let locked = |reason| ErrorContext {
        code: "17003",
        reason,
        failed: 0,
        max: 0,
    };
    let say = |v: Wso2Version, d: Decision, reason: Option<&'static str>, show: bool| {
        password_grant_refusal(d, Some(&locked(reason)), "tom", &profile(v), show)
    };
    let wrong = Decision::Failed(Failure::WrongPassword);
    let lock = Decision::Failed(Failure::Locked);
    for v in Wso2Version::ALL {
        assert_eq!(say(v, wrong, None, false), "Authentication failed for tom");
    }
    assert_eq!(
        say(Wso2Version::V5_11, Decision::ResetOtpAccepted, None, false),
        "Error when handling event : PRE_AUTHENTICATION"
    );
    assert_eq!(
        say(Wso2Version::V7_1, Decision::ResetViaLink, None, false),
        "Authentication failed for tom"
    );
    assert_eq!(
        say(Wso2Version::V7_2, Decision::ResetOtpMismatch, None, true),
        "Error when handling event : PRE_AUTHENTICATION"
    );
    assert_eq!(
        say(Wso2Version::V5_9, lock, None, false),
        "17003 Account is locked for user tom in user store PRIMARY in tenant carbon.super. Cannot login until the \
         account is unlocked."
    );
    assert_eq!(
        say(Wso2Version::V6_0, lock, None, false),
        "17003 Account is locked for user: tom in user store: PRIMARY in tenant: carbon.super. Cannot login until \
         the account is unlocked."
    );
    assert_eq!(
        say(Wso2Version::V6_1, lock, Some("AdminInitiated"), false),
        "17003:AdminInitiated Error when handling event : POST_AUTHENTICATION"
    );
    assert_eq!(
        say(Wso2Version::V7_0, lock, Some("MaxAttemptsExceeded"), false),
        "17003:MaxAttemptsExceeded Error when handling event : POST_AUTHENTICATION"
    );
    assert_eq!(
        say(Wso2Version::V7_1, lock, Some("AdminInitiated"), false),
        "Authentication failed for tom"
    );
    assert_eq!(
        say(Wso2Version::V7_1, lock, Some("AdminInitiated"), true),
        "17003:AdminInitiated Account is locked by admin for user: tom in user store: PRIMARY in tenant: \
         carbon.super. Cannot login until the account is unlocked."
    );
    assert!(say(Wso2Version::V7_2, lock, Some("MaxAttemptsExceeded"), true).starts_with("17003 Account is locked"));
}

#[test]
fn json_members_come_in_java_hashmap_order() {
    let body = java_map_json(&[("error", "invalid_grant".into()), ("error_description", "x".into())]);
    assert_eq!(body, r#"{"error_description":"x","error":"invalid_grant"}"#);
    let token = java_map_json(&[
        ("access_token", "a".into()),
        ("refresh_token", "r".into()),
        ("token_type", "Bearer".into()),
        ("expires_in", 3600.into()),
        ("scope", "openid".into()),
        ("id_token", "i".into()),
    ]);
    assert_eq!(
        token,
        r#"{"access_token":"a","refresh_token":"r","scope":"openid","id_token":"i","token_type":"Bearer","expires_in":3600}"#
    );
}

#[test]
fn id_tokens_carry_the_release_s_claims_in_its_order() {
    let facts = IdTokenFacts {
        issuer: "https://localhost:9443/oauth2/token",
        subject: "tom",
        client_id: "C",
        issued_at_s: 1_700_000_000,
        lifetime_s: 3600,
        nonce: None,
        access_token: Some("at"),
        code: None,
        amr: "password",
        session: None,
        auth_time_s: None,
        jti: "j",
    };
    let json = java_map_json(&id_token_claims(&facts, &profile(Wso2Version::V5_11)));
    let keys: Vec<String> = serde_json::from_str::<serde_json::Map<String, Value>>(&json)
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert!(json.starts_with(r#"{"at_hash":"#), "{json}");
    assert_eq!(keys.len(), 9);
    assert!(
        json.contains(r#""amr":["password"]"#) && !json.contains("jti"),
        "{json}"
    );
    assert!(java_map_json(&id_token_claims(&facts, &profile(Wso2Version::V7_2))).contains(r#""jti":"j""#));
    assert_eq!(
        half_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
        "77QmUPtjPfzWtF2AnpK9RQ"
    );
    assert_eq!(origin_of("http://127.0.0.1:8000/cb?x"), "http://127.0.0.1:8000");
}

#[test]
fn the_password_grant_asks_about_expiry_only_where_the_release_fires_its_event() {
    use crate::domain::login::{Decision, Failure};
    use crate::domain::profile::oauth::GrantExpiry;
    let wrong = Decision::Failed(Failure::WrongPassword);
    for d in [
        Decision::Success,
        wrong,
        Decision::Failed(Failure::Locked),
        Decision::ResetOtpMismatch,
    ] {
        assert!(!password_grant_asks_expiry(GrantExpiry::NotAsked, d));
    }
    assert!(!password_grant_asks_expiry(
        GrantExpiry::AfterFailure,
        Decision::Success
    ));
    assert!(password_grant_asks_expiry(GrantExpiry::AfterFailure, wrong));
    assert!(password_grant_asks_expiry(GrantExpiry::Always, Decision::Success));
    assert!(password_grant_asks_expiry(GrantExpiry::Always, wrong));
    for d in [
        Decision::Failed(Failure::Locked),
        Decision::ResetViaLink,
        Decision::Failed(Failure::UnknownUser),
    ] {
        assert!(!password_grant_asks_expiry(GrantExpiry::Always, d));
    }
    assert_eq!(
        password_expired_refusal(),
        "Authentication Failed! Password has expired"
    );
}

#[test]
fn post_logout_uris_match_the_callback_exactly_or_its_whole_pattern() {
    let cb = "https://app.example/cb";
    assert!(post_logout_uri_matches(cb, cb));
    for uri in [
        "https://app.example/cb/",
        "https://app.example/cb?x=1",
        "https://evil.example/cb",
        "",
    ] {
        assert!(!post_logout_uri_matches(cb, uri), "{uri}");
    }
    assert!(!post_logout_uri_matches("", ""));
    let re = "regexp=(https://app.example/cb|https://app.example/out)";
    assert!(post_logout_uri_matches(re, "https://app.example/out"));
    assert!(!post_logout_uri_matches(re, "https://app.example/out.evil.example"));
    // No loopback-port leniency at logout.
    assert!(!post_logout_uri_matches(
        "http://127.0.0.1:9/cb",
        "http://127.0.0.1:10/cb"
    ));
}

#[test]
fn an_id_tokens_client_is_its_azp_else_its_first_audience() {
    assert_eq!(id_token_client(br#"{"azp":"a","aud":"b"}"#).as_deref(), Some("a"));
    assert_eq!(id_token_client(br#"{"azp":" ","aud":["b","c"]}"#).as_deref(), Some("b"));
    assert_eq!(id_token_client(br#"{"aud":"b"}"#).as_deref(), Some("b"));
    assert_eq!(id_token_client(br#"{"sub":"x"}"#), None);
    assert_eq!(id_token_client(b"not json"), None);
}
