//! A [`HostBuffer`] as Arrow's canonical `arrow.fixed_shape_tensor`
//! extension: one element whose storage is `FixedSizeList<T, prod(shape)>`
//! over the same memory (no copy).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Value};

use arrow_array::{ArrayRef, FixedSizeListArray, Float32Array, UInt8Array};
use arrow_buffer::ScalarBuffer;
use arrow_schema::{Field, FieldRef};

use super::{DType, HostBuffer};

pub const EXTENSION_NAME: &str = "arrow.fixed_shape_tensor";

/// Arrow's FixedSizeList length is an i32.
fn items_i32(memory: &HostBuffer) -> crate::Result<i32> {
    let items: usize = memory.shape().iter().product();
    i32::try_from(items).map_err(|_| {
        crate::Error::InvalidArgument(format!(
            "{items} values are more than one Arrow fixed_shape_tensor element can hold (2^31 - 1); \
             use the buffer protocol (np.asarray) instead"
        ))
    })
}

/// The field describing `memory` as a one-element fixed-shape tensor column.
pub fn tensor_field(name: &str, memory: &HostBuffer) -> crate::Result<FieldRef> {
    tensor_field_with(name, memory, &[])
}

/// [`tensor_field`] with further field metadata (e.g. a heightmap's
/// spacing and CRS under `forge3d.*` keys).
pub fn tensor_field_with(
    name: &str,
    memory: &HostBuffer,
    extra: &[(String, String)],
) -> crate::Result<FieldRef> {
    let shape = memory.shape();
    let items = items_i32(memory)?;
    let item = Arc::new(Field::new("item", memory.dtype().arrow(), false));
    let mut metadata = HashMap::from([
        (
            "ARROW:extension:name".to_string(),
            EXTENSION_NAME.to_string(),
        ),
        (
            "ARROW:extension:metadata".to_string(),
            json!({ "shape": shape }).to_string(),
        ),
    ]);
    metadata.extend(extra.iter().cloned());
    Ok(Arc::new(
        Field::new(
            name,
            arrow_schema::DataType::FixedSizeList(item, items),
            false,
        )
        .with_metadata(metadata),
    ))
}

/// What an `arrow.fixed_shape_tensor` field's metadata says (the spec's
/// JSON: `shape`, optional `dim_names` and `permutation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorMeta {
    pub shape: Vec<usize>,
    /// `None`, or the identity, means row-major (C) order.
    pub permutation: Option<Vec<usize>>,
}

impl TensorMeta {
    pub fn is_row_major(&self) -> bool {
        self.permutation
            .as_ref()
            .is_none_or(|p| p.iter().enumerate().all(|(i, &d)| i == d))
    }
}

/// The tensor metadata of `field`, or `None` when it is not an
/// `arrow.fixed_shape_tensor`; malformed metadata is an error naming `arg`.
pub fn tensor_meta(field: &Field, arg: &str) -> crate::Result<Option<TensorMeta>> {
    if field.extension_type_name() != Some(EXTENSION_NAME) {
        return Ok(None);
    }
    let bad = |why: &str| {
        crate::Error::InvalidArgument(format!(
            "{arg}: the arrow.fixed_shape_tensor metadata is malformed ({why}); expected JSON \
             such as {{\"shape\": [rows, cols]}}"
        ))
    };
    let text = field
        .extension_type_metadata()
        .ok_or_else(|| bad("missing"))?;
    let value: Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    let dims = |key: &str| -> crate::Result<Option<Vec<usize>>> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_u64()
                        .and_then(|d| usize::try_from(d).ok())
                        .ok_or_else(|| bad(&format!("{key} holds {v}, not a size")))
                })
                .collect::<crate::Result<Vec<usize>>>()
                .map(Some),
            Some(other) => Err(bad(&format!("{key} is {other}, not an array"))),
        }
    };
    let shape = dims("shape")?.ok_or_else(|| bad("no shape"))?;
    let permutation = dims("permutation")?;
    if permutation.as_ref().is_some_and(|p| p.len() != shape.len()) {
        return Err(bad("the permutation and the shape differ in length"));
    }
    Ok(Some(TensorMeta { shape, permutation }))
}

/// The storage array: length 1, values are `memory` itself.
pub fn tensor_array(memory: &HostBuffer) -> crate::Result<ArrayRef> {
    let items = items_i32(memory)? as usize;
    let values: ArrayRef = match memory.dtype() {
        DType::U8 => Arc::new(UInt8Array::new(
            ScalarBuffer::new(memory.buffer().clone(), 0, items),
            None,
        )),
        DType::F32 => Arc::new(Float32Array::new(
            ScalarBuffer::new(memory.buffer().clone(), 0, items),
            None,
        )),
        DType::I32 => Arc::new(arrow_array::Int32Array::new(
            ScalarBuffer::new(memory.buffer().clone(), 0, items),
            None,
        )),
        DType::U32 => Arc::new(arrow_array::UInt32Array::new(
            ScalarBuffer::new(memory.buffer().clone(), 0, items),
            None,
        )),
    };
    let item = Arc::new(Field::new("item", memory.dtype().arrow(), false));
    Ok(Arc::new(FixedSizeListArray::new(
        item,
        items as i32,
        values,
        None,
    )))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tensor_metadata_is_read_as_json() {
        let field = |md: &str| {
            Field::new("t", arrow_schema::DataType::Null, true).with_metadata(HashMap::from([
                ("ARROW:extension:name".into(), EXTENSION_NAME.into()),
                ("ARROW:extension:metadata".into(), md.into()),
            ]))
        };
        let m = tensor_meta(
            &field(r#"{ "dim_names": ["y", "x"], "shape": [ 3, 4 ] }"#),
            "a",
        )
        .unwrap()
        .unwrap();
        assert_eq!(m.shape, [3, 4]);
        let p = tensor_meta(&field(r#"{"shape": [3, 4], "permutation": [1, 0]}"#), "a")
            .unwrap()
            .unwrap();
        assert!(!p.is_row_major());
        for bad in [
            r#"{"shape": [3, -4]}"#,
            r#"{"shape": "3x4"}"#,
            "not json",
            r#"{}"#,
        ] {
            let e = tensor_meta(&field(bad), "heights").unwrap_err().to_string();
            assert!(e.starts_with("heights: the arrow.fixed_shape_tensor metadata is malformed"));
        }
        let plain = Field::new("t", arrow_schema::DataType::Float32, true);
        assert_eq!(tensor_meta(&plain, "a").unwrap(), None);
    }

    use super::*;
    use crate::memory::Origin;
    use arrow_array::Array;

    #[test]
    fn tensor_storage_shares_the_host_memory() {
        let bytes = arrow_buffer::Buffer::from_vec((0u8..24).collect::<Vec<_>>());
        let hb = HostBuffer::new(bytes, vec![2, 3, 4], DType::U8, Origin::Rust);
        let field = tensor_field("rgba", &hb).unwrap();
        assert_eq!(
            field.metadata()["ARROW:extension:metadata"],
            "{\"shape\":[2,3,4]}"
        );
        let meta = tensor_meta(&field, "rgba").unwrap().unwrap();
        assert_eq!(meta.shape, [2, 3, 4]);
        assert!(meta.is_row_major());
        let arr = tensor_array(&hb).unwrap();
        assert_eq!(arr.len(), 1);
        let values = arr.to_data().child_data()[0].buffers()[0].as_ptr();
        assert_eq!(values, hb.as_ptr());
    }
}
