//! `/api/server/v1/email/template-types` (identity-api-server `…email.template.v1`, IS 5.10 on): template types
//! and their templates per locale, through the same use cases as `I18nEmailMgtConfigService` and the console.
//!
//! A type's id is the base64url, unpadded, of its display name (`Util.base64URLEncode`), decoded leniently; since
//! the name is normalized before use, base64url of `adminforcedpasswordreset` addresses the same type. A template's
//! id is its locale. Errors are the module's `ETM-5xxxx` (`Constants.ErrorMessage`): a refusal by the template
//! manager is 400 with the operation's 55xxx code and message and the manager's text as description, as
//! `handleI18nEmailMgtException` answers a client exception. Deletes answer 204 whatever they find, as WSO2's do.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper::StatusCode;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, Failure, Kind, kind};
use super::governance::{body, name_of};
use super::{Cx, Need, Op, Reply, Verb};
use crate::app::StoredTemplate;
use crate::app::Tenant;
use crate::app::TenantId;
use crate::domain::DomainError;
use crate::domain::permissions::{
    EMAIL_TEMPLATES_CREATE, EMAIL_TEMPLATES_DELETE, EMAIL_TEMPLATES_UPDATE, EMAIL_TEMPLATES_VIEW,
};
use crate::domain::profile::Profile;
use crate::domain::profile::templates::TemplatesApi;
use crate::domain::templates::{TemplateDraft, type_key};
use crate::util::java_hashmap_order;

pub const BASE: &str = "/api/server/v1/email/template-types";

fn shipped(p: &Profile) -> bool {
    p.templates.rest.is_some()
}

const fn row(verb: Verb, path: &'static str, permission: &'static str, handler: super::Handler) -> Op {
    Op::new(verb, path, Need::Permission(permission), shipped, handler)
}

pub const LIST: Op = row(Verb::Get, BASE, EMAIL_TEMPLATES_VIEW, list);
pub const ADD_TYPE: Op = row(Verb::Post, BASE, EMAIL_TEMPLATES_CREATE, add_type);
pub const GET_TYPE: Op = row(
    Verb::Get,
    "/api/server/v1/email/template-types/{type}",
    EMAIL_TEMPLATES_VIEW,
    get_type,
);
pub const ADD_TEMPLATE: Op = row(
    Verb::Post,
    "/api/server/v1/email/template-types/{type}",
    EMAIL_TEMPLATES_CREATE,
    add_template,
);
pub const PUT_TYPE: Op = row(
    Verb::Put,
    "/api/server/v1/email/template-types/{type}",
    EMAIL_TEMPLATES_UPDATE,
    put_type,
);
pub const DELETE_TYPE: Op = row(
    Verb::Delete,
    "/api/server/v1/email/template-types/{type}",
    EMAIL_TEMPLATES_DELETE,
    delete_type,
);
pub const LIST_TEMPLATES: Op = row(
    Verb::Get,
    "/api/server/v1/email/template-types/{type}/templates",
    EMAIL_TEMPLATES_VIEW,
    list_templates,
);
pub const GET_TEMPLATE: Op = row(
    Verb::Get,
    "/api/server/v1/email/template-types/{type}/templates/{template}",
    EMAIL_TEMPLATES_VIEW,
    get_template,
);
pub const PUT_TEMPLATE: Op = row(
    Verb::Put,
    "/api/server/v1/email/template-types/{type}/templates/{template}",
    EMAIL_TEMPLATES_UPDATE,
    put_template,
);
pub const DELETE_TEMPLATE: Op = row(
    Verb::Delete,
    "/api/server/v1/email/template-types/{type}/templates/{template}",
    EMAIL_TEMPLATES_DELETE,
    delete_template,
);

/// The module's errors: code, status, message, description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Etm {
    TypeNotFound,
    TemplateNotFound,
    TemplateExists,
    TypeExists,
    BadAttribute,
    ListTypes,
    GetType,
    GetTemplate,
    AddType,
    AddTemplate,
    UpdateType,
    UpdateTemplate,
    DeleteType,
    DeleteTemplate,
    Paging,
    Sorting,
}

