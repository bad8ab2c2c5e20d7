//! Password expiry rules by role or group (IS 7.1 on): parsing `passwordExpiry.rule*` values and choosing the
//! period that applies to one user. Sources, GOV `components/org.wso2.carbon.identity.password.expiry/src/main/
//! java/org/wso2/carbon/identity/password/expiry/` at v1.11.48 (rules since v1.10.6, commit ad71ac403):
//! `models/PasswordExpiryRule.java` (the format), `models/PasswordExpiryRule{Attribute,Operator}Enum.java`,
//! `util/PasswordPolicyUtils.java` (`getPasswordExpiryRules`, `isPasswordExpired`, `isRuleApplicable`,
//! `getUserPasswordExpiryTime`), `constants/PasswordPolicyConstants.MAX_PASSWORD_EXPIRY_RULE_VALUES`.

use std::collections::BTreeSet;
use std::str::FromStr;

use super::ExpirySettings;
use crate::domain::governance::Resident;
use crate::domain::profile::expiry::RULE_PREFIX;

/// GOV `MAX_PASSWORD_EXPIRY_RULE_VALUES`.
pub const MAX_RULE_VALUES: usize = 5;

/// What a rule looks at: the ids of the user's roles (direct, and those of the user's groups) or groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleAttribute {
    Roles,
    Groups,
}

/// `eq`: the rule's period applies; `ne`: the user's password never expires (GOV: "skip password expiry").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleOperator {
    Eq,
    Ne,
}

/// One rule: `priority,expiryDays,attribute,operator,value1[,value2…]`; it applies to a user who has every value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiryRule {
    pub priority: i64,
    /// 0 means the connector's `passwordExpiryInDays`.
    pub days: i64,
    pub attribute: RuleAttribute,
    pub operator: RuleOperator,
    pub values: Vec<String>,
}

/// Why a rule value is refused (GOV logs it and skips the rule; the login goes on).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("Invalid rule format: not enough parts in the rule definition.")]
    TooFewParts,
    #[error("Invalid rule format: {0} is not a number.")]
    NotANumber(String),
    #[error("Invalid rule format: priority should be positive.")]
    Priority,
    #[error("Invalid rule format: expiry days should be positive.")]
    Days,
    #[error("No enum constant with text {0} found")]
    Unknown(String),
    #[error("Invalid rule format: number of values exceeds the maximum limit of {MAX_RULE_VALUES}.")]
    TooManyValues,
}

/// Split at commas outside single quotes (GOV's `,(?=(?:[^']*'[^']*')*[^']*$)`: a comma counts when an even
/// number of `'` follows it, so a value may be `'a,b'`).
fn split_outside_quotes(text: &str) -> Vec<&str> {
    let quotes_after: Vec<usize> = {
        let mut after = vec![0; text.len() + 1];
        for (i, b) in text.bytes().enumerate().rev() {
            after[i] = after[i + 1] + usize::from(b == b'\'');
        }
        after
    };
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b',' && quotes_after[i + 1].is_multiple_of(2) {
            parts.push(&text[start..i]);
            start = i + 1;
        }
    }
    parts.push(&text[start..]);
    // Java's `String.split` drops trailing empty strings.
    while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

fn unquote(value: &str) -> &str {
    let value = value.trim();
    for q in ['\'', '"'] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return value[1..value.len() - 1].trim();
        }
    }
    value
}

fn number(part: &str) -> Result<i64, RuleError> {
    // Java's `Integer.parseInt`: an optional sign and digits, within 32 bits.
    let part = part.trim();
    part.parse::<i32>()
        .map(i64::from)
        .map_err(|_| RuleError::NotANumber(part.to_string()))
}

impl FromStr for ExpiryRule {
    type Err = RuleError;

