//! Components: the parts of the product defects are found in, each owned by one team.

use chrono::Utc;
use escapement_core::ComponentDraft;
use escapement_storage::catalog::Component;
use escapement_storage::catalog::{
    create_component, get_component, list_components, update_component,
};
use escapement_storage::sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::catalog::{TeamItem, team_item_fields};
use crate::error::AppResult;
use crate::page::fields::{FieldKind, FieldView};
use crate::page::form::Refusal;
use crate::page::views::form_version;

/// The component pages.
pub struct Components;

team_item_fields!(ComponentDraft, Component);

impl TeamItem for Components {
    type Draft = ComponentDraft;
    type Saved = Component;
    const PATH: &'static str = "/settings/components";
    const NEW_PATH: &'static str = "/settings/components/new";
    const ITEM_PATH: &'static str = "/settings/components/{component_id}";
    const EDIT_PATH: &'static str = "/settings/components/{component_id}/edit";
    const PLURAL: &'static str = "Components";
    const NAME_LABEL: &'static str = "Component name";
    const TITLES: [&'static str; 4] = [
        "Add a component",
        "Edit component",
        "Add component",
        "Save component",
    ];
    const COLUMNS: [&'static str; 3] = ["Name", "Team", "Description"];
    const EMPTY: &'static str =
        "No components yet. Add the parts of your product that defects are found in.";

    async fn list(db: &DatabaseConnection) -> AppResult<Vec<Component>> {
        Ok(list_components(db, None).await?)
    }

    async fn get(db: &DatabaseConnection, id: Uuid) -> AppResult<Component> {
        Ok(get_component(db, id).await?)
    }

    async fn create(db: &DatabaseConnection, draft: &ComponentDraft) -> Result<(), Refusal> {
        create_component(db, &draft.validate()?, Utc::now()).await?;
        Ok(())
    }

    async fn update(
        db: &DatabaseConnection,
        id: Uuid,
        draft: &ComponentDraft,
    ) -> Result<(), Refusal> {
        let (new, version) = (draft.validate()?, form_version(&draft.version));
        update_component(db, id, version, &new, Utc::now()).await?;
        Ok(())
    }

    fn draft_of(c: Component) -> ComponentDraft {
        ComponentDraft {
            name: c.name,
            team_id: c.team_id.to_string(),
            description: c.description,
            version: c.version.to_string(),
        }
    }

    fn cells(c: Component) -> (String, String) {
        (c.name, c.description)
    }

    fn fields(draft: &ComponentDraft) -> Vec<FieldView> {
        let description = FieldView::new(
            "description",
            "Description",
            FieldKind::Textarea,
            &draft.description,
        );
        vec![description.optional()]
    }
}
