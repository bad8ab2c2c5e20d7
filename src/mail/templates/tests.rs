//! Template tests: the shipped file, placeholders, escaping, malformed input and bad files.

use super::*;

const GIVEN_NAME: &str = "http://wso2.org/claims/givenname";

fn vars() -> TemplateVars {
    TemplateVars {
        user_name: "tom".into(),
        user_claims: vec![(GIVEN_NAME.into(), "Tom".into())],
        confirmation_code: "ABC123".into(),
        userstore_domain: "PRIMARY".into(),
        tenant_domain: "carbon.super".into(),
        product_url: "https://localhost:9443".into(),
    }
}

fn embedded() -> Templates {
    let (templates, warnings) = Templates::load(None).unwrap();
    assert_eq!(warnings, Vec::<String>::new());
    assert_eq!(templates, Templates::embedded());
    assert!(!Templates::default().contains("AdminForcedPasswordReset"));
    templates
}

/// A one-template file with this body.
fn file(content_type: &str, subject: &str, body: &str) -> String {
    format!(
        r#"<configurations><configuration type="t" display="T" locale="en_US" emailContentType="{content_type}">
            <subject>{subject}</subject><body><![CDATA[{body}]]></body><footer>-- end</footer></configuration>
            </configurations>"#
    )
}

fn render_one(content_type: &str, body: &str, vars: &TemplateVars) -> String {
    let (t, _) = Templates::parse(&file(content_type, "s", body), "t.xml").unwrap();
    t.render("t", vars).unwrap().body
}

/// The text of the first `<b>` element.
fn first_bold(html: &str) -> &str {
    let start = html.find("<b>").unwrap() + 3;
    let end = start + html[start..].find("</b>").unwrap();
    &html[start..end]
}

#[test]
fn every_shipped_template_renders_every_placeholder() {
    let templates = embedded();
    for name in EXPECTED {
        let r = templates.render(name, &vars()).unwrap();
        assert_eq!(r.content_type, "text/html", "{name}");
        assert!(r.subject.starts_with("WSO2 - "), "{name}: {}", r.subject);
        assert!(!r.body.contains("{{"), "{name} left a placeholder: {}", r.body);
        assert!(r.body.contains("Hello Tom,"), "{name}");
        assert!(r.body.contains("<strong>tom</strong>"), "{name}");
        assert!(r.body.ends_with("</html>\n---"), "{name}: footer appended");
    }
    assert_eq!(
        templates.render("AdminForcedPasswordReset", &vars()).unwrap().subject,
        "WSO2 - Admin Forced Password Reset"
    );
    assert_eq!(
        templates
            .render("ResendAdminForcedPasswordResetWithOTP", &vars())
            .unwrap()
            .subject,
        "WSO2 - Resend Admin Forced Password Reset"
    );
}

#[test]
fn link_templates_carry_the_exact_link() {
    let link = "https://localhost:9443/accountrecoveryendpoint/confirmrecovery.do?confirmation=ABC123\
                    &amp;userstoredomain=PRIMARY&amp;username=tom&amp;tenantdomain=carbon.super";
    for name in ["AdminForcedPasswordReset", "ResendAdminForcedPasswordReset"] {
        let body = embedded().render(name, &vars()).unwrap().body;
        assert!(body.contains(&format!("<a href=\"{link}\"")), "{name}: {body}");
        assert_eq!(body.matches(link).count(), 2, "{name}: the href and the copyable text");
    }
}

#[test]
fn otp_templates_put_the_code_in_the_first_bold_element() {
    let mut v = vars();
    v.user_name = "<b>tom</b>".into();
    for name in [
        "AdminForcedPasswordResetWithOTP",
        "ResendAdminForcedPasswordResetWithOTP",
    ] {
        let body = embedded().render(name, &v).unwrap().body;
        assert_eq!(first_bold(&body), "ABC123", "{name}");
        assert!(!body.contains("confirmrecovery.do"), "{name}");
    }
}

#[test]
fn html_values_are_escaped_and_subjects_are_not() {
    let mut v = vars();
    v.user_claims = vec![(GIVEN_NAME.into(), "<script>alert('x')</script>&".into())];
    let (t, _) = Templates::parse(
        &file(
            "text/html",
            "Hi {{user.claim.givenname}}",
            "Hi {{user.claim.givenname}}!",
        ),
        "t.xml",
    )
    .unwrap();
    let r = t.render("t", &v).unwrap();
    assert_eq!(
        r.body,
        "Hi &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;!\n-- end"
    );
    assert_eq!(r.subject, "Hi <script>alert('x')</script>&");
    let shipped = embedded().render("AdminForcedPasswordReset", &v).unwrap().body;
    assert!(!shipped.contains("<script>"));
    assert!(shipped.contains("Hello &lt;script&gt;"));
    assert_eq!(
        render_one("text/plain", "Hi {{user.claim.givenname}}", &v),
        format!("Hi {}\n-- end", v.user_claims[0].1)
    );
}

