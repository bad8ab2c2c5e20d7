//! What the ported user-store tests share (`user_profile_mgt`, `user_profile_admin`, `remote_user_store_manager`):
//! a server per release, RemoteUserStoreManagerService and UserProfileMgtService calls as WSO2's Axis2 stubs send
//! them (an absent argument is an absent element), and reading the answers.

use forcereset::domain::profile::Wso2Version;
use reqwest::StatusCode;

use crate::support::TestServer;
use crate::web_client::unescape;

pub const RUS: &str = "/services/RemoteUserStoreManagerService";
pub const UPM: &str = "/services/UserProfileMgtService";
pub const ADMIN: (&str, &str) = ("admin", "admin");

/// A fresh server emulating `version`, with everything else at its defaults (the release's user store).
pub fn server(version: Wso2Version) -> TestServer {
    TestServer::start_with(&format!("[forcereset]\nwso2_version = \"{version}\"\n"))
}

/// product-is's release tag of `version`: whose copy of a test a release runs, for messages.
pub fn tag(version: Wso2Version) -> &'static str {
    match version {
        Wso2Version::V5_9 => "v5.9.0",
        Wso2Version::V5_10 => "v5.10.0",
        Wso2Version::V5_11 => "v5.11.0",
        Wso2Version::V6_0 => "v6.0.0",
        Wso2Version::V6_1 => "v6.1.0",
        Wso2Version::V7_0 => "v7.0.0",
        Wso2Version::V7_1 => "v7.1.0",
        Wso2Version::V7_2 => "v7.2.0",
    }
}

/// One SOAP answer.
pub struct Answer {
    pub status: StatusCode,
    pub body: String,
}

impl Answer {
    /// The answer of a successful call (200 with a body, or 202 for an in-only operation); panics otherwise.
    pub fn ok(self, what: &str) -> Answer {
        assert!(self.status.is_success(), "{what}: {} {}", self.status, self.body);
        self
    }

    /// The text of every `<ns:return>` (an `xsi:nil` one is left out, as a stub reads it as null).
    pub fn returns(&self) -> Vec<String> {
        let re = regex::Regex::new(r"<ns:return(?: [^>]*)?>([^<]*)</ns:return>").unwrap();
        re.captures_iter(&self.body).map(|c| unescape(&c[1])).collect()
    }

    /// The one boolean or number `<ns:return>`.
    pub fn value(&self) -> String {
        let values = self.returns();
        assert_eq!(values.len(), 1, "{}", self.body);
        values[0].clone()
    }

    /// The UserProfileDTOs of a `getUserProfile(s)` answer, in order.
    pub fn profiles(&self) -> Vec<ProfileDto> {
        self.body
            .split("<ns:return")
            .skip(1)
            .filter(|dto| !dto.starts_with(" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:nil"))
            .map(|dto| ProfileDto {
                name: between(dto, "<ax:profileName>", "</ax:profileName>"),
                fields: dto
                    .split("<ax:fieldValues")
                    .skip(1)
                    .map(|f| FieldDto {
                        claim_uri: between(f, "<ax:claimUri>", "</ax:claimUri>").unwrap_or_default(),
                        display_name: between(f, "<ax:displayName>", "</ax:displayName>").unwrap_or_default(),
                        value: between(f, "<ax:fieldValue>", "</ax:fieldValue>"),
                    })
                    .collect(),
            })
            .collect()
    }

    /// The (claim URI, value) pairs of a `ClaimValue[]` or `ClaimDTO[]` answer.
    pub fn claims(&self) -> Vec<(String, String)> {
        self.body
            .split("<ns:return")
            .skip(1)
            .filter_map(|c| {
                let uri = between(c, "<ax:claimURI>", "</ax:claimURI>")
                    .or_else(|| between(c, "<ax:claimUri>", "</ax:claimUri>"))?;
                Some((uri, between(c, "<ax:value>", "</ax:value>").unwrap_or_default()))
            })
            .collect()
    }
}

/// A UserProfileDTO as a test reads it.
#[derive(Debug)]
pub struct ProfileDto {
    pub name: Option<String>,
    pub fields: Vec<FieldDto>,
}

impl ProfileDto {
    /// The value of the field whose display name is `name` (what PIS's tests look up).
    pub fn by_display_name(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.display_name == name)
            .and_then(|f| f.value.as_deref())
    }

    /// The value of the field of claim `uri`.
    pub fn by_claim(&self, uri: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.claim_uri == uri)
            .and_then(|f| f.value.as_deref())
    }
}

#[derive(Debug)]
pub struct FieldDto {
    pub claim_uri: String,
    pub display_name: String,
    pub value: Option<String>,
}

fn between(text: &str, open: &str, close: &str) -> Option<String> {
    let start = text.find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some(unescape(&text[start..start + len]))
}

