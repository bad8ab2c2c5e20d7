//! The authorization code flow and OpenID Connect: checking an authorization request (client, redirect URI,
//! response type, PKCE, prompt) in WSO2's order, keeping it while the user signs in (through the forced-reset
//! detour if one is pending), issuing the single-use code, and what OIDC adds: the ID token signed with the
//! installation's key, the JWK Set, the discovery document, userinfo.
//!
//! The signing key is made on first use and kept in the data directory (`oauth-signing.key`, PKCS#8, owner-only,
//! and `oauth-signing.crt`, from which the kid is derived as WSO2 derives it); an app without a data directory (unit
//! tests) keeps one in memory.

use crate::store::TenantId;
use std::path::PathBuf;

use serde_json::Value;

use super::oauth::{Application, OAuthFailure, super_tenant};
use super::{App, Session, Tenant};
use crate::domain::oauth::jose::{self, SigningKey};
use crate::domain::oauth::{
    self, AccessTokenFacts, ErrorKind, GRANT_AUTHORIZATION_CODE, GRANTS, Hashed, IdTokenFacts, OAuthError, PKCE_PLAIN,
    PKCE_S256, SCOPE_OPENID, text,
};
use crate::domain::profile::oauth::Subject;
use crate::domain::secret::Secret;
use crate::domain::{DomainError, Millis};
use crate::store::{CodeRecord, NewCode};
use crate::util::uuid_v4;

/// An authorization request as `/oauth2/authorize` received it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
}

/// A checked request, kept while the user signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAuthorization {
    pub client_id: String,
    pub app_name: String,
    /// The redirect URI the code goes to (the request's, or the registered one).
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub challenge: Option<(String, &'static str)>,
    /// `prompt=login`: a live session does not count.
    pub force_login: bool,
    /// `prompt=none`: without a live session the answer is `login_required`, never the login page.
    pub passive: bool,
    /// `prompt=consent`: an "approve always" given before is forgotten and the user asked again.
    pub prompt_consent: bool,
    /// The tenant the request runs in (the URL's, else the client's): its login page, its sessions, its code.
    pub tenant: Tenant,
}

/// Why an authorization request is refused: on WSO2's error page (the client or its redirect URI cannot be
/// trusted), or back at the redirect URI.
#[derive(Debug, PartialEq, Eq)]
pub enum AuthorizeRefusal {
    ErrorPage(OAuthError),
    Redirect {
        redirect_uri: String,
        error: OAuthError,
        state: Option<String>,
    },
    Domain(DomainError),
}

/// A code on its way to the client: where to, and with what.
#[derive(Debug)]
pub struct CodeRedirect {
    pub redirect_uri: String,
    pub code: Secret,
    pub state: Option<String>,
    pub session_state: String,
}

/// How long a pending authorization waits for the user to sign in (the login flow's own lifetime).
pub(super) const PENDING_TTL_MS: Millis = 30 * 60 * 1000;

/// The signing key, made at first use.
#[derive(Default)]
pub(super) struct Keys {
    /// Where the key is kept; None = in memory only.
    pub(super) dir: Option<PathBuf>,
    pub(super) key: std::sync::OnceLock<Option<SigningKey>>,
}

pub const KEY_FILE: &str = "oauth-signing.key";
pub const CERT_FILE: &str = "oauth-signing.crt";

