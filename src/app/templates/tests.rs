//! The template use cases: seeding, WSO2's add-or-overwrite, the release's delete rule, refusals that change
//! nothing, and the reset mail's locale.

use super::*;
use crate::domain::profile::Wso2Version;
use crate::store::TenantId;

fn admin(app: &App) -> Actor {
    app.actor_for(TenantId::SUPER, "admin").unwrap().unwrap()
}

fn draft(name: &str, locale: &str, body: &str) -> TemplateDraft {
    TemplateDraft {
        display_name: name.into(),
        locale: locale.into(),
        content_type: Some("text/plain".into()),
        subject: "Subject".into(),
        body: body.into(),
        footer: "--".into(),
    }
}

#[test]
fn start_up_seeds_the_file_and_brings_back_a_deleted_type_only() {
    let app = App::for_tests();
    let a = admin(&app);
    let names: Vec<String> = app
        .template_types(&a)
        .unwrap()
        .into_iter()
        .map(|t| t.display_name)
        .collect();
    assert!(
        names.contains(&"resendAdminForcedPasswordReset".to_string()),
        "{names:?}"
    );
    let link = "{{carbon.product-url}}/accountrecoveryendpoint/confirmrecovery.do?confirmation={{confirmation-code}}";
    app.save_email_template(&a, &draft("AdminForcedPasswordReset", "en_US", link))
        .unwrap();
    app.delete_template_type(&a, "resendAdminForcedPasswordReset").unwrap();
    let report = app.bootstrap().unwrap();
    assert_eq!(report.template_types_added, 1);
    let edited = app.email_template(&a, "AdminForcedPasswordReset", "en_US").unwrap();
    assert_eq!(edited.body, link, "an edited type is kept");
    assert!(
        app.email_template(&a, "resendAdminForcedPasswordReset", "en_US")
            .is_ok()
    );
}

#[test]
fn adding_overwrites_and_creates_the_type() {
    let app = App::for_tests();
    let a = admin(&app);
    app.add_email_template(&a, &draft("Welcome Mail", "fr_FR", "Bonjour"))
        .unwrap();
    app.add_email_template(&a, &draft("welcomemail", "fr_fr", "Salut"))
        .unwrap();
    let t = app.email_template(&a, "WelcomeMail", "FR_fr").unwrap();
    assert_eq!((t.body.as_str(), t.display_name.as_str()), ("Salut", "welcomemail"));
    assert_eq!(
        app.add_template_type(&a, "Welcome Mail").unwrap_err(),
        DomainError::TemplateTypeExists("Welcome Mail".into())
    );
}

#[test]
#[allow(clippy::disallowed_methods)] // counting write transactions is the proof that nothing began
fn refusals_change_nothing() {
    let app = App::for_tests();
    let a = admin(&app);
    let before = app
        .email_template(&a, "AdminForcedPasswordResetWithOTP", "en_US")
        .unwrap();
    let writes = app.store_for_tests().writes_begun();
    let e = app
        .save_email_template(&a, &draft("AdminForcedPasswordResetWithOTP", "en_US", "no code"))
        .unwrap_err();
    assert!(matches!(e, DomainError::TemplateRefused(_)), "{e:?}");
    let mut html = draft("AdminForcedPasswordResetWithOTP", "en_US", "<div>{{confirmation-code}}");
    html.content_type = Some("text/html".into());
    assert!(matches!(
        app.save_email_template(&a, &html),
        Err(DomainError::TemplateRefused(_))
    ));
    assert!(app.save_email_template(&a, &draft("a/b", "en_US", "x")).is_err());
    assert_eq!(app.store_for_tests().writes_begun(), writes, "no write began");
    assert_eq!(
        app.email_template(&a, "AdminForcedPasswordResetWithOTP", "en_US")
            .unwrap(),
        before
    );
}

#[test]
fn unknown_placeholders_are_saved_with_a_warning() {
    let app = App::for_tests();
    let a = admin(&app);
    let saved = app
        .save_email_template(&a, &draft("AccountEnable", "en_US", "Hi {{nickname}}"))
        .unwrap();
    assert_eq!(saved.warnings.len(), 1);
}

#[test]
fn deleting_what_is_missing_faults_up_to_7_0_only() {
    for (version, faults) in [(Wso2Version::V7_0, true), (Wso2Version::V7_1, false)] {
        let mut config = crate::config::Config::defaults();
        config.emulator.wso2_version = version;
        let app = App::for_tests_with(config);
        let a = admin(&app);
        assert_eq!(
            app.delete_email_template(&a, "AdminForcedPasswordReset", "xx_YY")
                .is_err(),
            faults
        );
        assert_eq!(app.delete_template_type(&a, "NoSuchType").is_err(), faults);
    }
}

#[test]
fn the_permissions_are_wso2s() {
    let app = App::for_tests();
    let nobody = Actor::User {
        tenant: TenantId::SUPER,
        name: "nobody".into(),
        permissions: vec![crate::domain::permissions::LOGIN.into()],
    };
    assert_eq!(app.template_types(&nobody).unwrap_err(), DomainError::AccessDenied);
    assert_eq!(
        app.add_template_type(&nobody, "X").unwrap_err(),
        DomainError::AccessDenied
    );
}
