//! The user store across releases: the primary store a fresh server has (`[user_store] type`) and what it implies
//! for clients, and the local claim dialect a fresh server starts with.
//!
//! What a store type does is the carbon-kernel user core's (`org.wso2.carbon.user.core`), read at the kernel tags
//! the releases ship (4.5.1 for IS 5.9, 4.6.0/4.6.1 for 5.10/5.11, 4.7.1 for 6.0, 4.9.0 for 6.1, 4.10.x for 7.x):
//! it is the same in every one of them, so it hangs off [`UserStoreType`], not off the release.

use super::Wso2Version;

/// WSO2's `[user_store] type` values, as far as a client can tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStoreType {
    /// `read_write_ldap` (5.9's default): the embedded LDAP, user names as ids (`ReadWriteLDAPUserStoreManager`).
    ReadWriteLdap,
    /// `read_write_ldap_unique_id` (5.10 and 5.11's default): `UniqueIDReadWriteLDAPUserStoreManager`.
    ReadWriteLdapUniqueId,
    /// `database` (a JDBC store, `JDBCUserStoreManager`).
    Database,
    /// `database_unique_id` (6.0 on): `UniqueIDJDBCUserStoreManager`.
    DatabaseUniqueId,
}

/// How a store answers the numeric-id operations `getUserId` and `getTenantIdofUser`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumericIds {
    /// The JDBC store looks the user up: its `UM_ID` / `UM_TENANT_ID`, or -1 when there is no such user
    /// (`JDBCUserStoreManager.getUserId`, `getTenantId(String)`; `DatabaseUtil.getIntegerValueFromDatabase`).
    Looked,
    /// The store refuses the operation with this message, whoever the user is.
    Refused(&'static str),
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

    /// An LDAP store: one directory entry per user.
    pub fn is_ldap(self) -> bool {
        matches!(
            self,
            UserStoreType::ReadWriteLdap | UserStoreType::ReadWriteLdapUniqueId
        )
    }

    /// Several profiles per user (`isMultipleProfilesAllowed`: `ReadOnlyLDAPUserStoreManager` answers false,
    /// `JDBCUserStoreManager` true). On LDAP `getProfileNames`/`getAllProfileNames` answer only `default`, and the
    /// profile name of a claim read or write is ignored: every profile is the user's one entry.
    pub fn multiple_profiles(self) -> bool {
        !self.is_ldap()
    }

    /// `addUser` without a last name stores the user name as `sn` (the Last Name claim), because the LDAP schema
    /// requires `sn` (`ReadWriteLDAPUserStoreManager` / `UniqueIDReadWriteLDAPUserStoreManager`
    /// `processAttributesBeforeUpdate`: "If required attributes cn, sn are not set during claim mapping, set them as
    /// user names"). JDBC stores keep no such attribute.
    pub fn fills_last_name(self) -> bool {
        self.is_ldap()
    }

    /// `getUserId` / `getTenantIdofUser`: only the plain JDBC store answers them. `ReadOnlyLDAPUserStoreManager`
    /// throws "Invalid operation"; the unique-id stores (`UniqueIDReadOnlyLDAPUserStoreManager`,
    /// `UniqueIDJDBCUserStoreManager`) throw "Operation is not supported.".
    pub fn numeric_ids(self) -> NumericIds {
        match self {
            UserStoreType::Database => NumericIds::Looked,
            UserStoreType::ReadWriteLdap => NumericIds::Refused("Invalid operation"),
            UserStoreType::ReadWriteLdapUniqueId | UserStoreType::DatabaseUniqueId => {
                NumericIds::Refused("Operation is not supported.")
            }
        }
    }

    /// `getPasswordExpirationTime` of a user the store does not have faults ("No UserId found for user:NAME"):
    /// `AbstractUserStoreManager.getPasswordExpirationTime` resolves the user id first in a unique-id store. The LDAP
    /// stores override the method and answer null (so -1) for any name without a domain; the plain JDBC store finds
    /// no row and answers null too.
    pub fn expiry_needs_existing_user(self) -> bool {
        self == UserStoreType::DatabaseUniqueId
    }
}

/// The local claim dialect a fresh server starts with: one fixture per release under `fixtures/claims/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimDialect {
    /// carbon-identity-framework 5.14.97 `claim-config.xml` (88 claims).
    Is5_9,
    /// carbon-identity-framework 5.17.5 (91 claims).
    Is5_10,
    /// carbon-identity-framework 5.18.187 (101 claims).
    Is5_11,
    /// UNCONFIRMED: the 6.x/7.x dialects could not be read at their tags; a 6.2.0-alpha distribution's copy
    /// (110 claims) stands in for all of them, see the fixture's header.
    Is6Approximation,
}

impl ClaimDialect {
    pub const ALL: [ClaimDialect; 4] = [
        ClaimDialect::Is5_9,
        ClaimDialect::Is5_10,
        ClaimDialect::Is5_11,
        ClaimDialect::Is6Approximation,
    ];

    /// The fixture's file name under `fixtures/claims/`.
    pub fn file(self) -> &'static str {
        match self {
            ClaimDialect::Is5_9 => "5.9.toml",
            ClaimDialect::Is5_10 => "5.10.toml",
            ClaimDialect::Is5_11 => "5.11.toml",
            ClaimDialect::Is6Approximation => "6.x.toml",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreProfile {
    /// The primary store of a fresh server (product-is `deployment.toml` at each tag).
    pub default_user_store: UserStoreType,
    /// The local claim dialect of a fresh server (the `claim-config.xml` of the carbon-identity-framework the
    /// release ships: product-is `pom.xml` `carbon.identity.framework.version`).
    pub claim_dialect: ClaimDialect,
}

pub fn of(version: Wso2Version) -> StoreProfile {
    StoreProfile {
        default_user_store: match version {
            Wso2Version::V5_9 => UserStoreType::ReadWriteLdap,
            Wso2Version::V5_10 | Wso2Version::V5_11 => UserStoreType::ReadWriteLdapUniqueId,
            _ => UserStoreType::DatabaseUniqueId,
        },
        claim_dialect: match version {
            Wso2Version::V5_9 => ClaimDialect::Is5_9,
            Wso2Version::V5_10 => ClaimDialect::Is5_10,
            Wso2Version::V5_11 => ClaimDialect::Is5_11,
            _ => ClaimDialect::Is6Approximation,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldap_stores_have_one_profile_and_fill_the_last_name() {
        for t in UserStoreType::ALL {
            assert_eq!(t.multiple_profiles(), !t.is_ldap(), "{t:?}");
            assert_eq!(t.fills_last_name(), t.is_ldap(), "{t:?}");
        }
        assert_eq!(UserStoreType::Database.numeric_ids(), NumericIds::Looked);
        assert_eq!(
            UserStoreType::ReadWriteLdap.numeric_ids(),
            NumericIds::Refused("Invalid operation")
        );
    }

    #[test]
    fn each_release_has_its_dialect() {
        assert_eq!(of(Wso2Version::V5_9).claim_dialect, ClaimDialect::Is5_9);
        assert_eq!(of(Wso2Version::V5_11).claim_dialect, ClaimDialect::Is5_11);
        assert_eq!(of(Wso2Version::V7_2).claim_dialect, ClaimDialect::Is6Approximation);
    }
}
