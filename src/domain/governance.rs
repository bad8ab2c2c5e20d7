//! Identity governance: the resident IdP's connectors (`admin-forced-password-reset`, `account.lock.handler`), their
//! property names, the resident IdP's values (defaults overridden by what `updateConfigurations` stored), the
//! settings the forced reset and the account lock read from them, and the checks an update passes.
//!
//! Open, as WSO2's `IdentityGovernanceServiceImpl.updateConfiguration`: any property name is stored, whether a
//! connector lists it or not. Better than WSO2: a bad value of a property a connector of the release lists is a
//! fault naming it, and nothing of the update is stored (WSO2 stores it and fails later, or reads it as `false`).
//! Which connectors a release lists, with which labels, lives in `profile::governance`.

use std::collections::BTreeMap;

use super::DomainError;

pub const RECOVERY_LINK: &str = "Recovery.AdminPasswordReset.RecoveryLink";
pub const OTP: &str = "Recovery.AdminPasswordReset.OTP";
pub const SMS_OTP: &str = "Recovery.AdminPasswordReset.SMSOTP";
pub const OFFLINE: &str = "Recovery.AdminPasswordReset.Offline";
pub const EXPIRY_TIME: &str = "Recovery.AdminPasswordReset.ExpiryTime";

/// The account-lock connector's name, which its property names start with.
pub const ACCOUNT_LOCK: &str = "account.lock.handler";
/// The enable property up to IS 5.11 (account-lock handler `AccountConstants.ACCOUNT_LOCKED_PROPERTY`).
pub const LOCK_ENABLE_5X: &str = "account.lock.handler.enable";
/// The enable property from IS 6.0 (`ACCOUNT_LOCK_MAX_FAILED_ATTEMPTS_PROPERTY`, handler v1.6.1).
pub const LOCK_ON_MAX_FAILED_ATTEMPTS: &str = "account.lock.handler.lock.on.max.failed.attempts.enable";
pub const LOCK_MAX_ATTEMPTS: &str = "account.lock.handler.On.Failure.Max.Attempts";
pub const LOCK_TIME: &str = "account.lock.handler.Time";
pub const LOCK_RATIO: &str = "account.lock.handler.login.fail.timeout.ratio";
pub const LOCK_MANAGE_INTERNALLY: &str = "account.lock.handler.notification.manageInternally";
pub const LOCK_NOTIFY_ON_INCREMENT: &str = "account.lock.handler.notification.notifyOnLockIncrement";

/// The values a property accepts (forcereset's check; WSO2 checks none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `true` or `false`, any case.
    Boolean,
    /// A decimal integer at least `min`.
    Integer { min: i64 },
}

impl Kind {
    /// The metadata `type` of connectors that have metadata (`IdentityMgtConstants.DataTypes`, identity-governance
    /// v1.5.25 on).
    pub fn metadata_type(self) -> &'static str {
        match self {
            Kind::Boolean => "boolean",
            Kind::Integer { .. } => "integer",
        }
    }
}

/// One property of a connector, as `getConnectorList` describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropertyDef {
    pub name: &'static str,
    pub display_name: &'static str,
    /// None where the connector has no description for it (written as `xsi:nil`).
    pub description: Option<&'static str>,
    pub kind: Kind,
}

/// A connector: a named group of properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectorDef {
    pub name: &'static str,
    pub friendly_name: &'static str,
    pub category: &'static str,
    pub sub_category: &'static str,
    pub order: i32,
    /// In `getPropertyNames()` order.
    pub properties: &'static [PropertyDef],
    /// The connector reports a metadata `type` per property (`getMetaData()`); else `type` is null.
    pub typed: bool,
}

impl ConnectorDef {
    pub fn property(&self, name: &str) -> Option<&'static PropertyDef> {
        self.properties.iter().find(|p| p.name == name)
    }
}

/// The property of one of `connectors` named `name`.
pub fn find_property(connectors: &[ConnectorDef], name: &str) -> Option<&'static PropertyDef> {
    connectors.iter().find_map(|c| c.property(name))
}

/// The resident IdP's governance values: every default, overridden by what `updateConfigurations` stored (names
/// no connector lists included).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resident {
    values: BTreeMap<String, String>,
}

