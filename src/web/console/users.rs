//! Users and Roles → Users: list and search (`*` wildcard), add a user (password policy, roles, claims), the user
//! page (roles, forced password reset, unlock, password, delete) and the user profile, which shows the
//! supported-by-default claims (so the offline One Time Password appears once that claim is supported).

use std::sync::Arc;

use hyper::StatusCode;
use serde::Serialize;

use super::flash::{self, Flash};
use super::view::{self, Area};
use super::{ADD_ROLE, ADD_USER, Ctx, PROFILE, ROLES, USER, USERS, act, all, link, optional, required, run};
use crate::app::{EVERYONE_ROLE, ProfileField, profile_editable};
use crate::domain::claims::{self, ClaimMeta};
use crate::domain::governance::ResetMode;
use crate::domain::permissions::{self, USERS_CREATE, USERS_DELETE, USERS_UPDATE};
use crate::domain::secret::Secret;
use crate::domain::{DomainError, Millis, reset};
use crate::http::response::HttpResponse;
use crate::util::format_utc;

/// The most users one list shows; a narrower filter finds the rest.
const LIST_LIMIT: usize = 100;

/// A claim as a form or profile shows it.
#[derive(Debug, Clone, Serialize)]
struct ClaimField {
    uri: String,
    /// An HTML id: the claim's name after the dialect, `/` as `-`.
    id: String,
    label: String,
    description: String,
    required: bool,
    editable: bool,
    value: String,
}

fn claim_id(uri: &str) -> String {
    let name = uri.strip_prefix(claims::DIALECT).unwrap_or(uri).trim_start_matches('/');
    format!("claim-{}", name.replace('/', "-"))
}

fn claim_field(meta: &ClaimMeta, value: Option<&str>) -> ClaimField {
    ClaimField {
        uri: meta.uri.clone(),
        id: claim_id(&meta.uri),
        label: meta.display_name.clone(),
        description: meta.description.clone(),
        required: meta.required,
        editable: profile_editable(meta),
        value: value.unwrap_or_default().to_string(),
    }
}

/// A checkbox of a list (roles, users).
#[derive(Debug, Clone, Serialize)]
pub(super) struct Choice {
    pub name: String,
    pub checked: bool,
}

/// The claims the console offers when adding a user or editing a profile.
fn offered(metas: &[Arc<ClaimMeta>]) -> impl Iterator<Item = &ClaimMeta> {
    metas
        .iter()
        .map(|m| &**m)
        .filter(|m| m.supported_by_default && profile_editable(m))
}

