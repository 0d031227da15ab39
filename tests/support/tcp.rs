//! Requests over a real TCP connection to a served app (`TestApp::serve`), for behaviour
//! that depends on the connection itself: the peer's address and the proxies in front.

use std::net::SocketAddr;

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{CSRF, TestResponse};

/// `POST path` on the app served at `addr` with a form (the CSRF field and cookie are
/// added) and these extra request headers; one request per connection. The body is kept
/// as sent (it may be chunked).
pub async fn post_form_over_tcp(
    addr: SocketAddr,
    path: &str,
    fields: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> TestResponse {
    let mut all: Vec<(&str, &str)> = vec![("csrf_token", CSRF)];
    all.extend_from_slice(fields);
    let body = serde_urlencoded::to_string(&all).expect("encode the form");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Cookie: escapement_csrf={CSRF}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    let mut stream = TcpStream::connect(addr).await.expect("connect to the app");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("send the request");
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .expect("read the response");
    parse_response(&String::from_utf8_lossy(&raw))
}

fn parse_response(raw: &str) -> TestResponse {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .expect("a status line");
    let mut headers = HeaderMap::new();
    for line in lines {
        if let Some((name, value)) = line.split_once(':')
            && let (Ok(name), Ok(value)) = (
                HeaderName::try_from(name.trim()),
                HeaderValue::from_str(value.trim()),
            )
        {
            headers.append(name, value);
        }
    }
    TestResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}
