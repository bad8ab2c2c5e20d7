//! E-mail: the templates (WSO2's email-admin-config.xml), the outbox worker that delivers queued mails over SMTP,
//! and `.eml` export for the built-in mailbox.
//!
//! The engine renders a mail with [`Templates::render`] and queues it in the store's outbox in the same
//! transaction as the reset itself; [`worker`] delivers it later, so no request ever waits on an SMTP server.

pub mod eml;
pub mod templates;
pub mod worker;

pub use eml::{Originator, to_eml};
pub use templates::{Rendered, TemplateVars, Templates};
pub use worker::{Worker, WorkerOptions, spawn, spawn_with};

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

/// A store timestamp (milliseconds since the epoch) as `YYYY-MM-DDTHH:MM:SSZ`, for the CLI and logs.
pub fn format_utc(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (proleptic Gregorian), so no date crate is needed for one format.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_format_like_rfc3339() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_709_251_199_999), "2024-02-29T23:59:59Z");
        assert_eq!(format_utc(-1), "1969-12-31T23:59:59Z");
        let _ = format_utc(i64::MAX);
        let _ = format_utc(i64::MIN);
    }
}
