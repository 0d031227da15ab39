//! Uploaded files, kept with their mapping from the preview until the import ends, and
//! then with what the import did. A file is imported at most once: [`start_upload`] moves
//! it from `uploaded` to `running` in one statement, so a second confirmation (another tab,
//! another server) finds it taken.

use chrono::{DateTime, Duration, Utc};
use escapement_core::import::Mapping;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::ImportReport;
use crate::entities::defect_import;
use crate::{Result, StorageError};

/// How long an uploaded file is kept.
pub const KEPT_FOR_DAYS: i64 = 7;

/// Where an uploaded file stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadStatus {
    /// Previewed, not imported.
    Uploaded,
    /// Being imported.
    Running,
    /// Imported; the outcome says what was written.
    Done,
    /// The import failed or wrote nothing; the outcome says why.
    Failed,
}

impl UploadStatus {
    fn key(self) -> &'static str {
        match self {
            UploadStatus::Uploaded => "uploaded",
            UploadStatus::Running => "running",
            UploadStatus::Done => "done",
            UploadStatus::Failed => "failed",
        }
    }

    fn parse(key: &str) -> UploadStatus {
        match key {
            "running" => UploadStatus::Running,
            "done" => UploadStatus::Done,
            "failed" => UploadStatus::Failed,
            _ => UploadStatus::Uploaded,
        }
    }
}

/// An uploaded file and its state; `content` is empty when read by [`list_uploads`].
#[derive(Debug, Clone)]
pub struct Upload {
    pub id: Uuid,
    pub team_id: Uuid,
    pub created_by: Option<Uuid>,
    pub file_name: String,
    pub content: Vec<u8>,
    pub size: usize,
    pub mapping: Mapping,
    pub status: UploadStatus,
    /// What the import did, once it ended; or why it could not run.
    pub report: Option<ImportReport>,
    pub failure: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(serde::Serialize, serde::Deserialize)]
enum Outcome {
    Report(Box<ImportReport>),
    Failure(String),
}

fn json_error(e: impl std::fmt::Display) -> StorageError {
    StorageError::Db(sea_orm::DbErr::Json(format!("defect import: {e}")))
}