impl Etm {
    fn parts(self) -> (&'static str, StatusCode, &'static str, &'static str) {
        use StatusCode as S;
        match self {
            Etm::TypeNotFound => (
                "ETM-50002",
                S::NOT_FOUND,
                "Email Template Type does not exists.",
                "Specified email template type does not exist in the system.",
            ),
            Etm::TemplateNotFound => (
                "ETM-50003",
                S::NOT_FOUND,
                "Email Template does not exists.",
                "Specified email template does not exist in the system.",
            ),
            Etm::TemplateExists => (
                "ETM-50004",
                S::CONFLICT,
                "Email Template already exists in the system.",
                "An email template for the provided template id already exists in the system.",
            ),
            Etm::TypeExists => (
                "ETM-50005",
                S::CONFLICT,
                "Email Template Type already exists in the system.",
                "An email template type for the provided template display name already exists in the system.",
            ),
            Etm::BadAttribute => (
                "ETM-50006",
                S::BAD_REQUEST,
                "Attribute type not found",
                "Invalid attribute for email templates. Supported attributes are: 'templates', 'templates.id', \
                 'templates.contentType', 'templates.subject', 'templates.body' and 'templates.footer'.",
            ),
            Etm::ListTypes => (
                "ETM-55002",
                S::INTERNAL_SERVER_ERROR,
                "Unable to retrieve email template types.",
                "Server encountered an error while retrieving email template types.",
            ),
            Etm::GetType => (
                "ETM-55003",
                S::INTERNAL_SERVER_ERROR,
                "Unable to retrieve the email template type.",
                "Server encountered an error while retrieving the email template type identified by the given \
                 template-type-id.",
            ),
            Etm::GetTemplate => (
                "ETM-55004",
                S::INTERNAL_SERVER_ERROR,
                "Unable to retrieve the email template.",
                "Server encountered an error while retrieving the email template identified by the given \
                 template-type-id and the template-id.",
            ),
            Etm::AddType => (
                "ETM-55005",
                S::INTERNAL_SERVER_ERROR,
                "Unable to add the email template type.",
                "Server encountered an error while adding the email template type.",
            ),
            Etm::AddTemplate => (
                "ETM-55006",
                S::INTERNAL_SERVER_ERROR,
                "Unable to add the email template.",
                "Server encountered an error while adding the email template to the system.",
            ),
            Etm::UpdateType => (
                "ETM-55009",
                S::INTERNAL_SERVER_ERROR,
                "Unable to update the email template type.",
                "Server encountered an error while updating the email template type.",
            ),
            Etm::UpdateTemplate => (
                "ETM-55010",
                S::INTERNAL_SERVER_ERROR,
                "Unable to update the email template.",
                "Server encountered an error while updating the email template.",
            ),
            Etm::DeleteType => (
                "ETM-55007",
                S::INTERNAL_SERVER_ERROR,
                "Unable to delete the email template type.",
                "Server encountered an error while deleting the email template type.",
            ),
            Etm::DeleteTemplate => (
                "ETM-55008",
                S::INTERNAL_SERVER_ERROR,
                "Unable to delete the email template.",
                "Server encountered an error while deleting the email template.",
            ),
            Etm::Paging => (
                "ETM-55011",
                S::NOT_IMPLEMENTED,
                "Pagination is not yet supported.",
                "Please remove 'limit' and 'offset' parameters from the request and try again.",
            ),
            Etm::Sorting => (
                "ETM-55012",
                S::NOT_IMPLEMENTED,
                "Sorting is not yet supported.",
                "Please remove 'sortOrder' and 'sortBy' parameters from the request and try again.",
            ),
        }
    }

    fn error(self) -> Failure {
        let (code, status, message, description) = self.parts();
        Failure::Api(ApiError {
            status,
            code: Some(code.into()),
            message: message.into(),
            description: Some(description.into()),
            trace_id: true,
        })
    }

    /// A client refusal of the template manager: 400, this operation's code and message, the reason.
    fn refused(self, reason: String) -> Failure {
        let (code, _, message, _) = self.parts();
        Failure::Api(ApiError {
            status: StatusCode::BAD_REQUEST,
            code: Some(code.into()),
            message: message.into(),
            description: Some(reason),
            trace_id: true,
        })
    }
}

/// A use case's error as this API answers it: missing and existing things by their own codes, other refusals as
/// the operation's 400, faults as its 500.
fn failure(cx: &Cx<'_>, e: &DomainError, op: Etm) -> Failure {
    match kind(e) {
        Kind::Missing(_) => match e {
            DomainError::TemplateTypeNotFound(_) => Etm::TypeNotFound.error(),
            _ => Etm::TemplateNotFound.error(),
        },
        Kind::Exists(_) => match e {
            DomainError::TemplateTypeExists(_) => Etm::TypeExists.error(),
            _ => Etm::TemplateExists.error(),
        },
        Kind::Refused(text) => op.refused(text),
        Kind::Unauthenticated | Kind::Forbidden | Kind::Internal => Failure::from_api(
            e,
            cx.actor.name(),
            |t| ApiError {
                description: Some(t),
                ..api_error(op)
            },
            api_error(op),
        ),
    }
}

