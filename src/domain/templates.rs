//! E-mail template rules: which names and locales WSO2 accepts for a template type and template, how a locale
//! names a template per release, WSO2's placeholders, and forcereset's own save-time checks.
//!
//! WSO2 (`EmailTemplateManagerImpl.validateNotificationTemplate`, NOTIF v1.2.8–v1.9.73) checks only that names and
//! locales are present and free of registry characters and that subject and body (and, up to 6.1, the footer) are
//! not blank; it stores anything else and sends it. forcereset also refuses a reset template that would break the
//! mail (no code placeholder, no reset link, HTML that does not nest) and warns about placeholders nobody fills:
//! a deliberate deviation (docs/COMPATIBILITY.md), made in one place so every front door behaves the same.

use std::sync::LazyLock;

use regex::Regex;

use super::DomainError;
use super::profile::templates::{LocaleRule, TemplatesProfile};

/// The fallback locale of every release (`I18nMgtConstants.DEFAULT_EMAIL_LOCALE`, compared lower-cased).
pub const DEFAULT_LOCALE: &str = "en_US";

/// The reset templates by type key (the display name without whitespace, lower-cased).
pub const TYPE_LINK: &str = "adminforcedpasswordreset";
pub const TYPE_OTP: &str = "adminforcedpasswordresetwithotp";
pub const TYPE_RESEND_LINK: &str = "resendadminforcedpasswordreset";
pub const TYPE_RESEND_OTP: &str = "resendadminforcedpasswordresetwithotp";

/// Characters WSO2 refuses in a display name or locale (`IdentityValidationUtil` `REGISTRY_INVALID_CHARS_EXISTS`).
const REGISTRY_INVALID_CHARS: &str = "~!@#;%^*()+={}|<>\\\"'/,";
/// Characters CIF's registry layer also refuses in a locale (5.9–7.0).
const REGISTRY_LOCALE_CHARS: &str = "/\\<>`\"";

/// A template as a client sends it for saving.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateDraft {
    pub display_name: String,
    pub locale: String,
    /// None when the client sent none (WSO2 stores that as it is).
    pub content_type: Option<String>,
    pub subject: String,
    pub body: String,
    pub footer: String,
}

/// The key of a template type: WSO2's `I18nEmailUtil.getNormalizedName`, whitespace removed and lower-cased, so
/// "Admin Forced Password Reset" and "adminforcedpasswordreset" are one type.
pub fn type_key(display_name: &str) -> String {
    display_name
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A display name WSO2 accepts: not blank; the whitelist `[a-zA-Z0-9\s]+` matched in full, or no registry
/// character (`IdentityValidationUtil.isValid` is whitelist OR blacklist), so `My-Type_1` passes and `a/b` does not.
pub fn check_type_name(display_name: &str) -> Result<(), DomainError> {
    if display_name.trim().is_empty() {
        return Err(DomainError::InvalidInput(
            "Template Type display name cannot be null".into(),
        ));
    }
    let whitelisted = display_name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c.is_whitespace());
    if !whitelisted && display_name.chars().any(|c| REGISTRY_INVALID_CHARS.contains(c)) {
        return Err(DomainError::InvalidInput(format!(
            "Invalid characters exists in the notification template display name : {display_name}"
        )));
    }
    Ok(())
}

/// A locale WSO2 accepts: not blank, no registry character (any string otherwise: `xx_YY` is fine).
pub fn check_locale(profile: &TemplatesProfile, locale: &str) -> Result<(), DomainError> {
    if locale.trim().is_empty() {
        return Err(DomainError::InvalidInput("Locale code cannot be empty".into()));
    }
    let refused = |set: &str| locale.chars().any(|c| set.contains(c));
    if refused(REGISTRY_INVALID_CHARS) || (profile.locale_registry_chars_refused && refused(REGISTRY_LOCALE_CHARS)) {
        return Err(DomainError::InvalidInput(format!(
            "Locale contains invalid characters : {locale}"
        )));
    }
    Ok(())
}

/// The locale as the release stores and looks it up (see [`LocaleRule`]).
pub fn normalize_locale(profile: &TemplatesProfile, locale: &str) -> String {
    match profile.locale_rule {
        LocaleRule::LowerCase => locale.to_string(),
        LocaleRule::LanguageTag => {
            let normalized = java_locale(locale);
            if normalized.is_empty() {
                DEFAULT_LOCALE.to_string()
            } else {
                normalized
            }
        }
    }
}

