//! The forced-reset engine end to end: the seed's SOAP request under each mode, a real SMTP server (aiosmtpd)
//! receiving the mail, STARTTLS + AUTH, the outbox surviving an SMTP outage, atomic failure, and the CLI.

use forcereset::store::TenantId;
use std::path::Path;
use std::time::{Duration, Instant};

use forcereset::app::{Actor, App, CodeCheck};
use forcereset::domain::secret::Secret;
use reqwest::StatusCode;

use crate::smtp::{self, SmtpServer};
use crate::support::TestServer;

const UPM: &str = "/services/UserProfileMgtService";
const RUS: &str = "/services/RemoteUserStoreManagerService";
const GOV: &str = "/services/IdentityGovernanceAdminService";
const EMAIL: &str = "http://wso2.org/claims/emailaddress";
const OTP_CLAIM: &str = "http://wso2.org/claims/oneTimePassword";
const LOCKED: &str = "http://wso2.org/claims/identity/accountLocked";
const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";

fn seed_request() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/soap/setUserProfile.seed.xml")).unwrap()
}

fn envelope(payload: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="{SOAP11}" xmlns:ser="http://service.ws.um.carbon.wso2.org" xmlns:gov="http://governance.identity.carbon.wso2.org" xmlns:m="http://model.common.application.identity.carbon.wso2.org/xsd"><s:Body>{payload}</s:Body></s:Envelope>"#
    )
}

