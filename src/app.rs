//! The use cases: each public method is one thing a client can ask for, run as one store transaction over
//! domain rules. `soap`, `web`, `cli` and `http` call these and nothing below them.

use std::sync::{Arc, OnceLock};

use rand::RngCore;
use serde::Deserialize;

use crate::config::{Config, Secret};
use crate::domain::claims::{self, ClaimMeta};
use crate::domain::governance::{self, ConnectorDef, PropertyDef, ResetSettings};
use crate::domain::password::{self, Policy};
use crate::domain::{DomainError, Millis, permissions, strip_primary_domain};
use crate::store::{AuditRecord, Dialect, Store, StoreError, Tx};

mod authcache;
pub mod console;
mod gate;
mod login;
mod reset;
pub mod sessions;

pub use login::LoginOutcome;
pub use reset::{CodeCheck, ResetOutcome};
pub mod users;

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

/// The claim dialect a fresh store starts with (data, not code: `fixtures/claims.toml`).
const CLAIMS_FIXTURE: &str = include_str!("../fixtures/claims.toml");

/// Who is asking. The CLI acts as `System`; network callers are authenticated users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    System,
    User { name: String, permissions: Vec<String> },
}

impl Actor {
    /// The name written to the audit log.
    pub fn name(&self) -> &str {
        match self {
            Actor::System => "system",
            Actor::User { name, .. } => name,
        }
    }

    pub fn has(&self, permission: &str) -> bool {
        match self {
            Actor::System => true,
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

    /// Is this actor the named user?
    pub fn is(&self, user: &str) -> bool {
        matches!(self, Actor::User { name, .. } if name.eq_ignore_ascii_case(user))
    }
}

/// What a first (or any) start created.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BootstrapReport {
    pub claims_added: usize,
    pub admin_role_created: bool,
    pub admin_user_created: bool,
}

/// A user as shown by `user show` and the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserView {
    pub name: String,
    pub roles: Vec<String>,
    pub claims: Vec<(String, String)>,
    pub created_at: Millis,
}

/// Store failures are logged here, once, with their detail; callers and clients see only `Internal`.
impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> DomainError {
        tracing::error!(error = %e, "store failure");
        DomainError::Internal
    }
}

#[derive(Deserialize)]
struct ClaimsFile {
    claim: Vec<ClaimMeta>,
}

/// Everything a request needs: validated config, the store, the clock and the compiled policies.
pub struct App {
    pub config: Config,
    pub store: Store,
    pub sessions: sessions::Sessions,
    /// Woken whenever a mail is queued, so the outbox worker sends it at once.
    pub mail_wakeup: tokio::sync::Notify,
    /// The e-mail templates (email-admin-config.xml).
    pub templates: crate::mail::templates::Templates,
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

impl App {
    pub fn new(config: Config, store: Store, clock: Clock) -> App {
        let password_policy = compile_policy(&config.user_store.password_java_regex, "user_store.password_java_regex");
        let username_policy = compile_policy(&config.user_store.username_java_regex, "user_store.username_java_regex");
        App {
            config,
            store,
            sessions: sessions::Sessions::default(),
            mail_wakeup: tokio::sync::Notify::new(),
            templates: crate::mail::templates::Templates::embedded(),
            code_key: random_key(),
            clock,
            password_policy,
            username_policy,
            product_url: OnceLock::new(),
            argon2: gate::Gate::for_this_machine(),
            auth_cache: authcache::AuthCache::default(),
        }
    }

