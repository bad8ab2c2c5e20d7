//! The integration-test harness. Everything here is shared by the test modules of the `it` binary.
//!
//! # Pieces
//! - [`Workspace`]: a temporary directory holding `deployment.toml` (at [`Workspace::config_path`]) and the data
//!   directory (at [`Workspace::data_dir`], created by the product on first use). Cheap to clone; removed when the
//!   last clone is dropped.
//! - [`TestServer`]: the real server **in process** (`Config::load` → `cli::open_app` → `http::start`) on its own
//!   multi-thread tokio runtime, on free ports. Gives [`TestServer::app`] for direct use-case calls next to HTTP.
//! - [`BinaryServer`]: the compiled binary running `serve`, for what only a process shows (ports from
//!   `[server] offset`, logs, signals, restarts).
//! - [`run_cli`] / [`CliCommand`] / [`Workspace::cli`]: the binary's admin commands, with a timeout.
//! - [`client`]: a reqwest client for both servers (self-signed certificate accepted, cookies on, redirects not
//!   followed, `localhost` pinned to 127.0.0.1).
//!
//! # Test style
//! Write async tests with `#[tokio::test]` and `.await` the client. The harness's own methods (start, stop,
//! restart, CLI runs) are synchronous and safe to call from async tests and plain `#[test]`s alike: the in-process
//! server never runs on the test's runtime. A plain `#[test]` can drive futures with [`TestServer::block_on`].
//!
//! # Logs
//! In-process logs go to the test output (shown for failing tests), filtered by `FORCERESET_LOG` (default `warn`).
//! A [`BinaryServer`] writes its stderr to a file in the workspace ([`BinaryServer::log`]).

// Not every helper is used by every test module.
#![allow(dead_code)]

use std::collections::HashSet;
use std::future::Future;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

use forcereset::app::App;
use forcereset::config::Config;
use forcereset::routes::Services as Server;
use rand::Rng;
use tempfile::TempDir;
use toml::{Table, Value};

/// The compiled `forcereset` binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_forcereset");
/// The health-check path (WSO2's).
pub const HEALTH_PATH: &str = "/api/health-check/v1.0/health";
/// How long a spawned server may take to answer its first health check.
pub const START_DEADLINE: Duration = Duration::from_secs(20);
/// How long a stopping server may take to exit after SIGTERM (the product's own grace period is 10 s).
pub const STOP_DEADLINE: Duration = Duration::from_secs(15);
/// How long one CLI command may run before it is killed.
pub const CLI_DEADLINE: Duration = Duration::from_secs(60);
/// The data directory's database file.
pub use forcereset::cli::DB_FILE;

