//! deployment.toml → a validated [`Config`]: WSO2's own keys, our `[forcereset]` keys, defaults and warnings.
//!
//! OWNER: config helper. Everything else reads `Config`; nothing else parses TOML.

use std::collections::HashSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::domain::password::{DEFAULT_PASSWORD_REGEX, DEFAULT_USERNAME_REGEX, Policy};

pub use crate::domain::secret::Secret;

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
    pub emulator: EmulatorConfig,
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

/// `[authentication.authenticator.basic.parameters]`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BasicAuthParams {
    pub show_auth_failure_reason: bool,
    pub mask_admin_forced_password_reset_error_code: bool,
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
    /// `password_java_regex`, default `^[\S]{5,30}$`.
    pub password_java_regex: String,
    /// `username_java_regex`, default `^[\S]{3,30}$`.
    pub username_java_regex: String,
}

/// `[identity_mgt.account_locking]` (WSO2 account-lock connector).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLockConfig {
    pub enable_account_locking: bool,
    pub allowed_failed_attempts: u32,
    /// `auto_unlock_after` in minutes; -1 = never unlocks by itself (an admin must unlock).
    pub auto_unlock_after_minutes: i64,
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

/// What loading produced: the config and one warning line per unknown key.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<String>,
}

/// How passwords appear in [`Config::render_masked`].
const MASK: &str = "********";
/// Durations are capped so that minutes → milliseconds can never overflow an i64.
const MAX_MINUTES: i64 = i32::MAX as i64;
/// `max_request_body_bytes` bounds: 1 KiB ..= 64 MiB.
const MIN_BODY_BYTES: i64 = 1024;
const MAX_BODY_BYTES: i64 = 64 * 1024 * 1024;
const DEFAULT_OTP_ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

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
        let mut reader = Reader::new(origin, &table);
        let config = Config::read(&mut reader)?;
        let warnings = reader
            .unknown_keys()
            .into_iter()
            .map(|key| format!("{origin}: unknown key {key} ignored (not implemented by forcereset)"))
            .collect();
        Ok(Loaded { config, warnings })
    }

    /// The embedded defaults (what an empty deployment.toml gives).
    pub fn defaults() -> Config {
        Config {
            source: None,
            server: ServerConfig {
                hostname: "localhost".to_string(),
                offset: 0,
            },
            super_admin: SuperAdminConfig {
                username: "admin".to_string(),
                password: Secret::new("admin"),
                create_admin_account: true,
            },
            admin_service_wsdl_enable: false,
            email: EmailConfig {
                from_address: "forcereset@localhost".to_string(),
                username: String::new(),
                password: Secret::default(),
                hostname: None,
                port: 587,
                enable_start_tls: true,
                enable_authentication: true,
                signature: String::new(),
                reply_to: "forcereset@localhost".to_string(),
            },
            password_reset_by_admin: AdminResetDefaults {
                enable_emailed_link_based_reset: false,
                enable_emailed_otp_based_reset: false,
                enable_offline_otp_based_reset: false,
                code_validity_minutes: 1440,
                enable_account_lock_notification: false,
                enable_account_unlock_notification: false,
            },
            basic_auth: BasicAuthParams::default(),
            tls: None,
            user_store: UserStoreConfig {
                password_java_regex: DEFAULT_PASSWORD_REGEX.to_string(),
                username_java_regex: DEFAULT_USERNAME_REGEX.to_string(),
            },
            account_lock: AccountLockConfig {
                enable_account_locking: true,
                allowed_failed_attempts: 5,
                auto_unlock_after_minutes: 5,
            },
            emulator: EmulatorConfig {
                data_dir: PathBuf::from("./data"),
                bind_address: "127.0.0.1".to_string(),
                enable_https: true,
                enable_http: true,
                https_port: None,
                http_port: None,
                allow_admin_services_over_http: false,
                otp_length: 6,
                otp_alphabet: DEFAULT_OTP_ALPHABET.to_string(),
                max_otp_attempts: 5,
                max_request_body_bytes: 1024 * 1024,
                smtp_accept_invalid_certs: false,
                smtp_timeout_seconds: 15,
                read_timeout_seconds: 30,
                email_templates: None,
            },
        }
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

    /// The effective config as TOML with secrets masked (for `config check`).
    pub fn render_masked(&self) -> String {
        let mut doc = Doc::default();
        match &self.source {
            Some(path) => doc.comment(&format!("Effective configuration read from {}.", path.display())),
            None => doc.comment("Effective configuration."),
        }
        doc.comment("Defaults are filled in; passwords are masked.");

        doc.table("server");
        doc.kv("hostname", self.server.hostname.as_str());
        doc.kv("offset", i64::from(self.server.offset));

        doc.table("super_admin");
        doc.kv("username", self.super_admin.username.as_str());
        doc.kv("password", MASK);
        doc.kv("create_admin_account", self.super_admin.create_admin_account);

        doc.table("admin_service.wsdl");
        doc.kv("enable", self.admin_service_wsdl_enable);

        let email = &self.email;
        doc.table("output_adapter.email");
        match &email.hostname {
            Some(hostname) => doc.kv("hostname", hostname.as_str()),
            None => doc.comment("hostname not set: e-mails go to the built-in mailbox only, no SMTP"),
        }
        doc.kv("port", i64::from(email.port));
        doc.kv("from_address", email.from_address.as_str());
        doc.kv("username", email.username.as_str());
        doc.kv("password", MASK);
        doc.kv("enable_start_tls", email.enable_start_tls);
        doc.kv("enable_authentication", email.enable_authentication);
        doc.kv("signature", email.signature.as_str());
        doc.kv("reply_to", email.reply_to.as_str());

        let reset = &self.password_reset_by_admin;
        doc.table("identity_mgt.password_reset_by_admin");
        doc.kv("enable_emailed_link_based_reset", reset.enable_emailed_link_based_reset);
        doc.kv("enable_emailed_otp_based_reset", reset.enable_emailed_otp_based_reset);
        doc.kv("enable_offline_otp_based_reset", reset.enable_offline_otp_based_reset);
        doc.kv("code_validity_period", render_minutes(reset.code_validity_minutes));
        doc.kv(
            "enable_account_lock_notification",
            reset.enable_account_lock_notification,
        );
        doc.kv(
            "enable_account_unlock_notification",
            reset.enable_account_unlock_notification,
        );

        let lock = &self.account_lock;
        doc.table("identity_mgt.account_locking");
        doc.kv("enable_account_locking", lock.enable_account_locking);
        doc.kv("allowed_failed_attempts", lock.allowed_failed_attempts);
        doc.kv("auto_unlock_after", render_minutes(lock.auto_unlock_after_minutes));

        doc.table("authentication.authenticator.basic.parameters");
        doc.kv("showAuthFailureReason", self.basic_auth.show_auth_failure_reason);
        doc.kv(
            "maskAdminForcedPasswordResetErrorCode",
            self.basic_auth.mask_admin_forced_password_reset_error_code,
        );

        match &self.tls {
            Some(pair) => {
                doc.table("transport.https.sslHostConfig.certificate");
                doc.kv("certificate_file", path_text(&pair.certificate_path));
                doc.kv("certificate_key_file", path_text(&pair.private_key_path));
            }
            None => {
                doc.blank();
                doc.comment("[transport.https.sslHostConfig.certificate] not set: a self-signed certificate is used");
            }
        }

        doc.table("user_store");
        doc.kv("password_java_regex", self.user_store.password_java_regex.as_str());
        doc.kv("username_java_regex", self.user_store.username_java_regex.as_str());

        let emu = &self.emulator;
        doc.table("forcereset");
        doc.kv("data_dir", path_text(&emu.data_dir));
        doc.kv("bind_address", emu.bind_address.as_str());
        doc.kv("enable_https", emu.enable_https);
        doc.kv("enable_http", emu.enable_http);
        match emu.https_port {
            Some(port) => doc.kv("https_port", i64::from(port)),
            None => doc.comment(&format!(
                "https_port not set: 9443 + offset = {}",
                self.server.https_port()
            )),
        }
        match emu.http_port {
            Some(port) => doc.kv("http_port", i64::from(port)),
            None => doc.comment(&format!(
                "http_port not set: 9763 + offset = {}",
                self.server.http_port()
            )),
        }
        doc.kv("allow_admin_services_over_http", emu.allow_admin_services_over_http);
        doc.kv("otp_length", saturating_i64(emu.otp_length));
        doc.kv("otp_alphabet", emu.otp_alphabet.as_str());
        doc.kv("max_otp_attempts", emu.max_otp_attempts);
        doc.kv("max_request_body_bytes", saturating_i64(emu.max_request_body_bytes));
        doc.kv("smtp_accept_invalid_certs", emu.smtp_accept_invalid_certs);
        doc.kv(
            "smtp_timeout_seconds",
            i64::try_from(emu.smtp_timeout_seconds).unwrap_or(i64::MAX),
        );
        doc.kv(
            "read_timeout_seconds",
            i64::try_from(emu.read_timeout_seconds).unwrap_or(i64::MAX),
        );
        match &emu.email_templates {
            Some(path) => doc.kv("email_templates", path_text(path)),
            None => doc.comment("email_templates not set: the embedded email-admin-config.xml is used"),
        }
        doc.0
    }

    /// Read every key we know from `r`, falling back to [`Config::defaults`].
    fn read(r: &mut Reader<'_>) -> Result<Config, ConfigError> {
        let d = Config::defaults();

        let hostname = r.non_empty_string("server.hostname")?;
        if let Some(host) = &hostname {
            if host.chars().any(|c| c.is_whitespace() || "/?#@".contains(c)) {
                return Err(r.invalid(
                    "server.hostname",
                    format!("expected a host name such as \"localhost\", found string {host:?}"),
                ));
            }
        }
        let server = ServerConfig {
            hostname: hostname.unwrap_or(d.server.hostname),
            offset: r.int("server.offset", 0, 55000)?.unwrap_or(d.server.offset),
        };

        let create_admin_account = r.bool("super_admin.create_admin_account", d.super_admin.create_admin_account)?;
        let admin_password = r.secret("super_admin.password")?.unwrap_or(d.super_admin.password);
        if create_admin_account && admin_password.is_empty() {
            return Err(r.invalid(
                "super_admin.password",
                "must not be empty when create_admin_account is true".to_string(),
            ));
        }
        let super_admin = SuperAdminConfig {
            username: r
                .non_empty_string("super_admin.username")?
                .unwrap_or(d.super_admin.username),
            password: admin_password,
            create_admin_account,
        };

        let admin_service_wsdl_enable = r.bool("admin_service.wsdl.enable", d.admin_service_wsdl_enable)?;
        let email = Self::read_email(r, d.email)?;

        let p = "identity_mgt.password_reset_by_admin";
        let dr = d.password_reset_by_admin;
        let password_reset_by_admin = AdminResetDefaults {
            enable_emailed_link_based_reset: r.bool(
                &format!("{p}.enable_emailed_link_based_reset"),
                dr.enable_emailed_link_based_reset,
            )?,
            enable_emailed_otp_based_reset: r.bool(
                &format!("{p}.enable_emailed_otp_based_reset"),
                dr.enable_emailed_otp_based_reset,
            )?,
            enable_offline_otp_based_reset: r.bool(
                &format!("{p}.enable_offline_otp_based_reset"),
                dr.enable_offline_otp_based_reset,
            )?,
            code_validity_minutes: r
                .minutes(&format!("{p}.code_validity_period"))?
                .unwrap_or(dr.code_validity_minutes),
            enable_account_lock_notification: r.bool(
                &format!("{p}.enable_account_lock_notification"),
                dr.enable_account_lock_notification,
            )?,
            enable_account_unlock_notification: r.bool(
                &format!("{p}.enable_account_unlock_notification"),
                dr.enable_account_unlock_notification,
            )?,
        };

        let p = "authentication.authenticator.basic.parameters";
        let basic_auth = BasicAuthParams {
            show_auth_failure_reason: r.bool(
                &format!("{p}.showAuthFailureReason"),
                d.basic_auth.show_auth_failure_reason,
            )?,
            mask_admin_forced_password_reset_error_code: r.bool(
                &format!("{p}.maskAdminForcedPasswordResetErrorCode"),
                d.basic_auth.mask_admin_forced_password_reset_error_code,
            )?,
        };

        let cert_key = "transport.https.sslHostConfig.certificate.certificate_file";
        let key_key = "transport.https.sslHostConfig.certificate.certificate_key_file";
        let certificate = r.non_empty_string(cert_key)?;
        let private_key = r.non_empty_string(key_key)?;
        let tls = match (certificate, private_key) {
            (Some(cert), Some(key)) => Some(PemPair {
                certificate_path: PathBuf::from(cert),
                private_key_path: PathBuf::from(key),
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(r.invalid(
                    key_key,
                    "missing: must be set together with certificate_file".to_string(),
                ));
            }
            (None, Some(_)) => {
                return Err(r.invalid(
                    cert_key,
                    "missing: must be set together with certificate_key_file".to_string(),
                ));
            }
        };

        let user_store = UserStoreConfig {
            password_java_regex: r
                .regex("user_store.password_java_regex")?
                .unwrap_or(d.user_store.password_java_regex),
            username_java_regex: r
                .regex("user_store.username_java_regex")?
                .unwrap_or(d.user_store.username_java_regex),
        };

        let p = "identity_mgt.account_locking";
        let account_lock = AccountLockConfig {
            enable_account_locking: r.bool(
                &format!("{p}.enable_account_locking"),
                d.account_lock.enable_account_locking,
            )?,
            allowed_failed_attempts: r
                .int(&format!("{p}.allowed_failed_attempts"), 1, i64::from(u32::MAX))?
                .unwrap_or(d.account_lock.allowed_failed_attempts),
            auto_unlock_after_minutes: r
                .minutes(&format!("{p}.auto_unlock_after"))?
                .unwrap_or(d.account_lock.auto_unlock_after_minutes),
        };

        let emulator = Self::read_emulator(r, &server, d.emulator)?;

        Ok(Config {
            source: None,
            server,
            super_admin,
            admin_service_wsdl_enable,
            email,
            password_reset_by_admin,
            basic_auth,
            tls,
            user_store,
            account_lock,
            emulator,
        })
    }

    fn read_email(r: &mut Reader<'_>, d: EmailConfig) -> Result<EmailConfig, ConfigError> {
        let p = "output_adapter.email";
        let from_key = format!("{p}.from_address");
        let from_address = r.address(&from_key)?.unwrap_or(d.from_address);
        let username = r.string(&format!("{p}.username"))?.unwrap_or(d.username);
        let password = r.secret(&format!("{p}.password"))?.unwrap_or(d.password);
        let hostname = r.non_empty_string(&format!("{p}.hostname"))?;
        if let Some(host) = &hostname {
            if host.chars().any(char::is_whitespace) {
                return Err(r.invalid(
                    &format!("{p}.hostname"),
                    format!("expected an SMTP host name, found string {host:?}"),
                ));
            }
        }
        let port = r.int(&format!("{p}.port"), 1, 65535)?.unwrap_or(d.port);
        let enable_start_tls = r.bool(&format!("{p}.enable_start_tls"), d.enable_start_tls)?;
        let enable_authentication = r.bool(&format!("{p}.enable_authentication"), d.enable_authentication)?;
        if hostname.is_some() && enable_authentication && username.trim().is_empty() {
            return Err(r.invalid(
                &format!("{p}.username"),
                "must be set when hostname is set and enable_authentication is true".to_string(),
            ));
        }
        let signature = r.string(&format!("{p}.signature"))?.unwrap_or_else(|| username.clone());
        let reply_to = r
            .address(&format!("{p}.reply_to"))?
            .unwrap_or_else(|| from_address.clone());
        Ok(EmailConfig {
            from_address,
            username,
            password,
            hostname,
            port,
            enable_start_tls,
            enable_authentication,
            signature,
            reply_to,
        })
    }

    fn read_emulator(
        r: &mut Reader<'_>,
        server: &ServerConfig,
        d: EmulatorConfig,
    ) -> Result<EmulatorConfig, ConfigError> {
        let bind_key = "forcereset.bind_address";
        let bind_address = match r.non_empty_string(bind_key)? {
            None => d.bind_address,
            Some(text) => {
                if text.parse::<IpAddr>().is_err() {
                    return Err(r.invalid(
                        bind_key,
                        format!("expected an IP address such as \"127.0.0.1\" or \"0.0.0.0\", found string {text:?}"),
                    ));
                }
                text
            }
        };
        let enable_https = r.bool("forcereset.enable_https", d.enable_https)?;
        let enable_http = r.bool("forcereset.enable_http", d.enable_http)?;
        if !enable_https && !enable_http {
            return Err(r.invalid(
                "forcereset.enable_http",
                "enable_https and enable_http are both false; at least one listener must be enabled".to_string(),
            ));
        }
        let https_port: Option<u16> = r.int("forcereset.https_port", 0, 65535)?;
        let http_port: Option<u16> = r.int("forcereset.http_port", 0, 65535)?;
        let effective_https = https_port.unwrap_or_else(|| server.https_port());
        let effective_http = http_port.unwrap_or_else(|| server.http_port());
        if enable_https && enable_http && effective_https != 0 && effective_https == effective_http {
            return Err(r.invalid(
                "forcereset.http_port",
                format!("HTTP and HTTPS would both listen on port {effective_http}"),
            ));
        }

        let alphabet_key = "forcereset.otp_alphabet";
        let otp_alphabet = match r.string(alphabet_key)? {
            None => d.otp_alphabet,
            Some(alphabet) => {
                if let Some(problem) = alphabet_problem(&alphabet) {
                    return Err(r.invalid(
                        alphabet_key,
                        format!("expected at least 10 distinct ASCII letters and digits, found string {alphabet:?} ({problem})"),
                    ));
                }
                alphabet
            }
        };

        Ok(EmulatorConfig {
            data_dir: r
                .non_empty_string("forcereset.data_dir")?
                .map(PathBuf::from)
                .unwrap_or(d.data_dir),
            bind_address,
            enable_https,
            enable_http,
            https_port,
            http_port,
            allow_admin_services_over_http: r.bool(
                "forcereset.allow_admin_services_over_http",
                d.allow_admin_services_over_http,
            )?,
            otp_length: r.int("forcereset.otp_length", 4, 64)?.unwrap_or(d.otp_length),
            otp_alphabet,
            max_otp_attempts: r
                .int("forcereset.max_otp_attempts", 1, i64::from(u32::MAX))?
                .unwrap_or(d.max_otp_attempts),
            max_request_body_bytes: r
                .int("forcereset.max_request_body_bytes", MIN_BODY_BYTES, MAX_BODY_BYTES)?
                .unwrap_or(d.max_request_body_bytes),
            smtp_accept_invalid_certs: r.bool("forcereset.smtp_accept_invalid_certs", d.smtp_accept_invalid_certs)?,
            smtp_timeout_seconds: r
                .int("forcereset.smtp_timeout_seconds", 1, 600)?
                .unwrap_or(d.smtp_timeout_seconds),
            read_timeout_seconds: r
                .int("forcereset.read_timeout_seconds", 1, 600)?
                .unwrap_or(d.read_timeout_seconds),
            email_templates: r
                .non_empty_string("forcereset.email_templates")?
                .map(PathBuf::from)
                .or(d.email_templates),
        })
    }
}

/// Why an OTP alphabet is unusable, if it is.
fn alphabet_problem(alphabet: &str) -> Option<String> {
    if let Some(c) = alphabet.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Some(format!("{c:?} is not an ASCII letter or digit"));
    }
    let mut seen = HashSet::new();
    if let Some(c) = alphabet.chars().find(|c| !seen.insert(*c)) {
        return Some(format!("{c:?} appears more than once"));
    }
    if seen.len() < 10 {
        return Some(format!("only {} characters", seen.len()));
    }
    None
}

