//! Manage → Email Templates: WSO2's pages (NOTIF `org.wso2.carbon.email.mgt.ui`, `web/email-mgt/*.jsp`) under
//! their paths and with their labels and messages: the Add menu (add a type, add a template), and the List (pick a
//! type and a language, edit, delete). WSO2 picks the language with JavaScript; this console has none, so the
//! choice is a GET form and each language a link.
//!
//! The preview is forcereset's (WSO2 has none): the draft is checked and rendered with sample values by
//! `App::preview_template`, and shown in a frame of its own exactly as the mailbox shows a mail
//! ([`super::mailbox`]: a sandboxed document with an opaque origin, no scripts, forms or navigation).

use hyper::StatusCode;
use serde::Serialize;

use super::flash::{self, Flash, PREVIEWS, Preview};
use super::view::{self, Area};
use super::{
    ADD_TEMPLATE, ADD_TEMPLATE_FINISH, ADD_TEMPLATE_TYPE, ADD_TEMPLATE_TYPE_FINISH, Ctx, PREVIEW_FRAME,
    PREVIEW_TEMPLATE, SAVE_TEMPLATE, TEMPLATES, TEMPLATES_HOME, act, optional, required, run, see_other,
};
use crate::app::App;
use crate::domain::DomainError;
use crate::domain::templates::TemplateDraft;
use crate::http::response::HttpResponse;
use crate::store::StoredTemplate;
use crate::web::pages;

/// The content types WSO2's select offers.
const CONTENT_TYPES: [&str; 2] = ["text/html", "text/plain"];

/// Locales the Add form suggests (any other may be typed): WSO2 lists every Java locale as `<lang>_<COUNTRY>`.
const SUGGESTED_LOCALES: [&str; 16] = [
    "en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "it_IT", "pt_BR", "pt_PT", "nl_NL", "sv_SE", "ja_JP", "zh_CN",
    "ko_KR", "ru_RU", "ar_SA", "si_LK",
];

/// `GET /carbon/email-mgt/email-template-mgt.jsp`: the Add menu's page.
pub fn home(ctx: Ctx) -> HttpResponse {
    view::page(
        StatusCode::OK,
        "console/email_home.html",
        "Email Template Management",
        Area::EmailAdd,
        &ctx.session,
        None,
        minijinja::context! { add_type_href => ADD_TEMPLATE_TYPE, add_template_href => ADD_TEMPLATE },
    )
}

/// `GET /carbon/email-mgt/email-template-type-add.jsp`.
pub fn add_type_form(ctx: Ctx) -> HttpResponse {
    let flash = flash::take(&ctx.session.token, ctx.session.now);
    let name = flash
        .as_ref()
        .and_then(|f| f.field("templateDisplayName"))
        .unwrap_or_default()
        .to_string();
    view::page(
        StatusCode::OK,
        "console/email_type_add.html",
        "Email Template Type",
        Area::EmailAdd,
        &ctx.session,
        flash,
        minijinja::context! { name => name, action => ADD_TEMPLATE_TYPE_FINISH, cancel_href => TEMPLATES_HOME },
    )
}

/// `POST /carbon/email-mgt/email-template-type-add-finish-ajaxprocessor.jsp`: on success on to adding its first
/// template, as WSO2 does.
pub async fn add_type(ctx: Ctx) -> HttpResponse {
    let name = match required(&ctx, "templateDisplayName") {
        Ok(n) => n.trim().to_string(),
        Err(resp) => return resp,
    };
    let next = super::link(ADD_TEMPLATE, "templateType", &name);
    let sticky = vec![("templateDisplayName".to_string(), name.clone())];
    let n = name.clone();
    let actor = ctx.session.actor.clone();
    let result = super::super::blocking(&ctx.app, move |app| app.add_template_type(&actor, &n)).await;
    match result {
        Ok(Ok(())) => {
            let f = Flash::notice("Email Template Type successfully Added".into());
            flash::put(&ctx.session.token, f, ctx.session.now);
            see_other(&next)
        }
        Ok(Err(e)) => {
            let (status, text) = pages::describe(&e);
            if status.is_server_error() {
                return view::error(&ctx.session, &e);
            }
            let text = format!("Error while trying to add the new template type : {name}. {text}");
            flash::put(&ctx.session.token, Flash::alert(text, sticky), ctx.session.now);
            see_other(ADD_TEMPLATE_TYPE)
        }
        Err(resp) => resp,
    }
}

