//! Tenant isolation: migration 12 on a filled database, a scan of every statement for its tenant binding, and the
//! mirrored test (everything a `Tx` of tenant A can do leaves tenant B's rows as they were).

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::super::migrations::MIGRATIONS;
use super::super::{
    MailStatus, NewCode, NewMail, NewToken, RecoveryCode, Store, StoreError, StoredTemplate, migrate_to,
};
use super::*;
use crate::domain::claims::ClaimMeta;

/// Every table that holds a tenant's rows (all but `tenants`).
const TENANT_TABLES: &[&str] = &[
    "users",
    "roles",
    "role_permissions",
    "user_roles",
    "claim_dialect",
    "claim_values",
    "governance_properties",
    "audit_log",
    "associations",
    "recovery_codes",
    "outbox",
    "claim_dialect_version",
    "authz_version",
    "oauth_apps",
    "oauth_tokens",
    "oauth_codes",
    "oauth_consents",
    "email_template_types",
    "email_templates",
];

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn migration_12_gives_every_row_to_the_super_tenant_and_keeps_every_link() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    {
        let mut conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA foreign_keys=ON;").unwrap();
        migrate_to(&mut conn, 11).unwrap();
        conn.execute_batch(
            "INSERT INTO users (id, name, password_hash, created_at, updated_at, uuid) VALUES
                 (1, 'admin', 'h1', 1, 1, 'u-1'), (2, 'tom', 'h2', 2, 2, 'u-2');
             INSERT INTO roles (id, name, created_at, uuid, updated_at) VALUES (1, 'admin', 1, 'r-1', 1);
             INSERT INTO role_permissions VALUES (1, '/permission');
             INSERT INTO user_roles VALUES (1, 1);
             INSERT INTO claim_dialect (uri, display_name) VALUES ('http://wso2.org/claims/emailaddress', 'Email');
             INSERT INTO claim_values VALUES (2, 'default', 'http://wso2.org/claims/emailaddress', 'tom@x');
             INSERT INTO governance_properties VALUES ('Recovery.AdminPasswordReset.OTP', 'true');
             INSERT INTO audit_log (at, actor, action, target) VALUES (5, 'admin', 'reset', 'tom');
             INSERT INTO associations VALUES (2, 'google', 'tom-g');
             INSERT INTO recovery_codes VALUES (2, 'S', 'hash', 5, NULL, 3);
             INSERT INTO outbox (created_at, template, recipient, subject, body, content_type, status, next_attempt_at)
                 VALUES (5, 't', 'tom@x', 's', 'b', 'text/plain', 'pending', 5);
             INSERT INTO oauth_apps (client_id, name, secret_hash, owner, created_at) VALUES ('c1', 'app', x'00', 'admin', 1);
             INSERT INTO oauth_tokens (access_hash, client_id, user_id, grant_type, issued_at, access_expires_at)
                 VALUES (x'01', 'c1', 2, 'password', 5, 10);
             INSERT INTO oauth_codes (code_hash, client_id, user_id, redirect_uri, auth_time, issued_at, expires_at)
                 VALUES (x'02', 'c1', 2, 'https://cb', 5, 5, 10);
             INSERT INTO oauth_consents VALUES (2, 'c1', 5);
             INSERT INTO email_template_types VALUES ('passwordreset', 'Password Reset', 1);
             INSERT INTO email_templates VALUES ('passwordreset', 'en_us', 'en_US', 'x', NULL, 's', 'b', 'f', 1);",
        )
        .unwrap();
    }
    let before: Vec<(String, i64)> = {
        let conn = Connection::open(&path).unwrap();
        TENANT_TABLES
            .iter()
            .map(|t| (t.to_string(), count(&conn, &format!("SELECT count(*) FROM {t}"))))
            .collect()
    };

    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let conn = Connection::open(&path).unwrap();
    for (table, rows) in &before {
        assert_eq!(
            count(&conn, &format!("SELECT count(*) FROM {table}")),
            *rows,
            "{table} keeps its rows"
        );
        assert!(*rows > 0, "{table} was filled");
        assert_eq!(
            count(&conn, &format!("SELECT count(*) FROM {table} WHERE tenant_id <> -1234")),
            0,
            "{table} rows are carbon.super's"
        );
    }
    assert_eq!(count(&conn, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM tenants WHERE id = -1234 AND domain = 'carbon.super'"
        ),
        1
    );

    // The data reads as before, through the tenant-bound handle.
    let tom = store.read(TenantId::SUPER, |tx| tx.user("tom")).unwrap().unwrap();
    assert_eq!(tom.uuid, "u-2");
    assert_eq!(
        store.read(TenantId::SUPER, |tx| tx.roles_of_user("admin")).unwrap(),
        ["admin"]
    );
    assert!(
        store
            .read(TenantId::SUPER, |tx| tx.recovery_code("tom"))
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .read(TenantId::SUPER, |tx| tx.token_by_access(&[1]))
            .unwrap()
            .is_some()
    );

    // The version triggers are per tenant: a grant in a new tenant bumps only its own row.
    let other = store
        .system_write(|sys| {
            let t = sys.insert_tenant(&NewTenant {
                domain: "wso2.com",
                admin: "kim",
                email: "kim@wso2.com",
                now: 9,
            })?;
            let tx = sys.in_tenant(t.id);
            tx.insert_role("admin", 9)?;
            tx.grant_permission("admin", "/permission/admin")?;
            Ok::<_, StoreError>(t.id)
        })
        .unwrap();
    assert_eq!(other.get(), 1);
    let version = |t: TenantId| {
        count(
            &conn,
            &format!("SELECT version FROM authz_version WHERE tenant_id = {}", t.get()),
        )
    };
    let super_before = version(TenantId::SUPER);
    assert_eq!(version(other), 1, "the new tenant's grant bumped its own version");
    store
        .write::<_, StoreError>(TenantId::SUPER, |tx| {
            tx.grant_permission("admin", "/permission/x").map(|_| ())
        })
        .unwrap();
    assert_eq!(version(TenantId::SUPER), super_before + 1);
    assert_eq!(version(other), 1, "the other tenant's version did not move");
}