/// Route in-process `tracing` output to the test output, once per test binary.
pub fn init_logging() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_env("FORCERESET_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .with_target(false)
            .try_init();
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Workspace
// ---------------------------------------------------------------------------------------------------------------

/// A temporary directory with a `deployment.toml` slot and a data directory.
#[derive(Clone)]
pub struct Workspace {
    dir: Arc<TempDir>,
    spawns: Arc<AtomicUsize>,
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

impl Workspace {
    /// An empty workspace: no config file yet (the CLI then uses the embedded defaults), no data directory.
    pub fn new() -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("forcereset-it-")
            .tempdir()
            .expect("create a temporary directory");
        Workspace {
            dir: Arc::new(dir),
            spawns: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// A workspace whose `deployment.toml` is `toml`, verbatim.
    pub fn with_config(toml: &str) -> Workspace {
        let ws = Workspace::new();
        ws.write_config(toml);
        ws
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `<root>/deployment.toml` (may not exist).
    pub fn config_path(&self) -> PathBuf {
        self.root().join("deployment.toml")
    }

    /// `<root>/data`: what every harness run passes as `--data-dir` / `[forcereset] data_dir`.
    pub fn data_dir(&self) -> PathBuf {
        self.root().join("data")
    }

    /// `<data_dir>/forcereset.db`.
    pub fn db_path(&self) -> PathBuf {
        self.data_dir().join(DB_FILE)
    }

    /// Replace `deployment.toml` with `toml`, verbatim.
    pub fn write_config(&self, toml: &str) {
        std::fs::write(self.config_path(), toml).expect("write deployment.toml");
    }

    /// A CLI invocation against this workspace: `--config <root>/deployment.toml` (if it exists) and
    /// `--data-dir <root>/data`, working directory `<root>`.
    pub fn cli(&self) -> CliCommand {
        let mut cmd = CliCommand::new(&self.data_dir()).current_dir(self.root());
        if self.config_path().exists() {
            cmd = cmd.config(&self.config_path());
        }
        cmd
    }

    /// Shortcut: `self.cli().run(args)`.
    pub fn run(&self, args: &[&str]) -> CliOutput {
        self.cli().run(args)
    }

    /// Shortcut: `self.cli().stdin(stdin).run(args)`.
    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> CliOutput {
        self.cli().stdin(stdin).run(args)
    }

    /// The effective config of this workspace as the CLI would see it (file or defaults, `data_dir` applied).
    pub fn load_config(&self) -> Config {
        let mut config = if self.config_path().exists() {
            Config::load(&self.config_path())
                .unwrap_or_else(|e| panic!("{e}"))
                .config
        } else {
            Config::defaults()
        };
        config.emulator.data_dir = self.data_dir();
        config
    }

    /// Open the workspace's data directory in process (as the CLI does: migrations and bootstrap run), e.g. to
    /// inspect what a [`BinaryServer`] or the CLI wrote. SQLite allows this next to a running server.
    pub fn open_app(&self) -> App {
        init_logging();
        forcereset::cli::open_app(self.load_config()).unwrap_or_else(|e| panic!("open_app: {e:#}"))
    }

    /// An [`App`] over the workspace's database **without** the bootstrap, so that checking for the admin or
    /// other data cannot recreate it. The database must already exist.
    pub fn inspect_app(&self) -> App {
        init_logging();
        assert!(self.db_path().exists(), "no database at {}", self.db_path().display());
        let store = forcereset::store::Store::open(&self.db_path()).unwrap_or_else(|e| panic!("open store: {e}"));
        App::new(self.load_config(), store, forcereset::app::system_clock())
    }

    fn next_log_path(&self, what: &str) -> PathBuf {
        let n = self.spawns.fetch_add(1, Ordering::SeqCst) + 1;
        self.root().join(format!("{what}-{n}.log"))
    }
}

/// `toml` with `keys` set in its `[forcereset]` table (created if absent; keys given in `toml` are overwritten).
/// Panics if `toml` does not parse.
pub fn merge_forcereset(toml: &str, keys: Table) -> String {
    let mut doc: Table = toml
        .parse()
        .unwrap_or_else(|e| panic!("test config is not valid TOML: {e}\n{toml}"));
    let table = doc.entry("forcereset").or_insert_with(|| Value::Table(Table::new()));
    let Value::Table(table) = table else {
        panic!("test config: forcereset is not a table");
    };
    table.extend(keys);
    toml::to_string(&doc).expect("serialize the test config")
}

/// Port numbers `9443 + N` and `9763 + N` both free on 127.0.0.1, for `[server] offset = N`. N is random in
/// 1000..20000, so the ports stay below Linux's ephemeral range and away from port-0 listeners; an offset is never
/// handed out twice in one test run.
pub fn free_offset() -> u16 {
    static TAKEN: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    let mut rng = rand::rng();
    for _ in 0..200 {
        let offset: u16 = rng.random_range(1000..20000);
        let mut taken = TAKEN.lock().unwrap_or_else(|e| e.into_inner());
        let taken = taken.get_or_insert_with(HashSet::new);
        if taken.contains(&offset) {
            continue;
        }
        let https = TcpListener::bind(("127.0.0.1", 9443 + offset));
        let http = TcpListener::bind(("127.0.0.1", 9763 + offset));
        if https.is_ok() && http.is_ok() {
            taken.insert(offset);
            return offset;
        }
    }
    panic!("no free port offset found in 200 tries");
}

/// A port free on 127.0.0.1 right now (bound to 0, read, released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP client
// ---------------------------------------------------------------------------------------------------------------

/// Selenium over Debian's headless Chromium, through the toolkits' Python: for the browser tests.
pub struct Selenium {
    python: String,
}

impl Selenium {
    /// None (the test skips) only when asked to: `FORCERESET_SKIP_BROWSER=1`. A missing Chromium is otherwise a
    /// failure naming the packages (a test that returned early looked green: issue 14); `tests/run.sh` installs
    /// them or stops before the tests.
    pub fn available() -> Option<Selenium> {
        let skip = std::env::var_os("FORCERESET_SKIP_BROWSER").is_some_and(|v| v == "1");
        if skip {
            eprintln!("SKIPPED (FORCERESET_SKIP_BROWSER=1): a browser test");
            return None;
        }
        assert!(
            Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists(),
            "headless Chromium is missing: install Debian's chromium and chromium-driver (tests/run.sh does as \
             root), or set FORCERESET_SKIP_BROWSER=1 to skip the browser tests"
        );
        let python = crate::smtp::python();
        assert!(
            python.is_some(),
            "the browser tests drive Chromium from the toolkits' Python venv: run them through `bash tests/run.sh`, \
             or set FORCERESET_SKIP_BROWSER=1"
        );
        python.map(|python| Selenium { python })
    }

    /// Run `tests/toolkits/<script>` with `args`, then the screenshot dir `target/test-artifacts/<shots>/` (emptied
    /// first); assert it succeeded and every check passed. Returns the screenshot dir.
    pub fn run(&self, script: &str, args: &[&str], shots: &str) -> PathBuf {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let shots = root.join("target/test-artifacts").join(shots);
        let _ = std::fs::remove_dir_all(&shots);
        let out = Command::new(&self.python)
            .arg(root.join("tests/toolkits").join(script))
            .args(args)
            .arg(&shots)
            .env("SE_OFFLINE", "true")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(" passed, 0 failed") && !stdout.contains("FAIL"),
            "{stdout}"
        );
        shots
    }
}

/// The text of the first `<b>` element of a mail: where WSO2's own test reads the OTP
/// (`Jsoup…selectFirst("b")`).
pub fn first_bold(html: &str) -> String {
    html.split("<b>")
        .nth(1)
        .and_then(|s| s.split("</b>").next())
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// The role the seed document's users log in with: `/permission/admin/login` and nothing else.
pub const LOGIN_ROLE: &str = "loginrole";

/// Add a user of the seed document (tom, as a rule) in [`LOGIN_ROLE`], with `password` and these default-profile
/// claims; the role is created the first time.
pub fn add_login_user(app: &App, name: &str, password: &str, claims: &[(&str, &str)]) {
    use forcereset::app::Actor;
    let sys = Actor::System;
    if !app.role_names(&sys).unwrap().iter().any(|r| r == LOGIN_ROLE) {
        app.add_role(&sys, LOGIN_ROLE, &["/permission/admin/login".into()], &[])
            .unwrap();
    }
    let claims: Vec<(String, String)> = claims.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    app.add_user(
        &sys,
        name,
        &forcereset::domain::secret::Secret::new(password),
        &[LOGIN_ROLE.into()],
        &claims,
        "default",
    )
    .unwrap();
}

/// Run `tests/toolkits/<script>` with `args` through the toolkits' Python and return its stdout; fails the test
/// unless the script exits 0.
pub fn run_toolkit(python: &str, script: &str, args: &[&str]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/toolkits")
        .join(script);
    let out = std::process::Command::new(python)
        .arg(&script)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A client for the servers under test: accepts the self-signed certificate, keeps cookies, does not follow
/// redirects, ignores proxy settings, exposes TLS info (`reqwest::tls::TlsInfo` in response extensions), and
/// resolves `localhost` to 127.0.0.1 (the servers bind 127.0.0.1; links they generate say `localhost`).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .tls_info(true)
        .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], 0)))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("build the reqwest client")
}

