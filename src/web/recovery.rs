//! The recovery portal's reset pages, as WSO2's accountrecoveryendpoint serves them, so a script written against
//! WSO2 works unchanged:
//!
//! - `GET confirmrecovery.do?confirmation=…&username=…[&callback=…|&redirect_uri=…][&tenantdomain=…]
//!   [&sessionDataKey=…]` checks the code and holds it server-side for this browser (WSO2: the HTTP session
//!   attribute `confirmationKey`; here a recovery flow in `app`, found by the `JSESSIONID` cookie scoped to
//!   `/accountrecoveryendpoint`, `SameSite=Strict`), then shows the "Reset Password" form. A `HEAD` only says
//!   200: link checkers in mail systems send one, and it must not spend the code's attempts.
//! - `POST completepasswordreset.do` takes WSO2's fields `reset-password` and `reset-password2` (or `password` and
//!   `confirmPassword`, which forcereset's own form posted before) and sets the password with the code of the
//!   session. Without a session, a client may name the reset itself (`username` and `confirmation`, in the form or
//!   the query). Once set, the release decides the answer: "Updated the password successfully" (5.9, 5.10), or
//!   the browser sent on to the callback with `passwordReset=true` (5.11 on).
//!
//! No hidden token: a post whose `Origin` or `Referer` names another site is refused, and the session cookie is
//! never sent by a browser on another site's post. WSO2's codes and texts: `18001` "Invalid Code", `18002`
//! "Expired Code" (`18022` "Expired OTP" in 7.2). A code that ran out of attempts is refused with words of its own
//! (WSO2 has no attempt limit). Checking a wrong code spends one of its attempts (by design: guessing is
//! bounded); a weak or mismatched password spends nothing.

use std::sync::Arc;

use hyper::header::{HeaderMap, HeaderValue, REFERRER_POLICY};
use hyper::{Request, StatusCode};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::input::{self, BadInput};
use super::pages::{self, SIGN_IN};
use super::{DASHBOARD_PATH, LOGIN_PAGE_PATH, blocking};
use crate::app::{App, CodeCheck, RecoveryFlow, RecoveryOpening, RecoveryRequest, Tenant};
use crate::domain::profile::recovery::{CodeQuote, Completion, RecoveryProfile};
use crate::domain::reset::SCENARIO_OTP;
use crate::domain::secret::Secret;
use crate::domain::{DomainError, TENANT_DOMAIN};
use crate::http::cookie::{self, SameSite, SetCookie};
use crate::http::request::{HeadRequest, Params, RequestBody, Scheme};
use crate::http::response::{self, HttpResponse};
use crate::util::java_hashmap_order;

/// The recovery portal's session cookie: Tomcat's, scoped to the web application.
const SESSION_COOKIE: &str = "JSESSIONID";
const COOKIE_PATH: &str = "/accountrecoveryendpoint";

/// WSO2's texts (the recovery portal's `Resources.properties`).
const CODE_MISSING: &str = "Cannot process the email notification confirmation. confirmation code is missing.";
const PASSWORD_EMPTY: &str = "Password cannot be empty.";
const PASSWORDS_DIFFER: &str = "Passwords did not match. Please try again.";
const UPDATED: &str = "Updated the password successfully";
/// identity-governance's 20044 (`ERROR_CODE_CALLBACK_URL_NOT_VALID`).
const CALLBACK_NOT_VALID: &str = "Configured callback URL does not match with the provided callback";

/// OWASP `Encode.forUriComponent`: everything but the RFC 3986 unreserved characters is percent-encoded.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `GET confirmrecovery.do`. `userstoredomain` is accepted and not acted on (there is one store); the tenant is
/// the link's `tenantdomain` or `tenantDomain`, else the page's `/t/{domain}/`, else carbon.super (WSO2's pages
/// read one spelling each, which product-is#12790 and #13963 tripped over: both are read here).
pub async fn confirm(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    if req.extensions().get::<HeadRequest>().is_some() {
        return response::empty(StatusCode::OK);
    }
    let url_tenant = req.extensions().get::<Tenant>().map(|t| t.domain.clone());
    let query = Params::from_query(req.uri());
    let request = match confirm_request(&query, url_tenant) {
        Ok(Ok(r)) => r,
        Ok(Err(page)) => return page,
        Err(bad) => return pages::bad_input(&bad),
    };
    let code = request.code.clone();
    let profile = app.profile().recovery.clone();
    match blocking(&app, move |app| app.open_recovery(request)).await {
        Ok(Ok(RecoveryOpening::Opened { token, flow })) => {
            let mut resp = reset_form(&profile, StatusCode::OK, &flow, None);
            session_cookie(&token).set(&mut resp, scheme);
            resp
        }
        Ok(Ok(RecoveryOpening::Refused(check))) => refused(&profile, &check, Some(code.expose())),
        Ok(Err(e)) => pages::domain_error(&e),
        Err(resp) => resp,
    }
}

