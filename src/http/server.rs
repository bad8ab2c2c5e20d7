//! The listeners: binds HTTPS and plain HTTP per config, serves HTTP/1.1 on each connection, caps concurrency,
//! and shuts down gracefully on request or on SIGINT/SIGTERM.
//!
//! Choices, all constants below:
//! - HTTP/1.1 only (WSO2's SOAP clients and browsers both speak it; ALPN advertises `http/1.1`), keep-alive on.
//! - Read timeout `[forcereset] read_timeout_seconds` (default 30 s): a client that does not finish its request
//!   head in time is dropped (slowloris); hyper starts that clock whenever it waits for a request head, so it is
//!   also the idle keep-alive timeout. The same time bounds the body once the head is in ([`BodyTimeout`], read by
//!   `request::read_request_body`): a body trickled slower than that gets `408` (slow POST).
//! - TLS handshake timeout 10 s (or the read timeout, if shorter), for the same reason before HTTP starts.
//! - At most 1024 open connections across both listeners (a semaphore permit per connection); past that, new
//!   connections wait in the kernel's accept backlog rather than being accepted and starved.
//! - Shutdown: stop accepting, ask every connection to finish its in-flight request and close (hyper's
//!   `graceful_shutdown`), wait up to 10 s, then abort the rest.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::config::Config;
use crate::http::request::{BodyLimits, PeerAddr, Scheme};
use crate::http::{Handler, HttpError, answer, tls};

/// Open connections allowed at once, over both listeners.
pub const MAX_CONNECTIONS: usize = 1024;
/// Time a client has to complete the TLS handshake.
pub const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for in-flight requests before aborting them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The running listeners. Dropping it without [`Server::shutdown`] also stops them, without waiting.
pub struct Server {
    https_addr: Option<SocketAddr>,
    http_addr: Option<SocketAddr>,
    shutdown_tx: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Server {
    /// The address the HTTPS listener bound (None when `[forcereset] enable_https = false`).
    pub fn https_addr(&self) -> Option<SocketAddr> {
        self.https_addr
    }

    /// The address the plain HTTP listener bound (None when `[forcereset] enable_http = false`).
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http_addr
    }

    /// Stop accepting, let in-flight requests finish (at most [`SHUTDOWN_GRACE`]), then return.
    pub async fn shutdown(self) {
        self.shutdown_tx.send_replace(true);
        for task in self.tasks {
            if let Err(e) = task.await {
                tracing::error!("listener task failed: {e}");
            }
        }
        tracing::info!("HTTP server stopped");
    }

    /// Serve until SIGINT (Ctrl-C) or SIGTERM, then shut down gracefully.
    pub async fn run_until_signal(self) {
        wait_for_signal().await;
        tracing::info!("signal received, shutting down");
        self.shutdown().await;
    }
}

/// What every connection of one listener shares: who answers, under which limits, and the listener's scheme.
struct Serving<H> {
    handler: Arc<H>,
    limits: BodyLimits,
    scheme: Scheme,
}

impl<H> Clone for Serving<H> {
    fn clone(&self) -> Self {
        Serving {
            handler: self.handler.clone(),
            limits: self.limits,
            scheme: self.scheme,
        }
    }
}

/// The configured listeners, bound but not serving yet: a server binds before it creates anything on disk, so a
/// port that is taken leaves no data directory, database or certificate behind.
pub struct Bound {
    https: Option<(TcpListener, SocketAddr)>,
    http: Option<(TcpListener, SocketAddr)>,
}

impl Bound {
    /// The address the HTTPS listener bound (None when `[forcereset] enable_https = false`).
    pub fn https_addr(&self) -> Option<SocketAddr> {
        self.https.as_ref().map(|(_, addr)| *addr)
    }

    /// The address the plain HTTP listener bound (None when `[forcereset] enable_http = false`).
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http.as_ref().map(|(_, addr)| *addr)
    }
}

