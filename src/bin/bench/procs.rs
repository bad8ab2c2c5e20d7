//! Processes under test: a scratch directory, the real `forcereset serve` binary on a temp config, and what
//! `/proc` says about a process (resident memory, CPU time).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};

/// How long a spawned server may take to answer its first health check.
const START_DEADLINE: Duration = Duration::from_secs(30);
/// How long a stopped process may take to exit after SIGTERM before it is killed.
const STOP_DEADLINE: Duration = Duration::from_secs(15);
const HEALTH_PATH: &str = "/api/health-check/v1.0/health";

/// A scratch directory, removed on drop (unless asked to keep it).
pub struct Scratch {
    pub root: PathBuf,
    pub keep: bool,
}

impl Scratch {
    /// A new directory under `parent` (default: the system temp dir).
    pub fn create(parent: Option<&Path>) -> anyhow::Result<Scratch> {
        let parent = parent.map_or_else(std::env::temp_dir, Path::to_path_buf);
        let root = parent.join(format!(
            "forcereset-bench-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
        Ok(Scratch { root, keep: false })
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

/// The file system type (`ext4`, `tmpfs`…) holding `path`, from /proc/mounts.
pub fn filesystem_of(path: &Path) -> Option<String> {
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    let path = path.canonicalize().ok()?;
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split(' ');
            let _device = fields.next()?;
            let mount_point = fields.next()?.replace("\\040", " ");
            let fstype = fields.next()?;
            path.starts_with(&mount_point)
                .then(|| (mount_point.len(), fstype.to_string()))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, fstype)| fstype)
}

/// A TCP port free on 127.0.0.1 right now.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Two distinct free ports (both held while the second is chosen).
pub fn free_ports() -> anyhow::Result<(u16, u16)> {
    let a = TcpListener::bind("127.0.0.1:0")?;
    let b = TcpListener::bind("127.0.0.1:0")?;
    Ok((a.local_addr()?.port(), b.local_addr()?.port()))
}

/// Resident memory of a process, from `/proc/<pid>/status`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    /// VmRSS: resident now.
    pub rss_kb: u64,
    /// VmHWM: the peak resident size so far.
    pub hwm_kb: u64,
}

pub fn memory(pid: u32) -> anyhow::Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    Ok(Memory {
        rss_kb: field("VmRSS:"),
        hwm_kb: field("VmHWM:"),
    })
}

/// User + system CPU time a process has used so far (all its threads, live and exited), from `/proc/<pid>/stat`.
pub fn cpu_time(pid: u32) -> Duration {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Duration::ZERO;
    };
    // The command name (field 2) may hold spaces; fields after it are space-separated. utime and stime are
    // fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// One GET of the health endpoint over plain HTTP; true on `200`.
pub fn healthy(addr: SocketAddr) -> bool {
    let attempt = || -> std::io::Result<bool> {
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(200))?;
        s.set_read_timeout(Some(Duration::from_secs(2)))?;
        s.write_all(format!("GET {HEALTH_PATH} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes())?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf)?;
        Ok(buf.starts_with(b"HTTP/1.1 200"))
    };
    attempt().unwrap_or(false)
}

/// The `deployment.toml` the benchmark runs the server with: defaults (admin/admin, built-in mailbox), the
/// WSDLs served (as the shipped deployment.toml does), the Offline OTP mode on (so a forced reset involves no
/// mail worker), fixed ports on 127.0.0.1.
pub fn server_config(data_dir: &Path, https_port: u16, http_port: u16, plain: bool) -> String {
    format!(
        r#"[server]
hostname = "localhost"

[super_admin]
username = "admin"
password = "admin"
create_admin_account = true

[admin_service.wsdl]
enable = true

[identity_mgt.password_reset_by_admin]
enable_offline_otp_based_reset = true

[[event_handler]]
name = "passwordExpiry"
[event_handler.properties]
passwordExpiryInDays = "30"

[forcereset]
data_dir = "{data_dir}"
bind_address = "127.0.0.1"
https_port = {https_port}
http_port = {http_port}
allow_admin_services_over_http = {plain}
"#,
        data_dir = data_dir
            .display()
            .to_string()
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
    )
}

/// A running `forcereset serve`.
pub struct ServerProc {
    child: Child,
    pub https: SocketAddr,
    pub http: SocketAddr,
    /// From spawn to the first `200` of the health check.
    pub ready: Duration,
    pub log: PathBuf,
}

impl ServerProc {
    /// Start `bin serve --config <config>` (the config fixing `https_port`/`http_port`), logging to `log`, and
    /// poll the health endpoint every 0.5 ms until it answers.
    pub fn spawn(bin: &Path, config: &Path, https_port: u16, http_port: u16, log: &Path) -> anyhow::Result<ServerProc> {
        let log_file = std::fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
        let http: SocketAddr = SocketAddr::from(([127, 0, 0, 1], http_port));
        let https: SocketAddr = SocketAddr::from(([127, 0, 0, 1], https_port));
        let started = Instant::now();
        let child = Command::new(bin)
            .arg("serve")
            .arg("--config")
            .arg(config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let mut server = ServerProc {
            child,
            https,
            http,
            ready: Duration::ZERO,
            log: log.to_path_buf(),
        };
        loop {
            if healthy(http) {
                server.ready = started.elapsed();
                return Ok(server);
            }
            if let Some(status) = server.child.try_wait()? {
                bail!(
                    "the server exited ({status}) before it was healthy:\n{}",
                    server.log_tail()
                );
            }
            if started.elapsed() > START_DEADLINE {
                bail!(
                    "the server was not healthy after {} s:\n{}",
                    START_DEADLINE.as_secs(),
                    server.log_tail()
                );
            }
            std::thread::sleep(Duration::from_micros(500));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn memory(&self) -> anyhow::Result<Memory> {
        memory(self.pid())
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// SIGTERM, then wait (graceful shutdown); SIGKILL if it does not exit in time.
    pub fn stop(mut self) -> anyhow::Result<()> {
        terminate(&mut self.child)
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Ask a child we started to stop (SIGTERM by its pid), wait, and kill it if it will not.
pub fn terminate(child: &mut Child) -> anyhow::Result<()> {
    if child.try_wait()?.is_some() {
        return Ok(());
    }
    let sent = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if sent {
        let deadline = Instant::now() + STOP_DEADLINE;
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    child.kill()?;
    child.wait()?;
    Ok(())
}

/// Wait until something accepts TCP connections on `addr`.
pub fn wait_listening(addr: SocketAddr, child: &mut Child) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            return Err(anyhow!("the baseline server exited ({status})"));
        }
        if started.elapsed() > START_DEADLINE {
            bail!("nothing listening on {addr} after {} s", START_DEADLINE.as_secs());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}
