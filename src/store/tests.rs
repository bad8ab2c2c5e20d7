//! Store tests: opening, migrations, the reader pools, quick reads and the transaction rules.

use super::*;
use crate::store::TenantId;

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
            .write::<_, StoreError>(TenantId::SUPER, |tx| {
                tx.insert_user("tom", "$argon2id$x", 1).map(|_| ())
            })
            .unwrap();
    }
    let again = Store::open(&path).unwrap();
    assert_eq!(again.schema_version().unwrap(), migrations::MIGRATIONS.len() as i64);
    assert!(again.read(TenantId::SUPER, |tx| tx.user("tom")).unwrap().is_some());
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
    let result: Result<(), StoreError> = store.write(TenantId::SUPER, |tx| {
        tx.insert_user("tom", "h", 1)?;
        tx.insert_user("tom", "h", 1)?;
        Ok(())
    });
    assert!(matches!(result, Err(StoreError::Conflict)));
    assert!(store.read(TenantId::SUPER, |tx| tx.user("tom")).unwrap().is_none());
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
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.insert_user(&name, "h", 1).map(|_| ()))
            .unwrap();
        // Read-your-writes on whichever reader the read gets.
        assert!(store.read(TenantId::SUPER, |tx| tx.user(&name)).unwrap().is_some());
    }
    assert_eq!(store.read(TenantId::SUPER, |tx| tx.count_users()).unwrap(), 10);
    assert!(Store::open_in_memory().unwrap().readers.is_empty());
}

#[test]
fn reads_see_a_snapshot_and_do_not_wait_for_an_open_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
    store
        .write::<_, StoreError>(TenantId::SUPER, |tx| tx.insert_user("tom", "h", 1).map(|_| ()))
        .unwrap();
    store
        .write::<_, StoreError>(TenantId::SUPER, |tx| {
            tx.insert_user("bob", "h", 1)?;
            // Inside the open write transaction: a read (another connection) sees the last commit only.
            assert!(store.read(TenantId::SUPER, |r| r.user("tom")).unwrap().is_some());
            assert!(store.read(TenantId::SUPER, |r| r.user("bob")).unwrap().is_none());
            Ok(())
        })
        .unwrap();
    assert!(store.read(TenantId::SUPER, |tx| tx.user("bob")).unwrap().is_some());
}

#[test]
fn a_read_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
    assert!(store.read(TenantId::SUPER, |tx| tx.insert_user("tom", "h", 1)).is_err());
    assert!(store.read(TenantId::SUPER, |tx| tx.user("tom")).unwrap().is_none());
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
                        .write::<_, StoreError>(TenantId::SUPER, |tx| tx.insert_user(&name, "h", 1).map(|_| ()))
                        .unwrap();
                    assert!(store.read(TenantId::SUPER, |tx| tx.user_exists(&name)).unwrap());
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(store.read(TenantId::SUPER, |tx| tx.count_users()).unwrap(), 100);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

fn insert(store: &Store, name: &str) {
    store
        .write::<_, StoreError>(TenantId::SUPER, |tx| tx.insert_user(name, "h", 1).map(|_| ()))
        .unwrap();
}

#[test]
fn a_quick_read_reads_one_snapshot_and_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Store::open(&dir.path().join("db.sqlite3")).unwrap());
    insert(&store, "tom");
    store.quick(|| {
        assert!(store.read(TenantId::SUPER, |tx| tx.user_exists("tom")).unwrap());
        // A commit made meanwhile (here by another thread; the writer is not ours to take) is not seen: every
        // read of the quick call is on the snapshot its first read took.
        let other = store.clone();
        std::thread::spawn(move || insert(&other, "bob")).join().unwrap();
        assert!(!store.read(TenantId::SUPER, |tx| tx.user_exists("bob")).unwrap());
        assert_eq!(store.read(TenantId::SUPER, |tx| tx.count_users()).unwrap(), 1);
        let refused: Result<(), StoreError> =
            store.write(TenantId::SUPER, |tx| tx.insert_user("eve", "h", 1).map(|_| ()));
        assert!(matches!(refused, Err(StoreError::WriteInQuickRead)));
        assert!(matches!(store.scrub(), Err(StoreError::WriteInQuickRead)));
        // Nested: the same snapshot, still no writes.
        store.quick(|| assert!(!store.read(TenantId::SUPER, |tx| tx.user_exists("bob")).unwrap()));
    });
    // After it: the latest commit, writes allowed again.
    assert!(store.read(TenantId::SUPER, |tx| tx.user_exists("bob")).unwrap());
    insert(&store, "eve");
    assert_eq!(store.read(TenantId::SUPER, |tx| tx.count_users()).unwrap(), 3);
}

