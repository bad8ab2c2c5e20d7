//! The requests each scenario sends, and the iterations built from them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{anyhow, bail};
use base64::Engine;

use super::client::{Conn, Request, Response};
use super::load::{self, BoxFut, Iteration};
use super::seed;

pub const PROFILE_SERVICE: &str = "/services/UserProfileMgtService";
pub const WSDL_PATH: &str = "/services/UserProfileMgtService?wsdl";
pub const AUTHENTICATE_API: &str = "/api/identity/auth/v1.1/authenticate";
pub const DCR_API: &str = "/api/identity/oauth2/dcr/v1.1/register";
pub const TOKEN_PATH: &str = "/oauth2/token";
pub const INTROSPECT_PATH: &str = "/oauth2/introspect";
const FORM: &str = "application/x-www-form-urlencoded";

/// A registered OAuth2 client of the run.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    pub id: String,
    pub secret: String,
}

/// DCR's registration of the bench's client, as the admin.
pub fn register_client(auth: &Auth) -> Request {
    let body = serde_json::json!({ "client_name": "bench", "grant_types": ["password"] }).to_string();
    auth.apply(Request::post(DCR_API, "application/json", body))
}

/// The password grant for `user`, the client authenticating with Basic.
pub fn password_grant(client: &OAuthClient, user: &str) -> Request {
    let body = format!(
        "grant_type=password&username={user}&password={}",
        seed::PASSWORD.replace('@', "%40")
    );
    let basic = Auth::Basic {
        user: client.id.clone(),
        password: client.secret.clone(),
    };
    basic.apply(Request::post(TOKEN_PATH, FORM, body))
}

/// Introspection of `token` by the admin (Basic, answered from the verified-password cache after the first).
pub fn introspect(token: &str, auth: &Auth) -> Request {
    auth.apply(Request::post(INTROSPECT_PATH, FORM, format!("token={token}")))
}

/// The callback of the bench's JWT client (`/oidc/logout`'s `post_logout_redirect_uri`).
pub const JWT_CALLBACK: &str = "https://app.example/cb";
pub const OIDC_LOGOUT_PATH: &str = "/oidc/logout";

/// DCR's registration of a client whose access tokens are JWTs.
pub fn register_jwt_client(auth: &Auth) -> Request {
    let body = serde_json::json!({
        "client_name": "bench-jwt",
        "grant_types": ["client_credentials"],
        "redirect_uris": [JWT_CALLBACK],
        "token_type_extension": "JWT",
    })
    .to_string();
    auth.apply(Request::post(DCR_API, "application/json", body))
}

/// The client-credentials grant (no user, so no argon2: what it measures is the token's issue, here RS256).
pub fn client_credentials(client: &OAuthClient) -> Request {
    let basic = Auth::Basic {
        user: client.id.clone(),
        password: client.secret.clone(),
    };
    basic.apply(Request::post(TOKEN_PATH, FORM, "grant_type=client_credentials"))
}

pub fn client_credentials_iteration(client: OAuthClient) -> Iteration {
    load::simple(Arc::new(move |_| client_credentials(&client)), 200)
}

/// RP-initiated logout without a browser session, with a signed hint and a registered redirect URI: the hint's
/// signature checked, its client read, the URI matched, the 302 back (the `handle_logout_gracefully` path, the
/// one a load generator without sessions can repeat).
pub fn oidc_logout(hint: &str) -> Request {
    let uri = JWT_CALLBACK.replace(':', "%3A").replace('/', "%2F");
    Request::get(&format!(
        "{OIDC_LOGOUT_PATH}?id_token_hint={hint}&post_logout_redirect_uri={uri}&state=bench"
    ))
}

pub fn oidc_logout_iteration(hint: String) -> Iteration {
    load::simple(Arc::new(move |_| oidc_logout(&hint)), 302)
}

