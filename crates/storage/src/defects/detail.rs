//! One defect as its page shows it: the defect, the names it refers to and the review
//! covering it, read in one query.

use escapement_core::{Defect, ReviewState};
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::{component, defect, release, review, review_escape, team};
use crate::{Result, StorageError, link, stored_key};

/// The review covering a defect, as the defect's page links to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoveringReview {
    pub id: Uuid,
    pub title: String,
    pub state: ReviewState,
}

/// A defect with the names of its team, component and release, and the review covering
/// it (a defect is covered by one review at most).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefectDetail {
    pub defect: Defect,
    pub team_name: String,
    pub component_name: Option<String>,
    pub release_name: Option<String>,
    pub review: Option<CoveringReview>,
}

/// The defect's row and the joined columns, as the query returns them.
#[derive(FromQueryResult)]
struct DetailRow {
    #[sea_orm(nested)]
    defect: defect::Model,
    team_name: String,
    component_name: Option<String>,
    release_name: Option<String>,
    review_id: Option<Uuid>,
    review_title: Option<String>,
    review_state: Option<String>,
}

/// One defect with its names and covering review, or `NotFound`: one query (the defect
/// joined with its team, component, release and review), each join on a primary key or
/// the unique index of review escapes by defect.
pub async fn defect_detail(db: &impl ConnectionTrait, id: Uuid) -> Result<DefectDetail> {
    use defect::Column as D;
    let row = defect::Entity::find_by_id(id)
        .join(JoinType::InnerJoin, link(D::TeamId, team::Column::Id))
        .join(
            JoinType::LeftJoin,
            link(D::ComponentId, component::Column::Id),
        )
        .join(JoinType::LeftJoin, link(D::ReleaseId, release::Column::Id))
        .join_rev(
            JoinType::LeftJoin,
            link(review_escape::Column::DefectId, D::Id),
        )
        .join(
            JoinType::LeftJoin,
            link(review_escape::Column::ReviewId, review::Column::Id),
        )
        .column_as(team::Column::Name, "team_name")
        .column_as(component::Column::Name, "component_name")
        .column_as(release::Column::Name, "release_name")
        .column_as(review::Column::Id, "review_id")
        .column_as(review::Column::Title, "review_title")
        .column_as(review::Column::State, "review_state")
        .into_model::<DetailRow>()
        .one(db)
        .await?
        .ok_or(StorageError::NotFound)?;
    let review = match (row.review_id, row.review_title, row.review_state) {
        (Some(id), Some(title), Some(state)) => Some(CoveringReview {
            id,
            title,
            state: stored_key("reviews.state", &state)?,
        }),
        _ => None,
    };
    Ok(DefectDetail {
        defect: row.defect.try_into()?,
        team_name: row.team_name,
        component_name: row.component_name,
        release_name: row.release_name,
        review,
    })
}
