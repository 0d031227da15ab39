//! The pages of a team's catalog items (components and releases): list, add and edit, one
//! set of handlers for both. An item's team is fixed once it is created; what the two kinds
//! differ in is their [`TeamItem`] description.

use std::future::Future;

use axum::response::{IntoResponse, Response};
use escapement_core::ValidationErrors;
use escapement_core::auth::Permission;
use escapement_storage::catalog::Team;
use escapement_storage::catalog::list_teams;
use escapement_storage::sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::{manageable, manageable_or_refused};
use crate::csrf::CsrfForm;
use crate::error::AppResult;
use crate::extract::{IdPath, QueryParams};
use crate::page::fields::{FieldForm, FieldKind, FieldView, ListPage, ListRow, RowLink};
use crate::page::form::{FormPage, Refusal, respond};
use crate::page::views::{Opt, team_options};
use crate::page::{Ctx, Done, Page, see_other, see_other_done};
use crate::routes::table::{AccessLevel, Route};

/// The draft fields every team item has.
pub trait ItemDraft: DeserializeOwned + Default + Send + 'static {
    fn name(&self) -> &str;
    fn team_id(&self) -> &str;
    fn set_team_id(&mut self, team_id: String);
    fn version(&self) -> &str;
}

/// The stored fields every team item has.
pub trait ItemRecord: Send {
    fn id(&self) -> Uuid;
    fn team_id(&self) -> Uuid;
    fn version(&self) -> i32;
}

/// Implements [`ItemDraft`] for a draft and [`ItemRecord`] for its record, both of which
/// have the fields `name`, `team_id` and `version`.
macro_rules! team_item_fields {
    ($draft:ty, $record:ty) => {
        impl $crate::routes::settings::catalog::ItemDraft for $draft {
            fn name(&self) -> &str {
                &self.name
            }
            fn team_id(&self) -> &str {
                &self.team_id
            }
            fn set_team_id(&mut self, team_id: String) {
                self.team_id = team_id;
            }
            fn version(&self) -> &str {
                &self.version
            }
        }

        impl $crate::routes::settings::catalog::ItemRecord for $record {
            fn id(&self) -> uuid::Uuid {
                self.id
            }
            fn team_id(&self) -> uuid::Uuid {
                self.team_id
            }
            fn version(&self) -> i32 {
                self.version
            }
        }
    };
}
pub(super) use team_item_fields;

/// What one kind of team item says about itself.
pub trait TeamItem: Send + Sync + 'static {
    type Draft: ItemDraft;
    type Saved: ItemRecord;
    /// The list's path, `/settings/components`.
    const PATH: &'static str;
    /// The add form's path, `/settings/components/new`.
    const NEW_PATH: &'static str;
    /// The update route's pattern, `/settings/components/{component_id}`.
    const ITEM_PATH: &'static str;
    /// The edit form's pattern, `/settings/components/{component_id}/edit`.
    const EDIT_PATH: &'static str;
    /// "Components".
    const PLURAL: &'static str;
    /// "Component name".
    const NAME_LABEL: &'static str;
    /// "Add a component", "Edit component", "Add component", "Save component".
    const TITLES: [&'static str; 4];
    /// The list's three columns; the first is the name, the second the team.
    const COLUMNS: [&'static str; 3];
    const EMPTY: &'static str;

    fn list(db: &DatabaseConnection) -> impl Future<Output = AppResult<Vec<Self::Saved>>> + Send;
    fn get(
        db: &DatabaseConnection,
        id: Uuid,
    ) -> impl Future<Output = AppResult<Self::Saved>> + Send;
    /// Validates and inserts.
    fn create(
        db: &DatabaseConnection,
        draft: &Self::Draft,
    ) -> impl Future<Output = Result<(), Refusal>> + Send;
    /// Validates and updates, checking the version the draft was based on.
    fn update(
        db: &DatabaseConnection,
        id: Uuid,
        draft: &Self::Draft,
    ) -> impl Future<Output = Result<(), Refusal>> + Send;
    fn draft_of(saved: Self::Saved) -> Self::Draft;
    /// The name and the third column of the list.
    fn cells(saved: Self::Saved) -> (String, String);
    /// The fields after the name (and the team, when adding).
    fn fields(draft: &Self::Draft) -> Vec<FieldView>;
    /// The heading of the list's column of further pages, if the kind has one.
    const LINK_COLUMN: Option<&'static str> = None;
    /// A further page of one item (named `name`) for that column.
    fn link(_id: Uuid, _name: &str) -> Option<RowLink> {
        None
    }
}

/// The list, add and edit routes of one kind of team item.
pub fn routes<T: TeamItem>() -> Vec<Route> {
    use AccessLevel::{SignedIn, TeamAdmin};
    vec![
        Route::get(T::PATH, SignedIn, list_items::<T>),
        Route::post(T::PATH, TeamAdmin, create_item::<T>),
        Route::get(T::NEW_PATH, TeamAdmin, new_item_form::<T>),
        Route::post(T::ITEM_PATH, TeamAdmin, update_item::<T>),
        Route::get(T::EDIT_PATH, TeamAdmin, edit_item_form::<T>),
    ]
}

async fn list_items<T: TeamItem>(ctx: Ctx) -> AppResult<Response> {
    let teams = list_teams(ctx.db()).await?;
    let mut items = T::list(ctx.db()).await?;
    items.retain(|x| ctx.user.sees(ItemRecord::team_id(x)));
    let team_name = |id| teams.iter().find(|t| t.id == id).map(|t| t.name.clone());
    let rows = items
        .into_iter()
        .map(|item| {
            let (href, team) = (edit_href::<T>(item.id()), ItemRecord::team_id(&item));
            let id = item.id();
            let (name, third) = T::cells(item);
            let link = T::link(id, &name);
            let cells = vec![name, team_name(team).unwrap_or_default(), third];
            ListRow { href, cells, link }
        })
        .collect();
    let list = ListPage {
        layout: ctx.layout(T::PLURAL, "settings", &[("Settings", "/settings")]),
        new_href: T::NEW_PATH.to_owned(),
        new_label: T::TITLES[0],
        columns: T::COLUMNS.to_vec(),
        rows,
        empty_message: T::EMPTY,
        link_column: T::LINK_COLUMN,
    };
    Ok(list.page().into_response())
}

fn edit_href<T: TeamItem>(id: Uuid) -> String {
    format!("{}/{id}/edit", T::PATH)
}

/// The add form (with the team choices) or the edit form (`id`, the team fixed).
struct ItemForm<'a, T: TeamItem> {
    ctx: &'a Ctx,
    id: Option<Uuid>,
    teams: Vec<Opt>,
    _kind: std::marker::PhantomData<T>,
}

