//! deployment.toml → a validated [`Config`]: WSO2's own keys, our `[forcereset]` keys, defaults and warnings.
//!
//! Everything else reads `Config`; deployment.toml is parsed only here.
//!
//! Loading has two stages (as kanidm's config does): `raw.rs` deserializes the file into DTOs shaped like
//! deployment.toml, noting unknown keys and naming the key of a badly formed value; `validate.rs` fills in the
//! defaults and checks what a value's form cannot say. `config check` goes back through the same DTOs.

mod keys;
mod raw;
mod validate;

use std::path::{Path, PathBuf};

use toml::Table;

use crate::domain::profile::Wso2Version;
use crate::domain::profile::store::UserStoreType;
use crate::domain::secret::Secret;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The file the config was read from (None = embedded defaults).
    pub source: Option<PathBuf>,
    pub server: ServerConfig,
    pub super_admin: SuperAdminConfig,
    /// `[admin_service.wsdl] enable`
    pub admin_service_wsdl_enable: bool,
    pub email: EmailConfig,
    pub password_reset_by_admin: AdminResetDefaults,
    pub basic_auth: BasicAuthParams,
    /// `[transport.https.sslHostConfig.certificate]`; None = a generated self-signed certificate.
    pub tls: Option<PemPair>,
    pub user_store: UserStoreConfig,
    pub account_lock: AccountLockConfig,
    pub password_expiry: PasswordExpiryConfig,
    pub emulator: EmulatorConfig,
    pub oauth: OAuthConfig,
}

/// `[oauth…]` keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthConfig {
    /// `[oauth.grant_type.password] show_auth_failure_reason` (7.2: the password grant tells why a login failed;
    /// default false).
    pub password_grant_show_auth_failure_reason: bool,
    /// `[oauth] prompt_consent`: `/oauth2/authorize` asks the user to approve the application (`oauth2_consent.do`)
    /// unless they approved it always; default false, as CIF's `identity.xml.j2` skips it unless the key is `true`.
    pub prompt_consent: bool,
    /// `[oauth] prompt_logout_consent`: `/oidc/logout` asks the user first (`oauth2_logout_consent.do`); default
    /// false, as CIF's `identity.xml.j2` skips the consent unless the key is `true`.
    pub prompt_logout_consent: bool,
    /// `[oauth] handle_logout_gracefully`: a logout without a live session ends at the logged-out page (or a
    /// checked `post_logout_redirect_uri`) instead of the error page; default true (`identity.xml.j2`'s comment).
    pub handle_logout_gracefully: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// `[server] hostname`, default "localhost".
    pub hostname: String,
    /// `[server] offset`, default 0. Ports are 9443+offset and 9763+offset.
    pub offset: u16,
}

impl ServerConfig {
    pub fn https_port(&self) -> u16 {
        9443u16.saturating_add(self.offset)
    }
    pub fn http_port(&self) -> u16 {
        9763u16.saturating_add(self.offset)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuperAdminConfig {
    pub username: String,
    pub password: Secret,
    pub create_admin_account: bool,
}

/// `[output_adapter.email]`. `hostname = None` means the built-in mailbox only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailConfig {
    pub from_address: String,
    pub username: String,
    pub password: Secret,
    pub hostname: Option<String>,
    pub port: u16,
    pub enable_start_tls: bool,
    pub enable_authentication: bool,
    pub signature: String,
    pub reply_to: String,
}

/// `[identity_mgt.password_reset_by_admin]`: defaults of the governance properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminResetDefaults {
    pub enable_emailed_link_based_reset: bool,
    pub enable_emailed_otp_based_reset: bool,
    pub enable_offline_otp_based_reset: bool,
    /// `code_validity_period` in minutes; -1 = never expires. Accepts 1440, "1440", "1440m", "24h", "1d", "-1".
    pub code_validity_minutes: i64,
    pub enable_account_lock_notification: bool,
    pub enable_account_unlock_notification: bool,
}

/// `[authentication.authenticator.basic.parameters]`, and `[authentication_policy] check_account_exist`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicAuthParams {
    pub show_auth_failure_reason: bool,
    pub mask_admin_forced_password_reset_error_code: bool,
    /// `maskUserNotExistsErrorCode`: report an unknown user (17001) as a wrong password (17002).
    pub mask_user_not_exists_error_code: bool,
    /// `errorParamsToOmit`: the error parameters the show-reason redirects leave out (`errorCode`,
    /// `failedUsername`, `remainingAttempts`, `lockedReason`).
    pub error_params_to_omit: Vec<String>,
    /// `showAuthFailureReasonOnLoginPage`: a locked account goes back to the login page, not `retry.do` (6.0+).
    pub show_auth_failure_reason_on_login_page: bool,
    /// `[authentication_policy] check_account_exist` (default true): an unknown user is reported as 17001 (5.11+).
    pub check_account_exist: bool,
}

