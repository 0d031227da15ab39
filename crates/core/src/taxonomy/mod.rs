//! The fixed classifications (severity, origin, mechanism, …) with stable keys and human labels.

use thiserror::Error;

/// A fixed set of values that each carry a stable key and a label for people.
///
/// Guarantees: `ALL` lists every value exactly once, in declaration (and `Ord`) order; keys are
/// unique; `from_key(v.key()) == Some(v)` for every value; the serde form of a value is its key.
pub trait Keyed: Sized + Copy + 'static {
    /// Every value, in order.
    const ALL: &'static [Self];
    /// The stable key, stored in the database and used in URLs and CSV.
    fn key(self) -> &'static str;
    /// The label shown to people.
    fn label(self) -> &'static str;
    /// The value whose key is exactly `key`, if any (no trimming, case-sensitive).
    fn from_key(key: &str) -> Option<Self>;
}

/// A key that names no value of the classification `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown {kind} key `{key}`")]
pub struct UnknownKey {
    /// The classification, in words (`"severity"`, `"detected by"`, …).
    pub kind: &'static str,
    /// The key as given.
    pub key: String,
}

/// Declares one keyed enum: derives, `Keyed`, `FromStr`, `Display` and inherent shortcuts.
macro_rules! keyed_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $variant:ident => ($key:literal, $label:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in order (same as [`Keyed::ALL`](crate::taxonomy::Keyed::ALL)).
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable key (same as [`Keyed::key`](crate::taxonomy::Keyed::key)).
            #[must_use]
            pub const fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            /// The label for people (same as [`Keyed::label`](crate::taxonomy::Keyed::label)).
            #[must_use]
            pub const fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The value with exactly this key (same as [`Keyed::from_key`](crate::taxonomy::Keyed::from_key)).
            #[must_use]
            pub fn from_key(key: &str) -> Option<$name> {
                match key { $($key => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::taxonomy::Keyed for $name {
            const ALL: &'static [$name] = $name::ALL;
            fn key(self) -> &'static str { $name::key(self) }
            fn label(self) -> &'static str { $name::label(self) }
            fn from_key(key: &str) -> Option<$name> { $name::from_key(key) }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::taxonomy::UnknownKey;
            fn from_str(s: &str) -> Result<$name, Self::Err> {
                $name::from_key(s).ok_or_else(|| $crate::taxonomy::UnknownKey {
                    kind: $kind,
                    key: s.to_owned(),
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

/// Lets other modules of the crate declare keyed enums the same way.
pub(crate) use keyed_enum;

mod kinds;
pub use kinds::*;

#[cfg(test)]
pub(crate) mod tests;
