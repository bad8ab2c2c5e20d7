//! The outbox worker: a tokio task that delivers queued mails over SMTP (`[output_adapter.email]`), retrying
//! with exponential backoff, so that no request waits on an SMTP server.
//!
//! # Delivery semantics
//! - **Bounded.** One attempt (connect, greeting, STARTTLS, AUTH, DATA) takes at most `[forcereset]
//!   smtp_timeout_seconds`, so a server that accepts connections and then stays silent cannot stall the outbox.
//! - **Never dropped.** A failed attempt (connection refused, TLS or AUTH failure, 4xx or 5xx reply, timeout)
//!   records the error and the time of the next attempt; the mail stays `pending` until a server accepts it. The
//!   delay doubles per attempt from [`WorkerOptions::base_backoff`] up to [`WorkerOptions::max_backoff`]
//!   (defaults 2 s → 10 min); `forcereset mail retry <id>` makes a mail due at once.
//! - **At least once.** A mail is marked `sent` only after the SMTP server accepted its DATA. If the process dies
//!   between that reply and the commit of `sent`, the mail is sent again after restart: SMTP gives no way to ask a
//!   server whether it already accepted a message. Every attempt carries the same Message-ID (see
//!   [`super::eml::message_id`]), so a receiving system can recognise the duplicate.
//! - **Order.** Due mails are sent oldest first, one at a time, 16 per store read.
//! - **Wake-ups.** The worker sleeps until the next mail is due, [`Outbox::wakeup`] is notified (a mail was
//!   queued), or the poll interval passes (mails queued by another process, e.g. `mail retry`).
//! - **No SMTP server** (`hostname` not set): the worker does nothing; the engine queues mails as `mailbox`.
//!
//! The worker knows the rest of the server only as an [`Outbox`] (the `app::mailbox` use cases) and its
//! [`Smtp`] settings. Every outbox call runs on a blocking thread (`spawn_blocking`): SQLite calls block.

use std::sync::Arc;
use std::time::Duration;

use lettre::address::{Address, Envelope};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::domain::secret::Secret;
use crate::domain::{DomainError, Millis};
use crate::store::OutboxMail;

use super::eml::{self, Originator};

/// How many due mails one store read takes.
const BATCH: i64 = 16;
/// Stored error texts are cut to this many characters.
const MAX_ERROR_CHARS: usize = 500;

/// Timing of the worker; tests shorten it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerOptions {
    /// The delay after the first failed attempt; it doubles with each further failure.
    pub base_backoff: Duration,
    /// The longest delay between two attempts of one mail.
    pub max_backoff: Duration,
    /// The longest sleep between two looks at the outbox.
    pub poll_interval: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            base_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(600),
            poll_interval: Duration::from_secs(5),
        }
    }
}

impl WorkerOptions {
    /// The delay before the next attempt of a mail that has now failed `failures` times (1 = first failure).
    pub fn backoff(&self, failures: i64) -> Duration {
        let doublings = u32::try_from(failures.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        self.base_backoff
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }
}

/// What the worker needs of the server: the clock, the outbox's use cases and the signal that a mail was queued.
/// `App` implements it (`app::mailbox`); each call is one store transaction and may block.
pub trait Outbox: Send + Sync + 'static {
    fn now(&self) -> Millis;
    /// Pending mails due at `now`, oldest first, at most `limit`.
    fn due_mails(&self, now: Millis, limit: i64) -> Result<Vec<OutboxMail>, DomainError>;
    /// The SMTP server accepted the mail: mark it sent and drop its body.
    fn mail_delivered(&self, id: i64, now: Millis) -> Result<(), DomainError>;
    /// An attempt failed: record why and when to try again.
    fn mail_failed(&self, id: i64, error: &str, next_attempt_at: Millis) -> Result<(), DomainError>;
    /// When the next pending mail is due, if any.
    fn next_mail_due(&self) -> Result<Option<Millis>, DomainError>;
    /// Notified whenever a mail is queued or made due.
    fn wakeup(&self) -> &tokio::sync::Notify;
}

/// The SMTP client's settings: `[output_adapter.email]` and `[forcereset] smtp_*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smtp {
    host: String,
    port: u16,
    /// STARTTLS required (`enable_start_tls`), else plain SMTP.
    start_tls: bool,
    accept_invalid_certs: bool,
    /// AUTH user name and password, when `enable_authentication`.
    credentials: Option<(String, Secret)>,
    /// The bound on connecting, and on one whole delivery attempt (`smtp_timeout_seconds`).
    timeout: Duration,
    /// The envelope sender (`from_address`).
    from_address: String,
    /// The `From` and `Reply-To` headers.
    originator: Originator,
}

