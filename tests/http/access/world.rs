//! The fixture world of the access suite: two teams with objects in each, the people whose
//! standing toward team B is checked, and the map from path parameters to B's objects.

use chrono::Utc;
use escapement_core::auth::{Role, TokenName};
use escapement_core::review::{NewAction, ReviewDetails};
use escapement_core::{ActionStatus, Effort, Mechanism, StageKey};
use escapement_storage::Actor;
use escapement_storage::accounts::create_token;
use escapement_storage::reviews::{add_action, create_review, review_escapes};
use escapement_tests::{CSRF, TestApp};
use escapement_web::auth::{api_token_hash, new_api_token};
use uuid::Uuid;

use crate::seed::{self, Seeded, defect_form, record};

/// The quarter that fills a `{quarter}` parameter.
const QUARTER: &str = "2026-Q1";

/// Who sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Anonymous,
    /// The instance admin.
    Admin,
    /// Team admin of A, a stranger to B.
    ALead,
    BViewer,
    BEditor,
    /// Team admin of B, not an instance admin.
    BLead,
    /// The instance admin's API token, with no session: a credential under `/api/v1` only.
    AdminToken,
}

impl Who {
    pub fn label(self) -> &'static str {
        match self {
            Who::Anonymous => "anonymous",
            Who::Admin => "instance admin",
            Who::ALead => "A's team admin",
            Who::BViewer => "B's viewer",
            Who::BEditor => "B's editor",
            Who::BLead => "B's team admin",
            Who::AdminToken => "instance admin's API token",
        }
    }
}

/// Teams A and B with a component, a release and a defect each, and the people above.
pub struct World {
    pub b: Seeded,
    pub b_defect: Uuid,
    /// B's review, the escape it covers and that escape's action.
    b_review: Uuid,
    b_escape: Uuid,
    b_action: Uuid,
    /// A CSV file uploaded for B, waiting for its import.
    b_import: Uuid,
    /// A viewer of B who sends nothing: the member that B's membership routes name.
    b_member: Uuid,
    /// An API token of B's viewer: the object of routes only its owner may use.
    b_viewer_token: Uuid,
    a_lead: Uuid,
    b_viewer: Uuid,
    b_editor: Uuid,
    b_lead: Uuid,
    /// The value of an API token of the instance admin.
    pub admin_token: String,
}

async fn person(app: &TestApp, email: &str, roles: &[(Uuid, Role)]) -> Uuid {
    seed::member(app, email, roles).await.0
}

/// A review of `team` covering one escape that has one action: (review, escape, action).
async fn review(app: &TestApp, team: &Seeded) -> (Uuid, Uuid, Uuid) {
    let escape = record(
        app,
        &defect_form(team, "Platform outage", "high", "production"),
    )
    .await;
    let actor = Actor::user(app.admin_id, "Ada Admin", "203.0.113.9");
    let details = ReviewDetails {
        title: "Platform outage review".to_owned(),
        team_id: team.team,
        incident_date: Utc::now().date_naive(),
        incident_link: None,
        summary: String::new(),
        participants: Vec::new(),
    };
    let review = create_review(app.db(), &details, &[escape], &actor, Utc::now())
        .await
        .expect("a review");
    let escape_id = review_escapes(app.db(), review.id).await.expect("escapes")[0].id;
    let action = NewAction {
        title: "Add a contract test".to_owned(),
        mechanism: Mechanism::NoTest,
        component_id: None,
        target_layer: StageKey::parse("integration_test").expect("a stage"),
        effort: Effort::S,
        owner_team_id: team.team,
        due_date: None,
        status: ActionStatus::Proposed,
    };
    let action = add_action(app.db(), review.id, escape_id, &action, &actor, Utc::now())
        .await
        .expect("an action");
    (review.id, escape_id, action.id)
}

