//! Importing defects from a CSV file: the upload page, the preview of one uploaded file with
//! its mapping editor, the confirmation that runs the import in the background, its
//! progress and result, and the rows it left out as a CSV download.

mod page;
mod run;

use escapement_core::import::MAX_FILE_BYTES;

use crate::routes::table::{AccessLevel, Route};

/// What an upload body may hold: the file and the few fields around it.
const UPLOAD_LIMIT: usize = MAX_FILE_BYTES + 1024 * 1024;

pub fn routes() -> Vec<Route> {
    use AccessLevel::TeamWrite;
    vec![
        Route::get("/defects/import", TeamWrite, page::new_import),
        Route::post("/defects/import", TeamWrite, page::upload).body_limit(UPLOAD_LIMIT),
        Route::get("/defects/import/{import_id}", TeamWrite, page::show_import),
        Route::post(
            "/defects/import/{import_id}/mapping",
            TeamWrite,
            page::change_mapping,
        ),
        Route::post(
            "/defects/import/{import_id}/confirm",
            TeamWrite,
            run::confirm,
        ),
        Route::get(
            "/defects/import/{import_id}/skipped.csv",
            TeamWrite,
            run::skipped_csv,
        ),
    ]
}

/// The options of a run of `team_id`'s import by `user`: a dry run unless `write`; editors
/// import into the team's existing components and releases only (new ones need a team admin).
pub(super) fn options_for(
    user: &crate::auth::CurrentUser,
    team_id: uuid::Uuid,
    write: bool,
    only_valid: bool,
) -> escapement_storage::imports::ImportOptions {
    escapement_storage::imports::ImportOptions {
        write,
        only_valid,
        existing_catalog_only: !user
            .access(team_id)
            .can(escapement_core::auth::Permission::ManageCatalog),
    }
}
