//! Tenants end to end (issue 18): two tenants with the same user `tom` side by side, each reached under
//! `/t/{domain}/` by its own admin, nothing crossing between them; the rewrite valve's 404 and the 401 across
//! tenants on REST and SCIM.

use forcereset::app::{Actor, App, TenantSpec};
use forcereset::domain::secret::Secret;
use forcereset::domain::{claims, governance};
use forcereset::store::{TenantId, TenantRecord};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::scim::{PATCH_OP, call};
use crate::support::TestServer;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub(crate) const KIM_PASSWORD: &str = "Kim@12345";

pub(crate) fn add_tenant(app: &App, domain: &str) -> TenantRecord {
    app.add_tenant(
        &Actor::System,
        &TenantSpec {
            domain: domain.into(),
            admin: "kim".into(),
            password: Secret::new(KIM_PASSWORD),
            email: format!("kim@{domain}"),
            first_name: "Kim".into(),
            last_name: "Lee".into(),
        },
    )
    .unwrap()
}

/// `tom` in the tenant, with an e-mail address of the tenant's own, added by the tenant's admin.
fn add_tom(app: &App, domain: &str, password: &str) {
    let kim = app
        .authenticate(&format!("kim@{domain}"), &Secret::new(KIM_PASSWORD))
        .unwrap();
    app.add_user(
        &kim,
        "tom",
        &Secret::new(password),
        &[],
        &[(claims::EMAIL.to_string(), format!("tom@{domain}"))],
        "default",
    )
    .unwrap();
}

fn claim(app: &App, tenant: TenantId, user: &str, uri: &str) -> Option<String> {
    app.store_for_tests()
        .read(tenant, |tx| tx.claim_value(user, "default", uri))
        .unwrap()
}

/// Turn on exactly one reset mode, as the tenant's admin (stored in the tenant only).
fn enable(app: &App, domain: &str, mode: &str) {
    let kim = app
        .authenticate(&format!("kim@{domain}"), &Secret::new(KIM_PASSWORD))
        .unwrap();
    let values: Vec<(String, String)> = [governance::RECOVERY_LINK, governance::OTP, governance::OFFLINE]
        .iter()
        .map(|m| (m.to_string(), (*m == mode).to_string()))
        .collect();
    app.update_configurations(&kim, &values).unwrap();
}

