//! SOAP and tenants: TenantMgtAdminService (golden fixtures, WSO2's own add-or-activate client ported), tenant
//! admins driving the admin services in their own tenant, and KERNEL's tenant checks in their order: bad
//! credentials (50977), a tenant-qualified URL of another tenant (50977 mismatch), a super-tenant service
//! (`WSO2CarbonTenantAuthorizationFailure`), the permission (50978).

use forcereset::app::Actor;
use reqwest::StatusCode;

use crate::soap::{Req, fixtures, golden};
use crate::support::TestServer;

const TMS: &str = "/services/TenantMgtAdminService";
const RUS: &str = "/services/RemoteUserStoreManagerService";
const GOV: &str = "/services/IdentityGovernanceAdminService";
const LOCKED: &str = "http://wso2.org/claims/identity/accountLocked";
const FORCED: &str = "http://wso2.org/claims/identity/adminForcedPasswordReset";
const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";

fn envelope(payload: &str) -> String {
    format!(
        r#"<soapenv:Envelope xmlns:soapenv="{SOAP11}" xmlns:ten="http://services.mgt.tenant.carbon.wso2.org" xmlns:bean="http://beans.common.stratos.carbon.wso2.org/xsd" xmlns:ser="http://service.ws.um.carbon.wso2.org" xmlns:xsd="http://common.mgt.user.carbon.wso2.org/xsd" xmlns:gov="http://governance.identity.carbon.wso2.org" xmlns:xsd1="http://model.common.application.identity.carbon.wso2.org/xsd"><soapenv:Header/><soapenv:Body>{payload}</soapenv:Body></soapenv:Envelope>"#
    )
}

fn add_tenant(domain: &str, admin: &str, password: &str) -> String {
    envelope(&format!(
        "<ten:addTenant><ten:tenantInfoBean><bean:active>true</bean:active><bean:admin>{admin}</bean:admin><bean:adminPassword>{password}</bean:adminPassword><bean:email>{admin}@{domain}</bean:email><bean:firstname>Kim</bean:firstname><bean:lastname>Lee</bean:lastname><bean:tenantDomain>{domain}</bean:tenantDomain></ten:tenantInfoBean></ten:addTenant>"
    ))
}

fn by_domain(op: &str, domain: &str) -> String {
    envelope(&format!(
        "<ten:{op}><ten:tenantDomain>{domain}</ten:tenantDomain></ten:{op}>"
    ))
}

fn add_user(name: &str) -> String {
    envelope(&format!(
        "<ser:addUser><ser:userName>{name}</ser:userName><ser:credential>Abcd@123</ser:credential><ser:claims><xsd:claimURI>http://wso2.org/claims/emailaddress</xsd:claimURI><xsd:value>{name}@example.com</xsd:value></ser:claims><ser:profileName>default</ser:profileName><ser:requirePasswordChange>false</ser:requirePasswordChange></ser:addUser>"
    ))
}

/// The seed flow's forced reset, as `setUserClaimValues`.
fn force_reset(name: &str) -> String {
    envelope(&format!(
        "<ser:setUserClaimValues><ser:userName>{name}</ser:userName><ser:claims><xsd:claimURI>{FORCED}</xsd:claimURI><xsd:value>true</xsd:value></ser:claims><ser:profileName>default</ser:profileName></ser:setUserClaimValues>"
    ))
}

fn offline_mode_on() -> String {
    envelope(
        "<gov:updateConfigurations><gov:configurations><xsd1:name>Recovery.AdminPasswordReset.Offline</xsd1:name><xsd1:value>true</xsd1:value></gov:configurations></gov:updateConfigurations>",
    )
}

/// A claim of a user of one tenant, read as that tenant's admin would.
fn claim(server: &TestServer, domain: &str, admin: &str, user: &str, uri: &str) -> Option<String> {
    let app = server.app();
    let tenant = app.resolve_tenant(domain).unwrap().expect("tenant");
    let actor: Actor = app.actor_for(tenant.id, admin).unwrap().expect("admin");
    app.claim_value(&actor, user, uri, "default").unwrap()
}

