//! E-mail templates end to end (issue 17): edited through I18nEmailMgtConfigService, the console's Manage → Email
//! Templates pages and the REST API, a forced reset in each e-mail mode then delivers the edited subject and body to
//! a real SMTP server (aiosmtpd), in the user's locale when a template exists for it and in en_US otherwise;
//! refusals change nothing through either way; a queued mail keeps the text it was rendered with; the locale
//! claim and its spelling follow the release.

use forcereset::app::{Actor, App};
use reqwest::StatusCode;

use crate::reset::{enable, mailing_server, wait_for_messages};
use crate::smtp::{self, SmtpServer};
use crate::support::TestServer;
use crate::web_client::{Browser, Page, input_value, unescape};

const I18N: &str = "/services/I18nEmailMgtConfigService";
const UPM: &str = "/services/UserProfileMgtService";
const EMAIL: &str = "http://wso2.org/claims/emailaddress";
const LOCALITY: &str = "http://wso2.org/claims/locality";
const LOCAL: &str = "http://wso2.org/claims/local";
const TEMPLATES: &str = "/carbon/email-mgt/email-template-config.jsp";
const SAVE: &str = "/carbon/email-mgt/email-template-config-finish-ajaxprocessor.jsp";
const ADD: &str = "/carbon/email-mgt/email-template-add-finish-ajaxprocessor.jsp";
const ADD_FORM: &str = "/carbon/email-mgt/email-template-add.jsp";
const PREVIEW: &str = "/carbon/email-mgt/email-template-preview.jsp";
const PREVIEW_FRAME: &str = "/carbon/email-mgt/email-template-preview-frame.jsp";
const LINK: &str = "{{carbon.product-url}}/accountrecoveryendpoint/confirmrecovery.do?confirmation={{confirmation-code}}&amp;username={{url:user-name}}";

fn envelope(payload: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:mgt="http://mgt.email.carbon.wso2.org" xmlns:m="http://model.mgt.email.carbon.wso2.org/xsd"><s:Body>{payload}</s:Body></s:Envelope>"#
    )
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// saveEmailTemplate over SOAP; the status and body of the answer.
async fn soap_save(
    server: &TestServer,
    name: &str,
    locale: &str,
    content_type: &str,
    subject: &str,
    body: &str,
) -> (StatusCode, String) {
    let payload = format!(
        "<mgt:saveEmailTemplate><mgt:emailTemplate><m:body>{}</m:body><m:emailContentType>{content_type}</m:emailContentType><m:footer>--</m:footer><m:locale>{locale}</m:locale><m:subject>{subject}</m:subject><m:templateDisplayName>{name}</m:templateDisplayName></mgt:emailTemplate></mgt:saveEmailTemplate>",
        xml_escape(body)
    );
    server.soap(I18N, envelope(&payload), ("admin", "admin")).await
}

/// The console's form for a template, filled and posted to `action`; answers the page after the redirect.
async fn console_post(b: &Browser, action: &str, fields: &[(&str, &str)]) -> Page {
    let form = b.get(ADD_FORM).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let mut all = vec![("csrf".to_string(), input_value(&form.body, "csrf"))];
    all.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let answer = b.post(action, &all).await;
    if answer.status.is_redirection() {
        b.get(answer.location()).await
    } else {
        answer
    }
}

fn template_fields<'a>(
    name: &'a str,
    locale: &'a str,
    content_type: &'a str,
    subject: &'a str,
    body: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("emailType", name),
        ("emailLocale", locale),
        ("emailContentType", content_type),
        ("emailSubject", subject),
        ("emailBody", body),
        ("emailFooter", "--"),
    ]
}

/// The console's form for the en_US OTP template, posted to `action`.
async fn console_otp(b: &Browser, action: &str, content_type: &str, subject: &str, body: &str) -> Page {
    let fields = template_fields("AdminForcedPasswordResetWithOTP", "en_US", content_type, subject, body);
    console_post(b, action, &fields).await
}

/// The one-shot message of a console page.
fn flash(page: &Page) -> String {
    let start = page
        .body
        .find("id=\"flash\"")
        .unwrap_or_else(|| panic!("no message: {}", page.body));
    unescape(
        page.body[start..]
            .split_once('>')
            .unwrap()
            .1
            .split("</p>")
            .next()
            .unwrap(),
    )
}