// ---------------------------------------------------------------------------------------------------------------
// In-process server
// ---------------------------------------------------------------------------------------------------------------

/// Options for [`TestServer`]: the deployment.toml text and extra `[forcereset]` keys.
#[derive(Default)]
pub struct TestServerBuilder {
    toml: String,
    forcereset: Table,
    workspace: Option<Workspace>,
}

impl TestServerBuilder {
    /// The deployment.toml text (default: empty, i.e. all defaults). May contain a `[forcereset]` table.
    pub fn config(mut self, toml: &str) -> Self {
        self.toml = toml.to_string();
        self
    }

    /// Set a `[forcereset]` key, e.g. `.forcereset("enable_http", false)`. Overrides the harness's port 0.
    pub fn forcereset(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.forcereset.insert(key.to_string(), value.into());
        self
    }

    /// Use an existing workspace (e.g. one the CLI has already filled) instead of a new one.
    pub fn workspace(mut self, ws: &Workspace) -> Self {
        self.workspace = Some(ws.clone());
        self
    }

    /// Write the merged config to the workspace and start the server. Panics with the reason on failure.
    pub fn start(self) -> TestServer {
        let ws = self.workspace.unwrap_or_default();
        let mut keys = Table::new();
        keys.insert("https_port".into(), Value::Integer(0));
        keys.insert("http_port".into(), Value::Integer(0));
        keys.extend(self.forcereset);
        keys.insert("data_dir".into(), Value::String(ws.data_dir().display().to_string()));
        ws.write_config(&merge_forcereset(&self.toml, keys));
        let mut server = TestServer {
            ws,
            warnings: Vec::new(),
            running: None,
            client: client(),
        };
        server.launch();
        server
    }
}

