//! Defect pages: the filtered list, the create / edit form and the detail page.

mod form;
mod list;
mod show;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/defects",
            get(list::list_defects).post(form::create_defect),
        )
        .route("/defects/new", get(form::new_defect_form))
        .route(
            "/defects/{id}",
            get(show::show_defect).post(form::update_defect),
        )
        .route("/defects/{id}/edit", get(form::edit_defect_form))
}
