//! The rules of OAuth2 and OpenID Connect as WSO2 applies them: the errors and their texts, generated client ids,
//! secrets, codes and tokens (CSPRNG, stored only as keyed hashes), redirect-URI matching (`regexp=` callbacks
//! included), PKCE, scopes, the password grant's answers per release, and the shape of ID tokens and JWT access
//! tokens (claims in the order WSO2's `HashMap`s write them). Pure: keys, randomness and `now` come in as
//! parameters. The signing key and JWS are in [`jose`].

pub mod jose;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::login::{Decision, ErrorContext, Failure, REASON_PARAM_ADMIN, REASON_PARAM_MAX_ATTEMPTS};
use super::profile::oauth::{GrantExpiry, LockText, OAuthProfile, ReasonText, ShowReason};
use super::{TENANT_DOMAIN, USER_STORE_DOMAIN};
use crate::util::{hex_lower, java_hashmap_order, random_uuid_shaped};

pub const GRANT_AUTHORIZATION_CODE: &str = "authorization_code";
pub const GRANT_PASSWORD: &str = "password";
pub const GRANT_CLIENT_CREDENTIALS: &str = "client_credentials";
pub const GRANT_REFRESH_TOKEN: &str = "refresh_token";
pub const GRANT_IMPLICIT: &str = "implicit";
/// The grants forcereset issues tokens for.
pub const GRANTS: [&str; 4] = [
    GRANT_AUTHORIZATION_CODE,
    GRANT_PASSWORD,
    GRANT_CLIENT_CREDENTIALS,
    GRANT_REFRESH_TOKEN,
];
pub const SCOPE_OPENID: &str = "openid";
pub const TOKEN_TYPE_BEARER: &str = "Bearer";
/// An application's token type (`token_type_extension`): opaque (WSO2's `Default`) or JWT.
pub const TOKEN_TYPE_DEFAULT: &str = "Default";
pub const TOKEN_TYPE_JWT: &str = "JWT";
/// The `typ` header of JWT access tokens from 6.0 (`JWTTokenIssuer.DEFAULT_TYP_HEADER_VALUE`, v6.8.0 on).
pub const JWT_ACCESS_TOKEN_TYP: &str = "at+jwt";
/// `aut` of introspection and JWT access tokens.
pub const AUT_USER: &str = "APPLICATION_USER";
pub const AUT_APPLICATION: &str = "APPLICATION";
/// WSO2's callback prefix for a regular expression (`OAuthConstants.CALLBACK_URL_REGEXP_PREFIX`).
pub const REGEXP_PREFIX: &str = "regexp=";

/// Default lifetimes (CIF `default.json` 5.9–5.11: `oauth.token_validation.*`, `oauth.oidc.token_validation.*`),
/// in seconds.
pub const CODE_LIFETIME_S: i64 = 300;
pub const ACCESS_LIFETIME_S: i64 = 3600;
pub const REFRESH_LIFETIME_S: i64 = 86_400;
pub const ID_TOKEN_LIFETIME_S: i64 = 3600;

/// The OAuth error codes forcereset answers with (RFC 6749, 6750, 7591, and WSO2's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    LoginRequired,
    /// `prompt=none` when the user would have to approve the application first.
    ConsentRequired,
    /// WSO2's `invalid_callback` (a redirect URI that does not match the registered one).
    InvalidCallback,
    InvalidToken,
    InsufficientScope,
    /// DCR (RFC 7591).
    InvalidClientMetadata,
    InvalidRedirectUri,
    ServerError,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::InvalidClient => "invalid_client",
            ErrorKind::InvalidGrant => "invalid_grant",
            ErrorKind::UnauthorizedClient => "unauthorized_client",
            ErrorKind::UnsupportedGrantType => "unsupported_grant_type",
            ErrorKind::UnsupportedResponseType => "unsupported_response_type",
            ErrorKind::InvalidScope => "invalid_scope",
            ErrorKind::AccessDenied => "access_denied",
            ErrorKind::LoginRequired => "login_required",
            ErrorKind::ConsentRequired => "consent_required",
            ErrorKind::InvalidCallback => "invalid_callback",
            ErrorKind::InvalidToken => "invalid_token",
            ErrorKind::InsufficientScope => "insufficient_scope",
            ErrorKind::InvalidClientMetadata => "invalid_client_metadata",
            ErrorKind::InvalidRedirectUri => "invalid_redirect_uri",
            ErrorKind::ServerError => "server_error",
        }
    }
}

