//! Every SQL statement, as methods of [`Tx`]: one open transaction.

use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OptionalExtension, params};

use std::collections::HashMap;

use super::StoreError;
use super::tenant::TenantId;
use crate::domain::claims::ClaimMeta;

/// A user row. The hash is a PHC string; it never leaves the process.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    /// The stable id SCIM addresses the user by (a UUID, migration 7).
    pub uuid: String,
    pub name: String,
    pub password_hash: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("uuid", &self.uuid)
            .field("name", &self.name)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

/// A role row, as SCIM 2.0 addresses it as a Group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRecord {
    /// The stable id (a UUID, migration 7), kept across renames.
    pub uuid: String,
    pub name: String,
    pub created_at: i64,
    /// When it was last renamed or its members changed through SCIM (migration 10).
    pub updated_at: i64,
}

/// One user's membership of one role, with both ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub role_uuid: String,
    pub role: String,
    pub user_uuid: String,
    pub user: String,
}

fn role_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<RoleRecord> {
    Ok(RoleRecord {
        uuid: r.get(0)?,
        name: r.get(1)?,
        created_at: r.get(2)?,
        updated_at: r.get(3)?,
    })
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// The claim dialect in display order, shared: a clone is a reference count, not a copy.
pub type Dialect = Arc<[Arc<ClaimMeta>]>;

/// The dialect as last read by a read transaction, with its `claim_dialect_version`; shared by every connection
/// of a store. Every profile read needs the dialect; reading the table each time was a third of a
/// getUserProfile call. The version, bumped by triggers (migration 4) in the same transaction as any change, tells
/// with one point read whether this copy is the snapshot's, whoever changed the dialect (this process or another).
/// One copy per tenant, each with its tenant's version: a change in one tenant leaves the others' copies alone.
#[derive(Default)]
pub(super) struct DialectCache(Mutex<HashMap<TenantId, (i64, Dialect)>>);

impl DialectCache {
    fn get(&self, tenant: TenantId, version: i64) -> Option<Dialect> {
        let slots = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        slots
            .get(&tenant)
            .filter(|(v, _)| *v == version)
            .map(|(_, d)| d.clone())
    }

    /// Keep the newest version seen (an older snapshot must not evict a newer copy).
    fn put(&self, tenant: TenantId, version: i64, dialect: &Dialect) {
        let mut slots = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = slots.entry(tenant).or_insert_with(|| (i64::MIN, dialect.clone()));
        if slot.0 < version {
            *slot = (version, dialect.clone());
        }
    }
}

/// Users' permissions as last read by read transactions, with the `authz_version` they were read at; shared by
/// every connection of a store. Every admin-service call resolves its caller's permissions (a three-table join,
/// as much as the profile read itself); the version, bumped by triggers (migration 5) with any change to users,
/// roles, memberships or grants, tells with one point read whether a cached entry is the snapshot's.
/// Entries per tenant, each tenant with its own version (a role change in one tenant flushes only its entries).
#[derive(Default)]
pub(super) struct AuthzCache(Mutex<HashMap<TenantId, AuthzEntries>>);

#[derive(Default)]
struct AuthzEntries {
    version: i64,
    /// By user name folded as SQLite's NOCASE folds it (ASCII only).
    users: std::collections::HashMap<String, Authz>,
}

/// Who a user is to authorization: their canonical name, every permission path of their roles (sorted, once
/// each), and when their sessions were last ended (ms; 0 = never).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authz {
    pub name: String,
    pub permissions: Vec<String>,
    pub sessions_ended_at: i64,
    /// Whether the user's tenant is active (a deactivated tenant's users hold nothing).
    pub tenant_active: bool,
}

/// Users kept at most per tenant; past this the tenant's entries start over (one entry per user who called since the last change).
const MAX_AUTHZ_ENTRIES: usize = 4096;

impl AuthzCache {
    fn get(&self, tenant: TenantId, version: i64, user: &str) -> Option<Authz> {
        let tenants = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let entries = tenants.get(&tenant)?;
        if entries.version != version {
            return None;
        }
        entries.users.get(&user.to_ascii_lowercase()).cloned()
    }

