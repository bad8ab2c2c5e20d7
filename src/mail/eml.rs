//! Outbox mail → RFC 5322 message bytes: the exact bytes the worker sends, and what `mail export` writes.
//!
//! Headers go through lettre's typed headers (RFC 2047 encoding, folding, no header injection); the body is
//! UTF-8, quoted-printable (readable in a text editor, safe for any line length). An address that does not parse
//! (a bad e-mail claim) is still written, as plain header text, so that the mailbox can show what was queued.

use std::time::{Duration, SystemTime};

use lettre::message::header::{
    self, ContentTransferEncoding, ContentType, HeaderName, HeaderValue, Headers, MIME_VERSION_1_0,
};
use lettre::message::{Body, Mailbox, Mailboxes};

use crate::config::EmailConfig;
use crate::store::OutboxMail;

/// Who a mail is from: the `From` header and an optional `Reply-To`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Originator {
    /// `Signature <address>` or a bare address.
    pub from: String,
    pub reply_to: Option<String>,
}

impl Originator {
    /// From `[output_adapter.email]`: `signature <from_address>` (WSO2's `mail.smtp.signature` is the display
    /// name) and `reply_to`.
    pub fn from_config(email: &EmailConfig) -> Originator {
        let signature = email.signature.trim();
        let from = match email.from_address.trim().parse() {
            Ok(address) if !signature.is_empty() => Mailbox::new(Some(signature.to_string()), address).to_string(),
            _ => email.from_address.trim().to_string(),
        };
        let reply_to = Some(email.reply_to.trim())
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        Originator { from, reply_to }
    }
}

/// The mail as an `.eml` file, From `from`.
pub fn to_eml(mail: &OutboxMail, from: &str) -> String {
    let originator = Originator {
        from: from.to_string(),
        reply_to: None,
    };
    // The message is 7-bit ASCII (encoded headers, quoted-printable body), so this never loses anything.
    String::from_utf8_lossy(&message_bytes(mail, &originator)).into_owned()
}

/// The full message: headers, a blank line, the encoded body, ending in CRLF.
pub fn message_bytes(mail: &OutboxMail, originator: &Originator) -> Vec<u8> {
    let mut headers = Headers::new();
    set_mailbox::<header::From>(&mut headers, "From", &originator.from);
    if let Some(reply_to) = &originator.reply_to {
        set_mailbox::<header::ReplyTo>(&mut headers, "Reply-To", reply_to);
    }
    set_mailbox::<header::To>(&mut headers, "To", &mail.recipient);
    headers.set(header::Subject::from(mail.subject.clone()));
    headers.set(header::Date::new(
        SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(mail.created_at).unwrap_or(0)),
    ));
    headers.set(header::MessageId::from(message_id(mail, &originator.from)));
    headers.set(MIME_VERSION_1_0);
    headers.set(content_type(&mail.content_type));
    let body = match Body::new_with_encoding(mail.body.clone(), ContentTransferEncoding::QuotedPrintable) {
        Ok(body) => body,
        // Not reachable for quoted-printable, which can encode anything; base64 is the safe fallback.
        Err(raw) => Body::new(raw),
    };
    headers.set(body.encoding());

    let mut out = headers.to_string().into_bytes();
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body.as_ref());
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// One Message-ID per outbox row, the same on every attempt, so that a receiving system can drop the duplicate
/// that at-least-once delivery may produce.
pub fn message_id(mail: &OutboxMail, from: &str) -> String {
    let domain = from
        .trim_end_matches('>')
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
        .unwrap_or("forcereset.invalid");
    format!("<forcereset.{}.{}@{}>", mail.id, mail.created_at, domain)
}