#[tokio::test]
async fn rest_and_scim_run_in_the_url_s_tenant_and_refuse_every_other_tenant_s_user() {
    let server = TestServer::start_with("[forcereset]\nwso2_version = \"7.0\"\n");
    let app = server.app();
    let a = add_tenant(&app, "a.com");
    let b = add_tenant(&app, "b.com");
    add_tom(&app, "a.com", "A-tom@123");
    add_tom(&app, "b.com", "B-tom@123");
    let kim_a = ("kim@a.com", KIM_PASSWORD);
    let kim_b = ("kim@b.com", KIM_PASSWORD);

    // Each admin lists their own tenant's users, under their tenant's path.
    let names = |reply: &crate::scim::Reply| {
        let mut names: Vec<String> = reply.json()["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["userName"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    let listed = call(&server, Method::GET, "/t/a.com/scim2/Users", None, Some(kim_a)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(names(&listed), ["kim", "tom"]);
    let tom_a = listed.json()["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userName"] == "tom")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Their locations name the tenant, as WSO2's `SCIMCommonUtils` builds them.
    let location = listed.json()["Resources"][0]["meta"]["location"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        location.starts_with(&server.https("/t/a.com/scim2/Users/")),
        "{location}"
    );
    assert_eq!(
        listed_location_header(&server, &tom_a, kim_a).await,
        Some(server.https(&format!("/t/a.com/scim2/Users/{tom_a}")))
    );

    // Another tenant's user, or the super tenant's admin, is not authenticated there (401); nor is a tenant's
    // admin on the super tenant's plain path.
    for (path, who) in [
        ("/t/b.com/scim2/Users", kim_a),
        ("/t/a.com/scim2/Users", kim_b),
        ("/t/a.com/scim2/Users", ("admin", "admin")),
        ("/scim2/Users", kim_a),
        ("/t/b.com/api/server/v1/identity-governance", kim_a),
        ("/api/server/v1/identity-governance", kim_a),
    ] {
        let refused = call(&server, Method::GET, path, None, Some(who)).await;
        assert_eq!(
            refused.status,
            StatusCode::UNAUTHORIZED,
            "{path} as {}: {}",
            who.0,
            refused.text
        );
    }
    // B's tom is not reachable from A by its id either.
    let by_id = call(
        &server,
        Method::GET,
        &format!("/t/b.com/scim2/Users/{tom_a}"),
        None,
        Some(kim_b),
    )
    .await;
    assert_eq!(by_id.status, StatusCode::NOT_FOUND, "{}", by_id.text);

    // An unknown tenant: the rewrite valve's 404.
    let nowhere = call(&server, Method::GET, "/t/nope.com/scim2/Users", None, Some(kim_a)).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert_eq!(
        nowhere.json(),
        json!({ "code": 404, "message": "invalid tenant domain : nope.com", "description": "invalid tenant domain : nope.com" })
    );

    // A's governance, read and changed over REST under /t/a.com/: self links name the tenant; the change stays
    // in A.
    let categories = call(
        &server,
        Method::GET,
        "/t/a.com/api/server/v1/identity-governance",
        None,
        Some(kim_a),
    )
    .await;
    assert_eq!(categories.status, StatusCode::OK, "{}", categories.text);
    let links: Vec<String> = categories
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["self"].as_str().unwrap().to_string())
        .collect();
    assert!(
        links
            .iter()
            .all(|l| l.starts_with("/t/a.com/api/server/v1/identity-governance/")),
        "{links:?}"
    );
    enable(&app, "a.com", governance::OFFLINE);

    // The forced reset by SCIM PATCH in A: A's tom is locked with an OTP, B's tom and the super tenant untouched.
    let forced = call(
        &server,
        Method::PATCH,
        &format!("/t/a.com/scim2/Users/{tom_a}"),
        Some(json!({ "schemas": [PATCH_OP], "Operations": [
            { "op": "add", "value": { ENTERPRISE: { "forcePasswordReset": true } } }
        ] })),
        Some(kim_a),
    )
    .await;
    assert_eq!(forced.status, StatusCode::OK, "{}", forced.text);
    let user: Value = forced.json();
    assert_eq!(user[ENTERPRISE]["accountLocked"], json!(true), "{user}");
    assert_eq!(
        claim(&app, a.id, "tom", claims::ACCOUNT_LOCKED).as_deref(),
        Some("true")
    );
    assert!(claim(&app, a.id, "tom", claims::ONE_TIME_PASSWORD).is_some());
    assert_eq!(claim(&app, b.id, "tom", claims::ACCOUNT_LOCKED), None);
    assert_eq!(claim(&app, b.id, "tom", claims::ONE_TIME_PASSWORD), None);
    assert!(
        app.authenticate("tom@b.com", &Secret::new("B-tom@123")).is_ok(),
        "B's tom still signs in"
    );

    // B's governance was never changed: its admin forcing a reset there gets the same refusal as a fresh server.
    let b_resident = app
        .store_for_tests()
        .read(b.id, |tx| tx.governance_properties())
        .unwrap();
    assert!(b_resident.is_empty(), "{b_resident:?}");
}

/// The mails in a tenant's outbox, newest first, as (recipient, body).
fn mails(app: &App, tenant: TenantId) -> Vec<(String, String)> {
    app.store_for_tests()
        .read(tenant, |tx| tx.mails(0, 100))
        .unwrap()
        .into_iter()
        .map(|m| (m.recipient, m.body))
        .collect()
}

/// The admin forces `user`'s reset through the seed's SOAP call, as `admin` with Basic.
async fn force_over_soap(server: &TestServer, admin: &str, user: &str) {
    let body = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ser="http://service.ws.um.carbon.wso2.org" xmlns:xsd="http://common.mgt.user.carbon.wso2.org/xsd">
<soapenv:Body><ser:setUserClaimValues><ser:userName>{user}</ser:userName>
<ser:claims><xsd:claimURI>http://wso2.org/claims/identity/adminForcedPasswordReset</xsd:claimURI><xsd:value>true</xsd:value></ser:claims>
<ser:profileName>default</ser:profileName></ser:setUserClaimValues></soapenv:Body></soapenv:Envelope>"#
    );
    let (status, reply) = server
        .soap(
            "/services/RemoteUserStoreManagerService",
            body.into_bytes(),
            (admin, KIM_PASSWORD),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
}

