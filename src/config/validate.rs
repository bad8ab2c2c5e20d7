//! Stage two of loading: the DTOs → a [`Config`]. [`resolve`] fills in the defaults (the one place they are
//! written); the checks around it cover what a value's form cannot: non-empty strings, host names, addresses,
//! regular expressions, and keys that only make sense together.

use std::collections::HashSet;
use std::net::IpAddr;
use std::path::PathBuf;

use super::raw::RawConfig;
use super::{
    AccountLockConfig, AdminResetDefaults, BasicAuthParams, Config, EmailConfig, EmulatorConfig, ExpiryEventHandler,
    KeyError, OAuthConfig, PasswordExpiryConfig, PemPair, ServerConfig, SuperAdminConfig, UserStoreConfig,
};
use crate::domain::expiry::DEFAULT_EXPIRY_DAYS;
use crate::domain::password::{DEFAULT_PASSWORD_REGEX, DEFAULT_USERNAME_REGEX, Policy};
use crate::domain::profile::Wso2Version;
use crate::domain::profile::store::UserStoreType;
use crate::domain::secret::Secret;

const DEFAULT_OTP_ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const CERTIFICATE_FILE: &str = "transport.https.sslHostConfig.certificate.certificate_file";
const CERTIFICATE_KEY_FILE: &str = "transport.https.sslHostConfig.certificate.certificate_key_file";

/// The DTOs as a checked config; the error names the first bad key found.
pub(super) fn validate(raw: RawConfig) -> Result<Config, KeyError> {
    check_values(&raw)?;
    let config = resolve(raw);
    check_together(&config)?;
    Ok(config)
}

