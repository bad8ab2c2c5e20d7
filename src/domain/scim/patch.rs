//! PATCH (RFC 7644 §3.5.2) as Charon applies it: every operation to a copy of the resource document, in order;
//! the caller maps the result to claims, so a request that fails anywhere changes nothing.

use serde_json::{Map, Value};

use super::filter::{self, PatchPath};
use super::query;
use super::schema::Catalogue;
use super::{BAD_REQUEST_DETAIL, PATCH_OP_SCHEMA, ScimError, ScimType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Replace,
    Remove,
}

/// Apply a PatchOp request body to `doc`.
pub fn apply(catalogue: &Catalogue, doc: &mut Value, request: &Value) -> Result<(), ScimError> {
    let schemas_ok = request
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(PATCH_OP_SCHEMA)));
    let Some(ops) = request
        .get("Operations")
        .and_then(Value::as_array)
        .filter(|_| schemas_ok)
    else {
        return Err(ScimError::bad_syntax());
    };
    for op in ops {
        apply_one(catalogue, doc, op)?;
    }
    Ok(())
}

fn apply_one(catalogue: &Catalogue, doc: &mut Value, op: &Value) -> Result<(), ScimError> {
    let kind = match op.get("op").and_then(Value::as_str) {
        None => return Err(ScimError::new(ScimType::InvalidSyntax, "Operation can not be null.")),
        Some(o) if o.eq_ignore_ascii_case("add") => Op::Add,
        Some(o) if o.eq_ignore_ascii_case("replace") => Op::Replace,
        Some(o) if o.eq_ignore_ascii_case("remove") => Op::Remove,
        Some(o) => {
            return Err(ScimError::new(
                ScimType::InvalidSyntax,
                format!("Unknown operation: {o}"),
            ));
        }
    };
    let value = op.get("value").cloned().unwrap_or(Value::Null);
    let Value::Object(root) = doc else {
        return Err(ScimError::bad_syntax());
    };
    match op.get("path").and_then(Value::as_str) {
        None if kind == Op::Remove => Err(ScimError::new(ScimType::NoTarget, BAD_REQUEST_DETAIL)),
        None => {
            let Value::Object(value) = value else {
                return Err(ScimError::bad_syntax());
            };
            for (key, v) in value {
                if let Some(ext) = catalogue.extension(&key) {
                    let Value::Object(fields) = v else {
                        return Err(ScimError::bad_syntax());
                    };
                    let target = object_at(root, ext.id)?;
                    for (name, field) in fields {
                        set(
                            target,
                            &name,
                            field,
                            kind,
                            catalogue.find(Some(ext.id), &name, None).is_some_and(|f| f.attr.multi),
                        );
                    }
                } else {
                    let multi = catalogue.top(&key).is_some_and(|a| a.multi);
                    merge_top(root, &key, v, kind, multi)?;
                }
            }
            Ok(())
        }
        Some(path) => {
            let path = filter::parse_path(path).map_err(|_| invalid_path())?;
            at_path(catalogue, root, &path, kind, value)
        }
    }
}

fn invalid_path() -> ScimError {
    ScimError::new(ScimType::InvalidPath, BAD_REQUEST_DETAIL)
}

/// The object under `key`, made if absent; a value there that is not an object is a bad request.
fn object_at<'a>(root: &'a mut Map<String, Value>, key: &str) -> Result<&'a mut Map<String, Value>, ScimError> {
    root.entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(ScimError::bad_syntax)
}

/// Set `name` in `target` for a value-object operation: a multi-valued `add` appends.
fn set(target: &mut Map<String, Value>, name: &str, value: Value, kind: Op, multi: bool) {
    let key = target
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_string());
    if kind == Op::Remove {
        target.remove(&key);
        return;
    }
    match (kind, multi, target.get_mut(&key), value) {
        (Op::Add, true, Some(Value::Array(items)), Value::Array(more)) => items.extend(more),
        (Op::Add, true, Some(Value::Array(items)), one) => items.push(one),
        (_, _, _, value) => {
            target.insert(key, value);
        }
    }
}

