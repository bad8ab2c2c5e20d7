//! A new user's first hour (issue 14): each surprise found by trying forcereset from a fresh clone with only the
//! README, pinned by a test that failed before it was fixed.

use std::path::Path;
use std::time::Duration;

use crate::support::{BinaryServer, TestServer, Workspace};
use crate::web_client::Browser;

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

/// `bash tests/run.sh` on a machine without Chromium used to run green, its browser tests returning early. Now it
/// installs the packages (as root with apt-get) or stops with one line naming them; asked to skip, it says so.
#[test]
fn the_test_command_names_what_it_is_missing() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = tempfile::tempdir().unwrap();
    // A PATH with what the check needs (git and curl for the README test) and no chromium.
    for tool in ["cargo", "id", "dirname", "git", "curl"] {
        let found = which(tool).unwrap_or_else(|| panic!("{tool} on PATH"));
        std::os::unix::fs::symlink(found, bin.path().join(tool)).unwrap();
    }
    // The real interpreter, not a version manager's shim (which would need its own PATH).
    let python = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    let python = String::from_utf8(python.stdout).unwrap();
    std::os::unix::fs::symlink(python.trim(), bin.path().join("python3")).unwrap();
    let check = |env: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new("/bin/bash");
        cmd.arg(root.join("tests/run.sh"))
            .arg("--check-prerequisites")
            .env("PATH", bin.path())
            .env("FORCERESET_NO_INSTALL", "1")
            .env_remove("FORCERESET_SKIP_BROWSER");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let out = check(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("missing Debian packages: chromium chromium-driver"),
        "{stderr}"
    );
    let skipping = check(&[("FORCERESET_SKIP_BROWSER", "1")]);
    assert_eq!(
        skipping.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&skipping.stderr)
    );
}

fn which(tool: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| std::path::Path::new(dir).join(tool))
        .find(|p| p.exists())
}

/// Item 3: a reset option stored through `updateConfigurations` (or the console) wins over deployment.toml, as in
/// WSO2; start-up says so once per overridden value, `config check` names each value's source, and the console
/// page marks it.
#[tokio::test]
async fn stored_governance_values_say_they_override_deployment_toml() {
    let ws = Workspace::default();
    let file = "[identity_mgt.password_reset_by_admin]\nenable_offline_otp_based_reset = false\n";
    {
        let server = TestServer::builder().workspace(&ws).config(file).start();
        let offline = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/soap/IdentityGovernanceAdminService/updateConfigurations.offline.request.xml"),
        )
        .unwrap();
        let (status, body) = server
            .soap("/services/IdentityGovernanceAdminService", offline, ("admin", "admin"))
            .await;
        assert!(status.is_success(), "{body}");
        let console = Browser::signed_in(&server, "admin", "admin").await;
        let page = console.get("/carbon/idpmgt/idp-mgt-edit-local.jsp").await;
        assert!(
            page.body.contains(
                "Changed here: overrides deployment.toml, which says false \
                 (identity_mgt.password_reset_by_admin.enable_offline_otp_based_reset)."
            ),
            "{}",
            page.body
        );
        assert!(
            page.body.contains(
                "From deployment.toml (identity_mgt.password_reset_by_admin.enable_emailed_otp_based_reset)."
            ),
            "{}",
            page.body
        );
    }
    let check = ws.run(&["config", "check"]);
    assert!(check.status.success(), "{}", check.stderr);
    let line = |property: &str| {
        check
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("# {property} = ")))
            .unwrap_or_else(|| panic!("no line for {property}:\n{}", check.stdout))
            .to_string()
    };
    let offline = line("Recovery.AdminPasswordReset.Offline");
    assert!(
        offline.contains("= true") && offline.ends_with(
            "stored: overrides deployment.toml identity_mgt.password_reset_by_admin.enable_offline_otp_based_reset = false"
        ),
        "{offline}"
    );
    // Stored with the same value as the file: not an override.
    let otp = line("Recovery.AdminPasswordReset.OTP");
    assert!(
        otp.ends_with("deployment.toml identity_mgt.password_reset_by_admin.enable_emailed_otp_based_reset"),
        "{otp}"
    );
    let server = BinaryServer::spawn(&ws, &[]);
    let log = server.log();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("overrides deployment.toml"))
        .collect();
    assert_eq!(lines.len(), 1, "one line per overridden value:\n{log}");
    assert!(
        lines[0].contains("Recovery.AdminPasswordReset.Offline = true")
            && lines[0].contains("identity_mgt.password_reset_by_admin.enable_offline_otp_based_reset = false"),
        "{}",
        lines[0]
    );
}