fn api_error(op: Etm) -> ApiError {
    match op.error() {
        Failure::Api(e) => e,
        Failure::Unauthenticated | Failure::Forbidden { .. } | Failure::Internal => ApiError::unreadable_body(),
    }
}

fn api(cx: &Cx<'_>) -> TemplatesApi {
    cx.profile().templates.rest.unwrap_or(TemplatesApi {
        self_links_name_super_tenant: false,
        required_attributes: true,
        empty_types_found: true,
    })
}

/// The id of a type's display name.
pub fn id_of(display_name: &str) -> String {
    URL_SAFE_NO_PAD.encode(display_name)
}

/// The base of `self` links, as the governance API's: a tenant's name it always, the super tenant's per release.
fn base(api: &TemplatesApi, tenant: &Tenant) -> String {
    if api.self_links_name_super_tenant || tenant.id != TenantId::SUPER {
        format!("/t/{}{BASE}", tenant.domain)
    } else {
        BASE.to_string()
    }
}

/// The display name a path's type id stands for, or 404 ETM-50002.
fn type_name(cx: &Cx<'_>) -> Result<String, Failure> {
    name_of(cx.param("type")).ok_or_else(|| Etm::TypeNotFound.error())
}

/// GETs refuse paging and sorting (501), as WSO2's.
fn no_paging(cx: &Cx<'_>) -> Result<(), Failure> {
    let has = |name: &str| cx.query.get(name).is_some();
    if has("limit") || has("offset") {
        return Err(Etm::Paging.error());
    }
    if has("sortOrder") || has("sortBy") {
        return Err(Etm::Sorting.error());
    }
    Ok(())
}

/// `EmailTemplateWithID`: the template, its locale as `id`.
#[derive(Debug, Serialize, Deserialize)]
struct TemplateJson {
    #[serde(rename = "contentType", default)]
    content_type: Option<String>,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    footer: Option<String>,
    #[serde(default)]
    id: String,
}

impl TemplateJson {
    fn of(t: &StoredTemplate) -> TemplateJson {
        TemplateJson {
            content_type: t.content_type.as_deref().map(with_charset),
            subject: t.subject.clone(),
            body: t.body.clone(),
            footer: Some(t.footer.clone()),
            id: t.locale.clone(),
        }
    }

    fn draft(&self, display_name: &str) -> TemplateDraft {
        TemplateDraft {
            display_name: display_name.to_string(),
            locale: self.id.clone(),
            content_type: self.content_type.clone(),
            subject: self.subject.clone(),
            body: self.body.clone(),
            footer: self.footer.clone().unwrap_or_default(),
        }
    }
}

/// `I18nEmailUtil.getEmailTemplate` appends the charset a stored content type lacks.
fn with_charset(ct: &str) -> String {
    if ct.to_ascii_lowercase().contains("charset") {
        ct.to_string()
    } else {
        format!("{ct}; charset=UTF-8")
    }
}

/// `SimpleEmailTemplate`.
#[derive(Debug, Serialize)]
struct SimpleJson {
    id: String,
    #[serde(rename = "self")]
    self_link: String,
}

/// `EmailTemplateTypeWithoutTemplates`.
#[derive(Debug, Serialize)]
struct TypeItem {
    id: String,
    #[serde(rename = "displayName")]
    display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    templates: Option<Vec<serde_json::Value>>,
    #[serde(rename = "self")]
    self_link: String,
}

/// `EmailTemplateTypeWithID`.
#[derive(Debug, Serialize)]
struct TypeJson {
    #[serde(rename = "displayName")]
    display_name: String,
    templates: Vec<TemplateJson>,
    id: String,
}

/// `EmailTemplateType`, the POST body.
#[derive(Debug, Deserialize)]
struct NewType {
    #[serde(rename = "displayName", default)]
    display_name: String,
    #[serde(default)]
    templates: Vec<TemplateJson>,
}

