//! I18nEmailMgtConfigService: e-mail template types and templates (identity-event-handler-notification,
//! `org.wso2.carbon.email.mgt.I18nEmailMgtConfigService`, one contract from IS 5.9 to 7.2).
//!
//! WSO2's service class rethrows every failure as `I18nEmailMgtServerException` with the operation's fixed text
//! (`handleException`), so a client never sees why; [`in_wso2_words`] does the same. The exception is forcereset's
//! own refusal of a template that would break the mail (`TemplateRefused`, a deliberate deviation): it keeps its
//! words, since a client that got WSO2's fixed text could not tell what to change.

use super::decode::Fields;
use super::fault::ExceptionShape;
use super::writer::{Out, finish_response, response};
use super::xml::XSI;
use super::{Cx, Outcome, ServiceDef, op};
use crate::domain::templates::TemplateDraft;
use crate::domain::{DomainError, TENANT_DOMAIN, permissions};

pub const NS: &str = "http://mgt.email.carbon.wso2.org";
const MODEL: &str = "http://model.mgt.email.carbon.wso2.org/xsd";

pub const EXCEPTION: ExceptionShape = ExceptionShape {
    ns: NS,
    element: "I18nEmailMgtConfigServiceI18nEmailMgtServerException",
    bean: "I18nEmailMgtServerException",
    type_ns: "http://exceptions.mgt.email.carbon.wso2.org/xsd",
    type_name: "I18nEmailMgtServerException",
};

/// services.xml (NOTIF `org.wso2.carbon.email.mgt/src/main/resources/META-INF/services.xml`, every release). The
/// lists grow with the store, and every other operation writes: none is quick.
pub const SERVICE: ServiceDef = ServiceDef {
    name: "I18nEmailMgtConfigService",
    namespace: NS,
    exception: EXCEPTION,
    super_tenant: false,
    ops: &[
        op(
            "addEmailTemplateType",
            permissions::EMAIL_TEMPLATES_CREATE,
            &["emailTemplateDisplayName"],
            add_type,
        ),
        op(
            "deleteEmailTemplateType",
            permissions::EMAIL_TEMPLATES_DELETE,
            &["emailTemplateDisplayName"],
            delete_type,
        ),
        op("getEmailTemplateTypes", permissions::EMAIL_TEMPLATES_VIEW, &[], types),
        op(
            "saveEmailTemplate",
            permissions::EMAIL_TEMPLATES_UPDATE,
            &["emailTemplate"],
            save,
        ),
        op(
            "addEmailTemplate",
            permissions::EMAIL_TEMPLATES_CREATE,
            &["emailTemplate"],
            add,
        ),
        op(
            "deleteEmailTemplate",
            permissions::EMAIL_TEMPLATES_DELETE,
            &["emailTemplateDisplayName", "locale"],
            delete,
        ),
        op(
            "getAllTemplatesForTenant",
            permissions::EMAIL_TEMPLATES_VIEW,
            &[],
            all_templates,
        ),
    ],
};

/// The fault WSO2 gives whatever went wrong: authentication and authorization faults stay Carbon's, forcereset's
/// refusal keeps its message, everything else becomes the operation's fixed text (`%s` = the tenant domain).
fn in_wso2_words(e: DomainError, text: impl FnOnce() -> String) -> DomainError {
    match e {
        DomainError::InvalidCredentials
        | DomainError::AccessDenied
        | DomainError::NotAuthorized
        | DomainError::TemplateRefused(_) => e,
        DomainError::UserNotFound(_)
        | DomainError::UserExists(_)
        | DomainError::RoleNotFound(_)
        | DomainError::RoleExists(_)
        | DomainError::InvalidInput(_)
        | DomainError::PasswordPolicy(_)
        | DomainError::UsernamePolicy { .. }
        | DomainError::UnknownClaim(_)
        | DomainError::ReadOnlyClaim(_)
        | DomainError::MissingInput
        | DomainError::CannotDeleteAdmin
        | DomainError::CannotDeleteAdminRole
        | DomainError::TemplateTypeNotFound(_)
        | DomainError::TemplateTypeExists(_)
        | DomainError::TemplateNotFound { .. }
        | DomainError::TemplateExists { .. }
        | DomainError::Internal => {
            tracing::debug!(error = %e, "I18nEmailMgtConfigService call failed");
            DomainError::InvalidInput(text())
        }
    }
}

fn add_type(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let name = cx.f.str_or_empty("emailTemplateDisplayName")?;
    cx.app.add_template_type(cx.actor, name).map_err(|e| {
        in_wso2_words(e, || {
            format!("Error while adding email template type to {TENANT_DOMAIN} tenant.")
        })
    })?;
    Ok(Outcome::Accepted)
}

