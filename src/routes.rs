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

impl Handler for Routes {
    async fn handle(&self, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
        let app = self.app.clone();
        let path = req.uri().path();
        match (req.method(), path) {
            (&Method::GET, HEALTH_PATH) => health_check(&app),
            (_, HEALTH_PATH) => response::method_not_allowed("GET, HEAD"),
            (_, p) if p.starts_with(SERVICES_PREFIX) => crate::soap::endpoint::handle(app, req, scheme).await,
            (_, p) if crate::web::serves(p) => crate::web::handle(app, req, scheme).await,
            (_, p) if crate::rest::serves(p) => crate::rest::handle(app, req, scheme).await,
            _ => response::not_found(),
        }
    }
}

/// `GET /api/health-check/v1.0/health`, shaped like WSO2's health-check API.
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
