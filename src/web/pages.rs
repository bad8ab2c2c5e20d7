//! Rendering: the one minijinja environment with every template, the console's included (embedded, HTML
//! auto-escaped), the stylesheet, the security headers every answer carries, and the one place a `DomainError`
//! becomes a page or an API error.

use std::sync::LazyLock;

use hyper::StatusCode;
use hyper::header::{self, HeaderValue};
use minijinja::{Environment, Value};

use crate::domain::DomainError;
use crate::http::response::{self, HttpResponse};

/// Embeds each named file under `templates/`, named by its path there.
macro_rules! embed_templates {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("templates/", $name)))),*]
    };
}

/// Every template of the pages and the console: the one list (a test checks it against the directory).
const TEMPLATES: &[(&str, &str)] = &embed_templates![
    "base.html",
    "login.html",
    "dashboard.html",
    "reset_form.html",
    "reset_done.html",
    "reset_redirect.html",
    "expiry_form.html",
    "message.html",
    "logout_consent.html",
    "consent.html",
    "console/layout.html",
    "console/login.html",
    "console/home.html",
    "console/message.html",
    "console/users_home.html",
    "console/users.html",
    "console/user_add.html",
    "console/user.html",
    "console/profile.html",
    "console/roles.html",
    "console/role_add.html",
    "console/role.html",
    "console/dialects.html",
    "console/claims.html",
    "console/claim_edit.html",
    "console/resident.html",
    "console/mailbox.html",
    "console/mail.html",
    "console/audit.html",
    "console/applications.html",
    "console/email_home.html",
    "console/email_type_add.html",
    "console/email_fields.html",
    "console/email_preview.html",
    "console/email_add.html",
    "console/email_edit_form.html",
    "console/email_edit.html",
    "console/email_list.html",
    "console/email_confirm.html",
    "console/tenants.html",
    "console/tenant_add.html",
    "console/tenant.html",
];

const STYLESHEET: &str = include_str!("static/forcereset.css");

/// No scripts, no foreign origins: the pages need nothing but their own stylesheet and forms, and the console's
/// mail preview, a frame of our own (itself sandboxed: `MAIL_PREVIEW_POLICY`).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                                       frame-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A mail shown as itself, for the console's preview frame: its inline styles apply (a mail is styled inline),
/// nothing else does. `sandbox` gives it an opaque origin with no scripts, forms or navigation even when opened
/// on its own; only the console may frame it.
pub const MAIL_PREVIEW_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; \
                                       frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/// The one template environment, built at first use. HTML auto-escaping follows the `.html` names.
static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    #[allow(clippy::disallowed_methods)] // The one environment is made here.
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            // A broken embedded template is a build defect; the unit tests render every one of them.
            tracing::error!(template = name, error = %e, "embedded template does not compile");
        }
    }
    env
});

/// Render template `name` (a path under `templates/`) with `ctx` to a string.
pub fn render_to_string(name: &str, ctx: Value) -> Result<String, minijinja::Error> {
    ENV.get_template(name).and_then(|t| t.render(ctx))
}

/// Render template `name` with `ctx` as an HTML page with `status`. A render failure is logged and becomes a
/// plain 500.
pub fn render(status: StatusCode, name: &str, ctx: Value) -> HttpResponse {
    match render_to_string(name, ctx) {
        Ok(html) => response::html(status, html),
        Err(e) => {
            tracing::error!(template = name, error = %e, "cannot render page");
            response::internal_error()
        }
    }
}

/// A link shown under a message.
#[derive(Debug, Clone, Copy)]
pub struct Link<'a> {
    pub href: &'a str,
    pub label: &'a str,
}

/// The start of a new login: where every dead end points.
pub const SIGN_IN: Link<'static> = Link {
    href: super::DASHBOARD_PATH,
    label: "Go to the sign-in page",
};

/// An error page: a heading, an optional WSO2 error code, a text and an optional link.
pub fn message(
    status: StatusCode,
    title: &str,
    code: Option<&str>,
    text: &str,
    link: Option<Link<'_>>,
) -> HttpResponse {
    message_page(status, title, code, text, link, "alert")
}

/// An informational page (e.g. signed out): a heading, a text and an optional link.
pub fn notice(title: &str, text: &str, link: Option<Link<'_>>) -> HttpResponse {
    message_page(StatusCode::OK, title, None, text, link, "notice")
}

fn message_page(
    status: StatusCode,
    title: &str,
    code: Option<&str>,
    text: &str,
    link: Option<Link<'_>>,
    tone: &str,
) -> HttpResponse {
    render(
        status,
        "message.html",
        minijinja::context! {
            title => title,
            code => code,
            text => text,
            tone => tone,
            link_href => link.map(|l| l.href),
            link_label => link.map(|l| l.label),
        },
    )
}

