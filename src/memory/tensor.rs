//! A [`HostBuffer`] as Arrow's canonical `arrow.fixed_shape_tensor`
//! extension: one element whose storage is `FixedSizeList<T, prod(shape)>`
//! over the same memory (no copy).

use std::collections::HashMap;
use std::sync::Arc;

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
    let shape = memory.shape();
    let items = items_i32(memory)?;
    let item = Arc::new(Field::new("item", memory.dtype().arrow(), false));
    let shape_json = shape
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let metadata = HashMap::from([
        (
            "ARROW:extension:name".to_string(),
            EXTENSION_NAME.to_string(),
        ),
        (
            "ARROW:extension:metadata".to_string(),
            format!("{{\"shape\":[{shape_json}]}}"),
        ),
    ]);
    Ok(Arc::new(
        Field::new(
            name,
            arrow_schema::DataType::FixedSizeList(item, items),
            false,
        )
        .with_metadata(metadata),
    ))
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
        let arr = tensor_array(&hb).unwrap();
        assert_eq!(arr.len(), 1);
        let values = arr.to_data().child_data()[0].buffers()[0].as_ptr();
        assert_eq!(values, hb.as_ptr());
    }
}
