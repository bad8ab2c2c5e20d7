//! Every page, looked at: headless Chromium (`tests/toolkits/browser_pages.py`) opens each page of the login flow,
//! the recovery portal, the dashboard and the console at 1280 × 800 and at a phone's 390 × 844, keeps a
//! screenshot of each under `target/test-artifacts/pages/`, and fails when anything is cut off (issue 14).

use forcereset::app::Actor;
use forcereset::domain::{claims, governance};

use crate::support::TestServer;

const TOM_PASSWORD: &str = "Abcd@123";

#[test]
fn every_page_fits_a_desktop_and_a_phone() {
    let Some(selenium) = crate::support::Selenium::available() else {
        return;
    };
    let server = TestServer::start_with("[admin_service.wsdl]\nenable = true\n");
    let app = server.app();
    let sys = Actor::System;
    crate::support::add_login_user(
        &app,
        "tom",
        TOM_PASSWORD,
        &[(claims::EMAIL, "tom@example.com"), (claims::GIVEN_NAME, "Tom")],
    );
    crate::support::add_login_user(&app, "ann", TOM_PASSWORD, &[(claims::EMAIL, "ann@example.com")]);
    // A pending reset by e-mailed link for ann: a mail in the mailbox, a code for the reset page, audit lines.
    app.update_configurations(&sys, &[(governance::RECOVERY_LINK.into(), "true".into())])
        .unwrap();
    app.force_reset(&sys, "ann").unwrap();
    let mail = app.mailbox(&sys, 0, 1).unwrap().remove(0);
    let code = mail
        .body
        .split("confirmation=")
        .nth(1)
        .and_then(|rest| rest.split(['&', '"', '<']).next())
        .expect("a code in the mail")
        .to_string();
    // Long values of the kind that overflowed: a code, a claim value, an audit detail.
    let long = "X".repeat(180);
    app.set_claims(&sys, "tom", "", &[(claims::LAST_NAME.into(), format!("Long{long}"))])
        .unwrap();

    // A tenant with a long domain, for Configure → Multitenancy.
    app.add_tenant(
        &sys,
        &forcereset::app::TenantSpec {
            domain: "a-long-tenant-domain-name.example.com".into(),
            admin: "kim".into(),
            password: forcereset::domain::secret::Secret::new(TOM_PASSWORD),
            email: "kim@a-long-tenant-domain-name.example.com".into(),
            first_name: "Kim".into(),
            last_name: String::new(),
        },
    )
    .unwrap();
    // An expired password's change page (issue 17), held for tom as a 7.x login's redirect holds it.
    let super_tenant = app.resolve_tenant("carbon.super").unwrap().unwrap();
    let expired = app.hold_expired_change(&super_tenant, "tom", None);
    let page = |name: &str, path: String, who: &str| serde_json::json!({ "name": name, "path": path, "as": who });
    let pages = vec![
        page("login", "/authenticationendpoint/login.do".into(), "anonymous"),
        page(
            "login-failed",
            "/authenticationendpoint/login.do?authenticators=BasicAuthenticator:LOCAL&authFailure=true\
             &authFailureMsg=login.fail.message"
                .into(),
            "anonymous",
        ),
        page("retry", "/authenticationendpoint/retry.do".into(), "anonymous"),
        page(
            "reset-form",
            format!("/accountrecoveryendpoint/confirmrecovery.do?username=ann&confirmation={code}"),
            "anonymous",
        ),
        page(
            "reset-bad-long-code",
            format!("/accountrecoveryendpoint/confirmrecovery.do?username=ann&confirmation={long}"),
            "anonymous",
        ),
        page(
            "password-expired",
            format!(
                "/accountrecoveryendpoint/password-recovery-confirm.jsp?confirmation={expired}&passwordExpired=true"
            ),
            "anonymous",
        ),
        page("not-found", "/carbon/nowhere.jsp".into(), "console"),
        page("dashboard", "/dashboard".into(), "user"),
        page("console-login", "/carbon/admin/login.jsp".into(), "anonymous"),
        page("console-home", "/carbon/admin/index.jsp".into(), "console"),
        page("console-users", "/carbon/user/list-users.jsp".into(), "console"),
        page(
            "console-user",
            "/carbon/user/view-user.jsp?username=tom".into(),
            "console",
        ),
        page("console-add-user", "/carbon/user/add-user.jsp".into(), "console"),
        page(
            "console-profile",
            "/carbon/userprofile/edit.jsp?username=tom".into(),
            "console",
        ),
        page("console-roles", "/carbon/role/role-mgt.jsp".into(), "console"),
        page(
            "console-role",
            "/carbon/role/view-role.jsp?roleName=admin".into(),
            "console",
        ),
        page(
            "console-claims",
            "/carbon/identity-claim-mgt/list-local-claims.jsp".into(),
            "console",
        ),
        page(
            "console-claim",
            format!(
                "/carbon/identity-claim-mgt/update-local-claim.jsp?uri={}",
                claims::ONE_TIME_PASSWORD
            ),
            "console",
        ),
        page(
            "console-resident-idp",
            "/carbon/idpmgt/idp-mgt-edit-local.jsp".into(),
            "console",
        ),
        page("console-mailbox", "/carbon/mailbox/index.jsp".into(), "console"),
        page(
            "console-mail",
            format!("/carbon/mailbox/view.jsp?id={}", mail.id),
            "console",
        ),
        page("console-audit", "/carbon/audit/index.jsp".into(), "console"),
        page(
            "console-email-templates-add-menu",
            "/carbon/email-mgt/email-template-mgt.jsp".into(),
            "console",
        ),
        page(
            "console-email-template-type-add",
            "/carbon/email-mgt/email-template-type-add.jsp".into(),
            "console",
        ),
        page(
            "console-email-template-add",
            "/carbon/email-mgt/email-template-add.jsp?templateType=AdminForcedPasswordReset".into(),
            "console",
        ),
        page(
            "console-email-templates",
            "/carbon/email-mgt/email-template-config.jsp?templateType=AdminForcedPasswordReset&locale=en_US".into(),
            "console",
        ),
        page(
            "console-tenants",
            "/carbon/tenant-mgt/view_tenants.jsp".into(),
            "console",
        ),
        page(
            "console-add-tenant",
            "/carbon/tenant-mgt/add_tenant.jsp".into(),
            "console",
        ),
        page(
            "console-tenant",
            "/carbon/tenant-mgt/add_tenant.jsp?domain=a-long-tenant-domain-name.example.com".into(),
            "console",
        ),
        serde_json::json!({
            "name": "console-email-template-preview",
            "path": "/carbon/email-mgt/email-template-config.jsp?templateType=AdminForcedPasswordResetWithOTP&locale=en_US",
            "as": "console",
            "click": "#preview-template",
        }),
    ];
    let spec = serde_json::json!({
        "base": server.https_url(),
        "console": { "username": "admin", "password": "admin" },
        "user": { "username": "tom", "password": TOM_PASSWORD },
        "pages": pages,
    });
    let dir = tempfile::tempdir().unwrap();
    let spec_path = dir.path().join("pages.json");
    std::fs::write(&spec_path, spec.to_string()).unwrap();
    let shots = selenium.run("browser_pages.py", &[spec_path.to_str().unwrap()], "pages");
    for size in ["desktop", "phone"] {
        assert!(
            shots.join(format!("{size}-console-claims.png")).exists(),
            "{}",
            shots.display()
        );
    }
}
