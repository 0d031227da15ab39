//! Accounts storage: users, memberships, sessions, API tokens, audit log, login failures.

use chrono::{Duration, Utc};
use escapement_core::NewTeam;
use escapement_core::Paging;
use escapement_core::auth::{AuditEvent, Email, Role, TokenName, UserDraft};
use escapement_storage::StorageError;
use escapement_storage::accounts::{
    SessionRecord, clear_login_failures, count_login_failures, create_token, create_user,
    delete_expired_sessions, delete_session, find_login, get_user, list_events, list_tokens,
    list_users, load_session, memberships_of, record_event, record_login_failure,
    remove_membership, revoke_token, save_session, set_membership, use_token, user_count,
};
use escapement_storage::catalog::create_team;
use escapement_tests::{TestDb, both_backends};
use uuid::Uuid;

both_backends!(TestDb:
    users_are_unique_by_email_and_keep_their_hash_to_themselves,
    memberships_are_set_changed_and_removed,
    sessions_expire_and_end,
    tokens_are_found_by_hash_until_revoked,
    the_audit_log_lists_newest_first,
    login_failures_are_counted_per_account_and_address,
);

async fn user(store: &TestDb, email: &str) -> Uuid {
    let draft = UserDraft {
        email: email.to_owned(),
        display_name: "Alex Example".to_owned(),
        password: "correct horse battery".to_owned(),
        password_confirmation: "correct horse battery".to_owned(),
    };
    let new = draft.validate().expect("a valid user");
    create_user(
        &store.db,
        &new,
        "$argon2id$stand-in-hash",
        false,
        Utc::now(),
    )
    .await
    .expect("user")
    .id
}

async fn users_are_unique_by_email_and_keep_their_hash_to_themselves(store: TestDb) {
    assert_eq!(user_count(&store.db).await.expect("count"), 0);
    let id = user(&store, "Alex@Example.com").await;
    assert_eq!(user_count(&store.db).await.expect("count"), 1);
    let draft = UserDraft {
        email: "alex@example.com".to_owned(),
        display_name: "Someone else".to_owned(),
        password: "another long password".to_owned(),
        password_confirmation: "another long password".to_owned(),
    };
    match create_user(
        &store.db,
        &draft.validate().expect("valid"),
        "h",
        false,
        Utc::now(),
    )
    .await
    {
        Err(StorageError::Invalid(errors)) => {
            assert_eq!(
                errors.get("email"),
                Some("An account with this email address already exists")
            );
        }
        other => panic!("expected a field error, got {other:?}"),
    }
    let email = Email::parse("ALEX@example.com").expect("email");
    let (found, hash) = find_login(&store.db, &email)
        .await
        .expect("query")
        .expect("found");
    assert_eq!((found.id, hash.as_str()), (id, "$argon2id$stand-in-hash"));
    let listed = format!("{:?}", list_users(&store.db).await.expect("list"));
    assert!(!listed.contains("argon2"), "records never carry the hash");
    assert_eq!(
        get_user(&store.db, id).await.expect("user").email,
        "alex@example.com"
    );
    let nobody = Email::parse("nobody@example.com").expect("email");
    assert!(
        find_login(&store.db, &nobody)
            .await
            .expect("query")
            .is_none()
    );
}

async fn memberships_are_set_changed_and_removed(store: TestDb) {
    let id = user(&store, "sam@example.com").await;
    let team = create_team(
        &store.db,
        &NewTeam {
            name: "Checkout".to_owned(),
        },
        Utc::now(),
    )
    .await
    .expect("team")
    .id;
    set_membership(&store.db, team, id, Role::Viewer, Utc::now())
        .await
        .expect("add");
    set_membership(&store.db, team, id, Role::Editor, Utc::now())
        .await
        .expect("change");
    assert_eq!(
        memberships_of(&store.db, id).await.expect("list"),
        vec![(team, Role::Editor)]
    );
    remove_membership(&store.db, team, id)
        .await
        .expect("remove");
    assert!(
        memberships_of(&store.db, id)
            .await
            .expect("list")
            .is_empty()
    );
    assert!(matches!(
        remove_membership(&store.db, team, id).await,
        Err(StorageError::NotFound)
    ));
}

