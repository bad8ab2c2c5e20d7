//! Response constructors shared by every handler; each sets `Server: WSO2 Carbon Server` like the real product.
//!
//! Nothing here can panic: status codes and header values are either constants or checked.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

/// The one response type the router and handlers return.
pub type HttpResponse = Response<Full<Bytes>>;

/// WSO2 Identity Server (Tomcat under Carbon) answers with this `Server` header.
pub const SERVER_HEADER: &str = "WSO2 Carbon Server";

pub const TEXT_PLAIN: &str = "text/plain; charset=UTF-8";
pub const TEXT_HTML: &str = "text/html; charset=UTF-8";
/// SOAP 1.1 content type, as Axis2 sends it.
pub const TEXT_XML: &str = "text/xml; charset=UTF-8";
/// SOAP 1.2 content type.
pub const SOAP12_XML: &str = "application/soap+xml; charset=UTF-8";
pub const APPLICATION_JSON: &str = "application/json";

/// Add (or overwrite) the `Server` header. The router calls this on every response it returns.
pub fn set_server_header(resp: &mut HttpResponse) {
    resp.headers_mut()
        .insert(header::SERVER, HeaderValue::from_static(SERVER_HEADER));
}

/// A response with a status, a content type and a body.
pub fn with_body(status: StatusCode, content_type: HeaderValue, body: impl Into<Bytes>) -> HttpResponse {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(header::CONTENT_TYPE, content_type);
    set_server_header(&mut resp);
    resp
}

/// A response with no body and no content type.
pub fn empty(status: StatusCode) -> HttpResponse {
    let mut resp = Response::new(Full::new(Bytes::new()));
    *resp.status_mut() = status;
    set_server_header(&mut resp);
    resp
}

/// `text/plain; charset=UTF-8`.
pub fn text(status: StatusCode, body: impl Into<Bytes>) -> HttpResponse {
    with_body(status, HeaderValue::from_static(TEXT_PLAIN), body)
}

/// `text/html; charset=UTF-8`.
pub fn html(status: StatusCode, body: impl Into<Bytes>) -> HttpResponse {
    with_body(status, HeaderValue::from_static(TEXT_HTML), body)
}

/// `text/xml; charset=UTF-8` (SOAP 1.1 and WSDL).
pub fn xml(status: StatusCode, body: impl Into<Bytes>) -> HttpResponse {
    with_body(status, HeaderValue::from_static(TEXT_XML), body)
}

/// `application/soap+xml; charset=UTF-8` (SOAP 1.2).
pub fn soap12(status: StatusCode, body: impl Into<Bytes>) -> HttpResponse {
    with_body(status, HeaderValue::from_static(SOAP12_XML), body)
}

/// `application/json` with a serialized value.
pub fn json(status: StatusCode, value: &serde_json::Value) -> HttpResponse {
    // Serializing a `Value` cannot fail (its map keys are strings); fall back to `null` regardless.
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
    with_body(status, HeaderValue::from_static(APPLICATION_JSON), body)
}

/// `302 Found` with `Location`. A location that is not a valid header value (control characters) gives a 500
/// instead of a panic; callers build locations from percent-encoded parts, so that means a bug.
pub fn redirect(location: &str) -> HttpResponse {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut resp = empty(StatusCode::FOUND);
            resp.headers_mut().insert(header::LOCATION, value);
            resp
        }
        Err(_) => {
            tracing::error!("refusing to redirect to a location with invalid characters");
            internal_error()
        }
    }
}

/// `303 See Other` with `Location`: after a POST the browser GETs the location.
pub fn see_other(location: &str) -> HttpResponse {
    let mut resp = redirect(location);
    if resp.status() == StatusCode::FOUND {
        *resp.status_mut() = StatusCode::SEE_OTHER;
    }
    resp
}

/// `404` with a short text body.
pub fn not_found() -> HttpResponse {
    text(StatusCode::NOT_FOUND, "404 Not Found\n")
}

/// `405` with `Allow`, e.g. `method_not_allowed("GET, HEAD")`.
pub fn method_not_allowed(allow: &'static str) -> HttpResponse {
    let mut resp = text(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed\n");
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    resp
}

/// `400` with a short text body.
pub fn bad_request(message: &str) -> HttpResponse {
    text(StatusCode::BAD_REQUEST, format!("400 Bad Request: {message}\n"))
}

/// `413` with a short text body.
pub fn payload_too_large() -> HttpResponse {
    text(StatusCode::PAYLOAD_TOO_LARGE, "413 Request Entity Too Large\n")
}

/// `500` with a generic body; details belong in the log, not the response.
pub fn internal_error() -> HttpResponse {
    text(StatusCode::INTERNAL_SERVER_ERROR, "500 Internal Server Error\n")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn body_of(resp: HttpResponse) -> Bytes {
        resp.into_body().collect().await.unwrap().to_bytes()
    }

    #[tokio::test]
    async fn helpers_set_status_type_and_server() {
        let resp = html(StatusCode::OK, "<p>x</p>");
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()[header::CONTENT_TYPE], TEXT_HTML);
        assert_eq!(resp.headers()[header::SERVER], SERVER_HEADER);
        assert_eq!(body_of(resp).await, "<p>x</p>");

        let resp = json(StatusCode::OK, &serde_json::json!({"a": 1}));
        assert_eq!(resp.headers()[header::CONTENT_TYPE], APPLICATION_JSON);
        assert_eq!(body_of(resp).await, r#"{"a":1}"#);

        assert_eq!(xml(StatusCode::OK, "").headers()[header::CONTENT_TYPE], TEXT_XML);
        assert_eq!(not_found().status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn redirect_sets_location_and_rejects_control_characters() {
        let resp = redirect("https://localhost:9443/x?a=1");
        assert_eq!(resp.status(), StatusCode::FOUND);
        assert_eq!(resp.headers()[header::LOCATION], "https://localhost:9443/x?a=1");
        assert_eq!(resp.headers()[header::SERVER], SERVER_HEADER);

        let bad = redirect("https://x/\r\nSet-Cookie: a=b");
        assert_eq!(bad.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(bad.headers().get(header::LOCATION).is_none());
    }
}