    fn from_str(text: &str) -> Result<ExpiryRule, RuleError> {
        let parts = split_outside_quotes(text);
        if parts.len() < 5 {
            return Err(RuleError::TooFewParts);
        }
        let priority = number(parts[0])?;
        let days = number(parts[1])?;
        if priority <= 0 {
            return Err(RuleError::Priority);
        }
        if days < 0 {
            return Err(RuleError::Days);
        }
        let attribute = match parts[2].trim() {
            a if a.eq_ignore_ascii_case("roles") => RuleAttribute::Roles,
            a if a.eq_ignore_ascii_case("groups") => RuleAttribute::Groups,
            other => return Err(RuleError::Unknown(other.to_string())),
        };
        let operator = match parts[3].trim() {
            o if o.eq_ignore_ascii_case("eq") => RuleOperator::Eq,
            o if o.eq_ignore_ascii_case("ne") => RuleOperator::Ne,
            other => return Err(RuleError::Unknown(other.to_string())),
        };
        let values: Vec<String> = parts[4..].iter().map(|v| unquote(v).to_string()).collect();
        if values.len() > MAX_RULE_VALUES {
            return Err(RuleError::TooManyValues);
        }
        Ok(ExpiryRule {
            priority,
            days,
            attribute,
            operator,
            values,
        })
    }
}

/// The rules stored on the resident IdP (non-empty `passwordExpiry.rule*` values), by priority (ties by property
/// name), and the values refused with why. GOV walks the properties in the order the connector returns them,
/// which the console writes in priority order; ordering by priority gives the same answer for the console's
/// rules and a defined one for rules written by hand.
pub fn rules_of(resident: &Resident) -> (Vec<ExpiryRule>, Vec<(String, RuleError)>) {
    let mut rules = Vec::new();
    let mut refused = Vec::new();
    for (name, value) in resident.with_prefix(RULE_PREFIX) {
        if value.is_empty() {
            continue;
        }
        match value.parse::<ExpiryRule>() {
            Ok(rule) => rules.push(rule),
            Err(e) => refused.push((name.to_string(), e)),
        }
    }
    rules.sort_by_key(|r| r.priority);
    (rules, refused)
}

/// The ids a user has, for the rules to look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memberships {
    pub roles: BTreeSet<String>,
    pub groups: BTreeSet<String>,
}

impl Memberships {
    fn has_all(&self, attribute: RuleAttribute, values: &[String]) -> bool {
        let ids = match attribute {
            RuleAttribute::Roles => &self.roles,
            RuleAttribute::Groups => &self.groups,
        };
        // `isRuleApplicable`: an empty set never applies; otherwise `containsAll`.
        !ids.is_empty() && values.iter().all(|v| ids.contains(v))
    }
}