impl Resident {
    pub fn new(defaults: &[(&str, String)], stored: &[(String, String)]) -> Resident {
        let mut values: BTreeMap<String, String> = defaults.iter().map(|(n, v)| (n.to_string(), v.clone())).collect();
        values.extend(stored.iter().cloned());
        Resident { values }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// WSO2's `Boolean.parseBoolean`: `true` in any case, anything else false.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(|v| v.trim().parse().ok())
    }

    /// Every value whose name starts with `prefix`, by name.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.values
            .iter()
            .filter(move |(n, _)| n.starts_with(prefix))
            .map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// The checks of an `updateConfigurations` call, per release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateRules<'a> {
    /// The connectors the release lists: their properties' values are checked.
    pub connectors: &'a [ConnectorDef],
    /// IS 7.2: exactly one admin-reset option may be on once an update touches any of them.
    pub single_reset_option: bool,
}

/// Check an update against the resident IdP's current values: the values to store, canonical ("true"/"false",
/// decimal integers) for the properties a connector lists, verbatim for any other name. All or nothing.
pub fn check_update(
    rules: &UpdateRules<'_>,
    current: &Resident,
    updates: &[(String, String)],
) -> Result<Vec<(String, String)>, DomainError> {
    let checked = updates
        .iter()
        .map(|(name, value)| match find_property(rules.connectors, name) {
            Some(def) => canonical(def, value).map(|v| (name.clone(), v)),
            None => Ok((name.clone(), value.clone())),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if rules.single_reset_option {
        check_single_reset_option(current, &checked)?;
    }
    Ok(checked)
}

fn canonical(def: &PropertyDef, value: &str) -> Result<String, DomainError> {
    let (name, trimmed) = (def.name, value.trim());
    match def.kind {
        Kind::Boolean if trimmed.eq_ignore_ascii_case("true") => Ok("true".into()),
        Kind::Boolean if trimmed.eq_ignore_ascii_case("false") => Ok("false".into()),
        Kind::Boolean => Err(DomainError::InvalidInput(format!(
            "Invalid value '{value}' for {name}: expected true or false"
        ))),
        Kind::Integer { min } => match trimmed.parse::<i64>() {
            Ok(n) if n >= min => Ok(n.to_string()),
            Ok(_) => Err(DomainError::InvalidInput(format!(
                "Invalid value '{value}' for {name}: expected an integer of at least {min}"
            ))),
            Err(_) => Err(DomainError::InvalidInput(format!(
                "Invalid value '{value}' for {name}: expected an integer"
            ))),
        },
    }
}

/// The four admin-reset options IS 7.2 allows only one of.
const RESET_OPTIONS: [&str; 4] = [OFFLINE, OTP, RECOVERY_LINK, SMS_OTP];

/// carbon-identity-framework `IdPManagementUtil.validateAdminPasswordResetWithCurrentAndPreviousConfigs` (called by
/// identity-governance v1.11.145's `updateConfiguration`): when the update names any option, at most one may be
/// `true` in it; then, an option the update leaves blank keeps its current value, and exactly one must be on.
fn check_single_reset_option(current: &Resident, update: &[(String, String)]) -> Result<(), DomainError> {
    let given = |option: &str| update.iter().rev().find(|(n, _)| n == option).map(|(_, v)| v.as_str());
    if RESET_OPTIONS.iter().all(|o| given(o).is_none()) {
        return Ok(());
    }
    let on = |v: &str| v.trim().eq_ignore_ascii_case("true");
    if RESET_OPTIONS.iter().filter(|o| given(o).is_some_and(on)).count() > 1 {
        return Err(DomainError::InvalidInput(
            "Enabling more than one admin password reset option is not allowed".into(),
        ));
    }
    let merged = RESET_OPTIONS
        .iter()
        .filter(|o| match given(o).filter(|v| !v.trim().is_empty()) {
            Some(v) => on(v),
            None => current.flag(o),
        })
        .count();
    match merged {
        1 => Ok(()),
        0 => Err(DomainError::InvalidInput(
            "Disabling all admin forced password reset options is not allowed".into(),
        )),
        _ => Err(DomainError::InvalidInput(
            "Enabling admin forced password reset option while other options are enabled is not allowed".into(),
        )),
    }
}

/// How a forced reset reaches the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetMode {
    /// An email with a recovery link (scenario ADMIN_FORCED_PASSWORD_RESET_VIA_EMAIL_LINK).
    EmailLink,
    /// An email with a one-time password (ADMIN_FORCED_PASSWORD_RESET_VIA_OTP).
    EmailOtp,
    /// The OTP is stored in the user's oneTimePassword claim for the admin to read (…_VIA_OTP, no email).
    Offline,
}

/// The effective admin-forced-reset settings: deployment.toml defaults overridden by stored properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResetSettings {
    pub recovery_link: bool,
    pub otp: bool,
    pub offline: bool,
    /// Minutes; negative = never expires.
    pub expiry_minutes: i64,
}

