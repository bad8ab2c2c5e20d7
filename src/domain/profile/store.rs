//! The user store across releases: the primary store a fresh server has (`[user_store] type`) and what it implies
//! for clients, and the local claim dialect a fresh server starts with.

use super::Wso2Version;

/// WSO2's `[user_store] type` values, as far as a client can tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStoreType {
    /// `read_write_ldap` (5.9's default): the embedded LDAP, user names as ids.
    ReadWriteLdap,
    /// `read_write_ldap_unique_id` (5.10 and 5.11's default).
    ReadWriteLdapUniqueId,
    /// `database` (a JDBC store).
    Database,
    /// `database_unique_id` (6.0 on).
    DatabaseUniqueId,
}

impl UserStoreType {
    pub const ALL: [UserStoreType; 4] = [
        UserStoreType::ReadWriteLdap,
        UserStoreType::ReadWriteLdapUniqueId,
        UserStoreType::Database,
        UserStoreType::DatabaseUniqueId,
    ];

    pub fn parse(text: &str) -> Option<UserStoreType> {
        UserStoreType::ALL.into_iter().find(|t| t.as_str() == text.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UserStoreType::ReadWriteLdap => "read_write_ldap",
            UserStoreType::ReadWriteLdapUniqueId => "read_write_ldap_unique_id",
            UserStoreType::Database => "database",
            UserStoreType::DatabaseUniqueId => "database_unique_id",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreProfile {
    /// The primary store of a fresh server (product-is `deployment.toml` at each tag).
    pub default_user_store: UserStoreType,
}

pub fn of(version: Wso2Version) -> StoreProfile {
    StoreProfile {
        default_user_store: match version {
            Wso2Version::V5_9 => UserStoreType::ReadWriteLdap,
            Wso2Version::V5_10 | Wso2Version::V5_11 => UserStoreType::ReadWriteLdapUniqueId,
            _ => UserStoreType::DatabaseUniqueId,
        },
    }
}
