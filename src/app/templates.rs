//! E-mail templates: their types and per-locale texts in the store, edited through `I18nEmailMgtConfigService`, the
//! console and (later) REST; seeded from email-admin-config.xml; rendered for every reset mail in the user's
//! locale.
//!
//! Each use case needs the permission of its `I18nEmailMgtConfigService` operation (NOTIF services.xml, every
//! release): `emailmgt/view`, `create`, `update`, `delete`. Saving runs WSO2's checks, then forcereset's own
//! (`domain::templates::check_mail`: a deliberate deviation), before anything is written.

use super::{Actor, App};
use crate::domain::templates::{self, DEFAULT_LOCALE, TemplateDraft};
use crate::domain::{DomainError, Millis, TENANT_DOMAIN, USER_STORE_DOMAIN, permissions};
use crate::mail::templates::{Rendered, TemplateVars, render_stored};
use crate::store::{StoredTemplate, TemplateType, Tx};

/// What a save did: the warnings about placeholders no reset mail fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub warnings: Vec<String>,
}

/// The values a preview is rendered with: a made-up user, so no real code or address is shown.
fn sample_vars(product_url: String) -> TemplateVars {
    TemplateVars {
        user_name: "alex".into(),
        user_claims: vec![
            ("http://wso2.org/claims/givenname".into(), "Alex".into()),
            ("http://wso2.org/claims/lastname".into(), "Example".into()),
            ("http://wso2.org/claims/emailaddress".into(), "alex@example.com".into()),
        ],
        confirmation_code: "X7K2QP".into(),
        userstore_domain: USER_STORE_DOMAIN.into(),
        tenant_domain: TENANT_DOMAIN.into(),
        product_url,
    }
}

impl App {
    /// Every template type (getEmailTemplateTypes, the console's lists).
    pub fn template_types(&self, actor: &Actor) -> Result<Vec<TemplateType>, DomainError> {
        actor.require(permissions::EMAIL_TEMPLATES_VIEW)?;
        Ok(self.store.read(actor.tenant(), |tx| tx.template_types())?)
    }

    /// Every template of every type (getAllTemplatesForTenant, the console's list).
    pub fn all_templates(&self, actor: &Actor) -> Result<Vec<StoredTemplate>, DomainError> {
        actor.require(permissions::EMAIL_TEMPLATES_VIEW)?;
        Ok(self.store.read(actor.tenant(), |tx| tx.all_templates())?)
    }

    /// One template by type and locale, as the release looks it up (the console's edit form); no fallback.
    pub fn email_template(
        &self,
        actor: &Actor,
        display_name: &str,
        locale: &str,
    ) -> Result<StoredTemplate, DomainError> {
        actor.require(permissions::EMAIL_TEMPLATES_VIEW)?;
        let key = templates::type_key(display_name);
        let locale_key = templates::locale_key(&self.profile().templates, locale);
        self.store
            .read(actor.tenant(), |tx| tx.template(&key, &locale_key))?
            .ok_or_else(|| DomainError::TemplateNotFound {
                template_type: display_name.to_string(),
                locale: locale.to_string(),
            })
    }

    /// Add a type (addEmailTemplateType): WSO2's name rule; a type whose normalized name exists is refused.
    pub fn add_template_type(&self, actor: &Actor, display_name: &str) -> Result<(), DomainError> {
        actor.require(permissions::EMAIL_TEMPLATES_CREATE)?;
        templates::check_type_name(display_name)?;
        let key = templates::type_key(display_name);
        let now = self.now();
        self.store.write(actor.tenant(), |tx| {
            if !tx.insert_template_type(&key, display_name.trim())? {
                return Err(DomainError::TemplateTypeExists(display_name.to_string()));
            }
            self.audit(tx, now, actor, "template_type.add", display_name, "")
        })
    }

