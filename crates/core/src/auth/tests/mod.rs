//! Auth rules: one test per rule, per message and per boundary.
#![expect(clippy::unwrap_used, reason = "tests")]

use super::*;
use crate::taxonomy::{Keyed, UnknownKey};
use std::collections::HashSet;
use std::fmt::{Debug, Display};
use std::str::FromStr;

use serde::Serialize;
use serde::de::DeserializeOwned;

mod drafts;
mod identity;
mod login;
mod roles;
mod session;
mod throttle;
mod tokens_and_audit;

/// Checks every invariant `Keyed` promises for one enum and returns its keys in order.
fn keys_after_checking<T>() -> Vec<&'static str>
where
    T: Keyed
        + Debug
        + PartialEq
        + Ord
        + Display
        + Serialize
        + DeserializeOwned
        + FromStr<Err = UnknownKey>,
{
    let mut seen = HashSet::new();
    for &value in T::ALL {
        assert_eq!(T::from_key(value.key()), Some(value));
        assert!(seen.insert(value.key()), "duplicate key {}", value.key());
        assert!(!value.label().is_empty());
        assert_eq!(value.to_string(), value.label());
        assert_eq!(value.key().parse::<T>().unwrap(), value);
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(json, format!("\"{}\"", value.key()));
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), value);
    }
    assert!(
        T::ALL.windows(2).all(|w| w[0] < w[1]),
        "ALL is in Ord order"
    );
    T::ALL.iter().map(|v| v.key()).collect()
}
