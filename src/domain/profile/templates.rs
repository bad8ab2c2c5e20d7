//! E-mail template management across releases (identity-event-handler-notification, "NOTIF": the
//! `I18nEmailMgtConfigService` admin service, `EmailTemplateManagerImpl`, and the notification handler that picks
//! the reset mail's locale). Research and sources: docs/COMPATIBILITY.md "E-mail templates".
//!
//! The same in every release, so not here: the SOAP contract (WSDL, services.xml and service class byte-identical
//! from NOTIF v1.2.8 to v1.9.73), the display-name rule (whitelist `[a-zA-Z0-9\s]+` or no character of
//! `[~!@#;%^*()+={}|<>\\"'/,]`), `en_US` as the template fallback (`I18nMgtConstants.DEFAULT_EMAIL_LOCALE`).

use super::Wso2Version;

/// How a locale names a template (which spellings are the same template).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocaleRule {
    /// 5.9–7.0: the registry resource is the lower-cased locale (CIF `RegistryResourceMgtServiceImpl.getRegistryPath`),
    /// so `fr_FR` = `fr_fr`, while `fr-FR` is another, usually missing, template.
    LowerCase,
    /// 7.1+: `I18nEmailUtil.normalizeLocaleFormat` (NOTIF v1.9.43, commit 479e0956): `_` → `-`, lower-cased, Java's
    /// `Locale.forLanguageTag(…).toString()`, so `fr-FR`, `fr_fr`, `FR-fr` all become `fr_FR`.
    LanguageTag,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplatesProfile {
    /// The claim the notification handler reads the mail's locale from: 5.9–5.11 `http://wso2.org/claims/locality`
    /// (NOTIF `NotificationConstants.EmailNotification.CLAIM_URI_LOCALE`, v1.2.8 l.36, v1.3.13 l.37); from 6.0
    /// `IdentityUtil.getClaimUriLocale()` (NOTIF v1.5.1 l.29), which is `http://wso2.org/claims/local` unless
    /// `[claims] use_legacy_localization_claim` (CIF PR #3634; forcereset does not read that key).
    pub locale_claim: &'static str,
    pub locale_rule: LocaleRule,
    /// The footer must not be blank (`validateNotificationTemplate`, NOTIF v1.2.8–v1.7.7); 7.0 (v1.8.6 l.785)
    /// dropped the check.
    pub footer_required: bool,
    /// The registry also refuses a locale containing one of `` /\<>`" `` ("Locale contains invalid special
    /// characters", CIF `RegistryResourceMgtServiceImpl`, 5.9–7.0); 7.1+ stores templates in the database.
    pub locale_registry_chars_refused: bool,
    /// Deleting a template or type that does not exist is a fault (5.9–7.0, CIF `deleteIdentityResource`
    /// "Resource does not exist"); 7.1+ (`UnifiedTemplateManager.deleteNotificationTemplate`) succeeds silently.
    pub delete_missing_faults: bool,
    /// `/api/server/v1/email/template-types`, if the release ships it.
    pub rest: Option<TemplatesApi>,
}

/// The e-mail template REST API (identity-api-server `…email.template.v1`: IS 5.10 on; the 5.9 dispatcher
/// v1.0.12 has no `email.template` artifact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplatesApi {
    /// `self` links name the super tenant, `/t/carbon.super/api/server/v1/…` (5.10–6.1: product-is
    /// `get-templates-list-of-email-template-type-response.json` at v5.11.0, v6.1.0); from 7.0 `/api/server/v1/…`.
    pub self_links_name_super_tenant: bool,
    /// `requiredAttributes` on the type list, and `templates` in its items (API v1.0.190: IS 5.11); 5.10 has
    /// neither.
    pub required_attributes: bool,
    /// A type without templates reads as `{displayName, templates: [], id}` (5.11+); 5.10 answers 404 ETM-50002
    /// (`internalEmailTemplates.isEmpty()`, v1.0.82) and lists only types that have templates.
    pub empty_types_found: bool,
}

pub fn of(version: Wso2Version) -> TemplatesProfile {
    TemplatesProfile {
        locale_claim: if version >= Wso2Version::V6_0 {
            "http://wso2.org/claims/local"
        } else {
            "http://wso2.org/claims/locality"
        },
        locale_rule: if version >= Wso2Version::V7_1 {
            LocaleRule::LanguageTag
        } else {
            LocaleRule::LowerCase
        },
        footer_required: version <= Wso2Version::V6_1,
        locale_registry_chars_refused: version <= Wso2Version::V7_0,
        delete_missing_faults: version <= Wso2Version::V7_0,
        rest: (version >= Wso2Version::V5_10).then_some(TemplatesApi {
            self_links_name_super_tenant: version <= Wso2Version::V6_1,
            required_attributes: version >= Wso2Version::V5_11,
            empty_types_found: version >= Wso2Version::V5_11,
        }),
    }
}
