//! Defect pages: the filtered list, the create / edit form and the detail page.

mod form;
mod list;
mod show;

pub(crate) use list::{ListQuery, query_filter};

use crate::routes::table::{AccessLevel, Route};

pub fn routes() -> Vec<Route> {
    use AccessLevel::{SignedIn, TeamRead, TeamWrite};
    vec![
        Route::get("/defects", SignedIn, list::list_defects),
        Route::post("/defects", TeamWrite, form::create_defect),
        Route::get("/defects/new", TeamWrite, form::new_defect_form),
        Route::get("/defects/{defect_id}", TeamRead, show::show_defect),
        Route::post("/defects/{defect_id}", TeamWrite, form::update_defect),
        Route::get(
            "/defects/{defect_id}/edit",
            TeamWrite,
            form::edit_defect_form,
        ),
    ]
}
