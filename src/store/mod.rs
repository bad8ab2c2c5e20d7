//! SQLite: the schema and its migrations, transactions, and every query. No XML, HTML or SMTP here.
//!
//! Callers get a [`Tx`] inside [`Store::read`] or [`Store::write`]; a `write` closure is one transaction, so a use
//! case that touches several tables is all-or-nothing. SQL text never leaves this module.

mod migrations;
mod outbox;
mod queries;
mod quick;

use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, TransactionBehavior};

pub use outbox::{MailStatus, NewMail, OutboxMail, RecoveryCode};
pub use queries::{AuditRecord, Dialect, Tx, UserRecord};
use queries::{DialectCache, Mode};
use quick::{QuickPool, in_quick};

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
    dialect: DialectCache,
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
            dialect: DialectCache::default(),
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

    /// Run `f` against a consistent snapshot; nothing it does is committed.
    pub fn read<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        quick::with_snapshot(self.id, |snapshot| match snapshot {
            Some(conn) => f(&Tx::new(conn, &self.dialect, Mode::Read)),
            None => self.read_own(f),
        })
    }

    /// [`Store::read`] in a transaction of its own.
    fn read_own<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.reader()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&Tx::new(&tx, &self.dialect, Mode::Read))?;
        tx.rollback()?;
        Ok(out)
    }

    /// Run `f` in one write transaction: committed if it returns Ok, rolled back otherwise. The error type is the
    /// caller's, so a domain rule can abort the transaction half way.
    pub fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        let mut conn = self.writer()?;
        self.writes.fetch_add(1, Ordering::Relaxed);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&Tx::new(&tx, &self.dialect, Mode::Write))?;
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

    fn insert(store: &Store, name: &str) {
        store
            .write::<_, StoreError>(|tx| tx.insert_user(name, "h", 1).map(|_| ()))
            .unwrap();
    }

    #[test]
    fn a_quick_read_reads_one_snapshot_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(Store::open(&dir.path().join("db.sqlite3")).unwrap());
        insert(&store, "tom");
        store.quick(|| {
            assert!(store.read(|tx| tx.user_exists("tom")).unwrap());
            // A commit made meanwhile (here by another thread; the writer is not ours to take) is not seen: every
            // read of the quick call is on the snapshot its first read took.
            let other = store.clone();
            std::thread::spawn(move || insert(&other, "bob")).join().unwrap();
            assert!(!store.read(|tx| tx.user_exists("bob")).unwrap());
            assert_eq!(store.read(|tx| tx.count_users()).unwrap(), 1);
            let refused: Result<(), StoreError> = store.write(|tx| tx.insert_user("eve", "h", 1).map(|_| ()));
            assert!(matches!(refused, Err(StoreError::WriteInQuickRead)));
            assert!(matches!(store.scrub(), Err(StoreError::WriteInQuickRead)));
            // Nested: the same snapshot, still no writes.
            store.quick(|| assert!(!store.read(|tx| tx.user_exists("bob")).unwrap()));
        });
        // After it: the latest commit, writes allowed again.
        assert!(store.read(|tx| tx.user_exists("bob")).unwrap());
        insert(&store, "eve");
        assert_eq!(store.read(|tx| tx.count_users()).unwrap(), 3);
    }

    #[test]
    fn a_quick_read_that_panics_gives_its_connection_back_and_the_flag_down() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let readers = reader_count();
        for _ in 0..readers + 1 {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                store.quick(|| {
                    store.read(|tx| tx.count_users()).unwrap();
                    panic!("boom");
                })
            }));
            assert!(outcome.is_err());
        }
        // Were a connection lost per panic, this would wait forever for one.
        assert_eq!(store.quick(|| store.read(|tx| tx.count_users())).unwrap(), 0);
        insert(&store, "tom");
    }

    #[test]
    fn quick_snapshots_belong_to_their_store() {
        let dir = tempfile::tempdir().unwrap();
        let a = Store::open(&dir.path().join("a.sqlite3")).unwrap();
        let b = Store::open(&dir.path().join("b.sqlite3")).unwrap();
        insert(&b, "tom");
        a.quick(|| {
            assert!(!a.read(|tx| tx.user_exists("tom")).unwrap());
            assert!(b.read(|tx| tx.user_exists("tom")).unwrap(), "b reads its own file");
        });
    }

    #[test]
    fn quick_reads_on_an_in_memory_store_still_refuse_writes() {
        let store = Store::open_in_memory().unwrap();
        insert(&store, "tom");
        store.quick(|| {
            assert!(store.read(|tx| tx.user_exists("tom")).unwrap());
            assert!(matches!(
                store.write::<_, StoreError>(|tx| tx.delete_user("tom")),
                Err(StoreError::WriteInQuickRead)
            ));
        });
        assert!(store.write::<_, StoreError>(|tx| tx.delete_user("tom")).unwrap());
    }

    #[test]
    fn the_cached_dialect_follows_changes_from_any_connection() {
        use crate::domain::claims::ClaimMeta;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let store = Store::open(&path).unwrap();
        let meta = |uri: &str, name: &str| ClaimMeta {
            supported_by_default: true,
            display_order: 1,
            ..ClaimMeta::plain(uri, name)
        };
        store
            .write::<_, StoreError>(|tx| tx.insert_claim_meta_if_absent(&meta("urn:a", "A")).map(|_| ()))
            .unwrap();
        let first = store.read(|tx| tx.claim_metas()).unwrap();
        assert_eq!(first.len(), 1);
        let again = store.read(|tx| tx.claim_metas()).unwrap();
        assert!(std::sync::Arc::ptr_eq(&first, &again), "served from the cache");

        // Another process (here: another Store on the same file) edits the dialect; the cache must not hide it.
        let other = Store::open(&path).unwrap();
        other
            .write::<_, StoreError>(|tx| tx.update_claim_meta(&meta("urn:a", "Renamed")).map(|_| ()))
            .unwrap();
        assert_eq!(store.read(|tx| tx.claim_metas()).unwrap()[0].display_name, "Renamed");
        other
            .write::<_, StoreError>(|tx| tx.insert_claim_meta_if_absent(&meta("urn:b", "B")).map(|_| ()))
            .unwrap();
        assert_eq!(store.read(|tx| tx.claim_metas()).unwrap().len(), 2);

        // A write transaction sees its own change, and a rolled-back change never reaches the cache.
        let rolled_back: Result<(), StoreError> = store.write(|tx| {
            tx.update_claim_meta(&meta("urn:a", "Uncommitted"))?;
            assert_eq!(tx.claim_metas()?[0].display_name, "Uncommitted");
            Err(StoreError::Conflict)
        });
        assert!(rolled_back.is_err());
        assert_eq!(store.read(|tx| tx.claim_metas()).unwrap()[0].display_name, "Renamed");
    }
}
