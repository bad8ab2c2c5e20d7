//! The composition running: health, HEAD, 404/405, HTTPS with the generated certificate, graceful shutdown, and
//! bind failures that name their key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::app::system_clock;
use crate::store::Store;
use rustls::pki_types::{CertificateDer, ServerName};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

fn test_config(dir: &std::path::Path, https: bool, http: bool) -> Config {
    let mut config = Config::defaults();
    config.emulator.data_dir = dir.join("data");
    config.emulator.bind_address = "127.0.0.1".to_owned();
    config.emulator.enable_https = https;
    config.emulator.enable_http = http;
    config.emulator.https_port = Some(0);
    config.emulator.http_port = Some(0);
    config
}

/// The composition over a fresh store: what `serve` runs.
async fn start_services(dir: &std::path::Path, config: &Config) -> Result<(Arc<App>, Services), HttpError> {
    let store = Store::open(&dir.join("db.sqlite3")).unwrap();
    let app = Arc::new(App::new(config.clone(), store, system_clock()));
    let services = Services::start(app.clone(), config).await?;
    Ok((app, services))
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
    let (app, services) = start_services(dir.path(), &test_config(dir.path(), true, true))
        .await
        .unwrap();
    let server = &services.server;
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
    let mut client = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
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
    tokio::time::timeout(Duration::from_secs(5), services.shutdown())
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
    let (_app, services) = start_services(dir.path(), &test_config(dir.path(), false, true))
        .await
        .unwrap();
    let http = services.server.http_addr().unwrap();
    assert!(services.server.https_addr().is_none());

    // Send half a request, start shutdown, then finish it: it is still answered.
    let mut tcp = TcpStream::connect(http).await.unwrap();
    tcp.write_all(b"GET /api/health-check/v1.0/health HTTP/1.1\r\n")
        .await
        .unwrap();
    // Give the connection task time to buffer the partial head (an empty connection would be closed).
    tokio::time::sleep(Duration::from_millis(200)).await;
    let shutdown = tokio::spawn(services.shutdown());
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
    let err = start_services(dir.path(), &config).await.err().unwrap().to_string();
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(err.contains("[forcereset] http_port"), "{err}");
}

#[tokio::test]
async fn tenant_qualified_paths_reach_the_same_table_or_the_valve_s_404() {
    let dir = tempfile::tempdir().unwrap();
    let (app, services) = start_services(dir.path(), &test_config(dir.path(), false, true))
        .await
        .unwrap();
    app.bootstrap().unwrap();
    let spec = crate::app::TenantSpec {
        domain: "abc.com".into(),
        admin: "kim".into(),
        password: crate::domain::secret::Secret::new("Kim@12345"),
        email: "kim@abc.com".into(),
        first_name: String::new(),
        last_name: String::new(),
    };
    app.add_tenant(&crate::app::Actor::System, &spec).unwrap();
    let http = services.server.http_addr().unwrap();
    let ask = |path: &'static str| async move {
        let mut tcp = TcpStream::connect(http).await.unwrap();
        exchange(&mut tcp, &get(path)).await
    };
    // The same path inside carbon.super and inside an active tenant.
    assert_health(&ask("/t/carbon.super/api/health-check/v1.0/health").await);
    assert_health(&ask("/t/ABC.com/api/health-check/v1.0/health").await);
    // An unknown tenant, then a deactivated one: the rewrite valve's answer.
    for (path, domain) in [
        ("/t/nope.com/scim2/Users", "nope.com"),
        ("/t/abc.com/scim2/Users", "abc.com"),
    ] {
        if domain == "abc.com" {
            app.set_tenant_active(&crate::app::Actor::System, "abc.com", false)
                .unwrap();
        }
        let answer = ask(path).await;
        assert!(answer.starts_with("HTTP/1.1 404 Not Found\r\n"), "{answer}");
        assert!(
            answer.ends_with(&format!(
                "{{\"code\":404,\"description\":\"invalid tenant domain : {domain}\",\"message\":\"invalid tenant domain : {domain}\"}}"
            )),
            "{answer}"
        );
    }
    services.shutdown().await;
}
