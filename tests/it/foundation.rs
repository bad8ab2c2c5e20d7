//! The foundation issue's "Done when": listeners and health, `serve` with a port offset and restarts, config
//! warnings and errors, migrations, the admin bootstrap, password hashing and policy, permission inheritance, and
//! the CLI's round trips and errors.

use forcereset::store::TenantId;
use std::collections::BTreeSet;

use forcereset::app::{ADMIN_ROLE, Actor, App};
use forcereset::domain::DomainError;
use forcereset::domain::secret::Secret;
use forcereset::store::Store;
use reqwest::StatusCode;

use crate::support::{BinaryServer, CliCommand, HEALTH_PATH, TestServer, Workspace, free_offset, run_cli};

const EMAIL: &str = "http://wso2.org/claims/emailaddress";

fn secret(s: &str) -> Secret {
    Secret::new(s)
}

/// The names a `user list` printed, one per line.
fn names(stdout: &str) -> BTreeSet<String> {
    stdout.lines().map(str::to_string).collect()
}

async fn assert_health(client: &reqwest::Client, url: &str) {
    let resp = client.get(url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{url}");
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("application/json"), "{url}: {content_type}");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "health": [ { "key": "sqlite", "value": "UP" } ] }),
        "{url}"
    );
}

// ---- 1. health and routing -------------------------------------------------------------------------------------

#[tokio::test]
async fn health_answers_json_over_https_and_http_and_unknown_paths_are_404() {
    let server = TestServer::start();
    let client = server.client();
    // Links the server generates point at the listener it really bound.
    assert_eq!(server.app().product_url(), server.https_url());
    assert_health(&client, &server.https(HEALTH_PATH)).await;
    assert_health(&client, &server.http(HEALTH_PATH)).await;

    for base in [server.https_url(), server.http_url()] {
        let resp = client.get(format!("{base}/no/such/path")).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{base}");
    }
    // The HTTPS listener really speaks TLS, the HTTP one really does not.
    let tls = client.get(server.https(HEALTH_PATH)).send().await.unwrap();
    assert!(tls.extensions().get::<reqwest::tls::TlsInfo>().is_some());
    let plain_to_tls = client
        .get(format!(
            "http://localhost:{}{HEALTH_PATH}",
            server.https_addr().unwrap().port()
        ))
        .send()
        .await;
    assert!(
        !matches!(&plain_to_tls, Ok(r) if r.status() == StatusCode::OK),
        "plain HTTP answered on the HTTPS port"
    );
}

// ---- 2. serve with an offset, stop, start again ------------------------------------------------------------

/// The DER of the certificate a TLS response came with.
fn served_cert(resp: &reqwest::Response) -> Vec<u8> {
    resp.extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .expect("TLS info with the peer certificate")
        .to_vec()
}

fn pem_cert_der(pem: &[u8]) -> Vec<u8> {
    let mut reader = pem;
    rustls_pemfile::certs(&mut reader)
        .next()
        .expect("a certificate in cert.pem")
        .unwrap()
        .to_vec()
}