impl Default for BasicAuthParams {
    /// WSO2's defaults.
    fn default() -> BasicAuthParams {
        BasicAuthParams {
            show_auth_failure_reason: false,
            mask_admin_forced_password_reset_error_code: false,
            mask_user_not_exists_error_code: false,
            error_params_to_omit: Vec::new(),
            show_auth_failure_reason_on_login_page: false,
            check_account_exist: true,
        }
    }
}

/// A PEM certificate chain and its private key: configured together or not at all, so half a pair cannot get
/// past loading. Whether the files are usable is checked when the HTTPS listener starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemPair {
    /// `certificate_file`
    pub certificate_path: PathBuf,
    /// `certificate_key_file`
    pub private_key_path: PathBuf,
}

/// `[user_store]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserStoreConfig {
    /// `type`: the primary store emulated; default the profile's (`read_write_ldap_unique_id` for 5.11). A type
    /// forcereset does not emulate is warned about and the default stands in for it.
    pub store_type: UserStoreType,
    /// `password_java_regex`, default `^[\S]{5,30}$`.
    pub password_java_regex: String,
    /// `username_java_regex`, default `^[\S]{3,30}$`.
    pub username_java_regex: String,
}

/// `[identity_mgt.account_locking]`: defaults of the account-lock connector's properties (`account.lock.handler`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLockConfig {
    /// Default false, as a fresh WSO2.
    pub enable_account_locking: bool,
    pub allowed_failed_attempts: u32,
    /// `auto_unlock_after` in minutes; 0 or less = never unlocks by itself (an admin must unlock).
    pub auto_unlock_after_minutes: i64,
    /// `auto_unlock_time_increment_ratio`: each further lock lasts this many times longer (default 2).
    pub auto_unlock_time_increment_ratio: u32,
}

/// The `[[event_handler]]` name of PWP's password-expiry handler.
pub const PASSWORD_EXPIRY_HANDLER: &str = "passwordExpiry";

/// Password expiry's deployment.toml: PWP's `[[event_handler]] name = "passwordExpiry"` (5.x–6.x) and
/// `[identity_mgt.password_expiry]` (7.x's connector defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordExpiryConfig {
    /// The `passwordExpiry` event handler, when configured: on 5.x–6.x it installs PWP's connector and turns
    /// the enforcer on.
    pub event_handler: Option<ExpiryEventHandler>,
    /// `passwordExpiryInDays` of the handler, else `[identity_mgt.password_expiry] password_expiry_in_days`;
    /// default 30.
    pub expiry_in_days: i64,
    /// `[identity_mgt.password_expiry] enable_password_expiry`: 7.x's `passwordExpiry.enablePasswordExpiry`
    /// default, false as in WSO2.
    pub enable_password_expiry: bool,
    /// `skip_if_no_applicable_rules` (7.1+), default false.
    pub skip_if_no_applicable_rules: bool,
}

/// The `passwordExpiry` `[[event_handler]]`'s other keys, kept for `config check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiryEventHandler {
    pub subscriptions: Vec<String>,
    pub enable_data_publishing: bool,
    pub prior_reminder_time_in_days: i64,
}

/// `[forcereset]`: settings of the emulator itself, not WSO2 keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatorConfig {
    /// `data_dir`, default "./data" (relative paths are relative to the working directory).
    pub data_dir: PathBuf,
    /// `bind_address`, default "127.0.0.1".
    pub bind_address: String,
    /// `enable_https`, default true; `enable_http`, default true.
    pub enable_https: bool,
    pub enable_http: bool,
    /// `https_port` / `http_port`: override 9443+offset / 9763+offset; 0 = any free port (tests).
    pub https_port: Option<u16>,
    pub http_port: Option<u16>,
    /// `allow_admin_services_over_http`, default false (WSO2 allows https only).
    pub allow_admin_services_over_http: bool,
    /// `otp_length` (default 6) and `otp_alphabet` (default A–Z0–9).
    pub otp_length: usize,
    pub otp_alphabet: String,
    /// `max_otp_attempts`, default 5.
    pub max_otp_attempts: u32,
    /// `max_request_body_bytes`, default 1 MiB.
    pub max_request_body_bytes: usize,
    /// `smtp_accept_invalid_certs`, default false (for test SMTP servers with self-signed certs).
    pub smtp_accept_invalid_certs: bool,
    /// `smtp_timeout_seconds`, default 15.
    pub smtp_timeout_seconds: u64,
    /// `read_timeout_seconds`, default 30: the time a client has to send a request head, and then its whole body
    /// (slow-header and slow-body clients are dropped); also the idle keep-alive limit.
    pub read_timeout_seconds: u64,
    /// `email_templates`: an email-admin-config.xml to use instead of the embedded copy; default None (not set).
    pub email_templates: Option<PathBuf>,
    /// `wso2_version`: the WSO2 IS release whose client-visible behaviour to emulate; default 5.11.
    pub wso2_version: Wso2Version,
}

