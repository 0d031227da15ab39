//! Team isolation and roles: a member sees only their teams (other teams' objects answer
//! 404, as if they did not exist), a viewer cannot write (403), and only instance admins
//! manage teams and the pipeline.

use escapement_core::auth::Role;
use escapement_tests::{TestApp, both_backends};
use uuid::Uuid;

use crate::seed::{self, defect_form, pairs, record, set};

both_backends!(TestApp:
    a_viewer_sees_only_their_team_and_cannot_write,
    an_editor_records_defects_only_for_their_team,
    a_team_admin_manages_the_catalog_of_their_team_only,
);

/// A signed-in member of `team` with `role`; returns the cookie header.
async fn member(app: &TestApp, email: &str, team: Uuid, role: Role) -> String {
    seed::member(app, email, &[(team, role)]).await.1
}

struct World {
    a: seed::Seeded,
    b: seed::Seeded,
    a_defect: Uuid,
    b_defect: Uuid,
}

async fn world(app: &TestApp) -> World {
    let a = seed::team(app, "Checkout").await;
    let b = seed::team(app, "Platform").await;
    let a_defect = record(
        app,
        &defect_form(&a, "Checkout coupon bug", "high", "production"),
    )
    .await;
    let b_defect = record(
        app,
        &defect_form(&b, "Platform search bug", "low", "unit_test"),
    )
    .await;
    World {
        a,
        b,
        a_defect,
        b_defect,
    }
}

async fn a_viewer_sees_only_their_team_and_cannot_write(app: TestApp) {
    let w = world(&app).await;
    let viewer = member(&app, "viewer@example.com", w.a.team, Role::Viewer).await;

    let list = app.get_with_cookies("/defects", &viewer).await;
    assert_eq!(list.status, 200);
    assert!(
        list.body.contains("Checkout coupon bug") && !list.body.contains("Platform search bug")
    );
    assert!(
        list.body.contains("<strong>1</strong> defect,"),
        "counts cover only visible teams"
    );
    assert!(
        !list.body.contains(">Platform<"),
        "other teams are not offered as filters"
    );
    let widened = app
        .get_with_cookies(&format!("/defects?team={}", w.b.team), &viewer)
        .await;
    assert!(
        widened.body.contains("<strong>0</strong> defects"),
        "a filter cannot widen the view"
    );
    let searched = app.get_with_cookies("/defects?q=search", &viewer).await;
    assert!(searched.body.contains("<strong>0</strong> defects"));

    assert_eq!(
        app.get_with_cookies(&format!("/defects/{}", w.a_defect), &viewer)
            .await
            .status,
        200
    );
    for path in [
        format!("/defects/{}", w.b_defect),
        format!("/defects/{}/edit", w.b_defect),
        format!("/settings/components/{}/edit", w.b.component),
        format!("/settings/releases/{}/edit", w.b.release),
    ] {
        assert_eq!(
            app.get_with_cookies(&path, &viewer).await.status,
            404,
            "{path}"
        );
    }
    for path in [
        format!("/defects/{}/edit", w.a_defect),
        "/defects/new".to_owned(),
        format!("/settings/components/{}/edit", w.a.component),
        format!("/settings/teams/{}/edit", w.a.team),
        "/settings/teams/new".to_owned(),
    ] {
        assert_eq!(
            app.get_with_cookies(&path, &viewer).await.status,
            403,
            "{path}"
        );
    }
    let mut form = defect_form(&w.a, "Viewer edit", "low", "unit_test");
    form.push(("version".to_owned(), "1".to_owned()));
    assert_eq!(
        app.post_with_cookies(&format!("/defects/{}", w.a_defect), &pairs(&form), &viewer)
            .await
            .status,
        403
    );
    assert_eq!(
        app.post_with_cookies(&format!("/defects/{}", w.b_defect), &pairs(&form), &viewer)
            .await
            .status,
        404
    );
    assert_eq!(
        app.post_with_cookies("/settings/teams", &[("name", "New team")], &viewer)
            .await
            .status,
        403
    );
    assert_eq!(
        app.post_with_cookies("/settings/pipeline", &[("boundary", "beta")], &viewer)
            .await
            .status,
        403
    );
    let created = app
        .post_with_cookies(
            "/defects",
            &pairs(&defect_form(&w.a, "Viewer defect", "low", "unit_test")),
            &viewer,
        )
        .await;
    assert_eq!(created.status, 403, "a viewer cannot record defects");

    let teams = app.get_with_cookies("/settings/teams", &viewer).await.body;
    assert!(teams.contains(">Checkout</a>") && !teams.contains("Platform"));
    let components = app
        .get_with_cookies("/settings/components", &viewer)
        .await
        .body;
    assert!(components.contains("Checkout") && !components.contains("Platform"));
    assert!(
        app.get("/defects")
            .await
            .body
            .contains("<strong>2</strong> defects"),
        "nothing was written; the admin sees all"
    );
}

