//! SQLite: the schema and its migrations, transactions, and every query. No XML, HTML or SMTP here.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::Connection;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database lock poisoned")]
    Poisoned,
}

/// The database: one SQLite file in the data directory.
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }
}