struct Running {
    app: Arc<App>,
    server: Server,
    runtime: tokio::runtime::Runtime,
    https: Option<SocketAddr>,
    http: Option<SocketAddr>,
}

/// The real server in this process on free ports. Stopped gracefully by [`TestServer::stop`] or on drop.
pub struct TestServer {
    ws: Workspace,
    warnings: Vec<String>,
    running: Option<Running>,
    client: reqwest::Client,
}

impl TestServer {
    /// Defaults (admin/admin, built-in mailbox, self-signed certificate) on free ports in a new workspace.
    pub fn start() -> TestServer {
        Self::builder().start()
    }

    /// `toml` as deployment.toml, plus `[forcereset] data_dir`, `https_port = 0`, `http_port = 0`.
    pub fn start_with(toml: &str) -> TestServer {
        Self::builder().config(toml).start()
    }

    pub fn builder() -> TestServerBuilder {
        TestServerBuilder::default()
    }

    fn launch(&mut self) {
        init_logging();
        let loaded = Config::load(&self.ws.config_path()).unwrap_or_else(|e| panic!("config: {e}"));
        self.warnings = loaded.warnings;
        let config = loaded.config;
        let app = Arc::new(forcereset::cli::open_app(config.clone()).unwrap_or_else(|e| panic!("open_app: {e:#}")));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("test-server")
            .enable_all()
            .build()
            .expect("build the server runtime");
        // `block_on` on a helper thread, so this also works when called from inside an async test.
        let server = std::thread::scope(|s| {
            s.spawn(|| runtime.block_on(forcereset::routes::Services::start(app.clone(), &config)))
                .join()
                .expect("server start thread")
        })
        .unwrap_or_else(|e| panic!("Services::start: {e}"));
        self.running = Some(Running {
            https: server.server.https_addr(),
            http: server.server.http_addr(),
            app,
            server,
            runtime,
        });
    }

    fn running(&self) -> &Running {
        self.running.as_ref().expect("the TestServer is stopped")
    }

    /// The use cases, for arranging and checking state directly.
    pub fn app(&self) -> Arc<App> {
        self.running().app.clone()
    }

    /// `https://localhost:<port>` (no trailing slash).
    pub fn https_url(&self) -> String {
        let addr = self.running().https.expect("HTTPS is disabled");
        format!("https://localhost:{}", addr.port())
    }

    /// `http://localhost:<port>` (no trailing slash).
    pub fn http_url(&self) -> String {
        let addr = self.running().http.expect("HTTP is disabled");
        format!("http://localhost:{}", addr.port())
    }

    /// `https_url() + path`.
    pub fn https(&self, path: &str) -> String {
        format!("{}{path}", self.https_url())
    }

    /// POST a SOAP 1.1 body to `path` over HTTPS with Basic `auth`: the status and the body text.
    pub async fn soap(
        &self,
        path: &str,
        body: impl Into<reqwest::Body>,
        auth: (&str, &str),
    ) -> (reqwest::StatusCode, String) {
        // The server's own client: one TLS connection kept alive across calls, as SOAP tools do.
        let resp = self
            .client
            .post(self.https(path))
            .header("Content-Type", "text/xml;charset=UTF-8")
            .basic_auth(auth.0, Some(auth.1))
            .body(body)
            .send()
            .await
            .unwrap();
        (resp.status(), resp.text().await.unwrap())
    }

