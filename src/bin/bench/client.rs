//! A minimal HTTP/1.1 keep-alive client over TCP or TLS, written for load generation: one request at a time per
//! connection, the request given as ready-made bytes, the response parsed just enough (status, headers, a body
//! framed by `Content-Length` or chunked encoding).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// A byte stream a connection can run over.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Where to connect, and how (plain or TLS trusting one certificate).
#[derive(Clone)]
pub struct Target {
    pub addr: SocketAddr,
    tls: Option<TlsConnector>,
}

impl Target {
    pub fn plain(addr: SocketAddr) -> Target {
        Target { addr, tls: None }
    }

    /// TLS to `addr`, trusting only the PEM certificate at `cert` (the server's self-signed one), ALPN http/1.1.
    pub fn tls(addr: SocketAddr, cert: &Path) -> anyhow::Result<Target> {
        let pem = std::fs::read(cert).with_context(|| format!("cannot read {}", cert.display()))?;
        let mut roots = rustls::RootCertStore::empty();
        for c in rustls_pemfile::certs(&mut pem.as_slice()) {
            let c: CertificateDer<'static> = c.with_context(|| format!("bad PEM in {}", cert.display()))?;
            roots.add(c).context("certificate refused")?;
        }
        let mut config =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .context("TLS client versions")?
                .with_root_certificates(roots)
                .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Target {
            addr,
            tls: Some(TlsConnector::from(Arc::new(config))),
        })
    }

    pub async fn connect(&self) -> anyhow::Result<Conn> {
        let tcp = TcpStream::connect(self.addr)
            .await
            .with_context(|| format!("cannot connect to {}", self.addr))?;
        tcp.set_nodelay(true)?;
        let io: Box<dyn Io> = match &self.tls {
            None => Box::new(tcp),
            Some(connector) => {
                let name = ServerName::try_from("localhost").map_err(|e| anyhow!("server name: {e}"))?;
                Box::new(connector.connect(name, tcp).await.context("TLS handshake")?)
            }
        };
        Ok(Conn {
            io: BufReader::with_capacity(64 * 1024, io),
        })
    }
}

/// One open keep-alive connection.
pub struct Conn {
    io: BufReader<Box<dyn Io>>,
}

/// A parsed response. Header names are lower-case.
#[derive(Debug, Clone, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The server asked to close the connection after this response.
    pub close: bool,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `name=value` of every `Set-Cookie`.
    pub fn cookies(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .filter_map(|(_, v)| v.split(';').next())
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect()
    }
}

impl Conn {
    /// Send one complete request and read its response.
    pub async fn send(&mut self, request: &[u8]) -> anyhow::Result<Response> {
        self.io.get_mut().write_all(request).await?;
        self.io.get_mut().flush().await?;
        self.read_response().await
    }

    async fn line(&mut self, buf: &mut Vec<u8>) -> anyhow::Result<()> {
        buf.clear();
        let n = self.io.read_until(b'\n', buf).await?;
        if n == 0 {
            bail!("connection closed by the server");
        }
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        Ok(())
    }

    async fn read_response(&mut self) -> anyhow::Result<Response> {
        let mut line = Vec::with_capacity(128);
        self.line(&mut line).await?;
        let status_line = String::from_utf8_lossy(&line).into_owned();
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow!("bad status line {status_line:?}"))?;
        let mut response = Response {
            status,
            ..Response::default()
        };
        loop {
            self.line(&mut line).await?;
            if line.is_empty() {
                break;
            }
            let text = String::from_utf8_lossy(&line);
            let (name, value) = text
                .split_once(':')
                .ok_or_else(|| anyhow!("bad header line {text:?}"))?;
            response
                .headers
                .push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
        response.close = response
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let chunked = response
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        let length = response.header("content-length").map(str::parse::<usize>).transpose()?;
        if chunked {
            response.body = self.read_chunked().await?;
        } else if let Some(length) = length {
            let mut body = vec![0u8; length];
            self.io.read_exact(&mut body).await?;
            response.body = body;
        } else if !(status < 200 || status == 204 || status == 304) {
            // No framing: the body runs to the end of the connection.
            self.io.read_to_end(&mut response.body).await?;
            response.close = true;
        }
        Ok(response)
    }

    async fn read_chunked(&mut self) -> anyhow::Result<Vec<u8>> {
        let mut body = Vec::new();
        let mut line = Vec::new();
        loop {
            self.line(&mut line).await?;
            let text = String::from_utf8_lossy(&line);
            let size = usize::from_str_radix(text.split(';').next().unwrap_or("").trim(), 16)
                .with_context(|| format!("bad chunk size {text:?}"))?;
            if size == 0 {
                // Trailers, up to the empty line.
                loop {
                    self.line(&mut line).await?;
                    if line.is_empty() {
                        return Ok(body);
                    }
                }
            }
            let start = body.len();
            body.resize(start + size, 0);
            self.io.read_exact(&mut body[start..]).await?;
            self.line(&mut line).await?;
        }
    }
}

/// A request, rendered to bytes once per send.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn get(path: &str) -> Request {
        Request {
            method: "GET",
            path: path.to_string(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn post(path: &str, content_type: &str, body: impl Into<Vec<u8>>) -> Request {
        Request {
            method: "POST",
            path: path.to_string(),
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + self.body.len());
        out.extend_from_slice(format!("{} {} HTTP/1.1\r\nHost: localhost\r\n", self.method, self.path).as_bytes());
        for (k, v) in &self.headers {
            out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        if self.method != "GET" || !self.body.is_empty() {
            out.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }
}
