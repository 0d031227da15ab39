use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::effect::{EffectSummary, Verdict, effect, windows};
use super::lifecycle::{
    ActionChangeDraft, DueState, can_move, due_state, is_open, is_tracker_key, next_statuses,
};
use super::score::{ScoreParts, recency_weight};
use super::suggest::{ClusterEscape, ClusterKey, suggestions, window_start};
use super::{Priority, slug};
use crate::metrics::definition::SeverityWeights;
use crate::taxonomy::{ActionStatus, Effort, Mechanism, Severity};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
        .single()
        .expect("a real time")
}

#[test]
fn slugs_are_label_safe() {
    assert_eq!(slug("Checkout & Payments"), "checkout-payments");
    assert_eq!(slug("  API v2 "), "api-v2");
    assert_eq!(slug("Zahlungsverkehr Ünd"), "zahlungsverkehr-ünd");
    assert_eq!(slug("決済 API"), "決済-api");
    assert_eq!(slug("***"), "none");
    assert!(!slug("a b\tc").contains(char::is_whitespace));
}

#[test]
fn score_multiplies_its_parts() {
    let w = SeverityWeights::default();
    let today = day(2026, 12, 1);
    let mut parts = ScoreParts::new();
    // Two escapes today in Q4, one critical 180 days earlier (Q2): weighted 8 + 4 + 8 = 20.
    parts.add(&w, Severity::Critical, today, today);
    parts.add(&w, Severity::High, today, today);
    parts.add(&w, Severity::Critical, day(2026, 6, 4), today);
    let s = parts.score(Effort::M);
    assert_eq!(s.escapes, 3);
    assert_eq!(s.weighted, 20);
    assert!((s.recency - (8.0 + 4.0 + 4.0) / 20.0).abs() < 1e-9);
    assert_eq!(s.quarters, 2);
    assert!((s.recurrence - 1.5).abs() < 1e-12);
    assert!((s.value - 20.0 * 0.8 * 1.5 / 2.0).abs() < 1e-9);
    assert_eq!(s.priority(), Priority::Highest);
    assert_eq!(
        s.breakdown(),
        "20 weighted × 0.80 recency × 1.5 recurrence (2 quarters) ÷ 2 (Medium) = 12.0"
    );
}

#[test]
fn effort_divides_the_score() {
    let w = SeverityWeights::default();
    let today = day(2026, 12, 1);
    let mut parts = ScoreParts::new();
    parts.add(&w, Severity::Critical, today, today);
    assert!((parts.score(Effort::S).value - 8.0).abs() < 1e-12);
    assert!((parts.score(Effort::M).value - 4.0).abs() < 1e-12);
    assert!((parts.score(Effort::L).value - 2.0).abs() < 1e-12);
}

#[test]
fn an_item_without_escapes_scores_zero() {
    let s = ScoreParts::new().score(Effort::S);
    assert_eq!(s.value, 0.0);
    assert_eq!(s.quarters, 0);
    assert!((s.recurrence - 1.0).abs() < 1e-12);
    assert_eq!(s.priority(), Priority::Lowest);
}

#[test]
fn recency_halves_every_half_life() {
    assert!((recency_weight(0) - 1.0).abs() < 1e-12);
    assert!((recency_weight(180) - 0.5).abs() < 1e-12);
    assert!((recency_weight(360) - 0.25).abs() < 1e-12);
    assert!(
        (recency_weight(-5) - 1.0).abs() < 1e-12,
        "future dates count as today"
    );
}

#[test]
fn bands_cover_every_score() {
    assert_eq!(Priority::of_score(100.0), Priority::Highest);
    assert_eq!(Priority::of_score(8.0), Priority::Highest);
    assert_eq!(Priority::of_score(7.9), Priority::High);
    assert_eq!(Priority::of_score(4.0), Priority::High);
    assert_eq!(Priority::of_score(2.0), Priority::Medium);
    assert_eq!(Priority::of_score(1.0), Priority::Low);
    assert_eq!(Priority::of_score(0.99), Priority::Lowest);
    assert_eq!(Priority::of_score(0.0), Priority::Lowest);
    assert_eq!(Priority::Highest.linear(), "Urgent");
    assert_eq!(Priority::Lowest.linear(), "Low");
    assert_eq!(Priority::Medium.jira(), "Medium");
}

