//! First run in a real browser: the one-time setup link creates the first administrator,
//! who is signed in at once; then a team member signs in, sees only their team's defects,
//! and signs out.

use chrono::Utc;
use escapement_core::auth::{Role, UserDraft};
use escapement_core::{DefectType, DetectedBy, NewDefect, Origin, ScopeFlags, Severity, StageKey};
use escapement_storage::accounts::{create_user, set_membership};
use escapement_storage::defects::create_defect;
use escapement_storage::sea_orm::{ConnectionTrait, DatabaseConnection};
use escapement_tests::{Backend, TestApp, both_backends, seed_team};
use escapement_web::auth::hash_password;
use fantoccini::{Client, Locator};
use uuid::Uuid;

use crate::{button, text_of, wait_for, webdriver};

both_backends!(TestApp: first_run_setup_then_a_member_sees_only_their_team);

const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const MEMBER_PASSWORD: &str = "member passphrase 2026";

fn defect(team: Uuid, title: &str) -> NewDefect {
    NewDefect {
        title: title.to_owned(),
        description: String::new(),
        severity: Severity::High,
        defect_type: DefectType::Functional,
        origin: Origin::Code,
        discovery_stage: StageKey::parse("production").expect("stage"),
        expected_catch_stage: None,
        detected_by: DetectedBy::Customer,
        team_id: team,
        component_id: None,
        release_id: None,
        introduced_at: None,
        detected_at: Utc::now(),
        resolved_at: None,
        reopened_count: 0,
        scope: ScopeFlags {
            confirmed: true,
            ..ScopeFlags::default()
        },
        external_key: None,
        incident_link: None,
    }
}

async fn first_run_setup_then_a_member_sees_only_their_team(app: TestApp) {
    // A fresh instance: the setup token printed at start, and no user at all.
    let Some(app) = TestApp::with_state(app.store.backend, |mut state| {
        state.setup_token = Some(TOKEN.into());
        state
    })
    .await
    else {
        return;
    };
    for table in ["sessions", "users"] {
        app.db()
            .execute_unprepared(&format!("DELETE FROM {table}"))
            .await
            .expect("empty the instance");
    }
    let checkout = seed_team(&app, "Checkout").await;
    let platform = seed_team(&app, "Platform").await;
    let now = Utc::now();
    create_defect(app.db(), &defect(checkout.team, "Checkout coupon bug"), now)
        .await
        .expect("defect");
    create_defect(app.db(), &defect(platform.team, "Platform search bug"), now)
        .await
        .expect("defect");
    let base = format!("http://{}", app.serve().await);
    let backend = match app.store.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let (db, team) = (app.db().clone(), checkout.team);
    webdriver::with_browser(&format!("setup-{backend}"), move |client| {
        first_run(client, base, backend, db, team)
    })
    .await;
    drop(app);
}

async fn type_into(client: &Client, id: &str, text: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("find #{id}: {e}"))
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into #{id}: {e}"));
}

async fn sign_out(client: &Client) {
    client
        .find(Locator::Css("details.account-menu summary"))
        .await
        .expect("the account menu")
        .click()
        .await
        .expect("open the account menu");
    button(client, "Sign out")
        .await
        .click()
        .await
        .expect("sign out");
    wait_for(
        client,
        "input#password",
        "the sign-in page after signing out",
    )
    .await;
}

/// An editor of `team` who signs in with [`MEMBER_PASSWORD`].
async fn add_member(db: &DatabaseConnection, team: Uuid) {
    let now = Utc::now();
    let draft = UserDraft {
        email: "lee@example.com".to_owned(),
        display_name: "Lee Park".to_owned(),
        password: MEMBER_PASSWORD.to_owned(),
        password_confirmation: MEMBER_PASSWORD.to_owned(),
    };
    let hash = hash_password(MEMBER_PASSWORD).expect("hash");
    let member = create_user(db, &draft.validate().expect("valid"), &hash, false, now)
        .await
        .expect("member");
    set_membership(db, team, member.id, Role::Editor, now)
        .await
        .expect("membership");
}

async fn first_run(
    client: Client,
    base: String,
    backend: &'static str,
    db: DatabaseConnection,
    team: Uuid,
) {
    client
        .goto(&format!("{base}/setup?token={TOKEN}"))
        .await
        .expect("open the setup link");
    wait_for(&client, "input#display_name", "the first-run setup form").await;
    type_into(&client, "email", "ada@example.com").await;
    type_into(&client, "display_name", "Ada Admin").await;
    type_into(&client, "password", "a long admin passphrase").await;
    type_into(&client, "password_confirmation", "a long admin passphrase").await;
    webdriver::save_full_page_screenshot(&client, &format!("setup-{backend}.png")).await;
    client
        .find(Locator::Css("form button[type='submit']"))
        .await
        .expect("the setup button")
        .click()
        .await
        .expect("create the administrator");
    wait_for(
        &client,
        "details.account-menu",
        "the app, signed in as the new admin",
    )
    .await;
    assert_eq!(
        text_of(&client, "details.account-menu summary").await,
        "Ada Admin"
    );
    // The link works once: with a user in the database it leads nowhere.
    client
        .goto(&format!("{base}/setup?token={TOKEN}"))
        .await
        .expect("open the setup link again");
    wait_for(&client, "h1", "the page behind the used link").await;
    assert_eq!(text_of(&client, "h1").await, "Page not found");
    client
        .goto(&format!("{base}/defects"))
        .await
        .expect("defects");
    wait_for(&client, "p#result-count", "the defect list").await;
    assert!(
        text_of(&client, "p#result-count")
            .await
            .starts_with("2 defects"),
        "the admin sees every team"
    );
    sign_out(&client).await;

    // A member of one team (added here as an administrator would add them).
    add_member(&db, team).await;
    type_into(&client, "email", "lee@example.com").await;
    type_into(&client, "password", MEMBER_PASSWORD).await;
    button(&client, "Sign in")
        .await
        .click()
        .await
        .expect("sign in");
    wait_for(
        &client,
        "details.account-menu",
        "the app, signed in as the member",
    )
    .await;
    client
        .goto(&format!("{base}/defects"))
        .await
        .expect("defects");
    wait_for(&client, "p#result-count", "the member's defect list").await;
    assert!(
        text_of(&client, "p#result-count")
            .await
            .starts_with("1 defect")
    );
    let rows = text_of(&client, "table.list tbody").await;
    assert!(rows.contains("Checkout coupon bug"), "{rows}");
    assert!(
        !rows.contains("Platform search bug"),
        "another team's defect is not shown"
    );
    webdriver::save_full_page_screenshot(&client, &format!("member-defects-{backend}.png")).await;
    sign_out(&client).await;
    client
        .goto(&format!("{base}/defects"))
        .await
        .expect("defects after signing out");
    wait_for(
        &client,
        "input#password",
        "the sign-in page for a signed-out visitor",
    )
    .await;
}
