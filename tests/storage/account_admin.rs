//! Account administration use cases: every change lands together with its audit log entry,
//! and a refused change leaves neither.

use std::borrow::Cow;

use chrono::{Duration, Utc};
use escapement_core::NewTeam;
use escapement_core::Paging;
use escapement_core::auth::{AuditEvent, Email, Role, TokenName, UserDraft};
use escapement_storage::accounts::{
    AuditEntry, add_user, all_memberships, change_role, find_user, grant_role, issue_token,
    list_events, list_tokens, memberships_of, remove_member, revoke_own_token, team_members,
};
use escapement_storage::catalog::create_team;
use escapement_storage::{Actor, StorageError};
use escapement_tests::{TestDb, both_backends};
use uuid::Uuid;

both_backends!(TestDb:
    adding_a_user_is_logged_and_a_taken_email_is_a_field_error,
    roles_are_granted_changed_and_removed_with_an_audit_entry_each,
    team_members_are_listed_by_name_with_their_roles,
    only_the_owner_revokes_a_token_and_both_steps_are_logged,
);

const ACTOR: Actor = Actor {
    client_addr: Cow::Borrowed("203.0.113.9"),
    ..Actor::COMMAND_LINE
};

fn draft(email: &str, name: &str) -> UserDraft {
    UserDraft {
        email: email.to_owned(),
        display_name: name.to_owned(),
        password: "correct horse battery".to_owned(),
        password_confirmation: "correct horse battery".to_owned(),
    }
}

pub(crate) async fn user(store: &TestDb, email: &str, name: &str) -> Uuid {
    let new = draft(email, name).validate().expect("a valid user");
    add_user(
        &store.db,
        &new,
        "$argon2id$stand-in",
        false,
        ACTOR,
        Utc::now(),
    )
    .await
    .expect("user")
    .id
}

async fn team(store: &TestDb, name: &str) -> Uuid {
    create_team(
        &store.db,
        &NewTeam {
            name: name.to_owned(),
        },
        Utc::now(),
    )
    .await
    .expect("team")
    .id
}

async fn log(store: &TestDb) -> Vec<AuditEntry> {
    list_events(&store.db, Paging::new(1, 100))
        .await
        .expect("audit log")
        .0
}

async fn adding_a_user_is_logged_and_a_taken_email_is_a_field_error(store: TestDb) {
    let new = draft("Kim@Example.com", "Kim").validate().expect("valid");
    let kim = add_user(&store.db, &new, "$argon2id$x", true, ACTOR, Utc::now())
        .await
        .expect("add");
    assert!(kim.is_admin);
    let entries = log(&store).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].event, AuditEvent::UserCreated);
    assert_eq!(entries[0].subject, "kim@example.com (instance admin)");
    assert_eq!(entries[0].client_addr.as_deref(), Some("203.0.113.9"));

    let again = add_user(&store.db, &new, "$argon2id$y", false, ACTOR, Utc::now()).await;
    match again {
        Err(StorageError::Invalid(errors)) => assert_eq!(
            errors.get("email"),
            Some("An account with this email address already exists")
        ),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert_eq!(log(&store).await.len(), 1, "a refused user is not logged");
    let email = Email::parse("KIM@example.com").expect("email");
    assert_eq!(
        find_user(&store.db, &email)
            .await
            .expect("query")
            .map(|u| u.id),
        Some(kim.id)
    );
    let nobody = Email::parse("nobody@example.com").expect("email");
    assert!(
        find_user(&store.db, &nobody)
            .await
            .expect("query")
            .is_none()
    );
}

