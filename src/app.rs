//! The use cases: each public method of [`App`] is one thing a client can ask for, run as one store transaction
//! over domain rules. Adapters (`soap`, `web`, `cli`, the mail worker) call these and nothing below them.
//!
//! This file holds what every use case shares: [`App`] itself (its fields are private), [`Actor`], the [`Clock`],
//! the audit record and the boundary where store errors are logged. The use cases live in one file per subject:
//! [`users`], [`roles`], [`claims`], [`profiles`], [`governance`], [`reset`], [`recovery`], [`login`], [`sessions`],
//! [`mailbox`], [`audit`], [`oauth`], [`authorize`], [`tenants`], whoever calls them.

use std::sync::{Arc, OnceLock};

use rand::RngCore;
use serde::Deserialize;

use crate::config::{BasicAuthParams, Config};
use crate::domain::claims::ClaimMeta;
use crate::domain::password::{self, Policy};
use crate::domain::profile::Profile;
use crate::domain::profile::store::ClaimDialect;
use crate::domain::{DomainError, Millis, permissions};
use crate::mail::eml::Originator;
use crate::store::{AuditRecord, Store, StoreError, Tx};

mod audit;
mod authcache;
mod authorize;
mod claims;
mod consent;
mod expiry;
mod gate;
mod governance;
mod groups;
mod login;
mod logout;
mod mailbox;
mod oauth;
mod pending;
mod profiles;
mod recovery;
mod reset;
mod roles;
mod scim;
mod sessions;
mod templates;
mod tenants;
mod users;

/// The store's tenant key, for adapters that may not name the store (REST, SCIM).
pub use crate::store::TenantId;
/// The stored e-mail templates the template use cases answer with (for adapters that do not know the store).
pub use crate::store::{DomainMatch, StoredTemplate, TemplateType, TenantPage};
pub use authorize::{AuthorizationRequest, AuthorizeRefusal, CodeRedirect, PendingAuthorization};
pub use claims::Merge;
pub use consent::ConsentAnswer;
pub use expiry::{ChangeFields, ExpiredChange};
pub use governance::{ConnectorView, PropertyView, SettingSource};
pub use groups::{GroupEdit, GroupPage};
pub use login::LoginOutcome;
pub use logout::{CheckedLogout, LogoutRefusal, LogoutRequest};
pub use oauth::{
    AppSpec, Application, ClientAuth, Grant, Introspection, Issued, MAX_PARAM_CHARS, OAuthFailure, Registered, Revoked,
    qualified, super_tenant,
};
pub use profiles::{ProfileField, profile_editable, profile_or_default};
pub use recovery::{RecoveryFlow, RecoveryOpening, RecoveryRequest};
pub use reset::{CodeCheck, ResendOutcome, ResetOutcome};
pub use scim::{BulkSession, ScimEdit, UserPage};
pub use sessions::{Session, SessionToken};
pub use templates::Saved;
pub use tenants::{ManagedTenant, Tenant, TenantDetails, TenantKey, TenantRefusal, TenantSpec};
pub use users::{INVALID_TENANT_ID, OLD_CREDENTIAL_MISMATCH, PendingReset, SUPER_TENANT_ID, UserState, UserView};

/// Where time comes from: the system clock in production, a settable one in tests.
pub type Clock = Arc<dyn Fn() -> Millis + Send + Sync>;

// The one place the system clock enters; everything else asks `App::now`.
#[allow(clippy::disallowed_methods)]
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as Millis)
            .unwrap_or(0)
    })
}

/// The role the super admin gets; it holds `/permission` and cannot be deleted.
pub const ADMIN_ROLE: &str = "admin";

/// WSO2's implicit role every user has.
pub const EVERYONE_ROLE: &str = "Internal/everyone";

/// The local claim dialect of each release, as data (`fixtures/claims/`): a fresh store starts with its release's.
fn dialect_fixture(dialect: ClaimDialect) -> &'static str {
    match dialect {
        ClaimDialect::Is5_9 => include_str!("../fixtures/claims/5.9.toml"),
        ClaimDialect::Is5_10 => include_str!("../fixtures/claims/5.10.toml"),
        ClaimDialect::Is5_11 => include_str!("../fixtures/claims/5.11.toml"),
        ClaimDialect::Is6Approximation => include_str!("../fixtures/claims/6.x.toml"),
    }
}