#[test]
fn a_rebuild_that_would_break_a_link_is_rolled_back() {
    // A v11 database with a dangling child row (possible when foreign keys were off in an old writer): migration
    // 12 must refuse to commit rather than carry it over.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    {
        let mut conn = Connection::open(&path).unwrap();
        migrate_to(&mut conn, 11).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys=OFF;
             INSERT INTO claim_values VALUES (42, 'default', 'urn:x', 'orphan');",
        )
        .unwrap();
    }
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::BrokenMigration { version: 12, rows: 1 })
    ));
    let conn = Connection::open(&path).unwrap();
    assert_eq!(count(&conn, "PRAGMA user_version"), 11, "nothing was changed");
    assert_eq!(
        count(&conn, "PRAGMA foreign_keys"),
        1,
        "foreign keys are back on for the connection"
    );
}

/// Every SQL string literal of the tenant-bound query files that touches a tenant table, with its file.
fn statements() -> Vec<(&'static str, String)> {
    let sources: &[(&str, &str)] = &[
        ("queries.rs", include_str!("../queries.rs")),
        ("oauth.rs", include_str!("../oauth.rs")),
        ("templates.rs", include_str!("../templates.rs")),
        // The worker's cross-tenant queue statements live in `impl SysTx` at the end of outbox.rs; they are
        // the one allowed exception and are left out here.
        (
            "outbox.rs",
            include_str!("../outbox.rs")
                .split("impl SysTx")
                .next()
                .unwrap_or_default(),
        ),
    ];
    let mut out = Vec::new();
    for (file, source) in sources {
        let source = source.split("#[cfg(test)]").next().unwrap_or_default();
        for literal in source.split('"').skip(1).step_by(2) {
            let upper = literal.to_ascii_uppercase();
            let is_sql = ["SELECT ", "INSERT ", "UPDATE ", "DELETE "]
                .iter()
                .any(|k| upper.trim_start().starts_with(k) || upper.contains(&format!("\n{k}")));
            let touches = TENANT_TABLES.iter().any(|t| {
                let t = t.to_ascii_uppercase();
                [" FROM ", " JOIN ", " INTO ", "UPDATE "]
                    .iter()
                    .any(|k| upper.contains(&format!("{k}{t} ")) || upper.contains(&format!("{k}{t}\n")))
                    || upper.trim_end().ends_with(&format!("FROM {t}"))
            });
            if is_sql && touches {
                out.push((*file, literal.to_string()));
            }
        }
    }
    out
}

