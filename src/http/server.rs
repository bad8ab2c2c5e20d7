//! The listeners: binds HTTPS and plain HTTP per config, serves HTTP/1.1 on each connection, caps concurrency,
//! and shuts down gracefully on request or on SIGINT/SIGTERM.
//!
//! Choices, all constants below:
//! - HTTP/1.1 only (WSO2's SOAP clients and browsers both speak it; ALPN advertises `http/1.1`), keep-alive on.
//! - Read timeout `[forcereset] read_timeout_seconds` (default 30 s): a client that does not finish its request
//!   head in time is dropped (slowloris); hyper starts that clock whenever it waits for a request head, so it is
//!   also the idle keep-alive timeout. The same time bounds the body once the head is in ([`BodyTimeout`], read by
//!   `router::read_request_body`): a body trickled slower than that gets `408` (slow POST).
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

use crate::app::App;
use crate::http::router::{BodyTimeout, PeerAddr, Scheme, route};
use crate::http::{HttpError, tls};

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

/// Bind the configured listeners and start serving. Binds everything before serving anything, so a failure
/// leaves nothing running. Records the real HTTPS address with [`App::set_product_url`].
pub async fn start(app: Arc<App>) -> Result<Server, HttpError> {
    let config = &app.config;
    let emulator = &config.emulator;
    let mut listeners: Vec<(TcpListener, Option<TlsAcceptor>, Scheme)> = Vec::new();
    let mut https_addr = None;
    let mut http_addr = None;

    if emulator.enable_https {
        let (tls_config, cert) = tls::load_or_generate(config)?;
        tracing::info!(
            "TLS certificate {} ({:?}), SHA-256 fingerprint {}",
            cert.cert_path.display(),
            cert.source,
            cert.sha256_fingerprint
        );
        let (port, key) = match emulator.https_port {
            Some(port) => (port, "[forcereset] https_port"),
            None => (config.server.https_port(), "[server] offset or [forcereset] https_port"),
        };
        let listener = bind(&emulator.bind_address, port, key).await?;
        let addr = local_addr(&listener, &emulator.bind_address, port, key)?;
        app.set_product_url(format!("https://{}:{}", config.server.hostname, addr.port()));
        https_addr = Some(addr);
        listeners.push((listener, Some(TlsAcceptor::from(tls_config)), Scheme::Https));
    }

    if emulator.enable_http {
        let (port, key) = match emulator.http_port {
            Some(port) => (port, "[forcereset] http_port"),
            None => (config.server.http_port(), "[server] offset or [forcereset] http_port"),
        };
        let listener = bind(&emulator.bind_address, port, key).await?;
        let addr = local_addr(&listener, &emulator.bind_address, port, key)?;
        http_addr = Some(addr);
        listeners.push((listener, None, Scheme::Http));
    }

    if listeners.is_empty() {
        tracing::warn!("both [forcereset] enable_https and enable_http are false: not listening");
    }

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut tasks = Vec::new();
    for (listener, tls, scheme) in listeners {
        if let Ok(addr) = listener.local_addr() {
            tracing::info!("listening on {}://{addr}", scheme.as_str());
        }
        tasks.push(tokio::spawn(accept_loop(
            app.clone(),
            listener,
            tls,
            scheme,
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

async fn bind(host: &str, port: u16, key: &'static str) -> Result<TcpListener, HttpError> {
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

async fn accept_loop(
    app: Arc<App>,
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    scheme: Scheme,
    limit: Arc<Semaphore>,
    mut shutdown: watch::Receiver<bool>,
) {
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
            app.clone(),
            stream,
            peer,
            tls.clone(),
            scheme,
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

async fn serve_connection(
    app: Arc<App>,
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    scheme: Scheme,
    mut shutdown: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    // Small request/response exchanges: do not let Nagle delay them.
    let _ = stream.set_nodelay(true);
    match tls {
        None => serve_http(app, stream, peer, scheme, shutdown).await,
        Some(acceptor) => {
            let limit = TLS_HANDSHAKE_TIMEOUT.min(read_timeout(&app));
            let handshake = tokio::select! {
                _ = stopped(&mut shutdown) => return,
                handshake = tokio::time::timeout(limit, acceptor.accept(stream)) => handshake,
            };
            match handshake {
                Ok(Ok(stream)) => serve_http(app, stream, peer, scheme, shutdown).await,
                Ok(Err(e)) => tracing::debug!("TLS handshake with {peer} failed: {e}"),
                Err(_) => tracing::debug!("TLS handshake with {peer} timed out"),
            }
        }
    }
}

/// `[forcereset] read_timeout_seconds`.
fn read_timeout(app: &App) -> Duration {
    Duration::from_secs(app.config.emulator.read_timeout_seconds.max(1))
}

async fn serve_http<IO>(app: Arc<App>, io: IO, peer: SocketAddr, scheme: Scheme, mut shutdown: watch::Receiver<bool>)
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let timeout = read_timeout(&app);
    let service = service_fn(move |mut req: Request<Incoming>| {
        let app = app.clone();
        req.extensions_mut().insert(PeerAddr(peer));
        req.extensions_mut().insert(BodyTimeout(timeout));
        async move { Ok::<_, Infallible>(route(app, req, scheme).await) }
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::app::system_clock;
    use crate::config::Config;
    use crate::store::Store;
    use rustls::pki_types::{CertificateDer, ServerName};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn test_app(dir: &std::path::Path, https: bool, http: bool) -> Arc<App> {
        let mut config = Config::defaults();
        config.emulator.data_dir = dir.join("data");
        config.emulator.bind_address = "127.0.0.1".to_owned();
        config.emulator.enable_https = https;
        config.emulator.enable_http = http;
        config.emulator.https_port = Some(0);
        config.emulator.http_port = Some(0);
        let store = Store::open(&dir.join("db.sqlite3")).unwrap();
        Arc::new(App::new(config, store, system_clock()))
    }

    /// Send one request with `Connection: close` and read the whole response. A peer that closes without TLS
    /// `close_notify` after sending everything is tolerated.
    async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, request: &str) -> String {
        stream.write_all(request.as_bytes()).await.unwrap();
        stream.flush().await.unwrap();
        let mut buf = Vec::new();
        match stream.read_to_end(&mut buf).await {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !buf.is_empty() => {}
            Err(e) => panic!("read failed: {e}"),
        }
        String::from_utf8(buf).unwrap()
    }

    fn get(path: &str) -> String {
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    }

    fn assert_health(response: &str) {
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(response.contains("\r\nServer: WSO2 Carbon Server\r\n"), "{response}");
        assert!(
            response.contains("\r\nContent-Type: application/json\r\n"),
            "{response}"
        );
        assert!(
            response.ends_with(r#"{"health":[{"key":"sqlite","value":"UP"}]}"#),
            "{response}"
        );
    }

    #[tokio::test]
    async fn serves_http_and_https_then_shuts_down() {
        let dir = tempfile::tempdir().unwrap();
        let app = test_app(dir.path(), true, true);
        let server = start(app.clone()).await.unwrap();
        let http = server.http_addr().unwrap();
        let https = server.https_addr().unwrap();
        assert_ne!(http.port(), 0);
        assert_ne!(https.port(), 0);
        assert_eq!(app.product_url(), format!("https://localhost:{}", https.port()));

        // Plain HTTP.
        let mut tcp = TcpStream::connect(http).await.unwrap();
        assert_health(&exchange(&mut tcp, &get("/api/health-check/v1.0/health")).await);

        // HEAD: same head, no body.
        let mut tcp = TcpStream::connect(http).await.unwrap();
        let head = exchange(
            &mut tcp,
            "HEAD /api/health-check/v1.0/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head.contains("\r\nContent-Length: 42\r\n"), "{head}");
        assert!(head.ends_with("\r\n\r\n"), "{head}");

        // Unknown path and wrong method.
        let mut tcp = TcpStream::connect(http).await.unwrap();
        let missing = exchange(&mut tcp, &get("/nowhere")).await;
        assert!(missing.starts_with("HTTP/1.1 404 Not Found\r\n"), "{missing}");
        assert!(missing.contains("\r\nServer: WSO2 Carbon Server\r\n"), "{missing}");
        let mut tcp = TcpStream::connect(http).await.unwrap();
        let post = exchange(
            &mut tcp,
            "POST /api/health-check/v1.0/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(post.starts_with("HTTP/1.1 405"), "{post}");

        // HTTPS, trusting the generated certificate.
        let pem = std::fs::read(dir.path().join("data/tls/cert.pem")).unwrap();
        let cert: CertificateDer<'static> = rustls_pemfile::certs(&mut pem.as_slice()).next().unwrap().unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(cert).unwrap();
        let mut client =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth();
        client.alpn_protocols = vec![b"http/1.1".to_vec()];
        let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
        let tcp = TcpStream::connect(https).await.unwrap();
        let mut tls = connector
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .unwrap();
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
        assert_health(&exchange(&mut tls, &get("/api/health-check/v1.0/health")).await);

        // An idle keep-alive connection must not hold up shutdown.
        let mut idle = TcpStream::connect(http).await.unwrap();
        idle.write_all(b"GET /api/health-check/v1.0/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        let mut first = [0u8; 12];
        idle.read_exact(&mut first).await.unwrap();
        assert_eq!(&first, b"HTTP/1.1 200");

        let started = std::time::Instant::now();
        tokio::time::timeout(Duration::from_secs(5), server.shutdown())
            .await
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(
            TcpStream::connect(http).await.is_err(),
            "still accepting after shutdown"
        );
    }

    #[tokio::test]
    async fn in_flight_request_finishes_during_shutdown() {
        let dir = tempfile::tempdir().unwrap();
        let app = test_app(dir.path(), false, true);
        let server = start(app).await.unwrap();
        let http = server.http_addr().unwrap();
        assert!(server.https_addr().is_none());

        // Send half a request, start shutdown, then finish it: it is still answered.
        let mut tcp = TcpStream::connect(http).await.unwrap();
        tcp.write_all(b"GET /api/health-check/v1.0/health HTTP/1.1\r\n")
            .await
            .unwrap();
        // Give the connection task time to buffer the partial head (an empty connection would be closed).
        tokio::time::sleep(Duration::from_millis(200)).await;
        let shutdown = tokio::spawn(server.shutdown());
        tokio::time::sleep(Duration::from_millis(50)).await;
        let response = exchange(&mut tcp, "Host: localhost\r\n\r\n").await;
        assert_health(&response);
        tokio::time::timeout(Duration::from_secs(5), shutdown)
            .await
            .unwrap()
            .unwrap();
    }

    #[tokio::test]
    async fn bind_failure_names_the_config_key() {
        let dir = tempfile::tempdir().unwrap();
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();

        let mut config = Config::defaults();
        config.emulator.data_dir = dir.path().join("data");
        config.emulator.bind_address = "127.0.0.1".to_owned();
        config.emulator.enable_https = false;
        config.emulator.enable_http = true;
        config.emulator.http_port = Some(port);
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let app = Arc::new(App::new(config, store, system_clock()));
        let err = start(app).await.err().unwrap().to_string();
        assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
        assert!(err.contains("[forcereset] http_port"), "{err}");
    }
}