#[tokio::test]
async fn serve_listens_on_offset_ports_and_restarts_on_the_same_data() {
    let offset = free_offset();
    let ws = Workspace::with_config(&format!("[server]\noffset = {offset}\n"));
    let (https_port, http_port) = (9443 + offset, 9763 + offset);
    let client = crate::support::client();

    // First run: a fresh data directory.
    let first = BinaryServer::spawn(&ws, &[]);
    assert_eq!(first.https_addr().unwrap().port(), https_port);
    assert_eq!(first.http_addr().unwrap().port(), http_port);
    let resp = client
        .get(format!("https://localhost:{https_port}{HEALTH_PATH}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let served_first = served_cert(&resp);
    assert_health(&client, &format!("http://localhost:{http_port}{HEALTH_PATH}")).await;
    let log = first.log();
    assert!(
        log.contains(&format!("listening on https://127.0.0.1:{https_port}")),
        "{log}"
    );
    assert!(
        log.contains(&format!("listening on http://127.0.0.1:{http_port}")),
        "{log}"
    );

    let cert_path = ws.data_dir().join("tls").join("cert.pem");
    let cert_before = std::fs::read(&cert_path).unwrap();
    assert_eq!(
        served_first,
        pem_cert_der(&cert_before),
        "served cert is not tls/cert.pem"
    );
    let admin_created = ws
        .inspect_app()
        .user_view(&Actor::System, "admin", "default")
        .unwrap()
        .created_at;

    let status = first.stop();
    assert!(status.success(), "SIGTERM should shut down cleanly, got {status}");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", https_port)).is_err(),
        "still listening after stop"
    );

    // Between runs: the CLI adds a user.
    ws.run_stdin(&["user", "add", "tom", "--password-stdin"], "Abcd@123\n")
        .ok();

    // Second run on the same data directory (same ports: a new client, so no pooled connection to the old
    // process is reused).
    let second = BinaryServer::spawn(&ws, &[]);
    let client = crate::support::client();
    let resp = client
        .get(format!("https://localhost:{https_port}{HEALTH_PATH}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let cert_after = std::fs::read(&cert_path).unwrap();
    assert_eq!(cert_before, cert_after, "the certificate was regenerated");
    assert_eq!(served_cert(&resp), served_first, "a different certificate is served");
    assert_health(&client, &format!("http://localhost:{http_port}{HEALTH_PATH}")).await;

    // Checked without the bootstrap, so nothing is recreated by looking.
    let app = ws.inspect_app();
    let admin = app.authenticate("admin", &secret("admin")).unwrap();
    assert!(admin.has("/permission"));
    let view = app.user_view(&Actor::System, "admin", "default").unwrap();
    assert_eq!(view.created_at, admin_created, "the admin was recreated");
    assert!(app.authenticate("tom", &secret("Abcd@123")).is_ok());
    assert!(second.log().contains("listening on https://"));
    assert!(second.stop().success());
}

// ---- 3. configuration ------------------------------------------------------------------------------------------

fn unknown_key_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("is not implemented by forcereset"))
        .collect()
}

#[test]
fn shipped_deployment_toml_starts_without_unknown_key_warnings() {
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deployment.toml")).unwrap();
    // Only the port offset changes, so that the test does not need 9443/9763.
    assert_eq!(
        shipped.matches("\noffset = 0\n").count(),
        1,
        "the shipped file should set offset = 0 once"
    );
    let offset = free_offset();
    let ws = Workspace::with_config(&shipped.replace("\noffset = 0\n", &format!("\noffset = {offset}\n")));
    let server = BinaryServer::spawn(&ws, &[]);
    assert_eq!(server.https_addr().unwrap().port(), 9443 + offset);
    let log = server.log();
    assert!(log.contains("listening on https://"), "{log}");
    assert_eq!(unknown_key_lines(&log), Vec::<&str>::new(), "{log}");
    assert!(!log.contains(" WARN "), "{log}");
    // The shipped data_dir (./data) is overridden by --data-dir, and the workspace root is untouched.
    assert!(ws.db_path().exists());
    assert!(!ws.root().join("data").join("data").exists());
    assert!(server.stop().success());
}

#[test]
fn wso2_deployment_toml_with_unknown_keys_starts_with_one_warning_per_ignored_table() {
    let offset = free_offset();
    let ws = Workspace::with_config(&format!(
        r#"
[server]
hostname = "localhost"
offset = {offset}

[super_admin]
username = "admin"
password = "admin"
create_admin_account = true

[user_store]
type = "database_unique_id"

[database.identity_db]
type = "h2"

[keystore.primary]
file_name = "wso2carbon.jks"
"#
    ));
    let server = BinaryServer::spawn(&ws, &[]);
    let log = server.log();
    let warnings = unknown_key_lines(&log);
    // `[user_store] type` is read (issue 13): it picks the user store flavour (LDAP or JDBC), as in WSO2;
    // the tables forcereset ignores are one line each (issue 14).
    assert_eq!(warnings.len(), 2, "{log}");
    assert!(!warnings.iter().any(|l| l.contains("user_store")), "{log}");
    for key in ["[database.identity_db]", "[keystore.primary]"] {
        let naming: Vec<_> = warnings.iter().filter(|l| l.contains(key)).collect();
        assert_eq!(naming.len(), 1, "one warning for {key}:\n{log}");
        assert!(naming[0].contains("WARN"), "{}", naming[0]);
    }
    assert!(server.stop().success());
}

#[test]
fn a_bad_value_stops_serve_with_one_line_naming_the_key() {
    let ws = Workspace::with_config("[server]\noffset = \"abc\"\n");
    let out = ws
        .cli()
        .env("FORCERESET_LOG", "info")
        .timeout(std::time::Duration::from_secs(20))
        .run(&["serve"]);
    assert_ne!(out.code(), Some(0), "{out}");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(lines[0].contains("server.offset"), "{out}");
    assert!(lines[0].contains("abc"), "{out}");
    assert!(!ws.db_path().exists(), "nothing should be created on a config error");
}

#[test]
fn config_check_prints_the_effective_config_with_the_password_masked() {
    let ws = Workspace::with_config(
        "[server]\noffset = 7\n\n[super_admin]\nusername = \"root\"\npassword = \"Sup3r-Secret!\"\n",
    );
    let out = ws.run(&["config", "check"]);
    let stdout = out.ok();
    assert!(!stdout.contains("Sup3r-Secret!"), "{out}");
    assert!(!out.stderr.contains("Sup3r-Secret!"), "{out}");
    let effective: toml::Table = stdout.parse().unwrap_or_else(|e| panic!("{e}\n{out}"));
    assert_eq!(effective["super_admin"]["password"].as_str(), Some("********"));
    assert_eq!(effective["super_admin"]["username"].as_str(), Some("root"));
    assert_eq!(effective["server"]["offset"].as_integer(), Some(7));
    assert_eq!(
        effective["forcereset"]["data_dir"].as_str(),
        Some(ws.data_dir().display().to_string().as_str())
    );
    // Defaults are filled in.
    assert_eq!(effective["server"]["hostname"].as_str(), Some("localhost"));
    assert!(effective.contains_key("user_store"));
}

// ---- 4. migrations ---------------------------------------------------------------------------------------------

#[test]
fn migrations_run_on_an_empty_data_dir_and_keep_data_on_an_existing_one() {
    let latest = Store::open_in_memory().unwrap().schema_version().unwrap();
    assert!(latest > 0);

    let ws = Workspace::new();
    assert!(!ws.data_dir().exists());
    let mut server = TestServer::builder().workspace(&ws).start();
    assert!(ws.db_path().exists());
    let app = server.app();
    assert_eq!(app.store_for_tests().schema_version().unwrap(), latest);
    app.add_user(
        &Actor::System,
        "tom",
        &secret("Abcd@123"),
        &[],
        &[(EMAIL.to_string(), "tom@example.com".to_string())],
        "default",
    )
    .unwrap();
    let before = app.user_view(&Actor::System, "tom", "default").unwrap();
    drop(app);

    server.restart();
    let app = server.app();
    assert_eq!(app.store_for_tests().schema_version().unwrap(), latest);
    assert_eq!(app.store_for_tests().integrity_check().unwrap(), "ok");
    assert_eq!(app.user_view(&Actor::System, "tom", "default").unwrap(), before);
    assert!(app.authenticate("tom", &secret("Abcd@123")).is_ok());
    // A second bootstrap on the existing database creates nothing.
    assert_eq!(app.bootstrap().unwrap(), Default::default());

    // The CLI (another process) opens the same, migrated database while the server runs.
    let listed = names(server.cli().run(&["user", "list"]).ok());
    assert!(listed.contains("tom") && listed.contains("admin"), "{listed:?}");
    server.stop();
    assert_eq!(ws.inspect_app().store_for_tests().schema_version().unwrap(), latest);
}

// ---- 5. admin bootstrap ----------------------------------------------------------------------------------------

fn permissions_of(actor: &Actor) -> Vec<String> {
    match actor {
        Actor::User { permissions, .. } => permissions.clone(),
        Actor::System | Actor::SystemIn(_) => panic!("expected a user actor"),
    }
}

#[test]
fn the_default_admin_authenticates_and_its_role_holds_the_root_permission() {
    let server = TestServer::start();
    let app = server.app();
    let admin = app.authenticate("admin", &secret("admin")).unwrap();
    assert_eq!(admin.name(), "admin");
    assert_eq!(permissions_of(&admin), vec!["/permission".to_string()]);
    assert!(admin.has("/permission/admin/configure"));
    assert_eq!(
        app.role_permissions(&Actor::System, ADMIN_ROLE).unwrap(),
        vec!["/permission".to_string()]
    );
    let view = app.user_view(&Actor::System, "admin", "default").unwrap();
    assert!(view.roles.iter().any(|r| r == ADMIN_ROLE), "{view:?}");
    assert_eq!(
        app.authenticate("admin", &secret("wrong")),
        Err(DomainError::InvalidCredentials)
    );
}

#[test]
fn no_admin_account_when_create_admin_account_is_false() {
    let server = TestServer::start_with("[super_admin]\ncreate_admin_account = false\n");
    let app = server.app();
    assert_eq!(
        app.authenticate("admin", &secret("admin")),
        Err(DomainError::InvalidCredentials)
    );
    assert!(!app.user_exists(&Actor::System, "admin").unwrap());
    assert!(app.list_users(&Actor::System, "*", -1).unwrap().is_empty());
}

#[test]
fn a_configured_super_admin_replaces_admin_admin() {
    let server = TestServer::start_with("[super_admin]\nusername = \"root\"\npassword = \"R00t-Pass\"\n");
    let app: std::sync::Arc<App> = server.app();
    let root = app.authenticate("root", &secret("R00t-Pass")).unwrap();
    assert!(root.has("/permission/admin/manage/identity/usermgt/delete"));
    assert_eq!(
        app.authenticate("root", &secret("admin")),
        Err(DomainError::InvalidCredentials)
    );
    assert_eq!(
        app.authenticate("admin", &secret("admin")),
        Err(DomainError::InvalidCredentials)
    );
    assert_eq!(app.list_users(&Actor::System, "*", -1).unwrap(), vec!["root"]);
}

// ---- 6. password hashing and policy ----------------------------------------------------------------------------

#[test]
fn cli_user_add_stores_a_hash_and_never_the_password() {
    // The server holds the database open, so the CLI's write stays in the WAL file, which is checked too.
    let server = TestServer::start();
    let out = server
        .cli()
        .stdin("Abcd@123\n")
        .run(&["user", "add", "tom", "--password-stdin"]);
    assert!(!out.ok().contains("Abcd@123"));

    let app = server.app();
    assert!(app.authenticate("tom", &secret("Abcd@123")).is_ok());
    let hash = app
        .store_for_tests()
        .read(TenantId::SUPER, |tx| tx.user("tom"))
        .unwrap()
        .expect("tom in the store")
        .password_hash;
    assert!(hash.starts_with("$argon2"), "{hash}");

    let db = server.workspace().db_path();
    let wal = db.with_file_name(format!("{}-wal", forcereset::cli::DB_FILE));
    assert!(wal.exists(), "expected a WAL file next to the database");
    let mut bytes = std::fs::read(&db).unwrap();
    bytes.extend(std::fs::read(&wal).unwrap());
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(contains(hash.as_bytes()), "tom's hash is not in the files scanned");
    assert!(!contains(b"Abcd@123"), "the plain password is stored");
}

#[test]
fn the_default_policy_rejects_a_short_password_naming_the_regex() {
    let ws = Workspace::new();
    let out = ws.run_stdin(&["user", "add", "tim", "--password-stdin"], "abc\n");
    let line = out.fails();
    assert!(line.contains(r"^[\S]{5,30}$"), "{out}");
    assert!(!names(ws.run(&["user", "list"]).ok()).contains("tim"));
}

#[test]
fn a_custom_password_regex_is_enforced() {
    let ws = Workspace::with_config("[user_store]\npassword_java_regex = \"^[a-z]{8,}$\"\n");
    let out = ws.run_stdin(&["user", "add", "tom", "--password-stdin"], "Abcd@123\n");
    assert!(out.fails().contains("^[a-z]{8,}$"), "{out}");
    ws.run_stdin(&["user", "add", "tom", "--password-stdin"], "abcdefg\n")
        .fails();
    ws.run_stdin(&["user", "add", "tom", "--password-stdin"], "abcdefgh\n")
        .ok();
    assert!(ws.inspect_app().authenticate("tom", &secret("abcdefgh")).is_ok());
}

// ---- 7. permission inheritance ---------------------------------------------------------------------------------

#[test]
fn a_role_permission_path_grants_everything_below_it() {
    let ws = Workspace::new();
    ws.run_stdin(&["user", "add", "tom", "--password-stdin"], "Abcd@123\n")
        .ok();
    ws.run(&[
        "role",
        "add",
        "ops",
        "--permission",
        "/permission/admin/manage",
        "--user",
        "tom",
    ])
    .ok();

    let tom = ws.inspect_app().authenticate("tom", &secret("Abcd@123")).unwrap();
    assert!(tom.has("/permission/admin/manage/identity/usermgt/view"));
    assert!(tom.has("/permission/admin/manage"));
    assert!(!tom.has("/permission/admin/configure"));
    assert!(!tom.has("/permission/admin/login"));
    assert!(!tom.has("/permission/admin/manager"));
    assert!(!tom.has("/permission/admin"));
}

// ---- 8. CLI round trips and errors -----------------------------------------------------------------------------

#[test]
fn cli_user_round_trip() {
    let ws = Workspace::new();
    ws.run(&["role", "add", "loginrole", "--permission", "/permission/admin/login"])
        .ok();
    let out = ws.run_stdin(
        &[
            "user",
            "add",
            "tom",
            "--password-stdin",
            "--role",
            "loginrole",
            "--claim",
            &format!("{EMAIL}=tom@example.com"),
        ],
        "Abcd@123\n",
    );
    assert!(out.ok().contains("tom"), "{out}");
    ws.run(&["user", "add", "tim", "--password", "Tim@12345"]).ok();

    assert_eq!(
        names(ws.run(&["user", "list"]).ok()),
        BTreeSet::from(["admin".to_string(), "tim".to_string(), "tom".to_string()])
    );
    assert_eq!(
        names(ws.run(&["user", "list", "--filter", "to*"]).ok()),
        BTreeSet::from(["tom".to_string()])
    );

    let out = ws.run(&["user", "show", "tom"]);
    let shown = out.ok();
    assert!(shown.lines().any(|l| l == "user: tom"), "{out}");
    let roles = shown.lines().find(|l| l.starts_with("roles:")).unwrap_or_default();
    assert!(roles.contains("loginrole"), "{out}");
    assert!(
        shown.lines().any(|l| l.trim() == format!("{EMAIL} = tom@example.com")),
        "{out}"
    );

    ws.run_stdin(&["user", "passwd", "tom", "--password-stdin"], "New@12345\n")
        .ok();
    let app = ws.inspect_app();
    assert!(app.authenticate("tom", &secret("New@12345")).is_ok());
    assert_eq!(
        app.authenticate("tom", &secret("Abcd@123")),
        Err(DomainError::InvalidCredentials)
    );
    drop(app);

    ws.run(&["user", "delete", "tom"]).ok();
    assert_eq!(
        names(ws.run(&["user", "list"]).ok()),
        BTreeSet::from(["admin".to_string(), "tim".to_string()])
    );
    assert!(ws.run(&["user", "show", "tom"]).fails().contains("tom"));
}

#[test]
fn cli_role_and_claim_round_trip() {
    let ws = Workspace::new();
    ws.run(&["user", "add", "tom", "--password", "Abcd@123"]).ok();
    ws.run(&[
        "role",
        "add",
        "ops",
        "--permission",
        "/permission/admin/manage",
        "--permission",
        "/permission/admin/login/",
        "--user",
        "tom",
    ])
    .ok();
    let out = ws.run(&["role", "list"]);
    let listed = out.ok();
    let ops = listed
        .lines()
        .find(|l| l.split('\t').next() == Some("ops"))
        .unwrap_or_else(|| panic!("no ops role:\n{out}"));
    let perms: BTreeSet<&str> = ops.split('\t').nth(1).unwrap_or_default().split(' ').collect();
    assert_eq!(
        perms,
        BTreeSet::from(["/permission/admin/manage", "/permission/admin/login"]),
        "{out}"
    );
    assert!(
        listed.lines().any(|l| l.split('\t').next() == Some(ADMIN_ROLE)),
        "{out}"
    );
    assert!(
        ws.run(&["user", "show", "tom"])
            .ok()
            .lines()
            .any(|l| l.starts_with("roles:") && l.contains("ops"))
    );

    ws.run(&["claim", "set", "tom", EMAIL, "tom@example.com"]).ok();
    assert_eq!(ws.run(&["claim", "get", "tom", EMAIL]).ok(), "tom@example.com\n");
    ws.run(&["claim", "set", "tom", EMAIL, "thomas@example.com"]).ok();
    assert_eq!(ws.run(&["claim", "get", "tom", EMAIL]).ok(), "thomas@example.com\n");
    // A value the claim's regex refuses is not stored.
    ws.run(&["claim", "set", "tom", EMAIL, "not an address"]).fails();
    assert_eq!(ws.run(&["claim", "get", "tom", EMAIL]).ok(), "thomas@example.com\n");
    // An unset claim is an error, not an empty line.
    ws.run(&["claim", "get", "tom", "http://wso2.org/claims/givenname"])
        .fails();
}

#[test]
fn cli_errors_are_one_line_with_exit_code_1() {
    let ws = Workspace::new();
    ws.run(&["user", "add", "tom", "--password", "Abcd@123"]).ok();

    let cases: [(&[&str], &str); 6] = [
        (&["user", "show", "nobody"], "nobody"),
        (&["claim", "get", "nobody", EMAIL], "nobody"),
        (&["user", "delete", "nobody"], "nobody"),
        (&["user", "add", "tom", "--password", "Abcd@123"], "tom"),
        (
            &["claim", "set", "tom", "http://wso2.org/claims/nope", "x"],
            "http://wso2.org/claims/nope",
        ),
        (&["user", "delete", "admin"], "admin"),
    ];
    for (args, mentions) in cases {
        let out = ws.run(args);
        let line = out.fails();
        assert!(line.contains(mentions), "{out}");
    }
    // The failed calls changed nothing.
    assert_eq!(
        names(ws.run(&["user", "list"]).ok()),
        BTreeSet::from(["admin".to_string(), "tom".to_string()])
    );
    let passwd = run_cli(
        &ws.data_dir(),
        &["user", "passwd", "nobody", "--password-stdin"],
        Some("Abcd@123\n"),
    );
    assert!(passwd.fails().contains("nobody"), "{passwd}");
}

#[test]
fn every_command_help_shows_an_example() {
    use clap::CommandFactory;
    fn leaves(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        let subs: Vec<_> = cmd.get_subcommands().collect();
        if subs.is_empty() {
            out.push(path);
            return;
        }
        for sub in subs {
            let mut p = path.clone();
            p.push(sub.get_name().to_string());
            leaves(sub, p, out);
        }
    }
    let mut paths = Vec::new();
    leaves(&forcereset::cli::Cli::command(), Vec::new(), &mut paths);
    let joined: BTreeSet<String> = paths.iter().map(|p| p.join(" ")).collect();
    for expected in ["serve", "user add", "role add", "claim set", "config check"] {
        assert!(joined.contains(expected), "{joined:?}");
    }

    let dir = tempfile::tempdir().unwrap();
    paths.push(Vec::new()); // the top level
    for path in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = CliCommand::bare(dir.path()).run(&args);
        // "Example:" or, for several, "Examples:" (issue 14: one per line).
        assert!(out.ok().contains("Example"), "{out}");
    }
}