/// A config problem that stops start-up; the message names the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: not valid TOML: {message}")]
    Syntax { path: String, message: String },
    #[error("{path}: {key}: {message}")]
    Invalid { path: String, key: String, message: String },
}

/// What loading produced: the config, and one warning line per table with keys forcereset ignores.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<String>,
}

/// A bad value: its dotted key and what is wrong with it. Both stages report this; the file's name is added by
/// [`KeyError::in_file`].
#[derive(Debug)]
struct KeyError {
    key: String,
    message: String,
}

impl KeyError {
    fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        KeyError {
            key: key.into(),
            message: message.into(),
        }
    }

    fn in_file(self, origin: &str) -> ConfigError {
        ConfigError::Invalid {
            path: origin.to_string(),
            key: self.key,
            message: self.message,
        }
    }
}

impl Config {
    /// Load and validate a deployment.toml file.
    pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut loaded = Self::from_toml_str(&text, &path.display().to_string())?;
        loaded.config.source = Some(path.to_path_buf());
        Ok(loaded)
    }

    /// Parse TOML text; `origin` names it in messages.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Loaded, ConfigError> {
        let table: Table = text.parse().map_err(|e: toml::de::Error| ConfigError::Syntax {
            path: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let (raw, ignored) = raw::read(text, &table).map_err(|e| e.in_file(origin))?;
        let notes = validate::notes(&raw);
        let config = validate::validate(raw).map_err(|e| e.in_file(origin))?;
        let warnings = ignored
            .iter()
            .chain(notes.iter())
            .map(|note| format!("{origin}: {note}"))
            .collect();
        Ok(Loaded { config, warnings })
    }

    /// The embedded defaults (what an empty deployment.toml gives).
    pub fn defaults() -> Config {
        validate::resolve(raw::RawConfig::default())
    }

    /// The public base URL, e.g. `https://localhost:9443`.
    pub fn product_url(&self) -> String {
        format!("https://{}:{}", self.server.hostname, self.server.https_port())
    }

    /// The HTTPS port to bind: `[forcereset] https_port` if set, else 9443 + offset.
    pub fn effective_https_port(&self) -> u16 {
        self.emulator.https_port.unwrap_or_else(|| self.server.https_port())
    }

    /// The HTTP port to bind: `[forcereset] http_port` if set, else 9763 + offset.
    pub fn effective_http_port(&self) -> u16 {
        self.emulator.http_port.unwrap_or_else(|| self.server.http_port())
    }

    /// The effective config as TOML with secrets masked (for `config check`), a comment for each key left unset.
    pub fn render_masked(&self) -> String {
        let header = match &self.source {
            Some(path) => format!("Effective configuration read from {}.", path.display()),
            None => "Effective configuration.".to_string(),
        };
        let mut notes: Vec<(&str, String)> = Vec::new();
        if self.email.hostname.is_none() {
            let note = "hostname not set: e-mails go to the built-in mailbox only, no SMTP";
            notes.push(("output_adapter.email", note.to_string()));
        }
        if self.tls.is_none() {
            let note = "certificate_file and certificate_key_file not set: a self-signed certificate is used";
            notes.push(("transport.https.sslHostConfig.certificate", note.to_string()));
        }
        let emu = &self.emulator;
        if emu.https_port.is_none() {
            let note = format!("https_port not set: 9443 + offset = {}", self.server.https_port());
            notes.push(("forcereset", note));
        }
        if emu.http_port.is_none() {
            let note = format!("http_port not set: 9763 + offset = {}", self.server.http_port());
            notes.push(("forcereset", note));
        }
        if emu.email_templates.is_none() {
            let note = "email_templates not set: the embedded email-admin-config.xml is used";
            notes.push(("forcereset", note.to_string()));
        }
        let body = raw::render(&raw::RawConfig::from(self), &notes);
        format!("# {header}\n# Defaults are filled in; passwords are masked.\n\n{body}")
    }
}

#[cfg(test)]
#[allow(clippy::panic)] // a failed test reports through panic!, as assert! does
mod tests;