/// The 400/413 page for input refused before any use case ran.
pub fn bad_input(bad: &super::input::BadInput) -> HttpResponse {
    let mut resp = message(
        bad.status(),
        "The request cannot be processed",
        None,
        &format!("{} Nothing was changed.", bad.message()),
        Some(SIGN_IN),
    );
    if bad.closes_connection() {
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

pub fn internal_error() -> HttpResponse {
    domain_error(&DomainError::Internal)
}

/// Status and words for a `DomainError`, for pages and the API alike. Exhaustive on purpose: a new variant must
/// be placed here. Internal detail never reaches the client (it was logged where it happened).
pub fn describe(e: &DomainError) -> (StatusCode, String) {
    let status = match e {
        DomainError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        DomainError::AccessDenied | DomainError::NotAuthorized => StatusCode::FORBIDDEN,
        DomainError::UserNotFound(_)
        | DomainError::RoleNotFound(_)
        | DomainError::TemplateTypeNotFound(_)
        | DomainError::TemplateNotFound { .. } => StatusCode::NOT_FOUND,
        DomainError::UserExists(_)
        | DomainError::RoleExists(_)
        | DomainError::TemplateTypeExists(_)
        | DomainError::TemplateExists { .. } => StatusCode::CONFLICT,
        DomainError::InvalidInput(_)
        | DomainError::PasswordPolicy(_)
        | DomainError::UsernamePolicy { .. }
        | DomainError::UnknownClaim(_)
        | DomainError::ReadOnlyClaim(_)
        | DomainError::MissingInput
        | DomainError::CannotDeleteAdmin
        | DomainError::CannotDeleteAdminRole
        | DomainError::TemplateRefused(_) => StatusCode::BAD_REQUEST,
        DomainError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, e.to_string())
}

/// A `DomainError` as a page.
pub fn domain_error(e: &DomainError) -> HttpResponse {
    let (status, text) = describe(e);
    let title = if status.is_server_error() {
        "Something went wrong"
    } else {
        "The request cannot be completed"
    };
    message(status, title, None, &text, Some(SIGN_IN))
}

/// `GET /static/forcereset.css`.
pub fn stylesheet() -> HttpResponse {
    let mut resp = response::with_body(
        StatusCode::OK,
        HeaderValue::from_static("text/css; charset=UTF-8"),
        STYLESHEET,
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    resp
}

/// The headers every answer of this module carries. Pages, redirects and API answers hold codes, tokens and
/// personal data, so they are never stored by caches or the browser's history (`no-store`), unless the handler
/// chose otherwise (the stylesheet). `Referrer-Policy: no-referrer` keeps reset codes in URLs from leaking, unless
/// the handler chose a policy (the reset form: `same-origin`, so its post says where it came from).
pub fn harden(mut resp: HttpResponse) -> HttpResponse {
    let h = resp.headers_mut();
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    // A handler that set its own policy (the mail preview) keeps it; everything else gets the strict one.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !h.contains_key(header::REFERRER_POLICY) {
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn text(resp: HttpResponse) -> String {
        String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
    }

    #[test]
    fn every_template_compiles() {
        for (name, _) in TEMPLATES {
            assert!(ENV.get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn every_file_under_templates_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/templates");
        let mut on_disk = Vec::new();
        for sub in ["", "console/"] {
            for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
                let entry = entry.unwrap();
                if entry.file_type().unwrap().is_file() {
                    on_disk.push(format!("{sub}{}", entry.file_name().to_string_lossy()));
                }
            }
        }
        let mut listed: Vec<String> = TEMPLATES.iter().map(|(name, _)| name.to_string()).collect();
        on_disk.sort();
        listed.sort();
        assert_eq!(listed, on_disk);
    }

    #[tokio::test]
    async fn values_are_html_escaped() {
        let resp = message(
            StatusCode::BAD_REQUEST,
            "t",
            Some("18001"),
            "Invalid Code '<script>alert(1)</script>'.",
            None,
        );
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let body = text(resp).await;
        assert!(body.contains("&lt;script&gt;"), "{body}");
        assert!(!body.contains("<script>"), "{body}");
        assert!(body.contains("18001"));
    }

    #[test]
    fn hardened_answers_are_not_stored_or_framed() {
        let resp = harden(response::html(StatusCode::OK, "x"));
        let h = resp.headers();
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert!(
            h[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(
            harden(stylesheet()).headers()[header::CACHE_CONTROL],
            "public, max-age=3600"
        );
    }

    #[test]
    fn internal_errors_say_nothing_internal() {
        let (status, text) = describe(&DomainError::Internal);
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(text.contains("server logs"), "{text}");
        assert_eq!(
            describe(&DomainError::PasswordPolicy("x".into())).0,
            StatusCode::BAD_REQUEST
        );
    }
}
