//! E-mail: the templates (WSO2's email-admin-config.xml), the outbox worker that delivers queued mails over SMTP,
//! and `.eml` export for the built-in mailbox.
//!
//! The engine renders a mail with [`templates::Templates::render`] and queues it in the store's outbox in the same
//! transaction as the reset itself; [`worker`] delivers it later, so no request ever waits on an SMTP server.

pub mod eml;
pub mod templates;
pub mod text;
pub mod worker;

/// A template problem. File errors name the file and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("no e-mail template named {0}")]
    UnknownTemplate(String),
    #[error("{file}: {message}")]
    BadFile { file: String, message: String },
    #[error("{file}: template {template} has no {part}")]
    MissingPart {
        file: String,
        template: String,
        part: &'static str,
    },
}
