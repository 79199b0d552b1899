//! Host memory: one type for every CPU-side bulk payload, pooled readback
//! memory the GPU writes into, and the copy ledger.

pub mod alloc;
pub mod convert;
mod host_buffer;
pub mod host_cached;
pub mod ledger;
pub mod readback;
pub mod rows;
pub mod tensor;
pub mod upload;

pub use host_buffer::{DType, HostBuffer, Origin};
