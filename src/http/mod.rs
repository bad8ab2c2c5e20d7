//! HTTP(S) front door: listeners, TLS, routing and the request/response building blocks handlers share.
//!
//! - [`server`]: binds the HTTPS/HTTP listeners, serves HTTP/1.1 and shuts down gracefully.
//! - [`tls`]: the rustls server config from a configured PEM pair or a generated, persisted self-signed cert.
//! - [`router`]: `(method, path)` dispatch plus body/query helpers.
//! - [`response`]: response constructors; every response carries `Server: WSO2 Carbon Server`.
//! - [`basic_auth`]: `Authorization: Basic` parsing and the WSO2-style 401.

pub mod basic_auth;
pub mod response;
pub mod router;
pub mod server;
pub mod services;
pub mod tls;

use std::path::PathBuf;

pub use response::HttpResponse;
pub use router::{Scheme, route};
pub use server::{Server, start};
pub use tls::{CertInfo, CertSource, load_or_generate};

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