    /// `http_url() + path`.
    pub fn http(&self, path: &str) -> String {
        format!("{}{path}", self.http_url())
    }

    pub fn https_addr(&self) -> Option<SocketAddr> {
        self.running().https
    }

    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.running().http
    }

    /// A clone of this server's client (clones share the cookie jar). See [`client`] for a fresh jar.
    pub fn client(&self) -> reqwest::Client {
        self.client.clone()
    }

    pub fn workspace(&self) -> &Workspace {
        &self.ws
    }

    pub fn data_dir(&self) -> PathBuf {
        self.ws.data_dir()
    }

    pub fn config_path(&self) -> PathBuf {
        self.ws.config_path()
    }

    /// The unknown-key warnings the config produced.
    pub fn config_warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The CLI against this server's config and data directory (allowed while it runs).
    pub fn cli(&self) -> CliCommand {
        self.ws.cli()
    }

    /// Run a future on the server's runtime. For plain `#[test]`s only: panics inside an async context.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.running().runtime.block_on(future)
    }

    /// Shut down gracefully (in-flight requests finish) and close the database. Idempotent.
    pub fn stop(&mut self) {
        let Some(Running {
            app, server, runtime, ..
        }) = self.running.take()
        else {
            return;
        };
        // On a helper thread: neither `block_on` nor dropping a runtime is allowed inside an async context.
        let stopped = std::thread::spawn(move || {
            runtime.block_on(server.shutdown());
            runtime.shutdown_timeout(Duration::from_secs(5));
        })
        .join();
        if stopped.is_err() {
            eprintln!("TestServer: shutdown thread panicked");
        }
        drop(app);
    }

    /// Stop, then start again on the same workspace (same config, data and certificate; new free ports).
    /// Holders of an old [`TestServer::app`] keep a working but separate connection.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The binary as a server
// ---------------------------------------------------------------------------------------------------------------

/// The compiled binary running `serve --config <ws>/deployment.toml --data-dir <ws>/data`, stderr in a log file.
/// SIGTERM on [`BinaryServer::stop`] or drop. A restart reuses the same ports (unless they are 0): use a new
/// [`client`] for the new process, or the old one may hand out a pooled connection to the dead one.
pub struct BinaryServer {
    ws: Workspace,
    child: Option<Child>,
    log_path: PathBuf,
    https: Option<SocketAddr>,
    http: Option<SocketAddr>,
}

impl BinaryServer {
    /// A new workspace with `toml` as deployment.toml (verbatim), then [`BinaryServer::spawn`].
    pub fn start(toml: &str) -> BinaryServer {
        Self::spawn(&Workspace::with_config(toml), &[])
    }

    /// Start `serve` on `ws` (extra `args` go after `serve`) and wait until the health check answers 200.
    /// Ports: the config's (`[forcereset] https_port`/`http_port`, else 9443/9763 + offset); when a port is 0,
    /// the address the server logs (`listening on https://…`). Panics, with the log, if it exits or is not
    /// healthy within [`START_DEADLINE`].
    pub fn spawn(ws: &Workspace, args: &[&str]) -> BinaryServer {
        Self::spawn_env(ws, args, &[])
    }

