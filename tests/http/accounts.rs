//! Account management pages: instance admins add users and manage everyone's team roles;
//! team admins manage their own team's members; every role change reaches the audit log.

use escapement_core::Paging;
use escapement_core::auth::{AuditEvent, Role};
use escapement_storage::accounts::{AuditEntry, list_events, memberships_of};
use escapement_tests::{CSRF, TestApp, both_backends};
use uuid::Uuid;

use crate::seed::{self, esc, member};

both_backends!(TestApp:
    an_admin_adds_a_user_who_can_then_sign_in,
    an_admin_grants_changes_and_removes_roles_and_each_change_is_audited,
    a_team_admin_manages_the_members_of_their_own_team,
);

async fn audit(app: &TestApp) -> Vec<AuditEntry> {
    list_events(app.db(), Paging::new(1, 100))
        .await
        .expect("audit log")
        .0
}

async fn an_admin_adds_a_user_who_can_then_sign_in(app: TestApp) {
    let form = app.get("/settings/users/new").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("type=\"password\"") && form.body.contains("is_admin"));

    let bad = app
        .post_form(
            "/settings/users",
            &[
                ("email", "kim at example"),
                ("display_name", "Kim Lee"),
                ("password", "tiny-pw-7"),
                ("password_confirmation", "other-pw-7"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("There is a problem"));
    assert!(bad.body.contains("href=\"#email\"") && bad.body.contains("href=\"#password\""));
    assert!(bad.body.contains("value=\"kim at example\"") && bad.body.contains("Kim Lee"));
    assert!(
        !bad.body.contains("tiny-pw-7") && !bad.body.contains("other-pw-7"),
        "passwords are never sent back"
    );

    let password = "kim's long passphrase";
    let fields = [
        ("email", "Kim@Example.com"),
        ("display_name", "Kim Lee"),
        ("password", password),
        ("password_confirmation", password),
    ];
    let created = app.post_form("/settings/users", &fields).await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert!(created.location().starts_with("/settings/users/"));
    let page = app.get(created.location()).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("kim@example.com") && page.body.contains("belongs to no team yet"));

    let again = app.post_form("/settings/users", &fields).await;
    assert_eq!(again.status, 422);
    assert!(
        again
            .body
            .contains("An account with this email address already exists")
    );

    let list = app.get("/settings/users").await;
    assert!(list.body.contains("Kim Lee") && list.body.contains("No team yet"));
    assert!(list.body.contains("Ada Admin"));
    let logged = audit(&app).await;
    assert!(
        logged.iter().any(|e| e.event == AuditEvent::UserCreated
            && e.subject == "kim@example.com"
            && e.actor_user_id == Some(app.admin_id)),
        "{logged:?}"
    );
    let login = app
        .post_with_cookies(
            "/login",
            &[("email", "kim@example.com"), ("password", password)],
            &format!("escapement_csrf={CSRF}"),
        )
        .await;
    assert_eq!(login.status, 303, "the new user signs in");
}

async fn an_admin_grants_changes_and_removes_roles_and_each_change_is_audited(app: TestApp) {
    let checkout = seed::team(&app, "Checkout").await.team;
    let (sam, _) = member(&app, "sam@example.com", &[]).await;
    let user_page = format!("/settings/users/{sam}");
    assert!(
        app.get(&user_page)
            .await
            .body
            .contains(">Checkout</option>")
    );

    let team = checkout.to_string();
    let bad_role = app
        .post_form(
            &format!("{user_page}/memberships"),
            &[("team_id", &team), ("role", "owner")],
        )
        .await;
    assert_eq!(bad_role.status, 422);
    assert!(bad_role.body.contains("Select a role"));
    let unknown_team = Uuid::now_v7().to_string();
    let no_team = app
        .post_form(
            &format!("{user_page}/memberships"),
            &[("team_id", &unknown_team), ("role", "viewer")],
        )
        .await;
    assert_eq!(no_team.status, 422);
    assert!(no_team.body.contains("Select a team from the list"));

    let granted = app
        .post_form(
            &format!("{user_page}/memberships"),
            &[("team_id", &team), ("role", "viewer")],
        )
        .await;
    assert_eq!(
        (granted.status.as_u16(), granted.location()),
        (303, user_page.as_str())
    );
    let page = app.get(&user_page).await.body;
    assert!(page.contains(&format!("href=\"/settings/teams/{checkout}/members\"")));
    assert!(page.contains("value=\"viewer\" selected"));

    let membership = format!("/settings/teams/{checkout}/members/{sam}");
    let changed = app
        .post_form(&membership, &[("role", "editor"), ("from", "user")])
        .await;
    assert_eq!(
        (changed.status.as_u16(), changed.location()),
        (303, user_page.as_str())
    );
    assert_eq!(
        memberships_of(app.db(), sam).await.expect("memberships"),
        vec![(checkout, Role::Editor)]
    );
    let removed = app.post_form(&format!("{membership}/remove"), &[]).await;
    assert_eq!(removed.status, 303);
    assert_eq!(
        removed.location(),
        format!("/settings/teams/{checkout}/members")
    );
    assert!(
        memberships_of(app.db(), sam)
            .await
            .expect("memberships")
            .is_empty()
    );
    assert_eq!(
        app.post_form(&membership, &[("role", "viewer")])
            .await
            .status,
        404,
        "a non-member's role cannot be changed"
    );
    assert_eq!(
        app.post_form(&format!("{membership}/remove"), &[])
            .await
            .status,
        404
    );

    let subjects: Vec<(AuditEvent, String)> = audit(&app)
        .await
        .into_iter()
        .filter(|e| e.actor_user_id == Some(app.admin_id))
        .map(|e| (e.event, e.subject))
        .collect();
    for expected in [
        (
            AuditEvent::RoleChanged,
            "sam@example.com is viewer of Checkout",
        ),
        (
            AuditEvent::RoleChanged,
            "sam@example.com is editor of Checkout (was viewer)",
        ),
        (
            AuditEvent::MembershipRemoved,
            "sam@example.com from Checkout",
        ),
    ] {
        assert!(
            subjects.contains(&(expected.0, expected.1.to_owned())),
            "{expected:?} in {subjects:?}"
        );
    }
    let log_page = app.get("/settings/audit").await.body;
    assert!(log_page.contains("Role changed") && log_page.contains("Membership removed"));
}

