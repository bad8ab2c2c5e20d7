//! Queries of the two tables the forced-reset engine adds: recovery codes and the mail outbox.

use rusqlite::{OptionalExtension, params};

use super::StoreError;
use super::SysTx;
use super::queries::Tx;

/// A user's live recovery code. The code itself is never stored, only its hash.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode {
    pub scenario: String,
    pub code_hash: String,
    pub created_at: i64,
    /// None = never expires.
    pub expires_at: Option<i64>,
    pub attempts_left: i64,
}

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecoveryCode")
            .field("scenario", &self.scenario)
            .field("code_hash", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("attempts_left", &self.attempts_left)
            .finish()
    }
}

/// Where a queued mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    /// Waiting for (another) SMTP attempt at `next_attempt_at`.
    Pending,
    /// Accepted by the SMTP server.
    Sent,
    /// No SMTP server configured: kept in the built-in mailbox.
    Mailbox,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Pending => "pending",
            MailStatus::Sent => "sent",
            MailStatus::Mailbox => "mailbox",
        }
    }

    fn parse(s: &str) -> MailStatus {
        match s {
            "sent" => MailStatus::Sent,
            "mailbox" => MailStatus::Mailbox,
            _ => MailStatus::Pending,
        }
    }
}

/// A rendered mail to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub template: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// `text/html` or `text/plain`.
    pub content_type: String,
}

/// A mail in the outbox. Its body may hold a reset link or OTP: `Debug` leaves it out.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: i64,
    pub created_at: i64,
    pub template: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub content_type: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<i64>,
}

impl std::fmt::Debug for OutboxMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxMail")
            .field("id", &self.id)
            .field("template", &self.template)
            .field("recipient", &self.recipient)
            .field("status", &self.status)
            .field("attempts", &self.attempts)
            .field("last_error", &self.last_error)
            .finish_non_exhaustive()
    }
}

/// What a delivered mail's body becomes.
pub const DELIVERED_BODY: &str = "(removed after delivery: it carried a one-time reset code)";

const MAIL_COLUMNS: &str = "id, created_at, template, recipient, subject, body, content_type, status, attempts, \
                            next_attempt_at, last_error, sent_at";

fn mail_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxMail> {
    Ok(OutboxMail {
        id: r.get(0)?,
        created_at: r.get(1)?,
        template: r.get(2)?,
        recipient: r.get(3)?,
        subject: r.get(4)?,
        body: r.get(5)?,
        content_type: r.get(6)?,
        status: MailStatus::parse(&r.get::<_, String>(7)?),
        attempts: r.get(8)?,
        next_attempt_at: r.get(9)?,
        last_error: r.get(10)?,
        sent_at: r.get(11)?,
    })
}

