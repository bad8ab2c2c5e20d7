//! The REST APIs under `/api` across releases: how the REST auth valve refuses a caller, the identity-governance API
//! (`/api/server/v1/identity-governance`) and the user API's `resend-code` for a forced reset.
//!
//! Sources: AUTHREST = wso2-extensions/identity-carbon-auth-rest (`AuthenticationValve`, `APIErrorResponseHandler`)
//! at v1.3.6 (IS 5.9), v1.4.0 (5.10), v1.4.25 (5.11), v1.6.1 (6.0), v1.8.11 (6.1) … v1.9.50 (7.2); API =
//! wso2/identity-api-server `components/org.wso2.carbon.identity.api.server.identity.governance` at v1.0.12 (5.9,
//! without the module), v1.0.72 (5.10), v1.0.140 (5.11), v1.2.3 (6.0), v1.2.23 (6.1), v1.2.176 (7.0), v1.3.83 (7.1),
//! v1.3.213 (7.2); GOV = wso2-extensions/identity-governance (`ResendCodeApiServiceImpl`,
//! `ResendConfirmationManager`) at each release's tag (profile/mod.rs); CIF = carbon-identity-framework's
//! `identity.xml.j2` (the REST resources' permissions).

use super::Wso2Version;
use crate::domain::permissions;

/// How the REST auth valve answers a request it cannot authenticate (401) or authorise (403).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValveRefusal {
    /// AUTHREST v1.3.6–v1.4.25 (IS 5.9–5.11): `WWW-Authenticate: realm user="<name>"` and Tomcat's `sendError`
    /// page (`AuthenticationValve.handleErrorResponse`, `AuthorizationValve.handleErrorResponse`).
    TomcatPage,
    /// AUTHREST v1.6.1 (IS 6.0) on: `APIErrorResponseHandler.handleErrorResponseForCommonAPIs`, a JSON
    /// `{"code":401,"message":"Unauthorized","description":…,"traceId":…}` written by org.json with an indent of 2.
    /// `bearer_challenge`: a 401 says `WWW-Authenticate: Bearer realm=<HostName>` and a 403 none (v1.8.11, IS 6.1,
    /// `getRealmInfo`); before, both say `realm user="<name>"`.
    Json { bearer_challenge: bool },
}

/// `/api/server/v1/identity-governance` (API module, added 2019-10 in v1.0.72: IS 5.10 on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GovernanceApi {
    /// A category's or connector's `self` link names the super tenant, `/t/carbon.super/api/server/v1/…`
    /// (5.10–6.1: product-is `IdentityGovernanceSuccessTest#testGetGovernanceConnectors` at v5.10.0 and v6.0.0
    /// expects `"/t/" + tenant + "/api/server/v1…"`); from 7.0 the super tenant's links have no `/t/` part
    /// (`getTenantedRelativePath` at v7.0.0, v7.2.0).
    pub self_links_name_super_tenant: bool,
    /// Each property carries `meta: {type, regex, groupID}` (model `MetaRes`, v1.2.3: IS 6.0).
    pub property_meta: bool,
    /// `POST /identity-governance/preferences` (`getPreferenceByPost`, v1.2.3: IS 6.0).
    pub preferences: bool,
    /// `PATCH /identity-governance/{category-id}/connectors`, several connectors at once
    /// (`patchConnectorsOfCategory`, v1.2.176: IS 7.0).
    pub patch_category: bool,
    /// The single-connector PATCH answers a refusal of the governance service (`IdentityGovernanceClientException`)
    /// with 400 IDG-50013 (`updateGovernanceConnectorProperty`, v1.3.83: IS 7.1); before, and on the
    /// several-connector PATCH in every release, any refusal is 500 IDG-50004.
    pub single_patch_client_errors: bool,
    /// An error description quoting one identifier prints Java's array instead
    /// (`String.format(desc, (Object) data)` in `buildErrorDescription`, v1.0.72 and v1.0.140; fixed in v1.2.3):
    /// `Unable to find any category with the provided identifier [Ljava.lang.String;@1b2c3d4.`
    pub description_prints_array: bool,
}

/// What `POST /api/identity/user/v1.0/resend-code` answers when the user has no pending reset of the scenario
/// asked for (GOV `ResendCodeApiServiceImpl.resendCodePost`, `notificationResponseBean == null`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoPendingReset {
    /// `201 Created`, empty, as if resent (v1.3.15–v1.4.72: IS 5.9–5.11).
    Created,
    /// `501` "This service is not yet implemented." (v1.6.3, v1.8.14: IS 6.0, 6.1).
    NotImplemented,
    /// `400` "User recovery data is not found. Please re-initiate the recovery flow." (v1.9.6: IS 7.0 on).
    BadRequest,
}

