//! `GET/POST /settings/releases/{release_id}/tallies`: the pre-boundary tallies of one
//! release, a count per stage before the boundary and severity, for teams that do not log
//! every early defect. Each cell carries the count its user saw, so a save over someone
//! else's change is refused cell by cell (409) instead of overwriting it.

use axum::response::Response;
use chrono::{NaiveDate, Utc};
use escapement_core::auth::Permission;
use escapement_core::metrics::{
    TallyCell, TallyCellError, TallyDraft, first_escape_stage, tally_stages,
};
use escapement_core::{Pipeline, Severity};
use escapement_storage::catalog::{Release, get_release, get_team};
use escapement_storage::metrics::{
    TallyConflict, TallySave, current_definition, release_tallies, save_tallies,
};
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};

use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, QueryParams};
use crate::page::views::{FieldErrorView, FormErrors};
use crate::page::{Ctx, Layout, render, see_other};
use crate::routes::table::{AccessLevel, Route};

const TEMPLATE: &str = "settings/tallies.html";

pub fn routes() -> Vec<Route> {
    const PATH: &str = "/settings/releases/{release_id}/tallies";
    vec![
        Route::get(PATH, AccessLevel::TeamRead, show_tallies),
        Route::post(PATH, AccessLevel::TeamWrite, update_tallies),
    ]
}

/// The path of a release's tallies page.
pub fn tallies_href(release_id: uuid::Uuid) -> String {
    format!("/settings/releases/{release_id}/tallies")
}

#[derive(Debug, Serialize)]
struct SeverityColumn {
    key: &'static str,
    label: &'static str,
}

#[derive(Debug, Serialize)]
struct CellView {
    field: String,
    seen_field: String,
    /// "Unit tests, High", the cell's label.
    label: String,
    value: String,
    seen: String,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct RowView {
    stage: String,
    cells: Vec<CellView>,
    total: u64,
}

/// A stored tally that does not count: its stage is after the boundary or was removed.
#[derive(Debug, Serialize)]
struct IgnoredView {
    stage: String,
    severity: &'static str,
    count: u64,
}

#[derive(Debug, Serialize)]
struct ConflictView {
    cell: String,
    stored: u64,
    seen: String,
    yours: String,
}

#[derive(Serialize)]
struct TalliesPage {
    layout: Layout,
    action: String,
    release: String,
    team: String,
    released_on: NaiveDate,
    /// The first stage after the boundary, in words.
    escape_stage: String,
    editable: bool,
    notice: Option<&'static str>,
    severities: Vec<SeverityColumn>,
    rows: Vec<RowView>,
    column_totals: Vec<u64>,
    total: u64,
    ignored: Vec<IgnoredView>,
    errors: FormErrors,
    conflicts: Vec<ConflictView>,
}

/// What the page needs besides the form: the release, its team's name and the pipeline.
struct Subject {
    release: Release,
    team: String,
    pipeline: Pipeline,
    boundary: escapement_core::Boundary,
}

impl Subject {
    /// The release, 404 for a team the user cannot see and 403 without `permission`.
    async fn load(ctx: &Ctx, id: uuid::Uuid, permission: Permission) -> AppResult<Subject> {
        let release = get_release(ctx.db(), id).await?;
        ctx.user.require(release.team_id, permission)?;
        let team = get_team(ctx.db(), release.team_id).await?.name;
        let pipeline = stage_settings(ctx.db()).await?.pipeline;
        // The metric definition's boundary is the one the escape rate counts tallies by.
        let boundary = current_definition(ctx.db()).await?.definition.boundary;
        Ok(Subject {
            release,
            team,
            pipeline,
            boundary,
        })
    }

    fn stages(&self) -> &[escapement_core::Stage] {
        tally_stages(&self.pipeline, &self.boundary)
    }

    fn stored(&self, stored: &[TallyCell]) -> TallyDraft {
        TallyDraft::stored(self.stages(), |stage, severity| {
            stored
                .iter()
                .filter(|t| &t.stage == stage && t.severity == severity)
                .map(|t| t.count)
                .sum()
        })
    }

