//! The template rules against WSO2's examples (research notes: docs/COMPATIBILITY.md "E-mail templates").

use super::*;
use crate::domain::profile::Wso2Version;

fn profile(v: Wso2Version) -> TemplatesProfile {
    v.profile().templates
}

fn draft(name: &str, content_type: &str, body: &str) -> TemplateDraft {
    TemplateDraft {
        display_name: name.into(),
        locale: "en_US".into(),
        content_type: Some(content_type.into()),
        subject: "Reset".into(),
        body: body.into(),
        footer: "---".into(),
    }
}

#[test]
fn type_names_follow_wso2s_whitelist_or_blacklist() {
    assert_eq!(type_key("Admin Forced Password Reset"), "adminforcedpasswordreset");
    assert!(check_type_name("My-Type_1").is_ok(), "no blacklisted character");
    assert!(check_type_name("Account Enable").is_ok());
    assert!(check_type_name("a/b").is_err());
    assert!(check_type_name("x,y").is_err());
    assert!(check_type_name("  ").is_err());
}

#[test]
fn locales_are_named_as_each_release_names_them() {
    let old = profile(Wso2Version::V7_0);
    let new = profile(Wso2Version::V7_1);
    assert_eq!(locale_key(&old, "fr_FR"), locale_key(&old, "FR_fr"));
    assert_ne!(
        locale_key(&old, "fr-FR"),
        locale_key(&old, "fr_FR"),
        "5.9–7.0: fr-FR is another template"
    );
    for spelling in ["fr-FR", "fr_fr", "FR-fr"] {
        assert_eq!(normalize_locale(&new, spelling), "fr_FR", "{spelling}");
    }
    assert_eq!(normalize_locale(&new, "en_us"), "en_US");
    assert_eq!(normalize_locale(&new, "fr"), "fr");
    assert_eq!(normalize_locale(&new, "???"), "en_US", "blank → the default locale");
    assert!(check_locale(&old, "xx_YY").is_ok(), "any string is a locale");
    assert!(check_locale(&old, "en`US").is_err(), "registry characters, 5.9–7.0");
    assert!(check_locale(&new, "en`US").is_ok());
    assert!(check_locale(&new, "en/US").is_err());
}

#[test]
fn the_footer_is_required_up_to_6_1() {
    let mut d = draft("AccountEnable", "text/plain", "body");
    d.footer = String::new();
    assert!(check_draft(&profile(Wso2Version::V6_1), &d).is_err());
    assert!(check_draft(&profile(Wso2Version::V7_0), &d).is_ok());
    d.subject = " ".into();
    let e = check_draft(&profile(Wso2Version::V7_0), &d).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Subject/Body/Footer sections of an email template cannot be empty."
    );
}

#[test]
fn reset_templates_must_carry_their_code() {
    let otp = draft("AdminForcedPasswordResetWithOTP", "text/plain", "Your code is ready.");
    let e = check_mail(TYPE_OTP, &otp).unwrap_err().to_string();
    assert!(
        e.contains("{{confirmation-code}}") && e.contains("Nothing was saved"),
        "{e}"
    );
    let ok = draft(
        "AdminForcedPasswordResetWithOTP",
        "text/plain",
        "Code: {{confirmation-code}}",
    );
    assert_eq!(check_mail(TYPE_OTP, &ok).unwrap(), Vec::<String>::new());

    let bare = draft("AdminForcedPasswordReset", "text/plain", "Code: {{confirmation-code}}");
    assert!(check_mail(TYPE_LINK, &bare).is_err(), "a code without the link");
    let link = draft(
        "AdminForcedPasswordReset",
        "text/plain",
        "{{carbon.product-url}}/accountrecoveryendpoint/confirmrecovery.do?confirmation={{confirmation-code}}",
    );
    assert!(check_mail(TYPE_LINK, &link).is_ok());
    assert!(check_mail("accountenable", &bare).is_ok(), "other types need no code");
}

#[test]
fn unknown_placeholders_are_warned_once() {
    let d = draft(
        "AccountEnable",
        "text/plain",
        "Hi {{user.claim.givenname}} {{nickname}} {{nickname}} {{url:user-name}}",
    );
    let warnings = check_mail("accountenable", &d).unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("{{nickname}}"));
}

#[test]
fn html_must_nest() {
    assert!(check_html("<table><tr><td>a<td>b</table><p>x<p>y<br><img src='a>b'/>").is_ok());
    assert!(check_html("<!-- c --><!DOCTYPE html><div>a < b</div>").is_ok());
    assert_eq!(
        check_html("<div><b>x</div>").unwrap_err(),
        "<b> is not closed before </div>"
    );
    assert_eq!(check_html("<div>x").unwrap_err(), "<div> is never closed");
    assert_eq!(
        check_html("</span>").unwrap_err(),
        "</span> closes an element that is not open"
    );
    assert!(check_html("<a href=\"x").is_err());
    assert!(check_html("<!-- x").is_err());
    let e = check_mail("accountenable", &draft("AccountEnable", "text/html", "<div>x")).unwrap_err();
    assert!(e.to_string().contains("not valid HTML: <div> is never closed"), "{e}");
    assert!(check_mail("accountenable", &draft("AccountEnable", "text/plain", "<div>x")).is_ok());
}

#[test]
fn the_placeholder_pattern_compiles() {
    assert!(placeholder_pattern().is_some());
    assert_eq!(placeholders("{{a}} {b} {{c.d:e}}"), vec!["a", "c.d:e"]);
}