/// The form's values: from a refused or previewed submission, else from a stored template, else empty.
#[derive(Debug, Default, Serialize)]
struct FormValues {
    template_type: String,
    locale: String,
    content_type: String,
    subject: String,
    body: String,
    footer: String,
}

impl FormValues {
    fn of(t: &StoredTemplate) -> FormValues {
        FormValues {
            template_type: t.display_name.clone(),
            locale: t.locale.clone(),
            content_type: t.content_type.clone().unwrap_or_default(),
            subject: t.subject.clone(),
            body: t.body.clone(),
            footer: t.footer.clone(),
        }
    }

    fn from_fields(get: impl Fn(&str) -> Option<String>) -> FormValues {
        FormValues {
            template_type: get("emailType").unwrap_or_default(),
            locale: get("emailLocale").unwrap_or_default(),
            content_type: get("emailContentType").unwrap_or_default(),
            subject: get("emailSubject").unwrap_or_default(),
            body: get("emailBody").unwrap_or_default(),
            footer: get("emailFooter").unwrap_or_default(),
        }
    }

    fn draft(&self) -> TemplateDraft {
        TemplateDraft {
            display_name: self.template_type.trim().to_string(),
            locale: self.locale.trim().to_string(),
            content_type: Some(self.content_type.clone()).filter(|c| !c.is_empty()),
            subject: self.subject.clone(),
            body: self.body.clone(),
            footer: self.footer.clone(),
        }
    }

    /// The content-type options, the stored one selected (`text/html; charset=UTF-8` selects `text/html`, as
    /// WSO2 6.0+ does).
    fn content_types(&self) -> Vec<(&'static str, bool)> {
        CONTENT_TYPES
            .iter()
            .map(|ct| (*ct, self.content_type.to_ascii_lowercase().starts_with(ct)))
            .collect()
    }
}

/// The form fields a submission carries, as sticky values.
fn submitted(ctx: &Ctx) -> Vec<(String, String)> {
    ctx.params.0.iter().filter(|(k, _)| k != "csrf").cloned().collect()
}

/// `GET /carbon/email-mgt/email-template-add.jsp[?templateType=…]`.
pub async fn add_form(ctx: Ctx) -> HttpResponse {
    let types = match run(&ctx, |app, a| app.template_types(a)).await {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    let flash = flash::take(&ctx.session.token, ctx.session.now);
    let mut values = match &flash {
        Some(f) if !f.fields.is_empty() => FormValues::from_fields(|n| f.field(n).map(str::to_string)),
        _ => FormValues::default(),
    };
    if let Ok(Some(chosen)) = optional(&ctx, "templateType") {
        values.template_type = chosen.to_string();
    }
    form_page(
        &ctx,
        FormMode::Add,
        flash,
        values,
        types.into_iter().map(|t| t.display_name).collect(),
        None,
    )
}

/// Which form is shown: adding a template, or editing one from the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FormMode {
    Add,
    Edit,
}

/// What a preview shows next to the form.
#[derive(Debug, Serialize)]
struct PreviewView {
    subject: String,
    warnings: Vec<String>,
    frame_href: &'static str,
}

fn form_page(
    ctx: &Ctx,
    mode: FormMode,
    flash: Option<Flash>,
    values: FormValues,
    types: Vec<String>,
    preview: Option<PreviewView>,
) -> HttpResponse {
    let (template, title, area) = match mode {
        FormMode::Add => ("console/email_add.html", "Add a New Email Template", Area::EmailAdd),
        FormMode::Edit => ("console/email_edit.html", "Email Templates", Area::EmailList),
    };
    let chosen_type = values.template_type.clone();
    let types: Vec<(String, bool)> = types
        .into_iter()
        .map(|t| {
            let selected = t.eq_ignore_ascii_case(&chosen_type);
            (t, selected)
        })
        .collect();
    view::page(
        StatusCode::OK,
        template,
        title,
        area,
        &ctx.session,
        flash.filter(|f| !f.text.is_empty()),
        minijinja::context! {
            content_types => values.content_types(),
            values => values,
            types => types,
            locales => SUGGESTED_LOCALES,
            preview => preview,
            add_action => ADD_TEMPLATE_FINISH,
            save_action => SAVE_TEMPLATE,
            preview_action => PREVIEW_TEMPLATE,
            cancel_href => match mode { FormMode::Add => TEMPLATES_HOME, FormMode::Edit => TEMPLATES },
            list_href => TEMPLATES,
        },
    )
}

