//! `GET /backlog/actions/{action_id}`: one action with its score, the escapes it addresses and,
//! once done, whether the escapes stopped; `POST` moves its status, due date, owner team and
//! tracker key (outside its review's edit lock, with a version check); `POST …/escapes` links
//! further escapes of its cluster.

use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escapement_core::ValidationErrors;
use escapement_core::auth::Permission;
use escapement_core::backlog::lifecycle::next_statuses;
use escapement_core::backlog::{ActionChangeDraft, suggest};
use escapement_storage::backlog::{BacklogAction, add_escapes, change_action, cluster_escapes_of};
use escapement_storage::catalog::list_teams;
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::view::due_view;
use super::view::{
    DueView, EffectView, EscapeLink, ScoreView, day, effect_view, escape_links, score_view,
};
use super::{today, visible_action, writable_teams};
use crate::csrf::CsrfForm;
use crate::error::AppResult;
use crate::extract::{IdPath, QueryParams};
use crate::page::form::{FormPage, Refusal, respond};
use crate::page::views::{ConflictField, FormErrors, Opt, form_version};
use crate::page::{Ctx, Layout, Page, see_other};

/// The change form with the version it was based on.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ChangeForm {
    #[serde(flatten)]
    draft: ActionChangeDraft,
    version: String,
}

/// The "also addresses" form: escapes of the action's cluster.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EscapesForm {
    escape_ids: Vec<String>,
    version: String,
}

fn form_of(a: &BacklogAction) -> ChangeForm {
    ChangeForm {
        draft: ActionChangeDraft {
            status: a.status.key().to_owned(),
            due_date: a.due_date.map(|d| d.to_string()).unwrap_or_default(),
            owner_team_id: a.team_id.to_string(),
            external_key: a.external_key.clone().unwrap_or_default(),
            reason: a.status_reason.clone().unwrap_or_default(),
        },
        version: a.version.to_string(),
    }
}

#[derive(Serialize)]
struct Candidate {
    id: String,
    escape: EscapeLink,
}

#[derive(Serialize)]
struct ActionPageView {
    layout: Layout,
    notice: Option<&'static str>,
    id: Uuid,
    title: String,
    review_href: String,
    review_title: String,
    review_locked: bool,
    mechanism: &'static str,
    mechanism_label: &'static str,
    typical: &'static str,
    component: Option<String>,
    team: String,
    layer: String,
    effort: &'static str,
    status: &'static str,
    status_label: &'static str,
    status_reason: Option<String>,
    due: Option<DueView>,
    done_on: Option<String>,
    external_key: Option<String>,
    created_on: String,
    score: ScoreView,
    escapes: Vec<EscapeLink>,
    effect: Option<EffectView>,
    candidates: Vec<Candidate>,
    can_write: bool,
    form: ChangeForm,
    errors: FormErrors,
    conflict: Option<Vec<ConflictField>>,
    statuses: Vec<Opt>,
    teams: Vec<Opt>,
    history_href: String,
}

/// The action's page, with `form` in its change form.
struct ActionPage<'a> {
    ctx: &'a Ctx,
    action: BacklogAction,
    /// The confirmation of what the last step did.
    notice: Option<&'static str>,
}

/// What the page confirms after a redirect: `?saved=1`, `?accepted=1`, `?linked=1`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    saved: String,
    accepted: String,
    linked: String,
}

impl Done {
    fn notice(&self) -> Option<&'static str> {
        if !self.accepted.is_empty() {
            Some(
                "Suggestion accepted: it is now an action. Size it, give it a due date and an owner.",
            )
        } else if !self.linked.is_empty() {
            Some("Escapes linked")
        } else if !self.saved.is_empty() {
            Some("Action saved")
        } else {
            None
        }
    }
}

impl ActionPage<'_> {
    async fn page(
        self,
        form: ChangeForm,
        errors: &ValidationErrors,
        conflict: Option<Vec<ConflictField>>,
    ) -> AppResult<Page> {
        let a = self.action;
        let stages = stage_settings(self.ctx.db()).await?;
        let can_write = self
            .ctx
            .user
            .require(a.team_id, Permission::WriteActions)
            .is_ok();
        let linked: Vec<Uuid> = a.escapes.iter().map(|e| e.review_escape_id).collect();
        let candidates = if can_write {
            cluster_escapes_of(self.ctx.db(), a.cluster(), suggest::window_start(today()))
                .await?
                .into_iter()
                .filter(|e| !linked.contains(&e.review_escape_id))
                .map(|e| Candidate {
                    id: e.review_escape_id.to_string(),
                    escape: escape_links(std::slice::from_ref(&e), &stages.pipeline).remove(0),
                })
                .collect()
        } else {
            Vec::new()
        };
        let teams = writable_teams(self.ctx).await?;
        let statuses = next_statuses(a.status)
            .iter()
            .map(|s| Opt {
                value: s.key().to_owned(),
                label: s.label().to_owned(),
            })
            .collect();
        let trail = [("Backlog", "/backlog")];
        let view = ActionPageView {
            layout: self.ctx.layout(a.title.clone(), "backlog", &trail),
            notice: self.notice,
            id: a.id,
            review_href: format!("/reviews/{}", a.review_id),
            history_href: format!("/reviews/{}/history", a.review_id),
            review_title: a.review_title.clone(),
            review_locked: !matches!(
                a.review_state,
                escapement_core::ReviewState::Draft | escapement_core::ReviewState::InReview
            ),
            mechanism: a.mechanism.key(),
            mechanism_label: a.mechanism.label(),
            typical: a.mechanism.typical_improvement(),
            component: a.component_name.clone(),
            team: a.team_name.clone(),
            layer: stages.pipeline.label_of(a.target_layer.as_str()).to_owned(),
            effort: a.effort.label(),
            status: a.status.key(),
            status_label: a.status.label(),
            status_reason: a.status_reason.clone(),
            due: due_view(a.due_date, a.due),
            done_on: a.done_at.map(|at| day(at.date_naive())),
            external_key: a.external_key.clone(),
            created_on: day(a.created_at.date_naive()),
            score: score_view(&a.score),
            escapes: escape_links(&a.escapes, &stages.pipeline),
            effect: a.effect.as_ref().map(effect_view),
            candidates,
            can_write,
            form,
            errors: errors.into(),
            conflict,
            statuses,
            teams,
            title: a.title,
        };
        Ok(Page::new("backlog/action.html", &view))
    }
}