#[test]
fn url_user_name_is_percent_encoded_then_escaped() {
    let mut v = vars();
    v.user_name = "tom smith+x".into();
    let body = embedded().render("AdminForcedPasswordReset", &v).unwrap().body;
    assert!(body.contains("&amp;username=tom%20smith%2Bx&amp;"), "{body}");
    assert!(body.contains("<strong>tom smith+x</strong>"));
    v.user_name = "ü&\"/".into();
    assert_eq!(
        render_one("text/html", "{{url:user-name}}", &v),
        "%C3%BC%26%22%2F\n-- end"
    );
    assert_eq!(render_one("text/html", "{{user-name}}", &v), "ü&amp;&quot;/\n-- end");
}

#[test]
fn claims_resolve_by_name_and_absent_ones_are_empty() {
    let mut v = vars();
    v.user_claims
        .push(("http://wso2.org/claims/lastname".into(), "Smith".into()));
    assert_eq!(
        render_one(
            "text/plain",
            "{{user.claim.givenname}} {{user.claim.lastname}}|{{user.claim.country}}|",
            &v
        ),
        "Tom Smith||\n-- end"
    );
    assert_eq!(render_one("text/plain", "{{user.claim.GivenName}}", &v), "Tom\n-- end");
}

/// A user without a given name got "Hello ," (issue 14); an empty value now leaves no gap before punctuation,
/// and nothing else changes.
#[test]
fn an_empty_value_leaves_no_dangling_comma() {
    let v = TemplateVars {
        user_claims: Vec::new(),
        ..vars()
    };
    assert_eq!(
        render_one("text/plain", "Hello {{user.claim.givenname}},", &v),
        "Hello,\n-- end"
    );
    assert_eq!(
        render_one("text/html", "<p>Hello {{user.claim.givenname}}!</p>", &v),
        "<p>Hello!</p>\n-- end"
    );
    assert_eq!(
        render_one("text/plain", "Dear {{user.claim.givenname}} {{user-name}},", &v),
        "Dear  tom,\n-- end",
        "only a gap right before punctuation closes"
    );
    assert_eq!(
        render_one("text/plain", "Hello {{user.claim.givenname}},", &vars()),
        "Hello Tom,\n-- end"
    );
}

#[test]
fn unknown_placeholders_are_warned_once_and_left() {
    let text = file(
        "text/html",
        "{{foo}} s",
        "{{foo}} {{bar.baz}} {{user-name}} {{user.claim.}} {{foo}}",
    );
    let (t, warnings) = Templates::parse(&text, "email-admin-config.xml").unwrap();
    let unknown: Vec<_> = warnings.iter().filter(|w| w.contains("unknown placeholder")).collect();
    assert_eq!(
        unknown,
        [
            "email-admin-config.xml: template T uses unknown placeholder {{foo}} (left as is)",
            "email-admin-config.xml: template T uses unknown placeholder {{bar.baz}} (left as is)",
            "email-admin-config.xml: template T uses unknown placeholder {{user.claim.}} (left as is)",
        ]
    );
    assert_eq!(
        warnings.len(),
        3 + EXPECTED.len(),
        "and every missing shipped template: {warnings:#?}"
    );
    let r = t.render("t", &vars()).unwrap();
    assert_eq!(r.subject, "{{foo}} s");
    assert_eq!(r.body, "{{foo}} {{bar.baz}} tom {{user.claim.}} {{foo}}\n-- end");
}

#[test]
fn malformed_braces_survive_and_never_panic() {
    let v = vars();
    for (input, expected) in [
        ("a {{user-name", "a {{user-name"),
        ("{{", "{{"),
        ("{", "{"),
        ("}}{{}}", "}}{{}}"),
        ("{{{user-name}}}", "{tom}"),
        ("{{a{{user-name}}", "{{atom"),
        ("{{user-name}", "{{user-name}"),
        ("{{ user-name }}", "{{ user-name }}"),
        ("{{user-name}}{{user-name}}", "tomtom"),
        ("é{{ü}}{{user-name}}ß{{", "é{{ü}}tomß{{"),
    ] {
        assert_eq!(
            render_one("text/plain", input, &v),
            format!("{input_out}\n-- end", input_out = expected),
            "{input}"
        );
    }
    // Every prefix of a tricky string, cut at any char boundary.
    let tricky = "x{{é{{{url:user-name}}}}{{user.claim.ü}}{{user-name";
    for (i, _) in tricky.char_indices() {
        let _ = expand(&tricky[..i], &v, true);
        let _ = placeholders(&tricky[i..]);
    }
}

