//! The e-mail template loader and renderer: `Templates::parse` over fuzzed email-admin-config.xml text (raw, or
//! built from fuzzed parts so that most inputs reach the renderer), then `Templates::render` with fuzzed values.
//!
//! Oracles besides "no panic": a template whose parts are not blank loads; the subject is one header line (no
//! control characters, no leading or trailing space); in an HTML template, values cannot add markup (no `<` in
//! the output that the template itself did not have); the rendered body is not more than a bounded factor larger
//! than template plus values (no runaway expansion).
#![no_main]

use arbitrary::Arbitrary;
use forcereset::mail::templates::{TemplateVars, Templates};
use forcereset::soap::xml::{escape, is_forbidden_char};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    raw: bool,
    html: bool,
    subject: &'a str,
    body: &'a str,
    footer: &'a str,
    user_name: &'a str,
    claim: &'a str,
    claim_value: &'a str,
    code: &'a str,
    product_url: &'a str,
}

const NAME: &str = "AdminForcedPasswordResetWithOTP";

fuzz_target!(|input: Input<'_>| {
    let text = if input.raw {
        input.body.to_string()
    } else {
        format!(
            r#"<configurations><configuration type="{NAME}" display="{NAME}" locale="en_US" emailContentType="{}"><targetEpr></targetEpr><subject>{}</subject><body>{}</body><footer>{}</footer></configuration></configurations>"#,
            if input.html { "text/html" } else { "text/plain" },
            escape(input.subject),
            escape(input.body),
            escape(input.footer),
        )
    };
    let loaded = Templates::parse(&text, "fuzz.xml");
    if !input.raw {
        // As written: characters XML cannot carry were replaced (U+FFFD) by `escape`, so they are not blank.
        let blank = |t: &str| t.chars().all(|c| c.is_whitespace() && !is_forbidden_char(c));
        let blank = blank(input.subject) || blank(input.body);
        assert_eq!(loaded.is_ok(), !blank, "{loaded:?}");
    }
    let Ok((templates, _warnings)) = loaded else {
        return;
    };
    let vars = TemplateVars {
        user_name: input.user_name.to_string(),
        user_claims: vec![(
            format!("http://wso2.org/claims/{}", input.claim),
            input.claim_value.to_string(),
        )],
        confirmation_code: input.code.to_string(),
        userstore_domain: "PRIMARY".into(),
        tenant_domain: "carbon.super".into(),
        product_url: input.product_url.to_string(),
    };
    for name in [NAME, "AdminForcedPasswordReset", "adminforcedpasswordresetwithotp"] {
        let Ok(rendered) = templates.render(name, &vars) else {
            continue;
        };
        let subject = &rendered.subject;
        assert!(!subject.chars().any(char::is_control), "{subject:?}");
        assert_eq!(subject.trim_matches(' '), subject);
        if !input.raw && input.html && !input.body.contains('<') && !input.footer.contains('<') {
            assert!(
                !rendered.body.contains('<'),
                "a value added markup: {:?}",
                rendered.body
            );
        }
        let values = input.user_name.len() + input.claim_value.len() + input.code.len() + input.product_url.len() + 64;
        // Each placeholder is at least 6 bytes (`{{x}}` plus one) and a value grows at most 6x when escaped.
        assert!(
            rendered.body.len() <= text.len() + text.len() / 5 * values * 6 + 1,
            "body of {} bytes from {} bytes of template",
            rendered.body.len(),
            text.len()
        );
    }
});
