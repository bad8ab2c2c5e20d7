//! Abuse of the SOAP side: password guessing on Basic auth (the failed-login lock holds even against the right
//! password, then expires), idle-connection floods and slowloris clients (dropped at the read timeout while the
//! server keeps answering), and secrets kept out of a debug log through a full scenario in every reset mode.

use forcereset::store::TenantId;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use forcereset::app::{App, CodeCheck};
use forcereset::domain::secret::Secret;
use forcereset::store::Store;
use reqwest::StatusCode;

use crate::smtp::{self, SmtpServer};
use crate::support::{BinaryServer, HEALTH_PATH, TestServer, Workspace};

const UPM: &str = "/services/UserProfileMgtService";
const RUS: &str = "/services/RemoteUserStoreManagerService";
const GOV: &str = "/services/IdentityGovernanceAdminService";
const EMAIL: &str = "http://wso2.org/claims/emailaddress";
const OTP_CLAIM: &str = "http://wso2.org/claims/oneTimePassword";
const AUTH_FAILED: &str = "Authentication failed";

fn envelope(payload: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ser="http://service.ws.um.carbon.wso2.org" xmlns:xsd="http://common.mgt.user.carbon.wso2.org/xsd" xmlns:mgt="http://mgt.profile.user.identity.carbon.wso2.org" xmlns:mxsd="http://mgt.profile.user.identity.carbon.wso2.org/xsd" xmlns:gov="http://governance.identity.carbon.wso2.org" xmlns:m="http://model.common.application.identity.carbon.wso2.org/xsd"><s:Body>{payload}</s:Body></s:Envelope>"#
    )
}

fn is_existing_user(user: &str) -> String {
    envelope(&format!(
        "<ser:isExistingUser><ser:userName>{user}</ser:userName></ser:isExistingUser>"
    ))
}

fn force_reset(user: &str) -> String {
    envelope(&format!(
        "<mgt:setUserProfile><mgt:username>{user}</mgt:username><mgt:profile><mxsd:fieldValues>\
         <mxsd:claimUri>http://wso2.org/claims/identity/adminForcedPasswordReset</mxsd:claimUri>\
         <mxsd:fieldValue>true</mxsd:fieldValue></mxsd:fieldValues><mxsd:profileName>default</mxsd:profileName>\
         </mgt:profile></mgt:setUserProfile>"
    ))
}

/// Exactly one reset mode on, through IdentityGovernanceAdminService as WSO2's own test does.
fn only_mode(mode: &str) -> String {
    let props: String = ["RecoveryLink", "OTP", "Offline"]
        .iter()
        .map(|m| {
            format!(
                "<gov:configurations><m:name>Recovery.AdminPasswordReset.{m}</m:name><m:value>{}</m:value></gov:configurations>",
                *m == mode
            )
        })
        .collect();
    envelope(&format!("<gov:updateConfigurations>{props}</gov:updateConfigurations>"))
}

/// POST a SOAP request with Basic credentials; status, Set-Cookie values and body.
async fn soap(base: &str, path: &str, body: String, user: &str, password: &str) -> (StatusCode, Vec<String>, String) {
    let resp = crate::support::client()
        .post(format!("{base}{path}"))
        .basic_auth(user, Some(password))
        .header("Content-Type", "text/xml;charset=UTF-8")
        .body(body)
        .send()
        .await
        .unwrap();
    let cookies = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    (resp.status(), cookies, resp.text().await.unwrap())
}

// Where this test's settable clock starts: the real time; the test moves it from there.
#[allow(clippy::disallowed_methods)]
fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

