//! Step 5, improvement actions: the escape's actions, the form to add one (each tied to a
//! mechanism, a component and a target layer), or a written reason why none is needed.

use chrono::Utc;
use escapement_core::review::fields::{FieldLabel, NO_ACTION_REASON};
use escapement_core::review::{ActionDraft, Step};
use escapement_core::{ActionStatus, Effort};
use escapement_storage::reviews::{Action, ReviewEscape};
use serde::{Deserialize, Serialize};

use super::frame::{StepKind, Workspace};
use super::mechanism::{MechanismOpt, mechanism_options};
use crate::page::Ctx;
use crate::page::Done;
use crate::page::views::{Opt, keyed_options, stage_options};
use crate::routes::reviews::record::is_overdue;

/// The actions step, shown again after a refused new action.
pub struct Actions;

/// The actions step, shown again after a refused no-action reason.
pub struct NoAction;

/// The "no action is needed" form; an empty reason with `clear` set removes it.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NoActionForm {
    pub no_action_reason: String,
    #[serde(skip_serializing)]
    pub clear: String,
    #[serde(skip_serializing)]
    pub version: String,
    #[serde(skip_serializing)]
    pub loaded_at: String,
}

/// An action with its layer's label.
#[derive(Serialize)]
struct ActionView {
    #[serde(flatten)]
    action: Action,
    layer_label: String,
    /// Still open and due before today.
    overdue: bool,
}

#[derive(Serialize)]
pub struct ActionsView {
    actions: Vec<ActionView>,
    /// How many of them are overdue.
    overdue: usize,
    action: ActionDraft,
    mechanisms: Vec<MechanismOpt>,
    stages: Vec<Opt>,
    efforts: Vec<Opt>,
    statuses: Vec<Opt>,
    components: Vec<Opt>,
    owner_teams: Vec<Opt>,
    no_action_reason: String,
    reason_field: FieldLabel,
}

/// The step's view with the new-action form filled from `action` (or the defaults: the
/// primary mechanism, the expected catch stage, effort M, the review's team) and the
/// reason from `reason` (or what is saved).
fn view(ws: &Workspace, action: Option<&ActionDraft>, reason: Option<&str>) -> ActionsView {
    let escape = ws.escape();
    let pipeline = &ws.stages.pipeline;
    let stage = escape.defect.data.expected_catch_stage.as_ref();
    let default_action = || ActionDraft {
        mechanism: escape
            .classification
            .primary()
            .map(|m| m.key().to_owned())
            .unwrap_or_default(),
        target_layer: stage.map(|k| k.as_str().to_owned()).unwrap_or_default(),
        effort: Effort::M.key().to_owned(),
        owner_team_id: ws.review.team_id.to_string(),
        status: ActionStatus::Proposed.key().to_owned(),
        ..ActionDraft::default()
    };
    let saved_reason = escape.no_action_reason.clone().unwrap_or_default();
    let today = Utc::now().date_naive();
    let actions: Vec<ActionView> = escape
        .actions
        .iter()
        .map(|a| ActionView {
            layer_label: pipeline.label_of(a.target_layer.as_str()).to_owned(),
            overdue: is_overdue(a.due_date, a.status, today),
            action: a.clone(),
        })
        .collect();
    ActionsView {
        overdue: actions.iter().filter(|a| a.overdue).count(),
        actions,
        action: action.cloned().unwrap_or_else(default_action),
        mechanisms: mechanism_options(escape),
        stages: stage_options(pipeline),
        efforts: keyed_options::<Effort>(),
        statuses: keyed_options::<ActionStatus>(),
        components: ws.choices.0.clone(),
        owner_teams: ws.choices.1.clone(),
        no_action_reason: reason.map_or(saved_reason, str::to_owned),
        reason_field: NO_ACTION_REASON,
    }
}

fn narrative(view: &ActionsView) -> Vec<(&'static str, String)> {
    vec![(NO_ACTION_REASON.label, view.no_action_reason.clone())]
}

impl StepKind for Actions {
    const STEP: Step = Step::Actions;
    const DONE: Done = Done::ActionAdded;
    const TEMPLATE: &'static str = "reviews/steps/actions.html";
    type Input = ActionDraft;
    type View = ActionsView;

    fn view(_: &Ctx, ws: &Workspace, input: Option<&ActionDraft>) -> ActionsView {
        view(ws, input, None)
    }

    fn saved(_: &ReviewEscape) -> ActionDraft {
        ActionDraft::default()
    }

    fn labels() -> Vec<(&'static str, String)> {
        Vec::new()
    }

    fn narrative(view: &ActionsView) -> Vec<(&'static str, String)> {
        narrative(view)
    }
}

impl StepKind for NoAction {
    const STEP: Step = Step::Actions;
    const DONE: Done = Done::NoActionSaved;
    const TEMPLATE: &'static str = "reviews/steps/actions.html";
    type Input = NoActionForm;
    type View = ActionsView;

    /// The reason, unless the form clears it.
    fn written(input: &NoActionForm) -> Vec<&str> {
        match input.clear.is_empty() {
            true => vec![&input.no_action_reason],
            false => Vec::new(),
        }
    }

    fn view(_: &Ctx, ws: &Workspace, input: Option<&NoActionForm>) -> ActionsView {
        view(ws, None, input.map(|f| f.no_action_reason.as_str()))
    }

    fn saved(e: &ReviewEscape) -> NoActionForm {
        NoActionForm {
            no_action_reason: e.no_action_reason.clone().unwrap_or_default(),
            ..NoActionForm::default()
        }
    }

    fn labels() -> Vec<(&'static str, String)> {
        vec![(NO_ACTION_REASON.name, NO_ACTION_REASON.label.to_owned())]
    }

    fn narrative(view: &ActionsView) -> Vec<(&'static str, String)> {
        narrative(view)
    }
}
