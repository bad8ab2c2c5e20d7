//! Versioned schema migrations, tracked in SQLite's `user_version`; each runs once, in its own transaction.

/// Append only: never edit a migration that has shipped, add a new one.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: users, roles, permissions, the claim dialect, claim values, governance properties, audit.
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
    // 2: federated account associations (UserProfileMgtService associateID & co.).
    r#"
    CREATE TABLE associations (
        user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        idp_id        TEXT NOT NULL,
        associated_id TEXT NOT NULL,
        PRIMARY KEY (idp_id, associated_id)
    ) WITHOUT ROWID;
    CREATE INDEX associations_by_user ON associations(user_id);
    "#,
    // 3: the forced-reset engine: one live recovery code per user (hashed), and the durable mail outbox.
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
    // 4: a version number of the claim dialect, bumped by triggers on every change to it, so that a process can
    // cache the dialect and learn with one point read whether its copy is current (even after another process,
    // such as the CLI, edited it).
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
    // 5: a version number of who holds which permission (users, roles, memberships, role permissions), bumped by
    // triggers like the dialect's, so that a process can cache a user's permissions and learn with one point read
    // whether its copy is current, whichever process changed them.
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
    // 6: when a user's sessions were last ended (a reset, a password set, an unlock of a reset), in the clock's
    // milliseconds. Sessions live in the server's memory; this column lets any process end them, the CLI
    // included: a session opened at or before it is dead. Read with the permissions, hence the version bump.
    r#"
    ALTER TABLE users ADD COLUMN sessions_ended_at INTEGER NOT NULL DEFAULT 0;
    CREATE TRIGGER authz_sessions_ended AFTER UPDATE OF sessions_ended_at ON users
    BEGIN UPDATE authz_version SET version = version + 1; END;
    "#,
    // 7: stable ids for SCIM 2.0 (`/scim2/Users/{id}`, `/scim2/Groups/{id}`): every user and role gets a random
    // UUID (version 4), existing ones here, new ones from `Tx::insert_user` / `Tx::insert_role`; a rename keeps it.
    // And an index of claim values by (claim, value), case-insensitive, so that a SCIM filter on a claim
    // (`emails eq …`) is an index lookup, not a scan of every user.
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
    // 8: OAuth2 applications (issue 16), the authorization codes and tokens issued to them. Every secret is kept
    // only as a keyed hash (`domain::oauth::secret_hash`). A token or code dies with its application or its user;
    // one issued at or before the user's `sessions_ended_at` is dead too (a forced reset, a password set).
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
    // 9: e-mail template types and their templates per
    // locale (issue 17). A type's key is WSO2's normalized name (whitespace removed, lower-cased); a template's
    // `locale_key` is the locale as the release addresses it, lower-cased (the registry's resource name), and
    // `locale` is the locale as the client gave it. `content_type` is NULL when the client sent none, as WSO2
    // stores it. `position` keeps the types in the order they were added.
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
    // 10: when a role last changed, for SCIM 2.0 Groups' `meta.lastModified` (issue 15; WSO2 keeps it per group in
    // `IDN_SCIM_GROUP`). Existing roles start at their creation time; a SCIM rename or membership change moves it
    // (`Tx::touch_role`). The role's stable id is migration 7's `uuid`, which a rename keeps.
    r#"
    ALTER TABLE roles ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
    UPDATE roles SET updated_at = created_at;
    "#,
    // 11: "approve always" at the authorization consent page, per user and application (WSO2's
    // `IDN_OPENID_USER_RPS` with `TRUSTED_ALWAYS`, OAUTH `OpenIDConnectUserRPStore`); it dies with either.
    r#"
    CREATE TABLE oauth_consents (
        user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        client_id   TEXT NOT NULL REFERENCES oauth_apps(client_id) ON DELETE CASCADE,
        approved_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, client_id)
    ) WITHOUT ROWID;
    "#,
];
