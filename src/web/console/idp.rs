//! Identity Providers → Resident: the release's governance connectors, each a section under its category with
//! WSO2's labels ("Password Reset" under "Account Management" or "Account Management Policies"; "Account Lock" under
//! "Login Attempts Security", or "Account Locking" under "Login Policies" in 5.9 and 5.10), each saved on its own
//! through `updateConfigurations`' use case (so that saving one never re-sends the other's values). The password
//! reset section explains WSO2's precedence when several options are on (link > OTP > offline) and names the option
//! in force.

use hyper::StatusCode;
use serde::Serialize;

use super::view::{self, Area};
use super::{Ctx, RESIDENT, act, run};
use crate::app::{App, ConnectorView, SettingSource};
use crate::domain::governance::{ACCOUNT_LOCK, AccountLockSettings, Kind, OFFLINE, OTP, RECOVERY_LINK, ResetMode};
use crate::domain::permissions;
use crate::http::response::HttpResponse;

#[derive(Debug, Serialize)]
struct Field {
    name: String,
    id: String,
    label: &'static str,
    description: &'static str,
    boolean: bool,
    checked: bool,
    value: String,
    /// Where the value comes from: deployment.toml, or stored here since (overriding the file's).
    source: Option<String>,
}

#[derive(Debug, Serialize)]
struct Section {
    connector: &'static str,
    category: &'static str,
    title: &'static str,
    /// The admin forced reset's section (with the precedence note and the option in force).
    reset: bool,
    fields: Vec<Field>,
    /// Stored properties the connector lists by their name only (7.1+): shown, not edited.
    others: Vec<(String, String)>,
}

/// The words the page shows under a property deployment.toml sets.
fn source_text(source: &SettingSource) -> String {
    match &source.stored {
        Some(_) => format!(
            "Changed here: overrides deployment.toml, which says {} ({}).",
            source.file_value, source.file_key
        ),
        None => format!("From deployment.toml ({}).", source.file_key),
    }
}

fn sections(connectors: &[ConnectorView], sources: &[SettingSource]) -> Vec<Section> {
    connectors
        .iter()
        .map(|c| Section {
            connector: c.def.name,
            category: c.def.category,
            title: c.def.friendly_name,
            reset: c.def.name != ACCOUNT_LOCK,
            fields: c
                .properties
                .iter()
                .filter_map(|p| {
                    let def = p.def?;
                    Some(Field {
                        name: p.name.clone(),
                        id: p.name.replace('.', "-"),
                        label: def.display_name,
                        description: def.description.unwrap_or_default(),
                        boolean: def.kind == Kind::Boolean,
                        checked: p.value.eq_ignore_ascii_case("true"),
                        value: p.value.clone(),
                        source: sources.iter().find(|s| s.property == p.name).map(source_text),
                    })
                })
                .collect(),
            others: c
                .properties
                .iter()
                .filter(|p| p.def.is_none())
                .map(|p| (p.name.clone(), p.value.clone()))
                .collect(),
        })
        .collect()
}

/// The option a forced reset takes now, in the release's labels.
fn in_force(app: &App, mode: Option<ResetMode>) -> String {
    let property = match mode {
        Some(ResetMode::EmailLink) => RECOVERY_LINK,
        Some(ResetMode::EmailOtp) => OTP,
        Some(ResetMode::Offline) => OFFLINE,
        None => return "none (an admin forced password reset is refused until an option is enabled)".to_string(),
    };
    let connectors = &app.profile().governance.connectors;
    crate::domain::governance::find_property(connectors, property)
        .map_or(property, |p| p.display_name)
        .to_string()
}

/// The account lock in force, in words.
fn lock_in_force(lock: &AccountLockSettings) -> String {
    if !lock.enabled {
        return "off: failed logins never lock an account".to_string();
    }
    let duration = if lock.unlock_after_minutes > 0 {
        format!(
            "for {} minutes, then {} times longer for each further lock",
            lock.unlock_after_minutes, lock.increment_ratio
        )
    } else {
        "until an administrator unlocks it".to_string()
    };
    format!(
        "on: {} failed logins in a row lock an account {duration}",
        lock.max_failed_attempts
    )
}

/// `GET /carbon/idpmgt/idp-mgt-edit-local.jsp`.
pub async fn resident(ctx: Ctx) -> HttpResponse {
    let data = run(&ctx, |app, a| {
        let mode = app.reset_settings(a)?.mode();
        Ok((
            app.connectors(a)?,
            app.setting_sources(a)?,
            in_force(app, mode),
            lock_in_force(&app.account_lock_settings(a)?),
        ))
    })
    .await;
    let (connectors, sources, in_force, lock) = match data {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    view::page(
        StatusCode::OK,
        "console/resident.html",
        "Resident Identity Provider",
        Area::Resident,
        &ctx.session,
        None,
        minijinja::context! {
            sections => sections(&connectors, &sources),
            in_force => in_force,
            lock_in_force => lock,
            can_update => ctx.session.actor.has(permissions::GOVERNANCE_UPDATE),
        },
    )
}

/// `POST /carbon/idpmgt/idp-mgt-edit-finish-local.jsp`: every property of the section's connector (`connector`,
/// the first one when absent), an unticked box being false; checked and stored together by the use case.
pub async fn save(ctx: Ctx) -> HttpResponse {
    let form = ctx.params.clone();
    act(&ctx, RESIDENT, RESIDENT, Vec::new(), move |app, a| {
        let connectors = app.listed_connectors();
        let Some(connector) = form
            .get("connector")
            .and_then(|name| connectors.iter().find(|c| c.name == name))
            .or(connectors.first())
        else {
            return Err(crate::domain::DomainError::Internal);
        };
        let values: Vec<(String, String)> = connector
            .properties
            .iter()
            .map(|p| {
                let value = match p.kind {
                    Kind::Boolean => form.get(p.name).is_some().to_string(),
                    Kind::Integer { .. } => form.get(p.name).unwrap_or_default().to_string(),
                };
                (p.name.to_string(), value)
            })
            .collect();
        app.update_configurations(a, &values)?;
        if connector.name == ACCOUNT_LOCK {
            let lock = app.account_lock_settings(a)?;
            return Ok(format!(
                "The resident identity provider was updated. {} is now {}.",
                connector.friendly_name,
                lock_in_force(&lock)
            ));
        }
        if connector.name == app.profile().expiry.connector.name {
            let e = app.expiry_settings(a)?;
            let state = if !e.enabled {
                "off".to_string()
            } else if e.skip_if_no_applicable_rules {
                "skipped (no rule applies to any user)".to_string()
            } else {
                format!("on: passwords expire after {} days", e.days)
            };
            return Ok(format!(
                "The resident identity provider was updated. Password expiry is {state}."
            ));
        }
        let mode = app.reset_settings(a)?.mode();
        Ok(format!(
            "The resident identity provider was updated. Admin forced password reset now uses: {}.",
            in_force(app, mode)
        ))
    })
    .await
}