// ---- password guessing ----------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_the_admin_password_locks_it_even_for_the_right_password_until_the_lock_expires() {
    // Account locking is off by default, as in a fresh WSO2: the test turns it on.
    let ws = Workspace::with_config(
        "[identity_mgt.account_locking]\nenable_account_locking = true\nallowed_failed_attempts = 3\n\
         auto_unlock_after = 1\n[forcereset]\nhttps_port = 0\nhttp_port = 0\n",
    );
    // The real server on this test's runtime, over an App whose clock the test moves.
    std::fs::create_dir_all(ws.data_dir()).unwrap();
    let now = Arc::new(AtomicI64::new(now_millis()));
    let clock = now.clone();
    let config = ws.load_config();
    let app = Arc::new(App::new(
        config.clone(),
        Store::open(&ws.db_path()).unwrap(),
        Arc::new(move || clock.load(Ordering::SeqCst)),
    ));
    app.bootstrap().unwrap();
    let services = forcereset::routes::Services::start(app.clone(), &config).await.unwrap();
    let base = format!("https://localhost:{}", services.server.https_addr().unwrap().port());
    let call = |password: &'static str| soap(&base, RUS, is_existing_user("admin"), "admin", password);

    let (status, _, body) = call("admin").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for guess in ["password", "123456", "admin123"] {
        let (status, _, body) = call(guess).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains(AUTH_FAILED), "{body}");
    }
    // allowed_failed_attempts reached: the right password is refused too, with the same fault as a wrong one.
    assert!(app.is_locked("admin").unwrap());
    let (status, _, body) = call("admin").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains(AUTH_FAILED), "{body}");
    let (_, _, wrong) = call("guess").await;
    assert_eq!(body, wrong, "a locked account answers exactly like a wrong password");
    // Half the lock time later: still locked.
    now.fetch_add(30_000, Ordering::SeqCst);
    let (status, _, _) = call("admin").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    // auto_unlock_after = 1 minute: the right password works again, and the lock is lifted.
    now.fetch_add(31_000, Ordering::SeqCst);
    let (status, _, body) = call("admin").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!app.is_locked("admin").unwrap());
    services.shutdown().await;
}

// ---- connection floods and slow headers ----------------------------------------------------------------------

/// Has the server closed this connection (EOF or reset) by `deadline`?
fn closed_by(tcp: &mut TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        tcp.set_read_timeout(Some(left)).unwrap();
        match tcp.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return false;
            }
            Err(_) => return true,
        }
    }
}