fn load_or_generate(dir: Option<&PathBuf>, host: &str) -> Option<SigningKey> {
    let generated = || match jose::generate(host) {
        Ok(parts) => Some(parts),
        Err(e) => {
            tracing::error!(error = %e, "cannot generate the OAuth signing key");
            None
        }
    };
    let Some(dir) = dir else {
        let (pkcs8, cert) = generated()?;
        return SigningKey::from_parts(&pkcs8, cert).ok();
    };
    let (key_path, cert_path) = (dir.join(KEY_FILE), dir.join(CERT_FILE));
    if let (Ok(pkcs8), Ok(cert)) = (std::fs::read(&key_path), std::fs::read(&cert_path)) {
        return match SigningKey::from_parts(&pkcs8, cert) {
            Ok(key) => Some(key),
            Err(e) => {
                tracing::error!(path = %key_path.display(), error = %e, "the OAuth signing key is unusable; delete it and its certificate to make a new one");
                None
            }
        };
    }
    let (pkcs8, cert) = generated()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&key_path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &pkcs8))
        .and_then(|()| std::fs::write(&cert_path, &cert));
    if let Err(e) = written {
        // Another process made it first: use theirs.
        tracing::warn!(error = %e, "cannot keep the new OAuth signing key; trying the kept one");
        let (pkcs8, cert) = (std::fs::read(&key_path).ok()?, std::fs::read(&cert_path).ok()?);
        return SigningKey::from_parts(&pkcs8, cert).ok();
    }
    tracing::info!(path = %key_path.display(), "made the OAuth signing key");
    SigningKey::from_parts(&pkcs8, cert).ok()
}

fn bounded(value: &Option<String>) -> bool {
    value
        .as_deref()
        .is_none_or(|v| v.chars().count() <= super::oauth::MAX_PARAM_CHARS)
}

impl App {
    /// Keep the OAuth signing key in `dir` (the data directory).
    pub fn with_key_dir(mut self, dir: PathBuf) -> App {
        self.keys.dir = Some(dir);
        self
    }

    pub(super) fn signing_key(&self) -> Option<&SigningKey> {
        self.keys
            .key
            .get_or_init(|| load_or_generate(self.keys.dir.as_ref(), &self.config.server.hostname))
            .as_ref()
    }

    /// The issuer of tenant `at`: `<product url>/oauth2/token`, `<product url>/t/{domain}/oauth2/token` for a
    /// tenant where the release qualifies it (WSO2's `iss`, `OAuthProfile::tenant_qualified_issuer`).
    pub fn issuer(&self, at: &Tenant) -> String {
        format!("{}{}/oauth2/token", self.product_url(), self.tenant_path(at))
    }

    /// `/t/{domain}` for a tenant's OAuth URLs where the release writes it, else empty.
    fn tenant_path(&self, at: &Tenant) -> String {
        if self.profile().oauth.tenant_qualified_issuer && at.id != TenantId::SUPER {
            format!("/t/{}", at.domain)
        } else {
            String::new()
        }
    }