/// What `confirmrecovery.do` was asked, or the page refusing it before any code is checked.
fn confirm_request(
    query: &Params,
    url_tenant: Option<String>,
) -> Result<Result<RecoveryRequest, HttpResponse>, BadInput> {
    let code = input::optional(query, "confirmation")?.unwrap_or_default();
    if code.trim().is_empty() {
        return Ok(Err(pages::message(
            StatusCode::BAD_REQUEST,
            "Invalid code",
            Some("18001"),
            CODE_MISSING,
            Some(SIGN_IN),
        )));
    }
    let callback = match input::optional(query, "callback")? {
        Some(c) if !c.trim().is_empty() => Some(c),
        _ => input::optional(query, "redirect_uri")?,
    };
    if let Some(c) = callback.filter(|c| !callback_is_followable(c)) {
        return Ok(Err(callback_refused(c)));
    }
    Ok(Ok(RecoveryRequest {
        user: input::required(query, "username")?.to_string(),
        code: Secret::new(code),
        callback: callback.map(str::to_string),
        tenant_domain: match input::optional(query, "tenantdomain")?.filter(|d| !d.is_empty()) {
            Some(d) => Some(d.to_string()),
            None => input::optional(query, "tenantDomain")?
                .filter(|d| !d.is_empty())
                .map(str::to_string)
                .or(url_tenant),
        },
        session_data_key: input::optional(query, "sessionDataKey")?.map(str::to_string),
    }))
}

/// `POST completepasswordreset.do`.
pub async fn complete(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    if super::csrf::from_foreign_page(req.headers(), &app.product_url()) {
        return pages::message(
            StatusCode::FORBIDDEN,
            "Form not accepted",
            None,
            "This password form was sent from another site's page, so nothing was changed. Open the reset link \
             again.",
            None,
        );
    }
    let query = Params::from_query(req.uri());
    let url_tenant = req.extensions().get::<Tenant>().map(|t| t.domain.clone());
    let (parts, form) = match input::read_form(req).await {
        Ok(pf) => pf,
        Err(bad) => return pages::bad_input(&bad),
    };
    let fields = match ResetFields::read(&form, &query, url_tenant) {
        Ok(f) => f,
        Err(bad) => return pages::bad_input(&bad),
    };
    let profile = app.profile().recovery.clone();

    // The session's flow; else the reset the request names, checked now (as confirmrecovery.do would).
    let (token, flow, new_session) = match live_flow(&app, &parts.headers) {
        Some((token, flow)) => (token, flow, false),
        None => {
            let Some(request) = fields.named_reset() else {
                return no_session();
            };
            let code = request.code.clone();
            match blocking(&app, move |app| app.open_recovery(request)).await {
                Ok(Ok(RecoveryOpening::Opened { token, flow })) => (token, flow, true),
                Ok(Ok(RecoveryOpening::Refused(check))) => return refused(&profile, &check, Some(code.expose())),
                Ok(Err(e)) => return pages::domain_error(&e),
                Err(resp) => return resp,
            }
        }
    };
    let with_session = |mut resp: HttpResponse| {
        if new_session {
            session_cookie(&token).set(&mut resp, scheme);
        }
        resp
    };

    let Some(password) = fields.password.filter(|p| !p.is_empty()) else {
        return with_session(reset_form(
            &profile,
            StatusCode::BAD_REQUEST,
            &flow,
            Some(PASSWORD_EMPTY),
        ));
    };
    if fields.confirm.is_some_and(|c| c != password) {
        return with_session(reset_form(
            &profile,
            StatusCode::BAD_REQUEST,
            &flow,
            Some(PASSWORDS_DIFFER),
        ));
    }
    let complete_token = token.clone();
    match blocking(&app, move |app| app.complete_recovery(&complete_token, &password)).await {
        Ok(Ok(CodeCheck::Valid { .. })) => {
            let mut resp = completed(&profile, flow.callback.as_deref());
            if !new_session {
                session_cookie(&token).clear(&mut resp, scheme);
            }
            resp
        }
        // The session's code is no longer the pending one (used, replaced, expired, dead).
        Ok(Ok(check)) => refused(&profile, &check, None),
        Ok(Err(DomainError::PasswordPolicy(pattern))) => with_session(reset_form(
            &profile,
            StatusCode::BAD_REQUEST,
            &flow,
            Some(&format!(
                "The new password does not meet the password policy. It must match the pattern {pattern}"
            )),
        )),
        Ok(Err(e)) => pages::domain_error(&e),
        Err(resp) => resp,
    }
}