async fn a_team_admin_manages_the_members_of_their_own_team(app: TestApp) {
    let checkout = seed::team(&app, "Checkout").await.team;
    let (lead_id, lead) = member(&app, "lead@example.com", &[(checkout, Role::TeamAdmin)]).await;
    let (_, viewer) = member(&app, "viewer@example.com", &[(checkout, Role::Viewer)]).await;
    let (newcomer, _) = member(&app, "new@example.com", &[]).await;
    let members = format!("/settings/teams/{checkout}/members");

    let teams = app.get_with_cookies("/settings/teams", &lead).await.body;
    assert!(
        teams.contains(&esc(&members)),
        "the team list leads to its members"
    );
    let as_viewer = app.get_with_cookies(&members, &viewer).await;
    assert_eq!(as_viewer.status, 200);
    assert!(as_viewer.body.contains("lead@example.com") && as_viewer.body.contains("Team admin"));
    assert!(
        !as_viewer.body.contains("Add member") && !as_viewer.body.contains("Change role"),
        "a viewer sees the members but no forms"
    );
    let as_lead = app.get_with_cookies(&members, &lead).await;
    assert!(as_lead.body.contains("Add member") && as_lead.body.contains("Change role"));
    assert!(
        !as_lead.body.contains("Rename team"),
        "renaming is for instance admins"
    );

    let unknown = app
        .post_with_cookies(
            &members,
            &[("email", "nobody@example.com"), ("role", "editor")],
            &lead,
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body.contains("No account has this email address"));
    assert!(unknown.body.contains("value=\"nobody@example.com\""));
    let existing = app
        .post_with_cookies(
            &members,
            &[("email", "viewer@example.com"), ("role", "editor")],
            &lead,
        )
        .await;
    assert_eq!(existing.status, 422);
    assert!(existing.body.contains("already a member"));

    let added = app
        .post_with_cookies(
            &members,
            &[("email", "NEW@example.com"), ("role", "editor")],
            &lead,
        )
        .await;
    assert_eq!(
        (added.status.as_u16(), added.location()),
        (303, members.as_str())
    );
    let promoted = app
        .post_with_cookies(
            &format!("{members}/{newcomer}"),
            &[("role", "team_admin")],
            &lead,
        )
        .await;
    assert_eq!(
        (promoted.status.as_u16(), promoted.location()),
        (303, members.as_str())
    );
    assert_eq!(
        memberships_of(app.db(), newcomer)
            .await
            .expect("memberships"),
        vec![(checkout, Role::TeamAdmin)]
    );
    let removed = app
        .post_with_cookies(&format!("{members}/{newcomer}/remove"), &[], &lead)
        .await;
    assert_eq!(removed.status, 303);
    let mut by_lead: Vec<String> = audit(&app)
        .await
        .into_iter()
        .filter(|e| e.actor_user_id == Some(lead_id))
        .map(|e| format!("{}: {}", e.event.key(), e.subject))
        .collect();
    by_lead.sort();
    assert_eq!(
        by_lead,
        vec![
            "membership_removed: new@example.com from Checkout",
            "role_changed: new@example.com is editor of Checkout",
            "role_changed: new@example.com is team_admin of Checkout (was editor)",
        ],
        "each change is logged under the team admin who made it"
    );
}
