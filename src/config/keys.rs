//! What to say about the keys of a deployment.toml that forcereset does not read. A typo in a table forcereset
//! implements (`ofset`, `[identity_mgt.password_reset_by_admn]`) is an error with the nearest known name, so it
//! cannot pass silently; a WSO2 key forcereset does not emulate in such a table (`[server] node_ip`) is noted;
//! a table forcereset does not implement at all (`[database.identity_db]`) is one warning, whatever it holds. A
//! real WSO2 file therefore starts, with a few lines saying what is ignored.

use std::collections::BTreeMap;

use super::KeyError;
use super::raw::dotted;

/// WSO2's keys in the tables forcereset implements that it does not emulate: read from WSO2's config templates
/// (carbon-kernel v4.6.1 `default.json`, `infer.json`, `key-mappings.json`; carbon-identity-framework 5.18.187's
/// feature `default.json`/`key-mappings.json`; product-is v5.11.0's `deployment.toml`). A key of one of these
/// tables that is neither ours nor listed here is taken for a typo. A name ending in `.` stands for every key
/// below it (user store properties are open-ended).
const WSO2_KEYS: &[(&str, &[&str])] = &[
    (
        "server",
        &[
            "node_ip",
            "base_path",
            "internal_hostname",
            "proxy_context_path",
            "cache.",
            "clock_skew",
            "default_cache_timeout",
            "default_items_per_page",
            "default_realm_cache_timeout",
            "discard_empty_caches",
            "enableMTOM",
            "file_upload.",
            "force_local_cache",
            "hide_menu_items",
            "max_items_per_page",
        ],
    ),
    ("super_admin", &["admin_role"]),
    (
        "user_store",
        &[
            "properties.",
            "class",
            "connection_url",
            "connection_name",
            "connection_password",
            "base_dn",
            "user_search_base",
            "group_search_base",
            "user_name_attribute",
            "user_name_search_filter",
            "user_name_list_filter",
            "user_entry_object_class",
            "user_id_attribute",
            "user_id_search_filter",
            "display_name_attribute",
            "group_entry_object_class",
            "group_name_attribute",
            "group_name_search_filter",
            "group_name_list_filter",
            "membership_attribute",
            "member_of_attribute",
            "read_groups",
            "write_groups",
            "anonymous_bind",
            "back_links_enabled",
            "bulk_import_supported",
            "case_sensitive_authorization_rules",
            "connection_pooling_enabled",
            "connection_retry_delay",
            "date_and_time_pattern",
            "disable",
            "domain_name",
            "driver_name",
            "empty_roles_allowed",
            "immutable_attributes",
            "kdc_enabled",
            "ldap_binary_attributes",
            "ldap_connection_timeout",
            "max_role_name_list_length",
            "max_user_name_list_length",
            "multi_attribute_separator",
            "password_hash_method",
            "password_java_regex_violation_error_msg",
            "password_java_script_regex",
            "read_only",
            "referral",
            "rolename_java_regex",
            "rolename_java_script_regex",
            "scim_enabled",
            "start_tls_enabled",
            "store_salted_password",
            "tenant_manager",
            "username_java_regex_violation_error_msg",
            "username_java_script_regex",
            "url",
            "username",
            "password",
        ],
    ),
    ("admin_service.wsdl", &[]),
    (
        "output_adapter.email",
        &[
            "enable_email_notification",
            "enable_adapter",
            "enable_sending_inline_images",
        ],
    ),
    ("identity_mgt.password_reset_by_admin", &[]),
    ("identity_mgt.account_locking", &["auto_unlock_time_increment_ratio"]),
    (
        "authentication.authenticator.basic.parameters",
        &[
            "AuthMechanism",
            "auth_mechanism",
            "showAuthFailureReasonOnLoginPage",
            "errorParamsToOmit",
            "maskUserNotExistsErrorCode",
        ],
    ),
    ("transport.https.sslHostConfig.certificate", &["properties."]),
    ("oauth.grant_type.password", &[]),
    ("forcereset", &[]),
];

/// Is `key` (the segments below `table`) a WSO2 key of that table?
fn wso2_key(table: &str, key: &[String]) -> bool {
    let dotted = key.join(".");
    WSO2_KEYS
        .iter()
        .filter(|(t, _)| *t == table)
        .flat_map(|(_, keys)| keys.iter())
        .any(|known| match known.strip_suffix('.') {
            Some(prefix) => dotted.starts_with(&format!("{prefix}.")),
            None => dotted == *known,
        })
}

