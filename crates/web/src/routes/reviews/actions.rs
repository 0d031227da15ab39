//! Improvement actions: added on an escape's actions step, edited on their own page with a
//! version check, deleted from a confirmation page that works without JavaScript.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::auth::Permission;
use escapement_core::review::ActionDraft;
use escapement_core::{ActionStatus, Effort, Mechanism, ValidationErrors};
use escapement_storage::StorageError;
use escapement_storage::reviews::{
    Action, Review, add_action, delete_action, get_action, update_action,
};
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};

use super::record::is_overdue;
use super::show::VersionForm;
use super::steps::actions::Actions;
use super::steps::frame::StepForm;
use super::{action_choices, visible_review};
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::extract::IdPair;
use crate::page::Ctx;
use crate::page::Layout;
use crate::page::form::{FormPage, Refusal, respond};
use crate::page::views::{
    ConflictField, FormErrors, Opt, conflicting, form_version, keyed_options, stage_options,
};
use crate::page::words::Words;
use crate::page::{Done, Page, render, see_other_done};
use crate::state::AppState;
use std::marker::PhantomData;

/// The action form with the version it was based on.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ActionForm {
    #[serde(flatten)]
    draft: ActionDraft,
    version: String,
}

const FIELDS: &[(&str, &str)] = &[
    ("title", "Action"),
    ("mechanism", "Mechanism"),
    ("component_id", "Component"),
    ("target_layer", "Target layer"),
    ("effort", "Effort"),
    ("owner_team_id", "Owner team"),
    ("due_date", "Due date"),
    ("status", "Status"),
];

/// The owner team must be one the user can see; otherwise it reads as an unknown team.
fn check_owner(user: &CurrentUser, draft: &ActionDraft) -> Result<(), ValidationErrors> {
    match uuid::Uuid::parse_str(draft.owner_team_id.trim()) {
        Ok(team) if !user.sees(team) => {
            let mut errors = ValidationErrors::new();
            errors.push("owner_team_id", "Select a team from the list");
            Err(errors)
        }
        _ => Ok(()),
    }
}

pub(super) async fn create_action(
    ctx: Ctx,
    IdPair(id, escape_id): IdPair,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> AppResult<Response> {
    let review = visible_review(&ctx.state, &ctx.user, id, Some(Permission::WriteActions)).await?;
    let stages = stage_settings(ctx.db()).await?;
    let outcome: Result<(), Refusal> = async {
        check_owner(&ctx.user, &form.draft)?;
        let new = form.draft.validate(&stages.pipeline)?;
        add_action(ctx.db(), id, escape_id, &new, &ctx.user.actor(), Utc::now()).await?;
        Ok(())
    }
    .await;
    let step = StepForm::<Actions> {
        ctx: &ctx,
        review,
        escape_id,
        loaded_at: String::new(),
        kind: PhantomData,
    };
    let done = |()| {
        see_other_done(
            &format!("/reviews/{id}/escapes/{escape_id}?step=actions#actions"),
            Done::ActionAdded,
        )
    };
    respond(step, form.draft, outcome, done).await
}

#[derive(Serialize)]
struct ActionFormPage {
    layout: Layout,
    review: Review,
    action: Action,
    form: ActionForm,
    errors: FormErrors,
    conflict: Option<Vec<ConflictField>>,
    mechanisms: Vec<Opt>,
    stages: Vec<Opt>,
    efforts: Vec<Opt>,
    statuses: Vec<Opt>,
    components: Vec<Opt>,
    owner_teams: Vec<Opt>,
}

fn form_of(a: &Action) -> ActionForm {
    ActionForm {
        draft: ActionDraft {
            title: a.title.clone(),
            mechanism: a.mechanism.key().to_owned(),
            component_id: a.component_id.map(|c| c.to_string()).unwrap_or_default(),
            target_layer: a.target_layer.as_str().to_owned(),
            effort: a.effort.key().to_owned(),
            owner_team_id: a.owner_team_id.to_string(),
            due_date: a.due_date.map(|d| d.to_string()).unwrap_or_default(),
            status: a.status.key().to_owned(),
        },
        version: a.version.to_string(),
    }
}

/// The edit form of one action of `review`.
struct ActionEdit<'a> {
    ctx: &'a Ctx,
    review: Review,
    action: Action,
}

impl ActionEdit<'_> {
    async fn page(
        self,
        form: ActionForm,
        errors: &ValidationErrors,
        conflict: Option<Vec<ConflictField>>,
    ) -> AppResult<Page> {
        let stages = stage_settings(self.ctx.db()).await?;
        let (components, owner_teams) = action_choices(&self.ctx.state, &self.ctx.user).await?;
        let review_href = format!("/reviews/{}", self.review.id);
        let trail = [
            ("Reviews", "/reviews"),
            (self.review.title.as_str(), review_href.as_str()),
        ];
        let page = ActionFormPage {
            layout: self.ctx.layout("Edit action", "reviews", &trail),
            errors: errors.into(),
            conflict,
            mechanisms: keyed_options::<Mechanism>(),
            stages: stage_options(&stages.pipeline),
            efforts: keyed_options::<Effort>(),
            statuses: keyed_options::<ActionStatus>(),
            components,
            owner_teams,
            review: self.review,
            action: self.action,
            form,
        };
        Ok(Page::new("reviews/action_form.html", &page))
    }
}

