//! Schemas the derive cannot see: the keys of a classification (severity, mechanism, …) as a
//! string enumeration, from the same list the forms offer.

use escapement_core::Keyed;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Object, Schema};

/// A string that is one of `K`'s keys.
pub fn keys<K: Keyed>() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(K::ALL.iter().map(|k| k.key())))
        .build()
}

/// One of `K`'s keys, or `null`.
pub fn keys_or_null<K: Keyed>() -> Schema {
    let values: Vec<Option<&str>> = K::ALL.iter().map(|k| Some(k.key())).chain([None]).collect();
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::String,
                Type::Null,
            ]))
            .enum_values(Some(values))
            .build(),
    )
}