    /// Keep what a snapshot at `version` read; an older snapshot's reads are dropped, a newer one starts over.
    fn put(&self, tenant: TenantId, version: i64, user: &str, found: &Authz) {
        let mut tenants = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let entries = tenants.entry(tenant).or_default();
        if version < entries.version {
            return;
        }
        if version > entries.version || entries.users.len() >= MAX_AUTHZ_ENTRIES {
            entries.users.clear();
            entries.version = version;
        }
        entries.users.insert(user.to_ascii_lowercase(), found.clone());
    }
}

/// Which kind of transaction a [`Tx`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Read,
    Write,
}

/// An open transaction bound to one tenant: every statement binds [`Tx::tenant`], so nothing it reads or writes
/// belongs to another tenant (see `tenant.rs`). Names are matched case-insensitively, like WSO2's JDBC store.
pub struct Tx<'a> {
    conn: &'a Connection,
    caches: &'a Caches,
    mode: Mode,
    tenant: TenantId,
}

/// What a store caches across transactions, each entry checked against a version the snapshot reads.
#[derive(Default)]
pub(super) struct Caches {
    pub(super) dialect: DialectCache,
    pub(super) authz: AuthzCache,
}

/// Turn UNIQUE/PRIMARY KEY violations into `Conflict` so callers can say "already exists".
pub(super) fn conflict(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(err, _) if err.code == rusqlite::ErrorCode::ConstraintViolation => {
            StoreError::Conflict
        }
        other => StoreError::Sqlite(other),
    }
}

fn claim_meta_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ClaimMeta> {
    Ok(ClaimMeta {
        uri: r.get(0)?,
        display_name: r.get(1)?,
        description: r.get(2)?,
        supported_by_default: r.get(3)?,
        required: r.get(4)?,
        read_only: r.get(5)?,
        display_order: r.get(6)?,
        regex: r.get(7)?,
    })
}

/// A user and their claim values in one profile.
pub type UserWithClaims = (UserRecord, Vec<(String, String)>);

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: r.get(0)?,
        uuid: r.get(1)?,
        name: r.get(2)?,
        password_hash: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

/// A stable id for a new user or role. Ids name resources, they guard nothing: any good randomness will do, and
/// the thread's CSPRNG is what every other random value here comes from.
fn new_uuid() -> String {
    crate::util::uuid_v4(&mut rand::rng())
}

