//! The administrative subcommands (`escapement user|team|member|demo …`), run against the same
//! database the web app uses.

use escapement_core::Paging;
use escapement_core::auth::Role;
use escapement_storage::accounts::{list_users, memberships_of};
use escapement_storage::reviews::{ReviewFilter, list_history, list_reviews};
use escapement_tests::{CSRF, TestApp, both_backends};
use escapement_web::cli::demo::{run_demo, write_demo_report};
use escapement_web::cli::{
    DemoArgs, MemberCommand, TeamCommand, UserCommand, run_member, run_team, run_user,
};

both_backends!(TestApp: users_teams_and_members_are_managed_from_the_command_line);

async fn users_teams_and_members_are_managed_from_the_command_line(app: TestApp) {
    let add = |email: &str| UserCommand::Add {
        email: email.to_owned(),
        name: "Sam Shell".to_owned(),
        admin: false,
        password_stdin: true,
    };
    let mut out = Vec::new();
    run_user(
        app.db(),
        add("sam@example.com"),
        &mut "a long enough passphrase\n".as_bytes(),
        &mut out,
    )
    .await
    .expect("add a user");
    assert!(String::from_utf8_lossy(&out).contains("Added sam@example.com"));

    let duplicate = run_user(
        app.db(),
        add("SAM@example.com"),
        &mut "a long enough passphrase\n".as_bytes(),
        &mut Vec::new(),
    )
    .await;
    let message = duplicate.expect_err("a taken email").to_string();
    assert!(
        message.contains("email: An account with this email address already exists"),
        "{message}"
    );
    let weak = run_user(
        app.db(),
        add("weak@example.com"),
        &mut "short\n".as_bytes(),
        &mut Vec::new(),
    )
    .await;
    assert!(
        weak.expect_err("a short password")
            .to_string()
            .contains("password: Password must be 12 characters or more")
    );

    let mut listing = Vec::new();
    run_user(
        app.db(),
        UserCommand::List,
        &mut "".as_bytes(),
        &mut listing,
    )
    .await
    .expect("list");
    let listing = String::from_utf8_lossy(&listing).into_owned();
    assert!(listing.contains("sam@example.com\tSam Shell"));
    assert!(!listing.contains("$argon2"), "hashes are never printed");

    run_team(
        app.db(),
        TeamCommand::Add {
            name: "Checkout".to_owned(),
        },
        &mut Vec::new(),
    )
    .await
    .expect("add a team");
    let member = |role: &str, team: &str| MemberCommand::Add {
        team: team.to_owned(),
        email: "sam@example.com".to_owned(),
        role: role.to_owned(),
    };
    run_member(app.db(), member("editor", "Checkout"), &mut Vec::new())
        .await
        .expect("add a member");
    let sam = list_users(app.db())
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.email == "sam@example.com")
        .expect("sam");
    assert_eq!(
        memberships_of(app.db(), sam.id).await.expect("memberships")[0].1,
        Role::Editor
    );
    let bad_role = run_member(app.db(), member("owner", "Checkout"), &mut Vec::new()).await;
    assert!(
        bad_role
            .expect_err("an unknown role")
            .to_string()
            .starts_with("role:")
    );
    let bad_team = run_member(app.db(), member("viewer", "Nowhere"), &mut Vec::new()).await;
    assert!(
        bad_team
            .expect_err("an unknown team")
            .to_string()
            .starts_with("team:")
    );

    let login = app
        .post_with_cookies(
            "/login",
            &[
                ("email", "sam@example.com"),
                ("password", "a long enough passphrase"),
            ],
            &format!("escapement_csrf={CSRF}"),
        )
        .await;
    assert_eq!(
        login.status, 303,
        "a user added on the command line can sign in"
    );
}

both_backends!(TestApp:
    the_demo_command_gives_every_team_accounts_and_reviews_by_its_lead,
    an_unfinished_demo_is_replaced_only_when_asked,
);

/// A demo that stopped after its data (the process killed before the accounts and
/// reviews) is named on the rerun and replaced with `--replace`; a finished demo and real
/// data never are.
async fn an_unfinished_demo_is_replaced_only_when_asked(app: TestApp) {
    use escapement_storage::demo::{DemoState, demo_state, load_demo};
    let args = |replace| DemoArgs {
        defects: 300,
        seed: 7,
        replace,
    };
    let run = |replace| {
        let db = app.db().clone();
        async move {
            run_demo(
                &db,
                &args(replace),
                "pw for tests",
                chrono::Utc::now(),
                |_| {},
            )
            .await
        }
    };
    // Real data: --replace refuses and changes nothing.
    let refused = run(true).await.expect_err("nothing to replace");
    assert!(refused.to_string().contains("holds none"), "{refused}");
    // The crash: the data committed, nothing after it.
    load_demo(app.db(), 300, 7, chrono::Utc::now(), |_| {})
        .await
        .expect("data");
    assert_eq!(
        demo_state(app.db()).await.expect("state"),
        DemoState::Unfinished
    );
    let named = run(false).await.expect_err("an unfinished demo");
    assert!(
        named.to_string().contains("escapement demo --replace"),
        "{named}"
    );
    let report = run(true).await.expect("replaced");
    assert!(report.reviews.reviews > 0 && report.accounts.len() == 6);
    assert_eq!(report.data.defects, 300);
    assert_eq!(
        demo_state(app.db()).await.expect("state"),
        DemoState::Complete
    );
    let teams = escapement_storage::catalog::list_teams(app.db())
        .await
        .expect("teams");
    assert_eq!(teams.len(), 3, "the old demo's teams are gone, not doubled");
    // A finished demo is never replaced.
    let again = run(true).await.expect_err("finished");
    assert!(again.to_string().contains("holds none"), "{again}");
    // The instance admin made before the demo keeps their account and session.
    let page = app.get("/defects").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("<strong>300</strong> defects"),
        "{}",
        page.body
    );
}

