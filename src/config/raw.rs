//! Stage one of loading: deployment.toml as serde DTOs, one struct per table, named and nested as WSO2 spells
//! them, every key an `Option` (None = not in the file); the deserializers for WSO2's value forms; and the way
//! back to TOML for `config check`.
//!
//! Every key is read through one of the value-form functions below. They take any TOML value and either accept
//! it or say what was expected and what was found, so serde's own wording never reaches the user.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use toml::{Table, Value};

use super::{Config, KeyError};
use crate::domain::secret::Secret;

/// How passwords appear in `config check`.
pub(super) const MASK: &str = "********";
/// Durations are capped so that minutes → milliseconds can never overflow an i64.
const MAX_MINUTES: i64 = i32::MAX as i64;
/// `max_request_body_bytes` bounds: 1 KiB ..= 64 MiB.
const MIN_BODY_BYTES: i64 = 1024;
const MAX_BODY_BYTES: i64 = 64 * 1024 * 1024;
/// The upper bound of counts; messages say "at least N" for it.
const U32_MAX: i64 = u32::MAX as i64;

/// deployment.toml as forcereset reads it. The field order is the order `config check` prints.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RawConfig {
    pub server: Server,
    pub super_admin: SuperAdmin,
    pub admin_service: AdminService,
    pub output_adapter: OutputAdapter,
    pub identity_mgt: IdentityMgt,
    pub authentication: Authentication,
    pub authentication_policy: AuthenticationPolicy,
    pub transport: Transport,
    pub user_store: UserStore,
    pub oauth: OAuth,
    pub forcereset: Forcereset,
    /// `[[event_handler]]`: only `name = "passwordExpiry"` is read (PWP's handler, which turns its password expiry
    /// on); other handlers' keys are noted as ignored.
    pub event_handler: Vec<EventHandler>,
}

/// One `[[event_handler]]`.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EventHandler {
    #[serde(deserialize_with = "string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "strings")]
    pub subscriptions: Option<Vec<String>>,
    pub properties: EventHandlerProperties,
}

/// `[event_handler.properties]` of the `passwordExpiry` handler (PWP `docs/config.md`).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EventHandlerProperties {
    #[serde(rename = "passwordExpiryInDays", deserialize_with = "int::<_, _, 0, U32_MAX>")]
    pub password_expiry_in_days: Option<i64>,
    #[serde(rename = "enableDataPublishing", deserialize_with = "boolean")]
    pub enable_data_publishing: Option<bool>,
    #[serde(rename = "priorReminderTimeInDays", deserialize_with = "int::<_, _, 0, U32_MAX>")]
    pub prior_reminder_time_in_days: Option<i64>,
}