async fn an_editor_records_defects_only_for_their_team(app: TestApp) {
    let w = world(&app).await;
    let editor = member(&app, "editor@example.com", w.a.team, Role::Editor).await;
    let new_form = app.get_with_cookies("/defects/new", &editor).await;
    assert_eq!(new_form.status, 200);
    assert!(
        !new_form.body.contains(">Platform<"),
        "only writable teams are offered"
    );

    let other = app
        .post_with_cookies(
            "/defects",
            &pairs(&defect_form(&w.b, "Into another team", "low", "unit_test")),
            &editor,
        )
        .await;
    assert_eq!(other.status, 404, "another team is out of sight");
    let own = app
        .post_with_cookies(
            "/defects",
            &pairs(&defect_form(&w.a, "Editor defect", "low", "unit_test")),
            &editor,
        )
        .await;
    assert_eq!(own.status, 303, "{}", own.body);

    // Moving one of their defects into another team is refused too.
    let mut moved = defect_form(&w.a, "Moved", "low", "unit_test");
    set(&mut moved, "team_id", &w.b.team.to_string());
    set(&mut moved, "component_id", "");
    set(&mut moved, "release_id", "");
    moved.push(("version".to_owned(), "1".to_owned()));
    let response = app
        .post_with_cookies(&format!("/defects/{}", w.a_defect), &pairs(&moved), &editor)
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(
        app.get_with_cookies(
            &format!("/settings/components/{}/edit", w.a.component),
            &editor
        )
        .await
        .status,
        403
    );
}

async fn a_team_admin_manages_the_catalog_of_their_team_only(app: TestApp) {
    let w = world(&app).await;
    let admin = member(&app, "lead@example.com", w.a.team, Role::TeamAdmin).await;
    assert_eq!(
        app.get_with_cookies(
            &format!("/settings/components/{}/edit", w.a.component),
            &admin
        )
        .await
        .status,
        200
    );
    let renamed = app
        .post_with_cookies(
            &format!("/settings/components/{}", w.a.component),
            &[("name", "Vouchers"), ("version", "1")],
            &admin,
        )
        .await;
    assert_eq!(renamed.status, 303);
    let team_id = w.a.team.to_string();
    let added = app
        .post_with_cookies(
            "/settings/releases",
            &[
                ("name", "Checkout 2.0"),
                ("team_id", &team_id),
                ("released_on", "2026-06-01"),
            ],
            &admin,
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let other_team = w.b.team.to_string();
    let elsewhere = app
        .post_with_cookies(
            "/settings/releases",
            &[
                ("name", "Sneaky"),
                ("team_id", &other_team),
                ("released_on", "2026-06-01"),
            ],
            &admin,
        )
        .await;
    assert_eq!(elsewhere.status, 404);
    assert_eq!(
        app.post_with_cookies("/settings/teams", &[("name", "Another")], &admin)
            .await
            .status,
        403,
        "teams are for instance admins"
    );
}
