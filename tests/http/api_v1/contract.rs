//! The OpenAPI document as a test oracle: which operation a request is, which answers it
//! documents, and whether a body fits the documented schema.

use axum::http::Method;
use escapement_tests::TestApp;
use serde_json::{Value, json};

/// The document the application serves, read once per client.
pub struct Contract {
    doc: Value,
}

impl Contract {
    /// `GET /api/v1/openapi.json`, without credentials: the document is public.
    pub async fn load(app: &TestApp) -> Contract {
        let request = axum::http::Request::get("/api/v1/openapi.json")
            .body(axum::body::Body::empty())
            .expect("a request");
        let response = app.send(request).await;
        assert_eq!(response.status, 200, "{}", response.body);
        let doc: Value = serde_json::from_str(&response.body).expect("the document is JSON");
        Contract { doc }
    }

    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// The documented path template `path` is an instance of (`/api/v1/defects/{defect_id}`).
    pub fn template(&self, path: &str) -> Option<String> {
        let path = path.split('?').next().unwrap_or(path);
        let wanted: Vec<&str> = path.split('/').collect();
        let paths = self.doc["paths"].as_object()?;
        let mut matches: Vec<&String> = paths
            .keys()
            .filter(|t| {
                let parts: Vec<&str> = t.split('/').collect();
                parts.len() == wanted.len()
                    && parts
                        .iter()
                        .zip(&wanted)
                        .all(|(p, w)| p.starts_with('{') || p == w)
            })
            .collect();
        // A literal segment wins over a parameter.
        matches.sort_by_key(|t| t.matches('{').count());
        matches.first().map(|t| (*t).clone())
    }

    /// Panics unless `status` is documented for the operation and `body` validates against
    /// its schema for `content_type`.
    pub fn check(
        &self,
        method: &Method,
        path: &str,
        status: u16,
        content_type: &str,
        body: &Value,
    ) {
        let template = self
            .template(path)
            .unwrap_or_else(|| panic!("{path} is not in the OpenAPI document"));
        let op = &self.doc["paths"][&template][method.as_str().to_lowercase()];
        assert!(
            op.is_object(),
            "{method} {template} is not in the OpenAPI document"
        );
        let answer = &op["responses"][status.to_string()];
        assert!(
            answer.is_object(),
            "{method} {path} answered {status}, which the document does not list for {template}: {body}"
        );
        let media = content_type.split(';').next().unwrap_or_default().trim();
        let schema = &answer["content"][media]["schema"];
        assert!(
            schema.is_object(),
            "{method} {path} answered {status} as `{content_type}`, which the document does not list; it lists {}",
            answer["content"]
        );
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": self.doc["components"],
            "allOf": [schema],
        });
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("the schema of {method} {template} {status}: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {path} answered {status} with a body the document does not allow:\n{}\n{body:#}",
            errors.join("\n")
        );
    }
}