#[test]
fn the_lifecycle_moves_forward_and_back_one_step() {
    use ActionStatus::*;
    assert!(can_move(Proposed, Accepted));
    assert!(can_move(Accepted, InProgress));
    assert!(can_move(InProgress, Done));
    assert!(can_move(Done, InProgress), "done reopens");
    assert!(can_move(WontDo, Proposed), "won't do is reconsidered");
    assert!(!can_move(Proposed, Done), "proposed work is accepted first");
    assert!(!can_move(Done, WontDo));
    assert!(!can_move(WontDo, Done));
    for s in ActionStatus::ALL {
        assert!(can_move(*s, *s), "{s:?} may keep its status");
        assert_eq!(
            next_statuses(*s).contains(&WontDo),
            is_open(*s) || *s == WontDo,
            "every open status may end as won't do"
        );
    }
}

fn draft(status: &str) -> ActionChangeDraft {
    ActionChangeDraft {
        status: status.to_owned(),
        owner_team_id: Uuid::from_u128(7).to_string(),
        ..ActionChangeDraft::default()
    }
}

#[test]
fn wont_do_needs_a_reason() {
    let e = draft("wont_do")
        .validate(ActionStatus::Accepted)
        .expect_err("no reason");
    assert_eq!(
        e.get("reason"),
        Some("Enter why the action will not be done")
    );
    let ok = ActionChangeDraft {
        reason: "  Replaced by the new pipeline  ".into(),
        ..draft("wont_do")
    }
    .validate(ActionStatus::Accepted)
    .expect("valid");
    assert_eq!(ok.reason.as_deref(), Some("Replaced by the new pipeline"));
    let not_wont_do = ActionChangeDraft {
        reason: "kept only for won't do".into(),
        ..draft("done")
    }
    .validate(ActionStatus::InProgress)
    .expect("valid");
    assert_eq!(not_wont_do.reason, None);
}

#[test]
fn the_change_form_names_each_bad_field() {
    let e = ActionChangeDraft {
        status: "done".into(),
        due_date: "2026-02-30".into(),
        owner_team_id: "not a team".into(),
        external_key: "not a key".into(),
        reason: String::new(),
    }
    .validate(ActionStatus::Proposed)
    .expect_err("four errors");
    assert_eq!(
        e.get("status"),
        Some("An action that is proposed cannot move to done")
    );
    assert!(e.get("due_date").is_some());
    assert!(e.get("owner_team_id").is_some());
    assert_eq!(
        e.get("external_key"),
        Some("Tracker key must look like PAY-123, owner/repo#45 or a link to the issue")
    );
    let unknown = draft("finished")
        .validate(ActionStatus::Proposed)
        .expect_err("unknown status");
    assert_eq!(unknown.get("status"), Some("Select a status from the list"));
}

#[test]
fn tracker_keys_of_each_tracker_are_accepted() {
    for ok in [
        "PAY-123",
        "ENG_2-7",
        "owner/repo#45",
        "my-org/my.repo#1",
        "#45",
        "https://linear.app/acme/issue/ENG-12",
    ] {
        assert!(is_tracker_key(ok), "{ok}");
    }
    for bad in [
        "",
        "PAY-",
        "-12",
        "123-45",
        "PAY 123",
        "owner/#4",
        "owner/repo#x",
        "https://",
        "https://a b",
        &"A".repeat(70),
    ] {
        assert!(!is_tracker_key(bad), "{bad}");
    }
    let e = ActionChangeDraft {
        external_key: format!("PAY-{}", "1".repeat(70)),
        ..draft("accepted")
    }
    .validate(ActionStatus::Proposed)
    .expect_err("too long");
    assert_eq!(
        e.get("external_key"),
        Some("Tracker key must be 64 characters or fewer")
    );
}

