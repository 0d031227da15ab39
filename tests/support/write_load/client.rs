//! A signed-in browser over real HTTP/1.1 with kept-alive connections: pages fetched with
//! the session cookie, forms posted with the session's CSRF token.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::http::{Request, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// What one request got: its status (0 when the connection failed) and its body.
pub struct Answer {
    pub status: u16,
    pub location: String,
    pub body: String,
}

/// One signed-in user's HTTP client, shared by every writer (connections are pooled).
#[derive(Clone)]
pub struct Browser {
    client: Client<HttpConnector, Full<Bytes>>,
    cookie: String,
    csrf: String,
}

impl Browser {
    /// A client for the session whose cookie holds `secret`.
    pub fn new(secret: &str) -> Browser {
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(256)
            .build_http();
        Browser {
            client,
            cookie: format!("{}={secret}", escapement_web::auth::SESSION_COOKIE),
            csrf: escapement_web::csrf::session_token(secret),
        }
    }

    /// `GET path` on the server at `addr`.
    pub async fn get(&self, addr: SocketAddr, path: &str) -> Answer {
        let request = Request::get(format!("http://{addr}{path}"))
            .header(header::COOKIE, &self.cookie)
            .body(Full::new(Bytes::new()));
        self.send(request).await
    }

    /// `POST path` on the server at `addr` with a URL-encoded form and the CSRF field.
    pub async fn post_form(&self, addr: SocketAddr, path: &str, form: &[(&str, &str)]) -> Answer {
        let mut fields: Vec<(&str, &str)> = vec![("csrf_token", &self.csrf)];
        fields.extend_from_slice(form);
        let Ok(body) = serde_urlencoded::to_string(&fields) else {
            return failed("the form does not encode");
        };
        let request = Request::post(format!("http://{addr}{path}"))
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(body)));
        self.send(request).await
    }

    async fn send(&self, request: axum::http::Result<Request<Full<Bytes>>>) -> Answer {
        let Ok(request) = request else {
            return failed("the request does not build");
        };
        let response = match self.client.request(request).await {
            Ok(response) => response,
            Err(e) => return failed(&format!("no answer: {e}")),
        };
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        match response.into_body().collect().await {
            Ok(body) => Answer {
                status,
                location,
                body: String::from_utf8_lossy(&body.to_bytes()).into_owned(),
            },
            Err(e) => failed(&format!("the body broke off: {e}")),
        }
    }
}

fn failed(why: &str) -> Answer {
    Answer {
        status: 0,
        location: String::new(),
        body: why.to_owned(),
    }
}

/// The version a form on `page` carries (`name="version" value="N"`).
pub fn form_version(page: &str) -> Option<i32> {
    let (_, rest) = page.split_once("name=\"version\" value=\"")?;
    rest.split('"').next()?.parse().ok()
}
