//! OAuth2 and OpenID Connect across releases (wso2-extensions/identity-inbound-auth-oauth, OAUTH): Dynamic Client
//! Registration, redirect-URI matching, the token endpoint's texts, the password grant's answers, the signing
//! key's ids and the shape of ID tokens, JWKS and discovery.
//!
//! OAUTH version per release (product-is `pom.xml`, `identity.inbound.auth.oauth.version`): 5.9 v6.2.28, 5.10
//! v6.4.2, 5.11 v6.4.111, 6.0 v6.8.0, 6.1 v6.11.21, 7.0 v7.0.26, 7.1 v7.0.259, 7.2 v7.0.385. Paths below are under
//! `components/org.wso2.carbon.identity.oauth/src/main/java/org/wso2/carbon/identity/` (CORE), `….oauth.endpoint/…`
//! (EP), `….oauth.dcr/…` (DCRSVC) unless said otherwise.

use super::Wso2Version;

/// The JSON body DCR answers with (`ApplicationDTO` and its serializer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DcrResponse {
    /// 5.9 (v6.2.28): the service bean `Application`: `client_name, client_id, client_secret, redirect_uris`.
    Bean,
    /// 5.10 (v6.4.2): `ApplicationDTO` without the grant types copied: `"client_secret_expires_at":null`,
    /// `"grant_types":[]`.
    DtoWithoutGrants,
    /// 5.11 (v6.4.111): the grant types copied, `client_secret_expires_at` still null (product-is#11025 capture).
    Dto,
    /// 6.0, 6.1 (v6.8.0, v6.11.21): `client_secret_expires_at: 0` (OAUTH `26e87263ce`).
    DtoExpiresZero,
    /// 7.0, 7.1 (v7.0.26, v7.0.259): the `ext_*` and OIDC fields, unset ones written as `null`.
    Extended,
    /// 7.2 (v7.0.385): the same without the null fields (`RegisterApiServiceImpl.buildResponseWithOptionalNullExclusion`,
    /// `OAuth.DCRM.ReturnNullFieldsInResponse` unset).
    ExtendedNonNull,
}

/// What DCR does with a JSON field it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownField {
    /// 5.9–5.11: Jackson's `JsonMappingExceptionMapper`, a 400 with a plain-text body (exact body UNCONFIRMED).
    PlainText,
    /// 6.0–7.0: 400 `{"error":"invalid_client_metadata","error_description":"Unrecognized field : <name>"}`
    /// (DCR6 `exmapper/JsonProcessingExceptionMapper.java`, `e75cf4bfa1`).
    Json,
    /// 7.1+: accepted (`RegistrationRequestDTO.setAdditionalAttributes`, `@JsonAnySetter`).
    Accepted,
}

/// What DCR answers a request without `client_name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingName {
    /// 5.9–6.1: `isRegexValidated(null)` throws: a bare 500 (inferred from DCRSVC `DCRMService`).
    ServerError,
    /// 7.0+: 400 "The client name is missing or empty." (`DCRMConstants.ErrorMessages.MISSING_CLIENT_NAME`).
    Refused,
}

/// The token endpoint's text for a client id it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownClient {
    /// 5.9–6.1: "A valid OAuth client could not be found for client_id: <id>" (`EndpointUtil.validateOauthApplication`,
    /// inferred).
    NamesTheId,
    /// 7.0+: "Client credentials are invalid." (`OAuthClientAuthnService.executeClientAuthenticators`, `2de86edd1b`;
    /// product-is v7.2.0 `OAuth2ServiceClientCredentialTestCase` asserts it).
    CredentialsInvalid,
}

/// When the password grant passes a user store's reason on (`PasswordGrantHandler.validateUserCredentials`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowReason {
    /// 5.9–7.0: always.
    Always,
    /// 7.1 (v7.0.259, OAUTH `4810b2da4d`): only with `[authentication.authenticator.basic.parameters]
    /// showAuthFailureReason`; otherwise "Authentication failed for <user>".
    BasicAuthenticator,
    /// 7.2 (v7.0.385, OAUTH `ea7a1a6842`): only with `[oauth.grant_type.password] show_auth_failure_reason`.
    PasswordGrant,
}

