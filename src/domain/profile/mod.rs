//! The WSO2 Identity Server release a deployment emulates (`[forcereset] wso2_version`), and everything a client
//! can see that differs between releases. The one place version differences live: code asks its subject's part
//! of the [`Profile`] ("does the lock write `accountState`?"), never `if version == …`. Each difference names its
//! WSO2 source (repository, tag, file) next to its value; docs/COMPATIBILITY.md tabulates them.
//!
//! Component versions per release (product-is `pom.xml` at each release tag):
//!
//! | IS | identity-governance | identity-local-auth-basicauth | account-lock handler | carbon-identity-framework |
//! |---|---|---|---|---|
//! | 5.9 | 1.3.15 | 6.2.4 | 1.3.3 | 5.14.97 |
//! | 5.10 | 1.4.1 | 6.3.0 | 1.4.0 | 5.17.5 |
//! | 5.11 | 1.4.72 | 6.3.11 | 1.4.11 | 5.18.187 |
//! | 6.0 | 1.6.3 | 6.5.0 | 1.6.1 | 5.23.8 |
//! | 6.1 | 1.8.14 | 6.7.8 | 1.8.6 | 5.25.92 |
//! | 7.0 | 1.9.6 | 6.8.3 | 1.9.2 | 7.0.78 |
//! | 7.1 | 1.11.48 | 6.8.20 | 1.9.14 | 7.8.23 |
//! | 7.2 | 1.11.145 | 6.8.49 | 1.9.19 | 7.8.586 |

pub mod expiry;
pub mod governance;
pub mod login;
pub mod oauth;
pub mod recovery;
pub mod reset;
pub mod rest;
pub mod scim;
pub mod store;
pub mod templates;
pub mod tenancy;

/// A WSO2 Identity Server release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Wso2Version {
    V5_9,
    V5_10,
    V5_11,
    V6_0,
    V6_1,
    V7_0,
    V7_1,
    V7_2,
}

impl Wso2Version {
    pub const ALL: [Wso2Version; 8] = [
        Wso2Version::V5_9,
        Wso2Version::V5_10,
        Wso2Version::V5_11,
        Wso2Version::V6_0,
        Wso2Version::V6_1,
        Wso2Version::V7_0,
        Wso2Version::V7_1,
        Wso2Version::V7_2,
    ];

    /// The seed document's generation: its screenshots and config keys are IS 5.11's.
    pub const DEFAULT: Wso2Version = Wso2Version::V5_11;

    /// As `deployment.toml` writes it: `"5.9"` … `"7.2"` (a patch level such as `"5.11.0"` is accepted).
    pub fn parse(text: &str) -> Option<Wso2Version> {
        let text = text.trim();
        let text = text
            .strip_suffix(".0")
            .filter(|t| t.matches('.').count() == 1)
            .unwrap_or(text);
        Wso2Version::ALL.into_iter().find(|v| v.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Wso2Version::V5_9 => "5.9",
            Wso2Version::V5_10 => "5.10",
            Wso2Version::V5_11 => "5.11",
            Wso2Version::V6_0 => "6.0",
            Wso2Version::V6_1 => "6.1",
            Wso2Version::V7_0 => "7.0",
            Wso2Version::V7_1 => "7.1",
            Wso2Version::V7_2 => "7.2",
        }
    }

    /// Everything that differs in this release.
    pub fn profile(self) -> Profile {
        Profile {
            version: self,
            expiry: expiry::of(self),
            governance: governance::of(self),
            login: login::of(self),
            oauth: oauth::of(self),
            recovery: recovery::of(self),
            reset: reset::of(self),
            rest: rest::of(self),
            scim: scim::of(self),
            store: store::of(self),
            templates: templates::of(self),
            tenancy: tenancy::of(self),
        }
    }
}

impl std::fmt::Display for Wso2Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a release looks like to a client, by subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub version: Wso2Version,
    /// Password expiry: who enforces it, its connector, its rule.
    pub expiry: expiry::ExpiryProfile,
    /// The resident IdP's connectors and `updateConfigurations`.
    pub governance: governance::GovernanceProfile,
    /// The basic authenticator: redirects, error codes, the account lock at login.
    pub login: login::LoginProfile,
    /// OAuth2 and OpenID Connect: DCR, the token endpoint, ID tokens, JWKS, discovery.
    pub oauth: oauth::OAuthProfile,
    /// The recovery portal's pages (`confirmrecovery.do`, `completepasswordreset.do`).
    pub recovery: recovery::RecoveryProfile,
    /// The forced reset itself: codes and the claims the trigger writes.
    pub reset: reset::ResetProfile,
    /// The REST APIs: the auth valve's refusals, identity governance, `resend-code`.
    pub rest: rest::RestProfile,
    /// SCIM 2.0 (`/scim2`): where WSO2's user attributes live, discovery, the auth layer's refusals.
    pub scim: scim::ScimProfile,
    /// The user store and the claim dialect a fresh server has.
    pub store: store::StoreProfile,
    /// E-mail templates: the locale claim, locale spelling, save-time checks.
    pub templates: templates::TemplatesProfile,
    /// Tenant management: its texts, what `addTenant` returns, the domain regex setting.
    pub tenancy: tenancy::TenancyProfile,
}

impl Default for Profile {
    fn default() -> Profile {
        Wso2Version::DEFAULT.profile()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_as_deployment_toml_writes_them() {
        for v in Wso2Version::ALL {
            assert_eq!(Wso2Version::parse(v.as_str()), Some(v));
            assert_eq!(v.profile().version, v);
        }
        assert_eq!(Wso2Version::parse("5.11.0"), Some(Wso2Version::V5_11));
        assert_eq!(Wso2Version::parse(" 7.2 "), Some(Wso2Version::V7_2));
        assert_eq!(Wso2Version::parse("5.1"), None);
        assert_eq!(Wso2Version::parse("5.12"), None);
        assert_eq!(Wso2Version::parse("7.20"), None);
        assert!(Wso2Version::V5_9 < Wso2Version::V5_10, "releases order by age");
    }
}