#[test]
fn due_state_counts_days_for_open_work_only() {
    let today = day(2026, 12, 1);
    let open = ActionStatus::Accepted;
    assert_eq!(
        due_state(open, Some(day(2026, 11, 28)), today),
        DueState::Overdue(3)
    );
    assert_eq!(due_state(open, Some(today), today), DueState::Soon(0));
    assert_eq!(
        due_state(open, Some(day(2026, 12, 8)), today),
        DueState::Soon(7)
    );
    assert_eq!(
        due_state(open, Some(day(2026, 12, 9)), today),
        DueState::Later(8)
    );
    assert_eq!(due_state(open, None, today), DueState::None);
    assert_eq!(
        due_state(ActionStatus::Done, Some(day(2026, 1, 1)), today),
        DueState::None
    );
}

fn key(n: u128, mechanism: Mechanism) -> ClusterKey {
    ClusterKey {
        team_id: Uuid::from_u128(1),
        mechanism,
        component_id: Some(Uuid::from_u128(n)),
    }
}

fn escape(key: ClusterKey, n: u128, discovered_on: NaiveDate) -> ClusterEscape {
    ClusterEscape {
        key,
        review_escape_id: Uuid::from_u128(1000 + n),
        severity: Severity::High,
        discovered_on,
        recorded_at: at(2026, 11, 1) + chrono::Duration::minutes(i64::try_from(n).unwrap_or(0)),
    }
}

#[test]
fn the_window_is_the_current_quarter_and_three_before() {
    assert_eq!(window_start(day(2026, 12, 1)), day(2026, 1, 1));
    assert_eq!(window_start(day(2026, 3, 31)), day(2025, 4, 1));
    assert_eq!(window_start(day(2026, 4, 1)), day(2025, 7, 1));
}

#[test]
fn a_cluster_of_two_escapes_without_an_open_action_is_suggested() {
    let today = day(2026, 12, 1);
    let w = SeverityWeights::default();
    let a = key(1, Mechanism::NoTest);
    let b = key(2, Mechanism::EnvironmentMismatch);
    let c = key(3, Mechanism::MissedReview);
    let escapes = vec![
        escape(a, 1, day(2026, 11, 2)),
        escape(a, 2, day(2026, 3, 2)),
        escape(b, 3, day(2026, 10, 2)),  // one escape only
        escape(b, 4, day(2025, 12, 31)), // before the window
        escape(c, 5, day(2026, 9, 1)),
        escape(c, 6, day(2026, 9, 2)),
    ];
    let open: HashSet<ClusterKey> = [c].into_iter().collect();
    let got = suggestions(&escapes, &open, &HashMap::new(), &w, today);
    assert_eq!(got.len(), 1, "{got:?}");
    let s = &got[0];
    assert_eq!(s.key, a);
    assert_eq!(
        s.escape_ids,
        vec![Uuid::from_u128(1001), Uuid::from_u128(1002)],
        "newest discovery first"
    );
    assert_eq!(s.score.weighted, 8);
    assert_eq!(s.score.effort, Effort::M);
    assert_eq!(s.text, Mechanism::NoTest.typical_improvement());
}

#[test]
fn a_dismissal_holds_until_a_new_escape_is_recorded() {
    let today = day(2026, 12, 1);
    let w = SeverityWeights::default();
    let a = key(1, Mechanism::NoTest);
    let mut escapes = vec![
        escape(a, 1, day(2026, 11, 2)),
        escape(a, 2, day(2026, 10, 2)),
    ];
    let dismissed: HashMap<ClusterKey, DateTime<Utc>> = [(a, at(2026, 11, 20))].into();
    assert!(suggestions(&escapes, &HashSet::new(), &dismissed, &w, today).is_empty());
    let mut newer = escape(a, 3, day(2026, 11, 25));
    newer.recorded_at = at(2026, 11, 26);
    escapes.push(newer);
    let got = suggestions(&escapes, &HashSet::new(), &dismissed, &w, today);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].dismissed_before, Some(at(2026, 11, 20)));
}

