//! Host memory: one type for every CPU-side bulk payload, fallible
//! allocation, conversions, the copy kernels and the copy ledger. GPU memory
//! the CPU maps (readback and upload pools) is in `gpu::alloc`.

pub mod alloc;
pub mod checked;
pub mod convert;
mod host_buffer;
pub mod ledger;
pub mod tensor;

pub use host_buffer::{DType, HostBuffer, Origin};