/// The fields of a submitted reset form.
struct ResetFields {
    password: Option<Secret>,
    confirm: Option<Secret>,
    /// The reset a session-less post names: `username` and `confirmation` (form, else query).
    username: Option<String>,
    code: Option<String>,
    callback: Option<String>,
    tenant_domain: Option<String>,
    session_data_key: Option<String>,
}

impl ResetFields {
    fn read(form: &Params, query: &Params, url_tenant: Option<String>) -> Result<ResetFields, BadInput> {
        let either = |names: &[&str]| -> Result<Option<String>, BadInput> {
            for params in [form, query] {
                for name in names {
                    if let Some(v) = input::optional(params, name)?.filter(|v| !v.is_empty()) {
                        return Ok(Some(v.to_string()));
                    }
                }
            }
            Ok(None)
        };
        // WSO2's name first, then forcereset's earlier one; an empty field counts as not sent.
        let secret = |names: &[&str]| -> Result<Option<Secret>, BadInput> {
            for name in names {
                if let Some(v) = input::optional(form, name)?.filter(|v| !v.is_empty()) {
                    return Ok(Some(Secret::new(v)));
                }
            }
            Ok(None)
        };
        Ok(ResetFields {
            password: secret(&["reset-password", "password"])?,
            confirm: secret(&["reset-password2", "confirmPassword"])?,
            username: either(&["username"])?,
            code: either(&["confirmation"])?,
            callback: either(&["callback", "redirect_uri"])?.filter(|c| callback_is_followable(c)),
            tenant_domain: either(&["tenantdomain", "tenantDomain"])?.or(url_tenant),
            session_data_key: either(&["sessionDataKey"])?,
        })
    }

    fn named_reset(&self) -> Option<RecoveryRequest> {
        Some(RecoveryRequest {
            user: self.username.clone()?,
            code: Secret::new(self.code.clone()?),
            callback: self.callback.clone(),
            tenant_domain: self.tenant_domain.clone(),
            session_data_key: self.session_data_key.clone(),
        })
    }
}

/// The live flow of the browser's session cookie (every `JSESSIONID` it sent is tried: the admin services set
/// one too).
fn live_flow(app: &App, headers: &HeaderMap) -> Option<(String, RecoveryFlow)> {
    cookie::values(headers, SESSION_COOKIE)
        .filter(|t| t.len() <= input::MAX_FIELD_CHARS)
        .find_map(|t| app.recovery_flow(t).map(|flow| (t.to_string(), flow)))
}

fn session_cookie(token: &str) -> SetCookie<'_> {
    SetCookie {
        name: SESSION_COOKIE,
        value: token,
        path: COOKIE_PATH,
        same_site: Some(SameSite::Strict),
    }
}

/// A post with neither a live session nor a reset named: WSO2 then has no code to use.
fn no_session() -> HttpResponse {
    pages::message(
        StatusCode::BAD_REQUEST,
        "Invalid code",
        Some("18001"),
        "This password reset page has expired or was not opened in this browser, so nothing was changed. Open the \
         reset link again.",
        Some(SIGN_IN),
    )
}

