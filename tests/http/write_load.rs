//! A short write load over real HTTP on a bound server: sixteen writers for about eight
//! seconds, two of them on one review, each save carrying the version its writer read and a
//! unique marker. No answer may be a server error, every accepted marker must be stored
//! exactly once and no save at an old version may be applied (see
//! `escapement_tests::write_load`; `benches/write_load.sh` runs the long version).

use std::time::Duration;

use escapement_tests::write_load::{Load, Report, check, load_user, run};
use escapement_tests::{TestApp, both_backends};

both_backends!(TestApp:
    concurrent_writers_lose_nothing_apply_nothing_stale_and_never_see_a_server_error,
);

async fn concurrent_writers_lose_nothing_apply_nothing_stale_and_never_see_a_server_error(
    app: TestApp,
) {
    let server = app.serve().await;
    let secret = load_user(app.db()).await;
    let load = Load {
        servers: vec![server],
        writers: 16,
        duration: Duration::from_secs(8),
    };
    let sent = run(app.db(), &secret, &load).await;
    let report = check(app.db(), &sent).await;
    eprintln!(
        "{:?}, 16 writers for 8 s:\n{}\n{report}",
        app.store.backend,
        Report::header()
    );
    assert!(report.holds() && report.unanswered == 0, "{report:?}");
    assert!(
        report.accepted >= 100,
        "the load saved something: {report:?}"
    );
    let probes = sent.writes.iter().filter(|w| w.stale_probe).count();
    assert!(probes > 0, "deliberately stale saves were sent");
    assert_eq!(
        report.probes_refused, probes,
        "every deliberately stale save is refused with 409"
    );
    assert!(
        report.refused_stale > report.probes_refused,
        "the two editors of one review ran into each other: {report:?}"
    );
}
