//! The metric definition's versions: the implicit version 1, saves that append, the version
//! check, and the history, newest first.

use chrono::{Duration, Utc};
use escapement_core::metrics::{DefinitionChange, MetricDefinition};
use escapement_core::{Boundary, StageKey};
use escapement_storage::metrics::{
    current_definition, definition_history, get_definition, save_definition,
};
use escapement_storage::settings::stage_settings;
use escapement_storage::{Actor, StorageError};
use escapement_tests::{TestDb, both_backends};

both_backends!(TestDb:
    version_1_is_the_defaults_until_someone_saves,
    a_save_appends_version_2_after_writing_version_1,
    a_save_based_on_an_old_version_is_refused_and_writes_nothing,
    the_history_is_newest_first_and_keeps_every_version,
);

fn change(note: &str, critical: u32) -> DefinitionChange {
    let mut definition = MetricDefinition::default();
    definition.weights.critical = critical;
    DefinitionChange {
        definition,
        note: note.to_owned(),
    }
}

async fn version_1_is_the_defaults_until_someone_saves(store: TestDb) {
    let current = current_definition(&store.db).await.expect("current");
    assert_eq!(current.version, 1);
    assert_eq!(current.definition, MetricDefinition::default());
    assert_eq!(current.created_at, None, "nobody saved it");
    let history = definition_history(&store.db).await.expect("history");
    assert_eq!(history, vec![current.clone()]);
    assert_eq!(get_definition(&store.db, 1).await.expect("v1"), current);
    assert!(matches!(
        get_definition(&store.db, 2).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        get_definition(&store.db, 0).await,
        Err(StorageError::NotFound)
    ));
}

async fn a_save_appends_version_2_after_writing_version_1(store: TestDb) {
    let now = Utc::now();
    let mut staging = change("Staging is where customers first see it", 10);
    staging.definition.boundary = Boundary::after_stage(StageKey::parse("staging").expect("key"));
    let saved = save_definition(&store.db, 1, &staging, &Actor::COMMAND_LINE, now)
        .await
        .expect("save");
    assert_eq!(saved.version, 2);
    assert_eq!(saved.definition, staging.definition);
    assert_eq!(saved.note, "Staging is where customers first see it");
    assert_eq!(saved.actor, "command line");
    let current = current_definition(&store.db).await.expect("current");
    assert_eq!(
        (current.version, &current.definition, &current.note),
        (2, &saved.definition, &saved.note)
    );
    let first = get_definition(&store.db, 1).await.expect("v1 is kept");
    assert_eq!(first.definition, MetricDefinition::default());
    assert!(
        first.created_at.is_some(),
        "version 1 is written by the first save"
    );
    assert_eq!(
        stage_settings(&store.db).await.expect("settings").boundary,
        staging.definition.boundary,
        "lists and reviews judge escapes by the same boundary"
    );
}

async fn a_save_based_on_an_old_version_is_refused_and_writes_nothing(store: TestDb) {
    let now = Utc::now();
    save_definition(&store.db, 1, &change("First", 9), &Actor::COMMAND_LINE, now)
        .await
        .expect("save");
    let stale = save_definition(&store.db, 1, &change("Lost", 12), &Actor::COMMAND_LINE, now).await;
    assert!(
        matches!(stale, Err(StorageError::Stale { current_version: 2 })),
        "{stale:?}"
    );
    let ahead = save_definition(
        &store.db,
        7,
        &change("Ahead", 12),
        &Actor::COMMAND_LINE,
        now,
    )
    .await;
    assert!(matches!(ahead, Err(StorageError::Stale { .. })));
    let history = definition_history(&store.db).await.expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].note, "First");
    assert_eq!(history[0].definition.weights.critical, 9);
}

async fn the_history_is_newest_first_and_keeps_every_version(store: TestDb) {
    let start = Utc::now();
    for (i, critical) in [9, 10, 11].into_iter().enumerate() {
        let expected = i32::try_from(i).expect("small") + 1;
        let at = start + Duration::minutes(i64::from(expected));
        save_definition(
            &store.db,
            expected,
            &change(&format!("Critical weighs {critical}"), critical),
            &Actor::COMMAND_LINE,
            at,
        )
        .await
        .expect("save");
    }
    let history = definition_history(&store.db).await.expect("history");
    let versions: Vec<i32> = history.iter().map(|v| v.version).collect();
    assert_eq!(versions, vec![4, 3, 2, 1]);
    assert_eq!(history[0].note, "Critical weighs 11");
    assert_eq!(history[3].definition, MetricDefinition::default());
    assert!(history.iter().all(|v| v.created_at.is_some()));
    let first = get_definition(&store.db, 1).await.expect("v1 after saves");
    assert_eq!(first, history[3]);
    let third = get_definition(&store.db, 3).await.expect("v3");
    assert_eq!(
        (third.note.as_str(), third.definition.weights.critical),
        ("Critical weighs 10", 10)
    );
    assert!(matches!(
        get_definition(&store.db, 5).await,
        Err(StorageError::NotFound)
    ));
}
