//! The composition root: the one routing table over the adapters, and [`Services`], everything `serve` runs (the
//! listeners with that table, and the outbox worker). The only place that knows every adapter.

use std::sync::Arc;

use hyper::{Method, Request, StatusCode};

use crate::app::App;
use crate::config::Config;
use crate::http::response::{self, HttpResponse};
use crate::http::{Bound, Handler, HttpError, RequestBody, Scheme};
use crate::mail::worker::{self, Smtp, Worker};

/// WSO2's health-check API.
pub const HEALTH_PATH: &str = "/api/health-check/v1.0/health";
/// Every admin service lives under this prefix.
pub const SERVICES_PREFIX: &str = "/services/";

/// The routing table: which adapter answers which path.
pub struct Routes {
    app: Arc<App>,
}

impl Routes {
    pub fn new(app: Arc<App>) -> Routes {
        Routes { app }
    }
}

/// Tenant-qualified URLs: `/t/{domain}/rest` is `rest` in that tenant.
pub const TENANT_PREFIX: &str = "/t/";

impl Handler for Routes {
    async fn handle(&self, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
        let req = match qualified(&self.app, req) {
            Ok(req) => req,
            Err(refused) => return refused.answer(),
        };
        let app = self.app.clone();
        let path = req.uri().path();
        match (req.method(), path) {
            (&Method::GET, HEALTH_PATH) => health_check(&app),
            (_, HEALTH_PATH) => response::method_not_allowed("GET, HEAD"),
            (_, p) if p.starts_with(SERVICES_PREFIX) => crate::soap::endpoint::handle(app, req, scheme).await,
            (_, p) if crate::scim::serves(p) => crate::scim::handle(app, req).await,
            (_, p) if crate::oauth::serves(p) => crate::oauth::handle(app, req, scheme).await,
            (_, p) if crate::web::serves(p) => crate::web::handle(app, req, scheme).await,
            (_, p) if crate::rest::serves(p) => crate::rest::handle(app, req, scheme).await,
            _ => response::not_found(),
        }
    }
}

/// `GET /api/health-check/v1.0/health`, shaped like WSO2's health-check API.
/// Why a tenant-qualified request is not served.
enum Unqualified {
    /// No such active tenant.
    Invalid(String),
    /// The path after the domain is not a path.
    Malformed,
    /// The store did not answer.
    Internal,
}

impl Unqualified {
    fn answer(self) -> HttpResponse {
        match self {
            // AUTHREST `TenantContextRewriteValve` (5.10 on): the same text as message and description.
            Unqualified::Invalid(domain) => {
                let text = format!("invalid tenant domain : {domain}");
                response::json(
                    StatusCode::NOT_FOUND,
                    &serde_json::json!({ "code": 404, "message": text, "description": text }),
                )
            }
            Unqualified::Malformed => response::not_found(),
            Unqualified::Internal => response::internal_error(),
        }
    }
}

/// A `/t/{domain}/…` request, rewritten to its path inside the tenant with the [`crate::app::Tenant`] in its
/// extensions, as WSO2's `TenantContextRewriteValve` does for every context; any other request as it came.
fn qualified(app: &Arc<App>, mut req: Request<RequestBody>) -> Result<Request<RequestBody>, Unqualified> {
    let Some(rest) = req.uri().path().strip_prefix(TENANT_PREFIX) else {
        return Ok(req);
    };
    let (domain, inner) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let domain = percent_encoding::percent_decode_str(domain)
        .decode_utf8_lossy()
        .into_owned();
    let inner = if inner.is_empty() { "/" } else { inner };
    let path_and_query = match req.uri().query() {
        Some(q) => format!("{inner}?{q}"),
        None => inner.to_string(),
    };
    // One point read on a reserved snapshot, on the reactor (`App::quick`).
    let tenant = app
        .quick(|| app.resolve_tenant(&domain))
        .map_err(|_| Unqualified::Internal)?
        .ok_or(Unqualified::Invalid(domain))?;
    *req.uri_mut() = path_and_query
        .parse::<hyper::Uri>()
        .map_err(|_| Unqualified::Malformed)?;
    req.extensions_mut().insert(tenant);
    Ok(req)
}

fn health_check(app: &App) -> HttpResponse {
    if app.health() {
        response::json(
            StatusCode::OK,
            &serde_json::json!({ "health": [ { "key": "sqlite", "value": "UP" } ] }),
        )
    } else {
        response::json(
            StatusCode::SERVICE_UNAVAILABLE,
            &serde_json::json!({ "errors": [ {
                "code": "HC_00001",
                "message": "Error while checking health.",
                "description": "The database is not reachable."
            } ] }),
        )
    }
}

/// Everything `serve` runs: the HTTP(S) listeners answering through [`Routes`], and the outbox worker. Tests
/// start the same thing.
pub struct Services {
    pub server: crate::http::Server,
    worker: Worker,
}

impl Services {
    /// Start the mail worker and the listeners (inside a tokio runtime). `config` is the one `app` was made from:
    /// the listeners and the SMTP client take their settings from it. Records the HTTPS address really bound
    /// (port 0 in tests picks a free one) as the product URL.
    pub async fn start(app: Arc<App>, config: &Config) -> Result<Services, HttpError> {
        Services::serve(crate::http::bind(config).await?, app, config).await
    }

    /// Start on listeners bound earlier (`serve` binds before it creates the data dir, the database, the admin
    /// and the certificate, so that a port in use leaves nothing behind).
    pub async fn serve(bound: Bound, app: Arc<App>, config: &Config) -> Result<Services, HttpError> {
        // Known before the first request: links in pages and mails carry the port really bound.
        if let Some(addr) = bound.https_addr() {
            app.set_product_url(format!("https://{}:{}", config.server.hostname, addr.port()));
        }
        let server = crate::http::serve(bound, config, Arc::new(Routes::new(app.clone()))).await?;
        let worker = worker::spawn(app.clone(), Smtp::from_config(config));
        Ok(Services { server, worker })
    }

    /// Stop accepting, finish in-flight requests, then let the worker finish its current send.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
        self.worker.shutdown().await;
    }

    /// Serve until SIGINT or SIGTERM, then shut down gracefully.
    pub async fn run_until_signal(self) {
        self.server.run_until_signal().await;
        self.worker.shutdown().await;
    }
}

#[cfg(test)]
mod tests;