fn delete_type(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let name = cx.f.str_or_empty("emailTemplateDisplayName")?;
    cx.app.delete_template_type(cx.actor, name).map_err(|e| {
        in_wso2_words(e, || {
            format!("Error occurred while deleting email template type '{name}' of {TENANT_DOMAIN} tenant.")
        })
    })?;
    Ok(Outcome::Accepted)
}

fn types(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let types = cx.app.template_types(cx.actor).map_err(|e| {
        in_wso2_words(e, || {
            format!("Error while retrieving email template types of {TENANT_DOMAIN} tenant.")
        })
    })?;
    let mut out = response(NS, cx.op);
    for t in &types {
        out.text("ns:return", &t.display_name);
    }
    Ok(finish_response(out, cx.op))
}

/// The `emailTemplate` bean; None when absent or nil. `templateType` is read and ignored: WSO2 replaces it with
/// the normalized display name.
fn draft(cx: &Cx<'_>) -> Result<Option<TemplateDraft>, DomainError> {
    let Some(el) = cx.f.opt_element("emailTemplate")? else {
        return Ok(None);
    };
    let t = Fields::new(el, MODEL);
    t.only(&[
        "body",
        "emailContentType",
        "footer",
        "locale",
        "subject",
        "templateDisplayName",
        "templateType",
    ])?;
    t.opt_str("templateType")?;
    Ok(Some(TemplateDraft {
        display_name: t.str_or_empty("templateDisplayName")?.to_string(),
        locale: t.str_or_empty("locale")?.to_string(),
        content_type: t.opt_str("emailContentType")?.map(str::to_string),
        subject: t.str_or_empty("subject")?.to_string(),
        body: t.str_or_empty("body")?.to_string(),
        footer: t.str_or_empty("footer")?.to_string(),
    }))
}

fn save(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let text = || format!("Error occurred while updating email template in {TENANT_DOMAIN} tenant registry.");
    let draft = draft(cx)?.ok_or_else(|| in_wso2_words(DomainError::MissingInput, text))?;
    cx.app
        .save_email_template(cx.actor, &draft)
        .map_err(|e| in_wso2_words(e, text))?;
    Ok(Outcome::Accepted)
}

fn add(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    // Sic: WSO2's text has no final period here.
    let text = || format!("Error occurred while adding email template to {TENANT_DOMAIN} tenant registry");
    let draft = draft(cx)?.ok_or_else(|| in_wso2_words(DomainError::MissingInput, text))?;
    cx.app
        .add_email_template(cx.actor, &draft)
        .map_err(|e| in_wso2_words(e, text))?;
    Ok(Outcome::Accepted)
}

fn delete(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let name = cx.f.str_or_empty("emailTemplateDisplayName")?;
    let locale = cx.f.str_or_empty("locale")?;
    cx.app.delete_email_template(cx.actor, name, locale).map_err(|e| {
        in_wso2_words(e, || {
            format!(
                "Error occurred while deleting email template type '{name}' of locale '{locale}' in \
                 {TENANT_DOMAIN} tenant registry."
            )
        })
    })?;
    Ok(Outcome::Accepted)
}

fn all_templates(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let templates = cx.app.all_templates(cx.actor).map_err(|e| {
        in_wso2_words(e, || {
            format!("Error occurred while retrieving email templates of {TENANT_DOMAIN} tenant.")
        })
    })?;
    let mut out: Out = response(NS, cx.op);
    for t in &templates {
        out.open(
            "ns:return",
            &[
                ("xmlns:ax", MODEL),
                ("xmlns:xsi", XSI),
                ("xsi:type", "ax:EmailTemplate"),
            ],
        );
        out.text("ax:body", &t.body);
        // `I18nEmailUtil.getEmailTemplate` appends the charset when the stored type has none.
        let content_type = t.content_type.as_deref().map(|ct| {
            if ct.to_ascii_lowercase().contains("charset") {
                ct.to_string()
            } else {
                format!("{ct}; charset=UTF-8")
            }
        });
        out.opt("ax:emailContentType", content_type.as_deref());
        out.text("ax:footer", &t.footer);
        out.text("ax:locale", &t.locale);
        out.text("ax:subject", &t.subject);
        out.text("ax:templateDisplayName", &t.display_name);
        out.text("ax:templateType", &t.type_key);
        out.close("ns:return");
    }
    Ok(finish_response(out, cx.op))
}
