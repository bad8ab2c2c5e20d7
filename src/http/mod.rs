//! The HTTP kit: listeners, TLS, limits, body reading, cookies and responses. A leaf: it knows none of `app`,
//! `soap` or `web`. The composition root (`routes.rs`) implements [`Handler`] and the server calls it.
//!
//! - [`server`]: binds the HTTPS/HTTP listeners, serves HTTP/1.1 and shuts down gracefully.
//! - [`tls`]: the rustls server config from a configured PEM pair or a generated, persisted self-signed cert.
//! - [`request`]: the listener's scheme, body reading under the server's limits, query/form parameters.
//! - [`response`]: response constructors; every response carries `Server: WSO2 Carbon Server`.
//! - [`cookie`]: the one cookie parser and `Set-Cookie` builder.
//! - [`basic_auth`]: `Authorization: Basic` parsing and the WSO2-style 401.

pub mod basic_auth;
pub mod cookie;
pub mod request;
pub mod response;
pub mod server;
pub mod tls;

use std::future::Future;
use std::path::PathBuf;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Body;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request};

pub use request::{BoxError, RequestBody, Scheme};
pub use response::HttpResponse;
pub use server::{Bound, Server, bind, serve, start};
pub use tls::{CertInfo, CertSource, load_or_generate};

/// What answers requests: the composition root's routing table.
pub trait Handler: Send + Sync + 'static {
    /// Answer one request (`HEAD` has already become `GET`). Never panics.
    fn handle(&self, req: Request<RequestBody>, scheme: Scheme) -> impl Future<Output = HttpResponse> + Send;
}

/// Answer one request through `handler`: every response carries `Server: WSO2 Carbon Server`, and a `HEAD` is
/// answered like the `GET` of the same URL without the body (marked [`request::HeadRequest`] for handlers whose
/// `GET` acts).
pub async fn answer<H, B>(handler: &H, req: Request<B>, scheme: Scheme) -> HttpResponse
where
    H: Handler,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let mut req = req.map(|body| body.map_err(Into::into).boxed_unsync());
    let is_head = req.method() == Method::HEAD;
    if is_head {
        *req.method_mut() = Method::GET;
        req.extensions_mut().insert(request::HeadRequest);
    }
    // Kept for the debug line only (the request moves into the handler); not copied when that line is off.
    let logged = tracing::enabled!(tracing::Level::DEBUG).then(|| (req.method().clone(), req.uri().path().to_owned()));

    let mut resp = handler.handle(req, scheme).await;

    response::set_server_header(&mut resp);
    if is_head {
        resp = strip_body(resp);
    }
    if let Some((method, path)) = logged {
        tracing::debug!(
            scheme = scheme.as_str(),
            method = %if is_head { Method::HEAD } else { method },
            path = %path,
            status = resp.status().as_u16(),
            "request"
        );
    }
    resp
}

/// Keep status and headers (including the `Content-Length` the `GET` would have had), drop the body.
fn strip_body(resp: HttpResponse) -> HttpResponse {
    let (mut parts, body) = resp.into_parts();
    let len = body.size_hint().exact().unwrap_or(0);
    if !parts.headers.contains_key(header::CONTENT_LENGTH) {
        parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    HttpResponse::from_parts(parts, http_body_util::Full::new(Bytes::new()))
}

/// Config key holding the PEM certificate chain (WSO2's Tomcat `certificateFile`).
pub const CERT_FILE_KEY: &str = "transport.https.sslHostConfig.certificate.certificate_file";
/// Config key holding the PEM private key (WSO2's Tomcat `certificateKeyFile`).
pub const KEY_FILE_KEY: &str = "transport.https.sslHostConfig.certificate.certificate_key_file";

/// Why the HTTP layer could not start. Every message names what to change.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// A listener could not be bound.
    #[error("cannot listen on {addr} (change {key} in deployment.toml)")]
    Bind {
        addr: String,
        key: &'static str,
        source: std::io::Error,
    },
    /// A configured certificate or key file is missing, unreadable or not usable PEM.
    #[error("{path}: {message} (check {key} in deployment.toml)")]
    TlsFile {
        path: PathBuf,
        key: &'static str,
        message: String,
    },
    /// The certificate and key load but rustls refuses them (e.g. the key does not match the certificate).
    #[error("TLS certificate {path}: {message} (check {key} in deployment.toml)")]
    TlsConfig {
        path: PathBuf,
        key: &'static str,
        message: String,
    },
    /// The self-signed certificate could not be generated or written.
    #[error("cannot create the self-signed certificate in {path}: {message} (check [forcereset] data_dir)")]
    TlsGenerate { path: PathBuf, message: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::StatusCode;

    #[test]
    fn strip_body_keeps_length() {
        let resp = strip_body(response::text(StatusCode::OK, "12345"));
        assert_eq!(resp.headers()[header::CONTENT_LENGTH], "5");
        assert!(resp.body().is_end_stream());
    }
}
