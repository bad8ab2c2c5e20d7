//! E-mail templates: loading WSO2's email-admin-config.xml format and rendering its `{{…}}` placeholders.
//!
//! The renderer is one regular expression, not a template engine: WSO2's placeholder names (`url:user-name`,
//! `carbon.product-url`) are not valid in Jinja-like syntaxes, and a template file written for WSO2 must work
//! unchanged. Anything that is not a well-formed known placeholder is copied through as it is.

use std::path::Path;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use regex::Captures;

use crate::domain::templates::{self, is_known, placeholders};
use crate::soap::xml::{self, Element, Limits, XmlError};
use crate::store::StoredTemplate;

use super::MailError;

/// The templates shipped in the binary.
const EMBEDDED: &str = include_str!("../../email-templates/email-admin-config.xml");
/// How the embedded copy is named in messages.
const EMBEDDED_NAME: &str = "email-admin-config.xml";

/// The claim dialect `{{user.claim.<name>}}` reads from.
const CLAIM_PREFIX: &str = "http://wso2.org/claims/";

/// The templates the forced-reset flow sends; a file without one of them gets a warning, not an error, since a
/// deployment may use only some reset modes.
const EXPECTED: [&str; 4] = [
    "AdminForcedPasswordReset",
    "AdminForcedPasswordResetWithOTP",
    "resendAdminForcedPasswordReset",
    "resendAdminForcedPasswordResetWithOTP",
];

/// RFC 3986 unreserved characters stay as they are; everything else is percent-encoded, so a space becomes %20
/// (understood by both URL and form decoders, unlike `+`).
const URL_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// One `<configuration>` of the file: what start-up seeds the store's template tables with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub kind: String,
    pub display: String,
    pub locale: String,
    /// `text/html` or `text/plain`.
    pub content_type: String,
    pub subject: String,
    pub body: String,
    pub footer: String,
}

impl Template {
    /// The template as the store holds it (key and locale key as WSO2 5.9–7.0 name them), saved at `now`.
    pub fn to_stored(&self, now: i64) -> StoredTemplate {
        StoredTemplate {
            type_key: templates::type_key(&self.display),
            locale_key: self.locale.to_lowercase(),
            locale: self.locale.clone(),
            display_name: self.display.clone(),
            content_type: Some(self.content_type.clone()),
            subject: self.subject.clone(),
            body: self.body.clone(),
            footer: self.footer.clone(),
            updated_at: now,
        }
    }

    fn answers_to(&self, name: &str) -> bool {
        self.kind.eq_ignore_ascii_case(name) || self.display.eq_ignore_ascii_case(name)
    }
}

/// A loaded template file. `Default` is the empty set, in which every render fails with `UnknownTemplate`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Templates {
    templates: Vec<Template>,
}

/// The values a template is rendered with (WSO2's notification event properties).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TemplateVars {
    pub user_name: String,
    /// Full claim URIs (`http://wso2.org/claims/givenname`) → values.
    pub user_claims: Vec<(String, String)>,
    pub confirmation_code: String,
    pub userstore_domain: String,
    pub tenant_domain: String,
    pub product_url: String,
}

/// The code is a live credential: keep it out of logs.
impl std::fmt::Debug for TemplateVars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateVars")
            .field("user_name", &self.user_name)
            .field("user_claims", &self.user_claims)
            .field("confirmation_code", &"<redacted>")
            .field("userstore_domain", &self.userstore_domain)
            .field("tenant_domain", &self.tenant_domain)
            .field("product_url", &self.product_url)
            .finish()
    }
}

/// A rendered mail, ready for the outbox. The body may hold a reset link or OTP: `Debug` leaves it out.
#[derive(Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    /// The body with the footer appended on a new line.
    pub body: String,
    /// `text/html` or `text/plain`.
    pub content_type: String,
}

impl std::fmt::Debug for Rendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendered")
            .field("subject", &self.subject)
            .field("content_type", &self.content_type)
            .finish_non_exhaustive()
    }
}

impl Templates {
    /// The embedded copy. A unit test proves it parses; should it ever not, this logs the reason and gives the
    /// empty set, so that only the mails fail (with `UnknownTemplate`), not the whole server.
    pub fn embedded() -> Templates {
        match Self::parse(EMBEDDED, EMBEDDED_NAME) {
            Ok((templates, _)) => templates,
            Err(e) => {
                tracing::error!(error = %e, "the embedded e-mail templates do not parse");
                Templates::default()
            }
        }
    }