impl World {
    pub async fn build(app: &TestApp) -> World {
        let a = seed::team(app, "Checkout").await;
        let b = seed::team(app, "Platform").await;
        record(app, &defect_form(&a, "Checkout bug", "high", "production")).await;
        let b_defect = record(app, &defect_form(&b, "Platform bug", "low", "unit_test")).await;
        let (b_review, b_escape, b_action) = review(app, &b).await;
        let a_lead = person(app, "a.lead@example.com", &[(a.team, Role::TeamAdmin)]).await;
        let b_viewer = person(app, "b.viewer@example.com", &[(b.team, Role::Viewer)]).await;
        let b_editor = person(app, "b.editor@example.com", &[(b.team, Role::Editor)]).await;
        let b_lead = person(app, "b.lead@example.com", &[(b.team, Role::TeamAdmin)]).await;
        let b_member = person(app, "b.member@example.com", &[(b.team, Role::Viewer)]).await;
        let name = TokenName::parse("Export").expect("a token name");
        let b_viewer_token = create_token(app.db(), b_viewer, &name, &"e".repeat(64), Utc::now())
            .await
            .expect("a token")
            .id;
        let admin_token = new_api_token();
        let admin_name = TokenName::parse("Admin script").expect("a token name");
        let hash = api_token_hash(&admin_token);
        create_token(app.db(), app.admin_id, &admin_name, &hash, Utc::now())
            .await
            .expect("the admin's token");
        let mapping =
            escapement_core::import::Preset::Generic.mapping(&escapement_core::Pipeline::default());
        let b_import = escapement_storage::imports::create_upload(
            app.db(),
            b.team,
            Some(app.admin_id),
            "defects.csv",
            b"title\nA\n".to_vec(),
            &mapping,
            Utc::now(),
        )
        .await
        .expect("an upload");
        World {
            b,
            b_defect,
            b_import,
            b_review,
            b_escape,
            b_action,
            b_member,
            b_viewer_token,
            a_lead,
            b_viewer,
            b_editor,
            b_lead,
            admin_token,
        }
    }

    /// The id of B's object that a path parameter names, or `None` for a parameter this
    /// world knows nothing about.
    fn object(&self, name: &str) -> Option<Uuid> {
        match name {
            "defect_id" => Some(self.b_defect),
            "team_id" => Some(self.b.team),
            "component_id" => Some(self.b.component),
            "release_id" => Some(self.b.release),
            "user_id" => Some(self.b_member),
            "token_id" => Some(self.b_viewer_token),
            "review_id" => Some(self.b_review),
            "escape_id" => Some(self.b_escape),
            "action_id" => Some(self.b_action),
            "import_id" => Some(self.b_import),
            _ => None,
        }
    }

    /// What a path parameter is filled with: B's object for an id, a fixed quarter (one
    /// that has begun, so its report exists) for `quarter`, version 1 for `version`; `None` for a parameter this
    /// world knows nothing about.
    fn param(&self, name: &str) -> Option<String> {
        match name {
            "quarter" => Some(QUARTER.to_owned()),
            // The metric definition version every database has.
            "version" => Some("1".to_owned()),
            _ => self.object(name).map(|id| id.to_string()),
        }
    }

    /// `pattern` with every `{parameter}` replaced by B's object. Panics for a parameter the
    /// world cannot fill, so that a new kind of route forces this suite to learn about it.
    pub fn fill(&self, pattern: &str) -> String {
        pattern
            .split('/')
            .map(|segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => self
                    .param(name)
                    .unwrap_or_else(|| {
                        panic!(
                            "the route `{pattern}` has a path parameter `{name}` the access suite cannot fill: add an object for it to World::param in tests/http/access/world.rs"
                        )
                    }),
                None => segment.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The `Cookie` header for `who`: the CSRF cookie and, for a user, a fresh session.
    pub async fn cookies(&self, app: &TestApp, who: Who) -> String {
        let user = match who {
            Who::Anonymous | Who::AdminToken => return format!("escapement_csrf={CSRF}"),
            Who::Admin => app.admin_id,
            Who::ALead => self.a_lead,
            Who::BViewer => self.b_viewer,
            Who::BEditor => self.b_editor,
            Who::BLead => self.b_lead,
        };
        seed::signed_in(app, user).await
    }
}
