//! The user's consent before an authorization code is issued, as OAUTH's `OAuth2AuthzEndpoint` asks for it (v6.4.111
//! on): skipped unless `[oauth] prompt_consent` (WSO2's `SkipUserConsent`), or when the user approved the
//! application always before (`OpenIDConnectUserRPStore`, kept in `oauth_consents`; `prompt=consent` forgets it).
//! Otherwise the checked request waits under a random `sessionDataKeyConsent`, bound to the browser session, for one
//! answer: approve (the code), approve always (remembered, then the code) or deny (`access_denied` at the redirect
//! URI with the state).

use super::authorize::{AuthorizeRefusal, CodeRedirect, PendingAuthorization};
use super::{App, Session};
use crate::domain::Millis;
use crate::domain::oauth::{self, ErrorKind, OAuthError, text};
use crate::util::uuid_v4;

/// How long a consent page's request waits for its answer.
pub(super) const PENDING_TTL_MS: Millis = 15 * 60 * 1000;

/// An answer of the consent form (`OAuthConstants.Consent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentAnswer {
    Approve,
    ApproveAlways,
    Deny,
}

impl ConsentAnswer {
    /// `approve`, `approveAlways`; anything else denies.
    pub fn parse(value: Option<&str>) -> ConsentAnswer {
        match value {
            Some("approve") => ConsentAnswer::Approve,
            Some("approveAlways") => ConsentAnswer::ApproveAlways,
            _ => ConsentAnswer::Deny,
        }
    }
}

/// A request waiting on the consent page, with the browser session it belongs to (one-way).
#[derive(Debug, Clone)]
pub(super) struct AwaitingConsent {
    session: String,
    pending: PendingAuthorization,
}

impl App {
    /// Must `session`'s user approve `pending` first? Then the key of the consent page (`sessionDataKeyConsent`);
    /// with `prompt=none`, which may show no page, `consent_required` at the redirect URI instead.
    pub fn consent_step(
        &self,
        session: &Session,
        pending: &PendingAuthorization,
    ) -> Result<Option<String>, AuthorizeRefusal> {
        if !self.settings.prompt_consent {
            return Ok(None);
        }
        // Consents are kept per tenant; a session of another tenant has none here (and gets no code).
        if session.tenant != pending.tenant.id {
            return Err(AuthorizeRefusal::ErrorPage(OAuthError::invalid_request(
                text::INVALID_AUTHZ_REQUEST,
            )));
        }
        let stored = |e: crate::store::StoreError| AuthorizeRefusal::Domain(e.into());
        let approved = if pending.prompt_consent {
            self.store
                .write(pending.tenant.id, |tx| {
                    tx.remove_consent(&session.user, &pending.client_id)
                })
                .map_err(stored)?;
            false
        } else {
            self.store
                .read(pending.tenant.id, |tx| {
                    tx.consent_always(&session.user, &pending.client_id)
                })
                .map_err(stored)?
        };
        if approved {
            return Ok(None);
        }
        if pending.passive {
            return Err(AuthorizeRefusal::Redirect {
                redirect_uri: pending.redirect_uri.clone(),
                error: OAuthError::new(ErrorKind::ConsentRequired, text::CONSENT_REQUIRED),
                state: pending.state.clone(),
            });
        }
        let key = uuid_v4(&mut rand::rng());
        let awaiting = AwaitingConsent {
            session: oauth::half_hash(session.token.as_str()),
            pending: pending.clone(),
        };
        self.pending_consents.put(key.clone(), awaiting, self.now());
        Ok(Some(key))
    }

    /// The request consent page `key` asks about, left in place.
    pub fn consent_request(&self, key: &str) -> Option<PendingAuthorization> {
        self.pending_consents.get(key, self.now()).map(|a| a.pending)
    }

    /// `session`'s answer to consent page `key`, taken once: the code, or `access_denied` at the redirect URI. A key
    /// unknown, used, expired or of another browser session is refused on the error page.
    pub fn answer_consent(
        &self,
        session: &Session,
        key: &str,
        answer: ConsentAnswer,
    ) -> Result<CodeRedirect, AuthorizeRefusal> {
        let now = self.now();
        let invalid = || AuthorizeRefusal::ErrorPage(OAuthError::invalid_request(text::INVALID_AUTHZ_REQUEST));
        let awaiting = self.pending_consents.take(key, now).ok_or_else(invalid)?;
        if awaiting.session != oauth::half_hash(session.token.as_str()) {
            return Err(invalid());
        }
        let pending = awaiting.pending;
        match answer {
            ConsentAnswer::Deny => {
                return Err(AuthorizeRefusal::Redirect {
                    redirect_uri: pending.redirect_uri.clone(),
                    error: OAuthError::new(ErrorKind::AccessDenied, text::CONSENT_DENIED),
                    state: pending.state.clone(),
                });
            }
            ConsentAnswer::ApproveAlways => {
                self.store
                    .write(pending.tenant.id, |tx| {
                        tx.set_consent_always(&session.user, &pending.client_id, now)
                    })
                    .map_err(|e| AuthorizeRefusal::Domain(e.into()))?;
            }
            ConsentAnswer::Approve => {}
        }
        self.issue_code(session, &pending)
            .map_err(|e| AuthorizeRefusal::Domain(e.into_domain()))
    }
}