    /// Load a template file (None = the embedded copy). The warnings name each unknown placeholder once per
    /// template, and each expected template the file lacks.
    pub fn load(path: Option<&Path>) -> Result<(Templates, Vec<String>), MailError> {
        match path {
            None => Self::parse(EMBEDDED, EMBEDDED_NAME),
            Some(path) => {
                let name = path.display().to_string();
                let bytes = std::fs::read(path).map_err(|e| MailError::BadFile {
                    file: name.clone(),
                    message: format!("cannot read: {e}"),
                })?;
                let text = std::str::from_utf8(&bytes).map_err(|_| MailError::BadFile {
                    file: name.clone(),
                    message: "not valid UTF-8".into(),
                })?;
                Self::parse(text, &name)
            }
        }
    }

    /// Parse the text of an email-admin-config.xml; `file` names it in messages.
    pub fn parse(text: &str, file: &str) -> Result<(Templates, Vec<String>), MailError> {
        let bad = |message: String| MailError::BadFile {
            file: file.to_string(),
            message,
        };
        let root = xml::parse(text.as_bytes(), Limits::default()).map_err(|e| {
            bad(match e {
                // The parser's own wording speaks of SOAP messages.
                XmlError::Doctype => "DOCTYPE is not allowed".into(),
                XmlError::ProcessingInstruction => "processing instructions are not allowed".into(),
                other => other.to_string(),
            })
        })?;
        if root.name != "configurations" {
            return Err(bad(format!(
                "the document element is <{}>, expected <configurations>",
                root.name
            )));
        }
        let mut templates: Vec<Template> = Vec::new();
        for config in root.children.iter().filter(|c| c.name == "configuration") {
            let template = read_template(config, file)?;
            if templates
                .iter()
                .any(|t| t.kind.eq_ignore_ascii_case(&template.kind) && t.locale.eq_ignore_ascii_case(&template.locale))
            {
                return Err(bad(format!(
                    "template {} is defined twice for locale {}",
                    template.display, template.locale
                )));
            }
            templates.push(template);
        }
        if templates.is_empty() {
            return Err(bad("no <configuration> elements".into()));
        }

        let mut warnings = Vec::new();
        for t in &templates {
            let mut seen: Vec<&str> = Vec::new();
            for text in [&t.subject, &t.body, &t.footer] {
                for name in placeholders(text) {
                    if !is_known(name) && !seen.contains(&name) {
                        seen.push(name);
                        warnings.push(format!(
                            "{file}: template {} uses unknown placeholder {{{{{name}}}}} (left as is)",
                            t.display
                        ));
                    }
                }
            }
        }
        let loaded = Templates { templates };
        for name in EXPECTED {
            if loaded.find(name).is_none() {
                warnings.push(format!(
                    "{file}: no template {name} (mails that need it cannot be sent)"
                ));
            }
        }
        Ok((loaded, warnings))
    }

    /// Every template of the file, in its order.
    pub fn iter(&self) -> impl Iterator<Item = &Template> {
        self.templates.iter()
    }

    /// Is there a template of this type or display name?
    pub fn contains(&self, template: &str) -> bool {
        self.find(template).is_some()
    }

    /// The template of this type or display name (case-insensitive); en_US first when several locales exist.
    fn find(&self, name: &str) -> Option<&Template> {
        let mut matching = self.templates.iter().filter(|t| t.answers_to(name));
        let first = matching.next()?;
        if first.locale.eq_ignore_ascii_case("en_US") {
            return Some(first);
        }
        Some(
            matching
                .find(|t| t.locale.eq_ignore_ascii_case("en_US"))
                .unwrap_or(first),
        )
    }

    /// Render a template: placeholders replaced (HTML-escaped in text/html bodies, never in the subject), the
    /// footer appended to the body.
    pub fn render(&self, template: &str, vars: &TemplateVars) -> Result<Rendered, MailError> {
        let t = self
            .find(template)
            .ok_or_else(|| MailError::UnknownTemplate(template.to_string()))?;
        Ok(render_stored(&t.to_stored(0), vars))
    }
}

/// Render a stored template: placeholders replaced (HTML-escaped in text/html bodies, never in the subject), the
/// footer appended to the body. The content type becomes plain `text/html` or `text/plain` (a stored
/// `text/html; charset=UTF-8` is HTML; no content type is plain text).
pub fn render_stored(t: &StoredTemplate, vars: &TemplateVars) -> Rendered {
    let html = templates::is_html(t.content_type.as_deref());
    let subject = one_line(&expand(&t.subject, vars, false));
    let mut body = expand(&t.body, vars, html);
    if !t.footer.trim().is_empty() {
        body.push('\n');
        body.push_str(&expand(&t.footer, vars, html));
    }
    Rendered {
        subject,
        body,
        content_type: if html { "text/html" } else { "text/plain" }.to_string(),
    }
}