    /// Delete a type and its templates (deleteEmailTemplateType). A missing type is a fault up to 7.0 and a
    /// no-op from 7.1. A type email-admin-config.xml ships comes back at the next start, as in 5.9–7.0.
    pub fn delete_template_type(&self, actor: &Actor, display_name: &str) -> Result<(), DomainError> {
        actor.require(permissions::EMAIL_TEMPLATES_DELETE)?;
        if display_name.trim().is_empty() {
            return Err(DomainError::InvalidInput(
                "Template Type display name cannot be null".into(),
            ));
        }
        let key = templates::type_key(display_name);
        let now = self.now();
        let faults = self.profile().templates.delete_missing_faults;
        self.store.write(actor.tenant(), |tx| {
            if !tx.delete_template_type(&key)? {
                if faults {
                    return Err(DomainError::TemplateTypeNotFound(display_name.to_string()));
                }
                return Ok(());
            }
            self.audit(tx, now, actor, "template_type.delete", display_name, "")
        })
    }

    /// Add a template (addEmailTemplate: `emailmgt/create`): add or overwrite, the type created if missing.
    pub fn add_email_template(&self, actor: &Actor, draft: &TemplateDraft) -> Result<Saved, DomainError> {
        actor.require(permissions::EMAIL_TEMPLATES_CREATE)?;
        self.put_template(actor, draft)
    }

    /// Save a template (saveEmailTemplate: `emailmgt/update`): the same as adding, as in WSO2.
    pub fn save_email_template(&self, actor: &Actor, draft: &TemplateDraft) -> Result<Saved, DomainError> {
        actor.require(permissions::EMAIL_TEMPLATES_UPDATE)?;
        self.put_template(actor, draft)
    }

    /// WSO2's checks, then forcereset's; nothing is written unless both pass. Add or overwrite; the type is
    /// created if missing.
    fn put_template(&self, actor: &Actor, draft: &TemplateDraft) -> Result<Saved, DomainError> {
        let key = templates::type_key(&draft.display_name);
        let prepared = self.prepare_all(std::slice::from_ref(draft), &key)?;
        let now = self.now();
        self.store.write(actor.tenant(), |tx| {
            tx.insert_template_type(&key, draft.display_name.trim())?;
            self.put_prepared(tx, actor, now, &prepared)
        })
    }

    /// Add a type with its first templates, all or nothing (REST `POST /email/template-types`; WSO2 adds the
    /// type, then each template, and keeps the type when a template fails).
    pub fn add_template_type_with(
        &self,
        actor: &Actor,
        display_name: &str,
        drafts: &[TemplateDraft],
    ) -> Result<Saved, DomainError> {
        actor.require(permissions::EMAIL_TEMPLATES_CREATE)?;
        templates::check_type_name(display_name)?;
        let key = templates::type_key(display_name);
        // WSO2 adds the type before its templates: a duplicate is named as such whatever the templates hold.
        if self.store.read(actor.tenant(), |tx| tx.template_type(&key))?.is_some() {
            return Err(DomainError::TemplateTypeExists(display_name.to_string()));
        }
        let prepared = self.prepare_all(drafts, &key)?;
        let now = self.now();
        self.store.write(actor.tenant(), |tx| {
            if !tx.insert_template_type(&key, display_name.trim())? {
                return Err(DomainError::TemplateTypeExists(display_name.to_string()));
            }
            self.audit(tx, now, actor, "template_type.add", display_name, "")?;
            self.put_prepared(tx, actor, now, &prepared)
        })
    }

    /// Add a template that must not exist yet (REST `POST …/{type}`: 409 otherwise); the type is created if
    /// missing, as WSO2's registry path is.
    pub fn create_email_template(&self, actor: &Actor, draft: &TemplateDraft) -> Result<Saved, DomainError> {
        actor.require(permissions::EMAIL_TEMPLATES_CREATE)?;
        let key = templates::type_key(&draft.display_name);
        let prepared = self.prepare_all(std::slice::from_ref(draft), &key)?;
        let now = self.now();
        self.store.write(actor.tenant(), |tx| {
            for (stored, _) in &prepared {
                if tx.template(&stored.type_key, &stored.locale_key)?.is_some() {
                    return Err(DomainError::TemplateExists {
                        template_type: draft.display_name.clone(),
                        locale: draft.locale.clone(),
                    });
                }
            }
            tx.insert_template_type(&key, draft.display_name.trim())?;
            self.put_prepared(tx, actor, now, &prepared)
        })
    }