fn exists(server: &TestServer, domain: &str, admin: &str, user: &str) -> bool {
    let app = server.app();
    let tenant = app.resolve_tenant(domain).unwrap().expect("tenant");
    let actor: Actor = app.actor_for(tenant.id, admin).unwrap().expect("admin");
    app.user_exists(&actor, user).unwrap()
}

/// Replay the service's fixtures in an order that makes each meaningful: the domain is free, then added, read
/// (and an unknown one read), listed, deactivated, activated, and "deleted" (a no-op).
#[tokio::test]
async fn golden_tenant_mgt_replay() {
    let server = TestServer::start();
    let base = server.https_url();
    let order = [
        "checkDomainAvailability",
        "addTenant",
        "getTenant",
        "getTenant.unknown",
        "retrieveTenants",
        "retrievePaginatedTenants",
        "deactivateTenant",
        "activateTenant",
        "deleteTenant",
    ];
    let dir = fixtures().join("TenantMgtAdminService");
    let on_disk = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".request.xml")
        })
        .count();
    assert_eq!(on_disk, order.len(), "every fixture is replayed");
    for name in order {
        let request = dir.join(format!("{name}.request.xml"));
        let answer = Req::new(TMS, std::fs::read(&request).unwrap()).send(&base).await;
        golden(&request, &answer);
    }
    // The golden answers above, checked for what matters beyond bytes.
    let app = server.app();
    let abc = app
        .resolve_tenant("abc.com")
        .unwrap()
        .expect("abc.com added and active again");
    let kim = app.actor_for(abc.id, "kim").unwrap().expect("the tenant admin");
    assert_eq!(kim.tenant(), abc.id);
    assert!(
        app.authenticate("kim@abc.com", &forcereset::domain::secret::Secret::new("Kim@1234"))
            .is_ok()
    );
}

/// A port of WSO2's `TenantManagementServiceClient.addTenant` (product-is v5.11.0
/// `modules/integration/tests-common/admin-clients/src/main/java/org/wso2/identity/integration/common/clients/TenantManagementServiceClient.java`):
/// `getTenant`; `addTenant` when the bean's `tenantId` is 0; `activateTenant` when it is inactive. Run twice, and
/// once more after a deactivation: the tenant is added once and ends active each time.
#[tokio::test]
async fn wso2_test_client_add_or_activate_sequence() {
    let server = TestServer::start();
    let base = server.https_url();
    async fn ensure(base: &str, domain: &str) -> (bool, bool) {
        let got = Req::new(TMS, by_domain("getTenant", domain)).send(base).await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.body);
        let id: i64 = got
            .body
            .split("tenantId>")
            .nth(1)
            .and_then(|v| v.split('<').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no tenantId in {}", got.body));
        let mut added = false;
        if id == 0 {
            let made = Req::new(TMS, add_tenant(domain, "admin", "Admin@123")).send(base).await;
            assert_eq!(made.status, StatusCode::OK, "{}", made.body);
            added = true;
        }
        let got = Req::new(TMS, by_domain("getTenant", domain)).send(base).await;
        let mut activated = false;
        if got.body.contains("active>false<") {
            let on = Req::new(TMS, by_domain("activateTenant", domain)).send(base).await;
            assert_eq!(on.status, StatusCode::OK, "{}", on.body);
            activated = true;
        }
        (added, activated)
    }
    assert_eq!(ensure(&base, "wso2.com").await, (true, false), "added, active at once");
    assert_eq!(ensure(&base, "wso2.com").await, (false, false), "found, nothing to do");
    let off = Req::new(TMS, by_domain("deactivateTenant", "wso2.com"))
        .send(&base)
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(
        ensure(&base, "wso2.com").await,
        (false, true),
        "found inactive, activated"
    );
    assert!(server.app().resolve_tenant("wso2.com").unwrap().is_some());
}