fn stored(app: &App, name: &str, locale: &str) -> (String, String) {
    let t = app.email_template(&Actor::System, name, locale).unwrap();
    (t.subject, t.body)
}

/// The mail to `to` among `messages`: its subject and decoded body.
fn mail_to(messages: &[String], to: &str) -> (String, String) {
    let eml = messages
        .iter()
        .find(|m| smtp::header(m, "To") == Some(to))
        .unwrap_or_else(|| panic!("no mail to {to}"));
    (smtp::header(eml, "Subject").unwrap().to_string(), smtp::body(eml))
}

/// The seed's setUserProfile (adminForcedPasswordReset=true) for `user`, over SOAP.
async fn force_reset(server: &TestServer, user: &str) {
    let body = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/soap/setUserProfile.seed.xml"),
    )
    .unwrap()
    .replace(
        "<mgt:username>tom</mgt:username>",
        &format!("<mgt:username>{user}</mgt:username>"),
    );
    let (status, answer) = server.soap(UPM, body, ("admin", "admin")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
}

#[tokio::test]
async fn edits_through_soap_and_the_console_reach_a_real_smtp_server_in_the_users_locale() {
    let Some(python) = smtp::python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let port = smtp::free_port();
    let smtp_server = SmtpServer::start(&python, dir.path(), port, &[]);
    let server = mailing_server(port, "");
    let app = server.app();
    // 5.11, the default profile: the notification handler reads the locale from `locality`.
    crate::support::add_login_user(
        &app,
        "tom",
        "Abcd@123",
        &[(EMAIL, "tom@example.com"), (LOCALITY, "fr_FR")],
    );
    crate::support::add_login_user(&app, "ann", "Abcd@123", &[(EMAIL, "ann@example.com")]);

    // The link template through SOAP, in en_US and fr_FR.
    for (locale, subject, words) in [
        ("en_US", "Reset your password (SOAP)", "Choose a new password"),
        (
            "fr_FR",
            "Nouveau mot de passe (SOAP)",
            "Choisissez un nouveau mot de passe",
        ),
    ] {
        let body = format!("<p>{words}, {{{{user-name}}}}: <a href=\"{LINK}\">here</a></p>");
        let (status, answer) =
            soap_save(&server, "AdminForcedPasswordReset", locale, "text/html", subject, &body).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    }
    // The OTP template through the console: en_US edited from the list, fr_FR added.
    let b = Browser::signed_in(&server, "admin", "admin").await;
    let list = b
        .get(&format!(
            "{TEMPLATES}?templateType=AdminForcedPasswordResetWithOTP&locale=en_US"
        ))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body.contains("Your one-time password"),
        "the stored subject is in the form"
    );
    let en_body = "<p>Code for {{user-name}}: <b>{{confirmation-code}}</b></p>";
    let saved = console_post(
        &b,
        SAVE,
        &template_fields(
            "AdminForcedPasswordResetWithOTP",
            "en_US",
            "text/html",
            "Your code (console)",
            en_body,
        ),
    )
    .await;
    assert_eq!(flash(&saved), "Email Template successfully Saved.");
    let fr_body = "<p>Code pour {{user-name}} : <b>{{confirmation-code}}</b></p>";
    let added = console_post(
        &b,
        ADD,
        &template_fields(
            "AdminForcedPasswordResetWithOTP",
            "fr_FR",
            "text/html",
            "Votre code (console)",
            fr_body,
        ),
    )
    .await;
    assert_eq!(flash(&added), "Email Template successfully Added");

    // Link mode, then emailed-OTP mode: tom reads French, ann (no locale) the en_US fallback.
    enable(&server, &["RecoveryLink"]).await;
    force_reset(&server, "tom").await;
    force_reset(&server, "ann").await;
    let messages = wait_for_messages(&smtp_server, 2);
    let (subject, body) = mail_to(&messages, "tom@example.com");
    assert_eq!(subject, "Nouveau mot de passe (SOAP)");
    assert!(body.contains("Choisissez un nouveau mot de passe, tom"), "{body}");
    assert!(
        body.contains("/accountrecoveryendpoint/confirmrecovery.do?confirmation="),
        "{body}"
    );
    let (subject, body) = mail_to(&messages, "ann@example.com");
    assert_eq!(subject, "Reset your password (SOAP)");
    assert!(body.contains("Choose a new password, ann"), "{body}");

    enable(&server, &["OTP"]).await;
    force_reset(&server, "tom").await;
    force_reset(&server, "ann").await;
    let messages = wait_for_messages(&smtp_server, 4);
    let (subject, body) = mail_to(&messages[2..], "tom@example.com");
    assert_eq!(subject, "Votre code (console)");
    assert!(body.contains("Code pour tom : <b>"), "{body}");
    let code = crate::support::first_bold(&body);
    assert_eq!(code.len(), 6, "{body}");
    let (subject, body) = mail_to(&messages[2..], "ann@example.com");
    assert_eq!(subject, "Your code (console)");
    assert!(body.contains("Code for ann: <b>"), "{body}");

    // The third way: the REST API edits the en_US OTP template; ann's next mail carries it.
    let path = "/api/server/v1/email/template-types/QWRtaW5Gb3JjZWRQYXNzd29yZFJlc2V0V2l0aE9UUA/templates/en_US";
    let edit = serde_json::json!({"contentType": "text/plain", "subject": "Your code (REST)", "body": "REST code: {{confirmation-code}}", "footer": "--", "id": "en_US"});
    let put = crate::rest::admin(&server, reqwest::Method::PUT, path, Some(&edit.to_string())).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    force_reset(&server, "ann").await;
    let messages = wait_for_messages(&smtp_server, 5);
    let (subject, body) = mail_to(&messages[4..], "ann@example.com");
    assert_eq!(subject, "Your code (REST)");
    assert!(body.starts_with("REST code: "), "{body}");
}