/// Password grants, a different login user each (every one pays argon2) or always the same.
pub fn password_grant_iteration(client: OAuthClient, distinct: Option<usize>) -> Iteration {
    load::simple(
        Arc::new(move |_| password_grant(&client, &next_login_user(distinct))),
        200,
    )
}

pub fn introspect_iteration(token: String, auth: Auth) -> Iteration {
    load::simple(Arc::new(move |_| introspect(&token, &auth)), 200)
}
pub const DASHBOARD: &str = "/dashboard";
pub const COMMONAUTH: &str = "/commonauth";
/// PWP's change page (5.x–6.x, the bench server's default release).
pub const PWD_RESET: &str = "/authenticationendpoint/pwd-reset.jsp";
const SOAP_XML: &str = "text/xml;charset=UTF-8";
pub const GET_PROFILE_ACTION: &str = "\"urn:getUserProfile\"";
pub const SET_PROFILE_ACTION: &str = "\"urn:setUserProfile\"";
pub const GOVERNANCE_SERVICE: &str = "/services/IdentityGovernanceAdminService";
pub const CONNECTOR_LIST_ACTION: &str = "\"urn:getConnectorList\"";
/// The reset connector over REST (IS 5.11+ category id, which the bench's default release answers).
pub const REST_CONNECTOR: &str =
    "/api/server/v1/identity-governance/QWNjb3VudCBNYW5hZ2VtZW50/connectors/YWRtaW4tZm9yY2VkLXBhc3N3b3JkLXJlc2V0";
pub const RESEND_CODE: &str = "/api/identity/user/v1.0/resend-code";

/// How an admin-service call authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `Authorization: Basic` on every call (an argon2 verification each).
    Basic { user: String, password: String },
    /// The JSESSIONID the server set after the first authenticated call, reused as WSO2 clients do.
    Session(String),
}

impl Auth {
    fn apply(&self, request: Request) -> Request {
        match self {
            Auth::Basic { user, password } => {
                let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                request.header("Authorization", &format!("Basic {token}"))
            }
            Auth::Session(token) => request.header("Cookie", &format!("JSESSIONID={token}")),
        }
    }
}

/// Spread iteration numbers over `users` seeded users: `n × P mod users` with P a large prime (Knuth's
/// 2654435761), a permutation of the users for every `users` consecutive iterations, in which neighbours hit
/// unrelated rows, as independent clients would.
pub fn pick(n: u64, users: usize) -> usize {
    const P: u128 = 2_654_435_761;
    let users = users.max(1) as u128;
    ((u128::from(n) * P) % users) as usize
}

pub fn wsdl() -> Request {
    Request::get(WSDL_PATH)
}

pub fn get_profile(user: &str, auth: &Auth) -> Request {
    let body = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:mgt="http://mgt.profile.user.identity.carbon.wso2.org">
   <soapenv:Header/>
   <soapenv:Body>
      <mgt:getUserProfile>
         <mgt:username>{user}</mgt:username>
         <mgt:profileName>default</mgt:profileName>
      </mgt:getUserProfile>
   </soapenv:Body>
</soapenv:Envelope>"#
    );
    auth.apply(Request::post(PROFILE_SERVICE, SOAP_XML, body).header("SOAPAction", GET_PROFILE_ACTION))
}

/// `IdentityGovernanceAdminService.getConnectorList`: what a console or script reads before `updateConfigurations`.
pub fn connector_list(auth: &Auth) -> Request {
    let body = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:gov="http://governance.identity.carbon.wso2.org">
   <soapenv:Header/>
   <soapenv:Body>
      <gov:getConnectorList/>
   </soapenv:Body>
</soapenv:Envelope>"#;
    auth.apply(
        Request::post(GOVERNANCE_SERVICE, SOAP_XML, body.to_string()).header("SOAPAction", CONNECTOR_LIST_ACTION),
    )
}

