//! SQLite: the schema and its migrations, transactions, and every query. No XML, HTML or SMTP here.
//!
//! Callers get a [`Tx`] inside [`Store::read`] or [`Store::write`]; a `write` closure is one transaction, so a use
//! case that touches several tables is all-or-nothing. SQL text never leaves this module.

mod migrations;
mod outbox;
mod queries;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, TransactionBehavior};

pub use outbox::{MailStatus, NewMail, OutboxMail, RecoveryCode};
pub use queries::{AuditRecord, Tx, UserRecord};

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
    next_reader: AtomicUsize,
}

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
        for _ in 0..reader_count() {
            let conn = Connection::open(path)?;
            configure(&conn)?;
            // A read closure that tried to write would fail here rather than take the write lock.
            conn.execute_batch("PRAGMA query_only=ON;")?;
            store.readers.push(Mutex::new(conn));
        }
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
            next_reader: AtomicUsize::new(0),
        })
    }

    /// A free reader connection (the writer for an in-memory store): the first that is not busy, round-robin,
    /// else wait for one.
    fn reader(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        let n = self.readers.len();
        if n == 0 {
            return self.writer.lock().map_err(|_| StoreError::Poisoned);
        }
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            if let Ok(conn) = self.readers[(start + i) % n].try_lock() {
                return Ok(conn);
            }
        }
        self.readers[start % n].lock().map_err(|_| StoreError::Poisoned)
    }

    /// Run `f` against a consistent snapshot; nothing it does is committed.
    pub fn read<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.reader()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&Tx::new(&tx))?;
        tx.rollback()?;
        Ok(out)
    }

    /// Run `f` in one write transaction: committed if it returns Ok, rolled back otherwise. The error type is the
    /// caller's, so a domain rule can abort the transaction half way.
    pub fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        let mut conn = self.writer.lock().map_err(|_| StoreError::Poisoned)?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&Tx::new(&tx))?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
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
        let conn = self.writer.lock().map_err(|_| StoreError::Poisoned)?;
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
    for (index, sql) in migrations::MIGRATIONS
        .iter()
        .enumerate()
        .take(target)
        .skip(found as usize)
    {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        // user_version cannot be bound as a parameter; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_database_is_migrated_to_the_latest_version() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.schema_version().unwrap(), migrations::MIGRATIONS.len() as i64);
        assert_eq!(store.integrity_check().unwrap(), "ok");
        assert!(store.health_check());
    }

    #[test]
    fn an_existing_database_keeps_its_data_and_is_upgraded_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        {
            // A database left at version 0 by an older binary, with nothing in it.
            let mut conn = Connection::open(&path).unwrap();
            migrate_to(&mut conn, 0).unwrap();
        }
        {
            let store = Store::open(&path).unwrap();
            store
                .write::<_, StoreError>(|tx| tx.insert_user("tom", "$argon2id$x", 1).map(|_| ()))
                .unwrap();
        }
        let again = Store::open(&path).unwrap();
        assert_eq!(again.schema_version().unwrap(), migrations::MIGRATIONS.len() as i64);
        assert!(again.read(|tx| tx.user("tom")).unwrap().is_some());
    }

    #[test]
    fn a_database_from_a_newer_binary_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA user_version = 999")
            .unwrap();
        assert!(matches!(Store::open(&path), Err(StoreError::TooNew { found: 999, .. })));
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let store = Store::open_in_memory().unwrap();
        let result: Result<(), StoreError> = store.write(|tx| {
            tx.insert_user("tom", "h", 1)?;
            tx.insert_user("tom", "h", 1)?;
            Ok(())
        });
        assert!(matches!(result, Err(StoreError::Conflict)));
        assert!(store.read(|tx| tx.user("tom")).unwrap().is_none());
    }

    #[test]
    fn wal_and_foreign_keys_are_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        for conn in std::iter::once(&store.writer).chain(&store.readers) {
            let conn = conn.lock().unwrap();
            let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
            let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
            let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
            assert_eq!((mode.as_str(), fk, sync), ("wal", 1, 2), "FULL is 2");
        }
    }

    #[test]
    fn a_file_store_reads_on_its_own_connections_and_sees_every_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        assert!(store.readers.len() >= 2);
        for i in 0..10 {
            let name = format!("u{i}");
            store
                .write::<_, StoreError>(|tx| tx.insert_user(&name, "h", 1).map(|_| ()))
                .unwrap();
            // Read-your-writes on whichever reader the read gets.
            assert!(store.read(|tx| tx.user(&name)).unwrap().is_some());
        }
        assert_eq!(store.read(|tx| tx.count_users()).unwrap(), 10);
        assert!(Store::open_in_memory().unwrap().readers.is_empty());
    }

    #[test]
    fn reads_see_a_snapshot_and_do_not_wait_for_an_open_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        store
            .write::<_, StoreError>(|tx| tx.insert_user("tom", "h", 1).map(|_| ()))
            .unwrap();
        store
            .write::<_, StoreError>(|tx| {
                tx.insert_user("bob", "h", 1)?;
                // Inside the open write transaction: a read (another connection) sees the last commit only.
                assert!(store.read(|r| r.user("tom")).unwrap().is_some());
                assert!(store.read(|r| r.user("bob")).unwrap().is_none());
                Ok(())
            })
            .unwrap();
        assert!(store.read(|tx| tx.user("bob")).unwrap().is_some());
    }

    #[test]
    fn a_read_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        assert!(store.read(|tx| tx.insert_user("tom", "h", 1)).is_err());
        assert!(store.read(|tx| tx.user("tom")).unwrap().is_none());
    }

    #[test]
    fn parallel_reads_and_writes_agree() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(Store::open(&dir.path().join("db.sqlite3")).unwrap());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let store = store.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        let name = format!("t{t}u{i}");
                        store
                            .write::<_, StoreError>(|tx| tx.insert_user(&name, "h", 1).map(|_| ()))
                            .unwrap();
                        assert!(store.read(|tx| tx.user_exists(&name)).unwrap());
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(store.read(|tx| tx.count_users()).unwrap(), 100);
        assert_eq!(store.integrity_check().unwrap(), "ok");
    }
}