/// Which stored template a locale addresses: the normalized locale, lower-cased (the registry's resource name).
pub fn locale_key(profile: &TemplatesProfile, locale: &str) -> String {
    normalize_locale(profile, locale).to_lowercase()
}

/// Java's `Locale.forLanguageTag(s.replace('_', '-').toLowerCase()).toString()` for the shapes locales take:
/// language, optional script, optional region; an ill-formed tag gives "" (Java's root locale).
fn java_locale(text: &str) -> String {
    let lowered = text.trim().replace('_', "-").to_lowercase();
    let mut parts = lowered.split('-').peekable();
    let language = match parts.next() {
        Some(l) if (2..=8).contains(&l.len()) && l.len() != 4 && l.chars().all(|c| c.is_ascii_alphabetic()) => l,
        _ => return String::new(),
    };
    let mut script = None;
    if let Some(s) = parts
        .peek()
        .filter(|s| s.len() == 4 && s.chars().all(|c| c.is_ascii_alphabetic()))
    {
        script = Some(s.to_string());
        parts.next();
    }
    let mut region = None;
    if let Some(r) = parts.peek().filter(|r| {
        (r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()))
            || (r.len() == 3 && r.chars().all(|c| c.is_ascii_digit()))
    }) {
        region = Some(r.to_uppercase());
        parts.next();
    }
    let mut out = language.to_string();
    match (region, script) {
        (Some(region), None) => out.push_str(&format!("_{region}")),
        (Some(region), Some(script)) => out.push_str(&format!("_{region}_#{}", title_case(&script))),
        (None, Some(script)) => out.push_str(&format!("__#{}", title_case(&script))),
        (None, None) => {}
    }
    out
}

fn title_case(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// WSO2's checks of a template's content, in its words (`validateNotificationTemplate`).
pub fn check_content(profile: &TemplatesProfile, draft: &TemplateDraft) -> Result<(), DomainError> {
    let blank = draft.subject.trim().is_empty()
        || draft.body.trim().is_empty()
        || (profile.footer_required && draft.footer.trim().is_empty());
    if blank {
        return Err(DomainError::InvalidInput(
            "Subject/Body/Footer sections of an email template cannot be empty.".into(),
        ));
    }
    Ok(())
}

/// Everything WSO2 checks before saving a template.
pub fn check_draft(profile: &TemplatesProfile, draft: &TemplateDraft) -> Result<(), DomainError> {
    check_type_name(&draft.display_name)?;
    check_locale(profile, &draft.locale)?;
    check_content(profile, draft)
}

/// A well-formed placeholder, `{{name}}`: WSO2 property keys and claim names (ASCII letters, digits, `. _ : -`).
static PLACEHOLDER: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\{\{([A-Za-z0-9._:-]+)\}\}").ok());

/// The placeholder pattern (None only if it failed to compile, which a unit test rules out).
pub fn placeholder_pattern() -> Option<&'static Regex> {
    PLACEHOLDER.as_ref()
}

/// Every placeholder name in `text`, in order.
pub fn placeholders(text: &str) -> Vec<&str> {
    let Some(re) = placeholder_pattern() else {
        return Vec::new();
    };
    re.captures_iter(text)
        .filter_map(|c| c.get(1))
        .map(|name| name.as_str())
        .collect()
}

/// The event properties a reset mail is rendered with (`NotificationUtil.getPlaceholderValues`).
pub const PROPERTIES: [&str; 5] = [
    "user-name",
    "confirmation-code",
    "userstore-domain",
    "tenant-domain",
    "carbon.product-url",
];

/// Does a reset mail fill this placeholder? Every property, its `url:` form, and `user.claim.<name>`.
pub fn is_known(name: &str) -> bool {
    let bare = name.strip_prefix("url:").unwrap_or(name);
    PROPERTIES.contains(&bare) || bare.strip_prefix("user.claim.").is_some_and(|claim| !claim.is_empty())
}

/// Is this content type HTML (`text/html`, any parameters)?
pub fn is_html(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|ct| ct.trim().eq_ignore_ascii_case("text/html"))
}

