//! `Authorization: Basic` parsing for the admin services, and the WSO2-style `401` challenge.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hyper::StatusCode;
use hyper::header::{self, HeaderValue};

use crate::domain::secret::Secret;
use crate::http::response::{self, HttpResponse};

/// The realm WSO2 Identity Server challenges with.
pub const REALM_CHALLENGE: &str = "Basic realm=\"WSO2 Identity Server\"";

/// What an `Authorization` header held. `Missing` and `Malformed` both end in a 401 like WSO2, but are kept
/// apart for logging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BasicCredentials {
    /// No `Authorization` header.
    Missing,
    /// A header that is not `Basic <base64 of user:password>` with a non-empty user and password in UTF-8
    /// (including other schemes such as `Bearer`).
    Malformed,
    /// A user name and password; the password never shows in `Debug`.
    Credentials { username: String, password: Secret },
}

/// Parse an `Authorization` header value. Never panics.
///
/// The scheme is matched case-insensitively and may be followed by any amount of spaces or tabs; the payload is
/// standard base64 (with padding) of `username:password`, split at the first `:` so passwords may contain `:`.
pub fn parse(header: Option<&HeaderValue>) -> BasicCredentials {
    let Some(value) = header else {
        return BasicCredentials::Missing;
    };
    parse_bytes(value.as_bytes()).unwrap_or(BasicCredentials::Malformed)
}

fn parse_bytes(raw: &[u8]) -> Option<BasicCredentials> {
    let text = std::str::from_utf8(raw).ok()?.trim();
    let (scheme, payload) = text.split_once([' ', '\t'])?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(payload.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (username, password) = decoded.split_once(':')?;
    if username.is_empty() || password.is_empty() {
        return None;
    }
    Some(BasicCredentials::Credentials {
        username: username.to_owned(),
        password: Secret::new(password),
    })
}

/// `401 Unauthorized` with `WWW-Authenticate: Basic realm="WSO2 Identity Server"`, `text/html`, empty body.
pub fn unauthorized() -> HttpResponse {
    let mut resp = response::with_body(
        StatusCode::UNAUTHORIZED,
        HeaderValue::from_static("text/html"),
        bytes::Bytes::new(),
    );
    resp.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM_CHALLENGE));
    resp
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn header(s: &str) -> HeaderValue {
        HeaderValue::from_str(s).unwrap()
    }

    fn basic(userpass: &str) -> HeaderValue {
        header(&format!("Basic {}", STANDARD.encode(userpass)))
    }

    fn creds(username: &str, password: &str) -> BasicCredentials {
        BasicCredentials::Credentials {
            username: username.to_owned(),
            password: Secret::new(password),
        }
    }

    #[test]
    fn missing_header() {
        assert_eq!(parse(None), BasicCredentials::Missing);
    }

    #[test]
    fn valid_credentials() {
        assert_eq!(parse(Some(&basic("admin:admin"))), creds("admin", "admin"));
        // Only the first colon splits.
        assert_eq!(parse(Some(&basic("bob:pa:ss"))), creds("bob", "pa:ss"));
        // UTF-8 user names and passwords.
        assert_eq!(parse(Some(&basic("jöns:pässwörd"))), creds("jöns", "pässwörd"));
    }

    #[test]
    fn scheme_is_case_insensitive_and_spacing_is_tolerated() {
        let payload = STANDARD.encode("admin:admin");
        for h in [
            format!("basic {payload}"),
            format!("BASIC {payload}"),
            format!("bAsIc   {payload}"),
            format!("Basic\t{payload}"),
            format!("  Basic {payload}  "),
        ] {
            assert_eq!(parse(Some(&header(&h))), creds("admin", "admin"), "{h}");
        }
    }

    #[test]
    fn malformed_headers() {
        let cases = [
            header("Basic"),
            header("Basic "),
            header("Basicxyz"),
            header("Bearer abc.def"),
            header(&format!("Digest {}", STANDARD.encode("admin:admin"))),
            header("Basic !!!notbase64!!!"),
            basic("nocolon"),
            basic(":password"),
            basic("admin:"),
            basic(":"),
            header(&format!("Basic {}", STANDARD.encode([0xff, 0xfe, b':', b'x']))),
            // Non-ASCII header bytes.
            HeaderValue::from_bytes(b"Basic \xe9\xe9").unwrap(),
        ];
        for h in cases {
            assert_eq!(parse(Some(&h)), BasicCredentials::Malformed, "{h:?}");
        }
    }

    #[test]
    fn password_never_in_debug() {
        let parsed = parse(Some(&basic("admin:s3cr3t-value")));
        let debug = format!("{parsed:?}");
        assert!(debug.contains("admin"));
        assert!(!debug.contains("s3cr3t-value"));
    }

    #[test]
    fn unauthorized_response() {
        let resp = unauthorized();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            resp.headers()[header::WWW_AUTHENTICATE],
            "Basic realm=\"WSO2 Identity Server\""
        );
        assert_eq!(resp.headers()[header::CONTENT_TYPE], "text/html");
        assert_eq!(resp.headers()[header::SERVER], response::SERVER_HEADER);
        assert!(hyper::body::Body::is_end_stream(resp.body()));
    }
}
