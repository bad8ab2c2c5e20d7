//! Identity governance: the resident IdP's connectors and their properties (IdentityGovernanceAdminService, the
//! console), and the effective forced-reset and account-lock settings the other use cases plan with.

use super::{Actor, App};
use crate::domain::expiry::ExpirySettings;
use crate::domain::governance::{
    self, AccountLockSettings, ConnectorDef, PropertyDef, ResetSettings, Resident, UpdateRules,
};
use crate::domain::profile::expiry::{self, Enforcer};
use crate::domain::{DomainError, permissions};
use crate::store::TenantId;
use crate::store::{StoreError, Tx};

/// A governance connector with the current value of each property it lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorView {
    pub def: ConnectorDef,
    pub properties: Vec<PropertyView>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyView {
    pub name: String,
    /// None for a stored property the connector lists only by its name's prefix (IS 7.1+): no label, no type.
    pub def: Option<PropertyDef>,
    pub value: String,
}

/// A governance property deployment.toml sets, and where the value in force comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingSource {
    pub property: &'static str,
    /// Its deployment.toml key, dotted (`identity_mgt.password_reset_by_admin.enable_offline_otp_based_reset`).
    pub file_key: &'static str,
    /// What deployment.toml gives it (its value, or forcereset's default when the file leaves it out), in the
    /// property's form (`code_validity_period = "1d"` is `1440`).
    pub file_value: String,
    /// The value stored through the console or `updateConfigurations`, when it differs from the file's: it is
    /// the one in force, as in WSO2, where the resident IdP's stored values win over deployment.toml.
    pub stored: Option<String>,
}

impl SettingSource {
    /// The value in force.
    pub fn value(&self) -> &str {
        self.stored.as_deref().unwrap_or(&self.file_value)
    }
}

/// Which deployment.toml key gives each governance property its default (docs/CONFIG.md). PWP's expiry days
/// come from the `passwordExpiry` event handler instead ([`PWP_DAYS_KEY`]).
const FILE_KEYS: [(&str, &str); 11] = [
    (
        expiry::ENABLE_EXPIRY,
        "identity_mgt.password_expiry.enable_password_expiry",
    ),
    (
        expiry::EXPIRY_IN_DAYS,
        "identity_mgt.password_expiry.password_expiry_in_days",
    ),
    (
        expiry::SKIP_IF_NO_APPLICABLE_RULES,
        "identity_mgt.password_expiry.skip_if_no_applicable_rules",
    ),
    (
        governance::RECOVERY_LINK,
        "identity_mgt.password_reset_by_admin.enable_emailed_link_based_reset",
    ),
    (
        governance::OTP,
        "identity_mgt.password_reset_by_admin.enable_emailed_otp_based_reset",
    ),
    (
        governance::OFFLINE,
        "identity_mgt.password_reset_by_admin.enable_offline_otp_based_reset",
    ),
    (
        governance::EXPIRY_TIME,
        "identity_mgt.password_reset_by_admin.code_validity_period",
    ),
    // The release's enable property stands in for this row (`lock_enable_property`).
    (
        governance::LOCK_ENABLE_5X,
        "identity_mgt.account_locking.enable_account_locking",
    ),
    (
        governance::LOCK_MAX_ATTEMPTS,
        "identity_mgt.account_locking.allowed_failed_attempts",
    ),
    (governance::LOCK_TIME, "identity_mgt.account_locking.auto_unlock_after"),
    (
        governance::LOCK_RATIO,
        "identity_mgt.account_locking.auto_unlock_time_increment_ratio",
    ),
];

/// Where 5.x–6.x's `passwordExpiryInDays` comes from.
const PWP_DAYS_KEY: &str = "event_handler.properties.passwordExpiryInDays";

/// Do a stored value and the file's say the same (`True` and `true`, `05` and `5`)?
fn same_value(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    match (a.parse::<i64>(), b.parse::<i64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.eq_ignore_ascii_case(b),
    }
}