    fn page(
        &self,
        ctx: &Ctx,
        draft: &TallyDraft,
        stored: &[TallyCell],
        errors: &[TallyCellError],
    ) -> TalliesPage {
        let title = format!("Tallies of {}", self.release.name);
        let trail = [
            ("Settings", "/settings"),
            ("Releases", "/settings/releases"),
        ];
        let width = Severity::ALL.len();
        let row_totals = draft.row_totals();
        let rows = draft
            .cells
            .chunks(width)
            .zip(row_totals)
            .map(|(cells, total)| RowView {
                stage: cells
                    .first()
                    .map(|c| c.stage_label.clone())
                    .unwrap_or_default(),
                cells: cells
                    .iter()
                    .map(|c| CellView {
                        field: c.field(),
                        seen_field: c.seen_field(),
                        label: c.name(),
                        value: c.value.clone(),
                        seen: c.seen.clone(),
                        error: errors
                            .iter()
                            .find(|e| e.field == c.field())
                            .map(|e| e.message.clone()),
                    })
                    .collect(),
                total,
            })
            .collect();
        let counted = |t: &TallyCell| self.stages().iter().any(|s| s.key == t.stage);
        let mut ignored: Vec<IgnoredView> = stored
            .iter()
            .filter(|t| !counted(t) && t.count > 0)
            .map(|t| IgnoredView {
                stage: match self.pipeline.get(t.stage.as_str()) {
                    Some(stage) => stage.label.clone(),
                    None => format!("{} (a removed stage)", t.stage),
                },
                severity: t.severity.label(),
                count: t.count,
            })
            .collect();
        ignored.sort_by(|a, b| a.stage.cmp(&b.stage));
        let column_totals = draft.column_totals();
        TalliesPage {
            layout: ctx.layout(title, "settings", &trail),
            action: tallies_href(self.release.id),
            release: self.release.name.clone(),
            team: self.team.clone(),
            released_on: self.release.released_on,
            escape_stage: first_escape_stage(&self.pipeline, &self.boundary)
                .map_or_else(|| "the end of the pipeline".to_owned(), |s| s.label.clone()),
            editable: ctx
                .user
                .access(self.release.team_id)
                .can(Permission::WriteDefects),
            notice: None,
            severities: Severity::ALL
                .iter()
                .map(|s| SeverityColumn {
                    key: s.key(),
                    label: s.label(),
                })
                .collect(),
            rows,
            total: column_totals.iter().sum(),
            column_totals,
            ignored,
            errors: FormErrors {
                list: errors
                    .iter()
                    .map(|e| FieldErrorView {
                        field: e.field.clone(),
                        message: e.message.clone(),
                    })
                    .collect(),
                by_field: errors
                    .iter()
                    .map(|e| (e.field.clone(), e.message.clone()))
                    .collect(),
            },
            conflicts: Vec::new(),
        }
    }
}

/// What the page confirms after a save: `?saved=1`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Done {
    saved: String,
}

async fn show_tallies(
    ctx: Ctx,
    IdPath(id): IdPath,
    QueryParams(done): QueryParams<Done>,
) -> AppResult<Response> {
    let subject = Subject::load(&ctx, id, Permission::Read).await?;
    let stored = release_tallies(ctx.db(), id).await?;
    let mut page = subject.page(&ctx, &subject.stored(&stored), &stored, &[]);
    if !done.saved.is_empty() {
        page.notice = Some("Tallies saved");
    }
    render(TEMPLATE, &page)
}

async fn update_tallies(
    ctx: Ctx,
    IdPath(id): IdPath,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let subject = Subject::load(&ctx, id, Permission::WriteDefects).await?;
    let draft = TallyDraft::submitted(subject.stages(), &form);
    let changes = match draft.validate() {
        Ok(changes) => changes,
        Err(errors) => {
            let stored = release_tallies(ctx.db(), id).await?;
            let page = subject.page(&ctx, &draft, &stored, &errors);
            return Err(AppError::invalid(TEMPLATE, &page));
        }
    };
    let team = subject.release.team_id;
    match save_tallies(ctx.db(), id, team, &changes, Utc::now()).await? {
        TallySave::Saved => {
            tracing::info!(release.id = %id, team.id = %team, cells = changes.len(), "tallies saved");
            Ok(see_other(&format!("{}?saved=1", tallies_href(id))))
        }
        TallySave::Conflict(conflicts) => Err(conflict(&ctx, &subject, draft, &conflicts).await?),
    }
}

/// The form again with the user's input, each cell now remembering what is stored, and the
/// cells someone else changed: saving again is a deliberate overwrite.
async fn conflict(
    ctx: &Ctx,
    subject: &Subject,
    mut draft: TallyDraft,
    conflicts: &[TallyConflict],
) -> AppResult<AppError> {
    let stored = release_tallies(ctx.db(), subject.release.id).await?;
    let now = subject.stored(&stored);
    for (cell, current) in draft.cells.iter_mut().zip(&now.cells) {
        cell.seen.clone_from(&current.seen);
    }
    let mut page = subject.page(ctx, &draft, &stored, &[]);
    page.conflicts = conflicts
        .iter()
        .map(|c| {
            let input = draft
                .cells
                .iter()
                .find(|x| x.stage == c.stage && x.severity == c.severity);
            ConflictView {
                cell: input.map_or_else(|| c.stage.to_string(), |x| x.name()),
                stored: c.stored,
                seen: c.seen.map_or_else(String::new, |n| n.to_string()),
                yours: input.map(|x| x.value.clone()).unwrap_or_default(),
            }
        })
        .collect();
    Ok(AppError::conflict(TEMPLATE, &page))
}