/// Bind the configured listeners (both, or the error naming the key to change), nothing else.
pub async fn bind(config: &Config) -> Result<Bound, HttpError> {
    let emulator = &config.emulator;
    let mut bound = Bound {
        https: None,
        http: None,
    };
    if emulator.enable_https {
        let (port, key) = match emulator.https_port {
            Some(port) => (port, "[forcereset] https_port"),
            None => (config.server.https_port(), "[server] offset or [forcereset] https_port"),
        };
        let listener = bind_one(&emulator.bind_address, port, key).await?;
        let addr = local_addr(&listener, &emulator.bind_address, port, key)?;
        bound.https = Some((listener, addr));
    }
    if emulator.enable_http {
        let (port, key) = match emulator.http_port {
            Some(port) => (port, "[forcereset] http_port"),
            None => (config.server.http_port(), "[server] offset or [forcereset] http_port"),
        };
        let listener = bind_one(&emulator.bind_address, port, key).await?;
        let addr = local_addr(&listener, &emulator.bind_address, port, key)?;
        bound.http = Some((listener, addr));
    }
    if bound.https.is_none() && bound.http.is_none() {
        tracing::warn!("both [forcereset] enable_https and enable_http are false: not listening");
    }
    Ok(bound)
}

/// Bind the configured listeners and start serving requests to `handler`.
pub async fn start<H: Handler>(config: &Config, handler: Arc<H>) -> Result<Server, HttpError> {
    serve(bind(config).await?, config, handler).await
}

/// Start serving on listeners already bound: the TLS certificate is loaded (or generated into the data dir) now.
pub async fn serve<H: Handler>(bound: Bound, config: &Config, handler: Arc<H>) -> Result<Server, HttpError> {
    let emulator = &config.emulator;
    let limits = BodyLimits {
        max_bytes: emulator.max_request_body_bytes,
        timeout: Duration::from_secs(emulator.read_timeout_seconds.max(1)),
    };
    let (https_addr, http_addr) = (bound.https_addr(), bound.http_addr());
    let mut listeners: Vec<(TcpListener, Option<TlsAcceptor>, Scheme)> = Vec::new();
    if let Some((listener, _)) = bound.https {
        let (tls_config, cert) = tls::load_or_generate(config)?;
        tracing::info!(
            "TLS certificate {} ({:?}), SHA-256 fingerprint {}",
            cert.cert_path.display(),
            cert.source,
            cert.sha256_fingerprint
        );
        listeners.push((listener, Some(TlsAcceptor::from(tls_config)), Scheme::Https));
    }
    if let Some((listener, _)) = bound.http {
        listeners.push((listener, None, Scheme::Http));
    }

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut tasks = Vec::new();
    for (listener, tls, scheme) in listeners {
        if let Ok(addr) = listener.local_addr() {
            tracing::info!("listening on {}://{addr}", scheme.as_str());
        }
        tasks.push(tokio::spawn(accept_loop(
            Serving {
                handler: handler.clone(),
                limits,
                scheme,
            },
            listener,
            tls,
            limit.clone(),
            shutdown_rx.clone(),
        )));
    }

    Ok(Server {
        https_addr,
        http_addr,
        shutdown_tx,
        tasks,
    })
}