/// Edit distance (Levenshtein), case-insensitive: what "did you mean" measures.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(previous + 1).min(row[j] + 1);
        }
    }
    row[b.len()]
}

/// The candidate nearest to `name`, if it is near enough to be a typo of it: at most 2 edits (WSO2 has many
/// tables whose names differ from ours by more, e.g. `[identity_mgt.password_reset_email]`).
fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = 2;
    candidates
        .into_iter()
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The tables and keys forcereset reads, as a tree (from the DTOs): an object is a table, null a key.
pub(super) type Tree = serde_json::Map<String, serde_json::Value>;

/// What the unknown keys amount to: warning lines, or the first error.
pub(super) fn classify(unknown: &[Vec<String>], known: &Tree) -> Result<Vec<String>, KeyError> {
    let mut noted: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut ignored: BTreeMap<String, usize> = BTreeMap::new();
    for path in unknown {
        // The deepest table of ours the key sits in.
        let mut table: Vec<String> = Vec::new();
        let mut tree = known;
        for segment in path {
            match tree.get(segment) {
                Some(serde_json::Value::Object(inner)) => {
                    table.push(segment.clone());
                    tree = inner;
                }
                _ => break,
            }
        }
        let rest = &path[table.len()..];
        let table_name = dotted(&table);
        let keys_here: Vec<&str> = tree
            .iter()
            .filter(|(_, v)| v.is_null())
            .map(|(k, _)| k.as_str())
            .collect();
        let tables_here: Vec<&str> = tree
            .iter()
            .filter(|(_, v)| v.is_object())
            .map(|(k, _)| k.as_str())
            .collect();
        let Some(first) = rest.first() else { continue };
        // A table forcereset reads values from: an unknown key in it is a WSO2 key we do not emulate, or a typo.
        if !keys_here.is_empty() && !table.is_empty() {
            if wso2_key(&table_name, rest) {
                noted.entry(table_name).or_default().push(dotted(rest));
                continue;
            }
            if rest.len() == 1 {
                let wso2: Vec<&str> = WSO2_KEYS
                    .iter()
                    .filter(|(t, _)| *t == table_name)
                    .flat_map(|(_, keys)| keys.iter().copied())
                    .filter(|k| !k.ends_with('.'))
                    .collect();
                let hint = nearest(first, keys_here.iter().copied().chain(wso2))
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_else(|| format!("; [{table_name}] has {}", keys_here.join(", ")));
                return Err(KeyError::new(dotted(path), format!("unknown key{hint}")));
            }
        }
        // A table name close to one of ours (`[identity_mgt.password_reset_by_admn]`) is a typo too.
        if (rest.len() > 1 || !tables_here.is_empty())
            && let Some(meant) = nearest(first, tables_here.iter().copied())
        {
            let mut wrong = table.clone();
            wrong.push(first.clone());
            let mut right = table.clone();
            right.push(meant.to_string());
            return Err(KeyError::new(
                dotted(&wrong),
                format!("unknown table; did you mean [{}]?", dotted(&right)),
            ));
        }
        // Anything else is a part of WSO2's configuration forcereset does not implement: one line per table.
        let holder = if rest.len() > 1 {
            dotted(&path[..path.len() - 1])
        } else {
            // An empty table, an array of tables, or a key right under a table that only groups tables.
            dotted(path)
        };
        *ignored.entry(holder).or_default() += usize::from(rest.len() > 1);
    }
    let mut lines: Vec<String> = noted
        .into_iter()
        .map(|(table, keys)| {
            format!(
                "[{table}] {}: WSO2 key{} forcereset does not emulate, ignored",
                keys.join(", "),
                if keys.len() == 1 { "" } else { "s" }
            )
        })
        .collect();
    lines.extend(ignored.into_iter().map(|(table, keys)| match keys {
        0 => format!("[{table}] is not implemented by forcereset, ignored"),
        1 => format!("[{table}] is not implemented by forcereset; its key is ignored"),
        n => format!("[{table}] is not implemented by forcereset; its {n} keys are ignored"),
    }));
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_the_nearest_name() {
        assert_eq!(distance("ofset", "offset"), 1);
        assert_eq!(distance("Offset", "offset"), 0);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(nearest("ofset", ["hostname", "offset"]), Some("offset"));
        assert_eq!(
            nearest("password_reset_by_admn", ["password_reset_by_admin", "account_locking"]),
            Some("password_reset_by_admin")
        );
        assert_eq!(nearest("database", ["server", "super_admin"]), None);
    }
}
