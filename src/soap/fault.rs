//! The one mapping from errors to SOAP faults: codes and strings as WSO2 writes them, the service's exception
//! bean in `<detail>`. Internal detail never reaches the client; it was logged where it happened.

use super::Service;
pub use super::envelope::Fault;
use super::envelope::{EnvelopeError, FaultCode};
use super::writer::Out;
use super::xml::XSI;
use crate::domain::DomainError;

/// Carbon's fault code for authentication failures.
pub const AUTHENTICATION_FAULT: &str = "50977";
/// Carbon's fault code for authorization failures.
pub const AUTHORIZATION_FAULT: &str = "50978";
/// KERNEL `TenantAuthorizationHandler.TENANT_AUTHZ_FAULT_CODE`: a tenant's user calling a super-tenant service.
pub const TENANT_AUTHORIZATION_FAULT: &str = "WSO2CarbonTenantAuthorizationFailure";

/// Where a service's exception bean lives in `<detail>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExceptionShape {
    /// Namespace of the fault element (the service's target namespace).
    pub ns: &'static str,
    /// e.g. `UserProfileMgtServiceUserProfileException`
    pub element: &'static str,
    /// e.g. `UserProfileException`
    pub bean: &'static str,
    /// Namespace and name of the bean's schema type.
    pub type_ns: &'static str,
    pub type_name: &'static str,
}

/// Every domain error, mapped once. The match is exhaustive on purpose: a new error must choose its fault.
pub fn from_domain(service: Service, e: &DomainError) -> Fault {
    match e {
        DomainError::InvalidCredentials => Fault {
            code: FaultCode::Carbon(AUTHENTICATION_FAULT),
            reason: "Access Denied. Authentication failed - Invalid credentials provided.".into(),
            detail: String::new(),
        },
        DomainError::AccessDenied => Fault {
            code: FaultCode::Carbon(AUTHORIZATION_FAULT),
            reason: "Access Denied.".into(),
            detail: String::new(),
        },
        DomainError::NotAuthorized
        | DomainError::UserNotFound(_)
        | DomainError::UserExists(_)
        | DomainError::RoleNotFound(_)
        | DomainError::RoleExists(_)
        | DomainError::InvalidInput(_)
        | DomainError::MissingInput
        | DomainError::PasswordPolicy(_)
        | DomainError::UsernamePolicy { .. }
        | DomainError::UnknownClaim(_)
        | DomainError::ReadOnlyClaim(_)
        | DomainError::CannotDeleteAdmin
        | DomainError::CannotDeleteAdminRole
        | DomainError::TemplateTypeNotFound(_)
        | DomainError::TemplateTypeExists(_)
        | DomainError::TemplateNotFound { .. }
        | DomainError::TemplateExists { .. }
        | DomainError::TemplateRefused(_)
        | DomainError::Internal => business(service, e.to_string()),
    }
}

/// A business fault: soapenv:Server with the service's exception bean in `<detail>`, as Axis2's RPCMessageReceiver
/// writes a declared exception.
pub fn business(service: Service, reason: String) -> Fault {
    let shape = service.exception();
    let mut out = Out::new();
    out.open(&format!("ns:{}", shape.element), &[("xmlns:ns", shape.ns)]);
    out.empty(
        &format!("ns:{}", shape.bean),
        &[
            ("xmlns:ax", shape.type_ns),
            ("xmlns:xsi", XSI),
            ("xsi:type", &format!("ax:{}", shape.type_name)),
        ],
    );
    out.close(&format!("ns:{}", shape.element));
    Fault {
        code: FaultCode::Server,
        reason,
        detail: out.finish(),
    }
}

/// KERNEL `AuthenticationHandler`: the request's tenant (a tenant-qualified URL other than carbon.super) is not the
/// caller's. `user` is the tenant-aware name.
pub fn tenant_mismatch(user: &str, user_domain: &str, url_domain: &str) -> Fault {
    Fault {
        code: FaultCode::Carbon(AUTHENTICATION_FAULT),
        reason: format!(
            "Access Denied. A user {user}@{user_domain} is trying to access services in domain {url_domain}"
        ),
        detail: String::new(),
    }
}

/// KERNEL `TenantAuthorizationHandler`: an operation marked `superTenantService` called from another tenant.
pub fn super_tenant_service() -> Fault {
    Fault {
        code: FaultCode::Carbon(TENANT_AUTHORIZATION_FAULT),
        reason: "Denied accessing super tenant service.".into(),
        detail: String::new(),
    }
}

/// The client sent something we cannot act on.
pub fn client(reason: String) -> Fault {
    Fault {
        code: FaultCode::Client,
        reason,
        detail: String::new(),
    }
}

/// Axis2's words for an operation the service does not have.
pub fn operation_not_found(service: Service, op: &str) -> Fault {
    client(format!(
        "The endpoint reference (EPR) for the Operation not found is /services/{} and the WSA Action = urn:{}. \
         If this EPR was previously reachable, please contact the server administrator.",
        service.name(),
        op
    ))
}

pub fn from_envelope(e: &EnvelopeError) -> Fault {
    match e {
        EnvelopeError::VersionMismatch { .. } => Fault {
            code: FaultCode::VersionMismatch,
            reason: e.to_string(),
            detail: String::new(),
        },
        EnvelopeError::Xml(_)
        | EnvelopeError::NoBody
        | EnvelopeError::EmptyBody
        | EnvelopeError::SeveralPayloads
        | EnvelopeError::UnexpectedChild
        | EnvelopeError::ContentType(_) => client(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::envelope::{Framing, fault};

    /// KERNEL's two tenant faults are `new AxisFault(text, code)`: a code in no namespace, no detail, in both
    /// SOAP versions.
    #[test]
    fn tenant_faults_carry_kernels_codes() {
        let denied = super_tenant_service();
        let v11 = fault(Framing::Soap11, &denied);
        assert!(
            v11.contains("<faultcode>axis2ns1:WSO2CarbonTenantAuthorizationFailure</faultcode>"),
            "{v11}"
        );
        assert!(v11.contains("<faultstring>Denied accessing super tenant service.</faultstring><detail></detail>"));
        let v12 = fault(Framing::Soap12, &denied);
        assert!(v12.contains("<soapenv:Value>axis2ns1:WSO2CarbonTenantAuthorizationFailure</soapenv:Value>"));
        let mismatch = fault(Framing::Soap11, &tenant_mismatch("kim", "a.com", "b.com"));
        assert!(mismatch.contains(
            "<faultcode>axis2ns1:50977</faultcode><faultstring>Access Denied. A user kim@a.com is trying to access \
             services in domain b.com</faultstring>"
        ));
    }
}
