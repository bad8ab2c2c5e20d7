//! OAuth2 applications and the tokens issued to them: registration (DCR, the CLI, the console), the token
//! endpoint's grants, introspection and revocation. Client secrets, codes and tokens are made here from the CSPRNG,
//! handed out once, and stored only as keyed hashes (`domain::oauth::secret_hash` under the installation's key).
//!
//! A user's tokens and codes die with their sessions: one issued at or before the user's `sessions_ended_at` (a
//! forced reset, a password set, whichever process did it) is dead, without a write per token.

use crate::store::TenantId;
use subtle::ConstantTimeEq;

use super::{Actor, App, LoginOutcome, Tenant};
use crate::domain::login::Decision;
use crate::domain::oauth::{
    self, ErrorKind, GRANT_AUTHORIZATION_CODE, GRANT_CLIENT_CREDENTIALS, GRANT_IMPLICIT, GRANT_PASSWORD,
    GRANT_REFRESH_TOKEN, GRANTS, Hashed, OAuthError, TOKEN_TYPE_DEFAULT, TOKEN_TYPE_JWT, text,
};
use crate::domain::profile::oauth::{MissingName, ShowReason, UnknownClient};
use crate::domain::secret::Secret;
use crate::domain::{DomainError, Millis, permissions, strip_primary_domain};
use crate::store::{AppRecord, NewToken, TokenRecord, Tx};

/// Why an OAuth use case did not happen.
#[derive(Debug, PartialEq, Eq)]
pub enum OAuthFailure {
    /// An OAuth error the client is told as it is.
    Refused(OAuthError),
    /// DCR: no application with that client id (WSO2 answers 401 with no body, every release).
    NoSuchApp,
    /// DCR 5.9–6.1 without a `client_name`: WSO2 fails on a null and answers a bare 500.
    Broken,
    Domain(DomainError),
}

impl OAuthFailure {
    /// The failure in the words of pages and the CLI, which know no OAuth error codes.
    pub fn into_domain(self) -> DomainError {
        match self {
            OAuthFailure::Refused(e) => DomainError::InvalidInput(e.description),
            OAuthFailure::NoSuchApp => DomainError::InvalidInput("There is no such application.".to_string()),
            OAuthFailure::Broken => DomainError::InvalidInput("The application needs a name.".to_string()),
            OAuthFailure::Domain(e) => e,
        }
    }
}

impl From<DomainError> for OAuthFailure {
    fn from(e: DomainError) -> OAuthFailure {
        OAuthFailure::Domain(e)
    }
}

impl From<OAuthError> for OAuthFailure {
    fn from(e: OAuthError) -> OAuthFailure {
        OAuthFailure::Refused(e)
    }
}

impl From<crate::store::StoreError> for OAuthFailure {
    fn from(e: crate::store::StoreError) -> OAuthFailure {
        OAuthFailure::Domain(e.into())
    }
}

fn metadata(description: impl Into<String>) -> OAuthFailure {
    OAuthFailure::Refused(OAuthError::new(ErrorKind::InvalidClientMetadata, description))
}

/// What a registration (or an update) asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppSpec {
    /// None = not sent.
    pub name: Option<String>,
    pub redirect_uris: Vec<String>,
    pub grant_types: Vec<String>,
    /// `token_type_extension`: `Default` (opaque) or `JWT`.
    pub token_type: Option<String>,
    /// A secret of the caller's choosing (DCR's PUT `client_secret`); None = generate one (on registration).
    pub client_secret: Option<Secret>,
    pub pkce_mandatory: Option<bool>,
    pub pkce_plain: Option<bool>,
}

/// An application as it is shown: never its secret, which is only ever shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub client_id: String,
    pub name: String,
    /// The stored callback: one URI, `regexp=(…|…)`, or empty.
    pub callback: String,
    pub grant_types: Vec<String>,
    pub token_type: String,
    pub pkce_mandatory: bool,
    pub pkce_plain: bool,
    pub owner: String,
    pub created_at: Millis,
}

impl Application {
    pub(super) fn of(r: AppRecord) -> Application {
        Application {
            grant_types: r.grant_types.split_whitespace().map(str::to_string).collect(),
            client_id: r.client_id,
            name: r.name,
            callback: r.callback,
            token_type: r.token_type,
            pkce_mandatory: r.pkce_mandatory,
            pkce_plain: r.pkce_plain,
            owner: r.owner,
            created_at: r.created_at,
        }
    }