/// The config the DTOs describe, with a default for every key the file leaves out. Infallible, so that
/// [`Config::defaults`] is this of an empty file; [`check_values`] has refused half a certificate pair before.
pub(super) fn resolve(raw: RawConfig) -> Config {
    let RawConfig {
        server,
        super_admin,
        admin_service,
        output_adapter,
        identity_mgt,
        authentication,
        authentication_policy,
        transport,
        user_store,
        oauth,
        forcereset: emu,
        event_handler,
    } = raw;
    let expiry = identity_mgt.password_expiry;
    let expiry_handler = event_handler
        .into_iter()
        .find(|h| h.name.as_deref() == Some(super::PASSWORD_EXPIRY_HANDLER));
    let email = output_adapter.email;
    let reset = identity_mgt.password_reset_by_admin;
    let lock = identity_mgt.account_locking;
    let basic = authentication.authenticator.basic.parameters;
    let certificate = transport.https.ssl_host_config.certificate;

    let wso2_version = emu
        .wso2_version
        .as_deref()
        .and_then(Wso2Version::parse)
        .unwrap_or(Wso2Version::DEFAULT);
    // WSO2 defaults the sender's display name to the SMTP user and Reply-To to the sender.
    let username = email.username.unwrap_or_default();
    let from_address = email.from_address.unwrap_or_else(|| "forcereset@localhost".to_string());
    Config {
        source: None,
        server: ServerConfig {
            hostname: server.hostname.unwrap_or_else(|| "localhost".to_string()),
            offset: server.offset.unwrap_or(0),
        },
        super_admin: SuperAdminConfig {
            username: super_admin.username.unwrap_or_else(|| "admin".to_string()),
            password: super_admin.password.unwrap_or_else(|| Secret::new("admin")),
            create_admin_account: super_admin.create_admin_account.unwrap_or(true),
        },
        admin_service_wsdl_enable: admin_service.wsdl.enable.unwrap_or(false),
        email: EmailConfig {
            signature: email.signature.unwrap_or_else(|| username.clone()),
            reply_to: email.reply_to.unwrap_or_else(|| from_address.clone()),
            from_address,
            username,
            password: email.password.unwrap_or_default(),
            hostname: email.hostname,
            port: email.port.unwrap_or(587),
            enable_start_tls: email.enable_start_tls.unwrap_or(true),
            enable_authentication: email.enable_authentication.unwrap_or(true),
        },
        password_reset_by_admin: AdminResetDefaults {
            enable_emailed_link_based_reset: reset.enable_emailed_link_based_reset.unwrap_or(false),
            enable_emailed_otp_based_reset: reset.enable_emailed_otp_based_reset.unwrap_or(false),
            enable_offline_otp_based_reset: reset.enable_offline_otp_based_reset.unwrap_or(false),
            code_validity_minutes: reset.code_validity_period.unwrap_or(1440),
            enable_account_lock_notification: reset.enable_account_lock_notification.unwrap_or(false),
            enable_account_unlock_notification: reset.enable_account_unlock_notification.unwrap_or(false),
        },
        basic_auth: BasicAuthParams {
            show_auth_failure_reason: basic.show_auth_failure_reason.unwrap_or(false),
            mask_admin_forced_password_reset_error_code: basic
                .mask_admin_forced_password_reset_error_code
                .unwrap_or(false),
            mask_user_not_exists_error_code: basic.mask_user_not_exists_error_code.unwrap_or(false),
            // WSO2 removes every space, then splits on commas.
            error_params_to_omit: basic
                .error_params_to_omit
                .map(|list| {
                    list.replace(' ', "")
                        .split(',')
                        .filter(|p| !p.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            show_auth_failure_reason_on_login_page: basic.show_auth_failure_reason_on_login_page.unwrap_or(false),
            check_account_exist: authentication_policy.check_account_exist.unwrap_or(true),
        },
        tls: match (certificate.certificate_file, certificate.certificate_key_file) {
            (Some(certificate), Some(key)) => Some(PemPair {
                certificate_path: PathBuf::from(certificate),
                private_key_path: PathBuf::from(key),
            }),
            _ => None,
        },
        user_store: UserStoreConfig {
            store_type: user_store
                .store_type
                .as_deref()
                .and_then(UserStoreType::parse)
                .unwrap_or(wso2_version.profile().store.default_user_store),
            password_java_regex: user_store
                .password_java_regex
                .unwrap_or_else(|| DEFAULT_PASSWORD_REGEX.to_string()),
            username_java_regex: user_store
                .username_java_regex
                .unwrap_or_else(|| DEFAULT_USERNAME_REGEX.to_string()),
        },
        account_lock: AccountLockConfig {
            // Off, as in a fresh WSO2 of every release (carbon-identity-framework identity-event default.json).
            enable_account_locking: lock.enable_account_locking.unwrap_or(false),
            allowed_failed_attempts: lock.allowed_failed_attempts.unwrap_or(5),
            auto_unlock_after_minutes: lock.auto_unlock_after.unwrap_or(5),
            auto_unlock_time_increment_ratio: lock.auto_unlock_time_increment_ratio.unwrap_or(2),
        },
        password_expiry: PasswordExpiryConfig {
            expiry_in_days: expiry_handler
                .as_ref()
                .and_then(|h| h.properties.password_expiry_in_days)
                .or(expiry.password_expiry_in_days)
                .unwrap_or(DEFAULT_EXPIRY_DAYS),
            event_handler: expiry_handler.map(|h| ExpiryEventHandler {
                // PWP docs/config.md's subscriptions.
                subscriptions: h.subscriptions.unwrap_or_else(|| {
                    [
                        "POST_UPDATE_CREDENTIAL",
                        "POST_UPDATE_CREDENTIAL_BY_ADMIN",
                        "POST_ADD_USER",
                    ]
                    .map(String::from)
                    .to_vec()
                }),
                enable_data_publishing: h.properties.enable_data_publishing.unwrap_or(false),
                prior_reminder_time_in_days: h.properties.prior_reminder_time_in_days.unwrap_or(0),
            }),
            // Off, as GOV `PasswordExpiryConfigImpl.getDefaultPropertyValues` (v1.9.6 on).
            enable_password_expiry: expiry.enable_password_expiry.unwrap_or(false),
            skip_if_no_applicable_rules: expiry.skip_if_no_applicable_rules.unwrap_or(false),
        },
        emulator: EmulatorConfig {
            data_dir: PathBuf::from(emu.data_dir.unwrap_or_else(|| "./data".to_string())),
            bind_address: emu.bind_address.unwrap_or_else(|| "127.0.0.1".to_string()),
            enable_https: emu.enable_https.unwrap_or(true),
            enable_http: emu.enable_http.unwrap_or(true),
            https_port: emu.https_port,
            http_port: emu.http_port,
            allow_admin_services_over_http: emu.allow_admin_services_over_http.unwrap_or(false),
            otp_length: emu.otp_length.unwrap_or(6),
            otp_alphabet: emu.otp_alphabet.unwrap_or_else(|| DEFAULT_OTP_ALPHABET.to_string()),
            max_otp_attempts: emu.max_otp_attempts.unwrap_or(5),
            max_request_body_bytes: emu.max_request_body_bytes.unwrap_or(1024 * 1024),
            smtp_accept_invalid_certs: emu.smtp_accept_invalid_certs.unwrap_or(false),
            smtp_timeout_seconds: emu.smtp_timeout_seconds.unwrap_or(15),
            read_timeout_seconds: emu.read_timeout_seconds.unwrap_or(30),
            email_templates: emu.email_templates.map(PathBuf::from),
            wso2_version,
        },
        oauth: OAuthConfig {
            password_grant_show_auth_failure_reason: oauth
                .grant_type
                .password
                .show_auth_failure_reason
                .unwrap_or(false),
            prompt_consent: oauth.prompt_consent.unwrap_or(false),
            prompt_logout_consent: oauth.prompt_logout_consent.unwrap_or(false),
            handle_logout_gracefully: oauth.handle_logout_gracefully.unwrap_or(true),
        },
    }
}

/// What a file says that forcereset takes, but not as written: one line each, for the warnings.
pub(super) fn notes(raw: &RawConfig) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(text) = &raw.user_store.store_type
        && UserStoreType::parse(text).is_none()
    {
        let version = raw.forcereset.wso2_version.as_deref().and_then(Wso2Version::parse);
        let stand_in = version
            .unwrap_or(Wso2Version::DEFAULT)
            .profile()
            .store
            .default_user_store;
        notes.push(format!(
            "user_store.type {text:?} is not emulated; the primary store of a fresh WSO2 IS {} ({}) stands in \
                 for it",
            version.unwrap_or(Wso2Version::DEFAULT),
            stand_in.as_str()
        ));
    }
    notes
}

/// Checks of single values the file gives (a default is always valid).
fn check_values(raw: &RawConfig) -> Result<(), KeyError> {
    if let Some(text) = &raw.forcereset.wso2_version
        && Wso2Version::parse(text).is_none()
    {
        let known: Vec<String> = Wso2Version::ALL.iter().map(|v| format!("\"{v}\"")).collect();
        return Err(KeyError::new(
            "forcereset.wso2_version",
            format!("expected one of {}, found string {text:?}", known.join(", ")),
        ));
    }
    if let Some(host) = non_empty("server.hostname", &raw.server.hostname)?
        && host.chars().any(|c| c.is_whitespace() || "/?#@".contains(c))
    {
        return Err(KeyError::new(
            "server.hostname",
            format!("expected a host name such as \"localhost\", found string {host:?}"),
        ));
    }
    non_empty("super_admin.username", &raw.super_admin.username)?;

    let email = &raw.output_adapter.email;
    address("output_adapter.email.from_address", &email.from_address)?;
    if let Some(host) = non_empty("output_adapter.email.hostname", &email.hostname)?
        && host.chars().any(char::is_whitespace)
    {
        return Err(KeyError::new(
            "output_adapter.email.hostname",
            format!("expected an SMTP host name, found string {host:?}"),
        ));
    }
    address("output_adapter.email.reply_to", &email.reply_to)?;

    let certificate = &raw.transport.https.ssl_host_config.certificate;
    let certificate_file = non_empty(CERTIFICATE_FILE, &certificate.certificate_file)?;
    let certificate_key_file = non_empty(CERTIFICATE_KEY_FILE, &certificate.certificate_key_file)?;
    match (certificate_file, certificate_key_file) {
        (Some(_), None) => {
            return Err(KeyError::new(
                CERTIFICATE_KEY_FILE,
                "missing: must be set together with certificate_file",
            ));
        }
        (None, Some(_)) => {
            return Err(KeyError::new(
                CERTIFICATE_FILE,
                "missing: must be set together with certificate_key_file",
            ));
        }
        _ => {}
    }

    regex("user_store.password_java_regex", &raw.user_store.password_java_regex)?;
    regex("user_store.username_java_regex", &raw.user_store.username_java_regex)?;

    let emu = &raw.forcereset;
    non_empty("forcereset.data_dir", &emu.data_dir)?;
    if let Some(text) = non_empty("forcereset.bind_address", &emu.bind_address)?
        && text.parse::<IpAddr>().is_err()
    {
        return Err(KeyError::new(
            "forcereset.bind_address",
            format!("expected an IP address such as \"127.0.0.1\" or \"0.0.0.0\", found string {text:?}"),
        ));
    }
    if let Some(alphabet) = &emu.otp_alphabet
        && let Some(problem) = alphabet_problem(alphabet)
    {
        return Err(KeyError::new(
            "forcereset.otp_alphabet",
            format!("expected at least 10 distinct ASCII letters and digits, found string {alphabet:?} ({problem})"),
        ));
    }
    non_empty("forcereset.email_templates", &emu.email_templates)?;
    Ok(())
}

/// Checks of keys that depend on each other, on the resolved config so that defaults take part.
fn check_together(c: &Config) -> Result<(), KeyError> {
    if c.super_admin.create_admin_account && c.super_admin.password.is_empty() {
        return Err(KeyError::new(
            "super_admin.password",
            "must not be empty when create_admin_account is true",
        ));
    }
    let email = &c.email;
    if email.hostname.is_some() && email.enable_authentication && email.username.trim().is_empty() {
        return Err(KeyError::new(
            "output_adapter.email.username",
            "must be set when hostname is set and enable_authentication is true",
        ));
    }
    let emu = &c.emulator;
    if !emu.enable_https && !emu.enable_http {
        return Err(KeyError::new(
            "forcereset.enable_http",
            "enable_https and enable_http are both false; at least one listener must be enabled",
        ));
    }
    let (https, http) = (c.effective_https_port(), c.effective_http_port());
    // Port 0 asks the OS for a free port, so two zeros do not clash.
    if emu.enable_https && emu.enable_http && https != 0 && https == http {
        return Err(KeyError::new(
            "forcereset.http_port",
            format!("HTTP and HTTPS would both listen on port {http}"),
        ));
    }
    Ok(())
}

/// A string that must not be empty or blank when present.
fn non_empty<'a>(key: &str, value: &'a Option<String>) -> Result<Option<&'a str>, KeyError> {
    match value.as_deref() {
        Some(s) if s.trim().is_empty() => Err(KeyError::new(
            key,
            format!("expected a non-empty string, found string {s:?}"),
        )),
        other => Ok(other),
    }
}

/// An e-mail address (loosely: something@something, no spaces).
fn address(key: &str, value: &Option<String>) -> Result<(), KeyError> {
    let Some(s) = value else { return Ok(()) };
    let plausible = s
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        && !s.chars().any(char::is_whitespace);
    if plausible {
        Ok(())
    } else {
        Err(KeyError::new(
            key,
            format!("expected an e-mail address such as \"name@example.com\", found string {s:?}"),
        ))
    }
}

/// A regular expression that [`Policy::new`] accepts.
fn regex(key: &str, value: &Option<String>) -> Result<(), KeyError> {
    let Some(pattern) = non_empty(key, value)? else {
        return Ok(());
    };
    match Policy::new(pattern) {
        Ok(_) => Ok(()),
        Err(e) => {
            // regex's syntax errors are a multi-line drawing of our anchored pattern; keep the reason.
            let text = e.to_string();
            let reason = text.lines().last().unwrap_or_default().trim_start_matches("error: ");
            Err(KeyError::new(
                key,
                format!("expected a regular expression, found string {pattern:?} ({reason})"),
            ))
        }
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
