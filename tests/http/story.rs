//! The review the snapshot suite renders, built through the forms as a user would, with a
//! redactor that knows the names of all its ids.

use chrono::{DateTime, Utc};
use escapement_storage::reviews::review_escapes;
use escapement_tests::TestApp;
use uuid::Uuid;

use crate::redact::Redactor;
use crate::reviews::{escape_ids, open_review};
use crate::seed::{self, Seeded, defect_form, record, set};

/// One review of two escapes, built through the forms: "Coupon total wrong" walked through
/// every step with an action, "Banner typo" untouched; the review stays a draft. Every date
/// the fixture types lies before this suite was written, so none is ever the day of a run
/// (those are redacted as `[today]`).
pub struct Story {
    pub team: Seeded,
    pub review: Uuid,
    /// The defects "Coupon total wrong" and "Banner typo".
    pub coupon: Uuid,
    pub banner: Uuid,
    /// Their escapes in the review, in that order.
    pub first: Uuid,
    pub second: Uuid,
    /// Knows every id above (and the admin's) by name.
    pub redactor: Redactor,
}

impl Story {
    /// The draft review, through the forms.
    pub async fn draft(app: &TestApp) -> Story {
        let since: DateTime<Utc> = Utc::now();
        let team = seed::team(app, "Checkout").await;
        let coupon = escape(app, &team, "Coupon total wrong", "critical", "10:30").await;
        let banner = escape(app, &team, "Banner typo", "low", "11:45").await;
        let review = open_review(
            app,
            &team,
            "Black Friday checkout outage",
            &[coupon, banner],
        )
        .await;
        let [first, second] = escape_ids(app, review).await[..] else {
            panic!("two escapes")
        };
        let base = format!("/reviews/{review}/escapes/{first}");
        let team_id = team.team.to_string();
        let component_id = team.component.to_string();
        let steps: [(&str, Vec<(&str, &str)>); 5] = [
            ("facts", vec![("version", "1")]),
            (
                "checklist",
                vec![
                    ("version", "2"),
                    ("answer_unfamiliar_code", "yes"),
                    ("answer_unclear_criteria", "no"),
                    ("answer_automated_coverage", "no"),
                    ("note_automated_coverage", "Only unit tests cover coupons"),
                    ("answer_observable_in_test", "yes"),
                    ("answer_untested_conditions", "unknown"),
                    ("answer_production_differs", "no"),
                ],
            ),
            (
                "analysis",
                vec![
                    ("version", "3"),
                    ("defect_version", "1"),
                    ("expected_catch_stage", "integration_test"),
                    ("evidence", "An API contract test on the coupon total"),
                    ("evidence_gap", "The coupon service had no contract suite"),
                ],
            ),
            (
                "mechanism",
                vec![
                    ("version", "4"),
                    ("primary", "no_test"),
                    ("contributing", "missed_review"),
                    ("contributing", "unrepresentative_data"),
                ],
            ),
            (
                "actions",
                vec![
                    ("title", "Add coupon contract tests"),
                    ("mechanism", "no_test"),
                    ("component_id", component_id.as_str()),
                    ("target_layer", "integration_test"),
                    ("effort", "m"),
                    ("owner_team_id", team_id.as_str()),
                    ("due_date", "2026-06-30"),
                    ("status", "accepted"),
                ],
            ),
        ];
        for (step, fields) in steps {
            let saved = app.post_form(&format!("{base}/{step}"), &fields).await;
            assert_eq!(saved.status, 303, "{step}: {}", saved.body);
        }
        let action = review_escapes(app.db(), review).await.expect("escapes")[0].actions[0].id;
        let mut redactor = Redactor::new(since);
        redactor
            .name(team.team, "team")
            .name(team.component, "component")
            .name(team.release, "release")
            .name(review, "review")
            .name(coupon, "defect:coupon")
            .name(banner, "defect:banner")
            .name(first, "escape:coupon")
            .name(second, "escape:banner")
            .name(action, "action")
            .name(app.admin_id, "admin");
        Story {
            team,
            review,
            coupon,
            banner,
            first,
            second,
            redactor,
        }
    }

    /// The draft, with "Banner typo" classified and no action needed, moved to closed.
    pub async fn closed(app: &TestApp) -> Story {
        let story = Story::classified(app).await;
        let moved = app
            .post_form(
                &format!("/reviews/{}/state", story.review),
                &[("to", "closed"), ("version", "3")],
            )
            .await;
        assert_eq!(moved.status, 303, "closed: {}", moved.body);
        story
    }

    /// The draft, with "Banner typo" classified and no action needed, moved to classified.
    pub async fn classified(app: &TestApp) -> Story {
        let story = Story::draft(app).await;
        let other = format!("/reviews/{}/escapes/{}", story.review, story.second);
        let posts = [
            (
                format!("{other}/mechanism"),
                vec![("version", "1"), ("primary", "missed_review")],
            ),
            (
                format!("{other}/no-action"),
                vec![
                    ("version", "2"),
                    ("no_action_reason", "The banner was removed"),
                ],
            ),
        ];
        for (path, fields) in posts {
            let saved = app.post_form(&path, &fields).await;
            assert_eq!(saved.status, 303, "{path}: {}", saved.body);
        }
        for (to, version) in [("in_review", "1"), ("classified", "2")] {
            let moved = app
                .post_form(
                    &format!("/reviews/{}/state", story.review),
                    &[("to", to), ("version", version)],
                )
                .await;
            assert_eq!(moved.status, 303, "{to}: {}", moved.body);
        }
        story
    }

    /// The page of `step` for `escape`.
    pub fn step(&self, escape: Uuid, step: &str) -> String {
        format!("/reviews/{}/escapes/{escape}?step={step}", self.review)
    }
}

/// Records an escape found in production, detected on 10 Feb 2026 at `time`.
async fn escape(app: &TestApp, team: &Seeded, title: &str, severity: &str, time: &str) -> Uuid {
    let mut form = defect_form(team, title, severity, "production");
    set(&mut form, "detected_at", &format!("2026-02-10T{time}"));
    record(app, &form).await
}