impl<'a, T: TeamItem> ItemForm<'a, T> {
    fn adding(ctx: &'a Ctx, teams: &[Team]) -> Self {
        let teams = team_options(teams);
        ItemForm {
            ctx,
            id: None,
            teams,
            _kind: std::marker::PhantomData,
        }
    }

    fn editing(ctx: &'a Ctx, id: Uuid) -> Self {
        ItemForm {
            ctx,
            id: Some(id),
            teams: Vec::new(),
            _kind: std::marker::PhantomData,
        }
    }

    fn form(&self, draft: &T::Draft) -> FieldForm {
        let mut fields = vec![FieldView::new(
            "name",
            T::NAME_LABEL,
            FieldKind::Text,
            draft.name(),
        )];
        if self.id.is_none() {
            let team = FieldView::new("team_id", "Team", FieldKind::Select, draft.team_id());
            fields.push(team.options(self.teams.clone()));
        }
        fields.extend(T::fields(draft));
        let (title, action, submit) = match self.id {
            None => (T::TITLES[0], T::PATH.to_owned(), T::TITLES[2]),
            Some(id) => (T::TITLES[1], format!("{}/{id}", T::PATH), T::TITLES[3]),
        };
        let trail = [("Settings", "/settings"), (T::PLURAL, T::PATH)];
        let layout = self.ctx.layout(title, "settings", &trail);
        let version = draft.version().to_owned();
        FieldForm::new(layout, action, submit, T::PATH.to_owned(), fields, version)
    }
}

impl<T: TeamItem> FormPage for ItemForm<'_, T> {
    type Input = T::Draft;

    async fn invalid(self, draft: T::Draft, errors: ValidationErrors) -> AppResult<Page> {
        Ok(self.form(&draft).with_errors(&errors))
    }

    async fn stale(self, draft: T::Draft) -> AppResult<Page> {
        let id = self.id.ok_or(crate::error::AppError::NotFound)?;
        let saved = T::get(self.ctx.db(), id).await?;
        let version = saved.version();
        let current = T::draft_of(saved);
        let values = self
            .form(&current)
            .fields
            .into_iter()
            .filter(|f| f.name != "team_id");
        let values: Vec<(&str, String)> = values.map(|f| (f.name, f.value)).collect();
        Ok(self.form(&draft).beside_saved(&values, version))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    team: String,
}

async fn new_item_form<T: TeamItem>(
    ctx: Ctx,
    QueryParams(query): QueryParams<NewQuery>,
) -> AppResult<Response> {
    let teams = manageable_or_refused(&ctx.user, list_teams(ctx.db()).await?)?;
    let mut draft = T::Draft::default();
    draft.set_team_id(query.team);
    Ok(ItemForm::<T>::adding(&ctx, &teams)
        .form(&draft)
        .page()
        .into_response())
}

async fn create_item<T: TeamItem>(
    ctx: Ctx,
    CsrfForm(draft): CsrfForm<T::Draft>,
) -> AppResult<Response> {
    ctx.user
        .require_named(draft.team_id(), Permission::ManageCatalog)?;
    let teams = manageable(&ctx.user, list_teams(ctx.db()).await?);
    let outcome = T::create(ctx.db(), &draft).await;
    let form = ItemForm::<T>::adding(&ctx, &teams);
    respond(form, draft, outcome, |()| {
        see_other_done(T::PATH, Done::CatalogSaved)
    })
    .await
}

async fn edit_item_form<T: TeamItem>(ctx: Ctx, IdPath(id): IdPath) -> AppResult<Response> {
    let saved = T::get(ctx.db(), id).await?;
    ctx.user
        .require(ItemRecord::team_id(&saved), Permission::ManageCatalog)?;
    let draft = T::draft_of(saved);
    Ok(ItemForm::<T>::editing(&ctx, id)
        .form(&draft)
        .page()
        .into_response())
}

async fn update_item<T: TeamItem>(
    ctx: Ctx,
    IdPath(id): IdPath,
    CsrfForm(mut draft): CsrfForm<T::Draft>,
) -> AppResult<Response> {
    let existing = T::get(ctx.db(), id).await?;
    ctx.user
        .require(ItemRecord::team_id(&existing), Permission::ManageCatalog)?;
    draft.set_team_id(ItemRecord::team_id(&existing).to_string());
    let outcome = T::update(ctx.db(), id, &draft).await;
    respond(ItemForm::<T>::editing(&ctx, id), draft, outcome, |()| {
        see_other(T::PATH)
    })
    .await
}
