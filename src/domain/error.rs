//! The one error type of the domain; `soap` and `web` map it to faults and pages in one exhaustive match each.

/// What went wrong, in words a WSO2 client would recognise. Internal detail (SQL, IO) is logged where it
/// happens and arrives here only as `Internal`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DomainError {
    #[error("Authentication failed - Invalid credentials provided.")]
    InvalidCredentials,
    #[error("Access Denied.")]
    AccessDenied,
    #[error("You are not authorized to perform this action.")]
    NotAuthorized,
    #[error("User {0} does not exist")]
    UserNotFound(String),
    #[error("Username '{0}' already exists in the system. Please pick another username.")]
    UserExists(String),
    #[error("Role {0} does not exist")]
    RoleNotFound(String),
    #[error("Role name: {0} in the system. Please pick another role name.")]
    RoleExists(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("Credential is not valid. Credential must be a non null string with following format, {0}")]
    PasswordPolicy(String),
    #[error("Username {name} is not valid. User name must be a non null string with following format, {pattern}")]
    UsernamePolicy { name: String, pattern: String },
    #[error("Claim {0} is not a supported claim")]
    UnknownClaim(String),
    #[error("The claim {0} cannot be modified by this user")]
    ReadOnlyClaim(String),
    #[error("Invalid input parameters")]
    MissingInput,
    #[error("Cannot delete the admin user")]
    CannotDeleteAdmin,
    #[error("Cannot delete the admin role")]
    CannotDeleteAdminRole,
    /// NOTIF `EMAIL_TEMPLATE_TYPE_NOT_FOUND` (code 10003).
    #[error("Email Template Type: {0} not found in carbon.super tenant registry.")]
    TemplateTypeNotFound(String),
    /// NOTIF `ETM-60008`.
    #[error("Notification template type : {0} already exists in tenant registry: carbon.super")]
    TemplateTypeExists(String),
    #[error("Email template {template_type} does not exist in locale {locale}.")]
    TemplateNotFound { template_type: String, locale: String },
    #[error("Email template {template_type} already exists in locale {locale}.")]
    TemplateExists { template_type: String, locale: String },
    /// forcereset's own save-time refusal of a template that would break the mail (WSO2 has none).
    #[error("{0}")]
    TemplateRefused(String),
    #[error("Internal error. Please check the server logs for details.")]
    Internal,
}
