//! Which attributes a response carries (RFC 7644 §3.9, Charon `ResourceManagerUtil#getOnlyRequiredAttributesURIs`):
//! `attributes` keeps only the named ones (and `id`, returned always), `excludedAttributes` drops the named ones;
//! an attribute returned on request (`oneTimePassword`) appears only when `attributes` names it, and `password`
//! never does. An extension left empty disappears.

use serde_json::{Map, Value};

use super::filter::AttrPath;
use super::schema::{Catalogue, Returned};
use super::{ScimError, ScimType};

/// One named attribute: its extension (None for core), name and optional sub-attribute, all canonical.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Named {
    extension: Option<&'static str>,
    attr: Option<&'static str>,
    sub: Option<String>,
}

/// A parsed `attributes` / `excludedAttributes` pair.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Projection {
    only: Option<Vec<Named>>,
    excluded: Vec<Named>,
}

fn parse_list(catalogue: &Catalogue, list: &[String]) -> Result<Vec<Named>, ScimError> {
    let mut out = Vec::new();
    for item in list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if let Some(ext) = catalogue.extension(item) {
            out.push(Named {
                extension: Some(ext.id),
                attr: None,
                sub: None,
            });
            continue;
        }
        let path = AttrPath::parse(item)
            .map_err(|_| ScimError::new(ScimType::InvalidValue, "Not a valid attribute name/uri"))?;
        let found = catalogue
            .find(path.urn.as_deref(), &path.attr, path.sub.as_deref())
            .ok_or_else(ScimError::unknown_attribute)?;
        out.push(Named {
            extension: found.extension,
            attr: Some(found.attr.name),
            sub: found.sub.map(|s| s.name.to_string()),
        });
    }
    Ok(out)
}

impl Projection {
    /// From the request's lists (comma-split already); unknown names are Charon's 400.
    pub fn new(catalogue: &Catalogue, attributes: &[String], excluded: &[String]) -> Result<Projection, ScimError> {
        let only = parse_list(catalogue, attributes)?;
        Ok(Projection {
            only: (!only.is_empty()).then_some(only),
            excluded: parse_list(catalogue, excluded)?,
        })
    }

    /// Apply to a whole resource.
    pub fn apply(&self, catalogue: &Catalogue, doc: Value) -> Value {
        let Value::Object(doc) = doc else { return doc };
        let mut out = Map::new();
        for (key, value) in doc {
            if key == "schemas" || key == "id" {
                out.insert(key, value);
                continue;
            }
            if let Some(ext) = catalogue.extension(&key) {
                let Value::Object(fields) = value else { continue };
                let kept: Map<String, Value> = fields
                    .into_iter()
                    .filter_map(|(name, v)| {
                        let a = ext.attrs.iter().find(|a| a.name == name)?;
                        self.keep_attr(Some(ext.id), a.name, a.returned, v).map(|v| (name, v))
                    })
                    .collect();
                if !kept.is_empty() {
                    out.insert(key, Value::Object(kept));
                }
                continue;
            }
            let returned = catalogue.top(&key).map_or(Returned::Default, |a| a.returned);
            let name = catalogue.top(&key).map_or(key.as_str(), |a| a.name);
            if let Some(v) = self.keep_attr(None, name, returned, value) {
                out.insert(key, v);
            }
        }
        Value::Object(out)
    }

    /// The part of one attribute's value this projection keeps.
    fn keep_attr(&self, ext: Option<&str>, name: &str, returned: Returned, value: Value) -> Option<Value> {
        let same = |n: &Named| n.extension == ext && (n.attr.is_none() || n.attr == Some(name));
        let whole_named = |list: &[Named]| list.iter().any(|n| same(n) && n.sub.is_none());
        let subs = |list: &[Named]| -> Vec<String> {
            list.iter()
                .filter(|n| n.extension == ext && n.attr == Some(name))
                .filter_map(|n| n.sub.clone())
                .collect()
        };
        if returned == Returned::Never {
            return None;
        }
        let value = match &self.only {
            Some(only) => {
                let explicitly = only.iter().any(|n| n.extension == ext && n.attr == Some(name));
                if returned == Returned::Request && !explicitly {
                    return None;
                }
                if whole_named(only) || returned == Returned::Always {
                    value
                } else {
                    let wanted = subs(only);
                    if wanted.is_empty() {
                        return None;
                    }
                    keep_subs(value, |s| wanted.iter().any(|w| w.eq_ignore_ascii_case(s)))?
                }
            }
            None if returned == Returned::Request => return None,
            None => value,
        };
        if whole_named(&self.excluded) && returned != Returned::Always {
            return None;
        }
        let dropped = subs(&self.excluded);
        if dropped.is_empty() {
            Some(value)
        } else {
            keep_subs(value, |s| !dropped.iter().any(|d| d.eq_ignore_ascii_case(s)))
        }
    }
}

/// Keep the sub-attributes `keep` accepts, of an object or of each element of an array; None if nothing is left.
fn keep_subs(value: Value, keep: impl Fn(&str) -> bool + Copy) -> Option<Value> {
    match value {
        Value::Object(o) => {
            let kept: Map<String, Value> = o.into_iter().filter(|(k, _)| keep(k)).collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        Value::Array(items) => {
            let kept: Vec<Value> = items.into_iter().filter_map(|i| keep_subs(i, keep)).collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        // A bare multi-valued string is its `value`.
        leaf => keep("value").then_some(leaf),
    }
}
