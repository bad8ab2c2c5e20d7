//! Identity Providers → Resident → Account Management Policies → Password Reset: the governance connectors'
//! properties with WSO2's labels, saved through `updateConfigurations`' use case. The page explains WSO2's
//! precedence when several options are on (link > OTP > offline) and names the option in force.

use hyper::StatusCode;
use serde::Serialize;

use super::view::{self, Area};
use super::{Ctx, RESIDENT, act, run};
use crate::app::ConnectorView;
use crate::domain::governance::{self, Kind, ResetMode};
use crate::http::response::HttpResponse;

#[derive(Debug, Serialize)]
struct Field {
    name: &'static str,
    id: String,
    label: &'static str,
    description: &'static str,
    boolean: bool,
    checked: bool,
    value: String,
    default: String,
}

#[derive(Debug, Serialize)]
struct Section {
    category: &'static str,
    title: &'static str,
    fields: Vec<Field>,
}

fn sections(connectors: &[ConnectorView]) -> Vec<Section> {
    connectors
        .iter()
        .map(|c| {
            let mut props: Vec<_> = c.properties.iter().collect();
            props.sort_by_key(|p| p.def.display_order);
            Section {
                category: c.def.category,
                title: c.def.friendly_name,
                fields: props
                    .into_iter()
                    .map(|p| Field {
                        name: p.def.name,
                        id: p.def.name.replace('.', "-"),
                        label: p.def.display_name,
                        description: p.def.description,
                        boolean: p.def.kind == Kind::Boolean,
                        checked: p.value.eq_ignore_ascii_case("true"),
                        value: p.value.clone(),
                        default: p.default.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The option a forced reset takes now, in the labels' words.
fn in_force(mode: Option<ResetMode>) -> &'static str {
    match mode {
        Some(ResetMode::EmailLink) => "Enable Password Reset via Recovery Email",
        Some(ResetMode::EmailOtp) => "Enable Password Reset via OTP",
        Some(ResetMode::Offline) => "Enable Password Reset Offline",
        None => "none (an admin forced password reset is refused until an option is enabled)",
    }
}

/// `GET /carbon/idpmgt/idp-mgt-edit-local.jsp`.
pub async fn resident(ctx: Ctx) -> HttpResponse {
    let data = run(&ctx, |app, a| Ok((app.connectors(a)?, app.reset_settings()?.mode()))).await;
    let (connectors, mode) = match data {
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
            sections => sections(&connectors),
            in_force => in_force(mode),
            can_update => ctx.session.actor.has(crate::domain::permissions::GOVERNANCE_UPDATE),
        },
    )
}

/// `POST /carbon/idpmgt/idp-mgt-edit-finish-local.jsp`: every property of every connector, an unticked box
/// being false; validated and stored all together by the use case.
pub async fn save(ctx: Ctx) -> HttpResponse {
    let form = ctx.params.clone();
    act(&ctx, RESIDENT, RESIDENT, Vec::new(), move |app, a| {
        let values: Vec<(String, String)> = governance::CONNECTORS
            .iter()
            .flat_map(|c| c.properties.iter())
            .map(|p| {
                let value = match p.kind {
                    Kind::Boolean => form.get(p.name).is_some().to_string(),
                    Kind::Integer => form.get(p.name).unwrap_or_default().to_string(),
                };
                (p.name.to_string(), value)
            })
            .collect();
        app.update_configurations(a, &values)?;
        let mode = app.reset_settings()?.mode();
        Ok(format!(
            "The resident identity provider was updated. Admin forced password reset now uses: {}.",
            in_force(mode)
        ))
    })
    .await
}
