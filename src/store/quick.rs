//! Quick reads: a bounded, read-only piece of work run on the calling thread (an async reactor thread), all of
//! its reads on one snapshot.
//!
//! Why: a read transaction's start and end take SQLite's process-wide locks (the unix VFS lock, the WAL index)
//! and `fcntl` locks; with two cores busy, two transactions per call (the caller's permissions, then the data)
//! cost more than the reads themselves. Inside [`run`], every `Store::read` of that store on this thread uses one
//! reader connection checked out of the store's quick pool, with one read transaction opened at the start and
//! rolled back at the end. One snapshot also means the caller's permissions and the data are read consistently.

use std::cell::{Cell, RefCell};
use std::sync::{Condvar, Mutex, PoisonError};

use rusqlite::Connection;

thread_local! {
    /// Set while this thread runs [`run`]: writes are refused.
    static QUICK: Cell<bool> = const { Cell::new(false) };
    /// The snapshot this thread's quick reads use, if one could be opened.
    static SNAPSHOT: RefCell<Option<Snapshot>> = const { RefCell::new(None) };
}

/// A reader connection checked out of a store's quick pool, inside an open read transaction.
struct Snapshot {
    store: u64,
    conn: Connection,
}

/// Reader connections reserved for quick reads. A quick read takes one whole for its length; nothing else uses
/// them, so a quick read never waits behind a long listing, only (rarely) behind another quick read.
pub(super) struct QuickPool {
    state: Mutex<PoolState>,
    returned: Condvar,
}

struct PoolState {
    free: Vec<Connection>,
    out: usize,
}

impl QuickPool {
    pub(super) fn new(conns: Vec<Connection>) -> QuickPool {
        QuickPool {
            state: Mutex::new(PoolState { free: conns, out: 0 }),
            returned: Condvar::new(),
        }
    }

    /// A free connection, waiting for one if all are out; None if the pool has none at all.
    fn checkout(&self) -> Option<Connection> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(conn) = state.free.pop() {
                state.out += 1;
                return Some(conn);
            }
            if state.out == 0 {
                return None;
            }
            state = self.returned.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Return a connection; None discards it (the pool shrinks by one).
    fn give_back(&self, conn: Option<Connection>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.out = state.out.saturating_sub(1);
        state.free.extend(conn);
        self.returned.notify_one();
    }
}

/// Whether this thread is inside [`run`].
pub(super) fn in_quick() -> bool {
    QUICK.get()
}

/// Run `f` as a quick read of the store `store` (its id) with that store's quick `pool`. Nested calls run inside
/// the outer one. If no snapshot can be opened (an in-memory store has no pool), reads take their usual path;
/// writes are refused either way.
pub(super) fn run<T>(store: u64, pool: &QuickPool, f: impl FnOnce() -> T) -> T {
    if QUICK.get() {
        return f();
    }
    let _flag = Flag::raise();
    let Some(conn) = pool.checkout() else {
        return f();
    };
    if let Err(e) = run_cached(&conn, "BEGIN DEFERRED") {
        tracing::warn!(error = %e, "cannot open a quick read snapshot; reading without one");
        pool.give_back(Some(conn));
        return f();
    }
    SNAPSHOT.set(Some(Snapshot { store, conn }));
    let _end = End { pool };
    f()
}

/// Run a statement through the connection's cache (`execute_batch` would parse it every time).
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// Call `g` with this thread's snapshot connection if it belongs to `store`, else with None; exactly once.
pub(super) fn with_snapshot<T>(store: u64, g: impl FnOnce(Option<&Connection>) -> T) -> T {
    SNAPSHOT.with_borrow(|snapshot| match snapshot {
        Some(s) if s.store == store => g(Some(&s.conn)),
        _ => g(None),
    })
}

/// Raises [`QUICK`] and lowers it however `run` ends.
struct Flag;

impl Flag {
    fn raise() -> Flag {
        QUICK.set(true);
        Flag
    }
}

impl Drop for Flag {
    fn drop(&mut self) {
        QUICK.set(false);
    }
}

/// Ends the snapshot however `run` ends: roll back, return the connection (or drop it if it would not roll back).
struct End<'a> {
    pool: &'a QuickPool,
}

impl Drop for End<'_> {
    fn drop(&mut self) {
        let Some(Snapshot { conn, .. }) = SNAPSHOT.take() else {
            return;
        };
        match run_cached(&conn, "ROLLBACK") {
            Ok(()) => self.pool.give_back(Some(conn)),
            Err(e) => {
                tracing::error!(error = %e, "a quick read snapshot would not end; dropping its connection");
                self.pool.give_back(None);
            }
        }
    }
}