/// The account lock's message and the code its exception carries (identity-event-handler-account-lock,
/// `AccountLockHandler.handlePostAuthentication`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockText {
    /// v1.3.3–v1.4.11 (IS 5.9–5.11): "Account is locked for user <u> in user store <d> in tenant <t>. Cannot login
    /// until the account is unlocked.", code 17003 whatever the reason.
    Spaces,
    /// v1.6.1–v1.8.6 (IS 6.0, 6.1): "Account is locked for user: <u> in user store: <d> in tenant: <t>. …", "…locked
    /// by admin for user: …" with code `17003:AdminInitiated` for an admin's lock.
    Colons,
    /// v1.9.2 (IS 7.0): as `Colons`, and a failed-attempts lock carries `17003:MaxAttemptsExceeded`.
    ColonsWithMaxAttemptsCode,
}

/// How the password grant words a user store exception with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonText {
    /// 5.9–7.0: `<code> <UserStoreException message>`: the lock's own text when identity-governance passes the
    /// code `17003` through, else "Error when handling event : POST_AUTHENTICATION" (GOV
    /// `IdentityMgtEventListener.handleEvent`).
    CodeAndOuterMessage,
    /// 7.1+ (v7.0.259 on): `<code> <cause message>`: always the lock's own text.
    CodeAndCauseMessage,
}

/// When the password grant asks identity-governance whether the password has expired: CORE
/// `oauth2/token/handlers/grant/PasswordGrantHandler.java` fires `PASSWORD_GRANT_POST_AUTHENTICATION` with
/// `AUTHENTICATION_STATUS` true (`triggerPasswordExpiryValidationEvent`), GOV `password/expiry/PasswordChangeHandler
/// .handlePasswordExpiryInPasswordGrantType` (v1.9.6, v1.11.48, v1.11.145) throws `ERROR_PASSWORD_EXPIRED` ("80009",
/// "Password has expired") when the connector is on and the password has expired, and the grant answers
/// `invalid_grant` "Authentication Failed! Password has expired" (the exception's message, without its code, and
/// not subject to `show_auth_failure_reason`: it is thrown outside the handler's user-store catch blocks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantExpiry {
    /// 5.9–6.1 (v6.2.28–v6.11.21): no event (added by `b1b7032156`, first tag v6.11.28); PWP's enforcer is a browser
    /// authenticator, so an expired password still gets tokens.
    NotAsked,
    /// 7.0 (v7.0.26, `authenticateUserAtUserStore` after `e40c8fcffe`): the event fires only when the user store did
    /// *not* authenticate the user, still saying "authenticated": a correct expired password gets tokens, a wrong
    /// one for a user whose password has expired gets "Password has expired".
    AfterFailure,
    /// 7.1, 7.2 (v7.0.259, v7.0.385; `a8e87fe143` "Fix the issue of password expiry event trigger", first tag
    /// v7.0.221): the event fires before the result is looked at, so an expired password is refused whether the
    /// password given was right or wrong.
    Always,
}

/// What the password grant answers a user the login refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordGrantProfile {
    pub show_reason: ShowReason,
    pub lock_text: LockText,
    pub reason_text: ReasonText,
    pub expiry: GrantExpiry,
}

/// The digest of WSO2's key id and thumbprints (`OAuth2Util.getThumbPrint`): base64url of the lower-case hex of
/// the certificate's digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KidDigest {
    /// 5.9 (v6.2.28).
    Sha1,
    /// 5.10 on (`a5596b53cd`, v6.4.2).
    Sha256,
}

/// The `x5t` header of signed tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum X5t {
    /// To 7.0: base64url of the hex thumbprint string (the kid without `_RS256`).
    HexThumbprint,
    /// 7.1 on (`c33953d005`, v7.0.31+): the standard base64url of SHA-1 of the certificate.
    Sha1,
}

/// The certificate members of the JWKS key (`JwksEndpoint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwksCert {
    /// 5.9–5.11: none.
    None,
    /// 6.0 (v6.8.0): `x5c` and `x5t#S256` = base64url of the base64url-of-hex thumbprint (double encoded, as the code
    /// reads).
    DoubleEncoded,
    /// 6.1, 7.0 (v6.11.21, v7.0.26): `x5c` and `x5t#S256` = base64url(SHA-256(certificate)).
    Standard,
    /// 7.1, 7.2: `x5t#S256` only; `x5c` needs `JWKSEndpoint.EnableX5CInResponse` (default UNCONFIRMED, taken as
    /// off).
    ThumbprintOnly,
}