    /// Check an authorization request in WSO2's order (`OAuth2AuthzEndpoint`): the client and its redirect URI
    /// (refused on the error page), then the response type, the grant, prompt and PKCE (refused at the redirect
    /// URI).
    ///
    /// The request runs in `url`'s tenant (`/t/{domain}/oauth2/authorize`), else in the client's; a client of
    /// another tenant than the URL's is unknown there.
    pub fn check_authorization(
        &self,
        url: Option<&Tenant>,
        req: &AuthorizationRequest,
    ) -> Result<PendingAuthorization, AuthorizeRefusal> {
        let page = |kind, text: &str| AuthorizeRefusal::ErrorPage(OAuthError::new(kind, text));
        let all = [
            &req.client_id,
            &req.redirect_uri,
            &req.response_type,
            &req.scope,
            &req.state,
            &req.nonce,
            &req.code_challenge,
            &req.code_challenge_method,
            &req.prompt,
        ];
        if !all.iter().all(|v| bounded(v)) {
            return Err(page(ErrorKind::InvalidRequest, text::INVALID_AUTHZ_REQUEST));
        }
        let Some(client_id) = req.client_id.as_deref().filter(|c| !c.is_empty()) else {
            return Err(page(ErrorKind::InvalidRequest, text::BLANK_CLIENT_ID));
        };
        let tenant = match url {
            Some(t) => t.clone(),
            None => self
                .client_tenant(client_id)
                .map_err(AuthorizeRefusal::Domain)?
                .unwrap_or_else(super_tenant),
        };
        let found = self
            .store
            .read(tenant.id, |tx| tx.app(client_id))
            .map_err(|e| AuthorizeRefusal::Domain(e.into()))?;
        let Some(record) = found else {
            return Err(page(ErrorKind::InvalidClient, text::BLANK_CLIENT_ID));
        };
        let profile = &self.profile().oauth;
        let redirect_uri = match req.redirect_uri.as_deref().filter(|r| !r.is_empty()) {
            Some(uri) if oauth::callback_matches(&record.callback, uri, profile) => uri.to_string(),
            None if !record.callback.is_empty() && !record.callback.starts_with(oauth::REGEXP_PREFIX) => {
                record.callback.clone()
            }
            _ => return Err(page(ErrorKind::InvalidCallback, text::INVALID_CALLBACK)),
        };
        let back = |error: OAuthError| AuthorizeRefusal::Redirect {
            redirect_uri: redirect_uri.clone(),
            error,
            state: req.state.clone(),
        };
        let app = Application::of(record);
        if req.response_type.as_deref() != Some("code") {
            return Err(back(OAuthError::new(
                ErrorKind::UnsupportedResponseType,
                "Unsupported Response Type",
            )));
        }
        if !app.allows(GRANT_AUTHORIZATION_CODE) {
            return Err(back(OAuthError::new(
                ErrorKind::UnauthorizedClient,
                text::GRANT_NOT_ALLOWED,
            )));
        }
        let (force_login, passive) = match req.prompt.as_deref().map(str::trim) {
            None | Some("") | Some("consent") | Some("select_account") => (false, false),
            Some("login") => (true, false),
            Some("none") => (false, true),
            Some(_) => return Err(back(OAuthError::invalid_request(text::INVALID_PROMPT))),
        };
        let method = oauth::check_challenge(
            req.code_challenge.as_deref(),
            req.code_challenge_method.as_deref(),
            app.pkce_mandatory,
            app.pkce_plain,
        )
        .map_err(|t| back(OAuthError::invalid_request(t)))?;
        let challenge = match (req.code_challenge.as_deref(), method) {
            (Some(c), Some(m)) => Some((c.to_string(), if m == PKCE_S256 { PKCE_S256 } else { PKCE_PLAIN })),
            _ => None,
        };
        Ok(PendingAuthorization {
            client_id: app.client_id,
            app_name: app.name,
            redirect_uri,
            scope: oauth::scope_string(&oauth::scopes(req.scope.as_deref().unwrap_or_default())),
            state: req.state.clone(),
            nonce: req.nonce.clone(),
            challenge,
            force_login,
            passive,
            prompt_consent: req.prompt.as_deref().map(str::trim) == Some("consent"),
            tenant,
        })
    }

    /// Keep a checked request until the login flow `key` ends.
    pub fn remember_authorization(&self, key: &str, pending: PendingAuthorization) {
        self.pending_authorizations.put(key.to_string(), pending, self.now());
    }

    /// The request waiting on login flow `key`, left in place.
    pub fn pending_authorization(&self, key: &str) -> Option<PendingAuthorization> {
        self.pending_authorizations.get(key, self.now())
    }

    /// The request waiting on login flow `key`, taken (a flow completes one authorization).
    pub fn take_authorization(&self, key: &str) -> Option<PendingAuthorization> {
        self.pending_authorizations.take(key, self.now())
    }

    /// Issue the code for a signed-in session: single use, 300 s, stored hashed with what the token request must
    /// match (client, redirect URI, PKCE challenge). The session must be of the request's tenant.
    pub fn issue_code(&self, session: &Session, pending: &PendingAuthorization) -> Result<CodeRedirect, OAuthFailure> {
        if session.tenant != pending.tenant.id {
            return Err(OAuthError::invalid_request(text::INVALID_AUTHZ_REQUEST).into());
        }
        let now = self.now();
        let code = Secret::new(oauth::token_value(&mut rand::rng()));
        let hash = oauth::secret_hash(self.code_key(), Hashed::Code, code.expose());
        // The OIDC session id: one-way from the browser session, so it names the session without revealing it.
        let sid = oauth::half_hash(session.token.as_str());
        self.store.write(pending.tenant.id, |tx| {
            tx.insert_code(&NewCode {
                code_hash: &hash,
                client_id: &pending.client_id,
                user: &session.user,
                redirect_uri: &pending.redirect_uri,
                scope: &pending.scope,
                nonce: pending.nonce.as_deref(),
                challenge: pending.challenge.as_ref().map(|(c, _)| c.as_str()),
                challenge_method: pending.challenge.as_ref().map(|(_, m)| *m),
                session: Some(&sid),
                auth_time: session.opened,
                issued_at: now,
                expires_at: now + oauth::CODE_LIFETIME_S * 1000,
            })
        })?;
        let session_state = oauth::session_state(&pending.client_id, &pending.redirect_uri, &sid, &mut rand::rng());
        Ok(CodeRedirect {
            redirect_uri: pending.redirect_uri.clone(),
            code,
            state: pending.state.clone(),
            session_state,
        })
    }

