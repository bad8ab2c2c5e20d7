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

mod documents {
    use serde_json::json;

    use super::super::project::Projection;
    use super::super::resource::{self, UserData};
    use super::super::{filter, patch, query};
    use super::*;
    use crate::domain::claims;
    use crate::domain::profile::Wso2Version;

    fn kim() -> UserData {
        UserData {
            uuid: "0b5e2c1a-1111-4222-8333-444455556666".into(),
            name: "kim".into(),
            created: 1_000,
            last_modified: 2_500,
            claims: vec![
                (claims::GIVEN_NAME.into(), "Kim".into()),
                (claims::EMAIL.into(), "kim@example.com".into()),
                ("http://wso2.org/claims/emails.work".into(), "kim@work.example".into()),
                (claims::ACCOUNT_LOCKED.into(), "true".into()),
                (claims::ONE_TIME_PASSWORD.into(), "X7Q".into()),
            ],
            roles: vec!["Internal/everyone".into()],
            groups: vec![],
        }
    }

    #[test]
    fn a_user_reads_as_wso2_writes_it_and_back_into_the_same_claims() {
        let profile = Wso2Version::V5_11.profile().scim;
        let doc = resource::user(&profile, &kim(), "https://h/scim2/Users/x");
        assert_eq!(doc["userName"], "kim");
        assert_eq!(doc["name"], json!({ "givenName": "Kim" }));
        assert_eq!(
            doc["emails"],
            json!([{ "type": "work", "value": "kim@work.example" }, "kim@example.com"])
        );
        assert_eq!(doc[ENTERPRISE_SCHEMA]["accountLocked"], json!(true));
        assert_eq!(doc["meta"]["lastModified"], "1970-01-01T00:00:02.500Z");
        let catalogue = Catalogue::of(profile.wso2_attributes);
        let back = resource::claims_of(&catalogue, &doc).expect("reads back");
        assert!(back.contains(&(claims::EMAIL, "kim@example.com".into())));
        assert!(back.contains(&(claims::ACCOUNT_LOCKED, "true".into())));
        assert!(
            !back.iter().any(|(u, _)| *u == claims::ONE_TIME_PASSWORD),
            "read-only attributes are not written back"
        );
        let on_71 = resource::user(&Wso2Version::V7_1.profile().scim, &kim(), "l");
        assert_eq!(on_71[WSO2_SCHEMA]["accountLocked"], json!(true));
        assert!(on_71.get(ENTERPRISE_SCHEMA).is_none());
    }

    #[test]
    fn both_patch_forms_set_the_trigger_and_a_bad_operation_changes_nothing() {
        let profile = Wso2Version::V7_1.profile().scim;
        let catalogue = Catalogue::of(profile.wso2_attributes);
        let base = resource::user(&profile, &kim(), "l");
        for op in [
            json!({ "op": "add", "value": { WSO2_SCHEMA: { "forcePasswordReset": true } } }),
            json!({ "op": "replace", "path": format!("{WSO2_SCHEMA}:forcePasswordReset"), "value": true }),
        ] {
            let mut doc = base.clone();
            patch::apply(
                &catalogue,
                &mut doc,
                &json!({ "schemas": [PATCH_OP_SCHEMA], "Operations": [op] }),
            )
            .expect("applies");
            let written = resource::claims_of(&catalogue, &doc).expect("claims");
            assert!(
                written.contains(&(claims::ADMIN_FORCED_PASSWORD_RESET, "true".into())),
                "{doc}"
            );
        }
        let mut doc = base.clone();
        let e = patch::apply(
            &catalogue,
            &mut doc,
            &json!({ "schemas": [PATCH_OP_SCHEMA], "Operations": [{ "op": "merge", "value": {} }] }),
        )
        .expect_err("refused");
        assert_eq!(
            (e.kind, e.detail.as_str()),
            (ScimType::InvalidSyntax, "Unknown operation: merge")
        );
        let mut doc = base.clone();
        patch::apply(
            &catalogue,
            &mut doc,
            &json!({ "schemas": [PATCH_OP_SCHEMA], "Operations": [{ "op": "remove", "path": "emails[type eq \"work\"]" }] }),
        )
        .expect("removes");
        assert_eq!(doc["emails"], json!(["kim@example.com"]));
    }

