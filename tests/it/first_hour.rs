//! A new user's first hour (issue 14): each surprise found by trying forcereset from a fresh clone with only the
//! README, pinned by a test that failed before it was fixed.

use std::time::Duration;

use crate::support::{BinaryServer, Workspace};

/// A port in use stops `serve` before it creates anything: no data directory, database, admin or certificate
/// is left behind to surprise the next start.
#[test]
fn a_taken_port_leaves_nothing_behind() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let ws = Workspace::with_config(&format!("[forcereset]\nhttps_port = {port}\nhttp_port = 0\n"));
    let out = ws
        .cli()
        .env("FORCERESET_LOG", "info")
        .timeout(Duration::from_secs(20))
        .run(&["serve"]);
    assert_ne!(out.code(), Some(0), "{out}");
    assert!(out.stderr.contains(&format!("127.0.0.1:{port}")), "{out}");
    assert!(out.stderr.contains("https_port"), "the key to change is named: {out}");
    // The harness makes the (empty) data directory the CLI runs in; serve must leave it empty.
    let left: Vec<_> = std::fs::read_dir(ws.data_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "nothing created, found {left:?}: {out}");
}

/// Two servers on one data directory (say, two offsets): the second stops at once, naming the first by PID,
/// instead of both running on one database.
#[test]
fn a_second_server_on_the_same_data_dir_names_the_first() {
    let ws = Workspace::with_config("[forcereset]\nhttps_port = 0\nhttp_port = 0\n");
    let first = BinaryServer::spawn(&ws, &[]);
    let pid = first.pid().expect("the first server's pid");
    let out = ws
        .cli()
        .env("FORCERESET_LOG", "info")
        .timeout(Duration::from_secs(20))
        .run(&["serve"]);
    assert_eq!(out.code(), Some(1), "{out}");
    let line = out.stderr.lines().last().unwrap_or_default();
    assert!(line.contains(&format!("PID {pid}")), "{out}");
    assert!(line.contains("in use by a running forcereset"), "{out}");
    assert!(first.stop().success());
}
