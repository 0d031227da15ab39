//! The JSON API under `/api/v1`, through the router as an integrator would use it: a bearer
//! token, JSON bodies, cursors, problem documents. Every answer any of these tests gets is
//! checked against the OpenAPI document the application serves ([`Contract`]): its status
//! must be documented for the operation, and its body must validate against the documented
//! schema (formats included). A test that meets an undocumented answer fails.

mod contract;
mod defects;
mod document;
mod metrics;
mod reviews;

use axum::body::Body;
use axum::http::{Method, Request, header};
use escapement_tests::TestApp;
use escapement_web::cli::{TokenCommand, run_token};
use serde_json::Value;

pub use contract::Contract;

/// An API client with one user's token, checking every answer against the document.
pub struct Api<'a> {
    app: &'a TestApp,
    token: String,
    contract: Contract,
}

/// An answer: status and JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl<'a> Api<'a> {
    /// A client with a new token of the user with `email`.
    pub async fn new(app: &'a TestApp, email: &str) -> Api<'a> {
        let mut out = Vec::new();
        let create = TokenCommand::Create {
            email: email.to_owned(),
            name: "API test".to_owned(),
        };
        run_token(app.db(), create, &mut out)
            .await
            .expect("create a token");
        let printed = String::from_utf8_lossy(&out).into_owned();
        let token = printed
            .lines()
            .last()
            .expect("the token line")
            .trim()
            .to_owned();
        Api {
            app,
            token,
            contract: Contract::load(app).await,
        }
    }

    /// Sends `body` (with `content_type`) and checks the answer against the document.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: String,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        if !content_type.is_empty() {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let response = self
            .app
            .send(request.body(Body::from(body)).expect("a request"))
            .await;
        let content_type = response
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body: Value = serde_json::from_str(&response.body).unwrap_or_else(|e| {
            panic!(
                "{method} {path}: {} answered {e}: {}",
                response.status, response.body
            )
        });
        let status = response.status.as_u16();
        self.contract
            .check(&method, path, status, &content_type, &body);
        Answer { status, body }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.raw(Method::GET, path, "", String::new()).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.raw(Method::POST, path, "application/json", body.to_string())
            .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.raw(Method::PATCH, path, "application/json", body.to_string())
            .await
    }

    /// Every item of a list, following `next` to the last page.
    pub async fn all(&self, first: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut next = Some(first.to_owned());
        let mut pages = 0;
        while let Some(path) = next {
            let page = self.get(&path).await;
            assert_eq!(page.status, 200, "{path}: {}", page.body);
            items.extend(page.body["items"].as_array().cloned().unwrap_or_default());
            next = page.body["next"].as_str().map(str::to_owned);
            pages += 1;
            assert!(pages < 1000, "the pages of {first} never end");
        }
        items
    }
}

/// The field names of a problem's `errors`.
pub fn fields(answer: &Answer) -> Vec<String> {
    answer.body["errors"]
        .as_array()
        .map(|es| {
            es.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