#[tokio::test]
async fn two_toms_forced_in_different_modes_each_get_only_their_own_mail_otp_and_page() {
    let server = TestServer::start_with("[forcereset]\nwso2_version = \"7.0\"\n");
    let app = server.app();
    let a = add_tenant(&app, "a.com");
    let b = add_tenant(&app, "b.com");
    add_tom(&app, "a.com", "A-tom@123");
    add_tom(&app, "b.com", "B-tom@123");
    enable(&app, "a.com", governance::RECOVERY_LINK);
    enable(&app, "b.com", governance::OFFLINE);

    // Each admin forces their own tom, with the seed's SOAP call as `kim@<tenant>` on plain /services/.
    force_over_soap(&server, "kim@a.com", "tom").await;
    force_over_soap(&server, "kim@b.com", "tom").await;

    // A's tom got a link naming A, in A's outbox; B's outbox and the super tenant's hold nothing.
    let a_mails = mails(&app, a.id);
    assert_eq!(
        a_mails.len(),
        1,
        "A {a_mails:?} super {:?} locked {:?} audit {:?}",
        mails(&app, TenantId::SUPER),
        claim(&app, a.id, "tom", claims::ACCOUNT_LOCKED),
        app.store_for_tests().read(a.id, |tx| tx.audit_page(0, 10)).unwrap()
    );
    assert_eq!(a_mails[0].0, "tom@a.com");
    let link = crate::login::recovery_link(&a_mails[0].1);
    assert_eq!(
        crate::login::query(&link, "tenantdomain").as_deref(),
        Some("a.com"),
        "{link}"
    );
    assert_eq!(crate::login::query(&link, "username").as_deref(), Some("tom"), "{link}");
    assert!(mails(&app, b.id).is_empty());
    assert!(mails(&app, TenantId::SUPER).is_empty());
    // B's tom got an offline OTP, in B only.
    let otp = claim(&app, b.id, "tom", claims::ONE_TIME_PASSWORD).expect("B's OTP");
    assert_eq!(claim(&app, a.id, "tom", claims::ONE_TIME_PASSWORD), None);
    for (t, who) in [(a.id, "A"), (b.id, "B")] {
        assert_eq!(
            claim(&app, t, "tom", claims::ACCOUNT_LOCKED).as_deref(),
            Some("true"),
            "{who}'s tom is locked"
        );
    }

    // B's OTP opens nothing for A's tom, at A's page or at the root.
    let stranger = crate::web_client::Browser::new(&server);
    for page in [
        "/t/a.com/authenticationendpoint/login.do",
        "/authenticationendpoint/login.do",
    ] {
        let form = stranger.get(page).await;
        let answer = submit_login(&stranger, &form, "tom", &otp).await;
        assert!(
            !answer.location().contains("confirmrecovery.do"),
            "{page}: B's OTP must not open a reset: {}",
            answer.location()
        );
    }
    // A's link with B's domain, or without a tenant, checks nothing in A.
    let swapped = link.replace("tenantdomain=a.com", "tenantdomain=b.com");
    assert!(!stranger.get(&swapped).await.body.contains("Enter New Password"));
    let bare = link.replace("&tenantdomain=a.com", "");
    assert!(!stranger.get(&bare).await.body.contains("Enter New Password"));

    // A's tom follows A's link and sets a new password: A's tom unlocks, B's stays locked.
    let browser_a = crate::web_client::Browser::new(&server);
    let reset_page = browser_a.get(&link).await;
    assert!(reset_page.body.contains("Enter New Password"), "{}", reset_page.body);
    let done = submit_reset(&browser_a, &reset_page, "A-new@123").await;
    assert!(done.body.contains("Updated the password successfully"), "{}", done.body);
    assert_eq!(
        claim(&app, a.id, "tom", claims::ACCOUNT_LOCKED).as_deref(),
        Some("false")
    );
    assert_eq!(
        claim(&app, b.id, "tom", claims::ACCOUNT_LOCKED).as_deref(),
        Some("true")
    );
    assert!(app.authenticate("tom@a.com", &Secret::new("A-new@123")).is_ok());
    assert!(app.authenticate("tom@b.com", &Secret::new("A-new@123")).is_err());

    // B's tom signs in on B's page with the bare name and the OTP: the 17007 redirect stays in B and names it.
    let browser_b = crate::web_client::Browser::new(&server);
    let form = browser_b.get("/t/b.com/authenticationendpoint/login.do").await;
    assert!(
        crate::web_client::unescape(&form.body).contains("action=\"/t/b.com/commonauth\""),
        "{}",
        form.body
    );
    let answer = submit_login(&browser_b, &form, "tom", &otp).await;
    let to = answer.location().to_string();
    assert!(
        to.starts_with("/t/b.com/accountrecoveryendpoint/confirmrecovery.do?"),
        "{to}"
    );
    assert_eq!(
        crate::login::query(&to, "tenantdomain").as_deref(),
        Some("b.com"),
        "{to}"
    );
    let reset_page = browser_b.follow(&answer).await;
    assert!(reset_page.body.contains("Enter New Password"), "{}", reset_page.body);
    let done = submit_reset(&browser_b, &reset_page, "B-new@123").await;
    assert!(done.body.contains("Updated the password successfully"), "{}", done.body);
    assert_eq!(
        claim(&app, b.id, "tom", claims::ACCOUNT_LOCKED).as_deref(),
        Some("false")
    );
    assert_eq!(claim(&app, b.id, "tom", claims::ONE_TIME_PASSWORD), None);
    assert!(app.authenticate("tom@b.com", &Secret::new("B-new@123")).is_ok());
    // The typed `tom@b.com` at the root page signs in too.
    let root = crate::web_client::Browser::new(&server);
    let form = root.get("/authenticationendpoint/login.do").await;
    let answer = submit_login(&root, &form, "tom@b.com", "B-new@123").await;
    assert_eq!(answer.location(), "/dashboard", "{}", answer.body);
}

