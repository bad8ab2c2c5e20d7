//! What the ported SCIM tests call: `/scim2` requests as WSO2's `SCIM2RestClient`/RestAssured send them (Basic
//! auth, JSON bodies), and the answer as status, headers and JSON.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::TestServer;

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const SYSTEM: &str = "urn:scim:wso2:schema";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One request; `content_type` defaults to `application/json` when there is a body (WSO2's clients' choice).
pub async fn scim(
    server: &TestServer,
    method: Method,
    path: &str,
    body: Option<&Value>,
    who: (&str, &str),
    content_type: Option<&str>,
) -> Answer {
    let mut req = server
        .client()
        .request(method, server.https(path))
        .basic_auth(who.0, Some(who.1))
        .header("accept", "application/scim+json");
    if let Some(b) = body {
        req = req
            .header("content-type", content_type.unwrap_or("application/json"))
            .body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Answer { status, headers, body }
}

pub const ADMIN: (&str, &str) = ("admin", "admin");