    /// May this application use `grant`? An application registered without grant types may use them all.
    pub fn allows(&self, grant: &str) -> bool {
        self.grant_types.is_empty() || self.grant_types.iter().any(|g| g == grant)
    }
}

/// A registration's result: the application and its secret, shown this once.
#[derive(Debug)]
pub struct Registered {
    pub app: Application,
    pub secret: Secret,
}

/// How a client proved who it is at the token or revocation endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAuth {
    pub client_id: String,
    /// None = no secret sent (a public client: forcereset has none).
    pub secret: Option<Secret>,
}

/// A grant, as the token endpoint decoded it.
#[derive(Debug)]
pub enum Grant {
    Password {
        username: String,
        password: Secret,
    },
    ClientCredentials,
    RefreshToken {
        refresh_token: Secret,
    },
    AuthorizationCode {
        code: Secret,
        redirect_uri: Option<String>,
        verifier: Option<String>,
    },
}

impl Grant {
    pub fn name(&self) -> &'static str {
        match self {
            Grant::Password { .. } => GRANT_PASSWORD,
            Grant::ClientCredentials => GRANT_CLIENT_CREDENTIALS,
            Grant::RefreshToken { .. } => GRANT_REFRESH_TOKEN,
            Grant::AuthorizationCode { .. } => GRANT_AUTHORIZATION_CODE,
        }
    }
}

/// What the token endpoint hands out. The values are shown this once.
#[derive(Debug)]
pub struct Issued {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    /// Sorted, space-joined.
    pub scope: String,
    pub id_token: Option<String>,
    pub expires_in_s: i64,
}

/// What introspection says of a token (None = `{"active":false}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Introspection {
    pub scope: String,
    pub client_id: String,
    /// `user@carbon.super`; for an application token its owner's.
    pub username: String,
    pub issued_at_s: i64,
    pub expires_at_s: i64,
    pub application: bool,
}

/// What a revocation revoked, for WSO2's `Revoked…` headers (the values the caller sent, nothing stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub user: String,
}

/// The most characters of any OAuth parameter forcereset keeps or compares (a URI, a scope, a token).
pub const MAX_PARAM_CHARS: usize = 2048;
/// The most redirect URIs one application may register.
pub const MAX_REDIRECT_URIS: usize = 32;

/// `user@domain` (`tom@carbon.super`, `tom@a.com`), as WSO2 writes an authorized user.
pub fn qualified(user: &str, domain: &str) -> String {
    format!("{user}@{domain}")
}

/// The super tenant, where a request without `/t/{domain}/` runs.
pub fn super_tenant() -> Tenant {
    Tenant {
        id: TenantId::SUPER,
        domain: crate::domain::tenant::SUPER_DOMAIN.to_string(),
    }
}

impl App {
    fn hash(&self, what: Hashed, value: &str) -> Vec<u8> {
        oauth::secret_hash(self.code_key(), what, value)
    }