async fn the_demo_command_gives_every_team_accounts_and_reviews_by_its_lead(app: TestApp) {
    // The demo only fills an empty database; this app's own admin has no team data.
    let password = "demo password for tests";
    let args = DemoArgs {
        defects: 400,
        seed: 1,
        replace: false,
    };
    let mut reported = 0;
    let report = run_demo(app.db(), &args, password, chrono::Utc::now(), |n| {
        reported = n;
    })
    .await
    .expect("the demo");
    assert_eq!(reported, 400, "progress reaches the total");
    let accounts = &report.accounts;
    assert_eq!(accounts.len(), 6, "two per team");
    assert!(
        accounts
            .iter()
            .any(|a| a.email == "checkout.editor@example.com" && a.role == Role::Editor)
    );
    assert!(
        accounts
            .iter()
            .any(|a| a.email == "mobile.lead@example.com" && a.role == Role::TeamAdmin)
    );
    let reviews = &report.reviews;
    assert!(reviews.reviews > 0 && reviews.escapes >= reviews.reviews && reviews.actions > 0);

    let mut out = Vec::new();
    write_demo_report(&report, password, &mut out).expect("report");
    let out = String::from_utf8(out).expect("utf-8");
    assert!(
        out.contains("3 teams, 12 components, 24 releases, 400 defects"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "Created {} reviews covering {} escapes with {} actions",
            reviews.reviews, reviews.escapes, reviews.actions
        )),
        "{out}"
    );
    assert!(out.contains("mobile.lead@example.com") && out.contains(password));
    // The demo has an instance admin to try the settings and the team boundary with.
    assert!(report.admin.created, "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("demo.admin@example.com") && l.contains("Instance admin")),
        "{out}"
    );
    let admin = escapement_storage::accounts::find_user(
        app.db(),
        &escapement_core::auth::Email::parse("demo.admin@example.com").expect("email"),
    )
    .await
    .expect("users")
    .expect("the demo admin exists");
    assert!(admin.is_admin);

    // Every change in a review's history names the team's lead.
    let newest = list_reviews(app.db(), &ReviewFilter::default(), Paging::new(1, 1))
        .await
        .expect("reviews")
        .rows
        .remove(0);
    let (history, _) = list_history(app.db(), newest.id, Paging::new(1, 200))
        .await
        .expect("history");
    let lead = format!("{} Team lead", newest.team_name);
    assert!(!history.is_empty() && history.iter().all(|h| h.actor == lead));

    // Every demo review renders: its page, history, exports and each step of its first escape.
    let all = list_reviews(app.db(), &ReviewFilter::default(), Paging::new(1, 200))
        .await
        .expect("reviews");
    assert_eq!(all.total, all.rows.len() as u64);
    for review in &all.rows {
        let id = review.id;
        for path in [
            format!("/reviews/{id}"),
            format!("/reviews/{id}/history"),
            format!("/reviews/{id}/export.md"),
            format!("/reviews/{id}/print"),
        ] {
            assert_eq!(app.get(&path).await.status, 200, "{path}");
        }
        let escapes = escapement_storage::reviews::review_escapes(app.db(), id)
            .await
            .expect("escapes");
        let first = escapes.first().expect("every demo review covers an escape");
        for step in ["facts", "checklist", "analysis", "mechanism", "actions"] {
            let path = format!("/reviews/{id}/escapes/{}?step={step}", first.id);
            let page = app.get(&path).await;
            assert_eq!(page.status, 200, "{path}");
            assert!(
                !page.body.contains("A thought on wording"),
                "demo texts are blameless: {path}"
            );
        }
    }
    for path in [
        "/reviews",
        "/escapes",
        "/reviews?state=closed",
        "/reviews?state=draft",
    ] {
        assert_eq!(app.get(path).await.status, 200, "{path}");
    }
    assert!(
        !app.get("/escapes")
            .await
            .body
            .contains("No escapes are waiting for review")
    );

    let again = run_demo(app.db(), &args, password, chrono::Utc::now(), |_| {}).await;
    assert!(
        again
            .expect_err("a used database")
            .to_string()
            .contains("database:"),
        "the demo never mixes into existing data"
    );

    let login = app
        .post_with_cookies(
            "/login",
            &[
                ("email", "checkout.editor@example.com"),
                ("password", password),
            ],
            &format!("escapement_csrf={CSRF}"),
        )
        .await;
    assert_eq!(login.status, 303);
}
