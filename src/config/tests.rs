//! Unit tests of deployment.toml loading: defaults, value forms, unknown-key warnings, errors and `config check`.

use super::raw::MASK;
use super::*;
use crate::domain::password::DEFAULT_PASSWORD_REGEX;
use crate::domain::profile::Wso2Version;
use crate::domain::profile::store::UserStoreType;
use toml::Table;

fn parse(text: &str) -> Loaded {
    match Config::from_toml_str(text, "deployment.toml") {
        Ok(loaded) => loaded,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

/// The error for `text`, checked to name `key`; returns its Display.
fn error_for(text: &str, key: &str) -> String {
    match Config::from_toml_str(text, "deployment.toml") {
        Ok(_) => panic!("expected an error for {key}"),
        Err(e) => {
            match &e {
                ConfigError::Invalid { key: k, path, .. } => {
                    assert_eq!(k, key, "{e}");
                    assert_eq!(path, "deployment.toml");
                }
                other => panic!("expected Invalid, got {other}"),
            }
            let shown = e.to_string();
            assert!(shown.starts_with(&format!("deployment.toml: {key}: ")), "{shown}");
            shown
        }
    }
}

#[test]
fn empty_file_gives_defaults() {
    let loaded = parse("");
    assert!(loaded.warnings.is_empty());
    assert_eq!(loaded.config, Config::defaults());
    let d = Config::defaults();
    assert_eq!(d.server.hostname, "localhost");
    assert_eq!(d.server.https_port(), 9443);
    assert_eq!(d.effective_http_port(), 9763);
    assert_eq!(d.super_admin.password.expose(), "admin");
    assert_eq!(d.email.hostname, None);
    assert_eq!(d.email.port, 587);
    assert_eq!(d.password_reset_by_admin.code_validity_minutes, 1440);
    assert_eq!(d.user_store.password_java_regex, DEFAULT_PASSWORD_REGEX);
    assert_eq!(d.emulator.data_dir, PathBuf::from("./data"));
    assert_eq!(d.product_url(), "https://localhost:9443");
}

#[test]
fn shipped_deployment_toml_parses_without_warnings() {
    let loaded = parse(include_str!("../../deployment.toml"));
    assert_eq!(loaded.warnings, Vec::<String>::new());
    let c = loaded.config;
    assert!(c.admin_service_wsdl_enable);
    assert_eq!(c.email.hostname, None);
    assert!(c.super_admin.create_admin_account);
    assert_eq!(c.password_reset_by_admin.code_validity_minutes, 1440);
    assert!(!c.password_reset_by_admin.enable_emailed_link_based_reset);
    assert!(!c.basic_auth.show_auth_failure_reason);
    assert!(
        c.account_lock.enable_account_locking,
        "the shipped file turns on what a fresh WSO2 leaves off"
    );
    assert_eq!(c.account_lock.auto_unlock_time_increment_ratio, 2);
    assert_eq!(c.emulator.data_dir, PathBuf::from("./data"));
}

#[test]
fn wso2_style_file_warns_once_per_ignored_table() {
    let loaded = parse(
        r#"
        [server]
        hostname = "is.example.com"
        node_ip = "127.0.0.1"

        [super_admin]
        username = "root"
        password = "s3cret!"
        admin_role = "admin"

        [user_store]
        type = "database_unique_id"
        password_java_regex = '^[\S]{8,30}$'

        [database.identity_db]
        type = "h2"
        url = "jdbc:h2:./repository/database/WSO2IDENTITY_DB"

        [keystore.primary]
        file_name = "wso2carbon.jks"
        password = "wso2carbon"

        [[event_handler]]
        name = "x"

        [[event_handler]]
        name = "y"

        [tenant_mgt]

        [output_adapter.email]
        hostname = "smtp.example.com"
        username = "mailer"
        password = "smtp-pass"
        port = "2525"
        "#,
    );
    // Issue 14: one line per table forcereset ignores (not one per key), and WSO2 keys of our own tables that we do
    // not emulate noted per table.
    assert_eq!(
        loaded.warnings,
        [
            "deployment.toml: [server] node_ip: WSO2 key forcereset does not emulate, ignored",
            "deployment.toml: [super_admin] admin_role: WSO2 key forcereset does not emulate, ignored",
            "deployment.toml: [database.identity_db] is not implemented by forcereset; its 2 keys are ignored",
            "deployment.toml: [keystore.primary] is not implemented by forcereset; its 2 keys are ignored",
            "deployment.toml: [tenant_mgt] is not implemented by forcereset, ignored",
            "deployment.toml: [[event_handler]] name = \"x\", \"y\": forcereset emulates only the `passwordExpiry` \
             handler; ignored",
        ],
        "{:#?}",
        loaded.warnings
    );
    let c = loaded.config;
    assert_eq!(c.server.hostname, "is.example.com");
    assert_eq!(c.super_admin.username, "root");
    assert_eq!(c.user_store.password_java_regex, r"^[\S]{8,30}$");
    assert_eq!(
        c.user_store.store_type,
        UserStoreType::DatabaseUniqueId,
        "a type we emulate is read, not warned"
    );
    assert_eq!(c.email.hostname.as_deref(), Some("smtp.example.com"));
    assert_eq!(c.email.port, 2525);
    assert_eq!(c.email.signature, "mailer");
    assert_eq!(c.email.reply_to, c.email.from_address);
}

#[test]
fn unknown_quoted_keys_are_shown_quoted() {
    let loaded = parse("[system_parameter]\n\"a.b\" = 1\n");
    assert_eq!(
        loaded.warnings,
        vec!["deployment.toml: [system_parameter] is not implemented by forcereset; its key is ignored"]
    );
    let shown = error_for("[server]\n\"a.b\" = 1\n", "server.\"a.b\"");
    assert!(shown.contains("unknown key"), "{shown}");
}

/// Issue 14: a typo in a table forcereset implements is an error naming the nearest key or table (it used to be
/// one warning among many); a real WSO2 file still starts.
#[test]
fn typos_in_our_tables_are_errors_with_the_nearest_name() {
    assert_eq!(
        error_for("[server]\nofset = 1\n", "server.ofset"),
        "deployment.toml: server.ofset: unknown key; did you mean `offset`?"
    );
    assert_eq!(
        error_for(
            "[identity_mgt.password_reset_by_admn]\nenable_offline_otp_based_reset = true\n",
            "identity_mgt.password_reset_by_admn"
        ),
        "deployment.toml: identity_mgt.password_reset_by_admn: unknown table; did you mean \
         [identity_mgt.password_reset_by_admin]?"
    );
    assert_eq!(
        error_for("[sever]\noffset = 1\n", "sever"),
        "deployment.toml: sever: unknown table; did you mean [server]?"
    );
    let far = error_for("[forcereset]\nzzz = 1\n", "forcereset.zzz");
    assert!(far.contains("unknown key; [forcereset] has "), "{far}");
    // WSO2's own 5.11 deployment.toml, as shipped (product-is v5.11.0).
    let wso2 = parse(WSO2_5_11);
    assert_eq!(wso2.config.user_store.store_type, UserStoreType::ReadWriteLdapUniqueId);
    assert_eq!(wso2.warnings.len(), 8, "31 lines before issue 14: {:#?}", wso2.warnings);
}

/// The shipped deployment.toml of WSO2 IS 5.11.0 (product-is v5.11.0, modules/distribution/src/repository/
/// resources/conf/deployment.toml), its settings.
const WSO2_5_11: &str = r#"
[server]
hostname = "localhost"
node_ip = "127.0.0.1"
base_path = "https://$ref{server.hostname}:${carbon.management.port}"

[super_admin]
username = "admin"
password = "admin"
create_admin_account = true

[user_store]
type = "read_write_ldap_unique_id"
connection_url = "ldap://localhost:${Ports.EmbeddedLDAP.LDAPServerPort}"
connection_name = "uid=admin,ou=system"
connection_password = "admin"
base_dn = "dc=wso2,dc=org"

[database.identity_db]
type = "h2"
url = "jdbc:h2:./repository/database/WSO2IDENTITY_DB;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=60000"
username = "wso2carbon"
password = "wso2carbon"

[database.shared_db]
type = "h2"
url = "jdbc:h2:./repository/database/WSO2SHARED_DB;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=60000"
username = "wso2carbon"
password = "wso2carbon"

[keystore.primary]
file_name = "wso2carbon.jks"
password = "wso2carbon"

[truststore]
file_name="client-truststore.jks"
password="wso2carbon"
type="JKS"

[account_recovery.endpoint.auth]
hash= "66cd9688a2ae068244ea01e70f0e230f5623b7fa4cdecb65070a09ec06452262"

[identity.auth_framework.endpoint]
app_password= "dashboard"
"#;

#[test]
fn offset_as_integer_or_string() {
    let c = parse("[server]\noffset = 1\n").config;
    assert_eq!(c.server.offset, 1);
    assert_eq!(c.server.https_port(), 9444);
    assert_eq!(c.server.http_port(), 9764);
    assert_eq!(parse("[server]\noffset = \"1\"\n").config.server.offset, 1);
    assert_eq!(parse("[server]\noffset = 55000\n").config.server.offset, 55000);
}

#[test]
fn bad_offset_names_the_key() {
    let shown = error_for("[server]\noffset = \"abc\"\n", "server.offset");
    assert_eq!(
        shown,
        "deployment.toml: server.offset: expected an integer from 0 to 55000, found string \"abc\""
    );
    error_for("[server]\noffset = 55001\n", "server.offset");
    error_for("[server]\noffset = -1\n", "server.offset");
    error_for("[server]\noffset = 1.5\n", "server.offset");
    error_for("[server]\noffset = true\n", "server.offset");
    error_for("server = 5\n", "server");
}

#[test]
fn code_validity_period_variants() {
    let minutes = |v: &str| {
        parse(&format!(
            "[identity_mgt.password_reset_by_admin]\ncode_validity_period = {v}\n"
        ))
        .config
        .password_reset_by_admin
        .code_validity_minutes
    };
    assert_eq!(minutes("\"1440m\""), 1440);
    assert_eq!(minutes("\"24h\""), 1440);
    assert_eq!(minutes("\"1d\""), 1440);
    assert_eq!(minutes("\"1440\""), 1440);
    assert_eq!(minutes("60"), 60);
    assert_eq!(minutes("\"-1\""), -1);
    assert_eq!(minutes("-1"), -1);
    let key = "identity_mgt.password_reset_by_admin.code_validity_period";
    let shown = error_for(
        "[identity_mgt.password_reset_by_admin]\ncode_validity_period = \"abc\"\n",
        key,
    );
    assert!(shown.contains("found string \"abc\""), "{shown}");
    error_for(
        "[identity_mgt.password_reset_by_admin]\ncode_validity_period = \"99999999999d\"\n",
        key,
    );
    error_for(
        "[identity_mgt.password_reset_by_admin]\ncode_validity_period = true\n",
        key,
    );
}

#[test]
fn basic_auth_params_accept_string_booleans() {
    let c = parse(
        "[authentication.authenticator.basic.parameters]\n\
         showAuthFailureReason = \"true\"\n\
         maskAdminForcedPasswordResetErrorCode = true\n",
    )
    .config;
    assert!(c.basic_auth.show_auth_failure_reason);
    assert!(c.basic_auth.mask_admin_forced_password_reset_error_code);
    let c = parse(
        "[authentication.authenticator.basic.parameters]\n\
         showAuthFailureReason = \"false\"\n\
         maskAdminForcedPasswordResetErrorCode = false\n",
    )
    .config;
    assert!(!c.basic_auth.show_auth_failure_reason);
    assert!(!c.basic_auth.mask_admin_forced_password_reset_error_code);
    let shown = error_for(
        "[authentication.authenticator.basic.parameters]\nshowAuthFailureReason = \"yes\"\n",
        "authentication.authenticator.basic.parameters.showAuthFailureReason",
    );
    assert!(
        shown.ends_with("expected true or false, found string \"yes\""),
        "{shown}"
    );
}

#[test]
fn invalid_regex_names_the_key() {
    let shown = error_for(
        "[user_store]\npassword_java_regex = \"^[a-z\"\n",
        "user_store.password_java_regex",
    );
    assert!(shown.contains("regular expression"), "{shown}");
    error_for(
        "[user_store]\nusername_java_regex = \"(\"\n",
        "user_store.username_java_regex",
    );
}

#[test]
fn tls_certificate_needs_its_key() {
    let table = "[transport.https.sslHostConfig.certificate]\n";
    let c = parse(&format!(
        "{table}certificate_file = \"cert.pem\"\ncertificate_key_file = \"key.pem\"\n"
    ))
    .config;
    let pair = c.tls.as_ref();
    assert_eq!(pair.map(|p| &p.certificate_path), Some(&PathBuf::from("cert.pem")));
    assert_eq!(pair.map(|p| &p.private_key_path), Some(&PathBuf::from("key.pem")));
    error_for(
        &format!("{table}certificate_file = \"cert.pem\"\n"),
        "transport.https.sslHostConfig.certificate.certificate_key_file",
    );
    error_for(
        &format!("{table}certificate_key_file = \"key.pem\"\n"),
        "transport.https.sslHostConfig.certificate.certificate_file",
    );
    error_for(
        &format!("{table}certificate_file = \"\"\ncertificate_key_file = \"key.pem\"\n"),
        "transport.https.sslHostConfig.certificate.certificate_file",
    );
}

#[test]
fn emulator_keys_are_validated() {
    let c = parse(
        "[forcereset]\nbind_address = \"0.0.0.0\"\nhttps_port = 0\nhttp_port = 0\notp_length = 8\n\
         otp_alphabet = \"0123456789\"\nmax_request_body_bytes = 2048\nemail_templates = \"t.xml\"\n\
         read_timeout_seconds = 2\n",
    )
    .config;
    assert_eq!(c.emulator.read_timeout_seconds, 2);
    assert_eq!(c.emulator.bind_address, "0.0.0.0");
    assert_eq!(c.effective_https_port(), 0);
    assert_eq!(c.emulator.http_port, Some(0));
    assert_eq!(c.emulator.otp_length, 8);
    assert_eq!(c.emulator.max_request_body_bytes, 2048);
    assert_eq!(c.emulator.email_templates, Some(PathBuf::from("t.xml")));
    error_for(
        "[forcereset]\nbind_address = \"localhost\"\n",
        "forcereset.bind_address",
    );
    error_for(
        "[forcereset]\nenable_https = false\nenable_http = false\n",
        "forcereset.enable_http",
    );
    error_for(
        "[forcereset]\nhttps_port = 8000\nhttp_port = 8000\n",
        "forcereset.http_port",
    );
    error_for("[forcereset]\notp_length = 3\n", "forcereset.otp_length");
    error_for(
        "[forcereset]\notp_alphabet = \"ABCDEFGHI\"\n",
        "forcereset.otp_alphabet",
    );
    error_for(
        "[forcereset]\notp_alphabet = \"AABCDEFGHIJ\"\n",
        "forcereset.otp_alphabet",
    );
    error_for(
        "[forcereset]\notp_alphabet = \"ABCDEFGHIJ-\"\n",
        "forcereset.otp_alphabet",
    );
    error_for("[forcereset]\nmax_otp_attempts = 0\n", "forcereset.max_otp_attempts");
    error_for(
        "[forcereset]\nmax_request_body_bytes = 100\n",
        "forcereset.max_request_body_bytes",
    );
    error_for(
        "[forcereset]\nsmtp_timeout_seconds = 601\n",
        "forcereset.smtp_timeout_seconds",
    );
    error_for(
        "[forcereset]\nread_timeout_seconds = 0\n",
        "forcereset.read_timeout_seconds",
    );
    error_for("[forcereset]\ndata_dir = \"\"\n", "forcereset.data_dir");
    error_for(
        "[identity_mgt.account_locking]\nallowed_failed_attempts = 0\n",
        "identity_mgt.account_locking.allowed_failed_attempts",
    );
    error_for(
        "[output_adapter.email]\nhostname = \"smtp.example.com\"\n",
        "output_adapter.email.username",
    );
    error_for("[output_adapter.email]\nport = 0\n", "output_adapter.email.port");
}

#[test]
fn account_locking_reads_durations() {
    let c = parse(
        "[identity_mgt.account_locking]\nenable_account_locking = true\nallowed_failed_attempts = 3\nauto_unlock_after = \"1h\"\n\
         auto_unlock_time_increment_ratio = \"3\"\n",
    )
    .config;
    assert!(c.account_lock.enable_account_locking);
    assert_eq!(c.account_lock.allowed_failed_attempts, 3);
    assert_eq!(c.account_lock.auto_unlock_after_minutes, 60);
    assert_eq!(c.account_lock.auto_unlock_time_increment_ratio, 3);
    error_for(
        "[identity_mgt.account_locking]\nauto_unlock_time_increment_ratio = 0\n",
        "identity_mgt.account_locking.auto_unlock_time_increment_ratio",
    );
}

/// A fresh WSO2 does not lock accounts (identity-event default.json: `account.lock.handler…enable` false, 5 attempts,
/// 5 minutes, ratio 2); nor does forcereset without the key.
#[test]
fn account_locking_is_off_by_default_as_in_wso2() {
    let lock = Config::defaults().account_lock;
    assert!(!lock.enable_account_locking);
    assert_eq!(
        (
            lock.allowed_failed_attempts,
            lock.auto_unlock_after_minutes,
            lock.auto_unlock_time_increment_ratio
        ),
        (5, 5, 2)
    );
}

#[test]
fn the_basic_authenticator_s_other_parameters_are_read() {
    let d = Config::defaults().basic_auth;
    assert!(d.check_account_exist, "identity.xml CheckAccountExist defaults to true");
    assert!(!d.mask_user_not_exists_error_code && !d.show_auth_failure_reason_on_login_page);
    assert!(d.error_params_to_omit.is_empty());
    let c = parse(
        "[authentication.authenticator.basic.parameters]\n\
         maskUserNotExistsErrorCode = true\n\
         errorParamsToOmit = \"failedUsername, remainingAttempts\"\n\
         showAuthFailureReasonOnLoginPage = \"true\"\n\
         [authentication_policy]\ncheck_account_exist = false\n",
    );
    assert_eq!(c.warnings, Vec::<String>::new());
    let b = c.config.basic_auth;
    assert!(b.mask_user_not_exists_error_code && b.show_auth_failure_reason_on_login_page);
    assert_eq!(b.error_params_to_omit, ["failedUsername", "remainingAttempts"]);
    assert!(!b.check_account_exist);
}

#[test]
fn syntax_errors_are_reported() {
    match Config::from_toml_str("[server\n", "deployment.toml") {
        Err(ConfigError::Syntax { path, .. }) => assert_eq!(path, "deployment.toml"),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

const WITH_SECRETS: &str = r#"
    [super_admin]
    password = "AdminPa55word!"

    [output_adapter.email]
    hostname = "smtp.example.com"
    username = "mailer"
    password = "SmtpPa55word!"
"#;

#[test]
fn debug_never_shows_passwords() {
    let loaded = parse(WITH_SECRETS);
    assert_eq!(loaded.config.super_admin.password.expose(), "AdminPa55word!");
    assert_eq!(loaded.config.email.password.expose(), "SmtpPa55word!");
    for shown in [
        format!("{:?}", loaded.config),
        format!("{loaded:?}"),
        format!("{:#?}", loaded.config),
    ] {
        assert!(!shown.contains("AdminPa55word!"), "{shown}");
        assert!(!shown.contains("SmtpPa55word!"), "{shown}");
    }
    let shown = error_for("[super_admin]\npassword = 12345\n", "super_admin.password");
    assert!(!shown.contains("12345"), "{shown}");
}

#[test]
fn render_masked_hides_passwords_and_round_trips() {
    let mut config = parse(WITH_SECRETS).config;
    config.tls = Some(PemPair {
        certificate_path: PathBuf::from("c.pem"),
        private_key_path: PathBuf::from("k.pem"),
    });
    config.emulator.https_port = Some(0);
    config.emulator.email_templates = Some(PathBuf::from("templates.xml"));
    config.password_reset_by_admin.code_validity_minutes = -1;
    let text = config.render_masked();
    assert!(!text.contains("AdminPa55word!"), "{text}");
    assert!(!text.contains("SmtpPa55word!"), "{text}");
    assert_eq!(text.matches("password = \"********\"").count(), 2, "{text}");
    assert!(text.parse::<Table>().is_ok(), "{text}");

    let again = parse(&text);
    assert_eq!(again.warnings, Vec::<String>::new());
    let mut expected = config;
    expected.super_admin.password = Secret::new(MASK);
    expected.email.password = Secret::new(MASK);
    assert_eq!(again.config, expected);

    let defaults = Config::defaults();
    let again = parse(&defaults.render_masked());
    assert!(again.warnings.is_empty());
    assert_eq!(again.config.email.hostname, None);
    assert_eq!(again.config.tls, None);
}

#[test]
fn an_empty_known_table_is_not_an_unknown_key() {
    let loaded = parse("[forcereset]\n\n[admin_service.wsdl]\n\n[transport.https.sslHostConfig.certificate]\n");
    assert_eq!(loaded.warnings, Vec::<String>::new());
    assert_eq!(loaded.config, Config::defaults());
}

#[test]
fn a_date_time_is_neither_a_table_nor_a_string() {
    let shown = error_for("server = 1979-05-27\n", "server");
    assert!(shown.contains("expected a table, found date-time"), "{shown}");
    let shown = error_for("[server]\nhostname = 1979-05-27\n", "server.hostname");
    assert!(shown.contains("expected a string, found date-time"), "{shown}");
}

#[test]
fn render_masked_explains_what_is_not_set() {
    let text = Config::defaults().render_masked();
    for note in [
        "# Effective configuration.\n",
        "# hostname not set: e-mails go to the built-in mailbox only, no SMTP\n",
        "a self-signed certificate is used\n",
        "# https_port not set: 9443 + offset = 9443\n",
        "# http_port not set: 9763 + offset = 9763\n",
        "# email_templates not set: the embedded email-admin-config.xml is used\n",
    ] {
        assert!(text.contains(note), "{note} in\n{text}");
    }
    let mut config = Config::defaults();
    config.source = Some(PathBuf::from("/etc/forcereset/deployment.toml"));
    config.email.hostname = Some("smtp.example.com".to_string());
    let text = config.render_masked();
    assert!(
        text.starts_with("# Effective configuration read from /etc/forcereset/deployment.toml.\n"),
        "{text}"
    );
    assert!(!text.contains("hostname not set"), "{text}");
}

/// `[forcereset] wso2_version` picks the release (default 5.11, the seed's); the primary store defaults to that
/// release's; a store type forcereset does not emulate is one warning naming what stands in for it.
#[test]
fn the_release_and_the_user_store_type() {
    let d = Config::defaults();
    assert_eq!(d.emulator.wso2_version, Wso2Version::V5_11);
    assert_eq!(d.user_store.store_type, UserStoreType::ReadWriteLdapUniqueId);
    let c = parse("[forcereset]\nwso2_version = \"7.0\"\n").config;
    assert_eq!(c.emulator.wso2_version, Wso2Version::V7_0);
    assert_eq!(c.user_store.store_type, UserStoreType::DatabaseUniqueId);
    assert_eq!(
        parse("[forcereset]\nwso2_version = \"5.9.0\"\n")
            .config
            .emulator
            .wso2_version,
        Wso2Version::V5_9
    );
    let err = Config::from_toml_str("[forcereset]\nwso2_version = \"5.12\"\n", "deployment.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("forcereset.wso2_version"), "{err}");
    assert!(err.contains(r#"expected one of "5.9", "5.10", "5.11", "6.0""#), "{err}");
    let loaded = parse("[user_store]\ntype = \"active_directory_unique_id\"\n");
    assert_eq!(
        loaded.config.user_store.store_type,
        UserStoreType::ReadWriteLdapUniqueId
    );
    assert_eq!(
        loaded.warnings,
        [
            r#"deployment.toml: user_store.type "active_directory_unique_id" is not emulated; the primary store of a fresh WSO2 IS 5.11 (read_write_ldap_unique_id) stands in for it"#
        ]
    );
}

#[test]
fn the_password_expiry_handler_and_table_are_read() {
    let loaded = parse(
        r#"
        [identity_mgt.password_expiry]
        enable_password_expiry = true
        skip_if_no_applicable_rules = "true"

        [[event_handler]]
        name = "passwordExpiry"
        subscriptions = ["POST_UPDATE_CREDENTIAL", "POST_ADD_USER"]
        [event_handler.properties]
        passwordExpiryInDays = "45"
        enableDataPublishing = false
        priorReminderTimeInDays = "0"
        "#,
    );
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let e = &loaded.config.password_expiry;
    assert!(e.enable_password_expiry && e.skip_if_no_applicable_rules);
    assert_eq!(e.expiry_in_days, 45, "the handler's days win");
    let handler = e.event_handler.as_ref().expect("the handler");
    assert_eq!(handler.subscriptions, ["POST_UPDATE_CREDENTIAL", "POST_ADD_USER"]);
    let defaults = Config::defaults().password_expiry;
    assert!(defaults.event_handler.is_none() && !defaults.enable_password_expiry);
    assert_eq!(defaults.expiry_in_days, 30);
    let shown = error_for(
        "[[event_handler]]\nname = \"passwordExpiry\"\n[event_handler.properties]\npasswordExpiryInDays = \"soon\"\n",
        "event_handler.0.properties.passwordExpiryInDays",
    );
    assert!(shown.contains("expected an integer of at least 0"), "{shown}");
}
