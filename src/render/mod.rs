//! Offscreen rendering: targets rendered in tiles, GPU row packing, readback
//! into pooled mapped memory, and one module per kind of primitive.

mod camera;
mod colormap;
mod colormap_data;
mod fill;
mod frame;
pub mod mesh;
mod orbit;
mod outputs;
mod pack;
mod present;
mod renderer;
pub mod scene;
mod target;
mod terrain;
mod triangle;
mod vec3;

pub use camera::{Bounds, Camera};
pub use colormap::{lut as colormap_lut, names as colormap_names, register as register_colormap};
pub use frame::Frame;
pub use mesh::check_point_size;
pub use mesh::{
    Attribute, AttributeData, ColorFormat, MappedWrite, Mesh, MeshLayer, MeshStyle, StyleParts,
};
pub use orbit::{Orbit, OrbitView, MAX_ELEVATION_DEG};
pub use outputs::Outputs;
pub use present::{TileSink, ViewTarget};
pub use renderer::{Pick, Rendered, Renderer};
pub use scene::{Layer, LayerId, Lighting, Scene};
pub use target::{TileLayout, COLOR_FORMAT, COLOR_TARGET, DEPTH_FORMAT};
pub use terrain::{
    gpu_layout, AmbientOcclusion, Base, Blend, Contours, Extent, FillBand, HeightStats,
    HeightsFill, HeightsGpu, HeightsRef, ImageRef, Norm, OverlayInfo, Shadows, TerrainOptions,
    Water, GPU_HOLE, GRID_LIMIT, MAX_LEVELS, MAX_OVERLAYS,
};
pub use triangle::TriangleLayer;

/// Every WGSL module forge3d compiles, as (name, source) exactly as the
/// pipelines pass it to wgpu; `tests/shader_validation.rs` validates each
/// with naga, without a GPU.
#[doc(hidden)]
pub fn shader_sources() -> Vec<(&'static str, &'static str)> {
    let mut all = vec![
        ("triangle", triangle::TRIANGLE_WGSL),
        ("pack_rows", pack::PACK_ROWS_WGSL),
        ("fill", fill::FILL_WGSL),
        ("depth and xyz planes", outputs::OUTPUTS_WGSL),
        (
            "depth and xyz planes (multisampled)",
            outputs::OUTPUTS_MS_WGSL,
        ),
    ];
    all.push(("window blit", crate::window::BLIT_WGSL));
    all.extend(terrain::SHADERS);
    all.extend(mesh::SHADERS);
    all
}