impl Smtp {
    /// None when no SMTP server is configured (`hostname` not set): mail stays in the built-in mailbox.
    pub fn from_config(config: &Config) -> Option<Smtp> {
        let email = &config.email;
        Some(Smtp {
            host: email.hostname.clone()?,
            port: email.port,
            start_tls: email.enable_start_tls,
            accept_invalid_certs: config.emulator.smtp_accept_invalid_certs,
            credentials: email
                .enable_authentication
                .then(|| (email.username.clone(), email.password.clone())),
            timeout: Duration::from_secs(config.emulator.smtp_timeout_seconds.max(1)),
            from_address: email.from_address.clone(),
            originator: Originator::from_config(email),
        })
    }
}

/// The running worker. Dropping it stops the worker too, after the send in progress.
pub struct Worker {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Worker {
    /// Let the send in progress finish, then stop.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            tracing::error!(error = %e, "the mail worker ended abnormally");
        }
    }
}

/// Start the worker with the default timing.
pub fn spawn(outbox: Arc<dyn Outbox>, smtp: Option<Smtp>) -> Worker {
    spawn_with(outbox, smtp, WorkerOptions::default())
}

/// Start the worker on the current tokio runtime.
pub fn spawn_with(outbox: Arc<dyn Outbox>, smtp: Option<Smtp>, options: WorkerOptions) -> Worker {
    let (stop, stop_rx) = watch::channel(false);
    let task = match smtp {
        None => {
            tracing::info!("no SMTP server configured ([output_adapter.email] hostname): mails stay in the mailbox");
            None
        }
        Some(smtp) => {
            let transport = transport(&smtp);
            if let Err(e) = &transport {
                tracing::error!(error = %e, "cannot set up the SMTP client; mails stay pending");
            }
            let loop_ = Loop {
                outbox,
                options,
                transport,
                originator: smtp.originator,
                from_address: smtp.from_address,
                timeout: smtp.timeout,
                stop: stop_rx,
            };
            Some(tokio::spawn(loop_.run()))
        }
    };
    Worker { stop, task }
}

/// The SMTP client: STARTTLS required when `enable_start_tls`, plain otherwise.
fn transport(smtp: &Smtp) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let host = &smtp.host;
    let tls = if smtp.start_tls {
        let parameters = TlsParameters::builder(host.clone())
            .dangerous_accept_invalid_certs(smtp.accept_invalid_certs)
            .build()
            .map_err(|e| format!("TLS settings for {host}: {}", error_text(&e)))?;
        Tls::Required(parameters)
    } else {
        Tls::None
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(smtp.port)
        .timeout(Some(smtp.timeout))
        .tls(tls);
    if let Some((user, password)) = &smtp.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_string()));
    }
    Ok(builder.build())
}

struct Loop {
    outbox: Arc<dyn Outbox>,
    options: WorkerOptions,
    transport: Result<AsyncSmtpTransport<Tokio1Executor>, String>,
    originator: Originator,
    /// `[output_adapter.email] from_address`: the envelope sender.
    from_address: String,
    /// The bound on one delivery attempt.
    timeout: Duration,
    stop: watch::Receiver<bool>,
}

/// What one pass over the outbox found.
enum Pass {
    /// The batch was full: more may be due at once.
    More,
    /// Everything due was handled.
    Done,
    /// The store failed: wait a poll interval rather than spin (and maybe resend) against a broken database.
    StoreTrouble,
}

impl Loop {
    async fn run(mut self) {
        tracing::debug!("mail worker started");
        while !self.stopping() {
            let wait = match self.pass().await {
                Pass::More => continue,
                Pass::StoreTrouble => self.options.poll_interval,
                Pass::Done => self.until_next_due().await,
            };
            if self.stopping() {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.outbox.wakeup().notified() => {}
                _ = self.stop.changed() => {}
            }
        }
        tracing::debug!("mail worker stopped");
    }

    /// Asked to stop, or the [`Worker`] handle is gone.
    fn stopping(&self) -> bool {
        *self.stop.borrow() || self.stop.has_changed().is_err()
    }