/// The dialect forcereset seeded before it followed WSO2's: only to recognise claims nobody edited since.
const LEGACY_DIALECT: &str = include_str!("../fixtures/claims/legacy.toml");

/// Who is asking. The CLI acts as `System` (in the super tenant); network callers are authenticated users, each in
/// the tenant they signed in to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    System,
    /// The system inside one tenant (the CLI's `--tenant`): every permission there, none over tenants.
    SystemIn(TenantId),
    User {
        tenant: TenantId,
        name: String,
        permissions: Vec<String>,
    },
}

impl Actor {
    /// The tenant the actor acts in.
    pub fn tenant(&self) -> TenantId {
        match self {
            Actor::System => TenantId::SUPER,
            Actor::SystemIn(tenant) | Actor::User { tenant, .. } => *tenant,
        }
    }

    /// The name written to the audit log.
    pub fn name(&self) -> &str {
        match self {
            Actor::System | Actor::SystemIn(_) => "system",
            Actor::User { name, .. } => name,
        }
    }

    pub fn has(&self, permission: &str) -> bool {
        match self {
            Actor::System | Actor::SystemIn(_) => true,
            Actor::User { permissions, .. } => permissions::any_grants(permissions, permission),
        }
    }

    /// Refuse with WSO2's "Access Denied." unless the actor holds `permission`.
    pub fn require(&self, permission: &str) -> Result<(), DomainError> {
        if self.has(permission) {
            Ok(())
        } else {
            Err(DomainError::AccessDenied)
        }
    }

    /// Refuse unless the actor holds one of `permissions` (the same resource behind two WSO2 front doors that ask
    /// for different paths: the admin service and the REST API).
    pub fn require_any(&self, permissions: &[&str]) -> Result<(), DomainError> {
        if permissions.iter().any(|p| self.has(p)) {
            Ok(())
        } else {
            Err(DomainError::AccessDenied)
        }
    }

    /// Is this actor the named user?
    pub fn is(&self, user: &str) -> bool {
        matches!(self, Actor::User { name, .. } if name.eq_ignore_ascii_case(user))
    }

    /// A user may act on their own data; anyone else needs `permission`.
    pub fn require_self_or(&self, user: &str, permission: &str) -> Result<(), DomainError> {
        if self.is(user) {
            Ok(())
        } else {
            self.require(permission)
        }
    }
}

/// Store failures are logged here, once, with their detail; callers and clients see only `Internal`.
impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> DomainError {
        tracing::error!(error = %e, "store failure");
        DomainError::Internal
    }
}

/// What a first (or any) start created.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BootstrapReport {
    pub claims_added: usize,
    /// Claims that still held another shipped definition (an earlier forcereset's, or another release's) and now
    /// hold the running release's.
    pub claims_updated: usize,
    pub admin_role_created: bool,
    pub admin_user_created: bool,
    /// E-mail template types seeded from email-admin-config.xml (those missing from the store).
    pub template_types_added: usize,
}

/// A claim dialect fixture: `[[claim]]` tables of [`FixtureClaim`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimsFile {
    claim: Vec<FixtureClaim>,
}

/// One claim as a fixture writes it: [`ClaimMeta`]'s fields, and the LDAP attribute WSO2 maps it to (kept for the
/// reader, unused).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureClaim {
    uri: String,
    display_name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    #[allow(dead_code)]
    attribute_id: String,
    #[serde(default)]
    supported_by_default: bool,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    read_only: bool,
    #[serde(default)]
    display_order: i32,
    #[serde(default)]
    regex: String,
}

/// Parse a dialect fixture. They are embedded, so a failure is a build defect; it is logged and refuses the start.
fn parse_dialect(name: &str, text: &str) -> Result<Vec<ClaimMeta>, DomainError> {
    let file: ClaimsFile = toml::from_str(text).map_err(|e| {
        tracing::error!(fixture = name, error = %e, "a claim dialect fixture is not valid");
        DomainError::Internal
    })?;
    Ok(file
        .claim
        .into_iter()
        .map(|c| ClaimMeta {
            uri: c.uri,
            display_name: c.display_name,
            description: c.description,
            supported_by_default: c.supported_by_default,
            required: c.required,
            read_only: c.read_only,
            display_order: c.display_order,
            regex: c.regex,
        })
        .collect())
}