#[test]
fn suggestions_are_ordered_by_score() {
    let today = day(2026, 12, 1);
    let w = SeverityWeights::default();
    let small = key(1, Mechanism::NoTest);
    let big = key(2, Mechanism::NoTest);
    let mut escapes = vec![
        escape(small, 1, day(2026, 11, 2)),
        escape(small, 2, day(2026, 11, 3)),
    ];
    for n in 3..8 {
        escapes.push(escape(big, n, day(2026, 11, 4)));
    }
    let got = suggestions(&escapes, &HashSet::new(), &HashMap::new(), &w, today);
    assert_eq!(
        got.iter().map(|s| s.key).collect::<Vec<_>>(),
        vec![big, small]
    );
}

#[test]
fn effect_compares_equal_windows() {
    let done = day(2026, 6, 1);
    let today = day(2026, 12, 1);
    let (from, to, days) = windows(done, today);
    assert_eq!(days, 90);
    assert_eq!(from, day(2026, 3, 3));
    assert_eq!(to, day(2026, 8, 29));
    let e = effect(
        done,
        today,
        [
            day(2026, 3, 2), // before the window
            day(2026, 3, 3),
            day(2026, 5, 31),
            day(2026, 6, 1),  // the day it was done counts after
            day(2026, 8, 30), // after the window
        ],
    );
    assert_eq!((e.before, e.after), (2, 1));
    assert_eq!(e.verdict, Verdict::Fewer);
    assert_eq!(
        effect(done, today, [day(2026, 5, 1)]).verdict,
        Verdict::NoRecurrence
    );
    assert_eq!(
        effect(done, today, [day(2026, 7, 1)]).verdict,
        Verdict::NotFewer
    );
    assert_eq!(effect(done, today, []).verdict, Verdict::NoEscapes);
}

#[test]
fn effect_shrinks_the_window_to_the_days_since_and_waits_two_weeks() {
    let done = day(2026, 11, 1);
    let today = day(2026, 12, 1);
    let (from, to, days) = windows(done, today);
    assert_eq!((from, to, days), (day(2026, 10, 2), day(2026, 11, 30), 30));
    let early = effect(day(2026, 11, 25), today, [day(2026, 11, 20)]);
    assert_eq!(early.window_days, 6);
    assert_eq!(early.verdict, Verdict::TooEarly);
    let future = effect(day(2026, 12, 5), today, [day(2026, 12, 5)]);
    assert_eq!((future.window_days, future.after), (0, 0));
    assert_eq!(future.verdict, Verdict::TooEarly);
}

#[test]
fn the_effect_sentence_counts_in_words() {
    let mut s = EffectSummary::default();
    assert_eq!(s.sentence("Q3 2026"), "No action was done in Q3 2026.");
    s.add(Verdict::NoRecurrence);
    assert_eq!(
        s.sentence("Q3 2026"),
        "1 of 1 action done in Q3 2026 shows no recurrence."
    );
    for v in [
        Verdict::NoRecurrence,
        Verdict::NoRecurrence,
        Verdict::Fewer,
        Verdict::TooEarly,
    ] {
        s.add(v);
    }
    assert_eq!(
        s.sentence("Q3 2026"),
        "3 of 5 actions done in Q3 2026 show no recurrence; 1 fewer escapes, 1 too early to tell."
    );
}

fn severity() -> impl Strategy<Value = Severity> {
    prop::sample::select(Severity::ALL.to_vec())
}

