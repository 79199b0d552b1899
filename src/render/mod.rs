//! Offscreen rendering: targets rendered in tiles, GPU row packing, readback
//! into pooled mapped memory, and one module per kind of primitive.

mod frame;
mod pack;
mod renderer;
mod target;
mod triangle;

pub use frame::Frame;
pub use renderer::Renderer;
pub use target::{TileLayout, COLOR_FORMAT};