/// A typed address header when the text parses, else the text itself (control characters removed).
fn set_mailbox<H>(headers: &mut Headers, name: &'static str, text: &str)
where
    H: header::Header + From<Mailboxes>,
{
    match text.parse::<Mailboxes>() {
        Ok(mailboxes) if mailboxes.iter().next().is_some() => headers.set(H::from(mailboxes)),
        _ => {
            let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            headers.insert_raw(HeaderValue::new(HeaderName::new_from_ascii_str(name), clean));
        }
    }
}

/// `text/html` or `text/plain` with `charset=utf-8`; anything else stored in the row is sent as plain text.
fn content_type(stored: &str) -> ContentType {
    let essence = stored.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("text/html") {
        ContentType::TEXT_HTML
    } else {
        ContentType::TEXT_PLAIN
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MailStatus;

    fn mail() -> OutboxMail {
        OutboxMail {
            id: 7,
            created_at: 1_700_000_000_000,
            template: "adminforcedpasswordresetwithotp".into(),
            recipient: "tom@example.com".into(),
            subject: "WSO2 - Admin Forced Password Reset".into(),
            body: "<p>Hello Tömás,</p>\n<p><b>ABC123</b></p>\n<p>".to_string() + &"x".repeat(200) + "</p>",
            content_type: "text/html".into(),
            status: MailStatus::Pending,
            attempts: 0,
            next_attempt_at: 0,
            last_error: None,
            sent_at: None,
        }
    }

    /// Undo quoted-printable (soft breaks, =XX) for assertions.
    fn decode_qp(text: &str) -> String {
        let joined = text.replace("=\r\n", "");
        let mut bytes = Vec::new();
        let raw = joined.as_bytes();
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'=' && i + 2 < raw.len() {
                bytes.push(u8::from_str_radix(&joined[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                bytes.push(raw[i]);
                i += 1;
            }
        }
        String::from_utf8(bytes).unwrap().replace("\r\n", "\n")
    }

    fn split(eml: &str) -> (&str, &str) {
        eml.split_once("\r\n\r\n").unwrap()
    }

    #[test]
    fn an_eml_has_the_headers_and_a_decodable_body() {
        let eml = to_eml(&mail(), "WSO2 Team <noreply@example.org>");
        assert!(eml.is_ascii());
        let (head, body) = split(&eml);
        for line in [
            "From: \"WSO2 Team\" <noreply@example.org>",
            "To: tom@example.com",
            "Subject: WSO2 - Admin Forced Password Reset",
            "Date: Tue, 14 Nov 2023 22:13:20 +0000",
            "Message-ID: <forcereset.7.1700000000000@example.org>",
            "MIME-Version: 1.0",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ] {
            assert!(head.lines().any(|l| l == line), "{line} in\n{head}");
        }
        assert!(!head.contains("Reply-To"));
        assert!(body.lines().all(|l| l.len() <= 76), "{body}");
        assert_eq!(decode_qp(body).trim_end(), mail().body);
        assert!(eml.ends_with("\r\n"));
    }

    #[test]
    fn the_originator_comes_from_the_config() {
        let mut email = crate::config::Config::defaults().email;
        email.from_address = "noreply@example.org".into();
        email.signature = "Identity Server".into();
        email.reply_to = "help@example.org".into();
        let o = Originator::from_config(&email);
        assert_eq!(o.from, "Identity Server <noreply@example.org>");
        assert_eq!(o.reply_to.as_deref(), Some("help@example.org"));
        let eml = String::from_utf8(message_bytes(&mail(), &o)).unwrap();
        assert!(eml.contains("\r\nReply-To: help@example.org\r\n"), "{eml}");
        email.signature = String::new();
        email.reply_to = " ".into();
        assert_eq!(
            Originator::from_config(&email),
            Originator {
                from: "noreply@example.org".into(),
                reply_to: None
            }
        );
    }

    #[test]
    fn non_ascii_subjects_are_encoded_and_plain_text_is_kept() {
        let mut m = mail();
        m.subject = "Réinitialisation du mot de passe".into();
        m.content_type = "text/plain".into();
        let eml = to_eml(&m, "noreply@example.org");
        let (head, _) = split(&eml);
        assert!(head.contains("Subject: =?utf-8?"), "{head}");
        assert!(head.contains("Content-Type: text/plain; charset=utf-8"));
    }

    #[test]
    fn bad_addresses_and_injection_attempts_stay_inside_their_header() {
        let mut m = mail();
        m.recipient = "not an address\r\nBcc: victim@example.com".into();
        m.subject = "s\r\nBcc: victim@example.com".into();
        let eml = to_eml(&m, "also bad");
        let (head, _) = split(&eml);
        assert!(!head.lines().any(|l| l.starts_with("Bcc:")), "{head}");
        assert!(head.lines().any(|l| l.starts_with("To: not an address")), "{head}");
        assert!(head.contains("Message-ID: <forcereset.7.1700000000000@forcereset.invalid>"));
    }
}
