//! The expired-password pages: where a good login whose password has expired goes, per release
//! (`profile::expiry::Enforcer`), and the change made there. The rule and the change are `App`'s.
//!
//! - 5.x–6.x, PWP's `password-reset-enforcer` (PWP v1.0.30 `PasswordResetEnforcer.initiateAuthenticationRequest`):
//!   302 to `/authenticationendpoint/pwd-reset.jsp?sessionDataKey=…&username=<urlenc tom@carbon.super>
//!   &authenticators=password-reset-enforcer:LOCAL`; the page ("Change your password": `CURRENT_PWD`, `NEW_PWD`,
//!   `NEW_PWD_CONFIRMATION`, "Change password", as PWP's `pwd-reset.jsp`) posts to `/commonauth` in the same flow;
//!   a refusal comes back to the page with `&authFailure=true&authFailureMsg=<urlenc text>`; the change completes
//!   the login (on to the dashboard, where it was going).
//! - 7.x, GOV's `EnforcePasswordResetAuthenticationHandler`: 302 to `<product URL>/accountrecoveryendpoint/
//!   password-recovery-confirm.jsp?confirmation=<code>&passwordExpired=true` (+ `&passwordExpiredMsg=
//!   Password+has+expired` from 7.1). The page asks the new password twice and posts back to itself; once set,
//!   the user signs in again with it (WSO2's portal page text and its post target are UNCONFIRMED).
//!
//! A page shows words only for a flow or code the server holds: a crafted link gets no text onto it. The 7.x post
//! is refused from another site's page (`csrf::from_foreign_page`), as the recovery portal's are.

use std::sync::Arc;

use hyper::header::HeaderMap;
use hyper::{Request, StatusCode};

use super::csrf::{FLOW_COOKIE, flows};
use super::input::{self, MAX_FIELD_CHARS, cookie};
use super::login::{enc, signed_in};
use super::pages::{self, SIGN_IN};
use super::{DASHBOARD_PATH, blocking};
use crate::app::{App, ChangeFields, ExpiredChange, Tenant};
use crate::domain::expiry::{ChangeRefusal, PASSWORD_EXPIRED, RETRY_TEXT};
use crate::domain::profile::expiry::Enforcer;
use crate::domain::secret::Secret;
use crate::http::request::{Params, RequestBody, Scheme};
use crate::http::response::{self, HttpResponse};

/// PWP's page (`PasswordPolicyConstants.PASSWORD_RESET_ENFORCER_PAGE` beside `login.do`).
pub const PWD_RESET_PATH: &str = "/authenticationendpoint/pwd-reset.jsp";
/// GOV's `PasswordPolicyConstants.PASSWORD_RESET_PAGE`.
pub const RECOVERY_CONFIRM_PATH: &str = "/accountrecoveryendpoint/password-recovery-confirm.jsp";
/// PWP's `authenticators` value.
const AUTHENTICATORS: &str = "password-reset-enforcer:LOCAL";

/// Does this `/commonauth` post come from the change page?
pub(super) fn is_change_post(form: &Params) -> bool {
    ["CURRENT_PWD", "NEW_PWD", "NEW_PWD_CONFIRMATION"]
        .iter()
        .any(|f| form.get(f).is_some())
}

/// Where a good login with an expired password goes: the release's page, with the change held for it.
/// `typed` is the user name as typed, `user` the canonical one, in `tenant`.
pub(super) fn expired_location(app: &App, key: &str, typed: &str, tenant: &Tenant, user: &str) -> HttpResponse {
    let profile = &app.profile().expiry;
    match profile.enforcer {
        Enforcer::Authenticator => {
            app.hold_expired_change(tenant, user, Some(key));
            response::redirect(&enforcer_location(key, typed, &tenant.domain, None))
        }
        Enforcer::PostAuthenticationHandler => {
            // The handler ends the login here (INCOMPLETE, redirected away); the flow's key is spent.
            flows().consume(key);
            let code = app.hold_expired_change(tenant, user, None);
            let msg = if profile.expired_msg_param {
                format!("&passwordExpiredMsg={}", enc(PASSWORD_EXPIRED))
            } else {
                String::new()
            };
            let url = app.product_url();
            response::redirect(&format!(
                "{url}{RECOVERY_CONFIRM_PATH}?confirmation={}&passwordExpired=true{msg}",
                enc(&code)
            ))
        }
    }
}

