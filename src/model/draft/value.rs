//! A serde data-model tree that keeps the order fields are declared in, so a draft is written
//! key by key in its type's order (`serde_json::Value` would sort the keys).

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible};

/// One node of a serialized draft.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    /// An integer, as its decimal text.
    Number(String),
    String(String),
    Seq(Vec<Value>),
    /// Entries in serialization order.
    Map(Vec<(String, Value)>),
}

/// A value the model's YAML style has no form for (floats, bytes, tuples, enum variants with
/// data).
#[derive(Debug, thiserror::Error)]
#[error("cannot write {0} into a model draft")]
pub(crate) struct Unsupported(String);

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Unsupported(msg.to_string())
    }
}

/// Serializes `value` into a [`Value`] tree.
pub(crate) fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, Unsupported> {
    value.serialize(ValueSerializer)
}

fn unsupported<T>(what: &str) -> Result<T, Unsupported> {
    Err(Unsupported(what.to_owned()))
}

struct ValueSerializer;

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = Unsupported;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = Impossible<Value, Unsupported>;
    type SerializeTupleStruct = Impossible<Value, Unsupported>;
    type SerializeTupleVariant = Impossible<Value, Unsupported>;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = Impossible<Value, Unsupported>;

    fn serialize_bool(self, v: bool) -> Result<Value, Unsupported> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, Unsupported> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<Value, Unsupported> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<Value, Unsupported> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<Value, Unsupported> {
        Ok(Value::Number(v.to_string()))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, Unsupported> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<Value, Unsupported> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<Value, Unsupported> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<Value, Unsupported> {
        Ok(Value::Number(v.to_string()))
    }
    fn serialize_f32(self, _: f32) -> Result<Value, Unsupported> {
        unsupported("a floating-point number")
    }
    fn serialize_f64(self, _: f64) -> Result<Value, Unsupported> {
        unsupported("a floating-point number")
    }
    fn serialize_char(self, v: char) -> Result<Value, Unsupported> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Unsupported> {
        Ok(Value::String(v.to_owned()))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Value, Unsupported> {
        unsupported("bytes")
    }
    fn serialize_none(self) -> Result<Value, Unsupported> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Unsupported> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, Unsupported> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Value, Unsupported> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Value, Unsupported> {
        Ok(Value::String(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Value, Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: &T,
    ) -> Result<Value, Unsupported> {
        unsupported(&format!("enum variant `{variant}` with data"))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder, Unsupported> {
        Ok(SeqBuilder(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unsupported> {
        unsupported("a tuple")
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Unsupported> {
        unsupported(&format!("tuple struct `{name}`"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unsupported> {
        unsupported(&format!("enum variant `{variant}` with data"))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder, Unsupported> {
        Ok(MapBuilder {
            entries: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<MapBuilder, Unsupported> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unsupported> {
        unsupported(&format!("enum variant `{variant}` with data"))
    }
}

struct SeqBuilder(Vec<Value>);

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Value;
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.0.push(to_value(value)?);
        Ok(())
    }
    fn end(self) -> Result<Value, Unsupported> {
        Ok(Value::Seq(self.0))
    }
}

struct MapBuilder {
    entries: Vec<(String, Value)>,
    /// The key of the entry whose value comes next ([`ser::SerializeMap`] sends them apart).
    key: Option<String>,
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Value;
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        match to_value(key)? {
            Value::String(key) => {
                self.key = Some(key);
                Ok(())
            }
            _ => unsupported("a mapping key that is not a string"),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        let Some(key) = self.key.take() else {
            return unsupported("a mapping value without a key");
        };
        self.entries.push((key, to_value(value)?));
        Ok(())
    }
    fn end(self) -> Result<Value, Unsupported> {
        Ok(Value::Map(self.entries))
    }
}

impl ser::SerializeStruct for MapBuilder {
    type Ok = Value;
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.entries.push((key.to_owned(), to_value(value)?));
        Ok(())
    }
    fn end(self) -> Result<Value, Unsupported> {
        Ok(Value::Map(self.entries))
    }
}
