//! Unit tests of the SCIM rules: the filter grammar, PATCH paths and the attribute catalogue.

use super::filter::{self, AttrPath, CompareOp, Filter, FilterError, FilterValue};
use super::schema::{Catalogue, Keep};
use super::*;
use crate::domain::profile::scim::{ENTERPRISE_SCHEMA, WSO2_SCHEMA, Wso2Attributes};

fn cmp(attr: &str, op: CompareOp, value: &str) -> Filter {
    Filter::Compare {
        path: AttrPath::parse(attr).expect("path"),
        op,
        value: FilterValue::Str(value.to_string()),
    }
}

#[test]
fn or_binds_looser_than_and_and_words_are_case_insensitive() {
    let f = filter::parse("userName Eq a OR userName eq \"b\" and name.givenName sw 'K'").expect("parses");
    assert_eq!(
        f,
        Filter::Or(
            Box::new(cmp("userName", CompareOp::Eq, "a")),
            Box::new(Filter::And(
                Box::new(cmp("userName", CompareOp::Eq, "b")),
                Box::new(cmp("name.givenName", CompareOp::Sw, "K")),
            )),
        )
    );
    let grouped = filter::parse("not (userName eq a or userName eq b)").expect("parses");
    assert!(matches!(grouped, Filter::Not(inner) if matches!(*inner, Filter::Or(..))));
}

#[test]
fn values_are_typed_and_paths_take_schema_urns() {
    let f = filter::parse(&format!("{ENTERPRISE_SCHEMA}:accountLocked eq true")).expect("parses");
    let Filter::Compare { path, value, .. } = f else {
        panic!("not a comparison: {f:?}")
    };
    assert_eq!(path.urn.as_deref(), Some(ENTERPRISE_SCHEMA));
    assert_eq!(path.attr, "accountLocked");
    assert_eq!(value, FilterValue::Bool(true));
    let dotted = AttrPath::parse("urn:scim:wso2:schema.passwordExpiryTime").expect("parses");
    assert_eq!(dotted.urn.as_deref(), Some(WSO2_SCHEMA));
    assert_eq!(dotted.attr, "passwordExpiryTime");
    assert_eq!(
        filter::parse("emails pr").expect("parses"),
        Filter::Present(AttrPath::simple("emails"))
    );
    assert!(matches!(
        filter::parse("emails[type eq \"work\" and value co \"@x\"]").expect("parses"),
        Filter::Elements { .. }
    ));
}

#[test]
fn bad_filters_are_refused_with_charons_words() {
    for bad in [
        "",
        "userName",
        "userName eq",
        "(userName eq a",
        "userName eq \"a",
        "a eq b c",
        "x[y eq 1",
    ] {
        assert_eq!(filter::parse(bad), Err(FilterError::Syntax), "{bad:?}");
    }
    assert_eq!(
        filter::parse("userName like a"),
        Err(FilterError::UnknownOperator("like".into()))
    );
    let e: ScimError = FilterError::UnknownOperator("like".into()).into();
    assert_eq!(e.kind.as_str(), "InvalidFilter");
    assert_eq!(e.detail, "Given filter operator is not supported.");
    let deep = format!("{}userName eq a{}", "(".repeat(100), ")".repeat(100));
    assert_eq!(filter::parse(&deep), Err(FilterError::Syntax));
    assert_eq!(
        filter::parse(&"a".repeat(filter::MAX_LEN + 1)),
        Err(FilterError::Syntax)
    );
}

#[test]
fn patch_paths_name_urns_value_filters_and_sub_attributes() {
    let p = filter::parse_path("emails[type eq \"work\"].value").expect("parses");
    assert_eq!(p.attr.attr, "emails");
    assert_eq!(p.sub.as_deref(), Some("value"));
    assert!(p.filter.is_some());
    let p = filter::parse_path(&format!("{WSO2_SCHEMA}:forcePasswordReset")).expect("parses");
    assert_eq!(p.attr.urn.as_deref(), Some(WSO2_SCHEMA));
    assert_eq!(p.attr.attr, "forcePasswordReset");
    let whole = filter::parse_path(ENTERPRISE_SCHEMA).expect("parses");
    assert!(whole.attr.attr.is_empty());
    assert!(filter::parse_path("emails[type eq work]x").is_err());
}

#[test]
fn the_trigger_lives_under_the_releases_urn() {
    let reset = |wso2, urn| Catalogue::of(wso2).find(Some(urn), "forcePasswordReset", None);
    assert!(reset(Wso2Attributes::EnterpriseAskPasswordOnly, ENTERPRISE_SCHEMA).is_none());
    assert!(reset(Wso2Attributes::Enterprise, ENTERPRISE_SCHEMA).is_some());
    assert!(reset(Wso2Attributes::Enterprise, WSO2_SCHEMA).is_none());
    assert!(reset(Wso2Attributes::System, ENTERPRISE_SCHEMA).is_none());
    let found = reset(Wso2Attributes::System, WSO2_SCHEMA).expect("system schema");
    assert_eq!(
        found.attr.keep,
        Keep::Claim("http://wso2.org/claims/identity/adminForcedPasswordReset")
    );
    let otp = Catalogue::of(Wso2Attributes::Enterprise)
        .find(None, "oneTimePassword", None)
        .expect("unqualified names reach the extensions");
    assert_eq!(otp.extension, Some(ENTERPRISE_SCHEMA));
    assert!(!otp.attr.writable());
    let work = Catalogue::of(Wso2Attributes::Enterprise)
        .find(None, "emails", Some("work"))
        .expect("a type names a sub-attribute");
    assert_eq!(work.sub.map(|s| s.name), Some("type"));
}

#[test]
fn instants_print_as_java_does() {
    assert_eq!(format_instant(0), "1970-01-01T00:00:00Z");
    assert_eq!(format_instant(1_500), "1970-01-01T00:00:01.500Z");
}