#[tokio::test]
async fn refusals_change_nothing_through_soap_and_the_console() {
    let server = TestServer::start();
    let app = server.app();
    let before = stored(&app, "AdminForcedPasswordResetWithOTP", "en_US");

    // SOAP: an OTP template without the code is refused with forcereset's message; WSO2's own failures keep
    // WSO2's fixed fault text.
    let (status, answer) = soap_save(
        &server,
        "AdminForcedPasswordResetWithOTP",
        "en_US",
        "text/plain",
        "No code",
        "Your password was reset.",
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{answer}");
    assert!(answer.contains("has no {{confirmation-code}} placeholder"), "{answer}");
    assert!(
        answer.contains("I18nEmailMgtConfigServiceI18nEmailMgtServerException"),
        "{answer}"
    );
    let (status, answer) = soap_save(&server, "a/b", "en_US", "text/plain", "s", "b").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        answer.contains(
            "<faultstring>Error occurred while updating email template in carbon.super tenant registry.</faultstring>"
        ),
        "{answer}"
    );
    let dup = envelope(
        "<mgt:addEmailTemplateType><mgt:emailTemplateDisplayName>AdminForcedPasswordReset</mgt:emailTemplateDisplayName></mgt:addEmailTemplateType>",
    );
    let (status, answer) = server.soap(I18N, dup, ("admin", "admin")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        answer.contains("<faultstring>Error while adding email template type to carbon.super tenant.</faultstring>"),
        "{answer}"
    );

    // The console: HTML that does not nest is refused, the form keeps what was typed.
    let b = Browser::signed_in(&server, "admin", "admin").await;
    let page = console_otp(&b, SAVE, "text/html", "Broken", "<div><b>{{confirmation-code}}</div>").await;
    assert!(
        flash(&page).contains("is not valid HTML: <b> is not closed before </div>. Nothing was saved."),
        "{}",
        flash(&page)
    );
    assert!(page.body.contains("Broken"), "the refused subject is shown again");
    assert_eq!(stored(&app, "AdminForcedPasswordResetWithOTP", "en_US"), before);

    // A preview of a refused draft says why and stores nothing either.
    let preview = console_otp(&b, PREVIEW, "text/plain", "s", "no code here").await;
    assert!(flash(&preview).contains("{{confirmation-code}}"), "{}", preview.body);
    assert_eq!(stored(&app, "AdminForcedPasswordResetWithOTP", "en_US"), before);

    // An unknown placeholder is saved, with a warning.
    let page = console_otp(&b, SAVE, "text/plain", "Hi {{nickname}}", "Code {{confirmation-code}}").await;
    assert!(
        flash(&page).starts_with("Email Template successfully Saved. Warning: The placeholder {{nickname}}"),
        "{}",
        flash(&page)
    );
}