/// forcereset's own save-time checks (a deliberate deviation, see the module doc): refuse what would break a
/// reset mail, and return a warning for each placeholder no mail fills (it would reach the user as written).
pub fn check_mail(type_key: &str, draft: &TemplateDraft) -> Result<Vec<String>, DomainError> {
    let parts = [&draft.subject, &draft.body, &draft.footer];
    let all: Vec<&str> = parts.iter().flat_map(|p| placeholders(p)).collect();
    let has_code = all
        .iter()
        .any(|n| *n == "confirmation-code" || *n == "url:confirmation-code");
    let name = &draft.display_name;
    if matches!(type_key, TYPE_OTP | TYPE_RESEND_OTP) && !has_code {
        return Err(DomainError::TemplateRefused(format!(
            "The {name} template sends the one-time password, but it has no {{{{confirmation-code}}}} \
             placeholder: the user would get no code. Nothing was saved."
        )));
    }
    if matches!(type_key, TYPE_LINK | TYPE_RESEND_LINK) && !has_reset_link(&parts) {
        return Err(DomainError::TemplateRefused(format!(
            "The {name} template sends the reset link, but it has no link carrying the code \
             (…/confirmrecovery.do?confirmation={{{{confirmation-code}}}}): the user could not reset the password. \
             Nothing was saved."
        )));
    }
    if is_html(draft.content_type.as_deref()) {
        for (part, text) in [("body", &draft.body), ("footer", &draft.footer)] {
            if let Err(problem) = check_html(text) {
                return Err(DomainError::TemplateRefused(format!(
                    "The {part} of the {name} template is not valid HTML: {problem}. Nothing was saved."
                )));
            }
        }
    }
    let mut warnings = Vec::new();
    for unknown in all.into_iter().filter(|n| !is_known(n)) {
        let warning =
            format!("The placeholder {{{{{unknown}}}}} is not filled by any reset mail: it will be sent as written.");
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }
    Ok(warnings)
}

/// A link carrying the code: `confirmation={{confirmation-code}}` (or its `url:` form) in a URL.
fn has_reset_link(parts: &[&String]) -> bool {
    parts.iter().any(|p| {
        p.contains("confirmation={{confirmation-code}}") || p.contains("confirmation={{url:confirmation-code}}")
    })
}

/// Elements with no content and no end tag.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
];
/// Elements whose end tag HTML lets an author leave out.
const OPTIONAL_END: [&str; 14] = [
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "colgroup", "caption", "html",
];
/// More elements than any mail needs: a bound on the stack.
const MAX_DEPTH: usize = 256;

/// Does `text` nest as HTML: every tag closed (`>`, quotes balanced), every element ended in order (void elements
/// and optional end tags as HTML allows), comments terminated? Not a full HTML parser: it answers what a mail
/// client would get wrong, so its message names the first element that does not close.
pub fn check_html(text: &str) -> Result<(), String> {
    let mut open: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            let end = after.find("-->").ok_or("a comment <!-- is never closed with -->")?;
            rest = &after[end + 3..];
            continue;
        }
        if rest.starts_with('!') || rest.starts_with('?') {
            let end = rest.find('>').ok_or("a declaration <! is never closed with >")?;
            rest = &rest[end + 1..];
            continue;
        }
        let closing = rest.starts_with('/');
        let name_start = usize::from(closing);
        let name: String = rest[name_start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            // A `<` that starts no tag ("a < b") is text.
            continue;
        }
        let end = tag_end(rest).ok_or_else(|| format!("the tag <{}{name} is never closed with >", slash(closing)))?;
        let self_closing = rest[..end].ends_with('/');
        rest = &rest[end + 1..];
        if closing {
            let Some(found) = open.iter().rposition(|o| *o == name) else {
                if OPTIONAL_END.contains(&name.as_str()) || VOID.contains(&name.as_str()) {
                    continue;
                }
                return Err(format!("</{name}> closes an element that is not open"));
            };
            if let Some(unclosed) = open[found + 1..].iter().find(|o| !OPTIONAL_END.contains(&o.as_str())) {
                return Err(format!("<{unclosed}> is not closed before </{name}>"));
            }
            open.truncate(found);
        } else if !self_closing && !VOID.contains(&name.as_str()) {
            if open.len() >= MAX_DEPTH {
                return Err(format!("elements nest deeper than {MAX_DEPTH}"));
            }
            open.push(name);
        }
    }
    match open.iter().find(|o| !OPTIONAL_END.contains(&o.as_str())) {
        Some(unclosed) => Err(format!("<{unclosed}> is never closed")),
        None => Ok(()),
    }
}

fn slash(closing: bool) -> &'static str {
    if closing { "/" } else { "" }
}

/// The index of the `>` ending the tag that starts `tag` (after its `<`), skipping quoted attribute values.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            (None, '<') => return None,
            (None, _) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests;
