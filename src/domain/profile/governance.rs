//! Governance across releases: which connectors `getConnectorList` lists, with which properties, labels and
//! categories, and what `updateConfigurations` accepts.

use super::Wso2Version;
use crate::domain::governance::{ADMIN_FORCED_PASSWORD_RESET, ConnectorDef};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovernanceProfile {
    /// The connectors `getConnectorList` lists, in order.
    pub connectors: &'static [ConnectorDef],
}

pub fn of(_version: Wso2Version) -> GovernanceProfile {
    GovernanceProfile {
        connectors: &[ADMIN_FORCED_PASSWORD_RESET],
    }
}
