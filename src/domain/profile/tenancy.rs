//! Tenants across releases: how tenant management answers (its texts, what `addTenant` returns, whether a
//! configured regex replaces the domain rules). Sources: wso2/carbon-multitenancy (MT) at the tags the releases
//! ship — v4.7.11 (IS 5.9, 5.10), 4.8.2 on (5.11: the TM-600xx codes, commit `34707b20`), 4.9.11 on (6.0: the
//! tenant-domain regex, commit `b9593fff`) — `components/tenant-mgt/org.wso2.carbon.tenant.mgt/src/main/java/org/
//! wso2/carbon/tenant/mgt/util/TenantMgtUtil.java` (`validateDomain`) and `services/TenantMgtAdminService.java`.
//! The REST API `/api/server/v1/tenants`: API = wso2/identity-api-server `…tenant.management.v1` at v1.0.140
//! (IS 5.11), v1.2.3 (6.0), v1.2.176 (7.0), v1.3.83 (7.1), v1.3.213 (7.2) (`TenantsApiServiceImpl`,
//! `ServerTenantManagementService`, `tenant-management.yaml`, `api.server.common/ContextLoader`), with MT
//! `services/TenantMgtImpl.java` at v4.9.8 and v4.11.34 (`validateFilter`).
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
    /// `/api/server/v1/tenants`; None where the release has no such API (5.9, 5.10: the module came in API
    /// v1.0.109, commit `a5dfc200`).
    pub rest: Option<TenantsApi>,
}

/// What the REST tenant management API of a release does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantsApi {
    /// `Location` (POST) and the lifecycle answer's URI carry `/t/carbon.super`: `ContextLoader.getContext` adds
    /// the context tenant when tenant-qualified URLs are off, the 5.11 default (API v1.0.140). With them on (7.0
    /// default; 6.0's default is UNCONFIRMED, taken as on) the super tenant's URL has no `/t/` (CIF
    /// `DefaultServiceURLBuilder`).
    pub location_names_super_tenant: bool,
    /// `GET` and `HEAD /tenants/domain/{tenant-domain}` (API v1.2.3: IS 6.0).
    pub by_domain: bool,
    /// `filter=domainName <eq|co|sw|ew> <value>` (MT 4.11.34 `validateFilter`, API v1.3.83: IS 7.1); before, any
    /// `filter` is 501 TM-65006 (`handleNotImplementedCapabilities`, API v1.0.140 … v1.2.176).
    pub filter: bool,
    /// A tenant's JSON has `name` (API v1.3.213 `TenantResponseModel`, `TenantListItem`: IS 7.2); MT 4.11.45
    /// answers the domain when no name was given.
    pub name: bool,
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
        rest: (version >= V5_11).then_some(TenantsApi {
            location_names_super_tenant: version == V5_11,
            by_domain: version >= V6_0,
            filter: version >= V7_1,
            name: version >= V7_2,
        }),
    }
}
