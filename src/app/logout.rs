//! RP-initiated logout (`/oidc/logout`) as OIDCSESSION's `OIDCLogoutServlet` decides it: the `id_token_hint` (our
//! signature, its `azp`/`aud` a registered client) or, from 7.0, a `client_id`; the `post_logout_redirect_uri`
//! checked against that client's callback; the request kept, under the browser session, while the user answers
//! the logout consent page; the browser session ended.
//!
//! Without a hint (or client) the redirect URI is never used: the user ends at WSO2's logged-out page, so no
//! request can send a browser anywhere the application did not register.

use super::oauth::super_tenant;
use super::{App, Tenant};
use crate::domain::oauth::{self, text};
use crate::domain::{DomainError, Millis};

/// A logout request as `/oidc/logout` received it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogoutRequest {
    pub id_token_hint: Option<String>,
    /// 7.0+: names the client when there is no hint.
    pub client_id: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
}

/// A checked logout: where the browser goes once the session has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedLogout {
    /// A `post_logout_redirect_uri` that matched the client's callback; None = WSO2's logged-out page.
    pub redirect_uri: Option<String>,
    /// Echoed on the way out (`appendStateQueryParam`).
    pub state: Option<String>,
}

/// Why a logout request is refused: WSO2 sends the browser to `oauth2_error.do` with `access_denied` and this
/// text.
#[derive(Debug, PartialEq, Eq)]
pub enum LogoutRefusal {
    ErrorPage(&'static str),
    Domain(DomainError),
}

/// How long a logout waits on its consent page.
pub(super) const PENDING_TTL_MS: Millis = 15 * 60 * 1000;

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.trim().is_empty())
}

impl App {
    /// `processLogoutRequest`: the client the request names (the hint's, verified, or 7.0+'s `client_id`) and the
    /// redirect URI checked against its callback. A request naming no client keeps only its `state`. The client
    /// is looked for in `url`'s tenant (`/t/{domain}/oidc/logout`), else in its own.
    pub fn check_logout(&self, url: Option<&Tenant>, req: &LogoutRequest) -> Result<CheckedLogout, LogoutRefusal> {
        let all = [
            &req.id_token_hint,
            &req.client_id,
            &req.post_logout_redirect_uri,
            &req.state,
        ];
        if all.iter().any(|v| {
            v.as_deref()
                .is_some_and(|v| v.len() > 4 * super::oauth::MAX_PARAM_CHARS)
        }) {
            return Err(LogoutRefusal::ErrorPage(text::LOGOUT_NO_SESSION));
        }
        let state = req.state.clone();
        let named = if self.profile().oauth.logout_client_id {
            present(&req.client_id)
        } else {
            None
        };
        let client_id = match (named, present(&req.id_token_hint)) {
            (Some(id), None) => id.to_string(),
            (named, Some(hint)) => {
                let key = self.signing_key().ok_or(LogoutRefusal::Domain(DomainError::Internal))?;
                let payload = key
                    .verify(hint)
                    .ok_or(LogoutRefusal::ErrorPage(text::ID_TOKEN_SIGNATURE))?;
                let from_hint =
                    oauth::id_token_client(&payload).ok_or(LogoutRefusal::ErrorPage(text::LOGOUT_NO_SESSION))?;
                named.map_or(from_hint, str::to_string)
            }
            (None, None) => {
                return Ok(CheckedLogout {
                    redirect_uri: None,
                    state,
                });
            }
        };
        let tenant = match url {
            Some(t) => t.clone(),
            None => self
                .client_tenant(&client_id)
                .map_err(LogoutRefusal::Domain)?
                .unwrap_or_else(super_tenant),
        };
        let found = self
            .store
            .read(tenant.id, |tx| tx.app(&client_id))
            .map_err(|e| LogoutRefusal::Domain(e.into()))?;
        let Some(app) = found else {
            return Err(LogoutRefusal::ErrorPage(text::LOGOUT_CLIENT_NOT_FOUND));
        };
        let redirect_uri = match present(&req.post_logout_redirect_uri) {
            None => None,
            Some(uri) if oauth::post_logout_uri_matches(&app.callback, uri) => Some(uri.to_string()),
            Some(_) => return Err(LogoutRefusal::ErrorPage(text::POST_LOGOUT_MISMATCH)),
        };
        Ok(CheckedLogout { redirect_uri, state })
    }

    /// Keep a checked logout while the user answers the consent page of browser session `session_token` (WSO2
    /// keys it by the `opbs` cookie; here a one-way digest of the session).
    pub fn remember_logout(&self, session_token: &str, logout: CheckedLogout) {
        self.pending_logouts
            .put(oauth::half_hash(session_token), logout, self.now());
    }

    /// The logout waiting on browser session `session_token`, taken (a consent answers it once).
    pub fn take_logout(&self, session_token: &str) -> Option<CheckedLogout> {
        self.pending_logouts.take(&oauth::half_hash(session_token), self.now())
    }
}