/// PWP's redirect to its page; `failure` is the text of a refused change.
fn enforcer_location(key: &str, typed: &str, domain: &str, failure: Option<&str>) -> String {
    // `UserCoreUtil.addTenantDomainToEntry`: the tenant-aware name with its tenant's domain (once).
    let name = typed
        .len()
        .checked_sub(domain.len() + 1)
        .filter(|&at| typed[at..].eq_ignore_ascii_case(&format!("@{domain}")))
        .map_or(typed, |at| &typed[..at]);
    let username = enc(&format!("{name}@{domain}"));
    let retry = failure.map_or(String::new(), |text| {
        format!("&authFailure=true&authFailureMsg={}", enc(text))
    });
    format!(
        "{PWD_RESET_PATH}?sessionDataKey={}&username={username}&authenticators={AUTHENTICATORS}{retry}",
        enc(key)
    )
}

/// The texts a refused change may put on the page: PWP's own, nothing a link makes up.
fn known_failure(text: &str, policy_regex: &str) -> Option<String> {
    let known = [
        ChangeRefusal::AllFieldsRequired,
        ChangeRefusal::SameAsCurrent,
        ChangeRefusal::ConfirmationMismatch,
        ChangeRefusal::WrongCurrent,
        ChangeRefusal::Policy(policy_regex.to_string()),
    ];
    known.iter().map(ChangeRefusal::text).find(|t| t == text)
}

/// A login that must be started again.
fn start_again() -> HttpResponse {
    pages::message(
        StatusCode::FORBIDDEN,
        "Sign-in expired",
        None,
        "This password change is no longer open (it expired, was already used, or was not issued to this \
         browser). Sign in again to change your expired password.",
        Some(SIGN_IN),
    )
}

/// `GET /authenticationendpoint/pwd-reset.jsp`.
pub fn enforcer_page(app: &App, req: &Request<RequestBody>) -> HttpResponse {
    let params = Params::from_query(req.uri());
    let key = params.get("sessionDataKey").filter(|k| k.len() <= MAX_FIELD_CHARS);
    let flow_cookie = cookie(req.headers(), FLOW_COOKIE);
    let held = key
        .filter(|k| flows().check(k, flow_cookie.as_deref(), app.now()))
        .and_then(|k| app.expired_change_user(k).map(|(_, u)| (k, u)));
    let Some((key, user)) = held else {
        return start_again();
    };
    let error = (params.get("authFailure") == Some("true")).then(|| {
        params
            .get("authFailureMsg")
            .and_then(|m| known_failure(m, app.password_pattern()))
            .unwrap_or_else(|| RETRY_TEXT.to_string())
    });
    form_page(FormPage {
        heading: "Change your password",
        expired_notice: None,
        user: &user,
        error: error.as_deref(),
        action: super::COMMONAUTH_PATH,
        session_data_key: Some(key),
        confirmation: None,
        with_current: true,
    })
}

/// The change page's fields.
struct FormPage<'a> {
    heading: &'a str,
    expired_notice: Option<&'a str>,
    user: &'a str,
    error: Option<&'a str>,
    action: &'a str,
    session_data_key: Option<&'a str>,
    confirmation: Option<&'a str>,
    with_current: bool,
}

fn form_page(page: FormPage<'_>) -> HttpResponse {
    pages::render(
        StatusCode::OK,
        "expiry_form.html",
        minijinja::context! {
            title => page.heading,
            heading => page.heading,
            expired_notice => page.expired_notice,
            user => page.user,
            error => page.error,
            action => page.action,
            session_data_key => page.session_data_key,
            confirmation => page.confirmation,
            with_current => page.with_current,
            submit_label => if page.with_current { "Change password" } else { "Submit" },
        },
    )
}