/// Send `payload` (the Body's content; prefixes `ser`, `mgt`, `cmn`, `dao`, `up` declared) to `path`.
pub async fn call(server: &TestServer, path: &str, payload: &str, auth: (&str, &str)) -> Answer {
    let envelope = format!(
        concat!(
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/""#,
            r#" xmlns:ser="http://service.ws.um.carbon.wso2.org""#,
            r#" xmlns:mgt="http://mgt.profile.user.identity.carbon.wso2.org""#,
            r#" xmlns:up="http://mgt.profile.user.identity.carbon.wso2.org/xsd""#,
            r#" xmlns:cmn="http://common.mgt.user.carbon.wso2.org/xsd""#,
            r#" xmlns:dao="http://dao.service.ws.um.carbon.wso2.org/xsd">"#,
            "<soapenv:Header/><soapenv:Body>{}</soapenv:Body></soapenv:Envelope>"
        ),
        payload
    );
    // The server's own client keeps its connections alive: a TLS handshake per call would dominate these tests.
    let resp = server
        .client()
        .post(server.https(path))
        .header("Content-Type", "text/xml;charset=UTF-8")
        .basic_auth(auth.0, Some(auth.1))
        .body(envelope)
        .send()
        .await
        .unwrap();
    Answer {
        status: resp.status(),
        body: resp.text().await.unwrap(),
    }
}

/// `<ser:{name}>…</ser:{name}>` of optional text arguments: `None` is left out.
pub fn op(name: &str, args: &[(&str, Option<&str>)]) -> String {
    let mut out = format!("<ser:{name}>");
    for (arg, value) in args {
        if let Some(value) = value {
            out.push_str(&format!("<ser:{arg}>{value}</ser:{arg}>"));
        }
    }
    out.push_str(&format!("</ser:{name}>"));
    out
}

/// `ClaimValue[]` children named `name`.
pub fn claim_values(name: &str, claims: &[(&str, &str)]) -> String {
    claims
        .iter()
        .map(|(uri, value)| {
            format!("<ser:{name}><cmn:claimURI>{uri}</cmn:claimURI><cmn:value>{value}</cmn:value></ser:{name}>")
        })
        .collect()
}

/// RemoteUserStoreManagerService `addUser(userName, credential, roleList, claims, profileName, false)`.
pub async fn add_user(
    server: &TestServer,
    user: &str,
    password: &str,
    roles: &[&str],
    claims: &[(&str, &str)],
    profile: Option<&str>,
) {
    let roles: String = roles
        .iter()
        .map(|r| format!("<ser:roleList>{r}</ser:roleList>"))
        .collect();
    let profile = profile
        .map(|p| format!("<ser:profileName>{p}</ser:profileName>"))
        .unwrap_or_default();
    let payload = format!(
        "<ser:addUser><ser:userName>{user}</ser:userName><ser:credential>{password}</ser:credential>{roles}{}{profile}<ser:requirePasswordChange>false</ser:requirePasswordChange></ser:addUser>",
        claim_values("claims", claims)
    );
    call(server, RUS, &payload, ADMIN).await.ok(&format!("addUser {user}"));
}

/// RemoteUserStoreManagerService `addRole(roleName, userList, permissions)`, each permission `ui.execute`.
pub async fn add_role(server: &TestServer, role: &str, users: &[&str], permissions: &[&str]) {
    let users: String = users
        .iter()
        .map(|u| format!("<ser:userList>{u}</ser:userList>"))
        .collect();
    let permissions: String = permissions
        .iter()
        .map(|p| {
            format!("<ser:permissions><dao:action>ui.execute</dao:action><dao:resourceId>{p}</dao:resourceId></ser:permissions>")
        })
        .collect();
    let payload = format!("<ser:addRole><ser:roleName>{role}</ser:roleName>{users}{permissions}</ser:addRole>");
    call(server, RUS, &payload, ADMIN).await.ok(&format!("addRole {role}"));
}

/// UserProfileMgtService `setUserProfile(username, {profileName, fieldValues})`.
pub fn set_user_profile(user: &str, profile: &str, fields: &[(&str, &str)]) -> String {
    let fields: String = fields
        .iter()
        .map(|(uri, value)| {
            format!("<up:fieldValues><up:claimUri>{uri}</up:claimUri><up:fieldValue>{value}</up:fieldValue></up:fieldValues>")
        })
        .collect();
    format!(
        "<mgt:setUserProfile><mgt:username>{user}</mgt:username><mgt:profile>{fields}<up:profileName>{profile}</up:profileName></mgt:profile></mgt:setUserProfile>"
    )
}

/// A UserProfileMgtService operation of optional text arguments.
pub fn upm(name: &str, args: &[(&str, Option<&str>)]) -> String {
    op(name, args).replace("<ser:", "<mgt:").replace("</ser:", "</mgt:")
}

/// The two checks UserProfileMgtTestCase and UserProfileAdminTestCase share: `getUserProfiles(user)`'s last DTO is
/// the default profile (`testGetUserProfiles`), and `getUserProfile(user, "default")`'s "Last Name" field is the
/// user name (`testGetUserProfile`: the LDAP store's sn in 5.x, given at creation from 6.0).
pub async fn check_default_profile_has_last_name(server: &TestServer, user: &str, at: &str) {
    let profiles = call(server, UPM, &upm("getUserProfiles", &[("username", Some(user))]), ADMIN)
        .await
        .ok(at)
        .profiles();
    assert_eq!(
        profiles.last().and_then(|p| p.name.as_deref()),
        Some("default"),
        "{at} testGetUserProfiles"
    );
    let args = [("username", Some(user)), ("profileName", Some("default"))];
    let profile = call(server, UPM, &upm("getUserProfile", &args), ADMIN)
        .await
        .ok(at)
        .profiles();
    assert_eq!(
        profile[0].by_display_name("Last Name"),
        Some(user),
        "{at} testGetUserProfile: {profile:?}"
    );
}
