//! Cookies: the one `Cookie` parser and the one `Set-Cookie` builder every adapter uses.
//!
//! Every cookie of ours is `HttpOnly` and carries `Secure` exactly when the request came over HTTPS (a `Secure`
//! cookie set over plain HTTP would never come back). Attributes are written in one fixed order, `Path`,
//! `HttpOnly`, `SameSite`, `Secure`, `Max-Age`, so the headers are the same whichever adapter sets them.

use hyper::header::{self, HeaderMap, HeaderValue};

use crate::http::request::Scheme;
use crate::http::response::HttpResponse;

/// The non-empty values of cookie `name` across the request's `Cookie` headers, in the order sent (browsers send
/// the cookie of the most specific path first).
pub fn values<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
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

/// The first value of cookie `name`.
pub fn value(headers: &HeaderMap, name: &str) -> Option<String> {
    values(headers, name).next().map(str::to_string)
}

/// `SameSite`: `Lax` for cookies a top-level navigation from elsewhere must bring (the login flow), `Strict` for
/// the console. None leaves the attribute out (Carbon's `JSESSIONID` of the admin services has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Lax,
    Strict,
}

/// One `Set-Cookie` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie<'a> {
    pub name: &'a str,
    pub value: &'a str,
    pub path: &'a str,
    pub same_site: Option<SameSite>,
}

impl SetCookie<'_> {
    /// The header text for a request that came in over `scheme`.
    fn text(&self, scheme: Scheme, clear: bool) -> String {
        let mut text = format!("{}={}; Path={}; HttpOnly", self.name, self.value, self.path);
        match self.same_site {
            Some(SameSite::Lax) => text.push_str("; SameSite=Lax"),
            Some(SameSite::Strict) => text.push_str("; SameSite=Strict"),
            None => {}
        }
        if scheme == Scheme::Https {
            text.push_str("; Secure");
        }
        if clear {
            text.push_str("; Max-Age=0");
        }
        text
    }

    /// Add the cookie to a response.
    pub fn set(&self, resp: &mut HttpResponse, scheme: Scheme) {
        self.append(resp, scheme, false);
    }

    /// Tell the browser to forget the cookie (same name and path, `Max-Age=0`).
    pub fn clear(&self, resp: &mut HttpResponse, scheme: Scheme) {
        self.append(resp, scheme, true);
    }

    fn append(&self, resp: &mut HttpResponse, scheme: Scheme, clear: bool) {
        match HeaderValue::from_str(&self.text(scheme, clear)) {
            Ok(v) => {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            // Values are tokens we generated; this cannot happen, but a missing cookie beats a panic.
            Err(_) => tracing::error!(cookie = self.name, "cookie value is not a valid header value"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others_in_every_header() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; JSESSIONID=abc ; b=2"));
        h.append(header::COOKIE, HeaderValue::from_static("JSESSIONID=def; JSESSIONID="));
        assert_eq!(values(&h, "JSESSIONID").collect::<Vec<_>>(), ["abc", "def"]);
        assert_eq!(value(&h, "b").as_deref(), Some("2"));
        assert_eq!(value(&h, "c"), None);
    }

    #[test]
    fn secure_follows_the_scheme_and_attributes_keep_one_order() {
        let c = SetCookie {
            name: "JSESSIONID",
            value: "AB12",
            path: "/carbon",
            same_site: Some(SameSite::Strict),
        };
        assert_eq!(
            c.text(Scheme::Https, false),
            "JSESSIONID=AB12; Path=/carbon; HttpOnly; SameSite=Strict; Secure"
        );
        assert_eq!(
            c.text(Scheme::Http, true),
            "JSESSIONID=AB12; Path=/carbon; HttpOnly; SameSite=Strict; Max-Age=0"
        );
        let plain = SetCookie {
            same_site: None,
            path: "/",
            ..c
        };
        assert_eq!(plain.text(Scheme::Http, false), "JSESSIONID=AB12; Path=/; HttpOnly");
    }
}