impl ResetSettings {
    /// Read from the resident IdP; `self` gives what a value that does not parse falls back to.
    pub fn read(self, resident: &Resident) -> ResetSettings {
        ResetSettings {
            recovery_link: resident.flag(RECOVERY_LINK),
            otp: resident.flag(OTP),
            offline: resident.flag(OFFLINE),
            expiry_minutes: resident.int(EXPIRY_TIME).unwrap_or(self.expiry_minutes),
        }
    }

    /// The values these settings give the resident IdP's properties, as defaults.
    pub fn as_defaults(&self) -> [(&'static str, String); 5] {
        [
            (RECOVERY_LINK, self.recovery_link.to_string()),
            (OTP, self.otp.to_string()),
            (SMS_OTP, false.to_string()),
            (OFFLINE, self.offline.to_string()),
            (EXPIRY_TIME, self.expiry_minutes.to_string()),
        ]
    }

    /// WSO2's precedence when several modes are on: the recovery link wins over the emailed OTP, which wins over
    /// offline (the handler checks offline, then OTP, then link, each overwriting the last). None = no mode on,
    /// and the adminForcedPasswordReset claim is then stored as an ordinary claim.
    pub fn mode(&self) -> Option<ResetMode> {
        if self.recovery_link {
            Some(ResetMode::EmailLink)
        } else if self.otp {
            Some(ResetMode::EmailOtp)
        } else if self.offline {
            Some(ResetMode::Offline)
        } else {
            None
        }
    }
}

/// The effective account-lock settings (`account.lock.handler`): `[identity_mgt.account_locking]` defaults
/// overridden by stored properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountLockSettings {
    /// Lock an account after `max_failed_attempts` failed logins in a row.
    pub enabled: bool,
    pub max_failed_attempts: u32,
    /// The first lock's length in minutes; 0 or less = until an admin unlocks.
    pub unlock_after_minutes: i64,
    /// Each further lock (without a good login in between) lasts this many times longer.
    pub increment_ratio: u32,
    pub manage_notifications_internally: bool,
    pub notify_on_lock_increment: bool,
}

impl AccountLockSettings {
    /// The values these settings give the connector's properties, as defaults; `enable_property` is the release's
    /// name for the switch (the other name is no property of its connector).
    pub fn as_defaults(&self, enable_property: &'static str) -> [(&'static str, String); 6] {
        [
            (enable_property, self.enabled.to_string()),
            (LOCK_MAX_ATTEMPTS, self.max_failed_attempts.to_string()),
            (LOCK_TIME, self.unlock_after_minutes.to_string()),
            (LOCK_RATIO, self.increment_ratio.to_string()),
            (LOCK_MANAGE_INTERNALLY, self.manage_notifications_internally.to_string()),
            (LOCK_NOTIFY_ON_INCREMENT, self.notify_on_lock_increment.to_string()),
        ]
    }

    /// Read from the resident IdP, the release naming its enable property; `self` gives what a value that does
    /// not parse falls back to. A ratio below 1 counts as 1 (the handler's rule).
    pub fn read(self, resident: &Resident, enable_property: &str) -> AccountLockSettings {
        let int = |name| resident.int(name);
        AccountLockSettings {
            enabled: resident.flag(enable_property),
            max_failed_attempts: int(LOCK_MAX_ATTEMPTS)
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(self.max_failed_attempts),
            unlock_after_minutes: int(LOCK_TIME).unwrap_or(self.unlock_after_minutes),
            increment_ratio: int(LOCK_RATIO)
                .map(|n| u32::try_from(n.max(1)).unwrap_or(u32::MAX))
                .unwrap_or(self.increment_ratio),
            manage_notifications_internally: resident.flag(LOCK_MANAGE_INTERNALLY),
            notify_on_lock_increment: resident.flag(LOCK_NOTIFY_ON_INCREMENT),
        }
    }
}

#[cfg(test)]
mod tests;