/// `getEmailTemplateTypes` of I18nEmailMgtConfigService (a read of the template store).
pub fn template_types(auth: &Auth) -> Request {
    let body = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:mgt="http://mgt.email.carbon.wso2.org"><soapenv:Body><mgt:getEmailTemplateTypes/></soapenv:Body></soapenv:Envelope>"#;
    auth.apply(
        Request::post("/services/I18nEmailMgtConfigService", SOAP_XML, body.to_string())
            .header("SOAPAction", "\"urn:getEmailTemplateTypes\""),
    )
}

/// The tenant the `tenant-get` scenario reads, added once before the measured runs.
pub const BENCH_TENANT: &str = "bench.example";

/// `TenantMgtAdminService.addTenant` of [`BENCH_TENANT`] (its admin `kim`).
pub fn soap_add_tenant(auth: &Auth) -> Request {
    let body = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ser="http://services.mgt.tenant.carbon.wso2.org" xmlns:xsd="http://beans.common.stratos.carbon.wso2.org/xsd"><soapenv:Body><ser:addTenant><ser:tenantInfoBean><xsd:admin>kim</xsd:admin><xsd:adminPassword>Kim@1234</xsd:adminPassword><xsd:email>kim@{BENCH_TENANT}</xsd:email><xsd:firstname>Kim</xsd:firstname><xsd:lastname>Lee</xsd:lastname><xsd:tenantDomain>{BENCH_TENANT}</xsd:tenantDomain></ser:tenantInfoBean></ser:addTenant></soapenv:Body></soapenv:Envelope>"#
    );
    auth.apply(
        Request::post("/services/TenantMgtAdminService", SOAP_XML, body).header("SOAPAction", "\"urn:addTenant\""),
    )
}

/// `TenantMgtAdminService.getTenant` of [`BENCH_TENANT`]: a tenant row and its admin's two name claims.
pub fn soap_get_tenant(auth: &Auth) -> Request {
    let body = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ser="http://services.mgt.tenant.carbon.wso2.org"><soapenv:Body><ser:getTenant><ser:tenantDomain>{BENCH_TENANT}</ser:tenantDomain></ser:getTenant></soapenv:Body></soapenv:Envelope>"#
    );
    auth.apply(
        Request::post("/services/TenantMgtAdminService", SOAP_XML, body).header("SOAPAction", "\"urn:getTenant\""),
    )
}

/// `GET` the OTP reset template over REST, Basic-authenticated.
pub fn rest_template(auth: &Auth) -> Request {
    auth.apply(
        Request::get("/api/server/v1/email/template-types/QWRtaW5Gb3JjZWRQYXNzd29yZFJlc2V0V2l0aE9UUA/templates/en_US")
            .header("Accept", "application/json"),
    )
}

/// The seed document's request (fixtures/soap/setUserProfile.seed.xml) for `user`.
pub fn force_reset(user: &str, auth: &Auth) -> Request {
    let body = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:mgt="http://mgt.profile.user.identity.carbon.wso2.org" xmlns:xsd="http://mgt.profile.user.identity.carbon.wso2.org/xsd">
   <soapenv:Header/>
   <soapenv:Body>
      <mgt:setUserProfile>
         <mgt:username>{user}</mgt:username>
         <mgt:profile>
            <xsd:fieldValues>
               <xsd:claimUri>http://wso2.org/claims/identity/adminForcedPasswordReset</xsd:claimUri>
               <xsd:fieldValue>true</xsd:fieldValue>
            </xsd:fieldValues>
            <xsd:profileName>default</xsd:profileName>
         </mgt:profile>
      </mgt:setUserProfile>
   </soapenv:Body>
</soapenv:Envelope>"#
    );
    auth.apply(Request::post(PROFILE_SERVICE, SOAP_XML, body).header("SOAPAction", SET_PROFILE_ACTION))
}

