//! The process-wide GPU context: adapter choice, device, limits and the
//! conversion of wgpu's errors into [`crate::Error`].

mod adapter;
pub mod alloc;
mod context;
pub(crate) mod layout;
pub mod timer;

pub use adapter::{AdapterFilter, DeviceInfo};
pub use context::{device_scoped, GpuContext};
