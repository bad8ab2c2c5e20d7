//! Request dispatch on `(method, path)` and the request-side building blocks handlers share: size-limited body
//! reading, query/form parameters, HEAD handling and the `Server` header.
//!
//! To add an endpoint, add an arm to [`dispatch`]; handlers take what they need from the request and return an
//! [`HttpResponse`] built with [`crate::http::response`].

use std::error::Error as StdError;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Limited};
use hyper::body::Body;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Method, Request, StatusCode, Uri};

use crate::app::App;
use crate::http::response::{self, HttpResponse};

/// Errors a request body can fail with, boxed.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// The request body type handlers see: hyper's `Incoming` in production, anything (e.g. `Full<Bytes>`) in tests.
pub type RequestBody = UnsyncBoxBody<Bytes, BoxError>;

/// Which listener a request arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Https,
    Http,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }
}

/// The client's address, put into request extensions by the server (absent in in-process tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// How long a request's body may take to arrive (`[forcereset] read_timeout_seconds`), put into request extensions
/// by the server; [`DEFAULT_BODY_TIMEOUT`] when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeout(pub std::time::Duration);

/// The body deadline when the server set none (handlers driven directly in tests).
pub const DEFAULT_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

pub const HEALTH_PATH: &str = "/api/health-check/v1.0/health";

/// Answer one request. Never panics; every response carries `Server: WSO2 Carbon Server`, and a `HEAD` is
/// answered like the `GET` of the same URL without the body.
pub async fn route<B>(app: Arc<App>, req: Request<B>, scheme: Scheme) -> HttpResponse
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let mut req = req.map(|body| body.map_err(Into::into).boxed_unsync());
    let is_head = req.method() == Method::HEAD;
    if is_head {
        *req.method_mut() = Method::GET;
    }
    // Kept for the debug line only (the request moves into `dispatch`); not copied when that line is off.
    let logged = tracing::enabled!(tracing::Level::DEBUG).then(|| (req.method().clone(), req.uri().path().to_owned()));

    let mut resp = dispatch(app, req, scheme).await;

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

/// The routing table. `HEAD` has already been turned into `GET`.
async fn dispatch(app: Arc<App>, req: Request<RequestBody>, scheme: Scheme) -> HttpResponse {
    let method = req.method().clone();
    match (&method, req.uri().path()) {
        (&Method::GET, HEALTH_PATH) => health_check(&app),
        (_, HEALTH_PATH) => response::method_not_allowed("GET, HEAD"),
        (_, p) if p.starts_with("/services/") => crate::http::services::handle(app, req, scheme).await,
        (_, p) if crate::web::serves(p) => crate::web::handle(app, req, scheme).await,
        _ => response::not_found(),
    }
}

/// `GET /api/health-check/v1.0/health`, shaped like WSO2's health-check API.
fn health_check(app: &App) -> HttpResponse {
    if health(app) {
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

fn health(app: &App) -> bool {
    app.store.health_check()
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

/// Why a request body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("request body larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("cannot read request body: {0}")]
    Read(String),
    #[error("request body not received within {seconds} s")]
    TimedOut { seconds: u64 },
}

impl BodyError {
    /// `413` for an oversized body, `400` for a broken one, `408` (and close) for one that did not arrive in time.
    pub fn to_response(&self) -> HttpResponse {
        match self {
            BodyError::TooLarge { .. } => response::payload_too_large(),
            BodyError::Read(_) => response::bad_request("unreadable request body"),
            BodyError::TimedOut { .. } => {
                let mut resp = response::text(StatusCode::REQUEST_TIMEOUT, "408 Request Timeout\n");
                resp.headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
                resp
            }
        }
    }
}

/// Read a whole body, failing with [`BodyError::TooLarge`] as soon as it exceeds `limit` bytes.
pub async fn read_body<B>(body: B, limit: usize) -> Result<Bytes, BodyError>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(BodyError::TooLarge { limit }),
        Err(e) => Err(BodyError::Read(e.to_string())),
    }
}