    /// The ID token of a code exchange (the code asked for `openid`).
    pub(super) fn id_token_for(
        &self,
        at: &Tenant,
        client_id: &str,
        code: &CodeRecord,
        code_value: &str,
        access_token: &str,
        now: Millis,
    ) -> Result<Option<String>, OAuthFailure> {
        if !oauth::scopes(&code.scope).iter().any(|s| s == SCOPE_OPENID) {
            return Ok(None);
        }
        let Some(key) = self.signing_key() else {
            return Err(OAuthFailure::Domain(DomainError::Internal));
        };
        let profile = &self.profile().oauth;
        let issuer = self.issuer(at);
        let jti = uuid_v4(&mut rand::rng());
        let subject = self.subject_of(at.id, &code.user)?;
        let claims = oauth::id_token_claims(
            &IdTokenFacts {
                issuer: &issuer,
                subject: &subject,
                client_id,
                issued_at_s: now / 1000,
                lifetime_s: oauth::ID_TOKEN_LIFETIME_S,
                nonce: code.nonce.as_deref(),
                access_token: Some(access_token),
                code: Some(code_value),
                amr: "BasicAuthenticator",
                session: code.session.as_deref(),
                auth_time_s: Some(code.auth_time / 1000),
                jti: &jti,
            },
            profile,
        );
        Ok(key.sign(profile, None, &oauth::java_map_json(&claims)))
    }

    /// A JWT access token for `app` (`JWTTokenIssuer`): signed RS256 with the ID-token key, the release's claims
    /// and header `typ`; an application token's subject is its owner, as WSO2's authorized user is.
    pub(super) fn jwt_access_token(
        &self,
        at: &Tenant,
        app: &Application,
        user: Option<&str>,
        scope: &str,
        now: Millis,
    ) -> Result<String, OAuthFailure> {
        let Some(key) = self.signing_key() else {
            return Err(OAuthFailure::Domain(DomainError::Internal));
        };
        let profile = &self.profile().oauth;
        let issuer = self.issuer(at);
        let jti = uuid_v4(&mut rand::rng());
        let subject = self.subject_of(at.id, user.unwrap_or(&app.owner))?;
        let claims = oauth::access_token_claims(
            &AccessTokenFacts {
                issuer: &issuer,
                subject: &subject,
                client_id: &app.client_id,
                scope,
                issued_at_s: now / 1000,
                lifetime_s: oauth::ACCESS_LIFETIME_S,
                jti: &jti,
                application: user.is_none(),
            },
            profile,
        );
        let typ = profile.jwt_typ_at_jwt.then_some(oauth::JWT_ACCESS_TOKEN_TYP);
        key.sign(profile, typ, &oauth::java_map_json(&claims))
            .ok_or(OAuthFailure::Domain(DomainError::Internal))
    }

    /// `/oauth2/jwks`.
    pub fn jwks(&self) -> Result<String, DomainError> {
        let key = self.signing_key().ok_or(DomainError::Internal)?;
        Ok(key.jwks(&self.profile().oauth))
    }

