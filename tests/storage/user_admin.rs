//! User administration use cases: editing a user, deactivating and reactivating them and
//! setting passwords each land with their audit entry, end sessions where they must, and a
//! refused change leaves neither a change nor an entry.

use std::borrow::Cow;

use chrono::{Duration, Utc};
use escapement_core::Paging;
use escapement_core::auth::{AuditEvent, DisplayName, Email, UserDraft};
use escapement_storage::accounts::{
    AuditEntry, LAST_ADMIN, SELF_DEACTIVATION, SessionRecord, add_user, change_own_password,
    find_login, get_user, list_events, load_session, reset_password, save_session, set_active,
    update_user,
};
use escapement_storage::{Actor, StorageError};
use escapement_tests::{TestDb, both_backends};
use uuid::Uuid;

both_backends!(TestDb:
    a_user_is_renamed_and_made_admin_with_one_audit_entry,
    the_last_instance_admin_keeps_the_flag,
    deactivating_ends_sessions_and_reactivating_restores_sign_in,
    nobody_deactivates_themselves,
    a_new_password_replaces_the_hash_and_ends_every_session,
);

const CLI: Actor = Actor {
    client_addr: Cow::Borrowed("203.0.113.9"),
    ..Actor::COMMAND_LINE
};

async fn user(store: &TestDb, email: &str, is_admin: bool) -> Uuid {
    let new = UserDraft {
        email: email.to_owned(),
        display_name: "Sam".to_owned(),
        password: "correct horse battery".to_owned(),
        password_confirmation: "correct horse battery".to_owned(),
    }
    .validate()
    .expect("a valid user");
    add_user(&store.db, &new, "$argon2id$old", is_admin, CLI, Utc::now())
        .await
        .expect("user")
        .id
}

async fn log(store: &TestDb) -> Vec<AuditEntry> {
    list_events(&store.db, Paging::new(1, 100))
        .await
        .expect("audit log")
        .0
}

