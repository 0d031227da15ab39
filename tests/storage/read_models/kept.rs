//! Lists and the catalog kept under the teams' stamps: a page read twice comes back the
//! same, and after every write that changes what it shows (a rename of the team, the
//! component or the release its rows name, a new component or team, a defect added to a
//! review) it shows the change.

use chrono::Utc;
use escapement_core::auth::{DisplayName, Role};
use escapement_core::{Boundary, NewComponent, NewRelease, NewTeam, Paging, ReviewState, StageKey};
use escapement_storage::Actor;
use escapement_storage::accounts::{grant_role, remove_member, update_user};
use escapement_storage::backlog::{KeyLink, link_keys};
use escapement_storage::catalog::{
    catalog, create_component, get_component, get_release, get_team, update_component,
    update_release, update_team,
};
use escapement_storage::defects::{
    DefectFilter, DefectListPage, get_defect, list_defects, update_defect,
};
use escapement_storage::reviews::{
    ReviewFilter, add_action, add_escape, change_state, create_review, get_review, list_reviews,
    review_document, review_people, unreviewed_escapes, update_review,
};
use escapement_storage::rollup::read_once;
use escapement_storage::settings::{StageSettings, save_stage_settings, stage_settings};
use escapement_tests::{CountingDb, TestDb, both_backends};
use uuid::Uuid;

use super::named;
use crate::team;

both_backends!(TestDb:
    kept_lists_and_the_catalog_follow_every_catalog_write,
    the_kept_review_list_follows_every_review_write,
    the_kept_review_document_follows_backlog_defect_and_catalog_writes,
    a_read_once_scope_checks_the_stamps_once_and_settings_renew_them,
    kept_review_people_follow_memberships_and_names,
);

async fn both_lists(store: &TestDb, team: Uuid) -> (DefectListPage, DefectListPage) {
    let stages = stage_settings(&store.db).await.expect("stages");
    let filter = DefectFilter {
        team_id: Some(team),
        ..DefectFilter::default()
    };
    let paging = Paging::new(1, 50);
    let list = list_defects(&store.db, &filter, &stages, paging)
        .await
        .expect("list");
    let queue = unreviewed_escapes(&store.db, &filter, &stages, paging)
        .await
        .expect("queue");
    (list, queue)
}

/// The (team, component, release) names of the only row of each list.
fn names(
    lists: &(DefectListPage, DefectListPage),
) -> [(String, Option<String>, Option<String>); 2] {
    [&lists.0, &lists.1].map(|page| {
        assert_eq!(page.rows.len(), 1, "one row in {page:?}");
        let row = &page.rows[0];
        (
            row.team_name.clone(),
            row.component_name.clone(),
            row.release_name.clone(),
        )
    })
}

async fn kept_lists_and_the_catalog_follow_every_catalog_write(store: TestDb) {
    let checkout = team(&store, "Checkout").await;
    let (defect, component) =
        named(&store, checkout, "Coupon total wrong", ("Coupons", "2.1")).await;
    let release = get_defect(&store.db, defect)
        .await
        .expect("defect")
        .data
        .release_id
        .expect("a release");
    let before = both_lists(&store, checkout).await;
    let named_as =
        |t: &str, c: &str, r: &str| (t.to_owned(), Some(c.to_owned()), Some(r.to_owned()));
    assert_eq!(
        names(&before),
        [
            named_as("Checkout", "Coupons", "2.1"),
            named_as("Checkout", "Coupons", "2.1")
        ]
    );
    assert_eq!(
        both_lists(&store, checkout).await,
        before,
        "a second read is the same"
    );

    let now = Utc::now();
    let t = get_team(&store.db, checkout).await.expect("team");
    update_team(
        &store.db,
        checkout,
        t.version,
        &NewTeam {
            name: "Basket".to_owned(),
        },
        now,
    )
    .await
    .expect("rename team");
    let after_one = both_lists(&store, checkout).await;
    assert_eq!(
        names(&after_one),
        [
            named_as("Basket", "Coupons", "2.1"),
            named_as("Basket", "Coupons", "2.1")
        ]
    );
    let c = get_component(&store.db, component)
        .await
        .expect("component");
    update_component(
        &store.db,
        component,
        c.version,
        &NewComponent {
            name: "Vouchers".to_owned(),
            team_id: checkout,
            description: String::new(),
        },
        now,
    )
    .await
    .expect("rename component");
    let after_two = both_lists(&store, checkout).await;
    assert_eq!(
        names(&after_two),
        [
            named_as("Basket", "Vouchers", "2.1"),
            named_as("Basket", "Vouchers", "2.1")
        ]
    );
    let r = get_release(&store.db, release).await.expect("release");
    update_release(
        &store.db,
        release,
        r.version,
        &NewRelease {
            name: "2.1.1".to_owned(),
            team_id: checkout,
            released_on: r.released_on,
        },
        now,
    )
    .await
    .expect("rename release");
    let renamed = both_lists(&store, checkout).await;
    assert_eq!(
        names(&renamed),
        [
            named_as("Basket", "Vouchers", "2.1.1"),
            named_as("Basket", "Vouchers", "2.1.1")
        ]
    );
    assert_eq!(
        (renamed.0.total, renamed.0.escaped, renamed.1.total),
        (1, 1, 1)
    );

    // The catalog: renames, a new component and a new team without defects.
    let all = catalog(&store.db).await.expect("catalog");
    assert_eq!(
        all.teams
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["Basket"]
    );
    assert_eq!(
        all.components
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["Vouchers"]
    );
    assert_eq!(
        all.releases
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["2.1.1"]
    );
    create_component(
        &store.db,
        &NewComponent {
            name: "Address book".to_owned(),
            team_id: checkout,
            description: String::new(),
        },
        now,
    )
    .await
    .expect("component");
    let platform = team(&store, "Platform").await;
    let all = catalog(&store.db).await.expect("catalog");
    assert_eq!(
        all.teams
            .iter()
            .map(|t| (t.id, t.name.as_str()))
            .collect::<Vec<_>>(),
        [(checkout, "Basket"), (platform, "Platform")]
    );
    assert_eq!(
        all.components
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["Address book", "Vouchers"]
    );
    assert_eq!(
        *catalog(&store.db).await.expect("catalog"),
        *all,
        "a second read is the same"
    );
}

