//! Tenant domains: which names tenant management accepts, with its refusals' codes and texts per release
//! (`profile::tenancy`). The super tenant's domain is `domain::TENANT_DOMAIN`. Pure rules; tenants as data come with the store's tenant key (docs/design/tenants.md).

use regex::Regex;

use super::profile::tenancy::{TenancyProfile, TenantTexts};

/// Why a tenant domain is refused (MT `TenantMgtUtil.validateDomain`, in its order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainRefusal {
    Empty,
    StartsWithDot,
    IllegalCharacters(String),
    /// 6.0 on, with a configured regex: the domain and the regex.
    NoMatch(String, String),
}

impl DomainRefusal {
    /// The `TM-600xx` code, where the release has codes.
    pub fn code(&self, texts: TenantTexts) -> Option<&'static str> {
        match texts {
            TenantTexts::Plain => None,
            TenantTexts::Coded => Some(match self {
                DomainRefusal::Empty => "TM-60004",
                DomainRefusal::StartsWithDot => "TM-60006",
                DomainRefusal::IllegalCharacters(_) => "TM-60007",
                DomainRefusal::NoMatch(..) => "TM-60017",
            }),
        }
    }

    /// The release's message.
    pub fn message(&self, texts: TenantTexts) -> String {
        const VALID: &str = "The valid characters are lowercase letters, numbers, '.', '-' and '_'.";
        match (self, texts) {
            (DomainRefusal::Empty, _) => "Provided domain name is empty.".to_string(),
            (DomainRefusal::StartsWithDot, TenantTexts::Plain) => "Invalid domain, starting with '.'".to_string(),
            (DomainRefusal::StartsWithDot, TenantTexts::Coded) => {
                "Invalid domain. Domain should not start with '.'".to_string()
            }
            (DomainRefusal::IllegalCharacters(d), TenantTexts::Plain) => {
                format!("The tenant domain ' {d} ' contains one or more illegal characters. {VALID}")
            }
            (DomainRefusal::IllegalCharacters(d), TenantTexts::Coded) => {
                format!("The tenant domain {d} contains one or more illegal characters. {VALID}")
            }
            (DomainRefusal::NoMatch(d, regex), _) => {
                format!("Invalid tenant domain: {d}. Domain should match the regex pattern {regex}.")
            }
        }
    }
}

/// Check a domain to register. `regex` is the configured tenant-domain pattern, honoured where the release reads
/// one (it then replaces the leading-dot and character checks, as in MT 4.9.11 on).
pub fn check_domain(domain: &str, profile: &TenancyProfile, regex: Option<&Regex>) -> Result<(), DomainRefusal> {
    let blank = match profile.texts {
        // MT 4.7.x: `domainName.equals("")`; a blank one fails the character check instead.
        TenantTexts::Plain => domain.is_empty(),
        // MT 4.8.2 on: `StringUtils.isBlank`.
        TenantTexts::Coded => domain.trim().is_empty(),
    };
    if blank {
        return Err(DomainRefusal::Empty);
    }
    if let Some(regex) = regex.filter(|_| profile.domain_regex) {
        // Java's `Pattern.matches`: the whole domain.
        let whole = regex
            .find(domain)
            .is_some_and(|m| m.start() == 0 && m.end() == domain.len());
        return if whole {
            Ok(())
        } else {
            Err(DomainRefusal::NoMatch(domain.to_string(), regex.as_str().to_string()))
        };
    }
    if domain.starts_with('.') {
        return Err(DomainRefusal::StartsWithDot);
    }
    if has_illegal_characters(domain) {
        return Err(DomainRefusal::IllegalCharacters(domain.to_string()));
    }
    Ok(())
}

/// MT `TenantMgtUtil.validateIllegalCharactersInDomain`, `.*[^a-z0-9\._\-].*`: any character other than these,
/// upper case included (also the REST API's check of a `domainName` filter value, MT 4.11.34).
pub fn has_illegal_characters(domain: &str) -> bool {
    let legal = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
    !domain.chars().all(legal)
}

/// The super tenant's domain (WSO2's `MultitenantConstants.SUPER_TENANT_DOMAIN_NAME`).
pub const SUPER_DOMAIN: &str = super::TENANT_DOMAIN;