proptest! {
    #[test]
    fn scores_are_bounded_and_monotone(
        escapes in prop::collection::vec((severity(), 0i64..2000), 1..40),
        extra in (severity(), 0i64..2000),
    ) {
        let w = SeverityWeights::default();
        let today = day(2026, 12, 1);
        let mut parts = ScoreParts::new();
        for (s, age) in &escapes {
            parts.add(&w, *s, today - chrono::Duration::days(*age), today);
        }
        let before = parts.score(Effort::M);
        prop_assert!(before.recency > 0.0 && before.recency <= 1.0 + 1e-12);
        prop_assert!(before.recurrence >= 1.0);
        prop_assert!(before.value > 0.0);
        prop_assert!(before.value <= before.weighted as f64 * before.recurrence / 2.0 + 1e-9);
        prop_assert!(parts.score(Effort::S).value >= before.value);
        prop_assert!(parts.score(Effort::L).value <= before.value);
        parts.add(&w, extra.0, today - chrono::Duration::days(extra.1), today);
        let after = parts.score(Effort::M);
        prop_assert!(after.weighted > before.weighted);
        prop_assert!(after.quarters >= before.quarters);
        // A new escape discovered today never lowers the score.
        let mut today_parts = parts.clone();
        let v = after.value;
        today_parts.add(&w, Severity::Low, today, today);
        prop_assert!(today_parts.score(Effort::M).value >= v);
    }

    #[test]
    fn suggestions_hold_their_rules(
        rows in prop::collection::vec((0u128..4, 0usize..3, 0i64..700, any::<bool>()), 0..60),
        open_mask in 0u8..16,
    ) {
        let today = day(2026, 12, 1);
        let w = SeverityWeights::default();
        let mechanisms = [Mechanism::NoTest, Mechanism::IneffectiveTest, Mechanism::MissedReview];
        let escapes: Vec<ClusterEscape> = rows
            .iter()
            .enumerate()
            .map(|(i, (c, m, age, no_component))| {
                let mut k = key(*c, mechanisms[*m]);
                if *no_component { k.component_id = None; }
                escape(k, i as u128, today - chrono::Duration::days(*age))
            })
            .collect();
        let open: HashSet<ClusterKey> = (0u128..4)
            .filter(|c| open_mask & (1 << c) != 0)
            .map(|c| key(c, Mechanism::NoTest))
            .collect();
        let got = suggestions(&escapes, &open, &HashMap::new(), &w, today);
        let start = window_start(today);
        for s in &got {
            prop_assert!(!open.contains(&s.key));
            prop_assert!(s.escape_ids.len() >= 2);
            let in_window = escapes
                .iter()
                .filter(|e| e.key == s.key && e.discovered_on >= start)
                .count();
            prop_assert_eq!(in_window, s.escape_ids.len());
        }
        for pair in got.windows(2) {
            prop_assert!(pair[0].score.value >= pair[1].score.value);
        }
        // Every qualifying cluster is suggested.
        let mut counts: HashMap<ClusterKey, usize> = HashMap::new();
        for e in escapes.iter().filter(|e| e.discovered_on >= start) {
            *counts.entry(e.key).or_default() += 1;
        }
        let expected = counts.iter().filter(|(k, n)| **n >= 2 && !open.contains(k)).count();
        prop_assert_eq!(got.len(), expected);
    }

    #[test]
    fn effect_counts_only_inside_its_windows(
        done_age in 0i64..400,
        ages in prop::collection::vec(0i64..800, 0..40),
    ) {
        let today = day(2026, 12, 1);
        let done = today - chrono::Duration::days(done_age);
        let dates: Vec<NaiveDate> = ages.iter().map(|a| today - chrono::Duration::days(*a)).collect();
        let e = effect(done, today, dates.iter().copied());
        prop_assert!(e.window_days <= 90);
        prop_assert!(u64::try_from((today - done).num_days()).unwrap_or(0) >= e.window_days);
        prop_assert!(e.before as usize + e.after as usize <= dates.len());
        prop_assert!(e.after_to >= e.done_on);
        if e.window_days > 0 {
            prop_assert_eq!((e.after_to - e.done_on).num_days() + 1, i64::try_from(e.window_days).unwrap_or(0));
            prop_assert_eq!((e.done_on - e.before_from).num_days(), i64::try_from(e.window_days).unwrap_or(0));
        }
        if e.window_days >= 14 {
            prop_assert_ne!(e.verdict, Verdict::TooEarly);
        }
    }
}