    async fn pass(&mut self) -> Pass {
        let now = self.outbox.now();
        let due = match with_outbox(&self.outbox, move |o| o.due_mails(now, BATCH)).await {
            Ok(due) => due,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the mail outbox");
                return Pass::StoreTrouble;
            }
        };
        let full = due.len() as i64 >= BATCH;
        for mail in due {
            if self.stopping() {
                return Pass::Done;
            }
            let outcome = self.deliver(&mail).await;
            if let Err(e) = self.record(&mail, outcome).await {
                tracing::error!(mail_id = mail.id, error = %e, "cannot record a mail delivery attempt");
                return Pass::StoreTrouble;
            }
        }
        if full { Pass::More } else { Pass::Done }
    }

    /// One SMTP attempt: the error text on failure.
    async fn deliver(&self, mail: &OutboxMail) -> Result<(), String> {
        let transport = self.transport.as_ref().map_err(Clone::clone)?;
        let from: Address = self
            .from_address
            .trim()
            .parse()
            .map_err(|e| format!("from_address {:?} is not an e-mail address: {e}", self.from_address))?;
        let to: Mailbox = mail
            .recipient
            .trim()
            .parse()
            .map_err(|e| format!("recipient {:?} is not an e-mail address: {e}", mail.recipient))?;
        let envelope = Envelope::new(Some(from), vec![to.email]).map_err(|e| error_text(&e))?;
        let bytes = eml::message_bytes(mail, &self.originator);
        // lettre's async client applies its timeout to the TCP connect only: a server that accepts and then says
        // nothing (or stalls mid-conversation) would hold this attempt, and every mail queued behind it, forever.
        // So the whole attempt is bounded too; a timeout is a failed attempt like any other, retried with backoff.
        let limit = self.timeout;
        match tokio::time::timeout(limit, transport.send_raw(&envelope, &bytes)).await {
            Ok(sent) => sent.map(|_| ()).map_err(|e| error_text(&e)),
            Err(_) => Err(format!(
                "the SMTP server did not complete the delivery within {} s ([forcereset] smtp_timeout_seconds)",
                limit.as_secs()
            )),
        }
    }

    /// Mark the mail sent, or failed with its next attempt time; logs one line either way (never the body).
    async fn record(&self, mail: &OutboxMail, outcome: Result<(), String>) -> Result<(), DomainError> {
        let id = mail.id;
        let attempts = mail.attempts + 1;
        match outcome {
            Ok(()) => {
                let now = self.outbox.now();
                with_outbox(&self.outbox, move |o| o.mail_delivered(id, now)).await?;
                tracing::info!(mail_id = id, template = %mail.template, attempts, "mail delivered");
            }
            Err(error) => {
                let delay = self.options.backoff(attempts);
                let next = self
                    .outbox
                    .now()
                    .saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX));
                tracing::warn!(
                    mail_id = id,
                    attempts,
                    retry_in_ms = delay.as_millis() as u64,
                    error = %error,
                    "mail delivery failed; will retry"
                );
                with_outbox(&self.outbox, move |o| o.mail_failed(id, &error, next)).await?;
            }
        }
        Ok(())
    }

    /// How long until the next pending mail is due, at most a poll interval.
    async fn until_next_due(&self) -> Duration {
        let poll = self.options.poll_interval;
        match with_outbox(&self.outbox, |o| o.next_mail_due()).await {
            Ok(Some(at)) => {
                let ms = at.saturating_sub(self.outbox.now()).max(0);
                Duration::from_millis(u64::try_from(ms).unwrap_or(0)).min(poll)
            }
            Ok(None) => poll,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the mail outbox");
                poll
            }
        }
    }
}

/// Run an outbox call on a blocking thread.
async fn with_outbox<T, F>(outbox: &Arc<dyn Outbox>, f: F) -> Result<T, DomainError>
where
    T: Send + 'static,
    F: FnOnce(&dyn Outbox) -> Result<T, DomainError> + Send + 'static,
{
    let outbox = Arc::clone(outbox);
    tokio::task::spawn_blocking(move || f(outbox.as_ref()))
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "an outbox task ended abnormally");
            Err(DomainError::Internal)
        })
}

/// An error and its causes on one line, cut to a storable length.
fn error_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    one_line.chars().take(MAX_ERROR_CHARS).collect()
}

#[cfg(test)]
mod tests;