async fn roles_are_granted_changed_and_removed_with_an_audit_entry_each(store: TestDb) {
    let sam = user(&store, "sam@example.com", "Sam").await;
    let checkout = team(&store, "Checkout").await;
    // One second apart, so the log's newest-first order is the order of the steps.
    let start = Utc::now();
    let at = |step: i64| start + Duration::seconds(step);
    assert!(
        matches!(
            change_role(&store.db, checkout, sam, Role::Editor, ACTOR, at(0)).await,
            Err(StorageError::NotFound)
        ),
        "only a member's role can be changed"
    );
    grant_role(&store.db, checkout, sam, Role::Viewer, ACTOR, at(1))
        .await
        .expect("grant");
    grant_role(&store.db, checkout, sam, Role::Viewer, ACTOR, at(2))
        .await
        .expect("granting the same role again");
    change_role(&store.db, checkout, sam, Role::Editor, ACTOR, at(3))
        .await
        .expect("change");
    assert_eq!(
        memberships_of(&store.db, sam).await.expect("memberships"),
        vec![(checkout, Role::Editor)]
    );
    for (team_id, user_id) in [(Uuid::now_v7(), sam), (checkout, Uuid::now_v7())] {
        assert!(matches!(
            grant_role(&store.db, team_id, user_id, Role::Viewer, ACTOR, at(4)).await,
            Err(StorageError::NotFound)
        ));
    }
    remove_member(&store.db, checkout, sam, ACTOR, at(5))
        .await
        .expect("remove");
    assert!(matches!(
        remove_member(&store.db, checkout, sam, ACTOR, at(6)).await,
        Err(StorageError::NotFound)
    ));
    let entries: Vec<(AuditEvent, String)> = log(&store)
        .await
        .into_iter()
        .filter(|e| e.event != AuditEvent::UserCreated)
        .map(|e| (e.event, e.subject))
        .collect();
    let mut expected = vec![
        (
            AuditEvent::RoleChanged,
            "sam@example.com is viewer of Checkout".to_owned(),
        ),
        (
            AuditEvent::RoleChanged,
            "sam@example.com is editor of Checkout (was viewer)".to_owned(),
        ),
        (
            AuditEvent::MembershipRemoved,
            "sam@example.com from Checkout".to_owned(),
        ),
    ];
    expected.reverse();
    assert_eq!(
        entries, expected,
        "newest first; unchanged and refused steps are not logged"
    );
}

async fn team_members_are_listed_by_name_with_their_roles(store: TestDb) {
    let zoe = user(&store, "zoe@example.com", "Zoe").await;
    let ann = user(&store, "ann@example.com", "Ann").await;
    let outsider = user(&store, "out@example.com", "Abe").await;
    let checkout = team(&store, "Checkout").await;
    let platform = team(&store, "Platform").await;
    let now = Utc::now();
    grant_role(&store.db, checkout, zoe, Role::TeamAdmin, ACTOR, now)
        .await
        .expect("grant");
    grant_role(&store.db, checkout, ann, Role::Viewer, ACTOR, now)
        .await
        .expect("grant");
    grant_role(&store.db, platform, outsider, Role::Editor, ACTOR, now)
        .await
        .expect("grant");
    let members = team_members(&store.db, checkout).await.expect("members");
    let listed: Vec<(&str, Role)> = members
        .iter()
        .map(|m| (m.user.display_name.as_str(), m.role))
        .collect();
    assert_eq!(
        listed,
        vec![("Ann", Role::Viewer), ("Zoe", Role::TeamAdmin)]
    );
    assert!(
        team_members(&store.db, Uuid::now_v7())
            .await
            .expect("members")
            .is_empty()
    );
    let mut all = all_memberships(&store.db).await.expect("memberships");
    all.sort();
    let mut expected = vec![
        (zoe, checkout, Role::TeamAdmin),
        (ann, checkout, Role::Viewer),
        (outsider, platform, Role::Editor),
    ];
    expected.sort();
    assert_eq!(all, expected);
}

async fn only_the_owner_revokes_a_token_and_both_steps_are_logged(store: TestDb) {
    let owner = user(&store, "owner@example.com", "Owner").await;
    let other = user(&store, "other@example.com", "Other").await;
    let name = TokenName::parse("CI export").expect("name");
    let issued = Utc::now();
    let later = issued + Duration::seconds(1);
    let token = issue_token(&store.db, owner, &name, &"e".repeat(64), ACTOR, issued)
        .await
        .expect("issue");
    assert!(matches!(
        revoke_own_token(&store.db, other, token.id, ACTOR, later).await,
        Err(StorageError::NotFound)
    ));
    assert!(
        list_tokens(&store.db, owner).await.expect("tokens")[0]
            .revoked_at
            .is_none(),
        "another user's attempt changes nothing"
    );
    revoke_own_token(&store.db, owner, token.id, ACTOR, later)
        .await
        .expect("revoke");
    assert!(
        matches!(
            revoke_own_token(&store.db, owner, token.id, ACTOR, later).await,
            Err(StorageError::NotFound)
        ),
        "a revoked token cannot be revoked again"
    );
    let events: Vec<(AuditEvent, String)> = log(&store)
        .await
        .into_iter()
        .filter(|e| e.event != AuditEvent::UserCreated)
        .map(|e| (e.event, e.subject))
        .collect();
    assert_eq!(
        events,
        vec![
            (
                AuditEvent::TokenRevoked,
                "CI export of owner@example.com".to_owned()
            ),
            (
                AuditEvent::TokenCreated,
                "CI export for owner@example.com".to_owned()
            ),
        ]
    );
}