    /// Replace a template that must exist, found by the path's `locale` (REST `PUT …/templates/{id}`; WSO2 stores
    /// the body's locale).
    pub fn update_email_template(
        &self,
        actor: &Actor,
        locale: &str,
        draft: &TemplateDraft,
    ) -> Result<Saved, DomainError> {
        actor.require(permissions::EMAIL_TEMPLATES_UPDATE)?;
        let key = templates::type_key(&draft.display_name);
        let path_key = templates::locale_key(&self.profile().templates, locale);
        let prepared = self.prepare_all(std::slice::from_ref(draft), &key)?;
        let now = self.now();
        self.store.write(actor.tenant(), |tx| {
            if tx.template(&key, &path_key)?.is_none() {
                return Err(DomainError::TemplateNotFound {
                    template_type: draft.display_name.clone(),
                    locale: locale.to_string(),
                });
            }
            tx.delete_template(&key, &path_key)?;
            self.put_prepared(tx, actor, now, &prepared)
        })
    }

    /// Replace every template of an existing type (REST `PUT /email/template-types/{id}`).
    pub fn replace_type_templates(
        &self,
        actor: &Actor,
        display_name: &str,
        drafts: &[TemplateDraft],
    ) -> Result<Saved, DomainError> {
        actor.require(permissions::EMAIL_TEMPLATES_UPDATE)?;
        let key = templates::type_key(display_name);
        let prepared = self.prepare_all(drafts, &key)?;
        let now = self.now();
        self.store.write(actor.tenant(), |tx| {
            if tx.template_type(&key)?.is_none() {
                return Err(DomainError::TemplateTypeNotFound(display_name.to_string()));
            }
            for t in tx.all_templates()?.into_iter().filter(|t| t.type_key == key) {
                tx.delete_template(&key, &t.locale_key)?;
            }
            self.put_prepared(tx, actor, now, &prepared)
        })
    }

    /// Every check of each draft (which must be of type `key`), before any write.
    fn prepare_all(
        &self,
        drafts: &[TemplateDraft],
        key: &str,
    ) -> Result<Vec<(StoredTemplate, Vec<String>)>, DomainError> {
        let profile = &self.profile().templates;
        drafts
            .iter()
            .map(|draft| {
                templates::check_draft(profile, draft)?;
                let warnings = templates::check_mail(key, draft)?;
                let locale = templates::normalize_locale(profile, draft.locale.trim());
                let stored = StoredTemplate {
                    type_key: key.to_string(),
                    locale_key: locale.to_lowercase(),
                    locale,
                    display_name: draft.display_name.trim().to_string(),
                    content_type: draft.content_type.clone(),
                    subject: draft.subject.clone(),
                    body: draft.body.clone(),
                    footer: draft.footer.clone(),
                    updated_at: 0,
                };
                Ok((stored, warnings))
            })
            .collect()
    }

    fn put_prepared(
        &self,
        tx: &Tx<'_>,
        actor: &Actor,
        now: Millis,
        prepared: &[(StoredTemplate, Vec<String>)],
    ) -> Result<Saved, DomainError> {
        let mut all = Vec::new();
        for (stored, warnings) in prepared {
            let stored = StoredTemplate {
                updated_at: now,
                ..stored.clone()
            };
            tx.put_template(&stored)?;
            let target = format!("{}/{}", stored.display_name, stored.locale);
            self.audit(tx, now, actor, "template.save", &target, &warnings.join(" "))?;
            all.extend(warnings.iter().cloned());
        }
        Ok(Saved { warnings: all })
    }