/// What `sub` says of a user (ID tokens, JWT access tokens, userinfo): `AccessTokenIssuer.getDefaultSubject`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// 5.9–5.11 (v6.2.28–v6.4.111): the user name (no other default).
    UserName,
    /// 6.0 on (v6.8.0+): the user id when the application has `useUserIdForDefaultSubject=true`, which CIF's
    /// `ApplicationManagementServiceImpl.addUserIdAsDefaultSubject` sets on every application it creates (DCR's
    /// included); forcereset's applications are all created in the release in force. The CIF tag that first
    /// carries `addUserIdAsDefaultSubject` is UNCONFIRMED (taken as 6.0's, where OAUTH starts reading it).
    UserId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthProfile {
    pub dcr_response: DcrResponse,
    pub dcr_unknown_field: UnknownField,
    pub dcr_missing_name: MissingName,
    /// `service_provider.sp_name_regex`: 5.9 (CIF 5.14.97) `^[a-zA-Z0-9._-]*$`; 5.10 on (CIF 5.17.5, 5.18.187,
    /// DIST62) spaces between words too.
    pub client_name_regex: &'static str,
    /// Random bytes of a generated client secret: 20 (28 characters, HMAC-SHA1 size) to 6.1; 32 (44 characters) in
    /// 7.x (`OAuthUtil.getRandomNumberSecure`, `dcf65b61f0`, with `EnableSHA256Params` on).
    pub secret_bytes: usize,
    /// A loopback redirect URI (`127.0.0.1`, `[::1]`) matches on any port (`b06ca9636a`, v6.7.171: IS 6.0 on).
    pub loopback_any_port: bool,
    /// `.`, `+` and `?` before a letter or digit in a `regexp=` callback match only themselves
    /// (`AbstractResponseTypeRequestValidator.validateCallbackURI`, `85603b7631`, v7.0.371: IS 7.2).
    pub callback_literal_characters: bool,
    pub unknown_client: UnknownClient,
    pub password_grant: PasswordGrantProfile,
    pub kid_digest: KidDigest,
    /// 5.9's JWKS also lists the key under its old id, the thumbprint alone, first (`createKeysetUsingOldKeyID`).
    pub jwks_old_kid: bool,
    pub jwks_cert: JwksCert,
    pub x5t: X5t,
    /// ID tokens carry `isk`, the IdP session key (v6.8.0 `IDP_SESSION_KEY`: IS 6.0 on).
    pub id_token_isk: bool,
    /// ID tokens carry a `jti` (`1a93992f8c`, v6.11.21: IS 6.1 on).
    pub id_token_jti: bool,
    /// JWT access tokens: header `typ` `at+jwt` (v6.8.0 on).
    pub jwt_typ_at_jwt: bool,
    /// JWT access tokens carry `aut` (v6.4.2 on).
    pub jwt_aut: bool,
    /// JWT access tokens carry `client_id` (v6.8.0 on).
    pub jwt_client_id: bool,
    /// A revocation that revoked something answers with `RevokedAccessToken`, `RevokedRefreshToken` and
    /// `AuthorizedUser` headers (`isRevokeResponseHeadersEnabled`, Java default true, not set in 5.x or DIST62
    /// identity.xml; the recent CORE-JSON's `revoked_token_headers_in_response.enable: false` taken for 7.x,
    /// UNCONFIRMED at tag).
    pub revoke_headers: bool,
    /// `/oidc/logout` reads a `client_id` parameter, naming the client when there is no `id_token_hint`
    /// (OIDCSESSION `OIDCLogoutServlet.processLogoutRequest`: absent at v6.11.21, read at v7.0.26).
    pub logout_client_id: bool,
    pub subject: Subject,
    /// The OAuth client a request names is looked up in the request's tenant: the URL's `/t/{domain}/`, else
    /// carbon.super, so a tenant's client on the root `/oauth2/token` is `invalid_client` (v7.0.26 on: OAUTH
    /// `OAuthAppDAO.getAppInformation(consumerKey)` → `getAppInformation(consumerKey,
    /// IdentityTenantUtil.getLoginTenantId())`, the thread-local tenant of the URL, else the super tenant).
    /// Before (v6.2.28–v6.11.21, 5.9–6.1) `GET_APP_INFO_WITH_PKCE` selects by `CONSUMER_KEY` alone and the app's
    /// row gives its tenant: on the root endpoint the client runs in its own tenant. Under `/t/{domain}/` the
    /// client must be that tenant's in every release (forcereset's rule; 5.x's checks there are UNCONFIRMED).
    pub client_in_url_tenant: bool,
    /// A tenant's issuer (and its discovery document's endpoints) name the tenant: `https://host/t/{domain}/oauth2/
    /// token`. OAUTH `OAuth2Util.getIdTokenIssuer` (v6.4.2 on): with tenant-qualified URLs,
    /// `ServiceURLBuilder…addPath("/oauth2/token")` (which adds `/t/{domain}` for a tenant); without, the
    /// resident IdP's OIDC `IdPEntityId`, whose default is the root `…/oauth2/token` for every tenant (v6.2.28
    /// reads only that). Tenant-qualified URLs are on by default in 7.0 (PIS v7.0.0 `catalina-server.xml.j2`); off
    /// in 5.x; 6.0 and 6.1's default is UNCONFIRMED (docs/design/tenants.md §2.5 takes it as on).
    pub tenant_qualified_issuer: bool,
    /// The discovery document's keys, in the order WSO2's `HashMap` of them iterates (`OIDProviderConfigResponse
    /// .getConfigMap`, computed over every key put, nulls included, by the research notes'
    /// `discovery_key_order.py`). Keys forcereset has no value for are left out where they fall.
    pub discovery_keys: &'static [&'static str],
}

