//! Importing defects from CSV files: the walk that previews or writes a file
//! ([`import_defects`]), the mappings a team saves under a name, and the uploaded files
//! kept between their preview and their import.

mod mappings;
mod run;
mod uploads;

pub use mappings::{SavedMapping, delete_mapping, get_mapping, list_mappings, save_mapping};
pub use run::{
    ImportError, ImportOptions, ImportReport, LISTED_ERRORS, SAMPLE_ROWS, SampleRow, import_defects,
};
pub use uploads::{
    Upload, UploadStatus, create_upload, finish_upload, get_upload, list_uploads,
    set_upload_mapping, start_upload,
};
