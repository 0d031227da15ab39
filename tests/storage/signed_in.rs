//! The signed-in user behind a session or a token, read in one statement: the user and all
//! their memberships, never an expired session nor a deactivated user; and the throttled
//! touch, which writes once however many requests race past the interval and never brings
//! back an ended session.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use escapement_core::NewTeam;
use escapement_core::auth::{Role, UserDraft};
use escapement_storage::accounts::{
    SessionRecord, create_user, delete_session, load_session, save_session, session_user,
    set_membership, touch_session, user_with_memberships,
};
use escapement_storage::catalog::create_team;
use escapement_storage::entities::user;
use escapement_storage::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use escapement_tests::{CountingDb, TestDb, both_backends};
use uuid::Uuid;

both_backends!(TestDb:
    a_session_and_its_user_with_every_membership_are_one_read,
    expired_sessions_and_deactivated_users_sign_no_one_in,
    a_touch_writes_once_and_never_revives_an_ended_session,
);

async fn user(store: &TestDb, email: &str) -> Uuid {
    let draft = UserDraft {
        email: email.to_owned(),
        display_name: "Robin Example".to_owned(),
        password: "correct horse battery".to_owned(),
        password_confirmation: "correct horse battery".to_owned(),
    };
    let new = draft.validate().expect("a valid user");
    create_user(&store.db, &new, "$argon2id$stand-in", false, Utc::now())
        .await
        .expect("user")
        .id
}

async fn team(store: &TestDb, name: &str) -> Uuid {
    let new = NewTeam {
        name: name.to_owned(),
    };
    create_team(&store.db, &new, Utc::now())
        .await
        .expect("team")
        .id
}

/// Now, to the microsecond PostgreSQL keeps.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

async fn session(store: &TestDb, id: &str, user_id: Uuid) -> SessionRecord {
    let now = now();
    let record = SessionRecord {
        id: id.to_owned(),
        user_id: Some(user_id),
        data: "{}".to_owned(),
        created_at: now - Duration::hours(1),
        last_seen_at: now - Duration::minutes(5),
        expires_at: now + Duration::hours(7),
    };
    save_session(&store.db, &record).await.expect("save");
    record
}

async fn a_session_and_its_user_with_every_membership_are_one_read(store: TestDb) {
    let id = user(&store, "robin@example.com").await;
    let (checkout, platform) = (
        team(&store, "Checkout").await,
        team(&store, "Platform").await,
    );
    for (team, role) in [(checkout, Role::Editor), (platform, Role::Viewer)] {
        set_membership(&store.db, team, id, role, Utc::now())
            .await
            .expect("member");
    }
    let record = session(&store, &"a".repeat(64), id).await;
    let db = CountingDb::new(&store.db);
    let found = session_user(&db, &record.id, Utc::now())
        .await
        .expect("read")
        .expect("signed in");
    assert_eq!(db.take(), 1, "the session, the user and the memberships");
    assert_eq!(found.id, record.id);
    assert_eq!(found.created_at, record.created_at);
    assert_eq!(found.last_seen_at, record.last_seen_at);
    assert_eq!(found.signed_in.user.id, id);
    assert_eq!(found.signed_in.user.email, "robin@example.com");
    assert!(found.signed_in.user.is_active());
    let mut memberships = found.signed_in.memberships.clone();
    memberships.sort();
    let mut expected = vec![(checkout, Role::Editor), (platform, Role::Viewer)];
    expected.sort();
    assert_eq!(memberships, expected);

    let by_id = user_with_memberships(&db, id)
        .await
        .expect("read")
        .expect("active");
    assert_eq!(db.take(), 1, "the user and the memberships");
    assert_eq!(by_id.user, found.signed_in.user);

    let loner = user(&store, "loner@example.com").await;
    let record = session(&store, &"b".repeat(64), loner).await;
    let found = session_user(&db, &record.id, Utc::now())
        .await
        .expect("read")
        .expect("a user without a team is signed in");
    assert_eq!(db.take(), 1);
    assert_eq!(found.signed_in.user.id, loner);
    assert!(found.signed_in.memberships.is_empty());
    assert!(
        session_user(&db, &"c".repeat(64), Utc::now())
            .await
            .expect("read")
            .is_none(),
        "an unknown session"
    );
}

async fn expired_sessions_and_deactivated_users_sign_no_one_in(store: TestDb) {
    let id = user(&store, "robin@example.com").await;
    let team = team(&store, "Checkout").await;
    set_membership(&store.db, team, id, Role::Editor, Utc::now())
        .await
        .expect("member");
    let record = session(&store, &"a".repeat(64), id).await;
    let later = record.expires_at + Duration::seconds(1);
    assert!(
        session_user(&store.db, &record.id, later)
            .await
            .expect("read")
            .is_none(),
        "expired"
    );
    // Deactivation ends the sessions too; the read refuses a deactivated user on its own.
    user::Entity::update_many()
        .col_expr(user::Column::DeactivatedAt, Expr::value(Some(Utc::now())))
        .filter(user::Column::Id.eq(id))
        .exec(&store.db)
        .await
        .expect("deactivate");
    assert!(
        session_user(&store.db, &record.id, Utc::now())
            .await
            .expect("read")
            .is_none(),
        "deactivated"
    );
    assert!(
        user_with_memberships(&store.db, id)
            .await
            .expect("read")
            .is_none(),
        "deactivated"
    );
}

async fn a_touch_writes_once_and_never_revives_an_ended_session(store: TestDb) {
    let id = user(&store, "robin@example.com").await;
    let record = session(&store, &"a".repeat(64), id).await;
    let now = now();
    let (expires, seen_before) = (now + Duration::hours(8), now - Duration::minutes(1));
    assert!(
        touch_session(&store.db, &record.id, now, expires, seen_before)
            .await
            .expect("touch"),
        "last seen 5 minutes ago"
    );
    let stored = load_session(&store.db, &record.id, now)
        .await
        .expect("load")
        .expect("active");
    assert_eq!(
        (stored.last_seen_at, stored.expires_at),
        (now, expires),
        "touched"
    );
    assert!(
        !touch_session(&store.db, &record.id, now, expires, seen_before)
            .await
            .expect("touch"),
        "a racing request finds it touched already"
    );
    delete_session(&store.db, &record.id)
        .await
        .expect("sign out");
    let later = now + Duration::minutes(2);
    assert!(
        !touch_session(
            &store.db,
            &record.id,
            later,
            later + Duration::hours(8),
            later - Duration::minutes(1)
        )
        .await
        .expect("touch")
    );
    assert!(
        load_session(&store.db, &record.id, later)
            .await
            .expect("load")
            .is_none(),
        "a touch after sign-out does not bring the session back"
    );
}