/// A top-level attribute of a value object: a complex single-valued one (`name`) merges its sub-attributes.
fn merge_top(root: &mut Map<String, Value>, key: &str, value: Value, kind: Op, multi: bool) -> Result<(), ScimError> {
    match value {
        Value::Object(fields) if !multi => {
            let target = object_at(root, key)?;
            for (name, v) in fields {
                set(target, &name, v, kind, false);
            }
        }
        value => set(root, key, value, kind, multi),
    }
    Ok(())
}

fn at_path(
    catalogue: &Catalogue,
    root: &mut Map<String, Value>,
    path: &PatchPath,
    kind: Op,
    value: Value,
) -> Result<(), ScimError> {
    let attr = &path.attr;
    if attr.attr.is_empty() {
        // A whole extension: its fields as a value object.
        let urn = attr.urn.as_deref().ok_or_else(invalid_path)?;
        let ext = catalogue.extension(urn).ok_or_else(invalid_path)?;
        if kind == Op::Remove {
            root.remove(ext.id);
            return Ok(());
        }
        let Value::Object(fields) = value else {
            return Err(ScimError::bad_syntax());
        };
        let target = object_at(root, ext.id)?;
        for (name, v) in fields {
            set(target, &name, v, kind, false);
        }
        return Ok(());
    }
    let found = catalogue
        .find(attr.urn.as_deref(), &attr.attr, attr.sub.as_deref())
        .ok_or_else(invalid_path)?;
    if kind != Op::Remove && value.is_null() {
        return Err(ScimError::bad_syntax());
    }
    let container = match found.extension {
        Some(urn) => object_at(root, urn)?,
        None => root,
    };
    let name = found.attr.name;
    if let Some(filter) = &path.filter {
        if !found.attr.multi {
            return Err(invalid_path());
        }
        let Some(Value::Array(items)) = container.get_mut(name) else {
            return match kind {
                Op::Remove => Ok(()),
                _ => Err(ScimError::new(ScimType::NoTarget, BAD_REQUEST_DETAIL)),
            };
        };
        let selected: Vec<bool> = items.iter().map(|item| query::element_matches(filter, item)).collect();
        match (kind, &path.sub) {
            (Op::Remove, None) => {
                let mut keep = selected.iter().map(|s| !s);
                items.retain(|_| keep.next().unwrap_or(true));
            }
            (Op::Remove, Some(sub)) => {
                for (item, _) in items.iter_mut().zip(&selected).filter(|(_, s)| **s) {
                    if let Value::Object(o) = item {
                        o.remove(sub);
                    }
                }
            }
            (_, Some(sub)) => {
                for (item, _) in items.iter_mut().zip(&selected).filter(|(_, s)| **s) {
                    if let Value::Object(o) = item {
                        o.insert(sub.clone(), value.clone());
                    }
                }
            }
            (_, None) => {
                for (item, _) in items.iter_mut().zip(&selected).filter(|(_, s)| **s) {
                    match (&mut *item, &value) {
                        (Value::Object(o), Value::Object(v)) => o.extend(v.clone()),
                        (slot, v) => *slot = v.clone(),
                    }
                }
            }
        }
        return Ok(());
    }
    match &attr.sub {
        // `name.givenName`, or `emails.work` (a typed value).
        Some(sub) => {
            if let Some(s) = found.attr.sub_attr(sub) {
                set(object_at(container, name)?, s.name, value, kind, false);
            } else {
                let items = container
                    .entry(name.to_string())
                    .or_insert_with(|| Value::Array(vec![]));
                if let Value::Array(items) = items {
                    items.retain(|i| {
                        !i.get("type")
                            .and_then(Value::as_str)
                            .is_some_and(|t| t.eq_ignore_ascii_case(sub))
                    });
                    if kind != Op::Remove {
                        items.push(serde_json::json!({ "type": sub, "value": value }));
                    }
                }
            }
        }
        None if found.attr.multi || found.attr.sub.is_empty() => set(container, name, value, kind, found.attr.multi),
        None => merge_top(container, name, value, kind, false)?,
    }
    Ok(())
}
