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
    #[error("Internal error. Please check the server logs for details.")]
    Internal,
}
