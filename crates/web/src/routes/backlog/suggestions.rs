//! Suggested items: `POST /backlog/suggestions/accept` turns one into an accepted action of
//! the cluster's team; `POST /backlog/suggestions/dismiss` puts it away with a reason (until a
//! new escape of the cluster is recorded).

use axum::response::Response;
use chrono::Utc;
use escapement_core::auth::Permission;
use escapement_core::backlog::ClusterKey;
use escapement_core::backlog::lifecycle::REASON_MAX_LEN;
use escapement_core::{Mechanism, ValidationErrors};
use escapement_storage::backlog::{accept_suggestion, dismiss_suggestion};
use escapement_storage::settings::stage_settings;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::weights;
use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::page::form::{FormPage, Refusal, respond};
use crate::page::views::FormErrors;
use crate::page::{Ctx, Layout, Page, see_other};

/// Which cluster a suggestion form names, and for a dismissal why.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ClusterForm {
    team_id: String,
    mechanism: String,
    component_id: String,
    reason: String,
}

/// The cluster the form names, after the user's right to change the team's actions is
/// checked (404 for another team, 403 for a viewer).
fn cluster_of(ctx: &Ctx, form: &ClusterForm) -> AppResult<ClusterKey> {
    let team_id = Uuid::parse_str(form.team_id.trim())
        .map_err(|_| AppError::BadRequest("The form names no team.".to_owned()))?;
    ctx.user.require(team_id, Permission::WriteActions)?;
    let mechanism = Mechanism::from_key(form.mechanism.trim()).ok_or_else(|| {
        AppError::BadRequest("Mechanism: the form names no mechanism from the list.".to_owned())
    })?;
    let component_id = match form.component_id.trim() {
        "" => None,
        raw => Some(Uuid::parse_str(raw).map_err(|_| {
            AppError::BadRequest("Component: the form names no component from the list.".to_owned())
        })?),
    };
    Ok(ClusterKey {
        team_id,
        mechanism,
        component_id,
    })
}

pub(super) async fn accept(ctx: Ctx, CsrfForm(form): CsrfForm<ClusterForm>) -> AppResult<Response> {
    let key = cluster_of(&ctx, &form)?;
    let (w, _) = weights(&ctx.state).await?;
    let stages = stage_settings(ctx.db()).await?;
    let id = accept_suggestion(
        ctx.db(),
        key,
        (&w, stages.boundary.after()),
        &ctx.user.actor(),
        Utc::now(),
    )
    .await?;
    Ok(see_other(&format!("/backlog/actions/{id}?accepted=1")))
}

#[derive(Serialize)]
struct DismissView {
    layout: Layout,
    form: ClusterForm,
    mechanism_label: &'static str,
    errors: FormErrors,
}

/// The dismiss form on a page of its own, shown again when the reason is missing.
struct DismissPage<'a> {
    ctx: &'a Ctx,
    mechanism: Mechanism,
}

impl FormPage for DismissPage<'_> {
    type Input = ClusterForm;

    async fn invalid(self, form: ClusterForm, errors: ValidationErrors) -> AppResult<Page> {
        let view = DismissView {
            layout: self.ctx.layout(
                "Dismiss a suggestion",
                "backlog",
                &[("Backlog", "/backlog")],
            ),
            mechanism_label: self.mechanism.label(),
            errors: (&errors).into(),
            form,
        };
        Ok(Page::new("backlog/dismiss.html", &view))
    }

    async fn stale(self, form: ClusterForm) -> AppResult<Page> {
        self.invalid(form, ValidationErrors::new()).await
    }
}

pub(super) async fn dismiss(
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ClusterForm>,
) -> AppResult<Response> {
    let key = cluster_of(&ctx, &form)?;
    let outcome: Result<(), Refusal> = async {
        let reason = form.reason.trim();
        let mut e = ValidationErrors::new();
        if reason.is_empty() {
            e.push("reason", "Enter why no action is needed");
        } else if reason.chars().count() > REASON_MAX_LEN {
            e.push(
                "reason",
                format!("Reason must be {REASON_MAX_LEN} characters or fewer"),
            );
        }
        e.into_result(())?;
        dismiss_suggestion(ctx.db(), key, reason, &ctx.user.actor(), Utc::now()).await?;
        Ok(())
    }
    .await;
    let page = DismissPage {
        ctx: &ctx,
        mechanism: key.mechanism,
    };
    respond(page, form, outcome, |()| see_other("/backlog?dismissed=1")).await
}