fn read_template(config: &Element, file: &str) -> Result<Template, MailError> {
    let attr = |name: &str| config.attr(None, name).map(str::trim).filter(|v| !v.is_empty());
    let kind = attr("type").ok_or_else(|| MailError::BadFile {
        file: file.to_string(),
        message: "a <configuration> has no type attribute".into(),
    })?;
    let display = attr("display").unwrap_or(kind).to_string();
    let content_type = match attr("emailContentType") {
        None => "text/plain".to_string(),
        Some(ct) if ct.eq_ignore_ascii_case("text/html") => "text/html".to_string(),
        Some(ct) if ct.eq_ignore_ascii_case("text/plain") => "text/plain".to_string(),
        Some(other) => {
            return Err(MailError::BadFile {
                file: file.to_string(),
                message: format!("template {display}: emailContentType {other:?} is neither text/html nor text/plain"),
            });
        }
    };
    let part = |name: &'static str| -> Result<String, MailError> {
        let text = config
            .children
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.text.trim())
            .unwrap_or_default();
        if text.is_empty() {
            return Err(MailError::MissingPart {
                file: file.to_string(),
                template: display.clone(),
                part: name,
            });
        }
        Ok(text.to_string())
    };
    let footer = config
        .children
        .iter()
        .find(|c| c.name == "footer")
        .map(|c| c.text.trim().to_string())
        .unwrap_or_default();
    Ok(Template {
        kind: kind.to_string(),
        locale: attr("locale").unwrap_or("en_US").to_string(),
        subject: one_line(&part("subject")?),
        body: part("body")?,
        footer,
        content_type,
        display,
    })
}

/// The raw value of a known placeholder; None for unknown ones.
fn value_of(name: &str, vars: &TemplateVars) -> Option<String> {
    if let Some(bare) = name.strip_prefix("url:") {
        return value_of(bare, vars).map(|v| utf8_percent_encode(&v, URL_VALUE).to_string());
    }
    Some(match name {
        "user-name" => vars.user_name.clone(),
        "confirmation-code" => vars.confirmation_code.clone(),
        "userstore-domain" => vars.userstore_domain.clone(),
        "tenant-domain" => vars.tenant_domain.clone(),
        "carbon.product-url" => vars.product_url.clone(),
        _ => {
            let claim = name.strip_prefix("user.claim.").filter(|c| !c.is_empty())?;
            claim_value(&vars.user_claims, claim)
        }
    })
}

/// `http://wso2.org/claims/<name>`: the exact URI first, then ignoring case (claim names in templates are
/// hand-written); absent → empty, as WSO2 does.
fn claim_value(claims: &[(String, String)], name: &str) -> String {
    let uri = format!("{CLAIM_PREFIX}{name}");
    claims
        .iter()
        .find(|(u, _)| *u == uri)
        .or_else(|| claims.iter().find(|(u, _)| u.eq_ignore_ascii_case(&uri)))
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Marks where a placeholder came out empty, for [`close_gaps`]; a private-use character no template contains.
const EMPTY: char = '\u{E000}';

/// Replace every known placeholder in `text`; unknown and malformed ones are copied as they are.
fn expand(text: &str, vars: &TemplateVars, html: bool) -> String {
    let Some(re) = templates::placeholder_pattern() else {
        return text.to_string();
    };
    let expanded = re.replace_all(text, |caps: &Captures<'_>| match value_of(&caps[1], vars) {
        Some(value) if value.is_empty() => EMPTY.to_string(),
        Some(value) if html => escape_html(&value),
        Some(value) => value,
        None => caps[0].to_string(),
    });
    close_gaps(&expanded)
}

/// An empty value leaves no gap before punctuation: "Hello {{user.claim.givenname}}," for a user without a
/// given name reads "Hello," rather than "Hello ," (WSO2 5.x sends the placeholder itself, 6.0 on "Hi ,":
/// docs/COMPATIBILITY.md).
fn close_gaps(text: &str) -> String {
    if !text.contains(EMPTY) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != EMPTY {
            out.push(c);
            continue;
        }
        if chars.peek().is_some_and(|next| ",.;:!?".contains(*next)) {
            while out.ends_with([' ', '\u{a0}']) {
                out.pop();
            }
        }
    }
    out
}

/// Not `minijinja::HtmlEscape`: it also writes `/` as `&#x2f;` and `'` as `&#x27;`, which would change every
/// link in a mail.
fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A subject is one header line: line breaks and other control characters (from the file or a claim value)
/// become spaces.
fn one_line(text: &str) -> String {
    let spaced: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    spaced
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;
