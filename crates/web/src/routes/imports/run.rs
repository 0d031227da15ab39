//! Confirming an import, which runs in the background on this server while its page shows
//! the progress, and the rows it left out as a CSV file to fix and import again.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::import::CsvFile;
use escapement_core::import::file::skipped_rows;
use escapement_storage::imports::{UploadStatus, finish_upload, import_defects, start_upload};
use serde::Deserialize;

use super::page::reachable_upload;
use crate::cli::problems_of;
use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::extract::IdPath;
use crate::page::{Ctx, see_other};
use crate::state::ImportProgress;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ConfirmForm {
    only_valid: Option<String>,
}

pub(super) async fn confirm(
    ctx: Ctx,
    IdPath(id): IdPath,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> AppResult<Response> {
    let upload = reachable_upload(&ctx, id).await?;
    let href = format!("/defects/import/{id}");
    if upload.status != UploadStatus::Uploaded || !start_upload(ctx.db(), id, Utc::now()).await? {
        // Confirmed already (a second click, another tab): its page says how it stands.
        return Ok(see_other(&href));
    }
    let options = super::options_for(&ctx.user, upload.team_id, true, form.only_valid.is_some());
    let state = ctx.state.clone();
    state.imports.set(
        id,
        ImportProgress {
            rows: 0,
            done: 0,
            total: upload.size,
        },
    );
    tokio::spawn(async move {
        let runs = state.imports.clone();
        let result = import_defects(
            &state.db,
            upload.team_id,
            &upload.content,
            &upload.mapping,
            options,
            Utc::now(),
            |rows, done, total| runs.set(id, ImportProgress { rows, done, total }),
        )
        .await;
        let outcome = match &result {
            Ok(report) => Ok(report),
            Err(e) => {
                tracing::warn!(error = %e, import = %id, "an import failed");
                Err(e.to_string())
            }
        };
        let recorded = match &outcome {
            Ok(report) => finish_upload(&state.db, id, Ok(*report), Utc::now()).await,
            Err(why) => finish_upload(&state.db, id, Err(why.as_str()), Utc::now()).await,
        };
        if let Err(e) = recorded {
            tracing::error!(error = %e, import = %id, "how an import ended could not be recorded");
        }
        state.imports.end(id);
    });
    Ok(see_other(&href))
}

/// The rows the import left out (or, before it ran, would leave out), with their problems.
pub(super) async fn skipped_csv(ctx: Ctx, IdPath(id): IdPath) -> AppResult<Response> {
    let upload = reachable_upload(&ctx, id).await?;
    let report = match &upload.report {
        Some(report) => report.clone(),
        None => import_defects(
            ctx.db(),
            upload.team_id,
            &upload.content,
            &upload.mapping,
            super::options_for(&ctx.user, upload.team_id, false, false),
            Utc::now(),
            |_, _, _| {},
        )
        .await
        .map_err(|e| AppError::Refused(e.to_string()))?,
    };
    let file = CsvFile::open(&upload.content).map_err(|e| AppError::Refused(e.to_string()))?;
    let text = skipped_rows(&file, &report.error_lines, &|line| {
        problems_of(&report, line)
    })
    .map_err(|e| AppError::Refused(e.to_string()))?;
    let stem = upload
        .file_name
        .trim_end_matches(".csv")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect::<String>();
    let name = format!(
        "{}-left-out.csv",
        if stem.is_empty() { "import" } else { &stem }
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        text,
    )
        .into_response())
}
