//! Worker tests against a real SMTP server: `tests/toolkits/smtp_server.py` (aiosmtpd) run with the Python that
//! `FORCERESET_PYTHON` names (`tests/run.sh` sets it up). Without it they are skipped, except under CI.
// Tests check what a use case left in the store.
#![allow(clippy::disallowed_methods)]

use crate::store::TenantId;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
// The SMTP test server and its Python, shared with the integration tests.
#[path = "../../../tests/common/smtp.rs"]
mod smtp;
use crate::app::{App, system_clock};
use crate::domain::secret::Secret;
use crate::store::{MailStatus, NewMail, Store, StoreError};
use smtp::{DEADLINE, SmtpServer, free_port, header, python};

fn fast() -> WorkerOptions {
    WorkerOptions {
        base_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(400),
        poll_interval: Duration::from_millis(500),
    }
}

/// An app over a temp-dir store, sending plain SMTP to 127.0.0.1:`port`.
fn app(dir: &Path, port: u16) -> (Arc<App>, Option<Smtp>) {
    app_with(dir, config(dir, port))
}

fn config(dir: &Path, port: u16) -> Config {
    let mut config = Config::defaults();
    config.emulator.data_dir = dir.to_path_buf();
    config.emulator.smtp_timeout_seconds = 5;
    config.email.hostname = Some("127.0.0.1".into());
    config.email.port = port;
    config.email.enable_start_tls = false;
    config.email.enable_authentication = false;
    config.email.from_address = "noreply@forcereset.test".into();
    config.email.signature = "Identity Server".into();
    config.email.reply_to = "help@forcereset.test".into();
    config
}

/// The app, and the worker's SMTP settings from the same config (as the composition root makes them).
fn app_with(dir: &Path, config: Config) -> (Arc<App>, Option<Smtp>) {
    let store = Store::open(&dir.join("forcereset.db")).unwrap();
    let smtp = Smtp::from_config(&config);
    (Arc::new(App::new(config, store, system_clock())), smtp)
}

fn enqueue(app: &App, recipient: &str, subject: &str) -> i64 {
    let mail = NewMail {
        template: "adminforcedpasswordresetwithotp".into(),
        recipient: recipient.into(),
        subject: subject.into(),
        body: "<p>Your one-time password is <b>K7Q2ZP</b></p>".into(),
        content_type: "text/html".into(),
    };
    let id = app
        .store_for_tests()
        .write::<_, StoreError>(TenantId::SUPER, |tx| {
            tx.enqueue_mail(&mail, MailStatus::Pending, app.now())
        })
        .unwrap();
    app.wakeup().notify_one();
    id
}

fn row(app: &App, id: i64) -> OutboxMail {
    app.store_for_tests()
        .read(TenantId::SUPER, |tx| tx.mail(id))
        .unwrap()
        .unwrap()
}

