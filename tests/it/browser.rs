//! The seed's emailed-OTP scenario in a real browser: headless Chromium, driven by Selenium
//! (`tests/toolkits/browser_otp.py`), typing into the real pages. Screenshots of each page are kept under
//! `target/test-artifacts/browser/` for looking at.

use std::path::Path;

use forcereset::app::Actor;
use forcereset::config::Secret;
use forcereset::domain::governance;

use crate::support::TestServer;

#[test]
fn the_otp_scenario_walks_through_the_real_pages_in_chromium() {
    let Some(python) = crate::smtp::python() else { return };
    if !Path::new("/usr/bin/chromium").exists() || !Path::new("/usr/bin/chromedriver").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium and chromium-driver (.ci/run does)"
        );
        eprintln!("SKIPPED: no /usr/bin/chromium or /usr/bin/chromedriver");
        return;
    }
    let server = TestServer::start();
    let app = server.app();
    let sys = Actor::System;
    app.update_configurations(&sys, &[(governance::OTP.into(), "true".into())])
        .unwrap();
    app.add_role(&sys, "loginrole", &["/permission/admin/login".into()], &[])
        .unwrap();
    app.add_user(
        &sys,
        "tom",
        &Secret::new("Abcd@123"),
        &["loginrole".into()],
        &[
            ("http://wso2.org/claims/emailaddress".into(), "tom@example.com".into()),
            ("http://wso2.org/claims/givenname".into(), "Tom".into()),
        ],
        "default",
    )
    .unwrap();
    app.force_reset(&sys, "tom").unwrap();
    // The built-in mailbox holds the mail; WSO2's own test takes the OTP from the first <b>.
    let mail = app.store.read(|tx| tx.mails(0, 1)).unwrap().remove(0);
    let otp = mail
        .body
        .split("<b>")
        .nth(1)
        .and_then(|s| s.split("</b>").next())
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(otp.len(), 6, "{otp}");

    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts/browser");
    let _ = std::fs::remove_dir_all(&shots);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/toolkits/browser_otp.py");
    let out = std::process::Command::new(&python)
        .arg(&script)
        .args([server.https_url().as_str(), "tom", &otp, "Brand@New1"])
        .arg(&shots)
        .env("SE_OFFLINE", "true")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    assert!(
        shots.join("04-dashboard.png").exists(),
        "screenshots kept in {}",
        shots.display()
    );
    assert!(app.authenticate("tom", &Secret::new("Brand@New1")).is_ok());
}
