//! WSO2 permission paths: holding `/permission/admin` grants everything below it, `/permission` grants all.

/// The permission every admin-service call needs (services.xml `AuthorizationAction` of most services).
pub const LOGIN: &str = "/permission/admin/login";
/// The root: the super admin's `admin` role holds it.
pub const ROOT: &str = "/permission";
/// The service-level permission of RemoteUserStoreManagerService (identity-user-ws `services.xml`, v5.3.3 to
/// v5.8.10): what `authenticate` and `isExistingUser` need, having no override of their own.
pub const MANAGE_IDENTITY: &str = "/permission/admin/manage/identity";
/// User management (RemoteUserStoreManagerService, the console's user pages): the subtree, and the five actions
/// WSO2 checks under it.
pub const MANAGE_USERS: &str = "/permission/admin/manage/identity/usermgt";
pub const USERS_VIEW: &str = "/permission/admin/manage/identity/usermgt/view";
pub const USERS_LIST: &str = "/permission/admin/manage/identity/usermgt/list";
pub const USERS_CREATE: &str = "/permission/admin/manage/identity/usermgt/create";
pub const USERS_UPDATE: &str = "/permission/admin/manage/identity/usermgt/update";
pub const USERS_DELETE: &str = "/permission/admin/manage/identity/usermgt/delete";
/// Role management: RemoteUserStoreManagerService's role operations (`addRole`, `deleteRole`, `updateRoleName`,
/// `updateUserListOfRole`, `isExistingRole`, `getRoleListOfUser`, `getUserListOfRole`, `getHybridRoles`).
pub const MANAGE_ROLES: &str = "/permission/admin/manage/identity/rolemgt";
pub const ROLES_VIEW: &str = "/permission/admin/manage/identity/rolemgt/view";
pub const ROLES_CREATE: &str = "/permission/admin/manage/identity/rolemgt/create";
pub const ROLES_UPDATE: &str = "/permission/admin/manage/identity/rolemgt/update";
pub const ROLES_DELETE: &str = "/permission/admin/manage/identity/rolemgt/delete";
/// Another user's profile: UserProfileMgtService's in-method rule (carbon-identity-framework `UserProfileAdmin`,
/// 5.14.97 to 5.18.187: `USER_PROFILE_MANAGE_PERMISSION` for `setUserProfile`, `…_VIEW_…` for
/// `getUserProfile(s)`, `…_DELETE_…` for `deleteUserProfile`), and RemoteUserStoreManagerService's
/// `getProfileNames` / `getAllProfileNames`. The first grants the other two (a path grants its subtree).
pub const USER_PROFILES: &str = "/permission/admin/manage/identity/userprofile";
pub const USER_PROFILES_VIEW: &str = "/permission/admin/manage/identity/userprofile/view";
pub const USER_PROFILES_DELETE: &str = "/permission/admin/manage/identity/userprofile/delete";
pub const GOVERNANCE_VIEW: &str = "/permission/admin/manage/identity/governance/view";
pub const GOVERNANCE_UPDATE: &str = "/permission/admin/manage/identity/governance/update";
pub const ASSOCIATION_CREATE: &str = "/permission/admin/manage/identity/user/association/create";
pub const ASSOCIATION_DELETE: &str = "/permission/admin/manage/identity/user/association/delete";
pub const ASSOCIATION_VIEW: &str = "/permission/admin/manage/identity/user/association/view";
/// Claim management (WSO2's ClaimMetadataManagementService).
pub const CLAIM_METADATA_VIEW: &str = "/permission/admin/manage/identity/claimmgt/metadata/view";
pub const CLAIM_METADATA_UPDATE: &str = "/permission/admin/manage/identity/claimmgt/metadata/update";
/// The built-in mailbox: the closest WSO2 permissions are those of e-mail management.
pub const MAILBOX_VIEW: &str = "/permission/admin/manage/identity/emailmgt/view";
pub const MAILBOX_RESEND: &str = "/permission/admin/manage/identity/emailmgt/update";
/// E-mail template management (NOTIF `I18nEmailMgtConfigService` services.xml, every release).
pub const EMAIL_TEMPLATES_VIEW: &str = "/permission/admin/manage/identity/emailmgt/view";
pub const EMAIL_TEMPLATES_CREATE: &str = "/permission/admin/manage/identity/emailmgt/create";
pub const EMAIL_TEMPLATES_UPDATE: &str = "/permission/admin/manage/identity/emailmgt/update";
pub const EMAIL_TEMPLATES_DELETE: &str = "/permission/admin/manage/identity/emailmgt/delete";
/// The resident IdP over REST (`/api/server/v1/identity-governance`): carbon-identity-framework `identity.xml.j2`
/// gives its GET `idpmgt/view` and its PATCH `idpmgt/update` (5.17.5, 5.18.187 and on), where the admin service
/// asks for `governance/view|update`.
pub const IDP_VIEW: &str = "/permission/admin/manage/identity/idpmgt/view";
pub const IDP_UPDATE: &str = "/permission/admin/manage/identity/idpmgt/update";
/// Identity management: what `POST /api/identity/user/v1.0/resend-code` needs from IS 6.0 (`identity.xml.j2`).
pub const IDENTITY_MGT: &str = "/permission/admin/manage/identity/identitymgt";
/// Applications (service providers and their OAuth clients): DCR's `ResourceAccessControl` (CIF 5.18.187
/// `identity.xml.j2`), also introspection's (`…/applicationmgt/view`).
pub const APPLICATIONS_VIEW: &str = "/permission/admin/manage/identity/applicationmgt/view";
pub const APPLICATIONS_CREATE: &str = "/permission/admin/manage/identity/applicationmgt/create";
pub const APPLICATIONS_UPDATE: &str = "/permission/admin/manage/identity/applicationmgt/update";
pub const APPLICATIONS_DELETE: &str = "/permission/admin/manage/identity/applicationmgt/delete";
/// The audit log: WSO2's monitoring permission.
pub const AUDIT_VIEW: &str = "/permission/admin/monitor";