const DISCOVERY_5_9: &[&str] = &[
    "request_parameter_supported",
    "claims_parameter_supported",
    "scopes_supported",
    "check_session_iframe",
    "backchannel_logout_supported",
    "issuer",
    "authorization_endpoint",
    "claims_supported",
    "userinfo_signing_alg_values_supported",
    "token_endpoint_auth_methods_supported",
    "backchannel_logout_session_supported",
    "token_endpoint",
    "response_types_supported",
    "grant_types_supported",
    "end_session_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
    "registration_endpoint",
    "request_object_signing_alg_values_supported",
];

/// 5.10–6.1, with the capital-R duplicate `DiscoveryConstants.RESPONSE_MODES_SUPPORTED` puts.
const DISCOVERY_5_10: &[&str] = &[
    "request_parameter_supported",
    "claims_parameter_supported",
    "introspection_endpoint",
    "Response_modes_supported",
    "scopes_supported",
    "check_session_iframe",
    "backchannel_logout_supported",
    "issuer",
    "authorization_endpoint",
    "introspection_endpoint_auth_methods_supported",
    "claims_supported",
    "userinfo_signing_alg_values_supported",
    "token_endpoint_auth_methods_supported",
    "response_modes_supported",
    "backchannel_logout_session_supported",
    "token_endpoint",
    "response_types_supported",
    "revocation_endpoint_auth_methods_supported",
    "grant_types_supported",
    "end_session_endpoint",
    "revocation_endpoint",
    "userinfo_endpoint",
    "code_challenge_methods_supported",
    "jwks_uri",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
    "registration_endpoint",
    "request_object_signing_alg_values_supported",
];

const DISCOVERY_7_0: &[&str] = &[
    "request_parameter_supported",
    "claims_parameter_supported",
    "introspection_endpoint",
    "scopes_supported",
    "check_session_iframe",
    "backchannel_logout_supported",
    "issuer",
    "authorization_endpoint",
    "introspection_endpoint_auth_methods_supported",
    "claims_supported",
    "userinfo_signing_alg_values_supported",
    "token_endpoint_auth_methods_supported",
    "response_modes_supported",
    "backchannel_logout_session_supported",
    "token_endpoint",
    "response_types_supported",
    "revocation_endpoint_auth_methods_supported",
    "grant_types_supported",
    "end_session_endpoint",
    "revocation_endpoint",
    "userinfo_endpoint",
    "code_challenge_methods_supported",
    "jwks_uri",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
    "registration_endpoint",
    "request_object_signing_alg_values_supported",
];

