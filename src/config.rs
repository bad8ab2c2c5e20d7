//! deployment.toml → a validated [`Config`]: WSO2's own keys, our `[forcereset]` keys, defaults and warnings.
//!
//! OWNER: config helper. Everything else reads `Config`; nothing else parses TOML.

use std::path::{Path, PathBuf};

/// A secret string: never printed by `Debug` or `Display`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret itself; call sites that use it are the only places it leaves this type.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"********\"")
    }
}

#[derive(Debug, Clone)]
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
    pub tls: TlsConfig,
    pub user_store: UserStoreConfig,
    pub account_lock: AccountLockConfig,
    pub emulator: EmulatorConfig,
}

#[derive(Debug, Clone)]
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

#[derive(Debug, Clone)]
pub struct SuperAdminConfig {
    pub username: String,
    pub password: Secret,
    pub create_admin_account: bool,
}

/// `[output_adapter.email]`. `hostname = None` means the built-in mailbox only.
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone)]
pub struct AdminResetDefaults {
    pub enable_emailed_link_based_reset: bool,
    pub enable_emailed_otp_based_reset: bool,
    pub enable_offline_otp_based_reset: bool,
    /// Minutes; negative = never expires. Accepts 1440, "1440", "1440m", "24h", "1d".
    pub code_validity_minutes: i64,
    pub enable_account_lock_notification: bool,
    pub enable_account_unlock_notification: bool,
}

/// `[authentication.authenticator.basic.parameters]`
#[derive(Debug, Clone, Default)]
pub struct BasicAuthParams {
    pub show_auth_failure_reason: bool,
    pub mask_admin_forced_password_reset_error_code: bool,
}

/// `[transport.https]`-ish: an optional PEM certificate chain and key; None = generated.
#[derive(Debug, Clone, Default)]
pub struct TlsConfig {
    pub certificate_path: Option<PathBuf>,
    pub private_key_path: Option<PathBuf>,
}

/// `[user_store]`
#[derive(Debug, Clone)]
pub struct UserStoreConfig {
    /// `password_java_regex`, default `^[\S]{5,30}$`.
    pub password_java_regex: String,
    /// `username_java_regex`, default `^[\S]{3,30}$`.
    pub username_java_regex: String,
}

/// `[identity_mgt.account_locking]` (WSO2 account-lock connector).
#[derive(Debug, Clone)]
pub struct AccountLockConfig {
    pub enable_account_locking: bool,
    pub allowed_failed_attempts: u32,
    pub auto_unlock_after_minutes: i64,
}

/// `[forcereset]`: settings of the emulator itself, not WSO2 keys.
#[derive(Debug, Clone)]
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
    /// `email_templates`, default "email-templates/email-admin-config.xml" (falls back to the embedded copy).
    pub email_templates: Option<PathBuf>,
}

/// A config problem that stops start-up; the message names the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not valid TOML: {message}")]
    Syntax { path: String, message: String },
    #[error("{path}: {key}: {message}")]
    Invalid {
        path: String,
        key: String,
        message: String,
    },
}

/// What loading produced: the config and one warning line per unknown key.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<String>,
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
    pub fn from_toml_str(_text: &str, _origin: &str) -> Result<Loaded, ConfigError> {
        todo!("config helper")
    }

    /// The embedded defaults (what an empty deployment.toml gives).
    pub fn defaults() -> Config {
        todo!("config helper")
    }

    /// The public base URL, e.g. `https://localhost:9443`.
    pub fn product_url(&self) -> String {
        format!("https://{}:{}", self.server.hostname, self.server.https_port())
    }

    /// The effective config as TOML with secrets masked (for `config check`).
    pub fn render_masked(&self) -> String {
        todo!("config helper")
    }
}