const ATTRIBUTES: [&str; 6] = [
    "templates",
    "templates.id",
    "templates.contentType",
    "templates.subject",
    "templates.body",
    "templates.footer",
];

fn list(cx: &Cx<'_>) -> Result<Reply, Failure> {
    no_paging(cx)?;
    let api = api(cx);
    let wanted: Option<Vec<&str>> = match cx.query.get("requiredAttributes") {
        Some(attrs) if api.required_attributes => {
            let list: Vec<&str> = attrs.split(',').map(str::trim).collect();
            if list.iter().any(|a| !ATTRIBUTES.contains(a)) {
                return Err(Etm::BadAttribute.error());
            }
            Some(list)
        }
        _ => None,
    };
    let (types, templates) = (cx.app.template_types(cx.actor), cx.app.all_templates(cx.actor));
    let (types, templates) = match (types, templates) {
        (Ok(t), Ok(all)) => (t, all),
        (Err(e), _) | (_, Err(e)) => return Err(failure(cx, &e, Etm::ListTypes)),
    };
    let types: Vec<_> = types
        .into_iter()
        .filter(|t| api.empty_types_found || templates.iter().any(|x| x.type_key == t.key))
        .collect();
    // The types pass through a HashMap keyed by display name: Java's iteration order.
    let names: Vec<&str> = types.iter().map(|t| t.display_name.as_str()).collect();
    let items: Vec<TypeItem> = java_hashmap_order(&names)
        .into_iter()
        .map(|i| {
            let t = &types[i];
            let id = id_of(&t.display_name);
            let templates = wanted.as_ref().map(|attrs| {
                templates
                    .iter()
                    .filter(|x| x.type_key == t.key)
                    .map(|x| picked(x, attrs))
                    .collect()
            });
            TypeItem {
                self_link: format!("{}/{id}", base(&api, cx.tenant)),
                id,
                display_name: t.display_name.clone(),
                templates,
            }
        })
        .collect();
    Reply::ok_json(&items)
}

/// A template with only the requested attributes (`templates` alone means all).
fn picked(t: &StoredTemplate, attrs: &[&str]) -> serde_json::Value {
    let all = attrs.contains(&"templates");
    let want = |name: &str| all || attrs.contains(&format!("templates.{name}").as_str());
    let full = TemplateJson::of(t);
    let mut map = serde_json::Map::new();
    if want("id") {
        map.insert("id".into(), full.id.into());
    }
    if want("contentType") {
        map.insert("contentType".into(), full.content_type.into());
    }
    if want("subject") {
        map.insert("subject".into(), full.subject.into());
    }
    if want("body") {
        map.insert("body".into(), full.body.into());
    }
    if want("footer") {
        map.insert("footer".into(), full.footer.into());
    }
    serde_json::Value::Object(map)
}

/// The stored templates of the type a display name names; None if the type does not exist.
fn templates_of(cx: &Cx<'_>, name: &str, op: Etm) -> Result<Option<Vec<StoredTemplate>>, Failure> {
    let key = type_key(name);
    let types = cx.app.template_types(cx.actor).map_err(|e| failure(cx, &e, op))?;
    if !types.iter().any(|t| t.key == key) {
        return Ok(None);
    }
    let all = cx.app.all_templates(cx.actor).map_err(|e| failure(cx, &e, op))?;
    Ok(Some(all.into_iter().filter(|t| t.type_key == key).collect()))
}

fn get_type(cx: &Cx<'_>) -> Result<Reply, Failure> {
    no_paging(cx)?;
    let name = type_name(cx)?;
    let templates = templates_of(cx, &name, Etm::GetType)?.ok_or_else(|| Etm::TypeNotFound.error())?;
    if templates.is_empty() && !api(cx).empty_types_found {
        return Err(Etm::TypeNotFound.error());
    }
    // The stored display name when the type has templates, else the decoded id (`buildEmailTemplateTypeWithID`).
    let display_name = templates.first().map_or(name, |t| t.display_name.clone());
    Reply::ok_json(&TypeJson {
        id: cx.param("type").to_string(),
        display_name,
        templates: templates.iter().map(TemplateJson::of).collect(),
    })
}

fn list_templates(cx: &Cx<'_>) -> Result<Reply, Failure> {
    no_paging(cx)?;
    let name = type_name(cx)?;
    let templates = templates_of(cx, &name, Etm::GetType)?.ok_or_else(|| Etm::TypeNotFound.error())?;
    let base = format!("{}/{}/templates", base(&api(cx), cx.tenant), cx.param("type"));
    let items: Vec<SimpleJson> = templates
        .iter()
        .map(|t| SimpleJson {
            self_link: format!("{base}/{}", t.locale),
            id: t.locale.clone(),
        })
        .collect();
    Reply::ok_json(&items)
}

