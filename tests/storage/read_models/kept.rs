//! Lists and the catalog kept under the teams' stamps: a page read twice comes back the
//! same, and after every write that changes what it shows (a rename of the team, the
//! component or the release its rows name, a new component or team, a defect added to a
//! review) it shows the change.

use chrono::Utc;
use escapement_core::{NewComponent, NewRelease, NewTeam, Paging};
use escapement_storage::catalog::{
    catalog, create_component, get_component, get_release, get_team, update_component,
    update_release, update_team,
};
use escapement_storage::defects::{DefectFilter, DefectListPage, get_defect, list_defects};
use escapement_storage::reviews::unreviewed_escapes;
use escapement_storage::settings::stage_settings;
use escapement_tests::{TestDb, both_backends};
use uuid::Uuid;

use super::named;
use crate::team;

both_backends!(TestDb:
    kept_lists_and_the_catalog_follow_every_catalog_write,
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