impl Tx<'_> {
    // ---- recovery codes ----

    /// Replace the user's recovery code (a new forced reset kills the previous code); false if no such user.
    pub fn put_recovery_code(&self, user: &str, code: &RecoveryCode) -> Result<bool, StoreError> {
        Ok(self.exec(
            "INSERT INTO recovery_codes (tenant_id, user_id, scenario, code_hash, created_at, expires_at, attempts_left)
             SELECT tenant_id, id, ?2, ?3, ?4, ?5, ?6 FROM users WHERE tenant_id = ?7 AND name = ?1
             ON CONFLICT (tenant_id, user_id) DO UPDATE SET scenario = excluded.scenario, code_hash = excluded.code_hash,
                 created_at = excluded.created_at, expires_at = excluded.expires_at,
                 attempts_left = excluded.attempts_left",
            params![
                user,
                code.scenario,
                code.code_hash,
                code.created_at,
                code.expires_at,
                code.attempts_left,
                self.tenant()
            ],
        )? == 1)
    }

    pub fn recovery_code(&self, user: &str) -> Result<Option<RecoveryCode>, StoreError> {
        Ok(self
            .row(
                "SELECT r.scenario, r.code_hash, r.created_at, r.expires_at, r.attempts_left
                   FROM recovery_codes r JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.user_id
                  WHERE u.tenant_id = ?2 AND u.name = ?1",
                params![user, self.tenant()],
                |r| {
                    Ok(RecoveryCode {
                        scenario: r.get(0)?,
                        code_hash: r.get(1)?,
                        created_at: r.get(2)?,
                        expires_at: r.get(3)?,
                        attempts_left: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Count one failed attempt against the user's code; the attempts left afterwards (None: no code).
    pub fn spend_recovery_attempt(&self, user: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .row(
                "UPDATE recovery_codes SET attempts_left = max(attempts_left - 1, 0)
                  WHERE tenant_id = ?2 AND user_id = (SELECT id FROM users WHERE tenant_id = ?2 AND name = ?1)
                  RETURNING attempts_left",
                params![user, self.tenant()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Delete the user's code (used, or superseded by an admin password change); false if there was none.
    pub fn delete_recovery_code(&self, user: &str) -> Result<bool, StoreError> {
        Ok(self.exec(
            "DELETE FROM recovery_codes
              WHERE tenant_id = ?2 AND user_id = (SELECT id FROM users WHERE tenant_id = ?2 AND name = ?1)",
            params![user, self.tenant()],
        )? == 1)
    }

    // ---- outbox ----

    /// Queue a mail; `status` is Pending (SMTP configured) or Mailbox (built-in mailbox only).
    pub fn enqueue_mail(&self, mail: &NewMail, status: MailStatus, now: i64) -> Result<i64, StoreError> {
        self.exec(
            "INSERT INTO outbox (tenant_id, created_at, template, recipient, subject, body, content_type, status,
                 next_attempt_at)
             VALUES (?8, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?1)",
            params![
                now,
                mail.template,
                mail.recipient,
                mail.subject,
                mail.body,
                mail.content_type,
                status.as_str(),
                self.tenant()
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Make a mail due now (retry from the CLI or console); false if there is no such mail.
    pub fn retry_mail(&self, id: i64, now: i64) -> Result<bool, StoreError> {
        Ok(self.exec(
            "UPDATE outbox SET status = 'pending', next_attempt_at = ?2
              WHERE id = ?1 AND tenant_id = ?3 AND status <> 'mailbox'",
            params![id, now, self.tenant()],
        )? == 1)
    }

    pub fn mail(&self, id: i64) -> Result<Option<OutboxMail>, StoreError> {
        Ok(self
            .row(
                &format!("SELECT {MAIL_COLUMNS} FROM outbox WHERE id = ?1 AND tenant_id = ?2"),
                params![id, self.tenant()],
                mail_row,
            )
            .optional()?)
    }

    /// The newest mails first.
    pub fn mails(&self, offset: i64, limit: i64) -> Result<Vec<OutboxMail>, StoreError> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {MAIL_COLUMNS} FROM outbox WHERE tenant_id = ?3 ORDER BY id DESC LIMIT ?2 OFFSET ?1"
        ))?;
        let rows = stmt.query_map(params![offset, limit, self.tenant()], mail_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The outbox as the mail worker sees it: one queue for every tenant.
impl SysTx<'_> {
    /// Pending mails whose next attempt is due, oldest first.
    pub fn due_mails(&self, now: i64, limit: i64) -> Result<Vec<OutboxMail>, StoreError> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {MAIL_COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?1 ORDER BY id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![now, limit], mail_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The earliest next attempt of any pending mail (for the worker's sleep).
    pub fn next_mail_due(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn()
            .prepare_cached("SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'")?
            .query_row([], |r| r.get(0))?)
    }

    /// Record a delivery. The body is dropped: it carried a reset link or OTP, which must not outlive its
    /// delivery in plain text (the built-in mailbox keeps bodies, as it is the only place to read them).
    pub fn mark_mail_sent(&self, id: i64, now: i64) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?2, last_error = NULL, body = ?3
                  WHERE id = ?1",
            )?
            .execute(params![id, now, DELIVERED_BODY])?;
        Ok(())
    }

    /// Record a failed attempt and when to try again; the mail stays pending (never dropped).
    pub fn mark_mail_failed(&self, id: i64, error: &str, next_attempt_at: i64) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
            )?
            .execute(params![id, error, next_attempt_at])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Store, TenantId};
    use super::*;

    fn store() -> Store {
        let store = Store::open_in_memory().unwrap();
        store
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.insert_user("tom", "h", 0).map(|_| ()))
            .unwrap();
        store
    }

    #[test]
    fn one_code_per_user_replaced_and_spent() {
        let store = store();
        let code = |hash: &str| RecoveryCode {
            scenario: "ADMIN_FORCED_PASSWORD_RESET_VIA_OTP".into(),
            code_hash: hash.into(),
            created_at: 1,
            expires_at: Some(100),
            attempts_left: 2,
        };
        store
            .write::<_, StoreError>(TenantId::SUPER, |tx| {
                assert!(tx.put_recovery_code("tom", &code("a"))?);
                assert!(tx.put_recovery_code("tom", &code("b"))?);
                assert!(!tx.put_recovery_code("bob", &code("c"))?);
                Ok(())
            })
            .unwrap();
        let live = store
            .read(TenantId::SUPER, |tx| tx.recovery_code("tom"))
            .unwrap()
            .unwrap();
        assert_eq!(live.code_hash, "b");
        assert!(!format!("{live:?}").contains("\"b\""));
        let left: Vec<_> = (0..3)
            .map(|_| {
                store
                    .write::<_, StoreError>(TenantId::SUPER, |tx| tx.spend_recovery_attempt("tom"))
                    .unwrap()
            })
            .collect();
        assert_eq!(left, [Some(1), Some(0), Some(0)]);
        assert!(
            store
                .write::<_, StoreError>(TenantId::SUPER, |tx| tx.delete_recovery_code("tom"))
                .unwrap()
        );
        assert_eq!(
            store
                .write::<_, StoreError>(TenantId::SUPER, |tx| tx.spend_recovery_attempt("tom"))
                .unwrap(),
            None
        );
    }

    #[test]
    fn mails_wait_retry_and_are_never_dropped() {
        let store = store();
        let mail = NewMail {
            template: "adminforcedpasswordresetwithotp".into(),
            recipient: "tom@example.com".into(),
            subject: "s".into(),
            body: "OTP : <b>SECRET</b>".into(),
            content_type: "text/html".into(),
        };
        let id = store
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.enqueue_mail(&mail, MailStatus::Pending, 10))
            .unwrap();
        let boxed = store
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.enqueue_mail(&mail, MailStatus::Mailbox, 10))
            .unwrap();
        assert_eq!(store.system_read(|tx| tx.due_mails(9, 10)).unwrap().len(), 0);
        let due = store.system_read(|tx| tx.due_mails(10, 10)).unwrap();
        assert_eq!(due.iter().map(|m| m.id).collect::<Vec<_>>(), [id]);
        assert!(!format!("{:?}", due[0]).contains("SECRET"));
        store
            .system_write::<_, StoreError>(|tx| tx.mark_mail_failed(id, "refused", 50))
            .unwrap();
        assert_eq!(store.system_read(|tx| tx.next_mail_due()).unwrap(), Some(50));
        assert!(store.system_read(|tx| tx.due_mails(49, 10)).unwrap().is_empty());
        store
            .system_write::<_, StoreError>(|tx| tx.mark_mail_sent(id, 60))
            .unwrap();
        let sent = store.read(TenantId::SUPER, |tx| tx.mail(id)).unwrap().unwrap();
        assert_eq!(
            (sent.status, sent.attempts, sent.last_error),
            (MailStatus::Sent, 2, None)
        );
        assert!(
            store
                .write::<_, StoreError>(TenantId::SUPER, |tx| tx.retry_mail(id, 70))
                .unwrap()
        );
        assert!(
            !store
                .write::<_, StoreError>(TenantId::SUPER, |tx| tx.retry_mail(boxed, 70))
                .unwrap(),
            "mailbox mails are not sent"
        );
        assert_eq!(store.read(TenantId::SUPER, |tx| tx.mails(0, 10)).unwrap().len(), 2);
        assert_eq!(store.system_read(|tx| tx.next_mail_due()).unwrap(), Some(70));
    }
}