/// The dialect of `dialect`'s release, and every other definition forcereset ever shipped (the other releases',
/// the legacy one): a stored claim equal to one of those was never edited.
fn dialects(dialect: ClaimDialect) -> Result<(Vec<ClaimMeta>, Vec<ClaimMeta>), DomainError> {
    let wanted = parse_dialect(dialect.file(), dialect_fixture(dialect))?;
    let mut shipped = parse_dialect("legacy.toml", LEGACY_DIALECT)?;
    for other in ClaimDialect::ALL.into_iter().filter(|d| *d != dialect) {
        shipped.extend(parse_dialect(other.file(), dialect_fixture(other))?);
    }
    Ok((wanted, shipped))
}

/// Everything a request needs: validated config, the store, the clock and the compiled policies. The fields are
/// private: adapters call use cases, and read configuration only through [`App::settings`].
pub struct App {
    config: Config,
    settings: Settings,
    store: Store,
    sessions: sessions::Sessions,
    /// The recovery portal's checked codes, by browser: see [`recovery`].
    recovery_flows: recovery::RecoveryFlows,
    /// Expired passwords' pending changes, by login flow or confirmation code: see [`expiry`].
    expiry_tickets: expiry::ExpiryTickets,
    /// Woken whenever a mail is queued, so the outbox worker sends it at once.
    mail_wakeup: Arc<tokio::sync::Notify>,
    /// The e-mail templates (email-admin-config.xml).
    templates: crate::mail::templates::Templates,
    /// The per-installation key recovery codes are hashed under (`<data_dir>/code.key`).
    code_key: [u8; 32],
    clock: Clock,
    password_policy: Policy,
    username_policy: Policy,
    /// The public base URL (`https://host:port`), known once the HTTPS listener is bound.
    product_url: OnceLock<String>,
    /// Bounds concurrent argon2 work and lends it reused working memory (19 MiB each): see [`gate`].
    argon2: gate::Gate,
    /// Recently verified (user, password, hash) triples, so repeated Basic auth skips argon2: see [`authcache`].
    auth_cache: authcache::AuthCache,
    /// Claim regexes, compiled once: see [`claims::ClaimPatterns`].
    claim_patterns: claims::ClaimPatterns,
    /// Authorization requests waiting for their user to sign in: see [`authorize`].
    pending_authorizations: pending::Pending<PendingAuthorization>,
    pending_logouts: pending::Pending<CheckedLogout>,
    pending_consents: pending::Pending<consent::AwaitingConsent>,
    /// The OAuth signing key, made at first use: see [`authorize`].
    keys: authorize::Keys,
}

/// What adapters may know of the configuration: the switches that shape their answers. The settings of the rules
/// stay inside `app`; the listeners and the SMTP client get theirs from the composition root (`routes::Services`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `[forcereset] allow_admin_services_over_http`: the admin services and the console answer plain HTTP too.
    pub admin_over_http: bool,
    /// `[forcereset] enable_https`: whether there is an HTTPS listener to send a plain-HTTP browser to.
    pub https_enabled: bool,
    /// `[admin_service.wsdl] enable`
    pub wsdl_enabled: bool,
    /// `[authentication.authenticator.basic.parameters]`: how a failed login is reported.
    pub basic_auth: BasicAuthParams,
    /// `[output_adapter.email] hostname` is set: mail goes to an SMTP server, not only to the built-in mailbox.
    pub smtp_configured: bool,
    /// Who the mails are from (`[output_adapter.email]` signature, from_address and reply_to).
    pub originator: Originator,
    /// The WSO2 release emulated (`[forcereset] wso2_version`): what differs between releases, by subject.
    pub profile: Profile,
    /// `[server] hostname`: Carbon's `HostName`, which the REST valve's Bearer challenge names.
    pub hostname: String,
    /// `[oauth] prompt_consent`: `/oauth2/authorize` asks the user to approve the application.
    pub prompt_consent: bool,
    /// `[oauth] prompt_logout_consent`: `/oidc/logout` asks first.
    pub prompt_logout_consent: bool,
    /// `[oauth] handle_logout_gracefully`: `/oidc/logout` without a session ends at the logged-out page.
    pub handle_logout_gracefully: bool,
}

