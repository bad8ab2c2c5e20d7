//! The baseline: a bare hyper server that answers with canned responses (the bytes the real server sent for the
//! same request), built like the real listener (same hyper HTTP/1 settings, same rustls config from the same
//! certificate and key, same multi-thread runtime), and doing nothing else: it reads the request body and
//! writes the canned answer. Run in its own process (`forcereset-bench --baseline-serve SPEC`).

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::procs;

/// One canned answer, chosen by method, path (with query; a final `*` matches any rest) and, when set, the
/// SOAPAction header.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Canned {
    pub method: String,
    pub path: String,
    pub soap_action: Option<String>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What the baseline process serves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Spec {
    pub port: u16,
    /// PEM certificate and key (the real server's), or None for plain HTTP.
    pub tls: Option<(PathBuf, PathBuf)>,
    pub responses: Vec<Canned>,
}

/// Headers hyper writes itself (or that describe the old connection) are not replayed.
fn replayed(name: &str) -> bool {
    !matches!(
        name,
        "content-length" | "date" | "transfer-encoding" | "connection" | "keep-alive"
    )
}

struct Prepared {
    method: String,
    path: String,
    soap_action: Option<String>,
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

fn prepare(canned: &Canned) -> anyhow::Result<Prepared> {
    let mut headers = Vec::new();
    for (k, v) in canned.headers.iter().filter(|(k, _)| replayed(k)) {
        headers.push((HeaderName::from_bytes(k.as_bytes())?, HeaderValue::from_str(v)?));
    }
    Ok(Prepared {
        method: canned.method.clone(),
        path: canned.path.clone(),
        soap_action: canned.soap_action.clone(),
        status: StatusCode::from_u16(canned.status)?,
        headers,
        body: Bytes::from(canned.body.clone()),
    })
}

fn answer(table: &[Prepared], req: &hyper::http::request::Parts) -> Response<Full<Bytes>> {
    let path = req.uri.path_and_query().map_or("/", |p| p.as_str());
    let action = req.headers.get("soapaction").and_then(|v| v.to_str().ok());
    let found = table.iter().find(|p| {
        p.method == req.method.as_str()
            && p.path
                .strip_suffix('*')
                .map_or(p.path == path, |prefix| path.starts_with(prefix))
            && p.soap_action.as_deref().is_none_or(|a| Some(a) == action)
    });
    let Some(p) = found else {
        let mut resp = Response::new(Full::new(Bytes::from_static(b"no canned response")));
        *resp.status_mut() = StatusCode::NOT_FOUND;
        return resp;
    };
    let mut resp = Response::new(Full::new(p.body.clone()));
    *resp.status_mut() = p.status;
    for (k, v) in &p.headers {
        resp.headers_mut().append(k.clone(), v.clone());
    }
    resp
}

/// The baseline process's main: serve `spec` until killed.
pub fn serve(spec_path: &Path) -> anyhow::Result<()> {
    let text = std::fs::read(spec_path).with_context(|| format!("cannot read {}", spec_path.display()))?;
    let spec: Spec = serde_json::from_slice(&text).context("bad baseline spec")?;
    let table: Arc<Vec<Prepared>> = Arc::new(spec.responses.iter().map(prepare).collect::<anyhow::Result<_>>()?);
    let tls = match &spec.tls {
        None => None,
        Some((cert, key)) => {
            // The real server's own constructor, fed the real server's certificate and key.
            let mut config = forcereset::config::Config::defaults();
            config.tls = Some(forcereset::config::PemPair {
                certificate_path: cert.clone(),
                private_key_path: key.clone(),
            });
            let (server_config, _) = forcereset::http::load_or_generate(&config)?;
            Some(TlsAcceptor::from(server_config))
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", spec.port)).await?;
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let table = table.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<Incoming>| {
                    let table = table.clone();
                    async move {
                        // Read the whole request body, as the real server does, then answer.
                        let (parts, body) = req.into_parts();
                        let _ = body.collect().await;
                        Ok::<_, Infallible>(answer(&table, &parts))
                    }
                });
                let mut builder = http1::Builder::new();
                builder
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(30))
                    .keep_alive(true)
                    .title_case_headers(true);
                match tls {
                    None => {
                        let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                    }
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(stream).await {
                            let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                        }
                    }
                }
            });
        }
    })
}

/// The baseline process, started from this very executable.
pub struct BaselineProc {
    child: Child,
}

impl BaselineProc {
    pub fn spawn(spec: &Spec, spec_path: &Path) -> anyhow::Result<BaselineProc> {
        std::fs::write(spec_path, serde_json::to_vec(spec)?)?;
        let exe = std::env::current_exe().context("cannot find the bench executable")?;
        let mut child = Command::new(exe)
            .arg("--baseline-serve")
            .arg(spec_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .context("cannot start the baseline server")?;
        procs::wait_listening(std::net::SocketAddr::from(([127, 0, 0, 1], spec.port)), &mut child)?;
        Ok(BaselineProc { child })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stop(mut self) -> anyhow::Result<()> {
        procs::terminate(&mut self.child)
    }
}

impl Drop for BaselineProc {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
