//! Versioned schema migrations, tracked in SQLite's `user_version`; each runs once, in its own transaction.

/// One migration: its SQL, and whether it rebuilds tables (then the runner turns foreign keys off around its
/// transaction, as SQLite's table-rebuild procedure requires, and checks them before committing).
pub(super) struct Migration {
    pub(super) sql: &'static str,
    pub(super) rebuilds_tables: bool,
}

const fn plain(sql: &'static str) -> Migration {
    Migration {
        sql,
        rebuilds_tables: false,
    }
}

/// Append only: never edit a migration that has shipped, add a new one.
pub(super) const MIGRATIONS: &[Migration] = &[
    // 1: users, roles, permissions, the claim dialect, claim values, governance properties, audit.
    plain(
        r#"
    CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
    );
    CREATE TABLE roles (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE role_permissions (
        role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
        path    TEXT NOT NULL,
        PRIMARY KEY (role_id, path)
    ) WITHOUT ROWID;
    CREATE TABLE user_roles (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, role_id)
    ) WITHOUT ROWID;
    CREATE INDEX user_roles_by_role ON user_roles(role_id);
    CREATE TABLE claim_dialect (
        uri                  TEXT PRIMARY KEY,
        display_name         TEXT NOT NULL,
        description          TEXT NOT NULL DEFAULT '',
        supported_by_default INTEGER NOT NULL DEFAULT 0,
        required             INTEGER NOT NULL DEFAULT 0,
        read_only            INTEGER NOT NULL DEFAULT 0,
        display_order        INTEGER NOT NULL DEFAULT 0,
        regex                TEXT NOT NULL DEFAULT ''
    ) WITHOUT ROWID;
    CREATE TABLE claim_values (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        profile TEXT NOT NULL,
        uri     TEXT NOT NULL,
        value   TEXT NOT NULL,
        PRIMARY KEY (user_id, profile, uri)
    ) WITHOUT ROWID;
    CREATE TABLE governance_properties (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE audit_log (
        id     INTEGER PRIMARY KEY,
        at     INTEGER NOT NULL,
        actor  TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    );
    "#,
    ),
    // 2: federated account associations (UserProfileMgtService associateID & co.).
    plain(
        r#"
    CREATE TABLE associations (
        user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        idp_id        TEXT NOT NULL,
        associated_id TEXT NOT NULL,
        PRIMARY KEY (idp_id, associated_id)
    ) WITHOUT ROWID;
    CREATE INDEX associations_by_user ON associations(user_id);
    "#,
    ),
    // 3: the forced-reset engine: one live recovery code per user (hashed), and the durable mail outbox.
    plain(
        r#"
    CREATE TABLE recovery_codes (
        user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        scenario      TEXT NOT NULL,
        code_hash     TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        expires_at    INTEGER,
        attempts_left INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        created_at      INTEGER NOT NULL,
        template        TEXT NOT NULL,
        recipient       TEXT NOT NULL,
        subject         TEXT NOT NULL,
        body            TEXT NOT NULL,
        content_type    TEXT NOT NULL,
        status          TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        sent_at         INTEGER
    );
    CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
    "#,
    ),
    // 4: a version number of the claim dialect, bumped by triggers on every change to it, so that a process can
    // cache the dialect and learn with one point read whether its copy is current (even after another process,
    // such as the CLI, edited it).
    plain(
        r#"
    CREATE TABLE claim_dialect_version (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
    );
    INSERT INTO claim_dialect_version (id, version) VALUES (1, 0);
    CREATE TRIGGER claim_dialect_inserted AFTER INSERT ON claim_dialect
    BEGIN UPDATE claim_dialect_version SET version = version + 1; END;
    CREATE TRIGGER claim_dialect_updated AFTER UPDATE ON claim_dialect
    BEGIN UPDATE claim_dialect_version SET version = version + 1; END;
    CREATE TRIGGER claim_dialect_deleted AFTER DELETE ON claim_dialect
    BEGIN UPDATE claim_dialect_version SET version = version + 1; END;
    "#,
    ),
    // 5: a version number of who holds which permission (users, roles, memberships, role permissions), bumped by
    // triggers like the dialect's, so that a process can cache a user's permissions and learn with one point read
    // whether its copy is current, whichever process changed them.
    plain(
        r#"
    CREATE TABLE authz_version (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
    );
    INSERT INTO authz_version (id, version) VALUES (1, 0);
    CREATE TRIGGER authz_user_inserted AFTER INSERT ON users
    BEGIN UPDATE authz_version SET version = version + 1; END;
    CREATE TRIGGER authz_user_deleted AFTER DELETE ON users
    BEGIN UPDATE authz_version SET version = version + 1; END;
    CREATE TRIGGER authz_user_renamed AFTER UPDATE OF name ON users
    BEGIN UPDATE authz_version SET version = version + 1; END;
    CREATE TRIGGER authz_role_deleted AFTER DELETE ON roles
    BEGIN UPDATE authz_version SET version = version + 1; END;
    CREATE TRIGGER authz_role_renamed AFTER UPDATE OF name ON roles
    BEGIN UPDATE authz_version SET version = version + 1; END;
    CREATE TRIGGER authz_membership_inserted AFTER INSERT ON user_roles
    BEGIN UPDATE authz_version SET version = version + 1; END;
    CREATE TRIGGER authz_membership_deleted AFTER DELETE ON user_roles
    BEGIN UPDATE authz_version SET version = version + 1; END;
    CREATE TRIGGER authz_grant_inserted AFTER INSERT ON role_permissions
    BEGIN UPDATE authz_version SET version = version + 1; END;
    CREATE TRIGGER authz_grant_deleted AFTER DELETE ON role_permissions
    BEGIN UPDATE authz_version SET version = version + 1; END;
    "#,
    ),
    // 6: when a user's sessions were last ended (a reset, a password set, an unlock of a reset), in the clock's
    // milliseconds. Sessions live in the server's memory; this column lets any process end them, the CLI
    // included: a session opened at or before it is dead. Read with the permissions, hence the version bump.
    plain(
        r#"
    ALTER TABLE users ADD COLUMN sessions_ended_at INTEGER NOT NULL DEFAULT 0;
    CREATE TRIGGER authz_sessions_ended AFTER UPDATE OF sessions_ended_at ON users
    BEGIN UPDATE authz_version SET version = version + 1; END;
    "#,
    ),
    // 7: stable ids for SCIM 2.0 (`/scim2/Users/{id}`, `/scim2/Groups/{id}`): every user and role gets a random
    // UUID (version 4), existing ones here, new ones from `Tx::insert_user` / `Tx::insert_role`; a rename keeps it.
    // And an index of claim values by (claim, value), case-insensitive, so that a SCIM filter on a claim
    // (`emails eq …`) is an index lookup, not a scan of every user.
    plain(
        r#"
    ALTER TABLE users ADD COLUMN uuid TEXT;
    ALTER TABLE roles ADD COLUMN uuid TEXT;
    UPDATE users SET uuid = lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'
        || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (random() & 3), 1)
        || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)));
    UPDATE roles SET uuid = lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'
        || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (random() & 3), 1)
        || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)));
    CREATE UNIQUE INDEX users_by_uuid ON users(uuid);
    CREATE UNIQUE INDEX roles_by_uuid ON roles(uuid);
    CREATE INDEX claim_values_by_value ON claim_values(uri, value COLLATE NOCASE);
    "#,
    ),
    // 8: OAuth2 applications (issue 16), the authorization codes and tokens issued to them. Every secret is kept
    // only as a keyed hash (`domain::oauth::secret_hash`). A token or code dies with its application or its user;
    // one issued at or before the user's `sessions_ended_at` is dead too (a forced reset, a password set).
    plain(
        r#"
    CREATE TABLE oauth_apps (
        client_id      TEXT PRIMARY KEY,
        name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
        secret_hash    BLOB NOT NULL,
        callback       TEXT NOT NULL DEFAULT '',
        grant_types    TEXT NOT NULL DEFAULT '',
        token_type     TEXT NOT NULL DEFAULT 'Default',
        pkce_mandatory INTEGER NOT NULL DEFAULT 0,
        pkce_plain     INTEGER NOT NULL DEFAULT 0,
        owner          TEXT NOT NULL,
        created_at     INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE oauth_tokens (
        access_hash        BLOB PRIMARY KEY,
        refresh_hash       BLOB UNIQUE,
        client_id          TEXT NOT NULL REFERENCES oauth_apps(client_id) ON DELETE CASCADE,
        user_id            INTEGER REFERENCES users(id) ON DELETE CASCADE,
        scope              TEXT NOT NULL DEFAULT '',
        grant_type         TEXT NOT NULL,
        code_hash          BLOB,
        issued_at          INTEGER NOT NULL,
        access_expires_at  INTEGER NOT NULL,
        refresh_expires_at INTEGER,
        revoked            INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE INDEX oauth_tokens_by_user ON oauth_tokens(user_id);
    CREATE INDEX oauth_tokens_by_client ON oauth_tokens(client_id);
    CREATE INDEX oauth_tokens_by_code ON oauth_tokens(code_hash);
    CREATE TABLE oauth_codes (
        code_hash        BLOB PRIMARY KEY,
        client_id        TEXT NOT NULL REFERENCES oauth_apps(client_id) ON DELETE CASCADE,
        user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        redirect_uri     TEXT NOT NULL,
        scope            TEXT NOT NULL DEFAULT '',
        nonce            TEXT,
        challenge        TEXT,
        challenge_method TEXT,
        session          TEXT,
        auth_time        INTEGER NOT NULL,
        issued_at        INTEGER NOT NULL,
        expires_at       INTEGER NOT NULL,
        used             INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    "#,
    ),
    // 9: e-mail template types and their templates per
    // locale (issue 17). A type's key is WSO2's normalized name (whitespace removed, lower-cased); a template's
    // `locale_key` is the locale as the release addresses it, lower-cased (the registry's resource name), and
    // `locale` is the locale as the client gave it. `content_type` is NULL when the client sent none, as WSO2
    // stores it. `position` keeps the types in the order they were added.
    plain(
        r#"
    CREATE TABLE email_template_types (
        key          TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        position     INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE email_templates (
        type_key     TEXT NOT NULL REFERENCES email_template_types(key) ON DELETE CASCADE,
        locale_key   TEXT NOT NULL,
        locale       TEXT NOT NULL,
        display_name TEXT NOT NULL,
        content_type TEXT,
        subject      TEXT NOT NULL,
        body         TEXT NOT NULL,
        footer       TEXT NOT NULL,
        updated_at   INTEGER NOT NULL,
        PRIMARY KEY (type_key, locale_key)
    ) WITHOUT ROWID;
    "#,
    ),
    // 10: when a role last changed, for SCIM 2.0 Groups' `meta.lastModified` (issue 15; WSO2 keeps it per group in
    // `IDN_SCIM_GROUP`). Existing roles start at their creation time; a SCIM rename or membership change moves it
    // (`Tx::touch_role`). The role's stable id is migration 7's `uuid`, which a rename keeps.
    plain(
        r#"
    ALTER TABLE roles ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
    UPDATE roles SET updated_at = created_at;
    "#,
    ),
    // 11: "approve always" at the authorization consent page, per user and application (WSO2's
    // `IDN_OPENID_USER_RPS` with `TRUSTED_ALWAYS`, OAUTH `OpenIDConnectUserRPStore`); it dies with either.
    plain(
        r#"
    CREATE TABLE oauth_consents (
        user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        client_id   TEXT NOT NULL REFERENCES oauth_apps(client_id) ON DELETE CASCADE,
        approved_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, client_id)
    ) WITHOUT ROWID;
    "#,
    ),
    // 12: tenants (issue 18). Every tenant-owned row gets `tenant_id` as the first column of its key, and every
    // child row points at its parent through (tenant_id, id), so a row can never reference another tenant's user,
    // role, application or template type. Existing data becomes the super tenant's (carbon.super, WSO2's -1234).
    // The version rows of migrations 4 and 5 become one per tenant, so a change in one tenant leaves the others'
    // caches alone. SQLite cannot add a key to a table: each is rebuilt (new table, copy, drop, rename), with
    // foreign keys off around the transaction and checked before it commits (`Migration::rebuilds_tables`).
    Migration {
        rebuilds_tables: true,
        sql: r#"
    CREATE TABLE tenants (
        id         INTEGER PRIMARY KEY,
        uuid       TEXT NOT NULL UNIQUE,
        domain     TEXT NOT NULL UNIQUE,
        active     INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL,
        admin      TEXT NOT NULL DEFAULT '',
        email      TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO tenants (id, uuid, domain, active, created_at) VALUES (-1234,
        lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'
        || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (random() & 3), 1)
        || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
        'carbon.super', 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));

    CREATE TABLE users_v12 (
        tenant_id         INTEGER NOT NULL REFERENCES tenants(id),
        id                INTEGER PRIMARY KEY,
        name              TEXT NOT NULL COLLATE NOCASE,
        password_hash     TEXT NOT NULL,
        created_at        INTEGER NOT NULL,
        updated_at        INTEGER NOT NULL,
        sessions_ended_at INTEGER NOT NULL DEFAULT 0,
        uuid              TEXT NOT NULL,
        UNIQUE (tenant_id, name),
        UNIQUE (tenant_id, id)
    );
    INSERT INTO users_v12 SELECT -1234, id, name, password_hash, created_at, updated_at, sessions_ended_at, uuid
      FROM users;
    CREATE TABLE roles_v12 (
        tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL COLLATE NOCASE,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL DEFAULT 0,
        uuid       TEXT NOT NULL,
        UNIQUE (tenant_id, name),
        UNIQUE (tenant_id, id)
    );
    INSERT INTO roles_v12 SELECT -1234, id, name, created_at, updated_at, uuid FROM roles;
    CREATE TABLE role_permissions_v12 (
        tenant_id INTEGER NOT NULL,
        role_id   INTEGER NOT NULL,
        path      TEXT NOT NULL,
        PRIMARY KEY (tenant_id, role_id, path),
        FOREIGN KEY (tenant_id, role_id) REFERENCES roles(tenant_id, id) ON DELETE CASCADE
    ) WITHOUT ROWID;
    INSERT INTO role_permissions_v12 SELECT -1234, role_id, path FROM role_permissions;
    CREATE TABLE user_roles_v12 (
        tenant_id INTEGER NOT NULL,
        user_id   INTEGER NOT NULL,
        role_id   INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, user_id, role_id),
        FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, role_id) REFERENCES roles(tenant_id, id) ON DELETE CASCADE
    ) WITHOUT ROWID;
    INSERT INTO user_roles_v12 SELECT -1234, user_id, role_id FROM user_roles;
    CREATE TABLE claim_dialect_v12 (
        tenant_id            INTEGER NOT NULL REFERENCES tenants(id),
        uri                  TEXT NOT NULL,
        display_name         TEXT NOT NULL,
        description          TEXT NOT NULL DEFAULT '',
        supported_by_default INTEGER NOT NULL DEFAULT 0,
        required             INTEGER NOT NULL DEFAULT 0,
        read_only            INTEGER NOT NULL DEFAULT 0,
        display_order        INTEGER NOT NULL DEFAULT 0,
        regex                TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (tenant_id, uri)
    ) WITHOUT ROWID;
    INSERT INTO claim_dialect_v12 SELECT -1234, uri, display_name, description, supported_by_default, required,
        read_only, display_order, regex FROM claim_dialect;
    CREATE TABLE claim_values_v12 (
        tenant_id INTEGER NOT NULL,
        user_id   INTEGER NOT NULL,
        profile   TEXT NOT NULL,
        uri       TEXT NOT NULL,
        value     TEXT NOT NULL,
        PRIMARY KEY (tenant_id, user_id, profile, uri),
        FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
    ) WITHOUT ROWID;
    INSERT INTO claim_values_v12 SELECT -1234, user_id, profile, uri, value FROM claim_values;
    CREATE TABLE governance_properties_v12 (
        tenant_id INTEGER NOT NULL REFERENCES tenants(id),
        name      TEXT NOT NULL,
        value     TEXT NOT NULL,
        PRIMARY KEY (tenant_id, name)
    ) WITHOUT ROWID;
    INSERT INTO governance_properties_v12 SELECT -1234, name, value FROM governance_properties;
    CREATE TABLE audit_log_v12 (
        id        INTEGER PRIMARY KEY,
        tenant_id INTEGER NOT NULL REFERENCES tenants(id),
        at        INTEGER NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        target    TEXT NOT NULL,
        detail    TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO audit_log_v12 SELECT id, -1234, at, actor, action, target, detail FROM audit_log;
    CREATE TABLE associations_v12 (
        tenant_id     INTEGER NOT NULL,
        user_id       INTEGER NOT NULL,
        idp_id        TEXT NOT NULL,
        associated_id TEXT NOT NULL,
        PRIMARY KEY (tenant_id, idp_id, associated_id),
        FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
    ) WITHOUT ROWID;
    INSERT INTO associations_v12 SELECT -1234, user_id, idp_id, associated_id FROM associations;
    CREATE TABLE recovery_codes_v12 (
        tenant_id     INTEGER NOT NULL,
        user_id       INTEGER NOT NULL,
        scenario      TEXT NOT NULL,
        code_hash     TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        expires_at    INTEGER,
        attempts_left INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, user_id),
        FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
    ) WITHOUT ROWID;
    INSERT INTO recovery_codes_v12 SELECT -1234, user_id, scenario, code_hash, created_at, expires_at, attempts_left
      FROM recovery_codes;
    CREATE TABLE outbox_v12 (
        id              INTEGER PRIMARY KEY,
        tenant_id       INTEGER NOT NULL REFERENCES tenants(id),
        created_at      INTEGER NOT NULL,
        template        TEXT NOT NULL,
        recipient       TEXT NOT NULL,
        subject         TEXT NOT NULL,
        body            TEXT NOT NULL,
        content_type    TEXT NOT NULL,
        status          TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        sent_at         INTEGER
    );
    INSERT INTO outbox_v12 SELECT id, -1234, created_at, template, recipient, subject, body, content_type, status,
        attempts, next_attempt_at, last_error, sent_at FROM outbox;
    CREATE TABLE claim_dialect_version_v12 (
        tenant_id INTEGER PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        version   INTEGER NOT NULL
    );
    INSERT INTO claim_dialect_version_v12 SELECT -1234, version FROM claim_dialect_version;
    CREATE TABLE authz_version_v12 (
        tenant_id INTEGER PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        version   INTEGER NOT NULL
    );
    INSERT INTO authz_version_v12 SELECT -1234, version FROM authz_version;
    CREATE TABLE oauth_apps_v12 (
        tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
        client_id      TEXT PRIMARY KEY,
        name           TEXT NOT NULL COLLATE NOCASE,
        secret_hash    BLOB NOT NULL,
        callback       TEXT NOT NULL DEFAULT '',
        grant_types    TEXT NOT NULL DEFAULT '',
        token_type     TEXT NOT NULL DEFAULT 'Default',
        pkce_mandatory INTEGER NOT NULL DEFAULT 0,
        pkce_plain     INTEGER NOT NULL DEFAULT 0,
        owner          TEXT NOT NULL,
        created_at     INTEGER NOT NULL,
        UNIQUE (tenant_id, name),
        UNIQUE (tenant_id, client_id)
    ) WITHOUT ROWID;
    INSERT INTO oauth_apps_v12 SELECT -1234, client_id, name, secret_hash, callback, grant_types, token_type,
        pkce_mandatory, pkce_plain, owner, created_at FROM oauth_apps;
    CREATE TABLE oauth_tokens_v12 (
        tenant_id          INTEGER NOT NULL,
        access_hash        BLOB PRIMARY KEY,
        refresh_hash       BLOB UNIQUE,
        client_id          TEXT NOT NULL,
        user_id            INTEGER,
        scope              TEXT NOT NULL DEFAULT '',
        grant_type         TEXT NOT NULL,
        code_hash          BLOB,
        issued_at          INTEGER NOT NULL,
        access_expires_at  INTEGER NOT NULL,
        refresh_expires_at INTEGER,
        revoked            INTEGER NOT NULL DEFAULT 0,
        FOREIGN KEY (tenant_id, client_id) REFERENCES oauth_apps(tenant_id, client_id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
    ) WITHOUT ROWID;
    INSERT INTO oauth_tokens_v12 SELECT -1234, access_hash, refresh_hash, client_id, user_id, scope, grant_type,
        code_hash, issued_at, access_expires_at, refresh_expires_at, revoked FROM oauth_tokens;
    CREATE TABLE oauth_codes_v12 (
        tenant_id        INTEGER NOT NULL,
        code_hash        BLOB PRIMARY KEY,
        client_id        TEXT NOT NULL,
        user_id          INTEGER NOT NULL,
        redirect_uri     TEXT NOT NULL,
        scope            TEXT NOT NULL DEFAULT '',
        nonce            TEXT,
        challenge        TEXT,
        challenge_method TEXT,
        session          TEXT,
        auth_time        INTEGER NOT NULL,
        issued_at        INTEGER NOT NULL,
        expires_at       INTEGER NOT NULL,
        used             INTEGER NOT NULL DEFAULT 0,
        FOREIGN KEY (tenant_id, client_id) REFERENCES oauth_apps(tenant_id, client_id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
    ) WITHOUT ROWID;
    INSERT INTO oauth_codes_v12 SELECT -1234, code_hash, client_id, user_id, redirect_uri, scope, nonce, challenge,
        challenge_method, session, auth_time, issued_at, expires_at, used FROM oauth_codes;
    CREATE TABLE oauth_consents_v12 (
        tenant_id   INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        client_id   TEXT NOT NULL,
        approved_at INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, user_id, client_id),
        FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, client_id) REFERENCES oauth_apps(tenant_id, client_id) ON DELETE CASCADE
    ) WITHOUT ROWID;
    INSERT INTO oauth_consents_v12 SELECT -1234, user_id, client_id, approved_at FROM oauth_consents;
    CREATE TABLE email_template_types_v12 (
        tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
        key          TEXT NOT NULL,
        display_name TEXT NOT NULL,
        position     INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, key)
    ) WITHOUT ROWID;
    INSERT INTO email_template_types_v12 SELECT -1234, key, display_name, position FROM email_template_types;
    CREATE TABLE email_templates_v12 (
        tenant_id    INTEGER NOT NULL,
        type_key     TEXT NOT NULL,
        locale_key   TEXT NOT NULL,
        locale       TEXT NOT NULL,
        display_name TEXT NOT NULL,
        content_type TEXT,
        subject      TEXT NOT NULL,
        body         TEXT NOT NULL,
        footer       TEXT NOT NULL,
        updated_at   INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, type_key, locale_key),
        FOREIGN KEY (tenant_id, type_key) REFERENCES email_template_types(tenant_id, key) ON DELETE CASCADE
    ) WITHOUT ROWID;
    INSERT INTO email_templates_v12 SELECT -1234, type_key, locale_key, locale, display_name, content_type, subject,
        body, footer, updated_at FROM email_templates;

    DROP TABLE oauth_consents; DROP TABLE oauth_codes; DROP TABLE oauth_tokens; DROP TABLE oauth_apps;
    DROP TABLE email_templates; DROP TABLE email_template_types;
    DROP TABLE recovery_codes; DROP TABLE associations; DROP TABLE claim_values; DROP TABLE user_roles;
    DROP TABLE role_permissions; DROP TABLE claim_dialect; DROP TABLE governance_properties; DROP TABLE audit_log;
    DROP TABLE outbox; DROP TABLE claim_dialect_version; DROP TABLE authz_version; DROP TABLE roles; DROP TABLE users;

    ALTER TABLE users_v12 RENAME TO users;
    ALTER TABLE roles_v12 RENAME TO roles;
    ALTER TABLE role_permissions_v12 RENAME TO role_permissions;
    ALTER TABLE user_roles_v12 RENAME TO user_roles;
    ALTER TABLE claim_dialect_v12 RENAME TO claim_dialect;
    ALTER TABLE claim_values_v12 RENAME TO claim_values;
    ALTER TABLE governance_properties_v12 RENAME TO governance_properties;
    ALTER TABLE audit_log_v12 RENAME TO audit_log;
    ALTER TABLE associations_v12 RENAME TO associations;
    ALTER TABLE recovery_codes_v12 RENAME TO recovery_codes;
    ALTER TABLE outbox_v12 RENAME TO outbox;
    ALTER TABLE claim_dialect_version_v12 RENAME TO claim_dialect_version;
    ALTER TABLE authz_version_v12 RENAME TO authz_version;
    ALTER TABLE oauth_apps_v12 RENAME TO oauth_apps;
    ALTER TABLE oauth_tokens_v12 RENAME TO oauth_tokens;
    ALTER TABLE oauth_codes_v12 RENAME TO oauth_codes;
    ALTER TABLE oauth_consents_v12 RENAME TO oauth_consents;
    ALTER TABLE email_template_types_v12 RENAME TO email_template_types;
    ALTER TABLE email_templates_v12 RENAME TO email_templates;

    CREATE UNIQUE INDEX users_by_uuid ON users(uuid);
    CREATE UNIQUE INDEX roles_by_uuid ON roles(uuid);
    CREATE INDEX user_roles_by_role ON user_roles(tenant_id, role_id);
    CREATE INDEX claim_values_by_value ON claim_values(tenant_id, uri, value COLLATE NOCASE);
    CREATE INDEX audit_by_tenant ON audit_log(tenant_id, id);
    CREATE INDEX associations_by_user ON associations(tenant_id, user_id);
    CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
    CREATE INDEX outbox_by_tenant ON outbox(tenant_id, id);
    CREATE INDEX oauth_tokens_by_user ON oauth_tokens(tenant_id, user_id);
    CREATE INDEX oauth_tokens_by_client ON oauth_tokens(tenant_id, client_id);
    CREATE INDEX oauth_tokens_by_code ON oauth_tokens(code_hash);
    CREATE INDEX oauth_codes_by_client ON oauth_codes(tenant_id, client_id);
    CREATE INDEX oauth_codes_by_user ON oauth_codes(tenant_id, user_id);
    CREATE INDEX oauth_consents_by_client ON oauth_consents(tenant_id, client_id);

    CREATE TRIGGER tenant_added AFTER INSERT ON tenants
    BEGIN
        INSERT INTO claim_dialect_version (tenant_id, version) VALUES (NEW.id, 0);
        INSERT INTO authz_version (tenant_id, version) VALUES (NEW.id, 0);
    END;
    CREATE TRIGGER claim_dialect_inserted AFTER INSERT ON claim_dialect
    BEGIN UPDATE claim_dialect_version SET version = version + 1 WHERE tenant_id = NEW.tenant_id; END;
    CREATE TRIGGER claim_dialect_updated AFTER UPDATE ON claim_dialect
    BEGIN UPDATE claim_dialect_version SET version = version + 1 WHERE tenant_id = NEW.tenant_id; END;
    CREATE TRIGGER claim_dialect_deleted AFTER DELETE ON claim_dialect
    BEGIN UPDATE claim_dialect_version SET version = version + 1 WHERE tenant_id = OLD.tenant_id; END;
    CREATE TRIGGER authz_user_inserted AFTER INSERT ON users
    BEGIN UPDATE authz_version SET version = version + 1 WHERE tenant_id = NEW.tenant_id; END;
    CREATE TRIGGER authz_user_deleted AFTER DELETE ON users
    BEGIN UPDATE authz_version SET version = version + 1 WHERE tenant_id = OLD.tenant_id; END;
    CREATE TRIGGER authz_user_renamed AFTER UPDATE OF name ON users
    BEGIN UPDATE authz_version SET version = version + 1 WHERE tenant_id = NEW.tenant_id; END;
    CREATE TRIGGER authz_sessions_ended AFTER UPDATE OF sessions_ended_at ON users
    BEGIN UPDATE authz_version SET version = version + 1 WHERE tenant_id = NEW.tenant_id; END;
    CREATE TRIGGER authz_role_deleted AFTER DELETE ON roles
    BEGIN UPDATE authz_version SET version = version + 1 WHERE tenant_id = OLD.tenant_id; END;
    CREATE TRIGGER authz_role_renamed AFTER UPDATE OF name ON roles
    BEGIN UPDATE authz_version SET version = version + 1 WHERE tenant_id = NEW.tenant_id; END;
    CREATE TRIGGER authz_membership_inserted AFTER INSERT ON user_roles
    BEGIN UPDATE authz_version SET version = version + 1 WHERE tenant_id = NEW.tenant_id; END;
    CREATE TRIGGER authz_membership_deleted AFTER DELETE ON user_roles
    BEGIN UPDATE authz_version SET version = version + 1 WHERE tenant_id = OLD.tenant_id; END;
    CREATE TRIGGER authz_grant_inserted AFTER INSERT ON role_permissions
    BEGIN UPDATE authz_version SET version = version + 1 WHERE tenant_id = NEW.tenant_id; END;
    CREATE TRIGGER authz_grant_deleted AFTER DELETE ON role_permissions
    BEGIN UPDATE authz_version SET version = version + 1 WHERE tenant_id = OLD.tenant_id; END;
    "#,
    },
    // 13: a tenant's (de)activation bumps its permissions version, so that the cached permissions of its users
    // (which carry whether the tenant is active, `Tx::user_and_permissions`) are read again at once: a session of
    // a tenant deactivated by any process (the CLI included) ends at its next request, at no cost to the others.
    plain(
        r#"
    CREATE TRIGGER authz_tenant_state AFTER UPDATE OF active ON tenants
    BEGIN UPDATE authz_version SET version = version + 1 WHERE tenant_id = NEW.id; END;
    "#,
    ),
];