    /// [`BinaryServer::spawn`] with extra environment variables (e.g. `FORCERESET_LOG=debug`).
    pub fn spawn_env(ws: &Workspace, args: &[&str], env: &[(&str, &str)]) -> BinaryServer {
        let config = ws.load_config();
        let log_path = ws.next_log_path("serve");
        let log = std::fs::File::create(&log_path).expect("create the server log");
        let mut cmd = Command::new(BIN);
        cmd.arg("serve")
            .arg("--config")
            .arg(ws.config_path())
            .arg("--data-dir")
            .arg(ws.data_dir())
            .args(args)
            .current_dir(ws.root())
            .env("FORCERESET_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("spawn forcereset serve");
        let mut server = BinaryServer {
            ws: ws.clone(),
            child: Some(child),
            log_path,
            https: None,
            http: None,
        };
        server.wait_ready(&config);
        server
    }

    fn wait_ready(&mut self, config: &Config) {
        let deadline = Instant::now() + START_DEADLINE;
        let want = |enabled: bool, port: u16, scheme: &str, log: &str| -> Option<Option<SocketAddr>> {
            if !enabled {
                return Some(None);
            }
            if port != 0 {
                return Some(Some(SocketAddr::from(([127, 0, 0, 1], port))));
            }
            logged_addr(log, scheme).map(Some)
        };
        loop {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!(
                    "forcereset serve exited with {status} before it was ready; log:\n{}",
                    self.log()
                );
            }
            let log = self.log();
            let https = want(
                config.emulator.enable_https,
                config.effective_https_port(),
                "https",
                &log,
            );
            let http = want(config.emulator.enable_http, config.effective_http_port(), "http", &log);
            if let (Some(https), Some(http)) = (https, http) {
                self.https = https;
                self.http = http;
                let url = match (https, http) {
                    (Some(a), _) => format!("https://localhost:{}{HEALTH_PATH}", a.port()),
                    (None, Some(a)) => format!("http://localhost:{}{HEALTH_PATH}", a.port()),
                    (None, None) => return,
                };
                if health_ok(&url) {
                    return;
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "forcereset serve not healthy within {:?}; log:\n{}",
                    START_DEADLINE,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn workspace(&self) -> &Workspace {
        &self.ws
    }

    pub fn https_addr(&self) -> Option<SocketAddr> {
        self.https
    }

    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http
    }

    /// `https://localhost:<port>`.
    pub fn https_url(&self) -> String {
        format!("https://localhost:{}", self.https.expect("HTTPS is disabled").port())
    }

    /// `http://localhost:<port>`.
    pub fn http_url(&self) -> String {
        format!("http://localhost:{}", self.http.expect("HTTP is disabled").port())
    }

    /// The process id (None once stopped).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Everything the server wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// SIGTERM, then wait up to [`STOP_DEADLINE`] (SIGKILL after that, and panic). Returns the exit status.
    pub fn stop(mut self) -> ExitStatus {
        match self.terminate() {
            Ok(status) => status,
            Err(message) => panic!("{message}; log:\n{}", self.log()),
        }
    }

    fn terminate(&mut self) -> Result<ExitStatus, String> {
        let Some(mut child) = self.child.take() else {
            return Err("already stopped".to_string());
        };
        if let Ok(Some(status)) = child.try_wait() {
            return Ok(status);
        }
        let sent = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !sent {
            let _ = child.kill();
        }
        let deadline = Instant::now() + STOP_DEADLINE;
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "forcereset serve did not exit within {STOP_DEADLINE:?} of SIGTERM"
                    ));
                }
                Err(e) => return Err(format!("waiting for forcereset serve: {e}")),
            }
        }
    }
}

impl Drop for BinaryServer {
    fn drop(&mut self) {
        if self.child.is_some()
            && let Err(e) = self.terminate()
        {
            eprintln!("BinaryServer: {e}");
        }
    }
}

/// The address of the first `listening on <scheme>://ADDR` line in a server log.
pub fn logged_addr(log: &str, scheme: &str) -> Option<SocketAddr> {
    let marker = format!("listening on {scheme}://");
    log.lines().find_map(|line| {
        let rest = &line[line.find(&marker)? + marker.len()..];
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// One blocking health check with a short timeout (readiness polling from sync code).
fn health_ok(url: &str) -> bool {
    let url = url.to_string();
    std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return false;
        };
        runtime.block_on(async {
            let Ok(client) = reqwest::Client::builder()
                .danger_accept_invalid_certs(true)
                .no_proxy()
                .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], 0)))
                .timeout(Duration::from_secs(2))
                .build()
            else {
                return false;
            };
            matches!(client.get(&url).send().await, Ok(r) if r.status() == reqwest::StatusCode::OK)
        })
    })
    .join()
    .unwrap_or(false)
}

// ---------------------------------------------------------------------------------------------------------------
// The binary as a CLI
// ---------------------------------------------------------------------------------------------------------------

/// What a CLI run produced.
#[derive(Debug)]
pub struct CliOutput {
    pub args: Vec<String>,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl CliOutput {
    /// The exit code (None if killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Assert exit code 0; return stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(self.code(), Some(0), "expected success:\n{self}");
        &self.stdout
    }

