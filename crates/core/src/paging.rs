//! Page requests for long lists: a validated page number and page size.

use serde::Serialize;

/// The largest page size accepted.
pub const MAX_PER_PAGE: u64 = 200;
/// The largest page number accepted; keeps every offset far inside `i64` for the database.
pub const MAX_PAGE: u64 = 1_000_000_000;

/// A validated page request: page >= 1, per_page 1..=200.
///
/// Also page <= [`MAX_PAGE`], so `offset()` never overflows and always fits an `i64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Paging {
    page: u64,
    per_page: u64,
}

impl Paging {
    /// A page request with both numbers clamped into range.
    #[must_use]
    pub fn new(page: u64, per_page: u64) -> Paging {
        Paging {
            page: page.clamp(1, MAX_PAGE),
            per_page: per_page.clamp(1, MAX_PER_PAGE),
        }
    }

    /// A page request from a `?page=` query value: missing, unreadable or 0 means page 1.
    #[must_use]
    pub fn from_query(page: Option<&str>, per_page: u64) -> Paging {
        let page = page.and_then(|p| p.trim().parse::<u64>().ok()).unwrap_or(1);
        Paging::new(page, per_page)
    }

    /// The page number, from 1.
    #[must_use]
    pub fn page(&self) -> u64 {
        self.page
    }

    /// Rows per page, 1..=200.
    #[must_use]
    pub fn per_page(&self) -> u64 {
        self.per_page
    }

    /// How many rows come before this page.
    #[must_use]
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }

    /// How many pages `total` rows fill; at least 1, so an empty list still has a page.
    #[must_use]
    pub fn total_pages(&self, total: u64) -> u64 {
        total.div_ceil(self.per_page).max(1)
    }

    /// Whether rows remain after this page.
    #[must_use]
    pub fn has_next(&self, total: u64) -> bool {
        self.page < self.total_pages(total)
    }

    /// Whether a page comes before this one.
    #[must_use]
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn page_zero_becomes_page_one_and_per_page_is_clamped_to_1_through_200() {
        assert_eq!(Paging::new(0, 0), Paging::new(1, 1));
        assert_eq!(Paging::new(3, 500).per_page(), 200);
        assert_eq!(Paging::new(3, 50).page(), 3);
        assert_eq!(Paging::new(u64::MAX, 50).page(), MAX_PAGE);
    }

    #[test]
    fn a_missing_garbage_or_zero_page_query_means_page_one() {
        for page in [
            None,
            Some(""),
            Some("abc"),
            Some("0"),
            Some("-2"),
            Some("1.5"),
            Some("99999999999999999999999"),
        ] {
            assert_eq!(Paging::from_query(page, 25).page(), 1, "{page:?}");
        }
        assert_eq!(Paging::from_query(Some(" 4 "), 25), Paging::new(4, 25));
        assert_eq!(Paging::from_query(Some("4"), 0).per_page(), 1);
    }

    #[test]
    fn offset_skips_the_earlier_pages() {
        assert_eq!(Paging::new(1, 50).offset(), 0);
        assert_eq!(Paging::new(3, 50).offset(), 100);
    }

    #[test]
    fn an_empty_list_has_one_page_and_no_neighbours() {
        let p = Paging::new(1, 50);
        assert_eq!(p.total_pages(0), 1);
        assert!(!p.has_next(0));
        assert!(!p.has_prev());
    }

    #[test]
    fn total_pages_rounds_up_and_next_and_previous_follow() {
        let p = Paging::new(2, 50);
        assert_eq!(p.total_pages(100), 2);
        assert_eq!(p.total_pages(101), 3);
        assert!(!p.has_next(100));
        assert!(p.has_next(101));
        assert!(p.has_prev());
    }

    #[test]
    fn paging_serializes_its_page_and_size() {
        let json = serde_json::to_string(&Paging::new(2, 20)).unwrap_or_default();
        assert_eq!(json, r#"{"page":2,"per_page":20}"#);
    }

    proptest! {
        #[test]
        fn paging_always_holds_its_ranges_and_offset_arithmetic(page: u64, per_page: u64) {
            let p = Paging::new(page, per_page);
            prop_assert!((1..=MAX_PAGE).contains(&p.page()));
            prop_assert!((1..=MAX_PER_PAGE).contains(&p.per_page()));
            prop_assert_eq!(p.offset(), (p.page() - 1) * p.per_page());
            prop_assert!(i64::try_from(p.offset()).is_ok());
            prop_assert_eq!(p.has_prev(), p.offset() > 0);
        }

        #[test]
        fn total_pages_holds_every_row_with_no_empty_page_but_the_only_one(
            per_page in 0u64..300,
            total in 0u64..1_000_000,
            page in 0u64..10_000,
        ) {
            let p = Paging::new(page, per_page);
            let pages = p.total_pages(total);
            prop_assert!(pages >= 1);
            prop_assert!(pages * p.per_page() >= total);
            prop_assert!(total == 0 || (pages - 1) * p.per_page() < total);
            prop_assert_eq!(p.has_next(total), p.offset() + p.per_page() < total);
        }
    }
}