    /// Register an application (DCR's POST, `forcereset app add`, the console). The caller needs
    /// `…/applicationmgt/create`; the secret is generated here and returned this once.
    pub fn register_app(&self, actor: &Actor, spec: AppSpec) -> Result<Registered, OAuthFailure> {
        actor.require(permissions::APPLICATIONS_CREATE)?;
        let profile = &self.profile().oauth;
        let name = match spec.name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => {
                return Err(match profile.dcr_missing_name {
                    MissingName::Refused => metadata("The client name is missing or empty."),
                    MissingName::ServerError => OAuthFailure::Broken,
                });
            }
        };
        check_name(&name, profile.client_name_regex)?;
        let callback = checked_callback(&spec.redirect_uris, &spec.grant_types)?;
        let grant_types = checked_grants(&spec.grant_types)?;
        let token_type = checked_token_type(spec.token_type.as_deref())?;
        let secret = match spec.client_secret {
            Some(s) if !s.is_empty() => s,
            _ => Secret::new(oauth::client_secret(&mut rand::rng(), profile.secret_bytes)),
        };
        let now = self.now();
        let record = AppRecord {
            client_id: oauth::client_id(&mut rand::rng()),
            name: name.clone(),
            secret_hash: self.hash(Hashed::ClientSecret, secret.expose()),
            callback,
            grant_types,
            token_type,
            pkce_mandatory: spec.pkce_mandatory.unwrap_or(false),
            pkce_plain: spec.pkce_plain.unwrap_or(false),
            owner: actor.name().to_string(),
            created_at: now,
        };
        self.store.write(actor.tenant(), |tx| {
            if tx.app_named(&name)?.is_some() {
                return Err(duplicate(&name));
            }
            tx.insert_app(&record).map_err(|e| match e {
                crate::store::StoreError::Conflict => duplicate(&name),
                other => other.into(),
            })?;
            self.audit(tx, now, actor, "app.register", &name, &record.client_id)?;
            Ok(())
        })?;
        Ok(Registered {
            app: Application::of(record),
            secret,
        })
    }

    /// One application by client id (`…/applicationmgt/view`).
    pub fn application(&self, actor: &Actor, client_id: &str) -> Result<Application, OAuthFailure> {
        actor.require(permissions::APPLICATIONS_VIEW)?;
        let found = self.store.read(actor.tenant(), |tx| tx.app(client_id))?;
        found.map(Application::of).ok_or(OAuthFailure::NoSuchApp)
    }

    /// One application by name (DCR's `GET /register?client_name=`).
    pub fn application_named(&self, actor: &Actor, name: &str) -> Result<Application, OAuthFailure> {
        actor.require(permissions::APPLICATIONS_VIEW)?;
        let found = self.store.read(actor.tenant(), |tx| tx.app_named(name))?;
        found.map(Application::of).ok_or(OAuthFailure::NoSuchApp)
    }

    /// Every application, by name.
    pub fn applications(&self, actor: &Actor) -> Result<Vec<Application>, OAuthFailure> {
        actor.require(permissions::APPLICATIONS_VIEW)?;
        let found = self.store.read(actor.tenant(), |tx| tx.apps())?;
        Ok(found.into_iter().map(Application::of).collect())
    }

    /// DCR's PUT: what `spec` sends replaces what is stored; empty lists and absent values keep it
    /// (`DCRMService.updateApplication`). A new secret, when sent, is returned with the application.
    pub fn update_app(
        &self,
        actor: &Actor,
        client_id: &str,
        spec: AppSpec,
    ) -> Result<(Application, Option<Secret>), OAuthFailure> {
        actor.require(permissions::APPLICATIONS_UPDATE)?;
        let profile = &self.profile().oauth;
        if let Some(name) = spec.name.as_deref().filter(|n| !n.trim().is_empty()) {
            check_name(name.trim(), profile.client_name_regex)?;
        }
        let callback = if spec.redirect_uris.is_empty() {
            None
        } else {
            Some(checked_callback(&spec.redirect_uris, &spec.grant_types)?)
        };
        let grant_types = if spec.grant_types.is_empty() {
            None
        } else {
            Some(checked_grants(&spec.grant_types)?)
        };
        let token_type = spec
            .token_type
            .as_deref()
            .map(|t| checked_token_type(Some(t)))
            .transpose()?;
        let secret = spec.client_secret.filter(|s| !s.is_empty());
        let now = self.now();
        let record = self.store.write(actor.tenant(), |tx| {
            let Some(mut record) = tx.app(client_id)? else {
                return Err(OAuthFailure::NoSuchApp);
            };
            if let Some(name) = spec.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                if !name.eq_ignore_ascii_case(&record.name) && tx.app_named(name)?.is_some() {
                    return Err(duplicate(name));
                }
                record.name = name.to_string();
            }
            if let Some(callback) = callback {
                record.callback = callback;
            }
            if let Some(grants) = grant_types {
                record.grant_types = grants;
            }
            if let Some(token_type) = token_type {
                record.token_type = token_type;
            }
            if let Some(secret) = &secret {
                record.secret_hash = self.hash(Hashed::ClientSecret, secret.expose());
            }
            if let Some(m) = spec.pkce_mandatory {
                record.pkce_mandatory = m;
            }
            if let Some(p) = spec.pkce_plain {
                record.pkce_plain = p;
            }
            tx.update_app(&record)?;
            self.audit(tx, now, actor, "app.update", &record.name, client_id)?;
            Ok(record)
        })?;
        Ok((Application::of(record), secret))
    }

    /// Delete an application with its codes and tokens (`…/applicationmgt/delete`).
    pub fn delete_app(&self, actor: &Actor, client_id: &str) -> Result<(), OAuthFailure> {
        actor.require(permissions::APPLICATIONS_DELETE)?;
        let now = self.now();
        self.store.write(actor.tenant(), |tx| {
            let Some(record) = tx.app(client_id)? else {
                return Err(OAuthFailure::NoSuchApp);
            };
            tx.delete_app(client_id)?;
            self.audit(tx, now, actor, "app.delete", &record.name, client_id)?;
            Ok(())
        })
    }

    /// The application a client authenticates as, or the token endpoint's `invalid_client`. The secret is
    /// compared as keyed hashes, in constant time; an unknown client costs the same hash.
    /// Only tenant `at`'s applications are looked at: another tenant's client is as unknown as no client.
    pub fn authenticate_client(&self, at: TenantId, client: &ClientAuth) -> Result<Application, OAuthFailure> {
        let profile = &self.profile().oauth;
        let found = self.store.read(at, |tx| tx.app(&client.client_id))?;
        let Some(secret) = &client.secret else {
            return Err(OAuthError::invalid_client(text::UNSUPPORTED_CLIENT_AUTHENTICATION).into());
        };
        let offered = self.hash(Hashed::ClientSecret, secret.expose());
        let Some(record) = found else {
            return Err(OAuthError::invalid_client(match profile.unknown_client {
                UnknownClient::NamesTheId => oauth::unknown_client_text(&client.client_id),
                UnknownClient::CredentialsInvalid => text::CLIENT_CREDENTIALS_INVALID.to_string(),
            })
            .into());
        };
        if bool::from(offered.ct_eq(&record.secret_hash)) {
            Ok(Application::of(record))
        } else {
            Err(OAuthError::invalid_client(text::CLIENT_CREDENTIALS_INVALID).into())
        }
    }

    /// `/oauth2/token`: authenticate the client, check it may use the grant, run the grant.
    pub fn token(&self, client: &ClientAuth, grant: Grant, scope: Option<&str>) -> Result<Issued, OAuthFailure> {
        self.token_at(None, client, grant, scope)
    }

    /// The tenant an OAuth endpoint runs in for `client_id`: the URL's (`/t/{domain}/`); on the root URL the
    /// super tenant, or before 7.0 the client's own ([`crate::domain::profile::oauth::OAuthProfile`]
    /// `client_in_url_tenant`).
    pub(super) fn endpoint_tenant(&self, url: Option<&Tenant>, client_id: &str) -> Result<Tenant, OAuthFailure> {
        match url {
            Some(t) => Ok(t.clone()),
            None if self.profile().oauth.client_in_url_tenant => Ok(super_tenant()),
            None => Ok(self.client_tenant(client_id)?.unwrap_or_else(super_tenant)),
        }
    }

    /// The active tenant whose application `client_id` is, if any.
    pub(super) fn client_tenant(&self, client_id: &str) -> Result<Option<Tenant>, DomainError> {
        Ok(self
            .store
            .system_read(|sys| sys.tenant_of_client(client_id))?
            .filter(|t| t.active)
            .map(|t| Tenant {
                id: t.id,
                domain: t.domain,
            }))
    }

    /// [`App::token`] at `/t/{domain}/oauth2/token` (`url`) or the root one (None): the client must be the
    /// endpoint's tenant's, the password grant's user too (a bare name is the endpoint's tenant's under
    /// `/t/{domain}/`, product-is#9526), and the codes and tokens are the tenant's.
    pub fn token_at(
        &self,
        url: Option<&Tenant>,
        client: &ClientAuth,
        grant: Grant,
        scope: Option<&str>,
    ) -> Result<Issued, OAuthFailure> {
        let at = self.endpoint_tenant(url, &client.client_id)?;
        let app = self.authenticate_client(at.id, client)?;
        if !app.allows(grant.name()) {
            return Err(OAuthError::new(ErrorKind::UnauthorizedClient, text::GRANT_NOT_ALLOWED).into());
        }
        let asked = scope.unwrap_or_default();
        match grant {
            Grant::Password { username, password } => {
                self.password_grant(url.is_some(), &at, &app, &username, &password, asked)
            }
            Grant::ClientCredentials => {
                let scopes = oauth::granted_scopes(GRANT_CLIENT_CREDENTIALS, asked);
                self.issue(
                    &at,
                    &app,
                    None,
                    &oauth::scope_string(&scopes),
                    GRANT_CLIENT_CREDENTIALS,
                    false,
                )
            }
            Grant::RefreshToken { refresh_token } => self.refresh_grant(&at, &app, &refresh_token, scope),
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                verifier,
            } => self.code_grant(&at, &app, &code, redirect_uri.as_deref(), verifier.as_deref()),
        }
    }

    /// The user signs in in the endpoint's tenant `at`: under `/t/{domain}/` (`qualified_url`) a bare name is
    /// that tenant's; on the root URL the typed name picks its tenant, which must be the client's (WSO2's
    /// password grant refuses a user of another tenant for an application that is not SaaS). A user of another
    /// tenant is refused as bad credentials, the same answer as a wrong password.
    fn password_grant(
        &self,
        qualified_url: bool,
        at: &Tenant,
        app: &Application,
        username: &str,
        password: &Secret,
        asked: &str,
    ) -> Result<Issued, OAuthFailure> {
        // On the root URL a bare name is a carbon.super name: written so, it is nobody in a tenant.
        let typed = match crate::domain::tenant::split_user(username) {
            (_, None) if !qualified_url && at.id != TenantId::SUPER => {
                format!("{username}@{}", crate::domain::tenant::SUPER_DOMAIN)
            }
            _ => username.to_string(),
        };
        let outcome = self.login_at(Some(at), &typed, password)?;
        if oauth::password_grant_asks_expiry(self.profile().oauth.password_grant.expiry, outcome.decision)
            && let Some(user) = &outcome.user
        {
            let expired = match outcome.decision {
                Decision::Success => outcome.password_expired,
                _ => self.password_expired_now(outcome.tenant, user)?,
            };
            if expired {
                return Err(OAuthError::invalid_grant(oauth::password_expired_refusal()).into());
            }
        }
        match (&outcome.decision, &outcome.user) {
            (Decision::Success, Some(user)) => {
                let scopes = oauth::granted_scopes(GRANT_PASSWORD, asked);
                self.issue(at, app, Some(user), &oauth::scope_string(&scopes), GRANT_PASSWORD, true)
            }
            _ => Err(OAuthError::invalid_grant(self.password_grant_refusal(username, &outcome)).into()),
        }
    }

    /// The `invalid_grant` text the password grant answers a refused login with, per release and settings: the
    /// one place a login outcome becomes a password-grant answer.
    pub fn password_grant_refusal(&self, username: &str, outcome: &LoginOutcome) -> String {
        let profile = &self.profile().oauth;
        let show = match profile.password_grant.show_reason {
            ShowReason::Always => true,
            ShowReason::BasicAuthenticator => self.settings.basic_auth.show_auth_failure_reason,
            ShowReason::PasswordGrant => self.config.oauth.password_grant_show_auth_failure_reason,
        };
        let user = strip_primary_domain(username);
        let user = user
            .strip_suffix(&format!("@{}", outcome.tenant_domain))
            .unwrap_or(user);
        oauth::password_grant_refusal(outcome.decision, outcome.context.as_ref(), user, profile, show)
    }

    fn refresh_grant(
        &self,
        at: &Tenant,
        app: &Application,
        refresh: &Secret,
        scope: Option<&str>,
    ) -> Result<Issued, OAuthFailure> {
        let hash = self.hash(Hashed::RefreshToken, refresh.expose());
        let now = self.now();
        let found = self.store.read(at.id, |tx| tx.token_by_refresh(&hash))?;
        let Some(old) = found else {
            return Err(OAuthError::invalid_grant(text::REFRESH_UNKNOWN).into());
        };
        if old.client_id != app.client_id {
            return Err(OAuthError::invalid_grant(text::REFRESH_UNKNOWN).into());
        }
        if old.dead {
            return Err(OAuthError::invalid_grant(text::REFRESH_STATE).into());
        }
        if old.refresh_expires_at.is_none_or(|at| at <= now) {
            return Err(OAuthError::invalid_grant(text::REFRESH_EXPIRED).into());
        }
        // A narrower scope may be asked for; anything outside the old one is dropped.
        let old_scopes = oauth::scopes(&old.scope);
        let scopes: Vec<String> = match scope.filter(|s| !s.trim().is_empty()) {
            Some(asked) => oauth::scopes(asked)
                .into_iter()
                .filter(|s| old_scopes.contains(s))
                .collect(),
            None => old_scopes,
        };
        self.rotate(at, app, &old, &oauth::scope_string(&scopes))
    }

    /// Rotate a refresh token: the old row dies in the same transaction the new one is born in, so two
    /// concurrent refreshes with one token cannot both succeed.
    fn rotate(&self, at: &Tenant, app: &Application, old: &TokenRecord, scope: &str) -> Result<Issued, OAuthFailure> {
        let now = self.now();
        let issued = self.new_values(at, app, old.user.as_deref(), scope, now, true)?;
        self.store.write(at.id, |tx| {
            if !tx.revoke_token(&old.access_hash)? {
                return Err(OAuthFailure::Refused(OAuthError::invalid_grant(text::REFRESH_STATE)));
            }
            self.insert_issued(tx, app, old.user.as_deref(), scope, &old.grant_type, None, &issued, now)?;
            Ok(())
        })?;
        Ok(Issued {
            scope: scope.to_string(),
            ..issued
        })
    }

    fn code_grant(
        &self,
        at: &Tenant,
        app: &Application,
        code: &Secret,
        redirect_uri: Option<&str>,
        verifier: Option<&str>,
    ) -> Result<Issued, OAuthFailure> {
        let hash = self.hash(Hashed::Code, code.expose());
        let now = self.now();
        let found = self.store.read(at.id, |tx| tx.code(&hash))?;
        let Some(stored) = found.filter(|c| c.client_id == app.client_id) else {
            return Err(OAuthError::invalid_grant(text::CODE_INVALID).into());
        };
        if stored.used {
            // A replayed code: the tokens it bought are revoked too (RFC 6749 §4.1.2).
            self.store.write(at.id, |tx| tx.revoke_tokens_of_code(&hash))?;
            return Err(OAuthError::invalid_grant(text::CODE_INACTIVE).into());
        }
        if stored.dead || stored.expires_at <= now {
            return Err(OAuthError::invalid_grant(text::CODE_EXPIRED).into());
        }
        if redirect_uri.unwrap_or(&stored.redirect_uri) != stored.redirect_uri {
            return Err(OAuthError::invalid_grant(text::CALLBACK_MISMATCH).into());
        }
        let challenge = stored
            .challenge
            .as_deref()
            .map(|c| (c, stored.challenge_method.as_deref().unwrap_or(oauth::PKCE_PLAIN)));
        oauth::check_verifier(challenge, verifier, app.pkce_mandatory).map_err(OAuthError::invalid_grant)?;
        let issued = self.new_values(at, app, Some(&stored.user), &stored.scope, now, true)?;
        let id_token = self.id_token_for(
            at,
            &app.client_id,
            &stored,
            code.expose(),
            issued.access_token.expose(),
            now,
        )?;
        self.store.write(at.id, |tx| {
            if !tx.use_code(&hash)? {
                return Err(OAuthFailure::Refused(OAuthError::invalid_grant(text::CODE_INACTIVE)));
            }
            self.insert_issued(
                tx,
                app,
                Some(&stored.user),
                &stored.scope,
                GRANT_AUTHORIZATION_CODE,
                Some(&hash),
                &issued,
                now,
            )?;
            Ok(())
        })?;
        Ok(Issued {
            scope: stored.scope,
            id_token,
            ..issued
        })
    }

    /// New token values (the refresh token only for user grants). An application whose token type is `JWT` gets a
    /// signed access token (`JWTTokenIssuer`); it is stored hashed like an opaque one, so introspection,
    /// revocation and the end of the user's sessions treat both alike.
    fn new_values(
        &self,
        at: &Tenant,
        app: &Application,
        user: Option<&str>,
        scope: &str,
        now: Millis,
        refresh: bool,
    ) -> Result<Issued, OAuthFailure> {
        let mut rng = rand::rng();
        let access_token = if app.token_type == TOKEN_TYPE_JWT {
            Secret::new(self.jwt_access_token(at, app, user, scope, now)?)
        } else {
            Secret::new(oauth::token_value(&mut rng))
        };
        Ok(Issued {
            access_token,
            refresh_token: refresh.then(|| Secret::new(oauth::token_value(&mut rng))),
            scope: String::new(),
            id_token: None,
            expires_in_s: oauth::ACCESS_LIFETIME_S,
        })
    }

    fn issue(
        &self,
        at: &Tenant,
        app: &Application,
        user: Option<&str>,
        scope: &str,
        grant: &str,
        refresh: bool,
    ) -> Result<Issued, OAuthFailure> {
        let now = self.now();
        let issued = self.new_values(at, app, user, scope, now, refresh)?;
        self.store.write(at.id, |tx| {
            tx.purge_expired_oauth(now)?;
            self.insert_issued(tx, app, user, scope, grant, None, &issued, now)
        })?;
        Ok(Issued {
            scope: scope.to_string(),
            ..issued
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn insert_issued(
        &self,
        tx: &Tx<'_>,
        app: &Application,
        user: Option<&str>,
        scope: &str,
        grant: &str,
        code_hash: Option<&[u8]>,
        issued: &Issued,
        now: Millis,
    ) -> Result<(), OAuthFailure> {
        let access_hash = self.hash(Hashed::AccessToken, issued.access_token.expose());
        let refresh_hash = issued
            .refresh_token
            .as_ref()
            .map(|r| self.hash(Hashed::RefreshToken, r.expose()));
        tx.insert_token(&NewToken {
            access_hash: &access_hash,
            refresh_hash: refresh_hash.as_deref(),
            client_id: &app.client_id,
            user,
            scope,
            grant_type: grant,
            code_hash,
            issued_at: now,
            access_expires_at: now + oauth::ACCESS_LIFETIME_S * 1000,
            refresh_expires_at: refresh_hash.as_ref().map(|_| now + oauth::REFRESH_LIFETIME_S * 1000),
        })?;
        Ok(())
    }

    /// `/oauth2/introspect` (the caller needs `…/applicationmgt/view`): what an active token is, None for any
    /// other (unknown, expired, revoked, its user's sessions ended).
    pub fn introspect(
        &self,
        actor: &Actor,
        token: &Secret,
        refresh_hint: bool,
    ) -> Result<Option<Introspection>, OAuthFailure> {
        self.introspect_at(&super_tenant(), actor, token, refresh_hint)
    }

    /// [`App::introspect`] at tenant `at`'s endpoint: only that tenant's tokens are known there, and the caller
    /// must be the tenant's (the front door answers another tenant's user before this; here it is refused too).
    pub fn introspect_at(
        &self,
        at: &Tenant,
        actor: &Actor,
        token: &Secret,
        refresh_hint: bool,
    ) -> Result<Option<Introspection>, OAuthFailure> {
        actor.require(permissions::APPLICATIONS_VIEW)?;
        if !matches!(actor, Actor::System) && actor.tenant() != at.id {
            return Err(DomainError::AccessDenied.into());
        }
        let now = self.now();
        let found = if refresh_hint {
            let hash = self.hash(Hashed::RefreshToken, token.expose());
            self.store.read(at.id, |tx| tx.token_by_refresh(&hash))?
        } else {
            let hash = self.hash(Hashed::AccessToken, token.expose());
            self.store.read(at.id, |tx| tx.token_by_access(&hash))?
        };
        let Some(t) = found else { return Ok(None) };
        let expires_at = if refresh_hint {
            t.refresh_expires_at.unwrap_or(0)
        } else {
            t.access_expires_at
        };
        if t.dead || expires_at <= now {
            return Ok(None);
        }
        let owner = match &t.user {
            Some(user) => user.clone(),
            None => self
                .store
                .read(at.id, |tx| tx.app(&t.client_id))?
                .map(|a| a.owner)
                .unwrap_or_default(),
        };
        Ok(Some(Introspection {
            scope: t.scope,
            client_id: t.client_id,
            username: qualified(&owner, &at.domain),
            issued_at_s: t.issued_at / 1000,
            expires_at_s: expires_at / 1000,
            application: t.user.is_none(),
        }))
    }

    /// `/oauth2/revoke` (RFC 7009): the client's own token, access or refresh, and its pair, revoked; an unknown
    /// or already revoked token is no error.
    pub fn revoke(
        &self,
        client: &ClientAuth,
        token: &Secret,
        refresh_hint: bool,
    ) -> Result<Option<Revoked>, OAuthFailure> {
        self.revoke_at(None, client, token, refresh_hint)
    }

    /// [`App::revoke`] at `/t/{domain}/oauth2/revoke` (`url`) or the root one: the client and the token are the
    /// endpoint tenant's.
    pub fn revoke_at(
        &self,
        url: Option<&Tenant>,
        client: &ClientAuth,
        token: &Secret,
        refresh_hint: bool,
    ) -> Result<Option<Revoked>, OAuthFailure> {
        let at = self.endpoint_tenant(url, &client.client_id)?;
        let app = self
            .authenticate_client(at.id, client)
            .map_err(|_| OAuthFailure::Refused(OAuthError::invalid_client(text::CLIENT_AUTHENTICATION_FAILED)))?;
        let access = self.hash(Hashed::AccessToken, token.expose());
        let refresh = self.hash(Hashed::RefreshToken, token.expose());
        self.store.write(at.id, |tx| {
            let (found, was_refresh) = if refresh_hint {
                match tx.token_by_refresh(&refresh)? {
                    Some(t) => (Some(t), true),
                    None => (tx.token_by_access(&access)?, false),
                }
            } else {
                match tx.token_by_access(&access)? {
                    Some(t) => (Some(t), false),
                    None => (tx.token_by_refresh(&refresh)?, true),
                }
            };
            let Some(t) = found else { return Ok(None) };
            if t.client_id != app.client_id {
                return Err(OAuthFailure::Refused(OAuthError::new(
                    ErrorKind::UnauthorizedClient,
                    "Unauthorized Client",
                )));
            }
            if !tx.revoke_token(&t.access_hash)? {
                return Ok(None);
            }
            let value = token.expose().to_string();
            Ok(Some(Revoked {
                access_token: (!was_refresh).then(|| value.clone()),
                refresh_token: was_refresh.then_some(value),
                user: qualified(t.user.as_deref().unwrap_or(&app.owner), &at.domain),
            }))
        })
    }
}

fn duplicate(name: &str) -> OAuthFailure {
    metadata(format!("Application with the name {name} already exist in the system"))
}

fn check_name(name: &str, regex: &str) -> Result<(), OAuthFailure> {
    let ok = name.chars().count() <= 255 && regex::Regex::new(regex).is_ok_and(|re| re.is_match(name));
    if ok {
        Ok(())
    } else {
        Err(metadata(format!("Client Name is not adhering to the regex: {regex}")))
    }
}

/// The callback to store for `uris` (WSO2's `regexp=(…|…)` for several), after DCR's checks.
fn checked_callback(uris: &[String], grants: &[String]) -> Result<String, OAuthFailure> {
    if uris.len() > MAX_REDIRECT_URIS {
        return Err(metadata(format!(
            "At most {MAX_REDIRECT_URIS} redirect URIs may be registered."
        )));
    }
    for uri in uris {
        // A `regexp=` value is taken as WSO2 takes it: a pattern (it must compile), not a URI.
        let valid = match uri.strip_prefix(oauth::REGEXP_PREFIX) {
            Some(pattern) => regex::RegexBuilder::new(pattern).size_limit(1 << 20).build().is_ok(),
            None => oauth::redirect_uri_is_valid(uri),
        };
        if uri.chars().count() > MAX_PARAM_CHARS || !valid {
            return Err(OAuthFailure::Refused(OAuthError::new(
                ErrorKind::InvalidRedirectUri,
                format!("Invalid redirect URI: {uri}"),
            )));
        }
    }
    let needs_uri = grants
        .iter()
        .any(|g| g == GRANT_AUTHORIZATION_CODE || g == GRANT_IMPLICIT);
    if uris.is_empty() && needs_uri {
        return Err(metadata(
            "RedirectUris property must have at least one URI value when using Authorization code or implicit \
             grant types.",
        ));
    }
    Ok(oauth::dcr_callback(uris))
}

/// The grant types to store: the ones forcereset issues tokens for (`implicit` is refused: no token is ever
/// sent in a URL here).
fn checked_grants(grants: &[String]) -> Result<String, OAuthFailure> {
    for g in grants {
        if !GRANTS.contains(&g.as_str()) {
            return Err(metadata(format!(
                "Invalid grant type: {}",
                g.chars().take(64).collect::<String>()
            )));
        }
    }
    let mut out: Vec<&str> = grants.iter().map(String::as_str).collect();
    out.dedup();
    Ok(out.join(" "))
}

fn checked_token_type(token_type: Option<&str>) -> Result<String, OAuthFailure> {
    match token_type {
        None | Some("") => Ok(TOKEN_TYPE_DEFAULT.to_string()),
        Some(t) if t.eq_ignore_ascii_case(TOKEN_TYPE_DEFAULT) => Ok(TOKEN_TYPE_DEFAULT.to_string()),
        Some(t) if t.eq_ignore_ascii_case(TOKEN_TYPE_JWT) => Ok(TOKEN_TYPE_JWT.to_string()),
        Some(t) => Err(metadata(format!(
            "Unsupported token type: {}",
            t.chars().take(64).collect::<String>()
        ))),
    }
}