    #[test]
    fn filters_match_documents_and_the_release_decides_the_operators() {
        let profile = Wso2Version::V5_11.profile().scim;
        let catalogue = Catalogue::of(profile.wso2_attributes);
        let doc = resource::user(&profile, &kim(), "l");
        let yes = |f: &str| query::matches(&catalogue, &filter::parse(f).expect("parses"), &doc);
        assert!(yes("userName eq KIM"));
        assert!(yes("emails co \"@work.\" and name.givenName sw k"));
        assert!(yes("emails.work eq kim@work.example"));
        assert!(yes("emails[type eq work and value ew example]"));
        assert!(yes(&format!("{ENTERPRISE_SCHEMA}:accountLocked eq true")));
        assert!(!yes("userName eq kim and name.givenName eq Bob"));
        assert!(yes("(userName eq bob) or not (userName eq bob)"));
        let ne = filter::parse("userName ne bob").expect("parses");
        let refused = query::check_user_filter(&catalogue, &ne, profile.user_filter_ops).expect_err("5.11");
        assert_eq!(
            refused.detail,
            "Filter operation: ne is not supported for filtering in users endpoint."
        );
        let v72 = Wso2Version::V7_2.profile().scim;
        assert!(query::check_user_filter(&catalogue, &ne, v72.user_filter_ops).is_ok());
        let unknown = filter::parse("shoeSize eq 9").expect("parses");
        assert_eq!(
            query::check_user_filter(&catalogue, &unknown, v72.user_filter_ops),
            Err(ScimError::unknown_attribute())
        );
        assert_eq!(
            query::single_user_name(&filter::parse("userName eq \"kim\"").expect("parses")),
            Some("kim".into())
        );
    }

    #[test]
    fn one_time_passwords_appear_only_when_asked_for() {
        let profile = Wso2Version::V5_11.profile().scim;
        let catalogue = Catalogue::of(profile.wso2_attributes);
        let doc = resource::user(&profile, &kim(), "l");
        let plain = Projection::default().apply(&catalogue, doc.clone());
        assert!(plain[ENTERPRISE_SCHEMA].get("oneTimePassword").is_none());
        assert_eq!(plain[ENTERPRISE_SCHEMA]["accountLocked"], json!(true));
        let asked = Projection::new(&catalogue, &[format!("{ENTERPRISE_SCHEMA}:oneTimePassword")], &[])
            .expect("known")
            .apply(&catalogue, doc.clone());
        assert_eq!(asked[ENTERPRISE_SCHEMA], json!({ "oneTimePassword": "X7Q" }));
        assert!(asked.get("userName").is_none());
        assert_eq!(asked["id"], doc["id"]);
        let without = Projection::new(&catalogue, &[], &["emails".into(), "name.givenName".into()])
            .expect("known")
            .apply(&catalogue, doc);
        assert!(without.get("emails").is_none() && without.get("name").is_none());
        assert!(Projection::new(&catalogue, &["shoeSize".into()], &[]).is_err());
    }
}

mod groups {
    use serde_json::json;

    use super::super::group::{self, GroupData, Member};
    use super::super::query::{self, GroupFilterRefusal};
    use super::super::resource::{self, UserData};
    use super::super::{filter, patch};
    use super::*;
    use crate::domain::profile::Wso2Version;

    fn member_of(groups: Vec<(String, String)>) -> UserData {
        UserData {
            uuid: "u1".into(),
            name: "kim".into(),
            created: 0,
            last_modified: 0,
            claims: vec![],
            roles: vec![],
            groups,
        }
    }