    /// Tenant `at`'s discovery document, keys in the release's order; keys forcereset has no value for are left
    /// out. Its endpoints are the tenant's where the release qualifies the issuer.
    pub fn discovery(&self, at: &Tenant) -> String {
        let base = format!("{}{}", self.product_url(), self.tenant_path(at));
        let url = |path: &str| Value::from(format!("{base}{path}"));
        let strings = |items: &[&str]| Value::from(items.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let value = |key: &str| -> Option<Value> {
            Some(match key {
                "issuer" => Value::from(self.issuer(at)),
                "authorization_endpoint" => url("/oauth2/authorize"),
                "token_endpoint" => url("/oauth2/token"),
                "userinfo_endpoint" => url("/oauth2/userinfo"),
                "jwks_uri" => url("/oauth2/jwks"),
                "end_session_endpoint" => url("/oidc/logout"),
                "registration_endpoint" => url("/api/identity/oauth2/dcr/v1.1/register"),
                "introspection_endpoint" => url("/oauth2/introspect"),
                "revocation_endpoint" => url("/oauth2/revoke"),
                "scopes_supported" => strings(&[SCOPE_OPENID, "profile", "email"]),
                "response_types_supported" => strings(&["code"]),
                "response_modes_supported" | "Response_modes_supported" => strings(&["query"]),
                "grant_types_supported" => strings(&GRANTS),
                "subject_types_supported" => strings(&["public"]),
                "id_token_signing_alg_values_supported" | "userinfo_signing_alg_values_supported" => {
                    strings(&[jose::ALG])
                }
                "token_endpoint_auth_methods_supported"
                | "revocation_endpoint_auth_methods_supported"
                | "introspection_endpoint_auth_methods_supported" => {
                    strings(&["client_secret_basic", "client_secret_post"])
                }
                "code_challenge_methods_supported" => strings(&[PKCE_S256, PKCE_PLAIN]),
                "claims_supported" => strings(&[
                    "sub",
                    "iss",
                    "aud",
                    "azp",
                    "exp",
                    "iat",
                    "nbf",
                    "auth_time",
                    "nonce",
                    "at_hash",
                    "c_hash",
                    "sid",
                    "amr",
                    "jti",
                ]),
                "request_parameter_supported" | "claims_parameter_supported" => Value::from(false),
                "backchannel_logout_supported" | "backchannel_logout_session_supported" => Value::from(false),
                _ => return None,
            })
        };
        let members: Vec<(&str, Value)> = self
            .profile()
            .oauth
            .discovery_keys
            .iter()
            .filter_map(|k| value(k).map(|v| (*k, v)))
            .collect();
        let mut out = String::from("{");
        for (i, (k, v)) in members.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&Value::from(*k).to_string());
            out.push(':');
            out.push_str(&v.to_string());
        }
        out.push('}');
        out
    }

    /// `/oauth2/userinfo` of tenant `at`: the user an active access token of that tenant with `openid` was issued
    /// for.
    pub fn userinfo(&self, at: &Tenant, access_token: &Secret) -> Result<String, OAuthFailure> {
        let hash = oauth::secret_hash(self.code_key(), Hashed::AccessToken, access_token.expose());
        let now = self.now();
        let found = self.store.read(at.id, |tx| tx.token_by_access(&hash))?;
        let Some(token) = found.filter(|t| !t.dead && t.access_expires_at > now) else {
            return Err(OAuthError::new(ErrorKind::InvalidToken, text::TOKEN_VALIDATION_FAILED).into());
        };
        if !oauth::scopes(&token.scope).iter().any(|s| s == SCOPE_OPENID) {
            return Err(OAuthError::new(ErrorKind::InsufficientScope, text::NO_OPENID_SCOPE).into());
        }
        let Some(user) = token.user else {
            return Err(OAuthError::new(ErrorKind::InsufficientScope, text::NO_OPENID_SCOPE).into());
        };
        let subject = self.subject_of(at.id, &user)?;
        Ok(oauth::java_map_json(&[("sub", Value::from(subject))]))
    }

    /// `sub` for `user` in the release in force ([`Subject`]): the user name, or from 6.0 the user's id (the SCIM
    /// id). A user deleted since keeps the name.
    fn subject_of(&self, tenant: TenantId, user: &str) -> Result<String, OAuthFailure> {
        match self.profile().oauth.subject {
            Subject::UserName => Ok(user.to_string()),
            Subject::UserId => {
                let found = self.store.read(tenant, |tx| tx.user(user))?;
                Ok(found.map_or_else(|| user.to_string(), |r| r.uuid))
            }
        }
    }
}