#[test]
fn idle_floods_and_slowloris_clients_are_dropped_while_health_checks_are_answered() {
    const READ_TIMEOUT: Duration = Duration::from_secs(2);
    let server = TestServer::builder()
        .forcereset("read_timeout_seconds", READ_TIMEOUT.as_secs() as i64)
        .start();
    let (http, https) = (server.http_addr().unwrap(), server.https_addr().unwrap());
    let health = |base: &str| {
        let url = format!("{base}{HEALTH_PATH}");
        let started = Instant::now();
        let status = server.block_on(async { crate::support::client().get(&url).send().await.unwrap().status() });
        (status, started.elapsed())
    };

    // 200 connections that never send a byte (150 plain, 50 stuck before the TLS handshake).
    let opened = Instant::now();
    let mut idle: Vec<TcpStream> = (0..200)
        .map(|i| TcpStream::connect(if i < 150 { http } else { https }).unwrap())
        .collect();
    // A slowloris client: a request head trickled one header line every 300 ms, never finished.
    let mut slow = TcpStream::connect(http).unwrap();
    slow.write_all(b"GET /api/health-check/v1.0/health HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap();
    let trickle = {
        let mut slow = slow.try_clone().unwrap();
        std::thread::spawn(move || {
            for n in 0..100 {
                std::thread::sleep(Duration::from_millis(300));
                if slow.write_all(format!("X-Slow-{n}: 1\r\n").as_bytes()).is_err() {
                    return n;
                }
            }
            100
        })
    };

    // Meanwhile the server answers, quickly, over both listeners.
    for base in [server.https_url(), server.http_url()] {
        let (status, took) = health(&base);
        assert_eq!(status, StatusCode::OK, "{base}");
        assert!(took < READ_TIMEOUT, "{base}: {took:?} with 200 idle connections open");
    }

    // The read timeout ends them all: the slowloris client first (its head is not complete in time), and every
    // idle connection (no request head, or no TLS handshake, in time).
    let deadline = opened + READ_TIMEOUT + Duration::from_secs(5);
    assert!(
        closed_by(&mut slow, deadline),
        "the slowloris client is still connected"
    );
    let lines_sent = trickle.join().unwrap();
    assert!(
        lines_sent < 30,
        "the slowloris client sent {lines_sent} header lines before being cut off"
    );
    let still_open = idle
        .iter_mut()
        .map(|tcp| closed_by(tcp, deadline))
        .filter(|closed| !closed)
        .count();
    assert_eq!(
        still_open,
        0,
        "idle connections still open after {:?}",
        opened.elapsed()
    );
    let (status, _) = health(&server.https_url());
    assert_eq!(status, StatusCode::OK);
}

/// A field of `/proc/<pid>/status` in KiB.
fn proc_status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

/// Regression: every login costs an argon2 verification needing 19 MiB, unknown users included; 200 parallel
/// wrong logins took the server from 38 MB to 3.7 GB, and it stayed there. Now at most one per core (2..=8) runs
/// at once, in working memory allocated once (`app::gate`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_parallel_wrong_logins_does_not_grow_the_server() {
    const LOGINS: usize = 64;
    let ws = Workspace::with_config("[forcereset]\nhttps_port = 0\nhttp_port = 0\n");
    let server = BinaryServer::spawn(&ws, &[]);
    let pid = server.pid().unwrap();
    let before = proc_status_kib(pid, "VmHWM");
    let client = crate::support::client();
    let started = Instant::now();
    let logins: Vec<_> = (0..LOGINS)
        .map(|i| {
            let request = client
                .post(format!("{}{RUS}", server.https_url()))
                .basic_auth(format!("nobody{i}"), Some("guess"))
                .header("Content-Type", "text/xml;charset=UTF-8")
                .body(is_existing_user("admin"))
                .send();
            tokio::spawn(request)
        })
        .collect();
    for login in logins {
        let resp = login.await.unwrap().unwrap();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(resp.text().await.unwrap().contains(AUTH_FAILED));
    }
    let took = started.elapsed();
    let after = proc_status_kib(pid, "VmHWM");
    let slots = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8) as u64;
    eprintln!("{LOGINS} parallel wrong logins in {took:?}: VmHWM {before} KiB → {after} KiB ({slots} argon2 slots)");
    // Unbounded, 64 × 19 MiB ≈ 1.2 GiB; bounded, a few slots' worth.
    assert!(
        after < before + (slots + 4) * 20 * 1024 + 64 * 1024,
        "peak memory {after} KiB after {LOGINS} parallel logins (started at {before} KiB)"
    );
    // And the server still answers the right password at once.
    let (status, _, _) = soap(&server.https_url(), RUS, is_existing_user("admin"), "admin", "admin").await;
    assert_eq!(status, StatusCode::OK);
}

// ---- secrets and the log -------------------------------------------------------------------------------------