/// Minutes as WSO2 writes them: "1440m"; never-expires as "-1".
fn render_minutes(minutes: i64) -> String {
    if minutes < 0 {
        "-1".to_string()
    } else {
        format!("{minutes}m")
    }
}

/// Parse a duration in minutes: `1440`, `"1440"`, `"1440m"`, `"24h"`, `"1d"`; any negative value means -1 (never).
fn parse_minutes(text: &str) -> Option<i64> {
    let text = text.trim();
    let (number, factor) = match text.chars().last() {
        Some('m' | 'M') => (&text[..text.len() - 1], 1),
        Some('h' | 'H') => (&text[..text.len() - 1], 60),
        Some('d' | 'D') => (&text[..text.len() - 1], 1440),
        _ => (text, 1),
    };
    let minutes = number.trim().parse::<i64>().ok()?.checked_mul(factor)?;
    normalize_minutes(minutes)
}

fn normalize_minutes(minutes: i64) -> Option<i64> {
    if minutes < 0 {
        Some(-1)
    } else if minutes <= MAX_MINUTES {
        Some(minutes)
    } else {
        None
    }
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}

fn saturating_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A value as an error message shows it: its type and, unless `secret`, the value itself.
fn describe(value: &Value, secret: bool) -> String {
    let kind = match value {
        Value::String(_) => "string",
        Value::Integer(_) => "integer",
        Value::Float(_) => "float",
        Value::Boolean(_) => "boolean",
        Value::Datetime(_) => "date-time",
        Value::Array(_) => return "an array".to_string(),
        Value::Table(_) => return "a table".to_string(),
    };
    if secret {
        format!("a {kind}")
    } else {
        format!("{kind} {value}")
    }
}

