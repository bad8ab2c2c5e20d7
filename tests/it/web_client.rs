//! A browser by hand, shared by the page tests (login, reset, console): a cookie jar, no redirect following, whole
//! answers, and the HTML reading helpers. Test modules add their own flows as `impl Browser` blocks.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::support::TestServer;

/// One answer, read whole.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    /// The `Set-Cookie` for `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The body with minijinja's escaping undone, for reading interpolated values (`/` is escaped).
    pub fn text(&self) -> String {
        unescape(&self.body)
    }
}

/// A client with its own cookie jar against one server (self-signed certificate accepted, redirects not followed).
pub struct Browser {
    pub client: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    pub base: String,
}

impl Browser {
    pub fn new(server: &TestServer) -> Browser {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .resolve("localhost", std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Browser {
            client,
            jar,
            base: server.https_url(),
        }
    }

    /// A browser whose jar holds the given cookies (`name=value`, path `/`) before its first request.
    pub fn with_cookies(server: &TestServer, cookies: &[&str]) -> Browser {
        let b = Browser::new(server);
        for c in cookies {
            b.plant(c, "/");
        }
        b
    }

    /// Put `cookie` (`name=value`) into the jar for `path`, as an attacker might plant it.
    pub fn plant(&self, cookie: &str, path: &str) {
        self.jar
            .add_cookie_str(&format!("{cookie}; Path={path}"), &self.base.parse().unwrap());
    }

    pub fn url(&self, target: &str) -> String {
        if target.starts_with("http") {
            target.to_string()
        } else {
            format!("{}{target}", self.base)
        }
    }

    pub async fn read(resp: reqwest::Response) -> Page {
        Page {
            status: resp.status(),
            headers: resp.headers().clone(),
            body: resp.text().await.unwrap(),
        }
    }

    pub async fn get(&self, target: &str) -> Page {
        Self::read(self.client.get(self.url(target)).send().await.unwrap()).await
    }

    /// POST a form; `fields` is any list of name/value pairs.
    pub async fn post<F: serde::Serialize + ?Sized>(&self, target: &str, fields: &F) -> Page {
        Self::read(self.client.post(self.url(target)).form(fields).send().await.unwrap()).await
    }

    pub async fn post_raw(&self, target: &str, content_type: &str, body: Vec<u8>) -> Page {
        let resp = self
            .client
            .post(self.url(target))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        Self::read(resp).await
    }
}

/// Undo HTML and XML escaping (minijinja's and the SOAP bodies').
pub fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of the input named `name` in `html`.
pub fn input_value(html: &str, name: &str) -> String {
    html.split("<input")
        .skip(1)
        .map(|t| t.split('>').next().unwrap())
        .find(|t| attr(t, "name").as_deref() == Some(name))
        .and_then(|t| attr(t, "value"))
        .unwrap_or_else(|| panic!("no input {name} in {html}"))
}

/// The (unescaped) value of attribute `name` in the text of one tag.
pub fn attr(tag: &str, name: &str) -> Option<String> {
    let pat = format!(" {name}=\"");
    let start = tag.find(&pat)? + pat.len();
    let len = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + len]))
}
