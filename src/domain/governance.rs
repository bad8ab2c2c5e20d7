//! Governance connectors (resident IdP → Account Management Policies): their properties, effective values and
//! the validation of updates made through `IdentityGovernanceAdminService.updateConfigurations`.

use super::DomainError;

pub const RECOVERY_LINK: &str = "Recovery.AdminPasswordReset.RecoveryLink";
pub const OTP: &str = "Recovery.AdminPasswordReset.OTP";
pub const OFFLINE: &str = "Recovery.AdminPasswordReset.Offline";
pub const EXPIRY_TIME: &str = "Recovery.AdminPasswordReset.ExpiryTime";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Boolean,
    Integer,
}

impl Kind {
    /// The metadata type name WSO2's 2021+ connectors report.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Boolean => "BOOLEAN",
            Kind::Integer => "INTEGER",
        }
    }
}

/// One property of a connector, as the admin console and `getConnectorList` describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropertyDef {
    pub name: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
    pub kind: Kind,
    pub display_order: i32,
}

/// A connector: a named group of properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectorDef {
    pub name: &'static str,
    pub friendly_name: &'static str,
    pub category: &'static str,
    pub sub_category: &'static str,
    pub order: i32,
    pub properties: &'static [PropertyDef],
}

/// WSO2's `admin-forced-password-reset` connector, with the labels of the seed-era console.
pub const ADMIN_FORCED_PASSWORD_RESET: ConnectorDef = ConnectorDef {
    name: "admin-forced-password-reset",
    friendly_name: "Password Reset",
    category: "Account Management Policies",
    sub_category: "DEFAULT",
    order: 0,
    properties: &[
        PropertyDef {
            name: RECOVERY_LINK,
            display_name: "Enable Password Reset via Recovery Email",
            description: "User gets notified with a link to reset password",
            kind: Kind::Boolean,
            display_order: 0,
        },
        PropertyDef {
            name: OTP,
            display_name: "Enable Password Reset via OTP",
            description: "User gets notified with a one time password to try with SSO login",
            kind: Kind::Boolean,
            display_order: 1,
        },
        PropertyDef {
            name: OFFLINE,
            display_name: "Enable Password Reset Offline",
            description: "An OTP generated and stored in users claims",
            kind: Kind::Boolean,
            display_order: 2,
        },
        PropertyDef {
            name: EXPIRY_TIME,
            display_name: "Admin forced password reset code expiry time",
            description: "Validity time of the admin forced password reset code in minutes",
            kind: Kind::Integer,
            display_order: 3,
        },
    ],
};

/// Every connector this server has.
pub const CONNECTORS: &[ConnectorDef] = &[ADMIN_FORCED_PASSWORD_RESET];

/// Find a property definition by name across all connectors.
pub fn property(name: &str) -> Option<&'static PropertyDef> {
    CONNECTORS
        .iter()
        .flat_map(|c| c.properties.iter())
        .find(|p| p.name == name)
}

/// Validate a new value for a property and return its canonical text ("true"/"false", a decimal integer).
pub fn validate(name: &str, value: &str) -> Result<String, DomainError> {
    let def = property(name).ok_or_else(|| DomainError::UnknownProperty(name.to_string()))?;
    let trimmed = value.trim();
    match def.kind {
        Kind::Boolean if trimmed.eq_ignore_ascii_case("true") => Ok("true".into()),
        Kind::Boolean if trimmed.eq_ignore_ascii_case("false") => Ok("false".into()),
        Kind::Boolean => Err(DomainError::InvalidInput(format!(
            "Invalid value '{value}' for {name}: expected true or false"
        ))),
        Kind::Integer => trimmed
            .parse::<i64>()
            .map(|n| n.to_string())
            .map_err(|_| DomainError::InvalidInput(format!("Invalid value '{value}' for {name}: expected an integer"))),
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
    /// Apply stored overrides (already validated when written) to the defaults.
    pub fn with_overrides(mut self, overrides: &[(String, String)]) -> ResetSettings {
        for (name, value) in overrides {
            let flag = value.eq_ignore_ascii_case("true");
            match name.as_str() {
                RECOVERY_LINK => self.recovery_link = flag,
                OTP => self.otp = flag,
                OFFLINE => self.offline = flag,
                EXPIRY_TIME => self.expiry_minutes = value.parse().unwrap_or(self.expiry_minutes),
                _ => {}
            }
        }
        self
    }

    /// The value of a property as text, for `getConnectorList`.
    pub fn value_of(&self, name: &str) -> Option<String> {
        match name {
            RECOVERY_LINK => Some(self.recovery_link.to_string()),
            OTP => Some(self.otp.to_string()),
            OFFLINE => Some(self.offline.to_string()),
            EXPIRY_TIME => Some(self.expiry_minutes.to_string()),
            _ => None,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ResetSettings {
        ResetSettings {
            recovery_link: false,
            otp: false,
            offline: false,
            expiry_minutes: 1440,
        }
    }

    #[test]
    fn link_beats_otp_beats_offline() {
        let all = ResetSettings {
            recovery_link: true,
            otp: true,
            offline: true,
            ..base()
        };
        assert_eq!(all.mode(), Some(ResetMode::EmailLink));
        assert_eq!(
            ResetSettings {
                recovery_link: false,
                ..all
            }
            .mode(),
            Some(ResetMode::EmailOtp)
        );
        assert_eq!(
            ResetSettings {
                offline: true,
                ..base()
            }
            .mode(),
            Some(ResetMode::Offline)
        );
        assert_eq!(base().mode(), None);
    }

    #[test]
    fn overrides_replace_defaults() {
        let s = base().with_overrides(&[(OFFLINE.into(), "true".into()), (EXPIRY_TIME.into(), "-1".into())]);
        assert!(s.offline);
        assert_eq!(s.expiry_minutes, -1);
        assert_eq!(s.value_of(EXPIRY_TIME).as_deref(), Some("-1"));
    }

    #[test]
    fn updates_are_validated_by_kind() {
        assert_eq!(validate(OTP, " TRUE ").unwrap(), "true");
        assert!(matches!(validate(OTP, "yes"), Err(DomainError::InvalidInput(_))));
        assert_eq!(validate(EXPIRY_TIME, "60").unwrap(), "60");
        assert!(matches!(validate(EXPIRY_TIME, "1h"), Err(DomainError::InvalidInput(_))));
        assert_eq!(
            validate("Recovery.Nope", "1"),
            Err(DomainError::UnknownProperty("Recovery.Nope".into()))
        );
    }
}