    /// An app over a fresh in-memory store with a fixed clock, bootstrapped (admin/admin): for unit tests.
    #[cfg(test)]
    pub fn for_tests() -> App {
        let app = App::new(
            Config::defaults(),
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

    pub fn password_policy(&self) -> &Policy {
        &self.password_policy
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

    fn audit(&self, tx: &Tx<'_>, actor: &Actor, action: &str, target: &str, detail: &str) -> Result<(), DomainError> {
        tx.insert_audit(&AuditRecord {
            at: self.now(),
            actor: actor.name().to_string(),
            action: action.to_string(),
            target: target.to_string(),
            detail: detail.to_string(),
        })?;
        Ok(())
    }

    // ---- start-up ----

    /// Idempotent first-start work: the claim dialect, the `admin` role holding `/permission`, and the super admin
    /// from `[super_admin]` (only if absent: a changed password in deployment.toml does not overwrite the stored one,
    /// as in WSO2 once the user store is initialised).
    pub fn bootstrap(&self) -> Result<BootstrapReport, DomainError> {
        let file: ClaimsFile = toml::from_str(CLAIMS_FIXTURE).map_err(|e| {
            tracing::error!(error = %e, "fixtures/claims.toml is not valid");
            DomainError::Internal
        })?;
        let admin = &self.config.super_admin;
        // Hash only when the admin must be created: a restart then costs no argon2 run (and keeps no 19 MiB
        // argon2 buffer around), which is most of the idle memory and start-up time.
        let admin_missing = admin.create_admin_account && !self.store.read(|tx| tx.user_exists(&admin.username))?;
        let admin_hash = if admin_missing {
            Some(self.hash_password(admin.password.expose())?)
        } else {
            None
        };
        let now = self.now();
        self.store.write(|tx| {
            let mut report = BootstrapReport::default();
            for meta in &file.claim {
                if tx.insert_claim_meta_if_absent(meta)? {
                    report.claims_added += 1;
                }
            }
            if !tx.role_exists(ADMIN_ROLE)? {
                tx.insert_role(ADMIN_ROLE, now)?;
                tx.grant_permission(ADMIN_ROLE, permissions::ROOT)?;
                report.admin_role_created = true;
            }
            if let Some(hash) = admin_hash {
                if !tx.user_exists(&admin.username)? {
                    tx.insert_user(&admin.username, &hash, now)?;
                    tx.add_user_to_role(&admin.username, ADMIN_ROLE)?;
                    report.admin_user_created = true;
                    self.audit(tx, &Actor::System, "user.add", &admin.username, "super admin bootstrap")?;
                }
            }
            Ok::<_, DomainError>(report)
        })
    }

    // ---- authentication ----

    /// Check a user name and password (Basic auth, CLI). Unknown users cost one dummy verify so that timing does
    /// not tell who exists.
    pub fn authenticate(&self, username: &str, password: &Secret) -> Result<Actor, DomainError> {
        let outcome = self.login(username, password)?;
        match (outcome.decision, outcome.user) {
            (crate::domain::login::Decision::Success, Some(name)) => {
                self.actor_for(&name)?.ok_or(DomainError::InvalidCredentials)
            }
            _ => Err(DomainError::InvalidCredentials),
        }
    }

    /// The actor for a user already authenticated (e.g. by a session cookie); None if the user is gone.
    pub fn actor_for(&self, username: &str) -> Result<Option<Actor>, DomainError> {
        let found = self.store.read(|tx| tx.user_and_permissions(username))?;
        Ok(found.map(|(name, permissions)| Actor::User { name, permissions }))
    }

    // ---- users ----

    /// Create a user with a password, roles and claims (RemoteUserStoreManagerService.addUser, `user add`).
    pub fn add_user(
        &self,
        actor: &Actor,
        name: &str,
        password: &Secret,
        roles: &[String],
        claims: &[(String, String)],
        profile: &str,
    ) -> Result<(), DomainError> {
        actor.require(&format!("{}/create", permissions::MANAGE_USERS))?;
        let name = strip_primary_domain(name);
        self.username_policy.check_username(name)?;
        self.password_policy.check_password(password.expose())?;
        let hash = self.hash_password(password.expose())?;
        let now = self.now();
        self.store.write(|tx| {
            if tx.user_exists(name)? {
                return Err(DomainError::UserExists(name.to_string()));
            }
            tx.insert_user(name, &hash, now)?;
            for role in roles
                .iter()
                .map(|r| strip_primary_domain(r))
                .filter(|r| *r != EVERYONE_ROLE)
            {
                if !tx.add_user_to_role(name, role)? {
                    return Err(DomainError::RoleNotFound(role.to_string()));
                }
            }
            self.write_claims(tx, name, profile, claims)?;
            tx.set_claim_value(
                name,
                profile_or_default(profile),
                claims::LAST_PASSWORD_UPDATE_TIME,
                &now.to_string(),
            )?;
            self.audit(tx, actor, "user.add", name, &format!("roles={}", roles.join(",")))
        })
    }

    pub fn delete_user(&self, actor: &Actor, name: &str) -> Result<(), DomainError> {
        actor.require(&format!("{}/delete", permissions::MANAGE_USERS))?;
        let name = strip_primary_domain(name);
        if name.eq_ignore_ascii_case(&self.config.super_admin.username) {
            return Err(DomainError::CannotDeleteAdmin);
        }
        self.store.write(|tx| {
            if !tx.delete_user(name)? {
                return Err(DomainError::UserNotFound(name.to_string()));
            }
            self.audit(tx, actor, "user.delete", name, "")
        })
    }

    pub fn user_exists(&self, actor: &Actor, name: &str) -> Result<bool, DomainError> {
        actor.require(&format!("{}/view", permissions::MANAGE_USERS))?;
        Ok(self.store.read(|tx| tx.user_exists(strip_primary_domain(name)))?)
    }

    /// Users matching a WSO2 filter (`*` wildcard); `limit` < 0 = all.
    pub fn list_users(&self, actor: &Actor, filter: &str, limit: i64) -> Result<Vec<String>, DomainError> {
        actor.require(&format!("{}/list", permissions::MANAGE_USERS))?;
        Ok(self
            .store
            .read(|tx| tx.list_users(strip_primary_domain(filter), limit))?)
    }

    pub fn user_view(&self, actor: &Actor, name: &str, profile: &str) -> Result<UserView, DomainError> {
        let name = strip_primary_domain(name);
        if !actor.is(name) {
            actor.require(&format!("{}/view", permissions::MANAGE_USERS))?;
        }
        self.store
            .read(|tx| {
                let Some(record) = tx.user(name)? else {
                    return Ok(None);
                };
                Ok(Some(UserView {
                    roles: tx.roles_of_user(&record.name)?,
                    claims: tx.claim_values(&record.name, profile_or_default(profile))?,
                    created_at: record.created_at,
                    name: record.name,
                }))
            })?
            .ok_or_else(|| DomainError::UserNotFound(name.to_string()))
    }

    /// Set a user's password as an administrator (updateCredentialByAdmin, `user passwd`).
    pub fn set_password_by_admin(&self, actor: &Actor, name: &str, password: &Secret) -> Result<(), DomainError> {
        actor.require(&format!("{}/update", permissions::MANAGE_USERS))?;
        let name = strip_primary_domain(name);
        self.password_policy.check_password(password.expose())?;
        let hash = self.hash_password(password.expose())?;
        let now = self.now();
        self.store.write(|tx| {
            if !tx.set_password_hash(name, &hash, now)? {
                return Err(DomainError::UserNotFound(name.to_string()));
            }
            tx.set_claim_value(
                name,
                crate::domain::DEFAULT_PROFILE,
                claims::LAST_PASSWORD_UPDATE_TIME,
                &now.to_string(),
            )?;
            // WSO2 (POST_UPDATE_CREDENTIAL_BY_ADMIN): an admin-set password supersedes a pending forced reset.
            if tx.delete_recovery_code(name)? {
                self.unlock_in(tx, name, now)?;
            }
            self.audit(tx, actor, "user.password.admin", name, "")
        })?;
        self.sessions.revoke_user(name);
        Ok(())
    }

    // ---- roles ----

    /// Create a role with permission paths and members (addRole, `role add`).
    pub fn add_role(
        &self,
        actor: &Actor,
        name: &str,
        permission_paths: &[String],
        users: &[String],
    ) -> Result<(), DomainError> {
        actor.require(&format!("{}/create", permissions::MANAGE_USERS))?;
        let name = strip_primary_domain(name);
        if name.is_empty() || name.starts_with("Internal/") || name.chars().any(char::is_control) {
            return Err(DomainError::InvalidInput(format!("Role name '{name}' is not valid.")));
        }
        let paths = permission_paths
            .iter()
            .map(|p| {
                permissions::normalize(p).ok_or_else(|| {
                    DomainError::InvalidInput(format!(
                        "Invalid permission path '{p}'. A permission path starts with /permission."
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let now = self.now();
        self.store.write(|tx| {
            if tx.role_exists(name)? {
                return Err(DomainError::RoleExists(name.to_string()));
            }
            tx.insert_role(name, now)?;
            for path in &paths {
                tx.grant_permission(name, path)?;
            }
            for user in users.iter().map(|u| strip_primary_domain(u)) {
                if !tx.add_user_to_role(user, name)? {
                    return Err(DomainError::UserNotFound(user.to_string()));
                }
            }
            self.audit(tx, actor, "role.add", name, &format!("permissions={}", paths.join(",")))
        })
    }

    pub fn role_names(&self, actor: &Actor) -> Result<Vec<String>, DomainError> {
        actor.require(&format!("{}/view", permissions::MANAGE_USERS))?;
        let mut names = self.store.read(|tx| tx.role_names())?;
        names.push(EVERYONE_ROLE.to_string());
        Ok(names)
    }

    pub fn role_permissions(&self, actor: &Actor, role: &str) -> Result<Vec<String>, DomainError> {
        actor.require(&format!("{}/view", permissions::MANAGE_USERS))?;
        let role = strip_primary_domain(role);
        self.store
            .read(|tx| {
                if !tx.role_exists(role)? {
                    return Ok(None);
                }
                Ok(Some(tx.role_permissions(role)?))
            })?
            .ok_or_else(|| DomainError::RoleNotFound(role.to_string()))
    }

    // ---- claims ----

    /// One claim value of a user (None when unset).
    pub fn claim_value(
        &self,
        actor: &Actor,
        user: &str,
        uri: &str,
        profile: &str,
    ) -> Result<Option<String>, DomainError> {
        let user = strip_primary_domain(user);
        if !actor.is(user) {
            actor.require(&format!("{}/view", permissions::MANAGE_USERS))?;
        }
        self.store.read(|tx| {
            if !tx.user_exists(user)? {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            }
            Ok(Ok(tx.claim_value(user, profile_or_default(profile), uri)?))
        })?
    }

    /// Set claim values of a user in one transaction. Every claim must belong to the local dialect.
    pub fn set_claims(
        &self,
        actor: &Actor,
        user: &str,
        profile: &str,
        values: &[(String, String)],
    ) -> Result<(), DomainError> {
        let user = strip_primary_domain(user);
        if !actor.is(user) {
            actor.require(&format!("{}/update", permissions::MANAGE_USERS))?;
        } else if let Some((uri, _)) = values.iter().find(|(uri, _)| claims::is_protected_from_self(uri)) {
            return Err(DomainError::ReadOnlyClaim(uri.clone()));
        }
        self.store_claims(actor, user, profile, values, "claims.set")
    }

    /// The one path every claim write of an authorized caller takes: a forced-reset trigger becomes the reset in
    /// the same transaction as the other values; sessions are revoked and the mail worker woken after commit.
    fn store_claims(
        &self,
        actor: &Actor,
        user: &str,
        profile: &str,
        values: &[(String, String)],
        audit_action: &str,
    ) -> Result<(), DomainError> {
        let (values, plan) = self.split_reset_trigger(user, values)?;
        self.store.write(|tx| {
            if !tx.user_exists(user)? {
                return Err(DomainError::UserNotFound(user.to_string()));
            }
            self.write_claims(tx, user, profile, &values)?;
            if let Some(plan) = &plan {
                self.apply_reset(tx, actor, user, plan)?;
            }
            let uris: Vec<&str> = values.iter().map(|(u, _)| u.as_str()).collect();
            self.audit(tx, actor, audit_action, user, &uris.join(","))
        })?;
        if plan.is_some() {
            self.after_reset(user);
        }
        Ok(())
    }

    /// Check each claim against the dialect (known, not read-only, matching its regex) and store it.
    fn write_claims(
        &self,
        tx: &Tx<'_>,
        user: &str,
        profile: &str,
        values: &[(String, String)],
    ) -> Result<(), DomainError> {
        if values.is_empty() {
            return Ok(());
        }
        let metas = tx.claim_metas()?;
        for (uri, value) in values {
            let Some(meta) = metas.iter().find(|m| &m.uri == uri) else {
                return Err(DomainError::UnknownClaim(uri.clone()));
            };
            if meta.read_only {
                return Err(DomainError::ReadOnlyClaim(uri.clone()));
            }
            // An empty value removes the claim, so profiles never show a stored empty string.
            if value.is_empty() {
                tx.delete_claim_value(user, profile_or_default(profile), uri)?;
                continue;
            }
            if !meta.regex.is_empty() && !value.is_empty() {
                let ok = regex::Regex::new(&meta.regex)
                    .map(|re| re.is_match(value))
                    .unwrap_or(true);
                if !ok {
                    return Err(DomainError::InvalidInput(format!(
                        "The value of claim {uri} does not match the pattern {}",
                        meta.regex
                    )));
                }
            }
            tx.set_claim_value(user, profile_or_default(profile), uri, value)?;
        }
        Ok(())
    }

    /// The claim dialect, in display order.
    pub fn claim_metas(&self) -> Result<Dialect, DomainError> {
        Ok(self.store.read(|tx| tx.claim_metas())?)
    }
}

/// A governance connector with the current and default value of each property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorView {
    pub def: ConnectorDef,
    pub properties: Vec<PropertyView>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyView {
    pub def: PropertyDef,
    pub value: String,
    pub default: String,
}

/// One field of a user profile: a supported-by-default claim and the user's value for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileField {
    pub meta: Arc<ClaimMeta>,
    pub value: Option<String>,
}

impl App {
    /// UserProfileMgtService's in-method rule: a user may act on their own profile; anyone else needs
    /// `/permission/admin/configure/security/usermgt/profiles`.
    fn authorize_profile(&self, actor: &Actor, user: &str) -> Result<(), DomainError> {
        if actor.is(user) || actor.has(permissions::CONFIGURE_PROFILES) {
            Ok(())
        } else {
            Err(DomainError::NotAuthorized)
        }
    }

    /// The profile as `getUserProfile` shows it: every supported-by-default claim with the user's value. None when
    /// the user has no such profile (`default` always exists).
    pub fn user_profile(
        &self,
        actor: &Actor,
        user: &str,
        profile: &str,
    ) -> Result<Option<Vec<ProfileField>>, DomainError> {
        let user = strip_primary_domain(user);
        self.authorize_profile(actor, user)?;
        let profile = profile_or_default(profile);
        self.store.read(|tx| {
            let Some(values) = tx.user_claim_values(user, profile)? else {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            };
            if profile != crate::domain::DEFAULT_PROFILE && !tx.profile_names(user)?.iter().any(|p| p == profile) {
                return Ok(Ok(None));
            }
            let fields = tx
                .claim_metas()?
                .iter()
                .filter(|m| m.supported_by_default)
                .map(|meta| {
                    let value = if meta.uri == "http://wso2.org/claims/username" {
                        Some(user.to_string())
                    } else {
                        values.iter().find(|(u, _)| *u == meta.uri).map(|(_, v)| v.clone())
                    };
                    ProfileField {
                        meta: meta.clone(),
                        value,
                    }
                })
                .collect();
            Ok(Ok(Some(fields)))
        })?
    }

    /// The names of a user's profiles; `default` is always first.
    pub fn user_profile_names(&self, actor: &Actor, user: &str) -> Result<Vec<String>, DomainError> {
        let user = strip_primary_domain(user);
        self.authorize_profile(actor, user)?;
        self.store.read(|tx| {
            if !tx.user_exists(user)? {
                return Ok(Err(DomainError::UserNotFound(user.to_string())));
            }
            let mut names = vec![crate::domain::DEFAULT_PROFILE.to_string()];
            names.extend(
                tx.profile_names(user)?
                    .into_iter()
                    .filter(|p| p != crate::domain::DEFAULT_PROFILE),
            );
            Ok(Ok(names))
        })?
    }

    /// `setUserProfile`: write the given claim values into one profile, under the profile rule.
    pub fn set_user_profile(
        &self,
        actor: &Actor,
        user: &str,
        profile: &str,
        values: &[(String, String)],
    ) -> Result<(), DomainError> {
        let user = strip_primary_domain(user);
        self.authorize_profile(actor, user)?;
        if actor.is(user) && !actor.has(permissions::CONFIGURE_PROFILES) {
            if let Some((uri, _)) = values.iter().find(|(uri, _)| claims::is_protected_from_self(uri)) {
                return Err(DomainError::ReadOnlyClaim(uri.clone()));
            }
        }
        self.store_claims(actor, user, profile, values, "profile.set")
    }

    /// `deleteUserProfile`: remove every value of a non-default profile.
    pub fn delete_user_profile(&self, actor: &Actor, user: &str, profile: &str) -> Result<(), DomainError> {
        let user = strip_primary_domain(user);
        self.authorize_profile(actor, user)?;
        if profile_or_default(profile) == crate::domain::DEFAULT_PROFILE {
            return Err(DomainError::InvalidInput("Default profile can not be deleted".into()));
        }
        self.store.write(|tx| {
            if !tx.user_exists(user)? {
                return Err(DomainError::UserNotFound(user.to_string()));
            }
            tx.delete_profile(user, profile)?;
            self.audit(tx, actor, "profile.delete", user, profile)
        })
    }

    /// Link a federated identity (idp, id) to a user.
    pub fn associate(&self, actor: &Actor, user: &str, idp: &str, associated_id: &str) -> Result<(), DomainError> {
        let user = strip_primary_domain(user);
        if idp.trim().is_empty() || associated_id.trim().is_empty() {
            return Err(DomainError::MissingInput);
        }
        self.store.write(|tx| {
            match tx.add_association(user, idp, associated_id) {
                Ok(true) => {}
                Ok(false) => return Err(DomainError::UserNotFound(user.to_string())),
                Err(StoreError::Conflict) => {
                    return Err(DomainError::InvalidInput(format!(
                        "UserAlreadyAssociated: Provided user account is already associated to the given {idp} identity"
                    )));
                }
                Err(e) => return Err(e.into()),
            }
            self.audit(tx, actor, "association.add", user, idp)
        })
    }

    pub fn remove_association(
        &self,
        actor: &Actor,
        user: &str,
        idp: &str,
        associated_id: &str,
    ) -> Result<(), DomainError> {
        let user = strip_primary_domain(user);
        self.store.write(|tx| {
            tx.remove_association(user, idp, associated_id)?;
            self.audit(tx, actor, "association.remove", user, idp)
        })
    }

    /// A user's associations as (idp, associated id).
    pub fn associations(&self, user: &str) -> Result<Vec<(String, String)>, DomainError> {
        Ok(self.store.read(|tx| tx.associations_of(strip_primary_domain(user)))?)
    }

    /// The user name a federated identity is linked to.
    pub fn user_for_association(&self, idp: &str, associated_id: &str) -> Result<Option<String>, DomainError> {
        Ok(self.store.read(|tx| tx.user_for_association(idp, associated_id))?)
    }

    /// The `[identity_mgt.password_reset_by_admin]` defaults of the governance properties.
    fn reset_defaults(&self) -> ResetSettings {
        let d = &self.config.password_reset_by_admin;
        ResetSettings {
            recovery_link: d.enable_emailed_link_based_reset,
            otp: d.enable_emailed_otp_based_reset,
            offline: d.enable_offline_otp_based_reset,
            expiry_minutes: d.code_validity_minutes,
        }
    }

    /// The effective admin-forced-reset settings: deployment.toml defaults overridden by stored properties.
    pub fn reset_settings(&self) -> Result<ResetSettings, DomainError> {
        let overrides = self.store.read(|tx| tx.governance_properties())?;
        Ok(self.reset_defaults().with_overrides(&overrides))
    }

    /// `getConnectorList`: every connector with the current value of each property.
    pub fn connectors(&self, actor: &Actor) -> Result<Vec<ConnectorView>, DomainError> {
        actor.require(permissions::GOVERNANCE_VIEW)?;
        let defaults = self.reset_defaults();
        let current = self.reset_settings()?;
        Ok(governance::CONNECTORS
            .iter()
            .map(|c| ConnectorView {
                def: *c,
                properties: c
                    .properties
                    .iter()
                    .map(|p| PropertyView {
                        def: *p,
                        value: current.value_of(p.name).unwrap_or_default(),
                        default: defaults.value_of(p.name).unwrap_or_default(),
                    })
                    .collect(),
            })
            .collect())
    }

    /// `updateConfigurations`: validate every property first, then store them all in one transaction.
    pub fn update_configurations(&self, actor: &Actor, values: &[(String, String)]) -> Result<(), DomainError> {
        actor.require(permissions::GOVERNANCE_UPDATE)?;
        let validated = values
            .iter()
            .map(|(name, value)| governance::validate(name, value).map(|v| (name.clone(), v)))
            .collect::<Result<Vec<_>, _>>()?;
        self.store.write(|tx| {
            for (name, value) in &validated {
                tx.set_governance_property(name, value)?;
            }
            let detail: Vec<String> = validated.iter().map(|(n, v)| format!("{n}={v}")).collect();
            self.audit(
                tx,
                actor,
                "governance.update",
                "admin-forced-password-reset",
                &detail.join(","),
            )
        })
    }
}

/// WSO2 treats a missing or empty profile name as `default`.
pub fn profile_or_default(profile: &str) -> &str {
    if profile.trim().is_empty() {
        crate::domain::DEFAULT_PROFILE
    } else {
        profile
    }
}

#[cfg(test)]
mod tests;