impl FormPage for ActionEdit<'_> {
    type Input = ActionForm;

    async fn invalid(self, form: ActionForm, errors: ValidationErrors) -> AppResult<Page> {
        self.page(form, &errors, None).await
    }

    async fn stale(mut self, mut form: ActionForm) -> AppResult<Page> {
        let current = get_action(self.ctx.db(), self.review.id, self.action.id).await?;
        let words = Words::with_catalog(self.ctx.db()).await?;
        let conflict = words.conflicts(conflicting(FIELDS, &form_of(&current), &form));
        form.version = current.version.to_string();
        self.action = current;
        self.page(form, &ValidationErrors::new(), Some(conflict))
            .await
    }
}

pub(super) async fn edit_action_form(
    ctx: Ctx,
    IdPair(id, action_id): IdPair,
) -> AppResult<Response> {
    let review = visible_review(&ctx.state, &ctx.user, id, Some(Permission::WriteActions)).await?;
    let action = get_action(ctx.db(), id, action_id).await?;
    let form = form_of(&action);
    let edit = ActionEdit {
        ctx: &ctx,
        review,
        action,
    };
    Ok(edit
        .page(form, &ValidationErrors::new(), None)
        .await?
        .into_response())
}

pub(super) async fn update_action_details(
    ctx: Ctx,
    IdPair(id, action_id): IdPair,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> AppResult<Response> {
    let review = visible_review(&ctx.state, &ctx.user, id, Some(Permission::WriteActions)).await?;
    let action = get_action(ctx.db(), id, action_id).await?;
    let outcome: Result<_, Refusal> = async {
        let stages = stage_settings(ctx.db()).await?;
        check_owner(&ctx.user, &form.draft)?;
        let new = form.draft.validate(&stages.pipeline)?;
        let (version, who) = (form_version(&form.version), ctx.user.actor());
        Ok(update_action(ctx.db(), (id, action_id, version), &new, &who, Utc::now()).await?)
    }
    .await;
    let done = |a: Action| {
        see_other_done(
            &format!(
                "/reviews/{id}/escapes/{}?step=actions#actions",
                a.review_escape_id
            ),
            Done::ActionSaved,
        )
    };
    respond(
        ActionEdit {
            ctx: &ctx,
            review,
            action,
        },
        form,
        outcome,
        done,
    )
    .await
}

#[derive(Serialize)]
struct DeletePage {
    layout: Layout,
    review: Review,
    action: Action,
    overdue: bool,
    back_href: String,
}

/// `GET …/actions/{id}/delete`: what will be deleted, and the button that deletes it; a
/// page of its own, so the confirmation needs no script.
pub(super) async fn confirm_delete_action(
    ctx: Ctx,
    IdPair(id, action_id): IdPair,
) -> AppResult<Response> {
    let review = visible_review(&ctx.state, &ctx.user, id, Some(Permission::WriteActions)).await?;
    let action = get_action(ctx.db(), id, action_id).await?;
    let review_href = format!("/reviews/{id}");
    let trail = [
        ("Reviews", "/reviews"),
        (review.title.as_str(), review_href.as_str()),
    ];
    let page = DeletePage {
        layout: ctx.layout("Delete this action?", "reviews", &trail),
        overdue: is_overdue(action.due_date, action.status, Utc::now().date_naive()),
        back_href: format!(
            "/reviews/{id}/escapes/{}?step=actions#actions",
            action.review_escape_id
        ),
        review,
        action,
    };
    render("reviews/action_delete.html", &page)
}

pub(super) async fn delete_action_now(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPair(id, action_id): IdPair,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> AppResult<Response> {
    visible_review(&state, &user, id, Some(Permission::WriteActions)).await?;
    let action = get_action(&state.db, id, action_id).await?;
    let version = form_version(&form.version);
    let actor = user.actor();
    let deleted = delete_action(&state.db, (id, action_id, version), &actor, Utc::now());
    match deleted.await {
        Err(StorageError::Stale { .. }) => return Err(AppError::Refused(
            "Someone changed this action after you opened the page, so it was not deleted. Look at it again, and delete it if you still mean to.".to_owned(),
        )),
        other => other?,
    }
    Ok(see_other_done(
        &format!(
            "/reviews/{id}/escapes/{}?step=actions#actions",
            action.review_escape_id
        ),
        Done::ActionDeleted,
    ))
}
