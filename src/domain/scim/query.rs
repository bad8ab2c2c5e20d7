//! What a filter asks and whether a resource answers it: the checks WSO2 makes before filtering users (which
//! operators the release evaluates, SCIM2 `SCIMUserManager#isFilteringNotSupported`; whether the attribute
//! exists, Charon `AttributeUtil#getAttributeURI`), and the evaluation of a filter against a resource document.
//! Strings compare case-insensitively unless the attribute is `caseExact` (`id`).

use serde_json::Value;

use super::filter::{AttrPath, CompareOp, Filter, FilterValue};
use super::schema::{Catalogue, Found, Keep};
use super::{ScimError, ScimType};

/// The operator a filter node names, as WSO2's messages write it.
fn op_name(f: &Filter) -> &'static str {
    match f {
        Filter::Compare { op, .. } => op.as_str(),
        Filter::Present(_) => "pr",
        Filter::Not(_) => "not",
        Filter::And(..) => "and",
        Filter::Or(..) => "or",
        Filter::Elements { .. } => "[]",
    }
}

/// Refuse what the release does not filter users by: an operator outside `ops` (`and`/`or` always pass), or an
/// attribute the catalogue does not have.
pub fn check_user_filter(catalogue: &Catalogue, f: &Filter, ops: &[&str]) -> Result<(), ScimError> {
    match f {
        Filter::And(a, b) | Filter::Or(a, b) => {
            check_user_filter(catalogue, a, ops)?;
            check_user_filter(catalogue, b, ops)
        }
        Filter::Compare { path, .. } | Filter::Present(path) | Filter::Elements { path, .. } => {
            if resolve(catalogue, path).is_none() {
                return Err(ScimError::unknown_attribute());
            }
            let op = op_name(f);
            if ops.contains(&op) {
                Ok(())
            } else {
                Err(ScimError::new(
                    ScimType::InvalidFilter,
                    format!("Filter operation: {op} is not supported for filtering in users endpoint."),
                ))
            }
        }
        Filter::Not(_) => Err(ScimError::new(
            ScimType::InvalidFilter,
            "Filter operation: not is not supported for filtering in users endpoint.",
        )),
    }
}

/// Why SCIM2 refuses a `/Groups` filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupFilterRefusal {
    /// An attribute the Group schema does not have: Charon's 400.
    Request(ScimError),
    /// `and`, `or`, `not`: 501 ([`super::group::COMPLEX_FILTER`]).
    Complex,
    /// An operator outside the release's set: 500 ([`super::group::unsupported_operator`]).
    Operator(&'static str),
}

/// Refuse what SCIM2 does not filter groups by (`filterGroups`, `filterGroupsBySingleAttribute`): one expression
/// only, an operator of `ops`, an attribute of the Group schema.
pub fn check_group_filter(f: &Filter, ops: &[&str]) -> Result<(), GroupFilterRefusal> {
    match f {
        Filter::And(..) | Filter::Or(..) | Filter::Not(_) => Err(GroupFilterRefusal::Complex),
        Filter::Compare { path, .. } | Filter::Present(path) | Filter::Elements { path, .. } => {
            if resolve(&Catalogue::group(), path).is_none() {
                return Err(GroupFilterRefusal::Request(ScimError::unknown_attribute()));
            }
            let op = op_name(f);
            if ops.contains(&op) {
                Ok(())
            } else {
                Err(GroupFilterRefusal::Operator(op))
            }
        }
    }
}

fn resolve(catalogue: &Catalogue, path: &AttrPath) -> Option<Found> {
    catalogue.find(path.urn.as_deref(), &path.attr, path.sub.as_deref())
}

/// A JSON leaf as text (`true`, `42`, the string).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The leaf values a path reaches in a resource: a multi-valued attribute's `value`s (or bare strings), a
/// sub-attribute of each element, a typed value (`emails.work`).
fn values_at(catalogue: &Catalogue, doc: &Value, path: &AttrPath) -> (Vec<String>, bool) {
    let Some(found) = resolve(catalogue, path) else {
        return (Vec::new(), false);
    };
    let container = match found.extension {
        Some(urn) => doc.get(urn),
        None => Some(doc),
    };
    let Some(v) = container.and_then(|c| c.get(found.attr.name)) else {
        return (Vec::new(), found.attr.case_exact);
    };
    let case_exact = found.sub.map_or(found.attr.case_exact, |s| s.case_exact);
    let typed_sub = path
        .sub
        .as_deref()
        .filter(|_| matches!(found.attr.keep, Keep::Typed { .. }))
        .filter(|s| found.attr.sub_attr(s).is_none());
    let leaves = match v {
        Value::Array(items) => items
            .iter()
            .filter_map(|item| match (&path.sub, typed_sub, item) {
                (_, Some(t), Value::Object(o)) => o
                    .get("type")
                    .and_then(Value::as_str)
                    .filter(|ty| ty.eq_ignore_ascii_case(t))
                    .and_then(|_| o.get("value"))
                    .and_then(text),
                (Some(sub), None, Value::Object(o)) => o.get(sub.as_str()).and_then(text),
                (None, _, Value::Object(o)) => o.get("value").and_then(text),
                (None, _, leaf) => text(leaf),
                _ => None,
            })
            .collect(),
        Value::Object(o) => path
            .sub
            .as_deref()
            .and_then(|s| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(s)))
            .and_then(|(_, v)| text(v))
            .into_iter()
            .collect(),
        leaf => text(leaf).into_iter().collect(),
    };
    (leaves, case_exact)
}