/// Fill in and submit a login page's form (its own action: the tenant's `commonauth` under `/t/`).
pub(crate) async fn submit_login(
    browser: &crate::web_client::Browser,
    page: &crate::web_client::Page,
    user: &str,
    password: &str,
) -> crate::web_client::Page {
    let action = crate::web_client::unescape(&crate::login::form_action(&page.body));
    let key = crate::web_client::input_value(&page.body, "sessionDataKey");
    browser
        .post(
            &action,
            &[
                ("sessionDataKey", key.as_str()),
                ("username", user),
                ("password", password),
            ],
        )
        .await
}

/// Submit a reset form with a new password (twice), its hidden fields as the page has them.
async fn submit_reset(
    browser: &crate::web_client::Browser,
    page: &crate::web_client::Page,
    password: &str,
) -> crate::web_client::Page {
    let mut fields = crate::login::hidden_fields(&page.body);
    fields.push(("reset-password".into(), password.into()));
    fields.push(("reset-password2".into(), password.into()));
    browser.post(&crate::login::form_action(&page.body), &fields).await
}

#[test]
fn the_command_line_acts_inside_a_tenant_with_tenant_and_refuses_an_unknown_one() {
    let ws = crate::support::Workspace::with_config(
        "[identity_mgt.password_reset_by_admin]\nenable_offline_otp_based_reset = true\n",
    );
    let added = ws
        .run(&[
            "tenant",
            "add",
            "a.com",
            "--admin",
            "kim",
            "--password",
            KIM_PASSWORD,
            "--email",
            "kim@a.com",
        ])
        .ok()
        .to_string();
    assert!(
        added.contains("domain:   a.com") && added.contains("admin:    kim@a.com"),
        "{added}"
    );
    let email = format!("{}=tom@a.com", claims::EMAIL);
    ws.run(&[
        "--tenant",
        "a.com",
        "user",
        "add",
        "tom",
        "--password",
        "A-tom@123",
        "--claim",
        &email,
    ])
    .ok();
    ws.run(&["user", "add", "tom", "--password", "S-tom@123"]).ok();
    // Each tenant lists its own users.
    let in_a = ws.run(&["--tenant", "a.com", "user", "list"]).ok().to_string();
    assert_eq!(in_a.lines().collect::<Vec<_>>(), ["kim", "tom"], "{in_a}");
    let in_super = ws.run(&["user", "list"]).ok().to_string();
    assert!(
        in_super.lines().any(|l| l == "admin") && !in_super.lines().any(|l| l == "kim"),
        "{in_super}"
    );
    // A forced reset from the command line touches A's tom only.
    let forced = ws
        .run(&["--tenant", "a.com", "user", "force-reset", "tom"])
        .ok()
        .to_string();
    assert!(forced.contains("one-time password stored"), "{forced}");
    let otp = |tenant: &[&str]| {
        let mut args = tenant.to_vec();
        args.extend(["claim", "get", "tom", claims::ONE_TIME_PASSWORD]);
        ws.run(&args)
    };
    assert!(!otp(&["--tenant", "a.com"]).ok().trim().is_empty());
    assert!(
        otp(&[]).status.code() != Some(0) || otp(&[]).stdout.trim().is_empty(),
        "the super tenant's tom has no OTP"
    );
    // Tenant management stays the super tenant's; an unknown or deactivated tenant is one line and exit 1.
    let denied = ws.run(&["--tenant", "a.com", "tenant", "list"]);
    assert_eq!(denied.code(), Some(1), "{}", denied.stderr);
    let unknown = ws.run(&["--tenant", "nope.com", "user", "list"]);
    assert_eq!(unknown.code(), Some(1));
    assert_eq!(unknown.fails().lines().count(), 1, "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains("no active tenant \"nope.com\""),
        "{}",
        unknown.stderr
    );
    ws.run(&["tenant", "deactivate", "a.com"]).ok();
    assert_eq!(ws.run(&["--tenant", "a.com", "user", "list"]).code(), Some(1));
    assert_eq!(
        ws.run(&["tenant", "list"]).ok().to_string(),
        "1\ta.com\tinactive\n-1234\tcarbon.super\tactive\n",
        "by domain"
    );
}