/// The "Reset Password" form for a flow, with an optional inline error. Its page sends its origin with the
/// post (`Referrer-Policy: same-origin`), so the origin check knows our own form.
fn reset_form(profile: &RecoveryProfile, status: StatusCode, flow: &RecoveryFlow, error: Option<&str>) -> HttpResponse {
    let (username, session_data_key) = if profile.form_carries_login {
        (Some(flow.user.as_str()), flow.session_data_key.as_deref())
    } else {
        (None, None)
    };
    let mut resp = pages::render(
        status,
        "reset_form.html",
        minijinja::context! {
            title => "Reset Password",
            user => flow.user,
            username => username,
            session_data_key => session_data_key,
            callback => flow.callback,
            tenant_domain => flow.tenant_domain.as_deref().unwrap_or(TENANT_DOMAIN),
            submit_label => profile.submit_label,
            error => error,
        },
    );
    resp.headers_mut()
        .insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    resp
}

/// The answer once the password is set, per release. Without a callback WSO2 goes to its user portal; forcereset
/// has none: the dashboard (5.9, 5.10: "Close"), or the login page, which then says the password was updated (5.11
/// on: WSO2's portal would send the browser to the login page too).
fn completed(profile: &RecoveryProfile, callback: Option<&str>) -> HttpResponse {
    match profile.completion {
        Completion::SuccessPage => pages::render(
            StatusCode::OK,
            "reset_done.html",
            minijinja::context! {
                title => "Information",
                text => UPDATED,
                href => wso2_callback(callback.unwrap_or(DASHBOARD_PATH), None),
            },
        ),
        Completion::RedirectToCallback => {
            let target = wso2_callback(callback.unwrap_or(LOGIN_PAGE_PATH), Some("passwordReset=true"));
            pages::render(
                StatusCode::OK,
                "reset_redirect.html",
                minijinja::context! { title => "Reset Password", text => UPDATED, href => target },
            )
        }
    }
}

/// A callback as WSO2's page sends the browser to it (`IdentityManagementEndpointUtil.getURLEncodedCallback`): the
/// part before the query as given, then the query's parameters decoded and re-encoded one by one
/// (`Encode.forUriComponent`) in the order of a Java `HashMap` of them, the fragment dropped; then `extra`. WSO2
/// appends `&passwordReset=true` even to a callback without a query; here it then starts the query.
pub fn wso2_callback(callback: &str, extra: Option<&str>) -> String {
    let callback = callback.trim().replace(' ', "%20");
    let without_fragment = callback.split('#').next().unwrap_or_default();
    let (base, query) = match without_fragment.split_once('?') {
        Some((base, query)) => (base, query),
        None => (without_fragment, ""),
    };
    // Java decodes the whole query (URI.getQuery), then splits it.
    let decoded = percent_decode_str(query).decode_utf8_lossy();
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for pair in decoded.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if !pairs.iter().any(|(seen, _)| *seen == k) {
            pairs.push((k, v));
        }
    }
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
    let mut params: Vec<String> = java_hashmap_order(&keys)
        .into_iter()
        .map(|i| {
            let (k, v) = pairs[i];
            format!(
                "{}={}",
                utf8_percent_encode(k, URI_COMPONENT),
                utf8_percent_encode(v, URI_COMPONENT)
            )
        })
        .collect();
    params.extend(extra.map(str::to_string));
    if params.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", params.join("&"))
    }
}

/// Where this server will send a browser after a reset: a path on this server, or an `http(s)` URL. WSO2's default
/// callback regex (`.*`) lets anything through, `javascript:` included; that is not followed here.
fn callback_is_followable(callback: &str) -> bool {
    let c = callback.trim();
    let lower = c.to_ascii_lowercase();
    let path = c.starts_with('/') && !c.starts_with("//") && !c.starts_with("/\\");
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    (path || web) && !c.chars().any(char::is_control)
}

fn callback_refused(callback: &str) -> HttpResponse {
    pages::message(
        StatusCode::BAD_REQUEST,
        "Invalid callback",
        Some("20044"),
        &format!("{CALLBACK_NOT_VALID} {callback}"),
        Some(SIGN_IN),
    )
}