fn contains(list: &[String], name: &str) -> bool {
    list.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// `GET /carbon/user/user-mgt.jsp`: Users and Roles.
pub fn home(ctx: Ctx) -> HttpResponse {
    let a = &ctx.session.actor;
    view::page(
        StatusCode::OK,
        "console/users_home.html",
        "Users and Roles",
        Area::Home,
        &ctx.session,
        None,
        minijinja::context! {
            users_href => USERS,
            roles_href => ROLES,
            add_user_href => a.has(USERS_CREATE).then_some(ADD_USER),
            add_role_href => a.has(USERS_CREATE).then_some(ADD_ROLE),
        },
    )
}

#[derive(Debug, Serialize)]
struct UserRow {
    name: String,
    view_href: String,
    profile_href: String,
}

/// `GET /carbon/user/list-users.jsp?filter=…`.
pub async fn list(ctx: Ctx) -> HttpResponse {
    let filter = match optional(&ctx, "filter") {
        Ok(f) => f.map(str::trim).filter(|f| !f.is_empty()).unwrap_or("*").to_string(),
        Err(resp) => return resp,
    };
    let f = filter.clone();
    let mut names = match run(&ctx, move |app, a| app.list_users(a, &f, LIST_LIMIT as i64 + 1)).await {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    let more = names.len() > LIST_LIMIT;
    names.truncate(LIST_LIMIT);
    let rows: Vec<UserRow> = names
        .into_iter()
        .map(|name| UserRow {
            view_href: link(USER, "username", &name),
            profile_href: link(PROFILE, "username", &name),
            name,
        })
        .collect();
    let a = &ctx.session.actor;
    view::page(
        StatusCode::OK,
        "console/users.html",
        "Users",
        Area::Users,
        &ctx.session,
        None,
        minijinja::context! {
            filter => filter,
            rows => rows,
            more => more,
            limit => LIST_LIMIT,
            add_href => a.has(USERS_CREATE).then_some(ADD_USER),
            can_profile => a.has(permissions::USER_PROFILES_VIEW),
        },
    )
}

/// `GET /carbon/user/add-user.jsp`: the form, filled again with what a refused attempt had (never the password).
pub async fn add_form(ctx: Ctx) -> HttpResponse {
    let (roles, metas) = match run(&ctx, |app, a| Ok((app.role_names(a)?, app.claim_metas(a)?))).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let flash = flash::take(&ctx.session.token, ctx.session.now);
    let sticky = flash.clone().unwrap_or_else(|| Flash::notice(String::new()));
    let chosen = sticky.field_all("role");
    let roles: Vec<Choice> = roles
        .into_iter()
        .filter(|r| r != EVERYONE_ROLE)
        .map(|name| Choice {
            checked: contains(&chosen, &name),
            name,
        })
        .collect();
    let fields: Vec<ClaimField> = offered(&metas).map(|m| claim_field(m, sticky.field(&m.uri))).collect();
    view::page(
        StatusCode::OK,
        "console/user_add.html",
        "Add New User",
        Area::Users,
        &ctx.session,
        flash.filter(|f| !f.text.is_empty()),
        minijinja::context! {
            username => sticky.field("username").unwrap_or_default(),
            roles => roles,
            fields => fields,
            policy => ctx.app.password_pattern(),
        },
    )
}

/// `POST /carbon/user/add-user.jsp`.
pub async fn add(ctx: Ctx) -> HttpResponse {
    let (name, password, confirm, roles) = match (
        required(&ctx, "username"),
        required(&ctx, "password"),
        required(&ctx, "confirmPassword"),
        all(&ctx, "role"),
    ) {
        (Ok(n), Ok(p), Ok(c), Ok(r)) => (n.trim().to_string(), Secret::new(p), c.to_string(), r),
        (Err(resp), ..) | (_, Err(resp), ..) | (_, _, Err(resp), _) | (.., Err(resp)) => return resp,
    };
    let sticky: Vec<(String, String)> = ctx
        .params
        .0
        .iter()
        .filter(|(k, _)| k != "password" && k != "confirmPassword" && k != "csrf")
        .cloned()
        .collect();
    let form = ctx.params.clone();
    let n = name.clone();
    act(&ctx, &link(USER, "username", &name), ADD_USER, sticky, move |app, a| {
        if password.expose() != confirm {
            return Err(DomainError::InvalidInput(
                "The password and its confirmation do not match.".into(),
            ));
        }
        let metas = app.claim_metas(a)?;
        let values: Vec<(String, String)> = offered(&metas)
            .filter_map(|m| form.get(&m.uri).map(|v| (m.uri.clone(), v.trim().to_string())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        app.add_user(a, &n, &password, &roles, &values, "")?;
        Ok(format!("User {n} was added."))
    })
    .await
}

#[derive(Debug, Serialize)]
struct Pending {
    scenario: String,
    created: String,
    expires: String,
    attempts_left: i64,
}

/// Words for the forced-reset option in force.
fn mode_words(mode: Option<ResetMode>) -> &'static str {
    match mode {
        Some(ResetMode::EmailLink) => {
            "Enable Password Reset via Recovery Email: the user is e-mailed a link to set a new password."
        }
        Some(ResetMode::EmailOtp) => {
            "Enable Password Reset via OTP: the user is e-mailed a one-time password to sign in with at the dashboard."
        }
        Some(ResetMode::Offline) => {
            "Enable Password Reset Offline: a one-time password is stored in the user's One Time Password claim, \
             for you to read in the user profile and hand over."
        }
        None => "No password reset option is enabled: turn one on under Identity Providers → Resident.",
    }
}

fn when(at: Option<Millis>) -> String {
    at.map_or_else(|| "never".to_string(), format_utc)
}

/// `GET /carbon/user/view-user.jsp?username=…`: the user, their roles, and the actions on the account.
pub async fn view(ctx: Ctx) -> HttpResponse {
    let user = match required(&ctx, "username") {
        Ok(u) => u.to_string(),
        Err(resp) => return resp,
    };
    let u = user.clone();
    let data = run(&ctx, move |app, a| {
        let v = app.user_view(a, &u, "")?;
        let state = app.user_state(a, &u)?;
        let all_roles = app.role_names(a)?;
        let mode = app.reset_settings(a)?.mode();
        let otp_supported = app
            .claim_metas(a)?
            .iter()
            .any(|m| m.uri == claims::ONE_TIME_PASSWORD && m.supported_by_default);
        Ok((v, state, all_roles, mode, otp_supported))
    })
    .await;
    let (v, state, all_roles, mode, otp_supported) = match data {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let roles: Vec<Choice> = all_roles
        .into_iter()
        .filter(|r| r != EVERYONE_ROLE)
        .map(|name| Choice {
            checked: contains(&v.roles, &name),
            name,
        })
        .collect();
    let pending = state.pending_reset.as_ref().map(|p| Pending {
        scenario: if p.scenario == reset::SCENARIO_EMAIL_LINK {
            "recovery e-mail link".to_string()
        } else {
            "one-time password".to_string()
        },
        created: format_utc(p.created_at),
        expires: when(p.expires_at),
        attempts_left: p.attempts_left,
    });
    let a = &ctx.session.actor;
    let super_admin = ctx.app.is_super_admin(&v.name);
    view::page(
        StatusCode::OK,
        "console/user.html",
        &format!("User {}", v.name),
        Area::Users,
        &ctx.session,
        None,
        minijinja::context! {
            name => &v.name,
            created => format_utc(v.created_at),
            member_of => &v.roles,
            roles => roles,
            locked => state.locked,
            locked_reason => state.locked_reason,
            unlock_time => state.unlock_time.map(format_utc),
            failed_attempts => state.failed_attempts,
            pending => pending,
            mode => mode_words(mode),
            mode_on => mode.is_some(),
            offline_hidden => mode == Some(ResetMode::Offline) && !otp_supported,
            profile_href => a.has(permissions::USER_PROFILES_VIEW).then(|| link(PROFILE, "username", &v.name)),
            can_update => a.has(USERS_UPDATE),
            can_delete => a.has(USERS_DELETE) && !super_admin,
            policy => ctx.app.password_pattern(),
        },
    )
}

/// The user a POST acts on, and where its answer goes.
fn target(ctx: &Ctx) -> Result<(String, String), HttpResponse> {
    let user = required(ctx, "username")?.to_string();
    let back = link(USER, "username", &user);
    Ok((user, back))
}

/// `POST /carbon/user/update-roles.jsp`: the ticked roles become the user's roles.
pub async fn update_roles(ctx: Ctx) -> HttpResponse {
    let ((user, back), wanted) = match (target(&ctx), all(&ctx, "role")) {
        (Ok(t), Ok(r)) => (t, r),
        (Err(resp), _) | (_, Err(resp)) => return resp,
    };
    act(&ctx, &back, &back, Vec::new(), move |app, a| {
        let current: Vec<String> = app
            .roles_of_user(a, &user)?
            .into_iter()
            .filter(|r| r != EVERYONE_ROLE)
            .collect();
        let deleted: Vec<String> = current.iter().filter(|r| !contains(&wanted, r)).cloned().collect();
        let added: Vec<String> = wanted.iter().filter(|r| !contains(&current, r)).cloned().collect();
        if deleted.is_empty() && added.is_empty() {
            return Ok(format!("The roles of {user} are unchanged."));
        }
        app.update_roles_of_user(a, &user, &deleted, &added)?;
        Ok(format!(
            "The roles of {user} were updated (added: {}; removed: {}).",
            none_if_empty(&added),
            none_if_empty(&deleted)
        ))
    })
    .await
}

fn none_if_empty(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// `POST /carbon/user/force-reset.jsp`: the same engine as the CLI and the claim trigger.
pub async fn force_reset(ctx: Ctx) -> HttpResponse {
    let (user, back) = match target(&ctx) {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    act(&ctx, &back, &back, Vec::new(), move |app, a| {
        let outcome = app.force_reset(a, &user)?;
        let expiry = match outcome.expires_at {
            Some(at) => format!("The code expires at {}.", format_utc(at)),
            None => "The code does not expire.".to_string(),
        };
        let how = match (outcome.mode, outcome.mail_id) {
            (ResetMode::Offline, _) => {
                let supported = app
                    .claim_metas(a)?
                    .iter()
                    .any(|m| m.uri == claims::ONE_TIME_PASSWORD && m.supported_by_default);
                let hint = if supported {
                    String::new()
                } else {
                    " Mark the One Time Password claim \"Supported by Default\" (Claims → List) to see it there."
                        .to_string()
                };
                format!(
                    "Offline: the one-time password is in {user}'s profile (One Time Password claim); give it to \
                     the user, who signs in with it.{hint}"
                )
            }
            (ResetMode::EmailOtp, Some(id)) => format!("An e-mail with a one-time password was queued (mail {id})."),
            (ResetMode::EmailLink, Some(id)) => format!("An e-mail with a reset link was queued (mail {id})."),
            (_, None) => "An e-mail was queued.".to_string(),
        };
        Ok(format!(
            "A password reset was forced for {user}: the account is locked until the user sets a new password. {how} \
             {expiry}"
        ))
    })
    .await
}

/// `POST /carbon/user/unlock.jsp`.
pub async fn unlock(ctx: Ctx) -> HttpResponse {
    let (user, back) = match target(&ctx) {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    act(&ctx, &back, &back, Vec::new(), move |app, a| {
        Ok(if app.unlock_user(a, &user)? {
            format!("{user} was unlocked.")
        } else {
            format!("{user} was not locked; the failed-login count was cleared.")
        })
    })
    .await
}

/// `POST /carbon/user/change-password.jsp`: an admin-set password; it cancels a pending forced reset.
pub async fn change_password(ctx: Ctx) -> HttpResponse {
    let ((user, back), password, confirm) = match (
        target(&ctx),
        required(&ctx, "password"),
        required(&ctx, "confirmPassword"),
    ) {
        (Ok(t), Ok(p), Ok(c)) => (t, Secret::new(p), c.to_string()),
        (Err(resp), ..) | (_, Err(resp), _) | (.., Err(resp)) => return resp,
    };
    act(&ctx, &back, &back, Vec::new(), move |app, a| {
        if password.expose() != confirm {
            return Err(DomainError::InvalidInput(
                "The password and its confirmation do not match.".into(),
            ));
        }
        app.set_password_by_admin(a, &user, &password)?;
        Ok(format!(
            "The password of {user} was changed; any pending forced password reset was cancelled and the user's \
             sessions were ended."
        ))
    })
    .await
}

/// `POST /carbon/user/delete-user.jsp`.
pub async fn delete(ctx: Ctx) -> HttpResponse {
    let (user, back) = match target(&ctx) {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    act(&ctx, USERS, &back, Vec::new(), move |app, a| {
        app.delete_user(a, &user)?;
        Ok(format!("User {user} was deleted."))
    })
    .await
}

/// `GET /carbon/userprofile/edit.jsp?username=…`: the default profile (supported-by-default claims).
pub async fn profile(ctx: Ctx) -> HttpResponse {
    let user = match required(&ctx, "username") {
        Ok(u) => u.to_string(),
        Err(resp) => return resp,
    };
    let u = user.clone();
    let data = run(&ctx, move |app, a| {
        let fields = app.user_profile(a, &u, "")?.unwrap_or_default();
        let otp_supported = app
            .claim_metas(a)?
            .iter()
            .any(|m| m.uri == claims::ONE_TIME_PASSWORD && m.supported_by_default);
        Ok((fields, otp_supported))
    })
    .await;
    let (fields, otp_supported) = match data {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let flash = flash::take(&ctx.session.token, ctx.session.now);
    let refused = flash.as_ref().filter(|f| f.tone == "alert");
    let fields: Vec<ClaimField> = fields
        .iter()
        .map(|ProfileField { meta, value }| {
            let sticky = refused
                .and_then(|f| f.field(&meta.uri))
                .filter(|_| profile_editable(meta));
            claim_field(meta, sticky.or(value.as_deref()))
        })
        .collect();
    view::page(
        StatusCode::OK,
        "console/profile.html",
        &format!("User Profile: {user}"),
        Area::Users,
        &ctx.session,
        flash,
        minijinja::context! {
            name => &user,
            fields => fields,
            otp_supported => otp_supported,
            user_href => link(USER, "username", &user),
        },
    )
}

/// `POST /carbon/userprofile/edit.jsp`.
pub async fn save_profile(ctx: Ctx) -> HttpResponse {
    let user = match required(&ctx, "username") {
        Ok(u) => u.to_string(),
        Err(resp) => return resp,
    };
    let back = link(PROFILE, "username", &user);
    let form = ctx.params.clone();
    let sticky = form.0.iter().filter(|(k, _)| k != "csrf").cloned().collect();
    act(&ctx, &back, &back, sticky, move |app, a| {
        let metas = app.claim_metas(a)?;
        let values: Vec<(String, String)> = offered(&metas)
            .filter_map(|m| form.get(&m.uri).map(|v| (m.uri.clone(), v.trim().to_string())))
            .collect();
        app.edit_profile(a, &user, &values)?;
        Ok(format!("The profile of {user} was updated."))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_ids_are_html_friendly() {
        assert_eq!(claim_id(claims::ONE_TIME_PASSWORD), "claim-oneTimePassword");
        assert_eq!(claim_id(claims::ACCOUNT_LOCKED), "claim-identity-accountLocked");
    }

    #[test]
    fn every_mode_has_words() {
        assert!(mode_words(Some(ResetMode::Offline)).starts_with("Enable Password Reset Offline"));
        assert!(mode_words(Some(ResetMode::EmailOtp)).starts_with("Enable Password Reset via OTP"));
        assert!(mode_words(Some(ResetMode::EmailLink)).starts_with("Enable Password Reset via Recovery Email"));
        assert!(mode_words(None).contains("Resident"));
    }
}