/// `POST /commonauth` from pwd-reset.jsp (the flow already checked): PWP's `processAuthenticationResponse`.
pub(super) async fn enforcer_change(
    app: Arc<App>,
    headers: &HeaderMap,
    form: &Params,
    key: &str,
    scheme: Scheme,
) -> HttpResponse {
    let field = |name| form.get(name).map(Secret::new);
    let fields = ChangeFields {
        current: field("CURRENT_PWD"),
        new: field("NEW_PWD"),
        confirm: field("NEW_PWD_CONFIRMATION"),
    };
    let ticket = key.to_string();
    let outcome = blocking(&app, move |app| app.change_expired_password(&ticket, &fields)).await;
    match outcome {
        Ok(Ok(ExpiredChange::Changed { tenant, user })) => signed_in(&app, headers, key, tenant, &user, scheme).await,
        Ok(Ok(ExpiredChange::Refused(refusal))) => match app.expired_change_user(key) {
            // PWP names the authenticated subject, the canonical name.
            Some((tenant, user)) => {
                response::redirect(&enforcer_location(key, &user, &tenant.domain, Some(&refusal.text())))
            }
            None => start_again(),
        },
        Ok(Ok(ExpiredChange::NoTicket)) => start_again(),
        Ok(Err(e)) => pages::domain_error(&e),
        Err(resp) => resp,
    }
}

/// `GET /accountrecoveryendpoint/password-recovery-confirm.jsp?confirmation=…&passwordExpired=true`.
pub fn recovery_page(app: &App, req: &Request<RequestBody>) -> HttpResponse {
    let params = Params::from_query(req.uri());
    let held = params
        .get("confirmation")
        .filter(|c| c.len() <= MAX_FIELD_CHARS)
        .and_then(|c| app.expired_change_user(c).map(|(_, u)| (c, u)));
    let Some((code, user)) = held else {
        return start_again();
    };
    recovery_form(&user, code, None)
}

fn recovery_form(user: &str, code: &str, error: Option<&str>) -> HttpResponse {
    form_page(FormPage {
        heading: "Reset Password",
        expired_notice: Some(PASSWORD_EXPIRED),
        user,
        error,
        action: RECOVERY_CONFIRM_PATH,
        session_data_key: None,
        confirmation: Some(code),
        with_current: false,
    })
}

/// `POST /accountrecoveryendpoint/password-recovery-confirm.jsp`: the new password twice and the code.
pub async fn recovery_change(app: Arc<App>, req: Request<RequestBody>) -> HttpResponse {
    if super::csrf::from_foreign_page(req.headers(), &app.product_url()) {
        return pages::message(
            StatusCode::FORBIDDEN,
            "Request not accepted",
            None,
            "This password change was not sent from this server's page, so it was not accepted.",
            Some(SIGN_IN),
        );
    }
    let (_, form) = match input::read_form(req).await {
        Ok(pf) => pf,
        Err(bad) => return pages::bad_input(&bad),
    };
    let code = form.get("confirmation").unwrap_or_default().to_string();
    let field = |name| form.get(name).map(Secret::new);
    let fields = ChangeFields {
        current: None,
        new: field("reset-password"),
        confirm: field("reset-password2"),
    };
    let ticket = code.clone();
    let outcome = blocking(&app, move |app| app.change_expired_password(&ticket, &fields)).await;
    match outcome {
        Ok(Ok(ExpiredChange::Changed { .. })) => pages::notice(
            "Password updated",
            "Updated the password successfully. Sign in with your new password.",
            Some(pages::Link {
                href: DASHBOARD_PATH,
                label: "Sign in",
            }),
        ),
        Ok(Ok(ExpiredChange::Refused(refusal))) => match app.expired_change_user(&code) {
            Some((_, user)) => recovery_form(&user, &code, Some(&refusal.text())),
            None => start_again(),
        },
        Ok(Ok(ExpiredChange::NoTicket)) => start_again(),
        Ok(Err(e)) => pages::domain_error(&e),
        Err(resp) => resp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::expiry;

    #[test]
    fn pwps_redirect_names_the_qualified_user_and_the_failure() {
        assert_eq!(
            enforcer_location("K1", "tom", "carbon.super", None),
            "/authenticationendpoint/pwd-reset.jsp?sessionDataKey=K1&username=tom%40carbon.super\
             &authenticators=password-reset-enforcer:LOCAL"
        );
        let retry = enforcer_location("K1", "tom", "carbon.super", Some(expiry::SAME_AS_CURRENT));
        assert!(
            retry.ends_with(
                "&authFailure=true&authFailureMsg=You+cannot+use+your+previous+password+as+your+new+password"
            )
        );
    }

    #[test]
    fn only_pwps_texts_reach_the_page() {
        assert_eq!(
            known_failure(expiry::CONFIRMATION_MISMATCH, "^x$").as_deref(),
            Some(expiry::CONFIRMATION_MISMATCH)
        );
        assert_eq!(known_failure("Call 555-0100 now", "^x$"), None);
    }
}
