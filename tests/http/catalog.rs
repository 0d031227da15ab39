//! Teams, components, releases and the pipeline settings over HTTP.

use escapement_tests::{TestApp, both_backends};

use crate::seed::{self, DEFAULT_KEYS, defect_form, esc, pairs, pipeline_form, record};

both_backends!(TestApp:
    a_team_is_added_renamed_and_kept_unique,
    a_stale_team_rename_shows_what_is_saved,
    components_and_releases_belong_to_a_team,
    catalog_forms_refuse_bad_input,
    a_stage_in_use_cannot_be_removed,
    a_new_stage_can_be_added_and_becomes_the_boundary,
    an_invalid_boundary_is_refused,
);

async fn a_team_is_added_renamed_and_kept_unique(app: TestApp) {
    let created = app
        .post_form("/settings/teams", &[("name", "Checkout")])
        .await;
    assert_eq!(created.status, 303);
    assert_eq!(created.location(), "/settings/teams?done=team_saved");
    let list = app.get(created.location()).await.body;
    assert!(list.contains(">Checkout</a>"));
    assert!(
        list.contains(r#"<p class="notice success" role="status">Team saved.</p>"#),
        "the next page confirms the save"
    );

    let duplicate = app
        .post_form("/settings/teams", &[("name", "Checkout")])
        .await;
    assert_eq!(duplicate.status, 422);
    assert!(
        duplicate
            .body
            .contains("A team with this name already exists")
    );
    assert!(duplicate.body.contains("value=\"Checkout\""));

    let teams = escapement_storage::catalog::list_teams(app.db())
        .await
        .expect("teams");
    let id = teams[0].id;
    let edit = app.get(&format!("/settings/teams/{id}/edit")).await;
    assert!(edit.body.contains("value=\"Checkout\""));
    let renamed = app
        .post_form(
            &format!("/settings/teams/{id}"),
            &[("name", "Payments"), ("version", "1")],
        )
        .await;
    assert_eq!(renamed.status, 303);
    assert!(
        app.get("/settings/teams")
            .await
            .body
            .contains(">Payments</a>")
    );
}

async fn a_stale_team_rename_shows_what_is_saved(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let path = format!("/settings/teams/{}", team.team);
    assert_eq!(
        app.post_form(&path, &[("name", "Theirs"), ("version", "1")])
            .await
            .status,
        303
    );
    let stale = app
        .post_form(&path, &[("name", "Mine"), ("version", "1")])
        .await;
    assert_eq!(stale.status, 409);
    assert!(stale.body.contains("Saved now: <strong>Theirs</strong>"));
    assert!(stale.body.contains("value=\"Mine\""));
    assert!(stale.body.contains("name=\"version\" value=\"2\""));
}

async fn components_and_releases_belong_to_a_team(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let team_id = team.team.to_string();
    let component = app
        .post_form(
            "/settings/components",
            &[
                ("name", "Payments"),
                ("team_id", &team_id),
                ("description", "Card payments"),
            ],
        )
        .await;
    assert_eq!(component.status, 303, "{}", component.body);
    let components = app.get("/settings/components").await.body;
    assert!(
        components.contains(">Payments</a>")
            && components.contains("Card payments")
            && components.contains("Checkout")
    );

    let duplicate = app
        .post_form(
            "/settings/components",
            &[("name", "Payments"), ("team_id", &team_id)],
        )
        .await;
    assert_eq!(duplicate.status, 422);
    assert!(
        duplicate
            .body
            .contains("This team already has a component with this name")
    );

    let release = app
        .post_form(
            "/settings/releases",
            &[
                ("name", "Checkout 2.0"),
                ("team_id", &team_id),
                ("released_on", "2026-06-30"),
            ],
        )
        .await;
    assert_eq!(release.status, 303, "{}", release.body);
    assert!(
        app.get("/settings/releases")
            .await
            .body
            .contains("30 Jun 2026")
    );

    let edit = app
        .post_form(
            &format!("/settings/releases/{}", team.release),
            &[
                ("name", "Checkout 1.0.1"),
                ("released_on", "2026-01-20"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(edit.status, 303, "{}", edit.body);
    assert!(
        app.get("/settings/releases")
            .await
            .body
            .contains("Checkout 1.0.1")
    );
}

async fn catalog_forms_refuse_bad_input(app: TestApp) {
    let empty_team = app.post_form("/settings/teams", &[("name", "  ")]).await;
    assert_eq!(empty_team.status, 422);
    assert!(empty_team.body.contains("Enter a team name"));

    let no_team = app
        .post_form("/settings/components", &[("name", "Cart"), ("team_id", "")])
        .await;
    assert_eq!(no_team.status, 422);
    assert!(no_team.body.contains("Select a team"));

    let unknown_team = app
        .post_form(
            "/settings/components",
            &[
                ("name", "Cart"),
                ("team_id", &uuid::Uuid::now_v7().to_string()),
            ],
        )
        .await;
    assert_eq!(unknown_team.status, 422);
    assert!(unknown_team.body.contains("Select a team from the list"));

    let bad_date = app
        .post_form(
            "/settings/releases",
            &[
                ("name", "R1"),
                ("team_id", ""),
                ("released_on", "31/02/2026"),
            ],
        )
        .await;
    assert_eq!(bad_date.status, 422);
    assert!(bad_date.body.contains("Release date must be a real date"));
    assert!(
        bad_date
            .body
            .contains(&format!("value=\"{}\"", esc("31/02/2026")))
    );
}

async fn a_stage_in_use_cannot_be_removed(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    record(&app, &defect_form(&team, "Beta bug", "low", "beta")).await;
    let form = pipeline_form("system_test", &DEFAULT_KEYS, &[("remove_beta", "on")]);
    let response = app.post_form("/settings/pipeline", &pairs(&form)).await;
    assert_eq!(response.status, 422);
    assert!(
        response
            .body
            .contains("1 defect refers to a stage this pipeline removes"),
        "{}",
        response.body
    );

    let unused = pipeline_form(
        "system_test",
        &DEFAULT_KEYS,
        &[("remove_design_review", "on")],
    );
    assert_eq!(
        app.post_form("/settings/pipeline", &pairs(&unused))
            .await
            .status,
        303
    );
    assert!(
        !app.get("/settings/pipeline")
            .await
            .body
            .contains("label_design_review")
    );
}

async fn a_new_stage_can_be_added_and_becomes_the_boundary(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    record(&app, &defect_form(&team, "Staging bug", "low", "staging")).await;
    let form = pipeline_form(
        "canary",
        &DEFAULT_KEYS,
        &[
            ("new_key", "canary"),
            ("new_label", "Canary"),
            ("new_position", "8"),
        ],
    );
    let response = app.post_form("/settings/pipeline", &pairs(&form)).await;
    assert_eq!(response.status, 303, "{}", response.body);
    let settings = app.get("/settings/pipeline").await.body;
    let canary = settings
        .find("label_canary")
        .expect("the new stage is listed");
    assert!(
        settings.find("label_staging").expect("staging") < canary
            && canary < settings.find("label_uat").expect("uat")
    );
    assert!(
        app.get("/defects")
            .await
            .body
            .contains("<strong>1</strong> defect, <strong>0</strong> escaped"),
        "staging is now before the boundary"
    );
}

async fn an_invalid_boundary_is_refused(app: TestApp) {
    let last = pipeline_form("production", &DEFAULT_KEYS, &[]);
    let response = app.post_form("/settings/pipeline", &pairs(&last)).await;
    assert_eq!(response.status, 422);
    assert!(response.body.contains("id=\"boundary-error\""));

    let bad_key = pipeline_form(
        "system_test",
        &DEFAULT_KEYS,
        &[("new_key", "Bad Key"), ("new_label", "Bad")],
    );
    let response = app.post_form("/settings/pipeline", &pairs(&bad_key)).await;
    assert_eq!(response.status, 422);
    assert!(response.body.contains("value=\"Bad Key\""), "input is kept");
}