/// `[oauth…]`: the OAuth keys forcereset reads.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OAuth {
    pub grant_type: OAuthGrantType,
    /// CIF `identity.xml.j2`: `<SkipUserConsent>false` only when this is `true`.
    #[serde(deserialize_with = "boolean")]
    pub prompt_consent: Option<bool>,
    /// CIF `identity.xml.j2`: `<SkipLogoutConsent>false` only when this is `true`.
    #[serde(deserialize_with = "boolean")]
    pub prompt_logout_consent: Option<bool>,
    /// CIF `identity.xml.j2`: `<HandleAlreadyLoggedOutSessionsGracefully>`.
    #[serde(deserialize_with = "boolean")]
    pub handle_logout_gracefully: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OAuthGrantType {
    pub password: OAuthPasswordGrant,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OAuthPasswordGrant {
    #[serde(deserialize_with = "boolean")]
    pub show_auth_failure_reason: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Server {
    #[serde(deserialize_with = "string")]
    pub hostname: Option<String>,
    #[serde(deserialize_with = "int::<_, _, 0, 55000>")]
    pub offset: Option<u16>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SuperAdmin {
    #[serde(deserialize_with = "string")]
    pub username: Option<String>,
    #[serde(deserialize_with = "secret", serialize_with = "masked")]
    pub password: Option<Secret>,
    #[serde(deserialize_with = "boolean")]
    pub create_admin_account: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AdminService {
    pub wsdl: Wsdl,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Wsdl {
    #[serde(deserialize_with = "boolean")]
    pub enable: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OutputAdapter {
    pub email: Email,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Email {
    #[serde(deserialize_with = "string")]
    pub hostname: Option<String>,
    #[serde(deserialize_with = "int::<_, _, 1, 65535>")]
    pub port: Option<u16>,
    #[serde(deserialize_with = "string")]
    pub from_address: Option<String>,
    #[serde(deserialize_with = "string")]
    pub username: Option<String>,
    #[serde(deserialize_with = "secret", serialize_with = "masked")]
    pub password: Option<Secret>,
    #[serde(deserialize_with = "boolean")]
    pub enable_start_tls: Option<bool>,
    #[serde(deserialize_with = "boolean")]
    pub enable_authentication: Option<bool>,
    #[serde(deserialize_with = "string")]
    pub signature: Option<String>,
    #[serde(deserialize_with = "string")]
    pub reply_to: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct IdentityMgt {
    pub password_reset_by_admin: PasswordResetByAdmin,
    pub account_locking: AccountLocking,
    pub password_expiry: PasswordExpiry,
}

/// `[identity_mgt.password_expiry]`: defaults of IS 7.x's built-in connector (`passwordExpiry.*` in identity.xml;
/// the deployment.toml names are forcereset's, UNCONFIRMED in WSO2's templates).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PasswordExpiry {
    #[serde(deserialize_with = "boolean")]
    pub enable_password_expiry: Option<bool>,
    #[serde(deserialize_with = "int::<_, _, 0, U32_MAX>")]
    pub password_expiry_in_days: Option<i64>,
    #[serde(deserialize_with = "boolean")]
    pub skip_if_no_applicable_rules: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PasswordResetByAdmin {
    #[serde(deserialize_with = "boolean")]
    pub enable_emailed_link_based_reset: Option<bool>,
    #[serde(deserialize_with = "boolean")]
    pub enable_emailed_otp_based_reset: Option<bool>,
    #[serde(deserialize_with = "boolean")]
    pub enable_offline_otp_based_reset: Option<bool>,
    #[serde(deserialize_with = "minutes", serialize_with = "minutes_text")]
    pub code_validity_period: Option<i64>,
    #[serde(deserialize_with = "boolean")]
    pub enable_account_lock_notification: Option<bool>,
    #[serde(deserialize_with = "boolean")]
    pub enable_account_unlock_notification: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AccountLocking {
    #[serde(deserialize_with = "boolean")]
    pub enable_account_locking: Option<bool>,
    #[serde(deserialize_with = "int::<_, _, 1, U32_MAX>")]
    pub allowed_failed_attempts: Option<u32>,
    #[serde(deserialize_with = "minutes", serialize_with = "minutes_text")]
    pub auto_unlock_after: Option<i64>,
    #[serde(deserialize_with = "int::<_, _, 1, U32_MAX>")]
    pub auto_unlock_time_increment_ratio: Option<u32>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Authentication {
    pub authenticator: Authenticator,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Authenticator {
    pub basic: Basic,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Basic {
    pub parameters: BasicParameters,
}

/// WSO2 spells these keys in camelCase.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BasicParameters {
    #[serde(deserialize_with = "boolean")]
    pub show_auth_failure_reason: Option<bool>,
    #[serde(deserialize_with = "boolean")]
    pub mask_admin_forced_password_reset_error_code: Option<bool>,
    #[serde(deserialize_with = "boolean")]
    pub mask_user_not_exists_error_code: Option<bool>,
    #[serde(deserialize_with = "string")]
    pub error_params_to_omit: Option<String>,
    #[serde(deserialize_with = "boolean")]
    pub show_auth_failure_reason_on_login_page: Option<bool>,
}

/// `[authentication_policy]` (identity.xml `AuthenticationPolicy`).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AuthenticationPolicy {
    #[serde(deserialize_with = "boolean")]
    pub check_account_exist: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Transport {
    pub https: Https,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Https {
    #[serde(rename = "sslHostConfig")]
    pub ssl_host_config: SslHostConfig,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SslHostConfig {
    pub certificate: Certificate,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Certificate {
    #[serde(deserialize_with = "string")]
    pub certificate_file: Option<String>,
    #[serde(deserialize_with = "string")]
    pub certificate_key_file: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct UserStore {
    /// WSO2's primary user store type (`read_write_ldap_unique_id`, `database_unique_id`, …).
    #[serde(rename = "type", deserialize_with = "string")]
    pub store_type: Option<String>,
    #[serde(deserialize_with = "string")]
    pub password_java_regex: Option<String>,
    #[serde(deserialize_with = "string")]
    pub username_java_regex: Option<String>,
}

/// `[forcereset]`: the emulator's own keys.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Forcereset {
    #[serde(deserialize_with = "string")]
    pub data_dir: Option<String>,
    #[serde(deserialize_with = "string")]
    pub bind_address: Option<String>,
    #[serde(deserialize_with = "boolean")]
    pub enable_https: Option<bool>,
    #[serde(deserialize_with = "boolean")]
    pub enable_http: Option<bool>,
    #[serde(deserialize_with = "int::<_, _, 0, 65535>")]
    pub https_port: Option<u16>,
    #[serde(deserialize_with = "int::<_, _, 0, 65535>")]
    pub http_port: Option<u16>,
    #[serde(deserialize_with = "boolean")]
    pub allow_admin_services_over_http: Option<bool>,
    #[serde(deserialize_with = "int::<_, _, 4, 64>")]
    pub otp_length: Option<usize>,
    #[serde(deserialize_with = "string")]
    pub otp_alphabet: Option<String>,
    #[serde(deserialize_with = "int::<_, _, 1, U32_MAX>")]
    pub max_otp_attempts: Option<u32>,
    #[serde(deserialize_with = "int::<_, _, MIN_BODY_BYTES, MAX_BODY_BYTES>")]
    pub max_request_body_bytes: Option<usize>,
    #[serde(deserialize_with = "boolean")]
    pub smtp_accept_invalid_certs: Option<bool>,
    #[serde(deserialize_with = "int::<_, _, 1, 600>")]
    pub smtp_timeout_seconds: Option<u64>,
    #[serde(deserialize_with = "int::<_, _, 1, 600>")]
    pub read_timeout_seconds: Option<u64>,
    #[serde(deserialize_with = "string")]
    pub email_templates: Option<String>,
    /// The WSO2 IS release to emulate: "5.9" … "7.2".
    #[serde(deserialize_with = "string")]
    pub wso2_version: Option<String>,
}

/// Deserialize `text` (valid TOML, already parsed as `file`) into the DTOs, and say what the keys forcereset does
/// not read amount to (`keys::classify`: warning lines, or an error for a typo).
pub(super) fn read(text: &str, file: &Table) -> Result<(RawConfig, Vec<String>), KeyError> {
    let known = known_tree();
    check_tables(file, &known, &mut Vec::new())?;

    let mut ignored: Vec<Vec<String>> = Vec::new();
    let mut note_ignored = |path: serde_ignored::Path<'_>| ignored.push(ignored_segments(&path));
    // From the text rather than `file`: toml's Value deserializer hands a date-time over as a string, which a
    // string key would then accept.
    let deserializer = serde_ignored::Deserializer::new(toml::Deserializer::new(text), &mut note_ignored);
    let raw: RawConfig = serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path: Vec<String> = e.path().iter().map(error_segment).collect();
        KeyError::new(dotted(&path), e.inner().message())
    })?;

    let mut unknown = Vec::new();
    for mut path in ignored {
        match lookup(file, &path) {
            Some(value) => leaves(value, &mut path, &mut unknown),
            None => unknown.push(path),
        }
    }
    // Sorted by segments: the order of a walk through the file's (sorted) tables, whatever order the file has.
    unknown.sort();
    let mut notes = super::keys::classify(&unknown, &known)?;
    let others: Vec<String> = raw
        .event_handler
        .iter()
        .filter(|h| h.name.as_deref() != Some(super::PASSWORD_EXPIRY_HANDLER))
        .map(|h| format!("{:?}", h.name.as_deref().unwrap_or_default()))
        .collect();
    if !others.is_empty() {
        notes.push(format!(
            "[[event_handler]] name = {}: forcereset emulates only the `{}` handler; ignored",
            others.join(", "),
            super::PASSWORD_EXPIRY_HANDLER
        ));
    }
    Ok((raw, notes))
}

/// The tables and keys forcereset reads, derived from the DTOs so that they are listed nowhere else: a table is
/// an object, a key is null. `keys::classify` searches it for a "did you mean".
fn known_tree() -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(RawConfig::default()) {
        Ok(serde_json::Value::Object(tree)) => tree,
        // Not reachable: RawConfig is structs of structs and options. Without the tree, `check_tables` checks
        // nothing and serde reports a non-table in its own words.
        _ => serde_json::Map::new(),
    }
}

/// Each known table the file has must be a table. Checked before serde so that `server = 5` fails in the words of
/// any other bad value, and a date-time is not taken for a table (toml hands it over as a map).
fn check_tables(
    file: &Table,
    known: &serde_json::Map<String, serde_json::Value>,
    path: &mut Vec<String>,
) -> Result<(), KeyError> {
    for (name, known_inner) in known {
        let (serde_json::Value::Object(known_inner), Some(value)) = (known_inner, file.get(name)) else {
            continue;
        };
        path.push(name.clone());
        match value {
            Value::Table(inner) => check_tables(inner, known_inner, path)?,
            other => {
                let message = format!("expected a table, found {}", describe(other, false));
                return Err(KeyError::new(dotted(path), message));
            }
        }
        path.pop();
    }
    Ok(())
}

fn ignored_segments(path: &serde_ignored::Path<'_>) -> Vec<String> {
    use serde_ignored::Path;
    let (parent, own) = match path {
        Path::Root => return Vec::new(),
        Path::Map { parent, key } => (parent, Some(key.clone())),
        Path::Seq { parent, index } => (parent, Some(index.to_string())),
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => (parent, None),
    };
    let mut segments = ignored_segments(parent);
    segments.extend(own);
    segments
}

fn error_segment(segment: &serde_path_to_error::Segment) -> String {
    use serde_path_to_error::Segment;
    match segment {
        Segment::Map { key } => key.clone(),
        Segment::Seq { index } => index.to_string(),
        Segment::Enum { variant } => variant.clone(),
        Segment::Unknown => "?".to_string(),
    }
}

fn lookup<'a>(file: &'a Table, path: &[String]) -> Option<&'a Value> {
    let (last, parents) = path.split_last()?;
    let mut table = file;
    for name in parents {
        table = table.get(name)?.as_table()?;
    }
    table.get(last)
}

/// The warning entries of an unknown value at `path`: an unknown table counts once for each key inside it (or once
/// for itself if empty); anything else, an array of tables included, counts once.
fn leaves(value: &Value, path: &mut Vec<String>, found: &mut Vec<Vec<String>>) {
    match value {
        Value::Table(inner) if !inner.is_empty() => {
            for (key, value) in inner {
                path.push(key.clone());
                leaves(value, path, found);
                path.pop();
            }
        }
        _ => found.push(path.clone()),
    }
}

/// A dotted key as TOML would spell it: bare segments stay bare, others are quoted.
pub(super) fn dotted(path: &[String]) -> String {
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

fn wrong<E: serde::de::Error>(expected: &str, found: &Value, secret: bool) -> E {
    E::custom(format!("expected {expected}, found {}", describe(found, secret)))
}

/// A boolean; WSO2 also writes them as the strings "true" / "false".
fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Value::deserialize(d)? {
        Value::Boolean(b) => Ok(Some(b)),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
        other => Err(wrong("true or false", &other, false)),
    }
}

/// A list of strings (`subscriptions = ["POST_ADD_USER", …]`).
fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let value = Value::deserialize(d)?;
    let list = match &value {
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect::<Option<Vec<String>>>(),
        _ => None,
    };
    list.map(Some).ok_or_else(|| wrong("a list of strings", &value, false))
}

fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(Some(s)),
        other => Err(wrong("a string", &other, false)),
    }
}

/// A password: a string whose value never appears in messages.
fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(Some(Secret::new(s))),
        other => Err(wrong("a string", &other, true)),
    }
}

/// An integer in `LO..=HI`, written as a TOML integer or a numeric string ("1"), converted to `T`. The bounds are
/// part of the form: a number out of range gets the same message as a word, naming the range.
fn int<'de, D, T, const LO: i64, const HI: i64>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    let value = Value::deserialize(d)?;
    let number = match &value {
        Value::Integer(n) => Some(*n),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    match number
        .filter(|n| (LO..=HI).contains(n))
        .and_then(|n| T::try_from(n).ok())
    {
        Some(n) => Ok(Some(n)),
        None if HI >= U32_MAX => Err(wrong(&format!("an integer of at least {LO}"), &value, false)),
        None => Err(wrong(&format!("an integer from {LO} to {HI}"), &value, false)),
    }
}

/// A duration in minutes: an integer, or a string "1440", "1440m", "24h", "1d"; negative = -1 (never).
fn minutes<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let value = Value::deserialize(d)?;
    let minutes = match &value {
        Value::Integer(n) => normalize_minutes(*n),
        Value::String(s) => parse_minutes(s),
        _ => None,
    };
    match minutes {
        Some(m) => Ok(Some(m)),
        None => Err(wrong(
            &format!(
                "minutes as an integer or a string such as \"1440m\", \"24h\" or \"1d\" \
                 (at most {MAX_MINUTES} minutes; negative = never)"
            ),
            &value,
            false,
        )),
    }
}

/// Parse a duration in minutes: `"1440"`, `"1440m"`, `"24h"`, `"1d"`; any negative value means -1 (never).
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

/// A password as `config check` shows it: masked, so no DTO can put a secret into TOML.
fn masked<S: Serializer>(secret: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(_) => s.serialize_str(MASK),
        None => s.serialize_none(),
    }
}

/// Minutes as WSO2 writes them: "1440m"; never as "-1".
fn minutes_text<S: Serializer>(minutes: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match minutes {
        Some(m) if *m < 0 => s.serialize_str("-1"),
        Some(m) => s.serialize_str(&format!("{m}m")),
        None => s.serialize_none(),
    }
}

/// The DTOs as TOML, passwords masked by their serializer, with each `(table, note)` as a comment under the
/// table's header (notes say why a key is missing).
pub(super) fn render(raw: &RawConfig, notes: &[(&str, String)]) -> String {
    let text = match toml::to_string(raw) {
        Ok(text) => text,
        Err(e) => return format!("# cannot show the configuration as TOML: {e}\n"),
    };
    // toml writes the layout (dotted headers, blank lines between tables); toml_edit can add the comments.
    let Ok(mut doc) = text.parse::<toml_edit::DocumentMut>() else {
        return text;
    };
    for (table, note) in notes {
        let mut at = Some(doc.as_table_mut());
        for name in table.split('.') {
            at = at.and_then(|t| t.get_mut(name)).and_then(toml_edit::Item::as_table_mut);
        }
        if let Some(t) = at {
            let before = t.decor().suffix().and_then(|s| s.as_str()).unwrap_or_default();
            let after = format!("{before}\n# {note}");
            t.decor_mut().set_suffix(after);
        }
    }
    doc.to_string()
}

fn path_text(path: &std::path::Path) -> String {
    path.display().to_string()
}

impl From<&Config> for RawConfig {
    /// Every key set from `c`, except those `c` leaves unset, which `render` then explains in a note.
    fn from(c: &Config) -> Self {
        let (email, reset, lock, emu) = (&c.email, &c.password_reset_by_admin, &c.account_lock, &c.emulator);
        RawConfig {
            server: Server {
                hostname: Some(c.server.hostname.clone()),
                offset: Some(c.server.offset),
            },
            super_admin: SuperAdmin {
                username: Some(c.super_admin.username.clone()),
                password: Some(c.super_admin.password.clone()),
                create_admin_account: Some(c.super_admin.create_admin_account),
            },
            admin_service: AdminService {
                wsdl: Wsdl {
                    enable: Some(c.admin_service_wsdl_enable),
                },
            },
            output_adapter: OutputAdapter {
                email: Email {
                    hostname: email.hostname.clone(),
                    port: Some(email.port),
                    from_address: Some(email.from_address.clone()),
                    username: Some(email.username.clone()),
                    password: Some(email.password.clone()),
                    enable_start_tls: Some(email.enable_start_tls),
                    enable_authentication: Some(email.enable_authentication),
                    signature: Some(email.signature.clone()),
                    reply_to: Some(email.reply_to.clone()),
                },
            },
            identity_mgt: IdentityMgt {
                password_reset_by_admin: PasswordResetByAdmin {
                    enable_emailed_link_based_reset: Some(reset.enable_emailed_link_based_reset),
                    enable_emailed_otp_based_reset: Some(reset.enable_emailed_otp_based_reset),
                    enable_offline_otp_based_reset: Some(reset.enable_offline_otp_based_reset),
                    code_validity_period: Some(reset.code_validity_minutes),
                    enable_account_lock_notification: Some(reset.enable_account_lock_notification),
                    enable_account_unlock_notification: Some(reset.enable_account_unlock_notification),
                },
                account_locking: AccountLocking {
                    enable_account_locking: Some(lock.enable_account_locking),
                    allowed_failed_attempts: Some(lock.allowed_failed_attempts),
                    auto_unlock_after: Some(lock.auto_unlock_after_minutes),
                    auto_unlock_time_increment_ratio: Some(lock.auto_unlock_time_increment_ratio),
                },
                password_expiry: PasswordExpiry {
                    enable_password_expiry: Some(c.password_expiry.enable_password_expiry),
                    password_expiry_in_days: Some(c.password_expiry.expiry_in_days),
                    skip_if_no_applicable_rules: Some(c.password_expiry.skip_if_no_applicable_rules),
                },
            },
            authentication: Authentication {
                authenticator: Authenticator {
                    basic: Basic {
                        parameters: BasicParameters {
                            show_auth_failure_reason: Some(c.basic_auth.show_auth_failure_reason),
                            mask_admin_forced_password_reset_error_code: Some(
                                c.basic_auth.mask_admin_forced_password_reset_error_code,
                            ),
                            mask_user_not_exists_error_code: Some(c.basic_auth.mask_user_not_exists_error_code),
                            error_params_to_omit: (!c.basic_auth.error_params_to_omit.is_empty())
                                .then(|| c.basic_auth.error_params_to_omit.join(",")),
                            show_auth_failure_reason_on_login_page: Some(
                                c.basic_auth.show_auth_failure_reason_on_login_page,
                            ),
                        },
                    },
                },
            },
            authentication_policy: AuthenticationPolicy {
                check_account_exist: Some(c.basic_auth.check_account_exist),
            },
            transport: Transport {
                https: Https {
                    ssl_host_config: SslHostConfig {
                        certificate: Certificate {
                            certificate_file: c.tls.as_ref().map(|pair| path_text(&pair.certificate_path)),
                            certificate_key_file: c.tls.as_ref().map(|pair| path_text(&pair.private_key_path)),
                        },
                    },
                },
            },
            user_store: UserStore {
                store_type: Some(c.user_store.store_type.as_str().to_string()),
                password_java_regex: Some(c.user_store.password_java_regex.clone()),
                username_java_regex: Some(c.user_store.username_java_regex.clone()),
            },
            oauth: OAuth {
                grant_type: OAuthGrantType {
                    password: OAuthPasswordGrant {
                        show_auth_failure_reason: Some(c.oauth.password_grant_show_auth_failure_reason),
                    },
                },
                prompt_consent: Some(c.oauth.prompt_consent),
                prompt_logout_consent: Some(c.oauth.prompt_logout_consent),
                handle_logout_gracefully: Some(c.oauth.handle_logout_gracefully),
            },
            forcereset: Forcereset {
                data_dir: Some(path_text(&emu.data_dir)),
                bind_address: Some(emu.bind_address.clone()),
                enable_https: Some(emu.enable_https),
                enable_http: Some(emu.enable_http),
                https_port: emu.https_port,
                http_port: emu.http_port,
                allow_admin_services_over_http: Some(emu.allow_admin_services_over_http),
                otp_length: Some(emu.otp_length),
                otp_alphabet: Some(emu.otp_alphabet.clone()),
                max_otp_attempts: Some(emu.max_otp_attempts),
                max_request_body_bytes: Some(emu.max_request_body_bytes),
                smtp_accept_invalid_certs: Some(emu.smtp_accept_invalid_certs),
                smtp_timeout_seconds: Some(emu.smtp_timeout_seconds),
                read_timeout_seconds: Some(emu.read_timeout_seconds),
                email_templates: emu.email_templates.as_ref().map(|path| path_text(path)),
                wso2_version: Some(emu.wso2_version.as_str().to_string()),
            },
            event_handler: c
                .password_expiry
                .event_handler
                .iter()
                .map(|h| EventHandler {
                    name: Some(super::PASSWORD_EXPIRY_HANDLER.to_string()),
                    subscriptions: Some(h.subscriptions.clone()),
                    properties: EventHandlerProperties {
                        password_expiry_in_days: Some(c.password_expiry.expiry_in_days),
                        enable_data_publishing: Some(h.enable_data_publishing),
                        prior_reminder_time_in_days: Some(h.prior_reminder_time_in_days),
                    },
                })
                .collect(),
        }
    }
}