    /// Delete one template (deleteEmailTemplate). A missing one is a fault up to 7.0, a no-op from 7.1.
    pub fn delete_email_template(&self, actor: &Actor, display_name: &str, locale: &str) -> Result<(), DomainError> {
        actor.require(permissions::EMAIL_TEMPLATES_DELETE)?;
        if display_name.trim().is_empty() || locale.trim().is_empty() {
            return Err(DomainError::MissingInput);
        }
        let profile = &self.profile().templates;
        let key = templates::type_key(display_name);
        let locale_key = templates::locale_key(profile, locale.trim());
        let faults = profile.delete_missing_faults;
        let now = self.now();
        self.store.write(actor.tenant(), |tx| {
            if !tx.delete_template(&key, &locale_key)? {
                if faults {
                    return Err(DomainError::TemplateNotFound {
                        template_type: display_name.to_string(),
                        locale: locale.to_string(),
                    });
                }
                return Ok(());
            }
            self.audit(
                tx,
                now,
                actor,
                "template.delete",
                &format!("{display_name}/{locale}"),
                "",
            )
        })
    }

    /// A draft rendered with sample values (the console's preview; WSO2 has none). Runs the same checks as a save,
    /// so what previews is what would be accepted; writes nothing.
    pub fn preview_template(&self, actor: &Actor, draft: &TemplateDraft) -> Result<(Rendered, Saved), DomainError> {
        actor.require(permissions::EMAIL_TEMPLATES_VIEW)?;
        templates::check_draft(&self.profile().templates, draft)?;
        let key = templates::type_key(&draft.display_name);
        let warnings = templates::check_mail(&key, draft)?;
        let stored = StoredTemplate {
            type_key: key,
            locale_key: draft.locale.to_lowercase(),
            locale: draft.locale.clone(),
            display_name: draft.display_name.clone(),
            content_type: draft.content_type.clone(),
            subject: draft.subject.clone(),
            body: draft.body.clone(),
            footer: draft.footer.clone(),
            updated_at: 0,
        };
        Ok((
            render_stored(&stored, &sample_vars(self.product_url())),
            Saved { warnings },
        ))
    }

    /// The template a mail of `template_type` uses for a user with these claims: the user's locale (the claim the
    /// release reads), as the release spells it, else `en_US` (`I18nMgtConstants.DEFAULT_EMAIL_LOCALE`).
    pub(super) fn template_for(
        &self,
        tx: &Tx<'_>,
        template_type: &str,
        claims: &[(String, String)],
    ) -> Result<Option<StoredTemplate>, DomainError> {
        let profile = &self.profile().templates;
        let key = templates::type_key(template_type);
        let locale = claims
            .iter()
            .find(|(uri, v)| uri == profile.locale_claim && !v.trim().is_empty())
            .map(|(_, v)| templates::locale_key(profile, v.trim()));
        if let Some(locale) = locale
            && let Some(t) = tx.template(&key, &locale)?
        {
            return Ok(Some(t));
        }
        Ok(tx.template(&key, &DEFAULT_LOCALE.to_lowercase())?)
    }

    /// Start-up seeding from email-admin-config.xml, as WSO2 5.9–7.0 seeds (`addDefaultEmailTemplates`): a type
    /// is added with its templates only when it does not exist, so a deleted type comes back and an edited one is
    /// kept. Returns how many types were added.
    pub(super) fn seed_templates(&self, tx: &Tx<'_>, now: Millis) -> Result<usize, DomainError> {
        let existing: Vec<String> = tx.template_types()?.into_iter().map(|t| t.key).collect();
        let mut added: Vec<String> = Vec::new();
        for t in self.templates.iter() {
            let key = templates::type_key(&t.display);
            if existing.contains(&key) {
                continue;
            }
            if !added.contains(&key) {
                tx.insert_template_type(&key, &t.display)?;
                added.push(key.clone());
            }
            tx.put_template(&t.to_stored(now))?;
        }
        Ok(added.len())
    }
}

#[cfg(test)]
mod tests;
