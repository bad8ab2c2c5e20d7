//! The REST table's routing, ids and the error mapping, without a server.

use super::error::{Kind, kind};
use super::governance::id_of;
use super::*;
use crate::domain::DomainError;
use crate::domain::profile::Wso2Version;

#[test]
fn patterns_bind_one_segment_each_and_allow_one_trailing_slash() {
    let p = "/api/server/v1/identity-governance/{category-id}/connectors";
    assert_eq!(
        matches(p, "/api/server/v1/identity-governance/QQ/connectors"),
        Some(vec![("category-id", "QQ".to_string())])
    );
    assert!(matches(p, "/api/server/v1/identity-governance/QQ/connectors/").is_some());
    assert!(matches(p, "/api/server/v1/identity-governance//connectors").is_none());
    assert!(matches(p, "/api/server/v1/identity-governance/QQ/connectors/x").is_none());
    assert!(matches(p, "/api/server/v1/identity-governance/QQ").is_none());
}

#[test]
fn routes_answer_404_or_405_and_follow_the_release() {
    let v5_10 = Wso2Version::V5_10.profile();
    let status = |profile: &Profile, verb, path| {
        route(profile, Some(verb), path)
            .map(|(op, _)| op.path)
            .map_err(|r| r.response().status())
    };
    assert_eq!(status(&v5_10, Verb::Get, governance::BASE), Ok(governance::BASE));
    assert_eq!(
        status(&v5_10, Verb::Post, "/api/server/v1/identity-governance/preferences"),
        Err(StatusCode::METHOD_NOT_ALLOWED)
    );
    let v6_0 = Wso2Version::V6_0.profile();
    assert_eq!(
        status(&v6_0, Verb::Post, "/api/server/v1/identity-governance/preferences"),
        Ok("/api/server/v1/identity-governance/preferences")
    );
    let v5_9 = Wso2Version::V5_9.profile();
    assert_eq!(status(&v5_9, Verb::Get, governance::BASE), Err(StatusCode::NOT_FOUND));
    assert_eq!(status(&v5_9, Verb::Post, user::RESEND_CODE), Ok(user::RESEND_CODE));
    assert_eq!(
        status(&v6_0, Verb::Get, "/api/server/v1/identity-governance/a/b"),
        Err(StatusCode::NOT_FOUND)
    );
}

#[test]
fn mounts_are_matched_whole() {
    // Tenant-qualified paths arrive rewritten (`routes::qualified`): the adapter sees `/api/…` only.
    assert!(serves("/api/server/v1/identity-governance/x"));
    assert!(serves("/api/identity/user/v1.0/resend-code"));
    assert!(!serves("/api/identity/user/v1.0/resend-codes"));
    assert!(!serves("/t/carbon.super/api/server/v1/identity-governance"));
}

#[test]
fn ids_are_unpadded_base64url_of_names() {
    // The values WSO2's own tests expect (product-is get-categories-response.json).
    assert_eq!(id_of("Account Management"), "QWNjb3VudCBNYW5hZ2VtZW50");
    assert_eq!(
        id_of("Account Management Policies"),
        "QWNjb3VudCBNYW5hZ2VtZW50IFBvbGljaWVz"
    );
    assert_eq!(id_of("Login Attempts Security"), "TG9naW4gQXR0ZW1wdHMgU2VjdXJpdHk");
    assert_eq!(
        id_of("admin-forced-password-reset"),
        "YWRtaW4tZm9yY2VkLXBhc3N3b3JkLXJlc2V0"
    );
}

#[test]
fn domain_errors_map_to_the_valve_or_the_api() {
    assert_eq!(kind(&DomainError::InvalidCredentials), Kind::Unauthenticated);
    assert_eq!(kind(&DomainError::AccessDenied), Kind::Forbidden);
    assert_eq!(kind(&DomainError::Internal), Kind::Internal);
    assert_eq!(
        kind(&DomainError::InvalidInput("bad".into())),
        Kind::Refused("bad".into())
    );
}
