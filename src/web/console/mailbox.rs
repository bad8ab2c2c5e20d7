//! Monitor → Mailbox (the outbox and built-in mailbox: list, one message, resend a failed delivery) and
//! Monitor → Audit Log, both paged. A mail's HTML is never part of the console page: it is shown as escaped source,
//! and rendered only in a frame of its own (`preview.jsp`: a sandboxed document with an opaque origin, no scripts,
//! forms or navigation, only its own inline styles), so a hostile template or claim value cannot act in the
//! console, while the mail still looks as its recipient sees it.

use hyper::StatusCode;
use hyper::header::{self, HeaderValue};
use serde::Serialize;

use super::view::{self, Area};
use super::{AUDIT, Ctx, MAIL, MAIL_PREVIEW, MAILBOX, act, link, optional, required, run};
use crate::domain::permissions::MAILBOX_RESEND;
use crate::http::response::{self, HttpResponse};
use crate::store::{MailStatus, OutboxMail};
use crate::util::format_utc;
use crate::web::pages::MAIL_PREVIEW_POLICY;

const MAILS_PER_PAGE: i64 = 20;
const AUDIT_PER_PAGE: i64 = 50;
/// The highest page number accepted; far beyond any real log, it keeps offsets from overflowing.
const MAX_PAGE: i64 = 1_000_000;

/// The 1-based `page` parameter (anything else is page 1).
fn page_number(ctx: &Ctx) -> Result<i64, HttpResponse> {
    Ok(optional(ctx, "page")?
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| (1..=MAX_PAGE).contains(p))
        .unwrap_or(1))
}

/// Links to the previous and next page, when there are such pages.
#[derive(Debug, Serialize)]
struct Pager {
    page: i64,
    prev: Option<String>,
    next: Option<String>,
}

fn pager(path: &str, page: i64, more: bool) -> Pager {
    Pager {
        page,
        prev: (page > 1).then(|| link(path, "page", &(page - 1).to_string())),
        next: more.then(|| link(path, "page", &(page + 1).to_string())),
    }
}

fn status_words(mail: &OutboxMail) -> &'static str {
    match mail.status {
        MailStatus::Sent => "sent",
        MailStatus::Mailbox => "in mailbox",
        MailStatus::Pending if mail.last_error.is_some() => "failed, will retry",
        MailStatus::Pending => "queued",
    }
}

#[derive(Debug, Serialize)]
struct MailRow {
    id: i64,
    href: String,
    created: String,
    recipient: String,
    subject: String,
    status: &'static str,
    attempts: i64,
    failed: bool,
}

/// `GET /carbon/mailbox/index.jsp?page=…`.
pub async fn list(ctx: Ctx) -> HttpResponse {
    let page = match page_number(&ctx) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let offset = (page - 1) * MAILS_PER_PAGE;
    let mut mails = match run(&ctx, move |app, a| app.mailbox(a, offset, MAILS_PER_PAGE + 1)).await {
        Ok(m) => m,
        Err(resp) => return resp,
    };
    let more = mails.len() as i64 > MAILS_PER_PAGE;
    mails.truncate(MAILS_PER_PAGE as usize);
    let rows: Vec<MailRow> = mails
        .iter()
        .map(|m| MailRow {
            id: m.id,
            href: link(MAIL, "id", &m.id.to_string()),
            created: format_utc(m.created_at),
            recipient: m.recipient.clone(),
            subject: m.subject.clone(),
            status: status_words(m),
            attempts: m.attempts,
            failed: m.last_error.is_some() && m.status == MailStatus::Pending,
        })
        .collect();
    view::page(
        StatusCode::OK,
        "console/mailbox.html",
        "Mailbox",
        Area::Mailbox,
        &ctx.session,
        None,
        minijinja::context! {
            rows => rows,
            pager => pager(MAILBOX, page, more),
            smtp => ctx.app.settings().smtp_configured,
        },
    )
}

/// `GET /carbon/mailbox/view.jsp?id=…`.
/// `GET /carbon/mailbox/preview.jsp?id=…`: the mail itself, for the preview frame (see the module doc).
pub async fn preview(ctx: Ctx) -> HttpResponse {
    let id = match required(&ctx, "id").map(|v| v.trim().parse::<i64>()) {
        Ok(Ok(id)) => id,
        Ok(Err(_)) => {
            let bad = crate::web::input::BadInput::Bad("The mail id must be a number.".into());
            return view::bad_input(&ctx.session, &bad);
        }
        Err(resp) => return resp,
    };
    let mail = match run(&ctx, move |app, a| app.mail(a, id)).await {
        Ok(m) => m,
        Err(resp) => return resp,
    };
    sandboxed(mail.content_type.eq_ignore_ascii_case("text/html"), mail.body)
}