fn display_addr(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

async fn bind_one(host: &str, port: u16, key: &'static str) -> Result<TcpListener, HttpError> {
    TcpListener::bind((host, port)).await.map_err(|source| HttpError::Bind {
        addr: display_addr(host, port),
        key: bind_key(&source, key),
        source,
    })
}

/// An address that does not resolve or is not local is a `bind_address` problem, not a port problem.
fn bind_key(error: &std::io::Error, port_key: &'static str) -> &'static str {
    match error.kind() {
        std::io::ErrorKind::AddrNotAvailable => "[forcereset] bind_address",
        std::io::ErrorKind::AddrInUse | std::io::ErrorKind::PermissionDenied => port_key,
        _ if error.raw_os_error().is_none() => "[forcereset] bind_address",
        _ => port_key,
    }
}

fn local_addr(listener: &TcpListener, host: &str, port: u16, key: &'static str) -> Result<SocketAddr, HttpError> {
    listener.local_addr().map_err(|source| HttpError::Bind {
        addr: display_addr(host, port),
        key,
        source,
    })
}

async fn accept_loop<H: Handler>(
    serving: Serving<H>,
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    limit: Arc<Semaphore>,
    mut shutdown: watch::Receiver<bool>,
) {
    let scheme = serving.scheme;
    let mut connections = JoinSet::new();
    loop {
        // A permit first, so that at the cap we stop accepting instead of accepting and holding.
        let permit = tokio::select! {
            biased;
            _ = stopped(&mut shutdown) => break,
            permit = limit.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            biased;
            _ = stopped(&mut shutdown) => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Per-connection failures (reset before accept) and resource exhaustion (EMFILE) alike:
                    // log, back off briefly so a persistent error does not spin, and keep serving.
                    tracing::warn!("{} accept failed: {e}", scheme.as_str());
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        connections.spawn(serve_connection(
            serving.clone(),
            stream,
            peer,
            tls.clone(),
            shutdown.clone(),
            permit,
        ));
        while let Some(done) = connections.try_join_next() {
            log_join(done);
        }
    }

    drop(listener);
    // Reap connections that already ended, so the count below is of those still open.
    while let Some(done) = connections.try_join_next() {
        log_join(done);
    }
    if !connections.is_empty() {
        tracing::info!(
            "{}: waiting for {} open connection(s) to finish",
            scheme.as_str(),
            connections.len()
        );
    }
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while let Some(done) = connections.join_next().await {
            log_join(done);
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            "{}: aborting {} connection(s) still busy after {} s",
            scheme.as_str(),
            connections.len(),
            SHUTDOWN_GRACE.as_secs()
        );
        connections.shutdown().await;
    }
}

/// Resolves once shutdown is requested (or the [`Server`] is dropped).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is dropped here, so callers' futures stay `Send`.
    let _ = shutdown.wait_for(|stop| *stop).await;
}

fn log_join(done: Result<(), tokio::task::JoinError>) {
    if let Err(e) = done
        && e.is_panic()
    {
        tracing::error!("connection task panicked: {e}");
    }
}

async fn serve_connection<H: Handler>(
    serving: Serving<H>,
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    // Small request/response exchanges: do not let Nagle delay them.
    let _ = stream.set_nodelay(true);
    match tls {
        None => serve_http(serving, stream, peer, shutdown).await,
        Some(acceptor) => {
            let limit = TLS_HANDSHAKE_TIMEOUT.min(serving.limits.timeout);
            let handshake = tokio::select! {
                _ = stopped(&mut shutdown) => return,
                handshake = tokio::time::timeout(limit, acceptor.accept(stream)) => handshake,
            };
            match handshake {
                Ok(Ok(stream)) => serve_http(serving, stream, peer, shutdown).await,
                Ok(Err(e)) => tracing::debug!("TLS handshake with {peer} failed: {e}"),
                Err(_) => tracing::debug!("TLS handshake with {peer} timed out"),
            }
        }
    }
}

async fn serve_http<H, IO>(serving: Serving<H>, io: IO, peer: SocketAddr, mut shutdown: watch::Receiver<bool>)
where
    H: Handler,
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let Serving {
        handler,
        limits,
        scheme,
    } = serving;
    let timeout = limits.timeout;
    let service = service_fn(move |mut req: Request<Incoming>| {
        let handler = handler.clone();
        req.extensions_mut().insert(PeerAddr(peer));
        req.extensions_mut().insert(limits);
        async move { Ok::<_, Infallible>(answer(handler.as_ref(), req, scheme).await) }
    });

    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .keep_alive(true)
        // Tomcat (and so WSO2) writes `Server`, `Content-Type`…; some clients compare case-sensitively.
        .title_case_headers(true);
    let connection = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(connection);

    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = stopped(&mut shutdown) => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        tracing::debug!("{} connection from {peer} ended: {e}", scheme.as_str());
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    result = tokio::signal::ctrl_c() => {
                        if let Err(e) = result {
                            tracing::warn!("cannot listen for Ctrl-C: {e}; waiting for SIGTERM only");
                            term.recv().await;
                        }
                    }
                    _ = term.recv() => {}
                }
                return;
            }
            Err(e) => tracing::warn!("cannot listen for SIGTERM: {e}"),
        }
    }
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::error!("cannot listen for Ctrl-C: {e}; stop the process another way");
        std::future::pending::<()>().await;
    }
}
