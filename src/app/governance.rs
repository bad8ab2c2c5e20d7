//! Identity governance: the resident IdP's connectors and their properties (IdentityGovernanceAdminService, the
//! console), and the effective forced-reset settings the other use cases plan with.

use super::{Actor, App};
use crate::domain::governance::{self, ConnectorDef, PropertyDef, ResetSettings};
use crate::domain::{DomainError, permissions};

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

impl App {
    /// The `[identity_mgt.password_reset_by_admin]` defaults of the governance properties.
    pub(super) fn reset_defaults(&self) -> ResetSettings {
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
        let now = self.now();
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
                now,
                actor,
                "governance.update",
                "admin-forced-password-reset",
                &detail.join(","),
            )
        })
    }
}