impl Settings {
    fn from_config(config: &Config) -> Settings {
        Settings {
            admin_over_http: config.emulator.allow_admin_services_over_http,
            https_enabled: config.emulator.enable_https,
            wsdl_enabled: config.admin_service_wsdl_enable,
            basic_auth: config.basic_auth.clone(),
            smtp_configured: config.email.hostname.is_some(),
            hostname: config.server.hostname.clone(),
            originator: Originator::from_config(&config.email),
            profile: config.emulator.wso2_version.profile(),
            prompt_consent: config.oauth.prompt_consent,
            prompt_logout_consent: config.oauth.prompt_logout_consent,
            handle_logout_gracefully: config.oauth.handle_logout_gracefully,
        }
    }
}

fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    key
}

/// Compile a policy the config has already validated. Should it still fail, refuse every password rather than
/// accept any (fail closed), and say so once.
fn compile_policy(pattern: &str, key: &str) -> Policy {
    Policy::new(pattern).unwrap_or_else(|e| {
        tracing::error!(key, error = %e, "invalid regex slipped past config validation; refusing all values");
        Policy::reject_all(pattern)
    })
}

/// The most rows one mailbox or audit page may ask for.
pub const MAX_PAGE_ROWS: i64 = 500;

fn page_bounds(offset: i64, limit: i64) -> (i64, i64) {
    (offset.max(0), limit.clamp(1, MAX_PAGE_ROWS))
}

impl App {
    pub fn new(config: Config, store: Store, clock: Clock) -> App {
        let password_policy = compile_policy(&config.user_store.password_java_regex, "user_store.password_java_regex");
        let username_policy = compile_policy(&config.user_store.username_java_regex, "user_store.username_java_regex");
        App {
            settings: Settings::from_config(&config),
            config,
            store,
            sessions: sessions::Sessions::default(),
            recovery_flows: recovery::RecoveryFlows::default(),
            expiry_tickets: expiry::ExpiryTickets::default(),
            mail_wakeup: Arc::new(tokio::sync::Notify::new()),
            templates: crate::mail::templates::Templates::embedded(),
            code_key: random_key(),
            clock,
            password_policy,
            username_policy,
            product_url: OnceLock::new(),
            argon2: gate::Gate::for_this_machine(),
            auth_cache: authcache::AuthCache::default(),
            claim_patterns: claims::ClaimPatterns::default(),
            pending_authorizations: pending::Pending::new(authorize::PENDING_TTL_MS),
            pending_logouts: pending::Pending::new(logout::PENDING_TTL_MS),
            pending_consents: pending::Pending::new(consent::PENDING_TTL_MS),
            keys: authorize::Keys::default(),
        }
    }

    /// An app over a fresh in-memory store with a fixed clock, bootstrapped (admin/admin): for unit tests.
    #[cfg(test)]
    pub fn for_tests() -> App {
        App::for_tests_with(Config::defaults())
    }

    /// [`App::for_tests`] with another configuration (a release, a user store type…).
    #[cfg(test)]
    pub fn for_tests_with(config: Config) -> App {
        let app = App::new(
            config,
            Store::open_in_memory().unwrap_or_else(|e| panic!("in-memory store: {e}")),
            Arc::new(|| 1_700_000_000_000),
        );
        app.bootstrap().unwrap_or_else(|e| panic!("bootstrap: {e}"));
        app
    }

    /// Use a persisted code key (so pending codes survive a restart) instead of the random one of `new`.
    pub fn with_code_key(mut self, key: [u8; 32]) -> App {
        self.code_key = key;
        self
    }

    /// Use templates loaded from a file instead of the embedded copy.
    pub fn with_templates(mut self, templates: crate::mail::templates::Templates) -> App {
        self.templates = templates;
        self
    }

    pub fn now(&self) -> Millis {
        (self.clock)()
    }

    /// Record the address the HTTPS listener really bound (port 0 in tests picks a free one).
    pub fn set_product_url(&self, url: String) {
        let _ = self.product_url.set(url);
    }

    /// `{{carbon.product-url}}`: the HTTPS base URL clients reach us at.
    pub fn product_url(&self) -> String {
        self.product_url.get().cloned().unwrap_or_else(|| {
            format!(
                "https://{}:{}",
                self.config.server.hostname,
                self.config.server.https_port()
            )
        })
    }

    /// The configuration switches adapters shape their answers with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The WSO2 release emulated: what differs between releases, by subject.
    pub fn profile(&self) -> &Profile {
        &self.settings.profile
    }

    /// The store, for tests that check what a use case left behind. Adapters never touch it (clippy.toml
    /// disallows this method outside tests).
    #[doc(hidden)]
    pub fn store_for_tests(&self) -> &Store {
        &self.store
    }