    #[test]
    fn a_users_groups_name_hybrid_roles_only_where_roles_are_groups() {
        let kim = member_of(vec![
            ("g1".into(), "Internal/auditor".into()),
            ("g2".into(), "managers".into()),
        ]);
        let on_511 = resource::user(&Wso2Version::V5_11.profile().scim, &kim, "https://h/scim2/Users/u1");
        assert_eq!(
            on_511["groups"],
            json!([{ "value": "g1", "display": "Internal/auditor", "$ref": "https://h/scim2/Groups/g1" },
                   { "value": "g2", "display": "managers", "$ref": "https://h/scim2/Groups/g2" }])
        );
        let on_71 = resource::user(&Wso2Version::V7_1.profile().scim, &kim, "https://h/scim2/Users/u1");
        assert_eq!(
            on_71["groups"],
            json!([{ "value": "g2", "display": "managers", "$ref": "https://h/scim2/Groups/g2" }])
        );
        // Built only to be filtered: no URL to derive a `$ref` from.
        let bare = resource::user(&Wso2Version::V7_1.profile().scim, &kim, "");
        assert_eq!(bare["groups"][0]["$ref"], "");
        assert!(
            resource::user(&Wso2Version::V7_1.profile().scim, &member_of(vec![]), "")
                .get("groups")
                .is_none()
        );
    }

    #[test]
    fn group_filters_take_one_expression_of_the_releases_operators() {
        let ops_511 = Wso2Version::V5_11.profile().scim.group_filter_ops;
        let ops_72 = Wso2Version::V7_2.profile().scim.group_filter_ops;
        let check = |text: &str, ops: &[&str]| query::check_group_filter(&filter::parse(text).expect("parses"), ops);
        assert_eq!(check("displayName eq x", ops_511), Ok(()));
        assert_eq!(check("members.display sw k", ops_511), Ok(()));
        assert_eq!(
            check("displayName ge x", ops_511),
            Err(GroupFilterRefusal::Operator("ge"))
        );
        assert_eq!(check("displayName ge x", ops_72), Ok(()));
        assert_eq!(
            check("displayName ne x", ops_72),
            Err(GroupFilterRefusal::Operator("ne"))
        );
        assert_eq!(check("displayName pr", ops_72), Err(GroupFilterRefusal::Operator("pr")));
        assert_eq!(
            check("displayName eq a or displayName eq b", ops_72),
            Err(GroupFilterRefusal::Complex)
        );
        assert!(matches!(
            check("userName eq a", ops_72),
            Err(GroupFilterRefusal::Request(_))
        ));
        assert_eq!(
            group::bare_filter(filter::parse("displayName eq \"PRIMARY/x\"").expect("parses")),
            filter::parse("displayName eq x").expect("parses")
        );
    }

    #[test]
    fn member_patches_apply_to_the_group_document() {
        let data = GroupData {
            uuid: "g".into(),
            name: "team".into(),
            created: 0,
            last_modified: 0,
            members: vec![
                Member {
                    uuid: "a".into(),
                    name: "ann".into(),
                },
                Member {
                    uuid: "b".into(),
                    name: "bob".into(),
                },
            ],
        };
        let catalogue = Catalogue::group();
        let run = |ops: serde_json::Value| {
            let mut doc = group::group(&data, "", |_| String::new());
            let request = json!({ "schemas": [PATCH_OP_SCHEMA], "Operations": ops });
            patch::apply(&catalogue, &mut doc, &request).map(|()| group::request(&doc).expect("a group"))
        };
        let values = |r: &group::GroupRequest| r.members.iter().map(|m| m.value.clone()).collect::<Vec<_>>();
        let removed = run(json!([{ "op": "remove", "path": "members[value eq \"a\"]" }])).expect("applies");
        assert_eq!(values(&removed), ["b"]);
        let added = run(json!([{ "op": "add", "path": "members", "value": [{ "value": "c" }] }])).expect("applies");
        assert_eq!(values(&added), ["a", "b", "c"]);
        let replaced =
            run(json!([{ "op": "replace", "path": "members", "value": [{ "value": "c" }] }])).expect("applies");
        assert_eq!(values(&replaced), ["c"]);
        let emptied = run(json!([{ "op": "remove", "path": "members" }])).expect("applies");
        assert!(emptied.members.is_empty());
        let renamed = run(json!([{ "op": "replace", "value": { "displayName": "PRIMARY/crew" } }])).expect("applies");
        assert_eq!(renamed.name, "crew");
        assert_eq!(
            run(json!([{ "op": "add", "path": "nickName", "value": "x" }])).map(|_| ()),
            Err(ScimError::new(ScimType::InvalidPath, BAD_REQUEST_DETAIL))
        );
    }
}