/// `POST /api/identity/user/v1.0/resend-code` for `ADMIN_FORCED_PASSWORD_RESET_VIA_EMAIL_LINK` and `…_VIA_OTP`
/// (GOV `ResendCodeApiServiceImpl` from v1.3.15: every release emulated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResendCodeApi {
    pub no_pending_reset: NoPendingReset,
    /// The user API's `ErrorDTO` has `traceId` (its `ref`, GOV v1.6.3: IS 6.0 on); before, only `code`,
    /// `message`, `description`.
    pub error_trace_id: bool,
    /// The resent code of `…_VIA_OTP` is an OTP like the first one (`ResendConfirmationManager.getSecretKey` →
    /// `Utils.generateSecretKey(…, ADMIN_FORCED_PASSWORD_RESET_VIA_OTP, …)`, GOV v1.9.6: IS 7.0 on); before, it is
    /// a UUID, as for the link (`UUIDGenerator.generateUUID()`, the bug product-is#11792 reports).
    pub otp_resent_as_otp: bool,
    /// The permission the resource needs beyond authentication: none up to IS 5.11 (CIF 5.14.97–5.18.187
    /// `identity.xml.j2`: `resend-code` is `secured="true"` with no `<Permissions>`), then
    /// `/permission/admin/manage/identity/identitymgt` (CIF PR #4082, merged 2022-06-22, before CIF 5.23.8 of IS
    /// 6.0; still at CIF HEAD).
    pub permission: Option<&'static str>,
}

/// Everything REST that differs between releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestProfile {
    pub valve: ValveRefusal,
    /// None where the release has no identity-governance REST API (IS 5.9: API v1.0.12 has no such module).
    pub governance: Option<GovernanceApi>,
    pub resend_code: ResendCodeApi,
}

pub fn of(version: Wso2Version) -> RestProfile {
    use Wso2Version::*;
    let valve = match version {
        V5_9 | V5_10 | V5_11 => ValveRefusal::TomcatPage,
        V6_0 => ValveRefusal::Json {
            bearer_challenge: false,
        },
        _ => ValveRefusal::Json { bearer_challenge: true },
    };
    let governance = (version >= V5_10).then_some(GovernanceApi {
        self_links_name_super_tenant: version <= V6_1,
        property_meta: version >= V6_0,
        preferences: version >= V6_0,
        patch_category: version >= V7_0,
        single_patch_client_errors: version >= V7_1,
        description_prints_array: version <= V5_11,
    });
    let resend_code = ResendCodeApi {
        no_pending_reset: match version {
            V5_9 | V5_10 | V5_11 => NoPendingReset::Created,
            V6_0 | V6_1 => NoPendingReset::NotImplemented,
            _ => NoPendingReset::BadRequest,
        },
        error_trace_id: version >= V6_0,
        otp_resent_as_otp: version >= V7_0,
        permission: (version >= V6_0).then_some(permissions::IDENTITY_MGT),
    };
    RestProfile {
        valve,
        governance,
        resend_code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apis_change_where_the_tags_say() {
        assert_eq!(of(Wso2Version::V5_9).governance, None);
        let api = |v| of(v).governance.unwrap_or_else(|| unreachable!());
        assert!(api(Wso2Version::V5_10).description_prints_array);
        assert!(!api(Wso2Version::V6_0).description_prints_array);
        assert!(api(Wso2Version::V6_1).self_links_name_super_tenant);
        assert!(!api(Wso2Version::V7_0).self_links_name_super_tenant);
        assert!(!api(Wso2Version::V5_11).preferences && api(Wso2Version::V6_0).preferences);
        assert!(!api(Wso2Version::V6_1).patch_category && api(Wso2Version::V7_0).patch_category);
        assert!(
            !api(Wso2Version::V7_0).single_patch_client_errors && api(Wso2Version::V7_1).single_patch_client_errors
        );
        assert_eq!(of(Wso2Version::V5_11).resend_code.permission, None);
        assert_eq!(
            of(Wso2Version::V6_0).resend_code.permission,
            Some(permissions::IDENTITY_MGT)
        );
        assert!(!of(Wso2Version::V6_1).resend_code.otp_resent_as_otp);
        assert!(of(Wso2Version::V7_0).resend_code.otp_resent_as_otp);
    }
}