/// Read a request's body under `limit` (`[forcereset] max_request_body_bytes`) and within the request's
/// [`BodyTimeout`]. A declared `Content-Length` over the limit is refused without reading anything.
///
/// The deadline covers the whole body, not each read: hyper's header timeout stops a client that trickles its
/// head, and without this a client trickling its *body* (one byte a second, "slow POST") would hold a connection
/// and a buffer for as long as it liked.
pub async fn read_request_body(limit: usize, req: Request<RequestBody>) -> Result<(Parts, Bytes), BodyError> {
    let (parts, body) = req.into_parts();
    if declared_length(&parts.headers).is_some_and(|len| len > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let deadline = parts
        .extensions
        .get::<BodyTimeout>()
        .map_or(DEFAULT_BODY_TIMEOUT, |t| t.0);
    match tokio::time::timeout(deadline, read_body(body.map_err(error_text), limit)).await {
        Ok(bytes) => Ok((parts, bytes?)),
        Err(_) => Err(BodyError::TimedOut {
            seconds: deadline.as_secs(),
        }),
    }
}

/// A body error as text. A fn item generic over the trait object's lifetime (a closure is not), so rustc can prove
/// the body future `Send` inside the connection task.
fn error_text(e: Box<dyn StdError + Send + Sync + '_>) -> String {
    e.to_string()
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

/// Decoded `name=value` pairs from a query string or an `application/x-www-form-urlencoded` body, in order.
/// Invalid UTF-8 after percent-decoding becomes U+FFFD; nothing here fails.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The query string of a URI (none = empty).
    pub fn from_query(uri: &Uri) -> Params {
        Params::from_urlencoded(uri.query().unwrap_or("").as_bytes())
    }

    /// An `application/x-www-form-urlencoded` body.
    pub fn from_urlencoded(bytes: &[u8]) -> Params {
        Params(serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes).unwrap_or_default())
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The non-empty values of cookie `name` across the request's `Cookie` headers, in the order sent (browsers send
/// the cookie of the most specific path first). One parser for the admin services', the pages' and the console's
/// cookies.
pub fn cookie_values<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(move |(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// `Content-Type` without parameters, lower-cased (`"text/xml; charset=UTF-8"` → `"text/xml"`).
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let media = value.split(';').next().unwrap_or("").trim();
    (!media.is_empty()).then(|| media.to_ascii_lowercase())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use http_body_util::{Empty, Full};
    use hyper::body::Frame;

    #[tokio::test]
    async fn body_within_limit_is_read() {
        let body = Full::new(Bytes::from_static(b"hello"));
        assert_eq!(read_body(body, 5).await.unwrap(), "hello");
        assert_eq!(read_body(Empty::<Bytes>::new(), 0).await.unwrap(), "");
    }

    #[tokio::test]
    async fn body_over_limit_is_too_large() {
        let body = Full::new(Bytes::from_static(b"hello!"));
        let err = read_body(body, 5).await.unwrap_err();
        assert!(matches!(err, BodyError::TooLarge { limit: 5 }), "{err:?}");
        assert_eq!(err.to_response().status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    /// A body delivered in chunks, possibly ending in an error, like a chunked upload.
    struct Chunks(std::collections::VecDeque<Result<Bytes, std::io::Error>>);

    impl Body for Chunks {
        type Data = Bytes;
        type Error = std::io::Error;
        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
            std::task::Poll::Ready(self.0.pop_front().map(|r| r.map(Frame::data)))
        }
    }

    #[tokio::test]
    async fn chunked_body_over_limit_is_too_large() {
        let body = Chunks((0..10).map(|_| Ok(Bytes::from_static(b"0123456789"))).collect());
        let err = read_body(body, 95).await.unwrap_err();
        assert!(matches!(err, BodyError::TooLarge { limit: 95 }), "{err:?}");
        let body = Chunks((0..10).map(|_| Ok(Bytes::from_static(b"0123456789"))).collect());
        assert_eq!(read_body(body, 100).await.unwrap().len(), 100);
    }

    #[tokio::test]
    async fn broken_body_is_a_read_error() {
        let body = Chunks(
            [
                Ok(Bytes::from_static(b"abc")),
                Err(std::io::Error::other("connection reset")),
            ]
            .into(),
        );
        let err = read_body(body, 100).await.unwrap_err();
        assert!(matches!(err, BodyError::Read(_)), "{err:?}");
        assert_eq!(err.to_response().status(), StatusCode::BAD_REQUEST);
    }

    /// A body whose next chunk never comes, like a client that stopped sending (or trickles too slowly).
    struct Stalled;

    impl Body for Stalled {
        type Data = Bytes;
        type Error = BoxError;
        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<Frame<Bytes>, BoxError>>> {
            std::task::Poll::Pending
        }
    }

    /// Regression (slow POST): a body that does not arrive within the request's deadline is a 408 that closes the
    /// connection, instead of a connection held open for as long as the client likes.
    #[tokio::test]
    async fn a_stalled_body_times_out_with_408() {
        let req = Request::builder()
            .method(Method::POST)
            .extension(BodyTimeout(std::time::Duration::from_millis(50)))
            .body(Stalled.boxed_unsync())
            .unwrap();
        let started = std::time::Instant::now();
        let err = read_request_body(1024, req).await.unwrap_err();
        assert!(matches!(err, BodyError::TimedOut { .. }), "{err:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        let resp = err.to_response();
        assert_eq!(resp.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(resp.headers()[header::CONNECTION], "close");
    }

    #[test]
    fn params_from_query_and_form() {
        let uri: Uri = "/x?a=1&b=two+words&c=%C3%A9&a=2&empty=&flag".parse().unwrap();
        let p = Params::from_query(&uri);
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get_all("a").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(p.get("b"), Some("two words"));
        assert_eq!(p.get("c"), Some("é"));
        assert_eq!(p.get("empty"), Some(""));
        assert_eq!(p.get("flag"), Some(""));
        assert_eq!(p.get("missing"), None);

        assert!(Params::from_query(&"/x".parse().unwrap()).is_empty());
        let form = Params::from_urlencoded(b"username=admin&password=p%26ss%3D1");
        assert_eq!(form.get("password"), Some("p&ss=1"));
        // Bad percent-encoding and invalid UTF-8 never fail.
        let odd = Params::from_urlencoded(b"a=%zz&b=%ff");
        assert_eq!(odd.get("a"), Some("%zz"));
        assert_eq!(odd.get("b"), Some("\u{fffd}"));
    }

    #[test]
    fn media_type_strips_parameters() {
        let mut h = HeaderMap::new();
        assert_eq!(media_type(&h), None);
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("Text/XML; charset=UTF-8"),
        );
        assert_eq!(media_type(&h).as_deref(), Some("text/xml"));
    }

    #[test]
    fn strip_body_keeps_length() {
        let resp = strip_body(response::text(StatusCode::OK, "12345"));
        assert_eq!(resp.headers()[header::CONTENT_LENGTH], "5");
        assert!(resp.body().is_end_stream());
    }
}