#[test]
fn lookup_ignores_case_and_accepts_the_display_name() {
    let t = embedded();
    for name in [
        "adminforcedpasswordreset",
        "AdminForcedPasswordReset",
        "ADMINFORCEDPASSWORDRESET",
        "adminForcedPasswordResetWithOtp",
    ] {
        assert!(t.contains(name), "{name}");
        assert!(t.render(name, &vars()).is_ok(), "{name}");
    }
    assert!(matches!(t.render("nosuch", &vars()), Err(MailError::UnknownTemplate(n)) if n == "nosuch"));
}

#[test]
fn en_us_wins_among_locales() {
    let text = r#"<configurations>
            <configuration type="t" locale="fr_FR"><subject>Bonjour</subject><body>b</body></configuration>
            <configuration type="t" locale="en_US"><subject>Hello</subject><body>b</body></configuration>
            </configurations>"#;
    let (t, _) = Templates::parse(text, "t.xml").unwrap();
    let r = t.render("T", &vars()).unwrap();
    assert_eq!(
        (r.subject.as_str(), r.content_type.as_str(), r.body.as_str()),
        ("Hello", "text/plain", "b")
    );
}

#[test]
fn bad_files_are_refused_with_the_file_and_the_reason() {
    let err = |text: &str| Templates::parse(text, "my.xml").unwrap_err().to_string();
    assert!(err("<configurations>").starts_with("my.xml: "));
    assert!(err("<a/>").contains("expected <configurations>"));
    assert!(err("<configurations/>").contains("no <configuration> elements"));
    assert!(
        err("<configurations><configuration><subject>s</subject><body>b</body></configuration></configurations>")
            .contains("no type attribute")
    );
    assert_eq!(
        err(r#"<configurations><configuration type="t" display="T"><body>b</body></configuration></configurations>"#),
        "my.xml: template T has no subject"
    );
    assert_eq!(
        err(
            r#"<configurations><configuration type="t"><subject>s</subject><body>  </body></configuration></configurations>"#
        ),
        "my.xml: template t has no body"
    );
    assert!(err(r#"<configurations><configuration type="t" emailContentType="image/png"><subject>s</subject><body>b</body></configuration></configurations>"#)
            .contains("emailContentType"));
    let twice = r#"<configurations><configuration type="t"><subject>s</subject><body>b</body></configuration>
            <configuration type="T"><subject>s</subject><body>b</body></configuration></configurations>"#;
    assert!(err(twice).contains("defined twice"));
    assert!(err("<!DOCTYPE x><configurations/>").contains("DOCTYPE"));

    let missing = Templates::load(Some(Path::new("/nonexistent/email-admin-config.xml"))).unwrap_err();
    assert!(
        missing
            .to_string()
            .starts_with("/nonexistent/email-admin-config.xml: cannot read"),
        "{missing}"
    );
}

#[test]
fn a_file_on_disk_loads_like_the_embedded_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("email-admin-config.xml");
    std::fs::write(&path, EMBEDDED).unwrap();
    let (from_disk, warnings) = Templates::load(Some(&path)).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(from_disk, embedded());
}

#[test]
fn subjects_are_one_line_and_secrets_stay_out_of_debug() {
    let mut v = vars();
    v.user_claims = vec![(GIVEN_NAME.into(), "a\r\nBcc: x@evil".into())];
    let (t, _) = Templates::parse(&file("text/plain", "Hi\n  {{user.claim.givenname}}", "b"), "t.xml").unwrap();
    let r = t.render("t", &v).unwrap();
    assert_eq!(r.subject, "Hi a Bcc: x@evil");
    assert!(!format!("{v:?}").contains("ABC123"));
    let r = embedded().render("AdminForcedPasswordResetWithOTP", &v).unwrap();
    assert!(!format!("{r:?}").contains("ABC123"));
}

/// The shipped templates pass the checks every edit must pass, with no warning, and carry WSO2's display names
/// (`resendAdminForcedPasswordReset` with a lower-case r: NOTIF email-admin-config.xml l.840 at v1.5.1).
#[test]
fn shipped_templates_pass_the_save_checks_under_wso2s_names() {
    use crate::domain::templates::{TemplateDraft, check_mail, type_key};
    let templates = Templates::embedded();
    let names: Vec<&str> = templates.iter().map(|t| t.display.as_str()).collect();
    assert!(names.contains(&"resendAdminForcedPasswordReset"), "{names:?}");
    assert!(names.contains(&"resendAdminForcedPasswordResetWithOTP"), "{names:?}");
    for t in templates.iter() {
        let draft = TemplateDraft {
            display_name: t.display.clone(),
            locale: t.locale.clone(),
            content_type: Some(t.content_type.clone()),
            subject: t.subject.clone(),
            body: t.body.clone(),
            footer: t.footer.clone(),
        };
        assert_eq!(
            check_mail(&type_key(&t.display), &draft),
            Ok(Vec::new()),
            "{}",
            t.display
        );
    }
}