/// `GET` the reset connector over REST, Basic-authenticated as REST clients are (the verified-password cache
/// answers after the first call).
pub fn rest_connector(auth: &Auth) -> Request {
    auth.apply(Request::get(REST_CONNECTOR).header("Accept", "application/json"))
}

/// The REST tenant management API (5.11 on, the bench server's default release).
pub const TENANTS: &str = "/api/server/v1/tenants";

/// `POST /tenants`: tenant `bench{i}.com` with its owner (one argon2 run each).
pub fn add_tenant(i: usize, auth: &Auth) -> Request {
    let body = serde_json::json!({"domain": format!("bench{i}.com"), "owners": [{"username": "owner",
        "password": "Owner@123", "email": "owner@bench.com", "firstname": "o", "lastname": "o",
        "provisioningMethod": "inline-password"}]})
    .to_string();
    auth.apply(Request::post(TENANTS, "application/json", body))
}

/// `GET /tenants`: the first page (15) with each tenant's owner.
pub fn tenants_list(auth: &Auth) -> Request {
    auth.apply(Request::get(TENANTS).header("Accept", "application/json"))
}

/// `GET /tenants/{id}`.
pub fn tenant_get(id: &str, auth: &Auth) -> Request {
    auth.apply(Request::get(&format!("{TENANTS}/{id}")).header("Accept", "application/json"))
}

pub fn tenants_list_iteration(auth: Auth) -> Iteration {
    load::simple(Arc::new(move |_| tenants_list(&auth)), 200)
}

pub fn tenant_get_iteration(id: String, auth: Auth) -> Iteration {
    load::simple(Arc::new(move |_| tenant_get(&id, &auth)), 200)
}

/// `PATCH` the reset connector: a property no connector lists (stored as WSO2 stores it), a new value each time,
/// so that every call is a durable write.
pub fn rest_patch(n: u64, auth: &Auth) -> Request {
    let body = serde_json::json!({"operation": "UPDATE",
        "properties": [{"name": "bench.rest.counter", "value": n.to_string()}]})
    .to_string();
    let request = Request {
        method: "PATCH",
        ..Request::post(REST_CONNECTOR, "application/json", body)
    };
    auth.apply(request)
}

/// `resend-code` for `user`'s pending forced reset (the bench's Offline OTP one): a new code and one mail.
pub fn resend_code(user: &str, auth: &Auth) -> Request {
    let body = serde_json::json!({"user": {"username": user, "realm": "PRIMARY"},
        "properties": [{"key": "RecoveryScenario", "value": "ADMIN_FORCED_PASSWORD_RESET_VIA_OTP"}]})
    .to_string();
    auth.apply(Request::post(RESEND_CODE, "application/json", body))
}

pub fn login_api(user: &str) -> Request {
    let body = serde_json::json!({ "username": user, "password": seed::PASSWORD }).to_string();
    Request::post(AUTHENTICATE_API, "application/json", body).header("Accept", "application/json")
}

/// Who logs in next: with `Some(n)`, the next of `n` login users, shared by every login scenario of the run so
/// that no user logs in twice (every login pays argon2); with `None`, always the same user (after the first
/// login, the verified-password cache answers).
pub fn next_login_user(distinct: Option<usize>) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    match distinct {
        Some(n) => seed::login_user_name(NEXT.fetch_add(1, Ordering::Relaxed) % n.max(1)),
        None => seed::LOGIN_USER.to_string(),
    }
}

pub fn wsdl_iteration() -> Iteration {
    load::simple(Arc::new(|_| wsdl()), 200)
}

pub fn get_profile_iteration(users: usize, auth: Auth) -> Iteration {
    load::simple(
        Arc::new(move |n| get_profile(&seed::user_name(pick(n, users)), &auth)),
        200,
    )
}

/// getUserProfile of users `first..first + users`.
pub fn get_profile_iteration_from(first: usize, users: usize, auth: Auth) -> Iteration {
    load::simple(
        Arc::new(move |n| get_profile(&seed::user_name(first + pick(n, users)), &auth)),
        200,
    )
}