/// 7.1, 7.2: 50 keys put, so the map has 64 buckets and another order.
const DISCOVERY_7_1: &[&str] = &[
    "request_parameter_supported",
    "claims_parameter_supported",
    "introspection_endpoint",
    "issuer",
    "authorization_endpoint",
    "introspection_endpoint_auth_methods_supported",
    "claims_supported",
    "token_endpoint_auth_methods_supported",
    "response_modes_supported",
    "backchannel_logout_session_supported",
    "token_endpoint",
    "response_types_supported",
    "revocation_endpoint_auth_methods_supported",
    "grant_types_supported",
    "userinfo_endpoint",
    "code_challenge_methods_supported",
    "request_object_signing_alg_values_supported",
    "scopes_supported",
    "check_session_iframe",
    "backchannel_logout_supported",
    "userinfo_signing_alg_values_supported",
    "end_session_endpoint",
    "revocation_endpoint",
    "jwks_uri",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
    "registration_endpoint",
];

pub fn of(version: Wso2Version) -> OAuthProfile {
    use Wso2Version::*;
    OAuthProfile {
        dcr_response: match version {
            V5_9 => DcrResponse::Bean,
            V5_10 => DcrResponse::DtoWithoutGrants,
            V5_11 => DcrResponse::Dto,
            V6_0 | V6_1 => DcrResponse::DtoExpiresZero,
            V7_0 | V7_1 => DcrResponse::Extended,
            V7_2 => DcrResponse::ExtendedNonNull,
        },
        dcr_unknown_field: match version {
            V5_9 | V5_10 | V5_11 => UnknownField::PlainText,
            V6_0 | V6_1 | V7_0 => UnknownField::Json,
            V7_1 | V7_2 => UnknownField::Accepted,
        },
        dcr_missing_name: if version >= V7_0 {
            MissingName::Refused
        } else {
            MissingName::ServerError
        },
        client_name_regex: if version == V5_9 {
            r"^[a-zA-Z0-9._-]*$"
        } else {
            r"^[a-zA-Z0-9._-]+(?: [a-zA-Z0-9._-]+)*$"
        },
        secret_bytes: if version >= V7_0 { 32 } else { 20 },
        loopback_any_port: version >= V6_0,
        callback_literal_characters: version >= V7_2,
        unknown_client: if version >= V7_0 {
            UnknownClient::CredentialsInvalid
        } else {
            UnknownClient::NamesTheId
        },
        password_grant: PasswordGrantProfile {
            show_reason: match version {
                V7_1 => ShowReason::BasicAuthenticator,
                V7_2 => ShowReason::PasswordGrant,
                _ => ShowReason::Always,
            },
            lock_text: match version {
                V5_9 | V5_10 | V5_11 => LockText::Spaces,
                V6_0 | V6_1 | V7_1 | V7_2 => LockText::Colons,
                V7_0 => LockText::ColonsWithMaxAttemptsCode,
            },
            reason_text: if version >= V7_1 {
                ReasonText::CodeAndCauseMessage
            } else {
                ReasonText::CodeAndOuterMessage
            },
            expiry: match version {
                V5_9 | V5_10 | V5_11 | V6_0 | V6_1 => GrantExpiry::NotAsked,
                V7_0 => GrantExpiry::AfterFailure,
                V7_1 | V7_2 => GrantExpiry::Always,
            },
        },
        kid_digest: if version == V5_9 {
            KidDigest::Sha1
        } else {
            KidDigest::Sha256
        },
        jwks_old_kid: version == V5_9,
        jwks_cert: match version {
            V5_9 | V5_10 | V5_11 => JwksCert::None,
            V6_0 => JwksCert::DoubleEncoded,
            V6_1 | V7_0 => JwksCert::Standard,
            V7_1 | V7_2 => JwksCert::ThumbprintOnly,
        },
        x5t: if version >= V7_1 { X5t::Sha1 } else { X5t::HexThumbprint },
        id_token_isk: version >= V6_0,
        id_token_jti: version >= V6_1,
        jwt_typ_at_jwt: version >= V6_0,
        jwt_aut: version >= V5_10,
        jwt_client_id: version >= V6_0,
        revoke_headers: version < V7_0,
        logout_client_id: version >= V7_0,
        client_in_url_tenant: version >= V7_0,
        tenant_qualified_issuer: version >= V6_0,
        subject: if version >= V6_0 {
            Subject::UserId
        } else {
            Subject::UserName
        },
        discovery_keys: match version {
            V5_9 => DISCOVERY_5_9,
            V5_10 | V5_11 | V6_0 | V6_1 => DISCOVERY_5_10,
            V7_0 => DISCOVERY_7_0,
            V7_1 | V7_2 => DISCOVERY_7_1,
        },
    }
}