/// A WSO2 `listUsers` filter (`*` wildcard) as a LIKE pattern with `\` escapes.
fn like_pattern(filter: &str) -> String {
    let mut out = String::with_capacity(filter.len());
    for c in filter.chars() {
        match c {
            '*' => out.push('%'),
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

impl<'a> Tx<'a> {
    pub(super) fn new(conn: &'a Connection, caches: &'a Caches, mode: Mode, tenant: TenantId) -> Tx<'a> {
        Tx {
            conn,
            caches,
            mode,
            tenant,
        }
    }

    /// The tenant this transaction is bound to.
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// Its domain (`carbon.super`, `wso2.com`), for the links a mail carries.
    pub fn tenant_domain(&self) -> Result<String, StoreError> {
        Ok(self.row("SELECT domain FROM tenants WHERE id = ?1", [self.tenant], |r| r.get(0))?)
    }

    /// For the other query files of this module.
    pub(super) fn conn(&self) -> &'a Connection {
        self.conn
    }

    /// One row, through the connection's statement cache. `Connection::query_row` would parse the SQL again on
    /// every call; for a point read that parse costs as much as the read itself.
    pub(super) fn row<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.conn.prepare_cached(sql)?.query_row(params, f)
    }

    /// One statement executed through the statement cache; the number of rows changed.
    pub(super) fn exec<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.conn.prepare_cached(sql)?.execute(params)
    }

    // ---- savepoints ----

    /// Open a savepoint inside this transaction (one bulk operation); pair with release or rollback.
    pub fn savepoint_begin(&self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("SAVEPOINT step")?)
    }

    /// Keep what happened since the savepoint.
    pub fn savepoint_release(&self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("RELEASE step")?)
    }

    /// Undo what happened since the savepoint, and close it.
    pub fn savepoint_rollback(&self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("ROLLBACK TO step; RELEASE step")?)
    }

    // ---- users ----

    /// Add a user with a new random id ([`UserRecord::uuid`]); the row id.
    pub fn insert_user(&self, name: &str, password_hash: &str, now: i64) -> Result<i64, StoreError> {
        self.exec(
            "INSERT INTO users (tenant_id, name, password_hash, created_at, updated_at, uuid)
             VALUES (?5, ?1, ?2, ?3, ?3, ?4)",
            params![name, password_hash, now, new_uuid(), self.tenant],
        )
        .map_err(conflict)?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn user(&self, name: &str) -> Result<Option<UserRecord>, StoreError> {
        Ok(self
            .row(
                "SELECT id, uuid, name, password_hash, created_at, updated_at FROM users WHERE tenant_id = ?2 AND name = ?1",
                params![name, self.tenant],
                user_row,
            )
            .optional()?)
    }

    /// The user with this stable id (a UUID, compared exactly).
    pub fn user_by_uuid(&self, uuid: &str) -> Result<Option<UserRecord>, StoreError> {
        Ok(self
            .row(
                "SELECT id, uuid, name, password_hash, created_at, updated_at FROM users WHERE uuid = ?1 AND tenant_id = ?2",
                params![uuid, self.tenant],
                user_row,
            )
            .optional()?)
    }

    /// Every user with their claim values in one profile, sorted by name (case-insensitively, as `listUsers`):
    /// one statement for a SCIM filter that no index answers.
    pub fn users_with_claims(&self, profile: &str) -> Result<Vec<UserWithClaims>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT u.id, u.uuid, u.name, u.password_hash, u.created_at, u.updated_at, c.uri, c.value
               FROM users u LEFT JOIN claim_values c
                 ON c.tenant_id = u.tenant_id AND c.user_id = u.id AND c.profile = ?1
              WHERE u.tenant_id = ?2 ORDER BY u.name COLLATE NOCASE, u.id",
        )?;
        let mut rows = stmt.query(params![profile, self.tenant])?;
        let mut out: Vec<UserWithClaims> = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            if out.last().is_none_or(|(u, _)| u.id != id) {
                out.push((user_row(row)?, Vec::new()));
            }
            if let (Some(uri), Some(value), Some((_, claims))) = (
                row.get::<_, Option<String>>(6)?,
                row.get::<_, Option<String>>(7)?,
                out.last_mut(),
            ) {
                claims.push((uri, value));
            }
        }
        Ok(out)
    }

    /// Record that a user's data changed (SCIM's `meta.lastModified`).
    pub fn touch_user(&self, name: &str, now: i64) -> Result<(), StoreError> {
        self.exec(
            "UPDATE users SET updated_at = max(updated_at, ?2) WHERE tenant_id = ?3 AND name = ?1",
            params![name, now, self.tenant],
        )?;
        Ok(())
    }

    pub fn user_exists(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self
            .row(
                "SELECT 1 FROM users WHERE tenant_id = ?2 AND name = ?1",
                params![name, self.tenant],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// User names matching a WSO2 filter (`*` = any run of characters), sorted; `limit` < 0 = no limit.
    pub fn list_users(&self, filter: &str, limit: i64) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name FROM users WHERE tenant_id = ?3 AND name LIKE ?1 ESCAPE '\\'
              ORDER BY name COLLATE NOCASE LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![like_pattern(filter), limit, self.tenant], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn count_users(&self) -> Result<i64, StoreError> {
        Ok(
            self.row("SELECT count(*) FROM users WHERE tenant_id = ?1", [self.tenant], |r| {
                r.get(0)
            })?,
        )
    }

    /// Replace a user's password hash; false if there is no such user.
    pub fn set_password_hash(&self, name: &str, password_hash: &str, now: i64) -> Result<bool, StoreError> {
        Ok(self.exec(
            "UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE tenant_id = ?4 AND name = ?1",
            params![name, password_hash, now, self.tenant],
        )? == 1)
    }

    /// Delete a user with their roles links and claims; false if there was no such user.
    pub fn delete_user(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.exec(
            "DELETE FROM users WHERE tenant_id = ?2 AND name = ?1",
            params![name, self.tenant],
        )? == 1)
    }

    // ---- roles and permissions ----

    /// Add a role with a new random id (a UUID); the row id.
    pub fn insert_role(&self, name: &str, now: i64) -> Result<i64, StoreError> {
        self.exec(
            "INSERT INTO roles (tenant_id, name, created_at, updated_at, uuid) VALUES (?4, ?1, ?2, ?2, ?3)",
            params![name, now, new_uuid(), self.tenant],
        )
        .map_err(conflict)?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn role_exists(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self
            .row(
                "SELECT 1 FROM roles WHERE tenant_id = ?2 AND name = ?1",
                params![name, self.tenant],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    pub fn role_names(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM roles WHERE tenant_id = ?1 ORDER BY name COLLATE NOCASE")?;
        let rows = stmt.query_map([self.tenant], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn delete_role(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.exec(
            "DELETE FROM roles WHERE tenant_id = ?2 AND name = ?1",
            params![name, self.tenant],
        )? == 1)
    }

    pub fn rename_role(&self, name: &str, new_name: &str) -> Result<bool, StoreError> {
        Ok(self
            .exec(
                "UPDATE roles SET name = ?2 WHERE tenant_id = ?3 AND name = ?1",
                params![name, new_name, self.tenant],
            )
            .map_err(conflict)?
            == 1)
    }

    /// Grant a permission path to a role (idempotent); false if there is no such role.
    pub fn grant_permission(&self, role: &str, path: &str) -> Result<bool, StoreError> {
        let Some(role_id) = self.role_id(role)? else {
            return Ok(false);
        };
        self.exec(
            "INSERT OR IGNORE INTO role_permissions (tenant_id, role_id, path) VALUES (?3, ?1, ?2)",
            params![role_id, path, self.tenant],
        )?;
        Ok(true)
    }

    pub fn role_permissions(&self, role: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.path FROM role_permissions p JOIN roles r ON r.tenant_id = p.tenant_id AND r.id = p.role_id
              WHERE r.tenant_id = ?2 AND r.name = ?1 ORDER BY p.path",
        )?;
        let rows = stmt.query_map(params![role, self.tenant], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A user's [`Authz`], in one statement (each admin-service call asks this); None if there is no such user.
    /// Sorted here: an `ORDER BY` across roles would make SQLite build a temporary B-tree on every call.
    pub fn user_and_permissions(&self, user: &str) -> Result<Option<Authz>, StoreError> {
        let version: i64 = self.row(
            "SELECT version FROM authz_version WHERE tenant_id = ?1",
            [self.tenant],
            |r| r.get(0),
        )?;
        if let Some(found) = self.caches.authz.get(self.tenant, version, user) {
            return Ok(Some(found));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT u.name, u.sessions_ended_at, p.path, t.active FROM users u
               JOIN tenants t ON t.id = u.tenant_id
               LEFT JOIN user_roles ur ON ur.tenant_id = u.tenant_id AND ur.user_id = u.id
               LEFT JOIN role_permissions p ON p.tenant_id = ur.tenant_id AND p.role_id = ur.role_id
              WHERE u.tenant_id = ?2 AND u.name = ?1",
        )?;
        let mut rows = stmt.query(params![user, self.tenant])?;
        let Some(first) = rows.next()? else {
            return Ok(None);
        };
        let name: String = first.get(0)?;
        let sessions_ended_at: i64 = first.get(1)?;
        let tenant_active: bool = first.get(3)?;
        let mut paths: Vec<String> = first.get::<_, Option<String>>(2)?.into_iter().collect();
        while let Some(row) = rows.next()? {
            paths.extend(row.get::<_, Option<String>>(2)?);
        }
        paths.sort_unstable();
        paths.dedup();
        let found = Authz {
            name,
            permissions: paths,
            sessions_ended_at,
            tenant_active,
        };
        // A write transaction may still roll back what it read; only a read snapshot is known to be committed.
        if self.mode == Mode::Read {
            self.caches.authz.put(self.tenant, version, user, &found);
        }
        Ok(Some(found))
    }

    /// End every session `name` holds, in whichever process holds them: sessions opened at or before `now` no
    /// longer resolve to an actor.
    pub fn end_sessions(&self, name: &str, now: i64) -> Result<(), StoreError> {
        self.exec(
            "UPDATE users SET sessions_ended_at = max(sessions_ended_at, ?2) WHERE tenant_id = ?3 AND name = ?1",
            params![name, now, self.tenant],
        )?;
        Ok(())
    }

    /// Link a user to a role (idempotent); false if either does not exist.
    pub fn add_user_to_role(&self, user: &str, role: &str) -> Result<bool, StoreError> {
        Ok(self.exec(
            "INSERT OR IGNORE INTO user_roles (tenant_id, user_id, role_id)
             SELECT u.tenant_id, u.id, r.id FROM users u, roles r
              WHERE u.tenant_id = ?3 AND u.name = ?1 AND r.tenant_id = ?3 AND r.name = ?2",
            params![user, role, self.tenant],
        )? == 1
            || self.user_in_role(user, role)?)
    }

    pub fn remove_user_from_role(&self, user: &str, role: &str) -> Result<bool, StoreError> {
        Ok(self.exec(
            "DELETE FROM user_roles WHERE tenant_id = ?3
                AND user_id = (SELECT id FROM users WHERE tenant_id = ?3 AND name = ?1)
                AND role_id = (SELECT id FROM roles WHERE tenant_id = ?3 AND name = ?2)",
            params![user, role, self.tenant],
        )? == 1)
    }

    pub fn user_in_role(&self, user: &str, role: &str) -> Result<bool, StoreError> {
        Ok(self
            .row(
                "SELECT 1 FROM user_roles ur
                   JOIN users u ON u.tenant_id = ur.tenant_id AND u.id = ur.user_id
                   JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
                  WHERE ur.tenant_id = ?3 AND u.name = ?1 AND r.name = ?2",
                params![user, role, self.tenant],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    pub fn roles_of_user(&self, user: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.name FROM roles r
               JOIN user_roles ur ON ur.tenant_id = r.tenant_id AND ur.role_id = r.id
               JOIN users u ON u.tenant_id = ur.tenant_id AND u.id = ur.user_id
              WHERE u.tenant_id = ?2 AND u.name = ?1 ORDER BY r.name COLLATE NOCASE",
        )?;
        let rows = stmt.query_map(params![user, self.tenant], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn users_of_role(&self, role: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT u.name FROM users u
               JOIN user_roles ur ON ur.tenant_id = u.tenant_id AND ur.user_id = u.id
               JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
              WHERE r.tenant_id = ?2 AND r.name = ?1 ORDER BY u.name COLLATE NOCASE",
        )?;
        let rows = stmt.query_map(params![role, self.tenant], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A role by its stable id.
    pub fn role_by_uuid(&self, uuid: &str) -> Result<Option<RoleRecord>, StoreError> {
        Ok(self
            .row(
                "SELECT uuid, name, created_at, updated_at FROM roles WHERE uuid = ?1 AND tenant_id = ?2",
                params![uuid, self.tenant],
                role_record,
            )
            .optional()?)
    }

    /// A role by name (case-insensitive).
    pub fn role_record(&self, name: &str) -> Result<Option<RoleRecord>, StoreError> {
        Ok(self
            .row(
                "SELECT uuid, name, created_at, updated_at FROM roles WHERE tenant_id = ?2 AND name = ?1",
                params![name, self.tenant],
                role_record,
            )
            .optional()?)
    }

    /// Every role, by name.
    pub fn role_records(&self) -> Result<Vec<RoleRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT uuid, name, created_at, updated_at FROM roles WHERE tenant_id = ?1 ORDER BY name COLLATE NOCASE",
        )?;
        let rows = stmt.query_map([self.tenant], role_record)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A role's members as (user id, user name), by name.
    pub fn members_of_role(&self, role: &str) -> Result<Vec<(String, String)>, StoreError> {
        self.pairs(
            "SELECT u.uuid, u.name FROM users u
               JOIN user_roles ur ON ur.tenant_id = u.tenant_id AND ur.user_id = u.id
               JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
              WHERE r.tenant_id = ?2 AND r.name = ?1 ORDER BY u.name COLLATE NOCASE",
            role,
        )
    }

    /// The rows of a two-column text query with one parameter, and the tenant as `?2`.
    fn pairs(&self, sql: &str, param: &str) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![param, self.tenant], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every membership in one statement (listing every group with its members, filtering every user by its
    /// groups), by user name then role name.
    pub fn all_memberships(&self) -> Result<Vec<Membership>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.uuid, r.name, u.uuid, u.name FROM user_roles ur
               JOIN users u ON u.tenant_id = ur.tenant_id AND u.id = ur.user_id
               JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
              WHERE ur.tenant_id = ?1 ORDER BY u.name COLLATE NOCASE, r.name COLLATE NOCASE",
        )?;
        let rows = stmt.query_map([self.tenant], |r| {
            Ok(Membership {
                role_uuid: r.get(0)?,
                role: r.get(1)?,
                user_uuid: r.get(2)?,
                user: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A user's roles as (role id, role name), by name.
    pub fn role_refs_of_user(&self, user: &str) -> Result<Vec<(String, String)>, StoreError> {
        self.pairs(
            "SELECT r.uuid, r.name FROM roles r
               JOIN user_roles ur ON ur.tenant_id = r.tenant_id AND ur.role_id = r.id
               JOIN users u ON u.tenant_id = ur.tenant_id AND u.id = ur.user_id
              WHERE u.tenant_id = ?2 AND u.name = ?1 ORDER BY r.name COLLATE NOCASE",
            user,
        )
    }

    /// Mark a role changed now.
    pub fn touch_role(&self, name: &str, now: i64) -> Result<(), StoreError> {
        self.exec(
            "UPDATE roles SET updated_at = ?2 WHERE tenant_id = ?3 AND name = ?1",
            params![name, now, self.tenant],
        )?;
        Ok(())
    }

    fn role_id(&self, role: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .row(
                "SELECT id FROM roles WHERE tenant_id = ?2 AND name = ?1",
                params![role, self.tenant],
                |r| r.get(0),
            )
            .optional()?)
    }

    // ---- the claim dialect ----

    /// Insert a claim's metadata unless the claim is already known (so admin edits survive restarts).
    pub fn insert_claim_meta_if_absent(&self, m: &ClaimMeta) -> Result<bool, StoreError> {
        Ok(self.exec(
            "INSERT OR IGNORE INTO claim_dialect
               (uri, display_name, description, supported_by_default, required, read_only, display_order, regex,
                tenant_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                m.uri,
                m.display_name,
                m.description,
                m.supported_by_default,
                m.required,
                m.read_only,
                m.display_order,
                m.regex,
                self.tenant
            ],
        )? == 1)
    }

    /// Replace a known claim's metadata; false if the claim is unknown.
    pub fn update_claim_meta(&self, m: &ClaimMeta) -> Result<bool, StoreError> {
        Ok(self.exec(
            "UPDATE claim_dialect SET display_name = ?2, description = ?3, supported_by_default = ?4, required = ?5,
                    read_only = ?6, display_order = ?7, regex = ?8 WHERE tenant_id = ?9 AND uri = ?1",
            params![
                m.uri,
                m.display_name,
                m.description,
                m.supported_by_default,
                m.required,
                m.read_only,
                m.display_order,
                m.regex,
                self.tenant
            ],
        )? == 1)
    }

    /// Every claim of the dialect, in display order: the shared copy when it is this snapshot's version.
    pub fn claim_metas(&self) -> Result<Dialect, StoreError> {
        let version: i64 = self.row(
            "SELECT version FROM claim_dialect_version WHERE tenant_id = ?1",
            [self.tenant],
            |r| r.get(0),
        )?;
        if let Some(dialect) = self.caches.dialect.get(self.tenant, version) {
            return Ok(dialect);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT uri, display_name, description, supported_by_default, required, read_only, display_order, regex
               FROM claim_dialect WHERE tenant_id = ?1 ORDER BY display_order, uri",
        )?;
        let rows = stmt.query_map([self.tenant], |r| claim_meta_row(r).map(Arc::new))?;
        let dialect: Dialect = rows.collect::<Result<Vec<_>, _>>()?.into();
        // A write transaction may still roll back what it read; only a read snapshot is known to be committed.
        if self.mode == Mode::Read {
            self.caches.dialect.put(self.tenant, version, &dialect);
        }
        Ok(dialect)
    }

    pub fn claim_meta(&self, uri: &str) -> Result<Option<ClaimMeta>, StoreError> {
        Ok(self
            .row(
                "SELECT uri, display_name, description, supported_by_default, required, read_only, display_order, regex
                   FROM claim_dialect WHERE tenant_id = ?2 AND uri = ?1",
                params![uri, self.tenant],
                claim_meta_row,
            )
            .optional()?)
    }

    // ---- claim values ----

    /// All of a user's claim values in one profile, sorted by claim URI.
    pub fn claim_values(&self, user: &str, profile: &str) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.uri, c.value FROM claim_values c JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.user_id
              WHERE u.tenant_id = ?3 AND u.name = ?1 AND c.profile = ?2 ORDER BY c.uri",
        )?;
        let rows = stmt.query_map(params![user, profile, self.tenant], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// [`Tx::claim_values`] and whether the user exists, in one statement (every profile read asks both): None if
    /// there is no such user.
    pub fn user_claim_values(&self, user: &str, profile: &str) -> Result<Option<Vec<(String, String)>>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.uri, c.value FROM users u
               LEFT JOIN claim_values c ON c.tenant_id = u.tenant_id AND c.user_id = u.id AND c.profile = ?2
              WHERE u.tenant_id = ?3 AND u.name = ?1 ORDER BY c.uri",
        )?;
        let mut rows = stmt.query(params![user, profile, self.tenant])?;
        let mut values = None;
        while let Some(row) = rows.next()? {
            let values = values.get_or_insert_with(Vec::new);
            if let (Some(uri), Some(value)) = (row.get::<_, Option<String>>(0)?, row.get::<_, Option<String>>(1)?) {
                values.push((uri, value));
            }
        }
        Ok(values)
    }

    pub fn claim_value(&self, user: &str, profile: &str, uri: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .row(
                "SELECT c.value FROM claim_values c JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.user_id
                  WHERE u.tenant_id = ?4 AND u.name = ?1 AND c.profile = ?2 AND c.uri = ?3",
                params![user, profile, uri, self.tenant],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Set one claim value; false if there is no such user.
    pub fn set_claim_value(&self, user: &str, profile: &str, uri: &str, value: &str) -> Result<bool, StoreError> {
        Ok(self.exec(
            "INSERT INTO claim_values (tenant_id, user_id, profile, uri, value)
             SELECT tenant_id, id, ?2, ?3, ?4 FROM users WHERE tenant_id = ?5 AND name = ?1
             ON CONFLICT (tenant_id, user_id, profile, uri) DO UPDATE SET value = excluded.value",
            params![user, profile, uri, value, self.tenant],
        )? == 1)
    }

    /// Delete one claim value; false if it was not set.
    pub fn delete_claim_value(&self, user: &str, profile: &str, uri: &str) -> Result<bool, StoreError> {
        Ok(self.exec(
            "DELETE FROM claim_values WHERE tenant_id = ?4
                AND user_id = (SELECT id FROM users WHERE tenant_id = ?4 AND name = ?1)
                AND profile = ?2 AND uri = ?3",
            params![user, profile, uri, self.tenant],
        )? == 1)
    }

    /// The profiles in which the user has at least one claim value.
    pub fn profile_names(&self, user: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT c.profile FROM claim_values c JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.user_id
              WHERE u.tenant_id = ?2 AND u.name = ?1 ORDER BY c.profile",
        )?;
        let rows = stmt.query_map(params![user, self.tenant], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Delete every claim value of one profile; the number of values removed.
    pub fn delete_profile(&self, user: &str, profile: &str) -> Result<usize, StoreError> {
        Ok(self.exec(
            "DELETE FROM claim_values WHERE tenant_id = ?3
                AND user_id = (SELECT id FROM users WHERE tenant_id = ?3 AND name = ?1) AND profile = ?2",
            params![user, profile, self.tenant],
        )?)
    }

    // ---- federated associations ----

    /// Link (idp, associated id) to a user; false if there is no such user, Conflict if the pair is taken.
    pub fn add_association(&self, user: &str, idp: &str, associated_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .exec(
                "INSERT INTO associations (tenant_id, user_id, idp_id, associated_id)
                 SELECT tenant_id, id, ?2, ?3 FROM users WHERE tenant_id = ?4 AND name = ?1",
                params![user, idp, associated_id, self.tenant],
            )
            .map_err(conflict)?
            == 1)
    }

    /// Remove a user's association; false if the user had no such association.
    pub fn remove_association(&self, user: &str, idp: &str, associated_id: &str) -> Result<bool, StoreError> {
        Ok(self.exec(
            "DELETE FROM associations WHERE tenant_id = ?4
                AND user_id = (SELECT id FROM users WHERE tenant_id = ?4 AND name = ?1)
                AND idp_id = ?2 AND associated_id = ?3",
            params![user, idp, associated_id, self.tenant],
        )? == 1)
    }

    /// A user's associations as (idp, associated id), sorted.
    pub fn associations_of(&self, user: &str) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.idp_id, a.associated_id FROM associations a
               JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.user_id
              WHERE u.tenant_id = ?2 AND u.name = ?1 ORDER BY a.idp_id, a.associated_id",
        )?;
        let rows = stmt.query_map(params![user, self.tenant], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The user an (idp, associated id) pair belongs to.
    pub fn user_for_association(&self, idp: &str, associated_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .row(
                "SELECT u.name FROM associations a JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.user_id
                  WHERE a.tenant_id = ?3 AND a.idp_id = ?1 AND a.associated_id = ?2",
                params![idp, associated_id, self.tenant],
                |r| r.get(0),
            )
            .optional()?)
    }

    // ---- governance properties ----

    pub fn governance_properties(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name, value FROM governance_properties WHERE tenant_id = ?1 ORDER BY name")?;
        let rows = stmt.query_map([self.tenant], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn set_governance_property(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO governance_properties (tenant_id, name, value) VALUES (?3, ?1, ?2)
             ON CONFLICT (tenant_id, name) DO UPDATE SET value = excluded.value",
            params![name, value, self.tenant],
        )?;
        Ok(())
    }

    // ---- audit ----

    pub fn insert_audit(&self, a: &AuditRecord) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO audit_log (tenant_id, at, actor, action, target, detail) VALUES (?6, ?1, ?2, ?3, ?4, ?5)",
            params![a.at, a.actor, a.action, a.target, a.detail, self.tenant],
        )?;
        Ok(())
    }

    /// The newest audit records first.
    pub fn audit_page(&self, offset: i64, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, actor, action, target, detail FROM audit_log WHERE tenant_id = ?3
              ORDER BY id DESC LIMIT ?2 OFFSET ?1",
        )?;
        let rows = stmt.query_map(params![offset, limit, self.tenant], |r| {
            Ok(AuditRecord {
                at: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                target: r.get(3)?,
                detail: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests;