/// A mail as a document of its own for a preview frame (see the module doc); the e-mail template preview too.
pub(super) fn sandboxed(html: bool, body: String) -> HttpResponse {
    let content_type = if html {
        "text/html; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    };
    let mut resp = response::with_body(StatusCode::OK, HeaderValue::from_static(content_type), body);
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(MAIL_PREVIEW_POLICY),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    resp
}

pub async fn view(ctx: Ctx) -> HttpResponse {
    let id = match required(&ctx, "id").map(|v| v.trim().parse::<i64>()) {
        Ok(Ok(id)) => id,
        Ok(Err(_)) => {
            let bad = crate::web::input::BadInput::Bad("The mail id must be a number.".into());
            return view::bad_input(&ctx.session, &bad);
        }
        Err(resp) => return resp,
    };
    let mail = match run(&ctx, move |app, a| app.mail(a, id)).await {
        Ok(m) => m,
        Err(resp) => return resp,
    };
    let html = mail.content_type.eq_ignore_ascii_case("text/html");
    view::page(
        StatusCode::OK,
        "console/mail.html",
        &format!("Mail {}", mail.id),
        Area::Mailbox,
        &ctx.session,
        None,
        minijinja::context! {
            id => mail.id,
            from => &ctx.app.settings().originator.from,
            recipient => &mail.recipient,
            subject => &mail.subject,
            template => &mail.template,
            content_type => &mail.content_type,
            created => format_utc(mail.created_at),
            status => status_words(&mail),
            attempts => mail.attempts,
            next_attempt => (mail.status == MailStatus::Pending).then(|| format_utc(mail.next_attempt_at)),
            last_error => &mail.last_error,
            sent => mail.sent_at.map(format_utc),
            html => html,
            preview_href => link(MAIL_PREVIEW, "id", &mail.id.to_string()),
            body => &mail.body,
            can_retry => mail.status == MailStatus::Pending && ctx.session.actor.has(MAILBOX_RESEND),
            in_mailbox => mail.status == MailStatus::Mailbox,
            list_href => MAILBOX,
        },
    )
}

/// `POST /carbon/mailbox/retry.jsp`.
pub async fn retry(ctx: Ctx) -> HttpResponse {
    let raw = match required(&ctx, "id") {
        Ok(v) => v.trim().to_string(),
        Err(resp) => return resp,
    };
    let Ok(id) = raw.parse::<i64>() else {
        let bad = crate::web::input::BadInput::Bad("The mail id must be a number.".into());
        return view::bad_input(&ctx.session, &bad);
    };
    let back = link(MAIL, "id", &id.to_string());
    act(&ctx, &back, &back, Vec::new(), move |app, a| {
        app.retry_mail(a, id)?;
        Ok(format!("Mail {id} will be sent again shortly."))
    })
    .await
}

#[derive(Debug, Serialize)]
struct AuditRow {
    at: String,
    actor: String,
    action: String,
    target: String,
    detail: String,
}

/// `GET /carbon/audit/index.jsp?page=…`.
pub async fn audit(ctx: Ctx) -> HttpResponse {
    let page = match page_number(&ctx) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let offset = (page - 1) * AUDIT_PER_PAGE;
    let mut records = match run(&ctx, move |app, a| app.audit_log(a, offset, AUDIT_PER_PAGE + 1)).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let more = records.len() as i64 > AUDIT_PER_PAGE;
    records.truncate(AUDIT_PER_PAGE as usize);
    let rows: Vec<AuditRow> = records
        .into_iter()
        .map(|r| AuditRow {
            at: format_utc(r.at),
            actor: r.actor,
            action: r.action,
            target: r.target,
            detail: r.detail,
        })
        .collect();
    view::page(
        StatusCode::OK,
        "console/audit.html",
        "Audit Log",
        Area::Audit,
        &ctx.session,
        None,
        minijinja::context! { rows => rows, pager => pager(AUDIT, page, more) },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_link_only_where_there_is_a_page() {
        let first = pager(AUDIT, 1, true);
        assert_eq!(first.prev, None);
        assert_eq!(first.next.as_deref(), Some("/carbon/audit/index.jsp?page=2"));
        let last = pager(AUDIT, 3, false);
        assert_eq!(last.prev.as_deref(), Some("/carbon/audit/index.jsp?page=2"));
        assert_eq!(last.next, None);
    }
}