/// getUserProfile of a random user of a random tenant, with that tenant admin's session (`sessions[t]`, one per
/// tenant, each with `users` users).
pub fn tenant_profile_iteration(users: usize, sessions: Arc<Vec<Auth>>) -> Iteration {
    load::simple(
        Arc::new(move |n| {
            let t = (n as usize) % sessions.len().max(1);
            get_profile(
                &seed::user_name(pick(n / sessions.len().max(1) as u64, users)),
                &sessions[t],
            )
        }),
        200,
    )
}

/// A forced reset of a random user of a random tenant, by that tenant's admin.
pub fn tenant_reset_iteration(users: usize, sessions: Arc<Vec<Auth>>) -> Iteration {
    load::simple(
        Arc::new(move |n| {
            let t = (n as usize) % sessions.len().max(1);
            force_reset(
                &seed::user_name(pick(n / sessions.len().max(1) as u64, users)),
                &sessions[t],
            )
        }),
        202,
    )
}

pub fn connector_list_iteration(auth: Auth) -> Iteration {
    load::simple(Arc::new(move |_| connector_list(&auth)), 200)
}

pub fn force_reset_iteration(users: usize, auth: Auth) -> Iteration {
    load::simple(
        Arc::new(move |n| force_reset(&seed::user_name(pick(n, users)), &auth)),
        202,
    )
}

pub fn template_types_iteration(auth: Auth) -> Iteration {
    load::simple(Arc::new(move |_| template_types(&auth)), 200)
}

pub fn soap_get_tenant_iteration(auth: Auth) -> Iteration {
    load::simple(Arc::new(move |_| soap_get_tenant(&auth)), 200)
}

pub fn rest_template_iteration(auth: Auth) -> Iteration {
    load::simple(Arc::new(move |_| rest_template(&auth)), 200)
}

pub fn rest_connector_iteration(auth: Auth) -> Iteration {
    load::simple(Arc::new(move |_| rest_connector(&auth)), 200)
}

pub fn rest_patch_iteration(auth: Auth) -> Iteration {
    load::simple(Arc::new(move |n| rest_patch(n, &auth)), 200)
}

pub fn resend_code_iteration(users: usize, auth: Auth) -> Iteration {
    load::simple(
        Arc::new(move |n| resend_code(&seed::user_name(pick(n, users)), &auth)),
        201,
    )
}

pub fn login_api_iteration(distinct: Option<usize>) -> Iteration {
    load::simple(Arc::new(move |_| login_api(&next_login_user(distinct))), 200)
}

pub const SCIM_USERS: &str = "/scim2/Users";
pub const SCIM_BULK: &str = "/scim2/Bulk";
const SCIM_JSON: &str = "application/scim+json";
/// Where the bench server's release (the default, 5.11) keeps `forcePasswordReset`.
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// `GET /scim2/Users?filter=userName eq <user>` with Basic auth (a SCIM client has no session; the verified-
/// password cache answers after the first call).
pub fn scim_filter(user: &str, auth: &Auth) -> Request {
    auth.apply(Request::get(&format!("{SCIM_USERS}?filter=userName+eq+{user}")).header("Accept", SCIM_JSON))
}

/// The PatchOp body forcing a reset.
fn force_reset_patch() -> serde_json::Value {
    serde_json::json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "replace", "path": format!("{ENTERPRISE}:forcePasswordReset"), "value": true }] })
}

/// `PATCH /scim2/Users/{id}` forcing a reset.
pub fn scim_force_reset(id: &str, auth: &Auth) -> Request {
    let mut request = Request::post(
        &format!("{SCIM_USERS}/{id}"),
        SCIM_JSON,
        force_reset_patch().to_string(),
    );
    request.method = "PATCH";
    auth.apply(request)
}