/// The review list kept under the teams' stamps follows every review write: a new review,
/// new details, an escape added, an action (which moves "last changed"), a state change.
async fn the_kept_review_list_follows_every_review_write(store: TestDb) {
    let who = crate::reviews::actor(&store).await;
    let checkout = team(&store, "Checkout").await;
    let filter = ReviewFilter {
        team_id: Some(checkout),
        ..ReviewFilter::default()
    };
    let paging = Paging::new(1, 20);
    let rows = || async {
        list_reviews(&store.db, &filter, paging)
            .await
            .expect("list")
            .rows
    };
    assert!(rows().await.is_empty());
    let now = Utc::now();
    let review = create_review(
        &store.db,
        &crate::reviews::details(checkout, "Coupon incident", 3),
        &[],
        &who,
        now,
    )
    .await
    .expect("review");
    let listed = rows().await;
    assert_eq!(
        listed
            .iter()
            .map(|r| (r.title.as_str(), r.escapes))
            .collect::<Vec<_>>(),
        [("Coupon incident", 0)]
    );
    let review = update_review(
        &store.db,
        review.id,
        review.version,
        &crate::reviews::details(checkout, "Coupon incident, doubled totals", 3),
        &who,
        now,
    )
    .await
    .expect("details");
    assert_eq!(rows().await[0].title, "Coupon incident, doubled totals");
    let defect = crate::reviews::escape(&store, checkout, "Total doubled", 2).await;
    let escape = add_escape(&store.db, review.id, defect, &who, now)
        .await
        .expect("escape");
    assert_eq!(rows().await[0].escapes, 1);
    let later = now + chrono::Duration::minutes(5);
    add_action(
        &store.db,
        review.id,
        escape,
        &crate::reviews::action(checkout, "Add a coupon test"),
        &who,
        later,
    )
    .await
    .expect("action");
    let touched = rows().await[0].updated_at;
    assert!(touched >= later - chrono::Duration::seconds(1), "{touched}");
    let review = get_review(&store.db, review.id).await.expect("review");
    change_state(
        &store.db,
        review.id,
        review.version,
        ReviewState::InReview,
        &who,
        later,
    )
    .await
    .expect("state");
    assert_eq!(rows().await[0].state, ReviewState::InReview);
}

