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
    /// List the newest mails: id, status, attempts, creation time, recipient and subject.
    ///
    /// Example: forcereset mail list --limit 5
    List {
        /// How many mails to show, newest first
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Show one mail: its delivery state, headers and body (which may hold a reset link or OTP).
    ///
    /// Example: forcereset mail show 3
    Show { id: i64 },
    /// Send a mail again as soon as possible (the running server's worker picks it up within 5 seconds).
    ///
    /// Example: forcereset mail retry 3
    Retry { id: i64 },
    /// Write a mail as an .eml file (RFC 5322), to standard output unless --out is given.
    ///
    /// Example: forcereset mail export 3 --out reset.eml
    Export {
        id: i64,
        /// The file to write
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub fn run(app: &App, cmd: MailCommand) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    run_to(app, cmd, &mut out)?;
    out.flush().context("cannot write to standard output")
}

fn run_to(app: &App, cmd: MailCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let sys = Actor::System;
    match cmd {
        MailCommand::List { limit } => {
            if limit < 1 {
                bail!("--limit must be at least 1");
            }
            list(&app.mailbox(&sys, 0, limit)?, out)?;
        }
        MailCommand::Show { id } => show(app, &find(app, id)?, out)?,
        MailCommand::Retry { id } => {
            find(app, id)?;
            // The console's use case: same checks, same audit record, and the worker woken.
            app.retry_mail(&sys, id)?;
            writeln!(out, "mail {id} will be sent again shortly")?;
            if !app.settings().smtp_configured {
                writeln!(
                    out,
                    "note: [output_adapter.email] hostname is not set, so no server will send it until one is configured"
                )?;
            }
        }
        MailCommand::Export { id, out: path } => {
            find(app, id)?;
            let bytes = app.export_mail(&sys, id)?;
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
fn find(app: &App, id: i64) -> anyhow::Result<OutboxMail> {
    match app.mail(&Actor::System, id) {
        Ok(mail) => Ok(mail),
        Err(DomainError::InvalidInput(_)) => bail!("no mail with id {id} (see `forcereset mail list`)"),
        Err(e) => Err(e.into()),
    }
}

fn list(mails: &[OutboxMail], out: &mut dyn Write) -> anyhow::Result<()> {
    if mails.is_empty() {
        writeln!(out, "no mails")?;
        return Ok(());
    }
    let rows: Vec<[String; 6]> = mails
        .iter()
        .map(|m| {
            [
                m.id.to_string(),
                m.status.as_str().to_string(),
                m.attempts.to_string(),
                format_utc(m.created_at),
                m.recipient.clone(),
                m.subject.clone(),
            ]
        })
        .collect();
    let head = ["ID", "STATUS", "ATTEMPTS", "CREATED", "RECIPIENT", "SUBJECT"].map(String::from);
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

fn show(app: &App, mail: &OutboxMail, out: &mut dyn Write) -> anyhow::Result<()> {
    let originator = &app.settings().originator;
    writeln!(out, "id:           {}", mail.id)?;
    writeln!(out, "status:       {}", mail.status.as_str())?;
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
    writeln!(out, "{}", mail.body.trim_end())?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // tests check what a use case left in the store
mod tests {
    use super::*;
    use crate::app::system_clock;
    use crate::config::Config;
    use crate::store::{NewMail, Store, StoreError};

    fn app() -> App {
        App::new(Config::defaults(), Store::open_in_memory().unwrap(), system_clock())
    }

    fn enqueue(app: &App, status: MailStatus, subject: &str) -> i64 {
        let mail = NewMail {
            template: "adminforcedpasswordreset".into(),
            recipient: "tom@example.com".into(),
            subject: subject.into(),
            body: "<p>Hi</p>".into(),
            content_type: "text/html".into(),
        };
        app.store_for_tests()
            .write::<_, StoreError>(|tx| tx.enqueue_mail(&mail, status, 1_700_000_000_000))
            .unwrap()
    }

    fn run_text(app: &App, cmd: MailCommand) -> anyhow::Result<String> {
        let mut out = Vec::new();
        run_to(app, cmd, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn list_shows_the_newest_first_in_columns() {
        let app = app();
        assert_eq!(run_text(&app, MailCommand::List { limit: 20 }).unwrap(), "no mails\n");
        enqueue(&app, MailStatus::Mailbox, "first");
        enqueue(&app, MailStatus::Pending, "second");
        let text = run_text(&app, MailCommand::List { limit: 20 }).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("ID  STATUS   ATTEMPTS  CREATED"), "{text}");
        assert!(
            lines[1].starts_with("2   pending  0         2023-11-14T22:13:20Z  tom@example.com  second"),
            "{text}"
        );
        assert!(lines[2].contains("mailbox") && lines[2].ends_with("first"), "{text}");
        assert_eq!(
            run_text(&app, MailCommand::List { limit: 1 }).unwrap().lines().count(),
            2
        );
        assert!(run_text(&app, MailCommand::List { limit: 0 }).is_err());
    }

    #[test]
    fn show_prints_the_state_headers_and_body() {
        let app = app();
        let id = enqueue(&app, MailStatus::Pending, "WSO2 - Admin Forced Password Reset");
        let text = run_text(&app, MailCommand::Show { id }).unwrap();
        for expected in [
            "status:       pending",
            "next attempt: 2023-11-14T22:13:20Z",
            "To: tom@example.com",
            "Subject: WSO2 - Admin Forced Password Reset",
            "From: forcereset@localhost",
            "Content-Type: text/html; charset=utf-8",
            "<p>Hi</p>",
        ] {
            assert!(text.lines().any(|l| l == expected), "{expected} in\n{text}");
        }
        let missing = run_text(&app, MailCommand::Show { id: 99 }).unwrap_err().to_string();
        assert!(missing.contains("no mail with id 99"), "{missing}");
    }

    #[test]
    fn retry_makes_a_pending_mail_due_and_refuses_mailbox_mails() {
        let app = app();
        let pending = enqueue(&app, MailStatus::Pending, "s");
        app.store_for_tests()
            .write::<_, StoreError>(|tx| tx.mark_mail_failed(pending, "refused", i64::MAX))
            .unwrap();
        let text = run_text(&app, MailCommand::Retry { id: pending }).unwrap();
        assert!(
            text.starts_with(&format!("mail {pending} will be sent again")),
            "{text}"
        );
        assert!(
            app.store_for_tests()
                .read(|tx| tx.mail(pending))
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