/// The page for a code that cannot be used. `code` is what the client sent, quoted as WSO2 quotes it; None when
/// the code came from the session (it is not kept).
fn refused(profile: &RecoveryProfile, check: &CodeCheck, code: Option<&str>) -> HttpResponse {
    let quoted = |what: &str| match (code, profile.code_quote) {
        (Some(code), CodeQuote::PeriodInside) => format!("{what} '{code}.'"),
        (Some(code), CodeQuote::PeriodOutside) => format!("{what} '{code}'."),
        (None, _) => format!("{what}: the code this page was opened with is no longer the pending one."),
    };
    match check {
        CodeCheck::Expired { scenario } if profile.expired_otp_code && scenario == SCENARIO_OTP => pages::message(
            StatusCode::GONE,
            "Expired code",
            Some("18022"),
            &format!(
                "{} Ask your administrator for a new password reset.",
                quoted("Expired OTP")
            ),
            Some(SIGN_IN),
        ),
        CodeCheck::Expired { .. } => pages::message(
            StatusCode::GONE,
            "Expired code",
            Some("18002"),
            &format!(
                "{} Ask your administrator for a new password reset.",
                quoted("Expired Code")
            ),
            Some(SIGN_IN),
        ),
        CodeCheck::Dead => pages::message(
            StatusCode::GONE,
            "Reset code no longer usable",
            None,
            "This password reset code was tried too many times with a wrong value and can no longer be used. A new \
             password reset is needed: ask your administrator.",
            Some(SIGN_IN),
        ),
        // `Valid` never comes here (callers go on); should it, refusing is the safe answer.
        CodeCheck::Valid { .. } | CodeCheck::Mismatch { .. } | CodeCheck::Unknown => pages::message(
            StatusCode::BAD_REQUEST,
            "Invalid code",
            Some("18001"),
            &quoted("Invalid Code"),
            Some(SIGN_IN),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_are_re_encoded_in_wso2_s_order() {
        // The 5.11 login callback: authenticators before sessionDataKey, ':' encoded.
        assert_eq!(
            wso2_callback(
                "/authenticationendpoint/login.do?sessionDataKey=0a1b-2c&authenticators=BasicAuthenticator:LOCAL",
                Some("passwordReset=true")
            ),
            "/authenticationendpoint/login.do?authenticators=BasicAuthenticator%3ALOCAL&sessionDataKey=0a1b-2c\
             &passwordReset=true"
        );
        // Decoded first, then encoded one by one; spaces in the path become %20; the fragment goes.
        assert_eq!(
            wso2_callback(" https://app.example/a b?x=%2Fy#top ", None),
            "https://app.example/a%20b?x=%2Fy"
        );
        assert_eq!(
            wso2_callback("/dashboard", Some("passwordReset=true")),
            "/dashboard?passwordReset=true"
        );
        assert_eq!(wso2_callback("/dashboard", None), "/dashboard");
    }

    #[tokio::test]
    async fn refusals_quote_the_code_as_the_release_does() {
        use crate::domain::profile::Wso2Version;
        use http_body_util::BodyExt;
        async fn body(resp: HttpResponse) -> String {
            String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
        }
        let expired = |scenario: &str| CodeCheck::Expired {
            scenario: scenario.into(),
        };
        let page = |v: Wso2Version, check: &CodeCheck| refused(&v.profile().recovery, check, Some("AB12CD"));
        let text = body(page(Wso2Version::V5_11, &CodeCheck::Unknown)).await;
        assert!(
            text.contains("18001") && text.contains("Invalid Code &#x27;AB12CD.&#x27;"),
            "{text}"
        );
        let text = body(page(Wso2Version::V6_0, &CodeCheck::Unknown)).await;
        assert!(text.contains("Invalid Code &#x27;AB12CD&#x27;."), "{text}");
        let text = body(page(Wso2Version::V7_1, &expired(SCENARIO_OTP))).await;
        assert!(
            text.contains("18002") && text.contains("Expired Code &#x27;AB12CD&#x27;."),
            "{text}"
        );
        let text = body(page(Wso2Version::V7_2, &expired(SCENARIO_OTP))).await;
        assert!(
            text.contains("18022") && text.contains("Expired OTP &#x27;AB12CD&#x27;."),
            "{text}"
        );
        let link = crate::domain::reset::SCENARIO_EMAIL_LINK;
        let text = body(page(Wso2Version::V7_2, &expired(link))).await;
        assert!(text.contains("18002"), "{text}");
    }

    #[test]
    fn only_paths_and_web_urls_are_followed() {
        for ok in ["/dashboard", "https://app.example/cb?x=1", "HTTP://app.example"] {
            assert!(callback_is_followable(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "//evil.example",
            "/\\evil.example",
            "data:text/html,x",
            "relative",
            "/a\nb",
        ] {
            assert!(!callback_is_followable(bad), "{bad}");
        }
    }
}