#[test]
fn every_statement_on_a_tenant_table_binds_the_tenant() {
    let all = statements();
    assert!(all.len() > 60, "the scan finds the statements ({} found)", all.len());
    for (file, sql) in all {
        assert!(
            sql.contains("tenant_id"),
            "{file}: a statement without its tenant:\n{sql}"
        );
    }
}

// ---- the mirrored test ----

fn meta(uri: &str) -> ClaimMeta {
    ClaimMeta {
        uri: uri.into(),
        display_name: "x".into(),
        description: String::new(),
        supported_by_default: true,
        required: false,
        read_only: false,
        display_order: 0,
        regex: String::new(),
    }
}

/// Give a tenant the same data the other one has: users `tom` and `ann`, a role, claims, a code, mails, an app
/// with a token and a code, a consent, templates, governance values, an association and an audit line.
fn seed(tx: &Tx<'_>, client_id: &str, token: u8) -> Result<(), StoreError> {
    tx.insert_user("tom", "hash-tom", 1)?;
    tx.insert_user("ann", "hash-ann", 1)?;
    tx.insert_role("admin", 1)?;
    tx.grant_permission("admin", "/permission/admin")?;
    tx.add_user_to_role("tom", "admin")?;
    tx.insert_claim_meta_if_absent(&meta("http://wso2.org/claims/emailaddress"))?;
    tx.set_claim_value("tom", "default", "http://wso2.org/claims/emailaddress", "tom@x")?;
    tx.set_governance_property("Recovery.AdminPasswordReset.OTP", "true")?;
    tx.add_association("tom", "google", "tom-g")?;
    tx.put_recovery_code(
        "tom",
        &RecoveryCode {
            scenario: "S".into(),
            code_hash: "h".into(),
            created_at: 1,
            expires_at: None,
            attempts_left: 3,
        },
    )?;
    let mail = NewMail {
        template: "t".into(),
        recipient: "tom@x".into(),
        subject: "s".into(),
        body: "b".into(),
        content_type: "text/plain".into(),
    };
    tx.enqueue_mail(&mail, MailStatus::Pending, 1)?;
    tx.enqueue_mail(&mail, MailStatus::Mailbox, 1)?;
    tx.insert_audit(&super::super::AuditRecord {
        at: 1,
        actor: "admin".into(),
        action: "a".into(),
        target: "tom".into(),
        detail: String::new(),
    })?;
    tx.insert_app(&super::super::AppRecord {
        client_id: client_id.into(),
        name: "app".into(),
        secret_hash: vec![token],
        callback: "https://cb".into(),
        grant_types: "password".into(),
        token_type: "Default".into(),
        pkce_mandatory: false,
        pkce_plain: false,
        owner: "admin".into(),
        created_at: 1,
    })?;
    tx.insert_token(&NewToken {
        access_hash: &[token],
        refresh_hash: Some(&[token, 1]),
        client_id,
        user: Some("tom"),
        scope: "openid",
        grant_type: "password",
        code_hash: Some(&[token, 2]),
        issued_at: 1,
        access_expires_at: 10,
        refresh_expires_at: Some(20),
    })?;
    tx.insert_code(&NewCode {
        code_hash: &[token, 2],
        client_id,
        user: "tom",
        redirect_uri: "https://cb",
        scope: "openid",
        nonce: None,
        challenge: None,
        challenge_method: None,
        session: None,
        auth_time: 1,
        issued_at: 1,
        expires_at: 10,
    })?;
    tx.set_consent_always("tom", client_id, 1)?;
    tx.insert_template_type("passwordreset", "Password Reset")?;
    tx.put_template(&StoredTemplate {
        type_key: "passwordreset".into(),
        locale_key: "en_us".into(),
        locale: "en_US".into(),
        display_name: "x".into(),
        content_type: None,
        subject: "s".into(),
        body: "b".into(),
        footer: "f".into(),
        updated_at: 1,
    })?;
    Ok(())
}

