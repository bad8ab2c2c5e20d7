//! `forcereset mail …`: the outbox and built-in mailbox from the command line (list, show, retry, export).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::app::{Actor, App};
use crate::domain::DomainError;
use crate::mail::eml;
use crate::store::{MailStatus, OutboxMail};
use crate::util::format_utc;

#[derive(Subcommand, Debug)]
pub enum MailCommand {
    /// List the newest mails: their delivery state (queued, retrying, delivered, or kept in the built-in mailbox),
    /// attempts, when created and when delivered or next tried, recipient, subject, and the last error.
    #[command(after_help = "Example:\n  forcereset mail list --limit 5")]
    List {
        /// How many mails to show, newest first
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Show one mail: its delivery state, headers and body as text, each link on a line of its own (the body may
    /// hold a reset link or OTP).
    #[command(after_help = "Examples:\n  forcereset mail show 3\n  forcereset mail show 3 --html")]
    Show {
        /// The mail's id (see `forcereset mail list`)
        id: i64,
        /// Print the body's HTML source instead of its text
        #[arg(long)]
        html: bool,
    },
    /// Send a mail again as soon as possible (the running server's worker picks it up within 5 seconds).
    #[command(after_help = "Example:\n  forcereset mail retry 3")]
    Retry {
        /// The mail's id (see `forcereset mail list`)
        id: i64,
    },
    /// Write a mail as an .eml file (RFC 5322), to standard output unless --out is given.
    #[command(after_help = "Example:\n  forcereset mail export 3 --out reset.eml")]
    Export {
        /// The mail's id (see `forcereset mail list`)
        id: i64,
        /// The file to write
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub fn run(app: &App, sys: &Actor, cmd: MailCommand) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    run_to(app, sys, cmd, &mut out)?;
    out.flush().context("cannot write to standard output")
}

fn run_to(app: &App, sys: &Actor, cmd: MailCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        MailCommand::List { limit } => {
            if limit < 1 {
                bail!("--limit must be at least 1");
            }
            list(&app.mailbox(sys, 0, limit)?, out)?;
        }
        MailCommand::Show { id, html } => show(app, &find(app, sys, id)?, html, out)?,
        MailCommand::Retry { id } => {
            find(app, sys, id)?;
            // The console's use case: same checks, same audit record, and the worker woken.
            app.retry_mail(sys, id)?;
            writeln!(out, "mail {id} will be sent again shortly")?;
            if !app.settings().smtp_configured {
                writeln!(
                    out,
                    "note: [output_adapter.email] hostname is not set, so no server will send it until one is configured"
                )?;
            }
        }
        MailCommand::Export { id, out: path } => {
            find(app, sys, id)?;
            let bytes = app.export_mail(sys, id)?;
            match path {
                Some(path) => {
                    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
                    writeln!(out, "wrote mail {id} to {}", path.display())?;
                }
                None => out.write_all(&bytes)?,
            }
        }
    }
    Ok(())
}

/// The mail, or the CLI's own words for a wrong id.
fn find(app: &App, sys: &Actor, id: i64) -> anyhow::Result<OutboxMail> {
    match app.mail(sys, id) {
        Ok(mail) => Ok(mail),
        Err(DomainError::InvalidInput(_)) => bail!("no mail with id {id} (see `forcereset mail list`)"),
        Err(e) => Err(e.into()),
    }
}

/// A mail's delivery state in words.
fn state(mail: &OutboxMail) -> &'static str {
    match mail.status {
        MailStatus::Sent => "delivered",
        MailStatus::Mailbox => "mailbox",
        MailStatus::Pending if mail.attempts == 0 => "queued",
        MailStatus::Pending => "retrying",
    }
}

/// When a mail was delivered, or when it is next tried.
fn when(mail: &OutboxMail) -> String {
    match (mail.status, mail.sent_at) {
        (MailStatus::Sent, Some(at)) => format_utc(at),
        (MailStatus::Pending, _) => format!("next {}", format_utc(mail.next_attempt_at)),
        _ => "-".to_string(),
    }
}

/// The last error, shortened for a table.
fn short_error(mail: &OutboxMail) -> String {
    match &mail.last_error {
        None => "-".to_string(),
        Some(e) if e.chars().count() > 60 => format!("{}…", e.chars().take(59).collect::<String>()),
        Some(e) => e.clone(),
    }
}

fn list(mails: &[OutboxMail], out: &mut dyn Write) -> anyhow::Result<()> {
    if mails.is_empty() {
        writeln!(out, "no mails")?;
        return Ok(());
    }
    let rows: Vec<[String; 8]> = mails
        .iter()
        .map(|m| {
            [
                m.id.to_string(),
                state(m).to_string(),
                m.attempts.to_string(),
                format_utc(m.created_at),
                when(m),
                m.recipient.clone(),
                m.subject.clone(),
                short_error(m),
            ]
        })
        .collect();
    let head = [
        "ID",
        "STATE",
        "ATTEMPTS",
        "CREATED",
        "DELIVERED / NEXT TRY",
        "RECIPIENT",
        "SUBJECT",
        "LAST ERROR",
    ]
    .map(String::from);
    let mut widths = head.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&head).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  "));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn show(app: &App, mail: &OutboxMail, html: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let originator = &app.settings().originator;
    writeln!(out, "id:           {}", mail.id)?;
    writeln!(out, "status:       {} ({})", mail.status.as_str(), state(mail))?;
    writeln!(out, "template:     {}", mail.template)?;
    writeln!(out, "created:      {}", format_utc(mail.created_at))?;
    writeln!(out, "attempts:     {}", mail.attempts)?;
    if mail.status == MailStatus::Pending {
        writeln!(out, "next attempt: {}", format_utc(mail.next_attempt_at))?;
    }
    if let Some(at) = mail.sent_at {
        writeln!(out, "sent:         {}", format_utc(at))?;
    }
    if let Some(error) = &mail.last_error {
        writeln!(out, "last error:   {error}")?;
    }
    writeln!(out)?;
    writeln!(out, "From: {}", originator.from)?;
    if let Some(reply_to) = &originator.reply_to {
        writeln!(out, "Reply-To: {reply_to}")?;
    }
    writeln!(out, "To: {}", mail.recipient)?;
    writeln!(out, "Subject: {}", mail.subject)?;
    writeln!(out, "Message-ID: {}", eml::message_id(mail, &originator.from))?;
    writeln!(out, "Content-Type: {}; charset=utf-8", mail.content_type)?;
    writeln!(out)?;
    let as_text = !html && mail.content_type.eq_ignore_ascii_case("text/html");
    if as_text {
        writeln!(out, "{}", crate::mail::text::plain_text(&mail.body))?;
        writeln!(out)?;
        writeln!(
            out,
            "(the body's text; `forcereset mail show {} --html` prints its HTML)",
            mail.id
        )?;
    } else {
        writeln!(out, "{}", mail.body.trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // tests check what a use case left in the store
mod tests {
    use super::*;
    use crate::app::system_clock;
    use crate::config::Config;
    use crate::store::{NewMail, Store, StoreError, TenantId};

    fn app() -> App {
        App::new(Config::defaults(), Store::open_in_memory().unwrap(), system_clock())
    }

    fn enqueue(app: &App, status: MailStatus, subject: &str) -> i64 {
        let mail = NewMail {
            template: "adminforcedpasswordreset".into(),
            recipient: "tom@example.com".into(),
            subject: subject.into(),
            body: "<p>Hi tom, reset here:</p><p><a href=\"https://localhost:9443/accountrecoveryendpoint/confirmrecovery.do?confirmation=ab&amp;username=tom\">https://localhost:9443/accountrecoveryendpoint/confirmrecovery.do?confirmation=ab&amp;username=tom</a></p>".into(),
            content_type: "text/html".into(),
        };
        app.store_for_tests()
            .write::<_, StoreError>(TenantId::SUPER, |tx| tx.enqueue_mail(&mail, status, 1_700_000_000_000))
            .unwrap()
    }

    fn run_text(app: &App, cmd: MailCommand) -> anyhow::Result<String> {
        let mut out = Vec::new();
        run_to(app, &Actor::System, cmd, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    /// Each mail's delivery state, when it was delivered or is next tried, and its last error (issue 14: the
    /// list used to show only a status word).
    #[test]
    fn list_shows_the_newest_first_with_their_delivery_state() {
        let app = app();
        assert_eq!(run_text(&app, MailCommand::List { limit: 20 }).unwrap(), "no mails\n");
        enqueue(&app, MailStatus::Mailbox, "first");
        let failing = enqueue(&app, MailStatus::Pending, "second");
        app.store_for_tests()
            .system_write::<_, StoreError>(|tx| {
                tx.mark_mail_failed(failing, "connection refused (os error 111)", 1_700_000_060_000)
            })
            .unwrap();
        let text = run_text(&app, MailCommand::List { limit: 20 }).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(
            lines[0].starts_with("ID  STATE     ATTEMPTS  CREATED               DELIVERED / NEXT TRY"),
            "{text}"
        );
        assert!(
            lines[1].starts_with("2   retrying  1         2023-11-14T22:13:20Z  next 2023-11-14T22:14:20Z"),
            "{text}"
        );
        assert!(
            lines[1].ends_with("second   connection refused (os error 111)"),
            "{text}"
        );
        assert!(
            lines[2].contains("mailbox") && lines[2].ends_with("first    -"),
            "{text}"
        );
        assert_eq!(
            run_text(&app, MailCommand::List { limit: 1 }).unwrap().lines().count(),
            2
        );
        assert!(run_text(&app, MailCommand::List { limit: 0 }).is_err());
    }

    /// The body is shown as text, every link whole on its own line, so it can be copied (issue 14: the HTML
    /// source's `&amp;` broke a copied link); `--html` shows the source.
    #[test]
    fn show_prints_the_state_headers_and_the_body_as_text() {
        let app = app();
        let id = enqueue(&app, MailStatus::Pending, "WSO2 - Admin Forced Password Reset");
        let text = run_text(&app, MailCommand::Show { id, html: false }).unwrap();
        for expected in [
            "status:       pending (queued)",
            "next attempt: 2023-11-14T22:13:20Z",
            "To: tom@example.com",
            "Subject: WSO2 - Admin Forced Password Reset",
            "From: forcereset@localhost",
            "Content-Type: text/html; charset=utf-8",
            "Hi tom, reset here:",
            "https://localhost:9443/accountrecoveryendpoint/confirmrecovery.do?confirmation=ab&username=tom",
        ] {
            assert!(text.lines().any(|l| l == expected), "{expected} in\n{text}");
        }
        assert!(!text.contains("&amp;"), "{text}");
        let html = run_text(&app, MailCommand::Show { id, html: true }).unwrap();
        assert!(html.contains("confirmation=ab&amp;username=tom"), "{html}");
        let missing = run_text(&app, MailCommand::Show { id: 99, html: false })
            .unwrap_err()
            .to_string();
        assert!(missing.contains("no mail with id 99"), "{missing}");
    }

    #[test]
    fn retry_makes_a_pending_mail_due_and_refuses_mailbox_mails() {
        let app = app();
        let pending = enqueue(&app, MailStatus::Pending, "s");
        app.store_for_tests()
            .system_write::<_, StoreError>(|tx| tx.mark_mail_failed(pending, "refused", i64::MAX))
            .unwrap();
        let text = run_text(&app, MailCommand::Retry { id: pending }).unwrap();
        assert!(
            text.starts_with(&format!("mail {pending} will be sent again")),
            "{text}"
        );
        assert!(
            app.store_for_tests()
                .read(TenantId::SUPER, |tx| tx.mail(pending))
                .unwrap()
                .unwrap()
                .next_attempt_at
                < i64::MAX
        );
        let boxed = enqueue(&app, MailStatus::Mailbox, "s");
        let err = run_text(&app, MailCommand::Retry { id: boxed })
            .unwrap_err()
            .to_string();
        assert!(err.contains("built-in mailbox"), "{err}");
        assert!(run_text(&app, MailCommand::Retry { id: 99 }).is_err());
    }

    #[test]
    fn export_writes_an_eml_to_stdout_or_a_file() {
        let app = app();
        let id = enqueue(&app, MailStatus::Mailbox, "exported");
        let text = run_text(&app, MailCommand::Export { id, out: None }).unwrap();
        assert!(text.contains("\r\nSubject: exported\r\n"), "{text}");
        assert!(text.contains("MIME-Version: 1.0\r\n"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.eml");
        let said = run_text(
            &app,
            MailCommand::Export {
                id,
                out: Some(path.clone()),
            },
        )
        .unwrap();
        assert!(said.starts_with("wrote mail"), "{said}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
}
