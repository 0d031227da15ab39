//! The upload page, and one uploaded file's page: its preview with the mapping editor while
//! it waits for confirmation, its progress while it runs, what it did once it ended.

use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::Pipeline;
use escapement_core::ValidationErrors;
use escapement_core::auth::Permission;
use escapement_core::import::rules::{parse_rules, rules_text};
use escapement_core::import::{ColumnRule, CsvFile, Field, Mapping, Preset};
use escapement_storage::StorageError;
use escapement_storage::catalog::{Team, list_teams};
use escapement_storage::imports::{
    ImportError, ImportReport, Upload, UploadStatus, create_upload, get_mapping, get_upload,
    import_defects, list_mappings, list_uploads, save_mapping, set_upload_mapping,
};
use escapement_storage::settings::stage_settings;
use serde::Serialize;
use uuid::Uuid;

use crate::csrf::{CsrfForm, CsrfUpload};
use crate::error::{AppError, AppResult};
use crate::extract::IdPath;
use crate::page::views::{FormErrors, Opt};
use crate::page::{Ctx, Layout, Page, see_other};

/// The teams the user may import into.
async fn writable_teams(ctx: &Ctx) -> AppResult<Vec<Team>> {
    let mut teams = list_teams(ctx.db()).await?;
    teams.retain(|t| ctx.user.access(t.id).can(Permission::WriteDefects));
    Ok(teams)
}

#[derive(Serialize)]
struct RecentImport {
    id: Uuid,
    file_name: String,
    team: String,
    status: &'static str,
    created_at: chrono::DateTime<Utc>,
    summary: String,
}

#[derive(Serialize)]
struct NewImportPage {
    layout: Layout,
    errors: FormErrors,
    teams: Vec<Opt>,
    team_id: String,
    sources: Vec<Opt>,
    source: String,
    recent: Vec<RecentImport>,
    generic_columns: Vec<&'static str>,
}

fn status_label(status: UploadStatus) -> &'static str {
    match status {
        UploadStatus::Uploaded => "Waiting for confirmation",
        UploadStatus::Running => "Importing",
        UploadStatus::Done => "Imported",
        UploadStatus::Failed => "Nothing written",
    }
}

fn summary(upload: &Upload) -> String {
    match (&upload.report, &upload.failure) {
        (Some(r), _) if r.written => format!(
            "{} new, {} updated, {} unchanged, {} left out",
            r.created, r.updated, r.unchanged, r.error_rows
        ),
        (Some(r), _) => format!("{} of {} rows have errors", r.error_rows, r.rows),
        (None, Some(f)) => f.clone(),
        (None, None) => String::new(),
    }
}

async fn new_import_page(
    ctx: &Ctx,
    team_id: &str,
    source: &str,
    errors: &ValidationErrors,
) -> AppResult<Page> {
    let teams = writable_teams(ctx).await?;
    if teams.is_empty() {
        let teams_exist = !list_teams(ctx.db()).await?.is_empty();
        return Err(ctx
            .user
            .cannot_write_anywhere("import defects", teams_exist));
    }
    let mut sources: Vec<Opt> = Preset::ALL
        .iter()
        .map(|p| Opt {
            value: format!("preset:{}", p.key()),
            label: p.label().to_owned(),
        })
        .collect();
    let mut recent = Vec::new();
    for team in &teams {
        for saved in list_mappings(ctx.db(), team.id).await? {
            sources.push(Opt {
                value: format!("saved:{}:{}", team.id, saved.name),
                label: if teams.len() == 1 {
                    format!("Saved: {}", saved.name)
                } else {
                    format!("Saved for {}: {}", team.name, saved.name)
                },
            });
        }
        for upload in list_uploads(ctx.db(), team.id, 10).await? {
            recent.push(RecentImport {
                id: upload.id,
                summary: summary(&upload),
                file_name: upload.file_name,
                team: team.name.clone(),
                status: status_label(upload.status),
                created_at: upload.created_at,
            });
        }
    }
    recent.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    recent.truncate(10);
    let team_id = match teams.as_slice() {
        [only] => only.id.to_string(),
        _ => team_id.to_owned(),
    };
    Ok(Page::new(
        "imports/new.html",
        &NewImportPage {
            layout: ctx.layout("Import defects", "defects", &[("Defects", "/defects")]),
            errors: errors.into(),
            teams: teams
                .iter()
                .map(|t| Opt {
                    value: t.id.to_string(),
                    label: t.name.clone(),
                })
                .collect(),
            team_id,
            sources,
            source: if source.is_empty() {
                "preset:generic".to_owned()
            } else {
                source.to_owned()
            },
            recent,
            generic_columns: escapement_core::import::GENERIC_COLUMNS
                .iter()
                .map(|f| f.key())
                .collect(),
        },
    ))
}

