//! SQLite: the schema and its migrations, transactions, and every query. No XML, HTML or SMTP here.
//!
//! Callers get a [`Tx`], bound to one tenant, inside [`Store::read`] or [`Store::write`]; a `write` closure is one
//! transaction, so a use case that touches several tables is all-or-nothing. Work across tenants (the tenant table,
//! the mail worker's queue) gets a [`SysTx`] from [`Store::system_read`] / [`Store::system_write`]. SQL text never
//! leaves this module.

mod migrations;
mod oauth;
mod outbox;
mod queries;
mod quick;
mod templates;
mod tenant;

use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, TransactionBehavior};

pub use oauth::{AppRecord, CodeRecord, NewCode, NewToken, TokenRecord};
pub use outbox::{MailStatus, NewMail, OutboxMail, RecoveryCode};
pub use queries::{AuditRecord, Authz, Dialect, RoleRecord, Tx, UserRecord};
use queries::{Caches, Mode};
use quick::{QuickPool, in_quick};
pub use templates::{StoredTemplate, TemplateType};
pub use tenant::{DomainMatch, NewTenant, SysTx, TenantId, TenantPage, TenantRecord};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database lock poisoned by an earlier panic")]
    Poisoned,
    #[error("the database at schema version {found} is newer than this binary (knows {known}); upgrade forcereset")]
    TooNew { found: i64, known: i64 },
    /// A uniqueness rule was broken (e.g. the user already exists).
    #[error("already exists")]
    Conflict,
    /// A migration that rebuilds tables left rows whose foreign keys no longer hold; it was rolled back.
    #[error("migration {version} would leave {rows} rows pointing at nothing; nothing was changed")]
    BrokenMigration { version: i64, rows: i64 },
    /// A write inside [`Store::quick`]: the code that runs there must only read (a bug, never a client's doing).
    #[error("a write was attempted inside a quick (reactor-thread) read")]
    WriteInQuickRead,
}

/// The database: one SQLite file in the data directory, in WAL mode, foreign keys on, fully synced commits (an
/// acknowledged write survives a power cut).
///
/// Writes go through one writer connection; reads through a small pool of reader connections to the same file, so
/// that reads run in parallel with each other and with a write (WAL gives each read transaction its own snapshot)
/// instead of queueing behind one lock. An in-memory store has no pool: it is one connection, used for both.
pub struct Store {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    /// Readers reserved for [`Store::quick`].
    quick: QuickPool,
    next_reader: AtomicUsize,
    caches: Caches,
    /// Tells this store's quick snapshot from another store's on the same thread.
    id: u64,
    /// Write transactions begun: a diagnostic (and what tests check when a use case must not write).
    writes: AtomicU64,
}

static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(0);

/// Prepared statements kept per connection (rusqlite's default is 16).
const STATEMENT_CACHE: usize = 128;

/// Reader connections of a file store: one per core, at least 2, at most 8.
fn reader_count() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8)
}