fn compare(op: CompareOp, actual: &str, wanted: &FilterValue, case_exact: bool) -> bool {
    let wanted = wanted.as_text();
    let (a, w) = if case_exact {
        (actual.to_string(), wanted)
    } else {
        (actual.to_lowercase(), wanted.to_lowercase())
    };
    let ordering = || match (a.parse::<f64>(), w.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y),
        _ => Some(a.cmp(&w)),
    };
    use std::cmp::Ordering::{Greater, Less};
    match op {
        CompareOp::Eq => a == w,
        CompareOp::Ne => a != w,
        CompareOp::Co => a.contains(&w),
        CompareOp::Sw => a.starts_with(&w),
        CompareOp::Ew => a.ends_with(&w),
        CompareOp::Gt => ordering() == Some(Greater),
        CompareOp::Ge => ordering().is_some_and(|o| o != Less),
        CompareOp::Lt => ordering() == Some(Less),
        CompareOp::Le => ordering().is_some_and(|o| o != Greater),
    }
}

/// Does the resource `doc` match the filter?
pub fn matches(catalogue: &Catalogue, f: &Filter, doc: &Value) -> bool {
    match f {
        Filter::And(a, b) => matches(catalogue, a, doc) && matches(catalogue, b, doc),
        Filter::Or(a, b) => matches(catalogue, a, doc) || matches(catalogue, b, doc),
        Filter::Not(inner) => !matches(catalogue, inner, doc),
        Filter::Present(path) => !values_at(catalogue, doc, path).0.is_empty(),
        Filter::Compare { path, op, value } => {
            let (leaves, case_exact) = values_at(catalogue, doc, path);
            match op {
                // `ne` holds when no value equals (and so for an absent attribute).
                CompareOp::Ne => !leaves.iter().any(|l| compare(CompareOp::Eq, l, value, case_exact)),
                op => leaves.iter().any(|l| compare(*op, l, value, case_exact)),
            }
        }
        Filter::Elements { path, filter } => {
            let Some(found) = resolve(catalogue, path) else {
                return false;
            };
            let container = match found.extension {
                Some(urn) => doc.get(urn),
                None => Some(doc),
            };
            container
                .and_then(|c| c.get(found.attr.name))
                .and_then(Value::as_array)
                .is_some_and(|items| items.iter().any(|item| element_matches(filter, item)))
        }
    }
}

/// Does one element of a multi-valued attribute (`{"type":"work","value":…}`, or a bare value, which has only a
/// `value`) match a value filter (`type eq "work"`)?
pub fn element_matches(f: &Filter, item: &Value) -> bool {
    let field = |path: &AttrPath| -> Option<String> {
        match item {
            Value::Object(o) => o
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&path.attr))
                .and_then(|(_, v)| text(v)),
            leaf if path.attr.eq_ignore_ascii_case("value") => text(leaf),
            _ => None,
        }
    };
    match f {
        Filter::And(a, b) => element_matches(a, item) && element_matches(b, item),
        Filter::Or(a, b) => element_matches(a, item) || element_matches(b, item),
        Filter::Not(inner) => !element_matches(inner, item),
        Filter::Present(path) => field(path).is_some(),
        Filter::Compare { path, op, value } => match field(path) {
            Some(actual) => compare(*op, &actual, value, false),
            None => *op == CompareOp::Ne,
        },
        Filter::Elements { .. } => false,
    }
}

/// A filter that names exactly one user by name (`userName eq "kim"`): the store finds it without a scan.
pub fn single_user_name(f: &Filter) -> Option<String> {
    single_eq(f, "userName", crate::domain::profile::scim::USER_SCHEMA)
}

/// A filter that names exactly one group by name (`displayName eq "managers"`, after [`super::group::bare_filter`]):
/// the store finds it without a scan.
pub fn single_group_name(f: &Filter) -> Option<String> {
    single_eq(f, "displayName", super::GROUP_SCHEMA)
}

/// The value of `attr eq value` (the attribute unqualified or under `urn`), or None for any other filter.
fn single_eq(f: &Filter, attr: &str, urn: &str) -> Option<String> {
    match f {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value,
        } if path.sub.is_none()
            && path.attr.eq_ignore_ascii_case(attr)
            && path.urn.as_deref().is_none_or(|u| u.eq_ignore_ascii_case(urn)) =>
        {
            Some(value.as_text())
        }
        _ => None,
    }
}