pub(super) async fn new_import(ctx: Ctx) -> AppResult<Response> {
    Ok(new_import_page(&ctx, "", "", &ValidationErrors::new())
        .await?
        .into_response())
}

fn refuse(field: &'static str, message: impl Into<String>) -> ValidationErrors {
    let mut errors = ValidationErrors::new();
    errors.push(field, message);
    errors
}

/// The mapping a `source` field names for `team_id`: a preset, or one of the team's saved
/// mappings.
async fn mapping_of(
    ctx: &Ctx,
    team_id: Uuid,
    pipeline: &Pipeline,
    source: &str,
) -> AppResult<Result<Mapping, ValidationErrors>> {
    if let Some(key) = source.strip_prefix("preset:")
        && let Some(preset) = Preset::from_key(key)
    {
        return Ok(Ok(preset.mapping(pipeline)));
    }
    if let Some(rest) = source.strip_prefix("saved:")
        && let Some((team, name)) = rest.split_once(':')
    {
        if team != team_id.to_string() {
            return Ok(Err(refuse(
                "source",
                "That saved mapping belongs to another team: choose one of the team you import into",
            )));
        }
        return match get_mapping(ctx.db(), team_id, name).await {
            Ok(saved) => Ok(Ok(saved.mapping)),
            Err(StorageError::NotFound) => Ok(Err(refuse(
                "source",
                "That saved mapping no longer exists: choose another",
            ))),
            Err(e) => Err(e.into()),
        };
    }
    Ok(Err(refuse("source", "Choose what kind of file this is")))
}

pub(super) async fn upload(ctx: Ctx, form: CsrfUpload) -> AppResult<Response> {
    let team_raw = form.field("team_id").to_owned();
    let source = form.field("source").to_owned();
    // Answer 404 (or 403) for a team out of reach before judging the rest of the form.
    ctx.user
        .require_named(&team_raw, Permission::WriteDefects)?;
    let again = async |errors: ValidationErrors| -> AppResult<Response> {
        let page = new_import_page(&ctx, &team_raw, &source, &errors).await?;
        Err(AppError::Invalid(Box::new(page)))
    };
    let Ok(team_id) = Uuid::parse_str(team_raw.trim()) else {
        return again(refuse("team_id", "Select a team to import into")).await;
    };
    // An instance admin reaches every team, so the team must also exist.
    escapement_storage::catalog::get_team(ctx.db(), team_id).await?;
    let pipeline = stage_settings(ctx.db()).await?.pipeline;
    let mapping = match mapping_of(&ctx, team_id, &pipeline, &source).await? {
        Ok(mapping) => mapping,
        Err(errors) => return again(errors).await,
    };
    let Some((file_name, bytes)) = form.file else {
        return again(refuse("file", "Choose the CSV file to import")).await;
    };
    if let Err(e) = CsvFile::open(&bytes) {
        return again(refuse("file", e.to_string())).await;
    }
    let id = create_upload(
        ctx.db(),
        team_id,
        Some(ctx.user.user.id),
        &file_name,
        bytes,
        &mapping,
        Utc::now(),
    )
    .await?;
    Ok(see_other(&format!("/defects/import/{id}")))
}

/// An upload the user may import, or 404 / 403.
pub(super) async fn reachable_upload(ctx: &Ctx, id: Uuid) -> AppResult<Upload> {
    let upload = get_upload(ctx.db(), id).await?;
    ctx.user.require(upload.team_id, Permission::WriteDefects)?;
    Ok(upload)
}

/// One column of the mapping editor.
#[derive(Serialize)]
struct ColumnChoice {
    index: usize,
    header: String,
    field: String,
    example: String,
}

/// A choice field's default in the editor.
#[derive(Serialize)]
struct DefaultChoice {
    field: &'static str,
    label: &'static str,
    options: Vec<Opt>,
    value: String,
}

/// What the mapping editor shows: the stored mapping, or what was just submitted.
#[derive(Serialize)]
struct Editor {
    columns: Vec<ColumnChoice>,
    fields: Vec<Opt>,
    rules: String,
    defaults: Vec<DefaultChoice>,
    key_prefix: String,
    save_as: String,
}

/// The file's headers, each once, in file order, with the first row's value as an example.
fn distinct_headers(upload: &Upload) -> Vec<(String, String)> {
    let Ok(file) = CsvFile::open(&upload.content) else {
        return Vec::new();
    };
    let first = file
        .records()
        .next()
        .and_then(Result::ok)
        .map(|(r, _)| r.cells);
    let mut out: Vec<(String, String)> = Vec::new();
    for (i, h) in file.headers().iter().enumerate() {
        if h.is_empty() || out.iter().any(|(seen, _)| seen.eq_ignore_ascii_case(h)) {
            continue;
        }
        let example = first
            .as_ref()
            .and_then(|cells| cells.get(i))
            .map(|c| c.chars().take(40).collect())
            .unwrap_or_default();
        out.push((h.clone(), example));
    }
    out
}