impl Store {
    /// Open (or create) the database file and bring its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut store = Self::setup(Connection::open(path)?)?;
        let reader = || -> Result<Connection, StoreError> {
            let conn = Connection::open(path)?;
            configure(&conn)?;
            // A read closure that tried to write would fail here rather than take the write lock.
            conn.execute_batch("PRAGMA query_only=ON;")?;
            Ok(conn)
        };
        // One of each per core: as many quick readers as reactor threads (tokio's default), so that a quick read
        // rarely finds them all out.
        let mut quick = Vec::new();
        for _ in 0..reader_count() {
            store.readers.push(Mutex::new(reader()?));
            quick.push(reader()?);
        }
        store.quick = QuickPool::new(quick);
        Ok(store)
    }

    /// A private in-memory database, for unit tests and dry runs.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store, StoreError> {
        configure(&conn)?;
        migrate(&mut conn)?;
        Ok(Store {
            writer: Mutex::new(conn),
            readers: Vec::new(),
            quick: QuickPool::new(Vec::new()),
            next_reader: AtomicUsize::new(0),
            caches: Caches::default(),
            id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
            writes: AtomicU64::new(0),
        })
    }

    /// A free reader connection (the writer for an in-memory store): the first that is not busy, round-robin,
    /// else wait for one.
    fn reader(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        let pool = &self.readers;
        let n = pool.len();
        if n == 0 {
            return self.writer.lock().map_err(|_| StoreError::Poisoned);
        }
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            if let Ok(conn) = pool[(start + i) % n].try_lock() {
                return Ok(conn);
            }
        }
        pool[start % n].lock().map_err(|_| StoreError::Poisoned)
    }

    fn writer(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        if in_quick() {
            return Err(StoreError::WriteInQuickRead);
        }
        self.writer.lock().map_err(|_| StoreError::Poisoned)
    }

    /// Run `f`, a bounded read-only piece of work, on the calling thread, which may be an async reactor thread:
    /// every [`Store::read`] inside it uses one snapshot on a reader reserved for this (see `quick.rs`), and a
    /// [`Store::write`] fails with [`StoreError::WriteInQuickRead`] instead of waiting for the writer and an
    /// `fsync`.
    pub fn quick<T>(&self, f: impl FnOnce() -> T) -> T {
        quick::run(self.id, &self.quick, f)
    }

    /// Run `f` against a consistent snapshot of one tenant's data; nothing it does is committed.
    pub fn read<T>(&self, tenant: TenantId, f: impl FnOnce(&Tx<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.system_read(|sys| f(&sys.in_tenant(tenant)))
    }

    /// Run `f` in one write transaction on one tenant's data: committed if it returns Ok, rolled back otherwise.
    /// The error type is the caller's, so a domain rule can abort the transaction half way.
    pub fn write<T, E: From<StoreError>>(
        &self,
        tenant: TenantId,
        f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.system_write(|sys| f(&sys.in_tenant(tenant)))
    }

    /// [`Store::read`] across tenants.
    pub fn system_read<T>(&self, f: impl FnOnce(&SysTx<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        quick::with_snapshot(self.id, |snapshot| match snapshot {
            Some(conn) => f(&SysTx::new(conn, &self.caches, Mode::Read)),
            None => self.read_own(f),
        })
    }

    /// [`Store::system_read`] in a transaction of its own.
    fn read_own<T>(&self, f: impl FnOnce(&SysTx<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.reader()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&SysTx::new(&tx, &self.caches, Mode::Read))?;
        tx.rollback()?;
        Ok(out)
    }

    /// [`Store::write`] across tenants (adding a tenant with everything it starts with is one transaction).
    pub fn system_write<T, E: From<StoreError>>(&self, f: impl FnOnce(&SysTx<'_>) -> Result<T, E>) -> Result<T, E> {
        let mut conn = self.writer()?;
        self.writes.fetch_add(1, Ordering::Relaxed);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&SysTx::new(&tx, &self.caches, Mode::Write))?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// How many write transactions this store has begun.
    pub fn writes_begun(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        let conn = self.reader()?;
        Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// A cheap liveness probe for the health endpoint.
    pub fn health_check(&self) -> bool {
        self.reader()
            .ok()
            .and_then(|c| c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)).ok())
            == Some(1)
    }

    /// Copy the WAL into the database and truncate it, so old page images (which may hold a secret that has since
    /// been overwritten) leave the disk. Called after a secret is scrubbed from a row.
    pub fn scrub(&self) -> Result<(), StoreError> {
        let conn = self.writer()?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// `PRAGMA integrity_check`; "ok" when the file is sound.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let conn = self.reader()?;
        Ok(conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

/// Per-connection settings, the same on the writer and every reader.
fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Room for every statement of queries.rs and outbox.rs, so a cached statement is never evicted and re-parsed.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // journal_mode answers with a row, so it is read rather than executed.
    let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    // secure_delete: overwritten and deleted content (a delivered mail's code) is zeroed, not left in free pages.
    conn.execute_batch("PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;")?;
    Ok(())
}

/// Apply every migration past the database's `user_version`, each in its own transaction.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_to(conn, migrations::MIGRATIONS.len())
}

fn migrate_to(conn: &mut Connection, target: usize) -> Result<(), StoreError> {
    let known = migrations::MIGRATIONS.len() as i64;
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > known {
        return Err(StoreError::TooNew { found, known });
    }
    for (index, migration) in migrations::MIGRATIONS
        .iter()
        .enumerate()
        .take(target)
        .skip(found as usize)
    {
        // SQLite ignores `foreign_keys` inside a transaction, and a dropped parent table would otherwise take its
        // children's rows with it: a rebuild turns them off first, and on again whatever happens.
        if migration.rebuilds_tables {
            conn.execute_batch("PRAGMA foreign_keys=OFF;")?;
        }
        let applied = apply(conn, index, migration);
        if migration.rebuilds_tables {
            conn.execute_batch("PRAGMA foreign_keys=ON;")?;
        }
        applied?;
    }
    Ok(())
}

/// One migration in its own transaction; a rebuild commits only if every foreign key still holds.
fn apply(conn: &mut Connection, index: usize, migration: &migrations::Migration) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(migration.sql)?;
    if migration.rebuilds_tables {
        let broken: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
        if broken > 0 {
            return Err(StoreError::BrokenMigration {
                version: index as i64 + 1,
                rows: broken,
            });
        }
    }
    // user_version cannot be bound as a parameter; the value is our own integer.
    tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests;