/// Every row of every tenant table that belongs to `tenant`, as text, by table.
fn rows_of(conn: &Connection, tenant: TenantId) -> BTreeMap<String, Vec<String>> {
    TENANT_TABLES
        .iter()
        .map(|table| {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {table} WHERE tenant_id = ?1"))
                .unwrap();
            let columns = stmt.column_count();
            let mut rows = stmt
                .query_map([tenant], |r| {
                    Ok((0..columns)
                        .map(|i| format!("{:?}", r.get_ref(i).map(|v| format!("{v:?}"))))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            rows.sort();
            (table.to_string(), rows)
        })
        .collect()
}

#[test]
fn everything_a_tenant_does_leaves_the_other_tenants_rows_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let store = Store::open(&path).unwrap();
    let (a, b) = store
        .system_write(|sys| {
            let new = |domain| NewTenant {
                domain,
                admin: "admin",
                email: "",
                now: 1,
            };
            let a = sys.insert_tenant(&new("a.com"))?.id;
            let b = sys.insert_tenant(&new("b.com"))?.id;
            seed(&sys.in_tenant(a), "client-a", 0xa)?;
            seed(&sys.in_tenant(b), "client-b", 0xb)?;
            Ok::<_, StoreError>((a, b))
        })
        .unwrap();
    let conn = Connection::open(&path).unwrap();
    let b_before = rows_of(&conn, b);
    assert!(
        b_before.values().all(|rows| !rows.is_empty()),
        "B has a row in every table"
    );
    let b_tom = store.read(b, |tx| tx.user("tom")).unwrap().unwrap();
    let b_mail = store.read(b, |tx| tx.mails(0, 1)).unwrap()[0].id;

    // A cannot see B's rows by their global keys.
    store
        .read(a, |tx| {
            assert_eq!(tx.user_by_uuid(&b_tom.uuid)?, None);
            assert_eq!(tx.app("client-b")?, None);
            assert_eq!(tx.token_by_access(&[0xb])?, None);
            assert_eq!(tx.token_by_refresh(&[0xb, 1])?, None);
            assert!(tx.code(&[0xb, 2])?.is_none());
            assert_eq!(tx.mail(b_mail)?, None);
            assert!(!tx.consent_always("tom", "client-b")?);
            assert_eq!(tx.mails(0, 100)?.len(), 2);
            assert_eq!(tx.audit_page(0, 100)?.len(), 1);
            Ok(())
        })
        .unwrap();

    // Every write a tenant-bound handle offers, in A, aimed at names B also has and at B's global keys.
    store
        .write::<_, StoreError>(a, |tx| {
            tx.touch_user("tom", 5)?;
            tx.set_password_hash("tom", "new", 5)?;
            tx.end_sessions("tom", 5)?;
            tx.set_claim_value("tom", "default", "http://wso2.org/claims/emailaddress", "changed")?;
            tx.delete_claim_value("tom", "default", "http://wso2.org/claims/emailaddress")?;
            tx.delete_profile("tom", "default")?;
            tx.update_claim_meta(&ClaimMeta {
                display_name: "changed".into(),
                ..meta("http://wso2.org/claims/emailaddress")
            })?;
            tx.set_governance_property("Recovery.AdminPasswordReset.OTP", "false")?;
            tx.remove_association("tom", "google", "tom-g")?;
            tx.spend_recovery_attempt("tom")?;
            tx.delete_recovery_code("tom")?;
            tx.retry_mail(b_mail, 5)?;
            tx.revoke_token(&[0xb])?;
            tx.revoke_tokens_of_code(&[0xb, 2])?;
            tx.use_code(&[0xb, 2])?;
            tx.remove_consent("tom", "client-b")?;
            tx.purge_expired_oauth(i64::MAX / 2)?;
            tx.delete_app("client-b")?;
            tx.remove_user_from_role("tom", "admin")?;
            tx.touch_role("admin", 5)?;
            tx.rename_role("admin", "boss")?;
            tx.delete_role("boss")?;
            tx.delete_template("passwordreset", "en_us")?;
            tx.delete_template_type("passwordreset")?;
            tx.delete_user("tom")?;
            tx.delete_user("ann")?;
            Ok(())
        })
        .unwrap();
    assert_eq!(rows_of(&conn, b), b_before, "B's rows are exactly as they were");
    assert!(store.read(a, |tx| tx.user("tom")).unwrap().is_none());
    assert_eq!(store.read(b, |tx| tx.user("tom")).unwrap(), Some(b_tom));

    // The same name in two tenants is two users: a child row cannot point across (composite foreign keys).
    let cross = conn.execute(
        "INSERT INTO claim_values (tenant_id, user_id, profile, uri, value) VALUES (?1, ?2, 'default', 'u', 'v')",
        rusqlite::params![a, store.read(b, |tx| tx.user("ann")).unwrap().unwrap().id],
    );
    assert!(cross.is_err(), "A's claim on B's user is refused by the schema");
}

#[test]
fn caches_are_per_tenant() {
    let store = Store::open_in_memory().unwrap();
    let (a, b) = store
        .system_write(|sys| {
            let new = |domain| NewTenant {
                domain,
                admin: "admin",
                email: "",
                now: 1,
            };
            Ok::<_, StoreError>((
                sys.insert_tenant(&new("a.com"))?.id,
                sys.insert_tenant(&new("b.com"))?.id,
            ))
        })
        .unwrap();
    store
        .write::<_, StoreError>(a, |tx| {
            tx.insert_claim_meta_if_absent(&meta("urn:a"))?;
            tx.insert_user("tom", "h", 1)?;
            tx.insert_role("admin", 1)?;
            tx.grant_permission("admin", "/permission/admin")?;
            tx.add_user_to_role("tom", "admin")?;
            Ok(())
        })
        .unwrap();
    store
        .write::<_, StoreError>(b, |tx| tx.insert_user("tom", "h", 1).map(|_| ()))
        .unwrap();
    // Read twice each, so the second read comes from the cache.
    for _ in 0..2 {
        assert_eq!(store.read(a, |tx| tx.claim_metas()).unwrap().len(), 1);
        assert_eq!(store.read(b, |tx| tx.claim_metas()).unwrap().len(), 0);
        let perms = |t| {
            store
                .read(t, |tx| tx.user_and_permissions("tom"))
                .unwrap()
                .unwrap()
                .permissions
        };
        assert_eq!(perms(a), ["/permission/admin"]);
        assert!(perms(b).is_empty());
    }
}

#[test]
fn tenants_are_found_by_domain_uuid_and_id_and_domains_are_unique() {
    let store = Store::open_in_memory().unwrap();
    let made = store
        .system_write(|sys| {
            sys.insert_tenant(&NewTenant {
                domain: "WSO2.com",
                admin: "kim",
                email: "kim@wso2.com",
                now: 7,
            })
        })
        .unwrap();
    assert_eq!(
        (made.id.get(), made.domain.as_str(), made.active),
        (1, "wso2.com", true)
    );
    let again = store.system_write(|sys| {
        sys.insert_tenant(&NewTenant {
            domain: "wso2.com",
            admin: "x",
            email: "",
            now: 8,
        })
    });
    assert!(matches!(again, Err(StoreError::Conflict)));
    store
        .system_read(|sys| {
            assert_eq!(sys.tenant_by_domain("Wso2.Com")?, Some(made.clone()));
            assert_eq!(sys.tenant_by_uuid(&made.uuid)?, Some(made.clone()));
            assert_eq!(sys.tenant(made.id)?, Some(made.clone()));
            assert_eq!(
                sys.tenant_by_domain("carbon.super")?.map(|t| t.id),
                Some(TenantId::SUPER)
            );
            assert_eq!(sys.count_tenants()?, 2);
            assert_eq!(
                sys.tenants(0, -1)?
                    .iter()
                    .map(|t| t.domain.as_str())
                    .collect::<Vec<_>>(),
                ["carbon.super", "wso2.com"]
            );
            Ok(())
        })
        .unwrap();
    assert!(store.system_write(|sys| sys.set_tenant_active(made.id, false)).unwrap());
    assert!(!store.system_read(|sys| sys.tenant(made.id)).unwrap().unwrap().active);
}