async fn session(store: &TestDb, id: &str, user_id: Uuid) {
    let now = Utc::now();
    save_session(
        &store.db,
        &SessionRecord {
            id: id.to_owned(),
            user_id: Some(user_id),
            data: "{}".to_owned(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + Duration::hours(8),
        },
    )
    .await
    .expect("a session");
}

async fn alive(store: &TestDb, id: &str) -> bool {
    load_session(&store.db, id, Utc::now())
        .await
        .expect("read a session")
        .is_some()
}

fn name(text: &str) -> DisplayName {
    DisplayName::parse(text).expect("a valid name")
}

async fn a_user_is_renamed_and_made_admin_with_one_audit_entry(store: TestDb) {
    let sam = user(&store, "sam@example.com", false).await;
    let before = log(&store).await.len();
    let updated = update_user(&store.db, sam, &name("Sam Smith"), true, CLI, Utc::now())
        .await
        .expect("update");
    assert_eq!(
        (updated.display_name.as_str(), updated.is_admin),
        ("Sam Smith", true)
    );
    assert_eq!(updated.version, 2);
    let entries = log(&store).await;
    assert_eq!(entries.len(), before + 1);
    assert_eq!(entries[0].event, AuditEvent::UserUpdated);
    assert_eq!(
        entries[0].subject,
        "sam@example.com: name \"Sam Smith\" (was \"Sam\"), made instance admin"
    );
    update_user(&store.db, sam, &name("Sam Smith"), true, CLI, Utc::now())
        .await
        .expect("an update that changes nothing");
    assert_eq!(
        log(&store).await.len(),
        before + 1,
        "nothing changed, nothing logged"
    );
    assert!(matches!(
        update_user(
            &store.db,
            Uuid::now_v7(),
            &name("X"),
            false,
            CLI,
            Utc::now()
        )
        .await,
        Err(StorageError::NotFound)
    ));
}

async fn the_last_instance_admin_keeps_the_flag(store: TestDb) {
    let ada = user(&store, "ada@example.com", true).await;
    let before = log(&store).await.len();
    match update_user(&store.db, ada, &name("Ada"), false, CLI, Utc::now()).await {
        Err(StorageError::Invalid(errors)) => assert_eq!(errors.get("is_admin"), Some(LAST_ADMIN)),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert!(get_user(&store.db, ada).await.expect("ada").is_admin);
    assert_eq!(
        log(&store).await.len(),
        before,
        "a refused change is not logged"
    );

    // A deactivated admin does not count: they cannot sign in to administer anything.
    let bo = user(&store, "bo@example.com", true).await;
    set_active(&store.db, bo, false, CLI, Utc::now())
        .await
        .expect("deactivate bo");
    assert!(matches!(
        update_user(&store.db, ada, &name("Ada"), false, CLI, Utc::now()).await,
        Err(StorageError::Invalid(_))
    ));
    set_active(&store.db, bo, true, CLI, Utc::now())
        .await
        .expect("reactivate bo");
    let ada_now = update_user(&store.db, ada, &name("Ada"), false, CLI, Utc::now())
        .await
        .expect("with a second active admin the flag can go");
    assert!(!ada_now.is_admin);
}

async fn deactivating_ends_sessions_and_reactivating_restores_sign_in(store: TestDb) {
    let sam = user(&store, "sam@example.com", false).await;
    let other = user(&store, "other@example.com", false).await;
    session(&store, "sam-1", sam).await;
    session(&store, "sam-2", sam).await;
    session(&store, "other-1", other).await;
    let deactivated = set_active(&store.db, sam, false, CLI, Utc::now())
        .await
        .expect("deactivate");
    assert!(!deactivated.is_active());
    assert!(deactivated.deactivated_at.is_some());
    assert!(!alive(&store, "sam-1").await && !alive(&store, "sam-2").await);
    assert!(
        alive(&store, "other-1").await,
        "other users keep their sessions"
    );
    assert_eq!(log(&store).await[0].event, AuditEvent::UserDeactivated);
    assert_eq!(log(&store).await[0].subject, "sam@example.com");
    let count = log(&store).await.len();
    set_active(&store.db, sam, false, CLI, Utc::now())
        .await
        .expect("deactivating again");
    assert_eq!(log(&store).await.len(), count, "no change, no entry");

    let email = Email::parse("sam@example.com").expect("email");
    let (found, _) = find_login(&store.db, &email)
        .await
        .expect("query")
        .expect("the row stays");
    assert!(
        !found.is_active(),
        "the login sees the account is deactivated"
    );

    let back = set_active(&store.db, sam, true, CLI, Utc::now())
        .await
        .expect("reactivate");
    assert!(back.is_active());
    assert_eq!(log(&store).await[0].event, AuditEvent::UserReactivated);
}

async fn nobody_deactivates_themselves(store: TestDb) {
    let ada = user(&store, "ada@example.com", true).await;
    let before = log(&store).await.len();
    let herself = Actor::user(ada, "Sam", "203.0.113.9");
    match set_active(&store.db, ada, false, herself, Utc::now()).await {
        Err(StorageError::Invalid(errors)) => {
            assert_eq!(errors.get("active"), Some(SELF_DEACTIVATION));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(get_user(&store.db, ada).await.expect("ada").is_active());
    assert_eq!(log(&store).await.len(), before);
}

async fn a_new_password_replaces_the_hash_and_ends_every_session(store: TestDb) {
    let sam = user(&store, "sam@example.com", false).await;
    let email = Email::parse("sam@example.com").expect("email");
    session(&store, "sam-1", sam).await;
    reset_password(&store.db, sam, "$argon2id$reset", CLI, Utc::now())
        .await
        .expect("reset");
    let (_, hash) = find_login(&store.db, &email)
        .await
        .expect("q")
        .expect("sam");
    assert_eq!(hash, "$argon2id$reset");
    assert!(!alive(&store, "sam-1").await);
    let entries = log(&store).await;
    assert_eq!(
        (entries[0].event, entries[0].subject.as_str()),
        (AuditEvent::PasswordReset, "sam@example.com")
    );
    assert!(
        entries.iter().all(|e| !e.subject.contains("$argon2")),
        "no hash in the log"
    );

    session(&store, "sam-2", sam).await;
    let own = Actor::user(sam, "Sam", "203.0.113.9");
    change_own_password(&store.db, sam, "$argon2id$mine", own, Utc::now())
        .await
        .expect("change");
    let (_, hash) = find_login(&store.db, &email)
        .await
        .expect("q")
        .expect("sam");
    assert_eq!(hash, "$argon2id$mine");
    assert!(!alive(&store, "sam-2").await);
    assert_eq!(log(&store).await[0].event, AuditEvent::PasswordChanged);
    assert!(matches!(
        reset_password(&store.db, Uuid::now_v7(), "$x", CLI, Utc::now()).await,
        Err(StorageError::NotFound)
    ));
}