/// One `POST /scim2/Bulk` forcing a reset of every user in `ids`.
pub fn scim_bulk_force_reset(ids: &[String], auth: &Auth) -> Request {
    let ops: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| serde_json::json!({ "method": "PATCH", "path": format!("/Users/{id}"), "data": force_reset_patch() }))
        .collect();
    let body =
        serde_json::json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": ops });
    auth.apply(Request::post(SCIM_BULK, SCIM_JSON, body.to_string()))
}

/// The SCIM id in a filter's answer.
pub fn scim_id_of(response: &Response) -> anyhow::Result<String> {
    let body: serde_json::Value = serde_json::from_slice(&response.body)?;
    body["Resources"][0]["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("no id in {}", String::from_utf8_lossy(&response.body)))
}

pub fn scim_filter_iteration(users: usize, auth: Auth) -> Iteration {
    load::simple(
        Arc::new(move |n| scim_filter(&seed::user_name(pick(n, users)), &auth)),
        200,
    )
}

pub const SCIM_GROUPS: &str = "/scim2/Groups";

/// `POST /scim2/Groups` of a group with these members.
pub fn scim_create_group(name: &str, members: &[String], auth: &Auth) -> Request {
    let members: Vec<serde_json::Value> = members.iter().map(|id| serde_json::json!({ "value": id })).collect();
    let body = serde_json::json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": name, "members": members });
    auth.apply(Request::post(SCIM_GROUPS, SCIM_JSON, body.to_string()))
}

/// `GET /scim2/Groups?filter=<filter>` (`filter` already URL-encoded): one path, so the baseline can replay it.
pub fn scim_group_filter(filter: &str, auth: &Auth) -> Request {
    auth.apply(Request::get(&format!("{SCIM_GROUPS}?filter={filter}")).header("Accept", SCIM_JSON))
}

pub fn scim_group_filter_iteration(filter: &'static str, auth: Auth) -> Iteration {
    load::simple(Arc::new(move |_| scim_group_filter(filter, &auth)), 200)
}

/// `PATCH /scim2/Groups/{group}` adding `user`, or removing it by `members[value eq "…"]`.
pub fn scim_group_patch(group: &str, user: &str, add: bool, auth: &Auth) -> Request {
    let op = if add {
        serde_json::json!({ "op": "add", "path": "members", "value": [{ "value": user }] })
    } else {
        serde_json::json!({ "op": "remove", "path": format!("members[value eq \"{user}\"]") })
    };
    let body = serde_json::json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [op] });
    let mut request = Request::post(&format!("{SCIM_GROUPS}/{group}"), SCIM_JSON, body.to_string());
    request.method = "PATCH";
    auth.apply(request)
}

/// Member PATCHes of one group: an even iteration adds a member, the next removes it, so the group stays small.
pub fn scim_group_patch_iteration(group: String, users: Arc<Vec<String>>, auth: Auth) -> Iteration {
    load::simple(
        Arc::new(move |n| scim_group_patch(&group, &users[pick(n / 2, users.len())], n % 2 == 0, &auth)),
        200,
    )
}

pub fn scim_force_reset_iteration(ids: Arc<Vec<String>>, auth: Auth) -> Iteration {
    load::simple(
        Arc::new(move |n| scim_force_reset(&ids[pick(n, ids.len())], &auth)),
        200,
    )
}

/// A cookie jar for one browser.
#[derive(Default)]
struct Jar(Vec<(String, String)>);

impl Jar {
    fn take(&mut self, response: &Response) {
        for (k, v) in response.cookies() {
            self.0.retain(|(name, _)| *name != k);
            if !v.is_empty() {
                self.0.push((k, v));
            }
        }
    }

    fn apply(&self, request: Request) -> Request {
        if self.0.is_empty() {
            return request;
        }
        let value = self
            .0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        request.header("Cookie", &value)
    }
}