/// Is this an e-mail address tenant management accepts (MT `CommonUtil.validateEmail`, every tag): not blank, none
/// of `( ) < > , ; : \ " [ ]`, and `^[^@]+@[^@.]+\.[^@]*\w\w$` after trimming. Every refusal reads "Invalid email
/// is provided." in `addTenant` (MT `TenantMgtAdminService.registerTenant`) and TM-60002 in the REST API
/// (`TenantMgtImpl`), so one answer is enough.
pub fn email_is_valid(email: &str) -> bool {
    let email = email.trim();
    if email.is_empty() || email.chars().any(|c| "()<>,;:\\\"[]".contains(c)) {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let Some((first, rest)) = domain.split_once('.') else {
        return false;
    };
    // `\w\w$`: Java's `\w` is `[a-zA-Z0-9_]`.
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let tail: Vec<char> = rest.chars().rev().take(2).collect();
    !local.is_empty() && !first.is_empty() && !domain.contains('@') && tail.len() == 2 && tail.iter().all(|c| word(*c))
}

/// Split a sign-in name at its last `@` into the tenant-aware name and the tenant domain, as WSO2's
/// `MultitenantUtils` does (`tom@wso2.com` → `("tom", Some("wso2.com"))`; `tom` → `("tom", None)`). Whether the
/// part after `@` names a tenant, or the whole is an e-mail user name of the super tenant, is the caller's to
/// decide with the tenants it knows.
pub fn split_user(qualified: &str) -> (&str, Option<&str>) {
    match qualified.rsplit_once('@') {
        Some((name, domain)) if !name.is_empty() && !domain.is_empty() => (name, Some(domain)),
        _ => (qualified, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::profile::{Wso2Version, tenancy};

    #[test]
    fn emails_as_mt_common_util_checks_them() {
        // MT `CommonTest` (components/tenant-mgt/org.wso2.carbon.tenant.common/src/test/.../CommonTest.java).
        assert!(email_is_valid("damn@right.com"));
        assert!(!email_is_valid("damn@right].com"), "wrong characters");
        assert!(!email_is_valid("damn@right@wrong.com"), "invalid address");
        assert!(email_is_valid(" kim@wso2.com "), "trimmed");
        for bad in [
            "",
            "  ",
            "kim",
            "kim@wso2",
            "kim@.com",
            "@wso2.com",
            "kim@wso2.c",
            "kim@wso2.co-",
        ] {
            assert!(!email_is_valid(bad), "{bad:?}");
        }
    }

    #[test]
    fn names_split_at_the_last_at_sign() {
        assert_eq!(split_user("tom@wso2.com"), ("tom", Some("wso2.com")));
        assert_eq!(
            split_user("tom@gmail.com@wso2.com"),
            ("tom@gmail.com", Some("wso2.com"))
        );
        assert_eq!(split_user("tom"), ("tom", None));
        assert_eq!(split_user("tom@"), ("tom@", None));
        assert_eq!(split_user("@wso2.com"), ("@wso2.com", None));
    }

    fn check(v: Wso2Version, domain: &str) -> Result<(), DomainRefusal> {
        check_domain(domain, &tenancy::of(v), None)
    }

    #[test]
    fn mt_rules_in_their_order() {
        for v in Wso2Version::ALL {
            assert_eq!(check(v, "wso2.com"), Ok(()));
            assert_eq!(check(v, "a-b_c.9"), Ok(()));
            assert_eq!(check(v, ""), Err(DomainRefusal::Empty));
            assert_eq!(check(v, ".wso2.com"), Err(DomainRefusal::StartsWithDot));
            assert_eq!(
                check(v, "WSO2.com"),
                Err(DomainRefusal::IllegalCharacters("WSO2.com".into()))
            );
            assert_eq!(check(v, "a b"), Err(DomainRefusal::IllegalCharacters("a b".into())));
        }
        // A blank domain: plain `equals("")` lets it through to the character check; `isBlank` does not.
        assert_eq!(
            check(Wso2Version::V5_10, " "),
            Err(DomainRefusal::IllegalCharacters(" ".into()))
        );
        assert_eq!(check(Wso2Version::V5_11, " "), Err(DomainRefusal::Empty));
    }

    #[test]
    fn texts_and_codes_per_release() {
        let dot = DomainRefusal::StartsWithDot;
        let old = tenancy::of(Wso2Version::V5_10).texts;
        let new = tenancy::of(Wso2Version::V5_11).texts;
        assert_eq!(dot.code(old), None);
        assert_eq!(dot.message(old), "Invalid domain, starting with '.'");
        assert_eq!(dot.code(new), Some("TM-60006"));
        assert_eq!(dot.message(new), "Invalid domain. Domain should not start with '.'");
        let bad = DomainRefusal::IllegalCharacters("A".into());
        assert!(bad.message(old).starts_with("The tenant domain ' A ' contains"));
        assert!(bad.message(new).starts_with("The tenant domain A contains"));
        assert_eq!(bad.code(new), Some("TM-60007"));
    }

    #[test]
    fn a_configured_regex_replaces_the_rules_from_6_0() {
        let regex = Regex::new("[A-Za-z.]+").unwrap();
        let on = tenancy::of(Wso2Version::V6_0);
        assert_eq!(check_domain("Upper.Case", &on, Some(&regex)), Ok(()));
        let refused = check_domain("digits9", &on, Some(&regex)).unwrap_err();
        assert_eq!(refused.code(on.texts), Some("TM-60017"));
        assert_eq!(
            refused.message(on.texts),
            "Invalid tenant domain: digits9. Domain should match the regex pattern [A-Za-z.]+."
        );
        // Before 6.0 the setting is not read.
        let off = tenancy::of(Wso2Version::V5_11);
        assert!(check_domain("Upper.Case", &off, Some(&regex)).is_err());
    }
}