async fn sessions_expire_and_end(store: TestDb) {
    let id = user(&store, "kim@example.com").await;
    let now = Utc::now();
    let mut record = SessionRecord {
        id: "a".repeat(64),
        user_id: Some(id),
        data: "{}".to_owned(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + Duration::hours(8),
    };
    save_session(&store.db, &record).await.expect("save");
    let loaded = load_session(&store.db, &record.id, now)
        .await
        .expect("load")
        .expect("active");
    assert_eq!(loaded.user_id, Some(id));
    record.data = r#"{"flash":"Saved"}"#.to_owned();
    save_session(&store.db, &record)
        .await
        .expect("saving again updates");
    assert_eq!(
        load_session(&store.db, &record.id, now)
            .await
            .expect("load")
            .expect("active")
            .data,
        record.data
    );
    assert!(
        load_session(&store.db, &record.id, now + Duration::hours(9))
            .await
            .expect("load")
            .is_none(),
        "expired"
    );

    let old = SessionRecord {
        id: "b".repeat(64),
        expires_at: now - Duration::minutes(1),
        ..record.clone()
    };
    save_session(&store.db, &old).await.expect("save");
    assert_eq!(
        delete_expired_sessions(&store.db, now)
            .await
            .expect("clean-up"),
        1
    );
    delete_session(&store.db, &record.id).await.expect("logout");
    assert!(
        load_session(&store.db, &record.id, now)
            .await
            .expect("load")
            .is_none()
    );
}

async fn tokens_are_found_by_hash_until_revoked(store: TestDb) {
    let owner = user(&store, "owner@example.com").await;
    let other = user(&store, "other@example.com").await;
    let name = TokenName::parse("CI export").expect("name");
    let token = create_token(&store.db, owner, &name, &"f".repeat(64), Utc::now())
        .await
        .expect("token");
    let used = use_token(&store.db, &"f".repeat(64), Utc::now())
        .await
        .expect("query")
        .expect("found");
    assert_eq!(used.id, token.id);
    assert!(used.last_used_at.is_some());
    assert!(
        use_token(&store.db, &"0".repeat(64), Utc::now())
            .await
            .expect("query")
            .is_none()
    );
    assert!(
        matches!(
            revoke_token(&store.db, other, token.id, Utc::now()).await,
            Err(StorageError::NotFound)
        ),
        "only the owner revokes"
    );
    revoke_token(&store.db, owner, token.id, Utc::now())
        .await
        .expect("revoke");
    assert!(
        use_token(&store.db, &"f".repeat(64), Utc::now())
            .await
            .expect("query")
            .is_none(),
        "a revoked token no longer works"
    );
    let listed = list_tokens(&store.db, owner).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].revoked_at.is_some());
}

async fn the_audit_log_lists_newest_first(store: TestDb) {
    let now = Utc::now();
    let events = [
        AuditEvent::SetupCompleted,
        AuditEvent::LoginFailed,
        AuditEvent::LoginSucceeded,
    ];
    for (i, event) in events.iter().enumerate() {
        let at = now + Duration::seconds(i64::try_from(i).expect("small"));
        record_event(
            &store.db,
            *event,
            None,
            "alex@example.com",
            Some("127.0.0.1"),
            at,
        )
        .await
        .expect("record");
    }
    let (page, total) = list_events(&store.db, Paging::new(1, 2))
        .await
        .expect("list");
    assert_eq!(total, 3);
    assert_eq!(
        page.iter().map(|e| e.event).collect::<Vec<_>>(),
        vec![AuditEvent::LoginSucceeded, AuditEvent::LoginFailed]
    );
    assert_eq!(page[0].client_addr.as_deref(), Some("127.0.0.1"));
}

async fn login_failures_are_counted_per_account_and_address(store: TestDb) {
    let now = Utc::now();
    for _ in 0..3 {
        record_login_failure(&store.db, "alex@example.com", "10.0.0.1", now)
            .await
            .expect("record");
    }
    record_login_failure(&store.db, "kim@example.com", "10.0.0.1", now)
        .await
        .expect("record");
    record_login_failure(
        &store.db,
        "alex@example.com",
        "10.0.0.2",
        now - Duration::hours(1),
    )
    .await
    .expect("record");
    let since = now - Duration::minutes(15);
    assert_eq!(
        count_login_failures(&store.db, "alex@example.com", "10.0.0.1", since)
            .await
            .expect("count"),
        (3, 4)
    );
    clear_login_failures(&store.db, "alex@example.com", since)
        .await
        .expect("clear");
    assert_eq!(
        count_login_failures(
            &store.db,
            "alex@example.com",
            "10.0.0.1",
            now - Duration::days(1)
        )
        .await
        .expect("count"),
        (0, 1)
    );
}