/// The settings for one user: the first rule the user matches decides (`ne`: no expiry; `eq`: its period, or the
/// connector's when it says 0); with none, the connector's period, unless `skipIfNoApplicableRules`.
pub fn settings_for(settings: ExpirySettings, rules: &[ExpiryRule], user: &Memberships) -> ExpirySettings {
    let Some(rule) = rules.iter().find(|r| user.has_all(r.attribute, &r.values)) else {
        return settings;
    };
    match rule.operator {
        // The user's password does not expire.
        RuleOperator::Ne => ExpirySettings {
            enabled: false,
            ..settings
        },
        RuleOperator::Eq => ExpirySettings {
            days: if rule.days > 0 { rule.days } else { settings.days },
            skip_if_no_applicable_rules: false,
            ..settings
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    const BASE: ExpirySettings = ExpirySettings {
        enabled: true,
        days: 30,
        skip_if_no_applicable_rules: false,
    };

    #[test]
    fn parses_govs_own_example_with_a_quoted_comma() {
        // The example in GOV PasswordExpiryRule's constructor.
        let rule: ExpiryRule = "1,40,roles,eq,'12ec01e1-aa45,8a485d10c8fa',cc40ad49-8435-75fa1b627332"
            .parse()
            .unwrap();
        assert_eq!(rule.priority, 1);
        assert_eq!(rule.days, 40);
        assert_eq!(rule.attribute, RuleAttribute::Roles);
        assert_eq!(rule.operator, RuleOperator::Eq);
        assert_eq!(
            rule.values,
            ["12ec01e1-aa45,8a485d10c8fa", "cc40ad49-8435-75fa1b627332"]
        );
        let rule: ExpiryRule = " 2 , 0 , GROUPS , NE , \"g1\" ".parse().unwrap();
        assert_eq!(
            (rule.attribute, rule.operator),
            (RuleAttribute::Groups, RuleOperator::Ne)
        );
        assert_eq!(rule.values, ["g1"]);
    }

    #[test]
    fn refuses_what_gov_refuses() {
        let refused = |text: &str| text.parse::<ExpiryRule>().unwrap_err();
        assert_eq!(refused("1,30,roles,eq"), RuleError::TooFewParts);
        assert_eq!(refused("0,30,roles,eq,r"), RuleError::Priority);
        assert_eq!(refused("1,-1,roles,eq,r"), RuleError::Days);
        assert_eq!(refused("x,30,roles,eq,r"), RuleError::NotANumber("x".into()));
        assert_eq!(
            refused("1,9999999999,roles,eq,r"),
            RuleError::NotANumber("9999999999".into())
        );
        assert_eq!(refused("1,30,users,eq,r"), RuleError::Unknown("users".into()));
        assert_eq!(refused("1,30,roles,gt,r"), RuleError::Unknown("gt".into()));
        assert_eq!(refused("1,30,roles,eq,a,b,c,d,e,f"), RuleError::TooManyValues);
        assert!("1,30,roles,eq,a,b,c,d,e".parse::<ExpiryRule>().is_ok());
    }

    #[test]
    fn rules_come_by_priority_and_bad_ones_are_set_aside() {
        let stored = [
            ("passwordExpiry.rule1".to_string(), "2,10,roles,eq,r".to_string()),
            ("passwordExpiry.rule2".to_string(), "1,20,groups,eq,g".to_string()),
            ("passwordExpiry.rule3".to_string(), String::new()),
            ("passwordExpiry.rule4".to_string(), "bad".to_string()),
        ];
        let (rules, refused) = rules_of(&Resident::new(&[], &stored));
        assert_eq!(rules.iter().map(|r| r.days).collect::<Vec<_>>(), [20, 10]);
        assert_eq!(refused, [("passwordExpiry.rule4".to_string(), RuleError::TooFewParts)]);
    }

    #[test]
    fn the_first_matching_rule_decides() {
        let (rules, _) = rules_of(&Resident::new(
            &[],
            &[
                ("passwordExpiry.rule1".into(), "1,0,roles,eq,admin,auditor".into()),
                ("passwordExpiry.rule2".into(), "2,90,groups,eq,staff".into()),
                ("passwordExpiry.rule3".into(), "3,0,groups,ne,robots".into()),
            ],
        ));
        let user = |roles: &[&str], groups: &[&str]| Memberships {
            roles: set(roles),
            groups: set(groups),
        };
        // Every value of a rule must be held: admin alone does not match rule 1.
        assert_eq!(settings_for(BASE, &rules, &user(&["admin"], &["staff"])).days, 90);
        // Days 0 means the connector's period.
        assert_eq!(
            settings_for(BASE, &rules, &user(&["admin", "auditor"], &["staff"])).days,
            30
        );
        // `ne`: the password does not expire.
        assert!(!settings_for(BASE, &rules, &user(&[], &["robots"])).enabled);
        // No rule applies: the connector's settings, skip included.
        assert_eq!(settings_for(BASE, &rules, &user(&[], &[])), BASE);
        let skip = ExpirySettings {
            skip_if_no_applicable_rules: true,
            ..BASE
        };
        assert_eq!(settings_for(skip, &rules, &user(&["x"], &[])), skip);
        let matched = settings_for(skip, &rules, &user(&[], &["staff"]));
        assert!(matched.enabled && !matched.skip_if_no_applicable_rules && matched.days == 90);
    }
}