/// An OAuth error: the code and WSO2's description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {description}", kind.as_str())]
pub struct OAuthError {
    pub kind: ErrorKind,
    pub description: String,
}

impl OAuthError {
    pub fn new(kind: ErrorKind, description: impl Into<String>) -> OAuthError {
        OAuthError {
            kind,
            description: description.into(),
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> OAuthError {
        OAuthError::new(ErrorKind::InvalidRequest, description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> OAuthError {
        OAuthError::new(ErrorKind::InvalidGrant, description)
    }

    pub fn invalid_client(description: impl Into<String>) -> OAuthError {
        OAuthError::new(ErrorKind::InvalidClient, description)
    }
}

/// WSO2's texts (OAUTH `OAuth2Service`, `AccessTokenIssuer`, the grant handlers, `OAuthClientAuthnService`).
pub mod text {
    pub const CLIENT_CREDENTIALS_INVALID: &str = "Client credentials are invalid.";
    pub const CLIENT_AUTHENTICATION_FAILED: &str = "Client Authentication failed.";
    pub const CLIENT_ID_NOT_FOUND: &str = "Client ID not found in the request.";
    pub const UNSUPPORTED_CLIENT_AUTHENTICATION: &str = "Unsupported Client Authentication Method!";
    pub const BOTH_AUTHENTICATIONS: &str = "Request body and headers contain authorization information";
    pub const REPEATED_PARAMETERS: &str = "Invalid request with repeated parameters.";
    pub const MALFORMED_PAYLOAD: &str = "Malformed or unsupported request payload";
    pub const GRANT_NOT_ALLOWED: &str =
        "The authenticated client is not authorized to use this authorization grant type";
    pub const CODE_INVALID: &str = "Invalid authorization code received from token request";
    pub const CODE_INACTIVE: &str = "Inactive authorization code received from token request";
    pub const CODE_EXPIRED: &str = "Expired or Revoked authorization code received from token request";
    pub const CALLBACK_MISMATCH: &str = "Callback url mismatch";
    pub const PKCE_EMPTY_VERIFIER: &str = "Empty PKCE code_verifier sent. This authorization code requires a PKCE \
                                           verification to obtain an access token.";
    pub const PKCE_MANDATORY_VERIFIER: &str =
        "No PKCE code verifier found.PKCE is mandatory for this oAuth 2.0 application.";
    pub const PKCE_VERIFIER_SHAPE: &str = "Code verifier used is not up to RFC 7636 specifications.";
    pub const PKCE_FAILED: &str = "PKCE validation failed";
    pub const PKCE_MANDATORY_CHALLENGE: &str = "PKCE is mandatory for this application. PKCE Challenge is not \
                                                provided or is not upto RFC 7636 specification.";
    pub const PKCE_UNSUPPORTED_METHOD: &str = "Unsupported PKCE Challenge Method";
    pub const PKCE_NO_PLAIN: &str = "This application does not support \"plain\" transformation algorithm.";
    pub const PKCE_CHALLENGE_SHAPE: &str = "Code challenge used is not up to RFC 7636 specifications.";
    pub const REFRESH_UNKNOWN: &str = "Persisted access token data not found";
    pub const REFRESH_STATE: &str = "Invalid refresh token state";
    pub const REFRESH_EXPIRED: &str = "Refresh token is expired.";
    pub const INVALID_CALLBACK: &str = "Registered callback does not match with the provided url.";
    pub const BLANK_CLIENT_ID: &str =
        "Invalid client_id. No OAuth application has been registered with the given client_id";
    pub const INVALID_AUTHZ_REQUEST: &str = "Invalid authorization request";
    pub const INVALID_PROMPT: &str = "Invalid prompt variables passed with the authorization request";
    pub const PROMPT_NONE_NO_SESSION: &str = "Request with 'prompt=none' but user session does not exist";
    pub const CONSENT_DENIED: &str = "User denied the consent";
    /// `prompt=none` with consent asked for and no "approve always" (OAUTH `AuthzUtil.handlePromptNone`,
    /// `OAuth2ErrorCodes.CONSENT_REQUIRED`, the same text from v6.4.111 to v7.0.385).
    pub const CONSENT_REQUIRED: &str = "Required consent not found";
    pub const BEARER_MISSING: &str = "Bearer token missing";
    pub const TOKEN_VALIDATION_FAILED: &str = "Access token validation failed";
    pub const NO_OPENID_SCOPE: &str = "Access token does not have the openid scope";
    pub const INVALID_REVOCATION: &str = "Invalid revocation request";
    pub const PRE_AUTHENTICATION: &str = "Error when handling event : PRE_AUTHENTICATION";
    pub const POST_AUTHENTICATION: &str = "Error when handling event : POST_AUTHENTICATION";
    // `/oidc/logout` (OIDCSESSION `servlet/OIDCLogoutServlet.java`, the same at every tag v6.2.28–v7.0.385).
    /// `OPBS_COOKIE_ID + " cookie not received. Missing session state."`
    pub const LOGOUT_NO_COOKIE: &str = "opbs cookie not received. Missing session state.";
    pub const LOGOUT_NO_SESSION: &str = "No valid session found for the received session state.";
    pub const LOGOUT_DENIED: &str = "End User denied the logout request";
    pub const ID_TOKEN_SIGNATURE: &str = "ID token signature validation failed.";
    pub const LOGOUT_CLIENT_NOT_FOUND: &str =
        "Error occurred while getting application information. Client id not found.";
    pub const POST_LOGOUT_MISMATCH: &str = "Post logout URI does not match with registered callback URI.";
    pub const LOGOUT_FAILED: &str = "User logout failed";
}

/// "A valid OAuth client could not be found for client_id: <id>", the id HTML-encoded as WSO2 does
/// (`Encode.forHtml`).
pub fn unknown_client_text(client_id: &str) -> String {
    let mut safe = String::with_capacity(client_id.len());
    for c in client_id.chars() {
        match c {
            '&' => safe.push_str("&amp;"),
            '<' => safe.push_str("&lt;"),
            '>' => safe.push_str("&gt;"),
            '"' => safe.push_str("&#34;"),
            '\'' => safe.push_str("&#39;"),
            c => safe.push(c),
        }
    }
    format!("A valid OAuth client could not be found for client_id: {safe}")
}

/// "Unsupported grant type : <g>, is used." (`AccessTokenIssuer`).
pub fn unsupported_grant_text(grant: &str) -> String {
    format!("Unsupported grant type : {grant}, is used.")
}

// ---- generated values ----

/// A client id as WSO2 makes them (`OAuthUtil.getRandomNumber`): 28 characters of base64 of 20 random bytes (an
/// HMAC-SHA1's size), `/` → `_`, `=` → `a`, `+` → `f`, so always ending in `a`.
pub fn client_id(rng: &mut impl RngCore) -> String {
    random_wso2_base64(rng, 20)
}

/// A client secret: the same alphabet over the release's `secret_bytes` (28 or 44 characters).
pub fn client_secret(rng: &mut impl RngCore, bytes: usize) -> String {
    random_wso2_base64(rng, bytes)
}

fn random_wso2_base64(rng: &mut impl RngCore, len: usize) -> String {
    let mut raw = vec![0u8; len];
    rng.fill_bytes(&mut raw);
    STANDARD
        .encode(raw)
        .replace('/', "_")
        .replace('=', "a")
        .replace('+', "f")
}

/// An authorization code, access token or refresh token: 122 random bits in the shape of Oltu's
/// `UUIDValueGenerator` (a name-based, version-3 UUID: 36 lower-case characters, the third group starting with 3).
pub fn token_value(rng: &mut impl RngCore) -> String {
    random_uuid_shaped(rng, 3)
}

/// What a stored hash is of: a hash of one kind can never stand for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hashed {
    ClientSecret,
    Code,
    AccessToken,
    RefreshToken,
}

impl Hashed {
    fn label(self) -> &'static [u8] {
        match self {
            Hashed::ClientSecret => b"oauth client secret",
            Hashed::Code => b"oauth authorization code",
            Hashed::AccessToken => b"oauth access token",
            Hashed::RefreshToken => b"oauth refresh token",
        }
    }
}

/// The stored form of a secret: HMAC-SHA256 under the installation's key, labelled with what it is. Every secret
/// here is CSPRNG output (or a client's chosen secret, which the key keeps a copied database from testing), so a
/// fast keyed hash suffices and lookups by it are exact.
pub fn secret_hash(key: &[u8; 32], what: Hashed, value: &str) -> Vec<u8> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    mac.update(what.label());
    mac.update(&[0]);
    mac.update(value.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

// ---- redirect URIs ----

/// The callback DCR stores for `redirect_uris` (DCRSVC `DCRMService.createRegexPattern`): none → "", one → itself,
/// several → `regexp=(u1|u2|…)`, unescaped.
pub fn dcr_callback(uris: &[String]) -> String {
    match uris {
        [] => String::new(),
        [one] => one.clone(),
        many => format!("{REGEXP_PREFIX}({})", many.join("|")),
    }
}

/// Is a redirect URI DCR accepts: non-blank and parseable as a URI (`DCRMUtils.isRedirectionUriValid`: `new
/// java.net.URI(uri)`), approximated: a scheme, and no spaces or control characters.
pub fn redirect_uri_is_valid(uri: &str) -> bool {
    let Some((scheme, _)) = uri.split_once(':') else {
        return false;
    };
    !scheme.is_empty()
        && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !uri
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`".contains(c))
}

/// The most characters of a regular expression compiled from a registered callback.
const MAX_CALLBACK_REGEX: usize = 4096;

/// Does `requested` match the registered callback? A `regexp=` callback must match the whole URI (Java
/// `String.matches`); any other must equal it exactly. From 6.0 a loopback URI (`127.0.0.1`, `[::1]`) matches on
/// any port; in 7.2 `.`, `+` and `?` before a letter or digit in a `regexp=` stand for themselves.
pub fn callback_matches(registered: &str, requested: &str, profile: &OAuthProfile) -> bool {
    let (registered, requested) = if profile.loopback_any_port && is_loopback(requested) {
        (strip_port(registered), strip_port(requested))
    } else {
        (registered.to_string(), requested.to_string())
    };
    match registered.strip_prefix(REGEXP_PREFIX) {
        Some(pattern) => {
            let pattern = if profile.callback_literal_characters {
                escape_literal_characters(pattern)
            } else {
                pattern.to_string()
            };
            if pattern.len() > MAX_CALLBACK_REGEX {
                return false;
            }
            regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
                .size_limit(1 << 20)
                .build()
                .is_ok_and(|re| re.is_match(&requested))
        }
        None => registered == requested,
    }
}

/// Does `uri` match the registered callback as `/oidc/logout` checks a `post_logout_redirect_uri`
/// (`OIDCLogoutServlet.validatePostLogoutUri`): the whole URI against a `regexp=` pattern, else equal to the
/// callback; no loopback-port leniency.
pub fn post_logout_uri_matches(registered: &str, uri: &str) -> bool {
    match registered.strip_prefix(REGEXP_PREFIX) {
        Some(pattern) if pattern.len() <= MAX_CALLBACK_REGEX => regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .size_limit(1 << 20)
            .build()
            .is_ok_and(|re| re.is_match(uri)),
        Some(_) => false,
        None => !registered.is_empty() && registered == uri,
    }
}

/// The client an ID token names (`OIDCLogoutServlet.extractClientFromIdToken`): `azp`, else the first `aud`.
pub fn id_token_client(payload: &[u8]) -> Option<String> {
    let claims: Value = serde_json::from_slice(payload).ok()?;
    let azp = claims
        .get("azp")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty());
    let aud = match claims.get("aud") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Array(a)) => a.first().and_then(Value::as_str),
        _ => None,
    };
    azp.or(aud).map(str::to_string)
}

/// `OAuthConstants.LOOPBACK_IP_REGEX`: `(.*127\.0\.0\.1.*|.*\[::1].*)`.
fn is_loopback(uri: &str) -> bool {
    uri.contains("127.0.0.1") || uri.contains("[::1]")
}

/// A loopback URI without its port (`OAuth2Util.removePortFromURI`-like: the `:digits` after the host).
fn strip_port(uri: &str) -> String {
    for host in ["127.0.0.1:", "[::1]:"] {
        if let Some(at) = uri.find(host) {
            let after = at + host.len();
            let digits = uri[after..].chars().take_while(char::is_ascii_digit).count();
            if digits > 0 {
                return format!("{}{}", &uri[..after - 1], &uri[after + digits..]);
            }
        }
    }
    uri.to_string()
}

/// 7.2's literal characters: `.`, `+`, `?` followed by a letter or digit and not already escaped become `\.` etc.
fn escape_literal_characters(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    for (i, c) in chars.iter().enumerate() {
        let next_is_word = chars.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric());
        let escaped = i > 0 && chars[i - 1] == '\\';
        if matches!(c, '.' | '+' | '?') && next_is_word && !escaped {
            out.push('\\');
        }
        out.push(*c);
    }
    out
}

// ---- PKCE (RFC 7636 as OAUTH `OAuth2Util.validatePKCE*` checks it) ----

pub const PKCE_S256: &str = "S256";
pub const PKCE_PLAIN: &str = "plain";

/// 43–128 characters of `[A-Za-z0-9-._~]`: the shape of a verifier, and of a plain challenge.
fn rfc7636_shaped(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// An S256 challenge: 43 characters of base64url (a SHA-256 digest).
fn s256_shaped(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// The authorize endpoint's PKCE checks, in WSO2's order (`OAuth2AuthzEndpoint.validatePKCEParameters`): the error
/// text for `invalid_request`, or the method the code remembers.
pub fn check_challenge(
    challenge: Option<&str>,
    method: Option<&str>,
    mandatory: bool,
    plain_allowed: bool,
) -> Result<Option<&'static str>, &'static str> {
    let challenge = challenge.filter(|c| !c.is_empty());
    let method = method.filter(|m| !m.is_empty());
    let shaped = |c: &str, m: Option<&str>| match m {
        Some(PKCE_S256) => s256_shaped(c),
        _ => rfc7636_shaped(c),
    };
    if mandatory && challenge.is_none_or(|c| !shaped(c, method)) {
        return Err(text::PKCE_MANDATORY_CHALLENGE);
    }
    let Some(challenge) = challenge else {
        return Ok(None);
    };
    let method = match method {
        None | Some(PKCE_PLAIN) => PKCE_PLAIN,
        Some(PKCE_S256) => PKCE_S256,
        Some(_) => return Err(text::PKCE_UNSUPPORTED_METHOD),
    };
    if method == PKCE_PLAIN && !plain_allowed {
        return Err(text::PKCE_NO_PLAIN);
    }
    if !shaped(challenge, Some(method)) {
        return Err(text::PKCE_CHALLENGE_SHAPE);
    }
    Ok(Some(method))
}

/// The token endpoint's PKCE check for a code: the `invalid_grant` text, or Ok.
pub fn check_verifier(
    challenge: Option<(&str, &str)>,
    verifier: Option<&str>,
    mandatory: bool,
) -> Result<(), &'static str> {
    let verifier = verifier.filter(|v| !v.is_empty());
    let Some((challenge, method)) = challenge else {
        return if mandatory && verifier.is_none() {
            Err(text::PKCE_MANDATORY_VERIFIER)
        } else {
            Ok(())
        };
    };
    let Some(verifier) = verifier else {
        return Err(text::PKCE_EMPTY_VERIFIER);
    };
    if !rfc7636_shaped(verifier) {
        return Err(text::PKCE_VERIFIER_SHAPE);
    }
    let derived = match method {
        PKCE_S256 => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        _ => verifier.to_string(),
    };
    if bool::from(subtle::ConstantTimeEq::ct_eq(derived.as_bytes(), challenge.as_bytes())) {
        Ok(())
    } else {
        Err(text::PKCE_FAILED)
    }
}

// ---- scopes ----

/// A space-separated scope as WSO2 grants it (`OAuth2Util.buildScopeString`): distinct, sorted.
pub fn scopes(scope: &str) -> Vec<String> {
    let mut out: Vec<String> = scope.split_whitespace().map(str::to_string).collect();
    out.sort();
    out.dedup();
    out
}

pub fn scope_string(scopes: &[String]) -> String {
    scopes.join(" ")
}

/// The scopes a grant gets: as asked, except that an application token is never an OIDC one (client credentials
/// drop `openid`; product-is v7.2.0 `OAuth2ServiceClientCredentialTestCase`).
pub fn granted_scopes(grant: &str, asked: &str) -> Vec<String> {
    let mut out = scopes(asked);
    if grant == GRANT_CLIENT_CREDENTIALS {
        out.retain(|s| s != SCOPE_OPENID);
    }
    out
}

// ---- the password grant's answers ----

/// The `invalid_grant` description the password grant answers a refused login with, per release
/// (`PasswordGrantHandler.validateUserCredentials`, `AccountLockHandler`, `IdentityMgtEventListener`). `user` is the
/// user name as sent, without the super tenant's `@carbon.super`. `show` is the release's show-reason setting.
/// Does the password grant ask whether the password has expired after this login (see [`GrantExpiry`])? Only a
/// login the user store answered: a pending reset or a lock throws before WSO2's event is fired.
pub fn password_grant_asks_expiry(expiry: GrantExpiry, decision: Decision) -> bool {
    match (expiry, decision) {
        (GrantExpiry::NotAsked, _) => false,
        (GrantExpiry::AfterFailure, d) => d == Decision::Failed(Failure::WrongPassword),
        (GrantExpiry::Always, d) => matches!(d, Decision::Success | Decision::Failed(Failure::WrongPassword)),
    }
}

/// The password grant's answer to an expired password (PasswordGrantHandler's "Authentication Failed! " and GOV's
/// `ERROR_PASSWORD_EXPIRED` message).
pub fn password_expired_refusal() -> String {
    format!("Authentication Failed! {}", super::expiry::PASSWORD_EXPIRED)
}

pub fn password_grant_refusal(
    decision: Decision,
    context: Option<&ErrorContext>,
    user: &str,
    profile: &OAuthProfile,
    show: bool,
) -> String {
    let generic = format!("Authentication failed for {user}");
    let pg = profile.password_grant;
    let passed = match pg.show_reason {
        ShowReason::Always => true,
        ShowReason::BasicAuthenticator | ShowReason::PasswordGrant => show,
    };
    match decision {
        Decision::Success | Decision::Failed(Failure::UnknownUser | Failure::WrongPassword) => generic,
        // The forced-reset handler throws without a code: identity-governance's wrapper text goes through.
        Decision::ResetViaLink
        | Decision::ResetOtpAccepted
        | Decision::ResetOtpMismatch
        | Decision::Failed(Failure::ResetCodeExpired) => {
            if passed {
                text::PRE_AUTHENTICATION.to_string()
            } else {
                generic
            }
        }
        Decision::Failed(Failure::Locked) if !passed => generic,
        Decision::Failed(Failure::Locked) => {
            let reason = context.and_then(|c| c.reason);
            let admin = reason == Some(REASON_PARAM_ADMIN);
            let (message, code) = match pg.lock_text {
                LockText::Spaces => (
                    format!(
                        "Account is locked for user {user} in user store {USER_STORE_DOMAIN} in tenant {TENANT_DOMAIN}. \
                         Cannot login until the account is unlocked."
                    ),
                    "17003".to_string(),
                ),
                LockText::Colons | LockText::ColonsWithMaxAttemptsCode => {
                    let by = if admin { "locked by admin" } else { "locked" };
                    let code = match reason {
                        Some(REASON_PARAM_ADMIN) => format!("17003:{REASON_PARAM_ADMIN}"),
                        Some(REASON_PARAM_MAX_ATTEMPTS) if pg.lock_text == LockText::ColonsWithMaxAttemptsCode => {
                            format!("17003:{REASON_PARAM_MAX_ATTEMPTS}")
                        }
                        _ => "17003".to_string(),
                    };
                    (
                        format!(
                            "Account is {by} for user: {user} in user store: {USER_STORE_DOMAIN} in tenant: \
                             {TENANT_DOMAIN}. Cannot login until the account is unlocked."
                        ),
                        code,
                    )
                }
            };
            // identity-governance passes the lock's own text on only for the plain code 17003.
            match pg.reason_text {
                ReasonText::CodeAndOuterMessage if code != "17003" => format!("{code} {}", text::POST_AUTHENTICATION),
                ReasonText::CodeAndOuterMessage | ReasonText::CodeAndCauseMessage => format!("{code} {message}"),
            }
        }
    }
}

// ---- JSON in WSO2's key order ----

/// A JSON object with its members in the order a `java.util.HashMap` filled with them in turn iterates: how Oltu
/// writes token and error bodies and nimbus writes JWT headers and claims.
pub fn java_map_json(members: &[(&str, Value)]) -> String {
    let keys: Vec<&str> = members.iter().map(|(k, _)| *k).collect();
    let mut out = String::from("{");
    for (n, i) in java_hashmap_order(&keys).into_iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let (key, value) = &members[i];
        out.push_str(&Value::String((*key).to_string()).to_string());
        out.push(':');
        out.push_str(&value.to_string());
    }
    out.push('}');
    out
}

/// `at_hash` / `c_hash`: base64url of the left half of SHA-256 of the value (`OpenIDConnectSystemClaimImpl`).
pub fn half_hash(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// The OIDC `session_state` (`DefaultOIDCSessionStateManager`): hex SHA-256 of `client_id origin opbs salt`, `.`,
/// the salt (16 random bytes, base64url).
pub fn session_state(client_id: &str, redirect_uri: &str, opbs: &str, rng: &mut impl RngCore) -> String {
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    let salt = URL_SAFE_NO_PAD.encode(salt);
    let origin = origin_of(redirect_uri);
    let digest = Sha256::digest(format!("{client_id} {origin} {opbs} {salt}").as_bytes());
    format!("{}.{salt}", hex_lower(&digest))
}

/// `scheme://host[:port]` of a URL (the whole string when it has no authority).
pub fn origin_of(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    format!("{scheme}://{authority}")
}

/// What an ID token says, before shaping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenFacts<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
    pub client_id: &'a str,
    pub issued_at_s: i64,
    pub lifetime_s: i64,
    pub nonce: Option<&'a str>,
    pub access_token: Option<&'a str>,
    pub code: Option<&'a str>,
    /// `amr`: the authenticators of a browser login, else the grant type.
    pub amr: &'a str,
    /// The browser session (code flow): `sid` and, from 6.0, `isk`.
    pub session: Option<&'a str>,
    pub auth_time_s: Option<i64>,
    pub jti: &'a str,
}

/// An ID token's claims as the release's `DefaultIDTokenBuilder` and claim providers put them (id-token.md §2);
/// [`java_map_json`] orders them.
pub fn id_token_claims(facts: &IdTokenFacts<'_>, profile: &OAuthProfile) -> Vec<(&'static str, Value)> {
    let mut claims = registered_claims(
        facts.issuer,
        facts.subject,
        facts.client_id,
        facts.issued_at_s,
        facts.lifetime_s,
    );
    claims.push(("amr", Value::Array(vec![facts.amr.into()])));
    if let Some(at) = facts.access_token {
        claims.push(("at_hash", half_hash(at).into()));
    }
    if let Some(code) = facts.code {
        claims.push(("c_hash", half_hash(code).into()));
    }
    if let Some(nonce) = facts.nonce {
        claims.push(("nonce", nonce.into()));
    }
    if let Some(t) = facts.auth_time_s {
        claims.push(("auth_time", t.into()));
    }
    if let Some(session) = facts.session {
        claims.push(("sid", session.into()));
        if profile.id_token_isk {
            claims.push(("isk", session.into()));
        }
    }
    if profile.id_token_jti {
        claims.push(("jti", facts.jti.into()));
    }
    claims
}

/// The claims every token WSO2 signs starts with: who issued it, for whom, to which client, when.
fn registered_claims(
    issuer: &str,
    subject: &str,
    client_id: &str,
    issued_at_s: i64,
    lifetime_s: i64,
) -> Vec<(&'static str, Value)> {
    vec![
        ("iss", issuer.into()),
        ("sub", subject.into()),
        ("aud", client_id.into()),
        ("azp", client_id.into()),
        ("iat", issued_at_s.into()),
        ("nbf", issued_at_s.into()),
        ("exp", issued_at_s.saturating_add(lifetime_s).into()),
    ]
}

/// What a JWT access token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenFacts<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
    pub client_id: &'a str,
    pub scope: &'a str,
    pub issued_at_s: i64,
    pub lifetime_s: i64,
    pub jti: &'a str,
    pub application: bool,
}

/// A JWT access token's claims per release (`JWTTokenIssuer`, id-token.md §5).
pub fn access_token_claims(facts: &AccessTokenFacts<'_>, profile: &OAuthProfile) -> Vec<(&'static str, Value)> {
    let mut claims = registered_claims(
        facts.issuer,
        facts.subject,
        facts.client_id,
        facts.issued_at_s,
        facts.lifetime_s,
    );
    claims.push(("jti", facts.jti.into()));
    if !facts.scope.is_empty() {
        claims.push(("scope", facts.scope.into()));
    }
    if profile.jwt_aut {
        let aut = if facts.application { AUT_APPLICATION } else { AUT_USER };
        claims.push(("aut", aut.into()));
    }
    if profile.jwt_client_id {
        claims.push(("client_id", facts.client_id.into()));
    }
    claims
}

#[cfg(test)]
mod tests;