fn editor(
    upload: &Upload,
    mapping: &Mapping,
    pipeline: &Pipeline,
    rules: Option<String>,
    save_as: &str,
) -> Editor {
    let columns = distinct_headers(upload)
        .into_iter()
        .enumerate()
        .map(|(index, (header, example))| ColumnChoice {
            index,
            field: mapping
                .field_of(&header)
                .map(|f| f.key().to_owned())
                .unwrap_or_default(),
            header,
            example,
        })
        .collect();
    let defaults = Field::CHOICES
        .iter()
        .map(|&f| DefaultChoice {
            field: f.key(),
            label: f.label(),
            options: f
                .choices(pipeline)
                .into_iter()
                .map(|(value, label)| Opt { value, label })
                .collect(),
            value: mapping.default_of(f).unwrap_or_default().to_owned(),
        })
        .collect();
    Editor {
        columns,
        fields: Field::ALL
            .iter()
            .map(|f| Opt {
                value: f.key().to_owned(),
                label: f.label().to_owned(),
            })
            .collect(),
        rules: rules.unwrap_or_else(|| rules_text(mapping)),
        defaults,
        key_prefix: mapping.key_prefix.clone(),
        save_as: save_as.to_owned(),
    }
}

#[derive(Serialize)]
struct ErrorRow {
    line: u64,
    column: String,
    field: &'static str,
    message: String,
}

#[derive(Serialize)]
struct ImportPage {
    layout: Layout,
    id: Uuid,
    file_name: String,
    size: String,
    status: &'static str,
    status_key: &'static str,
    team: String,
    team_id: Uuid,
    errors: FormErrors,
    report: Option<ImportReport>,
    error_rows: Vec<ErrorRow>,
    mapping_problems: Vec<String>,
    failure: Option<String>,
    editor: Option<Editor>,
    progress: Option<Progress>,
    defaulted: Vec<(String, u64)>,
    listed_all_errors: bool,
}

#[derive(Serialize)]
struct Progress {
    rows: u64,
    percent: u64,
    known: bool,
}

fn size_text(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

fn field_label(key: &str) -> &'static str {
    Field::from_key(key).map_or("", Field::label)
}

