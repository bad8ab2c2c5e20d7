//! The outbox and built-in mailbox: listing, reading, exporting and retrying mails (console and CLI alike), and
//! the outbox worker's use cases ([`Outbox`]).

use tokio::sync::Notify;

use super::{Actor, App, page_bounds};
use crate::domain::{DomainError, Millis, permissions};
use crate::mail::eml;
use crate::mail::worker::Outbox;
use crate::store::{MailStatus, OutboxMail};

impl App {
    /// A page of the outbox and built-in mailbox, newest first.
    pub fn mailbox(&self, actor: &Actor, offset: i64, limit: i64) -> Result<Vec<OutboxMail>, DomainError> {
        actor.require(permissions::MAILBOX_VIEW)?;
        let (offset, limit) = page_bounds(offset, limit);
        Ok(self.store.read(actor.tenant(), |tx| tx.mails(offset, limit))?)
    }

    /// One mail, with its body (which may hold a reset link or OTP until it is delivered).
    pub fn mail(&self, actor: &Actor, id: i64) -> Result<OutboxMail, DomainError> {
        actor.require(permissions::MAILBOX_VIEW)?;
        self.store
            .read(actor.tenant(), |tx| tx.mail(id))?
            .ok_or_else(|| DomainError::InvalidInput(format!("Mail {id} does not exist.")))
    }

    /// One mail as the exact RFC 5322 bytes the worker sends (`mail export`).
    pub fn export_mail(&self, actor: &Actor, id: i64) -> Result<Vec<u8>, DomainError> {
        let mail = self.mail(actor, id)?;
        Ok(eml::message_bytes(&mail, &self.settings.originator))
    }

    /// Send a mail that is waiting for (another) SMTP attempt now. A delivered mail (its body is gone) and a
    /// built-in-mailbox mail (no SMTP server was configured when it was queued) cannot be resent.
    pub fn retry_mail(&self, actor: &Actor, id: i64) -> Result<(), DomainError> {
        actor.require(permissions::MAILBOX_RESEND)?;
        let now = self.now();
        self.store.write(actor.tenant(), |tx| {
            let Some(mail) = tx.mail(id)? else {
                return Err(DomainError::InvalidInput(format!("Mail {id} does not exist.")));
            };
            match mail.status {
                MailStatus::Sent => {
                    return Err(DomainError::InvalidInput(format!(
                        "Mail {id} was already delivered; its body was removed, so it cannot be sent again. \
                         Force a new password reset instead."
                    )));
                }
                MailStatus::Mailbox => {
                    return Err(DomainError::InvalidInput(format!(
                        "Mail {id} is in the built-in mailbox (it was queued while no SMTP server was configured) \
                         and is not sent: read it in the console's mailbox, or with `forcereset mail show {id}`."
                    )));
                }
                MailStatus::Pending => {}
            }
            if !tx.retry_mail(id, now)? {
                return Err(DomainError::InvalidInput(format!("Mail {id} cannot be retried.")));
            }
            self.audit(tx, now, actor, "mail.retry", &mail.recipient, &format!("mail {id}"))
        })?;
        self.mail_wakeup.notify_one();
        Ok(())
    }
}

/// The outbox worker's use cases: which mails are due, and what an SMTP attempt did. Each is one store
/// transaction; a delivered mail's body (a reset code) is also scrubbed from the WAL.
impl Outbox for App {
    fn now(&self) -> Millis {
        App::now(self)
    }

    fn due_mails(&self, now: Millis, limit: i64) -> Result<Vec<OutboxMail>, DomainError> {
        Ok(self.store.system_read(|tx| tx.due_mails(now, limit))?)
    }

    fn mail_delivered(&self, id: i64, now: Millis) -> Result<(), DomainError> {
        self.store.system_write(|tx| tx.mark_mail_sent(id, now))?;
        // The body held a reset code: make sure no copy of it stays in the WAL.
        Ok(self.store.scrub()?)
    }

    fn mail_failed(&self, id: i64, error: &str, next_attempt_at: Millis) -> Result<(), DomainError> {
        Ok(self
            .store
            .system_write(|tx| tx.mark_mail_failed(id, error, next_attempt_at))?)
    }

    fn next_mail_due(&self) -> Result<Option<Millis>, DomainError> {
        Ok(self.store.system_read(|tx| tx.next_mail_due())?)
    }

    fn wakeup(&self) -> &Notify {
        &self.mail_wakeup
    }
}