fn read(m: defect_import::Model) -> Result<Upload> {
    let mapping: Mapping = serde_json::from_str(&m.mapping).map_err(json_error)?;
    let outcome: Option<Outcome> = match &m.outcome {
        Some(text) => Some(serde_json::from_str(text).map_err(json_error)?),
        None => None,
    };
    let (report, failure) = match outcome {
        Some(Outcome::Report(r)) => (Some(*r), None),
        Some(Outcome::Failure(f)) => (None, Some(f)),
        None => (None, None),
    };
    Ok(Upload {
        id: m.id,
        team_id: m.team_id,
        created_by: m.created_by,
        file_name: m.file_name,
        size: m.content.len(),
        content: m.content,
        mapping,
        status: UploadStatus::parse(&m.status),
        report,
        failure,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// Keeps an uploaded file for its preview, and forgets files older than a week.
pub async fn create_upload(
    db: &impl ConnectionTrait,
    team_id: Uuid,
    created_by: Option<Uuid>,
    file_name: &str,
    content: Vec<u8>,
    mapping: &Mapping,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    defect_import::Entity::delete_many()
        .filter(defect_import::Column::CreatedAt.lt(now - Duration::days(KEPT_FOR_DAYS)))
        .filter(defect_import::Column::Status.ne(UploadStatus::Running.key()))
        .exec(db)
        .await?;
    let id = Uuid::now_v7();
    let name: String = file_name.trim().chars().take(255).collect();
    defect_import::Entity::insert(defect_import::ActiveModel {
        id: Set(id),
        team_id: Set(team_id),
        created_by: Set(created_by),
        file_name: Set(if name.is_empty() {
            "upload.csv".to_owned()
        } else {
            name
        }),
        content: Set(content),
        mapping: Set(serde_json::to_string(mapping).map_err(json_error)?),
        status: Set(UploadStatus::Uploaded.key().to_owned()),
        outcome: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(id)
}

/// One upload with its content, or `NotFound`.
pub async fn get_upload(db: &impl ConnectionTrait, id: Uuid) -> Result<Upload> {
    let m = defect_import::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(StorageError::NotFound)?;
    read(m)
}

/// The columns of an upload without its content.
#[derive(Debug, sea_orm::FromQueryResult)]
struct Listed {
    id: Uuid,
    team_id: Uuid,
    created_by: Option<Uuid>,
    file_name: String,
    mapping: String,
    status: String,
    outcome: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// The team's uploads, newest first, without their content.
pub async fn list_uploads(
    db: &impl ConnectionTrait,
    team_id: Uuid,
    limit: u64,
) -> Result<Vec<Upload>> {
    let rows = defect_import::Entity::find()
        .select_only()
        .columns([
            defect_import::Column::Id,
            defect_import::Column::TeamId,
            defect_import::Column::CreatedBy,
            defect_import::Column::FileName,
            defect_import::Column::Mapping,
            defect_import::Column::Status,
            defect_import::Column::Outcome,
            defect_import::Column::CreatedAt,
            defect_import::Column::UpdatedAt,
        ])
        .filter(defect_import::Column::TeamId.eq(team_id))
        .order_by_desc(defect_import::Column::CreatedAt)
        .limit(limit)
        .into_model::<Listed>()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|l| {
            read(defect_import::Model {
                id: l.id,
                team_id: l.team_id,
                created_by: l.created_by,
                file_name: l.file_name,
                content: Vec::new(),
                mapping: l.mapping,
                status: l.status,
                outcome: l.outcome,
                created_at: l.created_at,
                updated_at: l.updated_at,
            })
        })
        .collect()
}

/// Replaces the mapping of a file not imported yet; false when it is taken already.
pub async fn set_upload_mapping(
    db: &impl ConnectionTrait,
    id: Uuid,
    mapping: &Mapping,
    now: DateTime<Utc>,
) -> Result<bool> {
    let result = defect_import::Entity::update_many()
        .col_expr(
            defect_import::Column::Mapping,
            Expr::value(serde_json::to_string(mapping).map_err(json_error)?),
        )
        .col_expr(defect_import::Column::UpdatedAt, Expr::value(now))
        .filter(defect_import::Column::Id.eq(id))
        .filter(defect_import::Column::Status.eq(UploadStatus::Uploaded.key()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Takes a previewed file for its import; false when it was taken already.
pub async fn start_upload(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<bool> {
    let result = defect_import::Entity::update_many()
        .col_expr(
            defect_import::Column::Status,
            Expr::value(UploadStatus::Running.key()),
        )
        .col_expr(defect_import::Column::UpdatedAt, Expr::value(now))
        .filter(defect_import::Column::Id.eq(id))
        .filter(defect_import::Column::Status.eq(UploadStatus::Uploaded.key()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records how the import of a file ended: its report (done when it wrote, failed when it
/// wrote nothing), or why it could not run.
pub async fn finish_upload(
    db: &impl ConnectionTrait,
    id: Uuid,
    outcome: std::result::Result<&ImportReport, &str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let (status, outcome) = match outcome {
        Ok(report) => (
            if report.written {
                UploadStatus::Done
            } else {
                UploadStatus::Failed
            },
            Outcome::Report(Box::new(report.clone())),
        ),
        Err(why) => (UploadStatus::Failed, Outcome::Failure(why.to_owned())),
    };
    let row = defect_import::ActiveModel {
        id: Set(id),
        status: Set(status.key().to_owned()),
        outcome: Set(Some(serde_json::to_string(&outcome).map_err(json_error)?)),
        updated_at: Set(now),
        ..Default::default()
    };
    defect_import::Entity::update(row).exec(db).await?;
    Ok(())
}