/// The page of one upload. While it waits for confirmation, the preview runs again over
/// the mapping (`mapping` when the editor's input is shown instead of what is stored).
async fn import_page(
    ctx: &Ctx,
    upload: Upload,
    shown: Option<(Mapping, String, String)>,
    errors: &ValidationErrors,
) -> AppResult<Page> {
    let team = escapement_storage::catalog::get_team(ctx.db(), upload.team_id).await?;
    let pipeline = stage_settings(ctx.db()).await?.pipeline;
    let mut report = upload.report.clone();
    let mut mapping_problems = Vec::new();
    let mut failure = upload.failure.clone();
    let mut editor_shown = None;
    let mut progress = None;
    match upload.status {
        UploadStatus::Uploaded => {
            let (mapping, rules, save_as) = match &shown {
                Some((m, r, s)) => (m.clone(), Some(r.clone()), s.clone()),
                None => (upload.mapping.clone(), None, String::new()),
            };
            let options = super::options_for(&ctx.user, upload.team_id, false, false);
            match import_defects(
                ctx.db(),
                upload.team_id,
                &upload.content,
                &mapping,
                options,
                Utc::now(),
                |_, _, _| {},
            )
            .await
            {
                Ok(r) => report = Some(r),
                Err(ImportError::Mapping(problems)) => {
                    mapping_problems = problems.into_iter().map(|p| p.message).collect();
                }
                Err(ImportError::File(e)) => failure = Some(e.to_string()),
                Err(ImportError::Storage(e)) => return Err(e.into()),
            }
            editor_shown = Some(editor(&upload, &mapping, &pipeline, rules, &save_as));
        }
        UploadStatus::Running => {
            progress = Some(match ctx.state.imports.get(upload.id) {
                Some(p) => Progress {
                    rows: p.rows,
                    percent: if p.total == 0 {
                        0
                    } else {
                        (p.done as u64 * 100) / p.total as u64
                    },
                    known: true,
                },
                None => Progress {
                    rows: 0,
                    percent: 0,
                    known: false,
                },
            });
            // An import holds one transaction; one that has not ended in an hour ended
            // with its server, and wrote nothing.
            if ctx.state.imports.get(upload.id).is_none()
                && Utc::now() - upload.updated_at > chrono::Duration::hours(1)
            {
                progress = None;
                failure = Some(
                    "The import was interrupted (its server stopped) and wrote nothing: upload the file again to import it.".to_owned(),
                );
            }
        }
        UploadStatus::Done | UploadStatus::Failed => {}
    }
    let error_rows = report
        .as_ref()
        .map(|r| {
            r.errors
                .iter()
                .map(|e| ErrorRow {
                    line: e.line,
                    column: e.column.clone(),
                    field: e.field.label(),
                    message: e.message.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let defaulted = report
        .as_ref()
        .map(|r| {
            r.defaulted
                .iter()
                .map(|(k, n)| (field_label(k).to_owned(), *n))
                .collect()
        })
        .unwrap_or_default();
    let listed_all_errors = report
        .as_ref()
        .is_none_or(|r| r.errors.len() < escapement_storage::imports::LISTED_ERRORS);
    let title = match upload.status {
        UploadStatus::Uploaded => "Check the import",
        UploadStatus::Running => "Importing defects",
        UploadStatus::Done => "Import done",
        UploadStatus::Failed => "Import wrote nothing",
    };
    Ok(Page::new(
        "imports/show.html",
        &ImportPage {
            layout: ctx.layout(
                title,
                "defects",
                &[("Defects", "/defects"), ("Import", "/defects/import")],
            ),
            id: upload.id,
            size: size_text(upload.size),
            file_name: upload.file_name.clone(),
            status: status_label(upload.status),
            status_key: match upload.status {
                UploadStatus::Uploaded => "uploaded",
                UploadStatus::Running => "running",
                UploadStatus::Done => "done",
                UploadStatus::Failed => "failed",
            },
            team: team.name,
            team_id: upload.team_id,
            errors: errors.into(),
            report,
            error_rows,
            mapping_problems,
            failure,
            editor: editor_shown,
            progress,
            defaulted,
            listed_all_errors,
        },
    ))
}

pub(super) async fn show_import(ctx: Ctx, IdPath(id): IdPath) -> AppResult<Response> {
    let upload = reachable_upload(&ctx, id).await?;
    Ok(import_page(&ctx, upload, None, &ValidationErrors::new())
        .await?
        .into_response())
}

/// The mapping editor's fields: `col_N` per distinct header, `rules`, `default_FIELD`,
/// `key_prefix` and `save_as`.
pub(super) async fn change_mapping(
    ctx: Ctx,
    IdPath(id): IdPath,
    CsrfForm(form): CsrfForm<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let upload = reachable_upload(&ctx, id).await?;
    if upload.status != UploadStatus::Uploaded {
        return Ok(see_other(&format!("/defects/import/{id}")));
    }
    let pipeline = stage_settings(ctx.db()).await?.pipeline;
    let get = |name: &str| form.get(name).map_or("", String::as_str).trim().to_owned();
    let mut errors = ValidationErrors::new();
    let mut mapping = Mapping::default();
    for (i, (header, _)) in distinct_headers(&upload).into_iter().enumerate() {
        let chosen = get(&format!("col_{i}"));
        if chosen.is_empty() {
            continue;
        }
        match Field::from_key(&chosen) {
            Some(field) => mapping.columns.push(ColumnRule {
                column: header,
                field,
            }),
            None => errors.push(
                "columns",
                format!("Column {header}: choose a field from the list"),
            ),
        }
    }
    let rules = form.get("rules").cloned().unwrap_or_default();
    match parse_rules(&rules, &pipeline) {
        Ok((values, labels)) => {
            mapping.values = values;
            mapping.labels = labels;
        }
        Err(problems) => errors.push("rules", problems.join(". ")),
    }
    for &field in Field::CHOICES {
        let value = get(&format!("default_{}", field.key()));
        if value.is_empty() {
            continue;
        }
        match field.choice_key(&pipeline, &value) {
            Some(key) => mapping.set_default(field, &key),
            None => errors.push(
                "defaults",
                format!("{}: choose a default from the list", field.label()),
            ),
        }
    }
    mapping.key_prefix = get("key_prefix");
    if mapping.key_prefix.chars().any(char::is_whitespace)
        || mapping.key_prefix.chars().count() > 16
    {
        errors.push(
            "key_prefix",
            "The key prefix must be at most 16 characters, without spaces",
        );
    }
    let save_as = get("save_as");
    if errors.is_empty() && !save_as.is_empty() {
        match save_mapping(ctx.db(), upload.team_id, &save_as, &mapping, Utc::now()).await {
            Ok(()) => {}
            Err(StorageError::Invalid(e)) => {
                for fe in e.iter() {
                    errors.push("save_as", fe.message.clone());
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !errors.is_empty() {
        let page = import_page(&ctx, upload, Some((mapping, rules, save_as)), &errors).await?;
        return Err(AppError::Invalid(Box::new(page)));
    }
    set_upload_mapping(ctx.db(), id, &mapping, Utc::now()).await?;
    let saved = if save_as.is_empty() { "" } else { "?saved=1" };
    Ok(see_other(&format!("/defects/import/{id}{saved}")))
}
