//! forge3d: a headless GPU renderer (wgpu) whose frames and inputs cross into
//! NumPy and Arrow without copies nobody asked for.
//!
//! The crate is usable without Python: [`Renderer`] renders into pooled,
//! mapped readback memory and hands it out as a [`Frame`] whose bytes are an
//! [`arrow_buffer::Buffer`] over the very memory the GPU wrote into.
//! The `python` feature adds the bindings in `py/`, which only convert at the
//! edge.

pub mod env;
pub mod error;
pub mod gpu;
pub mod grid;
pub mod heightmap;
pub mod memory;
pub mod render;
pub mod table_terrain;
pub mod window;

#[cfg(feature = "python")]
mod py;

pub use error::{Error, Result};
pub use gpu::{DeviceInfo, GpuContext};
pub use heightmap::Heightmap;
pub use memory::ledger::{self, CopyRecord};
pub use memory::{DType, HostBuffer, Origin};
pub use render::{Frame, Renderer};
/// The wgpu version forge3d is built on, for code that uses `GpuContext::device`.
pub use wgpu;