    /// The password policy's pattern, for forms that show it.
    pub fn password_pattern(&self) -> &str {
        self.password_policy.pattern()
    }

    /// Run `f` on the calling thread (the reactor) with every store read inside it on one snapshot of a reserved
    /// reader, and any write refused: for the bounded reads of a session caller (see `store::quick`).
    pub fn quick<T>(&self, f: impl FnOnce() -> T) -> T {
        self.store.quick(f)
    }

    /// Is the store answering? (`/api/health-check/v1.0/health`)
    pub fn health(&self) -> bool {
        self.store.health_check()
    }

    fn hash_password(&self, password: &str) -> Result<String, DomainError> {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        self.argon2.run(|memory| password::hash_in(memory, password, salt))
    }

    /// Verify a password against a PHC string, within the argon2 bound.
    fn verify_password(&self, password: &str, phc: &str) -> bool {
        self.argon2.run(|memory| password::verify_in(memory, password, phc))
    }

    /// Record a change in the audit log, inside the use case's transaction, at the time the use case started.
    fn audit(
        &self,
        tx: &Tx<'_>,
        now: Millis,
        actor: &Actor,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), DomainError> {
        tx.insert_audit(&AuditRecord {
            at: now,
            actor: actor.name().to_string(),
            action: action.to_string(),
            target: target.to_string(),
            detail: detail.to_string(),
        })?;
        Ok(())
    }

    /// Idempotent first-start work: the claim dialect, the `admin` role holding `/permission`, and the super admin
    /// from `[super_admin]` (only if absent: a changed password in deployment.toml does not overwrite the stored one,
    /// as in WSO2 once the user store is initialised).
    ///
    /// The dialect is the release's (`fixtures/claims/`): a missing claim is added; a stored claim that still holds
    /// exactly a definition forcereset shipped for another release, or before it followed WSO2's dialect, was never
    /// edited and takes the release's; any other stored claim is an edit and is kept. Claims the release does not
    /// have are kept too (values may refer to them). So a data directory started with another `wso2_version` looks
    /// like that release's fresh store, except where someone changed the dialect.
    pub fn bootstrap(&self) -> Result<BootstrapReport, DomainError> {
        let (dialect, shipped) = dialects(self.settings.profile.store.claim_dialect)?;
        let admin = &self.config.super_admin;
        // Hash only when the admin must be created: a restart then costs no argon2 run (and keeps no 19 MiB
        // argon2 buffer around), which is most of the idle memory and start-up time.
        let admin_missing =
            admin.create_admin_account && !self.store.read(TenantId::SUPER, |tx| tx.user_exists(&admin.username))?;
        let admin_hash = if admin_missing {
            let hash = self.hash_password(admin.password.expose())?;
            // A server that just started has no other argon2 work for its memory: give the 19 MiB back.
            self.argon2.release_spares();
            Some(hash)
        } else {
            None
        };
        let now = self.now();
        self.store.write(TenantId::SUPER, |tx| {
            let mut report = BootstrapReport::default();
            for meta in &dialect {
                match tx.claim_meta(&meta.uri)? {
                    None => {
                        if tx.insert_claim_meta_if_absent(meta)? {
                            report.claims_added += 1;
                        }
                    }
                    Some(stored) if stored != *meta && shipped.contains(&stored) => {
                        tx.update_claim_meta(meta)?;
                        report.claims_updated += 1;
                    }
                    Some(_) => {}
                }
            }
            if !tx.role_exists(ADMIN_ROLE)? {
                tx.insert_role(ADMIN_ROLE, now)?;
                tx.grant_permission(ADMIN_ROLE, permissions::ROOT)?;
                report.admin_role_created = true;
            }
            if let Some(hash) = admin_hash
                && !tx.user_exists(&admin.username)?
            {
                tx.insert_user(&admin.username, &hash, now)?;
                tx.add_user_to_role(&admin.username, ADMIN_ROLE)?;
                report.admin_user_created = true;
                self.audit(
                    tx,
                    now,
                    &Actor::System,
                    "user.add",
                    &admin.username,
                    "super admin bootstrap",
                )?;
            }
            report.template_types_added = self.seed_templates(tx, now)?;
            Ok::<_, DomainError>(report)
        })
    }
}

#[cfg(test)]
mod tests;