#[tokio::test]
async fn the_console_previews_with_sample_values_in_a_sandboxed_frame() {
    let server = TestServer::start();
    let b = Browser::signed_in(&server, "admin", "admin").await;
    let body = format!("<p style=\"color:#c00\">Hello {{{{user.claim.givenname}}}}, <a href=\"{LINK}\">reset</a></p>");
    let page = console_post(
        &b,
        PREVIEW,
        &template_fields(
            "AdminForcedPasswordReset",
            "en_US",
            "text/html",
            "Hi {{user-name}}",
            &body,
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<span id=\"preview-subject\">Hi alex</span>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<iframe class=\"mail-preview\" title=\"Preview\" sandbox"),
        "{}",
        page.body
    );
    let frame = b.get(PREVIEW_FRAME).await;
    assert_eq!(frame.status, StatusCode::OK);
    let csp = frame.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("sandbox") && csp.contains("default-src 'none'"), "{csp}");
    assert!(frame.body.contains("Hello Alex"), "{}", frame.body);
    assert!(frame.body.contains("confirmation=X7K2QP"), "{}", frame.body);
    // Nothing was saved.
    let (subject, _) = stored(&server.app(), "AdminForcedPasswordReset", "en_US");
    assert_eq!(subject, "WSO2 - Admin Forced Password Reset");
}

#[tokio::test]
async fn a_queued_mail_keeps_the_text_it_was_rendered_with() {
    let server = TestServer::start();
    let app = server.app();
    crate::support::add_login_user(&app, "tom", "Abcd@123", &[(EMAIL, "tom@example.com")]);
    enable(&server, &["OTP"]).await;
    force_reset(&server, "tom").await;
    let (status, answer) = soap_save(
        &server,
        "AdminForcedPasswordResetWithOTP",
        "en_US",
        "text/plain",
        "Edited later",
        "Code {{confirmation-code}}",
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    let mails = app.mailbox(&Actor::System, 0, 10).unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].subject, "WSO2 - Admin Forced Password Reset");
    assert!(!mails[0].body.contains("Edited later"));
    force_reset(&server, "tom").await;
    let mails = app.mailbox(&Actor::System, 0, 10).unwrap();
    assert!(
        mails.iter().any(|m| m.subject == "Edited later"),
        "the next reset uses the edit"
    );
}

/// 5.11 reads `locality` and names templates by the lower-cased locale, so `fr-FR` is not `fr_FR`; 6.0 reads
/// `local`; 7.1 normalizes `fr-FR` to `fr_FR`.
#[tokio::test]
async fn the_locale_claim_and_spelling_follow_the_release() {
    for (version, claim, locale, french) in [
        ("5.11", LOCALITY, "FR_fr", true),
        ("5.11", LOCALITY, "fr-FR", false),
        ("5.11", LOCAL, "fr_FR", false),
        ("6.0", LOCAL, "fr_FR", true),
        ("6.0", LOCALITY, "fr_FR", false),
        ("7.1", LOCAL, "fr-FR", true),
    ] {
        let server = TestServer::start_with(&format!("[forcereset]\nwso2_version = \"{version}\"\n"));
        let app = server.app();
        crate::support::add_login_user(&app, "tom", "Abcd@123", &[(EMAIL, "tom@example.com"), (claim, locale)]);
        let (status, answer) = soap_save(
            &server,
            "AdminForcedPasswordResetWithOTP",
            "fr_FR",
            "text/plain",
            "Votre code",
            "Code {{confirmation-code}}",
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
        enable(&server, &["OTP"]).await;
        force_reset(&server, "tom").await;
        let mails = app.mailbox(&Actor::System, 0, 10).unwrap();
        let subject = &mails[0].subject;
        assert_eq!(subject == "Votre code", french, "{version} {claim}={locale}: {subject}");
    }
}