impl App {
    /// Every governance property deployment.toml sets that the release's connectors list, with the file's value
    /// and the stored one where it overrides it: what start-up logs, `config check` prints and the console's
    /// resident IdP page marks.
    pub fn setting_sources(&self, actor: &Actor) -> Result<Vec<SettingSource>, DomainError> {
        actor.require(permissions::GOVERNANCE_VIEW)?;
        let stored = self.store.read(actor.tenant(), |tx| tx.governance_properties())?;
        let profile = &self.settings.profile.governance;
        let enable = profile.lock_enable_property;
        let defaults = self.governance_defaults();
        let connectors = self.listed_connectors();
        let listed = |name: &str| connectors.iter().any(|c| c.property(name).is_some());
        let pwp = self.settings.profile.expiry.enforcer == Enforcer::Authenticator;
        Ok(FILE_KEYS
            .iter()
            .map(|&(property, file_key)| {
                let property = if property == governance::LOCK_ENABLE_5X {
                    enable
                } else {
                    property
                };
                let file_key = if pwp && property == expiry::EXPIRY_IN_DAYS {
                    PWP_DAYS_KEY
                } else {
                    file_key
                };
                (property, file_key)
            })
            .filter(|(property, _)| listed(property))
            .filter_map(|(property, file_key)| {
                let file_value = defaults.iter().find(|(n, _)| *n == property)?.1.clone();
                let stored = stored
                    .iter()
                    .find(|(n, _)| n == property)
                    .map(|(_, v)| v.clone())
                    .filter(|v| !same_value(v, &file_value));
                Some(SettingSource {
                    property,
                    file_key,
                    file_value,
                    stored,
                })
            })
            .collect())
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

    /// The `[identity_mgt.account_locking]` defaults of the account-lock connector.
    pub(super) fn lock_defaults(&self) -> AccountLockSettings {
        let d = &self.config.account_lock;
        AccountLockSettings {
            enabled: d.enable_account_locking,
            max_failed_attempts: d.allowed_failed_attempts,
            unlock_after_minutes: d.auto_unlock_after_minutes,
            increment_ratio: d.auto_unlock_time_increment_ratio,
            // The handler's defaults (identity-event default.json); no deployment.toml key of ours sets them.
            manage_notifications_internally: true,
            notify_on_lock_increment: false,
        }
    }

    /// The deployment.toml defaults of every governance property.
    fn governance_defaults(&self) -> Vec<(&'static str, String)> {
        let mut defaults: Vec<(&str, String)> = self.reset_defaults().as_defaults().into();
        let enable = self.settings.profile.governance.lock_enable_property;
        defaults.extend(self.lock_defaults().as_defaults(enable));
        let e = &self.config.password_expiry;
        let handler = e.event_handler.as_ref();
        let expiry = [
            (expiry::ENABLE_EXPIRY, e.enable_password_expiry.to_string()),
            (expiry::EXPIRY_IN_DAYS, e.expiry_in_days.to_string()),
            (
                expiry::SKIP_IF_NO_APPLICABLE_RULES,
                e.skip_if_no_applicable_rules.to_string(),
            ),
            (
                expiry::ENABLE_EMAIL_NOTIFICATIONS,
                handler.is_some_and(|h| h.enable_data_publishing).to_string(),
            ),
            (
                expiry::PRIOR_REMINDER_TIME_IN_DAYS,
                handler.map_or(0, |h| h.prior_reminder_time_in_days).to_string(),
            ),
        ];
        // Only the release's own: 7.1+ lists every value under the connector's prefix.
        let connector = &self.settings.profile.expiry.connector;
        defaults.extend(
            expiry
                .into_iter()
                .filter(|(name, _)| connector.property(name).is_some()),
        );
        defaults
    }

    /// The connectors the resident IdP lists: the release's, then the password-expiry connector where it exists
    /// (7.x always; 5.x–6.x once the `passwordExpiry` event handler installs PWP).
    pub fn listed_connectors(&self) -> Vec<ConnectorDef> {
        let mut connectors = self.settings.profile.governance.connectors.to_vec();
        if self.expiry_installed() {
            connectors.push(self.settings.profile.expiry.connector);
        }
        connectors
    }

    fn expiry_installed(&self) -> bool {
        match self.settings.profile.expiry.enforcer {
            Enforcer::Authenticator => self.config.password_expiry.event_handler.is_some(),
            Enforcer::PostAuthenticationHandler => true,
        }
    }

    /// The resident IdP's governance values in `tx`: the defaults, overridden by what was stored.
    pub(super) fn resident_in(&self, tx: &Tx<'_>) -> Result<Resident, StoreError> {
        Ok(Resident::new(&self.governance_defaults(), &tx.governance_properties()?))
    }

    /// The password expiry in force in `tx`.
    pub(super) fn expiry_settings_in(&self, tx: &Tx<'_>) -> Result<ExpirySettings, StoreError> {
        Ok(self.expiry_settings_of(&self.resident_in(tx)?))
    }

    /// The password expiry `resident` sets.
    pub(super) fn expiry_settings_of(&self, resident: &Resident) -> ExpirySettings {
        let fallback = ExpirySettings {
            enabled: false,
            days: self.config.password_expiry.expiry_in_days,
            skip_if_no_applicable_rules: false,
        };
        fallback.read(resident, &self.settings.profile.expiry, self.expiry_installed())
    }

    /// The password expiry in force.
    pub fn expiry_settings(&self) -> Result<ExpirySettings, DomainError> {
        Ok(self.store.read(TenantId::SUPER, |tx| self.expiry_settings_in(tx))?)
    }

    /// The account lock in force in `tx`.
    pub(super) fn lock_settings_in(&self, tx: &Tx<'_>) -> Result<AccountLockSettings, StoreError> {
        Ok(self.lock_settings_of(&self.resident_in(tx)?))
    }

    /// The account lock `resident` sets.
    pub(super) fn lock_settings_of(&self, resident: &Resident) -> AccountLockSettings {
        let enable = self.settings.profile.governance.lock_enable_property;
        self.lock_defaults().read(resident, enable)
    }

    /// The effective admin-forced-reset settings: deployment.toml defaults overridden by stored properties.
    pub fn reset_settings(&self) -> Result<ResetSettings, DomainError> {
        Ok(self.store.read(TenantId::SUPER, |tx| self.reset_settings_in(tx))?)
    }

    /// [`App::reset_settings`] inside a transaction (a SCIM write plans its reset where it writes).
    pub(super) fn reset_settings_in(&self, tx: &Tx<'_>) -> Result<ResetSettings, StoreError> {
        let resident = self.resident_in(tx)?;
        let defaults = self.reset_defaults();
        let mut settings = defaults.read(&resident);
        // Before IS 6.0 no connector lists ExpiryTime: a value stored under that name (governance is open) is
        // inert there, and the code's validity is deployment.toml's, as identity.xml's was in WSO2.
        if self
            .settings
            .profile
            .governance
            .reset_connector()
            .property(governance::EXPIRY_TIME)
            .is_none()
        {
            settings.expiry_minutes = defaults.expiry_minutes;
        }
        Ok(settings)
    }

    /// The effective account-lock settings: `[identity_mgt.account_locking]` overridden by stored properties.
    pub fn account_lock_settings(&self) -> Result<AccountLockSettings, DomainError> {
        Ok(self.store.read(TenantId::SUPER, |tx| self.lock_settings_in(tx))?)
    }

    /// `getConnectorList` (and the REST API's GETs): the release's connectors with the current value of each
    /// property they list. The admin service asks for `governance/view`, the REST API for `idpmgt/view`.
    pub fn connectors(&self, actor: &Actor) -> Result<Vec<ConnectorView>, DomainError> {
        actor.require_any(&[permissions::GOVERNANCE_VIEW, permissions::IDP_VIEW])?;
        self.connector_views(actor.tenant())
    }

    /// The REST API's `POST …/preferences`: the same connectors, for any signed-in caller (its resource has
    /// `<Permissions>none</Permissions>` and the `internal_login` scope in carbon-identity-framework's
    /// `identity.xml.j2`: the login and recovery portals read settings through it). Being an authenticated
    /// [`Actor`] is the whole check.
    pub fn governance_preferences(&self, actor: &Actor) -> Result<Vec<ConnectorView>, DomainError> {
        self.connector_views(actor.tenant())
    }

    /// The connectors as `tenant` sets them (deployment.toml's values until its admin stores its own).
    fn connector_views(&self, tenant: TenantId) -> Result<Vec<ConnectorView>, DomainError> {
        let resident = self.store.read(tenant, |tx| self.resident_in(tx))?;
        let profile = &self.settings.profile.governance;
        Ok(self
            .listed_connectors()
            .iter()
            .map(|c| ConnectorView {
                def: *c,
                properties: listed(c, &resident, profile.lists_prefixed_properties),
            })
            .collect())
    }

    /// `updateConfigurations`: any name is stored; the values of the properties the release's connectors list are
    /// checked first, all in one transaction (a bad value stores nothing).
    pub fn update_configurations(&self, actor: &Actor, values: &[(String, String)]) -> Result<(), DomainError> {
        let now = self.now();
        actor.require_any(&[permissions::GOVERNANCE_UPDATE, permissions::IDP_UPDATE])?;
        let profile = &self.settings.profile.governance;
        let connectors = self.listed_connectors();
        let rules = UpdateRules {
            connectors: &connectors,
            single_reset_option: profile.single_reset_option,
        };
        self.store.write(actor.tenant(), |tx| {
            let checked = governance::check_update(&rules, &self.resident_in(tx)?, values)?;
            for (name, value) in &checked {
                tx.set_governance_property(name, value)?;
            }
            let detail: Vec<String> = checked.iter().map(|(n, v)| format!("{n}={v}")).collect();
            self.audit(tx, now, actor, "governance.update", "resident-idp", &detail.join(","))
        })
    }
}

/// The properties a connector lists: its own in `getPropertyNames()` order, then (7.1+) any other stored property
/// whose name starts with the connector's name, by name (WSO2's order there is the resident IdP's: UNCONFIRMED).
fn listed(connector: &ConnectorDef, resident: &Resident, prefixed: bool) -> Vec<PropertyView> {
    let own = connector.properties.iter().map(|p| PropertyView {
        name: p.name.to_string(),
        def: Some(*p),
        value: resident.get(p.name).unwrap_or_default().to_string(),
    });
    let extra = resident
        .with_prefix(connector.name)
        .filter(|(name, _)| prefixed && connector.property(name).is_none())
        .map(|(name, value)| PropertyView {
            name: name.to_string(),
            def: None,
            value: value.to_string(),
        });
    own.chain(extra).collect()
}
