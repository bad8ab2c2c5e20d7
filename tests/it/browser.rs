//! The seed's emailed-OTP scenario in a real browser: headless Chromium, driven by Selenium
//! (`tests/toolkits/browser_otp.py`), typing into the real pages. Screenshots of each page are kept under
//! `target/test-artifacts/browser/` for looking at.

use forcereset::app::Actor;
use forcereset::domain::governance;
use forcereset::domain::secret::Secret;
use forcereset::store::TenantId;

use crate::support::TestServer;

#[test]
fn the_otp_scenario_walks_through_the_real_pages_in_chromium() {
    let Some(selenium) = crate::support::Selenium::available() else {
        return;
    };
    let server = TestServer::start();
    let app = server.app();
    let sys = Actor::System;
    app.update_configurations(&sys, &[(governance::OTP.into(), "true".into())])
        .unwrap();
    crate::support::add_login_user(
        &app,
        "tom",
        "Abcd@123",
        &[
            ("http://wso2.org/claims/emailaddress", "tom@example.com"),
            ("http://wso2.org/claims/givenname", "Tom"),
        ],
    );
    app.force_reset(&sys, "tom").unwrap();
    // The built-in mailbox holds the mail; WSO2's own test takes the OTP from the first <b>.
    let mail = app
        .store_for_tests()
        .read(TenantId::SUPER, |tx| tx.mails(0, 1))
        .unwrap()
        .remove(0);
    let otp = crate::support::first_bold(&mail.body);
    assert_eq!(otp.len(), 6, "{otp}");

    let shots = selenium.run(
        "browser_otp.py",
        &[server.https_url().as_str(), "tom", &otp, "Brand@New1"],
        "browser",
    );
    assert!(
        shots.join("04-dashboard.png").exists(),
        "screenshots kept in {}",
        shots.display()
    );
    assert!(app.authenticate("tom", &Secret::new("Brand@New1")).is_ok());
}
