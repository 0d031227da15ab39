//! The OpenAPI document itself: version 3.1, the same operations as the route table, and
//! the reference page that reads it.

use escapement_tests::{TestApp, both_backends};
use escapement_web::routes::table;

use super::Contract;

both_backends!(TestApp:
    the_document_is_openapi_3_1_and_lists_exactly_the_api_routes,
    the_reference_page_documents_every_operation_and_schema,
);

async fn the_document_is_openapi_3_1_and_lists_exactly_the_api_routes(app: TestApp) {
    let contract = Contract::load(&app).await;
    let doc = contract.document();
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let mut in_table: Vec<String> = table()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
        .map(|r| format!("{} {}", r.method.as_str().to_lowercase(), r.path))
        .collect();
    let mut in_document: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("a path item")
                .keys()
                .map(move |method| format!("{method} {path}"))
        })
        .collect();
    in_table.sort();
    in_document.sort();
    assert_eq!(in_table, in_document, "route table and document differ");
    // Every operation documents its error answers as problem documents.
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let unauthorized = &op["responses"]["401"]["content"]["application/problem+json"];
            assert!(
                unauthorized.is_object(),
                "{method} {path} documents no 401 problem"
            );
        }
    }
}

async fn the_reference_page_documents_every_operation_and_schema(app: TestApp) {
    let contract = Contract::load(&app).await;
    let page = app
        .send(
            axum::http::Request::get("/docs/api")
                .body(axum::body::Body::empty())
                .expect("a request"),
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let doc = contract.document();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            let line = format!("{} {}", method.to_uppercase(), path.replace('/', "&#x2f;"));
            assert!(page.body.contains(&line), "the page lacks {line}");
        }
    }
    for name in doc["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
    {
        assert!(
            page.body.contains(&format!("id=\"schema-{name}\"")),
            "the page lacks the schema {name}"
        );
    }
    assert!(
        page.body
            .contains("<td data-label=\"Name\"><code>cursor</code>")
    );
}