/// Normalise a permission path: no trailing slash (except the root), no empty segments.
/// Returns None for anything that is not an absolute `/permission…` path.
pub fn normalize(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if !path.starts_with('/') || segments.first() != Some(&"permission") {
        return None;
    }
    if segments
        .iter()
        .any(|s| *s == "." || *s == ".." || s.chars().any(char::is_whitespace))
    {
        return None;
    }
    Some(format!("/{}", segments.join("/")))
}

/// Does holding `held` grant `required`? A path grants itself and every path below it, segment-wise
/// (`/permission/admin` grants `/permission/admin/login` but not `/permission/administrator`). Both paths must be
/// valid ([`normalize`] would accept them); compared segment by segment without building strings, since every
/// admin-service call checks a few of these.
pub fn grants(held: &str, required: &str) -> bool {
    let (Some(mut held), Some(mut required)) = (segments(held), segments(required)) else {
        return false;
    };
    loop {
        match (held.next(), required.next()) {
            (None, _) => return true,
            (Some(h), Some(r)) if h == r => {}
            _ => return false,
        }
    }
}

/// The non-empty segments of a valid permission path (see [`normalize`]), or None.
fn segments(path: &str) -> Option<impl Iterator<Item = &str>> {
    let mut all = path.split('/').filter(|s| !s.is_empty());
    let valid = path.starts_with('/')
        && all.next() == Some("permission")
        && all.all(|s| s != "." && s != ".." && !s.chars().any(char::is_whitespace));
    valid.then(|| path.split('/').filter(|s| !s.is_empty()))
}

/// Does any of `held` grant `required`?
pub fn any_grants<S: AsRef<str>>(held: &[S], required: &str) -> bool {
    held.iter().any(|h| grants(h.as_ref(), required))
}

/// A tenant admin's role holds the whole admin tree of its tenant; `/permission/protected` (tenant management) is
/// the super tenant's alone. The exact tree WSO2 gives a tenant admin is UNCONFIRMED (docs/design/tenants.md §1.4).
pub const TENANT_ADMIN: &str = "/permission/admin";
/// `TenantMgtAdminService` and `POST /api/server/v1/tenants` (MT services.xml `AuthorizationAction`).
pub const TENANTS_MANAGE: &str = "/permission/protected/manage/monitor/tenants";
/// `retrieveTenants` and the REST API's reads.
pub const TENANTS_LIST: &str = "/permission/protected/manage/monitor/tenants/list";
/// `activateTenant`, `deactivateTenant`, `updateTenant`, `deleteTenant`, REST lifecycle-status.
pub const TENANTS_MODIFY: &str = "/permission/protected/manage/modify/tenants";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_grants_itself_and_its_subtree() {
        assert!(grants("/permission", LOGIN));
        assert!(grants("/permission/admin", LOGIN));
        assert!(grants("/permission/admin/login", LOGIN));
        assert!(grants("/permission/admin/login/", LOGIN));
        assert!(!grants("/permission/admin/login", "/permission/admin"));
        assert!(!grants("/permission/admin/log", LOGIN));
        assert!(!grants("/permission/admin", "/permission/administrator"));
        assert!(grants("/permission/admin/manage", GOVERNANCE_UPDATE));
        assert!(!grants(
            "/permission/admin/manage/identity/governance/view",
            GOVERNANCE_UPDATE
        ));
    }

    #[test]
    fn malformed_paths_grant_nothing() {
        assert!(!grants("", LOGIN));
        assert!(!grants("permission", LOGIN));
        assert!(!grants("/perm", LOGIN));
        assert!(!grants("/permission/../permission", LOGIN));
        assert_eq!(normalize("/permission//admin/"), Some("/permission/admin".into()));
        assert_eq!(normalize("/other"), None);
    }

    #[test]
    fn any_of_several_held_paths_may_grant() {
        let held = [
            "/permission/admin/login",
            "/permission/admin/manage/identity/userprofile",
        ];
        assert!(any_grants(&held, USER_PROFILES_DELETE));
        assert!(!any_grants(&held, GOVERNANCE_VIEW));
        assert!(!any_grants::<&str>(&[], LOGIN));
    }
}