/// Wait until the row satisfies `ok`.
async fn wait_for(app: &App, id: i64, what: &str, ok: impl Fn(&OutboxMail) -> bool) -> OutboxMail {
    let start = Instant::now();
    loop {
        let mail = row(app, id);
        if ok(&mail) {
            return mail;
        }
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}: {mail:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[test]
fn backoff_doubles_and_is_capped() {
    let o = WorkerOptions::default();
    let secs: Vec<u64> = (1..=11).map(|n| o.backoff(n).as_secs()).collect();
    assert_eq!(secs, [2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]);
    assert_eq!(o.backoff(0), Duration::from_secs(2));
    assert_eq!(o.backoff(i64::MAX), Duration::from_secs(600));
    assert_eq!(fast().backoff(3), Duration::from_millis(200));
}

#[test]
fn error_texts_are_one_bounded_line() {
    let e = std::io::Error::other("first line\r\nsecond line".to_string() + &"x".repeat(1000));
    let text = error_text(&e);
    assert!(text.starts_with("first line  second line"));
    assert_eq!(text.chars().count(), MAX_ERROR_CHARS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_smtp_server_the_worker_leaves_mails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::defaults();
    config.emulator.data_dir = dir.path().to_path_buf();
    let (app, smtp) = app_with(dir.path(), config);
    let id = enqueue(&app, "tom@example.com", "s");
    let worker = spawn_with(Arc::clone(&app) as Arc<dyn Outbox>, smtp.clone(), fast());
    tokio::time::sleep(Duration::from_millis(200)).await;
    worker.shutdown().await;
    let mail = row(&app, id);
    assert_eq!(
        (mail.status, mail.attempts, mail.last_error),
        (MailStatus::Pending, 0, None)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_mail_is_delivered_and_marked_sent() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = SmtpServer::start(&python, dir.path(), port, &[]);
    let (app, smtp) = app(dir.path(), port);
    let worker = spawn_with(Arc::clone(&app) as Arc<dyn Outbox>, smtp.clone(), fast());
    let id = enqueue(&app, "tom@example.com", "WSO2 - Admin Forced Password Reset");

    let mail = wait_for(&app, id, "sent", |m| m.status == MailStatus::Sent).await;
    worker.shutdown().await;
    assert_eq!((mail.attempts, mail.last_error.as_deref()), (1, None));
    assert!(mail.sent_at.is_some());
    let messages = server.messages();
    assert_eq!(messages.len(), 1, "stderr: {}", server.stderr_text());
    let eml = &messages[0];
    assert_eq!(header(eml, "To"), Some("tom@example.com"));
    assert_eq!(header(eml, "Subject"), Some("WSO2 - Admin Forced Password Reset"));
    assert_eq!(
        header(eml, "From"),
        Some("\"Identity Server\" <noreply@forcereset.test>")
    );
    assert_eq!(header(eml, "Reply-To"), Some("help@forcereset.test"));
    assert_eq!(header(eml, "Content-Type"), Some("text/html; charset=utf-8"));
    assert!(eml.contains("<b>K7Q2ZP</b>"), "{eml}");
    let log = server.log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["mail_from"], "noreply@forcereset.test");
    assert_eq!(log[0]["rcpt_tos"], serde_json::json!(["tom@example.com"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temporary_failures_are_retried_and_the_mail_is_delivered_once() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = SmtpServer::start(&python, dir.path(), port, &["--fail-first", "2"]);
    let (app, smtp) = app(dir.path(), port);
    let worker = spawn_with(Arc::clone(&app) as Arc<dyn Outbox>, smtp.clone(), fast());
    let id = enqueue(&app, "tom@example.com", "retried");

    let mail = wait_for(&app, id, "sent", |m| m.status == MailStatus::Sent).await;
    // Give a stray duplicate attempt time to show up before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.shutdown().await;
    assert_eq!(mail.attempts, 3);
    assert_eq!(mail.last_error, None);
    assert_eq!(server.messages().len(), 1);
    assert_eq!(server.log().len(), 1);
    assert_eq!(row(&app, id).attempts, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_and_auth_are_used_when_configured() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = SmtpServer::start_tls_auth(&python, dir.path(), port, "mailer", "Smtp-Pa55");
    let mut config = config(dir.path(), port);
    config.email.enable_start_tls = true;
    config.email.enable_authentication = true;
    config.email.username = "mailer".into();
    config.email.password = Secret::new("Smtp-Pa55");
    config.emulator.smtp_accept_invalid_certs = true;
    let (app, smtp) = app_with(dir.path(), config);
    let worker = spawn_with(Arc::clone(&app) as Arc<dyn Outbox>, smtp.clone(), fast());
    let id = enqueue(&app, "ann@example.com", "over TLS");

    let mail = wait_for(&app, id, "sent", |m| m.status == MailStatus::Sent).await;
    worker.shutdown().await;
    assert_eq!(mail.attempts, 1, "{mail:?}");
    let log = server.log();
    assert_eq!(log.len(), 1, "stderr: {}", server.stderr_text());
    assert_eq!(log[0]["tls"], true);
    assert_eq!(log[0]["auth_user"], "mailer");
    assert_eq!(header(&server.messages()[0], "Subject"), Some("over TLS"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_keep_the_mail_pending_with_the_reason() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = SmtpServer::start(
        &python,
        dir.path(),
        port,
        &["--auth-user", "mailer", "--auth-password", "right"],
    );
    let mut config = config(dir.path(), port);
    config.email.enable_authentication = true;
    config.email.username = "mailer".into();
    config.email.password = Secret::new("wrong");
    let (app, smtp) = app_with(dir.path(), config);
    let worker = spawn_with(Arc::clone(&app) as Arc<dyn Outbox>, smtp.clone(), fast());
    let id = enqueue(&app, "ann@example.com", "s");

    let mail = wait_for(&app, id, "a failed attempt", |m| m.attempts >= 1).await;
    worker.shutdown().await;
    assert_eq!(mail.status, MailStatus::Pending);
    let error = mail.last_error.unwrap_or_default();
    assert!(error.contains("535"), "{error}");
    assert!(!error.contains("wrong"), "the password is never stored: {error}");
    assert!(mail.next_attempt_at > mail.created_at);
    assert!(server.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_waits_for_a_server_that_is_down_and_is_delivered_once_it_is_up() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (app, smtp) = app(dir.path(), port);
    let worker = spawn_with(Arc::clone(&app) as Arc<dyn Outbox>, smtp.clone(), fast());
    let id = enqueue(&app, "tom@example.com", "patience");

    let waiting = wait_for(&app, id, "a failed attempt", |m| {
        m.attempts >= 1 && m.last_error.is_some()
    })
    .await;
    assert_eq!(waiting.status, MailStatus::Pending);
    assert!(waiting.sent_at.is_none());

    let server = SmtpServer::start(&python, dir.path(), port, &[]);
    let mail = wait_for(&app, id, "sent", |m| m.status == MailStatus::Sent).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.shutdown().await;
    assert!(mail.attempts >= 2, "{mail:?}");
    assert_eq!(mail.last_error, None);
    assert_eq!(server.messages().len(), 1);
    assert_eq!(header(&server.messages()[0], "Subject"), Some("patience"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_returns_promptly_while_idle() {
    let dir = tempfile::tempdir().unwrap();
    let (app, smtp) = app(dir.path(), free_port());
    let worker = spawn_with(
        Arc::clone(&app) as Arc<dyn Outbox>,
        smtp.clone(),
        WorkerOptions::default(),
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    let start = Instant::now();
    worker.shutdown().await;
    assert!(start.elapsed() < Duration::from_secs(1));
}

// ---- SMTP faults: refusals, silence, dropped connections. Every mail is delivered once the server behaves. ----

/// Wait until every mail in `ids` is sent; returns the rows.
async fn wait_all_sent(app: &App, ids: &[i64]) -> Vec<OutboxMail> {
    let mut rows = Vec::new();
    for id in ids {
        rows.push(wait_for(app, *id, "sent", |m| m.status == MailStatus::Sent).await);
    }
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_refusal_of_data_is_retried_and_the_mail_delivered_once_accepted() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // 554 is "transaction failed" for good, in SMTP's words; the worker still never drops a reset mail.
    let server = SmtpServer::start(&python, dir.path(), port, &["--fail-first", "2", "--fail-code", "554"]);
    let (app, smtp) = app(dir.path(), port);
    let worker = spawn_with(Arc::clone(&app) as Arc<dyn Outbox>, smtp.clone(), fast());
    let id = enqueue(&app, "tom@example.com", "refused twice");

    let failed = wait_for(&app, id, "a refused attempt", |m| m.attempts >= 1).await;
    assert!(
        failed.last_error.as_deref().unwrap_or_default().contains("554") || failed.status == MailStatus::Sent,
        "{failed:?}"
    );
    let mail = wait_for(&app, id, "sent", |m| m.status == MailStatus::Sent).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.shutdown().await;
    assert_eq!((mail.attempts, mail.last_error), (3, None));
    assert_eq!(server.messages().len(), 1);
}

/// Accepts TCP connections on 127.0.0.1:`port` and never says a word (no 220 greeting), until dropped.
struct SilentServer {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<usize>>,
}

impl SilentServer {
    fn start(port: u16) -> SilentServer {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(std::sync::atomic::Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => held.push(stream),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
            held.len()
        });
        SilentServer {
            stop,
            thread: Some(thread),
        }
    }

    /// Close the listener and every held connection; how many connections it held.
    fn stop(mut self) -> usize {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.thread.take().unwrap().join().unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_server_times_out_and_the_mail_waits_for_one_that_answers() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let silent = SilentServer::start(port);
    let mut config = config(dir.path(), port);
    config.emulator.smtp_timeout_seconds = 1;
    let (app, smtp) = app_with(dir.path(), config);
    let worker = spawn_with(Arc::clone(&app) as Arc<dyn Outbox>, smtp.clone(), fast());
    let started = Instant::now();
    let id = enqueue(&app, "tom@example.com", "after the silence");

    let waiting = wait_for(&app, id, "a timed-out attempt", |m| m.attempts >= 1).await;
    // One attempt costs about smtp_timeout_seconds, not forever: the worker is not stuck behind a silent server.
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(waiting.status, MailStatus::Pending);
    assert!(waiting.last_error.is_some(), "{waiting:?}");
    assert!(silent.stop() >= 1, "the worker connected to the silent server");

    let server = SmtpServer::start(&python, dir.path(), port, &[]);
    let mail = wait_for(&app, id, "sent", |m| m.status == MailStatus::Sent).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.shutdown().await;
    assert!(mail.attempts >= 2, "{mail:?}");
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_dropped_mid_data_are_resent_and_each_mail_arrives_once() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = SmtpServer::start(&python, dir.path(), port, &["--drop-mid-data", "2"]);
    let (app, smtp) = app(dir.path(), port);
    let worker = spawn_with(Arc::clone(&app) as Arc<dyn Outbox>, smtp.clone(), fast());
    let ids: Vec<i64> = (1..=4)
        .map(|n| enqueue(&app, &format!("user{n}@example.com"), &format!("mail {n}")))
        .collect();

    let rows = wait_all_sent(&app, &ids).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.shutdown().await;
    let attempts: i64 = rows.iter().map(|m| m.attempts).sum();
    assert_eq!(attempts, 4 + 2, "two cut transfers, each retried once: {rows:?}");
    // An incomplete DATA is not a message: no duplicates, none lost.
    let mut subjects: Vec<String> = server
        .messages()
        .iter()
        .map(|m| header(m, "Subject").unwrap().to_string())
        .collect();
    subjects.sort();
    assert_eq!(
        subjects,
        ["mail 1", "mail 2", "mail 3", "mail 4"],
        "{}",
        server.stderr_text()
    );
}

/// The one duplicate SMTP forces on us: the server accepted the DATA, the connection died before its 250 reached
/// us, so the worker cannot know and sends again. Both copies carry the same Message-ID (docs/SECURITY.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_after_the_server_accepted_data_means_one_resend_with_the_same_message_id() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = SmtpServer::start(&python, dir.path(), port, &["--drop-after-data", "1"]);
    let (app, smtp) = app(dir.path(), port);
    let worker = spawn_with(Arc::clone(&app) as Arc<dyn Outbox>, smtp.clone(), fast());
    let id = enqueue(&app, "tom@example.com", "twice");

    let mail = wait_for(&app, id, "sent", |m| m.status == MailStatus::Sent).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.shutdown().await;
    assert_eq!(mail.attempts, 2, "{mail:?}");
    let messages = server.messages();
    assert_eq!(messages.len(), 2, "{}", server.stderr_text());
    let ids: Vec<&str> = messages.iter().map(|m| header(m, "Message-ID").unwrap()).collect();
    assert_eq!(ids[0], ids[1]);
}