fn get_template(cx: &Cx<'_>) -> Result<Reply, Failure> {
    no_paging(cx)?;
    let name = type_name(cx)?;
    let locale = cx.param("template");
    templates_of(cx, &name, Etm::GetTemplate)?.ok_or_else(|| Etm::TypeNotFound.error())?;
    let t = cx
        .app
        .email_template(cx.actor, &name, locale)
        .map_err(|e| failure(cx, &e, Etm::GetTemplate))?;
    // 5.10–7.0 compare the stored locale with the path's, case-sensitively (7.1 normalizes the path first).
    let path_locale = crate::domain::templates::normalize_locale(&cx.profile().templates, locale);
    if t.locale != path_locale {
        return Err(Etm::TemplateNotFound.error());
    }
    Reply::ok_json(&TemplateJson::of(&t))
}

/// 201 with `Location` (absolute) and a body.
fn created(cx: &Cx<'_>, path: &str, value: &impl Serialize) -> Result<Reply, Failure> {
    let location = format!("{}{path}", cx.app.product_url());
    Ok(Reply::Created(location, super::json_bytes(value)?))
}

fn add_type(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let new: NewType = body(cx)?;
    let drafts: Vec<TemplateDraft> = new.templates.iter().map(|t| t.draft(&new.display_name)).collect();
    cx.app
        .add_template_type_with(cx.actor, &new.display_name, &drafts)
        .map_err(|e| failure(cx, &e, Etm::AddType))?;
    let api = api(cx);
    let id = id_of(&new.display_name);
    let item = TypeItem {
        self_link: format!("{}/{id}", base(&api, cx.tenant)),
        id,
        display_name: new.display_name,
        templates: None,
    };
    created(cx, &item.self_link.clone(), &item)
}

fn add_template(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let name = type_name(cx)?;
    let t: TemplateJson = body(cx)?;
    cx.app
        .create_email_template(cx.actor, &t.draft(&name))
        .map_err(|e| failure(cx, &e, Etm::AddTemplate))?;
    let simple = SimpleJson {
        self_link: format!("{}/{}/templates/{}", base(&api(cx), cx.tenant), cx.param("type"), t.id),
        id: t.id,
    };
    created(cx, &simple.self_link.clone(), &simple)
}

fn put_type(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let name = type_name(cx)?;
    let templates: Vec<TemplateJson> = body(cx)?;
    let drafts: Vec<TemplateDraft> = templates.iter().map(|t| t.draft(&name)).collect();
    cx.app
        .replace_type_templates(cx.actor, &name, &drafts)
        .map_err(|e| failure(cx, &e, Etm::UpdateType))?;
    Ok(Reply::Empty(StatusCode::OK))
}

fn put_template(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let name = type_name(cx)?;
    let t: TemplateJson = body(cx)?;
    cx.app
        .update_email_template(cx.actor, cx.param("template"), &t.draft(&name))
        .map_err(|e| failure(cx, &e, Etm::UpdateTemplate))?;
    Ok(Reply::Empty(StatusCode::OK))
}

/// 204 whatever is found: WSO2 checks existence first and does nothing when there is nothing.
fn delete_type(cx: &Cx<'_>) -> Result<Reply, Failure> {
    if let Some(name) = name_of(cx.param("type"))
        && let Err(e) = cx.app.delete_template_type(cx.actor, &name)
    {
        ignore_missing(cx, &e, Etm::DeleteType)?;
    }
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}

fn delete_template(cx: &Cx<'_>) -> Result<Reply, Failure> {
    if let Some(name) = name_of(cx.param("type"))
        && let Err(e) = cx.app.delete_email_template(cx.actor, &name, cx.param("template"))
    {
        ignore_missing(cx, &e, Etm::DeleteTemplate)?;
    }
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}

fn ignore_missing(cx: &Cx<'_>, e: &DomainError, op: Etm) -> Result<(), Failure> {
    match kind(e) {
        Kind::Missing(_) | Kind::Refused(_) => Ok(()),
        Kind::Exists(_) | Kind::Unauthenticated | Kind::Forbidden | Kind::Internal => Err(failure(cx, e, op)),
    }
}
