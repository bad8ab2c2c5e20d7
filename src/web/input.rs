//! What the web pages accept from a request: strictly decoded form bodies (UTF-8 or refused), bounded fields and
//! cookies. A failure here is a 400/413 page and nothing changes.

use bytes::Bytes;
use hyper::header::HeaderMap;
use hyper::http::request::Parts;
use hyper::{Request, StatusCode};
use percent_encoding::percent_decode;

use crate::http::request::{BodyError, Params, RequestBody, media_type, read_request_body};

/// The longest value any form field or query parameter may have. Far above any user name, password, code or
/// token; it only keeps absurd input away from argon2 and the store.
pub const MAX_FIELD_CHARS: usize = 1024;
/// The longest document a form may carry in the fields that hold one (an e-mail template's body).
pub const MAX_TEXT_CHARS: usize = 64 * 1024;

/// Why a request was refused before any use case ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadInput {
    /// The body is over `[forcereset] max_request_body_bytes`.
    TooLarge,
    /// The body did not arrive within `[forcereset] read_timeout_seconds` (a slow POST).
    TimedOut,
    /// Anything else, in words for the page.
    Bad(String),
}

impl BadInput {
    pub fn status(&self) -> StatusCode {
        match self {
            BadInput::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            BadInput::TimedOut => StatusCode::REQUEST_TIMEOUT,
            BadInput::Bad(_) => StatusCode::BAD_REQUEST,
        }
    }

    pub fn message(&self) -> String {
        match self {
            BadInput::TooLarge => "The submitted form is too large.".to_string(),
            BadInput::TimedOut => "The request body was not received in time.".to_string(),
            BadInput::Bad(m) => m.clone(),
        }
    }

    /// Should the answer end the connection? A client that stalled its body is not kept waiting on.
    pub fn closes_connection(&self) -> bool {
        matches!(self, BadInput::TimedOut)
    }
}

/// Read and decode an `application/x-www-form-urlencoded` body under the server's limits.
pub async fn read_form(req: Request<RequestBody>) -> Result<(Parts, Params), BadInput> {
    let (parts, body) = read_body(req).await?;
    if media_type(&parts.headers).as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(BadInput::Bad(
            "Expected a form (Content-Type: application/x-www-form-urlencoded).".to_string(),
        ));
    }
    let form = parse_form(&body)?;
    Ok((parts, form))
}

/// Read a body under the server's limits.
pub async fn read_body(req: Request<RequestBody>) -> Result<(Parts, Bytes), BadInput> {
    read_request_body(req).await.map_err(|e| match e {
        BodyError::TooLarge { .. } => BadInput::TooLarge,
        BodyError::Read(_) => BadInput::Bad("The request body could not be read.".to_string()),
        BodyError::TimedOut { .. } => BadInput::TimedOut,
    })
}

/// Decode a form body. Unlike [`Params::from_urlencoded`], bytes that are not UTF-8 after percent-decoding are
/// refused rather than replaced: a password must reach the hash exactly as typed, or not at all.
pub fn parse_form(body: &[u8]) -> Result<Params, BadInput> {
    let mut pairs = Vec::new();
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let mut halves = pair.splitn(2, |b| *b == b'=');
        let name = decode_component(halves.next().unwrap_or_default())?;
        let value = decode_component(halves.next().unwrap_or_default())?;
        pairs.push((name, value));
    }
    Ok(Params(pairs))
}

fn decode_component(raw: &[u8]) -> Result<String, BadInput> {
    let plus_as_space: Vec<u8> = raw.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
    let bytes: Vec<u8> = percent_decode(&plus_as_space).collect();
    String::from_utf8(bytes).map_err(|_| BadInput::Bad("The form is not valid UTF-8.".to_string()))
}

/// A required, bounded field.
pub fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, BadInput> {
    let value = params
        .get(name)
        .ok_or_else(|| BadInput::Bad(format!("The field '{name}' is missing.")))?;
    bounded(name, value)
}

/// An optional, bounded field.
pub fn optional<'a>(params: &'a Params, name: &str) -> Result<Option<&'a str>, BadInput> {
    params.get(name).map(|v| bounded(name, v)).transpose()
}

fn bounded<'a>(name: &str, value: &'a str) -> Result<&'a str, BadInput> {
    if value.chars().count() > MAX_FIELD_CHARS {
        return Err(BadInput::Bad(format!(
            "The field '{name}' is longer than {MAX_FIELD_CHARS} characters."
        )));
    }
    Ok(value)
}

/// The value of cookie `name`, if the request sent one (the first, as browsers send the most specific first).
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    crate::http::cookie::value(headers, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn forms_decode_strictly() {
        let form = parse_form(b"username=tom&password=p%26ss%3D1+2&empty=&flag&&x=%C3%A9").unwrap();
        assert_eq!(form.get("username"), Some("tom"));
        assert_eq!(form.get("password"), Some("p&ss=1 2"));
        assert_eq!(form.get("empty"), Some(""));
        assert_eq!(form.get("flag"), Some(""));
        assert_eq!(form.get("x"), Some("é"));
        assert!(parse_form(b"password=%ff").is_err(), "percent-encoded non-UTF-8");
        assert!(parse_form(b"password=\xff").is_err(), "raw non-UTF-8");
        assert!(parse_form(b"%ff=x").is_err(), "non-UTF-8 name");
        assert_eq!(parse_form(b"").unwrap(), Params::default());
    }

    #[test]
    fn fields_are_required_and_bounded() {
        let long = "a".repeat(MAX_FIELD_CHARS + 1);
        let form = Params(vec![("a".into(), "1".into()), ("long".into(), long)]);
        assert_eq!(required(&form, "a"), Ok("1"));
        assert!(matches!(required(&form, "b"), Err(BadInput::Bad(m)) if m.contains("'b' is missing")));
        assert!(matches!(required(&form, "long"), Err(BadInput::Bad(m)) if m.contains("longer than")));
        assert_eq!(optional(&form, "b"), Ok(None));
        assert!(optional(&form, "long").is_err());
        let exact = Params(vec![("e".into(), "é".repeat(MAX_FIELD_CHARS))]);
        assert!(required(&exact, "e").is_ok(), "the bound counts characters, not bytes");
    }

    #[test]
    fn a_stalled_body_is_a_408_that_ends_the_connection() {
        assert_eq!(BadInput::TimedOut.status(), StatusCode::REQUEST_TIMEOUT);
        assert!(BadInput::TimedOut.closes_connection());
        assert!(!BadInput::TooLarge.closes_connection());
        assert_eq!(BadInput::Bad("x".into()).status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut h = HeaderMap::new();
        h.append(
            hyper::header::COOKIE,
            HeaderValue::from_static("xcommonAuthId=no; commonAuthId=abc ; b=2; empty="),
        );
        assert_eq!(cookie(&h, "commonAuthId").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "empty"), None);
        assert_eq!(cookie(&h, "c"), None);
    }
}