/// `POST /carbon/email-mgt/email-template-add-finish-ajaxprocessor.jsp`.
pub async fn add(ctx: Ctx) -> HttpResponse {
    let values = FormValues::from_fields(|n| ctx.params.get(n).map(str::to_string));
    let draft = values.draft();
    let sticky = submitted(&ctx);
    act(&ctx, ADD_TEMPLATE, ADD_TEMPLATE, sticky, move |app, a| {
        let saved = app.add_email_template(a, &draft)?;
        Ok(with_warnings("Email Template successfully Added", &saved.warnings))
    })
    .await
}

fn with_warnings(text: &str, warnings: &[String]) -> String {
    std::iter::once(text.to_string())
        .chain(warnings.iter().map(|w| format!("Warning: {w}")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One type and its languages, for the list.
#[derive(Debug, Serialize)]
struct TypeRow {
    name: String,
    selected: bool,
    locales: Vec<LocaleLink>,
}

#[derive(Debug, Serialize)]
struct LocaleLink {
    locale: String,
    href: String,
    selected: bool,
}

fn edit_link(template_type: &str, locale: &str) -> String {
    format!(
        "{}&locale={}",
        super::link(TEMPLATES, "templateType", template_type),
        percent_encoding::utf8_percent_encode(locale, super::QUERY_VALUE)
    )
}

/// `GET /carbon/email-mgt/email-template-config.jsp[?templateType=…&locale=…]`: every type with its languages,
/// and the chosen template (the first of the first type by default, as WSO2) in an edit form.
pub async fn list(ctx: Ctx) -> HttpResponse {
    let (types, templates) = match run(&ctx, |app, a| Ok((app.template_types(a)?, app.all_templates(a)?))).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let (want_type, want_locale) = match (optional(&ctx, "templateType"), optional(&ctx, "locale")) {
        (Ok(t), Ok(l)) => (t.map(str::to_string), l.map(str::to_string)),
        (Err(resp), _) | (_, Err(resp)) => return resp,
    };
    let chosen_type = want_type
        .or_else(|| templates.first().map(|t| t.display_name.clone()))
        .unwrap_or_default();
    let key = crate::domain::templates::type_key(&chosen_type);
    let of_type: Vec<&StoredTemplate> = templates.iter().filter(|t| t.type_key == key).collect();
    let chosen = want_locale
        .and_then(|l| of_type.iter().find(|t| t.locale.eq_ignore_ascii_case(&l)).copied())
        .or_else(|| of_type.first().copied());
    let rows: Vec<TypeRow> = types
        .iter()
        .map(|t| TypeRow {
            selected: t.key == key,
            locales: templates
                .iter()
                .filter(|x| x.type_key == t.key)
                .map(|x| LocaleLink {
                    href: edit_link(&t.display_name, &x.locale),
                    selected: chosen.is_some_and(|c| c.type_key == x.type_key && c.locale_key == x.locale_key),
                    locale: x.locale.clone(),
                })
                .collect(),
            name: t.display_name.clone(),
        })
        .collect();
    let flash = flash::take(&ctx.session.token, ctx.session.now);
    let values = match (&flash, chosen) {
        (Some(f), _) if !f.fields.is_empty() => FormValues::from_fields(|n| f.field(n).map(str::to_string)),
        (_, Some(t)) => FormValues::of(t),
        (_, None) => FormValues::default(),
    };
    view::page(
        StatusCode::OK,
        "console/email_list.html",
        "Email Templates",
        Area::EmailList,
        &ctx.session,
        flash.filter(|f| !f.text.is_empty()),
        minijinja::context! {
            empty => templates.is_empty(),
            rows => rows,
            chosen => chosen.is_some(),
            content_types => values.content_types(),
            values => values,
            list_href => TEMPLATES,
            save_action => SAVE_TEMPLATE,
            preview_action => PREVIEW_TEMPLATE,
        },
    )
}

/// `POST /carbon/email-mgt/email-template-config-finish-ajaxprocessor.jsp`: save, or (`delete=template|type`)
/// delete after WSO2's confirmation question, asked on a page of its own (no JavaScript dialogs here).
pub async fn save(ctx: Ctx) -> HttpResponse {
    let values = FormValues::from_fields(|n| ctx.params.get(n).map(str::to_string));
    let back = edit_link(&values.template_type, &values.locale);
    let delete = match optional(&ctx, "delete") {
        Ok(d) => d.map(str::to_string),
        Err(resp) => return resp,
    };
    let confirmed = ctx.params.get("confirm") == Some("yes");
    let (name, locale) = (
        values.template_type.trim().to_string(),
        values.locale.trim().to_string(),
    );
    match delete.as_deref() {
        None => {
            let draft = values.draft();
            let sticky = submitted(&ctx);
            act(&ctx, &back, &back, sticky, move |app, a| {
                let saved = app.save_email_template(a, &draft)?;
                Ok(with_warnings("Email Template successfully Saved.", &saved.warnings))
            })
            .await
        }
        Some(kind @ ("template" | "type")) if !confirmed => {
            let question = if kind == "type" {
                format!("This will delete all email templates of type {name}. Are you sure you want to continue?")
            } else {
                format!("This will delete {name}:{locale} email template. Are you sure you want to continue?")
            };
            view::page(
                StatusCode::OK,
                "console/email_confirm.html",
                "Email Templates",
                Area::EmailList,
                &ctx.session,
                None,
                minijinja::context! {
                    question => question, action => SAVE_TEMPLATE, kind => kind, name => name, locale => locale,
                    back_href => back,
                },
            )
        }
        Some("type") => {
            act(&ctx, TEMPLATES, &back, Vec::new(), move |app, a| {
                app.delete_template_type(a, &name)?;
                Ok(format!("{name} email template type successfully deleted."))
            })
            .await
        }
        Some("template") => {
            act(&ctx, TEMPLATES, &back, Vec::new(), move |app, a| {
                app.delete_email_template(a, &name, &locale)?;
                Ok(format!("{name}:{locale} email template successfully deleted."))
            })
            .await
        }
        Some(_) => {
            let bad = crate::web::input::BadInput::Bad("delete must be template or type.".into());
            view::bad_input(&ctx.session, &bad)
        }
    }
}

/// `POST /carbon/email-mgt/email-template-preview.jsp` (`from=add|edit`): the form again, with the draft checked
/// and rendered with sample values; the mail itself shows in the preview frame. Nothing is saved.
pub async fn preview(ctx: Ctx) -> HttpResponse {
    let values = FormValues::from_fields(|n| ctx.params.get(n).map(str::to_string));
    let mode = if ctx.params.get("from") == Some("edit") {
        FormMode::Edit
    } else {
        FormMode::Add
    };
    let draft = values.draft();
    let outcome = run(&ctx, move |app: &App, a| {
        let types = app
            .template_types(a)?
            .into_iter()
            .map(|t| t.display_name)
            .collect::<Vec<_>>();
        Ok((types, app.preview_template(a, &draft)))
    })
    .await;
    let (types, rendered) = match outcome {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    match rendered {
        Ok((mail, saved)) => {
            let html = mail.content_type == "text/html";
            PREVIEWS.put(&ctx.session.token, Preview { html, body: mail.body }, ctx.session.now);
            let preview = PreviewView {
                subject: mail.subject,
                warnings: saved.warnings,
                frame_href: PREVIEW_FRAME,
            };
            form_page(&ctx, mode, None, values, types, Some(preview))
        }
        Err(e) => refused(&ctx, mode, &e, values, types),
    }
}

/// The form again with the reason a preview was refused.
fn refused(ctx: &Ctx, mode: FormMode, e: &DomainError, values: FormValues, types: Vec<String>) -> HttpResponse {
    let (status, text) = pages::describe(e);
    if status.is_server_error() {
        return view::error(&ctx.session, e);
    }
    form_page(ctx, mode, Some(Flash::alert(text, Vec::new())), values, types, None)
}

/// `GET /carbon/email-mgt/email-template-preview-frame.jsp`: the last preview of this session, as its own
/// sandboxed document (see the module doc).
pub fn preview_frame(ctx: Ctx) -> HttpResponse {
    let Some(preview) = PREVIEWS.get(&ctx.session.token, ctx.session.now) else {
        return view::bad_input(
            &ctx.session,
            &crate::web::input::BadInput::Bad("There is no preview: press Preview on a template form.".into()),
        );
    };
    super::mailbox::sandboxed(preview.html, preview.body)
}
