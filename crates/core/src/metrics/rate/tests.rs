#![expect(clippy::unwrap_used, reason = "tests")]

use proptest::prelude::*;

use super::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 5e-5
}

#[test]
fn wilson_matches_the_reference_values() {
    // References: the roots of (p − x)² = z² x (1 − x) / n, solved independently.
    let i = wilson(8, 32).unwrap();
    assert!(close(i.low, 0.13252) && close(i.high, 0.42107), "{i:?}");
    let i = wilson(0, 10).unwrap();
    assert_eq!(i.low, 0.0);
    assert!(close(i.high, 0.27753), "{i:?}");
    let i = wilson(10, 10).unwrap();
    assert!(close(i.low, 0.72247), "{i:?}");
    assert_eq!(i.high, 1.0);
    let i = wilson(50, 100).unwrap();
    assert!(close(i.low, 0.40383) && close(i.high, 0.59617), "{i:?}");
    let i = wilson(8, 38).unwrap();
    assert!(close(i.low, 0.11075) && close(i.high, 0.36346), "{i:?}");
}

#[test]
fn wilson_has_no_interval_without_trials_or_with_more_successes_than_trials() {
    assert_eq!(wilson(0, 0), None);
    assert_eq!(wilson(3, 2), None);
    assert_eq!(wilson_at(0.5, 0.0), None);
    assert_eq!(wilson_at(1.5, 10.0), None);
    assert_eq!(wilson_at(0.5, f64::NAN), None);
}

#[test]
fn a_rate_shows_its_numerator_denominator_value_and_interval() {
    let r = Rate::of(8, 32);
    assert_eq!((r.numerator, r.denominator), (8, 32));
    assert_eq!(r.value, Some(0.25));
    assert_eq!(r.interval, wilson(8, 32));
    assert!(!r.small_sample);
}

#[test]
fn a_rate_on_fewer_than_ten_defects_is_a_small_sample() {
    assert!(Rate::of(1, 9).small_sample);
    assert!(!Rate::of(1, 10).small_sample);
    let empty = Rate::of(0, 0);
    assert!(empty.small_sample);
    assert_eq!((empty.value, empty.interval), (None, None));
}

#[test]
fn a_weighted_rate_with_equal_weights_is_the_plain_rate() {
    let mut sums = WeightedSums::default();
    sums.add(3, 32, 8);
    let w = sums.rate();
    assert_eq!((w.numerator, w.denominator, w.defects), (24, 96, 32));
    assert_eq!(w.value, Some(0.25));
    assert!(close(w.effective_defects.unwrap(), 32.0));
    let plain = wilson(8, 32).unwrap();
    let i = w.interval.unwrap();
    assert!(close(i.low, plain.low) && close(i.high, plain.high));
}

#[test]
fn unequal_weights_widen_the_weighted_interval_to_the_kish_effective_size() {
    // One critical (8) escape among eleven low (1) defects: Σw = 19, Σw² = 75.
    let mut sums = WeightedSums::default();
    sums.add(8, 1, 1);
    sums.add(1, 11, 0);
    let w = sums.rate();
    assert_eq!((w.numerator, w.denominator, w.defects), (8, 19, 12));
    let n_eff = w.effective_defects.unwrap();
    assert!(close(n_eff, 361.0 / 75.0), "{n_eff}");
    assert_eq!(w.interval, wilson_at(8.0 / 19.0, n_eff));
    assert!(!w.small_sample, "small_sample counts defects, not weights");
}

#[test]
fn zero_weights_give_no_weighted_value() {
    let mut sums = WeightedSums::default();
    sums.add(0, 5, 2);
    let w = sums.rate();
    assert_eq!(
        (w.value, w.interval, w.effective_defects),
        (None, None, None)
    );
    assert_eq!(w.defects, 5);
}

proptest! {
    #[test]
    fn every_rate_lies_in_the_unit_interval_and_inside_its_interval(n in 0u64..5000, k in 0u64..5000) {
        let k = if n == 0 { 0 } else { k % (n + 1) };
        let r = Rate::of(k, n);
        if let (Some(v), Some(i)) = (r.value, r.interval) {
            prop_assert!((0.0..=1.0).contains(&v));
            prop_assert!(0.0 <= i.low && i.low <= i.high && i.high <= 1.0);
            prop_assert!(i.contains(v), "{v} outside {i:?}");
        } else {
            prop_assert_eq!(n, 0);
        }
    }

    #[test]
    fn every_weighted_rate_lies_inside_its_interval(
        groups in prop::collection::vec((0u32..=1000, 0u64..200, 0u64..200), 1..6),
    ) {
        let mut sums = WeightedSums::default();
        for (w, n, k) in groups {
            sums.add(w, n, k.min(n));
        }
        let r = sums.rate();
        if let Some(v) = r.value {
            prop_assert!((0.0..=1.0).contains(&v));
            let i = r.interval.unwrap();
            prop_assert!(0.0 <= i.low && i.high <= 1.0 && i.contains(v), "{v} {i:?}");
            prop_assert!(r.effective_defects.unwrap() <= r.defects as f64 + 1e-6);
        }
    }
}