    /// Assert exit code 1 with exactly one line on stderr; return that line.
    #[track_caller]
    pub fn fails(&self) -> &str {
        assert_eq!(self.code(), Some(1), "expected exit code 1:\n{self}");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "expected one line on stderr:\n{self}");
        lines[0]
    }
}

impl std::fmt::Display for CliOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "$ forcereset {}\n-- {}\n-- stdout:\n{}-- stderr:\n{}",
            self.args.join(" "),
            self.status,
            self.stdout,
            self.stderr
        )
    }
}

/// One run of the binary. `FORCERESET_LOG` defaults to `warn`, so stderr holds warnings and the error line only.
#[derive(Clone)]
pub struct CliCommand {
    data_dir: Option<PathBuf>,
    config: Option<PathBuf>,
    cwd: PathBuf,
    stdin: Option<String>,
    env: Vec<(String, String)>,
    timeout: Duration,
}

impl CliCommand {
    /// `--data-dir data_dir`; the working directory is `data_dir` itself (created if missing), so no stray
    /// `./deployment.toml` is picked up.
    pub fn new(data_dir: &Path) -> CliCommand {
        std::fs::create_dir_all(data_dir).expect("create the data directory");
        CliCommand {
            data_dir: Some(data_dir.to_path_buf()),
            config: None,
            cwd: data_dir.to_path_buf(),
            stdin: None,
            env: vec![("FORCERESET_LOG".to_string(), "warn".to_string())],
            timeout: CLI_DEADLINE,
        }
    }

    /// No `--data-dir` (e.g. `--help`), run in `cwd`.
    pub fn bare(cwd: &Path) -> CliCommand {
        CliCommand {
            data_dir: None,
            cwd: cwd.to_path_buf(),
            ..CliCommand::new(cwd)
        }
    }

    pub fn config(mut self, path: &Path) -> Self {
        self.config = Some(path.to_path_buf());
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Self {
        self.cwd = dir.to_path_buf();
        self
    }

    /// Feed `text` on standard input (otherwise stdin is empty, not a terminal).
    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.to_string());
        self
    }

    /// Set an environment variable (`FORCERESET_LOG` replaces the default `warn`).
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Run `forcereset [--config C] [--data-dir D] <args>`; panics if it runs longer than the timeout.
    pub fn run(&self, args: &[&str]) -> CliOutput {
        let mut full: Vec<String> = Vec::new();
        if let Some(config) = &self.config {
            full.extend(["--config".to_string(), config.display().to_string()]);
        }
        if let Some(dir) = &self.data_dir {
            full.extend(["--data-dir".to_string(), dir.display().to_string()]);
        }
        full.extend(args.iter().map(|a| a.to_string()));

        let mut cmd = Command::new(BIN);
        cmd.args(&full)
            .current_dir(&self.cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn forcereset");
        let stdin = child.stdin.take();
        let text = self.stdin.clone();
        let writer = std::thread::spawn(move || {
            if let (Some(mut pipe), Some(text)) = (stdin, text) {
                // The child may exit without reading; a broken pipe is its business.
                let _ = pipe.write_all(text.as_bytes());
            }
        });
        let stdout = reader(child.stdout.take());
        let stderr = reader(child.stderr.take());
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait().expect("wait for forcereset") {
                Some(status) => break status,
                None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
                None => {
                    let _ = child.kill();
                    let out = CliOutput {
                        args: full,
                        status: child.wait().expect("reap forcereset"),
                        stdout: stdout.join().unwrap_or_default(),
                        stderr: stderr.join().unwrap_or_default(),
                    };
                    panic!("forcereset did not finish within {:?}:\n{out}", self.timeout);
                }
            }
        };
        let _ = writer.join();
        CliOutput {
            args: full,
            status,
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        }
    }
}

fn reader<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Run CLI `args` against `data_dir` (`--data-dir`, embedded default config), optionally feeding `stdin`.
pub fn run_cli(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> CliOutput {
    let mut cmd = CliCommand::new(data_dir);
    if let Some(text) = stdin {
        cmd = cmd.stdin(text);
    }
    cmd.run(args)
}
