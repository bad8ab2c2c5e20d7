//! The seed's offline scenario clicked through the management console in a real browser: headless Chromium driven
//! by Selenium (`tests/toolkits/browser_console.py`), from the admin's console login to tom's dashboard. Screenshots
//! of each page are kept under `target/test-artifacts/console/` for looking at.

use forcereset::app::Actor;
use forcereset::domain::claims;
use forcereset::domain::secret::Secret;

use crate::support::TestServer;

#[test]
fn the_offline_scenario_is_clicked_through_the_console_in_chromium() {
    let Some(selenium) = crate::support::Selenium::available() else {
        return;
    };
    let server = TestServer::start_with("[admin_service.wsdl]\nenable = true\n");
    let shots = selenium.run("browser_console.py", &[server.https_url().as_str()], "console");
    for name in [
        "01-console-login",
        "07-resident-idp",
        "12-profile-with-otp",
        "16-dashboard",
    ] {
        assert!(
            shots.join(format!("{name}.png")).exists(),
            "{name}.png kept in {}",
            shots.display()
        );
    }

    // What the clicks did, seen from the store.
    let app = server.app();
    assert!(app.authenticate("tom", &Secret::new("Brand@New1")).is_ok());
    assert!(app.authenticate("tom", &Secret::new("Abcd@123")).is_err());
    assert!(!app.is_locked("tom").unwrap());
    assert_eq!(
        app.claim_value(&Actor::System, "tom", claims::ONE_TIME_PASSWORD, "")
            .unwrap(),
        None
    );
    assert_eq!(
        app.roles_of_user(&Actor::System, "tom").unwrap(),
        ["loginrole", "Internal/everyone"]
    );
}
