//! `POST /api/identity/user/v1.0/resend-code` (identity-governance's user API, `ResendCodeApiServiceImpl`) for the
//! forced-reset scenarios: a new code, the old one dead, one new mail (`App::resend_reset_code`).
//!
//! Request (`ResendCodeRequestDTO`): `{"user": {"username": …, "realm": …, "tenant-domain": …}, "properties":
//! [{"key": "RecoveryScenario", "value": "ADMIN_FORCED_PASSWORD_RESET_VIA_EMAIL_LINK"}]}`. The scenario is the one
//! `RecoveryScenario` property (none, or two, is no scenario: WSO2 then resends a self sign-up code, which
//! forcereset never has). Success is `201 Created` with no body (notifications managed internally: no key). What a
//! user with no pending reset of that scenario gets depends on the release (the profile's `NoPendingReset`).

use hyper::StatusCode;
use serde::Deserialize;

use super::error::{ApiError, Failure};
use super::{Cx, Need, Op, Reply, Verb};
use crate::domain::profile::rest::NoPendingReset;
use crate::domain::{TENANT_DOMAIN, USER_STORE_DOMAIN};

pub const RESEND_CODE: &str = "/api/identity/user/v1.0/resend-code";

pub const RESEND: Op = Op::new(
    Verb::Post,
    RESEND_CODE,
    Need::PerRelease(|p| p.rest.resend_code.permission),
    |_| true,
    resend,
);

const SCENARIO_KEY: &str = "RecoveryScenario";

#[derive(Deserialize)]
struct ResendCodeRequest {
    user: UserRef,
    #[serde(default)]
    properties: Vec<Property>,
}

#[derive(Deserialize)]
struct UserRef {
    username: String,
    realm: Option<String>,
    #[serde(rename = "tenant-domain")]
    tenant_domain: Option<String>,
}

#[derive(Deserialize)]
struct Property {
    key: Option<String>,
    value: Option<String>,
}

/// The user API's `ErrorDTO`: only `message` set (and `traceId` from IS 6.0).
fn error(cx: &Cx<'_>, status: StatusCode, message: String) -> ApiError {
    ApiError {
        status,
        code: None,
        message,
        description: None,
        trace_id: cx.profile().rest.resend_code.error_trace_id,
    }
}

fn resend(cx: &Cx<'_>) -> Result<Reply, Failure> {
    let request: ResendCodeRequest =
        serde_json::from_slice(&cx.body).map_err(|_| Failure::Api(ApiError::unreadable_body()))?;
    let mut scenarios = request
        .properties
        .iter()
        .filter(|p| p.key.as_deref() == Some(SCENARIO_KEY))
        .map(|p| p.value.as_deref().unwrap_or_default());
    let scenario = match (scenarios.next(), scenarios.next()) {
        (Some(one), None) => one,
        _ => "",
    };
    let user = &request.user;
    // Another user store or tenant holds no user of ours: no recovery data, as in WSO2.
    let ours = user
        .realm
        .as_deref()
        .is_none_or(|r| r.eq_ignore_ascii_case(USER_STORE_DOMAIN))
        && user
            .tenant_domain
            .as_deref()
            .is_none_or(|t| t.eq_ignore_ascii_case(TENANT_DOMAIN));
    let resent = if ours {
        cx.app
            .resend_reset_code(cx.actor, &user.username, scenario)
            .map_err(|e| {
                Failure::from_api(
                    &e,
                    cx.actor.name(),
                    |text| error(cx, StatusCode::BAD_REQUEST, text),
                    error(
                        cx,
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Server encountered an error while serving the request.".into(),
                    ),
                )
            })?
            .is_some()
    } else {
        false
    };
    if resent {
        return Ok(Reply::Empty(StatusCode::CREATED));
    }
    match cx.profile().rest.resend_code.no_pending_reset {
        NoPendingReset::Created => Ok(Reply::Empty(StatusCode::CREATED)),
        NoPendingReset::NotImplemented => Err(Failure::Api(error(
            cx,
            StatusCode::NOT_IMPLEMENTED,
            "This service is not yet implemented.".into(),
        ))),
        NoPendingReset::BadRequest => Err(Failure::Api(error(
            cx,
            StatusCode::BAD_REQUEST,
            "User recovery data is not found. Please re-initiate the recovery flow.".into(),
        ))),
    }
}