/// The `Location` of a SCIM PUT of a user of a.com, under the tenant's path (WSO2 answers every write with it).
async fn listed_location_header(server: &TestServer, id: &str, who: (&str, &str)) -> Option<String> {
    let doc = call(
        server,
        Method::GET,
        &format!("/t/a.com/scim2/Users/{id}"),
        None,
        Some(who),
    )
    .await
    .json();
    let put = call(
        server,
        Method::PUT,
        &format!("/t/a.com/scim2/Users/{id}"),
        Some(json!({ "schemas": doc["schemas"], "userName": doc["userName"] })),
        Some(who),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    put.header("location").map(str::to_string)
}

#[tokio::test]
async fn the_emailed_otp_reset_runs_inside_a_tenant_from_soap_to_its_own_login_page() {
    // The third seed flow (the other two: two_toms_forced_in_different_modes_…), on the release whose 17007
    // redirect carries a relative callback, 5.11.
    let server = TestServer::start_with("[forcereset]\nwso2_version = \"5.11\"\n");
    let app = server.app();
    let a = add_tenant(&app, "a.com");
    add_tom(&app, "a.com", "A-tom@123");
    enable(&app, "a.com", governance::OTP);
    force_over_soap(&server, "kim@a.com", "tom").await;

    let sent = mails(&app, a.id);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, "tom@a.com");
    let otp = crate::support::first_bold(&sent[0].1);
    assert!(mails(&app, TenantId::SUPER).is_empty());

    let browser = crate::web_client::Browser::new(&server);
    let form = browser.get("/t/a.com/authenticationendpoint/login.do").await;
    let answer = submit_login(&browser, &form, "tom", &otp).await;
    let to = answer.location().to_string();
    assert!(
        to.starts_with("/t/a.com/accountrecoveryendpoint/confirmrecovery.do?"),
        "{to}"
    );
    assert_eq!(
        crate::login::query(&to, "tenantdomain").as_deref(),
        Some("a.com"),
        "{to}"
    );
    let callback = crate::login::query(&to, "callback").expect("5.11's callback");
    assert!(
        callback.starts_with("/t/a.com/authenticationendpoint/login.do?"),
        "{callback}"
    );
    let reset_page = browser.follow(&answer).await;
    assert!(reset_page.body.contains("Enter New Password"), "{}", reset_page.body);
    let done = submit_reset(&browser, &reset_page, "A-new@123").await;
    assert!(done.body.contains("Updated the password successfully"), "{}", done.body);
    assert_eq!(
        claim(&app, a.id, "tom", claims::ACCOUNT_LOCKED).as_deref(),
        Some("false")
    );

    // Back on the tenant's page, the bare name and the new password sign in to the dashboard.
    let form = browser.get("/t/a.com/authenticationendpoint/login.do").await;
    let signed_in = submit_login(&browser, &form, "tom", "A-new@123").await;
    assert_eq!(signed_in.location(), "/dashboard", "{}", signed_in.body);
    let dashboard = browser.follow(&signed_in).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body.contains("tom"), "{}", dashboard.body);
}
