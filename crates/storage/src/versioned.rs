//! Optimistic locking: an update applies only when the row is still at the version the
//! writer read, and bumps the version; otherwise the caller learns whether the row is gone
//! or was changed by someone else.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::{Result, StorageError};

/// Applies `changes` to the row `id` of `E` if its `version` column still equals `expected`.
pub(crate) async fn update<E>(
    db: &impl ConnectionTrait,
    id_column: E::Column,
    version_column: E::Column,
    id: Uuid,
    expected: i32,
    changes: E::ActiveModel,
) -> Result<()>
where
    E: EntityTrait,
    E::Column: ColumnTrait,
{
    let result = E::update_many()
        .set(changes)
        .col_expr(version_column, Expr::col(version_column).add(1))
        .filter(id_column.eq(id))
        .filter(version_column.eq(expected))
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        return Ok(());
    }
    let current: Option<i32> = E::find()
        .select_only()
        .column(version_column)
        .filter(id_column.eq(id))
        .into_tuple()
        .one(db)
        .await?;
    match current {
        Some(current_version) => Err(StorageError::Stale { current_version }),
        None => Err(StorageError::NotFound),
    }
}