/// A `tracing` writer into a shared buffer, for logs of use cases run in this process.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// The value of cookie `name` among Set-Cookie header values.
fn cookie_value(set_cookies: &[String], name: &str) -> Option<String> {
    set_cookies.iter().find_map(|c| {
        c.strip_prefix(&format!("{name}="))?
            .split(';')
            .next()
            .map(str::to_string)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_password_code_otp_or_session_token_reaches_a_debug_log() {
    const ADMIN_PW: &str = "Adm1n-Only-S3cret";
    const TOM_PW: &str = "T0m-Only-S3cret";
    const WRONG_PW: &str = "Wr0ng-Guess-S3cret";
    const NEW_PW: &str = "N3w-Only-S3cret";
    const CLI_PW: &str = "Cl1-Only-S3cret";
    const SMTP_PW: &str = "Smtp-Only-S3cret";
    let smtp_dir = tempfile::tempdir().unwrap();
    let python = smtp::python();
    let smtp_port = smtp::free_port();
    let smtp_server = python.as_ref().map(|py| {
        SmtpServer::start(
            py,
            smtp_dir.path(),
            smtp_port,
            &["--auth-user", "mailer", "--auth-password", SMTP_PW],
        )
    });
    let mail_config = if smtp_server.is_some() {
        format!(
            "[output_adapter.email]\nhostname = \"127.0.0.1\"\nport = {smtp_port}\nfrom_address = \"iam@example.com\"\n\
             username = \"mailer\"\npassword = \"{SMTP_PW}\"\nenable_start_tls = false\nenable_authentication = true\n"
        )
    } else {
        String::new()
    };
    let ws = Workspace::with_config(&format!(
        "[super_admin]\nusername = \"admin\"\npassword = \"{ADMIN_PW}\"\n{mail_config}\
         [forcereset]\nhttps_port = 0\nhttp_port = 0\n"
    ));
    let mut secrets: Vec<(String, String)> = [
        ("admin password", ADMIN_PW),
        ("tom's password", TOM_PW),
        ("a wrong guess", WRONG_PW),
        ("the new password", NEW_PW),
        ("a CLI password", CLI_PW),
        ("the SMTP password", SMTP_PW),
    ]
    .iter()
    .map(|(what, s)| (what.to_string(), s.to_string()))
    .collect();

    // The CLI, at debug level too: users with passwords from stdin.
    let cli = |args: &[&str], stdin: &str| {
        let out = ws.cli().env("FORCERESET_LOG", "debug").stdin(stdin).run(args);
        out.ok();
        format!("{}{}", out.stdout, out.stderr)
    };
    let mut cli_log = String::new();
    for user in ["ann", "ben"] {
        cli_log += &cli(
            &[
                "user",
                "add",
                user,
                "--password-stdin",
                "--claim",
                &format!("{EMAIL}={user}@example.com"),
            ],
            &format!("{CLI_PW}\n"),
        );
    }

    let server = BinaryServer::spawn_env(&ws, &[], &[("FORCERESET_LOG", "debug")]);
    let base = server.https_url();
    // A user created over SOAP, with a password.
    let (status, cookies, body) = soap(
        &base,
        RUS,
        envelope(&format!(
            "<ser:addUser><ser:userName>tom</ser:userName><ser:credential>{TOM_PW}</ser:credential>\
             <ser:claims><xsd:claimURI>{EMAIL}</xsd:claimURI><xsd:value>tom@example.com</xsd:value></ser:claims>\
             <ser:profileName>default</ser:profileName><ser:requirePasswordChange>false</ser:requirePasswordChange>\
             </ser:addUser>"
        )),
        "admin",
        ADMIN_PW,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let session = cookie_value(&cookies, "JSESSIONID").expect("a session cookie");
    secrets.push(("the admin's session token".into(), session));
    // tom logs in (no admin permissions: refused after authentication), and someone guesses.
    soap(&base, RUS, is_existing_user("tom"), "tom", TOM_PW).await;
    let (_, _, body) = soap(&base, RUS, is_existing_user("tom"), "tom", WRONG_PW).await;
    assert!(body.contains(AUTH_FAILED), "{body}");

    // Offline: the admin reads the OTP over SOAP; tom then presents it as his password.
    let admin = |path: &'static str, body: String| soap(&base, path, body, "admin", ADMIN_PW);
    assert_eq!(admin(GOV, only_mode("Offline")).await.0, StatusCode::OK);
    assert_eq!(admin(UPM, force_reset("tom")).await.0, StatusCode::ACCEPTED);
    let (status, _, body) = admin(
        RUS,
        envelope(&format!(
            "<ser:getUserClaimValue><ser:userName>tom</ser:userName><ser:claim>{OTP_CLAIM}</ser:claim>\
             <ser:profileName>default</ser:profileName></ser:getUserClaimValue>"
        )),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let tom_otp = body
        .split("return>")
        .nth(1)
        .and_then(|v| v.split('<').next())
        .unwrap()
        .to_string();
    assert_eq!(tom_otp.len(), 6, "{body}");
    soap(&base, RUS, is_existing_user("tom"), "tom", &tom_otp).await;
    secrets.push(("tom's offline OTP".into(), tom_otp.clone()));

    // E-mailed OTP and link.
    assert_eq!(admin(GOV, only_mode("OTP")).await.0, StatusCode::OK);
    assert_eq!(admin(UPM, force_reset("ann")).await.0, StatusCode::ACCEPTED);
    assert_eq!(admin(GOV, only_mode("RecoveryLink")).await.0, StatusCode::OK);
    assert_eq!(admin(UPM, force_reset("ben")).await.0, StatusCode::ACCEPTED);
    let bodies: Vec<String> = match &smtp_server {
        Some(smtp) => {
            let started = Instant::now();
            while smtp.messages().len() < 2 {
                assert!(started.elapsed() < smtp::DEADLINE, "{}", smtp.stderr_text());
                std::thread::sleep(Duration::from_millis(50));
            }
            smtp.messages().iter().map(|m| smtp::body(m)).collect()
        }
        None => {
            let app = ws.inspect_app();
            app.store_for_tests()
                .read(TenantId::SUPER, |tx| tx.mails(0, 10))
                .unwrap()
                .into_iter()
                .map(|m| m.body)
                .collect()
        }
    };
    let ann_otp = bodies
        .iter()
        .find_map(|b| b.split("<b>").nth(1)?.split("</b>").next())
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(ann_otp.len(), 6, "{bodies:?}");
    let link_code = bodies
        .iter()
        .find_map(|b| b.split("confirmation=").nth(1)?.split('&').next())
        .unwrap()
        .to_string();
    assert!(link_code.len() >= 32, "{link_code}");
    secrets.push(("ann's e-mailed OTP".into(), ann_otp));
    secrets.push(("ben's link code".into(), link_code));

    // tom completes his reset (the use case the reset page calls), at debug level into a buffer.
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let completed = tracing::subscriber::with_default(subscriber, || {
        let app = ws.open_app();
        let outcome = app.complete_reset("tom", &tom_otp, &Secret::new(NEW_PW)).unwrap();
        tracing::debug!("completed tom's reset in process");
        outcome
    });
    assert!(matches!(completed, CodeCheck::Valid { .. }), "{completed:?}");
    let (status, _, body) = soap(&base, RUS, is_existing_user("tom"), "tom", NEW_PW).await;
    assert!(!body.contains(AUTH_FAILED), "the new password works: {status} {body}");
    // The admin changes ann's password from the CLI.
    cli_log += &cli(&["user", "passwd", "ann", "--password-stdin"], &format!("{CLI_PW}\n"));
    assert!(ws.open_app().authenticate("ann", &Secret::new(CLI_PW)).is_ok());

    let log_path = server.log_path().to_path_buf();
    server.stop();
    let server_log = std::fs::read_to_string(log_path).unwrap();
    let in_process = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        server_log.contains("DEBUG"),
        "the server logged at debug level:\n{server_log}"
    );
    assert!(in_process.contains("completed tom's reset"), "{in_process}");
    for (name, log) in [("server", &server_log), ("CLI", &cli_log), ("in-process", &in_process)] {
        for (what, secret) in &secrets {
            assert!(
                !log.contains(secret.as_str()),
                "{what} ({secret}) is in the {name} log:\n{log}"
            );
        }
    }
    if let Some(smtp) = &smtp_server {
        assert_eq!(smtp.log().len(), 2, "both mails were delivered with SMTP AUTH");
    }
}
