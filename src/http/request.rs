//! The request side of the kit: which listener a request came in on, the client's address, reading a body under
//! the server's limits, and query/form parameters.

use std::error::Error as StdError;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Limited};
use hyper::body::Body;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Request, StatusCode, Uri};

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

/// Put into request extensions by [`crate::http::answer`] when the client sent `HEAD`, which the handler sees as
/// `GET`: a `GET` that acts (spends, opens, counts) must not act on a `HEAD` (link checkers send them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadRequest;

/// The client's address, put into request extensions by the server (absent in in-process tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// How large a request's body may be (`[forcereset] max_request_body_bytes`) and how long it may take to arrive
/// (`[forcereset] read_timeout_seconds`), put into request extensions by the server, so that every adapter reads
/// bodies under the same limits without knowing the configuration. [`BodyLimits::DEFAULT`] when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    pub max_bytes: usize,
    pub timeout: std::time::Duration,
}

impl BodyLimits {
    /// The limits when the server set none (handlers driven directly in tests): the config's defaults.
    pub const DEFAULT: BodyLimits = BodyLimits {
        max_bytes: 1024 * 1024,
        timeout: std::time::Duration::from_secs(30),
    };

    /// The limits a request carries.
    pub fn of(extensions: &hyper::http::Extensions) -> BodyLimits {
        extensions.get::<BodyLimits>().copied().unwrap_or(BodyLimits::DEFAULT)
    }
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

/// Read a request's body under its [`BodyLimits`]. A declared `Content-Length` over the limit is refused without
/// reading anything.
///
/// The deadline covers the whole body, not each read: hyper's header timeout stops a client that trickles its
/// head, and without this a client trickling its *body* (one byte a second, "slow POST") would hold a connection
/// and a buffer for as long as it liked.
pub async fn read_request_body(req: Request<RequestBody>) -> Result<(Parts, Bytes), BodyError> {
    let (parts, body) = req.into_parts();
    let BodyLimits {
        max_bytes: limit,
        timeout,
    } = BodyLimits::of(&parts.extensions);
    if declared_length(&parts.headers).is_some_and(|len| len > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    match tokio::time::timeout(timeout, read_body(body.map_err(error_text), limit)).await {
        Ok(bytes) => Ok((parts, bytes?)),
        Err(_) => Err(BodyError::TimedOut {
            seconds: timeout.as_secs(),
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
    use hyper::Method;
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
            .extension(BodyLimits {
                max_bytes: 1024,
                timeout: std::time::Duration::from_millis(50),
            })
            .body(Stalled.boxed_unsync())
            .unwrap();
        let started = std::time::Instant::now();
        let err = read_request_body(req).await.unwrap_err();
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
}