#[test]
fn a_quick_read_that_panics_gives_its_connection_back_and_the_flag_down() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
    let readers = reader_count();
    for _ in 0..readers + 1 {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store.quick(|| {
                store.read(TenantId::SUPER, |tx| tx.count_users()).unwrap();
                panic!("boom");
            })
        }));
        assert!(outcome.is_err());
    }
    // Were a connection lost per panic, this would wait forever for one.
    assert_eq!(
        store
            .quick(|| store.read(TenantId::SUPER, |tx| tx.count_users()))
            .unwrap(),
        0
    );
    insert(&store, "tom");
}

#[test]
fn quick_snapshots_belong_to_their_store() {
    let dir = tempfile::tempdir().unwrap();
    let a = Store::open(&dir.path().join("a.sqlite3")).unwrap();
    let b = Store::open(&dir.path().join("b.sqlite3")).unwrap();
    insert(&b, "tom");
    a.quick(|| {
        assert!(!a.read(TenantId::SUPER, |tx| tx.user_exists("tom")).unwrap());
        assert!(
            b.read(TenantId::SUPER, |tx| tx.user_exists("tom")).unwrap(),
            "b reads its own file"
        );
    });
}

#[test]
fn quick_reads_on_an_in_memory_store_still_refuse_writes() {
    let store = Store::open_in_memory().unwrap();
    insert(&store, "tom");
    store.quick(|| {
        assert!(store.read(TenantId::SUPER, |tx| tx.user_exists("tom")).unwrap());
        assert!(matches!(
            store.write::<_, StoreError>(TenantId::SUPER, |tx| tx.delete_user("tom")),
            Err(StoreError::WriteInQuickRead)
        ));
    });
    assert!(
        store
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.delete_user("tom"))
            .unwrap()
    );
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
        .write::<_, StoreError>(TenantId::SUPER, |tx| {
            tx.insert_claim_meta_if_absent(&meta("urn:a", "A")).map(|_| ())
        })
        .unwrap();
    let first = store.read(TenantId::SUPER, |tx| tx.claim_metas()).unwrap();
    assert_eq!(first.len(), 1);
    let again = store.read(TenantId::SUPER, |tx| tx.claim_metas()).unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &again), "served from the cache");

    // Another process (here: another Store on the same file) edits the dialect; the cache must not hide it.
    let other = Store::open(&path).unwrap();
    other
        .write::<_, StoreError>(TenantId::SUPER, |tx| {
            tx.update_claim_meta(&meta("urn:a", "Renamed")).map(|_| ())
        })
        .unwrap();
    assert_eq!(
        store.read(TenantId::SUPER, |tx| tx.claim_metas()).unwrap()[0].display_name,
        "Renamed"
    );
    other
        .write::<_, StoreError>(TenantId::SUPER, |tx| {
            tx.insert_claim_meta_if_absent(&meta("urn:b", "B")).map(|_| ())
        })
        .unwrap();
    assert_eq!(store.read(TenantId::SUPER, |tx| tx.claim_metas()).unwrap().len(), 2);

    // A write transaction sees its own change, and a rolled-back change never reaches the cache.
    let rolled_back: Result<(), StoreError> = store.write(TenantId::SUPER, |tx| {
        tx.update_claim_meta(&meta("urn:a", "Uncommitted"))?;
        assert_eq!(tx.claim_metas()?[0].display_name, "Uncommitted");
        Err(StoreError::Conflict)
    });
    assert!(rolled_back.is_err());
    assert_eq!(
        store.read(TenantId::SUPER, |tx| tx.claim_metas()).unwrap()[0].display_name,
        "Renamed"
    );
}

#[test]
fn migration_7_gives_existing_and_new_users_and_roles_stable_uuids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    {
        let mut conn = Connection::open(&path).unwrap();
        migrate_to(&mut conn, 6).unwrap();
        conn.execute_batch(
            "INSERT INTO users (name, password_hash, created_at, updated_at) VALUES ('old', 'h', 1, 1), ('older', 'h', 1, 1);
             INSERT INTO roles (name, created_at) VALUES ('r', 1);",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    store
        .write::<_, StoreError>(TenantId::SUPER, |tx| tx.insert_user("new", "h", 2).map(|_| ()))
        .unwrap();
    let is_v4 = |u: &str| {
        let b = u.as_bytes();
        u.len() == 36 && b[14] == b'4' && b"89ab".contains(&b[19]) && u.split('-').count() == 5
    };
    let mut seen = std::collections::HashSet::new();
    for name in ["old", "older", "new"] {
        let record = store.read(TenantId::SUPER, |tx| tx.user(name)).unwrap().unwrap();
        assert!(is_v4(&record.uuid), "{name}: {}", record.uuid);
        assert!(seen.insert(record.uuid.clone()), "ids are distinct");
        let again = store
            .read(TenantId::SUPER, |tx| tx.user_by_uuid(&record.uuid))
            .unwrap()
            .unwrap();
        assert_eq!(again.name, name);
    }
    let role_uuid: String = Connection::open(&path)
        .unwrap()
        .query_row("SELECT uuid FROM roles WHERE name = 'r'", [], |r| r.get(0))
        .unwrap();
    assert!(is_v4(&role_uuid), "{role_uuid}");
}