/// A dotted key as TOML would spell it: bare segments stay bare, others are quoted.
fn dotted(path: &[String]) -> String {
    path.iter()
        .map(|segment| {
            let bare = !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if bare {
                segment.clone()
            } else {
                Value::String(segment.clone()).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Walks the parsed TOML by dotted key, converting and checking values, and remembers every key it was asked
/// for so that [`Reader::unknown_keys`] can report the rest.
struct Reader<'a> {
    origin: &'a str,
    root: &'a Table,
    consumed: HashSet<Vec<String>>,
}

impl<'a> Reader<'a> {
    fn new(origin: &'a str, root: &'a Table) -> Self {
        Reader {
            origin,
            root,
            consumed: HashSet::new(),
        }
    }

    fn invalid(&self, key: &str, message: String) -> ConfigError {
        ConfigError::Invalid {
            path: self.origin.to_string(),
            key: key.to_string(),
            message,
        }
    }

    /// The raw value at `key` (segments separated by '.'), marking it consumed. Every table on the way must be
    /// a table; a missing one means the key is absent.
    fn value(&mut self, key: &str) -> Result<Option<&'a Value>, ConfigError> {
        let segments: Vec<&str> = key.split('.').collect();
        self.consumed
            .insert(segments.iter().map(|s| (*s).to_string()).collect());
        let Some((last, parents)) = segments.split_last() else {
            return Ok(None);
        };
        let mut table = self.root;
        for (i, segment) in parents.iter().enumerate() {
            match table.get(*segment) {
                None => return Ok(None),
                Some(Value::Table(inner)) => table = inner,
                Some(other) => {
                    return Err(self.invalid(
                        &segments[..=i].join("."),
                        format!("expected a table, found {}", describe(other, false)),
                    ));
                }
            }
        }
        Ok(table.get(*last))
    }

    /// A boolean; WSO2 also writes them as the strings "true" / "false".
    fn bool(&mut self, key: &str, default: bool) -> Result<bool, ConfigError> {
        match self.value(key)? {
            None => Ok(default),
            Some(Value::Boolean(b)) => Ok(*b),
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => Ok(true),
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => Ok(false),
            Some(other) => Err(self.invalid(key, format!("expected true or false, found {}", describe(other, false)))),
        }
    }

    fn string(&mut self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.invalid(key, format!("expected a string, found {}", describe(other, false)))),
        }
    }

    /// A string that must not be empty or blank when present.
    fn non_empty_string(&mut self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.string(key)? {
            Some(s) if s.trim().is_empty() => {
                Err(self.invalid(key, format!("expected a non-empty string, found string {s:?}")))
            }
            other => Ok(other),
        }
    }

    /// A password: a string whose value never appears in messages.
    fn secret(&mut self, key: &str) -> Result<Option<Secret>, ConfigError> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(Secret::new(s.clone()))),
            Some(other) => Err(self.invalid(key, format!("expected a string, found {}", describe(other, true)))),
        }
    }

    /// An e-mail address (loosely: something@something, no spaces).
    fn address(&mut self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.string(key)? {
            None => Ok(None),
            Some(s) => {
                let plausible = s
                    .split_once('@')
                    .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
                    && !s.chars().any(char::is_whitespace);
                if plausible {
                    Ok(Some(s))
                } else {
                    Err(self.invalid(
                        key,
                        format!("expected an e-mail address such as \"name@example.com\", found string {s:?}"),
                    ))
                }
            }
        }
    }

    /// An integer in `lo..=hi`, written as a TOML integer or a numeric string ("1"), converted to `T`.
    fn int<T: TryFrom<i64>>(&mut self, key: &str, lo: i64, hi: i64) -> Result<Option<T>, ConfigError> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        let number = match value {
            Value::Integer(n) => Some(*n),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        match number
            .filter(|n| (lo..=hi).contains(n))
            .and_then(|n| T::try_from(n).ok())
        {
            Some(n) => Ok(Some(n)),
            None => {
                let expected = if hi >= i64::from(u32::MAX) {
                    format!("an integer of at least {lo}")
                } else {
                    format!("an integer from {lo} to {hi}")
                };
                Err(self.invalid(key, format!("expected {expected}, found {}", describe(value, false))))
            }
        }
    }

    /// A duration in minutes: an integer, or a string "1440", "1440m", "24h", "1d"; negative = -1 (never).
    fn minutes(&mut self, key: &str) -> Result<Option<i64>, ConfigError> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        let minutes = match value {
            Value::Integer(n) => normalize_minutes(*n),
            Value::String(s) => parse_minutes(s),
            _ => None,
        };
        match minutes {
            Some(m) => Ok(Some(m)),
            None => Err(self.invalid(
                key,
                format!(
                    "expected minutes as an integer or a string such as \"1440m\", \"24h\" or \"1d\" \
                     (at most {MAX_MINUTES} minutes; negative = never), found {}",
                    describe(value, false)
                ),
            )),
        }
    }

    /// A regular expression that [`Policy::new`] accepts.
    fn regex(&mut self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.non_empty_string(key)? {
            None => Ok(None),
            Some(pattern) => match Policy::new(&pattern) {
                Ok(_) => Ok(Some(pattern)),
                Err(e) => {
                    // regex's syntax errors are a multi-line drawing of our anchored pattern; keep the reason.
                    let text = e.to_string();
                    let reason = text.lines().last().unwrap_or_default().trim_start_matches("error: ");
                    Err(self.invalid(
                        key,
                        format!("expected a regular expression, found string {pattern:?} ({reason})"),
                    ))
                }
            },
        }
    }

    /// Every key present in the file that nobody asked for, as dotted keys, in file-independent sorted order.
    /// Each unknown scalar or array (an `[[array.of.tables]]` counts as one array) is one entry; an unknown
    /// table contributes one entry per key inside it, or one for itself if it is empty.
    fn unknown_keys(&self) -> Vec<String> {
        let mut found = Vec::new();
        let mut path = Vec::new();
        self.collect_unknown(self.root, &mut path, &mut found);
        found
    }

    fn collect_unknown(&self, table: &Table, path: &mut Vec<String>, found: &mut Vec<String>) {
        for (key, value) in table {
            path.push(key.clone());
            if !self.consumed.contains(path.as_slice()) {
                match value {
                    Value::Table(inner) if !inner.is_empty() => self.collect_unknown(inner, path, found),
                    _ => found.push(dotted(path)),
                }
            }
            path.pop();
        }
    }
}

/// A small TOML writer for [`Config::render_masked`]: tables in a fixed order, comments where values are unset.
#[derive(Default)]
struct Doc(String);

impl Doc {
    fn blank(&mut self) {
        if !self.0.is_empty() {
            self.0.push('\n');
        }
    }

    fn table(&mut self, name: &str) {
        self.blank();
        self.0.push_str(&format!("[{name}]\n"));
    }

    fn kv(&mut self, key: &str, value: impl Into<Value>) {
        let value: Value = value.into();
        self.0.push_str(&format!("{key} = {value}\n"));
    }

    fn comment(&mut self, text: &str) {
        self.0.push_str(&format!("# {text}\n"));
    }
}

#[cfg(test)]
#[allow(clippy::panic)] // a failed test reports through panic!, as assert! does
mod tests;
