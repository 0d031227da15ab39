//! Releases: what shipped and when, each owned by one team, so defects trace to a release.

use chrono::Utc;
use escapement_core::ReleaseDraft;
use escapement_storage::catalog::Release;
use escapement_storage::catalog::{create_release, get_release, list_releases, update_release};
use escapement_storage::sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::catalog::{TeamItem, team_item_fields};
use super::tallies::tallies_href;
use crate::error::AppResult;
use crate::page::fields::{FieldKind, FieldView, RowLink};
use crate::page::form::Refusal;
use crate::page::views::form_version;

/// The release pages.
pub struct Releases;

team_item_fields!(ReleaseDraft, Release);

impl TeamItem for Releases {
    type Draft = ReleaseDraft;
    type Saved = Release;
    const PATH: &'static str = "/settings/releases";
    const NEW_PATH: &'static str = "/settings/releases/new";
    const ITEM_PATH: &'static str = "/settings/releases/{release_id}";
    const EDIT_PATH: &'static str = "/settings/releases/{release_id}/edit";
    const PLURAL: &'static str = "Releases";
    const NAME_LABEL: &'static str = "Release name";
    const TITLES: [&'static str; 4] = [
        "Add a release",
        "Edit release",
        "Add release",
        "Save release",
    ];
    const COLUMNS: [&'static str; 3] = ["Name", "Team", "Released"];
    const EMPTY: &'static str =
        "No releases yet. Add releases so defects can be traced to the release they shipped in.";

    async fn list(db: &DatabaseConnection) -> AppResult<Vec<Release>> {
        Ok(list_releases(db, None).await?)
    }

    async fn get(db: &DatabaseConnection, id: Uuid) -> AppResult<Release> {
        Ok(get_release(db, id).await?)
    }

    async fn create(db: &DatabaseConnection, draft: &ReleaseDraft) -> Result<(), Refusal> {
        create_release(db, &draft.validate()?, Utc::now()).await?;
        Ok(())
    }

    async fn update(
        db: &DatabaseConnection,
        id: Uuid,
        draft: &ReleaseDraft,
    ) -> Result<(), Refusal> {
        let (new, version) = (draft.validate()?, form_version(&draft.version));
        update_release(db, id, version, &new, Utc::now()).await?;
        Ok(())
    }

    fn draft_of(r: Release) -> ReleaseDraft {
        ReleaseDraft {
            name: r.name,
            team_id: r.team_id.to_string(),
            released_on: r.released_on.to_string(),
            version: r.version.to_string(),
        }
    }

    fn cells(r: Release) -> (String, String) {
        let released = r.released_on.format("%-d %b %Y").to_string();
        (r.name, released)
    }

    const LINK_COLUMN: Option<&'static str> = Some("Pre-boundary tallies");

    fn link(id: Uuid, name: &str) -> Option<RowLink> {
        Some(RowLink {
            label: "Tallies",
            context: format!("of {name}"),
            href: tallies_href(id),
        })
    }

    fn fields(draft: &ReleaseDraft) -> Vec<FieldView> {
        let released_on = FieldView::new(
            "released_on",
            "Release date",
            FieldKind::Date,
            &draft.released_on,
        );
        vec![released_on.hint("The day it reached production.")]
    }
}