/// Two tenants with a `tom` each: `kim@a.com` adds and force-resets hers over SOAP with Basic on plain
/// `/services/…`; `b.com`'s `tom` is untouched. Then each tenant refusal in KERNEL's handler order.
#[tokio::test]
async fn tenant_admins_act_in_their_own_tenant_and_nowhere_else() {
    let server = TestServer::start();
    let base = server.https_url();
    for domain in ["a.com", "b.com"] {
        let made = Req::new(TMS, add_tenant(domain, "kim", "Kim@1234")).send(&base).await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        let tom = Req::new(RUS, add_user("tom"))
            .user(&format!("kim@{domain}"), "Kim@1234")
            .send(&base)
            .await;
        assert_eq!(tom.status, StatusCode::ACCEPTED, "{domain}: {}", tom.body);
    }
    let kim_a = ("kim@a.com", "Kim@1234");
    let on = Req::new(GOV, offline_mode_on())
        .user(kim_a.0, kim_a.1)
        .send(&base)
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    let forced = Req::new(RUS, force_reset("tom"))
        .user(kim_a.0, kim_a.1)
        .send(&base)
        .await;
    assert_eq!(forced.status, StatusCode::ACCEPTED, "{}", forced.body);
    let read = |uri: &str| {
        envelope(&format!(
            "<ser:getUserClaimValue><ser:userName>tom</ser:userName><ser:claim>{uri}</ser:claim><ser:profileName>default</ser:profileName></ser:getUserClaimValue>"
        ))
    };
    let locked = Req::new(RUS, read(LOCKED)).user(kim_a.0, kim_a.1).send(&base).await;
    assert!(locked.body.contains("<ns:return>true</ns:return>"), "{}", locked.body);
    assert_eq!(claim(&server, "a.com", "kim", "tom", LOCKED).as_deref(), Some("true"));
    assert!(claim(&server, "a.com", "kim", "tom", "http://wso2.org/claims/oneTimePassword").is_some());
    assert_ne!(claim(&server, "b.com", "kim", "tom", LOCKED).as_deref(), Some("true"));
    assert_eq!(claim(&server, "b.com", "kim", "tom", FORCED), None);
    assert!(
        claim(&server, "b.com", "kim", "tom", "http://wso2.org/claims/oneTimePassword").is_none(),
        "b.com's tom has no OTP"
    );
    // The super tenant's own `tom` does not exist: nothing leaked into carbon.super either.
    assert!(!server.app().user_exists(&Actor::System, "tom").unwrap());

    // The same tenant's URL is the caller's own: it works.
    let own = Req::new(&format!("/t/a.com{RUS}"), add_user("ann"))
        .user(kim_a.0, kim_a.1)
        .send(&base)
        .await;
    assert_eq!(own.status, StatusCode::ACCEPTED, "{}", own.body);

    // Another tenant's URL: KERNEL AuthenticationHandler's mismatch fault, and nothing added there.
    let mismatch = "Access Denied. A user kim@a.com is trying to access services in domain b.com";
    let other = Req::new(&format!("/t/b.com{RUS}"), add_user("eve"))
        .user(kim_a.0, kim_a.1)
        .send(&base)
        .await;
    other.fault11("axis2ns1:50977", mismatch);
    assert!(!exists(&server, "b.com", "kim", "eve"));
    // The session cookie the first call opened carries the tenant too.
    let cookie = other
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.split(';').next().filter(|kv| kv.starts_with("JSESSIONID=")))
        .map(str::to_string);
    let cookie = cookie.expect("a Basic caller gets a session");
    let b_rus = format!("/t/b.com{RUS}");
    let mut by_session = Req::new(&b_rus, add_user("eve")).anonymous();
    by_session.cookie = Some(cookie);
    by_session.send(&base).await.fault11("axis2ns1:50977", mismatch);
    // The super tenant's admin on a tenant's URL is a mismatch too (the URL is not carbon.super).
    Req::new(&format!("/t/a.com{RUS}"), add_user("eve"))
        .send(&base)
        .await
        .fault11(
            "axis2ns1:50977",
            "Access Denied. A user admin@carbon.super is trying to access services in domain a.com",
        );
    // carbon.super's URL is everyone's: kim acts in a.com.
    let sup = Req::new(&format!("/t/carbon.super{RUS}"), add_user("sam"))
        .user(kim_a.0, kim_a.1)
        .send(&base)
        .await;
    assert_eq!(sup.status, StatusCode::ACCEPTED, "{}", sup.body);

    // A super-tenant service: refused before the permission check, after authentication.
    Req::new(TMS, by_domain("getTenant", "a.com"))
        .user(kim_a.0, kim_a.1)
        .send(&base)
        .await
        .fault11(
            "axis2ns1:WSO2CarbonTenantAuthorizationFailure",
            "Denied accessing super tenant service.",
        );
    Req::new(TMS, by_domain("getTenant", "a.com"))
        .user("kim@a.com", "wrong")
        .send(&base)
        .await
        .fault11(
            "axis2ns1:50977",
            "Access Denied. Authentication failed - Invalid credentials provided.",
        );
    // A super-tenant user without the permission passes the tenant check and meets the permission check.
    crate::support::add_login_user(&server.app(), "bob", "Abcd@123", &[]);
    Req::new(TMS, by_domain("getTenant", "a.com"))
        .user("bob", "Abcd@123")
        .send(&base)
        .await
        .fault11("axis2ns1:50978", "Access Denied.");

    // A deactivated tenant's admin: the authentication fault (the text App gives today).
    let off = Req::new(TMS, by_domain("deactivateTenant", "b.com")).send(&base).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    Req::new(RUS, add_user("zed"))
        .user("kim@b.com", "Kim@1234")
        .send(&base)
        .await
        .fault11(
            "axis2ns1:50977",
            "Access Denied. Authentication failed - Invalid credentials provided.",
        );
    // …and its URL is the rewrite valve's 404.
    let gone = Req::new(&format!("/t/b.com{RUS}"), add_user("zed"))
        .user("kim@b.com", "Kim@1234")
        .send(&base)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{}", gone.body);
    assert!(gone.body.contains("invalid tenant domain : b.com"), "{}", gone.body);

    // Refusals of addTenant in the release's words (7.x: TM-60009's text), as the service's exception fault.
    let again = Req::new(TMS, add_tenant("a.com", "kim", "Kim@1234")).send(&base).await;
    again.fault11(
        "soapenv:Server",
        "A tenant with same domain a.com already exist. Please use a different domain name.",
    );
    assert!(again.body.contains("TenantMgtAdminServiceException"), "{}", again.body);
    // Unknown domains: no fault on activate/deactivate/delete.
    for op in ["activateTenant", "deactivateTenant", "deleteTenant"] {
        let a = Req::new(TMS, by_domain(op, "nowhere.org")).send(&base).await;
        assert_eq!(a.status, StatusCode::OK, "{op}: {}", a.body);
    }
}

/// checkDomainAvailability is 5.10+; 5.9 answers it as an unknown operation. addTenant returns 5.9/5.10's theme
/// token (a UUID, not the tenant's id) and the plain duplicate text.
#[tokio::test]
async fn releases_differ_as_the_profile_says() {
    let server = TestServer::start_with("[forcereset]\nwso2_version = \"5.9.0\"\n");
    let base = server.https_url();
    let check =
        envelope("<ten:checkDomainAvailability><ten:domainName>x.com</ten:domainName></ten:checkDomainAvailability>");
    let answer = Req::new(TMS, check).send(&base).await;
    answer.fault11(
        "soapenv:Client",
        "The endpoint reference (EPR) for the Operation not found",
    );
    let made = Req::new(TMS, add_tenant("x.com", "kim", "Kim@1234")).send(&base).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let token = made
        .body
        .split("<ns:return>")
        .nth(1)
        .and_then(|v| v.split('<').next())
        .unwrap();
    assert_eq!(token.len(), 36, "{token}");
    let again = Req::new(TMS, add_tenant("x.com", "kim", "Kim@1234")).send(&base).await;
    again.fault11("soapenv:Server", "Domain is not available to register");
}