/// The fields of the change form whose saved value differs from the user's, in labels.
fn conflicts(
    saved: &BacklogAction,
    yours: &ChangeForm,
    team_names: &[(Uuid, String)],
) -> Vec<ConflictField> {
    let status = |k: &str| {
        escapement_core::ActionStatus::from_key(k)
            .map_or_else(|| k.to_owned(), |s| s.label().to_owned())
    };
    let team = |k: &str| {
        Uuid::parse_str(k)
            .ok()
            .and_then(|id| team_names.iter().find(|(t, _)| *t == id))
            .map_or_else(|| k.to_owned(), |(_, n)| n.clone())
    };
    let date = |k: &str| escapement_core::form::parse_date(k).map_or_else(|| k.to_owned(), day);
    let saved_form = form_of(saved);
    let (s, y) = (&saved_form.draft, &yours.draft);
    let mut out = Vec::new();
    let mut push = |label: &str, a: String, b: String| {
        if a != b {
            out.push(ConflictField {
                label: label.to_owned(),
                saved: a,
                yours: b,
            });
        }
    };
    push("Status", status(&s.status), status(&y.status));
    push("Due date", date(&s.due_date), date(&y.due_date));
    push("Owner team", team(&s.owner_team_id), team(&y.owner_team_id));
    push(
        "Tracker key",
        s.external_key.clone(),
        y.external_key.trim().to_owned(),
    );
    push("Reason", s.reason.clone(), y.reason.trim().to_owned());
    out
}

impl FormPage for ActionPage<'_> {
    type Input = ChangeForm;

    async fn invalid(self, form: ChangeForm, errors: ValidationErrors) -> AppResult<Page> {
        self.page(form, &errors, None).await
    }

    async fn stale(mut self, mut form: ChangeForm) -> AppResult<Page> {
        let current = visible_action(&self.ctx.state, &self.ctx.user, self.action.id, None).await?;
        let names: Vec<(Uuid, String)> = list_teams(self.ctx.db())
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect();
        let conflict = conflicts(&current, &form, &names);
        form.version = current.version.to_string();
        self.action = current;
        self.page(form, &ValidationErrors::new(), Some(conflict))
            .await
    }
}

pub(super) async fn show_action(
    ctx: Ctx,
    IdPath(id): IdPath,
    QueryParams(done): QueryParams<Done>,
) -> AppResult<Response> {
    let action = visible_action(&ctx.state, &ctx.user, id, None).await?;
    let form = form_of(&action);
    let page = ActionPage {
        ctx: &ctx,
        action,
        notice: done.notice(),
    };
    Ok(page
        .page(form, &ValidationErrors::new(), None)
        .await?
        .into_response())
}

pub(super) async fn change_action_status(
    ctx: Ctx,
    IdPath(id): IdPath,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> AppResult<Response> {
    let action = visible_action(&ctx.state, &ctx.user, id, Some(Permission::WriteActions)).await?;
    let outcome: Result<(), Refusal> = async {
        let change = form.draft.validate(action.status)?;
        if ctx
            .user
            .require(change.owner_team_id, Permission::WriteActions)
            .is_err()
        {
            let mut e = ValidationErrors::new();
            e.push("owner_team_id", "Select a team you can change actions of");
            return Err(e.into());
        }
        let version = form_version(&form.version);
        change_action(
            ctx.db(),
            (id, version),
            &change,
            &ctx.user.actor(),
            Utc::now(),
        )
        .await?;
        Ok(())
    }
    .await;
    let done = |()| see_other(&format!("/backlog/actions/{id}?saved=1"));
    respond(
        ActionPage {
            ctx: &ctx,
            action,
            notice: None,
        },
        form,
        outcome,
        done,
    )
    .await
}

pub(super) async fn add_action_escapes(
    ctx: Ctx,
    IdPath(id): IdPath,
    CsrfForm(form): CsrfForm<EscapesForm>,
) -> AppResult<Response> {
    let action = visible_action(&ctx.state, &ctx.user, id, Some(Permission::WriteActions)).await?;
    let outcome: Result<(), Refusal> = async {
        let mut ids = Vec::with_capacity(form.escape_ids.len());
        for raw in &form.escape_ids {
            match Uuid::parse_str(raw.trim()) {
                Ok(id) => ids.push(id),
                Err(_) => {
                    let mut e = ValidationErrors::new();
                    e.push("escape_ids", "Select escapes from the list");
                    return Err(e.into());
                }
            }
        }
        let version = form_version(&form.version);
        add_escapes(ctx.db(), (id, version), &ids, &ctx.user.actor(), Utc::now()).await?;
        Ok(())
    }
    .await;
    let change = form_of(&action);
    let done = |()| see_other(&format!("/backlog/actions/{id}?linked=1#escapes"));
    respond(
        ActionPage {
            ctx: &ctx,
            action,
            notice: None,
        },
        change,
        outcome,
        done,
    )
    .await
}