/// Turn on exactly the given modes through IdentityGovernanceAdminService.updateConfigurations, as WSO2's own
/// integration test does.
pub(crate) async fn enable(server: &TestServer, modes: &[&str]) {
    let props: String = ["RecoveryLink", "OTP", "Offline"]
        .iter()
        .map(|m| {
            format!(
                "<gov:configurations><m:name>Recovery.AdminPasswordReset.{m}</m:name><m:value>{}</m:value></gov:configurations>",
                modes.contains(m)
            )
        })
        .collect();
    let (status, body) = server
        .soap(
            GOV,
            envelope(&format!("<gov:updateConfigurations>{props}</gov:updateConfigurations>")),
            ("admin", "admin"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn add_tom(app: &App, email: Option<&str>) {
    let claims: Vec<(&str, &str)> = email.map(|e| (EMAIL, e)).into_iter().collect();
    crate::support::add_login_user(app, "tom", "Abcd@123", &claims);
}

fn claim(app: &App, user: &str, uri: &str) -> Option<String> {
    app.claim_value(&Actor::System, user, uri, "default").unwrap()
}

/// `getUserClaimValuesForClaims(tom, [accountLocked])[0]`, as WSO2's integration test reads the lock.
async fn locked_over_soap(server: &TestServer) -> String {
    let (status, body) = server.soap(
        RUS,
        envelope(&format!(
            "<ser:getUserClaimValuesForClaims><ser:userName>tom</ser:userName><ser:claims>{LOCKED}</ser:claims><ser:profileName>default</ser:profileName></ser:getUserClaimValuesForClaims>"
        )),
        ("admin", "admin"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let value = body
        .split("value>")
        .nth(1)
        .and_then(|v| v.split('<').next())
        .unwrap_or_default();
    value.to_string()
}

/// A server sending mail to a real SMTP server on `smtp_port`, with the worker's default pacing.
pub(crate) fn mailing_server(smtp_port: u16, extra: &str) -> TestServer {
    TestServer::start_with(&format!(
        "[output_adapter.email]\nhostname = \"127.0.0.1\"\nport = {smtp_port}\nfrom_address = \"iam@example.com\"\nenable_start_tls = false\nenable_authentication = false\n{extra}"
    ))
}

pub(crate) fn wait_for_messages(smtp: &SmtpServer, n: usize) -> Vec<String> {
    let start = Instant::now();
    loop {
        let messages = smtp.messages();
        if messages.len() >= n {
            return messages;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "waited for {n} message(s), have {}: {}",
            messages.len(),
            smtp.stderr_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn offline_mode_stores_the_otp_in_its_claim_and_sends_nothing() {
    let server = TestServer::start();
    add_tom(&server.app(), Some("tom@example.com"));
    enable(&server, &["Offline"]).await;
    let (status, body) = server.soap(UPM, seed_request(), ("admin", "admin")).await;
    assert_eq!((status, body.as_str()), (StatusCode::ACCEPTED, ""));
    assert_eq!(locked_over_soap(&server).await, "true");
    let app = server.app();
    let otp = claim(&app, "tom", OTP_CLAIM).expect("the OTP claim is set");
    assert!(
        otp.len() == 6 && otp.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
        "{otp}"
    );
    assert_eq!(
        claim(&app, "tom", "http://wso2.org/claims/identity/accountState").as_deref(),
        Some("PENDING_FUPR")
    );
    assert_eq!(
        claim(&app, "tom", "http://wso2.org/claims/identity/adminForcedPasswordReset"),
        None
    );
    assert!(
        app.store_for_tests()
            .read(TenantId::SUPER, |tx| tx.mails(0, 10))
            .unwrap()
            .is_empty(),
        "offline sends no mail"
    );
    // The old password no longer opens the admin services.
    let (status, body) = server.soap(UPM, seed_request(), ("tom", "Abcd@123")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("Authentication failed"), "{body}");
    // The OTP the admin reads is the one the reset accepts.
    assert!(matches!(
        app.check_reset_code("tom", &otp).unwrap(),
        CodeCheck::Valid { .. }
    ));
}

#[tokio::test]
async fn emailed_otp_mode_delivers_one_mail_with_the_otp_in_the_first_bold() {
    let Some(python) = smtp::python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let port = smtp::free_port();
    let smtp = SmtpServer::start(&python, dir.path(), port, &[]);
    let server = mailing_server(port, "");
    add_tom(&server.app(), Some("tom@example.com"));
    enable(&server, &["OTP"]).await;
    let (status, _) = server.soap(UPM, seed_request(), ("admin", "admin")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(locked_over_soap(&server).await, "true");

    let messages = wait_for_messages(&smtp, 1);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(smtp.messages().len(), 1, "exactly one message");
    let eml = &messages[0];
    assert_eq!(smtp::header(eml, "Subject"), Some("WSO2 - Admin Forced Password Reset"));
    assert_eq!(smtp::header(eml, "To"), Some("tom@example.com"));
    let otp = crate::support::first_bold(&smtp::body(eml));
    assert!(
        otp.len() == 6 && otp.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
        "{otp}"
    );
    assert!(matches!(
        server.app().check_reset_code("tom", &otp).unwrap(),
        CodeCheck::Valid { .. }
    ));
    assert_eq!(
        claim(&server.app(), "tom", OTP_CLAIM),
        None,
        "the emailed OTP is not readable in a claim"
    );
    let log = smtp.log();
    assert_eq!(log[0]["rcpt_tos"], serde_json::json!(["tom@example.com"]));
    // Once delivered, the OTP is nowhere in the database files in plain text (stored codes are HMACs).
    let start = Instant::now();
    while server
        .app()
        .store_for_tests()
        .read(TenantId::SUPER, |tx| tx.mails(0, 1))
        .unwrap()[0]
        .status
        != forcereset::store::MailStatus::Sent
    {
        assert!(start.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(20));
    }
    let dir = server.data_dir();
    let files = [
        forcereset::cli::DB_FILE.to_string(),
        format!("{}-wal", forcereset::cli::DB_FILE),
    ];
    let bytes: Vec<u8> = files
        .iter()
        .flat_map(|f| std::fs::read(dir.join(f)).unwrap_or_default())
        .collect();
    assert!(
        !bytes.windows(otp.len()).any(|w| w == otp.as_bytes()),
        "the OTP is stored in plain text"
    );
}

#[tokio::test]
async fn link_mode_mails_the_recovery_link_over_starttls_with_auth() {
    let Some(python) = smtp::python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let port = smtp::free_port();
    let smtp = SmtpServer::start_tls_auth(&python, dir.path(), port, "wso2iamtest", "Wso2@iam70");
    let server = TestServer::builder()
        .config(&format!(
            "[output_adapter.email]\nhostname = \"127.0.0.1\"\nport = {port}\nfrom_address = \"wso2iamtest@example.com\"\nusername = \"wso2iamtest\"\npassword = \"Wso2@iam70\"\nenable_start_tls = true\nenable_authentication = true\n"
        ))
        .forcereset("smtp_accept_invalid_certs", true)
        .start();
    add_tom(&server.app(), Some("tom@example.com"));
    enable(&server, &["RecoveryLink", "OTP", "Offline"]).await; // the link wins
    let (status, _) = server.soap(UPM, seed_request(), ("admin", "admin")).await;
    assert_eq!(status, StatusCode::ACCEPTED);

    let eml = wait_for_messages(&smtp, 1).remove(0);
    let body = smtp::body(&eml);
    let prefix = format!(
        "{}/accountrecoveryendpoint/confirmrecovery.do?confirmation=",
        server.https_url()
    );
    let start = body.find(&prefix).unwrap_or_else(|| panic!("no link in {body}"));
    let link = body[start..]
        .split(['"', '<', ' ', '\n', '\r'])
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let code = link[prefix.len()..].split('&').next().unwrap().to_string();
    assert_eq!(
        link,
        format!("{prefix}{code}&userstoredomain=PRIMARY&username=tom&tenantdomain=carbon.super")
    );
    // WSO2's link code: a v4 UUID (122 random bits), lower-case.
    assert!(
        code.len() == 36 && code.chars().nth(14) == Some('4') && code == code.to_lowercase(),
        "{code}"
    );
    assert!(
        matches!(server.app().check_reset_code("tom", &code).unwrap(), CodeCheck::Valid { scenario } if scenario.ends_with("EMAIL_LINK"))
    );
    assert_eq!(
        claim(&server.app(), "tom", OTP_CLAIM),
        None,
        "the link mode leaves no OTP claim"
    );
    let log = smtp.log();
    assert_eq!(
        (log[0]["tls"].clone(), log[0]["auth_user"].clone()),
        (serde_json::json!(true), serde_json::json!("wso2iamtest"))
    );
}

#[tokio::test]
async fn a_user_without_an_email_address_fails_atomically() {
    let server = TestServer::start();
    add_tom(&server.app(), None);
    enable(&server, &["OTP"]).await;
    let (status, body) = server.soap(UPM, seed_request(), ("admin", "admin")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("has no e-mail address"), "{body}");
    let app = server.app();
    assert_eq!(claim(&app, "tom", LOCKED), None, "not locked");
    assert!(
        app.store_for_tests()
            .read(TenantId::SUPER, |tx| tx.recovery_code("tom"))
            .unwrap()
            .is_none()
    );
    assert!(
        app.store_for_tests()
            .read(TenantId::SUPER, |tx| tx.mails(0, 10))
            .unwrap()
            .is_empty()
    );
    assert!(
        app.authenticate("tom", &Secret::new("Abcd@123")).is_ok(),
        "the password still works"
    );
}

#[tokio::test]
async fn resets_are_acknowledged_while_smtp_is_down_and_delivered_once_it_is_up() {
    let Some(python) = smtp::python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let port = smtp::free_port(); // nothing listens here yet
    let server = mailing_server(port, "");
    let app = server.app();
    enable(&server, &["OTP"]).await;
    for user in ["ann", "ben", "cat"] {
        app.add_user(
            &Actor::System,
            user,
            &Secret::new("Abcd@123"),
            &[],
            &[(EMAIL.into(), format!("{user}@example.com"))],
            "",
        )
        .unwrap();
        let body = String::from_utf8(seed_request())
            .unwrap()
            .replace(">tom<", &format!(">{user}<"));
        let started = Instant::now();
        let (status, _) = server.soap(UPM, body, ("admin", "admin")).await;
        assert_eq!(status, StatusCode::ACCEPTED, "acknowledged without SMTP");
        assert!(started.elapsed() < Duration::from_secs(2), "never blocked on SMTP");
    }
    let start = Instant::now();
    while app
        .store_for_tests()
        .read(TenantId::SUPER, |tx| tx.mails(0, 10))
        .unwrap()
        .iter()
        .any(|m| m.last_error.is_none())
    {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no delivery attempt recorded"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let smtp = SmtpServer::start(&python, dir.path(), port, &[]);
    // The worker's backoff starts at 2 s; a retry from the CLI (or console) makes them due at once.
    for mail in app
        .store_for_tests()
        .read(TenantId::SUPER, |tx| tx.mails(0, 10))
        .unwrap()
    {
        app.retry_mail(&Actor::System, mail.id).unwrap();
    }
    let messages = wait_for_messages(&smtp, 3);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(smtp.messages().len(), 3, "each queued mail delivered exactly once");
    let mut to: Vec<_> = messages
        .iter()
        .map(|m| smtp::header(m, "To").unwrap().to_string())
        .collect();
    to.sort();
    assert_eq!(to, ["ann@example.com", "ben@example.com", "cat@example.com"]);
}

#[tokio::test]
async fn set_user_claim_values_triggers_the_reset_like_set_user_profile() {
    let server = TestServer::start();
    add_tom(&server.app(), Some("tom@example.com"));
    enable(&server, &["Offline"]).await;
    let (status, body) = server.soap(
        RUS,
        envelope("<ser:setUserClaimValues><ser:userName>tom</ser:userName><ser:claims><ns:claimURI xmlns:ns=\"http://common.mgt.user.carbon.wso2.org/xsd\">http://wso2.org/claims/identity/adminForcedPasswordReset</ns:claimURI><ns:value xmlns:ns=\"http://common.mgt.user.carbon.wso2.org/xsd\">true</ns:value></ser:claims><ser:profileName>default</ser:profileName></ser:setUserClaimValues>"),
        ("admin", "admin"),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(locked_over_soap(&server).await, "true");
    assert!(claim(&server.app(), "tom", OTP_CLAIM).is_some());
}

#[test]
fn the_cli_forces_resets_one_by_one_or_in_bulk_and_lists_the_mailbox() {
    let ws = crate::support::Workspace::with_config(
        "[identity_mgt.password_reset_by_admin]\nenable_emailed_otp_based_reset = true\n",
    );
    ws.run(&["role", "add", "staff", "--permission", "/permission/admin/login"])
        .ok();
    for user in ["ann", "ben"] {
        ws.run(&[
            "user",
            "add",
            user,
            "--password",
            "Abcd@123",
            "--role",
            "staff",
            "--claim",
            &format!("{EMAIL}={user}@example.com"),
        ])
        .ok();
    }
    ws.run(&["user", "add", "cat", "--password", "Abcd@123", "--role", "staff"])
        .ok();
    let dry = ws
        .run(&["user", "force-reset", "--role", "staff", "--dry-run"])
        .ok()
        .to_string();
    assert!(dry.contains("3 user(s) would be reset"), "{dry}");
    // Issue 14: the dry run says how they would be reset.
    assert!(
        dry.contains("each by a one-time password by e-mail (Recovery.AdminPasswordReset.OTP)"),
        "{dry}"
    );
    let out = ws.run(&["user", "force-reset", "--role", "staff"]);
    assert_eq!(out.code(), Some(1), "cat has no address: {}", out.stdout);
    assert!(
        out.stdout.contains("2 reset, 1 failed") && out.stdout.contains("FAILED cat"),
        "{}",
        out.stdout
    );
    let one = ws.run(&["user", "force-reset", "ann"]).ok().to_string();
    // Issue 14: the CLI said "e-mailed" when the mail was only queued; with no SMTP server it stays in the mailbox.
    assert!(
        one.contains("one-time password e-mail to ann@example.com kept in the built-in mailbox as mail #"),
        "{one}"
    );
    let list = ws.run(&["mail", "list"]).ok().to_string();
    assert_eq!(list.matches("ann@example.com").count(), 2, "{list}");
    assert_eq!(list.matches("ben@example.com").count(), 1, "{list}");
    assert!(list.contains("mailbox"), "{list}");
}
