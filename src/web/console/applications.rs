//! Main → Service Providers: the OAuth2 applications, as DCR and `forcereset app` register them. A new
//! application's secret is shown once, in the message after it was added.

use hyper::StatusCode;
use serde::Serialize;

use super::view::{self, Area};
use super::{APPLICATIONS, Ctx, act, all, optional, required, run};
use crate::app::AppSpec;
use crate::domain::oauth::GRANTS;
use crate::domain::permissions::{APPLICATIONS_CREATE, APPLICATIONS_DELETE};
use crate::http::response::HttpResponse;

#[derive(Debug, Serialize)]
struct AppRow {
    name: String,
    client_id: String,
    callback: String,
    grants: String,
    token_type: String,
    owner: String,
}

/// `GET /carbon/application/list-service-providers.jsp`.
pub async fn list(ctx: Ctx) -> HttpResponse {
    let apps = match run(&ctx, |app, a| app.applications(a).map_err(|e| e.into_domain())).await {
        Ok(apps) => apps,
        Err(resp) => return resp,
    };
    let rows: Vec<AppRow> = apps
        .into_iter()
        .map(|a| AppRow {
            grants: if a.grant_types.is_empty() {
                "all".to_string()
            } else {
                a.grant_types.join(", ")
            },
            name: a.name,
            client_id: a.client_id,
            callback: a.callback,
            token_type: a.token_type,
            owner: a.owner,
        })
        .collect();
    view::page(
        StatusCode::OK,
        "console/applications.html",
        "Service Providers",
        Area::Applications,
        &ctx.session,
        None,
        minijinja::context! {
            rows => rows,
            grants => GRANTS,
            can_add => ctx.session.actor.has(APPLICATIONS_CREATE),
            can_delete => ctx.session.actor.has(APPLICATIONS_DELETE),
        },
    )
}

/// `POST /carbon/application/add-service-provider.jsp`: name, redirect URIs (one a line), grant checkboxes.
pub async fn add(ctx: Ctx) -> HttpResponse {
    let name = match required(&ctx, "name") {
        Ok(n) => n.to_string(),
        Err(resp) => return resp,
    };
    let uris: Vec<String> = match optional(&ctx, "redirect_uris") {
        Ok(text) => text
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        Err(resp) => return resp,
    };
    let grants = match all(&ctx, "grant") {
        Ok(g) => g,
        Err(resp) => return resp,
    };
    let jwt = ctx.params.get("jwt") == Some("on");
    let sticky = vec![("name".to_string(), name.clone())];
    // A refused addition goes back to the list, which holds the form.
    act(&ctx, APPLICATIONS, APPLICATIONS, sticky, move |app, a| {
        let registered = app
            .register_app(
                a,
                AppSpec {
                    name: Some(name),
                    redirect_uris: uris,
                    grant_types: grants,
                    token_type: jwt.then(|| "JWT".to_string()),
                    ..AppSpec::default()
                },
            )
            .map_err(|e| e.into_domain())?;
        Ok(format!(
            "Application {} was registered. Client id: {}. Client secret (shown this once, only its hash is kept): {}",
            registered.app.name,
            registered.app.client_id,
            registered.secret.expose()
        ))
    })
    .await
}

/// `POST /carbon/application/remove-service-provider.jsp`.
pub async fn delete(ctx: Ctx) -> HttpResponse {
    let client_id = match required(&ctx, "clientId") {
        Ok(c) => c.to_string(),
        Err(resp) => return resp,
    };
    act(&ctx, APPLICATIONS, APPLICATIONS, Vec::new(), move |app, a| {
        app.delete_app(a, &client_id).map_err(|e| e.into_domain())?;
        Ok(format!("Application {client_id} was deleted with its tokens."))
    })
    .await
}
