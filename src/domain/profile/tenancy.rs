//! Tenants across releases: how tenant management answers (its texts, what `addTenant` returns, whether a
//! configured regex replaces the domain rules). Sources: wso2/carbon-multitenancy (MT) at the tags the releases
//! ship — v4.7.11 (IS 5.9, 5.10), 4.8.2 on (5.11: the TM-600xx codes, commit `34707b20`), 4.9.11 on (6.0: the
//! tenant-domain regex, commit `b9593fff`) — `components/tenant-mgt/org.wso2.carbon.tenant.mgt/src/main/java/org/
//! wso2/carbon/tenant/mgt/util/TenantMgtUtil.java` (`validateDomain`) and `services/TenantMgtAdminService.java`.
//! The full research, with what is still unconfirmed: docs/design/tenants.md.

use super::Wso2Version;

/// How tenant management words a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantTexts {
    /// MT 4.7.x: plain `Exception` messages, no code ("Invalid domain, starting with '.'").
    Plain,
    /// MT 4.8.2 on: `TenantManagementClientException` with a `TM-600xx` code and its message.
    Coded,
}

/// What `addTenant` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddTenantReturns {
    /// MT 4.7.x `prepareStringToShowThemeMgtPage`: a random token for the theme page.
    ThemeToken,
    /// MT 4.9.8 on: the new tenant's unique id.
    TenantUuid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenancyProfile {
    pub texts: TenantTexts,
    /// A configured tenant-domain regex replaces the leading-dot and character checks (MT 4.9.11 on).
    pub domain_regex: bool,
    /// `TenantMgtAdminService.checkDomainAvailability` exists (MT 4.8.1 on: IS 5.10).
    pub check_domain_availability: bool,
    pub add_tenant_returns: AddTenantReturns,
}

pub fn of(version: Wso2Version) -> TenancyProfile {
    use Wso2Version::*;
    TenancyProfile {
        texts: if version >= V5_11 {
            TenantTexts::Coded
        } else {
            TenantTexts::Plain
        },
        domain_regex: version >= V6_0,
        check_domain_availability: version >= V5_10,
        add_tenant_returns: if version >= V5_11 {
            AddTenantReturns::TenantUuid
        } else {
            AddTenantReturns::ThemeToken
        },
    }
}