/// `<input type="hidden" name=… value=…>` fields of a page.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    static RES: std::sync::OnceLock<Option<[regex::Regex; 4]>> = std::sync::OnceLock::new();
    let Some([input, kind, name, value]) = RES.get_or_init(|| {
        Some([
            regex::Regex::new(r"<input\b[^>]*>").ok()?,
            regex::Regex::new(r#"\btype="([^"]*)""#).ok()?,
            regex::Regex::new(r#"\bname="([^"]*)""#).ok()?,
            regex::Regex::new(r#"\bvalue="([^"]*)""#).ok()?,
        ])
    }) else {
        return Vec::new();
    };
    let attr = |re: &regex::Regex, tag: &str| re.captures(tag).and_then(|c| c.get(1)).map(|m| m.as_str().to_string());
    input
        .find_iter(html)
        .map(|m| m.as_str())
        .filter(|tag| attr(kind, tag).as_deref() == Some("hidden"))
        .filter_map(|tag| Some((attr(name, tag)?, attr(value, tag).unwrap_or_default())))
        .collect()
}

fn path_of(location: &str) -> String {
    // Absolute (`https://host:port/path?q`) or relative (`/path?q`).
    match location.split_once("://") {
        Some((_, rest)) => rest
            .find('/')
            .map_or_else(|| "/".to_string(), |i| rest[i..].to_string()),
        None => location.to_string(),
    }
}

fn expect(response: &Response, status: u16, what: &str) -> anyhow::Result<()> {
    if response.status != status {
        bail!(
            "{what}: status {} (expected {status}): {}",
            response.status,
            String::from_utf8_lossy(&response.body)
                .chars()
                .take(200)
                .collect::<String>()
        );
    }
    Ok(())
}

/// One browser login, as a browser does it: `GET /dashboard` (302 to the login page with a `sessionDataKey`),
/// `GET` the login page, `POST /commonauth` with its hidden fields plus user name and password (302 back to the
/// dashboard). Returns each request with its response.
pub async fn commonauth_login(conn: &mut Conn, user: &str) -> anyhow::Result<Vec<(Request, Response)>> {
    let mut jar = Jar::default();
    let mut exchanges = Vec::with_capacity(3);
    let first = Request::get(DASHBOARD);
    let start = conn.send(&first.bytes()).await?;
    expect(&start, 302, "GET /dashboard")?;
    jar.take(&start);
    let location = start
        .header("location")
        .ok_or_else(|| anyhow!("GET /dashboard: no Location"))?
        .to_string();
    exchanges.push((first, start));
    let second = jar.apply(Request::get(&path_of(&location)));
    let page = conn.send(&second.bytes()).await?;
    expect(&page, 200, "GET login page")?;
    jar.take(&page);
    let mut form = hidden_fields(&String::from_utf8_lossy(&page.body));
    exchanges.push((second, page));
    if !form.iter().any(|(k, _)| k == "sessionDataKey") {
        bail!("the login page has no sessionDataKey field");
    }
    form.push(("username".into(), user.into()));
    form.push(("password".into(), seed::PASSWORD.into()));
    let body = serde_urlencoded::to_string(&form)?;
    let third = jar.apply(Request::post(COMMONAUTH, "application/x-www-form-urlencoded", body));
    let post = conn.send(&third.bytes()).await?;
    expect(&post, 302, "POST /commonauth")?;
    let next = post.header("location").unwrap_or_default();
    if next.contains("authFailure") || next.contains("errorCode") {
        bail!("POST /commonauth: login refused ({next})");
    }
    exchanges.push((third, post));
    Ok(exchanges)
}

/// One expired password changed, as a browser does it: the login (`GET /dashboard`, `GET` the login page,
/// `POST /commonauth`, 302 to `pwd-reset.jsp`), `GET pwd-reset.jsp`, then `POST /commonauth` with
/// `CURRENT_PWD`, `NEW_PWD`, `NEW_PWD_CONFIRMATION` (302 to the dashboard). Three argon2 runs: the login, the
/// current password, the new hash.
pub async fn expired_change(conn: &mut Conn, user: &str) -> anyhow::Result<()> {
    let mut jar = Jar::default();
    let start = conn.send(&Request::get(DASHBOARD).bytes()).await?;
    expect(&start, 302, "GET /dashboard")?;
    jar.take(&start);
    let location = start.header("location").unwrap_or_default().to_string();
    let page = conn.send(&jar.apply(Request::get(&path_of(&location))).bytes()).await?;
    expect(&page, 200, "GET login page")?;
    jar.take(&page);
    let mut form = hidden_fields(&String::from_utf8_lossy(&page.body));
    form.push(("username".into(), user.into()));
    form.push(("password".into(), seed::PASSWORD.into()));
    let login = Request::post(COMMONAUTH, FORM, serde_urlencoded::to_string(&form)?);
    let answer = conn.send(&jar.apply(login).bytes()).await?;
    expect(&answer, 302, "POST /commonauth (login)")?;
    let change_page = answer.header("location").unwrap_or_default().to_string();
    if !change_page.starts_with(PWD_RESET) {
        bail!("{user}: the login did not go to the change page ({change_page})");
    }
    let page = conn.send(&jar.apply(Request::get(&change_page)).bytes()).await?;
    expect(&page, 200, "GET pwd-reset.jsp")?;
    let mut form = hidden_fields(&String::from_utf8_lossy(&page.body));
    form.push(("CURRENT_PWD".into(), seed::PASSWORD.into()));
    form.push(("NEW_PWD".into(), seed::NEW_PASSWORD.into()));
    form.push(("NEW_PWD_CONFIRMATION".into(), seed::NEW_PASSWORD.into()));
    let change = Request::post(COMMONAUTH, FORM, serde_urlencoded::to_string(&form)?);
    let done = conn.send(&jar.apply(change).bytes()).await?;
    expect(&done, 302, "POST /commonauth (change)")?;
    if done.header("location") != Some(DASHBOARD) {
        bail!(
            "{user}: the change did not complete the login ({:?})",
            done.header("location")
        );
    }
    Ok(())
}

/// Each iteration changes the next expired user's password (each can change it once: then it is fresh).
pub fn expired_change_iteration(users: usize) -> Iteration {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    Arc::new(move |conn: &mut Conn, _n: u64| {
        let i = NEXT.fetch_add(1, Ordering::Relaxed);
        Box::pin(async move {
            if i >= users {
                bail!("out of expired users ({users}): raise --login-users");
            }
            expired_change(conn, &seed::expired_user_name(i)).await
        }) as BoxFut<'_>
    })
}

pub fn commonauth_iteration(distinct: Option<usize>) -> Iteration {
    Arc::new(move |conn: &mut Conn, _n: u64| {
        let user = next_login_user(distinct);
        Box::pin(async move { commonauth_login(conn, &user).await.map(|_| ()) }) as BoxFut<'_>
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_fields_are_found() {
        let html = r#"<form><input type="hidden" name="sessionDataKey" value="ab12"><input id="u" name="username" type="text"></form>"#;
        assert_eq!(
            hidden_fields(html),
            vec![("sessionDataKey".to_string(), "ab12".to_string())]
        );
        assert_eq!(path_of("https://localhost:9443/a/b?x=1"), "/a/b?x=1");
        assert_eq!(path_of("/a?x"), "/a?x");
    }

    #[test]
    fn picks_stay_in_range_and_spread() {
        for users in [1, 7, 1000, 100_000] {
            let picks: std::collections::HashSet<usize> = (0..users as u64).map(|n| pick(n, users)).collect();
            assert_eq!(picks.len(), users, "every user once per round");
        }
        assert_ne!(pick(1, 1000).abs_diff(pick(2, 1000)), 1);
    }
}
