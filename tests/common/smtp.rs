//! Test support shared by the unit tests of `mail::worker` and the integration tests: a real SMTP server
//! (`tests/toolkits/smtp_server.py`, aiosmtpd) run with the Python that `FORCERESET_PYTHON` names.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const SERVER_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/toolkits/smtp_server.py");
pub const DEADLINE: Duration = Duration::from_secs(15);

/// The Python to run the server with; None (after a note) when these tests should be skipped.
pub fn python() -> Option<String> {
    match std::env::var("FORCERESET_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ if std::env::var_os("CI").is_some() => {
            panic!("FORCERESET_PYTHON is not set under CI: run the tests with tests/run.sh")
        }
        _ => {
            eprintln!("skipped: FORCERESET_PYTHON is not set (tests/run.sh sets it up)");
            None
        }
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running `smtp_server.py`; killed when dropped.
pub struct SmtpServer {
    child: Child,
    maildir: PathBuf,
    stderr: PathBuf,
}

impl SmtpServer {
    /// A server that offers STARTTLS (a self-signed certificate for localhost, written into `dir`) and requires
    /// AUTH with `user` and `password`.
    pub fn start_tls_auth(python: &str, dir: &Path, port: u16, user: &str, password: &str) -> SmtpServer {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        let (cert_path, key_path) = (dir.join("smtp.crt"), dir.join("smtp.key"));
        std::fs::write(&cert_path, cert.cert.pem()).unwrap();
        std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
        SmtpServer::start(
            python,
            dir,
            port,
            &[
                "--tls-cert",
                cert_path.to_str().unwrap(),
                "--tls-key",
                key_path.to_str().unwrap(),
                "--auth-user",
                user,
                "--auth-password",
                password,
            ],
        )
    }

    pub fn start(python: &str, dir: &Path, port: u16, extra: &[&str]) -> SmtpServer {
        let maildir = dir.join("maildir");
        let stderr = dir.join(format!("smtp-{port}.stderr"));
        let mut child = Command::new(python)
            .arg(SERVER_SCRIPT)
            .args(["--port", &port.to_string(), "--maildir"])
            .arg(&maildir)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep the pipe open until the server exits.
            let _ = reader.read_to_end(&mut Vec::new());
        });
        let server = SmtpServer { child, maildir, stderr };
        match rx.recv_timeout(DEADLINE) {
            Ok(line) if line.trim() == format!("READY {port}") => server,
            other => panic!(
                "smtp_server.py did not start: {other:?}; stderr: {}",
                server.stderr_text()
            ),
        }
    }

    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// The saved messages, in arrival order.
    pub fn messages(&self) -> Vec<String> {
        (1..)
            .map(|n| self.maildir.join(format!("{n}.eml")))
            .take_while(|p| p.exists())
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    pub fn log(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.maildir.join("log.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Decode a quoted-printable body (soft line breaks and `=XX` escapes), as lettre writes mail bodies.
pub fn decode_qp(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'=' && i + 2 < bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        if let Some(b) = escaped {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A header of a raw message (first match, unfolded).
pub fn header<'a>(eml: &'a str, name: &str) -> Option<&'a str> {
    eml.lines().take_while(|l| !l.is_empty()).find_map(|l| {
        l.split_once(':')
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    })
}

/// The decoded body of a raw single-part message.
pub fn body(eml: &str) -> String {
    let raw = eml
        .split_once("\r\n\r\n")
        .or_else(|| eml.split_once("\n\n"))
        .map_or("", |(_, b)| b);
    match header(eml, "Content-Transfer-Encoding") {
        Some(enc) if enc.eq_ignore_ascii_case("quoted-printable") => decode_qp(raw),
        _ => raw.to_string(),
    }
}