/// Inside `read_once`, a page's kept values (its rows and counts, the catalog, the stage
/// settings) cost one statement together, the stamps; a saved setting renews every stamp,
/// so the next scope reads the new settings.
async fn a_read_once_scope_checks_the_stamps_once_and_settings_renew_them(store: TestDb) {
    let checkout = team(&store, "Checkout").await;
    named(&store, checkout, "Coupon total wrong", ("Coupons", "2.1")).await;
    let platform = team(&store, "Platform").await;
    named(&store, platform, "Cache stale", ("Cache", "7.0")).await;
    let db = CountingDb::new(&store.db);
    let page = || async {
        let stages = stage_settings(&db).await.expect("stages");
        let filter = DefectFilter {
            team_id: Some(checkout),
            visible_teams: Some(vec![checkout, platform]),
            ..DefectFilter::default()
        };
        let list = list_defects(&db, &filter, &stages, Paging::new(1, 50))
            .await
            .expect("list");
        let all = catalog(&db).await.expect("catalog");
        (stages, list, all.teams.len())
    };
    let first = read_once(page()).await;
    assert!(db.take() > 1, "the first page reads its values");
    let (again, n) = super::kept_cost(&db, || read_once(page())).await;
    assert_eq!(n, 1, "one statement: the stamps");
    assert_eq!(again, first);
    assert_eq!((again.1.total, again.2), (1, 2));

    let moved = StageSettings {
        boundary: Boundary::after_stage(StageKey::parse("uat").expect("key")),
        ..again.0.clone()
    };
    save_stage_settings(&store.db, &moved, &Actor::COMMAND_LINE, Utc::now())
        .await
        .expect("save");
    let after = read_once(page()).await;
    assert_eq!(after.0, moved, "the saved settings, not the kept ones");
    assert_eq!(stage_settings(&store.db).await.expect("stages"), moved);
}

/// The review document kept under the stamps follows the writes that change it from
/// outside the review: an action's tracker key linked from the backlog, a defect edited,
/// a component renamed.
async fn the_kept_review_document_follows_backlog_defect_and_catalog_writes(store: TestDb) {
    let f = super::fixture(&store).await;
    let document = review_document(&store.db, f.review)
        .await
        .expect("document");
    assert_eq!(
        review_document(&store.db, f.review).await.expect("again"),
        document
    );
    let action = document
        .escapes
        .iter()
        .flat_map(|e| e.escape.actions.iter())
        .next()
        .expect("an action")
        .clone();
    assert_eq!(action.external_key, None);
    let links = [KeyLink {
        action_id: action.id,
        external_key: "CHK-42".to_owned(),
    }];
    link_keys(&store.db, &links, None, &f.who, Utc::now())
        .await
        .expect("link");
    let linked = review_document(&store.db, f.review)
        .await
        .expect("document");
    let key = linked
        .escapes
        .iter()
        .flat_map(|e| e.escape.actions.iter())
        .find(|a| a.id == action.id)
        .and_then(|a| a.external_key.clone());
    assert_eq!(key.as_deref(), Some("CHK-42"));

    let defect = get_defect(&store.db, f.covered[0]).await.expect("defect");
    let mut data = defect.data.clone();
    data.title = "Coupon total wrong at checkout".to_owned();
    update_defect(&store.db, defect.id, defect.version, &data, Utc::now())
        .await
        .expect("edit");
    let component = defect.data.component_id.expect("a component");
    let c = get_component(&store.db, component)
        .await
        .expect("component");
    update_component(
        &store.db,
        c.id,
        c.version,
        &NewComponent {
            name: "Vouchers".to_owned(),
            team_id: c.team_id,
            description: String::new(),
        },
        Utc::now(),
    )
    .await
    .expect("rename");
    let edited = review_document(&store.db, f.review)
        .await
        .expect("document");
    let first = &edited.escapes[0];
    assert_eq!(
        first.escape.defect.data.title,
        "Coupon total wrong at checkout"
    );
    assert_eq!(first.component_name.as_deref(), Some("Vouchers"));
}

/// The people of a review, kept under the stamps, follow the team's memberships and its
/// members' display names.
async fn kept_review_people_follow_memberships_and_names(store: TestDb) {
    let f = super::fixture(&store).await;
    let people = || async { review_people(&store.db, f.review).await.expect("people") };
    assert_eq!(
        people().await,
        ["Sam Ortiz"],
        "no members yet, one participant"
    );
    let ada = crate::account_admin::user(&store, "ada@example.com", "Ada Lind").await;
    grant_role(
        &store.db,
        f.team,
        ada,
        Role::Editor,
        Actor::COMMAND_LINE,
        Utc::now(),
    )
    .await
    .expect("member");
    assert_eq!(people().await, ["Ada Lind", "Sam Ortiz"]);
    update_user(
        &store.db,
        ada,
        &DisplayName::parse("Ada Lindqvist").expect("a name"),
        false,
        Actor::COMMAND_LINE,
        Utc::now(),
    )
    .await
    .expect("rename");
    assert_eq!(people().await, ["Ada Lindqvist", "Sam Ortiz"]);
    remove_member(&store.db, f.team, ada, Actor::COMMAND_LINE, Utc::now())
        .await
        .expect("removed");
    assert_eq!(people().await, ["Sam Ortiz"]);
}
